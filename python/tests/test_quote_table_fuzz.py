"""A fuzz of ``quote_table``, as tests/fuzz.rs fuzzes the crate's doors: random flat-column tables
(every known column, each typed at random: ints, floats, strings, dates, nulls, extreme values,
an unknown column now and then) and ``request`` columns of mutated fixture bodies. A table passes
when the call returns a table in which every input row is answered (one error row with
``error_kind`` and the figures null, or option rows with every figure set), or raises
``ValueError`` / ``TypeError`` for the table as a whole (a column quote_table does not read, named);
any other exception, or a crash, fails.

``QITECH_FUZZ_CASES`` sets the rows (default 2,000 in 20 tables, so that pytest stays fast),
``QITECH_FUZZ_SEED`` the seed. For a campaign, from the repository root with the wheel installed::

    QITECH_FUZZ_CASES=1000000 python python/tests/test_quote_table_fuzz.py
"""

from __future__ import annotations

import datetime
import json
import math
import os
import random
import sys
import time
from pathlib import Path

try:
    import pyarrow as pa
except ImportError:  # pragma: no cover - the CI venv has pyarrow
    pa = None

import qitech_sim

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
ROWS_PER_TABLE = 100
FIGURES = ["issue_amount", "iof_amount", "contract_fee_amount", "disbursed_issue_amount",
           "final_disbursement_amount", "first_installment_total", "cet", "annual_cet"]

FLAT = ["installment_face_value", "disbursed_amount", "amount", "number_of_installments",
        "monthly_interest_rate", "annual_interest_rate", "disbursement_date", "first_due_date",
        "limit_days_to_disburse", "interest_type", "interest_base", "credit_operation_type",
        "person_type", "collateral_type", "due_balance", "requester_key"]
NUMBERS = [0, 1, -1, 2, 12, 60, 99, 100, 101, 599, 600, 601, 2**31, 2**53 + 1, 2**63 - 1, -2**63,
           0.01, 0.005, -0.5, 1e-9, 1e-28, 0.0205, 2.16, 1e6, 1e15, 1e16, 1e28, 1e300,
           90071992547409.93, float("nan"), float("inf"), -0.0]
STRINGS = ["", "2023-03-14", "2023-3-4", "2023-02-29", "9999-12-31", "0000-01-01", " 2023-03-14 ",
           "pre_price_days", "pre_price", "pre_sac", "calendar_days", "workdays", "calendar_days_365",
           "ccb", "natural", "legal", "federal_payroll", "vehicle", "x" * 70, "é\x00\ufeff\"\\\n",
           "12.0", "1e-400", "NaN"]
SEEDS = ["siape/simulation_request.json", "personal_credit/simulation_request.json",
         "airforce/simulation_request_4_options.json", "qi-examples/v2-sim-2025.request.v2.json"]


def cell(rng: random.Random, name: str, kind: str):
    """One cell of a column typed `kind`, often a plausible value for `name`."""
    if rng.random() < 0.1:
        return None
    if kind == "int":
        return rng.choice([v for v in NUMBERS if isinstance(v, int)] + [rng.randrange(-5, 700)])
    if kind == "float":
        if rng.random() < 0.6:
            return round(rng.uniform(0.001, 0.05) if "rate" in name else rng.uniform(1, 60000), 2)
        return float(rng.choice(NUMBERS))
    if kind == "date":
        return datetime.date(2000, 1, 1) + datetime.timedelta(days=rng.randrange(0, 40000))
    # str
    if "date" in name and rng.random() < 0.6:
        d = datetime.date(2019, 1, 1) + datetime.timedelta(days=rng.randrange(0, 4000))
        return d.isoformat()
    return rng.choice(STRINGS)


PLAUSIBLE = {
    "installment_face_value": ("float", lambda r: round(r.uniform(50, 5000), 2)),
    "number_of_installments": ("int", lambda r: r.choice([1, 2, 12, 24, 84, 96, 120, 600])),
    "monthly_interest_rate": ("float", lambda r: round(r.uniform(0.005, 0.05), 4)),
    "disbursement_date": ("str", lambda r: (datetime.date(2023, 1, 2) + datetime.timedelta(days=r.randrange(900))).isoformat()),
    "limit_days_to_disburse": ("int", lambda r: r.randrange(0, 5)),
    "person_type": ("str", lambda r: r.choice(["natural", "legal"])),
    "collateral_type": ("str", lambda r: r.choice(["federal_payroll", "social_security", "private_payroll"])),
}


def plausible_cell(rng: random.Random, name: str, kind: str, make):
    """A value the engine prices most of the time, else a random cell of the same type."""
    return make(rng) if rng.random() < 0.95 else cell(rng, name, kind)


def flat_table(rng: random.Random, rows: int):
    if rng.random() < 0.5:
        # A plausible table (a first due date 20-60 days after disbursement), a column or two odd.
        names = list(PLAUSIBLE) + ["first_due_date"]
        odd = set(rng.sample(names, rng.randrange(0, 3)))
        columns = {}
        for n, (kind, make) in PLAUSIBLE.items():
            if n in odd:
                kind = rng.choice(["int", "float", "str"])
                columns[n] = pa.array([cell(rng, n, kind) for _ in range(rows)],
                                      {"int": pa.int64(), "float": pa.float64(), "str": pa.string()}[kind])
            else:
                columns[n] = pa.array([plausible_cell(rng, n, kind, make) for _ in range(rows)],
                                      {"int": pa.int64(), "float": pa.float64(), "str": pa.string()}[kind])
        dd = columns["disbursement_date"].to_pylist()
        firsts = []
        for d in dd:
            try:
                firsts.append((datetime.date.fromisoformat(str(d)) + datetime.timedelta(days=rng.randrange(20, 60))).isoformat())
            except (ValueError, OverflowError):
                firsts.append(rng.choice(STRINGS))
        columns["first_due_date"] = pa.array(firsts, pa.string())
        return pa.table(columns)
    names = rng.sample(FLAT, rng.randrange(3, len(FLAT)))
    if rng.random() < 0.05:
        names.append("campaign")
    columns = {}
    for n in names:
        kind = rng.choice(["int", "float", "str", "date"] if "date" in n else ["int", "float", "float", "str"])
        values = [cell(rng, n, kind) for _ in range(rows)]
        typ = {"int": pa.int64(), "float": pa.float64(), "str": pa.string(), "date": pa.date32()}[kind]
        try:
            columns[n] = pa.array(values, typ)
        except (OverflowError, pa.ArrowInvalid):
            columns[n] = pa.array([None if v is None else str(v) for v in values], pa.string())
    return pa.table(columns)


def mutate(rng: random.Random, v):
    """One mutation somewhere in the tree (the Rust campaign's kinds)."""
    if isinstance(v, dict) and v and rng.random() < 0.75:
        k = rng.choice(list(v))
        op = rng.randrange(6)
        if op == 0:
            del v[k]
        elif op == 1:
            v[k] = rng.choice(NUMBERS + STRINGS + [None, True, [], {}])
        elif op == 2 and isinstance(v[k], list) and v[k]:
            v[k] = [v[k][0]] * rng.choice([2, 16, 17, 64, 65, 101, 600, 601])
        elif op == 3 and isinstance(v[k], (int, float)) and not isinstance(v[k], bool):
            v[k] = str(v[k])
        else:
            v[k] = mutate(rng, v[k])
        return v
    if isinstance(v, list) and v and rng.random() < 0.75:
        i = rng.randrange(len(v))
        v[i] = mutate(rng, v[i])
        return v
    return rng.choice(NUMBERS + STRINGS + [None, {}, [v]])


def request_table(rng: random.Random, rows: int, seeds):
    texts = []
    for _ in range(rows):
        v = json.loads(json.dumps(rng.choice(seeds)))
        v.pop("_note", None)
        for _ in range(rng.randrange(1, 4)):
            v = mutate(rng, v)
        t = json.dumps(v, allow_nan=True)
        r = rng.random()
        if r < 0.05:
            t = t[: rng.randrange(len(t) + 1)]
        elif r < 0.08:
            t = "\ufeff" + t
        texts.append(None if rng.random() < 0.02 else t)
    return pa.table({"request": pa.array(texts, pa.string())})


def check(table, out, installments: bool) -> int:
    """Every input row answered; returns the rows priced."""
    rows: dict = {}
    for r in out.to_pylist():
        rows.setdefault(r["row"], []).append(r)
    assert sorted(rows) == list(range(table.num_rows)), "rows lost or invented"
    priced = 0
    for k, rs in rows.items():
        if any(r["error"] is not None for r in rs):
            assert len(rs) == 1, (k, rs)
            r = rs[0]
            assert r["error_kind"] and r["error"], r
            assert r["option"] is None, r
            if not installments:
                assert all(r[f] is None for f in FIGURES), r
        else:
            priced += 1
            if not installments:
                assert [r["option"] for r in rs] == list(range(len(rs)))
                for r in rs:
                    assert all(r[f] is not None for f in FIGURES if f not in ("iof_amount",)), r
                    assert math.isfinite(r["annual_cet"]), r
    return priced


def campaign(cases: int, seed: int) -> dict:
    seeds = [json.loads((FIXTURES / p).read_text(encoding="utf-8")) for p in SEEDS]
    stats = {"rows": 0, "tables": 0, "priced": 0, "table_errors": 0, "seconds": 0.0}
    started = time.monotonic()
    t = 0
    while stats["rows"] < cases:
        rng = random.Random(seed * 1_000_003 + t)
        t += 1
        rows = min(ROWS_PER_TABLE, cases - stats["rows"])
        table = flat_table(rng, rows) if rng.random() < 0.5 else request_table(rng, rows, seeds)
        installments = rng.random() < 0.1
        try:
            out = qitech_sim.quote_table(table, installments=installments,
                                         delay_unit=rng.choice(["calendar", "business"]))
        except (ValueError, TypeError) as e:
            assert str(e), "an empty message"
            stats["table_errors"] += 1
        else:
            stats["priced"] += check(table, out, installments)
        stats["rows"] += rows
        stats["tables"] += 1
    stats["seconds"] = round(time.monotonic() - started, 1)
    return stats


def test_quote_table_fuzz():
    if pa is None:
        import pytest

        pytest.skip("pyarrow is not installed")
    cases = int(os.environ.get("QITECH_FUZZ_CASES", "2000"))
    stats = campaign(cases, int(os.environ.get("QITECH_FUZZ_SEED", "1")))
    assert stats["rows"] == cases
    # Mostly answered row by row: the table-wide refusals are the unknown columns.
    assert stats["table_errors"] < stats["tables"] / 5 + 1, stats


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else int(os.environ.get("QITECH_FUZZ_CASES", "1000000"))
    print(json.dumps(campaign(n, int(os.environ.get("QITECH_FUZZ_SEED", "1")))))
