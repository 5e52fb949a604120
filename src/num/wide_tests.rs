//! The wide products' digit count and limit comparison, against their definitions, and the
//! full-width product against the product.

use super::tests::{Operands, mul_limbs};
use super::*;

/// `mul_mag`'s count of digits to drop starts at `⌊(bits − 97)·77/256⌋` and looks at most two
/// further: for every width of a full product (`bits` from 129 to 192) the estimate plus two
/// already drops enough, `10^(e+2) ≥ 2^(bits−96)`, so `n < 2^bits ≤ 10^(e+2)·2⁹⁶`.
#[test]
fn wide_product_drops_at_most_two_digits_past_the_estimate() {
    for bits in 129_u32..=192 {
        let e = ((bits - 97) * 77) >> 8;
        assert!(POW10[(e + 2) as usize] >= 1_u128 << (bits - 96), "{bits}");
        // And the estimate itself never drops too many: 10^e ≤ 2^(bits−97) ≤ n / 2⁹⁶.
        assert!(POW10[e as usize] <= 1_u128 << (bits - 97), "{bits}");
    }
}

/// `at_least_pow10_shl96` on borrows is the comparison of `n` with `10^k · 2⁹⁶`, limb by limb,
/// at and on both sides of every limit (k from 0 to 38; false from 29 on, where the limit passes
/// 2¹⁹²) and on random numbers of every width.
#[test]
fn the_borrow_comparison_is_the_limb_comparison() {
    let reference = |n: &[u64; 3], k: u32| -> bool {
        if k > 28 {
            return false;
        }
        let limit = mul_limbs(POW10[k as usize], 1_u128 << 96);
        assert_eq!(limit[3], 0);
        for i in (0..3).rev() {
            if n[i] != limit[i] {
                return n[i] > limit[i];
            }
        }
        true
    };
    let mut r = Operands(0x2b0_770f);
    let mut numbers = Vec::new();
    for &p in &POW10[..=28] {
        let limit = mul_limbs(p, 1_u128 << 96);
        let l = [limit[0], limit[1], limit[2]];
        numbers.push(l);
        numbers.push([u64::MAX, l[1].wrapping_sub(1), l[2] - u64::from(l[1] == 0)]);
        numbers.push([1, l[1], l[2]]);
        numbers.push([0, l[1], l[2] + 1]);
    }
    numbers.push([u64::MAX; 3]);
    numbers.push([0; 3]);
    for _ in 0..20_000 {
        let width = r.bits() % 193;
        let mut n = [r.bits(), r.bits(), r.bits()];
        for (i, limb) in n.iter_mut().enumerate() {
            let from = 64 * i as u64;
            if width <= from {
                *limb = 0;
            } else if width < from + 64 {
                *limb &= (1_u64 << (width - from)) - 1;
            }
        }
        numbers.push(n);
    }
    for n in &numbers {
        for k in 0..=38 {
            assert_eq!(at_least_pow10_shl96(n, k), reference(n, k), "{n:?} {k}");
        }
    }
}

/// `mul_mag_wide` (the full-width product whatever the widths) is `mul_mag`, value, scale and
/// refusal, on operands of every width below 2⁹⁶ (narrow products included, which `mul_mag` takes
/// by its 128-bit path) at every sum of scales, with the walk's constant divisions (26 and 27
/// digits) inlined or not.
#[test]
fn the_wide_product_is_the_product_at_every_width() {
    let mut r = Operands(0x3c1_d00d);
    let operand = |r: &mut Operands| {
        let width = 1 + r.bits() % 96;
        let raw = (u128::from(r.bits()) << 64 | u128::from(r.bits())) >> (128 - width);
        raw.max(1)
    };
    for _ in 0..200_000 {
        let (a, b) = (operand(&mut r), operand(&mut r));
        let scale = (r.bits() % 57) as u32;
        let expected = mul_mag(a, b, scale);
        assert_eq!(
            mul_mag_wide::<0, 0>(a, b, scale),
            expected,
            "{a} {b} {scale}"
        );
        assert_eq!(
            mul_mag_wide::<27, 26>(a, b, scale),
            expected,
            "{a} {b} {scale}"
        );
    }
}
