//! The one reader of QI's request bodies: the simulation and issuance body (`/debt_simulation`,
//! `/debt`), the partner pricing configuration, and the flat portability input.
//!
//! Requests are read field by field from a `serde_json::Value`, so that every error names the JSON
//! path and the value (`financial.number_of_installments: must be between 1 and 600 (got 0)`).
//! Unknown fields are accepted and ignored, as QI's manuals ask of their clients; issuance bodies
//! (borrower details, accounts, `additional_data`) are accepted too. The amount, count and date
//! bounds are the engine's ([`LoanTerms::validate`]): a typed caller gets the same errors.
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

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::debt::BorrowerJson;
use super::number::json_decimal;
use crate::calendar;
use crate::error::{Error, Result};
use crate::fees::{AmountType, FeeRule, Pricing};
use crate::portability::{self, PayrollTerms, PortabilityTerms};
use crate::rate::{AnnualRate, InterestBase, InterestRate, MonthlyRate, RateInput};
use crate::simulation::{Amount, FirstDue, LoanTerms, RefinancedOperation, check_amount};

/// Most `collaterals` a request may list (QI's requests carry one).
pub const MAX_COLLATERALS: usize = 16;

/// Most fees each list of a pricing configuration (`contract_fees`, `external_contract_fees`) may
/// hold.
pub const MAX_FEES: usize = 64;

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
            other => Err(Error::wrong_type(
                name,
                short(other),
                "expected a JSON object",
            )),
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
            Some(other) => Err(Error::wrong_type(
                self.field(key),
                short(other),
                "expected an object",
            )),
        }
    }

    /// The objects of the array `key`, at most `cap` of them.
    fn array(&self, key: &str, cap: usize) -> Result<Vec<Obj<'a>>> {
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
                    Error::wrong_type(
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
            Some(other) => Err(Error::wrong_type(
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
                calendar::check_in_range(parse_date(&s, &field)?, &field).map(Some)
            }
        }
    }

    /// `monthly_interest_rate` or `annual_interest_rate` (exactly one of them).
    fn rate_input(&self) -> Result<RateInput> {
        match (
            self.decimal("monthly_interest_rate")?,
            self.decimal("annual_interest_rate")?,
        ) {
            (Some(m), None) => Ok(RateInput::Monthly(MonthlyRate::for_field(
                m,
                &self.field("monthly_interest_rate"),
            )?)),
            (None, Some(a)) => Ok(RateInput::Annual(AnnualRate::for_field(
                a,
                &self.field("annual_interest_rate"),
            )?)),
            (Some(m), Some(_)) => Err(Error::conflict(
                self.field("annual_interest_rate"),
                m,
                "give monthly_interest_rate or annual_interest_rate, not both",
            )),
            (None, None) => Err(Error::missing(self.field("monthly_interest_rate"))),
        }
    }

    fn required<T>(&self, key: &str, v: Option<T>) -> Result<T> {
        v.ok_or_else(|| Error::missing(self.field(key)))
    }
}

/// Parses JSON text (duplicate keys and underflowing numbers refused: see `api/strict.rs`);
/// `source_name` names the input in a syntax error.
fn parse_json(text: &str, source_name: &str) -> Result<Value> {
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
                return Err(Error::unsupported(
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
            return Err(Error::unsupported(
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
                return Err(Error::unsupported(
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
            (Some(f), None) => Amount::InstallmentFaceValue(f),
            (None, Some(d)) => Amount::Disbursed(d),
            (Some(f), Some(_)) => {
                return Err(Error::conflict(
                    fin.field("disbursed_amount"),
                    f,
                    "give installment_face_value or disbursed_amount, not both",
                ));
            }
            (None, None) => return Err(Error::missing(fin.field("installment_face_value"))),
        };
        let disbursement_date =
            fin.required("disbursement_date", fin.date("disbursement_date")?)?;
        let first_due = match (
            fin.date("first_due_date")?,
            fin.u32("first_due_date_delay")?,
        ) {
            (Some(d), _) => FirstDue::Date(d),
            (None, Some(n)) => FirstDue::Delay(n),
            (None, None) => return Err(Error::missing(fin.field("first_due_date"))),
        };
        let number_of_installments =
            fin.required("number_of_installments", fin.u32("number_of_installments")?)?;
        let limit_days_to_disburse = fin.u32("limit_days_to_disburse")?.unwrap_or(0);
        let mut refinanced = vec![];
        for r in root.array(
            "refinanced_credit_operations",
            crate::simulation::MAX_REFINANCED,
        )? {
            let due_balance = r.required("due_balance", r.decimal("due_balance")?)?;
            let mut op = RefinancedOperation::new(check_amount(
                due_balance,
                Decimal::ZERO,
                &r.field("due_balance"),
            )?)?;
            op.original_deadline = r.u32("original_deadline")?;
            op.operation_key = r.string("operation_key")?;
            refinanced.push(op);
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
        .limit_days_to_disburse(limit_days_to_disburse);
        terms.refinanced = refinanced;
        terms.validate()?;
        Ok(SimulationRequest {
            terms,
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

fn parse_base(s: &str, field: &str) -> Result<InterestBase> {
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

/// Reads a partner pricing configuration (see [`crate::fees`]).
///
/// # Errors
/// [`Error::Json`] for text that is not JSON; otherwise an error naming the field and value.
pub fn pricing_from_json(text: &str, source_name: &str) -> Result<Pricing> {
    let v = parse_json(text, source_name)?;
    let root = Obj::root(&v, source_name)?;
    let read = |list: &str, taxed: bool| -> Result<Vec<FeeRule>> {
        let mut out = vec![];
        for f in root.array(list, MAX_FEES)? {
            let fee_type = f.required("fee_type", f.string("fee_type")?)?;
            let at = f.required("amount_type", f.string("amount_type")?)?;
            let amount_type = match at.as_str() {
                "percentage" => AmountType::Percentage,
                "absolute" => AmountType::Absolute,
                _ => {
                    return Err(Error::unknown(
                        f.field("amount_type"),
                        format!("{at:?}"),
                        "expected percentage or absolute",
                    ));
                }
            };
            let amount = f.required("amount", f.decimal("amount")?)?;
            check_amount(amount, Decimal::ZERO, &f.field("amount"))?;
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
    /// Reads the flat portability input.
    ///
    /// # Errors
    /// [`Error::Json`] for text that is not JSON; otherwise an error naming the field and value.
    pub fn from_json(text: &str, source_name: &str) -> Result<Self> {
        let v = parse_json(text, source_name)?;
        let o = Obj::root(&v, source_name)?;
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

/// Checks the enums the manuals define for payroll `collateral_data` (seed 002 §8, seed 004 §4):
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
        _ => Err(Error::unknown(
            field,
            format!("{t:?}"),
            "unknown collateral type (known: federal_payroll, airforce_payroll)",
        )),
    }
}
