//! Interest rates as QI converts, applies and prints them.
//!
//! QI's requests give either a monthly rate (`monthly_interest_rate`) or an annual one
//! (`annual_interest_rate`); its responses print the three of them (`prefixed_interest_rate`) with
//! 8 decimals. The newtypes keep a monthly rate from being used where an annual one is meant, and
//! [`InterestRate`] binds the working rate to its interest base, so that no caller can compound a
//! `workdays` rate over calendar days.
//!
//! Conversions (the crate's conventions, *Rates*):
//!
//! | quantity | formula |
//! |---|---|
//! | annual from monthly `m` | `round8((1+m)^12 − 1)` (0.0205 → 0.27572219) |
//! | `calendar_days` working rate | `m_eff = (1+annual8)^(1/12) − 1`, not rounded; interest over `d` days is `(1+m_eff)^(d/30) − 1` |
//! | `calendar_days_365` working rate | `(1+annual8)^(1/365) − 1` per calendar day, not rounded |
//! | `workdays` working rate | `d = round8((1+annual)^(1/252) − 1)` per business day; the **rounded** `d` compounds |
//! | printed `daily_rate` (`calendar_days`) | `round8((1+monthly)^(1/30) − 1)` |
//! | printed `daily_rate` (`calendar_days_365`) | `round8((1+annual)^(1/365) − 1)` (0.21843191 → 0.00054142) |
//! | printed `monthly_rate` (annual input) | `round8((1+annual)^(1/12) − 1)` |

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::conventions::{AnnualRateDecimals, CalendarDaysGrowth, Conventions, DailyRateBase};
use crate::error::{Error, Result};
use crate::kept::{Kept, kept_or};
use crate::loan::field;
use crate::num::{self, round_dp, round_rate};

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

/// The largest monthly rate a loan takes as a fraction: 1 is 100 % a month. A larger value is
/// almost certainly a percent typed where QI expects a fraction (`2.05` for 0.0205).
pub const MAX_MONTHLY_FRACTION: Decimal = Decimal::ONE;

/// The largest annual rate a loan takes as a fraction: 100 is 10,000 % a year.
pub const MAX_ANNUAL_FRACTION: Decimal = Decimal::ONE_HUNDRED;

/// `rate` when below `limit`, else an [`crate::ErrorKind::OutOfRange`] error that says why: the
/// plausibility check of a loan's rates (a percent typed as a fraction), which every door applies
/// through the engine: the loan-rate constructors ([`InterestRate::monthly`],
/// [`InterestRate::annual_rate`], and the readers' `MonthlyRate::of_loan`/`AnnualRate::of_loan`),
/// [`crate::LoanTerms::validate`] and [`crate::portability::PayrollTerms::new`].
///
/// # Errors
/// [`Error::InvalidField`] on `field` when `rate ≥ limit`.
pub(crate) fn check_fraction(rate: Decimal, field: &str, limit: Decimal) -> Result<Decimal> {
    if rate >= limit {
        return Err(Error::out_of_range(
            field,
            rate,
            format!(
                "must be below {limit}: rates are fractions (0.0205 is 2.05 %), and this is \
                 probably a percent typed as a fraction"
            ),
        ));
    }
    Ok(rate)
}

/// [`check_fraction`] on a loan's rate input, naming `monthly_interest_rate` or
/// `annual_interest_rate` under `prefix` (`financial.`, `refinanced_credit_operations[0].`).
pub(crate) fn check_plausible(input: RateInput, prefix: &str) -> Result<()> {
    let (value, limit, key) = match input {
        RateInput::Monthly(m) => (m.value(), MAX_MONTHLY_FRACTION, "monthly_interest_rate"),
        RateInput::Annual(a) => (a.value(), MAX_ANNUAL_FRACTION, "annual_interest_rate"),
    };
    if value < limit {
        return Ok(());
    }
    check_fraction(value, &format!("{prefix}{key}"), limit).map(|_| ())
}

fn check_rate(value: Decimal, field: &str) -> Result<Decimal> {
    if value <= Decimal::NEGATIVE_ONE {
        return Err(Error::out_of_range(
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
        Self::for_field(value, field::MONTHLY_INTEREST_RATE)
    }

    /// A loan's monthly rate, naming `field`: [`check_fraction`] (a percent typed as a fraction)
    /// before [`MonthlyRate::for_field`]'s bounds, the order [`InterestRate::monthly`] checks in.
    /// Every door builds a loan's rate here.
    pub(crate) fn of_loan(value: Decimal, field: &str) -> Result<Self> {
        Self::for_field(check_fraction(value, field, MAX_MONTHLY_FRACTION)?, field)
    }

    /// [`MonthlyRate::new`], naming `field` in the error. A batch brings a campaign's rates again
    /// and again: the rates built on this thread are kept, keyed by the value's bytes (its scale
    /// included), as [`InterestRate::with_conventions`] keeps its rates; a refusal is not kept (it
    /// names its field), and a kept rate is the rate built again ([`MonthlyRate::derive`]).
    pub(crate) fn for_field(value: Decimal, field: &str) -> Result<Self> {
        thread_local! {
            static KEPT: std::cell::RefCell<Kept<[u8; 16], MonthlyRate>> =
                std::cell::RefCell::new(Kept::new(RATES_KEPT));
        }
        kept_or(&KEPT, value.serialize(), || Self::derive(value, field))
    }

    /// [`MonthlyRate::for_field`], computed: the bounds, and the 8-decimal annual rate.
    fn derive(value: Decimal, field: &str) -> Result<Self> {
        check_rate(value, field)?;
        let too_large = || Error::out_of_range(field, value, "rate too large");
        let one_plus = num::add(Decimal::ONE, value, field).map_err(|_| too_large())?;
        // The one place of `annual = (1+m)^12 − 1`, rounded to 8 decimals as QI prints and uses it.
        let annual = num::powu(one_plus, 12, field).map_err(|_| too_large())? - Decimal::ONE;
        if annual > MAX_ANNUAL_RATE {
            return Err(too_large());
        }
        let annual8 = round_rate(annual);
        if annual8 <= Decimal::NEGATIVE_ONE {
            // The 8-decimal annual rate QI derives would be −100 %: no growth factor exists.
            return Err(Error::out_of_range(
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

    /// `(1+m)^12 − 1`, unrounded (the one place of that formula besides [`MonthlyRate::new`]'s
    /// 8-decimal rounding of it).
    ///
    /// # Errors
    /// Only on internal overflow, which [`MonthlyRate::new`]'s bound rules out.
    pub fn annual_exact(self) -> Result<Decimal> {
        const FIELD: &str = field::MONTHLY_INTEREST_RATE;
        Ok(num::powu(num::add(Decimal::ONE, self.value, FIELD)?, 12, FIELD)? - Decimal::ONE)
    }

    /// `round_dp((1+m)^12 − 1)`: the annual rate at `dp` decimals (`annual_rate_decimals: 6`,
    /// other platforms' rule: the crate's conventions, *Switches*).
    ///
    /// # Errors
    /// [`Error::InvalidField`] when the rounded rate is −100 % (no growth factor exists).
    pub fn to_annual_dp(self, dp: u32) -> Result<AnnualRate> {
        let a = round_dp(self.annual_exact()?, dp);
        if a <= Decimal::NEGATIVE_ONE {
            return Err(Error::out_of_range(
                field::MONTHLY_INTEREST_RATE,
                self.value,
                format!("its {dp}-decimal annual equivalent is -100%"),
            ));
        }
        Ok(AnnualRate(a))
    }

    /// The printed `daily_rate` of the calendar bases: `round8((1+m)^(1/30) − 1)` (by the crate's
    /// `root_rate`: the 28-digit root's rounding, decided in `f64` when provably the same).
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
        Self::for_field(value, field::ANNUAL_INTEREST_RATE)
    }

    /// A loan's annual rate, naming `field`: [`check_fraction`] (a percent typed as a fraction)
    /// before [`AnnualRate::for_field`]'s bounds, the order [`InterestRate::annual_rate`] checks in.
    pub(crate) fn of_loan(value: Decimal, field: &str) -> Result<Self> {
        Self::for_field(check_fraction(value, field, MAX_ANNUAL_FRACTION)?, field)
    }

    /// [`AnnualRate::new`], naming `field` in the error.
    pub(crate) fn for_field(value: Decimal, field: &str) -> Result<Self> {
        let v = check_rate(value, field)?;
        if v > MAX_ANNUAL_RATE {
            return Err(Error::out_of_range(field, value, "rate too large"));
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
    /// the crate's `root_rate`).
    ///
    /// # Errors
    /// Only on internal overflow, which the constructor's bound rules out.
    pub fn monthly_display(self) -> Result<Decimal> {
        num::root_rate(Decimal::ONE + self.0, 12, 8, "annual_rate")
    }

    /// The `workdays` daily rate, which is also what compounds: `round8((1+a)^(1/252) − 1)` (by
    /// the crate's `root_rate`).
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

crate::names::named_enum!(InterestBase, "interest base", field::INTEREST_BASE, {
    CalendarDays => "calendar_days",
    CalendarDays365 => "calendar_days_365",
    Workdays => "workdays",
});

impl InterestBase {
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
/// to integer powers: measured 0 differences against Python's fractional powers
/// over 54,047 interest values).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct InterestRate {
    input: RateInput,
    base: InterestBase,
    annual: AnnualRate,
    day_factor: Decimal,
    display: PrefixedInterestRate,
}

impl std::fmt::Debug for InterestRate {
    // The derived format of the four pricing fields (the response keys hash it); the input
    // monthly rate is the display's `monthly_rate` already.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InterestRate")
            .field("base", &self.base)
            .field("annual", &self.annual)
            .field("day_factor", &self.day_factor)
            .field("display", &self.display)
            .finish()
    }
}

/// How many derived rates each thread keeps ([`InterestRate::with_conventions`]): a campaign's
/// rate card — every monthly rate of four decimals from 0.5 % to 10 % is 951 rates — with room
/// to spare. An entry is 196 bytes (key and rate), so a full memo holds about 0.4 MB per thread
/// with the map's slack.
const RATES_KEPT: usize = 1024;

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
        Self::with_conventions(input, base, &Conventions::default())
    }

    /// [`InterestRate::new`] under the rate switches of `c` (the crate's conventions, *Switches*):
    /// * working annual rate `round_k((1+m)^12 − 1)`, k = `annual_rate_decimals` (8, or 6), every
    ///   base deriving from it;
    /// * on `calendar_days` with `calendar_days_growth: daily_rate`, the day factor `1 + d8`,
    ///   `d8 = round8((1+m)^(1/30) − 1)` (`fixtures/qi-examples/v2-sim-2025.response.json`:
    ///   1.00225783^19);
    /// * the printed rates at `rate_decimals` (8, 10 or unrounded: `annual_rate` then
    ///   `(1+m)^12 − 1`, `monthly_rate` `(1+a)^(1/12) − 1`, `daily_rate` from the unrounded
    ///   monthly rate; `fixtures/qi-examples/bnpl-issue-2026.response.json` prints 10,
    ///   `anaue-preprice-5000-2020.response.json` unrounded), the daily one of the base's own day
    ///   on `calendar_days_365` under `daily_rate_base: interest_base` (`(1+a)^(1/365) − 1`: QI's
    ///   pt simulation page, 0.00054142).
    ///
    /// # Errors
    /// Only on internal overflow, which the rate constructors' bounds rule out.
    ///
    /// ```
    /// use qitech_sim::conventions::{Conventions, Profile, RateDecimals};
    /// use qitech_sim::rate::{InterestBase, InterestRate, MonthlyRate, RateInput};
    /// let m = RateInput::Monthly(MonthlyRate::new("0.052".parse()?)?);
    /// let mut c = Conventions::profile(Profile::QiV2);
    /// c.rate_decimals = RateDecimals::Ten;
    /// let rate = InterestRate::with_conventions(m, InterestBase::CalendarDays, &c)?;
    /// assert_eq!(rate.display().annual_rate.to_string(), "0.8373372409");
    /// assert_eq!(rate.display().daily_rate.to_string(), "0.0016911989");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_conventions(input: RateInput, base: InterestBase, c: &Conventions) -> Result<Self> {
        // A batch prices many loans at a campaign's rate card: the rates derived on this thread
        // are kept, keyed by their inputs digit for digit (a `Decimal`'s scale included: 0.0205
        // and 0.02050 are different keys), and a rate derived again is the same value. The map
        // holds up to [`RATES_KEPT`] rates and starts again empty when full, so its memory is
        // bounded whatever the input.
        type Key = ([u8; 16], [u8; 16], InterestBase, Conventions);
        thread_local! {
            static KEPT: std::cell::RefCell<Kept<Key, InterestRate>> =
                std::cell::RefCell::new(Kept::new(RATES_KEPT));
        }
        let key: Key = match input {
            RateInput::Monthly(m) => (m.value.serialize(), m.annual8.serialize(), base, *c),
            RateInput::Annual(a) => (a.0.serialize(), [0xff; 16], base, *c),
        };
        // Equal keys are equal inputs (the key holds the input's bytes, scale included).
        kept_or(&KEPT, key, || Self::derive(input, base, c))
    }

    /// [`InterestRate::with_conventions`], computed.
    fn derive(input: RateInput, base: InterestBase, c: &Conventions) -> Result<Self> {
        const FIELD: &str = "annual_rate";
        let annual = match (input, c.annual_rate_decimals) {
            (RateInput::Monthly(m), AnnualRateDecimals::Eight) => m.to_annual(),
            (RateInput::Monthly(m), dp) => m.to_annual_dp(dp.dp())?,
            (RateInput::Annual(a), _) => a,
        };
        // The monthly rate unrounded: the input, or the 12th root of the annual input.
        let monthly_exact = || -> Result<Decimal> {
            match input {
                RateInput::Monthly(m) => Ok(m.value()),
                RateInput::Annual(a) => Ok(a.root(12)? - Decimal::ONE),
            }
        };
        let dp = c.rate_decimals.dp();
        let at = |x: Decimal| dp.map_or(x, |d| round_dp(x, d));
        let monthly_rate = match (input, dp) {
            (RateInput::Monthly(m), _) => m.value(),
            (RateInput::Annual(a), Some(8)) => a.monthly_display()?,
            (RateInput::Annual(_), _) => at(monthly_exact()?),
        };
        // On `workdays` the rounded 252-day rate is both what compounds and what is printed.
        let (day_factor, daily_252) = match base {
            InterestBase::CalendarDays => match c.calendar_days_growth {
                CalendarDaysGrowth::MonthlyRate => {
                    let month = annual.root(12)?;
                    (num::nth_root(month, 30, FIELD)?, None)
                }
                CalendarDaysGrowth::DailyRate => {
                    let eight_dp_monthly = match input {
                        RateInput::Monthly(m) => m.value(),
                        RateInput::Annual(a) => a.monthly_display()?,
                    };
                    (Decimal::ONE + daily_display(eight_dp_monthly)?, None)
                }
            },
            InterestBase::CalendarDays365 => (annual.root(365)?, None),
            InterestBase::Workdays => {
                let d = annual.daily_252()?;
                (Decimal::ONE + d, Some(d))
            }
        };
        let daily_rate = match (base, daily_252, dp) {
            (InterestBase::Workdays, Some(d), Some(8)) => d,
            (InterestBase::Workdays, _, _) => at(annual.root(252)? - Decimal::ONE),
            (InterestBase::CalendarDays365, _, _)
                if c.daily_rate_base == DailyRateBase::InterestBase =>
            {
                at(annual.root(365)? - Decimal::ONE)
            }
            (_, _, Some(8)) => daily_display(monthly_rate)?,
            _ => at(num::nth_root(Decimal::ONE + monthly_exact()?, 30, FIELD)? - Decimal::ONE),
        };
        let annual_rate = match (input, dp) {
            (RateInput::Annual(a), _) => a.value(),
            (RateInput::Monthly(_), Some(8)) => annual.value(),
            (RateInput::Monthly(m), _) => at(m.annual_exact()?),
        };
        let display = PrefixedInterestRate {
            annual_rate,
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

    /// The rate as the request gave it.
    pub fn input(&self) -> RateInput {
        self.input
    }

    /// A monthly rate (`monthly_interest_rate`, as a fraction) on `base`.
    ///
    /// # Errors
    /// As [`MonthlyRate::new`]; [`Error::InvalidField`] on `financial.monthly_interest_rate` for a
    /// rate of [`MAX_MONTHLY_FRACTION`] or more (a percent typed as a fraction, refused as the JSON
    /// reader refuses it).
    ///
    /// ```
    /// use qitech_sim::rate::{InterestBase, InterestRate};
    /// assert!(InterestRate::monthly("2.05".parse()?, InterestBase::CalendarDays).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// ```
    /// use qitech_sim::rate::{InterestBase, InterestRate};
    /// let rate = InterestRate::monthly("0.0205".parse()?, InterestBase::CalendarDays)?;
    /// assert_eq!(rate.display().annual_rate.to_string(), "0.27572219");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn monthly(value: Decimal, base: InterestBase) -> Result<Self> {
        const FIELD: &str = field::MONTHLY_INTEREST_RATE;
        Self::new(
            RateInput::Monthly(MonthlyRate::of_loan(value, FIELD)?),
            base,
        )
    }

    /// An annual rate (`annual_interest_rate`, as a fraction) on `base`.
    ///
    /// # Errors
    /// As [`AnnualRate::new`]; [`Error::InvalidField`] on `financial.annual_interest_rate` for a
    /// rate of [`MAX_ANNUAL_FRACTION`] or more (a percent typed as a fraction).
    ///
    /// ```
    /// use qitech_sim::rate::{InterestBase, InterestRate};
    /// let rate = InterestRate::annual_rate("0.20983".parse()?, InterestBase::Workdays)?;
    /// assert_eq!(rate.display().daily_rate.to_string(), "0.00075616");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn annual_rate(value: Decimal, base: InterestBase) -> Result<Self> {
        const FIELD: &str = field::ANNUAL_INTEREST_RATE;
        Self::new(RateInput::Annual(AnnualRate::of_loan(value, FIELD)?), base)
    }

    /// The interest base.
    pub fn base(&self) -> InterestBase {
        self.base
    }

    /// The 8-decimal annual rate every base derives from.
    pub fn annual(&self) -> AnnualRate {
        self.annual
    }

    /// The factor of one base day, which [`InterestRate::growth`] raises to a day count.
    pub(crate) fn day_factor(&self) -> Decimal {
        self.day_factor
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
            RateInput::Monthly(_) => field::MONTHLY_INTEREST_RATE,
            RateInput::Annual(_) => field::ANNUAL_INTEREST_RATE,
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

    /// The monthly rate `m` of the per-period systems (`pre_price`), unrounded: the input when it
    /// is monthly, else `(1+a)^(1/12) − 1` of the annual input. QI's `pre_price` example
    /// (`fixtures/qi-examples/anaue-preprice-5000-2020.response.json`) prints it unrounded:
    /// 3.32^(1/12) − 1 = 0.10516767467346065 for `annual_interest_rate` 2.32.
    ///
    /// # Errors
    /// Only on internal overflow, which the rate constructors' bounds rule out.
    ///
    /// ```
    /// use qitech_sim::rate::{InterestBase, InterestRate};
    /// let rate = InterestRate::annual_rate("2.32".parse()?, InterestBase::CalendarDays)?;
    /// assert_eq!(rate.period_rate()?.to_string().parse::<f64>()?, 0.10516767467346065);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn period_rate(&self) -> Result<Decimal> {
        match self.input {
            RateInput::Monthly(m) => Ok(m.value()),
            RateInput::Annual(a) => Ok(a.root(12)? - Decimal::ONE),
        }
    }

    /// The daily rate of [`InterestRate::period_rate`], unrounded: `(1+m)^(1/30) − 1` (QI's 2020
    /// `pre_price` example prints 0.0033387969150536893 = 3.32^(1/360) − 1). The 8-decimal
    /// `daily_rate` of [`InterestRate::display`] is its rounding on the calendar bases.
    ///
    /// # Errors
    /// Only on internal overflow.
    pub fn daily_unrounded(&self) -> Result<Decimal> {
        let m = self.period_rate()?;
        Ok(num::nth_root(Decimal::ONE + m, 30, "monthly_rate")? - Decimal::ONE)
    }
}

/// QI's `prefixed_interest_rate` block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrefixedInterestRate {
    /// `annual_rate`, 8 decimals.
    pub annual_rate: Decimal,
    /// `monthly_rate`: the input when monthly, else `round8((1+a)^(1/12) − 1)`.
    pub monthly_rate: Decimal,
    /// `daily_rate`: `round8((1+m)^(1/30) − 1)` on `calendar_days`, `round8((1+a)^(1/365) − 1)` on
    /// `calendar_days_365`, the 252-day rate on `workdays`.
    pub daily_rate: Decimal,
    /// `interest_base`.
    pub interest_base: InterestBase,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A rate read from the thread's memo is the rate derived again, field for field, on the
    /// first call, the second, and after the memo started again empty (more rates than it
    /// holds), under two profiles: the memo's keys keep a `Decimal`'s scale (0.0205 ≠ 0.02050).
    #[test]
    fn a_kept_rate_is_the_rate_derived_again() {
        use crate::conventions::Profile;
        let profiles = [Conventions::default(), Conventions::profile(Profile::QiV2)];
        let mut inputs = Vec::new();
        for k in 1..=1200 {
            let m = Decimal::new(k, 5);
            inputs.push(RateInput::Monthly(MonthlyRate::new(m).expect("in range")));
            let mut wide = m;
            wide.rescale(7);
            inputs.push(RateInput::Monthly(
                MonthlyRate::new(wide).expect("in range"),
            ));
        }
        assert!(inputs.len() > RATES_KEPT);
        for _ in 0..2 {
            for c in &profiles {
                for &input in &inputs {
                    for base in [InterestBase::CalendarDays, InterestBase::Workdays] {
                        let kept =
                            InterestRate::with_conventions(input, base, c).expect("in range");
                        let derived = InterestRate::derive(input, base, c).expect("in range");
                        assert!(kept == derived, "{input:?} {base:?}");
                        assert_eq!(format!("{kept:?}"), format!("{derived:?}"));
                        assert_eq!(
                            kept.day_factor().serialize(),
                            derived.day_factor().serialize()
                        );
                    }
                }
            }
        }
    }

    /// A monthly rate read from the thread's memo is the rate built again (value and annual
    /// rate, bits and scale), on the first call, the second, and after the memo started again
    /// empty; a refused rate (negative, too large, a percent typed as a fraction) is refused
    /// alike each time, naming the field given.
    #[test]
    fn a_kept_monthly_rate_is_the_rate_built_again() {
        let mut values: Vec<Decimal> = (1..=1200).map(|k| Decimal::new(k, 5)).collect();
        values.extend((1..=1200).map(|k| Decimal::new(k * 100, 7)));
        values.extend(
            ["-0.01", "0", "2", "2.5", "25", "1.5", "0.9999"]
                .map(|t| t.parse::<Decimal>().expect("decimal")),
        );
        assert!(values.len() > RATES_KEPT);
        let outcome = |r: Result<MonthlyRate>| match r {
            Ok(m) => format!("ok {:?} {:?}", m.value.serialize(), m.annual8.serialize()),
            Err(e) => format!("err {:?} {:?} {e}", e.kind(), e.field()),
        };
        for _ in 0..2 {
            for &v in &values {
                for field in ["financial.monthly_interest_rate", "monthly_interest_rate"] {
                    assert_eq!(
                        outcome(MonthlyRate::of_loan(v, field)),
                        outcome(
                            check_fraction(v, field, MAX_MONTHLY_FRACTION)
                                .and_then(|v| MonthlyRate::derive(v, field))
                        ),
                        "{v}"
                    );
                }
            }
        }
    }

    /// The bound of [`MAX_ANNUAL_RATE`] on both inputs: a monthly rate whose annual equivalent
    /// passes it (250 % a month: 3.5¹² − 1 ≈ 3.4 × 10⁶) is refused, one below (200 %: 3¹² − 1 =
    /// 531,440) is not; an annual rate of exactly 10⁶ is accepted and 10⁶ + 1 refused.
    #[test]
    fn rates_are_bounded_by_the_annual_maximum() {
        let too_large =
            |r: Result<()>| matches!(r, Err(e) if e.to_string().contains("rate too large"));
        assert!(too_large(MonthlyRate::new(Decimal::new(25, 1)).map(|_| ())));
        let m = MonthlyRate::new(Decimal::TWO).expect("200 % a month");
        assert_eq!(m.to_annual().value(), Decimal::from(531_440));
        assert_eq!(
            AnnualRate::new(MAX_ANNUAL_RATE)
                .expect("the maximum")
                .value(),
            MAX_ANNUAL_RATE
        );
        assert!(too_large(
            AnnualRate::new(MAX_ANNUAL_RATE + Decimal::ONE).map(|_| ())
        ));
    }

    /// The daily rate's arms that the default conventions do not reach: `workdays` at 10 decimals
    /// is the 252nd root of the annual rate (round10(1.27572219^(1/252) − 1) = 0.0009667863),
    /// `calendar_days_365` with `daily_rate_base: month30` a 30th of a month (0.00067665, the
    /// default being the 365th root, 0.00066738).
    #[test]
    fn the_daily_rate_follows_the_base_and_the_switches() {
        let m = RateInput::Monthly(MonthlyRate::new(Decimal::new(205, 4)).expect("rate"));
        let daily = |base, c: Conventions| {
            InterestRate::derive(m, base, &c)
                .expect("rate")
                .display()
                .daily_rate
        };
        let ten = Conventions {
            rate_decimals: crate::conventions::RateDecimals::Ten,
            ..Conventions::default()
        };
        assert_eq!(
            daily(InterestBase::Workdays, ten),
            Decimal::new(9_667_863, 10)
        );
        let month30 = Conventions {
            daily_rate_base: crate::conventions::DailyRateBase::Month30,
            ..Conventions::default()
        };
        assert_eq!(
            daily(InterestBase::CalendarDays365, month30),
            Decimal::new(67_665, 8)
        );
        assert_eq!(
            daily(InterestBase::CalendarDays365, Conventions::default()),
            Decimal::new(66_738, 8)
        );
    }

    /// `InterestRate`'s `Debug` (what a typed request's key hashes) shows the derived rate, so
    /// two rates print differently.
    #[test]
    fn the_debug_format_tells_rates_apart() {
        let rate = |v| {
            InterestRate::new(
                RateInput::Monthly(MonthlyRate::new(Decimal::new(v, 4)).expect("rate")),
                InterestBase::CalendarDays,
            )
            .expect("rate")
        };
        let (a, b) = (format!("{:?}", rate(205)), format!("{:?}", rate(199)));
        assert!(
            a.starts_with("InterestRate {") && a.contains("day_factor"),
            "{a}"
        );
        assert_ne!(a, b);
    }

    /// The printed daily rate of the calendar bases: round8(1.0205^(1/30) − 1) = 0.00067665.
    #[test]
    fn the_daily_display_rate_is_the_30th_root() {
        let m = MonthlyRate::new(Decimal::new(205, 4)).expect("rate");
        assert_eq!(m.daily_display().expect("daily"), Decimal::new(67_665, 8));
    }

    /// A rate derived again (from the thread's recent rates) is the rate derived afresh, bit for
    /// bit, and inputs that differ only in scale are derived each on their own.
    #[test]
    fn recent_rates_are_the_rates_derived() {
        let c = Conventions::default();
        for text in ["0.0205", "0.02050", "0.0205", "0.0199"] {
            let m = MonthlyRate::new(text.parse().expect("decimal")).expect("rate");
            for base in [
                InterestBase::CalendarDays,
                InterestBase::Workdays,
                InterestBase::CalendarDays365,
            ] {
                for input in [RateInput::Monthly(m), RateInput::Annual(m.to_annual())] {
                    let fresh = InterestRate::derive(input, base, &c).expect("derived");
                    for _ in 0..2 {
                        let got = InterestRate::with_conventions(input, base, &c).expect("rate");
                        assert_eq!(format!("{got:?}"), format!("{fresh:?}"));
                        assert_eq!(
                            format!("{:?}", got.display()),
                            format!("{:?}", fresh.display())
                        );
                        assert_eq!(got.input, fresh.input);
                    }
                }
            }
        }
    }
}
