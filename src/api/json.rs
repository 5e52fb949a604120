//! The JSON machinery every request reader shares: the parse options ([`ReadOptions`]), the strict
//! parser's entry ([`parse_json`]), the object reader that names every field by its path
//! ([`Obj`]), dates, rates given as fractions, the names of bases and person types, and unknown
//! keys with the nearest known key.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::Value;

use super::number::node_decimal;
use super::tree::{Entries, Node, lookup, same_key};
use crate::calendar;
use crate::error::{Error, Result};
use crate::rate::{AnnualRate, MonthlyRate, RateInput};

/// How a body is read: the parse options every reader takes (today one: whether keys QI's
/// documentation does not list are accepted). `Default` is strict.
///
/// ```
/// use qitech_sim::api::ReadOptions;
/// assert!(!ReadOptions::default().allow_unknown_fields);
/// assert!(ReadOptions::default().allow_unknown(true).allow_unknown_fields);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ReadOptions {
    /// Accept keys QI's documentation does not list instead of refusing them (the CLI's
    /// `--allow-unknown-fields`).
    pub allow_unknown_fields: bool,
}

impl ReadOptions {
    /// These options, accepting unknown keys when `allow`.
    pub fn allow_unknown(mut self, allow: bool) -> Self {
        self.allow_unknown_fields = allow;
        self
    }
}

/// A JSON object of a parsed body ([`Node`]) with its path, for field-by-field reading with
/// precise errors.
pub(super) struct Obj<'a> {
    pub(super) path: String,
    /// The object's entries, sorted by key.
    pub(super) entries: &'a Entries<'a>,
    /// The lengths of its keys: bit `n` set when a key has `n` bytes (bit 63 for 63 bytes or
    /// more). A reader looks up dozens of keys, most of them absent, and most absent keys have a
    /// length no present key has: those are answered without a scan.
    lengths: u64,
}

impl<'a> Obj<'a> {
    /// The object `entries` at `path`.
    fn new(path: String, entries: &'a Entries<'a>) -> Self {
        let lengths = entries
            .iter()
            .fold(0, |bits, (key, _)| bits | length_bit(key));
        Obj {
            path,
            entries,
            lengths,
        }
    }

    pub(super) fn root(v: &'a Node<'a>, name: &str) -> Result<Self> {
        match v {
            Node::Object(entries) => Ok(Obj::new(String::new(), entries)),
            other => Err(Error::wrong_type(
                name,
                short(other),
                "expected a JSON object",
            )),
        }
    }

    /// The path of `key` in this object (`path.key`, or `key` at the root), concatenated
    /// without `core::fmt` (the readers build one for every object they enter).
    pub(super) fn field(&self, key: &str) -> String {
        if self.path.is_empty() {
            return key.to_string();
        }
        let mut out = String::with_capacity(self.path.len() + 1 + key.len());
        out.push_str(&self.path);
        out.push('.');
        out.push_str(key);
        out
    }

    /// The path of item `index` of the array `key` (`path.key[index]`), its digits written
    /// without `core::fmt` ([`super::writer::decimal_digits`]).
    fn item(&self, key: &str, index: usize) -> String {
        let mut out = self.field(key);
        let mut digits = [0u8; 20];
        out.push('[');
        out.push_str(super::writer::decimal_digits(
            u64::try_from(index).unwrap_or(u64::MAX),
            &mut digits,
        ));
        out.push(']');
        out
    }

    /// `read(field)` with the path of `key` built only when it fails: `read` runs first with an
    /// empty path and, if it fails, again with the real one, whose error is returned. `read` is a
    /// pure check of a value already read, so the second run fails the same way, naming the path;
    /// a read that succeeds never formats a path.
    pub(super) fn lazily<T>(&self, key: &str, read: impl Fn(&str) -> Result<T>) -> Result<T> {
        read("").or_else(|_| read(&self.field(key)))
    }

    /// The value of `key`, unless absent or null.
    pub(super) fn get(&self, key: &str) -> Option<&'a Node<'a>> {
        if self.lengths & length_bit(key) == 0 {
            return None;
        }
        lookup(self.entries, key).filter(|v| !matches!(v, Node::Null))
    }

    pub(super) fn object(&self, key: &str) -> Result<Option<Obj<'a>>> {
        match self.get(key) {
            None => Ok(None),
            Some(Node::Object(entries)) => Ok(Some(Obj::new(self.field(key), entries))),
            Some(other) => Err(Error::wrong_type(
                self.field(key),
                short(other),
                "expected an object",
            )),
        }
    }

    /// The objects of the array `key`, at most `cap` of them.
    pub(super) fn array(&self, key: &str, cap: usize) -> Result<Vec<Obj<'a>>> {
        match self.get(key) {
            None => Ok(vec![]),
            Some(Node::Array(items)) if items.len() > cap => Err(Error::out_of_range(
                self.field(key),
                format!("{} items", items.len()),
                format!("at most {cap} items"),
            )),
            Some(Node::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, v)| match v {
                    Node::Object(entries) => Ok(Obj::new(self.item(key, i), entries)),
                    other => Err(Error::wrong_type(
                        self.item(key, i),
                        short(other),
                        "expected an object",
                    )),
                })
                .collect(),
            Some(other) => Err(Error::wrong_type(
                self.field(key),
                short(other),
                "expected an array",
            )),
        }
    }

    pub(super) fn decimal(&self, key: &str) -> Result<Option<Decimal>> {
        self.get(key)
            .map(|v| self.lazily(key, |field| node_decimal(v, field)))
            .transpose()
    }

    pub(super) fn u32(&self, key: &str) -> Result<Option<u32>> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => match v {
                Node::Number(n, _) => {
                    n.as_u64().and_then(|n| u32::try_from(n).ok()).or_else(|| {
                        n.as_f64()
                            .filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f <= f64::from(u32::MAX))
                            .map(|f| f as u32)
                    })
                }
                _ => None,
            }
            .map(Some)
            .ok_or_else(|| {
                Error::wrong_type(
                    self.field(key),
                    short(v),
                    "expected a non-negative whole number",
                )
            }),
        }
    }

    pub(super) fn bool(&self, key: &str) -> Result<Option<bool>> {
        match self.get(key) {
            None => Ok(None),
            Some(Node::Bool(b)) => Ok(Some(*b)),
            Some(other) => Err(Error::wrong_type(
                self.field(key),
                short(other),
                "expected true or false",
            )),
        }
    }

    pub(super) fn string(&self, key: &str) -> Result<Option<String>> {
        Ok(self.str(key)?.map(str::to_string))
    }

    /// [`Obj::string`], borrowed from the body (for a string that is read, not kept).
    pub(super) fn str(&self, key: &str) -> Result<Option<&'a str>> {
        match self.get(key) {
            None => Ok(None),
            Some(Node::String(s)) => Ok(Some(s)),
            Some(other) => Err(Error::wrong_type(
                self.field(key),
                short(other),
                "expected a string",
            )),
        }
    }

    /// A list of dates (`financial.due_dates`).
    pub(super) fn date_list(&self, key: &str) -> Result<Option<Vec<NaiveDate>>> {
        match self.get(key) {
            None => Ok(None),
            Some(Node::Array(items)) => {
                if items.len() > crate::schedule::MAX_INSTALLMENTS as usize {
                    return Err(Error::out_of_range(
                        self.field(key),
                        items.len(),
                        format!("at most {} due dates", crate::schedule::MAX_INSTALLMENTS),
                    ));
                }
                let mut out = Vec::with_capacity(items.len());
                for (i, v) in items.iter().enumerate() {
                    let field = self.item(key, i);
                    let Node::String(text) = v else {
                        return Err(Error::wrong_type(field, short(v), "expected a date string"));
                    };
                    out.push(calendar::check_in_range(parse_date(text, &field)?, &field)?);
                }
                Ok(Some(out))
            }
            Some(other) => Err(Error::wrong_type(
                self.field(key),
                short(other),
                "expected an array of dates",
            )),
        }
    }

    /// Refuses `key` when present: QI documents it, the crate does not price it.
    pub(super) fn refuse(&self, key: &str, reason: &str) -> Result<()> {
        match self.get(key) {
            None => Ok(()),
            Some(v) => Err(Error::unsupported(self.field(key), short(v), reason)),
        }
    }

    pub(super) fn date(&self, key: &str) -> Result<Option<NaiveDate>> {
        match self.str(key)? {
            None => Ok(None),
            Some(s) => self
                .lazily(key, |field| {
                    calendar::check_in_range(parse_date(s, field)?, field)
                })
                .map(Some),
        }
    }

    /// `monthly_interest_rate` or `annual_interest_rate` (exactly one of them).
    pub(super) fn rate_input(&self) -> Result<RateInput> {
        match (
            self.decimal("monthly_interest_rate")?,
            self.decimal("annual_interest_rate")?,
        ) {
            (Some(m), None) => self
                .lazily("monthly_interest_rate", |field| {
                    MonthlyRate::of_loan(m, field)
                })
                .map(RateInput::Monthly),
            (None, Some(a)) => self
                .lazily("annual_interest_rate", |field| {
                    AnnualRate::of_loan(a, field)
                })
                .map(RateInput::Annual),
            (Some(m), Some(_)) => Err(Error::conflict(
                self.field("annual_interest_rate"),
                m,
                "give monthly_interest_rate or annual_interest_rate, not both",
            )),
            (None, None) => Err(Error::missing(self.field("monthly_interest_rate"))),
        }
    }

    pub(super) fn required<T>(&self, key: &str, v: Option<T>) -> Result<T> {
        v.ok_or_else(|| Error::missing(self.field(key)))
    }
}

/// The bit of `key`'s length in [`Obj`]'s `lengths`: bit `n` for `n` bytes, bit 63 for 63 bytes
/// or more.
fn length_bit(key: &str) -> u64 {
    1 << key.len().min(63)
}

/// Parses JSON text (duplicate keys and underflowing numbers refused: see `api/strict.rs`);
/// `source_name` names the input in a syntax error.
pub(super) fn parse_json(text: &str, source_name: &str) -> Result<Value> {
    super::strict::parse(text, source_name)
}

/// Parses a date written exactly `YYYY-MM-DD` (four, two and two ASCII digits: no sign, no
/// surrounding spaces, no single-digit month or day), naming `field` on error.
///
/// # Errors
/// [`Error::InvalidField`] ([`crate::ErrorKind::Invalid`]) for anything else than a valid calendar
/// date in that form.
pub fn parse_date(s: &str, field: &str) -> Result<NaiveDate> {
    let b = s.as_bytes();
    let shaped = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    // The digits of the shaped text, read by hand: `NaiveDate::parse_from_str(s, "%Y-%m-%d")`
    // reads the same date from them (and refuses the same impossible ones) through a format
    // interpreter ten times as long.
    let number = |digits: &[u8]| {
        digits
            .iter()
            .fold(0u32, |n, d| n * 10 + u32::from(d - b'0'))
    };
    shaped
        .then(|| {
            let year = i32::try_from(number(&b[0..4])).ok()?;
            NaiveDate::from_ymd_opt(year, number(&b[5..7]), number(&b[8..10]))
        })
        .flatten()
        .ok_or_else(|| Error::invalid(field, format!("{s:?}"), "expected a date YYYY-MM-DD"))
}

/// The compact JSON of `v` (a parsed value or tree), cut after 57 characters when longer than 60
/// bytes: the value an error echoes.
pub(super) fn short(v: &impl std::fmt::Display) -> String {
    let s = v.to_string();
    if s.len() > 60 {
        format!(
            "{}…",
            &s[..s.char_indices().nth(57).map_or(s.len(), |c| c.0)]
        )
    } else {
        s
    }
}

/// The outcome of reading a body whose first unknown key is `unknown`: a misspelt required field
/// is the spelling's error (whatever `read` allows); otherwise the read's own error, and then the
/// unknown key unless `read` allows unknown fields.
pub(super) fn refuse_unknown<T>(
    unknown: Option<UnknownKey>,
    outcome: Result<T>,
    read: ReadOptions,
) -> Result<T> {
    match (outcome, unknown) {
        (Err(Error::MissingField { field }), Some(u)) if u.explains(&field) => Err(u.misspelt()),
        (Err(e), _) => Err(e),
        (Ok(_), Some(u)) if !read.allow_unknown_fields => Err(u.error()),
        (Ok(v), _) => Ok(v),
    }
}

/// A key no list holds: where, which, and the nearest known key.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct UnknownKey {
    pub(super) path: String,
    key: String,
    value: String,
    nearest: Option<&'static str>,
}

impl UnknownKey {
    /// The error: [`crate::ErrorKind::Invalid`] on the key's path.
    pub(crate) fn error(&self) -> Error {
        let hint = match self.nearest {
            Some(n) => format!("; did you mean `{n}`?"),
            None => String::new(),
        };
        Error::invalid(
            &self.path,
            &self.value,
            format!(
                "unknown field{hint} (unknown keys are refused; allow them with \
                 --allow-unknown-fields or SimulationOptions::allow_unknown_fields)"
            ),
        )
    }

    /// The error when this key is the misspelling of a required field that is missing (whether
    /// or not unknown keys are allowed).
    pub(super) fn misspelt(&self) -> Error {
        Error::invalid(
            &self.path,
            &self.value,
            format!(
                "unknown field; did you mean `{}`? (a required field, missing)",
                self.nearest.unwrap_or("?")
            ),
        )
    }

    /// Whether this misspelling explains `missing` (a required field's path).
    pub(super) fn explains(&self, missing: &str) -> bool {
        let Some(n) = self.nearest else { return false };
        let parent = self.path.rsplit_once('.').map_or("", |p| p.0);
        let expected = if parent.is_empty() {
            n.to_string()
        } else {
            format!("{parent}.{n}")
        };
        expected == missing
    }
}

/// The first key of the object `map` (at `path`) not in `known`.
pub(super) fn unknown_in(
    map: &Entries<'_>,
    path: &str,
    known: &'static [&'static str],
) -> Option<UnknownKey> {
    unknown_at(map, || path.to_string(), known)
}

/// [`unknown_in`], the path built by `path` only when a key is unknown (most bodies have none).
pub(super) fn unknown_at(
    map: &Entries<'_>,
    path: impl FnOnce() -> String,
    known: &'static [&'static str],
) -> Option<UnknownKey> {
    // A key starting with `_` is a comment (`"_note"`), as the crate's own fixtures use them.
    let (k, v) = map
        .iter()
        .find(|(k, _)| !k.starts_with('_') && !known.iter().any(|known| same_key(known, k)))?;
    let path = path();
    Some(UnknownKey {
        path: if path.is_empty() {
            (*k).to_string()
        } else {
            format!("{path}.{k}")
        },
        key: (*k).to_string(),
        value: short(v),
        nearest: suggestion(k, known),
    })
}

/// The known key nearest to `key` (Damerau–Levenshtein, optimal string alignment), when it is
/// near enough to be a misspelling: at most 2 edits, and at most a third of the key's length.
pub(super) fn suggestion(key: &str, known: &[&'static str]) -> Option<&'static str> {
    let limit = 2.max(key.chars().count() / 3);
    known
        .iter()
        .map(|k| (edit_distance(key, k), *k))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// The optimal-string-alignment distance between `a` and `b`: insertions, deletions,
/// substitutions and transpositions of adjacent characters, each one edit.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for i in 0..=a.len() {
        d[i * w] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(w) {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[(i - 1) * w + j] + 1)
                .min(d[i * w + j - 1] + 1)
                .min(d[(i - 1) * w + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[(i - 2) * w + j - 2] + 1);
            }
            d[i * w + j] = best;
        }
    }
    d[a.len() * w + b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::SimulationRequest;

    /// The hand-read digits give the date `chrono`'s `%Y-%m-%d` parser gives, and refuse what it
    /// refuses, on every month and day number of several years.
    #[test]
    fn dates_read_as_chronos_format_reads_them() {
        for year in [
            "0000", "0001", "1900", "2000", "2023", "2024", "2100", "9999",
        ] {
            for month in (0..=13).chain([19, 99]) {
                for day in (0..=32).chain([39, 99]) {
                    let text = format!("{year}-{month:02}-{day:02}");
                    assert_eq!(
                        parse_date(&text, "d").ok(),
                        NaiveDate::parse_from_str(&text, "%Y-%m-%d").ok(),
                        "{text}"
                    );
                }
            }
        }
        for text in [
            "2023-3-14",
            "+2023-03-14",
            " 2023-03-14",
            "2023-03-14 ",
            "2023/03/14",
        ] {
            assert!(parse_date(text, "d").is_err(), "{text}");
        }
    }

    /// An item's path is `format!`'s: at the root and below it, at the ends of the digits' range.
    #[test]
    fn item_paths_are_formatted_by_hand() {
        let entries: Vec<(&str, Node<'_>)> = vec![];
        for path in ["", "financial"] {
            let obj = Obj::new(path.to_string(), &entries);
            for i in [0, 1, 9, 10, 99, 100, 12_345, usize::MAX] {
                let expected = if path.is_empty() {
                    format!("k[{i}]")
                } else {
                    format!("{path}.k[{i}]")
                };
                assert_eq!(obj.item("k", i), expected);
            }
        }
    }

    /// `Obj::get` answers as a scan of the entries (a null as absent), through its lengths bits:
    /// present, absent and null keys of lengths 0 to 70 (both sides of bit 63, which holds every
    /// length from 63 up), absent keys of a present key's length and of no key's length.
    #[test]
    fn get_answers_as_a_scan() {
        let keys: Vec<String> = [0, 1, 5, 13, 22, 62, 63, 64, 70]
            .iter()
            .map(|&n| "k".repeat(n))
            .collect();
        let mut entries: Vec<(&str, Node<'_>)> = keys
            .iter()
            .enumerate()
            .map(|(i, k)| {
                let v = if i % 3 == 2 {
                    Node::Null
                } else {
                    Node::Bool(true)
                };
                (k.as_str(), v)
            })
            .collect();
        entries.sort_unstable_by_key(|(k, _)| *k);
        let obj = Obj::new(String::new(), &entries);
        for n in 0..=72 {
            for key in ["k".repeat(n), "x".repeat(n)] {
                let scan = entries
                    .iter()
                    .find(|(k, _)| *k == key)
                    .map(|(_, v)| v)
                    .filter(|v| **v != Node::Null);
                assert_eq!(obj.get(&key), scan, "{n} {key}");
            }
        }
    }

    /// An unknown key in each nested object of a request is named by its path, and the nearest
    /// known key suggested.
    #[test]
    fn unknown_keys_are_named_by_their_path() {
        let body = |fin: &str, borrower: &str, collateral: &str, refinanced: &str| {
            format!(
                r#"{{"financial": {{"installment_face_value": 100, "number_of_installments": 2,
                "monthly_interest_rate": 0.0205, "disbursement_date": "2023-03-14",
                "first_due_date": "2023-04-07", "fine_configuration": {{"monthly_rate": 0.01{fin}}}}},
                "borrower": {{"person_type": "natural"{borrower}}},
                "collaterals": [{{"collateral_type": "airforce_payroll"}},
                                {{"collateral_type": "airforce_payroll"{collateral}}}],
                "refinanced_credit_operations": [{{"due_balance": 1.5, "original_deadline": 1{refinanced}}}]}}"#
            )
        };
        let read = |text: &str| SimulationRequest::from_json(text, "t").expect("read");
        assert_eq!(read(&body("", "", "", "")).unknown_field, None);
        for (text, path, nearest) in [
            (
                body(", \"monthly_rat\": 1", "", "", ""),
                "financial.fine_configuration.monthly_rat",
                "monthly_rate",
            ),
            (body("", ", \"nme\": \"x\"", "", ""), "borrower.nme", "name"),
            (
                body("", "", ", \"percentag\": 1", ""),
                "collaterals[1].percentag",
                "percentage",
            ),
            (
                body("", "", "", ", \"operation_ky\": \"k\""),
                "refinanced_credit_operations[0].operation_ky",
                "operation_key",
            ),
        ] {
            let e = read(&text).check_fields(false).expect_err("unknown key");
            assert_eq!(e.field(), Some(path));
            assert!(
                e.to_string()
                    .contains(&format!("did you mean `{nearest}`?")),
                "{e}"
            );
        }
    }
}
