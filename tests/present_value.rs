//! The present value of a contract (`qitech_sim::present_value`): the three properties of QI's
//! present-value inquiry over random face-value loans on the three interest bases — on the
//! disbursement date it is the issue amount, before the first due date the issue grown at the
//! contract rate, just after paying installment k the schedule's balance after k — each within the
//! cent rounding of the figures (half a cent per installment, half a cent of the issue's own
//! rounding), and the overdue charges, the refusals and a contract read from a `debt` response.

use chrono::{Days, NaiveDate};
use proptest::prelude::*;
use qitech_sim::calendar::BrazilCalendar;
use qitech_sim::present_value::{
    Contract, FineConfiguration, InstallmentState, LateInterest, PresentValueOptions, present_value,
};
use qitech_sim::rate::{InterestBase, InterestRate};
use qitech_sim::simulation::effective_rate;
use qitech_sim::{Decimal, ErrorKind, LoanTerms, Quote, SimulationOptions, simulate};

use crate::support::{cases, date, dec};

/// A random face-value loan and its first option, with the contract it yields.
fn loan(
    cents: i64,
    n: u32,
    rate_millionths: i64,
    base: u8,
    start: u32,
    first: u32,
) -> (Quote, Contract) {
    let base = match base {
        0 => InterestBase::CalendarDays,
        1 => InterestBase::CalendarDays365,
        _ => InterestBase::Workdays,
    };
    let rate = InterestRate::monthly(Decimal::new(rate_millionths, 6), base).expect("rate");
    let disbursed = date(2023, 1, 2) + Days::new(u64::from(start));
    let first_due = disbursed + Days::new(u64::from(first));
    let terms = LoanTerms::face_value(Decimal::new(cents, 2), n, rate, disbursed, first_due)
        .expect("terms");
    let options = SimulationOptions::new();
    let sim = simulate(&terms, &options).expect("simulate");
    let rate = effective_rate(&terms, options.get_conventions()).expect("rate");
    let quote = sim.first().clone();
    let contract = Contract::from_quote(&quote, rate);
    (quote, contract)
}

/// Half a cent per discounted installment plus half a cent of the issue's rounding.
fn tolerance(installments: usize) -> Decimal {
    Decimal::new(5, 3) * Decimal::from(installments + 1)
}

/// The growth factor from the disbursement to `d` on the contract's base.
fn growth_to(contract: &Contract, d: NaiveDate) -> Decimal {
    let days = if contract.rate.base().counts_business_days() {
        BrazilCalendar::national()
            .workdays(contract.disbursement_date, d)
            .expect("workdays")
    } else {
        (d - contract.disbursement_date).num_days()
    };
    contract.rate.growth(days as u32).expect("growth")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(96)))]

    /// On the disbursement date the present value is the issue amount.
    #[test]
    fn on_the_disbursement_date_it_is_the_issue(
        cents in 1_000i64..500_000, n in 1u32..60, r in 5_000i64..60_000, base in 0u8..3,
        start in 0u32..2_000, first in 10u32..70,
    ) {
        let (quote, contract) = loan(cents, n, r, base, start, first);
        let pv = present_value(&contract, contract.disbursement_date, &PresentValueOptions::new())
            .expect("present value");
        let diff = (pv.balance_due - quote.schedule.issue_amount).abs();
        prop_assert!(diff <= tolerance(n as usize), "{} vs {}", pv.balance_due, quote.schedule.issue_amount);
    }

    /// Before the first due date the present value is the issue grown at the contract rate.
    #[test]
    fn before_the_first_due_date_it_is_the_issue_grown(
        cents in 1_000i64..500_000, n in 1u32..60, r in 5_000i64..60_000, base in 0u8..3,
        start in 0u32..2_000, first in 10u32..70, along in 0.0f64..1.0,
    ) {
        let (quote, contract) = loan(cents, n, r, base, start, first);
        let offset = ((f64::from(first) * along) as u64).min(u64::from(first) - 1);
        let d = contract.disbursement_date + Days::new(offset);
        let pv = present_value(&contract, d, &PresentValueOptions::new()).expect("present value");
        let g = growth_to(&contract, d);
        let grown = quote.schedule.issue_amount * g;
        let diff = (pv.balance_due - grown).abs();
        prop_assert!(diff <= tolerance(n as usize) * g, "{} vs {grown}", pv.balance_due);
    }

    /// Just after paying installment k (on its due date, `paid` = k) the present value is the
    /// schedule's balance after k (`due_principal` of installment k + 1).
    #[test]
    fn after_paying_k_it_is_the_balance_after_k(
        cents in 1_000i64..500_000, n in 2u32..60, r in 5_000i64..60_000, base in 0u8..3,
        start in 0u32..2_000, first in 10u32..70, pick in 0.0f64..1.0,
    ) {
        let (quote, contract) = loan(cents, n, r, base, start, first);
        let k = 1 + ((f64::from(n - 1) * pick) as usize).min(n as usize - 2);
        let due = contract.installments[k - 1].due_date;
        let pv = present_value(&contract, due, &PresentValueOptions::new().paid(Some(k as u32)))
            .expect("present value");
        let balance = quote.schedule.installments[k].due_principal;
        let diff = (pv.balance_due - balance).abs();
        prop_assert!(diff <= tolerance(n as usize - k), "k {k}: {} vs {balance}", pv.balance_due);
        prop_assert_eq!(pv.installments[k - 1].state, InstallmentState::Paid);
    }
}

/// SIAPE's loan (2 × 100 at 2.05 %, 2023-03-14): 194.80 on the disbursement date, and on
/// 2023-05-01 with installment 1 (due 04-07) unpaid: overdue 24 days. At face value it counts
/// 100; with `calculate_delay` (2 % fine, 1 % a month) 100 + 2.00 + 0.80 simple (0.80 compound);
/// installment 2 is discounted 6 days.
#[test]
fn overdue_installments_with_and_without_delay() {
    let (_, contract) = loan(10_000, 2, 20_500, 0, 71, 24);
    assert_eq!(contract.disbursement_date, date(2023, 3, 14));
    let on = date(2023, 5, 1);
    let unpaid = PresentValueOptions::new().paid(Some(0));
    let plain = present_value(&contract, on, &unpaid).expect("pv");
    assert_eq!(plain.installments[0].state, InstallmentState::Overdue);
    assert_eq!(plain.installments[0].days_late, 24);
    assert_eq!(plain.installments[0].present_amount, dec("100"));
    let g6 = contract.rate.growth(6).expect("growth");
    let second = (dec("100") / g6).round_dp(2);
    assert_eq!(plain.installments[1].present_amount, second);
    assert_eq!(plain.balance_due, dec("100") + second);

    let missing = present_value(&contract, on, &unpaid.calculate_delay(true)).expect_err("no fine");
    assert_eq!(missing.kind(), ErrorKind::Missing);
    let fined = contract
        .clone()
        .with_fine(FineConfiguration::new(dec("0.02"), dec("0.01")));
    let delay = present_value(&fined, on, &unpaid.calculate_delay(true)).expect("pv");
    assert_eq!(delay.installments[0].fine_amount, dec("2.00"));
    assert_eq!(delay.installments[0].late_interest_amount, dec("0.80"));
    assert_eq!(delay.installments[0].present_amount, dec("102.80"));
    let compound = present_value(
        &fined,
        on,
        &unpaid
            .calculate_delay(true)
            .late_interest(LateInterest::Compound),
    )
    .expect("pv");
    assert_eq!(compound.installments[0].late_interest_amount, dec("0.80"));
    // Default: installment 1, due before the date, is paid.
    let default = present_value(&fined, on, &PresentValueOptions::new()).expect("pv");
    assert_eq!(default.balance_due, second);
}

/// `calculate_spread`, a date before the disbursement and a `paid` count beyond the installments
/// are refused, each naming its field.
#[test]
fn refusals_name_their_field() {
    let (_, contract) = loan(10_000, 2, 20_500, 0, 71, 24);
    let o = PresentValueOptions::new();
    let e =
        present_value(&contract, date(2023, 4, 1), &o.calculate_spread(true)).expect_err("spread");
    assert_eq!(
        (e.kind(), e.field()),
        (ErrorKind::Unsupported, Some("calculate_spread"))
    );
    let e = present_value(&contract, date(2023, 3, 13), &o).expect_err("date");
    assert_eq!(e.field(), Some("date"));
    let e = present_value(&contract, date(2023, 4, 1), &o.paid(Some(3))).expect_err("paid");
    assert_eq!(e.field(), Some("paid"));
}

/// The CLI contract of `present-value`: an issuance body and its own `debt` response give the same
/// inquiry (the QI shape: `data.balance_due`, `data.installments[].present_amount`); on the
/// disbursement date the balance is the issue amount; `--paid`, `--calculate-delay` reach the
/// library; `--calculate-spread` and a bad `--date` exit 2 with one line naming the option.
#[test]
fn present_value_cli_contract() {
    use crate::cli::{run, run_ok};
    const REQUEST: &str = "fixtures/siape/simulation_request.json";
    let on_disbursement = run_ok(&["present-value", REQUEST, "--date", "2023-03-14"], None);
    assert_eq!(
        on_disbursement["data"]["balance_due"],
        serde_json::json!(194.8)
    );
    let body = run_ok(
        &[
            "present-value",
            REQUEST,
            "--date",
            "2023-04-20",
            "--compact",
        ],
        None,
    );
    let debt = crate::cli::run_ok(&["debt", REQUEST, "--compact"], None).to_string();
    let from_schedule = run_ok(&["present-value", "-", "--date", "2023-04-20"], Some(&debt));
    assert_eq!(body, from_schedule);
    assert_eq!(
        body["data"]["installments"][0]["installment_status"],
        "paid"
    );
    let wrapped = serde_json::json!({"data": serde_json::from_str::<serde_json::Value>(&debt).expect("json")});
    let from_wrapped = run_ok(
        &["present-value", "-", "--date", "2023-04-20"],
        Some(&wrapped.to_string()),
    );
    assert_eq!(body, from_wrapped);
    let late = run_ok(
        &[
            "present-value",
            REQUEST,
            "--date",
            "2023-05-01",
            "--paid",
            "0",
            "--calculate-delay",
        ],
        None,
    );
    assert_eq!(
        late["data"]["installments"][0]["installment_status"],
        "overdue"
    );
    assert_eq!(
        late["data"]["installments"][0]["fine_amount"],
        serde_json::json!(2)
    );
    let prepaid = run_ok(
        &[
            "present-value",
            REQUEST,
            "--date",
            "2023-04-20",
            "--prepay",
            "50",
            "--keep",
            "term",
        ],
        None,
    );
    assert_eq!(prepaid["data"]["balance_before"], serde_json::json!(98.86));
    assert_eq!(prepaid["data"]["balance_after"], serde_json::json!(48.86));
    assert_eq!(
        prepaid["data"]["installments"].as_array().map(Vec::len),
        Some(1)
    );
    for (args, field) in [
        (
            vec!["--date", "2023-04-20", "--prepay", "500", "--keep", "term"],
            "prepay",
        ),
        (vec!["--date", "2023-04-20", "--prepay", "50"], "--keep"),
        (
            vec!["--date", "2023-05-01", "--calculate-spread"],
            "calculate_spread",
        ),
        (vec!["--date", "2023-13-01"], "--date"),
        (vec!["--date", "2023-05-01", "--paid", "3"], "paid"),
    ] {
        let mut all = vec!["present-value", REQUEST];
        all.extend(args);
        let out = run(&all, None);
        assert_eq!(out.status.code(), Some(2), "{all:?}");
        assert!(out.stdout.is_empty());
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains(field), "{all:?}: {err}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(64)))]

    /// A partial prepayment between two due dates: keeping the term, the same remaining dates
    /// with a lower level installment and an issue of round2(balance − amount); keeping the
    /// installment, the same installment on fewer (or as many) dates with a last one no larger.
    /// Either way the new schedule's issue is the balance after, within a cent per installment.
    #[test]
    fn prepayment_keeps_the_term_or_the_installment(
        cents in 5_000i64..500_000, n in 3u32..60, r in 5_000i64..60_000, base in 0u8..3,
        start in 0u32..2_000, first in 10u32..70, pick in 0.0f64..1.0, share in 0.05f64..0.9,
    ) {
        use qitech_sim::prepayment::{Keep, prepay};
        let (_, contract) = loan(cents, n, r, base, start, first);
        let k = 1 + ((f64::from(n - 2) * pick) as usize).min(n as usize - 2);
        let date = contract.installments[k - 1].due_date + Days::new(1);
        prop_assume!(date < contract.installments[k].due_date);
        let options = PresentValueOptions::new().paid(Some(k as u32));
        let balance = present_value(&contract, date, &options).expect("pv").balance_due;
        let amount = (balance * Decimal::try_from(share).expect("share")).round_dp(2);
        prop_assume!(amount > Decimal::ZERO);
        let level = contract.installments[k].total_amount;
        let remaining = n as usize - k;
        let term = prepay(&contract, date, amount, Keep::Term, &options).expect("term");
        prop_assert_eq!(term.schedule.installments.len(), remaining);
        prop_assert!((term.balance_after - (term.balance_before - amount)).abs() <= tolerance(remaining));
        prop_assert!(term.schedule.installments[0].total_amount < level);
        prop_assert_eq!(term.schedule.installments[0].period.due_date, contract.installments[k].due_date);
        let inst = prepay(&contract, date, amount, Keep::Installment, &options).expect("installment");
        let m = inst.schedule.installments.len();
        prop_assert!(m <= remaining && m >= 1);
        for i in &inst.schedule.installments[..m - 1] {
            prop_assert_eq!(i.total_amount, level);
        }
        prop_assert!(inst.schedule.installments[m - 1].total_amount <= level + Decimal::new(1, 2));
        prop_assert!((inst.balance_after - (inst.balance_before - amount)).abs() <= tolerance(remaining));
    }
}

/// A prepayment of the whole balance, of nothing, or with an installment overdue is refused.
#[test]
fn prepayment_refusals() {
    use qitech_sim::prepayment::{Keep, prepay};
    let (_, contract) = loan(10_000, 12, 20_500, 0, 71, 24);
    let date = contract.installments[2].due_date + Days::new(3);
    let paid = PresentValueOptions::new().paid(Some(3));
    let balance = present_value(&contract, date, &paid)
        .expect("pv")
        .balance_due;
    for amount in [balance, Decimal::ZERO] {
        let e = prepay(&contract, date, amount, Keep::Term, &paid).expect_err("amount");
        assert_eq!(e.field(), Some("prepay"));
    }
    let e = prepay(
        &contract,
        date,
        dec("100"),
        Keep::Term,
        &PresentValueOptions::new().paid(Some(2)),
    )
    .expect_err("overdue");
    assert_eq!(e.field(), Some("date"));
}
