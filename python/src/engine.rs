//! Every call into the `qitech-sim` crate, and nothing else: its front door,
//! [`qitech_sim::api::Service`], for every endpoint, and its calendar.
//!
//! The bindings in `lib.rs` and `arrow.rs` see only this module's plain signatures (JSON text in,
//! JSON text or the crate's typed responses out, dates as `NaiveDate`, errors as [`Error`] plus
//! [`error_parts`]), so a change of the crate's API is adapted here alone.

use chrono::NaiveDate;
use qitech_sim::api::{self, PortabilityQuery, Service, Simulated};
use qitech_sim::calendar::BrazilCalendar;
use qitech_sim::iof::NaturalPersonIof;
use qitech_sim::prepayment::Keep;
use qitech_sim::present_value::PresentValueOptions;
use qitech_sim::{Decimal, DelayUnit, OptionDays};

pub use qitech_sim::Error;
pub use qitech_sim::api::{SimulationResponse, SummaryOptionJson, SummaryResponse};

/// The front door for one call or one batch: the partner configuration, the CLI's flags and the
/// clock, decided once.
#[derive(Clone)]
pub struct Options {
    service: Service,
}

impl Options {
    /// The same options with the clock `event_datetime` prints (`None`: no clock).
    pub fn with_clock(self, now: Option<String>) -> Options {
        Options {
            service: self.service.event_datetime(now),
        }
    }
}

/// The CLI's engine flags, as Python passes them: `--delay-unit` / `--option-days` (`"calendar"`
/// or `"business"`), `--natural-iof` (`"fixed"` or `"dated"`), `--allow-unknown-fields`.
pub struct Flags<'a> {
    /// `--delay-unit`.
    pub delay_unit: &'a str,
    /// `--option-days`.
    pub option_days: &'a str,
    /// `--natural-iof`.
    pub natural_iof: &'a str,
    /// `--allow-unknown-fields`.
    pub allow_unknown_fields: bool,
}

/// The service of the partner configuration (QI's `contract_fees` / `external_contract_fees`,
/// plus `profile` and `conventions`: the CLI's `--config`) and the CLI's engine flags, no clock.
pub fn options(config: Option<&str>, flags: &Flags<'_>) -> Result<Options, Error> {
    let mut service = Service::new()
        .delay_unit(
            match one_of(flags.delay_unit, "delay_unit", ["calendar", "business"])? {
                0 => DelayUnit::CalendarDays,
                _ => DelayUnit::BusinessDays,
            },
        )
        .option_days(
            match one_of(flags.option_days, "option_days", ["calendar", "business"])? {
                0 => OptionDays::CalendarDays,
                _ => OptionDays::BusinessDays,
            },
        )
        .natural_person_iof(
            match one_of(flags.natural_iof, "natural_iof", ["fixed", "dated"])? {
                0 => NaturalPersonIof::Fixed,
                _ => NaturalPersonIof::Dated,
            },
        )
        .allow_unknown_fields(flags.allow_unknown_fields);
    if let Some(text) = config {
        service = service.config_json(text, "config")?;
    }
    Ok(Options { service })
}

/// The index of `v` among `names`, or an error naming `field` and the accepted names.
fn one_of<const N: usize>(v: &str, field: &str, names: [&str; N]) -> Result<usize, Error> {
    names.iter().position(|n| *n == v).ok_or_else(|| {
        let expected = names.map(|n| format!("{n:?}")).join(" or ");
        Error::invalid(field, format!("{v:?}"), format!("expected {expected}"))
    })
}

/// The UTC clock as the CLI prints `event_datetime`: `YYYY-MM-DD HH:MM:SS`.
pub fn now_utc() -> Option<String> {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_secs();
    let dt = chrono::DateTime::from_timestamp(i64::try_from(secs).ok()?, 0)?;
    Some(dt.format("%Y-%m-%d %H:%M:%S").to_string())
}

/// A simulation body: JSON text or a JSON value.
#[derive(Clone, Copy)]
pub enum Body<'a> {
    /// JSON text.
    Text(&'a str),
    /// A parsed (or built) JSON value.
    Value(&'a serde_json::Value),
}

impl<'a> From<Body<'a>> for api::Body<'a> {
    fn from(b: Body<'a>) -> Self {
        match b {
            Body::Text(t) => api::Body::from(t),
            Body::Value(v) => api::Body::from(v),
        }
    }
}

/// `qitech-sim simulate`: QI's simulation response (legacy or v2 body) as compact JSON. `source`
/// names the input in messages (`request`, or `line N` in a batch, as the CLI does).
pub fn simulate(request: &str, source: &str, options: &Options) -> Result<String, Failure> {
    let response = options
        .service
        .simulate(api::Body::from(request).named(source))?;
    String::from_utf8(response.to_json_bytes()).map_err(|e| internal("output", e))
}

/// `qitech-sim batch --summary`, one line: per disbursement option the headline numbers, as
/// compact JSON.
pub fn summary(request: &str, source: &str, options: &Options) -> Result<String, Failure> {
    let summary = options
        .service
        .summary(api::Body::from(request).named(source))?;
    String::from_utf8(summary.to_json_bytes()).map_err(|e| internal("output", e))
}

/// The summary of a request as typed values, for the Arrow door.
pub fn summary_typed(body: Body<'_>, options: &Options) -> Result<SummaryResponse, Error> {
    options.service.summary(body)
}

/// The full simulation response of a `financial` body as typed values, for the Arrow door's
/// installments table (a v2 body answers another shape: refused there, naming `request`).
pub fn simulate_typed(body: Body<'_>, options: &Options) -> Result<SimulationResponse, Error> {
    match options.service.simulate(body)? {
        Simulated::Legacy(r) => Ok(r),
        _ => Err(Error::unsupported(
            "request",
            "a v2 body",
            "the installments table reads the financial (legacy) response; price v2 bodies \
             with the summary table",
        )),
    }
}

/// `qitech-sim debt`: the `data` of QI's issuance response as compact JSON.
pub fn debt(request: &str, options: &Options) -> Result<String, Failure> {
    Ok(options.service.debt_json(request)?)
}

/// `qitech-sim portability` as compact JSON: with `target_change` (the CLI's `--target-change
/// AMOUNT`) the smallest installment whose change reaches it and the portability at it, with
/// `installments_range` (`--installments-range MIN..MAX`) the change for each number of
/// installments and the best, with neither the portability itself. Both at once are a conflict,
/// as for the CLI.
pub fn portability(
    request: &str,
    options: &Options,
    target_change: Option<&str>,
    installments_range: Option<&str>,
) -> Result<String, Failure> {
    let query = match (target_change, installments_range) {
        (Some(t), Some(_)) => {
            return Err(Error::conflict(
                "target_change",
                t,
                "cannot be used with installments_range",
            )
            .into());
        }
        (Some(t), None) => PortabilityQuery::TargetChange(t.parse().map_err(|_| {
            Error::invalid("target_change", format!("{t:?}"), "expected an amount")
        })?),
        (None, Some(range)) => {
            let (lo, hi) = installments_range_bounds(range)?;
            PortabilityQuery::InstallmentsRange(lo, hi)
        }
        (None, None) => PortabilityQuery::Plain,
    };
    Ok(options.service.portability_json(request, query)?)
}

/// `MIN..MAX` (or `MIN..=MAX`) as the CLI's `--installments-range` reads it, within
/// `1..=MAX_INSTALLMENTS`.
fn installments_range_bounds(range: &str) -> Result<(u32, u32), Error> {
    let max = qitech_sim::schedule::MAX_INSTALLMENTS;
    let reason = format!("expected MIN..MAX within 1..{max}");
    // As integers (the CLI's u32 accepts the same texts within the range; a negative bound is
    // out of range rather than not a number).
    let (lo, hi) = range
        .split_once("..")
        .and_then(|(lo, hi)| {
            Some((
                lo.parse::<i64>().ok()?,
                hi.trim_start_matches('=').parse::<i64>().ok()?,
            ))
        })
        .ok_or_else(|| Error::invalid("installments_range", format!("{range:?}"), &reason))?;
    match (u32::try_from(lo), u32::try_from(hi)) {
        (Ok(lo), Ok(hi)) if 1 <= lo && lo <= hi && hi <= max => Ok((lo, hi)),
        _ => Err(Error::out_of_range(
            "installments_range",
            format!("{range:?}"),
            reason,
        )),
    }
}

/// What a present-value call asks: the CLI's `present-value --date D [--paid N]
/// [--calculate-delay] [--calculate-spread] [--prepay AMOUNT --keep term|installment]`.
pub struct PresentValueQuery<'a> {
    /// `--date`, `YYYY-MM-DD`.
    pub date: &'a str,
    /// `--paid N`.
    pub paid: Option<u32>,
    /// `--calculate-delay`.
    pub calculate_delay: bool,
    /// `--calculate-spread` (refused by the crate).
    pub calculate_spread: bool,
    /// `--prepay AMOUNT --keep WHAT`: the amount as text and `"term"` or `"installment"`.
    pub prepay: Option<(&'a str, &'a str)>,
}

/// `qitech-sim present-value` as compact JSON (the CLI's `--compact` bytes): the present value of
/// a contract (an issuance body or a `debt` response) on the date, or with `prepay` the schedule
/// after a partial prepayment.
pub fn present_value(
    contract: &str,
    options: &Options,
    q: &PresentValueQuery<'_>,
) -> Result<String, Failure> {
    let date = api::parse_date(q.date, "date")?;
    let pv_options = PresentValueOptions::new()
        .paid(q.paid)
        .calculate_delay(q.calculate_delay)
        .calculate_spread(q.calculate_spread);
    let body = api::Body::from(contract).named("contract");
    let text = match q.prepay {
        None => serde_json::to_string(&options.service.present_value(body, date, &pv_options)?),
        Some((amount, keep)) => {
            let amount: Decimal = amount.trim().parse().map_err(|_| {
                Error::invalid("amount", format!("{amount:?}"), "expected an amount")
            })?;
            let keep = match one_of(keep, "keep", ["term", "installment"])? {
                0 => Keep::Term,
                _ => Keep::Installment,
            };
            let response = options
                .service
                .prepayment(body, date, amount, keep, &pv_options)?;
            serde_json::to_string(&response)
        }
    };
    text.map_err(|e| internal("output", e))
}

/// Why a call failed: the crate rejected the input, or something that is not the input's fault
/// (a response that does not serialise; in `lib.rs`, a panic) happened.
#[derive(Debug)]
pub enum Failure {
    /// The crate's error: becomes `InvalidRequest`.
    Input(Error),
    /// Not the input's fault: becomes `InternalError`.
    Internal(String),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Input(e)
    }
}

fn internal(what: &str, e: impl std::fmt::Display) -> Failure {
    Failure::Internal(format!("{what}: {e}"))
}

/// The ANBIMA national calendar.
fn calendar() -> &'static BrazilCalendar {
    BrazilCalendar::national()
}

/// Whether `date` is a business day.
pub fn is_business_day(date: NaiveDate) -> Result<bool, Error> {
    calendar().is_business_day(date)
}

/// `date` if it is a business day, else the next one.
pub fn following(date: NaiveDate) -> Result<NaiveDate, Error> {
    calendar().following(date)
}

/// Business days in `(from, to]` (negative when `to < from`).
pub fn workdays(from: NaiveDate, to: NaiveDate) -> Result<i64, Error> {
    calendar().workdays(from, to)
}

/// `date` moved by `n` business days.
pub fn add_business_days(date: NaiveDate, n: i64) -> Result<NaiveDate, Error> {
    calendar().add_business_days(date, n)
}

/// What Python's `InvalidRequest` carries besides the message: `(kind, field, value)`, from the
/// crate's own [`Error::kind`] (its stable snake-case name), [`Error::field`] and [`Error::value`].
pub fn error_parts(e: &Error) -> (&'static str, Option<String>, Option<String>) {
    (e.kind().as_str(), e.field().map(str::to_string), e.value())
}
