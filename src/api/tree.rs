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
    /// A number, as `serde_json` holds it.
    Number(Number),
    /// A string (decoded: no escapes left).
    String(&'a str),
    /// An array.
    Array(Vec<Node<'a>>),
    /// An object: its entries sorted by key, each key once.
    Object(Vec<(&'a str, Node<'a>)>),
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
            .find(|(k, _)| k.len() == key.len() && *k == key)
            .map(|(_, v)| v)
    } else {
        entries
            .binary_search_by(|(k, _)| (*k).cmp(key))
            .ok()
            .map(|i| &entries[i].1)
    }
}

impl<'a> Node<'a> {
    /// The tree of a parsed value, borrowing its strings (an object's entries come in the
    /// `BTreeMap`'s key order, which is the tree's).
    pub(crate) fn from_value(v: &'a Value) -> Self {
        match v {
            Value::Null => Node::Null,
            Value::Bool(b) => Node::Bool(*b),
            Value::Number(n) => Node::Number(n.clone()),
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
            Node::Number(n) => Value::Number(n.clone()),
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
}
