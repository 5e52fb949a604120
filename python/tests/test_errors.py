"""The error contract: InvalidRequest(ValueError) with kind, field and value; no panic reaches Python."""

from __future__ import annotations

import pickle

import pytest

import qitech_sim
from conftest import load, read


def bad_siape(**financial):
    req = load("siape/simulation_request.json")
    req["financial"].update(financial)
    return req


def test_zero_installments_names_the_field():
    with pytest.raises(qitech_sim.InvalidRequest) as info:
        qitech_sim.simulate(bad_siape(number_of_installments=0), read("siape/pricing.json"))
    e = info.value
    assert isinstance(e, ValueError)
    assert e.field == "financial.number_of_installments"
    assert e.kind == "out_of_range"
    assert e.value == "0"
    assert str(e) == "financial.number_of_installments: must be between 1 and 600 (got 0)"


def test_same_contract_for_debt_and_portability():
    with pytest.raises(qitech_sim.InvalidRequest) as info:
        qitech_sim.debt(bad_siape(number_of_installments=0))
    assert info.value.field == "financial.number_of_installments"
    p = load("airforce/portability.json")
    del p["outstanding_balance"]
    with pytest.raises(qitech_sim.InvalidRequest) as info:
        qitech_sim.portability(p)
    assert (info.value.kind, info.value.field, info.value.value) == (
        "missing", "outstanding_balance", None,
    )


def test_missing_field():
    req = load("siape/simulation_request.json")
    del req["financial"]["disbursement_date"]
    with pytest.raises(qitech_sim.InvalidRequest) as info:
        qitech_sim.simulate(req)
    assert info.value.kind == "missing"
    assert info.value.field == "financial.disbursement_date"
    assert info.value.value is None


def test_wrong_type_and_bad_date():
    with pytest.raises(qitech_sim.InvalidRequest) as info:
        qitech_sim.simulate(bad_siape(monthly_interest_rate="abc"))
    assert info.value.field == "financial.monthly_interest_rate"
    assert info.value.kind == "wrong_type"
    with pytest.raises(qitech_sim.InvalidRequest) as info:
        qitech_sim.simulate(bad_siape(first_due_date="2023-02-30"))
    assert info.value.field == "financial.first_due_date"
    assert info.value.kind == "invalid"


def test_date_out_of_calendar():
    with pytest.raises(qitech_sim.InvalidRequest) as info:
        qitech_sim.simulate(bad_siape(disbursement_date="1999-03-14", first_due_date="1999-04-07"))
    assert info.value.kind == "date_out_of_range"
    assert info.value.field is not None


def test_invalid_json_text():
    with pytest.raises(qitech_sim.InvalidRequest) as info:
        qitech_sim.simulate("{not json")
    assert info.value.kind == "invalid_json"
    assert info.value.field == "request"
    assert str(info.value).startswith("request: invalid JSON")


def test_bad_config():
    with pytest.raises(qitech_sim.InvalidRequest) as info:
        qitech_sim.simulate(read("siape/simulation_request.json"), "[1, 2")
    assert info.value.kind == "invalid_json"
    assert str(info.value).startswith("config:")
    with pytest.raises(qitech_sim.InvalidRequest):
        qitech_sim.simulate(
            read("siape/simulation_request.json"),
            {"contract_fees": [{"fee_type": "tac", "amount_type": "nonsense", "amount": 1}]},
        )


def test_bad_option_value():
    with pytest.raises(qitech_sim.InvalidRequest) as info:
        qitech_sim.simulate(read("siape/simulation_request.json"), delay_unit="weeks")
    assert info.value.field == "delay_unit"


def test_python_side_errors():
    with pytest.raises(TypeError):
        qitech_sim.simulate(42)  # type: ignore[arg-type]
    with pytest.raises(qitech_sim.InvalidRequest) as info:
        qitech_sim.simulate({"financial": {"monthly_interest_rate": float("nan")}})
    assert info.value.kind == "invalid_json"
    with pytest.raises(qitech_sim.InvalidRequest):
        qitech_sim.simulate({"financial": object()})


def test_the_exception_pickles_with_its_attributes():
    with pytest.raises(qitech_sim.InvalidRequest) as info:
        qitech_sim.simulate(bad_siape(number_of_installments=0))
    e = pickle.loads(pickle.dumps(info.value))
    assert (str(e), e.kind, e.field, e.value) == (
        str(info.value), "out_of_range", "financial.number_of_installments", "0",
    )


def test_a_panic_becomes_an_exception():
    with pytest.raises(qitech_sim.InternalError, match="deliberate test panic"):
        qitech_sim._native._test_panic()
    # and the module still works afterwards
    assert qitech_sim.simulate(read("siape/simulation_request.json"))["data"]["issue_amount"] == 194.8


def test_fuzzed_requests_never_crash():
    import random

    rng = random.Random(7)
    values = [0, -1, 1e308, -1e308, 1e-300, 600, 601, 2**64, "x", None, [], {}, True, "2099-12-31"]
    base = load("siape/simulation_request.json")
    for _ in range(300):
        req = load("siape/simulation_request.json")
        key = rng.choice(list(base["financial"]))
        req["financial"][key] = rng.choice(values)
        try:
            qitech_sim.simulate(req, read("siape/pricing.json"))
        except qitech_sim.InvalidRequest as e:
            assert e.kind in {
                "missing", "wrong_type", "out_of_range", "date_out_of_range", "unsupported",
                "conflict", "invalid", "overflow", "no_solution", "invalid_json",
            }
