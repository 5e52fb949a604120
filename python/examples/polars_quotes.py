"""Quoting a polars DataFrame of offers: flat columns in, the summary table back as polars, joined
to the offers by ``row``.

    python python/examples/polars_quotes.py
"""

from __future__ import annotations

import polars as pl

import qitech_sim


def main() -> None:
    offers = pl.DataFrame({
        "installment_face_value": [100.0, 250.0, 480.5, 0.0],
        "number_of_installments": [2, 96, 84, 12],
        "monthly_interest_rate": [0.0205, 0.0185, 0.0179, 0.0185],
        "interest_type": ["pre_price_days"] * 4,
        "disbursement_date": ["2023-03-14"] * 4,
        "first_due_date": ["2023-04-07"] * 4,
        "limit_days_to_disburse": [3, 0, 0, 0],
        "person_type": ["natural"] * 4,
        "collateral_type": ["federal_payroll"] * 4,
    }).with_row_index("row").with_columns(pl.col("row").cast(pl.Int64))
    quotes = pl.from_arrow(qitech_sim.quote_table(offers.drop("row")))
    assert isinstance(quotes, pl.DataFrame)
    joined = offers.join(quotes, on="row", how="left")
    print(joined.select("row", "number_of_installments", "option", "disbursement_date",
                        "issue_amount", "cet", "error_kind", "error_field"))


if __name__ == "__main__":
    main()
