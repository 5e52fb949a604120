//! The running `Σ tax_amount` of a walk on the parts of its decimals (`schedule::fixed` and
//! `schedule::fixed_issue`): each installment's daily IOF priced from its principal, rounded as the
//! grid's IOF conventions round a `tax_amount`, and added to the sum as [`num::add`] (and so
//! [`crate::iof::Iof::new`]'s [`num::sum`]) adds it, in installment order from zero.

use rust_decimal::Decimal;

use super::Grid;
use crate::iof::IofRates;
use crate::num::{self, MANTISSA_LIMIT, POW10, Parts, add_parts, round_dp_parts};

/// Zero, as `Decimal::ZERO` stores it.
pub(super) const ZERO: Parts = (false, 0, 0);

/// The IOF rates of one issue amount, the rounding of each tax, and the sum so far.
#[derive(Debug, Clone, Copy)]
pub(super) struct TaxSum {
    rates: IofRates,
    decimals: Option<u32>,
    sum: Parts,
}

impl TaxSum {
    /// An empty sum of the taxes of a loan of `issue_amount` on `grid`.
    pub(super) fn new(grid: &Grid, issue_amount: Decimal) -> Self {
        TaxSum {
            rates: grid.iof.rates_for(issue_amount),
            decimals: grid.iof_rounding.installment_decimals(),
            sum: ZERO,
        }
    }

    /// The `tax_amount` of an installment of principal `principal` due `days` calendar days after
    /// the disbursement ([`IofRates::installment_tax_parts`]), added to the sum ([`TaxSum::push`]).
    /// `None` where the `Decimal` operations must answer instead.
    #[inline(always)]
    pub(super) fn add(&mut self, principal: Parts, days: u32) -> Option<Parts> {
        let tax = self.rates.installment_tax_parts(principal, days)?;
        self.push(tax)
    }

    /// [`TaxSum::add`] for a principal of few decimals (the face-value walk's 10): the product
    /// on its mantissa ([`IofRates::installment_tax_fixed_parts`]) where it answers, else
    /// [`IofRates::installment_tax_parts`]: the same bits.
    #[inline(always)]
    pub(super) fn add_on_mantissa(&mut self, principal: Parts, days: u32) -> Option<Parts> {
        let (negative, mag, scale) = principal;
        let tax = match self
            .rates
            .installment_tax_fixed_parts(mag, negative, scale, days)
        {
            Some(tax) => tax,
            None => self.rates.installment_tax_parts(principal, days)?,
        };
        self.push(tax)
    }

    /// An installment's unrounded tax `tax`, rounded to the conventions' decimals when they round
    /// a `tax_amount`, added to the sum as [`num::add`] adds it: to a zero sum the tax as it is,
    /// zero or not, scale and all; a zero tax to a nonzero sum leaves it. Returns the rounded tax;
    /// `None` where a rounding or the sum needs rust_decimal.
    #[inline(always)]
    fn push(&mut self, mut tax: Parts) -> Option<Parts> {
        if let Some(dp) = self.decimals
            && tax.1 != 0
        {
            tax = round_dp_parts(tax, dp)?;
        }
        if self.sum.1 == 0 {
            self.sum = tax;
        } else if tax.1 != 0 {
            self.sum = add_parts(self.sum, tax)?;
        }
        Some(tax)
    }

    /// The sum so far.
    pub(super) fn total(&self) -> Decimal {
        decimal(self.sum)
    }
}

/// `Σ tax_amount` of unrounded taxes (no `tax_decimals`, no rounding per installment) priced on
/// the principal's mantissa at one scale (the face-value walk's 10): each tax is the exact product
/// [`IofRates::installment_tax_product`] at scale `P = 10 + daily.scale()` with its trailing zeros
/// dropped, so the taxes' sum as [`num::add`] takes it (exact at the largest scale of any
/// nonzero tax while it fits 96 bits) is `Σ products / 10^z` at scale `P − z`, `z` the fewest
/// trailing zeros of any nonzero product (capped at `P`): one addition per installment instead
/// of a normalization and a rescaled addition. Zero taxes add nothing; none but zeros sum to
/// `Decimal::ZERO`, as `num::sum` gives.
#[derive(Debug, Clone, Copy)]
pub(super) struct ProductSum {
    rates: IofRates,
    /// Σ of the nonzero products (below 600 · 2⁹⁶).
    sum: u128,
    /// Their one scale `P`.
    scale: u32,
    /// The fewest trailing zeros of any of them so far (`u32::MAX`: none yet).
    fewest_zeros: u32,
}

impl ProductSum {
    /// An empty sum of the taxes of a loan of `issue_amount` on `grid`, when its taxes are not
    /// rounded.
    pub(super) fn new(grid: &Grid, issue_amount: Decimal) -> Option<Self> {
        grid.iof_rounding
            .installment_decimals()
            .is_none()
            .then(|| ProductSum {
                rates: grid.iof.rates_for(issue_amount),
                sum: 0,
                scale: 0,
                fewest_zeros: u32::MAX,
            })
    }

    /// Adds the tax of a principal `±mag / 10^scale` due `days` calendar days after the
    /// disbursement. `None` where the product is not [`IofRates::installment_tax_product`]'s
    /// (past 2⁹⁶ or 28 decimals) or its scale is not the others'.
    #[inline(always)]
    pub(super) fn add(&mut self, (negative, mag, scale): Parts, days: u32) -> Option<()> {
        if negative || mag == 0 {
            return Some(());
        }
        let (product, scale) = self.rates.installment_tax_product(mag, scale, days)?;
        if self.sum == 0 {
            self.scale = scale;
        } else if scale != self.scale {
            return None;
        }
        self.sum += product;
        // Zeros counted only while none of the products so far lacks one (most have none).
        if self.fewest_zeros > 0 {
            let mut zeros = 0;
            let mut rest = product;
            while zeros < self.fewest_zeros.min(scale) && rest % 10 == 0 {
                rest /= 10;
                zeros += 1;
            }
            self.fewest_zeros = zeros;
        }
        Some(())
    }

    /// The sum as `num::sum` of the normalized taxes gives it; `None` past 96 bits (where
    /// rust_decimal would have rounded a partial sum).
    pub(super) fn total(&self) -> Option<Decimal> {
        if self.sum == 0 {
            return Some(Decimal::ZERO);
        }
        let zeros = self.fewest_zeros.min(self.scale);
        let q = self.sum / POW10[zeros as usize];
        (q < MANTISSA_LIMIT).then(|| num::from_mag(q, false, self.scale - zeros))
    }
}

/// The decimal of `x`.
#[inline(always)]
pub(super) fn decimal((negative, mag, scale): Parts) -> Decimal {
    num::from_mag(mag, negative, scale)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::num::tests::against_rust_decimal::Rng;

    /// Unrounded taxes summed as their products are the taxes summed one by one on parts, bit
    /// for bit: principals with and without trailing zeros (the products' zeros come from the
    /// principal and from the days; some loans have them in every one), of ≤ 0, and on both
    /// sides of the product's 2⁹⁶ edge (past it the product sum declines); and a sum of zeros
    /// only is `Decimal::ZERO`.
    #[test]
    fn taxes_summed_as_products_are_the_taxes_summed_one_by_one() {
        let rates = IofRates::NATURAL;
        let daily = u128::try_from(rates.daily.mantissa()).expect("daily");
        let mut r = Rng(0x7a_5e_50);
        let (mut compared, mut declined) = (0, 0);
        for round in 0..3000 {
            let mut products = ProductSum {
                rates,
                sum: 0,
                scale: 0,
                fewest_zeros: u32::MAX,
            };
            let mut parts = TaxSum {
                rates,
                decimals: None,
                sum: ZERO,
            };
            let n = r.range(1, 130);
            let mut answered = true;
            for k in 0..n {
                let days = r.range(1, 400) as u32;
                // The edge in one round of five: its sums pass 2⁹⁶ (declined).
                let top = (MANTISSA_LIMIT - 1) / (daily * u128::from(days.min(365)));
                // Every principal with trailing zeros in one round of eleven: the sum keeps
                // fewer decimals.
                let mag = match ((round + k) % 9, round % 5 == 0) {
                    (0, _) => 0,
                    _ if round % 11 == 0 || (round + k) % 9 == 1 => {
                        u128::from(r.range(1, 1_000)) * 10u128.pow(r.range(1, 12) as u32)
                    }
                    (2, true) => top,
                    (3, true) => top + 1,
                    _ => u128::from(r.range(1, u64::MAX)) >> r.range(0, 40),
                };
                let principal = (round % 7 == 0 && k % 3 == 0, mag, 10);
                answered &= products.add(principal, days).is_some();
                parts.add(principal, days);
            }
            match products.total().filter(|_| answered) {
                Some(total) => {
                    compared += 1;
                    assert_eq!(total.serialize(), parts.total().serialize(), "{round}");
                }
                None => declined += 1,
            }
        }
        assert!(compared > 2000 && declined > 300, "{compared} {declined}");
        let zeros = ProductSum {
            rates,
            sum: 0,
            scale: 0,
            fewest_zeros: u32::MAX,
        };
        assert_eq!(
            zeros.total().map(|d| d.serialize()),
            Some(Decimal::ZERO.serialize())
        );
    }

    /// The face-value walk's sum (the product on the mantissa first) is the sum on parts, tax by
    /// tax and in total, under each rounding of a `tax_amount`: on both sides of the mantissa
    /// product's edges (a product reaching 2⁹⁶; a principal of more than 22 decimals, whose
    /// product passes 28), for principals ≤ 0, and for amounts between.
    #[test]
    fn the_sum_on_mantissas_is_the_sum_on_parts() {
        let rates = IofRates::NATURAL;
        let daily = u128::try_from(rates.daily.mantissa()).expect("daily");
        for decimals in [None, Some(8), Some(2)] {
            for days in [1, 30, 365, 400] {
                let top = (MANTISSA_LIMIT - 1) / (daily * u128::from(days.min(365)));
                let principals = [
                    (false, top, 10),
                    (false, top + 1, 10),
                    (false, top / 7, 10),
                    (false, 12_345, 22),
                    (false, 12_345, 23),
                    (false, 1, 0),
                    (true, 5, 10),
                    (false, 0, 10),
                    (false, 987_654_321_012, 10),
                ];
                let mut on_mantissa = TaxSum {
                    rates,
                    decimals,
                    sum: ZERO,
                };
                let mut on_parts = on_mantissa;
                for p in principals {
                    assert_eq!(
                        on_mantissa.add_on_mantissa(p, days),
                        on_parts.add(p, days),
                        "{p:?} {days} {decimals:?}"
                    );
                    assert_eq!(on_mantissa.sum, on_parts.sum, "{p:?} {days} {decimals:?}");
                }
                assert_eq!(
                    on_mantissa.total().serialize(),
                    on_parts.total().serialize()
                );
            }
        }
    }
}
