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
//! * Paths in those errors are the JSON paths the reader names (`collaterals[0].collateral_type`).
//!
//! [`ErrorKind::Conflict`]: crate::ErrorKind::Conflict
//! [`ErrorKind::OutOfRange`]: crate::ErrorKind::OutOfRange

use std::cell::RefCell;
use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use crate::error::{Error, Result};

/// Parses JSON text into a `Value`, refusing duplicate keys and underflowing numbers; `source_name`
/// names the input in a syntax error.
pub(crate) fn parse(text: &str, source_name: &str) -> Result<Value> {
    let state = State {
        tiny: tiny_numbers(text),
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

/// What the parse shares: the ordinals of the number tokens that underflow, the number of number
/// tokens seen so far, and the first refusal (which the `serde_json` error then carries out).
struct State {
    tiny: Vec<usize>,
    seen: RefCell<usize>,
    found: RefCell<Option<Error>>,
}

impl State {
    fn refuse<E: de::Error>(&self, e: Error) -> E {
        let message = e.to_string();
        self.found.borrow_mut().get_or_insert(e);
        E::custom(message)
    }

    /// Counts one number token at `path`; refuses it when it is one of the underflowing ones.
    fn number<E: de::Error>(&self, path: &At<'_>, v: f64) -> std::result::Result<(), E> {
        let mut seen = self.seen.borrow_mut();
        let ordinal = *seen;
        *seen += 1;
        drop(seen);
        if self.tiny.binary_search(&ordinal).is_ok() {
            return Err(self.refuse(Error::invalid(
                display_path(&path.render()),
                v,
                "number too small: it underflows to zero (or below any decimal's precision)",
            )));
        }
        Ok(())
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
        self.state.number(&self.path, v as f64)?;
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<Value, E> {
        self.state.number(&self.path, v as f64)?;
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> std::result::Result<Value, E> {
        self.state.number(&self.path, v)?;
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

/// The ordinals (0-based, in text order) of the number tokens outside strings that have a nonzero
/// digit but whose nearest double is zero or subnormal: what would silently become 0.
fn tiny_numbers(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut out = vec![];
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
                if mantissa.bytes().any(|b| matches!(b, b'1'..=b'9'))
                    && token
                        .parse::<f64>()
                        .is_ok_and(|v| v.is_finite() && !v.is_normal())
                {
                    out.push(ordinal);
                }
                ordinal += 1;
            }
            _ => i += 1,
        }
    }
    out
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
            tiny_numbers("[1e-310, 2.5e-324, 1e-400, 1, \"1e-400\"]"),
            [0, 1, 2]
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
