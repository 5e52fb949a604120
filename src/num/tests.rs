//! The kernels against rust_decimal, bit for bit, and the roundings, roots and conversions.

use super::*;

/// A fixed LCG's random decimals: mantissas of 1 to 96 bits, scales 0 to 28, both signs.
pub(crate) struct Operands(pub(crate) u64);

impl Operands {
    pub(crate) fn bits(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0
    }

    pub(crate) fn decimal(&mut self) -> Decimal {
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

/// The reciprocal multiplication of `div_rem_pow10` is the native division, quotient and
/// remainder, for every power 10¹ to 10³⁸: on random numerators of every width, on the multiples
/// of the divisor and their neighbours (remainders 0, 1, half − 1, half, half + 1, divisor − 1,
/// where the floor and the half-even rounding change), on the largest numerators (2¹²⁸ − 1 and
/// the last multiple below it); and `div_pow10_half_even` rounds those to the same value as
/// rust_decimal's half-even `round_dp` where the numerator is a mantissa (below 2⁹⁶).
#[test]
fn the_reciprocal_multiplication_is_the_native_division() {
    let mut ops = Operands(23);
    for k in 1..39_u32 {
        let divisor = POW10[k as usize];
        let half = divisor / 2;
        let check = |n: u128| {
            assert_eq!(
                div_rem_pow10(n, k),
                (n / divisor, n % divisor),
                "{n} / 10^{k}"
            );
            let rem = n % divisor;
            let q = n / divisor;
            let up = rem > half || (rem == half && q % 2 == 1);
            assert_eq!(
                div_pow10_half_even(n, k),
                q + u128::from(up),
                "{n} / 10^{k}"
            );
            if n < MANTISSA_LIMIT && k <= 28 {
                let want = from_mag(n, false, k).round_dp_with_strategy(0, ROUNDING);
                let want = want.mantissa().unsigned_abs();
                assert_eq!(want, div_pow10_half_even(n, k), "{n} / 10^{k}");
            }
        };
        check(u128::MAX);
        check(u128::MAX - u128::MAX % divisor);
        check(u128::MAX - u128::MAX % divisor - 1);
        check(0);
        for i in 0..20_000 {
            let width = 1 + ops.bits() % 128;
            let wide = (u128::from(ops.bits()) << 64 | u128::from(ops.bits())) >> (128 - width);
            if i % 2 == 0 {
                check(wide);
                continue;
            }
            let q = wide / divisor;
            for r in [0, 1, half - 1, half, half + 1, divisor - 1] {
                if let Some(n) = (q * divisor).checked_add(r) {
                    check(n);
                }
            }
        }
    }
}

/// `a · b` as four 64-bit limbs, least significant first (schoolbook, for the tests).
pub(crate) fn mul_limbs(a: u128, b: u128) -> [u64; 4] {
    let (a, b) = ([a as u64, (a >> 64) as u64], [b as u64, (b >> 64) as u64]);
    let mut out = [0u64; 4];
    for i in 0..2 {
        let mut carry = 0u128;
        for j in 0..2 {
            let t = u128::from(a[i]) * u128::from(b[j]) + u128::from(out[i + j]) + carry;
            out[i + j] = t as u64;
            carry = t >> 64;
        }
        out[i + 2] = carry as u64;
    }
    out
}

/// The 192-bit division as it was before `div_rem_pow10_wide`: by `10^19` first (its remainder a
/// sticky bit), then by `10^(k − 19)`, on 64-bit limbs; rounded half-even.
fn limbs_half_even_by_two_divisions(n: &mut [u64; 3], k: u32) {
    let (sticky, last) = if k > 19 {
        (div3_pow10(n, 19) != 0, k - 19)
    } else {
        (false, k)
    };
    let rem = div3_pow10(n, last);
    let half = (POW10[last as usize] / 2) as u64;
    if rem > half || (rem == half && (sticky || n[0] & 1 == 1)) {
        for limb in n.iter_mut() {
            *limb = limb.wrapping_add(1);
            if *limb != 0 {
                break;
            }
        }
    }
}

/// The 192-bit division by `10^k` (1 ≤ k ≤ 38) rounded half-even — the reciprocal estimate of
/// `div_rem_pow10_wide` from `10^20` on, the 128-bit multiplication below 2¹²⁸ — gives the limbs
/// of the two-division route it replaced: on random numerators of every width up to 2¹⁹² − 1,
/// and on multiples of `10^k` plus 0, 1, half − 1, half, half + 1 and `10^k − 1` (the floor's and
/// the rounding's edges, where the estimate needs its corrections), up to the largest multiple.
#[test]
fn the_wide_reciprocal_division_is_the_limb_division() {
    let mut ops = Operands(29);
    let check = |n: [u64; 3], k: u32| {
        let (mut got, mut want) = (n, n);
        div_pow10_limbs_half_even(&mut got, k);
        limbs_half_even_by_two_divisions(&mut want, k);
        assert_eq!(got, want, "{n:?} / 10^{k}");
        if k >= 20 {
            let (q, rem) = div_rem_pow10_wide(&n, k);
            let mut floor = n;
            let mut r = u128::from(div3_pow10(&mut floor, 19));
            r += u128::from(div3_pow10(&mut floor, k - 19)) * POW10[19];
            assert_eq!(
                (q, rem),
                ((u128::from(floor[1]) << 64) | u128::from(floor[0]), r)
            );
        }
    };
    for k in 1..39_u32 {
        let d = POW10[k as usize];
        let half = d / 2;
        check([u64::MAX; 3], k);
        for i in 0..5_000 {
            let n = [ops.bits(), ops.bits(), ops.bits() >> (ops.bits() % 64)];
            check(n, k);
            // q · 10^k + r below 2¹⁹²: q of at most 192 − bits(10^k) − 1 bits.
            let q_bits = 191 - bit_len(d);
            let q = (u128::from(ops.bits()) << 64 | u128::from(ops.bits()))
                >> (128 - q_bits.min(128) + (i % 64).min(q_bits.min(128) - 1));
            let q = if i % 7 == 0 && q_bits <= 128 {
                (1u128 << q_bits) - 1 // the largest
            } else {
                q
            };
            for r in [0, 1, half - 1, half, half + 1, d - 1] {
                let p = mul_limbs(q, d);
                let (low, carry) = ((u128::from(p[1]) << 64) | u128::from(p[0])).overflowing_add(r);
                let top = u128::from(p[2]) + u128::from(carry);
                assert!(p[3] == 0 && top >> 64 == 0);
                check([low as u64, (low >> 64) as u64, top as u64], k);
            }
        }
    }
}

/// The division inlined with a constant `10^26` or `10^27` (the face-value walk's common step,
/// [`mul_mag_with`]) gives the limbs of the division by a variable power: on random numerators of
/// every width, on multiples of the power plus 0, 1, half − 1, half, half + 1 and `10^k − 1`
/// (the rounding's edges), and on `2¹⁹² − 1`; and the walk's product, [`mul_mag_with`] with those
/// divisions, is [`mul_mag`] (value and scale) on random operands whose products drop 26, 27 and
/// other numbers of digits, and on both sides of 2¹²⁸ and of `10^k·2⁹⁶`.
#[test]
fn the_constant_power_divisions_are_the_variable_ones() {
    let mut ops = Operands(31);
    let walk_div = |n: &mut [u64; 3], k: u32| match k {
        27 => div_pow10_limbs_half_even_inline(n, 27),
        26 => div_pow10_limbs_half_even_inline(n, 26),
        _ => div_pow10_limbs_half_even(n, k),
    };
    let check = |n: [u64; 3], k: u32| {
        let (mut got, mut want) = (n, n);
        walk_div(&mut got, k);
        div_pow10_limbs_half_even(&mut want, k);
        assert_eq!(got, want, "{n:?} / 10^{k}");
    };
    for k in [25_u32, 26, 27, 28] {
        let d = POW10[k as usize];
        let half = d / 2;
        check([u64::MAX; 3], k);
        for _ in 0..5_000 {
            check([ops.bits(), ops.bits(), ops.bits() >> (ops.bits() % 64)], k);
            let q = (u128::from(ops.bits()) << 64 | u128::from(ops.bits())) >> (ops.bits() % 128);
            let q = q >> (bit_len(d) + 1).saturating_sub(64);
            for r in [0, 1, half - 1, half, half + 1, d - 1] {
                let p = mul_limbs(q, d);
                let (low, carry) = ((u128::from(p[1]) << 64) | u128::from(p[0])).overflowing_add(r);
                let top = u128::from(p[2]) + u128::from(carry);
                if p[3] == 0 && top >> 64 == 0 {
                    check([low as u64, (low >> 64) as u64, top as u64], k);
                }
            }
        }
    }
    let mut counts = [0u32; 29];
    for i in 0..200_000_u32 {
        let wa = 1 + ops.bits() % 96;
        let wb = 1 + ops.bits() % 96;
        let a = ((u128::from(ops.bits()) << 64 | u128::from(ops.bits())) >> (128 - wa)).max(1);
        let b = ((u128::from(ops.bits()) << 64 | u128::from(ops.bits())) >> (128 - wb)).max(1);
        // Around 2¹²⁸ and the power thresholds: the product's last bits nudged.
        let (a, b) = match i % 4 {
            0 => (a, b),
            1 => ((u128::MAX / b).max(1), b),
            2 => (((u128::MAX / b) + 1).min(MANTISSA_LIMIT - 1), b),
            _ => {
                let k = (ops.bits() % 29) as usize;
                let target = POW10[k.min(9)] << 96;
                ((target / b).clamp(1, MANTISSA_LIMIT - 1), b)
            }
        };
        let scale = 28 + (ops.bits() % 29) as u32;
        let want = mul_mag(a, b, scale);
        assert_eq!(
            mul_mag_with::<27, 26>(a, b, scale),
            want,
            "{a} × {b} at {scale}"
        );
        if let Some((_, s)) = want {
            counts[(scale - s) as usize] += 1;
        }
    }
    assert!(counts[26] > 100 && counts[27] > 100, "{counts:?}");
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
                let error = (3.0 + xf.ln().abs() / f64::from(n)) * ulp * y * POW10_F64[dp as usize]
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

/// `sum` with zero terms is repeated rust_decimal `checked_add`, sign and scale included: zeros
/// of every scale and both signs first (the sum is then the last of them, until the first other
/// term replaces it), between and after positive terms (left as they are), only zeros, and zeros
/// before a negative term (handed to `add`).
#[test]
fn zero_terms_leave_the_sum_as_rust_decimal_does() {
    let neg_zero = |scale| from_mag(0, true, scale);
    let cases: Vec<Vec<Decimal>> = vec![
        vec![d("0.00"), d("1.5"), d("2.25")],
        vec![neg_zero(3), d("1.5")],
        vec![d("0.0000000000"), neg_zero(2)],
        vec![neg_zero(28)],
        vec![d("1.5"), d("0.000000"), d("2"), neg_zero(4), d("0.01")],
        vec![d("0"), d("0.00"), d("-1.5"), d("0.0"), d("3")],
        vec![d("2.5"), d("0.00")],
        vec![d("0.00"), d("0.0"), d("7")],
        vec![],
    ];
    for terms in cases {
        let mut want = Decimal::ZERO;
        for t in &terms {
            want = want.checked_add(*t).expect("fits");
        }
        let got = sum(terms.iter().copied(), "t").expect("fits");
        assert_eq!(
            got.serialize(),
            want.serialize(),
            "{terms:?}: {got} vs {want}"
        );
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
        // Odd mantissas, returned as they are: at scale 0, negative, beyond 64 bits, at 28.
        (from_mag(7, false, 0), "7"),
        (from_mag(307_166_389, true, 6), "-307.166389"),
        (
            from_mag((1 << 80) + 1, false, 3),
            "1208925819614629174706.177",
        ),
        (
            from_mag(MANTISSA_LIMIT - 1, false, 28),
            "7.9228162514264337593543950335",
        ),
    ] {
        let n = normalize(x);
        assert_eq!(n.to_string(), want, "{x:?}");
        assert!(
            same_bits(n, x.normalize()) && n.is_sign_negative() == x.normalize().is_sign_negative()
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

/// The kernels, bit for bit against rust_decimal, on random operands (xorshift64*), and the
/// quantized roots against the Newton root (from the integration tests' exactness suite).
pub(crate) mod against_rust_decimal {
    use rust_decimal::{Decimal, MathematicalOps};

    use crate::num;

    fn dec(s: &str) -> Decimal {
        s.parse().expect("decimal literal")
    }

    /// Seeded xorshift64* (reproducible, no dependency); the schedule's kernel tests draw from it too.
    pub(crate) struct Rng(pub(crate) u64);

    impl Rng {
        /// The next 64 random bits.
        pub(crate) fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }

        /// Uniform in `lo..=hi`.
        pub(crate) fn range(&mut self, lo: u64, hi: u64) -> u64 {
            lo + self.next() % (hi - lo + 1)
        }

        fn chance(&mut self, one_in: u64) -> bool {
            self.next().is_multiple_of(one_in)
        }
    }

    /// A decimal with a random bit length (0–96), shape and scale.
    fn random_decimal(r: &mut Rng) -> Decimal {
        let bits = (r.next() % 97) as u32;
        let raw = ((u128::from(r.next()) << 64) | u128::from(r.next())) & ((1 << 96) - 1);
        let m = match r.next() % 16 {
            0 => (1 << 96) - 1 - u128::from(r.next() % 5),
            1 => 10u128.pow((r.next() % 28) as u32),
            2 => 5 * 10u128.pow((r.next() % 27) as u32),
            _ if bits == 0 => 0,
            _ => raw >> (96 - bits),
        };
        Decimal::from_parts(
            m as u32,
            (m >> 32) as u32,
            (m >> 64) as u32,
            r.chance(2),
            (r.next() % 29) as u32,
        )
    }

    /// Value and scale (and sign of zero) identical.
    fn same(a: Option<Decimal>, b: Option<Decimal>) -> bool {
        a.map(|x| x.serialize()) == b.map(|x| x.serialize())
    }

    #[test]
    fn kernels_are_bit_for_bit_rust_decimal() {
        let mut r = Rng(0xDEC1_3A11);
        let cases = 300_000;
        let mut bad = Vec::new();
        for _ in 0..cases {
            let (a, b) = (random_decimal(&mut r), random_decimal(&mut r));
            let dp = (r.next() % 29) as u32;
            let checks = [
                ("mul", same(num::mul(a, b, "x").ok(), a.checked_mul(b))),
                ("add", same(num::add(a, b, "x").ok(), a.checked_add(b))),
                ("sub", same(num::sub(a, b, "x").ok(), a.checked_sub(b))),
                (
                    "round_dp",
                    same(
                        Some(num::round_dp(a, dp)),
                        Some(a.round_dp_with_strategy(dp, num::ROUNDING)),
                    ),
                ),
                (
                    "normalize",
                    same(Some(num::normalize(a)), Some(a.normalize())),
                ),
                (
                    "to_f64",
                    num::to_f64(a).to_bits()
                        == a.normalize()
                            .to_string()
                            .parse::<f64>()
                            .map_or(0, f64::to_bits),
                ),
            ];
            for (name, ok) in checks {
                if !ok && bad.len() < 10 {
                    bad.push(format!("{name}({a:?}, {b:?}, dp {dp})"));
                }
            }
        }
        // Schedule-like operands: growth factors near 1 at full precision, balances, cents.
        for _ in 0..cases / 3 {
            let g = Decimal::ONE + Decimal::new((r.next() % 100_000_000_000) as i64, 13);
            let f = g.checked_powu(r.range(1, 40)).unwrap_or(g);
            let inv = Decimal::ONE / f;
            let bal = Decimal::new(r.range(1, 1_000_000_000) as i64, 2) * inv;
            let pairs = [(inv, inv), (bal, f - Decimal::ONE), (bal, inv), (inv, bal)];
            for (a, b) in pairs {
                if !same(num::mul(a, b, "x").ok(), a.checked_mul(b))
                    || !same(num::add(a, b, "x").ok(), a.checked_add(b))
                    || !same(num::sub(a, b, "x").ok(), a.checked_sub(b))
                {
                    bad.push(format!("schedule-like ({a:?}, {b:?})"));
                }
            }
            let e = r.range(0, 1_100);
            if !same(num::powu(f, e, "x").ok(), f.checked_powu(e)) {
                bad.push(format!("powu({f:?}, {e})"));
            }
        }
        // Sums of taxes, in order, as repeated checked_add from zero.
        for _ in 0..cases / 30 {
            let terms: Vec<Decimal> = (0..r.range(0, 130))
                .map(|_| match r.next() % 8 {
                    0 => random_decimal(&mut r),
                    1 => Decimal::ZERO,
                    _ => Decimal::new(
                        (r.next() % 100_000_000_000_000) as i64,
                        (r.next() % 17) as u32,
                    ),
                })
                .collect();
            let mut sequential = Some(Decimal::ZERO);
            for t in &terms {
                sequential = sequential.and_then(|s| s.checked_add(*t));
            }
            if !same(num::sum(terms.iter().copied(), "t").ok(), sequential) {
                bad.push(format!("sum({terms:?})"));
            }
        }
        assert!(bad.is_empty(), "{bad:#?}");
    }

    #[test]
    fn quantized_roots_match_the_newton_root() {
        let mut r = Rng(0x0007_2001);
        let mut bad = Vec::new();
        let mut exact_powers = vec![
            (dec("1.0201"), 2),
            (dec("1.21"), 2),
            (dec("2.25"), 2),
            (dec("4"), 2),
            (dec("1.5"), 1),
            (dec("1.0205"), 1),
            (dec("1.000000015"), 1),
        ];
        for _ in 0..30_000 {
            let x = Decimal::ONE
                + Decimal::new(r.range(0, 4_000_000) as i64 - 990_000, r.range(5, 9) as u32);
            let n = [1, 2, 12, 30, 252, 365][(r.next() % 6) as usize];
            exact_powers.push((x.max(dec("0.01")), n));
        }
        for (x, n) in exact_powers {
            let newton = num::nth_root(x, n, "x")
                .map(|y| y - Decimal::ONE)
                .map(|y| y.round_dp_with_strategy(8, num::ROUNDING));
            let fast = num::root_rate(x, n, 8, "x");
            if !same(fast.ok(), newton.ok()) {
                bad.push(format!("root_rate({x}, {n})"));
            }
        }
        assert!(bad.is_empty(), "{bad:#?}");
    }
}

/// `add` and `sub` with a zero operand (which the kernels leave to `add_slow`, and `add_slow`
/// answers without rust_decimal): bit for bit `checked_add` / `checked_sub`, sign and scale, for
/// zeros of both signs and several scales against zeros and nonzero values of both signs.
#[test]
fn zero_operands_add_and_subtract_as_rust_decimal_does() {
    let zeros = zeros();
    let mut others: Vec<Decimal> = zeros.to_vec();
    others.extend([
        Decimal::new(1, 2),
        Decimal::new(-1, 2),
        from_mag(MANTISSA_LIMIT - 1, false, 0),
        from_mag(MANTISSA_LIMIT - 1, true, 28),
        from_mag(1 << 40, true, 9),
    ]);
    for z in zeros {
        for x in &others {
            for (a, b) in [(z, *x), (*x, z)] {
                let add = add(a, b, "x").expect("a zero operand cannot overflow");
                let sub = sub(a, b, "x").expect("a zero operand cannot overflow");
                let want_add = a.checked_add(b).expect("rust_decimal");
                let want_sub = a.checked_sub(b).expect("rust_decimal");
                assert_eq!(add.serialize(), want_add.serialize(), "{a:?} + {b:?}");
                assert_eq!(sub.serialize(), want_sub.serialize(), "{a:?} - {b:?}");
            }
        }
    }
}

/// Zeros of both signs and several scales (rust_decimal keeps each as it is stored).
pub(crate) fn zeros() -> [Decimal; 5] {
    [
        Decimal::ZERO,
        -Decimal::ZERO,
        from_mag(0, false, 2),
        from_mag(0, true, 7),
        from_mag(0, false, 28),
    ]
}
