//! The airforce simulation (derived fixtures), negative amortization, the portability chain and the
//! broker's inverse questions.
//!
//! Nothing in `fixtures/airforce/*.derived.json` is documented by QI: those files pin what this
//! engine computes (regression fixtures), and the tests say so in their names.

use chrono::NaiveDate;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use qitech_sim::api::{self, PortabilityRequest, SimulationRequest, SimulationResponse};
use qitech_sim::portability::{self, Change};
use qitech_sim::rate::{AnnualRate, InterestBase, InterestRate, MonthlyRate, RateInput};
use qitech_sim::{Amount, FirstDue, LoanTerms, RefinancedOperation, SimulationOptions, simulate};
use rust_decimal::Decimal;
use serde_json::Value;

use crate::support::{date, dec, read};

fn simulate_file(path: &str) -> Value {
    let req = SimulationRequest::from_json(&read(path), path).expect("request");
    let sim = simulate(&req.terms, &SimulationOptions::new()).expect("simulation");
    serde_json::to_value(SimulationResponse::new(
        &req,
        &sim,
        &SimulationOptions::new(),
        None,
    ))
    .expect("json")
}

fn without_key(mut v: Value) -> Value {
    if let Some(m) = v.as_object_mut() {
        m.remove("key");
        m.remove("event_datetime");
    }
    v
}

#[test]
fn airforce_simulation_derived_not_documented_regression() {
    let got = simulate_file("fixtures/airforce/simulation_request.json");
    let pinned: Value =
        serde_json::from_str(&read("fixtures/airforce/simulation_response.derived.json"))
            .expect("fixture");
    assert_eq!(without_key(got), without_key(pinned));
}

#[test]
fn airforce_4_options_derived_not_documented_regression() {
    let got = simulate_file("fixtures/airforce/simulation_request_4_options.json");
    let pinned: Value = serde_json::from_str(&read(
        "fixtures/airforce/simulation_response_4_options.derived.json",
    ))
    .expect("fixture");
    assert_eq!(without_key(got), without_key(pinned));
}

/// The numbers qi-arithmetic.md §7 derives by hand for the airforce request (no documented
/// response): issue 4002.97, IOF 137.26 with the negative principal taxed 0, change 2615.51.
#[test]
fn airforce_simulation_matches_the_hand_derivation() {
    let got = simulate_file("fixtures/airforce/simulation_request.json");
    let d = &got["data"];
    assert_eq!(d["issue_amount"], serde_json::json!(4002.97));
    assert_eq!(d["iof_amount"], serde_json::json!(137.26));
    assert_eq!(d["final_disbursement_amount"], serde_json::json!(2615.51));
    assert_eq!(d["installments"].as_array().map(Vec::len), Some(96));
}

/// limit_days_to_disburse 3 gives four options, D..D+3, each a distinct loan: later disbursement,
/// same first due date, so a shorter first period, a larger present value and more change.
#[test]
fn airforce_four_options_are_distinct_loans() {
    let got = simulate_file("fixtures/airforce/simulation_request_4_options.json");
    let opts = got["data"]["disbursement_options"]
        .as_array()
        .expect("options");
    assert_eq!(opts.len(), 4);
    let dates: Vec<&str> = opts
        .iter()
        .map(|o| o["disbursement_date"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        dates,
        ["2023-03-22", "2023-03-23", "2023-03-24", "2023-03-25"]
    );
    let issue: Vec<f64> = opts
        .iter()
        .map(|o| o["issue_amount"].as_f64().unwrap_or(0.0))
        .collect();
    let change: Vec<f64> = opts
        .iter()
        .map(|o| o["final_disbursement_amount"].as_f64().unwrap_or(0.0))
        .collect();
    for k in 1..4 {
        assert!(issue[k] > issue[k - 1], "issue {issue:?}");
        assert!(change[k] > change[k - 1], "change {change:?}");
        assert_eq!(
            opts[k]["installments"][0]["calendar_days"].as_u64(),
            Some(80 - k as u64)
        );
    }
    // The top-level numbers are the first option's.
    assert_eq!(got["data"]["issue_amount"], opts[0]["issue_amount"]);
    assert_eq!(got["data"]["cet"], opts[0]["cet"]);
}

/// Negative amortization (domain.md decision 6): an 80-day first period at 2.05 % makes the first
/// interest exceed the installment. The principal is negative, its IOF is zero, the schedule still
/// closes, and the 365-day IOF cap applies from the installment whose due date is past a year.
#[test]
fn negative_amortization_and_the_iof_cap() {
    let req = SimulationRequest::from_json(
        &read("fixtures/airforce/simulation_request.json"),
        "airforce",
    )
    .expect("request");
    let sim = simulate(&req.terms, &SimulationOptions::new()).expect("simulation");
    let q = sim.first();
    let inst = &q.schedule.installments;
    assert_eq!(inst[0].pre_fixed_amount, dec("222.5842816335"));
    assert_eq!(
        inst[0].principal_amortization_amount,
        dec("-122.5842816335")
    );
    assert_eq!(inst[0].tax_amount, Decimal::ZERO);
    // The balance grows, then amortizes to zero: Σ principal = the unrounded present value, so it
    // differs from the rounded issue by less than half a cent.
    assert!(inst[1].due_principal > inst[0].due_principal);
    let sum: Decimal = inst.iter().map(|i| i.principal_amortization_amount).sum();
    assert!((sum - q.schedule.issue_amount).abs() <= dec("0.005"));
    // IOF cap: every installment due more than 365 days out is taxed for 365 days exactly.
    let mut capped = 0;
    for i in inst {
        let days = i.period.days_from_disbursement.min(365);
        let expected = if i.principal_amortization_amount > Decimal::ZERO {
            i.principal_amortization_amount * dec("0.000082") * Decimal::from(days)
        } else {
            Decimal::ZERO
        };
        assert_eq!(i.tax_amount, expected, "installment {}", i.period.number);
        if i.period.days_from_disbursement > 365 {
            capped += 1;
        }
    }
    assert_eq!(capped, 86, "installments 11..=96 are past a year");
    assert_eq!(inst[10].period.days_from_disbursement, 385);
    // Without the clamp the total would be 136.46 (qi-arithmetic.md §7).
    assert_eq!(q.iof.total, dec("137.26"));
}

#[test]
fn portability_chain_feeds_the_bridge_into_the_payroll_loan() {
    let req = PortabilityRequest::from_json(&read("fixtures/airforce/portability.json"), "p")
        .expect("request");
    let p = portability::portability(&req.terms, &SimulationOptions::new()).expect("portability");
    assert_eq!(p.bridge.issue_amount(), dec("80833.26"));
    assert_eq!(p.bridge.installment_total(), dec("81016.77"));
    assert_eq!(p.bridge.term_days(), 5);
    assert_eq!(p.bridge.due_date(), date(2023, 3, 22));
    assert_eq!(p.payroll_terms.disbursement_date, date(2023, 3, 22));
    assert_eq!(
        p.payroll_terms.refinanced,
        vec![
            RefinancedOperation::new(dec("81016.77"))
                .expect("balance")
                .original_deadline(5)
        ]
    );
    let changes: Vec<Decimal> = p
        .payroll
        .options
        .iter()
        .map(|q| q.final_disbursement_amount)
        .collect();
    assert_eq!(
        changes,
        [
            dec("15625.90"),
            dec("15693.65"),
            dec("15761.43"),
            dec("15829.27")
        ]
    );
    for q in &p.payroll.options {
        assert_eq!(
            q.final_disbursement_amount,
            q.disbursed_issue_amount - dec("81016.77")
        );
    }
    let out = serde_json::to_value(api::PortabilityResponse::new(&req, &p)).expect("json");
    assert_eq!(
        out["change"][0]["final_disbursement_amount"],
        serde_json::json!(15625.9)
    );
    assert_eq!(out["bridge_loan"]["cet"], serde_json::json!("4,0200%"));
}

#[test]
fn a_margin_too_small_is_an_explained_shortfall() {
    let mut req = PortabilityRequest::from_json(&read("fixtures/airforce/portability.json"), "p")
        .expect("request");
    req.terms.payroll.installment_face_value = dec("1300");
    let p = portability::portability(&req.terms, &SimulationOptions::new()).expect("portability");
    let q = p.payroll.first();
    match q.change {
        Change::Shortfall(s) => {
            assert!(s > Decimal::ZERO);
            assert_eq!(s, dec("81016.77") - q.disbursed_issue_amount);
        }
        Change::Change(c) => panic!("expected a shortfall, got change {c}"),
    }
    let out = serde_json::to_value(api::PortabilityResponse::new(&req, &p)).expect("json");
    assert!(out["change"][0]["shortfall_amount"].as_f64().unwrap_or(0.0) > 0.0);
}

/// A payroll loan template for the inverse properties.
fn payroll_terms(
    n: u32,
    rate_bp: i64,
    disb: NaiveDate,
    first_due_days: u64,
    balance: Decimal,
) -> LoanTerms {
    let m = MonthlyRate::new(Decimal::new(rate_bp, 4)).expect("rate");
    LoanTerms::face_value(
        Decimal::from(100),
        n,
        InterestRate::new(RateInput::Monthly(m), InterestBase::CalendarDays).expect("rate"),
        disb,
        FirstDue::Date(disb + chrono::Days::new(first_due_days)),
    )
    .expect("valid terms")
    .refinance(
        RefinancedOperation::new(balance)
            .expect("balance")
            .original_deadline(5),
    )
}

fn change_at(
    terms: &LoanTerms,
    f: Decimal,
    opts: &SimulationOptions,
) -> Result<Decimal, qitech_sim::Error> {
    let mut t = terms.clone();
    t.amount = Amount::InstallmentFaceValue(f);
    simulate(&t, opts).map(|s| s.first().final_disbursement_amount)
}

fn tac() -> SimulationOptions {
    let pricing = api::pricing_from_json(
        r#"{"contract_fees":[{"fee_type":"tac","amount_type":"percentage","amount":1}]}"#,
        "pricing",
    )
    .expect("pricing");
    SimulationOptions::new().pricing(pricing)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// The change never falls when the installment grows by a cent (the premise of the bisection).
    #[test]
    fn change_is_monotone_in_the_face_value(
        n in 1u32..=96,
        rate_bp in 100i64..=400,
        day in 0u64..3000,
        first in 20u64..70,
        cents in 1000i64..500_000,
        balance_cents in 0i64..10_000_000,
        fees in any::<bool>(),
    ) {
        let disb = date(2015, 1, 1) + chrono::Days::new(day);
        let terms = payroll_terms(n, rate_bp, disb, first, Decimal::new(balance_cents, 2));
        let opts = if fees { tac() } else { SimulationOptions::new() };
        let f = Decimal::new(cents, 2);
        // Every loan of this range prices: an error is a failure, not a skipped case.
        let a = change_at(&terms, f, &opts)
            .map_err(|e| TestCaseError::fail(format!("change({f}): {e}")))?;
        let b = change_at(&terms, f + Decimal::new(1, 2), &opts)
            .map_err(|e| TestCaseError::fail(format!("change({f} + 0.01): {e}")))?;
        prop_assert!(b >= a, "change({f}) = {a} > change({f} + 0.01) = {b}");
    }

    /// The inverse agrees with the forward computation: F reaches the target, F − 0.01 does not.
    #[test]
    fn min_face_value_agrees_with_the_forward_change(
        n in 1u32..=96,
        rate_bp in 100i64..=400,
        day in 0u64..3000,
        first in 20u64..70,
        target_cents in 0i64..5_000_000,
        balance_cents in 0i64..5_000_000,
        fees in any::<bool>(),
    ) {
        let disb = date(2015, 1, 1) + chrono::Days::new(day);
        let terms = payroll_terms(n, rate_bp, disb, first, Decimal::new(balance_cents, 2));
        let opts = if fees { tac() } else { SimulationOptions::new() };
        let target = Decimal::new(target_cents, 2);
        let f = portability::min_face_value_for_change(&terms, target, &opts).expect("inverse");
        let at = change_at(&terms, f, &opts).expect("forward at F");
        prop_assert!(at >= target, "change({f}) = {at} < target {target}");
        let cent = Decimal::new(1, 2);
        if f > cent {
            // A loan one cent smaller may leave nothing after fees (no CET): it does not reach.
            let below = change_at(&terms, f - cent, &opts).ok();
            prop_assert!(below.is_none_or(|b| b < target), "F − 0.01 = {} already reaches {target}: {below:?}", f - cent);
        }
    }

    /// change_by_installments is the forward computation for each count.
    #[test]
    fn change_by_installments_agrees_with_the_forward_change(
        lo in 1u32..=24,
        span in 0u32..6,
        day in 0u64..3000,
        cents in 1000i64..300_000,
    ) {
        let disb = date(2015, 1, 1) + chrono::Days::new(day);
        let terms = payroll_terms(12, 205, disb, 40, Decimal::new(50_000, 2));
        let f = Decimal::new(cents, 2);
        let opts = SimulationOptions::new();
        let rows = portability::change_by_installments(&terms, f, lo..=lo + span, &opts).expect("rows");
        prop_assert_eq!(rows.len() as u32, span + 1);
        for (n, c) in rows {
            let mut t = terms.clone();
            t.number_of_installments = n;
            prop_assert_eq!(Some(c), change_at(&t, f, &opts).ok());
        }
    }
}

#[test]
fn bridge_loan_alone_reproduces_the_personal_credit() {
    let b = portability::bridge_loan(
        dec("80492.95"),
        AnnualRate::new(dec("0.20983")).expect("rate"),
        date(2023, 3, 17),
        5,
        &SimulationOptions::new(),
    )
    .expect("bridge");
    assert_eq!(b.issue_amount(), dec("80833.26"));
    assert_eq!(b.quote.iof.total, dec("340.31"));
    assert_eq!(api::percent_pt_br(b.quote.cet.monthly), "4,0200%");
    assert_eq!(b.quote.disbursed_issue_amount, dec("80492.95"));
}

/// The business-days option policy drops Saturday 2023-03-25 and says which policy it applied.
#[test]
fn business_day_option_policy_keeps_business_days_only() {
    let req = SimulationRequest::from_json(
        &read("fixtures/airforce/simulation_request_4_options.json"),
        "airforce",
    )
    .expect("request");
    let opts = SimulationOptions::new().option_days(qitech_sim::OptionDays::BusinessDays);
    let sim = simulate(&req.terms, &opts).expect("simulation");
    let dates: Vec<NaiveDate> = sim.options.iter().map(|q| q.disbursement_date).collect();
    assert_eq!(
        dates,
        [date(2023, 3, 22), date(2023, 3, 23), date(2023, 3, 24)]
    );
    let out = serde_json::to_value(SimulationResponse::new(
        &req,
        &sim,
        &SimulationOptions::new(),
        None,
    ))
    .expect("json");
    assert_eq!(out["data"]["disbursement_options_policy"], "business_days");
    // Each kept option is the same loan as under the calendar policy.
    let all = simulate(&req.terms, &SimulationOptions::new()).expect("simulation");
    assert_eq!(sim.options[..], all.options[..3]);
}

/// `first_due_date_delay` counts calendar days by default (QI's numbers: 2023-03-17 + 5 = 03-22)
/// and business days on request (the manual's text: 2023-03-24).
#[test]
fn first_due_date_delay_in_calendar_or_business_days() {
    let text = read("fixtures/personal_credit/debt_request.json");
    let req = SimulationRequest::from_json(&text, "pc").expect("request");
    let calendar = simulate(&req.terms, &SimulationOptions::new()).expect("simulation");
    assert_eq!(calendar.first().first_due_date, date(2023, 3, 22));
    let business = simulate(
        &req.terms,
        &SimulationOptions::new().delay_unit(qitech_sim::DelayUnit::BusinessDays),
    )
    .expect("simulation");
    assert_eq!(business.first().first_due_date, date(2023, 3, 24));
    assert_eq!(business.first().schedule.installments[0].period.workdays, 5);
}

/// An absolute contract fee (TAC 10) does not stop the target-change search: its first trials
/// (a cent, then 1.00 of installment) are smaller than the fee and were refused, ending the search
/// with `contract_fees[0].amount: the fee exceeds the issue amount (0.40)`. Now they only fall
/// short: 2,108.98 is the smallest face value whose change reaches 500 (2,108.72 without the fee),
/// and a cent less misses.
#[test]
fn an_absolute_fee_does_not_stop_the_target_change_search() {
    let terms = payroll_terms(96, 180, date(2023, 3, 14), 24, dec("80000"));
    let options = SimulationOptions::new().pricing(
        api::pricing_from_json(
            r#"{"contract_fees": [{"fee_type": "tac", "amount_type": "absolute", "amount": 10}]}"#,
            "pricing",
        )
        .expect("pricing"),
    );
    let target = dec("500");
    let f = portability::min_face_value_for_change(&terms, target, &options).expect("found");
    let change = |f: Decimal| {
        portability::change_by_installments(&terms, f, 96..=96, &options).expect("priced")[0].1
    };
    assert!(change(f) >= target, "{f}: {}", change(f));
    assert!(change(f - dec("0.01")) < target, "{f}");
    let without = portability::min_face_value_for_change(&terms, target, &SimulationOptions::new())
        .expect("found");
    assert!(f > without, "{f} vs {without}");
    // The CLI door answers it too (the airforce portability with the fee: 2,108.98).
    let text = std::process::Command::new(env!("CARGO_BIN_EXE_qitech-sim"))
        .args([
            "portability",
            "fixtures/airforce/portability.json",
            "--target-change",
            "500",
        ])
        .args([
            "--config",
            "fixtures/reliability/absolute_tac.config.json",
            "--compact",
        ])
        .output()
        .expect("cli");
    assert!(
        text.status.success(),
        "{}",
        String::from_utf8_lossy(&text.stderr)
    );
    let v: Value = serde_json::from_slice(&text.stdout).expect("json");
    assert_eq!(v["installment_face_value"], serde_json::json!(2108.98));
}

/// An error that no face value clears (a legal person's IOF in 2025-05-23..31, a regime the crate
/// refuses) is the search's answer, named as the simulation names it — not "no face value reaches
/// the target" after a doubling over trials that all fail.
#[test]
fn a_size_independent_error_ends_the_target_change_search() {
    let terms = payroll_terms(24, 180, date(2025, 5, 26), 30, dec("1000"))
        .borrower(qitech_sim::iof::PersonType::Legal);
    let e = portability::min_face_value_for_change(&terms, dec("100"), &SimulationOptions::new())
        .expect_err("no regime");
    assert_eq!(e.kind(), qitech_sim::ErrorKind::Unsupported, "{e}");
    assert_eq!(e.field(), Some("borrower.person_type"), "{e}");
}

/// The same for an out-of-range error that is not a fee's: due dates past the calendar (2099) are
/// refused as they are, not taken for a loan too small for its fees.
#[test]
fn a_calendar_error_ends_the_target_change_search() {
    let terms = payroll_terms(24, 180, date(2098, 6, 1), 30, dec("1000"));
    let direct = simulate(&terms, &SimulationOptions::new()).expect_err("past the calendar");
    let e = portability::min_face_value_for_change(&terms, dec("100"), &SimulationOptions::new())
        .expect_err("past the calendar");
    assert_eq!(e.kind(), direct.kind(), "{e}");
    assert_eq!(e.field(), direct.field(), "{e}");
    assert_ne!(e.field(), Some("target_change"), "{e}");
}
