//! Amortization systems (`pre_price`, `pre_sac`), the issue-amount mode, the default first due date
//! and the dated IOF regimes (legal persons, Simples Nacional, the 2020 zero rate).
//!
//! Golden: QI's 2020 `pre_price` sandbox response (`fixtures/qi-examples/anaue-preprice-5000-2020.*`)
//! and the due date of QI's 2026 BNPL issuance (`fixtures/qi-examples/bnpl-issue-2026.*`). Derived:
//! the 12-installment SAC schedule (`fixtures/systems/sac-12-10000-2024.*`), hand-checked below.
//! Properties: every system × mode × base × person type.

use std::path::Path;

use crate::support::{round_cents, round_dp, to_f64};
use chrono::{Days, NaiveDate};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use qitech_sim::api::{self, SimulationRequest, SimulationResponse};
use qitech_sim::cet::{self, Flow};
use qitech_sim::conventions::{Conventions, Profile};
use qitech_sim::iof::{self, IofRule, NaturalPersonIof, PersonType};
use qitech_sim::rate::{InterestBase, InterestRate};
use qitech_sim::schedule::Amortization;
use qitech_sim::simulation::{Amount, FirstDue, LoanTerms};
use qitech_sim::{Decimal, ErrorKind, Quote, SimulationOptions, simulate};
use serde_json::{Value, json};

fn read(path: &str) -> String {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

fn json_file(path: &str) -> Value {
    serde_json::from_str(&read(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

fn dec(s: &str) -> Decimal {
    s.parse().expect("decimal")
}

/// The first quote of a request file under `options`.
fn quote_of(path: &str, options: &SimulationOptions) -> (SimulationRequest, Quote, Value) {
    let req = SimulationRequest::from_json(&read(path), path).expect("request");
    let sim = simulate(&req.terms, options).expect("simulation");
    let response =
        serde_json::to_value(SimulationResponse::new(&req, &sim, options, None)).expect("json");
    (req, sim.first().clone(), response)
}

const PREPRICE_REQUEST: &str = "fixtures/qi-examples/anaue-preprice-5000-2020.request.json";
const PREPRICE_RESPONSE: &str = "fixtures/qi-examples/anaue-preprice-5000-2020.response.json";

/// Fields of QI's 2020 `pre_price` response the crate reproduces exactly, compared as JSON values
/// in `data` (and in `data.disbursement_options[0]` where the crate prints them there too).
const PREPRICE_FIELDS: &[&str] = &[
    "issue_amount",
    "disbursed_issue_amount",
    "disbursement_date",
    "issue_date",
    "credit_operation_type",
    "interest_type",
    "interest_grace_period",
    "principal_grace_period",
    "interest_payment_month_period",
    "principal_amortization_month_period",
    "operation_type",
    "post_fixed_interest_base",
    "post_fixed_interest_rate",
    "prefixed_interest_rate.annual_rate",
    "prefixed_interest_rate.interest_base",
    "iof_amount",
    "installments[0].due_date",
    "installments[0].calendar_days",
    "installments[0].workdays",
    "installments[0].due_principal",
    "installments[0].has_interest",
    "installments[0].installment_number",
    "installments[0].pre_fixed_amount",
    "installments[0].principal_amortization_amount",
    "installments[0].tax_amount",
    "installments[0].total_amount",
    "installments[1].due_date",
    "installments[1].calendar_days",
    "installments[1].workdays",
    "installments[1].due_principal",
    "installments[1].has_interest",
    "installments[1].installment_number",
    "installments[1].pre_fixed_amount",
    "installments[1].principal_amortization_amount",
    "installments[1].tax_amount",
    "installments[1].total_amount",
];

/// Of [`PREPRICE_FIELDS`], the ones that depend on the IOF: reproduced under the dated table only
/// (the 2020 zero rate), not under the fixed natural-person rule.
const PREPRICE_IOF_FIELDS: &[&str] = &[
    "disbursed_issue_amount",
    "iof_amount",
    "installments[0].tax_amount",
    "installments[1].tax_amount",
];

/// Follows a path like `data.installments[1].tax_amount`.
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

/// QI prints `workdays` as a float (22.0), the crate as an integer: the same number.
fn same_number(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

/// QI's 2020 `pre_price` sandbox response, reproduced field by field. Under the dated IOF table
/// (`NaturalPersonIof::Dated`) the disbursement date 2020-08-06 falls in the zero-rate window of
/// Decretos 10.305/10.414/10.504/10.551 (2020-04-03 to 2020-11-26), which is why that sandbox
/// charged no IOF: every listed field matches. Under the default fixed rule the IOF-independent
/// fields still match (the issue-amount mode's schedule does not depend on the IOF).
#[test]
fn preprice_2020_reproduces_qi_fields() {
    let doc = json_file(PREPRICE_RESPONSE);
    for (rule, iof_matches) in [
        (NaturalPersonIof::Dated, true),
        (NaturalPersonIof::Fixed, false),
    ] {
        let options = SimulationOptions::new().natural_person_iof(rule);
        let (_, _, got) = quote_of(PREPRICE_REQUEST, &options);
        let mut failures = vec![];
        for path in PREPRICE_FIELDS {
            if !iof_matches && PREPRICE_IOF_FIELDS.contains(path) {
                continue;
            }
            let want = at(&doc, &format!("data.{path}"));
            let g = at(&got, &format!("data.{path}"));
            if !same_number(want, g) {
                failures.push(format!("{rule:?} data.{path}: expected {want}, got {g}"));
            }
            if path.starts_with("installments") || *path == "issue_amount" {
                let g = at(&got, &format!("data.disbursement_options[0].{path}"));
                if !same_number(want, g) {
                    failures.push(format!(
                        "{rule:?} disbursement_options[0].{path}: expected {want}, got {g}"
                    ));
                }
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }
}

/// The numbers QI prints unrounded, and the CET, computed by the engine: equal to QI's once
/// formatted as QI formats them (the crate's response formats them its own way; see
/// [`preprice_2020_divergences`]).
#[test]
fn preprice_2020_unrounded_rates_and_raw_cet() {
    let doc = json_file(PREPRICE_RESPONSE);
    let options = SimulationOptions::new().natural_person_iof(NaturalPersonIof::Dated);
    let (req, q, _) = quote_of(PREPRICE_REQUEST, &options);
    let m = req.terms.rate.period_rate().expect("monthly");
    let d = req.terms.rate.daily_unrounded().expect("daily");
    let rates = &doc["data"]["prefixed_interest_rate"];
    assert_eq!(to_f64(m), rates["monthly_rate"].as_f64().expect("f64"));
    assert_eq!(to_f64(d), rates["daily_rate"].as_f64().expect("f64"));
    // QI's `cet`: the raw monthly IRR of −5000, +2900.95, +2900.94, as a fraction with 6 decimals.
    let annual = cet::annual_irr(q.disbursed_issue_amount, &q.schedule.cet_flows()).expect("irr");
    let monthly = (annual.ln_1p() / 12.0).exp_m1();
    let monthly6 = round_dp(dec(&format!("{monthly:.12}")), 6);
    assert_eq!(
        to_f64(monthly6),
        doc["data"]["cet"].as_f64().expect("cet"),
        "raw monthly IRR {monthly}"
    );
}

/// What the crate prints differently from QI's 2020 response, each with QI's value and the
/// crate's, printed and pinned (so that a change shows up here):
/// * `prefixed_interest_rate.monthly_rate` / `daily_rate`: the crate prints 8 decimals, QI the
///   unrounded floats (the unrounded values are the engine's, tested above);
/// * `cet`: the crate's monthly-first 4-decimal CET 0.0996, QI the raw monthly IRR 0.099606;
///   `annual_cet`, which QI does not print, is the crate's extension;
/// * `contract_fee_amount` 25 / `assignment_amount` 5025 / `external_contract_fee_amount` and
///   `net_external_contract_fee_amount` 50: that sandbox's partner fees, added to the assignment
///   amount only; the request carries no fees, so under the default configuration the crate prints
///   0 and 5000.
///
/// Under the example's own switches and fees (`anaue-preprice-5000-2020.config.json`: `cet:
/// annual_irr` with 6 decimals, `rate_decimals: unrounded`, an assignment-only contract fee) every
/// one of them is QI's (checked at the end; the whole response in `tests/conventions.rs`).
#[test]
fn preprice_2020_divergences() {
    let doc = json_file(PREPRICE_RESPONSE);
    let options = SimulationOptions::new().natural_person_iof(NaturalPersonIof::Dated);
    let (_, _, got) = quote_of(PREPRICE_REQUEST, &options);
    let pinned: &[(&str, Value)] = &[
        ("prefixed_interest_rate.monthly_rate", json!(0.10516767)),
        ("prefixed_interest_rate.daily_rate", json!(0.0033388)),
        ("cet", json!(0.0996)),
        ("contract_fee_amount", json!(0)),
        ("assignment_amount", json!(5000)),
        ("external_contract_fee_amount", json!(0)),
        ("net_external_contract_fee_amount", json!(0)),
    ];
    for (path, crate_value) in pinned {
        let want = at(&doc, &format!("data.{path}"));
        let g = at(&got, &format!("data.{path}"));
        println!("divergence data.{path}: QI {want}, crate {g}");
        assert!(!same_number(want, g), "{path} no longer diverges: {g}");
        assert!(same_number(crate_value, g), "{path}: crate now prints {g}");
    }
    let config = api::config_from_json(
        &read("fixtures/qi-examples/anaue-preprice-5000-2020.config.json"),
        "config",
    )
    .expect("config");
    let switched = options
        .clone()
        .pricing(config.pricing.clone())
        .conventions(config.conventions(Profile::Qi2023).expect("conventions"));
    let (_, _, got) = quote_of(PREPRICE_REQUEST, &switched);
    for (path, _) in pinned {
        let want = at(&doc, &format!("data.{path}"));
        let g = at(&got, &format!("data.{path}"));
        assert!(
            same_number(want, g),
            "{path} under its switches: QI {want}, crate {g}"
        );
    }
}

/// The default first due date: neither `first_due_date` nor `first_due_date_delay` given.
#[test]
fn default_first_due_date_on_both_qi_examples() {
    let (_, q, _) = quote_of(PREPRICE_REQUEST, &SimulationOptions::new());
    let due: Vec<_> = q
        .schedule
        .installments
        .iter()
        .map(|i| i.period.due_date)
        .collect();
    assert_eq!(due, [date(2020, 9, 8), date(2020, 10, 8)]);
    assert_eq!(q.first_due_date, date(2020, 9, 8));

    let text = read("fixtures/qi-examples/bnpl-issue-2026.request.json");
    let doc = json_file("fixtures/qi-examples/bnpl-issue-2026.response.json");
    let debt = api::debt_json(&text, &SimulationOptions::new()).expect("debt");
    let got = serde_json::to_value(&debt).expect("json");
    for path in [
        "issue_amount",
        "total_iof",
        "disbursed_issue_amount",
        "number_of_installments",
        "installments[0].due_date",
        "installments[0].business_due_date",
        "installments[0].calendar_days",
        "installments[0].total_amount",
        "installments[0].due_principal",
    ] {
        let want = at(&doc, &format!("data.{path}"));
        let g = at(&got, path);
        assert!(same_number(want, g), "{path}: expected {want}, got {g}");
    }
    assert_eq!(got["installments"][1]["due_date"], json!("2026-06-07"));
    // The CET the default profile cannot give (its last installment closes the balance at
    // 543.88): under `qi-v2` the last installment equals the PMT and the CET is QI's.
    assert_eq!(got["cet"], json!("5,8100%"));
    let v2 = SimulationOptions::new().conventions(Conventions::profile(Profile::QiV2));
    let req = SimulationRequest::from_json(&text, "bnpl").expect("request");
    let q = simulate(&req.terms, &v2).expect("qi-v2").first().clone();
    assert_eq!(q.schedule.installments[1].total_amount, dec("543.89"));
    assert_eq!(
        q.cet.monthly_percent().to_string(),
        doc["data"]["cet"].to_string()
    );
    assert_eq!(
        q.cet.annual_percent().to_string(),
        doc["data"]["annual_cet"].to_string()
    );
}

/// `fixtures/systems/sac-12-10000-2024.response.derived.json`: the crate's SAC schedule of 10,000
/// (`amount`) in 12 monthly installments at 2 % a month on `calendar_days`, disbursed 2024-01-15,
/// first due 2024-02-15. QI publishes no SAC numbers; this pins the crate's rule. The first two
/// rows by hand:
///
/// * rates: annual8 = round8(1.02^12 − 1) = 0.26824179, m_eff = 1.26824179^(1/12) − 1 =
///   0.0199999996942…;
/// * principal: round2(10000 / 12) = round2(833.333…) = 833.33 (the last one closes:
///   10000 − 11 × 833.33 = 833.37);
/// * row 1, 31 days (01-15 → 02-15): g − 1 = 1.0199999996942^(31/30) − 1 = 0.0206735112757…;
///   interest = round2(10000 × 0.0206735112757) = round2(206.735112757) = 206.74; total = 833.33 +
///   206.74 = 1040.07; IOF 833.33 × 0.000082 × 31 = 2.11832486;
/// * row 2, 29 days (02-15 → 03-15, 2024 is a leap year): balance 10000 − 833.33 = 9166.67;
///   g − 1 = 1.0199999996942^(29/30) − 1 = 0.0193269325426…; interest = round2(9166.67 ×
///   0.0193269325426) = round2(177.16361273) = 177.16; total = 1010.49; IOF 833.33 × 0.000082 ×
///   60 = 4.0999836.
#[test]
fn sac_12_installments_derived_fixture() {
    let path = "fixtures/systems/sac-12-10000-2024.request.json";
    let (_, q, mut got) = quote_of(path, &SimulationOptions::new());
    let mut want = json_file("fixtures/systems/sac-12-10000-2024.response.derived.json");
    for v in [&mut got, &mut want] {
        if let Value::Object(m) = v {
            m.remove("key");
            m.remove("event_datetime");
        }
    }
    assert_eq!(got, want);
    let rows: Vec<_> = q.schedule.installments.iter().take(2).collect();
    assert_eq!(rows[0].pre_fixed_amount, dec("206.74"));
    assert_eq!(rows[0].total_amount, dec("1040.07"));
    assert_eq!(rows[0].tax_amount, dec("2.11832486"));
    assert_eq!(rows[1].due_principal, dec("9166.67"));
    assert_eq!(rows[1].pre_fixed_amount, dec("177.16"));
    assert_eq!(rows[1].total_amount, dec("1010.49"));
    assert_eq!(rows[1].tax_amount, dec("4.0999836"));
    assert_eq!(
        q.schedule.installments[11].principal_amortization_amount,
        dec("833.37")
    );
}

/// A one-installment SAC loan of `issue` (its principal is the issue exactly), disbursed on `day`
/// and due `days` later, for `person`.
fn single(issue: &str, day: NaiveDate, days: u64, person: PersonType, simples: bool) -> LoanTerms {
    let rate = InterestRate::monthly(dec("0.02"), InterestBase::CalendarDays).expect("rate");
    LoanTerms::with_amount(
        Amount::Issue(dec(issue)),
        1,
        rate,
        day,
        FirstDue::Date(day + Days::new(days)),
    )
    .expect("terms")
    .amortization(Amortization::Sac)
    .borrower(person)
    .simples_nacional(simples)
}

fn iof_total(terms: &LoanTerms, options: &SimulationOptions) -> Result<Decimal, qitech_sim::Error> {
    Ok(simulate(terms, options)?.first().iof.total)
}

/// Each row of the IOF table on a one-installment loan (principal = issue): the IOF is
/// `round2(issue × daily × min(days, 365) + issue × additional)`.
#[test]
fn iof_regimes_by_date() {
    let fixed = SimulationOptions::new();
    let dated = SimulationOptions::new().natural_person_iof(NaturalPersonIof::Dated);
    use PersonType::{Legal, Natural};
    // (disbursement, days, person, simples, issue, expected IOF, options)
    let cases: &[(
        NaiveDate,
        u64,
        PersonType,
        bool,
        &str,
        &str,
        &SimulationOptions,
    )] = &[
        // Decreto 6.306/2007: legal 0.0041 %/day: 10000 × 0.000041 × 30 = 12.30, + 38.00
        (date(2024, 3, 1), 30, Legal, false, "10000", "50.30", &fixed),
        // Simples Nacional up to R$ 30,000: 0.00137 %/day: 4.11 + 38.00
        (date(2024, 3, 1), 30, Legal, true, "10000", "42.11", &fixed),
        // above R$ 30,000 the regular legal rate: 40000 × 0.000041 × 30 = 49.20 + 152.00
        (date(2024, 3, 1), 30, Legal, true, "40000", "201.20", &fixed),
        // 365-day cap: 400 days priced as 365: 10000 × 0.000041 × 365 = 149.65 + 38.00
        (
            date(2024, 3, 1),
            400,
            Legal,
            false,
            "10000",
            "187.65",
            &fixed,
        ),
        // 2020 zero rate (Decretos 10.305, 10.414, 10.504, 10.551)
        (date(2020, 8, 6), 30, Legal, false, "10000", "0.00", &fixed),
        (
            date(2020, 8, 6),
            30,
            Natural,
            false,
            "10000",
            "0.00",
            &dated,
        ),
        // natural persons keep the fixed rule by default: 24.60 + 38.00
        (
            date(2020, 8, 6),
            30,
            Natural,
            false,
            "10000",
            "62.60",
            &fixed,
        ),
        // 2020-11-27 to 12-14: the normal rates again; 12-15 to 12-31 zero (Decreto 10.572)
        (
            date(2020, 12, 1),
            30,
            Legal,
            false,
            "10000",
            "50.30",
            &fixed,
        ),
        (
            date(2020, 12, 20),
            30,
            Legal,
            false,
            "10000",
            "0.00",
            &fixed,
        ),
        // Decreto 10.797/2021: legal 0.00559 %/day (16.77), natural 0.01118 %/day (33.54)
        (
            date(2021, 10, 1),
            30,
            Legal,
            false,
            "10000",
            "54.77",
            &fixed,
        ),
        (
            date(2021, 10, 1),
            30,
            Natural,
            false,
            "10000",
            "71.54",
            &dated,
        ),
        (date(2021, 10, 1), 30, Legal, true, "10000", "42.11", &fixed),
        // Decreto 12.466/2025: legal 0.0082 %/day + 0.95 %: 24.60 + 95.00
        (
            date(2025, 6, 5),
            30,
            Legal,
            false,
            "10000",
            "119.60",
            &fixed,
        ),
        // Simples under 12.466: 0.00274 %/day + 0.95 %: 8.22 + 95.00
        (date(2025, 6, 5), 30, Legal, true, "10000", "103.22", &fixed),
        // Decreto 12.499/2025: legal 0.0082 %/day + 0.38 %: 24.60 + 38.00
        (
            date(2025, 6, 11),
            30,
            Legal,
            false,
            "10000",
            "62.60",
            &fixed,
        ),
        (date(2025, 7, 1), 30, Legal, false, "10000", "62.60", &fixed),
        (date(2026, 4, 7), 30, Legal, true, "10000", "46.22", &fixed),
        // natural persons in 2025 under the dated table: unchanged 0.0082 % + 0.38 %
        (
            date(2025, 5, 25),
            30,
            Natural,
            false,
            "10000",
            "62.60",
            &dated,
        ),
        (
            date(2025, 6, 5),
            30,
            Natural,
            false,
            "10000",
            "62.60",
            &dated,
        ),
    ];
    for (day, days, person, simples, issue, want, options) in cases {
        let terms = single(issue, *day, *days, *person, *simples);
        let got = iof_total(&terms, options).expect("priced");
        assert_eq!(
            got,
            dec(want),
            "{person:?} simples={simples} {day} +{days} {issue}"
        );
    }
}

/// Dates the table cannot price for a legal person are refused, naming `borrower.person_type`
/// and the date.
#[test]
fn iof_refused_dates() {
    let fixed = SimulationOptions::new();
    let dated = SimulationOptions::new().natural_person_iof(NaturalPersonIof::Dated);
    for (day, person, options) in [
        (date(2025, 5, 23), PersonType::Legal, &fixed),
        (date(2025, 5, 31), PersonType::Legal, &fixed),
        (date(2019, 12, 31), PersonType::Legal, &fixed),
        (date(2019, 12, 31), PersonType::Natural, &dated),
    ] {
        let e = iof_total(&single("10000", day, 30, person, false), options).expect_err("refused");
        assert_eq!(e.kind(), ErrorKind::Unsupported, "{e}");
        assert_eq!(e.field(), Some("borrower.person_type"), "{e}");
        assert!(e.to_string().contains(&day.to_string()), "{e}");
    }
    // The same dates are priced for natural persons under the default fixed rule.
    let ok = iof_total(
        &single("10000", date(2019, 12, 31), 30, PersonType::Natural, false),
        &fixed,
    );
    assert_eq!(ok.expect("priced"), dec("62.60"));
}

/// A JSON request built from the SIAPE one with `edit` applied.
fn request_with(edit: impl FnOnce(&mut Value)) -> String {
    let mut v = json_file("fixtures/siape/simulation_request.json");
    edit(&mut v);
    v.to_string()
}

fn reader_error(edit: impl FnOnce(&mut Value)) -> qitech_sim::Error {
    let text = request_with(edit);
    match SimulationRequest::from_json(&text, "request")
        .and_then(|r| simulate(&r.terms, &SimulationOptions::new()).map(|_| ()))
    {
        Ok(()) => panic!("accepted: {text}"),
        Err(e) => e,
    }
}

/// An edit of a request.
type Edit = Box<dyn FnOnce(&mut Value)>;

#[test]
fn reader_systems_person_types_and_amounts() {
    // interest_type echoes the system priced.
    for system in ["pre_price_days", "pre_price", "pre_sac"] {
        let text = request_with(|v| {
            v["financial"]["interest_type"] = json!(system);
            let f = v["financial"].as_object_mut().expect("object");
            f.remove("installment_face_value");
            f.insert("amount".into(), json!(190));
        });
        let r = api::simulate_json(&text, &SimulationOptions::new(), None).expect(system);
        assert_eq!(r.data.interest_type, system);
        assert_eq!(r.data.issue_amount.0, dec("190"));
    }
    // legal persons: borrower.person_type and the v2 issuer_person_type.
    let legal = request_with(|v| v["borrower"]["person_type"] = json!("legal"));
    let v2 = request_with(|v| {
        v.as_object_mut().expect("object").remove("borrower");
        v["issuer_person_type"] = json!("legal");
    });
    let a = SimulationRequest::from_json(&legal, "legal").expect("legal");
    let b = SimulationRequest::from_json(&v2, "v2").expect("v2");
    assert_eq!(a.terms.borrower.person_type, PersonType::Legal);
    assert_eq!(b.terms.borrower.person_type, PersonType::Legal);
    let cases: Vec<(Edit, ErrorKind, &str)> = vec![
        (
            Box::new(|v: &mut Value| v["financial"]["amount"] = json!(100)),
            ErrorKind::Conflict,
            "financial.amount",
        ),
        (
            Box::new(|v: &mut Value| {
                v["financial"]["interest_type"] = json!("pre_sac");
            }),
            ErrorKind::Conflict,
            "financial.installment_face_value",
        ),
        (
            Box::new(|v: &mut Value| v["financial"]["interest_type"] = json!("cdi_plus")),
            ErrorKind::Unsupported,
            "financial.interest_type",
        ),
        (
            Box::new(|v: &mut Value| v["borrower"]["person_type"] = json!("company")),
            ErrorKind::Invalid,
            "borrower.person_type",
        ),
        (
            Box::new(|v: &mut Value| {
                v["borrower"]["person_type"] = json!("natural");
                v["issuer_person_type"] = json!("legal");
            }),
            ErrorKind::Conflict,
            "issuer_person_type",
        ),
        (
            Box::new(|v: &mut Value| v["borrower"]["simples_nacional"] = json!(true)),
            ErrorKind::Conflict,
            "borrower.simples_nacional",
        ),
        (
            Box::new(|v: &mut Value| v["financial"]["principal_grace_period"] = json!(2)),
            ErrorKind::Unsupported,
            "financial.principal_grace_period",
        ),
        (
            Box::new(|v: &mut Value| v["financial"]["interest_grace_period"] = json!(1)),
            ErrorKind::Unsupported,
            "financial.interest_grace_period",
        ),
    ];
    for (edit, kind, field) in cases {
        let e = reader_error(edit);
        assert_eq!((e.kind(), e.field()), (kind, Some(field)), "{e}");
    }
}

/// Issue-amount mode: no gross-up; the IOF and the contract fees reduce the disbursement.
#[test]
fn issue_amount_mode_withholds_iof_and_fees() {
    let pricing =
        api::pricing_from_json(&read("fixtures/siape/pricing.json"), "pricing").expect("pricing");
    let options = SimulationOptions::new().pricing(pricing);
    for system in [
        Amortization::PriceDays,
        Amortization::Price,
        Amortization::Sac,
    ] {
        let rate = InterestRate::monthly(dec("0.0205"), InterestBase::CalendarDays).expect("rate");
        let terms = LoanTerms::with_amount(
            Amount::Issue(dec("1000")),
            6,
            rate,
            date(2024, 3, 14),
            FirstDue::OneMonth,
        )
        .expect("terms")
        .amortization(system);
        let q = simulate(&terms, &options)
            .expect("simulation")
            .first()
            .clone();
        assert_eq!(q.schedule.issue_amount, dec("1000"));
        assert_eq!(
            q.disbursed_issue_amount,
            dec("1000") - q.iof.total - q.fees.contract_fee_amount,
            "{system:?}"
        );
        assert_eq!(q.amortization, system);
    }
}

/// Disbursed-amount mode for SAC and `pre_price`: the gross-up prices each trial issue by the
/// system's own schedule, so the issue found nets the requested amount with that schedule's IOF.
#[test]
fn gross_up_uses_the_systems_schedule() {
    for system in [Amortization::Price, Amortization::Sac] {
        for n in [1, 2, 12, 48] {
            let rate =
                InterestRate::monthly(dec("0.0199"), InterestBase::CalendarDays).expect("rate");
            let terms = LoanTerms::with_amount(
                Amount::Disbursed(dec("5000")),
                n,
                rate,
                date(2024, 5, 10),
                FirstDue::Date(date(2024, 6, 20)),
            )
            .expect("terms")
            .amortization(system);
            let q = simulate(&terms, &SimulationOptions::new())
                .expect("sim")
                .first()
                .clone();
            let s = &q.schedule;
            let own = iof::Iof::new(s.installment_taxes(), s.issue_amount).expect("iof");
            assert_eq!(own, q.iof, "{system:?} n={n}");
            assert!(q.disbursed_issue_amount >= dec("5000"), "{system:?} n={n}");
            // the smallest such cent: one cent less does not reach 5000
            let mut lower = terms.clone();
            lower.amount = Amount::Issue(s.issue_amount - dec("0.01"));
            let l = simulate(&lower, &SimulationOptions::new())
                .expect("sim")
                .first()
                .clone();
            assert!(
                l.disbursed_issue_amount < dec("5000") || q.disbursed_issue_amount == dec("5000")
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Properties: every system × mode × base × person type.

#[derive(Debug, Clone, Copy)]
enum Mode {
    FaceValue,
    Disbursed,
    Issue,
}

#[derive(Debug, Clone)]
struct Case {
    system: Amortization,
    mode: Mode,
    base: InterestBase,
    legal: bool,
    simples: bool,
    cents: i64,
    n: u32,
    rate_bp: i64,
    start: u64,
    first_days: u64,
}

fn case() -> impl Strategy<Value = Case> {
    (
        prop::sample::select(vec![
            Amortization::PriceDays,
            Amortization::Price,
            Amortization::Sac,
        ]),
        prop::sample::select(vec![Mode::FaceValue, Mode::Disbursed, Mode::Issue]),
        prop::sample::select(vec![
            InterestBase::CalendarDays,
            InterestBase::CalendarDays365,
            InterestBase::Workdays,
        ]),
        any::<bool>(),
        any::<bool>(),
        (10_000i64..5_000_000),
        (1u32..=60),
        (10i64..=600),
        // 2020-01-01 .. 2027-12-31, across every regime of the table
        (0u64..2_922),
        (5u64..=60),
    )
        .prop_map(
            |(system, mode, base, legal, simples, cents, n, rate_bp, start, first_days)| Case {
                system,
                mode,
                base,
                legal,
                simples: legal && simples,
                cents,
                n,
                rate_bp,
                start,
                first_days,
            },
        )
}

impl Case {
    fn terms(&self) -> LoanTerms {
        let day = date(2020, 1, 1) + Days::new(self.start);
        let amount = Decimal::new(self.cents, 2);
        let amount = match self.mode {
            // a face value of a hundredth of the amount keeps issue amounts comparable
            Mode::FaceValue => {
                Amount::InstallmentFaceValue(round_cents(amount / Decimal::from(20)))
            }
            Mode::Disbursed => Amount::Disbursed(amount),
            Mode::Issue => Amount::Issue(amount),
        };
        let rate = InterestRate::monthly(Decimal::new(self.rate_bp, 4), self.base).expect("rate");
        LoanTerms::with_amount(
            amount,
            self.n,
            rate,
            day,
            FirstDue::Date(day + Days::new(self.first_days)),
        )
        .expect("terms")
        .amortization(self.system)
        .borrower(if self.legal {
            PersonType::Legal
        } else {
            PersonType::Natural
        })
        .simples_nacional(self.simples)
    }
}

/// Whether an error is one the case may legitimately get: the unsettled legal-person dates, SAC
/// without a face-value mode, or a schedule whose cent roundings repay it early.
fn legitimate(c: &Case, e: &qitech_sim::Error) -> bool {
    (c.legal && e.kind() == ErrorKind::Unsupported && e.field() == Some("borrower.person_type"))
        || (matches!(c.mode, Mode::FaceValue) && c.system == Amortization::Sac)
        || e.field() == Some("financial.number_of_installments")
}

/// Checks the properties of one case; `Ok(false)` when the case is legitimately refused.
fn check(c: &Case) -> Result<bool, TestCaseError> {
    let terms = c.terms();
    let sim = match simulate(&terms, &SimulationOptions::new()) {
        Ok(s) => s,
        Err(e) if legitimate(c, &e) => return Ok(false),
        Err(e) => return Err(TestCaseError::fail(format!("{c:?}: {e}"))),
    };
    let q = sim.first();
    let s = &q.schedule;
    let inst = &s.installments;
    let n = inst.len();
    prop_assert_eq!(n, c.n as usize);
    prop_assert_eq!(q.amortization, c.system);
    let issue = s.issue_amount;
    let principal: Decimal = inst.iter().map(|i| i.principal_amortization_amount).sum();
    // Σ principal = issue, to each system's cent rule.
    match (c.system, c.mode) {
        (Amortization::Price | Amortization::Sac, _) => {
            prop_assert_eq!(principal, issue, "{:?}", c)
        }
        (Amortization::PriceDays, Mode::FaceValue) => {
            prop_assert!(
                (principal - issue).abs() <= dec("0.0051"),
                "{:?}: {}",
                c,
                principal
            )
        }
        (Amortization::PriceDays, _) => {
            prop_assert!(
                (principal - issue).abs() < dec("0.01"),
                "{:?}: {}",
                c,
                principal
            )
        }
    }
    // SAC: principals equal but the last; Price: totals equal but the last (all in face value).
    if n > 1 {
        let head = &inst[..n - 1];
        match c.system {
            Amortization::Sac => prop_assert!(
                head.iter()
                    .all(|i| i.principal_amortization_amount
                        == round_cents(issue / Decimal::from(c.n))),
                "{:?}",
                c
            ),
            _ => prop_assert!(
                head.iter().all(|i| i.total_amount == inst[0].total_amount),
                "{:?}",
                c
            ),
        }
    }
    if matches!(c.mode, Mode::FaceValue) {
        prop_assert!(inst.iter().all(|i| i.total_amount == inst[0].total_amount));
    }
    // IOF within the regime's ceiling: daily × 365 on every positive principal + additional.
    let rule = IofRule::for_loan(terms.borrower, NaturalPersonIof::Fixed, q.disbursement_date)
        .map_err(|e| TestCaseError::fail(format!("{e}")))?;
    prop_assert_eq!(rule, q.iof_rule);
    let rates = rule.rates_for(issue);
    let positive: Decimal = inst
        .iter()
        .map(|i| i.principal_amortization_amount.max(Decimal::ZERO))
        .sum();
    let ceiling =
        round_cents(positive * rates.daily_ceiling_fraction(365) + issue * rates.additional);
    prop_assert!(
        q.iof.total <= ceiling + dec("0.01"),
        "{:?}: {} > {}",
        c,
        q.iof.total,
        ceiling
    );
    prop_assert!(q.iof.total >= Decimal::ZERO);
    // CET: the borrower's flows have zero NPV at the annual IRR.
    if q.disbursed_issue_amount > Decimal::ZERO {
        let flows: Vec<Flow> = s.cet_flows();
        if let Ok(i) = cet::annual_irr(q.disbursed_issue_amount, &flows) {
            let npv: f64 = flows
                .iter()
                .map(|f| to_f64(f.amount) / (1.0 + i).powf(f64::from(f.days) / 365.0))
                .sum::<f64>()
                - to_f64(q.disbursed_issue_amount);
            prop_assert!(
                npv.abs() <= 1e-6 * to_f64(q.disbursed_issue_amount),
                "{:?}: npv {}",
                c,
                npv
            );
        }
    }
    Ok(true)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 384, ..ProptestConfig::default() })]

    #[test]
    fn systems_modes_bases_people(c in case()) {
        let _priced = check(&c)?;
    }
}

/// Every cell of the bases × systems × modes × person matrix, once each (the property test draws
/// them at random; this makes sure none is missed).
#[test]
fn systems_matrix_every_cell() {
    let mut cells = 0;
    let mut priced = 0;
    for system in [
        Amortization::PriceDays,
        Amortization::Price,
        Amortization::Sac,
    ] {
        for mode in [Mode::FaceValue, Mode::Disbursed, Mode::Issue] {
            for base in [
                InterestBase::CalendarDays,
                InterestBase::CalendarDays365,
                InterestBase::Workdays,
            ] {
                for (legal, simples) in [(false, false), (true, false), (true, true)] {
                    let c = Case {
                        system,
                        mode,
                        base,
                        legal,
                        simples,
                        cents: 1_234_567,
                        n: 12,
                        rate_bp: 199,
                        start: 2_000,
                        first_days: 31,
                    };
                    if check(&c).unwrap_or_else(|e| panic!("{c:?}: {e}")) {
                        priced += 1;
                    }
                    cells += 1;
                }
            }
        }
    }
    assert_eq!(cells, 81);
    // all but SAC in face-value mode (no level installment), 3 bases × 3 borrowers
    assert_eq!(priced, 72);
}

/// `pre_price` and `pre_sac` with disbursement options, fees and a refinanced balance, as
/// `pre_price_days`: one option per day, each with its own default first due date, the change net
/// of the refinanced balance.
#[test]
fn systems_with_options_fees_and_refinancing() {
    let pricing =
        api::pricing_from_json(&read("fixtures/siape/pricing.json"), "pricing").expect("pricing");
    let options = SimulationOptions::new().pricing(pricing);
    for system in [Amortization::Price, Amortization::Sac] {
        let rate =
            InterestRate::annual_rate(dec("2.32"), InterestBase::CalendarDays).expect("rate");
        let terms = LoanTerms::with_amount(
            Amount::Issue(dec("5000")),
            2,
            rate,
            date(2020, 8, 6),
            FirstDue::OneMonth,
        )
        .expect("terms")
        .amortization(system)
        .limit_days_to_disburse(3)
        .refinance(qitech_sim::RefinancedOperation::new(dec("1000")).expect("op"));
        let sim = simulate(&terms, &options).expect("simulation");
        assert_eq!(sim.options.len(), 4);
        for q in &sim.options {
            let first =
                qitech_sim::simulation::default_first_due_date(q.disbursement_date).expect("date");
            assert_eq!(q.first_due_date, first, "{system:?}");
            assert_eq!(q.schedule.installments[0].period.due_date, first);
            assert!(q.fees.contract_fee_amount > Decimal::ZERO);
            assert_eq!(
                q.final_disbursement_amount,
                q.disbursed_issue_amount - dec("1000")
            );
        }
    }
}
