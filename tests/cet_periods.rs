//! The two conventions of issue 23. `cet_periods`: the Central Bank's CET FAQ example (`fixtures/cet/bcb-faq-cet.json`),
//! golden under `cet_periods: months`, and the switch read from a configuration reaching the CET;
//! `assignment_includes_contract_fees` on the SIAPE pricing.

use qitech_sim::Decimal;
use qitech_sim::cet::{self, Flow};
use qitech_sim::conventions::{CetDerivation, CetPeriods, Conventions};
use serde_json::Value;

use crate::support::{dec, json};

const FAQ: &str = "fixtures/cet/bcb-faq-cet.json";

/// The FAQ's flows: the net amount received, and 5 installments on dates whose gaps (31, 30, 31,
/// 30, 31 days) are not equal, to show the monthly periods ignore them.
fn faq_flows(faq: &Value) -> (Decimal, Vec<Flow>) {
    let c = &faq["conditions"];
    let amount = dec(&c["installment_amount"].to_string());
    let n = c["number_of_installments"].as_u64().expect("n");
    let mut days = 0;
    let flows = (0..n)
        .map(|k| {
            days += if k % 2 == 0 { 31 } else { 30 };
            Flow { days, amount }
        })
        .collect();
    (dec(&c["net_received"].to_string()), flows)
}

/// The FAQ's 3.08 % a month and 43.93 % a year, each computed and compared at its printed
/// precision (percent with 2 decimals), under `cet_periods: months` with each figure rounded
/// from the raw rate (`cet: annual_irr`).
#[test]
fn bcb_faq_example_under_monthly_periods() {
    let faq = json(FAQ);
    let (net, flows) = faq_flows(&faq);
    let mut conventions = Conventions::default();
    conventions.cet_periods = CetPeriods::Months;
    conventions.cet = CetDerivation::AnnualIrr;
    let c = cet::solve_with(net, &flows, &conventions).expect("cet");
    let printed = &faq["printed"];
    assert_eq!(
        c.monthly_percent(),
        dec(&printed["cet_monthly_percent"].to_string())
    );
    assert_eq!(
        c.annual_percent(),
        dec(&printed["cet_annual_percent"].to_string())
    );
    // The deduction: 1000 − 50 − 10 = 940.
    let cond = &faq["conditions"];
    let deducted: Decimal = ["registration_fee", "iof"]
        .iter()
        .map(|k| dec(&cond["deducted"][k].to_string()))
        .sum();
    assert_eq!(dec(&cond["financed_amount"].to_string()) - deducted, net);
    // The installment: round2 of the Price installment at the annual rate's monthly equivalent.
    let m = (1.0 + cond["interest_rate_annual_percent"].as_f64().expect("rate") / 100.0)
        .powf(1.0 / 12.0)
        - 1.0;
    let pmt = 1000.0 * m / (1.0 - (1.0 + m).powi(-5));
    assert_eq!(format!("{pmt:.2}"), cond["installment_amount"].to_string());
}

/// The divergences, stated: the FAQ's pair needs both switches. Monthly-first rounding prints
/// 43.91 % (`(1.0308)^12 − 1`), and actual days / 365 (the crate's default, Res. CMN 4.881) on
/// these dates prints another pair.
#[test]
fn bcb_faq_example_divergences() {
    let faq = json(FAQ);
    let (net, flows) = faq_flows(&faq);
    let mut monthly_first = Conventions::default();
    monthly_first.cet_periods = CetPeriods::Months;
    monthly_first.annual_cet_decimals = Some(4);
    let c = cet::solve_with(net, &flows, &monthly_first).expect("cet");
    assert_eq!(
        (c.monthly_percent(), c.annual_percent()),
        (dec("3.08"), dec("43.91"))
    );
    let mut days = Conventions::default();
    days.cet = CetDerivation::AnnualIrr;
    let c = cet::solve_with(net, &flows, &days).expect("cet");
    assert_ne!(
        (c.monthly_percent(), c.annual_percent()),
        (dec("3.08"), dec("43.93"))
    );
}

/// `"conventions": {"cet_periods": "months"}` in a configuration reaches the engine: the SIAPE
/// request's CET (0.0264 without fees) changes: its first period has 24 days, not a month.
#[test]
fn cet_periods_from_the_configuration() {
    use qitech_sim::conventions::Profile;
    use qitech_sim::{SimulationOptions, api};
    let request = crate::support::read("fixtures/siape/simulation_request.json");
    let config = api::config_from_json(r#"{"conventions": {"cet_periods": "months"}}"#, "cfg")
        .expect("config");
    let months = config.conventions(Profile::Qi2023).expect("switches");
    assert_eq!(months.cet_periods, CetPeriods::Months);
    let cet_of = |options: &SimulationOptions| {
        let r = api::simulate_json(&request, options, None).expect("simulate");
        let v = serde_json::to_value(&r).expect("json");
        v["data"]["disbursement_options"][0]["cet"].clone()
    };
    let plain = cet_of(&SimulationOptions::new());
    assert_eq!(plain, serde_json::json!(0.0264));
    assert_ne!(cet_of(&SimulationOptions::new().conventions(months)), plain);
}

/// `assignment_includes_contract_fees`: the SIAPE request with its pricing (1.95 TAC deducted)
/// prints `assignment_amount` 196.75 by default (the 2023 manual) and, under `false` (QI's 2022
/// issuance webhook), the issue amount 194.80; the disbursed amount 191.49 and the CET are the
/// same either way.
#[test]
fn assignment_includes_contract_fees_switch() {
    use qitech_sim::api;
    use qitech_sim::conventions::Profile;
    let request = crate::support::read("fixtures/siape/simulation_request.json");
    let pricing = crate::support::json("fixtures/siape/pricing.json");
    let config = |extra: serde_json::Value| {
        let mut c = pricing.clone();
        c["conventions"] = extra;
        let parsed = api::config_from_json(&c.to_string(), "cfg").expect("config");
        let conventions = parsed.conventions(Profile::Qi2023).expect("switches");
        qitech_sim::SimulationOptions::new()
            .pricing(parsed.pricing)
            .conventions(conventions)
    };
    let data = |options: &qitech_sim::SimulationOptions| {
        let r = api::simulate_json(&request, options, None).expect("simulate");
        serde_json::to_value(&r).expect("json")["data"]["disbursement_options"][0].clone()
    };
    let manuals = data(&config(serde_json::json!({})));
    let webhook = data(&config(
        serde_json::json!({"assignment_includes_contract_fees": false}),
    ));
    assert_eq!(manuals["assignment_amount"], serde_json::json!(196.75));
    assert_eq!(webhook["assignment_amount"], serde_json::json!(194.8));
    for key in [
        "disbursed_issue_amount",
        "cet",
        "contract_fee_amount",
        "issue_amount",
    ] {
        assert_eq!(manuals[key], webhook[key], "{key}");
    }
}
