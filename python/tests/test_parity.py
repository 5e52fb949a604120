"""The CLI's options and batch behaviour in Python: natural_iof, allow_unknown_fields, summary,
errors as values, a failing input, the decimal marker, dates with as_decimal."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest

import qitech_sim
from conftest import load, read


def siape(face=100, n=2):
    r = load("siape/simulation_request.json")
    r["financial"]["installment_face_value"] = face
    r["financial"]["number_of_installments"] = n
    return r


def test_natural_iof_is_the_cli_flag(run_cli):
    req = read("siape/simulation_request.json")
    for rule in ("fixed", "dated"):
        want = json.loads(run_cli("simulate", "fixtures/siape/simulation_request.json",
                                  "--compact", "--natural-iof", rule))
        got = qitech_sim.simulate(req, natural_iof=rule)
        assert got["data"] == want["data"]
    with pytest.raises(qitech_sim.InvalidRequest) as info:
        qitech_sim.simulate(req, natural_iof="weekly")
    assert info.value.field == "natural_iof"


def test_allow_unknown_fields():
    req = siape()
    req["financial"]["not_a_qi_field"] = 1
    with pytest.raises(qitech_sim.InvalidRequest) as info:
        qitech_sim.simulate(req)
    assert "not_a_qi_field" in (info.value.field or "")
    plain = qitech_sim.simulate(siape())
    allowed = qitech_sim.simulate(req, allow_unknown_fields=True)
    assert allowed["data"]["issue_amount"] == plain["data"]["issue_amount"]
    cfg = {"contract_fees": [], "a_partner_note": "x"}
    with pytest.raises(qitech_sim.InvalidRequest):
        qitech_sim.simulate(siape(), cfg)
    qitech_sim.simulate(siape(), cfg, allow_unknown_fields=True)


def test_summary_equals_cli_batch_summary(run_cli):
    reqs = [siape(100 + k, 1 + k % 30) for k in range(20)]
    reqs[4]["financial"]["number_of_installments"] = 0
    lines = [json.dumps(r) for r in reqs]
    out = run_cli("batch", "--summary", "--config", "fixtures/siape/pricing.json",
                  stdin="\n".join(lines) + "\n", status=1)
    want = [json.loads(l) for l in out.splitlines()]
    got = list(qitech_sim.batch(lines, read("siape/pricing.json"), summary=True))
    from test_batch import cli_shaped
    assert [cli_shaped(g, w) for g, w in zip(got, want)] == want
    assert qitech_sim.summarize(lines[0], read("siape/pricing.json")) == want[0]


def test_a_failing_input_loses_nothing_consumed():
    def gen():
        for k in range(700):
            yield siape(100 + k, 1 + k % 12)
        raise RuntimeError("the source failed at item 701")

    seen = []
    with pytest.raises(RuntimeError, match="item 701"):
        for r in qitech_sim.batch(gen(), chunk_size=512):
            seen.append(r)
    assert len(seen) == 700
    assert [r["data"]["installments"][0]["total_amount"] for r in seen] == [100 + k for k in range(700)]


def test_keyboard_interrupt_stops_a_chunk():
    import _thread
    import threading

    long = json.dumps(siape(100, 600))  # text: the chunk reaches the engine at once
    threading.Timer(0.5, _thread.interrupt_main).start()
    with pytest.raises(KeyboardInterrupt):
        # About a minute of work in one chunk: the interrupt must be honoured mid-chunk.
        list(qitech_sim.batch([long] * 100_000, chunk_size=100_000, summary=True))


def test_the_decimal_marker_stays_a_string():
    for marker in ("\x00qitech-decimal:", qitech_sim._DEC_MARK):
        req = siape()
        req["requester_key"] = marker + "5"
        req["financial"]["installment_face_value"] = Decimal("100.00")
        r = qitech_sim.summarize(req)
        assert r["requester_key"] == marker + "5"
        assert r["options"][0]["first_installment_total"] == 100


def test_as_decimal_dates_and_numbers():
    r = qitech_sim.simulate(read("siape/simulation_request.json"), read("siape/pricing.json"), as_decimal=True)
    assert r["data"]["issue_amount"] == Decimal("194.8")
    assert r["data"]["disbursement_date"] == datetime.date(2023, 3, 14)
    assert r["data"]["installments"][0]["due_date"] == datetime.date(2023, 4, 7)
    assert isinstance(r["event_datetime"], str)
    s = qitech_sim.summarize(read("siape/simulation_request.json"), as_decimal=True)
    assert s["options"][0]["disbursement_date"] == datetime.date(2023, 3, 14)


def test_profile_through_config():
    base = qitech_sim.simulate(read("siape/simulation_request.json"))
    v2 = qitech_sim.simulate(read("siape/simulation_request.json"), {"profile": "qi-v2"})
    assert base["data"]["issue_amount"] == v2["data"]["issue_amount"]
    with pytest.raises(qitech_sim.InvalidRequest):
        qitech_sim.simulate(read("siape/simulation_request.json"), {"conventions": {"cet": "daily"}})
