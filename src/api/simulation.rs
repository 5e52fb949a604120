//! The simulation endpoint (`/debt_simulation`): QI's response shape, built from the engine's
//! [`Simulation`], and the pipeline text → [`SimulationRequest`] → [`simulate`] → [`SimulationResponse`]
//! that the CLI, `batch`, the tests and the benches all call.

use chrono::NaiveDate;

use super::key::{CanonicalPricing, OptionsKey, request_key, request_key_with};
use super::number::Num;
use super::request::SimulationRequest;
use super::writer::{self, json_struct};
use crate::error::Result;
use crate::fees::AmountType;
use crate::rate::InterestBase;
use crate::schedule::Installment;
use crate::simulation::{LoanTerms, Quote, Simulation, SimulationOptions, simulate};

json_struct! {
    /// QI's simulation response envelope: `{"data":{...},"event_datetime":..,"key":..,"status":"finished","type":"debt"}`.
    pub struct SimulationResponse {
        /// The simulation.
        data: SimulationData => "data",
        /// When the simulation was computed (`YYYY-MM-DD HH:MM:SS`, UTC), if the caller supplied a clock.
        event_datetime: Option<String> => "event_datetime",
        /// A key for the simulation: derived from the request, so the same request gets the same key.
        key: String => "key",
        /// `finished`.
        status: String => "status",
        /// `debt`.
        kind: String => "type",
    }
}

json_struct! {
    /// QI's `prefixed_interest_rate`.
    pub struct PrefixedInterestRateJson {
        /// `annual_rate`.
        annual_rate: Num => "annual_rate",
        /// `daily_rate`.
        daily_rate: Num => "daily_rate",
        /// `interest_base`.
        interest_base: InterestBase => "interest_base",
        /// `monthly_rate`.
        monthly_rate: Num => "monthly_rate",
    }
}

json_struct! {
    /// One row of `installments`.
    pub struct InstallmentJson {
        /// `business_due_date`.
        business_due_date: NaiveDate => "business_due_date" [date],
        /// `calendar_days`.
        calendar_days: u32 => "calendar_days",
        /// `due_date`.
        due_date: NaiveDate => "due_date" [date],
        /// `due_principal`.
        due_principal: Num => "due_principal",
        /// `has_interest` (always true for `pre_price_days`).
        has_interest: bool => "has_interest",
        /// `installment_number`.
        installment_number: u32 => "installment_number",
        /// `post_fixed_amount` (null: no post-fixed component).
        post_fixed_amount: Option<Num> => "post_fixed_amount",
        /// `pre_fixed_amount`.
        pre_fixed_amount: Num => "pre_fixed_amount",
        /// `principal_amortization_amount`.
        principal_amortization_amount: Num => "principal_amortization_amount",
        /// `tax_amount`.
        tax_amount: Num => "tax_amount",
        /// `total_amount`.
        total_amount: Num => "total_amount",
        /// `workdays`.
        workdays: u32 => "workdays",
    }
}

json_struct! {
    /// One of `contract_fees`.
    pub struct ContractFeeJson {
        /// `amount` as configured.
        amount: Num => "amount",
        /// `amount_type`.
        amount_type: AmountType => "amount_type",
        /// `fee_amount`.
        fee_amount: Num => "fee_amount",
        /// `fee_type`.
        fee_type: String => "fee_type",
    }
}

json_struct! {
    /// One of `external_contract_fees`.
    pub struct ExternalFeeJson {
        /// `amount` as configured.
        amount: Num => "amount",
        /// `amount_released` = net fee.
        amount_released: Num => "amount_released",
        /// `amount_type`.
        amount_type: AmountType => "amount_type",
        /// `cofins_amount` (0: the tax is reported whole in `tax_amount`).
        cofins_amount: Num => "cofins_amount",
        /// `csll_amount` (0).
        csll_amount: Num => "csll_amount",
        /// `description` (null).
        description: Option<String> => "description",
        /// `fee_amount`.
        fee_amount: Num => "fee_amount",
        /// `fee_type`.
        fee_type: String => "fee_type",
        /// `irrf_amount` (0).
        irrf_amount: Num => "irrf_amount",
        /// `net_fee_amount`.
        net_fee_amount: Num => "net_fee_amount",
        /// `pis_amount` (0).
        pis_amount: Num => "pis_amount",
        /// `tax_amount`.
        tax_amount: Num => "tax_amount",
    }
}

json_struct! {
    /// One of `disbursement_options`: a full loan disbursed on its date.
    pub struct DisbursementOptionJson {
        /// `annual_cet`.
        annual_cet: Num => "annual_cet",
        /// `assignment_amount`.
        assignment_amount: Num => "assignment_amount",
        /// `cet`.
        cet: Num => "cet",
        /// `contract_fee_amount`.
        contract_fee_amount: Num => "contract_fee_amount",
        /// `contract_fees`.
        contract_fees: Vec<ContractFeeJson> => "contract_fees",
        /// `disbursed_issue_amount`.
        disbursed_issue_amount: Num => "disbursed_issue_amount",
        /// `disbursement_date`.
        disbursement_date: NaiveDate => "disbursement_date" [date],
        /// `external_contract_fee_amount`.
        external_contract_fee_amount: Num => "external_contract_fee_amount",
        /// `external_contract_fees`.
        external_contract_fees: Vec<ExternalFeeJson> => "external_contract_fees",
        /// `final_disbursement_amount` of this option (an extension: QI prints it at the top only).
        final_disbursement_amount: Num => "final_disbursement_amount",
        /// `first_due_date`.
        first_due_date: NaiveDate => "first_due_date" [date],
        /// `installments`.
        installments: Vec<InstallmentJson> => "installments" [rows],
        /// `iof_amount`.
        iof_amount: Num => "iof_amount",
        /// `issue_amount`.
        issue_amount: Num => "issue_amount",
        /// `net_external_contract_fee_amount`.
        net_external_contract_fee_amount: Num => "net_external_contract_fee_amount",
        /// `prefixed_interest_rate`.
        prefixed_interest_rate: PrefixedInterestRateJson => "prefixed_interest_rate",
        /// Extension: when the refinanced balances exceed what this option disburses, by how much
        /// (`final_disbursement_amount` is then negative); null otherwise.
        shortfall_amount: Option<Num> => "shortfall_amount",
        /// `total_pre_fixed_amount`.
        total_pre_fixed_amount: Num => "total_pre_fixed_amount",
    }
}

json_struct! {
    /// A refinanced operation, echoed (extension).
    pub struct RefinancedJson {
        /// `due_balance`.
        due_balance: Num => "due_balance",
        /// `operation_key`.
        operation_key: Option<String> => "operation_key" [none],
        /// `original_deadline`.
        original_deadline: Option<u32> => "original_deadline" [none],
    }
}

json_struct! {
    /// The `data` of the simulation response, field for field as QI's §3 prints it, plus the
    /// extensions noted on their fields.
    pub struct SimulationData {
        /// `annual_cet`.
        annual_cet: Num => "annual_cet",
        /// `assignment_amount`.
        assignment_amount: Num => "assignment_amount",
        /// `cet`.
        cet: Num => "cet",
        /// `contract_fee_amount`.
        contract_fee_amount: Num => "contract_fee_amount",
        /// `contract_fees`.
        contract_fees: Vec<ContractFeeJson> => "contract_fees",
        /// `credit_operation_type`.
        credit_operation_type: String => "credit_operation_type",
        /// `disbursed_issue_amount`.
        disbursed_issue_amount: Num => "disbursed_issue_amount",
        /// `disbursement_date`.
        disbursement_date: NaiveDate => "disbursement_date" [date],
        /// `disbursement_options`.
        disbursement_options: Vec<DisbursementOptionJson> => "disbursement_options" [options],
        /// Extension: which days got an option (`calendar_days` or `business_days`).
        disbursement_options_policy: String => "disbursement_options_policy",
        /// `external_contract_fee_amount`.
        external_contract_fee_amount: Num => "external_contract_fee_amount",
        /// `external_contract_fees`.
        external_contract_fees: Vec<ExternalFeeJson> => "external_contract_fees",
        /// `final_disbursement_amount`: the change.
        final_disbursement_amount: Num => "final_disbursement_amount",
        /// `installments` (the first option's rows).
        installments: Vec<InstallmentJson> => "installments" [first_rows],
        /// `interest_grace_period`.
        interest_grace_period: u32 => "interest_grace_period",
        /// `interest_payment_month_period`: months between installments.
        interest_payment_month_period: u32 => "interest_payment_month_period",
        /// `interest_type`.
        interest_type: String => "interest_type",
        /// `iof_amount`.
        iof_amount: Num => "iof_amount",
        /// `issue_amount`.
        issue_amount: Num => "issue_amount",
        /// `issue_date`.
        issue_date: NaiveDate => "issue_date" [date],
        /// `net_external_contract_fee_amount`.
        net_external_contract_fee_amount: Num => "net_external_contract_fee_amount",
        /// `number_of_installments`.
        number_of_installments: u32 => "number_of_installments",
        /// `operation_type`: `settlement_refinancing` when the loan refinances, else
        /// `structured_operation`.
        operation_type: String => "operation_type",
        /// `post_fixed_interest_base` (`workdays`).
        post_fixed_interest_base: String => "post_fixed_interest_base",
        /// `post_fixed_interest_rate` (null).
        post_fixed_interest_rate: Option<Num> => "post_fixed_interest_rate",
        /// `prefixed_interest_rate`.
        prefixed_interest_rate: PrefixedInterestRateJson => "prefixed_interest_rate",
        /// `principal_amortization_month_period`: months between installments.
        principal_amortization_month_period: u32 => "principal_amortization_month_period",
        /// `principal_grace_period`.
        principal_grace_period: u32 => "principal_grace_period",
        /// Extension: the refinanced operations, echoed.
        refinanced_credit_operations: Vec<RefinancedJson> => "refinanced_credit_operations" [empty],
        /// `requester_key`.
        requester_key: Option<String> => "requester_key",
        /// Extension: the shortfall of the first option (see [`DisbursementOptionJson::shortfall_amount`]).
        shortfall_amount: Option<Num> => "shortfall_amount",
        /// `total_pre_fixed_amount`.
        total_pre_fixed_amount: Num => "total_pre_fixed_amount",
    }
}

pub(crate) fn installment_json(i: &Installment) -> InstallmentJson {
    InstallmentJson {
        business_due_date: i.period.business_due_date,
        calendar_days: i.period.calendar_days,
        due_date: i.period.due_date,
        due_principal: i.due_principal.into(),
        has_interest: true,
        installment_number: i.period.number,
        post_fixed_amount: None,
        pre_fixed_amount: i.pre_fixed_amount.into(),
        principal_amortization_amount: i.principal_amortization_amount.into(),
        tax_amount: i.tax_amount.into(),
        total_amount: i.total_amount.into(),
        workdays: i.period.workdays,
    }
}

fn installments_json(q: &Quote) -> Vec<InstallmentJson> {
    q.schedule
        .installments
        .iter()
        .map(installment_json)
        .collect()
}

pub(crate) fn contract_fees_json(q: &Quote) -> Vec<ContractFeeJson> {
    q.fees
        .contract
        .iter()
        .map(|f| ContractFeeJson {
            amount: f.rule.amount.into(),
            amount_type: f.rule.amount_type,
            fee_amount: f.fee_amount.into(),
            fee_type: f.rule.fee_type.clone(),
        })
        .collect()
}

pub(crate) fn external_fees_json(q: &Quote) -> Vec<ExternalFeeJson> {
    q.fees
        .external
        .iter()
        .map(|f| ExternalFeeJson {
            amount: f.rule.amount.into(),
            amount_released: f.net_fee_amount.into(),
            amount_type: f.rule.amount_type,
            cofins_amount: Num::default(),
            csll_amount: Num::default(),
            description: None,
            fee_amount: f.fee_amount.into(),
            fee_type: f.rule.fee_type.clone(),
            irrf_amount: Num::default(),
            net_fee_amount: f.net_fee_amount.into(),
            pis_amount: Num::default(),
            tax_amount: f.tax_amount.into(),
        })
        .collect()
}

pub(crate) fn rate_json(q: &Quote) -> PrefixedInterestRateJson {
    PrefixedInterestRateJson {
        annual_rate: q.rate.annual_rate.into(),
        daily_rate: q.rate.daily_rate.into(),
        interest_base: q.rate.interest_base,
        monthly_rate: q.rate.monthly_rate.into(),
    }
}

fn option_json(q: &Quote) -> DisbursementOptionJson {
    DisbursementOptionJson {
        annual_cet: q.cet.annual.into(),
        assignment_amount: q.assignment_amount.into(),
        cet: q.cet.monthly.into(),
        contract_fee_amount: q.fees.contract_fee_amount.into(),
        contract_fees: contract_fees_json(q),
        disbursed_issue_amount: q.disbursed_issue_amount.into(),
        disbursement_date: q.disbursement_date,
        external_contract_fee_amount: q.fees.external_contract_fee_amount.into(),
        external_contract_fees: external_fees_json(q),
        final_disbursement_amount: q.final_disbursement_amount.into(),
        shortfall_amount: q.shortfall().map(Num),
        first_due_date: q.first_due_date,
        installments: installments_json(q),
        iof_amount: q.iof.total.into(),
        issue_amount: q.schedule.issue_amount.into(),
        net_external_contract_fee_amount: q.fees.net_external_contract_fee_amount.into(),
        prefixed_interest_rate: rate_json(q),
        total_pre_fixed_amount: q.total_pre_fixed_amount.into(),
    }
}

impl SimulationResponse {
    /// Builds QI's response for `request` from its computed `simulation` (the top-level numbers
    /// are the first option's: QI prints them twice).
    pub fn new(
        request: &SimulationRequest,
        simulation: &Simulation,
        options: &SimulationOptions,
        event_datetime: Option<String>,
    ) -> Self {
        Self::keyed(
            request,
            simulation,
            derived_key(request, options, None),
            event_datetime,
        )
    }

    /// [`SimulationResponse::new`] under `key` (the request's, computed by the caller).
    fn keyed(
        request: &SimulationRequest,
        simulation: &Simulation,
        key: String,
        event_datetime: Option<String>,
    ) -> Self {
        SimulationResponse {
            data: SimulationData::new(request, simulation),
            event_datetime,
            key,
            status: "finished".into(),
            kind: "debt".into(),
        }
    }

    /// The response as compact JSON: the same bytes as `serde_json::to_vec(self)`, about twice as
    /// fast (what `qitech-sim batch` writes).
    pub fn to_json_bytes(&self) -> Vec<u8> {
        writer::to_json_bytes(self, self.size_hint())
    }

    /// [`SimulationResponse::to_json_bytes`] appended to `out`: the same bytes, into a buffer the
    /// caller reuses (`qitech-sim batch` recycles its output buffers, so that a 64 KB response
    /// does not fault in fresh pages each time).
    pub fn append_json_to(&self, out: &mut Vec<u8>) {
        writer::append_json(self, self.size_hint(), out);
    }

    /// About 330 bytes an installment, printed twice (top level and first option).
    fn size_hint(&self) -> usize {
        let rows = self.data.installments.len() * (1 + self.data.disbursement_options.len());
        1024 + 340 * rows
    }
}

impl SimulationData {
    /// The `data` of the simulation response.
    pub fn new(request: &SimulationRequest, simulation: &Simulation) -> Self {
        let first = simulation.first();
        let disbursement_options: Vec<DisbursementOptionJson> =
            simulation.options.iter().map(option_json).collect();
        // QI prints the first option's installments twice: copy the rendered rows (the first
        // option exists: `first()` above is it).
        let installments = disbursement_options[0].installments.clone();
        SimulationData {
            annual_cet: first.cet.annual.into(),
            assignment_amount: first.assignment_amount.into(),
            cet: first.cet.monthly.into(),
            contract_fee_amount: first.fees.contract_fee_amount.into(),
            contract_fees: contract_fees_json(first),
            credit_operation_type: request.credit_operation_type.clone(),
            disbursed_issue_amount: first.disbursed_issue_amount.into(),
            disbursement_date: first.disbursement_date,
            disbursement_options,
            disbursement_options_policy: simulation.option_days.as_str().to_string(),
            external_contract_fee_amount: first.fees.external_contract_fee_amount.into(),
            external_contract_fees: external_fees_json(first),
            final_disbursement_amount: first.final_disbursement_amount.into(),
            shortfall_amount: first.shortfall().map(Num),
            installments,
            interest_grace_period: request.interest_grace_period,
            interest_payment_month_period: request.terms.month_period,
            interest_type: first.amortization.as_str().to_string(),
            iof_amount: first.iof.total.into(),
            issue_amount: first.schedule.issue_amount.into(),
            issue_date: request.issue_date,
            net_external_contract_fee_amount: first.fees.net_external_contract_fee_amount.into(),
            number_of_installments: request.terms.number_of_installments,
            operation_type: request.terms.operation_type().into(),
            post_fixed_interest_base: "workdays".into(),
            post_fixed_interest_rate: None,
            prefixed_interest_rate: rate_json(first),
            principal_amortization_month_period: request.terms.month_period,
            principal_grace_period: request.principal_grace_period,
            refinanced_credit_operations: request
                .terms
                .refinanced
                .iter()
                .zip(&first.refinanced_balances)
                .map(|(r, balance)| RefinancedJson {
                    // A contract's balance is computed per option: the first option's.
                    due_balance: if r.contract.is_some() {
                        *balance
                    } else {
                        r.due_balance
                    }
                    .into(),
                    operation_key: r.operation_key.clone(),
                    original_deadline: r.original_deadline,
                })
                .collect(),
            requester_key: request.requester_key.clone(),
            total_pre_fixed_amount: first.total_pre_fixed_amount.into(),
        }
    }
}

/// A UUID-shaped key derived from everything that makes the response what it is — the whole request
/// (its JSON text when it was read from one, else its terms and echoed fields) and the options
/// (pricing, policies) — by FNV-1a: the same request and options get the same key, any difference
/// another. It is not QI's key. `cached` is the options' key bytes when the caller holds them
/// (they are computed from `options` otherwise).
pub(crate) fn derived_key(
    request: &SimulationRequest,
    options: &SimulationOptions,
    cached: Option<&OptionsKey>,
) -> String {
    match cached {
        Some(k) => request_key_with(request.text_hash, &Canonical(request), k),
        None => request_key(request.text_hash, &Canonical(request), options),
    }
}

/// The canonical text of a request built in Rust (no JSON to hash): every field of the request
/// and of its terms, destructured exhaustively, so that a field added to either cannot be left out
/// of the key (the compiler names this function), whatever the types' `Debug` shows.
struct Canonical<'a>(&'a SimulationRequest);

impl std::fmt::Debug for Canonical<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let SimulationRequest {
            terms,
            issue_date,
            credit_operation_type,
            interest_type,
            interest_grace_period,
            principal_grace_period,
            collaterals,
            requester_key,
            borrower,
            text_hash: _,
            unknown_field: _,
        } = self.0;
        let LoanTerms {
            amount,
            amortization,
            borrower: person,
            number_of_installments,
            rate,
            disbursement_date,
            first_due,
            limit_days_to_disburse,
            refinanced,
            due_dates,
            installment_totals,
            month_period,
            move_due_dates,
            rebates,
            explicit_interest_base,
        } = terms;
        f.debug_list()
            .entries([
                &amount as &dyn std::fmt::Debug,
                amortization,
                person,
                number_of_installments,
                rate,
                disbursement_date,
                first_due,
                limit_days_to_disburse,
                refinanced,
                due_dates,
                installment_totals,
                month_period,
                move_due_dates,
                &CanonicalPricing(rebates),
                explicit_interest_base,
                issue_date,
                credit_operation_type,
                interest_type,
                interest_grace_period,
                principal_grace_period,
                collaterals,
                requester_key,
                borrower,
            ])
            .finish()
    }
}

/// Runs a simulation request end to end: JSON text in, QI's response out.
///
/// # Errors
/// Any input error, naming the field and value.
///
/// # Example
/// ```
/// use qitech_sim::{api, SimulationOptions};
/// let request = r#"{"financial": {"installment_face_value": 100.0, "number_of_installments": 2,
///     "monthly_interest_rate": 0.0205, "disbursement_date": "2023-03-14",
///     "first_due_date": "2023-04-07"}}"#;
/// let response = api::simulate_json(request, &SimulationOptions::new(), None)?;
/// assert_eq!(response.data.issue_amount.0.to_string(), "194.80");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn simulate_json(
    text: &str,
    options: &SimulationOptions,
    event_datetime: Option<String>,
) -> Result<SimulationResponse> {
    simulate_request(
        &SimulationRequest::from_json_in(text, "request", options)?,
        options,
        event_datetime,
    )
}

/// [`simulate_json`] for a request already read.
///
/// # Errors
/// An unknown key of the request unless the options allow it
/// ([`SimulationRequest::check_fields`]); any input error of the engine, naming the field and
/// value.
pub fn simulate_request(
    request: &SimulationRequest,
    options: &SimulationOptions,
    event_datetime: Option<String>,
) -> Result<SimulationResponse> {
    simulate_keyed(request, options, None, event_datetime)
}

/// [`simulate_request`] with the options' key bytes when the caller holds them
/// ([`crate::api::Service`] computes them once).
pub(crate) fn simulate_keyed(
    request: &SimulationRequest,
    options: &SimulationOptions,
    cached: Option<&OptionsKey>,
    event_datetime: Option<String>,
) -> Result<SimulationResponse> {
    request.check_fields(options.get_allow_unknown_fields())?;
    let sim = simulate(&request.terms, options)?;
    Ok(SimulationResponse::keyed(
        request,
        &sim,
        derived_key(request, options, cached),
        event_datetime,
    ))
}

json_struct! {
    /// One disbursement option of a [`SummaryResponse`]: the option's headline numbers, each the
    /// same value as the full response's field of the same name.
    pub struct SummaryOptionJson {
        /// `annual_cet`.
        annual_cet: Num => "annual_cet",
        /// `cet` (monthly).
        cet: Num => "cet",
        /// `contract_fee_amount`: the fees.
        contract_fee_amount: Num => "contract_fee_amount",
        /// `disbursed_issue_amount`.
        disbursed_issue_amount: Num => "disbursed_issue_amount",
        /// `disbursement_date`.
        disbursement_date: NaiveDate => "disbursement_date" [date],
        /// `final_disbursement_amount`: the change (negative with a shortfall).
        final_disbursement_amount: Num => "final_disbursement_amount",
        /// `total_amount` of the first installment.
        first_installment_total: Option<Num> => "first_installment_total",
        /// `iof_amount`.
        iof_amount: Num => "iof_amount",
        /// `issue_amount`.
        issue_amount: Num => "issue_amount",
        /// `shortfall_amount`: how much the refinanced balances exceed what the option disburses.
        shortfall_amount: Option<Num> => "shortfall_amount" [none],
    }
}

json_struct! {
    /// The one-line summary `qitech-sim batch --summary` prints per request: the full response's
    /// `key` and `requester_key`, and per disbursement option its headline numbers.
    pub struct SummaryResponse {
        /// The same `key` as the full response's.
        key: String => "key",
        /// One entry per disbursement option, in date order (the first is the requested date).
        options: Vec<SummaryOptionJson> => "options",
        /// `requester_key`.
        requester_key: Option<String> => "requester_key",
    }
}

fn summary_option_json(q: &Quote) -> SummaryOptionJson {
    SummaryOptionJson {
        annual_cet: q.cet.annual.into(),
        cet: q.cet.monthly.into(),
        contract_fee_amount: q.fees.contract_fee_amount.into(),
        disbursed_issue_amount: q.disbursed_issue_amount.into(),
        disbursement_date: q.disbursement_date,
        final_disbursement_amount: q.final_disbursement_amount.into(),
        first_installment_total: q
            .schedule
            .installments
            .first()
            .map(|i| i.total_amount.into()),
        iof_amount: q.iof.total.into(),
        issue_amount: q.schedule.issue_amount.into(),
        shortfall_amount: q.shortfall().map(Num),
    }
}

impl SummaryResponse {
    /// The summary of `simulation`, priced for `request` with `options`: numbers copied from the
    /// engine's quotes, as [`SimulationResponse::new`] copies them.
    pub fn new(
        request: &SimulationRequest,
        simulation: &Simulation,
        options: &SimulationOptions,
    ) -> Self {
        Self::of(
            derived_key(request, options, None),
            request.requester_key.clone(),
            simulation,
        )
    }

    /// The summary of `simulation` under `key` (a v2 body's: it has no `requester_key`).
    pub(crate) fn of(key: String, requester_key: Option<String>, simulation: &Simulation) -> Self {
        SummaryResponse {
            key,
            options: simulation.options.iter().map(summary_option_json).collect(),
            requester_key,
        }
    }

    /// The summary as compact JSON: the same bytes as `serde_json::to_vec(self)`.
    pub fn to_json_bytes(&self) -> Vec<u8> {
        writer::to_json_bytes(self, 96 + 320 * self.options.len())
    }

    /// [`SummaryResponse::to_json_bytes`] appended to `out` (a buffer the caller reuses).
    pub fn append_json_to(&self, out: &mut Vec<u8>) {
        writer::append_json(self, 96 + 320 * self.options.len(), out);
    }
}

/// [`simulate_request`], summarised: the same checks and errors, a [`SummaryResponse`] out.
///
/// # Errors
/// As [`simulate_request`].
///
/// # Example
/// ```
/// use qitech_sim::{api, SimulationOptions};
/// let request = api::SimulationRequest::from_json(r#"{"financial": {"installment_face_value": 100.0,
///     "number_of_installments": 2, "monthly_interest_rate": 0.0205,
///     "disbursement_date": "2023-03-14", "first_due_date": "2023-04-07"}}"#, "request")?;
/// let summary = api::summarize_request(&request, &SimulationOptions::new())?;
/// assert_eq!(summary.options[0].issue_amount.0.to_string(), "194.80");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn summarize_request(
    request: &SimulationRequest,
    options: &SimulationOptions,
) -> Result<SummaryResponse> {
    summarize_keyed(request, options, None)
}

/// [`summarize_request`] with the options' key bytes when the caller holds them (as
/// [`simulate_keyed`]).
pub(crate) fn summarize_keyed(
    request: &SimulationRequest,
    options: &SimulationOptions,
    cached: Option<&OptionsKey>,
) -> Result<SummaryResponse> {
    request.check_fields(options.get_allow_unknown_fields())?;
    let sim = crate::simulation::simulate_summary(&request.terms, options)?;
    Ok(SummaryResponse::of(
        derived_key(request, options, cached),
        request.requester_key.clone(),
        &sim,
    ))
}
