//! The Brazilian national business-day calendar (ANBIMA), as QI Tech counts business days.
//!
//! # Holidays
//!
//! A business day is a Monday to Friday that is not a national holiday. The holidays are ANBIMA's
//! national list ("feriados nacionais"), the one the Brazilian financial market settles on:
//!
//! | holiday | date |
//! |---|---|
//! | Confraternização Universal (New Year) | Jan 1 |
//! | Carnival Monday and Tuesday | Easter − 48 and − 47 days |
//! | Good Friday (Sexta-feira Santa) | Easter − 2 days |
//! | Tiradentes | Apr 21 |
//! | Labour Day (Dia do Trabalho) | May 1 |
//! | Corpus Christi | Easter + 60 days |
//! | Independence (Independência) | Sep 7 |
//! | Nossa Senhora Aparecida | Oct 12 |
//! | All Souls (Finados) | Nov 2 |
//! | Republic (Proclamação da República) | Nov 15 |
//! | Black Consciousness (Zumbi e da Consciência Negra) | Nov 20, **from 2024 on only** (Law 14,759/2023) |
//! | Christmas (Natal) | Dec 25 |
//!
//! The rules come from the `bdays` crate's `BRSettlement` calendar (version 0.1.4). It was checked day
//! by day against ANBIMA's published list for 2001–2078 (and against the `bizdays` project's
//! extension of that list to 2099), stored in `fixtures/calendar/anbima_holidays.txt`: **the two
//! agree on every date of the supported range**, Black Consciousness from 2024 included, so this module
//! corrects nothing. The comparison runs as a test, so a future `bdays` that disagrees fails the build's
//! tests rather than silently moving a due date. `bdays` is used only for the holiday rule: its own
//! counting function `bdays()` rolls *both* ends to a business day before counting, which gives 18 for
//! (2023-03-14, 2023-04-07] instead of QI's 17, so it is not used.
//!
//! Two quirks of the reference file lie outside the supported range and do not matter: it lists Easter
//! Sunday 2000-04-23 (Good Friday 2000 fell on Tiradentes), and lists 2079-04-21 twice (Good Friday on
//! Tiradentes again).
//!
//! # Counting convention: (from, to]
//!
//! [`BrazilCalendar::workdays`] counts the business days in the **half-open interval (from, to]**: the
//! start date is excluded and the end date included. This is how QI Tech reports the `workdays` of an
//! installment: from the disbursement date 2023-03-14 to the due date 2023-04-07 (Good Friday) QI shows
//! 17, and the alternatives give 18 (`[from, to)`, or rolling the holiday due date to 04-10 first). The
//! rule makes counts additive, `workdays(a, c) == workdays(a, b) + workdays(b, c)` for any three dates in
//! any order (a reversed interval counts negative), so a schedule's per-installment counts add up to
//! the count over the whole term.
//!
//! # Range
//!
//! The calendar covers [`MIN_DATE`] (2001-01-01) to [`MAX_DATE`] (2099-12-31). Every date argument
//! outside that range, and every result that would fall outside it, gives
//! [`Error::DateOutOfRange`]; nothing here panics. The whole range is tabulated once, on first use of
//! [`BrazilCalendar::national`] (about 36,000 days, a few hundred kilobytes), with a prefix sum of
//! business days, the list of business days, every date of the range and the first day of each
//! month of each year, so every query — and each month step of a schedule — is O(1) table look-ups.

use std::fmt;
use std::sync::OnceLock;

use bdays::HolidayCalendar;
use bdays::calendars::brazil::BRSettlement;
use chrono::{Datelike, Months, NaiveDate, Weekday};

use crate::error::{Error, Result};

/// A constant date; only ever evaluated at compile time, where an invalid date fails the build.
const fn const_date(year: i32, month: u32, day: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(year, month, day) {
        Some(date) => date,
        None => panic!("invalid constant date"),
    }
}

/// The first date the calendar covers: 2001-01-01, the start of ANBIMA's published holiday list.
pub const MIN_DATE: NaiveDate = const_date(2001, 1, 1);

/// The last date the calendar covers: 2099-12-31.
pub const MAX_DATE: NaiveDate = const_date(2099, 12, 31);

/// [`MIN_DATE`] as chrono's day number from the common era (`num_days_from_ce`, 0001-01-01 = 1).
const MIN_DATE_FROM_CE: i32 = 730_486;

/// The day before [`MIN_DATE`], reported when a result would fall before the range.
const BEFORE_MIN: NaiveDate = const_date(2000, 12, 31);

/// The day after [`MAX_DATE`], reported when a result would fall after the range.
const AFTER_MAX: NaiveDate = const_date(2100, 1, 1);

/// The year of [`MIN_DATE`].
const MIN_YEAR: i32 = 2001;

/// The year of [`MAX_DATE`].
const MAX_YEAR: i32 = 2099;

/// `date` when it lies inside [`MIN_DATE`]`..=`[`MAX_DATE`], else [`Error::DateOutOfRange`] naming
/// `field`: every date of a request must be one the calendar can count business days on. The one
/// place the range is checked.
///
/// # Errors
/// [`Error::DateOutOfRange`] outside the range.
pub fn check_in_range(date: NaiveDate, field: &str) -> Result<NaiveDate> {
    if (MIN_DATE..=MAX_DATE).contains(&date) {
        Ok(date)
    } else {
        Err(out_of_range(field, date))
    }
}

/// The error for a date outside [`MIN_DATE`]`..=`[`MAX_DATE`].
fn out_of_range(field: impl Into<String>, value: NaiveDate) -> Error {
    Error::DateOutOfRange {
        field: field.into(),
        value,
        min: MIN_DATE,
        max: MAX_DATE,
    }
}

/// Whether `date` is an ANBIMA national holiday (on any weekday).
///
/// This is `bdays`' `BRSettlement` rule unchanged: it matches ANBIMA on every date of the range (see the
/// module documentation and the `reference_holidays_match_*` tests). A correction, should one ever be
/// needed, goes here.
fn is_national_holiday(date: NaiveDate) -> bool {
    BRSettlement.is_holiday(date)
}

/// Whether `date` falls on a Saturday or Sunday.
fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The Brazilian national (ANBIMA) business-day calendar over [`MIN_DATE`]`..=`[`MAX_DATE`].
///
/// Obtain it with [`BrazilCalendar::national`]: it is built once, on first use, from `bdays`'
/// `BRSettlement` rule (which matches ANBIMA, see the [module documentation](self)) and then shared
/// as a `&'static` reference. It tabulates a prefix sum of business days over the whole range, so every
/// query is O(1).
pub struct BrazilCalendar {
    /// `prefix[i]` is the number of business days in `MIN_DATE..=MIN_DATE + i days`.
    prefix: Vec<u32>,
    /// `business_days[k]` is the `(k + 1)`-th business day on or after [`MIN_DATE`].
    business_days: Vec<NaiveDate>,
    /// Every national holiday in the range (on any weekday), sorted and without repeats.
    holidays: Vec<NaiveDate>,
    /// Per year of the range, the day offset (from [`MIN_DATE`]) of the 1st of each month, and
    /// one past the last month's end: month `i` (0 = January 2001) spans
    /// `month_starts[i]..month_starts[i + 1]`. The month steps of a schedule are look-ups in it.
    month_starts: Vec<u32>,
    /// `dates[i]` is `MIN_DATE + i days`: a table step's date without date arithmetic.
    dates: Vec<NaiveDate>,
}

/// A date of the calendar with what a schedule needs of it, from the tables ([`BrazilCalendar::due_day`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DueDay {
    /// The date.
    pub(crate) date: NaiveDate,
    /// Days since [`MIN_DATE`].
    pub(crate) offset: u32,
    /// Business days from [`MIN_DATE`] through `date` (so the business days in (a, b] are
    /// `through(b) − through(a)`).
    pub(crate) through: u32,
    /// `date` if it is a business day, else the next business day.
    pub(crate) following: NaiveDate,
}

/// The monthly due days of one first due date ([`BrazilCalendar::monthly`]): its month's index in
/// the calendar's month table and its day of month.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MonthlyDueDays<'a> {
    calendar: &'a BrazilCalendar,
    /// Months from January of [`MIN_YEAR`] to the first due date's month.
    start: usize,
    /// The first due date's day of month.
    day: u32,
}

impl MonthlyDueDays<'_> {
    /// [`BrazilCalendar::due_day`] of the first due date plus `months` months: the day of month
    /// kept, clamped to the month's end, as [`add_months`]. `None` outside the calendar.
    #[inline]
    pub(crate) fn due_day(&self, months: u32) -> Option<DueDay> {
        let cal = self.calendar;
        let index = self.start.checked_add(months as usize)?;
        let (&from, &to) = (
            cal.month_starts.get(index)?,
            cal.month_starts.get(index + 1)?,
        );
        let day = self.day.min(to - from);
        let offset = from + day - 1;
        cal.day_at(*cal.dates.get(offset as usize)?, offset)
    }
}

impl fmt::Debug for BrazilCalendar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BrazilCalendar")
            .field("min", &MIN_DATE)
            .field("max", &MAX_DATE)
            .field("days", &self.prefix.len())
            .field("business_days", &self.business_days.len())
            .field("holidays", &self.holidays.len())
            .finish()
    }
}

impl BrazilCalendar {
    /// The national calendar, built on first call and shared afterwards.
    pub fn national() -> &'static BrazilCalendar {
        static NATIONAL: OnceLock<BrazilCalendar> = OnceLock::new();
        NATIONAL.get_or_init(BrazilCalendar::build)
    }

    /// Tabulates the whole range.
    fn build() -> BrazilCalendar {
        let span = MAX_DATE.signed_duration_since(MIN_DATE).num_days();
        let days = usize::try_from(span).map_or(0, |n| n + 1);
        let mut prefix = Vec::with_capacity(days);
        let mut business_days = Vec::with_capacity(days);
        let mut holidays = Vec::new();
        let mut dates = Vec::with_capacity(days);
        let mut count: u32 = 0;
        for date in MIN_DATE.iter_days().take_while(|d| *d <= MAX_DATE) {
            dates.push(date);
            let holiday = is_national_holiday(date);
            if holiday {
                holidays.push(date);
            }
            if !holiday && !is_weekend(date) {
                count += 1;
                business_days.push(date);
            }
            prefix.push(count);
        }
        let mut month_starts = Vec::with_capacity((MAX_YEAR - MIN_YEAR + 1) as usize * 12 + 1);
        for year in MIN_YEAR..=MAX_YEAR {
            for month in 1..=12 {
                let first = NaiveDate::from_ymd_opt(year, month, 1).unwrap_or(MIN_DATE);
                month_starts.push((first.num_days_from_ce() - MIN_DATE_FROM_CE).unsigned_abs());
            }
        }
        month_starts.push(u32::try_from(days).unwrap_or(u32::MAX));
        BrazilCalendar {
            prefix,
            business_days,
            holidays,
            month_starts,
            dates,
        }
    }

    /// For an in-range `date`: the number of business days in `MIN_DATE..=date`, and whether `date`
    /// itself is one. `field` names the argument in the error for an out-of-range date.
    pub(crate) fn count_through(&self, date: NaiveDate, field: &str) -> Result<(u32, bool)> {
        check_in_range(date, field)?;
        // Days since MIN_DATE (day numbers from the common era: cheaper than a signed duration).
        let offset = date.num_days_from_ce() - MIN_DATE_FROM_CE;
        let index = usize::try_from(offset).map_err(|_| out_of_range(field, date))?;
        let through = self
            .prefix
            .get(index)
            .copied()
            .ok_or_else(|| out_of_range(field, date))?;
        let before = match index.checked_sub(1) {
            Some(previous) => self.prefix.get(previous).copied().unwrap_or(0),
            None => 0,
        };
        Ok((through, through > before))
    }

    /// The business day with 0-based ordinal `ordinal` (0 is the first business day of the range);
    /// outside the table, the error names `field` and the side of the range that was left.
    /// `first` plus `months` months (the day of month kept, clamped to the month's end, as
    /// [`add_months`]), with its day offset, business-day count and following business day, all
    /// from the per-year tables: no date arithmetic per step. `None` when `first` or the result
    /// is outside the calendar, or the result's following business day is.
    #[cfg(test)]
    pub(crate) fn due_day(&self, first: NaiveDate, months: u32) -> Option<DueDay> {
        self.monthly(first)?.due_day(months)
    }

    /// The due days of `first` plus 0, 1, 2… months ([`MonthlyDueDays::due_day`]), with
    /// `first`'s month and day read once; `None` when `first` is outside the calendar.
    pub(crate) fn monthly(&self, first: NaiveDate) -> Option<MonthlyDueDays<'_>> {
        if !(MIN_DATE..=MAX_DATE).contains(&first) {
            return None;
        }
        let start = usize::try_from((first.year() - MIN_YEAR) * 12).ok()? + first.month0() as usize;
        Some(MonthlyDueDays {
            calendar: self,
            start,
            day: first.day(),
        })
    }

    /// [`DueDay`] of `date`, or `None` outside the calendar (or when its following business day
    /// is).
    pub(crate) fn day_info(&self, date: NaiveDate) -> Option<DueDay> {
        let offset = u32::try_from(date.num_days_from_ce() - MIN_DATE_FROM_CE).ok()?;
        self.day_at(date, offset)
    }

    /// [`DueDay`] of `date`, `offset` days after [`MIN_DATE`].
    fn day_at(&self, date: NaiveDate, offset: u32) -> Option<DueDay> {
        let i = offset as usize;
        let through = *self.prefix.get(i)?;
        let before = match i.checked_sub(1) {
            Some(previous) => *self.prefix.get(previous)?,
            None => 0,
        };
        // `through` business days lie on or before `date`: on a day off, ordinal `through` is the
        // next. Both are read and one chosen, since whether a date is a business day is data.
        let business = through > before;
        let next = self.business_days.get(through as usize).copied();
        if !business && next.is_none() {
            return None;
        }
        let following = [next.unwrap_or(date), date][usize::from(business)];
        Some(DueDay {
            date,
            offset,
            through,
            following,
        })
    }

    pub(crate) fn nth_business_day(&self, ordinal: i64, field: &str) -> Result<NaiveDate> {
        if ordinal < 0 {
            return Err(out_of_range(field, BEFORE_MIN));
        }
        usize::try_from(ordinal)
            .ok()
            .and_then(|k| self.business_days.get(k).copied())
            .ok_or_else(|| out_of_range(field, AFTER_MAX))
    }

    /// Whether `date` is a business day: a Monday to Friday that is not a national holiday.
    ///
    /// # Errors
    ///
    /// [`Error::DateOutOfRange`] if `date` is outside [`MIN_DATE`]`..=`[`MAX_DATE`].
    pub fn is_business_day(&self, date: NaiveDate) -> Result<bool> {
        self.count_through(date, "calendar.date")
            .map(|(_, business)| business)
    }

    /// `date` itself if it is a business day, else the next business day: QI's `business_due_date`
    /// for a due date `date` (2023-04-07, Good Friday, gives 2023-04-10).
    ///
    /// # Errors
    ///
    /// [`Error::DateOutOfRange`] if `date`, or the business day it rolls to, is outside
    /// [`MIN_DATE`]`..=`[`MAX_DATE`].
    pub fn following(&self, date: NaiveDate) -> Result<NaiveDate> {
        let (through, business) = self.count_through(date, "calendar.date")?;
        if business {
            return Ok(date);
        }
        // `through` business days lie on or before `date`, so ordinal `through` is the next one.
        self.nth_business_day(i64::from(through), "calendar.following.result")
    }

    /// The number of business days in the half-open interval **(from, to]**: `from` excluded, `to`
    /// included. If `to < from` the result is minus `workdays(to, from)`, so that
    /// `workdays(a, c) == workdays(a, b) + workdays(b, c)` for any three dates in any order.
    ///
    /// This is QI's `workdays` of an installment, from the disbursement (or previous due) date to the
    /// due date, holidays counted as ANBIMA does.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use qitech_sim::calendar::BrazilCalendar;
    ///
    /// let cal = BrazilCalendar::national();
    /// let disbursed: NaiveDate = "2023-03-14".parse()?;
    /// let due: NaiveDate = "2023-04-07".parse()?; // Good Friday, a holiday
    /// assert_eq!(cal.workdays(disbursed, due)?, 17);
    /// assert_eq!(cal.workdays(due, disbursed)?, -17);
    /// assert_eq!(cal.workdays(due, due)?, 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::DateOutOfRange`] if `from` or `to` is outside [`MIN_DATE`]`..=`[`MAX_DATE`].
    pub fn workdays(&self, from: NaiveDate, to: NaiveDate) -> Result<i64> {
        let (through_from, _) = self.count_through(from, "calendar.from")?;
        let (through_to, _) = self.count_through(to, "calendar.to")?;
        Ok(i64::from(through_to) - i64::from(through_from))
    }

    /// Moves `date` by `n` business days: for `n > 0` the `n`-th business day after `date`, for
    /// `n < 0` the `|n|`-th business day before `date`, for `n = 0` `date` itself (even if it is not
    /// a business day).
    ///
    /// It inverts [`workdays`](Self::workdays): `workdays(date, add_business_days(date, n)) == n`
    /// whenever `n >= 0` or `date` is a business day. Going backwards from a non-business day the two
    /// cannot agree: the business day just before Sunday 2023-05-07 is Friday 05-05, yet (05-05, 05-07]
    /// holds no business day; there `workdays(date, add_business_days(date, n)) == n + 1`.
    ///
    /// # Errors
    ///
    /// [`Error::DateOutOfRange`] if `date`, or the result, is outside [`MIN_DATE`]`..=`[`MAX_DATE`].
    pub fn add_business_days(&self, date: NaiveDate, n: i64) -> Result<NaiveDate> {
        let (through, business) = self.count_through(date, "calendar.date")?;
        let field = "calendar.add_business_days.result";
        if n == 0 {
            Ok(date)
        } else if n > 0 {
            // Ordinals `through..` are the business days after `date`; the n-th is `through + n - 1`.
            let ordinal = i64::from(through)
                .checked_add(n - 1)
                .ok_or_else(|| out_of_range(field, AFTER_MAX))?;
            self.nth_business_day(ordinal, field)
        } else {
            // Business days strictly before `date` have ordinals `0..before`; the |n|-th is `before + n`.
            let before = i64::from(through) - i64::from(business);
            self.nth_business_day(before + n, field)
        }
    }

    /// The national holidays of `year` that the calendar uses, whether they fall on a weekday or not,
    /// sorted and without repeats (a movable holiday that lands on a fixed one is listed once).
    ///
    /// # Errors
    ///
    /// [`Error::DateOutOfRange`] if `year` is outside 2001..=2099 (the error's date is January 1 of
    /// `year`, or chrono's extreme date if that does not exist).
    pub fn holidays(&self, year: i32) -> Result<Vec<NaiveDate>> {
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
            let fallback = if year < MIN_YEAR {
                NaiveDate::MIN
            } else {
                NaiveDate::MAX
            };
            let value = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(fallback);
            return Err(out_of_range("calendar.year", value));
        }
        let start = self.holidays.partition_point(|d| d.year() < year);
        let end = self.holidays.partition_point(|d| d.year() <= year);
        Ok(self.holidays.get(start..end).unwrap_or_default().to_vec())
    }
}

/// `date` plus `months` calendar months, keeping the day of the month and clamping it to the last day
/// of a shorter month: 2023-01-31 + 1 month is 2023-02-28, 2024-01-31 + 1 is 2024-02-29.
///
/// Each addition starts from `date` itself (2023-01-31 + 2 is 2023-03-31, not the 28th carried
/// forward).
///
/// # Errors
///
/// [`Error::DateOutOfRange`] if `date` is outside [`MIN_DATE`]`..=`[`MAX_DATE`], or if the result is
/// after [`MAX_DATE`] (including results too far out for chrono to represent, reported as chrono's
/// largest date).
pub fn add_months(date: NaiveDate, months: u32) -> Result<NaiveDate> {
    check_in_range(date, "calendar.date")?;
    match date.checked_add_months(Months::new(months)) {
        Some(result) if result <= MAX_DATE => Ok(result),
        Some(result) => Err(out_of_range("calendar.add_months.result", result)),
        None => Err(out_of_range("calendar.add_months.result", NaiveDate::MAX)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        text.parse().expect("valid test date")
    }

    #[test]
    fn constants() {
        assert_eq!(MIN_DATE, d("2001-01-01"));
        assert_eq!(MAX_DATE, d("2099-12-31"));
        assert_eq!(BEFORE_MIN.succ_opt(), Some(MIN_DATE));
        assert_eq!(AFTER_MAX.pred_opt(), Some(MAX_DATE));
        assert_eq!(MIN_DATE.year(), MIN_YEAR);
        assert_eq!(MIN_DATE.num_days_from_ce(), MIN_DATE_FROM_CE);
        assert_eq!(MAX_DATE.year(), MAX_YEAR);
    }

    #[test]
    fn table_shape() {
        let cal = BrazilCalendar::national();
        // 99 years, 24 of them leap (2004, 2008, ..., 2096).
        assert_eq!(cal.prefix.len(), 99 * 365 + 24);
        assert_eq!(
            cal.prefix.last().copied(),
            u32::try_from(cal.business_days.len()).ok()
        );
        assert!(cal.business_days.windows(2).all(|w| w[0] < w[1]));
        assert!(cal.holidays.windows(2).all(|w| w[0] < w[1]));
        // The prefix sum steps by 0 or 1, and exactly on the listed business days.
        let mut previous = 0;
        for (i, &count) in cal.prefix.iter().enumerate() {
            assert!(count == previous || count == previous + 1);
            if count == previous + 1 {
                let date = cal.business_days[usize::try_from(count - 1).expect("small")];
                let offset = date.signed_duration_since(MIN_DATE).num_days();
                assert_eq!(usize::try_from(offset).expect("non-negative"), i);
            }
            previous = count;
        }
    }

    /// The month-step and day tables give what the per-date functions give: every date of the
    /// range as a first due date, stepped by a sample of month counts (short, yearly, the longest
    /// schedules, and past the range's end), and every date's own count and following business day.
    #[test]
    fn tables_agree_with_the_per_date_functions() {
        let cal = BrazilCalendar::national();
        let steps = [
            0u32, 1, 2, 3, 5, 11, 12, 13, 23, 35, 59, 95, 119, 239, 359, 599, 1187, 1188,
        ];
        for first in MIN_DATE.iter_days().take_while(|x| *x <= MAX_DATE) {
            let info = cal.day_info(first).expect("in range");
            let (through, _) = cal.count_through(first, "").expect("in range");
            assert_eq!(info.through, through, "{first}");
            assert_eq!(info.date, first);
            assert_eq!(Some(info.following), cal.following(first).ok(), "{first}");
            for &k in &steps {
                let old = add_months(first, k).ok().and_then(|date| {
                    let (through, _) = cal.count_through(date, "").ok()?;
                    let following = cal.following(date).ok()?;
                    let offset = (date.num_days_from_ce() - MIN_DATE_FROM_CE).unsigned_abs();
                    Some(DueDay {
                        date,
                        offset,
                        through,
                        following,
                    })
                });
                assert_eq!(cal.due_day(first, k), old, "{first} + {k} months");
            }
        }
        assert_eq!(cal.due_day(BEFORE_MIN, 1), None);
        assert_eq!(cal.due_day(AFTER_MAX, 0), None);
        assert_eq!(cal.day_info(AFTER_MAX), None);
        assert_eq!(cal.due_day(MIN_DATE, u32::MAX), None);
    }

    #[test]
    fn table_agrees_with_the_rule_day_by_day() {
        let cal = BrazilCalendar::national();
        for date in MIN_DATE.iter_days().take_while(|x| *x <= MAX_DATE) {
            let expected = !is_weekend(date) && !is_national_holiday(date);
            assert_eq!(cal.is_business_day(date), Ok(expected), "{date}");
        }
    }

    /// Documents why `bdays`' own counter is not used: it rolls both ends first.
    #[test]
    fn bdays_own_count_differs_from_the_half_open_rule() {
        let cal = BrazilCalendar::national();
        let (from, to) = (d("2023-03-14"), d("2023-04-07"));
        assert_eq!(BRSettlement.bdays(from, to), 18);
        assert_eq!(cal.workdays(from, to), Ok(17));
    }

    #[test]
    fn result_errors_name_the_side_left() {
        let cal = BrazilCalendar::national();
        let Err(Error::DateOutOfRange { value, field, .. }) = cal.add_business_days(MIN_DATE, -1)
        else {
            panic!("expected DateOutOfRange");
        };
        assert_eq!(value, BEFORE_MIN);
        assert_eq!(field, "calendar.add_business_days.result");
        let Err(Error::DateOutOfRange { value, .. }) = cal.add_business_days(MAX_DATE, 1) else {
            panic!("expected DateOutOfRange");
        };
        assert_eq!(value, AFTER_MAX);
        assert!(matches!(
            cal.add_business_days(MIN_DATE, i64::MAX),
            Err(Error::DateOutOfRange { .. })
        ));
        assert!(matches!(
            cal.add_business_days(MAX_DATE, i64::MIN),
            Err(Error::DateOutOfRange { .. })
        ));
        let Err(Error::DateOutOfRange { value, .. }) = add_months(MIN_DATE, u32::MAX) else {
            panic!("expected DateOutOfRange");
        };
        assert_eq!(value, NaiveDate::MAX);
        assert!(matches!(
            cal.holidays(i32::MIN),
            Err(Error::DateOutOfRange { value, .. }) if value == NaiveDate::MIN
        ));
        assert!(matches!(
            cal.holidays(i32::MAX),
            Err(Error::DateOutOfRange { value, .. }) if value == NaiveDate::MAX
        ));
    }

    #[test]
    fn edges_of_the_range() {
        let cal = BrazilCalendar::national();
        // 2001-01-01 is New Year; 2001-01-02 (a Tuesday) is the first business day.
        assert_eq!(cal.is_business_day(MIN_DATE), Ok(false));
        assert_eq!(cal.following(MIN_DATE), Ok(d("2001-01-02")));
        assert_eq!(cal.add_business_days(MIN_DATE, 1), Ok(d("2001-01-02")));
        assert_eq!(
            cal.add_business_days(d("2001-01-02"), 0),
            Ok(d("2001-01-02"))
        );
        // 2099-12-31 is a Thursday and a business day.
        assert_eq!(cal.is_business_day(MAX_DATE), Ok(true));
        assert_eq!(cal.following(MAX_DATE), Ok(MAX_DATE));
        assert_eq!(
            cal.workdays(MIN_DATE, MAX_DATE).map(|n| n > 24_000),
            Ok(true)
        );
    }
}
