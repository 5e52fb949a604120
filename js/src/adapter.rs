//! Every call into the `qitech-sim` crate, and nothing else.
//!
//! The bindings in `lib.rs` see only this module's plain signatures (JSON text in, JSON text out,
//! dates as `YYYY-MM-DD` text, errors as [`Error`]); the endpoints go through the crate's one front
//! door, [`Service`], built once per call from the configuration and the options.

use qitech_sim::api::{PortabilityQuery, Service};
use qitech_sim::calendar::BrazilCalendar;
use qitech_sim::iof::NaturalPersonIof;
use qitech_sim::{Decimal, DelayUnit, OptionDays};
use serde_json::Value;

pub use qitech_sim::Error;

/// What one call was asked for: the front door with the configuration, the CLI's flags and the
/// clock decided, and the portability question.
pub struct Options {
    service: Service,
    query: PortabilityQuery,
}

/// The options of one call: `config` is the partner configuration text (the CLI's `--config`),
/// `options` a JSON object with the CLI's flags in camelCase (`delayUnit`, `optionDays`,
/// `naturalIof`, `allowUnknownFields`), the clock (`eventDatetime`, `YYYY-MM-DD HH:MM:SS` or null)
/// and, for portability, `targetChange` or `installmentsRange` (`[min, max]` or `"MIN..MAX"`).
/// An unknown key is refused, never ignored.
pub fn options(config: Option<&str>, options: &str) -> Result<Options, Error> {
    let value: Value = serde_json::from_str(options)
        .map_err(|e| Error::invalid("options", e, "expected a JSON object"))?;
    let Value::Object(map) = value else {
        return Err(Error::wrong_type("options", options, "expected an object"));
    };
    let mut service = Service::new();
    let mut target_change = None;
    let mut installments_range = None;
    for (key, v) in &map {
        let field = format!("options.{key}");
        match key.as_str() {
            "delayUnit" => {
                service = service.delay_unit(if calendar_or_business(v, &field)? {
                    DelayUnit::CalendarDays
                } else {
                    DelayUnit::BusinessDays
                });
            }
            "optionDays" => {
                service = service.option_days(if calendar_or_business(v, &field)? {
                    OptionDays::CalendarDays
                } else {
                    OptionDays::BusinessDays
                });
            }
            "naturalIof" => {
                service = service.natural_person_iof(match v.as_str() {
                    Some("fixed") => NaturalPersonIof::Fixed,
                    Some("dated") => NaturalPersonIof::Dated,
                    _ => return Err(Error::invalid(field, v, "expected \"fixed\" or \"dated\"")),
                });
            }
            "allowUnknownFields" => {
                service = service.allow_unknown_fields(
                    v.as_bool()
                        .ok_or_else(|| Error::wrong_type(&field, v, "expected true or false"))?,
                );
            }
            "eventDatetime" => {
                service = service.event_datetime(match v {
                    Value::Null => None,
                    Value::String(s) => Some(s.clone()),
                    _ => return Err(Error::wrong_type(field, v, "expected text or null")),
                });
            }
            "targetChange" => {
                let text = match v {
                    Value::String(s) => s.clone(),
                    Value::Number(n) => n.to_string(),
                    _ => return Err(Error::wrong_type(field, v, "expected an amount")),
                };
                target_change = Some(
                    text.parse::<Decimal>()
                        .map_err(|_| Error::invalid(&field, v, "expected an amount"))?,
                );
            }
            "installmentsRange" => installments_range = Some(installments_range_of(v, &field)?),
            _ => return Err(Error::invalid(field, v, "not an option of this package")),
        }
    }
    let query = match (target_change, installments_range) {
        (Some(t), Some(_)) => {
            return Err(Error::conflict(
                "options.targetChange",
                t,
                "cannot be used with installmentsRange",
            ));
        }
        (Some(t), None) => PortabilityQuery::TargetChange(t),
        (None, Some((lo, hi))) => PortabilityQuery::InstallmentsRange(lo, hi),
        (None, None) => PortabilityQuery::Plain,
    };
    // After `allowUnknownFields`, which the configuration's reading obeys.
    if let Some(text) = config {
        service = service.config_json(text, "config")?;
    }
    Ok(Options { service, query })
}

fn calendar_or_business(v: &Value, field: &str) -> Result<bool, Error> {
    match v.as_str() {
        Some("calendar") => Ok(true),
        Some("business") => Ok(false),
        _ => Err(Error::invalid(
            field,
            v,
            "expected \"calendar\" or \"business\"",
        )),
    }
}

/// `[min, max]` or `"MIN..MAX"` (the CLI's `--installments-range`), within
/// `1..=MAX_INSTALLMENTS`.
fn installments_range_of(v: &Value, field: &str) -> Result<(u32, u32), Error> {
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
    let (lo, hi) = bounds.ok_or_else(|| Error::invalid(field, v, &reason))?;
    match (u32::try_from(lo), u32::try_from(hi)) {
        (Ok(lo), Ok(hi)) if 1 <= lo && lo <= hi && hi <= max => Ok((lo, hi)),
        _ => Err(Error::out_of_range(field, v, reason)),
    }
}

/// `qitech-sim simulate --compact`: QI's simulation response (a `financial` body, or a v2 body
/// answered in the v2 shape).
pub fn simulate(request: &str, o: &Options) -> Result<String, Error> {
    o.service.simulate_json(request)
}

/// `qitech-sim batch --summary`'s line for one request.
pub fn summary(request: &str, o: &Options) -> Result<String, Error> {
    o.service.summary_json(request)
}

/// `qitech-sim debt --compact`: the `data` of QI's issuance response.
pub fn debt(request: &str, o: &Options) -> Result<String, Error> {
    o.service.debt_json(request)
}

/// `qitech-sim portability --compact`, with `--target-change` or `--installments-range` when the
/// options name one.
pub fn portability(request: &str, o: &Options) -> Result<String, Error> {
    o.service.portability_json(request, o.query)
}

/// The ANBIMA national calendar.
fn calendar() -> &'static BrazilCalendar {
    BrazilCalendar::national()
}

fn date(s: &str, field: &str) -> Result<qitech_sim::NaiveDate, Error> {
    qitech_sim::api::parse_date(s, field)
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
