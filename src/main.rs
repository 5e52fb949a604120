//! `qitech-sim`: the command-line front of the crate.
//!
//! ```text
//! qitech-sim simulate FILE [--config CONFIG] [--delay-unit calendar|business] [--option-days calendar|business]
//! qitech-sim debt FILE [same options as simulate]
//! qitech-sim portability FILE [same options] [--target-change AMOUNT | --installments-range MIN..MAX]
//! qitech-sim batch [--config CONFIG] [--delay-unit U] [--option-days D] < requests.jsonl > responses.jsonl
//! qitech-sim calendar is-business-day DATE
//! qitech-sim calendar following DATE
//! qitech-sim calendar workdays FROM TO
//! qitech-sim calendar add-business-days DATE N
//! ```
//!
//! FILE may be `-` for standard input. Output is one JSON document on stdout. Any bad input exits with
//! status 2 and one line on stderr naming the field and the value.

use std::io::{Read, Write};
use std::process::ExitCode;

use qitech_sim::api::{
    self, DebtData, Num, PortabilityRequest, PortabilityResponse, SimulationRequest,
    SimulationResponse,
};
use qitech_sim::calendar::BrazilCalendar;
use qitech_sim::portability;
use qitech_sim::{DelayUnit, Error, OptionDays, SimulationOptions, simulate};
use rust_decimal::Decimal;
use serde_json::json;

const USAGE: &str = "usage: qitech-sim simulate FILE [--config CONFIG] [--delay-unit calendar|business] [--option-days calendar|business]
       qitech-sim debt FILE [same options]
       qitech-sim portability FILE [same options] [--target-change AMOUNT | --installments-range MIN..MAX]
       qitech-sim batch [--config CONFIG] < requests.jsonl > responses.jsonl
       qitech-sim calendar is-business-day DATE | following DATE | workdays FROM TO | add-business-days DATE N";

/// A CLI failure: the message printed on stderr (one line) and the exit status.
struct Failure(String);

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure(e.to_string())
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(out) if out.is_empty() => ExitCode::SUCCESS,
        Ok(out) => {
            let mut stdout = std::io::stdout().lock();
            match writeln!(stdout, "{out}") {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: stdout: {e}");
                    ExitCode::from(1)
                }
            }
        }
        Err(Failure(msg)) => {
            eprintln!("error: {}", msg.replace('\n', " "));
            ExitCode::from(2)
        }
    }
}

fn run(args: &[String]) -> Result<String, Failure> {
    match args.first().map(String::as_str) {
        Some("simulate") => cmd_simulate(&args[1..]),
        Some("debt") => cmd_debt(&args[1..]),
        Some("portability") => cmd_portability(&args[1..]),
        Some("batch") => cmd_batch(&args[1..]).map(|()| String::new()),
        Some("calendar") => cmd_calendar(&args[1..]),
        Some("--help" | "-h" | "help") => Ok(USAGE.to_string()),
        Some(other) => Err(Failure(format!(
            "unknown command {other:?}; {}",
            USAGE.replace('\n', " ")
        ))),
        None => Err(Failure(USAGE.replace('\n', " "))),
    }
}

/// `FILE [--config CONFIG] [--delay-unit U] [--option-days D]`.
struct CommonArgs {
    file: String,
    options: SimulationOptions,
    target_change: Option<Decimal>,
    installments_range: Option<(u32, u32)>,
}

fn parse_common(args: &[String]) -> Result<CommonArgs, Failure> {
    let mut file = None;
    let mut options = SimulationOptions::new();
    let mut target_change = None;
    let mut installments_range = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| Failure(format!("{name}: missing value")))
        };
        match a.as_str() {
            "--config" => {
                let path = value("--config")?;
                let text = read_input(&path)?;
                options = options.pricing(api::pricing_from_json(&text, &path)?);
            }
            "--delay-unit" => {
                options = options.delay_unit(
                    if calendar_or_business(&value("--delay-unit")?, "--delay-unit")? {
                        DelayUnit::CalendarDays
                    } else {
                        DelayUnit::BusinessDays
                    },
                );
            }
            "--option-days" => {
                options = options.option_days(
                    if calendar_or_business(&value("--option-days")?, "--option-days")? {
                        OptionDays::CalendarDays
                    } else {
                        OptionDays::BusinessDays
                    },
                );
            }
            "--target-change" => {
                let v = value("--target-change")?;
                let d: Decimal = v.parse().map_err(|_| {
                    Failure(format!("--target-change: expected an amount (got {v:?})"))
                })?;
                target_change = Some(d);
            }
            "--installments-range" => {
                let v = value("--installments-range")?;
                let parsed = v
                    .split_once("..")
                    .and_then(|(a, b)| {
                        Some((
                            a.parse::<u32>().ok()?,
                            b.trim_start_matches('=').parse::<u32>().ok()?,
                        ))
                    })
                    .filter(|(a, b)| {
                        a <= b && *a >= 1 && *b <= qitech_sim::schedule::MAX_INSTALLMENTS
                    });
                installments_range = Some(parsed.ok_or_else(|| {
                    Failure(format!(
                        "--installments-range: expected MIN..MAX within 1..{} (got {v:?})",
                        qitech_sim::schedule::MAX_INSTALLMENTS
                    ))
                })?);
            }
            s if s.starts_with("--") => return Err(Failure(format!("unknown option {s:?}"))),
            s => {
                if file.replace(s.to_string()).is_some() {
                    return Err(Failure(format!("unexpected argument {s:?}")));
                }
            }
        }
    }
    let file =
        file.ok_or_else(|| Failure("FILE: missing request file (use - for stdin)".into()))?;
    Ok(CommonArgs {
        file,
        options,
        target_change,
        installments_range,
    })
}

/// `calendar` → true, `business` → false, anything else an error naming the flag.
fn calendar_or_business(v: &str, flag: &str) -> Result<bool, Failure> {
    match v {
        "calendar" => Ok(true),
        "business" => Ok(false),
        _ => Err(Failure(format!(
            "{flag}: expected calendar or business (got {v:?})"
        ))),
    }
}

fn read_input(path: &str) -> Result<String, Failure> {
    let mut text = String::new();
    if path == "-" {
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| Failure(format!("stdin: cannot read: {e}")))?;
    } else {
        text = std::fs::read_to_string(path)
            .map_err(|e| Failure(format!("{path}: cannot read: {e}")))?;
    }
    Ok(text)
}

fn now_utc() -> Option<String> {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_secs();
    let dt = chrono::DateTime::from_timestamp(i64::try_from(secs).ok()?, 0)?;
    Some(dt.format("%Y-%m-%d %H:%M:%S").to_string())
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<String, Failure> {
    serde_json::to_string_pretty(v).map_err(|e| Failure(format!("output: {e}")))
}

fn cmd_simulate(args: &[String]) -> Result<String, Failure> {
    let c = parse_common(args)?;
    let name = if c.file == "-" {
        "stdin"
    } else {
        c.file.as_str()
    };
    let request = SimulationRequest::from_json(&read_input(&c.file)?, name)?;
    let sim = simulate(&request.terms, &c.options)?;
    to_json(&SimulationResponse::new(&request, &sim, now_utc()))
}

fn cmd_debt(args: &[String]) -> Result<String, Failure> {
    let c = parse_common(args)?;
    let name = if c.file == "-" {
        "stdin"
    } else {
        c.file.as_str()
    };
    let request = SimulationRequest::from_json(&read_input(&c.file)?, name)?;
    let sim = simulate(&request.terms, &c.options)?;
    to_json(&DebtData::new(&request, &sim))
}

fn cmd_portability(args: &[String]) -> Result<String, Failure> {
    let c = parse_common(args)?;
    let name = if c.file == "-" {
        "stdin"
    } else {
        c.file.as_str()
    };
    let request = PortabilityRequest::from_json(&read_input(&c.file)?, name)?;
    let p = request.run(&c.options)?;
    match (c.target_change, c.installments_range) {
        (Some(_), Some(_)) => Err(Failure(
            "--target-change and --installments-range: give one or the other".into(),
        )),
        (Some(target), None) => {
            let f = portability::min_face_value_for_change(&p.payroll_terms, target, &c.options)?;
            let mut at_f = request.clone();
            at_f.payroll.installment_face_value = f;
            let q = at_f.run(&c.options)?;
            to_json(&json!({
                "target_change": Num(target),
                "installment_face_value": Num(f),
                "portability": PortabilityResponse::new(&q, request.collateral_type),
            }))
        }
        (None, Some((lo, hi))) => {
            let f = request.payroll.installment_face_value;
            let rows =
                portability::change_by_installments(&p.payroll_terms, f, lo..=hi, &c.options)?;
            let best = rows.iter().max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)));
            let table: Vec<_> = rows
                .iter()
                .map(|(n, ch)| json!({"number_of_installments": n, "final_disbursement_amount": Num(*ch)}))
                .collect();
            to_json(&json!({
                "installment_face_value": Num(f),
                "changes": table,
                "best": best.map(|(n, ch)| json!({"number_of_installments": n, "final_disbursement_amount": Num(*ch)})),
            }))
        }
        (None, None) => to_json(&PortabilityResponse::new(&p, request.collateral_type)),
    }
}

/// Lines read, priced in parallel and written per chunk: memory stays flat in the number of lines.
const BATCH_CHUNK: usize = 256;

/// `batch`: one simulation request per input line, one response (or error object) per output line,
/// in input order. Blank lines are skipped (and counted: line numbers are the input's).
fn cmd_batch(args: &[String]) -> Result<(), Failure> {
    use rayon::prelude::*;
    use std::io::{BufRead, BufWriter, IsTerminal};

    let mut with_file = args.to_vec();
    with_file.push("-".into());
    let c = parse_common(&with_file)?;
    if c.file != "-" {
        return Err(Failure(
            "batch: reads standard input; no FILE argument".into(),
        ));
    }
    let progress = std::io::stderr().is_terminal();
    // A writer thread prints chunk k while the pool prices chunk k + 1; the channel holds one chunk,
    // so at most three chunks of responses are in memory whatever the input's length.
    let (send, receive) = std::sync::mpsc::sync_channel::<Vec<String>>(1);
    let writer = std::thread::spawn(move || -> Result<(), String> {
        let mut out = BufWriter::with_capacity(1 << 20, std::io::stdout().lock());
        let mut done = 0usize;
        for results in receive {
            for r in &results {
                out.write_all(r.as_bytes())
                    .and_then(|()| out.write_all(b"\n"))
                    .map_err(|e| format!("stdout: {e}"))?;
            }
            done += results.len();
            if progress {
                eprint!("\rqitech-sim batch: {done} requests");
            }
        }
        out.flush().map_err(|e| format!("stdout: {e}"))?;
        if progress {
            eprintln!();
        }
        Ok(())
    });
    let stdin = std::io::stdin().lock();
    let mut lines = stdin.lines();
    let mut line_no = 0usize;
    let mut read_error = None;
    loop {
        let mut chunk: Vec<(usize, String)> = Vec::with_capacity(BATCH_CHUNK);
        for line in lines.by_ref() {
            line_no += 1;
            match line {
                Ok(l) if l.trim().is_empty() => continue,
                Ok(l) => chunk.push((line_no, l)),
                Err(e) => {
                    read_error = Some(format!("stdin: line {line_no}: {e}"));
                    break;
                }
            }
            if chunk.len() == BATCH_CHUNK {
                break;
            }
        }
        if chunk.is_empty() {
            break;
        }
        let now = now_utc();
        let results: Vec<String> = chunk
            .par_iter()
            .map(|(n, line)| batch_line(*n, line, &c.options, now.clone()))
            .collect();
        if send.send(results).is_err() || read_error.is_some() {
            break; // the writer stopped (its error is reported below), or stdin failed
        }
    }
    drop(send);
    let written = writer
        .join()
        .map_err(|_| Failure("stdout: writer thread failed".into()))?;
    match (read_error, written) {
        (Some(e), _) | (None, Err(e)) => Err(Failure(e)),
        (None, Ok(())) => Ok(()),
    }
}

/// One line of `batch`: the compact response, or `{"line":N,"error":"..."}`.
fn batch_line(n: usize, line: &str, options: &SimulationOptions, now: Option<String>) -> String {
    let source = format!("line {n}");
    let result = SimulationRequest::from_json(line, &source).and_then(|req| {
        let sim = simulate(&req.terms, options)?;
        Ok(SimulationResponse::new(&req, &sim, now))
    });
    let v = match result {
        Ok(resp) => String::from_utf8(resp.to_json_bytes()).map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    };
    match v {
        Ok(s) => s,
        Err(msg) => json!({"line": n, "error": msg}).to_string(),
    }
}

fn date_arg(args: &[String], i: usize, name: &str) -> Result<chrono::NaiveDate, Failure> {
    let s = args
        .get(i)
        .ok_or_else(|| Failure(format!("{name}: missing")))?;
    Ok(api::parse_date(s, name)?)
}

fn cmd_calendar(args: &[String]) -> Result<String, Failure> {
    let cal = BrazilCalendar::national();
    let sub = args.first().map(String::as_str);
    let want = |n: usize| -> Result<(), Failure> {
        if args.len() != n + 1 {
            return Err(Failure(format!(
                "calendar {}: expected {n} argument(s), got {}",
                sub.unwrap_or(""),
                args.len().saturating_sub(1)
            )));
        }
        Ok(())
    };
    let v = match sub {
        Some("is-business-day") => {
            want(1)?;
            let d = date_arg(args, 1, "DATE")?;
            json!({"date": d, "business_day": cal.is_business_day(d)?})
        }
        Some("following") => {
            want(1)?;
            let d = date_arg(args, 1, "DATE")?;
            json!({"date": d, "following": cal.following(d)?})
        }
        Some("workdays") => {
            want(2)?;
            let from = date_arg(args, 1, "FROM")?;
            let to = date_arg(args, 2, "TO")?;
            json!({"from": from, "to": to, "workdays": cal.workdays(from, to)?})
        }
        Some("add-business-days") => {
            want(2)?;
            let d = date_arg(args, 1, "DATE")?;
            let raw = &args[2];
            let n: i64 = raw
                .parse()
                .map_err(|_| Failure(format!("N: expected a whole number (got {raw:?})")))?;
            json!({"date": d, "n": n, "result": cal.add_business_days(d, n)?})
        }
        other => {
            return Err(Failure(format!(
                "calendar: unknown subcommand {:?}; {}",
                other.unwrap_or(""),
                USAGE.replace('\n', " ")
            )));
        }
    };
    Ok(v.to_string())
}
