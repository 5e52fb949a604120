//! IOF, the federal tax on credit operations (Decreto 6.306/2007, art. 7 and art. 8 §5), for
//! natural and legal persons, by the date of the disbursement.
//!
//! * daily IOF of installment k: `tax_amount_k = principal_k × daily × min(t_k, 365)`, where `t_k`
//!   is the number of **calendar** days from the disbursement to the installment's `due_date`,
//!   `principal_k` the installment's principal amortization as the schedule prints it (10 decimals
//!   in face-value mode) and `daily` the regime's daily rate (0.0082 % for natural persons). The
//!   365-day cap is art. 7 §1 of the decree: the tax "não excederá" the daily rate × 365 days on
//!   each principal. Not rounded: QI prints it as a float (0.1905254815358736).
//! * additional IOF: `additional × issue_amount` (the rounded issue; 0.38 % in every regime but
//!   Decreto 12.466/2025's 0.95 % for legal persons).
//! * total: `iof_amount = round2(Σ tax_amount_k + additional)`.
//!
//! A negative principal (negative amortization, see the crate's conventions, *Schedules*) is taxed 0: the tax is levied on credit actually
//! extended, and a negative tax would lower the tax on the other installments.
//!
//! **The base when a principal is negative (a documented decision).** The decree's art. 7, I, b
//! taxes "o principal entregue ou colocado à sua disposição, ou quando previsto mais de um
//! pagamento, o valor do principal de cada uma das parcelas"; the Receita's IN SRF 47/1997 (arts.
//! 1–2) has that principal follow the amortization system of the contract and the tax follow the
//! time the money stays with the borrower. QI documents no loan with a negative principal. The
//! crate therefore taxes each installment's principal **as the schedule prints it**, clamped at
//! zero, and nothing else: an installment that repays interest capitalised by an earlier negative
//! one is taxed on its whole principal. Σ positive principals then exceeds the issue amount, and
//! so can the IOF exceed `issue × (daily × 365 + additional)` (the 3.38 % a natural person pays at
//! most on a loan without negative amortization): the derived airforce fixture's first period of
//! 80 days gives 137.26 where that figure is 135.02. The other reading, the base capped at the
//! principal delivered (Σ base ≤ issue, taken in due-date order), is not implemented; it would be
//! a named switch of [`crate::conventions::Conventions`] beside `iof_rounding` once a QI number
//! settles it.
//!
//! Source of the natural-person rule as QI applies it: `fixtures/siape/simulation_response.json`
//! (QI's SIAPE simulation; every IOF number reproduced to the printed digit). The dated regimes are
//! [`REGIMES`], each row with its decree; [`IofRule::for_loan`] picks the row of a disbursement date.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::conventions::{Conventions, IofParts, IofRounding as TotalRounding};
use crate::error::{Error, Result};
use crate::num::{self, round_cents};

/// Natural-person daily IOF rate, 0.0082 % a day.
pub const DAILY_RATE: Decimal = Decimal::from_parts(82, 0, 0, false, 6);
/// The additional IOF rate, 0.38 % of the amount.
pub const ADDITIONAL_RATE: Decimal = Decimal::from_parts(38, 0, 0, false, 4);
/// Days beyond which the daily IOF stops accruing.
pub const CAP_DAYS: u32 = 365;

/// The IOF of one installment at the natural-person rate: `max(principal, 0) × 0.000082 ×
/// min(days, 365)`, unrounded ([`IofRates::installment_tax`] at [`IofRates::NATURAL`]).
///
/// # Errors
/// [`crate::Error::Overflow`] for principals beyond `Decimal`'s range.
///
/// # Example
/// ```
/// use qitech_sim::iof;
/// use rust_decimal::Decimal;
/// let principal: Decimal = "96.8117284227".parse()?;
/// assert_eq!(iof::installment_tax(principal, 24)?.to_string(), "0.1905254815358736");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn installment_tax(
    principal: Decimal,
    calendar_days_from_disbursement: u32,
) -> Result<Decimal> {
    IofRates::NATURAL.installment_tax(principal, calendar_days_from_disbursement)
}

/// The additional IOF at 0.38 %: `0.0038 × issue_amount`, unrounded.
///
/// # Errors
/// [`crate::Error::Overflow`] for amounts beyond `Decimal`'s range.
pub fn additional(issue_amount: Decimal) -> Result<Decimal> {
    IofRates::NATURAL.additional(issue_amount)
}

/// `iof_amount`: `round2(base + additional)`, the total of the unrounded parts rounded once.
///
/// # Errors
/// [`crate::Error::Overflow`] for amounts beyond `Decimal`'s range.
pub fn total(base: Decimal, additional: Decimal) -> Result<Decimal> {
    Ok(round_cents(num::add(base, additional, "iof_amount")?))
}

/// The IOF of a loan, its parts and its total.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Iof {
    /// Σ of the installments' daily IOF, unrounded (`base_iof`).
    pub base: Decimal,
    /// The additional IOF, unrounded (`additional_iof`).
    pub additional: Decimal,
    /// `round2(base + additional)` (`iof_amount`, `total_iof`).
    pub total: Decimal,
}

impl Iof {
    /// Totals the installments' taxes and adds the additional IOF (0.38 %) of `issue_amount`.
    ///
    /// # Errors
    /// [`crate::Error::Overflow`] for amounts beyond `Decimal`'s range.
    pub fn new(
        installment_taxes: impl IntoIterator<Item = Decimal>,
        issue_amount: Decimal,
    ) -> Result<Self> {
        Self::with_rates(installment_taxes, issue_amount, IofRates::NATURAL)
    }

    /// [`Iof::new`] with the additional rate of `rates`.
    ///
    /// # Errors
    /// [`crate::Error::Overflow`] for amounts beyond `Decimal`'s range.
    pub fn with_rates(
        installment_taxes: impl IntoIterator<Item = Decimal>,
        issue_amount: Decimal,
        rates: IofRates,
    ) -> Result<Self> {
        Self::of_base(
            num::sum(installment_taxes, "tax_amount")?,
            issue_amount,
            rates,
        )
    }

    /// [`Iof::with_rates`] of the installments' taxes already summed: `base` is their
    /// [`num::sum`].
    fn of_base(base: Decimal, issue_amount: Decimal, rates: IofRates) -> Result<Self> {
        let additional = rates.additional(issue_amount)?;
        let total = total(base, additional)?;
        Ok(Iof {
            base,
            additional,
            total,
        })
    }
}

/// How the IOF is rounded: the conventions' `iof_parts`, `installment_tax_decimals` and
/// `iof_rounding` (the crate's conventions, *Switches*). `Default` is QI's 2023 rule (the module's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub struct IofConventions {
    /// How `base_iof` / `additional_iof` are reported.
    pub parts: IofParts,
    /// Decimals of each installment's `tax_amount` (`None`: unrounded; v2: 8, 0.02791582).
    pub tax_decimals: Option<u32>,
    /// Total rounded once (QI) or per installment (other platforms).
    pub rounding: TotalRounding,
}

impl IofConventions {
    /// The IOF switches of `c`.
    pub fn of(c: &Conventions) -> Self {
        IofConventions {
            parts: c.iof_parts,
            tax_decimals: c.installment_tax_decimals,
            rounding: c.iof_rounding,
        }
    }

    /// An installment's printed `tax_amount` from its unrounded daily IOF: `round2` per
    /// installment (other platforms: the crate's conventions, *Switches*), else `round_k` at `tax_decimals`, else
    /// unrounded.
    pub fn installment(&self, tax: Decimal) -> Decimal {
        match self.installment_decimals() {
            Some(dp) => num::round_dp(tax, dp),
            None => tax,
        }
    }

    /// The decimals [`IofConventions::installment`] rounds a `tax_amount` to: 2 per installment,
    /// else `tax_decimals` (`None`: unrounded).
    pub(crate) fn installment_decimals(&self) -> Option<u32> {
        match (self.rounding, self.tax_decimals) {
            (TotalRounding::PerInstallment, _) => Some(2),
            (TotalRounding::Total, dp) => dp,
        }
    }

    /// The total from `Σ tax_amount` (as [`IofConventions::installment`] printed them) and the
    /// unrounded additional IOF: `round2(base + additional)` once, or per installment `base +
    /// round2(additional)` (every part already in cents).
    ///
    /// # Errors
    /// [`crate::Error::Overflow`] for amounts beyond `Decimal`'s range.
    pub fn total(&self, base: Decimal, additional: Decimal) -> Result<Decimal> {
        match self.rounding {
            TotalRounding::Total => total(base, additional),
            TotalRounding::PerInstallment => num::add(base, round_cents(additional), "iof_amount"),
        }
    }

    /// The IOF of a loan of `issue_amount` whose installments' printed taxes are
    /// `installment_taxes`: the total by [`IofConventions::total`], the parts as reported (in cents
    /// under [`IofParts::Cents`] or per-installment rounding).
    ///
    /// # Errors
    /// [`crate::Error::Overflow`] for amounts beyond `Decimal`'s range.
    pub fn iof(
        &self,
        installment_taxes: impl IntoIterator<Item = Decimal>,
        issue_amount: Decimal,
        rates: IofRates,
    ) -> Result<Iof> {
        self.iof_of_base(
            num::sum(installment_taxes, "tax_amount")?,
            issue_amount,
            rates,
        )
    }

    /// [`IofConventions::iof`] of the printed taxes already summed: `base` is their
    /// [`num::sum`] (the walks from an issue amount sum them as they go).
    ///
    /// # Errors
    /// [`crate::Error::Overflow`] for amounts beyond `Decimal`'s range.
    pub(crate) fn iof_of_base(
        &self,
        base: Decimal,
        issue_amount: Decimal,
        rates: IofRates,
    ) -> Result<Iof> {
        let mut iof = Iof::of_base(base, issue_amount, rates)?;
        if *self == IofConventions::default() {
            return Ok(iof);
        }
        iof.total = self.total(iof.base, iof.additional)?;
        if self.parts == IofParts::Cents || self.rounding == TotalRounding::PerInstallment {
            iof.base = round_cents(iof.base);
            iof.additional = round_cents(iof.additional);
        }
        Ok(iof)
    }
}

/// The legal ceiling of the natural-person daily IOF of one installment, `0.0082 % × min(days,
/// 365)` of its principal, as a fraction of the principal.
pub fn daily_ceiling_fraction(calendar_days_from_disbursement: u32) -> Decimal {
    IofRates::NATURAL.daily_ceiling_fraction(calendar_days_from_disbursement)
}

/// Whether the borrower is a natural or a legal person (`borrower.person_type`, v2
/// `issuer_person_type`): the IOF rates differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum PersonType {
    /// `natural` (pessoa física). Default.
    #[default]
    Natural,
    /// `legal` (pessoa jurídica).
    Legal,
}

crate::names::named_enum!(PersonType, "person type", "borrower.person_type", {
    Natural => "natural",
    Legal => "legal",
});

/// Which IOF rule a natural-person loan gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum NaturalPersonIof {
    /// 0.0082 %/day + 0.38 % at every date: the rule of QI's documented 2023 numbers, and the
    /// crate's behaviour before the dated table existed. Default.
    #[default]
    Fixed,
    /// The natural-person column of [`REGIMES`] at the disbursement date (the 2020 zero rate, the
    /// 2021 0.01118 %/day); dates before [`REGIMES`] starts are refused.
    Dated,
}

crate::names::named_enum!(NaturalPersonIof, "natural-person IOF rule", "natural_person_iof", {
    Fixed => "fixed",
    Dated => "dated",
});

/// One regime's daily and additional rates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct IofRates {
    /// Daily rate, as a fraction (0.000082 for 0.0082 % a day).
    pub daily: Decimal,
    /// Additional rate on the issue amount, as a fraction (0.0038).
    pub additional: Decimal,
}

const fn rate(mantissa: u32, scale: u32) -> Decimal {
    Decimal::from_parts(mantissa, 0, 0, false, scale)
}

const fn rates(daily: Decimal, additional: Decimal) -> IofRates {
    IofRates { daily, additional }
}

/// 0.38 %.
const ADD_038: Decimal = ADDITIONAL_RATE;
/// 0.95 % (Decreto 12.466/2025, legal persons).
const ADD_095: Decimal = rate(95, 4);
/// Zero rates (the 2020 reductions to zero).
const ZERO_RATES: IofRates = rates(rate(0, 6), rate(0, 4));
/// Legal person before 2025: 0.0041 %/day + 0.38 %.
const LEGAL_BASE: IofRates = rates(rate(41, 6), ADD_038);
/// Simples Nacional, operations up to R$ 30,000, before 2025: 0.00137 %/day + 0.38 %.
const SIMPLES_BASE: IofRates = rates(rate(137, 7), ADD_038);

impl IofRates {
    /// The natural-person rates, 0.0082 %/day + 0.38 %.
    pub const NATURAL: IofRates = rates(DAILY_RATE, ADDITIONAL_RATE);

    /// The IOF of one installment: `max(principal, 0) × daily × min(days, 365)`, unrounded.
    ///
    /// # Errors
    /// [`crate::Error::Overflow`] for principals beyond `Decimal`'s range.
    pub fn installment_tax(
        &self,
        principal: Decimal,
        calendar_days_from_disbursement: u32,
    ) -> Result<Decimal> {
        // `principal ≤ 0` by its sign and zero bits (rust_decimal's comparison rescales).
        if principal.is_sign_negative() || principal.is_zero() {
            return Ok(Decimal::ZERO);
        }
        Ok(num::normalize(num::mul(
            principal,
            self.daily_ceiling_fraction(calendar_days_from_disbursement),
            "principal_amortization_amount",
        )?))
    }

    /// [`IofRates::installment_tax`] of the principal `mag / 10^scale` with its sign, on raw
    /// mantissas (the fixed-scale walk's, `schedule::fixed`), as a `Decimal`
    /// ([`IofRates::installment_tax_fixed_parts`]).
    #[inline]
    pub(crate) fn installment_tax_fixed(
        &self,
        mag: u128,
        negative: bool,
        scale: u32,
        calendar_days_from_disbursement: u32,
    ) -> Option<Decimal> {
        self.installment_tax_fixed_parts(mag, negative, scale, calendar_days_from_disbursement)
            .map(|(negative, mag, scale)| num::from_mag(mag, negative, scale))
    }

    /// [`IofRates::installment_tax`] of the principal `mag / 10^scale` with its sign, on raw
    /// mantissas, as parts: `0` (`Decimal::ZERO`'s parts) for a principal ≤ 0, else the exact
    /// product `mag × daily × min(days, 365)` at scale `scale + daily.scale()`, trailing zeros
    /// dropped, which is rust_decimal's product where it is exact. `None` where the `Decimal`
    /// path must answer instead: a product of 2⁹⁶ or more or of more than 28 decimals
    /// (rust_decimal would round it), a zero fraction, a daily mantissa or fraction past `u32`.
    #[inline(always)]
    pub(crate) fn installment_tax_fixed_parts(
        &self,
        mag: u128,
        negative: bool,
        scale: u32,
        calendar_days_from_disbursement: u32,
    ) -> Option<num::Parts> {
        if negative || mag == 0 {
            return Some((false, 0, 0));
        }
        let (product, product_scale) =
            self.installment_tax_product(mag, scale, calendar_days_from_disbursement)?;
        // A nonzero product: `num::normalize`'s trailing zeros, dropped on the mantissa (by
        // 64-bit divisions by the constant 10 where it fits in 64 bits).
        let (product, product_scale) = num::normalize_mag_u64_first(product, product_scale);
        Some((false, product, product_scale))
    }

    /// The exact product `mag × daily × min(days, 365)` of a positive principal `mag / 10^scale`
    /// and its scale `scale + daily.scale()`, trailing zeros kept:
    /// [`IofRates::installment_tax_fixed_parts`] before they are dropped. `None` as there.
    #[inline(always)]
    pub(crate) fn installment_tax_product(
        &self,
        mag: u128,
        scale: u32,
        calendar_days_from_disbursement: u32,
    ) -> Option<(u128, u32)> {
        let days = calendar_days_from_disbursement.min(CAP_DAYS);
        let daily = u32::try_from(self.daily.mantissa()).ok()?;
        let fraction = daily.checked_mul(days).filter(|&f| f != 0)?;
        let product_scale = scale + self.daily.scale();
        if mag >= num::MANTISSA_LIMIT || product_scale > 28 {
            return None;
        }
        // < 2⁹⁶ · 2³² = 2¹²⁸: exact in a `u128`.
        let product = mag * u128::from(fraction);
        (product < num::MANTISSA_LIMIT).then_some((product, product_scale))
    }

    /// [`IofRates::installment_tax`] of a principal given by its parts (the walks from an issue
    /// amount on parts, `schedule::fixed_issue`): `0` (`Decimal::ZERO`'s parts) for a principal
    /// ≤ 0, else the product by [`num::mul_parts`] (rust_decimal's, rounded where it does not fit),
    /// trailing zeros dropped as [`num::normalize`] drops them. `None` where the `Decimal` path
    /// must answer instead: a zero fraction (no days, a zero daily rate) or a product
    /// [`num::mul_parts`] leaves to rust_decimal.
    #[inline]
    pub(crate) fn installment_tax_parts(
        &self,
        principal: num::Parts,
        calendar_days_from_disbursement: u32,
    ) -> Option<num::Parts> {
        if principal.0 || principal.1 == 0 {
            return Some((false, 0, 0));
        }
        let fraction = num::parts(self.daily_ceiling_fraction(calendar_days_from_disbursement));
        let (negative, mag, scale) = num::mul_parts(principal, fraction)?;
        let (mag, scale) = num::normalize_mag(mag, scale);
        Some((negative, mag, scale))
    }

    /// The additional IOF: `additional × issue_amount`, unrounded.
    ///
    /// # Errors
    /// [`crate::Error::Overflow`] for amounts beyond `Decimal`'s range.
    pub fn additional(&self, issue_amount: Decimal) -> Result<Decimal> {
        Ok(num::normalize(num::mul(
            issue_amount,
            self.additional,
            "issue_amount",
        )?))
    }

    /// `daily × min(days, 365)`, exactly: the legal ceiling of one installment's daily IOF as a
    /// fraction of its principal (Decreto 6.306/2007, art. 7 §1).
    pub fn daily_ceiling_fraction(&self, calendar_days_from_disbursement: u32) -> Decimal {
        // daily × days without a decimal multiplication: the mantissa times the days, at the
        // daily rate's scale (the value and scale of `daily * days`).
        let days = calendar_days_from_disbursement.min(CAP_DAYS);
        let mantissa = u32::try_from(self.daily.mantissa()).unwrap_or(u32::MAX);
        if days == 0 || mantissa == 0 {
            return self.daily * Decimal::ZERO;
        }
        Decimal::from_parts(mantissa * days, 0, 0, false, self.daily.scale())
    }

    /// The most IOF a loan of one principal can pay: `daily × 365 + additional`, as a fraction.
    pub fn ceiling(&self) -> Decimal {
        self.daily_ceiling_fraction(CAP_DAYS) + self.additional
    }
}

/// One row of [`REGIMES`]: the rates of operations contracted (disbursed) from `from` to `to`,
/// both inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct IofRegime {
    /// First date of the regime.
    pub from: NaiveDate,
    /// Last date of the regime.
    pub to: NaiveDate,
    /// The decrees and articles the row comes from.
    pub legal_basis: &'static str,
    /// Natural-person rates.
    pub natural: IofRates,
    /// Legal-person rates; `None` where the rule cannot be established (refused).
    pub legal: Option<IofRates>,
    /// Legal person opting for the Simples Nacional (MEI included), operations up to
    /// [`SIMPLES_LIMIT`]; `None` where it cannot be established (refused).
    pub simples: Option<IofRates>,
}

/// The largest operation the Simples Nacional reduced daily rate applies to, R$ 30,000.
pub const SIMPLES_LIMIT: Decimal = Decimal::from_parts(30_000, 0, 0, false, 0);

const fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(y, m, d) {
        Some(date) => date,
        None => panic!("invalid date in the IOF table"),
    }
}

const fn base_row(from: NaiveDate, to: NaiveDate, legal_basis: &'static str) -> IofRegime {
    IofRegime {
        from,
        to,
        legal_basis,
        natural: IofRates::NATURAL,
        legal: Some(LEGAL_BASE),
        simples: Some(SIMPLES_BASE),
    }
}

const BASE_BASIS: &str = "Decreto 6.306/2007, art. 7 I b) (natural 0.0082 %/day, legal 0.0041 %/day), \
                          VI (Simples Nacional up to R$ 30,000: 0.00137 %/day), §1 (365-day cap), \
                          §15 (additional 0.38 %)";

/// The IOF regimes on credit operations with a defined principal, by the date the operation is
/// contracted (the disbursement date of each option), from 2020-01-01 to the calendar's end.
///
/// | from | to | basis | natural | legal | Simples ≤ R$ 30k |
/// |---|---|---|---|---|---|
/// | 2020-01-01 | 2020-04-02 | Decreto 6.306/2007 art. 7 | 0.0082 % + 0.38 % | 0.0041 % + 0.38 % | 0.00137 % + 0.38 % |
/// | 2020-04-03 | 2020-11-26 | Decretos 10.305, 10.414, 10.504, 10.551/2020 (art. 7 §20, art. 8 §6) | 0 | 0 | 0 |
/// | 2020-11-27 | 2020-12-14 | Decreto 6.306/2007 art. 7 | as 2020-01-01 | | |
/// | 2020-12-15 | 2020-12-31 | Decreto 10.572/2020 (art. 7 §20-A, art. 8 §7) | 0 | 0 | 0 |
/// | 2021-01-01 | 2021-09-19 | Decreto 6.306/2007 art. 7 | as 2020-01-01 | | |
/// | 2021-09-20 | 2021-12-31 | Decreto 10.797/2021 (art. 7 §22, which leaves inciso VI out) | 0.01118 % + 0.38 % | 0.00559 % + 0.38 % | 0.00137 % + 0.38 % |
/// | 2022-01-01 | 2025-05-22 | Decreto 6.306/2007 art. 7 | as 2020-01-01 | | |
/// | 2025-05-23 | 2025-05-31 | Decreto 12.466/2025: sources disagree whether its legal-person rates apply from 05-23 or 06-01 | 0.0082 % + 0.38 % | **refused** | **refused** |
/// | 2025-06-01 | 2025-06-10 | Decreto 12.466/2025 | 0.0082 % + 0.38 % | 0.0082 % + 0.95 % | 0.00274 % + 0.95 % |
/// | 2025-06-11 | 2099-12-31 | Decreto 12.499/2025 | 0.0082 % + 0.38 % | 0.0082 % + 0.38 % | 0.00274 % + 0.38 % |
///
/// Daily rates are per calendar day, capped at 365 days (art. 7 §1): the ceilings are 2.993 % +
/// 0.38 % (natural), 1.4965 % + 0.38 % = 1.88 % (legal before 2025), 2.993 % + 0.95 % ≈ 3.95 %
/// (Decreto 12.466), 1.0001 % + 0.95 % ≈ 1.95 % (Simples under 12.466).
///
/// Legally unsettled, priced by the rule in force: from 2025-06-11 the rates of Decreto 12.499 were
/// suspended by Congress (Decreto Legislativo 176/2025, voted 2025-06-25) and then,
/// together with that legislative decree, by the STF's injunction of 2025-07-04 (ADC 96, ADIs 7.827 and
/// 7.839); on 2025-07-16 the STF restored Decreto 12.499 with effect from 2025-06-11, except its
/// provisions on supplier prepayments (*risco sacado*, which the crate does not price). Those dates are
/// priced by Decreto 12.499, the rule the STF decision put in force for them. Decreto 12.466 (2025-06-01
/// to 06-10) was revoked by 12.499 and is priced as published.
///
/// Sources (decree texts as reproduced, and secondary sources): Decreto 10.551/2020 at
/// normasbrasil.com.br/norma/decreto-10551-2020_404935.html; Decreto 10.572/2020 at
/// contadores.cnt.br/legislacoes/decreto-no-10-572-de-11-de-dezembro-de-2020.html and
/// abrapp.org.br/legislacao/decreto-no-10-572-de-11-de-dezembro-de-2020, with
/// pwc.com.br (sinopse legislativa on Decreto 10.572) and sindcontsp.org.br; Decreto 10.305/2020 at
/// advocacialunardelli.com.br/en/reducao-da-aliquota-do-iof-para-zero and 10.414 at
/// marangehlen.adv.br/?p=6760; Decreto 10.797/2021 at
/// garciaemoreno.com.br/legislacao/21678; Decreto 12.466/2025 at itfcursos.com.br/iob-alteracoes-de-aliquotas
/// (rates from 2025-06-01), ecovisbsp.com.br/mudancas-no-iof-decreto-12466-2025 and
/// crivelaripadoveze.adv.br (2025-06-25 note; rates from 2025-05-23; Simples 0.00137 % → 0.00274 %);
/// Decreto 12.499/2025 at lftm.com.br/blog/economia/governo-federal-iof-mudancas-tributarias,
/// cardillo.com.br/?p=2876, mellopimentel.com.br (Simples 0.00274 %), felsberg.com.br and
/// schneiderpugliese.com.br (additional back to 0.38 %); the Congress vote at
/// martinelli.adv.br/congresso-derruba-aumento-das-aliquotas-do-iof; the STF at
/// economia.uol.com.br (Reuters, 2025-07-04) and marlian.com.br/blog/post/iof-credito-stf-restabelece-novas-aliquotas-para-2025.
pub const REGIMES: &[IofRegime] = &[
    base_row(ymd(2020, 1, 1), ymd(2020, 4, 2), BASE_BASIS),
    IofRegime {
        from: ymd(2020, 4, 3),
        to: ymd(2020, 11, 26),
        legal_basis: "Decretos 10.305/2020, 10.414/2020, 10.504/2020 and 10.551/2020 \
                      (Decreto 6.306/2007 art. 7 §20, art. 8 §6): rates reduced to zero",
        natural: ZERO_RATES,
        legal: Some(ZERO_RATES),
        simples: Some(ZERO_RATES),
    },
    base_row(ymd(2020, 11, 27), ymd(2020, 12, 14), BASE_BASIS),
    IofRegime {
        from: ymd(2020, 12, 15),
        to: ymd(2020, 12, 31),
        legal_basis: "Decreto 10.572/2020 (Decreto 6.306/2007 art. 7 §20-A, art. 8 §7): rates \
                      reduced to zero",
        natural: ZERO_RATES,
        legal: Some(ZERO_RATES),
        simples: Some(ZERO_RATES),
    },
    base_row(ymd(2021, 1, 1), ymd(2021, 9, 19), BASE_BASIS),
    IofRegime {
        from: ymd(2021, 9, 20),
        to: ymd(2021, 12, 31),
        legal_basis: "Decreto 10.797/2021 (Decreto 6.306/2007 art. 7 §22: natural 0.01118 %/day, \
                      legal 0.00559 %/day; inciso VI, Simples Nacional, unchanged)",
        natural: rates(rate(1118, 7), ADD_038),
        legal: Some(rates(rate(559, 7), ADD_038)),
        simples: Some(SIMPLES_BASE),
    },
    base_row(ymd(2022, 1, 1), ymd(2025, 5, 22), BASE_BASIS),
    IofRegime {
        from: ymd(2025, 5, 23),
        to: ymd(2025, 5, 31),
        legal_basis: "Decreto 12.466/2025, published 2025-05-22: sources disagree whether its \
                      legal-person rates apply from 2025-05-23 or from 2025-06-01",
        natural: IofRates::NATURAL,
        legal: None,
        simples: None,
    },
    IofRegime {
        from: ymd(2025, 6, 1),
        to: ymd(2025, 6, 10),
        legal_basis: "Decreto 12.466/2025 (legal 0.0082 %/day + 0.95 %; Simples Nacional up to \
                      R$ 30,000 0.00274 %/day + 0.95 %)",
        natural: IofRates::NATURAL,
        legal: Some(rates(DAILY_RATE, ADD_095)),
        simples: Some(rates(rate(274, 7), ADD_095)),
    },
    IofRegime {
        from: ymd(2025, 6, 11),
        to: ymd(2099, 12, 31),
        legal_basis: "Decreto 12.499/2025 (legal 0.0082 %/day + 0.38 %; Simples Nacional up to \
                      R$ 30,000 0.00274 %/day + 0.38 %), in force from 2025-06-11 by the STF \
                      decision of 2025-07-16",
        natural: IofRates::NATURAL,
        legal: Some(rates(DAILY_RATE, ADD_038)),
        simples: Some(rates(rate(274, 7), ADD_038)),
    },
];

/// The regime of [`REGIMES`] for `date`, if the table covers it.
pub fn regime(date: NaiveDate) -> Option<&'static IofRegime> {
    REGIMES.iter().find(|r| r.from <= date && date <= r.to)
}

/// The borrower facts the IOF depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub struct Borrower {
    /// Natural or legal person.
    pub person_type: PersonType,
    /// A legal person opting for the Simples Nacional (MEI included): its operations up to
    /// [`SIMPLES_LIMIT`] get the reduced daily rate.
    pub simples_nacional: bool,
}

/// The IOF rates one loan is priced with: the regime of its disbursement date for its borrower.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct IofRule {
    /// The rates of the borrower's column.
    pub rates: IofRates,
    /// The Simples Nacional rates, for issue amounts up to [`SIMPLES_LIMIT`].
    pub simples: Option<IofRates>,
    /// Where the rates come from.
    pub legal_basis: &'static str,
}

impl Default for IofRule {
    fn default() -> Self {
        IofRule::NATURAL_FIXED
    }
}

impl IofRule {
    /// 0.0082 %/day + 0.38 % whatever the date.
    pub const NATURAL_FIXED: IofRule = IofRule {
        rates: IofRates::NATURAL,
        simples: None,
        legal_basis: "Decreto 6.306/2007, art. 7 I b) 2 and §15: natural person, 0.0082 %/day + 0.38 %",
    };

    /// The rule of a loan to `borrower` disbursed on `date`.
    ///
    /// # Errors
    /// [`Error::Unsupported`](crate::Error) on `borrower.person_type` for a date the table does not
    /// cover or where the borrower's rule cannot be established (legal persons 2025-05-23 to
    /// 2025-05-31); never for a natural person under [`NaturalPersonIof::Fixed`].
    pub fn for_loan(
        borrower: Borrower,
        natural: NaturalPersonIof,
        date: NaiveDate,
    ) -> Result<Self> {
        if borrower.person_type == PersonType::Natural && natural == NaturalPersonIof::Fixed {
            return Ok(IofRule::NATURAL_FIXED);
        }
        let refuse = |why: String| {
            Error::unsupported(
                "borrower.person_type",
                format!("{:?} on {date}", borrower.person_type.as_str()),
                why,
            )
        };
        let Some(row) = regime(date) else {
            return Err(refuse(format!(
                "the dated IOF table starts on {}; earlier regimes are not implemented",
                REGIMES[0].from
            )));
        };
        match borrower.person_type {
            PersonType::Natural => Ok(IofRule {
                rates: row.natural,
                simples: None,
                legal_basis: row.legal_basis,
            }),
            PersonType::Legal => {
                let unsettled = || {
                    refuse(format!(
                        "no established legal-person IOF rule: {}",
                        row.legal_basis
                    ))
                };
                let rates = row.legal.ok_or_else(unsettled)?;
                let simples = if borrower.simples_nacional {
                    Some(row.simples.ok_or_else(unsettled)?)
                } else {
                    None
                };
                Ok(IofRule {
                    rates,
                    simples,
                    legal_basis: row.legal_basis,
                })
            }
        }
    }

    /// The rates for a loan of `issue_amount`: the Simples Nacional rates up to [`SIMPLES_LIMIT`].
    pub fn rates_for(&self, issue_amount: Decimal) -> IofRates {
        match self.simples {
            Some(s) if issue_amount <= SIMPLES_LIMIT => s,
            _ => self.rates,
        }
    }
}
