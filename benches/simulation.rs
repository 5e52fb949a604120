//! Criterion benches of the hot paths. Each bench checks its result inside the loop, so a bench
//! that got faster by computing something else fails instead of reporting a number.
//!
//! Run: `cargo bench --bench simulation` (medians and how to rerun them in docs/performance.md).

use std::hint::black_box;

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use qitech_sim::api::{self, SimulationRequest};
use qitech_sim::cet;
use qitech_sim::portability::bridge_loan;
use qitech_sim::rate::{AnnualRate, InterestBase, InterestRate, MonthlyRate, RateInput};
use qitech_sim::schedule::{self, Grid};
use qitech_sim::{FirstDue, LoanTerms, SimulationOptions, simulate};
use rust_decimal::Decimal;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

fn dec(s: &str) -> Decimal {
    s.parse().expect("decimal")
}

fn airforce_terms(limit: u32) -> LoanTerms {
    let m = MonthlyRate::new(dec("0.0205")).expect("rate");
    LoanTerms::face_value(
        Decimal::from(100),
        96,
        InterestRate::new(RateInput::Monthly(m), InterestBase::CalendarDays).expect("rate"),
        date(2023, 3, 22),
        FirstDue::Date(date(2023, 6, 10)),
    )
    .expect("terms")
    .limit_days_to_disburse(limit)
}

fn benches(c: &mut Criterion) {
    let siape_text = include_str!("../fixtures/siape/simulation_request.json");
    let pricing = api::pricing_from_json(include_str!("../fixtures/siape/pricing.json"), "pricing")
        .expect("pricing");
    let siape_opts = SimulationOptions::new().pricing(pricing);
    let siape = SimulationRequest::from_json(siape_text, "siape").expect("request");
    let mut siape_one = siape.terms.clone();
    siape_one.limit_days_to_disburse = 0;

    c.bench_function("siape_simulation_2_installments", |b| {
        b.iter(|| {
            let s = simulate(black_box(&siape_one), &siape_opts).expect("sim");
            assert_eq!(s.first().schedule.issue_amount, dec("194.80"));
        })
    });

    c.bench_function("siape_json_to_json", |b| {
        b.iter(|| {
            let r = api::simulate_json(black_box(siape_text), &siape_opts, None).expect("sim");
            let out = serde_json::to_string(&r).expect("json");
            assert!(out.len() > 1000);
        })
    });

    let terms96 = airforce_terms(0);
    let periods = schedule::periods(date(2023, 3, 22), date(2023, 6, 10), 96).expect("periods");
    c.bench_function("face_value_schedule_96", |b| {
        b.iter(|| {
            let grid = Grid::new(&terms96.rate, black_box(periods.clone())).expect("grid");
            let s = schedule::face_value(&grid, Decimal::from(100)).expect("schedule");
            assert_eq!(s.issue_amount, dec("4002.97"));
        })
    });

    c.bench_function("simulation_96_with_cet", |b| {
        b.iter(|| {
            let s = simulate(black_box(&terms96), &SimulationOptions::new()).expect("sim");
            assert_eq!(s.first().schedule.issue_amount, dec("4002.97"));
        })
    });

    let terms96x4 = airforce_terms(3);
    c.bench_function("simulation_96_with_4_options", |b| {
        b.iter(|| {
            let s = simulate(black_box(&terms96x4), &SimulationOptions::new()).expect("sim");
            assert_eq!(s.options.len(), 4);
        })
    });

    // The batch path, split: parse, simulate, build QI's response, serialise it.
    let line96 = {
        let mut v: serde_json::Value =
            serde_json::from_str(include_str!("../fixtures/airforce/simulation_request.json"))
                .expect("fixture");
        v["refinanced_credit_operations"] = serde_json::json!([]);
        v.to_string()
    };
    c.bench_function("request_96_parse", |b| {
        b.iter(|| SimulationRequest::from_json(black_box(&line96), "line").expect("request"))
    });
    let req96 = SimulationRequest::from_json(&line96, "line").expect("request");
    let opts96 = SimulationOptions::new();
    let sim96 = simulate(&req96.terms, &opts96).expect("sim");
    c.bench_function("response_96_build", |b| {
        b.iter(|| api::SimulationResponse::new(black_box(&req96), &sim96, &opts96, None))
    });
    let resp96 = api::SimulationResponse::new(&req96, &sim96, &opts96, None);
    c.bench_function("response_96_serialise", |b| {
        b.iter(|| {
            let out = serde_json::to_string(black_box(&resp96)).expect("json");
            assert!(out.len() > 50_000);
        })
    });
    c.bench_function("response_96_to_json_bytes", |b| {
        b.iter(|| {
            let out = black_box(&resp96).to_json_bytes();
            assert!(out.len() > 50_000);
        })
    });
    c.bench_function("batch_line_96_end_to_end", |b| {
        b.iter(|| {
            let r = api::simulate_json(black_box(&line96), &SimulationOptions::new(), None)
                .expect("sim");
            let out = r.to_json_bytes();
            assert!(out.len() > 50_000);
        })
    });

    // Python bench job B: BRL 10,000 net, 12 installments, financed-IOF gross-up, CET.
    let gross_up_12 = LoanTerms::disbursed(
        Decimal::from(10_000),
        12,
        InterestRate::new(
            RateInput::Monthly(MonthlyRate::new(dec("0.0205")).expect("rate")),
            InterestBase::CalendarDays,
        )
        .expect("rate"),
        date(2023, 3, 14),
        FirstDue::Date(date(2023, 4, 7)),
    )
    .expect("terms");
    c.bench_function("disbursed_gross_up_12_with_cet", |b| {
        b.iter(|| {
            let s = simulate(black_box(&gross_up_12), &SimulationOptions::new()).expect("sim");
            assert_eq!(s.first().schedule.issue_amount, dec("10204.93"));
        })
    });

    let bridge_rate = AnnualRate::new(dec("0.20983")).expect("rate");
    c.bench_function("bridge_loan_gross_up", |b| {
        b.iter(|| {
            let bl = bridge_loan(
                black_box(dec("80492.95")),
                bridge_rate,
                date(2023, 3, 17),
                5,
                &SimulationOptions::new(),
            )
            .expect("bridge");
            assert_eq!(bl.issue_amount(), dec("80833.26"));
        })
    });

    let flows = simulate(&terms96, &SimulationOptions::new())
        .expect("sim")
        .first()
        .schedule
        .cet_flows();
    c.bench_function("cet_solver_96_flows", |b| {
        b.iter(|| {
            let c = cet::solve(black_box(dec("3866.51")), &flows).expect("cet");
            assert!(c.monthly > Decimal::ZERO);
        })
    });
}

criterion_group!(simulation, benches);
criterion_main!(simulation);
