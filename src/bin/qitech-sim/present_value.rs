//! `qitech-sim present-value FILE --date D`: QI's present-value inquiry for a contract (an issuance
//! body, or an issued schedule: a `debt` response).

use clap::Args;
use qitech_sim::api::{self, Body};
use qitech_sim::present_value::PresentValueOptions;

use super::{EngineArgs, Failure, Outcome, one_stdin, read_input, service, source_name};

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
    let response = service.present_value(
        Body::from(&text).named(source_name(&a.file)),
        date,
        &pv_options,
    )?;
    let out = if a.compact {
        serde_json::to_string(&response)
    } else {
        serde_json::to_string_pretty(&response)
    };
    out.map(Outcome::Print)
        .map_err(|e| Failure(format!("output: {e}")))
}
