//! Disbursed-amount mode: the issue amount whose net, after the financed IOF and the contract
//! fees, is the disbursed amount asked for (the gross-up search).

use rust_decimal::Decimal;

use crate::error::{Error, Result};
use crate::fees::Pricing;
use crate::iof::{Iof, IofRates};
use crate::loan::field;
use crate::num::{self, round_cents};
use crate::schedule::{self, Amortization, Grid, Schedule};

/// The most steps the gross-up may take in each phase; it needs a handful.
const GROSS_UP_MAX_STEPS: u32 = 200;

/// How far around the first cent whose net reaches the target the gross-up looks for a smaller exact
/// solution, where the net is not monotone (percentage fees, or several installments: fee and IOF
/// rounding can step together and dip the net by a cent).
const GROSS_UP_WINDOW_CENTS: i64 = 3;

/// Disbursed-amount mode: the issue amount `I`, in cents, whose net `I − contract fees(I) −
/// round2(IOF(I))` equals `disbursed` (the IOF is financed: part of the amount it is computed on, so
/// `I` is a fixed point on cents), as the crate's conventions (*Schedules*) state: the smallest cent that satisfies it
/// exactly; where none does (fee and IOF rounding can skip the target cent, about 1 % of loans), the
/// smallest cent whose net exceeds it, and the quote then reports the net actually disbursed.
///
/// The search: a start from the cost shares, `(disbursed + absolute fees) / (1 − percentage fees −
/// IOF share)` (the closed form: for fixed dates and rate each principal is linear in `I`, so the
/// IOF share is that of a loan of 1, see [`unit_iof_share`]; for systems other than
/// `pre_price_days` it is read off a trial price); steps up by the remaining gap until the net
/// reaches the target, down by the surplus until it does not, then bisection to the first cent
/// that reaches it. A one-installment loan without percentage fees has a net that never decreases
/// in `I` (one tax on one principal), so that cent is the answer; otherwise the cents within ±3 of
/// it are checked, in ascending order, for a smaller exact solution (the first exact one is the
/// answer, so the check stops there). Each cent is priced at most once, by the walk from an issue
/// amount that sums its IOF as it goes (as [`Iof::new`] sums it); its schedule is kept, and the
/// answer, one of the cents priced, is not walked again.
///
/// # Errors
/// [`Error::InvalidField`] for a disbursed amount below 0.01, or when the percentage fees and the IOF
/// take the whole loan; errors of [`schedule::from_issue`] for the chosen amount.
#[doc(hidden)]
pub fn gross_up(grid: &Grid, disbursed: Decimal, pricing: &Pricing) -> Result<(Schedule, Iof)> {
    gross_up_search(grid, disbursed, pricing, GROSS_UP_MAX_STEPS, None).map(|(priced, _)| priced)
}

/// How a gross-up went: the trial amounts it priced (the share trial included) and the steps of
/// its up and down phases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Search {
    walks: u32,
    up_steps: u32,
    down_steps: u32,
    /// The bisection's cent: the first that reaches the target above one that does not.
    first_reaching: Decimal,
}

/// [`gross_up`] with at most `max_steps` steps in each phase, from the first trial `start`
/// instead of the closed form's when given (tests only), and how the search went.
fn gross_up_search(
    grid: &Grid,
    disbursed: Decimal,
    pricing: &Pricing,
    max_steps: u32,
    start: Option<Decimal>,
) -> Result<((Schedule, Iof), Search)> {
    let cent = Decimal::new(1, 2);
    if num::cmp(disbursed, cent).is_lt() {
        return Err(Error::out_of_range(
            GROSS_UP_FIELD,
            disbursed,
            "must be at least 0.01",
        ));
    }
    let target = round_cents(disbursed);
    let single = grid.periods().len() == 1;
    let mut trials = Trials {
        grid,
        pricing,
        // A handful of trials (the allocation the first push would make).
        priced: Vec::with_capacity(4),
        walks: 0,
    };
    let (absolute, share) = pricing.contract_fee_parts()?;
    // `target + 0` is `target` as it is (rust_decimal's addition of a zero).
    let trial = if absolute.is_zero() {
        target
    } else {
        num::add(target, absolute, GROSS_UP_FIELD)?
    };
    // The IOF share of the issue: with one installment it is known, 0.0038 + 0.000082·min(days, 365)
    // (the principal is the issue up to the interest's cent), which makes the start the documented
    // `round2(disbursed / (1 − 0.0038 − 0.000082·days))`; with several, the closed form for
    // `pre_price_days`, else read off a trial price.
    let rates = grid.iof().rates_for(target);
    let iof_share = match grid.periods() {
        [p] => rates.additional + rates.daily_ceiling_fraction(p.days_from_disbursement),
        _ => match unit_iof_share(grid, rates) {
            Some(share) => share,
            None => num::div(trials.iof_total(trial)?, trial, GROSS_UP_FIELD)?,
        },
    };
    let denominator = Decimal::ONE - share - iof_share;
    if denominator.is_zero() || denominator.is_sign_negative() {
        return Err(Error::out_of_range(
            GROSS_UP_FIELD,
            disbursed,
            "the percentage fees and the IOF take the whole loan",
        ));
    }
    let steps_exceeded =
        || Error::out_of_range(GROSS_UP_FIELD, disbursed, "gross-up did not converge");
    // Up until the net reaches the target.
    let mut hi = match start {
        Some(start) => start,
        None => num::max(
            round_cents(num::div(trial, denominator, GROSS_UP_FIELD)?),
            cent,
        ),
    };
    let mut hi_net = trials.net(hi)?;
    let mut up_steps = 0;
    while num::cmp(hi_net, target).is_lt() {
        let step = num::max(
            round_cents(num::div(target - hi_net, denominator, GROSS_UP_FIELD)?),
            cent,
        );
        hi = num::add(hi, step, GROSS_UP_FIELD)?;
        hi_net = trials.net(hi)?;
        up_steps += 1;
        if up_steps > max_steps {
            return Err(steps_exceeded());
        }
    }
    // Down until it does not (or the smallest amount, a cent, still reaches it).
    let mut lo;
    let mut down_steps = 0;
    loop {
        let step = num::max(
            round_cents(num::div(hi_net - target, denominator, GROSS_UP_FIELD)?),
            cent,
        );
        lo = num::max(hi - step, cent);
        if num::cmp(lo, hi).is_eq() {
            break;
        }
        let lo_net = trials.net(lo)?;
        if num::cmp(lo_net, target).is_lt() {
            break;
        }
        hi = lo;
        hi_net = lo_net;
        down_steps += 1;
        if down_steps > max_steps {
            return Err(steps_exceeded());
        }
    }
    // Bisection on cents: net(lo) < target ≤ net(hi) (or lo = hi = 0.01). With `hi` a cent or
    // less above `lo` (the usual end of the down phase) the bisection would answer `hi` untried.
    if num::cmp(num::sub(hi, lo, GROSS_UP_FIELD)?, cent).is_gt() {
        hi = num::bisect_cents(lo, hi, |mid| Ok(num::cmp(trials.net(mid)?, target).is_ge()))?;
    }
    let first_reaching = hi;
    let mut issue = hi;
    if !(single && share.is_zero()) {
        let mut reaching = None;
        let mut exact = None;
        for k in -GROSS_UP_WINDOW_CENTS..=GROSS_UP_WINDOW_CENTS {
            let candidate = hi + Decimal::new(k, 2);
            if num::cmp(candidate, cent).is_lt() {
                continue;
            }
            let n = trials.net(candidate)?;
            if num::cmp(n, target).is_eq() {
                exact = Some(candidate);
                break;
            }
            if num::cmp(n, target).is_ge() && reaching.is_none() {
                reaching = Some(candidate);
            }
        }
        issue = exact.or(reaching).unwrap_or(hi);
    }
    let search = Search {
        walks: trials.walks,
        up_steps,
        down_steps,
        first_reaching,
    };
    Ok((trials.answer(issue)?, search))
}

/// The field the gross-up's errors name.
const GROSS_UP_FIELD: &str = field::DISBURSED_AMOUNT;

/// The trial prices of one gross-up: each cent is priced once, and its schedule and IOF are kept
/// for the answer (which is one of them, unless the search is cut short by a test's start).
struct Trials<'a> {
    grid: &'a Grid,
    pricing: &'a Pricing,
    /// The cents priced so far, with their schedules and IOF (a handful).
    priced: Vec<(Decimal, (Schedule, Iof))>,
    /// Trial prices computed (the share trial included).
    walks: u32,
}

impl Trials<'_> {
    /// The schedule and IOF of a trial amount ([`priced_from_issue`]), priced once.
    fn priced(&mut self, issue: Decimal) -> Result<&(Schedule, Iof)> {
        let at = match self
            .priced
            .iter()
            .position(|(at, _)| num::cmp(*at, issue).is_eq())
        {
            Some(at) => at,
            None => {
                self.walks += 1;
                let priced = priced_from_issue(self.grid, issue)?;
                self.priced.push((issue, priced));
                self.priced.len() - 1
            }
        };
        Ok(&self.priced[at].1)
    }

    /// `round2(Σ installment taxes + additional)` of a trial amount (its IOF's total).
    fn iof_total(&mut self, issue: Decimal) -> Result<Decimal> {
        Ok(self.priced(issue)?.1.total)
    }

    /// The net of a trial amount: `issue − contract fees − IOF`.
    fn net(&mut self, issue: Decimal) -> Result<Decimal> {
        let iof = self.iof_total(issue)?;
        let fees = self.pricing.contract_total(issue)?;
        // `issue − 0` is `issue` as it is (rust_decimal's subtraction of a zero).
        let after_fees = if fees.is_zero() {
            issue
        } else {
            num::sub(issue, fees, GROSS_UP_FIELD)?
        };
        num::sub(after_fees, iof, GROSS_UP_FIELD)
    }

    /// The schedule and IOF of the answer: a trial's at the same decimal (value and scale: the
    /// schedule's `issue_amount` is the amount priced), or priced now.
    fn answer(mut self, issue: Decimal) -> Result<(Schedule, Iof)> {
        let bits = issue.serialize();
        match self
            .priced
            .iter()
            .position(|(at, _)| at.serialize() == bits)
        {
            Some(at) => Ok(self.priced.swap_remove(at).1),
            None => priced_from_issue(self.grid, issue),
        }
    }
}

/// The IOF share of the issue amount of a `pre_price_days` loan on `grid`, `additional + Σ t_k ·
/// principal_k / I` with `t_k` the daily tax of installment k (`daily × min(days, 365)`): the
/// closed form of the gross-up's start, since for fixed dates and rate each principal is linear
/// in `I` (up to its cent roundings). Walked for a loan of 1 — level payment `1 / Σ 1/G_k`,
/// interest `balance × (g_k − 1)`, the last principal closing the balance — in `f64`: the result
/// only places the first trial of an exact cent search, which prices every trial in decimals, so
/// f64's error (relative 1e-15) moves that trial by far less than a cent and never the answer's
/// exactness. `None` for other systems, or when the walk leaves a sane range (absurd rates):
/// the caller then reads the share off a trial price.
fn unit_iof_share(grid: &Grid, rates: IofRates) -> Option<Decimal> {
    use rust_decimal::prelude::FromPrimitive;
    if grid.system() != Amortization::PriceDays {
        return None;
    }
    let periods = grid.periods();
    let pmt = 1.0 / num::to_f64(grid.discount_sum());
    let mut balance = 1.0_f64;
    let mut share = num::to_f64(rates.additional);
    // The rates repeat (one per day count): each is converted once.
    let mut floats: Vec<(Decimal, f64)> = Vec::new();
    let mut to_f64 = |r: Decimal| match floats.iter().find(|(d, _)| d.serialize() == r.serialize())
    {
        Some(&(_, f)) => f,
        None => {
            let f = num::to_f64(r);
            floats.push((r, f));
            f
        }
    };
    for (k, (p, &r)) in periods.iter().zip(grid.period_interest()).enumerate() {
        let principal = if k + 1 == periods.len() {
            balance
        } else {
            pmt - balance * to_f64(r)
        };
        if principal > 0.0 {
            share +=
                principal * num::to_f64(rates.daily_ceiling_fraction(p.days_from_disbursement));
        }
        balance -= principal;
    }
    if !(share.is_finite() && (0.0..1.0).contains(&share)) {
        return None;
    }
    Decimal::from_f64(share).map(|s| num::round_dp(s, 12))
}

/// The schedule of a loan of `issue_amount` ([`schedule::from_issue`]) with its IOF at the grid's
/// rates: [`priced`]'s, from the taxes the walk summed.
///
/// # Errors
/// As [`schedule::from_issue`] and [`priced`].
pub(crate) fn priced_from_issue(grid: &Grid, issue_amount: Decimal) -> Result<(Schedule, Iof)> {
    let (s, base) = schedule::from_issue_with_tax_sum(grid, issue_amount)?;
    let rates = grid.iof().rates_for(issue_amount);
    let iof = grid.iof_rounding().iof_of_base(base, issue_amount, rates)?;
    Ok((s, iof))
}

/// A schedule with its IOF at the grid's rates for its issue amount.
pub(crate) fn priced(grid: &Grid, s: Schedule) -> Result<(Schedule, Iof)> {
    let rates = grid.iof().rates_for(s.issue_amount);
    let iof = grid
        .iof_rounding()
        .iof(s.installment_taxes(), s.issue_amount, rates)?;
    Ok((s, iof))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rate::{InterestBase, InterestRate, MonthlyRate, RateInput};
    use chrono::NaiveDate;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("date")
    }

    fn grid_of(n: u32, system: Amortization) -> Grid {
        let rate = InterestRate::new(
            RateInput::Monthly(MonthlyRate::new(Decimal::new(205, 4)).expect("rate")),
            InterestBase::CalendarDays,
        )
        .expect("rate");
        let periods = schedule::periods(date(2023, 3, 14), date(2023, 4, 7), n).expect("periods");
        Grid::for_system(&rate, periods, system).expect("grid")
    }

    fn grid(n: u32) -> Grid {
        grid_of(n, Amortization::PriceDays)
    }

    fn grid_at(monthly: Decimal, first_due: NaiveDate, n: u32, system: Amortization) -> Grid {
        let rate = InterestRate::new(
            RateInput::Monthly(MonthlyRate::new(monthly).expect("rate")),
            InterestBase::CalendarDays,
        )
        .expect("rate");
        let periods = schedule::periods(date(2023, 3, 14), first_due, n).expect("periods");
        Grid::for_system(&rate, periods, system).expect("grid")
    }

    fn fee(amount_type: crate::fees::AmountType, amount: Decimal) -> crate::fees::FeeRule {
        crate::fees::FeeRule::new("fees[0]", "tac", amount_type, amount, Decimal::ZERO)
            .expect("fee")
    }

    /// The net of an issue amount priced in full (schedule, IOF, fees), apart from the
    /// gross-up's trial memo.
    fn net_of(g: &Grid, pricing: &Pricing, issue: Decimal) -> Decimal {
        let (_, iof) = priced(g, schedule::from_issue(g, issue).expect("schedule")).expect("iof");
        issue - pricing.contract_total(issue).expect("fees") - iof.total
    }

    /// The loans of the scan: 1 to 24 installments, the three systems, 0.5 % to 9 % a month,
    /// a first due date within or beyond the IOF's 365 days, no fees, a percentage fee, and an
    /// absolute plus a percentage fee.
    fn scan_loans() -> Vec<(String, Grid, Pricing)> {
        use crate::fees::AmountType::{Absolute, Percentage};
        let pricings = [
            Pricing::default(),
            Pricing {
                contract_fees: vec![fee(Percentage, Decimal::new(235, 2))],
                ..Pricing::default()
            },
            Pricing {
                contract_fees: vec![
                    fee(Absolute, Decimal::new(1_050, 2)),
                    fee(Percentage, Decimal::new(7, 1)),
                ],
                ..Pricing::default()
            },
        ];
        let mut loans = Vec::new();
        for system in [
            Amortization::PriceDays,
            Amortization::Price,
            Amortization::Sac,
        ] {
            for (n, monthly, first_due) in [
                (1, Decimal::new(5, 3), date(2023, 4, 7)),
                (1, Decimal::new(9, 2), date(2024, 5, 2)),
                (2, Decimal::new(205, 4), date(2023, 4, 7)),
                (5, Decimal::new(35, 3), date(2023, 6, 1)),
                (12, Decimal::new(205, 4), date(2023, 4, 7)),
                (24, Decimal::new(9, 2), date(2023, 4, 14)),
            ] {
                for (k, pricing) in pricings.iter().enumerate() {
                    let name = format!("{} n={n} m={monthly} fees#{k}", system.as_str());
                    loans.push((
                        name,
                        grid_at(monthly, first_due, n, system),
                        pricing.clone(),
                    ));
                }
            }
        }
        loans
    }

    /// Targets from `floor` cents to ten million, spread over the magnitudes (a fixed LCG).
    fn scan_targets(count: usize, floor: u64) -> Vec<Decimal> {
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        (0..count)
            .map(|i| {
                x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                let magnitude = 10_u64.pow(1 + (i as u32 % 9));
                Decimal::new((floor + (x >> 11) % magnitude) as i64, 2)
            })
            .collect()
    }

    /// The gross-up's answer is the documented one (*Schedules* in the conventions): the
    /// smallest cent whose net is exactly the target, else the smallest whose net exceeds it,
    /// found here by pricing every cent within 40 of the answer in full; the schedule returned
    /// is that cent's. Also: the search prices few trials (at most 9, every loan here) and its
    /// up and down phases take few steps.
    #[test]
    fn the_gross_up_is_the_smallest_cent_a_scan_finds() {
        const WIDTH: i64 = 40;
        let mut most_walks = 0;
        let (mut inexact, mut up, mut down, mut below_first) = (0, 0, 0, 0);
        for (name, g, pricing) in scan_loans() {
            // A cent with one installment; with several, enough for each to be a cent or more.
            let n = g.periods().len() as u64;
            let floor = if n == 1 { 1 } else { 100 * n };
            for target in scan_targets(60, floor) {
                let ((s, iof), search) =
                    gross_up_search(&g, target, &pricing, GROSS_UP_MAX_STEPS, None)
                        .unwrap_or_else(|e| panic!("{name} {target}: {e}"));
                let answer = s.issue_amount;
                let cents: Vec<Decimal> = (-WIDTH..=WIDTH)
                    .map(|k| answer + Decimal::new(k, 2))
                    .filter(|c| *c >= Decimal::new(1, 2))
                    .collect();
                let nets: Vec<Decimal> = cents.iter().map(|c| net_of(&g, &pricing, *c)).collect();
                if cents[0] > Decimal::new(1, 2) {
                    assert!(nets[0] < target, "{name} {target}: scan too narrow");
                }
                let expected = cents
                    .iter()
                    .zip(&nets)
                    .find(|(_, n)| **n == target)
                    .or_else(|| cents.iter().zip(&nets).find(|(_, n)| **n > target))
                    .map(|(c, _)| *c);
                assert_eq!(Some(answer), expected, "{name} {target}: {search:?}");
                assert_eq!(
                    iof,
                    priced(&g, schedule::from_issue(&g, answer).expect("schedule"))
                        .expect("iof")
                        .1,
                    "{name} {target}"
                );
                if net_of(&g, &pricing, answer) != target {
                    inexact += 1;
                }
                if cents
                    .iter()
                    .zip(&nets)
                    .any(|(c, n)| *c > answer && *n < target)
                {
                    below_first += 1;
                }
                assert_reaches_first(&g, &pricing, target, search.first_reaching, &name);
                if g.periods().len() == 1 && pricing.contract_fee_parts().expect("fees").1.is_zero()
                {
                    // No trial for the share (it is known) and no window: the start, the
                    // steps, and one cent below the last.
                    assert!(
                        search.walks <= 2 + search.up_steps + search.down_steps,
                        "{name} {target}: {search:?}"
                    );
                }
                most_walks = most_walks.max(search.walks);
                up += search.up_steps;
                down += search.down_steps;
                assert!(search.walks <= 9, "{name} {target}: {search:?}");
                assert!(search.up_steps <= 2, "{name} {target}: {search:?}");
                assert!(search.down_steps <= 2, "{name} {target}: {search:?}");
            }
        }
        eprintln!(
            "inexact {inexact}, net dips below the target above the answer {below_first}, most walks {most_walks}, up steps {up}, down steps {down}"
        );
    }

    /// The bisection's cent reaches the target and the cent below it does not (or it is 0.01).
    fn assert_reaches_first(g: &Grid, pricing: &Pricing, target: Decimal, at: Decimal, name: &str) {
        assert!(net_of(g, pricing, at) >= target, "{name} {target}: {at}");
        let below = at - Decimal::new(1, 2);
        assert!(
            below.is_zero() || net_of(g, pricing, below) < target,
            "{name} {target}: {at} is not the first cent"
        );
    }

    /// The answer does not depend on where the search starts: from a first trial at 0.01 (the
    /// target, with several installments), half,
    /// 0.9, 0.99, 1.01, 1.1 or twice the answer, the up phase, the down phase and the bisection
    /// (over gaps of many cents) reach the same cent and price the same schedule.
    #[test]
    fn the_gross_up_answer_does_not_depend_on_the_start() {
        let mut bisected = 0;
        for (name, g, pricing) in scan_loans() {
            let n = g.periods().len() as u64;
            for target in scan_targets(12, if n == 1 { 1 } else { 100 * n }) {
                let (quote, _) = gross_up_search(&g, target, &pricing, GROSS_UP_MAX_STEPS, None)
                    .unwrap_or_else(|e| panic!("{name} {target}: {e}"));
                let answer = quote.0.issue_amount;
                for factor in ["0", "0.5", "0.9", "0.99", "1.01", "1.1", "2"] {
                    let factor: Decimal = factor.parse().expect("factor");
                    // At least the target: below it, several installments may not fit.
                    let floor = if n == 1 { Decimal::new(1, 2) } else { target };
                    let start = round_cents(answer * factor).max(floor);
                    let (moved, search) =
                        gross_up_search(&g, target, &pricing, GROSS_UP_MAX_STEPS, Some(start))
                            .unwrap_or_else(|e| panic!("{name} {target} from {start}: {e}"));
                    assert_eq!(moved, quote, "{name} {target} from {start}: {search:?}");
                    // Steps by the gap and bisection: a few dozen trials at most.
                    assert!(
                        search.walks <= 64,
                        "{name} {target} from {start}: {search:?}"
                    );
                    assert_reaches_first(&g, &pricing, target, search.first_reaching, &name);
                    bisected += u32::from((start - answer).abs() > Decimal::ONE);
                }
            }
        }
        assert!(bisected > 1_000, "{bisected}");
    }

    /// Each phase's step cap counts that phase's steps and allows exactly `max_steps` of them:
    /// a search that took one up step (one down step) converges with a cap of 1 and is refused
    /// with a cap of 0.
    #[test]
    fn the_gross_up_step_caps_count_each_phase() {
        let mut seen = (false, false);
        for (name, g, pricing) in scan_loans() {
            let n = g.periods().len() as u64;
            for target in scan_targets(60, 100 * n) {
                let Ok((quote, search)) = gross_up_search(&g, target, &pricing, 2, None) else {
                    continue;
                };
                for (one, seen) in [
                    (search.up_steps == 1 && search.down_steps <= 1, &mut seen.0),
                    (search.down_steps == 1 && search.up_steps <= 1, &mut seen.1),
                ] {
                    if !one || *seen {
                        continue;
                    }
                    *seen = true;
                    let capped =
                        gross_up_search(&g, target, &pricing, 1, None).expect("a cap of 1");
                    assert_eq!(capped.0, quote, "{name} {target}");
                    let refused = gross_up_search(&g, target, &pricing, 0, None);
                    assert!(
                        matches!(&refused, Err(e) if e.to_string().contains("did not converge")),
                        "{name} {target}: {refused:?}"
                    );
                }
            }
        }
        assert_eq!(seen, (true, true), "a one-step search of each phase");
    }

    /// The disbursed amount is at least a cent: 0.01 is grossed up, 0.009 is refused (it would
    /// round to a cent).
    #[test]
    fn the_gross_up_starts_at_a_cent() {
        let g = grid(1);
        let ((s, _), _) = gross_up_search(
            &g,
            Decimal::new(1, 2),
            &Pricing::default(),
            GROSS_UP_MAX_STEPS,
            None,
        )
        .expect("a cent");
        assert_eq!(s.issue_amount, Decimal::new(1, 2));
        let refused = gross_up(&g, Decimal::new(9, 3), &Pricing::default());
        assert!(
            matches!(&refused, Err(e) if e.kind() == crate::ErrorKind::OutOfRange),
            "{refused:?}"
        );
    }

    /// The closed form is the IOF share a priced loan has: within 10⁻⁸ of `IOF(I) / I` for a
    /// large `I` (where the cent roundings no longer matter), for short and long loans.
    #[test]
    fn the_closed_form_iof_share_is_the_priced_share() {
        for n in [2, 12, 96] {
            let g = grid(n);
            let rates = g.iof().rates_for(Decimal::from(10_000));
            let share = unit_iof_share(&g, rates).expect("pre_price_days");
            let issue = Decimal::from(100_000_000);
            let iof = schedule::from_issue_tax_sum(&g, issue).expect("taxes")
                + rates.additional(issue).expect("additional");
            let priced = iof / issue;
            assert!(
                (share - priced).abs() < Decimal::new(1, 8),
                "{n}: {share} vs {priced}"
            );
        }
    }

    /// The closed form is for `pre_price_days`; the other systems read the share off a trial.
    #[test]
    fn the_closed_form_is_only_for_price_days() {
        let g = grid_of(12, Amortization::Sac);
        assert_eq!(unit_iof_share(&g, g.iof().rates_for(Decimal::ONE)), None);
    }

    /// With the closed-form start and each cent priced once, job B (BRL 10,000 net, 12
    /// installments) prices 4 trial amounts (the first reaches the net; one cent below does not;
    /// two more cents of the ±3 window before the first exact one), not the 11 of a start read
    /// off a trial and a window priced in full.
    #[test]
    fn the_gross_up_prices_few_trials() {
        let g = grid(12);
        let ((s, iof), search) = gross_up_search(
            &g,
            Decimal::from(10_000),
            &Pricing::default(),
            GROSS_UP_MAX_STEPS,
            None,
        )
        .expect("gross-up");
        assert_eq!(s.issue_amount, Decimal::new(1_020_493, 2));
        assert_eq!(iof.total, Decimal::new(20_493, 2));
        assert_eq!(search.walks, 4, "{search:?}");
        // One installment: the documented start reaches the net and one cent below does not.
        let ((s, _), search) = gross_up_search(
            &grid(1),
            Decimal::from(10_000),
            &Pricing::default(),
            GROSS_UP_MAX_STEPS,
            None,
        )
        .expect("gross-up");
        assert_eq!(s.issue_amount, Decimal::new(1_005_801, 2)); // round2(10000 / (1 − 0.0038 − 0.000082·24))
        assert_eq!(search.walks, 2, "{search:?}");
    }
}
