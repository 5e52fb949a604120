//! The partner configuration (`--config`): the pricing (fees in the response's vocabulary,
//! `contract_fees` / `external_contract_fees`, or the request's, `rebates`), the `"profile"` and
//! the `"conventions"` switches; and the fee readers the request body shares.

use rust_decimal::Decimal;
use serde_json::Value;

use super::json::{Obj, ReadOptions, parse_json, short, suggestion, unknown_in};
use super::tree::{Node, lookup};
use crate::conventions::{Conventions, ConventionsConfig, Profile};
use crate::error::{Error, Result};
use crate::fees::{AmountType, FeeClass, FeeRule, Pricing};

/// Most fees each list of a pricing configuration (`contract_fees`, `external_contract_fees`) may
/// hold.
pub const MAX_FEES: usize = 64;

/// Request-side (or pricing-file) fees in QI's vocabulary, `rebates[{fee_type, amount_type,
/// amount}]`, as a [`Pricing`]: `tac` is a contract fee (deducted from the disbursement, added to
/// `assignment_amount`), `spread` the partner's external fee (taxed at `tax_rate`, pricing file
/// only; 0 in a request). Every other documented `fee_type` is refused: `ted_fee`,
/// `spread_ted_fee` and `insurance_premium` have no documented effect on the amounts, and
/// `insurance_premium_qi` is priced by QI from its own table.
pub(super) fn read_rebates(obj: &Obj<'_>, key: &str, taxed: bool) -> Result<Pricing> {
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
                return Err(Error::invalid(
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
    at.parse().map_err(|_| {
        Error::invalid(
            f.field("amount_type"),
            format!("{at:?}"),
            format!("expected {}", AmountType::NAMES.join(" or ")),
        )
    })
}

/// One fee entry: `amount_type`, `amount`, and `tax_rate` when `taxed`; `type: internal` makes a
/// contract fee [`FeeClass::AssignmentOnly`].
fn read_fee(f: &Obj<'_>, fee_type: String, taxed: bool) -> Result<FeeRule> {
    let amount_type = read_amount_type(f)?;
    let amount = f.required("amount", f.decimal("amount")?)?;
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
            return Err(Error::invalid(
                f.field("type"),
                format!("{other:?}"),
                "expected internal (added to assignment_amount only) or contract",
            ));
        }
    };
    let by_class = match f.string("class")?.as_deref() {
        None => None,
        Some(name) => Some(name.parse::<FeeClass>().map_err(|_| {
            Error::invalid(
                f.field("class"),
                format!("{name:?}"),
                format!("expected {}", FeeClass::NAMES.join(" or ")),
            )
        })?),
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
        return Err(Error::invalid(
            f.field("class"),
            class.as_str(),
            "external fees have no class (deducted only)",
        ));
    }
    Ok(rule.class(class))
}

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

/// Keys of the pricing configuration's `conventions`.
const CONVENTION_KEYS: &[&str] = &["move_due_dates"];

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
    pricing_from_value(
        &v,
        source_name,
        ReadOptions::default().allow_unknown(allow_unknown),
        false,
    )
}

/// [`pricing_from_json_with`] on a parsed configuration. `partner`: the whole partner
/// configuration ([`config_from_json`]), whose `profile` and `conventions` switches
/// [`ConventionsConfig`] reads and checks; otherwise only `conventions.move_due_dates` is known.
fn pricing_from_value(
    v: &Value,
    source_name: &str,
    read: ReadOptions,
    partner: bool,
) -> Result<Pricing> {
    let tree = Node::from_value(v);
    let root = Obj::root(&tree, source_name)?;
    if root.get("financial").is_some() {
        return Err(Error::invalid(
            source_name,
            "{\"financial\": …}",
            "this is a simulation request, not a pricing configuration (contract_fees, \
             external_contract_fees, rebates, conventions)",
        ));
    }
    if !read.allow_unknown_fields {
        let mut found = unknown_in(
            root.entries,
            "",
            if partner { PARTNER_KEYS } else { PRICING_KEYS },
        );
        for list in ["contract_fees", "external_contract_fees", "rebates"] {
            if let Some(Node::Array(items)) = lookup(root.entries, list) {
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
            && let Some(Node::Object(m)) = lookup(root.entries, "conventions")
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
    // The switches are the crate's conventions (one owner): the partner configuration reads them
    // ([`ConventionsConfig`]); a fees-only pricing has nowhere to keep one, so a switch that
    // would change a number is refused rather than dropped.
    if !partner
        && let Some(c) = root.object("conventions")?
        && let Some((key, value)) = c.entries.iter().find(|(_, v)| *v != Node::Bool(false))
    {
        return Err(Error::invalid(
            format!("conventions.{key}"),
            value.to_string(),
            "a convention switch, not a fee: read the file as the partner configuration \
             (api::config_from_json, the CLI's --config) or set it on the options \
             (SimulationOptions::move_due_dates, ::conventions)",
        ));
    }
    let pricing = Pricing {
        contract_fees: read("contract_fees", false)?,
        external_contract_fees: read("external_contract_fees", true)?,
    };
    Ok(pricing.merged(&read_rebates(&root, "rebates", true)?))
}

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
    let pricing = pricing_from_value(
        &v,
        source_name,
        ReadOptions::default().allow_unknown(allow_unknown),
        true,
    )?;
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
