"""Quoting a Dask DataFrame of requests with ``map_partitions``: each partition (a pandas
DataFrame of flat columns or a ``request`` column) is priced by ``qitech_sim.quote_table`` and
comes back as the summary table. Across machines, run it on a ``dask.distributed`` cluster whose
workers have the wheel installed.

    python python/examples/dask_quotes.py 20000
"""

from __future__ import annotations

import sys
from typing import Any

import pandas as pd


def quote_partition(part: pd.DataFrame, config: Any = None) -> pd.DataFrame:
    """One partition's quotes, ``row`` renumbered to the partition's index labels."""
    import qitech_sim

    quotes = qitech_sim.quote_table(part, config).to_pandas()
    quotes["row"] = part.index.to_numpy()[quotes["row"].to_numpy()]
    return quotes


def main() -> None:
    import dask.dataframe as dd

    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    offers = pd.DataFrame({
        "installment_face_value": [100 + k % 900 for k in range(rows)],
        "number_of_installments": [12 + k % 85 for k in range(rows)],
        "monthly_interest_rate": [0.0185] * rows,
        "interest_type": ["pre_price_days"] * rows,
        "disbursement_date": ["2024-03-14"] * rows,
        "first_due_date": ["2024-04-07"] * rows,
        "person_type": ["natural"] * rows,
        "collateral_type": ["federal_payroll"] * rows,
    })
    ddf = dd.from_pandas(offers, npartitions=4)
    meta = quote_partition(offers.head(1)).iloc[:0]
    quotes = ddf.map_partitions(quote_partition, meta=meta).compute()
    print(quotes.groupby("option")["issue_amount"].count())
    print(f"{len(quotes):,} option rows for {rows:,} offers; errors: {quotes['error'].notna().sum()}")


if __name__ == "__main__":
    main()
