//! Numeric conventions: named roundings, exact roots, checked arithmetic and exact `f64` output.
//!
//! Every quantization of the crate goes through one of the named functions here, each
//! `ROUND_HALF_EVEN` (the crate's conventions, *Numbers*: what reproduces QI's printed numbers, which are those of
//! Python `decimal` with its default context).
//!
//! The checked operations ([`mul`], [`add`], [`sub`], [`powu`], [`sum`]) and the roundings return
//! exactly what rust_decimal returns (value and scale), computed on the 96-bit mantissas with native
//! 128-bit integers and division by invariant powers of ten (see the kernels below); this module's
//! tests check them bit for bit against rust_decimal.

use rust_decimal::prelude::FromPrimitive;
use rust_decimal::{Decimal, MathematicalOps, RoundingStrategy};

use crate::error::{Error, Result};

/// The rounding mode of every quantization in the crate: half to even.
pub(crate) const ROUNDING: RoundingStrategy = RoundingStrategy::MidpointNearestEven;

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
pub(crate) const MANTISSA_LIMIT: u128 = 1 << 96;

/// `10^k` for `k ≤ 38`.
pub(crate) const POW10: [u128; 39] = {
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
pub(crate) fn from_mag(mag: u128, negative: bool, scale: u32) -> Decimal {
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

/// The multiplier that divides a 128-bit number by `10^k` (1 ≤ k ≤ 38): with `N = 128 − k`,
/// `d = 5^k` and `l = ⌈log₂ d⌉`, `m = ⌈2^(N+l) / d⌉` and `shift = N + l − 128` (≥ 0, as
/// `l ≥ k`), so that `⌊n / 10^k⌋ = ⌊⌊n / 2^k⌋ · m / 2^(N+l)⌋` for every `n < 2¹²⁸`
/// (Granlund & Montgomery, "Division by invariant integers using multiplication", 1994, the
/// round-up multiplier of Theorem 4.2; the proof is on [`div_rem_pow10`]).
#[derive(Clone, Copy)]
struct Pow10Reciprocal {
    m: u128,
    shift: u32,
}

/// [`Pow10Reciprocal`] of `10^k` at index `k` (index 0 unused), computed by binary long
/// division of `2^(N+l)` by `5^k` at compile time.
const RECIPROCALS: [Pow10Reciprocal; 39] = {
    let mut t = [Pow10Reciprocal { m: 0, shift: 0 }; 39];
    let mut k = 1;
    while k < 39 {
        let d = POW10[k] >> k; // 5^k, odd and > 1
        let l = 128 - (d - 1).leading_zeros(); // ⌈log₂ d⌉
        let e = 128 - k as u32 + l; // N + l
        // ⌊2^e / d⌋ bit by bit: the remainder stays below d < 2⁸⁹, the quotient below 2^(N+1).
        let (mut q, mut r) = (0u128, 0u128);
        let mut i: i32 = e as i32;
        while i >= 0 {
            r = 2 * r + if i == e as i32 { 1 } else { 0 };
            if r >= d {
                r -= d;
                q |= 1 << i;
            }
            i -= 1;
        }
        // d (odd, > 1) does not divide 2^e: the ceiling is the floor plus one (no overflow:
        // a const panic otherwise).
        t[k] = Pow10Reciprocal {
            m: q + 1,
            shift: e - 128,
        };
        k += 1;
    }
    t
};

/// The high 128 bits of the 256-bit product `a · b`.
#[inline(always)]
fn mul_high(a: u128, b: u128) -> u128 {
    let (a0, a1) = (a as u64 as u128, a >> 64);
    let (b0, b1) = (b as u64 as u128, b >> 64);
    let (low, m1, m2, high) = (a0 * b0, a0 * b1, a1 * b0, a1 * b1);
    // < 3 · 2⁶⁴: the carries into the high half.
    let mid = (low >> 64) + (m1 as u64 as u128) + (m2 as u64 as u128);
    high + (m1 >> 64) + (m2 >> 64) + (mid >> 64)
}

/// `n / 10^k` (1 ≤ k ≤ 38) and the remainder, for a 128-bit `n`, by one multiplication by the
/// reciprocal of [`RECIPROCALS`] instead of a division.
///
/// Why it is exact: `n' = ⌊n / 2^k⌋ < 2^N` and `⌊n / 10^k⌋ = ⌊n' / d⌋` (`d = 5^k`). With
/// `m·d = 2^(N+l) + e`, `0 < e < d ≤ 2^l`: `n'·m / 2^(N+l) = n'/d + n'·e / (d·2^(N+l))`, and
/// the second term is below `2^N · 2^l / (d · 2^(N+l)) = 1/d`, while `n'/d` is at least `1/d`
/// below the next integer: the floor is `⌊n'/d⌋`. `m < 2^(N+1) ≤ 2¹²⁸`.
#[inline(always)]
fn div_rem_pow10(n: u128, k: u32) -> (u128, u128) {
    let Pow10Reciprocal { m, shift } = RECIPROCALS[k as usize];
    let q = mul_high(n >> k, m) >> shift;
    // q · 10^k ≤ n: no overflow.
    (q, n - q * POW10[k as usize])
}

/// `n / 10^k` (1 ≤ k ≤ 19) and the remainder, for a 128-bit `n` ([`div_rem_pow10`]), with
/// the remainder as a limb: the tests' interface to the 128-bit division.
#[cfg(test)]
fn div2_pow10(n: u128, k: u32) -> (u128, u64) {
    let (q, r) = div_rem_pow10(n, k);
    (q, r as u64)
}

/// Whether a quotient rounds up, half-even: `rem` is the remainder of the last division (by
/// `10^last`), `sticky` whether any earlier, less significant, remainder was nonzero.
#[inline(always)]
fn rounds_up(rem: u128, last: u32, sticky: bool, odd: bool) -> bool {
    let half = POW10[last as usize] >> 1; // 10^last is even
    // Without short-circuits, so that the rounding direction, which is data (about one in two),
    // is computed with flags rather than guessed by a branch.
    (rem > half) | ((rem == half) & (sticky | odd))
}

/// `n / 10^k` rounded half-even (1 ≤ k ≤ 38), on three 64-bit limbs: a first division by `10^19`
/// when k > 19 (its remainder kept as a sticky bit), then one by `10^(k−19)` or `10^k`, on two
/// limbs when the quotient so far fits in them.
#[inline]
pub(crate) fn div_pow10_limbs_half_even(n: &mut [u64; 3], k: u32) {
    div_pow10_limbs_half_even_inline(n, k);
}

/// [`div_pow10_limbs_half_even`], inlined into its caller: with a constant `k` (the discount
/// chain's 28) the divisors, shifts and the rounding half fold into constants. A numerator below
/// 2¹²⁸ takes [`div_rem_pow10`], a wider one [`div_rem_pow10_wide`] from `10^20` on (its
/// quotient fits in 128 bits) and the 64-bit limb division below.
#[inline(always)]
pub(crate) fn div_pow10_limbs_half_even_inline(n: &mut [u64; 3], k: u32) {
    let (q, rem) = if n[2] == 0 {
        div_rem_pow10((u128::from(n[1]) << 64) | u128::from(n[0]), k)
    } else if k >= 20 {
        div_rem_pow10_wide(n, k)
    } else {
        let rem = div3_pow10(n, k);
        if rounds_up(u128::from(rem), k, false, n[0] & 1 == 1) {
            for limb in n.iter_mut() {
                *limb = limb.wrapping_add(1);
                if *limb != 0 {
                    break;
                }
            }
        }
        return;
    };
    // q < 2¹²⁸/10: q + 1 cannot overflow.
    let q = q + u128::from(rounds_up(rem, k, false, q & 1 == 1));
    *n = [q as u64, (q >> 64) as u64, 0];
}

/// `⌊2¹⁹² / 10^k⌋` at index `k` for 20 ≤ k ≤ 38 (below 2¹²⁸ as `10^k > 2⁶⁴`; other indices
/// unused), by binary long division at compile time.
const WIDE_RECIPROCALS: [u128; 39] = {
    let mut t = [0u128; 39];
    let mut k = 20;
    while k < 39 {
        let d = POW10[k]; // < 2¹²⁷: twice a remainder fits
        let (mut q, mut r) = (0u128, 0u128);
        let mut i: i32 = 192;
        while i >= 0 {
            r = 2 * r + if i == 192 { 1 } else { 0 };
            if r >= d {
                r -= d;
                q |= 1 << i; // i < 128 here: the quotient is below 2¹²⁸
            }
            i -= 1;
        }
        t[k] = q;
        k += 1;
    }
    t
};

/// `n / 10^k` and the remainder for a 192-bit `n` (three 64-bit limbs, least significant first)
/// and 20 ≤ k ≤ 38, where the quotient is below 2¹⁹²/10²⁰ < 2¹²⁸: an estimate from the top 128
/// bits times [`WIDE_RECIPROCALS`], then at most two corrections.
///
/// Why: with `n = h·2⁶⁴ + l` (`l < 2⁶⁴`), `D = 10^k` and `R = ⌊2¹⁹²/D⌋`, the estimate
/// `q̃ = ⌊h·R / 2¹²⁸⌋` satisfies `h·R/2¹²⁸ ≤ h·2⁶⁴/D ≤ n/D` and
/// `h·R/2¹²⁸ > h·2⁶⁴/D − h/2¹²⁸ > (n − l)/D − 1 > n/D − 2` (as `D > 2⁶⁴ > l`), so
/// `⌊n/D⌋ − 2 ≤ q̃ ≤ ⌊n/D⌋`. The remainder `n − q̃·D` is then below `3D < 2¹²⁸` (k ≤ 38): the
/// low 128 bits of `n` minus `q̃·D`, both modulo 2¹²⁸, are that remainder exactly.
#[inline(always)]
fn div_rem_pow10_wide(n: &[u64; 3], k: u32) -> (u128, u128) {
    let d = POW10[k as usize];
    let high = (u128::from(n[2]) << 64) | u128::from(n[1]);
    let low = (u128::from(n[1]) << 64) | u128::from(n[0]);
    let mut q = mul_high(high, WIDE_RECIPROCALS[k as usize]);
    let mut rem = low.wrapping_sub(q.wrapping_mul(d));
    while rem >= d {
        q += 1;
        rem -= d;
    }
    (q, rem)
}

/// `mag / 10^k` rounded half-even (1 ≤ k ≤ 38), for `mag < 2¹²⁸` ([`div_rem_pow10`]).
#[inline]
pub(crate) fn div_pow10_half_even(mag: u128, k: u32) -> u128 {
    let (q, rem) = div_rem_pow10(mag, k);
    // q < 2¹²⁸/10, so q + 1 cannot overflow.
    q + u128::from(rounds_up(rem, k, false, q & 1 == 1))
}

/// The exact value `±mag × 10^−scale` (`mag < 2¹²⁸`) as rust_decimal stores it, on the magnitude
/// alone (the sign plays no part in rust_decimal's rounding of a magnitude, half-even being
/// symmetric): with at least `min_k` digits dropped (rust_decimal's scale limit), as is when it
/// then fits in 96 bits, else rounded half-even to the largest scale that fits. `None` for what
/// the caller must hand to rust_decimal (a zero, no scale left, or a rounding that carries to 2⁹⁶).
#[inline(always)]
pub(crate) fn fit_mag(mag: u128, scale: u32, min_k: u32) -> Option<(u128, u32)> {
    if min_k == 0 && mag < MANTISSA_LIMIT && mag != 0 {
        return Some((mag, scale));
    }
    fit_rounded(mag, scale, min_k)
}

/// [`fit_mag`] when digits are dropped.
#[inline(never)]
fn fit_rounded(mag: u128, scale: u32, min_k: u32) -> Option<(u128, u32)> {
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
    (q != 0 && q < MANTISSA_LIMIT).then_some((q, scale - k))
}

/// The sign, magnitude and scale of `x`.
#[inline(always)]
pub(crate) fn parts(x: Decimal) -> (bool, u128, u32) {
    (x.is_sign_negative(), x.mantissa().unsigned_abs(), x.scale())
}

/// Bits needed to write `m`.
#[inline(always)]
pub(crate) fn bit_len(m: u128) -> u32 {
    128 - m.leading_zeros()
}

/// `m × 10^d` when it stays below 2¹²⁷ (checked by bit lengths, conservatively), else `None`.
#[inline(always)]
fn scale_up(m: u128, d: u32) -> Option<u128> {
    let p = *POW10.get(d as usize)?;
    (bit_len(m) + bit_len(p) <= 127).then(|| m * p)
}

/// `a ± b` by the kernels ([`add_parts`]), or `None` to let rust_decimal do it.
#[inline(always)]
fn add_fast(a: Decimal, b: Decimal, subtract: bool) -> Option<Decimal> {
    let (nb, mb, sb) = parts(b);
    add_parts(parts(a), (nb ^ subtract, mb, sb)).map(|(n, m, s)| from_mag(m, n, s))
}

/// The 192-bit product of two magnitudes below 2⁹⁶, as 64-bit limbs, least significant first.
#[inline]
pub(crate) fn wide_mul(a: u128, b: u128) -> [u64; 3] {
    let (a0, a1) = (a as u64 as u128, a >> 64);
    let (b0, b1) = (b as u64 as u128, b >> 64);
    let low = a0 * b0;
    let mid = a0 * b1 + a1 * b0; // < 2⁹⁷
    let high = a1 * b1; // < 2⁶⁴
    let (lo, carry) = low.overflowing_add(mid << 64);
    let hi = high + (mid >> 64) + u128::from(carry);
    [lo as u64, (lo >> 64) as u64, hi as u64]
}

/// Whether the 192-bit `n` is at least `10^k · 2⁹⁶` (i.e. `n / 10^k` does not fit in 96 bits);
/// false for k ≥ 29, where `10^k · 2⁹⁶ ≥ 2¹⁹²`. On borrows rather than a limb-by-limb search, so
/// that the answer, which is data, is computed with flags instead of guessed by branches.
#[inline(always)]
pub(crate) fn at_least_pow10_shl96(n: &[u64; 3], k: u32) -> bool {
    // 10^k · 2⁹⁶ as limbs, for k ≤ 28 (10^28 < 2⁹⁶ keeps it below 2¹⁹²).
    let p = POW10[k.min(28) as usize];
    let limit = [0u64, (p << 32) as u64, (p >> 32) as u64];
    let (_, b0) = n[0].overflowing_sub(limit[0]);
    let (t1, b1a) = n[1].overflowing_sub(limit[1]);
    let (_, b1b) = t1.overflowing_sub(u64::from(b0));
    let (t2, b2a) = n[2].overflowing_sub(limit[2]);
    let (_, b2b) = t2.overflowing_sub(u64::from(b1a | b1b));
    // No borrow out of the top limb: n ≥ 10^k · 2⁹⁶.
    (k <= 28) & !(b2a | b2b)
}

/// `a × b` by the kernels ([`mul_parts`]), or `None` to let rust_decimal do it.
#[inline(always)]
fn mul_fast(a: Decimal, b: Decimal) -> Option<Decimal> {
    mul_parts(parts(a), parts(b)).map(|(n, m, s)| from_mag(m, n, s))
}

/// The product of two nonzero magnitudes below 2⁹⁶ whose scales add up to `scale`, as
/// rust_decimal's `checked_mul` stores it (mantissa and scale; exact when it fits in 96 bits at a
/// scale ≤ 28, else rounded half-even to the largest scale that fits), or `None` for what only
/// rust_decimal answers (a zero result, a carry to 2⁹⁶, no scale left). The one product of the
/// crate: [`mul`] and the schedule's fixed-scale loops both take it.
#[inline(always)]
pub(crate) fn mul_mag(ma: u128, mb: u128, scale: u32) -> Option<(u128, u32)> {
    mul_mag_with::<0, 0>(ma, mb, scale)
}

/// [`mul_mag`] whose full-width division by `10^k` is inlined with `k` a constant when `k` is
/// `K1` or `K2` ([`div_pow10_limbs_half_even_inline`], the same bits as
/// [`div_pow10_limbs_half_even`], which every other `k` calls): for a caller whose `k` is mostly
/// one of two values. `K = 0` inlines nothing (no division drops 0 digits).
#[inline(always)]
pub(crate) fn mul_mag_with<const K1: u32, const K2: u32>(
    ma: u128,
    mb: u128,
    scale: u32,
) -> Option<(u128, u32)> {
    if bit_len(ma) + bit_len(mb) <= 128 {
        return fit_mag(ma * mb, scale, scale.saturating_sub(28));
    }
    mul_mag_wide::<K1, K2>(ma, mb, scale)
}

/// [`mul_mag_with`] by the full-width product whatever the operands' widths: the same result (a
/// product below 2¹²⁸ takes the same [`fit_mag`]), without the width test, for a caller whose
/// operands are nearly always wide (the face-value walk's balance times its rate). `ma` and `mb`
/// below 2⁹⁶, as for [`mul_mag`].
#[inline(always)]
pub(crate) fn mul_mag_wide<const K1: u32, const K2: u32>(
    ma: u128,
    mb: u128,
    scale: u32,
) -> Option<(u128, u32)> {
    // Full width: the smallest k ≥ max(0, scale − 28) with n / 10^k < 2⁹⁶.
    let mut n = wide_mul(ma, mb);
    if n[2] == 0 {
        let p = (u128::from(n[1]) << 64) | u128::from(n[0]);
        return fit_mag(p, scale, scale.saturating_sub(28));
    }
    let bits = 192 - n[2].leading_zeros();
    // n ≥ 2^(bits−1), so 10^k ≤ 2^(bits−97) leaves n/10^k ≥ 2⁹⁶: such a k is too small, and
    // ⌊(bits−97)·77/256⌋ ≤ ⌊(bits−97)·log₁₀2⌋ is one, a safe place to start counting up.
    let estimate = ((bits - 97) * 77) >> 8;
    let lo = estimate.max(scale.saturating_sub(28));
    // The smallest k ≥ lo (up to 29) with n < 10^k·2⁹⁶ is lo, lo + 1 or lo + 2: n < 2^bits, and
    // 10^(estimate+2) ≥ 2^(bits−96) for every bits from 129 to 192
    // (`wide_product_drops_at_most_two_digits_past_the_estimate`). The test holding at k holds
    // at every smaller k, so counting the two tests that hold gives it, computed with flags
    // rather than a loop whose length is data (one mispredicted exit per product).
    let k =
        lo + u32::from(at_least_pow10_shl96(&n, lo)) + u32::from(at_least_pow10_shl96(&n, lo + 1));
    if k > scale || k == 0 {
        return None;
    }
    if K1 != 0 && k == K1 {
        div_pow10_limbs_half_even_inline(&mut n, K1);
    } else if K2 != 0 && k == K2 {
        div_pow10_limbs_half_even_inline(&mut n, K2);
    } else {
        div_pow10_limbs_half_even(&mut n, k);
    }
    let q = (u128::from(n[1]) << 64) | u128::from(n[0]);
    (q != 0 && q < MANTISSA_LIMIT).then_some((q, scale - k))
}

/// Round half-even to `dp` decimal places.
///
/// The same value and scale as `x.round_dp_with_strategy(dp, MidpointNearestEven)` (a value with at
/// most `dp` decimals is returned unchanged, anything else gets scale `dp`), computed with one
/// native 128-bit division of the mantissa instead of rust_decimal's digit-group loops.
pub(crate) fn round_dp(x: Decimal, dp: u32) -> Decimal {
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
pub(crate) fn round_cents(x: Decimal) -> Decimal {
    round_dp(x, 2)
}

/// Rates as QI prints and uses them: round half-even to 8 decimals.
pub(crate) fn round_rate(x: Decimal) -> Decimal {
    round_dp(x, 8)
}

/// Checked `a × b`; `field` names the input blamed on overflow.
///
/// Bit for bit rust_decimal's `checked_mul` (exact when the product fits in 96 bits, else rounded
/// half-even to the largest scale that fits), by the 128/192-bit kernels of this module.
#[inline]
pub(crate) fn mul(a: Decimal, b: Decimal, field: &str) -> Result<Decimal> {
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
pub(crate) fn add(a: Decimal, b: Decimal, field: &str) -> Result<Decimal> {
    match add_fast(a, b, false) {
        Some(r) => Ok(r),
        None => add_slow(a, b, false, field),
    }
}

/// Checked `a − b`; `field` names the input blamed on overflow.
///
/// Bit for bit rust_decimal's `checked_sub`, by the 128-bit kernels of this module.
#[inline]
pub(crate) fn sub(a: Decimal, b: Decimal, field: &str) -> Result<Decimal> {
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
    // A zero operand, as rust_decimal's `add_sub_internal` answers it before any arithmetic:
    // `0 ± b` is `b` as it is (negated for `0 − b` with `b` nonzero), `a ± 0` is `a`.
    if a.is_zero() {
        return Ok(if subtract && !b.is_zero() { -b } else { b });
    }
    if b.is_zero() {
        return Ok(a);
    }
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
/// and converted once. Zero terms change nothing (or, before any other term, are the sum as
/// they are). From the first term that breaks this (negative, or too large), the rest is added
/// by [`add`].
///
/// # Errors
/// [`Error::Overflow`] as [`add`].
pub(crate) fn sum(terms: impl IntoIterator<Item = Decimal>, field: &str) -> Result<Decimal> {
    let mut acc: u128 = 0;
    let mut scale = 0;
    let mut terms = terms.into_iter();
    let mut rest = None;
    // rust_decimal's `x + 0` is `x` as it is, and `0 + x` is `x` as it is (a zero's scale and
    // sign included): a zero term leaves the sum as it is, unless nothing else came before it,
    // when the sum is that zero until the next term replaces it.
    let mut zero = None;
    for t in terms.by_ref() {
        let (negative, mag, s) = parts(t);
        if mag == 0 {
            if acc == 0 {
                zero = Some(t);
            }
            continue;
        }
        if negative {
            rest = Some(t);
            break;
        }
        // The common case, a term at the sum's scale: `scale_up` by 10⁰ is the term itself.
        let next = if s == scale {
            Some((acc + mag, s))
        } else if s > scale {
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
        zero.unwrap_or(Decimal::ZERO)
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
/// `x` as it is for an odd mantissa (no trailing zero, and no zero), a 64-bit loop for the other
/// common mantissas.
pub(crate) fn normalize(x: Decimal) -> Decimal {
    let (negative, mag, scale) = parts(x);
    if mag & 1 == 1 {
        return x;
    }
    if mag == 0 || scale == 0 || mag >> 64 != 0 {
        return x.normalize();
    }
    let (m, scale) = strip_zeros_u64(mag as u64, scale);
    from_mag(u128::from(m), negative, scale)
}

/// `m × 10^−scale` without trailing fractional zeros (zero to scale 0), on a 64-bit mantissa
/// (64-bit divisions by the constant 10): the one loop behind [`normalize`], [`normalize_mag_u64_first`] and the
/// JSON writer's numbers.
#[inline(always)]
pub(crate) fn strip_zeros_u64(mut m: u64, mut scale: u32) -> (u64, u32) {
    while scale > 0 && m.is_multiple_of(10) {
        m /= 10;
        scale -= 1;
    }
    (m, scale)
}

/// Checked `a ÷ b` (division by zero is reported as an overflow of `field`).
pub(crate) fn div(a: Decimal, b: Decimal, field: &str) -> Result<Decimal> {
    a.checked_div(b).ok_or_else(|| Error::overflow(field, a))
}

/// Checked integer power `x^n`: rust_decimal's `checked_powu`, bit for bit.
///
/// For `3 ≤ n < 1024` rust_decimal squares and multiplies with its 96-bit multiplication (each
/// product rounded half-even to what fits) and normalizes the result; this runs that same sequence
/// of products on this module's multiplication kernel. Other exponents (and 0, 1 as bases) go to
/// rust_decimal itself (for `n ≥ 1024` it keeps 192-bit intermediates).
pub(crate) fn powu(x: Decimal, n: u64, field: &str) -> Result<Decimal> {
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
pub(crate) fn nth_root(x: Decimal, n: u64, field: &str) -> Result<Decimal> {
    if x <= Decimal::ZERO || n == 0 {
        return Err(Error::out_of_range(
            field,
            x,
            "root of a non-positive number",
        ));
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
pub(crate) fn root_rate(x: Decimal, n: u64, dp: u32, field: &str) -> Result<Decimal> {
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
pub(crate) fn to_f64(x: Decimal) -> f64 {
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
pub(crate) fn from_f64_shortest(v: f64, field: &str) -> Result<Decimal> {
    if !v.is_finite() {
        return Err(Error::out_of_range(field, v, "not a finite number"));
    }
    let s = format!("{v}");
    let d = s
        .parse::<Decimal>()
        .or_else(|_| Decimal::from_scientific(&format!("{v:e}")))
        .map_err(|_| Error::out_of_range(field, v, "number out of the decimal range"))?;
    if d.is_zero() && v != 0.0 {
        // Below 1e-28 a decimal has no digit for it: refused rather than read as 0.
        return Err(Error::out_of_range(
            field,
            v,
            "number too small for a decimal (below 1e-28)",
        ));
    }
    Ok(d)
}

#[cfg(test)]
pub(crate) mod tests;
#[cfg(test)]
mod wide_tests;

mod compare;
pub(crate) use compare::{cmp, max};

// ---------------------------------------------------------------------------------------------
// The checked operations on a decimal's parts, for the fixed-scale kernels that carry a value as
// its sign, magnitude and scale instead of a `Decimal` (`schedule::fixed_issue`).

/// A decimal's sign, magnitude (`< 2⁹⁶`) and scale (`≤ 28`), as [`parts`] reads them.
pub(crate) type Parts = (bool, u128, u32);

/// `a + b` on parts: rust_decimal's `checked_add`, value and scale ([`add`]'s kernel). `None` for
/// what only rust_decimal answers: a zero operand (rust_decimal returns the other as it is), an
/// operand that cannot be brought to the other's scale below 2¹²⁷, a zero result or a rounding
/// that carries to 2⁹⁶.
#[inline(always)]
pub(crate) fn add_parts((na, ma, sa): Parts, (nb, mb, sb): Parts) -> Option<Parts> {
    if ma == 0 || mb == 0 {
        return None;
    }
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
    if mag < MANTISSA_LIMIT {
        // As it is (a zero is rust_decimal's to sign and scale).
        return (mag != 0).then_some((negative, mag, scale));
    }
    if mag < 10 << 96 && scale > 0 {
        // One digit to drop (the usual carry of a sum at 28 digits): by the compiler's division
        // by the constant 10, which [`fit_mag`]'s general rounding takes the long way.
        let q = div10_half_even(mag);
        return (q < MANTISSA_LIMIT).then_some((negative, q, scale - 1));
    }
    fit_mag(mag, scale, 0).map(|(q, s)| (negative, q, s))
}

/// [`div_pow10_half_even`]`(mag, 1)`: `mag / 10` rounded half-even, by the compiler's division by
/// a constant (a few multiplications on a `u128`).
#[inline(always)]
fn div10_half_even(mag: u128) -> u128 {
    let q = mag / 10;
    let rem = mag - q * 10;
    q + u128::from(rem > 5 || (rem == 5 && q & 1 == 1))
}

/// `a × b` on parts: rust_decimal's `checked_mul`, value and scale ([`mul_mag`] with the sign).
/// `None` for a zero operand and what [`mul_mag`] leaves to rust_decimal.
#[inline(always)]
pub(crate) fn mul_parts((na, ma, sa): Parts, (nb, mb, sb): Parts) -> Option<Parts> {
    if ma == 0 || mb == 0 {
        return None;
    }
    mul_mag(ma, mb, sa + sb).map(|(q, s)| (na ^ nb, q, s))
}

/// [`round_dp`] on parts: `x` as it is at `dp` decimals or fewer, else its magnitude rounded
/// half-even to `dp` decimals. `None` for a zero (rust_decimal sets its scale).
#[inline(always)]
pub(crate) fn round_dp_parts((negative, mag, scale): Parts, dp: u32) -> Option<Parts> {
    if scale <= dp {
        return Some((negative, mag, scale));
    }
    (mag != 0).then(|| (negative, div_pow10_half_even(mag, scale - dp), dp))
}

/// [`normalize`] of a nonzero magnitude: `mag × 10^−scale` without trailing fractional zeros.
/// The last digit is read off the 64-bit halves (2⁶⁴ ≡ 6 mod 10), so that a magnitude not ending
/// in 0 costs no 128-bit division.
#[inline(always)]
pub(crate) fn normalize_mag(mut mag: u128, mut scale: u32) -> (u128, u32) {
    while scale > 0
        && mag != 0
        && ((mag >> 64) as u64 % 10 * 6 + mag as u64 % 10).is_multiple_of(10)
    {
        mag /= 10;
        scale -= 1;
    }
    (mag, scale)
}

/// [`normalize_mag`], by [`strip_zeros_u64`] where the magnitude fits in 64 bits.
#[inline(always)]
pub(crate) fn normalize_mag_u64_first(mag: u128, scale: u32) -> (u128, u32) {
    match u64::try_from(mag) {
        Ok(m) => {
            let (m, scale) = strip_zeros_u64(m, scale);
            (u128::from(m), scale)
        }
        Err(_) => normalize_mag(mag, scale),
    }
}
