//! `batch --summary`: every number of a summary is the full response's, on every request fixture
//! under `fixtures/` (with its pricing when it has one), in the library and through the binary.

use std::path::{Path, PathBuf};

use qitech_sim::SimulationOptions;
use qitech_sim::api::{self, SimulationRequest};
use serde_json::Value;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The full response's field of each summary field, per disbursement option.
const SAME_AS_FULL: &[&str] = &[
    "annual_cet",
    "cet",
    "contract_fee_amount",
    "disbursed_issue_amount",
    "disbursement_date",
    "final_disbursement_amount",
    "iof_amount",
    "issue_amount",
];

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            walk(&path, out);
        } else if path.extension().is_some_and(|x| x == "json") {
            out.push(path);
        }
    }
}

/// Every request fixture (a JSON object with a `financial` body), as text.
fn request_fixtures() -> Vec<(PathBuf, String)> {
    let mut files = vec![];
    walk(&Path::new(ROOT).join("fixtures"), &mut files);
    let requests: Vec<(PathBuf, String)> = files
        .into_iter()
        .filter_map(|path| {
            let text = std::fs::read_to_string(&path).ok()?;
            let v: Value = serde_json::from_str(&text).ok()?;
            v.get("financial")?;
            Some((path, text))
        })
        .collect();
    assert!(requests.len() >= 15, "found {} requests", requests.len());
    requests
}

/// The airforce request refinancing more than it lends: every option has a shortfall.
fn shortfall_request() -> String {
    let mut v: Value = serde_json::from_str(
        &std::fs::read_to_string(format!(
            "{ROOT}/fixtures/airforce/simulation_request_4_options.json"
        ))
        .expect("fixture"),
    )
    .expect("JSON");
    v["refinanced_credit_operations"][0]["due_balance"] = Value::from(100_000);
    v.to_string()
}

/// The pricing file that goes with a request fixture, if any (`X.request.json` → `X.config.json`
/// or `X.pricing.json`; `X.json` → `X-pricing.json`; `simulation_request.json` → `pricing.json`).
fn pricing_for(request: &Path) -> Option<PathBuf> {
    let dir = request.parent()?;
    let name = request.file_name()?.to_str()?;
    let stem = name.split(".request").next()?.trim_end_matches(".json");
    [
        format!("{stem}.config.json"),
        format!("{stem}.pricing.json"),
        format!("{stem}-pricing.json"),
        "pricing.json".to_string(),
    ]
    .into_iter()
    .map(|c| dir.join(c))
    .find(|p| p.is_file())
}

fn options_for(pricing: Option<&Path>) -> SimulationOptions {
    let options = SimulationOptions::new().allow_unknown_fields(true);
    match pricing {
        None => options,
        Some(p) => {
            let text = std::fs::read_to_string(p).expect("pricing");
            let config = api::config_from_json_with(&text, "pricing", true).expect("pricing");
            let conventions = config
                .conventions(qitech_sim::conventions::Profile::Qi2023)
                .expect("conventions");
            options.pricing(config.pricing).conventions(conventions)
        }
    }
}

/// Checks a summary's JSON against the full response's JSON, field by field and option by option.
fn assert_same_numbers(name: &str, summary: &Value, full: &Value) {
    let options = full["data"]["disbursement_options"]
        .as_array()
        .expect("options");
    let got = summary["options"].as_array().expect("summary options");
    assert_eq!(got.len(), options.len(), "{name}: option count");
    assert_eq!(summary["key"], full["key"], "{name}: key");
    assert_eq!(
        summary["requester_key"], full["data"]["requester_key"],
        "{name}: requester_key"
    );
    for (i, (s, f)) in got.iter().zip(options).enumerate() {
        for field in SAME_AS_FULL {
            assert_eq!(s[field], f[field], "{name}: option {i}: {field}");
        }
        assert_eq!(
            s["first_installment_total"], f["installments"][0]["total_amount"],
            "{name}: option {i}: first installment"
        );
        // Absent when there is no shortfall; the full response prints null then.
        let shortfall = s.get("shortfall_amount").cloned().unwrap_or(Value::Null);
        assert_eq!(
            shortfall, f["shortfall_amount"],
            "{name}: option {i}: shortfall"
        );
    }
    // The summary's top-level numbers are its first option's, as the full response's are.
    let first = &got[0];
    for field in SAME_AS_FULL {
        assert_eq!(
            first[field], full["data"][field],
            "{name}: top-level {field}"
        );
    }
}

#[test]
fn summary_numbers_are_the_full_responses_on_every_request_fixture() {
    let mut compared = 0;
    let mut requests = request_fixtures();
    requests.push((PathBuf::from("shortfall"), shortfall_request()));
    for (path, text) in requests {
        let pricing = pricing_for(&path);
        let mut runs = vec![None];
        if pricing.is_some() {
            runs.push(pricing.as_deref());
        }
        for pricing in runs {
            let name = format!("{} (pricing {pricing:?})", path.display());
            let options = options_for(pricing);
            // Read with the options it is priced with (a refinanced contract is priced).
            let request = match SimulationRequest::from_json_in(&text, "request", &options) {
                Ok(request) => request,
                // The sub-cent reproducers are refused on reading (money is in cents).
                Err(e) if path.to_string_lossy().contains("reliability/subcent-") => {
                    assert_eq!(e.kind(), qitech_sim::ErrorKind::Invalid, "{name}");
                    continue;
                }
                Err(e) => panic!("{name}: {e}"),
            };
            let full = api::simulate_request(&request, &options, None);
            let summary = api::summarize_request(&request, &options);
            match (full, summary) {
                (Ok(full), Ok(summary)) => {
                    let bytes = summary.to_json_bytes();
                    assert_eq!(
                        bytes,
                        serde_json::to_vec(&summary).expect("serde"),
                        "{name}: the compact writer is serde's bytes"
                    );
                    assert!(!bytes.contains(&b'\n'), "{name}: one line");
                    let s: Value = serde_json::from_slice(&bytes).expect("summary JSON");
                    let f: Value =
                        serde_json::from_slice(&full.to_json_bytes()).expect("full JSON");
                    assert_same_numbers(&name, &s, &f);
                    compared += 1;
                }
                (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{name}"),
                (a, b) => panic!("{name}: full {:?}, summary {:?}", a.err(), b.err()),
            }
        }
    }
    assert!(compared >= 15, "compared {compared}");
    let request = SimulationRequest::from_json(&shortfall_request(), "request").expect("request");
    let summary = api::summarize_request(&request, &SimulationOptions::new()).expect("priced");
    assert!(summary.options.iter().all(|o| o.shortfall_amount.is_some()));
}

/// Runs `batch` with `args` on `input`: (exit code, stdout lines, stderr).
fn batch(input: &[u8], args: &[&str]) -> (Option<i32>, Vec<String>, String) {
    let mut all = vec!["batch"];
    all.extend_from_slice(args);
    let (code, stdout, stderr) = crate::support::run_bin(&all, input);
    (code, stdout.lines().map(str::to_string).collect(), stderr)
}

#[test]
fn batch_summary_lines_match_batch_lines_one_for_one() {
    let mut input = Vec::new();
    for (_, text) in request_fixtures() {
        let v: Value = serde_json::from_str(&text).expect("JSON");
        input.extend_from_slice(v.to_string().as_bytes());
        input.push(b'\n');
    }
    input.extend_from_slice(shortfall_request().as_bytes());
    input.push(b'\n');
    // The same error lines as the full batch: invalid JSON, a blank line, a bad field.
    input.extend_from_slice(b"{not json\n\n");
    input.extend_from_slice(
        br#"{"financial":{"installment_face_value":100,"number_of_installments":0,"monthly_interest_rate":0.02,"disbursement_date":"2023-03-14","first_due_date":"2023-04-07"}}"#,
    );
    input.push(b'\n');
    for args in [
        &["--allow-unknown-fields"][..],
        &[
            "--allow-unknown-fields",
            "--config",
            "fixtures/siape/pricing.json",
        ][..],
    ] {
        let (code, full, full_err) = batch(&input, args);
        let mut summary_args = args.to_vec();
        summary_args.push("--summary");
        let (summary_code, summary, summary_err) = batch(&input, &summary_args);
        assert_eq!(summary_code, code, "{summary_err}");
        assert_eq!(summary_err, full_err);
        assert_eq!(summary.len(), full.len());
        let mut priced = 0;
        for (n, (s, f)) in summary.iter().zip(&full).enumerate() {
            let s: Value = serde_json::from_str(s).expect("summary line is JSON");
            let f: Value = serde_json::from_str(f).expect("full line is JSON");
            if f.get("error").is_some() {
                assert_eq!(s, f, "line {}: the same error line", n + 1);
            } else {
                assert_same_numbers(&format!("{args:?} line {}", n + 1), &s, &f);
                priced += 1;
            }
        }
        assert!(priced >= 15, "{args:?}: priced {priced}");
        assert_eq!(code, Some(1), "three error lines: {full_err}");
    }
}
