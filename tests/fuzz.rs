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
            let mut child = Command::new(BIN)
                .arg("batch")
                .current_dir(ROOT)
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn");
            let mut stdin = child.stdin.take().expect("piped");
            let feed = input.clone();
            let feeder = std::thread::spawn(move || {
                let _ = stdin.write_all(&feed);
            });
            let out = child.wait_with_output().expect("wait");
            let _ = feeder.join();
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

/// One batch line: a mutated request on one line (newlines of the mutations escaped), or bytes.
fn input_line(rng: &mut Rng, requests: &[Value]) -> Vec<u8> {
    match rng.below(10) {
        0 => vec![],
        1 => vec![0xff, b'{'],
        _ => input(rng, requests).replace('\n', "\\n").into_bytes(),
    }
}
