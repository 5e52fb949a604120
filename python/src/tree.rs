//! Compact JSON text (the engine's own output) into Python objects, without `json.loads`.
//!
//! [`to_python`] builds exactly what `json.loads(text)` gives: objects become `dict` (keys in
//! order, a repeated key keeping its first position and last value), arrays `list`, strings `str`
//! (escapes decoded, `\uXXXX` surrogate pairs joined; a lone surrogate, which a Rust `String`
//! cannot hold, through `json.loads` of that one string), `true` / `false` / `null` `bool` /
//! `None`, a number token with `.`, `e` or `E` a `float`, any other number token an `int` (from
//! `i64` when it fits, else Python's `int()` of the digits). A float is correctly rounded, as
//! Python's `float()`: `m / 10^k` when the digits `m` are at most 2^53 and `k` at most 22 (both
//! exact doubles, one correctly rounded division: Clinger's fast path), else Rust's
//! `str::parse::<f64>`. `NaN`, `Infinity` and `-Infinity`, which `json.loads` accepts, become
//! floats too.
//!
//! It is built for the engine's trusted, well-formed output and fast on it:
//!
//! * object keys come from a cache of interned Python strings keyed by their bytes (QI's responses
//!   use a few dozen keys, thousands of times);
//! * in an array of flat objects (rows), each row's keys are first compared with the previous
//!   row's, and a row with the same keys in the same order is built as a copy of the previous
//!   row's dict with its values replaced (the same dict as inserting them in order, without the
//!   insertions and resizes);
//! * QI prints the installment rows twice (`data.installments` and the first disbursement option's
//!   `installments`, byte-identical). An array of flat objects (objects without a nested array or
//!   object) is remembered by its byte span; an array starting with the same bytes later in the
//!   same text is, the text being well-formed, the same array, and is built from `dict.copy()` of
//!   the rows already built. The copies are new dicts in a new list: mutating one response's row
//!   does not change the other's (their values, `str` / `int` / `float` / `bool` / `None`, are
//!   immutable and may be shared).
//!
//! Malformed text raises `ValueError` (never a panic); nesting beyond [`MAX_DEPTH`] too.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Mutex, TryLockError};

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString};

/// The deepest nesting of arrays and objects accepted: the engine's responses nest a few levels;
/// the bound keeps the recursion well inside a small thread stack.
pub const MAX_DEPTH: u32 = 64;

/// The powers of ten that are exact doubles.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// Keys at most this long are cached (and interned); longer ones are made afresh.
const MAX_CACHED_KEY: usize = 64;
/// The most keys the process-wide cache holds; past it, new keys are made per call.
const MAX_CACHED_KEYS: usize = 4096;
/// The shortest array span (bytes) remembered for reuse, and how many are remembered per text.
const MIN_REUSED_SPAN: usize = 64;
const MAX_REUSED: usize = 64;

/// FxHash (rustc's hasher): short byte strings, no denial-of-service concern (the keys are the
/// engine's own, and the cache is bounded).
#[derive(Default)]
struct Fx(u64);

impl Hasher for Fx {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }

    fn write_usize(&mut self, n: usize) {
        self.write(&(n as u64).to_le_bytes());
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// `a == b` for short keys without a call to `memcmp`: two overlapping 8-byte words from 8 to 16
/// bytes, bytewise below.
#[inline]
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    let word = |s: &[u8], at: usize| {
        let mut w = [0u8; 8];
        w.copy_from_slice(&s[at..at + 8]);
        u64::from_ne_bytes(w)
    };
    match n {
        0..8 => a.iter().zip(b).all(|(x, y)| x == y),
        8..=16 => word(a, 0) == word(b, 0) && word(a, n - 8) == word(b, n - 8),
        _ => a == b,
    }
}

type KeyCache = HashMap<Box<[u8]>, Py<PyString>, BuildHasherDefault<Fx>>;

/// The process-wide key cache. Only touched with the GIL held, and only through `try_lock`: were
/// the converter re-entered on this thread (a finalizer run by the garbage collector during an
/// allocation, calling qitech_sim) or the lock held elsewhere, a call uses a private cache instead
/// of waiting.
static KEYS: Mutex<Option<KeyCache>> = Mutex::new(None);

/// `json.loads(text)`, built in Rust (see the module documentation).
pub fn to_python<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    let mut guard = match KEYS.try_lock() {
        Ok(g) => Some(g),
        Err(TryLockError::Poisoned(p)) => Some(p.into_inner()),
        Err(TryLockError::WouldBlock) => None,
    };
    let mut private = KeyCache::default();
    let (keys, shared) = match guard.as_mut() {
        Some(g) => (g.get_or_insert_with(KeyCache::default), true),
        None => (&mut private, false),
    };
    let mut p = Parser {
        py,
        s: text,
        b: text.as_bytes(),
        i: 0,
        depth: 0,
        keys,
        shared,
        seen: Vec::new(),
        keys_stack: Vec::with_capacity(64),
        values: Vec::with_capacity(64),
    };
    let v = p.value()?;
    p.ws();
    if p.i != p.b.len() {
        return Err(p.err("extra data after the value"));
    }
    Ok(v.into_any())
}

/// A converted value, with what the reuse of flat objects needs to know.
enum Node<'a, 'py> {
    /// A string, number, `true`, `false` or `null`.
    Scalar(Bound<'py, PyAny>),
    /// An object, and whether it is flat (none of its values an array or an object).
    Object(Bound<'py, PyDict>, Flat<'a, 'py>),
    /// An array.
    Array(Bound<'py, PyList>),
}

/// Whether an object is flat, and its [`Row`] for the next one of its array.
enum Flat<'a, 'py> {
    /// It has an array or an object.
    No,
    /// Flat: the next object of its array may follow it.
    New(Row<'a, 'py>),
    /// Flat, with the keys of the row before it, which now holds it as its dict.
    AsBefore,
}

/// A flat object as the next row of its array may reuse it: its keys in text order (their bytes
/// and the key objects) and the dict.
struct Row<'a, 'py> {
    keys: Vec<Key<'a, 'py>>,
    dict: Bound<'py, PyDict>,
}

impl<'py> Node<'_, 'py> {
    fn into_any(self) -> Bound<'py, PyAny> {
        match self {
            Node::Scalar(v) => v,
            Node::Object(d, _) => d.into_any(),
            Node::Array(l) => l.into_any(),
        }
    }
}

/// An array of flat objects already built from `span` (its bytes, `[` to `]`).
struct Seen<'a, 'py> {
    span: &'a [u8],
    rows: Vec<Bound<'py, PyDict>>,
}

struct Parser<'a, 'py> {
    py: Python<'py>,
    s: &'a str,
    b: &'a [u8],
    i: usize,
    depth: u32,
    keys: &'a mut KeyCache,
    /// Whether `keys` is the process-wide cache (bounded) or a private one.
    shared: bool,
    seen: Vec<Seen<'a, 'py>>,
    /// The keys and values of the objects being read, innermost last.
    keys_stack: Vec<Key<'a, 'py>>,
    values: Vec<Bound<'py, PyAny>>,
}

/// An object key: its bytes in the text when it is a cached key (one without escapes), and the
/// key object.
type Key<'a, 'py> = (Option<&'a [u8]>, Bound<'py, PyString>);

impl<'a, 'py> Parser<'a, 'py> {
    fn err(&self, what: &str) -> PyErr {
        PyValueError::new_err(format!("invalid JSON at byte {}: {what}", self.i))
    }

    #[inline(always)]
    fn peek(&self) -> u8 {
        self.b.get(self.i).copied().unwrap_or(0)
    }

    #[inline(always)]
    fn ws(&mut self) {
        while matches!(self.peek(), b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }

    fn literal(&mut self, word: &str) -> PyResult<()> {
        if self.b[self.i..].starts_with(word.as_bytes()) {
            self.i += word.len();
            Ok(())
        } else {
            Err(self.err("unexpected token"))
        }
    }

    fn value(&mut self) -> PyResult<Node<'a, 'py>> {
        self.ws();
        Ok(match self.peek() {
            b'{' => self.object(None)?,
            b'[' => Node::Array(self.array()?),
            _ => Node::Scalar(self.scalar()?),
        })
    }

    /// A string, number, `true`, `false` or `null` (or `NaN` / `Infinity`).
    fn scalar(&mut self) -> PyResult<Bound<'py, PyAny>> {
        let py = self.py;
        Ok(match self.peek() {
            b'"' => self.string()?.into_any(),
            b'-' | b'0'..=b'9' => self.number()?,
            b't' => {
                self.literal("true")?;
                PyBool::new(py, true).to_owned().into_any()
            }
            b'f' => {
                self.literal("false")?;
                PyBool::new(py, false).to_owned().into_any()
            }
            b'n' => {
                self.literal("null")?;
                py.None().into_bound(py)
            }
            b'N' => {
                self.literal("NaN")?;
                PyFloat::new(py, f64::NAN).into_any()
            }
            b'I' => {
                self.literal("Infinity")?;
                PyFloat::new(py, f64::INFINITY).into_any()
            }
            _ => return Err(self.err("expected a value")),
        })
    }

    fn enter(&mut self) -> PyResult<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.err("nested too deeply"));
        }
        self.i += 1;
        Ok(())
    }

    /// An object. In an array of rows, `like` is the previous row when it was flat: its keys are
    /// tried first (a byte comparison, no hashing), and when this row is flat with the same keys
    /// in the same order it is built as `like.dict.copy()` with its values replaced (no insertion,
    /// no resize), and becomes `like.dict`. The result is the dict the insertions in order would
    /// build: `json.loads`'s.
    fn object(&mut self, like: Option<&mut Row<'a, 'py>>) -> PyResult<Node<'a, 'py>> {
        self.enter()?;
        let py = self.py;
        // Keys and values on the parser's stacks from `base` (a nested object stacks above).
        let base = self.values.len();
        let mut flat = true;
        let mut same = like.is_some();
        self.ws();
        if self.peek() == b'}' {
            self.i += 1;
        } else {
            loop {
                self.ws();
                if self.peek() != b'"' {
                    return Err(self.err("expected a key"));
                }
                let n = self.values.len() - base;
                let guess = like.as_deref().and_then(|r| r.keys.get(n));
                let k = self.key(guess)?;
                same &= guess.is_some_and(|g| g.1.as_ptr() == k.1.as_ptr());
                self.ws();
                if self.peek() != b':' {
                    return Err(self.err("expected ':'"));
                }
                self.i += 1;
                self.ws();
                let v = match self.peek() {
                    b'{' | b'[' => {
                        flat = false;
                        self.value()?.into_any()
                    }
                    _ => self.scalar()?,
                };
                self.keys_stack.push(k);
                self.values.push(v);
                self.ws();
                match self.peek() {
                    b',' => self.i += 1,
                    b'}' => {
                        self.i += 1;
                        break;
                    }
                    _ => return Err(self.err("expected ',' or '}'")),
                }
            }
        }
        self.depth -= 1;
        let n = self.values.len() - base;
        let keys = self.keys_stack.drain(base..);
        let values = self.values.drain(base..);
        if let Some(row) = like
            && flat
            && same
            && n == row.keys.len()
            && n > 0
        {
            let d = row.dict.copy()?;
            for (k, v) in keys.zip(values) {
                d.set_item(k.1, v)?;
            }
            row.dict = d.clone();
            return Ok(Node::Object(d, Flat::AsBefore));
        }
        let d = PyDict::new(py);
        if !flat {
            for (k, v) in keys.zip(values) {
                d.set_item(k.1, v)?;
            }
            return Ok(Node::Object(d, Flat::No));
        }
        let mut row_keys = Vec::with_capacity(n);
        for (k, v) in keys.zip(values) {
            d.set_item(&k.1, v)?;
            row_keys.push(k);
        }
        Ok(Node::Object(
            d.clone(),
            Flat::New(Row {
                keys: row_keys,
                dict: d,
            }),
        ))
    }

    fn array(&mut self) -> PyResult<Bound<'py, PyList>> {
        let start = self.i;
        let rest = &self.b[start..];
        if let Some(seen) = self.seen.iter().find(|s| rest.starts_with(s.span)) {
            // The same bytes from `[`: the same array (well-formed text), rows copied.
            let copies = seen
                .rows
                .iter()
                .map(|r| r.copy())
                .collect::<PyResult<Vec<_>>>()?;
            self.i = start + seen.span.len();
            return PyList::new(self.py, copies);
        }
        self.enter()?;
        let mut items: Vec<Bound<'py, PyAny>> = Vec::new();
        // The rows while every element so far is a flat object.
        let mut rows: Option<Vec<Bound<'py, PyDict>>> = Some(Vec::new());
        let mut prev: Option<Row<'a, 'py>> = None;
        self.ws();
        if self.peek() == b']' {
            self.i += 1;
        } else {
            loop {
                self.ws();
                let v = if self.peek() == b'{' {
                    self.object(prev.as_mut())?
                } else {
                    self.value()?
                };
                match v {
                    Node::Object(d, flat @ (Flat::New(_) | Flat::AsBefore)) => {
                        if let Some(r) = rows.as_mut() {
                            r.push(d.clone());
                        }
                        items.push(d.into_any());
                        if let Flat::New(row) = flat {
                            prev = Some(row);
                        }
                    }
                    other => {
                        rows = None;
                        items.push(other.into_any());
                    }
                }
                self.ws();
                match self.peek() {
                    b',' => self.i += 1,
                    b']' => {
                        self.i += 1;
                        break;
                    }
                    _ => return Err(self.err("expected ',' or ']'")),
                }
            }
        }
        self.depth -= 1;
        let span = &self.b[start..self.i];
        if let Some(rows) = rows
            && !rows.is_empty()
            && span.len() >= MIN_REUSED_SPAN
            && self.seen.len() < MAX_REUSED
        {
            self.seen.push(Seen { span, rows });
        }
        PyList::new(self.py, items)
    }

    /// An object key (at its opening quote), with its bytes: `guess` (the previous row's key at
    /// this place) if the text has it, else from the cache when it has no escape.
    #[inline(always)]
    fn key(&mut self, guess: Option<&Key<'a, 'py>>) -> PyResult<Key<'a, 'py>> {
        let start = self.i + 1;
        if let Some((Some(bytes), k)) = guess {
            let end = start + bytes.len();
            if self.b.get(end) == Some(&b'"') && same_bytes(&self.b[start..end], bytes) {
                self.i = end + 1;
                return Ok((Some(bytes), k.clone()));
            }
        }
        let Some(len) = self.b[start..]
            .iter()
            .position(|&c| c == b'"' || c == b'\\')
        else {
            return Err(self.err("unterminated string"));
        };
        let bytes = &self.b[start..start + len];
        if self.b[start + len] == b'\\' || len > MAX_CACHED_KEY {
            // Not cached, and never a guess.
            return Ok((None, self.string()?));
        }
        self.i = start + len + 1;
        if let Some(k) = self.keys.get(bytes) {
            return Ok((Some(bytes), k.bind(self.py).clone()));
        }
        let text = self.slice(start, start + len)?;
        let k = PyString::intern(self.py, text);
        if !self.shared || self.keys.len() < MAX_CACHED_KEYS {
            self.keys.insert(bytes.into(), k.clone().unbind());
        }
        Ok((Some(bytes), k))
    }

    fn slice(&self, from: usize, to: usize) -> PyResult<&'a str> {
        self.s
            .get(from..to)
            .ok_or_else(|| self.err("string not on a character boundary"))
    }

    /// A string token (at its opening quote).
    fn string(&mut self) -> PyResult<Bound<'py, PyString>> {
        let open = self.i;
        let start = open + 1;
        let Some(len) = self.b[start..]
            .iter()
            .position(|&c| c == b'"' || c == b'\\')
        else {
            return Err(self.err("unterminated string"));
        };
        if self.b[start + len] == b'"' {
            self.i = start + len + 1;
            return Ok(PyString::new(self.py, self.slice(start, start + len)?));
        }
        let mut out = String::with_capacity(len + 16);
        let mut from = start;
        let mut j = start + len;
        loop {
            match self.b.get(j) {
                None => {
                    self.i = j;
                    return Err(self.err("unterminated string"));
                }
                Some(b'"') => {
                    out.push_str(self.slice(from, j)?);
                    self.i = j + 1;
                    return Ok(PyString::new(self.py, &out));
                }
                Some(b'\\') => {
                    out.push_str(self.slice(from, j)?);
                    let esc = self.b.get(j + 1).copied().unwrap_or(0);
                    j += 2;
                    match esc {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let hi = self.hex4(j)?;
                            j += 4;
                            let c = if (0xD800..0xDC00).contains(&hi)
                                && self.b.get(j) == Some(&b'\\')
                                && self.b.get(j + 1) == Some(&b'u')
                                && (0xDC00..0xE000).contains(&self.hex4(j + 2)?)
                            {
                                let lo = self.hex4(j + 2)?;
                                j += 6;
                                char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
                            } else {
                                char::from_u32(hi)
                            };
                            match c {
                                Some(c) => out.push(c),
                                // A lone surrogate: a Python str holds it, a Rust String cannot.
                                None => return self.string_by_json(open),
                            }
                        }
                        _ => {
                            self.i = j - 1;
                            return Err(self.err("invalid escape"));
                        }
                    }
                    from = j;
                }
                Some(_) => j += 1,
            }
        }
    }

    /// Four hex digits at `at`, as `json` reads them.
    fn hex4(&self, at: usize) -> PyResult<u32> {
        let digits = self
            .b
            .get(at..at + 4)
            .filter(|d| d.iter().all(u8::is_ascii_hexdigit))
            .ok_or_else(|| self.err("invalid \\u escape"))?;
        Ok(digits
            .iter()
            .fold(0, |n, &d| n * 16 + char::from(d).to_digit(16).unwrap_or(0)))
    }

    /// The string token at `open` through Python's `json.loads` (lone surrogates only).
    fn string_by_json(&mut self, open: usize) -> PyResult<Bound<'py, PyString>> {
        let mut j = open + 1;
        loop {
            match self.b.get(j) {
                None => return Err(self.err("unterminated string")),
                Some(b'\\') => j += 2,
                Some(b'"') => break,
                Some(_) => j += 1,
            }
        }
        let token = self.slice(open, j + 1)?;
        self.i = j + 1;
        let v = self.py.import("json")?.getattr("loads")?.call1((token,))?;
        Ok(v.cast_into::<PyString>()?)
    }

    /// A number token: a `float` if it has a fraction or an exponent, else an `int`.
    fn number(&mut self) -> PyResult<Bound<'py, PyAny>> {
        let py = self.py;
        let start = self.i;
        let neg = self.peek() == b'-';
        if neg && self.b.get(start + 1) == Some(&b'I') {
            self.i += 1;
            self.literal("Infinity")?;
            return Ok(PyFloat::new(py, f64::NEG_INFINITY).into_any());
        }
        let mut j = start + usize::from(neg);
        // The digits as one integer (wrapping past 19 digits, then unused) and their count.
        let (mut m, mut digits) = (0u64, 0usize);
        let mut run = |j: &mut usize| {
            let from = *j;
            while let Some(&c) = self.b.get(*j).filter(|c| c.is_ascii_digit()) {
                m = m.wrapping_mul(10).wrapping_add(u64::from(c - b'0'));
                *j += 1;
            }
            digits += *j - from;
            *j - from
        };
        let whole = run(&mut j);
        let (mut frac, mut float, mut exp) = (0, false, false);
        let dot = self.b.get(j) == Some(&b'.');
        if dot {
            j += 1;
            frac = run(&mut j);
            float = true;
        }
        if matches!(self.b.get(j), Some(b'e' | b'E')) {
            j += 1;
            if matches!(self.b.get(j), Some(b'+' | b'-')) {
                j += 1;
            }
            let from = j;
            while self.b.get(j).is_some_and(u8::is_ascii_digit) {
                j += 1;
            }
            (float, exp) = (true, j > from);
            if !exp {
                self.i = j;
                return Err(self.err("invalid number"));
            }
        }
        self.i = j;
        if whole == 0 || dot && frac == 0 {
            return Err(self.err("invalid number"));
        }
        if float {
            // Clinger's fast path: m and 10^frac exact doubles, one correctly rounded division.
            if !exp && digits <= 19 && m <= 1 << 53 && frac < POW10.len() {
                let x = m as f64 / POW10[frac];
                return Ok(PyFloat::new(py, if neg { -x } else { x }).into_any());
            }
            let token = self.slice(start, j)?;
            let x: f64 = token.parse().map_err(|_| self.err("invalid number"))?;
            return Ok(PyFloat::new(py, x).into_any());
        }
        if digits <= 18 {
            let n = m as i64; // < 10^18
            return Ok((if neg { -n } else { n }).into_pyobject(py)?.into_any());
        }
        let token = self.slice(start, j)?;
        if let Ok(n) = token.parse::<i64>() {
            return Ok(n.into_pyobject(py)?.into_any());
        }
        // Beyond i64: Python's int() of the digits (already checked to be `-?[0-9]+`).
        py.get_type::<PyInt>().call1((token,))
    }
}
