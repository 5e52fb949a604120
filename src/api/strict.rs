//! The one JSON parser of request bodies and pricing files: `serde_json`'s, with three checks
//! `serde_json::Value` does not make.
//!
//! * **Duplicate keys** are refused: an object that gives a key twice (`"number_of_installments": 2,
//!   … "number_of_installments": 7`, or two `financial` objects) is an [`ErrorKind::Conflict`] on
//!   the repeated key's path (`financial.number_of_installments`), where `Value` would silently
//!   keep the last one.
//! * **Numbers that underflow** are refused: `1e-400` parses to the double `0.0`, which would price
//!   at 0 %; any number token with a nonzero digit whose double is zero (or subnormal, beyond any
//!   decimal's precision) is an [`ErrorKind::OutOfRange`] on its path. Numbers too large for a
//!   double are already refused by `serde_json`.
//! * **Numbers are read exactly**: a number token a double cannot hold (more than 15 significant
//!   digits whose nearest double prints as another decimal, as `90071992547409.93` prints as
//!   `…409.94`) is kept as its decimal text (a JSON string, up to 28 significant digits), which every
//!   number reader accepts as it accepts a quoted amount; every other token stays a JSON number, its
//!   double's shortest decimal being the token itself. So the numbers of a *text* body are read
//!   exactly. A `serde_json::Value` body built by a Rust caller (`Body::value`) holds doubles
//!   already: its numbers are what `serde_json` made of them (quote an amount to keep it exact).
//! * Paths in those errors are the JSON paths the reader names (`collaterals[0].collateral_type`).
//!
//! [`ErrorKind::Conflict`]: crate::ErrorKind::Conflict
//! [`ErrorKind::OutOfRange`]: crate::ErrorKind::OutOfRange

use std::cell::RefCell;
use std::fmt;

use rust_decimal::Decimal;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use crate::error::{Error, Result};

/// Parses JSON text into a `Value`, refusing duplicate keys and underflowing numbers; `source_name`
/// names the input in a syntax error.
pub(crate) fn parse(text: &str, source_name: &str) -> Result<Value> {
    let Scan { tiny, exact } = scan_numbers(text);
    let state = State {
        tiny,
        exact,
        seen: RefCell::new(0),
        found: RefCell::new(None),
    };
    let mut de = serde_json::Deserializer::from_str(text);
    let parsed = Seed {
        state: &state,
        path: At::Root,
    }
    .deserialize(&mut de)
    .and_then(|v| de.end().map(|()| v));
    match parsed {
        Ok(v) => Ok(v),
        Err(e) => Err(state.found.into_inner().unwrap_or_else(|| Error::Json {
            source_name: source_name.to_string(),
            message: e.to_string(),
        })),
    }
}

/// What the parse shares: the ordinals of the number tokens that underflow, the exact text of those a
/// double cannot hold, the number of number tokens seen so far, and the first refusal (which the
/// `serde_json` error then carries out).
struct State {
    tiny: Vec<usize>,
    exact: Vec<(usize, String)>,
    seen: RefCell<usize>,
    found: RefCell<Option<Error>>,
}

impl State {
    fn refuse<E: de::Error>(&self, e: Error) -> E {
        let message = e.to_string();
        self.found.borrow_mut().get_or_insert(e);
        E::custom(message)
    }

    /// Counts one number token at `path`; refuses it when it is one of the underflowing ones, and
    /// gives its exact decimal text when its double is not it.
    fn number<E: de::Error>(
        &self,
        path: &At<'_>,
        v: f64,
    ) -> std::result::Result<Option<String>, E> {
        let mut seen = self.seen.borrow_mut();
        let ordinal = *seen;
        *seen += 1;
        drop(seen);
        if self.tiny.binary_search(&ordinal).is_ok() {
            return Err(self.refuse(Error::out_of_range(
                display_path(&path.render()),
                v,
                "number too small: it underflows to zero (or below any decimal's precision)",
            )));
        }
        Ok(self
            .exact
            .binary_search_by_key(&ordinal, |(o, _)| *o)
            .ok()
            .map(|i| self.exact[i].1.clone()))
    }
}

fn display_path(path: &str) -> &str {
    if path.is_empty() { "request" } else { path }
}

/// The path of `key` in the object at `path` (a key longer than 60 characters is cut, as error
/// values are).
fn child(path: &str, key: &str) -> String {
    let key = match key.char_indices().nth(crate::error::MAX_VALUE_CHARS) {
        Some((cut, _)) => format!("{}…", &key[..cut]),
        None => key.to_string(),
    };
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// Where a value is, as a chain of keys and indices up to the root: rendered to its path string
/// ([`At::render`]) only when an error names it, so a parse that succeeds builds no path.
#[derive(Clone, Copy)]
enum At<'a> {
    /// The whole document.
    Root,
    /// The value of `key` in the object at the parent.
    Key(&'a At<'a>, &'a str),
    /// Element `index` of the array at the parent.
    Index(&'a At<'a>, usize),
}

impl At<'_> {
    /// The path as the reader names it (`""` for the root, `a.b`, `request[0]`, `a.c[0].d`).
    fn render(&self) -> String {
        match self {
            At::Root => String::new(),
            At::Key(parent, key) => child(&parent.render(), key),
            At::Index(parent, index) => format!("{}[{index}]", display_path(&parent.render())),
        }
    }
}

/// A value at `path`.
struct Seed<'s> {
    state: &'s State,
    path: At<'s>,
}

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = Value;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> std::result::Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> std::result::Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<Value, E> {
        // Integers that reach here fit an i64 or a u64: `serde_json` read them exactly.
        self.state.number(&self.path, v as f64)?;
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<Value, E> {
        self.state.number(&self.path, v as f64)?;
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> std::result::Result<Value, E> {
        if let Some(exact) = self.state.number(&self.path, v)? {
            return Ok(Value::String(exact));
        }
        Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom("number is not finite"))
    }

    fn visit_str<E>(self, v: &str) -> std::result::Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> std::result::Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> std::result::Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> std::result::Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Value, A::Error> {
        let mut out = vec![];
        while let Some(v) = seq.next_element_seed(Seed {
            state: self.state,
            path: At::Index(&self.path, out.len()),
        })? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(&key) {
                return Err(self.state.refuse(Error::conflict(
                    At::Key(&self.path, &key).render(),
                    format!("{key:?}"),
                    "duplicate key: an object may give each key once",
                )));
            }
            let v = map.next_value_seed(Seed {
                state: self.state,
                path: At::Key(&self.path, &key),
            })?;
            out.insert(key, v);
        }
        Ok(Value::Object(out))
    }
}

/// The number tokens outside strings that the double `serde_json` makes of them would change, by
/// ordinal (0-based, in text order).
struct Scan {
    /// Tokens with a nonzero digit whose nearest double is zero or subnormal: what would silently
    /// become 0.
    tiny: Vec<usize>,
    /// Tokens whose nearest double prints as another decimal, with their exact decimal text.
    exact: Vec<(usize, String)>,
}

/// Walks the number tokens of `text` once (see [`Scan`]).
fn scan_numbers(text: &str) -> Scan {
    let bytes = text.as_bytes();
    let mut out = Scan {
        tiny: vec![],
        exact: vec![],
    };
    let (mut i, mut ordinal) = (0, 0usize);
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'-' | b'0'..=b'9' => {
                let start = i;
                while i < bytes.len()
                    && matches!(bytes[i], b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
                {
                    i += 1;
                }
                let token = &text[start..i];
                let mantissa = token.split(['e', 'E']).next().unwrap_or("");
                if mantissa.bytes().any(|b| matches!(b, b'1'..=b'9')) {
                    let v = token.parse::<f64>();
                    if v.as_ref().is_ok_and(|v| v.is_finite() && !v.is_normal()) {
                        out.tiny.push(ordinal);
                    } else if let Ok(v) = v
                        && let Some(exact) = exact_text(token, mantissa, v)
                    {
                        out.exact.push((ordinal, exact));
                    }
                }
                ordinal += 1;
            }
            _ => i += 1,
        }
    }
    out
}

/// Most significant digits every decimal keeps through its nearest double (`f64::DIGITS`): a token
/// with no more prints back as itself.
const DOUBLE_DIGITS: usize = f64::DIGITS as usize;

/// The exact decimal text of the number `token` (whose mantissa is `mantissa` and nearest double `v`)
/// when that double prints as another decimal; `None` when the double is exact, or the token is
/// beyond a decimal's range (the readers then refuse the double as today).
fn exact_text(token: &str, mantissa: &str, v: f64) -> Option<String> {
    let significant = mantissa
        .bytes()
        .filter(u8::is_ascii_digit)
        .skip_while(|b| *b == b'0')
        .count();
    if significant <= DOUBLE_DIGITS {
        return None;
    }
    let exact = token.parse::<Decimal>().ok()?;
    let read = crate::num::from_f64_shortest(v, "").ok()?;
    (exact != read).then(|| exact.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn duplicates_are_refused_with_their_path() {
        let e = parse(r#"{"a": {"b": 1, "c": [{"d": 1, "d": 2}]}}"#, "t").expect_err("refused");
        assert_eq!(e.kind(), ErrorKind::Conflict);
        assert_eq!(e.field(), Some("a.c[0].d"));
        let e = parse(r#"{"a": 1, "b": 2, "a": 3}"#, "t").expect_err("refused");
        assert_eq!(e.field(), Some("a"));
    }

    #[test]
    fn tiny_numbers_are_refused_and_others_kept() {
        let e = parse(r#"{"s": "1e-400", "x": [0, 0.0, 1e-400]}"#, "t").expect_err("refused");
        assert_eq!(e.kind(), ErrorKind::OutOfRange);
        assert_eq!(e.field(), Some("x[2]"));
        let v = parse(
            r#"{"s": "-1e-400 \" 5", "x": [0, -0.0, 0e-999, 1e-300, 12]}"#,
            "t",
        );
        assert_eq!(
            v.ok(),
            serde_json::from_str(r#"{"s": "-1e-400 \" 5", "x": [0, -0.0, 0.0, 1e-300, 12]}"#).ok()
        );
        assert_eq!(
            scan_numbers("[1e-310, 2.5e-324, 1e-400, 1, \"1e-400\"]").tiny,
            [0, 1, 2]
        );
    }

    #[test]
    fn numbers_a_double_cannot_hold_are_kept_exact() {
        // 90071992547409.93 is …409.9375 as a double, printed …409.94.
        let v = parse(
            r#"{"a": 90071992547409.93, "b": 0.1905254815358736, "c": [1.5, -1234567890123.4567],
               "d": 12345678901234567890123, "e": 1.00000000000000000001e3, "s": "9.99999999999999999"}"#,
            "t",
        )
        .expect("parsed");
        assert_eq!(v["a"], "90071992547409.93");
        // A double that prints as its token stays a number.
        assert_eq!(v["b"], serde_json::json!(0.1905254815358736));
        assert_eq!(v["c"], serde_json::json!([1.5, "-1234567890123.4567"]));
        assert_eq!(v["d"], "12345678901234567890123");
        assert_eq!(v["e"], "1000.00000000000000001");
        assert_eq!(v["s"], "9.99999999999999999");
        // Beyond a decimal's range the double is kept (and the number readers refuse it).
        assert!(
            parse("[1e300, 123456789012345678901234567890123]", "t").is_ok_and(|v| v[0].is_f64())
        );
    }

    #[test]
    fn syntax_errors_name_the_source() {
        let e = parse("{", "line 3").expect_err("refused");
        assert_eq!(e.kind(), ErrorKind::InvalidJson);
        assert_eq!(e.field(), Some("line 3"));
        assert!(parse("[1] x", "t").is_err());
    }
}
