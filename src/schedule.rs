//! The price-days schedule (`pre_price_days`): due dates, day counts, present value, and the split of
//! each installment into interest and principal.
//!
//! Two modes, from qi-arithmetic.md §1–3 and domain.md decision 5:
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
//! installment and no fractional power at all.
//!
//! Negative amortization (a first period so long that its interest exceeds the installment) is legal
//! input: the schedule stays exact, the principal of that installment is negative and its IOF is zero
//! (domain.md decision 6).

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::calendar::{self, BrazilCalendar};
use crate::error::{Error, Result};
use crate::iof;
use crate::num::{self, round_cents, round_interest};
use crate::rate::InterestRate;

/// Most installments a schedule may have (50 years of monthly payments).
pub const MAX_INSTALLMENTS: u32 = 600;

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
    let cal = BrazilCalendar::national();
    let mut out = Vec::with_capacity(n as usize);
    let mut prev = disbursement_date;
    for k in 0..n {
        let due_date = calendar::add_months(first_due_date, k)?;
        let calendar_days = day_count(prev, due_date)?;
        let workdays = u32::try_from(cal.workdays(prev, due_date)?).unwrap_or(0);
        out.push(Period {
            number: k + 1,
            due_date,
            business_due_date: cal.following(due_date)?,
            calendar_days,
            workdays,
            days_from_disbursement: day_count(disbursement_date, due_date)?,
        });
        prev = due_date;
    }
    Ok(out)
}

fn day_count(from: NaiveDate, to: NaiveDate) -> Result<u32> {
    u32::try_from((to - from).num_days()).map_err(|_| {
        Error::invalid(
            "financial.first_due_date",
            to,
            "before the disbursement date",
        )
    })
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

    /// Σ of the installments' daily IOF.
    pub fn installment_taxes(&self) -> impl Iterator<Item = Decimal> + '_ {
        self.installments.iter().map(|i| i.tax_amount)
    }
}

/// The periods of a loan with their growth factors: everything the pricing needs that does not depend
/// on the amount, computed once and reused (the gross-up prices the same grid many times).
///
/// `g_k` is the growth over period k alone (memoised per day count: a monthly schedule has at most
/// four distinct calendar lengths), `1/G_k` the running discount from the disbursement to due date k.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grid {
    periods: Vec<Period>,
    growth: Vec<Decimal>,
    discount: Vec<Decimal>,
    discount_sum: Decimal,
}

impl Grid {
    /// Growth factors of `periods` at `rate`.
    ///
    /// # Errors
    /// [`Error::Overflow`] when a factor leaves `Decimal`'s range (absurd rate × term).
    pub fn new(rate: &InterestRate, periods: Vec<Period>) -> Result<Self> {
        let mut memo: Vec<(u32, Decimal, Decimal)> = Vec::with_capacity(8);
        let mut growth = Vec::with_capacity(periods.len());
        let mut discount = Vec::with_capacity(periods.len());
        let mut d = Decimal::ONE;
        let mut discount_sum = Decimal::ZERO;
        for p in &periods {
            let days = if rate.base().counts_business_days() {
                p.workdays
            } else {
                p.calendar_days
            };
            let (g, inv) = match memo.iter().find(|m| m.0 == days) {
                Some(&(_, g, inv)) => (g, inv),
                None => {
                    let g = rate.growth(days)?;
                    let inv = num::div(Decimal::ONE, g, "financial.interest_rate")?;
                    memo.push((days, g, inv));
                    (g, inv)
                }
            };
            d = num::mul(d, inv, "financial.interest_rate")?;
            discount_sum = num::add(discount_sum, d, "financial.interest_rate")?;
            growth.push(g);
            discount.push(d);
        }
        Ok(Grid {
            periods,
            growth,
            discount,
            discount_sum,
        })
    }

    /// The periods.
    pub fn periods(&self) -> &[Period] {
        &self.periods
    }

    /// `Σ 1/G_k`: the present value of an installment of 1 paid at every due date.
    pub fn discount_sum(&self) -> Decimal {
        self.discount_sum
    }

    /// `1/G_k` for each period.
    pub fn discounts(&self) -> &[Decimal] {
        &self.discount
    }
}

fn tax(principal: Decimal, p: &Period) -> Result<Decimal> {
    iof::installment_tax(principal, p.days_from_disbursement)
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
    let periods = grid.periods();
    let pv = num::mul(face_value, grid.discount_sum, FIELD)?;
    let issue_amount = round_cents(pv);
    let n = periods.len();
    let mut installments = Vec::with_capacity(n);
    let mut bal = pv;
    let mut due_principal = issue_amount;
    for (k, p) in periods.iter().enumerate() {
        let (interest, principal) = if k + 1 == n {
            let principal = round_interest(bal);
            (face_value - principal, principal)
        } else {
            let interest = round_interest(num::mul(bal, grid.growth[k] - Decimal::ONE, FIELD)?);
            (interest, face_value - interest)
        };
        installments.push(Installment {
            period: *p,
            due_principal,
            pre_fixed_amount: interest,
            principal_amortization_amount: principal,
            tax_amount: tax(principal, p)?,
            total_amount: face_value,
        });
        bal = num::sub(bal, principal, FIELD)?;
        due_principal = num::sub(due_principal, principal, FIELD)?;
    }
    Ok(Schedule {
        issue_amount,
        installments,
    })
}

/// Prices a loan of `issue_amount` (cents) in equal installments: `round2(I / Σ 1/G_k)`, interest on
/// the running balance, the last installment closing the balance.
///
/// # Errors
/// [`Error::InvalidField`] for an issue amount ≤ 0, [`Error::Overflow`] beyond `Decimal`'s range.
pub fn from_issue(grid: &Grid, issue_amount: Decimal) -> Result<Schedule> {
    const FIELD: &str = "financial.disbursed_amount";
    if issue_amount <= Decimal::ZERO {
        return Err(Error::invalid(FIELD, issue_amount, "must be positive"));
    }
    let periods = grid.periods();
    let pmt = round_cents(num::div(issue_amount, grid.discount_sum, FIELD)?);
    let n = periods.len();
    let mut installments = Vec::with_capacity(n);
    let mut bal = issue_amount;
    for (k, p) in periods.iter().enumerate() {
        let interest = num::mul(bal, grid.growth[k] - Decimal::ONE, FIELD)?;
        let total = if k + 1 == n {
            round_cents(num::add(bal, interest, FIELD)?)
        } else {
            pmt
        };
        let principal = num::sub(total, interest, FIELD)?;
        installments.push(Installment {
            period: *p,
            due_principal: bal,
            pre_fixed_amount: interest,
            principal_amortization_amount: principal,
            tax_amount: tax(principal, p)?,
            total_amount: total,
        });
        bal = num::sub(bal, principal, FIELD)?;
    }
    Ok(Schedule {
        issue_amount,
        installments,
    })
}
