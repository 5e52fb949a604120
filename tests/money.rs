//! Money inputs (issue #24, items 4 and 5): amounts read exactly from JSON text, and money with more
//! than two decimals refused naming the field. Reproducers in `fixtures/reliability/`.

use std::path::PathBuf;

use qitech_sim::api::Service;
use qitech_sim::{Amount, Decimal};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn fixture(path: &str) -> String {
    let p = PathBuf::from(ROOT).join("fixtures").join(path);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()))
}

fn dec(s: &str) -> Decimal {
    s.parse().expect("a decimal")
}

/// `amount` 90071992547409.93 (above 2⁵³ cents) is read as given, not as the double …409.9375
/// (printed …409.94).
#[test]
fn amount_above_2pow53_cents_is_read_exactly() {
    let text = fixture("reliability/amount-above-2pow53-cents.json");
    let body = Service::new()
        .read_simulation(text.as_str())
        .expect("a valid body");
    assert_eq!(body.terms().amount, Amount::Issue(dec("90071992547409.93")));
    // Quoted, the same amount (the reader's other form) gives the same loan.
    let quoted = text.replace("90071992547409.93", "\"90071992547409.93\"");
    let quoted = Service::new()
        .read_simulation(quoted.as_str())
        .expect("a valid body");
    assert_eq!(quoted.terms(), body.terms());
}

/// A rate with more digits than a double keeps them.
#[test]
fn long_rates_are_read_exactly() {
    let text = fixture("reliability/amount-above-2pow53-cents.json").replace(
        "\"monthly_interest_rate\": 0.02",
        "\"monthly_interest_rate\": 0.01999999999999999999",
    );
    let body = Service::new()
        .read_simulation(text.as_str())
        .expect("a valid body");
    let exact = qitech_sim::rate::MonthlyRate::new(dec("0.01999999999999999999")).expect("a rate");
    assert_eq!(
        body.terms().rate.input(),
        qitech_sim::rate::RateInput::Monthly(exact)
    );
}
