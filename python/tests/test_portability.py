"""portability's target_change / installments_range: the CLI's --target-change / --installments-range."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

import qitech_sim
from conftest import read, dates

FILE = "fixtures/airforce/portability.json"


def request():
    return read("airforce/portability.json")


def cli_json(run_cli, *flags):
    return json.loads(run_cli("portability", FILE, *flags))


@pytest.mark.parametrize("target", ["20000", 20000, Decimal("20000"), 20000.0, "20000.00", Decimal("2E+4")])
def test_target_change_equals_cli(run_cli, target):
    want = cli_json(run_cli, "--target-change", "20000")
    got = qitech_sim.portability(request(), target_change=target)
    assert got == want
    assert got["installment_face_value"] == 2613.16  # tests/cli.rs
    assert got["portability"]["change"][0]["final_disbursement_amount"] >= 20000


def test_target_change_with_cents_and_as_decimal(run_cli):
    out = run_cli("portability", FILE, "--target-change", "15625.91")
    got = qitech_sim.portability(json.loads(request()), target_change=Decimal("15625.91"))
    assert got == json.loads(out)
    assert got["installment_face_value"] > 2500  # 15,625.90 is the change at 2,500
    dec = qitech_sim.portability(request(), target_change="15625.91", as_decimal=True)
    assert dec == json.loads(out, parse_float=Decimal, parse_int=Decimal, object_hook=dates)
    assert isinstance(dec["installment_face_value"], Decimal)
    f = qitech_sim.portability(request(), target_change=15625.91)
    assert f == json.loads(out)


@pytest.mark.parametrize("rng", [(94, 96), [94, 96], "94..96", "94..=96"])
def test_installments_range_equals_cli(run_cli, rng):
    want = cli_json(run_cli, "--installments-range", "94..96")
    got = qitech_sim.portability(request(), installments_range=rng)
    assert got == want
    assert [c["number_of_installments"] for c in got["changes"]] == [94, 95, 96]
    assert got["best"]["number_of_installments"] == 96  # tests/cli.rs
    assert got["best"]["final_disbursement_amount"] == 15625.90


@pytest.mark.parametrize("rng", ["1..12", "84..120", "96..96"])
def test_other_ranges_equal_cli(run_cli, rng):
    assert qitech_sim.portability(request(), installments_range=rng) == cli_json(
        run_cli, "--installments-range", rng
    )


def test_range_with_a_config_and_options_equals_cli(run_cli):
    flags = ["--config", "fixtures/siape/pricing.json", "--option-days", "business"]
    want = cli_json(run_cli, "--installments-range", "90..96", *flags)
    got = qitech_sim.portability(
        request(), read("siape/pricing.json"), option_days="business", installments_range=(90, 96)
    )
    assert got == want


def test_neither_is_the_plain_portability(run_cli):
    assert qitech_sim.portability(request(), target_change=None, installments_range=None) == cli_json(run_cli)


def test_both_are_a_conflict(run_cli):
    run_cli("portability", FILE, "--target-change", "1", "--installments-range", "1..2", status=2)
    with pytest.raises(qitech_sim.InvalidRequest) as e:
        qitech_sim.portability(request(), target_change="20000", installments_range=(94, 96))
    assert e.value.kind == "conflict" and e.value.field == "target_change"
    assert "installments_range" in str(e.value) and "target_change" in str(e.value)


@pytest.mark.parametrize("bad", ["abc", "", "NaN", Decimal("NaN"), float("inf"), "20,000"])
def test_target_change_not_an_amount(run_cli, bad):
    if isinstance(bad, str) and bad:
        run_cli("portability", FILE, "--target-change", bad, status=2)
    with pytest.raises(qitech_sim.InvalidRequest) as e:
        qitech_sim.portability(request(), target_change=bad)
    assert e.value.kind == "invalid" and e.value.field == "target_change"
    assert "expected an amount" in str(e.value)


def test_target_change_out_of_reach_is_no_solution():
    with pytest.raises(qitech_sim.InvalidRequest) as e:
        qitech_sim.portability(request(), target_change="100000000000000000")  # tests/reliability.rs
    assert e.value.kind == "no_solution" and e.value.field == "target_change"


@pytest.mark.parametrize(
    "bad,kind",
    [("0..5", "out_of_range"), ("5..1", "out_of_range"), ("1..601", "out_of_range"), ((0, 5), "out_of_range"),
     ((-1, 5), "out_of_range"), ("x", "invalid"), ("1-5", "invalid"), ("1..", "invalid"), ("1...5", "invalid")],
)
def test_installments_range_rejected(run_cli, bad, kind):
    text = bad if isinstance(bad, str) else f"{bad[0]}..{bad[1]}"
    run_cli("portability", FILE, "--installments-range", text, status=2)
    with pytest.raises(qitech_sim.InvalidRequest) as e:
        qitech_sim.portability(request(), installments_range=bad)
    assert e.value.kind == kind and e.value.field == "installments_range"
    assert "expected MIN..MAX within 1..600" in str(e.value)


@pytest.mark.parametrize("kw", [{"target_change": True}, {"target_change": [1]}, {"installments_range": (1, 2, 3)},
                                {"installments_range": (1.0, 2)}, {"installments_range": 5}, {"installments_range": (True, 2)}])
def test_wrong_python_types(kw):
    with pytest.raises(TypeError):
        qitech_sim.portability(request(), **kw)
