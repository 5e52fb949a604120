//! The fixed-scale kernels against the `Decimal` chains they replace, bit for bit (value and
//! scale): on real loans, and at the kernels' edges — scales, carries of the running sum to a
//! shorter scale, half-even ties, and values just inside and just outside the fixed range, where
//! the kernel answers or hands the schedule back and the two paths must agree either way.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::super::grid::discounts as decimal_discounts;
use super::super::systems::{forward_walk as decimal_walk, tax_fixed};
use super::super::{Grid, Installment, periods};
use super::*;
use crate::num::tests::against_rust_decimal::Rng;
use crate::rate::{InterestBase, InterestRate, MonthlyRate, RateInput};

fn bits(x: Decimal) -> [u8; 16] {
    x.serialize()
}

fn same_rows(a: &[Installment], b: &[Installment]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| {
            x.period == y.period
                && bits(x.due_principal) == bits(y.due_principal)
                && bits(x.pre_fixed_amount) == bits(y.pre_fixed_amount)
                && bits(x.principal_amortization_amount) == bits(y.principal_amortization_amount)
                && bits(x.tax_amount) == bits(y.tax_amount)
                && bits(x.total_amount) == bits(y.total_amount)
        })
}

/// The kernel's chain, checked against the `Decimal` chain: equal bits when it answers.
/// Returns whether it answered.
fn check_discounts(invs: &[Decimal]) -> bool {
    let slow = decimal_discounts(invs);
    let mut d = invs.to_vec();
    match discounts(&mut d) {
        Some(sum) => {
            let (sd, ssum) = slow.expect("the Decimal chain where the kernel answers");
            assert_eq!(d.len(), sd.len());
            for (k, (a, b)) in d.iter().zip(&sd).enumerate() {
                assert_eq!(bits(*a), bits(*b), "d_{k}: {a} vs {b} ({invs:?})");
            }
            assert_eq!(bits(sum), bits(ssum), "Σ: {sum} vs {ssum}");
            true
        }
        None => false,
    }
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

fn rate(monthly: Decimal, base: InterestBase) -> InterestRate {
    InterestRate::new(
        RateInput::Monthly(MonthlyRate::new(monthly).expect("rate")),
        base,
    )
    .expect("rate")
}

fn random_grid(r: &mut Rng) -> Grid {
    let base = [
        InterestBase::CalendarDays,
        InterestBase::CalendarDays365,
        InterestBase::Workdays,
    ][r.range(0, 2) as usize];
    let monthly = Decimal::new(r.range(1, 60_000) as i64, 6);
    let n = r.range(1, 130) as u32;
    let start = date(2023, 1, 1) + chrono::Days::new(r.range(0, 900));
    let first = start + chrono::Days::new(r.range(1, 70));
    Grid::new(
        &rate(monthly, base),
        periods(start, first, n).expect("periods"),
    )
    .expect("grid")
}

/// Face value, given the grid: the kernel's walk against the `Decimal` walk. Returns whether the
/// kernel answered.
fn check_walk(g: &Grid, pv: Decimal, total_of: impl Fn(usize) -> Decimal) -> bool {
    let issue = num::round_cents(pv);
    let rates = g.iof.rates_for(issue);
    let tax_of = |m, principal, p: &super::super::Period| tax_fixed(g, rates, m, principal, p);
    let slow = decimal_walk(g, pv, issue, 10, &total_of, "f");
    // A level walk when every total has the first one's bits (a face value), as its callers say.
    let first = bits(total_of(0));
    let level = (0..g.periods.len()).all(|k| bits(total_of(k)) == first);
    let summary = forward_summary(g, pv, issue, &total_of, level);
    match forward_walk(g, pv, issue, &total_of, level, &tax_of) {
        Some(fast) => {
            let fast = fast.expect("taxes");
            let slow = slow.expect("the Decimal walk where the kernel answers");
            assert!(same_rows(&fast, &slow), "{pv}: {fast:?}\n{slow:?}");
            if let Some(summary) = summary {
                check_summary(&summary, &fast);
            }
            true
        }
        None => {
            assert!(summary.is_none(), "the summary's walk is the walk: {pv}");
            false
        }
    }
}

/// A walk's summary against its installments: the first one, and `num::sum` of their taxes and
/// of their interest (what `Iof` and `total_pre_fixed_amount` sum), bit for bit.
fn check_summary(summary: &WalkSummary, rows: &[Installment]) {
    assert!(same_rows(&[summary.first], &rows[..1]), "{summary:?}");
    let taxes = num::sum(rows.iter().map(|i| i.tax_amount), "t").expect("Σ tax");
    assert_eq!(
        bits(summary.tax_sum),
        bits(taxes),
        "{} vs {taxes}",
        summary.tax_sum
    );
    let interest = num::sum(rows.iter().map(|i| i.pre_fixed_amount), "i").expect("Σ interest");
    assert_eq!(
        bits(summary.interest_sum),
        bits(interest),
        "{} vs {interest}",
        summary.interest_sum
    );
}

/// The summary of real loans' walks, under each IOF rounding of a `tax_amount` (unrounded, to 8
/// decimals, to cents per installment): where the walk answers, the summary answers (its taxes
/// priced on the mantissas or, past their range, by the parts' product) and equals the
/// installments summed.
#[test]
fn a_walks_summary_is_its_installments_summed() {
    use crate::conventions::{Conventions, IofRounding};
    let mut r = Rng(0x5eed_0009);
    let (mut walked, mut summarized) = (0, 0);
    for i in 0..600 {
        let mut c = Conventions::default();
        match i % 3 {
            0 => {}
            1 => c.installment_tax_decimals = Some(8),
            _ => c.iof_rounding = IofRounding::PerInstallment,
        }
        let g = random_grid(&mut r).with_conventions(&c);
        let face = match i % 4 {
            0 => Decimal::new(r.range(1, 100) as i64, 2),
            1 => Decimal::new(r.range(1, 10_000_000) as i64, 2),
            2 => Decimal::new(r.range(1, 10_000_000_000_000) as i64, 1),
            _ => Decimal::new(r.range(1, 300_000) as i64, 2),
        };
        let pv = num::mul(face, g.discount_sum, "f").expect("pv");
        let issue = num::round_cents(pv);
        let rates = g.iof.rates_for(issue);
        let tax_of = |m, principal, p: &super::super::Period| tax_fixed(&g, rates, m, principal, p);
        let summary = forward_summary(&g, pv, issue, &|_| face, true);
        if let Some(rows) = forward_walk(&g, pv, issue, &|_| face, true, &tax_of) {
            walked += 1;
            if let Some(summary) = summary {
                summarized += 1;
                check_summary(&summary, &rows.expect("taxes"));
            }
        }
    }
    assert!(
        walked > 500 && summarized == walked,
        "{walked} {summarized}"
    );
}

/// Real grids: the kernel answers for every positive rate, and equals the `Decimal` chain; the
/// running sum passes 2⁹⁶ at 28 decimals (≈ 7.9) and at 27 (≈ 79) on the long loans, where it is
/// rounded to a shorter scale (half-even, a tie one time in ten).
#[test]
fn discounts_of_real_loans_are_the_decimal_chain() {
    let mut r = Rng(0x5eed_0001);
    let mut scales = [0u32; 29];
    for _ in 0..400 {
        let g = random_grid(&mut r);
        scales[g.discount_sum.scale() as usize] += 1;
        let ginvs: Vec<Decimal> = g
            .interest
            .iter()
            .map(|r| Decimal::ONE.checked_div(Decimal::ONE + r).expect("inv"))
            .collect();
        assert!(
            check_discounts(&ginvs),
            "a real loan's chain is the kernel's: {:?}",
            ginvs.iter().map(|i| i.scale()).collect::<Vec<_>>()
        );
    }
    assert!(
        scales[28] > 0 && scales[27] > 0 && scales[26] > 0,
        "{scales:?}"
    );
}

/// Synthetic inverses at 28 decimals: below 1 (the chain shrinks), above 1 (a negative rate: the
/// chain grows until a discount passes 2⁹⁶/10²⁸ ≈ 7.92, where the kernel hands back), exactly 1/2
/// (every odd discount is a tie, rounded to even), at other scales, and zeros (handed back).
#[test]
fn discount_kernel_edges() {
    let mut r = Rng(0x5eed_0002);
    let (mut answered, mut handed_back) = (0, 0);
    for _ in 0..3000 {
        let n = r.range(1, 200) as usize;
        let lo = r.range(0, 2);
        let invs: Vec<Decimal> = (0..n)
            .map(|_| {
                let m = match lo {
                    0 => u128::from(r.next()) * u128::from(r.range(1, 540_000_000_000)), // < 1
                    1 => 10u128.pow(28) + u128::from(r.next() >> r.range(0, 63)),        // ≥ 1
                    _ => 10u128.pow(28) - u128::from(r.next() >> r.range(0, 63)),        // ≤ 1
                };
                num::from_mag(m % MANTISSA_LIMIT, false, 28)
            })
            .collect();
        if check_discounts(&invs) {
            answered += 1;
        } else {
            handed_back += 1;
        }
    }
    assert!(
        answered > 1000 && handed_back > 100,
        "{answered} {handed_back}"
    );
    // Ties: 0.5 times an odd discount ends in a 5 past the 28th decimal.
    let half = num::from_mag(5 * 10u128.pow(27), false, 28);
    let odd = num::from_mag(3 * 10u128.pow(27) + 7, false, 28);
    assert!(check_discounts(&[odd, half, half, half, half]));
    // Just inside and just outside the range: a discount of 7.9228… (2⁹⁶ − 1 at 28 decimals) is
    // the last the kernel holds.
    let top = num::from_mag(MANTISSA_LIMIT - 1, false, 28);
    assert!(check_discounts(&[top]));
    let one = num::from_mag(10u128.pow(28), false, 28);
    assert!(check_discounts(&[top, one]), "× 1 stays at the top");
    let past = num::from_mag(10u128.pow(28) + 1, false, 28);
    assert!(
        !check_discounts(&[top, past]),
        "one past the top: handed back"
    );
    decimal_discounts(&[top, past]).expect("the Decimal chain takes it");
    // A first inverse of 27 decimals (a quotient whose 28th is a zero) is the first discount as
    // it is; the products after it come back to 28.
    let short = num::from_mag(947_324_222_911_811_316_590_433_564, false, 27);
    assert!(check_discounts(&[short, odd, half, top]));
    // Inverses of any scale: 1 (a period of no business days), 0.8, 5·10⁻¹⁹ — the products
    // after them come back to 28 decimals; a zero is handed back.
    for inv in [Decimal::ONE, Decimal::new(8, 1), Decimal::new(5, 19)] {
        assert!(check_discounts(&[inv, half, odd]), "{inv}");
    }
    assert!(!check_discounts(&[half, Decimal::ZERO]));
    // A discount that rounds to zero at 28 decimals is handed back (rust_decimal's zero).
    let tiny = Decimal::new(5, 19);
    assert!(!check_discounts(&[tiny, half, tiny]));
    let half20 = num::from_mag(5 * 10u128.pow(19), false, 20);
    assert!(check_discounts(&[half20, half20, half]));
}

/// The running sum's step (`fit_sum`) is `num::fit_mag` at 28 decimals, mantissa and scale, on
/// both sides of each edge of its shortcut: `10^(j−1)·2⁹⁶` and `10^j·2⁹⁶` (± 1) for every `j`
/// from 0 to 11 (0, 10 and 11 are outside it), the carries to 2⁹⁶ (`10^j·2⁹⁶ − 1` rounds up to
/// it: `None` both ways), ties at each `j`, and random sums of every width.
#[test]
fn the_discount_sums_step_is_fit_mag() {
    let check = |exact: u128, j: u32| {
        assert_eq!(
            fit_sum(exact, j),
            num::fit_mag(exact, DISCOUNT_SCALE, 0),
            "{exact} at 28 − {j}"
        );
    };
    let mut r = Rng(0x5eed_0005);
    for j in 0..12u32 {
        for k in [j.saturating_sub(1), j, j + 1] {
            if k >= 10 {
                continue; // 10^10 · 2⁹⁶ > 2¹²⁸
            }
            let edge = POW10[k as usize] << 96;
            for exact in [edge - 1, edge, edge + 1, edge + POW10[k as usize] / 2] {
                check(exact, j);
            }
        }
        for _ in 0..20_000 {
            let width = r.range(1, 127) as u32;
            let exact = (u128::from(r.next()) << 64 | u128::from(r.next())) >> (128 - width);
            check(exact.max(1), j);
            // A tie: the dropped digits exactly one half.
            if (1..=9).contains(&j) {
                let q = (exact >> 32).max(1) % MANTISSA_LIMIT;
                if let Some(t) = q.checked_mul(POW10[j as usize]) {
                    check(t + POW10[j as usize] / 2, j);
                }
            }
        }
    }
}

/// Face-value walks of real loans: the kernel answers and equals the `Decimal` walk, at face values
/// given with 0, 1 or 2 decimals, from a cent to 10¹³.
#[test]
fn walks_of_real_loans_are_the_decimal_walk() {
    let mut r = Rng(0x5eed_0003);
    let mut answered = 0;
    for i in 0..600 {
        let g = random_grid(&mut r);
        let dp = r.range(0, 2) as u32;
        let face = match i % 4 {
            0 => Decimal::new(r.range(1, 100) as i64, dp),
            1 => Decimal::new(r.range(1, 10_000_000) as i64, dp),
            2 => Decimal::new(r.range(1, 10_000_000_000_000) as i64, dp),
            _ => Decimal::new(r.range(1, 300_000) as i64, 2),
        };
        let pv = num::mul(face, g.discount_sum, "f").expect("pv");
        if check_walk(&g, pv, |_| face) {
            answered += 1;
        }
        // Different totals (given installments): at 2 decimals, some at 0.
        let totals: Vec<Decimal> = (0..g.periods.len())
            .map(|_| Decimal::new(r.range(100, 500_000) as i64, r.range(0, 2) as u32))
            .collect();
        let pv = totals
            .iter()
            .zip(&g.discounts)
            .fold(Decimal::ZERO, |acc, (t, d)| acc + t * d);
        check_walk(&g, pv, |k| totals[k]);
    }
    assert!(answered > 500, "{answered}");
}

/// The walk's edges: a present value at exactly 10 decimals (the fixed scale's floor) and at 28;
/// one at 9 decimals and totals of 11 (outside: handed back); a present value so small its
/// interest rounds to zero, and one whose balance goes negative (handed back); a balance of
/// 2⁹⁶ − 1 at its scale. Each case is priced by both paths where the kernel answers.
#[test]
fn walk_kernel_edges() {
    let g = Grid::new(
        &rate(Decimal::new(205, 4), InterestBase::CalendarDays),
        periods(date(2023, 3, 14), date(2023, 4, 7), 12).expect("periods"),
    )
    .expect("grid");
    let face = Decimal::new(10_000, 2);
    let pv = num::mul(face, g.discount_sum, "f").expect("pv");
    assert!(check_walk(&g, pv, |_| face), "at the product's own scale");
    assert!(
        check_walk(&g, num::round_dp(pv, 10), |_| face),
        "10 decimals"
    );
    assert!(
        !check_walk(&g, num::round_dp(pv, 9), |_| face),
        "9 decimals: handed back"
    );
    let eleven = Decimal::new(10_000_000_000_001, 11);
    assert!(
        !check_walk(&g, pv, |_| eleven),
        "totals of 11 decimals: handed back"
    );
    // The largest balance the fixed scale holds: 2⁹⁶ − 1 at 18 decimals (≈ 7.9·10¹⁰).
    let big = num::from_mag(MANTISSA_LIMIT - 1, false, 18);
    let big_face = num::round_cents(num::mul(big, Decimal::ONE / g.discount_sum, "f").expect("f"));
    check_walk(&g, big, |_| big_face);
    // Tiny: a present value of a cent's fraction, interest below half a unit of the 10th decimal.
    let tiny = Decimal::new(1, 12);
    assert!(!check_walk(&g, tiny, |_| Decimal::new(1, 2)));
    // Installments larger than the loan: the balance goes negative, handed back to the Decimal
    // walk.
    assert!(!check_walk(&g, pv, |_| Decimal::from(1000)));
    // Negative amortization: a first period of 80 days at 2.05 % a month on 96 installments, whose
    // first interest exceeds the installment (the benchmark loan): the kernel's case.
    let long = Grid::new(
        &rate(Decimal::new(205, 4), InterestBase::CalendarDays),
        periods(date(2023, 3, 22), date(2023, 6, 10), 96).expect("periods"),
    )
    .expect("grid");
    let lpv = num::mul(face, long.discount_sum, "f").expect("pv");
    assert!(check_walk(&long, lpv, |_| face), "negative amortization");
    // A long loan at a high rate, and a zero rate (an interest of zero: handed back).
    let zero = Grid::new(
        &rate(Decimal::ZERO, InterestBase::CalendarDays),
        periods(date(2023, 3, 14), date(2023, 4, 7), 24).expect("periods"),
    )
    .expect("grid");
    let zpv = num::mul(face, zero.discount_sum, "f").expect("pv");
    assert!(!check_walk(&zero, zpv, |_| face));
}

/// The IOF of a principal on its mantissa ([`crate::iof::IofRates::installment_tax_fixed`])
/// against the `Decimal` product, bit for bit where it answers: every regime's daily rate (and one
/// of a 28-decimal scale and a `u32` mantissa), principals from one unit to the largest whose
/// product fits 96 bits (and one unit past it: handed back), trailing zeros to drop, day counts
/// of 0, 1 and around the 365-day cap, scales up to the 28 decimals of the product (and past
/// them: handed back), negative and zero principals (taxed 0).
#[test]
fn installment_tax_on_mantissas_is_the_decimal_product() {
    use crate::iof::IofRates;
    let daily = |m: u32, s: u32| IofRates {
        daily: Decimal::from_parts(m, 0, 0, false, s),
        additional: Decimal::new(38, 4),
    };
    let all = [
        IofRates::NATURAL,
        daily(41, 6),
        daily(137, 7),
        daily(0, 6),
        daily(u32::MAX, 28),
        daily(3, 1),
    ];
    let check = |rates: &IofRates, mag: u128, negative: bool, scale: u32, days: u32| {
        let fast = rates.installment_tax_fixed(mag, negative, scale, days);
        if mag >= MANTISSA_LIMIT {
            assert!(fast.is_none());
            return false;
        }
        let principal = num::from_mag(mag, negative, scale);
        match fast {
            Some(fast) => {
                let slow = rates.installment_tax(principal, days).expect("tax");
                assert_eq!(bits(fast), bits(slow), "{principal} × {rates:?} × {days}");
                true
            }
            None => false,
        }
    };
    let mut r = Rng(0x10F_7A5);
    let mut answered = 0;
    for rates in &all {
        for days in [0, 1, 2, 30, 364, 365, 366, 10_000] {
            for scale in [0, 2, 10, 18, 22, 23, 28] {
                for mag in [0, 1, 10, 1_000_000, 1_234_567_890_000, u128::from(u64::MAX)] {
                    answered += u32::from(check(rates, mag, false, scale, days));
                    assert_eq!(
                        rates.installment_tax_fixed(mag, true, scale, days),
                        Some(Decimal::ZERO)
                    );
                }
                for _ in 0..40 {
                    let mag = u128::from(r.range(1, u64::MAX)) >> r.range(0, 60);
                    answered += u32::from(check(rates, mag, false, scale, days));
                }
                // The product's edge: the largest mantissa whose product stays below 2⁹⁶, and one
                // past it.
                let f = u128::from(rates.daily.mantissa() as u32) * u128::from(days.min(365));
                if let Some(top) = (MANTISSA_LIMIT - 1).checked_div(f) {
                    let inside = check(rates, top, false, scale, days);
                    assert_eq!(
                        inside,
                        scale + rates.daily.scale() <= 28 && f <= 0xFFFF_FFFF
                    );
                    assert!(!check(rates, top + 1, false, scale, days));
                    answered += u32::from(inside);
                }
            }
        }
    }
    assert!(answered > 5_000, "{answered}");
    // The walk's own case: 10 decimals at the natural rate answers for any principal below
    // 2⁹⁶ / 29,930 (a mantissa of ≈ 2.6·10²⁴: ≈ 2.6·10¹⁴ at 10 decimals).
    let walk_top = 2_600_000_000_000_000_000_000_000;
    assert!(check(&IofRates::NATURAL, walk_top, false, 10, 365));
}

/// The IOF on mantissas drops its trailing zeros by 64-bit divisions below 2⁶⁴ and by
/// `num::normalize_mag` from 2⁶⁴ on: the `Decimal` product, value and scale, on both sides of
/// 2⁶⁴ (products just below and just above it, and multiples of powers of ten there, whose zeros
/// are dropped on either route), at every day count's fraction of the natural rate.
#[test]
fn installment_tax_zeros_are_dropped_on_both_sides_of_2_pow_64() {
    use crate::iof::IofRates;
    let rates = IofRates::NATURAL;
    let two64 = 1u128 << 64;
    let mut seen = [0u32; 2];
    for days in [1_u32, 5, 10, 30, 100, 365] {
        let f = u128::from(rates.daily.mantissa() as u32) * u128::from(days);
        let edge = two64 / f;
        for k in 0..6_u32 {
            let p = num::POW10[k as usize];
            for mag in [
                edge - 2,
                edge - 1,
                edge,
                edge + 1,
                edge + 2,
                edge / p * p,
                (edge / p + 1) * p,
            ] {
                for scale in [10, 14, 18] {
                    let fast = rates
                        .installment_tax_fixed(mag, false, scale, days)
                        .expect("fits");
                    let principal = num::from_mag(mag, false, scale);
                    let slow = rates.installment_tax(principal, days).expect("tax");
                    assert_eq!(bits(fast), bits(slow), "{principal} × {days}");
                    seen[usize::from(mag * f >= two64)] += 1;
                }
            }
        }
    }
    assert!(seen[0] > 0 && seen[1] > 0, "{seen:?}");
}

/// Where the chain leaves its fixed range (a negative rate whose discounts pass 2⁹⁶/10²⁸ ≈ 7.9),
/// the grid takes the `Decimal` chain from the inverses again, though the kernel had already
/// turned a prefix of its buffer into discounts: the grid's discounts and sum are the `Decimal`
/// chain's of the inverses, bit for bit, on both sides of that edge.
#[test]
fn a_grid_past_the_chains_range_is_the_decimal_chain() {
    let mut declined = 0;
    for monthly in [-40, -45, -50, -60, -80] {
        let m = MonthlyRate::new(Decimal::new(monthly, 3)).expect("rate");
        let rate =
            InterestRate::new(RateInput::Monthly(m), InterestBase::CalendarDays).expect("rate");
        for n in [12, 36, 60, 96] {
            let g = Grid::new(
                &rate,
                periods(date(2023, 3, 14), date(2023, 4, 7), n).expect("periods"),
            )
            .expect("grid");
            let invs: Vec<Decimal> = g
                .periods
                .iter()
                .map(|p| {
                    let growth = rate.growth(p.calendar_days).expect("growth");
                    num::div(Decimal::ONE, growth, "").expect("inverse")
                })
                .collect();
            let (want, want_sum) = decimal_discounts(&invs).expect("the Decimal chain");
            declined += usize::from(!check_discounts(&invs));
            assert_eq!(g.discounts.len(), want.len());
            for (a, b) in g.discounts.iter().zip(&want) {
                assert_eq!(bits(*a), bits(*b), "{monthly} {n}");
            }
            assert_eq!(bits(g.discount_sum), bits(want_sum), "{monthly} {n}");
        }
    }
    assert!(
        (5..20).contains(&declined),
        "{declined} grids past the kernel's range"
    );
}
