"""Benchmark: qitech_sim against money-warp 0.33.0 on the same two quotes, in-process, µs per quote.

Run from the repository root (creates python/.bench-venv with both packages; money-warp is never a
dependency of qitech_sim or of CI)::

    python3 python/bench.py            # sets up the venv on first use, then re-runs itself in it
    python3 python/bench.py --quick    # fewer repetitions
    python3 python/bench.py --throughput [N]   # quotes per CPU-second (no money-warp; needs pyarrow)

The throughput job (``--throughput``, in the current interpreter) prices N (default 20,000) distinct
96-installment quotes (face values 400.00–599.99, 1.50–2.49 % a month, no options window) four
ways and reports each as quotes per CPU-second of the process (user + system time of all its
threads, ``time.process_time``) and per wall-second, with the load average:
``quote_table`` on a pyarrow table of the flat columns, ``quote_table`` on a ``request`` column,
``batch(summary=True)`` over the JSON texts, ``batch`` over dicts (full responses as dicts),
``batch`` over texts with ``as_decimal=True``, and loops of ``simulate`` (dict) and
``simulate_json`` (text), for the ratios. The CLI's ``batch --summary`` on the same lines is the
reference (``qitech-sim batch --summary`` under ``/usr/bin/time``).

Jobs (the same inputs on both sides):

A. face value: 96 monthly installments of BRL 500.00 at 2.05 % a month, disbursed 2023-03-14, first due
   2023-04-07; the schedule, the IOF (0.0082 %/day capped at 365 days + 0.38 %) and the CET.
B. gross-up: the borrower receives BRL 10,000.00 net, 12 monthly installments at 2.05 % a month,
   IOF financed (the principal grossed up so that principal − IOF = 10,000), and the CET.

qitech_sim: ``qitech_sim.simulate(request_json)``: parse the request, price it (QI's pre_price_days
arithmetic, IOF, CET), write QI's full response JSON in Rust, and build the dict from it in Rust
(``python/src/tree.rs``: what ``json.loads`` would give, without it); and
``qitech_sim.simulate_json(request_json)``: the same without the dict (the response as text, for a
caller that forwards it). For job A the dict is about as long as the computation: QI's response
lists the 96 installments twice (``installments`` and the option's), 64 KB of JSON; the second
list is built from copies of the first's rows.

money-warp, the closest equivalent settings, and every difference between the two jobs:

1. Input amount. money-warp has no installment-face-value input: job A first finds the principal as
   the present value of the 96 face values at the loan's daily rate (one pass over the dates, in the
   script, with money-warp's ``InterestRate.to_daily()``), then builds ``Loan(principal, ...)``; its
   PriceScheduler then recomputes the PMT from that principal. qitech_sim takes the face value
   directly (``issue = round2(Σ F/G_k)``).
2. Gross-up. money-warp's ``grossup()`` solves ``p − tax(p) = requested`` with scipy's ``brentq``
   then snaps to cents; qitech_sim searches the smallest cent with ``issue − round2(IOF) ≥
   disbursed``. Both finance the IOF.
3. Rates and day counts. money-warp: ``InterestRate("2.05% m")`` converted to a daily rate with its
   365-day commercial year; qitech_sim: QI's ``calendar_days`` base ``(1+a)^(d/360)`` with
   ``a = round8((1+m)^12 − 1)``. The numbers therefore differ in the cents.
4. IOF. money-warp ``IOF("0.0082%", "0.38%")``: daily and additional IOF per installment principal,
   rounded per installment (PRECISE); qitech_sim: daily per installment principal, additional
   0.38 % on the issue amount, total rounded once. For job A money-warp deducts the IOF from the
   disbursement (``is_grossed_up=False``), as QI does for a face-value loan.
5. CET. money-warp: ``Loan.irr()`` (scipy ``fsolve`` on its expected cash flow, disbursement net of
   tax); qitech_sim: Res. CMN 3.517 IRR with exponent days/365, monthly CET rounded to 4 places.
6. Calendar. money-warp's default ``EveryDayCalendar`` (no business-day roll); qitech_sim rolls
   each ``business_due_date`` on the ANBIMA calendar (extra work on its side).
7. Output. money-warp returns Python objects (the schedule is computed; nothing is serialised);
   qitech_sim returns the full QI response as a dict (installments with all their fields, fees,
   disbursement options): JSON written in Rust and turned into the dict in Rust, included in its
   time.
8. Process. Both in-process, one thread, after a warm-up; the best of several timed rounds.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
VENV = HERE / ".bench-venv"
MONEY_WARP = "money-warp==0.33.0"

DISBURSED_ON = date(2023, 3, 14)
FIRST_DUE = date(2023, 4, 7)
MONTHLY = "0.0205"


def ensure_venv() -> None:
    """Re-run inside python/.bench-venv with qitech_sim (from ./python) and money-warp installed."""
    py = VENV / "bin" / "python"
    if Path(sys.prefix).resolve() == VENV.resolve():
        return
    if not py.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(py), "-m", "pip", "install", "-q", MONEY_WARP], check=True)
    if "--reinstall" in sys.argv or subprocess.run(
        [str(py), "-c", "import qitech_sim"], capture_output=True
    ).returncode:
        subprocess.run([str(py), "-m", "pip", "install", "-q", "--force-reinstall", "--no-deps", str(HERE)], check=True)
    args = [a for a in sys.argv[1:] if a != "--reinstall"]
    os.execv(str(py), [str(py), str(Path(__file__).resolve()), *args])


def request_a() -> str:
    return json.dumps({
        "borrower": {"person_type": "natural"},
        "financial": {
            "installment_face_value": 500.0, "number_of_installments": 96,
            "monthly_interest_rate": float(MONTHLY), "interest_type": "pre_price_days",
            "disbursement_date": DISBURSED_ON.isoformat(), "first_due_date": FIRST_DUE.isoformat(),
            "fine_configuration": {"interest_base": "calendar_days"},
        },
    })


def request_b() -> str:
    return json.dumps({
        "borrower": {"person_type": "natural"},
        "financial": {
            "disbursed_amount": 10000.0, "number_of_installments": 12,
            "monthly_interest_rate": float(MONTHLY), "interest_type": "pre_price_days",
            "disbursement_date": DISBURSED_ON.isoformat(), "first_due_date": FIRST_DUE.isoformat(),
            "fine_configuration": {"interest_base": "calendar_days"},
        },
    })


def timeit(fn, n: int, rounds: int) -> float:
    """Best-of-rounds µs per call."""
    fn()
    best = float("inf")
    for _ in range(rounds):
        t = time.perf_counter()
        for _ in range(n):
            fn()
        best = min(best, (time.perf_counter() - t) / n)
    return best * 1e6


def throughput(n: int) -> None:
    """Quotes per CPU-second of the process through each door (see the module docstring)."""
    import pyarrow as pa

    import qitech_sim

    # Whole cents (money inputs with more than two decimals are refused): round() gives the float
    # whose repr is the cents, as a caller's data would hold it.
    faces = [round(400 + (k * 7919 % 20000) / 100, 2) for k in range(n)]
    rates = [0.015 + (k * 104729 % 100) / 10000 for k in range(n)]
    flat = pa.table({
        "installment_face_value": faces,
        "number_of_installments": [96] * n,
        "monthly_interest_rate": rates,
        "interest_type": ["pre_price_days"] * n,
        "disbursement_date": [DISBURSED_ON.isoformat()] * n,
        "first_due_date": [FIRST_DUE.isoformat()] * n,
        "limit_days_to_disburse": [0] * n,
        "person_type": ["natural"] * n,
    })
    dicts = [{
        "borrower": {"person_type": "natural"},
        "financial": {
            "installment_face_value": f, "number_of_installments": 96, "monthly_interest_rate": r,
            "interest_type": "pre_price_days", "disbursement_date": DISBURSED_ON.isoformat(),
            "first_due_date": FIRST_DUE.isoformat(), "limit_days_to_disburse": 0,
        },
    } for f, r in zip(faces, rates)]
    texts = [json.dumps(d) for d in dicts]
    requests = pa.table({"request": texts})
    small = max(1, n // 10)
    doors = [
        ("`quote_table` (flat columns)", n, lambda: qitech_sim.quote_table(flat)),
        ("`quote_table` (`request` column)", n, lambda: qitech_sim.quote_table(requests)),
        ("`batch(summary=True)` (text in, dict out)", n,
         lambda: list(qitech_sim.batch(texts, summary=True))),
        ("`batch` (full response, dict)", small, lambda: list(qitech_sim.batch(dicts[:small]))),
        ("`batch` (text in, `as_decimal=True`)", small,
         lambda: list(qitech_sim.batch(texts[:small], as_decimal=True))),
        ("loop of `simulate` (dict)", small, lambda: [qitech_sim.simulate(d) for d in dicts[:small]]),
        ("loop of `simulate_json` (text)", small, lambda: [qitech_sim.simulate_json(t) for t in texts[:small]]),
    ]
    rows = []
    for name, count, fn in doors:
        fn()  # warm-up (and the pool's threads)
        cpu, wall = time.process_time(), time.perf_counter()
        fn()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        rows.append((name, count / cpu, count / wall))
    table_rate = rows[0][1]
    print(f"\n{n:,} distinct 96-installment quotes; {os.cpu_count()} cores; "
          f"load average before: {os.getloadavg()[0]:.2f}")
    print("| door | quotes / CPU-s | quotes / wall-s | CPU cost vs `quote_table` |")
    print("|---|---:|---:|---:|")
    for name, per_cpu, per_wall in rows:
        print(f"| {name} | {per_cpu:,.0f} | {per_wall:,.0f} | {table_rate / per_cpu:.1f}× |")
    print(f"load average after: {os.getloadavg()[0]:.2f}; python {sys.version.split()[0]}, "
          f"qitech_sim {qitech_sim.__version__}")


def main() -> None:
    if "--throughput" in sys.argv:
        rest = sys.argv[sys.argv.index("--throughput") + 1:]
        sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
        throughput(int(rest[0]) if rest and rest[0].isdigit() else 20_000)
        return
    ensure_venv()
    # The script's folder holds the source package (without its compiled module): import the installed one.
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
    import money_warp as mw
    import qitech_sim

    quick = "--quick" in sys.argv
    tz = timezone.utc
    rate = mw.InterestRate("2.05% m")
    iof = [mw.IOF("0.0082%", "0.38%")]
    disb = datetime(DISBURSED_ON.year, DISBURSED_ON.month, DISBURSED_ON.day, tzinfo=tz)

    def mw_a():
        dues = [d.date() if isinstance(d, datetime) else d for d in mw.generate_monthly_dates(
            datetime(FIRST_DUE.year, FIRST_DUE.month, FIRST_DUE.day, tzinfo=tz), 96)]
        daily = 1 + rate.to_daily().as_decimal()
        principal = sum(Decimal("500") / daily ** (d - DISBURSED_ON).days for d in dues)
        loan = mw.Loan(mw.Money(principal.quantize(Decimal("0.01"))), rate, dues,
                       disbursement_date=disb, taxes=iof, tz=tz)
        return loan, loan.total_tax, loan.get_original_schedule(), loan.irr()

    def mw_b():
        dues = [d.date() if isinstance(d, datetime) else d for d in mw.generate_monthly_dates(
            datetime(FIRST_DUE.year, FIRST_DUE.month, FIRST_DUE.day, tzinfo=tz), 12)]
        g = mw.grossup(mw.Money("10000"), rate, dues, disb, mw.PriceScheduler, iof, tz)
        loan = g.to_loan()
        return loan, g.total_tax, loan.get_original_schedule(), loan.irr()

    ra, rb = request_a(), request_b()
    jobs = [
        ("A: 96-installment face value + IOF + CET", ra, mw_a),
        ("B: 12-installment gross-up + IOF + CET", rb, mw_b),
    ]

    # What each side computes, to show the jobs are the same loan (differences: see the docstring).
    qa, qb = qitech_sim.simulate(ra)["data"], qitech_sim.simulate(rb)["data"]
    la, ta, _, ia = mw_a()
    lb, tb, _, ib = mw_b()
    print("same loans (numbers differ in the cents by convention, see the docstring):")
    print(f"  A qitech_sim: issue {qa['issue_amount']}, IOF {qa['iof_amount']}, CET {qa['cet']}/month, "
          f"{qa['annual_cet']:.4f}/year")
    print(f"  A money-warp: principal {la.principal}, IOF {ta}, IRR {ia}")
    print(f"  B qitech_sim: issue {qb['issue_amount']}, IOF {qb['iof_amount']}, disbursed "
          f"{qb['disbursed_issue_amount']}, CET {qb['cet']}/month")
    print(f"  B money-warp: principal {lb.principal}, IOF {tb}, IRR {ib}")
    print()
    rows = []
    n, rounds = (300, 3) if quick else (2000, 7)
    for name, req, theirs in jobs:
        us = timeit(lambda: qitech_sim.simulate(req), n, rounds)
        text = timeit(lambda: qitech_sim.simulate_json(req), n, rounds)
        them = timeit(theirs, 3 if quick else 10, rounds)
        rows.append((name, us, text, them))
    print("| job | qitech_sim `simulate` (dict) µs | qitech_sim `simulate_json` (str) µs "
          "| money-warp 0.33.0 µs | ratio (dict) | ratio (str) |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, us, text, them in rows:
        print(f"| {name} | {us:,.1f} | {text:,.1f} | {them:,.0f} | {them / us:,.0f}× | {them / text:,.0f}× |")
    print()
    print(f"python {sys.version.split()[0]}, qitech_sim {qitech_sim.__version__}, "
          f"money-warp {mw.__version__ if hasattr(mw, '__version__') else '0.33.0'}, "
          f"{os.cpu_count()} cores, one thread")


if __name__ == "__main__":
    main()
