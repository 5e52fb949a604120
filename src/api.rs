//! QI's JSON shapes: the simulation request in, the simulation response out. Translation only: no
//! arithmetic lives here.
//!
//! * Requests are read field by field from a `serde_json::Value`, so that every error names the JSON
//!   path and the value (`financial.number_of_installments: must be between 1 and 600 (got 0)`).
//!   Unknown fields are accepted and ignored, as QI's manuals ask of their clients; issuance bodies
//!   (borrower details, accounts, `additional_data`) are accepted too.
//! * Numbers in responses are produced from the decimal value: an integral value prints as an integer
//!   (`100`, `1`, `0`, as QI prints `total_amount` and fee amounts), any other as the `f64` nearest to
//!   the decimal (correctly rounded through its string, so `0.1905254815358736` prints as QI prints it).
//! * Field order is alphabetical, as in QI's responses.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::fees::{AmountType, FeeRule, Pricing};
use crate::num;
use crate::portability::{self, Change, PayrollTerms, Portability};
use crate::rate::{AnnualRate, InterestBase, InterestRate, MonthlyRate, RateInput};
use crate::schedule::Installment;
use crate::simulation::{
    Amount, FirstDue, LoanTerms, Quote, RefinancedOperation, Simulation, SimulationOptions,
    simulate,
};

// ---------------------------------------------------------------------------------------------
// Numbers

/// A JSON number backed by a decimal: serialises as QI prints it (integer when integral, else the
/// correctly rounded `f64`), parses from any JSON number through its shortest decimal string.
///
/// Equality is equality of the printed JSON number: two values are equal when they serialise to the
/// same number. A decimal with more digits than a double carries (an unrounded interest, an
/// `annual_cet`) equals the value read back from its own JSON, so a response serialised and read back
/// equals itself.
#[derive(Debug, Clone, Copy, Default)]
pub struct Num(pub Decimal);

impl Num {
    /// The JSON value this number prints as: an integer, or the nearest `f64`.
    fn printed(&self) -> Result<i64, f64> {
        let d = num::normalize(self.0);
        if d.scale() == 0
            && let Ok(i) = i64::try_from(d)
        {
            return Ok(i);
        }
        Err(num::to_f64(d))
    }
}

impl PartialEq for Num {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0 || self.printed() == other.printed()
    }
}

impl Serialize for Num {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self.printed() {
            Ok(i) => s.serialize_i64(i),
            Err(f) => s.serialize_f64(f),
        }
    }
}

impl<'de> Deserialize<'de> for Num {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        json_decimal(&v, "number")
            .map(Num)
            .map_err(serde::de::Error::custom)
    }
}

impl From<Decimal> for Num {
    fn from(d: Decimal) -> Self {
        Num(d)
    }
}

fn json_decimal(v: &Value, field: &str) -> Result<Decimal> {
    match v {
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Ok(Decimal::from(i))
            } else if let Some(u) = n.as_u64() {
                Ok(Decimal::from(u))
            } else {
                num::from_f64_shortest(n.as_f64().unwrap_or(f64::NAN), field)
            }
        }
        // QI's manuals sometimes quote amounts; accept a plain decimal string.
        Value::String(s) => s
            .trim()
            .parse::<Decimal>()
            .map_err(|_| Error::invalid(field, format!("{s:?}"), "expected a number")),
        other => Err(Error::invalid(field, other, "expected a number")),
    }
}

/// Dates as QI prints them, `YYYY-MM-DD`, written from the date's fields (chrono's `Display` goes
/// through its general formatter, a measurable share of serialising a 96-installment response).
mod date_json {
    use chrono::{Datelike, NaiveDate};
    use serde::{Deserialize, Deserializer, Serializer};

    /// `YYYY-MM-DD` as bytes, for years 0 to 9999 (every date the calendar accepts).
    pub(super) fn digits(d: &NaiveDate) -> Option<[u8; 10]> {
        let (y, m, day) = (d.year(), d.month(), d.day());
        let y = u32::try_from(y).ok().filter(|y| *y <= 9999)?;
        let digit = |v: u32| b'0' + (v % 10) as u8;
        Some([
            digit(y / 1000),
            digit(y / 100),
            digit(y / 10),
            digit(y),
            b'-',
            digit(m / 10),
            digit(m),
            b'-',
            digit(day / 10),
            digit(day),
        ])
    }

    pub(super) fn serialize<S: Serializer>(d: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
        match digits(d).as_ref().map(|b| std::str::from_utf8(b)) {
            Some(Ok(text)) => s.serialize_str(text),
            _ => s.collect_str(d),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
        NaiveDate::deserialize(d)
    }
}

// ---------------------------------------------------------------------------------------------
// Reading requests

/// A JSON object with its path, for field-by-field reading with precise errors.
struct Obj<'a> {
    path: String,
    map: &'a Map<String, Value>,
}

impl<'a> Obj<'a> {
    fn root(v: &'a Value, name: &str) -> Result<Self> {
        match v {
            Value::Object(map) => Ok(Obj {
                path: String::new(),
                map,
            }),
            other => Err(Error::invalid(name, short(other), "expected a JSON object")),
        }
    }

    fn field(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    fn object(&self, key: &str) -> Result<Option<Obj<'a>>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Object(map)) => Ok(Some(Obj {
                path: self.field(key),
                map,
            })),
            Some(other) => Err(Error::invalid(
                self.field(key),
                short(other),
                "expected an object",
            )),
        }
    }

    fn array(&self, key: &str) -> Result<Vec<Obj<'a>>> {
        match self.get(key) {
            None => Ok(vec![]),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, v)| match v {
                    Value::Object(map) => Ok(Obj {
                        path: format!("{}[{i}]", self.field(key)),
                        map,
                    }),
                    other => Err(Error::invalid(
                        format!("{}[{i}]", self.field(key)),
                        short(other),
                        "expected an object",
                    )),
                })
                .collect(),
            Some(other) => Err(Error::invalid(
                self.field(key),
                short(other),
                "expected an array",
            )),
        }
    }

    fn decimal(&self, key: &str) -> Result<Option<Decimal>> {
        self.get(key)
            .map(|v| json_decimal(v, &self.field(key)))
            .transpose()
    }

    fn u32(&self, key: &str) -> Result<Option<u32>> {
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
                    Error::invalid(
                        self.field(key),
                        short(v),
                        "expected a non-negative whole number",
                    )
                }),
        }
    }

    fn string(&self, key: &str) -> Result<Option<String>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(Error::invalid(
                self.field(key),
                short(other),
                "expected a string",
            )),
        }
    }

    fn date(&self, key: &str) -> Result<Option<NaiveDate>> {
        match self.string(key)? {
            None => Ok(None),
            Some(s) => {
                let field = self.field(key);
                in_calendar(parse_date(&s, &field)?, &field).map(Some)
            }
        }
    }

    /// `monthly_interest_rate` or `annual_interest_rate` (exactly one of them).
    fn rate_input(&self) -> Result<RateInput> {
        match (
            self.decimal("monthly_interest_rate")?,
            self.decimal("annual_interest_rate")?,
        ) {
            (Some(m), None) => Ok(RateInput::Monthly(MonthlyRate::new(
                m,
                &self.field("monthly_interest_rate"),
            )?)),
            (None, Some(a)) => Ok(RateInput::Annual(AnnualRate::new(
                a,
                &self.field("annual_interest_rate"),
            )?)),
            (Some(m), Some(_)) => Err(Error::invalid(
                self.field("annual_interest_rate"),
                m,
                "give monthly_interest_rate or annual_interest_rate, not both",
            )),
            (None, None) => Err(Error::MissingField {
                field: self.field("monthly_interest_rate"),
            }),
        }
    }

    fn required<T>(&self, key: &str, v: Option<T>) -> Result<T> {
        v.ok_or_else(|| Error::MissingField {
            field: self.field(key),
        })
    }
}

/// Parses JSON text; `source_name` names the input in the error.
fn parse_json(text: &str, source_name: &str) -> Result<Value> {
    serde_json::from_str(text).map_err(|e| Error::Json {
        source_name: source_name.to_string(),
        message: e.to_string(),
    })
}

/// Parses a `YYYY-MM-DD` date, naming `field` on error.
///
/// # Errors
/// [`Error::InvalidField`] for anything else than a valid calendar date.
pub fn parse_date(s: &str, field: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| Error::invalid(field, format!("{s:?}"), "expected a date YYYY-MM-DD"))
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
pub enum CollateralType {
    /// SIAPE federal payroll (`federal_payroll`).
    FederalPayroll,
    /// Airforce payroll (`airforce_payroll`).
    AirforcePayroll,
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
pub struct SimulationRequest {
    /// The typed loan.
    pub terms: LoanTerms,
    /// `financial.issue_date` (defaults to the disbursement date).
    pub issue_date: NaiveDate,
    /// `financial.credit_operation_type`, echoed (default `ccb`).
    pub credit_operation_type: String,
    /// `financial.interest_type`, echoed (only `pre_price_days` is priced).
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
}

impl SimulationRequest {
    /// A request for `terms` with QI's defaults for the echoed fields (what the portability chain
    /// builds for its two loans).
    pub fn from_terms(terms: LoanTerms) -> Self {
        SimulationRequest {
            issue_date: terms.disbursement_date,
            terms,
            credit_operation_type: "ccb".into(),
            interest_type: "pre_price_days".into(),
            interest_grace_period: 0,
            principal_grace_period: 0,
            collaterals: vec![],
            requester_key: None,
            borrower: BorrowerJson {
                document_number: None,
                name: None,
            },
        }
    }

    /// Reads a request from JSON text; `source_name` names the input in errors.
    ///
    /// # Errors
    /// [`Error::Json`] for text that is not JSON; otherwise an error naming the field and value.
    pub fn from_json(text: &str, source_name: &str) -> Result<Self> {
        let v = parse_json(text, source_name)?;
        Self::from_value(&v)
    }

    /// Reads a request from a parsed JSON value.
    ///
    /// # Errors
    /// An error naming the field and value.
    pub fn from_value(v: &Value) -> Result<Self> {
        let root = Obj::root(v, "request")?;
        let fin = root.required("financial", root.object("financial")?)?;
        let mut borrower = BorrowerJson {
            document_number: None,
            name: None,
        };
        if let Some(b) = root.object("borrower")? {
            borrower.document_number = b.string("individual_document_number")?;
            borrower.name = b.string("name")?;
            if let Some(pt) = b.string("person_type")?
                && pt != "natural"
            {
                return Err(Error::invalid(
                    b.field("person_type"),
                    format!("{pt:?}"),
                    "only natural persons are priced (legal-person IOF is not implemented)",
                ));
            }
        }
        let interest_type = fin
            .string("interest_type")?
            .unwrap_or_else(|| "pre_price_days".into());
        if interest_type != "pre_price_days" {
            return Err(Error::invalid(
                fin.field("interest_type"),
                format!("{interest_type:?}"),
                "only pre_price_days is supported",
            ));
        }
        let interest_grace_period = fin.u32("interest_grace_period")?.unwrap_or(0);
        let principal_grace_period = fin.u32("principal_grace_period")?.unwrap_or(0);
        for (k, v) in [
            ("interest_grace_period", interest_grace_period),
            ("principal_grace_period", principal_grace_period),
        ] {
            if v != 0 {
                return Err(Error::invalid(
                    fin.field(k),
                    v,
                    "grace periods are not supported",
                ));
            }
        }
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
        let amount = match (
            fin.decimal("installment_face_value")?,
            fin.decimal("disbursed_amount")?,
        ) {
            (Some(f), None) => {
                Amount::InstallmentFaceValue(check_amount(f, &fin.field("installment_face_value"))?)
            }
            (None, Some(d)) => Amount::Disbursed(check_amount(d, &fin.field("disbursed_amount"))?),
            (Some(f), Some(_)) => {
                return Err(Error::invalid(
                    fin.field("disbursed_amount"),
                    f,
                    "give installment_face_value or disbursed_amount, not both",
                ));
            }
            (None, None) => {
                return Err(Error::MissingField {
                    field: fin.field("installment_face_value"),
                });
            }
        };
        let disbursement_date =
            fin.required("disbursement_date", fin.date("disbursement_date")?)?;
        let first_due = match (
            fin.date("first_due_date")?,
            fin.u32("first_due_date_delay")?,
        ) {
            (Some(d), _) => FirstDue::Date(d),
            (None, Some(n)) if n > 0 => FirstDue::Delay(n),
            (None, Some(n)) => {
                return Err(Error::invalid(
                    fin.field("first_due_date_delay"),
                    n,
                    "must be at least 1",
                ));
            }
            (None, None) => {
                return Err(Error::MissingField {
                    field: fin.field("first_due_date"),
                });
            }
        };
        let number_of_installments =
            fin.required("number_of_installments", fin.u32("number_of_installments")?)?;
        let limit_days_to_disburse = fin.u32("limit_days_to_disburse")?.unwrap_or(0);
        let mut refinanced = vec![];
        for r in root.array("refinanced_credit_operations")? {
            let due_balance = r.required("due_balance", r.decimal("due_balance")?)?;
            refinanced.push(RefinancedOperation {
                due_balance: check_balance(due_balance, &r.field("due_balance"))?,
                original_deadline: r.u32("original_deadline")?,
                operation_key: r.string("operation_key")?,
            });
        }
        let mut collaterals = vec![];
        for c in root.array("collaterals")? {
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
        let requester_key = match root.string("requester_identifier_key")? {
            Some(k) => Some(k),
            None => root.string("requester_key")?,
        };
        Ok(SimulationRequest {
            terms: LoanTerms {
                amount,
                number_of_installments,
                rate,
                disbursement_date,
                first_due,
                limit_days_to_disburse,
                refinanced,
            },
            issue_date: fin.date("issue_date")?.unwrap_or(disbursement_date),
            credit_operation_type: fin
                .string("credit_operation_type")?
                .unwrap_or_else(|| "ccb".into()),
            interest_type,
            interest_grace_period,
            principal_grace_period,
            collaterals,
            requester_key,
            borrower,
        })
    }
}

/// Largest amount accepted in a request (BRL 10¹⁵): far beyond any loan, far below where the
/// arithmetic could overflow.
pub const MAX_AMOUNT: Decimal = Decimal::from_parts(2_764_472_320, 232_830, 0, false, 0);

/// A date inside the business calendar's range, or [`Error::DateOutOfRange`] naming `field`: every
/// date of a request must be one the calendar can count business days on.
fn in_calendar(d: NaiveDate, field: &str) -> Result<NaiveDate> {
    use crate::calendar::{MAX_DATE, MIN_DATE};
    if d < MIN_DATE || d > MAX_DATE {
        return Err(Error::DateOutOfRange {
            field: field.to_string(),
            value: d,
            min: MIN_DATE,
            max: MAX_DATE,
        });
    }
    Ok(d)
}

fn check_amount(v: Decimal, field: &str) -> Result<Decimal> {
    if v < Decimal::new(1, 2) {
        return Err(Error::invalid(field, v, "must be at least 0.01"));
    }
    check_balance(v, field)
}

fn check_balance(v: Decimal, field: &str) -> Result<Decimal> {
    if v < Decimal::ZERO {
        return Err(Error::invalid(field, v, "must not be negative"));
    }
    if v > MAX_AMOUNT {
        return Err(Error::overflow(field, v));
    }
    Ok(v)
}

fn parse_base(s: &str, field: &str) -> Result<InterestBase> {
    match s {
        "calendar_days" => Ok(InterestBase::CalendarDays),
        "calendar_days_365" => Ok(InterestBase::CalendarDays365),
        "workdays" => Ok(InterestBase::Workdays),
        _ => Err(Error::invalid(
            field,
            format!("{s:?}"),
            "unknown interest base (calendar_days, calendar_days_365, workdays)",
        )),
    }
}

/// Reads a partner pricing configuration (see [`crate::fees`]).
///
/// # Errors
/// [`Error::Json`] for text that is not JSON; otherwise an error naming the field and value.
pub fn pricing_from_json(text: &str, source_name: &str) -> Result<Pricing> {
    let v = parse_json(text, source_name)?;
    let root = Obj::root(&v, source_name)?;
    let read = |list: &str, taxed: bool| -> Result<Vec<FeeRule>> {
        let mut out = vec![];
        for f in root.array(list)? {
            let fee_type = f.required("fee_type", f.string("fee_type")?)?;
            let at = f.required("amount_type", f.string("amount_type")?)?;
            let amount_type = match at.as_str() {
                "percentage" => AmountType::Percentage,
                "absolute" => AmountType::Absolute,
                _ => {
                    return Err(Error::invalid(
                        f.field("amount_type"),
                        format!("{at:?}"),
                        "expected percentage or absolute",
                    ));
                }
            };
            let amount = f.required("amount", f.decimal("amount")?)?;
            check_balance(amount, &f.field("amount"))?;
            let tax_rate = if taxed {
                f.decimal("tax_rate")?.unwrap_or_default()
            } else {
                Decimal::ZERO
            };
            out.push(FeeRule::new(
                &f.path,
                fee_type,
                amount_type,
                amount,
                tax_rate,
            )?);
        }
        Ok(out)
    };
    Ok(Pricing {
        contract_fees: read("contract_fees", false)?,
        external_contract_fees: read("external_contract_fees", true)?,
    })
}

// ---------------------------------------------------------------------------------------------
// Responses

/// QI's simulation response envelope: `{"data":{...},"event_datetime":..,"key":..,"status":"finished","type":"debt"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimulationResponse {
    /// The simulation.
    pub data: SimulationData,
    /// When the simulation was computed (`YYYY-MM-DD HH:MM:SS`, UTC), if the caller supplied a clock.
    pub event_datetime: Option<String>,
    /// A key for the simulation: derived from the request, so the same request gets the same key.
    pub key: String,
    /// `finished`.
    pub status: String,
    /// `debt`.
    #[serde(rename = "type")]
    pub kind: String,
}

/// QI's `prefixed_interest_rate`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrefixedInterestRateJson {
    /// `annual_rate`.
    pub annual_rate: Num,
    /// `daily_rate`.
    pub daily_rate: Num,
    /// `interest_base`.
    pub interest_base: InterestBase,
    /// `monthly_rate`.
    pub monthly_rate: Num,
}

/// One row of `installments`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InstallmentJson {
    /// `business_due_date`.
    #[serde(with = "date_json")]
    pub business_due_date: NaiveDate,
    /// `calendar_days`.
    pub calendar_days: u32,
    /// `due_date`.
    #[serde(with = "date_json")]
    pub due_date: NaiveDate,
    /// `due_principal`.
    pub due_principal: Num,
    /// `has_interest` (always true for `pre_price_days`).
    pub has_interest: bool,
    /// `installment_number`.
    pub installment_number: u32,
    /// `post_fixed_amount` (null: no post-fixed component).
    pub post_fixed_amount: Option<Num>,
    /// `pre_fixed_amount`.
    pub pre_fixed_amount: Num,
    /// `principal_amortization_amount`.
    pub principal_amortization_amount: Num,
    /// `tax_amount`.
    pub tax_amount: Num,
    /// `total_amount`.
    pub total_amount: Num,
    /// `workdays`.
    pub workdays: u32,
}

/// One of `contract_fees`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContractFeeJson {
    /// `amount` as configured.
    pub amount: Num,
    /// `amount_type`.
    pub amount_type: AmountType,
    /// `fee_amount`.
    pub fee_amount: Num,
    /// `fee_type`.
    pub fee_type: String,
}

/// One of `external_contract_fees`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExternalFeeJson {
    /// `amount` as configured.
    pub amount: Num,
    /// `amount_released` = net fee.
    pub amount_released: Num,
    /// `amount_type`.
    pub amount_type: AmountType,
    /// `cofins_amount` (0: the tax is reported whole in `tax_amount`).
    pub cofins_amount: Num,
    /// `csll_amount` (0).
    pub csll_amount: Num,
    /// `description` (null).
    pub description: Option<String>,
    /// `fee_amount`.
    pub fee_amount: Num,
    /// `fee_type`.
    pub fee_type: String,
    /// `irrf_amount` (0).
    pub irrf_amount: Num,
    /// `net_fee_amount`.
    pub net_fee_amount: Num,
    /// `pis_amount` (0).
    pub pis_amount: Num,
    /// `tax_amount`.
    pub tax_amount: Num,
}

/// One of `disbursement_options`: a full loan disbursed on its date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DisbursementOptionJson {
    /// `annual_cet`.
    pub annual_cet: Num,
    /// `assignment_amount`.
    pub assignment_amount: Num,
    /// `cet`.
    pub cet: Num,
    /// `contract_fee_amount`.
    pub contract_fee_amount: Num,
    /// `contract_fees`.
    pub contract_fees: Vec<ContractFeeJson>,
    /// `disbursed_issue_amount`.
    pub disbursed_issue_amount: Num,
    /// `disbursement_date`.
    #[serde(with = "date_json")]
    pub disbursement_date: NaiveDate,
    /// `external_contract_fee_amount`.
    pub external_contract_fee_amount: Num,
    /// `external_contract_fees`.
    pub external_contract_fees: Vec<ExternalFeeJson>,
    /// `final_disbursement_amount` of this option (an extension: QI prints it at the top only).
    pub final_disbursement_amount: Num,
    /// `first_due_date`.
    #[serde(with = "date_json")]
    pub first_due_date: NaiveDate,
    /// `installments`.
    pub installments: Vec<InstallmentJson>,
    /// `iof_amount`.
    pub iof_amount: Num,
    /// `issue_amount`.
    pub issue_amount: Num,
    /// `net_external_contract_fee_amount`.
    pub net_external_contract_fee_amount: Num,
    /// `prefixed_interest_rate`.
    pub prefixed_interest_rate: PrefixedInterestRateJson,
    /// Extension: when the refinanced balances exceed what this option disburses, by how much
    /// (`final_disbursement_amount` is then negative); null otherwise.
    #[serde(default)]
    pub shortfall_amount: Option<Num>,
    /// `total_pre_fixed_amount`.
    pub total_pre_fixed_amount: Num,
}

/// A refinanced operation, echoed (extension).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RefinancedJson {
    /// `due_balance`.
    pub due_balance: Num,
    /// `operation_key`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation_key: Option<String>,
    /// `original_deadline`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_deadline: Option<u32>,
}

/// The `data` of the simulation response, field for field as QI's §3 prints it, plus the
/// extensions noted on their fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimulationData {
    /// `annual_cet`.
    pub annual_cet: Num,
    /// `assignment_amount`.
    pub assignment_amount: Num,
    /// `cet`.
    pub cet: Num,
    /// `contract_fee_amount`.
    pub contract_fee_amount: Num,
    /// `contract_fees`.
    pub contract_fees: Vec<ContractFeeJson>,
    /// `credit_operation_type`.
    pub credit_operation_type: String,
    /// `disbursed_issue_amount`.
    pub disbursed_issue_amount: Num,
    /// `disbursement_date`.
    #[serde(with = "date_json")]
    pub disbursement_date: NaiveDate,
    /// `disbursement_options`.
    pub disbursement_options: Vec<DisbursementOptionJson>,
    /// Extension: which days got an option (`calendar_days` or `business_days`).
    pub disbursement_options_policy: String,
    /// `external_contract_fee_amount`.
    pub external_contract_fee_amount: Num,
    /// `external_contract_fees`.
    pub external_contract_fees: Vec<ExternalFeeJson>,
    /// `final_disbursement_amount`: the change.
    pub final_disbursement_amount: Num,
    /// `installments`.
    pub installments: Vec<InstallmentJson>,
    /// `interest_grace_period`.
    pub interest_grace_period: u32,
    /// `interest_payment_month_period` (1).
    pub interest_payment_month_period: u32,
    /// `interest_type`.
    pub interest_type: String,
    /// `iof_amount`.
    pub iof_amount: Num,
    /// `issue_amount`.
    pub issue_amount: Num,
    /// `issue_date`.
    #[serde(with = "date_json")]
    pub issue_date: NaiveDate,
    /// `net_external_contract_fee_amount`.
    pub net_external_contract_fee_amount: Num,
    /// `number_of_installments`.
    pub number_of_installments: u32,
    /// `operation_type` (`structured_operation`).
    pub operation_type: String,
    /// `post_fixed_interest_base` (`workdays`).
    pub post_fixed_interest_base: String,
    /// `post_fixed_interest_rate` (null).
    pub post_fixed_interest_rate: Option<Num>,
    /// `prefixed_interest_rate`.
    pub prefixed_interest_rate: PrefixedInterestRateJson,
    /// `principal_amortization_month_period` (1).
    pub principal_amortization_month_period: u32,
    /// `principal_grace_period`.
    pub principal_grace_period: u32,
    /// Extension: the refinanced operations, echoed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub refinanced_credit_operations: Vec<RefinancedJson>,
    /// `requester_key`.
    pub requester_key: Option<String>,
    /// Extension: the shortfall of the first option (see [`DisbursementOptionJson::shortfall_amount`]).
    #[serde(default)]
    pub shortfall_amount: Option<Num>,
    /// `total_pre_fixed_amount`.
    pub total_pre_fixed_amount: Num,
}

fn installment_json(i: &Installment) -> InstallmentJson {
    InstallmentJson {
        business_due_date: i.period.business_due_date,
        calendar_days: i.period.calendar_days,
        due_date: i.period.due_date,
        due_principal: i.due_principal.into(),
        has_interest: true,
        installment_number: i.period.number,
        post_fixed_amount: None,
        pre_fixed_amount: i.pre_fixed_amount.into(),
        principal_amortization_amount: i.principal_amortization_amount.into(),
        tax_amount: i.tax_amount.into(),
        total_amount: i.total_amount.into(),
        workdays: i.period.workdays,
    }
}

fn shortfall(q: &Quote) -> Option<Num> {
    match q.change() {
        Change::Shortfall(s) => Some(s.into()),
        Change::Change(_) => None,
    }
}

fn option_json(q: &Quote, rate: &InterestRate) -> DisbursementOptionJson {
    let r = rate.display();
    DisbursementOptionJson {
        annual_cet: q.cet.annual.into(),
        assignment_amount: q.assignment_amount.into(),
        cet: q.cet.monthly.into(),
        contract_fee_amount: q.fees.contract_total().into(),
        contract_fees: q
            .fees
            .contract
            .iter()
            .map(|f| ContractFeeJson {
                amount: f.rule.amount.into(),
                amount_type: f.rule.amount_type,
                fee_amount: f.fee_amount.into(),
                fee_type: f.rule.fee_type.clone(),
            })
            .collect(),
        disbursed_issue_amount: q.disbursed_issue_amount.into(),
        disbursement_date: q.disbursement_date,
        external_contract_fee_amount: q.fees.external_total().into(),
        external_contract_fees: q
            .fees
            .external
            .iter()
            .map(|f| ExternalFeeJson {
                amount: f.rule.amount.into(),
                amount_released: f.net_fee_amount.into(),
                amount_type: f.rule.amount_type,
                cofins_amount: Num::default(),
                csll_amount: Num::default(),
                description: None,
                fee_amount: f.fee_amount.into(),
                fee_type: f.rule.fee_type.clone(),
                irrf_amount: Num::default(),
                net_fee_amount: f.net_fee_amount.into(),
                pis_amount: Num::default(),
                tax_amount: f.tax_amount.into(),
            })
            .collect(),
        final_disbursement_amount: q.final_disbursement_amount.into(),
        shortfall_amount: shortfall(q),
        first_due_date: q.first_due_date,
        installments: q
            .schedule
            .installments
            .iter()
            .map(installment_json)
            .collect(),
        iof_amount: q.iof.total.into(),
        issue_amount: q.schedule.issue_amount.into(),
        net_external_contract_fee_amount: q.fees.external_net_total().into(),
        prefixed_interest_rate: PrefixedInterestRateJson {
            annual_rate: r.annual_rate.into(),
            daily_rate: r.daily_rate.into(),
            interest_base: r.interest_base,
            monthly_rate: r.monthly_rate.into(),
        },
        total_pre_fixed_amount: q.schedule.total_pre_fixed_amount().into(),
    }
}

impl SimulationResponse {
    /// Builds QI's response for `request` from its computed `simulation`.
    pub fn new(
        request: &SimulationRequest,
        simulation: &Simulation,
        event_datetime: Option<String>,
    ) -> Self {
        let options: Vec<DisbursementOptionJson> = simulation
            .options
            .iter()
            .map(|q| option_json(q, &request.terms.rate))
            .collect();
        let first = simulation.first();
        // The top-level numbers are the first option's (QI prints them twice).
        let top = match options.first() {
            Some(o) => o.clone(),
            None => option_json(first, &request.terms.rate),
        };
        let key = derived_key(request, first);
        SimulationResponse {
            data: SimulationData {
                annual_cet: top.annual_cet,
                assignment_amount: top.assignment_amount,
                cet: top.cet,
                contract_fee_amount: top.contract_fee_amount,
                contract_fees: top.contract_fees,
                credit_operation_type: request.credit_operation_type.clone(),
                disbursed_issue_amount: top.disbursed_issue_amount,
                disbursement_date: first.disbursement_date,
                disbursement_options: options,
                disbursement_options_policy: simulation.option_days.as_str().to_string(),
                external_contract_fee_amount: top.external_contract_fee_amount,
                external_contract_fees: top.external_contract_fees,
                final_disbursement_amount: first.final_disbursement_amount.into(),
                shortfall_amount: shortfall(first),
                installments: top.installments,
                interest_grace_period: request.interest_grace_period,
                interest_payment_month_period: 1,
                interest_type: request.interest_type.clone(),
                iof_amount: top.iof_amount,
                issue_amount: top.issue_amount,
                issue_date: request.issue_date,
                net_external_contract_fee_amount: top.net_external_contract_fee_amount,
                number_of_installments: request.terms.number_of_installments,
                operation_type: "structured_operation".into(),
                post_fixed_interest_base: "workdays".into(),
                post_fixed_interest_rate: None,
                prefixed_interest_rate: top.prefixed_interest_rate,
                principal_amortization_month_period: 1,
                principal_grace_period: request.principal_grace_period,
                refinanced_credit_operations: request
                    .terms
                    .refinanced
                    .iter()
                    .map(|r| RefinancedJson {
                        due_balance: r.due_balance.into(),
                        operation_key: r.operation_key.clone(),
                        original_deadline: r.original_deadline,
                    })
                    .collect(),
                requester_key: request.requester_key.clone(),
                total_pre_fixed_amount: top.total_pre_fixed_amount,
            },
            event_datetime,
            key,
            status: "finished".into(),
            kind: "debt".into(),
        }
    }
}

/// A UUID-shaped key derived from the request's terms and the first option's issue amount (FNV-1a):
/// stable for the same request, so outputs are reproducible. It is not QI's key.
fn derived_key(request: &SimulationRequest, first: &Quote) -> String {
    hash_key(&format!(
        "{:?}|{}",
        request.terms, first.schedule.issue_amount
    ))
}

/// FNV-1a (128 bits) of `text`, printed in UUID form.
fn hash_key(text: &str) -> String {
    let mut h: u128 = 0x6c62272e07bb014262b821756295c58d;
    for b in text.bytes() {
        h ^= u128::from(b);
        h = h.wrapping_mul(0x0000000001000000000000000000013B);
    }
    let hex = format!("{h:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// Runs a simulation request end to end: JSON text in, QI's response out.
///
/// # Errors
/// Any input error, naming the field and value.
///
/// # Example
/// ```
/// use qitech_sim::{api, SimulationOptions};
/// let request = r#"{"financial": {"installment_face_value": 100.0, "number_of_installments": 2,
///     "monthly_interest_rate": 0.0205, "disbursement_date": "2023-03-14",
///     "first_due_date": "2023-04-07"}}"#;
/// let response = api::simulate_json(request, &SimulationOptions::new(), None)?;
/// assert_eq!(response.data.issue_amount.0.to_string(), "194.80");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn simulate_json(
    text: &str,
    options: &SimulationOptions,
    event_datetime: Option<String>,
) -> Result<SimulationResponse> {
    let request = SimulationRequest::from_json(text, "request")?;
    let sim = simulate(&request.terms, options)?;
    Ok(SimulationResponse::new(&request, &sim, event_datetime))
}

// ---------------------------------------------------------------------------------------------
// Fast compact JSON (the batch hot path)

/// Compact JSON, byte for byte what `serde_json::to_writer` writes for the same value (a test checks
/// it on every fixture and on random responses), without serde's generic path: keys are known
/// identifiers written as literals, where serde scans each for characters to escape (37 % of the
/// time of serialising a 96-installment response). Strings still go through serde_json's escaping,
/// numbers through [`Num`]'s own serialisation.
trait WriteJson {
    fn write_json(&self, out: &mut Vec<u8>);
}

/// Writes `v` with serde_json (numbers, strings: their formatting and escaping stay serde_json's).
fn write_serde<T: Serialize + ?Sized>(v: &T, out: &mut Vec<u8>) {
    if serde_json::to_writer(&mut *out, v).is_err() {
        out.extend_from_slice(b"null");
    }
}

impl WriteJson for Num {
    fn write_json(&self, out: &mut Vec<u8>) {
        match self.printed() {
            Ok(i) => write_serde(&i, out),
            Err(f) => write_serde(&f, out),
        }
    }
}

impl WriteJson for u32 {
    fn write_json(&self, out: &mut Vec<u8>) {
        write_serde(self, out);
    }
}

impl WriteJson for bool {
    fn write_json(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(if *self { b"true" } else { b"false" });
    }
}

impl WriteJson for String {
    fn write_json(&self, out: &mut Vec<u8>) {
        write_serde(self.as_str(), out);
    }
}

impl WriteJson for NaiveDate {
    fn write_json(&self, out: &mut Vec<u8>) {
        match date_json::digits(self) {
            Some(d) => {
                out.push(b'"');
                out.extend_from_slice(&d);
                out.push(b'"');
            }
            None => write_serde(&self.to_string(), out),
        }
    }
}

impl WriteJson for AmountType {
    fn write_json(&self, out: &mut Vec<u8>) {
        write_serde(self, out);
    }
}

impl WriteJson for InterestBase {
    fn write_json(&self, out: &mut Vec<u8>) {
        write_serde(self, out);
    }
}

impl<T: WriteJson> WriteJson for Option<T> {
    fn write_json(&self, out: &mut Vec<u8>) {
        match self {
            Some(v) => v.write_json(out),
            None => out.extend_from_slice(b"null"),
        }
    }
}

impl<T: WriteJson> WriteJson for Vec<T> {
    fn write_json(&self, out: &mut Vec<u8>) {
        out.push(b'[');
        for (i, v) in self.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            v.write_json(out);
        }
        out.push(b']');
    }
}

/// `WriteJson` for a response struct: its fields in declaration order (the order serde's derive
/// writes), under their JSON names, with the same `skip_serializing_if` rules.
macro_rules! write_json_struct {
    ($ty:ident { $($field:ident => $key:literal $(if $skip:ident)?,)* }) => {
        impl WriteJson for $ty {
            fn write_json(&self, out: &mut Vec<u8>) {
                out.push(b'{');
                let mut sep = false;
                $(
                    if !write_json_struct!(@skip self.$field $(, $skip)?) {
                        if sep {
                            out.push(b',');
                        }
                        sep = true;
                        out.extend_from_slice(concat!("\"", $key, "\":").as_bytes());
                        self.$field.write_json(out);
                    }
                )*
                let _ = sep;
                out.push(b'}');
            }
        }
    };
    (@skip $v:expr) => { false };
    (@skip $v:expr, none) => { $v.is_none() };
    (@skip $v:expr, empty) => { $v.is_empty() };
}

write_json_struct!(SimulationResponse {
    data => "data",
    event_datetime => "event_datetime",
    key => "key",
    status => "status",
    kind => "type",
});

write_json_struct!(SimulationData {
    annual_cet => "annual_cet",
    assignment_amount => "assignment_amount",
    cet => "cet",
    contract_fee_amount => "contract_fee_amount",
    contract_fees => "contract_fees",
    credit_operation_type => "credit_operation_type",
    disbursed_issue_amount => "disbursed_issue_amount",
    disbursement_date => "disbursement_date",
    disbursement_options => "disbursement_options",
    disbursement_options_policy => "disbursement_options_policy",
    external_contract_fee_amount => "external_contract_fee_amount",
    external_contract_fees => "external_contract_fees",
    final_disbursement_amount => "final_disbursement_amount",
    installments => "installments",
    interest_grace_period => "interest_grace_period",
    interest_payment_month_period => "interest_payment_month_period",
    interest_type => "interest_type",
    iof_amount => "iof_amount",
    issue_amount => "issue_amount",
    issue_date => "issue_date",
    net_external_contract_fee_amount => "net_external_contract_fee_amount",
    number_of_installments => "number_of_installments",
    operation_type => "operation_type",
    post_fixed_interest_base => "post_fixed_interest_base",
    post_fixed_interest_rate => "post_fixed_interest_rate",
    prefixed_interest_rate => "prefixed_interest_rate",
    principal_amortization_month_period => "principal_amortization_month_period",
    principal_grace_period => "principal_grace_period",
    refinanced_credit_operations => "refinanced_credit_operations" if empty,
    requester_key => "requester_key",
    shortfall_amount => "shortfall_amount",
    total_pre_fixed_amount => "total_pre_fixed_amount",
});

write_json_struct!(DisbursementOptionJson {
    annual_cet => "annual_cet",
    assignment_amount => "assignment_amount",
    cet => "cet",
    contract_fee_amount => "contract_fee_amount",
    contract_fees => "contract_fees",
    disbursed_issue_amount => "disbursed_issue_amount",
    disbursement_date => "disbursement_date",
    external_contract_fee_amount => "external_contract_fee_amount",
    external_contract_fees => "external_contract_fees",
    final_disbursement_amount => "final_disbursement_amount",
    first_due_date => "first_due_date",
    installments => "installments",
    iof_amount => "iof_amount",
    issue_amount => "issue_amount",
    net_external_contract_fee_amount => "net_external_contract_fee_amount",
    prefixed_interest_rate => "prefixed_interest_rate",
    shortfall_amount => "shortfall_amount",
    total_pre_fixed_amount => "total_pre_fixed_amount",
});

write_json_struct!(InstallmentJson {
    business_due_date => "business_due_date",
    calendar_days => "calendar_days",
    due_date => "due_date",
    due_principal => "due_principal",
    has_interest => "has_interest",
    installment_number => "installment_number",
    post_fixed_amount => "post_fixed_amount",
    pre_fixed_amount => "pre_fixed_amount",
    principal_amortization_amount => "principal_amortization_amount",
    tax_amount => "tax_amount",
    total_amount => "total_amount",
    workdays => "workdays",
});

write_json_struct!(ContractFeeJson {
    amount => "amount",
    amount_type => "amount_type",
    fee_amount => "fee_amount",
    fee_type => "fee_type",
});

write_json_struct!(ExternalFeeJson {
    amount => "amount",
    amount_released => "amount_released",
    amount_type => "amount_type",
    cofins_amount => "cofins_amount",
    csll_amount => "csll_amount",
    description => "description",
    fee_amount => "fee_amount",
    fee_type => "fee_type",
    irrf_amount => "irrf_amount",
    net_fee_amount => "net_fee_amount",
    pis_amount => "pis_amount",
    tax_amount => "tax_amount",
});

write_json_struct!(PrefixedInterestRateJson {
    annual_rate => "annual_rate",
    daily_rate => "daily_rate",
    interest_base => "interest_base",
    monthly_rate => "monthly_rate",
});

write_json_struct!(RefinancedJson {
    due_balance => "due_balance",
    operation_key => "operation_key" if none,
    original_deadline => "original_deadline" if none,
});

impl SimulationResponse {
    /// The response as compact JSON: the same bytes as `serde_json::to_vec(self)`, about twice as
    /// fast (what `qitech-sim batch` writes).
    pub fn to_json_bytes(&self) -> Vec<u8> {
        // About 330 bytes an installment, printed twice (top level and first option).
        let rows = self.data.installments.len() * (1 + self.data.disbursement_options.len());
        let mut out = Vec::with_capacity(1024 + 340 * rows);
        self.write_json(&mut out);
        out
    }
}

// ---------------------------------------------------------------------------------------------
// Issuance (`/debt`) response

/// The borrower echo of an issuance response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BorrowerJson {
    /// `document_number` (the request's `individual_document_number`).
    pub document_number: Option<String>,
    /// `name`.
    pub name: Option<String>,
}

/// One installment of an issuance response: the simulation's installment plus its life-cycle fields,
/// all at their initial values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DebtInstallmentJson {
    /// `accrual_reference_date` (null).
    pub accrual_reference_date: Option<String>,
    /// `additional_costs` (empty).
    pub additional_costs: Vec<Value>,
    /// `advanced_paid_amount` (0).
    pub advanced_paid_amount: Num,
    /// `bank_slip_key` (null).
    pub bank_slip_key: Option<String>,
    /// `business_due_date`.
    #[serde(with = "date_json")]
    pub business_due_date: NaiveDate,
    /// `calendar_days`.
    pub calendar_days: u32,
    /// `digitable_line` (null).
    pub digitable_line: Option<String>,
    /// `due_date`.
    #[serde(with = "date_json")]
    pub due_date: NaiveDate,
    /// `due_interest` (0).
    pub due_interest: Num,
    /// `due_principal`.
    pub due_principal: Num,
    /// `fine_amount` (null).
    pub fine_amount: Option<Num>,
    /// `has_interest`.
    pub has_interest: bool,
    /// `installment_history` (empty).
    pub installment_history: Vec<Value>,
    /// `installment_key`: derived from the operation key and the number (not QI's key).
    pub installment_key: String,
    /// `installment_number`.
    pub installment_number: u32,
    /// `installment_payment` (empty).
    pub installment_payment: Vec<Value>,
    /// `installment_status` (`created`).
    pub installment_status: String,
    /// `installment_type` (`principal`).
    pub installment_type: String,
    /// `original_due_principal`.
    pub original_due_principal: Num,
    /// `original_pre_fixed_amount`.
    pub original_pre_fixed_amount: Num,
    /// `original_principal_amortization_amount`.
    pub original_principal_amortization_amount: Num,
    /// `original_total_amount`.
    pub original_total_amount: Num,
    /// `paid_amount` (0).
    pub paid_amount: Num,
    /// `paid_at` (null).
    pub paid_at: Option<String>,
    /// `post_fixed_amount` (0).
    pub post_fixed_amount: Num,
    /// `pre_fixed_amount`.
    pub pre_fixed_amount: Num,
    /// `principal_amortization_amount`.
    pub principal_amortization_amount: Num,
    /// `qr_code_key` (null).
    pub qr_code_key: Option<String>,
    /// `qr_code_url` (null).
    pub qr_code_url: Option<String>,
    /// `renegotiation_proposal_key` (null).
    pub renegotiation_proposal_key: Option<String>,
    /// `tax_amount`.
    pub tax_amount: Num,
    /// `total_accrual_amount` (null).
    pub total_accrual_amount: Option<Num>,
    /// `total_amount`.
    pub total_amount: Num,
    /// `total_paid_amount` (0).
    pub total_paid_amount: Num,
    /// `workdays`.
    pub workdays: u32,
}

/// The `data` of QI's issuance response (seed 002 §8) for the requested disbursement date. The
/// contract block (signature URLs, document links) is QI's paperwork, not arithmetic, and is omitted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DebtData {
    /// `additional_iof`: 0.38 % of the issue, unrounded.
    pub additional_iof: Num,
    /// `annual_cet` as a pt-BR percentage (`"60,4731%"`).
    pub annual_cet: String,
    /// `assignment_amount`.
    pub assignment_amount: Num,
    /// `base_iof`: Σ daily IOF, unrounded.
    pub base_iof: Num,
    /// `borrower` echo.
    pub borrower: BorrowerJson,
    /// `cet` as a pt-BR percentage (`"4,0200%"`).
    pub cet: String,
    /// `collaterals`, echoed.
    pub collaterals: Vec<Value>,
    /// `contract_fee_amount`.
    pub contract_fee_amount: Num,
    /// `contract_fees`.
    pub contract_fees: Vec<ContractFeeJson>,
    /// Extension: `disbursed_issue_amount`, the net the borrower receives.
    pub disbursed_issue_amount: Num,
    /// `external_contract_fee_amount`.
    pub external_contract_fee_amount: Num,
    /// `external_contract_fees`.
    pub external_contract_fees: Vec<ExternalFeeJson>,
    /// Extension: `final_disbursement_amount` (the change, after refinanced balances).
    pub final_disbursement_amount: Num,
    /// `installments`.
    pub installments: Vec<DebtInstallmentJson>,
    /// `iof_charge_method` (`financed`).
    pub iof_charge_method: String,
    /// `issue_amount`.
    pub issue_amount: Num,
    /// `net_external_contract_fee_amount`.
    pub net_external_contract_fee_amount: Num,
    /// `number_of_installments`.
    pub number_of_installments: u32,
    /// `prefixed_interest_rate`.
    pub prefixed_interest_rate: PrefixedInterestRateJson,
    /// `requester_identifier_key`, echoed.
    pub requester_identifier_key: Option<String>,
    /// `total_iof`.
    pub total_iof: Num,
    /// `total_pre_fixed_amount`.
    pub total_pre_fixed_amount: Num,
}

impl DebtData {
    /// Builds the issuance `data` for the first option of `simulation` (the requested date).
    pub fn new(request: &SimulationRequest, simulation: &Simulation) -> Self {
        let q = simulation.first();
        let o = option_json(q, &request.terms.rate);
        let key = derived_key(request, q);
        let installments = q
            .schedule
            .installments
            .iter()
            .map(|i| {
                let s = installment_json(i);
                DebtInstallmentJson {
                    accrual_reference_date: None,
                    additional_costs: vec![],
                    advanced_paid_amount: Num::default(),
                    bank_slip_key: None,
                    business_due_date: s.business_due_date,
                    calendar_days: s.calendar_days,
                    digitable_line: None,
                    due_date: s.due_date,
                    due_interest: Num::default(),
                    due_principal: s.due_principal,
                    fine_amount: None,
                    has_interest: true,
                    installment_history: vec![],
                    installment_key: hash_key(&format!("{key}/{}", s.installment_number)),
                    installment_number: s.installment_number,
                    installment_payment: vec![],
                    installment_status: "created".into(),
                    installment_type: "principal".into(),
                    original_due_principal: s.due_principal,
                    original_pre_fixed_amount: s.pre_fixed_amount,
                    original_principal_amortization_amount: s.principal_amortization_amount,
                    original_total_amount: s.total_amount,
                    paid_amount: Num::default(),
                    paid_at: None,
                    post_fixed_amount: Num::default(),
                    pre_fixed_amount: s.pre_fixed_amount,
                    principal_amortization_amount: s.principal_amortization_amount,
                    qr_code_key: None,
                    qr_code_url: None,
                    renegotiation_proposal_key: None,
                    tax_amount: s.tax_amount,
                    total_accrual_amount: None,
                    total_amount: s.total_amount,
                    total_paid_amount: Num::default(),
                    workdays: s.workdays,
                }
            })
            .collect();
        DebtData {
            additional_iof: q.iof.additional.into(),
            annual_cet: q.cet.annual_pt_br(),
            assignment_amount: o.assignment_amount,
            base_iof: q.iof.base.into(),
            borrower: request.borrower.clone(),
            cet: q.cet.monthly_pt_br(),
            collaterals: request
                .collaterals
                .iter()
                .filter_map(|c| serde_json::to_value(CollateralEcho::from(c)).ok())
                .collect(),
            contract_fee_amount: o.contract_fee_amount,
            contract_fees: o.contract_fees,
            disbursed_issue_amount: o.disbursed_issue_amount,
            external_contract_fee_amount: o.external_contract_fee_amount,
            external_contract_fees: o.external_contract_fees,
            final_disbursement_amount: o.final_disbursement_amount,
            installments,
            iof_charge_method: "financed".into(),
            issue_amount: o.issue_amount,
            net_external_contract_fee_amount: o.net_external_contract_fee_amount,
            number_of_installments: request.terms.number_of_installments,
            prefixed_interest_rate: o.prefixed_interest_rate,
            requester_identifier_key: request.requester_key.clone(),
            total_iof: o.iof_amount,
            total_pre_fixed_amount: o.total_pre_fixed_amount,
        }
    }
}

/// A collateral as echoed in responses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CollateralEcho {
    /// `collateral_data`, as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collateral_data: Option<Value>,
    /// `collateral_type`.
    pub collateral_type: CollateralType,
}

impl From<&Collateral> for CollateralEcho {
    fn from(c: &Collateral) -> Self {
        CollateralEcho {
            collateral_data: c.collateral_data.clone(),
            collateral_type: c.collateral_type,
        }
    }
}

/// Runs an issuance (or simulation) request and returns the `data` of QI's issuance response.
///
/// # Errors
/// Any input error, naming the field and value.
pub fn debt_json(text: &str, options: &SimulationOptions) -> Result<DebtData> {
    let request = SimulationRequest::from_json(text, "request")?;
    let sim = simulate(&request.terms, options)?;
    Ok(DebtData::new(&request, &sim))
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
pub struct PortabilityRequest {
    /// `outstanding_balance`: the old loan's balance, which the bridge pays off.
    pub outstanding_balance: Decimal,
    /// `bridge_annual_interest_rate`.
    pub bridge_rate: AnnualRate,
    /// `bridge_disbursement_date`.
    pub bridge_disbursement_date: NaiveDate,
    /// `bridge_first_due_date_delay` (5).
    pub bridge_delay_days: u32,
    /// The payroll loan.
    pub payroll: PayrollTerms,
    /// `collateral_type` of the payroll loan.
    pub collateral_type: CollateralType,
}

impl PortabilityRequest {
    /// Reads the flat portability input.
    ///
    /// # Errors
    /// [`Error::Json`] for text that is not JSON; otherwise an error naming the field and value.
    pub fn from_json(text: &str, source_name: &str) -> Result<Self> {
        let v = parse_json(text, source_name)?;
        let o = Obj::root(&v, source_name)?;
        let outstanding_balance = check_amount(
            o.required("outstanding_balance", o.decimal("outstanding_balance")?)?,
            "outstanding_balance",
        )?;
        let bridge_rate = AnnualRate::new(
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
        Ok(PortabilityRequest {
            outstanding_balance,
            bridge_rate,
            bridge_disbursement_date,
            bridge_delay_days,
            payroll: PayrollTerms {
                installment_face_value: check_amount(
                    o.required(
                        "installment_face_value",
                        o.decimal("installment_face_value")?,
                    )?,
                    "installment_face_value",
                )?,
                number_of_installments: o
                    .required("number_of_installments", o.u32("number_of_installments")?)?,
                rate: InterestRate::new(input, base)?,
                first_due_date: o.required("first_due_date", o.date("first_due_date")?)?,
                limit_days_to_disburse: o.u32("limit_days_to_disburse")?.unwrap_or(0),
            },
            collateral_type,
        })
    }

    /// Runs the chain: the bridge with no fees, the payroll loan with `payroll_options`.
    ///
    /// # Errors
    /// Input errors of either loan.
    pub fn run(&self, payroll_options: &SimulationOptions) -> Result<Portability> {
        let bridge_options = SimulationOptions::new().delay_unit(payroll_options.get_delay_unit());
        portability::portability(
            self.outstanding_balance,
            self.bridge_rate,
            self.bridge_disbursement_date,
            self.bridge_delay_days,
            &self.payroll,
            &bridge_options,
            payroll_options,
        )
    }
}

/// Checks the enums the manuals define for payroll `collateral_data` (seed 002 §8, seed 004 §4):
/// `reservation_type` ∈ {new_credit, portability, refinancing}, `reservation_method` ∈ {creation,
/// issuing}; `registration_code` a string; `portability_data` an object with a string `token`. The
/// data changes no number; it is echoed.
fn validate_collateral_data(data: &Obj<'_>) -> Result<()> {
    let one_of = |key: &str, allowed: &[&str]| -> Result<()> {
        if let Some(v) = data.string(key)?
            && !allowed.contains(&v.as_str())
        {
            return Err(Error::invalid(
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
        _ => Err(Error::invalid(
            field,
            format!("{t:?}"),
            "unknown collateral type (known: federal_payroll, airforce_payroll)",
        )),
    }
}

/// The change of one disbursement option of a portability.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangeJson {
    /// The payroll loan's disbursement date for this option.
    #[serde(with = "date_json")]
    pub disbursement_date: NaiveDate,
    /// The payroll loan's `disbursed_issue_amount`.
    pub disbursed_issue_amount: Num,
    /// `final_disbursement_amount`: the change (negative when there is a shortfall).
    pub final_disbursement_amount: Num,
    /// The payroll loan's `issue_amount`.
    pub issue_amount: Num,
    /// The bridge balance refinanced.
    pub refinanced_balance: Num,
    /// How much is missing when the loan does not cover the balance; null otherwise.
    pub shortfall_amount: Option<Num>,
}

/// The output of `qitech-sim portability`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PortabilityResponse {
    /// The bridge loan, as QI's issuance `data`.
    pub bridge_loan: DebtData,
    /// The change per disbursement option.
    pub change: Vec<ChangeJson>,
    /// The payroll loan, as QI's simulation `data`.
    pub payroll_loan: SimulationData,
}

impl PortabilityResponse {
    /// Renders a priced portability.
    pub fn new(p: &Portability, collateral_type: CollateralType) -> Self {
        let bridge_req = SimulationRequest::from_terms(p.bridge.terms.clone());
        let bridge_sim = Simulation {
            options: vec![p.bridge.quote.clone()],
            option_days: p.payroll.option_days,
        };
        let mut payroll_req = SimulationRequest::from_terms(p.payroll_terms.clone());
        payroll_req.collaterals.push(Collateral {
            collateral_type,
            collateral_data: None,
        });
        PortabilityResponse {
            bridge_loan: DebtData::new(&bridge_req, &bridge_sim),
            change: p
                .payroll
                .options
                .iter()
                .map(|q| ChangeJson {
                    disbursement_date: q.disbursement_date,
                    disbursed_issue_amount: q.disbursed_issue_amount.into(),
                    final_disbursement_amount: q.final_disbursement_amount.into(),
                    issue_amount: q.schedule.issue_amount.into(),
                    refinanced_balance: q.refinanced_total.into(),
                    shortfall_amount: shortfall(q),
                })
                .collect(),
            payroll_loan: SimulationResponse::new(&payroll_req, &p.payroll, None).data,
        }
    }
}
