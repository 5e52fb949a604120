//! `--format table` and `--format csv`: the quote as a broker shows it, from the response the
//! pipelines return (no arithmetic here: every number is the response's own, formatted).
//!
//! Money prints in BRL with two decimals and pt-BR separators (`1.234,56`), rates as percentages with
//! four decimals (`2,0500%`), dates as `YYYY-MM-DD`. CSV prints the amortization table(s) with a dot
//! decimal separator and a header row, one table after another separated by a blank line.

use qitech_sim::Decimal;
use qitech_sim::api::{
    DebtData, InstallmentsRangeResponse, Num, PortabilityResponse, SimulationData,
    SimulationResponse, percent_pt_br,
};

/// A rendered view: summaries (label, value) and tables.
pub(crate) struct View {
    sections: Vec<Section>,
}

enum Section {
    Summary(String, Vec<(String, String)>),
    Table(String, Vec<&'static str>, Vec<Vec<Cell>>),
}

/// A table cell: text, or a number kept for both formats.
enum Cell {
    Text(String),
    Money(Decimal),
    Count(u32),
}

impl Cell {
    fn table(&self) -> String {
        match self {
            Cell::Text(t) => t.clone(),
            Cell::Money(d) => brl(*d),
            Cell::Count(n) => n.to_string(),
        }
    }

    fn csv(&self) -> String {
        match self {
            Cell::Text(t) if t.contains([',', '"', '\n']) => {
                format!("\"{}\"", t.replace('"', "\"\""))
            }
            Cell::Text(t) => t.clone(),
            Cell::Money(d) => format!("{:.2}", round_cents(*d)),
            Cell::Count(n) => n.to_string(),
        }
    }

    fn numeric(&self) -> bool {
        !matches!(self, Cell::Text(_))
    }
}

/// `d` rounded half-even to cents (the crate's money rounding).
fn round_cents(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointNearestEven)
}

/// `d` rounded half-even to cents with pt-BR separators: `80833.26` → `80.833,26`.
fn brl(d: Decimal) -> String {
    let s = format!("{:.2}", round_cents(d));
    let (sign, digits) = match s.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", s.as_str()),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, "00"));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push('.');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped},{frac}")
}

fn money(n: &Num) -> String {
    format!("R$ {}", brl(n.0))
}

fn percent(n: &Num) -> String {
    percent_pt_br(n.0)
}

impl View {
    /// Aligned text: summaries as `label  value`, tables with right-aligned numbers.
    pub(crate) fn table(&self) -> String {
        let mut out = String::new();
        for s in &self.sections {
            if !out.is_empty() {
                out.push('\n');
            }
            match s {
                Section::Summary(title, rows) => {
                    out.push_str(&format!("{title}\n"));
                    let w = rows.iter().map(|r| r.0.chars().count()).max().unwrap_or(0);
                    for (k, v) in rows {
                        out.push_str(&format!("  {k:<w$}  {v}\n"));
                    }
                }
                Section::Table(title, header, rows) => {
                    out.push_str(&format!("{title}\n"));
                    let text: Vec<Vec<String>> = rows
                        .iter()
                        .map(|r| r.iter().map(Cell::table).collect())
                        .collect();
                    let widths: Vec<usize> = (0..header.len())
                        .map(|c| {
                            text.iter()
                                .map(|r| r[c].chars().count())
                                .chain([header[c].chars().count()])
                                .max()
                                .unwrap_or(0)
                        })
                        .collect();
                    let line = |cells: Vec<(String, bool)>| {
                        let parts: Vec<String> = cells
                            .iter()
                            .zip(&widths)
                            .map(|((t, right), w)| {
                                if *right {
                                    format!("{t:>w$}")
                                } else {
                                    format!("{t:<w$}")
                                }
                            })
                            .collect();
                        format!("  {}\n", parts.join("  ").trim_end())
                    };
                    let numeric: Vec<bool> = (0..header.len())
                        .map(|c| rows.first().is_some_and(|r| r[c].numeric()))
                        .collect();
                    out.push_str(&line(
                        header
                            .iter()
                            .zip(&numeric)
                            .map(|(h, n)| (h.to_string(), *n))
                            .collect(),
                    ));
                    for (r, t) in rows.iter().zip(text) {
                        out.push_str(&line(
                            t.into_iter().zip(r.iter().map(Cell::numeric)).collect(),
                        ));
                    }
                }
            }
        }
        out.trim_end().to_string()
    }

    /// The tables as CSV.
    pub(crate) fn csv(&self) -> String {
        let mut out = String::new();
        for s in &self.sections {
            if let Section::Table(_, header, rows) = s {
                if !out.is_empty() {
                    out.push('\n');
                }
                out.push_str(&header.join(","));
                out.push('\n');
                for r in rows {
                    let cells: Vec<String> = r.iter().map(Cell::csv).collect();
                    out.push_str(&cells.join(","));
                    out.push('\n');
                }
            }
        }
        out.trim_end().to_string()
    }
}

const SCHEDULE_HEADER: [&str; 9] = [
    "n",
    "due_date",
    "business_due_date",
    "days",
    "interest",
    "principal",
    "iof",
    "total",
    "balance",
];

#[allow(clippy::too_many_arguments)]
fn schedule_row(
    n: u32,
    due: &qitech_sim::NaiveDate,
    business: &qitech_sim::NaiveDate,
    days: u32,
    interest: &Num,
    principal: &Num,
    iof: &Num,
    total: &Num,
    balance: &Num,
) -> Vec<Cell> {
    vec![
        Cell::Count(n),
        Cell::Text(due.to_string()),
        Cell::Text(business.to_string()),
        Cell::Count(days),
        Cell::Money(interest.0),
        Cell::Money(principal.0),
        Cell::Money(iof.0),
        Cell::Money(total.0),
        Cell::Money(balance.0),
    ]
}

fn simulation_sections(d: &SimulationData, title: &str) -> Vec<Section> {
    let mut summary = vec![
        ("disbursement date".into(), d.disbursement_date.to_string()),
        ("installments".into(), d.number_of_installments.to_string()),
        ("issue amount".into(), money(&d.issue_amount)),
        ("IOF".into(), money(&d.iof_amount)),
        ("contract fees".into(), money(&d.contract_fee_amount)),
        ("disbursed".into(), money(&d.disbursed_issue_amount)),
        ("change".into(), money(&d.final_disbursement_amount)),
        ("CET monthly".into(), percent(&d.cet)),
        ("CET annual".into(), percent(&d.annual_cet)),
        (
            "monthly rate".into(),
            percent(&d.prefixed_interest_rate.monthly_rate),
        ),
    ];
    if let Some(s) = &d.shortfall_amount {
        summary.push(("shortfall".into(), money(s)));
    }
    let mut sections = vec![Section::Summary(title.to_string(), summary)];
    if d.disbursement_options.len() > 1 {
        sections.push(Section::Table(
            "disbursement options".into(),
            vec![
                "date",
                "issue",
                "iof",
                "fees",
                "disbursed",
                "change",
                "cet",
                "annual_cet",
            ],
            d.disbursement_options
                .iter()
                .map(|o| {
                    vec![
                        Cell::Text(o.disbursement_date.to_string()),
                        Cell::Money(o.issue_amount.0),
                        Cell::Money(o.iof_amount.0),
                        Cell::Money(o.contract_fee_amount.0),
                        Cell::Money(o.disbursed_issue_amount.0),
                        Cell::Money(o.final_disbursement_amount.0),
                        Cell::Text(percent(&o.cet)),
                        Cell::Text(percent(&o.annual_cet)),
                    ]
                })
                .collect(),
        ));
    }
    sections.push(Section::Table(
        format!("amortization ({})", d.disbursement_date),
        SCHEDULE_HEADER.to_vec(),
        d.installments
            .iter()
            .map(|i| {
                schedule_row(
                    i.installment_number,
                    &i.due_date,
                    &i.business_due_date,
                    i.calendar_days,
                    &i.pre_fixed_amount,
                    &i.principal_amortization_amount,
                    &i.tax_amount,
                    &i.total_amount,
                    &i.due_principal,
                )
            })
            .collect(),
    ));
    sections
}

/// The simulation view.
pub(crate) fn simulation(r: &SimulationResponse) -> View {
    View {
        sections: simulation_sections(&r.data, "simulation"),
    }
}

/// The issuance view.
pub(crate) fn debt(d: &DebtData) -> View {
    let summary = vec![
        ("installments".into(), d.number_of_installments.to_string()),
        ("issue amount".into(), money(&d.issue_amount)),
        ("IOF".into(), money(&d.total_iof)),
        ("contract fees".into(), money(&d.contract_fee_amount)),
        ("disbursed".into(), money(&d.disbursed_issue_amount)),
        ("change".into(), money(&d.final_disbursement_amount)),
        ("CET monthly".into(), d.cet.clone()),
        ("CET annual".into(), d.annual_cet.clone()),
    ];
    View {
        sections: vec![
            Section::Summary("issuance".into(), summary),
            Section::Table(
                "amortization".into(),
                SCHEDULE_HEADER.to_vec(),
                d.installments
                    .iter()
                    .map(|i| {
                        schedule_row(
                            i.installment_number,
                            &i.due_date,
                            &i.business_due_date,
                            i.calendar_days,
                            &i.pre_fixed_amount,
                            &i.principal_amortization_amount,
                            &i.tax_amount,
                            &i.total_amount,
                            &i.due_principal,
                        )
                    })
                    .collect(),
            ),
        ],
    }
}

/// The portability view: the bridge, the change per option, the payroll loan.
pub(crate) fn portability(p: &PortabilityResponse) -> View {
    let b = &p.bridge_loan;
    let mut sections = vec![Section::Summary(
        "bridge loan".into(),
        vec![
            ("issue amount".into(), money(&b.issue_amount)),
            ("IOF".into(), money(&b.total_iof)),
            ("disbursed".into(), money(&b.disbursed_issue_amount)),
            (
                "due balance".into(),
                b.installments
                    .first()
                    .map(|i| money(&i.total_amount))
                    .unwrap_or_default(),
            ),
        ],
    )];
    sections.push(Section::Table(
        "change per disbursement option".into(),
        vec!["date", "issue", "disbursed", "refinanced", "change"],
        p.change
            .iter()
            .map(|c| {
                vec![
                    Cell::Text(c.disbursement_date.to_string()),
                    Cell::Money(c.issue_amount.0),
                    Cell::Money(c.disbursed_issue_amount.0),
                    Cell::Money(c.refinanced_balance.0),
                    Cell::Money(c.final_disbursement_amount.0),
                ]
            })
            .collect(),
    ));
    sections.extend(simulation_sections(&p.payroll_loan, "payroll loan"));
    View { sections }
}

/// The change per number of installments.
pub(crate) fn installments_range(r: &InstallmentsRangeResponse) -> View {
    let mut summary = vec![("installment".into(), money(&r.installment_face_value))];
    if let Some(b) = &r.best {
        summary.push((
            "best".into(),
            format!(
                "{} installments, change {}",
                b.number_of_installments,
                money(&b.final_disbursement_amount)
            ),
        ));
    }
    View {
        sections: vec![
            Section::Summary("change by number of installments".into(), summary),
            Section::Table(
                "changes".into(),
                vec!["installments", "change"],
                r.changes
                    .iter()
                    .map(|c| {
                        vec![
                            Cell::Count(c.number_of_installments),
                            Cell::Money(c.final_disbursement_amount.0),
                        ]
                    })
                    .collect(),
            ),
        ],
    }
}
