"""present_value / prepayment: the CLI's ``present-value FILE --date D`` (and ``--prepay AMOUNT
--keep term|installment``), byte for byte, through the same front door."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest

import qitech_sim
from conftest import FIXTURES, read, dates

SIAPE = "siape/simulation_request.json"
PRICING = "siape/pricing.json"
REFINANCED = "surface/refinanced_contract.request.json"


def cli(run_cli, rel, *flags, config=None):
    args = ["present-value", str(FIXTURES / rel), "--compact", *flags]
    if config:
        args += ["--config", str(FIXTURES / config)]
    return run_cli(*args).rstrip("\n")


@pytest.mark.parametrize(
    "rel,date,config,kwargs,flags",
    [
        (SIAPE, "2023-03-14", None, {}, []),
        (SIAPE, "2023-03-14", PRICING, {}, []),
        (SIAPE, "2023-04-07", None, {"paid": 1}, ["--paid", "1"]),
        (SIAPE, "2023-05-01", None, {"paid": 0, "calculate_delay": True},
         ["--paid", "0", "--calculate-delay"]),
        (REFINANCED, "2023-06-20", None, {}, []),
    ],
)
def test_present_value_equals_cli_bytes(run_cli, rel, date, config, kwargs, flags):
    want = cli(run_cli, rel, "--date", date, *flags, config=config)
    cfg = read(config) if config else None
    text = qitech_sim.present_value(read(rel), date, cfg, as_dict=False, **kwargs)
    assert text == want
    assert qitech_sim.present_value(
        json.loads(read(rel)), datetime.date.fromisoformat(date), cfg, **kwargs
    ) == json.loads(want)
    dec = qitech_sim.present_value(read(rel), date, cfg, as_decimal=True, **kwargs)
    assert dec == json.loads(want, parse_float=Decimal, parse_int=Decimal, object_hook=dates)


def test_siape_present_value_on_the_disbursement_date_is_the_issue():
    r = qitech_sim.present_value(read(SIAPE), datetime.date(2023, 3, 14))
    assert r["data"]["balance_due"] == 194.8


@pytest.mark.parametrize("keep", ["term", "installment"])
def test_prepayment_equals_cli_bytes(run_cli, keep):
    want = cli(run_cli, REFINANCED, "--date", "2023-06-20", "--prepay", "500", "--keep", keep)
    text = qitech_sim.prepayment(read(REFINANCED), "2023-06-20", Decimal("500"), keep, as_dict=False)
    assert text == want
    got = qitech_sim.prepayment(read(REFINANCED), datetime.date(2023, 6, 20), 500, keep=keep)
    assert got == json.loads(want)
    assert got["data"]["prepaid_amount"] == 500


def test_refinanced_contract_balance_is_the_contract_present_value():
    """The simulation of a loan refinancing a contract echoes the contract's present value on the
    disbursement date as its due_balance (Python and the CLI share the front door)."""
    body = json.loads(read(REFINANCED))
    pv = qitech_sim.present_value(body["refinanced_credit_operations"][0]["contract"], "2023-03-14")
    sim = qitech_sim.simulate(body)
    assert sim["data"]["refinanced_credit_operations"][0]["due_balance"] == pv["data"]["balance_due"]


def test_errors_carry_kind_and_field():
    with pytest.raises(qitech_sim.InvalidRequest) as e:
        qitech_sim.present_value(read(SIAPE), "2023-03-13")
    assert e.value.kind == "out_of_range" and e.value.field == "date"
    with pytest.raises(qitech_sim.InvalidRequest) as e:
        qitech_sim.present_value(read(SIAPE), "2023-03-14", calculate_spread=True)
    assert e.value.kind == "unsupported" and e.value.field == "calculate_spread"
    with pytest.raises(qitech_sim.InvalidRequest) as e:
        qitech_sim.present_value(read(SIAPE), "2023-3-14")
    assert e.value.field == "date"
    with pytest.raises(qitech_sim.InvalidRequest) as e:
        qitech_sim.prepayment(read(SIAPE), "2023-03-14", "50", keep="both")  # type: ignore[call-overload]
    assert e.value.field == "keep"
    body = json.loads(read(REFINANCED))
    body["refinanced_credit_operations"][0]["contract"]["financial"]["numbr_of_installments"] = 2
    with pytest.raises(qitech_sim.InvalidRequest) as e:
        qitech_sim.simulate(body)
    assert e.value.kind == "invalid"
    assert e.value.field == "refinanced_credit_operations[0].contract.financial.numbr_of_installments"
    assert qitech_sim.simulate(body, allow_unknown_fields=True)["data"]["issue_amount"] > 0
