//! QI's JSON shapes: one reader of request bodies, one module per response shape, one number
//! formatter, and one pipeline per endpoint (text → typed request → engine → response) that the CLI,
//! `batch`, the tests and the benches all call. Translation only: every number a response prints is
//! computed by the engine ([`crate::Quote`] carries them all); this layer formats.
//!
//! | endpoint | request | pipeline | response |
//! |---|---|---|---|
//! | `/debt_simulation` | [`SimulationRequest`] | [`simulate_json`], [`simulate_request`] | [`SimulationResponse`] |
//! | `/debt` (issuance) | [`SimulationRequest`] | [`debt_json`], [`debt_request`] | [`DebtData`] |
//! | portability chain | [`PortabilityRequest`] | [`portability_json`], [`portability_request`], [`target_change`], [`change_by_installments`] | [`PortabilityResponse`] |
//! | partner pricing | [`pricing_from_json`] | | [`crate::fees::Pricing`] |
//!
//! * Requests are read field by field, so every error names the JSON path and the value.
//! * Numbers print as QI prints them ([`Num`]): integers when integral, else the nearest `f64`.
//! * Field order is alphabetical, as in QI's responses; each response struct is declared once, and
//!   its serde output and its fast compact writer ([`SimulationResponse::to_json_bytes`]) come from
//!   that one declaration.

mod debt;
mod number;
mod portability;
mod reader;
mod simulation;
mod strict;
pub(crate) mod writer;

pub use debt::{
    BorrowerJson, CollateralEcho, DebtData, DebtInstallmentJson, debt_json, debt_request,
};
pub use number::{Num, percent_pt_br};
pub use portability::{
    ChangeByInstallmentsJson, ChangeJson, InstallmentsRangeResponse, PortabilityResponse,
    TargetChangeResponse, change_by_installments, portability_json, portability_request,
    target_change,
};
pub use reader::{
    Collateral, CollateralType, MAX_COLLATERALS, MAX_FEES, PortabilityRequest, SimulationRequest,
    parse_date, pricing_from_json,
};
pub use simulation::{
    ContractFeeJson, DisbursementOptionJson, ExternalFeeJson, InstallmentJson,
    PrefixedInterestRateJson, RefinancedJson, SimulationData, SimulationResponse, simulate_json,
    simulate_request,
};
