//! Quote a payroll loan by its installment (the borrower's margin): QI's SIAPE example.
//!
//! `cargo run --example payroll_face_value`
use qitech_sim::prelude::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rate = InterestRate::monthly("0.0205".parse()?, InterestBase::CalendarDays)?;
    let disbursement = NaiveDate::from_ymd_opt(2023, 3, 14).ok_or("date")?;
    let first_due = NaiveDate::from_ymd_opt(2023, 4, 7).ok_or("date")?;
    let terms = LoanTerms::face_value(Decimal::from(100), 2, rate, disbursement, first_due)?;
    let quote = simulate(&terms, &SimulationOptions::new())?.first().clone();
    println!(
        "issue {} IOF {}",
        quote.schedule.issue_amount, quote.iof.total
    );
    println!(
        "disbursed {} CET {}/month",
        quote.disbursed_issue_amount, quote.cet.monthly
    );
    for i in &quote.schedule.installments {
        println!(
            "{} {} interest {}",
            i.period.due_date, i.total_amount, i.pre_fixed_amount
        );
    }
    assert_eq!(quote.schedule.issue_amount.to_string(), "194.80");
    Ok(())
}
