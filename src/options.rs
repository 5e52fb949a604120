//! [`SimulationOptions`]: the knobs QI keeps on its side (the partner's pricing) and the product
//! decisions where the manuals are silent (delay unit, option days, natural-person IOF, the
//! convention switches).

use crate::conventions::Conventions;
use crate::fees::Pricing;
use crate::iof::NaturalPersonIof;

/// How `first_due_date_delay` is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DelayUnit {
    /// Calendar days: what QI's documented numbers show (2023-03-17 + 5 → 2023-03-22). Default.
    #[default]
    CalendarDays,
    /// Business days: what the manual's text says ("D+5 dias úteis").
    BusinessDays,
}

crate::names::named_enum!(DelayUnit, "delay unit", "delay_unit", {
    CalendarDays => "calendar_days",
    BusinessDays => "business_days",
});

/// Which days between `disbursement_date` and `disbursement_date + limit_days_to_disburse` get an
/// option (see the crate's conventions, *Disbursement options*).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OptionDays {
    /// Every calendar day, weekends included, as QI's four-option example lists them. Default.
    #[default]
    CalendarDays,
    /// Business days only.
    BusinessDays,
}

crate::names::named_enum!(OptionDays, "option-day policy", "disbursement_options_policy", {
    CalendarDays => "calendar_days",
    BusinessDays => "business_days",
});

/// Engine knobs that are not in QI's request, with chained setters. `Default` is QI's behaviour as
/// documented: no fees, calendar-day delay, one option per calendar day.
///
/// ```
/// use qitech_sim::{DelayUnit, OptionDays, SimulationOptions};
/// let opts = SimulationOptions::new()
///     .delay_unit(DelayUnit::BusinessDays)
///     .option_days(OptionDays::BusinessDays);
/// assert_eq!(opts.get_option_days(), OptionDays::BusinessDays);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SimulationOptions {
    pub(crate) pricing: Pricing,
    pub(crate) delay_unit: DelayUnit,
    pub(crate) option_days: OptionDays,
    pub(crate) natural_iof: NaturalPersonIof,
    pub(crate) allow_unknown_fields: bool,
    pub(crate) conventions: Conventions,
}

impl SimulationOptions {
    /// QI's documented behaviour, no fees.
    pub fn new() -> Self {
        Self::default()
    }

    /// The partner's pricing configuration.
    pub fn pricing(mut self, pricing: Pricing) -> Self {
        self.pricing = pricing;
        self
    }

    /// How `first_due_date_delay` is counted.
    pub fn delay_unit(mut self, unit: DelayUnit) -> Self {
        self.delay_unit = unit;
        self
    }

    /// Which days get a disbursement option.
    pub fn option_days(mut self, days: OptionDays) -> Self {
        self.option_days = days;
        self
    }

    /// Which IOF rule natural persons get: [`NaturalPersonIof::Fixed`] (0.0082 %/day + 0.38 % at
    /// every date, the default) or [`NaturalPersonIof::Dated`] (the natural-person column of
    /// [`crate::iof::REGIMES`]: zero in most of 2020, 0.01118 %/day from 2021-09-20 to 12-31). Legal
    /// persons are always priced by the dated table.
    pub fn natural_person_iof(mut self, rule: NaturalPersonIof) -> Self {
        self.natural_iof = rule;
        self
    }

    /// The convention switches (the crate's conventions, *Switches*; default the profile
    /// `qi-2023`, [`Profile::Qi2023`]).
    ///
    /// ```
    /// use qitech_sim::conventions::{Conventions, Profile};
    /// use qitech_sim::SimulationOptions;
    /// let opts = SimulationOptions::new().conventions(Conventions::profile(Profile::QiV2));
    /// assert_eq!(opts.get_conventions(), &Conventions::profile(Profile::QiV2));
    /// ```
    ///
    /// [`Profile::Qi2023`]: crate::conventions::Profile::Qi2023
    pub fn conventions(mut self, conventions: Conventions) -> Self {
        self.conventions = conventions;
        self
    }

    /// The convention switches.
    pub fn get_conventions(&self) -> &Conventions {
        &self.conventions
    }

    /// The natural-person IOF rule.
    pub fn get_natural_person_iof(&self) -> NaturalPersonIof {
        self.natural_iof
    }

    /// Accept keys the reader does not know inside `financial`, `borrower`, `collaterals[]` and
    /// `refinanced_credit_operations[]` (default: refuse them, naming the key and the nearest known
    /// one). Read by the [`crate::api`] pipelines; the CLI's `--allow-unknown-fields`.
    pub fn allow_unknown_fields(mut self, allow: bool) -> Self {
        self.allow_unknown_fields = allow;
        self
    }

    /// Move every due date to the next business day before counting days (the pricing file's
    /// `"conventions": {"move_due_dates": true}`; the request's `force_installments_on_workdays`
    /// does the same for one loan). It sets [`Conventions::move_due_dates`], the one field the
    /// pricing reads: call it after [`SimulationOptions::conventions`], which replaces the
    /// conventions.
    pub fn move_due_dates(mut self, on: bool) -> Self {
        self.conventions.move_due_dates = on;
        self
    }

    /// Whether unknown request keys are accepted.
    pub fn get_allow_unknown_fields(&self) -> bool {
        self.allow_unknown_fields
    }

    /// The pricing configuration.
    pub fn get_pricing(&self) -> &Pricing {
        &self.pricing
    }

    /// The delay unit.
    pub fn get_delay_unit(&self) -> DelayUnit {
        self.delay_unit
    }

    /// The option-day policy.
    pub fn get_option_days(&self) -> OptionDays {
        self.option_days
    }
}
