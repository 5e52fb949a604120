//! The present-value inquiry on the wire: a contract as JSON (an issuance body, whose schedule the
//! crate rebuilds, or an issued schedule: a `debt` response, bare or under `"data"`) in, QI's
//! inquiry shape `{"data": {"balance_due", "installments": [{"installment_number", "due_date",
//! "total_amount", "present_amount", …}]}}` out. The arithmetic is [`crate::present_value`]'s.

use chrono::NaiveDate;
use serde_json::{Map, Value};

use super::json::{parse_date, parse_json};
use super::number::{Num, json_decimal};
use super::request::SimulationRequest;
use super::writer::{self, json_struct};
use crate::error::{Error, Result};
use crate::prepayment::{Keep, Prepayment, prepay};
use crate::present_value::{
    Contract, ContractInstallment, FineConfiguration, PresentValue, PresentValueOptions,
    present_value,
};
use crate::rate::{AnnualRate, InterestBase, InterestRate, MonthlyRate, RateInput};
use crate::schedule::Amortization;
use crate::simulation::SimulationOptions;

json_struct! {
    /// One installment of the inquiry.
    pub struct PresentValueInstallmentJson {
        /// Extension: calendar days late (overdue installments).
        days_late: u32 => "days_late",
        /// `due_date`.
        due_date: NaiveDate => "due_date" [date],
        /// Extension: the fine charged (`calculate_delay`).
        fine_amount: Num => "fine_amount",
        /// `installment_number`.
        installment_number: u32 => "installment_number",
        /// `installment_status`: `paid`, `opened` or `overdue` on the date.
        installment_status: String => "installment_status",
        /// Extension: the late interest charged (`calculate_delay`).
        late_interest_amount: Num => "late_interest_amount",
        /// `present_amount` (0 when paid).
        present_amount: Num => "present_amount",
        /// `total_amount`.
        total_amount: Num => "total_amount",
    }
}

json_struct! {
    /// The `data` of the inquiry.
    pub struct PresentValueData {
        /// `balance_due`: Σ `present_amount`.
        balance_due: Num => "balance_due",
        /// `installments`.
        installments: Vec<PresentValueInstallmentJson> => "installments",
        /// Extension: the date valued.
        reference_date: NaiveDate => "reference_date" [date],
    }
}

json_struct! {
    /// The inquiry response.
    pub struct PresentValueResponse {
        /// `data`.
        data: PresentValueData => "data",
    }
}

impl PresentValueResponse {
    /// The response of a present value.
    pub fn new(pv: &PresentValue) -> Self {
        PresentValueResponse {
            data: PresentValueData {
                balance_due: Num(pv.balance_due),
                installments: pv
                    .installments
                    .iter()
                    .map(|i| PresentValueInstallmentJson {
                        days_late: i.days_late,
                        due_date: i.installment.due_date,
                        fine_amount: Num(i.fine_amount),
                        installment_number: i.installment.installment_number,
                        installment_status: i.state.as_str().to_string(),
                        late_interest_amount: Num(i.late_interest_amount),
                        present_amount: Num(i.present_amount),
                        total_amount: Num(i.installment.total_amount),
                    })
                    .collect(),
                reference_date: pv.date,
            },
        }
    }

    /// Compact JSON bytes.
    pub fn to_json_bytes(&self) -> Vec<u8> {
        writer::to_json_bytes(self, 256 + 200 * self.data.installments.len())
    }
}

json_struct! {
    /// One installment of the schedule after a prepayment.
    pub struct PrepaidInstallmentJson {
        /// `due_date`.
        due_date: NaiveDate => "due_date" [date],
        /// `due_principal`: the balance before this installment.
        due_principal: Num => "due_principal",
        /// `installment_number` (from 1 again).
        installment_number: u32 => "installment_number",
        /// `pre_fixed_amount`: the interest part.
        pre_fixed_amount: Num => "pre_fixed_amount",
        /// `principal_amortization_amount`.
        principal_amortization_amount: Num => "principal_amortization_amount",
        /// `total_amount`.
        total_amount: Num => "total_amount",
    }
}

json_struct! {
    /// The `data` of a prepayment.
    pub struct PrepaymentData {
        /// The balance after (the new schedule's issue amount).
        balance_after: Num => "balance_after",
        /// The balance before (the present value on the date).
        balance_before: Num => "balance_before",
        /// The new schedule.
        installments: Vec<PrepaidInstallmentJson> => "installments",
        /// The amount prepaid.
        prepaid_amount: Num => "prepaid_amount",
        /// The date of the prepayment.
        reference_date: NaiveDate => "reference_date" [date],
    }
}

json_struct! {
    /// The prepayment response.
    pub struct PrepaymentResponse {
        /// `data`.
        data: PrepaymentData => "data",
    }
}

impl PrepaymentResponse {
    /// The response of a prepayment.
    pub fn new(p: &Prepayment) -> Self {
        PrepaymentResponse {
            data: PrepaymentData {
                balance_after: Num(p.balance_after),
                balance_before: Num(p.balance_before),
                installments: p
                    .schedule
                    .installments
                    .iter()
                    .map(|i| PrepaidInstallmentJson {
                        due_date: i.period.due_date,
                        due_principal: Num(i.due_principal),
                        installment_number: i.period.number,
                        pre_fixed_amount: Num(i.pre_fixed_amount),
                        principal_amortization_amount: Num(i.principal_amortization_amount),
                        total_amount: Num(i.total_amount),
                    })
                    .collect(),
                prepaid_amount: Num(p.amount),
                reference_date: p.date,
            },
        }
    }
}

/// A partial prepayment of a contract in JSON text on `date` ([`crate::prepayment::prepay`]).
///
/// # Errors
/// Any input error, naming the field and value.
pub fn prepayment_json(
    text: &str,
    source_name: &str,
    date: NaiveDate,
    amount: rust_decimal::Decimal,
    keep: Keep,
    options: &SimulationOptions,
    pv_options: &PresentValueOptions,
) -> Result<PrepaymentResponse> {
    let contract = contract_from_json(text, source_name, options)?;
    let p = prepay(&contract, date, amount, keep, pv_options)?;
    Ok(PrepaymentResponse::new(&p))
}

/// Reads a contract from JSON text (see the module documentation); `options` price an issuance
/// body (its configuration and conventions) and build the rate of a schedule.
///
/// An issued schedule needs `installments[{installment_number, due_date, total_amount}]`,
/// `issue_amount`, `prefixed_interest_rate {monthly_rate, annual_rate, interest_base}` and either
/// `disbursement_date` or installment 1's `calendar_days`; the rate is the monthly one when the
/// printed annual rate is its 8-decimal annualisation (a monthly input), else the annual one.
/// `fine_configuration {contract_fine_rate, monthly_rate}` is read from the body's `financial`, or
/// from the schedule's root or `data`.
///
/// # Errors
/// Any input error, naming the field and value.
pub fn contract_from_json(
    text: &str,
    source_name: &str,
    options: &SimulationOptions,
) -> Result<Contract> {
    contract_from_value(&parse_json(text, source_name)?, source_name, options)
}

/// [`contract_from_json`] for a body already parsed.
///
/// # Errors
/// As [`contract_from_json`].
pub fn contract_from_value(
    v: &Value,
    source_name: &str,
    options: &SimulationOptions,
) -> Result<Contract> {
    if let Some(financial) = v.get("financial") {
        let fine = fine_configuration(financial, "financial.fine_configuration")?;
        let request = SimulationRequest::from_value_in(v, options)?;
        request.check_fields(options.get_allow_unknown_fields())?;
        let contract = Contract::issue(&request.terms, options)?;
        return Ok(match fine {
            Some(f) => contract.with_fine(f),
            None => contract,
        });
    }
    let (data, prefix) = match v.get("data") {
        Some(d @ Value::Object(_)) => (d, "data."),
        _ => (v, ""),
    };
    let Value::Object(map) = data else {
        return Err(Error::wrong_type(
            source_name,
            "not an object",
            "expected an issuance body or a debt response",
        ));
    };
    schedule_contract(map, prefix, options)
}

/// The contract of an issued schedule (`map`, its fields under `prefix`).
fn schedule_contract(
    map: &Map<String, Value>,
    prefix: &str,
    options: &SimulationOptions,
) -> Result<Contract> {
    let field = |k: &str| format!("{prefix}{k}");
    let get = |k: &str| map.get(k).ok_or_else(|| Error::missing(field(k)));
    let Value::Array(rows) = get("installments")? else {
        return Err(Error::wrong_type(
            field("installments"),
            "not an array",
            "expected an array",
        ));
    };
    let mut installments = Vec::with_capacity(rows.len());
    for (k, row) in rows.iter().enumerate() {
        let f = |name: &str| format!("{prefix}installments[{k}].{name}");
        let at = |name: &str| row.get(name).ok_or_else(|| Error::missing(f(name)));
        let number = at("installment_number")?
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| {
                Error::wrong_type(
                    f("installment_number"),
                    at("installment_number")
                        .map(|v| v.to_string())
                        .unwrap_or_default(),
                    "expected a whole number",
                )
            })?;
        let due = date_of(at("due_date")?, &f("due_date"))?;
        let total = json_decimal(at("total_amount")?, &f("total_amount"))?;
        installments.push(ContractInstallment::new(number, due, total));
    }
    let Some(first) = rows.first() else {
        return Err(Error::out_of_range(
            field("installments"),
            "[]",
            "a contract has at least one installment",
        ));
    };
    let disbursement_date = match map.get("disbursement_date") {
        Some(d) => date_of(d, &field("disbursement_date"))?,
        None => {
            let f = format!("{prefix}installments[0].calendar_days");
            let days = first
                .get("calendar_days")
                .ok_or_else(|| Error::missing(format!("{} (or disbursement_date)", f)))?
                .as_u64()
                .ok_or_else(|| {
                    Error::wrong_type(f.clone(), "not a whole number", "expected days")
                })?;
            installments[0]
                .due_date
                .checked_sub_days(chrono::Days::new(days))
                .ok_or_else(|| Error::out_of_range(f, days, "before any date"))?
        }
    };
    let issue_amount = json_decimal(get("issue_amount")?, &field("issue_amount"))?;
    let rate = schedule_rate(
        get("prefixed_interest_rate")?,
        &field("prefixed_interest_rate"),
        options,
    )?;
    let mut contract = Contract::new(disbursement_date, issue_amount, rate, installments);
    if let Some(t) = map.get("interest_type").and_then(Value::as_str) {
        contract.amortization = Amortization::from_interest_type(t).ok_or_else(|| {
            Error::invalid(
                field("interest_type"),
                format!("{t:?}"),
                "unknown interest type",
            )
        })?;
    }
    let fine = match map.get("fine_configuration") {
        Some(_) => fine_configuration(&Value::Object(map.clone()), prefix.trim_end_matches('.'))?,
        None => None,
    };
    Ok(match fine {
        Some(f) => contract.with_fine(f),
        None => contract,
    })
}

/// The working rate of a printed `prefixed_interest_rate` under the options' conventions.
fn schedule_rate(v: &Value, field: &str, options: &SimulationOptions) -> Result<InterestRate> {
    let at = |k: &str| {
        v.get(k)
            .ok_or_else(|| Error::missing(format!("{field}.{k}")))
    };
    let base_field = format!("{field}.interest_base");
    let base = match at("interest_base")? {
        Value::String(s) => InterestBase::parse_named(s, &base_field)?,
        // QI's BNPL GET: {"enumerator": "calendar_days", "year_days": 360}.
        Value::Object(o) => match o.get("enumerator").and_then(Value::as_str) {
            Some(s) => InterestBase::parse_named(s, &format!("{base_field}.enumerator"))?,
            None => return Err(Error::missing(format!("{base_field}.enumerator"))),
        },
        other => {
            return Err(Error::wrong_type(
                base_field,
                other.to_string(),
                "expected a string",
            ));
        }
    };
    let annual = json_decimal(at("annual_rate")?, &format!("{field}.annual_rate"))?;
    let input = match v.get("monthly_rate") {
        Some(m) => {
            let m = MonthlyRate::new(json_decimal(m, &format!("{field}.monthly_rate"))?)?;
            if m.to_annual().value() == crate::num::round_dp(annual, 8) {
                RateInput::Monthly(m)
            } else {
                RateInput::Annual(AnnualRate::new(annual)?)
            }
        }
        None => RateInput::Annual(AnnualRate::new(annual)?),
    };
    InterestRate::with_conventions(input, base, options.get_conventions())
}

/// `fine_configuration {contract_fine_rate, monthly_rate}` of `parent`, if present.
fn fine_configuration(parent: &Value, parent_field: &str) -> Result<Option<FineConfiguration>> {
    let Some(fc) = parent.get("fine_configuration") else {
        return Ok(None);
    };
    let field = if parent_field.ends_with("fine_configuration") {
        parent_field.to_string()
    } else if parent_field.is_empty() {
        "fine_configuration".to_string()
    } else {
        format!("{parent_field}.fine_configuration")
    };
    let rate = |k: &str| -> Result<Option<rust_decimal::Decimal>> {
        fc.get(k)
            .filter(|v| !v.is_null())
            .map(|v| json_decimal(v, &format!("{field}.{k}")))
            .transpose()
    };
    match (rate("contract_fine_rate")?, rate("monthly_rate")?) {
        (None, None) => Ok(None),
        (f, m) => Ok(Some(FineConfiguration::new(
            f.unwrap_or_default(),
            m.unwrap_or_default(),
        ))),
    }
}

/// A `YYYY-MM-DD` JSON string.
fn date_of(v: &Value, field: &str) -> Result<NaiveDate> {
    match v.as_str() {
        Some(s) => parse_date(s, field),
        None => Err(Error::wrong_type(
            field,
            v.to_string(),
            "expected a date string",
        )),
    }
}

/// The inquiry for a contract in JSON text on `date`.
///
/// # Errors
/// Any input error, naming the field and value.
///
/// ```
/// use qitech_sim::api::present_value_json;
/// use qitech_sim::present_value::PresentValueOptions;
/// use qitech_sim::{NaiveDate, SimulationOptions};
/// let body = r#"{"financial": {"installment_face_value": 100.0, "number_of_installments": 2,
///     "monthly_interest_rate": 0.0205, "disbursement_date": "2023-03-14",
///     "first_due_date": "2023-04-07"}}"#;
/// let date = NaiveDate::from_ymd_opt(2023, 3, 14).unwrap();
/// let r = present_value_json(body, "body", date, &SimulationOptions::new(), &PresentValueOptions::new())?;
/// assert_eq!(r.data.balance_due.0.to_string(), "194.80");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn present_value_json(
    text: &str,
    source_name: &str,
    date: NaiveDate,
    options: &SimulationOptions,
    pv_options: &PresentValueOptions,
) -> Result<PresentValueResponse> {
    let contract = contract_from_json(text, source_name, options)?;
    let pv = present_value(&contract, date, pv_options)?;
    Ok(PresentValueResponse::new(&pv))
}
