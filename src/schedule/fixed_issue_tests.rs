//! The walks on parts against the `Decimal` walks (`systems::walk_from_issue`): every field of
//! every installment and the tax sum, value and scale (a `Decimal`'s bytes), on real grids of the
//! three systems and bases, and both sides of each fallback edge.

use super::*;
use crate::conventions::{Conventions, InterestDecimals, IofRounding, LastInstallment};
use crate::iof::{IofRates, IofRule};
use crate::rate::{InterestBase, InterestRate, MonthlyRate, RateInput};
use crate::schedule::{periods, systems};
use chrono::NaiveDate;

/// The three systems.
const SYSTEMS: [Amortization; 3] = [
    Amortization::PriceDays,
    Amortization::Price,
    Amortization::Sac,
];

/// Value, scale and sign: the bytes of a `Decimal`.
fn bits(d: Decimal) -> [u8; 16] {
    d.serialize()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

/// A grid of `n` installments at `monthly` on `base` under `c`, from 2023-03-14, first due
/// `first_due`.
fn grid(
    system: Amortization,
    base: InterestBase,
    monthly: Decimal,
    n: u32,
    first_due: NaiveDate,
    c: &Conventions,
) -> Grid {
    let rate = InterestRate::new(
        RateInput::Monthly(MonthlyRate::new(monthly).expect("rate")),
        base,
    )
    .expect("rate");
    let p = periods(date(2023, 3, 14), first_due, n).expect("periods");
    Grid::for_system(&rate, p, system)
        .expect("grid")
        .with_conventions(c)
}

/// The `Decimal` walk's installments and their tax sum (summed from zero by [`num::add`]), or its
/// error.
fn reference(g: &Grid, issue: Decimal) -> crate::error::Result<(Vec<Installment>, Decimal)> {
    let mut installments = Vec::new();
    systems::walk_from_issue(g, issue, |i| installments.push(i))?;
    let mut sum = Decimal::ZERO;
    for i in &installments {
        sum = num::add(sum, i.tax_amount, "tax_amount")?;
    }
    Ok((installments, sum))
}

/// Whether the walk on parts answers for `issue` on `g`; where it does, the `Decimal` walk gives
/// the same bits in every field of every installment and in the tax sum (asserted).
fn answers(g: &Grid, issue: Decimal, name: &str) -> bool {
    let mut got = Vec::new();
    let Some(sum) = walk(g, issue, |i| got.push(i)) else {
        return false;
    };
    let (want, want_sum) = reference(g, issue)
        .unwrap_or_else(|e| panic!("{name} {issue}: the kernel answered, the walk failed: {e}"));
    assert_eq!(got.len(), want.len(), "{name} {issue}");
    for (k, (a, b)) in got.iter().zip(&want).enumerate() {
        assert_eq!(a.period, b.period, "{name} {issue} #{k}");
        for (what, x, y) in [
            ("due", a.due_principal, b.due_principal),
            ("interest", a.pre_fixed_amount, b.pre_fixed_amount),
            (
                "principal",
                a.principal_amortization_amount,
                b.principal_amortization_amount,
            ),
            ("tax", a.tax_amount, b.tax_amount),
            ("total", a.total_amount, b.total_amount),
        ] {
            assert_eq!(bits(x), bits(y), "{name} {issue} #{k} {what}: {x} vs {y}");
        }
    }
    assert_eq!(
        bits(sum),
        bits(want_sum),
        "{name} {issue}: {sum} vs {want_sum}"
    );
    true
}

/// The conventions the walks read: interest decimals, the last installment, the IOF rounding.
fn conventions() -> Vec<(String, Conventions)> {
    let mut out = Vec::new();
    for dp in [
        None,
        Some(InterestDecimals::Ten),
        Some(InterestDecimals::Eight),
        Some(InterestDecimals::Two),
    ] {
        for last in [
            LastInstallment::ClosesBalance,
            LastInstallment::EqualInstallment,
        ] {
            for (tax_dp, rounding) in [
                (None, IofRounding::Total),
                (Some(8), IofRounding::Total),
                (None, IofRounding::PerInstallment),
            ] {
                let c = Conventions {
                    interest_decimals: dp,
                    last_installment: last,
                    installment_tax_decimals: tax_dp,
                    iof_rounding: rounding,
                    ..Conventions::default()
                };
                out.push((format!("{dp:?} {last:?} {tax_dp:?} {rounding:?}"), c));
            }
        }
    }
    out
}

/// Issue amounts from a cent to 10¹³, spread over the magnitudes (a fixed LCG).
fn amounts(count: usize, seed: u64) -> Vec<Decimal> {
    let mut x = seed;
    (0..count)
        .map(|i| {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            let magnitude = 10_u64.pow(1 + (i as u32 % 15));
            Decimal::new((1 + (x >> 11) % magnitude) as i64, 2)
        })
        .collect()
}

/// Hundreds of real grids (three systems, three bases, 1 to 130 installments, rates from −0.5 %
/// to 15 % a month, every convention the walks read) at amounts from a cent to 10¹³: wherever the
/// walk on parts answers, it is the `Decimal` walk bit for bit; it answers for most of them (the
/// usual loans), and the `Decimal` walk prices the rest.
#[test]
fn the_walk_on_parts_is_the_decimal_walk() {
    let (mut answered, mut total) = (0, 0);
    let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
    for system in SYSTEMS {
        for base in [
            InterestBase::CalendarDays,
            InterestBase::CalendarDays365,
            InterestBase::Workdays,
        ] {
            for (n, monthly, first_due) in [
                (1, "0.0205", date(2023, 3, 21)),
                (1, "0.15", date(2024, 6, 3)),
                (2, "0.005", date(2023, 4, 7)),
                (12, "0.0205", date(2023, 4, 7)),
                (24, "-0.005", date(2023, 4, 14)),
                (60, "0.0899", date(2023, 5, 2)),
                (130, "0.018", date(2023, 4, 30)),
            ] {
                let monthly: Decimal = monthly.parse().expect("rate");
                for (name, c) in conventions() {
                    let g = grid(system, base, monthly, n, first_due, &c);
                    let name = format!("{} {base:?} n={n} m={monthly} {name}", system.as_str());
                    seed = seed.wrapping_add(1);
                    for issue in amounts(8, seed) {
                        total += 1;
                        answered += u32::from(answers(&g, issue, &name));
                    }
                }
            }
        }
    }
    eprintln!("the walk on parts answered {answered} of {total}");
    assert!(answered * 10 > total * 7, "{answered} of {total}");
}

/// A day-count grid of the benches' loan (12 installments at 2.05 % a month from 2023-03-14,
/// first due 2023-04-07) under `c`.
fn loan_12(system: Amortization, c: &Conventions) -> Grid {
    grid(
        system,
        InterestBase::CalendarDays,
        Decimal::new(205, 4),
        12,
        date(2023, 4, 7),
        c,
    )
}

/// Every cent from 10,204.00 to 10,206.00 of the benches' gross-up loan (its trials are there),
/// every system: the walk on parts answers each, bit for bit.
#[test]
fn the_walk_on_parts_answers_the_gross_up_cents() {
    for system in SYSTEMS {
        let g = loan_12(system, &Conventions::default());
        for cents in 1_020_400..=1_020_600 {
            let issue = Decimal::new(cents, 2);
            assert!(answers(&g, issue, system.as_str()), "{issue}");
        }
    }
}

/// The issue amount must be positive: the smallest amount of one installment is walked, 0 and
/// −0.01 are left to the `Decimal` walk (which refuses them).
#[test]
fn a_non_positive_issue_falls_back() {
    for system in SYSTEMS {
        let g = loan_12(system, &Conventions::default());
        let one = grid(
            system,
            InterestBase::CalendarDays,
            Decimal::new(205, 4),
            1,
            date(2023, 4, 7),
            &Conventions::default(),
        );
        // A cent has a cent of interest under `pre_price_days` (unrounded); the others round
        // it to 0.00 up to 0.30 (a zero operand, see `an_interest_rounded_to_zero_falls_back`).
        let smallest = match system {
            Amortization::PriceDays => Decimal::new(1, 2),
            _ => Decimal::new(31, 2),
        };
        assert!(
            answers(&one, smallest, system.as_str()),
            "{}",
            system.as_str()
        );
        for issue in [Decimal::ZERO, Decimal::new(-1, 2)] {
            assert!(walk(&g, issue, |_| {}).is_none(), "{issue}");
            assert!(reference(&g, issue).is_err(), "{issue}");
        }
    }
}

/// A zero rate makes every interest a zero product (rust_decimal sets its scale): left to the
/// `Decimal` walk, which prices it; the smallest positive rate is walked.
#[test]
fn a_zero_rate_falls_back() {
    let c = Conventions::default();
    for system in SYSTEMS {
        let at = |m: Decimal| {
            grid(
                system,
                InterestBase::CalendarDays,
                m,
                12,
                date(2023, 4, 7),
                &c,
            )
        };
        let issue = Decimal::from(10_000);
        assert!(walk(&at(Decimal::ZERO), issue, |_| {}).is_none());
        assert!(reference(&at(Decimal::ZERO), issue).is_ok());
        assert!(answers(&at(Decimal::new(1, 4)), issue, system.as_str()));
    }
}

/// An interest quantized to zero (cents on a tiny balance) is a zero operand: left to the
/// `Decimal` walk; a cent of interest is walked. One SAC installment over 24 days at 2.05 % a
/// month (1.64 %): 0.30 has 0.0049 of interest (0.00), 0.31 has 0.0051 (0.01).
#[test]
fn an_interest_rounded_to_zero_falls_back() {
    let c = Conventions {
        interest_decimals: Some(InterestDecimals::Two),
        ..Conventions::default()
    };
    let g = grid(
        Amortization::Sac,
        InterestBase::CalendarDays,
        Decimal::new(205, 4),
        1,
        date(2023, 4, 7),
        &c,
    );
    assert!(walk(&g, Decimal::new(30, 2), |_| {}).is_none());
    assert!(reference(&g, Decimal::new(30, 2)).is_ok());
    assert!(answers(&g, Decimal::new(31, 2), "sac"));
}

/// Small loans of many installments, every system and last-installment rule, every cent from
/// 0.01 to 3.00 and every tenth of a unit to 200: where the roundings repay the loan early (a
/// last installment of zero or less, a SAC principal of zero, a balance gone before the level
/// last installment, a level installment of 0.00) the `Decimal` walk refuses it and the walk on
/// parts has left it to that walk; where the walk on parts answers, the two agree bit for bit
/// ([`answers`]). Both sides are seen for every system and rule.
#[test]
fn a_loan_repaid_early_falls_back() {
    for last in [
        LastInstallment::ClosesBalance,
        LastInstallment::EqualInstallment,
    ] {
        let c = Conventions {
            last_installment: last,
            ..Conventions::default()
        };
        for system in SYSTEMS {
            let (mut refused, mut walked) = (0, 0);
            for n in [3, 10, 130] {
                let g = grid(
                    system,
                    InterestBase::CalendarDays,
                    Decimal::new(205, 4),
                    n,
                    date(2023, 4, 7),
                    &c,
                );
                let name = format!("{} {last:?} n={n}", system.as_str());
                let issues = (1..=300).chain((31..=2_000).map(|k| k * 10));
                for issue in issues.map(|k| Decimal::new(k, 2)) {
                    if answers(&g, issue, &name) {
                        walked += 1;
                    } else if reference(&g, issue).is_err() {
                        refused += 1;
                    }
                }
            }
            let name = format!("{} {last:?}", system.as_str());
            assert!(refused > 0 && walked > 0, "{name}: {refused} {walked}");
        }
    }
}

/// A zero daily IOF rate (the 2020 reductions) makes the tax a zero product: left to the
/// `Decimal` walk; the natural-person rate is walked.
#[test]
fn a_zero_iof_rate_falls_back() {
    let g = loan_12(Amortization::PriceDays, &Conventions::default());
    let zero = g.clone().with_iof(IofRule {
        rates: IofRates {
            daily: Decimal::new(0, 6),
            additional: Decimal::new(0, 4),
        },
        simples: None,
        legal_basis: "",
    });
    let issue = Decimal::from(10_000);
    assert!(walk(&zero, issue, |_| {}).is_none());
    assert!(reference(&zero, issue).is_ok());
    assert!(answers(&g, issue, "natural"));
}

/// The parts' decimal of `d`.
fn p(d: &str) -> Parts {
    num::parts(d.parse().expect("decimal"))
}

/// `same_value` is `Decimal`'s `==` on both sides of its range edge: equal values at scales 28
/// apart (the smaller brought up exactly), unequal ones, and a value whose rescaling would pass
/// 127 bits (unequal to anything below 2⁹⁶).
#[test]
fn same_value_is_decimal_equality() {
    let cases = [
        ("965.78", "965.7800000000000000000000000"),
        ("965.78", "965.7800000000000000000000001"),
        ("1", "1.000000000000000000000000000"),
        ("-1", "1.000000000000000000000000000"),
        (
            "79228162514264337593543950335",
            "0.0000000000000000000000000001",
        ),
        (
            "7922816251426433759354395033",
            "7922816251426433759354395033.0",
        ),
        ("0.5", "0.50"),
    ];
    for (a, b) in cases {
        let (x, y): (Decimal, Decimal) = (a.parse().expect("a"), b.parse().expect("b"));
        assert_eq!(same_value(p(a), p(b)), x == y, "{a} {b}");
        assert_eq!(same_value(p(b), p(a)), x == y, "{b} {a}");
    }
}

/// The operations on parts are rust_decimal's, value and scale, on both sides of each edge
/// where they hand over: a zero operand, an operand that cannot reach the other's scale below
/// 2¹²⁷, a rounding to fit 96 bits (one digit dropped, by the division by the constant 10, or
/// more; the carry past 2⁹⁶; no scale left), a product that rounds.
#[test]
fn the_operations_on_parts_are_rust_decimal() {
    let operands = [
        "0",
        "0.01",
        "-0.01",
        "965.78",
        "167.02054605589093536555719959",
        "798.7594539441090646344428004",
        "79228162514264337593543950335",
        "-79228162514264337593543950335",
        "7922816251426433759354395033.5",
        "0.0000000000000000000000000001",
        "9406.170546055890935365557200",
        "0.0163666527899643540294305987",
        "10000000000000",
        "0.001968",
        "1.5",
        "-2.5",
        // Sums one digit past 96 bits (2⁹⁶ at scale 1, 10·2⁹⁶ − 5 rounding to 2⁹⁶, 2⁹⁶ at
        // scale 0) and near it.
        "0.1",
        "0.5",
        "0.6",
        "3961408125713216879677197516.8",
        "39614081257132168796771975168",
        "7922816251426433759354395032.9",
    ];
    let back = |(n, m, s): Parts| num::from_mag(m, n, s);
    // Where the operation on parts answers, rust_decimal's bits; where it hands over, one of the
    // cases it hands over (`handed_over` of rust_decimal's result).
    let agrees =
        |got: Option<Parts>, want: Option<Decimal>, handed_over: bool, what: &str| match got {
            Some(r) => assert_eq!(Some(bits(back(r))), want.map(bits), "{what}"),
            None => assert!(handed_over, "{what}"),
        };
    for a in operands {
        for b in operands {
            let (x, y): (Decimal, Decimal) = (a.parse().expect("a"), b.parse().expect("b"));
            let zero = x.is_zero() || y.is_zero();
            // A zero, a carry, or an operand beyond 2¹²⁷ rescaled.
            let sum = x.checked_add(y);
            let sum_handed = sum.is_none_or(|s| {
                s.is_zero() || s.mantissa().unsigned_abs() > 1 << 90 || x.scale() != y.scale()
            });
            agrees(
                num::add_parts(p(a), p(b)),
                sum,
                zero || sum_handed,
                &format!("{a}+{b}"),
            );
            let difference = x.checked_sub(y);
            let difference_handed = difference.is_none_or(|s| {
                s.is_zero() || s.mantissa().unsigned_abs() > 1 << 90 || x.scale() != y.scale()
            });
            agrees(
                sub(p(a), p(b)),
                difference,
                zero || difference_handed,
                &format!("{a}-{b}"),
            );
            // A zero, a carry, or no scale left.
            let product = x.checked_mul(y);
            let product_handed =
                product.is_none_or(|q| q.is_zero() || q.mantissa().unsigned_abs() > 1 << 95);
            agrees(
                num::mul_parts(p(a), p(b)),
                product,
                zero || product_handed,
                &format!("{a}*{b}"),
            );
        }
        for dp in [0, 2, 8, 10, 28] {
            if let Some(r) = num::round_dp_parts(p(a), dp) {
                assert_eq!(
                    bits(back(r)),
                    bits(num::round_dp(a.parse().expect("a"), dp)),
                    "{a} {dp}"
                );
            } else {
                assert!(p(a).1 == 0, "{a} {dp}");
            }
        }
        let x: Decimal = a.parse().expect("a");
        if !x.is_zero() {
            let (n, m, s) = p(a);
            let (m, s) = num::normalize_mag(m, s);
            assert_eq!(bits(back((n, m, s))), bits(x.normalize()), "{a}");
        }
    }
    // The magnitudes ending in zeros at every scale normalize as rust_decimal does.
    for (m, s) in [
        (10_u128, 1),
        (1_000, 3),
        (12_300, 2),
        (1 << 70, 5),
        (10_u128.pow(27), 28),
    ] {
        let (q, t) = num::normalize_mag(m, s);
        assert_eq!(
            bits(num::from_mag(q, false, t)),
            bits(num::from_mag(m, false, s).normalize())
        );
    }
}

/// The tax on parts is [`IofRates::installment_tax`]: zero for a principal ≤ 0 (`Decimal::ZERO`'s
/// bits), the product normalized otherwise (rounded where it passes 96 bits), and `None` (the
/// `Decimal` path) for a zero fraction or a product that rounds to zero.
#[test]
fn the_tax_on_parts_is_the_installment_tax() {
    let rates = IofRates::NATURAL;
    for principal in [
        "-5",
        "0",
        "0.01",
        "798.7594539441090646344428004",
        "79228162514264337593543950335",
        "1000",
        "0.0000000000000000000000000001",
    ] {
        for days in [1, 24, 365, 400] {
            let want = rates
                .installment_tax(principal.parse().expect("principal"), days)
                .expect("tax");
            match rates.installment_tax_parts(p(principal), days) {
                Some(got) => assert_eq!(
                    bits(num::from_mag(got.1, got.0, got.2)),
                    bits(want),
                    "{principal} {days}"
                ),
                // A product that rounds to zero (rust_decimal sets its scale).
                None => assert!(
                    want.is_zero() && principal.starts_with("0.0000"),
                    "{principal}"
                ),
            }
        }
    }
    let zero = IofRates {
        daily: Decimal::new(0, 6),
        additional: Decimal::new(0, 4),
    };
    assert_eq!(zero.installment_tax_parts(p("100"), 24), None);
    assert_eq!(zero.installment_tax_parts(p("-100"), 24), Some(ZERO));
}
