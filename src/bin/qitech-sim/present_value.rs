//! `qitech-sim present-value FILE --date D`: QI's present-value inquiry for a contract (an issuance
//! body, or an issued schedule: a `debt` response).

use clap::{Args, ValueEnum};
use qitech_sim::Decimal;
use qitech_sim::api::{self, Body};
use qitech_sim::prepayment::Keep;
use qitech_sim::present_value::PresentValueOptions;

use super::{EngineArgs, Failure, Outcome, one_stdin, read_input, service, source_name};

/// What a prepayment keeps.
#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum KeepArg {
    Term,
    Installment,
}

/// The command's arguments.
#[derive(Args)]
pub(crate) struct PresentValueArgs {
    /// The contract (JSON): an issuance body or a `debt` response; `-` for standard input.
    #[arg(value_name = "FILE")]
    file: String,
    /// The date valued, `YYYY-MM-DD`.
    #[arg(long, value_name = "DATE")]
    date: String,
    /// The first N installments are paid (default: those due before the date).
    #[arg(long, value_name = "N")]
    paid: Option<u32>,
    /// Charge the fine and late interest of `fine_configuration` on overdue installments.
    #[arg(long)]
    calculate_delay: bool,
    /// Add the operation's spread (refused: QI documents no arithmetic for it).
    #[arg(long)]
    calculate_spread: bool,
    /// Prepay AMOUNT on the date and print the new schedule (with --keep).
    #[arg(long, value_name = "AMOUNT", requires = "keep")]
    prepay: Option<String>,
    /// What the prepayment keeps: the remaining due dates (`term`) or the installment.
    #[arg(long, value_name = "WHAT", requires = "prepay")]
    keep: Option<KeepArg>,
    #[command(flatten)]
    engine: EngineArgs,
    /// JSON on one line.
    #[arg(long)]
    compact: bool,
}

/// Runs the command.
pub(crate) fn run(a: &PresentValueArgs) -> Result<Outcome, Failure> {
    one_stdin(Some(&a.file), &a.engine)?;
    let service = service(&a.engine)?;
    let date = api::parse_date(&a.date, "--date")?;
    let text = read_input(&a.file)?;
    let pv_options = PresentValueOptions::new()
        .paid(a.paid)
        .calculate_delay(a.calculate_delay)
        .calculate_spread(a.calculate_spread);
    let out = if let (Some(amount), Some(keep)) = (&a.prepay, a.keep) {
        let amount: Decimal = amount
            .trim()
            .parse()
            .map_err(|_| Failure(format!("--prepay: expected an amount (got {amount:?})")))?;
        let keep = match keep {
            KeepArg::Term => Keep::Term,
            KeepArg::Installment => Keep::Installment,
        };
        let response = service.prepayment(
            Body::from(&text).named(source_name(&a.file)),
            date,
            amount,
            keep,
            &pv_options,
        )?;
        to_text(&response, a.compact)
    } else {
        let response = service.present_value(
            Body::from(&text).named(source_name(&a.file)),
            date,
            &pv_options,
        )?;
        to_text(&response, a.compact)
    };
    out.map(Outcome::Print)
        .map_err(|e| Failure(format!("output: {e}")))
}

/// JSON, pretty unless `compact`.
fn to_text<T: serde::Serialize>(value: &T, compact: bool) -> serde_json::Result<String> {
    if compact {
        serde_json::to_string(value)
    } else {
        serde_json::to_string_pretty(value)
    }
}
