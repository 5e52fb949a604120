//! Numbers as QI prints and reads them: [`Num`] (a decimal that prints as a JSON number), the reader
//! of JSON numbers into decimals, and the pt-BR percentage strings of the issuance response.
//!
//! * An integral value prints as an integer (`100`, `1`, `0`, as QI prints `total_amount` and fee
//!   amounts); any other value as the `f64` nearest to the decimal (correctly rounded, so
//!   `0.1905254815358736` prints as QI prints it). A non-integral decimal whose nearest `f64` is
//!   integral (amounts above 2⁵³ cents) prints as that integer, so that it reads back to itself.
//! * A JSON number is read through its shortest decimal representation (`0.0205` is the decimal
//!   0.0205, not the binary double nearest it); a plain decimal string (`"0.0133"`) is accepted too,
//!   as some of QI's pages send rates quoted. The request parser (`api/strict.rs`) hands a number
//!   token no double holds (`90071992547409.93`) over as its decimal text, so JSON text is read
//!   exactly; a `serde_json::Value` built by a caller holds doubles, read as above.

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use super::tree::Node;
use crate::error::{Error, Result};
use crate::num;

/// A JSON number backed by a decimal: serialises as QI prints it (integer when integral, else the
/// correctly rounded `f64`), parses from any JSON number through its shortest decimal string.
///
/// Equality is equality of the printed JSON number: two values are equal when they serialise to the
/// same number. A decimal with more digits than a double carries (an unrounded interest, an
/// `annual_cet`) equals the value read back from its own JSON, so a response serialised and read back
/// equals itself.
///
/// ```
/// use qitech_sim::api::Num;
/// use qitech_sim::Decimal;
/// let n = Num(Decimal::new(19480, 2));
/// assert_eq!(serde_json::to_string(&n)?, "194.8");
/// assert_eq!(serde_json::to_string(&Num(Decimal::new(10000, 2)))?, "100");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Num(pub Decimal);

/// The JSON token a [`Num`] prints as.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Printed {
    /// An integer.
    Int(i64),
    /// A non-integral double.
    Float(f64),
}

/// Largest magnitude below which every integer is exactly a double (2⁵³).
const EXACT_INT_F64: f64 = 9_007_199_254_740_992.0;

impl Num {
    /// The JSON value this number prints as: an integer, or the nearest `f64`.
    pub(crate) fn printed(&self) -> Printed {
        let d = num::normalize(self.0);
        if d.scale() == 0
            && let Ok(i) = i64::try_from(d)
        {
            return Printed::Int(i);
        }
        let f = num::to_f64(d);
        // A double with no fraction prints as `123.0` through serde_json, which is not QI's format and
        // reads back as an integer; print such a value as the integer it is.
        if f.fract() == 0.0 && f.abs() < EXACT_INT_F64 {
            return Printed::Int(f as i64);
        }
        Printed::Float(f)
    }
}

impl PartialEq for Num {
    fn eq(&self, other: &Self) -> bool {
        // The same JSON number: equal tokens, or an integer token and a double of that value (a
        // double above 2⁵³ has no fraction, and reads back as an integer).
        self.0 == other.0
            || match (self.printed(), other.printed()) {
                (Printed::Int(a), Printed::Int(b)) => a == b,
                (Printed::Float(a), Printed::Float(b)) => a == b,
                (Printed::Int(i), Printed::Float(f)) | (Printed::Float(f), Printed::Int(i)) => {
                    f.fract() == 0.0 && (i as f64) == f
                }
            }
    }
}

impl Serialize for Num {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self.printed() {
            Printed::Int(i) => s.serialize_i64(i),
            Printed::Float(f) => s.serialize_f64(f),
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

/// A JSON number (or a plain decimal string) as a decimal; `field` names it in the error
/// ([`node_decimal`] on the value's tree).
pub(crate) fn json_decimal(v: &Value, field: &str) -> Result<Decimal> {
    node_decimal(&Node::from_value(v), field)
}

/// A JSON number (or a plain decimal string) of a parsed body as a decimal; `field` names it in the
/// error.
pub(crate) fn node_decimal(v: &Node<'_>, field: &str) -> Result<Decimal> {
    match v {
        Node::Number(n, token) => {
            if let Some(d) = token.decimal() {
                Ok(d)
            } else if let Some(i) = n.as_i64() {
                Ok(Decimal::from(i))
            } else if let Some(u) = n.as_u64() {
                Ok(Decimal::from(u))
            } else {
                num::from_f64_shortest(n.as_f64().unwrap_or(f64::NAN), field)
            }
        }
        // QI's manuals sometimes quote amounts; accept a plain decimal string.
        Node::String(s) => {
            let d = s
                .trim()
                .parse::<Decimal>()
                .map_err(|_| Error::wrong_type(field, format!("{s:?}"), "expected a number"))?;
            if d.is_zero() && s.bytes().any(|b| matches!(b, b'1'..=b'9')) {
                return Err(Error::out_of_range(
                    field,
                    format!("{s:?}"),
                    "number too small for a decimal (below 1e-28)",
                ));
            }
            Ok(d)
        }
        other => Err(Error::wrong_type(field, other, "expected a number")),
    }
}

/// A fraction as a pt-BR percentage string with 4 decimals, as QI's issuance response prints the CET:
/// 0.0402 → `"4,0200%"`, half-even (the fraction is rounded to 6 decimals, the percentage's 4). Exact
/// and total: any decimal prints, however large.
///
/// ```
/// use qitech_sim::api::percent_pt_br;
/// use qitech_sim::Decimal;
/// assert_eq!(percent_pt_br(Decimal::new(402, 4)), "4,0200%");
/// assert_eq!(percent_pt_br(Decimal::new(-5, 7)), "0,0000%");
/// assert_eq!(percent_pt_br(Decimal::new(-12345, 4)), "-123,4500%");
/// assert_eq!(percent_pt_br(Decimal::MAX), "7922816251426433759354395033500,0000%");
/// ```
pub fn percent_pt_br(fraction: Decimal) -> String {
    // round6(fraction) has at most 28 digits; its mantissa over 10⁴ is the percentage's integer part.
    let r = num::round_dp(fraction, 6);
    let mantissa = r.mantissa().unsigned_abs() * 10u128.pow(6 - r.scale().min(6));
    let (int, frac) = (mantissa / 10_000, mantissa % 10_000);
    let sign = if r.is_sign_negative() && mantissa != 0 {
        "-"
    } else {
        ""
    };
    format!("{sign}{int},{frac:04}%")
}
