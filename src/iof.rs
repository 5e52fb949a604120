//! IOF, the federal tax on credit operations (Decreto 6.306/2007, art. 7), for natural persons.
//!
//! * daily IOF of installment k: `tax_amount_k = principal_k × 0.000082 × min(t_k, 365)`, where
//!   `t_k` is the number of **calendar** days from the disbursement to the installment's `due_date`
//!   and `principal_k` the installment's principal amortization as the schedule prints it (10 decimals
//!   in face-value mode). Not rounded: QI prints it as a float (0.1905254815358736).
//! * additional IOF: `0.0038 × issue_amount` (the rounded issue).
//! * total: `iof_amount = round2(Σ tax_amount_k + additional)`.
//!
//! A negative principal (negative amortization, see the crate's conventions, *Schedules*) is taxed 0: the tax is levied on
//! credit actually extended, and a negative tax would lower the tax on the other installments.
//!
//! Source: the SIAPE and personal-credit fixtures, reproduced to the printed digit (the crate's
//! conventions, *IOF*).

use rust_decimal::Decimal;

use crate::error::Result;
use crate::num::{self, round_cents};

/// Natural-person daily IOF rate, 0.0082 % a day.
pub const DAILY_RATE: Decimal = Decimal::from_parts(82, 0, 0, false, 6);
/// The additional IOF rate, 0.38 % of the amount.
pub const ADDITIONAL_RATE: Decimal = Decimal::from_parts(38, 0, 0, false, 4);
/// Days beyond which the daily IOF stops accruing.
pub const CAP_DAYS: u32 = 365;

/// The IOF of one installment: `max(principal, 0) × 0.000082 × min(days, 365)`, unrounded.
///
/// # Errors
/// [`crate::Error::Overflow`] for principals beyond `Decimal`'s range.
///
/// # Example
/// ```
/// use qitech_sim::iof;
/// use rust_decimal::Decimal;
/// let principal: Decimal = "96.8117284227".parse()?;
/// assert_eq!(iof::installment_tax(principal, 24)?.to_string(), "0.1905254815358736");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn installment_tax(
    principal: Decimal,
    calendar_days_from_disbursement: u32,
) -> Result<Decimal> {
    if principal <= Decimal::ZERO {
        return Ok(Decimal::ZERO);
    }
    Ok(num::normalize(num::mul(
        principal,
        daily_ceiling_fraction(calendar_days_from_disbursement),
        "principal_amortization_amount",
    )?))
}

/// The additional IOF: `0.0038 × issue_amount`, unrounded.
///
/// # Errors
/// [`crate::Error::Overflow`] for amounts beyond `Decimal`'s range.
pub fn additional(issue_amount: Decimal) -> Result<Decimal> {
    Ok(num::normalize(num::mul(
        issue_amount,
        ADDITIONAL_RATE,
        "issue_amount",
    )?))
}

/// `iof_amount`: `round2(base + additional)`, the total of the unrounded parts rounded once.
///
/// # Errors
/// [`crate::Error::Overflow`] for amounts beyond `Decimal`'s range.
pub fn total(base: Decimal, additional: Decimal) -> Result<Decimal> {
    Ok(round_cents(num::add(base, additional, "iof_amount")?))
}

/// The IOF of a loan, its parts and its total.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Iof {
    /// Σ of the installments' daily IOF, unrounded (`base_iof`).
    pub base: Decimal,
    /// The additional 0.38 %, unrounded (`additional_iof`).
    pub additional: Decimal,
    /// `round2(base + additional)` (`iof_amount`, `total_iof`).
    pub total: Decimal,
}

impl Iof {
    /// Totals the installments' taxes and adds the additional IOF of `issue_amount`.
    ///
    /// # Errors
    /// [`crate::Error::Overflow`] for amounts beyond `Decimal`'s range.
    pub fn new(
        installment_taxes: impl IntoIterator<Item = Decimal>,
        issue_amount: Decimal,
    ) -> Result<Self> {
        let base = num::sum(installment_taxes, "tax_amount")?;
        let additional = additional(issue_amount)?;
        let total = total(base, additional)?;
        Ok(Iof {
            base,
            additional,
            total,
        })
    }
}

/// The legal ceiling of the daily IOF of one installment, `0.0082 % × min(days, 365)` of its
/// principal, as a fraction of the principal (for property tests and sanity checks).
pub fn daily_ceiling_fraction(calendar_days_from_disbursement: u32) -> Decimal {
    // 0.000082 × days, exactly: 82·days millionths (≤ 29,930), the value and scale of
    // `DAILY_RATE * days` without a decimal multiplication.
    let days = calendar_days_from_disbursement.min(CAP_DAYS);
    if days == 0 {
        return DAILY_RATE * Decimal::ZERO;
    }
    Decimal::from_parts(82 * days, 0, 0, false, DAILY_RATE.scale())
}
