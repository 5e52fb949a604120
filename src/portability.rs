//! Portability: the bridge loan, the payroll loan that refinances it, the change (troco), and the
//! inverse questions a broker asks.
//!
//! The chain (airforce manual §5–6; the crate's conventions, *Portability*):
//! 1. **Bridge loan**: QI lends the outstanding balance of the borrower's old loan at another bank
//!    (`disbursed_amount`), one installment, `workdays` base, disbursed on D0 and due
//!    `first_due_date_delay` days later (5 by default, counted in calendar days as QI's numbers show;
//!    see [`crate::DelayUnit`]). Its installment total is what the payroll loan must refinance.
//! 2. **Payroll loan**: the borrower's margin as `installment_face_value`, disbursed on the bridge's
//!    due date, refinancing the bridge: `due_balance` = the bridge's `total_amount`,
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
use crate::num;
use crate::rate::{AnnualRate, InterestBase, InterestRate, RateInput};
pub use crate::simulation::Change;
use crate::simulation::{
    Amount, CENT, FirstDue, LoanTerms, MAX_AMOUNT, Quote, RefinancedOperation, Simulation,
    SimulationOptions, check_amount, simulate,
};

/// The bridge loan's term when none is given: D+5 (airforce manual §5).
pub const BRIDGE_DELAY_DAYS: u32 = 5;

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
            accrual: None,
            contract: None,
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
///     AnnualRate::new("0.20983".parse()?)?,
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
        return Err(Error::out_of_range(
            "bridge_first_due_date_delay",
            delay_days,
            "must be at least 1",
        ));
    }
    check_amount(outstanding_balance, CENT, "outstanding_balance")?;
    // Validated once, by `simulate` (which checks its terms before anything else).
    let terms = LoanTerms::unvalidated(
        Amount::Disbursed(outstanding_balance),
        1,
        InterestRate::new(RateInput::Annual(annual_rate), InterestBase::Workdays)?,
        disbursement_date,
        FirstDue::Delay(delay_days),
    );
    let mut sim = simulate(&terms, options)?;
    // The first option (`Simulation::first`), moved out rather than cloned.
    let quote = sim.options.swap_remove(0);
    Ok(BridgeLoan { terms, quote })
}

/// The payroll side of a portability: everything but the refinanced balance and the disbursement
/// date, which the bridge fixes.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
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

impl PayrollTerms {
    /// A payroll loan of `number_of_installments` × `installment_face_value`, first due on
    /// `first_due_date`, one disbursement option.
    ///
    /// # Errors
    /// [`Error::InvalidField`] for a face value below 0.01 or above [`MAX_AMOUNT`], or an installment
    /// count outside 1..=600, or a rate of 100 % a month (10,000 % a year) or more, probably a percent
    /// typed as a fraction (the dates are checked once the bridge fixes the disbursement date).
    pub fn new(
        installment_face_value: Decimal,
        number_of_installments: u32,
        rate: InterestRate,
        first_due_date: NaiveDate,
    ) -> Result<Self> {
        check_amount(installment_face_value, CENT, "installment_face_value")?;
        if number_of_installments == 0 || number_of_installments > crate::schedule::MAX_INSTALLMENTS
        {
            return Err(Error::out_of_range(
                "number_of_installments",
                number_of_installments,
                format!(
                    "must be between 1 and {}",
                    crate::schedule::MAX_INSTALLMENTS
                ),
            ));
        }
        // The loan's rate, however it was built (a percent typed as a fraction is refused here
        // as by `InterestRate::monthly` and the JSON reader).
        crate::rate::check_plausible(rate.input(), "")?;
        Ok(PayrollTerms {
            installment_face_value,
            number_of_installments,
            rate,
            first_due_date,
            limit_days_to_disburse: 0,
        })
    }

    /// `limit_days_to_disburse`.
    pub fn limit_days_to_disburse(mut self, days: u32) -> Self {
        self.limit_days_to_disburse = days;
        self
    }
}

/// A whole portability: the old loan's balance, the bridge loan that pays it off, and the payroll
/// loan that refinances the bridge.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PortabilityTerms {
    /// `outstanding_balance`: the old loan's balance, which the bridge pays off.
    pub outstanding_balance: Decimal,
    /// The bridge's annual rate (`workdays` base).
    pub bridge_rate: AnnualRate,
    /// The bridge's disbursement date.
    pub bridge_disbursement_date: NaiveDate,
    /// The bridge's term, [`BRIDGE_DELAY_DAYS`] unless set.
    pub bridge_delay_days: u32,
    /// The payroll loan.
    pub payroll: PayrollTerms,
}

impl PortabilityTerms {
    /// A portability of `outstanding_balance` through a bridge at `bridge_rate` disbursed on
    /// `bridge_disbursement_date` (due [`BRIDGE_DELAY_DAYS`] later) into `payroll`.
    ///
    /// # Errors
    /// [`Error::InvalidField`] for a balance below 0.01 or above [`MAX_AMOUNT`].
    pub fn new(
        outstanding_balance: Decimal,
        bridge_rate: AnnualRate,
        bridge_disbursement_date: NaiveDate,
        payroll: PayrollTerms,
    ) -> Result<Self> {
        check_amount(outstanding_balance, CENT, "outstanding_balance")?;
        Ok(PortabilityTerms {
            outstanding_balance,
            bridge_rate,
            bridge_disbursement_date,
            bridge_delay_days: BRIDGE_DELAY_DAYS,
            payroll,
        })
    }

    /// The bridge's term in days (counted as [`SimulationOptions::delay_unit`] says).
    pub fn bridge_delay_days(mut self, days: u32) -> Self {
        self.bridge_delay_days = days;
        self
    }
}

/// A priced portability: the bridge and the payroll loan that refinances it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
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
/// The payroll loan is priced with `options`; the bridge with no fees (QI's documented bridge has
/// none) and the same delay unit.
///
/// # Errors
/// Input errors of either loan.
///
/// # Example
/// ```
/// use qitech_sim::prelude::*;
/// use qitech_sim::portability::{portability, PayrollTerms, PortabilityTerms};
/// use qitech_sim::rate::AnnualRate;
/// let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).ok_or("date");
/// let rate = InterestRate::monthly("0.0205".parse()?, InterestBase::CalendarDays)?;
/// let payroll = PayrollTerms::new(Decimal::from(2500), 96, rate, d(2023, 6, 10)?)?;
/// let bridge_rate = AnnualRate::new("0.20983".parse()?)?;
/// let terms = PortabilityTerms::new("80492.95".parse()?, bridge_rate, d(2023, 3, 17)?, payroll)?;
/// let p = portability(&terms, &SimulationOptions::new())?;
/// assert_eq!(p.bridge.installment_total().to_string(), "81016.77");
/// assert_eq!(p.payroll.first().change, Change::Change("15625.90".parse()?));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn portability(terms: &PortabilityTerms, options: &SimulationOptions) -> Result<Portability> {
    let bridge_options = SimulationOptions::new().delay_unit(options.get_delay_unit());
    let bridge = bridge_loan(
        terms.outstanding_balance,
        terms.bridge_rate,
        terms.bridge_disbursement_date,
        terms.bridge_delay_days,
        &bridge_options,
    )?;
    let payroll = &terms.payroll;
    let payroll_terms = LoanTerms::face_value(
        payroll.installment_face_value,
        payroll.number_of_installments,
        payroll.rate,
        bridge.due_date(),
        payroll.first_due_date,
    )?
    .limit_days_to_disburse(payroll.limit_days_to_disburse)
    .refinance(bridge.as_refinanced());
    let sim = simulate(&payroll_terms, options)?;
    Ok(Portability {
        bridge,
        payroll_terms,
        payroll: sim,
    })
}

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
/// [`Error::InvalidField`] of kind [`crate::ErrorKind::NoSolution`] on `target_change` when no face
/// value up to [`MAX_AMOUNT`] reaches it; input errors of the simulation.
pub fn min_face_value_for_change(
    terms: &LoanTerms,
    target: Decimal,
    options: &SimulationOptions,
) -> Result<Decimal> {
    let reaches = |f: Decimal| -> Result<bool> {
        match change_at(terms, f, options) {
            Ok(c) => Ok(c >= target),
            // Too small a loan for its fees and IOF: no change either.
            Err(e) if too_small_for_fees(&e) => Ok(false),
            Err(e) => Err(e),
        }
    };
    if reaches(CENT)? {
        return Ok(CENT);
    }
    // Double up to the largest face value a request accepts, then bisect on cents.
    let (mut lo, mut hi) = (CENT, Decimal::ONE);
    let none = || {
        Error::no_solution(
            "target_change",
            target,
            format!("no installment face value up to {MAX_AMOUNT} reaches it"),
        )
    };
    loop {
        match reaches(hi) {
            Ok(true) => break,
            Ok(false) => {}
            // The installments' present value passed the largest issue amount: larger face
            // values are refused too.
            Err(e)
                if e.kind() == crate::ErrorKind::OutOfRange
                    && e.field() == Some(crate::loan::field::INSTALLMENT_FACE_VALUE) =>
            {
                return Err(none());
            }
            Err(e) => return Err(e),
        }
        if hi == MAX_AMOUNT {
            return Err(none());
        }
        lo = hi;
        hi = (hi * Decimal::TWO).min(MAX_AMOUNT);
    }
    num::bisect_cents(lo, hi, reaches)
}

/// Whether a trial loan of the search was refused only for being too small for what it is
/// charged: no positive disbursement (no CET root), a fee larger than its issue amount (an absolute
/// TAC of 10 on the first trial's 0.40 issue), or fees and IOF that leave nothing
/// ([`crate::fees`], *bounds*). A larger face value may clear each, so the search goes on.
fn too_small_for_fees(e: &Error) -> bool {
    use crate::ErrorKind::{NoSolution, OutOfRange};
    let fee_field = e
        .field()
        .is_some_and(|f| f.starts_with("contract_fees") || f.starts_with("external_contract_fees"));
    matches!(e, Error::CetNoRoot { .. })
        || (fee_field && matches!(e.kind(), OutOfRange | NoSolution))
}

/// The change a margin `face_value` gives for each number of installments in `counts`, in order:
/// `(n, change of the first option)`. The largest is the broker's best offer for that margin.
///
/// # Errors
/// Input errors of the simulation, for the first count that has one; [`Error::CetNoRoot`] when a
/// count leaves the borrower nothing after IOF and fees (no CET exists for such a loan).
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
