//! The periods of a loan: due dates, business due dates and the day counts (calendar days, business
//! days, days from the disbursement) each formula uses.

use chrono::NaiveDate;

use super::MAX_INSTALLMENTS;
use crate::calendar::{self, BrazilCalendar};
use crate::error::{Error, Result};
use crate::loan::field;

/// The dates and day counts of one installment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// 1-based installment number.
    pub number: u32,
    /// Contractual due date: the first due date plus `number − 1` months, day of month kept (clamped).
    pub due_date: NaiveDate,
    /// `due_date`, or the next business day if it is not one.
    pub business_due_date: NaiveDate,
    /// Calendar days since the previous due date (the disbursement date for the first).
    pub calendar_days: u32,
    /// Business days in (previous due date, due date].
    pub workdays: u32,
    /// Calendar days from the disbursement to `due_date` (the IOF and CET day count).
    pub days_from_disbursement: u32,
}

/// The periods of `n` monthly installments from `first_due_date`, for a loan disbursed on
/// `disbursement_date`.
///
/// # Errors
/// * `n = 0` or `n > MAX_INSTALLMENTS`: [`Error::InvalidField`] on `financial.number_of_installments`;
/// * `first_due_date ≤ disbursement_date`: [`Error::InvalidField`] on `financial.first_due_date`;
/// * any date outside the calendar: [`Error::DateOutOfRange`].
pub fn periods(
    disbursement_date: NaiveDate,
    first_due_date: NaiveDate,
    n: u32,
) -> Result<Vec<Period>> {
    if n == 0 || n > MAX_INSTALLMENTS {
        return Err(Error::out_of_range(
            field::NUMBER_OF_INSTALLMENTS,
            n,
            format!("must be between 1 and {MAX_INSTALLMENTS}"),
        ));
    }
    if first_due_date <= disbursement_date {
        return Err(Error::out_of_range(
            field::FIRST_DUE_DATE,
            first_due_date,
            format!("must be after the disbursement date {disbursement_date}"),
        ));
    }
    calendar::check_in_range(disbursement_date, field::DISBURSEMENT_DATE)?;
    calendar::check_in_range(first_due_date, field::FIRST_DUE_DATE)?;
    if calendar::add_months(first_due_date, n - 1).is_err() {
        return Err(Error::out_of_range(
            field::NUMBER_OF_INSTALLMENTS,
            n,
            format!(
                "the last installment would fall after {} (first due date {first_due_date})",
                calendar::MAX_DATE
            ),
        ));
    }
    match periods_fast(disbursement_date, first_due_date, n) {
        Some(out) => Ok(out),
        // Every due date is in range (checked above): only the last one's business day can fall
        // after the calendar's end.
        None => Err(Error::out_of_range(
            field::NUMBER_OF_INSTALLMENTS,
            n,
            format!(
                "the last installment's business due date would fall after {}",
                calendar::MAX_DATE
            ),
        )),
    }
}

/// [`periods`] for dates inside the calendar: each due date, its day offset, business-day count and
/// following business day from the calendar's per-year tables ([`BrazilCalendar::due_day`]);
/// `calendar_days`, `workdays` and `days_from_disbursement` are differences of offsets and counts
/// (the (from, to] business-day count). `None` when any date is outside the calendar.
fn periods_fast(
    disbursement_date: NaiveDate,
    first_due_date: NaiveDate,
    n: u32,
) -> Option<Vec<Period>> {
    let cal = BrazilCalendar::national();
    let start = cal.day_info(disbursement_date)?;
    let mut prev = start;
    let months = cal.monthly(first_due_date)?;
    let mut out = Vec::with_capacity(n as usize);
    for k in 0..n {
        let due = months.due_day(k)?;
        out.push(Period {
            number: k + 1,
            due_date: due.date,
            business_due_date: due.following,
            calendar_days: due.offset.checked_sub(prev.offset)?,
            workdays: due.through.checked_sub(prev.through)?,
            days_from_disbursement: due.offset.checked_sub(start.offset)?,
        });
        prev = due;
    }
    Some(out)
}

/// The periods of installments due on `due_dates` (strictly increasing, the first after
/// `disbursement_date`), for a loan disbursed on `disbursement_date`: the general form of
/// [`periods`], for an explicit `financial.due_dates` list, installments every k months, or due
/// dates moved to business days. Day counts are those of [`periods`]: calendar days since the
/// previous due date, business days in (previous due date, due date], calendar days from the
/// disbursement.
///
/// # Errors
/// * no dates, or more than [`MAX_INSTALLMENTS`]: [`Error::InvalidField`] on
///   `financial.number_of_installments`;
/// * a date not after the previous one (the disbursement date for the first):
///   [`Error::InvalidField`] on `financial.due_dates[k]`;
/// * any date outside the calendar: [`Error::DateOutOfRange`].
pub fn periods_from_dates(
    disbursement_date: NaiveDate,
    due_dates: &[NaiveDate],
) -> Result<Vec<Period>> {
    let n = due_dates.len();
    if n == 0 || n > MAX_INSTALLMENTS as usize {
        return Err(Error::out_of_range(
            field::NUMBER_OF_INSTALLMENTS,
            n,
            format!("must be between 1 and {MAX_INSTALLMENTS}"),
        ));
    }
    let cal = BrazilCalendar::national();
    calendar::check_in_range(disbursement_date, field::DISBURSEMENT_DATE)?;
    let mut prev = disbursement_date;
    let mut out = Vec::with_capacity(n);
    for (k, &due_date) in due_dates.iter().enumerate() {
        let field = field::due_date(k);
        calendar::check_in_range(due_date, &field)?;
        if due_date <= prev {
            return Err(Error::out_of_range(
                field,
                due_date,
                format!("must be after {prev} (the previous due date or the disbursement date)"),
            ));
        }
        let workdays = u32::try_from(cal.workdays(prev, due_date)?)
            .map_err(|_| Error::out_of_range(field.clone(), due_date, "day count overflow"))?;
        let day_count = |from: NaiveDate| {
            u32::try_from((due_date - from).num_days())
                .map_err(|_| Error::out_of_range(field.clone(), due_date, "day count overflow"))
        };
        out.push(Period {
            number: u32::try_from(k + 1).unwrap_or(u32::MAX),
            due_date,
            business_due_date: cal.following(due_date)?,
            calendar_days: day_count(prev)?,
            workdays,
            days_from_disbursement: day_count(disbursement_date)?,
        });
        prev = due_date;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Datelike;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    /// The count bound of [`periods`] and [`periods_from_dates`] on its own (the request reader
    /// checks it first): 1 and 600 pass, 0 and 601 are refused.
    #[test]
    fn installment_counts_are_bounded_here_too() {
        let field = |r: Result<Vec<Period>>| r.err().and_then(|e| e.field().map(str::to_owned));
        let count = Some("financial.number_of_installments".to_owned());
        assert_eq!(
            periods(d(2023, 3, 14), d(2023, 4, 7), 1)
                .map(|p| p.len())
                .ok(),
            Some(1)
        );
        assert_eq!(
            periods(d(2023, 3, 14), d(2023, 4, 7), 600)
                .map(|p| p.len())
                .ok(),
            Some(600)
        );
        assert_eq!(field(periods(d(2023, 3, 14), d(2023, 4, 7), 0)), count);
        assert_eq!(field(periods(d(2023, 3, 14), d(2023, 4, 7), 601)), count);
        let dates: Vec<NaiveDate> = (0..601)
            .map(|k| d(2023, 4, 7) + chrono::Days::new(k))
            .collect();
        assert_eq!(
            periods_from_dates(d(2023, 3, 14), &dates[..600])
                .map(|p| p.len())
                .ok(),
            Some(600)
        );
        assert_eq!(field(periods_from_dates(d(2023, 3, 14), &dates)), count);
        assert_eq!(field(periods_from_dates(d(2023, 3, 14), &[])), count);
    }

    /// The table-driven [`periods`] equals [`periods_from_dates`] (per-date business-day counts
    /// and searches) on the same due dates, `first + k` months, over a sample of disbursement and
    /// first due dates across the calendar (month ends, leap days, holidays).
    #[test]
    fn table_periods_equal_per_date_periods() {
        let mut disbursement = d(2001, 1, 1);
        while disbursement < d(2099, 6, 1) {
            for gap in [1u64, 17, 29, 31, 45, 60] {
                let first = disbursement + chrono::Days::new(gap);
                let n = 1 + (disbursement.ordinal() % 120);
                let Ok(fast) = periods(disbursement, first, n) else {
                    continue;
                };
                let dates: Vec<NaiveDate> = (0..n)
                    .map(|k| calendar::add_months(first, k).expect("in range"))
                    .collect();
                assert_eq!(
                    Ok(fast),
                    periods_from_dates(disbursement, &dates),
                    "{disbursement} {first} {n}"
                );
            }
            disbursement = disbursement + chrono::Days::new(13);
        }
    }

    /// The last due date is `first + (n − 1)` months: a loan whose only installment falls in the
    /// calendar's last month is priced, one more installment leaves the calendar.
    #[test]
    fn the_last_due_date_is_n_minus_one_months_after_the_first() {
        assert!(periods(d(2099, 11, 1), d(2099, 12, 1), 1).is_ok());
        assert!(periods(d(2099, 10, 1), d(2099, 11, 1), 2).is_ok());
        assert!(periods(d(2099, 10, 1), d(2099, 11, 1), 3).is_err());
    }
}
