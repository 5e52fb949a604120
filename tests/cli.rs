//! The CLI contract: `qitech-sim simulate` and `qitech-sim calendar …` run as a process, their JSON on
//! stdout, and every bad input answered with exit status 2, nothing on stdout and exactly one line on
//! stderr naming the field (or input) and the offending value.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_qitech-sim");
const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const REQUEST: &str = "fixtures/siape/simulation_request.json";
const PRICING: &str = "fixtures/siape/pricing.json";

/// Runs the binary from the crate root (so fixture paths are relative), feeding `stdin` if given.
pub(crate) fn run(args: &[&str], stdin: Option<&str>) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .current_dir(ROOT)
        .env_remove("RUST_BACKTRACE")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        });
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {BIN}: {e}"));
    if let Some(text) = stdin {
        let mut pipe = child.stdin.take().expect("stdin is piped");
        // The binary may exit before reading (e.g. a bad option): a broken pipe is not our failure.
        let _ = pipe.write_all(text.as_bytes());
        drop(pipe);
    }
    child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("cannot wait for {BIN}: {e}"))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs a command that must succeed and parses its stdout as JSON.
pub(crate) fn run_ok(args: &[&str], stdin: Option<&str>) -> Value {
    let out = run(args, stdin);
    assert!(
        out.status.success(),
        "qitech-sim {args:?} failed with {:?}: {}",
        out.status.code(),
        text(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "qitech-sim {args:?} wrote on stderr: {}",
        text(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "qitech-sim {args:?}: stdout is not JSON ({e}): {}",
            text(&out.stdout)
        )
    })
}

fn siape_request() -> Value {
    let path = PathBuf::from(ROOT).join(REQUEST);
    let raw = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&raw).expect("the SIAPE fixture is JSON")
}

fn siape_pricing() -> Value {
    let path = PathBuf::from(ROOT).join(PRICING);
    let raw = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&raw).expect("the SIAPE pricing is JSON")
}

/// `v[path…]` as a mutable reference, for the mutations below.
fn at<'a>(v: &'a mut Value, path: &[&str]) -> &'a mut Value {
    path.iter().fold(v, |v, k| &mut v[*k])
}

/// The SIAPE request with `f` applied, as JSON text.
fn request_with(f: impl FnOnce(&mut Value)) -> String {
    let mut v = siape_request();
    f(&mut v);
    v.to_string()
}

/// The SIAPE request with `financial.<key>` set to `value`.
fn fin(key: &str, value: Value) -> String {
    request_with(|v| *at(v, &["financial", key]) = value)
}

/// A temporary file that is removed when dropped.
struct TempFile(PathBuf);

impl TempFile {
    fn new(tag: &str, content: &str) -> Self {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!(
            "qitech-sim-cli-{}-{n}-{tag}.json",
            std::process::id()
        ));
        std::fs::write(&path, content)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        TempFile(path)
    }

    fn path(&self) -> String {
        self.0.to_string_lossy().into_owned()
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

// ---------------------------------------------------------------------------------------------
// Success paths

fn assert_siape_response(v: &Value, how: &str) {
    assert_eq!(v["type"], json!("debt"), "{how}: type");
    assert_eq!(v["status"], json!("finished"), "{how}: status");
    assert_eq!(
        v["data"]["issue_amount"],
        json!(194.8),
        "{how}: issue_amount"
    );
    assert_eq!(
        v["data"]["final_disbursement_amount"],
        json!(191.49),
        "{how}: final_disbursement_amount"
    );
}

#[test]
fn simulate_file_with_config() {
    let v = run_ok(&["simulate", REQUEST, "--config", PRICING], None);
    assert_siape_response(&v, "simulate FILE");
}

#[test]
fn simulate_stdin_with_config() {
    let request = siape_request().to_string();
    let v = run_ok(&["simulate", "-", "--config", PRICING], Some(&request));
    assert_siape_response(&v, "simulate -");
}

#[test]
fn simulate_options_before_file() {
    let v = run_ok(&["simulate", "--config", PRICING, REQUEST], None);
    assert_siape_response(&v, "simulate --config CONFIG FILE");
}

#[test]
fn calendar_is_business_day() {
    let v = run_ok(&["calendar", "is-business-day", "2023-04-07"], None);
    assert_eq!(v, json!({"date": "2023-04-07", "business_day": false}));
    let v = run_ok(&["calendar", "is-business-day", "2023-04-06"], None);
    assert_eq!(v, json!({"date": "2023-04-06", "business_day": true}));
}

#[test]
fn calendar_following() {
    let v = run_ok(&["calendar", "following", "2023-04-07"], None);
    assert_eq!(v, json!({"date": "2023-04-07", "following": "2023-04-10"}));
}

#[test]
fn calendar_workdays() {
    let v = run_ok(&["calendar", "workdays", "2023-03-14", "2023-04-07"], None);
    assert_eq!(
        v,
        json!({"from": "2023-03-14", "to": "2023-04-07", "workdays": 17})
    );
}

#[test]
fn calendar_add_business_days() {
    // Counted by hand: after Tue 2023-03-14 come Mar 15–17 (3), 20–24 (8), 27–31 (13), Apr 3–6
    // (17); Fri Apr 7 is Good Friday. So the 17th business day is Thu 2023-04-06.
    let v = run_ok(&["calendar", "add-business-days", "2023-03-14", "17"], None);
    assert_eq!(
        v,
        json!({"date": "2023-03-14", "n": 17, "result": "2023-04-06"})
    );
    // And the inverse: exactly 17 workdays from the start to the result.
    let result = v["result"].as_str().expect("result is a date string");
    let w = run_ok(&["calendar", "workdays", "2023-03-14", result], None);
    assert_eq!(w["workdays"], json!(17), "workdays(2023-03-14, {result})");
}

#[test]
fn help_exits_zero() {
    let out = run(&["--help"], None);
    assert!(out.status.success(), "--help: {:?}", out.status.code());
    assert!(
        text(&out.stdout).contains("usage"),
        "--help prints the usage"
    );
}

// ---------------------------------------------------------------------------------------------
// Bad input

/// Where the request comes from in a bad-input case.
enum Input {
    /// Nothing: the arguments say it all.
    None,
    /// Piped on stdin.
    Stdin(String),
    /// Written to a temporary file; `{file}` in the arguments and expectations stands for its path.
    File(String),
}

/// One bad-input case: the error line must contain one of `field` and one of `value`.
struct Case {
    name: &'static str,
    args: Vec<&'static str>,
    input: Input,
    field: &'static [&'static str],
    value: &'static [&'static str],
}

fn case(
    name: &'static str,
    args: &[&'static str],
    input: Input,
    field: &'static [&'static str],
    value: &'static [&'static str],
) -> Case {
    Case {
        name,
        args: args.to_vec(),
        input,
        field,
        value,
    }
}

/// `simulate {file}` on a request file.
fn sim_file(
    name: &'static str,
    request: String,
    field: &'static [&'static str],
    value: &'static [&'static str],
) -> Case {
    case(
        name,
        &["simulate", "{file}"],
        Input::File(request),
        field,
        value,
    )
}

fn bad_cases() -> Vec<Case> {
    let bad_pricing = {
        let mut p = siape_pricing();
        p["contract_fees"][0]["amount_type"] = json!("weird");
        p.to_string()
    };
    vec![
        // --- reading the input
        case(
            "unreadable file",
            &["simulate", "/nonexistent/qitech-sim/request.json"],
            Input::None,
            &["/nonexistent/qitech-sim/request.json"],
            &["cannot read"],
        ),
        sim_file(
            "invalid JSON in a file",
            r#"{"financial": {"installment_face_value": 100.0,"#.into(),
            &["{file}"],
            &["invalid JSON"],
        ),
        case(
            "invalid JSON on stdin",
            &["simulate", "-"],
            Input::Stdin("{not json".into()),
            &["stdin"],
            &["invalid JSON"],
        ),
        case(
            "empty stdin",
            &["simulate", "-"],
            Input::Stdin(String::new()),
            &["stdin"],
            &["invalid JSON"],
        ),
        sim_file(
            "request is not an object",
            "[1, 2]".into(),
            &["request", "{file}"],
            &["[1,2]", "[1, 2]"],
        ),
        // --- request fields
        sim_file(
            "missing financial.disbursement_date",
            request_with(|v| {
                v["financial"]
                    .as_object_mut()
                    .expect("financial is an object")
                    .remove("disbursement_date");
            }),
            &["financial.disbursement_date"],
            &["missing"],
        ),
        sim_file(
            "wrong-typed number_of_installments",
            fin("number_of_installments", json!("two")),
            &["financial.number_of_installments"],
            &["\"two\""],
        ),
        sim_file(
            "fractional number_of_installments",
            fin("number_of_installments", json!(1.5)),
            &["financial.number_of_installments"],
            &["1.5"],
        ),
        sim_file(
            "monthly rate -100 %",
            fin("monthly_interest_rate", json!(-1)),
            &["financial.monthly_interest_rate"],
            &["-1"],
        ),
        sim_file(
            "monthly rate -150 %",
            fin("monthly_interest_rate", json!(-1.5)),
            &["financial.monthly_interest_rate"],
            &["-1.5"],
        ),
        sim_file(
            "monthly rate just above -100 % (annual rounds to -100 %)",
            fin("monthly_interest_rate", json!(-0.999999)),
            &["financial.monthly_interest_rate"],
            &["-0.999999"],
        ),
        sim_file(
            "monthly rate at Decimal::MAX (as a string)",
            fin(
                "monthly_interest_rate",
                json!("79228162514264337593543950335"),
            ),
            &["financial.monthly_interest_rate"],
            &["79228162514264337593543950335"],
        ),
        sim_file(
            "monthly rate 1e15",
            fin("monthly_interest_rate", json!(1e15)),
            &["financial.monthly_interest_rate"],
            &["1000000000000000)", "1000000000000000 ", "1e15"],
        ),
        sim_file(
            "zero installments",
            fin("number_of_installments", json!(0)),
            &["financial.number_of_installments"],
            &["got 0)"],
        ),
        sim_file(
            "601 installments",
            fin("number_of_installments", json!(601)),
            &["financial.number_of_installments"],
            &["601"],
        ),
        sim_file(
            "first due date equal to the disbursement date",
            fin("first_due_date", json!("2023-03-14")),
            &["financial.first_due_date"],
            &["2023-03-14"],
        ),
        sim_file(
            "first due date before the disbursement date",
            fin("first_due_date", json!("2023-03-01")),
            &["financial.first_due_date"],
            &["2023-03-01"],
        ),
        sim_file(
            "installment_face_value 1e30 overflows",
            fin("installment_face_value", json!(1e30)),
            &["financial.installment_face_value"],
            &["1e30", "1000000000000000000000000000000"],
        ),
        sim_file(
            "installment_face_value 1e300 overflows",
            fin("installment_face_value", json!(1e300)),
            &["financial.installment_face_value"],
            &["1e300", "1000000000000000000000000000000"],
        ),
        sim_file(
            "installment_face_value too small to price",
            fin("installment_face_value", json!(0.001)),
            &["financial.installment_face_value"],
            &["0.001"],
        ),
        sim_file(
            "disbursed_amount rounds to zero",
            request_with(|v| {
                let f = v["financial"]
                    .as_object_mut()
                    .expect("financial is an object");
                f.remove("installment_face_value");
                f.insert("disbursed_amount".into(), json!(0.001));
            }),
            &["financial.disbursed_amount"],
            &["0.001"],
        ),
        sim_file(
            "disbursement_date 9999-01-01",
            fin("disbursement_date", json!("9999-01-01")),
            &["financial.disbursement_date", "financial.first_due_date"],
            &["9999-01-01"],
        ),
        sim_file(
            "disbursement 9999-01-01 and first due 9999-02-01",
            request_with(|v| {
                v["financial"]["disbursement_date"] = json!("9999-01-01");
                v["financial"]["first_due_date"] = json!("9999-02-01");
            }),
            &["financial.disbursement_date", "financial.first_due_date"],
            &["9999-01-01", "9999-02-01"],
        ),
        sim_file(
            "disbursement_date 1999-01-01",
            fin("disbursement_date", json!("1999-01-01")),
            &["financial.disbursement_date"],
            &["1999-01-01"],
        ),
        sim_file(
            "first_due_date 9999-01-01",
            fin("first_due_date", json!("9999-01-01")),
            &["financial.first_due_date"],
            &["9999-01-01"],
        ),
        sim_file(
            "600 installments from 2090 leave the calendar",
            request_with(|v| {
                v["financial"]["disbursement_date"] = json!("2090-01-02");
                v["financial"]["first_due_date"] = json!("2090-02-01");
                v["financial"]["number_of_installments"] = json!(600);
            }),
            &[
                "financial.number_of_installments",
                "financial.first_due_date",
            ],
            &["600", "2090-02-01", "2100-01-01"],
        ),
        sim_file(
            "invalid calendar date 2023-02-30",
            fin("disbursement_date", json!("2023-02-30")),
            &["financial.disbursement_date"],
            &["2023-02-30"],
        ),
        sim_file(
            "limit_days_to_disburse 10000",
            fin("limit_days_to_disburse", json!(10_000)),
            &["financial.limit_days_to_disburse"],
            &["10000"],
        ),
        sim_file(
            "unknown interest_base",
            fin("interest_base", json!("lunar_days")),
            &["financial.interest_base"],
            &["lunar_days"],
        ),
        sim_file(
            "unknown collateral type",
            request_with(|v| v["collaterals"][0]["collateral_type"] = json!("car")),
            &["collaterals[0].collateral_type"],
            &["\"car\""],
        ),
        // --- options
        case(
            "--config with a bad fee amount_type",
            &["simulate", REQUEST, "--config", "{file}"],
            Input::File(bad_pricing),
            &["contract_fees[0].amount_type"],
            &["\"weird\""],
        ),
        case(
            "--config unreadable",
            &[
                "simulate",
                REQUEST,
                "--config",
                "/nonexistent/qitech-sim/pricing.json",
            ],
            Input::None,
            &["/nonexistent/qitech-sim/pricing.json"],
            &["cannot read"],
        ),
        case(
            "--config without a value",
            &["simulate", REQUEST, "--config"],
            Input::None,
            &["--config"],
            &["missing"],
        ),
        case(
            "--delay-unit bogus",
            &["simulate", REQUEST, "--delay-unit", "fortnights"],
            Input::None,
            &["--delay-unit"],
            &["fortnights"],
        ),
        case(
            "unknown option",
            &["simulate", REQUEST, "--frobnicate"],
            Input::None,
            &["option"],
            &["--frobnicate"],
        ),
        case(
            "simulate without FILE",
            &["simulate"],
            Input::None,
            &["FILE"],
            &["missing"],
        ),
        case(
            "two FILE arguments",
            &["simulate", REQUEST, REQUEST],
            Input::None,
            &["unexpected argument"],
            &[REQUEST],
        ),
        // --- commands
        case(
            "unknown command",
            &["frobnicate"],
            Input::None,
            &["unknown command"],
            &["frobnicate"],
        ),
        case(
            "unknown calendar subcommand",
            &["calendar", "yesterday", "2023-04-07"],
            Input::None,
            &["calendar"],
            &["yesterday"],
        ),
        case(
            "calendar with a bad date",
            &["calendar", "following", "2023-02-30"],
            Input::None,
            &["DATE"],
            &["2023-02-30"],
        ),
        case(
            "calendar with a malformed date",
            &["calendar", "is-business-day", "07/04/2023"],
            Input::None,
            &["DATE"],
            &["07/04/2023"],
        ),
        case(
            "calendar with an out-of-range date",
            &["calendar", "is-business-day", "2100-01-01"],
            Input::None,
            &["DATE", "calendar.date"],
            &["2100-01-01"],
        ),
        case(
            "calendar workdays with an out-of-range TO",
            &["calendar", "workdays", "2023-03-14", "2100-01-01"],
            Input::None,
            &["TO", "calendar.to"],
            &["2100-01-01"],
        ),
        case(
            "calendar workdays with a bad FROM",
            &["calendar", "workdays", "2023-13-01", "2023-04-07"],
            Input::None,
            &["FROM"],
            &["2023-13-01"],
        ),
        case(
            "calendar add-business-days with a bad N",
            &["calendar", "add-business-days", "2023-03-14", "seventeen"],
            Input::None,
            &["N"],
            &["seventeen"],
        ),
        case(
            "calendar add-business-days leaving the calendar",
            &["calendar", "add-business-days", "2099-12-01", "100"],
            Input::None,
            &["N", "add_business_days"],
            &["100", "2100-01-01"],
        ),
        case(
            "calendar with a missing argument",
            &["calendar", "following"],
            Input::None,
            &["calendar following"],
            &["got 0"],
        ),
    ]
}

/// Runs one bad-input case; returns a description of what went wrong, if anything.
fn check(c: &Case) -> Option<String> {
    let file = match &c.input {
        Input::File(content) => Some(TempFile::new("req", content)),
        _ => None,
    };
    let path = file.as_ref().map(TempFile::path).unwrap_or_default();
    let subst = |s: &str| s.replace("{file}", &path);
    let args: Vec<String> = c.args.iter().map(|a| subst(a)).collect();
    let arg_refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let stdin = match &c.input {
        Input::Stdin(s) => Some(s.as_str()),
        _ => None,
    };
    let out = run(&arg_refs, stdin);
    let stdout = text(&out.stdout);
    let stderr = text(&out.stderr);
    let mut problems = vec![];
    if out.status.code() != Some(2) {
        problems.push(format!("exit status {:?}, want 2", out.status.code()));
    }
    if !stdout.is_empty() {
        problems.push(format!("stdout not empty: {stdout:?}"));
    }
    let lines: Vec<&str> = stderr.lines().collect();
    if lines.len() != 1 || !stderr.ends_with('\n') {
        problems.push(format!(
            "stderr has {} line(s), want exactly 1",
            lines.len()
        ));
    }
    let fields: Vec<String> = c.field.iter().map(|s| subst(s)).collect();
    if !fields.iter().any(|f| stderr.contains(f.as_str())) {
        problems.push(format!("error does not name the field (one of {fields:?})"));
    }
    if !c.value.iter().any(|v| stderr.contains(v)) {
        problems.push(format!(
            "error does not name the value (one of {:?})",
            c.value
        ));
    }
    (!problems.is_empty()).then(|| {
        format!(
            "[{}] qitech-sim {:?}: {}\n    stderr: {:?}",
            c.name,
            args,
            problems.join("; "),
            stderr.chars().take(400).collect::<String>()
        )
    })
}

#[test]
fn bad_input_exits_2_with_one_line_naming_field_and_value() {
    let cases = bad_cases();
    let failures: Vec<String> = cases.iter().filter_map(check).collect();
    assert!(
        failures.is_empty(),
        "{} of {} bad-input cases break the CLI contract:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn no_arguments_prints_usage_and_exits_2() {
    let out = run(&[], None);
    assert_eq!(out.status.code(), Some(2), "no arguments: exit status");
    assert!(out.stdout.is_empty(), "no arguments: stdout");
    let stderr = text(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "no arguments: {stderr:?}");
    assert!(stderr.contains("usage"), "no arguments: {stderr:?}");
}

// ---------------------------------------------------------------------------------------------
// Conventions people expect, and one process test per command

#[test]
fn version_and_command_help_exit_zero() {
    let out = run(&["--version"], None);
    assert!(out.status.success(), "--version: {:?}", out.status.code());
    assert!(text(&out.stdout).contains(env!("CARGO_PKG_VERSION")));
    let out = run(&["-V"], None);
    assert!(out.status.success(), "-V: {:?}", out.status.code());
    for cmd in ["simulate", "debt", "portability", "batch", "calendar"] {
        let out = run(&[cmd, "--help"], None);
        assert!(
            out.status.success(),
            "{cmd} --help: {:?}",
            out.status.code()
        );
        assert!(
            text(&out.stdout).contains("usage"),
            "{cmd} --help prints its usage"
        );
    }
    let help = text(&run(&["simulate", "--help"], None).stdout);
    for flag in [
        "--config",
        "--format",
        "--compact",
        "--delay-unit",
        "--option-days",
    ] {
        assert!(help.contains(flag), "simulate --help lists {flag}");
    }
}

#[test]
fn compact_prints_the_same_json_on_one_line() {
    let pretty = run_ok(&["simulate", REQUEST, "--config", PRICING], None);
    let out = run(
        &["simulate", REQUEST, "--config", PRICING, "--compact"],
        None,
    );
    assert!(out.status.success());
    let stdout = text(&out.stdout);
    assert_eq!(stdout.lines().count(), 1, "--compact is one line");
    let mut compact: Value = serde_json::from_str(&stdout).expect("json");
    let mut pretty = pretty;
    // The clock may tick between the two runs.
    compact["event_datetime"] = Value::Null;
    pretty["event_datetime"] = Value::Null;
    assert_eq!(compact, pretty);
}

#[test]
fn table_shows_the_quote_and_the_amortization_table() {
    let out = run(
        &[
            "simulate", REQUEST, "--config", PRICING, "--format", "table", "--lang", "en",
        ],
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let t = text(&out.stdout);
    for expected in [
        "issue amount       R$ 194,80",
        "IOF                R$ 1,36",
        "disbursed          R$ 191,49",
        "CET monthly        3,4600%",
        "CET annual         50,4076%",
        "2023-04-07  2023-04-10",
        "3,19",
        "2,01",
    ] {
        assert!(t.contains(expected), "table lacks {expected:?}:\n{t}");
    }
    let debt = text(
        &run(
            &[
                "debt",
                "fixtures/personal_credit/debt_request.json",
                "--format",
                "table",
                "--lang",
                "en",
            ],
            None,
        )
        .stdout,
    );
    assert!(
        debt.contains("R$ 80.833,26") && debt.contains("4,0200%"),
        "{debt}"
    );
    let port = text(
        &run(
            &[
                "portability",
                "fixtures/airforce/portability.json",
                "--format",
                "table",
                "--lang",
                "en",
            ],
            None,
        )
        .stdout,
    );
    assert!(
        port.contains("15.625,90") && port.contains("15.829,27"),
        "{port}"
    );
}

#[test]
fn csv_prints_the_schedule() {
    // One table per invocation (`--table`); the balance column is named for what it is.
    let out = run(
        &["simulate", REQUEST, "--format", "csv", "--table", "options"],
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let csv = text(&out.stdout);
    let first_table: Vec<&str> = csv.lines().collect();
    assert_eq!(
        first_table[0],
        "date,issue,iof,fees,disbursed,change,cet,annual_cet"
    );
    assert!(first_table[1].starts_with("2023-03-14,194.80,1.36,0.00,193.44,193.44,"));
    let out = run(&["simulate", REQUEST, "--format", "csv"], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let csv = text(&out.stdout);
    let schedule: Vec<&str> = csv.lines().collect();
    assert_eq!(
        schedule[0],
        "n,due_date,business_due_date,days,interest,principal,iof,total,balance_before"
    );
    assert_eq!(
        schedule[1],
        "1,2023-04-07,2023-04-10,24,3.19,96.81,0.19,100.00,194.80"
    );
    assert_eq!(schedule.len(), 3);
}

#[test]
fn debt_as_a_process() {
    let v = run_ok(
        &["debt", "fixtures/personal_credit/debt_request.json"],
        None,
    );
    assert_eq!(v["issue_amount"], json!(80833.26));
    assert_eq!(v["total_iof"], json!(340.31));
    assert_eq!(v["cet"], json!("4,0200%"));
    assert_eq!(v["annual_cet"], json!("60,4731%"));
}

#[test]
fn portability_as_a_process() {
    let v = run_ok(&["portability", "fixtures/airforce/portability.json"], None);
    let changes: Vec<f64> = v["change"]
        .as_array()
        .expect("change")
        .iter()
        .map(|c| c["final_disbursement_amount"].as_f64().expect("number"))
        .collect();
    assert_eq!(changes, [15625.90, 15693.65, 15761.43, 15829.27]);
    let t = run_ok(
        &[
            "portability",
            "fixtures/airforce/portability.json",
            "--target-change",
            "20000",
        ],
        None,
    );
    assert_eq!(t["installment_face_value"], json!(2613.16));
    let r = run_ok(
        &[
            "portability",
            "fixtures/airforce/portability.json",
            "--installments-range",
            "94..96",
        ],
        None,
    );
    assert_eq!(r["changes"].as_array().map(Vec::len), Some(3));
    assert_eq!(r["best"]["number_of_installments"], json!(96));
}

fn siape_line() -> String {
    siape_request().to_string()
}

#[test]
fn batch_as_a_process_from_stdin_and_from_a_file() {
    let line = siape_line();
    let input = format!("{line}\n{line}\n");
    let out = run(&["batch"], Some(&input));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let lines: Vec<Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["data"]["issue_amount"], json!(194.8));
    let file = TempFile::new("batch", &input);
    let from_file = run(&["batch", &file.path()], None);
    assert!(from_file.status.success(), "{}", text(&from_file.stderr));
    assert_eq!(text(&from_file.stdout).lines().count(), 2);
}

#[test]
fn batch_reports_failed_lines_and_exits_non_zero() {
    let line = siape_line();
    let input = format!("{line}\n{{\"financial\": 1}}\n{line}\n");
    let out = run(&["batch"], Some(&input));
    assert_eq!(
        out.status.code(),
        Some(1),
        "a failed line makes batch exit 1"
    );
    let lines: Vec<Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[1]["line"], json!(2));
    assert!(
        text(&out.stderr).contains("failed: 1"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn batch_into_a_closed_pipe_ends_quietly() {
    let line = siape_line();
    let mut child = Command::new(BIN)
        .arg("batch")
        .current_dir(ROOT)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stdin = child.stdin.take().expect("stdin");
    let feeder = std::thread::spawn(move || {
        for _ in 0..5000 {
            if writeln!(stdin, "{line}").is_err() {
                break;
            }
        }
    });
    // Read one line, then close the pipe as `head -1` does.
    let mut stdout = child.stdout.take().expect("stdout");
    let mut first = vec![0u8; 1];
    let mut got = vec![];
    while std::io::Read::read(&mut stdout, &mut first).unwrap_or(0) == 1 && first[0] != b'\n' {
        got.push(first[0]);
    }
    drop(stdout);
    let _ = feeder.join();
    let out = child.wait_with_output().expect("wait");
    assert!(!got.is_empty(), "a first line was written");
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    assert!(out.stderr.is_empty(), "stderr: {}", text(&out.stderr));
}

// ---------------------------------------------------------------------------------------------
// The terminal for a person: the pt-BR table, one RFC 4180 table per CSV, did-you-mean (issue 20)

/// A minimal RFC 4180 reader: records end with CRLF (the last one may not), a field is quoted when
/// it starts with `"`, and `""` inside quotes is one quote. It refuses a bare LF or CR outside
/// quotes, so a writer that ends records with LF alone fails here.
fn rfc4180(text: &str) -> Vec<Vec<String>> {
    let mut records = vec![];
    let mut record = vec![];
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    let mut at_field_start = true;
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if at_field_start => {
                quoted = true;
                at_field_start = false;
                continue;
            }
            '"' => panic!("a quote inside an unquoted field: {text:?}"),
            ',' => {
                record.push(std::mem::take(&mut field));
                at_field_start = true;
                continue;
            }
            '\r' => {
                assert_eq!(chars.next(), Some('\n'), "CR without LF in {text:?}");
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
                at_field_start = true;
                continue;
            }
            '\n' => panic!("a bare LF ends a record (RFC 4180 wants CRLF): {text:?}"),
            _ => field.push(c),
        }
        at_field_start = false;
    }
    assert!(!quoted, "an unclosed quote in {text:?}");
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        records.push(record);
    }
    records
}

/// Runs a command that must succeed and returns its stdout.
fn stdout_ok(args: &[&str]) -> String {
    let out = run(args, None);
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "qitech-sim {args:?}: {:?} {}",
        out.status.code(),
        text(&out.stderr)
    );
    text(&out.stdout)
}

/// The one error line of a command that must fail with status 2 and print nothing on stdout.
fn error_line(args: &[&str]) -> String {
    let out = run(args, None);
    assert_eq!(out.status.code(), Some(2), "qitech-sim {args:?}");
    assert!(out.stdout.is_empty(), "qitech-sim {args:?}: stdout");
    let stderr = text(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "qitech-sim {args:?}: {stderr:?}");
    stderr.trim_end().to_string()
}

/// A JSON number as the pt-BR table prints money: `80833.26` → `80.833,26`.
fn brl(v: &Value) -> String {
    let s = format!("{:.2}", v.as_f64().expect("a number"));
    let (int, frac) = s.split_once('.').expect("two decimals");
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push('.');
        }
        grouped.push(c);
    }
    format!("{grouped},{frac}")
}

#[test]
fn csv_is_one_rfc4180_table_with_plain_numbers() {
    let json = run_ok(&["simulate", REQUEST, "--config", PRICING], None);
    let data = &json["data"];
    // The default table: the installments, each number the response's, in cents.
    let csv = stdout_ok(&["simulate", REQUEST, "--config", PRICING, "--format", "csv"]);
    assert!(!csv.contains("\n\n"), "one table: {csv:?}");
    let rows = rfc4180(&csv);
    assert_eq!(
        rows.len(),
        1 + data["installments"].as_array().expect("an array").len()
    );
    assert_eq!(rows[0][8], "balance_before");
    for (row, i) in rows[1..]
        .iter()
        .zip(data["installments"].as_array().expect("an array"))
    {
        assert_eq!(row.len(), rows[0].len(), "{row:?}");
        assert_eq!(row[1], i["due_date"].as_str().expect("a string"));
        assert_eq!(
            row[7],
            format!("{:.2}", i["total_amount"].as_f64().expect("a number"))
        );
        assert_eq!(
            row[8],
            format!("{:.2}", i["due_principal"].as_f64().expect("a number"))
        );
        for cell in [&row[0], &row[3], &row[4], &row[5], &row[6]] {
            assert!(cell.parse::<f64>().is_ok(), "a plain number: {cell:?}");
        }
    }
    // The options: the CET as the fraction the JSON prints, no percent text anywhere.
    let csv = stdout_ok(&[
        "simulate", REQUEST, "--config", PRICING, "--format", "csv", "--table", "options",
    ]);
    assert!(!csv.contains('%'), "{csv}");
    let rows = rfc4180(&csv);
    let header = &rows[0];
    let at = |name: &str| header.iter().position(|h| h == name).expect(name);
    let options = data["disbursement_options"].as_array().expect("an array");
    assert_eq!(rows.len(), 1 + options.len());
    for (row, o) in rows[1..].iter().zip(options) {
        assert_eq!(
            row[at("date")],
            o["disbursement_date"].as_str().expect("a string")
        );
        assert_eq!(
            row[at("cet")].parse::<f64>().expect("a number"),
            o["cet"].as_f64().expect("a number")
        );
        assert_eq!(
            row[at("annual_cet")].parse::<f64>().expect("a number"),
            o["annual_cet"].as_f64().expect("a number")
        );
        assert_eq!(
            row[at("issue")],
            format!("{:.2}", o["issue_amount"].as_f64().expect("a number"))
        );
    }
    assert_eq!(rows[1][at("cet")], "0.0346");
    // The change per number of installments is that command's one table.
    let csv = stdout_ok(&[
        "portability",
        "fixtures/airforce/portability.json",
        "--installments-range",
        "94..96",
        "--format",
        "csv",
    ]);
    let rows = rfc4180(&csv);
    assert_eq!(rows[0], ["installments", "change"]);
    assert_eq!(rows[3], ["96", "15625.90"]);
    // A table the command does not have is refused, naming the one it has.
    let line = error_line(&[
        "debt",
        "fixtures/personal_credit/debt_request.json",
        "--format",
        "csv",
        "--table",
        "options",
    ]);
    assert!(
        line.contains("--table") && line.contains("installments"),
        "{line}"
    );
}

#[test]
fn the_table_is_pt_br_by_default() {
    let t = stdout_ok(&[
        "simulate", REQUEST, "--config", PRICING, "--format", "table",
    ]);
    for expected in [
        "simulação",
        "liberação         14/03/2023",
        "valor de emissão  R$ 194,80",
        "IOF               R$ 1,36",
        "tarifas           R$ 1,95",
        "valor liberado    R$ 191,49",
        "CET mensal        3,46 % a.m.",
        "CET anual         50,4076 % a.a.",
        "taxa de juros     2,05 % a.m.",
        "tabela de amortização (liberação em 14/03/2023)",
        "parcela  vencimento  vencimento útil  dias  juros  amortização",
        "saldo devedor antes",
        "07/04/2023  10/04/2023",
    ] {
        assert!(
            t.contains(expected),
            "the pt-BR table lacks {expected:?}:\n{t}"
        );
    }
    // No ISO date, no English label, and no change row: SIAPE refinances nothing.
    assert!(!t.contains("2023-"), "{t}");
    assert!(!t.contains("troco") && !t.contains("change"), "{t}");
    // A refinancing has its change (troco), per option and in the payroll loan's summary.
    let port = stdout_ok(&[
        "portability",
        "fixtures/airforce/portability.json",
        "--format",
        "table",
    ]);
    for expected in [
        "empréstimo-ponte",
        "consignado",
        "troco             R$ 15.625,90",
        "saldo refinanciado",
        "22/03/2023",
    ] {
        assert!(
            port.contains(expected),
            "the portability lacks {expected:?}:\n{port}"
        );
    }
    // `--lang` belongs to the table: elsewhere it is refused, not ignored.
    let line = error_line(&["simulate", REQUEST, "--lang", "en"]);
    assert!(line.starts_with("error: --lang:"), "{line}");
    let line = error_line(&[
        "simulate", REQUEST, "--format", "table", "--table", "options",
    ]);
    assert!(line.starts_with("error: --table:"), "{line}");
}

#[test]
fn target_change_table_leads_with_the_answer() {
    let args = [
        "portability",
        "fixtures/airforce/portability.json",
        "--target-change",
        "20000",
    ];
    let json = run_ok(&args, None);
    let found = &json["installment_face_value"];
    let change = &json["portability"]["change"][0]["final_disbursement_amount"];
    let t = stdout_ok(&[&args[..], &["--format", "table"]].concat());
    let lines: Vec<&str> = t.lines().collect();
    assert_eq!(lines[0], "resposta", "{t}");
    assert!(lines[1].contains("troco desejado") && lines[1].ends_with("R$ 20.000,00"));
    assert!(
        lines[2].contains("parcela encontrada")
            && lines[2].ends_with(&format!("R$ {}", brl(found))),
        "{t}"
    );
    assert!(
        lines[3].contains("troco com ela") && lines[3].ends_with(&format!("R$ {}", brl(change))),
        "{t}"
    );
    // The cent below, and its change that misses the target.
    let below = found.as_f64().expect("a number") - 0.01;
    let below_line = lines
        .iter()
        .find(|l| l.contains("um centavo abaixo"))
        .unwrap_or_else(|| panic!("no cent below:\n{t}"));
    assert!(
        below_line.ends_with(&format!("R$ {}", brl(&json!(below)))),
        "{t}"
    );
    let missed = lines
        .iter()
        .find(|l| l.contains("não alcança"))
        .unwrap_or_else(|| panic!("no missed change:\n{t}"));
    let missed: f64 = missed
        .rsplit("R$ ")
        .next()
        .expect("an amount after R$")
        .replace('.', "")
        .replace(',', ".")
        .parse()
        .expect("an amount");
    assert!(
        missed < 20_000.0,
        "the cent below misses the target: {missed}"
    );
    // English keeps the same answer first.
    let en = stdout_ok(&[&args[..], &["--format", "table", "--lang", "en"]].concat());
    assert!(en.starts_with("answer\n  target change"), "{en}");
    assert!(
        en.contains("one cent below") && en.contains("its change (misses)"),
        "{en}"
    );
}

#[test]
fn a_mistyped_flag_gets_did_you_mean_in_one_line() {
    assert_eq!(
        error_line(&["simulate", REQUEST, "--fromat", "table"]),
        r#"error: simulate: unknown option "--fromat" (did you mean "--format"?)"#
    );
    let line = error_line(&["simulate", REQUEST, "--format", "tabel"]);
    assert!(line.ends_with(r#"(did you mean "table"?)"#), "{line}");
    let line = error_line(&["simulat", REQUEST]);
    assert!(line.contains(r#"(did you mean "simulate"?)"#), "{line}");
    // Nothing close: no suggestion.
    let line = error_line(&["simulate", REQUEST, "--zzz"]);
    assert!(!line.contains("did you mean"), "{line}");
}

/// A missing option value is named by its flag alone (`--keep`, not `--keep <WHAT`).
#[test]
fn a_missing_option_is_named_by_its_flag() {
    let out = run(
        &[
            "present-value",
            "fixtures/siape/simulation_request.json",
            "--date",
            "2023-04-01",
            "--prepay",
            "10",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "error: --keep: missing required argument\n"
    );
}
