//! The request surface (issue #9): every documented field of QI's simulation and issuance bodies is
//! applied, refused with an error naming it, or arithmetic-free; unknown keys are refused with the
//! nearest known key unless allowed.
//!
//! `fixtures/surface/*.derived.json` pin what this engine computes for one request per implemented
//! field; they are **not** QI's responses (the tests say so in their names). Each has a number checked
//! by hand below, and `v2_internal_fee` and `siape_rebates` reproduce QI's documented numbers.

use std::process::Command;

use proptest::prelude::*;
use qitech_sim::api::{self, SimulationRequest};
use qitech_sim::fees::{AmountType, FeeClass, FeeRule, Pricing};
use qitech_sim::rate::{InterestBase, InterestRate};
use qitech_sim::schedule::{self, Grid};
use qitech_sim::{ErrorKind, LoanTerms, SimulationOptions, simulate};
use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::support::{date, dec, json as fixture, read};

const SIAPE: &str = "fixtures/siape/simulation_request.json";

/// The response of `request` (a fixture path or JSON text) under `pricing` (a fixture path), as JSON
/// without the key and the clock.
fn respond(request: &str, pricing: Option<&str>) -> Result<Value, qitech_sim::Error> {
    let mut options = SimulationOptions::new();
    if let Some(p) = pricing {
        let config = api::config_from_json(&read(p), p)?;
        options = options
            .pricing(config.pricing.clone())
            .conventions(config.conventions(qitech_sim::conventions::Profile::Qi2023)?);
    }
    let r = api::simulate_json(request, &options, None)?;
    let mut v = serde_json::to_value(r).expect("json");
    if let Some(m) = v.as_object_mut() {
        m.remove("key");
        m.remove("event_datetime");
    }
    Ok(v)
}

fn siape() -> Value {
    fixture(SIAPE)
}

/// `(number printed, as text)` at a JSON pointer of `v`.
fn at(v: &Value, pointer: &str) -> String {
    v.pointer(pointer)
        .unwrap_or_else(|| panic!("{pointer} missing"))
        .to_string()
}

// ---------------------------------------------------------------------------------------------
// One fixture per implemented field, each pinned as derived and with a number checked by hand.

/// `(request fixture, pricing fixture, pinned response)`.
const DERIVED: &[(&str, Option<&str>, &str)] = &[
    ("rebates_tac", None, "rebates_tac"),
    ("due_dates", None, "due_dates"),
    ("desired_installments", None, "desired_installments"),
    ("month_period", None, "month_period"),
    ("force_workdays", None, "force_workdays"),
    ("disbursement_window", None, "disbursement_window"),
    ("refinanced_accrual", None, "refinanced_accrual"),
    // Checked against the contract's present value in tests/refinance_contract.rs.
    ("refinanced_contract", None, "refinanced_contract"),
    ("calendar_days_365", None, "calendar_days_365"),
    ("fgts_balance", None, "fgts_balance"),
    (
        "v2_internal_fee",
        Some("v2_internal_fee.pricing.json"),
        "v2_internal_fee",
    ),
];

#[test]
fn surface_fixtures_derived_not_documented_regression() {
    for (request, pricing, pinned) in DERIVED {
        let path = format!("fixtures/surface/{request}.request.json");
        let pricing = pricing.map(|p| format!("fixtures/surface/{p}"));
        let got = respond(&read(&path), pricing.as_deref()).expect(&path);
        let want = fixture(&format!("fixtures/surface/{pinned}.response.derived.json"));
        assert_eq!(got, want, "{path}");
    }
    // The SIAPE request under the two pricing files written in the new vocabularies.
    for (pricing, pinned) in [
        ("siape_rebates.pricing.json", "siape_rebates"),
        ("move_due_dates.pricing.json", "move_due_dates"),
    ] {
        let got =
            respond(&read(SIAPE), Some(&format!("fixtures/surface/{pricing}"))).expect(pricing);
        let want = fixture(&format!("fixtures/surface/{pinned}.response.derived.json"));
        assert_eq!(got, want, "{pricing}");
    }
}

/// `rebates: [{tac, absolute 10}]`: deducted and added, as the configured TAC:
/// 194.80 − 1.36 − 10 = 183.44 disbursed, 194.80 + 10 = 204.80 assigned.
#[test]
fn rebate_tac_is_a_contract_fee() {
    let v = respond(&read("fixtures/surface/rebates_tac.request.json"), None).expect("ok");
    assert_eq!(at(&v, "/data/disbursed_issue_amount"), "183.44");
    assert_eq!(at(&v, "/data/assignment_amount"), "204.8");
    assert_eq!(at(&v, "/data/contract_fees/0/fee_type"), "\"tac\"");
}

/// The pricing file in the request's vocabulary (`rebates`: 1 % tac, 1 % spread taxed 9.25 %) gives
/// QI's SIAPE §3 numbers, as the `contract_fees`/`external_contract_fees` file does.
#[test]
fn pricing_rebates_vocabulary_reproduces_the_siape_golden() {
    let v = respond(
        &read(SIAPE),
        Some("fixtures/surface/siape_rebates.pricing.json"),
    )
    .expect("ok");
    let golden = fixture("fixtures/siape/simulation_response.json");
    for key in [
        "disbursed_issue_amount",
        "assignment_amount",
        "cet",
        "contract_fee_amount",
        "external_contract_fee_amount",
        "net_external_contract_fee_amount",
    ] {
        assert_eq!(
            at(&v, &format!("/data/{key}")),
            at(&golden, &format!("/data/{key}")),
            "{key}"
        );
    }
    // And the request-side rebates merge with the partner's file: both TACs are charged.
    let mut req = siape();
    req["financial"]["rebates"] =
        json!([{"fee_type": "tac", "amount_type": "absolute", "amount": 10}]);
    let v = respond(&req.to_string(), Some("fixtures/siape/pricing.json")).expect("ok");
    // 194.80 − 1.36 − 1.95 − 10 = 181.49.
    assert_eq!(at(&v, "/data/disbursed_issue_amount"), "181.49");
    assert_eq!(at(&v, "/data/contract_fee_amount"), "11.95");
}

/// QI's v2 example (`v2-sim-2025`): the internal 0.2 % fee raises `assignment_amount` to 36.21 =
/// 36.14 + round2(0.002 × 36.14) while 35.90 = 36.14 − 0.24 is disbursed; the gross-up ignores it
/// and the CET (7.76 %) is the fee-free one. These four numbers are QI's.
#[test]
fn internal_fee_class_raises_assignment_only_as_qi_v2() {
    let v = respond(
        &read("fixtures/surface/v2_internal_fee.request.json"),
        Some("fixtures/surface/v2_internal_fee.pricing.json"),
    )
    .expect("ok");
    assert_eq!(at(&v, "/data/issue_amount"), "36.14");
    assert_eq!(at(&v, "/data/iof_amount"), "0.24");
    assert_eq!(at(&v, "/data/disbursed_issue_amount"), "35.9");
    assert_eq!(at(&v, "/data/assignment_amount"), "36.21");
    assert_eq!(at(&v, "/data/cet"), "0.0776");
    // The library form: the same class on a FeeRule.
    let rule = FeeRule::new(
        "contract_fees[0]",
        "spread",
        AmountType::Percentage,
        dec("0.2"),
        Decimal::ZERO,
    )
    .expect("rule")
    .class(FeeClass::AssignmentOnly);
    let mut pricing = Pricing::default();
    pricing.contract_fees.push(rule);
    let fees = pricing.charge(dec("36.14")).expect("fees");
    assert_eq!(fees.contract_fee_amount, dec("0.07"));
    assert_eq!(fees.deducted_fee_amount, Decimal::ZERO);
}

/// `due_dates: [04-20, 06-20]` from 03-14: 37 and 98 days at m_eff of 0.0205:
/// 100/1.0205^(37/30) + 100/1.0205^(98/30) = 191.11 (Python `decimal`, 28 digits).
#[test]
fn due_dates_list_sets_the_schedule() {
    let v = respond(&read("fixtures/surface/due_dates.request.json"), None).expect("ok");
    assert_eq!(at(&v, "/data/issue_amount"), "191.11");
    assert_eq!(at(&v, "/data/installments/1/due_date"), "\"2023-06-20\"");
    assert_eq!(at(&v, "/data/number_of_installments"), "2");
}

/// `desired_installments`: 150 on 04-07 (24 days), 60 on 09-07 (177 days): PV 200.81; first interest
/// round10(PV × (g(24) − 1)) = 3.2866578208.
#[test]
fn desired_installments_price_their_present_value() {
    let v = respond(
        &read("fixtures/surface/desired_installments.request.json"),
        None,
    )
    .expect("ok");
    assert_eq!(at(&v, "/data/issue_amount"), "200.81");
    assert_eq!(
        at(&v, "/data/installments/0/pre_fixed_amount"),
        "3.2866578208"
    );
    assert_eq!(at(&v, "/data/installments/0/total_amount"), "150");
    assert_eq!(at(&v, "/data/installments/1/total_amount"), "60");
}

/// Every 3 months: 04-07 and 07-07 (24 and 115 days): 190.91; the response prints the period.
#[test]
fn month_period_spaces_the_installments() {
    let v = respond(&read("fixtures/surface/month_period.request.json"), None).expect("ok");
    assert_eq!(at(&v, "/data/issue_amount"), "190.91");
    assert_eq!(at(&v, "/data/installments/1/due_date"), "\"2023-07-07\"");
    assert_eq!(at(&v, "/data/installments/1/calendar_days"), "91");
    assert_eq!(at(&v, "/data/principal_amortization_month_period"), "3");
    assert_eq!(at(&v, "/data/interest_payment_month_period"), "3");
}

/// `force_installments_on_workdays`: Good Friday 04-07 → 04-10, Sunday 05-07 → 05-08 (27 and 55
/// days): 194.54; the printed due dates are the moved ones. The pricing file's
/// `conventions.move_due_dates` gives the same loan.
#[test]
fn workday_due_dates_are_moved_before_counting() {
    let v = respond(&read("fixtures/surface/force_workdays.request.json"), None).expect("ok");
    assert_eq!(at(&v, "/data/issue_amount"), "194.54");
    assert_eq!(at(&v, "/data/installments/0/due_date"), "\"2023-04-10\"");
    assert_eq!(at(&v, "/data/installments/0/calendar_days"), "27");
    assert_eq!(at(&v, "/data/installments/1/due_date"), "\"2023-05-08\"");
    let c = respond(
        &read(SIAPE),
        Some("fixtures/surface/move_due_dates.pricing.json"),
    )
    .expect("ok");
    assert_eq!(at(&c, "/data/issue_amount"), "194.54");
    // The root-level flag (v2 place) is read too.
    let mut req = siape();
    req["force_installments_on_workdays"] = json!(true);
    let r = respond(&req.to_string(), None).expect("ok");
    assert_eq!(at(&r, "/data/issue_amount"), "194.54");
}

/// The window 03-14..03-20 gives seven options, the first the SIAPE loan.
#[test]
fn disbursement_window_sets_the_options() {
    let v = respond(
        &read("fixtures/surface/disbursement_window.request.json"),
        None,
    )
    .expect("ok");
    let options = v["data"]["disbursement_options"]
        .as_array()
        .expect("options");
    assert_eq!(options.len(), 7);
    assert_eq!(at(&options[6], "/disbursement_date"), "\"2023-03-20\"");
    assert_eq!(at(&v, "/data/disbursed_issue_amount"), "193.44");
}

/// 50 at 1.33 %/month from 03-09: 5 days to 03-14 → round2(50 × 1.0133^(5/30)) = 50.11, change
/// 193.44 − 50.11 = 143.33; 6 days → 50.13, 193.58 − 50.13 = 143.45; 7 → 50.15, 8 → 50.18.
#[test]
fn refinanced_balance_accrues_to_each_option() {
    let v = respond(
        &read("fixtures/surface/refinanced_accrual.request.json"),
        None,
    )
    .expect("ok");
    let changes: Vec<String> = v["data"]["disbursement_options"]
        .as_array()
        .expect("options")
        .iter()
        .map(|o| o["final_disbursement_amount"].to_string())
        .collect();
    assert_eq!(changes, ["143.33", "143.45", "143.59", "143.7"]);
    assert_eq!(at(&v, "/data/operation_type"), "\"settlement_refinancing\"");
    // Without the rate and date the balance is used as given.
    let mut req = siape();
    req["refinanced_credit_operations"] = json!([{"due_balance": 50}]);
    let v = respond(&req.to_string(), None).expect("ok");
    assert_eq!(
        at(&v, "/data/disbursement_options/3/final_disbursement_amount"),
        "143.88"
    );
}

/// QI's pt simulation page: monthly 0.0166 → annual 0.21843191 → on `calendar_days_365` the daily
/// rate round8(1.21843191^(1/365) − 1) = 0.00054142 (the 30-day rate would be 0.00054894).
#[test]
fn calendar_days_365_prints_the_365_day_rate_as_qi() {
    let v = respond(
        &read("fixtures/surface/calendar_days_365.request.json"),
        None,
    )
    .expect("ok");
    assert_eq!(
        at(&v, "/data/prefixed_interest_rate/annual_rate"),
        "0.21843191"
    );
    assert_eq!(
        at(&v, "/data/prefixed_interest_rate/daily_rate"),
        "0.00054142"
    );
    let rate = InterestRate::monthly(dec("0.0166"), InterestBase::CalendarDays).expect("rate");
    assert_eq!(rate.display().daily_rate, dec("0.00054894"));
}

/// FGTS anticipation: two annual withdrawals (500 on 2024-04-01, 400 on 2025-04-01) at 23.872053 %
/// a year: PV 654.15; the IOF caps both at 365 days: round2((p₁ + p₂) × 0.000082 × 365 + 0.0038 ×
/// 654.15) = 22.06; a 10 tac: 654.15 − 22.06 − 10 = 622.09.
#[test]
fn fgts_balance_is_priced_from_desired_installments() {
    let v = respond(&read("fixtures/surface/fgts_balance.request.json"), None).expect("ok");
    assert_eq!(at(&v, "/data/issue_amount"), "654.15");
    assert_eq!(at(&v, "/data/iof_amount"), "22.06");
    assert_eq!(at(&v, "/data/disbursed_issue_amount"), "622.09");
}

// ---------------------------------------------------------------------------------------------
// Every documented field: applied (the output differs from the baseline) or refused (an error of
// the expected kind naming it). Never silently ignored.

enum Expect {
    /// The response differs from the SIAPE baseline.
    Applied,
    /// The response is the baseline: a field with no arithmetic (identity, late charges).
    ArithmeticFree,
    /// An error of this kind on this field.
    Refused(ErrorKind, &'static str),
}

/// Sets `path` (dot-separated, from the root) of `v` to `value`; `null` removes it.
fn set(v: &mut Value, path: &str, value: Value) {
    let mut parts: Vec<&str> = path.split('.').collect();
    let last = parts.pop().expect("path");
    let mut cur = v;
    for p in parts {
        cur = match p.parse::<usize>() {
            Ok(i) => &mut cur[i],
            Err(_) => &mut cur[p],
        };
    }
    if let Value::Object(m) = cur {
        if value.is_null() {
            m.remove(last);
        } else {
            m.insert(last.to_string(), value);
        }
    }
}

#[test]
fn every_documented_field_is_applied_or_refused() {
    use ErrorKind::*;
    use Expect::*;
    let baseline = respond(&read(SIAPE), None).expect("baseline");
    let cases: Vec<(Vec<(&str, Value)>, Expect)> = vec![
        // financial: amount and schedule shape
        (
            vec![("financial.installment_face_value", json!(120))],
            Applied,
        ),
        (
            vec![
                ("financial.installment_face_value", Value::Null),
                ("financial.disbursed_amount", json!(190)),
            ],
            Applied,
        ),
        (
            vec![("financial.disbursed_amount", json!(190))],
            Refused(Conflict, "financial.disbursed_amount"),
        ),
        (
            vec![(
                "financial.desired_installments",
                json!([{"total_amount": 150, "due_date": "2023-04-07"}]),
            )],
            Refused(Conflict, "financial.desired_installments"),
        ),
        (
            vec![
                ("financial.installment_face_value", Value::Null),
                ("financial.first_due_date", Value::Null),
                ("financial.number_of_installments", Value::Null),
                (
                    "financial.desired_installments",
                    json!([{"total_amount": 150, "due_date": "2023-04-07"}]),
                ),
            ],
            Applied,
        ),
        (
            vec![("financial.due_dates", json!(["2023-04-20", "2023-06-20"]))],
            Refused(Conflict, "financial.first_due_date"),
        ),
        (
            vec![
                ("financial.first_due_date", Value::Null),
                ("financial.due_dates", json!(["2023-04-20", "2023-06-20"])),
            ],
            Applied,
        ),
        (
            vec![
                ("financial.first_due_date", Value::Null),
                ("financial.due_dates", json!(["2023-04-20"])),
            ],
            Refused(Conflict, "financial.number_of_installments"),
        ),
        (
            vec![(
                "financial.installments",
                json!([{"due_date": "2023-04-20", "amount": 120}]),
            )],
            Refused(Unsupported, "financial.installments"),
        ),
        (
            vec![("financial.number_of_installments", json!(3))],
            Applied,
        ),
        (
            vec![("financial.principal_amortization_month_period", json!(3))],
            Applied,
        ),
        (
            vec![("financial.interest_payment_month_period", json!(3))],
            Applied,
        ),
        (
            vec![
                ("financial.principal_amortization_month_period", json!(3)),
                ("financial.interest_payment_month_period", json!(1)),
            ],
            Refused(Unsupported, "financial.interest_payment_month_period"),
        ),
        (
            vec![("financial.principal_amortization_month_period", json!(0))],
            Refused(OutOfRange, "financial.principal_amortization_month_period"),
        ),
        (
            vec![("financial.interest_grace_period", json!(1))],
            Refused(Unsupported, "financial.interest_grace_period"),
        ),
        (
            vec![("financial.principal_grace_period", json!(1))],
            Refused(Unsupported, "financial.principal_grace_period"),
        ),
        (
            vec![("financial.force_installments_on_workdays", json!(true))],
            Applied,
        ),
        (
            vec![("force_installments_on_workdays", json!(true))],
            Applied,
        ),
        (
            vec![("financial.first_due_date", json!("2023-04-10"))],
            Applied,
        ),
        (
            vec![("financial.first_due_date_delay", json!(40))],
            Refused(Conflict, "financial.first_due_date_delay"),
        ),
        (
            vec![
                ("financial.first_due_date", Value::Null),
                ("financial.first_due_date_delay", json!(40)),
            ],
            Applied,
        ),
        (
            vec![("financial.disbursement_date", json!("2023-03-15"))],
            Applied,
        ),
        (
            vec![("financial.limit_days_to_disburse", json!(0))],
            Applied,
        ),
        (
            vec![
                ("financial.disbursement_start_date", json!("2023-03-14")),
                ("financial.disbursement_end_date", json!("2023-03-24")),
            ],
            Refused(Conflict, "financial.disbursement_date"),
        ),
        (
            vec![
                ("financial.disbursement_date", Value::Null),
                ("financial.limit_days_to_disburse", Value::Null),
                ("financial.disbursement_start_date", json!("2023-03-14")),
                ("financial.disbursement_end_date", json!("2023-03-24")),
            ],
            Applied,
        ),
        (
            vec![
                ("financial.disbursement_date", Value::Null),
                ("financial.limit_days_to_disburse", Value::Null),
                ("financial.disbursement_start_date", json!("2023-03-14")),
                ("financial.disbursement_end_date", json!("2023-03-10")),
            ],
            Refused(OutOfRange, "financial.disbursement_end_date"),
        ),
        (vec![("financial.issue_date", json!("2023-03-15"))], Applied),
        // rates and bases
        (
            vec![("financial.monthly_interest_rate", json!(0.03))],
            Applied,
        ),
        (
            vec![("financial.monthly_interest_rate", json!(2.05))],
            Refused(OutOfRange, "financial.monthly_interest_rate"),
        ),
        (
            vec![
                ("financial.monthly_interest_rate", Value::Null),
                ("financial.annual_interest_rate", json!(27.57)),
            ],
            Applied,
        ),
        (
            vec![
                ("financial.monthly_interest_rate", Value::Null),
                ("financial.annual_interest_rate", json!(100)),
            ],
            Refused(OutOfRange, "financial.annual_interest_rate"),
        ),
        (
            vec![("financial.annual_interest_rate", json!(0.3))],
            Refused(Conflict, "financial.annual_interest_rate"),
        ),
        (
            vec![("financial.interest_subsidy_amount", json!(5))],
            Refused(Unsupported, "financial.interest_subsidy_amount"),
        ),
        (
            vec![("financial.interest_subsidy_percentage", json!(0.5))],
            Refused(Unsupported, "financial.interest_subsidy_percentage"),
        ),
        (
            vec![("financial.interest_type", json!("pre_price"))],
            Applied,
        ),
        (
            vec![("financial.interest_type", json!("cdi_plus"))],
            Refused(Unsupported, "financial.interest_type"),
        ),
        (
            vec![("financial.amount", json!(5000))],
            Refused(Conflict, "financial.amount"),
        ),
        (vec![("financial.first_due_date", Value::Null)], Applied),
        (
            vec![("financial.cdi_percentage", json!(1.2))],
            Refused(Unsupported, "financial.cdi_percentage"),
        ),
        (
            // An explicit base wins over fine_configuration's (the crate's conventions, *Rates*).
            vec![("financial.interest_base", json!("workdays"))],
            Applied,
        ),
        (
            vec![
                ("financial.interest_base", json!("workdays")),
                (
                    "financial.fine_configuration.interest_base",
                    json!("workdays"),
                ),
            ],
            Applied,
        ),
        (
            vec![("financial.interest_base", json!("calendar_days"))],
            ArithmeticFree,
        ),
        (
            vec![(
                "financial.fine_configuration.interest_base",
                json!("calendar_days_365"),
            )],
            Applied,
        ),
        (
            vec![("financial.fine_configuration.monthly_rate", json!(0.05))],
            ArithmeticFree,
        ),
        (
            vec![(
                "financial.fine_configuration.contract_fine_rate",
                json!(0.05),
            )],
            ArithmeticFree,
        ),
        // fees
        (
            vec![(
                "financial.rebates",
                json!([{"fee_type": "tac", "amount_type": "absolute", "amount": 10}]),
            )],
            Applied,
        ),
        (
            vec![(
                "financial.rebates",
                json!([{"fee_type": "spread", "amount_type": "percentage", "amount": 1}]),
            )],
            Applied,
        ),
        (
            vec![(
                "financial.rebates",
                json!([{"fee_type": "ted_fee", "amount_type": "absolute", "amount": 5}]),
            )],
            Refused(Unsupported, "financial.rebates[0].fee_type"),
        ),
        (
            vec![(
                "financial.rebates",
                json!([{"fee_type": "spread_ted_fee", "amount_type": "percentage", "amount": 0.3}]),
            )],
            Refused(Unsupported, "financial.rebates[0].fee_type"),
        ),
        (
            vec![(
                "financial.rebates",
                json!([{"fee_type": "insurance_premium", "amount_type": "absolute", "amount": 5}]),
            )],
            Refused(Unsupported, "financial.rebates[0].fee_type"),
        ),
        (
            vec![(
                "financial.rebates",
                json!([{"fee_type": "insurance_premium_qi", "description": "insurance_premium_plus"}]),
            )],
            Refused(Unsupported, "financial.rebates[0].fee_type"),
        ),
        (
            vec![("financial.rebate", json!(35))],
            Refused(Unsupported, "financial.rebate"),
        ),
        // contract type
        (
            vec![("financial.credit_operation_type", json!("cce"))],
            Refused(Unsupported, "financial.credit_operation_type"),
        ),
        (
            vec![("financial.credit_operation_type", json!("nce"))],
            Refused(Unsupported, "financial.credit_operation_type"),
        ),
        (
            vec![("financial.credit_operation_type", json!("cci"))],
            Refused(Unsupported, "financial.credit_operation_type"),
        ),
        (
            vec![("financial.credit_operation_type", json!("xyz"))],
            Refused(Invalid, "financial.credit_operation_type"),
        ),
        (
            vec![("financial.disbursement_amount", json!(800))],
            Refused(Unsupported, "financial.disbursement_amount"),
        ),
        // borrower
        (vec![("borrower.person_type", json!("legal"))], Applied),
        (vec![("borrower.name", json!("Maria"))], ArithmeticFree),
        (
            vec![("borrower.birth_date", json!("1980-01-01"))],
            ArithmeticFree,
        ),
        // refinancing
        (
            vec![("refinanced_credit_operations", json!([{"due_balance": 50}]))],
            Applied,
        ),
        (
            vec![(
                "refinanced_credit_operations",
                json!([{"due_balance": 50, "monthly_interest_rate": 0.02, "disbursement_date": "2023-03-01"}]),
            )],
            Applied,
        ),
        (
            vec![(
                "refinanced_credit_operations",
                json!([{"due_balance": 50, "monthly_interest_rate": 0.02}]),
            )],
            Refused(Missing, "refinanced_credit_operations[0].disbursement_date"),
        ),
        (
            vec![(
                "refinanced_credit_operations",
                json!([{"operation_key": "a9630d51"}]),
            )],
            Refused(Unsupported, "refinanced_credit_operations[0].due_balance"),
        ),
        // envelope
        (
            vec![
                ("operation_batch", json!([{}])),
                ("complex_operation", json!(true)),
            ],
            Refused(Unsupported, "operation_batch"),
        ),
        (
            vec![("target_disbursed_amount", json!(150))],
            Refused(Unsupported, "target_disbursed_amount"),
        ),
        (vec![("requester_identifier_key", json!("abc"))], Applied),
        // collaterals
        (
            vec![("collaterals.0.collateral_type", json!("vehicle"))],
            Refused(Unsupported, "collaterals[0].collateral_type"),
        ),
        (
            vec![("collaterals.0.collateral_type", json!("fgts_balance"))],
            Refused(Unsupported, "collaterals[0].collateral_type"),
        ),
        (
            vec![(
                "collaterals.0.collateral_data",
                json!({"reservation_type": "buy"}),
            )],
            Refused(Invalid, "collaterals[0].collateral_data.reservation_type"),
        ),
        (
            vec![("collaterals.0.percentage", json!(100))],
            ArithmeticFree,
        ),
    ];
    for (edits, expect) in cases {
        let mut req = siape();
        for (path, value) in &edits {
            set(&mut req, path, value.clone());
        }
        let got = respond(&req.to_string(), None);
        let what = format!("{edits:?}");
        match (expect, got) {
            (Applied, Ok(v)) => assert_ne!(v, baseline, "{what}: silently ignored"),
            (ArithmeticFree, Ok(v)) => assert_eq!(v["data"], baseline["data"], "{what}"),
            (Refused(kind, field), Err(e)) => {
                assert_eq!((e.kind(), e.field()), (kind, Some(field)), "{what}: {e}");
            }
            (_, Ok(_)) => panic!("{what}: accepted"),
            (_, Err(e)) => panic!("{what}: refused: {e}"),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Collaterals, one test per type.

fn with_collateral(t: &str) -> Value {
    let mut req = siape();
    req["collaterals"] =
        json!([{"collateral_type": t, "collateral_data": {"reservation_type": "new_credit"}}]);
    req
}

#[test]
fn collateral_federal_and_airforce_payroll_price_the_siape_loan() {
    let baseline = respond(&read(SIAPE), None).expect("baseline");
    for t in ["federal_payroll", "airforce_payroll"] {
        let v = respond(&with_collateral(t).to_string(), None).expect(t);
        assert_eq!(
            v["data"]["issue_amount"], baseline["data"]["issue_amount"],
            "{t}"
        );
    }
}

#[test]
fn collateral_social_security_prices_on_the_payroll_engine() {
    let v = respond(&with_collateral("social_security").to_string(), None).expect("inss");
    assert_eq!(at(&v, "/data/issue_amount"), "194.8");
}

#[test]
fn collateral_military_payroll_prices_on_the_payroll_engine() {
    let v = respond(&with_collateral("military_payroll").to_string(), None).expect("army");
    assert_eq!(at(&v, "/data/issue_amount"), "194.8");
}

#[test]
fn collateral_private_pension_prices_on_the_payroll_engine() {
    let v = respond(&with_collateral("private_pension").to_string(), None).expect("pension");
    assert_eq!(at(&v, "/data/issue_amount"), "194.8");
}

/// CLT: the options (03-14..03-17) stay in March; from 03-30 they would run into April: refused.
#[test]
fn collateral_private_payroll_keeps_options_in_one_payroll_month() {
    let v = respond(&with_collateral("private_payroll").to_string(), None).expect("clt");
    assert_eq!(
        v["data"]["disbursement_options"].as_array().map(Vec::len),
        Some(4)
    );
    let mut req = with_collateral("private_payroll");
    req["financial"]["disbursement_date"] = json!("2023-03-30");
    let e = respond(&req.to_string(), None).expect_err("crosses April");
    assert_eq!(e.kind(), ErrorKind::OutOfRange);
    assert_eq!(e.field(), Some("financial.limit_days_to_disburse"));
}

#[test]
fn collateral_fgts_balance_needs_desired_installments() {
    let e = respond(&with_collateral("fgts_balance").to_string(), None).expect_err("no desired");
    assert_eq!(e.kind(), ErrorKind::Unsupported);
    assert!(respond(&read("fixtures/surface/fgts_balance.request.json"), None).is_ok());
}

#[test]
fn collateral_vehicle_is_refused_until_its_fees_are_modelled() {
    let e = respond(&with_collateral("vehicle").to_string(), None).expect_err("vehicle");
    assert_eq!(e.kind(), ErrorKind::Unsupported);
    assert_eq!(e.field(), Some("collaterals[0].collateral_type"));
}

#[test]
fn collateral_unknown_type_suggests_the_nearest() {
    let e = respond(&with_collateral("social_securty").to_string(), None).expect_err("typo");
    assert_eq!(e.kind(), ErrorKind::Invalid);
    assert!(
        e.to_string().contains("did you mean `social_security`?"),
        "{e}"
    );
}

// ---------------------------------------------------------------------------------------------
// Unknown keys.

#[test]
fn unknown_keys_are_refused_with_the_nearest_known_key() {
    for (path, key, nearest) in [
        (
            "financial",
            "limit_days_to_disbruse",
            "limit_days_to_disburse",
        ),
        ("financial", "montly_interest_rate", "monthly_interest_rate"),
        ("borrower", "person_typ", "person_type"),
    ] {
        let mut req = siape();
        req[path][key] = json!(3);
        let e = respond(&req.to_string(), None).expect_err(key);
        assert_eq!(e.kind(), ErrorKind::Invalid, "{e}");
        assert_eq!(e.field(), Some(format!("{path}.{key}").as_str()));
        assert!(
            e.to_string()
                .contains(&format!("did you mean `{nearest}`?")),
            "{e}"
        );
    }
    let mut req = siape();
    req["collaterals"][0]["colateral_data"] = json!({});
    let e = respond(&req.to_string(), None).expect_err("collateral");
    assert_eq!(e.field(), Some("collaterals[0].colateral_data"));
    let mut req = siape();
    req["refinanced_credit_operations"] = json!([{"due_balance": 5, "due_balanse": 5}]);
    let e = respond(&req.to_string(), None).expect_err("refinanced");
    assert_eq!(
        e.field(),
        Some("refinanced_credit_operations[0].due_balanse")
    );
    // Nothing near: no suggestion.
    let mut req = siape();
    req["financial"]["partner_metadata"] = json!({"x": 1});
    let e = respond(&req.to_string(), None).expect_err("far");
    assert!(!e.to_string().contains("did you mean"), "{e}");
}

#[test]
fn allow_unknown_fields_accepts_extra_keys() {
    let mut req = siape();
    req["financial"]["partner_metadata"] = json!({"x": 1});
    req["borrower"]["crm_id"] = json!("x");
    let text = req.to_string();
    let allowed = SimulationOptions::new().allow_unknown_fields(true);
    let v = api::simulate_json(&text, &allowed, None).expect("allowed");
    assert_eq!(v.data.issue_amount.0, dec("194.80"));
    assert!(api::debt_json(&text, &allowed).is_ok());
    assert!(api::debt_json(&text, &SimulationOptions::new()).is_err());
    assert!(SimulationRequest::from_json_with(&text, "r", true).is_ok());
    let e = SimulationRequest::from_json_with(&text, "r", false).expect_err("strict");
    assert_eq!(e.kind(), ErrorKind::Invalid);
}

/// A misspelt required field is reported as the misspelling, not as "missing".
#[test]
fn a_misspelt_required_field_names_the_spelling() {
    let mut req = siape();
    let d = req["financial"]["disbursement_date"].take();
    set(&mut req, "financial.disbursement_date", Value::Null);
    req["financial"]["disbursment_date"] = d;
    let e = respond(&req.to_string(), None).expect_err("typo");
    assert_eq!(e.kind(), ErrorKind::Invalid);
    assert_eq!(e.field(), Some("financial.disbursment_date"));
    assert!(
        e.to_string().contains("did you mean `disbursement_date`?"),
        "{e}"
    );
}

/// `desired_installments` alone used to report `installment_face_value: missing`; an empty body
/// without any amount still does.
#[test]
fn desired_installments_alone_is_not_a_missing_face_value() {
    let mut req = siape();
    for k in [
        "installment_face_value",
        "first_due_date",
        "number_of_installments",
    ] {
        set(&mut req, &format!("financial.{k}"), Value::Null);
    }
    req["financial"]["desired_installments"] =
        json!([{"total_amount": 150, "due_date": "2023-04-07"}]);
    assert!(respond(&req.to_string(), None).is_ok());
}

#[test]
fn the_pricing_file_refuses_unknown_keys_and_requests() {
    let e = api::pricing_from_json(r#"{"contract_fee": []}"#, "pricing").expect_err("typo");
    assert_eq!(e.kind(), ErrorKind::Invalid);
    assert_eq!(e.field(), Some("contract_fee"));
    assert!(
        e.to_string().contains("did you mean `contract_fees`?"),
        "{e}"
    );
    let e = api::pricing_from_json(
        r#"{"contract_fees": [{"fee_type": "tac", "amount_type": "percentage", "ammount": 1}]}"#,
        "pricing",
    )
    .expect_err("fee typo");
    assert_eq!(e.field(), Some("contract_fees[0].ammount"));
    let e = api::pricing_from_json(&read(SIAPE), "pricing").expect_err("a request");
    assert_eq!(e.kind(), ErrorKind::Invalid);
    assert!(e.to_string().contains("not a pricing configuration"), "{e}");
    assert!(api::pricing_from_json_with(r#"{"notes": "x"}"#, "pricing", true).is_ok());
    let e = api::pricing_from_json(r#"{"conventions": {"move_due_date": true}}"#, "pricing")
        .expect_err("convention typo");
    assert!(
        e.to_string().contains("did you mean `move_due_dates`?"),
        "{e}"
    );
}

/// `move_due_dates` has one owner, the crate's conventions: a fees-only pricing refuses the switch
/// (with or without unknown keys allowed) instead of dropping it, and the partner configuration
/// carries it into the conventions, which price the moved loan (194.54, as the request's flag).
#[test]
fn move_due_dates_lives_in_the_conventions_only() {
    let file = read("fixtures/surface/move_due_dates.pricing.json");
    for allow in [false, true] {
        let e = api::pricing_from_json_with(&file, "pricing", allow).expect_err("a switch");
        assert_eq!(e.kind(), ErrorKind::Invalid);
        assert_eq!(e.field(), Some("conventions.move_due_dates"));
    }
    assert!(api::pricing_from_json(r#"{"conventions": {"move_due_dates": false}}"#, "p").is_ok());
    let config = api::config_from_json(&file, "config").expect("config");
    let conventions = config
        .conventions(qitech_sim::conventions::Profile::Qi2023)
        .expect("conventions");
    assert!(conventions.move_due_dates);
    let v = respond(
        &read(SIAPE),
        Some("fixtures/surface/move_due_dates.pricing.json"),
    )
    .expect("moved");
    assert_eq!(at(&v, "/data/issue_amount"), "194.54");
}

#[test]
fn the_portability_input_refuses_unknown_keys() {
    let mut v = fixture("fixtures/airforce/portability.json");
    v["bridge_first_due_date_dealy"] = json!(5);
    let e = api::PortabilityRequest::from_json(&v.to_string(), "p").expect_err("typo");
    assert_eq!(e.kind(), ErrorKind::Invalid);
    assert!(
        e.to_string()
            .contains("did you mean `bridge_first_due_date_delay`?"),
        "{e}"
    );
    assert!(api::PortabilityRequest::from_json_with(&v.to_string(), "p", true).is_ok());
}

#[test]
fn cli_allow_unknown_fields_flag() {
    let bin = env!("CARGO_BIN_EXE_qitech-sim");
    let mut req = siape();
    req["financial"]["partner_metadata"] = json!(1);
    let path = std::env::temp_dir().join(format!("qitech-surface-{}.json", std::process::id()));
    std::fs::write(&path, req.to_string()).expect("write");
    let p = path.to_str().expect("path");
    for cmd in ["simulate", "debt"] {
        let strict = Command::new(bin).args([cmd, p]).output().expect("run");
        assert_eq!(strict.status.code(), Some(2), "{cmd}");
        let stderr = String::from_utf8_lossy(&strict.stderr);
        assert!(stderr.contains("financial.partner_metadata"), "{stderr}");
        let allowed = Command::new(bin)
            .args([cmd, p, "--allow-unknown-fields"])
            .output()
            .expect("run");
        assert!(allowed.status.success(), "{cmd}");
    }
    let line = format!("{}\n", req);
    std::fs::write(&path, line).expect("write");
    let batch = Command::new(bin)
        .args(["batch", p, "--allow-unknown-fields"])
        .output()
        .expect("run");
    assert!(
        batch.status.success(),
        "{}",
        String::from_utf8_lossy(&batch.stderr)
    );
    let strict = Command::new(bin).args(["batch", p]).output().expect("run");
    assert!(!strict.status.success());
    let _ = std::fs::remove_file(&path);
}

// ---------------------------------------------------------------------------------------------
// desired_installments equal to a face-value schedule's own totals and dates give back its issue.

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn desired_installments_equal_to_a_face_value_schedule_give_its_issue(
        face in 100u32..500_000,
        n in 1u32..=48,
        m in 50u32..600,
        start in 0u64..1200,
        gap in 5u64..60,
        base in 0usize..3,
    ) {
        let base = [InterestBase::CalendarDays, InterestBase::CalendarDays365, InterestBase::Workdays][base];
        let rate = InterestRate::monthly(Decimal::new(i64::from(m), 4), base).expect("rate");
        let d0 = date(2023, 1, 2) + chrono::Days::new(start);
        let first = d0 + chrono::Days::new(gap);
        let f = Decimal::new(i64::from(face), 2);
        let terms = LoanTerms::face_value(f, n, rate, d0, first).expect("terms");
        let fv = simulate(&terms, &SimulationOptions::new()).expect("face value");
        let q = fv.first();
        let desired: Vec<(Decimal, chrono::NaiveDate)> = q
            .schedule
            .installments
            .iter()
            .map(|i| (i.total_amount, i.period.due_date))
            .collect();
        let given = terms.clone().desired_installments(&desired);
        let g = simulate(&given, &SimulationOptions::new()).expect("desired");
        prop_assert_eq!(g.first().schedule.issue_amount, q.schedule.issue_amount);
        prop_assert_eq!(&g.first().schedule, &q.schedule);
        // And the schedule module's two functions agree on the same grid.
        let periods = schedule::periods(d0, first, n).expect("periods");
        let grid = Grid::new(&rate, periods).expect("grid");
        let totals = vec![f; n as usize];
        prop_assert_eq!(
            schedule::given_installments(&grid, &totals).expect("given"),
            schedule::face_value(&grid, f).expect("face")
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The new fields at their extremes never panic: `simulate_json` answers Ok or Err.

fn any_date() -> impl Strategy<Value = Value> {
    prop_oneof![
        (0i64..40_000)
            .prop_map(|d| json!((date(2001, 1, 1) + chrono::Days::new(d as u64)).to_string())),
        Just(json!("2099-12-31")),
        Just(json!("2000-01-01")),
        Just(json!("not a date")),
        Just(json!(7)),
    ]
}

fn any_amount() -> impl Strategy<Value = Value> {
    prop_oneof![
        (0u64..10_000_000).prop_map(|c| json!(c as f64 / 100.0)),
        Just(json!(-1)),
        Just(json!(0)),
        Just(json!("1e30")),
        Just(json!("79228162514264337593543950335")),
    ]
}

fn surface_edit() -> impl Strategy<Value = (&'static str, Value)> {
    prop_oneof![
        prop::collection::vec(any_date(), 0..8).prop_map(|d| ("financial.due_dates", json!(d))),
        prop::collection::vec((any_amount(), any_date()), 0..8).prop_map(|v| (
            "financial.desired_installments",
            json!(
                v.into_iter()
                    .map(|(a, d)| json!({"total_amount": a, "due_date": d}))
                    .collect::<Vec<_>>()
            )
        )),
        (0u32..2000).prop_map(|k| ("financial.principal_amortization_month_period", json!(k))),
        (0u32..2000).prop_map(|k| ("financial.interest_payment_month_period", json!(k))),
        any::<bool>().prop_map(|b| ("financial.force_installments_on_workdays", json!(b))),
        any_date().prop_map(|d| ("financial.disbursement_start_date", d)),
        any_date().prop_map(|d| ("financial.disbursement_end_date", d)),
        (any_amount(), any_amount(), any_date()).prop_map(|(b, m, d)| (
            "refinanced_credit_operations",
            json!([{"due_balance": b, "monthly_interest_rate": m, "disbursement_date": d}])
        )),
        (
            any_amount(),
            prop::sample::select(vec!["tac", "spread", "ted_fee", "x"]),
            prop::sample::select(vec!["absolute", "percentage"])
        )
            .prop_map(|(a, t, at)| (
                "financial.rebates",
                json!([{"fee_type": t, "amount_type": at, "amount": a}])
            )),
        prop::sample::select(vec![
            "social_security",
            "private_payroll",
            "fgts_balance",
            "vehicle",
            "military_payroll"
        ])
        .prop_map(|t| ("collaterals.0.collateral_type", json!(t))),
        prop::sample::select(vec![Value::Null, json!(0), json!(1), json!(60)])
            .prop_map(|v| ("financial.limit_days_to_disburse", v)),
        prop::sample::select(vec![Value::Null, json!(1), json!(7), json!(600)])
            .prop_map(|v| ("financial.number_of_installments", v)),
        prop::sample::select(vec![Value::Null, json!("2023-04-07")])
            .prop_map(|v| ("financial.first_due_date", v)),
        prop::sample::select(vec![Value::Null, json!(100)])
            .prop_map(|v| ("financial.installment_face_value", v)),
        prop::sample::select(vec![Value::Null, json!("2023-03-14")])
            .prop_map(|v| ("financial.disbursement_date", v)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn surface_fields_never_panic(edits in prop::collection::vec(surface_edit(), 1..6), workdays in any::<bool>()) {
        let mut req = siape();
        for (path, value) in &edits {
            set(&mut req, path, value.clone());
        }
        let text = req.to_string();
        let options = SimulationOptions::new().move_due_dates(workdays);
        let outcome = std::panic::catch_unwind(|| {
            let _ = api::simulate_json(&text, &options, None).map(|r| serde_json::to_string(&r));
            let _ = api::debt_json(&text, &options);
        });
        prop_assert!(outcome.is_ok(), "panicked on {text}");
    }
}
