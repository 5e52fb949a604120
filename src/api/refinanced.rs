//! One `refinanced_credit_operations[]` entry of a request body: the balance the new loan pays
//! off, typed in (`due_balance`, grown at the operation's own rate when it has one) or computed
//! from the old loan's `contract` (its present value on each option's settlement date, see
//! [`RefinancedOperation::balance_on`]).

use rust_decimal::Decimal;

use super::json::{Obj, short};
use crate::error::{Error, Result};
use crate::rate::{
    InterestBase, InterestRate, MAX_MONTHLY_FRACTION, MonthlyRate, RateInput, check_fraction,
};
use crate::simulation::{RefinancedOperation, SimulationOptions, check_amount};

/// One of `refinanced_credit_operations`: a `due_balance` (grown at the operation's own rate when
/// it has one), or the old loan's `contract`, read with the outer body's `options`.
pub(super) fn read_refinanced(
    r: &Obj<'_>,
    options: std::result::Result<&SimulationOptions, &Error>,
) -> Result<RefinancedOperation> {
    let operation_key = r.string("operation_key")?;
    if let Some(c) = r.get("contract") {
        let path = r.field("contract");
        for key in ["due_balance", "monthly_interest_rate", "disbursement_date"] {
            if let Some(v) = r.get(key) {
                return Err(Error::conflict(
                    r.field(key),
                    short(v),
                    "give the operation's contract or its due_balance (with its rate and \
                     disbursement_date), not both",
                ));
            }
        }
        let options = options.map_err(Clone::clone)?;
        let contract = super::present_value::contract_from_value(&c.to_value(), &path, options)
            .map_err(|e| e.rename_field(|f| Some(format!("{path}.{f}"))))?;
        let mut op = RefinancedOperation::from_contract(contract);
        op.original_deadline = r.u32("original_deadline")?;
        op.operation_key = operation_key;
        return Ok(op);
    }
    let due_balance = match (r.decimal("due_balance")?, &operation_key) {
        (Some(b), _) => b,
        (None, Some(key)) => {
            return Err(Error::unsupported(
                r.field("due_balance"),
                format!("operation_key {key:?}"),
                "QI computes the payoff of an operation_key from its own ledger: give the \
                 due_balance (or the operation's contract) to refinance",
            ));
        }
        (None, None) => return Err(Error::missing(r.field("due_balance"))),
    };
    let mut op = RefinancedOperation::new(check_amount(
        due_balance,
        Decimal::ZERO,
        &r.field("due_balance"),
    )?)?;
    op.original_deadline = r.u32("original_deadline")?;
    op.operation_key = operation_key;
    match (
        r.decimal("monthly_interest_rate")?,
        r.date("disbursement_date")?,
    ) {
        (Some(m), Some(since)) => {
            let field = r.field("monthly_interest_rate");
            let rate = InterestRate::new(
                RateInput::Monthly(MonthlyRate::for_field(
                    check_fraction(m, &field, MAX_MONTHLY_FRACTION)?,
                    &field,
                )?),
                InterestBase::CalendarDays,
            )?;
            op = op.accrues(rate, since);
        }
        (Some(_), None) => return Err(Error::missing(r.field("disbursement_date"))),
        (None, Some(_)) => return Err(Error::missing(r.field("monthly_interest_rate"))),
        (None, None) => {}
    }
    Ok(op)
}
