//! The running `Σ tax_amount` of a walk on the parts of its decimals (`schedule::fixed` and
//! `schedule::fixed_issue`): each installment's daily IOF priced from its principal, rounded as the
//! grid's IOF conventions round a `tax_amount`, and added to the sum as [`num::add`] (and so
//! [`crate::iof::Iof::new`]'s [`num::sum`]) adds it, in installment order from zero.

use rust_decimal::Decimal;

use super::Grid;
use crate::iof::IofRates;
use crate::num::{self, Parts, add_parts, round_dp_parts};

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

/// The decimal of `x`.
#[inline(always)]
pub(super) fn decimal((negative, mag, scale): Parts) -> Decimal {
    num::from_mag(mag, negative, scale)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::num::MANTISSA_LIMIT;

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
