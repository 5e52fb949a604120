//! CET (custo efetivo total): the effective annual cost of the loan to the borrower.
//!
//! Res. CMN 4.881/2020 art. 4 (which replaced Res. CMN 3.517/2007): the annual rate `i` that solves
//! `disbursed = Σ_j total_j / (1+i)^((d_j − d₀)/365)`, where the borrower receives `disbursed`
//! (`disbursed_issue_amount`) on the disbursement date `d₀` and pays each installment's `total_amount`
//! on its contractual `due_date` `d_j` (not the business due date: that gives 0.0329, not QI's 0.0346).
//!
//! QI then reports (SIAPE manual §3 and the bridge-loan issuance, see the crate's conventions, *CET*):
//! * `cet = round4((1+i)^(1/12) − 1)` (half-even): the monthly figure, quantized **first**;
//! * `annual_cet = (1 + cet)^12 − 1`, computed exactly in decimal from the quantized monthly figure
//!   (0.0346 → 0.5040756794535896; 0.0402 → 60.4731 %).
//!
//! The root is found in `f64`: only 4 decimals of the result survive, far above the solver's error
//! (≈ 1e-15 relative), so the float is safe here, unlike in the schedule. The flows enter as the
//! nearest doubles of the decimal amounts (the crate's correctly rounded conversion, exact for
//! cents: no string round trip);
//! even an amount one ulp (1e-16 relative) off would move the root by about that much, 12 orders of
//! magnitude below the 4th decimal. [`annual_irr`] works on `x = ln(1+i)`, where the net present
//! value is strictly decreasing, brackets the root and then runs safeguarded Newton steps: it never
//! returns NaN and never stops without a bracketed answer. [`solve`] first tries a faster search
//! (Halley steps, one `exp` per distinct gap between due dates) whose answer it keeps only when it
//! provably rounds as [`annual_irr`]'s root does (`monthly_fast`), and otherwise runs
//! [`annual_irr`]: the reported CET is the same either way.

use rust_decimal::Decimal;

use crate::conventions::{CetDerivation, CetPeriods, Conventions};
use crate::error::{Error, Result};
use crate::kept::{Kept, kept_or};
use crate::num::{self, round_dp, to_f64};

mod halley;
#[cfg(test)]
use halley::monthly_fast;
use halley::monthly_fast_from;

/// A cash flow the borrower pays: calendar days after the disbursement, and the amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flow {
    /// Calendar days from the disbursement date to the flow's date.
    pub days: u32,
    /// The amount paid (installment `total_amount`).
    pub amount: Decimal,
}

/// The CET as QI reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cet {
    /// `cet`: monthly, as a fraction (4 decimals under the default conventions).
    pub monthly: Decimal,
    /// `annual_cet`: `(1 + monthly)^12 − 1`, exact decimal, under the default conventions (see
    /// [`solve_with`] for the others).
    pub annual: Decimal,
}

/// The annual internal rate of return `i` of the flows, in `f64` (see the module docs).
///
/// # Errors
/// [`Error::CetNoRoot`] when `disbursed ≤ 0`, when no flow is positive, or when the rate is beyond
/// what a float can express.
pub fn annual_irr(disbursed: Decimal, flows: &[Flow]) -> Result<f64> {
    annual_irr_counted(disbursed, flows).map(|(i, _)| i)
}

/// [`annual_irr`], and how many Newton-or-bisection iterations it took after bracketing.
fn annual_irr_counted(disbursed: Decimal, flows: &[Flow]) -> Result<(f64, u32)> {
    // `to_f64` is exact for every decimal (never NaN).
    let p = to_f64(disbursed);
    if p <= 0.0 {
        return Err(Error::CetNoRoot {
            reason: format!("the borrower receives {disbursed}, not a positive amount"),
        });
    }
    let mut fl: Vec<(f64, f64)> = flows
        .iter()
        .map(|f| (f64::from(f.days) / 365.0, to_f64(f.amount)))
        .collect();
    if !fl.iter().any(|&(t, a)| t > 0.0 && a > 0.0) || fl.iter().any(|&(_, a)| a < 0.0) {
        return Err(Error::CetNoRoot {
            reason: "the borrower pays no positive installment after the disbursement".into(),
        });
    }
    // A zero flow adds nothing to the NPV, but 0 · e^(−x·t) is NaN where the discount overflows.
    fl.retain(|&(_, a)| a > 0.0);
    // NPV in x = ln(1+i), and its derivative; strictly decreasing in x.
    let npv = |x: f64| -> (f64, f64) {
        let mut v = -p;
        let mut dv = 0.0;
        for &(t, a) in &fl {
            let term = a * (-x * t).exp();
            v += term;
            dv -= t * term;
        }
        (v, dv)
    };
    let (mut lo, mut hi) = (-1.0_f64, 1.0_f64);
    // The lower bracket always exists: the NPV of a positive flow at t ≥ 1/365 overflows to +∞
    // once x < −709·365 (about −2¹⁸), so it takes at most 18 doublings.
    while npv(lo).0 <= 0.0 {
        lo *= 2.0;
    }
    let mut steps = 0;
    while npv(hi).0 >= 0.0 {
        hi *= 2.0;
        steps += 1;
        if steps > 60 {
            return Err(Error::CetNoRoot {
                reason: "rate above any bracket".into(),
            });
        }
    }
    let mut x = 0.5 * (lo + hi);
    let mut iterations = 0;
    // The last step's length and the one before it (a bisection's counts as unbounded). A Newton
    // step must be at most half the one before the last, or the iteration bisects instead: far
    // to the left of the root, where the latest flow's term dominates, Newton's steps are only
    // about 1/t long (under 0.002 for a flow 700 years out), and 200 of them need not reach the
    // root. Between bisections, the Newton steps thus halve every two iterations.
    let (mut last, mut before) = (f64::INFINITY, f64::INFINITY);
    for _ in 0..200 {
        iterations += 1;
        let (v, dv) = npv(x);
        if v == 0.0 {
            break;
        }
        if v > 0.0 {
            lo = x;
        } else {
            hi = x;
        }
        let step = v / dv;
        let newton = x - step;
        // Converged: the Newton step is below the float's resolution. Checked before the bracket
        // test, because at the root `newton` equals the bracket end just set. Not where the slope
        // overflowed: v / ∞ reads as 0 there, far from the root.
        if dv.is_finite() && step.abs() <= 1e-15 * (1.0 + x.abs()) {
            x = newton;
            break;
        }
        let by_newton = dv < 0.0 && newton > lo && newton < hi && step.abs() <= 0.5 * before;
        before = last;
        (x, last) = if by_newton {
            (newton, step.abs())
        } else {
            (0.5 * (lo + hi), f64::INFINITY)
        };
        if hi - lo <= 1e-15 * (1.0 + x.abs()) {
            break;
        }
    }
    let i = x.exp_m1();
    if !i.is_finite() {
        return Err(Error::CetNoRoot {
            reason: format!("rate e^{x} − 1 is not finite"),
        });
    }
    Ok((i, iterations))
}

/// The CET of a loan: the borrower receives `disbursed` on day 0 and pays `flows`.
///
/// `cet = round4((1+i)^(1/12) − 1)` for the root `i` of [`annual_irr`], `annual_cet =
/// (1 + cet)^12 − 1` (see the module documentation for the faster search tried first, which
/// reports the same figures).
///
/// # Errors
/// As [`annual_irr`].
///
/// # Example
/// ```
/// use qitech_sim::cet::{self, Flow};
/// use rust_decimal::Decimal;
/// let flows = [Flow { days: 24, amount: Decimal::from(100) }, Flow { days: 54, amount: Decimal::from(100) }];
/// let c = cet::solve("191.49".parse()?, &flows)?;
/// assert_eq!(c.monthly.to_string(), "0.0346");
/// assert_eq!(c.annual.to_string().parse::<f64>()?, 0.5040756794535896);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn solve(disbursed: Decimal, flows: &[Flow]) -> Result<Cet> {
    solve_from(disbursed, flows, &mut None)
}

/// [`solve`], the quick route's search starting at `*start` and leaving its root there
/// ([`halley::monthly_fast_from`]): the same CET whatever the start.
fn solve_from(disbursed: Decimal, flows: &[Flow], start: &mut Option<f64>) -> Result<Cet> {
    let (monthly, monthly_f) = match monthly_fast_from(disbursed, flows, start) {
        Some(found) => found,
        None => {
            let i = annual_irr(disbursed, flows)?;
            let monthly_f = (i.ln_1p() / 12.0).exp_m1();
            let monthly = round_dp(
                num::from_f64_shortest(monthly_f, "cet").map_err(|_| beyond(monthly_f))?,
                4,
            );
            (monthly, monthly_f)
        }
    };
    let annual = annual_of_monthly(monthly).map_err(|_| beyond(monthly_f))?;
    Ok(Cet { monthly, annual })
}

/// How many monthly CETs each thread keeps the annual figure of ([`annual_of_monthly`]): the
/// 4-decimal rates of a campaign's loans are a few hundred values. An entry is 32 bytes.
const ANNUALS_KEPT: usize = 1024;

/// `(1 + monthly)^12 − 1`, the annual CET of a monthly-first CET, kept per thread keyed by the
/// monthly rate's bits ([`crate::kept`]): loans priced alike share a 4-decimal monthly CET, whose
/// twelfth power is then read instead of raised again.
fn annual_of_monthly(monthly: Decimal) -> Result<Decimal> {
    thread_local! {
        static KEPT: std::cell::RefCell<Kept<[u8; 16], Decimal>> =
            std::cell::RefCell::new(Kept::new(ANNUALS_KEPT));
    }
    kept_or(&KEPT, monthly.serialize(), || {
        Ok(
            num::add(Decimal::ONE, monthly, "cet").and_then(|f| num::powu(f, 12, "cet"))?
                - Decimal::ONE,
        )
    })
}

/// The CET under the conventions' `cet`, `cet_decimals` and `annual_cet_decimals` switches:
/// * monthly-first at 4 decimals with an exact annual figure: [`solve`] (the `qi-2023` profile);
/// * monthly-first otherwise: `cet = round_k((1+i)^(1/12) − 1)`, `annual_cet = (1 + cet)^12 − 1`,
///   rounded to `annual_cet_decimals` when given;
/// * annual IRR: `annual_cet = round_a(i)` and `cet = round_k((1+i)^(1/12) − 1)`, each from the raw
///   root (`fixtures/qi-examples/v2-sim-2025.response.json`: i = 1.4508301 → 145.08 %, monthly
///   0.0775632 → 7.76 %; `bnpl-issue-2026.response.json`: 97.05 % / 5.82 %; the 2020 sandbox's
///   monthly 0.0996059 → 0.099606 at 6 decimals);
/// * under `cet_periods: months` the raw rates are [`monthly_irr`]'s `r` and `i = (1+r)^12 − 1`,
///   then rounded as above (the Central Bank's CET FAQ: r = 0.030813 → 3.08 %, i → 43.93 % under
///   annual IRR).
///
/// # Errors
/// As [`annual_irr`].
///
/// ```
/// use qitech_sim::cet::{self, Flow};
/// use qitech_sim::conventions::{Conventions, Profile};
/// use rust_decimal::Decimal;
/// let flows = [Flow { days: 19, amount: "19.50".parse()? }, Flow { days: 49, amount: "19.50".parse()? }];
/// let c = cet::solve_with("35.90".parse()?, &flows, &Conventions::profile(Profile::QiV2))?;
/// assert_eq!((c.monthly_percent().to_string(), c.annual_percent().to_string()), ("7.76".into(), "145.08".into()));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn solve_with(disbursed: Decimal, flows: &[Flow], conventions: &Conventions) -> Result<Cet> {
    solve_with_start(disbursed, flows, conventions, &mut None)
}

/// [`solve_with`], whose quick route starts at `*start` and leaves its root there (the
/// disbursement options of one simulation pass it from one to the next): the same CET whatever
/// the start ([`halley::monthly_fast_from`]).
///
/// # Errors
/// As [`solve_with`].
pub(crate) fn solve_with_start(
    disbursed: Decimal,
    flows: &[Flow],
    conventions: &Conventions,
    start: &mut Option<f64>,
) -> Result<Cet> {
    let monthly_first = conventions.cet == CetDerivation::MonthlyFirst;
    let annual_dp = conventions.annual_cet_dp();
    let (i, monthly_f) = match conventions.cet_periods {
        CetPeriods::Days365 => {
            if monthly_first && conventions.cet_decimals == 4 && annual_dp.is_none() {
                return solve_from(disbursed, flows, start);
            }
            let i = annual_irr(disbursed, flows)?;
            (i, (i.ln_1p() / 12.0).exp_m1())
        }
        CetPeriods::Months => {
            let r = monthly_irr(disbursed, flows)?;
            ((r.ln_1p() * 12.0).exp_m1(), r)
        }
    };
    let monthly = round_dp(
        num::from_f64_shortest(monthly_f, "cet").map_err(|_| beyond(monthly_f))?,
        conventions.cet_decimals,
    );
    let annual = if monthly_first {
        num::add(Decimal::ONE, monthly, "cet")
            .and_then(|f| num::powu(f, 12, "cet"))
            .map_err(|_| beyond(monthly_f))?
            - Decimal::ONE
    } else {
        num::from_f64_shortest(i, "annual_cet").map_err(|_| beyond(monthly_f))?
    };
    let annual = match annual_dp {
        Some(dp) => round_dp(annual, dp),
        None => annual,
    };
    Ok(Cet { monthly, annual })
}

impl Cet {
    /// `cet` in percent (× 100, exact: the v2 and BNPL responses print 7.76, 5.82).
    pub fn monthly_percent(&self) -> Decimal {
        num::normalize(self.monthly * Decimal::ONE_HUNDRED)
    }

    /// `annual_cet` in percent (× 100, exact: 145.08, 97.05).
    pub fn annual_percent(&self) -> Decimal {
        num::normalize(self.annual * Decimal::ONE_HUNDRED)
    }
}

/// The monthly internal rate of return `r` over equal monthly periods (the `cet_periods: months`
/// switch, the Central Bank's CET FAQ): `disbursed = Σ total_k / (1+r)^k`, the `k`-th flow in
/// date order `k` months after the disbursement whatever its date.
///
/// [`annual_irr`]'s solver on flows `365·k` days out: its "annual" root is then the rate per
/// `k`, that is per month.
///
/// # Errors
/// As [`annual_irr`]; [`Error::CetNoRoot`] beyond `u32::MAX / 365` installments.
///
/// ```
/// use qitech_sim::cet::{self, Flow};
/// let flows: Vec<Flow> = (1..=5).map(|k| Flow { days: 30 * k, amount: "205.73".parse().unwrap() }).collect();
/// let r = cet::monthly_irr("940".parse()?, &flows)?;
/// assert!((r - 0.030813).abs() < 1e-6);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn monthly_irr(disbursed: Decimal, flows: &[Flow]) -> Result<f64> {
    let mut ordered: Vec<&Flow> = flows.iter().collect();
    ordered.sort_by_key(|f| f.days);
    let periods = ordered
        .iter()
        .zip(1_u32..)
        .map(|(f, k)| {
            let days = k.checked_mul(365).ok_or_else(|| Error::CetNoRoot {
                reason: format!("{} installments are beyond a monthly CET", flows.len()),
            })?;
            Ok(Flow {
                days,
                amount: f.amount,
            })
        })
        .collect::<Result<Vec<Flow>>>()?;
    annual_irr(disbursed, &periods)
}

/// The error of a monthly rate that no decimal CET can hold.
fn beyond(monthly_f: f64) -> Error {
    Error::CetNoRoot {
        reason: format!("the rate ({monthly_f} a month) is beyond what a CET can express"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The annual CET a thread keeps is the twelfth power raised again, bit for bit (scale
    /// included): every 4-decimal monthly rate from −5 % to 30 % and a few longer ones, read
    /// twice, more than the memo holds (so it started again on the way).
    #[test]
    fn a_kept_annual_cet_is_the_power_raised_again() {
        let mut monthly: Vec<Decimal> = (-500..=3000).map(|k| Decimal::new(k, 4)).collect();
        monthly.extend(
            ["0.02", "0.020", "0.0234567", "0"].map(|t| t.parse::<Decimal>().expect("decimal")),
        );
        assert!(monthly.len() > ANNUALS_KEPT);
        for _ in 0..2 {
            for &m in &monthly {
                let want = num::powu(Decimal::ONE + m, 12, "cet").expect("in range") - Decimal::ONE;
                let got = annual_of_monthly(m).expect("in range");
                assert_eq!(got.serialize(), want.serialize(), "{m}");
            }
        }
    }

    /// Newton does the work: loans of 1 to 600 installments at 0.5–15 % a month converge in at
    /// most 12 iterations after bracketing (bisection alone needs about 50 to reach the float's
    /// resolution), to a root whose NPV is zero to 1e-12 of the amount.
    #[test]
    fn annual_irr_converges_by_newton() {
        for (n, m) in [
            (1u32, 0.005),
            (2, 0.02),
            (12, 0.0205),
            (96, 0.0205),
            (96, 0.15),
            (600, 0.01),
        ] {
            let pmt = Decimal::from(100);
            let flows: Vec<Flow> = (1..=n)
                .map(|k| Flow {
                    days: 30 * k + 5,
                    amount: pmt,
                })
                .collect();
            let g = 1.0f64 + m;
            let pv: f64 = (1..=n)
                .map(|k| 100.0 / g.powf((30 * k + 5) as f64 / 30.0))
                .sum();
            let disbursed = num::round_dp(Decimal::from_f64_retain(pv).expect("pv"), 2);
            let (i, iterations) = annual_irr_counted(disbursed, &flows).expect("root");
            // At least the start and the step that stops below the float's resolution.
            assert!(
                (2..=12).contains(&iterations),
                "{n} at {m}: {iterations} iterations"
            );
            let npv = relative_npv(to_f64(disbursed), &flows, i);
            assert!(npv.abs() < 1e-12, "{n} at {m}: NPV {npv}");
        }
    }

    /// A one-day flow of 1.73 for 1 is an annual rate of 1.73³⁶⁵ − 1 ≈ 7 × 10⁸⁶ (x = ln(1+i) ≈
    /// 200): the upper bracket must double past 128, which a bracket grown by steps of 2 within
    /// its 60 steps would not reach.
    #[test]
    fn annual_irr_brackets_a_one_day_loan() {
        let flows = [Flow {
            days: 1,
            amount: Decimal::new(173, 2),
        }];
        let i = annual_irr(Decimal::ONE, &flows).expect("a root");
        let want = 1.73f64.powi(365) - 1.0;
        assert!(((i - want) / want).abs() < 1e-9, "{i} vs {want}");
    }

    /// The IRR's refusals, each for its own reason: nothing received; no positive flow after day 0
    /// (a day-0 flow alone, or only zero flows); a negative flow beside positive ones.
    #[test]
    fn annual_irr_refuses_flows_without_a_root_for_their_reason() {
        let flow = |days, amount: i64| Flow {
            days,
            amount: Decimal::from(amount),
        };
        let reason =
            |disbursed: i64, flows: &[Flow]| match annual_irr(Decimal::from(disbursed), flows) {
                Err(Error::CetNoRoot { reason }) => reason,
                other => panic!("{other:?}"),
            };
        assert!(reason(0, &[flow(30, 100)]).contains("not a positive amount"));
        assert!(reason(-5, &[flow(30, 100)]).contains("not a positive amount"));
        for flows in [
            vec![flow(0, 100)],
            vec![flow(30, 0)],
            vec![flow(0, 50), flow(30, 0)],
        ] {
            assert!(
                reason(90, &flows).contains("no positive installment"),
                "{flows:?}"
            );
        }
        assert!(reason(90, &[flow(30, 100), flow(60, -1)]).contains("no positive installment"));
        // A day-0 flow and a zero flow beside a later positive one have a root.
        assert!(
            annual_irr(
                Decimal::from(90),
                &[flow(0, 10), flow(30, 100), flow(60, 0)]
            )
            .is_ok()
        );
    }

    /// NPV of the flows at annual rate `i`, relative to the disbursed amount.
    fn relative_npv(p: f64, flows: &[Flow], i: f64) -> f64 {
        let x = i.ln_1p();
        let v: f64 = flows
            .iter()
            .map(|f| to_f64(f.amount) * (-x * f64::from(f.days) / 365.0).exp())
            .sum();
        (v - p) / p
    }

    /// Regression: with 96 flows and an 80-day first period the solver once stopped with Newton at
    /// the root, then bisected away from it (annual 0.8765 instead of 0.2955).
    #[test]
    fn converges_when_newton_lands_on_the_bracket_end() {
        let mut days = 80;
        let mut flows = vec![];
        for k in 0..96u32 {
            flows.push(Flow {
                days,
                amount: Decimal::from(100),
            });
            days += [30, 31, 30, 31, 31, 30, 31, 30, 31, 31, 28, 31][(k % 12) as usize];
        }
        let p = Decimal::new(386571, 2);
        let i = annual_irr(p, &flows).unwrap_or(f64::NAN);
        assert!(relative_npv(3865.71, &flows, i).abs() < 1e-12, "irr {i}");
        assert!((i - 0.2954).abs() < 0.001, "irr {i}");
    }

    fn pow(x: Decimal, n: u64) -> Decimal {
        num::powu(x, n, "test").unwrap_or_default()
    }

    fn flow(days: u32, amount: Decimal) -> Flow {
        Flow { days, amount }
    }

    /// The monthly CET by the fallback alone ([`annual_irr`], then `round4`), as [`solve`] gets it
    /// when [`monthly_fast`] declines.
    fn fallback(disbursed: Decimal, flows: &[Flow]) -> Option<Decimal> {
        let i = annual_irr(disbursed, flows).ok()?;
        let monthly_f = (i.ln_1p() / 12.0).exp_m1();
        Some(round_dp(num::from_f64_shortest(monthly_f, "cet").ok()?, 4))
    }

    fn siape_flows() -> [Flow; 2] {
        [flow(24, Decimal::from(100)), flow(54, Decimal::from(100))]
    }

    /// The fast path alone, fallback disabled: SIAPE's 0.0346 (QI's figure), with the float it
    /// was rounded from, and the personal-credit bridge's 0.0402.
    #[test]
    fn fast_path_gives_the_known_cets() {
        let (monthly, monthly_f) =
            monthly_fast(Decimal::new(19149, 2), &siape_flows()).expect("decided fast");
        assert_eq!(monthly, Decimal::new(346, 4));
        assert_eq!(monthly.scale(), 4);
        let i = annual_irr(Decimal::new(19149, 2), &siape_flows()).unwrap_or(f64::NAN);
        assert!((monthly_f - (i.ln_1p() / 12.0).exp_m1()).abs() < 1e-12);
        assert!((monthly_f - 0.034_6).abs() < 5e-5);
        // One flow a year out at exactly 1.0402^12: the monthly rate is 0.0402.
        let a = pow(Decimal::new(10402, 4), 12) * Decimal::from(1000);
        let (monthly, _) = monthly_fast(Decimal::from(1000), &[flow(365, num::round_dp(a, 2))])
            .expect("decided fast");
        assert_eq!(monthly, Decimal::new(402, 4));
    }

    /// A small deterministic generator for the flow sets below.
    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self, n: u64) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (self.0 >> 33) % n
        }
    }

    /// The fallback's monthly CET of a loan, after checking that the fast path, where it answers
    /// (the returned flag), answers the same at 4 decimals.
    fn fast_agrees(case: usize, disbursed: Decimal, flows: &[Flow]) -> (bool, Option<Decimal>) {
        let slow = fallback(disbursed, flows);
        let fast = monthly_fast(disbursed, flows);
        if let Some((m, _)) = fast {
            assert_eq!(Some(m), slow, "case {case}: {disbursed} {flows:?}");
            assert_eq!(m.scale(), 4);
        }
        (fast.is_some(), slow)
    }

    /// Whenever the fast path answers, it answers what the fallback would (over 3,000 loans of
    /// 1–120 monthly flows, rates from −5 % to 25 % a month), and it answers most of them.
    #[test]
    fn fast_path_agrees_with_the_fallback() {
        let mut rng = Lcg(7);
        let mut fast = 0;
        for case in 0..3_000 {
            let n = 1 + rng.next(120) as u32;
            let first = 1 + rng.next(90) as u32;
            let monthly = -0.05 + rng.next(30_000) as f64 * 1e-5;
            let pmt = Decimal::new(1_000 + rng.next(1_000_000) as i64, 2);
            let mut flows = vec![];
            let mut pv = 0.0;
            for k in 0..n {
                let days = first + 30 * k + rng.next(2) as u32;
                pv += to_f64(pmt) / (1.0 + monthly).powf(f64::from(days) / 30.0);
                flows.push(flow(days, pmt));
            }
            let disbursed = num::round_dp(Decimal::from_f64_retain(pv).unwrap_or(Decimal::ONE), 2);
            let (decided, slow) = fast_agrees(case, disbursed, &flows);
            fast += u32::from(decided);
            let solved = solve(disbursed, &flows).ok().map(|c| c.monthly);
            assert_eq!(solved, slow, "case {case}");
        }
        assert!(fast > 2_700, "fast path decided only {fast} of 3000");
    }

    /// One flow takes its root in closed form (`halley::one_flow_root`), and whenever it answers
    /// it answers what the fallback would: 6,000 bridge-like loans of 1 to 400 days, the amount
    /// paid from 0.95 to 3 times the disbursement (negative to steep rates), disbursements from a
    /// cent to 10¹⁰; and it answers most of them (those within its |x| < 3, about 4,900).
    #[test]
    fn one_flow_agrees_with_the_fallback() {
        let mut rng = Lcg(11);
        let mut fast = 0;
        for case in 0..6_000 {
            let days = 1 + rng.next(400) as u32;
            let disbursed = Decimal::new(1 + rng.next(1_000_000_000_000) as i64, 2);
            let ratio = 0.95 + rng.next(2_050_000) as f64 * 1e-6;
            let paid = Decimal::from_f64_retain(to_f64(disbursed) * ratio)
                .map(|d| num::round_dp(d, 2))
                .unwrap_or(Decimal::ONE);
            let flows = [flow(days, paid)];
            let (decided, slow) = fast_agrees(case, disbursed, &flows);
            fast += u32::from(decided);
            // A rate past the annual figure's range (ratio 3 in a day) is refused by `solve`.
            if let Ok(c) = solve(disbursed, &flows) {
                assert_eq!(Some(c.monthly), slow, "case {case}");
            }
        }
        assert!(fast > 4_500, "closed form decided only {fast} of 6000");
    }

    /// Near a 4-decimal midpoint, and at a zero CET, the fast path declines (the fallback decides).
    #[test]
    fn fast_path_declines_near_midpoints_and_zero() {
        for m in ["1.03465", "1.0000001"] {
            let g: Decimal = m.parse().unwrap_or_default();
            let a = pow(g, 12) * Decimal::from(1_000_000);
            let flows = [flow(365, num::round_dp(a, 2))];
            assert_eq!(monthly_fast(Decimal::from(1_000_000), &flows), None, "{m}");
            assert!(solve(Decimal::from(1_000_000), &flows).is_ok());
        }
        assert_eq!(monthly_fast(Decimal::ZERO, &siape_flows()), None);
        assert_eq!(monthly_fast(Decimal::ONE, &[]), None);
        assert_eq!(
            monthly_fast(Decimal::ONE, &[flow(30, Decimal::from(-1))]),
            None
        );
        assert_eq!(
            monthly_fast(Decimal::ONE, &[flow(0, Decimal::from(2))]),
            None
        );
        // A negative flow beside positive ones has a root, but the CET is refused, by both routes.
        let mixed = [flow(30, Decimal::from(100)), flow(60, Decimal::from(-1))];
        assert_eq!(monthly_fast(Decimal::from(90), &mixed), None);
        assert!(solve(Decimal::from(90), &mixed).is_err());
    }

    /// Flows in any order: the fast path restarts its running discount at a flow earlier than the
    /// one before, so reversed flows give the same rate, bit for bit, on both routes.
    #[test]
    fn flow_order_does_not_matter() {
        let flows: Vec<Flow> = (1..=24)
            .map(|k| {
                flow(
                    30 * k + 3 * (k % 4),
                    Decimal::new(10_000 + 37 * i64::from(k), 2),
                )
            })
            .collect();
        let mut reversed = flows.clone();
        reversed.reverse();
        let disbursed = Decimal::from(1_800);
        let fast = monthly_fast(disbursed, &flows).expect("fast path");
        let fast_rev = monthly_fast(disbursed, &reversed).expect("fast path, reversed");
        assert_eq!(fast.0, fast_rev.0);
        assert!(
            (fast.1 - fast_rev.1).abs() <= 1e-15,
            "{} vs {}",
            fast.1,
            fast_rev.1
        );
        let slow = annual_irr(disbursed, &flows).expect("irr");
        let slow_rev = annual_irr(disbursed, &reversed).expect("irr");
        assert!(
            (slow - slow_rev).abs() <= 1e-12 * slow.abs(),
            "{slow} vs {slow_rev}"
        );
    }

    /// `n` installments of 100, every 30 days from day 30, discounted at `monthly` per 30 days.
    fn annuity(monthly: f64, n: u32) -> (Decimal, Vec<Flow>) {
        let flows: Vec<Flow> = (1..=n).map(|k| flow(30 * k, Decimal::from(100))).collect();
        let pv: f64 = flows
            .iter()
            .map(|f| 100.0 / (1.0 + monthly).powf(f64::from(f.days) / 30.0))
            .sum();
        let disbursed = num::round_dp(Decimal::from_f64_retain(pv).unwrap_or_default(), 2);
        (disbursed, flows)
    }

    /// The fast path decides, with the fallback's CET, across its range (annual rates from
    /// e⁻³ − 1 to e³ − 1): negative rates, where Newton's first step from 0 would overshoot past
    /// x = −3 (Halley's does not), 1 to 600 installments, a rate near zero (where a stopping
    /// tolerance relative to |x| alone would never be met), a loan with a zero installment, and
    /// a large early flow beside a small late one, where Halley's denominator 2v'² − v·v'' is
    /// negative at x = 0 and the first step must be Newton's.
    #[test]
    fn fast_path_decides_across_its_range() {
        let mut loans = vec![];
        for (monthly, n) in [
            (-0.2, 1),
            (-0.17, 12),
            (-0.05, 600),
            (-0.01, 600),
            (0.00013, 12),
            (0.00013, 600),
            (0.1, 12),
            (0.25, 12),
        ] {
            loans.push(annuity(monthly, n));
        }
        let mut with_zero = siape_flows().to_vec();
        with_zero.push(flow(84, Decimal::ZERO));
        loans.push((Decimal::new(19149, 2), with_zero));
        for disbursed in ["994.54", "993.17"] {
            loans.push((
                disbursed.parse().unwrap_or_default(),
                vec![flow(1, Decimal::from(1000)), flow(3650, Decimal::ONE)],
            ));
        }
        for (disbursed, flows) in &loans {
            let fast = monthly_fast(*disbursed, flows).map(|(m, _)| m);
            assert!(fast.is_some(), "{disbursed} {flows:?}");
            assert_eq!(fast, fallback(*disbursed, flows), "{disbursed} {flows:?}");
        }
        let (monthly, _) = monthly_fast(Decimal::new(19149, 2), &loans[8].1).unwrap_or_default();
        assert_eq!(monthly, Decimal::new(346, 4));
        // The large early flow: Halley's denominator at x = 0 is negative.
        let (t1, t2) = (1.0 / 365.0, 10.0);
        let (v, dv, d2v) = (
            1001.0 - 994.54,
            -(t1 * 1000.0 + t2),
            t1 * t1 * 1000.0 + t2 * t2,
        );
        assert!(2.0 * dv * dv - v * d2v < 0.0);
    }

    /// Beyond its range (|ln(1+i)| ≥ 3: 35 % and −25 % a month) the fast path declines, and the
    /// fallback gives the CET.
    #[test]
    fn fast_path_declines_beyond_its_range() {
        for (monthly, want) in [
            (Decimal::new(135, 2), "0.3500"),
            (Decimal::new(75, 2), "-0.2500"),
        ] {
            let a = pow(monthly, 12) * Decimal::from(1000);
            let flows = [flow(365, num::round_dp(a, 2))];
            assert_eq!(monthly_fast(Decimal::from(1000), &flows), None, "{want}");
            let cet = solve(Decimal::from(1000), &flows).map(|c| c.monthly.to_string());
            assert_eq!(cet.ok().as_deref(), Some(want));
        }
    }

    /// Halley's denominator 2v'² − v·v'' is exactly 0.0 at x = 0 for this loan (the disbursed
    /// amount was searched for it): the first step is then Newton's, not a division by zero,
    /// and the fast path still decides (0.1908, as the fallback).
    #[test]
    fn fast_path_steps_by_newton_where_halley_divides_by_zero() {
        let disbursed: Decimal = "841.7702583933908".parse().unwrap_or_default();
        let flows = [flow(30, Decimal::from(1000)), flow(3650, Decimal::ONE)];
        let (t1, t2) = (30.0 / 365.0, 3650.0 / 365.0);
        let v = -to_f64(disbursed) + 1000.0 + 1.0;
        let dv = 0.0 - t1 * 1000.0 - t2 * 1.0;
        let d2v = 0.0 + t1 * t1 * 1000.0 + t2 * t2 * 1.0;
        assert_eq!(2.0 * dv * dv - v * d2v, 0.0);
        let fast = monthly_fast(disbursed, &flows).map(|(m, _)| m);
        assert_eq!(fast, Some(Decimal::new(1908, 4)));
        assert_eq!(fast, fallback(disbursed, &flows));
    }

    /// 100 times the fast path's documented error bound on the monthly rate, in units of its 4th
    /// decimal, at the fallback's root (and at least the 1e-9 floor, 1e-5 units): the bound on x
    /// is `(2n + 8)·ε·Σ|terms| / |NPV'(x)| + 4e-15`, on the monthly rate `(1 + |m|)/12` of it.
    fn fast_margin(disbursed: Decimal, flows: &[Flow]) -> f64 {
        let x = annual_irr(disbursed, flows).map_or(f64::NAN, f64::ln_1p);
        let (mut magnitude, mut slope) = (to_f64(disbursed), 0.0);
        for f in flows {
            let t = f64::from(f.days) / 365.0;
            let term = to_f64(f.amount) * (-x * t).exp();
            magnitude += term;
            slope += t * term;
        }
        let n = flows.len() as f64;
        let error_x = (2.0 * n + 8.0) * f64::EPSILON * magnitude / slope + 4e-15;
        let error_m = error_x * (1.0 + (x / 12.0).exp_m1().abs()) / 12.0 + 1e-16;
        (100.0 * error_m * 1e4).max(1e-5)
    }

    /// A badly conditioned loan at `monthly` (365/12-day months): of 10⁹ disbursed, all but
    /// about 7,000 comes back on day 0, and 19 monthly installments of 1,500 carry the rate.
    /// The NPV's terms are then about 3·10⁵ times its slope, and the fast path's error bound is
    /// about 6.5e-4 of the 4th decimal, 65 times its 1e-9 floor.
    fn nearly_repaid_at_once(monthly: f64) -> (Decimal, Vec<Flow>) {
        let x = 12.0 * monthly.ln_1p();
        let mut flows: Vec<Flow> = (1..=19)
            .map(|k| flow(30 * k, Decimal::from(1500)))
            .collect();
        let rest: f64 = flows
            .iter()
            .map(|f| 1500.0 * (-x * f64::from(f.days) / 365.0).exp())
            .sum();
        let day0 = Decimal::from_f64_retain(1e9 - rest).unwrap_or_default();
        flows.insert(0, flow(0, num::round_dp(day0, 6)));
        (Decimal::from(1_000_000_000), flows)
    }

    /// Where its error bound is large (a loan that nearly cancels), the fast path declines at 0.8
    /// times its margin from a 4-decimal midpoint or value (a third of the n-term, the monthly
    /// conversion or the magnitude term less, and it would decide), and decides, as the
    /// fallback, at 2.5 times it (twice the n-term, or 12 times the conversion, and it would
    /// decline).
    #[test]
    fn fast_path_keeps_its_error_bound_where_it_is_large() {
        for (near, units) in [("midpoint", 2000.5), ("value", 2000.0)] {
            for (times, decides) in [(0.8, false), (2.5, true)] {
                let sign = if near == "midpoint" { -1.0 } else { 1.0 };
                let mut at = units;
                for _ in 0..3 {
                    let (disbursed, flows) = nearly_repaid_at_once(at * 1e-4);
                    at = units + sign * times * fast_margin(disbursed, &flows);
                }
                let (disbursed, flows) = nearly_repaid_at_once(at * 1e-4);
                let margin = fast_margin(disbursed, &flows);
                assert!(margin > 4e-4 && margin < 1e-3, "{margin}");
                let fast = monthly_fast(disbursed, &flows).map(|(m, _)| m);
                let slow = fallback(disbursed, &flows);
                assert_eq!(slow, Some(Decimal::new(2000, 4)), "{near} {times}");
                assert_eq!(
                    fast,
                    decides.then_some(Decimal::new(2000, 4)),
                    "{near} {times}"
                );
            }
        }
    }

    /// Regression: 300 years out, the first Halley step went where v'² overflows; the next step
    /// then read as 0, and the fast path stopped there: a CET of −0.0908 instead of −0.0085
    /// (x = ln(1+i) ≈ −0.1021, where 500·e^(−300x) ≈ 10¹⁶).
    #[test]
    fn fast_path_declines_where_its_terms_overflow() {
        let flows = [
            flow(1, Decimal::from(10_000_000_000_i64)),
            flow(109_500, Decimal::from(500)),
        ];
        let disbursed = Decimal::from(10_000_000_000_000_000_i64);
        assert_eq!(monthly_fast(disbursed, &flows), None);
        let x = annual_irr(disbursed, &flows).map_or(f64::NAN, f64::ln_1p);
        assert!((x - (500.0f64 / 1e16).ln() / 300.0).abs() < 1e-6, "{x}");
        let cet = solve(disbursed, &flows).map(|c| c.monthly);
        assert_eq!(cet.ok(), Some(Decimal::new(-85, 4)));
    }

    /// Regressions, one flow centuries out at a negative rate (x = ln(1+i) = ln(a/p)/t): 700
    /// years out, Newton's steps from the bracket's left half were under 0.002 long, and 200 of
    /// them stopped at x = −0.216 instead of −0.00987 (now every Newton step must halve the one
    /// before the last, or the iteration bisects); a zero flow 822 years out made the NPV NaN
    /// (0 · ∞) at the first bracket, and the iteration stopped at −1 instead of −0.230; 22,600
    /// years out, the slope overflowed at a bisection point (x = −1/32), where v / ∞ read as a
    /// converged Newton step, instead of −0.00204.
    #[test]
    fn annual_irr_finds_roots_centuries_out() {
        for (disbursed, flows, iterations) in [
            (Decimal::from(1000), vec![flow(255_500, Decimal::ONE)], 25),
            (
                Decimal::from(1000),
                vec![flow(3650, Decimal::from(100)), flow(300_000, Decimal::ZERO)],
                15,
            ),
            (
                pow(Decimal::TEN, 20),
                vec![flow(8_249_000, Decimal::ONE)],
                30,
            ),
        ] {
            let (i, n) = annual_irr_counted(disbursed, &flows).unwrap_or((f64::NAN, 0));
            let t = f64::from(flows[0].days) / 365.0;
            let want = (to_f64(flows[0].amount) / to_f64(disbursed)).ln() / t;
            let x = i.ln_1p();
            assert!(((x - want) / want).abs() < 1e-12, "{x} vs {want}");
            assert!(n <= iterations, "{n} iterations");
        }
    }

    /// Monthly-first at 6 decimals goes through the IRR, and its annual CET is still
    /// `(1 + monthly)^12 − 1` on the rounded monthly rate, exactly.
    #[test]
    fn monthly_first_annual_is_the_compounded_monthly_at_any_decimals() {
        let c = Conventions {
            cet_decimals: 6,
            ..Conventions::default()
        };
        let cet = solve_with(Decimal::new(19149, 2), &siape_flows(), &c).expect("cet");
        assert_eq!(cet.monthly.scale(), 6);
        assert_eq!(
            cet.annual,
            pow(Decimal::ONE + cet.monthly, 12) - Decimal::ONE
        );
    }

    /// The bracket grows both ways for extreme flows: +10⁶ a year (x = ln(1+i) ≈ 13.8) and
    /// −99.9999 % a year (x ≈ −13.8), over one and two years; beyond a float it is an error.
    #[test]
    fn annual_irr_brackets_extreme_rates() {
        let hundred = Decimal::from(100);
        for (days, amount, want) in [
            (365, "100000100", 1e6),
            (365, "0.0001", -0.999_999),
            (730, "400", 1.0),
            (730, "25", -0.5),
            (365, "200", 1.0),
            (365, "50", -0.5),
        ] {
            let a: Decimal = amount.parse().unwrap_or_default();
            let i = annual_irr(hundred, &[flow(days, a)]).unwrap_or(f64::NAN);
            assert!(
                ((i - want) / want).abs() < 1e-9,
                "{amount} at {days} days: {i}, want {want}"
            );
            assert!(relative_npv(100.0, &[flow(days, a)], i).abs() < 1e-9);
        }
        // Several flows, one a day after the disbursement, at a huge rate.
        let flows = [
            flow(30, Decimal::from(1_000)),
            flow(60, Decimal::from(1_000)),
        ];
        let i = annual_irr(Decimal::ONE, &flows).unwrap_or(f64::NAN);
        assert!(i > 1e30 && i.is_finite(), "{i}");
        assert!(relative_npv(1.0, &flows, i).abs() < 1e-9);
        // Beyond any float: e^x overflows.
        let flows = [flow(1, pow(Decimal::TEN, 27))];
        assert!(matches!(
            annual_irr(Decimal::new(1, 2), &flows),
            Err(Error::CetNoRoot { .. })
        ));
        // No flow after the disbursement.
        assert!(annual_irr(Decimal::from(100), &[flow(0, Decimal::from(1))]).is_err());
        // A day-0 flow that repays the whole amount: the NPV never turns negative, however high
        // the rate; the bracket's growth stops after 60 doublings with an error.
        let flows = [flow(0, Decimal::from(100)), flow(30, Decimal::ONE)];
        assert!(matches!(
            annual_irr(Decimal::from(100), &flows),
            Err(Error::CetNoRoot { reason }) if reason.contains("above any bracket")
        ));
        assert!(solve(Decimal::from(100), &flows).is_err());
    }

    #[test]
    fn no_root_is_a_typed_error() {
        let flows = [Flow {
            days: 30,
            amount: Decimal::from(100),
        }];
        assert!(matches!(
            annual_irr(Decimal::ZERO, &flows),
            Err(Error::CetNoRoot { .. })
        ));
        assert!(matches!(
            annual_irr(Decimal::from(-5), &flows),
            Err(Error::CetNoRoot { .. })
        ));
        assert!(matches!(
            annual_irr(Decimal::from(100), &[]),
            Err(Error::CetNoRoot { .. })
        ));
    }
}
