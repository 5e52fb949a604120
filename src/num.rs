//! Numeric conventions: named roundings, exact roots, checked arithmetic and exact `f64` output.
//!
//! Every quantization of the crate goes through one of the named functions here, each
//! `ROUND_HALF_EVEN` (the crate's conventions, *Numbers*: what reproduces QI's printed numbers, which are those of
//! Python `decimal` with its default context).
//!
//! The checked operations ([`mul`], [`add`], [`sub`], [`powu`], [`sum`]) and the roundings return
//! exactly what rust_decimal returns (value and scale), computed on the 96-bit mantissas with native
//! 128-bit integers and division by invariant powers of ten (see the kernels below); they are 2–5×
//! faster than rust_decimal's generic digit loops and tests/exactness.rs checks them bit for bit.

use rust_decimal::prelude::FromPrimitive;
use rust_decimal::{Decimal, MathematicalOps, RoundingStrategy};

use crate::error::{Error, Result};

/// The rounding mode of every quantization in the crate: half to even.
pub const ROUNDING: RoundingStrategy = RoundingStrategy::MidpointNearestEven;

// ---------------------------------------------------------------------------------------------
// Exact kernels on the 96-bit mantissa.
//
// rust_decimal's arithmetic is exact whenever the result fits in 96 bits at the natural scale, and
// otherwise rounds the exact result half-even to the largest scale (≤ 28) whose mantissa fits. The
// kernels below compute that same result with native 128-bit integer arithmetic, dividing by powers
// of ten with precomputed reciprocals (two multiplications per 64-bit limb, where rust_decimal's
// generic code runs hardware divisions over 32-bit digit groups), and hand every case they do not
// cover (zero operands and results, whose sign and scale rust_decimal sets by its own rules;
// intermediates beyond 127 bits; the one-in-2⁹⁶ carry past 96 bits) back to rust_decimal. They
// return the same mantissa **and scale**, so no printed digit changes: tests/exactness.rs checks
// them bit for bit against rust_decimal on random operands.

/// 2⁹⁶: mantissas are below it.
const MANTISSA_LIMIT: u128 = 1 << 96;

/// `10^k` for `k ≤ 38`.
const POW10: [u128; 39] = {
    let mut t = [1u128; 39];
    let mut k = 1;
    while k < 39 {
        t[k] = t[k - 1] * 10;
        k += 1;
    }
    t
};

/// The exact powers of ten of `f64` (10²² is the last one a double holds exactly).
const POW10_F64: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// The decimal `±mag × 10^−scale`; `mag < 2⁹⁶` and `scale ≤ 28` are the caller's guarantee.
#[inline]
fn from_mag(mag: u128, negative: bool, scale: u32) -> Decimal {
    Decimal::from_parts(
        mag as u32,
        (mag >> 32) as u32,
        (mag >> 64) as u32,
        negative,
        scale,
    )
}

/// `10^k` (1 ≤ k ≤ 19) shifted left until its top bit is set, and its reciprocal
/// `⌊(2¹²⁸ − 1)/d⌋ − 2⁶⁴`, so that dividing by it takes two multiplications instead of a hardware
/// division (Möller & Granlund, "Improved division by invariant integers", 2011, algorithm 4).
#[derive(Clone, Copy)]
struct Pow10Divisor {
    d: u64,
    v: u64,
    shift: u32,
}

/// [`Pow10Divisor`] of `10^k` at index `k` (index 0 unused).
const DIVISORS: [Pow10Divisor; 20] = {
    let mut t = [Pow10Divisor {
        d: 0,
        v: 0,
        shift: 0,
    }; 20];
    let mut k = 1;
    while k < 20 {
        let p = POW10[k] as u64;
        let shift = p.leading_zeros();
        let d = p << shift;
        let v = (u128::MAX / d as u128 - (1u128 << 64)) as u64;
        t[k] = Pow10Divisor { d, v, shift };
        k += 1;
    }
    t
};

/// `(u1·2⁶⁴ + u0) / d` and its remainder, for a normalized `d` with reciprocal `v` and `u1 < d`.
#[inline(always)]
fn div_2by1(u1: u64, u0: u64, d: u64, v: u64) -> (u64, u64) {
    let p = (v as u128 * u1 as u128).wrapping_add(((u1 as u128) << 64) | u0 as u128);
    let mut q = ((p >> 64) as u64).wrapping_add(1);
    let mut r = u0.wrapping_sub(q.wrapping_mul(d));
    if r > p as u64 {
        q = q.wrapping_sub(1);
        r = r.wrapping_add(d);
    }
    if r >= d {
        q += 1;
        r -= d;
    }
    (q, r)
}

/// `n / 10^k` in place (1 ≤ k ≤ 19; three 64-bit limbs, least significant first); returns the
/// remainder. Divides `n·2^shift` by the normalized divisor: same quotient, remainder shifted.
#[inline(always)]
fn div3_pow10(n: &mut [u64; 3], k: u32) -> u64 {
    let Pow10Divisor { d, v, shift } = DIVISORS[k as usize];
    let top = |x: u64| x.checked_shr(64 - shift).unwrap_or(0);
    let (q2, r) = div_2by1(top(n[2]), (n[2] << shift) | top(n[1]), d, v);
    let (q1, r) = div_2by1(r, (n[1] << shift) | top(n[0]), d, v);
    let (q0, r) = div_2by1(r, n[0] << shift, d, v);
    *n = [q0, q1, q2];
    r >> shift
}

/// `n / 10^k` (1 ≤ k ≤ 19) and the remainder, for a 128-bit `n`.
#[inline(always)]
fn div2_pow10(n: u128, k: u32) -> (u128, u64) {
    let Pow10Divisor { d, v, shift } = DIVISORS[k as usize];
    let (n1, n0) = ((n >> 64) as u64, n as u64);
    let top = |x: u64| x.checked_shr(64 - shift).unwrap_or(0);
    let (q1, r) = div_2by1(top(n1), (n1 << shift) | top(n0), d, v);
    let (q0, r) = div_2by1(r, n0 << shift, d, v);
    ((u128::from(q1) << 64) | u128::from(q0), r >> shift)
}

/// Whether a quotient rounds up, half-even: `rem` is the remainder of the last division (by
/// `10^last`), `sticky` whether any earlier, less significant, remainder was nonzero.
#[inline(always)]
fn rounds_up(rem: u64, last: u32, sticky: bool, odd: bool) -> bool {
    let half = (POW10[last as usize] >> 1) as u64; // 10^last is even
    rem > half || (rem == half && (sticky || odd))
}

/// `n / 10^k` rounded half-even (1 ≤ k ≤ 38), on three 64-bit limbs: a first division by `10^19`
/// when k > 19 (its remainder kept as a sticky bit), then one by `10^(k−19)` or `10^k`, on two
/// limbs when the quotient so far fits in them.
#[inline]
fn div_pow10_limbs_half_even(n: &mut [u64; 3], k: u32) {
    let (sticky, last) = if k > 19 {
        (div3_pow10(n, 19) != 0, k - 19)
    } else {
        (false, k)
    };
    let rem = if n[2] == 0 {
        let (q, rem) = div2_pow10((u128::from(n[1]) << 64) | u128::from(n[0]), last);
        *n = [q as u64, (q >> 64) as u64, 0];
        rem
    } else {
        div3_pow10(n, last)
    };
    if rounds_up(rem, last, sticky, n[0] & 1 == 1) {
        for limb in n.iter_mut() {
            *limb = limb.wrapping_add(1);
            if *limb != 0 {
                break;
            }
        }
    }
}

/// `mag / 10^k` rounded half-even (1 ≤ k ≤ 38), for `mag < 2¹²⁸`.
#[inline]
fn div_pow10_half_even(mag: u128, k: u32) -> u128 {
    if k <= 19 {
        let (q, rem) = div2_pow10(mag, k);
        // q < 2¹²⁸/10, so q + 1 cannot overflow.
        return q + u128::from(rounds_up(rem, k, false, q & 1 == 1));
    }
    let mut n = [mag as u64, (mag >> 64) as u64, 0];
    div_pow10_limbs_half_even(&mut n, k);
    (u128::from(n[1]) << 64) | u128::from(n[0])
}

/// The exact value `±mag × 10^−scale` (`mag < 2¹²⁸`) as rust_decimal stores it: with at least
/// `min_k` digits dropped (rust_decimal's scale limit), as is when it then fits in 96 bits, else
/// rounded half-even to the largest scale that fits. `None` for what the caller must hand to
/// rust_decimal (a zero, no scale left, or a rounding that carries to 2⁹⁶).
#[inline]
fn fit(mag: u128, negative: bool, scale: u32, min_k: u32) -> Option<Decimal> {
    if min_k == 0 && mag < MANTISSA_LIMIT && mag != 0 {
        return Some(from_mag(mag, negative, scale));
    }
    fit_rounded(mag, negative, scale, min_k)
}

/// [`fit`] when digits are dropped.
#[inline(never)]
fn fit_rounded(mag: u128, negative: bool, scale: u32, min_k: u32) -> Option<Decimal> {
    if mag == 0 {
        return None;
    }
    // mag < 2¹²⁸ needs at most 10 digits dropped (10¹⁰ > 2³²); below 10 digits, 10^k·2⁹⁶ < 2¹²⁸.
    let mut k = min_k;
    while k < 10 && mag >= POW10[k as usize] << 96 {
        k += 1;
    }
    // k ≤ 28: min_k is at most 28 (a product's scale is at most 56) and the loop stops at 10.
    if k > scale {
        return None;
    }
    let q = if k == 0 {
        mag
    } else {
        div_pow10_half_even(mag, k)
    };
    (q != 0 && q < MANTISSA_LIMIT).then(|| from_mag(q, negative, scale - k))
}

/// The sign, magnitude and scale of `x`.
#[inline(always)]
fn parts(x: Decimal) -> (bool, u128, u32) {
    (x.is_sign_negative(), x.mantissa().unsigned_abs(), x.scale())
}

/// Bits needed to write `m`.
#[inline(always)]
fn bit_len(m: u128) -> u32 {
    128 - m.leading_zeros()
}

/// `m × 10^d` when it stays below 2¹²⁷ (checked by bit lengths, conservatively), else `None`.
#[inline(always)]
fn scale_up(m: u128, d: u32) -> Option<u128> {
    let p = *POW10.get(d as usize)?;
    (bit_len(m) + bit_len(p) <= 127).then(|| m * p)
}

/// `a ± b` by the kernels, or `None` to let rust_decimal do it.
#[inline(always)]
fn add_fast(a: Decimal, b: Decimal, subtract: bool) -> Option<Decimal> {
    let (na, ma, sa) = parts(a);
    let (nb, mb, sb) = parts(b);
    if ma == 0 || mb == 0 {
        return None; // rust_decimal returns the other operand as it is
    }
    let nb = nb ^ subtract;
    // The operand of smaller scale is brought to the larger one (exactly, or not at all); both
    // then stay below 2¹²⁷, so their sum cannot overflow.
    let (ma, mb, scale) = match sa.cmp(&sb) {
        std::cmp::Ordering::Equal => (ma, mb, sa),
        std::cmp::Ordering::Greater => (ma, scale_up(mb, sa - sb)?, sa),
        std::cmp::Ordering::Less => (scale_up(ma, sb - sa)?, mb, sb),
    };
    let (negative, mag) = if na == nb {
        (na, ma + mb)
    } else if ma >= mb {
        (na, ma - mb)
    } else {
        (nb, mb - ma)
    };
    fit(mag, negative, scale, 0)
}

/// The 192-bit product of two magnitudes below 2⁹⁶, as 64-bit limbs, least significant first.
#[inline]
fn wide_mul(a: u128, b: u128) -> [u64; 3] {
    let (a0, a1) = (a as u64 as u128, a >> 64);
    let (b0, b1) = (b as u64 as u128, b >> 64);
    let low = a0 * b0;
    let mid = a0 * b1 + a1 * b0; // < 2⁹⁷
    let high = a1 * b1; // < 2⁶⁴
    let (lo, carry) = low.overflowing_add(mid << 64);
    let hi = high + (mid >> 64) + u128::from(carry);
    [lo as u64, (lo >> 64) as u64, hi as u64]
}

/// Whether the 192-bit `n` is at least `10^k · 2⁹⁶` (i.e. `n / 10^k` does not fit in 96 bits).
#[inline]
fn at_least_pow10_shl96(n: &[u64; 3], k: u32) -> bool {
    // 10^k · 2⁹⁶ as limbs: 10^k occupies bits 96.. (k ≤ 28 keeps it below 2¹⁹²).
    let p = POW10[k as usize];
    let limit = [0u64, (p << 32) as u64, (p >> 32) as u64];
    let p_top = p >> 96; // nonzero only if 10^k ≥ 2⁹⁶, then n (< 2¹⁹²) is smaller
    if p_top != 0 {
        return false;
    }
    for i in (0..3).rev() {
        if n[i] != limit[i] {
            return n[i] > limit[i];
        }
    }
    true
}

/// `a × b` by the kernels, or `None` to let rust_decimal do it.
#[inline(always)]
fn mul_fast(a: Decimal, b: Decimal) -> Option<Decimal> {
    let (na, ma, sa) = parts(a);
    let (nb, mb, sb) = parts(b);
    let negative = na ^ nb;
    let scale = sa + sb;
    if ma == 0 || mb == 0 {
        return None;
    }
    if bit_len(ma) + bit_len(mb) <= 128 {
        return fit(ma * mb, negative, scale, scale.saturating_sub(28));
    }
    // Full width: the smallest k ≥ max(0, scale − 28) with n / 10^k < 2⁹⁶.
    let mut n = wide_mul(ma, mb);
    if n[2] == 0 {
        let p = (u128::from(n[1]) << 64) | u128::from(n[0]);
        return fit(p, negative, scale, scale.saturating_sub(28));
    }
    let bits = 192 - n[2].leading_zeros();
    // n ≥ 2^(bits−1), so 10^k ≤ 2^(bits−97) leaves n/10^k ≥ 2⁹⁶: such a k is too small, and
    // ⌊(bits−97)·77/256⌋ ≤ ⌊(bits−97)·log₁₀2⌋ is one, a safe place to start counting up.
    let estimate = ((bits - 97) * 77) >> 8;
    let mut k = estimate.max(scale.saturating_sub(28));
    while k <= 28 && at_least_pow10_shl96(&n, k) {
        k += 1;
    }
    if k > scale || k == 0 {
        return None;
    }
    div_pow10_limbs_half_even(&mut n, k);
    let q = (u128::from(n[1]) << 64) | u128::from(n[0]);
    (q != 0 && q < MANTISSA_LIMIT).then(|| from_mag(q, negative, scale - k))
}

/// Round half-even to `dp` decimal places.
///
/// The same value and scale as `x.round_dp_with_strategy(dp, MidpointNearestEven)` (a value with at
/// most `dp` decimals is returned unchanged, anything else gets scale `dp`), computed with one
/// native 128-bit division of the mantissa instead of rust_decimal's digit-group loops.
pub fn round_dp(x: Decimal, dp: u32) -> Decimal {
    let (negative, mag, scale) = parts(x);
    if scale <= dp || mag == 0 {
        return x.round_dp_with_strategy(dp, ROUNDING);
    }
    from_mag(div_pow10_half_even(mag, scale - dp), negative, dp)
}

/// The first cent in `(lo, hi]` that `reaches`, by bisection on cents, given that `lo` does not
/// reach and `hi` does (`reaches` must be monotone between them). The one cent search of the crate:
/// the gross-up and the inverse portability questions both use it.
///
/// # Errors
/// Whatever `reaches` returns.
pub(crate) fn bisect_cents(
    mut lo: Decimal,
    mut hi: Decimal,
    mut reaches: impl FnMut(Decimal) -> Result<bool>,
) -> Result<Decimal> {
    let cent = Decimal::new(1, 2);
    while hi - lo > cent {
        let mid = round_cents((lo + hi) / Decimal::TWO).clamp(lo + cent, hi - cent);
        if reaches(mid)? {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    Ok(hi)
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
///
/// Bit for bit rust_decimal's `checked_mul` (exact when the product fits in 96 bits, else rounded
/// half-even to the largest scale that fits), by the 128/192-bit kernels of this module.
#[inline]
pub fn mul(a: Decimal, b: Decimal, field: &str) -> Result<Decimal> {
    match mul_fast(a, b) {
        Some(r) => Ok(r),
        None => mul_slow(a, b, field),
    }
}

/// [`mul`] by rust_decimal (zeros, and the rare cases the kernels leave to it).
#[cold]
#[inline(never)]
fn mul_slow(a: Decimal, b: Decimal, field: &str) -> Result<Decimal> {
    a.checked_mul(b).ok_or_else(|| Error::overflow(field, a))
}

/// Checked `a + b`; `field` names the input blamed on overflow.
///
/// Bit for bit rust_decimal's `checked_add`, by the 128-bit kernels of this module.
#[inline]
pub fn add(a: Decimal, b: Decimal, field: &str) -> Result<Decimal> {
    match add_fast(a, b, false) {
        Some(r) => Ok(r),
        None => add_slow(a, b, false, field),
    }
}

/// Checked `a − b`; `field` names the input blamed on overflow.
///
/// Bit for bit rust_decimal's `checked_sub`, by the 128-bit kernels of this module.
#[inline]
pub fn sub(a: Decimal, b: Decimal, field: &str) -> Result<Decimal> {
    match add_fast(a, b, true) {
        Some(r) => Ok(r),
        None => add_slow(a, b, true, field),
    }
}

/// [`add`] or [`sub`] by rust_decimal (zero operands or results, and the rare cases the kernels
/// leave to it).
#[cold]
#[inline(never)]
fn add_slow(a: Decimal, b: Decimal, subtract: bool, field: &str) -> Result<Decimal> {
    let r = if subtract {
        a.checked_sub(b)
    } else {
        a.checked_add(b)
    };
    r.ok_or_else(|| Error::overflow(field, a))
}

/// `Σ terms` added left to right from zero, bit for bit as repeated [`add`] (rust_decimal's
/// `checked_add`) sums them; `field` names the input blamed on overflow.
///
/// While the terms are positive and the total fits in 96 bits at the largest scale seen, every
/// partial sum of rust_decimal is exact at that scale; the sum is then kept as one 128-bit integer
/// and converted once. From the first term that breaks this (zero, negative, or too large), the
/// rest is added by [`add`].
///
/// # Errors
/// [`Error::Overflow`] as [`add`].
pub fn sum(terms: impl IntoIterator<Item = Decimal>, field: &str) -> Result<Decimal> {
    let mut acc: u128 = 0;
    let mut scale = 0;
    let mut terms = terms.into_iter();
    let mut rest = None;
    for t in terms.by_ref() {
        let (negative, mag, s) = parts(t);
        if negative || mag == 0 {
            rest = Some(t);
            break;
        }
        let next = if s > scale {
            scale_up(acc, s - scale).map(|a| (a + mag, s))
        } else {
            scale_up(mag, scale - s).map(|m| (acc + m, scale))
        };
        match next {
            Some((a, s)) if a < MANTISSA_LIMIT => {
                acc = a;
                scale = s;
            }
            _ => {
                rest = Some(t);
                break;
            }
        }
    }
    let mut total = if acc == 0 {
        Decimal::ZERO
    } else {
        from_mag(acc, false, scale)
    };
    if let Some(t) = rest {
        total = add(total, t, field)?;
        for t in terms {
            total = add(total, t, field)?;
        }
    }
    Ok(total)
}

/// `x` without trailing fractional zeros, as `Decimal::normalize` (which also turns −0 into 0);
/// a 64-bit loop for the common mantissas.
pub fn normalize(x: Decimal) -> Decimal {
    let (negative, mag, mut scale) = parts(x);
    if mag == 0 || scale == 0 || mag & 1 == 1 || mag >> 64 != 0 {
        return x.normalize();
    }
    let mut m = mag as u64;
    while scale > 0 && m.is_multiple_of(10) {
        m /= 10;
        scale -= 1;
    }
    from_mag(u128::from(m), negative, scale)
}

/// Checked `a ÷ b` (division by zero is reported as an overflow of `field`).
pub fn div(a: Decimal, b: Decimal, field: &str) -> Result<Decimal> {
    a.checked_div(b).ok_or_else(|| Error::overflow(field, a))
}

/// Checked integer power `x^n`: rust_decimal's `checked_powu`, bit for bit.
///
/// For `3 ≤ n < 1024` rust_decimal squares and multiplies with its 96-bit multiplication (each
/// product rounded half-even to what fits) and normalizes the result; this runs that same sequence
/// of products on this module's multiplication kernel. Other exponents (and 0, 1 as bases) go to
/// rust_decimal itself (for `n ≥ 1024` it keeps 192-bit intermediates).
pub fn powu(x: Decimal, n: u64, field: &str) -> Result<Decimal> {
    let power = if (3..1024).contains(&n) && !x.is_zero() && x != Decimal::ONE {
        powu_narrow(x, n)
    } else {
        x.checked_powu(n)
    };
    power.ok_or_else(|| Error::overflow(field, x))
}

/// rust_decimal's `powu_narrow`: square-and-multiply from the low bit, then normalize.
fn powu_narrow(base: Decimal, exp: u64) -> Option<Decimal> {
    let checked_mul = |a: Decimal, b: Decimal| mul_fast(a, b).or_else(|| a.checked_mul(b));
    let mut product = Decimal::ONE;
    let mut mask = exp;
    let mut power = base;
    for i in 0..(64 - exp.leading_zeros()) {
        if i > 0 {
            power = checked_mul(power, power)?;
            mask >>= 1;
        }
        if mask & 1 == 1 {
            product = checked_mul(product, power)?;
        }
    }
    Some(normalize(product))
}

/// `x^(1/n)` for `x > 0`, `n ≥ 1`, to rust_decimal's full precision (≈ 1e-28 relative).
///
/// An `f64` seed (relative error ≈ 1e-16) refined by Newton steps `y ← y − (yⁿ − x)/(n·yⁿ⁻¹)` in
/// `Decimal`; each step squares the relative error, so two steps reach the limit of the type. This is
/// 7–12× faster than `powd(1/n)` and as accurate. The `f64` is only a starting
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

/// `round_dp(x^(1/n) − 1, dp)`: a rate derived from a growth factor by a root and quantized, as
/// QI prints and uses them (`round8((1+a)^(1/252) − 1)`, the displayed monthly and daily rates).
///
/// The same decimal as rounding [`nth_root`]`(x, n)` − 1, decided in `f64` when that is provably
/// the same. The float root (correctly rounded input, `powf` within an ulp, an exponent `1/n`
/// within half an ulp) is within (3 + |ln x|/n)·2⁻⁵³ relative of the true root, i.e. below
/// 4e-16 × (3 + |ln x|) absolute for roots up to 1. When `(y − 1)·10^dp` lies farther than
/// `10^dp · 1e-13 · (1 + |ln x|) · max(y, 1)` (plus a relative 1e-15) from a rounding midpoint —
/// ≥ 100 times the float's error — the true root, and the 28-digit Newton root, round to the same
/// value. Values that close to a midpoint, or to a number with at most `dp` decimals (which may be
/// the exact root, which the Newton root then returns with its own shorter scale), ≈ 1 in 25,000 at
/// 8 decimals and all of them from 13 decimals on, take the Newton root, as do non-positive inputs,
/// a zero result (whose sign rust_decimal sets) and magnitudes beyond a float's integer range
/// (≈ 1–2 µs against ≈ 50 ns).
///
/// # Errors
/// As [`nth_root`].
pub fn root_rate(x: Decimal, n: u64, dp: u32, field: &str) -> Result<Decimal> {
    if x > Decimal::ZERO && n > 0 && (dp as usize) < POW10_F64.len() {
        let xf = to_f64(x);
        let y = xf.powf(1.0 / n as f64);
        let t = (y - 1.0) * POW10_F64[dp as usize];
        let k = t.round();
        let margin = float_root_margin(dp, xf, y, t);
        let off = (t - k).abs();
        if t.is_finite() && k != 0.0 && k.abs() < 9e15 && off > margin && off < 0.5 - margin {
            return Ok(from_mag(k.abs() as u128, k < 0.0, dp));
        }
    }
    let root = nth_root(x, n, field)?;
    Ok(round_dp(sub(root, Decimal::ONE, field)?, dp))
}

/// How far (in units of the last of `dp` decimals) the float rate `t = (y − 1)·10^dp`, `y =
/// xf^(1/n)`, must be from a rounding midpoint for [`root_rate`] to decide it in `f64`:
/// `10^dp · 1e-13 · (1 + |ln x|) · max(y, 1) + 1e-15 · |t|`, at least 100 times the float's
/// error (`y` within `(3 + |ln x|/n)·2⁻⁵³` relative, `t`'s own rounding `2⁻⁵³·|t|`).
#[inline]
fn float_root_margin(dp: u32, xf: f64, y: f64, t: f64) -> f64 {
    POW10_F64[dp as usize] * 1e-13 * (1.0 + xf.ln().abs()) * y.max(1.0) + 1e-15 * t.abs()
}

/// The `f64` nearest to the decimal value (correctly rounded, ties to even).
///
/// `Decimal::to_f64` is not correctly rounded (10.5 % of 17-digit values come out one ulp off);
/// this is, and it is how every float of the JSON output is produced. When the mantissa has at
/// most 53 bits and the scale is at most 22 (cents, rates, the 16-decimal IOF of an installment),
/// `mantissa / 10^scale` is the quotient of two exactly representable doubles, and IEEE division
/// rounds it correctly (Clinger's fast path). Longer mantissas go through `to_f64_long`, exact
/// integer arithmetic, with no string formatted or parsed.
pub fn to_f64(x: Decimal) -> f64 {
    let (negative, mag, scale) = parts(x);
    if mag <= 1 << 53 && (scale as usize) < POW10_F64.len() {
        // mag ≤ 2⁵³ fits in u64, whose conversion is one instruction (u128's is a library call).
        let v = mag as u64 as f64 / POW10_F64[scale as usize];
        return if negative && mag != 0 { -v } else { v };
    }
    let v = to_f64_long(mag, scale);
    if negative { -v } else { v }
}

/// `mag / 10^scale` (`0 < mag < 2⁹⁶`, `scale ≤ 28`) rounded to the nearest `f64`, ties to even,
/// by integer arithmetic: with `t` the bit length of `10^scale` and `b` that of `mag`, the
/// quotient `q = ⌊mag · 2^s / 10^scale⌋` for `s = max(0, 55 + t − b)` has 55 or 56 bits (at least
/// 54: the 53 kept, a rounding bit), and the dropped remainders make a sticky bit; `q` is then
/// rounded to 53 bits half-even and scaled by `2^−s` exactly. The result is the same double as
/// parsing the decimal's digits with the standard library's correctly rounded parser (checked
/// against it in this module's tests and over a million random decimals in
/// `tests/number_output.rs`).
fn to_f64_long(mag: u128, scale: u32) -> f64 {
    let t = bit_len(POW10[scale as usize]);
    let b = bit_len(mag);
    let s = (55 + t).saturating_sub(b);
    // mag · 2^s < 2^(b+s) ≤ 2^(55+t) ≤ 2^149, or mag itself when s = 0: three limbs hold it.
    let mut n = [0u64; 3];
    let wide = [mag as u64, (mag >> 64) as u64, 0];
    let (limbs, bits) = ((s / 64) as usize, s % 64);
    for i in (0..3).rev() {
        let mut v = 0;
        if i >= limbs {
            v = wide[i - limbs] << bits;
            if bits > 0 && i > limbs {
                v |= wide[i - limbs - 1] >> (64 - bits);
            }
        }
        n[i] = v;
    }
    let mut sticky = false;
    let mut k = scale;
    while k > 0 {
        let step = k.min(19);
        sticky |= div3_pow10(&mut n, step) != 0;
        k -= step;
    }
    // q < 2^(b+s−t+1): at most 56 bits, or at most 96 when s = 0.
    let q = (u128::from(n[1]) << 64) | u128::from(n[0]);
    let drop = bit_len(q).saturating_sub(53).max(1);
    let mut m = q >> drop;
    let rem = q & ((1u128 << drop) - 1);
    let half = 1u128 << (drop - 1);
    if rem > half || (rem == half && (sticky || m & 1 == 1)) {
        m += 1;
    }
    let mut exp = drop as i32 - s as i32;
    if m == 1 << 53 {
        m >>= 1;
        exp += 1;
    }
    // m < 2⁵³ is exact as a double; 2^exp (−150 < exp < 44) is a normal double, built from its bits.
    let pow2 = f64::from_bits(((1023 + exp) as u64) << 52);
    m as u64 as f64 * pow2
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
    let d = s
        .parse::<Decimal>()
        .or_else(|_| Decimal::from_scientific(&format!("{v:e}")))
        .map_err(|_| Error::invalid(field, v, "number out of the decimal range"))?;
    if d.is_zero() && v != 0.0 {
        // Below 1e-28 a decimal has no digit for it: refused rather than read as 0.
        return Err(Error::invalid(
            field,
            v,
            "number too small for a decimal (below 1e-28)",
        ));
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fixed LCG's random decimals: mantissas of 1 to 96 bits, scales 0 to 28, both signs.
    struct Operands(u64);

    impl Operands {
        fn bits(&mut self) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            self.0
        }

        fn decimal(&mut self) -> Decimal {
            let width = 1 + self.bits() % 96;
            let raw = (u128::from(self.bits()) << 64 | u128::from(self.bits())) >> (128 - width);
            let scale = (self.bits() % 29) as u32;
            // The sign from the top bit: an LCG's low bit alternates.
            from_mag(raw.max(1), self.bits() >> 63 == 1, scale)
        }
    }

    /// `root_rate` is the Newton root rounded, whichever route decides it: growth factors below
    /// and above 1 (negative and steep rates), roots 1 to 365, every decimals count the float
    /// route takes (0 to 22) and beyond (23, 28), and rates that are exact midpoints or exact
    /// values at their decimals (where the float must hand over).
    #[test]
    fn root_rates_are_the_rounded_newton_roots() {
        let mut xs: Vec<Decimal> = [
            "0.5",
            "0.9",
            "0.999",
            "1.0000001",
            "1.02",
            "1.2682417",
            "1.27572219",
            "2",
            "10",
            "1000",
            "1000000",
        ]
        .iter()
        .map(|x| d(x))
        .collect();
        // Midpoints and exact values with n = 1: 1 + 0.00000125 is a tie at 7 decimals.
        xs.extend(["1.00000125", "1.00000135", "1.5", "0.99999875", "1.25"].map(d));
        let mut fast = 0;
        for &x in &xs {
            for n in [1, 2, 12, 30, 252, 365] {
                let root = nth_root(x, n, "t").expect("root");
                for dp in [0, 1, 2, 4, 6, 7, 8, 10, 12, 16, 22, 23, 28] {
                    let want = round_dp(sub(root, Decimal::ONE, "t").expect("rate"), dp);
                    let got = root_rate(x, n, dp, "t").expect("rate");
                    assert!(
                        same_bits(got, want),
                        "{x}^(1/{n}) − 1 at {dp}: {got} vs {want}"
                    );
                    fast += u32::from(got.scale() == dp && want.scale() == dp);
                }
            }
        }
        assert!(fast > 0);
    }

    /// Division by a power of ten through the reciprocals (`div2_pow10`, and `div3_pow10` on
    /// numbers below 2¹²⁸) is the native division, for every power, on random numerators and on
    /// ones whose remainder is just below the divisor or just above 0 (where the reciprocal's
    /// estimate needs its corrections).
    #[test]
    fn the_reciprocal_division_is_the_native_one() {
        let mut ops = Operands(11);
        for k in 1..20_u32 {
            let divisor = POW10[k as usize];
            for i in 0..20_000 {
                let wide = u128::from(ops.bits()) << 64 | u128::from(ops.bits());
                let q = wide % (u128::MAX / divisor);
                let r = match i % 3 {
                    0 => u128::from(ops.bits()) % divisor,
                    1 => divisor - 1 - u128::from(ops.bits() % 64).min(divisor - 1),
                    _ => u128::from(ops.bits() % 64).min(divisor - 1),
                };
                let n = q * divisor + r;
                let want = (n / divisor, (n % divisor) as u64);
                assert_eq!(div2_pow10(n, k), want, "{n} / 10^{k}");
                let mut limbs = [n as u64, (n >> 64) as u64, 0];
                let rem = div3_pow10(&mut limbs, k);
                let got = (u128::from(limbs[1]) << 64) | u128::from(limbs[0]);
                assert_eq!((got, rem, limbs[2]), (want.0, want.1, 0), "{n} / 10^{k}");
            }
        }
    }

    /// The float route's margin is at least 100 times the float's error bound, for growth
    /// factors from 10⁻⁶ to 10¹², roots 1 to 600 and 0 to 22 decimals.
    #[test]
    fn the_float_root_margin_is_a_hundred_errors() {
        let ulp = f64::EPSILON / 2.0;
        for xf in [
            1e-6_f64, 0.01, 0.5, 0.999, 1.0, 1.0000001, 1.02, 2.0, 10.0, 1e3, 1e6, 1e12,
        ] {
            for n in [1_u32, 2, 12, 30, 252, 365, 600] {
                let y = xf.powf(1.0 / f64::from(n));
                for dp in 0..23 {
                    let t = (y - 1.0) * POW10_F64[dp as usize];
                    let error =
                        (3.0 + xf.ln().abs() / f64::from(n)) * ulp * y * POW10_F64[dp as usize]
                            + ulp * t.abs();
                    let margin = float_root_margin(dp, xf, y, t);
                    assert!(
                        margin >= 100.0 * error,
                        "{xf}^(1/{n}) at {dp}: {margin} vs {error}"
                    );
                }
            }
        }
    }

    /// Exact ties go to the even neighbour however many digits are dropped: 1 to 28 (past 19,
    /// the three-limb division with its sticky bit), from quotients even and odd, small and
    /// beyond 64 bits; one unit past the tie goes up.
    #[test]
    fn ties_round_to_even_at_every_depth() {
        for k in 1..=28_u32 {
            for q in [
                0_u128,
                1,
                2,
                3,
                12_345,
                (1 << 64) + 1,
                (1 << 64) + 2,
                (1 << 70) - 1,
            ] {
                let half = 5 * POW10[k as usize - 1];
                let Some(tie) = q
                    .checked_mul(POW10[k as usize])
                    .and_then(|m| m.checked_add(half))
                else {
                    continue;
                };
                if tie >= MANTISSA_LIMIT {
                    continue;
                }
                for mag in [tie, tie + 1, tie - 1] {
                    let x = from_mag(mag, q % 2 == 1, k);
                    let want = x.round_dp_with_strategy(0, ROUNDING);
                    assert!(same_bits(round_dp(x, 0), want), "{x} at 0: {want}");
                }
            }
        }
    }

    /// A sum or product of exactly 2⁹⁶ (one past the largest mantissa) is rounded to one digit
    /// less, as rust_decimal does, not wrapped.
    #[test]
    fn results_of_exactly_2_pow_96_are_rounded() {
        let half = from_mag(1 << 95, false, 1);
        let want = half.checked_add(half).expect("fits");
        assert!(
            same_bits(add(half, half, "x").expect("fits"), want),
            "{want}"
        );
        let root = from_mag(1 << 48, false, 2);
        let want = root.checked_mul(root).expect("fits");
        assert!(
            same_bits(mul(root, root, "x").expect("fits"), want),
            "{want}"
        );
    }

    /// A product that needs every decimal dropped (its result has scale 0) is still the
    /// kernel's, as is one that fits exactly at scale 28.
    #[test]
    fn products_at_the_scale_limits_are_the_kernels() {
        for (a, b) in [
            (from_mag((1 << 95) + 1, false, 1), from_mag(3, false, 0)),
            (from_mag((1 << 95) + 7, true, 2), from_mag(99, false, 0)),
            (from_mag(3, false, 14), from_mag(7, false, 14)),
            (
                from_mag(u128::from(u64::MAX), false, 20),
                from_mag(1 << 40, false, 10),
            ),
        ] {
            let want = a.checked_mul(b).expect("fits");
            let got = mul_fast(a, b);
            assert!(
                got.is_some_and(|g| same_bits(g, want)),
                "{a} × {b}: {got:?} vs {want}"
            );
        }
    }

    /// A product whose rounding carries to 2⁹⁶ (dropping k digits leaves 2⁹⁶ − ½ or more) is
    /// handed to rust_decimal, which drops one digit more: on the 128-bit route (k = 5) and the
    /// 192-bit one (k = 20). Operands found by a search for such products.
    #[test]
    fn a_carry_past_96_bits_is_rust_decimals() {
        for (ma, sa, mb, sb) in [
            (
                37_132_689_294_994_182_548_001_757_709_u128,
                4,
                213_365_u128,
                2,
            ),
            (
                36_252_603_180_086_601_845_603_995_837,
                11,
                218_544_754_208_944_710_058,
                10,
            ),
        ] {
            let (a, b) = (from_mag(ma, false, sa), from_mag(mb, true, sb));
            assert_eq!(mul_fast(a, b), None, "{a} × {b}");
            let want = a.checked_mul(b).expect("fits");
            let got = mul(a, b, "x").expect("fits");
            assert!(same_bits(got, want), "{a} × {b}: {got} vs {want}");
        }
    }

    /// `bisect_cents` finds the first cent that reaches, by bisection: over a million BRL in at
    /// most ⌈log₂ 10⁸⌉ = 27 trials, and over one or two cents in none or one.
    #[test]
    fn bisection_on_cents_takes_logarithmic_trials() {
        for (lo, hi, first) in [
            ("0.01", "1000000", "1234.56"),
            ("0.01", "1000000", "999999.99"),
            ("0.01", "1000000", "0.02"),
            ("5.00", "5.02", "5.01"),
            ("5.00", "5.01", "5.01"),
        ] {
            let (first, mut trials) = (d(first), 0);
            let found = bisect_cents(d(lo), d(hi), |c| {
                trials += 1;
                Ok(c >= first)
            })
            .expect("bisection");
            assert_eq!(found, first, "{lo}..{hi}");
            assert!(trials <= 27, "{lo}..{hi}: {trials} trials");
        }
    }

    /// `sum` is repeated `add`, whatever the signs and zeros among the terms.
    #[test]
    fn sums_of_mixed_signs_are_sequential_sums() {
        let cases: [&[&str]; 8] = [
            &["1.25", "-0.5", "3"],
            &["-1.25", "0.50", "-3"],
            &["10", "0", "-10.001", "0.001"],
            &["0.0000000001", "-2", "123456789.123456789"],
            &["5", "7.10", "-12.1"],
            &["0.000", "1.5"],
            &["1.5", "0.000", "2"],
            // Two halves of 2⁹⁶ at scale 1: the total is rounded to one digit less.
            &[
                "3961408125713216879677197516.8",
                "3961408125713216879677197516.8",
            ],
        ];
        for terms in cases {
            let terms: Vec<Decimal> = terms.iter().map(|t| d(t)).collect();
            let mut want = Decimal::ZERO;
            for t in &terms {
                want = want.checked_add(*t).expect("fits");
            }
            let got = sum(terms.iter().copied(), "t").expect("fits");
            assert!(same_bits(got, want), "{terms:?}: {got} vs {want}");
        }
    }

    /// `powu` is `checked_powu` to the bit at every exponent, the ones rust_decimal keeps
    /// (0, 1, 2, from 1024) included, and for 0, 1 and values with trailing zeros.
    #[test]
    fn powers_are_checked_powu_at_every_exponent() {
        for x in ["1.50", "0.00", "1", "1.0000", "1.0205", "0.999", "-1.10"] {
            let x = d(x);
            for n in [0, 1, 2, 3, 12, 1023, 1024, 2000] {
                let want = x.checked_powu(n);
                let got = powu(x, n, "x").ok();
                assert_eq!(
                    got.map(|g| (g.mantissa(), g.scale())),
                    want.map(|w| (w.mantissa(), w.scale())),
                    "{x}^{n}"
                );
            }
        }
    }

    /// A root of a non-positive number, or of order 0, is refused as out of range (not as an
    /// overflow).
    #[test]
    fn roots_of_nothing_are_invalid() {
        for (x, n) in [("-1", 2), ("0", 3), ("2", 0), ("-8", 0)] {
            let e = nth_root(d(x), n, "x").expect_err("refused");
            assert_eq!(e.kind(), crate::ErrorKind::OutOfRange, "{x}^(1/{n}): {e}");
        }
    }

    /// `normalize` is `Decimal::normalize`: trailing zeros dropped, a negative zero made 0.
    #[test]
    fn normalize_drops_zeros_and_the_sign_of_zero() {
        for (x, want) in [
            (from_mag(0, true, 2), "0"),
            (from_mag(0, false, 5), "0"),
            (from_mag(12_300, true, 4), "-1.23"),
            (from_mag(12_345, false, 3), "12.345"),
            (from_mag(10_u128.pow(20), false, 22), "0.01"),
            (from_mag(1_000, false, 0), "1000"),
            // Beyond 64 bits with the low 64 all zero: 10·2⁶⁴ at scale 1.
            (from_mag(10 << 64, false, 1), "18446744073709551616"),
        ] {
            let n = normalize(x);
            assert_eq!(n.to_string(), want, "{x:?}");
            assert!(
                same_bits(n, x.normalize())
                    && n.is_sign_negative() == x.normalize().is_sign_negative()
            );
        }
    }

    /// The same value and the same scale: what "bit for bit" means here.
    fn same_bits(a: Decimal, b: Decimal) -> bool {
        a.mantissa() == b.mantissa() && a.scale() == b.scale()
    }

    /// The kernels are the route, not a detour: on random operands `mul_fast` answers (instead
    /// of handing the case to rust_decimal) every product rust_decimal defines and that is not 0
    /// (the carry to 2⁹⁶ it leaves is one in 2⁹⁶), `add_fast` every sum or difference whose
    /// operands fit in 127 bits at the common scale and whose exact result is below 2⁹⁶ and not
    /// 0, and about 90 % of all (the rest need more than 127 bits at the common scale); every
    /// answer is rust_decimal's to the bit.
    #[test]
    fn the_kernels_answer_almost_every_operation_exactly() {
        let mut ops = Operands(7);
        let (mut products, mut defined_products, mut sums, mut defined_sums) = (0, 0, 0, 0);
        for _ in 0..200_000 {
            let (a, b) = (ops.decimal(), ops.decimal());
            let want = a.checked_mul(b);
            defined_products += u32::from(want.is_some_and(|w| !w.is_zero()));
            if let Some(p) = mul_fast(a, b) {
                products += 1;
                assert!(
                    want.is_some_and(|w| same_bits(p, w)),
                    "{a} × {b}: {p} vs {want:?}"
                );
            }
            for subtract in [false, true] {
                let want = if subtract {
                    a.checked_sub(b)
                } else {
                    a.checked_add(b)
                };
                defined_sums += u32::from(want.is_some_and(|w| !w.is_zero()));
                let r = add_fast(a, b, subtract);
                if let Some(r) = r {
                    sums += 1;
                    assert!(
                        want.is_some_and(|w| same_bits(r, w)),
                        "{a} ± {b}: {r} vs {want:?}"
                    );
                }
                // The exact result at the common scale, where both operands fit in 127 bits.
                let (sa, sb) = (a.scale(), b.scale());
                let common = sa.max(sb);
                let (ma, mb) = (a.mantissa().unsigned_abs(), b.mantissa().unsigned_abs());
                let scaled = |m: u128, d: u32| {
                    (bit_len(m) + bit_len(POW10[d as usize]) <= 127).then(|| m * POW10[d as usize])
                };
                if let (Some(xa), Some(xb)) = (scaled(ma, common - sa), scaled(mb, common - sb)) {
                    let same_sign = a.is_sign_negative() == (b.is_sign_negative() ^ subtract);
                    let exact = if same_sign { xa + xb } else { xa.abs_diff(xb) };
                    if exact != 0 && exact < MANTISSA_LIMIT {
                        assert!(r.is_some(), "{a} ± {b} ({subtract}) is the kernel's");
                    }
                }
            }
        }
        eprintln!("products {products}/{defined_products}, sums {sums}/{defined_sums}");
        assert_eq!(products, defined_products);
        assert!(sums * 100 >= defined_sums * 89, "{sums}/{defined_sums}");
    }

    /// The integer route equals the standard library's correctly rounded parse of the digits, on
    /// long mantissas of every scale, near halfway cases (…5 and …49999/…50001 in the 17th–18th
    /// digit), and at the extremes (2⁹⁶ − 1, 10⁻²⁸).
    #[test]
    fn long_mantissas_convert_as_their_digits_parse() {
        let mut seed = 0x9E37_79B9_7F4A_7C15_u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut values = vec![
            Decimal::MAX,
            Decimal::from_parts(1, 0, 0, false, 28),
            Decimal::from_parts(u32::MAX, u32::MAX, u32::MAX, false, 28),
            Decimal::from_parts(u32::MAX, u32::MAX, u32::MAX, true, 0),
            "0.1905254815358736".parse().expect("d"),
            "9007199254740993".parse().expect("d"),
            "9007199254740995".parse().expect("d"),
            "0.30000000000000004440892098500626"
                .parse()
                .unwrap_or(Decimal::ONE),
        ];
        for _ in 0..200_000 {
            let bits = 1 + (next() % 96) as u32; // 1..96 bits
            let mag = (u128::from(next()) << 64 | u128::from(next())) >> (128 - bits);
            let scale = (next() % 29) as u32;
            let d = Decimal::from_i128_with_scale(mag as i128, scale);
            values.push(d);
            // A halfway-looking neighbour: the 18th significant digit a 5, the rest zero or ±1.
            let digits = d.mantissa().unsigned_abs().to_string();
            if digits.len() > 18 {
                let mut v: u128 = digits[..17].parse().expect("digits");
                v = v * 10 + 5;
                let rest = digits.len() - 18;
                let base = v * 10u128.pow(rest as u32);
                for m in [base, base + 1, base.saturating_sub(1)] {
                    if m < 1 << 96 {
                        values.push(Decimal::from_i128_with_scale(m as i128, scale));
                    }
                }
            }
        }
        for d in values {
            let want: f64 = d.to_string().parse().expect("f64");
            assert_eq!(to_f64(d).to_bits(), want.to_bits(), "{d}");
        }
    }
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
        assert!(from_f64_shortest(1e-300, "x").is_err());
        assert!(from_f64_shortest(-1e-29, "x").is_err());
        assert!(from_f64_shortest(f64::INFINITY, "x").is_err());
        assert_eq!(from_f64_shortest(-0.0, "x").map(|d| d.is_zero()), Ok(true));
        assert_eq!(
            from_f64_shortest(1e-28, "x").ok(),
            Some(Decimal::new(1, 28))
        );
    }
}
