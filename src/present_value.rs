//! The present value of a contract on a date: QI's present-value inquiry (`GET
//! /debt?key=…&eval_present_value=true&calculate_delay=…&calculate_spread=false`, the BNPL
//! refinancing manual's *Consulta de Valor Presente* and the LaaS *consulta de valor presente de
//! uma operação*): per installment a `present_amount`, their sum the `balance_due` a refinancing
//! retains.
//!
//! On a date `D` (the crate's conventions, *Present value*):
//! * an installment due on or after `D` is worth `present_amount = round2(total / G(D → due))`,
//!   `G` the growth factor the schedule itself used ([`InterestRate::growth`] over the base days
//!   from `D` to the due date: calendar days on the calendar bases, business days in `(D, due]` on
//!   `workdays`), so the contract's own rate discounts it, as Res. CMN 3.516/2007 art. 1 requires
//!   for early settlement ("taxa de juros pactuada no contrato");
//! * an installment due before `D` is paid when [`PresentValueOptions::paid`] covers it (by
//!   default every installment due before `D` is paid), else **overdue**: at face value, or with
//!   [`PresentValueOptions::calculate_delay`] the face value plus the fine
//!   `round2(contract_fine_rate × total)` plus late interest at `fine_configuration.monthly_rate`
//!   over the calendar days late, by [`LateInterest`] (simple pro rata by default);
//! * an installment the `paid` count covers is paid whatever its date (it leaves the balance);
//! * `balance_due = Σ present_amount` of the installments not paid.
//!
//! `present_amount` is in cents, half-even: QI's inquiry prints money in cents, and no QI number
//! fixes the rounding of this figure (the crate's choice). `calculate_spread: true` (the partner's
//! spread added to the present value) is refused: QI documents no arithmetic for it.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::calendar::BrazilCalendar;
use crate::error::{Error, Result};
use crate::num::{self, round_cents};
use crate::rate::InterestRate;
use crate::schedule::Amortization;
use crate::simulation::{LoanTerms, Quote};

/// One installment of a contract: its number, due date and total.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ContractInstallment {
    /// `installment_number`.
    pub installment_number: u32,
    /// `due_date` (the schedule's: moved to a business day when the contract moved it).
    pub due_date: NaiveDate,
    /// `total_amount`.
    pub total_amount: Decimal,
}

impl ContractInstallment {
    /// An installment.
    pub fn new(installment_number: u32, due_date: NaiveDate, total_amount: Decimal) -> Self {
        ContractInstallment {
            installment_number,
            due_date,
            total_amount,
        }
    }
}

/// The late-payment terms of a contract (`financial.fine_configuration`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct FineConfiguration {
    /// `contract_fine_rate`: the fine, a fraction of the overdue installment (0.02 = 2 %).
    pub contract_fine_rate: Decimal,
    /// `monthly_rate`: the late interest a month, as a fraction.
    pub monthly_rate: Decimal,
}

impl FineConfiguration {
    /// The late-payment terms.
    pub fn new(contract_fine_rate: Decimal, monthly_rate: Decimal) -> Self {
        FineConfiguration {
            contract_fine_rate,
            monthly_rate,
        }
    }
}

/// An issued contract as the present value needs it: the disbursement date, the working rate the
/// schedule was priced at, its system and its installments.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Contract {
    /// The disbursement date (day 0 of the schedule).
    pub disbursement_date: NaiveDate,
    /// `issue_amount`.
    pub issue_amount: Decimal,
    /// The working rate of the schedule (base and growth convention included).
    pub rate: InterestRate,
    /// The amortization system.
    pub amortization: Amortization,
    /// The installments, in due-date order.
    pub installments: Vec<ContractInstallment>,
    /// The late-payment terms, if the contract states them.
    pub fine: Option<FineConfiguration>,
}

impl Contract {
    /// A contract from its parts (an issued schedule: a `debt` response).
    pub fn new(
        disbursement_date: NaiveDate,
        issue_amount: Decimal,
        rate: InterestRate,
        installments: Vec<ContractInstallment>,
    ) -> Self {
        Contract {
            disbursement_date,
            issue_amount,
            rate,
            amortization: Amortization::PriceDays,
            installments,
            fine: None,
        }
    }

    /// The contract of a priced option: `rate` is the working rate the option was priced at
    /// ([`crate::simulation::effective_rate`] of its terms).
    pub fn from_quote(quote: &Quote, rate: InterestRate) -> Self {
        Contract {
            disbursement_date: quote.disbursement_date,
            issue_amount: quote.schedule.issue_amount,
            rate,
            amortization: quote.amortization,
            installments: quote
                .schedule
                .installments
                .iter()
                .map(|i| {
                    ContractInstallment::new(i.period.number, i.period.due_date, i.total_amount)
                })
                .collect(),
            fine: None,
        }
    }

    /// The contract an issuance of `terms` yields (its requested date's option), priced under
    /// `options`.
    ///
    /// # Errors
    /// Any error of [`crate::simulate`].
    pub fn issue(terms: &LoanTerms, options: &crate::SimulationOptions) -> Result<Self> {
        let sim = crate::simulate(terms, options)?;
        let rate = crate::simulation::effective_rate(terms, options.get_conventions())?;
        Ok(Contract::from_quote(sim.first(), rate))
    }

    /// This contract with its late-payment terms.
    pub fn with_fine(mut self, fine: FineConfiguration) -> Self {
        self.fine = Some(fine);
        self
    }
}

/// How late interest accrues on an overdue installment (the `calculate_delay` inquiry). QI's
/// pages name the charges ("juros de mora e multa") without their arithmetic; the default is the
/// crate's choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum LateInterest {
    /// `round2(total × monthly_rate × days_late / 30)`: simple interest pro rata die, the common
    /// Brazilian practice for *juros de mora* (Código Civil art. 406 and CTN art. 161 §1, "1 % ao
    /// mês", applied pro rata by day). Default.
    #[default]
    SimpleProRata,
    /// `round2(total × ((1 + monthly_rate)^(days_late/30) − 1))`: compounded per day.
    Compound,
}

/// Options of [`present_value`], set with chained setters.
///
/// ```
/// use qitech_sim::present_value::{LateInterest, PresentValueOptions};
/// let o = PresentValueOptions::new().paid(Some(3)).calculate_delay(true);
/// assert_eq!(o.get_late_interest(), LateInterest::SimpleProRata);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PresentValueOptions {
    paid: Option<u32>,
    calculate_delay: bool,
    calculate_spread: bool,
    late_interest: LateInterest,
}

impl PresentValueOptions {
    /// Defaults: every installment due before the date paid, no delay charges, no spread.
    pub fn new() -> Self {
        Self::default()
    }

    /// The first `n` installments are paid (`None`: those due before the date).
    pub fn paid(mut self, n: Option<u32>) -> Self {
        self.paid = n;
        self
    }

    /// Charge the fine and late interest on overdue installments (`calculate_delay`).
    pub fn calculate_delay(mut self, on: bool) -> Self {
        self.calculate_delay = on;
        self
    }

    /// Add the operation's spread (`calculate_spread`): refused, no arithmetic is documented.
    pub fn calculate_spread(mut self, on: bool) -> Self {
        self.calculate_spread = on;
        self
    }

    /// The late-interest accrual rule.
    pub fn late_interest(mut self, rule: LateInterest) -> Self {
        self.late_interest = rule;
        self
    }

    /// The `paid` count.
    pub fn get_paid(&self) -> Option<u32> {
        self.paid
    }

    /// Whether delay charges apply.
    pub fn get_calculate_delay(&self) -> bool {
        self.calculate_delay
    }

    /// The late-interest accrual rule.
    pub fn get_late_interest(&self) -> LateInterest {
        self.late_interest
    }
}

/// An installment's state on the date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum InstallmentState {
    /// Paid (not in the balance).
    Paid,
    /// Due on or after the date: discounted.
    Open,
    /// Due before the date and not paid.
    Overdue,
}

impl InstallmentState {
    /// The state's name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            InstallmentState::Paid => "paid",
            InstallmentState::Open => "opened",
            InstallmentState::Overdue => "overdue",
        }
    }
}

/// One installment of the inquiry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct InstallmentValue {
    /// The installment.
    pub installment: ContractInstallment,
    /// Its state on the date.
    pub state: InstallmentState,
    /// `present_amount` (zero when paid).
    pub present_amount: Decimal,
    /// Calendar days late (overdue only).
    pub days_late: u32,
    /// The fine charged (`calculate_delay`, overdue only).
    pub fine_amount: Decimal,
    /// The late interest charged (`calculate_delay`, overdue only).
    pub late_interest_amount: Decimal,
}

/// The present value of a contract on a date.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PresentValue {
    /// The date valued.
    pub date: NaiveDate,
    /// `balance_due`: Σ `present_amount`.
    pub balance_due: Decimal,
    /// Every installment, in the contract's order.
    pub installments: Vec<InstallmentValue>,
}

/// The present value of `contract` on `date` (see the module documentation).
///
/// # Errors
/// [`Error::InvalidField`] on `date` before the disbursement, on `paid` beyond the installments;
/// `calculate_spread` and the per-period system (`pre_price`, whose growth between due dates is
/// not defined) are refused as unsupported; `fine_configuration` is missing when overdue
/// installments are charged without it; [`Error::Overflow`] beyond `Decimal`'s range.
///
/// ```
/// use qitech_sim::prelude::*;
/// use qitech_sim::present_value::{present_value, Contract, PresentValueOptions};
/// let rate = InterestRate::monthly("0.0205".parse()?, InterestBase::CalendarDays)?;
/// let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).ok_or("date");
/// let terms = LoanTerms::face_value(Decimal::from(100), 2, rate, d(2023, 3, 14)?, d(2023, 4, 7)?)?;
/// let contract = Contract::issue(&terms, &SimulationOptions::new())?;
/// let pv = present_value(&contract, d(2023, 3, 14)?, &PresentValueOptions::new())?;
/// assert_eq!(pv.balance_due.to_string(), "194.80");
/// let pv = present_value(&contract, d(2023, 4, 7)?, &PresentValueOptions::new().paid(Some(1)))?;
/// assert_eq!(pv.balance_due.to_string(), "97.99"); // due_principal of installment 2: 97.9882…
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn present_value(
    contract: &Contract,
    date: NaiveDate,
    options: &PresentValueOptions,
) -> Result<PresentValue> {
    if options.calculate_spread {
        return Err(Error::unsupported(
            "calculate_spread",
            true,
            "the spread added to the present value has no documented arithmetic; QI's \
             refinancing asks for calculate_spread=false",
        ));
    }
    if contract.amortization == Amortization::Price {
        return Err(Error::unsupported(
            "interest_type",
            contract.amortization.as_str(),
            "the present value of a per-period system between due dates is not defined",
        ));
    }
    if date < contract.disbursement_date {
        return Err(Error::out_of_range(
            "date",
            date,
            format!(
                "before the disbursement date {}",
                contract.disbursement_date
            ),
        ));
    }
    let n = contract.installments.len();
    if let Some(p) = options.paid
        && p as usize > n
    {
        return Err(Error::out_of_range(
            "paid",
            p,
            format!("the contract has {n} installments"),
        ));
    }
    let calendar = BrazilCalendar::national();
    let business = contract.rate.base().counts_business_days();
    let mut balance = Decimal::ZERO;
    let mut out = Vec::with_capacity(n);
    for (k, inst) in contract.installments.iter().enumerate() {
        let before = inst.due_date < date;
        let paid = match options.paid {
            Some(p) => k < p as usize,
            None => before,
        };
        let mut value = InstallmentValue {
            installment: *inst,
            state: InstallmentState::Paid,
            present_amount: Decimal::ZERO,
            days_late: 0,
            fine_amount: Decimal::ZERO,
            late_interest_amount: Decimal::ZERO,
        };
        if paid {
            out.push(value);
            continue;
        }
        if before {
            value.state = InstallmentState::Overdue;
            value.days_late = u32::try_from((date - inst.due_date).num_days())
                .map_err(|_| Error::out_of_range("date", date, "too far from the due dates"))?;
            value.present_amount = inst.total_amount;
            if options.calculate_delay {
                let fine = contract.fine.ok_or_else(|| {
                    Error::missing("fine_configuration (calculate_delay on an overdue installment)")
                })?;
                let (f, i) = delay_charges(
                    inst.total_amount,
                    value.days_late,
                    &fine,
                    options.late_interest,
                )?;
                value.fine_amount = f;
                value.late_interest_amount = i;
                value.present_amount = num::add(
                    num::add(inst.total_amount, f, "fine_amount")?,
                    i,
                    "late_interest",
                )?;
            }
        } else {
            value.state = InstallmentState::Open;
            let days = if business {
                calendar.workdays(date, inst.due_date)?
            } else {
                (inst.due_date - date).num_days()
            };
            let days = u32::try_from(days)
                .map_err(|_| Error::out_of_range("date", date, "too far from the due dates"))?;
            let g = contract.rate.growth(days)?;
            value.present_amount = round_cents(
                num::div(inst.total_amount, g, "present_amount")
                    .map_err(|_| contract.rate.term_error())?,
            );
        }
        balance = num::add(balance, value.present_amount, "balance_due")?;
        out.push(value);
    }
    Ok(PresentValue {
        date,
        balance_due: balance,
        installments: out,
    })
}

/// The fine and the late interest of an overdue installment of `total`, `days_late` days late.
fn delay_charges(
    total: Decimal,
    days_late: u32,
    fine: &FineConfiguration,
    rule: LateInterest,
) -> Result<(Decimal, Decimal)> {
    const FIELD: &str = "fine_configuration.monthly_rate";
    let fine_amount = round_cents(num::mul(
        fine.contract_fine_rate,
        total,
        "fine_configuration.contract_fine_rate",
    )?);
    let days = Decimal::from(days_late);
    let interest = match rule {
        LateInterest::SimpleProRata => num::div(
            num::mul(num::mul(total, fine.monthly_rate, FIELD)?, days, FIELD)?,
            Decimal::from(30),
            FIELD,
        )?,
        LateInterest::Compound => {
            let day = num::nth_root(num::add(Decimal::ONE, fine.monthly_rate, FIELD)?, 30, FIELD)?;
            let g = num::powu(day, u64::from(days_late), FIELD)?;
            num::mul(total, num::sub(g, Decimal::ONE, FIELD)?, FIELD)?
        }
    };
    Ok((fine_amount, round_cents(interest)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2 % fine, 1 % a month: 100 late 15 days is 2.00 + 0.50 simple, 0.50 compound (0.4987…).
    #[test]
    fn delay_charges_by_rule() {
        let fine = FineConfiguration::new(
            "0.02".parse().expect("literal"),
            "0.01".parse().expect("literal"),
        );
        let total = Decimal::from(100);
        let simple = delay_charges(total, 15, &fine, LateInterest::SimpleProRata).expect("literal");
        assert_eq!(
            simple,
            (
                "2.00".parse().expect("literal"),
                "0.50".parse().expect("literal")
            )
        );
        let compound = delay_charges(total, 15, &fine, LateInterest::Compound).expect("literal");
        assert_eq!(compound.1.to_string(), "0.50");
        let compound = delay_charges(Decimal::from(10_000), 15, &fine, LateInterest::Compound)
            .expect("literal");
        assert_eq!(compound.1.to_string(), "49.88");
    }
}
