"""QI's documented numbers, through Python (SIAPE simulation, personal-credit issuance, portability)."""

from __future__ import annotations

import json
from decimal import Decimal

import qitech_sim
from conftest import load, read


def siape(**kw):
    return qitech_sim.simulate(
        read("siape/simulation_request.json"), read("siape/pricing.json"), **kw
    )


def test_siape_simulation_golden_numbers():
    r = siape()
    d = r["data"]
    assert d["issue_amount"] == 194.8
    assert d["iof_amount"] == 1.36
    assert d["disbursed_issue_amount"] == 191.49
    assert d["cet"] == 0.0346
    assert d["annual_cet"] == 0.5040756794535896
    assert d["assignment_amount"] == 196.75
    assert d["installments"][0]["pre_fixed_amount"] == 3.1882715773
    assert d["installments"][1]["pre_fixed_amount"] == 2.0088192272
    assert [i["total_amount"] for i in d["installments"]] == [100, 100]
    assert r["status"] == "finished" and r["type"] == "debt"


def test_siape_from_dicts_equals_from_text():
    a = siape()
    b = qitech_sim.simulate(load("siape/simulation_request.json"), load("siape/pricing.json"))
    a.pop("event_datetime"), b.pop("event_datetime")
    assert a == b


def test_siape_as_decimal():
    d = siape(as_decimal=True)["data"]
    assert d["issue_amount"] == Decimal("194.8")
    assert isinstance(d["issue_amount"], Decimal)
    assert d["annual_cet"] == Decimal("0.5040756794535896")
    assert d["installments"][0]["pre_fixed_amount"] == Decimal("3.1882715773")
    # integers too
    assert isinstance(d["installments"][0]["total_amount"], Decimal)
    assert d["installments"][0]["total_amount"] == Decimal(100)


def test_decimal_and_date_values_in_a_request_dict():
    import datetime

    req = load("siape/simulation_request.json")
    f = req["financial"]
    f["monthly_interest_rate"] = Decimal("0.0205")
    f["installment_face_value"] = Decimal("100.00")
    f["disbursement_date"] = datetime.date(2023, 3, 14)
    r = qitech_sim.simulate(req, load("siape/pricing.json"))
    assert r["data"]["issue_amount"] == 194.8
    assert r["data"]["cet"] == 0.0346


def test_event_datetime_is_the_utc_clock():
    import re

    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", siape()["event_datetime"])


def test_personal_credit_debt_golden_numbers():
    d = qitech_sim.debt(read("personal_credit/debt_request.json"))
    assert d["issue_amount"] == 80833.26
    assert d["installments"][0]["total_amount"] == 81016.77
    assert d["installments"][0]["pre_fixed_amount"] == 183.5073246195304
    assert d["base_iof"] == 33.141637696905995
    assert d["additional_iof"] == 307.166388
    assert d["total_iof"] == 340.31
    assert d["cet"] == "4,0200%"
    assert d["annual_cet"] == "60,4731%"


def test_airforce_portability_change_per_option():
    p = qitech_sim.portability(read("airforce/portability.json"))
    assert [c["final_disbursement_amount"] for c in p["change"]] == [
        15625.90, 15693.65, 15761.43, 15829.27,
    ]
    assert [c["disbursement_date"] for c in p["change"]] == [
        "2023-03-22", "2023-03-23", "2023-03-24", "2023-03-25",
    ]
    assert p["bridge_loan"]["installments"][0]["total_amount"] == 81016.77
    pd = qitech_sim.portability(json.loads(read("airforce/portability.json")), as_decimal=True)
    assert pd["change"][0]["final_disbursement_amount"] == Decimal("15625.9")
