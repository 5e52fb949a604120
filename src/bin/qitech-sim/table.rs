//! `--format table` and `--format csv`: the quote as a broker shows it, from the response the
//! pipelines return (no arithmetic here: every number is the response's own, formatted).
//!
//! The table is pt-BR by default (`--lang pt`): dates `dd/mm/aaaa`, money `R$ 1.234,56`, rates
//! `3,46 % a.m.`, Portuguese labels; `--lang en` keeps the English labels, ISO dates and
//! `3,4600%` rates. Money is rounded half-even to cents in both.
//!
//! CSV is one RFC 4180 table per invocation (`--table installments`, the default, or `--table
//! options`): a header row of snake_case names, records ended by CRLF, a field quoted when it holds
//! a comma, a quote or a line break. Numbers are plain with a dot decimal separator: money in cents
//! (half-even), rates and the CET as the fractions the JSON prints (`0.0346`), dates ISO.

use clap::ValueEnum;
use qitech_sim::api::{
    self, DebtData, InstallmentsRangeResponse, Num, PortabilityRequest, PortabilityResponse,
    SimulationData, SimulationResponse, TargetChangeResponse, percent_pt_br,
};
use qitech_sim::{Decimal, NaiveDate, SimulationOptions};
use rust_decimal::RoundingStrategy;

use crate::Failure;

/// The language of `--format table`.
#[derive(Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub(crate) enum Lang {
    /// Brazilian Portuguese: `dd/mm/aaaa`, `3,46 % a.m.`, Portuguese labels.
    #[default]
    Pt,
    /// English labels, ISO dates, `3,4600%` rates.
    En,
}

/// The table `--format csv` prints.
#[derive(Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub(crate) enum CsvTable {
    /// The amortization table (for `--installments-range`, the change per number of installments).
    #[default]
    Installments,
    /// One row per disbursement option.
    Options,
}

/// A label in both languages.
type Label = (&'static str, &'static str);

fn say(label: Label, lang: Lang) -> &'static str {
    match lang {
        Lang::Pt => label.0,
        Lang::En => label.1,
    }
}

/// What a rate is per: the pt-BR suffix (`a.m.`, `a.a.`).
#[derive(Clone, Copy)]
enum Per {
    Month,
    Year,
}

/// A value of a summary row or a table cell, formatted per language (and for CSV).
enum Value {
    Text(String),
    Count(u32),
    Date(NaiveDate),
    /// BRL: `R$ 1.234,56` in a summary, `1.234,56` in a table, `1234.56` in CSV.
    Money(Decimal),
    /// A fraction printed as a percentage: `3,46 % a.m.` (pt), `3,4600%` (en), `0.0346` (CSV).
    Rate(Num, Per),
    /// A percentage QI prints as text (`"4,0200%"`, the issuance's CET).
    PercentText(String, Per),
    /// Text per language.
    Said(String, String),
}

impl Value {
    fn text(&self, lang: Lang, in_table: bool) -> String {
        match self {
            Value::Text(t) => t.clone(),
            Value::Count(n) => n.to_string(),
            Value::Date(d) => date(*d, lang),
            Value::Money(d) if in_table => brl(*d),
            Value::Money(d) => format!("R$ {}", brl(*d)),
            Value::Rate(n, per) => percent_text(&percent_pt_br(n.0), *per, lang),
            Value::PercentText(t, per) => percent_text(t, *per, lang),
            Value::Said(pt, en) => match lang {
                Lang::Pt => pt.clone(),
                Lang::En => en.clone(),
            },
        }
    }

    fn csv(&self) -> String {
        let plain = match self {
            Value::Text(t) | Value::PercentText(t, _) | Value::Said(_, t) => t.clone(),
            Value::Count(n) => n.to_string(),
            Value::Date(d) => d.to_string(),
            Value::Money(d) => format!("{:.2}", cents(*d)),
            Value::Rate(n, _) => serde_json::to_string(n).unwrap_or_default(),
        };
        if plain.contains([',', '"', '\r', '\n']) {
            format!("\"{}\"", plain.replace('"', "\"\""))
        } else {
            plain
        }
    }

    fn numeric(&self) -> bool {
        matches!(
            self,
            Value::Count(_) | Value::Money(_) | Value::Rate(..) | Value::PercentText(..)
        )
    }
}

fn date(d: NaiveDate, lang: Lang) -> String {
    match lang {
        Lang::Pt => d.format("%d/%m/%Y").to_string(),
        Lang::En => d.to_string(),
    }
}

/// `d` rounded half-even to cents (the convention of every amount QI prints).
fn cents(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, RoundingStrategy::MidpointNearestEven)
}

/// `d` in cents with pt-BR separators: `80833.26` → `80.833,26`.
fn brl(d: Decimal) -> String {
    let s = format!("{:.2}", cents(d));
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

/// A `"3,4600%"` percentage as the language writes it: unchanged in English, `3,46 % a.m.` in
/// pt-BR (trailing zeros past two decimals dropped, the period named).
fn percent_text(p: &str, per: Per, lang: Lang) -> String {
    if lang == Lang::En {
        return p.to_string();
    }
    let number = p.trim_end_matches('%');
    let number = match number.split_once(',') {
        Some((int, frac)) => {
            let kept = frac.trim_end_matches('0');
            let kept = if kept.len() < 2 {
                &frac[..2.min(frac.len())]
            } else {
                kept
            };
            format!("{int},{kept}")
        }
        None => number.to_string(),
    };
    let per = match per {
        Per::Month => "a.m.",
        Per::Year => "a.a.",
    };
    format!("{number} % {per}")
}

/// A table column: the header in pt-BR, in English and in CSV, and whether the table view prints
/// it (CSV always does: its columns do not depend on the loan).
struct Column {
    pt: &'static str,
    en: &'static str,
    csv: &'static str,
    in_view: bool,
}

const fn col(pt: &'static str, en: &'static str, csv: &'static str) -> Column {
    Column {
        pt,
        en,
        csv,
        in_view: true,
    }
}

/// A rendered view: summaries (label, value) and tables.
pub(crate) struct View {
    sections: Vec<Section>,
}

enum Section {
    Summary {
        title: (String, String),
        rows: Vec<(Label, Value)>,
    },
    Table {
        title: (String, String),
        /// The `--table` this is in CSV (`None`: the table view only).
        csv: Option<CsvTable>,
        /// Whether the table view prints it (CSV may carry a table the view leaves out).
        shown: bool,
        columns: Vec<Column>,
        rows: Vec<Vec<Value>>,
    },
}

fn title(label: Label) -> (String, String) {
    (label.0.to_string(), label.1.to_string())
}

impl View {
    /// Aligned text: summaries as `label  value`, tables with right-aligned numbers.
    pub(crate) fn table(&self, lang: Lang) -> String {
        let mut out = String::new();
        for s in &self.sections {
            if !out.is_empty() && !matches!(s, Section::Table { shown: false, .. }) {
                out.push('\n');
            }
            match s {
                Section::Summary { title, rows } => {
                    out.push_str(&format!("{}\n", pick(title, lang)));
                    let w = rows
                        .iter()
                        .map(|r| say(r.0, lang).chars().count())
                        .max()
                        .unwrap_or(0);
                    for (k, v) in rows {
                        out.push_str(&format!(
                            "  {:<w$}  {}\n",
                            say(*k, lang),
                            v.text(lang, false)
                        ));
                    }
                }
                Section::Table { shown: false, .. } => {}
                Section::Table {
                    title,
                    columns,
                    rows,
                    ..
                } => {
                    out.push_str(&format!("{}\n", pick(title, lang)));
                    aligned(&mut out, columns, rows, lang);
                }
            }
        }
        out.trim_end().to_string()
    }

    /// The one table `which` as RFC 4180 CSV (CRLF between records; the caller's newline ends the
    /// last one, after its CR).
    pub(crate) fn csv(&self, which: CsvTable) -> Result<String, Failure> {
        let found = self.sections.iter().find_map(|s| match s {
            Section::Table {
                csv: Some(t),
                columns,
                rows,
                ..
            } if *t == which => Some((columns, rows)),
            _ => None,
        });
        let Some((columns, rows)) = found else {
            let (name, other) = match which {
                CsvTable::Installments => ("installments", "options"),
                CsvTable::Options => ("options", "installments"),
            };
            return Err(Failure(format!(
                "--table: this command has no {name} table; use --table {other}"
            )));
        };
        let mut out = columns.iter().map(|c| c.csv).collect::<Vec<_>>().join(",");
        for r in rows {
            out.push_str("\r\n");
            out.push_str(&r.iter().map(Value::csv).collect::<Vec<_>>().join(","));
        }
        out.push('\r');
        Ok(out)
    }
}

fn pick(t: &(String, String), lang: Lang) -> &str {
    match lang {
        Lang::Pt => &t.0,
        Lang::En => &t.1,
    }
}

/// A table's header and rows, aligned: numbers to the right, text to the left.
fn aligned(out: &mut String, columns: &[Column], rows: &[Vec<Value>], lang: Lang) {
    let header: Vec<&str> = columns
        .iter()
        .filter(|c| c.in_view)
        .map(|c| if lang == Lang::Pt { c.pt } else { c.en })
        .collect();
    let rows: Vec<Vec<&Value>> = rows
        .iter()
        .map(|r| {
            r.iter()
                .zip(columns)
                .filter(|(_, c)| c.in_view)
                .map(|(v, _)| v)
                .collect()
        })
        .collect();
    let text: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.iter().map(|v| v.text(lang, true)).collect())
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
            t.into_iter().zip(r.iter().map(|v| v.numeric())).collect(),
        ));
    }
}

const ISSUE: Label = ("valor de emissão", "issue amount");
const IOF: Label = ("IOF", "IOF");
const FEES: Label = ("tarifas", "contract fees");
const DISBURSED: Label = ("valor liberado", "disbursed");
const CHANGE: Label = ("troco", "change");
const SHORTFALL: Label = ("falta para quitar", "shortfall");
const INSTALLMENTS: Label = ("parcelas", "installments");
const CET_MONTHLY: Label = ("CET mensal", "CET monthly");
const CET_ANNUAL: Label = ("CET anual", "CET annual");

/// The amortization table's columns. `due_principal` is the balance **before** the installment's
/// principal is paid (installment 1's is the issue amount), and the column says so.
fn schedule_columns() -> Vec<Column> {
    vec![
        col("parcela", "n", "n"),
        col("vencimento", "due_date", "due_date"),
        col("vencimento útil", "business_due_date", "business_due_date"),
        col("dias", "days", "days"),
        col("juros", "interest", "interest"),
        col("amortização", "principal", "principal"),
        col("IOF", "iof", "iof"),
        col("total", "total", "total"),
        col("saldo devedor antes", "balance before", "balance_before"),
    ]
}

/// One amortization row from the fields both installment shapes carry.
#[allow(clippy::too_many_arguments)]
fn schedule_row(
    n: u32,
    due: NaiveDate,
    business: NaiveDate,
    days: u32,
    interest: &Num,
    principal: &Num,
    iof: &Num,
    total: &Num,
    balance_before: &Num,
) -> Vec<Value> {
    vec![
        Value::Count(n),
        Value::Date(due),
        Value::Date(business),
        Value::Count(days),
        Value::Money(interest.0),
        Value::Money(principal.0),
        Value::Money(iof.0),
        Value::Money(total.0),
        Value::Money(balance_before.0),
    ]
}

/// The amortization rows of either installment shape (simulation or issuance): the fields both
/// carry, by name.
macro_rules! schedule_rows {
    ($installments:expr) => {
        $installments
            .iter()
            .map(|i| {
                schedule_row(
                    i.installment_number,
                    i.due_date,
                    i.business_due_date,
                    i.calendar_days,
                    &i.pre_fixed_amount,
                    &i.principal_amortization_amount,
                    &i.tax_amount,
                    &i.total_amount,
                    &i.due_principal,
                )
            })
            .collect()
    };
}

fn amortization(title: (String, String), rows: Vec<Vec<Value>>) -> Section {
    Section::Table {
        title,
        csv: Some(CsvTable::Installments),
        shown: true,
        columns: schedule_columns(),
        rows,
    }
}

fn simulation_sections(d: &SimulationData, heading: Label) -> Vec<Section> {
    let refinances = !d.refinanced_credit_operations.is_empty();
    let mut summary = vec![
        (
            ("liberação", "disbursement date"),
            Value::Date(d.disbursement_date),
        ),
        (INSTALLMENTS, Value::Count(d.number_of_installments)),
        (ISSUE, Value::Money(d.issue_amount.0)),
        (IOF, Value::Money(d.iof_amount.0)),
        (FEES, Value::Money(d.contract_fee_amount.0)),
        (DISBURSED, Value::Money(d.disbursed_issue_amount.0)),
    ];
    if refinances {
        summary.push((CHANGE, Value::Money(d.final_disbursement_amount.0)));
    }
    if let Some(s) = &d.shortfall_amount {
        summary.push((SHORTFALL, Value::Money(s.0)));
    }
    summary.extend([
        (CET_MONTHLY, Value::Rate(d.cet, Per::Month)),
        (CET_ANNUAL, Value::Rate(d.annual_cet, Per::Year)),
        (
            ("taxa de juros", "monthly rate"),
            Value::Rate(d.prefixed_interest_rate.monthly_rate, Per::Month),
        ),
    ]);
    let mut sections = vec![Section::Summary {
        title: title(heading),
        rows: summary,
    }];
    let columns = vec![
        col("liberação", "date", "date"),
        col("emissão", "issue", "issue"),
        col("IOF", "iof", "iof"),
        col("tarifas", "fees", "fees"),
        col("liberado", "disbursed", "disbursed"),
        Column {
            in_view: refinances,
            ..col("troco", "change", "change")
        },
        col("CET", "cet", "cet"),
        col("CET anual", "annual_cet", "annual_cet"),
    ];
    let rows = d
        .disbursement_options
        .iter()
        .map(|o| {
            vec![
                Value::Date(o.disbursement_date),
                Value::Money(o.issue_amount.0),
                Value::Money(o.iof_amount.0),
                Value::Money(o.contract_fee_amount.0),
                Value::Money(o.disbursed_issue_amount.0),
                Value::Money(o.final_disbursement_amount.0),
                Value::Rate(o.cet, Per::Month),
                Value::Rate(o.annual_cet, Per::Year),
            ]
        })
        .collect();
    // The table view lists the options when there is a choice; CSV always has the table.
    sections.push(Section::Table {
        title: title(("opções de liberação", "disbursement options")),
        csv: Some(CsvTable::Options),
        shown: d.disbursement_options.len() > 1,
        columns,
        rows,
    });
    sections.push(amortization(
        (
            format!(
                "tabela de amortização (liberação em {})",
                date(d.disbursement_date, Lang::Pt)
            ),
            format!("amortization ({})", d.disbursement_date),
        ),
        schedule_rows!(d.installments),
    ));
    sections
}

impl View {
    fn new(sections: Vec<Section>) -> Self {
        View { sections }
    }
}

/// The simulation view.
pub(crate) fn simulation(r: &SimulationResponse) -> View {
    View::new(simulation_sections(&r.data, ("simulação", "simulation")))
}

/// The issuance view.
pub(crate) fn debt(d: &DebtData) -> View {
    let mut summary = vec![
        (INSTALLMENTS, Value::Count(d.number_of_installments)),
        (ISSUE, Value::Money(d.issue_amount.0)),
        (IOF, Value::Money(d.total_iof.0)),
        (FEES, Value::Money(d.contract_fee_amount.0)),
        (DISBURSED, Value::Money(d.disbursed_issue_amount.0)),
    ];
    // The issuance prints no refinanced operations: a change that differs from the disbursed
    // amount is one.
    if d.final_disbursement_amount.0 != d.disbursed_issue_amount.0 {
        summary.push((CHANGE, Value::Money(d.final_disbursement_amount.0)));
    }
    summary.extend([
        (CET_MONTHLY, Value::PercentText(d.cet.clone(), Per::Month)),
        (
            CET_ANNUAL,
            Value::PercentText(d.annual_cet.clone(), Per::Year),
        ),
    ]);
    View::new(vec![
        Section::Summary {
            title: title(("emissão", "issuance")),
            rows: summary,
        },
        amortization(
            title(("tabela de amortização", "amortization")),
            schedule_rows!(d.installments),
        ),
    ])
}

/// The portability sections: the bridge, the change per option, the payroll loan.
fn portability_sections(p: &PortabilityResponse) -> Vec<Section> {
    let b = &p.bridge_loan;
    let mut sections = vec![Section::Summary {
        title: title(("empréstimo-ponte", "bridge loan")),
        rows: vec![
            (ISSUE, Value::Money(b.issue_amount.0)),
            (IOF, Value::Money(b.total_iof.0)),
            (DISBURSED, Value::Money(b.disbursed_issue_amount.0)),
            (
                ("saldo a quitar", "due balance"),
                b.installments
                    .first()
                    .map_or(Value::Text(String::new()), |i| {
                        Value::Money(i.total_amount.0)
                    }),
            ),
        ],
    }];
    sections.push(Section::Table {
        title: title((
            "troco por data de liberação",
            "change per disbursement option",
        )),
        csv: None,
        shown: true,
        columns: vec![
            col("liberação", "date", "date"),
            col("emissão", "issue", "issue"),
            col("liberado", "disbursed", "disbursed"),
            col("saldo refinanciado", "refinanced", "refinanced"),
            col("troco", "change", "change"),
        ],
        rows: p
            .change
            .iter()
            .map(|c| {
                vec![
                    Value::Date(c.disbursement_date),
                    Value::Money(c.issue_amount.0),
                    Value::Money(c.disbursed_issue_amount.0),
                    Value::Money(c.refinanced_balance.0),
                    Value::Money(c.final_disbursement_amount.0),
                ]
            })
            .collect(),
    });
    sections.extend(simulation_sections(
        &p.payroll_loan,
        ("consignado", "payroll loan"),
    ));
    sections
}

/// The portability view.
pub(crate) fn portability(p: &PortabilityResponse) -> View {
    View::new(portability_sections(p))
}

/// The `--target-change` view: the answer first (the installment found, its change, and the cent
/// below, whose change misses the target), then the portability at the installment found.
///
/// The cent below is priced by the library (`api::portability_request`) for this view only.
pub(crate) fn target_change(
    r: &TargetChangeResponse,
    request: &PortabilityRequest,
    options: &SimulationOptions,
) -> View {
    let first_change = |p: &PortabilityResponse| {
        p.change.first().map(|c| {
            (
                c.disbursement_date,
                Value::Money(c.final_disbursement_amount.0),
            )
        })
    };
    let mut rows = vec![
        (
            ("troco desejado", "target change"),
            Value::Money(r.target_change.0),
        ),
        (
            ("parcela encontrada", "installment found"),
            Value::Money(r.installment_face_value.0),
        ),
    ];
    if let Some((day, change)) = first_change(&r.portability) {
        rows.push((("troco com ela", "its change"), change));
        rows.push((("liberação", "disbursement date"), Value::Date(day)));
    }
    let cent = Decimal::new(1, 2);
    let below = r.installment_face_value.0 - cent;
    if below > Decimal::ZERO {
        let mut at_below = request.clone();
        at_below.terms.payroll.installment_face_value = below;
        let missed = api::portability_request(&at_below, options)
            .ok()
            .and_then(|p| first_change(&p));
        rows.push((("um centavo abaixo", "one cent below"), Value::Money(below)));
        rows.push((
            ("troco com ela (não alcança)", "its change (misses)"),
            missed.map_or(
                Value::Said("não calculado".into(), "not priced".into()),
                |(_, change)| change,
            ),
        ));
    }
    let mut sections = vec![Section::Summary {
        title: title(("resposta", "answer")),
        rows,
    }];
    sections.extend(portability_sections(&r.portability));
    View::new(sections)
}

/// The change per number of installments.
pub(crate) fn installments_range(r: &InstallmentsRangeResponse) -> View {
    let mut summary = vec![(
        ("parcela", "installment"),
        Value::Money(r.installment_face_value.0),
    )];
    if let Some(b) = &r.best {
        summary.push((
            ("melhor", "best"),
            Value::Said(
                format!(
                    "{} parcelas, troco R$ {}",
                    b.number_of_installments,
                    brl(b.final_disbursement_amount.0)
                ),
                format!(
                    "{} installments, change R$ {}",
                    b.number_of_installments,
                    brl(b.final_disbursement_amount.0)
                ),
            ),
        ));
    }
    View::new(vec![
        Section::Summary {
            title: title((
                "troco por número de parcelas",
                "change by number of installments",
            )),
            rows: summary,
        },
        Section::Table {
            title: title(("trocos", "changes")),
            csv: Some(CsvTable::Installments),
            shown: true,
            columns: vec![
                col("parcelas", "installments", "installments"),
                col("troco", "change", "change"),
            ],
            rows: r
                .changes
                .iter()
                .map(|c| {
                    vec![
                        Value::Count(c.number_of_installments),
                        Value::Money(c.final_disbursement_amount.0),
                    ]
                })
                .collect(),
        },
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_a_field_per_rfc_4180() {
        assert_eq!(Value::Text("plain".into()).csv(), "plain");
        assert_eq!(Value::Text("a,b".into()).csv(), "\"a,b\"");
        assert_eq!(Value::Text("say \"hi\"".into()).csv(), "\"say \"\"hi\"\"\"");
        assert_eq!(Value::Text("two\r\nlines".into()).csv(), "\"two\r\nlines\"");
        assert_eq!(Value::Money(Decimal::new(-12345, 3)).csv(), "-12.34");
        assert_eq!(Value::Money(Decimal::ZERO).csv(), "0.00");
    }

    #[test]
    fn rates_and_money_as_a_brazilian_reads_them() {
        let pt = |p: &str, per| percent_text(p, per, Lang::Pt);
        assert_eq!(pt("3,4600%", Per::Month), "3,46 % a.m.");
        assert_eq!(pt("50,4076%", Per::Year), "50,4076 % a.a.");
        assert_eq!(pt("2,0510%", Per::Month), "2,051 % a.m.");
        assert_eq!(pt("0,0000%", Per::Month), "0,00 % a.m.");
        assert_eq!(percent_text("3,4600%", Per::Month, Lang::En), "3,4600%");
        assert_eq!(brl(Decimal::new(123456789, 2)), "1.234.567,89");
        assert_eq!(brl(Decimal::new(-100, 2)), "-1,00");
        assert_eq!(brl(Decimal::new(5, 3)), "0,00");
        assert_eq!(brl(Decimal::new(15, 3)), "0,02");
        let d = NaiveDate::from_ymd_opt(2023, 3, 14).unwrap_or_default();
        assert_eq!(date(d, Lang::Pt), "14/03/2023");
        assert_eq!(date(d, Lang::En), "2023-03-14");
    }
}
