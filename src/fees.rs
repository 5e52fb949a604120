//! Partner pricing: contract fees (TAC and the like) and external fees (the partner's spread).
//!
//! QI keeps fees per partner, so they are not in the simulation request; the crate reads them from a
//! pricing configuration in QI's own vocabulary (see the crate's conventions, *Fees*), default no fees:
//!
//! ```json
//! {"contract_fees":[{"fee_type":"tac","amount_type":"percentage","amount":1}],
//!  "external_contract_fees":[{"fee_type":"spread","amount_type":"percentage","amount":1,"tax_rate":0.0925}]}
//! ```
//!
//! * `percentage` amounts are in percent units as QI prints them (`1` = 1 % of the issue amount),
//!   `absolute` amounts in BRL;
//! * `fee_amount = round2(amount/100 × issue_amount)` (percentage) or `amount` (absolute);
//! * **bounds** (the crate's, QI documents none; a fee beyond them leaves nothing to disburse or
//!   charges more than the loan, and was once priced or ended in a CET error naming no input): a
//!   percentage `amount` is at most 100 (% of the issue amount, [`MAX_PERCENTAGE`]); on a loan, no
//!   fee's `fee_amount` exceeds the issue amount, and the deducted contract fees together stay
//!   below it ([`Pricing::charge`]); [`Fees::check_disbursed`] names the contract fees when they
//!   and the IOF leave the borrower nothing. Each refusal names the fee (`contract_fees[1].amount`:
//!   its index in the configured fees, the request's `rebates` counted after them);
//! * contract fees are paid by the borrower: deducted from the disbursement and added to the
//!   `assignment_amount`; a fee of class [`FeeClass::AssignmentOnly`] (`"type": "internal"`) is added
//!   to the `assignment_amount` only;
//! * the configuration may also be written in the request's vocabulary, `rebates[]` (`tac`: a
//!   contract fee, `spread`: an external fee); the request's own `financial.rebates` join the
//!   configured fees ([`Pricing::merged`]). A pricing is fees only: the configuration's
//!   `"conventions"` (`"move_due_dates": true` among them) are the crate's conventions, read into
//!   [`crate::conventions::Conventions`] (one owner for each switch);
//! * an external fee carries its own tax: `tax_amount = round2(tax_rate × fee_amount)`,
//!   `net_fee_amount = amount_released = fee_amount − tax_amount`. The SIAPE example (1.95 → 0.18) fits
//!   any tax rate in [8.97 %, 9.49 %); 9.25 % (PIS + COFINS) is the configuration shipped with the
//!   fixture. The tax is reported as a whole; its split into PIS/COFINS/CSLL/IRRF
//!   is printed as zeros, as QI does.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::num::{self, round_cents};

/// The field fee errors name.
const FEES: &str = "fees.amount";

/// The largest percentage `amount` of a fee: 100 (% of the issue amount it is charged on).
pub const MAX_PERCENTAGE: Decimal = Decimal::ONE_HUNDRED;

/// How a fee's `amount` is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AmountType {
    /// Percent of the issue amount (`1` = 1 %).
    Percentage,
    /// BRL.
    Absolute,
}

crate::names::named_enum!(AmountType, "amount type", "amount_type", {
    Percentage => "percentage",
    Absolute => "absolute",
});

/// What a contract fee does to the loan's amounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FeeClass {
    /// Deducted from the disbursement and added to `assignment_amount` (SIAPE: 194.80 − 1.36 −
    /// 1.95 = 191.49, assignment 196.75). Default.
    #[default]
    Deducted,
    /// Added to `assignment_amount` only: no effect on the disbursed amount, the gross-up or the
    /// CET. QI's v2 `type: internal` spread (`fixtures/qi-examples/v2-sim-2025.response.json`:
    /// 36.14 + round2(0.2 % × 36.14) = 36.21, disbursed 35.90) and the 2020 sandbox's contract fee
    /// (`anaue-preprice-5000-2020.response.json`: 5000 + 25 = 5025, disbursed 5000). Configuration:
    /// `"type": "internal"` (QI's v2 vocabulary) or `"class": "assignment_only"` on a fee item.
    AssignmentOnly,
}

crate::names::named_enum!(FeeClass, "fee class", "class", {
    Deducted => "deducted",
    AssignmentOnly => "assignment_only",
});

/// A fee as configured: what it is called and how much it is.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FeeRule {
    /// QI's `fee_type` (`tac`, `spread`, `spread_cip_cost`, …), echoed.
    pub fee_type: String,
    /// How `amount` is read.
    pub amount_type: AmountType,
    /// Percent units or BRL.
    pub amount: Decimal,
    /// Tax rate on the fee, as a fraction (external fees only; 0 for contract fees).
    pub tax_rate: Decimal,
    /// How a contract fee enters the quote ([`FeeClass::Deducted`] unless set with
    /// [`FeeRule::class`]); external fees ignore it.
    pub class: FeeClass,
}

impl FeeRule {
    /// A validated fee rule.
    ///
    /// # Errors
    /// [`Error::InvalidField`] for a negative amount or tax rate, a tax rate above 100 %, a
    /// percentage amount above [`MAX_PERCENTAGE`], or an absolute amount above
    /// [`crate::loan::MAX_AMOUNT`] or with more than two decimals (money is in cents; a percentage
    /// keeps its decimals).
    pub fn new(
        field: &str,
        fee_type: impl Into<String>,
        amount_type: AmountType,
        amount: Decimal,
        tax_rate: Decimal,
    ) -> Result<Self> {
        if amount < Decimal::ZERO {
            return Err(Error::out_of_range(
                format!("{field}.amount"),
                amount,
                "must not be negative",
            ));
        }
        if amount_type == AmountType::Absolute {
            crate::loan::check_amount(amount, Decimal::ZERO, &format!("{field}.amount"))?;
        }
        if amount_type == AmountType::Percentage && amount > MAX_PERCENTAGE {
            return Err(Error::out_of_range(
                format!("{field}.amount"),
                amount,
                "a percentage fee is at most 100 (% of the issue amount)",
            ));
        }
        if tax_rate < Decimal::ZERO || tax_rate > Decimal::ONE {
            return Err(Error::out_of_range(
                format!("{field}.tax_rate"),
                tax_rate,
                "must be between 0 and 1",
            ));
        }
        Ok(FeeRule {
            fee_type: fee_type.into(),
            amount_type,
            amount,
            tax_rate,
            class: FeeClass::Deducted,
        })
    }

    /// The fee's class (how a contract fee enters the quote).
    pub fn class(mut self, class: FeeClass) -> Self {
        self.class = class;
        self
    }

    /// `fee_amount` on a loan of `issue_amount`.
    ///
    /// # Errors
    /// [`Error::Overflow`] beyond `Decimal`'s range.
    pub fn fee_amount(&self, issue_amount: Decimal) -> Result<Decimal> {
        Ok(match self.amount_type {
            AmountType::Absolute => round_cents(self.amount),
            AmountType::Percentage => {
                let pct = self.amount / Decimal::ONE_HUNDRED;
                round_cents(num::mul(pct, issue_amount, "fees.amount")?)
            }
        })
    }
}

/// The partner's pricing configuration. `Default` is no fees.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Pricing {
    /// Fees paid by the borrower.
    pub contract_fees: Vec<FeeRule>,
    /// The partner's remuneration, with tax.
    pub external_contract_fees: Vec<FeeRule>,
}

/// A charged contract fee (`contract_fees[]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractFee {
    /// The rule it came from.
    pub rule: FeeRule,
    /// `fee_amount`.
    pub fee_amount: Decimal,
}

/// A charged external fee (`external_contract_fees[]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalFee {
    /// The rule it came from.
    pub rule: FeeRule,
    /// `fee_amount`.
    pub fee_amount: Decimal,
    /// `tax_amount = round2(tax_rate × fee_amount)`.
    pub tax_amount: Decimal,
    /// `net_fee_amount` = `amount_released` = `fee_amount − tax_amount`.
    pub net_fee_amount: Decimal,
}

/// The fees of one loan, one by one and totalled by kind.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Fees {
    /// Contract fees charged.
    pub contract: Vec<ContractFee>,
    /// External fees charged.
    pub external: Vec<ExternalFee>,
    /// `contract_fee_amount`: Σ contract `fee_amount` (every class: what `assignment_amount` adds).
    pub contract_fee_amount: Decimal,
    /// Σ `fee_amount` of the contract fees of class [`FeeClass::Deducted`]: what the disbursement
    /// loses (equal to `contract_fee_amount` when no fee is [`FeeClass::AssignmentOnly`]).
    pub deducted_fee_amount: Decimal,
    /// `external_contract_fee_amount`: Σ external `fee_amount`.
    pub external_contract_fee_amount: Decimal,
    /// `net_external_contract_fee_amount`: Σ external `net_fee_amount`.
    pub net_external_contract_fee_amount: Decimal,
}

impl Fees {
    /// What `assignment_amount` adds to the issue amount: every contract fee
    /// (`contract_fee_amount`) when `includes_contract_fees` (the 2023 manuals: SIAPE 194.80 +
    /// 1.95 = 196.75), else the assignment-only fees alone (`contract_fee_amount −
    /// deducted_fee_amount`: QI's 2022 issuance webhook deducts the TAC from the disbursement and
    /// prints `assignment_amount` equal to the issue amount).
    ///
    /// # Errors
    /// [`Error::Overflow`] beyond `Decimal`'s range.
    pub fn assignment_fee_amount(&self, includes_contract_fees: bool) -> Result<Decimal> {
        if includes_contract_fees {
            Ok(self.contract_fee_amount)
        } else {
            num::sub(
                self.contract_fee_amount,
                self.deducted_fee_amount,
                "contract_fees",
            )
        }
    }
}

impl Pricing {
    /// The contract fees the disbursement pays ([`FeeClass::Deducted`]).
    fn deducted(&self) -> impl Iterator<Item = &FeeRule> {
        self.contract_fees
            .iter()
            .filter(|r| r.class == FeeClass::Deducted)
    }

    /// This configuration with `other`'s fees appended (the request's `rebates` after the
    /// partner's configured fees).
    pub fn merged(&self, other: &Pricing) -> Pricing {
        let mut out = self.clone();
        out.contract_fees
            .extend(other.contract_fees.iter().cloned());
        out.external_contract_fees
            .extend(other.external_contract_fees.iter().cloned());
        out
    }

    /// Whether no fee is configured.
    pub fn is_empty(&self) -> bool {
        self.contract_fees.is_empty() && self.external_contract_fees.is_empty()
    }

    /// Charges every configured fee on a loan of `issue_amount`.
    ///
    /// # Errors
    /// [`Error::InvalidField`] (out of range) naming the fee (`contract_fees[i].amount`,
    /// `external_contract_fees[i].amount`) whose `fee_amount` exceeds the issue amount, or with
    /// which the deducted contract fees reach it (nothing would be left to disburse);
    /// [`Error::Overflow`] beyond `Decimal`'s range.
    pub fn charge(&self, issue_amount: Decimal) -> Result<Fees> {
        let mut fees = Fees::default();
        for (i, rule) in self.contract_fees.iter().enumerate() {
            let fee_amount = rule.fee_amount(issue_amount)?;
            let field = || format!("contract_fees[{i}].amount");
            exceeds_issue(fee_amount, issue_amount, rule, field)?;
            fees.contract_fee_amount = num::add(fees.contract_fee_amount, fee_amount, FEES)?;
            if rule.class == FeeClass::Deducted {
                fees.deducted_fee_amount = num::add(fees.deducted_fee_amount, fee_amount, FEES)?;
                if fee_amount > Decimal::ZERO && fees.deducted_fee_amount >= issue_amount {
                    return Err(Error::out_of_range(
                        field(),
                        rule.amount,
                        format!(
                            "the contract fees deducted ({}) reach the issue amount ({issue_amount}): \
                             nothing is left to disburse",
                            fees.deducted_fee_amount
                        ),
                    ));
                }
            }
            fees.contract.push(ContractFee {
                fee_amount,
                rule: rule.clone(),
            });
        }
        for (i, rule) in self.external_contract_fees.iter().enumerate() {
            let fee_amount = rule.fee_amount(issue_amount)?;
            exceeds_issue(fee_amount, issue_amount, rule, || {
                format!("external_contract_fees[{i}].amount")
            })?;
            let tax_amount = round_cents(num::mul(rule.tax_rate, fee_amount, "fees.tax_rate")?);
            let net_fee_amount = num::sub(fee_amount, tax_amount, FEES)?;
            fees.external_contract_fee_amount =
                num::add(fees.external_contract_fee_amount, fee_amount, FEES)?;
            fees.net_external_contract_fee_amount =
                num::add(fees.net_external_contract_fee_amount, net_fee_amount, FEES)?;
            fees.external.push(ExternalFee {
                fee_amount,
                tax_amount,
                net_fee_amount,
                rule: rule.clone(),
            });
        }
        Ok(fees)
    }

    /// The deducted contract fees as `(Σ absolute fees in cents, Σ percentage fees as a fraction)`: the
    /// fees on an issue `I` are `absolute + round2(share_k × I)` summed per rule.
    ///
    /// # Errors
    /// [`Error::Overflow`] beyond `Decimal`'s range.
    pub fn contract_fee_parts(&self) -> Result<(Decimal, Decimal)> {
        let (mut absolute, mut share) = (Decimal::ZERO, Decimal::ZERO);
        for rule in self.deducted() {
            match rule.amount_type {
                AmountType::Absolute => {
                    absolute = num::add(absolute, round_cents(rule.amount), "fees.amount")?;
                }
                AmountType::Percentage => {
                    share = num::add(share, rule.amount / Decimal::ONE_HUNDRED, "fees.amount")?;
                }
            }
        }
        Ok((absolute, share))
    }

    /// Σ deducted contract fees on `issue_amount` (what the gross-up must add on top of the
    /// disbursed amount).
    ///
    /// # Errors
    /// [`Error::Overflow`] beyond `Decimal`'s range.
    pub fn contract_total(&self, issue_amount: Decimal) -> Result<Decimal> {
        let mut t = Decimal::ZERO;
        for rule in self.deducted() {
            t = num::add(t, rule.fee_amount(issue_amount)?, "fees.amount")?;
        }
        Ok(t)
    }
}

/// Refuses a fee whose `fee_amount` exceeds the issue amount it is charged on, naming it.
fn exceeds_issue(
    fee_amount: Decimal,
    issue_amount: Decimal,
    rule: &FeeRule,
    field: impl FnOnce() -> String,
) -> Result<()> {
    if fee_amount > issue_amount {
        return Err(Error::out_of_range(
            field(),
            rule.amount,
            format!(
                "the fee ({} {fee_amount}) exceeds the issue amount ({issue_amount}) it is \
                 charged on",
                rule.fee_type
            ),
        ));
    }
    Ok(())
}

impl Fees {
    /// Refuses a loan whose deducted contract fees and IOF (`iof_amount`) leave the borrower
    /// nothing of `issue_amount` (the CET has no solution then), naming the contract fees; `Ok`
    /// when something is disbursed or no contract fee is deducted (the IOF alone never takes the
    /// whole issue).
    ///
    /// # Errors
    /// [`Error::InvalidField`] (no solution) on `contract_fees`.
    pub fn check_disbursed(&self, issue_amount: Decimal, iof_amount: Decimal) -> Result<()> {
        // Beyond `Decimal`'s range the caller's own subtraction reports the overflow.
        let Some(left) = issue_amount
            .checked_sub(iof_amount)
            .and_then(|x| x.checked_sub(self.deducted_fee_amount))
        else {
            return Ok(());
        };
        if left > Decimal::ZERO || self.deducted_fee_amount <= Decimal::ZERO {
            return Ok(());
        }
        Err(Error::no_solution(
            "contract_fees",
            self.deducted_fee_amount,
            format!(
                "the contract fees and the IOF ({iof_amount}) leave {left} of the issue amount \
                 ({issue_amount}) to disburse: no CET"
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(amount_type: AmountType, amount: &str) -> FeeRule {
        let amount: Decimal = amount.parse().unwrap_or_default();
        FeeRule::new(
            "contract_fees[0]",
            "tac",
            amount_type,
            amount,
            Decimal::ZERO,
        )
        .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn amount_types_have_qi_names() {
        assert_eq!(AmountType::Percentage.as_str(), "percentage");
        assert_eq!(AmountType::Absolute.as_str(), "absolute");
    }

    /// The gross-up's start: Σ absolute fees in cents (each rounded half-even first) and Σ
    /// percentage fees as a fraction.
    #[test]
    fn contract_fee_parts_split_absolute_and_percentage() {
        let pricing = Pricing {
            contract_fees: vec![
                // Below a cent only through the public fields (`FeeRule::new` refuses it): the
                // parts still round the absolute sum to cents.
                FeeRule {
                    amount: Decimal::new(10005, 3),
                    ..rule(AmountType::Absolute, "10")
                },
                rule(AmountType::Percentage, "1.5"),
                rule(AmountType::Absolute, "2.5"),
                rule(AmountType::Percentage, "0.25"),
            ],
            external_contract_fees: vec![rule(AmountType::Absolute, "99")],
            ..Pricing::default()
        };
        let (absolute, share) = pricing.contract_fee_parts().unwrap_or_default();
        assert_eq!(absolute, Decimal::new(1250, 2));
        assert_eq!(share, Decimal::new(175, 4));
        assert_eq!(
            Pricing::default().contract_fee_parts().ok(),
            Some((Decimal::ZERO, Decimal::ZERO))
        );
        // The parts are what the total charges: 12.50 + round2(1.5 % × 1000) + round2(0.25 % × 1000).
        assert_eq!(
            pricing.contract_total(Decimal::from(1000)).ok(),
            Some(Decimal::new(3000, 2))
        );
    }

    fn pricing(contract: Vec<FeeRule>, external: Vec<FeeRule>) -> Pricing {
        Pricing {
            contract_fees: contract,
            external_contract_fees: external,
            ..Pricing::default()
        }
    }

    /// A percentage fee is at most 100 (% of the issue amount): 1,000,000 % was accepted.
    #[test]
    fn percentage_fees_are_bounded() {
        let e = FeeRule::new(
            "external_contract_fees[3]",
            "spread",
            AmountType::Percentage,
            Decimal::from(1_000_000),
            Decimal::ONE,
        )
        .err()
        .map(|e| e.to_string());
        assert_eq!(
            e.as_deref(),
            Some(
                "external_contract_fees[3].amount: a percentage fee is at most 100 (% of the \
                 issue amount) (got 1000000)"
            )
        );
        assert!(
            FeeRule::new(
                "f",
                "tac",
                AmountType::Percentage,
                MAX_PERCENTAGE,
                Decimal::ZERO
            )
            .is_ok()
        );
        let just_over = MAX_PERCENTAGE + Decimal::new(1, 10);
        assert!(
            FeeRule::new("f", "tac", AmountType::Percentage, just_over, Decimal::ZERO).is_err()
        );
        // Absolute fees have no such bound (they are bounded on the loan).
        assert!(
            FeeRule::new(
                "f",
                "tac",
                AmountType::Absolute,
                Decimal::from(1000),
                Decimal::ZERO
            )
            .is_ok()
        );
    }

    /// A fee larger than the issue amount is refused naming it; deducted fees that reach the issue
    /// amount are refused naming the one that reaches it; up to that, fees are charged.
    #[test]
    fn fees_larger_than_the_loan_are_refused_naming_the_fee() {
        let issue = Decimal::from(1000);
        let big = pricing(vec![rule(AmountType::Absolute, "1000.01")], vec![]);
        let e = big.charge(issue).err().map(|e| e.to_string());
        assert_eq!(
            e.as_deref(),
            Some(
                "contract_fees[0].amount: the fee (tac 1000.01) exceeds the issue amount (1000) \
                 it is charged on (got 1000.01)"
            )
        );
        let external = pricing(
            vec![],
            vec![
                rule(AmountType::Absolute, "1"),
                rule(AmountType::Absolute, "1000.01"),
            ],
        );
        let e = external.charge(issue).err();
        assert_eq!(
            e.as_ref().and_then(|e| e.field()),
            Some("external_contract_fees[1].amount")
        );
        // Two deducted fees reaching the issue amount together: the second is named.
        let two = pricing(
            vec![
                rule(AmountType::Percentage, "60"),
                rule(AmountType::Absolute, "400"),
            ],
            vec![],
        );
        let e = two.charge(issue).err();
        assert_eq!(
            e.as_ref().and_then(|e| e.field()),
            Some("contract_fees[1].amount")
        );
        assert_eq!(
            e.map(|e| e.to_string()).as_deref(),
            Some(
                "contract_fees[1].amount: the contract fees deducted (1000.00) reach the issue \
                 amount (1000): nothing is left to disburse (got 400)"
            )
        );
        // An assignment-only fee does not reduce the disbursement: 60 % + 400 is charged.
        let assignment = pricing(
            vec![
                rule(AmountType::Percentage, "60"),
                rule(AmountType::Absolute, "400").class(FeeClass::AssignmentOnly),
            ],
            vec![],
        );
        let fees = assignment.charge(issue).unwrap_or_default();
        assert_eq!(
            (fees.contract_fee_amount, fees.deducted_fee_amount),
            (Decimal::new(100_000, 2), Decimal::new(60_000, 2))
        );
        // Just below: 99.99 % is charged.
        let fees = pricing(vec![rule(AmountType::Percentage, "99.99")], vec![])
            .charge(issue)
            .unwrap_or_default();
        assert_eq!(fees.deducted_fee_amount, Decimal::new(99_990, 2));
        // ... and, with an IOF of 0.11, leaves nothing: refused naming the contract fees.
        let e = fees.check_disbursed(issue, Decimal::new(11, 2)).err();
        assert_eq!(
            e.map(|e| e.to_string()).as_deref(),
            Some(
                "contract_fees: the contract fees and the IOF (0.11) leave -0.01 of the issue \
                 amount (1000) to disburse: no CET (got 999.90)"
            )
        );
        assert!(fees.check_disbursed(issue, Decimal::new(9, 2)).is_ok());
        // No contract fee: the IOF alone is not the fees' doing.
        assert!(Fees::default().check_disbursed(issue, issue).is_ok());
    }
}
