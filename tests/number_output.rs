//! The writer prints every decimal as serde_json prints its nearest `f64` (found by parsing the
//! decimal's string, the reference): the exact-division path (mantissas of ≤ 53 bits) and the
//! stack-buffer parse (longer ones) both give serde_json's bytes, over a million random and a million
//! schedule-like decimals.

use proptest::prelude::*;
use qitech_sim::Decimal;
use qitech_sim::api::Num;

/// serde_json's bytes for the decimal's nearest double (found by parsing its string, the reference),
/// as `Num` prints it: integers as integers.
fn reference(d: Decimal) -> String {
    let n = Num(d);
    serde_json::to_string(&n).expect("serde")
}

/// What the fast writer prints (the `batch` path), via a response-free route: a one-field struct
/// would do, but `Num`'s own `to_json_bytes` is the writer's.
fn written(d: Decimal) -> String {
    String::from_utf8(qitech_sim::api::num_json_bytes(Num(d))).expect("utf8")
}

fn check(d: Decimal) {
    let want = reference(d);
    let got = written(d);
    assert_eq!(got, want, "decimal {d}");
    // And the reference itself is the double nearest the decimal, printed by serde_json.
    let f: f64 = d.to_string().parse().expect("f64");
    // Integral values print as JSON integers (QI's format); every other value as its double.
    if want.parse::<i64>().is_err() {
        assert_eq!(
            want,
            serde_json::to_string(&f).expect("serde"),
            "decimal {d}"
        );
    }
}

#[test]
fn fixed_cases() {
    for s in [
        "194.8",
        "0.1905254815358736",
        "3.1882715773",
        "0.00067665",
        "0.5040756794535896",
        "1e-7",
        "0.000001",
        "0.00001",
        "0.0001",
        "123456789012345.6",
        "1234567890123456.7",
        "9999999999999999",
        "12345678901234567890",
        "1e20",
        "1.5e22",
        "-0.0000000000000001",
        "442674452566448.3",
        "0.0000000000000000000000000001",
        "79228162514264337593543950335",
        "-79228162514264337593543950335",
        "0.1",
        "-2.5",
        "100",
        "100.00",
        "1e15",
        "1e16",
        "1e17",
        "123456789012345678",
        "0.000012345678901234567",
        "0.00001234",
        "0.0001234",
        "1234567890123456.5",
        "12345678901234560.5",
        "1.5e16",
        "1.5e17",
        "2.5e-5",
        "2.5e-6",
        "99999999999999.9",
        "999999999999999.9",
        "0.000099999",
        "1e-5",
        "1e-4",
        "1e-6",
    ] {
        let d: Decimal = if s.contains('e') {
            Decimal::from_scientific(s).expect("sci")
        } else {
            s.parse().expect("dec")
        };
        check(d);
    }
}

/// The writer's own digit paths at their edges: integers at the `i64` and 18-digit limits (and with
/// trailing fractional zeros), −0 at several scales, 15- and 16-digit fractions whose trailing
/// zeros bring them under the 15-digit limit, and 64-bit mantissas past it.
#[test]
fn digit_paths_at_their_edges() {
    let cases: &[(i128, u32)] = &[
        (999_999_999_999_999_999, 0),
        (1_000_000_000_000_000_000, 0),
        (9_223_372_036_854_775_807, 0),
        (9_223_372_036_854_775_808, 0),
        (-9_223_372_036_854_775_808, 0),
        (-9_223_372_036_854_775_809, 0),
        (18_446_744_073_709_551_615, 0),
        (18_446_744_073_709_551_616, 0),
        (999_999_999_999_999_999_000, 3),
        (1_000_000_000_000_000_000_000, 3),
        (0, 0),
        (0, 5),
        (0, 28),
        (-1, 28),
        (1_234_567_890_123_450, 1),
        (1_234_567_890_123_450, 16),
        (12_345_678_901_234_500, 17),
        (12_345_678_901_234_560, 17),
        (999_999_999_999_999, 15),
        (1_000_000_000_000_001, 15),
        (18_446_744_073_709_551_615, 10),
        (18_446_744_073_709_551_610, 10),
        (18_446_744_073_709_551_616, 10),
        (-18_446_744_073_709_551_615, 28),
    ];
    for &(mantissa, scale) in cases {
        for sign in [1, -1] {
            check(Decimal::from_i128_with_scale(sign * mantissa, scale));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: crate::support::cases(1_000_000), ..ProptestConfig::default() })]

    /// Any decimal: random mantissa (up to 96 bits) and scale.
    #[test]
    fn random_decimals(lo in any::<u32>(), mid in any::<u32>(), hi in any::<u32>(),
                       neg in any::<bool>(), scale in 0u32..=28, width in 0u32..3) {
        let (mid, hi) = match width { 0 => (0, 0), 1 => (mid, 0), _ => (mid, hi) };
        check(Decimal::from_parts(lo, mid, hi, neg, scale));
    }

    /// Schedule-like values: cents, 8- and 10-decimal rates and interests, 16-decimal IOF parts.
    #[test]
    fn schedule_like(units in 0i64..10_000_000_000, scale in prop::sample::select(vec![2u32, 8, 10, 16, 17, 22])) {
        check(Decimal::new(units, scale));
    }
}
