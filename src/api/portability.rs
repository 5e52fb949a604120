//! The portability chain (`qitech-sim portability`): the flat input read by
//! [`PortabilityRequest`](super::PortabilityRequest), the bridge loan as an issuance, the payroll
//! loan as a simulation, the change per option; and the broker's two inverse questions.

use chrono::NaiveDate;

use super::debt::DebtData;
use super::json::{Obj, ReadOptions, parse_json, short, unknown_in};
use super::number::Num;
use super::request::{Collateral, CollateralType, SimulationRequest, parse_collateral_type};
use super::simulation::SimulationData;
use super::tree::Node;
use super::writer::json_struct;
use crate::error::{Error, Result};
use crate::portability::{self, PayrollTerms, Portability, PortabilityTerms};
use crate::rate::{AnnualRate, InterestBase, InterestRate};
use crate::simulation::{Simulation, SimulationOptions};
use serde_json::Value;

json_struct! {
    /// The change of one disbursement option of a portability.
    pub struct ChangeJson {
        /// The payroll loan's disbursement date for this option.
        disbursement_date: NaiveDate => "disbursement_date" [date],
        /// The payroll loan's `disbursed_issue_amount`.
        disbursed_issue_amount: Num => "disbursed_issue_amount",
        /// `final_disbursement_amount`: the change (negative when there is a shortfall).
        final_disbursement_amount: Num => "final_disbursement_amount",
        /// The payroll loan's `issue_amount`.
        issue_amount: Num => "issue_amount",
        /// The bridge balance refinanced.
        refinanced_balance: Num => "refinanced_balance",
        /// How much is missing when the loan does not cover the balance; null otherwise.
        shortfall_amount: Option<Num> => "shortfall_amount",
    }
}

json_struct! {
    /// The output of `qitech-sim portability`.
    pub struct PortabilityResponse {
        /// The bridge loan, as QI's issuance `data`.
        bridge_loan: DebtData => "bridge_loan",
        /// The change per disbursement option.
        change: Vec<ChangeJson> => "change",
        /// The payroll loan, as QI's simulation `data`.
        payroll_loan: SimulationData => "payroll_loan",
    }
}

impl PortabilityResponse {
    /// Renders a priced portability of `request`.
    pub fn new(request: &PortabilityRequest, p: &Portability) -> Self {
        let bridge_req = SimulationRequest::from_terms(p.bridge.terms.clone());
        let bridge_sim = Simulation {
            options: vec![p.bridge.quote.clone()],
            option_days: p.payroll.option_days,
        };
        let mut payroll_req = SimulationRequest::from_terms(p.payroll_terms.clone());
        payroll_req.collaterals.push(Collateral {
            collateral_type: request.collateral_type,
            collateral_data: None,
        });
        PortabilityResponse {
            bridge_loan: DebtData::new(&bridge_req, &bridge_sim, &SimulationOptions::new()),
            change: p
                .payroll
                .options
                .iter()
                .map(|q| ChangeJson {
                    disbursement_date: q.disbursement_date,
                    disbursed_issue_amount: q.disbursed_issue_amount.into(),
                    final_disbursement_amount: q.final_disbursement_amount.into(),
                    issue_amount: q.schedule.issue_amount.into(),
                    refinanced_balance: q.refinanced_total.into(),
                    shortfall_amount: q.shortfall().map(Num),
                })
                .collect(),
            payroll_loan: SimulationData::new(&payroll_req, &p.payroll),
        }
    }
}

/// Runs the portability of `request` with `options` for the payroll loan (the bridge has no fees).
///
/// # Errors
/// Input errors of either loan.
///
/// # Example
/// ```
/// use qitech_sim::{api, SimulationOptions};
/// let text = std::fs::read_to_string("fixtures/airforce/portability.json")?;
/// let request = api::PortabilityRequest::from_json(&text, "portability.json")?;
/// let response = api::portability_request(&request, &SimulationOptions::new())?;
/// assert_eq!(response.change[0].final_disbursement_amount.0.to_string(), "15625.90");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn portability_request(
    request: &PortabilityRequest,
    options: &SimulationOptions,
) -> Result<PortabilityResponse> {
    let p = portability::portability(&request.terms, options)?;
    Ok(PortabilityResponse::new(request, &p))
}

/// [`portability_request`] from JSON text.
///
/// # Errors
/// [`crate::Error::Json`] for text that is not JSON; input errors naming the field and value.
pub fn portability_json(text: &str, options: &SimulationOptions) -> Result<PortabilityResponse> {
    portability_request(&PortabilityRequest::from_json(text, "request")?, options)
}

json_struct! {
    /// The answer to "which installment gives this change?" (`portability --target-change`).
    pub struct TargetChangeResponse {
        /// The smallest installment face value, to the cent, whose change reaches the target.
        installment_face_value: Num => "installment_face_value",
        /// The portability at that face value.
        portability: PortabilityResponse => "portability",
        /// The change asked for.
        target_change: Num => "target_change",
    }
}

/// The smallest installment face value whose change (first option) reaches `target`, and the
/// portability at it.
///
/// # Errors
/// Input errors; [`crate::ErrorKind::NoSolution`] when no face value reaches the target.
pub fn target_change(
    request: &PortabilityRequest,
    target: rust_decimal::Decimal,
    options: &SimulationOptions,
) -> Result<TargetChangeResponse> {
    let p = portability::portability(&request.terms, options)?;
    let f = portability::min_face_value_for_change(&p.payroll_terms, target, options)?;
    let mut at_f = request.clone();
    at_f.terms.payroll.installment_face_value = f;
    Ok(TargetChangeResponse {
        installment_face_value: Num(f),
        portability: portability_request(&at_f, options)?,
        target_change: Num(target),
    })
}

json_struct! {
    /// The change of one number of installments.
    pub struct ChangeByInstallmentsJson {
        /// The change (first option), negative for a shortfall.
        final_disbursement_amount: Num => "final_disbursement_amount",
        /// `number_of_installments`.
        number_of_installments: u32 => "number_of_installments",
    }
}

json_struct! {
    /// The change a margin gives for each number of installments (`portability
    /// --installments-range`), and the best.
    pub struct InstallmentsRangeResponse {
        /// The row with the largest change (the fewest installments among equals).
        best: Option<ChangeByInstallmentsJson> => "best",
        /// One row per number of installments, in order.
        changes: Vec<ChangeByInstallmentsJson> => "changes",
        /// The margin.
        installment_face_value: Num => "installment_face_value",
    }
}

/// The change the request's margin gives for each number of installments in `counts`.
///
/// # Errors
/// Input errors of the simulation.
pub fn change_by_installments(
    request: &PortabilityRequest,
    counts: std::ops::RangeInclusive<u32>,
    options: &SimulationOptions,
) -> Result<InstallmentsRangeResponse> {
    let p = portability::portability(&request.terms, options)?;
    let f = request.terms.payroll.installment_face_value;
    let rows = portability::change_by_installments(&p.payroll_terms, f, counts, options)?;
    let best = rows.iter().max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)));
    let row = |(n, ch): &(u32, rust_decimal::Decimal)| ChangeByInstallmentsJson {
        final_disbursement_amount: Num(*ch),
        number_of_installments: *n,
    };
    Ok(InstallmentsRangeResponse {
        best: best.map(row),
        changes: rows.iter().map(row).collect(),
        installment_face_value: Num(f),
    })
}

/// Keys of the flat portability input.
const PORTABILITY_KEYS: &[&str] = &[
    "annual_interest_rate",
    "contract",
    "bridge_annual_interest_rate",
    "bridge_disbursement_date",
    "bridge_first_due_date_delay",
    "collateral_type",
    "first_due_date",
    "installment_face_value",
    "interest_base",
    "limit_days_to_disburse",
    "monthly_interest_rate",
    "number_of_installments",
    "outstanding_balance",
];

// ---------------------------------------------------------------------------------------------
// Portability (`qitech-sim portability`)

/// The input of `qitech-sim portability`: one flat JSON object.
///
/// ```json
/// {"outstanding_balance": 80492.95, "bridge_annual_interest_rate": 0.20983,
///  "bridge_disbursement_date": "2023-03-17", "bridge_first_due_date_delay": 5,
///  "installment_face_value": 100.0, "number_of_installments": 96, "monthly_interest_rate": 0.0205,
///  "interest_base": "calendar_days", "collateral_type": "airforce_payroll",
///  "first_due_date": "2023-06-10", "limit_days_to_disburse": 3}
/// ```
/// `bridge_first_due_date_delay` defaults to 5, `interest_base` to `calendar_days`,
/// `limit_days_to_disburse` to 0; `annual_interest_rate` may replace `monthly_interest_rate`;
/// `contract` (the old loan: an issuance body or a `debt` response) may replace
/// `outstanding_balance`, read through [`super::Service`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct PortabilityRequest {
    /// The chain's terms.
    pub terms: PortabilityTerms,
    /// `collateral_type` of the payroll loan.
    pub collateral_type: CollateralType,
}

impl PortabilityRequest {
    /// Reads the flat portability input, refusing keys it does not know.
    ///
    /// # Errors
    /// [`crate::Error::Json`] for text that is not JSON; otherwise an error naming the field and
    /// value.
    pub fn from_json(text: &str, source_name: &str) -> Result<Self> {
        Self::from_json_with(text, source_name, false)
    }

    /// [`PortabilityRequest::from_json`], accepting unknown keys when `allow_unknown`.
    ///
    /// # Errors
    /// As [`PortabilityRequest::from_json`].
    pub fn from_json_with(text: &str, source_name: &str, allow_unknown: bool) -> Result<Self> {
        Self::from_value_with(
            &parse_json(text, source_name)?,
            source_name,
            ReadOptions::default().allow_unknown(allow_unknown),
        )
    }

    /// Reads the flat portability input from a parsed value (`source_name` names it when it is
    /// not an object), with the parse options `read`.
    ///
    /// # Errors
    /// As [`PortabilityRequest::from_json`].
    pub fn from_value_with(v: &Value, source_name: &str, read: ReadOptions) -> Result<Self> {
        let no_options = Error::unsupported(
            "contract",
            "a contract",
            "the old loan's contract is priced: read the body with its options (api::Service)",
        );
        Self::read_in(&Node::from_value(v), source_name, read, Err(&no_options))
    }

    /// [`PortabilityRequest::from_value_with`]; the old loan may be given by its `contract` (an
    /// issuance body or a `debt` response, read with `options` as
    /// [`super::contract_from_value`] reads it, errors named under `contract.`) instead of
    /// `outstanding_balance`: the balance the bridge pays off is then the contract's present
    /// value on `bridge_disbursement_date` (the day the bridge pays the old loan off).
    pub(crate) fn read_in(
        v: &Node<'_>,
        source_name: &str,
        read: ReadOptions,
        options: std::result::Result<&SimulationOptions, &Error>,
    ) -> Result<Self> {
        let o = Obj::root(v, source_name)?;
        if !read.allow_unknown_fields
            && let Some(u) = unknown_in(o.entries, "", PORTABILITY_KEYS)
        {
            return Err(u.error());
        }
        let typed_balance = o.decimal("outstanding_balance")?;
        let bridge_rate = AnnualRate::for_field(
            o.required(
                "bridge_annual_interest_rate",
                o.decimal("bridge_annual_interest_rate")?,
            )?,
            "bridge_annual_interest_rate",
        )?;
        let bridge_disbursement_date = o.required(
            "bridge_disbursement_date",
            o.date("bridge_disbursement_date")?,
        )?;
        let outstanding_balance = match (typed_balance, o.get("contract")) {
            (Some(b), None) => b,
            (None, None) => return Err(Error::missing("outstanding_balance")),
            (Some(_), Some(_)) => {
                return Err(Error::conflict(
                    "outstanding_balance",
                    short(o.get("outstanding_balance").unwrap_or(&Node::Null)),
                    "give the old loan's contract or its outstanding_balance, not both",
                ));
            }
            (None, Some(c)) => {
                let options = options.map_err(Clone::clone)?;
                let nested = |e: Error| e.rename_field(|f| Some(format!("contract.{f}")));
                let contract = super::contract_from_value(&c.to_value(), "contract", options)
                    .map_err(nested)?;
                crate::loan::contract_payoff(&contract, bridge_disbursement_date, "contract")?
            }
        };
        let bridge_delay_days = o
            .u32("bridge_first_due_date_delay")?
            .unwrap_or(portability::BRIDGE_DELAY_DAYS);
        let base = match o.string("interest_base")? {
            Some(b) => InterestBase::parse_named(&b, "interest_base")?,
            None => InterestBase::CalendarDays,
        };
        let input = o.rate_input()?;
        let t = o.required("collateral_type", o.string("collateral_type")?)?;
        let collateral_type = parse_collateral_type(&t, "collateral_type")?;
        let payroll = PayrollTerms::new(
            o.required(
                "installment_face_value",
                o.decimal("installment_face_value")?,
            )?,
            o.required("number_of_installments", o.u32("number_of_installments")?)?,
            InterestRate::new(input, base)?,
            o.required("first_due_date", o.date("first_due_date")?)?,
        )?
        .limit_days_to_disburse(o.u32("limit_days_to_disburse")?.unwrap_or(0));
        let terms = PortabilityTerms::new(
            outstanding_balance,
            bridge_rate,
            bridge_disbursement_date,
            payroll,
        )?
        .bridge_delay_days(bridge_delay_days);
        Ok(PortabilityRequest {
            terms,
            collateral_type,
        })
    }
}
