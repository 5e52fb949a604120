//! Regression tests of issue #24's reproducers on the CLI's bounds: a closed or unwritable stdout
//! is an error, `batch`'s memory stays flat on any input, files are read with a size cap, a
//! byte-order mark is accepted everywhere, argument values in errors are cut, and fees larger than
//! what they apply to are refused naming the fee.

use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_qitech-sim");
const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const REQUEST: &str = "fixtures/siape/simulation_request.json";

/// Runs `script` under `sh` from the crate root with `$0` the binary and `$1…` `args`.
fn sh(script: &str, args: &[&str]) -> Output {
    Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg(BIN)
        .args(args)
        .current_dir(ROOT)
        .env_remove("RUST_BACKTRACE")
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run sh: {e}"))
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Every command, and `--help` and `--version`, as argument lists.
const COMMANDS: &[&[&str]] = &[
    &["simulate", REQUEST],
    &["simulate", REQUEST, "--format", "table"],
    &["debt", REQUEST],
    &["portability", "fixtures/airforce/portability.json"],
    &["batch", "fixtures/reliability/batch-bom.jsonl"],
    &["batch", "--summary", "fixtures/reliability/batch-bom.jsonl"],
    &["calendar", "following", "2024-01-01"],
    &["--help"],
    &["simulate", "--help"],
    &["--version"],
];

/// Item 3: a closed stdout (`>&-`) is an error for every command: exit 2, one stderr line, and
/// `batch` prices nothing (no "priced" summary).
#[cfg(target_os = "linux")]
#[test]
fn closed_stdout_is_an_error_for_every_command() {
    for args in COMMANDS {
        let out = sh(r#"exec "$0" "$@" >&-"#, args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.starts_with("error: stdout: closed"), "{args:?}: {err}");
    }
}

/// Item 3: a stdout open read-only, or a full device, is an error too (exit 2, one line).
#[cfg(unix)]
#[test]
fn unwritable_stdout_is_an_error_for_every_command() {
    for redirect in ["1</dev/null", ">/dev/full"] {
        for args in COMMANDS {
            let out = sh(&format!(r#"exec "$0" "$@" {redirect}"#), args);
            let err = stderr(&out);
            assert_eq!(out.status.code(), Some(2), "{redirect} {args:?}: {err}");
            assert_eq!(err.lines().count(), 1, "{redirect} {args:?}: {err}");
            assert!(
                err.starts_with("error: stdout: "),
                "{redirect} {args:?}: {err}"
            );
        }
    }
    // Discarding the output write-only is not an error.
    let out = sh(r#"exec "$0" "$@" >/dev/null"#, &["simulate", REQUEST]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

/// Item 3: a pipe whose reader has gone (`| head -1`) ends `batch` quietly with status 0.
#[cfg(unix)]
#[test]
fn a_pipe_whose_reader_left_ends_quietly() {
    let line = std::fs::read_to_string(PathBuf::from(ROOT).join(REQUEST)).expect("request");
    let line: serde_json::Value = serde_json::from_str(&line).expect("JSON");
    let input = format!("{line}\n").repeat(200);
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bounds-epipe.jsonl");
    std::fs::write(&path, input).expect("write input");
    let out = sh(
        r#"exec "$0" batch "$1" | head -c 1 >/dev/null"#,
        &[path.to_str().expect("UTF-8 path")],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stderr(&out), "");
    let mut child = Command::new(BIN)
        .args(["simulate", REQUEST])
        .current_dir(ROOT)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    drop(child.stdout.take());
    let mut err = String::new();
    child
        .stderr
        .take()
        .expect("piped")
        .read_to_string(&mut err)
        .expect("stderr");
    assert_eq!(child.wait().expect("wait").code(), Some(0), "{err}");
    assert_eq!(err, "");
}

/// Writes `line` repeated `n` times to a file under the target's temporary directory.
fn repeated(name: &str, line: &[u8], n: usize) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&path, line.repeat(n)).expect("write input");
    path
}

/// Item 2: `batch` over 2 M blank lines and 1 M lines of `\xff` runs within a 100 MB data limit
/// (`ulimit -d`); blank lines once counted 0 bytes against the read-ahead budget and 2 M of them
/// took about 290 MB. Every line is still answered.
#[cfg(target_os = "linux")]
#[test]
fn batch_memory_is_flat_on_blank_and_failing_lines() {
    for (name, line, n) in [
        ("bounds-blank.txt", &b"\n"[..], 2_000_000),
        ("bounds-ff.txt", &b"\xff\n"[..], 1_000_000),
    ] {
        let path = repeated(name, line, n);
        let out = sh(
            r#"ulimit -d 100000 && exec "$0" batch "$1" >/dev/null"#,
            &[path.to_str().expect("UTF-8 path")],
        );
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{name}: {err}");
        assert_eq!(
            err.trim_end(),
            format!("qitech-sim batch: lines read: {n}, priced: 0, failed: {n}"),
            "{name}"
        );
        let _ = std::fs::remove_file(path);
    }
}

/// Runs the binary from the crate root with `args`, `stdin` fed from a file when given.
fn run(args: &[&str], stdin: Option<&str>) -> Output {
    let input = match stdin {
        Some(path) => {
            Stdio::from(std::fs::File::open(PathBuf::from(ROOT).join(path)).expect("stdin"))
        }
        None => Stdio::null(),
    };
    Command::new(BIN)
        .args(args)
        .current_dir(ROOT)
        .env_remove("RUST_BACKTRACE")
        .stdin(input)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {BIN}: {e}"))
}

/// Exit 2 and one stderr line, returned.
fn refused(out: &Output, what: &str) -> String {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(2), "{what}: {err}");
    assert!(out.stdout.is_empty(), "{what}: stdout on failure");
    assert_eq!(err.lines().count(), 1, "{what}: {err}");
    err
}

/// Item 6: an endless or huge input file is refused after its first MiB, within a 200 MB data
/// limit (`simulate /dev/zero` once read until memory ran out), for the request, the portability
/// input and the configuration alike.
#[cfg(target_os = "linux")]
#[test]
fn endless_input_files_are_refused_within_bounded_memory() {
    for args in [
        &["simulate", "/dev/zero"][..],
        &["debt", "/dev/zero"],
        &["portability", "/dev/zero"],
        &["simulate", REQUEST, "--config", "/dev/zero"],
        &["simulate", "-"],
    ] {
        let stdin = if args.contains(&"-") {
            "< /dev/zero"
        } else {
            ""
        };
        let out = sh(
            &format!(r#"ulimit -d 200000 && exec "$0" "$@" {stdin}"#),
            args,
        );
        let err = refused(&out, &format!("{args:?}"));
        assert!(
            err.contains(": larger than the 1048576-byte input limit"),
            "{args:?}: {err}"
        );
    }
    // A file just under the limit is read (and refused for what it holds, not its size).
    let path = repeated("bounds-spaces.json", b" ", (1 << 20) - 2);
    let out = run(&["simulate", path.to_str().expect("UTF-8 path")], None);
    let err = refused(&out, "spaces");
    assert!(err.contains("invalid JSON"), "{err}");
    let _ = std::fs::remove_file(path);
}

/// Item 6: a UTF-8 byte-order mark opening a request file, standard input or a configuration file
/// is skipped, as `batch` skips it on line 1; the answer is the one without it.
#[test]
fn a_byte_order_mark_is_accepted_everywhere() {
    let plain = run(
        &[
            "simulate",
            REQUEST,
            "--config",
            "fixtures/siape/pricing.json",
            "--compact",
        ],
        None,
    );
    assert_eq!(plain.status.code(), Some(0), "{}", stderr(&plain));
    let key = |out: &Output| {
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        v["data"]["disbursement_options"].clone()
    };
    let bom_request = "fixtures/reliability/bom-simulation-request.json";
    let bom_pricing = "fixtures/reliability/bom-pricing.json";
    for (args, stdin) in [
        (
            &[
                "simulate",
                bom_request,
                "--config",
                bom_pricing,
                "--compact",
            ][..],
            None,
        ),
        (
            &["simulate", "-", "--config", bom_pricing, "--compact"],
            Some(bom_request),
        ),
        (
            &["simulate", REQUEST, "--config", bom_pricing, "--compact"],
            None,
        ),
    ] {
        let out = run(args, stdin);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
        assert_eq!(key(&out), key(&plain), "{args:?}");
    }
    let out = run(&["debt", bom_request], None);
    assert_eq!(out.status.code(), Some(0), "debt: {}", stderr(&out));
    let mut portability = b"\xEF\xBB\xBF".to_vec();
    portability.extend(
        std::fs::read(PathBuf::from(ROOT).join("fixtures/airforce/portability.json"))
            .expect("portability"),
    );
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bounds-bom-portability.json");
    std::fs::write(&path, portability).expect("write");
    let out = run(&["portability", path.to_str().expect("UTF-8 path")], None);
    assert_eq!(out.status.code(), Some(0), "portability: {}", stderr(&out));
}

/// Item 6: argument values in errors are cut to the crate's 60 characters (a 100 KB argument was
/// echoed in full): option values, unknown options and commands, file names, calendar operands.
#[test]
fn argument_values_in_errors_are_cut() {
    let long = "x".repeat(100_000);
    let cut = format!("{}…", "x".repeat(59));
    for args in [
        vec!["simulate", REQUEST, "--format", &long],
        vec!["simulate", REQUEST, "--delay-unit", &long],
        vec!["simulate", &long],
        vec!["batch", &long],
        vec!["simulate", REQUEST, "--config", &long],
        vec![&long],
        vec!["calendar", &long],
        vec!["calendar", "add-business-days", "2024-01-02", &long],
        vec!["calendar", "following", &long],
        vec![
            "portability",
            "fixtures/airforce/portability.json",
            "--target-change",
            &long,
        ],
        vec![
            "portability",
            "fixtures/airforce/portability.json",
            "--installments-range",
            &long,
        ],
    ] {
        let what = format!("{:?}", &args[..args.len() - 1]);
        let err = refused(&run(&args, None), &what);
        assert!(err.len() < 300, "{what}: {} bytes", err.len());
        assert!(err.contains(&cut), "{what}: {err}");
    }
    let unknown = format!("--{long}");
    let err = refused(
        &run(&["simulate", REQUEST, &unknown], None),
        "unknown option",
    );
    assert!(err.len() < 300, "{err}");
}

/// Item 5: fees larger than what they apply to are refused naming the fee. The 64 external fees
/// of 1,000,000 % (accepted) are refused as the configuration is read; an absolute fee above the
/// issue amount names itself.
#[test]
fn fees_larger_than_the_loan_are_refused_naming_the_fee() {
    let err = refused(
        &run(
            &[
                "simulate",
                REQUEST,
                "--config",
                "fixtures/reliability/external-fee-1e6-percent.pricing.json",
            ],
            None,
        ),
        "1e6 %",
    );
    assert!(
        err.starts_with(
            "error: external_contract_fees[0].amount: a percentage fee is at most 100 (% of the \
             issue amount) (got 1000000"
        ),
        "{err}"
    );
    let pricing = r#"{"contract_fees":[{"fee_type":"tac","amount_type":"absolute","amount":1},
        {"fee_type":"registration","amount_type":"absolute","amount":5000}]}"#;
    let options = qitech_sim::SimulationOptions::new()
        .pricing(qitech_sim::api::pricing_from_json(pricing, "config").expect("pricing"));
    let text = std::fs::read_to_string(PathBuf::from(ROOT).join(REQUEST)).expect("request");
    let e = qitech_sim::api::simulate_json(&text, &options, None).expect_err("refused");
    assert_eq!(e.kind(), qitech_sim::ErrorKind::OutOfRange);
    assert_eq!(e.field(), Some("contract_fees[1].amount"), "{e}");
}

/// Item 5: a 99.99 % TAC leaves the SIAPE borrower −1.34 with the IOF: the "no solution" names the
/// contract fees and their amount (it was `cet: no internal rate of return …`, naming no input).
#[test]
fn cet_without_a_solution_names_the_fees() {
    let err = refused(
        &run(
            &[
                "simulate",
                REQUEST,
                "--config",
                "fixtures/reliability/tac-99.99.pricing.json",
            ],
            None,
        ),
        "tac 99.99",
    );
    assert!(
        err.starts_with("error: contract_fees: the contract fees and the IOF ("),
        "{err}"
    );
    assert!(err.contains("(got 194.78)"), "{err}");
}
