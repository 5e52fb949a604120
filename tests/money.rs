//! Money inputs (issue #24, items 4 and 5): amounts read exactly from JSON text, and money with more
//! than two decimals refused naming the field. Reproducers in `fixtures/reliability/`.

use std::path::PathBuf;

use qitech_sim::api::Service;
use qitech_sim::{Amount, Decimal};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn fixture(path: &str) -> String {
    let p = PathBuf::from(ROOT).join("fixtures").join(path);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()))
}

fn dec(s: &str) -> Decimal {
    s.parse().expect("a decimal")
}

/// `amount` 90071992547409.93 (above 2⁵³ cents) is read as given, not as the double …409.9375
/// (printed …409.94).
#[test]
fn amount_above_2pow53_cents_is_read_exactly() {
    let text = fixture("reliability/amount-above-2pow53-cents.json");
    let body = Service::new()
        .read_simulation(text.as_str())
        .expect("a valid body");
    assert_eq!(body.terms().amount, Amount::Issue(dec("90071992547409.93")));
    // Priced from …409.93: disbursed = amount − IOF 1802835966832.68 (…577.27 when read as a
    // double). The wire still prints `issue_amount` as its nearest double (QI's number format).
    let response = Service::new().simulate_json(&text).expect("priced");
    assert!(
        response.contains("\"disbursed_issue_amount\":88269156580577.25,"),
        "{response:.300}"
    );
    // Quoted, the same amount (the reader's other form) gives the same loan.
    let quoted = text.replace("90071992547409.93", "\"90071992547409.93\"");
    let quoted = Service::new()
        .read_simulation(quoted.as_str())
        .expect("a valid body");
    assert_eq!(quoted.terms(), body.terms());
}

/// A rate with more digits than a double keeps them.
#[test]
fn long_rates_are_read_exactly() {
    let text = fixture("reliability/amount-above-2pow53-cents.json").replace(
        "\"monthly_interest_rate\": 0.02",
        "\"monthly_interest_rate\": 0.01999999999999999999",
    );
    let body = Service::new()
        .read_simulation(text.as_str())
        .expect("a valid body");
    let exact = qitech_sim::rate::MonthlyRate::new(dec("0.01999999999999999999")).expect("a rate");
    assert_eq!(
        body.terms().rate.input(),
        qitech_sim::rate::RateInput::Monthly(exact)
    );
}

/// The error of a body given as text, with its kind and field.
fn refusal(text: &str) -> (qitech_sim::ErrorKind, String) {
    let e = Service::new()
        .read_simulation(text)
        .and_then(|b| Service::new().simulate_body(&b).map(|_| ()))
        .expect_err("refused");
    (e.kind(), e.field().unwrap_or_default().to_string())
}

/// `amount` 1000.005 was priced as given (issue 1000.005, disbursed 991.235); it is refused naming
/// the field, as the same typed loan is.
#[test]
fn subcent_amount_is_refused_naming_it() {
    let text = fixture("reliability/subcent-amount.json");
    assert_eq!(
        refusal(&text),
        (qitech_sim::ErrorKind::Invalid, "financial.amount".into())
    );
    // Whole cents written with more zeros are cents.
    let ok = text.replace("1000.005", "1000.500");
    assert!(Service::new().simulate_json(&ok).is_ok());
}

/// `disbursed_amount` 1000.001 disbursed 1000: refused naming the field.
#[test]
fn subcent_disbursed_amount_is_refused_naming_it() {
    let text = fixture("reliability/subcent-disbursed.json");
    assert_eq!(
        refusal(&text),
        (
            qitech_sim::ErrorKind::Invalid,
            "financial.disbursed_amount".into()
        )
    );
}

/// Typed callers get the same refusal as JSON, from the same check.
#[test]
fn typed_subcent_amounts_are_refused_with_the_same_kind() {
    use qitech_sim::rate::{InterestBase, InterestRate};
    use qitech_sim::{FirstDue, LoanTerms, NaiveDate, RefinancedOperation};
    let rate = InterestRate::monthly(dec("0.02"), InterestBase::CalendarDays).expect("rate");
    let day = NaiveDate::from_ymd_opt(2024, 1, 15).expect("date");
    let e = LoanTerms::face_value(Decimal::new(1_000_005, 3), 3, rate, day, FirstDue::OneMonth)
        .expect_err("refused");
    assert_eq!(e.kind(), qitech_sim::ErrorKind::Invalid);
    assert_eq!(e.field(), Some("financial.installment_face_value"));
    let e = RefinancedOperation::new(dec("10.001")).expect_err("refused");
    assert_eq!(e.kind(), qitech_sim::ErrorKind::Invalid);
    let e = qitech_sim::fees::FeeRule::new(
        "fees[0]",
        "tac",
        qitech_sim::fees::AmountType::Absolute,
        dec("5.555"),
        Decimal::ZERO,
    )
    .expect_err("refused");
    assert_eq!(
        (e.kind(), e.field()),
        (qitech_sim::ErrorKind::Invalid, Some("fees[0].amount"))
    );
    // A percentage keeps its decimals.
    assert!(
        qitech_sim::fees::FeeRule::new(
            "fees[0]",
            "tac",
            qitech_sim::fees::AmountType::Percentage,
            dec("1.375"),
            Decimal::ZERO,
        )
        .is_ok()
    );
}

/// Every money field of the legacy body is refused with more than two decimals, naming it.
#[test]
fn every_legacy_money_field_is_in_cents() {
    let siape: serde_json::Value =
        serde_json::from_str(&fixture("siape/simulation_request.json")).expect("JSON");
    let mut v = siape.clone();
    v["financial"]["installment_face_value"] = serde_json::json!(150.001);
    assert_eq!(
        refusal(&v.to_string()),
        (
            qitech_sim::ErrorKind::Invalid,
            "financial.installment_face_value".into()
        )
    );
    let mut v = siape;
    v["refinanced_credit_operations"] =
        serde_json::json!([{"due_balance": 50.125, "original_deadline": 120}]);
    let (kind, field) = refusal(&v.to_string());
    assert_eq!(kind, qitech_sim::ErrorKind::Invalid);
    assert!(field.ends_with("due_balance"), "{field}");
}

/// The v2 body's amounts and fees follow the same rule, named by their v2 paths.
#[test]
fn v2_money_fields_are_in_cents() {
    let text = fixture("qi-examples/v2-sim-2025.request.v2.json");
    assert!(Service::new().simulate_json(&text).is_ok());
    let (kind, field) = refusal(&text.replace(
        "\"disbursed_issue_amount\": 35.9",
        "\"disbursed_issue_amount\": 35.905",
    ));
    assert_eq!(kind, qitech_sim::ErrorKind::Invalid);
    assert_eq!(field, "disbursed_issue_amount");
    // An internal percentage fee keeps its decimals.
    let text = text.replace(
        "{\"amount\": 0.2, \"amount_type\"",
        "{\"amount\": 0.125, \"amount_type\"",
    );
    assert!(Service::new().simulate_json(&text).is_ok());
}
