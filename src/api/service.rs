//! The front door: [`Service`], built once from the partner configuration and the caller's options,
//! with one entry per endpoint. Every caller (the CLI's `simulate`, `debt`, `portability`, `batch`
//! and `batch --summary`, the Python package) goes through it, so each decision is taken in one
//! place:
//!
//! * the partner configuration (fees, `"profile"`, `"conventions"`) and the profile per body shape:
//!   a v2 body (`/v2/credit_operation/simulation`) is priced under `qi-v2`, a `financial` body under
//!   `qi-2023`, unless the configuration names a profile (its switches override either);
//! * the engine options (delay unit, option days, natural-person IOF) and whether unknown keys are
//!   accepted ([`ReadOptions`]);
//! * the clock (`event_datetime`), which the caller decides (the CLI passes the current UTC time);
//! * v1 or v2: detected from the body ([`super::is_v2_value`]).
//!
//! Each door is then a translation: text or a parsed value in, a response (or its compact JSON) or
//! an [`Error`] out.
//!
//! ```
//! use qitech_sim::api::{Service, Simulated};
//! let service = Service::new();
//! let body = r#"{"financial": {"installment_face_value": 100.0, "number_of_installments": 2,
//!     "monthly_interest_rate": 0.0205, "disbursement_date": "2023-03-14",
//!     "first_due_date": "2023-04-07"}}"#;
//! let Simulated::Legacy(r) = service.simulate(body)? else { unreachable!() };
//! assert_eq!(r.data.issue_amount.0.to_string(), "194.80");
//! // A v2 body refuses a misspelt key, naming it by its v2 path.
//! let e = service.simulate(r#"{"disbursed_issue_amount": 35.9, "monthly_interest_rate": 0.07,
//!     "numbr_of_installments": 2, "disbursement_date": "2024-09-06"}"#).unwrap_err();
//! assert_eq!(e.field(), Some("numbr_of_installments"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::Value;

use super::config::PartnerConfig;
use super::debt::{DebtData, debt_request};
use super::json::{ReadOptions, parse_json};
use super::key::{OptionsKey, Strings, canonical_hash_of, request_key_with};
use super::portability::PortabilityRequest;
use super::portability::{
    InstallmentsRangeResponse, PortabilityResponse, TargetChangeResponse, change_by_installments,
    portability_request, target_change,
};
use super::request::SimulationRequest;
use super::simulation::{SimulationResponse, SummaryResponse, simulate_keyed, summarize_keyed};
use super::strict::with_parsed;
use super::tree::Node;
use super::v2::{V2Request, V2Response, is_v2, v2_simulate_request, v2_simulation};
use crate::conventions::Profile;
use crate::error::{Error, Result};
use crate::iof::NaturalPersonIof;
use crate::simulation::{DelayUnit, LoanTerms, OptionDays, SimulationOptions};

/// A request body: JSON text (`&str`) or a parsed value (`&serde_json::Value`), with the name
/// errors give the input (`request` unless [`Body::named`]).
#[derive(Debug, Clone, Copy)]
pub struct Body<'a> {
    form: Form<'a>,
    source_name: &'a str,
}

#[derive(Debug, Clone, Copy)]
enum Form<'a> {
    Text(&'a str),
    Value(&'a Value),
}

impl<'a> Body<'a> {
    /// The same body, named `source_name` in errors (a file name, `stdin`, `line 3`).
    pub fn named(mut self, source_name: &'a str) -> Self {
        self.source_name = source_name;
        self
    }

    /// The parsed body (text through the strict parser: duplicate keys and underflowing numbers
    /// refused).
    fn value(&self) -> Result<std::borrow::Cow<'a, Value>> {
        match self.form {
            Form::Text(t) => parse_json(t, self.source_name).map(std::borrow::Cow::Owned),
            Form::Value(v) => Ok(std::borrow::Cow::Borrowed(v)),
        }
    }

    /// `read` of the parsed body as a tree (text through the strict parser, whose fast path
    /// builds the tree from the text without a `Value`).
    /// `read` is also told what the hash may assume of the tree's strings.
    fn read<T>(&self, read: impl FnOnce(&Node<'_>, Strings) -> Result<T>) -> Result<T> {
        match self.form {
            Form::Text(t) => with_parsed(t, self.source_name, read),
            Form::Value(v) => read(&Node::from_value(v), Strings::Checked),
        }
    }
}

impl<'a> From<&'a str> for Body<'a> {
    fn from(text: &'a str) -> Self {
        Body {
            form: Form::Text(text),
            source_name: "request",
        }
    }
}

impl<'a> From<&'a String> for Body<'a> {
    fn from(text: &'a String) -> Self {
        Body::from(text.as_str())
    }
}

impl<'a> From<&'a Value> for Body<'a> {
    fn from(value: &'a Value) -> Self {
        Body {
            form: Form::Value(value),
            source_name: "request",
        }
    }
}

/// A simulation body, read: the `financial` (legacy) shape or the v2 flat shape.
// One value per request, moved once into its response: boxing the larger variant would cost an
// allocation per request and save nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum SimulationBody {
    /// A `/debt_simulation` body (with a `financial` object).
    Legacy(SimulationRequest),
    /// A `/v2/credit_operation/simulation` body.
    V2(V2Request),
}

impl SimulationBody {
    /// The typed loan.
    pub fn terms(&self) -> &LoanTerms {
        match self {
            SimulationBody::Legacy(r) => &r.terms,
            SimulationBody::V2(r) => &r.terms,
        }
    }
}

/// A simulation response in the shape of the body's endpoint.
#[allow(clippy::large_enum_variant)] // as `SimulationBody`
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum Simulated {
    /// QI's `/debt_simulation` response.
    Legacy(SimulationResponse),
    /// QI's v2 response.
    V2(V2Response),
}

impl Simulated {
    /// The response as compact JSON (the same bytes as `serde_json::to_vec(self)`).
    pub fn to_json_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.append_json_to(&mut out);
        out
    }

    /// [`Simulated::to_json_bytes`] appended to `out` (a buffer the caller reuses).
    pub fn append_json_to(&self, out: &mut Vec<u8>) {
        match self {
            Simulated::Legacy(r) => r.append_json_to(out),
            Simulated::V2(r) => out.extend_from_slice(&r.to_json_bytes()),
        }
    }
}

/// What a portability asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PortabilityQuery {
    /// The chain (bridge loan, payroll loan, the change per disbursement option).
    Plain,
    /// The smallest installment whose change reaches this amount, and the chain at it.
    TargetChange(Decimal),
    /// The change for each number of installments in `min..=max`, and the best.
    InstallmentsRange(u32, u32),
}

/// A portability answer, one shape per [`PortabilityQuery`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum PortabilityAnswer {
    /// [`PortabilityQuery::Plain`].
    Plain(PortabilityResponse),
    /// [`PortabilityQuery::TargetChange`].
    TargetChange(TargetChangeResponse),
    /// [`PortabilityQuery::InstallmentsRange`].
    InstallmentsRange(InstallmentsRangeResponse),
}

/// The front door: the partner configuration and the caller's options, decided once; one entry
/// per endpoint. `Clone + Send + Sync` (`batch` shares one across threads). See the module docs.
#[derive(Debug, Clone)]
pub struct Service {
    config: PartnerConfig,
    delay_unit: DelayUnit,
    option_days: OptionDays,
    natural_iof: NaturalPersonIof,
    read: ReadOptions,
    event_datetime: Option<String>,
    /// The engine options for a `financial` body and for a v2 body, resolved from the above (or
    /// the configuration's error, given at every call).
    legacy: Result<SimulationOptions>,
    v2: Result<SimulationOptions>,
    /// The key bytes of `legacy` and of `v2` (empty for an error): every response key ends with
    /// them, so they are formatted once here rather than per request.
    legacy_key: OptionsKey,
    v2_key: OptionsKey,
}

impl Default for Service {
    fn default() -> Self {
        Self::new()
    }
}

impl Service {
    /// No partner configuration (no fees, profile `qi-2023` for a `financial` body, `qi-v2` for a
    /// v2 body), QI's documented options, unknown keys refused, no clock.
    pub fn new() -> Self {
        Service {
            config: PartnerConfig::default(),
            delay_unit: DelayUnit::default(),
            option_days: OptionDays::default(),
            natural_iof: NaturalPersonIof::default(),
            read: ReadOptions::default(),
            event_datetime: None,
            legacy: Ok(SimulationOptions::new()),
            v2: Ok(SimulationOptions::new()),
            legacy_key: OptionsKey::default(),
            v2_key: OptionsKey::default(),
        }
        .resolved()
    }

    /// The engine options of each body shape, from the configuration and the options.
    fn resolved(mut self) -> Self {
        let base = SimulationOptions::new()
            .delay_unit(self.delay_unit)
            .option_days(self.option_days)
            .natural_person_iof(self.natural_iof)
            .allow_unknown_fields(self.read.allow_unknown_fields);
        let with = |profile| {
            self.config
                .conventions(profile)
                .map(|c| base.clone().conventions(c))
        };
        self.legacy = with(Profile::Qi2023).map(|o| o.pricing(self.config.pricing.clone()));
        self.v2 = with(Profile::QiV2);
        let key =
            |o: &Result<SimulationOptions>| o.as_ref().map(OptionsKey::of).unwrap_or_default();
        self.legacy_key = key(&self.legacy);
        self.v2_key = key(&self.v2);
        self
    }

    /// With the partner configuration `config` (typed).
    pub fn config(mut self, config: PartnerConfig) -> Self {
        self.config = config;
        self.resolved()
    }

    /// With the partner configuration read from `text` (named `source_name` in errors), its
    /// unknown keys refused unless [`Service::allow_unknown_fields`] was set before.
    ///
    /// # Errors
    /// As [`super::config_from_json_with`].
    pub fn config_json(self, text: &str, source_name: &str) -> Result<Self> {
        let config =
            super::config_from_json_with(text, source_name, self.read.allow_unknown_fields)?;
        Ok(self.config(config))
    }

    /// How `first_due_date_delay` counts days.
    pub fn delay_unit(mut self, unit: DelayUnit) -> Self {
        self.delay_unit = unit;
        self.resolved()
    }

    /// Which days get a disbursement option.
    pub fn option_days(mut self, days: OptionDays) -> Self {
        self.option_days = days;
        self.resolved()
    }

    /// The natural-person IOF rule.
    pub fn natural_person_iof(mut self, rule: NaturalPersonIof) -> Self {
        self.natural_iof = rule;
        self.resolved()
    }

    /// Accept keys QI's documentation does not list (in every body, and in a configuration read
    /// after this) instead of refusing them.
    pub fn allow_unknown_fields(mut self, allow: bool) -> Self {
        self.read = self.read.allow_unknown(allow);
        self.resolved()
    }

    /// The clock: the `event_datetime` a simulation response prints (`None`: none).
    pub fn event_datetime(mut self, at: Option<String>) -> Self {
        self.event_datetime = at;
        self
    }

    /// The parse options bodies are read with.
    pub fn read_options(&self) -> ReadOptions {
        self.read
    }

    /// The engine options a `financial` body is priced with.
    ///
    /// # Errors
    /// The configuration's error, if its switches do not resolve.
    pub fn options(&self) -> Result<&SimulationOptions> {
        self.legacy.as_ref().map_err(Clone::clone)
    }

    /// The engine options a v2 body is priced with (its fees come from the body).
    ///
    /// # Errors
    /// As [`Service::options`].
    pub fn v2_options(&self) -> Result<&SimulationOptions> {
        self.v2.as_ref().map_err(Clone::clone)
    }

    /// Reads a simulation body, detecting its shape.
    ///
    /// # Errors
    /// Invalid JSON; an error naming the field (a v2 body's by its v2 path) and value; an unknown
    /// key unless allowed.
    pub fn read_simulation<'a>(&self, body: impl Into<Body<'a>>) -> Result<SimulationBody> {
        body.into()
            .read(|v, strings| self.read_simulation_tree(v, strings))
    }

    /// [`Service::read_simulation`] on the body's parsed tree.
    fn read_simulation_tree(&self, v: &Node<'_>, strings: Strings) -> Result<SimulationBody> {
        let hash = canonical_hash_of(v, strings);
        if is_v2(v) {
            let mut r = V2Request::from_tree_with(v, self.read)?;
            r.text_hash = hash;
            return Ok(SimulationBody::V2(r));
        }
        // A refinanced contract is read with this service's options (or refused with its
        // configuration's error).
        let mut r = SimulationRequest::read_checked(v, self.legacy.as_ref())?;
        r.check_fields(self.read.allow_unknown_fields)?;
        r.text_hash = hash;
        Ok(SimulationBody::Legacy(r))
    }

    /// Reads a body that must have the `financial` shape (`debt`).
    fn read_legacy<'a>(&self, body: impl Into<Body<'a>>) -> Result<SimulationRequest> {
        let body = body.into();
        match self.read_simulation(body)? {
            SimulationBody::Legacy(r) => Ok(r),
            SimulationBody::V2(_) => Err(Error::unsupported(
                body.source_name,
                "a v2 body",
                "a v2 simulation body (no financial object) has no issuance shape; run it with \
                 simulate",
            )),
        }
    }

    /// The simulation response of a body: `/debt_simulation`'s for a `financial` body, the v2
    /// response for a v2 body.
    ///
    /// # Errors
    /// As [`Service::read_simulation`], and the engine's errors.
    pub fn simulate<'a>(&self, body: impl Into<Body<'a>>) -> Result<Simulated> {
        self.simulate_body(&self.read_simulation(body)?)
    }

    /// [`Service::simulate`] for a body already read.
    ///
    /// # Errors
    /// The engine's errors.
    pub fn simulate_body(&self, body: &SimulationBody) -> Result<Simulated> {
        match body {
            SimulationBody::Legacy(r) => simulate_keyed(
                r,
                self.options()?,
                Some(&self.legacy_key),
                self.event_datetime.clone(),
            )
            .map(Simulated::Legacy),
            SimulationBody::V2(r) => v2_simulate_request(r, self.v2_options()?).map(Simulated::V2),
        }
    }

    /// The one-line summary (`batch --summary`) of a body of either shape.
    ///
    /// # Errors
    /// As [`Service::simulate`].
    pub fn summary<'a>(&self, body: impl Into<Body<'a>>) -> Result<SummaryResponse> {
        self.summary_body(&self.read_simulation(body)?)
    }

    /// [`Service::summary`] for a body already read.
    ///
    /// # Errors
    /// The engine's errors.
    pub fn summary_body(&self, body: &SimulationBody) -> Result<SummaryResponse> {
        match body {
            SimulationBody::Legacy(r) => {
                summarize_keyed(r, self.options()?, Some(&self.legacy_key))
            }
            SimulationBody::V2(r) => {
                let options = self.v2_options()?;
                let sim = v2_simulation(r, options)?;
                Ok(SummaryResponse::of(
                    request_key_with(r.text_hash, r, &self.v2_key),
                    None,
                    &sim,
                ))
            }
        }
    }

    /// The `data` of QI's issuance (`/debt`) response for a `financial` body.
    ///
    /// # Errors
    /// As [`Service::simulate`]; [`crate::ErrorKind::Unsupported`] for a v2 body.
    pub fn debt<'a>(&self, body: impl Into<Body<'a>>) -> Result<DebtData> {
        debt_request(&self.read_legacy(body)?, self.options()?)
    }

    /// The portability of a flat portability body, answering `query`.
    ///
    /// # Errors
    /// Input errors naming the field; [`crate::ErrorKind::NoSolution`] when no installment reaches
    /// a target change.
    pub fn portability<'a>(
        &self,
        body: impl Into<Body<'a>>,
        query: PortabilityQuery,
    ) -> Result<PortabilityAnswer> {
        self.portability_request(&self.read_portability(body)?, query)
    }

    /// Reads a flat portability body.
    ///
    /// # Errors
    /// Invalid JSON; an error naming the field and value; an unknown key unless allowed.
    pub fn read_portability<'a>(&self, body: impl Into<Body<'a>>) -> Result<PortabilityRequest> {
        let body = body.into();
        // The old loan's contract is read with this service's options.
        body.read(|v, _| {
            PortabilityRequest::read_in(v, body.source_name, self.read, self.legacy.as_ref())
        })
    }

    /// [`Service::portability`] for a body already read.
    ///
    /// # Errors
    /// As [`Service::portability`].
    pub fn portability_request(
        &self,
        request: &PortabilityRequest,
        query: PortabilityQuery,
    ) -> Result<PortabilityAnswer> {
        let options = self.options()?;
        Ok(match query {
            PortabilityQuery::Plain => {
                PortabilityAnswer::Plain(portability_request(request, options)?)
            }
            PortabilityQuery::TargetChange(target) => {
                PortabilityAnswer::TargetChange(target_change(request, target, options)?)
            }
            PortabilityQuery::InstallmentsRange(min, max) => PortabilityAnswer::InstallmentsRange(
                change_by_installments(request, min..=max, options)?,
            ),
        })
    }

    /// The present value on `date` of a contract: an issuance body (its schedule rebuilt under
    /// this service's options) or an issued schedule (a `debt` response), in the shape of QI's
    /// present-value inquiry.
    ///
    /// # Errors
    /// Input errors naming the field; a date outside the calendar.
    pub fn present_value<'a>(
        &self,
        body: impl Into<Body<'a>>,
        date: chrono::NaiveDate,
        pv_options: &crate::present_value::PresentValueOptions,
    ) -> Result<super::PresentValueResponse> {
        let body = body.into();
        let contract =
            super::contract_from_value(&*body.value()?, body.source_name, self.options()?)?;
        let pv = crate::present_value::present_value(&contract, date, pv_options)?;
        Ok(super::PresentValueResponse::new(&pv))
    }

    /// A partial prepayment of `amount` on `date` of a contract (read as
    /// [`Service::present_value`] reads it), keeping the term or the installment: the new schedule.
    ///
    /// # Errors
    /// Input errors naming the field; an amount out of range.
    pub fn prepayment<'a>(
        &self,
        body: impl Into<Body<'a>>,
        date: chrono::NaiveDate,
        amount: Decimal,
        keep: crate::prepayment::Keep,
        pv_options: &crate::present_value::PresentValueOptions,
    ) -> Result<super::PrepaymentResponse> {
        let body = body.into();
        let contract =
            super::contract_from_value(&*body.value()?, body.source_name, self.options()?)?;
        let p = crate::prepayment::prepay(&contract, date, amount, keep, pv_options)?;
        Ok(super::PrepaymentResponse::new(&p))
    }

    /// [`Service::simulate`], as compact JSON text (the CLI's `simulate --compact` bytes).
    ///
    /// # Errors
    /// As [`Service::simulate`].
    pub fn simulate_json(&self, text: &str) -> Result<String> {
        self.simulate(text).map(|r| utf8(r.to_json_bytes()))
    }

    /// [`Service::summary`], as compact JSON text.
    ///
    /// # Errors
    /// As [`Service::summary`].
    pub fn summary_json(&self, text: &str) -> Result<String> {
        self.summary(text).map(|r| utf8(r.to_json_bytes()))
    }

    /// [`Service::debt`], as compact JSON text.
    ///
    /// # Errors
    /// As [`Service::debt`].
    pub fn debt_json(&self, text: &str) -> Result<String> {
        self.debt(text).map(|r| utf8(r.to_json_bytes()))
    }

    /// [`Service::portability`], as compact JSON text.
    ///
    /// # Errors
    /// As [`Service::portability`].
    pub fn portability_json(&self, text: &str, query: PortabilityQuery) -> Result<String> {
        let answer = self.portability(text, query)?;
        serde_json::to_string(&answer).map_err(|e| Error::Json {
            source_name: "response".into(),
            message: e.to_string(),
        })
    }
}

/// The compact writers emit UTF-8 by construction (JSON literals, serde_json's escaping).
fn utf8(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}
