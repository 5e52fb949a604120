//! The one integration-test binary: golden fixtures, properties, calendar, CLI contract.

mod batch;
mod calendar;
mod cli;
mod exactness;
mod fuzz;
mod golden;
mod portability;
mod properties;
mod reliability;
mod robustness;
