//! The three walks: face value, given installments and from an issue amount, under
//! `pre_price_days`, `pre_price` and `pre_sac`.

use rust_decimal::Decimal;

use super::fixed::WalkSummary;
use super::{Amortization, Grid, Installment, Period, Schedule};
use crate::conventions::{InterestDecimals, LastInstallment};
use crate::error::{Error, Result};
use crate::iof::IofRates;
use crate::loan::field;
use crate::num::{self, round_cents, round_dp};

/// The daily IOF of an installment of a loan of `issue_amount` on `grid`.
pub(super) fn tax(
    grid: &Grid,
    issue_amount: Decimal,
    principal: Decimal,
    p: &Period,
) -> Result<Decimal> {
    let raw = grid
        .iof
        .rates_for(issue_amount)
        .installment_tax(principal, p.days_from_disbursement)?;
    Ok(grid.iof_rounding.installment(raw))
}

/// [`tax`] of the principal the fixed-scale walk carries (its signed mantissa `m` at 10 decimals,
/// and the same value as a `Decimal`), with `rates` those of the loan's issue amount: the product
/// on the mantissa where [`IofRates::installment_tax_fixed`] answers, the `Decimal` product
/// elsewhere (the same bits either way).
#[inline(always)]
pub(super) fn tax_fixed(
    grid: &Grid,
    rates: IofRates,
    m: i128,
    principal: Decimal,
    p: &Period,
) -> Result<Decimal> {
    let days = p.days_from_disbursement;
    let raw = match rates.installment_tax_fixed(m.unsigned_abs(), m < 0, 10, days) {
        Some(raw) => raw,
        None => rates.installment_tax(principal, days)?,
    };
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
    const FIELD: &str = field::INSTALLMENT_FACE_VALUE;
    if face_value <= Decimal::ZERO {
        return Err(Error::out_of_range(FIELD, face_value, "must be positive"));
    }
    // An overflow names the face value as given, not an intermediate balance.
    face_value_schedule(grid, face_value).map_err(|e| match e {
        Error::Overflow { .. } => Error::overflow(FIELD, face_value),
        other => other,
    })
}

fn face_value_schedule(grid: &Grid, face_value: Decimal) -> Result<Schedule> {
    const FIELD: &str = field::INSTALLMENT_FACE_VALUE;
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
    split_present_value(grid, pv, |_| face_value, true, FIELD)
}

/// The schedule of installments whose totals are given (`total_of(k)`), worth `pv` at the
/// disbursement: `issue_amount = round2(pv)`; for k < n, `interest_k = round_dp(bal · (g_k − 1))`
/// and `principal_k = total_k − interest_k`; the last installment closes the balance,
/// `principal_n = round_dp(bal)`. `dp` and the starting balance: 10 decimals on the unrounded `pv`
/// (profile `qi-2023`: SIAPE's 3.1882715773), or 8 or 2 on the rounded issue (the v2 rule,
/// `interest_decimals`). The one split of face-value and given-installment schedules; `level`
/// when every total is the first (a face value).
fn split_present_value(
    grid: &Grid,
    pv: Decimal,
    total_of: impl Fn(usize) -> Decimal,
    level: bool,
    field: &str,
) -> Result<Schedule> {
    let issue_amount = round_cents(pv);
    if issue_amount > crate::simulation::MAX_AMOUNT {
        // A negative rate discounts upwards: the present value of modest installments can pass
        // every amount bound (and the precision the schedule's identities need).
        return Err(Error::out_of_range(
            field,
            total_of(0),
            format!(
                "the installments' present value {issue_amount} exceeds the largest issue amount {}",
                crate::simulation::MAX_AMOUNT
            ),
        ));
    }
    let (dp, bal) = match grid.interest_decimals {
        None | Some(InterestDecimals::Ten) => (10, pv),
        Some(d) => (d.dp(), issue_amount),
    };
    if dp == 10 && !forward_walk_is_stable(grid) {
        let installments =
            split_by_balances(grid, round_dp(pv, 10), issue_amount, dp, total_of, field)?;
        return Ok(Schedule {
            issue_amount,
            installments,
        });
    }
    if dp == 10 {
        let rates = grid.iof.rates_for(issue_amount);
        let tax_of = |m, principal, p: &Period| tax_fixed(grid, rates, m, principal, p);
        if let Some(walk) =
            super::fixed::forward_walk(grid, bal, issue_amount, &total_of, level, &tax_of)
        {
            return Ok(Schedule {
                issue_amount,
                installments: walk?,
            });
        }
    }
    Ok(Schedule {
        issue_amount,
        installments: forward_walk(grid, bal, issue_amount, dp, total_of, field)?,
    })
}

/// What a summary reads of [`face_value`]`(grid, face_value)`: its issue amount and
/// [`WalkSummary`], priced by the fixed-scale walk ([`super::fixed::forward_summary`]) without
/// building the installments. `None` wherever [`face_value`] would not take that walk (another
/// system or interest quantization, a walk [`forward_walk_is_stable`] refuses, an amount out of
/// range, an error) or the walk declines: the caller then prices the schedule itself.
pub(crate) fn face_value_summary(
    grid: &Grid,
    face_value: Decimal,
) -> Option<(Decimal, WalkSummary)> {
    if grid.system != Amortization::PriceDays
        || face_value <= Decimal::ZERO
        || !matches!(grid.interest_decimals, None | Some(InterestDecimals::Ten))
    {
        return None;
    }
    let pv = num::mul(face_value, grid.discount_sum, field::INSTALLMENT_FACE_VALUE).ok()?;
    let issue_amount = round_cents(pv);
    if issue_amount > crate::simulation::MAX_AMOUNT || !forward_walk_is_stable(grid) {
        return None;
    }
    let summary = super::fixed::forward_summary(grid, pv, issue_amount, &|_| face_value, true)?;
    Some((issue_amount, summary))
}

/// The forward walk of [`split_present_value`] by the `Decimal` operations, from the balance
/// `bal` at `dp` decimals: for k < n, `interest_k = round_dp(bal · (g_k − 1))`,
/// `principal_k = total_k − interest_k`; the last `principal_n = round_dp(bal)`; `bal` and the due
/// principal (from `issue_amount`) run down by the principals. [`super::fixed::forward_walk`] is
/// the same walk at 10 decimals on fixed-scale mantissas, bit for bit where it answers.
pub(super) fn forward_walk(
    grid: &Grid,
    mut bal: Decimal,
    issue_amount: Decimal,
    dp: u32,
    total_of: impl Fn(usize) -> Decimal,
    field: &str,
) -> Result<Vec<Installment>> {
    let n = grid.periods.len();
    let mut installments = Vec::with_capacity(n);
    let mut due_principal = issue_amount;
    for (k, (p, &r)) in grid.periods.iter().zip(&grid.interest).enumerate() {
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
    Ok(installments)
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
    const FIELD: &str = field::DESIRED_INSTALLMENTS;
    let periods = grid.periods();
    if totals.len() != periods.len() {
        return Err(Error::out_of_range(
            FIELD,
            totals.len(),
            format!("expected {} installments", periods.len()),
        ));
    }
    if let Some(bad) = totals.iter().find(|t| **t <= Decimal::ZERO) {
        return Err(Error::out_of_range(
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
    split_present_value(grid, pv, |k| totals[k], false, FIELD)
}

/// Prices a loan of `issue_amount` (cents) by the grid's system: for `pre_price_days` equal
/// installments `round2(I / Σ 1/G_k)`, interest on the running balance, the last installment
/// closing the balance (the module's rule); for `pre_price` and `pre_sac` the rules documented on
/// their walks (`walk_price`, `walk_sac`, in this module's source).
///
/// # Errors
/// [`Error::InvalidField`] for an issue amount ≤ 0, [`Error::Overflow`] beyond `Decimal`'s range.
pub fn from_issue(grid: &Grid, issue_amount: Decimal) -> Result<Schedule> {
    walk_schedule(grid, issue_amount).map(|(s, _)| s)
}

/// [`from_issue`] and its `Σ tax_amount`, summed in installment order from zero as
/// [`crate::iof::Iof::new`] sums them ([`num::sum`]).
///
/// # Errors
/// As [`from_issue`], and [`Error::Overflow`] for a sum beyond `Decimal`'s range.
pub(crate) fn from_issue_with_tax_sum(
    grid: &Grid,
    issue_amount: Decimal,
) -> Result<(Schedule, Decimal)> {
    let (s, sum) = walk_schedule(grid, issue_amount)?;
    let sum = match sum {
        Some(sum) => sum,
        None => num::sum(s.installment_taxes(), "tax_amount")?,
    };
    Ok((s, sum))
}

/// The schedule of [`from_issue`], by [`super::fixed_issue::walk`] (with its `Σ tax_amount`) where
/// it answers, else by the `Decimal` walk.
fn walk_schedule(grid: &Grid, issue_amount: Decimal) -> Result<(Schedule, Option<Decimal>)> {
    let mut installments = Vec::with_capacity(grid.periods.len());
    let sum = super::fixed_issue::walk(grid, issue_amount, |i| installments.push(i));
    if sum.is_none() {
        installments.clear();
        walk_from_issue(grid, issue_amount, |i| installments.push(i))?;
    }
    let s = Schedule {
        issue_amount,
        installments,
    };
    Ok((s, sum))
}

/// `Σ tax_amount` of [`from_issue`]`(grid, issue_amount)`, summed in installment order from zero
/// as [`crate::iof::Iof::new`] sums them, without building the schedule (the tests' reference).
///
/// # Errors
/// As [`from_issue`].
#[cfg(test)]
pub(crate) fn from_issue_tax_sum(grid: &Grid, issue_amount: Decimal) -> Result<Decimal> {
    if let Some(sum) = super::fixed_issue::walk(grid, issue_amount, |_| {}) {
        return Ok(sum);
    }
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

/// The installments of [`from_issue`], in order, to `visit`, by the grid's system and the
/// `Decimal` operations ([`super::fixed_issue::walk`] is the same walk on parts, bit for bit where
/// it answers).
pub(super) fn walk_from_issue(
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
    const FIELD: &str = field::DISBURSED_AMOUNT;
    if issue_amount <= Decimal::ZERO {
        return Err(Error::out_of_range(FIELD, issue_amount, "must be positive"));
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
                return Err(Error::out_of_range(
                    field::NUMBER_OF_INSTALLMENTS,
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
    Error::out_of_range(
        field::NUMBER_OF_INSTALLMENTS,
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
    const FIELD: &str = field::AMOUNT;
    if issue_amount <= Decimal::ZERO {
        return Err(Error::out_of_range(FIELD, issue_amount, "must be positive"));
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

/// `pre_price` in face-value mode: installments of `F`; `issue = round2(Σ F/(1+m)^k)`; the
/// balance left after installment k is the present value of the installments still due, rounded
/// to the interest decimals (cents by default), `R_k = round2(B_k)` with `B_n = 0`,
/// `B_{k−1} = (B_k + F)/(1+m)` and `R_0 = issue`; `principal_k = R_{k−1} − R_k`,
/// `interest_k = F − principal_k` (the crate's rule: QI publishes no `pre_price` face-value
/// example). Σ principal is the issue exactly, every interest within a cent of the textbook
/// `B_{k−1}·m` (non-negative at a non-negative rate). The forward walk this replaces
/// (`interest = round2(bal × m)` on a balance carried from the rounded issue) multiplied the
/// issue's rounding by the loan's growth: 120 × 1000 at 8 % printed a last interest of 31.72
/// for the textbook 74.07, 180 × 5000 at 20 % one of −20,000.
fn price_face_value(grid: &Grid, face_value: Decimal) -> Result<Schedule> {
    const FIELD: &str = field::INSTALLMENT_FACE_VALUE;
    let issue_amount = round_cents(num::mul(face_value, grid.discount_sum, FIELD)?);
    let dp = grid.interest_decimals.map_or(2, InterestDecimals::dp);
    let installments =
        split_by_balances(grid, issue_amount, issue_amount, dp, |_| face_value, FIELD)?;
    Ok(Schedule {
        issue_amount,
        installments,
    })
}

/// The largest `n · G_n` (installments × the growth to the last due date) at which the `qi-2023` profile's
/// face-value split walks the balance forward: its drift, at most `n · G_n` times half a unit of
/// the 10th decimal, stays within half a cent (`10⁸ × 5·10⁻¹¹`). Every documented QI loan is far
/// below (SIAPE's 84 × 1.8 % a month has `n · G_n` near 380). Beyond it the split is
/// [`split_by_balances`]'s, which agrees with the forward walk wherever both are exact to the
/// 10th decimal: this is where the rules part.
const MAX_FORWARD_AMPLIFICATION: u64 = 100_000_000;

/// Whether the forward walk of [`split_present_value`] keeps its drift within half a cent
/// ([`MAX_FORWARD_AMPLIFICATION`]); a non-positive rate never amplifies it.
fn forward_walk_is_stable(grid: &Grid) -> bool {
    let n = grid.discounts.len();
    match grid.discounts.last() {
        // n / d_n ≤ 10⁸, i.e. n ≤ 10⁸ · d_n (d_n = 1/G_n).
        Some(&d) => d
            .checked_mul(Decimal::from(MAX_FORWARD_AMPLIFICATION))
            .is_none_or(|bound| Decimal::from(n) <= bound),
        None => true,
    }
}

/// Installments of `total_of(k)` split on the balances left after each, each the present value
/// of the installments still due walked backward from the last (`B_n = 0`,
/// `B_{k−1} = (B_k + total_k)/g_k`: a backward walk divides each rounding by the growth instead of
/// multiplying it), rounded to `dp`: `R_0 = start`, `R_k = round_dp(B_k)`, `R_n = 0`;
/// `principal_k = R_{k−1} − R_k`, `interest_k = total_k − principal_k`. Σ principal is `start`
/// exactly, and each interest is within one unit of the `dp`-th decimal of `B_{k−1}·(g_k − 1)`
/// (the textbook's), however long the loan or high the rate. `due_principal` runs from
/// `issue_amount` down by the principals.
fn split_by_balances(
    grid: &Grid,
    start: Decimal,
    issue_amount: Decimal,
    dp: u32,
    total_of: impl Fn(usize) -> Decimal,
    field: &str,
) -> Result<Vec<Installment>> {
    let n = grid.periods.len();
    let mut left = vec![Decimal::ZERO; n + 1];
    for k in (0..n).rev() {
        let g = num::add(Decimal::ONE, grid.interest[k], field)?;
        left[k] = num::div(num::add(left[k + 1], total_of(k), field)?, g, field)?;
    }
    let mut installments = Vec::with_capacity(n);
    let (mut before, mut due_principal) = (start, issue_amount);
    for (k, p) in grid.periods.iter().enumerate() {
        let after = if k + 1 == n {
            Decimal::ZERO
        } else {
            round_dp(left[k + 1], dp)
        };
        let total = total_of(k);
        let principal = num::sub(before, after, field)?;
        installments.push(Installment {
            period: *p,
            due_principal,
            pre_fixed_amount: num::sub(total, principal, field)?,
            principal_amortization_amount: principal,
            tax_amount: tax(grid, issue_amount, principal, p)?,
            total_amount: total,
        });
        due_principal = num::sub(due_principal, principal, field)?;
        before = after;
    }
    Ok(installments)
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
    const FIELD: &str = field::AMOUNT;
    if issue_amount <= Decimal::ZERO {
        return Err(Error::out_of_range(FIELD, issue_amount, "must be positive"));
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
    use crate::conventions::Conventions;
    use crate::rate::InterestRate;
    use crate::schedule::periods;
    use chrono::NaiveDate;

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
