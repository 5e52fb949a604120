//! The one integration-test binary: golden fixtures, properties, calendar, CLI contract.

mod calendar;
mod golden;
