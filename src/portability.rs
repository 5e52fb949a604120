//! Portability: the bridge loan, the payroll loan that refinances it, the change (troco), and the
//! inverse questions a broker asks.
//!
//! The chain (seed 002 §5–6, domain.md "Products"):
//! 1. **Bridge loan**: QI lends the outstanding balance of the borrower's old loan at another bank
//!    (`disbursed_amount`), one installment, `workdays` base, disbursed on D0 and due
//!    `first_due_date_delay` days later (5 by default, counted in calendar days as QI's numbers show;
//!    see [`crate::DelayUnit`]). Its installment total is what the payroll loan must refinance.
//! 2. **Payroll loan**: the borrower's margin as `installment_face_value`, disbursed on the bridge's
//!    due date (seed 002 §6), refinancing the bridge: `due_balance` = the bridge's `total_amount`,
//!    `original_deadline` = its term in days.
//! 3. **Change**: `final_disbursement_amount = disbursed_issue_amount − due_balance` for each
//!    disbursement option; a negative value is a [`Change::Shortfall`].
//!
//! The inverses have no QI endpoint: [`min_face_value_for_change`] finds the smallest installment (to
//! the cent) whose change reaches a target, [`change_by_installments`] the change a margin gives for
//! each number of installments.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::error::{Error, Result};
use crate::num::round_cents;
use crate::rate::{AnnualRate, InterestBase, InterestRate, RateInput};
use crate::simulation::{
    Amount, FirstDue, LoanTerms, Quote, RefinancedOperation, Simulation, SimulationOptions,
    simulate,
};

/// The bridge loan's term when none is given: D+5 (seed 002 §5).
pub const BRIDGE_DELAY_DAYS: u32 = 5;

/// The outcome for the borrower of one disbursement option.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// The borrower receives this much (≥ 0).
    Change(Decimal),
    /// The loan does not cover the refinanced balances: this much is missing.
    Shortfall(Decimal),
}

impl Quote {
    /// The change of this option, or the shortfall when the refinanced balances exceed what the loan
    /// disburses.
    pub fn change(&self) -> Change {
        if self.final_disbursement_amount < Decimal::ZERO {
            Change::Shortfall(-self.final_disbursement_amount)
        } else {
            Change::Change(self.final_disbursement_amount)
        }
    }
}

/// The bridge loan of a portability.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BridgeLoan {
    /// The loan's terms (disbursed-amount mode, one installment, `workdays`).
    pub terms: LoanTerms,
    /// The priced loan.
    pub quote: Quote,
}

impl BridgeLoan {
    /// `issue_amount`.
    pub fn issue_amount(&self) -> Decimal {
        self.quote.schedule.issue_amount
    }

    /// The installment's due date (the payroll loan's disbursement date).
    pub fn due_date(&self) -> NaiveDate {
        self.quote.first_due_date
    }

    /// The term in calendar days (the payroll loan's `original_deadline`).
    pub fn term_days(&self) -> u32 {
        self.quote
            .schedule
            .installments
            .last()
            .map_or(0, |i| i.period.days_from_disbursement)
    }

    /// The installment's `total_amount` (the payroll loan's `due_balance`).
    pub fn installment_total(&self) -> Decimal {
        self.quote
            .schedule
            .installments
            .iter()
            .map(|i| i.total_amount)
            .sum()
    }

    /// The refinanced operation this bridge becomes in the payroll loan.
    pub fn as_refinanced(&self) -> RefinancedOperation {
        RefinancedOperation {
            due_balance: self.installment_total(),
            original_deadline: Some(self.term_days()),
            operation_key: None,
        }
    }
}

/// Prices the bridge loan that pays off `outstanding_balance` at `annual_rate`, disbursed on
/// `disbursement_date` and due `delay_days` later (counted as `options` says). No fees: QI's
/// documented bridge has none; pass a pricing in `options` to charge some.
///
/// # Errors
/// Input errors (non-positive balance, dates outside the calendar).
///
/// # Example
/// ```
/// use qitech_sim::portability::bridge_loan;
/// use qitech_sim::rate::AnnualRate;
/// use qitech_sim::SimulationOptions;
/// use chrono::NaiveDate;
/// let bridge = bridge_loan(
///     "80492.95".parse()?,
///     AnnualRate::new("0.20983".parse()?, "annual_interest_rate")?,
///     NaiveDate::from_ymd_opt(2023, 3, 17).ok_or("date")?,
///     5,
///     &SimulationOptions::new(),
/// )?;
/// assert_eq!(bridge.issue_amount().to_string(), "80833.26");
/// assert_eq!(bridge.installment_total().to_string(), "81016.77");
/// assert_eq!(bridge.term_days(), 5);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn bridge_loan(
    outstanding_balance: Decimal,
    annual_rate: AnnualRate,
    disbursement_date: NaiveDate,
    delay_days: u32,
    options: &SimulationOptions,
) -> Result<BridgeLoan> {
    if delay_days == 0 {
        return Err(Error::invalid(
            "bridge.first_due_date_delay",
            delay_days,
            "must be at least 1",
        ));
    }
    let terms = LoanTerms {
        amount: Amount::Disbursed(outstanding_balance),
        number_of_installments: 1,
        rate: InterestRate::new(RateInput::Annual(annual_rate), InterestBase::Workdays)?,
        disbursement_date,
        first_due: FirstDue::Delay(delay_days),
        limit_days_to_disburse: 0,
        refinanced: vec![],
    };
    let sim = simulate(&terms, options)?;
    let quote = sim.first().clone();
    Ok(BridgeLoan { terms, quote })
}

/// The payroll side of a portability: everything but the refinanced balance and the disbursement
/// date, which the bridge fixes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayrollTerms {
    /// `installment_face_value`: the borrower's margin.
    pub installment_face_value: Decimal,
    /// `number_of_installments`.
    pub number_of_installments: u32,
    /// The payroll loan's rate.
    pub rate: InterestRate,
    /// `first_due_date`.
    pub first_due_date: NaiveDate,
    /// `limit_days_to_disburse`.
    pub limit_days_to_disburse: u32,
}

/// A priced portability: the bridge and the payroll loan that refinances it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Portability {
    /// The bridge loan.
    pub bridge: BridgeLoan,
    /// The payroll loan's terms, as simulated.
    pub payroll_terms: LoanTerms,
    /// The payroll loan, one quote per disbursement option.
    pub payroll: Simulation,
}

/// Builds the bridge loan and the payroll loan that refinances it, disbursed on the bridge's due date.
///
/// # Errors
/// Input errors of either loan.
pub fn portability(
    outstanding_balance: Decimal,
    bridge_rate: AnnualRate,
    bridge_disbursement_date: NaiveDate,
    bridge_delay_days: u32,
    payroll: &PayrollTerms,
    bridge_options: &SimulationOptions,
    payroll_options: &SimulationOptions,
) -> Result<Portability> {
    let bridge = bridge_loan(
        outstanding_balance,
        bridge_rate,
        bridge_disbursement_date,
        bridge_delay_days,
        bridge_options,
    )?;
    let payroll_terms = LoanTerms {
        amount: Amount::InstallmentFaceValue(payroll.installment_face_value),
        number_of_installments: payroll.number_of_installments,
        rate: payroll.rate,
        disbursement_date: bridge.due_date(),
        first_due: FirstDue::Date(payroll.first_due_date),
        limit_days_to_disburse: payroll.limit_days_to_disburse,
        refinanced: vec![bridge.as_refinanced()],
    };
    let sim = simulate(&payroll_terms, payroll_options)?;
    Ok(Portability {
        bridge,
        payroll_terms,
        payroll: sim,
    })
}

/// The most cents the inverse search doubles its upper bound to (BRL 10¹³ of installment).
const MAX_DOUBLINGS: u32 = 60;

/// The change of the first option of `terms` with installment face value `f`.
fn change_at(terms: &LoanTerms, f: Decimal, options: &SimulationOptions) -> Result<Decimal> {
    let mut t = terms.clone();
    t.amount = Amount::InstallmentFaceValue(f);
    t.limit_days_to_disburse = 0;
    Ok(simulate(&t, options)?.first().final_disbursement_amount)
}

/// The smallest installment face value, to the cent, whose change (`final_disbursement_amount` of
/// the first disbursement option) reaches `target`. `terms.amount` is ignored.
///
/// Bisection on cents: the returned `F` satisfies `change(F) ≥ target` and `change(F − 0.01) <
/// target`. The change grows with `F` (property-tested: the present value is linear in `F`, and IOF
/// and fees take a fixed share of it up to cent rounding).
///
/// # Errors
/// [`Error::InvalidField`] on `target_change` when no face value up to BRL 10¹³ reaches it; input
/// errors of the simulation.
pub fn min_face_value_for_change(
    terms: &LoanTerms,
    target: Decimal,
    options: &SimulationOptions,
) -> Result<Decimal> {
    let cent = Decimal::new(1, 2);
    let reaches = |f: Decimal| -> Result<bool> {
        match change_at(terms, f, options) {
            Ok(c) => Ok(c >= target),
            // Too small a loan for fees and IOF: no positive disbursement, so no change either.
            Err(Error::CetNoRoot { .. }) => Ok(false),
            Err(e) => Err(e),
        }
    };
    if reaches(cent)? {
        return Ok(cent);
    }
    let (mut lo, mut hi) = (cent, Decimal::ONE);
    let mut doublings = 0;
    while !reaches(hi)? {
        lo = hi;
        hi *= Decimal::TWO;
        doublings += 1;
        if doublings > MAX_DOUBLINGS {
            return Err(Error::invalid(
                "target_change",
                target,
                "no installment face value reaches it",
            ));
        }
    }
    // Invariant: change(lo) < target ≤ change(hi), both in cents.
    while hi - lo > cent {
        let mid = round_cents((lo + hi) / Decimal::TWO);
        let mid = if mid <= lo {
            lo + cent
        } else if mid >= hi {
            hi - cent
        } else {
            mid
        };
        if reaches(mid)? {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    Ok(hi)
}

/// The change a margin `face_value` gives for each number of installments in `counts`, in order:
/// `(n, change of the first option)`. The largest is the broker's best offer for that margin.
///
/// # Errors
/// Input errors of the simulation (except a loan too small to disburse anything, reported as a
/// shortfall of the whole balance).
pub fn change_by_installments(
    terms: &LoanTerms,
    face_value: Decimal,
    counts: std::ops::RangeInclusive<u32>,
    options: &SimulationOptions,
) -> Result<Vec<(u32, Decimal)>> {
    let mut out = vec![];
    for n in counts {
        let mut t = terms.clone();
        t.number_of_installments = n;
        out.push((n, change_at(&t, face_value, options)?));
    }
    Ok(out)
}
