//! Numeric conventions: named roundings, exact roots, checked arithmetic and exact `f64` output.
//!
//! Every quantization of the crate goes through one of the named functions here, each
//! `ROUND_HALF_EVEN` (domain.md decision 1: what reproduces QI's printed numbers, which are those of
//! Python `decimal` with its default context).

use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
use rust_decimal::{Decimal, MathematicalOps, RoundingStrategy};

use crate::error::{Error, Result};

/// The rounding mode of every quantization in the crate: half to even.
pub const ROUNDING: RoundingStrategy = RoundingStrategy::MidpointNearestEven;

/// Round half-even to `dp` decimal places.
pub fn round_dp(x: Decimal, dp: u32) -> Decimal {
    x.round_dp_with_strategy(dp, ROUNDING)
}

/// Money: round half-even to cents (issue amounts, installment totals, IOF total, fees).
pub fn round_cents(x: Decimal) -> Decimal {
    round_dp(x, 2)
}

/// Rates as QI prints and uses them: round half-even to 8 decimals.
pub fn round_rate(x: Decimal) -> Decimal {
    round_dp(x, 8)
}

/// Face-value-mode interest and principal: round half-even to 10 decimals.
pub fn round_interest(x: Decimal) -> Decimal {
    round_dp(x, 10)
}

/// Checked `a × b`; `field` names the input blamed on overflow.
pub fn mul(a: Decimal, b: Decimal, field: &str) -> Result<Decimal> {
    a.checked_mul(b).ok_or_else(|| Error::overflow(field, a))
}

/// Checked `a + b`; `field` names the input blamed on overflow.
pub fn add(a: Decimal, b: Decimal, field: &str) -> Result<Decimal> {
    a.checked_add(b).ok_or_else(|| Error::overflow(field, a))
}

/// Checked `a − b`; `field` names the input blamed on overflow.
pub fn sub(a: Decimal, b: Decimal, field: &str) -> Result<Decimal> {
    a.checked_sub(b).ok_or_else(|| Error::overflow(field, a))
}

/// Checked `a ÷ b` (division by zero is reported as an overflow of `field`).
pub fn div(a: Decimal, b: Decimal, field: &str) -> Result<Decimal> {
    a.checked_div(b).ok_or_else(|| Error::overflow(field, a))
}

/// Checked integer power `x^n` (exact square-and-multiply with rust_decimal's wide intermediates).
pub fn powu(x: Decimal, n: u64, field: &str) -> Result<Decimal> {
    x.checked_powu(n).ok_or_else(|| Error::overflow(field, x))
}

/// `x^(1/n)` for `x > 0`, `n ≥ 1`, to rust_decimal's full precision (≈ 1e-28 relative).
///
/// An `f64` seed (relative error ≈ 1e-16) refined by Newton steps `y ← y − (yⁿ − x)/(n·yⁿ⁻¹)` in
/// `Decimal`; each step squares the relative error, so two steps reach the limit of the type. This is
/// 7–12× faster than `powd(1/n)` and as accurate (rust-notes.md §B.7). The `f64` is only a starting
/// point: the result does not depend on its last bits.
///
/// # Errors
/// [`Error::InvalidField`] if `x ≤ 0` or `n = 0`; [`Error::Overflow`] if `x` is beyond what the
/// powers can hold.
pub fn nth_root(x: Decimal, n: u64, field: &str) -> Result<Decimal> {
    if x <= Decimal::ZERO || n == 0 {
        return Err(Error::invalid(field, x, "root of a non-positive number"));
    }
    if n == 1 {
        return Ok(x);
    }
    let seed = to_f64(x).powf(1.0 / n as f64);
    let mut y = Decimal::from_f64(seed).ok_or_else(|| Error::overflow(field, x))?;
    let nd = Decimal::from(n);
    for _ in 0..3 {
        let yn1 = powu(y, n - 1, field)?;
        let f = sub(mul(yn1, y, field)?, x, field)?;
        let step = div(f, mul(nd, yn1, field)?, field)?;
        if step.is_zero() {
            break;
        }
        y = sub(y, step, field)?;
    }
    Ok(y)
}

/// The `f64` nearest to the decimal value (correctly rounded, through the decimal string).
///
/// `Decimal::to_f64` is not correctly rounded (rust-notes.md §0.4: 10.5 % of 17-digit values come out
/// one ulp off); parsing the shortest decimal string is, so this is how every float of the JSON output
/// is produced.
pub fn to_f64(x: Decimal) -> f64 {
    match x.normalize().to_string().parse::<f64>() {
        Ok(v) => v,
        Err(_) => x.to_f64().unwrap_or(f64::NAN),
    }
}

/// The decimal whose digits are the shortest round-trip representation of `v` (how a JSON number
/// such as `0.0205` becomes exactly `0.0205`).
///
/// # Errors
/// [`Error::InvalidField`] for NaN, infinities and magnitudes beyond `Decimal`.
pub fn from_f64_shortest(v: f64, field: &str) -> Result<Decimal> {
    if !v.is_finite() {
        return Err(Error::invalid(field, v, "not a finite number"));
    }
    let s = format!("{v}");
    s.parse::<Decimal>()
        .or_else(|_| Decimal::from_scientific(&format!("{v:e}")))
        .map_err(|_| Error::invalid(field, v, "number out of the decimal range"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap_or_default()
    }

    #[test]
    fn half_even_ties() {
        for (x, dp, want) in [
            ("0.125", 2, "0.12"),
            ("0.135", 2, "0.14"),
            ("1.948", 2, "1.95"),
            ("0.000676650", 8, "0.00067665"),
            ("3.18827157727721", 10, "3.1882715773"),
        ] {
            assert_eq!(round_dp(d(x), dp), d(want), "{x} at {dp}");
        }
    }

    #[test]
    fn roots_match_reference_digits() {
        // (1.27572219)^(1/12) = 1.020500000218505656276975775… (Python decimal, 28 digits)
        let r = nth_root(d("1.27572219"), 12, "t").unwrap_or_default();
        assert_eq!(round_dp(r, 26), d("1.02050000021850565627697578"));
        let r = nth_root(d("1.20983"), 252, "t").unwrap_or_default();
        assert_eq!(round_rate(r - Decimal::ONE), d("0.00075616"));
    }

    #[test]
    fn float_output_is_correctly_rounded() {
        assert_eq!(to_f64(d("974.0857528586113")), 974.0857528586113);
        assert_eq!(to_f64(d("0.19052548153587360")), 0.1905254815358736);
        assert_eq!(
            from_f64_shortest(0.0205, "x").unwrap_or_default(),
            d("0.0205")
        );
        assert!(from_f64_shortest(f64::NAN, "x").is_err());
        assert!(from_f64_shortest(1e300, "x").is_err());
    }
}
