//! [`monthly_fast_from`]: the CET's quick route, Halley steps on the NPV with one `exp` per distinct
//! gap between due dates, kept only where it provably rounds as [`super::annual_irr`]'s root.

use std::cell::RefCell;

use rust_decimal::Decimal;

use super::Flow;
use crate::num::to_f64;

/// [`monthly_fast_from`] from `x = 0`: the tests' entry.
#[cfg(test)]
pub(super) fn monthly_fast(disbursed: Decimal, flows: &[Flow]) -> Option<(Decimal, f64)> {
    monthly_fast_from(disbursed, flows, &mut None)
}

/// The quantized monthly CET `round4((1+i)^(1/12) − 1)` (and the float it was rounded from) by a
/// faster search than [`super::annual_irr`]'s, when it provably equals what [`super::solve`] gets from
/// [`super::annual_irr`]; `None` sends the caller to [`super::annual_irr`].
///
/// Halley steps from `x = 0` on the same NPV in `x = ln(1+i)`, with `e^(−x·t_j)` built as a
/// running product of one `exp` per distinct gap between due dates (a monthly schedule has four)
/// instead of one `exp` per flow. Each NPV then carries a relative error of at most about
/// `(2n + 4)·2⁻⁵³` of its terms; with the final step, that bounds the distance of both this root
/// and [`super::annual_irr`]'s (which stops within 1e-15 of its float root) to the exact one. The answer
/// is kept only when the monthly rate lies farther than 100 times that bound, and at least 1e-9,
/// from every 4-decimal midpoint **and** every 4-decimal value (where the string route would keep
/// a shorter scale): there both routes round to the same 4 decimals, with scale 4. Everything
/// else — the ≈ 1 in 25,000 rates that close, no convergence within 50 steps, an overflow in the
/// NPV, rates beyond e³ − 1 a year, more than 256 distinct gaps between due dates (the
/// factor table's size), and every input [`super::annual_irr`] rejects — goes to
/// [`super::annual_irr`].
///
/// The Halley steps start at `*start` (a finite `x = ln(1+i)` with `|x| < 3`; 0 otherwise): the
/// root of a like loan, such as the previous disbursement option of a simulation, which saves a
/// step. The answer does not depend on where the steps began: it is kept only when the final
/// iterate, within its error bound of the exact root (the NPV's rounding and the last step,
/// whatever the start), rounds away from every 4-decimal edge. Before the steps converge, each
/// iterate is also tried under a bound taken from the NPV at the point it stepped from
/// ([`enclosed`]: the NPV is convex, so Newton's point and a quadratic enclose the root): where
/// that bound already decides the rounding, the search stops a step early (a loan started from
/// a like rate takes two NPVs instead of three). On convergence, or on such an early decision,
/// `*start` becomes the last iterate (within 1e-9 of this loan's root). One flow (a bridge
/// loan) takes its root in closed form instead ([`one_flow_root`]), under the same rounding
/// guard ([`quantized`]). The terms of the NPV are built in buffers each thread keeps from its
/// last loan ([`NpvTerms::fill`]), not allocated anew.
pub(super) fn monthly_fast_from(
    disbursed: Decimal,
    flows: &[Flow],
    start: &mut Option<f64>,
) -> Option<(Decimal, f64)> {
    let p = to_f64(disbursed);
    // `to_f64` is exact for every decimal (never NaN).
    if p <= 0.0 || flows.is_empty() {
        return None;
    }
    // One flow (a bridge loan) has its root in closed form.
    if let [f] = flows {
        let (x, error_x) = one_flow_root(p, f.days, to_f64(f.amount))?;
        *start = Some(x);
        return quantized(x, error_x);
    }
    thread_local! {
        /// The NPV's terms of the thread's last loan: their buffers serve the next one.
        static TERMS: RefCell<NpvTerms> = RefCell::new(NpvTerms::default());
    }
    TERMS.with_borrow_mut(|terms| {
        terms.fill(flow_floats(flows));
        halley(terms, p, start)
    })
}

/// [`monthly_fast_from`]'s search on flows of more than one term: Halley steps from `*start`
/// on the NPV of `terms` against `p`, each iterate tried under [`enclosed`]'s bound, the last
/// under the converged one ([`monthly_fast_from`] gives the rules).
fn halley(terms: &mut NpvTerms, p: f64, start: &mut Option<f64>) -> Option<(Decimal, f64)> {
    if terms.too_many || terms.any_negative || !terms.any_positive_later {
        return None;
    }
    let t_max = terms.t_max;
    let n = terms.flows.len() as f64;
    let mut npv = |x: f64| npv_at(terms, p, x);
    let mut x = start
        .filter(|x| x.is_finite() && x.abs() < 3.0)
        .unwrap_or(0.0);
    let mut last = None;
    for _ in 0..50 {
        let (v, dv, d2v, mag) = npv(x);
        let denominator = 2.0 * dv * dv - v * d2v;
        // Not finite when a term, v'² or v·v'' overflowed (NaN or infinite): declined, since
        // either step could then read as 0, a false convergence far from the root. A zero slope
        // (every flow after day 0 discounted to 0) gives an infinite or NaN step, declined below.
        if !denominator.is_finite() {
            return None;
        }
        let step = if denominator > 0.0 {
            2.0 * v * dv / denominator
        } else {
            v / dv
        };
        x -= step;
        if x.is_nan() || x.abs() >= 3.0 {
            return None;
        }
        if step.abs() <= 1e-14 * (1.0 + x.abs()) {
            let error_x = (2.0 * n + 8.0) * f64::EPSILON * mag / -dv + 2.0 * step.abs() + 4e-15;
            last = Some(error_x);
            *start = Some(x);
            break;
        }
        if let Some(found) =
            enclosed(v, dv, d2v, mag, step, n, t_max).and_then(|error_x| quantized(x, error_x))
        {
            *start = Some(x);
            return Some(found);
        }
    }
    quantized(x, last?)
}

/// How far the Halley iterate `x − step` taken from `x` can lie from the exact root (and from
/// [`super::annual_irr`]'s), from the NPV `(v, v', v'')` at `x` and `Σ|terms|` alone, before the
/// steps converge: `Some` bound when it is at most 4e-10 (so the iterate, left as the next
/// search's start, is within 1e-9 of the converged root), `None` otherwise.
///
/// The rule, on the exact NPV `f` of flows that are all ≥ 0 (so `f` decreases, `f'' ≥ 0` is
/// convex, and `f''(x − δ) ≤ e^(δ·t_max)·f''(x)` for `δ ≥ 0`, `t_max` the latest flow's time):
/// let `r = |f/f'|` (Newton's step) and `c = f''/|f'| ≤ t_max`. The tangent lies below a convex
/// `f`, so Newton's point `x_N = x − f/f'` is at or left of the root; where `f(x) < 0` the root
/// lies in `[x_N, x]`, and where `f(x) > 0` between `x` and `x + h`, `h` the first zero of
/// `f + f'·h + f''·h²/2` (above `f` right of `x`, `f''` decreasing), at most `2r` when
/// `c·r ≤ 1/4`. Taylor's remainder then gives
/// `|root − x_N| ≤ f''(ξ)·(2r)²/(2|f'|) ≤ 2·e^(t_max·r)·c·r²`, within `2.04·c·r²` when
/// `t_max·r ≤ 1/64` (required, and it implies `c·r ≤ 1/4`). The bound adds `4·c·r²` (about
/// twice that: the float `c` is within a relative `(2n + 8)·ε` of its value,
/// every term of `v'` and `v''` having one sign, and the float `r` is off by at most the NPV's
/// rounding term below, whose share in the square is at most `4·c·r` ≤ 1/16 of that term),
/// twice the distance between the Halley and Newton points, the NPV's rounding as
/// [`monthly_fast_from`] reckons it (`(2n + 8)·ε·Σ|terms|/|v'|`, and the same relative error on
/// `r` through `v'`), and the `4e-15` of the floats `x` and [`super::annual_irr`]'s stopping
/// rule, as the converged bound does; [`quantized`] then keeps the rate only a hundred times
/// that bound from every 4-decimal edge.
fn enclosed(v: f64, dv: f64, d2v: f64, mag: f64, step: f64, n: f64, t_max: f64) -> Option<f64> {
    let newton = v / dv;
    let r = newton.abs();
    // Also false on a NaN or an infinite slope: the NPV overflowed.
    let usable =
        dv < 0.0 && dv.is_finite() && d2v >= 0.0 && mag.is_finite() && t_max * r <= 1.0 / 64.0;
    if !usable {
        return None;
    }
    let c = d2v / -dv;
    let rounding = (2.0 * n + 8.0) * f64::EPSILON * (mag / -dv + r);
    let error_x = 2.0 * (step - newton).abs() + 4.0 * c * r * r + rounding + 4e-15;
    (error_x <= 4e-10).then_some(error_x)
}

/// The root `x` of one flow `a` at `days > 0` against `p`, `x = ln(a/p) / (days/365)`, in closed
/// form, with its error bound as [`monthly_fast_from`] reckons the Halley root's: the error of the
/// NPV's float terms, `(2n + 8)·ε·Σ|terms| / |v'|` with `n = 1`, `Σ|terms| = 2p` and
/// `v' = −t·p` at the root (`2/t` of it), plus this formula's own (`a`, `p` and `t` correctly
/// rounded, a division, `ln` within an ulp and a last division: below `8ε/t + 8ε·|x|`). `None`
/// where the search would decline: no positive amount, day 0, a root beyond |x| < 3.
fn one_flow_root(p: f64, days: u32, a: f64) -> Option<(f64, f64)> {
    if days == 0 || a.is_nan() || a <= 0.0 {
        return None;
    }
    let t = f64::from(days) / 365.0;
    let x = (a / p).ln() / t;
    if !x.is_finite() || x.abs() >= 3.0 {
        return None;
    }
    let error_x = 10.0 * f64::EPSILON * 2.0 / t + 8.0 * f64::EPSILON * (1.0 / t + x.abs()) + 4e-15;
    Some((x, error_x))
}

/// The monthly CET `round4((e^(x/12) − 1))` of the root `x` found within `error_x` of the exact
/// one (and of [`super::annual_irr`]'s), when that rounding is provably the fallback's: the
/// monthly rate farther than 100 times its error bound, and at least 1e-9, from every 4-decimal
/// midpoint and every 4-decimal value. `None` otherwise.
fn quantized(x: f64, error_x: f64) -> Option<(Decimal, f64)> {
    let monthly_f = (x / 12.0).exp_m1();
    let error_m = error_x * (1.0 + monthly_f.abs()) / 12.0 + 1e-16;
    let units = monthly_f * 1e4;
    let k = units.round();
    let off = (units - k).abs();
    let margin = (100.0 * error_m * 1e4).max(1e-5);
    // |x| < 3 makes |monthly_f| < e^0.25 − 1 ≈ 0.284: `k` is a small whole number, never NaN.
    if k == 0.0 || off <= margin || off >= 0.5 - margin {
        return None;
    }
    let monthly = Decimal::new(k as i64, 4);
    Some((monthly, monthly_f))
}

/// Each flow's days and the nearest double of its amount ([`to_f64`]), converting an amount
/// only when it differs from the previous flow's (the level installments of a schedule repeat
/// one amount): the same doubles as converting each.
fn flow_floats(flows: &[Flow]) -> impl ExactSizeIterator<Item = (u32, f64)> + '_ {
    // No decimal serializes to all ones (the low 16 bits of its flags are 0): the first amount
    // is converted. The bytes are compared as two integers, kept whole between flows.
    let mut last = ((u64::MAX, u64::MAX), 0.0_f64);
    flows.iter().map(move |f| {
        // Same mantissa, scale and sign: the same decimal, the same double.
        let bits = decimal_words(f.amount);
        if bits != last.0 {
            last = (bits, to_f64(f.amount));
        }
        (f.days, last.1)
    })
}

/// The 16 bytes of `d` ([`Decimal::serialize`]: flags, then the mantissa's low, middle and high
/// words) as two integers, the flags beside the high word and the low word beside the middle
/// one: the order the decimal keeps them in, so that each is one read.
fn decimal_words(d: Decimal) -> (u64, u64) {
    let b = d.serialize();
    let word = |i: usize| u64::from(u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]));
    (word(0) | word(12) << 32, word(4) | word(8) << 32)
}

/// One flow of [`monthly_fast_from`]'s NPV: its amount, its time `t = days/365` in years, its
/// days, and the index of its discount factor in [`NpvTerms::factors`] (a byte: the table has
/// 256 slots, and reads it unchecked).
struct NpvTerm {
    amount: f64,
    t: f64,
    days: u32,
    factor: u8,
}

/// What [`monthly_fast_from`]'s NPV takes from the flows once, outside its iterations: each flow's
/// [`NpvTerm`], the flows where the running product restarts, the distinct day counts whose
/// factor `e^(−x·days/365)` each iteration computes once (a gap between due dates; a flow's own
/// days where the product restarts) beside the slot of that factor, and whether an amount is
/// negative or one after day 0 positive.
struct NpvTerms {
    flows: Vec<NpvTerm>,
    /// The index of each flow dated before the one before it, in order (none in a schedule).
    restarts: Vec<usize>,
    /// The distinct day counts, in the order of their first flow.
    exponents: Vec<u32>,
    /// `e^(−x·days/365)` of each of `exponents` at the iteration's `x`, in the first slots.
    factors: [f64; 256],
    /// More than 256 distinct day counts: past the table, the terms are not used.
    too_many: bool,
    /// The latest flow's time in years, `max days/365`.
    t_max: f64,
    any_negative: bool,
    any_positive_later: bool,
}

impl Default for NpvTerms {
    /// No terms yet, with empty buffers.
    fn default() -> Self {
        NpvTerms {
            flows: Vec::new(),
            restarts: Vec::new(),
            exponents: Vec::new(),
            factors: [0.0; 256],
            too_many: false,
            t_max: 0.0,
            any_negative: false,
            any_positive_later: false,
        }
    }
}

/// The [`NpvTerms`] of `(days, amount)` flows ([`NpvTerms::fill`]), in new buffers: the tests'.
#[cfg(test)]
fn npv_terms(fl: impl ExactSizeIterator<Item = (u32, f64)>) -> NpvTerms {
    let mut terms = NpvTerms::default();
    terms.fill(fl);
    terms
}

impl NpvTerms {
    /// These terms made those of `(days, amount)` flows in their order, in the buffers of the
    /// last ones: the running product of the discount factors `e^(−x·gap/365)` over the gaps
    /// between consecutive days (from day 0), and, at a flow dated before the previous one, a
    /// restart at `e^(−x·days/365)`. The factors, times and products are the same floats
    /// whatever the number of distinct gaps.
    fn fill(&mut self, fl: impl ExactSizeIterator<Item = (u32, f64)>) {
        // Passes with few values live in each (one pass spills them to the stack): the amounts
        // and times, then each flow's slot.
        self.flows.clear();
        self.flows.extend(fl.map(|(days, amount)| NpvTerm {
            amount,
            t: f64::from(days) / 365.0,
            days,
            factor: 0,
        }));
        self.exponents.clear();
        self.restarts.clear();
        // 1 + the slot of each gap below 64 days in `exponents` (0: none yet).
        let mut slots = [0_u8; 64];
        let (mut prev, mut latest) = (0_u32, 0_u32);
        let (mut any_negative, mut too_many) = (false, false);
        for (j, flow) in self.flows.iter_mut().enumerate() {
            let days = flow.days;
            any_negative |= flow.amount < 0.0;
            let exponent = match days.checked_sub(prev) {
                Some(gap) => gap,
                None => {
                    self.restarts.push(j);
                    latest = latest.max(prev);
                    days
                }
            };
            prev = days;
            // A gap below 64 days (every month) finds its slot by one read, where a search
            // would branch on the calendar (31, 30, 31, … days in turn).
            flow.factor = match slots.get(exponent as usize) {
                Some(&i) if i != 0 => i - 1,
                _ => u8::try_from(slot_of(&mut self.exponents, &mut slots, exponent))
                    .unwrap_or_else(|_| {
                        too_many = true;
                        u8::MAX
                    }),
            };
        }
        self.any_negative = any_negative;
        self.too_many = too_many;
        self.any_positive_later = self.flows.iter().any(|f| f.t > 0.0 && f.amount > 0.0);
        // The largest `days/365` (the division is monotone): the last flow's, or one before a
        // restart.
        self.t_max = f64::from(latest.max(prev)) / 365.0;
    }
}

/// The slot of the day count `exponent` in `exponents`, added at the end when new (and, below
/// 64 days, noted in `slots` as 1 + its slot, while that fits a byte): [`NpvTerms::fill`]'s
/// rare case, out of its loop.
#[cold]
#[inline(never)]
fn slot_of(exponents: &mut Vec<u32>, slots: &mut [u8; 64], exponent: u32) -> usize {
    if let Some(i) = exponents.iter().position(|&e| e == exponent) {
        return i;
    }
    exponents.push(exponent);
    if let (Some(slot), Ok(i)) = (
        slots.get_mut(exponent as usize),
        u8::try_from(exponents.len()),
    ) {
        *slot = i;
    }
    exponents.len() - 1
}

/// [`monthly_fast_from`]'s NPV at `x = ln(1+i)` of the flows of `terms` against the disbursement
/// `p`: `(v, v', v'', Σ|terms|)` with `v = −p + Σ a_j·e^(−x·t_j)` summed in flow order, each
/// `e^(−x·t_j)` the running product of the per-gap factors (computed once per distinct gap, into
/// the slot beside it).
fn npv_at(terms: &mut NpvTerms, p: f64, x: f64) -> (f64, f64, f64, f64) {
    for (factor, &days) in terms.factors.iter_mut().zip(&terms.exponents) {
        *factor = (-x * f64::from(days) / 365.0).exp();
    }
    let (factors, flows) = (&terms.factors, &terms.flows[..]);
    let (mut v, mut dv, mut d2v, mut mag) = (-p, 0.0, 0.0, p);
    // The running product starts at 1 at the first flow and at each restart.
    let mut from = 0;
    for to in terms.restarts.iter().copied().chain([flows.len()]) {
        let mut e = 1.0_f64;
        for t in flows.get(from..to).unwrap_or_default() {
            e *= factors[usize::from(t.factor)];
            let term = t.amount * e;
            v += term;
            mag += term;
            dv -= t.t * term;
            // `t·t` rounds first, as `t²·term` always has.
            d2v += t.t * t.t * term;
        }
        from = to;
    }
    (v, dv, d2v, mag)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `monthly_fast`'s NPV as it was computed before `npv_at` (one `exp` per distinct gap
    /// cached in six slots, the rest computed per flow), kept to check `npv_at` against.
    fn npv_by_gap_cache(fl: &[(u32, f64)], p: f64, x: f64) -> (f64, f64, f64, f64) {
        let mut gaps = [(0_u32, 0.0_f64); 6];
        let mut known = 0;
        let (mut v, mut dv, mut d2v, mut mag) = (-p, 0.0, 0.0, p);
        let (mut e, mut prev) = (1.0_f64, 0_u32);
        for &(days, a) in fl {
            let factor = match days.checked_sub(prev) {
                Some(gap) => match gaps[..known].iter().find(|g| g.0 == gap) {
                    Some(g) => g.1,
                    None => {
                        let f = (-x * f64::from(gap) / 365.0).exp();
                        if let Some(slot) = gaps.get_mut(known) {
                            *slot = (gap, f);
                            known += 1;
                        }
                        f
                    }
                },
                None => {
                    e = 1.0;
                    (-x * f64::from(days) / 365.0).exp()
                }
            };
            e *= factor;
            prev = days;
            let t = f64::from(days) / 365.0;
            let term = a * e;
            v += term;
            mag += term;
            dv -= t * term;
            d2v += t * t * term;
        }
        (v, dv, d2v, mag)
    }

    /// `flow_floats` is `to_f64` of each amount, bit for bit: repeated amounts, the same value
    /// at another scale (100 and 100.00: one double, converted anew), alternating amounts,
    /// a zero of either sign, and long mantissas.
    #[test]
    fn flow_floats_are_each_amounts_double() {
        let amounts = [
            "100",
            "100",
            "100.00",
            "100",
            "0.01",
            "0",
            "-0",
            "0.00",
            "100",
            "100",
            "79228162514264337593543950335",
            "7.9228162514264337593543950335",
            "7.9228162514264337593543950335",
        ];
        let flows: Vec<Flow> = amounts
            .iter()
            .zip(1..)
            .map(|(a, k)| Flow {
                days: 30 * k,
                amount: a.parse().expect("decimal"),
            })
            .collect();
        let got: Vec<(u32, f64)> = flow_floats(&flows).collect();
        for (f, (days, a)) in flows.iter().zip(got) {
            assert_eq!(
                (days, a.to_bits()),
                (f.days, to_f64(f.amount).to_bits()),
                "{}",
                f.amount
            );
        }
    }

    /// A fixed LCG's draws below `m`, from `seed` (the tests' loans).
    fn draws(mut seed: u64) -> impl FnMut(u64) -> u64 {
        move |m| {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) % m
        }
    }

    /// The CET does not depend on where the quick route's search starts: `solve_from` from no
    /// start, from the loan's own root, from near it (a like loan's), from far on either side,
    /// and from starts it must ignore (±3 and beyond, NaN, infinite) gives `solve`'s bits, on
    /// loans of 1 to 130 monthly installments at 0.1 % to 15 % a month with IOF-like
    /// disbursements below the present value; the start left behind is the loan's root.
    #[test]
    fn the_cet_is_the_same_from_every_start() {
        let mut next = draws(0x5eed_0c38);
        let mut checked = 0;
        for _ in 0..300 {
            let n = 1 + next(130) as u32;
            let first = 1 + next(60) as u32;
            let monthly = (1 + next(150)) as f64 / 1000.0;
            let amount = Decimal::new(1 + next(1_000_000) as i64, 2);
            let flows: Vec<Flow> = (0..n)
                .map(|k| Flow {
                    days: first + 30 * k + next(2) as u32,
                    amount,
                })
                .collect();
            let pv: f64 = flows
                .iter()
                .map(|f| to_f64(f.amount) / (1.0 + monthly).powf(f64::from(f.days) / 30.0))
                .sum();
            let cut = 1.0 - next(50) as f64 / 1000.0;
            let Some(disbursed) = Decimal::from_f64_retain(pv * cut).map(|d| d.round_dp(2)) else {
                continue;
            };
            let Ok(want) = super::super::solve(disbursed, &flows) else {
                continue;
            };
            let mut own = None;
            let _ = monthly_fast_from(disbursed, &flows, &mut own);
            let root = own.unwrap_or(0.1);
            for start in [
                None,
                Some(root),
                Some(root + 1e-3),
                Some(root - 1e-3),
                Some(root + 0.1),
                Some(-0.5),
                Some(2.9),
                Some(-2.9),
                Some(3.0),
                Some(-7.0),
                Some(f64::NAN),
                Some(f64::INFINITY),
            ] {
                let mut s = start;
                let got = super::super::solve_from(disbursed, &flows, &mut s).expect("solved");
                assert_eq!(
                    (got.monthly.serialize(), got.annual.serialize()),
                    (want.monthly.serialize(), want.annual.serialize()),
                    "{disbursed} {flows:?} from {start:?}"
                );
                if let (Some(x), Some(r)) = (s, own)
                    && s != start
                {
                    assert!((x - r).abs() < 1e-9, "{x} vs {r}");
                }
            }
            checked += usize::from(own.is_some());
        }
        assert!(checked > 250, "{checked} loans decided by the quick route");
    }

    /// `npv_at` gives the same four floats, bit for bit, as the gap-cached NPV it replaced: on
    /// monthly schedules (four or five distinct gaps), on flows with more than six distinct gaps
    /// (past the old cache), with repeated days (a gap of 0), out of order (the running product
    /// restarts), with zero amounts, at rates from −0.9 to 2.9 in `x`.
    #[test]
    fn npv_terms_are_the_gap_cached_npv() {
        let mut next = draws(0x5eed_0c37);
        for case in 0..400 {
            let n = 1 + next(130) as usize;
            let mut days = next(60) as u32;
            let fl: Vec<(u32, f64)> = (0..n)
                .map(|_| {
                    days = match case % 4 {
                        0 => days + 28 + next(4) as u32, // monthly
                        1 => days + next(40) as u32,     // many gaps, some 0
                        2 => next(3000) as u32,          // any order
                        _ => days + 30,                  // one gap
                    };
                    let amount = if next(10) == 0 {
                        0.0
                    } else {
                        next(1_000_000) as f64 / 100.0
                    };
                    (days, amount)
                })
                .collect();
            let p = next(10_000_000) as f64 / 100.0 + 1.0;
            let mut terms = npv_terms(fl.iter().copied());
            for x in [
                0.0,
                -0.9,
                0.01,
                0.2435,
                1.5,
                2.9,
                next(1000) as f64 / 1000.0,
            ] {
                let got = npv_at(&mut terms, p, x);
                let want = npv_by_gap_cache(&fl, p, x);
                let bits = |t: (f64, f64, f64, f64)| {
                    [t.0.to_bits(), t.1.to_bits(), t.2.to_bits(), t.3.to_bits()]
                };
                assert_eq!(bits(got), bits(want), "case {case} at {x}: {fl:?}");
            }
        }
    }

    /// A bench-like loan: `n` installments of `amount` on the 26th-ish of each month from
    /// `first` days out (gaps of 28 to 31 days), and the disbursement (to 10 decimals, so the
    /// rate can sit anywhere) at which its monthly CET is `monthly`, compounded per 365/12 days.
    fn monthly_loan(
        next: &mut impl FnMut(u64) -> u64,
        monthly: f64,
        n: u32,
    ) -> (Decimal, Vec<Flow>) {
        let amount = Decimal::new(10_000 + next(1_000_000) as i64, 2);
        let mut days = 1 + next(60) as u32;
        let flows: Vec<Flow> = (0..n)
            .map(|_| {
                let f = Flow { days, amount };
                days += 28 + next(4) as u32;
                f
            })
            .collect();
        let x = 12.0 * monthly.ln_1p();
        let pv: f64 = flows
            .iter()
            .map(|f| to_f64(f.amount) * (-x * f64::from(f.days) / 365.0).exp())
            .sum();
        let disbursed = Decimal::from_f64_retain(pv).map_or(Decimal::ONE, |d| d.round_dp(10));
        (disbursed, flows)
    }

    /// [`enclosed`]'s bound holds: from starts on either side of the root (the NPV above and
    /// below 0), near and far, on 1- to 130-installment loans at −2 % to 20 % a month, every
    /// Halley iterate it bounds lies within its bound of the root found by the steps run to
    /// convergence (with its own bound) and of [`super::super::annual_irr`]'s; and it bounds
    /// the second iterate from a start 0.02 off (the bench's case) on most loans.
    #[test]
    fn enclosed_bounds_the_iterates() {
        let mut next = draws(0x5eed_e7c1);
        let (mut bounded, mut second) = (0, 0);
        for case in 0..600 {
            let n = 1 + next(130) as u32;
            let monthly = -0.02 + next(22_000) as f64 * 1e-5;
            let (disbursed, flows) = monthly_loan(&mut next, monthly, n);
            let Ok(i) = super::super::annual_irr(disbursed, &flows) else {
                continue;
            };
            let root = i.ln_1p();
            let mut terms = npv_terms(flow_floats(&flows));
            let p = to_f64(disbursed);
            let nf = flows.len() as f64;
            for offset in [-0.3, -0.02, -1e-4, 1e-4, 0.02, 0.3] {
                let mut x = root + offset;
                for k in 0..4 {
                    let (v, dv, d2v, mag) = npv_at(&mut terms, p, x);
                    let denominator = 2.0 * dv * dv - v * d2v;
                    let step = if denominator > 0.0 {
                        2.0 * v * dv / denominator
                    } else {
                        v / dv
                    };
                    x -= step;
                    if let Some(error_x) = enclosed(v, dv, d2v, mag, step, nf, terms.t_max) {
                        // The converged root's own distance to the exact one, as the module reckons it.
                        let converged = (2.0 * nf + 8.0) * f64::EPSILON * mag / -dv + 4e-15;
                        assert!(
                            (x - root).abs() <= error_x + converged,
                            "case {case} from {offset} step {k}: {x} vs {root}, {error_x}"
                        );
                        assert!(error_x <= 4e-10);
                        bounded += 1;
                        second += usize::from(k == 1 && offset.abs() == 0.02);
                    }
                }
            }
        }
        assert!(bounded > 5_000, "{bounded}");
        assert!(second > 500, "{second}");
    }

    /// [`enclosed`] on both sides of each of its edges: `t_max·r` at 1/64 (decides) and just
    /// above (declines), the bound at 4e-10 (decides) and just above (declines), a slope of 0
    /// or positive, a negative curvature, and NaN or infinite inputs (declines).
    #[test]
    fn enclosed_declines_past_its_edges() {
        // v = −r·dv, so Newton's step is r; here step = newton, c = 0: the bound is the
        // rounding and 4e-15 alone.
        let (dv, mag, n) = (-1.0, 1.0, 1.0);
        let at = |r: f64, t_max: f64| enclosed(-r * dv, dv, 0.0, mag, -r, n, t_max);
        // 2⁻³⁰·2²⁴ = 1/64 exactly; the next double above 2²⁴ is past it.
        let r = 2f64.powi(-30);
        assert!(at(r, 2f64.powi(24)).is_some());
        assert!(at(r, 2f64.powi(24) * (1.0 + f64::EPSILON)).is_none());
        // c = 1, r such that 4·c·r² plus the rest is just at or past 4e-10.
        let bound = |r: f64| enclosed(-r * dv, dv, -dv, mag, -r, n, 1.0);
        let r = 5e-6;
        let want = 4.0 * r * r + 10.0 * f64::EPSILON * (1.0 + r) + 4e-15;
        assert_eq!(bound(r), Some(want));
        assert!(want < 4e-10);
        let r_edge = ((4e-10 - 10.0 * f64::EPSILON * (1.0 + 1e-5) - 4e-15) / 4.0).sqrt();
        assert!(bound(r_edge * (1.0 - 1e-9)).is_some());
        assert!(bound(r_edge * (1.0 + 1e-9)).is_none());
        for (v, dv, d2v, mag) in [
            (1e-6, 0.0, 1.0, 1.0),
            (1e-6, 1.0, 1.0, 1.0),
            (1e-6, -1.0, -1e-300, 1.0),
            (f64::NAN, -1.0, 1.0, 1.0),
            (1e-6, f64::NAN, 1.0, 1.0),
            (1e-6, -1.0, f64::NAN, 1.0),
            (1e-6, -1.0, 1.0, f64::INFINITY),
            (1e-6, f64::NEG_INFINITY, 1.0, 1.0),
        ] {
            assert_eq!(
                enclosed(v, dv, d2v, mag, v / dv, 1.0, 1.0),
                None,
                "{v} {dv} {d2v} {mag}"
            );
        }
    }

    /// Deciding a step early changes no CET: bench-like loans (12 to 130 monthly installments)
    /// whose monthly rate sits at a 4-decimal midpoint, at a 4-decimal value, 1e-6 to 0.9 of
    /// the 4th decimal from either (on both sides: across the early bound's margin, about
    /// 3e-5, and the converged one's 1e-5 floor), or anywhere, searched from a like rate's start
    /// (0.02 off, either side) and from none: wherever the quick route answers, it answers the
    /// fallback's CET with scale 4 (`solve`'s).
    #[test]
    fn an_early_decision_rounds_as_the_fallback() {
        let (mut next, mut decided) = (draws(0x5eed_ea71), 0);
        for case in 0..1_500 {
            let n = 12 + next(119) as u32;
            let units = 50 + next(2_500) as i64;
            let edge = if case % 2 == 0 { 0.5 } else { 0.0 };
            let off = match case % 8 {
                0 | 1 => 0.0,
                // 1e-6 to 0.9 units on either side: across the margins of both bounds.
                2 | 3 => {
                    let size = (1 + next(9)) as f64 * 10f64.powi(-(1 + next(6) as i32));
                    if next(2) == 0 { size } else { -size }
                }
                4 | 5 => 1e-4 * (next(200) as f64 - 100.0),
                _ => next(10_000) as f64 * 1e-4,
            };
            let monthly = (units as f64 + edge + off) * 1e-4;
            let (disbursed, flows) = monthly_loan(&mut next, monthly, n);
            let Ok(want) = super::super::solve(disbursed, &flows) else {
                continue;
            };
            let x = 12.0 * monthly.ln_1p();
            for start in [None, Some(x - 0.02), Some(x + 0.02)] {
                let mut s = start;
                if let Some((m, _)) = monthly_fast_from(disbursed, &flows, &mut s) {
                    assert_eq!(
                        m.serialize(),
                        want.monthly.serialize(),
                        "case {case} from {start:?}: {disbursed} {flows:?}"
                    );
                    assert_eq!(m.scale(), 4);
                    decided += 1;
                }
            }
        }
        assert!(decided > 2_500, "{decided}");
    }

    /// [`NpvTerms::t_max`] is the largest `days/365` and the flags are the amounts' (one negative,
    /// one positive after day 0), on flows in order, in any order (the largest before a restart,
    /// or after it), with repeated days, and all on day 0.
    #[test]
    fn npv_terms_know_the_latest_flow_and_the_signs() {
        let mut next = draws(0x5eed_7a11);
        for case in 0..600 {
            let n = 1 + next(40) as usize;
            let fl: Vec<(u32, f64)> = (0..n)
                .map(|k| {
                    let days = match case % 3 {
                        0 => 30 * k as u32 + next(3) as u32,
                        1 => next(5000) as u32,
                        _ => next(2) as u32 * next(3) as u32,
                    };
                    (days, next(2000) as f64 - 100.0 * next(2) as f64)
                })
                .collect();
            let terms = npv_terms(fl.iter().copied());
            let latest = fl.iter().map(|f| f.0).max().unwrap_or(0);
            assert_eq!(
                terms.t_max.to_bits(),
                (f64::from(latest) / 365.0).to_bits(),
                "case {case}: {fl:?}"
            );
            assert_eq!(terms.any_negative, fl.iter().any(|f| f.1 < 0.0));
            assert_eq!(
                terms.any_positive_later,
                fl.iter().any(|f| f.0 > 0 && f.1 > 0.0)
            );
        }
    }

    /// Terms refilled in the buffers of other loans' terms (longer and shorter, with and
    /// without restarts, more and fewer distinct gaps, negative amounts or none) are the terms
    /// built afresh: the same slots, restarts, largest time and flags, the same NPV bit for bit.
    #[test]
    fn refilled_terms_are_fresh_terms() {
        let mut next = draws(0x5eed_f111);
        let mut reused = NpvTerms::default();
        for case in 0..500 {
            let n = 1 + next(if case % 2 == 0 { 130 } else { 5 }) as usize;
            let mut days = 0;
            let fl: Vec<(u32, f64)> = (0..n)
                .map(|_| {
                    days = match case % 3 {
                        0 => days + 28 + next(4) as u32,
                        1 => next(3000) as u32,
                        _ => days + next(90) as u32,
                    };
                    (days, next(100_000) as f64 / 100.0 - 10.0 * next(2) as f64)
                })
                .collect();
            reused.fill(fl.iter().copied());
            let fresh = npv_terms(fl.iter().copied());
            assert_eq!(reused.exponents, fresh.exponents, "case {case}");
            assert_eq!(reused.restarts, fresh.restarts, "case {case}");
            let facts = |t: &NpvTerms| {
                let flags = (t.any_negative, t.any_positive_later, t.too_many);
                (t.t_max.to_bits(), flags)
            };
            assert_eq!(facts(&reused), facts(&fresh), "case {case}");
            let mut fresh = fresh;
            for x in [0.0, 0.3, -0.5] {
                let bits = |t: (f64, f64, f64, f64)| {
                    [t.0.to_bits(), t.1.to_bits(), t.2.to_bits(), t.3.to_bits()]
                };
                let (a, b) = (
                    npv_at(&mut reused, 1000.0, x),
                    npv_at(&mut fresh, 1000.0, x),
                );
                assert_eq!(bits(a), bits(b), "case {case} at {x}");
            }
        }
    }

    /// The factor table's edge: flows with 256 distinct gaps (1 to 256 days) fill it and the
    /// quick route decides, as the fallback; with 257 the terms are marked past it and the
    /// quick route declines, while `solve` still gives the fallback's CET.
    #[test]
    fn more_gaps_than_the_table_go_to_the_fallback() {
        for (n, fits) in [(256_u32, true), (257, false)] {
            let mut days = 0;
            let flows: Vec<Flow> = (1..=n)
                .map(|gap| {
                    days += gap;
                    Flow {
                        days,
                        amount: Decimal::from(100),
                    }
                })
                .collect();
            let x = 12.0 * 0.01234_f64.ln_1p();
            let pv: f64 = flows
                .iter()
                .map(|f| 100.0 * (-x * f64::from(f.days) / 365.0).exp())
                .sum();
            let disbursed = Decimal::from_f64_retain(pv).map_or(Decimal::ONE, |d| d.round_dp(6));
            let terms = npv_terms(flow_floats(&flows));
            assert_eq!(terms.exponents.len(), n as usize);
            assert_eq!(terms.too_many, !fits, "{n}");
            let want = super::super::solve(disbursed, &flows).expect("solved");
            assert_eq!(want.monthly, Decimal::new(123, 4));
            let fast = monthly_fast(disbursed, &flows).map(|(m, _)| m.serialize());
            assert_eq!(fast, fits.then_some(want.monthly.serialize()), "{n}");
        }
    }

    /// `decimal_words` tells two decimals apart exactly when their bytes differ: pairs that
    /// differ in the sign, the scale, or one word of the mantissa alone (low, middle, high),
    /// zeros of either sign and scale, and equal decimals.
    #[test]
    fn decimal_words_are_the_bytes() {
        let mut values = vec![];
        for (lo, mid, hi) in [
            (0, 0, 0),
            (1, 0, 0),
            (0, 1, 0),
            (0, 0, 1),
            (7, 7, 7),
            (u32::MAX, 3, 9),
        ] {
            for negative in [false, true] {
                for scale in [0, 2, 28] {
                    values.push(Decimal::from_parts(lo, mid, hi, negative, scale));
                }
            }
        }
        for a in &values {
            for b in &values {
                assert_eq!(
                    decimal_words(*a) == decimal_words(*b),
                    a.serialize() == b.serialize(),
                    "{a:?} {b:?}"
                );
            }
        }
    }
}
