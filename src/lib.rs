//! Offline, cent-exact reproduction of QI Tech's credit-simulation arithmetic.
//!
//! QI Tech's lending API prices a loan before it is issued: the installments, the IOF tax, the fees,
//! the CET (total effective cost, which Brazil's Central Bank requires on every offer) and, on a
//! portability or refinancing, the change (*troco*) left after the old debt is paid off. This crate
//! is that arithmetic: the same request JSON in, the same response JSON out, the same numbers as QI.
//!
//! # Quoting a loan in Rust
//!
//! ```
//! use qitech_sim::prelude::*;
//!
//! let rate = InterestRate::monthly("0.0205".parse()?, InterestBase::CalendarDays)?;
//! let disbursement = NaiveDate::from_ymd_opt(2023, 3, 14).ok_or("date")?;
//! let first_due = NaiveDate::from_ymd_opt(2023, 4, 7).ok_or("date")?;
//! let terms = LoanTerms::face_value(Decimal::from(100), 2, rate, disbursement, first_due)?;
//! let quote = simulate(&terms, &SimulationOptions::new())?.first().clone();
//! assert_eq!(quote.schedule.issue_amount.to_string(), "194.80");
//! assert_eq!(quote.iof.total.to_string(), "1.36");
//! assert_eq!(quote.cet.monthly.to_string(), "0.0264");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Quoting a request as QI receives it
//!
//! ```
//! use qitech_sim::{api, SimulationOptions};
//!
//! let request = std::fs::read_to_string("fixtures/siape/simulation_request.json")?;
//! let pricing = std::fs::read_to_string("fixtures/siape/pricing.json")?;
//! let options = SimulationOptions::new().pricing(api::pricing_from_json(&pricing, "pricing")?);
//! let response = api::simulate_json(&request, &options, None)?;
//! assert_eq!(response.data.disbursed_issue_amount.0.to_string(), "191.49");
//! assert_eq!(response.data.cet.0.to_string(), "0.0346");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Modules
//!
//! | module | domain idea |
//! |---|---|
//! | [`simulation`] | the loan ([`LoanTerms`]), the engine's knobs ([`SimulationOptions`]), [`simulate`] and its [`Quote`]s |
//! | [`portability`] | the bridge loan, the payroll loan that refinances it, the change, the inverse questions |
//! | [`rate`] | monthly and annual rates, interest bases, the working rate |
//! | [`schedule`] | due dates, day counts and the Price schedules |
//! | [`iof`] | the IOF tax |
//! | [`fees`] | the partner's pricing: contract and external fees |
//! | [`cet`] | the CET |
//! | [`calendar`] | Brazilian business days (ANBIMA) |
//! | [`api`] | QI's JSON shapes and one pipeline per endpoint |
//! | [`error`] | the one [`Error`] type and its [`ErrorKind`] |
//!
//! # Conventions
//!
//! Every rounding, formula and product decision the crate implements, with the documented number
//! that fixes it, is in [`conventions`]. Every field of QI's simulation and issuance bodies, and
//! whether the crate applies it, refuses it or has no arithmetic for it, is in [`request_surface`].
//!
//! # Features
//!
//! * `cli` (default): what the `qitech-sim` binary needs (rayon, clap). A library user can turn it
//!   off (`default-features = false`) and gets no parallelism or argument-parsing dependencies.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod names;

pub mod api;
pub mod calendar;
pub mod cet;
pub mod error;
pub mod fees;
mod gross_up;
pub mod iof;
mod kept;
pub mod loan;
mod num;
pub mod options;
pub mod portability;
pub mod prepayment;
pub mod present_value;
pub mod rate;
pub mod schedule;
pub mod simulation;

pub mod conventions;

#[doc = include_str!("../docs/request-surface.md")]
pub mod request_surface {}

/// The README's Rust examples, compiled and run as doc tests (the README is the CLI's and the
/// repository's page; the crate's documentation is this module tree).
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

pub use chrono::NaiveDate;
pub use error::{Error, ErrorKind, Result};
pub use rust_decimal::Decimal;
pub use simulation::{
    Amount, Change, DelayUnit, FirstDue, LoanTerms, OptionDays, Quote, RefinancedOperation,
    Simulation, SimulationOptions, quote, simulate,
};

/// What a pricing service needs in scope: `use qitech_sim::prelude::*;`.
pub mod prelude {
    pub use crate::rate::{InterestBase, InterestRate};
    pub use crate::{
        Amount, Change, Decimal, DelayUnit, Error, ErrorKind, FirstDue, LoanTerms, NaiveDate,
        OptionDays, Quote, RefinancedOperation, Simulation, SimulationOptions, simulate,
    };
}
