//! The no-panic guarantee of the library entry point: `api::simulate_json` answers `Ok` or `Err` for
//! any text (arbitrary strings, arbitrary JSON, and the SIAPE request mutated towards every extreme),
//! and never unwinds. Each case runs under `catch_unwind`; a panic fails the case with its input.

use std::panic::{AssertUnwindSafe, catch_unwind};

use chrono::{Days, NaiveDate};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use qitech_sim::api::{self, simulate_json};
use qitech_sim::{DelayUnit, OptionDays, SimulationOptions};
use serde_json::{Map, Value, json};

const SIAPE_REQUEST: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/fixtures/siape/simulation_request.json"
));
const SIAPE_PRICING: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/fixtures/siape/pricing.json"
));

/// Cases per strategy: enough to reach every validation branch, small enough for a 2-core CI.
const CASES: u32 = 512;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: CASES,
        // No regression files written into the source tree.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn siape() -> Value {
    serde_json::from_str(SIAPE_REQUEST).expect("the SIAPE fixture is JSON")
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "non-string panic payload".into())
}

/// Runs `simulate_json` (and the serialisation the CLI does next) and fails the case if it unwinds.
fn no_panic(text: &str, options: &SimulationOptions) -> Result<(), TestCaseError> {
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        match simulate_json(text, options, Some("2023-03-14 12:00:00".into())) {
            Ok(response) => serde_json::to_string(&response)
                .map(|_| ())
                .map_err(|e| e.to_string()),
            Err(e) => {
                // Rendering the error is part of answering: it must not panic either.
                let _ = e.to_string();
                Ok(())
            }
        }
    }));
    match outcome {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(TestCaseError::fail(format!(
            "the response does not serialise ({e}); input:\n{text}\noptions: {options:?}"
        ))),
        Err(payload) => Err(TestCaseError::fail(format!(
            "simulate_json panicked: {}\ninput:\n{text}\noptions: {options:?}",
            panic_message(payload.as_ref())
        ))),
    }
}

// ---------------------------------------------------------------------------------------------
// Value strategies

/// Numbers at the edges of every check: zero and signed zero, around −100 %, tiny, huge, integer
/// extremes, fractional counts, `Decimal`'s own limits (as strings, which amounts accept).
fn extreme_number() -> impl Strategy<Value = Value> {
    prop::sample::select(vec![
        json!(0),
        json!(-0.0),
        json!(0.0),
        json!(-1),
        json!(-1.5),
        json!(-0.5),
        json!(-0.999999),
        json!(-0.99999999999),
        json!(-1e-30),
        json!(1e-30),
        json!(0.001),
        json!(0.004),
        json!(0.005),
        json!(0.01),
        json!(0.0205),
        json!(0.5),
        json!(1.5),
        json!(2.5),
        json!(100.0),
        json!(599.5),
        json!(600),
        json!(601),
        json!(1e15),
        json!(1e16),
        json!(1e28),
        json!(7.9e28),
        json!(1e30),
        json!(1e308),
        json!(-1e308),
        json!(f64::MAX),
        json!(f64::MIN_POSITIVE),
        json!(5e-324),
        json!(u64::MAX),
        json!(i64::MIN),
        json!(i64::MAX),
        json!(u32::MAX),
        json!(u64::from(u32::MAX) + 1),
        json!("79228162514264337593543950335"),
        json!("-79228162514264337593543950335"),
        json!("0.0000000000000000000000000001"),
        json!("1e30"),
        json!(" 12.5 "),
        json!("NaN"),
        json!(""),
    ])
}

/// Any JSON number, including ones that are not finite in `f64` (those become `null`).
fn any_number() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i64>().prop_map(|i| json!(i)),
        any::<u64>().prop_map(|u| json!(u)),
        any::<f64>().prop_map(|f| json!(f)),
        (-2.0f64..2.0).prop_map(|f| json!(f)),
        extreme_number(),
    ]
}

/// Dates at the calendar's edges, outside it, and malformed.
fn extreme_date() -> impl Strategy<Value = Value> {
    prop_oneof![
        prop::sample::select(vec![
            "2001-01-01",
            "2000-12-31",
            "2099-12-31",
            "2100-01-01",
            "9999-12-31",
            "0000-01-01",
            "-0001-01-01",
            "+10000-01-01",
            "2023-02-29",
            "2024-02-29",
            "2023-02-30",
            "2023-13-01",
            "2023-00-10",
            "2023-1-1",
            "2023/03/14",
            "14/03/2023",
            "2023-03-14T00:00:00",
            " 2023-03-14 ",
            "",
            "yesterday",
        ])
        .prop_map(|s| json!(s)),
        "[0-9]{1,5}-[0-9]{1,2}-[0-9]{1,2}".prop_map(Value::String),
        realistic_date().prop_map(|d| json!(d.to_string())),
    ]
}

/// A valid date in the calendar's range.
fn realistic_date() -> impl Strategy<Value = NaiveDate> {
    let start = NaiveDate::from_ymd_opt(2001, 1, 1).expect("valid date");
    (0u64..36_524).prop_map(move |n| start.checked_add_days(Days::new(n)).unwrap_or(start))
}

/// Field names the request reader knows, so random objects sometimes reach deep branches.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "financial",
            "borrower",
            "person_type",
            "collaterals",
            "collateral_type",
            "collateral_data",
            "refinanced_credit_operations",
            "due_balance",
            "original_deadline",
            "operation_key",
            "requester_key",
            "requester_identifier_key",
            "installment_face_value",
            "disbursed_amount",
            "disbursement_date",
            "first_due_date",
            "first_due_date_delay",
            "number_of_installments",
            "limit_days_to_disburse",
            "monthly_interest_rate",
            "annual_interest_rate",
            "interest_base",
            "interest_type",
            "fine_configuration",
            "interest_grace_period",
            "principal_grace_period",
            "credit_operation_type",
            "issue_date",
        ])
        .prop_map(String::from),
        "[a-z_]{1,8}",
    ]
}

fn json_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any_number(),
        "\\PC{0,12}".prop_map(Value::String),
        extreme_date(),
        prop::sample::select(vec![
            "natural",
            "legal",
            "federal_payroll",
            "airforce_payroll",
            "pre_price_days",
            "calendar_days",
            "calendar_days_365",
            "workdays",
        ])
        .prop_map(|s| json!(s)),
    ]
}

/// Small arbitrary JSON: depth ≤ 3, a few dozen nodes.
fn json_value() -> impl Strategy<Value = Value> {
    json_leaf().prop_recursive(3, 32, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// A replacement for any field: random JSON of any type, or an extreme number or date.
fn wild() -> impl Strategy<Value = Value> {
    prop_oneof![
        json_value(),
        extreme_number(),
        extreme_date(),
        Just(Value::Null)
    ]
}

// ---------------------------------------------------------------------------------------------
// Options

fn options() -> impl Strategy<Value = SimulationOptions> {
    let pricing = prop_oneof![
        Just(None),
        Just(Some(SIAPE_PRICING.to_string())),
        (
            prop::sample::select(vec!["percentage", "absolute"]),
            any_number(),
            prop::sample::select(vec!["percentage", "absolute"]),
            any_number(),
            any_number(),
        )
            .prop_map(|(ct, ca, et, ea, tax)| {
                Some(
                    json!({
                        "contract_fees": [{"fee_type": "tac", "amount_type": ct, "amount": ca}],
                        "external_contract_fees": [
                            {"fee_type": "spread", "amount_type": et, "amount": ea, "tax_rate": tax}
                        ]
                    })
                    .to_string(),
                )
            }),
    ];
    (pricing, any::<bool>(), prop::bool::weighted(0.25)).prop_map(
        |(pricing, business_delay, business_opts)| {
            let mut o = SimulationOptions::new()
                .delay_unit(if business_delay {
                    DelayUnit::BusinessDays
                } else {
                    DelayUnit::CalendarDays
                })
                .option_days(if business_opts {
                    OptionDays::BusinessDays
                } else {
                    OptionDays::CalendarDays
                });
            // A pricing the reader rejects is not what is under test here: fall back to none.
            if let Some(p) = pricing.and_then(|text| api::pricing_from_json(&text, "config").ok()) {
                o = o.pricing(p);
            }
            o
        },
    )
}

// ---------------------------------------------------------------------------------------------
// The mutated SIAPE request

/// An amount: mostly plausible, sometimes extreme.
fn amount() -> impl Strategy<Value = Value> {
    prop_oneof![
        10 => (0.01f64..1e7).prop_map(|f| json!((f * 100.0).round() / 100.0)),
        1 => any_number(),
    ]
}

/// A rate: mostly a market rate, often anything from −99 % to +200 % a month, sometimes extreme.
fn rate() -> impl Strategy<Value = Value> {
    prop_oneof![
        5 => (0.0f64..0.1).prop_map(|f| json!(f)),
        2 => (-0.99f64..2.0).prop_map(|f| json!(f)),
        1 => any_number(),
    ]
}

fn refinanced() -> impl Strategy<Value = Value> {
    let op = (
        amount(),
        prop::option::of(prop_oneof![
            5 => (0u32..1000).prop_map(|n| json!(n)),
            1 => any_number(),
        ]),
        prop::option::of("[A-Za-z0-9-]{0,12}"),
    )
        .prop_map(|(balance, deadline, key)| {
            let mut m = Map::new();
            m.insert("due_balance".into(), balance);
            if let Some(d) = deadline {
                m.insert("original_deadline".into(), d);
            }
            if let Some(k) = key {
                m.insert("operation_key".into(), json!(k));
            }
            Value::Object(m)
        });
    prop_oneof![
        10 => prop::collection::vec(op, 0..4).prop_map(Value::Array),
        1 => wild(),
    ]
}

/// Every financial field the reader consults, for the "replace with anything" mutation.
const FIELDS: &[&str] = &[
    "financial",
    "borrower",
    "collaterals",
    "refinanced_credit_operations",
    "requester_key",
    "requester_identifier_key",
    "financial.first_due_date",
    "financial.first_due_date_delay",
    "financial.installment_face_value",
    "financial.disbursed_amount",
    "financial.disbursement_date",
    "financial.limit_days_to_disburse",
    "financial.number_of_installments",
    "financial.monthly_interest_rate",
    "financial.annual_interest_rate",
    "financial.interest_type",
    "financial.interest_base",
    "financial.fine_configuration",
    "financial.credit_operation_type",
    "financial.interest_grace_period",
    "financial.principal_grace_period",
    "financial.issue_date",
];

fn set(v: &mut Value, path: &str, new: Option<Value>) {
    let (parent, key) = match path.split_once('.') {
        Some((p, k)) => (&mut v[p], k),
        None => (v, path),
    };
    if let Value::Object(m) = parent {
        match new {
            Some(x) => {
                m.insert(key.to_string(), x);
            }
            None => {
                m.remove(key);
            }
        }
    }
}

/// The SIAPE request with its terms redrawn (amount kind, rate kind and base, dates, counts,
/// refinancings), then up to three fields replaced by anything or removed.
fn mutated_siape() -> impl Strategy<Value = String> {
    let terms = (
        (any::<bool>(), amount()),
        (any::<bool>(), rate()),
        prop::option::of(prop_oneof![
            10 => prop::sample::select(vec!["calendar_days", "calendar_days_365", "workdays"])
                .prop_map(|s| json!(s)),
            1 => wild(),
        ]),
        prop_oneof![
            6 => (1u32..=120).prop_map(|n| json!(n)),
            3 => (0u32..=1000).prop_map(|n| json!(n)),
            1 => extreme_number(),
        ],
        prop_oneof![
            6 => (0u32..=3).prop_map(|n| json!(n)),
            3 => (0u32..=60).prop_map(|n| json!(n)),
            1 => (0u32..=10_000).prop_map(|n| json!(n)),
        ],
    );
    let dates = (
        prop_oneof![8 => realistic_date().prop_map(|d| json!(d.to_string())), 1 => extreme_date()],
        prop_oneof![
            // A first due date some days after a realistic disbursement, a delay, or anything.
            8 => (1u64..=120).prop_map(Ok),
            1 => (0u32..=400).prop_map(|n| Err(json!(n))),
            1 => extreme_date().prop_map(|d| Err(json!({"date": d}))),
        ],
    );
    let extra = (
        prop::option::of(refinanced()),
        prop_oneof![
            3 => Just(vec![]),
            1 => prop::collection::vec(
                (prop::sample::select(FIELDS), prop::option::of(wild())),
                1..=3,
            ),
        ],
    );
    (terms, dates, extra).prop_map(
        |(
            ((face, amount), (monthly, rate), base, installments, limit),
            (disbursement, first_due),
            (refinanced, overrides),
        )| {
            let mut v = siape();
            let f = &mut v["financial"];
            set(f, "installment_face_value", None);
            set(
                f,
                if face {
                    "installment_face_value"
                } else {
                    "disbursed_amount"
                },
                Some(amount),
            );
            set(f, "monthly_interest_rate", None);
            set(
                f,
                if monthly {
                    "monthly_interest_rate"
                } else {
                    "annual_interest_rate"
                },
                Some(rate),
            );
            if let Some(b) = base {
                set(f, "interest_base", Some(b));
            }
            set(f, "number_of_installments", Some(installments));
            set(f, "limit_days_to_disburse", Some(limit));
            let start = disbursement
                .as_str()
                .and_then(|s| s.parse::<NaiveDate>().ok());
            set(f, "disbursement_date", Some(disbursement));
            match first_due {
                Ok(days) => {
                    let due = start
                        .and_then(|d| d.checked_add_days(Days::new(days)))
                        .map_or(Value::Null, |d| json!(d.to_string()));
                    set(f, "first_due_date", Some(due));
                }
                Err(Value::Object(m)) => {
                    set(f, "first_due_date", m.get("date").cloned());
                }
                Err(delay) => {
                    set(f, "first_due_date", None);
                    set(f, "first_due_date_delay", Some(delay));
                }
            }
            if let Some(r) = refinanced {
                set(&mut v, "refinanced_credit_operations", Some(r));
            }
            for (path, new) in overrides {
                set(&mut v, path, new);
            }
            v.to_string()
        },
    )
}

proptest! {
    #![proptest_config(config())]

    /// (a) Any string at all: mostly not JSON.
    #[test]
    fn arbitrary_strings_never_panic(
        text in prop_oneof![
            any::<String>(),
            "[\\[\\]{}\":,0-9a-z_. eE+-]{0,64}",
        ],
        opts in options(),
    ) {
        no_panic(&text, &opts)?;
    }

    /// (b) Any small JSON value, keys drawn partly from the request's own field names.
    #[test]
    fn arbitrary_json_never_panics(
        v in prop_oneof![
            json_value(),
            json_value().prop_map(|fin| json!({"financial": fin})),
        ],
        opts in options(),
    ) {
        no_panic(&v.to_string(), &opts)?;
    }

    /// (c) The SIAPE request with every term pushed to its extremes.
    #[test]
    fn mutated_siape_never_panics(text in mutated_siape(), opts in options()) {
        no_panic(&text, &opts)?;
    }
}

/// The inputs that once panicked or are closest to the edges, pinned so they run on every build.
#[test]
fn pinned_extremes_never_panic() {
    let cases: Vec<(&str, Value)> = vec![
        (
            "financial.monthly_interest_rate",
            json!("79228162514264337593543950335"),
        ),
        (
            "financial.monthly_interest_rate",
            json!("-0.9999999999999999999999999999"),
        ),
        ("financial.monthly_interest_rate", json!(-0.999999)),
        ("financial.installment_face_value", json!(1e15)),
        ("financial.installment_face_value", json!(0.001)),
        ("financial.number_of_installments", json!(600)),
        ("financial.limit_days_to_disburse", json!(60)),
    ];
    let opts = SimulationOptions::new().pricing(
        api::pricing_from_json(SIAPE_PRICING, "pricing").expect("the SIAPE pricing is valid"),
    );
    let mut failures = vec![];
    for (path, value) in cases {
        let mut v = siape();
        set(&mut v, path, Some(value.clone()));
        if let Err(e) = no_panic(&v.to_string(), &opts) {
            failures.push(format!("{path} = {value}: {e}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
