//! The walks from an issue amount (`from_issue` in `systems.rs`, whose walks `walk_price_days`,
//! `walk_price` and `walk_sac` document each system's rule) on the parts of their decimals.
//!
//! Each walk is a chain of rust_decimal operations whose scales wander: without
//! `interest_decimals`, `pre_price_days` carries its interest unrounded (`bal × r` to 28
//! significant digits), so the balance, the principal and the IOF of each installment end up at
//! whatever scale rust_decimal's rounding to 96 bits leaves (the 12-installment gross-up of the
//! benches carries its balance at 24 to 26 decimals). No one fixed scale holds that chain; this
//! kernel carries each value as its sign, magnitude and scale ([`num::Parts`]) and takes the
//! crate's operations on parts ([`num::add_parts`], [`num::mul_parts`], [`num::round_dp_parts`],
//! [`crate::iof::IofRates::installment_tax_parts`]: the same kernels as [`num::add`] and [`num::mul`], value
//! and scale), without packing a `Decimal`, building a `Result` or comparing by rust_decimal per
//! operation. Every operation those kernels leave to rust_decimal (a zero, a carry past 96 bits,
//! an operand beyond 2¹²⁷ at the other's scale) and every error of the walk (a non-positive issue
//! amount or last installment, a loan repaid early) makes the kernel return `None`, once per walk;
//! the caller then walks by the `Decimal` operations, which give the same bits where the kernel
//! answers and the errors where it does not (this module's tests check both sides).

use rust_decimal::Decimal;

use super::tax_sum::{TaxSum, ZERO, decimal};
use super::{Amortization, Grid, Installment, Period};
use crate::conventions::{InterestDecimals, LastInstallment};
use crate::num::{self, Parts, add_parts, mul_parts, round_dp_parts};

/// The installments of `from_issue(grid, issue_amount)` to `visit`, in order, and their
/// `Σ tax_amount` summed from zero in installment order as [`num::add`] (and so
/// [`crate::iof::Iof::new`]) sums them; `None` where the `Decimal` walk must answer instead (the
/// module's rule), in which case `visit` may have seen some installments already.
pub(super) fn walk(
    grid: &Grid,
    issue_amount: Decimal,
    visit: impl FnMut(Installment),
) -> Option<Decimal> {
    let issue = num::parts(issue_amount);
    if issue.0 || issue.1 == 0 {
        return None;
    }
    let mut w = Walk {
        grid,
        taxes: TaxSum::new(grid, issue_amount),
        visit,
    };
    match grid.system {
        Amortization::PriceDays => w.price_days(issue, issue_amount)?,
        Amortization::Price => w.price(issue, issue_amount)?,
        Amortization::Sac => w.sac(issue, issue_amount)?,
    }
    Some(w.taxes.total())
}

/// One walk's state: the grid, the running `Σ tax_amount` of its issue amount, and where its
/// installments go.
struct Walk<'a, V> {
    grid: &'a Grid,
    taxes: TaxSum,
    visit: V,
}

/// `a − b` on parts ([`num::sub`]'s kernel).
#[inline(always)]
fn sub(a: Parts, (nb, mb, sb): Parts) -> Option<Parts> {
    add_parts(a, (!nb, mb, sb))
}

/// Whether `x > 0`.
#[inline(always)]
fn positive(x: Parts) -> bool {
    !x.0 && x.1 != 0
}

/// Whether two nonzero parts hold the same value (`Decimal`'s `==`): the one of smaller scale is
/// brought to the other's; when that needs 127 bits or more it exceeds the other (below 2⁹⁶).
#[inline(always)]
fn same_value(a: Parts, b: Parts) -> bool {
    let ((na, ma, sa), (nb, mb, sb)) = if a.2 <= b.2 { (a, b) } else { (b, a) };
    let up = num::POW10[(sb - sa) as usize];
    na == nb && num::bit_len(ma) + num::bit_len(up) <= 127 && ma * up == mb
}

/// The parts of `round_cents(a / b)` ([`num::div`] and [`num::round_cents`], one `Decimal`
/// division per walk: the level installment).
fn level(a: Decimal, b: Decimal) -> Option<Parts> {
    num::div(a, b, "")
        .ok()
        .map(|q| num::parts(num::round_cents(q)))
}

impl<V: FnMut(Installment)> Walk<'_, V> {
    /// Prices the installment of period `p` (its IOF added to the running sum, [`TaxSum::add`])
    /// and visits it.
    #[inline(always)]
    fn visit(
        &mut self,
        p: &Period,
        bal: Parts,
        interest: Parts,
        principal: Parts,
        total: Parts,
    ) -> Option<()> {
        let tax = self.taxes.add(principal, p.days_from_disbursement)?;
        (self.visit)(Installment {
            period: *p,
            due_principal: decimal(bal),
            pre_fixed_amount: decimal(interest),
            principal_amortization_amount: decimal(principal),
            tax_amount: decimal(tax),
            total_amount: decimal(total),
        });
        Some(())
    }

    /// `walk_price_days` on parts: the level installment `round2(I / Σ 1/G_k)`, interest
    /// `bal × r_k` (quantized to `interest_decimals` when set), principal `total − interest`
    /// (the interest retaken as `total − principal` when their sum misses the total), the last
    /// closing the balance (`round2(bal + interest)`) or, under `equal_installment`, the level
    /// payment with the balance as its principal.
    fn price_days(&mut self, issue: Parts, issue_amount: Decimal) -> Option<()> {
        let grid = self.grid;
        let n = grid.periods.len();
        let pmt = if n > 1 {
            level(issue_amount, grid.discount_sum)?
        } else {
            ZERO
        };
        let dp = grid.interest_decimals.map(InterestDecimals::dp);
        let equal_last = grid.last == LastInstallment::EqualInstallment && n > 1;
        let mut bal = issue;
        for (k, (p, &r)) in grid.periods.iter().zip(&grid.interest).enumerate() {
            let last = k + 1 == n;
            if last && equal_last {
                if !positive(bal) {
                    return None;
                }
                return self.visit(p, bal, sub(pmt, bal)?, bal, pmt);
            }
            let mut interest = mul_parts(bal, num::parts(r))?;
            if let Some(dp) = dp {
                interest = round_dp_parts(interest, dp)?;
            }
            let total = if last {
                let total = round_dp_parts(add_parts(bal, interest)?, 2)?;
                positive(total).then_some(total)?
            } else {
                pmt
            };
            let principal = sub(total, interest)?;
            // A difference kept at the operands' larger scale is exact: principal + interest is
            // then the total. Only a rounded one is checked.
            if principal.2 < total.2.max(interest.2)
                && !same_value(add_parts(principal, interest)?, total)
            {
                interest = sub(total, principal)?;
            }
            self.visit(p, bal, interest, principal, total)?;
            if !last {
                bal = sub(bal, principal)?;
            }
        }
        Some(())
    }

    /// `walk_price` on parts: the level installment `round2(I / Σ (1+m)^−k)`, interest
    /// `round_dp(bal × m)` (cents by default), principal `PMT − interest`, the last closing the
    /// balance (`total = bal + interest`) or, under `equal_installment`, the level payment.
    fn price(&mut self, issue: Parts, issue_amount: Decimal) -> Option<()> {
        let grid = self.grid;
        let n = grid.periods.len();
        let pmt = level(issue_amount, grid.discount_sum)?;
        let dp = grid.interest_decimals.map_or(2, InterestDecimals::dp);
        let equal_last = grid.last == LastInstallment::EqualInstallment && n > 1;
        let mut bal = issue;
        for (k, (p, &m)) in grid.periods.iter().zip(&grid.interest).enumerate() {
            let last = k + 1 == n;
            let interest = if last && equal_last {
                if !positive(bal) {
                    return None;
                }
                sub(pmt, bal)?
            } else {
                round_dp_parts(mul_parts(bal, num::parts(m))?, dp)?
            };
            if last {
                let total = add_parts(bal, interest)?;
                if !positive(total) {
                    return None;
                }
                return self.visit(p, bal, interest, bal, total);
            }
            let principal = sub(pmt, interest)?;
            self.visit(p, bal, interest, principal, pmt)?;
            bal = sub(bal, principal)?;
        }
        Some(())
    }

    /// `walk_sac` on parts: principal `round2(I / n)`, the last the balance, each positive;
    /// interest `round_dp(bal × r_k)` (cents by default); total `principal + interest`.
    fn sac(&mut self, issue: Parts, issue_amount: Decimal) -> Option<()> {
        let grid = self.grid;
        let n = grid.periods.len();
        let count = Decimal::from(u32::try_from(n).ok()?);
        let amortization = level(issue_amount, count)?;
        let dp = grid.interest_decimals.map_or(2, InterestDecimals::dp);
        let mut bal = issue;
        for (k, (p, &r)) in grid.periods.iter().zip(&grid.interest).enumerate() {
            let last = k + 1 == n;
            let principal = if last { bal } else { amortization };
            if !positive(principal) {
                return None;
            }
            let interest = round_dp_parts(mul_parts(bal, num::parts(r))?, dp)?;
            let total = add_parts(principal, interest)?;
            self.visit(p, bal, interest, principal, total)?;
            if !last {
                bal = sub(bal, principal)?;
            }
        }
        Some(())
    }
}

#[cfg(test)]
#[path = "fixed_issue_tests.rs"]
mod tests;
