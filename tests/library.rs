//! The library as a Rust pricing service uses it: matchable error kinds, the same checks for a
//! typed caller as for a JSON caller, and the pipelines' results.

use qitech_sim::prelude::*;
use qitech_sim::{SimulationOptions, api};
use serde_json::{Value, json};

use crate::support::{date, dec, json as fixture};

fn siape_with(edit: impl FnOnce(&mut Value)) -> String {
    let mut v = fixture("fixtures/siape/simulation_request.json");
    edit(&mut v);
    v.to_string()
}

fn error_of(text: &str) -> Error {
    api::simulate_json(text, &SimulationOptions::new(), None).expect_err("must be refused")
}

/// `(case, request text, kind, field, value)`.
type ErrorCase = (
    &'static str,
    String,
    ErrorKind,
    Option<&'static str>,
    Option<&'static str>,
);

#[test]
fn errors_have_matchable_kinds_fields_and_values() {
    let cases: Vec<ErrorCase> = vec![
        (
            "zero installments",
            siape_with(|v| v["financial"]["number_of_installments"] = json!(0)),
            ErrorKind::OutOfRange,
            Some("financial.number_of_installments"),
            Some("0"),
        ),
        (
            "missing disbursement date",
            siape_with(|v| {
                v["financial"]
                    .as_object_mut()
                    .map(|f| f.remove("disbursement_date"));
            }),
            ErrorKind::Missing,
            Some("financial.disbursement_date"),
            None,
        ),
        (
            "a rate as a boolean",
            siape_with(|v| v["financial"]["monthly_interest_rate"] = json!(true)),
            ErrorKind::WrongType,
            Some("financial.monthly_interest_rate"),
            Some("true"),
        ),
        (
            "both rates",
            siape_with(|v| v["financial"]["annual_interest_rate"] = json!(0.3)),
            ErrorKind::Conflict,
            Some("financial.annual_interest_rate"),
            Some("0.0205"),
        ),
        (
            "a grace period",
            siape_with(|v| v["financial"]["interest_grace_period"] = json!(1)),
            ErrorKind::Unsupported,
            Some("financial.interest_grace_period"),
            Some("1"),
        ),
        (
            "an unknown interest base",
            siape_with(|v| v["financial"]["interest_base"] = json!("calendar_days_360")),
            ErrorKind::Invalid,
            Some("financial.interest_base"),
            Some("\"calendar_days_360\""),
        ),
        (
            "a date outside the calendar",
            siape_with(|v| v["financial"]["first_due_date"] = json!("2100-01-07")),
            ErrorKind::DateOutOfRange,
            Some("financial.first_due_date"),
            Some("2100-01-07"),
        ),
        (
            "not JSON",
            "{".to_string(),
            ErrorKind::InvalidJson,
            Some("request"),
            None,
        ),
    ];
    for (name, text, kind, field, value) in cases {
        let e = error_of(&text);
        assert_eq!(e.kind(), kind, "{name}: {e}");
        assert_eq!(e.field(), field, "{name}: {e}");
        assert_eq!(e.value().as_deref(), value, "{name}: {e}");
    }
}

#[test]
fn a_typed_caller_gets_the_json_callers_errors() {
    let rate = InterestRate::monthly(dec("0.0205"), InterestBase::CalendarDays).expect("rate");
    let typed = |face: &str, n: u32| {
        LoanTerms::face_value(dec(face), n, rate, date(2023, 3, 14), date(2023, 4, 7))
            .expect_err("refused")
    };
    let json = |face: &str, n: u32| {
        error_of(&siape_with(|v| {
            v["financial"]["installment_face_value"] = json!(dec(face));
            v["financial"]["number_of_installments"] = json!(n);
        }))
    };
    for (face, n) in [
        ("0", 2),
        ("0.001", 2),
        ("1000000000000001", 2),
        ("100", 601),
    ] {
        assert_eq!(
            typed(face, n),
            json(face, n),
            "face {face}, {n} installments"
        );
    }
    // A loan changed field by field is checked again by `simulate`.
    let mut terms = LoanTerms::face_value(dec("100"), 2, rate, date(2023, 3, 14), date(2023, 4, 7))
        .expect("terms");
    terms.number_of_installments = 0;
    let e = simulate(&terms, &SimulationOptions::new()).expect_err("refused");
    assert_eq!(e.field(), Some("financial.number_of_installments"));
    let terms = terms.limit_days_to_disburse(61);
    assert_eq!(
        simulate(&terms, &SimulationOptions::new())
            .map(|_| ())
            .map_err(|e| e.kind()),
        Err(ErrorKind::OutOfRange)
    );
}

/// Every check the JSON reader applies to a loan's values is the engine's too: a typed caller gets
/// the same error (kind, field, value and message) for the same bad value, from the constructors
/// or from `simulate`'s `validate`.
#[test]
fn a_typed_caller_gets_every_json_check() {
    use qitech_sim::rate::{MonthlyRate, RateInput};
    let base = InterestBase::CalendarDays;
    let good = InterestRate::monthly(dec("0.0205"), base).expect("rate");
    // A rate built from its parts passes `MonthlyRate`'s arithmetic bounds only.
    let raw = |m: &str| {
        InterestRate::new(
            RateInput::Monthly(MonthlyRate::new(dec(m)).expect("raw rate")),
            base,
        )
        .expect("raw rate")
    };
    let face = |rate: InterestRate, first: FirstDue| {
        LoanTerms::face_value(dec("100"), 2, rate, date(2023, 3, 14), first)
    };
    let simulated = |terms: qitech_sim::Result<LoanTerms>| {
        terms
            .and_then(|t| simulate(&t, &SimulationOptions::new()).map(|_| ()))
            .expect_err("refused")
    };
    let annual = |a: &str| {
        siape_with(|v| {
            v["financial"]
                .as_object_mut()
                .map(|f| f.remove("monthly_interest_rate"));
            v["financial"]["annual_interest_rate"] = json!(dec(a));
        })
    };
    let cases: Vec<(&str, Error, String)> = vec![
        (
            "a monthly percent typed as a fraction",
            InterestRate::monthly(dec("2.05"), base).expect_err("refused"),
            siape_with(|v| v["financial"]["monthly_interest_rate"] = json!(dec("2.05"))),
        ),
        (
            "a monthly rate of exactly 100 %",
            InterestRate::monthly(dec("1"), base).expect_err("refused"),
            siape_with(|v| v["financial"]["monthly_interest_rate"] = json!(1)),
        ),
        (
            "a monthly rate built from its parts",
            simulated(face(raw("2.05"), date(2023, 4, 7).into())),
            siape_with(|v| v["financial"]["monthly_interest_rate"] = json!(dec("2.05"))),
        ),
        (
            "an annual percent typed as a fraction",
            InterestRate::annual_rate(dec("100"), base).expect_err("refused"),
            annual("100"),
        ),
        (
            "a refinanced operation's percent rate",
            simulated(face(good, date(2023, 4, 7).into()).map(|t| {
                t.refinance(
                    RefinancedOperation::new(dec("10"))
                        .expect("operation")
                        .accrues(raw("1.5"), date(2023, 1, 10)),
                )
            })),
            siape_with(|v| {
                v["refinanced_credit_operations"] = json!([{
                    "due_balance": 10, "monthly_interest_rate": 1.5,
                    "disbursement_date": "2023-01-10"
                }]);
            }),
        ),
        (
            "a delay of 0",
            simulated(face(good, FirstDue::Delay(0))),
            siape_with(|v| {
                v["financial"]
                    .as_object_mut()
                    .map(|f| f.remove("first_due_date"));
                v["financial"]["first_due_date_delay"] = json!(0);
            }),
        ),
        (
            "a first due date on the disbursement date",
            simulated(face(good, date(2023, 3, 14).into())),
            siape_with(|v| v["financial"]["first_due_date"] = json!("2023-03-14")),
        ),
        (
            "too many days to disburse",
            simulated(face(good, date(2023, 4, 7).into()).map(|t| t.limit_days_to_disburse(61))),
            siape_with(|v| v["financial"]["limit_days_to_disburse"] = json!(61)),
        ),
        (
            // (`RefinancedOperation::new` refuses it too, not knowing its index.)
            "a negative refinanced balance",
            simulated(face(good, date(2023, 4, 7).into()).map(|t| {
                let mut op = RefinancedOperation::new(dec("10")).expect("operation");
                op.due_balance = dec("-1");
                t.refinance(op)
            })),
            siape_with(|v| {
                v["refinanced_credit_operations"] = json!([{"due_balance": -1}]);
            }),
        ),
    ];
    for (name, typed, text) in cases {
        assert_eq!(typed, error_of(&text), "{name}");
    }
}

/// The portability body's loan rate is the engine's check too: `PayrollTerms::new` refuses a
/// monthly rate built from its parts at 205 % a month with the JSON caller's error.
#[test]
fn a_typed_portability_caller_gets_the_json_rate_check() {
    use qitech_sim::portability::PayrollTerms;
    use qitech_sim::rate::{MonthlyRate, RateInput};
    let raw = InterestRate::new(
        RateInput::Monthly(MonthlyRate::new(dec("2.05")).expect("raw rate")),
        InterestBase::CalendarDays,
    )
    .expect("raw rate");
    let typed = PayrollTerms::new(dec("2500"), 96, raw, date(2023, 6, 10)).expect_err("refused");
    let mut v = fixture("fixtures/airforce/portability.json");
    v["monthly_interest_rate"] = json!(dec("2.05"));
    let json = api::portability_json(&v.to_string(), &SimulationOptions::new())
        .map(|_| ())
        .expect_err("refused");
    assert_eq!(typed, json);
    assert_eq!(typed.field(), Some("monthly_interest_rate"));
}

#[test]
fn the_quote_carries_every_printed_total() {
    let pricing = api::pricing_from_json(
        &crate::support::read("fixtures/siape/pricing.json"),
        "pricing",
    )
    .expect("pricing");
    let rate = InterestRate::monthly(dec("0.0205"), InterestBase::CalendarDays).expect("rate");
    let terms = LoanTerms::face_value(dec("100"), 2, rate, date(2023, 3, 14), date(2023, 4, 7))
        .expect("terms");
    let q = simulate(&terms, &SimulationOptions::new().pricing(pricing))
        .expect("quote")
        .first()
        .clone();
    assert_eq!(q.schedule.issue_amount, dec("194.80"));
    assert_eq!(q.iof.total, dec("1.36"));
    assert_eq!(q.fees.contract_fee_amount, dec("1.95"));
    assert_eq!(q.fees.external_contract_fee_amount, dec("1.95"));
    assert_eq!(q.fees.net_external_contract_fee_amount, dec("1.77"));
    assert_eq!(q.disbursed_issue_amount, dec("191.49"));
    assert_eq!(q.assignment_amount, dec("196.75"));
    assert_eq!(q.change, Change::Change(dec("191.49")));
    assert_eq!(q.total_pre_fixed_amount, dec("5.1970908045"));
    assert_eq!(q.rate.daily_rate, dec("0.00067665"));
    assert_eq!(q.cet.monthly, dec("0.0346"));
}

/// `append_json_to` writes the bytes `to_json_bytes` returns, after what the buffer holds (the
/// batch reuses its buffers), for the full response and the summary.
#[test]
fn appending_to_a_reused_buffer_gives_the_same_bytes() {
    let text =
        std::fs::read_to_string("fixtures/airforce/simulation_request.json").expect("fixture");
    let opts = SimulationOptions::new();
    let request = api::SimulationRequest::from_json(&text, "airforce").expect("request");
    let full = api::simulate_request(&request, &opts, None).expect("full");
    let summary = api::summarize_request(&request, &opts).expect("summary");
    let mut buf = b"previous line\n".to_vec();
    buf.clear();
    buf.extend_from_slice(b"kept|");
    full.append_json_to(&mut buf);
    assert_eq!(&buf[..5], b"kept|");
    assert_eq!(buf[5..], full.to_json_bytes()[..]);
    buf.clear();
    summary.append_json_to(&mut buf);
    assert_eq!(buf, summary.to_json_bytes());
}
