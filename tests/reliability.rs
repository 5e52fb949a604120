//! Regression tests of issue #14's reproducers (P1–P3, N1–N3, E1–E4, K1, R1; the batch ones are in
//! `batch.rs`), each named after its id, and the schedule identity as a property over random valid
//! requests, negative and very high rates included.

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use crate::support::{round_cents, round_interest};
use proptest::prelude::*;
use qitech_sim::api::{self, SimulationRequest};
use qitech_sim::schedule::Grid;
use qitech_sim::{
    Amount, Decimal, DelayUnit, Error, ErrorKind, OptionDays, SimulationOptions, simulate,
};
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_qitech-sim");
const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn fixture(path: &str) -> String {
    let p = PathBuf::from(ROOT).join("fixtures").join(path);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()))
}

fn siape() -> Value {
    serde_json::from_str(&fixture("siape/simulation_request.json")).expect("SIAPE is JSON")
}

fn with_fin(key: &str, value: Value) -> String {
    let mut v = siape();
    v["financial"][key] = value;
    v.to_string()
}

fn run(args: &[std::ffi::OsString]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(ROOT)
        .env_remove("RUST_BACKTRACE")
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {BIN}: {e}"))
}

fn args(a: &[&str]) -> Vec<std::ffi::OsString> {
    a.iter().map(Into::into).collect()
}

/// Exit 0 with JSON on stdout, or exit 2 with one short line on stderr: never a panic or an abort.
fn assert_answered(out: &Output, what: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    match out.status.code() {
        Some(0) => assert!(
            serde_json::from_slice::<Value>(&out.stdout).is_ok(),
            "{what}: stdout is not JSON"
        ),
        Some(2) => {
            assert!(out.stdout.is_empty(), "{what}: stdout on failure");
            assert_eq!(stderr.lines().count(), 1, "{what}: stderr {stderr}");
            assert!(stderr.len() < 400, "{what}: long stderr line {stderr}");
        }
        other => panic!("{what}: exit {other:?}: {stderr}"),
    }
}

fn err(text: &str) -> Error {
    match api::simulate_json(text, &SimulationOptions::new(), None) {
        Ok(_) => panic!("accepted: {}", &text[..text.len().min(200)]),
        Err(e) => e,
    }
}

// ---------------------------------------------------------------------------------------------
// P1–P3

/// P1/P2, library: the fuzz cases whose CET percentage once overflowed answer without unwinding.
#[test]
fn p1_p2_debt_json_with_extreme_fees_answers() {
    for name in ["capacity", "mul-overflow"] {
        let text = fixture(&format!(
            "reliability/fuzz-panic-debt_json-percent_pt_br-{name}.txt"
        ));
        let pricing = text
            .split("pricing_json=")
            .nth(1)
            .and_then(|s| s.lines().next())
            .expect("pricing line");
        let input = text.split("--- input ---\n").nth(1).expect("input");
        // A percentage fee above 100 % (the capacity case's external 106,081 %) is now refused
        // as the pricing is read, naming the fee: an answer too.
        let pricing = match api::pricing_from_json(pricing, "pricing") {
            Ok(p) => p,
            Err(e) => {
                assert!(
                    e.field().is_some_and(|f| f.ends_with("fees[0].amount")),
                    "{name}: {e}"
                );
                continue;
            }
        };
        let mut options = SimulationOptions::new().pricing(pricing);
        if text.contains("delay=business") {
            options = options.delay_unit(DelayUnit::BusinessDays);
        }
        if text.contains("option_days=business") {
            options = options.option_days(OptionDays::BusinessDays);
        }
        let outcome = std::panic::catch_unwind(|| {
            api::debt_json(input.trim(), &options).map(|d| serde_json::to_string(&d).is_ok())
        });
        assert!(outcome.is_ok(), "{name}: debt_json unwound");
    }
}

/// P1/P2, CLI: `debt` with a 58 % and a 55 % TAC answers (exit 0 or 2), never a panic.
#[test]
fn p1_p2_debt_cli_with_large_tac_answers() {
    for tac in ["tac58", "tac55"] {
        let out = run(&args(&[
            "debt",
            "fixtures/personal_credit/simulation_request.json",
            "--config",
            &format!("fixtures/reliability/pricing-{tac}.json"),
        ]));
        assert_answered(&out, tac);
    }
}

/// P3: a non-UTF-8 argument is refused with exit 2 and one line, for every command.
#[cfg(unix)]
#[test]
fn p3_non_utf8_argument_is_refused() {
    use std::os::unix::ffi::OsStringExt;
    for cmd in ["simulate", "debt", "portability", "batch"] {
        let out = run(&[
            cmd.into(),
            std::ffi::OsString::from_vec(b"\xff.json".to_vec()),
        ]);
        assert_eq!(out.status.code(), Some(2), "{cmd}");
        assert_eq!(String::from_utf8_lossy(&out.stderr).lines().count(), 1);
    }
}

// ---------------------------------------------------------------------------------------------
// N1–N3

/// N1: amounts above 2⁵³ cents print as integers (never `123.0`) and read back to themselves.
#[test]
fn n1_large_amounts_print_as_integers() {
    let text = fixture("reliability/large-amount-f64-printing.json");
    let response = api::simulate_json(&text, &SimulationOptions::new(), None).expect("priced");
    let printed = serde_json::to_string(&response).expect("serialises");
    let mut number = String::new();
    for c in printed.chars().chain([',']) {
        if c.is_ascii_digit() || c == '.' || c == '-' || c == 'e' || c == '+' {
            number.push(c);
        } else {
            assert!(!number.ends_with(".0"), "{number} printed with .0");
            number.clear();
        }
    }
    let again: Value = serde_json::from_str(&printed).expect("JSON");
    assert_eq!(again.to_string(), printed, "the output is a fixed point");
}

/// N2: an unreachable target change is a NoSolution naming the option, found below MAX_AMOUNT.
#[test]
fn n2_target_change_search_is_capped() {
    let request = api::PortabilityRequest::from_json(&fixture("airforce/portability.json"), "t")
        .expect("request");
    let target: Decimal = "100000000000000000".parse().expect("decimal");
    let e = api::target_change(&request, target, &SimulationOptions::new()).expect_err("none");
    assert_eq!(e.kind(), ErrorKind::NoSolution);
    assert_eq!(e.field(), Some("target_change"));
}

/// N3: with a −13.6 % monthly rate the identity `total = principal + interest` holds exactly on
/// every installment of every option (it missed by 1e-28 where the principal needed 29 digits).
#[test]
fn n3_negative_rate_keeps_the_total_identity() {
    let request =
        SimulationRequest::from_json(&fixture("reliability/negative-rate-identity.json"), "t")
            .expect("request");
    let pricing = api::pricing_from_json(
        &fixture("reliability/negative-rate-identity-pricing.json"),
        "p",
    )
    .expect("pricing");
    let options = SimulationOptions::new()
        .pricing(pricing)
        .delay_unit(DelayUnit::BusinessDays)
        .option_days(OptionDays::BusinessDays);
    let sim = simulate(&request.terms, &options).expect("priced");
    assert!(sim.options.len() > 1);
    for (o, q) in sim.options.iter().enumerate() {
        for i in &q.schedule.installments {
            assert_eq!(
                i.principal_amortization_amount + i.pre_fixed_amount,
                i.total_amount,
                "option {o}, installment {}",
                i.period.number
            );
        }
    }
    // The same loan in face-value mode: interest and principal stay on 10 decimals.
    let mut terms = request.terms.clone();
    terms.amount = Amount::InstallmentFaceValue(Decimal::new(194, 2));
    let sim = simulate(&terms, &SimulationOptions::new()).expect("priced");
    for q in &sim.options {
        for i in &q.schedule.installments {
            assert_eq!(round_interest(i.pre_fixed_amount), i.pre_fixed_amount);
            assert_eq!(
                i.principal_amortization_amount + i.pre_fixed_amount,
                i.total_amount
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// E1–E4

/// E1: a rate whose growth leaves the decimal range names the rate field and its value as given.
#[test]
fn e1_rate_errors_name_the_input_field() {
    let mut v = siape();
    v["financial"]["monthly_interest_rate"] = json!(-0.5);
    v["financial"]["number_of_installments"] = json!(120);
    let e = err(&v.to_string());
    assert_eq!(e.field(), Some("financial.monthly_interest_rate"), "{e}");
    assert_eq!(e.value().as_deref(), Some("-0.5"));

    let mut v = siape();
    let f = v["financial"].as_object_mut().expect("financial");
    f.remove("monthly_interest_rate");
    f.insert("annual_interest_rate".into(), json!(-0.9999));
    f.insert("number_of_installments".into(), json!(600));
    if let Err(e) = api::simulate_json(&v.to_string(), &SimulationOptions::new(), None) {
        assert!(e.field().is_some(), "{e}");
        assert!(!e.to_string().contains("financial.interest_rate"), "{e}");
    }

    // 0.01 a month at 216 % over 120 installments: answered naming an input field.
    let mut v = siape();
    v["financial"]["monthly_interest_rate"] = json!(2.16);
    v["financial"]["installment_face_value"] = json!(0.01);
    v["financial"]["number_of_installments"] = json!(120);
    let e = err(&v.to_string());
    assert!(
        e.field().is_some_and(|f| f.starts_with("financial.")),
        "{e}"
    );
}

/// E1: a business-day delay beyond the calendar names the delay, not the calendar.
#[test]
fn e1_business_delay_beyond_the_calendar_names_the_delay() {
    let mut v = siape();
    let f = v["financial"].as_object_mut().expect("financial");
    f.remove("first_due_date");
    f.insert("first_due_date_delay".into(), json!(4_000_000_000_u64));
    let options = SimulationOptions::new().delay_unit(DelayUnit::BusinessDays);
    let e = api::simulate_json(&v.to_string(), &options, None).expect_err("refused");
    assert_eq!(e.field(), Some("financial.first_due_date_delay"), "{e}");
}

/// E2: a 1,000,000-character value gives a short message.
#[test]
fn e2_long_values_are_truncated() {
    let e = err(&with_fin("interest_type", json!("x".repeat(1_000_000))));
    assert_eq!(e.kind(), ErrorKind::Unsupported);
    assert!(e.to_string().len() < 200, "{} bytes", e.to_string().len());
    let e = err(&with_fin("disbursement_date", json!("é".repeat(100_000))));
    assert!(e.to_string().len() < 300);
}

/// E3: a repeated key is refused, naming the key's path, in requests, pricing files and the
/// portability input.
#[test]
fn e3_duplicate_keys_are_refused() {
    let text = with_fin("number_of_installments", json!(2)).replacen(
        "\"number_of_installments\":2",
        "\"number_of_installments\":2,\"number_of_installments\":7",
        1,
    );
    assert!(text.contains("\"number_of_installments\":7"));
    let e = err(&text);
    assert_eq!(e.kind(), ErrorKind::Conflict);
    assert_eq!(e.field(), Some("financial.number_of_installments"));

    let v = siape();
    let fin = v["financial"].to_string();
    let text = format!("{{\"financial\":{fin},\"financial\":{fin}}}");
    let e = err(&text);
    assert_eq!(
        (e.kind(), e.field()),
        (ErrorKind::Conflict, Some("financial"))
    );

    let pricing = r#"{"contract_fees":[{"fee_type":"tac","fee_type":"x","amount_type":"absolute","amount":1}]}"#;
    let e = api::pricing_from_json(pricing, "config").expect_err("refused");
    assert_eq!(e.field(), Some("contract_fees[0].fee_type"));

    let p = fixture("airforce/portability.json").replacen(
        "\"number_of_installments\": 96,",
        "\"number_of_installments\": 96, \"number_of_installments\": 12,",
        1,
    );
    let e = api::portability_json(&p, &SimulationOptions::new()).expect_err("refused");
    assert_eq!(e.field(), Some("number_of_installments"));
}

/// E4: dates are strictly `YYYY-MM-DD`; numbers that underflow are refused; stdin is read once.
#[test]
fn e4_strict_dates_numbers_and_one_stdin() {
    for bad in [
        "2023-3-4",
        "+2023-03-14",
        " 2023-03-14 ",
        "2023-03-14 ",
        "20230-3-14",
        "2023-02-30",
    ] {
        let e = err(&with_fin("disbursement_date", json!(bad)));
        assert_eq!(e.kind(), ErrorKind::Invalid, "{bad}");
        assert_eq!(e.field(), Some("financial.disbursement_date"), "{bad}");
    }
    assert!(api::parse_date("2023-03-14", "d").is_ok());
    assert!(api::parse_date("٢٠٢٣-03-14", "d").is_err());

    let text = with_fin("monthly_interest_rate", json!(0.5)).replace("0.5", "1e-400");
    let e = err(&text);
    assert_eq!(e.kind(), ErrorKind::OutOfRange);
    assert_eq!(e.field(), Some("financial.monthly_interest_rate"));
    for tiny in [json!(1e-30), json!("0.000000000000000000000000000001")] {
        let e = err(&with_fin("monthly_interest_rate", tiny));
        assert_eq!(e.field(), Some("financial.monthly_interest_rate"));
    }
    let e = err(&with_fin("monthly_interest_rate", json!(0.5)).replace("0.5", "1e400"));
    assert_eq!(e.kind(), ErrorKind::InvalidJson);

    for a in [
        &["simulate", "-", "--config", "-"][..],
        &["debt", "-", "--config", "-"],
        &["portability", "-", "--config", "-"],
        &["batch", "--config", "-"],
    ] {
        let out = run(&args(a));
        assert_eq!(out.status.code(), Some(2), "{a:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("--config"), "{stderr}");
    }
}

// ---------------------------------------------------------------------------------------------
// K1, R1

/// K1: the key changes with the requester key, the collaterals and the pricing.
#[test]
fn k1_key_hashes_the_whole_request() {
    let key = |text: &str, options: &SimulationOptions| {
        api::simulate_json(text, options, None).expect("priced").key
    };
    let plain = SimulationOptions::new();
    let base = key(&siape().to_string(), &plain);
    let mut v = siape();
    v["requester_identifier_key"] = json!("abc");
    assert_ne!(key(&v.to_string(), &plain), base);
    let mut v = siape();
    v["collaterals"][0]["collateral_data"] = json!({"registration_code": "1"});
    assert_ne!(key(&v.to_string(), &plain), base);
    let priced = SimulationOptions::new()
        .pricing(api::pricing_from_json(&fixture("siape/pricing.json"), "p").expect("pricing"));
    assert_ne!(key(&siape().to_string(), &priced), base);
}

/// R1: arrays are capped (refinanced operations, collaterals, fees), naming the array.
#[test]
fn r1_arrays_are_capped() {
    let mut v = siape();
    v["refinanced_credit_operations"] = json!(vec![
        json!({"due_balance": 1});
        qitech_sim::simulation::MAX_REFINANCED + 1
    ]);
    let e = err(&v.to_string());
    assert_eq!(e.kind(), ErrorKind::OutOfRange);
    assert_eq!(e.field(), Some("refinanced_credit_operations"));

    let mut v = siape();
    v["collaterals"] = json!(vec![
        json!({"collateral_type": "federal_payroll"});
        api::MAX_COLLATERALS + 1
    ]);
    assert_eq!(err(&v.to_string()).field(), Some("collaterals"));
    let mut v = siape();
    v["collaterals"] = json!(vec![
        json!({"collateral_type": "federal_payroll"});
        api::MAX_COLLATERALS
    ]);
    assert!(api::simulate_json(&v.to_string(), &SimulationOptions::new(), None).is_ok());

    let fee = json!({"fee_type": "tac", "amount_type": "absolute", "amount": 1});
    let many = json!({"contract_fees": vec![fee.clone(); api::MAX_FEES + 1]}).to_string();
    let e = api::pricing_from_json(&many, "config").expect_err("capped");
    assert_eq!(e.field(), Some("contract_fees"));
    let ok = json!({"external_contract_fees": vec![fee; api::MAX_FEES]}).to_string();
    assert!(api::pricing_from_json(&ok, "config").is_ok());
}

// ---------------------------------------------------------------------------------------------
// The identity over random valid requests

prop_compose! {
    fn request_text()(
        face in any::<bool>(),
        cents in 1_000_i64..=50_000_000,
        // −20 % to +30 % a month, in millionths.
        monthly in -200_000_i64..=300_000,
        base in prop_oneof![Just("calendar_days"), Just("calendar_days_365"), Just("workdays")],
        n in prop_oneof![1 => 1_u32..=3, 3 => 1_u32..=120],
        start in 0_u64..3_000,
        delay in 1_u32..=70,
        limit in 0_u32..=4,
    ) -> String {
        let date = |days: u64| {
            chrono::NaiveDate::from_ymd_opt(2010, 1, 4)
                .and_then(|d| d.checked_add_days(chrono::Days::new(days)))
                .map(|d| d.to_string())
                .unwrap_or_default()
        };
        let amount = if face { "installment_face_value" } else { "disbursed_amount" };
        json!({"financial": {
            amount: Decimal::new(cents, 2).to_string(),
            "monthly_interest_rate": Decimal::new(monthly, 6).to_string(),
            "interest_base": base,
            "number_of_installments": n,
            "disbursement_date": date(start),
            "first_due_date": date(start + u64::from(delay)),
            "limit_days_to_disburse": limit,
        }})
        .to_string()
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, failure_persistence: None, ..ProptestConfig::default() })]

    /// `total = principal + interest` exactly on every installment; face value: interest on 10
    /// decimals and Σ principal = round10(PV); disbursed: |Σ principal − issue| ≤ 0.005.
    #[test]
    fn total_is_principal_plus_interest(text in request_text()) {
        let request = match SimulationRequest::from_json(&text, "request") {
            Ok(r) => r,
            Err(e) => {
                prop_assert!(e.field().is_some(), "{}", e);
                return Ok(());
            }
        };
        let sim = match simulate(&request.terms, &SimulationOptions::new()) {
            Ok(s) => s,
            Err(e) => {
                prop_assert!(
                    e.field().is_some() || matches!(e, Error::CetNoRoot { .. }),
                    "{}", e
                );
                return Ok(());
            }
        };
        for q in &sim.options {
            let s = &q.schedule;
            for i in &s.installments {
                prop_assert_eq!(
                    i.principal_amortization_amount + i.pre_fixed_amount,
                    i.total_amount,
                    "installment {}", i.period.number
                );
            }
            let sum: Decimal = s.installments.iter().map(|i| i.principal_amortization_amount).sum();
            match request.terms.amount {
                Amount::InstallmentFaceValue(f) => {
                    let grid = Grid::new(
                        &request.terms.rate,
                        s.installments.iter().map(|i| i.period).collect(),
                    ).expect("grid");
                    let pv = f * grid.discount_sum();
                    prop_assert_eq!(s.issue_amount, round_cents(pv));
                    prop_assert_eq!(sum, round_interest(pv), "Σ principal = round10(PV)");
                    for i in &s.installments {
                        prop_assert_eq!(i.total_amount, f);
                        prop_assert!(i.pre_fixed_amount.normalize().scale() <= 10);
                    }
                }
                Amount::Disbursed(_) | Amount::Issue(_) => {
                    prop_assert!(
                        (sum - s.issue_amount).abs() <= Decimal::new(5, 3) + Decimal::new(1, 15),
                        "|Σ principal − issue| = |{} − {}|", sum, s.issue_amount
                    );
                }
            }
        }
    }
}
