"""The typed results, as a type checker sees them: CI runs ``mypy --strict`` on this file.

Run it too: ``python python/examples/typed_usage.py`` prints the figures of a two-installment loan.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import List

import qitech_sim

REQUEST = {
    "borrower": {"person_type": "natural"},
    "collaterals": [{"collateral_type": "federal_payroll"}],
    "financial": {
        "installment_face_value": 100.0,
        "number_of_installments": 2,
        "monthly_interest_rate": 0.0205,
        "interest_type": "pre_price_days",
        "disbursement_date": "2023-03-14",
        "first_due_date": "2023-04-07",
        "limit_days_to_disburse": 3,
        "credit_operation_type": "ccb",
    },
}


def issue_and_cet() -> tuple[float, float]:
    r: qitech_sim.Simulation = qitech_sim.simulate(REQUEST)
    return r["data"]["issue_amount"], r["data"]["cet"]


def exact_dates() -> List[datetime.date]:
    r: qitech_sim.SimulationDecimal = qitech_sim.simulate(REQUEST, as_decimal=True)
    issue: Decimal = r["data"]["issue_amount"]
    assert issue == Decimal("194.8")
    return [i["due_date"] for i in r["data"]["installments"]]


def summaries() -> List[str]:
    lines: List[str] = []
    for answer in qitech_sim.batch([REQUEST, "{oops"], summary=True):
        if "error" in answer:
            lines.append(f"line {answer['line']}: {answer['kind']} at {answer['field']}")
        else:
            first = answer["options"][0]
            lines.append(f"{first['disbursement_date']}: {first['final_disbursement_amount']}")
    return lines


def payoff() -> tuple[float, Decimal, str]:
    """The contract's present value on a date (float and Decimal), and a prepayment as JSON text."""
    pv: qitech_sim.PresentValue = qitech_sim.present_value(REQUEST, datetime.date(2023, 4, 7), paid=1)
    exact: qitech_sim.PresentValueDecimal = qitech_sim.present_value(
        REQUEST, "2023-03-14", as_decimal=True
    )
    after: qitech_sim.Prepayment = qitech_sim.prepayment(REQUEST, "2023-03-14", "50", "installment")
    text: str = qitech_sim.prepayment(REQUEST, "2023-03-14", Decimal("50"), as_dict=False)
    assert after["data"]["balance_after"] < exact["data"]["balance_due"]
    return pv["data"]["balance_due"], exact["data"]["balance_due"], text


if __name__ == "__main__":
    print(issue_and_cet(), exact_dates(), summaries(), payoff())
