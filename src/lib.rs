#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod api;
pub mod calendar;
pub mod cet;
pub mod error;
pub mod fees;
pub mod iof;
pub mod num;
pub mod portability;
pub mod rate;
pub mod schedule;
pub mod simulation;

pub use error::{Error, Result};
pub use simulation::{
    Amount, DelayUnit, FirstDue, LoanTerms, OptionDays, Quote, RefinancedOperation, Simulation,
    SimulationOptions, quote, simulate,
};
