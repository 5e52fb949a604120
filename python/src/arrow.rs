//! `quote_table`: a table of requests in (any Arrow table, through the Arrow PyCapsule stream
//! interface), a pyarrow `Table` of the `batch --summary` figures out, one row per disbursement
//! option.
//!
//! The wire only: each input row becomes the request body the CLI would read (a `request` column
//! is that body's JSON text; flat columns are placed into `financial`, `borrower`, `collaterals[0]`
//! and `refinanced_credit_operations[0]` as QI names them), the engine prices it through the
//! same summary pipeline as `batch --summary`, and its figures are copied into Arrow columns
//! without any arithmetic: money as `decimal128(38, 2)` (exact cents), the monthly CET as
//! `decimal128(38, 6)` (it is rounded to 4 or 6 decimals), the annual CET as `float64` (the CLI
//! prints the nearest double of an exact figure with up to 28 decimals). A row the engine refuses
//! becomes one output row with `error_kind`, `error_field` and `error`; it never stops the others.
//!
//! Pricing runs with the GIL released on rayon's pool, in slices of [`SLICE`] rows with a check for
//! signals (Ctrl-C) between them.

use std::sync::Arc;

use arrow_array::builder::{
    Date32Builder, Decimal128Builder, Float64Builder, Int32Builder, Int64Builder, StringBuilder,
};
use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Decimal128Type, Float64Type, Int64Type};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use chrono::{Datelike, NaiveDate};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3_arrow::PyTable;
use pyo3_arrow::input::AnyRecordBatch;
use qitech_sim::api;
use rayon::prelude::*;
use serde_json::{Map, Value};

use crate::engine::{self, Body, Error, SummaryOptionJson};

/// Rows priced between two checks for signals.
const SLICE: usize = 4096;

/// The fields of QI's `financial` object a flat column cannot carry: the nested ones, which need
/// the `request` column. Every other key of [`api::FINANCIAL_KEYS`] (the reader's list) may be a
/// column.
const NESTED_FINANCIAL: &[&str] = &[
    "desired_installments",
    "due_dates",
    "fine_configuration",
    "installments",
    "rebate",
    "rebates",
];

/// Where a flat column goes in the request body.
#[derive(Clone, Copy)]
enum Place {
    /// `financial.<name>`.
    Financial,
    /// `borrower.person_type`.
    Borrower,
    /// `collaterals[0].collateral_type`.
    Collateral,
    /// `refinanced_credit_operations[0].due_balance`.
    Refinanced,
    /// The body's top level (`requester_key`).
    Root,
}

fn place(name: &str) -> Option<Place> {
    Some(match name {
        "person_type" => Place::Borrower,
        "collateral_type" => Place::Collateral,
        "due_balance" => Place::Refinanced,
        "requester_key" => Place::Root,
        n if api::FINANCIAL_KEYS.contains(&n) && !NESTED_FINANCIAL.contains(&n) => Place::Financial,
        _ => return None,
    })
}

/// How the rows of a table are read.
enum Input {
    /// A `request` column of JSON text.
    Request(ArrayRef),
    /// Flat columns: each one's name, place and values (normalised by [`normalise`]).
    Flat(Vec<(String, Place, ArrayRef)>),
}

/// A column's values in one of the types [`cell`] reads: text as `Utf8`, integers as `Int64`,
/// floats as `Float64`, dates as `Date32`; decimals and booleans as they are.
fn normalise(name: &str, a: &ArrayRef) -> PyResult<ArrayRef> {
    let to = match a.data_type() {
        DataType::Utf8
        | DataType::Int64
        | DataType::Float64
        | DataType::Date32
        | DataType::Boolean
        | DataType::Null
        | DataType::Decimal128(..) => return Ok(Arc::clone(a)),
        DataType::LargeUtf8 | DataType::Utf8View | DataType::Dictionary(..) => DataType::Utf8,
        t if t.is_integer() => DataType::Int64,
        DataType::Float16 | DataType::Float32 => DataType::Float64,
        DataType::Date64 | DataType::Timestamp(..) => DataType::Date32,
        DataType::Decimal32(..) | DataType::Decimal64(..) | DataType::Decimal256(..) => {
            DataType::Decimal128(38, 10)
        }
        t => {
            return Err(PyValueError::new_err(format!(
                "column {name:?}: type {t} is not a request field's (text, number, date or bool)"
            )));
        }
    };
    arrow_cast::cast(a, &to).map_err(|e| PyValueError::new_err(format!("column {name:?}: {e}")))
}

impl Input {
    fn of(batch: &RecordBatch, allow_unknown: bool) -> PyResult<Input> {
        let schema = batch.schema();
        if let Some((i, _)) = schema.column_with_name("request") {
            return Ok(Input::Request(normalise("request", batch.column(i))?));
        }
        let mut cols = Vec::new();
        for (field, a) in schema.fields().iter().zip(batch.columns()) {
            let name = field.name();
            let p = match (place(name), allow_unknown) {
                (Some(p), _) => p,
                // Passed on into `financial`, where the engine accepts it as unknown.
                (None, true) => Place::Financial,
                (None, false) => {
                    return Err(PyValueError::new_err(format!(
                        "column {name:?}: not a request field (a `request` column of JSON, or \
                         flat columns named as QI's financial fields, person_type, \
                         collateral_type, due_balance, requester_key; allow_unknown_fields=True \
                         passes it on)"
                    )));
                }
            };
            cols.push((name.clone(), p, normalise(name, a)?));
        }
        Ok(Input::Flat(cols))
    }
}

/// One cell as a JSON value; `None` for a null (or a float NaN, pandas' missing value): the field
/// is then absent from the body.
fn cell(name: &str, a: &dyn Array, i: usize) -> Result<Option<Value>, Error> {
    if a.is_null(i) {
        return Ok(None);
    }
    Ok(Some(match a.data_type() {
        DataType::Utf8 => Value::String(a.as_string::<i32>().value(i).to_string()),
        DataType::Int64 => Value::from(a.as_primitive::<Int64Type>().value(i)),
        DataType::Boolean => Value::Bool(a.as_boolean().value(i)),
        DataType::Float64 => {
            let x = a.as_primitive::<Float64Type>().value(i);
            if x.is_nan() {
                return Ok(None);
            }
            Value::Number(serde_json::Number::from_f64(x).ok_or_else(|| {
                Error::out_of_range(name, x.to_string(), "expected a finite number")
            })?)
        }
        DataType::Decimal128(..) => {
            // The decimal's own digits, read as the JSON number token they spell.
            let text = a.as_primitive::<Decimal128Type>().value_as_string(i);
            serde_json::from_str(&text)
                .map_err(|_| Error::out_of_range(name, text, "expected a number"))?
        }
        DataType::Date32 => {
            let days = a.as_primitive::<Date32Type>().value(i);
            let date = NaiveDate::from_num_days_from_ce_opt(days.saturating_add(UNIX_EPOCH_CE))
                .ok_or_else(|| Error::out_of_range(name, days.to_string(), "not a date"))?;
            Value::String(date.format("%Y-%m-%d").to_string())
        }
        _ => return Ok(None), // DataType::Null: every cell is null
    }))
}

/// Days from 0001-01-01 (CE day 1) to 1970-01-01.
const UNIX_EPOCH_CE: i32 = 719_163;

/// The request body of flat row `i`.
fn flat_body(cols: &[(String, Place, ArrayRef)], i: usize) -> Result<Value, Error> {
    let mut financial = Map::new();
    let mut root = Map::new();
    for (name, p, a) in cols {
        let Some(v) = cell(name, a.as_ref(), i)? else {
            continue;
        };
        let one = |key: &str| {
            let mut m = Map::new();
            m.insert(key.to_string(), v.clone());
            m
        };
        match p {
            Place::Financial => {
                financial.insert(name.clone(), v);
            }
            Place::Borrower => {
                root.insert("borrower".into(), Value::Object(one(name)));
            }
            Place::Collateral => {
                root.insert(
                    "collaterals".into(),
                    Value::Array(vec![Value::Object(one(name))]),
                );
            }
            Place::Refinanced => {
                root.insert(
                    "refinanced_credit_operations".into(),
                    Value::Array(vec![Value::Object(one(name))]),
                );
            }
            Place::Root => {
                root.insert(name.clone(), v);
            }
        }
    }
    root.insert("financial".into(), Value::Object(financial));
    Ok(Value::Object(root))
}

/// One disbursement option's figures as the output columns hold them.
struct OptionRow {
    date: i32,
    /// `issue_amount`, `iof_amount`, `contract_fee_amount`, `disbursed_issue_amount`,
    /// `final_disbursement_amount`, `shortfall_amount`, `first_installment_total`, in cents.
    money: [Option<i128>; 7],
    /// The monthly CET in millionths.
    cet: i128,
    annual_cet: f64,
}

const MONEY: [&str; 7] = [
    "issue_amount",
    "iof_amount",
    "contract_fee_amount",
    "disbursed_issue_amount",
    "final_disbursement_amount",
    "shortfall_amount",
    "first_installment_total",
];

/// A refused row: `(kind, field, message)`.
type Refused = (String, Option<String>, String);

/// `d` as an integer count of `10^-scale` (exact: a figure with more decimals is refused naming
/// it, never rounded here).
fn scaled(d: qitech_sim::Decimal, scale: u32, field: &str) -> Result<i128, Error> {
    let mut n = d.normalize();
    if n.scale() > scale {
        return Err(Error::out_of_range(
            field,
            d.to_string(),
            format!("has more than {scale} decimals: not representable in the Arrow column"),
        ));
    }
    n.rescale(scale);
    Ok(n.mantissa())
}

fn option_row(o: &SummaryOptionJson) -> Result<OptionRow, Error> {
    let money = |n: Option<&qitech_sim::api::Num>, k: usize| -> Result<Option<i128>, Error> {
        n.map(|n| scaled(n.0, 2, MONEY[k])).transpose()
    };
    Ok(OptionRow {
        date: day(o.disbursement_date),
        money: [
            money(Some(&o.issue_amount), 0)?,
            money(Some(&o.iof_amount), 1)?,
            money(Some(&o.contract_fee_amount), 2)?,
            money(Some(&o.disbursed_issue_amount), 3)?,
            money(Some(&o.final_disbursement_amount), 4)?,
            money(o.shortfall_amount.as_ref(), 5)?,
            money(o.first_installment_total.as_ref(), 6)?,
        ],
        cet: scaled(o.cet.0, 6, "cet")?,
        annual_cet: printed_f64(o.annual_cet)?,
    })
}

/// The double the CLI prints for `n` (its JSON token read back).
fn printed_f64(n: qitech_sim::api::Num) -> Result<f64, Error> {
    let token = qitech_sim::api::num_json_bytes(n);
    std::str::from_utf8(&token)
        .ok()
        .and_then(|t| t.parse().ok())
        .ok_or_else(|| Error::out_of_range("annual_cet", n.0.to_string(), "not printable"))
}

fn refused(e: &Error) -> Refused {
    let (kind, field, _) = engine::error_parts(e);
    (kind.to_string(), field, e.to_string())
}

/// `f` of row `i`'s body.
fn with_body<T>(
    input: &Input,
    i: usize,
    f: impl FnOnce(Body<'_>) -> Result<T, Error>,
) -> Result<T, Error> {
    match input {
        Input::Request(a) => match cell("request", a.as_ref(), i)? {
            Some(Value::String(text)) => f(Body::Text(&text)),
            _ => Err(Error::missing("request")),
        },
        Input::Flat(cols) => f(Body::Value(&flat_body(cols, i)?)),
    }
}

/// Prices row `i` of `input`.
fn price(input: &Input, i: usize, options: &engine::Options) -> Result<Vec<OptionRow>, Refused> {
    let summary = with_body(input, i, |b| engine::summary_typed(b, options));
    let summary = summary.map_err(|e| refused(&e))?;
    summary
        .options
        .iter()
        .map(option_row)
        .collect::<Result<_, _>>()
        .map_err(|e| refused(&e))
}

/// The output columns, filled row by row.
struct Out {
    row: Int64Builder,
    option: Int32Builder,
    date: Date32Builder,
    money: Vec<Decimal128Builder>,
    cet: Decimal128Builder,
    annual_cet: Float64Builder,
    kind: StringBuilder,
    field: StringBuilder,
    error: StringBuilder,
}

impl Out {
    fn new() -> PyResult<Out> {
        let dec = |scale: i8| {
            Decimal128Builder::new()
                .with_precision_and_scale(38, scale)
                .map_err(|e| PyValueError::new_err(e.to_string()))
        };
        Ok(Out {
            row: Int64Builder::new(),
            option: Int32Builder::new(),
            date: Date32Builder::new(),
            money: (0..MONEY.len()).map(|_| dec(2)).collect::<PyResult<_>>()?,
            cet: dec(6)?,
            annual_cet: Float64Builder::new(),
            kind: StringBuilder::new(),
            field: StringBuilder::new(),
            error: StringBuilder::new(),
        })
    }

    fn push(&mut self, row: i64, result: Result<Vec<OptionRow>, Refused>) {
        match result {
            Ok(options) => {
                for (k, o) in options.into_iter().enumerate() {
                    self.row.append_value(row);
                    self.option
                        .append_value(i32::try_from(k).unwrap_or(i32::MAX));
                    self.date.append_value(o.date);
                    for (b, m) in self.money.iter_mut().zip(o.money) {
                        b.append_option(m);
                    }
                    self.cet.append_value(o.cet);
                    self.annual_cet.append_value(o.annual_cet);
                    self.kind.append_null();
                    self.field.append_null();
                    self.error.append_null();
                }
            }
            Err((kind, field, message)) => {
                self.row.append_value(row);
                self.option.append_null();
                self.date.append_null();
                for b in &mut self.money {
                    b.append_null();
                }
                self.cet.append_null();
                self.annual_cet.append_null();
                self.kind.append_value(kind);
                self.field.append_option(field);
                self.error.append_value(message);
            }
        }
    }

    fn schema() -> SchemaRef {
        let mut fields = vec![
            Field::new("row", DataType::Int64, false),
            Field::new("option", DataType::Int32, true),
            Field::new("disbursement_date", DataType::Date32, true),
        ];
        fields.extend(
            MONEY
                .iter()
                .map(|m| Field::new(*m, DataType::Decimal128(38, 2), true)),
        );
        fields.extend([
            Field::new("cet", DataType::Decimal128(38, 6), true),
            Field::new("annual_cet", DataType::Float64, true),
            Field::new("error_kind", DataType::Utf8, true),
            Field::new("error_field", DataType::Utf8, true),
            Field::new("error", DataType::Utf8, true),
        ]);
        Arc::new(Schema::new(fields))
    }

    fn finish(mut self) -> PyResult<RecordBatch> {
        let mut columns: Vec<ArrayRef> = vec![
            Arc::new(self.row.finish()),
            Arc::new(self.option.finish()),
            Arc::new(self.date.finish()),
        ];
        columns.extend(
            self.money
                .iter_mut()
                .map(|b| Arc::new(b.finish()) as ArrayRef),
        );
        columns.extend([
            Arc::new(self.cet.finish()) as ArrayRef,
            Arc::new(self.annual_cet.finish()),
            Arc::new(self.kind.finish()),
            Arc::new(self.field.finish()),
            Arc::new(self.error.finish()),
        ]);
        RecordBatch::try_new(Out::schema(), columns)
            .map_err(|e| PyValueError::new_err(e.to_string()))
    }
}

/// Each row of `table` through `price` (on rayon's pool, the GIL released, slices of [`SLICE`]
/// rows with a signal check between them), handed in order to `push` with its row index.
fn each_row<R: Send>(
    py: Python<'_>,
    table: AnyRecordBatch,
    allow_unknown: bool,
    price: impl Fn(&Input, usize) -> Result<R, Refused> + Sync,
    mut push: impl FnMut(i64, Result<R, Refused>),
) -> PyResult<()> {
    let mut first_row = 0i64;
    for batch in table.into_reader()? {
        let batch = batch.map_err(|e| PyValueError::new_err(e.to_string()))?;
        let input = Input::of(&batch, allow_unknown)?;
        let rows = batch.num_rows();
        let mut start = 0;
        while start < rows {
            py.check_signals()?;
            let end = rows.min(start + SLICE);
            let results: Vec<_> = py.detach(|| {
                (start..end)
                    .into_par_iter()
                    .map(|i| {
                        crate::guarded(|| Ok(price(&input, i))).unwrap_or_else(|f| {
                            let message = match f {
                                crate::Failure::Internal(m) => m,
                                crate::Failure::Input(e) => e.to_string(),
                            };
                            Err(("internal".into(), None, message))
                        })
                    })
                    .collect()
            });
            for (k, r) in results.into_iter().enumerate() {
                push(first_row + (start + k) as i64, r);
            }
            start = end;
        }
        first_row += rows as i64;
    }
    Ok(())
}

/// `quote_table(table, config, flags) -> pyarrow.Table`: see the module documentation.
#[pyfunction]
#[pyo3(signature = (table, config=None, flags=None))]
pub fn quote_table<'py>(
    py: Python<'py>,
    table: AnyRecordBatch,
    config: Option<String>,
    flags: Option<crate::PyFlags>,
) -> PyResult<Bound<'py, PyAny>> {
    let flags = flags.unwrap_or_else(crate::default_flags);
    let options = crate::run(py, || crate::options(config.as_deref(), &flags))?;
    let mut out = Out::new()?;
    each_row(
        py,
        table,
        flags.3,
        |input, i| price(input, i, &options),
        |row, r| out.push(row, r),
    )?;
    let batch = out.finish()?;
    PyTable::try_new(vec![batch], Out::schema())?.into_pyarrow(py)
}

/// One installment of one disbursement option: `(option, installment_number, due_date,
/// business_due_date, calendar_days, workdays, figures)`, the figures in [`INSTALLMENT_FIGURES`]
/// order as the doubles the CLI prints.
type InstallmentRow = (i32, u32, i32, i32, u32, u32, [f64; 5]);

const INSTALLMENT_FIGURES: [&str; 5] = [
    "total_amount",
    "principal_amortization_amount",
    "pre_fixed_amount",
    "tax_amount",
    "due_principal",
];

fn day(d: NaiveDate) -> i32 {
    d.num_days_from_ce() - UNIX_EPOCH_CE
}

/// The installments of every disbursement option of row `i`.
fn price_installments(
    input: &Input,
    i: usize,
    options: &engine::Options,
) -> Result<Vec<InstallmentRow>, Refused> {
    let r = with_body(input, i, |b| engine::simulate_typed(b, options)).map_err(|e| refused(&e))?;
    let mut rows = Vec::new();
    for (k, o) in r.data.disbursement_options.iter().enumerate() {
        for inst in &o.installments {
            let f = |n: qitech_sim::api::Num, name: &str| {
                printed_f64(n).map_err(|_| {
                    refused(&Error::out_of_range(name, n.0.to_string(), "not printable"))
                })
            };
            rows.push((
                i32::try_from(k).unwrap_or(i32::MAX),
                inst.installment_number,
                day(inst.due_date),
                day(inst.business_due_date),
                inst.calendar_days,
                inst.workdays,
                [
                    f(inst.total_amount, INSTALLMENT_FIGURES[0])?,
                    f(inst.principal_amortization_amount, INSTALLMENT_FIGURES[1])?,
                    f(inst.pre_fixed_amount, INSTALLMENT_FIGURES[2])?,
                    f(inst.tax_amount, INSTALLMENT_FIGURES[3])?,
                    f(inst.due_principal, INSTALLMENT_FIGURES[4])?,
                ],
            ));
        }
    }
    Ok(rows)
}

/// `installments_table(table, config, flags) -> pyarrow.Table`: the long table, one row per
/// installment of each disbursement option (figures as `float64`: the doubles the CLI prints; the
/// unrounded interest and tax carry up to 28 decimals, beyond any fixed decimal scale).
#[pyfunction]
#[pyo3(signature = (table, config=None, flags=None))]
pub fn installments_table<'py>(
    py: Python<'py>,
    table: AnyRecordBatch,
    config: Option<String>,
    flags: Option<crate::PyFlags>,
) -> PyResult<Bound<'py, PyAny>> {
    let flags = flags.unwrap_or_else(crate::default_flags);
    let options = crate::run(py, || crate::options(config.as_deref(), &flags))?;
    let mut row = Int64Builder::new();
    let mut ints: Vec<Int32Builder> = (0..4).map(|_| Int32Builder::new()).collect();
    let mut dates: Vec<Date32Builder> = (0..2).map(|_| Date32Builder::new()).collect();
    let mut figures: Vec<Float64Builder> = (0..5).map(|_| Float64Builder::new()).collect();
    let mut texts: Vec<StringBuilder> = (0..3).map(|_| StringBuilder::new()).collect();
    let as_i32 = |n: u32| i32::try_from(n).unwrap_or(i32::MAX);
    each_row(
        py,
        table,
        flags.3,
        |input, i| price_installments(input, i, &options),
        |r, result| match result {
            Ok(list) => {
                for (option, number, due, business, cal, work, f) in list {
                    row.append_value(r);
                    ints[0].append_value(option);
                    ints[1].append_value(as_i32(number));
                    dates[0].append_value(due);
                    dates[1].append_value(business);
                    ints[2].append_value(as_i32(cal));
                    ints[3].append_value(as_i32(work));
                    for (b, x) in figures.iter_mut().zip(f) {
                        b.append_value(x);
                    }
                    texts.iter_mut().for_each(StringBuilder::append_null);
                }
            }
            Err((kind, field, message)) => {
                row.append_value(r);
                ints.iter_mut().for_each(Int32Builder::append_null);
                dates.iter_mut().for_each(Date32Builder::append_null);
                figures.iter_mut().for_each(Float64Builder::append_null);
                texts[0].append_value(kind);
                texts[1].append_option(field);
                texts[2].append_value(message);
            }
        },
    )?;
    let mut fields = vec![
        Field::new("row", DataType::Int64, false),
        Field::new("option", DataType::Int32, true),
        Field::new("installment_number", DataType::Int32, true),
        Field::new("due_date", DataType::Date32, true),
        Field::new("business_due_date", DataType::Date32, true),
        Field::new("calendar_days", DataType::Int32, true),
        Field::new("workdays", DataType::Int32, true),
    ];
    fields.extend(
        INSTALLMENT_FIGURES
            .iter()
            .map(|n| Field::new(*n, DataType::Float64, true)),
    );
    fields.extend(
        ["error_kind", "error_field", "error"].map(|n| Field::new(n, DataType::Utf8, true)),
    );
    let mut columns: Vec<ArrayRef> = vec![
        Arc::new(row.finish()),
        Arc::new(ints[0].finish()),
        Arc::new(ints[1].finish()),
        Arc::new(dates[0].finish()),
        Arc::new(dates[1].finish()),
        Arc::new(ints[2].finish()),
        Arc::new(ints[3].finish()),
    ];
    columns.extend(figures.iter_mut().map(|b| Arc::new(b.finish()) as ArrayRef));
    columns.extend(texts.iter_mut().map(|b| Arc::new(b.finish()) as ArrayRef));
    let schema: SchemaRef = Arc::new(Schema::new(fields));
    let batch = RecordBatch::try_new(Arc::clone(&schema), columns)
        .map_err(|e| PyValueError::new_err(e.to_string()))?;
    PyTable::try_new(vec![batch], schema)?.into_pyarrow(py)
}
