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

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::num::{self, round_rate};

/// A monthly rate as a fraction (`0.0205` for 2.05 % a month), with the 8-decimal annual rate QI
/// derives from it. Always > −100 %.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MonthlyRate {
    value: Decimal,
    annual8: Decimal,
}

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
    /// A monthly rate (`financial.monthly_interest_rate`).
    ///
    /// # Errors
    /// [`Error::InvalidField`] if the rate is ≤ −100 % or its annual equivalent exceeds
    /// [`MAX_ANNUAL_RATE`].
    ///
    /// ```
    /// use qitech_sim::rate::MonthlyRate;
    /// let m = MonthlyRate::new("0.0205".parse()?)?;
    /// assert_eq!(m.to_annual().value().to_string(), "0.27572219");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(value: Decimal) -> Result<Self> {
        Self::for_field(value, "financial.monthly_interest_rate")
    }

    /// [`MonthlyRate::new`], naming `field` in the error.
    pub(crate) fn for_field(value: Decimal, field: &str) -> Result<Self> {
        check_rate(value, field)?;
        let too_large = || Error::invalid(field, value, "rate too large");
        let one_plus = num::add(Decimal::ONE, value, field).map_err(|_| too_large())?;
        // The one place of `annual = (1+m)^12 − 1`, rounded to 8 decimals as QI prints and uses it.
        let annual = num::powu(one_plus, 12, field).map_err(|_| too_large())? - Decimal::ONE;
        if annual > MAX_ANNUAL_RATE {
            return Err(too_large());
        }
        let annual8 = round_rate(annual);
        if annual8 <= Decimal::NEGATIVE_ONE {
            // The 8-decimal annual rate QI derives would be −100 %: no growth factor exists.
            return Err(Error::invalid(
                field,
                value,
                "its 8-decimal annual equivalent is -100%",
            ));
        }
        Ok(MonthlyRate { value, annual8 })
    }

    /// The rate as a fraction.
    pub fn value(self) -> Decimal {
        self.value
    }

    /// The 8-decimal annual rate QI derives from it: `round8((1+m)^12 − 1)`.
    pub fn to_annual(self) -> AnnualRate {
        AnnualRate(self.annual8)
    }

    /// The printed `daily_rate` of the calendar bases: `round8((1+m)^(1/30) − 1)` (by
    /// [`num::root_rate`]: the 28-digit root's rounding, decided in `f64` when provably the same).
    ///
    /// # Errors
    /// Only on internal overflow, which [`MonthlyRate::new`]'s bound rules out.
    pub fn daily_display(self) -> Result<Decimal> {
        daily_display(self.value)
    }
}

/// `round8((1+m)^(1/30) − 1)`: the printed daily rate of a monthly rate `m` on the calendar bases.
fn daily_display(m: Decimal) -> Result<Decimal> {
    num::root_rate(Decimal::ONE + m, 30, 8, "monthly_rate")
}

impl AnnualRate {
    /// An annual rate (`financial.annual_interest_rate`).
    ///
    /// # Errors
    /// [`Error::InvalidField`] if the rate is ≤ −100 % or above [`MAX_ANNUAL_RATE`].
    pub fn new(value: Decimal) -> Result<Self> {
        Self::for_field(value, "financial.annual_interest_rate")
    }

    /// [`AnnualRate::new`], naming `field` in the error.
    pub(crate) fn for_field(value: Decimal, field: &str) -> Result<Self> {
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
    input: RateInput,
    base: InterestBase,
    annual: AnnualRate,
    day_factor: Decimal,
    display: PrefixedInterestRate,
}

impl InterestRate {
    /// Builds the working rate of `input` on `base` (a monthly input is first turned into the
    /// 8-decimal annual rate, and every base derives from that annual rate: see the crate's
    /// conventions, "Rates").
    ///
    /// # Errors
    /// Only on internal overflow, which the rate constructors' bounds rule out.
    ///
    /// # Example
    /// ```
    /// use qitech_sim::rate::{InterestBase, InterestRate, MonthlyRate, RateInput};
    /// use rust_decimal::Decimal;
    /// let m = MonthlyRate::new(Decimal::new(205, 4))?;
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
            None => daily_display(monthly_rate)?,
        };
        let display = PrefixedInterestRate {
            annual_rate: annual.value(),
            monthly_rate,
            daily_rate,
            interest_base: base,
        };
        Ok(InterestRate {
            input,
            base,
            annual,
            day_factor,
            display,
        })
    }

    /// A monthly rate (`monthly_interest_rate`, as a fraction) on `base`.
    ///
    /// # Errors
    /// As [`MonthlyRate::new`].
    ///
    /// ```
    /// use qitech_sim::rate::{InterestBase, InterestRate};
    /// let rate = InterestRate::monthly("0.0205".parse()?, InterestBase::CalendarDays)?;
    /// assert_eq!(rate.display().annual_rate.to_string(), "0.27572219");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn monthly(value: Decimal, base: InterestBase) -> Result<Self> {
        Self::new(RateInput::Monthly(MonthlyRate::new(value)?), base)
    }

    /// An annual rate (`annual_interest_rate`, as a fraction) on `base`.
    ///
    /// # Errors
    /// As [`AnnualRate::new`].
    ///
    /// ```
    /// use qitech_sim::rate::{InterestBase, InterestRate};
    /// let rate = InterestRate::annual_rate("0.20983".parse()?, InterestBase::Workdays)?;
    /// assert_eq!(rate.display().daily_rate.to_string(), "0.00075616");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn annual_rate(value: Decimal, base: InterestBase) -> Result<Self> {
        Self::new(RateInput::Annual(AnnualRate::new(value)?), base)
    }

    /// The interest base.
    pub fn base(&self) -> InterestBase {
        self.base
    }

    /// The 8-decimal annual rate every base derives from.
    pub fn annual(&self) -> AnnualRate {
        self.annual
    }

    /// Growth factor over `days` base days, `day_factor^days`.
    ///
    /// # Errors
    /// [`Error::Overflow`] if the factor leaves `Decimal`'s range (absurd rate × term).
    pub fn growth(&self, days: u32) -> Result<Decimal> {
        num::powu(self.day_factor, u64::from(days), self.input_field())
            .map_err(|_| self.term_error())
    }

    /// The request field the rate came from: `financial.monthly_interest_rate` or
    /// `financial.annual_interest_rate`.
    pub fn input_field(&self) -> &'static str {
        match self.input {
            RateInput::Monthly(_) => "financial.monthly_interest_rate",
            RateInput::Annual(_) => "financial.annual_interest_rate",
        }
    }

    /// The rate as the request gave it.
    pub fn input_value(&self) -> Decimal {
        match self.input {
            RateInput::Monthly(m) => m.value(),
            RateInput::Annual(a) => a.value(),
        }
    }

    /// The error of a schedule whose growth factors leave `Decimal`'s range at this rate: an
    /// [`Error::Overflow`] naming the input rate field and the rate as given (never an internal
    /// factor).
    pub fn term_error(&self) -> Error {
        Error::overflow(self.input_field(), self.input_value())
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
