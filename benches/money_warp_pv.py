"""Cross-check of `qitech-sim present-value` against money-warp (PyPI `money-warp`,
github.com/tomascorrea/money-warp) on random face-value loans.

Both value the same installments (the crate's issued schedule, from `qitech-sim debt`) on a random
date D between the disbursement and the last due date; installments due before D are paid. The
closest money-warp conventions to the crate's:

* `calendar_days` (crate: (1+m_eff)^(d/30), m_eff from round8((1+m)^12 - 1)) <-> money-warp
  `YearSize.banker` (daily (1+a)^(1/360) - 1), the effective annual rate at `precision=8`,
  `ROUND_HALF_EVEN`;
* `calendar_days_365` (crate: (1+annual8)^(d/365)) <-> `YearSize.commercial`, same precision.

Differences by construction: the crate rounds each `present_amount` to cents and sums them;
money-warp sums unrounded and is rounded here once. The last column values each installment alone
in money-warp and rounds it to cents, as the crate does. Usage (a venv with money-warp installed, the
release binary built):

    python benches/money_warp_pv.py [N] [path/to/qitech-sim]
"""

import json
import random
import subprocess
import sys
from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

from money_warp import CashFlow, CashFlowItem, InterestRate, Money, YearSize, present_value
from money_warp.types import CompoundingFrequency

N = int(sys.argv[1]) if len(sys.argv) > 1 else 300
BIN = sys.argv[2] if len(sys.argv) > 2 else "target/release/qitech-sim"
CENT = Decimal("0.01")


def run(args, stdin=None):
    out = subprocess.run([BIN, *args], input=stdin, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main():
    rng = random.Random(20261206)
    stats = defaultdict(lambda: {"n": 0, "equal": 0, "max": Decimal(0), "sum": Decimal(0), "worst": None})
    for _ in range(N):
        base = rng.choice(["calendar_days", "calendar_days_365"])
        m = Decimal(rng.randint(500, 60000)) / Decimal(1_000_000)
        n = rng.randint(1, 96)
        face = Decimal(rng.randint(1000, 500000)) / 100
        disb = date(2023, 1, 2) + timedelta(days=rng.randint(0, 2000))
        first = disb + timedelta(days=rng.randint(10, 70))
        body = {"financial": {
            "installment_face_value": float(face), "number_of_installments": n,
            "monthly_interest_rate": float(m), "interest_base": base,
            "disbursement_date": disb.isoformat(), "first_due_date": first.isoformat()}}
        text = json.dumps(body)
        debt = run(["debt", "-", "--compact"], text)
        last = date.fromisoformat(debt["installments"][-1]["due_date"])
        d = disb + timedelta(days=rng.randint(0, (last - disb).days))
        crate = Decimal(str(run(["present-value", "-", "--date", d.isoformat(), "--compact"], text)["data"]["balance_due"]))
        year = YearSize.banker if base == "calendar_days" else YearSize.commercial
        rate = InterestRate(m, CompoundingFrequency.MONTHLY, precision=8, rounding=ROUND_HALF_EVEN, year_size=year)
        items = [CashFlowItem(Money(str(i["total_amount"])), datetime.fromisoformat(i["due_date"]), "inst", "inst")
                 for i in debt["installments"] if date.fromisoformat(i["due_date"]) >= d]
        mw = present_value(CashFlow(items), rate, datetime(d.year, d.month, d.day)).raw_amount if items else Decimal(0)
        mw = mw.quantize(CENT, rounding=ROUND_HALF_EVEN)
        # Each installment valued alone and rounded to cents, as the crate prints them.
        cents = sum((present_value(CashFlow([i]), rate, datetime(d.year, d.month, d.day)).raw_amount
                     .quantize(CENT, rounding=ROUND_HALF_EVEN) for i in items), Decimal(0))
        diff = abs(crate - mw)
        s = stats[base]
        s["cents_equal"] = s.get("cents_equal", 0) + (crate == cents)
        s["n"] += 1
        s["equal"] += diff == 0
        s["sum"] += diff
        if diff > s["max"]:
            s["max"], s["worst"] = diff, (float(face), n, float(m), disb.isoformat(), d.isoformat(), str(crate), str(mw))
    print("| crate base | money-warp | loans | equal to the cent | mean abs diff | max abs diff | worst (F, n, m, disbursed, D, crate, money-warp) | equal with money-warp rounding each installment |")
    print("|---|---|---|---|---|---|---|---|")
    for base, s in sorted(stats.items()):
        mw = "banker (360)" if base == "calendar_days" else "commercial (365)"
        print(f"| {base} | {mw}, precision 8 | {s['n']} | {s['equal']} | {(s['sum'] / s['n']).quantize(Decimal('0.0001'))} | {s['max']} | {s['worst']} | {s['cents_equal']} |")


if __name__ == "__main__":
    main()
