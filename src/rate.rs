//! Interest rates as QI converts, applies and prints them.
//!
//! QI's requests give either a monthly rate (`monthly_interest_rate`) or an annual one
//! (`annual_interest_rate`); its responses print the three of them (`prefixed_interest_rate`) with
//! 8 decimals. The newtypes keep a monthly rate from being used where an annual one is meant, and
//! [`InterestRate`] binds the working rate to its interest base, so that no caller can compound a
//! `workdays` rate over calendar days.
//!
//! Conversions (qi-arithmetic.md §1, domain.md decision 9):
//!
//! | quantity | formula |
//! |---|---|
//! | annual from monthly `m` | `round8((1+m)^12 − 1)` (0.0205 → 0.27572219) |
//! | `calendar_days` working rate | `m_eff = (1+annual8)^(1/12) − 1`, not rounded; interest over `d` days is `(1+m_eff)^(d/30) − 1` |
//! | `calendar_days_365` working rate | `(1+annual8)^(1/365) − 1` per calendar day, not rounded |
//! | `workdays` working rate | `d = round8((1+annual)^(1/252) − 1)` per business day; the **rounded** `d` compounds |
//! | printed `daily_rate` (calendar bases) | `round8((1+monthly)^(1/30) − 1)` |
//! | printed `monthly_rate` (annual input) | `round8((1+annual)^(1/12) − 1)` |

use rust_decimal::{Decimal, MathematicalOps};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::num::{self, round_rate};

/// A monthly rate as a fraction (`0.0205` for 2.05 % a month). Always > −100 %.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MonthlyRate(Decimal);

/// An annual rate as a fraction (`0.27572219` for 27.572219 % a year). Always > −100 %.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AnnualRate(Decimal);

/// Upper bound accepted for an annual rate (as a fraction: 10⁶ = 100,000,000 % a year), so that
/// every power the schedule takes stays inside `Decimal`'s range for any realistic term.
pub const MAX_ANNUAL_RATE: Decimal = Decimal::from_parts(1_000_000, 0, 0, false, 0);

fn check_rate(value: Decimal, field: &str) -> Result<Decimal> {
    if value <= Decimal::NEGATIVE_ONE {
        return Err(Error::invalid(
            field,
            value,
            "a rate must be greater than -100%",
        ));
    }
    Ok(value)
}

impl MonthlyRate {
    /// A monthly rate; `field` names the input for the error.
    ///
    /// # Errors
    /// [`Error::InvalidField`] if the rate is ≤ −100 % or its annual equivalent exceeds
    /// [`MAX_ANNUAL_RATE`].
    pub fn new(value: Decimal, field: &str) -> Result<Self> {
        let r = MonthlyRate(check_rate(value, field)?);
        let too_large = || Error::invalid(field, value, "rate too large");
        let one_plus = num::add(Decimal::ONE, value, field).map_err(|_| too_large())?;
        let annual = num::powu(one_plus, 12, field).map_err(|_| too_large())? - Decimal::ONE;
        if annual > MAX_ANNUAL_RATE {
            return Err(Error::invalid(field, value, "rate too large"));
        }
        if round_rate(annual) <= Decimal::NEGATIVE_ONE {
            // The 8-decimal annual rate QI derives would be −100 %: no growth factor exists.
            return Err(Error::invalid(
                field,
                value,
                "its 8-decimal annual equivalent is -100%",
            ));
        }
        Ok(r)
    }

    /// The rate as a fraction.
    pub fn value(self) -> Decimal {
        self.0
    }

    /// The 8-decimal annual rate QI derives from it: `round8((1+m)^12 − 1)`.
    pub fn to_annual(self) -> AnnualRate {
        let f = (Decimal::ONE + self.0).powu(12);
        AnnualRate(round_rate(f - Decimal::ONE))
    }

    /// The printed `daily_rate` of the calendar bases: `round8((1+m)^(1/30) − 1)` (by
    /// [`num::root_rate`]: the 28-digit root's rounding, decided in `f64` when provably the same).
    ///
    /// # Errors
    /// Only on internal overflow, which [`MonthlyRate::new`]'s bound rules out.
    pub fn daily_display(self) -> Result<Decimal> {
        num::root_rate(Decimal::ONE + self.0, 30, 8, "monthly_rate")
    }
}

impl AnnualRate {
    /// An annual rate; `field` names the input for the error.
    ///
    /// # Errors
    /// [`Error::InvalidField`] if the rate is ≤ −100 % or above [`MAX_ANNUAL_RATE`].
    pub fn new(value: Decimal, field: &str) -> Result<Self> {
        let v = check_rate(value, field)?;
        if v > MAX_ANNUAL_RATE {
            return Err(Error::invalid(field, value, "rate too large"));
        }
        Ok(AnnualRate(v))
    }

    /// The rate as a fraction.
    pub fn value(self) -> Decimal {
        self.0
    }

    /// `(1+a)^(1/n)`, the growth factor of one n-th of a year, unrounded.
    fn root(self, n: u64) -> Result<Decimal> {
        num::nth_root(Decimal::ONE + self.0, n, "annual_rate")
    }

    /// The printed `monthly_rate` when the input is annual: `round8((1+a)^(1/12) − 1)` (by
    /// [`num::root_rate`]).
    ///
    /// # Errors
    /// Only on internal overflow, which the constructor's bound rules out.
    pub fn monthly_display(self) -> Result<Decimal> {
        num::root_rate(Decimal::ONE + self.0, 12, 8, "annual_rate")
    }

    /// The `workdays` daily rate, which is also what compounds: `round8((1+a)^(1/252) − 1)` (by
    /// [`num::root_rate`]).
    ///
    /// # Errors
    /// Only on internal overflow, which the constructor's bound rules out.
    pub fn daily_252(self) -> Result<Decimal> {
        num::root_rate(Decimal::ONE + self.0, 252, 8, "annual_rate")
    }
}

/// The day count an interest base compounds over (QI's `interest_base`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum InterestBase {
    /// Calendar days, monthly rate over 30-day months: `(1+m_eff)^(d/30)`.
    #[default]
    CalendarDays,
    /// Calendar days over a 365-day year: `(1+a)^(d/365)`.
    #[serde(rename = "calendar_days_365")]
    CalendarDays365,
    /// Business days over a 252-day year, at the 8-decimal daily rate: `(1+d8)^wd`.
    Workdays,
}

impl InterestBase {
    /// QI's name of the base.
    pub fn as_str(self) -> &'static str {
        match self {
            InterestBase::CalendarDays => "calendar_days",
            InterestBase::CalendarDays365 => "calendar_days_365",
            InterestBase::Workdays => "workdays",
        }
    }

    /// Whether the base counts business days (`workdays`) rather than calendar days.
    pub fn counts_business_days(self) -> bool {
        self == InterestBase::Workdays
    }
}

/// The rate as the request gave it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateInput {
    /// `monthly_interest_rate`.
    Monthly(MonthlyRate),
    /// `annual_interest_rate`.
    Annual(AnnualRate),
}

/// The working rate of a loan: its base and the growth factor of one day of that base.
///
/// Interest over a period of `n` base days (calendar or business days, as the base says) is
/// `day_factor^n − 1`; the factor of a 30-day month at `calendar_days` is `1 + m_eff` to about
/// 1e-27 relative (the daily factor is a 30th root computed to rust_decimal's precision and raised
/// to integer powers; rust-notes.md §B.7 measured 0 differences against Python's fractional powers
/// over 54,047 interest values).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InterestRate {
    base: InterestBase,
    input: RateInput,
    annual: AnnualRate,
    day_factor: Decimal,
    display: PrefixedInterestRate,
}

impl InterestRate {
    /// Builds the working rate of `input` on `base` (domain.md decision 9: a monthly input is first
    /// turned into the 8-decimal annual rate, and every base derives from that annual rate).
    ///
    /// # Errors
    /// Only on internal overflow, which the rate constructors' bounds rule out.
    ///
    /// # Example
    /// ```
    /// use qitech_sim::rate::{InterestBase, InterestRate, MonthlyRate, RateInput};
    /// use rust_decimal::Decimal;
    /// let m = MonthlyRate::new(Decimal::new(205, 4), "monthly_interest_rate")?;
    /// let rate = InterestRate::new(RateInput::Monthly(m), InterestBase::CalendarDays)?;
    /// assert_eq!(rate.annual().value().to_string(), "0.27572219");
    /// assert_eq!(rate.display().daily_rate.to_string(), "0.00067665");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(input: RateInput, base: InterestBase) -> Result<Self> {
        let annual = match input {
            RateInput::Monthly(m) => m.to_annual(),
            RateInput::Annual(a) => a,
        };
        // On `workdays` the rounded 252-day rate is both what compounds and what is printed.
        let (day_factor, daily_252) = match base {
            InterestBase::CalendarDays => {
                let month = annual.root(12)?;
                (num::nth_root(month, 30, "annual_rate")?, None)
            }
            InterestBase::CalendarDays365 => (annual.root(365)?, None),
            InterestBase::Workdays => {
                let d = annual.daily_252()?;
                (Decimal::ONE + d, Some(d))
            }
        };
        let monthly_rate = match input {
            RateInput::Monthly(m) => m.value(),
            RateInput::Annual(a) => a.monthly_display()?,
        };
        let daily_rate = match daily_252 {
            Some(d) => d,
            None => MonthlyRate(monthly_rate).daily_display()?,
        };
        let display = PrefixedInterestRate {
            annual_rate: annual.value(),
            monthly_rate,
            daily_rate,
            interest_base: base,
        };
        Ok(InterestRate {
            base,
            input,
            annual,
            day_factor,
            display,
        })
    }

    /// The interest base.
    pub fn base(&self) -> InterestBase {
        self.base
    }

    /// The 8-decimal annual rate every base derives from.
    pub fn annual(&self) -> AnnualRate {
        self.annual
    }

    /// Growth factor of one base day (calendar day or business day, as the base says).
    pub fn day_factor(&self) -> Decimal {
        self.day_factor
    }

    /// Growth factor over `days` base days, `day_factor^days`.
    ///
    /// # Errors
    /// [`Error::Overflow`] if the factor leaves `Decimal`'s range (absurd rate × term).
    pub fn growth(&self, days: u32) -> Result<Decimal> {
        num::powu(self.day_factor, u64::from(days), "financial.interest_rate")
    }

    /// The rate as the request gave it.
    pub fn input(&self) -> RateInput {
        self.input
    }

    /// The rates as the response prints them (`prefixed_interest_rate`).
    pub fn display(&self) -> PrefixedInterestRate {
        self.display
    }
}

/// QI's `prefixed_interest_rate` block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrefixedInterestRate {
    /// `annual_rate`, 8 decimals.
    pub annual_rate: Decimal,
    /// `monthly_rate`: the input when monthly, else `round8((1+a)^(1/12) − 1)`.
    pub monthly_rate: Decimal,
    /// `daily_rate`: `round8((1+m)^(1/30) − 1)` on calendar bases, the 252-day rate on `workdays`.
    pub daily_rate: Decimal,
    /// `interest_base`.
    pub interest_base: InterestBase,
}
