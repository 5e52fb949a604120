//! Refinancing from the old loan's contract (`refinanced_credit_operations[].contract`, issue #23):
//! each disbursement option refinances the contract's present value on its date (on the settlement
//! date under `refinancing_settlement: clt_7_business_days`), the same quote as the balance typed
//! in; the change, the shortfall and the target-change inverse work with it; the nested contract
//! is read with the outer body's options and its errors name the nested path.

use qitech_sim::api::{PortabilityQuery, Service, contract_from_value};
use qitech_sim::calendar::BrazilCalendar;
use qitech_sim::conventions::{Conventions, RefinancingSettlement};
use qitech_sim::portability::min_face_value_for_change;
use qitech_sim::present_value::{Contract, PresentValueOptions, present_value};
use qitech_sim::simulation::RefinancedOperation;
use qitech_sim::{Decimal, ErrorKind, NaiveDate, SimulationOptions, simulate};
use serde_json::{Value, json};

use crate::support::{date, dec, json as fixture};

const REQUEST: &str = "fixtures/surface/refinanced_contract.request.json";
const CLT: &str = "fixtures/surface/refinanced_contract_clt.config.json";

/// The fixture's request, and the old loan's issuance body in it.
fn request() -> (Value, Value) {
    let v = fixture(REQUEST);
    let contract = v["refinanced_credit_operations"][0]["contract"].clone();
    (v, contract)
}

/// The simulation response of `body` through `service`, as JSON without the key.
fn simulate_value(service: &Service, body: &Value) -> Result<Value, qitech_sim::Error> {
    let r = service.simulate(body)?;
    let mut v = serde_json::to_value(r).expect("json");
    v.as_object_mut().expect("object").remove("key");
    Ok(v)
}

/// The present value the crate computes for the old loan on `on`, under `service`'s options.
fn balance(service: &Service, contract: &Value, on: NaiveDate) -> Decimal {
    let pv = service
        .present_value(contract, on, &PresentValueOptions::new())
        .expect("present value");
    pv.data.balance_due.0
}

/// `body` with the contract replaced by a typed `due_balance`, one disbursement option.
fn typed(body: &Value, due_balance: Decimal) -> Value {
    let mut v = body.clone();
    let op = &mut v["refinanced_credit_operations"][0];
    op.as_object_mut().expect("op").remove("contract");
    op["due_balance"] = serde_json::from_str(&due_balance.to_string()).expect("number");
    v
}

/// One disbursement option: the request's date.
fn one_option(mut v: Value) -> Value {
    v["financial"]["limit_days_to_disburse"] = json!(0);
    v
}

#[test]
fn a_contract_quote_equals_the_quote_of_its_present_value_typed_in() {
    let (body, contract) = request();
    for (service, settle) in [
        (Service::new(), 0),
        (
            Service::new()
                .config_json(&crate::support::read(CLT), CLT)
                .expect("config"),
            7,
        ),
    ] {
        let body = one_option(body.clone());
        let on = BrazilCalendar::national()
            .add_business_days(date(2023, 3, 14), settle)
            .expect("date");
        let b = balance(&service, &contract, on);
        let from_contract = simulate_value(&service, &body).expect("contract");
        let from_balance = simulate_value(&service, &typed(&body, b)).expect("typed");
        assert_eq!(
            from_contract, from_balance,
            "settled {settle} business days after"
        );
        // The echoed due_balance is the computed balance, not zero.
        assert_eq!(
            from_contract["data"]["refinanced_credit_operations"][0]["due_balance"].to_string(),
            b.to_string()
        );
    }
}

/// The CLT switch values the contract 7 business days after each option's date; a typed
/// `due_balance` is unchanged by it.
#[test]
fn the_clt_switch_moves_the_contract_valuation_only() {
    let (body, _) = request();
    let clt = Service::new()
        .config_json(&crate::support::read(CLT), CLT)
        .expect("config");
    let plain = simulate_value(&Service::new(), &body).expect("plain");
    let moved = simulate_value(&clt, &body).expect("clt");
    let change = |v: &Value| v["data"]["final_disbursement_amount"].to_string();
    // Later valuation, larger balance, smaller change.
    assert!(dec(&change(&moved)) < dec(&change(&plain)));
    let typed_body = typed(&body, dec("1500.00"));
    assert_eq!(
        simulate_value(&Service::new(), &typed_body).expect("typed"),
        simulate_value(&clt, &typed_body).expect("typed under clt")
    );
    // The switch on the engine: 2023-03-14 + 7 business days = 2023-03-23.
    assert_eq!(
        RefinancingSettlement::Clt7BusinessDays
            .settlement_date(date(2023, 3, 14))
            .expect("date"),
        date(2023, 3, 23)
    );
}

/// The old loan's contract as the library reads it.
fn old_contract(options: &SimulationOptions) -> Contract {
    let (_, contract) = request();
    contract_from_value(&contract, "contract", options).expect("contract")
}

/// Each option's balance is the contract's present value on that option's date: four dates, four
/// balances.
#[test]
fn each_option_refinances_the_present_value_on_its_date() {
    let options = SimulationOptions::new();
    let contract = old_contract(&options);
    let (body, _) = request();
    let mut terms = qitech_sim::api::SimulationRequest::from_value_in(&body, &options)
        .expect("request")
        .terms;
    let sim = simulate(&terms, &options).expect("simulate");
    assert_eq!(sim.options.len(), 4);
    let mut balances = vec![];
    for q in &sim.options {
        let pv =
            present_value(&contract, q.disbursement_date, &PresentValueOptions::new()).expect("pv");
        assert_eq!(q.refinanced_balances, [pv.balance_due]);
        assert_eq!(
            q.final_disbursement_amount,
            q.disbursed_issue_amount - pv.balance_due
        );
        balances.push(pv.balance_due);
    }
    balances.dedup();
    assert_eq!(balances.len(), 4, "{balances:?}");
    // The same operation built in Rust.
    terms.refinanced = vec![RefinancedOperation::from_contract(contract.clone())];
    assert_eq!(simulate(&terms, &options).expect("typed"), sim);
    // Under the CLT switch, the balance of the 2023-03-14 option is the PV on 2023-03-23.
    let mut conventions = Conventions::default();
    conventions.refinancing_settlement = RefinancingSettlement::Clt7BusinessDays;
    let clt = options.conventions(conventions);
    let moved = simulate(&terms, &clt).expect("clt");
    let pv = present_value(&contract, date(2023, 3, 23), &PresentValueOptions::new()).expect("pv");
    assert_eq!(moved.first().refinanced_balances, [pv.balance_due]);
}

/// A small new loan does not cover the old contract: the option's shortfall is the difference.
#[test]
fn a_contract_larger_than_the_new_loan_is_a_shortfall() {
    let (mut body, contract) = request();
    body["financial"]["installment_face_value"] = json!(50);
    body["financial"]["number_of_installments"] = json!(12);
    let body = one_option(body);
    let service = Service::new();
    let v = simulate_value(&service, &body).expect("shortfall");
    let b = balance(&service, &contract, date(2023, 3, 14));
    let disbursed = dec(&v["data"]["disbursed_issue_amount"].to_string());
    assert_eq!(
        dec(&v["data"]["shortfall_amount"].to_string()),
        b - disbursed
    );
    assert_eq!(
        dec(&v["data"]["final_disbursement_amount"].to_string()),
        disbursed - b
    );
}

/// The target-change inverse on a loan refinancing a contract: the smallest installment whose
/// change reaches the target, to the cent.
#[test]
fn the_target_change_inverse_prices_the_contract_balance() {
    let options = SimulationOptions::new();
    let (body, _) = request();
    let terms = qitech_sim::api::SimulationRequest::from_value_in(&one_option(body), &options)
        .expect("request")
        .terms;
    let target = dec("1000.00");
    let f = min_face_value_for_change(&terms, target, &options).expect("inverse");
    let change = |face: Decimal| {
        let mut t = terms.clone();
        t.amount = qitech_sim::Amount::InstallmentFaceValue(face);
        simulate(&t, &options)
            .expect("simulate")
            .first()
            .final_disbursement_amount
    };
    assert!(change(f) >= target, "{f}");
    assert!(change(f - dec("0.01")) < target, "{f}");
}

/// The refusals: a contract and a due_balance together (conflict); neither (missing); an
/// operation_key alone (unsupported); a nested unknown key or bad value, named by its nested
/// path; a body read without the pricing options.
#[test]
fn refusals_name_the_nested_path() {
    let service = Service::new();
    let (body, _) = request();
    let op = |f: &dyn Fn(&mut Value)| {
        let mut v = body.clone();
        f(&mut v["refinanced_credit_operations"][0]);
        service.simulate(&v).expect_err("refused")
    };
    let e = op(&|o| o["due_balance"] = json!(100));
    assert_eq!(e.kind(), ErrorKind::Conflict);
    assert_eq!(
        e.field(),
        Some("refinanced_credit_operations[0].due_balance")
    );
    let e = op(&|o| o["monthly_interest_rate"] = json!(0.01));
    assert_eq!(e.kind(), ErrorKind::Conflict);
    let e = op(&|o| {
        o.as_object_mut().expect("op").remove("contract");
    });
    assert_eq!(e.kind(), ErrorKind::Unsupported);
    assert_eq!(
        e.field(),
        Some("refinanced_credit_operations[0].due_balance")
    );
    let e = op(&|o| *o = json!({}));
    assert_eq!(e.kind(), ErrorKind::Missing);
    let e = op(&|o| o["contract"]["financial"]["numbr_of_installments"] = json!(3));
    assert_eq!(e.kind(), ErrorKind::Invalid);
    assert_eq!(
        e.field(),
        Some("refinanced_credit_operations[0].contract.financial.numbr_of_installments")
    );
    let e = op(&|o| o["contract"]["financial"]["number_of_installments"] = json!(0));
    assert_eq!(
        e.field(),
        Some("refinanced_credit_operations[0].contract.financial.number_of_installments")
    );
    // A debt-response schedule: its fields are named under the contract too.
    let e = op(&|o| o["contract"] = json!({"data": {"installments": []}}));
    assert_eq!(
        e.field(),
        Some("refinanced_credit_operations[0].contract.data.installments")
    );
    // An old loan disbursed after the new one.
    let e = op(&|o| {
        o["contract"]["financial"]["disbursement_date"] = json!("2023-03-15");
        o["contract"]["financial"]["first_due_date"] = json!("2023-04-15");
    });
    assert_eq!(e.field(), Some("refinanced_credit_operations[0].contract"));
    // Unknown keys inside the contract follow the outer read options.
    let mut v = body.clone();
    v["refinanced_credit_operations"][0]["contract"]["financial"]["not_a_qi_key"] = json!(1);
    assert!(
        service
            .clone()
            .allow_unknown_fields(true)
            .simulate(&v)
            .is_ok()
    );
    // Read without options: refused, not priced at a zero balance.
    let e = qitech_sim::api::SimulationRequest::from_value(&body).expect_err("no options");
    assert_eq!(e.kind(), ErrorKind::Unsupported);
}

/// The nested contract is priced under the outer configuration: a product base of
/// `calendar_days_365` changes the old loan's schedule and so its balance.
#[test]
fn the_contract_is_read_with_the_outer_options() {
    let (body, contract) = request();
    let config = r#"{"conventions": {"interest_base": "calendar_days_365"}}"#;
    let service = Service::new()
        .config_json(config, "config")
        .expect("config");
    let body = one_option(body);
    let b = balance(&service, &contract, date(2023, 3, 14));
    assert_ne!(b, balance(&Service::new(), &contract, date(2023, 3, 14)));
    let v = simulate_value(&service, &body).expect("simulate");
    assert_eq!(
        v["data"]["refinanced_credit_operations"][0]["due_balance"].to_string(),
        b.to_string()
    );
}

/// A portability whose old loan is given by its contract: the bridge pays off the contract's
/// present value on the bridge's disbursement date, the same chain (and the same inverses) as
/// that balance typed in as `outstanding_balance`.
#[test]
fn portability_from_the_old_contract_equals_its_present_value_typed_in() {
    let service = Service::new();
    let (_, contract) = request();
    let mut body = fixture("fixtures/airforce/portability.json");
    body["installment_face_value"] = json!(150);
    body["number_of_installments"] = json!(24);
    let b = balance(&service, &contract, date(2023, 3, 17));
    let mut typed_body = body.clone();
    typed_body["outstanding_balance"] = serde_json::from_str(&b.to_string()).expect("number");
    let mut from_contract = body.clone();
    from_contract
        .as_object_mut()
        .expect("object")
        .remove("outstanding_balance");
    from_contract["contract"] = contract.clone();
    for query in [
        PortabilityQuery::Plain,
        PortabilityQuery::TargetChange(dec("500")),
        PortabilityQuery::InstallmentsRange(12, 36),
    ] {
        let got = service
            .portability(&from_contract, query)
            .expect("contract");
        let want = service.portability(&typed_body, query).expect("typed");
        assert_eq!(got, want, "{query:?}");
    }
    // Both, or neither: refused naming the field.
    let mut both = from_contract.clone();
    both["outstanding_balance"] = json!(100);
    let e = service
        .portability(&both, PortabilityQuery::Plain)
        .expect_err("both");
    assert_eq!(e.kind(), ErrorKind::Conflict);
    assert_eq!(e.field(), Some("outstanding_balance"));
    let mut bad = from_contract.clone();
    bad["contract"]["financial"]["number_of_installments"] = json!(0);
    let e = service
        .portability(&bad, PortabilityQuery::Plain)
        .expect_err("nested");
    assert_eq!(e.field(), Some("contract.financial.number_of_installments"));
}
