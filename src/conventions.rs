#![doc = include_str!("../docs/conventions.md")]
//!
//! # The switch table
//!
//! The points where QI's public material (and other Brazilian lending platforms) disagree are
//! independent switches of [`Conventions`], set on the engine with
//! [`SimulationOptions::conventions`](crate::SimulationOptions::conventions) and read from the
//! partner configuration file under `"conventions"` (and `"profile"`), see
//! [`crate::api::config_from_json`]. The default is the `qi-2023` profile's behaviour ([`Profile::Qi2023`]):
//! every number of the crate's 2023 golden fixtures is unchanged under it.
//!
//! | switch (`"conventions"` key) | values | default (`qi-2023`) | `qi-v2` | what QI's material shows | evidence |
//! |---|---|---|---|---|---|
//! | `interest_base` | `calendar_days`, `calendar_days_365`, `workdays` | absent: the request's | absent | the product's base wins over `fine_configuration.interest_base`, loses to `financial.interest_base` | QI's pt simulation page answers `calendar_days_365` to a `fine_configuration` saying `calendar_days` (`fixtures/qi-examples/pt-simulacao-2024.*`) |
//! | `calendar_days_growth` | `monthly_rate`, `daily_rate` | `monthly_rate`: `(1+m_eff)^(d/30)` | `daily_rate`: `(1+d8)^d` | v2 compounds the printed 8-decimal daily rate | `v2-sim-2025`: 36.14 × (1.00225783^19 − 1) = 1.58227236 |
//! | `interest_decimals` | `10`, `8`, `2` | absent: 10 face value, none disbursed, 2 `pre_price`/`pre_sac` | `8` | v2 interest at 8 decimals; `pre_price` in cents | `v2-sim-2025` 1.58227236; `anaue-preprice-5000-2020` 525.84 |
//! | `last_installment` | `closes_balance`, `equal_installment` | `closes_balance` | `equal_installment` | BNPL keeps the last installment equal to the PMT | `bnpl-issue-2026`: CET 5.82 needs +543.89 twice |
//! | `move_due_dates` | `false`, `true` | `false` | `false` | due dates moved to the business day before counting days | the v2 and BNPL pages' `force_installments_on_workdays`; QI's pt simulation page (2024-10-20, a Sunday, counted as 31 days) |
//! | `cet` | `monthly_first`, `annual_irr` | `monthly_first` | `annual_irr` | the raw annual IRR and the monthly rate from it, each rounded | `v2-sim-2025` 145.08 / 7.76; `bnpl-issue-2026` 97.05 / 5.82 |
//! | `cet_periods` | `days_365`, `months` | `days_365`: actual days / 365 (Res. CMN 4.881 art. 4) | `days_365` | the CET's rate of return over actual days, or over equal monthly periods (monthly IRR, annual `(1+r)^12 − 1`) | the Central Bank's CET FAQ example: 940 received, 5 × 205.73 → 3.08 % / 43.93 % (`fixtures/cet/bcb-faq-cet.json`) |
//! | `assignment_includes_contract_fees` | `true`, `false` | `true`: `assignment_amount` = issue + every contract fee | `true` | the 2023 SIAPE manual adds the deducted TAC to `assignment_amount`; QI's 2022 issuance webhook deducts it and prints `assignment_amount` = issue | SIAPE 194.80 + 1.95 = 196.75 (`fixtures/siape/`); under `false` 194.80 (assignment-only fees still added) |
//! | `refinancing_settlement` | `disbursement`, `clt_7_business_days` | `disbursement`: a refinanced contract valued on each option's disbursement date | `disbursement` | QI's private-payroll (CLT) refinancing manual settles the refinanced operations 7 business days after the new disbursement (the borrower's right of withdrawal) | docs.qitech.com.br/documentation/manual_consignado_privado/manual_refinanciamento, *Data de liquidação*; a typed `due_balance` is unchanged by it |
//! | `cet_decimals` | `4`, `6` | `4` | `4` | decimals of the monthly CET as a fraction | 2020 sandbox 0.099606 (6); v2 7.76 % (4) |
//! | `annual_cet_decimals` | `4`, `6`, absent | absent: exact `(1+cet)^12 − 1` (monthly first), `cet_decimals` (annual IRR) | `4` | decimals of the annual CET as a fraction | pt page 0.235729 (6); v2 145.08 % (4) |
//! | `rate_decimals` | `8`, `10`, `"unrounded"` | `8` | `8` | decimals of the printed `prefixed_interest_rate` | qi-2023 and v2: 8; BNPL: 10; 2020 sandbox: unrounded |
//! | `daily_rate_base` | `interest_base`, `month_30` | `interest_base`: the base's own day | `interest_base` | on `calendar_days_365` the printed daily rate is `(1+annual)^(1/365) − 1` | pt page 0.00054142 = round8(1.21843191^(1/365) − 1) |
//! | `iof_parts` | `unrounded`, `cents` | `unrounded` | `cents` | `base_iof` and `additional_iof` in cents | v2 0.1 / 0.14; BNPL 3.79 / 3.83 |
//! | `installment_tax_decimals` | `"unrounded"`, `8` | unrounded | `8` | v2 rounds each installment's daily IOF to 8 decimals | `v2-sim-2025` 0.02791582 |
//! | `iof_rounding` | `total`, `per_installment` | `total` | `total` | QI rounds the total once; other platforms round each installment's daily IOF to cents | §3 below |
//! | `annual_rate_decimals` | `8`, `6` | `8` | `8` | QI derives every working rate from the 8-decimal annual rate | other platforms: 6 (§3 below) |
//!
//! A profile bundles the switches as one body of QI material shows them; explicit switches override
//! the profile ([`ConventionsConfig::resolve`]):
//!
//! * **`qi-2023`** ([`Profile::Qi2023`], the default): the 2023 SIAPE, Air Force and personal-credit
//!   manuals (`fixtures/siape/`, `fixtures/personal_credit/`), every printed number.
//! * **`qi-v2`** ([`Profile::QiV2`]): the 2024–2026 v2 simulation and BNPL examples.
//!   `v2-sim-2025` (`fixtures/qi-examples/v2-sim-2025.*`) is reproduced field by field (except the
//!   `period` ratios, omitted); `bnpl-issue-2026` needs `rate_decimals: 10` on top (its GET prints
//!   10 decimals where the v2 simulation prints 8), and leaves two numbers unexplained (installment
//!   1's `pre_fixed_amount` 52.3996159, `assignment_amount` + 0.01).
//!
//! Still undetermined by QI's material: whether the total IOF is round2 of the unrounded parts or
//! the sum of the parts in cents (both v2 examples agree either way; the crate rounds the unrounded
//! sum); the v2 `last_installment` (both 19.50 either way); the growth rule of the BNPL example;
//! the `period` / `period_workdays` denominators; and the effect of a nonzero v2 `external` fee.
//!
//! The other platforms' switches (the project's survey of Brazilian lending systems outside QI, and
//! of the public libraries money-warp, github.com/tomascorrea/money-warp, and loan-calculator,
//! github.com/yanomateus/loan-calculator):
//!
//! * `last_installment: equal_installment`: the external C# lending platform money-warp validates
//!   against "keeps the same PMT for the last period and adjusts the interest/principal split"
//!   (money-warp's own engine closes the balance, as the `qi-2023` profile does); QI's BNPL does the same;
//! * `interest_decimals: 2` (interest in cents each period, the balance in cents): platforms outside
//!   QI, and QI's own `pre_price` sandbox;
//! * `iof_rounding: per_installment` (the daily IOF of each installment in cents, the 0.38 % in
//!   cents, the total their sum): platforms outside QI; the variant that spreads the 0.38 % over
//!   the rows with a balancing last row is not implemented;
//! * `annual_rate_decimals: 6` (`round6((1+m)^12 − 1)`, every working rate from it): platforms
//!   outside QI; reachable on QI by sending `annual_interest_rate`;
//! * the per-period exponent `(1+m)^k` is QI's `pre_price` system (`interest_type`), as in the
//!   Central Bank's *Calculadora do Cidadão*.
//!
//! The survey names no specific public system for the cents, per-installment IOF and 6-decimal
//! rules.

use serde_json::Value;

use crate::error::{Error, Result};
use crate::rate::InterestBase;

/// How interest grows over calendar days on the `calendar_days` base.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum CalendarDaysGrowth {
    /// `(1+m_eff)^(d/30)`, `m_eff = (1+annual8)^(1/12) − 1` unrounded (the `qi-2023` profile, SIAPE §3). Default.
    #[default]
    MonthlyRate,
    /// `(1 + d8)^d`, `d8 = round8((1+m)^(1/30) − 1)`: the printed daily rate compounds per
    /// calendar day (`fixtures/qi-examples/v2-sim-2025.response.json`: 36.14 × (1.00225783^19 − 1)
    /// = 1.58227236).
    DailyRate,
}

/// Decimals of each period's interest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum InterestDecimals {
    /// 10 decimals (the `qi-2023` profile's face-value rule).
    Ten,
    /// 8 decimals (the v2 example's 1.58227236).
    Eight,
    /// Cents, with the balance carried in cents (QI's `pre_price`, other platforms).
    Two,
}

impl InterestDecimals {
    /// The number of decimals.
    pub fn dp(self) -> u32 {
        match self {
            InterestDecimals::Ten => 10,
            InterestDecimals::Eight => 8,
            InterestDecimals::Two => 2,
        }
    }
}

/// What the last installment of an amount-driven schedule is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum LastInstallment {
    /// It closes the balance: `total_n = round2(bal · g_n)` (the `qi-2023` profile). Default.
    #[default]
    ClosesBalance,
    /// It equals the level installment; the last interest absorbs the residue (`interest_n = PMT −
    /// bal`), so Σ principal is the issue exactly (`fixtures/qi-examples/bnpl-issue-2026.*`).
    EqualInstallment,
}

/// How the CET is derived from the IRR of the borrower's flows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum CetDerivation {
    /// The monthly rate rounded first, the annual from it: `annual = (1 + cet)^12 − 1` (the `qi-2023` profile:
    /// SIAPE 0.0346 → 0.5040756794535896). Default.
    #[default]
    MonthlyFirst,
    /// The raw annual IRR and the monthly rate derived from it, each rounded on its own (v2 145.08 %
    /// / 7.76 %; BNPL 97.05 % / 5.82 %).
    AnnualIrr,
}

/// The periods the CET's internal rate of return is computed over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum CetPeriods {
    /// Actual calendar days from the disbursement over a 365-day year: the annual rate `i` solving
    /// `disbursed = Σ total_j / (1+i)^(d_j/365)` (Res. CMN 4.881/2020 art. 4; the `qi-2023` profile). Default.
    #[default]
    Days365,
    /// Equal monthly periods: the `k`-th installment (in due-date order) `k` months after the
    /// disbursement, whatever its date; the monthly rate `r` solves `disbursed = Σ total_k /
    /// (1+r)^k` and the annual rate is `(1+r)^12 − 1`. The Central Bank's FAQ *Custo Efetivo Total*
    /// works its example this way (`fixtures/cet/bcb-faq-cet.json`: 940 received, 5 × 205.73,
    /// 3.08 % a month, 43.93 % a year).
    Months,
}

/// On which date a refinanced operation given by its contract
/// (`refinanced_credit_operations[].contract`) is valued: the date it is settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum RefinancingSettlement {
    /// On each disbursement option's date (the `qi-2023` and `qi-v2` profiles). Default.
    #[default]
    Disbursement,
    /// 7 business days after each option's date: QI's private-payroll (Crédito do Trabalhador)
    /// refinancing manual, *Data de liquidação*: "para garantir o direito de arrependimento do
    /// tomador, as operações refinanciadas somente serão liquidadas 7 dias úteis após a data de
    /// desembolso da dívida"
    /// (<https://docs.qitech.com.br/documentation/manual_consignado_privado/manual_refinanciamento>).
    /// Business days of the crate's national calendar ([`crate::calendar`]).
    Clt7BusinessDays,
}

impl RefinancingSettlement {
    /// The business days between the disbursement and the settlement.
    pub fn business_days(self) -> u32 {
        match self {
            RefinancingSettlement::Disbursement => 0,
            RefinancingSettlement::Clt7BusinessDays => 7,
        }
    }

    /// The settlement date of a loan disbursed on `date`.
    ///
    /// ```
    /// use qitech_sim::conventions::RefinancingSettlement;
    /// let tuesday = chrono::NaiveDate::from_ymd_opt(2023, 3, 14).expect("date");
    /// let clt = RefinancingSettlement::Clt7BusinessDays.settlement_date(tuesday)?;
    /// assert_eq!(clt, chrono::NaiveDate::from_ymd_opt(2023, 3, 23).expect("date"));
    /// assert_eq!(RefinancingSettlement::Disbursement.settlement_date(tuesday)?, tuesday);
    /// # Ok::<(), qitech_sim::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`crate::Error::DateOutOfRange`] beyond the calendar.
    pub fn settlement_date(self, date: chrono::NaiveDate) -> Result<chrono::NaiveDate> {
        crate::calendar::BrazilCalendar::national()
            .add_business_days(date, i64::from(self.business_days()))
    }
}

/// Decimals of the printed `prefixed_interest_rate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum RateDecimals {
    /// 8 decimals (the `qi-2023` profile, v2). Default.
    #[default]
    Eight,
    /// 10 decimals (the 2026 BNPL GET: 0.8373372409).
    Ten,
    /// Unrounded (the 2020 sandbox: 0.10516767467346065).
    Unrounded,
}

impl RateDecimals {
    /// The number of decimals, `None` for unrounded.
    pub fn dp(self) -> Option<u32> {
        match self {
            RateDecimals::Eight => Some(8),
            RateDecimals::Ten => Some(10),
            RateDecimals::Unrounded => None,
        }
    }
}

/// Which day the printed `daily_rate` of the calendar bases is the rate of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum DailyRateBase {
    /// A 30th of a month: `(1+m)^(1/30) − 1` on both calendar bases (what the crate printed on
    /// `calendar_days_365` before QI's pt page showed otherwise; no QI number shows it there).
    Month30,
    /// The base's own day: `(1+annual)^(1/365) − 1` on `calendar_days_365` (QI's pt simulation
    /// page: 0.00054142), a 30th of a month on `calendar_days` (SIAPE: 0.00067665). Default.
    #[default]
    InterestBase,
}

/// How `base_iof` and `additional_iof` are reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum IofParts {
    /// Unrounded (the `qi-2023` profile: 33.141637696905995 and 307.166388). Default.
    #[default]
    Unrounded,
    /// In cents (v2 0.1 / 0.14, BNPL 3.79 / 3.83); the total stays round2 of the unrounded sum.
    Cents,
}

/// How the IOF total is rounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum IofRounding {
    /// `round2(Σ tax_k + additional)`, once (QI). Default.
    #[default]
    Total,
    /// `Σ round2(tax_k) + round2(additional)`: each installment's daily IOF in cents (other
    /// platforms: the crate's conventions, *Switches*).
    PerInstallment,
}

/// Decimals of the annual rate every working rate derives from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum AnnualRateDecimals {
    /// `round8((1+m)^12 − 1)` (QI). Default.
    #[default]
    Eight,
    /// `round6((1+m)^12 − 1)` (other platforms).
    Six,
}

impl AnnualRateDecimals {
    /// The number of decimals.
    pub fn dp(self) -> u32 {
        match self {
            AnnualRateDecimals::Eight => 8,
            AnnualRateDecimals::Six => 6,
        }
    }
}

/// A named bundle of switches (the configuration's `"profile"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Profile {
    /// `qi-2023`: the 2023 manuals (SIAPE, Airforce). Default.
    #[default]
    Qi2023,
    /// `qi-v2`: the 2024–2026 v2 simulation and BNPL examples.
    QiV2,
}

impl Profile {
    /// The profile's name in the configuration.
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Qi2023 => "qi-2023",
            Profile::QiV2 => "qi-v2",
        }
    }

    /// The profile of a name.
    pub fn from_name(s: &str) -> Option<Self> {
        match s {
            "qi-2023" => Some(Profile::Qi2023),
            "qi-v2" => Some(Profile::QiV2),
            _ => None,
        }
    }
}

/// Every convention switch; `Default` is [`Profile::Qi2023`], the crate's behaviour on the `qi-2023` profile.
///
/// ```
/// use qitech_sim::conventions::{CetDerivation, Conventions, Profile};
/// let c = Conventions::profile(Profile::QiV2);
/// assert_eq!(c.cet, CetDerivation::AnnualIrr);
/// assert_eq!(Conventions::default(), Conventions::profile(Profile::Qi2023));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Conventions {
    /// The product's interest base: overrides `fine_configuration.interest_base` (and a typed
    /// loan's base), not an explicit `financial.interest_base`. `None`: the request's.
    pub interest_base: Option<InterestBase>,
    /// Growth over calendar days on `calendar_days`.
    pub calendar_days_growth: CalendarDaysGrowth,
    /// Interest decimals; `None`: 10 in face-value mode (on the unrounded present value), none in
    /// disbursed/issue mode, cents on `pre_price` and `pre_sac`.
    pub interest_decimals: Option<InterestDecimals>,
    /// The last installment of an amount-driven schedule.
    pub last_installment: LastInstallment,
    /// Move each due date to the following business day before counting days, for interest, IOF
    /// and CET (as the request's `force_installments_on_workdays`).
    pub move_due_dates: bool,
    /// CET derivation.
    pub cet: CetDerivation,
    /// The periods of the CET's rate of return.
    pub cet_periods: CetPeriods,
    /// Whether `assignment_amount` adds the deducted contract fees (`true`, the 2023 manuals) or
    /// only the assignment-only ones (`false`, QI's 2022 issuance webhook).
    pub assignment_includes_contract_fees: bool,
    /// The valuation date of a refinanced contract.
    pub refinancing_settlement: RefinancingSettlement,
    /// Decimals of the monthly CET (a fraction).
    pub cet_decimals: u32,
    /// Decimals of the annual CET (a fraction); `None`: exact under monthly-first, `cet_decimals`
    /// under annual IRR.
    pub annual_cet_decimals: Option<u32>,
    /// Printed rate decimals.
    pub rate_decimals: RateDecimals,
    /// Which day the printed daily rate is of.
    pub daily_rate_base: DailyRateBase,
    /// IOF parts reporting.
    pub iof_parts: IofParts,
    /// Decimals of each installment's daily IOF (`tax_amount`); `None`: unrounded.
    pub installment_tax_decimals: Option<u32>,
    /// IOF total rounding.
    pub iof_rounding: IofRounding,
    /// Decimals of the working annual rate.
    pub annual_rate_decimals: AnnualRateDecimals,
}

impl Default for Conventions {
    /// [`Profile::Qi2023`].
    fn default() -> Self {
        Conventions::profile(Profile::Qi2023)
    }
}

/// The default `cet_decimals`.
const CET_DECIMALS: u32 = 4;

impl Conventions {
    /// The switches of `profile`.
    pub fn profile(profile: Profile) -> Self {
        let qi2023 = Conventions {
            interest_base: None,
            calendar_days_growth: CalendarDaysGrowth::MonthlyRate,
            interest_decimals: None,
            last_installment: LastInstallment::ClosesBalance,
            move_due_dates: false,
            cet: CetDerivation::MonthlyFirst,
            cet_periods: CetPeriods::Days365,
            assignment_includes_contract_fees: true,
            refinancing_settlement: RefinancingSettlement::Disbursement,
            cet_decimals: CET_DECIMALS,
            annual_cet_decimals: None,
            rate_decimals: RateDecimals::Eight,
            daily_rate_base: DailyRateBase::InterestBase,
            iof_parts: IofParts::Unrounded,
            installment_tax_decimals: None,
            iof_rounding: IofRounding::Total,
            annual_rate_decimals: AnnualRateDecimals::Eight,
        };
        match profile {
            Profile::Qi2023 => qi2023,
            Profile::QiV2 => Conventions {
                calendar_days_growth: CalendarDaysGrowth::DailyRate,
                interest_decimals: Some(InterestDecimals::Eight),
                last_installment: LastInstallment::EqualInstallment,
                cet: CetDerivation::AnnualIrr,
                annual_cet_decimals: Some(CET_DECIMALS),
                iof_parts: IofParts::Cents,
                installment_tax_decimals: Some(8),
                ..qi2023
            },
        }
    }

    /// The decimals the annual CET is rounded to, if any.
    pub fn annual_cet_dp(&self) -> Option<u32> {
        match self.cet {
            CetDerivation::MonthlyFirst => self.annual_cet_decimals,
            CetDerivation::AnnualIrr => Some(self.annual_cet_decimals.unwrap_or(self.cet_decimals)),
        }
    }
}

impl Default for ConventionsConfig {
    fn default() -> Self {
        ConventionsConfig {
            profile: None,
            switches: Value::Null,
        }
    }
}

/// The configuration's `"profile"` and `"conventions"`, kept apart until the profile is known:
/// the CLI answers a v2 body with [`Profile::QiV2`] unless the configuration names a profile.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ConventionsConfig {
    /// `"profile"`, if given.
    pub profile: Option<Profile>,
    /// `"conventions"` as given (checked by [`ConventionsConfig::from_value`]).
    switches: Value,
}

impl ConventionsConfig {
    /// Reads `"profile"` and `"conventions"` from a configuration root object, checking every
    /// switch (an unknown value is refused naming its key and the allowed values).
    ///
    /// # Errors
    /// [`crate::ErrorKind::Invalid`] (an unknown profile, switch or value) or
    /// [`crate::ErrorKind::WrongType`], naming `profile` or `conventions.<key>`.
    pub fn from_value(root: &serde_json::Map<String, Value>) -> Result<Self> {
        let profile = match root.get("profile") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(Profile::from_name(s).ok_or_else(|| {
                Error::invalid("profile", format!("{s:?}"), "expected qi-2023 or qi-v2")
            })?),
            Some(other) => {
                return Err(Error::wrong_type(
                    "profile",
                    other.to_string(),
                    "expected a string",
                ));
            }
        };
        let switches = match root.get("conventions") {
            None | Some(Value::Null) => Value::Null,
            Some(v @ Value::Object(_)) => v.clone(),
            Some(other) => {
                return Err(Error::wrong_type(
                    "conventions",
                    other.to_string(),
                    "expected an object",
                ));
            }
        };
        let config = ConventionsConfig { profile, switches };
        config.resolve(Profile::Qi2023)?;
        Ok(config)
    }

    /// The switches: the configuration's profile (else `default_profile`), then each explicit
    /// switch over it.
    ///
    /// # Errors
    /// As [`ConventionsConfig::from_value`].
    pub fn resolve(&self, default_profile: Profile) -> Result<Conventions> {
        let mut c = Conventions::profile(self.profile.unwrap_or(default_profile));
        let Value::Object(map) = &self.switches else {
            return Ok(c);
        };
        for (key, v) in map {
            apply(&mut c, key, v)?;
        }
        Ok(c)
    }
}

/// Sets switch `key` of `c` from its JSON value.
fn apply(c: &mut Conventions, key: &str, v: &Value) -> Result<()> {
    let field = format!("conventions.{key}");
    let bad =
        |allowed: &str| Error::invalid(field.clone(), v.to_string(), format!("expected {allowed}"));
    let s = v.as_str();
    let n = v.as_u64();
    match key {
        "interest_base" => {
            // The base's one name table ([`InterestBase::parse_named`]).
            c.interest_base = Some(match s {
                Some(name) => InterestBase::parse_named(name, &field)?,
                None => return Err(bad(&InterestBase::NAMES.join(", "))),
            });
        }
        "calendar_days_growth" => {
            c.calendar_days_growth = match s {
                Some("monthly_rate") => CalendarDaysGrowth::MonthlyRate,
                Some("daily_rate") => CalendarDaysGrowth::DailyRate,
                _ => return Err(bad("monthly_rate or daily_rate")),
            };
        }
        "interest_decimals" => {
            c.interest_decimals = Some(match n {
                Some(10) => InterestDecimals::Ten,
                Some(8) => InterestDecimals::Eight,
                Some(2) => InterestDecimals::Two,
                _ => return Err(bad("10, 8 or 2")),
            });
        }
        "last_installment" => {
            c.last_installment = match s {
                Some("closes_balance") => LastInstallment::ClosesBalance,
                Some("equal_installment") => LastInstallment::EqualInstallment,
                _ => return Err(bad("closes_balance or equal_installment")),
            };
        }
        "move_due_dates" => {
            c.move_due_dates = v.as_bool().ok_or_else(|| bad("true or false"))?;
        }
        "cet" => {
            c.cet = match s {
                Some("monthly_first") => CetDerivation::MonthlyFirst,
                Some("annual_irr") => CetDerivation::AnnualIrr,
                _ => return Err(bad("monthly_first or annual_irr")),
            };
        }
        "assignment_includes_contract_fees" => {
            c.assignment_includes_contract_fees =
                v.as_bool().ok_or_else(|| bad("true or false"))?;
        }
        "cet_periods" => {
            c.cet_periods = match s {
                Some("days_365") => CetPeriods::Days365,
                Some("months") => CetPeriods::Months,
                _ => return Err(bad("days_365 or months")),
            };
        }
        "refinancing_settlement" => {
            c.refinancing_settlement = match s {
                Some("disbursement") => RefinancingSettlement::Disbursement,
                Some("clt_7_business_days") => RefinancingSettlement::Clt7BusinessDays,
                _ => return Err(bad("disbursement or clt_7_business_days")),
            };
        }
        "cet_decimals" => {
            c.cet_decimals = match n {
                Some(d @ (4 | 6)) => d as u32,
                _ => return Err(bad("4 or 6")),
            };
        }
        "annual_cet_decimals" => {
            c.annual_cet_decimals = match n {
                Some(d @ (4 | 6)) => Some(d as u32),
                _ => return Err(bad("4 or 6")),
            };
        }
        "rate_decimals" => {
            c.rate_decimals = match (n, s) {
                (Some(8), _) => RateDecimals::Eight,
                (Some(10), _) => RateDecimals::Ten,
                (_, Some("unrounded")) => RateDecimals::Unrounded,
                _ => return Err(bad("8, 10 or \"unrounded\"")),
            };
        }
        "daily_rate_base" => {
            c.daily_rate_base = match s {
                Some("month_30") => DailyRateBase::Month30,
                Some("interest_base") => DailyRateBase::InterestBase,
                _ => return Err(bad("month_30 or interest_base")),
            };
        }
        "iof_parts" => {
            c.iof_parts = match s {
                Some("unrounded") => IofParts::Unrounded,
                Some("cents") => IofParts::Cents,
                _ => return Err(bad("unrounded or cents")),
            };
        }
        "installment_tax_decimals" => {
            c.installment_tax_decimals = match (n, s) {
                (Some(8), _) => Some(8),
                (_, Some("unrounded")) => None,
                _ => return Err(bad("8 or \"unrounded\"")),
            };
        }
        "iof_rounding" => {
            c.iof_rounding = match s {
                Some("total") => IofRounding::Total,
                Some("per_installment") => IofRounding::PerInstallment,
                _ => return Err(bad("total or per_installment")),
            };
        }
        "annual_rate_decimals" => {
            c.annual_rate_decimals = match n {
                Some(8) => AnnualRateDecimals::Eight,
                Some(6) => AnnualRateDecimals::Six,
                _ => return Err(bad("8 or 6")),
            };
        }
        _ => {
            return Err(Error::invalid(
                field,
                v.to_string(),
                "unknown convention switch (interest_base, calendar_days_growth, interest_decimals, \
                 last_installment, move_due_dates, cet, cet_periods, assignment_includes_contract_fees, refinancing_settlement, cet_decimals, annual_cet_decimals, \
                 rate_decimals, daily_rate_base, iof_parts, installment_tax_decimals, \
                 iof_rounding, annual_rate_decimals)",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every value of every switch, read from a configuration, sets that switch (over the `qi-2023` profile's
    /// profile) and nothing else; an unlisted value is refused naming the switch.
    #[test]
    fn every_switch_value_is_read() {
        use serde_json::json;
        let d = Conventions::default();
        let cases: Vec<(&str, Value, Conventions)> = vec![
            (
                "interest_base",
                json!("calendar_days"),
                Conventions {
                    interest_base: Some(InterestBase::CalendarDays),
                    ..d
                },
            ),
            (
                "interest_base",
                json!("calendar_days_365"),
                Conventions {
                    interest_base: Some(InterestBase::CalendarDays365),
                    ..d
                },
            ),
            (
                "interest_base",
                json!("workdays"),
                Conventions {
                    interest_base: Some(InterestBase::Workdays),
                    ..d
                },
            ),
            (
                "calendar_days_growth",
                json!("monthly_rate"),
                Conventions {
                    calendar_days_growth: CalendarDaysGrowth::MonthlyRate,
                    ..d
                },
            ),
            (
                "calendar_days_growth",
                json!("daily_rate"),
                Conventions {
                    calendar_days_growth: CalendarDaysGrowth::DailyRate,
                    ..d
                },
            ),
            (
                "interest_decimals",
                json!(10),
                Conventions {
                    interest_decimals: Some(InterestDecimals::Ten),
                    ..d
                },
            ),
            (
                "interest_decimals",
                json!(8),
                Conventions {
                    interest_decimals: Some(InterestDecimals::Eight),
                    ..d
                },
            ),
            (
                "interest_decimals",
                json!(2),
                Conventions {
                    interest_decimals: Some(InterestDecimals::Two),
                    ..d
                },
            ),
            (
                "last_installment",
                json!("closes_balance"),
                Conventions {
                    last_installment: LastInstallment::ClosesBalance,
                    ..d
                },
            ),
            (
                "last_installment",
                json!("equal_installment"),
                Conventions {
                    last_installment: LastInstallment::EqualInstallment,
                    ..d
                },
            ),
            (
                "move_due_dates",
                json!(true),
                Conventions {
                    move_due_dates: true,
                    ..d
                },
            ),
            (
                "cet",
                json!("monthly_first"),
                Conventions {
                    cet: CetDerivation::MonthlyFirst,
                    ..d
                },
            ),
            (
                "cet",
                json!("annual_irr"),
                Conventions {
                    cet: CetDerivation::AnnualIrr,
                    ..d
                },
            ),
            (
                "assignment_includes_contract_fees",
                json!(false),
                Conventions {
                    assignment_includes_contract_fees: false,
                    ..d
                },
            ),
            (
                "cet_periods",
                json!("days_365"),
                Conventions {
                    cet_periods: CetPeriods::Days365,
                    ..d
                },
            ),
            (
                "cet_periods",
                json!("months"),
                Conventions {
                    cet_periods: CetPeriods::Months,
                    ..d
                },
            ),
            (
                "refinancing_settlement",
                json!("clt_7_business_days"),
                Conventions {
                    refinancing_settlement: RefinancingSettlement::Clt7BusinessDays,
                    ..d
                },
            ),
            (
                "cet_decimals",
                json!(6),
                Conventions {
                    cet_decimals: 6,
                    ..d
                },
            ),
            (
                "annual_cet_decimals",
                json!(4),
                Conventions {
                    annual_cet_decimals: Some(4),
                    ..d
                },
            ),
            (
                "annual_cet_decimals",
                json!(6),
                Conventions {
                    annual_cet_decimals: Some(6),
                    ..d
                },
            ),
            (
                "rate_decimals",
                json!(8),
                Conventions {
                    rate_decimals: RateDecimals::Eight,
                    ..d
                },
            ),
            (
                "rate_decimals",
                json!(10),
                Conventions {
                    rate_decimals: RateDecimals::Ten,
                    ..d
                },
            ),
            (
                "rate_decimals",
                json!("unrounded"),
                Conventions {
                    rate_decimals: RateDecimals::Unrounded,
                    ..d
                },
            ),
            (
                "daily_rate_base",
                json!("month_30"),
                Conventions {
                    daily_rate_base: DailyRateBase::Month30,
                    ..d
                },
            ),
            (
                "daily_rate_base",
                json!("interest_base"),
                Conventions {
                    daily_rate_base: DailyRateBase::InterestBase,
                    ..d
                },
            ),
            (
                "iof_parts",
                json!("unrounded"),
                Conventions {
                    iof_parts: IofParts::Unrounded,
                    ..d
                },
            ),
            (
                "iof_parts",
                json!("cents"),
                Conventions {
                    iof_parts: IofParts::Cents,
                    ..d
                },
            ),
            (
                "installment_tax_decimals",
                json!(8),
                Conventions {
                    installment_tax_decimals: Some(8),
                    ..d
                },
            ),
            (
                "installment_tax_decimals",
                json!("unrounded"),
                Conventions {
                    installment_tax_decimals: None,
                    ..d
                },
            ),
            (
                "iof_rounding",
                json!("total"),
                Conventions {
                    iof_rounding: IofRounding::Total,
                    ..d
                },
            ),
            (
                "iof_rounding",
                json!("per_installment"),
                Conventions {
                    iof_rounding: IofRounding::PerInstallment,
                    ..d
                },
            ),
            (
                "annual_rate_decimals",
                json!(8),
                Conventions {
                    annual_rate_decimals: AnnualRateDecimals::Eight,
                    ..d
                },
            ),
            (
                "annual_rate_decimals",
                json!(6),
                Conventions {
                    annual_rate_decimals: AnnualRateDecimals::Six,
                    ..d
                },
            ),
        ];
        for (key, value, want) in cases {
            let mut got = d;
            apply(&mut got, key, &value).unwrap_or_else(|e| panic!("{key}: {value}: {e}"));
            assert_eq!(got, want, "{key}: {value}");
            let e = apply(&mut got, key, &json!("nope")).expect_err("an unlisted value");
            assert_eq!(
                e.field(),
                Some(format!("conventions.{key}").as_str()),
                "{key}"
            );
        }
    }

    /// Each profile's name reads back as that profile.
    #[test]
    fn profile_names_round_trip() {
        for p in [Profile::Qi2023, Profile::QiV2] {
            assert_eq!(Profile::from_name(p.as_str()), Some(p));
        }
        assert_eq!(Profile::QiV2.as_str(), "qi-v2");
        assert_eq!(Profile::from_name("qi-2024"), None);
    }

    /// `qi-v2`'s switches, one by one (what `v2-sim-2025` and `bnpl-issue-2026` reproduce): the
    /// annual CET at 4 decimals is stated on the profile, so it holds when a configuration sets
    /// `cet: monthly_first` over it, where the `qi-2023` profile's exact annual CET would otherwise apply.
    #[test]
    fn the_v2_profile_sets_its_switches() {
        let v2 = Conventions::profile(Profile::QiV2);
        assert_eq!(v2.annual_cet_decimals, Some(4));
        let monthly_first = Conventions {
            cet: CetDerivation::MonthlyFirst,
            ..v2
        };
        assert_eq!(monthly_first.annual_cet_dp(), Some(4));
        assert_eq!(
            Conventions {
                cet: CetDerivation::MonthlyFirst,
                ..Conventions::default()
            }
            .annual_cet_dp(),
            None
        );
        assert_eq!(v2.calendar_days_growth, CalendarDaysGrowth::DailyRate);
        assert_eq!(v2.interest_decimals, Some(InterestDecimals::Eight));
        assert_eq!(v2.last_installment, LastInstallment::EqualInstallment);
        assert_eq!(v2.iof_parts, IofParts::Cents);
        assert_eq!(v2.installment_tax_decimals, Some(8));
        assert_eq!(v2.cet_decimals, 4);
    }
}
