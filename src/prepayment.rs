//! Partial prepayment (*amortização extraordinária*) of a contract on a date: the amount reduces
//! the balance, and the rest is rescheduled over the remaining due dates, keeping either the term
//! or the installment.
//!
//! QI documents no arithmetic for it; the crate applies Res. CMN 3.516/2007 (early settlement,
//! total or partial, with the remaining installments discounted at the contract's own rate),
//! stated as the crate's rule:
//! * the balance before is the contract's present value on the date
//!   ([`crate::present_value::present_value`], unrounded per installment here: `Σ total_j / G(D →
//!   due_j)` over the open installments), the balance after `B' = balance − amount`;
//! * [`Keep::Term`]: the same remaining due dates, a new level installment: the schedule of an
//!   issue of `round2(B')` disbursed on the date ([`schedule::from_issue`]);
//! * [`Keep::Installment`]: the same installment on the first `m` remaining dates, `m` the fewest
//!   whose present value reaches `B'`, the last one `round2(residue × G_m)`
//!   ([`schedule::given_installments`]).
//!
//! Both new schedules run from the date at the contract's rate and base, with the schedule's own
//! growth factors; the `qi-2023` profile's interest and last-installment rules (the default conventions) split
//! them.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::error::{Error, Result};
use crate::num::{self, round_cents};
use crate::present_value::{Contract, InstallmentState, PresentValueOptions, present_value};
use crate::schedule::{self, Amortization, Grid, Schedule};

/// What a partial prepayment keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Keep {
    /// The remaining due dates: the installment falls.
    Term,
    /// The installment: the term shortens.
    Installment,
}

/// A partial prepayment and the schedule that follows it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Prepayment {
    /// The date of the prepayment.
    pub date: NaiveDate,
    /// The amount prepaid.
    pub amount: Decimal,
    /// The balance before (the present value of the open installments, in cents).
    pub balance_before: Decimal,
    /// The balance after, in cents (the new schedule's issue amount).
    pub balance_after: Decimal,
    /// The new schedule, from the date.
    pub schedule: Schedule,
}

/// Prepays `amount` on `date` (see the module documentation); `options.paid` says which
/// installments are paid.
///
/// # Errors
/// [`Error::InvalidField`] on `prepay` for an amount ≤ 0 or not below the balance (a settlement),
/// on `date` when an installment is overdue or an open one is due on the date itself (pay it
/// first); `pre_sac` with [`Keep::Installment`] is refused (its installments are not level); any
/// error of [`present_value`].
pub fn prepay(
    contract: &Contract,
    date: NaiveDate,
    amount: Decimal,
    keep: Keep,
    options: &PresentValueOptions,
) -> Result<Prepayment> {
    let pv = present_value(contract, date, options)?;
    if pv
        .installments
        .iter()
        .any(|i| i.state == InstallmentState::Overdue)
    {
        return Err(Error::out_of_range(
            "date",
            date,
            "an installment is overdue on this date: pay it (--paid) before prepaying",
        ));
    }
    let open: Vec<_> = pv
        .installments
        .iter()
        .filter(|i| i.state == InstallmentState::Open)
        .map(|i| i.installment)
        .collect();
    if open.iter().any(|i| i.due_date == date) {
        return Err(Error::out_of_range(
            "date",
            date,
            "an open installment is due on this date: pay it (--paid) before prepaying",
        ));
    }
    if amount <= Decimal::ZERO || amount >= pv.balance_due {
        return Err(Error::out_of_range(
            "prepay",
            amount,
            format!(
                "must be positive and below the balance {} (the whole balance is a settlement)",
                pv.balance_due
            ),
        ));
    }
    const FIELD: &str = "prepay";
    let rate = &contract.rate;
    let due: Vec<NaiveDate> = open.iter().map(|i| i.due_date).collect();
    let periods = schedule::periods_from_dates(date, &due)?;
    let business = rate.base().counts_business_days();
    // 1/G(D → due_j), the schedule's own factors over the base days from the date.
    let mut workdays = 0_u32;
    let mut discounts = Vec::with_capacity(periods.len());
    for p in &periods {
        workdays = workdays.saturating_add(p.workdays);
        let days = if business {
            workdays
        } else {
            p.days_from_disbursement
        };
        discounts.push(num::div(Decimal::ONE, rate.growth(days)?, FIELD)?);
    }
    let mut balance = Decimal::ZERO;
    for (i, d) in open.iter().zip(&discounts) {
        balance = num::add(balance, num::mul(i.total_amount, *d, FIELD)?, FIELD)?;
    }
    let after = num::sub(balance, amount, FIELD)?;
    let schedule = match keep {
        Keep::Term => {
            let grid = Grid::for_system(rate, periods, contract.amortization)?;
            schedule::from_issue(&grid, round_cents(after))?
        }
        Keep::Installment => {
            if contract.amortization == Amortization::Sac {
                return Err(Error::unsupported(
                    "keep",
                    "installment",
                    "a pre_sac schedule has no level installment to keep",
                ));
            }
            let level = open[0].total_amount;
            let mut covered = Decimal::ZERO;
            let mut totals = Vec::new();
            for d in &discounts {
                let step = num::mul(level, *d, FIELD)?;
                if num::add(covered, step, FIELD)? >= after {
                    let last = round_cents(num::div(num::sub(after, covered, FIELD)?, *d, FIELD)?);
                    if last > Decimal::ZERO {
                        totals.push(last);
                    }
                    break;
                }
                covered = num::add(covered, step, FIELD)?;
                totals.push(level);
            }
            let mut kept = periods;
            kept.truncate(totals.len());
            let grid = Grid::for_system(rate, kept, contract.amortization)?;
            schedule::given_installments(&grid, &totals)?
        }
    };
    Ok(Prepayment {
        date,
        amount,
        balance_before: pv.balance_due,
        balance_after: schedule.issue_amount,
        schedule,
    })
}
