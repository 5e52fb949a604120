//! Exactness of the fast paths, against a slow reference that computes QI's formulas the way Python
//! `decimal` does (qi-arithmetic.md §1): every growth factor a fractional power `(1+m_eff)^(t/30)`
//! (rust_decimal's `powd`), the present value a sum of divisions `Σ F/(1+m_eff)^(t_k/30)`, the IOF
//! and totals straight from their definitions, the CET by bisection. The reference is written here
//! from the formulas alone: it uses nothing of the crate's schedule, IOF, CET or `num` code, only
//! its calendar (`BrazilCalendar::workdays`, `following`) for the business-day counts.
//!
//! The crate's fast path (one daily factor raised to integer powers, running discounts, 128/192-bit
//! kernels for rust_decimal's operations, `f64` shortcuts for 8-decimal rates and the CET) must give
//! the same issue amounts, 10-decimal interest and principal, taxes, IOF totals, fees, disbursed
//! amounts and CETs on thousands of seeded random loans: the three interest bases, monthly and
//! annual rates, face-value and disbursed-amount modes, 1–120 installments, up to four
//! disbursement options. The kernels themselves are checked bit for bit (value and scale) against
//! rust_decimal on random operands by the crate's own tests (`num`'s, the module being private).
//!
//! Run with `cargo test --release exactness -- --nocapture` to see the counts.

use chrono::{Days, NaiveDate};
use qitech_sim::api;
use qitech_sim::calendar::BrazilCalendar;
use qitech_sim::rate::{AnnualRate, InterestBase, InterestRate, MonthlyRate, RateInput};
use qitech_sim::{Amount, FirstDue, LoanTerms, Quote, SimulationOptions, simulate};
use rust_decimal::{Decimal, MathematicalOps, RoundingStrategy};

use crate::support::{dec, to_f64};

// ---------------------------------------------------------------------------------------------
// Seeded randomness (xorshift64*: reproducible, no dependency).

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }

    fn chance(&mut self, one_in: u64) -> bool {
        self.next().is_multiple_of(one_in)
    }
}

// ---------------------------------------------------------------------------------------------
// The reference: QI's formulas with Python-like decimal powers.

fn half_even(x: Decimal, dp: u32) -> Decimal {
    x.round_dp_with_strategy(dp, RoundingStrategy::MidpointNearestEven)
}

/// `x^e` for a fractional `e`, as Python's `x ** e` at 28 digits (rust_decimal's `powd`).
fn pow(x: Decimal, e: Decimal) -> Decimal {
    x.checked_powd(e).expect("reference power")
}

/// The rate of one loan as the reference sees it.
struct RefRate {
    base: InterestBase,
    /// `annual8` (monthly input) or the annual input.
    annual: Decimal,
    /// `1 + m_eff`, `m_eff = (1+annual8)^(1/12) − 1` (calendar_days).
    month: Decimal,
    /// The 8-decimal daily rate of `workdays`.
    daily_252: Decimal,
    /// The printed monthly and daily rates.
    monthly_rate: Decimal,
    daily_rate: Decimal,
}

impl RefRate {
    fn new(input: &Input, base: InterestBase) -> RefRate {
        let one = Decimal::ONE;
        let annual = match *input {
            Input::Monthly(m) => half_even(pow(one + m, Decimal::from(12)) - one, 8),
            Input::Annual(a) => a,
        };
        let month = pow(one + annual, one / Decimal::from(12));
        let daily_252 = half_even(pow(one + annual, one / Decimal::from(252)) - one, 8);
        let monthly_rate = match *input {
            Input::Monthly(m) => m,
            Input::Annual(a) => half_even(pow(one + a, one / Decimal::from(12)) - one, 8),
        };
        let daily_rate = match base {
            InterestBase::Workdays => daily_252,
            InterestBase::CalendarDays365 => {
                half_even(pow(one + annual, one / Decimal::from(365)) - one, 8)
            }
            _ => half_even(pow(one + monthly_rate, one / Decimal::from(30)) - one, 8),
        };
        RefRate {
            base,
            annual,
            month,
            daily_252,
            monthly_rate,
            daily_rate,
        }
    }

    /// Growth over `days` base days, each factor a fresh power as Python computes it.
    fn growth(&self, days: u32) -> Decimal {
        let d = Decimal::from(days);
        match self.base {
            InterestBase::CalendarDays => pow(self.month, d / Decimal::from(30)),
            InterestBase::CalendarDays365 => {
                pow(Decimal::ONE + self.annual, d / Decimal::from(365))
            }
            InterestBase::Workdays => pow(Decimal::ONE + self.daily_252, d),
        }
    }
}

/// One installment's dates and day counts, from the documented rules.
struct RefPeriod {
    due: NaiveDate,
    business_due: NaiveDate,
    calendar_days: u32,
    workdays: u32,
    /// Calendar days from the disbursement.
    t: u32,
    /// Business days from the disbursement.
    w: u32,
}

fn ref_periods(d0: NaiveDate, first: NaiveDate, n: u32) -> Vec<RefPeriod> {
    let cal = BrazilCalendar::national();
    let mut out = Vec::new();
    let mut prev = d0;
    for k in 0..n {
        let due = first
            .checked_add_months(chrono::Months::new(k))
            .expect("due date");
        let days = |a: NaiveDate, b: NaiveDate| u32::try_from((b - a).num_days()).expect("days");
        let wd = |a: NaiveDate, b: NaiveDate| {
            u32::try_from(cal.workdays(a, b).expect("workdays")).expect("workdays")
        };
        out.push(RefPeriod {
            due,
            business_due: cal.following(due).expect("following"),
            calendar_days: days(prev, due),
            workdays: wd(prev, due),
            t: days(d0, due),
            w: wd(d0, due),
        });
        prev = due;
    }
    out
}

/// One reference installment.
struct RefInstallment {
    due_principal: Decimal,
    interest: Decimal,
    principal: Decimal,
    tax: Decimal,
    total: Decimal,
}

struct RefSchedule {
    issue: Decimal,
    installments: Vec<RefInstallment>,
    iof_total: Decimal,
}

fn ref_tax(principal: Decimal, t: u32) -> Decimal {
    if principal <= Decimal::ZERO {
        return Decimal::ZERO;
    }
    principal * dec("0.000082") * Decimal::from(t.min(365))
}

fn ref_iof_total(installments: &[RefInstallment], issue: Decimal) -> Decimal {
    let taxes: Decimal = installments.iter().map(|i| i.tax).sum();
    half_even(taxes + dec("0.0038") * issue, 2)
}

/// The factors of a schedule: per period `g_k`, and from the disbursement `G_k`.
struct RefFactors {
    period: Vec<Decimal>,
    cumulative: Vec<Decimal>,
}

fn ref_factors(rate: &RefRate, periods: &[RefPeriod]) -> RefFactors {
    let business = rate.base == InterestBase::Workdays;
    RefFactors {
        period: periods
            .iter()
            .map(|p| {
                rate.growth(if business {
                    p.workdays
                } else {
                    p.calendar_days
                })
            })
            .collect(),
        cumulative: periods
            .iter()
            .map(|p| rate.growth(if business { p.w } else { p.t }))
            .collect(),
    }
}

/// Face-value mode: `PV = Σ F/G_k`, interest `round10(bal·(g_k − 1))`, the last closes the balance.
fn ref_face_value(f: Decimal, periods: &[RefPeriod], factors: &RefFactors) -> RefSchedule {
    let pv: Decimal = factors.cumulative.iter().map(|g| f / *g).sum();
    let issue = half_even(pv, 2);
    let n = periods.len();
    let mut bal = pv;
    let mut due_principal = issue;
    let mut installments = Vec::new();
    for (k, p) in periods.iter().enumerate() {
        let (interest, principal) = if k + 1 == n {
            let principal = half_even(bal, 10);
            (f - principal, principal)
        } else {
            let interest = half_even(bal * (factors.period[k] - Decimal::ONE), 10);
            (interest, f - interest)
        };
        installments.push(RefInstallment {
            due_principal,
            interest,
            principal,
            tax: ref_tax(principal, p.t),
            total: f,
        });
        bal -= principal;
        due_principal -= principal;
    }
    let iof_total = ref_iof_total(&installments, issue);
    RefSchedule {
        issue,
        installments,
        iof_total,
    }
}

/// A schedule from an issue amount: `round2(I / Σ 1/G_k)` a month, interest on the balance, the last
/// installment `round2(bal·g_n)`.
fn ref_from_issue(issue: Decimal, periods: &[RefPeriod], factors: &RefFactors) -> RefSchedule {
    let s: Decimal = factors.cumulative.iter().map(|g| Decimal::ONE / *g).sum();
    let pmt = half_even(issue / s, 2);
    let n = periods.len();
    let mut bal = issue;
    let mut installments = Vec::new();
    for (k, p) in periods.iter().enumerate() {
        let interest = bal * (factors.period[k] - Decimal::ONE);
        let total = if k + 1 == n {
            half_even(bal + interest, 2)
        } else {
            pmt
        };
        let principal = total - interest;
        installments.push(RefInstallment {
            due_principal: bal,
            interest,
            principal,
            tax: ref_tax(principal, p.t),
            total,
        });
        bal -= principal;
    }
    let iof_total = ref_iof_total(&installments, issue);
    RefSchedule {
        issue,
        installments,
        iof_total,
    }
}

/// Contract fees as configured in [`PRICINGS`]: percent of the issue, or BRL.
fn ref_contract_fees(pricing: usize, issue: Decimal) -> Decimal {
    match pricing {
        1 => half_even(issue / Decimal::ONE_HUNDRED, 2),
        2 => dec("15.50") + half_even(dec("0.025") * issue, 2),
        3 => dec("15.50"),
        _ => Decimal::ZERO,
    }
}

/// The gross-up as documented: the smallest cent issue whose net `I − fees − IOF` reaches the
/// disbursed amount, searched up then down by cents from the linear estimate.
fn ref_gross_up(
    disbursed: Decimal,
    pricing: usize,
    periods: &[RefPeriod],
    factors: &RefFactors,
) -> Option<RefSchedule> {
    let cent = dec("0.01");
    let disbursed = half_even(disbursed, 2);
    let price = |issue: Decimal| {
        let s = ref_from_issue(issue, periods, factors);
        let net = issue - ref_contract_fees(pricing, issue) - s.iof_total;
        (net, s)
    };
    let (net0, _) = price(disbursed);
    if net0 <= Decimal::ZERO {
        return None;
    }
    let mut issue = half_even(disbursed * disbursed / net0, 2).max(cent);
    let mut cur = price(issue);
    while cur.0 < disbursed {
        issue += half_even(disbursed - cur.0, 2).max(cent);
        cur = price(issue);
    }
    while issue > cent {
        let lower = price(issue - cent);
        if lower.0 < disbursed {
            break;
        }
        issue -= cent;
        cur = lower;
    }
    Some(cur.1)
}

/// The CET by bisection on `x = ln(1+i)` (Res. CMN 3.517: exponent days/365), then QI's quantization:
/// `round4((1+i)^(1/12) − 1)` half-even, and `(1 + cet)^12 − 1`.
fn ref_cet(disbursed: Decimal, flows: &[(u32, Decimal)]) -> Option<(Decimal, f64)> {
    let p: f64 = disbursed.to_string().parse().ok()?;
    let fl: Vec<(f64, f64)> = flows
        .iter()
        .map(|(d, a)| {
            (
                f64::from(*d) / 365.0,
                a.to_string().parse().unwrap_or(f64::NAN),
            )
        })
        .collect();
    let npv = |x: f64| fl.iter().map(|(t, a)| a * (-x * t).exp()).sum::<f64>() - p;
    let (mut lo, mut hi) = (-0.99_f64, 20.0_f64);
    if p.is_nan() || p <= 0.0 || npv(lo) <= 0.0 || npv(hi) >= 0.0 {
        return None;
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if npv(mid) > 0.0 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let monthly_f = (0.5 * (lo + hi) / 12.0).exp_m1();
    let monthly = half_even(format!("{monthly_f}").parse().ok()?, 4);
    let annual = pow(Decimal::ONE + monthly, Decimal::from(12)) - Decimal::ONE;
    Some((monthly, annual.to_string().parse().ok()?))
}

// ---------------------------------------------------------------------------------------------
// Random loans.

#[derive(Debug, Clone, Copy)]
enum Input {
    Monthly(Decimal),
    Annual(Decimal),
}

#[derive(Debug, Clone)]
struct Loan {
    face_value: bool,
    amount: Decimal,
    n: u32,
    input: Input,
    base: InterestBase,
    d0: NaiveDate,
    first: Option<NaiveDate>,
    delay: u32,
    limit: u32,
    pricing: usize,
}

/// The contract fees of each pricing index, in QI's configuration format.
const PRICINGS: [&str; 4] = [
    r#"{}"#,
    r#"{"contract_fees":[{"fee_type":"tac","amount_type":"percentage","amount":1}],
        "external_contract_fees":[{"fee_type":"spread","amount_type":"percentage","amount":1,"tax_rate":0.0925}]}"#,
    r#"{"contract_fees":[{"fee_type":"tac","amount_type":"absolute","amount":15.5},
        {"fee_type":"x","amount_type":"percentage","amount":2.5}]}"#,
    r#"{"contract_fees":[{"fee_type":"tac","amount_type":"absolute","amount":15.5}]}"#,
];

fn random_loan(r: &mut Rng, face_value: bool) -> Loan {
    let n = if face_value {
        match r.next() % 20 {
            0..=7 => r.range(1, 12),
            8..=14 => r.range(13, 48),
            15..=18 => r.range(49, 96),
            _ => r.range(97, 120),
        }
    } else {
        match r.next() % 3 {
            0 => 1,
            1 => r.range(2, 12),
            _ => r.range(13, 24),
        }
    } as u32;
    let amount = if face_value {
        Decimal::new(r.range(1_000, 500_000) as i64, 2)
    } else if r.chance(3) {
        Decimal::new(r.range(5_000_000, 9_000_000) as i64, 2)
    } else {
        Decimal::new(r.range(10_000, 5_000_000) as i64, 2)
    };
    let input = if r.chance(2) {
        Input::Monthly(Decimal::new(r.range(30, 600) as i64, 4))
    } else {
        Input::Annual(Decimal::new(r.range(3_000, 120_000) as i64, 5))
    };
    let base = [
        InterestBase::CalendarDays,
        InterestBase::CalendarDays365,
        InterestBase::Workdays,
    ][(r.next() % 3) as usize];
    let d0 = NaiveDate::from_ymd_opt(2022, 1, 1).expect("date") + Days::new(r.range(0, 1_400));
    let first = (!r.chance(4)).then(|| d0 + Days::new(r.range(5, 70)));
    Loan {
        face_value,
        amount,
        n,
        input,
        base,
        d0,
        first,
        delay: r.range(1, 40) as u32,
        limit: if r.chance(4) { r.range(1, 3) as u32 } else { 0 },
        pricing: (r.next() % 4) as usize,
    }
}

fn terms(loan: &Loan) -> LoanTerms {
    let input = match loan.input {
        Input::Monthly(m) => RateInput::Monthly(MonthlyRate::new(m).expect("rate")),
        Input::Annual(a) => RateInput::Annual(AnnualRate::new(a).expect("rate")),
    };
    LoanTerms::with_amount(
        if loan.face_value {
            Amount::InstallmentFaceValue(loan.amount)
        } else {
            Amount::Disbursed(loan.amount)
        },
        loan.n,
        InterestRate::new(input, loan.base).expect("rate"),
        loan.d0,
        match loan.first {
            Some(d) => FirstDue::Date(d),
            None => FirstDue::Delay(loan.delay),
        },
    )
    .expect("valid terms")
    .limit_days_to_disburse(loan.limit)
}

// ---------------------------------------------------------------------------------------------
// Comparison.

#[derive(Default)]
struct Tally {
    loans: usize,
    options: usize,
    values: usize,
    /// Of which 10-decimal interest and principal values (face-value mode).
    ten_decimal: usize,
    mismatches: usize,
    /// Loans rejected because fees and IOF take the whole amount (the reference agreeing).
    rejected: usize,
    /// The first few mismatches, described.
    examples: Vec<String>,
}

impl Tally {
    fn check<T: PartialEq + std::fmt::Debug>(&mut self, what: &str, fast: T, reference: T) {
        self.values += 1;
        if fast != reference {
            self.fail(format!("{what}: fast {fast:?}, reference {reference:?}"));
        }
    }

    fn fail(&mut self, what: String) {
        self.mismatches += 1;
        if self.examples.len() < 20 {
            self.examples.push(what);
        }
    }
}

/// Compares one quote with the reference: in face-value mode the 10-decimal interest and principal
/// and the taxes as decimals; in disbursed-amount mode, where they are unrounded 28-digit values,
/// as the floats QI prints. Cents (issue, totals, IOF, disbursed amount) and the CET always exactly.
fn compare(t: &mut Tally, loan: &Loan, rate: &RefRate, q: &Quote) {
    let ctx = format!("{loan:?} option {}", q.disbursement_date);
    let periods = ref_periods(q.disbursement_date, q.first_due_date, loan.n);
    let factors = ref_factors(rate, &periods);
    let reference = if loan.face_value {
        ref_face_value(loan.amount, &periods, &factors)
    } else {
        match ref_gross_up(loan.amount, loan.pricing, &periods, &factors) {
            Some(s) => s,
            None => {
                t.fail(format!("{ctx}: reference gross-up failed"));
                return;
            }
        }
    };
    t.options += 1;
    let s = &q.schedule;
    t.check(&format!("{ctx} issue"), s.issue_amount, reference.issue);
    t.check(
        &format!("{ctx} count"),
        s.installments.len(),
        reference.installments.len(),
    );
    for (k, (i, r)) in s
        .installments
        .iter()
        .zip(&reference.installments)
        .enumerate()
    {
        let p = &periods[k];
        let c = |field: &str| format!("{ctx} #{} {field}", k + 1);
        t.check(&c("due_date"), i.period.due_date, p.due);
        t.check(
            &c("business_due_date"),
            i.period.business_due_date,
            p.business_due,
        );
        t.check(&c("calendar_days"), i.period.calendar_days, p.calendar_days);
        t.check(&c("workdays"), i.period.workdays, p.workdays);
        t.check(&c("days"), i.period.days_from_disbursement, p.t);
        t.check(&c("total"), i.total_amount, r.total);
        if loan.face_value {
            t.ten_decimal += 2;
            t.check(&c("pre_fixed"), i.pre_fixed_amount, r.interest);
            t.check(
                &c("principal"),
                i.principal_amortization_amount,
                r.principal,
            );
            t.check(&c("due_principal"), i.due_principal, r.due_principal);
            t.check(&c("tax"), i.tax_amount, r.tax);
        } else {
            let f = to_f64;
            t.check(&c("pre_fixed"), f(i.pre_fixed_amount), f(r.interest));
            t.check(
                &c("principal"),
                f(i.principal_amortization_amount),
                f(r.principal),
            );
            t.check(&c("due_principal"), f(i.due_principal), f(r.due_principal));
            t.check(&c("tax"), f(i.tax_amount), f(r.tax));
        }
    }
    t.check(&format!("{ctx} iof"), q.iof.total, reference.iof_total);
    let fees = ref_contract_fees(loan.pricing, reference.issue);
    let disbursed = reference.issue - reference.iof_total - fees;
    t.check(
        &format!("{ctx} disbursed_issue_amount"),
        q.disbursed_issue_amount,
        disbursed,
    );
    let flows: Vec<(u32, Decimal)> = reference
        .installments
        .iter()
        .zip(&periods)
        .map(|(i, p)| (p.t, i.total))
        .collect();
    match ref_cet(disbursed, &flows) {
        Some((monthly, annual)) => {
            t.check(&format!("{ctx} cet"), q.cet.monthly, monthly);
            t.check(&format!("{ctx} annual_cet"), to_f64(q.cet.annual), annual);
        }
        None => t.fail(format!("{ctx}: reference CET found no root")),
    }
}

/// Whether, by the reference, the borrower would receive nothing from the loan's first option.
fn takes_the_whole_loan(loan: &Loan, rate: &RefRate) -> bool {
    let first = loan
        .first
        .unwrap_or(loan.d0 + Days::new(u64::from(loan.delay)));
    let periods = ref_periods(loan.d0, first, loan.n);
    let factors = ref_factors(rate, &periods);
    if loan.face_value {
        let s = ref_face_value(loan.amount, &periods, &factors);
        s.issue - s.iof_total - ref_contract_fees(loan.pricing, s.issue) <= Decimal::ZERO
    } else {
        ref_gross_up(loan.amount, loan.pricing, &periods, &factors).is_none()
    }
}

fn run(seed: u64, face_value_loans: usize, disbursed_loans: usize) -> Tally {
    let mut r = Rng(seed);
    let mut t = Tally::default();
    let kinds = std::iter::repeat_n(true, face_value_loans)
        .chain(std::iter::repeat_n(false, disbursed_loans));
    for face_value in kinds {
        let loan = random_loan(&mut r, face_value);
        let pricing = api::pricing_from_json(PRICINGS[loan.pricing], "pricing").expect("pricing");
        let options = SimulationOptions::new().pricing(pricing);
        let terms = terms(&loan);
        let rate = RefRate::new(&loan.input, loan.base);
        let display = terms.rate.display();
        t.check("annual_rate", display.annual_rate, rate.annual);
        t.check("monthly_rate", display.monthly_rate, rate.monthly_rate);
        t.check("daily_rate", display.daily_rate, rate.daily_rate);
        let sim = match simulate(&terms, &options) {
            Ok(sim) => sim,
            Err(e) => {
                // Legitimate only when the fees and IOF take the whole loan.
                if takes_the_whole_loan(&loan, &rate) {
                    t.rejected += 1;
                } else {
                    t.fail(format!("{loan:?}: {e}"));
                }
                continue;
            }
        };
        t.loans += 1;
        // The options: every calendar day up to the limit, but none on or after a fixed first due.
        let dates: Vec<NaiveDate> = (0..=loan.limit)
            .map(|k| loan.d0 + Days::new(u64::from(k)))
            .filter(|d| *d == loan.d0 || loan.first.is_none_or(|f| f > *d))
            .collect();
        let fast_dates: Vec<NaiveDate> = sim.options.iter().map(|q| q.disbursement_date).collect();
        t.check(&format!("{loan:?} options"), fast_dates, dates);
        for q in &sim.options {
            let first = loan
                .first
                .unwrap_or(q.disbursement_date + Days::new(u64::from(loan.delay)));
            t.check(&format!("{loan:?} first due"), q.first_due_date, first);
            compare(&mut t, &loan, &rate, q);
        }
    }
    t
}

#[test]
fn fast_schedules_match_the_python_like_reference() {
    let (face, disbursed) = (crate::support::cases(3_000), crate::support::cases(1_000));
    let t = run(0x005E_ED0F_0A7E, face as usize, disbursed as usize);
    println!(
        "exactness: {} loans, {} quotes, {} values compared ({} of them 10-decimal interest and \
         principal values), {} mismatches; {} loans rejected by both (fees and IOF above the loan)",
        t.loans, t.options, t.values, t.ten_decimal, t.mismatches, t.rejected
    );
    assert_eq!(t.mismatches, 0, "{:#?}", t.examples);
    assert_eq!(t.loans + t.rejected, (face + disbursed) as usize);
    assert!(t.rejected < 40, "{} loans rejected", t.rejected);
}

#[test]
fn daily_iof_fraction_is_the_decimal_product() {
    for days in 0..=400 {
        let product = qitech_sim::iof::DAILY_RATE * Decimal::from(days.min(365));
        let fast = qitech_sim::iof::daily_ceiling_fraction(days);
        assert_eq!(fast.serialize(), product.serialize(), "{days} days");
    }
}
