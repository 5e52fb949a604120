//! The loan: [`LoanTerms`], the typed form of QI's `financial` block (the [`crate::api`] layer
//! translates the JSON), its amount, first due date and refinanced operations, their bounds and
//! [`LoanTerms::validate`].

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::conventions::Conventions;
use crate::error::{Error, Result};
use crate::fees::Pricing;
use crate::iof::{Borrower, PersonType};
use crate::num::{self, round_cents};
use crate::present_value::{Contract, PresentValueOptions, present_value};
use crate::rate::InterestRate;
use crate::schedule::{self, Amortization};
#[cfg(doc)]
use crate::simulation::{SimulationOptions, simulate};

/// The fields the engine's errors name: QI's `financial` block paths, one constant per field (the
/// JSON layer names the same paths; a caller matches on [`crate::Error::field`]).
pub mod field {
    /// The prefix of every loan field (`financial.`).
    pub const PREFIX: &str = "financial.";
    /// `number_of_installments`.
    pub const NUMBER_OF_INSTALLMENTS: &str = "financial.number_of_installments";
    /// `installment_face_value`.
    pub const INSTALLMENT_FACE_VALUE: &str = "financial.installment_face_value";
    /// `monthly_interest_rate`.
    pub const MONTHLY_INTEREST_RATE: &str = "financial.monthly_interest_rate";
    /// `annual_interest_rate`.
    pub const ANNUAL_INTEREST_RATE: &str = "financial.annual_interest_rate";
    /// `first_due_date`.
    pub const FIRST_DUE_DATE: &str = "financial.first_due_date";
    /// `first_due_date_delay`.
    pub const FIRST_DUE_DATE_DELAY: &str = "financial.first_due_date_delay";
    /// `disbursement_date`.
    pub const DISBURSEMENT_DATE: &str = "financial.disbursement_date";
    /// `desired_installments`.
    pub const DESIRED_INSTALLMENTS: &str = "financial.desired_installments";
    /// `principal_amortization_month_period`.
    pub const MONTH_PERIOD: &str = "financial.principal_amortization_month_period";
    /// `interest_base`.
    pub const INTEREST_BASE: &str = "financial.interest_base";
    /// `interest_type`.
    pub const INTEREST_TYPE: &str = "financial.interest_type";
    /// The loan's rate, whichever input gave it (an overflow of its growth).
    pub const INTEREST_RATE: &str = "financial.interest_rate";
    /// `disbursed_amount`.
    pub const DISBURSED_AMOUNT: &str = "financial.disbursed_amount";
    /// `amount`.
    pub const AMOUNT: &str = "financial.amount";
    /// `limit_days_to_disburse`.
    pub const LIMIT_DAYS_TO_DISBURSE: &str = "financial.limit_days_to_disburse";
    /// `due_dates`.
    pub const DUE_DATES: &str = "financial.due_dates";

    /// `due_dates[k]`.
    pub fn due_date(k: usize) -> String {
        format!("{DUE_DATES}[{k}]")
    }

    /// `desired_installments[k].total_amount`.
    pub fn desired_total(k: usize) -> String {
        format!("{DESIRED_INSTALLMENTS}[{k}].total_amount")
    }
}

/// How the loan's size is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Amount {
    /// `installment_face_value`: every installment is this amount (payroll margin).
    InstallmentFaceValue(Decimal),
    /// `disbursed_amount`: what the borrower must receive; IOF and contract fees are financed on top.
    Disbursed(Decimal),
    /// `amount`: the issue (nominal) amount itself, no gross-up; the IOF and the contract fees
    /// are withheld from it (`disbursed_issue_amount = amount − iof − fees`).
    Issue(Decimal),
}

/// When the first installment is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FirstDue {
    /// `first_due_date`; the same date for every disbursement option.
    Date(NaiveDate),
    /// `first_due_date_delay`: this many days after each option's disbursement date, counted as
    /// [`SimulationOptions::delay_unit`] says.
    Delay(u32),
    /// Neither given: the business day on or after each option's disbursement date + 1 month;
    /// later installments a month apart from it, not moved. QI's two examples without a first due
    /// date show it: 2026-04-07 → 2026-05-07 (`bnpl-issue-2026`) and 2020-08-06 → 2020-09-08
    /// (09-06 is a Sunday, 09-07 a holiday; `fixtures/qi-examples/anaue-preprice-5000-2020.*`).
    OneMonth,
}

/// A refinanced operation (`refinanced_credit_operations[]`): the balance the new loan pays off.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RefinancedOperation {
    /// `due_balance`, BRL.
    pub due_balance: Decimal,
    /// `original_deadline`, days; echoed, changes no number (see the crate's conventions,
    /// "Refinancing").
    pub original_deadline: Option<u32>,
    /// `operation_key`, echoed.
    pub operation_key: Option<String>,
    /// The operation's own rate and disbursement date (`monthly_interest_rate`,
    /// `disbursement_date`): when given, `due_balance` grows to each option's date (see the
    /// crate's conventions, *Refinancing*).
    pub accrual: Option<Accrual>,
    /// The old loan's contract (`contract`, instead of `due_balance`): the balance paid off on a
    /// disbursement option's date is the contract's present value then
    /// ([`RefinancedOperation::balance_on`]).
    pub contract: Option<Box<Contract>>,
}

/// How a refinanced balance grows to a disbursement option's date: `due_balance` is the balance on
/// `since` (the operation's `disbursement_date`), compounding at `rate` over calendar days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Accrual {
    /// The operation's own rate, on `calendar_days`.
    pub rate: InterestRate,
    /// The operation's `disbursement_date`.
    pub since: NaiveDate,
}

impl RefinancedOperation {
    /// An operation whose outstanding `due_balance` the new loan pays off.
    ///
    /// # Errors
    /// [`Error::InvalidField`] for a negative balance or one above [`MAX_AMOUNT`].
    pub fn new(due_balance: Decimal) -> Result<Self> {
        check_amount(
            due_balance,
            Decimal::ZERO,
            "refinanced_credit_operations.due_balance",
        )?;
        Ok(RefinancedOperation {
            due_balance,
            original_deadline: None,
            operation_key: None,
            accrual: None,
            contract: None,
        })
    }

    /// An operation given by the old loan's contract (`refinanced_credit_operations[].contract`):
    /// its balance on each disbursement option's date is the contract's present value
    /// ([`crate::present_value::present_value`], default options: installments due before the
    /// date paid, `calculate_spread` false as QI's refinancing asks), taken on the settlement date
    /// [`Conventions::refinancing_settlement`] gives. `due_balance` stays zero: the balance is
    /// computed per option.
    pub fn from_contract(contract: Contract) -> Self {
        RefinancedOperation {
            due_balance: Decimal::ZERO,
            original_deadline: None,
            operation_key: None,
            accrual: None,
            contract: Some(Box::new(contract)),
        }
    }

    /// The operation's own rate and disbursement date: `due_balance` is its balance on `since`,
    /// grown to each option's date at `rate`.
    pub fn accrues(mut self, rate: InterestRate, since: NaiveDate) -> Self {
        self.accrual = Some(Accrual { rate, since });
        self
    }

    /// The balance paid off by a loan disbursed on `date`: `due_balance` as given, or with an
    /// [`Accrual`] `round2(due_balance × G(days))`, `G` the growth of the operation's rate over the
    /// calendar days from its disbursement date to `date` (the crate's conventions,
    /// *Refinancing*); for an operation given by its contract, the contract's present value on the
    /// settlement date ([`Conventions::refinancing_settlement`]: `date` itself by default). The
    /// settlement switch moves only a contract's valuation date: a typed `due_balance` is the
    /// balance as given.
    ///
    /// # Errors
    /// [`Error::InvalidField`] when `date` is before the operation's disbursement date (errors of
    /// the contract's valuation name `{field}.contract…`); [`Error::Overflow`] beyond `Decimal`'s
    /// range.
    pub fn balance_on(
        &self,
        date: NaiveDate,
        conventions: &Conventions,
        field: &str,
    ) -> Result<Decimal> {
        if let Some(contract) = &self.contract {
            let on = conventions.refinancing_settlement.settlement_date(date)?;
            return contract_payoff(contract, on, &format!("{field}.contract"));
        }
        let Some(a) = self.accrual else {
            return Ok(self.due_balance);
        };
        let days = u32::try_from((date - a.since).num_days()).map_err(|_| {
            Error::out_of_range(
                format!("{field}.disbursement_date"),
                a.since,
                format!("must not be after the disbursement option {date}"),
            )
        })?;
        let g = a.rate.growth(days)?;
        Ok(round_cents(num::mul(self.due_balance, g, field)?))
    }

    /// `original_deadline`, echoed.
    pub fn original_deadline(mut self, days: u32) -> Self {
        self.original_deadline = Some(days);
        self
    }

    /// `operation_key`, echoed.
    pub fn operation_key(mut self, key: impl Into<String>) -> Self {
        self.operation_key = Some(key.into());
        self
    }
}

/// The payoff of `contract` on `on`: its present value ([`present_value`], default options:
/// installments due before `on` paid, no spread). Errors are named under `path` (a date before the
/// contract's disbursement names `path` itself).
///
/// # Errors
/// As [`present_value`].
pub(crate) fn contract_payoff(contract: &Contract, on: NaiveDate, path: &str) -> Result<Decimal> {
    let pv = present_value(contract, on, &PresentValueOptions::new()).map_err(|e| {
        e.rename_field(|f| {
            Some(if f == "date" {
                path.to_string()
            } else {
                format!("{path}.{f}")
            })
        })
    })?;
    Ok(pv.balance_due)
}

/// Largest amount accepted anywhere in a loan (BRL 10¹⁵): far beyond any loan, far below where the
/// arithmetic could overflow.
pub const MAX_AMOUNT: Decimal = Decimal::from_parts(2_764_472_320, 232_830, 0, false, 0);

/// Most refinanced operations one loan may pay off.
pub const MAX_REFINANCED: usize = 100;

/// The smallest amount a loan may have: one cent.
pub(crate) const CENT: Decimal = Decimal::from_parts(1, 0, 0, false, 2);

/// `value` when `min ≤ value ≤ MAX_AMOUNT` and it has at most two decimals (whole cents), else an
/// error naming `field`. The one place amount bounds and the cents rule are checked.
///
/// An amount with more decimals (`1000.005`) is refused with [`ErrorKind::Invalid`] rather than
/// rounded: QI prints money in cents, and a financial library must not silently price another
/// amount than the one asked (`disbursed_amount` 1000.001 would disburse 1000). Trailing zeros are
/// whole cents (`1000.500` is accepted).
///
/// [`ErrorKind::Invalid`]: crate::ErrorKind::Invalid
pub(crate) fn check_amount(value: Decimal, min: Decimal, field: &str) -> Result<Decimal> {
    if num::cmp(value, min).is_lt() {
        return Err(Error::out_of_range(
            field,
            value,
            if min.is_zero() {
                "must not be negative".to_string()
            } else {
                format!("must be at least {min}")
            },
        ));
    }
    if num::cmp(value, MAX_AMOUNT).is_gt() {
        return Err(Error::out_of_range(
            field,
            value,
            format!("must be at most {MAX_AMOUNT}"),
        ));
    }
    if value.scale() > 2 && value.normalize().scale() > 2 {
        return Err(Error::invalid(
            field,
            value,
            "money is in cents: at most two decimals (refused, not rounded)",
        ));
    }
    Ok(value)
}

impl From<NaiveDate> for FirstDue {
    fn from(d: NaiveDate) -> Self {
        FirstDue::Date(d)
    }
}

/// The typed loan request: QI's `financial` block, plus the refinanced operations.
///
/// Build it with [`LoanTerms::face_value`] or [`LoanTerms::disbursed`] and the chained setters; the
/// constructors check every bound, and [`simulate`] checks them again, so a loan changed field by
/// field gets the same errors as one read from JSON.
///
/// ```
/// use qitech_sim::prelude::*;
/// let rate = InterestRate::monthly("0.0205".parse()?, InterestBase::CalendarDays)?;
/// let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).ok_or("date");
/// let terms = LoanTerms::face_value(Decimal::from(100), 2, rate, d(2023, 3, 14)?, d(2023, 4, 7)?)?
///     .limit_days_to_disburse(3);
/// assert_eq!(simulate(&terms, &SimulationOptions::new())?.options.len(), 4);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LoanTerms {
    /// Face value, disbursed amount or issue amount.
    pub amount: Amount,
    /// The amortization system (`interest_type`); default `pre_price_days`.
    pub amortization: Amortization,
    /// The borrower's person type and Simples Nacional option, which choose the IOF rates.
    pub borrower: Borrower,
    /// `number_of_installments`, 1 to [`schedule::MAX_INSTALLMENTS`].
    pub number_of_installments: u32,
    /// The working rate and its base.
    pub rate: InterestRate,
    /// `disbursement_date`: the first disbursement option.
    pub disbursement_date: NaiveDate,
    /// `first_due_date` or `first_due_date_delay`.
    pub first_due: FirstDue,
    /// `limit_days_to_disburse`: options run from the disbursement date to this many days later
    /// (at most [`MAX_LIMIT_DAYS`]).
    pub limit_days_to_disburse: u32,
    /// Balances paid off by the loan (at most [`MAX_REFINANCED`]).
    pub refinanced: Vec<RefinancedOperation>,
    /// `financial.due_dates` (or the dates of `desired_installments`): the installments' due dates,
    /// replacing `first_due` and the monthly step; as many as `number_of_installments`.
    pub due_dates: Option<Vec<NaiveDate>>,
    /// `desired_installments[].total_amount`: each installment's total, due on the matching
    /// `due_dates` entry; the amount must then be [`Amount::InstallmentFaceValue`] of the first (the
    /// per-installment face values generalise the one face value).
    pub installment_totals: Option<Vec<Decimal>>,
    /// `principal_amortization_month_period` = `interest_payment_month_period`: months between
    /// installments (1 to [`MAX_MONTH_PERIOD`]; default 1).
    pub month_period: u32,
    /// `force_installments_on_workdays`: each due date moved to the next business day before days
    /// are counted (see the crate's conventions, *Dates and day counts*). A request's switch: the
    /// pricing folds it into [`crate::conventions::Conventions::move_due_dates`], the one field it
    /// reads.
    pub move_due_dates: bool,
    /// Request-side fees (`financial.rebates`), charged after the partner's configured ones.
    pub rebates: Pricing,
    /// Whether the rate's base was given explicitly (`financial.interest_base`): then it wins over
    /// the product's base ([`crate::conventions::Conventions::interest_base`]); a base from `fine_configuration`, or a
    /// typed loan's base by default, loses to it.
    pub explicit_interest_base: bool,
}

/// Most months between two installments (`principal_amortization_month_period`).
pub const MAX_MONTH_PERIOD: u32 = 12;

impl LoanTerms {
    /// A loan of `number_of_installments` installments of `installment_face_value` each (the payroll
    /// margin); the issue amount is their present value.
    ///
    /// # Errors
    /// [`Error::InvalidField`] for an amount below 0.01 or above [`MAX_AMOUNT`] or with more than
    /// two decimals (kind [`crate::ErrorKind::Invalid`]: money is in cents), an installment
    /// count outside 1..=[`schedule::MAX_INSTALLMENTS`], a fixed first due date not after the
    /// disbursement date, a delay of 0; [`Error::DateOutOfRange`] outside the calendar.
    pub fn face_value(
        installment_face_value: Decimal,
        number_of_installments: u32,
        rate: InterestRate,
        disbursement_date: NaiveDate,
        first_due: impl Into<FirstDue>,
    ) -> Result<Self> {
        Self::with_amount(
            Amount::InstallmentFaceValue(installment_face_value),
            number_of_installments,
            rate,
            disbursement_date,
            first_due.into(),
        )
    }

    /// A loan whose borrower must receive `disbursed_amount`: IOF and contract fees are financed on
    /// top (the issue amount is grossed up).
    ///
    /// # Errors
    /// As [`LoanTerms::face_value`].
    ///
    /// ```
    /// use qitech_sim::prelude::*;
    /// let rate = InterestRate::annual_rate("0.20983".parse()?, InterestBase::Workdays)?;
    /// let day = NaiveDate::from_ymd_opt(2023, 3, 17).ok_or("date")?;
    /// let terms = LoanTerms::disbursed("80492.95".parse()?, 1, rate, day, FirstDue::Delay(5))?;
    /// let quote = simulate(&terms, &SimulationOptions::new())?.first().clone();
    /// assert_eq!(quote.schedule.issue_amount.to_string(), "80833.26");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn disbursed(
        disbursed_amount: Decimal,
        number_of_installments: u32,
        rate: InterestRate,
        disbursement_date: NaiveDate,
        first_due: impl Into<FirstDue>,
    ) -> Result<Self> {
        Self::with_amount(
            Amount::Disbursed(disbursed_amount),
            number_of_installments,
            rate,
            disbursement_date,
            first_due.into(),
        )
    }

    /// A loan of `amount` (either mode).
    ///
    /// # Errors
    /// As [`LoanTerms::face_value`].
    pub fn with_amount(
        amount: Amount,
        number_of_installments: u32,
        rate: InterestRate,
        disbursement_date: NaiveDate,
        first_due: FirstDue,
    ) -> Result<Self> {
        let terms = Self::unvalidated(
            amount,
            number_of_installments,
            rate,
            disbursement_date,
            first_due,
        );
        terms.validate()?;
        Ok(terms)
    }

    /// The terms of [`LoanTerms::with_amount`] before its [`LoanTerms::validate`]: for a caller
    /// that hands them straight to [`simulate`], which validates its terms first (the same
    /// checks, so the same errors, without running them twice).
    pub(crate) fn unvalidated(
        amount: Amount,
        number_of_installments: u32,
        rate: InterestRate,
        disbursement_date: NaiveDate,
        first_due: FirstDue,
    ) -> Self {
        LoanTerms {
            amount,
            amortization: Amortization::PriceDays,
            borrower: Borrower::default(),
            number_of_installments,
            rate,
            disbursement_date,
            first_due,
            limit_days_to_disburse: 0,
            refinanced: vec![],
            due_dates: None,
            installment_totals: None,
            month_period: 1,
            move_due_dates: false,
            rebates: Pricing::default(),
            explicit_interest_base: false,
        }
    }

    /// `limit_days_to_disburse`: one disbursement option per day up to this many days after the
    /// disbursement date (checked by [`simulate`]: at most [`MAX_LIMIT_DAYS`]).
    pub fn limit_days_to_disburse(mut self, days: u32) -> Self {
        self.limit_days_to_disburse = days;
        self
    }

    /// Marks the rate's base as explicit (`financial.interest_base`): the product's base
    /// ([`crate::conventions::Conventions::interest_base`]) does not override it.
    pub fn explicit_interest_base(mut self, explicit: bool) -> Self {
        self.explicit_interest_base = explicit;
        self
    }

    /// Adds a refinanced operation whose balance the loan pays off.
    pub fn refinance(mut self, operation: RefinancedOperation) -> Self {
        self.refinanced.push(operation);
        self
    }

    /// The amortization system (`interest_type`): `pre_price_days` (default), `pre_price` or
    /// `pre_sac` (checked by [`LoanTerms::validate`]: `pre_sac` has no face-value mode).
    pub fn amortization(mut self, system: Amortization) -> Self {
        self.amortization = system;
        self
    }

    /// The borrower's person type (`borrower.person_type`, v2 `issuer_person_type`): legal persons
    /// are priced by the dated table [`crate::iof::REGIMES`] at each option's disbursement date.
    ///
    /// ```
    /// use qitech_sim::prelude::*;
    /// use qitech_sim::iof::PersonType;
    /// let rate = InterestRate::monthly("0.02".parse()?, InterestBase::CalendarDays)?;
    /// let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).ok_or("date");
    /// let terms = LoanTerms::with_amount(Amount::Issue(Decimal::from(10_000)), 1, rate,
    ///     d(2024, 3, 1)?, FirstDue::Date(d(2024, 3, 31)?))?.borrower(PersonType::Legal);
    /// let q = simulate(&terms, &SimulationOptions::new())?.first().clone();
    /// // 0.0041 % × 30 days + 0.38 % of 10,000: 12.30 + 38.00
    /// assert_eq!(q.iof.total.to_string(), "50.30");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn borrower(mut self, person_type: PersonType) -> Self {
        self.borrower.person_type = person_type;
        self
    }

    /// A legal-person borrower opting for the Simples Nacional (MEI included; the crate's request
    /// field `borrower.simples_nacional`): operations up to R$ 30,000 get the reduced daily rate.
    pub fn simples_nacional(mut self, opts_in: bool) -> Self {
        self.borrower.simples_nacional = opts_in;
        self
    }

    /// Explicit due dates (`financial.due_dates`), one per installment.
    pub fn due_dates(mut self, dates: Vec<NaiveDate>) -> Self {
        self.due_dates = Some(dates);
        self
    }

    /// Given installments (`financial.desired_installments`): `(total_amount, due_date)` each. Sets
    /// the due dates, the totals, the count, and the amount to the first total's face value.
    pub fn desired_installments(mut self, installments: &[(Decimal, NaiveDate)]) -> Self {
        self.due_dates = Some(installments.iter().map(|i| i.1).collect());
        self.installment_totals = Some(installments.iter().map(|i| i.0).collect());
        if let Some(first) = installments.first() {
            self.amount = Amount::InstallmentFaceValue(first.0);
        }
        self.number_of_installments = u32::try_from(installments.len()).unwrap_or(u32::MAX);
        self
    }

    /// Months between installments (`principal_amortization_month_period`).
    pub fn month_period(mut self, months: u32) -> Self {
        self.month_period = months;
        self
    }

    /// `force_installments_on_workdays`.
    pub fn move_due_dates(mut self, on: bool) -> Self {
        self.move_due_dates = on;
        self
    }

    /// Request-side fees (`financial.rebates`).
    pub fn rebates(mut self, rebates: Pricing) -> Self {
        self.rebates = rebates;
        self
    }

    /// QI's `operation_type`: `settlement_refinancing` when the loan pays off refinanced
    /// operations, else `structured_operation`.
    pub fn operation_type(&self) -> &'static str {
        if self.refinanced.is_empty() {
            "structured_operation"
        } else {
            "settlement_refinancing"
        }
    }

    /// The fixed first due date every option shares, if any (`first_due_date` or the first of
    /// `due_dates`).
    pub(crate) fn fixed_first_due(&self) -> Option<NaiveDate> {
        match (&self.due_dates, self.first_due) {
            (Some(d), _) => d.first().copied(),
            (None, FirstDue::Date(d)) => Some(d),
            (None, FirstDue::Delay(_) | FirstDue::OneMonth) => None,
        }
    }

    /// Checks every bound of the terms; [`simulate`] calls it first.
    ///
    /// # Errors
    /// The errors listed at [`LoanTerms::face_value`], and for `limit_days_to_disburse` above
    /// [`MAX_LIMIT_DAYS`], more than [`MAX_REFINANCED`] refinanced operations, or a refinanced
    /// balance out of range.
    pub fn validate(&self) -> Result<()> {
        match self.amount {
            Amount::InstallmentFaceValue(f) => {
                check_amount(f, CENT, field::INSTALLMENT_FACE_VALUE)?;
            }
            Amount::Disbursed(d) => {
                check_amount(d, CENT, field::DISBURSED_AMOUNT)?;
            }
            Amount::Issue(i) => {
                check_amount(i, CENT, field::AMOUNT)?;
            }
        }
        if let (Amount::InstallmentFaceValue(f), Amortization::Sac) =
            (self.amount, self.amortization)
        {
            return Err(Error::conflict(
                field::INSTALLMENT_FACE_VALUE,
                f,
                "pre_sac installments are not level: give disbursed_amount or amount",
            ));
        }
        if self.borrower.simples_nacional && self.borrower.person_type != PersonType::Legal {
            return Err(Error::conflict(
                "borrower.simples_nacional",
                true,
                "the Simples Nacional applies to legal persons (person_type legal)",
            ));
        }
        if self.number_of_installments == 0
            || self.number_of_installments > schedule::MAX_INSTALLMENTS
        {
            return Err(Error::out_of_range(
                field::NUMBER_OF_INSTALLMENTS,
                self.number_of_installments,
                format!("must be between 1 and {}", schedule::MAX_INSTALLMENTS),
            ));
        }
        crate::rate::check_plausible(self.rate.input(), field::PREFIX)?;
        crate::calendar::check_in_range(self.disbursement_date, field::DISBURSEMENT_DATE)?;
        match self.first_due {
            FirstDue::Date(d) => {
                crate::calendar::check_in_range(d, field::FIRST_DUE_DATE)?;
                if d <= self.disbursement_date {
                    return Err(Error::out_of_range(
                        field::FIRST_DUE_DATE,
                        d,
                        format!(
                            "must be after the disbursement date {}",
                            self.disbursement_date
                        ),
                    ));
                }
            }
            FirstDue::Delay(0) => {
                return Err(Error::out_of_range(
                    field::FIRST_DUE_DATE_DELAY,
                    0,
                    "must be at least 1",
                ));
            }
            FirstDue::Delay(_) | FirstDue::OneMonth => {}
        }
        if self.limit_days_to_disburse > MAX_LIMIT_DAYS {
            return Err(Error::out_of_range(
                field::LIMIT_DAYS_TO_DISBURSE,
                self.limit_days_to_disburse,
                format!("must be at most {MAX_LIMIT_DAYS}"),
            ));
        }
        if self.refinanced.len() > MAX_REFINANCED {
            return Err(Error::out_of_range(
                "refinanced_credit_operations",
                self.refinanced.len(),
                format!("at most {MAX_REFINANCED} operations"),
            ));
        }
        for (i, r) in self.refinanced.iter().enumerate() {
            check_amount(
                r.due_balance,
                Decimal::ZERO,
                &format!("refinanced_credit_operations[{i}].due_balance"),
            )?;
            if let Some(a) = r.accrual {
                crate::rate::check_plausible(
                    a.rate.input(),
                    &format!("refinanced_credit_operations[{i}]."),
                )?;
            }
        }
        if self.month_period == 0 || self.month_period > MAX_MONTH_PERIOD {
            return Err(Error::out_of_range(
                field::MONTH_PERIOD,
                self.month_period,
                format!("must be between 1 and {MAX_MONTH_PERIOD}"),
            ));
        }
        if let Some(dates) = &self.due_dates {
            if dates.len() != self.number_of_installments as usize {
                return Err(Error::conflict(
                    field::DUE_DATES,
                    dates.len(),
                    format!(
                        "{} due dates for number_of_installments {}",
                        dates.len(),
                        self.number_of_installments
                    ),
                ));
            }
            if self.month_period != 1 {
                return Err(Error::conflict(
                    field::MONTH_PERIOD,
                    self.month_period,
                    "explicit due dates already fix the installments' spacing",
                ));
            }
            let mut prev = self.disbursement_date;
            for (k, d) in dates.iter().enumerate() {
                let field = field::due_date(k);
                crate::calendar::check_in_range(*d, &field)?;
                if *d <= prev {
                    return Err(Error::out_of_range(
                        field,
                        d,
                        format!(
                            "must be after {prev} (the previous due date or the disbursement date)"
                        ),
                    ));
                }
                prev = *d;
            }
        }
        if self.installment_totals.is_some() && self.amortization != Amortization::PriceDays {
            return Err(Error::unsupported(
                field::DESIRED_INSTALLMENTS,
                self.amortization.as_str(),
                "given installments are priced on pre_price_days only (their split under \
                 pre_price or pre_sac is not documented)",
            ));
        }
        if self.month_period != 1 && self.amortization == Amortization::Price {
            return Err(Error::unsupported(
                field::MONTH_PERIOD,
                self.month_period,
                "pre_price compounds one monthly rate per period; periods of several months are \
                 not documented for it",
            ));
        }
        if let Some(totals) = &self.installment_totals {
            if self.due_dates.as_ref().map(Vec::len) != Some(totals.len()) {
                return Err(Error::conflict(
                    field::DESIRED_INSTALLMENTS,
                    totals.len(),
                    "each desired installment needs its due date",
                ));
            }
            if !matches!(self.amount, Amount::InstallmentFaceValue(_)) {
                return Err(Error::conflict(
                    field::DESIRED_INSTALLMENTS,
                    totals.len(),
                    "desired installments fix the loan's size: give no disbursed amount",
                ));
            }
            for (k, t) in totals.iter().enumerate() {
                check_amount(*t, CENT, &field::desired_total(k))?;
            }
        }
        Ok(())
    }
}

impl std::fmt::Debug for LoanTerms {
    // The derived format, with the system and the borrower only when they are not the defaults:
    // the response keys hash this text, and a `pre_price_days` natural-person loan keeps its key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = f.debug_struct("LoanTerms");
        d.field("amount", &self.amount);
        if self.amortization != Amortization::PriceDays {
            d.field("amortization", &self.amortization);
        }
        if self.borrower != Borrower::default() {
            d.field("borrower", &self.borrower);
        }
        d.field("number_of_installments", &self.number_of_installments)
            .field("rate", &self.rate)
            .field("disbursement_date", &self.disbursement_date)
            .field("first_due", &self.first_due)
            .field("limit_days_to_disburse", &self.limit_days_to_disburse)
            .field("refinanced", &self.refinanced);
        if self.explicit_interest_base {
            d.field("explicit_interest_base", &true);
        }
        d.finish()
    }
}

/// Most days a disbursement may be deferred (`limit_days_to_disburse`).
pub const MAX_LIMIT_DAYS: u32 = 60;
