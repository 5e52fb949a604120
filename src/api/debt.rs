//! The issuance endpoint (`/debt`): the `data` of QI's issuance response for the requested
//! disbursement date, and its pipeline. The contract block (signature URLs, document links) is QI's
//! paperwork, not arithmetic, and is omitted.

use chrono::NaiveDate;
use serde_json::Value;

use super::key::hash_key;
use super::number::{Num, percent_pt_br};
use super::request::{Collateral, CollateralType, SimulationRequest};
use super::simulation::{
    ContractFeeJson, ExternalFeeJson, PrefixedInterestRateJson, contract_fees_json, derived_key,
    external_fees_json, installment_json, rate_json,
};
use super::writer::{self, json_struct};
use crate::error::Result;
use crate::simulation::{Simulation, SimulationOptions, simulate};

json_struct! {
    /// The borrower echo of an issuance response.
    pub struct BorrowerJson {
        /// `document_number` (the request's `individual_document_number`).
        document_number: Option<String> => "document_number",
        /// `name`.
        name: Option<String> => "name",
    }
}

json_struct! {
    /// One installment of an issuance response: the simulation's installment plus its life-cycle fields,
    /// all at their initial values.
    pub struct DebtInstallmentJson {
        /// `accrual_reference_date` (null).
        accrual_reference_date: Option<String> => "accrual_reference_date",
        /// `additional_costs` (empty).
        additional_costs: Vec<Value> => "additional_costs",
        /// `advanced_paid_amount` (0).
        advanced_paid_amount: Num => "advanced_paid_amount",
        /// `bank_slip_key` (null).
        bank_slip_key: Option<String> => "bank_slip_key",
        /// `business_due_date`.
        business_due_date: NaiveDate => "business_due_date" [date],
        /// `calendar_days`.
        calendar_days: u32 => "calendar_days",
        /// `digitable_line` (null).
        digitable_line: Option<String> => "digitable_line",
        /// `due_date`.
        due_date: NaiveDate => "due_date" [date],
        /// `due_interest` (0).
        due_interest: Num => "due_interest",
        /// `due_principal`.
        due_principal: Num => "due_principal",
        /// `fine_amount` (null).
        fine_amount: Option<Num> => "fine_amount",
        /// `has_interest`.
        has_interest: bool => "has_interest",
        /// `installment_history` (empty).
        installment_history: Vec<Value> => "installment_history",
        /// `installment_key`: derived from the operation key and the number (not QI's key).
        installment_key: String => "installment_key",
        /// `installment_number`.
        installment_number: u32 => "installment_number",
        /// `installment_payment` (empty).
        installment_payment: Vec<Value> => "installment_payment",
        /// `installment_status` (`created`).
        installment_status: String => "installment_status",
        /// `installment_type` (`principal`).
        installment_type: String => "installment_type",
        /// `original_due_principal`.
        original_due_principal: Num => "original_due_principal",
        /// `original_pre_fixed_amount`.
        original_pre_fixed_amount: Num => "original_pre_fixed_amount",
        /// `original_principal_amortization_amount`.
        original_principal_amortization_amount: Num => "original_principal_amortization_amount",
        /// `original_total_amount`.
        original_total_amount: Num => "original_total_amount",
        /// `paid_amount` (0).
        paid_amount: Num => "paid_amount",
        /// `paid_at` (null).
        paid_at: Option<String> => "paid_at",
        /// `post_fixed_amount` (0).
        post_fixed_amount: Num => "post_fixed_amount",
        /// `pre_fixed_amount`.
        pre_fixed_amount: Num => "pre_fixed_amount",
        /// `principal_amortization_amount`.
        principal_amortization_amount: Num => "principal_amortization_amount",
        /// `qr_code_key` (null).
        qr_code_key: Option<String> => "qr_code_key",
        /// `qr_code_url` (null).
        qr_code_url: Option<String> => "qr_code_url",
        /// `renegotiation_proposal_key` (null).
        renegotiation_proposal_key: Option<String> => "renegotiation_proposal_key",
        /// `tax_amount`.
        tax_amount: Num => "tax_amount",
        /// `total_accrual_amount` (null).
        total_accrual_amount: Option<Num> => "total_accrual_amount",
        /// `total_amount`.
        total_amount: Num => "total_amount",
        /// `total_paid_amount` (0).
        total_paid_amount: Num => "total_paid_amount",
        /// `workdays`.
        workdays: u32 => "workdays",
    }
}

json_struct! {
    /// The `data` of QI's issuance response (airforce manual §8, `fixtures/personal_credit/`) for the requested disbursement date. The
    /// contract block (signature URLs, document links) is QI's paperwork, not arithmetic, and is omitted.
    pub struct DebtData {
        /// `additional_iof`: 0.38 % of the issue, unrounded.
        additional_iof: Num => "additional_iof",
        /// `annual_cet` as a pt-BR percentage (`"60,4731%"`).
        annual_cet: String => "annual_cet",
        /// `assignment_amount`.
        assignment_amount: Num => "assignment_amount",
        /// `base_iof`: Σ daily IOF, unrounded.
        base_iof: Num => "base_iof",
        /// `borrower` echo.
        borrower: BorrowerJson => "borrower",
        /// `cet` as a pt-BR percentage (`"4,0200%"`).
        cet: String => "cet",
        /// `collaterals`, echoed.
        collaterals: Vec<CollateralEcho> => "collaterals",
        /// `contract_fee_amount`.
        contract_fee_amount: Num => "contract_fee_amount",
        /// `contract_fees`.
        contract_fees: Vec<ContractFeeJson> => "contract_fees",
        /// Extension: `disbursed_issue_amount`, the net the borrower receives.
        disbursed_issue_amount: Num => "disbursed_issue_amount",
        /// `external_contract_fee_amount`.
        external_contract_fee_amount: Num => "external_contract_fee_amount",
        /// `external_contract_fees`.
        external_contract_fees: Vec<ExternalFeeJson> => "external_contract_fees",
        /// Extension: `final_disbursement_amount` (the change, after refinanced balances).
        final_disbursement_amount: Num => "final_disbursement_amount",
        /// `installments`.
        installments: Vec<DebtInstallmentJson> => "installments",
        /// `iof_charge_method` (`financed`).
        iof_charge_method: String => "iof_charge_method",
        /// `issue_amount`.
        issue_amount: Num => "issue_amount",
        /// `net_external_contract_fee_amount`.
        net_external_contract_fee_amount: Num => "net_external_contract_fee_amount",
        /// `number_of_installments`.
        number_of_installments: u32 => "number_of_installments",
        /// `prefixed_interest_rate`.
        prefixed_interest_rate: PrefixedInterestRateJson => "prefixed_interest_rate",
        /// `requester_identifier_key`, echoed.
        requester_identifier_key: Option<String> => "requester_identifier_key",
        /// `total_iof`.
        total_iof: Num => "total_iof",
        /// `total_pre_fixed_amount`.
        total_pre_fixed_amount: Num => "total_pre_fixed_amount",
    }
}

impl DebtData {
    /// Builds the issuance `data` for the first option of `simulation` (the requested date).
    pub fn new(
        request: &SimulationRequest,
        simulation: &Simulation,
        options: &SimulationOptions,
    ) -> Self {
        let q = simulation.first();
        let key = derived_key(request, options, None);
        let installments = q
            .schedule
            .installments
            .iter()
            .map(|i| {
                let s = installment_json(i);
                DebtInstallmentJson {
                    accrual_reference_date: None,
                    additional_costs: vec![],
                    advanced_paid_amount: Num::default(),
                    bank_slip_key: None,
                    business_due_date: s.business_due_date,
                    calendar_days: s.calendar_days,
                    digitable_line: None,
                    due_date: s.due_date,
                    due_interest: Num::default(),
                    due_principal: s.due_principal,
                    fine_amount: None,
                    has_interest: true,
                    installment_history: vec![],
                    installment_key: hash_key(&format!("{key}/{}", s.installment_number)),
                    installment_number: s.installment_number,
                    installment_payment: vec![],
                    installment_status: "created".into(),
                    installment_type: "principal".into(),
                    original_due_principal: s.due_principal,
                    original_pre_fixed_amount: s.pre_fixed_amount,
                    original_principal_amortization_amount: s.principal_amortization_amount,
                    original_total_amount: s.total_amount,
                    paid_amount: Num::default(),
                    paid_at: None,
                    post_fixed_amount: Num::default(),
                    pre_fixed_amount: s.pre_fixed_amount,
                    principal_amortization_amount: s.principal_amortization_amount,
                    qr_code_key: None,
                    qr_code_url: None,
                    renegotiation_proposal_key: None,
                    tax_amount: s.tax_amount,
                    total_accrual_amount: None,
                    total_amount: s.total_amount,
                    total_paid_amount: Num::default(),
                    workdays: s.workdays,
                }
            })
            .collect();
        DebtData {
            additional_iof: q.iof.additional.into(),
            annual_cet: percent_pt_br(q.cet.annual),
            assignment_amount: q.assignment_amount.into(),
            base_iof: q.iof.base.into(),
            borrower: request.borrower.clone(),
            cet: percent_pt_br(q.cet.monthly),
            collaterals: request
                .collaterals
                .iter()
                .map(CollateralEcho::from)
                .collect(),
            contract_fee_amount: q.fees.contract_fee_amount.into(),
            contract_fees: contract_fees_json(q),
            disbursed_issue_amount: q.disbursed_issue_amount.into(),
            external_contract_fee_amount: q.fees.external_contract_fee_amount.into(),
            external_contract_fees: external_fees_json(q),
            final_disbursement_amount: q.final_disbursement_amount.into(),
            installments,
            iof_charge_method: "financed".into(),
            issue_amount: q.schedule.issue_amount.into(),
            net_external_contract_fee_amount: q.fees.net_external_contract_fee_amount.into(),
            number_of_installments: request.terms.number_of_installments,
            prefixed_interest_rate: rate_json(q),
            requester_identifier_key: request.requester_key.clone(),
            total_iof: q.iof.total.into(),
            total_pre_fixed_amount: q.total_pre_fixed_amount.into(),
        }
    }

    /// The issuance data as compact JSON (the same bytes as `serde_json::to_vec(self)`).
    pub fn to_json_bytes(&self) -> Vec<u8> {
        writer::to_json_bytes(self, 1024 + 700 * self.installments.len())
    }
}

json_struct! {
    /// A collateral as echoed in responses.
    pub struct CollateralEcho {
        /// `collateral_data`, as given.
        collateral_data: Option<Value> => "collateral_data" [none],
        /// `collateral_type`.
        collateral_type: CollateralType => "collateral_type",
    }
}

impl From<&Collateral> for CollateralEcho {
    fn from(c: &Collateral) -> Self {
        CollateralEcho {
            collateral_data: c.collateral_data.clone(),
            collateral_type: c.collateral_type,
        }
    }
}

/// Runs an issuance (or simulation) request and returns the `data` of QI's issuance response.
///
/// # Errors
/// Any input error, naming the field and value.
pub fn debt_json(text: &str, options: &SimulationOptions) -> Result<DebtData> {
    debt_request(
        &SimulationRequest::from_json_in(text, "request", options)?,
        options,
    )
}

/// [`debt_json`] for a request already read.
///
/// # Errors
/// An unknown key of the request unless the options allow it
/// ([`SimulationRequest::check_fields`]); any input error of the engine, naming the field and
/// value.
pub fn debt_request(request: &SimulationRequest, options: &SimulationOptions) -> Result<DebtData> {
    request.check_fields(options.get_allow_unknown_fields())?;
    // The issuance prints the requested date's option only: the later disbursement options are
    // not priced (the request is still validated whole, so it is refused as before).
    request.terms.validate()?;
    let first_only = request.terms.clone().limit_days_to_disburse(0);
    let sim = simulate(&first_only, options)?;
    Ok(DebtData::new(request, &sim, options))
}
