//! The one integration-test binary: golden fixtures, properties, calendar, CLI contract.

mod batch;
mod calendar;
mod cli;
mod conventions;
mod doors;
mod exactness;
mod fuzz;
mod golden;
mod library;
mod number_output;
mod portability;
mod properties;
mod reliability;
mod robustness;
mod summary;
mod support;
mod surface;
mod systems;
mod v2;
