//! Handle a bad input: every error names the field and the value, and has a matchable kind.
//!
//! `cargo run --example bad_input`
use qitech_sim::{ErrorKind, SimulationOptions, api};

fn main() {
    let request = r#"{"financial": {"installment_face_value": 100, "number_of_installments": 0,
        "monthly_interest_rate": 0.0205, "disbursement_date": "2023-03-14",
        "first_due_date": "2023-04-07"}}"#;
    match api::simulate_json(request, &SimulationOptions::new(), None) {
        Ok(response) => println!("issue {}", response.data.issue_amount.0),
        Err(e) if e.kind() == ErrorKind::OutOfRange => {
            println!("fix {:?} (got {:?}): {e}", e.field(), e.value());
        }
        Err(e) => println!("refused: {e}"),
    }
}
