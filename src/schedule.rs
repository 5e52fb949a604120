//! The price-days schedule (`pre_price_days`): due dates, day counts, present value, and the split of
//! each installment into interest and principal.
//!
//! Two modes (the crate's conventions, *Schedules*):
//!
//! **Face value** (payroll loans: the installment `F` is the borrower's margin):
//! * `PV = Σ F / G_k`, where `G_k` is the growth factor from the disbursement to `due_date_k`;
//!   `issue_amount = round2(PV)`;
//! * for k < n: `pre_fixed_k = round10(bal · (g_k − 1))`, `principal_k = F − pre_fixed_k`,
//!   `bal −= principal_k`, starting from the **unrounded** `bal₀ = PV` (`g_k` is the growth factor of
//!   period k alone);
//! * the last installment closes the balance: `principal_n = round10(bal)`, `pre_fixed_n = F − principal_n`;
//! * `due_principal_k = issue_amount − Σ_{j<k} principal_j` (from the **rounded** issue).
//!
//! **From an issue amount** (disbursed-amount mode, once the gross-up has fixed the issue `I`):
//! * `total = round2(I / Σ 1/G_k)` for every installment but the last;
//! * `pre_fixed_k = bal · (g_k − 1)`, unrounded (QI prints 183.5073246195304), `principal_k = total − pre_fixed_k`;
//! * the last closes the balance: `total_n = round2(bal · g_n)`, `principal_n = total_n − pre_fixed_n`, so
//!   Σ principal differs from `I` by less than a cent (80833.26267538047 for `I` = 80833.26).
//!
//! Growth factors come from the loan's [`InterestRate`]: calendar days on the calendar bases, business
//! days in (previous due date, due date] on `workdays`. Period factors are memoised per day count and
//! the discount `1/G_k` is a running product, so a schedule costs a few decimal operations per
//! installment and no fractional power at all. Those operations are rust_decimal's, bit for bit, run
//! on [`crate::num`]'s 128/192-bit kernels; `tests/exactness.rs` checks whole schedules against a
//! reference that takes every factor as a fractional power, as Python does.
//!
//! Negative amortization (a first period so long that its interest exceeds the installment) is legal
//! input: the schedule stays exact, the principal of that installment is negative and its IOF is zero
//! (the crate's conventions, *Schedules*).

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

use crate::calendar::{self, BrazilCalendar};
use crate::conventions::{Conventions, InterestDecimals, LastInstallment};
use crate::error::{Error, Result};
use crate::iof::{IofConventions, IofRule};
use crate::num::{self, round_cents, round_dp};
use crate::rate::InterestRate;

/// Most installments a schedule may have (50 years of monthly payments).
pub const MAX_INSTALLMENTS: u32 = 600;

/// The amortization system (`financial.interest_type`). Each system's formulas are documented on
/// the function that prices it ([`face_value`], [`from_issue`]).
///
/// | system | `interest_type` | growth ([`Grid::for_system`]) | installments |
/// |---|---|---|---|
/// | [`Amortization::PriceDays`] | `pre_price_days` | over the actual days, on the base | level (Price) |
/// | [`Amortization::Price`] | `pre_price` | per period at the monthly rate, days ignored | level (Price) |
/// | [`Amortization::Sac`] | `pre_sac` | over the actual days, on the base | constant principal (SAC) |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Amortization {
    /// `pre_price_days`: Price over the actual days of each period. Default.
    #[default]
    PriceDays,
    /// `pre_price`: Price at the monthly rate per period (QI's 2020 sandbox example,
    /// `fixtures/qi-examples/anaue-preprice-5000-2020.response.json`).
    Price,
    /// `pre_sac`: constant amortization (SAC), interest over the actual days of each period.
    Sac,
}

impl Amortization {
    /// QI's `interest_type` of the system.
    pub fn as_str(self) -> &'static str {
        match self {
            Amortization::PriceDays => "pre_price_days",
            Amortization::Price => "pre_price",
            Amortization::Sac => "pre_sac",
        }
    }

    /// The system of an `interest_type`, if the crate prices it.
    pub fn from_interest_type(s: &str) -> Option<Self> {
        match s {
            "pre_price_days" => Some(Amortization::PriceDays),
            "pre_price" => Some(Amortization::Price),
            "pre_sac" => Some(Amortization::Sac),
            _ => None,
        }
    }
}

/// The dates and day counts of one installment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// 1-based installment number.
    pub number: u32,
    /// Contractual due date: the first due date plus `number − 1` months, day of month kept (clamped).
    pub due_date: NaiveDate,
    /// `due_date`, or the next business day if it is not one.
    pub business_due_date: NaiveDate,
    /// Calendar days since the previous due date (the disbursement date for the first).
    pub calendar_days: u32,
    /// Business days in (previous due date, due date].
    pub workdays: u32,
    /// Calendar days from the disbursement to `due_date` (the IOF and CET day count).
    pub days_from_disbursement: u32,
}

/// The periods of `n` monthly installments from `first_due_date`, for a loan disbursed on
/// `disbursement_date`.
///
/// # Errors
/// * `n = 0` or `n > MAX_INSTALLMENTS`: [`Error::InvalidField`] on `financial.number_of_installments`;
/// * `first_due_date ≤ disbursement_date`: [`Error::InvalidField`] on `financial.first_due_date`;
/// * any date outside the calendar: [`Error::DateOutOfRange`].
pub fn periods(
    disbursement_date: NaiveDate,
    first_due_date: NaiveDate,
    n: u32,
) -> Result<Vec<Period>> {
    if n == 0 || n > MAX_INSTALLMENTS {
        return Err(Error::invalid(
            "financial.number_of_installments",
            n,
            format!("must be between 1 and {MAX_INSTALLMENTS}"),
        ));
    }
    if first_due_date <= disbursement_date {
        return Err(Error::invalid(
            "financial.first_due_date",
            first_due_date,
            format!("must be after the disbursement date {disbursement_date}"),
        ));
    }
    calendar::check_in_range(disbursement_date, "financial.disbursement_date")?;
    calendar::check_in_range(first_due_date, "financial.first_due_date")?;
    if calendar::add_months(first_due_date, n - 1).is_err() {
        return Err(Error::invalid(
            "financial.number_of_installments",
            n,
            format!(
                "the last installment would fall after {} (first due date {first_due_date})",
                calendar::MAX_DATE
            ),
        ));
    }
    match periods_fast(disbursement_date, first_due_date, n) {
        Some(out) => Ok(out),
        // Some date is outside the calendar: the step-by-step walk names it as it always has.
        // Every due date is in range (checked above): only the last one's business day can fall
        // after the calendar's end.
        None => Err(Error::invalid(
            "financial.number_of_installments",
            n,
            format!(
                "the last installment's business due date would fall after {}",
                calendar::MAX_DATE
            ),
        )),
    }
}

/// [`periods`] for dates inside the calendar: one business-day look-up and one day number per due
/// date (`calendar_days`, `workdays` and `days_from_disbursement` are differences of them, which is
/// what the day counts and the (from, to] business-day count are). `None` when any date is outside
/// the calendar.
fn periods_fast(
    disbursement_date: NaiveDate,
    first_due_date: NaiveDate,
    n: u32,
) -> Option<Vec<Period>> {
    let cal = BrazilCalendar::national();
    let (mut prev_through, _) = cal.count_through(disbursement_date, "").ok()?;
    let day0 = disbursement_date.num_days_from_ce();
    let mut prev_day = day0;
    let mut out = Vec::with_capacity(n as usize);
    for k in 0..n {
        let due_date = calendar::add_months(first_due_date, k).ok()?;
        let day = due_date.num_days_from_ce();
        let (through, business) = cal.count_through(due_date, "").ok()?;
        let business_due_date = if business {
            due_date
        } else {
            // `through` business days lie on or before the due date: ordinal `through` is the next.
            cal.nth_business_day(i64::from(through), "").ok()?
        };
        out.push(Period {
            number: k + 1,
            due_date,
            business_due_date,
            calendar_days: u32::try_from(day - prev_day).ok()?,
            workdays: through.checked_sub(prev_through)?,
            days_from_disbursement: u32::try_from(day - day0).ok()?,
        });
        prev_day = day;
        prev_through = through;
    }
    Some(out)
}

/// The periods of installments due on `due_dates` (strictly increasing, the first after
/// `disbursement_date`), for a loan disbursed on `disbursement_date`: the general form of
/// [`periods`], for an explicit `financial.due_dates` list, installments every k months, or due
/// dates moved to business days. Day counts are those of [`periods`]: calendar days since the
/// previous due date, business days in (previous due date, due date], calendar days from the
/// disbursement.
///
/// # Errors
/// * no dates, or more than [`MAX_INSTALLMENTS`]: [`Error::InvalidField`] on
///   `financial.number_of_installments`;
/// * a date not after the previous one (the disbursement date for the first):
///   [`Error::InvalidField`] on `financial.due_dates[k]`;
/// * any date outside the calendar: [`Error::DateOutOfRange`].
pub fn periods_from_dates(
    disbursement_date: NaiveDate,
    due_dates: &[NaiveDate],
) -> Result<Vec<Period>> {
    let n = due_dates.len();
    if n == 0 || n > MAX_INSTALLMENTS as usize {
        return Err(Error::invalid(
            "financial.number_of_installments",
            n,
            format!("must be between 1 and {MAX_INSTALLMENTS}"),
        ));
    }
    let cal = BrazilCalendar::national();
    calendar::check_in_range(disbursement_date, "financial.disbursement_date")?;
    let mut prev = disbursement_date;
    let mut out = Vec::with_capacity(n);
    for (k, &due_date) in due_dates.iter().enumerate() {
        let field = format!("financial.due_dates[{k}]");
        calendar::check_in_range(due_date, &field)?;
        if due_date <= prev {
            return Err(Error::invalid(
                field,
                due_date,
                format!("must be after {prev} (the previous due date or the disbursement date)"),
            ));
        }
        let workdays = u32::try_from(cal.workdays(prev, due_date)?)
            .map_err(|_| Error::invalid(field.clone(), due_date, "day count overflow"))?;
        let day_count = |from: NaiveDate| {
            u32::try_from((due_date - from).num_days())
                .map_err(|_| Error::invalid(field.clone(), due_date, "day count overflow"))
        };
        out.push(Period {
            number: u32::try_from(k + 1).unwrap_or(u32::MAX),
            due_date,
            business_due_date: cal.following(due_date)?,
            calendar_days: day_count(prev)?,
            workdays,
            days_from_disbursement: day_count(disbursement_date)?,
        });
        prev = due_date;
    }
    Ok(out)
}

/// One row of the schedule, with QI's field names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Installment {
    /// The installment's dates and day counts.
    pub period: Period,
    /// `due_principal`: the outstanding principal before this installment.
    pub due_principal: Decimal,
    /// `pre_fixed_amount`: the interest part.
    pub pre_fixed_amount: Decimal,
    /// `principal_amortization_amount`: the principal part (negative under negative amortization).
    pub principal_amortization_amount: Decimal,
    /// `tax_amount`: the installment's daily IOF, unrounded.
    pub tax_amount: Decimal,
    /// `total_amount`: what the borrower pays.
    pub total_amount: Decimal,
}

/// A priced schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    /// `issue_amount`, in cents.
    pub issue_amount: Decimal,
    /// The installments.
    pub installments: Vec<Installment>,
}

impl Schedule {
    /// `total_pre_fixed_amount`: Σ interest.
    pub fn total_pre_fixed_amount(&self) -> Decimal {
        self.installments.iter().map(|i| i.pre_fixed_amount).sum()
    }

    /// The borrower's payments as CET flows: each `total_amount` on its contractual `due_date`
    /// (calendar days from the disbursement).
    pub fn cet_flows(&self) -> Vec<crate::cet::Flow> {
        self.installments
            .iter()
            .map(|i| crate::cet::Flow {
                days: i.period.days_from_disbursement,
                amount: i.total_amount,
            })
            .collect()
    }

    /// Business days from the disbursement to each due date, in (disbursement, due date]: the
    /// running sum of the periods' `workdays` (v2 `workdays_to_disbursement`; 13 for 2024-09-06 →
    /// 09-25 in `fixtures/qi-examples/v2-sim-2025.response.json`).
    pub fn workdays_from_disbursement(&self) -> Vec<u32> {
        let mut total = 0u32;
        self.installments
            .iter()
            .map(|i| {
                total = total.saturating_add(i.period.workdays);
                total
            })
            .collect()
    }

    /// Σ of the installments' daily IOF.
    pub fn installment_taxes(&self) -> impl Iterator<Item = Decimal> + '_ {
        self.installments.iter().map(|i| i.tax_amount)
    }
}

/// The growth factor of each day count a loan uses, with its inverse and its rate part, computed
/// once per day count and shared by every grid of the loan (a monthly schedule has at most four
/// distinct calendar lengths plus the first period's; the disbursement options of one simulation
/// share all but that first one).
#[derive(Debug, Clone, Default)]
pub(crate) struct GrowthMemo {
    /// `(days, g, g − 1, 1/g)`.
    entries: Vec<(u32, Decimal, Decimal, Decimal)>,
}

impl GrowthMemo {
    /// `(g − 1, 1/g)` for `days` base days at `rate` (the memo belongs to that one rate):
    /// `g = day_factor^days` by [`InterestRate::growth`].
    fn get(&mut self, rate: &InterestRate, days: u32) -> Result<(Decimal, Decimal)> {
        if let Some(&(_, _, r, inv)) = self.entries.iter().find(|e| e.0 == days) {
            return Ok((r, inv));
        }
        let g = rate.growth(days)?;
        if g.is_zero() {
            return Err(rate.term_error());
        }
        let inv = num::div(Decimal::ONE, g, "").map_err(|_| rate.term_error())?;
        let r = num::sub(g, Decimal::ONE, "").map_err(|_| rate.term_error())?;
        self.entries.push((days, g, r, inv));
        Ok((r, inv))
    }
}

/// The periods of a loan with their growth factors: everything the pricing needs that does not depend
/// on the amount, computed once and reused (the gross-up prices the same grid many times).
///
/// `g_k` is the growth over period k alone (memoised per day count: a monthly schedule has at most
/// four distinct calendar lengths), `1/G_k` the running discount from the disbursement to due date k:
/// `1/G_k = 1/G_{k−1} × 1/g_k`, and `Σ 1/G_k` is summed in due-date order.
///
/// An engine internal, public for the crate's tests and benches only.
#[doc(hidden)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grid {
    periods: Vec<Period>,
    /// `g_k − 1`, the interest rate of period k.
    interest: Vec<Decimal>,
    /// `1/G_k`, the running discount to due date k.
    discounts: Vec<Decimal>,
    discount_sum: Decimal,
    /// The system the schedule is priced by.
    system: Amortization,
    /// The IOF rates of the loan.
    iof: IofRule,
    /// How the IOF is rounded.
    iof_rounding: IofConventions,
    /// Interest decimals (`None`: each system's own rule).
    interest_decimals: Option<InterestDecimals>,
    /// The last installment of an amount-driven schedule.
    last: LastInstallment,
}

impl Grid {
    /// Growth factors of `periods` at `rate`.
    ///
    /// # Errors
    /// [`Error::Overflow`] when a factor leaves `Decimal`'s range (absurd rate × term).
    pub fn new(rate: &InterestRate, periods: Vec<Period>) -> Result<Self> {
        Self::with_memo(rate, periods, &mut GrowthMemo::default())
    }

    /// [`Grid::new`], taking the growth factors from (and adding them to) `memo`, which must hold
    /// factors of this same `rate` only.
    pub(crate) fn with_memo(
        rate: &InterestRate,
        periods: Vec<Period>,
        memo: &mut GrowthMemo,
    ) -> Result<Self> {
        let business = rate.base().counts_business_days();
        let mut interest = Vec::with_capacity(periods.len());
        let mut discounts = Vec::with_capacity(periods.len());
        let mut d = Decimal::ONE;
        let mut discount_sum = Decimal::ZERO;
        for p in &periods {
            let days = if business {
                p.workdays
            } else {
                p.calendar_days
            };
            let (r, inv) = memo.get(rate, days)?;
            d = num::mul(d, inv, "").map_err(|_| rate.term_error())?;
            discount_sum = num::add(discount_sum, d, "").map_err(|_| rate.term_error())?;
            interest.push(r);
            discounts.push(d);
        }
        Ok(Grid {
            periods,
            interest,
            discounts,
            discount_sum,
            system: Amortization::PriceDays,
            iof: IofRule::NATURAL_FIXED,
            iof_rounding: IofConventions::default(),
            interest_decimals: None,
            last: LastInstallment::ClosesBalance,
        })
    }

    /// The grid of `system`: [`Grid::new`]'s growth over the actual days for `pre_price_days` and
    /// `pre_sac`; for `pre_price` the per-period growth `g_k = 1 + m` whatever the days, so
    /// `G_k = (1+m)^k`, with `m` = [`InterestRate::period_rate`] (QI's 2020 `pre_price` example:
    /// PMT = round2(5000 / ((1+m)^−1 + (1+m)^−2)) = 2900.95,
    /// `fixtures/qi-examples/anaue-preprice-5000-2020.response.json`).
    ///
    /// # Errors
    /// As [`Grid::new`].
    pub fn for_system(
        rate: &InterestRate,
        periods: Vec<Period>,
        system: Amortization,
    ) -> Result<Self> {
        Self::for_system_memo(rate, periods, system, &mut GrowthMemo::default())
    }

    pub(crate) fn for_system_memo(
        rate: &InterestRate,
        periods: Vec<Period>,
        system: Amortization,
        memo: &mut GrowthMemo,
    ) -> Result<Self> {
        const FIELD: &str = "financial.interest_rate";
        if system != Amortization::Price {
            let mut g = Self::with_memo(rate, periods, memo)?;
            g.system = system;
            return Ok(g);
        }
        let m = rate.period_rate()?;
        let inv = num::div(Decimal::ONE, num::add(Decimal::ONE, m, FIELD)?, FIELD)?;
        let mut d = Decimal::ONE;
        let mut discount_sum = Decimal::ZERO;
        let mut discounts = Vec::with_capacity(periods.len());
        for _ in &periods {
            d = num::mul(d, inv, FIELD)?;
            discount_sum = num::add(discount_sum, d, FIELD)?;
            discounts.push(d);
        }
        Ok(Grid {
            interest: vec![m; periods.len()],
            periods,
            discounts,
            discount_sum,
            system,
            iof: IofRule::NATURAL_FIXED,
            iof_rounding: IofConventions::default(),
            interest_decimals: None,
            last: LastInstallment::ClosesBalance,
        })
    }

    /// The grid priced with the IOF rates of `rule` (default: natural person, fixed).
    pub fn with_iof(mut self, rule: IofRule) -> Self {
        self.iof = rule;
        self
    }

    /// The grid priced under the schedule switches of `c`: `interest_decimals`,
    /// `last_installment` and the IOF rounding (`iof_parts`, `installment_tax_decimals`,
    /// `iof_rounding`). The growth switches are the rate's ([`InterestRate::with_conventions`]).
    pub fn with_conventions(mut self, c: &Conventions) -> Self {
        self.iof_rounding = IofConventions::of(c);
        self.interest_decimals = c.interest_decimals;
        self.last = c.last_installment;
        self
    }

    /// How the IOF is rounded.
    pub fn iof_rounding(&self) -> &IofConventions {
        &self.iof_rounding
    }

    /// The amortization system.
    pub fn system(&self) -> Amortization {
        self.system
    }

    /// The IOF rule.
    pub fn iof(&self) -> &IofRule {
        &self.iof
    }

    /// `g_k − 1`, the interest rate of each period.
    pub fn period_interest(&self) -> &[Decimal] {
        &self.interest
    }

    /// The periods.
    pub fn periods(&self) -> &[Period] {
        &self.periods
    }

    /// `Σ 1/G_k`: the present value of an installment of 1 paid at every due date.
    pub fn discount_sum(&self) -> Decimal {
        self.discount_sum
    }
}

/// The daily IOF of an installment of a loan of `issue_amount` on `grid`.
fn tax(grid: &Grid, issue_amount: Decimal, principal: Decimal, p: &Period) -> Result<Decimal> {
    let raw = grid
        .iof
        .rates_for(issue_amount)
        .installment_tax(principal, p.days_from_disbursement)?;
    Ok(grid.iof_rounding.installment(raw))
}

/// `x` at `dp` decimals, or as is (the one quantization of interest under `interest_decimals`).
fn quantize(x: Decimal, dp: Option<u32>) -> Decimal {
    match dp {
        Some(dp) => round_dp(x, dp),
        None => x,
    }
}

/// Face-value mode: installments of `face_value` each; the issue amount is their present value.
///
/// # Errors
/// [`Error::InvalidField`] for a face value ≤ 0, [`Error::Overflow`] for amounts or rates beyond
/// `Decimal`'s range.
pub fn face_value(grid: &Grid, face_value: Decimal) -> Result<Schedule> {
    const FIELD: &str = "financial.installment_face_value";
    if face_value <= Decimal::ZERO {
        return Err(Error::invalid(FIELD, face_value, "must be positive"));
    }
    // An overflow names the face value as given, not an intermediate balance.
    face_value_schedule(grid, face_value).map_err(|e| match e {
        Error::Overflow { .. } => Error::overflow(FIELD, face_value),
        other => other,
    })
}

fn face_value_schedule(grid: &Grid, face_value: Decimal) -> Result<Schedule> {
    const FIELD: &str = "financial.installment_face_value";
    match grid.system {
        Amortization::PriceDays => {}
        Amortization::Price => return price_face_value(grid, face_value),
        Amortization::Sac => {
            return Err(Error::conflict(
                FIELD,
                face_value,
                "pre_sac installments are not level: give disbursed_amount or amount",
            ));
        }
    }
    let pv = num::mul(face_value, grid.discount_sum, FIELD)?;
    split_present_value(grid, pv, |_| face_value, FIELD)
}

/// The schedule of installments whose totals are given (`total_of(k)`), worth `pv` at the
/// disbursement: `issue_amount = round2(pv)`; for k < n, `interest_k = round_dp(bal · (g_k − 1))`
/// and `principal_k = total_k − interest_k`; the last installment closes the balance,
/// `principal_n = round_dp(bal)`. `dp` and the starting balance: 10 decimals on the unrounded `pv`
/// (the seeds: SIAPE's 3.1882715773), or 8 or 2 on the rounded issue (the v2 rule,
/// `interest_decimals`). The one split of face-value and given-installment schedules.
fn split_present_value(
    grid: &Grid,
    pv: Decimal,
    total_of: impl Fn(usize) -> Decimal,
    field: &str,
) -> Result<Schedule> {
    let periods = grid.periods();
    let issue_amount = round_cents(pv);
    if issue_amount > crate::simulation::MAX_AMOUNT {
        // A negative rate discounts upwards: the present value of modest installments can pass
        // every amount bound (and the precision the schedule's identities need).
        return Err(Error::invalid(
            field,
            total_of(0),
            format!(
                "the installments' present value {issue_amount} exceeds the largest issue amount {}",
                crate::simulation::MAX_AMOUNT
            ),
        ));
    }
    let n = periods.len();
    let mut installments = Vec::with_capacity(n);
    let (dp, mut bal) = match grid.interest_decimals {
        None | Some(InterestDecimals::Ten) => (10, pv),
        Some(d) => (d.dp(), issue_amount),
    };
    let mut due_principal = issue_amount;
    for (k, (p, &r)) in periods.iter().zip(&grid.interest).enumerate() {
        let total = total_of(k);
        let (interest, principal) = if k + 1 == n {
            let principal = round_dp(bal, dp);
            (num::sub(total, principal, field)?, principal)
        } else {
            let interest = round_dp(num::mul(bal, r, field)?, dp);
            (interest, num::sub(total, interest, field)?)
        };
        installments.push(Installment {
            period: *p,
            due_principal,
            pre_fixed_amount: interest,
            principal_amortization_amount: principal,
            tax_amount: tax(grid, issue_amount, principal, p)?,
            total_amount: total,
        });
        bal = num::sub(bal, principal, field)?;
        due_principal = num::sub(due_principal, principal, field)?;
    }
    Ok(Schedule {
        issue_amount,
        installments,
    })
}

/// Given installments (`financial.desired_installments`): installment k is `totals[k]`, due on
/// the grid's k-th due date; the issue amount is their present value on the loan's base, split as
/// [`face_value`] splits equal installments (interest `round10(bal · (g_k − 1))` on the unrounded
/// running balance, the last installment closing the balance; the same split, so the interest
/// conventions apply alike). With equal totals it is [`face_value`] exactly.
///
/// # Errors
/// [`Error::InvalidField`] for a total ≤ 0 or a count that is not the grid's,
/// [`Error::Overflow`] beyond `Decimal`'s range.
pub fn given_installments(grid: &Grid, totals: &[Decimal]) -> Result<Schedule> {
    const FIELD: &str = "financial.desired_installments";
    let periods = grid.periods();
    if totals.len() != periods.len() {
        return Err(Error::invalid(
            FIELD,
            totals.len(),
            format!("expected {} installments", periods.len()),
        ));
    }
    if let Some(bad) = totals.iter().find(|t| **t <= Decimal::ZERO) {
        return Err(Error::invalid(
            FIELD,
            bad,
            "every total_amount must be positive",
        ));
    }
    // PV = Σ total_k / G_k; equal totals take face value's own product `F × Σ 1/G_k`, so that
    // the two modes agree to the last digit.
    let pv = if totals.iter().all(|t| *t == totals[0]) {
        num::mul(totals[0], grid.discount_sum, FIELD)?
    } else {
        let mut pv = Decimal::ZERO;
        for (&total, &d) in totals.iter().zip(&grid.discounts) {
            pv = num::add(pv, num::mul(total, d, FIELD)?, FIELD)?;
        }
        pv
    };
    split_present_value(grid, pv, |k| totals[k], FIELD)
}

/// Prices a loan of `issue_amount` (cents) by the grid's system: for `pre_price_days` equal
/// installments `round2(I / Σ 1/G_k)`, interest on the running balance, the last installment
/// closing the balance (the module's rule); for `pre_price` and `pre_sac` the rules documented on
/// their walks (`walk_price`, `walk_sac`, in this module's source).
///
/// # Errors
/// [`Error::InvalidField`] for an issue amount ≤ 0, [`Error::Overflow`] beyond `Decimal`'s range.
pub fn from_issue(grid: &Grid, issue_amount: Decimal) -> Result<Schedule> {
    let mut installments = Vec::with_capacity(grid.periods.len());
    walk_from_issue(grid, issue_amount, |i| installments.push(i))?;
    Ok(Schedule {
        issue_amount,
        installments,
    })
}

/// `Σ tax_amount` of [`from_issue`]`(grid, issue_amount)`, summed in installment order from zero
/// as [`crate::iof::Iof::new`] sums them, without building the schedule (the gross-up's trial
/// prices).
///
/// # Errors
/// As [`from_issue`].
pub(crate) fn from_issue_tax_sum(grid: &Grid, issue_amount: Decimal) -> Result<Decimal> {
    let mut sum = Decimal::ZERO;
    let mut overflow = false;
    walk_from_issue(grid, issue_amount, |i| {
        if !overflow {
            match num::add(sum, i.tax_amount, "tax_amount") {
                Ok(s) => sum = s,
                Err(_) => overflow = true,
            }
        }
    })?;
    if overflow {
        return Err(Error::overflow("tax_amount", sum));
    }
    Ok(sum)
}

/// The installments of [`from_issue`], in order, to `visit`, by the grid's system.
fn walk_from_issue(
    grid: &Grid,
    issue_amount: Decimal,
    visit: impl FnMut(Installment),
) -> Result<()> {
    match grid.system {
        Amortization::PriceDays => walk_price_days(grid, issue_amount, visit),
        Amortization::Price => walk_price(grid, issue_amount, visit),
        Amortization::Sac => walk_sac(grid, issue_amount, visit),
    }
}

/// `pre_price_days` from an issue amount (the module's "From an issue amount" rule).
fn walk_price_days(
    grid: &Grid,
    issue_amount: Decimal,
    mut visit: impl FnMut(Installment),
) -> Result<()> {
    const FIELD: &str = "financial.disbursed_amount";
    if issue_amount <= Decimal::ZERO {
        return Err(Error::invalid(FIELD, issue_amount, "must be positive"));
    }
    let periods = grid.periods();
    let n = periods.len();
    // One installment: the last closes the balance, so the level payment is never used.
    let pmt = if n > 1 {
        round_cents(num::div(issue_amount, grid.discount_sum, FIELD)?)
    } else {
        Decimal::ZERO
    };
    let dp = grid.interest_decimals.map(InterestDecimals::dp);
    let equal_last = grid.last == LastInstallment::EqualInstallment && n > 1;
    let mut bal = issue_amount;
    for (k, (p, &r)) in periods.iter().zip(&grid.interest).enumerate() {
        if k + 1 == n && equal_last {
            // The last installment equals the PMT; its interest absorbs the residue.
            if bal <= Decimal::ZERO {
                return Err(repaid_early(n, issue_amount, bal));
            }
            visit(Installment {
                period: *p,
                due_principal: bal,
                pre_fixed_amount: num::sub(pmt, bal, FIELD)?,
                principal_amortization_amount: bal,
                tax_amount: tax(grid, issue_amount, bal, p)?,
                total_amount: pmt,
            });
            break;
        }
        let interest = quantize(num::mul(bal, r, FIELD)?, dp);
        let total = if k + 1 == n {
            let last = round_cents(num::add(bal, interest, FIELD)?);
            if last <= Decimal::ZERO {
                // The cent rounding of the level installment, compounded over the term, has
                // already repaid the loan: no valid last installment exists.
                return Err(Error::invalid(
                    "financial.number_of_installments",
                    n,
                    format!(
                        "too many installments for {issue_amount}: the installment rounded to \
                         {pmt} repays the loan early and leaves a last installment of {last}"
                    ),
                ));
            }
            last
        } else {
            pmt
        };
        let principal = num::sub(total, interest, FIELD)?;
        // `total − interest` is exact unless it needs more digits than a decimal holds (a negative
        // interest with 28 digits makes the principal longer than the total): rust_decimal then
        // rounds the principal, and `principal + interest` misses the total by 1e-28. The interest
        // is then taken as `total − principal`, which is exact (shorter than the principal), so that
        // `total_amount = principal_amortization_amount + pre_fixed_amount` always holds.
        let interest = if num::add(principal, interest, FIELD)? == total {
            interest
        } else {
            num::sub(total, principal, FIELD)?
        };
        visit(Installment {
            period: *p,
            due_principal: bal,
            pre_fixed_amount: interest,
            principal_amortization_amount: principal,
            tax_amount: tax(grid, issue_amount, principal, p)?,
            total_amount: total,
        });
        bal = num::sub(bal, principal, FIELD)?;
    }
    Ok(())
}

/// The error of a schedule whose cent roundings repay the loan before its last installment.
fn repaid_early(n: usize, issue_amount: Decimal, last: Decimal) -> Error {
    Error::invalid(
        "financial.number_of_installments",
        n,
        format!(
            "too many installments for {issue_amount}: the rounded installments repay the loan \
             early and leave a last installment of {last}"
        ),
    )
}

/// `pre_price` from an issue amount `I` (QI's 2020 sandbox example,
/// `fixtures/qi-examples/anaue-preprice-5000-2020.response.json`, reproduced to the cent):
/// * `PMT = round2(I / Σ (1+m)^−k)` (2900.95 for 5000 at m = 3.32^(1/12) − 1);
/// * `interest_k = round2(bal × m)`, the balance carried in cents from `bal₀ = I` (525.84, then
///   276.05 on 2624.89); `principal_k = PMT − interest_k`;
/// * the last installment closes the balance: `principal_n = bal`, `total_n = bal + interest_n`
///   (2900.94);
/// * the IOF of each principal over its **calendar** days from the disbursement, as for
///   `pre_price_days`.
fn walk_price(
    grid: &Grid,
    issue_amount: Decimal,
    mut visit: impl FnMut(Installment),
) -> Result<()> {
    const FIELD: &str = "financial.amount";
    if issue_amount <= Decimal::ZERO {
        return Err(Error::invalid(FIELD, issue_amount, "must be positive"));
    }
    let n = grid.periods.len();
    let pmt = round_cents(num::div(issue_amount, grid.discount_sum, FIELD)?);
    let dp = grid.interest_decimals.map_or(2, InterestDecimals::dp);
    let equal_last = grid.last == LastInstallment::EqualInstallment && n > 1;
    let mut bal = issue_amount;
    for (k, (p, &m)) in grid.periods.iter().zip(&grid.interest).enumerate() {
        let interest = if k + 1 == n && equal_last {
            // The last installment equals the PMT; its interest absorbs the residue.
            if bal <= Decimal::ZERO {
                return Err(repaid_early(n, issue_amount, bal));
            }
            num::sub(pmt, bal, FIELD)?
        } else {
            round_dp(num::mul(bal, m, FIELD)?, dp)
        };
        let (principal, total) = if k + 1 == n {
            let total = num::add(bal, interest, FIELD)?;
            if total <= Decimal::ZERO {
                return Err(repaid_early(n, issue_amount, total));
            }
            (bal, total)
        } else {
            (num::sub(pmt, interest, FIELD)?, pmt)
        };
        visit(Installment {
            period: *p,
            due_principal: bal,
            pre_fixed_amount: interest,
            principal_amortization_amount: principal,
            tax_amount: tax(grid, issue_amount, principal, p)?,
            total_amount: total,
        });
        bal = num::sub(bal, principal, FIELD)?;
    }
    Ok(())
}

/// `pre_price` in face-value mode: installments of `F`; `issue = round2(Σ F/(1+m)^k)`; interest
/// `round2(bal × m)` on the balance in cents from the issue; the last installment closes the
/// balance and stays `F`: `principal_n = bal`, `interest_n = F − bal` (the crate's rule: QI
/// publishes no `pre_price` face-value example).
fn price_face_value(grid: &Grid, face_value: Decimal) -> Result<Schedule> {
    const FIELD: &str = "financial.installment_face_value";
    let issue_amount = round_cents(num::mul(face_value, grid.discount_sum, FIELD)?);
    let n = grid.periods.len();
    let mut installments = Vec::with_capacity(n);
    let dp = grid.interest_decimals.map_or(2, InterestDecimals::dp);
    let mut bal = issue_amount;
    for (k, (p, &m)) in grid.periods.iter().zip(&grid.interest).enumerate() {
        let (interest, principal) = if k + 1 == n {
            (num::sub(face_value, bal, FIELD)?, bal)
        } else {
            let interest = round_dp(num::mul(bal, m, FIELD)?, dp);
            (interest, num::sub(face_value, interest, FIELD)?)
        };
        installments.push(Installment {
            period: *p,
            due_principal: bal,
            pre_fixed_amount: interest,
            principal_amortization_amount: principal,
            tax_amount: tax(grid, issue_amount, principal, p)?,
            total_amount: face_value,
        });
        bal = num::sub(bal, principal, FIELD)?;
    }
    Ok(Schedule {
        issue_amount,
        installments,
    })
}

/// `pre_sac` from an issue amount `I`: the textbook constant-amortization rule (QI publishes no SAC
/// numbers; this is the crate's assumption, pinned by
/// `fixtures/systems/sac-12-10000-2024.response.derived.json`):
/// * `principal_k = round2(I / n)` for k < n, the last closing the balance
///   (`principal_n = I − (n − 1)·principal_1`), so Σ principal = `I` exactly;
/// * `interest_k = round2(bal × (g_k − 1))`, `g_k` the base's growth over the actual days of
///   period k (as `pre_price_days`), on the balance in cents;
/// * `total_k = principal_k + interest_k`; the IOF of each principal over its calendar days;
/// * every principal is at least a cent: an issue amount too small for `n` of them (a level
///   principal of 0.00, or a last one of 0.00 or below, as for 0.15 in 10) is refused as too
///   many installments.
fn walk_sac(grid: &Grid, issue_amount: Decimal, mut visit: impl FnMut(Installment)) -> Result<()> {
    const FIELD: &str = "financial.amount";
    if issue_amount <= Decimal::ZERO {
        return Err(Error::invalid(FIELD, issue_amount, "must be positive"));
    }
    let n = grid.periods.len();
    let count = Decimal::from(u32::try_from(n).unwrap_or(u32::MAX));
    let amortization = round_cents(num::div(issue_amount, count, FIELD)?);
    let sac_dp = grid.interest_decimals.map_or(2, InterestDecimals::dp);
    let mut bal = issue_amount;
    for (k, (p, &r)) in grid.periods.iter().zip(&grid.interest).enumerate() {
        let principal = if k + 1 == n { bal } else { amortization };
        if principal <= Decimal::ZERO {
            return Err(repaid_early(n, issue_amount, principal));
        }
        let interest = round_dp(num::mul(bal, r, FIELD)?, sac_dp);
        visit(Installment {
            period: *p,
            due_principal: bal,
            pre_fixed_amount: interest,
            principal_amortization_amount: principal,
            tax_amount: tax(grid, issue_amount, principal, p)?,
            total_amount: num::add(principal, interest, FIELD)?,
        });
        bal = num::sub(bal, principal, FIELD)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    fn grid_of(n: u32, system: Amortization, c: &Conventions) -> Grid {
        use crate::rate::{InterestBase, MonthlyRate, RateInput};
        let rate = InterestRate::new(
            RateInput::Monthly(MonthlyRate::new(Decimal::new(205, 4)).expect("rate")),
            InterestBase::CalendarDays,
        )
        .expect("rate");
        let p = periods(d(2023, 3, 14), d(2023, 4, 7), n).expect("periods");
        Grid::for_system(&rate, p, system)
            .expect("grid")
            .with_conventions(c)
    }

    fn switches(last: LastInstallment, dp: Option<InterestDecimals>) -> Conventions {
        Conventions {
            last_installment: last,
            interest_decimals: dp,
            ..Conventions::default()
        }
    }

    /// With one installment there is no level payment to repeat: `last_installment =
    /// equal_installment` prices it as the default rule does (the last closes the balance), at
    /// any interest decimals.
    #[test]
    fn one_installment_ignores_the_equal_last_rule() {
        let issue = Decimal::new(1_000_037, 2);
        for system in [Amortization::PriceDays, Amortization::Price] {
            for dp in [
                None,
                Some(InterestDecimals::Eight),
                Some(InterestDecimals::Two),
            ] {
                let closes = switches(LastInstallment::ClosesBalance, dp);
                let equal = switches(LastInstallment::EqualInstallment, dp);
                let a = from_issue(&grid_of(1, system, &closes), issue).expect("closes");
                let b = from_issue(&grid_of(1, system, &equal), issue).expect("equal");
                assert_eq!(a, b, "{} {dp:?}", system.as_str());
                let i = &a.installments[0];
                assert_eq!(
                    i.total_amount,
                    i.principal_amortization_amount + i.pre_fixed_amount
                );
            }
        }
    }

    /// `last_installment = equal_installment`: every installment, the last included, is the level
    /// payment; the last principal closes the balance and its interest absorbs the residue.
    #[test]
    fn the_equal_last_installment_is_the_level_payment() {
        let issue = Decimal::new(1_000_037, 2);
        for system in [Amortization::PriceDays, Amortization::Price] {
            let equal = switches(LastInstallment::EqualInstallment, None);
            let closes = switches(LastInstallment::ClosesBalance, None);
            let s = from_issue(&grid_of(12, system, &equal), issue).expect("equal");
            let c = from_issue(&grid_of(12, system, &closes), issue).expect("closes");
            let pmt = s.installments[0].total_amount;
            assert!(
                s.installments.iter().all(|i| i.total_amount == pmt),
                "{s:?}"
            );
            assert_eq!(s.installments[..11], c.installments[..11]);
            let last = &s.installments[11];
            assert_eq!(last.principal_amortization_amount, last.due_principal);
            assert_eq!(last.pre_fixed_amount, pmt - last.due_principal);
            let principal: Decimal = s
                .installments
                .iter()
                .map(|i| i.principal_amortization_amount)
                .sum();
            assert_eq!(principal, issue, "{}", system.as_str());
            assert_ne!(c.installments[11].total_amount, pmt, "{}", system.as_str());
        }
    }

    /// A SAC principal is at least a cent: 0.03 in 3 is 0.01 each; 0.02 in 3 (a last principal
    /// of 0.00), 0.02 in 5 (a level principal of 0.00) and 0.15 in 10 (level 0.02, last −0.03)
    /// are refused as too many installments.
    #[test]
    fn sac_principals_are_at_least_a_cent() {
        let c = Conventions::default();
        let s = from_issue(&grid_of(3, Amortization::Sac, &c), Decimal::new(3, 2)).expect("0.03");
        assert!(
            s.installments
                .iter()
                .all(|i| i.principal_amortization_amount == Decimal::new(1, 2))
        );
        for (issue, n) in [(2, 3), (2, 5), (15, 10)] {
            let r = from_issue(&grid_of(n, Amortization::Sac, &c), Decimal::new(issue, 2));
            assert_eq!(
                r.err()
                    .and_then(|e| e.field().map(str::to_owned))
                    .as_deref(),
                Some("financial.number_of_installments"),
                "{issue} in {n}"
            );
        }
    }

    /// Given installments that are all equal are the face-value schedule of that installment, to
    /// the last digit of every field.
    #[test]
    fn equal_given_installments_are_the_face_value_schedule() {
        for dp in [
            None,
            Some(InterestDecimals::Eight),
            Some(InterestDecimals::Two),
        ] {
            let c = switches(LastInstallment::ClosesBalance, dp);
            for n in [1, 2, 7, 96] {
                let g = grid_of(n, Amortization::PriceDays, &c);
                let total = Decimal::new(123_457, 2);
                let given = given_installments(&g, &vec![total; n as usize]).expect("given");
                assert_eq!(given, face_value(&g, total).expect("face"), "{n} {dp:?}");
            }
        }
    }

    /// The count bound of [`periods`] and [`periods_from_dates`] on its own (the request reader
    /// checks it first): 1 and 600 pass, 0 and 601 are refused.
    #[test]
    fn installment_counts_are_bounded_here_too() {
        let field = |r: Result<Vec<Period>>| r.err().and_then(|e| e.field().map(str::to_owned));
        let count = Some("financial.number_of_installments".to_owned());
        assert_eq!(
            periods(d(2023, 3, 14), d(2023, 4, 7), 1)
                .map(|p| p.len())
                .ok(),
            Some(1)
        );
        assert_eq!(
            periods(d(2023, 3, 14), d(2023, 4, 7), 600)
                .map(|p| p.len())
                .ok(),
            Some(600)
        );
        assert_eq!(field(periods(d(2023, 3, 14), d(2023, 4, 7), 0)), count);
        assert_eq!(field(periods(d(2023, 3, 14), d(2023, 4, 7), 601)), count);
        let dates: Vec<NaiveDate> = (0..601)
            .map(|k| d(2023, 4, 7) + chrono::Days::new(k))
            .collect();
        assert_eq!(
            periods_from_dates(d(2023, 3, 14), &dates[..600])
                .map(|p| p.len())
                .ok(),
            Some(600)
        );
        assert_eq!(field(periods_from_dates(d(2023, 3, 14), &dates)), count);
        assert_eq!(field(periods_from_dates(d(2023, 3, 14), &[])), count);
    }

    /// The last due date is `first + (n − 1)` months: a loan whose only installment falls in the
    /// calendar's last month is priced, one more installment leaves the calendar.
    #[test]
    fn the_last_due_date_is_n_minus_one_months_after_the_first() {
        assert!(periods(d(2099, 11, 1), d(2099, 12, 1), 1).is_ok());
        assert!(periods(d(2099, 10, 1), d(2099, 11, 1), 2).is_ok());
        assert!(periods(d(2099, 10, 1), d(2099, 11, 1), 3).is_err());
    }

    fn grid_at(monthly: Decimal, n: u32) -> Grid {
        use crate::rate::{InterestBase, MonthlyRate, RateInput};
        let rate = InterestRate::new(
            RateInput::Monthly(MonthlyRate::new(monthly).expect("rate")),
            InterestBase::CalendarDays,
        )
        .expect("rate");
        Grid::new(
            &rate,
            periods(d(2023, 3, 14), d(2023, 4, 7), n).expect("periods"),
        )
        .expect("grid")
    }

    /// `total_pre_fixed_amount` is Σ interest, which is Σ total − Σ principal (each total is its
    /// principal plus its interest).
    #[test]
    fn total_interest_is_the_totals_less_the_issue() {
        let s =
            face_value(&grid_at(Decimal::new(205, 4), 12), Decimal::from(500)).expect("schedule");
        let totals: Decimal = s.installments.iter().map(|i| i.total_amount).sum();
        let principals: Decimal = s
            .installments
            .iter()
            .map(|i| i.principal_amortization_amount)
            .sum();
        assert_eq!(s.total_pre_fixed_amount(), totals - principals);
        assert!(s.total_pre_fixed_amount() > Decimal::ZERO);
    }

    /// The present value may reach the largest issue amount, not pass it: at 0 % one installment
    /// of 10¹⁵ is an issue of 10¹⁵; at −20 % a month, 96 installments of 10¹³ are worth more and
    /// are refused.
    #[test]
    fn the_present_value_is_bounded_by_the_largest_issue() {
        let max = crate::simulation::MAX_AMOUNT;
        let s = face_value(&grid_at(Decimal::ZERO, 1), max).expect("at the bound");
        assert_eq!(s.issue_amount, max);
        let e = face_value(
            &grid_at(Decimal::new(-2, 1), 96),
            Decimal::from(10_000_000_000_000_i64),
        )
        .expect_err("above the bound");
        assert!(
            e.to_string().contains("exceeds the largest issue amount"),
            "{e}"
        );
    }
}
