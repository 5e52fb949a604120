//! The one definition of every response struct, and the fast compact writer.
//!
//! [`json_struct!`](crate::api::writer) declares a response struct from a single field list — each field with its
//! JSON key and, where QI omits it, the rule that skips it — and derives from that one list the
//! struct, its `serde::Serialize` (the pretty output, and any serde user) and [`WriteJson`] (the
//! compact bytes `batch` writes). The two outputs cannot drift apart: a test checks, on every fixture
//! and on random responses, that [`WriteJson`] writes byte for byte what `serde_json::to_vec` writes.
//!
//! The writer skips serde's generic path: keys are literals written as they are, where serde scans each
//! key for characters to escape (37 % of the time of serialising a 96-installment response). Strings
//! still go through serde_json's escaping, numbers through [`Num`]'s own printing.
//!
//! QI prints the first option's installments twice (in the option and at the top of `data`): the
//! fields tagged `[options]` and `[first_rows]` write them once and copy the bytes for the second
//! time, when the two lists are equal (half the rows of a one-option response, ≈ 45 % of its
//! writing time).

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::Value;

use super::number::{Num, Printed};
use super::request::CollateralType;
use crate::fees::AmountType;
use crate::rate::InterestBase;

/// Compact JSON, byte for byte what `serde_json::to_writer` writes for the same value.
pub(crate) trait WriteJson {
    /// Appends the value's compact JSON to `out`.
    fn write_json(&self, out: &mut Vec<u8>);
}

/// Writes `v` with serde_json (numbers, strings: their formatting and escaping stay serde_json's).
fn write_serde<T: Serialize + ?Sized>(v: &T, out: &mut Vec<u8>) {
    if serde_json::to_writer(&mut *out, v).is_err() {
        out.extend_from_slice(b"null");
    }
}

impl WriteJson for Num {
    fn write_json(&self, out: &mut Vec<u8>) {
        // A 64-bit mantissa (every amount, rate and tax of a schedule) loses its trailing zeros
        // here, as `num::normalize` drops them, and prints from its own digits: an integer as the
        // `i64` it is ([`Printed::Int`]), a fraction of at most 15 significant digits as
        // `write_short` prints it. Anything else goes to the nearest double (exact division for
        // ≤ 53-bit mantissas, else exact integer rounding: `num::to_f64`, correctly rounded
        // without strings), printed by serde_json's own float formatter.
        let (negative, mag, scale) = crate::num::parts(self.0);
        if let Ok(m) = u64::try_from(mag)
            // Not a fraction of 16 or more significant digits (an unrounded tax): the double's.
            && !(scale > 0 && m >= SHORT_LIMIT && m % 10 != 0)
        {
            let (m, scale) = crate::num::strip_zeros_u64(m, scale);
            if scale == 0 && m <= i64::MAX as u64 {
                // −0 prints as 0, as the `i64` it normalizes to.
                write_int(negative && m != 0, m, out);
                return;
            }
            if scale > 0 && m < SHORT_LIMIT {
                write_short(negative, m, scale, out);
                return;
            }
        }
        match self.printed() {
            Printed::Int(i) => write_serde(&i, out),
            Printed::Float(f) => write_serde(&f, out),
        }
    }
}

impl WriteJson for u32 {
    fn write_json(&self, out: &mut Vec<u8>) {
        write_int(false, u64::from(*self), out);
    }
}

/// The integer `±m` in decimal digits, as serde_json prints an integer (`itoa`'s digits, a `-`
/// before a negative one): two digits at a time from the pair table, into a fixed buffer copied
/// once.
fn write_int(negative: bool, m: u64, out: &mut Vec<u8>) {
    // u64::MAX has 20 digits; the sign makes 21.
    let mut buf = [0u8; 24];
    let mut at = put_digits(m, &mut buf, 24);
    if negative {
        at -= 1;
        buf[at] = b'-';
    }
    out.extend_from_slice(&buf[at..]);
}

/// The decimal digits of `v` (what `itoa` and `Display` write), in `buf`: [`put_digits`] as text.
pub(super) fn decimal_digits(v: u64, buf: &mut [u8; 20]) -> &str {
    let at = put_digits(v, buf, 20);
    // ASCII digits: valid UTF-8.
    std::str::from_utf8(&buf[at..]).unwrap_or_default()
}

/// Writes the decimal digits of `v` to end at `buf[end]` (exclusive), two at a time from the pair
/// table, and returns where they start.
fn put_digits(mut v: u64, buf: &mut [u8], end: usize) -> usize {
    let mut at = end;
    while v >= 100 {
        let pair = (v % 100) as usize * 2;
        v /= 100;
        at -= 2;
        buf[at..at + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
    }
    if v >= 10 {
        let pair = v as usize * 2;
        at -= 2;
        buf[at..at + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
    } else {
        at -= 1;
        buf[at] = b'0' + v as u8;
    }
    at
}

/// 10^15: a decimal of fewer digits reads back from its nearest double unchanged (a double carries
/// 15 significant decimal digits, `f64::DIGITS`), so two such decimals never share a double, and
/// the shortest text that reads back to that double (what serde_json prints, through `ryu`) is the
/// decimal's own digits.
const SHORT_LIMIT: u64 = 1_000_000_000_000_000;

/// A normalized non-integral decimal `±m × 10^−scale` with `m < 10^15`, printed as serde_json prints
/// its nearest `f64` (`ryu`'s layout): with the point inside the digits (`194.8`), after `0.` and up
/// to 4 zeros (`0.00001`), else in exponent form (`1e-7`, `1.5e-7`). Integral values never come
/// here (they print as integers, [`Num`]). `tests/number_output.rs` checks it against serde_json's
/// bytes on a million random and a million schedule-like decimals.
fn write_short(negative: bool, m: u64, scale: u32, out: &mut Vec<u8>) {
    // The digits end at `digits[16]`, two at a time; the buffers are wide enough that every copy
    // below is a fixed 16 bytes (one move), whatever the digit count.
    let mut digits = [0u8; 48];
    let at = put_digits(m, &mut digits, 16);
    let len = 16 - at;
    let mut buf = [0u8; 48];
    let mut n = usize::from(negative);
    buf[0] = b'-';
    // The point's position from the first digit: `0.0001234` has `point = −3`.
    let point = len as i64 - i64::from(scale);
    if point > 0 {
        let p = point as usize;
        buf[n..n + 16].copy_from_slice(&digits[at..at + 16]);
        buf[n + p] = b'.';
        buf[n + p + 1..n + p + 17].copy_from_slice(&digits[at + p..at + p + 16]);
        n += len + 1;
    } else if point > -5 {
        let zeros = (-point) as usize;
        buf[n..n + 8].copy_from_slice(b"0.000000");
        n += 2 + zeros;
        buf[n..n + 16].copy_from_slice(&digits[at..at + 16]);
        n += len;
    } else {
        buf[n] = digits[at];
        n += 1;
        if len > 1 {
            buf[n] = b'.';
            buf[n + 1..n + 17].copy_from_slice(&digits[at + 1..at + 17]);
            n += len;
        }
        // The exponent `point − 1` is −5 to −28 here: two digits at most.
        let e = (1 - point) as usize;
        buf[n..n + 2].copy_from_slice(b"e-");
        n += 2;
        if e >= 10 {
            buf[n..n + 2].copy_from_slice(&DIGIT_PAIRS[e * 2..e * 2 + 2]);
            n += 2;
        } else {
            buf[n] = b'0' + e as u8;
            n += 1;
        }
    }
    out.extend_from_slice(&buf[..n]);
}

/// `00` to `99`, two bytes each.
const DIGIT_PAIRS: &[u8; 200] = b"\
    0001020304050607080910111213141516171819\
    2021222324252627282930313233343536373839\
    4041424344454647484950515253545556575859\
    6061626364656667686970717273747576777879\
    8081828384858687888990919293949596979899";

/// Types whose compact JSON is serde_json's own.
macro_rules! write_json_via_serde {
    ($($ty:ty),*) => {
        $(impl WriteJson for $ty {
            fn write_json(&self, out: &mut Vec<u8>) {
                write_serde(self, out);
            }
        })*
    };
}

write_json_via_serde!(String, AmountType, InterestBase, CollateralType, Value);

impl WriteJson for bool {
    fn write_json(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(if *self { b"true" } else { b"false" });
    }
}

impl WriteJson for NaiveDate {
    fn write_json(&self, out: &mut Vec<u8>) {
        match date_digits(self) {
            Some(d) => {
                out.push(b'"');
                out.extend_from_slice(&d);
                out.push(b'"');
            }
            None => write_serde(self, out),
        }
    }
}

/// `YYYY-MM-DD` as bytes, for years 0 to 9999 (every date the calendar accepts), written from the
/// date's fields: chrono's `Display` goes through its general formatter, a measurable share of writing
/// a 96-installment response. The bytes are chrono's serialisation of the same date.
fn date_digits(d: &NaiveDate) -> Option<[u8; 10]> {
    use chrono::Datelike;
    let y = usize::try_from(d.year()).ok().filter(|y| *y <= 9999)?;
    let pair = |v: usize| [DIGIT_PAIRS[v * 2], DIGIT_PAIRS[v * 2 + 1]];
    let (century, year) = (pair(y / 100), pair(y % 100));
    let (month, day) = (pair(d.month() as usize), pair(d.day() as usize));
    Some([
        century[0], century[1], year[0], year[1], b'-', month[0], month[1], b'-', day[0], day[1],
    ])
}

/// A date serialised through serde as `YYYY-MM-DD` from its digits (the same string as chrono's
/// serialisation, without its general formatter).
pub(crate) struct DateJson<'a>(pub(crate) &'a NaiveDate);

impl Serialize for DateJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match date_digits(self.0).as_ref().map(|b| std::str::from_utf8(b)) {
            Some(Ok(text)) => s.serialize_str(text),
            _ => self.0.serialize(s),
        }
    }
}

impl<T: WriteJson> WriteJson for Option<T> {
    fn write_json(&self, out: &mut Vec<u8>) {
        match self {
            Some(v) => v.write_json(out),
            None => out.extend_from_slice(b"null"),
        }
    }
}

impl<T: WriteJson> WriteJson for Vec<T> {
    fn write_json(&self, out: &mut Vec<u8>) {
        out.push(b'[');
        for (i, v) in self.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            v.write_json(out);
        }
        out.push(b']');
    }
}

/// Declares a response struct from one field list: `field: Type => "json_key"`, optionally followed
/// by `[none]` or `[empty]` (the field is omitted when it is `None` / an empty list) or `[date]` (a
/// `NaiveDate` serialised from its digits, [`DateJson`]). Emits the struct
/// (`Debug, Clone, PartialEq, Deserialize`, `#[non_exhaustive]`), its `Serialize` and its
/// [`WriteJson`], all three in the list's order (QI's responses are in alphabetical order).
macro_rules! json_struct {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $(
                $(#[$fmeta:meta])*
                $field:ident : $ty:ty => $key:literal $([$skip:ident])?
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, serde::Deserialize)]
        #[non_exhaustive]
        pub struct $name {
            $(
                $(#[$fmeta])*
                #[serde(rename = $key)]
                $(
                    #[doc = json_struct!(@doc $skip)]
                    #[serde(default)]
                )?
                pub $field: $ty,
            )*
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(
                &self,
                serializer: S,
            ) -> std::result::Result<S::Ok, S::Error> {
                use serde::ser::SerializeStruct;
                let mut st = serializer.serialize_struct(stringify!($name), [$($key),*].len())?;
                $(
                    if json_struct!(@skip self.$field $(, $skip)?) {
                        st.skip_field($key)?;
                    } else {
                        json_struct!(@ser st, $key, self.$field $(, $skip)?);
                    }
                )*
                st.end()
            }
        }

        impl $crate::api::writer::WriteJson for $name {
            fn write_json(&self, out: &mut Vec<u8>) {
                let _ = self.write_json_marked(out);
            }
        }

        impl $name {
            /// [`WriteJson::write_json`](crate::api::writer::WriteJson), returning where in
            /// `out` the value of the field tagged `[rows]` was written, if one is.
            #[allow(unused_mut, unused_variables, clippy::let_and_return)]
            pub(crate) fn write_json_marked(
                &self,
                out: &mut Vec<u8>,
            ) -> Option<std::ops::Range<usize>> {
                out.push(b'{');
                let mut first = true;
                let mut rows: Option<std::ops::Range<usize>> = None;
                let mut first_rows: Option<std::ops::Range<usize>> = None;
                $(
                    if !json_struct!(@skip self.$field $(, $skip)?) {
                        // The separator and the key in one literal.
                        let key = if first {
                            concat!("\"", $key, "\":")
                        } else {
                            concat!(",\"", $key, "\":")
                        };
                        first = false;
                        out.extend_from_slice(key.as_bytes());
                        json_struct!(@write self, out, rows, first_rows, $field $(, $skip)?);
                    }
                )*
                let _ = first;
                out.push(b'}');
                rows
            }
        }
    };
    (@write $self:ident, $out:ident, $rows:ident, $first_rows:ident, $field:ident, rows) => {
        let at = $out.len();
        $crate::api::writer::WriteJson::write_json(&$self.$field, $out);
        $rows = Some(at..$out.len());
    };
    (@write $self:ident, $out:ident, $rows:ident, $first_rows:ident, $field:ident, options) => {
        $first_rows = $crate::api::writer::write_options(&$self.$field, $out);
    };
    (@write $self:ident, $out:ident, $rows:ident, $first_rows:ident, $field:ident, first_rows) => {
        match (&$first_rows, $self.disbursement_options.first()) {
            (Some(r), Some(o)) if o.installments == $self.$field => {
                $out.extend_from_within(r.clone());
            }
            _ => $crate::api::writer::WriteJson::write_json(&$self.$field, $out),
        }
    };
    (@write $self:ident, $out:ident, $rows:ident, $first_rows:ident, $field:ident $(, $skip:ident)?) => {
        $crate::api::writer::WriteJson::write_json(&$self.$field, $out);
    };
    (@doc date) => { "" };
    (@doc rows) => { "" };
    (@doc options) => { "" };
    (@doc first_rows) => { "" };
    (@doc $skip:ident) => { concat!("\n\nOmitted from the JSON when ", stringify!($skip), ".") };
    (@skip $v:expr) => { false };
    (@skip $v:expr, none) => { $v.is_none() };
    (@skip $v:expr, empty) => { $v.is_empty() };
    (@skip $v:expr, date) => { false };
    (@skip $v:expr, rows) => { false };
    (@skip $v:expr, options) => { false };
    (@skip $v:expr, first_rows) => { false };
    (@ser $st:ident, $key:literal, $v:expr) => { $st.serialize_field($key, &$v)? };
    (@ser $st:ident, $key:literal, $v:expr, date) => {
        $st.serialize_field($key, &$crate::api::writer::DateJson(&$v))?
    };
    (@ser $st:ident, $key:literal, $v:expr, $skip:ident) => { $st.serialize_field($key, &$v)? };
}

pub(crate) use json_struct;

/// Writes the disbursement options as a JSON array and returns where the first option's
/// installments were written: QI prints those rows again at the top of `data` (the `[first_rows]`
/// field), which then copies these bytes instead of formatting the same rows twice.
pub(crate) fn write_options(
    options: &[super::simulation::DisbursementOptionJson],
    out: &mut Vec<u8>,
) -> Option<std::ops::Range<usize>> {
    out.push(b'[');
    let mut rows = None;
    for (i, o) in options.iter().enumerate() {
        if i == 0 {
            rows = o.write_json_marked(out);
        } else {
            out.push(b',');
            o.write_json(out);
        }
    }
    out.push(b']');
    rows
}

/// The compact JSON of `value` in a buffer sized by `hint` bytes.
pub(crate) fn to_json_bytes<T: WriteJson>(value: &T, hint: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(hint);
    value.write_json(&mut out);
    out
}

/// The compact JSON of `value` appended to `out`, which first gets room for `hint` more bytes.
pub(crate) fn append_json<T: WriteJson>(value: &T, hint: usize, out: &mut Vec<u8>) {
    out.reserve(hint);
    value.write_json(out);
}

#[cfg(test)]
mod tests {
    use crate::SimulationOptions;
    use crate::api::{Num, simulate_json};

    /// The top-level rows are copied from the first option's bytes only when they are the same
    /// rows; otherwise they are written, and either way the bytes are serde_json's.
    #[test]
    fn repeated_rows_are_copied_only_when_equal() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/airforce/simulation_request_4_options.json"
        ))
        .expect("fixture");
        let mut response = simulate_json(&text, &SimulationOptions::new(), None).expect("priced");
        let serde = |r: &crate::api::SimulationResponse| serde_json::to_vec(r).expect("serde");
        assert_eq!(response.to_json_bytes(), serde(&response));
        response.data.installments[3].total_amount = Num(crate::Decimal::new(12345, 2));
        assert_eq!(response.to_json_bytes(), serde(&response));
        response.data.installments.pop();
        assert_eq!(response.to_json_bytes(), serde(&response));
        response.data.disbursement_options.clear();
        assert_eq!(response.to_json_bytes(), serde(&response));
    }
}
