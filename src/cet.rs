//! CET (custo efetivo total): the effective annual cost of the loan to the borrower.
//!
//! Res. CMN 3.517/2007 (now 4.881/2020): the annual rate `i` that solves
//! `disbursed = Σ_j total_j / (1+i)^((d_j − d₀)/365)`, where the borrower receives `disbursed`
//! (`disbursed_issue_amount`) on the disbursement date `d₀` and pays each installment's `total_amount`
//! on its contractual `due_date` `d_j` (not the business due date: that gives 0.0329, not QI's 0.0346).
//!
//! QI then reports (qi-arithmetic.md §5, domain.md decision 2):
//! * `cet = round4((1+i)^(1/12) − 1)` (half-even): the monthly figure, quantized **first**;
//! * `annual_cet = (1 + cet)^12 − 1`, computed exactly in decimal from the quantized monthly figure
//!   (0.0346 → 0.5040756794535896; 0.0402 → 60.4731 %).
//!
//! The root is found in `f64`: only 4 decimals of the result survive, far above the solver's error
//! (≈ 1e-15 relative), so the float is safe here, unlike in the schedule. The solver works on
//! `x = ln(1+i)`, where the net present value is strictly decreasing, brackets the root and then
//! runs safeguarded Newton steps: it never returns NaN and never stops without a bracketed answer.

use rust_decimal::Decimal;

use crate::error::{Error, Result};
use crate::num::{self, round_dp, to_f64};

/// A cash flow the borrower pays: calendar days after the disbursement, and the amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flow {
    /// Calendar days from the disbursement date to the flow's date.
    pub days: u32,
    /// The amount paid (installment `total_amount`).
    pub amount: Decimal,
}

/// The CET as QI reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cet {
    /// `cet`: monthly, 4 decimals, as a fraction.
    pub monthly: Decimal,
    /// `annual_cet`: `(1 + monthly)^12 − 1`, exact decimal.
    pub annual: Decimal,
}

impl Cet {
    /// The monthly CET as QI's issuance response prints it: percent, 4 decimals, pt-BR comma
    /// (`"4,0200%"`).
    pub fn monthly_pt_br(&self) -> String {
        percent_pt_br(self.monthly)
    }

    /// The annual CET as a pt-BR percentage with 4 decimals (`"60,4731%"`).
    pub fn annual_pt_br(&self) -> String {
        percent_pt_br(self.annual)
    }
}

/// A fraction as a pt-BR percentage string with 4 decimals: 0.0402 → `"4,0200%"` (half-even).
pub fn percent_pt_br(fraction: Decimal) -> String {
    let pct = round_dp(fraction * Decimal::ONE_HUNDRED, 4);
    format!("{pct:.4}%").replace('.', ",")
}

/// The annual internal rate of return `i` of the flows, in `f64` (see the module docs).
///
/// # Errors
/// [`Error::CetNoRoot`] when `disbursed ≤ 0`, when no flow is positive, or when the rate is beyond
/// what a float can express.
pub fn annual_irr(disbursed: Decimal, flows: &[Flow]) -> Result<f64> {
    let p = to_f64(disbursed);
    if !(p > 0.0) {
        return Err(Error::CetNoRoot {
            reason: format!("the borrower receives {disbursed}, not a positive amount"),
        });
    }
    let fl: Vec<(f64, f64)> = flows
        .iter()
        .map(|f| (f64::from(f.days) / 365.0, to_f64(f.amount)))
        .collect();
    if !fl.iter().any(|&(t, a)| t > 0.0 && a > 0.0) || fl.iter().any(|&(_, a)| a < 0.0) {
        return Err(Error::CetNoRoot {
            reason: "the borrower pays no positive installment after the disbursement".into(),
        });
    }
    // NPV in x = ln(1+i), and its derivative; strictly decreasing in x.
    let npv = |x: f64| -> (f64, f64) {
        let mut v = -p;
        let mut dv = 0.0;
        for &(t, a) in &fl {
            let term = a * (-x * t).exp();
            v += term;
            dv -= t * term;
        }
        (v, dv)
    };
    let (mut lo, mut hi) = (-1.0_f64, 1.0_f64);
    let mut steps = 0;
    while npv(lo).0 <= 0.0 {
        lo *= 2.0;
        steps += 1;
        if steps > 60 {
            return Err(Error::CetNoRoot {
                reason: "rate below any bracket".into(),
            });
        }
    }
    steps = 0;
    while npv(hi).0 >= 0.0 {
        hi *= 2.0;
        steps += 1;
        if steps > 60 {
            return Err(Error::CetNoRoot {
                reason: "rate above any bracket".into(),
            });
        }
    }
    let mut x = 0.5 * (lo + hi);
    for _ in 0..200 {
        let (v, dv) = npv(x);
        if v == 0.0 {
            break;
        }
        if v > 0.0 {
            lo = x;
        } else {
            hi = x;
        }
        let newton = x - v / dv;
        x = if dv < 0.0 && newton > lo && newton < hi {
            newton
        } else {
            0.5 * (lo + hi)
        };
        if hi - lo <= 1e-15 * (1.0 + x.abs()) || (v / dv).abs() <= 1e-16 * (1.0 + x.abs()) {
            break;
        }
    }
    let i = x.exp_m1();
    if !i.is_finite() {
        return Err(Error::CetNoRoot {
            reason: format!("rate e^{x} − 1 is not finite"),
        });
    }
    Ok(i)
}

/// The CET of a loan: the borrower receives `disbursed` on day 0 and pays `flows`.
///
/// # Errors
/// As [`annual_irr`].
///
/// # Example
/// ```
/// use qitech_sim::cet::{self, Flow};
/// use rust_decimal::Decimal;
/// let flows = [Flow { days: 24, amount: Decimal::from(100) }, Flow { days: 54, amount: Decimal::from(100) }];
/// let c = cet::solve("191.49".parse()?, &flows)?;
/// assert_eq!(c.monthly.to_string(), "0.0346");
/// assert_eq!(qitech_sim::num::to_f64(c.annual), 0.5040756794535896);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn solve(disbursed: Decimal, flows: &[Flow]) -> Result<Cet> {
    let i = annual_irr(disbursed, flows)?;
    let monthly_f = (i.ln_1p() / 12.0).exp_m1();
    let monthly = round_dp(num::from_f64_shortest(monthly_f, "cet")?, 4);
    let annual = num::powu(Decimal::ONE + monthly, 12, "cet")? - Decimal::ONE;
    Ok(Cet { monthly, annual })
}
