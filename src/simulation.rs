//! The simulation: schedule, IOF, fees, CET and the change, for each possible disbursement date.
//!
//! [`LoanTerms`] is the typed form of QI's `financial` block (the [`crate::api`] layer translates the
//! JSON); [`SimulationOptions`] holds the knobs QI keeps on its side (the partner's pricing) and the
//! product decisions where the manuals are silent. [`simulate`] returns one [`Quote`] per
//! disbursement option; [`quote`] prices a single disbursement date.
//!
//! Amounts of a quote (see the crate's conventions, *Amounts of a quote*):
//! * `disbursed_issue_amount = issue_amount − iof_amount − Σ contract fees`;
//! * `assignment_amount = issue_amount + Σ contract fees`;
//! * `final_disbursement_amount = disbursed_issue_amount − Σ refinanced due_balance` (the change);
//! * the CET on the borrower's flows: `disbursed_issue_amount` in, every `total_amount` out.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::calendar::BrazilCalendar;
use crate::cet::{self, Cet};
use crate::conventions::{Conventions, InterestDecimals};
use crate::error::{Error, Result};
use crate::fees::Fees;
use crate::gross_up::priced;
use crate::iof::{Iof, IofRates, IofRule};
use crate::loan::field;
use crate::num;
use crate::rate::{InterestRate, PrefixedInterestRate};
use crate::schedule::{self, Amortization, Grid, GrowthMemo, Period, Schedule};

#[doc(hidden)]
pub use crate::gross_up::gross_up;
pub use crate::loan::{
    Accrual, Amount, FirstDue, LoanTerms, MAX_AMOUNT, MAX_LIMIT_DAYS, MAX_MONTH_PERIOD,
    MAX_REFINANCED, RefinancedOperation,
};
pub(crate) use crate::loan::{CENT, check_amount};
pub use crate::options::{DelayUnit, OptionDays, SimulationOptions};

/// One priced loan: a disbursement option. It carries every number QI's responses print for the
/// option, so that the JSON layer only formats.
///
/// Amounts (see the crate's conventions, "Amounts of a quote"):
/// * `disbursed_issue_amount = issue_amount − iof_amount − Σ deducted contract fees`;
/// * `assignment_amount = issue_amount + contract_fee_amount` (every contract fee, the
///   assignment-only ones included: [`crate::fees::FeeClass`]); under the
///   `assignment_includes_contract_fees: false` switch only the assignment-only fees
///   ([`crate::fees::Fees::assignment_fee_amount`]);
/// * `final_disbursement_amount = disbursed_issue_amount − refinanced_total` (the change);
/// * the CET on the borrower's flows: `disbursed_issue_amount` in, every `total_amount` out.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Quote {
    /// This option's disbursement date.
    pub disbursement_date: NaiveDate,
    /// This option's first due date.
    pub first_due_date: NaiveDate,
    /// The schedule (issue amount and installments).
    pub schedule: Schedule,
    /// `total_pre_fixed_amount`: Σ interest of the schedule.
    pub total_pre_fixed_amount: Decimal,
    /// The rates as the response prints them (`prefixed_interest_rate`).
    pub rate: PrefixedInterestRate,
    /// The IOF: its parts and its total (`iof_amount`).
    pub iof: Iof,
    /// The IOF rule the option was priced by (its regime's rates and legal basis).
    pub iof_rule: IofRule,
    /// The IOF rates of this loan under that rule (v2 `tax_configuration`).
    pub iof_rates: IofRates,
    /// The amortization system priced (`interest_type`).
    pub amortization: Amortization,
    /// The fees charged, one by one and totalled by kind.
    pub fees: Fees,
    /// `disbursed_issue_amount`: what the borrower receives before refinanced balances.
    pub disbursed_issue_amount: Decimal,
    /// `assignment_amount`.
    pub assignment_amount: Decimal,
    /// Σ refinanced balances on this option's date.
    pub refinanced_total: Decimal,
    /// Each refinanced operation's balance on this option's date (`due_balance`, grown when the
    /// operation carries its rate and disbursement date).
    pub refinanced_balances: Vec<Decimal>,
    /// `final_disbursement_amount`: the change the borrower receives (negative when the loan does not
    /// cover the refinanced balances; see [`Quote::change`]).
    pub final_disbursement_amount: Decimal,
    /// The change, or the shortfall when the refinanced balances exceed what the loan disburses.
    pub change: Change,
    /// The CET.
    pub cet: Cet,
}

impl Quote {
    /// How much the refinanced balances exceed what the loan disburses, if they do.
    pub fn shortfall(&self) -> Option<Decimal> {
        match self.change {
            Change::Shortfall(s) => Some(s),
            Change::Change(_) => None,
        }
    }
}

/// The outcome for the borrower of one disbursement option: `final_disbursement_amount` read as a
/// change or a shortfall.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// The borrower receives this much (≥ 0).
    Change(Decimal),
    /// The loan does not cover the refinanced balances: this much is missing.
    Shortfall(Decimal),
}

impl Change {
    /// The change of a `final_disbursement_amount`: a shortfall when it is negative.
    pub fn of(final_disbursement_amount: Decimal) -> Self {
        if final_disbursement_amount < Decimal::ZERO {
            Change::Shortfall(-final_disbursement_amount)
        } else {
            Change::Change(final_disbursement_amount)
        }
    }
}

/// The result of a simulation: one quote per disbursement option, the first being the requested
/// disbursement date. Only [`simulate`] builds one, so it always holds that first option.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Simulation {
    /// The options, in date order.
    pub options: Vec<Quote>,
    /// The policy that chose the option days.
    pub option_days: OptionDays,
}

impl Simulation {
    /// The first option (the requested disbursement date), whose numbers QI also prints at the top
    /// of `data`.
    ///
    /// Never panics: a `Simulation` comes from [`simulate`], which always holds the requested date's
    /// option (or is an error).
    pub fn first(&self) -> &Quote {
        &self.options[0]
    }
}

/// Prices every disbursement option of `terms` (see the crate's conventions, "Disbursement
/// options").
///
/// The first option is always the requested `disbursement_date` (under the business-days policy it
/// must be a business day); later options are the following calendar days up to
/// `limit_days_to_disburse`, or only the business days among them. With a fixed `first_due_date`, a
/// later day on or after that date gets no option (no loan can start there).
///
/// # Errors
/// Any error of [`LoanTerms::validate`] and of [`quote`]; [`Error::InvalidField`] on
/// `financial.disbursement_date` when the
/// business-days policy is asked for and that date is not a business day.
///
/// # Example
/// ```
/// use qitech_sim::prelude::*;
/// let rate = InterestRate::monthly("0.0205".parse()?, InterestBase::CalendarDays)?;
/// let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).ok_or("date");
/// let terms = LoanTerms::face_value(Decimal::from(100), 2, rate, d(2023, 3, 14)?, d(2023, 4, 7)?)?;
/// let sim = simulate(&terms, &SimulationOptions::new())?;
/// let q = sim.first();
/// assert_eq!(q.schedule.issue_amount.to_string(), "194.80");
/// assert_eq!(q.iof.total.to_string(), "1.36");
/// assert_eq!(q.schedule.installments[0].pre_fixed_amount.to_string(), "3.1882715773");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn simulate(terms: &LoanTerms, options: &SimulationOptions) -> Result<Simulation> {
    simulate_shaped(terms, options, false)
}

/// [`simulate`] for a summary ([`crate::api::SummaryResponse`]): every number the summary prints
/// is [`simulate`]'s, but a face-value quote priced by the fixed-scale walk keeps only its first
/// installment in its schedule (the one the summary prints), its IOF and interest totals summed as
/// the walk goes ([`schedule::face_value_summary`]).
///
/// # Errors
/// As [`simulate`].
pub(crate) fn simulate_summary(
    terms: &LoanTerms,
    options: &SimulationOptions,
) -> Result<Simulation> {
    simulate_shaped(terms, options, true)
}

/// [`simulate`], or [`simulate_summary`] when `summary`.
fn simulate_shaped(
    terms: &LoanTerms,
    options: &SimulationOptions,
    summary: bool,
) -> Result<Simulation> {
    terms.validate()?;
    let cal = BrazilCalendar::national();
    if options.option_days == OptionDays::BusinessDays
        && !cal.is_business_day(terms.disbursement_date)?
    {
        return Err(Error::out_of_range(
            field::DISBURSEMENT_DATE,
            terms.disbursement_date,
            "not a business day, and the option policy keeps business days only",
        ));
    }
    let mut out = Vec::with_capacity(terms.limit_days_to_disburse as usize + 1);
    let rate = effective_rate(terms, &options.conventions)?;
    let mut shared = Shared {
        summary,
        ..Shared::default()
    };
    let resolved = resolved_options(terms, options);
    let options = resolved.as_ref();
    let fixed_first_due = terms.fixed_first_due();
    for offset in 0..=terms.limit_days_to_disburse {
        let date = terms
            .disbursement_date
            .checked_add_days(chrono::Days::new(u64::from(offset)))
            .ok_or_else(|| {
                Error::out_of_range(field::LIMIT_DAYS_TO_DISBURSE, offset, "date overflow")
            })?;
        if options.option_days == OptionDays::BusinessDays && !cal.is_business_day(date)? {
            continue;
        }
        if let Some(first) = fixed_first_due
            && offset > 0
            && first <= date
        {
            // This day is too late for the fixed first due date: no loan can start on it.
            continue;
        }
        out.push(quote_shared(terms, &rate, date, options, &mut shared)?);
    }
    Ok(Simulation {
        options: out,
        option_days: options.option_days,
    })
}

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
    let resolved = resolved_options(terms, options);
    let options = resolved.as_ref();
    let rate = effective_rate(terms, &options.conventions)?;
    quote_shared(
        terms,
        &rate,
        disbursement_date,
        options,
        &mut Shared::default(),
    )
}

/// The options one loan is priced with, decided once per loan: the request's fees
/// ([`LoanTerms::rebates`]) after the partner's configured ones, and the request's
/// `force_installments_on_workdays` ([`LoanTerms::move_due_dates`]) folded into
/// [`Conventions::move_due_dates`], the one field the pricing reads (the configuration's
/// `conventions.move_due_dates` is already there). `options` itself when nothing changes.
fn resolved_options<'a>(
    terms: &LoanTerms,
    options: &'a SimulationOptions,
) -> std::borrow::Cow<'a, SimulationOptions> {
    let move_due_dates = terms.move_due_dates && !options.conventions.move_due_dates;
    if terms.rebates.is_empty() && !move_due_dates {
        return std::borrow::Cow::Borrowed(options);
    }
    let mut resolved = options
        .clone()
        .pricing(options.pricing.merged(&terms.rebates));
    if move_due_dates {
        resolved = resolved.move_due_dates(true);
    }
    std::borrow::Cow::Owned(resolved)
}

/// The working rate of `terms` under `conventions`: the product's base
/// ([`Conventions::interest_base`]) unless the loan's base is explicit, and the rate switches
/// ([`InterestRate::with_conventions`]); the loan's own rate when no switch changes it.
///
/// # Errors
/// As [`InterestRate::with_conventions`].
pub fn effective_rate(terms: &LoanTerms, conventions: &Conventions) -> Result<InterestRate> {
    let base = match conventions.interest_base {
        Some(b) if !terms.explicit_interest_base => b,
        _ => terms.rate.base(),
    };
    let qi_2023 = Conventions::default();
    if base == terms.rate.base()
        && conventions.calendar_days_growth == qi_2023.calendar_days_growth
        && conventions.rate_decimals == qi_2023.rate_decimals
        && conventions.daily_rate_base == qi_2023.daily_rate_base
        && conventions.annual_rate_decimals == qi_2023.annual_rate_decimals
    {
        return Ok(terms.rate);
    }
    InterestRate::with_conventions(terms.rate.input(), base, conventions)
}

/// What the disbursement options of one simulation have in common, kept from one option to the
/// next: the growth factors per day count (one rate), and, under a fixed `first_due_date`, the
/// periods, of which only the first one and the day counts from the disbursement differ.
#[derive(Debug, Default)]
struct Shared {
    memo: GrowthMemo,
    /// The CET's root `ln(1+i)` of the last option priced, where the next one's search starts.
    cet_start: Option<f64>,
    /// A disbursement date and its periods under [`FirstDue::Date`].
    periods: Option<(NaiveDate, Vec<Period>)>,
    /// Whether only what a summary prints is wanted ([`simulate_summary`]).
    summary: bool,
}

impl Shared {
    /// [`schedule::periods`]`(disbursement_date, first_due_date, n)`, derived from the periods of
    /// another disbursement date with the same first due date when there are some: every due date,
    /// business due date and period k ≥ 2 is the same; period 1 gets its own calendar days and
    /// workdays, and `days_from_disbursement` shifts by the days between the two disbursement dates.
    /// `shared`: the first due date is fixed and other options may follow (else the periods are
    /// computed and not kept).
    fn periods(
        &mut self,
        disbursement_date: NaiveDate,
        first_due_date: NaiveDate,
        n: u32,
        shared: bool,
    ) -> Result<Vec<Period>> {
        if !shared {
            return schedule::periods(disbursement_date, first_due_date, n);
        }
        if let Some((base_date, base)) = &self.periods
            && let Some(derived) =
                shift_periods(base, *base_date, disbursement_date, first_due_date)
        {
            return Ok(derived);
        }
        let p = schedule::periods(disbursement_date, first_due_date, n)?;
        self.periods = Some((disbursement_date, p.clone()));
        Ok(p)
    }
}

/// The periods of `base` (disbursed on `base_date`) as they are for a disbursement on `date`, the
/// first due date being the same; `None` when `date` is not before that first due date or is
/// outside the calendar (then [`schedule::periods`] reports it).
fn shift_periods(
    base: &[Period],
    base_date: NaiveDate,
    date: NaiveDate,
    first_due_date: NaiveDate,
) -> Option<Vec<Period>> {
    let first = base.first()?;
    if first.due_date != first_due_date || first_due_date <= date {
        return None;
    }
    let shift = (date - base_date).num_days();
    let calendar_days = u32::try_from((first_due_date - date).num_days()).ok()?;
    let workdays = BrazilCalendar::national()
        .workdays(date, first_due_date)
        .ok()
        .and_then(|w| u32::try_from(w).ok())?;
    let mut out = Vec::with_capacity(base.len());
    for p in base {
        let days = i64::from(p.days_from_disbursement) - shift;
        out.push(Period {
            days_from_disbursement: u32::try_from(days).ok()?,
            ..*p
        });
    }
    if let Some(p) = out.first_mut() {
        p.calendar_days = calendar_days;
        p.workdays = workdays;
    }
    Some(out)
}

/// [`quote`], reusing and extending what `shared` holds from the other options of the simulation.
fn quote_shared(
    terms: &LoanTerms,
    rate: &InterestRate,
    disbursement_date: NaiveDate,
    options: &SimulationOptions,
    shared: &mut Shared,
) -> Result<Quote> {
    // Decided once per loan by `resolved_options`: the pricing reads this field only.
    let move_due_dates = options.conventions.move_due_dates;
    let periods = if terms.due_dates.is_some() || terms.month_period != 1 || move_due_dates {
        schedule::periods_from_dates(
            disbursement_date,
            &due_dates(terms, disbursement_date, options.delay_unit, move_due_dates)?,
        )?
    } else {
        let first_due_date = match terms.first_due {
            FirstDue::Date(d) => d,
            FirstDue::Delay(days) => due_after_delay(disbursement_date, days, options.delay_unit)?,
            FirstDue::OneMonth => default_first_due_date(disbursement_date)?,
        };
        shared.periods(
            disbursement_date,
            first_due_date,
            terms.number_of_installments,
            matches!(terms.first_due, FirstDue::Date(_)) && terms.limit_days_to_disburse > 0,
        )?
    };
    let first_due_date = periods
        .first()
        .map(|p| p.due_date)
        .ok_or_else(|| Error::out_of_range(field::NUMBER_OF_INSTALLMENTS, 0, "no installment"))?;
    let iof_rule = IofRule::for_loan(terms.borrower, options.natural_iof, disbursement_date)?;
    let conventions = &options.conventions;
    refuse_uncented_installments(terms, conventions)?;
    let grid = Grid::for_system_memo(rate, periods, terms.amortization, &mut shared.memo)?
        .with_iof(iof_rule)
        .with_conventions(conventions);
    let pricing = &options.pricing;
    // A summary's face-value quote: the CET flows and the interest total, known without the
    // schedule's installments.
    let mut summarized = None;
    let (schedule, iof) = match (terms.amount, &terms.installment_totals) {
        (Amount::InstallmentFaceValue(_), Some(totals)) => {
            priced(&grid, schedule::given_installments(&grid, totals)?)?
        }
        (Amount::InstallmentFaceValue(f), None) => {
            match shared
                .summary
                .then(|| schedule::face_value_summary(&grid, f))
                .flatten()
            {
                Some((issue_amount, s)) => {
                    let rates = grid.iof().rates_for(issue_amount);
                    let iof = grid
                        .iof_rounding()
                        .iof_of_base(s.tax_sum, issue_amount, rates)?;
                    let flows = grid
                        .periods()
                        .iter()
                        .map(|p| schedule::cet_flow(p, f))
                        .collect();
                    summarized = Some((flows, s.interest_sum));
                    let installments = vec![s.first];
                    (
                        Schedule {
                            issue_amount,
                            installments,
                        },
                        iof,
                    )
                }
                None => priced(&grid, schedule::face_value(&grid, f)?)?,
            }
        }
        (Amount::Disbursed(d), _) => gross_up(&grid, d, pricing)?,
        (Amount::Issue(i), _) => priced(&grid, schedule::from_issue(&grid, i)?)?,
    };
    let issue = schedule.issue_amount;
    let fees = pricing.charge(issue)?;
    // Fees that with the IOF leave nothing to disburse: refused naming them, before the CET.
    fees.check_disbursed(issue, iof.total)?;
    let disbursed_issue_amount = num::sub(
        num::sub(issue, iof.total, "iof_amount")?,
        fees.deducted_fee_amount,
        "contract_fees",
    )?;
    let assignment_amount = num::add(
        issue,
        fees.assignment_fee_amount(conventions.assignment_includes_contract_fees)?,
        "contract_fees",
    )?;
    let mut refinanced_total = Decimal::ZERO;
    let mut refinanced_balances = Vec::with_capacity(terms.refinanced.len());
    for (i, r) in terms.refinanced.iter().enumerate() {
        let field = format!("refinanced_credit_operations[{i}]");
        let balance = r.balance_on(disbursement_date, conventions, &field)?;
        refinanced_total = num::add(
            refinanced_total,
            balance,
            "refinanced_credit_operations.due_balance",
        )?;
        refinanced_balances.push(balance);
    }
    let final_disbursement_amount = num::sub(
        disbursed_issue_amount,
        refinanced_total,
        "refinanced_credit_operations.due_balance",
    )?;
    // The first option's CET search starts at the contract's own annual rate, `x = ln(1 + a)`,
    // which the CET (the same flows less the IOF and fees) lies near; the answer does not depend
    // on the start (`cet::halley::monthly_fast_from`).
    if shared.cet_start.is_none() {
        shared.cet_start = Some(num::to_f64(rate.annual().value()).ln_1p());
    }
    let (flows, interest_sum) = match summarized {
        Some((flows, sum)) => (flows, Some(sum)),
        None => (schedule.cet_flows(), None),
    };
    let cet = cet::solve_with_start(
        disbursed_issue_amount,
        &flows,
        conventions,
        &mut shared.cet_start,
    )?;
    let total_pre_fixed_amount = match interest_sum {
        Some(sum) => sum,
        None => num::sum(
            schedule.installments.iter().map(|i| i.pre_fixed_amount),
            "pre_fixed_amount",
        )?,
    };
    Ok(Quote {
        disbursement_date,
        first_due_date,
        schedule,
        total_pre_fixed_amount,
        rate: rate.display(),
        iof,
        iof_rates: grid.iof().rates_for(issue),
        iof_rule,
        amortization: terms.amortization,
        fees,
        disbursed_issue_amount,
        assignment_amount,
        refinanced_total,
        refinanced_balances,
        final_disbursement_amount,
        change: Change::of(final_disbursement_amount),
        cet,
    })
}

/// The due dates of a loan disbursed on `date` outside the monthly fast path: the explicit
/// `due_dates`, or `first + k·month_period` months (day of month kept, clamped); each moved to the
/// business day on or after it when `move_due_dates`.
fn due_dates(
    terms: &LoanTerms,
    date: NaiveDate,
    unit: DelayUnit,
    move_due_dates: bool,
) -> Result<Vec<NaiveDate>> {
    let mut dates = match &terms.due_dates {
        Some(d) => d.clone(),
        None => {
            let first = match terms.first_due {
                FirstDue::Date(d) => d,
                FirstDue::Delay(days) => due_after_delay(date, days, unit)?,
                FirstDue::OneMonth => default_first_due_date(date)?,
            };
            let mut out = Vec::with_capacity(terms.number_of_installments as usize);
            for k in 0..terms.number_of_installments {
                let months = k.checked_mul(terms.month_period).ok_or_else(|| {
                    Error::out_of_range(
                        field::NUMBER_OF_INSTALLMENTS,
                        terms.number_of_installments,
                        "term too long",
                    )
                })?;
                out.push(crate::calendar::add_months(first, months).map_err(|_| {
                    Error::out_of_range(
                        field::NUMBER_OF_INSTALLMENTS,
                        terms.number_of_installments,
                        format!(
                            "the last installment would fall after {}",
                            crate::calendar::MAX_DATE
                        ),
                    )
                })?);
            }
            out
        }
    };
    if move_due_dates {
        let cal = BrazilCalendar::national();
        for d in &mut dates {
            *d = cal.following(*d)?;
        }
    }
    Ok(dates)
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
                Error::out_of_range(field::FIRST_DUE_DATE_DELAY, delay, "date overflow")
            }),
        // A delay beyond the calendar is the delay's error, not the calendar's.
        DelayUnit::BusinessDays => BrazilCalendar::national()
            .add_business_days(date, i64::from(delay))
            .map_err(|e| match e {
                Error::DateOutOfRange {
                    value, min, max, ..
                } => Error::DateOutOfRange {
                    field: field::FIRST_DUE_DATE_DELAY.into(),
                    value,
                    min,
                    max,
                },
                other => other,
            }),
    }
}

/// `pre_price` and `pre_sac` from an issue or disbursed amount carry their balance in cents and
/// add each interest to a principal in cents: `interest_decimals` of 8 or 10 would give
/// installments that are not in cents, a rule no QI material documents, so it is refused
/// (face value keeps every installment at the face value, and is priced).
fn refuse_uncented_installments(terms: &LoanTerms, conventions: &Conventions) -> Result<()> {
    let amount_driven = matches!(terms.amount, Amount::Disbursed(_) | Amount::Issue(_));
    match conventions.interest_decimals {
        Some(dp @ (InterestDecimals::Eight | InterestDecimals::Ten))
            if amount_driven && terms.amortization != Amortization::PriceDays =>
        {
            Err(Error::unsupported(
                "conventions.interest_decimals",
                dp.dp(),
                format!(
                    "{} from an issue or disbursed amount rounds interest to cents (installments                      in cents); interest at {} decimals is not documented for it",
                    terms.amortization.as_str(),
                    dp.dp()
                ),
            ))
        }
        _ => Ok(()),
    }
}

/// The default first due date ([`FirstDue::OneMonth`]) of a loan disbursed on `date`: the business
/// day on or after `date + 1 month` (day of month kept, clamped to the month's end).
///
/// # Errors
/// [`Error::DateOutOfRange`] beyond the calendar.
///
/// ```
/// use qitech_sim::{NaiveDate, simulation::default_first_due_date};
/// let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).ok_or("date");
/// assert_eq!(default_first_due_date(d(2020, 8, 6)?)?, d(2020, 9, 8)?);
/// assert_eq!(default_first_due_date(d(2026, 4, 7)?)?, d(2026, 5, 7)?);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn default_first_due_date(date: NaiveDate) -> Result<NaiveDate> {
    let month_later = crate::calendar::add_months(date, 1)?;
    BrazilCalendar::national().following(month_later)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("date")
    }

    /// A summary's simulation is the simulation, each quote's schedule cut to its first
    /// installment: face-value loans at random rates, dates, terms and amounts, one to four
    /// options, under each IOF rounding of a `tax_amount` and the interest's quantization (whose
    /// 8 decimals the summary's walk does not take: priced in full there). Every other field of
    /// every quote (IOF, `total_pre_fixed_amount`, CET, fees, amounts) is the same, bit for bit.
    #[test]
    fn a_summarys_simulation_is_the_simulation_cut_to_first_installments() {
        use crate::conventions::IofRounding;
        use crate::num::tests::against_rust_decimal::Rng;
        use crate::rate::{InterestBase, MonthlyRate, RateInput};
        let mut r = Rng(0x5eed_0a11);
        let (mut compared, mut cut_short) = (0, 0);
        for i in 0..300 {
            let mut c = Conventions::default();
            match i % 4 {
                0 => {}
                1 => c.installment_tax_decimals = Some(8),
                2 => c.iof_rounding = IofRounding::PerInstallment,
                _ => c.interest_decimals = Some(InterestDecimals::Eight),
            }
            let base = [InterestBase::CalendarDays, InterestBase::Workdays][i % 2];
            let monthly =
                MonthlyRate::new(Decimal::new(r.range(1, 60_000) as i64, 6)).expect("rate");
            let rate = InterestRate::new(RateInput::Monthly(monthly), base).expect("rate");
            let start = date(2023, 1, 2) + chrono::Days::new(r.range(0, 900));
            let first = start + chrono::Days::new(r.range(20, 70));
            let face = Decimal::new(r.range(100, 5_000_000) as i64, 2);
            let n = r.range(1, 130) as u32;
            let Ok(terms) = LoanTerms::face_value(face, n, rate, start, first) else {
                continue;
            };
            let terms = terms.limit_days_to_disburse(r.range(0, 3) as u32);
            let options = SimulationOptions::new().conventions(c);
            let full = simulate(&terms, &options);
            let summary = simulate_summary(&terms, &options);
            let (full, summary) = match (full, summary) {
                (Ok(f), Ok(s)) => (f, s),
                (Err(f), Err(s)) => {
                    assert_eq!(f.to_string(), s.to_string());
                    continue;
                }
                (f, s) => panic!("{f:?}\n{s:?}"),
            };
            assert_eq!(full.options.len(), summary.options.len());
            compared += 1;
            for (f, s) in full.options.iter().zip(&summary.options) {
                if f.schedule.installments.len() > s.schedule.installments.len() {
                    cut_short += 1;
                }
                let mut cut = f.clone();
                cut.schedule.installments.truncate(1);
                let mut s = s.clone();
                s.schedule.installments.truncate(1);
                assert_eq!(cut, s, "{i}");
                for (a, b) in [
                    (f.iof.base, s.iof.base),
                    (f.iof.total, s.iof.total),
                    (f.total_pre_fixed_amount, s.total_pre_fixed_amount),
                    (f.cet.annual, s.cet.annual),
                ] {
                    assert_eq!(a.serialize(), b.serialize(), "{i}: {a} vs {b}");
                }
            }
        }
        // The summary's walk priced most of them (not the 8-decimal interest, nor one installment).
        assert!(compared > 250 && cut_short > 300, "{compared} {cut_short}");
    }

    /// A `final_disbursement_amount` of exactly 0 is a change of 0, not a shortfall.
    #[test]
    fn a_zero_final_disbursement_is_a_change() {
        assert_eq!(Change::of(Decimal::ZERO), Change::Change(Decimal::ZERO));
        assert_eq!(
            Change::of(Decimal::new(-1, 2)),
            Change::Shortfall(Decimal::new(1, 2))
        );
        assert_eq!(
            Change::of(Decimal::new(1, 2)),
            Change::Change(Decimal::new(1, 2))
        );
    }

    /// The periods of an option shifted from the requested date's are the periods computed for
    /// that date; a different first due date, or a date on or after it, gives `None`.
    #[test]
    fn shifted_periods_are_the_periods_of_the_date() {
        let (base_date, first_due) = (date(2023, 3, 14), date(2023, 4, 7));
        for n in [1, 2, 12] {
            let base = schedule::periods(base_date, first_due, n).expect("periods");
            for date in [date(2023, 3, 10), date(2023, 3, 15), date(2023, 4, 6)] {
                assert_eq!(
                    shift_periods(&base, base_date, date, first_due),
                    Some(schedule::periods(date, first_due, n).expect("periods")),
                    "{n} {date}"
                );
            }
            assert_eq!(shift_periods(&base, base_date, first_due, first_due), None);
            assert_eq!(
                shift_periods(&base, base_date, date(2023, 4, 8), first_due),
                None
            );
            assert_eq!(
                shift_periods(&base, base_date, date(2023, 3, 20), date(2023, 4, 10)),
                None
            );
        }
    }
}
