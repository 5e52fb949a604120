//! The one reader of QI's request bodies: the simulation and issuance body (`/debt_simulation`,
//! `/debt`), the partner pricing configuration, and the flat portability input.
//!
//! Requests are read field by field from a `serde_json::Value`, so that every error names the JSON
//! path and the value (`financial.number_of_installments: must be between 1 and 600 (got 0)`).
//! Every documented field is applied, refused with an error naming it, or arithmetic-free (the
//! crate's request surface, [`crate::request_surface`]). Inside `financial`, `borrower`,
//! `collaterals[]` and `refinanced_credit_operations[]`, and in the pricing configuration, an
//! unknown key is an error ([`crate::ErrorKind::Invalid`]) naming it and the nearest known key,
//! unless the caller allows unknown fields
//! ([`SimulationOptions::allow_unknown_fields`](crate::SimulationOptions::allow_unknown_fields),
//! the CLI's `--allow-unknown-fields`). Issuance bodies (accounts, `additional_data`) are accepted.
//! The amount, count and date bounds are the engine's ([`LoanTerms::validate`]): a typed caller gets
//! the same errors.
//!
//! What the reader refuses besides the engine's bounds:
//!
//! * an object that repeats a key (a [`crate::ErrorKind::Conflict`] naming the key's path), and a
//!   number that underflows to zero such as `1e-400` (see `api/strict.rs`);
//! * a date not written exactly `YYYY-MM-DD` ([`parse_date`]: `2023-3-4`, `+2023-03-14` and
//!   `" 2023-03-14 "` are [`crate::ErrorKind::Invalid`]);
//! * arrays beyond their caps ([`crate::ErrorKind::OutOfRange`] on the array's path):
//!
//! | array | cap |
//! |---|---|
//! | `refinanced_credit_operations` | [`crate::simulation::MAX_REFINANCED`] (100) |
//! | `collaterals` | [`MAX_COLLATERALS`] (16) |
//! | `contract_fees`, `external_contract_fees` of a pricing file | [`MAX_FEES`] (64) each |

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::debt::BorrowerJson;
use super::number::json_decimal;
use crate::calendar;
use crate::conventions::{Conventions, ConventionsConfig, Profile};
use crate::error::{Error, Result};
use crate::fees::{AmountType, Conventions as PricingConventions, FeeClass, FeeRule, Pricing};
use crate::iof::PersonType;
use crate::portability::{self, PayrollTerms, PortabilityTerms};
use crate::rate::{AnnualRate, InterestBase, InterestRate, MonthlyRate, RateInput};
use crate::schedule::Amortization;
use crate::simulation::{Amount, FirstDue, LoanTerms, RefinancedOperation, check_amount};

/// Most `collaterals` a request may list (QI's requests carry one).
pub const MAX_COLLATERALS: usize = 16;

/// Most fees each list of a pricing configuration (`contract_fees`, `external_contract_fees`) may
/// hold.
pub const MAX_FEES: usize = 64;

/// How a body is read: the parse options every reader takes (today one: whether keys QI's
/// documentation does not list are accepted). `Default` is strict.
///
/// ```
/// use qitech_sim::api::ReadOptions;
/// assert!(!ReadOptions::default().allow_unknown_fields);
/// assert!(ReadOptions::default().allow_unknown(true).allow_unknown_fields);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ReadOptions {
    /// Accept keys QI's documentation does not list instead of refusing them (the CLI's
    /// `--allow-unknown-fields`).
    pub allow_unknown_fields: bool,
}

impl ReadOptions {
    /// These options, accepting unknown keys when `allow`.
    pub fn allow_unknown(mut self, allow: bool) -> Self {
        self.allow_unknown_fields = allow;
        self
    }
}

/// A JSON object with its path, for field-by-field reading with precise errors.
pub(super) struct Obj<'a> {
    path: String,
    map: &'a Map<String, Value>,
}

impl<'a> Obj<'a> {
    pub(super) fn root(v: &'a Value, name: &str) -> Result<Self> {
        match v {
            Value::Object(map) => Ok(Obj {
                path: String::new(),
                map,
            }),
            other => Err(Error::wrong_type(
                name,
                short(other),
                "expected a JSON object",
            )),
        }
    }

    pub(super) fn field(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    /// `read(field)` with the path of `key` built only when it fails: `read` runs first with an
    /// empty path and, if it fails, again with the real one, whose error is returned. `read` is a
    /// pure check of a value already read, so the second run fails the same way, naming the path;
    /// a read that succeeds never formats a path.
    fn lazily<T>(&self, key: &str, read: impl Fn(&str) -> Result<T>) -> Result<T> {
        read("").or_else(|_| read(&self.field(key)))
    }

    pub(super) fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    pub(super) fn object(&self, key: &str) -> Result<Option<Obj<'a>>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Object(map)) => Ok(Some(Obj {
                path: self.field(key),
                map,
            })),
            Some(other) => Err(Error::wrong_type(
                self.field(key),
                short(other),
                "expected an object",
            )),
        }
    }

    /// The objects of the array `key`, at most `cap` of them.
    pub(super) fn array(&self, key: &str, cap: usize) -> Result<Vec<Obj<'a>>> {
        match self.get(key) {
            None => Ok(vec![]),
            Some(Value::Array(items)) if items.len() > cap => Err(Error::invalid(
                self.field(key),
                format!("{} items", items.len()),
                format!("at most {cap} items"),
            )),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, v)| match v {
                    Value::Object(map) => Ok(Obj {
                        path: format!("{}[{i}]", self.field(key)),
                        map,
                    }),
                    other => Err(Error::wrong_type(
                        format!("{}[{i}]", self.field(key)),
                        short(other),
                        "expected an object",
                    )),
                })
                .collect(),
            Some(other) => Err(Error::wrong_type(
                self.field(key),
                short(other),
                "expected an array",
            )),
        }
    }

    pub(super) fn decimal(&self, key: &str) -> Result<Option<Decimal>> {
        self.get(key)
            .map(|v| self.lazily(key, |field| json_decimal(v, field)))
            .transpose()
    }

    pub(super) fn u32(&self, key: &str) -> Result<Option<u32>> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => v
                .as_u64()
                .and_then(|n| u32::try_from(n).ok())
                .or_else(|| {
                    v.as_f64()
                        .filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f <= f64::from(u32::MAX))
                        .map(|f| f as u32)
                })
                .map(Some)
                .ok_or_else(|| {
                    Error::wrong_type(
                        self.field(key),
                        short(v),
                        "expected a non-negative whole number",
                    )
                }),
        }
    }

    pub(super) fn bool(&self, key: &str) -> Result<Option<bool>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(other) => Err(Error::wrong_type(
                self.field(key),
                short(other),
                "expected true or false",
            )),
        }
    }

    pub(super) fn string(&self, key: &str) -> Result<Option<String>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(Error::wrong_type(
                self.field(key),
                short(other),
                "expected a string",
            )),
        }
    }

    /// A list of dates (`financial.due_dates`).
    fn date_list(&self, key: &str) -> Result<Option<Vec<NaiveDate>>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Array(items)) => {
                if items.len() > crate::schedule::MAX_INSTALLMENTS as usize {
                    return Err(Error::invalid(
                        self.field(key),
                        items.len(),
                        format!("at most {} due dates", crate::schedule::MAX_INSTALLMENTS),
                    ));
                }
                let mut out = Vec::with_capacity(items.len());
                for (i, v) in items.iter().enumerate() {
                    let field = format!("{}[{i}]", self.field(key));
                    let Value::String(text) = v else {
                        return Err(Error::wrong_type(field, short(v), "expected a date string"));
                    };
                    out.push(calendar::check_in_range(parse_date(text, &field)?, &field)?);
                }
                Ok(Some(out))
            }
            Some(other) => Err(Error::wrong_type(
                self.field(key),
                short(other),
                "expected an array of dates",
            )),
        }
    }

    /// Refuses `key` when present: QI documents it, the crate does not price it.
    fn refuse(&self, key: &str, reason: &str) -> Result<()> {
        match self.get(key) {
            None => Ok(()),
            Some(v) => Err(Error::unsupported(self.field(key), short(v), reason)),
        }
    }

    pub(super) fn date(&self, key: &str) -> Result<Option<NaiveDate>> {
        match self.string(key)? {
            None => Ok(None),
            Some(s) => self
                .lazily(key, |field| {
                    calendar::check_in_range(parse_date(&s, field)?, field)
                })
                .map(Some),
        }
    }

    /// `monthly_interest_rate` or `annual_interest_rate` (exactly one of them).
    pub(super) fn rate_input(&self) -> Result<RateInput> {
        match (
            self.decimal("monthly_interest_rate")?,
            self.decimal("annual_interest_rate")?,
        ) {
            (Some(m), None) => self
                .lazily("monthly_interest_rate", |field| {
                    MonthlyRate::for_field(check_fraction(m, field, MAX_MONTHLY_FRACTION)?, field)
                })
                .map(RateInput::Monthly),
            (None, Some(a)) => self
                .lazily("annual_interest_rate", |field| {
                    AnnualRate::for_field(check_fraction(a, field, MAX_ANNUAL_FRACTION)?, field)
                })
                .map(RateInput::Annual),
            (Some(m), Some(_)) => Err(Error::conflict(
                self.field("annual_interest_rate"),
                m,
                "give monthly_interest_rate or annual_interest_rate, not both",
            )),
            (None, None) => Err(Error::missing(self.field("monthly_interest_rate"))),
        }
    }

    pub(super) fn required<T>(&self, key: &str, v: Option<T>) -> Result<T> {
        v.ok_or_else(|| Error::missing(self.field(key)))
    }
}

/// Parses JSON text (duplicate keys and underflowing numbers refused: see `api/strict.rs`);
/// `source_name` names the input in a syntax error.
pub(super) fn parse_json(text: &str, source_name: &str) -> Result<Value> {
    super::strict::parse(text, source_name)
}

/// Parses a date written exactly `YYYY-MM-DD` (four, two and two ASCII digits: no sign, no
/// surrounding spaces, no single-digit month or day), naming `field` on error.
///
/// # Errors
/// [`Error::InvalidField`] ([`crate::ErrorKind::Invalid`]) for anything else than a valid calendar
/// date in that form.
pub fn parse_date(s: &str, field: &str) -> Result<NaiveDate> {
    let b = s.as_bytes();
    let shaped = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    shaped
        .then(|| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
        .flatten()
        .ok_or_else(|| Error::unknown(field, format!("{s:?}"), "expected a date YYYY-MM-DD"))
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.len() > 60 {
        format!(
            "{}…",
            &s[..s.char_indices().nth(57).map_or(s.len(), |c| c.0)]
        )
    } else {
        s
    }
}

/// The collateral types the engine prices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CollateralType {
    /// SIAPE federal payroll (`federal_payroll`).
    FederalPayroll,
    /// Airforce payroll (`airforce_payroll`).
    AirforcePayroll,
    /// INSS retirees and pensioners (`social_security`).
    SocialSecurity,
    /// Private payroll, Crédito do Trabalhador (`private_payroll`): options in one payroll month.
    PrivatePayroll,
    /// Army payroll (`military_payroll`).
    MilitaryPayroll,
    /// Private pension (`private_pension`).
    PrivatePension,
    /// FGTS anniversary withdrawal (`fgts_balance`): priced from `desired_installments`.
    FgtsBalance,
}

/// A collateral of the request: its type, and its `collateral_data` echoed as given.
#[derive(Debug, Clone, PartialEq)]
pub struct Collateral {
    /// `collateral_type`.
    pub collateral_type: CollateralType,
    /// `collateral_data`, echoed.
    pub collateral_data: Option<Value>,
}

/// QI's simulation (or issuance) request, read and validated; what the arithmetic needs is in
/// [`SimulationRequest::terms`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct SimulationRequest {
    /// The typed loan.
    pub terms: LoanTerms,
    /// `financial.issue_date` (defaults to the disbursement date).
    pub issue_date: NaiveDate,
    /// `financial.credit_operation_type`, echoed (default `ccb`).
    pub credit_operation_type: String,
    /// `financial.interest_type`: the system priced (`pre_price_days`, `pre_price`, `pre_sac`),
    /// as [`LoanTerms::amortization`] says.
    pub interest_type: String,
    /// `financial.interest_grace_period`, echoed (must be 0).
    pub interest_grace_period: u32,
    /// `financial.principal_grace_period`, echoed (must be 0).
    pub principal_grace_period: u32,
    /// `collaterals`.
    pub collaterals: Vec<Collateral>,
    /// `requester_identifier_key` (or `requester_key`), echoed as `requester_key`.
    pub requester_key: Option<String>,
    /// `borrower.individual_document_number` and `borrower.name`, echoed by the issuance response.
    pub borrower: BorrowerJson,
    /// A hash of the JSON the request was read from, in canonical form (FNV-1a), for the
    /// response's `key`; `None` for a request built from terms.
    pub(crate) text_hash: Option<u128>,
    /// The first key no known list holds, kept for [`SimulationRequest::check_fields`].
    pub(crate) unknown_field: Option<UnknownKey>,
}

impl SimulationRequest {
    /// A request for `terms` with QI's defaults for the echoed fields (what the portability chain
    /// builds for its two loans).
    pub fn from_terms(terms: LoanTerms) -> Self {
        let system = terms.amortization;
        SimulationRequest {
            issue_date: terms.disbursement_date,
            terms,
            credit_operation_type: "ccb".into(),
            interest_type: system.as_str().into(),
            interest_grace_period: 0,
            principal_grace_period: 0,
            collaterals: vec![],
            requester_key: None,
            borrower: BorrowerJson {
                document_number: None,
                name: None,
            },
            text_hash: None,
            unknown_field: None,
        }
    }

    /// Reads a request from JSON text; `source_name` names the input in errors. Unknown keys are
    /// kept, not refused, here: the pipelines ([`crate::api::simulate_request`],
    /// [`crate::api::debt_request`]) refuse them unless the options allow them
    /// ([`SimulationRequest::check_fields`]); [`SimulationRequest::from_json_with`] decides at once.
    ///
    /// # Errors
    /// [`Error::Json`] for text that is not JSON; otherwise an error naming the field and value.
    pub fn from_json(text: &str, source_name: &str) -> Result<Self> {
        let v = parse_json(text, source_name)?;
        let mut request = Self::from_value(&v)?;
        // The key hashes the parsed request in its canonical form.
        request.text_hash = super::simulation::canonical_hash(&v);
        Ok(request)
    }

    /// [`SimulationRequest::from_json`], refusing an unknown key at once unless `allow_unknown`.
    ///
    /// ```
    /// use qitech_sim::{api::SimulationRequest, ErrorKind};
    /// let text = r#"{"financial": {"installment_face_value": 100, "number_of_installments": 2,
    ///     "monthly_interest_rate": 0.0205, "disbursement_date": "2023-03-14",
    ///     "first_due_date": "2023-04-07", "limit_days_to_disbruse": 3}}"#;
    /// let err = SimulationRequest::from_json_with(text, "request", false).unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::Invalid);
    /// assert!(err.to_string().contains("did you mean `limit_days_to_disburse`?"));
    /// assert!(SimulationRequest::from_json_with(text, "request", true).is_ok());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// As [`SimulationRequest::from_json`], and [`crate::ErrorKind::Invalid`] for an unknown key.
    pub fn from_json_with(text: &str, source_name: &str, allow_unknown: bool) -> Result<Self> {
        let request = Self::from_json(text, source_name)?;
        request.check_fields(allow_unknown)?;
        Ok(request)
    }

    /// The error for the first unknown key of the request, unless `allow_unknown`.
    ///
    /// # Errors
    /// [`crate::ErrorKind::Invalid`], naming the key and the nearest known one.
    pub fn check_fields(&self, allow_unknown: bool) -> Result<()> {
        match &self.unknown_field {
            Some(u) if !allow_unknown => Err(u.error()),
            _ => Ok(()),
        }
    }

    /// Reads a request from a parsed JSON value (unknown keys kept for
    /// [`SimulationRequest::check_fields`]).
    ///
    /// # Errors
    /// An error naming the field and value.
    pub fn from_value(v: &Value) -> Result<Self> {
        let unknown = first_unknown_key(v);
        match Self::read(v) {
            Ok(mut request) => {
                request.unknown_field = unknown;
                Ok(request)
            }
            // A required field reported missing because it was misspelt: the spelling is the error.
            Err(Error::MissingField { field })
                if unknown.as_ref().is_some_and(|u| u.explains(&field)) =>
            {
                Err(unknown.map_or_else(|| Error::missing(field), |u| u.misspelt()))
            }
            Err(e) => Err(e),
        }
    }

    fn read(v: &Value) -> Result<Self> {
        let root = Obj::root(v, "request")?;
        if root.get("operation_batch").is_some() || root.get("complex_operation").is_some() {
            let key = if root.get("operation_batch").is_some() {
                "operation_batch"
            } else {
                "complex_operation"
            };
            root.refuse(
                key,
                "several simulations in one body are not read: send one request per line to `qitech-sim batch`",
            )?;
        }
        root.refuse(
            "target_disbursed_amount",
            "the FGTS target search (/baas/fgts_simulation_guess) is not implemented",
        )?;
        let fin = root.required("financial", root.object("financial")?)?;
        read_refusals(&fin)?;
        let mut borrower = BorrowerJson {
            document_number: None,
            name: None,
        };
        let mut person_type = None;
        let mut simples_nacional = false;
        if let Some(b) = root.object("borrower")? {
            borrower.document_number = b.string("individual_document_number")?;
            borrower.name = b.string("name")?;
            if let Some(pt) = b.string("person_type")? {
                person_type = Some(parse_person_type(&pt, &b.field("person_type"))?);
            }
            simples_nacional = b.bool("simples_nacional")?.unwrap_or(false);
        }
        // The v2 body's name of the same fact.
        if let Some(pt) = root.string("issuer_person_type")? {
            let v2 = parse_person_type(&pt, "issuer_person_type")?;
            if person_type.is_some_and(|p| p != v2) {
                return Err(Error::conflict(
                    "issuer_person_type",
                    format!("{pt:?}"),
                    "borrower.person_type and issuer_person_type disagree",
                ));
            }
            person_type = Some(v2);
        }
        let interest_type = fin
            .string("interest_type")?
            .unwrap_or_else(|| "pre_price_days".into());
        let Some(amortization) = Amortization::from_interest_type(&interest_type) else {
            return Err(Error::unsupported(
                fin.field("interest_type"),
                format!("{interest_type:?}"),
                "only pre_price_days, pre_price and pre_sac are supported",
            ));
        };
        let interest_grace_period = fin.u32("interest_grace_period")?.unwrap_or(0);
        let principal_grace_period = fin.u32("principal_grace_period")?.unwrap_or(0);
        for (k, v) in [
            ("interest_grace_period", interest_grace_period),
            ("principal_grace_period", principal_grace_period),
        ] {
            if v != 0 {
                return Err(Error::unsupported(
                    fin.field(k),
                    v,
                    "grace periods are not supported",
                ));
            }
        }
        let explicit_interest_base = fin.get("interest_base").is_some();
        let base = match fin.string("interest_base")? {
            Some(b) => parse_base(&b, &fin.field("interest_base"))?,
            None => match fin.object("fine_configuration")? {
                Some(fc) => match fc.string("interest_base")? {
                    Some(b) => parse_base(&b, &fc.field("interest_base"))?,
                    None => InterestBase::CalendarDays,
                },
                None => InterestBase::CalendarDays,
            },
        };
        let input = fin.rate_input()?;
        let rate = InterestRate::new(input, base)?;
        let month_period = read_month_period(&fin)?;
        let move_due_dates = match (
            fin.bool("force_installments_on_workdays")?,
            root.bool("force_installments_on_workdays")?,
        ) {
            (Some(a), _) => a,
            (None, Some(b)) => b,
            (None, None) => false,
        };
        let desired = read_desired(&fin)?;
        let explicit_dates = match (&desired, fin.date_list("due_dates")?) {
            (Some(d), _) => Some(d.iter().map(|i| i.1).collect::<Vec<_>>()),
            (None, Some(dates)) => {
                for key in ["first_due_date", "first_due_date_delay"] {
                    if let Some(v) = fin.get(key) {
                        return Err(Error::conflict(
                            fin.field(key),
                            short(v),
                            "give due_dates or first_due_date/first_due_date_delay, not both",
                        ));
                    }
                }
                if dates.is_empty() {
                    return Err(Error::invalid(
                        fin.field("due_dates"),
                        "[]",
                        "must list at least one date",
                    ));
                }
                Some(dates)
            }
            (None, None) => None,
        };
        let explicit_first = explicit_dates.as_ref().and_then(|d| d.first().copied());
        if let (Some(_), Some(delay)) = (fin.get("first_due_date"), fin.get("first_due_date_delay"))
        {
            return Err(Error::conflict(
                fin.field("first_due_date_delay"),
                short(delay),
                "give first_due_date or first_due_date_delay, not both",
            ));
        }
        let amount = match (
            fin.decimal("installment_face_value")?,
            fin.decimal("disbursed_amount")?,
            fin.decimal("amount")?,
        ) {
            (Some(f), None, None) => Amount::InstallmentFaceValue(f),
            (None, Some(d), None) => Amount::Disbursed(d),
            (None, None, Some(i)) => Amount::Issue(i),
            (Some(f), Some(_), None) => {
                return Err(Error::conflict(
                    fin.field("disbursed_amount"),
                    f,
                    "give installment_face_value or disbursed_amount, not both",
                ));
            }
            (_, _, Some(i)) => {
                return Err(Error::conflict(
                    fin.field("amount"),
                    i,
                    "give one of installment_face_value, disbursed_amount and amount",
                ));
            }
            (None, None, None) if desired.is_some() => Amount::InstallmentFaceValue(Decimal::ONE),
            (None, None, None) => return Err(Error::missing(fin.field("installment_face_value"))),
        };
        let (disbursement_date, window_days) = read_disbursement_window(&fin)?;
        let first_due = match (
            fin.date("first_due_date")?,
            fin.u32("first_due_date_delay")?,
        ) {
            (Some(d), _) => FirstDue::Date(d),
            (None, Some(n)) => FirstDue::Delay(n),
            (None, None) if explicit_first.is_some() => {
                FirstDue::Date(explicit_first.unwrap_or(disbursement_date))
            }
            (None, None) => FirstDue::OneMonth,
        };
        let number_of_installments = match (fin.u32("number_of_installments")?, &explicit_dates) {
            (Some(n), Some(dates)) if n as usize != dates.len() => {
                let key = if desired.is_some() {
                    "desired_installments"
                } else {
                    "due_dates"
                };
                return Err(Error::conflict(
                    fin.field("number_of_installments"),
                    n,
                    format!("{key} lists {} installments", dates.len()),
                ));
            }
            (Some(n), _) => n,
            (None, Some(dates)) => u32::try_from(dates.len()).unwrap_or(u32::MAX),
            (None, None) => {
                return Err(Error::missing(fin.field("number_of_installments")));
            }
        };
        let limit_days_to_disburse = match window_days {
            Some(days) => days,
            None => fin.u32("limit_days_to_disburse")?.unwrap_or(0),
        };
        let mut refinanced = vec![];
        for r in root.array(
            "refinanced_credit_operations",
            crate::simulation::MAX_REFINANCED,
        )? {
            refinanced.push(read_refinanced(&r)?);
        }
        let mut collaterals = vec![];
        for c in root.array("collaterals", MAX_COLLATERALS)? {
            let t = c.required("collateral_type", c.string("collateral_type")?)?;
            let collateral_type = parse_collateral_type(&t, &c.field("collateral_type"))?;
            if let Some(data) = c.object("collateral_data")? {
                validate_collateral_data(&data)?;
            }
            collaterals.push(Collateral {
                collateral_type,
                collateral_data: c.get("collateral_data").cloned(),
            });
        }
        check_products(
            &collaterals,
            &fin,
            desired.is_some(),
            disbursement_date,
            limit_days_to_disburse,
            window_days.is_some(),
        )?;
        let rebates = read_rebates(&fin, "rebates", false)?;
        let credit_operation_type = read_credit_operation_type(&fin)?;
        let requester_key = match root.string("requester_identifier_key")? {
            Some(k) => Some(k),
            None => root.string("requester_key")?,
        };
        let mut terms = LoanTerms::with_amount(
            amount,
            number_of_installments,
            rate,
            disbursement_date,
            first_due,
        )?
        .limit_days_to_disburse(limit_days_to_disburse)
        .amortization(amortization)
        .borrower(person_type.unwrap_or_default())
        .simples_nacional(simples_nacional)
        .month_period(month_period)
        .move_due_dates(move_due_dates)
        .rebates(rebates)
        .explicit_interest_base(explicit_interest_base);
        terms.refinanced = refinanced;
        if let Some(d) = &desired {
            terms = terms.desired_installments(d);
        } else if let Some(dates) = explicit_dates {
            terms = terms.due_dates(dates);
        }
        terms.validate()?;
        Ok(SimulationRequest {
            terms,
            issue_date: fin.date("issue_date")?.unwrap_or(disbursement_date),
            credit_operation_type,
            interest_type: amortization.as_str().to_string(),
            interest_grace_period,
            principal_grace_period,
            collaterals,
            requester_key,
            borrower,
            text_hash: None,
            unknown_field: None,
        })
    }
}

pub(super) fn parse_person_type(s: &str, field: &str) -> Result<PersonType> {
    match s {
        "natural" => Ok(PersonType::Natural),
        "legal" => Ok(PersonType::Legal),
        _ => Err(Error::unknown(
            field,
            format!("{s:?}"),
            "unknown person type (natural, legal)",
        )),
    }
}

/// The largest monthly rate read as a fraction: 1 is 100 % a month. A larger value is almost
/// certainly a percent typed where QI expects a fraction (`2.05` for 0.0205).
const MAX_MONTHLY_FRACTION: Decimal = Decimal::ONE;

/// The largest annual rate read as a fraction: 100 is 10,000 % a year.
const MAX_ANNUAL_FRACTION: Decimal = Decimal::ONE_HUNDRED;

/// `rate` when below `limit`, else an [`crate::ErrorKind::OutOfRange`] error that says why.
fn check_fraction(rate: Decimal, field: &str, limit: Decimal) -> Result<Decimal> {
    if rate >= limit {
        return Err(Error::invalid(
            field,
            rate,
            format!(
                "must be below {limit}: rates are fractions (0.0205 is 2.05 %), and this is \
                 probably a percent typed as a fraction"
            ),
        ));
    }
    Ok(rate)
}

/// Fields QI documents whose arithmetic the crate does not implement, refused when present (the
/// crate's request surface).
fn read_refusals(fin: &Obj<'_>) -> Result<()> {
    fin.refuse(
        "rebate",
        "the scalar rebate has no documented arithmetic: give rebates[] with a fee_type",
    )?;
    for key in ["interest_subsidy_amount", "interest_subsidy_percentage"] {
        fin.refuse(key, "interest subsidies have no documented arithmetic")?;
    }
    fin.refuse(
        "installments",
        "the v2 custom schedule is not read in a /debt_simulation body: give desired_installments",
    )?;
    fin.refuse(
        "cdi_percentage",
        "post-fixed (CDI) interest is not implemented",
    )?;
    fin.refuse(
        "disbursement_amount",
        "disbursement_amount has no documented arithmetic",
    )?;
    Ok(())
}

/// `principal_amortization_month_period` and `interest_payment_month_period` (default 1): both
/// must be the same k.
fn read_month_period(fin: &Obj<'_>) -> Result<u32> {
    let principal = fin.u32("principal_amortization_month_period")?;
    let interest = fin.u32("interest_payment_month_period")?;
    match (principal, interest) {
        (Some(p), Some(i)) if p != i => Err(Error::unsupported(
            fin.field("interest_payment_month_period"),
            i,
            format!(
                "interest paid every {i} months and principal every {p}: no documented rule; give \
                 the same period for both"
            ),
        )),
        (Some(k), _) | (None, Some(k)) => Ok(k),
        (None, None) => Ok(1),
    }
}

/// `desired_installments[{total_amount, due_date}]`, refused next to another amount or date field.
fn read_desired(fin: &Obj<'_>) -> Result<Option<Vec<(Decimal, NaiveDate)>>> {
    if fin.get("desired_installments").is_none() {
        return Ok(None);
    }
    for key in [
        "installment_face_value",
        "disbursed_amount",
        "amount",
        "due_dates",
        "first_due_date",
        "first_due_date_delay",
    ] {
        if let Some(v) = fin.get(key) {
            return Err(Error::conflict(
                fin.field("desired_installments"),
                short(v),
                format!(
                    "desired_installments gives every installment's amount and date: give no {key}"
                ),
            ));
        }
    }
    let items = fin.array(
        "desired_installments",
        crate::schedule::MAX_INSTALLMENTS as usize + 1,
    )?;
    if items.is_empty() {
        return Err(Error::invalid(
            fin.field("desired_installments"),
            "[]",
            "must list at least one installment",
        ));
    }
    if items.len() > crate::schedule::MAX_INSTALLMENTS as usize {
        return Err(Error::invalid(
            fin.field("desired_installments"),
            items.len(),
            format!("at most {} installments", crate::schedule::MAX_INSTALLMENTS),
        ));
    }
    let mut out = Vec::with_capacity(items.len());
    for i in &items {
        let total = i.required("total_amount", i.decimal("total_amount")?)?;
        check_amount(total, Decimal::new(1, 2), &i.field("total_amount"))?;
        let due = i.required("due_date", i.date("due_date")?)?;
        out.push((total, due));
    }
    Ok(Some(out))
}

/// `disbursement_date` (with `limit_days_to_disburse` read later), or the window
/// `disbursement_start_date`..`disbursement_end_date`: `(first option, Some(days to the last))`.
fn read_disbursement_window(fin: &Obj<'_>) -> Result<(NaiveDate, Option<u32>)> {
    let start = fin.date("disbursement_start_date")?;
    let end = fin.date("disbursement_end_date")?;
    if start.is_none() && end.is_none() {
        let d = fin.required("disbursement_date", fin.date("disbursement_date")?)?;
        return Ok((d, None));
    }
    for key in ["disbursement_date", "limit_days_to_disburse"] {
        if let Some(v) = fin.get(key) {
            return Err(Error::conflict(
                fin.field(key),
                short(v),
                "give disbursement_start_date/disbursement_end_date or \
                 disbursement_date/limit_days_to_disburse, not both",
            ));
        }
    }
    let start = fin.required("disbursement_start_date", start)?;
    let end = fin.required("disbursement_end_date", end)?;
    let days = (end - start).num_days();
    if days < 0 {
        return Err(Error::invalid(
            fin.field("disbursement_end_date"),
            end,
            format!("must not be before disbursement_start_date {start}"),
        ));
    }
    let max = crate::simulation::MAX_LIMIT_DAYS;
    let days = u32::try_from(days).unwrap_or(u32::MAX);
    if days > max {
        return Err(Error::invalid(
            fin.field("disbursement_end_date"),
            end,
            format!("the window may span at most {max} days after {start}"),
        ));
    }
    Ok((start, Some(days)))
}

/// One of `refinanced_credit_operations`.
fn read_refinanced(r: &Obj<'_>) -> Result<RefinancedOperation> {
    let operation_key = r.string("operation_key")?;
    let due_balance = match (r.decimal("due_balance")?, &operation_key) {
        (Some(b), _) => b,
        (None, Some(key)) => {
            return Err(Error::unsupported(
                r.field("due_balance"),
                format!("operation_key {key:?}"),
                "QI computes the payoff of an operation_key from its own ledger: give the \
                 due_balance to refinance",
            ));
        }
        (None, None) => return Err(Error::missing(r.field("due_balance"))),
    };
    let mut op = RefinancedOperation::new(check_amount(
        due_balance,
        Decimal::ZERO,
        &r.field("due_balance"),
    )?)?;
    op.original_deadline = r.u32("original_deadline")?;
    op.operation_key = operation_key;
    match (
        r.decimal("monthly_interest_rate")?,
        r.date("disbursement_date")?,
    ) {
        (Some(m), Some(since)) => {
            let field = r.field("monthly_interest_rate");
            let rate = InterestRate::new(
                RateInput::Monthly(MonthlyRate::for_field(
                    check_fraction(m, &field, MAX_MONTHLY_FRACTION)?,
                    &field,
                )?),
                InterestBase::CalendarDays,
            )?;
            op = op.accrues(rate, since);
        }
        (Some(_), None) => return Err(Error::missing(r.field("disbursement_date"))),
        (None, Some(_)) => return Err(Error::missing(r.field("monthly_interest_rate"))),
        (None, None) => {}
    }
    Ok(op)
}

/// The product rules a quote can check offline, by collateral type (the crate's request surface,
/// *Collaterals*):
/// * `private_payroll` (Crédito do Trabalhador): every disbursement option in one payroll month
///   (QI's private-payroll manuals: "opções de desembolso limitadas à uma mesma competência");
/// * `fgts_balance`: priced from `desired_installments` only;
/// * `vehicle`: refused until its registration fees are modelled.
fn check_products(
    collaterals: &[Collateral],
    fin: &Obj<'_>,
    has_desired: bool,
    disbursement_date: NaiveDate,
    limit_days: u32,
    window: bool,
) -> Result<()> {
    for (i, c) in collaterals.iter().enumerate() {
        match c.collateral_type {
            CollateralType::PrivatePayroll => {
                let last = disbursement_date
                    .checked_add_days(chrono::Days::new(u64::from(limit_days)))
                    .unwrap_or(disbursement_date);
                if (last.year(), last.month())
                    != (disbursement_date.year(), disbursement_date.month())
                {
                    let key = if window {
                        "disbursement_end_date"
                    } else {
                        "limit_days_to_disburse"
                    };
                    return Err(Error::invalid(
                        fin.field(key),
                        last,
                        format!(
                            "private_payroll disbursement options must stay in one payroll month \
                             ({}-{:02}); the last option falls in the next",
                            disbursement_date.year(),
                            disbursement_date.month()
                        ),
                    ));
                }
            }
            CollateralType::FgtsBalance if !has_desired => {
                return Err(Error::unsupported(
                    format!("collaterals[{i}].collateral_type"),
                    "\"fgts_balance\"",
                    "FGTS anticipation is priced from financial.desired_installments (one per \
                     annual withdrawal); give them",
                ));
            }
            _ => {}
        }
    }
    Ok(())
}

/// `financial.credit_operation_type`: `ccb` (default). The other contract types QI lists may be
/// IOF zero-rated (export notes) or exempt, and QI does not document whether it applies that, so
/// they are refused rather than priced as a `ccb`.
pub(super) fn read_credit_operation_type(fin: &Obj<'_>) -> Result<String> {
    let Some(t) = fin.string("credit_operation_type")? else {
        return Ok("ccb".into());
    };
    match t.as_str() {
        "ccb" => Ok(t),
        "cce" | "nce" | "cci" => Err(Error::unsupported(
            fin.field("credit_operation_type"),
            format!("{t:?}"),
            "only ccb is priced: whether QI zero-rates or exempts the IOF of export and housing \
             notes is not documented",
        )),
        _ => Err(Error::unknown(
            fin.field("credit_operation_type"),
            format!("{t:?}"),
            format!(
                "unknown credit operation type (ccb, cce, cci, nce){}",
                suggestion(&t, &["ccb", "cce", "cci", "nce"])
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default()
            ),
        )),
    }
}

/// Request-side (or pricing-file) fees in QI's vocabulary, `rebates[{fee_type, amount_type,
/// amount}]`, as a [`Pricing`]: `tac` is a contract fee (deducted from the disbursement, added to
/// `assignment_amount`), `spread` the partner's external fee (taxed at `tax_rate`, pricing file
/// only; 0 in a request). Every other documented `fee_type` is refused: `ted_fee`,
/// `spread_ted_fee` and `insurance_premium` have no documented effect on the amounts, and
/// `insurance_premium_qi` is priced by QI from its own table.
fn read_rebates(obj: &Obj<'_>, key: &str, taxed: bool) -> Result<Pricing> {
    let mut out = Pricing::default();
    for f in obj.array(key, MAX_FEES)? {
        let fee_type = f.required("fee_type", f.string("fee_type")?)?;
        match fee_type.as_str() {
            "tac" | "spread" => {}
            "insurance_premium_qi" => {
                return Err(Error::unsupported(
                    f.field("fee_type"),
                    format!("{fee_type:?}"),
                    "QI prices the insurance premium from its own table and the issue amount",
                ));
            }
            "ted_fee" | "spread_ted_fee" | "insurance_premium" => {
                return Err(Error::unsupported(
                    f.field("fee_type"),
                    format!("{fee_type:?}"),
                    "its effect on the disbursed amount, the assignment amount and the CET is \
                     not documented",
                ));
            }
            _ => {
                return Err(Error::unknown(
                    f.field("fee_type"),
                    format!("{fee_type:?}"),
                    format!(
                        "unknown rebate fee_type (tac, spread; refused: ted_fee, spread_ted_fee, \
                         insurance_premium, insurance_premium_qi){}",
                        suggestion(&fee_type, REBATE_FEE_TYPES)
                            .map(|s| format!("; did you mean `{s}`?"))
                            .unwrap_or_default()
                    ),
                ));
            }
        }
        let rule = read_fee(&f, fee_type.clone(), taxed && fee_type == "spread")?;
        if fee_type == "tac" {
            out.contract_fees.push(rule);
        } else {
            out.external_contract_fees.push(rule);
        }
    }
    Ok(out)
}

/// The `fee_type` values of `rebates` QI documents.
const REBATE_FEE_TYPES: &[&str] = &[
    "tac",
    "spread",
    "ted_fee",
    "spread_ted_fee",
    "insurance_premium",
    "insurance_premium_qi",
];

/// A fee's required `amount_type`: `percentage` or `absolute` (the pricing file's and v2's fees).
pub(super) fn read_amount_type(f: &Obj<'_>) -> Result<AmountType> {
    let at = f.required("amount_type", f.string("amount_type")?)?;
    match at.as_str() {
        "percentage" => Ok(AmountType::Percentage),
        "absolute" => Ok(AmountType::Absolute),
        _ => Err(Error::unknown(
            f.field("amount_type"),
            format!("{at:?}"),
            "expected percentage or absolute",
        )),
    }
}

/// One fee entry: `amount_type`, `amount`, and `tax_rate` when `taxed`; `type: internal` makes a
/// contract fee [`FeeClass::AssignmentOnly`].
fn read_fee(f: &Obj<'_>, fee_type: String, taxed: bool) -> Result<FeeRule> {
    let amount_type = read_amount_type(f)?;
    let amount = f.required("amount", f.decimal("amount")?)?;
    check_amount(amount, Decimal::ZERO, &f.field("amount"))?;
    let tax_rate = if taxed {
        f.decimal("tax_rate")?.unwrap_or_default()
    } else {
        Decimal::ZERO
    };
    let rule = FeeRule::new(&f.path, fee_type, amount_type, amount, tax_rate)?;
    // The fee's class, in QI's v2 vocabulary (`"type": "internal"`) or the crate's (`"class":
    // "assignment_only"`); external fees have none.
    let by_type = match f.string("type")?.as_deref() {
        None | Some("contract") => None,
        Some("internal") => Some(FeeClass::AssignmentOnly),
        Some(other) => {
            return Err(Error::unknown(
                f.field("type"),
                format!("{other:?}"),
                "expected internal (added to assignment_amount only) or contract",
            ));
        }
    };
    let by_class = match f.string("class")?.as_deref() {
        None => None,
        Some("deducted") => Some(FeeClass::Deducted),
        Some("assignment_only") => Some(FeeClass::AssignmentOnly),
        Some(other) => {
            return Err(Error::unknown(
                f.field("class"),
                format!("{other:?}"),
                "expected deducted or assignment_only",
            ));
        }
    };
    let class = match (by_type, by_class) {
        (Some(a), Some(b)) if a != b => {
            return Err(Error::conflict(
                f.field("class"),
                b.as_str(),
                "type and class disagree",
            ));
        }
        (Some(c), _) | (None, Some(c)) => c,
        (None, None) => FeeClass::Deducted,
    };
    if taxed && class != FeeClass::Deducted {
        return Err(Error::unknown(
            f.field("class"),
            class.as_str(),
            "external fees have no class (deducted only)",
        ));
    }
    Ok(rule.class(class))
}

// ---------------------------------------------------------------------------------------------
// Known keys

/// Keys of `financial` (every documented one, applied, refused or arithmetic-free: the crate's
/// request surface).
const FINANCIAL_KEYS: &[&str] = &[
    "amount",
    "annual_interest_rate",
    "cdi_percentage",
    "credit_operation_type",
    "desired_installments",
    "disbursed_amount",
    "disbursement_amount",
    "disbursement_date",
    "disbursement_end_date",
    "disbursement_start_date",
    "due_dates",
    "fine_configuration",
    "first_due_date",
    "first_due_date_delay",
    "force_installments_on_workdays",
    "installment_face_value",
    "installments",
    "interest_base",
    "interest_grace_period",
    "interest_payment_month_period",
    "interest_subsidy_amount",
    "interest_subsidy_percentage",
    "interest_type",
    "issue_date",
    "limit_days_to_disburse",
    "monthly_interest_rate",
    "number_of_installments",
    "principal_amortization_month_period",
    "principal_grace_period",
    "rebate",
    "rebates",
];

/// Keys of `financial.fine_configuration` (late charges: arithmetic-free for a quote, except the
/// base).
const FINE_KEYS: &[&str] = &["contract_fine_rate", "interest_base", "monthly_rate"];

/// Keys of one `rebates[]` entry.
const REBATE_KEYS: &[&str] = &[
    "amount",
    "amount_type",
    "description",
    "fee_type",
    "rebate_bank_account",
];

/// Keys of one `desired_installments[]` entry.
const DESIRED_KEYS: &[&str] = &["due_date", "total_amount"];

/// Keys of `borrower` (identity and contact: arithmetic-free but `person_type`).
const BORROWER_KEYS: &[&str] = &[
    "address",
    "attached_documents_list",
    "birth_date",
    "company_document_number",
    "document_identification",
    "document_identification_number",
    "email",
    "foundation_date",
    "gender",
    "individual_document_number",
    "is_pep",
    "legal_name",
    "marital_status",
    "mother_name",
    "name",
    "nationality",
    "person_type",
    "phone",
    "related_party_key",
    "role_type",
    "simples_nacional",
    "trading_name",
];

/// Keys of one `collaterals[]` entry.
const COLLATERAL_KEYS: &[&str] = &[
    "absolute_amount",
    "collateral_data",
    "collateral_type",
    "percentage",
];

/// Keys of one `refinanced_credit_operations[]` entry.
const REFINANCED_KEYS: &[&str] = &[
    "disbursement_date",
    "due_balance",
    "monthly_interest_rate",
    "operation_key",
    "original_contract_number",
    "original_deadline",
    "original_financial_institution_document_number",
];

/// Top-level keys of the pricing configuration.
const PRICING_KEYS: &[&str] = &[
    "contract_fees",
    "conventions",
    "external_contract_fees",
    "rebates",
];

/// Top-level keys of the whole partner configuration ([`config_from_json`]).
const PARTNER_KEYS: &[&str] = &[
    "contract_fees",
    "conventions",
    "external_contract_fees",
    "profile",
    "rebates",
];

/// Keys of a fee of the pricing configuration.
const PRICING_FEE_KEYS: &[&str] = &[
    "amount",
    "amount_type",
    "class",
    "description",
    "fee_type",
    "rebate_bank_account",
    "tax_rate",
    "type",
];

/// Keys of the flat portability input.
const PORTABILITY_KEYS: &[&str] = &[
    "annual_interest_rate",
    "bridge_annual_interest_rate",
    "bridge_disbursement_date",
    "bridge_first_due_date_delay",
    "collateral_type",
    "first_due_date",
    "installment_face_value",
    "interest_base",
    "limit_days_to_disburse",
    "monthly_interest_rate",
    "number_of_installments",
    "outstanding_balance",
];

/// Root keys of the v2 body (`/v2/credit_operation/simulation`).
const V2_BODY_KEYS: &[&str] = &[
    "annual_interest_rate",
    "credit_operation_type",
    "disbursed_issue_amount",
    "disbursement_date",
    "fees",
    "first_due_date",
    "force_installments_on_workdays",
    "installment_face_value",
    "installments",
    "interest_base",
    "interest_grace_period",
    "interest_type",
    "issuer_person_type",
    "monthly_interest_rate",
    "number_of_installments",
    "principal_amortization_month_period",
    "principal_grace_period",
];

/// Keys of a v2 `fees[]` item.
const V2_FEE_KEYS: &[&str] = &["amount", "amount_type", "fee_type", "type"];

/// The first unknown key of a v2 body: at its root, then in `fees[]`.
pub(super) fn first_unknown_v2_key(v: &Value) -> Option<UnknownKey> {
    let root = v.as_object()?;
    if let Some(u) = unknown_in(root, "", V2_BODY_KEYS) {
        return Some(u);
    }
    match root.get("fees") {
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .find_map(|(i, x)| unknown_in(x.as_object()?, &format!("fees[{i}]"), V2_FEE_KEYS)),
        _ => None,
    }
}

/// The outcome of reading a body whose first unknown key is `unknown`: a misspelt required field
/// is the spelling's error (whatever `read` allows); otherwise the read's own error, and then the
/// unknown key unless `read` allows unknown fields.
pub(super) fn refuse_unknown<T>(
    unknown: Option<UnknownKey>,
    outcome: Result<T>,
    read: ReadOptions,
) -> Result<T> {
    match (outcome, unknown) {
        (Err(Error::MissingField { field }), Some(u)) if u.explains(&field) => Err(u.misspelt()),
        (Err(e), _) => Err(e),
        (Ok(_), Some(u)) if !read.allow_unknown_fields => Err(u.error()),
        (Ok(v), _) => Ok(v),
    }
}

/// Keys of the pricing configuration's `conventions`.
const CONVENTION_KEYS: &[&str] = &["move_due_dates"];

/// A key no list holds: where, which, and the nearest known key.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct UnknownKey {
    path: String,
    key: String,
    value: String,
    nearest: Option<&'static str>,
}

impl UnknownKey {
    /// The error: [`crate::ErrorKind::Invalid`] on the key's path.
    pub(crate) fn error(&self) -> Error {
        let hint = match self.nearest {
            Some(n) => format!("; did you mean `{n}`?"),
            None => String::new(),
        };
        Error::unknown(
            &self.path,
            &self.value,
            format!(
                "unknown field{hint} (unknown keys are refused; allow them with \
                 --allow-unknown-fields or SimulationOptions::allow_unknown_fields)"
            ),
        )
    }

    /// The error when this key is the misspelling of a required field that is missing (whether
    /// or not unknown keys are allowed).
    fn misspelt(&self) -> Error {
        Error::unknown(
            &self.path,
            &self.value,
            format!(
                "unknown field; did you mean `{}`? (a required field, missing)",
                self.nearest.unwrap_or("?")
            ),
        )
    }

    /// Whether this misspelling explains `missing` (a required field's path).
    fn explains(&self, missing: &str) -> bool {
        let Some(n) = self.nearest else { return false };
        let parent = self.path.rsplit_once('.').map_or("", |p| p.0);
        let expected = if parent.is_empty() {
            n.to_string()
        } else {
            format!("{parent}.{n}")
        };
        expected == missing
    }
}

/// The first key of `map` (at `path`) not in `known`.
fn unknown_in(
    map: &Map<String, Value>,
    path: &str,
    known: &'static [&'static str],
) -> Option<UnknownKey> {
    // A key starting with `_` is a comment (`"_note"`), as the crate's own fixtures use them.
    map.iter()
        .find(|(k, _)| !k.starts_with('_') && !known.contains(&k.as_str()))
        .map(|(k, v)| UnknownKey {
            path: if path.is_empty() {
                k.clone()
            } else {
                format!("{path}.{k}")
            },
            key: k.clone(),
            value: short(v),
            nearest: suggestion(k, known),
        })
}

/// The first unknown key of a request body, in reading order: `financial` (and its
/// `fine_configuration`, `rebates[]`, `desired_installments[]`), `borrower`, `collaterals[]`,
/// `refinanced_credit_operations[]`.
fn first_unknown_key(v: &Value) -> Option<UnknownKey> {
    let root = v.as_object()?;
    let objects = |key: &str| -> Vec<(String, &Map<String, Value>)> {
        match root.get(key) {
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .filter_map(|(i, x)| x.as_object().map(|m| (format!("{key}[{i}]"), m)))
                .collect(),
            _ => vec![],
        }
    };
    let nested =
        |m: &Map<String, Value>, path: &str, key: &str| -> Vec<(String, Map<String, Value>)> {
            match m.get(key) {
                Some(Value::Array(items)) => items
                    .iter()
                    .enumerate()
                    .filter_map(|(i, x)| {
                        x.as_object()
                            .map(|o| (format!("{path}.{key}[{i}]"), o.clone()))
                    })
                    .collect(),
                Some(Value::Object(o)) => vec![(format!("{path}.{key}"), o.clone())],
                _ => vec![],
            }
        };
    if let Some(Value::Object(fin)) = root.get("financial") {
        if let Some(u) = unknown_in(fin, "financial", FINANCIAL_KEYS) {
            return Some(u);
        }
        for (key, known) in [
            ("fine_configuration", FINE_KEYS),
            ("rebates", REBATE_KEYS),
            ("desired_installments", DESIRED_KEYS),
        ] {
            for (path, m) in nested(fin, "financial", key) {
                if let Some(u) = unknown_in(&m, &path, known) {
                    return Some(u);
                }
            }
        }
    }
    if let Some(Value::Object(b)) = root.get("borrower")
        && let Some(u) = unknown_in(b, "borrower", BORROWER_KEYS)
    {
        return Some(u);
    }
    for (list, known) in [
        ("collaterals", COLLATERAL_KEYS),
        ("refinanced_credit_operations", REFINANCED_KEYS),
    ] {
        for (path, m) in objects(list) {
            if let Some(u) = unknown_in(m, &path, known) {
                return Some(u);
            }
        }
    }
    None
}

/// The known key nearest to `key` (Damerau–Levenshtein, optimal string alignment), when it is
/// near enough to be a misspelling: at most 2 edits, and at most a third of the key's length.
fn suggestion(key: &str, known: &[&'static str]) -> Option<&'static str> {
    let limit = 2.max(key.chars().count() / 3);
    known
        .iter()
        .map(|k| (edit_distance(key, k), *k))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// The optimal-string-alignment distance between `a` and `b`: insertions, deletions,
/// substitutions and transpositions of adjacent characters, each one edit.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for i in 0..=a.len() {
        d[i * w] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(w) {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[(i - 1) * w + j] + 1)
                .min(d[i * w + j - 1] + 1)
                .min(d[(i - 1) * w + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[(i - 2) * w + j - 2] + 1);
            }
            d[i * w + j] = best;
        }
    }
    d[a.len() * w + b.len()]
}

pub(super) fn parse_base(s: &str, field: &str) -> Result<InterestBase> {
    match s {
        "calendar_days" => Ok(InterestBase::CalendarDays),
        "calendar_days_365" => Ok(InterestBase::CalendarDays365),
        "workdays" => Ok(InterestBase::Workdays),
        _ => Err(Error::unknown(
            field,
            format!("{s:?}"),
            "unknown interest base (calendar_days, calendar_days_365, workdays)",
        )),
    }
}

/// Reads a partner pricing configuration (see [`crate::fees`]), refusing unknown keys.
///
/// The configuration holds `contract_fees` and `external_contract_fees` (the response's
/// vocabulary), and/or `rebates` (the request's vocabulary: `tac` and `spread`), and a
/// `conventions` object (`"move_due_dates": true`).
///
/// # Errors
/// [`Error::Json`] for text that is not JSON; otherwise an error naming the field and value; a
/// simulation request passed as the configuration (it has `financial`) is
/// [`crate::ErrorKind::Invalid`].
pub fn pricing_from_json(text: &str, source_name: &str) -> Result<Pricing> {
    pricing_from_json_with(text, source_name, false)
}

/// [`pricing_from_json`], accepting unknown keys when `allow_unknown`.
///
/// # Errors
/// As [`pricing_from_json`].
pub fn pricing_from_json_with(
    text: &str,
    source_name: &str,
    allow_unknown: bool,
) -> Result<Pricing> {
    let v = parse_json(text, source_name)?;
    pricing_from_value(&v, source_name, allow_unknown, false)
}

/// [`pricing_from_json_with`] on a parsed configuration. `partner`: the whole partner
/// configuration ([`config_from_json`]), whose `profile` and `conventions` switches
/// [`ConventionsConfig`] reads and checks; otherwise only `conventions.move_due_dates` is known.
fn pricing_from_value(
    v: &Value,
    source_name: &str,
    allow_unknown: bool,
    partner: bool,
) -> Result<Pricing> {
    let root = Obj::root(v, source_name)?;
    if root.get("financial").is_some() {
        return Err(Error::unknown(
            source_name,
            "{\"financial\": …}",
            "this is a simulation request, not a pricing configuration (contract_fees, \
             external_contract_fees, rebates, conventions)",
        ));
    }
    if !allow_unknown {
        let mut found = unknown_in(
            root.map,
            "",
            if partner { PARTNER_KEYS } else { PRICING_KEYS },
        );
        for list in ["contract_fees", "external_contract_fees", "rebates"] {
            if let Some(Value::Array(items)) = root.map.get(list) {
                for (i, x) in items.iter().enumerate() {
                    if found.is_none()
                        && let Some(m) = x.as_object()
                    {
                        found = unknown_in(m, &format!("{list}[{i}]"), PRICING_FEE_KEYS);
                    }
                }
            }
        }
        if found.is_none()
            && !partner
            && let Some(Value::Object(m)) = root.map.get("conventions")
        {
            found = unknown_in(m, "conventions", CONVENTION_KEYS);
        }
        if let Some(u) = found {
            return Err(u.error());
        }
    }
    let read = |list: &str, taxed: bool| -> Result<Vec<FeeRule>> {
        let mut out = vec![];
        for f in root.array(list, MAX_FEES)? {
            let fee_type = f.required("fee_type", f.string("fee_type")?)?;
            out.push(read_fee(&f, fee_type, taxed)?);
        }
        Ok(out)
    };
    let mut pricing = Pricing {
        contract_fees: read("contract_fees", false)?,
        external_contract_fees: read("external_contract_fees", true)?,
        conventions: PricingConventions::default(),
    };
    if let Some(c) = root.object("conventions")? {
        pricing.conventions =
            PricingConventions::new().move_due_dates(c.bool("move_due_dates")?.unwrap_or(false));
    }
    Ok(pricing.merged(&read_rebates(&root, "rebates", true)?))
}

// ---------------------------------------------------------------------------------------------
// Portability (`qitech-sim portability`)

/// The input of `qitech-sim portability`: one flat JSON object.
///
/// ```json
/// {"outstanding_balance": 80492.95, "bridge_annual_interest_rate": 0.20983,
///  "bridge_disbursement_date": "2023-03-17", "bridge_first_due_date_delay": 5,
///  "installment_face_value": 100.0, "number_of_installments": 96, "monthly_interest_rate": 0.0205,
///  "interest_base": "calendar_days", "collateral_type": "airforce_payroll",
///  "first_due_date": "2023-06-10", "limit_days_to_disburse": 3}
/// ```
/// `bridge_first_due_date_delay` defaults to 5, `interest_base` to `calendar_days`,
/// `limit_days_to_disburse` to 0; `annual_interest_rate` may replace `monthly_interest_rate`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct PortabilityRequest {
    /// The chain's terms.
    pub terms: PortabilityTerms,
    /// `collateral_type` of the payroll loan.
    pub collateral_type: CollateralType,
}

impl PortabilityRequest {
    /// Reads the flat portability input, refusing keys it does not know.
    ///
    /// # Errors
    /// [`Error::Json`] for text that is not JSON; otherwise an error naming the field and value.
    pub fn from_json(text: &str, source_name: &str) -> Result<Self> {
        Self::from_json_with(text, source_name, false)
    }

    /// [`PortabilityRequest::from_json`], accepting unknown keys when `allow_unknown`.
    ///
    /// # Errors
    /// As [`PortabilityRequest::from_json`].
    pub fn from_json_with(text: &str, source_name: &str, allow_unknown: bool) -> Result<Self> {
        Self::from_value_with(
            &parse_json(text, source_name)?,
            source_name,
            ReadOptions::default().allow_unknown(allow_unknown),
        )
    }

    /// Reads the flat portability input from a parsed value (`source_name` names it when it is
    /// not an object), with the parse options `read`.
    ///
    /// # Errors
    /// As [`PortabilityRequest::from_json`].
    pub fn from_value_with(v: &Value, source_name: &str, read: ReadOptions) -> Result<Self> {
        let o = Obj::root(v, source_name)?;
        if !read.allow_unknown_fields
            && let Some(u) = unknown_in(o.map, "", PORTABILITY_KEYS)
        {
            return Err(u.error());
        }
        let outstanding_balance =
            o.required("outstanding_balance", o.decimal("outstanding_balance")?)?;
        let bridge_rate = AnnualRate::for_field(
            o.required(
                "bridge_annual_interest_rate",
                o.decimal("bridge_annual_interest_rate")?,
            )?,
            "bridge_annual_interest_rate",
        )?;
        let bridge_disbursement_date = o.required(
            "bridge_disbursement_date",
            o.date("bridge_disbursement_date")?,
        )?;
        let bridge_delay_days = o
            .u32("bridge_first_due_date_delay")?
            .unwrap_or(portability::BRIDGE_DELAY_DAYS);
        let base = match o.string("interest_base")? {
            Some(b) => parse_base(&b, "interest_base")?,
            None => InterestBase::CalendarDays,
        };
        let input = o.rate_input()?;
        let t = o.required("collateral_type", o.string("collateral_type")?)?;
        let collateral_type = parse_collateral_type(&t, "collateral_type")?;
        let payroll = PayrollTerms::new(
            o.required(
                "installment_face_value",
                o.decimal("installment_face_value")?,
            )?,
            o.required("number_of_installments", o.u32("number_of_installments")?)?,
            InterestRate::new(input, base)?,
            o.required("first_due_date", o.date("first_due_date")?)?,
        )?
        .limit_days_to_disburse(o.u32("limit_days_to_disburse")?.unwrap_or(0));
        let terms = PortabilityTerms::new(
            outstanding_balance,
            bridge_rate,
            bridge_disbursement_date,
            payroll,
        )?
        .bridge_delay_days(bridge_delay_days);
        Ok(PortabilityRequest {
            terms,
            collateral_type,
        })
    }
}

/// Checks the enums the manuals define for payroll `collateral_data` (QI's payroll manuals):
/// `reservation_type` ∈ {new_credit, portability, refinancing}, `reservation_method` ∈ {creation,
/// issuing}; `registration_code` a string; `portability_data` an object with a string `token`. The
/// data changes no number; it is echoed.
fn validate_collateral_data(data: &Obj<'_>) -> Result<()> {
    let one_of = |key: &str, allowed: &[&str]| -> Result<()> {
        if let Some(v) = data.string(key)?
            && !allowed.contains(&v.as_str())
        {
            return Err(Error::unknown(
                data.field(key),
                format!("{v:?}"),
                format!("expected one of {}", allowed.join(", ")),
            ));
        }
        Ok(())
    };
    one_of(
        "reservation_type",
        &["new_credit", "portability", "refinancing"],
    )?;
    one_of("reservation_method", &["creation", "issuing"])?;
    data.string("registration_code")?;
    if let Some(p) = data.object("portability_data")? {
        p.string("token")?;
    }
    Ok(())
}

pub(crate) fn parse_collateral_type(t: &str, field: &str) -> Result<CollateralType> {
    match t {
        "federal_payroll" => Ok(CollateralType::FederalPayroll),
        "airforce_payroll" => Ok(CollateralType::AirforcePayroll),
        "social_security" => Ok(CollateralType::SocialSecurity),
        "private_payroll" => Ok(CollateralType::PrivatePayroll),
        "military_payroll" => Ok(CollateralType::MilitaryPayroll),
        "private_pension" => Ok(CollateralType::PrivatePension),
        "fgts_balance" => Ok(CollateralType::FgtsBalance),
        "vehicle" => Err(Error::unsupported(
            field,
            format!("{t:?}"),
            "vehicle-backed credit adds the state's registration (Detran) fee, which is not modelled",
        )),
        _ => Err(Error::unknown(
            field,
            format!("{t:?}"),
            format!(
                "unknown collateral type (known: {}){}",
                COLLATERAL_TYPES.join(", "),
                suggestion(t, COLLATERAL_TYPES)
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default()
            ),
        )),
    }
}

/// The collateral types QI documents (`vehicle` refused).
const COLLATERAL_TYPES: &[&str] = &[
    "federal_payroll",
    "airforce_payroll",
    "social_security",
    "private_payroll",
    "military_payroll",
    "private_pension",
    "fgts_balance",
    "vehicle",
];
// ---------------------------------------------------------------------------------------------
// The partner configuration (`--config`): pricing, profile, conventions

/// The partner configuration file: the pricing ([`pricing_from_json`]), and the convention
/// `"profile"` and `"conventions"` switches (the crate's conventions, *Switches*).
///
/// ```json
/// {"profile": "qi-v2", "conventions": {"rate_decimals": 10},
///  "contract_fees": [{"fee_type": "spread", "amount_type": "percentage", "amount": 0.2,
///                     "class": "assignment_only"}]}
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct PartnerConfig {
    /// The fees.
    pub pricing: Pricing,
    /// `"profile"` and `"conventions"`, resolved per request shape by
    /// [`PartnerConfig::conventions`].
    pub conventions: ConventionsConfig,
}

impl PartnerConfig {
    /// The switches for a request whose shape defaults to `default_profile` (the v2 body:
    /// [`Profile::QiV2`]; the `financial` body: [`Profile::Qi2023`]) unless the configuration
    /// names a profile.
    ///
    /// # Errors
    /// A switch with an unknown value (already refused by [`config_from_json`]).
    pub fn conventions(&self, default_profile: Profile) -> Result<Conventions> {
        self.conventions.resolve(default_profile)
    }
}

/// Reads a partner configuration: the pricing of [`pricing_from_json`] plus `"profile"`
/// (`qi-2023`, `qi-v2`) and `"conventions"` (each switch checked).
///
/// # Errors
/// [`Error::Json`] for text that is not JSON; otherwise an error naming the field and value.
///
/// ```
/// use qitech_sim::api::config_from_json;
/// use qitech_sim::conventions::{Profile, RateDecimals};
/// let c = config_from_json(r#"{"profile": "qi-v2", "conventions": {"rate_decimals": 10}}"#, "cfg")?;
/// assert_eq!(c.conventions(Profile::Qi2023)?.rate_decimals, RateDecimals::Ten);
/// assert!(config_from_json(r#"{"conventions": {"cet": "daily"}}"#, "cfg").is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn config_from_json(text: &str, source_name: &str) -> Result<PartnerConfig> {
    config_from_json_with(text, source_name, false)
}

/// [`config_from_json`], accepting unknown fee and top-level keys when `allow_unknown` (the
/// convention switches are always checked).
///
/// # Errors
/// As [`config_from_json`].
pub fn config_from_json_with(
    text: &str,
    source_name: &str,
    allow_unknown: bool,
) -> Result<PartnerConfig> {
    let v = parse_json(text, source_name)?;
    let pricing = pricing_from_value(&v, source_name, allow_unknown, true)?;
    let Value::Object(map) = &v else {
        return Err(Error::wrong_type(
            source_name,
            short(&v),
            "expected a JSON object",
        ));
    };
    Ok(PartnerConfig {
        pricing,
        conventions: ConventionsConfig::from_value(map)?,
    })
}
