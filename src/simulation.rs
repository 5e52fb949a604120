//! The simulation: schedule, IOF, fees, CET and the change, for each possible disbursement date.
//!
//! [`LoanTerms`] is the typed form of QI's `financial` block (the [`crate::api`] layer translates the
//! JSON); [`SimulationOptions`] holds the knobs QI keeps on its side (the partner's pricing) and the
//! product decisions where the manuals are silent. [`simulate`] returns one [`Quote`] per
//! disbursement option; [`quote`] prices a single disbursement date.
//!
//! Amounts of a quote (see the crate's conventions, *Amounts of a quote*):
//! * `disbursed_issue_amount = issue_amount − iof_amount − Σ contract fees`;
//! * `assignment_amount = issue_amount + Σ contract fees`;
//! * `final_disbursement_amount = disbursed_issue_amount − Σ refinanced due_balance` (the change);
//! * the CET on the borrower's flows: `disbursed_issue_amount` in, every `total_amount` out.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::calendar::BrazilCalendar;
use crate::cet::{self, Cet};
use crate::conventions::{Conventions, InterestDecimals};
use crate::error::{Error, Result};
use crate::fees::{Fees, Pricing};
use crate::iof::{Borrower, Iof, IofRates, IofRule, NaturalPersonIof, PersonType};
use crate::num::{self, round_cents};
use crate::rate::{InterestRate, PrefixedInterestRate};
use crate::schedule::{self, Amortization, Grid, GrowthMemo, Period, Schedule};

/// How the loan's size is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Amount {
    /// `installment_face_value`: every installment is this amount (payroll margin).
    InstallmentFaceValue(Decimal),
    /// `disbursed_amount`: what the borrower must receive; IOF and contract fees are financed on top.
    Disbursed(Decimal),
    /// `amount`: the issue (nominal) amount itself, no gross-up; the IOF and the contract fees
    /// are withheld from it (`disbursed_issue_amount = amount − iof − fees`).
    Issue(Decimal),
}

/// When the first installment is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FirstDue {
    /// `first_due_date`; the same date for every disbursement option.
    Date(NaiveDate),
    /// `first_due_date_delay`: this many days after each option's disbursement date, counted as
    /// [`SimulationOptions::delay_unit`] says.
    Delay(u32),
    /// Neither given: the business day on or after each option's disbursement date + 1 month;
    /// later installments a month apart from it, not moved. QI's two examples without a first due
    /// date show it: 2026-04-07 → 2026-05-07 (`bnpl-issue-2026`) and 2020-08-06 → 2020-09-08
    /// (09-06 is a Sunday, 09-07 a holiday; `fixtures/qi-examples/anaue-preprice-5000-2020.*`).
    OneMonth,
}

/// The default first due date ([`FirstDue::OneMonth`]) of a loan disbursed on `date`: the business
/// day on or after `date + 1 month` (day of month kept, clamped to the month's end).
///
/// # Errors
/// [`Error::DateOutOfRange`] beyond the calendar.
///
/// ```
/// use qitech_sim::{NaiveDate, simulation::default_first_due_date};
/// let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).ok_or("date");
/// assert_eq!(default_first_due_date(d(2020, 8, 6)?)?, d(2020, 9, 8)?);
/// assert_eq!(default_first_due_date(d(2026, 4, 7)?)?, d(2026, 5, 7)?);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn default_first_due_date(date: NaiveDate) -> Result<NaiveDate> {
    let month_later = crate::calendar::add_months(date, 1)?;
    BrazilCalendar::national().following(month_later)
}

/// How `first_due_date_delay` is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DelayUnit {
    /// Calendar days: what QI's documented numbers show (2023-03-17 + 5 → 2023-03-22). Default.
    #[default]
    CalendarDays,
    /// Business days: what the manual's text says ("D+5 dias úteis").
    BusinessDays,
}

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

impl OptionDays {
    /// The policy's name in the response (`disbursement_options_policy`).
    pub fn as_str(self) -> &'static str {
        match self {
            OptionDays::CalendarDays => "calendar_days",
            OptionDays::BusinessDays => "business_days",
        }
    }
}

/// A refinanced operation (`refinanced_credit_operations[]`): the balance the new loan pays off.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RefinancedOperation {
    /// `due_balance`, BRL.
    pub due_balance: Decimal,
    /// `original_deadline`, days; echoed, changes no number (see the crate's conventions,
    /// "Refinancing").
    pub original_deadline: Option<u32>,
    /// `operation_key`, echoed.
    pub operation_key: Option<String>,
    /// The operation's own rate and disbursement date (`monthly_interest_rate`,
    /// `disbursement_date`): when given, `due_balance` grows to each option's date (see the
    /// crate's conventions, *Refinancing*).
    pub accrual: Option<Accrual>,
}

/// How a refinanced balance grows to a disbursement option's date: `due_balance` is the balance on
/// `since` (the operation's `disbursement_date`), compounding at `rate` over calendar days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Accrual {
    /// The operation's own rate, on `calendar_days`.
    pub rate: InterestRate,
    /// The operation's `disbursement_date`.
    pub since: NaiveDate,
}

impl RefinancedOperation {
    /// An operation whose outstanding `due_balance` the new loan pays off.
    ///
    /// # Errors
    /// [`Error::InvalidField`] for a negative balance or one above [`MAX_AMOUNT`].
    pub fn new(due_balance: Decimal) -> Result<Self> {
        check_amount(
            due_balance,
            Decimal::ZERO,
            "refinanced_credit_operations.due_balance",
        )?;
        Ok(RefinancedOperation {
            due_balance,
            original_deadline: None,
            operation_key: None,
            accrual: None,
        })
    }

    /// The operation's own rate and disbursement date: `due_balance` is its balance on `since`,
    /// grown to each option's date at `rate`.
    pub fn accrues(mut self, rate: InterestRate, since: NaiveDate) -> Self {
        self.accrual = Some(Accrual { rate, since });
        self
    }

    /// The balance paid off by a loan disbursed on `date`: `due_balance` as given, or with an
    /// [`Accrual`] `round2(due_balance × G(days))`, `G` the growth of the operation's rate over the
    /// calendar days from its disbursement date to `date` (the crate's conventions,
    /// *Refinancing*).
    ///
    /// # Errors
    /// [`Error::InvalidField`] when `date` is before the operation's disbursement date;
    /// [`Error::Overflow`] beyond `Decimal`'s range.
    pub fn balance_on(&self, date: NaiveDate, field: &str) -> Result<Decimal> {
        let Some(a) = self.accrual else {
            return Ok(self.due_balance);
        };
        let days = u32::try_from((date - a.since).num_days()).map_err(|_| {
            Error::invalid(
                format!("{field}.disbursement_date"),
                a.since,
                format!("must not be after the disbursement option {date}"),
            )
        })?;
        let g = a.rate.growth(days)?;
        Ok(round_cents(num::mul(self.due_balance, g, field)?))
    }

    /// `original_deadline`, echoed.
    pub fn original_deadline(mut self, days: u32) -> Self {
        self.original_deadline = Some(days);
        self
    }

    /// `operation_key`, echoed.
    pub fn operation_key(mut self, key: impl Into<String>) -> Self {
        self.operation_key = Some(key.into());
        self
    }
}

/// Largest amount accepted anywhere in a loan (BRL 10¹⁵): far beyond any loan, far below where the
/// arithmetic could overflow.
pub const MAX_AMOUNT: Decimal = Decimal::from_parts(2_764_472_320, 232_830, 0, false, 0);

/// Most refinanced operations one loan may pay off.
pub const MAX_REFINANCED: usize = 100;

/// The smallest amount a loan may have: one cent.
pub(crate) const CENT: Decimal = Decimal::from_parts(1, 0, 0, false, 2);

/// `value` when `min ≤ value ≤ MAX_AMOUNT`, else an error naming `field`. The one place amount
/// bounds are checked.
pub(crate) fn check_amount(value: Decimal, min: Decimal, field: &str) -> Result<Decimal> {
    if value < min {
        return Err(Error::invalid(
            field,
            value,
            if min.is_zero() {
                "must not be negative".to_string()
            } else {
                format!("must be at least {min}")
            },
        ));
    }
    if value > MAX_AMOUNT {
        return Err(Error::invalid(
            field,
            value,
            format!("must be at most {MAX_AMOUNT}"),
        ));
    }
    Ok(value)
}

impl From<NaiveDate> for FirstDue {
    fn from(d: NaiveDate) -> Self {
        FirstDue::Date(d)
    }
}

/// The typed loan request: QI's `financial` block, plus the refinanced operations.
///
/// Build it with [`LoanTerms::face_value`] or [`LoanTerms::disbursed`] and the chained setters; the
/// constructors check every bound, and [`simulate`] checks them again, so a loan changed field by
/// field gets the same errors as one read from JSON.
///
/// ```
/// use qitech_sim::prelude::*;
/// let rate = InterestRate::monthly("0.0205".parse()?, InterestBase::CalendarDays)?;
/// let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).ok_or("date");
/// let terms = LoanTerms::face_value(Decimal::from(100), 2, rate, d(2023, 3, 14)?, d(2023, 4, 7)?)?
///     .limit_days_to_disburse(3);
/// assert_eq!(simulate(&terms, &SimulationOptions::new())?.options.len(), 4);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LoanTerms {
    /// Face value, disbursed amount or issue amount.
    pub amount: Amount,
    /// The amortization system (`interest_type`); default `pre_price_days`.
    pub amortization: Amortization,
    /// The borrower's person type and Simples Nacional option, which choose the IOF rates.
    pub borrower: Borrower,
    /// `number_of_installments`, 1 to [`schedule::MAX_INSTALLMENTS`].
    pub number_of_installments: u32,
    /// The working rate and its base.
    pub rate: InterestRate,
    /// `disbursement_date`: the first disbursement option.
    pub disbursement_date: NaiveDate,
    /// `first_due_date` or `first_due_date_delay`.
    pub first_due: FirstDue,
    /// `limit_days_to_disburse`: options run from the disbursement date to this many days later
    /// (at most [`MAX_LIMIT_DAYS`]).
    pub limit_days_to_disburse: u32,
    /// Balances paid off by the loan (at most [`MAX_REFINANCED`]).
    pub refinanced: Vec<RefinancedOperation>,
    /// `financial.due_dates` (or the dates of `desired_installments`): the installments' due dates,
    /// replacing `first_due` and the monthly step; as many as `number_of_installments`.
    pub due_dates: Option<Vec<NaiveDate>>,
    /// `desired_installments[].total_amount`: each installment's total, due on the matching
    /// `due_dates` entry; the amount must then be [`Amount::InstallmentFaceValue`] of the first (the
    /// per-installment face values generalise the one face value).
    pub installment_totals: Option<Vec<Decimal>>,
    /// `principal_amortization_month_period` = `interest_payment_month_period`: months between
    /// installments (1 to [`MAX_MONTH_PERIOD`]; default 1).
    pub month_period: u32,
    /// `force_installments_on_workdays`: each due date moved to the next business day before days
    /// are counted (see the crate's conventions, *Dates and day counts*).
    pub move_due_dates: bool,
    /// Request-side fees (`financial.rebates`), charged after the partner's configured ones.
    pub rebates: Pricing,
    /// Whether the rate's base was given explicitly (`financial.interest_base`): then it wins over
    /// the product's base ([`Conventions::interest_base`]); a base from `fine_configuration`, or a
    /// typed loan's base by default, loses to it.
    pub explicit_interest_base: bool,
}

/// Most months between two installments (`principal_amortization_month_period`).
pub const MAX_MONTH_PERIOD: u32 = 12;

impl LoanTerms {
    /// A loan of `number_of_installments` installments of `installment_face_value` each (the payroll
    /// margin); the issue amount is their present value.
    ///
    /// # Errors
    /// [`Error::InvalidField`] for an amount below 0.01 or above [`MAX_AMOUNT`], an installment
    /// count outside 1..=[`schedule::MAX_INSTALLMENTS`], a fixed first due date not after the
    /// disbursement date, a delay of 0; [`Error::DateOutOfRange`] outside the calendar.
    pub fn face_value(
        installment_face_value: Decimal,
        number_of_installments: u32,
        rate: InterestRate,
        disbursement_date: NaiveDate,
        first_due: impl Into<FirstDue>,
    ) -> Result<Self> {
        Self::with_amount(
            Amount::InstallmentFaceValue(installment_face_value),
            number_of_installments,
            rate,
            disbursement_date,
            first_due.into(),
        )
    }

    /// A loan whose borrower must receive `disbursed_amount`: IOF and contract fees are financed on
    /// top (the issue amount is grossed up).
    ///
    /// # Errors
    /// As [`LoanTerms::face_value`].
    ///
    /// ```
    /// use qitech_sim::prelude::*;
    /// let rate = InterestRate::annual_rate("0.20983".parse()?, InterestBase::Workdays)?;
    /// let day = NaiveDate::from_ymd_opt(2023, 3, 17).ok_or("date")?;
    /// let terms = LoanTerms::disbursed("80492.95".parse()?, 1, rate, day, FirstDue::Delay(5))?;
    /// let quote = simulate(&terms, &SimulationOptions::new())?.first().clone();
    /// assert_eq!(quote.schedule.issue_amount.to_string(), "80833.26");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn disbursed(
        disbursed_amount: Decimal,
        number_of_installments: u32,
        rate: InterestRate,
        disbursement_date: NaiveDate,
        first_due: impl Into<FirstDue>,
    ) -> Result<Self> {
        Self::with_amount(
            Amount::Disbursed(disbursed_amount),
            number_of_installments,
            rate,
            disbursement_date,
            first_due.into(),
        )
    }

    /// A loan of `amount` (either mode).
    ///
    /// # Errors
    /// As [`LoanTerms::face_value`].
    pub fn with_amount(
        amount: Amount,
        number_of_installments: u32,
        rate: InterestRate,
        disbursement_date: NaiveDate,
        first_due: FirstDue,
    ) -> Result<Self> {
        let terms = LoanTerms {
            amount,
            amortization: Amortization::PriceDays,
            borrower: Borrower::default(),
            number_of_installments,
            rate,
            disbursement_date,
            first_due,
            limit_days_to_disburse: 0,
            refinanced: vec![],
            due_dates: None,
            installment_totals: None,
            month_period: 1,
            move_due_dates: false,
            rebates: Pricing::default(),
            explicit_interest_base: false,
        };
        terms.validate()?;
        Ok(terms)
    }

    /// `limit_days_to_disburse`: one disbursement option per day up to this many days after the
    /// disbursement date (checked by [`simulate`]: at most [`MAX_LIMIT_DAYS`]).
    pub fn limit_days_to_disburse(mut self, days: u32) -> Self {
        self.limit_days_to_disburse = days;
        self
    }

    /// Marks the rate's base as explicit (`financial.interest_base`): the product's base
    /// ([`Conventions::interest_base`]) does not override it.
    pub fn explicit_interest_base(mut self, explicit: bool) -> Self {
        self.explicit_interest_base = explicit;
        self
    }

    /// Adds a refinanced operation whose balance the loan pays off.
    pub fn refinance(mut self, operation: RefinancedOperation) -> Self {
        self.refinanced.push(operation);
        self
    }

    /// The amortization system (`interest_type`): `pre_price_days` (default), `pre_price` or
    /// `pre_sac` (checked by [`LoanTerms::validate`]: `pre_sac` has no face-value mode).
    pub fn amortization(mut self, system: Amortization) -> Self {
        self.amortization = system;
        self
    }

    /// The borrower's person type (`borrower.person_type`, v2 `issuer_person_type`): legal persons
    /// are priced by the dated table [`crate::iof::REGIMES`] at each option's disbursement date.
    ///
    /// ```
    /// use qitech_sim::prelude::*;
    /// use qitech_sim::iof::PersonType;
    /// let rate = InterestRate::monthly("0.02".parse()?, InterestBase::CalendarDays)?;
    /// let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).ok_or("date");
    /// let terms = LoanTerms::with_amount(Amount::Issue(Decimal::from(10_000)), 1, rate,
    ///     d(2024, 3, 1)?, FirstDue::Date(d(2024, 3, 31)?))?.borrower(PersonType::Legal);
    /// let q = simulate(&terms, &SimulationOptions::new())?.first().clone();
    /// // 0.0041 % × 30 days + 0.38 % of 10,000: 12.30 + 38.00
    /// assert_eq!(q.iof.total.to_string(), "50.30");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn borrower(mut self, person_type: PersonType) -> Self {
        self.borrower.person_type = person_type;
        self
    }

    /// A legal-person borrower opting for the Simples Nacional (MEI included; the crate's request
    /// field `borrower.simples_nacional`): operations up to R$ 30,000 get the reduced daily rate.
    pub fn simples_nacional(mut self, opts_in: bool) -> Self {
        self.borrower.simples_nacional = opts_in;
        self
    }

    /// Explicit due dates (`financial.due_dates`), one per installment.
    pub fn due_dates(mut self, dates: Vec<NaiveDate>) -> Self {
        self.due_dates = Some(dates);
        self
    }

    /// Given installments (`financial.desired_installments`): `(total_amount, due_date)` each. Sets
    /// the due dates, the totals, the count, and the amount to the first total's face value.
    pub fn desired_installments(mut self, installments: &[(Decimal, NaiveDate)]) -> Self {
        self.due_dates = Some(installments.iter().map(|i| i.1).collect());
        self.installment_totals = Some(installments.iter().map(|i| i.0).collect());
        if let Some(first) = installments.first() {
            self.amount = Amount::InstallmentFaceValue(first.0);
        }
        self.number_of_installments = u32::try_from(installments.len()).unwrap_or(u32::MAX);
        self
    }

    /// Months between installments (`principal_amortization_month_period`).
    pub fn month_period(mut self, months: u32) -> Self {
        self.month_period = months;
        self
    }

    /// `force_installments_on_workdays`.
    pub fn move_due_dates(mut self, on: bool) -> Self {
        self.move_due_dates = on;
        self
    }

    /// Request-side fees (`financial.rebates`).
    pub fn rebates(mut self, rebates: Pricing) -> Self {
        self.rebates = rebates;
        self
    }

    /// QI's `operation_type`: `settlement_refinancing` when the loan pays off refinanced
    /// operations, else `structured_operation`.
    pub fn operation_type(&self) -> &'static str {
        if self.refinanced.is_empty() {
            "structured_operation"
        } else {
            "settlement_refinancing"
        }
    }

    /// The fixed first due date every option shares, if any (`first_due_date` or the first of
    /// `due_dates`).
    fn fixed_first_due(&self) -> Option<NaiveDate> {
        match (&self.due_dates, self.first_due) {
            (Some(d), _) => d.first().copied(),
            (None, FirstDue::Date(d)) => Some(d),
            (None, FirstDue::Delay(_) | FirstDue::OneMonth) => None,
        }
    }

    /// Checks every bound of the terms; [`simulate`] calls it first.
    ///
    /// # Errors
    /// The errors listed at [`LoanTerms::face_value`], and for `limit_days_to_disburse` above
    /// [`MAX_LIMIT_DAYS`], more than [`MAX_REFINANCED`] refinanced operations, or a refinanced
    /// balance out of range.
    pub fn validate(&self) -> Result<()> {
        match self.amount {
            Amount::InstallmentFaceValue(f) => {
                check_amount(f, CENT, "financial.installment_face_value")?;
            }
            Amount::Disbursed(d) => {
                check_amount(d, CENT, "financial.disbursed_amount")?;
            }
            Amount::Issue(i) => {
                check_amount(i, CENT, "financial.amount")?;
            }
        }
        if let (Amount::InstallmentFaceValue(f), Amortization::Sac) =
            (self.amount, self.amortization)
        {
            return Err(Error::conflict(
                "financial.installment_face_value",
                f,
                "pre_sac installments are not level: give disbursed_amount or amount",
            ));
        }
        if self.borrower.simples_nacional && self.borrower.person_type != PersonType::Legal {
            return Err(Error::conflict(
                "borrower.simples_nacional",
                true,
                "the Simples Nacional applies to legal persons (person_type legal)",
            ));
        }
        if self.number_of_installments == 0
            || self.number_of_installments > schedule::MAX_INSTALLMENTS
        {
            return Err(Error::invalid(
                "financial.number_of_installments",
                self.number_of_installments,
                format!("must be between 1 and {}", schedule::MAX_INSTALLMENTS),
            ));
        }
        crate::calendar::check_in_range(self.disbursement_date, "financial.disbursement_date")?;
        match self.first_due {
            FirstDue::Date(d) => {
                crate::calendar::check_in_range(d, "financial.first_due_date")?;
                if d <= self.disbursement_date {
                    return Err(Error::invalid(
                        "financial.first_due_date",
                        d,
                        format!(
                            "must be after the disbursement date {}",
                            self.disbursement_date
                        ),
                    ));
                }
            }
            FirstDue::Delay(0) => {
                return Err(Error::invalid(
                    "financial.first_due_date_delay",
                    0,
                    "must be at least 1",
                ));
            }
            FirstDue::Delay(_) | FirstDue::OneMonth => {}
        }
        if self.limit_days_to_disburse > MAX_LIMIT_DAYS {
            return Err(Error::invalid(
                "financial.limit_days_to_disburse",
                self.limit_days_to_disburse,
                format!("must be at most {MAX_LIMIT_DAYS}"),
            ));
        }
        if self.refinanced.len() > MAX_REFINANCED {
            return Err(Error::invalid(
                "refinanced_credit_operations",
                self.refinanced.len(),
                format!("at most {MAX_REFINANCED} operations"),
            ));
        }
        for (i, r) in self.refinanced.iter().enumerate() {
            check_amount(
                r.due_balance,
                Decimal::ZERO,
                &format!("refinanced_credit_operations[{i}].due_balance"),
            )?;
        }
        if self.month_period == 0 || self.month_period > MAX_MONTH_PERIOD {
            return Err(Error::invalid(
                "financial.principal_amortization_month_period",
                self.month_period,
                format!("must be between 1 and {MAX_MONTH_PERIOD}"),
            ));
        }
        if let Some(dates) = &self.due_dates {
            if dates.len() != self.number_of_installments as usize {
                return Err(Error::conflict(
                    "financial.due_dates",
                    dates.len(),
                    format!(
                        "{} due dates for number_of_installments {}",
                        dates.len(),
                        self.number_of_installments
                    ),
                ));
            }
            if self.month_period != 1 {
                return Err(Error::conflict(
                    "financial.principal_amortization_month_period",
                    self.month_period,
                    "explicit due dates already fix the installments' spacing",
                ));
            }
            let mut prev = self.disbursement_date;
            for (k, d) in dates.iter().enumerate() {
                let field = format!("financial.due_dates[{k}]");
                crate::calendar::check_in_range(*d, &field)?;
                if *d <= prev {
                    return Err(Error::invalid(
                        field,
                        d,
                        format!(
                            "must be after {prev} (the previous due date or the disbursement date)"
                        ),
                    ));
                }
                prev = *d;
            }
        }
        if self.installment_totals.is_some() && self.amortization != Amortization::PriceDays {
            return Err(Error::unsupported(
                "financial.desired_installments",
                self.amortization.as_str(),
                "given installments are priced on pre_price_days only (their split under \
                 pre_price or pre_sac is not documented)",
            ));
        }
        if self.month_period != 1 && self.amortization == Amortization::Price {
            return Err(Error::unsupported(
                "financial.principal_amortization_month_period",
                self.month_period,
                "pre_price compounds one monthly rate per period; periods of several months are \
                 not documented for it",
            ));
        }
        if let Some(totals) = &self.installment_totals {
            if self.due_dates.as_ref().map(Vec::len) != Some(totals.len()) {
                return Err(Error::conflict(
                    "financial.desired_installments",
                    totals.len(),
                    "each desired installment needs its due date",
                ));
            }
            if !matches!(self.amount, Amount::InstallmentFaceValue(_)) {
                return Err(Error::conflict(
                    "financial.desired_installments",
                    totals.len(),
                    "desired installments fix the loan's size: give no disbursed amount",
                ));
            }
            for (k, t) in totals.iter().enumerate() {
                check_amount(
                    *t,
                    CENT,
                    &format!("financial.desired_installments[{k}].total_amount"),
                )?;
            }
        }
        Ok(())
    }
}

impl std::fmt::Debug for LoanTerms {
    // The derived format, with the system and the borrower only when they are not the defaults:
    // the response keys hash this text, and a `pre_price_days` natural-person loan keeps its key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = f.debug_struct("LoanTerms");
        d.field("amount", &self.amount);
        if self.amortization != Amortization::PriceDays {
            d.field("amortization", &self.amortization);
        }
        if self.borrower != Borrower::default() {
            d.field("borrower", &self.borrower);
        }
        d.field("number_of_installments", &self.number_of_installments)
            .field("rate", &self.rate)
            .field("disbursement_date", &self.disbursement_date)
            .field("first_due", &self.first_due)
            .field("limit_days_to_disburse", &self.limit_days_to_disburse)
            .field("refinanced", &self.refinanced);
        if self.explicit_interest_base {
            d.field("explicit_interest_base", &true);
        }
        d.finish()
    }
}

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
#[derive(Clone, PartialEq, Eq, Default)]
pub struct SimulationOptions {
    pricing: Pricing,
    delay_unit: DelayUnit,
    option_days: OptionDays,
    natural_iof: NaturalPersonIof,
    allow_unknown_fields: bool,
    conventions: Conventions,
}

impl std::fmt::Debug for SimulationOptions {
    // The derived format, with the natural-person IOF rule only when it is not the default (the
    // response keys hash this text).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = f.debug_struct("SimulationOptions");
        d.field("pricing", &self.pricing)
            .field("delay_unit", &self.delay_unit)
            .field("option_days", &self.option_days);
        if self.natural_iof != NaturalPersonIof::Fixed {
            d.field("natural_iof", &self.natural_iof);
        }
        // Whether unknown keys are accepted changes no number: shown only when set.
        if self.allow_unknown_fields {
            d.field("allow_unknown_fields", &self.allow_unknown_fields);
        }
        if self.conventions != Conventions::default() {
            d.field("conventions", &self.conventions);
        }
        d.finish()
    }
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

    /// The convention switches (the crate's conventions, *Switches*; default [`Profile::Qi2023`],
    /// the seeds' behaviour).
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
    /// does the same for one loan). It is a convention of the pricing configuration: call it after
    /// [`SimulationOptions::pricing`], which replaces the configuration.
    pub fn move_due_dates(mut self, on: bool) -> Self {
        self.pricing.conventions.move_due_dates = on;
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

/// One priced loan: a disbursement option. It carries every number QI's responses print for the
/// option, so that the JSON layer only formats.
///
/// Amounts (see the crate's conventions, "Amounts of a quote"):
/// * `disbursed_issue_amount = issue_amount − iof_amount − Σ deducted contract fees`;
/// * `assignment_amount = issue_amount + contract_fee_amount` (every contract fee, the
///   assignment-only ones included: [`crate::fees::FeeClass`]);
/// * `final_disbursement_amount = disbursed_issue_amount − refinanced_total` (the change);
/// * the CET on the borrower's flows: `disbursed_issue_amount` in, every `total_amount` out.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Quote {
    /// This option's disbursement date.
    pub disbursement_date: NaiveDate,
    /// This option's first due date.
    pub first_due_date: NaiveDate,
    /// The schedule (issue amount and installments).
    pub schedule: Schedule,
    /// `total_pre_fixed_amount`: Σ interest of the schedule.
    pub total_pre_fixed_amount: Decimal,
    /// The rates as the response prints them (`prefixed_interest_rate`).
    pub rate: PrefixedInterestRate,
    /// The IOF: its parts and its total (`iof_amount`).
    pub iof: Iof,
    /// The IOF rule the option was priced by (its regime's rates and legal basis).
    pub iof_rule: IofRule,
    /// The IOF rates of this loan under that rule (v2 `tax_configuration`).
    pub iof_rates: IofRates,
    /// The amortization system priced (`interest_type`).
    pub amortization: Amortization,
    /// The fees charged, one by one and totalled by kind.
    pub fees: Fees,
    /// `disbursed_issue_amount`: what the borrower receives before refinanced balances.
    pub disbursed_issue_amount: Decimal,
    /// `assignment_amount`.
    pub assignment_amount: Decimal,
    /// Σ refinanced balances on this option's date.
    pub refinanced_total: Decimal,
    /// Each refinanced operation's balance on this option's date (`due_balance`, grown when the
    /// operation carries its rate and disbursement date).
    pub refinanced_balances: Vec<Decimal>,
    /// `final_disbursement_amount`: the change the borrower receives (negative when the loan does not
    /// cover the refinanced balances; see [`Quote::change`]).
    pub final_disbursement_amount: Decimal,
    /// The change, or the shortfall when the refinanced balances exceed what the loan disburses.
    pub change: Change,
    /// The CET.
    pub cet: Cet,
}

impl Quote {
    /// How much the refinanced balances exceed what the loan disburses, if they do.
    pub fn shortfall(&self) -> Option<Decimal> {
        match self.change {
            Change::Shortfall(s) => Some(s),
            Change::Change(_) => None,
        }
    }
}

/// The outcome for the borrower of one disbursement option: `final_disbursement_amount` read as a
/// change or a shortfall.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// The borrower receives this much (≥ 0).
    Change(Decimal),
    /// The loan does not cover the refinanced balances: this much is missing.
    Shortfall(Decimal),
}

impl Change {
    /// The change of a `final_disbursement_amount`: a shortfall when it is negative.
    pub fn of(final_disbursement_amount: Decimal) -> Self {
        if final_disbursement_amount < Decimal::ZERO {
            Change::Shortfall(-final_disbursement_amount)
        } else {
            Change::Change(final_disbursement_amount)
        }
    }
}

/// The result of a simulation: one quote per disbursement option, the first being the requested
/// disbursement date. Only [`simulate`] builds one, so it always holds that first option.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Simulation {
    /// The options, in date order.
    pub options: Vec<Quote>,
    /// The policy that chose the option days.
    pub option_days: OptionDays,
}

impl Simulation {
    /// The first option (the requested disbursement date), whose numbers QI also prints at the top
    /// of `data`.
    ///
    /// Never panics: a `Simulation` comes from [`simulate`], which always holds the requested date's
    /// option (or is an error).
    pub fn first(&self) -> &Quote {
        &self.options[0]
    }
}

/// Prices every disbursement option of `terms` (see the crate's conventions, "Disbursement
/// options").
///
/// The first option is always the requested `disbursement_date` (under the business-days policy it
/// must be a business day); later options are the following calendar days up to
/// `limit_days_to_disburse`, or only the business days among them. With a fixed `first_due_date`, a
/// later day on or after that date gets no option (no loan can start there).
///
/// # Errors
/// Any error of [`LoanTerms::validate`] and of [`quote`]; [`Error::InvalidField`] on
/// `financial.disbursement_date` when the
/// business-days policy is asked for and that date is not a business day.
///
/// # Example
/// ```
/// use qitech_sim::prelude::*;
/// let rate = InterestRate::monthly("0.0205".parse()?, InterestBase::CalendarDays)?;
/// let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).ok_or("date");
/// let terms = LoanTerms::face_value(Decimal::from(100), 2, rate, d(2023, 3, 14)?, d(2023, 4, 7)?)?;
/// let sim = simulate(&terms, &SimulationOptions::new())?;
/// let q = sim.first();
/// assert_eq!(q.schedule.issue_amount.to_string(), "194.80");
/// assert_eq!(q.iof.total.to_string(), "1.36");
/// assert_eq!(q.schedule.installments[0].pre_fixed_amount.to_string(), "3.1882715773");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn simulate(terms: &LoanTerms, options: &SimulationOptions) -> Result<Simulation> {
    terms.validate()?;
    let cal = BrazilCalendar::national();
    if options.option_days == OptionDays::BusinessDays
        && !cal.is_business_day(terms.disbursement_date)?
    {
        return Err(Error::invalid(
            "financial.disbursement_date",
            terms.disbursement_date,
            "not a business day, and the option policy keeps business days only",
        ));
    }
    let mut out = Vec::with_capacity(terms.limit_days_to_disburse as usize + 1);
    let rate = effective_rate(terms, &options.conventions)?;
    let mut shared = Shared::default();
    // The request's fees join the partner's configured ones once for every option.
    let merged;
    let options = if terms.rebates.is_empty() && !terms.rebates.conventions.move_due_dates {
        options
    } else {
        merged = options
            .clone()
            .pricing(options.pricing.merged(&terms.rebates));
        &merged
    };
    let fixed_first_due = terms.fixed_first_due();
    for offset in 0..=terms.limit_days_to_disburse {
        let date = terms
            .disbursement_date
            .checked_add_days(chrono::Days::new(u64::from(offset)))
            .ok_or_else(|| {
                Error::invalid("financial.limit_days_to_disburse", offset, "date overflow")
            })?;
        if options.option_days == OptionDays::BusinessDays && !cal.is_business_day(date)? {
            continue;
        }
        if let Some(first) = fixed_first_due
            && offset > 0
            && first <= date
        {
            // This day is too late for the fixed first due date: no loan can start on it.
            continue;
        }
        out.push(quote_shared(terms, &rate, date, options, &mut shared)?);
    }
    Ok(Simulation {
        options: out,
        option_days: options.option_days,
    })
}

/// Most days a disbursement may be deferred (`limit_days_to_disburse`).
pub const MAX_LIMIT_DAYS: u32 = 60;

/// Prices the loan of `terms` disbursed on `disbursement_date`.
///
/// # Errors
/// [`Error::InvalidField`], [`Error::DateOutOfRange`], [`Error::Overflow`] for bad input,
/// [`Error::CetNoRoot`] when the fees and IOF leave the borrower nothing.
pub fn quote(
    terms: &LoanTerms,
    disbursement_date: NaiveDate,
    options: &SimulationOptions,
) -> Result<Quote> {
    let options = &options
        .clone()
        .pricing(options.pricing.merged(&terms.rebates));
    let rate = effective_rate(terms, &options.conventions)?;
    quote_shared(
        terms,
        &rate,
        disbursement_date,
        options,
        &mut Shared::default(),
    )
}

/// The working rate of `terms` under `conventions`: the product's base
/// ([`Conventions::interest_base`]) unless the loan's base is explicit, and the rate switches
/// ([`InterestRate::with_conventions`]); the loan's own rate when no switch changes it.
///
/// # Errors
/// As [`InterestRate::with_conventions`].
pub fn effective_rate(terms: &LoanTerms, conventions: &Conventions) -> Result<InterestRate> {
    let base = match conventions.interest_base {
        Some(b) if !terms.explicit_interest_base => b,
        _ => terms.rate.base(),
    };
    let seeds = Conventions::default();
    if base == terms.rate.base()
        && conventions.calendar_days_growth == seeds.calendar_days_growth
        && conventions.rate_decimals == seeds.rate_decimals
        && conventions.daily_rate_base == seeds.daily_rate_base
        && conventions.annual_rate_decimals == seeds.annual_rate_decimals
    {
        return Ok(terms.rate);
    }
    InterestRate::with_conventions(terms.rate.input(), base, conventions)
}

/// What the disbursement options of one simulation have in common, kept from one option to the
/// next: the growth factors per day count (one rate), and, under a fixed `first_due_date`, the
/// periods, of which only the first one and the day counts from the disbursement differ.
#[derive(Debug, Default)]
struct Shared {
    memo: GrowthMemo,
    /// A disbursement date and its periods under [`FirstDue::Date`].
    periods: Option<(NaiveDate, Vec<Period>)>,
}

impl Shared {
    /// [`schedule::periods`]`(disbursement_date, first_due_date, n)`, derived from the periods of
    /// another disbursement date with the same first due date when there are some: every due date,
    /// business due date and period k ≥ 2 is the same; period 1 gets its own calendar days and
    /// workdays, and `days_from_disbursement` shifts by the days between the two disbursement dates.
    fn periods(
        &mut self,
        disbursement_date: NaiveDate,
        first_due_date: NaiveDate,
        n: u32,
        fixed_first_due: bool,
    ) -> Result<Vec<Period>> {
        if !fixed_first_due {
            return schedule::periods(disbursement_date, first_due_date, n);
        }
        if let Some((base_date, base)) = &self.periods
            && let Some(derived) =
                shift_periods(base, *base_date, disbursement_date, first_due_date)
        {
            return Ok(derived);
        }
        let p = schedule::periods(disbursement_date, first_due_date, n)?;
        self.periods = Some((disbursement_date, p.clone()));
        Ok(p)
    }
}

/// The periods of `base` (disbursed on `base_date`) as they are for a disbursement on `date`, the
/// first due date being the same; `None` when `date` is not before that first due date or is
/// outside the calendar (then [`schedule::periods`] reports it).
fn shift_periods(
    base: &[Period],
    base_date: NaiveDate,
    date: NaiveDate,
    first_due_date: NaiveDate,
) -> Option<Vec<Period>> {
    let first = base.first()?;
    if first.due_date != first_due_date || first_due_date <= date {
        return None;
    }
    let shift = (date - base_date).num_days();
    let calendar_days = u32::try_from((first_due_date - date).num_days()).ok()?;
    let workdays = BrazilCalendar::national()
        .workdays(date, first_due_date)
        .ok()
        .and_then(|w| u32::try_from(w).ok())?;
    let mut out = Vec::with_capacity(base.len());
    for p in base {
        let days = i64::from(p.days_from_disbursement) - shift;
        out.push(Period {
            days_from_disbursement: u32::try_from(days).ok()?,
            ..*p
        });
    }
    if let Some(p) = out.first_mut() {
        p.calendar_days = calendar_days;
        p.workdays = workdays;
    }
    Some(out)
}

/// [`quote`], reusing and extending what `shared` holds from the other options of the simulation.
fn quote_shared(
    terms: &LoanTerms,
    rate: &InterestRate,
    disbursement_date: NaiveDate,
    options: &SimulationOptions,
    shared: &mut Shared,
) -> Result<Quote> {
    let move_due_dates = terms.move_due_dates
        || options.pricing.conventions.move_due_dates
        || options.conventions.move_due_dates;
    let periods = if terms.due_dates.is_some() || terms.month_period != 1 || move_due_dates {
        schedule::periods_from_dates(
            disbursement_date,
            &due_dates(terms, disbursement_date, options.delay_unit, move_due_dates)?,
        )?
    } else {
        let first_due_date = match terms.first_due {
            FirstDue::Date(d) => d,
            FirstDue::Delay(days) => due_after_delay(disbursement_date, days, options.delay_unit)?,
            FirstDue::OneMonth => default_first_due_date(disbursement_date)?,
        };
        shared.periods(
            disbursement_date,
            first_due_date,
            terms.number_of_installments,
            matches!(terms.first_due, FirstDue::Date(_)),
        )?
    };
    let first_due_date = periods
        .first()
        .map(|p| p.due_date)
        .ok_or_else(|| Error::invalid("financial.number_of_installments", 0, "no installment"))?;
    let iof_rule = IofRule::for_loan(terms.borrower, options.natural_iof, disbursement_date)?;
    let conventions = &options.conventions;
    refuse_uncented_installments(terms, conventions)?;
    let grid = Grid::for_system_memo(rate, periods, terms.amortization, &mut shared.memo)?
        .with_iof(iof_rule)
        .with_conventions(conventions);
    let pricing = &options.pricing;
    let (schedule, iof) = match (terms.amount, &terms.installment_totals) {
        (Amount::InstallmentFaceValue(_), Some(totals)) => {
            priced(&grid, schedule::given_installments(&grid, totals)?)?
        }
        (Amount::InstallmentFaceValue(f), None) => priced(&grid, schedule::face_value(&grid, f)?)?,
        (Amount::Disbursed(d), _) => gross_up(&grid, d, pricing)?,
        (Amount::Issue(i), _) => priced(&grid, schedule::from_issue(&grid, i)?)?,
    };
    let issue = schedule.issue_amount;
    let fees = pricing.charge(issue)?;
    let disbursed_issue_amount = num::sub(
        num::sub(issue, iof.total, "iof_amount")?,
        fees.deducted_fee_amount,
        "contract_fees",
    )?;
    let assignment_amount = num::add(issue, fees.contract_fee_amount, "contract_fees")?;
    let mut refinanced_total = Decimal::ZERO;
    let mut refinanced_balances = Vec::with_capacity(terms.refinanced.len());
    for (i, r) in terms.refinanced.iter().enumerate() {
        let field = format!("refinanced_credit_operations[{i}]");
        let balance = r.balance_on(disbursement_date, &field)?;
        refinanced_total = num::add(
            refinanced_total,
            balance,
            "refinanced_credit_operations.due_balance",
        )?;
        refinanced_balances.push(balance);
    }
    let final_disbursement_amount = num::sub(
        disbursed_issue_amount,
        refinanced_total,
        "refinanced_credit_operations.due_balance",
    )?;
    let cet = cet::solve_with(disbursed_issue_amount, &schedule.cet_flows(), conventions)?;
    let total_pre_fixed_amount = num::sum(
        schedule.installments.iter().map(|i| i.pre_fixed_amount),
        "pre_fixed_amount",
    )?;
    Ok(Quote {
        disbursement_date,
        first_due_date,
        schedule,
        total_pre_fixed_amount,
        rate: rate.display(),
        iof,
        iof_rates: grid.iof().rates_for(issue),
        iof_rule,
        amortization: terms.amortization,
        fees,
        disbursed_issue_amount,
        assignment_amount,
        refinanced_total,
        refinanced_balances,
        final_disbursement_amount,
        change: Change::of(final_disbursement_amount),
        cet,
    })
}

/// The due dates of a loan disbursed on `date` outside the monthly fast path: the explicit
/// `due_dates`, or `first + k·month_period` months (day of month kept, clamped); each moved to the
/// business day on or after it when `move_due_dates`.
fn due_dates(
    terms: &LoanTerms,
    date: NaiveDate,
    unit: DelayUnit,
    move_due_dates: bool,
) -> Result<Vec<NaiveDate>> {
    let mut dates = match &terms.due_dates {
        Some(d) => d.clone(),
        None => {
            let first = match terms.first_due {
                FirstDue::Date(d) => d,
                FirstDue::Delay(days) => due_after_delay(date, days, unit)?,
                FirstDue::OneMonth => default_first_due_date(date)?,
            };
            let mut out = Vec::with_capacity(terms.number_of_installments as usize);
            for k in 0..terms.number_of_installments {
                let months = k.checked_mul(terms.month_period).ok_or_else(|| {
                    Error::invalid(
                        "financial.number_of_installments",
                        terms.number_of_installments,
                        "term too long",
                    )
                })?;
                out.push(crate::calendar::add_months(first, months).map_err(|_| {
                    Error::invalid(
                        "financial.number_of_installments",
                        terms.number_of_installments,
                        format!(
                            "the last installment would fall after {}",
                            crate::calendar::MAX_DATE
                        ),
                    )
                })?);
            }
            out
        }
    };
    if move_due_dates {
        let cal = BrazilCalendar::national();
        for d in &mut dates {
            *d = cal.following(*d)?;
        }
    }
    Ok(dates)
}

/// The first due date `delay` days after `date`, in calendar or business days.
///
/// # Errors
/// [`Error::DateOutOfRange`] beyond the calendar.
pub fn due_after_delay(date: NaiveDate, delay: u32, unit: DelayUnit) -> Result<NaiveDate> {
    match unit {
        DelayUnit::CalendarDays => date
            .checked_add_days(chrono::Days::new(u64::from(delay)))
            .ok_or_else(|| {
                Error::invalid("financial.first_due_date_delay", delay, "date overflow")
            }),
        // A delay beyond the calendar is the delay's error, not the calendar's.
        DelayUnit::BusinessDays => BrazilCalendar::national()
            .add_business_days(date, i64::from(delay))
            .map_err(|e| match e {
                Error::DateOutOfRange {
                    value, min, max, ..
                } => Error::DateOutOfRange {
                    field: "financial.first_due_date_delay".into(),
                    value,
                    min,
                    max,
                },
                other => other,
            }),
    }
}

/// `pre_price` and `pre_sac` from an issue or disbursed amount carry their balance in cents and
/// add each interest to a principal in cents: `interest_decimals` of 8 or 10 would give
/// installments that are not in cents, a rule no QI material documents, so it is refused
/// (face value keeps every installment at the face value, and is priced).
fn refuse_uncented_installments(terms: &LoanTerms, conventions: &Conventions) -> Result<()> {
    let amount_driven = matches!(terms.amount, Amount::Disbursed(_) | Amount::Issue(_));
    match conventions.interest_decimals {
        Some(dp @ (InterestDecimals::Eight | InterestDecimals::Ten))
            if amount_driven && terms.amortization != Amortization::PriceDays =>
        {
            Err(Error::unsupported(
                "conventions.interest_decimals",
                dp.dp(),
                format!(
                    "{} from an issue or disbursed amount rounds interest to cents (installments                      in cents); interest at {} decimals is not documented for it",
                    terms.amortization.as_str(),
                    dp.dp()
                ),
            ))
        }
        _ => Ok(()),
    }
}

/// The most steps the gross-up may take in each phase; it needs a handful.
const GROSS_UP_MAX_STEPS: u32 = 200;

/// How far around the first cent whose net reaches the target the gross-up looks for a smaller exact
/// solution, where the net is not monotone (percentage fees, or several installments: fee and IOF
/// rounding can step together and dip the net by a cent).
const GROSS_UP_WINDOW_CENTS: i64 = 3;

/// Disbursed-amount mode: the issue amount `I`, in cents, whose net `I − contract fees(I) −
/// round2(IOF(I))` equals `disbursed` (the IOF is financed: part of the amount it is computed on, so
/// `I` is a fixed point on cents), as the crate's conventions (*Schedules*) state: the smallest cent that satisfies it
/// exactly; where none does (fee and IOF rounding can skip the target cent, about 1 % of loans), the
/// smallest cent whose net exceeds it, and the quote then reports the net actually disbursed.
///
/// The search: a start from the cost shares, `(disbursed + absolute fees) / (1 − percentage fees −
/// IOF share)` (the closed form: for fixed dates and rate each principal is linear in `I`, so the
/// IOF share is that of a loan of 1, see [`unit_iof_share`]; for systems other than
/// `pre_price_days` it is read off a trial price); steps up by the remaining gap until the net
/// reaches the target, down by the surplus until it does not, then bisection to the first cent
/// that reaches it. A one-installment loan without percentage fees has a net that never decreases
/// in `I` (one tax on one principal), so that cent is the answer; otherwise the cents within ±3 of
/// it are checked, in ascending order, for a smaller exact solution (the first exact one is the
/// answer, so the check stops there). Trial amounts are priced without building their schedules
/// (only their IOF is summed, as [`Iof::new`] sums it), and each cent is priced at most once.
///
/// # Errors
/// [`Error::InvalidField`] for a disbursed amount below 0.01, or when the percentage fees and the IOF
/// take the whole loan; errors of [`schedule::from_issue`] for the chosen amount.
#[doc(hidden)]
pub fn gross_up(grid: &Grid, disbursed: Decimal, pricing: &Pricing) -> Result<(Schedule, Iof)> {
    gross_up_search(grid, disbursed, pricing, GROSS_UP_MAX_STEPS, None).map(|(priced, _)| priced)
}

/// How a gross-up went: the trial amounts it priced (the share trial included) and the steps of
/// its up and down phases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Search {
    walks: u32,
    up_steps: u32,
    down_steps: u32,
    /// The bisection's cent: the first that reaches the target above one that does not.
    first_reaching: Decimal,
}

/// [`gross_up`] with at most `max_steps` steps in each phase, from the first trial `start`
/// instead of the closed form's when given (tests only), and how the search went.
fn gross_up_search(
    grid: &Grid,
    disbursed: Decimal,
    pricing: &Pricing,
    max_steps: u32,
    start: Option<Decimal>,
) -> Result<((Schedule, Iof), Search)> {
    let cent = Decimal::new(1, 2);
    if disbursed < cent {
        return Err(Error::invalid(
            GROSS_UP_FIELD,
            disbursed,
            "must be at least 0.01",
        ));
    }
    let target = round_cents(disbursed);
    let mut trials = Trials {
        grid,
        pricing,
        single: grid.periods().len() == 1,
        nets: Vec::new(),
        walks: 0,
    };
    let (absolute, share) = pricing.contract_fee_parts()?;
    let trial = num::add(target, absolute, GROSS_UP_FIELD)?;
    // The IOF share of the issue: with one installment it is known, 0.0038 + 0.000082·min(days, 365)
    // (the principal is the issue up to the interest's cent), which makes the start the documented
    // `round2(disbursed / (1 − 0.0038 − 0.000082·days))`; with several, the closed form for
    // `pre_price_days`, else read off a trial price.
    let rates = grid.iof().rates_for(target);
    let iof_share = match grid.periods() {
        [p] => rates.additional + rates.daily_ceiling_fraction(p.days_from_disbursement),
        _ => match unit_iof_share(grid, rates) {
            Some(share) => share,
            None => num::div(trials.iof_total(trial)?, trial, GROSS_UP_FIELD)?,
        },
    };
    let denominator = Decimal::ONE - share - iof_share;
    if denominator <= Decimal::ZERO {
        return Err(Error::invalid(
            GROSS_UP_FIELD,
            disbursed,
            "the percentage fees and the IOF take the whole loan",
        ));
    }
    let steps_exceeded = || Error::invalid(GROSS_UP_FIELD, disbursed, "gross-up did not converge");
    // Up until the net reaches the target.
    let mut hi = match start {
        Some(start) => start,
        None => round_cents(num::div(trial, denominator, GROSS_UP_FIELD)?).max(cent),
    };
    let (mut hi_net, mut hi_priced) = trials.price(hi)?;
    let mut up_steps = 0;
    while hi_net < target {
        let step = round_cents(num::div(target - hi_net, denominator, GROSS_UP_FIELD)?).max(cent);
        hi = num::add(hi, step, GROSS_UP_FIELD)?;
        (hi_net, hi_priced) = trials.price(hi)?;
        up_steps += 1;
        if up_steps > max_steps {
            return Err(steps_exceeded());
        }
    }
    // Down until it does not (or the smallest amount, a cent, still reaches it).
    let mut lo;
    let mut down_steps = 0;
    loop {
        let step = round_cents(num::div(hi_net - target, denominator, GROSS_UP_FIELD)?).max(cent);
        lo = (hi - step).max(cent);
        if lo == hi {
            break;
        }
        let (lo_net, lo_priced) = trials.price(lo)?;
        if lo_net < target {
            break;
        }
        hi = lo;
        hi_net = lo_net;
        hi_priced = lo_priced;
        down_steps += 1;
        if down_steps > max_steps {
            return Err(steps_exceeded());
        }
    }
    // Bisection on cents: net(lo) < target ≤ net(hi) (or lo = hi = 0.01). The last amount that
    // reaches the target is the bisection's answer; keep its priced schedule.
    if hi > lo {
        let mut last_reaching = None;
        let found = num::bisect_cents(lo, hi, |mid| {
            let (mid_net, mid_priced) = trials.price(mid)?;
            let reaches = mid_net >= target;
            if reaches {
                last_reaching = Some((mid, mid_priced));
            }
            Ok(reaches)
        })?;
        if let Some((at, priced)) = last_reaching
            && at == found
        {
            hi_priced = priced;
        }
        hi = found;
    }
    let first_reaching = hi;
    let mut issue = hi;
    if !(trials.single && share.is_zero()) {
        let mut reaching = None;
        let mut exact = None;
        for k in -GROSS_UP_WINDOW_CENTS..=GROSS_UP_WINDOW_CENTS {
            let candidate = hi + Decimal::new(k, 2);
            if candidate < cent {
                continue;
            }
            let n = trials.net(candidate)?;
            if n == target {
                exact = Some(candidate);
                break;
            }
            if n >= target && reaching.is_none() {
                reaching = Some(candidate);
            }
        }
        issue = exact.or(reaching).unwrap_or(hi);
    }
    let search = Search {
        walks: trials.walks,
        up_steps,
        down_steps,
        first_reaching,
    };
    match hi_priced {
        Some(priced) if issue == hi => Ok((priced, search)),
        _ => Ok((priced(grid, schedule::from_issue(grid, issue)?)?, search)),
    }
}

/// The field the gross-up's errors name.
const GROSS_UP_FIELD: &str = "financial.disbursed_amount";

/// The trial prices of one gross-up: each cent's net is computed once.
struct Trials<'a> {
    grid: &'a Grid,
    pricing: &'a Pricing,
    /// A one-installment loan: its trials build the schedule (cheaper than pricing it twice).
    single: bool,
    /// The nets priced so far, by issue amount (a handful).
    nets: Vec<(Decimal, Decimal)>,
    /// Trial prices computed (the share trial included).
    walks: u32,
}

impl Trials<'_> {
    /// `round2(Σ installment taxes + additional)` of an issue amount, without its schedule.
    fn iof_total(&mut self, issue: Decimal) -> Result<Decimal> {
        self.walks += 1;
        self.grid.iof_rounding().total(
            schedule::from_issue_tax_sum(self.grid, issue)?,
            self.grid.iof().rates_for(issue).additional(issue)?,
        )
    }

    /// The net of a trial amount, and with one installment its schedule and IOF too (on a cent
    /// priced before, the net alone).
    fn price(&mut self, issue: Decimal) -> Result<(Decimal, Option<(Schedule, Iof)>)> {
        if let Some(&(_, net)) = self.nets.iter().find(|(at, _)| *at == issue) {
            return Ok((net, None));
        }
        let (iof, priced) = if self.single {
            self.walks += 1;
            let (s, iof) = priced(self.grid, schedule::from_issue(self.grid, issue)?)?;
            (iof.total, Some((s, iof)))
        } else {
            (self.iof_total(issue)?, None)
        };
        let fees = self.pricing.contract_total(issue)?;
        let net = num::sub(num::sub(issue, fees, GROSS_UP_FIELD)?, iof, GROSS_UP_FIELD)?;
        self.nets.push((issue, net));
        Ok((net, priced))
    }

    /// The net of a trial amount.
    fn net(&mut self, issue: Decimal) -> Result<Decimal> {
        self.price(issue).map(|p| p.0)
    }
}

/// The IOF share of the issue amount of a `pre_price_days` loan on `grid`, `additional + Σ t_k ·
/// principal_k / I` with `t_k` the daily tax of installment k (`daily × min(days, 365)`): the
/// closed form of the gross-up's start, since for fixed dates and rate each principal is linear
/// in `I` (up to its cent roundings). Walked for a loan of 1 — level payment `1 / Σ 1/G_k`,
/// interest `balance × (g_k − 1)`, the last principal closing the balance — in `f64`: the result
/// only places the first trial of an exact cent search, which prices every trial in decimals, so
/// f64's error (relative 1e-15) moves that trial by far less than a cent and never the answer's
/// exactness. `None` for other systems, or when the walk leaves a sane range (absurd rates):
/// the caller then reads the share off a trial price.
fn unit_iof_share(grid: &Grid, rates: IofRates) -> Option<Decimal> {
    use rust_decimal::prelude::FromPrimitive;
    if grid.system() != Amortization::PriceDays {
        return None;
    }
    let periods = grid.periods();
    let pmt = 1.0 / num::to_f64(grid.discount_sum());
    let mut balance = 1.0_f64;
    let mut share = num::to_f64(rates.additional);
    for (k, (p, &r)) in periods.iter().zip(grid.period_interest()).enumerate() {
        let principal = if k + 1 == periods.len() {
            balance
        } else {
            pmt - balance * num::to_f64(r)
        };
        if principal > 0.0 {
            share +=
                principal * num::to_f64(rates.daily_ceiling_fraction(p.days_from_disbursement));
        }
        balance -= principal;
    }
    if !(share.is_finite() && (0.0..1.0).contains(&share)) {
        return None;
    }
    Decimal::from_f64(share).map(|s| num::round_dp(s, 12))
}

/// A schedule with its IOF at the grid's rates for its issue amount.
fn priced(grid: &Grid, s: Schedule) -> Result<(Schedule, Iof)> {
    let rates = grid.iof().rates_for(s.issue_amount);
    let iof = grid
        .iof_rounding()
        .iof(s.installment_taxes(), s.issue_amount, rates)?;
    Ok((s, iof))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rate::{InterestBase, MonthlyRate, RateInput};

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("date")
    }

    fn grid_of(n: u32, system: Amortization) -> Grid {
        let rate = InterestRate::new(
            RateInput::Monthly(MonthlyRate::new(Decimal::new(205, 4)).expect("rate")),
            InterestBase::CalendarDays,
        )
        .expect("rate");
        let periods = schedule::periods(date(2023, 3, 14), date(2023, 4, 7), n).expect("periods");
        Grid::for_system(&rate, periods, system).expect("grid")
    }

    fn grid(n: u32) -> Grid {
        grid_of(n, Amortization::PriceDays)
    }

    fn grid_at(monthly: Decimal, first_due: NaiveDate, n: u32, system: Amortization) -> Grid {
        let rate = InterestRate::new(
            RateInput::Monthly(MonthlyRate::new(monthly).expect("rate")),
            InterestBase::CalendarDays,
        )
        .expect("rate");
        let periods = schedule::periods(date(2023, 3, 14), first_due, n).expect("periods");
        Grid::for_system(&rate, periods, system).expect("grid")
    }

    fn fee(amount_type: crate::fees::AmountType, amount: Decimal) -> crate::fees::FeeRule {
        crate::fees::FeeRule::new("fees[0]", "tac", amount_type, amount, Decimal::ZERO)
            .expect("fee")
    }

    /// The net of an issue amount priced in full (schedule, IOF, fees), apart from the
    /// gross-up's trial memo.
    fn net_of(g: &Grid, pricing: &Pricing, issue: Decimal) -> Decimal {
        let (_, iof) = priced(g, schedule::from_issue(g, issue).expect("schedule")).expect("iof");
        issue - pricing.contract_total(issue).expect("fees") - iof.total
    }

    /// The loans of the scan: 1 to 24 installments, the three systems, 0.5 % to 9 % a month,
    /// a first due date within or beyond the IOF's 365 days, no fees, a percentage fee, and an
    /// absolute plus a percentage fee.
    fn scan_loans() -> Vec<(String, Grid, Pricing)> {
        use crate::fees::AmountType::{Absolute, Percentage};
        let pricings = [
            Pricing::default(),
            Pricing {
                contract_fees: vec![fee(Percentage, Decimal::new(235, 2))],
                ..Pricing::default()
            },
            Pricing {
                contract_fees: vec![
                    fee(Absolute, Decimal::new(1_050, 2)),
                    fee(Percentage, Decimal::new(7, 1)),
                ],
                ..Pricing::default()
            },
        ];
        let mut loans = Vec::new();
        for system in [
            Amortization::PriceDays,
            Amortization::Price,
            Amortization::Sac,
        ] {
            for (n, monthly, first_due) in [
                (1, Decimal::new(5, 3), date(2023, 4, 7)),
                (1, Decimal::new(9, 2), date(2024, 5, 2)),
                (2, Decimal::new(205, 4), date(2023, 4, 7)),
                (5, Decimal::new(35, 3), date(2023, 6, 1)),
                (12, Decimal::new(205, 4), date(2023, 4, 7)),
                (24, Decimal::new(9, 2), date(2023, 4, 14)),
            ] {
                for (k, pricing) in pricings.iter().enumerate() {
                    let name = format!("{} n={n} m={monthly} fees#{k}", system.as_str());
                    loans.push((
                        name,
                        grid_at(monthly, first_due, n, system),
                        pricing.clone(),
                    ));
                }
            }
        }
        loans
    }

    /// Targets from `floor` cents to ten million, spread over the magnitudes (a fixed LCG).
    fn scan_targets(count: usize, floor: u64) -> Vec<Decimal> {
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        (0..count)
            .map(|i| {
                x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                let magnitude = 10_u64.pow(1 + (i as u32 % 9));
                Decimal::new((floor + (x >> 11) % magnitude) as i64, 2)
            })
            .collect()
    }

    /// The gross-up's answer is the documented one (*Schedules* in the conventions): the
    /// smallest cent whose net is exactly the target, else the smallest whose net exceeds it,
    /// found here by pricing every cent within 40 of the answer in full; the schedule returned
    /// is that cent's. Also: the search prices few trials (at most 9, every loan here) and its
    /// up and down phases take few steps.
    #[test]
    fn the_gross_up_is_the_smallest_cent_a_scan_finds() {
        const WIDTH: i64 = 40;
        let mut most_walks = 0;
        let (mut inexact, mut up, mut down, mut below_first) = (0, 0, 0, 0);
        for (name, g, pricing) in scan_loans() {
            // A cent with one installment; with several, enough for each to be a cent or more.
            let n = g.periods().len() as u64;
            let floor = if n == 1 { 1 } else { 100 * n };
            for target in scan_targets(60, floor) {
                let ((s, iof), search) =
                    gross_up_search(&g, target, &pricing, GROSS_UP_MAX_STEPS, None)
                        .unwrap_or_else(|e| panic!("{name} {target}: {e}"));
                let answer = s.issue_amount;
                let cents: Vec<Decimal> = (-WIDTH..=WIDTH)
                    .map(|k| answer + Decimal::new(k, 2))
                    .filter(|c| *c >= Decimal::new(1, 2))
                    .collect();
                let nets: Vec<Decimal> = cents.iter().map(|c| net_of(&g, &pricing, *c)).collect();
                if cents[0] > Decimal::new(1, 2) {
                    assert!(nets[0] < target, "{name} {target}: scan too narrow");
                }
                let expected = cents
                    .iter()
                    .zip(&nets)
                    .find(|(_, n)| **n == target)
                    .or_else(|| cents.iter().zip(&nets).find(|(_, n)| **n > target))
                    .map(|(c, _)| *c);
                assert_eq!(Some(answer), expected, "{name} {target}: {search:?}");
                assert_eq!(
                    iof,
                    priced(&g, schedule::from_issue(&g, answer).expect("schedule"))
                        .expect("iof")
                        .1,
                    "{name} {target}"
                );
                if net_of(&g, &pricing, answer) != target {
                    inexact += 1;
                }
                if cents
                    .iter()
                    .zip(&nets)
                    .any(|(c, n)| *c > answer && *n < target)
                {
                    below_first += 1;
                }
                assert_reaches_first(&g, &pricing, target, search.first_reaching, &name);
                if g.periods().len() == 1 && pricing.contract_fee_parts().expect("fees").1.is_zero()
                {
                    // No trial for the share (it is known) and no window: the start, the
                    // steps, and one cent below the last.
                    assert!(
                        search.walks <= 2 + search.up_steps + search.down_steps,
                        "{name} {target}: {search:?}"
                    );
                }
                most_walks = most_walks.max(search.walks);
                up += search.up_steps;
                down += search.down_steps;
                assert!(search.walks <= 9, "{name} {target}: {search:?}");
                assert!(search.up_steps <= 2, "{name} {target}: {search:?}");
                assert!(search.down_steps <= 2, "{name} {target}: {search:?}");
            }
        }
        eprintln!(
            "inexact {inexact}, net dips below the target above the answer {below_first}, most walks {most_walks}, up steps {up}, down steps {down}"
        );
    }

    /// The bisection's cent reaches the target and the cent below it does not (or it is 0.01).
    fn assert_reaches_first(g: &Grid, pricing: &Pricing, target: Decimal, at: Decimal, name: &str) {
        assert!(net_of(g, pricing, at) >= target, "{name} {target}: {at}");
        let below = at - Decimal::new(1, 2);
        assert!(
            below.is_zero() || net_of(g, pricing, below) < target,
            "{name} {target}: {at} is not the first cent"
        );
    }

    /// The answer does not depend on where the search starts: from a first trial at 0.01 (the
    /// target, with several installments), half,
    /// 0.9, 0.99, 1.01, 1.1 or twice the answer, the up phase, the down phase and the bisection
    /// (over gaps of many cents) reach the same cent and price the same schedule.
    #[test]
    fn the_gross_up_answer_does_not_depend_on_the_start() {
        let mut bisected = 0;
        for (name, g, pricing) in scan_loans() {
            let n = g.periods().len() as u64;
            for target in scan_targets(12, if n == 1 { 1 } else { 100 * n }) {
                let (quote, _) = gross_up_search(&g, target, &pricing, GROSS_UP_MAX_STEPS, None)
                    .unwrap_or_else(|e| panic!("{name} {target}: {e}"));
                let answer = quote.0.issue_amount;
                for factor in ["0", "0.5", "0.9", "0.99", "1.01", "1.1", "2"] {
                    let factor: Decimal = factor.parse().expect("factor");
                    // At least the target: below it, several installments may not fit.
                    let floor = if n == 1 { Decimal::new(1, 2) } else { target };
                    let start = round_cents(answer * factor).max(floor);
                    let (moved, search) =
                        gross_up_search(&g, target, &pricing, GROSS_UP_MAX_STEPS, Some(start))
                            .unwrap_or_else(|e| panic!("{name} {target} from {start}: {e}"));
                    assert_eq!(moved, quote, "{name} {target} from {start}: {search:?}");
                    // Steps by the gap and bisection: a few dozen trials at most.
                    assert!(
                        search.walks <= 64,
                        "{name} {target} from {start}: {search:?}"
                    );
                    assert_reaches_first(&g, &pricing, target, search.first_reaching, &name);
                    bisected += u32::from((start - answer).abs() > Decimal::ONE);
                }
            }
        }
        assert!(bisected > 1_000, "{bisected}");
    }

    /// Each phase's step cap counts that phase's steps and allows exactly `max_steps` of them:
    /// a search that took one up step (one down step) converges with a cap of 1 and is refused
    /// with a cap of 0.
    #[test]
    fn the_gross_up_step_caps_count_each_phase() {
        let mut seen = (false, false);
        for (name, g, pricing) in scan_loans() {
            let n = g.periods().len() as u64;
            for target in scan_targets(60, 100 * n) {
                let Ok((quote, search)) = gross_up_search(&g, target, &pricing, 2, None) else {
                    continue;
                };
                for (one, seen) in [
                    (search.up_steps == 1 && search.down_steps <= 1, &mut seen.0),
                    (search.down_steps == 1 && search.up_steps <= 1, &mut seen.1),
                ] {
                    if !one || *seen {
                        continue;
                    }
                    *seen = true;
                    let capped =
                        gross_up_search(&g, target, &pricing, 1, None).expect("a cap of 1");
                    assert_eq!(capped.0, quote, "{name} {target}");
                    let refused = gross_up_search(&g, target, &pricing, 0, None);
                    assert!(
                        matches!(&refused, Err(e) if e.to_string().contains("did not converge")),
                        "{name} {target}: {refused:?}"
                    );
                }
            }
        }
        assert_eq!(seen, (true, true), "a one-step search of each phase");
    }

    /// The disbursed amount is at least a cent: 0.01 is grossed up, 0.009 is refused (it would
    /// round to a cent).
    #[test]
    fn the_gross_up_starts_at_a_cent() {
        let g = grid(1);
        let ((s, _), _) = gross_up_search(
            &g,
            Decimal::new(1, 2),
            &Pricing::default(),
            GROSS_UP_MAX_STEPS,
            None,
        )
        .expect("a cent");
        assert_eq!(s.issue_amount, Decimal::new(1, 2));
        let refused = gross_up(&g, Decimal::new(9, 3), &Pricing::default());
        assert!(
            matches!(&refused, Err(e) if e.kind() == crate::ErrorKind::OutOfRange),
            "{refused:?}"
        );
    }

    /// A `final_disbursement_amount` of exactly 0 is a change of 0, not a shortfall.
    #[test]
    fn a_zero_final_disbursement_is_a_change() {
        assert_eq!(Change::of(Decimal::ZERO), Change::Change(Decimal::ZERO));
        assert_eq!(
            Change::of(Decimal::new(-1, 2)),
            Change::Shortfall(Decimal::new(1, 2))
        );
        assert_eq!(
            Change::of(Decimal::new(1, 2)),
            Change::Change(Decimal::new(1, 2))
        );
    }

    /// The periods of an option shifted from the requested date's are the periods computed for
    /// that date; a different first due date, or a date on or after it, gives `None`.
    #[test]
    fn shifted_periods_are_the_periods_of_the_date() {
        let (base_date, first_due) = (date(2023, 3, 14), date(2023, 4, 7));
        for n in [1, 2, 12] {
            let base = schedule::periods(base_date, first_due, n).expect("periods");
            for date in [date(2023, 3, 10), date(2023, 3, 15), date(2023, 4, 6)] {
                assert_eq!(
                    shift_periods(&base, base_date, date, first_due),
                    Some(schedule::periods(date, first_due, n).expect("periods")),
                    "{n} {date}"
                );
            }
            assert_eq!(shift_periods(&base, base_date, first_due, first_due), None);
            assert_eq!(
                shift_periods(&base, base_date, date(2023, 4, 8), first_due),
                None
            );
            assert_eq!(
                shift_periods(&base, base_date, date(2023, 3, 20), date(2023, 4, 10)),
                None
            );
        }
    }

    /// The closed form is the IOF share a priced loan has: within 10⁻⁸ of `IOF(I) / I` for a
    /// large `I` (where the cent roundings no longer matter), for short and long loans.
    #[test]
    fn the_closed_form_iof_share_is_the_priced_share() {
        for n in [2, 12, 96] {
            let g = grid(n);
            let rates = g.iof().rates_for(Decimal::from(10_000));
            let share = unit_iof_share(&g, rates).expect("pre_price_days");
            let issue = Decimal::from(100_000_000);
            let iof = schedule::from_issue_tax_sum(&g, issue).expect("taxes")
                + rates.additional(issue).expect("additional");
            let priced = iof / issue;
            assert!(
                (share - priced).abs() < Decimal::new(1, 8),
                "{n}: {share} vs {priced}"
            );
        }
    }

    /// The closed form is for `pre_price_days`; the other systems read the share off a trial.
    #[test]
    fn the_closed_form_is_only_for_price_days() {
        let g = grid_of(12, Amortization::Sac);
        assert_eq!(unit_iof_share(&g, g.iof().rates_for(Decimal::ONE)), None);
    }

    /// With the closed-form start and each cent priced once, job B (BRL 10,000 net, 12
    /// installments) prices 4 trial amounts (the first reaches the net; one cent below does not;
    /// two more cents of the ±3 window before the first exact one), not the 11 of a start read
    /// off a trial and a window priced in full.
    #[test]
    fn the_gross_up_prices_few_trials() {
        let g = grid(12);
        let ((s, iof), search) = gross_up_search(
            &g,
            Decimal::from(10_000),
            &Pricing::default(),
            GROSS_UP_MAX_STEPS,
            None,
        )
        .expect("gross-up");
        assert_eq!(s.issue_amount, Decimal::new(1_020_493, 2));
        assert_eq!(iof.total, Decimal::new(20_493, 2));
        assert_eq!(search.walks, 4, "{search:?}");
        // One installment: the documented start reaches the net and one cent below does not.
        let ((s, _), search) = gross_up_search(
            &grid(1),
            Decimal::from(10_000),
            &Pricing::default(),
            GROSS_UP_MAX_STEPS,
            None,
        )
        .expect("gross-up");
        assert_eq!(s.issue_amount, Decimal::new(1_005_801, 2)); // round2(10000 / (1 − 0.0038 − 0.000082·24))
        assert_eq!(search.walks, 2, "{search:?}");
    }
}
