//! The response `key`: FNV-1a (128 bits, printed as a UUID) over the request's canonical form —
//! its parsed JSON with sorted keys, compact ([`canonical_hash`]), or for a request built in Rust
//! its canonical `Debug` text — then `|` and the pricing options' canonical text ([`OptionsKey`]).
//! The same request and options get the same key, whatever the spacing or key order of the text.

use super::tree::Node;
use crate::conventions::Conventions;
use crate::iof::NaturalPersonIof;
use crate::simulation::SimulationOptions;

/// The canonical text of the options a response was priced with: every field of
/// [`SimulationOptions`], destructured exhaustively, so that an option added to it cannot be left
/// out of the key (the compiler names this function). The text is the options' former `Debug`
/// (the keys of text bodies did not change): the natural-person IOF rule, whether unknown keys are
/// accepted and the conventions only when not the default.
struct CanonicalOptions<'a>(&'a SimulationOptions);

impl std::fmt::Debug for CanonicalOptions<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let SimulationOptions {
            pricing,
            delay_unit,
            option_days,
            natural_iof,
            allow_unknown_fields,
            conventions,
        } = self.0;
        let mut d = f.debug_struct("SimulationOptions");
        d.field("pricing", &CanonicalPricing(pricing))
            .field("delay_unit", delay_unit)
            .field("option_days", option_days);
        if *natural_iof != NaturalPersonIof::Fixed {
            d.field("natural_iof", natural_iof);
        }
        if *allow_unknown_fields {
            d.field("allow_unknown_fields", allow_unknown_fields);
        }
        if *conventions != Conventions::default() {
            d.field("conventions", conventions);
        }
        d.finish()
    }
}

/// A pricing as the keys have always hashed it: its fees, then the `conventions` it once carried
/// (`move_due_dates`, now hashed with the options' conventions, which hold it), printed as it was
/// when off so that no key changes.
pub(super) struct CanonicalPricing<'a>(pub(super) &'a crate::fees::Pricing);

impl std::fmt::Debug for CanonicalPricing<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let crate::fees::Pricing {
            contract_fees,
            external_contract_fees,
        } = self.0;
        f.debug_struct("Pricing")
            .field("contract_fees", contract_fees)
            .field("external_contract_fees", external_contract_fees)
            .field(
                "conventions",
                &format_args!("Conventions {{ move_due_dates: false }}"),
            )
            .finish()
    }
}

/// The options' part of a response key: the bytes `|` and the options' canonical text
/// ([`CanonicalOptions`]), which every key of responses priced with those options ends with. The
/// text goes through `core::fmt` (a few thousand instructions): a caller that prices many requests
/// under the same options ([`crate::api::Service`]) computes it once and hashes the bytes; after
/// [`Suffix::AFTER`] keys, through the table of [`Suffix`] (one multiplication instead of a step
/// per byte). Its clones share the table.
#[derive(Debug, Clone, Default)]
pub(crate) struct OptionsKey {
    bytes: Vec<u8>,
    suffix: std::sync::Arc<Suffix>,
}

/// Two options' keys are equal when their bytes are (the table is theirs).
impl PartialEq for OptionsKey {
    fn eq(&self, other: &Self) -> bool {
        self.bytes == other.bytes
    }
}

impl Eq for OptionsKey {}

impl OptionsKey {
    /// The key bytes of `options`.
    pub(crate) fn of(options: &SimulationOptions) -> Self {
        OptionsKey {
            bytes: format!("|{:?}", CanonicalOptions(options)).into_bytes(),
            suffix: std::sync::Arc::default(),
        }
    }

    /// Hashes the key bytes into `h` ([`Fnv1a::bytes`]), through the table once built.
    fn hash_into(&self, h: &mut Fnv1a) {
        match self.suffix.table.get() {
            Some(table) => h.0 = table.after(h.0),
            None => {
                h.bytes(&self.bytes);
                let uses = self
                    .suffix
                    .uses
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if uses + 1 == Suffix::AFTER {
                    self.suffix
                        .table
                        .get_or_init(|| SuffixTable::of(&self.bytes));
                }
            }
        }
    }
}

/// The hashing of a fixed suffix from any state, tabulated. An FNV-1a step xors a byte into the
/// state's low 8 bits and multiplies by the prime; a state `h + l` (`l` its low 8 bits, `h` a
/// multiple of 256) steps to `h·P + (l ⊕ b)·P`, where `h·P` is again a multiple of 256. So after
/// the `n` bytes of the suffix the state is `h·Pⁿ` plus the state the suffix hashes `l` to: one
/// multiplication and one of 256 states, computed once (256 hashings of the suffix).
#[derive(Debug, Default)]
struct Suffix {
    /// The keys hashed byte by byte so far.
    uses: std::sync::atomic::AtomicU32,
    table: std::sync::OnceLock<SuffixTable>,
}

impl Suffix {
    /// The keys hashed byte by byte before the table is built (a caller that prices one request
    /// does not pay for 256).
    const AFTER: u32 = 64;
}

/// `Pⁿ` and the state the suffix hashes each of the 256 states `0..=255` to (see [`Suffix`]).
#[derive(Debug)]
struct SuffixTable {
    power: u128,
    states: Box<[u128; 256]>,
}

impl SuffixTable {
    /// The table of `suffix`.
    fn of(suffix: &[u8]) -> Self {
        let mut states = Box::new([0u128; 256]);
        for (low, state) in (0u128..).zip(states.iter_mut()) {
            let mut h = Fnv1a(low);
            h.bytes(suffix);
            *state = h.0;
        }
        let power = suffix
            .iter()
            .fold(1u128, |p, _| p.wrapping_mul(Fnv1a::PRIME));
        SuffixTable { power, states }
    }

    /// The state after hashing the suffix from `state`: `h·Pⁿ` plus the low 8 bits' state.
    fn after(&self, state: u128) -> u128 {
        (state & !0xff)
            .wrapping_mul(self.power)
            .wrapping_add(self.states[(state & 0xff) as usize])
    }
}

/// The key of a request whose canonical JSON hashes to `text_hash` (else of `request`'s terms)
/// under `options`.
pub(crate) fn request_key(
    text_hash: Option<u128>,
    request: &dyn std::fmt::Debug,
    options: &SimulationOptions,
) -> String {
    request_key_with(text_hash, request, &OptionsKey::of(options))
}

/// [`request_key`] with the options' key bytes computed already: FNV-1a over the bytes of
/// `format!("{request_part}|{options:?}")`, where the request part is the text hash in 32
/// lowercase hex digits (or the request's canonical `Debug` text when it was built in Rust).
pub(crate) fn request_key_with(
    text_hash: Option<u128>,
    request: &dyn std::fmt::Debug,
    options: &OptionsKey,
) -> String {
    use std::io::Write;
    let mut h = Fnv1a::default();
    match text_hash {
        Some(t) => h.bytes(&hex_digits(t)),
        None => {
            let written = write!(h, "{request:?}");
            debug_assert!(written.is_ok(), "hashing cannot fail");
        }
    }
    options.hash_into(&mut h);
    uuid_form(h.finish())
}

/// The 32 lowercase hex digits of `hash` (what `format!("{hash:032x}")` prints), without
/// `core::fmt`.
fn hex_digits(hash: u128) -> [u8; 32] {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = [0u8; 32];
    for (i, digit) in out.iter_mut().enumerate() {
        *digit = HEX[((hash >> (4 * (31 - i))) & 0xf) as usize];
    }
    out
}

/// FNV-1a, 128 bits, fed as an `io::Write` (so a value can be hashed as it is serialised).
pub(crate) struct Fnv1a(u128);

impl Default for Fnv1a {
    fn default() -> Self {
        Fnv1a(0x6c62272e07bb014262b821756295c58d)
    }
}

impl Fnv1a {
    /// The hash of everything written.
    pub(crate) fn finish(&self) -> u128 {
        self.0
    }

    /// Hashes `bytes` (what `io::Write::write` does, without its `Result`).
    pub(crate) fn bytes(&mut self, bytes: &[u8]) {
        // The state in a local, written back once (not stored after every byte).
        let mut state = Fnv1a(self.0);
        for b in bytes {
            state.step(*b);
        }
        self.0 = state.0;
    }

    /// [`Fnv1a::bytes`], and whether any of `bytes` is one `serde_json` escapes in a string (a
    /// byte of [`super::strict::STRING_END`]): the table is or-ed in, not branched on.
    fn bytes_checked(&mut self, bytes: &[u8]) -> bool {
        let mut state = Fnv1a(self.0);
        let mut escaped = false;
        for &b in bytes {
            escaped |= super::strict::STRING_END[usize::from(b)];
            state.step(b);
        }
        self.0 = state.0;
        escaped
    }

    /// The 128-bit FNV prime.
    const PRIME: u128 = 0x0000000001000000000000000000013B;

    /// One FNV-1a step: xor the byte in, multiply by the 128-bit FNV prime.
    fn step(&mut self, b: u8) {
        self.0 ^= u128::from(b);
        self.0 = self.0.wrapping_mul(Self::PRIME);
    }
}

impl std::io::Write for Fnv1a {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.bytes(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// FNV-1a of a parsed body in canonical form (sorted keys, compact): the same request sent with
/// other spacing or key order, as text or as a value, hashes the same. The bytes hashed are
/// `serde_json::to_writer`'s for the body's value ([`hash_value`] writes them from its tree
/// without the generic serializer).
pub(crate) fn canonical_hash(v: &Node<'_>) -> Option<u128> {
    canonical_hash_of(v, Strings::Checked)
}

/// What [`canonical_hash_of`] knows of a tree's strings (its keys included).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Strings {
    /// Any may hold a byte `serde_json` escapes (a tree of a `Value`): each is checked.
    Checked,
    /// None does: the strict parser's fast path read the tree from text, and it gives up on a
    /// string with such a byte (a byte of [`super::strict::STRING_END`]). Each is hashed as it is.
    Plain,
}

/// [`canonical_hash`] of a tree whose strings are as `strings` says: the same hash, the plain
/// strings hashed without the check of each byte.
pub(crate) fn canonical_hash_of(v: &Node<'_>, strings: Strings) -> Option<u128> {
    let mut hasher = Fnv1a::default();
    match strings {
        Strings::Checked => hash_value::<true>(&mut hasher, v),
        Strings::Plain => hash_value::<false>(&mut hasher, v),
    }
    Some(hasher.finish())
}

/// Hashes the compact JSON of `v`'s value as `serde_json` writes it (a `Value`'s object keys are
/// sorted, as a tree's are): the structure by hand, numbers through `serde_json` (integers by
/// `itoa`, doubles by `ryu`, as in the whole-value serialisation), strings by [`hash_str`]
/// (checked when `CHECKED`: see [`Strings`]).
fn hash_value<const CHECKED: bool>(h: &mut Fnv1a, v: &Node<'_>) {
    match v {
        Node::Null => h.bytes(b"null"),
        Node::Bool(true) => h.bytes(b"true"),
        Node::Bool(false) => h.bytes(b"false"),
        Node::Number(n, token) => match token.text() {
            // A plain token is the bytes `serde_json` writes for its double.
            Some(text) => h.bytes(text.as_bytes()),
            None => {
                let written = serde_json::to_writer(&mut *h, n);
                debug_assert!(written.is_ok(), "hashing cannot fail");
            }
        },
        Node::String(s) => hash_str::<CHECKED>(h, s),
        Node::Array(items) => {
            h.bytes(b"[");
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    h.bytes(b",");
                }
                hash_value::<CHECKED>(h, item);
            }
            h.bytes(b"]");
        }
        Node::Object(entries) => {
            h.bytes(b"{");
            for (i, (key, item)) in entries.iter().enumerate() {
                if i > 0 {
                    h.bytes(b",");
                }
                if CHECKED {
                    hash_str::<true>(h, key);
                    h.bytes(b":");
                } else {
                    hash_entry_key(h, key);
                }
                hash_value::<CHECKED>(h, item);
            }
            h.bytes(b"}");
        }
    }
}

/// Hashes `s` as a JSON string the way `serde_json` writes it: quoted, and as it is when no byte
/// needs an escape (`serde_json` escapes only `"`, `\` and the control characters below U+0020,
/// and writes every other character, non-ASCII included, as its UTF-8 bytes); a string with such a
/// byte goes through `serde_json`'s own escaping. The check is made as the bytes are hashed, in the
/// same pass and without a branch per byte ([`Fnv1a::bytes_checked`]); unless not `CHECKED`, for
/// a string known to have no such byte ([`Strings::Plain`]).
fn hash_str<const CHECKED: bool>(h: &mut Fnv1a, s: &str) {
    let mut quoted = Fnv1a(h.0);
    quoted.step(b'"');
    if !CHECKED {
        quoted.bytes(s.as_bytes());
    } else if quoted.bytes_checked(s.as_bytes()) {
        // Rare: `serde_json`'s escaping, from the state before the string.
        let written = serde_json::to_writer(&mut *h, s);
        debug_assert!(written.is_ok(), "hashing cannot fail");
        return;
    }
    quoted.step(b'"');
    h.0 = quoted.0;
}

/// Hashes `"key":` for a key known to have no byte `serde_json` escapes ([`Strings::Plain`]):
/// the bytes as they are, or, for a key of [`KeyTables::MIN`] to [`KeyTables::MAX`] bytes hashed
/// often on this thread, through its [`SuffixTable`] (the same state, by one multiplication).
fn hash_entry_key(h: &mut Fnv1a, key: &str) {
    thread_local! {
        static TABLES: std::cell::RefCell<KeyTables> = std::cell::RefCell::default();
    }
    let len = key.len();
    if (KeyTables::MIN..=KeyTables::MAX).contains(&len)
        && TABLES.with(|t| t.borrow_mut().hash(h, key))
    {
        return;
    }
    h.step(b'"');
    h.bytes(key.as_bytes());
    h.step(b'"');
    h.step(b':');
}

/// The keys a thread hashes, counted, and the [`SuffixTable`] of `"key":` for those hashed
/// [`Suffix::AFTER`] times (a request's keys come back on every line). A slot per key, chosen by
/// its length and its first and last eight bytes, among [`KeyTables::SLOTS`]: a key whose slot
/// another key holds is hashed byte by byte. Bounded whatever the input: the slots, and at most
/// [`KeyTables::TABLES`] tables built (4 KB each); nothing is dropped, so a table built once
/// serves the rest of the thread's lines.
#[derive(Debug, Default)]
struct KeyTables {
    slots: Vec<Option<KeySlot>>,
    built: usize,
}

/// A counted key and, once it was hashed often, its table.
#[derive(Debug)]
struct KeySlot {
    key: Box<str>,
    uses: u32,
    table: Option<Box<SuffixTable>>,
}

impl KeyTables {
    /// The shortest key worth a table (a shorter one hashes in fewer steps than the look-up).
    const MIN: usize = 12;
    /// The longest key counted.
    const MAX: usize = 64;
    /// The slots (a power of two).
    const SLOTS: usize = 256;
    /// Most tables built.
    const TABLES: usize = 64;

    /// The slot of `key` (at least 8 bytes): its first and last words and length, mixed.
    fn slot(key: &str) -> usize {
        let key = key.as_bytes();
        let word = |at: usize| {
            let mut w = [0u8; 8];
            w.copy_from_slice(&key[at..at + 8]);
            u64::from_le_bytes(w)
        };
        let mixed = (word(0) ^ word(key.len() - 8).rotate_left(29) ^ key.len() as u64)
            .wrapping_mul(0x9e37_79b9_7f4a_7c15);
        (mixed >> 56) as usize % Self::SLOTS
    }

    /// Hashes `"key":` into `h` through the key's table when it has one (`true`); otherwise counts
    /// the key in its slot (when free or its own), builds its table at its [`Suffix::AFTER`]th
    /// use, and leaves the hashing to the caller (`false`).
    fn hash(&mut self, h: &mut Fnv1a, key: &str) -> bool {
        if self.slots.is_empty() {
            self.slots.resize_with(Self::SLOTS, || None);
        }
        let slot = &mut self.slots[Self::slot(key)];
        match slot {
            Some(s) if super::tree::same_key(&s.key, key) => {
                if let Some(table) = &s.table {
                    h.0 = table.after(h.0);
                    return true;
                }
                s.uses += 1;
                if s.uses >= Suffix::AFTER && self.built < Self::TABLES {
                    let mut run = Vec::with_capacity(key.len() + 3);
                    run.push(b'"');
                    run.extend_from_slice(key.as_bytes());
                    run.extend_from_slice(b"\":");
                    s.table = Some(Box::new(SuffixTable::of(&run)));
                    self.built += 1;
                }
                false
            }
            Some(_) => false,
            None => {
                *slot = Some(KeySlot {
                    key: key.into(),
                    uses: 1,
                    table: None,
                });
                false
            }
        }
    }
}

/// FNV-1a of `bytes`.
pub(crate) fn fnv1a(bytes: &[u8]) -> u128 {
    let mut h = Fnv1a::default();
    let _ = std::io::Write::write(&mut h, bytes);
    h.finish()
}

/// FNV-1a (128 bits) of `text`, printed in UUID form.
pub(crate) fn hash_key(text: &str) -> String {
    uuid_form(fnv1a(text.as_bytes()))
}

/// A 128-bit hash printed in UUID form (8-4-4-4-12 hex digits), the bytes placed in an array
/// and the string made of them at once.
fn uuid_form(hash: u128) -> String {
    let hex = hex_digits(hash);
    let mut out = [b'-'; 36];
    out[0..8].copy_from_slice(&hex[0..8]);
    out[9..13].copy_from_slice(&hex[8..12]);
    out[14..18].copy_from_slice(&hex[12..16]);
    out[19..23].copy_from_slice(&hex[16..20]);
    out[24..36].copy_from_slice(&hex[20..32]);
    // Hex digits and dashes are ASCII: valid UTF-8.
    String::from_utf8(out.to_vec()).unwrap_or_default()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::{CanonicalOptions, fnv1a, hex_digits, uuid_form};
    use crate::api::tree::Node;
    use crate::conventions::{Conventions, Profile};
    use crate::iof::NaturalPersonIof;
    use crate::{DelayUnit, OptionDays, SimulationOptions};

    /// The options' part of a response key: the text the keys of text bodies have always hashed
    /// (pinned: a change here changes every key), and every option in it.
    #[test]
    fn canonical_options_text_is_pinned() {
        let pricing = "pricing: Pricing { contract_fees: [], external_contract_fees: [], \
                       conventions: Conventions { move_due_dates: false } }";
        let text = |o: &SimulationOptions| format!("{:?}", CanonicalOptions(o));
        assert_eq!(
            text(&SimulationOptions::new()),
            format!(
                "SimulationOptions {{ {pricing}, delay_unit: CalendarDays, option_days: \
                 CalendarDays }}"
            )
        );
        assert_eq!(
            text(
                &SimulationOptions::new()
                    .delay_unit(DelayUnit::BusinessDays)
                    .option_days(OptionDays::BusinessDays)
                    .natural_person_iof(NaturalPersonIof::Dated)
                    .allow_unknown_fields(true)
            ),
            format!(
                "SimulationOptions {{ {pricing}, delay_unit: BusinessDays, option_days: \
                 BusinessDays, natural_iof: Dated, allow_unknown_fields: true }}"
            )
        );
        let v2 = SimulationOptions::new().conventions(Conventions::profile(Profile::QiV2));
        assert!(text(&v2).contains(", conventions: Conventions { interest_base: None,"));
        assert_ne!(text(&v2), text(&v2.clone().move_due_dates(true)));
    }

    /// The suffix table hashes as the bytes do: from each of the 256 low bytes under random high
    /// bits and from random states, for the keys of several options and the empty key; and the
    /// keys of 200 requests are the same before the table is built (the first `Suffix::AFTER`),
    /// after (it is built by then), and from a clone.
    #[test]
    fn suffix_table_hashes_as_the_bytes() {
        use super::{Fnv1a, OptionsKey, SuffixTable, request_key_with};
        let keys = [
            OptionsKey::of(&SimulationOptions::new()),
            OptionsKey::of(
                &SimulationOptions::new()
                    .conventions(Conventions::profile(Profile::QiV2))
                    .allow_unknown_fields(true),
            ),
            OptionsKey::default(),
        ];
        for key in keys {
            let table = SuffixTable::of(&key.bytes);
            for i in 0..2_000u128 {
                // Scattered states: the hashes of the counter.
                let random = fnv1a(&i.to_le_bytes());
                let state = if i < 256 {
                    (random & !0xff) | i
                } else {
                    random
                };
                let mut h = Fnv1a(state);
                h.bytes(&key.bytes);
                assert_eq!(table.after(state), h.0, "{state:x}");
            }
            let expected: Vec<String> = (0..200u128)
                .map(|i| {
                    let mut h = Fnv1a::default();
                    h.bytes(&hex_digits(i * 0x9e37_79b9));
                    h.bytes(&key.bytes);
                    uuid_form(h.finish())
                })
                .collect();
            // The key, then a clone of it (which shares its table).
            let clone = key.clone();
            for k in [&key, &clone] {
                for (i, e) in (0..).zip(&expected) {
                    assert_eq!(&request_key_with(Some(i * 0x9e37_79b9), &(), k), e);
                }
            }
            assert!(key.suffix.table.get().is_some());
        }
    }

    /// `"key":` hashes through the thread's key tables as its bytes do, at every use (before a
    /// key's table is built, at its build and after): for keys of 11, 12, 64 and 65 bytes (both
    /// sides of the lengths counted), 80 keys of 20 bytes (more than the tables built), and two
    /// keys that share a slot (the second is never counted).
    #[test]
    fn key_tables_hash_as_the_bytes() {
        use super::{Fnv1a, KeyTables, Suffix, hash_entry_key};
        let mut keys: Vec<String> = [11, 12, 64, 65].iter().map(|&n| "k".repeat(n)).collect();
        keys.extend((0..80).map(|i| format!("twenty_byte_key_{i:04}")));
        let first = format!("collision_key_{:06}", 0);
        let twin = (1..)
            .map(|i| format!("collision_key_{i:06}"))
            .find(|k| KeyTables::slot(k) == KeyTables::slot(&first))
            .expect("a key in the same slot");
        keys.extend([first, twin]);
        for round in 0..Suffix::AFTER + 5 {
            for key in &keys {
                let state = fnv1a(format!("{round} {key}").as_bytes());
                let mut tabled = Fnv1a(state);
                hash_entry_key(&mut tabled, key);
                let mut bytes = Fnv1a(state);
                bytes.bytes(format!("\"{key}\":").as_bytes());
                assert_eq!(tabled.0, bytes.0, "{round} {key}");
            }
        }
    }

    /// The canonical hash of a value, through its tree.
    fn canonical_hash(v: &serde_json::Value) -> Option<u128> {
        super::canonical_hash(&Node::from_value(v))
    }

    /// The hash of `v` as the key has always computed it: FNV-1a over `serde_json::to_vec`.
    fn serde_hash(v: &serde_json::Value) -> u128 {
        fnv1a(&serde_json::to_vec(v).expect("serialises"))
    }

    /// Every JSON file under `fixtures/` (the request bodies, configurations and responses the
    /// tests read, and the reliability cases' text), by name (invalid UTF-8 replaced).
    pub(crate) fn fixture_texts() -> Vec<(String, String)> {
        let mut out = vec![];
        let mut dirs = vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).expect("fixtures dir") {
                let path = entry.expect("entry").path();
                let text =
                    || String::from_utf8_lossy(&std::fs::read(&path).expect("bytes")).into_owned();
                match path.extension().and_then(|e| e.to_str()) {
                    _ if path.is_dir() => dirs.push(path),
                    Some("json" | "jsonl" | "txt") => {
                        out.push((path.display().to_string(), text()))
                    }
                    _ => {}
                }
            }
        }
        out.sort();
        assert!(out.len() > 50, "fixtures found: {}", out.len());
        out
    }

    /// A tree the fast path read (`Strings::Plain`) hashes, its strings unchecked, as its value
    /// hashes through `serde_json`'s bytes: every fixture (whole and each line) and strings of
    /// every kind; a text with a string `serde_json` escapes is read by the checked parse
    /// (`Strings::Checked`), and hashes the same too.
    #[test]
    fn plain_trees_hash_as_their_values() {
        use super::{Strings, canonical_hash_of};
        let mut texts: Vec<String> = vec![];
        for (_, text) in fixture_texts() {
            texts.extend(text.lines().map(str::to_string));
            texts.push(text);
        }
        for s in [
            "",
            "a",
            "é€😀",
            "a\\\"b",
            "a\\\\b",
            "a\\nb",
            "\\u0041",
            "\u{7f}",
            "tab\\t",
        ] {
            texts.push(format!(r#"{{"{s}": ["{s}", {{"k{s}": 1.5}}]}}"#));
        }
        let (mut plain, mut checked) = (0, 0);
        for text in &texts {
            let hashed = crate::api::strict::with_parsed(text, "t", |tree, strings| {
                let value = tree.to_value();
                assert_eq!(
                    canonical_hash_of(tree, strings),
                    Some(serde_hash(&value)),
                    "{text:?}"
                );
                match strings {
                    Strings::Plain => plain += 1,
                    Strings::Checked => checked += 1,
                }
                Ok(())
            });
            // Text that is not JSON is refused by both paths alike.
            if hashed.is_err() {
                assert!(crate::api::strict::parse(text, "t").is_err(), "{text:?}");
            }
        }
        assert!(
            plain > 50 && checked > 3,
            "{plain} plain, {checked} checked"
        );
    }

    /// The hand-written canonical hash equals FNV-1a over `serde_json`'s bytes: on every fixture,
    /// and on values with every kind of string and number `serde_json` writes differently.
    #[test]
    fn canonical_hash_is_serde_jsons_bytes_hashed() {
        for (name, text) in fixture_texts() {
            for line in std::iter::once(text.as_str()).chain(text.lines()) {
                if let Ok(v) = serde_json::from_str::<serde_json::Value>(line) {
                    assert_eq!(canonical_hash(&v), Some(serde_hash(&v)), "{name}");
                }
            }
        }
        let every_char: String = (0u32..0x250)
            .chain([0x7f, 0x2028, 0x2029, 0xfeff, 0x1f600])
            .filter_map(char::from_u32)
            .collect();
        let v = serde_json::json!({
            "z": [null, true, false, 0, -0, 1, -1, i64::MIN, i64::MAX, u64::MAX, 0.0, -0.0, 0.1,
                  100.0, 1e300, -1e-300, 5e-324, 1.7976931348623157e308, 123456789.125, 1e21,
                  1e-7, 0.0205],
            "a\"b\\c\n": {"": "", "tab\t": "x\u{1}y\u{1f}z", "é": "ü€😀", "del": "\u{7f}"},
            "chars": every_char,
            "nested": [[[]], {}, [{"k": [1, {"j": "v"}]}]],
        });
        assert_eq!(canonical_hash(&v), Some(serde_hash(&v)));
        for c in every_char.chars() {
            let v = serde_json::json!({ c.to_string(): [c.to_string(), format!("a{c}b")] });
            assert_eq!(canonical_hash(&v), Some(serde_hash(&v)), "{c:?}");
        }
    }

    /// The key digits are `format!`'s: 32 lowercase hex digits, then the UUID grouping.
    #[test]
    fn key_digits_are_formats() {
        for h in [0, 1, 0xabc, u128::MAX, 0x0123456789abcdef_fedcba9876543210] {
            let hex = format!("{h:032x}");
            assert_eq!(hex_digits(h), hex.as_bytes());
            assert_eq!(
                uuid_form(h),
                format!(
                    "{}-{}-{}-{}-{}",
                    &hex[0..8],
                    &hex[8..12],
                    &hex[12..16],
                    &hex[16..20],
                    &hex[20..32]
                )
            );
        }
    }
}
