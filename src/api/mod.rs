//! QI's JSON shapes: one reader of request bodies, one module per response shape, one number
//! formatter, and one pipeline per endpoint (text → typed request → engine → response) that the CLI,
//! `batch`, the tests and the benches all call. Translation only: every number a response prints is
//! computed by the engine ([`crate::Quote`] carries them all); this layer formats.
//!
//! Callers go through [`Service`] (the front door: configuration, profile, options and clock
//! decided once, one entry per endpoint); the per-endpoint pipelines below are its parts.
//!
//! | endpoint | request | pipeline | response |
//! |---|---|---|---|
//! | `/debt_simulation` | [`SimulationRequest`] | [`simulate_json`], [`simulate_request`] | [`SimulationResponse`] |
//! | `batch --summary` line | [`SimulationRequest`] | [`summarize_request`] | [`SummaryResponse`] |
//! | `/debt` (issuance) | [`SimulationRequest`] | [`debt_json`], [`debt_request`] | [`DebtData`] |
//! | portability chain | [`PortabilityRequest`] | [`portability_json`], [`portability_request`], [`target_change`], [`change_by_installments`] | [`PortabilityResponse`] |
//! | `/v2/credit_operation/simulation` | [`V2Request`] | [`v2_simulate_json`], [`v2_simulate_request`] | [`V2Response`] |
//! | partner pricing | [`pricing_from_json`] | | [`crate::fees::Pricing`] |
//! | partner configuration (pricing, profile, conventions) | [`config_from_json`] | | [`PartnerConfig`] |
//!
//! * Requests are read field by field, so every error names the JSON path and the value.
//! * Numbers print as QI prints them ([`Num`]): integers when integral, else the nearest `f64`.
//! * Field order is alphabetical, as in QI's responses; each response struct is declared once, and
//!   its serde output and its fast compact writer ([`SimulationResponse::to_json_bytes`]) come from
//!   that one declaration.

mod config;
mod debt;
mod json;
mod key;
mod number;
mod portability;
mod present_value;
mod refinanced;
mod request;
mod service;
mod simulation;
mod strict;
mod tree;
mod v2;
pub(crate) mod writer;

pub use debt::{
    BorrowerJson, CollateralEcho, DebtData, DebtInstallmentJson, debt_json, debt_request,
};
pub use number::{Num, percent_pt_br};

/// The compact JSON token `n` prints as in `batch` output (the fast writer's bytes).
#[doc(hidden)]
pub fn num_json_bytes(n: Num) -> Vec<u8> {
    writer::to_json_bytes(&n, 32)
}
pub use config::{
    MAX_FEES, PartnerConfig, config_from_json, config_from_json_with, pricing_from_json,
    pricing_from_json_with,
};
pub use json::{ReadOptions, parse_date};
pub use portability::{
    ChangeByInstallmentsJson, ChangeJson, InstallmentsRangeResponse, PortabilityRequest,
    PortabilityResponse, TargetChangeResponse, change_by_installments, portability_json,
    portability_request, target_change,
};
pub use present_value::{
    PrepaidInstallmentJson, PrepaymentData, PrepaymentResponse, PresentValueData,
    PresentValueInstallmentJson, PresentValueResponse, contract_from_json, contract_from_value,
    prepayment_json, present_value_json,
};
pub use request::{Collateral, CollateralType, FINANCIAL_KEYS, MAX_COLLATERALS, SimulationRequest};
pub use service::{Body, PortabilityAnswer, PortabilityQuery, Service, Simulated, SimulationBody};
pub use simulation::{
    ContractFeeJson, DisbursementOptionJson, ExternalFeeJson, InstallmentJson,
    PrefixedInterestRateJson, RefinancedJson, SimulationData, SimulationResponse,
    SummaryOptionJson, SummaryResponse, simulate_json, simulate_request, summarize_request,
};
pub use v2::{
    TaxConfigurationJson, V2Fee, V2FeeJson, V2FeeKind, V2InstallmentJson, V2Request, V2Response,
    is_v2_body, is_v2_value, v2_simulate_json, v2_simulate_request,
};
