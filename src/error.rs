//! The crate's one error type.
//!
//! Every fallible function of the crate returns [`Error`]. Each error names the field (as a JSON path
//! where the value came from a request, e.g. `financial.number_of_installments`) and the offending
//! value, so that a one-line message is enough to fix the input; and it has a matchable
//! [`ErrorKind`], so that callers and tests match on what went wrong, never on the message text.
//!
//! ```
//! use qitech_sim::{api, ErrorKind, SimulationOptions};
//! let request = r#"{"financial": {"installment_face_value": 100, "number_of_installments": 0,
//!     "monthly_interest_rate": 0.0205, "disbursement_date": "2023-03-14",
//!     "first_due_date": "2023-04-07"}}"#;
//! let err = api::simulate_json(request, &SimulationOptions::new(), None).unwrap_err();
//! assert_eq!(err.kind(), ErrorKind::OutOfRange);
//! assert_eq!(err.field(), Some("financial.number_of_installments"));
//! assert_eq!(err.value().as_deref(), Some("0"));
//! ```

use chrono::NaiveDate;

/// What kind of error an [`Error`] is: the stable, matchable part of it.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// A required field is absent.
    Missing,
    /// A field has the wrong JSON type (a string where a number is expected, …).
    WrongType,
    /// A value is outside the range the engine accepts (zero installments, a negative amount, a rate
    /// of −100 %, more than 60 option days …).
    OutOfRange,
    /// A date lies outside the business calendar's range.
    DateOutOfRange,
    /// A value QI documents whose arithmetic the crate does not implement (an amortization system,
    /// a grace period, a person type): refused, never ignored.
    Unsupported,
    /// Two fields that exclude each other were both given.
    Conflict,
    /// A value that is not one of the accepted names or formats (an unknown interest base, a date
    /// that is not `YYYY-MM-DD`).
    Invalid,
    /// Decimal arithmetic on caller-provided amounts left the representable range.
    Overflow,
    /// No answer exists for the input (the CET has no root, a search cannot reach its target).
    NoSolution,
    /// The text is not valid JSON.
    InvalidJson,
}

impl ErrorKind {
    /// A stable snake-case name (`"missing"`, `"out_of_range"`, …), for logs and other languages.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Missing => "missing",
            ErrorKind::WrongType => "wrong_type",
            ErrorKind::OutOfRange => "out_of_range",
            ErrorKind::DateOutOfRange => "date_out_of_range",
            ErrorKind::Unsupported => "unsupported",
            ErrorKind::Conflict => "conflict",
            ErrorKind::Invalid => "invalid",
            ErrorKind::Overflow => "overflow",
            ErrorKind::NoSolution => "no_solution",
            ErrorKind::InvalidJson => "invalid_json",
        }
    }
}

impl std::fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Everything that can go wrong in a simulation, from JSON parsing to the CET solver.
///
/// The enum is `#[non_exhaustive]`: new input checks may add variants. Match on [`Error::kind`].
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// A date lies outside the range the business calendar covers
    /// ([`crate::calendar::MIN_DATE`] to [`crate::calendar::MAX_DATE`]).
    #[error("{field}: date {value} is outside the supported calendar range {min}..={max}")]
    DateOutOfRange {
        /// Field (or computation) the date belongs to.
        field: String,
        /// The offending date.
        value: NaiveDate,
        /// First supported date.
        min: NaiveDate,
        /// Last supported date.
        max: NaiveDate,
    },
    /// A field has a value the engine cannot accept.
    #[error("{field}: {reason} (got {value})")]
    InvalidField {
        /// What kind of problem it is.
        kind: ErrorKind,
        /// JSON path or parameter name.
        field: String,
        /// The offending value, as text (truncated to [`MAX_VALUE_CHARS`] characters).
        value: String,
        /// Why it is rejected.
        reason: String,
    },
    /// A required field is absent.
    #[error("{field}: missing required field")]
    MissingField {
        /// JSON path of the missing field.
        field: String,
    },
    /// Decimal arithmetic on caller-provided amounts left the representable range
    /// (about ±7.9 × 10²⁸ with 28 significant digits).
    #[error("{field}: arithmetic overflow with value {value}")]
    Overflow {
        /// The field whose value drove the overflow.
        field: String,
        /// The offending value, as text.
        value: String,
    },
    /// The CET equation has no root: the flows never change sign or the rate is beyond any bracket.
    #[error("cet: no internal rate of return for these flows ({reason})")]
    CetNoRoot {
        /// What the solver found.
        reason: String,
    },
    /// The request or configuration is not valid JSON or does not have QI's shape.
    #[error("{source_name}: invalid JSON: {message}")]
    Json {
        /// Which input (file name, `stdin`, `config`).
        source_name: String,
        /// serde_json's message, with line and column.
        message: String,
    },
}

/// The most characters of an offending value an error keeps (a longer value is cut with `…`).
pub const MAX_VALUE_CHARS: usize = 60;

/// `value` as text, cut to [`MAX_VALUE_CHARS`] characters (and `…`): the rule every error's value
/// follows, the CLI's arguments included.
///
/// ```
/// let long = "x".repeat(100);
/// assert_eq!(qitech_sim::error::value_text(&long).chars().count(), 61);
/// assert_eq!(qitech_sim::error::value_text("12"), "12");
/// ```
pub fn value_text(value: impl std::fmt::Display) -> String {
    let s = value.to_string();
    match s.char_indices().nth(MAX_VALUE_CHARS) {
        Some((cut, _)) => format!("{}…", &s[..cut]),
        None => s,
    }
}

impl Error {
    /// An [`Error::InvalidField`] of `kind`.
    pub fn field_error(
        kind: ErrorKind,
        field: impl Into<String>,
        value: impl std::fmt::Display,
        reason: impl Into<String>,
    ) -> Self {
        Error::InvalidField {
            kind,
            field: field.into(),
            value: value_text(value),
            reason: reason.into(),
        }
    }

    /// A value outside the accepted range ([`ErrorKind::OutOfRange`]).
    pub fn out_of_range(
        field: impl Into<String>,
        value: impl std::fmt::Display,
        reason: impl Into<String>,
    ) -> Self {
        Self::field_error(ErrorKind::OutOfRange, field, value, reason)
    }

    /// A value that is not one of the accepted names or formats ([`ErrorKind::Invalid`]).
    pub fn invalid(
        field: impl Into<String>,
        value: impl std::fmt::Display,
        reason: impl Into<String>,
    ) -> Self {
        Self::field_error(ErrorKind::Invalid, field, value, reason)
    }

    /// A field of the wrong JSON type ([`ErrorKind::WrongType`]).
    pub fn wrong_type(
        field: impl Into<String>,
        value: impl std::fmt::Display,
        reason: impl Into<String>,
    ) -> Self {
        Self::field_error(ErrorKind::WrongType, field, value, reason)
    }

    /// A documented feature the crate does not price ([`ErrorKind::Unsupported`]).
    pub fn unsupported(
        field: impl Into<String>,
        value: impl std::fmt::Display,
        reason: impl Into<String>,
    ) -> Self {
        Self::field_error(ErrorKind::Unsupported, field, value, reason)
    }

    /// Two fields that exclude each other ([`ErrorKind::Conflict`]).
    pub fn conflict(
        field: impl Into<String>,
        value: impl std::fmt::Display,
        reason: impl Into<String>,
    ) -> Self {
        Self::field_error(ErrorKind::Conflict, field, value, reason)
    }

    /// No answer for the input ([`ErrorKind::NoSolution`]), naming the field that asked for it.
    pub fn no_solution(
        field: impl Into<String>,
        value: impl std::fmt::Display,
        reason: impl Into<String>,
    ) -> Self {
        Self::field_error(ErrorKind::NoSolution, field, value, reason)
    }

    /// A required field is absent ([`ErrorKind::Missing`]).
    pub fn missing(field: impl Into<String>) -> Self {
        Error::MissingField {
            field: field.into(),
        }
    }

    /// Shorthand for [`Error::Overflow`].
    pub fn overflow(field: impl Into<String>, value: impl std::fmt::Display) -> Self {
        Error::Overflow {
            field: field.into(),
            value: value_text(value),
        }
    }

    /// What kind of error this is.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::DateOutOfRange { .. } => ErrorKind::DateOutOfRange,
            Error::InvalidField { kind, .. } => *kind,
            Error::MissingField { .. } => ErrorKind::Missing,
            Error::Overflow { .. } => ErrorKind::Overflow,
            Error::CetNoRoot { .. } => ErrorKind::NoSolution,
            Error::Json { .. } => ErrorKind::InvalidJson,
        }
    }

    /// The field (JSON path or parameter) the error is about; for invalid JSON, the input's name
    /// (`request`, `line 3`, a file); `None` for the CET solver, whose input is the whole loan.
    pub fn field(&self) -> Option<&str> {
        match self {
            Error::DateOutOfRange { field, .. }
            | Error::InvalidField { field, .. }
            | Error::MissingField { field }
            | Error::Overflow { field, .. } => Some(field),
            Error::Json { source_name, .. } => Some(source_name),
            Error::CetNoRoot { .. } => None,
        }
    }

    /// The same error with its field renamed by `rename` (`None` keeps it): how a wire whose body
    /// names fields differently from the engine (the v2 body's root keys for the engine's
    /// `financial.*` paths) translates the engine's errors, once.
    pub fn rename_field(mut self, rename: impl FnOnce(&str) -> Option<String>) -> Self {
        match &mut self {
            Error::DateOutOfRange { field, .. }
            | Error::InvalidField { field, .. }
            | Error::MissingField { field }
            | Error::Overflow { field, .. } => {
                if let Some(f) = rename(field) {
                    *field = f;
                }
            }
            Error::Json { .. } | Error::CetNoRoot { .. } => {}
        }
        self
    }

    /// The offending value as text, where there is one.
    pub fn value(&self) -> Option<String> {
        match self {
            Error::InvalidField { value, .. } | Error::Overflow { value, .. } => {
                Some(value.clone())
            }
            Error::DateOutOfRange { value, .. } => Some(value.to_string()),
            Error::MissingField { .. } | Error::CetNoRoot { .. } | Error::Json { .. } => None,
        }
    }
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
