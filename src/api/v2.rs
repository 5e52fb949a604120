//! QI's v2 simulation endpoint (`/v2/credit_operation/simulation`,
//! <https://docs.qitech.com.br/en/documentation/emissao_de_divida/simulacao_de_divida_novo>): its flat
//! request body, its response shape, and the pipeline text → [`V2Request`] → [`simulate`] →
//! [`V2Response`]. Translation only: every number comes from the engine's [`Quote`].
//!
//! The request is flat (no `financial` block): `disbursed_issue_amount` or `installment_face_value`,
//! `monthly_interest_rate` or `annual_interest_rate`, `number_of_installments`,
//! `disbursement_date`, `first_due_date` (default: the business day on or after one month after
//! the disbursement), `interest_type`, `issuer_person_type`, a root `interest_base` (explicit: it wins over
//! the product's base), `fees[]` (`type` `internal`: a fee added to `assignment_amount` only,
//! [`FeeClass::AssignmentOnly`]; `external`: echoed, and refused unless its amount is 0, because
//! its effect on the amounts is not documented).
//!
//! `force_installments_on_workdays: true` moves each due date to the next business day before the
//! days are counted. Refused, naming the field, because their arithmetic is not implemented (never
//! ignored): `principal_amortization_month_period` other than 1, a custom `installments` schedule,
//! grace periods.
//!
//! The response prints CET in percent, the IOF parts and rates as the conventions say (the
//! `qi-v2` profile reproduces `fixtures/qi-examples/v2-sim-2025.response.json`). Omitted: the
//! installments' `period`, `period_workdays`, `period_to_disbursement` and
//! `period_workdays_to_disbursement` (19/31, 13/21, 19/31 and 1.0 in QI's example): display ratios
//! whose denominators no documented rule derives, so the crate does not guess them.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::Value;

use super::config::read_amount_type;
use super::json::{Obj, ReadOptions, UnknownKey, refuse_unknown, unknown_in};
use super::number::Num;
use super::request::read_credit_operation_type;
use super::simulation::{PrefixedInterestRateJson, rate_json};
use super::strict::with_tree;
use super::tree::{Node, lookup};
use super::writer::{self, json_struct};
use crate::error::{Error, Result};
use crate::fees::{AmountType, FeeClass, FeeRule, Pricing};
use crate::iof::PersonType;
use crate::rate::{InterestBase, InterestRate};
use crate::schedule::Amortization;
use crate::simulation::{
    Amount, FirstDue, LoanTerms, Quote, Simulation, SimulationOptions, simulate,
};

/// The root keys that mark a v2 body (with no `financial` object).
const V2_KEYS: &[&str] = &[
    "disbursed_issue_amount",
    "installment_face_value",
    "issuer_person_type",
    "number_of_installments",
    "force_installments_on_workdays",
    "principal_amortization_month_period",
];

/// Whether a parsed request is a v2 body: an object without a `financial` object and with one of
/// the v2 root keys (`disbursed_issue_amount`, `installment_face_value`, `issuer_person_type`,
/// `number_of_installments`, `force_installments_on_workdays`,
/// `principal_amortization_month_period`).
pub fn is_v2_value(v: &Value) -> bool {
    is_v2(&Node::from_value(v))
}

/// [`is_v2_value`] on a parsed tree.
pub(super) fn is_v2(v: &Node<'_>) -> bool {
    match v.as_object() {
        Some(map) => {
            lookup(map, "financial").is_none_or(|f| f.as_object().is_none())
                && V2_KEYS.iter().any(|k| lookup(map, k).is_some())
        }
        None => false,
    }
}

/// [`is_v2_value`] on JSON text (false for text that is not JSON).
pub fn is_v2_body(text: &str) -> bool {
    serde_json::from_str::<Value>(text).is_ok_and(|v| is_v2_value(&v))
}

/// A v2 `fees[]` item as given.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct V2Fee {
    /// `type`: `internal` or `external`.
    pub kind: V2FeeKind,
    /// The fee rule (an `internal` fee has class [`FeeClass::AssignmentOnly`]).
    pub rule: FeeRule,
}

/// A v2 fee's `type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum V2FeeKind {
    /// `internal`: added to `assignment_amount` only.
    Internal,
    /// `external`: accepted with amount 0 only.
    External,
}

impl V2FeeKind {
    /// QI's name.
    pub fn as_str(self) -> &'static str {
        match self {
            V2FeeKind::Internal => "internal",
            V2FeeKind::External => "external",
        }
    }
}

/// A v2 simulation request, read and validated.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct V2Request {
    /// The typed loan.
    pub terms: LoanTerms,
    /// `fees[]`, in order.
    pub fees: Vec<V2Fee>,
    /// `credit_operation_type`, echoed (default `ccb`).
    pub credit_operation_type: String,
    /// A hash of the body in canonical form, for a summary's `key` (`None`: not read from JSON).
    pub(crate) text_hash: Option<u128>,
}

impl V2Request {
    /// Reads a v2 body from JSON text; `source_name` names the input in errors.
    ///
    /// # Errors
    /// [`Error::Json`] for text that is not JSON; otherwise an error naming the field and value.
    pub fn from_json(text: &str, source_name: &str) -> Result<Self> {
        with_tree(text, source_name, |v| {
            Self::from_tree_with(v, ReadOptions::default())
        })
    }

    /// Reads a v2 body from a parsed value, refusing keys the v2 page does not list (with the
    /// nearest known key), as the `financial` body does.
    ///
    /// # Errors
    /// An error naming the field (its v2 path) and value; [`Error::Unsupported`](crate::ErrorKind)
    /// for the fields whose arithmetic is not implemented (see the module docs).
    pub fn from_value(v: &Value) -> Result<Self> {
        Self::from_value_with(v, ReadOptions::default())
    }

    /// [`V2Request::from_value`] with the parse options `read` (unknown keys accepted when it
    /// allows them).
    ///
    /// # Errors
    /// As [`V2Request::from_value`].
    pub fn from_value_with(v: &Value, read: ReadOptions) -> Result<Self> {
        Self::from_tree_with(&Node::from_value(v), read)
    }

    /// [`V2Request::from_value_with`] on a parsed tree.
    pub(super) fn from_tree_with(v: &Node<'_>, read: ReadOptions) -> Result<Self> {
        refuse_unknown(first_unknown_v2_key(v), Self::read(v), read).map_err(v2_paths)
    }

    fn read(v: &Node<'_>) -> Result<Self> {
        let root = Obj::root(v, "request")?;
        // "Ensures all installment due dates are moved to the next business day": the loan's
        // `move_due_dates` (the crate's conventions, *Dates and day counts*).
        let move_due_dates = root
            .bool("force_installments_on_workdays")?
            .unwrap_or(false);
        if let Some(p) = root.u32("principal_amortization_month_period")?
            && p != 1
        {
            return Err(Error::unsupported(
                "principal_amortization_month_period",
                p,
                "only monthly amortization (1) is supported",
            ));
        }
        if let Some(i) = root.get("installments") {
            return Err(Error::unsupported(
                "installments",
                short(i),
                "custom installment schedules are not supported",
            ));
        }
        for k in ["interest_grace_period", "principal_grace_period"] {
            if let Some(g) = root.u32(k)?
                && g != 0
            {
                return Err(Error::unsupported(k, g, "grace periods are not supported"));
            }
        }
        let interest_type = root
            .string("interest_type")?
            .unwrap_or_else(|| Amortization::PriceDays.as_str().into());
        let Some(amortization) = Amortization::from_interest_type(&interest_type) else {
            return Err(Error::unsupported(
                "interest_type",
                format!("{interest_type:?}"),
                "only pre_price_days, pre_price and pre_sac are supported",
            ));
        };
        let explicit_base = root.get("interest_base").is_some();
        let base = match root.string("interest_base")? {
            Some(b) => InterestBase::parse_named(&b, "interest_base")?,
            None => InterestBase::CalendarDays,
        };
        let rate = InterestRate::new(root.rate_input()?, base)?;
        let amount = match (
            root.decimal("disbursed_issue_amount")?,
            root.decimal("installment_face_value")?,
        ) {
            (Some(d), None) => Amount::Disbursed(d),
            (None, Some(f)) => Amount::InstallmentFaceValue(f),
            (Some(d), Some(_)) => {
                return Err(Error::conflict(
                    "installment_face_value",
                    d,
                    "give disbursed_issue_amount or installment_face_value, not both",
                ));
            }
            (None, None) => return Err(Error::missing("disbursed_issue_amount")),
        };
        let disbursement_date =
            root.required("disbursement_date", root.date("disbursement_date")?)?;
        let first_due = match root.date("first_due_date")? {
            Some(d) => FirstDue::Date(d),
            None => FirstDue::OneMonth,
        };
        let n = root.required(
            "number_of_installments",
            root.u32("number_of_installments")?,
        )?;
        let person_type = match root.string("issuer_person_type")? {
            Some(pt) => PersonType::parse_named(&pt, "issuer_person_type")?,
            None => Default::default(),
        };
        let mut fees = vec![];
        for f in root.array("fees", super::MAX_FEES)? {
            let kind = match f.required("type", f.string("type")?)?.as_str() {
                "internal" => V2FeeKind::Internal,
                "external" => V2FeeKind::External,
                other => {
                    return Err(Error::invalid(
                        f.field("type"),
                        format!("{other:?}"),
                        "expected internal or external",
                    ));
                }
            };
            let fee_type = f.required("fee_type", f.string("fee_type")?)?;
            let amount_type = read_amount_type(&f)?;
            let amount = f.required("amount", f.decimal("amount")?)?;
            if kind == V2FeeKind::External && !amount.is_zero() {
                return Err(Error::unsupported(
                    f.field("amount"),
                    amount,
                    "the effect of a nonzero external fee on the v2 amounts is not documented",
                ));
            }
            let class = match kind {
                V2FeeKind::Internal => FeeClass::AssignmentOnly,
                V2FeeKind::External => FeeClass::Deducted,
            };
            let rule = FeeRule::new(
                f.field("").trim_end_matches('.'),
                fee_type,
                amount_type,
                amount,
                Decimal::ZERO,
            )?
            .class(class);
            fees.push(V2Fee { kind, rule });
        }
        let terms = LoanTerms::with_amount(amount, n, rate, disbursement_date, first_due)?
            .amortization(amortization)
            .borrower(person_type)
            .explicit_interest_base(explicit_base)
            .move_due_dates(move_due_dates);
        terms.validate()?;
        Ok(V2Request {
            terms,
            fees,
            credit_operation_type: read_credit_operation_type(&root)?,
            text_hash: None,
        })
    }

    /// The request's fees as a pricing: internal fees as assignment-only contract fees, external
    /// ones (amount 0) as untaxed external fees.
    pub fn pricing(&self) -> Pricing {
        let mut p = Pricing::default();
        for f in &self.fees {
            match f.kind {
                V2FeeKind::Internal => p.contract_fees.push(f.rule.clone()),
                V2FeeKind::External => p.external_contract_fees.push(f.rule.clone()),
            }
        }
        p
    }
}

/// The compact JSON of `v`, cut after 57 characters: the value a v2 error echoes.
fn short(v: &Node<'_>) -> String {
    let s = v.to_string();
    match s.char_indices().nth(57) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s,
    }
}

json_struct! {
    /// One of the v2 response's `fees`.
    pub struct V2FeeJson {
        /// `amount` as given.
        amount: Num => "amount",
        /// `amount_type`.
        amount_type: AmountType => "amount_type",
        /// `fee_amount`: `round2(amount / 100 × issue_amount)` or `amount`.
        fee_amount: Num => "fee_amount",
        /// `fee_type`.
        fee_type: String => "fee_type",
        /// `type`: `internal` or `external`.
        kind: String => "type",
    }
}

json_struct! {
    /// The v2 response's `tax_configuration`: the IOF rates priced.
    pub struct TaxConfigurationJson {
        /// `additional_rate` (0.0038).
        additional_rate: Num => "additional_rate",
        /// `base_rate`: the daily rate (0.000082).
        base_rate: Num => "base_rate",
    }
}

json_struct! {
    /// One installment of the v2 response.
    pub struct V2InstallmentJson {
        /// `amount`: what the borrower pays.
        amount: Num => "amount",
        /// `calendar_days` of the period.
        calendar_days: u32 => "calendar_days",
        /// `calendar_days_to_disbursement`: calendar days from the disbursement to the due date.
        calendar_days_to_disbursement: u32 => "calendar_days_to_disbursement",
        /// `due_date`.
        due_date: NaiveDate => "due_date" [date],
        /// `due_interest` (0: nothing accrued on a new loan).
        due_interest: Num => "due_interest",
        /// `due_principal`: the outstanding principal before the installment.
        due_principal: Num => "due_principal",
        /// `has_interest`.
        has_interest: bool => "has_interest",
        /// `installment_number`.
        installment_number: u32 => "installment_number",
        /// `prefixed_amount`: the interest part.
        prefixed_amount: Num => "prefixed_amount",
        /// `principal_amortization_amount`.
        principal_amortization_amount: Num => "principal_amortization_amount",
        /// `tax_amount`: the installment's daily IOF.
        tax_amount: Num => "tax_amount",
        /// `workdays` of the period.
        workdays: u32 => "workdays",
        /// `workdays_to_disbursement`: business days in (disbursement, due date].
        workdays_to_disbursement: u32 => "workdays_to_disbursement",
    }
}

json_struct! {
    /// The v2 simulation response (QI prints it without an envelope).
    pub struct V2Response {
        /// `additional_iof`.
        additional_iof: Num => "additional_iof",
        /// `annual_cet`, in percent.
        annual_cet: Num => "annual_cet",
        /// `assignment_amount`: issue + every contract fee (internal ones included).
        assignment_amount: Num => "assignment_amount",
        /// `base_iof`.
        base_iof: Num => "base_iof",
        /// `cet`, monthly, in percent.
        cet: Num => "cet",
        /// `credit_operation_type`, echoed.
        credit_operation_type: String => "credit_operation_type",
        /// `disbursed_amount`: what the borrower receives.
        disbursed_amount: Num => "disbursed_amount",
        /// `disbursement_date`.
        disbursement_date: NaiveDate => "disbursement_date" [date],
        /// `fees`: external ones first, then internal ones.
        fees: Vec<V2FeeJson> => "fees",
        /// `first_due_date`.
        first_due_date: NaiveDate => "first_due_date" [date],
        /// `installments`.
        installments: Vec<V2InstallmentJson> => "installments",
        /// `interest_type`.
        interest_type: String => "interest_type",
        /// `issue_amount`.
        issue_amount: Num => "issue_amount",
        /// `number_of_installments`.
        number_of_installments: u32 => "number_of_installments",
        /// `prefixed_interest_rate`.
        prefixed_interest_rate: PrefixedInterestRateJson => "prefixed_interest_rate",
        /// `tax_configuration`.
        tax_configuration: TaxConfigurationJson => "tax_configuration",
        /// `total_iof`.
        total_iof: Num => "total_iof",
    }
}

impl V2Response {
    /// The v2 response of `request` from its quote `q` (the requested disbursement date).
    pub fn new(request: &V2Request, q: &Quote) -> Self {
        let workdays = q.schedule.workdays_from_disbursement();
        let installments = q
            .schedule
            .installments
            .iter()
            .zip(workdays)
            .map(|(i, w)| V2InstallmentJson {
                amount: i.total_amount.into(),
                calendar_days: i.period.calendar_days,
                calendar_days_to_disbursement: i.period.days_from_disbursement,
                due_date: i.period.due_date,
                due_interest: Num::default(),
                due_principal: i.due_principal.into(),
                has_interest: true,
                installment_number: i.period.number,
                prefixed_amount: i.pre_fixed_amount.into(),
                principal_amortization_amount: i.principal_amortization_amount.into(),
                tax_amount: i.tax_amount.into(),
                workdays: i.period.workdays,
                workdays_to_disbursement: w,
            })
            .collect();
        let fee = |rule: &FeeRule, fee_amount: Decimal, kind: V2FeeKind| V2FeeJson {
            amount: rule.amount.into(),
            amount_type: rule.amount_type,
            fee_amount: fee_amount.into(),
            fee_type: rule.fee_type.clone(),
            kind: kind.as_str().into(),
        };
        let fees = q
            .fees
            .external
            .iter()
            .map(|f| fee(&f.rule, f.fee_amount, V2FeeKind::External))
            .chain(
                q.fees
                    .contract
                    .iter()
                    .map(|f| fee(&f.rule, f.fee_amount, V2FeeKind::Internal)),
            )
            .collect();
        V2Response {
            additional_iof: q.iof.additional.into(),
            annual_cet: q.cet.annual_percent().into(),
            assignment_amount: q.assignment_amount.into(),
            base_iof: q.iof.base.into(),
            cet: q.cet.monthly_percent().into(),
            credit_operation_type: request.credit_operation_type.clone(),
            disbursed_amount: q.disbursed_issue_amount.into(),
            disbursement_date: q.disbursement_date,
            fees,
            first_due_date: q.first_due_date,
            installments,
            interest_type: q.amortization.as_str().into(),
            issue_amount: q.schedule.issue_amount.into(),
            number_of_installments: request.terms.number_of_installments,
            prefixed_interest_rate: rate_json(q),
            tax_configuration: TaxConfigurationJson {
                additional_rate: q.iof_rates.additional.into(),
                base_rate: q.iof_rates.daily.into(),
            },
            total_iof: q.iof.total.into(),
        }
    }

    /// The response as compact JSON (the same bytes as `serde_json::to_vec(self)`).
    pub fn to_json_bytes(&self) -> Vec<u8> {
        writer::to_json_bytes(self, 1024 + 400 * self.installments.len())
    }
}

/// Runs a v2 simulation body end to end: JSON text in, the v2 response out, under `options`'
/// conventions (pass [`Profile::QiV2`](crate::conventions::Profile::QiV2)'s to reproduce QI's v2
/// numbers). The request's `fees[]` are its pricing: `options` must carry no fees of its own.
///
/// # Errors
/// Any input error, naming the field and value; [`Error::Conflict`](crate::ErrorKind) on
/// `contract_fees` when `options` carries configured fees.
///
/// ```
/// use qitech_sim::{api, SimulationOptions};
/// use qitech_sim::conventions::{Conventions, Profile};
/// let body = r#"{"disbursed_issue_amount": 35.9, "monthly_interest_rate": 0.07,
///     "number_of_installments": 2, "disbursement_date": "2024-09-06",
///     "first_due_date": "2024-09-25", "issuer_person_type": "natural"}"#;
/// let options = SimulationOptions::new().conventions(Conventions::profile(Profile::QiV2));
/// let r = api::v2_simulate_json(body, &options)?;
/// assert_eq!(r.issue_amount.0.to_string(), "36.14");
/// assert_eq!(r.installments[0].prefixed_amount.0.to_string(), "1.58227236");
/// assert_eq!((r.cet.0.to_string(), r.annual_cet.0.to_string()), ("7.76".into(), "145.08".into()));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn v2_simulate_json(text: &str, options: &SimulationOptions) -> Result<V2Response> {
    v2_simulate_request(&V2Request::from_json(text, "request")?, options)
}

/// [`v2_simulate_json`] for a request already read.
///
/// # Errors
/// As [`v2_simulate_json`].
pub fn v2_simulate_request(request: &V2Request, options: &SimulationOptions) -> Result<V2Response> {
    let sim = v2_simulation(request, options)?;
    Ok(V2Response::new(request, sim.first()))
}

/// The engine's simulation of a v2 body: its `fees[]` as the pricing (`options` must carry no
/// fees of its own), errors named by their v2 paths.
pub(crate) fn v2_simulation(
    request: &V2Request,
    options: &SimulationOptions,
) -> Result<Simulation> {
    let configured = options.get_pricing();
    if let Some(f) = configured
        .contract_fees
        .first()
        .or(configured.external_contract_fees.first())
    {
        return Err(Error::conflict(
            "contract_fees",
            format!("{:?}", f.fee_type),
            "a v2 body carries its fees in fees[]; configured fees apply to the financial body",
        ));
    }
    let options = options.clone().pricing(request.pricing());
    simulate(&request.terms, &options).map_err(v2_paths)
}

/// The v2 wire's names for the engine's fields: the engine names the `financial` body's paths
/// (`financial.number_of_installments`); a v2 body has those keys at its root, and names the
/// disbursed amount `disbursed_issue_amount`. The one place the v2 door translates an error.
pub(crate) fn v2_paths(e: Error) -> Error {
    e.rename_field(|f| match f.strip_prefix("financial.")? {
        "disbursed_amount" => Some("disbursed_issue_amount".to_string()),
        other => Some(other.to_string()),
    })
}

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
pub(super) fn first_unknown_v2_key(v: &Node<'_>) -> Option<UnknownKey> {
    let root = v.as_object()?;
    if let Some(u) = unknown_in(root, "", V2_BODY_KEYS) {
        return Some(u);
    }
    match lookup(root, "fees") {
        Some(Node::Array(items)) => items
            .iter()
            .enumerate()
            .find_map(|(i, x)| unknown_in(x.as_object()?, &format!("fees[{i}]"), V2_FEE_KEYS)),
        _ => None,
    }
}
