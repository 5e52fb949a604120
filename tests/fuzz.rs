//! A structure-aware fuzz campaign over every public entry point, as an ordinary test.
//!
//! Each case takes a fixture's JSON (requests, portability inputs, pricing files), applies one to
//! three mutations to its tree (a field removed, a value's type swapped, an extreme number, a random
//! or date-like string, an array grown towards its cap, an element duplicated) and, on the text, a
//! duplicated key, a cut, or a stray byte; then runs the entry point under `catch_unwind`:
//! `api::simulate_json`, `api::debt_json`, `api::portability_json` (and `target_change`,
//! `change_by_installments` on what it reads), `api::pricing_from_json`, and a few batch streams
//! through the CLI binary. A case passes when nothing unwinds, an `Ok` serialises, and an `Err`
//! names its field (`err.field()` is `Some` for every error but the CET solver's) in a short
//! message.
//!
//! `QITECH_FUZZ_CASES` sets the cases per entry point (default 256, so that CI stays fast), and
//! `QITECH_FUZZ_SEED` the first seed (default 1); the campaign is deterministic for a seed. A
//! failure prints the entry point, the seed and the input. With `QITECH_FUZZ_FIELDS` set, each
//! campaign prints the error kinds and fields it met, with counts, for review.
//!
//! ```text
//! QITECH_FUZZ_CASES=1000000 cargo test --release fuzz:: -- --nocapture
//! ```

use std::io::Write;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::process::{Command, Stdio};

use qitech_sim::api;
use qitech_sim::{Decimal, DelayUnit, Error, OptionDays, SimulationOptions};
use serde_json::{Map, Value, json};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const BIN: &str = env!("CARGO_BIN_EXE_qitech-sim");

const REQUESTS: [&str; 6] = [
    "siape/simulation_request.json",
    "airforce/simulation_request.json",
    "airforce/simulation_request_4_options.json",
    "personal_credit/simulation_request.json",
    "personal_credit/debt_request.json",
    "reliability/negative-rate-identity.json",
];
const PORTABILITY: [&str; 1] = ["airforce/portability.json"];
const PRICINGS: [&str; 3] = [
    "siape/pricing.json",
    "reliability/negative-rate-identity-pricing.json",
    "reliability/pricing-tac58.json",
];

fn cases() -> u64 {
    std::env::var("QITECH_FUZZ_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(256)
}

fn first_seed() -> u64 {
    std::env::var("QITECH_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1)
}

fn load(paths: &[&str]) -> Vec<Value> {
    paths
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(format!("{ROOT}/fixtures/{p}"))
                .unwrap_or_else(|e| panic!("{p}: {e}"));
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{p}: {e}"))
        })
        .collect()
}

/// splitmix64: small, fast, deterministic.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Numbers at the edges of every bound the crate has.
fn extreme_number(rng: &mut Rng) -> Value {
    let pool: [fn(&mut Rng) -> Value; 6] = [
        |r| {
            json!(*r.pick(&[
                0_i64,
                1,
                -1,
                2,
                59,
                60,
                61,
                99,
                100,
                101,
                365,
                599,
                600,
                601,
                1 << 31,
                i64::MAX,
                i64::MIN,
                9_007_199_254_740_993
            ]))
        },
        |r| {
            json!(*r.pick(&[
                0.0,
                -0.0,
                0.01,
                0.005,
                -0.5,
                -0.9999999,
                -1.0,
                1e-9,
                1e-28,
                1e-29,
                0.1,
                2.16,
                10.0,
                1e6,
                1e15,
                1e15 + 0.5,
                1e16,
                1e28,
                7.9e28,
                1e300,
                f64::MAX,
                f64::MIN_POSITIVE
            ]))
        },
        |r| json!(u64::MAX - r.next() % 10),
        |r| json!((r.next() % 2_000_000) as f64 / 1000.0 - 1000.0),
        |r| json!(Decimal::new((r.next() % 10_000_000) as i64, (r.next() % 12) as u32).to_string()),
        |r| json!((r.next() % 700) as i64),
    ];
    rng.pick(&pool)(rng)
}

fn random_string(rng: &mut Rng) -> Value {
    let pool: [fn(&mut Rng) -> String; 8] = [
        |r| {
            format!(
                "{:04}-{:02}-{:02}",
                1990 + r.below(120),
                r.below(14),
                r.below(33)
            )
        },
        |r| {
            (*r.pick(&[
                "2023-3-4",
                "+2023-03-14",
                " 2023-03-14 ",
                "2023-02-29",
                "9999-12-31",
                "0000-01-01",
                "2023-03-14T00:00:00",
            ]))
            .to_string()
        },
        |r| {
            (*r.pick(&[
                "calendar_days",
                "workdays",
                "calendar_days_365",
                "pre_price_days",
                "federal_payroll",
                "airforce_payroll",
                "natural",
                "legal",
                "percentage",
                "absolute",
                "new_credit",
                "issuing",
            ]))
            .to_string()
        },
        |r| "x".repeat(r.below(5000)),
        |r| "é\u{0}\u{feff}\"\\\n".repeat(r.below(20)),
        |r| format!("{}", r.next()),
        |r| format!("-{}.{}", r.below(1000), r.below(100)),
        |_| String::new(),
    ];
    Value::String(rng.pick(&pool)(rng))
}

fn random_value(rng: &mut Rng, depth: u32) -> Value {
    match rng.below(if depth > 2 { 5 } else { 7 }) {
        0 => Value::Null,
        1 => Value::Bool(rng.chance(50)),
        2 | 3 => extreme_number(rng),
        4 => random_string(rng),
        5 => Value::Array(
            (0..rng.below(4))
                .map(|_| random_value(rng, depth + 1))
                .collect(),
        ),
        _ => {
            let mut m = Map::new();
            for _ in 0..rng.below(4) {
                m.insert(format!("k{}", rng.below(5)), random_value(rng, depth + 1));
            }
            Value::Object(m)
        }
    }
}

/// A random node of `v` (any depth), as a mutable reference.
fn random_node<'a>(rng: &mut Rng, v: &'a mut Value) -> &'a mut Value {
    let descend = rng.chance(75);
    let has_children = match v {
        Value::Object(m) => !m.is_empty(),
        Value::Array(a) => !a.is_empty(),
        _ => false,
    };
    if !descend || !has_children {
        return v;
    }
    match v {
        Value::Object(m) => {
            let i = rng.below(m.len());
            let key = m.keys().nth(i).cloned().unwrap_or_default();
            match m.get_mut(&key) {
                Some(child) => random_node(rng, child),
                None => unreachable!("the key was just read"),
            }
        }
        Value::Array(a) => {
            let i = rng.below(a.len());
            random_node(rng, &mut a[i])
        }
        _ => v,
    }
}

/// One mutation of the tree.
fn mutate(rng: &mut Rng, v: &mut Value) {
    let node = random_node(rng, v);
    match rng.below(8) {
        // Remove a field (or an element).
        0 => match node {
            Value::Object(m) if !m.is_empty() => {
                let i = rng.below(m.len());
                if let Some(k) = m.keys().nth(i).cloned() {
                    m.remove(&k);
                }
            }
            Value::Array(a) if !a.is_empty() => {
                let i = rng.below(a.len());
                a.remove(i);
            }
            other => *other = Value::Null,
        },
        // Swap the type.
        1 => *node = random_value(rng, 0),
        // An extreme number.
        2 | 3 => *node = extreme_number(rng),
        // A string.
        4 => *node = random_string(rng),
        // Grow an array towards (or past) its cap.
        5 => {
            if let Value::Array(a) = node
                && let Some(first) = a.first().cloned()
            {
                let n = *rng.pick(&[2usize, 15, 16, 17, 63, 64, 65, 100, 101]);
                a.resize(n, first);
            } else if let Value::Object(m) = node {
                let key = *rng.pick(&[
                    "refinanced_credit_operations",
                    "collaterals",
                    "contract_fees",
                    "external_contract_fees",
                ]);
                let item = json!({"due_balance": 1, "collateral_type": "federal_payroll",
                    "fee_type": "tac", "amount_type": "absolute", "amount": 1});
                m.insert(key.into(), Value::Array(vec![item; 1 + rng.below(120)]));
            }
        }
        // Add a field QI documents (or not), anywhere.
        6 => {
            if let Value::Object(m) = node {
                let key = *rng.pick(&[
                    "annual_interest_rate",
                    "monthly_interest_rate",
                    "disbursed_amount",
                    "installment_face_value",
                    "first_due_date_delay",
                    "first_due_date",
                    "limit_days_to_disburse",
                    "interest_base",
                    "issue_date",
                    "requester_identifier_key",
                    "collateral_data",
                    "portability_data",
                    "bridge_first_due_date_delay",
                ]);
                m.insert(key.into(), random_value(rng, 1));
            }
        }
        // Numbers as strings.
        _ => {
            if let Value::Number(n) = node {
                *node = Value::String(n.to_string());
            }
        }
    }
}

/// Text-level mutations: a duplicated key, a cut, a stray byte, an underflowing number.
fn mutate_text(rng: &mut Rng, text: String) -> String {
    match rng.below(16) {
        0 => {
            // Duplicate the first key of some object: `{"a":…` → `{"a":null,"a":…`.
            let starts: Vec<usize> = text.match_indices("{\"").map(|(i, _)| i).collect();
            if starts.is_empty() {
                return text;
            }
            let at = *rng.pick(&starts) + 1;
            let key_end = text[at + 1..].find('"').map(|e| at + 1 + e + 1);
            match key_end {
                Some(end) => format!("{}{}:0,{}", &text[..at], &text[at..end], &text[at..]),
                None => text,
            }
        }
        1 => {
            let cut = rng.below(text.len());
            let cut = (0..=cut)
                .rev()
                .find(|&i| text.is_char_boundary(i))
                .unwrap_or(0);
            text[..cut].to_string()
        }
        2 => text.replacen(|c: char| c.is_ascii_digit(), "1e-400", 1),
        3 => format!("\u{feff}{text}"),
        4 => text.replacen(':', ": \u{0}", 1),
        _ => text,
    }
}

fn options(rng: &mut Rng, pricings: &[Value]) -> SimulationOptions {
    let mut o = SimulationOptions::new();
    if rng.chance(50) {
        let mut p = rng.pick(pricings).clone();
        if rng.chance(50) {
            mutate(rng, &mut p);
        }
        if let Ok(pricing) = api::pricing_from_json(&p.to_string(), "config") {
            o = o.pricing(pricing);
        }
    }
    if rng.chance(30) {
        o = o.delay_unit(DelayUnit::BusinessDays);
    }
    if rng.chance(30) {
        o = o.option_days(OptionDays::BusinessDays);
    }
    o
}

/// The input of one case: a mutated fixture, as text.
fn input(rng: &mut Rng, seeds: &[Value]) -> String {
    let mut v = rng.pick(seeds).clone();
    for _ in 0..1 + rng.below(3) {
        mutate(rng, &mut v);
    }
    mutate_text(rng, v.to_string())
}

/// The fields errors named, with counts (printed at the end of a campaign, to review).
static FIELDS: std::sync::Mutex<std::collections::BTreeMap<String, u64>> =
    std::sync::Mutex::new(std::collections::BTreeMap::new());

/// An `Err` must name its field (all but the CET solver's) in a short message.
fn check_error(e: &Error) -> Result<bool, String> {
    let message = e.to_string();
    let field: String = e
        .field()
        .unwrap_or("(cet)")
        .chars()
        .filter(|c| !c.is_ascii_digit())
        .take(60)
        .collect();
    if let Ok(mut fields) = FIELDS.lock() {
        *fields.entry(format!("{}:{field}", e.kind())).or_default() += 1;
    }
    if e.field().is_none() && !matches!(e, Error::CetNoRoot { .. }) {
        return Err(format!("error without a field: {message}"));
    }
    if message.len() > 600 {
        return Err(format!("error message of {} bytes", message.len()));
    }
    Ok(false)
}

/// `Ok(true)` for an answer that serialises, `Ok(false)` for a proper error.
fn outcome<T: serde::Serialize>(r: qitech_sim::Result<T>) -> Result<bool, String> {
    match r {
        Ok(v) => serde_json::to_string(&v)
            .map(|_| true)
            .map_err(|e| e.to_string()),
        Err(e) => check_error(&e),
    }
}

/// Runs `cases()` cases of `entry` from `first_seed()`, on two threads; fails with the first
/// failing case (entry point, seed, input).
fn campaign(name: &str, entry: fn(&mut Rng) -> (String, Result<bool, String>)) {
    let total = cases();
    let start = first_seed();
    let threads = 2u64;
    let answered = std::sync::atomic::AtomicU64::new(0);
    let answered = &answered;
    let failures: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                s.spawn(move || {
                    let mut seed = start + t;
                    while seed < start + total {
                        let mut rng = Rng(seed);
                        let mut text = String::new();
                        let run = catch_unwind(AssertUnwindSafe(|| {
                            let (input, result) = entry(&mut rng);
                            text = input;
                            result
                        }));
                        let problem = match run {
                            Ok(Ok(true)) => {
                                answered.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                                None
                            }
                            Ok(Ok(false)) => None,
                            Ok(Err(why)) => Some(why),
                            Err(_) => Some("panic".to_string()),
                        };
                        if let Some(why) = problem {
                            return Some(format!(
                                "{name}: seed {seed}: {why}\ninput: {}",
                                &text[..text.len().min(4000)]
                            ));
                        }
                        seed += threads;
                    }
                    None
                })
            })
            .collect();
        handles
            .into_iter()
            .filter_map(|h| h.join().ok().flatten())
            .collect()
    });
    eprintln!(
        "fuzz {name}: {total} cases from seed {start}, {} answered Ok",
        answered.load(std::sync::atomic::Ordering::Relaxed)
    );
    print_fields(name);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

thread_local! {
    static REQUESTS_V: Vec<Value> = load(&REQUESTS);
    static PORTABILITY_V: Vec<Value> = load(&PORTABILITY);
    static PRICINGS_V: Vec<Value> = load(&PRICINGS);
}

fn with_seeds<R>(f: impl FnOnce(&[Value], &[Value], &[Value]) -> R) -> R {
    REQUESTS_V.with(|r| PORTABILITY_V.with(|p| PRICINGS_V.with(|c| f(r, p, c))))
}

/// Prints the fields errors named so far (with `--nocapture`).
fn print_fields(name: &str) {
    if std::env::var_os("QITECH_FUZZ_FIELDS").is_some()
        && let Ok(fields) = FIELDS.lock()
    {
        for (f, n) in fields.iter() {
            eprintln!("fuzz {name}: {n:>9} {f}");
        }
    }
}

#[test]
fn fuzz_simulate_json() {
    campaign("simulate_json", |rng| {
        with_seeds(|requests, _, pricings| {
            let text = input(rng, requests);
            let o = options(rng, pricings);
            let r = outcome(api::simulate_json(
                &text,
                &o,
                Some("2023-03-14 12:00:00".into()),
            ));
            (text, r)
        })
    });
}

#[test]
fn fuzz_debt_json() {
    campaign("debt_json", |rng| {
        with_seeds(|requests, _, pricings| {
            let text = input(rng, requests);
            let o = options(rng, pricings);
            let r = outcome(api::debt_json(&text, &o));
            (text, r)
        })
    });
}

#[test]
fn fuzz_portability_json() {
    campaign("portability_json", |rng| {
        with_seeds(|_, portability, pricings| {
            let text = input(rng, portability);
            let o = options(rng, pricings);
            let mut r = outcome(api::portability_json(&text, &o));
            if r.is_ok()
                && let Ok(request) = api::PortabilityRequest::from_json(&text, "request")
            {
                r = match rng.below(3) {
                    0 => {
                        let target = Decimal::new(rng.next() as i64 % 10_000_000_000, 2);
                        outcome(api::target_change(&request, target, &o))
                    }
                    1 => {
                        let lo = 1 + rng.below(100) as u32;
                        let hi = lo + rng.below(3) as u32;
                        outcome(api::change_by_installments(&request, lo..=hi, &o))
                    }
                    _ => Ok(true),
                };
            }
            (text, r)
        })
    });
}

#[test]
fn fuzz_pricing_from_json() {
    campaign("pricing_from_json", |rng| {
        with_seeds(|_, _, pricings| {
            let text = input(rng, pricings);
            let r = match api::pricing_from_json(&text, "config") {
                Ok(p) => {
                    // A pricing read is a pricing the engine can charge with.
                    let charged = p.charge(Decimal::new(rng.next() as i64 % 1_000_000_000, 2));
                    charged.map(|_| true).or_else(|e| check_error(&e))
                }
                Err(e) => check_error(&e),
            };
            (text, r)
        })
    });
}

/// Batch streams through the binary: as many output lines as input lines, exit 0 or 1.
#[test]
fn fuzz_batch_lines() {
    let streams = (cases() / 64).clamp(2, 64);
    with_seeds(|requests, _, _| {
        for s in 0..streams {
            let mut rng = Rng(first_seed() + 7919 * s);
            let mut input = Vec::new();
            let n = 1 + rng.below(40);
            for _ in 0..n {
                let line = input_line(&mut rng, requests);
                input.extend_from_slice(&line);
                input.push(b'\n');
            }
            let out = batch_output(input);
            let lines = out.stdout.iter().filter(|&&b| b == b'\n').count();
            assert_eq!(
                lines,
                n,
                "stream {s}: {n} lines in, {lines} out; stderr {}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(
                matches!(out.status.code(), Some(0 | 1)),
                "stream {s}: {:?}",
                out.status
            );
        }
    });
    eprintln!("fuzz batch: {streams} streams");
}

/// `qitech-sim batch` on `input` (fed from a thread, so that a full pipe cannot block).
fn batch_output(input: Vec<u8>) -> std::process::Output {
    let mut child = Command::new(BIN)
        .arg("batch")
        .current_dir(ROOT)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stdin = child.stdin.take().expect("piped");
    let feeder = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().expect("wait");
    let _ = feeder.join();
    out
}

/// One batch line: a mutated request on one line (newlines of the mutations escaped), or bytes.
fn input_line(rng: &mut Rng, requests: &[Value]) -> Vec<u8> {
    match rng.below(10) {
        0 => vec![],
        1 => vec![0xff, b'{'],
        _ => input(rng, requests).replace('\n', "\\n").into_bytes(),
    }
}

// ---------------------------------------------------------------------------------------------
// The doors added since the first campaign: v2 bodies and the present-value inquiry.
// ---------------------------------------------------------------------------------------------

const V2_SEEDS: [&str; 1] = ["qi-examples/v2-sim-2025.request.v2.json"];
/// Contracts: issuance bodies (their schedules rebuilt) and issued schedules (`debt` responses).
const CONTRACTS: [&str; 5] = [
    "siape/simulation_request.json",
    "personal_credit/debt_request.json",
    "personal_credit/debt_response.json",
    "systems/sac-12-10000-2024.request.json",
    "qi-examples/bnpl-issue-2026.request.json",
];

/// The v2 fixture and variants of it: a face value, an annual rate, a legal person, a longer loan.
fn v2_seeds() -> Vec<Value> {
    let mut base = load(&V2_SEEDS).remove(0);
    if let Value::Object(m) = &mut base {
        m.remove("_note");
    }
    let mut seeds = vec![base.clone()];
    let variants: [fn(&mut Map<String, Value>); 3] = [
        |m| {
            m.remove("disbursed_issue_amount");
            m.insert("installment_face_value".into(), json!(250.55));
        },
        |m| {
            m.remove("monthly_interest_rate");
            m.insert("annual_interest_rate".into(), json!(0.2682));
            m.insert("issuer_person_type".into(), json!("legal"));
        },
        |m| {
            m.insert("number_of_installments".into(), json!(84));
            m.insert("disbursed_issue_amount".into(), json!(12000.5));
            m.insert("monthly_interest_rate".into(), json!(0.018));
        },
    ];
    for edit in variants {
        let mut v = base.clone();
        if let Value::Object(m) = &mut v {
            m.remove("_note");
            edit(m);
        }
        seeds.push(v);
    }
    seeds
}

/// The contracts, plus the `debt` response of each issuance body that has one (an issued
/// schedule of every fixture's shape).
fn contract_seeds() -> Vec<Value> {
    let mut seeds = load(&CONTRACTS);
    let service = api::Service::new();
    let issued: Vec<Value> = seeds
        .iter()
        .filter(|v| v.get("financial").is_some())
        .filter_map(|v| service.debt(v).ok())
        .filter_map(|d| serde_json::to_value(d).ok())
        .collect();
    seeds.extend(issued);
    seeds
}

thread_local! {
    static V2_V: Vec<Value> = v2_seeds();
    static CONTRACTS_V: Vec<Value> = contract_seeds();
}

/// A service with random engine switches (the CLI's `--delay-unit`, `--option-days`).
fn service(rng: &mut Rng) -> api::Service {
    let mut s = api::Service::new();
    if rng.chance(30) {
        s = s.delay_unit(DelayUnit::BusinessDays);
    }
    if rng.chance(30) {
        s = s.option_days(OptionDays::BusinessDays);
    }
    s
}

/// `(kind, field)` of an error, to compare two doors' refusals.
fn refusal(e: &Error) -> (String, Option<String>) {
    (e.kind().to_string(), e.field().map(str::to_string))
}

/// The same answer from two doors: equal bytes, or the same error kind and field.
fn same_answer(a: &Result<Vec<u8>, Error>, b: &Result<Vec<u8>, Error>) -> Result<(), String> {
    match (a, b) {
        (Ok(x), Ok(y)) if x == y => Ok(()),
        (Err(x), Err(y)) if refusal(x) == refusal(y) => Ok(()),
        _ => Err(format!(
            "two doors differ: {:?} vs {:?}",
            a.as_ref().map(|b| String::from_utf8_lossy(b).into_owned()),
            b.as_ref().map(|b| String::from_utf8_lossy(b).into_owned())
        )),
    }
}

/// A fast writer's bytes must be serde_json's (the documented contract of `to_json_bytes`).
fn writer_is_serde<T: serde::Serialize>(value: &T, bytes: &[u8]) -> Result<(), String> {
    let serde = serde_json::to_vec(value).map_err(|e| e.to_string())?;
    if serde == bytes {
        Ok(())
    } else {
        Err(format!(
            "to_json_bytes differs from serde_json:\n{}\n{}",
            String::from_utf8_lossy(bytes),
            String::from_utf8_lossy(&serde)
        ))
    }
}

/// One v2 case: a mutated v2 body through `Service::simulate` (which detects the shape), checked
/// against `Service::summary` (the same refusal, or both priced), `api::v2_simulate_json` (the
/// same bytes for a body still of the v2 shape) and serde_json (the writer's bytes).
fn v2_case(rng: &mut Rng, seeds: &[Value]) -> (String, Result<bool, String>) {
    let text = input(rng, seeds);
    let service = service(rng);
    let simulated = service.simulate(text.as_str());
    let result = (|| {
        let bytes = simulated.as_ref().map(|s| s.to_json_bytes());
        if let Ok(s) = &simulated {
            writer_is_serde(s, bytes.as_ref().map_err(|_| "unreachable")?)?;
        }
        let summary = service.summary(text.as_str());
        match (&simulated, &summary) {
            (Ok(_), Ok(_)) => {}
            (Err(a), Err(b)) if refusal(a) == refusal(b) => {}
            (a, b) => {
                return Err(format!(
                    "simulate and summary differ: {:?} vs {:?}",
                    a.as_ref().err().map(refusal),
                    b.as_ref().err().map(refusal)
                ));
            }
        }
        if api::is_v2_body(&text) {
            let options = service.v2_options().map_err(|e| e.to_string())?;
            let direct = api::v2_simulate_json(&text, options).map(|r| r.to_json_bytes());
            let door = bytes.clone().map_err(|e| e.clone());
            // The direct door names its JSON input "request" as Service does.
            same_answer(&door, &direct)?;
        }
        match &simulated {
            Ok(_) => Ok(true),
            Err(e) => check_error(e),
        }
    })();
    (text, result)
}

/// A date to value a contract on: near the fixtures' loans, or at the calendar's edges.
fn pv_date(rng: &mut Rng) -> chrono::NaiveDate {
    let day = |y: i32, o: u64| {
        chrono::NaiveDate::from_ymd_opt(y, 1, 1)
            .and_then(|d| d.checked_add_days(chrono::Days::new(o)))
            .unwrap_or_default()
    };
    match rng.below(6) {
        0 => *rng.pick(&[
            day(1, 0),
            day(1900, 0),
            day(1999, 364),
            day(2000, 365),
            day(2001, 0),
            day(2099, 364),
            day(2100, 0),
            day(2999, 0),
            day(9999, 364),
            chrono::NaiveDate::MIN,
            chrono::NaiveDate::MAX,
        ]),
        _ => day(2018, rng.next() % (365 * 20)),
    }
}

/// Present-value options: the paid count (none, small, at the contract's edges, huge), delay
/// charges, the refused spread, either late-interest rule.
fn pv_options(rng: &mut Rng) -> qitech_sim::present_value::PresentValueOptions {
    use qitech_sim::present_value::{LateInterest, PresentValueOptions};
    let paid = match rng.below(3) {
        0 => None,
        1 => Some(rng.below(30) as u32),
        _ => Some(*rng.pick(&[0, 1, 11, 12, 13, 96, 599, 600, 601, u32::MAX])),
    };
    PresentValueOptions::new()
        .paid(paid)
        .calculate_delay(rng.chance(40))
        .calculate_spread(rng.chance(5))
        .late_interest(if rng.chance(50) {
            LateInterest::Compound
        } else {
            LateInterest::SimpleProRata
        })
}

/// One present-value case: a mutated contract valued on a random date through
/// `Service::present_value`, checked against `api::present_value_json` (the same answer) and
/// serde_json (the writer's bytes); a third of the cases also prepay a random amount.
fn present_value_case(rng: &mut Rng, seeds: &[Value]) -> (String, Result<bool, String>) {
    let text = input(rng, seeds);
    let date = pv_date(rng);
    let o = pv_options(rng);
    let service = service(rng);
    let result = (|| {
        let pv = service.present_value(text.as_str(), date, &o);
        let bytes = pv.as_ref().map(|r| r.to_json_bytes()).map_err(Clone::clone);
        if let (Ok(r), Ok(b)) = (&pv, &bytes) {
            writer_is_serde(r, b)?;
        }
        let options = service.options().map_err(|e| e.to_string())?;
        let direct =
            api::present_value_json(&text, "request", date, options, &o).map(|r| r.to_json_bytes());
        same_answer(&bytes, &direct)?;
        let mut answered = match &pv {
            Ok(_) => true,
            Err(e) => check_error(e)?,
        };
        if rng.chance(33) {
            let amount = match rng.below(4) {
                0 => Decimal::new(rng.next() as i64 % 10_000_000, 2),
                1 => Decimal::new((rng.next() % 100_000_000_000) as i64, 2),
                2 => *rng.pick(&[
                    Decimal::ZERO,
                    Decimal::new(1, 2),
                    Decimal::new(1, 3),
                    Decimal::MAX,
                ]),
                _ => Decimal::new(-(rng.below(100_000) as i64), 2),
            };
            let keep = if rng.chance(50) {
                qitech_sim::prepayment::Keep::Term
            } else {
                qitech_sim::prepayment::Keep::Installment
            };
            answered = match service.prepayment(text.as_str(), date, amount, keep, &o) {
                Ok(r) => serde_json::to_string(&r)
                    .map(|_| true)
                    .map_err(|e| e.to_string())?,
                Err(e) => check_error(&e)?,
            };
        }
        Ok(answered)
    })();
    (text, result)
}

#[test]
fn fuzz_v2_simulate() {
    campaign("v2_simulate", |rng| V2_V.with(|seeds| v2_case(rng, seeds)));
}

#[test]
fn fuzz_present_value() {
    campaign("present_value", |rng| {
        CONTRACTS_V.with(|seeds| present_value_case(rng, seeds))
    });
}

/// The CLI doors against the library's: v2 bodies through `batch` (each output line the compact
/// response `Service::simulate` gives, or an error line with its kind and field) and contracts
/// through `present-value --compact` (serde_json's text of `Service::present_value`, or exit 2
/// with one stderr line naming the field).
#[test]
fn fuzz_cli_doors() {
    let samples = (cases() / 2000).clamp(8, 500);
    let service = api::Service::new();
    let dir = std::env::temp_dir().join(format!("qitech-fuzz-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let (v2, contracts) = (v2_seeds(), contract_seeds());
    // v2 bodies, one batch stream.
    let mut rng = Rng(first_seed() ^ 0x5eed);
    let bodies: Vec<String> = (0..samples)
        .map(|_| input(&mut rng, &v2).replace('\n', "\\n"))
        .collect();
    let out = batch_output((bodies.join("\n") + "\n").into_bytes());
    let lines: Vec<&[u8]> = out.stdout.split(|&b| b == b'\n').collect();
    assert_eq!(lines.len(), bodies.len() + 1, "one line per body");
    for (body, line) in bodies.iter().zip(&lines) {
        match service.simulate(body.as_str()) {
            Ok(s) => assert_eq!(
                String::from_utf8_lossy(line),
                String::from_utf8_lossy(&s.to_json_bytes()),
                "batch vs Service::simulate on {body}"
            ),
            Err(e) => {
                let v: Value = serde_json::from_slice(line).expect("an error line is JSON");
                // Text that is not JSON is named by its input: `line N` in batch, `request` here.
                let field = match e.kind() {
                    qitech_sim::ErrorKind::InvalidJson => v["field"].as_str(),
                    _ => e.field(),
                };
                assert_eq!(
                    (v["kind"].as_str(), v["field"].as_str()),
                    (Some(e.kind().to_string().as_str()), field),
                    "batch vs Service::simulate on {body}: {v}"
                );
            }
        }
    }
    // Contracts, one present-value process each.
    for k in 0..samples {
        let mut rng = Rng(first_seed() + 104_729 * k);
        let text = input(&mut rng, &contracts);
        let date = pv_date(&mut rng);
        let spread = rng.chance(5);
        let o = pv_options(&mut rng).calculate_spread(spread);
        let file = dir.join(format!("c{k}.json"));
        std::fs::write(&file, &text).expect("write");
        let mut args = vec![
            "present-value".to_string(),
            file.display().to_string(),
            "--date".into(),
            date.format("%Y-%m-%d").to_string(),
            "--compact".into(),
        ];
        if let Some(n) = o.get_paid() {
            args.extend(["--paid".into(), n.to_string()]);
        }
        if o.get_calculate_delay() {
            args.push("--calculate-delay".into());
        }
        if spread {
            args.push("--calculate-spread".into());
        }
        // The CLI has no late-interest switch: the library runs with its default.
        let o = o.late_interest(Default::default());
        let out = Command::new(BIN).args(&args).output().expect("run");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        // The library names the input as the CLI does: by its file. A file's BOM is the CLI's to
        // strip (the library reads JSON text, where a BOM is not whitespace: `invalid_json`).
        let name = file.display().to_string();
        let json = text.strip_prefix('\u{feff}').unwrap_or(&text);
        match service.present_value(api::Body::from(json).named(&name), date, &o) {
            Ok(r) => {
                assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
                let expected = serde_json::to_string(&r).expect("serialise");
                assert_eq!(stdout.trim_end(), expected, "{args:?}");
            }
            Err(e) => {
                assert_eq!(out.status.code(), Some(2), "{args:?}: {stdout}");
                assert!(stdout.is_empty(), "{args:?}");
                assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
                // A date chrono prints outside `YYYY-MM-DD` is refused by the CLI as `--date`.
                if let Some(field) = e.field().filter(|_| args[3].len() == 10) {
                    assert!(stderr.contains(field), "{args:?}: {stderr} vs {e}");
                }
            }
        }
        let _ = std::fs::remove_file(&file);
    }
    let _ = std::fs::remove_dir(&dir);
    eprintln!("fuzz cli doors: {samples} v2 batch lines, {samples} present-value runs");
}
