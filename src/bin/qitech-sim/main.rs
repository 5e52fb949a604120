//! `qitech-sim`: the command-line front of the crate, a thin layer over the library's public
//! pipelines (`qitech_sim::api`).
//!
//! Every command prints one JSON document on stdout (or a table or CSV with `--format`); any bad
//! input exits with status 2 and one line on stderr naming the field and the value. `qitech-sim
//! --help` lists the commands, `qitech-sim COMMAND --help` their options.
//!
//! **Standard output.** A closed descriptor 1 (`>&-`), one open read-only, or a device that
//! refuses the bytes (`>/dev/full`) is an error for every command, `--help` included: one
//! `error: stdout: …` line on stderr and exit status 2. A pipe whose reader has gone (`| head -1`,
//! `EPIPE`) is the reader's choice: the command stops writing (`batch` stops pricing) and exits 0
//! without a word. Rust's runtime puts a read-write `/dev/null` in place of a closed descriptor 1
//! before `main`; on Linux the binary recognises it and refuses it as closed (so a caller that
//! discards the output through a read-write `/dev/null`, such as Python's `subprocess.DEVNULL`, is
//! refused too: `>/dev/null` opens it write-only and is accepted).

mod batch;
mod present_value;
mod stdout;
mod table;

use std::ffi::OsString;
use std::io::{IsTerminal, Read, Write};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use qitech_sim::api::{self, Body, PortabilityAnswer, PortabilityQuery, Service, Simulated};
use qitech_sim::calendar::BrazilCalendar;
use qitech_sim::iof::NaturalPersonIof;
use qitech_sim::{Decimal, DelayUnit, OptionDays};
use serde_json::json;

/// The one-line usage printed when no command is given.
const USAGE: &str =
    "usage: qitech-sim <simulate|debt|portability|batch|calendar> … (qitech-sim --help for more)";

const HELP_TEMPLATE: &str = "{about-with-newline}\nusage: {usage}\n\n{all-args}{after-help}";

#[derive(Parser)]
#[command(
    name = "qitech-sim",
    version,
    about = "Offline, cent-exact reproduction of QI Tech's credit-simulation arithmetic.",
    help_template = HELP_TEMPLATE,
    subcommand_help_heading = "commands",
    disable_help_subcommand = true
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// QI's simulation response (`/debt_simulation`) for a request.
    #[command(help_template = HELP_TEMPLATE)]
    Simulate(QuoteArgs),
    /// The `data` of QI's issuance (`/debt`) response for a request.
    #[command(help_template = HELP_TEMPLATE)]
    Debt(QuoteArgs),
    /// A portability: bridge loan, payroll loan and the change per disbursement option.
    #[command(help_template = HELP_TEMPLATE)]
    Portability(PortabilityArgs),
    /// One simulation response per input line (JSON Lines), in order, on all cores.
    #[command(help_template = HELP_TEMPLATE)]
    Batch(BatchArgs),
    /// A contract's present value on a date (QI's present-value inquiry).
    #[command(help_template = HELP_TEMPLATE)]
    PresentValue(present_value::PresentValueArgs),
    /// The Brazilian (ANBIMA) business-day calendar.
    #[command(subcommand, help_template = HELP_TEMPLATE)]
    Calendar(CalendarCommand),
}

/// How `first_due_date_delay` and option days are counted.
#[derive(Clone, Copy, ValueEnum)]
enum DayUnit {
    Calendar,
    Business,
}

/// The output format.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// QI's JSON (pretty, or one line with --compact).
    Json,
    /// The quote and the amortization table as a broker shows them (pt-BR; --lang en).
    Table,
    /// One table as RFC 4180 CSV (--table installments|options).
    Csv,
}

#[derive(Args)]
struct EngineArgs {
    /// Partner configuration (fees, "profile", "conventions"), JSON.
    #[arg(long, value_name = "CONFIG")]
    config: Option<String>,
    /// How `first_due_date_delay` counts days.
    #[arg(long, value_name = "UNIT", default_value = "calendar")]
    delay_unit: DayUnit,
    /// Which days get a disbursement option.
    #[arg(long, value_name = "DAYS", default_value = "calendar")]
    option_days: DayUnit,
    /// Natural-person IOF: `fixed` (0.0082 %/day + 0.38 % at every date) or `dated` (the dated
    /// regime table, e.g. zero for most of 2020). Legal persons always use the dated table.
    #[arg(long, value_name = "RULE", default_value = "fixed", value_parser = natural_iof_names())]
    natural_iof: NaturalPersonIof,
    /// Accept keys QI's documentation does not list (inside financial, borrower, collaterals,
    /// refinanced_credit_operations, and in the --config file) instead of refusing them.
    #[arg(long)]
    allow_unknown_fields: bool,
}

/// The natural-person IOF rule, by the engine's names ([`NaturalPersonIof::NAMES`]).
fn natural_iof_names() -> impl clap::builder::TypedValueParser<Value = NaturalPersonIof> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(NaturalPersonIof::NAMES)
        .try_map(|name| name.parse::<NaturalPersonIof>())
}

#[derive(Args)]
struct OutputArgs {
    /// Output format.
    #[arg(long, value_name = "FORMAT", default_value = "json")]
    format: Format,
    /// JSON on one line.
    #[arg(long)]
    compact: bool,
    /// The language of --format table: `pt` (pt-BR, the default) or `en`.
    #[arg(long, value_name = "LANG")]
    lang: Option<table::Lang>,
    /// The table --format csv prints: `installments` (the default) or `options`.
    #[arg(long, value_name = "TABLE")]
    table: Option<table::CsvTable>,
}

#[derive(Args)]
struct QuoteArgs {
    /// The request (JSON); `-` for standard input.
    #[arg(value_name = "FILE")]
    file: String,
    #[command(flatten)]
    engine: EngineArgs,
    #[command(flatten)]
    output: OutputArgs,
}

#[derive(Args)]
struct PortabilityArgs {
    /// The portability input (JSON); `-` for standard input.
    #[arg(value_name = "FILE")]
    file: String,
    #[command(flatten)]
    engine: EngineArgs,
    #[command(flatten)]
    output: OutputArgs,
    /// The smallest installment (to the cent) whose change reaches AMOUNT, and the portability at it.
    #[arg(long, value_name = "AMOUNT", conflicts_with = "installments_range")]
    target_change: Option<String>,
    /// The change the margin gives for each number of installments MIN..MAX, and the best.
    #[arg(long, value_name = "MIN..MAX")]
    installments_range: Option<String>,
}

#[derive(Args)]
struct BatchArgs {
    /// JSON Lines of requests; standard input when absent or `-`.
    #[arg(value_name = "FILE")]
    file: Option<String>,
    /// One compact summary per request instead of the full response: per disbursement option,
    /// the date, issue, IOF, fees, disbursed, change or shortfall, first installment and CET.
    #[arg(long)]
    summary: bool,
    #[command(flatten)]
    engine: EngineArgs,
}

#[derive(Subcommand)]
enum CalendarCommand {
    /// Whether DATE is a business day.
    IsBusinessDay {
        /// `YYYY-MM-DD`.
        #[arg(value_name = "DATE")]
        date: String,
    },
    /// The business day on or after DATE.
    Following {
        /// `YYYY-MM-DD`.
        #[arg(value_name = "DATE")]
        date: String,
    },
    /// Business days in (FROM, TO].
    Workdays {
        /// `YYYY-MM-DD`.
        #[arg(value_name = "FROM")]
        from: String,
        /// `YYYY-MM-DD`.
        #[arg(value_name = "TO")]
        to: String,
    },
    /// DATE moved by N business days (N may be negative).
    AddBusinessDays {
        /// `YYYY-MM-DD`.
        #[arg(value_name = "DATE")]
        date: String,
        /// Business days.
        #[arg(value_name = "N", allow_hyphen_values = true)]
        n: String,
    },
}

/// A CLI failure: the message printed on stderr (one line), exit status 2.
pub(crate) struct Failure(pub(crate) String);

impl From<qitech_sim::Error> for Failure {
    fn from(e: qitech_sim::Error) -> Self {
        Failure(e.to_string())
    }
}

fn main() -> ExitCode {
    // Before any file is opened (it would take a closed descriptor 1's number) and before `--help`.
    if let Err(e) = stdout::open() {
        return fail(&Failure(e));
    }
    let args: Vec<OsString> = std::env::args_os().collect();
    // Arguments must be text: a non-UTF-8 one is answered, never a panic.
    let mut text_args = Vec::with_capacity(args.len());
    for a in &args {
        match a.to_str() {
            Some(s) => text_args.push(s.to_string()),
            None => {
                return fail(&Failure(format!(
                    "argument {}: not valid UTF-8",
                    shown(&a.to_string_lossy())
                )));
            }
        }
    }
    let cli = match Cli::try_parse_from(&text_args) {
        Ok(cli) => cli,
        Err(e) => return clap_error(&e, &text_args[1..]),
    };
    match run(cli) {
        Ok(Outcome::Print(out)) => print(&out),
        Ok(Outcome::Done(code)) => code,
        Err(f) => fail(&f),
    }
}

enum Outcome {
    Print(String),
    Done(ExitCode),
}

fn fail(f: &Failure) -> ExitCode {
    eprintln!("error: {}", f.0.replace(['\n', '\r'], " "));
    ExitCode::from(2)
}

/// Prints `out` and a newline; a pipe whose reader has gone (`| head`) ends quietly, any other
/// failure to write is an error (see [`stdout`]).
fn print(out: &str) -> ExitCode {
    let mut writer = std::io::BufWriter::new(stdout::writer());
    match writeln!(writer, "{out}").and_then(|()| writer.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if stdout::reader_gone(&e) => ExitCode::SUCCESS,
        Err(e) => fail(&Failure(format!("stdout: {e}"))),
    }
}

/// clap's help and version exit 0 as clap prints them; a usage error is one line, exit 2.
fn clap_error(e: &clap::Error, args: &[String]) -> ExitCode {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    // Values echoed are cut to the crate's 60 characters.
    let context = |kind| match e.get(kind) {
        Some(ContextValue::String(s)) => qitech_sim::error::value_text(s),
        Some(ContextValue::Strings(v)) => v.join(", "),
        Some(other) => qitech_sim::error::value_text(other),
        None => String::new(),
    };
    let arg = context(ContextKind::InvalidArg);
    let value = context(ContextKind::InvalidValue);
    // clap's nearest flag, command or value (its `suggestions` feature), in the crate's words.
    let suggested_arg = context(ContextKind::SuggestedArg);
    let did_you_mean = |s: &str| {
        if s.is_empty() {
            String::new()
        } else {
            format!(" (did you mean {s:?}?)")
        }
    };
    let scope = match args {
        [first, second, ..] if first == "calendar" => {
            format!("calendar {}", qitech_sim::error::value_text(second))
        }
        [first, ..] => qitech_sim::error::value_text(first),
        [] => String::new(),
    };
    let message = match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            return print(e.render().to_string().trim_end_matches('\n'));
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand | ErrorKind::MissingSubcommand => {
            if args.is_empty() {
                USAGE.to_string()
            } else {
                format!("{scope}: missing command; {USAGE}")
            }
        }
        ErrorKind::InvalidSubcommand => {
            let (prefix, name) = match args {
                [first, second, ..] if first == "calendar" => ("calendar: ", second.as_str()),
                [first, ..] => ("", first.as_str()),
                [] => ("", ""),
            };
            let name = if value.is_empty() {
                qitech_sim::error::value_text(name)
            } else {
                value.clone()
            };
            let suggested = did_you_mean(&context(ContextKind::SuggestedSubcommand));
            format!("{prefix}unknown command {name:?}{suggested}; {USAGE}")
        }
        ErrorKind::UnknownArgument if arg.starts_with('-') => {
            format!(
                "{scope}: unknown option {arg:?}{}",
                did_you_mean(&suggested_arg)
            )
        }
        ErrorKind::UnknownArgument => format!("{scope}: unexpected argument {arg:?}"),
        ErrorKind::MissingRequiredArgument => {
            let given = args.iter().skip(2).filter(|a| !a.starts_with('-')).count();
            if args.first().is_some_and(|a| a == "calendar") {
                format!("{scope}: expected more argument(s), got {given} ({arg} missing)")
            } else {
                // `<FILE>` names a positional argument; `--keep <WHAT>` an option (its name only).
                let name = match arg.split_once(' ') {
                    Some((option, _)) if option.starts_with('-') => option,
                    _ => arg.as_str(),
                };
                format!(
                    "{}: missing required argument{}",
                    name.trim_matches(['<', '>']),
                    if arg.contains("FILE") {
                        " (the request file; use - for stdin)"
                    } else {
                        ""
                    }
                )
            }
        }
        ErrorKind::InvalidValue if value.is_empty() => format!("{arg}: missing value"),
        ErrorKind::InvalidValue => {
            let valid = context(ContextKind::ValidValue);
            let suggested = did_you_mean(&context(ContextKind::SuggestedValue));
            format!("{arg}: expected one of {valid} (got {value:?}){suggested}")
        }
        ErrorKind::ArgumentConflict => {
            format!(
                "{arg}: cannot be used with {}",
                context(ContextKind::PriorArg)
            )
        }
        _ => e
            .to_string()
            .lines()
            .next()
            .unwrap_or("invalid arguments")
            .trim_start_matches("error: ")
            .to_string(),
    };
    fail(&Failure(message))
}

/// Standard input can be read once: a request and a configuration cannot both come from it.
fn one_stdin(file: Option<&str>, engine: &EngineArgs) -> Result<(), Failure> {
    if matches!(file, None | Some("-")) && engine.config.as_deref() == Some("-") {
        return Err(Failure(
            "--config: \"-\" (standard input) is already the request's input; give the \
             configuration as a file"
                .into(),
        ));
    }
    Ok(())
}

fn run(cli: Cli) -> Result<Outcome, Failure> {
    match &cli.command {
        Command::Simulate(a) | Command::Debt(a) => one_stdin(Some(&a.file), &a.engine)?,
        Command::Portability(a) => one_stdin(Some(&a.file), &a.engine)?,
        Command::Batch(a) => one_stdin(a.file.as_deref(), &a.engine)?,
        Command::Calendar(_) | Command::PresentValue(_) => {}
    }
    match cli.command {
        Command::Simulate(a) => {
            let service = service(&a.engine)?.event_datetime(now_utc());
            let text = read_input(&a.file)?;
            match service.simulate(Body::from(&text).named(source_name(&a.file)))? {
                Simulated::Legacy(response) => {
                    render(&a.output, &response, || table::simulation(&response))
                }
                // The v2 body answers in the v2 shape, JSON only.
                Simulated::V2(_) if a.output.format != Format::Json => Err(Failure(
                    "--format: the v2 response is printed as JSON only".to_string(),
                )),
                v2 => json(&a.output, &v2),
            }
        }
        Command::Debt(a) => {
            let service = service(&a.engine)?;
            let text = read_input(&a.file)?;
            let data = service.debt(Body::from(&text).named(source_name(&a.file)))?;
            render(&a.output, &data, || table::debt(&data))
        }
        Command::Portability(a) => portability(a),
        Command::Batch(a) => {
            let service = service(&a.engine)?.event_datetime(now_utc());
            let shape = if a.summary {
                batch::Shape::Summary
            } else {
                batch::Shape::Full
            };
            batch::run(a.file.as_deref(), &service, shape).map(Outcome::Done)
        }
        Command::PresentValue(a) => present_value::run(&a),
        Command::Calendar(c) => calendar(c).map(|v| Outcome::Print(v.to_string())),
    }
}

/// JSON (pretty unless `--compact`), or the table / CSV view. An output option that the format
/// would not use is refused, never ignored.
fn render<T: serde::Serialize>(
    output: &OutputArgs,
    value: &T,
    view: impl FnOnce() -> table::View,
) -> Result<Outcome, Failure> {
    if output.compact && output.format != Format::Json {
        return Err(Failure("--compact: applies to --format json only".into()));
    }
    if output.lang.is_some() && output.format != Format::Table {
        return Err(Failure("--lang: applies to --format table only".into()));
    }
    if output.table.is_some() && output.format != Format::Csv {
        return Err(Failure("--table: applies to --format csv only".into()));
    }
    let text = match output.format {
        Format::Json if output.compact => serde_json::to_string(value),
        Format::Json => serde_json::to_string_pretty(value),
        Format::Table => {
            return Ok(Outcome::Print(
                view().table(output.lang.unwrap_or_default()),
            ));
        }
        Format::Csv => {
            return view()
                .csv(output.table.unwrap_or_default())
                .map(Outcome::Print);
        }
    };
    text.map(Outcome::Print)
        .map_err(|e| Failure(format!("output: {e}")))
}

/// JSON only (pretty unless `--compact`): a response no table shows.
fn json<T: serde::Serialize>(output: &OutputArgs, value: &T) -> Result<Outcome, Failure> {
    let text = if output.compact {
        serde_json::to_string(value)
    } else {
        serde_json::to_string_pretty(value)
    };
    text.map(Outcome::Print)
        .map_err(|e| Failure(format!("output: {e}")))
}

fn portability(a: PortabilityArgs) -> Result<Outcome, Failure> {
    let service = service(&a.engine)?;
    let query = if let Some(t) = &a.target_change {
        let target: Decimal = t.parse().map_err(|_| {
            Failure(format!(
                "--target-change: expected an amount (got {})",
                shown(t)
            ))
        })?;
        PortabilityQuery::TargetChange(target)
    } else if let Some(range) = &a.installments_range {
        let max = qitech_sim::schedule::MAX_INSTALLMENTS;
        let (lo, hi) = range
            .split_once("..")
            .and_then(|(lo, hi)| {
                Some((
                    lo.parse::<u32>().ok()?,
                    hi.trim_start_matches('=').parse::<u32>().ok()?,
                ))
            })
            .filter(|(lo, hi)| lo <= hi && *lo >= 1 && *hi <= max)
            .ok_or_else(|| {
                Failure(format!(
                    "--installments-range: expected MIN..MAX within 1..{max} (got {})",
                    shown(range)
                ))
            })?;
        PortabilityQuery::InstallmentsRange(lo, hi)
    } else {
        PortabilityQuery::Plain
    };
    let text = read_input(&a.file)?;
    let request = service.read_portability(Body::from(&text).named(source_name(&a.file)))?;
    let answer = service.portability_request(&request, query)?;
    match &answer {
        PortabilityAnswer::TargetChange(r) => {
            let options = service.options()?;
            render(&a.output, r, || table::target_change(r, &request, options))
        }
        PortabilityAnswer::InstallmentsRange(r) => {
            render(&a.output, r, || table::installments_range(r))
        }
        PortabilityAnswer::Plain(r) => render(&a.output, r, || table::portability(r)),
        _ => json(&a.output, &answer),
    }
}

/// The one [`Service`] of the engine arguments: the partner configuration (read once), the
/// options; the profile per body shape is the service's.
fn service(e: &EngineArgs) -> Result<Service, Failure> {
    let mut service = Service::new()
        .delay_unit(match e.delay_unit {
            DayUnit::Calendar => DelayUnit::CalendarDays,
            DayUnit::Business => DelayUnit::BusinessDays,
        })
        .option_days(match e.option_days {
            DayUnit::Calendar => OptionDays::CalendarDays,
            DayUnit::Business => OptionDays::BusinessDays,
        })
        .natural_person_iof(e.natural_iof)
        .allow_unknown_fields(e.allow_unknown_fields);
    if let Some(path) = &e.config {
        service = service.config_json(&read_input(path)?, source_name(path))?;
    }
    Ok(service)
}

fn source_name(path: &str) -> &str {
    if path == "-" { "stdin" } else { path }
}

/// The most bytes a request, portability input or configuration file may hold: a batch line's
/// limit (1 MiB; the longest valid request is a few tens of kilobytes). A longer input (a huge file,
/// `/dev/zero`) is refused after reading one byte past it, so memory stays bounded.
pub(crate) const MAX_INPUT_BYTES: usize = batch::MAX_LINE_BYTES;

/// `value` quoted and cut to the crate's [`qitech_sim::error::MAX_VALUE_CHARS`] characters, as an
/// error echoes an argument.
pub(crate) fn shown(value: &str) -> String {
    qitech_sim::error::value_text(format!("{value:?}"))
}

/// A file's text (`-`: standard input): at most [`MAX_INPUT_BYTES`], UTF-8, a leading byte-order
/// mark dropped.
pub(crate) fn read_input(path: &str) -> Result<String, Failure> {
    let name = qitech_sim::error::value_text(source_name(path));
    let source: Box<dyn Read> = if path == "-" {
        if std::io::stdin().is_terminal() {
            eprintln!("qitech-sim: reading the request from standard input (end with Ctrl-D)");
        }
        Box::new(std::io::stdin())
    } else {
        Box::new(
            std::fs::File::open(path).map_err(|e| Failure(format!("{name}: cannot read: {e}")))?,
        )
    };
    let mut bytes = vec![];
    source
        .take(MAX_INPUT_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Failure(format!("{name}: cannot read: {e}")))?;
    if bytes.len() > MAX_INPUT_BYTES {
        return Err(Failure(format!(
            "{name}: larger than the {MAX_INPUT_BYTES}-byte input limit"
        )));
    }
    let text =
        String::from_utf8(bytes).map_err(|e| Failure(format!("{name}: not valid UTF-8: {e}")))?;
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    })
}

pub(crate) fn now_utc() -> Option<String> {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_secs();
    let dt = chrono::DateTime::from_timestamp(i64::try_from(secs).ok()?, 0)?;
    Some(dt.format("%Y-%m-%d %H:%M:%S").to_string())
}

fn calendar(c: CalendarCommand) -> Result<serde_json::Value, Failure> {
    let cal = BrazilCalendar::national();
    let date = |s: &str, name: &str| api::parse_date(s, name).map_err(Failure::from);
    Ok(match c {
        CalendarCommand::IsBusinessDay { date: d } => {
            let d = date(&d, "DATE")?;
            json!({"date": d, "business_day": cal.is_business_day(d)?})
        }
        CalendarCommand::Following { date: d } => {
            let d = date(&d, "DATE")?;
            json!({"date": d, "following": cal.following(d)?})
        }
        CalendarCommand::Workdays { from, to } => {
            let (from, to) = (date(&from, "FROM")?, date(&to, "TO")?);
            json!({"from": from, "to": to, "workdays": cal.workdays(from, to)?})
        }
        CalendarCommand::AddBusinessDays { date: d, n } => {
            let d = date(&d, "DATE")?;
            let n: i64 = n
                .parse()
                .map_err(|_| Failure(format!("N: expected a whole number (got {})", shown(&n))))?;
            json!({"date": d, "n": n, "result": cal.add_business_days(d, n)?})
        }
    })
}
