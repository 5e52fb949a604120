//! Fixed-scale kernels of the schedule's two serial chains: the running discounts of the growth
//! grid and the face-value walk of the balance, on raw mantissas.
//!
//! Each chain is a sequence of rust_decimal operations (`d_k = d_{k−1} × 1/g_k`, `Σ d_k`;
//! `interest_k = round10(bal × (g_k − 1))`, `bal −= total_k − interest_k`) whose results keep one
//! scale as long as their magnitudes stay in range: discounts at 28 decimals, interest and
//! principal at 10, the balance at the present value's scale. The kernels run the chain on those
//! mantissas (`u128`, 192-bit products) with the crate's one product ([`num::mul_mag`], the same
//! half-even rounding to what fits in 96 bits) and its one division by `10^k` (precomputed
//! reciprocals), without packing a `Decimal` or building a `Result` per operation. Every operation
//! whose rust_decimal result would leave the fixed scale or the range (a zero, a sign change, a
//! carry past 96 bits, a rounding to a shorter scale) makes the kernel return `None`, once per
//! schedule, and the caller prices the schedule by the `Decimal` operations instead: the two paths
//! give the same bits, which this module's tests check at the boundary.

use rust_decimal::Decimal;

use super::tax_sum::{ProductSum, TaxSum, decimal};
use super::{Grid, Installment, Period};
use crate::num::{self, MANTISSA_LIMIT, POW10};

/// Scale of the running discounts.
const DISCOUNT_SCALE: u32 = 28;

/// Scale of the face-value walk's interest and principal (`round10`).
const WALK_SCALE: u32 = 10;

/// The running discounts `d_k = d_{k−1} × inv_k` (`d_0 = 1`) and their running sum `Σ d_k`, as
/// [`num::mul`] and [`num::add`] compute them in due-date order (the grid's chain, documented on
/// [`Grid`]), while every discount after the first has 28 decimals and every partial sum fits:
/// `d_1 = inv_1` as it is (27 or 28 decimals, as rust_decimal's quotient drops a trailing zero;
/// 1 for a period of no business days), then
/// each `d_k` is rust_decimal's product ([`num::mul_mag`]: `d_{k−1} · inv_k` rounded half-even to
/// 28 decimals), and each sum the exact sum rounded half-even to the largest scale that fits in 96
/// bits ([`num::fit_mag`]). `None` when a value leaves that range (a discount of 2⁹⁶/10²⁸ ≈ 7.9
/// or more, a zero or negative inverse).
///
/// In place: `chain` holds the inverses and is left holding the discounts, so the grid needs no
/// second buffer; where it returns `None`, a prefix of `chain` already holds discounts.
pub(super) fn discounts(chain: &mut [Decimal]) -> Option<Decimal> {
    let (mut d, mut d_scale) = (0u128, 0);
    let (mut sum, mut sum_scale) = (0u128, DISCOUNT_SCALE);
    for slot in chain.iter_mut() {
        let (negative, m, scale) = num::parts(*slot);
        if negative || m == 0 {
            return None;
        }
        if d == 0 {
            // 1 × inv is inv itself, at its scale; 0 + d is d.
            (d, d_scale) = (m, scale);
            (sum, sum_scale) = (m, scale);
        } else {
            d = if d_scale == DISCOUNT_SCALE && scale == DISCOUNT_SCALE {
                // The common step, both at 28 decimals: [`num::mul_mag`]'s product with its
                // 28 dropped digits a constant (its division folds), unless the quotient needs
                // more.
                let mut n = num::wide_mul(d, m);
                if num::at_least_pow10_shl96(&n, DISCOUNT_SCALE) {
                    return None;
                }
                num::div_pow10_limbs_half_even_inline(&mut n, DISCOUNT_SCALE);
                let q = (u128::from(n[1]) << 64) | u128::from(n[0]);
                (q != 0 && q < MANTISSA_LIMIT).then_some(q)?
            } else {
                let (q, qs) = num::mul_mag(d, m, d_scale + scale)?;
                if qs != DISCOUNT_SCALE {
                    return None;
                }
                q
            };
            d_scale = DISCOUNT_SCALE;
            // The exact sum at 28 decimals, when the sum brought to that scale stays below 2¹²⁷
            // (as `num::add` requires of its operands), then rounded to fit. A sum of 19 or more
            // decimals (a loan's, but for a first discount of 1) stays below 2⁹⁶ · 10⁹ < 2¹²⁶:
            // only a shorter one is measured.
            let j = DISCOUNT_SCALE - sum_scale;
            let up = POW10[j as usize];
            if j > 9 && num::bit_len(sum) + num::bit_len(up) > 127 {
                return None;
            }
            (sum, sum_scale) = fit_sum(sum * up + d, j)?;
        }
        *slot = num::from_mag(d, false, d_scale);
    }
    let total = if sum == 0 {
        Decimal::ZERO
    } else {
        num::from_mag(sum, false, sum_scale)
    };
    Some(total)
}

/// The running sum's exact value `exact` at 28 decimals, as [`num::fit_mag`]`(exact, 28, 0)`
/// stores it, when the sum had `28 − j` decimals before this term. The common step of a long
/// loan (a sum past 2⁹⁶ at 28 decimals, ≈ 7.9, that stays at `28 − j`) takes one half-even
/// division by `10^j` with `j` known: for 1 ≤ j ≤ 9 and
/// `10^(j−1)·2⁹⁶ ≤ exact < 10^j·2⁹⁶`, `j` is the smallest number of digits to drop that fits 96
/// bits, which is `fit_mag`'s choice; every other case is `fit_mag`'s own search. `None` as
/// `fit_mag`: a rounding that carries to 2⁹⁶.
#[inline(always)]
fn fit_sum(exact: u128, j: u32) -> Option<(u128, u32)> {
    if (1..=9).contains(&j)
        && exact >= POW10[j as usize - 1] << 96
        && exact < POW10[j as usize] << 96
    {
        // The sums of up to 130 discounts below 1 stay below 790: j of 1 or 2, whose
        // divisions inline with their constants.
        let q = match j {
            1 => num::div_pow10_half_even(exact, 1),
            2 => num::div_pow10_half_even(exact, 2),
            _ => num::div_pow10_half_even(exact, j),
        };
        return (q < MANTISSA_LIMIT).then_some((q, DISCOUNT_SCALE - j));
    }
    num::fit_mag(exact, DISCOUNT_SCALE, 0)
}

/// One installment of the fixed-scale forward walk ([`walk`]): mantissas at 10 decimals.
#[derive(Debug, Clone, Copy)]
pub(super) struct Step<'a> {
    /// The installment's index (0 for the first).
    pub(super) k: usize,
    /// Its period.
    pub(super) period: &'a Period,
    /// Its total (`total_of(k)`).
    pub(super) total: Decimal,
    /// Its interest, signed.
    pub(super) interest: i128,
    /// Its principal, signed (negative under negative amortization).
    pub(super) principal: i128,
    /// The due principal before it (the issue amount for the first).
    pub(super) due: i128,
}

/// The installments of the face-value split's forward walk at 10 decimals
/// (`split_present_value` in `systems.rs`, which documents the rule) to `visit`, in order, on
/// fixed-scale mantissas: the balance at the present value's scale `S` (10 ≤ S ≤ 28), interest
/// and principal at 10 decimals, the due principal at 10 after the first.
/// `interest_k = round10(bal × r_k)` takes rust_decimal's product ([`num::mul_mag`], then one
/// half-even division by `10^(s − 10)`); `principal_k = total_k − interest_k` (negative when the
/// interest exceeds the installment: negative amortization); `bal −= principal_k`; the last
/// principal is `round10(bal)`. `None` when a value leaves the fixed scale or range (a rate or
/// balance that is not positive, a total of more than 10 decimals or not positive, a zero
/// interest, principal or due principal, a product of fewer than 10 decimals, a balance or due
/// principal past 2⁹⁶) or `visit` answers `None`; `visit`'s error stops the walk with it. `level`
/// is the caller's word that every `total_of(k)` is `total_of(0)` (a face value): its mantissa
/// is then read once.
#[inline(always)]
fn walk(
    grid: &Grid,
    pv: Decimal,
    issue_amount: Decimal,
    total_of: &impl Fn(usize) -> Decimal,
    level: bool,
    mut visit: impl FnMut(Step<'_>) -> Option<crate::error::Result<()>>,
) -> Option<crate::error::Result<()>> {
    let (negative, mut bal, s) = num::parts(pv);
    if negative || bal == 0 || !(WALK_SCALE..=28).contains(&s) {
        return None;
    }
    let up = POW10[(s - WALK_SCALE) as usize];
    // A principal whose mantissa at scale S would reach 2⁹⁶ takes the balance below zero or past
    // 2⁹⁶ (both handed back); below it, `step · up` cannot overflow.
    let max_step = (MANTISSA_LIMIT - 1) / up;
    let (issue_negative, issue_m, issue_s) = num::parts(issue_amount);
    if issue_negative || issue_s > WALK_SCALE {
        return None;
    }
    // < 2⁹⁶ · 10^10 < 2¹²⁷.
    let mut due = (issue_m * POW10[(WALK_SCALE - issue_s) as usize]) as i128;
    let n = grid.periods.len();
    // A total's mantissa at 10 decimals.
    let mantissa = |total: Decimal| {
        let (t_negative, t_m, t_s) = num::parts(total);
        if t_negative || t_m == 0 || t_s > WALK_SCALE {
            return None;
        }
        let t = t_m * POW10[(WALK_SCALE - t_s) as usize];
        (t < MANTISSA_LIMIT).then_some(t)
    };
    let level = match level {
        true => Some((total_of(0), mantissa(total_of(0))?)),
        false => None,
    };
    for (k, (p, &r)) in grid.periods.iter().zip(&grid.interest).enumerate() {
        let last = k + 1 == n;
        let (total, t) = match level {
            Some(level) => level,
            None => {
                let total = total_of(k);
                (total, mantissa(total)?)
            }
        };
        // Both below 2⁹⁶, so their difference is exact at 10 decimals, as `num::sub` leaves it.
        let (interest, principal) = if last {
            let principal = if s == WALK_SCALE {
                bal
            } else {
                num::div_pow10_half_even(bal, s - WALK_SCALE)
            };
            (t as i128 - principal as i128, principal as i128)
        } else {
            let (r_negative, r_m, r_s) = num::parts(r);
            if r_negative || r_m == 0 {
                return None;
            }
            // rust_decimal's product, then round10: the same two roundings, with the divisions
            // of a long loan's common step (a balance of ~25 decimals times a rate of 28: 26 or
            // 27 digits dropped, then 15 to 18) inlined with their constants.
            let (q, qs) = num::mul_mag_wide::<27, 26>(bal, r_m, s + r_s)?;
            let interest = match qs {
                WALK_SCALE => q,
                26 => num::div_pow10_half_even(q, 16),
                27 => num::div_pow10_half_even(q, 17),
                28 => num::div_pow10_half_even(q, 18),
                qs if qs > WALK_SCALE => num::div_pow10_half_even(q, qs - WALK_SCALE),
                _ => return None,
            };
            (interest as i128, t as i128 - interest as i128)
        };
        if interest == 0 || principal == 0 {
            return None;
        }
        if let Err(e) = visit(Step {
            k,
            period: p,
            total,
            interest,
            principal,
            due,
        })? {
            return Some(Err(e));
        }
        if !last {
            due -= principal;
            if due == 0 || due.unsigned_abs() >= MANTISSA_LIMIT {
                return None;
            }
            // bal − principal at scale S, exactly, when the balance stays positive and below 2⁹⁶.
            let step = principal.unsigned_abs();
            if step > max_step {
                return None;
            }
            bal = if principal > 0 {
                bal.checked_sub(step * up).filter(|&b| b != 0)?
            } else {
                Some(bal + step * up).filter(|&b| b < MANTISSA_LIMIT)?
            };
        }
    }
    Some(Ok(()))
}

/// The decimal of a signed mantissa at 10 decimals.
#[inline(always)]
fn signed(x: i128) -> Decimal {
    num::from_mag(x.unsigned_abs(), x < 0, WALK_SCALE)
}

/// The installment of a [`walk`] step, its `tax_amount` priced by `tax` from its principal (the
/// signed mantissa at 10 decimals and the same value as a `Decimal`).
#[inline(always)]
fn installment(
    step: &Step<'_>,
    issue_amount: Decimal,
    tax: &impl Fn(i128, Decimal, &Period) -> crate::error::Result<Decimal>,
) -> crate::error::Result<Installment> {
    let principal = signed(step.principal);
    Ok(Installment {
        period: *step.period,
        due_principal: if step.k == 0 {
            issue_amount
        } else {
            signed(step.due)
        },
        pre_fixed_amount: signed(step.interest),
        principal_amortization_amount: principal,
        tax_amount: tax(step.principal, principal, step.period)?,
        total_amount: step.total,
    })
}

/// The installments of the face-value split's forward walk at 10 decimals ([`walk`]), each
/// `tax_amount` priced by `tax` from its principal (the signed mantissa at 10 decimals and the
/// same value as a `Decimal`); `level` as for [`walk`]. `None` where [`walk`] declines.
pub(super) fn forward_walk(
    grid: &Grid,
    pv: Decimal,
    issue_amount: Decimal,
    total_of: &impl Fn(usize) -> Decimal,
    level: bool,
    tax: &impl Fn(i128, Decimal, &Period) -> crate::error::Result<Decimal>,
) -> Option<crate::error::Result<Vec<Installment>>> {
    let mut out = Vec::with_capacity(grid.periods.len());
    let walked = walk(grid, pv, issue_amount, total_of, level, |step| {
        Some(installment(&step, issue_amount, tax).map(|i| out.push(i)))
    })?;
    Some(walked.map(|()| out))
}

/// What a summary reads of a face-value schedule ([`forward_summary`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct WalkSummary {
    /// The first installment.
    pub(crate) first: Installment,
    /// `Σ tax_amount`, summed in installment order from zero as [`num::sum`] sums them.
    pub(crate) tax_sum: Decimal,
    /// `Σ pre_fixed_amount` (`total_pre_fixed_amount`), as [`num::sum`] sums them.
    pub(crate) interest_sum: Decimal,
}

/// [`forward_walk`] without its installments: the first one, and the sums of the taxes and of
/// the interest, the taxes summed as their products ([`ProductSum`]) or, rounded, one by one on
/// parts ([`TaxSum`]); `level` as for [`walk`].
/// `None` where [`walk`], [`ProductSum`] or [`TaxSum::add_on_mantissa`] declines, or where the interest's sum is
/// zero or a partial sum leaves 96 bits (the installments' `num::sum` would then not be their
/// exact sum at 10 decimals).
pub(super) fn forward_summary(
    grid: &Grid,
    pv: Decimal,
    issue_amount: Decimal,
    total_of: &impl Fn(usize) -> Decimal,
    level: bool,
) -> Option<WalkSummary> {
    // Unrounded taxes are summed as their products ([`ProductSum`]); rounded ones one by one.
    let mut products = ProductSum::new(grid, issue_amount);
    let mut taxes = TaxSum::new(grid, issue_amount);
    let mut first = None;
    let mut interest_sum: i128 = 0;
    let walked = walk(grid, pv, issue_amount, total_of, level, |step| {
        let principal = (
            step.principal < 0,
            step.principal.unsigned_abs(),
            WALK_SCALE,
        );
        let days = step.period.days_from_disbursement;
        if let Some(products) = &mut products {
            products.add(principal, days)?;
        }
        // Every partial sum below 2⁹⁶ (each interest is, and so the sum of two stays below 2¹²⁷),
        // as `num::sum` then adds them exactly at 10 decimals.
        interest_sum += step.interest;
        if interest_sum.unsigned_abs() >= MANTISSA_LIMIT {
            return None;
        }
        if step.k == 0 || products.is_none() {
            let tax = taxes.add_on_mantissa(principal, days)?;
            if step.k == 0 {
                first = Some(installment(&step, issue_amount, &|_, _, _| {
                    Ok(decimal(tax))
                }));
            }
        }
        Some(Ok(()))
    })?;
    walked.ok()?;
    if interest_sum == 0 {
        return None;
    }
    let tax_sum = match products {
        Some(products) => products.total()?,
        None => taxes.total(),
    };
    Some(WalkSummary {
        first: first?.ok()?,
        tax_sum,
        interest_sum: signed(interest_sum),
    })
}

#[cfg(test)]
#[path = "fixed_tests.rs"]
mod tests;
