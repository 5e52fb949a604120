//! The loans the benches price, shared by `simulation.rs` (criterion) and `ratios.rs` (ratios to
//! an f64 walk), so both time the same work.

#![allow(dead_code)]

use chrono::NaiveDate;
use qitech_sim::rate::{InterestBase, InterestRate, MonthlyRate, RateInput};
use qitech_sim::{FirstDue, LoanTerms};
use rust_decimal::Decimal;

/// A date of the calendar.
pub(crate) fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

/// A decimal from its text.
pub(crate) fn dec(s: &str) -> Decimal {
    s.parse().expect("decimal")
}

/// 2.05 % a month on calendar days (the airforce fixture's rate).
pub(crate) fn monthly_205() -> InterestRate {
    let m = MonthlyRate::new(dec("0.0205")).expect("rate");
    InterestRate::new(RateInput::Monthly(m), InterestBase::CalendarDays).expect("rate")
}

/// 96 installments of BRL 100 from 2023-03-22, first due 2023-06-10; `limit` extra disbursement
/// days give `limit + 1` options.
pub(crate) fn airforce_terms(limit: u32) -> LoanTerms {
    LoanTerms::face_value(
        Decimal::from(100),
        96,
        monthly_205(),
        date(2023, 3, 22),
        FirstDue::Date(date(2023, 6, 10)),
    )
    .expect("terms")
    .limit_days_to_disburse(limit)
}

/// The Python bench's job B: BRL 10,000 net, 12 installments, financed-IOF gross-up, CET.
pub(crate) fn gross_up_12() -> LoanTerms {
    LoanTerms::disbursed(
        Decimal::from(10_000),
        12,
        monthly_205(),
        date(2023, 3, 14),
        FirstDue::Date(date(2023, 4, 7)),
    )
    .expect("terms")
}
