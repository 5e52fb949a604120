//! The parsed body the request readers read ([`Node`]): a JSON tree whose strings borrow from the
//! text (or from a `serde_json::Value`) and whose objects are flat lists sorted by key, so that
//! reading a body allocates one list per object or array and nothing per key or string.
//!
//! It holds exactly what the `serde_json::Value` of the same body holds (the strict parser's
//! fast path builds it from the text; [`Node::from_value`] from a parsed value, for the checked
//! parse and for callers that pass a value): an object's entries are in the order of a `Value`'s
//! `BTreeMap` (bytes of the key), with no key twice, numbers are `serde_json`'s, and
//! [`Node::to_value`] gives the `Value` back. So a reader, the response key (the canonical hash,
//! `api/key.rs`) and an error's echoed value are the same whichever of the two a body came in.

use std::fmt;

use serde_json::{Map, Number, Value};

/// A JSON value borrowing its strings (see the module docs).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node<'a> {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as `serde_json` holds it, with its token when the text wrote it in the plain
    /// form of [`Token`].
    Number(Number, Token<'a>),
    /// A string (decoded: no escapes left).
    String(&'a str),
    /// An array.
    Array(Vec<Node<'a>>),
    /// An object: its entries sorted by key, each key once.
    Object(Vec<(&'a str, Node<'a>)>),
}

/// The token of a number written in its double's own form, when the text gave one: a plain
/// decimal (`-?(0|[1-9][0-9]*)\.[0-9]*[1-9]`, no exponent) of at most 15 significant digits whose
/// first significant digit is at most 3 zeros after the point (the value is 10⁻⁴ or more in
/// magnitude, and below 10¹⁴ by its digits). Such a token is the shortest decimal of its double
/// (15 digits survive the round trip, and its last digit is no trailing zero), written as
/// `serde_json` writes that double (`zmij` writes decimal exponents -5 to 15 without one) and as
/// Rust's `Display` prints it. So the readers take its digits instead of printing the double: the
/// response key hashes the token's bytes ([`super::key`]) and a decimal is read from its digits
/// ([`super::number::node_decimal`]), each giving what the double gives.
///
/// It is an aid to reading, not part of the value: two numbers are equal when their `Number`s
/// are, whatever their tokens (a tree built from a `Value` has none).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Token<'a>(Option<&'a str>);

impl<'a> Token<'a> {
    /// No token (a number read from a `Value`, or written in another form).
    pub(crate) const NONE: Token<'static> = Token(None);

    /// The token `text` (a JSON number token) when it is in the plain form (see [`Token`]).
    pub(crate) fn of(text: &'a str) -> Self {
        let b = text.as_bytes();
        let unsigned = b.strip_prefix(b"-").unwrap_or(b);
        let Some(point) = unsigned.iter().position(|&c| c == b'.') else {
            return Token::NONE;
        };
        let (int, frac) = (&unsigned[..point], &unsigned[point + 1..]);
        let below_one = int == b"0";
        let zeros = if below_one {
            frac.iter().take_while(|&&c| c == b'0').count()
        } else {
            0
        };
        let significant = if below_one {
            frac.len() - zeros
        } else {
            int.len() + frac.len()
        };
        let plain = int.first().is_some_and(|&c| c != b'0' || below_one)
            && int.iter().all(u8::is_ascii_digit)
            && frac.iter().all(u8::is_ascii_digit)
            && frac.last().is_some_and(|&c| c != b'0')
            && zeros <= 3
            && significant <= 15;
        Token(plain.then_some(text))
    }

    /// The token, when plain: the bytes `serde_json` writes for the number's double.
    pub(crate) fn text(&self) -> Option<&'a str> {
        self.0
    }

    /// The sign, digits and number of digits after the point of a plain token (its value is
    /// `±digits / 10^scale`, the digits below 10¹⁵ and the scale at most 18); `None` when not
    /// plain.
    fn parts(&self) -> Option<(bool, u64, u32)> {
        let text = self.0?;
        let (mut mantissa, mut scale, mut after_point) = (0u64, 0u32, false);
        for b in text.bytes() {
            match b {
                b'0'..=b'9' => {
                    mantissa = mantissa * 10 + u64::from(b - b'0');
                    scale += u32::from(after_point);
                }
                b'.' => after_point = true,
                _ => {}
            }
        }
        Some((text.starts_with('-'), mantissa, scale))
    }

    /// The decimal of a plain token: its digits over 10 to the number of digits after its point,
    /// which is `num::from_f64_shortest` of its double (whose `Display` is the token), value and
    /// scale; `None` when not plain.
    pub(crate) fn decimal(&self) -> Option<rust_decimal::Decimal> {
        let (negative, mantissa, scale) = self.parts()?;
        // Below 10¹⁵: an i64.
        let magnitude = i64::try_from(mantissa).ok()?;
        let signed = if negative { -magnitude } else { magnitude };
        Some(rust_decimal::Decimal::new(signed, scale))
    }

    /// The double nearest a plain token, as `str::parse` reads it: its digits (below 10¹⁵ < 2⁵³)
    /// and the power of ten it divides them by (at most 10¹⁸, below 10²²) are both doubles
    /// exactly, and one IEEE division is correctly rounded (Clinger's fast path); `None` when not
    /// plain.
    pub(crate) fn double(&self) -> Option<f64> {
        const POWERS: [f64; 19] = [
            1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
            1e16, 1e17, 1e18,
        ];
        let (negative, mantissa, scale) = self.parts()?;
        let power = *POWERS.get(usize::try_from(scale).ok()?)?;
        // Below 2⁵³: exact.
        let magnitude = mantissa as f64 / power;
        Some(if negative { -magnitude } else { magnitude })
    }
}

/// Tokens are not part of a number's value (see [`Token`]).
impl PartialEq for Token<'_> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// The entries of an object [`Node`].
pub(crate) type Entries<'a> = [(&'a str, Node<'a>)];

/// Most entries of an object looked up by a scan ([`lookup`]): a reader looks up dozens of keys,
/// most of them absent, and a scan that compares lengths first costs less than a binary search
/// that compares the bytes of each key it passes.
pub(crate) const FLAT: usize = 32;

/// The value of `key` in the object `entries` (sorted by key): a scan up to [`FLAT`] entries, a
/// binary search above.
pub(crate) fn lookup<'e, 'a>(entries: &'e Entries<'a>, key: &str) -> Option<&'e Node<'a>> {
    if entries.len() <= FLAT {
        entries
            .iter()
            .find(|(k, _)| same_key(k, key))
            .map(|(_, v)| v)
    } else {
        entries
            .binary_search_by(|(k, _)| (*k).cmp(key))
            .ok()
            .map(|i| &entries[i].1)
    }
}

/// Whether the keys `a` and `b` are the same: their lengths, then their bytes eight at a time
/// (the last word ending at the last byte, overlapping the one before), one at a time below eight;
/// what `a == b` answers, without a call to `memcmp` for a short key.
pub(crate) fn same_key(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    if a.len() < 8 {
        return a.iter().zip(b).all(|(x, y)| x == y);
    }
    let word = |s: &[u8], at: usize| {
        let mut w = [0u8; 8];
        w.copy_from_slice(&s[at..at + 8]);
        u64::from_ne_bytes(w)
    };
    let last = a.len() - 8;
    let mut at = 0;
    while at < last {
        if word(a, at) != word(b, at) {
            return false;
        }
        at += 8;
    }
    word(a, last) == word(b, last)
}

impl<'a> Node<'a> {
    /// The tree of a parsed value, borrowing its strings (an object's entries come in the
    /// `BTreeMap`'s key order, which is the tree's).
    pub(crate) fn from_value(v: &'a Value) -> Self {
        match v {
            Value::Null => Node::Null,
            Value::Bool(b) => Node::Bool(*b),
            Value::Number(n) => Node::Number(n.clone(), Token::NONE),
            Value::String(s) => Node::String(s),
            Value::Array(items) => Node::Array(items.iter().map(Node::from_value).collect()),
            Value::Object(map) => Node::Object(
                map.iter()
                    .map(|(k, v)| (k.as_str(), Node::from_value(v)))
                    .collect(),
            ),
        }
    }

    /// The `serde_json::Value` this tree holds (for a value a response echoes, a nested body read
    /// by a `Value` reader, and an error's text).
    pub(crate) fn to_value(&self) -> Value {
        match self {
            Node::Null => Value::Null,
            Node::Bool(b) => Value::Bool(*b),
            Node::Number(n, _) => Value::Number(n.clone()),
            Node::String(s) => Value::String((*s).to_string()),
            Node::Array(items) => Value::Array(items.iter().map(Node::to_value).collect()),
            Node::Object(entries) => Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| ((*k).to_string(), v.to_value()))
                    .collect::<Map<String, Value>>(),
            ),
        }
    }

    /// The entries, when an object.
    pub(crate) fn as_object(&self) -> Option<&Entries<'a>> {
        match self {
            Node::Object(entries) => Some(entries),
            _ => None,
        }
    }
}

/// Compact JSON, as the `Value`'s `Display` writes it (what error values echo).
impl fmt::Display for Node<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.to_value(), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A value round-trips through the tree, and a tree looks keys up as the value's map does
    /// (nulls included), in objects below and above the scan's size, for present, absent and
    /// near-miss keys.
    #[test]
    fn tree_holds_the_value_and_looks_up_as_its_map() {
        for n in [0, 1, 5, FLAT, FLAT + 1, 100] {
            let mut map = Map::new();
            for i in 0..n {
                let v = if i % 7 == 3 {
                    Value::Null
                } else {
                    Value::from(i)
                };
                map.insert(format!("key_{i}"), v);
            }
            map.insert("k".into(), Value::from("x"));
            let v = Value::Object(map.clone());
            let tree = Node::from_value(&v);
            assert_eq!(tree.to_value(), v);
            assert_eq!(tree.to_string(), v.to_string());
            let probes = (0..n + 3)
                .flat_map(|i| [format!("key_{i}"), format!("key_{i}_"), format!("kez_{i}")])
                .chain(["".to_string(), "k".to_string(), "K".to_string()]);
            for key in probes {
                let expected = map.get(&key).map(Node::from_value);
                let entries = tree.as_object().expect("an object");
                assert_eq!(lookup(entries, &key), expected.as_ref(), "{n} {key}");
            }
        }
    }

    /// `same_key` answers as `==`: keys of 0 to 40 bytes, equal, and differing in one byte at
    /// each position (the words' overlap included), or in length.
    #[test]
    fn same_key_answers_as_equality() {
        for len in 0..=40 {
            let a: String = (0..len)
                .map(|i| char::from(b'a' + (i % 26) as u8))
                .collect();
            assert!(same_key(&a, &a.clone()));
            assert!(!same_key(&a, &format!("{a}x")));
            for at in 0..len {
                let mut b = a.clone().into_bytes();
                b[at] = b'_';
                let b = String::from_utf8(b).expect("ASCII");
                assert_eq!(same_key(&a, &b), a == b, "{a} {b}");
            }
        }
    }

    /// Number tokens of many shapes: random ones of 0 to 18 integer digits, 0 to 6 zeros after the
    /// point and 0 to 18 more digits, and the edges of the plain form on both sides (3 and 4 zeros
    /// after the point, 15 and 16 significant digits, a trailing zero, an exponent, an integer).
    fn number_tokens() -> Vec<String> {
        let mut tokens: Vec<String> = [
            "0.0001",
            "0.00001",
            "0.0009999",
            "0.00009999",
            "-0.0001",
            "-0.00001",
            "0.5",
            "-0.5",
            "0.50",
            "1.5",
            "1.50",
            "1.0",
            "-0.0",
            "0.0",
            "10",
            "1e3",
            "1.5e3",
            "1.5E-3",
            "0.0272",
            "901.53",
            "123456789012345.1",
            "12345678901234.5",
            "0.123456789012345",
            "0.1234567890123456",
            "99999999999999.9",
            "999999999999999.9",
            "0.000123456789012345",
            "0.0001234567890123456",
            "1.000000000000001",
            "1.0000000000000001",
            "0.1",
            "0.3",
        ]
        .map(String::from)
        .to_vec();
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        for _ in 0..20_000 {
            let digits = |count: u64, next: &mut dyn FnMut(u64) -> u64| -> String {
                (0..count)
                    .map(|_| char::from(b'0' + next(10) as u8))
                    .collect()
            };
            let int = match next(19) {
                0 => "0".to_string(),
                n => format!("{}{}", 1 + next(9), digits(n - 1, &mut next)),
            };
            let zeros = "0".repeat(next(7) as usize);
            let frac = digits(next(19), &mut next);
            let sign = if next(4) == 0 { "-" } else { "" };
            tokens.push(if zeros.is_empty() && frac.is_empty() {
                format!("{sign}{int}")
            } else {
                format!("{sign}{int}.{zeros}{frac}")
            });
        }
        tokens
    }

    /// A number read from its text (a plain token's digits) reads as the same number read from
    /// its value (through its double): the same decimal (value, scale and bits) or the same
    /// error, and the same response key; a plain token's bytes are the double's JSON. Both sides of
    /// each edge of the plain form are read, and thousands of random tokens.
    #[test]
    fn plain_tokens_read_as_their_doubles() {
        use crate::api::key::canonical_hash;
        use crate::api::number::node_decimal;
        let outcome = |r: crate::Result<rust_decimal::Decimal>| match r {
            Ok(d) => format!("ok {:?} {d}", d.serialize()),
            Err(e) => format!("err {:?} {:?} {e}", e.kind(), e.field()),
        };
        let (mut plain, mut other) = (0, 0);
        for token in number_tokens() {
            let text = format!("[{token}]");
            // The strict parse's value: its numbers are doubles (or exact texts), without tokens.
            let value = crate::api::strict::parse(&text, "t").expect("JSON");
            let from_value = Node::from_value(&value);
            let read = crate::api::strict::with_tree(&text, "t", |tree| {
                let (Node::Array(items), Node::Array(expected)) = (tree, &from_value) else {
                    panic!("an array");
                };
                if let (Node::Number(n, t), Node::Number(m, _)) = (&items[0], &expected[0]) {
                    assert_eq!(n, m, "{token}");
                    // The double read from a plain token's digits is the standard library's.
                    if let Some(d) = t.double() {
                        assert_eq!(
                            Some(d.to_bits()),
                            token.parse::<f64>().ok().map(f64::to_bits)
                        );
                    }
                    if let Some(written) = t.text() {
                        assert_eq!(written, token);
                        assert_eq!(serde_json::to_string(n).expect("JSON"), token);
                        plain += 1;
                    } else {
                        other += 1;
                    }
                }
                assert_eq!(
                    outcome(node_decimal(&items[0], "x")),
                    outcome(node_decimal(&expected[0], "x")),
                    "{token}"
                );
                assert_eq!(canonical_hash(tree), canonical_hash(&from_value), "{token}");
                Ok(())
            });
            assert!(read.is_ok(), "{token}");
        }
        assert!(
            plain > 3_000 && other > 2_000,
            "{plain} plain, {other} other"
        );
        for (token, expected) in [
            ("0.0001", true),
            ("0.00001", false),
            ("0.0009999", true),
            ("0.00009999", false),
            ("0.123456789012345", true),
            ("0.1234567890123456", false),
            ("12345678901234.5", true),
            ("123456789012345.1", false),
            ("1.5", true),
            ("1.50", false),
            ("-0.5", true),
            ("-0.0", false),
            ("1e3", false),
            ("1.5e3", false),
            ("10", false),
            ("01.5", false),
            (".5", false),
            ("1.", false),
        ] {
            assert_eq!(Token::of(token).text().is_some(), expected, "{token}");
        }
    }
}
