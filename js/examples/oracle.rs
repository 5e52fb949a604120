//! The native side of the package's tests and bench: the same `adapter` calls the wasm module
//! makes, run natively (the main crate's release settings: `--profile native`).
//!
//! * `oracle calendar FILE`: FILE holds one call a line (`is-business-day D`, `following D`,
//!   `workdays FROM TO`, `add-business-days D N`); prints one JSON line per call, `{"ok":…}` or
//!   `{"error":{"kind":…,"field":…}}`.
//! * `oracle bench N REQUEST [CONFIG]`: prices REQUEST N times and prints the thread's CPU
//!   nanoseconds per quote (`/proc/thread-self/schedstat`) as `{"ns_per_quote":…,"bytes":…}`.

use qitech_sim_wasm::adapter;
use serde_json::{Value, json};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("calendar") if args.len() == 2 => calendar(&args[1]),
        Some("bench") if args.len() >= 3 => bench(&args[1..]),
        _ => {
            eprintln!("usage: oracle calendar FILE | oracle bench N REQUEST [CONFIG]");
            std::process::exit(2);
        }
    }
}

fn answer<T: Into<Value>>(r: Result<T, adapter::Error>) -> Value {
    match r {
        Ok(v) => json!({ "ok": v.into() }),
        Err(e) => json!({ "error": { "kind": e.kind().as_str(), "field": e.field() } }),
    }
}

fn calendar(path: &str) {
    let text = std::fs::read_to_string(path).expect("calendar calls file");
    let mut out = String::new();
    for line in text.lines() {
        let w: Vec<&str> = line.split(' ').collect();
        let v = match w.as_slice() {
            ["is-business-day", d] => answer(adapter::is_business_day(d)),
            ["following", d] => answer(adapter::following(d)),
            ["workdays", from, to] => answer(adapter::workdays(from, to)),
            ["add-business-days", d, n] => answer(adapter::add_business_days(
                d,
                n.parse().expect("N is a whole number"),
            )),
            _ => panic!("unknown call {line:?}"),
        };
        out.push_str(&v.to_string());
        out.push('\n');
    }
    print!("{out}");
}

/// This thread's CPU time so far, in nanoseconds (Linux's scheduler statistics).
fn thread_cpu_ns() -> u64 {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").expect("schedstat");
    s.split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .expect("schedstat's first field")
}

fn bench(args: &[String]) {
    let n: u32 = args[0].parse().expect("N");
    let request = std::fs::read_to_string(&args[1]).expect("request");
    let config = args
        .get(2)
        .map(|p| std::fs::read_to_string(p).expect("config"));
    // Per quote, what one `simulateJson` call of the package does: read the options and the
    // configuration, price, print.
    let quote = || {
        let options = adapter::options(
            config.as_deref(),
            r#"{"eventDatetime":"2026-01-01 00:00:00"}"#,
        )
        .expect("options");
        adapter::simulate(std::hint::black_box(&request), &options).expect("quote")
    };
    let mut bytes = 0;
    for _ in 0..n / 10 {
        bytes = quote().len();
    }
    let start = thread_cpu_ns();
    for _ in 0..n {
        bytes = std::hint::black_box(quote()).len();
    }
    let ns = (thread_cpu_ns() - start) / u64::from(n);
    println!("{}", json!({ "ns_per_quote": ns, "bytes": bytes }));
}
