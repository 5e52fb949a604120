"""Every fixture through Python equals the CLI's output parsed (event_datetime aside)."""

from __future__ import annotations

import json
import threading
from decimal import Decimal

import pytest

import qitech_sim
from conftest import FIXTURES, read, dates

SIMULATE = [
    ("siape/simulation_request.json", "siape/pricing.json"),
    ("siape/simulation_request.json", None),
    ("airforce/simulation_request.json", None),
    ("airforce/simulation_request_4_options.json", None),
    ("airforce/simulation_request_4_options.json", "siape/pricing.json"),
    ("personal_credit/simulation_request.json", None),
    ("personal_credit/debt_request.json", None),
    ("qi-examples/anaue-preprice-5000-2020.request.json", None),
    ("systems/sac-12-10000-2024.request.json", None),
    # The reliability reproducers (numbers at the edges).
    ("reliability/large-amount-f64-printing.json", None),
    ("reliability/batch-amplification-line.json", None),
    ("reliability/negative-rate-identity.json", "reliability/negative-rate-identity-pricing.json"),
    # The conventions' QI examples, each under its configuration (a v2 body answers in the v2 shape).
    ("qi-examples/anaue-preprice-5000-2020.request.json", "qi-examples/anaue-preprice-5000-2020.config.json"),
    ("qi-examples/pt-simulacao-2024.request.json", "qi-examples/pt-simulacao-2024.config.json"),
    ("qi-examples/v2-sim-2025.request.json", None),
    ("qi-examples/v2-sim-2025.request.v2.json", None),
    ("qi-examples/v2-sim-2025.request.reconstructed.json", None),
    # The request surface (issue #9): one request per field implemented there.
    ("surface/calendar_days_365.request.json", None),
    ("surface/desired_installments.request.json", None),
    ("surface/disbursement_window.request.json", None),
    ("surface/due_dates.request.json", None),
    ("surface/fgts_balance.request.json", None),
    ("surface/force_workdays.request.json", None),
    ("surface/month_period.request.json", None),
    ("surface/rebates_tac.request.json", None),
    ("surface/refinanced_accrual.request.json", None),
    ("surface/refinanced_contract.request.json", None),
    ("surface/refinanced_contract.request.json", "surface/refinanced_contract_clt.config.json"),
    ("surface/v2_internal_fee.request.json", "surface/v2_internal_fee.pricing.json"),
    ("siape/simulation_request.json", "surface/siape_rebates.pricing.json"),
    ("siape/simulation_request.json", "surface/move_due_dates.pricing.json"),
    ("reliability/pre-price-face-value-120x8.json", None),
    ("reliability/pre-price-face-value-180x20.json", None),
    ("reliability/face-value-divergence-180x20.json", None),
    ("reliability/amount-above-2pow53-cents.json", None),
]
DEBT = [
    ("qi-examples/bnpl-issue-2026.request.json", None),
    ("qi-examples/bnpl-issue-2026.request.json", "qi-examples/bnpl-issue-2026.config.json"),
    ("personal_credit/debt_request.json", None),
    ("personal_credit/simulation_request.json", None),
    ("siape/simulation_request.json", "siape/pricing.json"),
    ("surface/refinanced_contract.request.json", "surface/refinanced_contract_clt.config.json"),
]
PORTABILITY = [("airforce/portability.json", None), ("surface/portability_contract.request.json", None)]


def cli_args(cmd, request, config):
    args = [cmd, str(FIXTURES / request)]
    if config:
        args += ["--config", str(FIXTURES / config)]
    return args


def strip(r):
    r = dict(r)
    r.pop("event_datetime", None)
    return r


def test_every_request_fixture_is_covered():
    requests = {p.relative_to(FIXTURES).as_posix() for p in FIXTURES.rglob("*.json")}
    requests = {
        p for p in requests
        if "response" not in p and "pricing" not in p and "config" not in p and p != "doors.json"
        and not p.startswith("cet/")
        and p != "reliability/bom-simulation-request.json"
        and not p.startswith("reliability/subcent-")
    }  # doors.json: the door-parity table (test_doors.py); cet/: CET examples, not request bodies;
    # the byte-order-mark file tests the CLI's file reading (a Python caller passes text or a dict);
    # the sub-cent amounts are refusals (every door refuses them alike: test_doors.py)
    covered = {r for r, _ in SIMULATE + DEBT + PORTABILITY}
    assert requests <= covered, requests - covered


@pytest.mark.parametrize("request_file,config", SIMULATE)
def test_simulate_equals_cli(run_cli, request_file, config):
    out = run_cli(*cli_args("simulate", request_file, config))
    cfg = read(config) if config else None
    assert strip(qitech_sim.simulate(read(request_file), cfg)) == strip(json.loads(out))
    dec = json.loads(out, parse_float=Decimal, parse_int=Decimal, object_hook=dates)
    assert strip(qitech_sim.simulate(read(request_file), cfg, as_decimal=True)) == strip(dec)
    assert strip(json.loads(qitech_sim.simulate_json(read(request_file), cfg))) == strip(json.loads(out))


@pytest.mark.parametrize("request_file,config", DEBT)
def test_debt_equals_cli(run_cli, request_file, config):
    out = run_cli(*cli_args("debt", request_file, config))
    cfg = read(config) if config else None
    assert qitech_sim.debt(read(request_file), cfg) == json.loads(out)
    dec = json.loads(out, parse_float=Decimal, parse_int=Decimal, object_hook=dates)
    assert qitech_sim.debt(read(request_file), cfg, as_decimal=True) == dec


@pytest.mark.parametrize("request_file,config", PORTABILITY)
def test_portability_equals_cli(run_cli, request_file, config):
    out = run_cli(*cli_args("portability", request_file, config))
    assert qitech_sim.portability(read(request_file)) == json.loads(out)


def test_options_equal_cli_flags(run_cli):
    f = "airforce/simulation_request_4_options.json"
    out = run_cli(*cli_args("simulate", f, None), "--delay-unit", "business", "--option-days", "business")
    got = qitech_sim.simulate(read(f), delay_unit="business", option_days="business")
    assert strip(got) == strip(json.loads(out))


def test_threads_share_the_engine():
    """Concurrent calls from Python threads (the GIL is released while computing) agree."""
    req, cfg = read("siape/simulation_request.json"), read("siape/pricing.json")
    want = strip(qitech_sim.simulate(req, cfg))
    got, errors = [], []

    def work():
        try:
            for _ in range(50):
                got.append(strip(qitech_sim.simulate(req, cfg)))
        except Exception as e:  # pragma: no cover
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(got) == 200 and all(g == want for g in got)
