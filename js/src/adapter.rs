//! Every call into the `qitech-sim` crate, and nothing else.
//!
//! The bindings in `lib.rs` see only this module's plain signatures (JSON text in, JSON text out,
//! dates as `YYYY-MM-DD` text, errors as [`Error`]), so that moving to the crate's one front door is
//! a change of this file alone.

use qitech_sim::api::{self, PortabilityRequest, SimulationRequest};
use qitech_sim::calendar::BrazilCalendar;
use qitech_sim::conventions::{ConventionsConfig, Profile};
use qitech_sim::iof::NaturalPersonIof;
use qitech_sim::{Decimal, DelayUnit, OptionDays, SimulationOptions};
use serde_json::Value;

pub use qitech_sim::Error;

/// The name requests carry in error messages (the CLI prints the file name there).
const REQUEST: &str = "request";

/// What one call was asked for: the engine's options (the CLI's flags and `--config`), the
/// configuration's convention switches (resolved again for a v2 body, as the CLI does), the clock
/// and the portability question.
pub struct Options {
    base: SimulationOptions,
    conventions: ConventionsConfig,
    allow_unknown_fields: bool,
    event_datetime: Option<String>,
    target_change: Option<Decimal>,
    installments_range: Option<(u32, u32)>,
}

/// The options of one call: `config` is the partner configuration text (the CLI's `--config`),
/// `options` a JSON object with the CLI's flags in camelCase (`delayUnit`, `optionDays`,
/// `naturalIof`, `allowUnknownFields`), the clock (`eventDatetime`, `YYYY-MM-DD HH:MM:SS` or null)
/// and, for portability, `targetChange` or `installmentsRange` (`[min, max]` or `"MIN..MAX"`).
/// An unknown key is refused, never ignored.
pub fn options(config: Option<&str>, options: &str) -> Result<Options, Error> {
    let value: Value = serde_json::from_str(options)
        .map_err(|e| Error::unknown("options", e, "expected a JSON object"))?;
    let Value::Object(map) = value else {
        return Err(Error::wrong_type("options", options, "expected an object"));
    };
    let mut o = Options {
        base: SimulationOptions::new(),
        conventions: ConventionsConfig::default(),
        allow_unknown_fields: false,
        event_datetime: None,
        target_change: None,
        installments_range: None,
    };
    let mut base = SimulationOptions::new();
    for (key, v) in &map {
        let field = format!("options.{key}");
        match key.as_str() {
            "delayUnit" => {
                base = base.delay_unit(if calendar_or_business(v, &field)? {
                    DelayUnit::CalendarDays
                } else {
                    DelayUnit::BusinessDays
                });
            }
            "optionDays" => {
                base = base.option_days(if calendar_or_business(v, &field)? {
                    OptionDays::CalendarDays
                } else {
                    OptionDays::BusinessDays
                });
            }
            "naturalIof" => {
                base = base.natural_person_iof(match v.as_str() {
                    Some("fixed") => NaturalPersonIof::Fixed,
                    Some("dated") => NaturalPersonIof::Dated,
                    _ => return Err(Error::unknown(field, v, "expected \"fixed\" or \"dated\"")),
                });
            }
            "allowUnknownFields" => {
                o.allow_unknown_fields = v
                    .as_bool()
                    .ok_or_else(|| Error::wrong_type(&field, v, "expected true or false"))?;
            }
            "eventDatetime" => {
                o.event_datetime = match v {
                    Value::Null => None,
                    Value::String(s) => Some(s.clone()),
                    _ => return Err(Error::wrong_type(field, v, "expected text or null")),
                };
            }
            "targetChange" => {
                let text = match v {
                    Value::String(s) => s.clone(),
                    Value::Number(n) => n.to_string(),
                    _ => return Err(Error::wrong_type(field, v, "expected an amount")),
                };
                o.target_change = Some(
                    text.parse::<Decimal>()
                        .map_err(|_| Error::unknown(&field, v, "expected an amount"))?,
                );
            }
            "installmentsRange" => o.installments_range = Some(installments_range(v, &field)?),
            _ => return Err(Error::unknown(field, v, "not an option of this package")),
        }
    }
    if let (Some(t), Some(_)) = (o.target_change, o.installments_range) {
        return Err(Error::conflict(
            "options.targetChange",
            t,
            "cannot be used with installmentsRange",
        ));
    }
    base = base.allow_unknown_fields(o.allow_unknown_fields);
    if let Some(text) = config {
        let c = api::config_from_json_with(text, "config", o.allow_unknown_fields)?;
        base = base
            .pricing(c.pricing.clone())
            .conventions(c.conventions(Profile::Qi2023)?);
        o.conventions = c.conventions;
    }
    o.base = base;
    Ok(o)
}

fn calendar_or_business(v: &Value, field: &str) -> Result<bool, Error> {
    match v.as_str() {
        Some("calendar") => Ok(true),
        Some("business") => Ok(false),
        _ => Err(Error::unknown(
            field,
            v,
            "expected \"calendar\" or \"business\"",
        )),
    }
}

/// `[min, max]` or `"MIN..MAX"` (the CLI's `--installments-range`), within
/// `1..=MAX_INSTALLMENTS`.
fn installments_range(v: &Value, field: &str) -> Result<(u32, u32), Error> {
    let max = qitech_sim::schedule::MAX_INSTALLMENTS;
    let reason = format!("expected [min, max] or \"MIN..MAX\" within 1..{max}");
    let bounds = match v {
        Value::Array(a) if a.len() == 2 => a[0].as_i64().zip(a[1].as_i64()),
        Value::String(s) => s.split_once("..").and_then(|(lo, hi)| {
            Some((
                lo.parse::<i64>().ok()?,
                hi.trim_start_matches('=').parse::<i64>().ok()?,
            ))
        }),
        _ => None,
    };
    let (lo, hi) = bounds.ok_or_else(|| Error::unknown(field, v, &reason))?;
    match (u32::try_from(lo), u32::try_from(hi)) {
        (Ok(lo), Ok(hi)) if 1 <= lo && lo <= hi && hi <= max => Ok((lo, hi)),
        _ => Err(Error::invalid(field, v, reason)),
    }
}

fn text(v: Result<String, serde_json::Error>) -> Result<String, Error> {
    v.map_err(|e| Error::unknown("output", e, "the response did not serialise"))
}

/// `qitech-sim simulate --compact`: QI's simulation response (legacy `financial` body or v2 body,
/// detected as the CLI detects it).
pub fn simulate(request: &str, o: &Options) -> Result<String, Error> {
    if api::is_v2_body(request) {
        let options = o
            .base
            .clone()
            .conventions(o.conventions.resolve(Profile::QiV2)?);
        let request = api::V2Request::from_json(request, REQUEST)?;
        return text(serde_json::to_string(&api::v2_simulate_request(
            &request, &options,
        )?));
    }
    let request = SimulationRequest::from_json(request, REQUEST)?;
    let response = api::simulate_request(&request, &o.base, o.event_datetime.clone())?;
    text(serde_json::to_string(&response))
}

/// `qitech-sim batch --summary`'s line for one request.
pub fn summary(request: &str, o: &Options) -> Result<String, Error> {
    let request = SimulationRequest::from_json(request, REQUEST)?;
    text(serde_json::to_string(&api::summarize_request(
        &request, &o.base,
    )?))
}

/// `qitech-sim debt --compact`: the `data` of QI's issuance response.
pub fn debt(request: &str, o: &Options) -> Result<String, Error> {
    if api::is_v2_body(request) {
        return Err(Error::unsupported(
            REQUEST,
            "a v2 simulation body",
            "a v2 body (no financial object) has no issuance shape; run it with simulate",
        ));
    }
    let request = SimulationRequest::from_json(request, REQUEST)?;
    text(serde_json::to_string(&api::debt_request(
        &request, &o.base,
    )?))
}

/// `qitech-sim portability --compact`, with `--target-change` or `--installments-range` when the
/// options name one.
pub fn portability(request: &str, o: &Options) -> Result<String, Error> {
    let request = PortabilityRequest::from_json_with(request, REQUEST, o.allow_unknown_fields)?;
    if let Some(target) = o.target_change {
        return text(serde_json::to_string(&api::target_change(
            &request, target, &o.base,
        )?));
    }
    if let Some((lo, hi)) = o.installments_range {
        return text(serde_json::to_string(&api::change_by_installments(
            &request,
            lo..=hi,
            &o.base,
        )?));
    }
    text(serde_json::to_string(&api::portability_request(
        &request, &o.base,
    )?))
}

/// The ANBIMA national calendar.
fn calendar() -> &'static BrazilCalendar {
    BrazilCalendar::national()
}

fn date(s: &str, field: &str) -> Result<qitech_sim::NaiveDate, Error> {
    api::parse_date(s, field)
}

/// `qitech-sim calendar is-business-day DATE`.
pub fn is_business_day(d: &str) -> Result<bool, Error> {
    calendar().is_business_day(date(d, "date")?)
}

/// `qitech-sim calendar following DATE`: `DATE` if a business day, else the next one.
pub fn following(d: &str) -> Result<String, Error> {
    Ok(calendar().following(date(d, "date")?)?.to_string())
}

/// `qitech-sim calendar workdays FROM TO`: business days in `(from, to]`.
pub fn workdays(from: &str, to: &str) -> Result<i64, Error> {
    calendar().workdays(date(from, "from")?, date(to, "to")?)
}

/// `qitech-sim calendar add-business-days DATE N`.
pub fn add_business_days(d: &str, n: i64) -> Result<String, Error> {
    Ok(calendar()
        .add_business_days(date(d, "date")?, n)?
        .to_string())
}

/// What a `QitechSimError` carries: `{"kind","field","value","message"}` as JSON text, from the
/// crate's own [`Error::kind`] (its stable snake-case name), [`Error::field`] and [`Error::value`].
pub fn error_json(e: &Error) -> String {
    serde_json::json!({
        "kind": e.kind().as_str(),
        "field": e.field(),
        "value": e.value(),
        "message": e.to_string(),
    })
    .to_string()
}
