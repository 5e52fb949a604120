//! Issue #24, item 1: face-value schedules stay true on long and high-rate loans. The balance
//! left after each installment is the present value of the installments still due (walked
//! backward), so no rounding is multiplied by the loan's growth: `pre_price` 120 × 1000 at 8 % a
//! month once printed a last interest of 31.72 (the textbook 1000·(1 − 1/1.08) = 74.07), 180 ×
//! 5000 at 20 % one of −20,000, and `pre_price_days` 180 × 1000 at 20 % negative balances and an
//! IOF of 13.5 % of the issue.

use proptest::prelude::*;
use qitech_sim::SimulationOptions;
use qitech_sim::api;
use serde_json::{Value, json};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn first_option(text: &str) -> Value {
    let response = api::simulate_json(text, &SimulationOptions::new(), None).expect("priced");
    let v = serde_json::to_value(&response).expect("JSON");
    v["data"]["disbursement_options"][0].clone()
}

fn fixture(name: &str) -> String {
    let path = std::path::Path::new(ROOT)
        .join("fixtures/reliability")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// The reproducers: the last interest is the textbook's to the cent.
#[test]
fn pre_price_face_value_reproducers_end_on_the_textbook_interest() {
    for (name, face, rate, issue) in [
        ("pre-price-face-value-120x8.json", 1000.0, 0.08, 12498.78),
        ("pre-price-face-value-180x20.json", 5000.0, 0.20, 25000.0),
    ] {
        let o = first_option(&fixture(name));
        let rows = o["installments"].as_array().expect("installments");
        let last = rows.last().expect("a row");
        let textbook = face * (1.0 - 1.0 / (1.0 + rate));
        assert!(
            (num(&last["pre_fixed_amount"]) - textbook).abs() <= 0.01,
            "{name}: last interest {} vs {textbook}",
            last["pre_fixed_amount"]
        );
        assert_eq!(num(&o["issue_amount"]), issue, "{name}");
        for r in rows {
            assert!(num(&r["pre_fixed_amount"]) >= 0.0, "{name}: {r}");
            assert!(num(&r["due_principal"]) >= 0.0, "{name}: {r}");
        }
    }
}

/// `pre_price_days` 180 × 1000 at 20 %: no negative balance, the last row closes the balance.
#[test]
fn pre_price_days_face_value_keeps_its_balances() {
    let o = first_option(&fixture("face-value-divergence-180x20.json"));
    let rows = o["installments"].as_array().expect("installments");
    for r in rows {
        assert!(num(&r["due_principal"]) >= 0.0, "{r}");
    }
    let last = rows.last().expect("a row");
    assert!(num(&last["pre_fixed_amount"]) > 0.0, "{last}");
    assert!(
        (num(&last["principal_amortization_amount"]) - num(&last["due_principal"])).abs() < 0.01,
        "{last}"
    );
}

fn request(system: &str, face_cents: i64, monthly_bp: i64, n: u32) -> String {
    let mut v: Value = serde_json::from_str(
        &std::fs::read_to_string(
            std::path::Path::new(ROOT).join("fixtures/siape/simulation_request.json"),
        )
        .expect("SIAPE"),
    )
    .expect("JSON");
    let f = &mut v["financial"];
    f["interest_type"] = json!(system);
    f["installment_face_value"] = json!(qitech_sim::Decimal::new(face_cents, 2).to_string());
    f["monthly_interest_rate"] = json!(qitech_sim::Decimal::new(monthly_bp, 4).to_string());
    f["number_of_installments"] = json!(n);
    f["limit_days_to_disburse"] = json!(0);
    v.to_string()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    /// `pre_price` face value, 48–600 installments at 1–30 % a month: interest, principal and
    /// balance never negative, Σ principal = issue, the last interest within a cent of the
    /// textbook `F·(1 − 1/(1+m))`, the IOF within the natural-person ceiling
    /// (`issue × (0.0082 % × 365 + 0.38 %)`).
    #[test]
    fn pre_price_face_value_stays_true(
        face in 1_000_i64..=1_000_000,
        monthly in 100_i64..=3_000,
        n in 48_u32..=600,
    ) {
        let text = request("pre_price", face, monthly, n);
        let response = match api::simulate_json(&text, &SimulationOptions::new(), None) {
            Ok(r) => r,
            Err(e) => {
                // Only an amount beyond the crate's bounds may be refused, naming its field.
                prop_assert!(e.field().is_some(), "{}", e);
                return Ok(());
            }
        };
        let v = serde_json::to_value(&response).expect("JSON");
        let o = &v["data"]["disbursement_options"][0];
        let rows = o["installments"].as_array().expect("installments");
        let (f, m) = (face as f64 / 100.0, monthly as f64 / 10_000.0);
        let mut principal = 0.0;
        for r in rows {
            prop_assert!(num(&r["pre_fixed_amount"]) >= 0.0, "{}", r);
            prop_assert!(num(&r["principal_amortization_amount"]) >= 0.0, "{}", r);
            prop_assert!(num(&r["due_principal"]) >= 0.0, "{}", r);
            principal += num(&r["principal_amortization_amount"]);
        }
        let issue = num(&o["issue_amount"]);
        prop_assert!((principal - issue).abs() < 0.005, "Σ principal {} vs issue {}", principal, issue);
        let last = num(&rows[rows.len() - 1]["pre_fixed_amount"]);
        let textbook = f * (1.0 - 1.0 / (1.0 + m));
        prop_assert!((last - textbook).abs() <= 0.01 + 1e-9 * f, "last {} vs {}", last, textbook);
        let ceiling = issue * (0.000082 * 365.0 + 0.0038) + 0.01;
        prop_assert!(num(&o["iof_amount"]) <= ceiling, "IOF {} > {}", o["iof_amount"], ceiling);
    }

    /// `pre_price_days` face value, long and high-rate: no negative balance, and the last row
    /// closes it with a positive interest.
    #[test]
    fn pre_price_days_face_value_keeps_balances(
        face in 1_000_i64..=1_000_000,
        monthly in 100_i64..=3_000,
        n in 48_u32..=600,
    ) {
        let text = request("pre_price_days", face, monthly, n);
        let response = match api::simulate_json(&text, &SimulationOptions::new(), None) {
            Ok(r) => r,
            Err(e) => {
                prop_assert!(e.field().is_some(), "{}", e);
                return Ok(());
            }
        };
        let v = serde_json::to_value(&response).expect("JSON");
        let rows = v["data"]["disbursement_options"][0]["installments"].as_array().expect("rows").clone();
        for r in &rows {
            prop_assert!(num(&r["due_principal"]) >= -0.005, "{}", r);
        }
        let last = &rows[rows.len() - 1];
        prop_assert!(num(&last["pre_fixed_amount"]) > 0.0, "{}", last);
    }
}
