//! Comparisons of decimals by value on their mantissas: rust_decimal's `Ord` (and its `max`)
//! without its generic 64-bit-limb route, for the hot checks of the pricing (the amount bounds,
//! the gross-up's net against its target).

use std::cmp::Ordering;

use rust_decimal::Decimal;

use super::{parts, scale_up};

/// `a.cmp(&b)`, rust_decimal's `Ord`: by value, whatever the scales (`1.0 == 1.00`, `−0 == 0`).
/// Two nonzero values of one sign are compared on their magnitudes, the one of smaller scale
/// brought to the other's scale (exactly, below 2¹²⁷); a zero, opposite signs or a magnitude that
/// cannot be brought up that way go to rust_decimal's own comparison.
#[inline(always)]
pub(crate) fn cmp(a: Decimal, b: Decimal) -> Ordering {
    let (na, ma, sa) = parts(a);
    let (nb, mb, sb) = parts(b);
    if ma == 0 || mb == 0 || na != nb {
        return a.cmp(&b);
    }
    let magnitudes = match sa.cmp(&sb) {
        Ordering::Equal => ma.cmp(&mb),
        Ordering::Less => match scale_up(ma, sb - sa) {
            Some(ma) => ma.cmp(&mb),
            None => return a.cmp(&b),
        },
        Ordering::Greater => match scale_up(mb, sa - sb) {
            Some(mb) => ma.cmp(&mb),
            None => return a.cmp(&b),
        },
    };
    if na { magnitudes.reverse() } else { magnitudes }
}

/// `a.max(b)`, rust_decimal's `Decimal::max`: `b` when `a < b`, else `a` (so `a`, scale and all,
/// when they are equal), compared by [`cmp`].
#[inline(always)]
pub(crate) fn max(a: Decimal, b: Decimal) -> Decimal {
    if cmp(a, b).is_lt() { b } else { a }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::num::{
        MANTISSA_LIMIT, from_mag,
        tests::{Operands, zeros},
    };

    /// [`cmp`] and [`max`] against rust_decimal's `Ord` and `max`, bit for bit (`max` returns one
    /// of its operands: the same one, scale and all).
    fn check(a: Decimal, b: Decimal) {
        assert_eq!(cmp(a, b), a.cmp(&b), "{a:?} vs {b:?}");
        assert_eq!(cmp(b, a), b.cmp(&a), "{b:?} vs {a:?}");
        assert_eq!(
            max(a, b).serialize(),
            a.max(b).serialize(),
            "{a:?} max {b:?}"
        );
        assert_eq!(
            max(b, a).serialize(),
            b.max(a).serialize(),
            "{b:?} max {a:?}"
        );
    }

    /// Random operands of every width, scale and sign, and each against itself rescaled (equal
    /// values of different scales, where `max` must keep its first operand).
    #[test]
    fn cmp_is_rust_decimals_ord_on_random_operands() {
        let mut ops = Operands(0x1234_5678_9abc_def0);
        for _ in 0..200_000 {
            let (a, b) = (ops.decimal(), ops.decimal());
            check(a, b);
            check(a, -b);
            let mut up = a;
            up.rescale((a.scale() + 1).min(28));
            check(a, up);
        }
    }

    /// The edges: zeros of both signs and any scale (rust_decimal's route), equal values at
    /// scales 0 and 28, magnitudes one apart at the same and at different scales, and the
    /// rescaling's fallback edge (a magnitude brought up by `10^d` to 127 bits answers here,
    /// one bit more goes to rust_decimal; both sides compared).
    #[test]
    fn cmp_edges() {
        let zeros = zeros();
        let cents = [
            Decimal::new(1, 2),
            Decimal::new(-1, 2),
            Decimal::new(10, 3),
            Decimal::new(100_000_000_000, 2),
        ];
        for z in zeros {
            for w in zeros {
                check(z, w);
            }
            for c in cents {
                check(z, c);
            }
        }
        let top = MANTISSA_LIMIT - 1;
        for (m, s) in [(1, 0), (1, 28), (top, 0), (top, 28), (top, 2), (12345, 3)] {
            for n in [false, true] {
                let x = from_mag(m, n, s);
                check(x, x);
                check(x, from_mag(m - 1, n, s));
                if m + 1 < MANTISSA_LIMIT {
                    check(x, from_mag(m + 1, n, s));
                }
                for t in 0..=28 {
                    check(x, from_mag(m, n, t));
                    check(x, from_mag(1, n, t));
                }
            }
        }
        // 2^d_bits ≥ 10^d: a magnitude of 127 − bit_len(10^d) bits is brought up by this module,
        // one bit more is left to rust_decimal; equal and neighbouring values on both sides.
        for d in 1..=28u32 {
            let p = crate::num::POW10[d as usize];
            for bits in [127 - crate::num::bit_len(p), 128 - crate::num::bit_len(p)] {
                if bits == 0 || bits > 96 {
                    continue;
                }
                let m = (1u128 << bits) - 1;
                let low = from_mag(m, false, 0);
                if let Some(mp) = m.checked_mul(p).filter(|mp| *mp + 1 < MANTISSA_LIMIT) {
                    check(low, from_mag(mp, false, d));
                    check(low, from_mag(mp + 1, false, d));
                }
                check(low, from_mag(m, false, d));
                check(low, from_mag(top, false, d));
                check(-low, from_mag(top, true, d));
            }
        }
    }
}
