//! The ANBIMA business-day calendar: the holiday list against an independent reference file, QI's
//! documented facts, algebraic properties, and out-of-range handling.

use std::collections::{BTreeMap, BTreeSet};
use std::error::Error as StdError;

use chrono::{Datelike, Days, NaiveDate};
use proptest::prelude::*;
use qitech_sim::calendar::{BrazilCalendar, MAX_DATE, MIN_DATE, add_months};
use qitech_sim::error::Error;

type TestResult = Result<(), Box<dyn StdError>>;

/// ANBIMA's national holidays, copied verbatim from wilsonfreitas/python-bizdays (see the file header).
const REFERENCE: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/fixtures/calendar/anbima_holidays.txt"
));

fn d(text: &str) -> NaiveDate {
    text.parse()
        .unwrap_or_else(|e| panic!("bad test date {text:?}: {e}"))
}

fn cal() -> &'static BrazilCalendar {
    BrazilCalendar::national()
}

/// The reference file's holidays, grouped by year (repeats merged, as `holidays()` does).
fn reference_by_year() -> Result<BTreeMap<i32, BTreeSet<NaiveDate>>, Box<dyn StdError>> {
    let mut by_year: BTreeMap<i32, BTreeSet<NaiveDate>> = BTreeMap::new();
    let mut previous: Option<NaiveDate> = None;
    for line in REFERENCE.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let date: NaiveDate = line.parse()?;
        if let Some(p) = previous {
            assert!(p <= date, "reference file not sorted at {date}");
        }
        previous = Some(date);
        by_year.entry(date.year()).or_default().insert(date);
    }
    Ok(by_year)
}

fn assert_holidays_match_reference(years: std::ops::RangeInclusive<i32>) -> TestResult {
    let reference = reference_by_year()?;
    for year in years {
        let expected: Vec<NaiveDate> = reference
            .get(&year)
            .ok_or_else(|| format!("reference has no {year}"))?
            .iter()
            .copied()
            .collect();
        assert_eq!(cal().holidays(year)?, expected, "holidays of {year}");
    }
    Ok(())
}

/// ANBIMA's published span, 2001–2078: `holidays(year)` equals the reference list exactly.
#[test]
fn reference_holidays_match_anbima_2001_to_2078() -> TestResult {
    assert_holidays_match_reference(2001..=2078)
}

/// The rest of the supported range, against bizdays' extension of the ANBIMA list (same rules).
#[test]
fn reference_holidays_match_bizdays_extension_2079_to_2099() -> TestResult {
    assert_holidays_match_reference(2079..=2099)
}

/// Every reference holiday in range is a non-business day, and every in-range weekday that is not in
/// the reference is a business day: the table agrees with the reference on every single date.
#[test]
fn business_days_match_reference_day_by_day() -> TestResult {
    let reference: BTreeSet<NaiveDate> = reference_by_year()?.into_values().flatten().collect();
    let mut date = MIN_DATE;
    loop {
        let weekend = date.weekday().number_from_monday() >= 6;
        let expected = !weekend && !reference.contains(&date);
        assert_eq!(cal().is_business_day(date)?, expected, "{date}");
        if date == MAX_DATE {
            break;
        }
        date = date.succ_opt().ok_or("date overflow")?;
    }
    Ok(())
}

/// 2023–2026 pinned explicitly, independent of the reference file.
#[test]
fn holidays_2023_to_2026_pinned() -> TestResult {
    #[rustfmt::skip]
    const CASES: &[(i32, &[&str])] = &[
        (
            2023,
            &[
                "2023-01-01", "2023-02-20", "2023-02-21", "2023-04-07", "2023-04-21", "2023-05-01",
                "2023-06-08", "2023-09-07", "2023-10-12", "2023-11-02", "2023-11-15", "2023-12-25",
            ],
        ),
        (
            2024,
            &[
                "2024-01-01", "2024-02-12", "2024-02-13", "2024-03-29", "2024-04-21", "2024-05-01",
                "2024-05-30", "2024-09-07", "2024-10-12", "2024-11-02", "2024-11-15", "2024-11-20",
                "2024-12-25",
            ],
        ),
        (
            2025,
            &[
                "2025-01-01", "2025-03-03", "2025-03-04", "2025-04-18", "2025-04-21", "2025-05-01",
                "2025-06-19", "2025-09-07", "2025-10-12", "2025-11-02", "2025-11-15", "2025-11-20",
                "2025-12-25",
            ],
        ),
        (
            2026,
            &[
                "2026-01-01", "2026-02-16", "2026-02-17", "2026-04-03", "2026-04-21", "2026-05-01",
                "2026-06-04", "2026-09-07", "2026-10-12", "2026-11-02", "2026-11-15", "2026-11-20",
                "2026-12-25",
            ],
        ),
    ];
    for (year, dates) in CASES {
        let expected: Vec<NaiveDate> = dates.iter().map(|s| d(s)).collect();
        assert_eq!(cal().holidays(*year)?, expected, "holidays of {year}");
    }
    Ok(())
}

/// Business-day status of single dates: (date, is business day).
#[test]
fn is_business_day_cases() -> TestResult {
    const CASES: &[(&str, bool)] = &[
        ("2023-04-07", false), // Good Friday
        ("2023-04-10", true),
        ("2023-04-21", false), // Tiradentes (Friday)
        ("2023-05-01", false), // Labour Day (Monday)
        ("2023-05-07", false), // Sunday
        ("2023-05-08", true),
        ("2022-11-15", false), // Republic (Tuesday)
        ("2023-11-20", true),  // Monday; Black Consciousness not yet national
        ("2024-11-20", false), // Black Consciousness (Wednesday)
        ("2025-11-20", false), // Black Consciousness (Thursday)
        ("2024-02-12", false), // Carnival Monday
        ("2024-02-13", false), // Carnival Tuesday
        ("2024-02-14", true),  // Ash Wednesday is a business day
        ("2024-05-30", false), // Corpus Christi
        ("2023-12-25", false), // Christmas
        ("2023-12-24", false), // Sunday
        ("2023-12-29", true),  // last business day of 2023 (no B3-style closing)
    ];
    for (date, expected) in CASES {
        assert_eq!(cal().is_business_day(d(date))?, *expected, "{date}");
    }
    Ok(())
}

/// `following`: (date, business_due_date).
#[test]
fn following_cases() -> TestResult {
    const CASES: &[(&str, &str)] = &[
        ("2023-04-07", "2023-04-10"), // Good Friday -> Monday
        ("2023-05-07", "2023-05-08"), // Sunday -> Monday
        ("2023-05-08", "2023-05-08"), // already a business day
        ("2023-04-21", "2023-04-24"), // Tiradentes (Friday) -> Monday
        ("2024-02-10", "2024-02-14"), // Saturday before Carnival -> Ash Wednesday
        ("2024-11-20", "2024-11-21"), // Black Consciousness -> Thursday
        ("2023-11-20", "2023-11-20"), // not a holiday in 2023
        ("2023-12-30", "2024-01-02"), // Saturday, Sunday, New Year's Day
    ];
    for (date, expected) in CASES {
        assert_eq!(cal().following(d(date))?, d(expected), "following({date})");
    }
    Ok(())
}

/// `workdays` over (from, to]: (from, to, count). The first three are QI's documented installments.
#[test]
fn workdays_cases() -> TestResult {
    const CASES: &[(&str, &str, i64)] = &[
        ("2023-03-14", "2023-04-07", 17),
        ("2023-04-07", "2023-05-07", 18),
        ("2022-11-03", "2022-12-07", 23),
        ("2023-03-17", "2023-03-22", 3),
        ("2023-04-07", "2023-03-14", -17),
        ("2023-04-07", "2023-04-07", 0),
        ("2023-04-06", "2023-04-07", 0), // only Good Friday in (from, to]
        ("2023-04-07", "2023-04-10", 1),
        ("2023-11-17", "2023-11-20", 1),   // Monday 2023-11-20 counts
        ("2024-11-19", "2024-11-20", 0),   // Wednesday 2024-11-20 does not
        ("2023-01-01", "2024-01-01", 249), // ANBIMA's 2023 business-day count
    ];
    for (from, to, expected) in CASES {
        assert_eq!(
            cal().workdays(d(from), d(to))?,
            *expected,
            "workdays({from}, {to}]"
        );
    }
    Ok(())
}

/// `add_business_days`: (date, n, result).
#[test]
fn add_business_days_cases() -> TestResult {
    const CASES: &[(&str, i64, &str)] = &[
        ("2023-04-06", 1, "2023-04-10"),  // over Good Friday and the weekend
        ("2023-04-10", -1, "2023-04-06"), // back over them
        ("2023-05-07", 1, "2023-05-08"),  // Sunday -> Monday
        ("2023-05-07", -1, "2023-05-05"), // Sunday -> Friday
        ("2023-05-07", 0, "2023-05-07"),  // n = 0 keeps even a non-business day
        ("2023-03-14", 17, "2023-04-06"), // (03-14, 04-07] holds 17, the last on 04-06
        ("2023-03-14", 18, "2023-04-10"), // the 18th is past Good Friday
        ("2023-12-29", 1, "2024-01-02"),
    ];
    for (date, n, expected) in CASES {
        assert_eq!(
            cal().add_business_days(d(date), *n)?,
            d(expected),
            "add_business_days({date}, {n})"
        );
    }
    Ok(())
}

/// `add_months`: (date, months, result), clamped to the end of shorter months.
#[test]
fn add_months_cases() -> TestResult {
    const CASES: &[(&str, u32, &str)] = &[
        ("2023-01-31", 1, "2023-02-28"),
        ("2024-01-31", 1, "2024-02-29"),
        ("2023-01-31", 2, "2023-03-31"),
        ("2023-03-31", 1, "2023-04-30"),
        ("2023-03-14", 0, "2023-03-14"),
        ("2023-03-14", 12, "2024-03-14"),
        ("2023-03-14", 96, "2031-03-14"),
        ("2099-11-30", 1, "2099-12-30"),
        ("2001-01-01", 1187, "2099-12-01"),
    ];
    for (date, months, expected) in CASES {
        assert_eq!(
            add_months(d(date), *months)?,
            d(expected),
            "add_months({date}, {months})"
        );
    }
    Ok(())
}

fn assert_out_of_range<T: std::fmt::Debug>(result: Result<T, Error>, what: &str) {
    match result {
        Err(Error::DateOutOfRange { min, max, .. }) => {
            assert_eq!((min, max), (MIN_DATE, MAX_DATE), "{what}");
        }
        other => panic!("{what}: expected DateOutOfRange, got {other:?}"),
    }
}

#[test]
fn out_of_range_dates_are_errors() {
    let inside = d("2023-03-14");
    for text in ["2000-12-31", "2100-01-01", "9999-12-31", "1900-01-01"] {
        let outside = d(text);
        assert_out_of_range(cal().is_business_day(outside), "is_business_day");
        assert_out_of_range(cal().following(outside), "following");
        assert_out_of_range(cal().workdays(outside, inside), "workdays(from)");
        assert_out_of_range(cal().workdays(inside, outside), "workdays(to)");
        assert_out_of_range(
            cal().add_business_days(outside, 0),
            "add_business_days(n = 0)",
        );
        assert_out_of_range(cal().add_business_days(outside, 1), "add_business_days");
        assert_out_of_range(add_months(outside, 0), "add_months(date)");
        assert_out_of_range(add_months(outside, 1), "add_months(date)");
    }
    assert_out_of_range(cal().holidays(2000), "holidays(2000)");
    assert_out_of_range(cal().holidays(2100), "holidays(2100)");
    assert_out_of_range(cal().holidays(i32::MIN), "holidays(i32::MIN)");
    assert_out_of_range(cal().holidays(i32::MAX), "holidays(i32::MAX)");
    // Results that would leave the range.
    assert_out_of_range(add_months(MAX_DATE, 1), "add_months past MAX_DATE");
    assert_out_of_range(add_months(d("2023-03-14"), 1200), "add_months by 100 years");
    assert_out_of_range(add_months(MIN_DATE, u32::MAX), "add_months(u32::MAX)");
    assert_out_of_range(cal().add_business_days(MAX_DATE, 1), "past MAX_DATE");
    assert_out_of_range(cal().add_business_days(MIN_DATE, -1), "before MIN_DATE");
    assert_out_of_range(cal().add_business_days(inside, i64::MAX), "i64::MAX days");
    assert_out_of_range(cal().add_business_days(inside, i64::MIN), "i64::MIN days");
    assert_out_of_range(cal().add_business_days(inside, 30_000), "30,000 days");
}

#[test]
fn out_of_range_error_names_field_and_date() {
    let outside = d("2100-01-01");
    let err = cal()
        .workdays(d("2023-03-14"), outside)
        .expect_err("out of range");
    assert_eq!(
        err,
        Error::DateOutOfRange {
            field: "calendar.to".into(),
            value: outside,
            min: MIN_DATE,
            max: MAX_DATE,
        }
    );
    assert!(err.to_string().contains("2100-01-01"), "{err}");
    let err = add_months(d("9999-12-31"), 1).expect_err("out of range");
    assert!(
        matches!(&err, Error::DateOutOfRange { value, .. } if *value == d("9999-12-31")),
        "{err:?}"
    );
}

/// Dates in MIN_DATE..=MAX_DATE.
fn any_date() -> impl Strategy<Value = NaiveDate> {
    let span = MAX_DATE.signed_duration_since(MIN_DATE).num_days();
    (0..=span).prop_map(|offset| {
        let days = u64::try_from(offset).unwrap_or(0);
        MIN_DATE
            .checked_add_days(Days::new(days))
            .unwrap_or(MIN_DATE)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn workdays_is_additive(a in any_date(), b in any_date(), c in any_date()) {
        let cal = cal();
        prop_assert_eq!(cal.workdays(a, c)?, cal.workdays(a, b)? + cal.workdays(b, c)?);
        prop_assert_eq!(cal.workdays(a, b)?, -cal.workdays(b, a)?);
        prop_assert_eq!(cal.workdays(a, a)?, 0);
    }

    #[test]
    fn workdays_counts_business_days_in_half_open_interval(a in any_date(), len in 0u64..60) {
        let cal = cal();
        let b = a.checked_add_days(Days::new(len)).unwrap_or(a).min(MAX_DATE);
        let mut count = 0;
        let mut day = a;
        while day < b {
            day = day.succ_opt().unwrap_or(MAX_DATE);
            if cal.is_business_day(day)? {
                count += 1;
            }
        }
        prop_assert_eq!(cal.workdays(a, b)?, count);
    }

    #[test]
    fn following_is_the_next_business_day(date in any_date()) {
        let cal = cal();
        let next = cal.following(date)?;
        prop_assert!(cal.is_business_day(next)?);
        prop_assert!(next >= date);
        prop_assert!(next.signed_duration_since(date).num_days() <= 7);
        // No business day is skipped in between.
        let mut day = date;
        while day < next {
            prop_assert!(!cal.is_business_day(day)?, "{} skipped", day);
            day = day.succ_opt().unwrap_or(MAX_DATE);
        }
        prop_assert_eq!(cal.is_business_day(date)?, next == date);
        // The business day after `next` is at most 7 calendar days later (the longest real gap is
        // 5 days: Friday to Ash Wednesday over the Carnival weekend).
        if next < d("2099-12-24") {
            let after = cal.add_business_days(next, 1)?;
            prop_assert!(after > next);
            prop_assert!(after.signed_duration_since(next).num_days() <= 7);
        }
    }

    #[test]
    fn add_business_days_inverts_workdays(date in any_date(), n in -400i64..=400) {
        let cal = cal();
        match cal.add_business_days(date, n) {
            Ok(result) => {
                let business = cal.is_business_day(date)?;
                let expected = if n < 0 && !business { n + 1 } else { n };
                prop_assert_eq!(cal.workdays(date, result)?, expected);
                if n != 0 {
                    prop_assert!(cal.is_business_day(result)?);
                    prop_assert_eq!(result > date, n > 0);
                }
                if n > 0 {
                    // Exactly n business days ahead: one fewer step falls short.
                    prop_assert_eq!(cal.workdays(date, result.pred_opt().unwrap_or(date))?, n - 1);
                }
            }
            Err(Error::DateOutOfRange { .. }) => {
                // Only near the ends of the range (400 business days is under two years).
                prop_assert!(date.year() <= 2002 || date.year() >= 2098, "{} {}", date, n);
            }
            Err(other) => prop_assert!(false, "unexpected error {:?}", other),
        }
    }

    #[test]
    fn add_business_days_round_trips_on_business_days(date in any_date(), n in -400i64..=400) {
        let cal = cal();
        let start = cal.following(date)?;
        if let Ok(moved) = cal.add_business_days(start, n) {
            prop_assert_eq!(cal.add_business_days(moved, -n)?, start);
            prop_assert_eq!(cal.add_business_days(start, cal.workdays(start, moved)?)?, moved);
        }
    }

    #[test]
    fn add_months_keeps_or_clamps_the_day(date in any_date(), months in 0u32..1300) {
        match add_months(date, months) {
            Ok(result) => {
                let total = date.year() * 12 + i32::try_from(date.month0()).unwrap_or(0)
                    + i32::try_from(months).unwrap_or(0);
                prop_assert_eq!(result.year() * 12 + i32::try_from(result.month0()).unwrap_or(0), total);
                if result.day() != date.day() {
                    // Clamped: the day did not exist, so the result is the month's last day.
                    prop_assert!(result.day() < date.day());
                    prop_assert!(result.succ_opt().map(|s| s.day()) == Some(1));
                }
                prop_assert!(result <= MAX_DATE);
            }
            Err(Error::DateOutOfRange { value, .. }) => prop_assert!(value > MAX_DATE),
            Err(other) => prop_assert!(false, "unexpected error {:?}", other),
        }
    }
}
