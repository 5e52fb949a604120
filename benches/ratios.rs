//! Issue 22's yardstick: each workload's thread-CPU time as a ratio to an `f64` walk of the same
//! 96-installment schedule, timed in the same process (interleaved, so the machine's load falls on
//! both sides of each ratio). Ratios travel between machines better than microseconds.
//!
//! * `cargo bench --bench ratios` prints the table (median of 9 interleaved rounds);
//! * `cargo bench --bench ratios -- --only NAME --iters N` runs one workload N times and nothing
//!   else, for `valgrind --tool=callgrind` (`benches/ratios.sh` subtracts a 1-iteration run from an
//!   (N+1)-iteration run to get the instructions of one call, which do not depend on the load).
//!
//! Thread CPU time comes from `/proc/thread-self/schedstat` (nanoseconds on the CPU, Linux).

use std::hint::black_box;
use std::time::Instant;

use qitech_sim::api;
use qitech_sim::portability::bridge_loan;
use qitech_sim::rate::AnnualRate;
use qitech_sim::schedule;
use qitech_sim::{SimulationOptions, simulate};

mod workloads;
use workloads::{airforce_terms, date, dec, gross_up_12};

/// Nanoseconds this thread has run on a CPU.
fn thread_cpu_ns() -> u64 {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").expect("schedstat (Linux)");
    s.split_whitespace()
        .next()
        .and_then(|t| t.parse().ok())
        .expect("schedstat's first field")
}

/// The day counts the f64 walk needs, computed once (the walk stands for the arithmetic only).
struct F64Loan {
    /// Calendar days of each period.
    days: Vec<f64>,
    /// Days from the disbursement to each due date (the IOF count, capped at 365).
    iof_days: Vec<f64>,
    face: f64,
    monthly: f64,
}

/// The same 96-installment face-value schedule in `f64`: growth factors `(1+m)^(days/30)` (one
/// power per day count), running discounts, the present value, then the balance walk with each
/// installment's interest, principal and IOF (daily 0.0082 % plus 0.38 %), every amount rounded to
/// cents. Returns the issue amount plus the IOF total, so the optimiser cannot drop any of it.
fn f64_walk(l: &F64Loan) -> f64 {
    let cents = |x: f64| (x * 100.0).round() / 100.0;
    let daily = (1.0 + l.monthly).powf(1.0 / 30.0);
    let mut growth = [0.0f64; 128];
    let mut disc = 1.0;
    let mut sum = 0.0;
    // One power per distinct day count, as the crate memoises them (a monthly schedule has at most
    // five).
    let mut memo = [(f64::NAN, 0.0f64); 8];
    for (k, &d) in l.days.iter().enumerate() {
        let slot = memo
            .iter()
            .position(|m| m.0 == d || m.0.is_nan())
            .unwrap_or(7);
        if memo[slot].0 != d {
            memo[slot] = (d, daily.powf(d));
        }
        let g = memo[slot].1;
        growth[k] = g;
        disc /= g;
        sum += disc;
    }
    let pv = l.face * sum;
    let issue = cents(pv);
    let mut bal = pv;
    let mut iof = 0.0;
    for (k, g) in growth[..l.days.len()].iter().enumerate() {
        let interest = (bal * (g - 1.0) * 1e10).round() / 1e10;
        let principal = if k + 1 == l.days.len() {
            bal
        } else {
            l.face - interest
        };
        bal -= principal;
        iof += cents(principal * (0.000082 * l.iof_days[k].min(365.0) + 0.0038));
    }
    issue + iof
}

type Job = Box<dyn FnMut()>;

fn jobs() -> Vec<(&'static str, Job)> {
    let terms96 = airforce_terms(0);
    let terms96x4 = airforce_terms(3);
    let job_b = gross_up_12();
    let bridge_rate = AnnualRate::new(dec("0.20983")).expect("rate");
    let line96 = {
        let mut v: serde_json::Value =
            serde_json::from_str(include_str!("../fixtures/airforce/simulation_request.json"))
                .expect("fixture");
        v["refinanced_credit_operations"] = serde_json::json!([]);
        v.to_string()
    };
    let line96s = line96.clone();
    let service = api::Service::new();
    let periods = schedule::periods(date(2023, 3, 22), date(2023, 6, 10), 96).expect("periods");
    let loan = F64Loan {
        days: periods.iter().map(|p| f64::from(p.calendar_days)).collect(),
        iof_days: periods
            .iter()
            .map(|p| f64::from(p.days_from_disbursement))
            .collect(),
        face: 100.0,
        monthly: 0.0205,
    };
    vec![
        (
            "f64_walk_96",
            Box::new(move || {
                let x = f64_walk(black_box(&loan));
                assert!(x > 4000.0);
            }),
        ),
        (
            "simulation_96_with_cet",
            Box::new(move || {
                let s = simulate(black_box(&terms96), &SimulationOptions::new()).expect("sim");
                assert_eq!(s.first().schedule.issue_amount, dec("4002.97"));
            }),
        ),
        (
            "simulation_96_with_4_options",
            Box::new(move || {
                let s = simulate(black_box(&terms96x4), &SimulationOptions::new()).expect("sim");
                assert_eq!(s.options.len(), 4);
            }),
        ),
        (
            "disbursed_gross_up_12_with_cet",
            Box::new(move || {
                let s = simulate(black_box(&job_b), &SimulationOptions::new()).expect("sim");
                assert_eq!(s.first().schedule.issue_amount, dec("10204.93"));
            }),
        ),
        (
            "bridge_loan_gross_up",
            Box::new(move || {
                let bl = bridge_loan(
                    black_box(dec("80492.95")),
                    bridge_rate,
                    date(2023, 3, 17),
                    5,
                    &SimulationOptions::new(),
                )
                .expect("bridge");
                assert_eq!(bl.issue_amount(), dec("80833.26"));
            }),
        ),
        (
            "batch_line_96_end_to_end",
            Box::new(move || {
                let r = api::simulate_json(black_box(&line96), &SimulationOptions::new(), None)
                    .expect("sim");
                assert!(r.to_json_bytes().len() > 50_000);
            }),
        ),
        (
            "summary_line_96_end_to_end",
            Box::new(move || {
                let r = service.summary_json(black_box(&line96s)).expect("summary");
                assert!(r.len() > 200);
            }),
        ),
    ]
}

/// Thread-CPU nanoseconds per call over `iters` calls.
fn per_call(job: &mut Job, iters: u32) -> f64 {
    let t0 = thread_cpu_ns();
    for _ in 0..iters {
        job();
    }
    (thread_cpu_ns() - t0) as f64 / f64::from(iters)
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let mut jobs = jobs();
    if let Some(only) = arg("--only") {
        let iters: u32 = arg("--iters").map_or(1, |n| n.parse().expect("--iters N"));
        let (_, job) = jobs
            .iter_mut()
            .find(|(n, _)| *n == only)
            .unwrap_or_else(|| panic!("no workload {only}"));
        for _ in 0..iters {
            job();
        }
        return;
    }
    // Iterations per round: about 20 ms of CPU each.
    let counts: Vec<u32> = jobs
        .iter_mut()
        .map(|(_, job)| {
            let start = Instant::now();
            let mut n = 0u32;
            while start.elapsed().as_millis() < 20 {
                job();
                n += 1;
            }
            n.max(1)
        })
        .collect();
    let rounds = 9;
    let mut samples = vec![Vec::new(); jobs.len()];
    let mut ratios = vec![Vec::new(); jobs.len()];
    for _ in 0..rounds {
        let walk = {
            let (_, j) = &mut jobs[0];
            per_call(j, counts[0])
        };
        for (i, (_, job)) in jobs.iter_mut().enumerate() {
            let t = if i == 0 {
                walk
            } else {
                per_call(job, counts[i])
            };
            samples[i].push(t);
            ratios[i].push(t / walk);
        }
    }
    println!(
        "{:<32} {:>12} {:>10}",
        "workload", "thread CPU", "÷ f64 walk"
    );
    for (i, (name, _)) in jobs.iter().enumerate() {
        println!(
            "{name:<32} {:>9.2} µs {:>9.1}×",
            median(&mut samples[i]) / 1000.0,
            median(&mut ratios[i])
        );
    }
}
