//! `qitech_sim._native`: the compiled half of the Python package `qitech_sim`.
//!
//! Plain functions on JSON text and `(year, month, day)` tuples; the Python half (`qitech_sim/`)
//! turns dicts into JSON text, dates into tuples and back, and documents the API. Every
//! computation runs with the GIL released and inside `catch_unwind`: an input error becomes
//! `qitech_sim.InvalidRequest` (with `kind`, `field`, `value`), anything else, a panic included,
//! `qitech_sim.InternalError`. No panic crosses into Python.
//!
//! The response is compact JSON text; with `as_dict=True` it is turned into Python objects here,
//! with the GIL held, by [`tree::to_python`] (what `json.loads` would give, without it).

mod arrow;
mod engine;
mod tree;

use std::panic::{AssertUnwindSafe, catch_unwind};

use chrono::{Datelike, NaiveDate};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};
use rayon::prelude::*;

use engine::Failure;

/// A date as Python's `datetime.date` fields.
type Ymd = (i32, u32, u32);

/// The CLI's engine flags as Python passes them: `(delay_unit, option_days, natural_iof,
/// allow_unknown_fields)`.
type PyFlags = (String, String, String, bool);

/// The CLI's defaults: calendar days, calendar-day options, the fixed natural-person IOF, unknown
/// fields refused.
fn default_flags() -> PyFlags {
    ("calendar".into(), "calendar".into(), "fixed".into(), false)
}

/// The engine options of a configuration and the flags.
fn options(config: Option<&str>, f: &PyFlags) -> Result<engine::Options, Failure> {
    Ok(engine::options(
        config,
        &engine::Flags {
            delay_unit: &f.0,
            option_days: &f.1,
            natural_iof: &f.2,
            allow_unknown_fields: f.3,
        },
    )?)
}

/// Runs `f` without the GIL, turning a panic into [`Failure::Internal`].
fn run<T: Send>(py: Python<'_>, f: impl FnOnce() -> Result<T, Failure> + Send) -> PyResult<T> {
    py.detach(|| guarded(f)).map_err(|e| to_pyerr(py, e))
}

/// `f()`, with a panic caught and reported as [`Failure::Internal`].
fn guarded<T>(f: impl FnOnce() -> Result<T, Failure>) -> Result<T, Failure> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|payload| Err(panicked(payload.as_ref())))
}

fn panicked(payload: &(dyn std::any::Any + Send)) -> Failure {
    let msg = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string());
    Failure::Internal(format!(
        "panic in qitech-sim (a bug; please report it with the request): {msg}"
    ))
}

/// The response as Python returns it: the JSON text, or with `as_dict` the objects `json.loads`
/// would build from it ([`tree::to_python`], with the GIL held). Text the converter cannot read is
/// a bug of the engine's writer: `InternalError`, as a panic is.
fn respond(py: Python<'_>, text: String, as_dict: bool) -> PyResult<Py<PyAny>> {
    if !as_dict {
        return Ok(PyString::new(py, &text).into_any().unbind());
    }
    dict(py, &text)
}

fn dict(py: Python<'_>, text: &str) -> PyResult<Py<PyAny>> {
    match catch_unwind(AssertUnwindSafe(|| tree::to_python(py, text))) {
        Ok(Ok(v)) => Ok(v.unbind()),
        Ok(Err(e)) if e.is_instance_of::<PyValueError>(py) => Err(to_pyerr(
            py,
            Failure::Internal(format!("the response is not the JSON expected: {e}")),
        )),
        Ok(Err(e)) => Err(e),
        Err(payload) => Err(to_pyerr(py, panicked(payload.as_ref()))),
    }
}

/// The Python exception for a failure: `qitech_sim.InvalidRequest` / `qitech_sim.InternalError`
/// (classes defined in `qitech_sim/_errors.py`), or `ValueError` / `RuntimeError` if that module
/// cannot be imported.
fn to_pyerr(py: Python<'_>, f: Failure) -> PyErr {
    let made = (|| -> PyResult<PyErr> {
        let errors = py.import("qitech_sim._errors")?;
        let value = match &f {
            Failure::Input(e) => {
                let (kind, field, value) = engine::error_parts(e);
                let kwargs = PyDict::new(py);
                kwargs.set_item("kind", kind)?;
                kwargs.set_item("field", field)?;
                kwargs.set_item("value", value)?;
                errors
                    .getattr("InvalidRequest")?
                    .call((e.to_string(),), Some(&kwargs))?
            }
            Failure::Internal(msg) => errors.getattr("InternalError")?.call1((msg.as_str(),))?,
        };
        Ok(PyErr::from_value(value))
    })();
    made.unwrap_or_else(|_| match f {
        Failure::Input(e) => PyValueError::new_err(e.to_string()),
        Failure::Internal(msg) => PyRuntimeError::new_err(msg),
    })
}

fn date(ymd: Ymd, field: &str) -> Result<NaiveDate, Failure> {
    NaiveDate::from_ymd_opt(ymd.0, ymd.1, ymd.2)
        .ok_or_else(|| Failure::Internal(format!("{field}: not a date: {ymd:?}")))
}

fn ymd(d: NaiveDate) -> Ymd {
    (d.year(), d.month(), d.day())
}

/// `simulate(request, config, flags, as_dict) -> str | dict`: QI's simulation
/// response (JSON text, or the dict `json.loads` would give).
#[pyfunction]
#[pyo3(signature = (request, config=None, flags=None, as_dict=false))]
fn simulate(
    py: Python<'_>,
    request: String,
    config: Option<String>,
    flags: Option<PyFlags>,
    as_dict: bool,
) -> PyResult<Py<PyAny>> {
    let text = run(py, || {
        let o = options(config.as_deref(), &flags.unwrap_or_else(default_flags))?;
        engine::simulate(&request, "request", &o.with_clock(engine::now_utc()))
    })?;
    respond(py, text, as_dict)
}

/// `summary(request, config, flags, as_dict) -> str | dict`: the `batch --summary` line of one
/// request (per disbursement option its headline numbers).
#[pyfunction]
#[pyo3(signature = (request, config=None, flags=None, as_dict=false))]
fn summary(
    py: Python<'_>,
    request: String,
    config: Option<String>,
    flags: Option<PyFlags>,
    as_dict: bool,
) -> PyResult<Py<PyAny>> {
    let text = run(py, || {
        let o = options(config.as_deref(), &flags.unwrap_or_else(default_flags))?;
        engine::summary(&request, "request", &o)
    })?;
    respond(py, text, as_dict)
}

/// `debt(request, config, flags, as_dict) -> str | dict`: the `data` of QI's
/// issuance response.
#[pyfunction]
#[pyo3(signature = (request, config=None, flags=None, as_dict=false))]
fn debt(
    py: Python<'_>,
    request: String,
    config: Option<String>,
    flags: Option<PyFlags>,
    as_dict: bool,
) -> PyResult<Py<PyAny>> {
    let text = run(py, || {
        let o = options(config.as_deref(), &flags.unwrap_or_else(default_flags))?;
        engine::debt(&request, &o)
    })?;
    respond(py, text, as_dict)
}

/// `portability(request, config, flags, as_dict, target_change,
/// installments_range) -> str | dict`: bridge, payroll loan, change; with `target_change` (an
/// amount as text) or `installments_range` (`"MIN..MAX"`) the CLI's `--target-change` /
/// `--installments-range` answers.
#[pyfunction]
#[pyo3(signature = (request, config=None, flags=None, as_dict=false, target_change=None, installments_range=None))]
#[allow(clippy::too_many_arguments)]
fn portability(
    py: Python<'_>,
    request: String,
    config: Option<String>,
    flags: Option<PyFlags>,
    as_dict: bool,
    target_change: Option<String>,
    installments_range: Option<String>,
) -> PyResult<Py<PyAny>> {
    let text = run(py, || {
        let o = options(config.as_deref(), &flags.unwrap_or_else(default_flags))?;
        engine::portability(
            &request,
            &o,
            target_change.as_deref(),
            installments_range.as_deref(),
        )
    })?;
    respond(py, text, as_dict)
}

/// `present_value(contract, config, flags, as_dict, date, paid, calculate_delay,
/// calculate_spread, prepay, keep) -> str | dict`: `qitech-sim present-value` (with `prepay` and
/// `keep`, its `--prepay AMOUNT --keep term|installment`).
#[pyfunction]
#[pyo3(signature = (contract, config=None, flags=None, as_dict=false, date=String::new(), paid=None, calculate_delay=false, calculate_spread=false, prepay=None, keep=None))]
#[allow(clippy::too_many_arguments)]
fn present_value(
    py: Python<'_>,
    contract: String,
    config: Option<String>,
    flags: Option<PyFlags>,
    as_dict: bool,
    date: String,
    paid: Option<u32>,
    calculate_delay: bool,
    calculate_spread: bool,
    prepay: Option<String>,
    keep: Option<String>,
) -> PyResult<Py<PyAny>> {
    let text = run(py, || {
        let o = options(config.as_deref(), &flags.unwrap_or_else(default_flags))?;
        let prepay = match (&prepay, &keep) {
            (Some(amount), Some(keep)) => Some((amount.as_str(), keep.as_str())),
            (None, None) => None,
            (Some(_), None) => return Err(qitech_sim::Error::missing("keep").into()),
            (None, Some(_)) => return Err(qitech_sim::Error::missing("amount").into()),
        };
        engine::present_value(
            &contract,
            &o,
            &engine::PresentValueQuery {
                date: &date,
                paid,
                calculate_delay,
                calculate_spread,
                prepay,
            },
        )
    })?;
    respond(py, text, as_dict)
}

/// Raises `InvalidRequest` if the options are invalid (so that `batch` fails before its first line).
#[pyfunction]
#[pyo3(signature = (config=None, flags=None))]
fn check_options(py: Python<'_>, config: Option<String>, flags: Option<PyFlags>) -> PyResult<()> {
    run(py, || {
        options(config.as_deref(), &flags.unwrap_or_else(default_flags))?;
        Ok(())
    })
}

/// One batch line, as the CLI's `batch` prints it: the compact response (or with `summary` the
/// `--summary` line), or `{"error":"…","field":…,"kind":"…","line":N}`.
fn batch_line(n: usize, line: &str, options: &engine::Options, summary: bool) -> String {
    let source = format!("line {n}");
    let priced = guarded(|| match summary {
        true => engine::summary(line, &source, options),
        false => engine::simulate(line, &source, options),
    });
    match priced {
        Ok(s) => s,
        Err(Failure::Input(e)) => {
            let (kind, field, _) = engine::error_parts(&e);
            error_line(n, &e.to_string(), kind, field.as_deref())
        }
        Err(Failure::Internal(msg)) => error_line(n, &msg, "internal", None),
    }
}

/// A batch error line: the message, the error's kind and field (`null` where no one field is at
/// fault), the 1-based line.
fn error_line(n: usize, msg: &str, kind: &str, field: Option<&str>) -> String {
    serde_json::json!({"error": msg, "field": field, "kind": kind, "line": n}).to_string()
}

/// Requests a thread prices between two checks for Ctrl-C (`py.check_signals()`, with the GIL):
/// a few milliseconds of work even for 600-installment loans.
const PER_THREAD_BETWEEN_SIGNAL_CHECKS: usize = 4;

/// `batch(lines, config, flags, as_dict, summary) -> list[str] | list[dict]`: each
/// `(line_number, request)` priced on all cores (rayon's pool),
/// results in input order; with `as_dict` each result converted as `simulate`'s. Between slices
/// of a few requests per core the GIL is taken back to check for signals, so that Ctrl-C raises
/// `KeyboardInterrupt` within milliseconds.
#[pyfunction]
#[pyo3(signature = (lines, config=None, flags=None, as_dict=false, summary=false))]
fn batch(
    py: Python<'_>,
    lines: Vec<(usize, String)>,
    config: Option<String>,
    flags: Option<PyFlags>,
    as_dict: bool,
    summary: bool,
) -> PyResult<Vec<Py<PyAny>>> {
    let o = run(py, || {
        Ok(
            options(config.as_deref(), &flags.unwrap_or_else(default_flags))?
                .with_clock(engine::now_utc()),
        )
    })?;
    let cores = rayon::current_num_threads();
    let mut texts = Vec::with_capacity(lines.len());
    for slice in lines.chunks(cores * PER_THREAD_BETWEEN_SIGNAL_CHECKS) {
        py.check_signals()?;
        texts.extend(py.detach(|| price_slice(slice, &o, summary)));
    }
    texts.into_iter().map(|t| respond(py, t, as_dict)).collect()
}

/// The lines of `slice` priced on all cores (rayon's pool), in order. Each line is priced inside
/// [`guarded`]: no panic reaches the pool.
fn price_slice(slice: &[(usize, String)], o: &engine::Options, summary: bool) -> Vec<String> {
    slice
        .par_iter()
        .map(|(n, l)| batch_line(*n, l, o, summary))
        .collect()
}

/// Whether the date is a business day (ANBIMA national calendar, 2001-01-01 to 2099-12-31).
#[pyfunction]
fn is_business_day(py: Python<'_>, d: Ymd) -> PyResult<bool> {
    run(py, || Ok(engine::is_business_day(date(d, "date")?)?))
}

/// The date if a business day, else the next business day.
#[pyfunction]
fn following(py: Python<'_>, d: Ymd) -> PyResult<Ymd> {
    run(py, || Ok(ymd(engine::following(date(d, "date")?)?)))
}

/// Business days in `(start, end]`.
#[pyfunction]
fn workdays(py: Python<'_>, start: Ymd, end: Ymd) -> PyResult<i64> {
    run(py, || {
        Ok(engine::workdays(date(start, "start")?, date(end, "end")?)?)
    })
}

/// The date moved by `n` business days.
#[pyfunction]
fn add_business_days(py: Python<'_>, d: Ymd, n: i64) -> PyResult<Ymd> {
    run(py, || {
        Ok(ymd(engine::add_business_days(date(d, "date")?, n)?))
    })
}

/// Panics inside the guard: for the test that no panic crosses into Python.
#[pyfunction]
fn _test_panic(py: Python<'_>) -> PyResult<()> {
    run(py, || -> Result<(), Failure> {
        panic!("deliberate test panic");
    })
}

/// The converter alone, on any JSON text: for the tests that compare it with `json.loads`.
/// Malformed text raises `ValueError`.
#[pyfunction]
fn _loads_for_test(py: Python<'_>, text: &str) -> PyResult<Py<PyAny>> {
    tree::to_python(py, text).map(Bound::unbind)
}

/// The native module.
#[pymodule]
#[pyo3(name = "_native")]
fn native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(simulate, m)?)?;
    m.add_function(wrap_pyfunction!(summary, m)?)?;
    m.add_function(wrap_pyfunction!(debt, m)?)?;
    m.add_function(wrap_pyfunction!(portability, m)?)?;
    m.add_function(wrap_pyfunction!(present_value, m)?)?;
    m.add_function(wrap_pyfunction!(check_options, m)?)?;
    m.add_function(wrap_pyfunction!(batch, m)?)?;
    m.add_function(wrap_pyfunction!(arrow::quote_table, m)?)?;
    m.add_function(wrap_pyfunction!(arrow::installments_table, m)?)?;
    m.add_function(wrap_pyfunction!(is_business_day, m)?)?;
    m.add_function(wrap_pyfunction!(following, m)?)?;
    m.add_function(wrap_pyfunction!(workdays, m)?)?;
    m.add_function(wrap_pyfunction!(add_business_days, m)?)?;
    m.add_function(wrap_pyfunction!(_test_panic, m)?)?;
    m.add_function(wrap_pyfunction!(_loads_for_test, m)?)?;
    Ok(())
}
