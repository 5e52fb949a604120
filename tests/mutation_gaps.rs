//! Tests for mutation gaps (issue #24, item 10). The request reader's edges (the mutants a sample
//! of the reader left alive): a request with no amount at all, exactly 600 `due_dates` or `desired_installments` (and 601),
//! the edges of the disbursement window, a fee whose `type` and `class` disagree, and counts
//! written as floats (`12.0`). The portability chain's setters and refusals (`src/portability.rs`).
//! Each case asserts the loan read (numbers) or the exact error (kind and field).

use qitech_sim::ErrorKind;
use qitech_sim::api::{self, Service};
use serde_json::{Value, json};

use crate::support::json as json_file;

const SIAPE: &str = "fixtures/siape/simulation_request.json";

/// The SIAPE request with `edit` applied to its `financial` object.
fn siape(edit: impl FnOnce(&mut serde_json::Map<String, Value>)) -> String {
    let mut v = json_file(SIAPE);
    if let Some(fin) = v["financial"].as_object_mut() {
        edit(fin);
    }
    v.to_string()
}

/// The error of reading and pricing `text`: `(kind, field)`.
fn refusal(text: &str) -> (ErrorKind, String) {
    let s = Service::new();
    let e = s
        .read_simulation(text)
        .and_then(|b| s.simulate_body(&b).map(|_| ()))
        .expect_err("refused");
    (e.kind(), e.field().unwrap_or_default().to_string())
}

fn read(text: &str) -> api::SimulationBody {
    Service::new().read_simulation(text).expect("read")
}

/// Monthly due dates from 2023-04-07, `n` of them.
fn monthly_dates(n: u32) -> Vec<String> {
    let first = chrono::NaiveDate::from_ymd_opt(2023, 4, 7).expect("date");
    (0..n)
        .map(|k| {
            first
                .checked_add_months(chrono::Months::new(k))
                .expect("in range")
                .to_string()
        })
        .collect()
}

/// No amount field at all: missing, named by the first amount field QI documents.
#[test]
fn a_request_with_no_amount_is_missing_installment_face_value() {
    let text = siape(|f| {
        f.remove("installment_face_value");
    });
    assert_eq!(
        refusal(&text),
        (
            ErrorKind::Missing,
            "financial.installment_face_value".into()
        )
    );
}

/// Exactly 600 due dates are read (600 installments); 601 are refused naming `due_dates` with
/// the count.
#[test]
fn six_hundred_due_dates_are_read_and_601_refused() {
    let body = |n: u32| {
        siape(|f| {
            f.remove("first_due_date");
            f.remove("number_of_installments");
            f.insert("due_dates".into(), json!(monthly_dates(n)));
        })
    };
    let b = read(&body(600));
    assert_eq!(b.terms().number_of_installments, 600);
    let e = Service::new()
        .read_simulation(body(601).as_str())
        .expect_err("601 dates");
    assert_eq!(
        (e.kind(), e.field()),
        (ErrorKind::OutOfRange, Some("financial.due_dates"))
    );
    assert!(e.to_string().contains("601"), "{e}");
    // The count, when given, must match the list.
    let text = siape(|f| {
        f.remove("first_due_date");
        f.insert("number_of_installments".into(), json!(3));
        f.insert("due_dates".into(), json!(monthly_dates(2)));
    });
    assert_eq!(
        refusal(&text),
        (
            ErrorKind::Conflict,
            "financial.number_of_installments".into()
        )
    );
    // An empty list is refused.
    let text = siape(|f| {
        f.remove("first_due_date");
        f.insert("due_dates".into(), json!([]));
    });
    assert_eq!(
        refusal(&text),
        (ErrorKind::OutOfRange, "financial.due_dates".into())
    );
}

/// Exactly 600 desired installments are read (600 installments, the amounts as given); 601 are
/// refused naming `desired_installments` with the count; none is refused too.
#[test]
fn six_hundred_desired_installments_are_read_and_601_refused() {
    let body = |n: u32| {
        siape(|f| {
            for k in [
                "first_due_date",
                "number_of_installments",
                "installment_face_value",
            ] {
                f.remove(k);
            }
            let items: Vec<Value> = monthly_dates(n)
                .into_iter()
                .map(|d| json!({"total_amount": 10.5, "due_date": d}))
                .collect();
            f.insert("desired_installments".into(), Value::Array(items));
        })
    };
    let b = read(&body(600));
    assert_eq!(b.terms().number_of_installments, 600);
    // Priced: 600 installments of the totals given.
    let priced: Value =
        serde_json::from_str(&Service::new().simulate_json(&body(600)).expect("priced"))
            .expect("json");
    let installments = priced["data"]["disbursement_options"][0]["installments"]
        .as_array()
        .expect("installments");
    assert_eq!(installments.len(), 600);
    assert!(
        installments
            .iter()
            .all(|i| i["total_amount"] == json!(10.5))
    );
    let e = Service::new()
        .read_simulation(body(601).as_str())
        .expect_err("601 installments");
    assert_eq!(
        (e.kind(), e.field()),
        (
            ErrorKind::OutOfRange,
            Some("financial.desired_installments")
        )
    );
    assert!(e.to_string().contains("601"), "{e}");
    // Counted as installments (the reader's array cap is one above, so the count check speaks).
    assert!(e.to_string().contains("at most 600 installments"), "{e}");
    assert_eq!(
        refusal(&body(0)),
        (
            ErrorKind::OutOfRange,
            "financial.desired_installments".into()
        )
    );
}

/// The disbursement window: an end on the start (0 days) and at the longest span are read with
/// those days; one day more, or an end before the start, is refused naming the end; a window
/// next to `disbursement_date` or `limit_days_to_disburse` is a conflict naming that key.
#[test]
fn the_disbursement_window_edges() {
    let max = qitech_sim::simulation::MAX_LIMIT_DAYS;
    let start = chrono::NaiveDate::from_ymd_opt(2023, 3, 14).expect("date");
    let window = |days: i64| {
        siape(|f| {
            f.remove("disbursement_date");
            f.remove("limit_days_to_disburse");
            // The first due date after the window's last day.
            f.insert("first_due_date".into(), json!("2023-12-07"));
            f.insert("disbursement_start_date".into(), json!(start.to_string()));
            let end = start + chrono::Duration::days(days);
            f.insert("disbursement_end_date".into(), json!(end.to_string()));
        })
    };
    for days in [0, 1, i64::from(max)] {
        let b = read(&window(days));
        assert_eq!(b.terms().disbursement_date, start, "{days}");
        assert_eq!(b.terms().limit_days_to_disburse as i64, days);
    }
    for days in [i64::from(max) + 1, -1] {
        let e = Service::new()
            .read_simulation(window(days).as_str())
            .expect_err("outside the window");
        assert_eq!(
            (e.kind(), e.field()),
            (
                ErrorKind::OutOfRange,
                Some("financial.disbursement_end_date")
            ),
            "{days}"
        );
    }
    for (key, value) in [
        ("disbursement_date", json!("2023-03-14")),
        ("limit_days_to_disburse", json!(2)),
    ] {
        let mut v: Value = serde_json::from_str(&window(3)).expect("json");
        v["financial"][key] = value;
        let e = Service::new()
            .read_simulation(v.to_string().as_str())
            .expect_err("both forms");
        assert_eq!(
            (e.kind(), e.field().map(str::to_string)),
            (ErrorKind::Conflict, Some(format!("financial.{key}")))
        );
    }
    // Only one end given: the other is missing.
    let only_start = siape(|f| {
        f.remove("disbursement_date");
        f.remove("limit_days_to_disburse");
        f.insert("disbursement_start_date".into(), json!("2023-03-14"));
    });
    assert_eq!(
        refusal(&only_start),
        (ErrorKind::Missing, "financial.disbursement_end_date".into())
    );
    let only_end = siape(|f| {
        f.remove("disbursement_date");
        f.remove("limit_days_to_disburse");
        f.insert("disbursement_end_date".into(), json!("2023-03-14"));
    });
    assert_eq!(
        refusal(&only_end),
        (
            ErrorKind::Missing,
            "financial.disbursement_start_date".into()
        )
    );
}

/// A pricing fee whose `type` and `class` disagree is a conflict naming `class`; when they agree
/// the fee is an assignment-only fee; an external fee with a class is refused naming it.
#[test]
fn a_fee_whose_type_and_class_disagree() {
    let fee = |extra: Value| {
        let mut f = json!({"fee_type": "spread", "amount_type": "percentage", "amount": 0.2});
        if let (Some(m), Value::Object(e)) = (f.as_object_mut(), extra) {
            m.extend(e);
        }
        json!({ "contract_fees": [f] }).to_string()
    };
    let e = api::pricing_from_json(
        &fee(json!({"type": "internal", "class": "deducted"})),
        "config",
    )
    .expect_err("disagree");
    assert_eq!(
        (e.kind(), e.field()),
        (ErrorKind::Conflict, Some("contract_fees[0].class"))
    );
    let agree = api::pricing_from_json(
        &fee(json!({"type": "internal", "class": "assignment_only"})),
        "config",
    )
    .expect("agree");
    let by_type =
        api::pricing_from_json(&fee(json!({"type": "internal"})), "config").expect("type");
    let by_class =
        api::pricing_from_json(&fee(json!({"class": "assignment_only"})), "config").expect("class");
    assert_eq!(agree, by_type);
    assert_eq!(agree, by_class);
    let plain = api::pricing_from_json(&fee(json!({"type": "contract"})), "config").expect("plain");
    assert_ne!(plain, agree);
    assert_eq!(
        plain,
        api::pricing_from_json(&fee(json!({})), "config").expect("none")
    );
    // The assignment-only spread is added to the assignment amount, not deducted: 100 disbursed
    // under each.
    let external = json!({"external_contract_fees": [{"fee_type": "spread", "amount_type":
        "percentage", "amount": 1, "tax_rate": 0.0925, "class": "assignment_only"}]});
    let e = api::pricing_from_json(&external.to_string(), "config").expect_err("external class");
    assert_eq!(
        (e.kind(), e.field()),
        (ErrorKind::Invalid, Some("external_contract_fees[0].class"))
    );
}

/// Counts written as floats: `12.0` is 12; `12.5`, `-1.0` and `1e10` are refused as wrong types
/// naming the field.
#[test]
fn counts_written_as_floats() {
    let with = |n: Value| {
        siape(|f| {
            f.insert("number_of_installments".into(), n);
        })
    };
    assert_eq!(read(&with(json!(12.0))).terms().number_of_installments, 12);
    assert_eq!(
        read(&with(json!(12.0))).terms(),
        read(&with(json!(12))).terms()
    );
    let text = siape(|f| {
        f.insert("limit_days_to_disburse".into(), json!(2.0));
    });
    assert_eq!(read(&text).terms().limit_days_to_disburse, 2);
    for bad in [
        json!(12.5),
        json!(-1.0),
        json!(1e10),
        json!(-1),
        json!("12"),
    ] {
        let e = Service::new()
            .read_simulation(with(bad.clone()).as_str())
            .expect_err("not a count");
        assert_eq!(
            (e.kind(), e.field()),
            (
                ErrorKind::WrongType,
                Some("financial.number_of_installments")
            ),
            "{bad}"
        );
    }
    // 4294967295.0 is a u32; 4294967296.0 is not.
    let e = Service::new()
        .read_simulation(with(json!(4_294_967_296.0)).as_str())
        .expect_err("past u32");
    assert_eq!(e.kind(), ErrorKind::WrongType);
    let e = Service::new()
        .read_simulation(with(json!(4_294_967_295.0)).as_str())
        .expect_err("past 600");
    assert_eq!(
        (e.kind(), e.field()),
        (
            ErrorKind::OutOfRange,
            Some("financial.number_of_installments")
        )
    );
}

// ---------------------------------------------------------------------------------------------
// src/portability.rs

fn payroll(limit: u32) -> qitech_sim::portability::PayrollTerms {
    use qitech_sim::rate::{InterestBase, InterestRate, MonthlyRate, RateInput};
    let rate = InterestRate::new(
        RateInput::Monthly(MonthlyRate::new("0.018".parse().expect("rate")).expect("rate")),
        InterestBase::CalendarDays,
    )
    .expect("rate");
    qitech_sim::portability::PayrollTerms::new(
        "350".parse().expect("face"),
        84,
        rate,
        chrono::NaiveDate::from_ymd_opt(2023, 5, 7).expect("date"),
    )
    .expect("payroll")
    .limit_days_to_disburse(limit)
}

fn chain(
    limit: u32,
    bridge_days: Option<u32>,
) -> qitech_sim::Result<qitech_sim::portability::Portability> {
    use qitech_sim::portability::{PortabilityTerms, portability};
    let mut t = PortabilityTerms::new(
        "10000".parse().expect("balance"),
        qitech_sim::rate::AnnualRate::new("0.20983".parse().expect("rate")).expect("rate"),
        chrono::NaiveDate::from_ymd_opt(2023, 3, 17).expect("date"),
        payroll(limit),
    )?;
    if let Some(d) = bridge_days {
        t = t.bridge_delay_days(d);
    }
    portability(&t, &qitech_sim::SimulationOptions::new())
}

/// The bridge's term is 5 days unless set; a term of 0 is refused naming the bridge delay.
#[test]
fn the_bridge_delay_is_applied_and_zero_refused() {
    let default = chain(0, None).expect("chain");
    assert_eq!(
        default.bridge.term_days(),
        qitech_sim::portability::BRIDGE_DELAY_DAYS
    );
    let seven = chain(0, Some(7)).expect("chain");
    assert_eq!(seven.bridge.term_days(), 7);
    assert_eq!(
        seven.bridge.due_date(),
        chrono::NaiveDate::from_ymd_opt(2023, 3, 24).expect("date")
    );
    // A longer bridge accrues more: a larger issue and installment.
    assert!(seven.bridge.installment_total() > default.bridge.installment_total());
    let e = chain(0, Some(0)).expect_err("zero days");
    assert_eq!(
        (e.kind(), e.field()),
        (ErrorKind::OutOfRange, Some("bridge_first_due_date_delay"))
    );
    let one = chain(0, Some(1)).expect("one day");
    assert_eq!(one.bridge.term_days(), 1);
}

/// The payroll loan's `limit_days_to_disburse` is applied: one disbursement option per day.
#[test]
fn the_payroll_window_is_applied() {
    assert_eq!(chain(0, None).expect("chain").payroll.options.len(), 1);
    let three = chain(3, None).expect("chain");
    assert_eq!(three.payroll.options.len(), 4);
    assert_eq!(three.payroll_terms.limit_days_to_disburse, 3);
}

/// A missing required field next to an unknown key that does not explain it is reported as
/// missing (the unknown key is only blamed when it is the field misspelt).
#[test]
fn a_missing_field_beside_an_unrelated_unknown_key_is_missing() {
    let mut v = json_file(SIAPE);
    if let Some(fin) = v["financial"].as_object_mut() {
        fin.remove("number_of_installments");
    }
    v["zzzz"] = json!(1);
    assert_eq!(
        refusal(&v.to_string()),
        (
            ErrorKind::Missing,
            "financial.number_of_installments".into()
        )
    );
}

/// `operation_batch` or `complex_operation` alone is refused naming it (either one, not only both).
#[test]
fn one_envelope_key_alone_is_refused() {
    for key in ["operation_batch", "complex_operation"] {
        let mut v = json_file(SIAPE);
        v[key] = json!([{}]);
        assert_eq!(
            refusal(&v.to_string()),
            (ErrorKind::Unsupported, key.into()),
            "{key}"
        );
    }
}

/// A first explicit due date on or before the disbursement is refused naming the date the body
/// gave (`due_dates[0]`, `desired_installments[0].due_date`), not a `first_due_date` it does not
/// have (the reader used to turn the first explicit date into one).
#[test]
fn an_early_explicit_due_date_is_named_as_given() {
    let mut v = json_file("fixtures/surface/due_dates.request.json");
    v["financial"]["due_dates"][0] = json!("2023-03-14");
    assert_eq!(
        refusal(&v.to_string()),
        (ErrorKind::OutOfRange, "financial.due_dates[0]".into())
    );
    let text = siape(|fin| {
        fin.remove("installment_face_value");
        fin.remove("first_due_date");
        fin.remove("number_of_installments");
        fin.insert(
            "desired_installments".into(),
            json!([
                {"total_amount": 100, "due_date": "2023-04-07"},
                {"total_amount": 100, "due_date": "2023-04-07"}
            ]),
        );
    });
    assert_eq!(
        refusal(&text),
        (
            ErrorKind::OutOfRange,
            "financial.desired_installments[1].due_date".into()
        )
    );
}

/// Unknown keys are found inside the nested objects and arrays of `financial`
/// (`fine_configuration`, `rebates[]`), named with their path and the nearest known key.
#[test]
fn unknown_keys_in_nested_objects_and_arrays_are_named() {
    let mut v = json_file("fixtures/surface/due_dates.request.json");
    v["financial"]["fine_configuration"]["monthly_rat"] = json!(0.01);
    assert_eq!(
        refusal(&v.to_string()),
        (
            ErrorKind::Invalid,
            "financial.fine_configuration.monthly_rat".into()
        )
    );
    let text = siape(|fin| {
        fin.insert(
            "rebates".into(),
            json!([{"fee_type": "tac", "amount_type": "absolute", "amount": 1, "amout": 2}]),
        );
    });
    assert_eq!(
        refusal(&text),
        (ErrorKind::Invalid, "financial.rebates[0].amout".into())
    );
}
