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

use super::key::Strings;
use super::tree::{Node, Token};
use crate::error::{Error, Result};

/// Parses JSON text into a `Value`, refusing duplicate keys and underflowing numbers; `source_name`
/// names the input in a syntax error.
pub(crate) fn parse(text: &str, source_name: &str) -> Result<Value> {
    match Plain::read(text) {
        Some(tree) => Ok(tree.to_value()),
        None => parse_checked(text, source_name),
    }
}

/// `read` of the tree of JSON text ([`parse`]'s value as a [`Node`]): the fast path's tree,
/// borrowing from `text`, or the checked parse's value seen as a tree (its error when it refuses
/// the text).
pub(crate) fn with_tree<T>(
    text: &str,
    source_name: &str,
    read: impl FnOnce(&Node<'_>) -> Result<T>,
) -> Result<T> {
    with_parsed(text, source_name, |tree, _| read(tree))
}

/// [`with_tree`], `read` also told whether the tree's strings are the fast path's
/// ([`Strings::Plain`]: none holds a byte `serde_json` escapes) or the checked parse's.
pub(crate) fn with_parsed<T>(
    text: &str,
    source_name: &str,
    read: impl FnOnce(&Node<'_>, Strings) -> Result<T>,
) -> Result<T> {
    match Plain::read(text) {
        Some(tree) => read(&tree, Strings::Plain),
        None => read(
            &Node::from_value(&parse_checked(text, source_name)?),
            Strings::Checked,
        ),
    }
}

/// [`parse`] through `serde_json` and the checks of the module docs, for any text: what decides
/// whenever the fast path ([`Plain`]) gives up.
fn parse_checked(text: &str, source_name: &str) -> Result<Value> {
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

/// The fast path of [`parse`]: a one-pass reader of the plain JSON requests are made of, which
/// gives up (`None`) on anything it does not read exactly as the checked `serde_json` parse below
/// would, and then that parse runs and decides (the value, or the error). It reads:
///
/// * strings without escapes or control characters (a `\\` or a byte below U+0020 gives up: the
///   escapes are decoded, and the control characters refused, by `serde_json`);
/// * integers of at most 18 digits but `-0` (`serde_json` reads them as a `u64` or an `i64`; it reads
///   `-0` as the double `-0.0`);
/// * other numbers of at most 15 significant digits, read as the nearest double (which is
///   `serde_json`'s, whose `float_roundtrip` reading is correctly rounded too); a number with more
///   digits (kept as its exact text), one that underflows (refused) or overflows gives up;
/// * `true`, `false`, `null`, arrays and objects up to 100 deep (`serde_json` stops at 128), with
///   `serde_json`'s whitespace (space, tab, line feed, carriage return); an object that repeats a
///   key gives up (it is refused by the checked parse).
///
/// Text that is not JSON gives up wherever it stops being JSON.
struct Plain<'t> {
    bytes: &'t [u8],
    text: &'t str,
    at: usize,
    /// How many more objects get their list made with room for [`Plain::ROOM`] entries.
    roomy: usize,
}

impl<'t> Plain<'t> {
    /// Deepest nesting read here.
    const MAX_DEPTH: usize = 100;

    /// The first [`Plain::ROOMY`] objects of a text (a request's root, `financial`, `borrower`…)
    /// get their list made with room for [`Plain::ROOM`] entries at once, where a list grown from
    /// empty is moved on the way (`financial`'s 11 entries: three times); the others grow, so
    /// that a text of many small objects takes no more memory than its entries.
    const ROOMY: usize = 4;
    /// The room of the first objects' lists (see [`Plain::ROOMY`]).
    const ROOM: usize = 16;

    /// The tree of `text`, when the fast path reads all of it (see [`Plain`]).
    fn read(text: &'t str) -> Option<Node<'t>> {
        let mut p = Plain {
            bytes: text.as_bytes(),
            text,
            at: 0,
            roomy: Self::ROOMY,
        };
        let v = p.value(0)?;
        p.skip_space();
        (p.at == p.bytes.len()).then_some(v)
    }

    /// Skips JSON whitespace.
    fn skip_space(&mut self) {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.bytes.get(self.at) {
            self.at += 1;
        }
    }

    /// The next byte after whitespace, not consumed.
    fn peek(&mut self) -> Option<u8> {
        self.skip_space();
        self.bytes.get(self.at).copied()
    }

    /// Consumes `literal` when the text continues with it.
    fn literal(&mut self, literal: &[u8]) -> Option<()> {
        let end = self.at + literal.len();
        (self.bytes.get(self.at..end)? == literal).then(|| self.at = end)
    }

    /// A value at nesting `depth`.
    fn value(&mut self, depth: usize) -> Option<Node<'t>> {
        match self.peek()? {
            b'"' => self.string().map(Node::String),
            b'{' if depth < Self::MAX_DEPTH => self.object(depth + 1),
            b'[' if depth < Self::MAX_DEPTH => self.array(depth + 1),
            b't' => self.literal(b"true").map(|()| Node::Bool(true)),
            b'f' => self.literal(b"false").map(|()| Node::Bool(false)),
            b'n' => self.literal(b"null").map(|()| Node::Null),
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    /// A string without escapes or control characters, the opening quote next.
    fn string(&mut self) -> Option<&'t str> {
        let start = self.at + 1;
        let end = start + plain_len(&self.bytes[start..]);
        (*self.bytes.get(end)? == b'"').then_some(())?;
        self.at = end + 1;
        // Quotes are ASCII: both ends are character boundaries.
        self.text.get(start..end)
    }

    /// Whether another item of the array or object being read follows (`None`: neither an item
    /// nor its end `close`); `first` for the first item, which no comma precedes. The end is
    /// consumed.
    fn more(&mut self, close: u8, first: bool) -> Option<bool> {
        let next = self.peek()?;
        if next == close {
            self.at += 1;
            return Some(false);
        }
        if first {
            return Some(true);
        }
        (next == b',').then(|| self.at += 1)?;
        Some(true)
    }

    /// An object, the `{` next, its entries sorted by key (a `Value`'s map order); `None` on a
    /// repeated key (found next to its twin once sorted).
    fn object(&mut self, depth: usize) -> Option<Node<'t>> {
        self.at += 1;
        let mut entries = if self.roomy > 0 {
            self.roomy -= 1;
            Vec::with_capacity(Self::ROOM)
        } else {
            vec![]
        };
        let mut first = true;
        while self.more(b'}', first)? {
            first = false;
            if self.peek()? != b'"' {
                return None;
            }
            let key = self.string()?;
            if self.peek()? != b':' {
                return None;
            }
            self.at += 1;
            let v = self.value(depth)?;
            entries.push((key, v));
        }
        // By first byte, then (rarely needed) by the whole key: the order of the keys' bytes, the
        // first bytes compared without a call.
        entries.sort_unstable_by(|(a, _), (b, _)| {
            a.as_bytes()
                .first()
                .cmp(&b.as_bytes().first())
                .then_with(|| a.cmp(b))
        });
        if entries.windows(2).any(|w| w[0].0 == w[1].0) {
            return None;
        }
        Some(Node::Object(entries))
    }

    /// An array, the `[` next.
    fn array(&mut self, depth: usize) -> Option<Node<'t>> {
        self.at += 1;
        let mut items = vec![];
        while self.more(b']', items.is_empty())? {
            items.push(self.value(depth)?);
        }
        Some(Node::Array(items))
    }

    /// A number token in JSON's grammar (`-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`)
    /// that the fast path reads (see [`Plain`]).
    fn number(&mut self) -> Option<Node<'t>> {
        let start = self.at;
        let digits = |p: &mut Self| {
            let from = p.at;
            while p.bytes.get(p.at).is_some_and(u8::is_ascii_digit) {
                p.at += 1;
            }
            p.at - from
        };
        let negative = self.bytes[self.at] == b'-';
        self.at += usize::from(negative);
        let int_start = self.at;
        let int_digits = digits(self);
        if int_digits == 0 || (int_digits > 1 && self.bytes[int_start] == b'0') {
            return None;
        }
        let mut integral = true;
        if self.bytes.get(self.at) == Some(&b'.') {
            self.at += 1;
            integral = false;
            if digits(self) == 0 {
                return None;
            }
        }
        let mantissa_end = self.at;
        if let Some(b'e' | b'E') = self.bytes.get(self.at) {
            self.at += 1;
            integral = false;
            if let Some(b'+' | b'-') = self.bytes.get(self.at) {
                self.at += 1;
            }
            if digits(self) == 0 {
                return None;
            }
        }
        let token = &self.text[start..self.at];
        if integral {
            if int_digits > 18 || token == "-0" {
                return None;
            }
            let n: i64 = token.parse().ok()?;
            let n = match u64::try_from(n) {
                Ok(u) => u.into(),
                Err(_) => n.into(),
            };
            return Some(Node::Number(n, Token::NONE));
        }
        let mantissa = &self.bytes[int_start..mantissa_end];
        let significant = mantissa
            .iter()
            .filter(|b| b.is_ascii_digit())
            .skip_while(|b| **b == b'0')
            .count();
        if significant > DOUBLE_DIGITS {
            return None;
        }
        // A plain token's double from its digits (the parse's, without it).
        let plain = Token::of(token);
        let v: f64 = match plain.double() {
            Some(v) => v,
            None => token.parse().ok()?,
        };
        // Zero is a number when every digit is zero; a nonzero token that reads as zero (or as a
        // subnormal) underflows, and an infinite one overflows: the checked parse refuses both.
        let exact_zero = v == 0.0 && significant == 0;
        if !(v.is_normal() || exact_zero) {
            return None;
        }
        Number::from_f64(v).map(|n| Node::Number(n, plain))
    }
}

/// The bytes that end the plain part of a JSON string: its closing quote, an escape, or a control
/// character (below U+0020). They are also the bytes `serde_json` escapes when it writes a string
/// (every other character, non-ASCII included, is written as its UTF-8 bytes).
pub(super) const STRING_END: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = true;
        b += 1;
    }
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table
};

/// The length of the plain part of `bytes`: the index of its first byte of [`STRING_END`], or its
/// length when it has none. Eight bytes at a time: in a word, the three tests (a byte equal to
/// `"`, to `\\`, below 0x20) flag every byte that is one and no byte below the first that is
/// (a borrow only runs upwards from a flagged byte), so the lowest flag is that first byte; the
/// last bytes, fewer than eight, one at a time through the table.
pub(super) fn plain_len(bytes: &[u8]) -> usize {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    /// The high bit of each byte of `w` below `n` (at most 0x80), and of no byte below the
    /// lowest such byte.
    fn below(w: u64, n: u8) -> u64 {
        w.wrapping_sub(ONES * u64::from(n)) & !w & (ONES << 7)
    }
    let mut chunks = bytes.chunks_exact(8);
    let mut at = 0;
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let w = u64::from_le_bytes(word);
        let quote = w ^ (ONES * u64::from(b'"'));
        let backslash = w ^ (ONES * u64::from(b'\\'));
        let found = below(quote, 1) | below(backslash, 1) | below(w, 0x20);
        if found != 0 {
            return at + (found.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    let rest = chunks.remainder();
    at + rest
        .iter()
        .position(|&b| STRING_END[usize::from(b)])
        .unwrap_or(rest.len())
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
mod tests;
