//! The WebAssembly side of the `qitech-sim` npm package: JSON text in, the crate, JSON text out.
//!
//! Each export takes the request, the partner configuration (or `undefined`) and the options as
//! JSON text and returns the response's compact JSON text, the bytes `qitech-sim … --compact`
//! prints. A failure throws a string holding `{"kind","field","value","message"}` as JSON, which
//! the package's JavaScript turns into a `QitechSimError`. Nothing here computes: every call goes
//! through `adapter`, the one file that knows the crate's API.

#[doc(hidden)]
pub mod adapter;

use wasm_bindgen::prelude::*;

fn thrown(e: &adapter::Error) -> JsValue {
    JsValue::from_str(&adapter::error_json(e))
}

fn with_options(
    config: Option<String>,
    options: &str,
    f: impl FnOnce(&adapter::Options) -> Result<String, adapter::Error>,
) -> Result<String, JsValue> {
    adapter::options(config.as_deref(), options)
        .and_then(|o| f(&o))
        .map_err(|e| thrown(&e))
}

/// QI's simulation response (`/debt_simulation`, or the v2 shape for a v2 body).
#[wasm_bindgen(js_name = simulateJson)]
pub fn simulate_json(
    request: &str,
    config: Option<String>,
    options: &str,
) -> Result<String, JsValue> {
    with_options(config, options, |o| adapter::simulate(request, o))
}

/// The one-line summary per request (`batch --summary`).
#[wasm_bindgen(js_name = summaryJson)]
pub fn summary_json(
    request: &str,
    config: Option<String>,
    options: &str,
) -> Result<String, JsValue> {
    with_options(config, options, |o| adapter::summary(request, o))
}

/// The `data` of QI's issuance (`/debt`) response.
#[wasm_bindgen(js_name = debtJson)]
pub fn debt_json(request: &str, config: Option<String>, options: &str) -> Result<String, JsValue> {
    with_options(config, options, |o| adapter::debt(request, o))
}

/// A portability (with the options' `targetChange` or `installmentsRange`).
#[wasm_bindgen(js_name = portabilityJson)]
pub fn portability_json(
    request: &str,
    config: Option<String>,
    options: &str,
) -> Result<String, JsValue> {
    with_options(config, options, |o| adapter::portability(request, o))
}

/// Whether `date` (`YYYY-MM-DD`) is a business day.
#[wasm_bindgen(js_name = isBusinessDay)]
pub fn is_business_day(date: &str) -> Result<bool, JsValue> {
    adapter::is_business_day(date).map_err(|e| thrown(&e))
}

/// `date` if it is a business day, else the next one.
#[wasm_bindgen]
pub fn following(date: &str) -> Result<String, JsValue> {
    adapter::following(date).map_err(|e| thrown(&e))
}

/// Business days in `(from, to]` (negative when `to < from`). A count of days is far below
/// 2^53, so it crosses to JavaScript as a plain number exactly.
#[wasm_bindgen]
pub fn workdays(from: &str, to: &str) -> Result<f64, JsValue> {
    #[allow(clippy::cast_precision_loss)]
    adapter::workdays(from, to)
        .map(|n| n as f64)
        .map_err(|e| thrown(&e))
}

/// `date` moved by `n` business days; `n` must be a whole number.
#[wasm_bindgen(js_name = addBusinessDays)]
pub fn add_business_days(date: &str, n: f64) -> Result<String, JsValue> {
    // A whole number within ±2^53 converts exactly; anything else is refused, never truncated.
    if n.fract() != 0.0 || !n.is_finite() || n.abs() > 9_007_199_254_740_992.0 {
        return Err(thrown(&adapter::Error::invalid(
            "n",
            n,
            "expected a whole number",
        )));
    }
    #[allow(clippy::cast_possible_truncation)]
    adapter::add_business_days(date, n as i64).map_err(|e| thrown(&e))
}
