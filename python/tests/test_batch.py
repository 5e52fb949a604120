"""batch: input order, error lines naming the 1-based line, equal to the CLI's batch."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

import qitech_sim
from conftest import load, read


def strip(r):
    r = dict(r)
    r.pop("event_datetime", None)
    return r


def requests(n):
    """n distinct requests (face values 100, 101, ...), some with an error in the middle."""
    out = []
    for k in range(n):
        req = load("siape/simulation_request.json")
        req["financial"]["installment_face_value"] = 100 + k
        req["financial"]["number_of_installments"] = 1 + k % 24
        out.append(req)
    return out


def test_order_and_an_error_in_the_middle():
    reqs = requests(40)
    reqs[17]["financial"]["number_of_installments"] = 0
    reqs[25] = "{oops"
    results = list(qitech_sim.batch(reqs, read("siape/pricing.json")))
    assert len(results) == 40
    assert results[17] == {
        "error": "financial.number_of_installments: must be between 1 and 600 (got 0)",
        "field": "financial.number_of_installments",
        "kind": "out_of_range",
        "line": 18,
    }
    assert results[25]["line"] == 26 and results[25]["error"].startswith("line 26: invalid JSON")
    assert results[25]["kind"] == "invalid_json" and results[25]["field"] == "line 26"
    for k, r in enumerate(results):
        if k in (17, 25):
            continue
        assert r["data"]["installments"][0]["total_amount"] == 100 + k
        assert len(r["data"]["installments"]) == 1 + k % 24
        assert strip(r) == strip(qitech_sim.simulate(reqs[k], read("siape/pricing.json")))


def test_chunks_and_lazy_input():
    reqs = requests(23)
    gen = (r for r in reqs)  # any iterable, consumed lazily
    results = list(qitech_sim.batch(gen, chunk_size=5))
    assert [r["data"]["installments"][0]["total_amount"] for r in results] == [100 + k for k in range(23)]
    assert list(qitech_sim.batch([])) == []


def test_python_side_error_keeps_its_line():
    reqs = [read("siape/simulation_request.json"), 42, {"x": float("nan")}]
    results = list(qitech_sim.batch(reqs))
    assert "data" in results[0]
    assert results[1]["line"] == 2 and "must be a dict or a JSON str" in results[1]["error"]
    assert results[1]["kind"] == "wrong_type" and results[1]["field"] is None
    assert results[2]["line"] == 3 and results[2]["kind"] == "invalid_json"


def test_as_decimal():
    (r,) = qitech_sim.batch([read("siape/simulation_request.json")], read("siape/pricing.json"), as_decimal=True)
    assert r["data"]["issue_amount"] == Decimal("194.8")
    (e,) = qitech_sim.batch(["[]"], as_decimal=True)
    assert e["line"] == Decimal(1)


def test_bad_config_raises_at_once():
    with pytest.raises(qitech_sim.InvalidRequest):
        qitech_sim.batch([read("siape/simulation_request.json")], "{")
    with pytest.raises(ValueError):
        qitech_sim.batch([], chunk_size=0)


def test_equals_cli_batch(run_cli):
    reqs = requests(30)
    reqs[9]["financial"]["number_of_installments"] = 0
    lines = [json.dumps(r) for r in reqs]
    lines[20] = "{oops"
    out = run_cli(
        "batch", "--config", "fixtures/siape/pricing.json", stdin="\n".join(lines) + "\n", status=1
    )
    want = [strip(json.loads(l)) for l in out.splitlines()]
    got = [strip(r) for r in qitech_sim.batch(lines, read("siape/pricing.json"))]
    assert got[9]["kind"] == "out_of_range" and got[20]["kind"] == "invalid_json"
    assert [cli_shaped(g, w) for g, w in zip(got, want)] == want


def cli_shaped(got, want):
    """``got`` without ``kind`` / ``field`` when the CLI's error line has not got them (a CLI built
    before its error lines carried them)."""
    if "error" in want and "kind" not in want:
        return {k: v for k, v in got.items() if k not in ("kind", "field")}
    return got
