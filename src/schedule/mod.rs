//! The price-days schedule (`pre_price_days`): due dates, day counts, present value, and the split of
//! each installment into interest and principal.
//!
//! Two modes (the crate's conventions, *Schedules*):
//!
//! **Face value** (payroll loans: the installment `F` is the borrower's margin):
//! * `PV = Σ F / G_k`, where `G_k` is the growth factor from the disbursement to `due_date_k`;
//!   `issue_amount = round2(PV)`;
//! * for k < n: `pre_fixed_k = round10(bal · (g_k − 1))`, `principal_k = F − pre_fixed_k`,
//!   `bal −= principal_k`, starting from the **unrounded** `bal₀ = PV` (`g_k` is the growth factor of
//!   period k alone);
//! * the last installment closes the balance: `principal_n = round10(bal)`, `pre_fixed_n = F − principal_n`;
//! * `due_principal_k = issue_amount − Σ_{j<k} principal_j` (from the **rounded** issue).
//!
//! **From an issue amount** (disbursed-amount mode, once the gross-up has fixed the issue `I`):
//! * `total = round2(I / Σ 1/G_k)` for every installment but the last;
//! * `pre_fixed_k = bal · (g_k − 1)`, unrounded (QI prints 183.5073246195304), `principal_k = total − pre_fixed_k`;
//! * the last closes the balance: `total_n = round2(bal · g_n)`, `principal_n = total_n − pre_fixed_n`, so
//!   Σ principal differs from `I` by less than a cent (80833.26267538047 for `I` = 80833.26).
//!
//! Growth factors come from the loan's [`InterestRate`]: calendar days on the calendar bases, business
//! days in (previous due date, due date] on `workdays`. Period factors are memoised per day count and
//! the discount `1/G_k` is a running product: no fractional power is taken. Those operations are
//! rust_decimal's, bit for bit; `tests/exactness.rs` checks whole schedules against a reference
//! that takes every factor as a fractional power, as Python does.
//!
//! Negative amortization (a first period so long that its interest exceeds the installment) is legal
//! input: the schedule stays exact, the principal of that installment is negative and its IOF is zero
//! (the crate's conventions, *Schedules*).

use rust_decimal::Decimal;

use crate::loan::field;
#[cfg(doc)]
use crate::rate::InterestRate;

/// Most installments a schedule may have (50 years of monthly payments).
pub const MAX_INSTALLMENTS: u32 = 600;

/// The amortization system (`financial.interest_type`). Each system's formulas are documented on
/// the function that prices it ([`face_value`], [`from_issue`]).
///
/// | system | `interest_type` | growth ([`Grid::for_system`]) | installments |
/// |---|---|---|---|
/// | [`Amortization::PriceDays`] | `pre_price_days` | over the actual days, on the base | level (Price) |
/// | [`Amortization::Price`] | `pre_price` | per period at the monthly rate, days ignored | level (Price) |
/// | [`Amortization::Sac`] | `pre_sac` | over the actual days, on the base | constant principal (SAC) |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Amortization {
    /// `pre_price_days`: Price over the actual days of each period. Default.
    #[default]
    PriceDays,
    /// `pre_price`: Price at the monthly rate per period (QI's 2020 sandbox example,
    /// `fixtures/qi-examples/anaue-preprice-5000-2020.response.json`).
    Price,
    /// `pre_sac`: constant amortization (SAC), interest over the actual days of each period.
    Sac,
}

crate::names::named_enum!(Amortization, "interest type", field::INTEREST_TYPE, {
    PriceDays => "pre_price_days",
    Price => "pre_price",
    Sac => "pre_sac",
});

impl Amortization {
    /// The system of an `interest_type`, if the crate prices it.
    pub fn from_interest_type(s: &str) -> Option<Self> {
        s.parse().ok()
    }
}
mod fixed;
mod fixed_issue;
mod grid;
mod periods;
mod systems;
mod tax_sum;

pub use grid::Grid;
pub(crate) use grid::GrowthMemo;
pub use periods::{Period, periods, periods_from_dates};
#[cfg(test)]
pub(crate) use systems::from_issue_tax_sum;
pub use systems::{face_value, from_issue, given_installments};
pub(crate) use systems::{face_value_summary, from_issue_with_tax_sum};

/// One row of the schedule, with QI's field names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Installment {
    /// The installment's dates and day counts.
    pub period: Period,
    /// `due_principal`: the outstanding principal before this installment.
    pub due_principal: Decimal,
    /// `pre_fixed_amount`: the interest part.
    pub pre_fixed_amount: Decimal,
    /// `principal_amortization_amount`: the principal part (negative under negative amortization).
    pub principal_amortization_amount: Decimal,
    /// `tax_amount`: the installment's daily IOF, unrounded.
    pub tax_amount: Decimal,
    /// `total_amount`: what the borrower pays.
    pub total_amount: Decimal,
}

/// The CET flow of an installment of `total` due in `period`: the total on its contractual
/// `due_date`, in calendar days from the disbursement ([`Schedule::cet_flows`]).
pub(crate) fn cet_flow(period: &Period, total: Decimal) -> crate::cet::Flow {
    crate::cet::Flow {
        days: period.days_from_disbursement,
        amount: total,
    }
}

/// A priced schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    /// `issue_amount`, in cents.
    pub issue_amount: Decimal,
    /// The installments.
    pub installments: Vec<Installment>,
}

impl Schedule {
    /// `total_pre_fixed_amount`: Σ interest.
    pub fn total_pre_fixed_amount(&self) -> Decimal {
        self.installments.iter().map(|i| i.pre_fixed_amount).sum()
    }

    /// The borrower's payments as CET flows: each `total_amount` on its contractual `due_date`
    /// (calendar days from the disbursement).
    pub fn cet_flows(&self) -> Vec<crate::cet::Flow> {
        self.installments
            .iter()
            .map(|i| cet_flow(&i.period, i.total_amount))
            .collect()
    }

    /// Business days from the disbursement to each due date, in (disbursement, due date]: the
    /// running sum of the periods' `workdays` (v2 `workdays_to_disbursement`; 13 for 2024-09-06 →
    /// 09-25 in `fixtures/qi-examples/v2-sim-2025.response.json`).
    pub fn workdays_from_disbursement(&self) -> Vec<u32> {
        let mut total = 0u32;
        self.installments
            .iter()
            .map(|i| {
                total = total.saturating_add(i.period.workdays);
                total
            })
            .collect()
    }

    /// Σ of the installments' daily IOF.
    pub fn installment_taxes(&self) -> impl Iterator<Item = Decimal> + '_ {
        self.installments.iter().map(|i| i.tax_amount)
    }
}
