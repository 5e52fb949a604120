//! The crate's one error type.
//!
//! Every fallible function of the crate returns [`Error`]. Each variant names the field (as a JSON path
//! where the value came from a request, e.g. `financial.number_of_installments`) and the offending value,
//! so that a one-line message is enough to fix the input.

use chrono::NaiveDate;

/// Everything that can go wrong in a simulation, from JSON parsing to the CET solver.
///
/// The enum is `#[non_exhaustive]`: new input checks may add variants.
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
        /// JSON path or parameter name.
        field: String,
        /// The offending value, as text.
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

impl Error {
    /// Shorthand for [`Error::InvalidField`].
    pub fn invalid(
        field: impl Into<String>,
        value: impl std::fmt::Display,
        reason: impl Into<String>,
    ) -> Self {
        Error::InvalidField {
            field: field.into(),
            value: value.to_string(),
            reason: reason.into(),
        }
    }

    /// Shorthand for [`Error::Overflow`].
    pub fn overflow(field: impl Into<String>, value: impl std::fmt::Display) -> Self {
        Error::Overflow {
            field: field.into(),
            value: value.to_string(),
        }
    }
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
