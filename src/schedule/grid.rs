//! The growth grid: each period's growth factor and the running discounts, computed once per loan
//! and reused by every pricing of it.

use rust_decimal::Decimal;

use super::{Amortization, Period};
use crate::conventions::{Conventions, InterestDecimals, LastInstallment};
use crate::error::Result;
use crate::iof::{IofConventions, IofRule};
use crate::kept::{Kept, kept_or};
use crate::loan::field;
use crate::num;
use crate::rate::InterestRate;

/// The growth factor of each day count a loan uses, with its inverse and its rate part, computed
/// once per day count and shared by every grid of the loan (a monthly schedule has at most four
/// distinct calendar lengths plus the first period's; the disbursement options of one simulation
/// share all but that first one).
#[derive(Debug, Clone)]
pub(crate) struct GrowthMemo {
    /// `(days, g − 1, 1/g)`.
    entries: Vec<(u32, Decimal, Decimal)>,
    /// For a day count below [`SHORT_DAYS`], 1 + the index of its entry (0: none yet): one read,
    /// where a search would branch on the calendar (28, 31, 30, 31, … days in turn).
    short: [u8; SHORT_DAYS],
}

/// The day counts [`GrowthMemo`] finds by index: every month and the usual first periods.
const SHORT_DAYS: usize = 64;

impl Default for GrowthMemo {
    fn default() -> Self {
        GrowthMemo {
            // A monthly loan's four month lengths and a first period or two: one allocation.
            entries: Vec::with_capacity(8),
            short: [0; SHORT_DAYS],
        }
    }
}

impl GrowthMemo {
    /// `(g − 1, 1/g)` for `days` base days at `rate` (the memo belongs to that one rate):
    /// `g = day_factor^days` by [`InterestRate::growth`].
    #[inline(always)]
    fn get(&mut self, rate: &InterestRate, days: u32) -> Result<(Decimal, Decimal)> {
        let found = match self.short.get(days as usize) {
            Some(&0) => None,
            Some(&i) => self.entries.get(usize::from(i) - 1),
            None => self.entries.iter().find(|e| e.0 == days),
        };
        match found {
            Some(&(_, r, inv)) => Ok((r, inv)),
            None => self.add(rate, days),
        }
    }

    /// [`GrowthMemo::get`] of a day count not seen yet: derived (or read from the thread's
    /// memo) and kept.
    #[inline(never)]
    fn add(&mut self, rate: &InterestRate, days: u32) -> Result<(Decimal, Decimal)> {
        let (r, inv) = kept_growth(rate, days)?;
        if let (Some(slot), Ok(i)) = (
            self.short.get_mut(days as usize),
            u8::try_from(self.entries.len() + 1),
        ) {
            *slot = i;
        }
        self.entries.push((days, r, inv));
        Ok((r, inv))
    }
}

/// How many `(day factor, days)` growth entries each thread keeps ([`kept_growth`]): the month
/// lengths (28 to 31 days, or their business days) and first periods of a campaign's rate card,
/// with room to spare. An entry is 52 bytes, so a full memo holds about 0.45 MB per thread with
/// the map's slack.
const GROWTH_KEPT: usize = 4096;

/// `(g − 1, 1/g)` for `g = day_factor^days` by [`InterestRate::growth`], kept per thread across
/// loans, keyed by the day factor's bits (scale included) and the day count: the factors depend
/// on nothing else, so a loan at a rate priced before on this thread reads them instead of
/// raising and dividing again. The map starts again empty when full, so its memory is bounded
/// whatever the input; a failure is not kept.
fn kept_growth(rate: &InterestRate, days: u32) -> Result<(Decimal, Decimal)> {
    /// The day factor's bits and the day count, to `(g − 1, 1/g)`.
    type Growths = Kept<([u8; 16], u32), (Decimal, Decimal)>;
    thread_local! {
        static KEPT: std::cell::RefCell<Growths> =
            std::cell::RefCell::new(Kept::new(GROWTH_KEPT));
    }
    kept_or(&KEPT, (rate.day_factor().serialize(), days), || {
        let g = rate.growth(days)?;
        if g.is_zero() {
            return Err(rate.term_error());
        }
        let inv = num::div(Decimal::ONE, g, "").map_err(|_| rate.term_error())?;
        let r = num::sub(g, Decimal::ONE, "").map_err(|_| rate.term_error())?;
        Ok((r, inv))
    })
}

/// The running discounts `d_k = d_{k−1} × inv_k` (`d_0 = 1`) and `Σ d_k`, by the `Decimal`
/// operations (rust_decimal's, bit for bit): the chain documented on [`Grid`], taken when
/// [`super::fixed::discounts`] leaves its fixed scale.
pub(super) fn discounts(invs: &[Decimal]) -> Result<(Vec<Decimal>, Decimal)> {
    let mut discounts = Vec::with_capacity(invs.len());
    let mut d = Decimal::ONE;
    let mut discount_sum = Decimal::ZERO;
    for &inv in invs {
        d = num::mul(d, inv, "")?;
        discount_sum = num::add(discount_sum, d, "")?;
        discounts.push(d);
    }
    Ok((discounts, discount_sum))
}

/// The periods of a loan with their growth factors: everything the pricing needs that does not depend
/// on the amount, computed once and reused (the gross-up prices the same grid many times).
///
/// `g_k` is the growth over period k alone (memoised per day count: a monthly schedule has at most
/// four distinct calendar lengths), `1/G_k` the running discount from the disbursement to due date k:
/// `1/G_k = 1/G_{k−1} × 1/g_k`, and `Σ 1/G_k` is summed in due-date order.
///
/// An engine internal, public for the crate's tests and benches only.
#[doc(hidden)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grid {
    pub(super) periods: Vec<Period>,
    /// `g_k − 1`, the interest rate of period k.
    pub(super) interest: Vec<Decimal>,
    /// `1/G_k`, the running discount to due date k.
    pub(super) discounts: Vec<Decimal>,
    pub(super) discount_sum: Decimal,
    /// The system the schedule is priced by.
    pub(super) system: Amortization,
    /// The IOF rates of the loan.
    pub(super) iof: IofRule,
    /// How the IOF is rounded.
    pub(super) iof_rounding: IofConventions,
    /// Interest decimals (`None`: each system's own rule).
    pub(super) interest_decimals: Option<InterestDecimals>,
    /// The last installment of an amount-driven schedule.
    pub(super) last: LastInstallment,
}

impl Grid {
    /// Growth factors of `periods` at `rate`.
    ///
    /// # Errors
    /// [`Error::Overflow`] when a factor leaves `Decimal`'s range (absurd rate × term).
    pub fn new(rate: &InterestRate, periods: Vec<Period>) -> Result<Self> {
        Self::with_memo(rate, periods, &mut GrowthMemo::default())
    }

    /// [`Grid::new`], taking the growth factors from (and adding them to) `memo`, which must hold
    /// factors of this same `rate` only.
    pub(crate) fn with_memo(
        rate: &InterestRate,
        periods: Vec<Period>,
        memo: &mut GrowthMemo,
    ) -> Result<Self> {
        let business = rate.base().counts_business_days();
        let days = |p: &Period| {
            if business {
                p.workdays
            } else {
                p.calendar_days
            }
        };
        let mut interest = Vec::with_capacity(periods.len());
        // The inverses, turned into the discounts in place by the fixed-scale chain.
        let mut chain = Vec::with_capacity(periods.len());
        for p in &periods {
            let (r, inv) = memo.get(rate, days(p))?;
            interest.push(r);
            chain.push(inv);
        }
        let (discounts, discount_sum) = match super::fixed::discounts(&mut chain) {
            Some(sum) => (chain, sum),
            None => {
                // The kernel left a prefix of discounts: the inverses again, from the memo.
                for (slot, p) in chain.iter_mut().zip(&periods) {
                    *slot = memo.get(rate, days(p))?.1;
                }
                discounts(&chain).map_err(|_| rate.term_error())?
            }
        };
        Ok(Grid {
            periods,
            interest,
            discounts,
            discount_sum,
            system: Amortization::PriceDays,
            iof: IofRule::NATURAL_FIXED,
            iof_rounding: IofConventions::default(),
            interest_decimals: None,
            last: LastInstallment::ClosesBalance,
        })
    }

    /// The grid of `system`: [`Grid::new`]'s growth over the actual days for `pre_price_days` and
    /// `pre_sac`; for `pre_price` the per-period growth `g_k = 1 + m` whatever the days, so
    /// `G_k = (1+m)^k`, with `m` = [`InterestRate::period_rate`] (QI's 2020 `pre_price` example:
    /// PMT = round2(5000 / ((1+m)^−1 + (1+m)^−2)) = 2900.95,
    /// `fixtures/qi-examples/anaue-preprice-5000-2020.response.json`).
    ///
    /// # Errors
    /// As [`Grid::new`].
    pub fn for_system(
        rate: &InterestRate,
        periods: Vec<Period>,
        system: Amortization,
    ) -> Result<Self> {
        Self::for_system_memo(rate, periods, system, &mut GrowthMemo::default())
    }

    pub(crate) fn for_system_memo(
        rate: &InterestRate,
        periods: Vec<Period>,
        system: Amortization,
        memo: &mut GrowthMemo,
    ) -> Result<Self> {
        const FIELD: &str = field::INTEREST_RATE;
        if system != Amortization::Price {
            let mut g = Self::with_memo(rate, periods, memo)?;
            g.system = system;
            return Ok(g);
        }
        let m = rate.period_rate()?;
        let inv = num::div(Decimal::ONE, num::add(Decimal::ONE, m, FIELD)?, FIELD)?;
        let mut d = Decimal::ONE;
        let mut discount_sum = Decimal::ZERO;
        let mut discounts = Vec::with_capacity(periods.len());
        for _ in &periods {
            d = num::mul(d, inv, FIELD)?;
            discount_sum = num::add(discount_sum, d, FIELD)?;
            discounts.push(d);
        }
        Ok(Grid {
            interest: vec![m; periods.len()],
            periods,
            discounts,
            discount_sum,
            system,
            iof: IofRule::NATURAL_FIXED,
            iof_rounding: IofConventions::default(),
            interest_decimals: None,
            last: LastInstallment::ClosesBalance,
        })
    }

    /// The grid priced with the IOF rates of `rule` (default: natural person, fixed).
    pub fn with_iof(mut self, rule: IofRule) -> Self {
        self.iof = rule;
        self
    }

    /// The grid priced under the schedule switches of `c`: `interest_decimals`,
    /// `last_installment` and the IOF rounding (`iof_parts`, `installment_tax_decimals`,
    /// `iof_rounding`). The growth switches are the rate's ([`InterestRate::with_conventions`]).
    pub fn with_conventions(mut self, c: &Conventions) -> Self {
        self.iof_rounding = IofConventions::of(c);
        self.interest_decimals = c.interest_decimals;
        self.last = c.last_installment;
        self
    }

    /// How the IOF is rounded.
    pub fn iof_rounding(&self) -> &IofConventions {
        &self.iof_rounding
    }

    /// The amortization system.
    pub fn system(&self) -> Amortization {
        self.system
    }

    /// The IOF rule.
    pub fn iof(&self) -> &IofRule {
        &self.iof
    }

    /// `g_k − 1`, the interest rate of each period.
    pub fn period_interest(&self) -> &[Decimal] {
        &self.interest
    }

    /// The periods.
    pub fn periods(&self) -> &[Period] {
        &self.periods
    }

    /// `Σ 1/G_k`: the present value of an installment of 1 paid at every due date.
    pub fn discount_sum(&self) -> Decimal {
        self.discount_sum
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rate::{AnnualRate, InterestBase, MonthlyRate, RateInput};

    /// The factors a thread keeps are the factors derived again, bit for bit (scale included),
    /// whether read on the first call (derived and kept), on the second (read), or after the
    /// memo started again empty: every monthly rate of two decimals from 0.01 % to 30 %, annual
    /// inputs, both day bases, day counts 0 to 400.
    #[test]
    fn kept_growth_is_the_growth_derived_again() {
        let fresh = |rate: &InterestRate, days: u32| {
            let g = rate.growth(days).expect("in range");
            (
                num::sub(g, Decimal::ONE, "").expect("in range"),
                num::div(Decimal::ONE, g, "").expect("in range"),
            )
        };
        let bits = |(r, inv): (Decimal, Decimal)| (r.serialize(), inv.serialize());
        let mut rates = Vec::new();
        for cents in (1..=3000).step_by(7) {
            let m = RateInput::Monthly(MonthlyRate::new(Decimal::new(cents, 4)).expect("in range"));
            rates.push(InterestRate::new(m, InterestBase::CalendarDays).expect("in range"));
            rates.push(InterestRate::new(m, InterestBase::Workdays).expect("in range"));
            let a =
                RateInput::Annual(AnnualRate::new(Decimal::new(cents * 12, 4)).expect("in range"));
            rates.push(InterestRate::new(a, InterestBase::CalendarDays).expect("in range"));
        }
        for round in 0..2 {
            for rate in &rates {
                for days in [0, 1, 19, 28, 29, 30, 31, 45, 60, 365, 400] {
                    let want = bits(fresh(rate, days));
                    assert_eq!(
                        bits(kept_growth(rate, days).expect("in range")),
                        want,
                        "{round} {days}"
                    );
                    assert_eq!(
                        bits(kept_growth(rate, days).expect("in range")),
                        want,
                        "{round} {days}"
                    );
                }
            }
        }
        // More keys than the memo holds: it started again along the way, and still answers alike.
        assert!(rates.len() * 11 > GROWTH_KEPT);
    }

    /// The memo's index of short day counts finds what a search finds: day counts below and past
    /// 64, asked in a calendar's order and again, with more than 255 entries (past what the
    /// index can point to, where the memo searches instead).
    #[test]
    fn the_memo_answers_every_day_count_alike() {
        let m = RateInput::Monthly(MonthlyRate::new(Decimal::new(199, 4)).expect("in range"));
        let rate = InterestRate::new(m, InterestBase::CalendarDays).expect("in range");
        let mut memo = GrowthMemo::default();
        let days: Vec<u32> = (0..2)
            .flat_map(|_| {
                [31, 28, 31, 30, 45, 0, 63, 64, 400]
                    .into_iter()
                    .chain(100..400)
                    .chain(0..64)
            })
            .collect();
        for d in days {
            let got = memo.get(&rate, d).expect("in range");
            let want = kept_growth(&rate, d).expect("in range");
            assert_eq!(
                (got.0.serialize(), got.1.serialize()),
                (want.0.serialize(), want.1.serialize()),
                "{d}"
            );
        }
        assert!(memo.entries.len() > 255);
    }
}
