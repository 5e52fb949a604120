//! Quote a personal loan by the amount the borrower must receive (IOF financed): QI's bridge loan.
//!
//! `cargo run --example personal_disbursed`
use qitech_sim::prelude::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rate = InterestRate::annual_rate("0.20983".parse()?, InterestBase::Workdays)?;
    let disbursement = NaiveDate::from_ymd_opt(2023, 3, 17).ok_or("date")?;
    let amount = "80492.95".parse()?;
    let terms = LoanTerms::disbursed(amount, 1, rate, disbursement, FirstDue::Delay(5))?;
    let quote = simulate(&terms, &SimulationOptions::new())?.first().clone();
    let installment = &quote.schedule.installments[0];
    println!(
        "issue {} IOF {}",
        quote.schedule.issue_amount, quote.iof.total
    );
    println!(
        "pay {} on {}",
        installment.total_amount, installment.period.due_date
    );
    println!("CET {}", qitech_sim::api::percent_pt_br(quote.cet.monthly));
    assert_eq!(quote.schedule.issue_amount.to_string(), "80833.26");
    Ok(())
}
