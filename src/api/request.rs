//! The simulation and issuance request body (`/debt_simulation`, `/debt`): [`SimulationRequest`],
//! read field by field with the shared JSON machinery (`api/json.rs`).
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
//! * a date not written exactly `YYYY-MM-DD` ([`parse_date`](super::parse_date): `2023-3-4`,
//!   `+2023-03-14` and `" 2023-03-14 "` are [`crate::ErrorKind::Invalid`]);
//! * arrays beyond their caps ([`crate::ErrorKind::OutOfRange`] on the array's path):
//!
//! | array | cap |
//! |---|---|
//! | `refinanced_credit_operations` | [`crate::simulation::MAX_REFINANCED`] (100) |
//! | `collaterals` | [`MAX_COLLATERALS`] (16) |
//! | `contract_fees`, `external_contract_fees` of a pricing file | [`super::MAX_FEES`] (64) each |

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::config::read_rebates;
use super::debt::BorrowerJson;
use super::json::{Obj, UnknownKey, short, suggestion, unknown_at, unknown_in};
use super::strict::with_tree;
use super::tree::{Entries, Node};
use crate::error::{Error, Result};
use crate::iof::PersonType;
use crate::rate::{InterestBase, InterestRate};
use crate::schedule::Amortization;
use crate::simulation::{Amount, FirstDue, LoanTerms, SimulationOptions, check_amount};

/// Most `collaterals` a request may list (QI's requests carry one).
pub const MAX_COLLATERALS: usize = 16;

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
        with_tree(text, source_name, |v| {
            let mut request = Self::read_checked(v, Err(&no_refinanced_options()))?;
            // The key hashes the parsed request in its canonical form.
            request.text_hash = super::key::canonical_hash(v);
            Ok(request)
        })
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
    /// [`SimulationRequest::check_fields`]). A refinanced operation given by its `contract` is
    /// refused here: the contract is priced, so it is read with the pricing options
    /// ([`SimulationRequest::from_value_in`], what [`crate::api::Service`] does).
    ///
    /// # Errors
    /// An error naming the field and value.
    pub fn from_value(v: &Value) -> Result<Self> {
        Self::read_checked(&Node::from_value(v), Err(&no_refinanced_options()))
    }

    /// [`SimulationRequest::from_value`], reading each refinanced `contract`
    /// (`refinanced_credit_operations[].contract`, an issuance body or a `debt` response) with
    /// `options` (the outer body's: configuration, conventions, delay unit, unknown keys), as
    /// [`crate::api::contract_from_value`] reads one; its errors name the nested path
    /// (`refinanced_credit_operations[0].contract.financial.number_of_installments`).
    ///
    /// # Errors
    /// As [`SimulationRequest::from_value`]; the contract's errors.
    pub fn from_value_in(v: &Value, options: &SimulationOptions) -> Result<Self> {
        Self::read_checked(&Node::from_value(v), Ok(options))
    }

    /// [`SimulationRequest::from_json`], reading refinanced contracts with `options`
    /// ([`SimulationRequest::from_value_in`]).
    ///
    /// # Errors
    /// As [`SimulationRequest::from_json`] and [`SimulationRequest::from_value_in`].
    pub fn from_json_in(
        text: &str,
        source_name: &str,
        options: &SimulationOptions,
    ) -> Result<Self> {
        with_tree(text, source_name, |v| {
            let mut request = Self::read_checked(v, Ok(options))?;
            request.text_hash = super::key::canonical_hash(v);
            Ok(request)
        })
    }

    /// Reads a request from its parsed tree (refinanced contracts with `options`, or refused with
    /// that error), keeping its first unknown key; a required field missing because it was
    /// misspelt is the misspelling's error.
    pub(crate) fn read_checked(
        v: &Node<'_>,
        options: std::result::Result<&SimulationOptions, &Error>,
    ) -> Result<Self> {
        let unknown = first_unknown_key(v);
        match Self::read(v, options) {
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

    fn read(
        v: &Node<'_>,
        options: std::result::Result<&SimulationOptions, &Error>,
    ) -> Result<Self> {
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
            if let Some(pt) = b.str("person_type")? {
                person_type = Some(b.lazily("person_type", |f| PersonType::parse_named(pt, f))?);
            }
            simples_nacional = b.bool("simples_nacional")?.unwrap_or(false);
        }
        // The v2 body's name of the same fact.
        if let Some(pt) = root.str("issuer_person_type")? {
            let v2 = PersonType::parse_named(pt, "issuer_person_type")?;
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
            .str("interest_type")?
            .unwrap_or(Amortization::PriceDays.as_str());
        let Some(amortization) = Amortization::from_interest_type(interest_type) else {
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
        let base = match fin.str("interest_base")? {
            Some(b) => fin.lazily("interest_base", |f| InterestBase::parse_named(b, f))?,
            None => match fin.object("fine_configuration")? {
                Some(fc) => match fc.str("interest_base")? {
                    Some(b) => fc.lazily("interest_base", |f| InterestBase::parse_named(b, f))?,
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
                    return Err(Error::out_of_range(
                        fin.field("due_dates"),
                        "[]",
                        "must list at least one date",
                    ));
                }
                Some(dates)
            }
            (None, None) => None,
        };
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
            // Explicit due dates (`due_dates`, `desired_installments`) replace the first due
            // date; the terms check them naming each (`financial.due_dates[0]`), not as a
            // `first_due_date` the body does not have.
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
            refinanced.push(super::refinanced::read_refinanced(&r, options)?);
        }
        let mut collaterals = vec![];
        for c in root.array("collaterals", MAX_COLLATERALS)? {
            let t = c.required("collateral_type", c.str("collateral_type")?)?;
            let collateral_type = c.lazily("collateral_type", |f| parse_collateral_type(t, f))?;
            if let Some(data) = c.object("collateral_data")? {
                validate_collateral_data(&data)?;
            }
            collaterals.push(Collateral {
                collateral_type,
                collateral_data: c.get("collateral_data").map(Node::to_value),
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
        terms.validate().map_err(|e| match desired {
            // The terms name their due dates `financial.due_dates[k]`: here they came as
            // `desired_installments[k].due_date`.
            Some(_) => e.rename_field(|f| {
                let k = f.strip_prefix("financial.due_dates")?;
                Some(match k.strip_prefix('[') {
                    Some(rest) => format!("financial.desired_installments[{rest}.due_date"),
                    None => format!("financial.desired_installments{k}"),
                })
            }),
            None => e,
        })?;
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

/// The error a refinanced `contract` is refused with when a body is read without the pricing
/// options ([`SimulationRequest::from_value`]).
fn no_refinanced_options() -> Error {
    Error::unsupported(
        "refinanced_credit_operations[].contract",
        "a contract",
        "a refinanced contract is priced: read the body with its options \
         (api::Service, or SimulationRequest::from_value_in)",
    )
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
        return Err(Error::out_of_range(
            fin.field("desired_installments"),
            "[]",
            "must list at least one installment",
        ));
    }
    if items.len() > crate::schedule::MAX_INSTALLMENTS as usize {
        return Err(Error::out_of_range(
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
        return Err(Error::out_of_range(
            fin.field("disbursement_end_date"),
            end,
            format!("must not be before disbursement_start_date {start}"),
        ));
    }
    let max = crate::simulation::MAX_LIMIT_DAYS;
    let days = u32::try_from(days).unwrap_or(u32::MAX);
    if days > max {
        return Err(Error::out_of_range(
            fin.field("disbursement_end_date"),
            end,
            format!("the window may span at most {max} days after {start}"),
        ));
    }
    Ok((start, Some(days)))
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
                    return Err(Error::out_of_range(
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
        _ => Err(Error::invalid(
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

// ---------------------------------------------------------------------------------------------
// Known keys

/// Keys of `financial` (every documented one, applied, refused or arithmetic-free: the crate's
/// request surface). Public so that other wires (the Arrow columns) name the same fields.
pub const FINANCIAL_KEYS: &[&str] = &[
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
    "contract",
    "disbursement_date",
    "due_balance",
    "monthly_interest_rate",
    "operation_key",
    "original_contract_number",
    "original_deadline",
    "original_financial_institution_document_number",
];

/// The first unknown key of a request body, in reading order: `financial` (and its
/// `fine_configuration`, `rebates[]`, `desired_installments[]`), `borrower`, `collaterals[]`,
/// `refinanced_credit_operations[]`.
fn first_unknown_key(v: &Node<'_>) -> Option<UnknownKey> {
    let root = v.as_object()?;
    // The first unknown key `found` finds in the objects at `key` of `m`: the object itself, or
    // each object of an array with its index (paths are built only for an unknown key).
    fn objects(
        m: &Entries<'_>,
        key: &str,
        mut found: impl FnMut(Option<usize>, &Entries<'_>) -> Option<UnknownKey>,
    ) -> Option<UnknownKey> {
        match super::tree::lookup(m, key) {
            Some(Node::Array(items)) => items
                .iter()
                .enumerate()
                .filter_map(|(i, x)| x.as_object().map(|o| (i, o)))
                .find_map(|(i, o)| found(Some(i), o)),
            Some(Node::Object(o)) => found(None, o),
            _ => None,
        }
    }
    let path = |parent: &str, key: &str, index: Option<usize>| {
        let key = match index {
            Some(i) => format!("{key}[{i}]"),
            None => key.to_string(),
        };
        if parent.is_empty() {
            key
        } else {
            format!("{parent}.{key}")
        }
    };
    if let Some(Node::Object(fin)) = super::tree::lookup(root, "financial") {
        if let Some(u) = unknown_in(fin, "financial", FINANCIAL_KEYS) {
            return Some(u);
        }
        for (key, known) in [
            ("fine_configuration", FINE_KEYS),
            ("rebates", REBATE_KEYS),
            ("desired_installments", DESIRED_KEYS),
        ] {
            let u = objects(fin, key, |i, m| {
                unknown_at(m, || path("financial", key, i), known)
            });
            if u.is_some() {
                return u;
            }
        }
    }
    if let Some(Node::Object(b)) = super::tree::lookup(root, "borrower")
        && let Some(u) = unknown_in(b, "borrower", BORROWER_KEYS)
    {
        return Some(u);
    }
    for (list, known) in [
        ("collaterals", COLLATERAL_KEYS),
        ("refinanced_credit_operations", REFINANCED_KEYS),
    ] {
        // A lone object where a list is expected is refused by the reader, not here.
        let u = objects(root, list, |i, m| {
            i.and_then(|_| unknown_at(m, || path("", list, i), known))
        });
        if u.is_some() {
            return u;
        }
    }
    None
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
        _ => Err(Error::invalid(
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
