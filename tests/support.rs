//! Helpers shared by the integration tests.

use std::path::Path;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::Value;

/// A file of the crate (a fixture), read as text.
pub(crate) fn read(path: &str) -> String {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

/// A fixture parsed as JSON.
pub(crate) fn json(path: &str) -> Value {
    serde_json::from_str(&read(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A decimal literal.
pub(crate) fn dec(s: &str) -> Decimal {
    s.parse().expect("decimal literal")
}

/// A calendar date.
pub(crate) fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

/// `n` cases, or a tenth of them (at least 1) when `QITECH_QUICK_TESTS` is set: the mutation runs'
/// first pass (docs/testing.md, *Mutation testing*), whose survivors are then run against the full counts.
pub(crate) fn cases(n: u32) -> u32 {
    if std::env::var_os("QITECH_QUICK_TESTS").is_some() {
        (n / 10).max(1)
    } else {
        n
    }
}

/// Runs the built binary with `args` in the crate's directory, `stdin` fed from another thread:
/// (exit code, stdout, stderr).
pub(crate) fn run_bin<S: AsRef<std::ffi::OsStr>>(
    args: &[S],
    stdin: &[u8],
) -> (Option<i32>, String, String) {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let bin = env!("CARGO_BIN_EXE_qitech-sim");
    let mut child = Command::new(bin)
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {bin}: {e}"));
    let mut pipe = child.stdin.take().expect("piped");
    let input = stdin.to_vec();
    let feeder = std::thread::spawn(move || {
        let _ = pipe.write_all(&input);
    });
    let out = child.wait_with_output().expect("wait");
    let _ = feeder.join();
    (
        out.status.code(),
        String::from_utf8(out.stdout).expect("the binary writes UTF-8"),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Round half-even to `dp` decimals: rust_decimal's own rounding, which the crate's private
/// kernels reproduce bit for bit (their tests are inside the crate).
pub(crate) fn round_dp(x: Decimal, dp: u32) -> Decimal {
    x.round_dp_with_strategy(dp, rust_decimal::RoundingStrategy::MidpointNearestEven)
}

/// Money: round half-even to cents.
pub(crate) fn round_cents(x: Decimal) -> Decimal {
    round_dp(x, 2)
}

/// Face-value-mode interest and principal: round half-even to 10 decimals.
pub(crate) fn round_interest(x: Decimal) -> Decimal {
    round_dp(x, 10)
}

/// The `f64` nearest to `x` (ties to even): its decimal digits parsed, the correctly rounded
/// conversion the crate's output uses.
pub(crate) fn to_f64(x: Decimal) -> f64 {
    x.normalize()
        .to_string()
        .parse()
        .expect("a decimal's digits parse as f64")
}
