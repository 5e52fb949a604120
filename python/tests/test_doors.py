"""The door-parity table (fixtures/doors.json): every case gives, through Python, the CLI's bytes
(``event_datetime`` aside), or, when the CLI refuses it, an InvalidRequest naming the same field."""

from __future__ import annotations

import json
import re
import subprocess

import pytest

import qitech_sim
from qitech_sim import _native
from conftest import FIXTURES, REPO

DOORS = FIXTURES / "doors.json"
CASES = json.loads(DOORS.read_text(encoding="utf-8")) if DOORS.exists() else []
CLOCK = re.compile(r'"event_datetime":"[^"]*"')


def cli_args(case):
    o = case["options"]
    args = [case["endpoint"], case["request"], "--compact",
            "--delay-unit", o["delay_unit"], "--option-days", o["option_days"],
            "--natural-iof", o["natural_iof"]]
    if o["allow_unknown_fields"]:
        args.append("--allow-unknown-fields")
    if case["config"]:
        args += ["--config", case["config"]]
    q = case.get("query") or {}
    if "target_change" in q:
        args += ["--target-change", str(q["target_change"])]
    if "installments_range" in q:
        lo, hi = q["installments_range"]
        args += ["--installments-range", f"{lo}..{hi}"]
    return args


def python_text(case):
    o = case["options"]
    flags = (o["delay_unit"], o["option_days"], o["natural_iof"], o["allow_unknown_fields"])
    req = (REPO / case["request"]).read_text(encoding="utf-8")
    cfg = (REPO / case["config"]).read_text(encoding="utf-8") if case["config"] else None
    q = case.get("query") or {}
    if case["endpoint"] == "portability":
        rng = q.get("installments_range")
        return _native.portability(
            req, cfg, flags, False,
            None if q.get("target_change") is None else str(q["target_change"]),
            None if rng is None else f"{rng[0]}..{rng[1]}",
        )
    return getattr(_native, case["endpoint"])(req, cfg, flags, False)


@pytest.mark.skipif(not CASES, reason="fixtures/doors.json not in this tree yet")
@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_python_gives_the_cli_bytes(case, cli):
    p = subprocess.run([str(cli), *cli_args(case)], capture_output=True, text=True, cwd=REPO,
                       stdin=subprocess.DEVNULL)
    if p.returncode == 0:
        assert CLOCK.sub("", python_text(case)) == CLOCK.sub("", p.stdout.strip())
    else:
        with pytest.raises(qitech_sim.InvalidRequest) as info:
            python_text(case)
        assert info.value.field is None or info.value.field in p.stderr
