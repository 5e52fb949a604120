//! The convention switches (`qitech_sim::conventions`): QI's newer examples pinned under the switches
//! they document, every number computed and compared at its printed precision; the divergences QI
//! leaves unexplained, stated; the other platforms' switches on hand-computed schedules; the
//! configuration file's `"profile"` / `"conventions"`; and properties over random switch sets.

use crate::support::to_f64;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use qitech_sim::api::{self, SimulationRequest};
use qitech_sim::cet;
use qitech_sim::conventions::{
    AnnualRateDecimals, CalendarDaysGrowth, CetDerivation, Conventions, DailyRateBase,
    InterestDecimals, IofParts, IofRounding, LastInstallment, Profile, RateDecimals,
};
use qitech_sim::iof::{NaturalPersonIof, PersonType};
use qitech_sim::rate::{InterestBase, InterestRate};
use qitech_sim::schedule::Amortization;
use qitech_sim::simulation::{Amount, FirstDue, LoanTerms};
use qitech_sim::{Decimal, ErrorKind, Quote, RefinancedOperation, SimulationOptions, simulate};
use serde_json::{Value, json};

use crate::support::{date, dec, json as json_file, read};

const DIR: &str = "fixtures/qi-examples";

/// Follows a path like `installments[1].tax_amount`.
fn at<'a>(v: &'a Value, path: &str) -> &'a Value {
    let mut cur = v;
    for part in path.split('.') {
        let (name, index) = match part.split_once('[') {
            Some((n, i)) => (
                n,
                Some(i.trim_end_matches(']').parse::<usize>().expect("index")),
            ),
            None => (part, None),
        };
        cur = &cur[name];
        if let Some(i) = index {
            cur = &cur[i];
        }
    }
    cur
}

/// The same JSON number (QI prints `workdays` 22.0, the crate 22), or the same value.
fn same(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

/// Every leaf path of `v` (objects and arrays walked), as `at` reads them.
fn leaves(v: &Value, prefix: &str, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let p = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                leaves(x, &p, out);
            }
        }
        Value::Array(items) => {
            for (i, x) in items.iter().enumerate() {
                leaves(x, &format!("{prefix}[{i}]"), out);
            }
        }
        _ => out.push(prefix.to_string()),
    }
}

fn options_of(config: &str, profile: Profile) -> SimulationOptions {
    let c = api::config_from_json(&read(config), config).expect("config");
    SimulationOptions::new()
        .pricing(c.pricing.clone())
        .conventions(c.conventions(profile).expect("conventions"))
}

// ---------------------------------------------------------------------------------------------
// v2-sim-2025: the v2 endpoint under `qi-v2`

/// QI's v2 simulation response (`v2-sim-2025.response.json`), every printed field, from the v2
/// body its numbers imply (`v2-sim-2025.request.v2.json`) under the `qi-v2` profile. Left out:
/// the four display ratios `period`, `period_workdays`, `period_to_disbursement`,
/// `period_workdays_to_disbursement` (19/31, 13/21, 19/31, 1.0), whose denominators no documented
/// rule derives: the crate omits them.
#[test]
fn v2_sim_2025_every_printed_field() {
    let doc = json_file(&format!("{DIR}/v2-sim-2025.response.json"));
    let options = SimulationOptions::new().conventions(Conventions::profile(Profile::QiV2));
    let r = api::v2_simulate_json(
        &read(&format!("{DIR}/v2-sim-2025.request.v2.json")),
        &options,
    )
    .expect("v2");
    let got = serde_json::to_value(&r).expect("json");
    let mut paths = vec![];
    leaves(&doc, "", &mut paths);
    let omitted = [
        "period",
        "period_workdays",
        "period_to_disbursement",
        "period_workdays_to_disbursement",
    ];
    let mut checked = 0;
    let mut failures = vec![];
    for p in &paths {
        let last = p.rsplit('.').next().unwrap_or(p);
        if omitted.contains(&last) {
            assert!(at(&got, p).is_null(), "{p} must be omitted, not guessed");
            continue;
        }
        checked += 1;
        let (w, g) = (at(&doc, p), at(&got, p));
        if !same(w, g) {
            failures.push(format!("{p}: QI {w}, crate {g}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(checked, paths.len() - 4);
    // The bytes of the fast writer are serde's.
    assert_eq!(r.to_json_bytes(), serde_json::to_vec(&r).expect("bytes"));
}

/// The same loan through the `financial` body (`v2-sim-2025.request.reconstructed.json`) under
/// `qi-v2` with the internal spread configured as an assignment-only fee: the engine's quote
/// carries the v2 numbers.
#[test]
fn v2_sim_2025_financial_body_under_qi_v2() {
    let config = r#"{"profile": "qi-v2", "contract_fees": [{"fee_type": "spread",
        "amount_type": "percentage", "amount": 0.2, "class": "assignment_only"}]}"#;
    let c = api::config_from_json(config, "config").expect("config");
    let options = SimulationOptions::new()
        .pricing(c.pricing.clone())
        .conventions(c.conventions(Profile::Qi2023).expect("conventions"));
    let req = SimulationRequest::from_json(
        &read(&format!("{DIR}/v2-sim-2025.request.reconstructed.json")),
        "req",
    )
    .expect("request");
    let q = simulate(&req.terms, &options).expect("sim").first().clone();
    let i = &q.schedule.installments;
    assert_eq!(q.schedule.issue_amount, dec("36.14"));
    assert_eq!(i[0].pre_fixed_amount, dec("1.58227236"));
    assert_eq!(i[0].principal_amortization_amount, dec("17.91772764"));
    assert_eq!(i[0].tax_amount, dec("0.02791582"));
    assert_eq!(i[1].due_principal, dec("18.22227236"));
    assert_eq!(
        (q.iof.base, q.iof.additional, q.iof.total),
        (dec("0.10"), dec("0.14"), dec("0.24"))
    );
    assert_eq!(q.disbursed_issue_amount, dec("35.90"));
    assert_eq!(q.assignment_amount, dec("36.21"));
    assert_eq!(
        (q.cet.monthly_percent(), q.cet.annual_percent()),
        (dec("7.76"), dec("145.08"))
    );
    // Under the default profile the seeds' rules give the numbers conventions.md §1.1 lists.
    let seeds = simulate(&req.terms, &SimulationOptions::new())
        .expect("sim")
        .first()
        .clone();
    assert_eq!(
        to_f64(seeds.schedule.installments[0].pre_fixed_amount),
        1.5822747652649813
    );
    assert_eq!(seeds.assignment_amount, dec("36.14"));
}

// ---------------------------------------------------------------------------------------------
// bnpl-issue-2026

/// The BNPL issuance (`bnpl-issue-2026.*`) under `qi-v2` with 10-decimal rates
/// (`bnpl-issue-2026.config.json`), every visible field but the two QI leaves unexplained
/// ([`bnpl_2026_unexplained_divergences`]). The second installment (543.89 on 2026-06-07) is not
/// printed; the CET pair requires it.
#[test]
fn bnpl_2026_visible_fields() {
    let doc = json_file(&format!("{DIR}/bnpl-issue-2026.response.json"));
    let d = &doc["data"];
    let options = options_of(
        &format!("{DIR}/bnpl-issue-2026.config.json"),
        Profile::Qi2023,
    );
    let req =
        SimulationRequest::from_json(&read(&format!("{DIR}/bnpl-issue-2026.request.json")), "r")
            .expect("request");
    let q: Quote = simulate(&req.terms, &options).expect("sim").first().clone();
    let num = |p: &str| dec(&at(d, p).to_string());
    assert_eq!(q.cet.annual_percent(), num("annual_cet"));
    assert_eq!(q.cet.monthly_percent(), num("cet"));
    assert_eq!(q.disbursed_issue_amount, num("disbursed_issue_amount"));
    assert_eq!(
        q.final_disbursement_amount,
        num("final_disbursement_amount")
    );
    assert_eq!(q.disbursement_date.to_string(), d["disbursement_date"]);
    assert_eq!(q.schedule.issue_amount, num("issue_amount"));
    assert_eq!(
        q.schedule.installments.len() as u64,
        d["number_of_installments"].as_u64().expect("n")
    );
    assert_eq!(q.iof.total, num("total_iof"));
    assert_eq!(q.iof.base, num("base_iof"));
    assert_eq!(q.iof.additional, num("additional_iof"));
    assert_eq!(
        q.rate.annual_rate,
        num("prefixed_interest_rate.annual_rate")
    );
    assert_eq!(q.rate.daily_rate, num("prefixed_interest_rate.daily_rate"));
    assert_eq!(
        q.rate.monthly_rate,
        num("prefixed_interest_rate.monthly_rate")
    );
    assert_eq!(
        q.rate.interest_base.as_str(),
        d["prefixed_interest_rate"]["interest_base"]["enumerator"]
    );
    let i = &q.schedule.installments[0];
    assert_eq!(i.period.number, 1);
    assert_eq!(
        i.period.due_date.to_string(),
        d["installments"][0]["due_date"]
    );
    assert_eq!(
        i.period.business_due_date.to_string(),
        d["installments"][0]["business_due_date"]
    );
    assert_eq!(
        u64::from(i.period.calendar_days),
        d["installments"][0]["calendar_days"]
            .as_u64()
            .expect("days")
    );
    assert_eq!(i.total_amount, num("installments[0].total_amount"));
    assert_eq!(i.due_principal, num("installments[0].due_principal"));
    let last = &q.schedule.installments[1];
    assert_eq!(
        (last.period.due_date, last.total_amount),
        (date(2026, 6, 7), dec("543.89"))
    );
}

/// What QI prints and no documented rule explains, pinned so that a change shows: installment 1's
/// `pre_fixed_amount` (QI 52.3996159; the crate's `qi-v2` rule round8(1007.62 × (1.00169120^30 −
/// 1)) = 52.39627353) and `assignment_amount` (QI 1007.63 = issue + 0.01, no fee visible; the crate
/// 1007.62).
#[test]
fn bnpl_2026_unexplained_divergences() {
    let doc = json_file(&format!("{DIR}/bnpl-issue-2026.response.json"));
    let options = options_of(
        &format!("{DIR}/bnpl-issue-2026.config.json"),
        Profile::Qi2023,
    );
    let debt = api::debt_json(
        &read(&format!("{DIR}/bnpl-issue-2026.request.json")),
        &options,
    )
    .expect("debt");
    let got = serde_json::to_value(&debt).expect("json");
    for (path, crate_value) in [
        ("installments[0].pre_fixed_amount", json!(52.39627353)),
        ("assignment_amount", json!(1007.62)),
    ] {
        let want = at(&doc["data"], path);
        let g = at(&got, path);
        println!("divergence data.{path}: QI {want}, crate {g}");
        assert!(!same(want, g), "{path} no longer diverges");
        assert!(same(&crate_value, g), "{path}: crate now prints {g}");
    }
}

// ---------------------------------------------------------------------------------------------
// anaue-preprice-5000-2020

/// QI's 2020 `pre_price` sandbox response, every field of `data` under its switches
/// (`anaue-preprice-5000-2020.config.json`: CET as the raw monthly IRR with 6 decimals, unrounded
/// rates, the 0.5 % contract fee added to the assignment amount only, the untaxed external fee of
/// 50) and the dated natural-person IOF (the 2020 zero rate). The one field it still prints
/// differently is `post_fixed_amount` (QI 0, the crate null: a placeholder, no arithmetic).
#[test]
fn preprice_2020_under_its_switches() {
    let doc = json_file(&format!("{DIR}/anaue-preprice-5000-2020.response.json"));
    let options = options_of(
        &format!("{DIR}/anaue-preprice-5000-2020.config.json"),
        Profile::Qi2023,
    )
    .natural_person_iof(NaturalPersonIof::Dated);
    let r = api::simulate_json(
        &read(&format!("{DIR}/anaue-preprice-5000-2020.request.json")),
        &options,
        None,
    )
    .expect("simulation");
    let got = serde_json::to_value(&r).expect("json");
    let mut paths = vec![];
    leaves(&doc["data"], "", &mut paths);
    let mut failures = vec![];
    for p in &paths {
        if p.ends_with("post_fixed_amount") {
            assert!(at(&got["data"], p).is_null());
            continue;
        }
        let (w, g) = (at(&doc["data"], p), at(&got["data"], p));
        if !same(w, g) {
            failures.push(format!("data.{p}: QI {w}, crate {g}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// QI's pt simulation page (https://docs.qitech.com.br/documentation/emissao_de_divida/simulacao_de_divida)

const PT_REQUEST: &str = "fixtures/qi-examples/pt-simulacao-2024.request.json";
const PT_CONFIG: &str = "fixtures/qi-examples/pt-simulacao-2024.config.json";

/// What the pt page's switch set (`pt-simulacao-2024.config.json`) reproduces: the product's base
/// `calendar_days_365` over `fine_configuration`'s `calendar_days`, `annual_rate` 0.21843191 =
/// round8(1.0166^12 − 1), `daily_rate` 0.00054142 = round8(1.21843191^(1/365) − 1) (the 365-day
/// daily rate: `daily_rate_base: interest_base`), `monthly_rate`, `final_disbursement_amount` 300;
/// and the CET pair's derivation: QI's annual 0.235729 gives round4(1.235729^(1/12) − 1) = 0.0178,
/// its monthly figure, where monthly-first from 0.0178 would give 0.235803 (`cet: annual_irr`,
/// annual 6 decimals, monthly 4).
#[test]
fn pt_page_2024_reproduced_fields() {
    let doc = json_file("fixtures/qi-examples/pt-simulacao-2024.response.json");
    let d = &doc["data"];
    let options = options_of(PT_CONFIG, Profile::Qi2023);
    let r = api::simulate_json(&read(PT_REQUEST), &options, None).expect("simulation");
    let got = serde_json::to_value(&r).expect("json");
    for p in [
        "prefixed_interest_rate.interest_base",
        "prefixed_interest_rate.annual_rate",
        "prefixed_interest_rate.monthly_rate",
        "prefixed_interest_rate.daily_rate",
        "final_disbursement_amount",
        "interest_type",
        "credit_operation_type",
        "issue_date",
        "number_of_installments",
        "disbursement_date",
        "operation_type",
        "post_fixed_interest_base",
        "post_fixed_interest_rate",
        "interest_grace_period",
        "principal_grace_period",
        "interest_payment_month_period",
        "principal_amortization_month_period",
    ] {
        assert!(
            same(at(d, p), at(&got["data"], p)),
            "{p}: QI {}, crate {}",
            at(d, p),
            at(&got["data"], p)
        );
    }
    // The CET pair: derived from the raw annual IRR, each rounded on its own.
    let annual: f64 = d["annual_cet"].as_f64().expect("annual");
    let monthly = (annual.ln_1p() / 12.0).exp_m1();
    assert_eq!(format!("{monthly:.4}"), "0.0178");
    assert_eq!(format!("{:.6}", (1.0178_f64).powi(12) - 1.0), "0.235803");
    // Under the default profile the base is the fine_configuration's.
    let seeds =
        api::simulate_json(&read(PT_REQUEST), &SimulationOptions::new(), None).expect("sim");
    assert_eq!(
        seeds.data.prefixed_interest_rate.interest_base,
        InterestBase::CalendarDays
    );
}

/// The pt page's first installment runs 31 calendar days and 21 workdays from 2024-09-20 to a
/// first due date of 2024-10-20, a Sunday: its due dates are moved to the business day (10-21)
/// before the days are counted. Without `move_due_dates` the numbers that depend on the day counts
/// diverge, pinned here (QI vs crate): `iof_amount` 10.22 vs 10.16, `cet` 0.0178 vs 0.0176,
/// `annual_cet` 0.235729 vs 0.233345, `total_pre_fixed_amount` 268.6575172528548 vs
/// 267.31091596948187, installment 1 `calendar_days` 31 vs 30 and `workdays` 21 vs 20. Moving the
/// dates alone does not close the gap either (a recomputation gives IOF 10.16 and interest 267.70),
/// so the page's rule is not determined yet.
#[test]
fn pt_page_2024_divergences_and_moved_dates() {
    let doc = json_file("fixtures/qi-examples/pt-simulacao-2024.response.json");
    let options = options_of(PT_CONFIG, Profile::Qi2023);
    let r = api::simulate_json(&read(PT_REQUEST), &options, None).expect("simulation");
    let got = serde_json::to_value(&r).expect("json");
    for (p, crate_value) in [
        ("iof_amount", json!(10.16)),
        ("cet", json!(0.0176)),
        ("annual_cet", json!(0.233345)),
        ("total_pre_fixed_amount", json!(267.31091596948187)),
        ("installments[0].calendar_days", json!(30)),
        ("installments[0].workdays", json!(20)),
    ] {
        let (w, g) = (at(&doc["data"], p), at(&got["data"], p));
        println!("divergence data.{p}: QI {w}, crate {g}");
        assert!(!same(w, g), "{p} no longer diverges");
        assert!(same(&crate_value, g), "{p}: crate now prints {g}");
    }
    // With the due dates moved (now implemented), the day counts are QI's; the amounts still
    // diverge, as the recomputation above said: the page's rule is not determined.
    let mut c = *options.get_conventions();
    c.move_due_dates = true;
    let moved = api::simulate_json(&read(PT_REQUEST), &options.clone().conventions(c), None)
        .expect("moved due dates");
    let moved = serde_json::to_value(&moved).expect("json");
    for p in ["installments[0].calendar_days", "installments[0].workdays"] {
        let (w, g) = (at(&doc["data"], p), at(&moved["data"], p));
        assert!(same(w, g), "{p} with moved dates: QI {w}, crate {g}");
    }
    for p in ["iof_amount", "total_pre_fixed_amount"] {
        let (w, g) = (at(&doc["data"], p), at(&moved["data"], p));
        println!("divergence with moved dates data.{p}: QI {w}, crate {g}");
        assert!(!same(w, g), "{p} no longer diverges with moved dates");
    }
}

// ---------------------------------------------------------------------------------------------
// The other platforms' switches, on hand-computed schedules

/// Issue 1000 (`amount`), 2 installments, 2 % a month on `calendar_days`, disbursed 2024-01-15,
/// due 02-15 (31 days) and 03-15 (29 days, 60 from the disbursement).
fn two_installments() -> LoanTerms {
    loan(Amount::Issue(dec("1000")), 2)
}

/// `amount` in `n` installments at 2 % a month on `calendar_days`, disbursed 2024-01-15, first
/// due 02-15.
fn loan(amount: Amount, n: u32) -> LoanTerms {
    let rate = InterestRate::monthly(dec("0.02"), InterestBase::CalendarDays).expect("rate");
    LoanTerms::with_amount(
        amount,
        n,
        rate,
        date(2024, 1, 15),
        FirstDue::Date(date(2024, 2, 15)),
    )
    .expect("terms")
}

fn first(terms: &LoanTerms, c: Conventions) -> Quote {
    simulate(terms, &SimulationOptions::new().conventions(c))
        .expect("sim")
        .first()
        .clone()
}

/// `interest_decimals: 2`, balance in cents (other platforms, conventions.md §3.2). By hand:
/// annual8 = round8(1.02^12 − 1) = 0.26824179; m_eff = 1.26824179^(1/12) − 1 = 0.019999999694;
/// g₁ − 1 = (1+m_eff)^(31/30) − 1 = 0.0206735112757, g₂ − 1 = (1+m_eff)^(29/30) − 1 =
/// 0.0193269325426; G₁ = 1.0206735112757, G₂ = G₁ × 1.0193269325426 = 1.0404002…;
/// PMT = round2(1000 / (1/G₁ + 1/G₂)) = round2(1000 / (0.9797452260 + 0.9611687818)) = round2(515.2211772) = 515.22;
/// interest₁ = round2(1000 × 0.0206735113) = 20.67, principal₁ = 494.55; balance 505.45;
/// interest₂ = round2(505.45 × 0.0193269325) = round2(9.76880) = 9.77; last closes: total₂ =
/// round2(505.45 + 9.77) = 515.22, principal₂ = 505.45; Σ principal = 1000.00 exactly.
#[test]
fn interest_in_cents_hand_computed() {
    let mut c = Conventions::default();
    c.interest_decimals = Some(InterestDecimals::Two);
    let q = first(&two_installments(), c);
    let i = &q.schedule.installments;
    assert_eq!(
        [
            i[0].total_amount,
            i[0].pre_fixed_amount,
            i[0].principal_amortization_amount
        ],
        [dec("515.22"), dec("20.67"), dec("494.55")]
    );
    assert_eq!(
        [
            i[1].due_principal,
            i[1].pre_fixed_amount,
            i[1].principal_amortization_amount,
            i[1].total_amount
        ],
        [dec("505.45"), dec("9.77"), dec("505.45"), dec("515.22")]
    );
    // The seeds' rule on the same loan: interest unrounded.
    let seeds = first(&two_installments(), Conventions::default());
    assert_eq!(
        format!(
            "{:.10}",
            to_f64(seeds.schedule.installments[0].pre_fixed_amount)
        ),
        "20.6735112757"
    );
}

/// `pre_price` and `pre_sac` from an amount round interest to cents on a balance in cents:
/// `interest_decimals` 8 or 10 there is refused (it would give installments that are not in
/// cents), naming the switch; in face value, and at 2 decimals, they are priced.
#[test]
fn uncented_interest_is_refused_for_pre_price_and_pre_sac_amounts() {
    for system in [Amortization::Price, Amortization::Sac] {
        for dp in [InterestDecimals::Eight, InterestDecimals::Ten] {
            let mut c = Conventions::default();
            c.interest_decimals = Some(dp);
            let terms = two_installments().amortization(system);
            let e =
                simulate(&terms, &SimulationOptions::new().conventions(c)).expect_err("refused");
            assert_eq!(e.kind(), ErrorKind::Unsupported, "{e}");
            assert_eq!(e.field(), Some("conventions.interest_decimals"), "{e}");
            c.interest_decimals = Some(InterestDecimals::Two);
            assert!(simulate(&terms, &SimulationOptions::new().conventions(c)).is_ok());
        }
    }
    let mut c = Conventions::default();
    c.interest_decimals = Some(InterestDecimals::Eight);
    let face =
        loan(Amount::InstallmentFaceValue(dec("515.22")), 2).amortization(Amortization::Price);
    let q = first(&face, c);
    assert!(
        q.schedule
            .installments
            .iter()
            .all(|i| i.total_amount == dec("515.22"))
    );
}

/// `iof_rounding: per_installment` (other platforms, conventions.md §3.3), on the schedule above
/// (interest in cents): tax₁ = round2(494.55 × 0.000082 × 31) = round2(1.2571461) = 1.26; tax₂ =
/// round2(505.45 × 0.000082 × 60) = round2(2.486814) = 2.49; additional = round2(0.0038 × 1000) =
/// 3.80; total = 1.26 + 2.49 + 3.80 = 7.55 (QI's rule: round2(1.2571461 + 2.486814 + 3.8) =
/// round2(7.5439601) = 7.54).
#[test]
fn iof_per_installment_hand_computed() {
    let mut c = Conventions::default();
    c.interest_decimals = Some(InterestDecimals::Two);
    let qi = first(&two_installments(), c);
    assert_eq!(qi.iof.total, dec("7.54"));
    c.iof_rounding = IofRounding::PerInstallment;
    let q = first(&two_installments(), c);
    let taxes: Vec<_> = q
        .schedule
        .installments
        .iter()
        .map(|i| i.tax_amount)
        .collect();
    assert_eq!(taxes, [dec("1.26"), dec("2.49")]);
    assert_eq!(
        (q.iof.base, q.iof.additional, q.iof.total),
        (dec("3.75"), dec("3.80"), dec("7.55"))
    );
    assert_eq!(q.disbursed_issue_amount, dec("992.45"));
}

/// `annual_rate_decimals: 6` (other platforms, conventions.md §3.6): 2 % a month gives
/// round6(1.02^12 − 1) = round6(0.268241794562) = 0.268242 as the annual rate every working rate
/// derives from, where QI's rule keeps 0.26824179. One installment of issue 1000 over 31 days:
/// interest = 1000 × (1.268242^(31/360) − 1) = 20.6735258290…, against 20.6735112757 under round8;
/// total round2 = 1020.67 either way.
#[test]
fn annual_rate_six_decimals_hand_computed() {
    let terms = loan(Amount::Issue(dec("1000")), 1);
    let mut c = Conventions::default();
    c.annual_rate_decimals = AnnualRateDecimals::Six;
    let q = first(&terms, c);
    assert_eq!(q.rate.annual_rate, dec("0.268242"));
    let i = &q.schedule.installments[0];
    assert_eq!(
        format!("{:.10}", to_f64(i.pre_fixed_amount)),
        "20.6735258291"
    );
    assert_eq!(i.total_amount, dec("1020.67"));
    let seeds = first(&terms, Conventions::default());
    assert_eq!(seeds.rate.annual_rate, dec("0.26824179"));
}

/// `last_installment: equal_installment` (BNPL; money-warp's external platform) on the loan
/// above with unrounded interest: PMT 515.22 both times; interest₁ = 20.6735112757…, principal₁
/// = 494.5464887243, balance 505.4535112757; the last installment is 515.22, its interest 515.22 −
/// 505.4535112757 = 9.7664887243 (closing the balance gives round2(505.4535112757 × 1.0193269325)
/// = 515.22 as well here).
#[test]
fn equal_last_installment_hand_computed() {
    let mut c = Conventions::default();
    c.last_installment = LastInstallment::EqualInstallment;
    let q = first(&two_installments(), c);
    let i = &q.schedule.installments;
    assert_eq!(i[1].total_amount, dec("515.22"));
    assert_eq!(i[1].principal_amortization_amount, i[1].due_principal);
    assert_eq!(i[1].pre_fixed_amount, dec("515.22") - i[1].due_principal);
    let sum: Decimal = i.iter().map(|r| r.principal_amortization_amount).sum();
    assert_eq!(sum, dec("1000"));
}

// ---------------------------------------------------------------------------------------------
// The configuration file

#[test]
fn configuration_profile_and_switches() {
    let cfg = |t: &str| api::config_from_json(t, "cfg");
    // Absent: the seeds, and a v2 body's qi-v2.
    let c = cfg("{}").expect("empty");
    assert_eq!(
        c.conventions(Profile::Qi2023).expect("c"),
        Conventions::default()
    );
    assert_eq!(
        c.conventions(Profile::QiV2).expect("c"),
        Conventions::profile(Profile::QiV2)
    );
    // A named profile wins over the shape's default; explicit switches over the profile.
    let c = cfg(r#"{"profile": "qi-2023", "conventions": {"cet": "annual_irr", "rate_decimals": "unrounded"}}"#)
        .expect("cfg");
    let r = c.conventions(Profile::QiV2).expect("c");
    assert_eq!(r.cet, CetDerivation::AnnualIrr);
    assert_eq!(r.rate_decimals, RateDecimals::Unrounded);
    assert_eq!(r.calendar_days_growth, CalendarDaysGrowth::MonthlyRate);
    let all = r#"{"conventions": {"interest_base": "workdays", "calendar_days_growth": "daily_rate",
        "interest_decimals": 8, "last_installment": "equal_installment", "move_due_dates": false,
        "cet": "monthly_first", "rate_decimals": 10, "iof_parts": "cents",
        "iof_rounding": "per_installment", "annual_rate_decimals": 6, "cet_decimals": 6,
        "annual_cet_decimals": 4, "daily_rate_base": "interest_base",
        "installment_tax_decimals": 8}}"#;
    let r = cfg(all)
        .expect("all")
        .conventions(Profile::Qi2023)
        .expect("c");
    assert_eq!(r.interest_base, Some(InterestBase::Workdays));
    assert_eq!(r.interest_decimals, Some(InterestDecimals::Eight));
    assert_eq!(r.iof_parts, IofParts::Cents);
    assert_eq!(r.daily_rate_base, DailyRateBase::InterestBase);
    assert_eq!(r.annual_rate_decimals, AnnualRateDecimals::Six);
    for (bad, field) in [
        (r#"{"profile": "qi-2099"}"#, "profile"),
        (r#"{"conventions": {"cet": "daily"}}"#, "conventions.cet"),
        (
            r#"{"conventions": {"interest_decimals": 4}}"#,
            "conventions.interest_decimals",
        ),
        (
            r#"{"conventions": {"move_due_dates": "yes"}}"#,
            "conventions.move_due_dates",
        ),
        (
            r#"{"conventions": {"rate_decimal": 8}}"#,
            "conventions.rate_decimal",
        ),
        (r#"{"conventions": []}"#, "conventions"),
        (
            r#"{"contract_fees": [{"fee_type": "t", "amount_type": "absolute", "amount": 1, "class": "x"}]}"#,
            "contract_fees[0].class",
        ),
    ] {
        let e = cfg(bad).expect_err(bad);
        assert_eq!(e.field(), Some(field), "{bad}: {e}");
    }
    // The pricing is still read; `pricing_from_json` (fees only) refuses the switches it would
    // otherwise drop, naming the first.
    let c = cfg(&read(&format!(
        "{DIR}/anaue-preprice-5000-2020.config.json"
    )))
    .expect("2020");
    assert_eq!(c.pricing.contract_fees.len(), 1);
    assert!(
        api::pricing_from_json(
            &read(&format!("{DIR}/anaue-preprice-5000-2020.config.json")),
            "p"
        )
        .is_err()
    );
}

/// The product's base wins over `fine_configuration.interest_base` and loses to an explicit
/// `financial.interest_base`.
#[test]
fn product_base_precedence() {
    let mut c = Conventions::default();
    c.interest_base = Some(InterestBase::CalendarDays365);
    let options = SimulationOptions::new().conventions(c);
    let base_of = |edit: &dyn Fn(&mut Value)| {
        let mut v = json_file(PT_REQUEST);
        edit(&mut v);
        api::simulate_json(&v.to_string(), &options, None)
            .expect("sim")
            .data
            .prefixed_interest_rate
            .interest_base
    };
    assert_eq!(base_of(&|_| {}), InterestBase::CalendarDays365);
    assert_eq!(
        base_of(&|v| v["financial"]["interest_base"] = json!("workdays")),
        InterestBase::Workdays
    );
    assert_eq!(
        base_of(&|v| {
            v["financial"]["fine_configuration"]["interest_base"] = json!("workdays");
        }),
        InterestBase::CalendarDays365
    );
}

// ---------------------------------------------------------------------------------------------
// Properties over random switch sets

fn conventions_strategy() -> impl Strategy<Value = Conventions> {
    (
        (
            prop::option::of(prop_oneof![
                Just(InterestBase::CalendarDays),
                Just(InterestBase::CalendarDays365),
                Just(InterestBase::Workdays)
            ]),
            prop_oneof![
                Just(CalendarDaysGrowth::MonthlyRate),
                Just(CalendarDaysGrowth::DailyRate)
            ],
            prop::option::of(prop_oneof![
                Just(InterestDecimals::Ten),
                Just(InterestDecimals::Eight),
                Just(InterestDecimals::Two)
            ]),
            prop_oneof![
                Just(LastInstallment::ClosesBalance),
                Just(LastInstallment::EqualInstallment)
            ],
            prop_oneof![
                Just(CetDerivation::MonthlyFirst),
                Just(CetDerivation::AnnualIrr)
            ],
            prop_oneof![Just(4u32), Just(6u32)],
            prop::option::of(prop_oneof![Just(4u32), Just(6u32)]),
        ),
        (
            prop_oneof![
                Just(RateDecimals::Eight),
                Just(RateDecimals::Ten),
                Just(RateDecimals::Unrounded)
            ],
            prop_oneof![
                Just(DailyRateBase::Month30),
                Just(DailyRateBase::InterestBase)
            ],
            prop_oneof![Just(IofParts::Unrounded), Just(IofParts::Cents)],
            prop::option::of(Just(8u32)),
            prop_oneof![Just(IofRounding::Total), Just(IofRounding::PerInstallment)],
            prop_oneof![
                Just(AnnualRateDecimals::Eight),
                Just(AnnualRateDecimals::Six)
            ],
        ),
    )
        .prop_map(
            |(
                (base, growth, idp, last, cet, cdp, adp),
                (rdp, daily, parts, tdp, rounding, ann),
            )| {
                let mut c = Conventions::default();
                c.interest_base = base;
                c.calendar_days_growth = growth;
                c.interest_decimals = idp;
                c.last_installment = last;
                c.cet = cet;
                c.cet_decimals = cdp;
                c.annual_cet_decimals = adp;
                c.rate_decimals = rdp;
                c.daily_rate_base = daily;
                c.iof_parts = parts;
                c.installment_tax_decimals = tdp;
                c.iof_rounding = rounding;
                c.annual_rate_decimals = ann;
                c
            },
        )
}

#[derive(Debug, Clone)]
struct Case {
    conventions: Conventions,
    amount: u8,
    cents: i64,
    n: u32,
    monthly_bp: i64,
    base: u8,
    system: u8,
    first_gap: u64,
    limit: u32,
    refinanced: Option<i64>,
    tac: Option<(i64, bool)>,
    legal: bool,
}

fn case() -> impl Strategy<Value = Case> {
    (
        conventions_strategy(),
        0u8..3,
        1_000i64..5_000_000,
        1u32..30,
        1i64..600,
        0u8..3,
        0u8..3,
        5u64..60,
        0u32..3,
        prop::option::of(0i64..200_000),
        prop::option::of((1i64..300, any::<bool>())),
        any::<bool>(),
    )
        .prop_map(
            |(
                conventions,
                amount,
                cents,
                n,
                monthly_bp,
                base,
                system,
                first_gap,
                limit,
                refinanced,
                tac,
                legal,
            )| Case {
                conventions,
                amount,
                cents,
                n,
                monthly_bp,
                base,
                system,
                first_gap,
                limit,
                refinanced,
                tac,
                legal,
            },
        )
}

fn check(c: &Case) -> Result<(), TestCaseError> {
    let base = [
        InterestBase::CalendarDays,
        InterestBase::CalendarDays365,
        InterestBase::Workdays,
    ][c.base as usize];
    let system = [
        Amortization::PriceDays,
        Amortization::Price,
        Amortization::Sac,
    ][c.system as usize];
    let rate = InterestRate::monthly(Decimal::new(c.monthly_bp, 4), base).expect("rate");
    let value = Decimal::new(c.cents, 2);
    let amount = match (c.amount, system) {
        (0, Amortization::Sac) | (1, _) => Amount::Disbursed(value),
        (0, _) => Amount::InstallmentFaceValue(Decimal::new(c.cents / 10 + 100, 2)),
        _ => Amount::Issue(value),
    };
    let day = date(2024, 3, 4);
    let first_due = day + chrono::Days::new(c.first_gap);
    let mut terms = LoanTerms::with_amount(amount, c.n, rate, day, FirstDue::Date(first_due))
        .expect("terms")
        .amortization(system)
        .limit_days_to_disburse(c.limit)
        .borrower(if c.legal {
            PersonType::Legal
        } else {
            PersonType::Natural
        });
    if let Some(b) = c.refinanced {
        terms = terms.refinance(RefinancedOperation::new(Decimal::new(b, 2)).expect("op"));
    }
    let mut options = SimulationOptions::new().conventions(c.conventions);
    if let Some((bp, assignment_only)) = c.tac {
        let mut p = qitech_sim::fees::Pricing::default();
        let rule = qitech_sim::fees::FeeRule::new(
            "contract_fees[0]",
            "tac",
            qitech_sim::fees::AmountType::Percentage,
            Decimal::new(bp, 2),
            Decimal::ZERO,
        )
        .expect("fee");
        p.contract_fees.push(if assignment_only {
            rule.class(qitech_sim::fees::FeeClass::AssignmentOnly)
        } else {
            rule
        });
        options = options.pricing(p);
    }
    let sim = match simulate(&terms, &options) {
        Ok(s) => s,
        // Legitimate refusals: the rounded installments repay a tiny loan early, or the fees and
        // IOF leave nothing to disburse (no CET).
        Err(e)
            if matches!(
                e.kind(),
                ErrorKind::OutOfRange | ErrorKind::NoSolution | ErrorKind::Invalid
            ) =>
        {
            return Ok(());
        }
        // pre_price / pre_sac from an amount keep interest in cents: 8 or 10 decimals refused.
        Err(e)
            if e.kind() == ErrorKind::Unsupported
                && e.field() == Some("conventions.interest_decimals")
                && system != Amortization::PriceDays
                && !matches!(amount, Amount::InstallmentFaceValue(_)) =>
        {
            return Ok(());
        }
        Err(e) => return Err(TestCaseError::fail(format!("{e}"))),
    };
    let conv = &c.conventions;
    for q in &sim.options {
        let rows = &q.schedule.installments;
        for r in rows {
            prop_assert_eq!(
                r.total_amount,
                r.pre_fixed_amount + r.principal_amortization_amount
            );
            prop_assert_eq!(
                r.total_amount,
                r.total_amount.round_dp(2),
                "installments in cents"
            );
        }
        let principal: Decimal = rows.iter().map(|r| r.principal_amortization_amount).sum();
        let issue = q.schedule.issue_amount;
        let gap = (principal - issue).abs();
        let exact = match amount {
            Amount::InstallmentFaceValue(_) => {
                system == Amortization::Price
                    || matches!(
                        conv.interest_decimals,
                        Some(InterestDecimals::Eight | InterestDecimals::Two)
                    )
            }
            _ => {
                system != Amortization::PriceDays
                    || rows.len() > 1 && conv.last_installment == LastInstallment::EqualInstallment
            }
        };
        let quantized = conv.interest_decimals.is_some() || system != Amortization::PriceDays;
        if exact && quantized {
            prop_assert_eq!(principal, issue, "Σ principal must be the issue exactly");
        } else if exact {
            // Unquantized interest carries 28 significant digits: exact up to the last digit.
            prop_assert!(
                gap < dec("0.000000000000001"),
                "Σ principal {} vs issue {}",
                principal,
                issue
            );
        } else {
            prop_assert!(
                gap < dec("0.01"),
                "Σ principal {} vs issue {}",
                principal,
                issue
            );
        }
        // The IOF parts and total under the switches.
        let taxes: Decimal = rows.iter().map(|r| r.tax_amount).sum();
        if conv.iof_rounding == IofRounding::PerInstallment {
            prop_assert_eq!(q.iof.total, q.iof.base + q.iof.additional);
            prop_assert_eq!(q.iof.base, taxes);
        } else if conv.iof_parts == IofParts::Unrounded {
            prop_assert_eq!(q.iof.base, taxes);
        }
        // Disbursed and assignment amounts.
        let fees = &q.fees;
        prop_assert_eq!(
            q.disbursed_issue_amount,
            issue - q.iof.total - fees.deducted_fee_amount
        );
        prop_assert_eq!(q.assignment_amount, issue + fees.contract_fee_amount);
        // The CET: the NPV at the raw IRR is zero, and the reported figures are its roundings.
        let flows = q.schedule.cet_flows();
        let i = cet::annual_irr(q.disbursed_issue_amount, &flows).expect("irr");
        let npv: f64 = flows
            .iter()
            .map(|f| to_f64(f.amount) * (1.0 + i).powf(-f64::from(f.days) / 365.0))
            .sum::<f64>()
            - to_f64(q.disbursed_issue_amount);
        prop_assert!(
            npv.abs() <= 1e-9 * to_f64(q.disbursed_issue_amount),
            "npv {}",
            npv
        );
        let monthly = (i.ln_1p() / 12.0).exp_m1();
        let unit = 10f64.powi(-(conv.cet_decimals as i32));
        prop_assert!(
            (to_f64(q.cet.monthly) - monthly).abs() <= unit / 2.0 + 1e-12 * (1.0 + monthly.abs())
        );
        if conv.cet == CetDerivation::AnnualIrr {
            let dp = conv.annual_cet_dp().expect("dp");
            let unit = 10f64.powi(-(dp as i32));
            prop_assert!((to_f64(q.cet.annual) - i).abs() <= unit / 2.0 + 1e-12 * (1.0 + i.abs()));
        }
        // The rate printed at its decimals.
        if let Some(dp) = conv.rate_decimals.dp() {
            prop_assert!(q.rate.daily_rate.scale() <= dp);
        }
    }
    // With due dates moved to business days, every row still adds up exactly.
    let mut moving = *conv;
    moving.move_due_dates = true;
    if let Ok(m) = simulate(&terms, &SimulationOptions::new().conventions(moving)) {
        for q in &m.options {
            for i in &q.schedule.installments {
                prop_assert_eq!(
                    i.total_amount,
                    i.principal_amortization_amount + i.pre_fixed_amount
                );
                prop_assert!(crate::support::date(2001, 1, 1) <= i.period.due_date);
                prop_assert!(
                    qitech_sim::calendar::BrazilCalendar::national()
                        .is_business_day(i.period.due_date)
                        .unwrap_or(false)
                );
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 384, ..ProptestConfig::default() })]
    /// Every switch set with every mode, base, system, option days, fees and refinancing: the
    /// schedule invariants hold (total = principal + interest exactly; Σ principal = issue exactly
    /// where the rule quantizes from the issue or the last installment absorbs the residue, within
    /// a cent otherwise) and the CET's NPV is zero at the root the reported figures round.
    #[test]
    fn every_switch_set(c in case()) {
        check(&c)?;
    }
}
