//! The change (troco) of a portability for three possible disbursement dates.
//!
//! `cargo run --example portability_change`
use qitech_sim::portability::{PayrollTerms, PortabilityTerms, portability};
use qitech_sim::{prelude::*, rate::AnnualRate};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).ok_or("date");
    let rate = InterestRate::monthly("0.0205".parse()?, InterestBase::CalendarDays)?;
    let payroll = PayrollTerms::new(Decimal::from(2500), 96, rate, d(2023, 6, 10)?)?
        .limit_days_to_disburse(2);
    let bridge_rate = AnnualRate::new("0.20983".parse()?)?;
    let terms = PortabilityTerms::new("80492.95".parse()?, bridge_rate, d(2023, 3, 17)?, payroll)?;
    let p = portability(&terms, &SimulationOptions::new())?;
    for q in &p.payroll.options {
        println!("{}: {:?}", q.disbursement_date, q.change);
    }
    assert_eq!(p.payroll.options.len(), 3);
    Ok(())
}
