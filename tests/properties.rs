//! Property tests over random loans: the invariants of the price-days schedule, the gross-up, the IOF,
//! the CET, the disbursement options and the JSON response (qi-arithmetic.md §1, domain.md decisions
//! 5 and 6).
//!
//! Loans are drawn as plain numbers ([`LoanSpec`]: integer cents, rates in millionths, day offsets),
//! so that a shrunk failing case prints as a short, readable input. They cover both amount modes
//! (installment face value 10.00–5,000.00; disbursed amount 100.00–1,000,000.00), the three interest
//! bases, monthly (0.5–6 %) or annual (the same range, annualised) rates, 1 to 120 installments,
//! disbursement dates 2001-01-01..2078-12-31 with the first due date 1–80 days later (as a date or as
//! a `first_due_date_delay`), `limit_days_to_disburse` 0–5, with and without fees (a percentage TAC,
//! an external spread taxed at 9.25 %, an absolute contract fee) and refinanced balances.
//!
//! The only errors a property accepts are [`Error::CetNoRoot`], the typed rejection of a loan whose
//! fees and IOF leave the borrower nothing (or a CET beyond any float), and, in disbursed-amount
//! mode, the rejection of a loan so small for its term that the cent rounding of the installment
//! leaves no valid last installment. Those cases are skipped with
//! `prop_assume!` and counted (the running count is printed to stderr: `--nocapture` shows it); any
//! other error, and any panic, fails the property.

use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{Days, NaiveDate};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use crate::support::date;
use crate::support::{round_cents, round_dp, round_interest};
use qitech_sim::api::{SimulationRequest, SimulationResponse};
use qitech_sim::cet::{self, Flow};
use qitech_sim::error::Error;
use qitech_sim::fees::{AmountType, FeeRule, Pricing};
use qitech_sim::iof::Iof;
use qitech_sim::rate::{AnnualRate, InterestBase, InterestRate, MonthlyRate, RateInput};
use qitech_sim::schedule::{self, Grid};
use qitech_sim::{
    Amount, FirstDue, LoanTerms, Quote, RefinancedOperation, Simulation, SimulationOptions, quote,
    simulate,
};
use rust_decimal::{Decimal, MathematicalOps};

// ---------------------------------------------------------------------------------------------
// Random loans

/// How the loan's size is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// `installment_face_value`, cents.
    FaceValue,
    /// `disbursed_amount`, cents.
    Disbursed,
}

/// The rate as the request gives it, in millionths (`20_500` = 0.0205).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RateSpec {
    Monthly(i64),
    Annual(i64),
}

/// When the first installment is due, in calendar days after the disbursement date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DueSpec {
    /// `first_due_date` = disbursement date + this many days (the same for every option).
    Date(u32),
    /// `first_due_date_delay` (calendar days, after each option's date).
    Delay(u32),
}

/// A loan as plain numbers: what a failing case prints after shrinking.
#[derive(Debug, Clone)]
struct LoanSpec {
    mode: Mode,
    /// Face value or disbursed amount, in cents.
    cents: i64,
    rate: RateSpec,
    base: InterestBase,
    n: u32,
    disbursement: NaiveDate,
    due: DueSpec,
    limit: u32,
    /// TAC, percentage, in hundredths of a percent unit (`100` = 1 %).
    tac: Option<i64>,
    /// External spread, percentage in hundredths of a percent unit, taxed at 9.25 %.
    spread: Option<i64>,
    /// Absolute contract fee, cents.
    abs_fee: Option<i64>,
    /// Refinanced `due_balance`s, cents.
    refinanced: Vec<i64>,
}

fn first_disbursement() -> NaiveDate {
    date(2001, 1, 1)
}

fn last_disbursement() -> NaiveDate {
    date(2078, 12, 31)
}

fn plus_days(d: NaiveDate, n: u32) -> NaiveDate {
    d.checked_add_days(Days::new(u64::from(n)))
        .expect("date in range")
}

impl LoanSpec {
    fn rate(&self) -> InterestRate {
        let input = match self.rate {
            RateSpec::Monthly(x) => {
                RateInput::Monthly(MonthlyRate::new(Decimal::new(x, 6)).expect("rate"))
            }
            RateSpec::Annual(x) => {
                RateInput::Annual(AnnualRate::new(Decimal::new(x, 6)).expect("rate"))
            }
        };
        InterestRate::new(input, self.base).expect("interest rate")
    }

    fn amount(&self) -> Decimal {
        Decimal::new(self.cents, 2)
    }

    fn terms(&self) -> LoanTerms {
        let mut terms = LoanTerms::with_amount(
            match self.mode {
                Mode::FaceValue => Amount::InstallmentFaceValue(self.amount()),
                Mode::Disbursed => Amount::Disbursed(self.amount()),
            },
            self.n,
            self.rate(),
            self.disbursement,
            match self.due {
                DueSpec::Date(days) => FirstDue::Date(plus_days(self.disbursement, days)),
                DueSpec::Delay(days) => FirstDue::Delay(days),
            },
        )
        .expect("valid terms")
        .limit_days_to_disburse(self.limit);
        terms.refinanced = self
            .refinanced
            .iter()
            .enumerate()
            .map(|(i, &c)| {
                RefinancedOperation::new(Decimal::new(c, 2))
                    .expect("balance")
                    .original_deadline(5 + 30 * u32::try_from(i).expect("small"))
                    .operation_key(format!("op-{i}"))
            })
            .collect();
        terms
    }

    fn pricing(&self) -> Pricing {
        let mut p = Pricing::default();
        if let Some(x) = self.tac {
            p.contract_fees.push(
                FeeRule::new(
                    "contract_fees[0]",
                    "tac",
                    AmountType::Percentage,
                    Decimal::new(x, 2),
                    Decimal::ZERO,
                )
                .expect("tac"),
            );
        }
        if let Some(c) = self.abs_fee {
            p.contract_fees.push(
                FeeRule::new(
                    "contract_fees[1]",
                    "registration",
                    AmountType::Absolute,
                    Decimal::new(c, 2),
                    Decimal::ZERO,
                )
                .expect("absolute fee"),
            );
        }
        if let Some(x) = self.spread {
            p.external_contract_fees.push(
                FeeRule::new(
                    "external_contract_fees[0]",
                    "spread",
                    AmountType::Percentage,
                    Decimal::new(x, 2),
                    Decimal::new(925, 4),
                )
                .expect("spread"),
            );
        }
        p
    }

    fn options(&self) -> SimulationOptions {
        SimulationOptions::new().pricing(self.pricing())
    }
}

fn base_strategy() -> impl Strategy<Value = InterestBase> {
    prop_oneof![
        Just(InterestBase::CalendarDays),
        Just(InterestBase::CalendarDays365),
        Just(InterestBase::Workdays),
    ]
}

/// Monthly 0.5–6 %, or the annual rate of the same range ((1.005)^12 − 1 to (1.06)^12 − 1).
fn rate_strategy() -> impl Strategy<Value = RateSpec> {
    prop_oneof![
        3 => (5_000_i64..=60_000).prop_map(RateSpec::Monthly),
        1 => (61_678_i64..=1_012_197).prop_map(RateSpec::Annual),
    ]
}

fn disbursement_strategy() -> impl Strategy<Value = NaiveDate> {
    let span = (last_disbursement() - first_disbursement()).num_days();
    let span = u32::try_from(span).expect("positive span");
    (0..=span).prop_map(|d| plus_days(first_disbursement(), d))
}

fn due_strategy() -> impl Strategy<Value = DueSpec> {
    prop_oneof![
        3 => (1_u32..=80).prop_map(DueSpec::Date),
        1 => (1_u32..=80).prop_map(DueSpec::Delay),
    ]
}

/// Installments: any count from 1 to 120, with extra weight on short loans (the personal-credit
/// bridge has one).
fn installments_strategy() -> impl Strategy<Value = u32> {
    prop_oneof![1 => 1_u32..=3, 3 => 1_u32..=120]
}

prop_compose! {
    fn fees_strategy()(
        tac in proptest::option::of(0_i64..=500),
        spread in proptest::option::of(0_i64..=500),
        abs_fee in proptest::option::of(0_i64..=50_000),
    ) -> (Option<i64>, Option<i64>, Option<i64>) {
        (tac, spread, abs_fee)
    }
}

prop_compose! {
    fn loan_strategy_with(mode: Mode, cents: std::ops::RangeInclusive<i64>)(
        cents in cents,
        rate in rate_strategy(),
        base in base_strategy(),
        n in installments_strategy(),
        disbursement in disbursement_strategy(),
        due in due_strategy(),
        limit in 0_u32..=5,
        fees in prop_oneof![1 => Just((None, None, None)), 2 => fees_strategy()],
        refinanced in proptest::collection::vec(0_i64..=10_000_000, 0..=2),
    ) -> LoanSpec {
        LoanSpec {
            mode,
            cents,
            rate,
            base,
            n,
            disbursement,
            due,
            limit,
            tac: fees.0,
            spread: fees.1,
            abs_fee: fees.2,
            refinanced,
        }
    }
}

/// Face-value loans: 10.00–5,000.00 per installment (a third of them below 100.00, where fixed fees
/// weigh most).
fn face_value_loan() -> impl Strategy<Value = LoanSpec> {
    prop_oneof![
        1 => loan_strategy_with(Mode::FaceValue, 1_000..=10_000),
        2 => loan_strategy_with(Mode::FaceValue, 1_000..=500_000),
    ]
}

/// Disbursed-amount loans: 100.00–1,000,000.00 (a third of them below 10,000.00, where fixed fees
/// weigh most).
fn disbursed_loan() -> impl Strategy<Value = LoanSpec> {
    prop_oneof![
        1 => loan_strategy_with(Mode::Disbursed, 10_000..=1_000_000),
        2 => loan_strategy_with(Mode::Disbursed, 10_000..=100_000_000),
    ]
}

/// Either mode.
fn any_loan() -> impl Strategy<Value = LoanSpec> {
    prop_oneof![face_value_loan(), disbursed_loan()]
}

// ---------------------------------------------------------------------------------------------
// Running the engine

/// Legitimately rejected loans, per property (printed as they are counted).
static REJECTED: [AtomicU64; 8] = [const { AtomicU64::new(0) }; 8];

/// Whether `e` is the fees' refusal of a loan they leave nothing to disburse
/// ([`qitech_sim::fees::Pricing::charge`], [`qitech_sim::fees::Fees::check_disbursed`]): a contract
/// fee reaching the issue amount, or the contract fees and the IOF together.
fn refused_by_the_fees(e: &Error) -> bool {
    e.field()
        .is_some_and(|f| f == "contract_fees" || f.starts_with("contract_fees["))
}

/// Runs `simulate`. A [`Error::CetNoRoot`] (or the fees' refusal, [`refused_by_the_fees`])
/// rejects the case (counted under `property`) when
/// [`cet_rejection_is_legitimate`] confirms it; any other error fails the case.
fn run(spec: &LoanSpec, property: usize) -> Result<Simulation, TestCaseError> {
    match simulate(&spec.terms(), &spec.options()) {
        Ok(sim) => Ok(sim),
        Err(e) if matches!(e, Error::CetNoRoot { .. }) || refused_by_the_fees(&e) => {
            cet_rejection_is_legitimate(spec, &e)?;
            let n = REJECTED[property].fetch_add(1, Ordering::Relaxed) + 1;
            eprintln!("property {property}: legitimate rejection #{n}: {e}; {spec:?}");
            Err(TestCaseError::reject(format!("{e}")))
        }
        // Disbursed-amount mode, small loan, many installments: the cent rounding of the level
        // installment repays the loan before the last one (domain.md decision 5 has no valid last
        // installment); the engine rejects it, naming the installment count.
        Err(e @ Error::InvalidField { .. })
            if matches!(spec.mode, Mode::Disbursed)
                && spec.n > 1
                && e.to_string()
                    .starts_with("financial.number_of_installments: too many installments for") =>
        {
            let n = REJECTED[property].fetch_add(1, Ordering::Relaxed) + 1;
            eprintln!("property {property}: legitimate rejection #{n}: {e}; {spec:?}");
            Err(TestCaseError::reject(format!("{e}")))
        }
        Err(e) => Err(TestCaseError::fail(format!("unexpected error: {e}"))),
    }
}

/// A monthly CET from which on the annual figure `(1 + cet)^12 − 1` leaves `Decimal`'s range
/// (about 7.9e28, reached near 261 a month): 20,000 % a month, fees out of all proportion to a loan
/// of a few days.
const CET_BEYOND_DECIMAL: f64 = 200.0;

/// Whether a CET error of `simulate` is a legitimate rejection: re-prices every option the way the
/// simulation does and requires each one to be fine, or to leave the borrower nothing
/// (`disbursed_issue_amount ≤ 0`), or to have a CET beyond what `Decimal` holds. A schedule with a
/// non-positive installment, or a CET error on an ordinary loan, fails the case.
fn cet_rejection_is_legitimate(spec: &LoanSpec, e: &Error) -> Result<(), TestCaseError> {
    let terms = spec.terms();
    let pricing = spec.pricing();
    let mut without_cet = 0;
    for offset in 0..=spec.limit {
        let date = plus_days(spec.disbursement, offset);
        let first_due = match terms.first_due {
            FirstDue::Date(d) if offset > 0 && d <= date => continue,
            FirstDue::Date(d) => d,
            FirstDue::Delay(days) => plus_days(date, days),
            FirstDue::OneMonth => qitech_sim::simulation::default_first_due_date(date)
                .map_err(|x| TestCaseError::fail(format!("first due: {x}")))?,
        };
        let periods = schedule::periods(date, first_due, spec.n)
            .map_err(|x| TestCaseError::fail(format!("periods: {x}")))?;
        let grid = Grid::new(&terms.rate, periods)
            .map_err(|x| TestCaseError::fail(format!("grid: {x}")))?;
        let (s, iof) = match terms.amount {
            Amount::InstallmentFaceValue(f) => {
                let s = schedule::face_value(&grid, f)
                    .map_err(|x| TestCaseError::fail(format!("face_value: {x}")))?;
                let iof = Iof::new(s.installment_taxes(), s.issue_amount)
                    .map_err(|x| TestCaseError::fail(format!("iof: {x}")))?;
                (s, iof)
            }
            Amount::Disbursed(d) => qitech_sim::simulation::gross_up(&grid, d, &pricing)
                .map_err(|x| TestCaseError::fail(format!("gross_up: {x}")))?,
            Amount::Issue(i) => {
                let s = schedule::from_issue(&grid, i)
                    .map_err(|x| TestCaseError::fail(format!("from_issue: {x}")))?;
                let iof = Iof::new(s.installment_taxes(), i)
                    .map_err(|x| TestCaseError::fail(format!("iof: {x}")))?;
                (s, iof)
            }
        };
        if let Some(bad) = s
            .installments
            .iter()
            .find(|i| i.total_amount <= Decimal::ZERO)
        {
            return Err(TestCaseError::fail(format!(
                "{e}: option {date}, installment {} of {} has total_amount {} \
                 (issue {}, due_principal {}, first installment {})",
                bad.period.number,
                s.installments.len(),
                bad.total_amount,
                s.issue_amount,
                bad.due_principal,
                s.installments[0].total_amount,
            )));
        }
        let disbursed =
            s.issue_amount - pricing.contract_total(s.issue_amount).expect("fees") - iof.total;
        if disbursed <= Decimal::ZERO {
            without_cet += 1;
            continue;
        }
        let flows: Vec<Flow> = s
            .installments
            .iter()
            .map(|i| Flow {
                days: i.period.days_from_disbursement,
                amount: i.total_amount,
            })
            .collect();
        match cet::annual_irr(disbursed, &flows) {
            Ok(i) if (i.ln_1p() / 12.0).exp_m1() < CET_BEYOND_DECIMAL => {
                if let Err(x) = cet::solve(disbursed, &flows) {
                    return Err(TestCaseError::fail(format!(
                        "{e}: option {date} (disbursed {disbursed}) has a monthly CET of \
                         {}, yet cet::solve fails: {x}",
                        (i.ln_1p() / 12.0).exp_m1()
                    )));
                }
            }
            _ => without_cet += 1,
        }
    }
    if without_cet == 0 {
        return Err(TestCaseError::fail(format!(
            "{e}, yet every option re-prices with an ordinary CET"
        )));
    }
    Ok(())
}

/// The grid (periods and growth factors) a quote was priced on.
fn grid_of(terms: &LoanTerms, q: &Quote) -> Grid {
    let periods = schedule::periods(
        q.disbursement_date,
        q.first_due_date,
        terms.number_of_installments,
    )
    .expect("periods of a priced quote");
    Grid::new(&terms.rate, periods).expect("grid of a priced quote")
}

fn cent() -> Decimal {
    Decimal::new(1, 2)
}

/// The net the borrower receives on an issue amount: `I − contract fees(I) − round2(IOF(I))`, priced
/// independently of the gross-up (`schedule::from_issue` + `Iof::new` + `Pricing::contract_total`).
fn net_of_issue(grid: &Grid, pricing: &Pricing, issue: Decimal) -> Decimal {
    let s = schedule::from_issue(grid, issue).expect("schedule of a positive issue");
    let iof = Iof::new(s.installment_taxes(), issue).expect("iof");
    issue - pricing.contract_total(issue).expect("fees") - iof.total
}

// ---------------------------------------------------------------------------------------------
// Invariants shared by several properties

/// Property 1 on one quote (face-value mode, face value `f`).
///
/// The issue amount is `round2(PV)` with `PV = F · Σ 1/G_k` unrounded; the principals are 10-dp and
/// the last one is `round10` of the remaining unrounded balance, so the rounding errors do not
/// accumulate: **Σ principal_k = round10(PV) exactly**, and therefore
/// `|Σ principal_k − issue_amount| = |round10(PV) − round2(PV)| ≤ 0.005` (no `n·1e-10` term).
fn check_face_value(terms: &LoanTerms, q: &Quote, f: Decimal) -> Result<(), TestCaseError> {
    let grid = grid_of(terms, q);
    let s = &q.schedule;
    prop_assert_eq!(s.installments.len(), grid.periods().len());
    let pv = f * grid.discount_sum();
    prop_assert_eq!(s.issue_amount, round_cents(pv), "issue = round2(PV)");
    let sum: Decimal = s
        .installments
        .iter()
        .map(|i| i.principal_amortization_amount)
        .sum();
    prop_assert_eq!(sum, round_interest(pv), "Σ principal = round10(PV)");
    prop_assert!(
        (sum - s.issue_amount).abs() <= Decimal::new(5, 3),
        "|Σ principal − issue| = |{} − {}| > 0.005",
        sum,
        s.issue_amount
    );
    let mut due = s.issue_amount;
    for (k, i) in s.installments.iter().enumerate() {
        prop_assert_eq!(i.period, grid.periods()[k]);
        prop_assert_eq!(
            i.due_principal,
            due,
            "due_principal of installment {}",
            k + 1
        );
        prop_assert_eq!(i.total_amount, f, "total of installment {} = F", k + 1);
        prop_assert_eq!(
            i.principal_amortization_amount + i.pre_fixed_amount,
            i.total_amount,
            "principal + interest = total, installment {}",
            k + 1
        );
        prop_assert!(i.pre_fixed_amount.normalize().scale() <= 10);
        prop_assert!(i.principal_amortization_amount.normalize().scale() <= 10);
        due -= i.principal_amortization_amount;
    }
    // What is left after the last installment is the rounding of the issue.
    prop_assert_eq!(due, s.issue_amount - sum);
    Ok(())
}

/// Property 2 on one quote (disbursed-amount mode, requested `disbursed`).
fn check_disbursed(
    terms: &LoanTerms,
    pricing: &Pricing,
    q: &Quote,
    disbursed: Decimal,
) -> Result<(), TestCaseError> {
    let grid = grid_of(terms, q);
    let s = &q.schedule;
    let issue = s.issue_amount;
    let n = s.installments.len();
    prop_assert_eq!(n, grid.periods().len());
    prop_assert!(
        issue.normalize().scale() <= 2,
        "issue {} is not in cents",
        issue
    );

    // The gross-up (domain.md decision 5).
    let net = net_of_issue(&grid, pricing, issue);
    prop_assert_eq!(
        net,
        q.disbursed_issue_amount,
        "net(issue) is what the quote reports"
    );
    prop_assert!(
        net >= disbursed,
        "net({}) = {} < disbursed {}",
        issue,
        net,
        disbursed
    );
    // Smallest: an exact issue has no smaller exact cent next to it; an inexact one (no cent
    // satisfies the equation) has no smaller cent reaching the target.
    for k in 1..=3_i64 {
        let lower = issue - Decimal::from(k) * cent();
        if lower > Decimal::ZERO {
            let nl = net_of_issue(&grid, pricing, lower);
            if net == disbursed {
                prop_assert_ne!(
                    nl,
                    disbursed,
                    "issue {} is not the smallest exact solution: {} is one too",
                    issue,
                    lower
                );
            } else {
                prop_assert!(
                    nl < disbursed,
                    "issue {} is not the smallest: net({}) = {} reaches {}",
                    issue,
                    lower,
                    nl,
                    disbursed
                );
            }
        }
    }
    if net != disbursed {
        // No exact cent solution may exist (checked next to the issue, where any would be).
        for k in 1..=3_i64 {
            let upper = issue + Decimal::from(k) * cent();
            let nu = net_of_issue(&grid, pricing, upper);
            prop_assert_ne!(
                nu,
                disbursed,
                "issue {} overshoots (net {}) although {} is an exact solution",
                issue,
                net,
                upper
            );
        }
    }

    // The schedule.
    let pmt = round_cents(issue / grid.discount_sum());
    let mut due = issue;
    let mut sum = Decimal::ZERO;
    for (k, i) in s.installments.iter().enumerate() {
        prop_assert_eq!(i.period, grid.periods()[k]);
        prop_assert_eq!(
            i.due_principal,
            due,
            "due_principal of installment {}",
            k + 1
        );
        prop_assert_eq!(
            i.principal_amortization_amount + i.pre_fixed_amount,
            i.total_amount,
            "principal + interest = total, installment {}",
            k + 1
        );
        if k + 1 < n {
            prop_assert_eq!(
                i.total_amount,
                pmt,
                "installment {} = round2(I / Σ 1/G)",
                k + 1
            );
        } else {
            prop_assert_eq!(
                i.total_amount,
                round_cents(i.due_principal + i.pre_fixed_amount),
                "the last installment closes the balance"
            );
        }
        due -= i.principal_amortization_amount;
        sum += i.principal_amortization_amount;
    }
    // Σ principal misses the issue only by the cent rounding of the last installment.
    prop_assert!(
        (sum - issue).abs() <= Decimal::new(5, 3) + Decimal::new(1, 15),
        "|Σ principal − issue| = |{} − {}| > 0.005",
        sum,
        issue
    );
    Ok(())
}

/// Identities every quote satisfies, whatever the mode: fees, disbursed, assignment, change.
fn check_amounts(terms: &LoanTerms, pricing: &Pricing, q: &Quote) -> Result<(), TestCaseError> {
    let issue = q.schedule.issue_amount;
    let contract = pricing.contract_total(issue).expect("fees");
    prop_assert_eq!(q.fees.contract_fee_amount, contract);
    for f in &q.fees.external {
        prop_assert_eq!(
            f.tax_amount,
            round_cents(f.rule.tax_rate * f.fee_amount),
            "external fee tax"
        );
        prop_assert_eq!(f.net_fee_amount, f.fee_amount - f.tax_amount);
    }
    prop_assert_eq!(q.disbursed_issue_amount, issue - q.iof.total - contract);
    prop_assert_eq!(q.assignment_amount, issue + contract);
    let refinanced: Decimal = terms.refinanced.iter().map(|r| r.due_balance).sum();
    prop_assert_eq!(q.refinanced_total, refinanced);
    prop_assert_eq!(
        q.final_disbursement_amount,
        q.disbursed_issue_amount - refinanced
    );
    Ok(())
}

/// Property 3 on one quote: the IOF.
///
/// Each `tax_amount` is `max(principal, 0) × 0.000082 × min(days, 365)` **exactly** (which is the
/// ceiling the regulation allows, so `0 ≤ tax ≤ ceiling` holds with equality at the top);
/// `additional = 0.0038 × issue` exactly; `iof_amount = round2(Σ tax + additional)`.
fn check_iof(q: &Quote) -> Result<(), TestCaseError> {
    let daily = Decimal::new(82, 6);
    let mut sum = Decimal::ZERO;
    for i in &q.schedule.installments {
        let days = Decimal::from(i.period.days_from_disbursement.min(365));
        // The regulation's rate over the period, times the principal (evaluated in that order, as
        // a 28-digit unrounded principal makes the product's last digit depend on it).
        let ceiling = i.principal_amortization_amount.max(Decimal::ZERO) * (daily * days);
        prop_assert!(
            i.tax_amount >= Decimal::ZERO,
            "negative tax {}",
            i.tax_amount
        );
        prop_assert!(
            i.tax_amount <= ceiling,
            "tax {} above the ceiling {}",
            i.tax_amount,
            ceiling
        );
        prop_assert_eq!(
            i.tax_amount,
            ceiling,
            "tax of installment {}",
            i.period.number
        );
        sum += i.tax_amount;
    }
    prop_assert_eq!(q.iof.base, sum);
    prop_assert_eq!(
        q.iof.additional,
        Decimal::new(38, 4) * q.schedule.issue_amount
    );
    prop_assert_eq!(q.iof.total, round_cents(sum + q.iof.additional));
    Ok(())
}

/// Property 4 on one quote: the CET.
fn check_cet(terms: &LoanTerms, q: &Quote) -> Result<(), TestCaseError> {
    let flows: Vec<Flow> = q
        .schedule
        .installments
        .iter()
        .map(|i| Flow {
            days: i.period.days_from_disbursement,
            amount: i.total_amount,
        })
        .collect();
    let i = cet::annual_irr(q.disbursed_issue_amount, &flows)
        .map_err(|e| TestCaseError::fail(format!("the quote has a CET but annual_irr: {e}")))?;
    prop_assert!(i.is_finite() && i > -1.0);
    let p: f64 = q.disbursed_issue_amount.to_string().parse().expect("f64");
    let log = i.ln_1p();
    let npv = flows.iter().fold(-p, |acc, f| {
        let a: f64 = f.amount.to_string().parse().expect("f64");
        acc + a * (-(f64::from(f.days) / 365.0) * log).exp()
    });
    prop_assert!(
        npv.abs() <= 1e-9 * p,
        "NPV at the solver's rate {} is {} (disbursed {})",
        i,
        npv,
        p
    );
    // The reported figures come from that rate: monthly rounded to 4 dp, annual compounded from it.
    let monthly = (log / 12.0).exp_m1();
    let reported: f64 = q.cet.monthly.to_string().parse().expect("f64");
    prop_assert!(
        (reported - monthly).abs() <= 0.00005 + 1e-12,
        "cet {} vs raw monthly {}",
        reported,
        monthly
    );
    prop_assert_eq!(q.cet.monthly, round_dp(q.cet.monthly, 4));
    prop_assert_eq!(
        q.cet.annual,
        (Decimal::ONE + q.cet.monthly).powu(12) - Decimal::ONE
    );
    // IOF (always > 0: the additional 0.38 %) and fees only add to the cost of the loan: the CET is
    // at least the rate of the same flows against the whole issue amount.
    let costs = q.iof.total + q.fees.contract_fee_amount;
    if costs > Decimal::ZERO {
        let bare = cet::annual_irr(q.schedule.issue_amount, &flows)
            .map_err(|e| TestCaseError::fail(format!("annual_irr on the issue amount: {e}")))?;
        let bare_monthly = (bare.ln_1p() / 12.0).exp_m1();
        prop_assert!(
            reported >= bare_monthly - 0.0001,
            "monthly CET {} below the loan's own rate {} − 0.0001",
            reported,
            bare_monthly
        );
        // On the calendar bases the contract rate accrues on every calendar day, at least as fast
        // as the CET's 365-day clock, so the CET is at least the contract's monthly rate. (Not on
        // `workdays`: interest accrues on business days only, 252 a year, and a period with fewer,
        // such as a Carnival week, accrues less than the monthly rate says.)
        if terms.rate.base() != InterestBase::Workdays {
            let contract_monthly = terms.rate.display().monthly_rate;
            prop_assert!(
                q.cet.monthly >= contract_monthly - Decimal::new(1, 4),
                "monthly CET {} below the contract rate {} − 0.0001",
                q.cet.monthly,
                contract_monthly
            );
        }
    }
    Ok(())
}

fn config(cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(cases);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

// ---------------------------------------------------------------------------------------------
// The properties

proptest! {
    #![proptest_config(config(256))]

    /// Property 1: in face-value mode every installment is `F`, `principal + interest = total`
    /// exactly, `due_principal` steps down by each principal exactly from the rounded issue, and
    /// `Σ principal = round10(PV)` exactly, so `|Σ principal − issue| ≤ 0.005`.
    #[test]
    fn face_value_schedule_closes_on_the_unrounded_present_value(spec in face_value_loan()) {
        let sim = run(&spec, 1)?;
        let terms = spec.terms();
        for q in &sim.options {
            check_face_value(&terms, q, spec.amount())?;
            check_amounts(&terms, &spec.pricing(), q)?;
        }
    }

    /// Property 2: in disbursed-amount mode the issue is the smallest cent whose net
    /// (`issue − contract fees − iof`) reaches the requested amount, exactly when a cent solution
    /// exists; every installment but the last is `round2(I / Σ 1/G)`, the last closes the balance,
    /// `principal + interest = total`, and `|Σ principal − issue| ≤ 0.005 (< 0.01)`.
    #[test]
    fn disbursed_amount_gross_up_is_the_smallest_cent_reaching_the_net(spec in disbursed_loan()) {
        let sim = run(&spec, 2)?;
        let terms = spec.terms();
        let pricing = spec.pricing();
        for q in &sim.options {
            check_disbursed(&terms, &pricing, q, spec.amount())?;
            check_amounts(&terms, &pricing, q)?;
        }
    }

    /// Property 3: every `tax_amount` is `max(principal, 0) × 0.000082 × min(days, 365)` (so
    /// `0 ≤ tax ≤` that ceiling), `additional = 0.0038 × issue` and `iof = round2(Σ tax + additional)`.
    #[test]
    fn iof_is_the_capped_daily_tax_plus_the_additional_rounded_once(spec in any_loan()) {
        let sim = run(&spec, 3)?;
        for q in &sim.options {
            check_iof(q)?;
        }
    }

    /// Property 4: the solver's annual rate zeroes the NPV of the borrower's flows (exponent
    /// days/365) within 1e-9 of the disbursed amount; the monthly CET is that rate's monthly figure
    /// rounded to 4 dp, the annual one is compounded from it; with IOF or fees the monthly CET is at
    /// least the rate of the same flows on the whole issue amount − 0.0001 and, on the calendar
    /// bases, at least the contract's monthly rate − 0.0001. On `workdays` the contract-rate bound
    /// is false (10,000.00 at 6 % disbursed 2025-02-28, due 2025-03-06 across Carnival: 2 business
    /// days in 6 calendar days, CET 0.0512).
    #[test]
    fn cet_zeroes_the_npv_and_is_not_below_the_loan_rate(spec in any_loan()) {
        let sim = run(&spec, 4)?;
        let terms = spec.terms();
        for q in &sim.options {
            check_cet(&terms, q)?;
        }
    }

    /// Property 5a: with the same first due date, a later disbursement date never lowers the issue
    /// amount in face-value mode (the installments are closer, so their present value is higher:
    /// the SIAPE re-run of qi-arithmetic.md §7 gives 194.80 / 194.93 / 195.07 / 195.20).
    #[test]
    fn later_disbursement_never_lowers_the_face_value_issue(
        spec in face_value_loan(),
        days in 6_u32..=80,
        limit in 1_u32..=5,
    ) {
        let spec = LoanSpec { due: DueSpec::Date(days), limit, ..spec };
        let sim = run(&spec, 5)?;
        prop_assert_eq!(sim.options.len(), limit as usize + 1);
        for w in sim.options.windows(2) {
            prop_assert!(w[0].disbursement_date < w[1].disbursement_date);
            prop_assert_eq!(w[0].first_due_date, w[1].first_due_date);
            prop_assert!(
                w[1].schedule.issue_amount >= w[0].schedule.issue_amount,
                "issue on {} is {} but on {} it is {}",
                w[1].disbursement_date,
                w[1].schedule.issue_amount,
                w[0].disbursement_date,
                w[0].schedule.issue_amount
            );
        }
    }

    /// Property 5b: the first option of a simulation with limit L is the single option of the same
    /// simulation with limit 0, and every option is the quote of its own date.
    #[test]
    fn more_options_never_change_the_first_one(spec in any_loan()) {
        let sim = run(&spec, 6)?;
        let single = run(&LoanSpec { limit: 0, ..spec.clone() }, 6)?;
        prop_assert_eq!(single.options.len(), 1);
        prop_assert_eq!(sim.first(), single.first());
        prop_assert_eq!(sim.first().disbursement_date, spec.disbursement);
        let terms = spec.terms();
        let options = spec.options();
        for q in &sim.options {
            let alone = quote(&terms, q.disbursement_date, &options)
                .map_err(|e| TestCaseError::fail(format!("quote of an option: {e}")))?;
            prop_assert_eq!(q, &alone);
        }
    }

    /// Property 6: a long first period (75–80 days, 2–6 % a month, 60–120 installments) makes the
    /// first principal negative; its IOF is zero and the schedule still closes (properties 1–3).
    #[test]
    fn negative_amortization_keeps_the_schedule_closed_and_untaxed(
        spec in any_loan(),
        days in 75_u32..=80,
        monthly in 20_000_i64..=60_000,
        n in 60_u32..=120,
    ) {
        let spec = LoanSpec {
            due: DueSpec::Date(days),
            rate: RateSpec::Monthly(monthly),
            n,
            ..spec
        };
        let sim = run(&spec, 7)?;
        let terms = spec.terms();
        let pricing = spec.pricing();
        let q = sim.first();
        let first = &q.schedule.installments[0];
        prop_assert!(
            first.principal_amortization_amount < Decimal::ZERO,
            "first principal {} is not negative",
            first.principal_amortization_amount
        );
        prop_assert!(first.pre_fixed_amount > first.total_amount);
        prop_assert_eq!(first.tax_amount, Decimal::ZERO);
        match spec.mode {
            Mode::FaceValue => check_face_value(&terms, q, spec.amount())?,
            Mode::Disbursed => check_disbursed(&terms, &pricing, q, spec.amount())?,
        }
        check_iof(q)?;
        check_amounts(&terms, &pricing, q)?;
    }
}

proptest! {
    #![proptest_config(config(128))]

    /// Property 7: a `SimulationResponse` serialised with serde_json and read back equals itself.
    #[test]
    fn simulation_response_survives_a_json_round_trip(spec in any_loan()) {
        let sim = run(&spec, 0)?;
        let mut request = SimulationRequest::from_terms(spec.terms());
        request.requester_key = Some("partner-key".into());
        let response = SimulationResponse::new(
            &request,
            &sim,
            &SimulationOptions::new(),
            Some("2024-01-02 03:04:05".into()),
        );
        let text = serde_json::to_string(&response).expect("serialise");
        let back: SimulationResponse = serde_json::from_str(&text)
            .map_err(|e| TestCaseError::fail(format!("read back: {e}\n{text}")))?;
        prop_assert_eq!(&back, &response);
        // The batch writer prints the same bytes as serde_json.
        let fast = String::from_utf8(response.to_json_bytes()).expect("utf-8");
        prop_assert_eq!(fast, text);
    }
}
