//! The simulation: schedule, IOF, fees, CET and the change, for each possible disbursement date.
//!
//! [`LoanTerms`] is the typed form of QI's `financial` block (the [`crate::api`] layer translates the
//! JSON); [`SimulationOptions`] holds the knobs QI keeps on its side (the partner's pricing) and the
//! product decisions where the manuals are silent. [`simulate`] returns one [`Quote`] per
//! disbursement option; [`quote`] prices a single disbursement date.
//!
//! Amounts of a quote (qi-arithmetic.md §1–2, domain.md decisions 3–5):
//! * `disbursed_issue_amount = issue_amount − iof_amount − Σ contract fees`;
//! * `assignment_amount = issue_amount + Σ contract fees`;
//! * `final_disbursement_amount = disbursed_issue_amount − Σ refinanced due_balance` (the change);
//! * the CET on the borrower's flows: `disbursed_issue_amount` in, every `total_amount` out.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::calendar::BrazilCalendar;
use crate::cet::{self, Cet, Flow};
use crate::error::{Error, Result};
use crate::fees::{Fees, Pricing};
use crate::iof::Iof;
use crate::num::{self, round_cents};
use crate::rate::InterestRate;
use crate::schedule::{self, Grid, Schedule};

/// How the loan's size is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Amount {
    /// `installment_face_value`: every installment is this amount (payroll margin).
    InstallmentFaceValue(Decimal),
    /// `disbursed_amount`: what the borrower must receive; IOF and contract fees are financed on top.
    Disbursed(Decimal),
}

/// When the first installment is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FirstDue {
    /// `first_due_date`; the same date for every disbursement option.
    Date(NaiveDate),
    /// `first_due_date_delay`: this many days after each option's disbursement date, counted as
    /// [`SimulationOptions::delay_unit`] says.
    Delay(u32),
}

/// How `first_due_date_delay` is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DelayUnit {
    /// Calendar days: what QI's documented numbers show (2023-03-17 + 5 → 2023-03-22). Default.
    #[default]
    CalendarDays,
    /// Business days: what the manual's text says ("D+5 dias úteis").
    BusinessDays,
}

/// Which days between `disbursement_date` and `disbursement_date + limit_days_to_disburse` get an
/// option (domain.md decision 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OptionDays {
    /// Every calendar day, weekends included, as QI's four-option example lists them. Default.
    #[default]
    CalendarDays,
    /// Business days only.
    BusinessDays,
}

impl OptionDays {
    /// The policy's name in the response (`disbursement_options_policy`).
    pub fn as_str(self) -> &'static str {
        match self {
            OptionDays::CalendarDays => "calendar_days",
            OptionDays::BusinessDays => "business_days",
        }
    }
}

/// A refinanced operation (`refinanced_credit_operations[]`): the balance the new loan pays off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefinancedOperation {
    /// `due_balance`, BRL.
    pub due_balance: Decimal,
    /// `original_deadline`, days; echoed, changes no number (domain.md decision 7).
    pub original_deadline: Option<u32>,
    /// `operation_key`, echoed.
    pub operation_key: Option<String>,
}

/// The typed loan request: QI's `financial` block, plus the refinanced operations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoanTerms {
    /// Face value or disbursed amount.
    pub amount: Amount,
    /// `number_of_installments`, 1 to [`schedule::MAX_INSTALLMENTS`].
    pub number_of_installments: u32,
    /// The working rate and its base.
    pub rate: InterestRate,
    /// `disbursement_date`: the first disbursement option.
    pub disbursement_date: NaiveDate,
    /// `first_due_date` or `first_due_date_delay`.
    pub first_due: FirstDue,
    /// `limit_days_to_disburse`: options run from the disbursement date to this many days later.
    pub limit_days_to_disburse: u32,
    /// Balances paid off by the loan.
    pub refinanced: Vec<RefinancedOperation>,
}

/// Engine knobs that are not in QI's request, with chained setters. `Default` is QI's behaviour as
/// documented: no fees, calendar-day delay, one option per calendar day.
///
/// ```
/// use qitech_sim::{DelayUnit, OptionDays, SimulationOptions};
/// let opts = SimulationOptions::new()
///     .delay_unit(DelayUnit::BusinessDays)
///     .option_days(OptionDays::BusinessDays);
/// assert_eq!(opts.get_option_days(), OptionDays::BusinessDays);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SimulationOptions {
    pricing: Pricing,
    delay_unit: DelayUnit,
    option_days: OptionDays,
}

impl SimulationOptions {
    /// QI's documented behaviour, no fees.
    pub fn new() -> Self {
        Self::default()
    }

    /// The partner's pricing configuration.
    pub fn pricing(mut self, pricing: Pricing) -> Self {
        self.pricing = pricing;
        self
    }

    /// How `first_due_date_delay` is counted.
    pub fn delay_unit(mut self, unit: DelayUnit) -> Self {
        self.delay_unit = unit;
        self
    }

    /// Which days get a disbursement option.
    pub fn option_days(mut self, days: OptionDays) -> Self {
        self.option_days = days;
        self
    }

    /// The pricing configuration.
    pub fn get_pricing(&self) -> &Pricing {
        &self.pricing
    }

    /// The delay unit.
    pub fn get_delay_unit(&self) -> DelayUnit {
        self.delay_unit
    }

    /// The option-day policy.
    pub fn get_option_days(&self) -> OptionDays {
        self.option_days
    }
}

/// One priced loan: a disbursement option.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    /// This option's disbursement date.
    pub disbursement_date: NaiveDate,
    /// This option's first due date.
    pub first_due_date: NaiveDate,
    /// The schedule (issue amount and installments).
    pub schedule: Schedule,
    /// The IOF.
    pub iof: Iof,
    /// The fees charged.
    pub fees: Fees,
    /// `disbursed_issue_amount`.
    pub disbursed_issue_amount: Decimal,
    /// `assignment_amount`.
    pub assignment_amount: Decimal,
    /// Σ refinanced `due_balance`.
    pub refinanced_total: Decimal,
    /// `final_disbursement_amount`: the change the borrower receives (negative when the loan does not
    /// cover the refinanced balances; see [`Quote::shortfall`]).
    pub final_disbursement_amount: Decimal,
    /// The CET.
    pub cet: Cet,
}

impl Quote {
    /// How much the refinanced balances exceed what the loan disburses, if they do.
    pub fn shortfall(&self) -> Option<Decimal> {
        (self.final_disbursement_amount < Decimal::ZERO).then(|| -self.final_disbursement_amount)
    }
}

/// The result of a simulation: one quote per disbursement option, the first being the requested
/// disbursement date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Simulation {
    /// The options, in date order.
    pub options: Vec<Quote>,
    /// The policy that chose the option days.
    pub option_days: OptionDays,
}

impl Simulation {
    /// The first option (the requested disbursement date), whose numbers QI also prints at the top
    /// of `data`.
    pub fn first(&self) -> &Quote {
        &self.options[0]
    }
}

/// Prices every disbursement option of `terms` (domain.md decision 4).
///
/// The first option is always the requested `disbursement_date` (under the business-days policy it
/// must be a business day); later options are the following calendar days up to
/// `limit_days_to_disburse`, or only the business days among them.
///
/// # Errors
/// Any input error of [`quote`]; [`Error::InvalidField`] on `financial.disbursement_date` when the
/// business-days policy is asked for and that date is not a business day.
///
/// # Example
/// ```
/// use qitech_sim::{simulate, Amount, FirstDue, LoanTerms, SimulationOptions};
/// use qitech_sim::rate::{InterestBase, InterestRate, MonthlyRate, RateInput};
/// use chrono::NaiveDate;
/// use rust_decimal::Decimal;
///
/// let rate = InterestRate::new(
///     RateInput::Monthly(MonthlyRate::new("0.0205".parse()?, "monthly_interest_rate")?),
///     InterestBase::CalendarDays,
/// )?;
/// let terms = LoanTerms {
///     amount: Amount::InstallmentFaceValue(Decimal::from(100)),
///     number_of_installments: 2,
///     rate,
///     disbursement_date: NaiveDate::from_ymd_opt(2023, 3, 14).ok_or("date")?,
///     first_due: FirstDue::Date(NaiveDate::from_ymd_opt(2023, 4, 7).ok_or("date")?),
///     limit_days_to_disburse: 0,
///     refinanced: vec![],
/// };
/// let sim = simulate(&terms, &SimulationOptions::new())?;
/// let q = sim.first();
/// assert_eq!(q.schedule.issue_amount.to_string(), "194.80");
/// assert_eq!(q.iof.total.to_string(), "1.36");
/// assert_eq!(q.schedule.installments[0].pre_fixed_amount.to_string(), "3.1882715773");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn simulate(terms: &LoanTerms, options: &SimulationOptions) -> Result<Simulation> {
    let cal = BrazilCalendar::national();
    if options.option_days == OptionDays::BusinessDays
        && !cal.is_business_day(terms.disbursement_date)?
    {
        return Err(Error::invalid(
            "financial.disbursement_date",
            terms.disbursement_date,
            "not a business day, and the option policy keeps business days only",
        ));
    }
    if terms.limit_days_to_disburse > MAX_LIMIT_DAYS {
        return Err(Error::invalid(
            "financial.limit_days_to_disburse",
            terms.limit_days_to_disburse,
            format!("must be at most {MAX_LIMIT_DAYS}"),
        ));
    }
    let mut out = Vec::with_capacity(terms.limit_days_to_disburse as usize + 1);
    for offset in 0..=terms.limit_days_to_disburse {
        let date = terms
            .disbursement_date
            .checked_add_days(chrono::Days::new(u64::from(offset)))
            .ok_or_else(|| {
                Error::invalid("financial.limit_days_to_disburse", offset, "date overflow")
            })?;
        if options.option_days == OptionDays::BusinessDays && !cal.is_business_day(date)? {
            continue;
        }
        if let FirstDue::Date(first) = terms.first_due {
            if offset > 0 && first <= date {
                // This day is too late for the fixed first due date: no loan can start on it.
                continue;
            }
        }
        out.push(quote(terms, date, options)?);
    }
    Ok(Simulation {
        options: out,
        option_days: options.option_days,
    })
}

/// Most days a disbursement may be deferred (`limit_days_to_disburse`).
pub const MAX_LIMIT_DAYS: u32 = 60;

/// Prices the loan of `terms` disbursed on `disbursement_date`.
///
/// # Errors
/// [`Error::InvalidField`], [`Error::DateOutOfRange`], [`Error::Overflow`] for bad input,
/// [`Error::CetNoRoot`] when the fees and IOF leave the borrower nothing.
pub fn quote(
    terms: &LoanTerms,
    disbursement_date: NaiveDate,
    options: &SimulationOptions,
) -> Result<Quote> {
    let first_due_date = match terms.first_due {
        FirstDue::Date(d) => d,
        FirstDue::Delay(days) => due_after_delay(disbursement_date, days, options.delay_unit)?,
    };
    let periods = schedule::periods(
        disbursement_date,
        first_due_date,
        terms.number_of_installments,
    )?;
    let grid = Grid::new(&terms.rate, periods)?;
    let pricing = &options.pricing;
    let (schedule, iof) = match terms.amount {
        Amount::InstallmentFaceValue(f) => {
            let s = schedule::face_value(&grid, f)?;
            let iof = Iof::new(s.installment_taxes(), s.issue_amount)?;
            (s, iof)
        }
        Amount::Disbursed(d) => gross_up(&grid, d, pricing)?,
    };
    let issue = schedule.issue_amount;
    let fees = pricing.charge(issue)?;
    let contract = fees.contract_total();
    let disbursed_issue_amount = num::sub(
        num::sub(issue, iof.total, "iof_amount")?,
        contract,
        "contract_fees",
    )?;
    let assignment_amount = num::add(issue, contract, "contract_fees")?;
    let mut refinanced_total = Decimal::ZERO;
    for r in &terms.refinanced {
        refinanced_total = num::add(
            refinanced_total,
            r.due_balance,
            "refinanced_credit_operations.due_balance",
        )?;
    }
    let final_disbursement_amount = num::sub(
        disbursed_issue_amount,
        refinanced_total,
        "refinanced_credit_operations.due_balance",
    )?;
    let flows: Vec<Flow> = schedule
        .installments
        .iter()
        .map(|i| Flow {
            days: i.period.days_from_disbursement,
            amount: i.total_amount,
        })
        .collect();
    let cet = cet::solve(disbursed_issue_amount, &flows)?;
    Ok(Quote {
        disbursement_date,
        first_due_date,
        schedule,
        iof,
        fees,
        disbursed_issue_amount,
        assignment_amount,
        refinanced_total,
        final_disbursement_amount,
        cet,
    })
}

/// The first due date `delay` days after `date`, in calendar or business days.
///
/// # Errors
/// [`Error::DateOutOfRange`] beyond the calendar.
pub fn due_after_delay(date: NaiveDate, delay: u32, unit: DelayUnit) -> Result<NaiveDate> {
    match unit {
        DelayUnit::CalendarDays => date
            .checked_add_days(chrono::Days::new(u64::from(delay)))
            .ok_or_else(|| {
                Error::invalid("financial.first_due_date_delay", delay, "date overflow")
            }),
        DelayUnit::BusinessDays => {
            BrazilCalendar::national().add_business_days(date, i64::from(delay))
        }
    }
}

/// The most cent steps the gross-up may take after its first estimate; it needs a handful.
const GROSS_UP_MAX_STEPS: u32 = 10_000;

/// Disbursed-amount mode: the smallest cent issue amount `I` whose net `I − contract fees(I) −
/// round2(IOF(I))` reaches `disbursed` (domain.md decision 5; equality in about 99 % of loans).
///
/// The IOF is financed: it is part of the issue amount it is computed on, so `I` is a fixed point on
/// cents. The search starts from the linear estimate `disbursed / (1 − fee share − IOF share)` and
/// steps by cents; `net` moves by at most a couple of cents per cent of issue, so it takes a few steps.
///
/// # Errors
/// [`Error::InvalidField`] for a disbursed amount ≤ 0 or when fees and IOF take the whole loan.
pub fn gross_up(grid: &Grid, disbursed: Decimal, pricing: &Pricing) -> Result<(Schedule, Iof)> {
    const FIELD: &str = "financial.disbursed_amount";
    if disbursed <= Decimal::ZERO {
        return Err(Error::invalid(FIELD, disbursed, "must be positive"));
    }
    let disbursed = round_cents(disbursed);
    let cent = Decimal::new(1, 2);
    let price = |issue: Decimal| -> Result<(Schedule, Iof, Decimal)> {
        let s = schedule::from_issue(grid, issue)?;
        let iof = Iof::new(s.installment_taxes(), issue)?;
        let net = issue - pricing.contract_total(issue)? - iof.total;
        Ok((s, iof, net))
    };
    // Linear estimate from the cost shares at I = disbursed.
    let (_, _, net0) = price(disbursed)?;
    let share = Decimal::ONE - net0 / disbursed;
    if share >= Decimal::ONE {
        return Err(Error::invalid(
            FIELD,
            disbursed,
            "fees and IOF take the whole loan",
        ));
    }
    let mut issue = round_cents(num::div(disbursed, Decimal::ONE - share, FIELD)?).max(cent);
    let mut cur = price(issue)?;
    let mut steps = 0;
    // Up until the net reaches the target…
    while cur.2 < disbursed {
        let gap = (disbursed - cur.2).max(cent);
        issue = num::add(issue, round_cents(gap).max(cent), FIELD)?;
        cur = price(issue)?;
        steps += 1;
        if steps > GROSS_UP_MAX_STEPS {
            return Err(Error::invalid(
                FIELD,
                disbursed,
                "gross-up did not converge",
            ));
        }
    }
    // …then down while one cent less still reaches it.
    while issue > cent {
        let lower = price(issue - cent)?;
        if lower.2 < disbursed {
            break;
        }
        issue -= cent;
        cur = lower;
        steps += 1;
        if steps > GROSS_UP_MAX_STEPS {
            return Err(Error::invalid(
                FIELD,
                disbursed,
                "gross-up did not converge",
            ));
        }
    }
    Ok((cur.0, cur.1))
}
