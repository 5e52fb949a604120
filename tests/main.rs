//! The one integration-test binary: golden fixtures, properties, calendar, CLI contract.

mod batch;
mod bounds;
mod calendar;
mod cet_periods;
mod cli;
mod conventions;
mod doors;
mod exactness;
mod fuzz;
mod golden;
mod library;
mod long_loans;
mod money;
mod mutation_gaps;
mod number_output;
mod portability;
mod present_value;
mod properties;
mod refinance_contract;
mod reliability;
mod robustness;
mod summary;
mod support;
mod surface;
mod systems;
mod v2;
