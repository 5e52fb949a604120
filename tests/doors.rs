//! Every door gives the same answer and the same refusals: each entry of `fixtures/doors.json`
//! (every request fixture with its endpoint, configuration, options and query) goes through the
//! library's `Service`, the CLI's `simulate`/`debt`/`portability`, and `batch` (full and
//! `--summary`), and every door prints the same JSON (the clock, `event_datetime`, aside) or
//! refuses with the same kind and field.

use qitech_sim::api::{PortabilityQuery, Service};
use qitech_sim::iof::NaturalPersonIof;
use qitech_sim::{DelayUnit, ErrorKind, OptionDays};
use serde_json::{Value, json};
use std::collections::BTreeMap;

use crate::support::{json as json_file, read, run_bin};

/// One entry of `fixtures/doors.json`.
struct Door {
    name: String,
    endpoint: String,
    request: String,
    config: Option<String>,
    options: Value,
    query: Value,
}

fn doors() -> Vec<Door> {
    let list = json_file("fixtures/doors.json");
    let entries = list.as_array().expect("a list");
    assert!(entries.len() >= 30, "{} doors", entries.len());
    entries
        .iter()
        .map(|d| Door {
            name: d["name"].as_str().expect("name").to_string(),
            endpoint: d["endpoint"].as_str().expect("endpoint").to_string(),
            request: d["request"].as_str().expect("request").to_string(),
            config: d["config"].as_str().map(str::to_string),
            options: d["options"].clone(),
            query: d["query"].clone(),
        })
        .collect()
}

impl Door {
    fn option(&self, key: &str) -> &str {
        self.options[key]
            .as_str()
            .unwrap_or_else(|| panic!("{}: {key}", self.name))
    }

    fn allow_unknown(&self) -> bool {
        self.options["allow_unknown_fields"].as_bool() == Some(true)
    }

    /// The library's service for this entry.
    fn service(&self) -> Service {
        let mut s = Service::new()
            .delay_unit(match self.option("delay_unit") {
                "business" => DelayUnit::BusinessDays,
                _ => DelayUnit::CalendarDays,
            })
            .option_days(match self.option("option_days") {
                "business" => OptionDays::BusinessDays,
                _ => OptionDays::CalendarDays,
            })
            .natural_person_iof(match self.option("natural_iof") {
                "dated" => NaturalPersonIof::Dated,
                _ => NaturalPersonIof::Fixed,
            })
            .allow_unknown_fields(self.allow_unknown());
        if let Some(c) = &self.config {
            s = s.config_json(&read(c), c).expect("config");
        }
        s
    }

    /// The CLI flags of the engine options and the configuration.
    fn engine_args(&self) -> Vec<String> {
        let mut a = vec![
            "--delay-unit".to_string(),
            self.option("delay_unit").into(),
            "--option-days".into(),
            self.option("option_days").into(),
            "--natural-iof".into(),
            self.option("natural_iof").into(),
        ];
        if self.allow_unknown() {
            a.push("--allow-unknown-fields".into());
        }
        if let Some(c) = &self.config {
            a.extend(["--config".to_string(), c.clone()]);
        }
        a
    }

    fn query(&self) -> PortabilityQuery {
        if let Some(t) = self.query.get("target_change") {
            PortabilityQuery::TargetChange(t.as_str().expect("amount").parse().expect("amount"))
        } else if let Some(r) = self.query.get("installments_range") {
            let n = |i: usize| u32::try_from(r[i].as_u64().expect("n")).expect("n");
            PortabilityQuery::InstallmentsRange(n(0), n(1))
        } else {
            PortabilityQuery::Plain
        }
    }

    fn query_args(&self) -> Vec<String> {
        if let Some(t) = self.query.get("target_change") {
            vec!["--target-change".into(), t.as_str().expect("amount").into()]
        } else if let Some(r) = self.query.get("installments_range") {
            vec!["--installments-range".into(), format!("{}..{}", r[0], r[1])]
        } else {
            vec![]
        }
    }

    /// The library's answer: compact JSON, or the error's (kind, field).
    fn library(&self, text: &str) -> Result<String, (ErrorKind, Option<String>)> {
        let s = self.service();
        match self.endpoint.as_str() {
            "simulate" => s.simulate_json(text),
            "debt" => s.debt_json(text),
            "portability" => s.portability_json(text, self.query()),
            other => panic!("{}: endpoint {other}", self.name),
        }
        .map_err(|e| (e.kind(), e.field().map(str::to_string)))
    }
}

/// `v` without its clock.
fn clockless(text: &str) -> String {
    let mut v: Value = serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"));
    if let Some(m) = v.as_object_mut() {
        m.remove("event_datetime");
    }
    v.to_string()
}

/// Runs the binary: (exit code, stdout, stderr).
fn run(args: &[String], stdin: &[u8]) -> (Option<i32>, String, String) {
    run_bin(args, stdin)
}

/// The CLI's answer to `text` through `endpoint` (the request on standard input).
fn cli(door: &Door, text: &str) -> (Option<i32>, String, String) {
    let mut args = vec![door.endpoint.clone(), "-".into(), "--compact".into()];
    args.extend(door.engine_args());
    args.extend(door.query_args());
    run(&args, text.as_bytes())
}

/// `batch` (full, or `--summary`) over `lines` with `door`'s options: one parsed line each.
fn batch(door: &Door, lines: &[String], summary: bool) -> Vec<Value> {
    let mut args = vec!["batch".to_string()];
    args.extend(door.engine_args());
    if summary {
        args.push("--summary".into());
    }
    let mut input = lines.join("\n");
    input.push('\n');
    let (_, out, err) = run(&args, input.as_bytes());
    let got: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(got.len(), lines.len(), "{}: {err}", door.name);
    got
}

/// A batch error line's (kind, field).
fn batch_error(line: &Value) -> Option<(String, Option<String>)> {
    line.get("error")?;
    Some((
        line["kind"].as_str()?.to_string(),
        line["field"].as_str().map(str::to_string),
    ))
}

#[test]
fn every_fixture_gets_the_same_answer_at_every_door() {
    let doors = doors();
    // Batch lines grouped by the flags they run under.
    let mut groups: BTreeMap<Vec<String>, Vec<(usize, String)>> = BTreeMap::new();
    for (i, door) in doors.iter().enumerate() {
        let text = read(&door.request);
        let want = door
            .library(&text)
            .unwrap_or_else(|e| panic!("{}: {e:?}", door.name));
        // A value is the same body as its text.
        let value: Value = serde_json::from_str(&text).expect("JSON");
        let s = door.service();
        let from_value = match door.endpoint.as_str() {
            "simulate" => serde_json::to_string(&s.simulate(&value).expect("value")),
            "debt" => serde_json::to_string(&s.debt(&value).expect("value")),
            _ => serde_json::to_string(&s.portability(&value, door.query()).expect("value")),
        }
        .expect("json");
        assert_eq!(from_value, want, "{}: value door", door.name);
        let (code, out, err) = cli(door, &text);
        assert_eq!(code, Some(0), "{}: {err}", door.name);
        assert_eq!(
            clockless(out.trim_end()),
            clockless(&want),
            "{}: CLI",
            door.name
        );
        if door.endpoint == "simulate" {
            let compact: Value = serde_json::from_str(&text).expect("JSON");
            groups
                .entry(door.engine_args())
                .or_default()
                .push((i, compact.to_string()));
        }
    }
    let mut compared = 0;
    for lines in groups.values() {
        let door = &doors[lines[0].0];
        let texts: Vec<String> = lines.iter().map(|l| l.1.clone()).collect();
        let full = batch(door, &texts, false);
        let summary = batch(door, &texts, true);
        for (((i, text), f), s) in lines.iter().zip(&full).zip(&summary) {
            let d = &doors[*i];
            let want = d.library(text).expect("priced");
            assert_eq!(
                clockless(&f.to_string()),
                clockless(&want),
                "{}: batch",
                d.name
            );
            let want = d.service().summary_json(text).expect("summary");
            assert_eq!(s.to_string(), want, "{}: batch --summary", d.name);
            compared += 1;
        }
    }
    assert!(compared >= 25, "{compared} batch lines");
}

/// Bodies every door must refuse, each with the kind and field it is refused with.
fn refusals() -> Vec<(&'static str, String, ErrorKind, &'static str)> {
    let v2 = json_file("fixtures/qi-examples/v2-sim-2025.request.json");
    let legacy = json_file("fixtures/siape/simulation_request.json");
    let edit = |mut v: Value, f: &dyn Fn(&mut serde_json::Map<String, Value>)| {
        f(v.as_object_mut().expect("object"));
        v.to_string()
    };
    vec![
        (
            "v2 misspelt key",
            edit(v2.clone(), &|m| {
                let n = m.remove("number_of_installments").expect("n");
                m.insert("numbr_of_installments".into(), n);
            }),
            ErrorKind::Invalid,
            "numbr_of_installments",
        ),
        (
            "v2 unknown key",
            edit(v2.clone(), &|m| {
                m.insert("partner_metadata".into(), json!(1));
            }),
            ErrorKind::Invalid,
            "partner_metadata",
        ),
        (
            "v2 cce",
            edit(v2.clone(), &|m| {
                m.insert("credit_operation_type".into(), json!("cce"));
            }),
            ErrorKind::Unsupported,
            "credit_operation_type",
        ),
        (
            "v2 engine bound, by its v2 path",
            edit(v2, &|m| {
                m.insert("number_of_installments".into(), json!(0));
            }),
            ErrorKind::OutOfRange,
            "number_of_installments",
        ),
        (
            "legacy cce",
            edit(legacy.clone(), &|m| {
                m["financial"]["credit_operation_type"] = json!("cce");
            }),
            ErrorKind::Unsupported,
            "financial.credit_operation_type",
        ),
        (
            "legacy unknown key",
            edit(legacy, &|m| {
                m["financial"]["numbr_of_installments"] = json!(2);
            }),
            ErrorKind::Invalid,
            "financial.numbr_of_installments",
        ),
    ]
}

#[test]
fn every_door_refuses_alike_naming_the_field() {
    let door = Door {
        name: "refusal".into(),
        endpoint: "simulate".into(),
        request: String::new(),
        config: None,
        options: json!({"delay_unit": "calendar", "option_days": "calendar",
                        "natural_iof": "fixed", "allow_unknown_fields": false}),
        query: Value::Null,
    };
    let cases = refusals();
    let lines: Vec<String> = cases.iter().map(|c| c.1.clone()).collect();
    let full = batch(&door, &lines, false);
    let summary = batch(&door, &lines, true);
    for (n, (name, body, kind, field)) in cases.iter().enumerate() {
        let want = (*kind, Some(field.to_string()));
        assert_eq!(door.library(body).expect_err(name), want, "{name}: library");
        let value: Value = serde_json::from_str(body).expect("JSON");
        let e = door.service().simulate(&value).expect_err(name);
        assert_eq!(
            (e.kind(), e.field().map(str::to_string)),
            want,
            "{name}: value"
        );
        let (code, out, err) = cli(&door, body);
        assert_eq!(code, Some(2), "{name}: {out}");
        assert!(
            err.starts_with("error: ") && err.trim_end().lines().count() == 1,
            "{name}: {err}"
        );
        assert!(err.contains(&format!("{field}:")), "{name}: {err}");
        assert_eq!(err.trim_end(), format!("error: {e}"), "{name}: CLI message");
        let batch_want = Some((kind.as_str().to_string(), Some(field.to_string())));
        assert_eq!(batch_error(&full[n]), batch_want, "{name}: batch");
        assert_eq!(full[n]["line"], json!(n + 1), "{name}: line");
        assert_eq!(summary[n], full[n], "{name}: batch --summary");
    }
    // --allow-unknown-fields relaxes both shapes alike (a misspelt required field stays refused).
    let allow = Door {
        options: json!({"delay_unit": "calendar", "option_days": "calendar",
                        "natural_iof": "fixed", "allow_unknown_fields": true}),
        ..door
    };
    for (name, body, _, _) in &cases {
        let relaxed = allow.library(body);
        if name.ends_with("unknown key") {
            assert!(relaxed.is_ok(), "{name}: {relaxed:?}");
        } else {
            assert!(relaxed.is_err(), "{name}");
        }
    }
}

/// The response `key` hashes the whole request, whatever door it came through: text and value
/// give one key; requests built in Rust that differ only in due dates, month period, moved due
/// dates or rebates get different keys.
#[test]
fn the_key_hashes_the_whole_request_at_every_door() {
    use qitech_sim::api::{self, Simulated, SimulationRequest};
    use qitech_sim::fees::{AmountType, FeeRule, Pricing};
    use qitech_sim::rate::{InterestBase, InterestRate};
    use qitech_sim::{LoanTerms, NaiveDate, SimulationOptions};

    let text = read("fixtures/siape/simulation_request.json");
    let value: Value = serde_json::from_str(&text).expect("JSON");
    let key = |s: Simulated| match s {
        Simulated::Legacy(r) => r.key,
        _ => panic!("a financial body"),
    };
    let service = Service::new();
    assert_eq!(
        key(service.simulate(text.as_str()).expect("text")),
        key(service.simulate(&value).expect("value"))
    );

    let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).expect("date");
    let rate = InterestRate::monthly("0.0205".parse().expect("rate"), InterestBase::CalendarDays)
        .expect("rate");
    let base =
        LoanTerms::face_value(100.into(), 2, rate, d(2023, 3, 14), d(2023, 4, 7)).expect("terms");
    let mut rebates = Pricing::default();
    rebates.contract_fees.push(
        FeeRule::new(
            "rebates[0]",
            "tac",
            AmountType::Absolute,
            1.into(),
            0.into(),
        )
        .expect("fee"),
    );
    let variants = [
        ("base", base.clone()),
        (
            "due dates",
            base.clone().due_dates(vec![d(2023, 4, 7), d(2023, 5, 9)]),
        ),
        ("month period", base.clone().month_period(2)),
        ("moved due dates", base.clone().move_due_dates(true)),
        ("rebates", base.rebates(rebates)),
    ];
    let options = SimulationOptions::new();
    let keys: Vec<(&str, String)> = variants
        .into_iter()
        .map(|(name, terms)| {
            let request = SimulationRequest::from_terms(terms);
            let r = api::simulate_request(&request, &options, None).expect(name);
            (name, r.key)
        })
        .collect();
    for (i, (a, ka)) in keys.iter().enumerate() {
        for (b, kb) in &keys[i + 1..] {
            assert_ne!(ka, kb, "{a} and {b} share a key");
        }
    }
}
