//! The strict parser's tests: its fast path against the checked parse, the checks of the
//! module docs, and the word-at-a-time scan.

use super::*;
use crate::ErrorKind;

/// The word-at-a-time scan finds the first byte of `STRING_END` where a byte-by-byte scan
/// does: every byte value at every position of texts of 0 to 24 bytes of several fills (the
/// neighbours of the ends: `!`, `#`, `[`, `]`, 0x20, 0x7f, 0x80, 0xff), alone and followed by
/// another end three bytes on (a flag above the first must not be taken for it).
#[test]
fn plain_len_finds_the_first_string_end() {
    let by_byte = |b: &[u8]| {
        b.iter()
            .position(|&c| STRING_END[usize::from(c)])
            .unwrap_or(b.len())
    };
    let fills = [b'a', 0x80, 0xff, b'!', b'#', b'[', b']', 0x20, 0x7f];
    for len in 0..=24 {
        for fill in fills {
            let base = vec![fill; len];
            assert_eq!(plain_len(&base), by_byte(&base));
            for at in 0..len {
                for b in 0..=255u8 {
                    let mut t = base.clone();
                    t[at] = b;
                    assert_eq!(plain_len(&t), by_byte(&t), "{t:?}");
                    for later in [b'"', b'\\', 0x1f, 0] {
                        if at + 3 < len {
                            t[at + 3] = later;
                            assert_eq!(plain_len(&t), by_byte(&t), "{t:?}");
                        }
                    }
                }
            }
        }
    }
}

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
    assert!(parse("[1e300, 123456789012345678901234567890123]", "t").is_ok_and(|v| v[0].is_f64()));
}

#[test]
fn syntax_errors_name_the_source() {
    let e = parse("{", "line 3").expect_err("refused");
    assert_eq!(e.kind(), ErrorKind::InvalidJson);
    assert_eq!(e.field(), Some("line 3"));
    assert!(parse("[1] x", "t").is_err());
}

/// The checked parse's outcome as comparable text: the value's compact JSON (which tells
/// `-0.0` from `0`), or the error's kind, field and message.
fn outcome(r: &Result<Value>) -> String {
    match r {
        Ok(v) => format!("ok {v}"),
        Err(e) => format!("err {:?} {:?} {e}", e.kind(), e.field()),
    }
}

/// The fast path either gives up or gives exactly what the checked parse gives (and never
/// gives a value where the checked parse refuses the text).
fn assert_same(text: &str) -> bool {
    let checked = parse_checked(text, "t");
    match Plain::read(text) {
        Some(tree) => {
            let value = tree.to_value();
            assert_eq!(
                outcome(&Ok(value.clone())),
                outcome(&checked),
                "fast path on {text:?}"
            );
            // The tree is the value's own (sorted, each key once): it reads and hashes the same.
            assert_eq!(Node::from_value(&value), tree, "tree of {text:?}");
            true
        }
        None => {
            assert_eq!(outcome(&parse(text, "t")), outcome(&checked), "{text:?}");
            false
        }
    }
}

/// `v` written back as JSON with its object keys in reverse order and `space` around every
/// token: the same document in another shape.
fn reshaped(v: &Value, space: &str) -> String {
    match v {
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(|x| reshaped(x, space)).collect();
            format!(
                "[{space}{}{space}]",
                items.join(&format!("{space},{space}"))
            )
        }
        Value::Object(map) => {
            let entries: Vec<String> = map
                .iter()
                .rev()
                .map(|(k, x)| {
                    format!(
                        "{}{space}:{space}{}",
                        Value::from(k.as_str()),
                        reshaped(x, space)
                    )
                })
                .collect();
            format!(
                "{{{space}{}{space}}}",
                entries.join(&format!("{space},{space}"))
            )
        }
        other => other.to_string(),
    }
}

/// The fast path equals the checked parse on every fixture (whole files and each line), and
/// on each fixture reshaped (keys in reverse order, other whitespace, compact), with a
/// duplicated key, with an unknown key, and cut short; it reads every request fixture.
#[test]
fn fast_path_equals_checked_parse_on_fixtures() {
    let mut read = 0;
    for (name, text) in crate::api::key::tests::fixture_texts() {
        let whole = assert_same(&text);
        if name.ends_with("request.json") && !name.contains("bom-") {
            assert!(whole, "the fast path reads {name}");
        }
        read += usize::from(whole);
        for line in text.lines() {
            assert_same(line);
        }
        if let Ok(v) = parse_checked(&text, "t") {
            for space in ["", " ", "\n\t", "\r\n  "] {
                let fast = assert_same(&reshaped(&v, space));
                assert!(fast || !whole, "{name} reshaped");
            }
            let compact = v.to_string();
            if compact.starts_with("{\"") {
                assert!(!assert_same(&compact.replacen(
                    '{',
                    "{\"dup\":1,\"dup\":2,",
                    1
                )));
                let fast = assert_same(&compact.replacen('{', "{\"finacial\":{},", 1));
                assert!(fast || !whole, "{name} with an unknown key");
                let (key, first) = v.as_object().and_then(|m| m.iter().next()).expect("a key");
                let dup =
                    compact.replacen('{', &format!("{{{}:{first},", Value::from(key.as_str())), 1);
                assert!(!assert_same(&dup), "{name}: {key} twice");
            }
            for cut in [1, compact.len() / 2, compact.len() - 1] {
                if compact.is_char_boundary(cut) {
                    assert!(!assert_same(&compact[..cut]));
                }
            }
        }
    }
    assert!(read > 40, "fast path read {read} fixtures");
}

/// A body read from its text (the fast path's tree) reads as the checked parse's value reads
/// (the old path): the same request, the same key (`text_hash`), or the same error (kind,
/// field, message), with unknown keys refused and allowed; on every fixture (whole and each
/// line) and each reshaped, with a duplicated key, an unknown key, an escaped string and a
/// deep nesting added.
#[test]
fn tree_reads_as_the_checked_value_reads() {
    let services = [
        crate::api::Service::new(),
        crate::api::Service::new().allow_unknown_fields(true),
    ];
    let outcome = |r: Result<crate::api::SimulationBody>| match r {
        Ok(b) => format!("ok {b:?}"),
        Err(e) => format!("err {:?} {:?} {e}", e.kind(), e.field()),
    };
    let mut compared = 0;
    let mut check = |text: &str| {
        let Ok(value) = parse_checked(text, "request") else {
            return;
        };
        for service in &services {
            assert_eq!(
                outcome(service.read_simulation(text)),
                outcome(service.read_simulation(&value)),
                "{text:?}"
            );
        }
        compared += 1;
    };
    for (_, text) in crate::api::key::tests::fixture_texts() {
        check(&text);
        for line in text.lines() {
            check(line);
        }
        let Ok(v) = parse_checked(&text, "t") else {
            continue;
        };
        for space in ["", "\n\t"] {
            check(&reshaped(&v, space));
        }
        let compact = v.to_string();
        for (from, to) in [
            ("{", "{\"dup\":1,\"dup\":2,"),
            ("{", "{\"finacial\":{},"),
            ("{", "{\"_note\":\"a\\\"b\\u00e9\","),
            ("{", "{\"deep\":[[[{\"a\":[1,2.5,-3e2,null,true]}]]],"),
            (
                "\"financial\":{",
                "\"financial\":{\"numbr_of_installments\":1,",
            ),
            (
                "\"financial\":{",
                "\"financial\":{\"interest_type\":\"pre_\\u0073ac\",",
            ),
        ] {
            if compact.starts_with("{\"") {
                check(&compact.replacen(from, to, 1));
            }
        }
    }
    assert!(compared > 200, "compared {compared} bodies");
}

/// Numbers, strings and structures of many shapes, alone, in an array and in an object: the
/// fast path gives up or equals the checked parse.
#[test]
fn fast_path_equals_checked_parse_on_shapes() {
    let numbers = [
        "0",
        "-0",
        "1",
        "-1",
        "7",
        "00",
        "01",
        "-01",
        "1.",
        ".5",
        "-",
        "+1",
        "1.5",
        "-1.5",
        "100.0",
        "0.0",
        "-0.0",
        "0e0",
        "0e-999",
        "-0E+5",
        "1e5",
        "1E+5",
        "1e-5",
        "1e",
        "1e+",
        "1.5e3",
        "2.5E-3",
        "0.0205",
        "0.1905254815358736",
        "90071992547409.93",
        "1.00000000000000000001e3",
        "123456789012345",
        "1234567890123456",
        "123456789012345678",
        "-123456789012345678",
        "1234567890123456789",
        "9223372036854775807",
        "9223372036854775808",
        "-9223372036854775808",
        "18446744073709551615",
        "18446744073709551616",
        "12345678901234567890123",
        "1e300",
        "1e308",
        "1.7976931348623157e308",
        "1e309",
        "1e400",
        "-1e400",
        "1e-300",
        "2.2250738585072014e-308",
        "2.2250738585072011e-308",
        "1e-310",
        "2.5e-324",
        "5e-324",
        "1e-400",
        "-1e-400",
        "123.456e-7",
        "0.000000000000001",
        "0.0000000000000001",
        "999999999999999.9",
        "99999999999999.99",
        "1.0e+0",
        "1e01",
        "NaN",
        "Infinity",
        "1_000",
        "0x10",
        "1.5.5",
        "1e5e5",
        "--1",
        "1-",
        "2023-03-14",
    ];
    let strings = [
        r#""""#,
        r#""a""#,
        r#""é€😀""#,
        r#""a\"b""#,
        r#""a\\b""#,
        r#""a\nb""#,
        r#""\u0041""#,
        r#""\ud83d\ude00""#,
        r#""\ud800""#,
        "\"tab\there\"",
        "\"nl\nhere\"",
        "\"\u{7f}\"",
        r#""unterminated"#,
        r#""x\"#,
        "\"\u{1}\"",
    ];
    let others = [
        "true",
        "false",
        "null",
        "tru",
        "nul",
        "True",
        "[]",
        "{}",
        "[1,]",
        "[,1]",
        "{,}",
        r#"{"a"}"#,
        r#"{"a":}"#,
        r#"{"a":1,}"#,
        r#"{"a" 1}"#,
        r#"{1:2}"#,
        "[1 2]",
        "[",
        "{",
        "]",
        "",
        " ",
        "\u{feff}{}",
        "{}\u{feff}",
        "{} {}",
        "[] x",
        "\u{a0}[]",
        "[\u{c}]",
        "[\u{b}]",
        r#"{"a":1,"a":1}"#,
        r#"{"a":{"b":1},"b":{"b":2,"b":3}}"#,
        r#"{"a":[{"x":1},{"x":1,"x":2}]}"#,
        r#"{"":1}"#,
        r#"{"":1,"":2}"#,
    ];
    let mut fast = 0;
    for token in numbers.iter().chain(&strings).chain(&others) {
        for text in [
            token.to_string(),
            format!("[{token}]"),
            format!("{{\"k\": {token}}}"),
            format!(" {{ \"a\" : [ 1 , {token} ] , \"b\" : {token} }} \n"),
        ] {
            fast += usize::from(assert_same(&text));
        }
    }
    for depth in [1, 99, 100, 101, 127, 128, 129, 200] {
        assert_same(&format!("{}{}", "[".repeat(depth), "]".repeat(depth)));
        let objects = format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth));
        assert_same(&objects);
    }
    assert!(fast > 100, "fast path read {fast} shapes");
}
