//! The v2 endpoint (`/v2/credit_operation/simulation`): shape detection, the fields whose
//! arithmetic is not implemented (refused, naming them), and the CLI answering a v2 body in the v2
//! shape under the `qi-v2` profile. The golden v2 example is in `tests/conventions.rs`.

use std::process::{Command, Stdio};

use qitech_sim::api;
use qitech_sim::conventions::{Conventions, Profile};
use qitech_sim::{ErrorKind, SimulationOptions};
use serde_json::{Value, json};

use crate::support::{json as json_file, read};

const BIN: &str = env!("CARGO_BIN_EXE_qitech-sim");
const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const V2_REQUEST: &str = "fixtures/qi-examples/v2-sim-2025.request.v2.json";

fn body(edit: impl FnOnce(&mut Value)) -> String {
    let mut v = json_file(V2_REQUEST);
    edit(&mut v);
    v.to_string()
}

fn qi_v2() -> SimulationOptions {
    SimulationOptions::new().conventions(Conventions::profile(Profile::QiV2))
}

#[test]
fn v2_shape_detection() {
    assert!(api::is_v2_body(&read(V2_REQUEST)));
    assert!(api::is_v2_body(&read(
        "fixtures/qi-examples/v2-sim-2025.request.json"
    )));
    assert!(!api::is_v2_body(&read(
        "fixtures/qi-examples/v2-sim-2025.request.reconstructed.json"
    )));
    assert!(!api::is_v2_body(&read(
        "fixtures/siape/simulation_request.json"
    )));
    assert!(!api::is_v2_body("not json"));
}

/// Each v2 field whose arithmetic is not implemented is refused naming it, never ignored.
#[test]
fn v2_refusals_name_the_field() {
    let cases: Vec<(String, &str, ErrorKind)> = vec![
        (
            body(|v| v["principal_amortization_month_period"] = json!(2)),
            "principal_amortization_month_period",
            ErrorKind::Unsupported,
        ),
        (
            body(|v| v["installments"] = json!([{"due_date": "2024-09-25"}])),
            "installments",
            ErrorKind::Unsupported,
        ),
        (
            body(|v| v["fees"][0]["amount"] = json!(5)),
            "fees[0].amount",
            ErrorKind::Unsupported,
        ),
        (
            body(|v| v["fees"][2]["type"] = json!("partner")),
            "fees[2].type",
            ErrorKind::Invalid,
        ),
        (
            body(|v| v["interest_grace_period"] = json!(1)),
            "interest_grace_period",
            ErrorKind::Unsupported,
        ),
        (
            body(|v| v["installment_face_value"] = json!(19.5)),
            "installment_face_value",
            ErrorKind::Conflict,
        ),
        (
            body(|v| {
                v.as_object_mut()
                    .map(|m| m.remove("disbursed_issue_amount"));
            }),
            "disbursed_issue_amount",
            ErrorKind::Missing,
        ),
        (
            body(|v| v["issuer_person_type"] = json!("alien")),
            "issuer_person_type",
            ErrorKind::Invalid,
        ),
    ];
    for (text, field, kind) in cases {
        let e = api::v2_simulate_json(&text, &qi_v2()).expect_err(field);
        assert_eq!((e.field(), e.kind()), (Some(field), kind), "{e}");
    }
    // `false` and `true` are both priced (the example's dates are business days: same numbers).
    let ok = body(|v| v["force_installments_on_workdays"] = json!(false));
    assert!(api::v2_simulate_json(&ok, &qi_v2()).is_ok());
    let moved = body(|v| v["force_installments_on_workdays"] = json!(true));
    assert_eq!(
        api::v2_simulate_json(&moved, &qi_v2()).expect("moved"),
        api::v2_simulate_json(&ok, &qi_v2()).expect("kept")
    );
    // The request carries its fees: configured fees are refused rather than mixed in.
    let pricing =
        api::pricing_from_json(&read("fixtures/siape/pricing.json"), "p").expect("pricing");
    let e = api::v2_simulate_json(&read(V2_REQUEST), &qi_v2().pricing(pricing)).expect_err("fees");
    assert_eq!(e.kind(), ErrorKind::Conflict);
}

/// A face-value v2 body and the default first due date.
#[test]
fn v2_face_value_and_default_first_due_date() {
    let text = body(|v| {
        let m = v.as_object_mut().expect("object");
        m.remove("disbursed_issue_amount");
        m.remove("first_due_date");
        m.insert("installment_face_value".into(), json!(19.5));
    });
    let r = api::v2_simulate_json(&text, &qi_v2()).expect("v2");
    // 2024-09-06 + 1 month = 10-06, a Sunday: the first due date is Monday 10-07.
    assert_eq!(r.first_due_date.to_string(), "2024-10-07");
    assert_eq!(r.installments[0].amount.0.to_string(), "19.5");
    let rows = &r.installments;
    let principal: qitech_sim::Decimal =
        rows.iter().map(|i| i.principal_amortization_amount.0).sum();
    assert_eq!(
        principal, r.issue_amount.0,
        "interest at 8 decimals on the rounded issue"
    );
}

fn cli(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(BIN)
        .args(args)
        .current_dir(ROOT)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot start {BIN}: {e}"));
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `qitech-sim simulate` answers a v2 body in the v2 shape under `qi-v2`, unless the configuration
/// names a profile; a `financial` body keeps the seeds' profile.
#[test]
fn cli_simulate_v2_body() {
    let (ok, out, err) = cli(&["simulate", V2_REQUEST, "--compact"]);
    assert!(ok, "{err}");
    let v: Value = serde_json::from_str(&out).expect("json");
    let want = json_file("fixtures/qi-examples/v2-sim-2025.response.json");
    for k in [
        "annual_cet",
        "cet",
        "assignment_amount",
        "base_iof",
        "additional_iof",
        "total_iof",
        "disbursed_amount",
    ] {
        assert_eq!(v[k], want[k], "{k}");
    }
    assert_eq!(
        v["installments"][0]["prefixed_amount"],
        want["installments"][0]["prefixed_amount"]
    );
    // A configuration naming qi-2023 keeps the seeds' rules for the v2 body too.
    let dir = std::env::temp_dir().join(format!("qitech-sim-v2-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let cfg = dir.join("config.json");
    std::fs::write(&cfg, r#"{"profile": "qi-2023"}"#).expect("write");
    let (ok, out, err) = cli(&[
        "simulate",
        V2_REQUEST,
        "--compact",
        "--config",
        cfg.to_str().expect("path"),
    ]);
    assert!(ok, "{err}");
    let v: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["base_iof"], json!(0.10114161891222642));
    assert_eq!(
        v["installments"][0]["prefixed_amount"],
        json!(1.5822747652649813)
    );
    let _ = std::fs::remove_dir_all(&dir);
    // The v2 shape prints JSON only.
    let (ok, _, err) = cli(&["simulate", V2_REQUEST, "--format", "table"]);
    assert!(!ok && err.contains("v2"), "{err}");
    // A `financial` body with a configuration's switches: the pt page's product base.
    let (ok, out, err) = cli(&[
        "simulate",
        "fixtures/qi-examples/pt-simulacao-2024.request.json",
        "--compact",
        "--config",
        "fixtures/qi-examples/pt-simulacao-2024.config.json",
    ]);
    assert!(ok, "{err}");
    let v: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(
        v["data"]["prefixed_interest_rate"]["interest_base"],
        json!("calendar_days_365")
    );
    assert_eq!(
        v["data"]["prefixed_interest_rate"]["daily_rate"],
        json!(0.00054142)
    );
    // `debt` has no v2 shape: it says so.
    let (ok, _, err) = cli(&["debt", V2_REQUEST]);
    assert!(!ok && err.contains("v2 simulation body"), "{err}");
    // The printed request sends force_installments_on_workdays: true: its due dates are moved to
    // business days before the days are counted.
    let (ok, out, err) = cli(&["simulate", "fixtures/qi-examples/v2-sim-2025.request.json"]);
    assert!(ok, "{err}");
    let v: Value = serde_json::from_str(&out).expect("json");
    for i in v["installments"].as_array().expect("installments") {
        let due: chrono::NaiveDate = i["due_date"].as_str().expect("date").parse().expect("date");
        assert!(
            qitech_sim::calendar::BrazilCalendar::national()
                .is_business_day(due)
                .expect("in range"),
            "{due} is a business day"
        );
    }
}
