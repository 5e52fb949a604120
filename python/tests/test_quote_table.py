"""quote_table: equal to `batch --summary` field by field, flat columns priced like the request
column, pyarrow / polars / pandas inputs, bad rows as error rows."""

from __future__ import annotations

import datetime
import json
import random
from decimal import Decimal

import pytest

import qitech_sim
from conftest import read

pa = pytest.importorskip("pyarrow")

MONEY = ["issue_amount", "iof_amount", "contract_fee_amount", "disbursed_issue_amount",
         "final_disbursement_amount", "shortfall_amount", "first_installment_total"]
COLLATERALS = ["federal_payroll"] * 6 + ["social_security"] * 3 + ["private_payroll"] * 3 + ["vehicle"]


def flat_row(k: int, rng: random.Random) -> dict:
    """The k-th varied offer as flat fields (a few of them refused by the engine)."""
    amount_field = rng.choice(["installment_face_value", "installment_face_value", "disbursed_amount", "amount"])
    amount = round(rng.uniform(50, 5000), 2) if amount_field == "installment_face_value" else round(rng.uniform(500, 50000), 2)
    disbursed = datetime.date(2023, 1, 2) + datetime.timedelta(days=rng.randrange(0, 900))
    row = {
        amount_field: amount,
        "number_of_installments": rng.choice([1, 2, 6, 12, 24, 36, 48, 60, 72, 84, 96, 120]),
        "interest_type": "pre_price_days",
        "disbursement_date": disbursed.isoformat(),
        "first_due_date": (disbursed + datetime.timedelta(days=rng.randrange(20, 60))).isoformat(),
        "limit_days_to_disburse": rng.randrange(0, 4),
        "credit_operation_type": "ccb",
        "person_type": rng.choice(["natural", "natural", "legal"]),
        "collateral_type": rng.choice(COLLATERALS),
    }
    if rng.random() < 0.5:
        row["monthly_interest_rate"] = round(rng.uniform(0.01, 0.045), 4)
    else:
        row["annual_interest_rate"] = round(rng.uniform(0.12, 0.7), 4)
    if rng.random() < 0.1 and amount_field == "installment_face_value":
        row["due_balance"] = round(amount * rng.uniform(2, 30), 2)
    if k % 97 == 13:
        row["number_of_installments"] = 0  # out of range
    if k % 89 == 7:
        row["disbursement_date"] = "2023-02-30"  # not a date
    return row


def body(row: dict) -> dict:
    """The request body a flat row stands for (the translation quote_table does)."""
    fin = {k: v for k, v in row.items() if k not in ("person_type", "collateral_type", "due_balance")}
    b = {"financial": fin}
    if "person_type" in row:
        b["borrower"] = {"person_type": row["person_type"]}
    if "collateral_type" in row:
        b["collaterals"] = [{"collateral_type": row["collateral_type"]}]
    if "due_balance" in row:
        b["refinanced_credit_operations"] = [{"due_balance": row["due_balance"]}]
    return b


@pytest.fixture(scope="module")
def offers():
    rng = random.Random(21)
    return [flat_row(k, rng) for k in range(1000)]


def by_row(table):
    rows: dict = {}
    for r in table.to_pylist():
        rows.setdefault(r["row"], []).append(r)
    return rows


def test_equals_cli_batch_summary(offers, run_cli):
    bodies = [json.dumps(body(o)) for o in offers]
    bodies[500] = "{oops"
    cfg = read("siape/pricing.json")
    out = run_cli("batch", "--summary", "--config", "fixtures/siape/pricing.json",
                  stdin="\n".join(bodies) + "\n", status=1)
    want = [json.loads(l) for l in out.splitlines()]
    got = by_row(qitech_sim.quote_table(pa.table({"request": bodies}), cfg))
    assert len(want) == len(got) == 1000
    errors = 0
    for k, w in enumerate(want):
        rows = got[k]
        if "error" in w:
            errors += 1
            assert len(rows) == 1 and rows[0]["option"] is None
            assert w["error"].endswith(rows[0]["error"].split(": ", 1)[-1]) or rows[0]["error"] in w["error"]
            if "kind" in w:
                assert rows[0]["error_kind"] == w["kind"]
                if w["kind"] != "invalid_json":  # its field is the input's name: `line N`, `request`
                    assert rows[0]["error_field"] == w["field"]
            continue
        assert [r["option"] for r in rows] == list(range(len(w["options"])))
        for r, o in zip(rows, w["options"]):
            assert r["error"] is None
            assert r["disbursement_date"].isoformat() == o["disbursement_date"]
            for m in MONEY:
                assert r[m] == (None if o.get(m) is None else Decimal(str(o[m]))), (k, m)
            assert r["cet"] == Decimal(str(o["cet"]))
            assert r["annual_cet"] == o["annual_cet"]
    assert 20 < errors < 300  # the varied set has refused rows, and mostly priced ones


def test_flat_columns_price_like_the_request_column(offers):
    keys = sorted({k for o in offers for k in o})
    flat = pa.table({k: [o.get(k) for o in offers] for k in keys})
    by_request = qitech_sim.quote_table(pa.table({"request": [json.dumps(body(o)) for o in offers]}))
    by_columns = qitech_sim.quote_table(flat)
    figures = [c for c in by_request.column_names if c != "error"]
    assert by_columns.select(figures).equals(by_request.select(figures))
    assert by_columns.num_rows > 1000


def test_date_columns_and_record_batches(offers):
    rows = [o for o in offers[:50]]
    t = pa.table({
        "installment_face_value": [100.0] * 3,
        "number_of_installments": [2, 12, 96],
        "monthly_interest_rate": [0.0205] * 3,
        "disbursement_date": pa.array([datetime.date(2023, 3, 14)] * 3, pa.date32()),
        "first_due_date": ["2023-04-07"] * 3,
        "person_type": ["natural"] * 3,
    })
    q = qitech_sim.quote_table(t)
    assert q.column("error").null_count == q.num_rows
    assert q.column("disbursement_date")[0].as_py() == datetime.date(2023, 3, 14)
    assert qitech_sim.quote_table(t.to_batches()[0]).equals(q)
    assert rows


def test_siape_fixture_through_the_table():
    req = read("siape/simulation_request.json")
    q = qitech_sim.quote_table(pa.table({"request": [req]}), read("siape/pricing.json"))
    s = qitech_sim.summarize(req, read("siape/pricing.json"), as_decimal=True)
    assert q.num_rows == len(s["options"])
    first = q.to_pylist()[0]
    assert first["issue_amount"] == Decimal("194.80") and first["cet"] == Decimal("0.0346")
    assert q.schema.field("issue_amount").type == pa.decimal128(38, 2)
    assert [r["disbursement_date"] for r in q.to_pylist()] == [o["disbursement_date"] for o in s["options"]]


def test_polars_and_pandas_inputs(offers):
    pl = pytest.importorskip("polars")
    pd = pytest.importorskip("pandas")
    keys = sorted({k for o in offers[:200] for k in o})
    data = {k: [o.get(k) for o in offers[:200]] for k in keys}
    want = qitech_sim.quote_table(pa.table(data))
    assert qitech_sim.quote_table(pl.DataFrame(data)).equals(want)
    assert qitech_sim.quote_table(pd.DataFrame(data)).equals(want)
    reqs = [json.dumps(body(o)) for o in offers[:200]]
    assert qitech_sim.quote_table(pl.DataFrame({"request": reqs})).equals(
        qitech_sim.quote_table(pa.table({"request": reqs})))


def test_bad_rows_are_error_rows():
    good = json.dumps(json.loads(read("siape/simulation_request.json")))
    t = pa.table({"request": [good, "{oops", None, good.replace('"number_of_installments": 2', '"number_of_installments": 0')]})
    q = qitech_sim.quote_table(t).to_pylist()
    kinds = {r["row"]: (r["error_kind"], r["error_field"]) for r in q if r["error"]}
    assert kinds[1][0] == "invalid_json"
    assert kinds[2] == ("missing", "request")
    assert kinds[3] == ("out_of_range", "financial.number_of_installments")
    assert [r["row"] for r in q if r["error"] is None] == [0] * (len(q) - 3)


def test_unknown_columns():
    t = pa.table({"installment_face_value": [100.0], "number_of_installments": [2],
                  "monthly_interest_rate": [0.0205], "disbursement_date": ["2023-03-14"],
                  "first_due_date": ["2023-04-07"], "campaign": ["x"]})
    with pytest.raises(ValueError, match="campaign"):
        qitech_sim.quote_table(t)
    q = qitech_sim.quote_table(t, allow_unknown_fields=True)
    assert q.column("error").null_count == q.num_rows


def test_installments_table_equals_the_responses(offers):
    bodies = [json.dumps(body(o)) for o in offers[:60]]
    long = qitech_sim.quote_table(pa.table({"request": bodies}), installments=True).to_pylist()
    rows: dict = {}
    for r in long:
        rows.setdefault(r["row"], []).append(r)
    figures = ["total_amount", "principal_amortization_amount", "pre_fixed_amount", "tax_amount",
               "due_principal"]
    for k, b in enumerate(bodies):
        try:
            resp = qitech_sim.simulate(b)
        except qitech_sim.InvalidRequest as e:
            assert len(rows[k]) == 1 and rows[k][0]["error_kind"] == e.kind
            continue
        want = [(o, i) for o, opt in enumerate(resp["data"]["disbursement_options"])
                for i in opt["installments"]]
        assert len(rows[k]) == len(want)
        for r, (o, i) in zip(rows[k], want):
            assert r["option"] == o and r["installment_number"] == i["installment_number"]
            assert r["due_date"].isoformat() == i["due_date"]
            assert r["business_due_date"].isoformat() == i["business_due_date"]
            assert (r["calendar_days"], r["workdays"]) == (i["calendar_days"], i["workdays"])
            assert [r[f] for f in figures] == [i[f] for f in figures]
