"""Quoting a Spark DataFrame of requests with ``mapInArrow``: each executor prices its Arrow
batches with ``qitech_sim.quote_table`` (all its cores, GIL released) and returns the summary
table, one row per disbursement option.

On a cluster, install the same wheel on every executor (``pip install qitech_sim-*.whl`` in the
image or an init script, or ``spark.archives`` with a packed venv); nothing else is needed: the
wheel carries the engine. Locally::

    python python/examples/spark_quotes.py 100000 2     # rows, local[N] cores

prints the rows per second (wall) of the priced DataFrame.
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any, Iterator, Optional

#: The summary table as Spark sees it (``quote_table``'s columns, after the caller's ``id``).
SCHEMA = (
    "id long, row long, option int, disbursement_date date, issue_amount decimal(38,2), "
    "iof_amount decimal(38,2), contract_fee_amount decimal(38,2), "
    "disbursed_issue_amount decimal(38,2), final_disbursement_amount decimal(38,2), "
    "shortfall_amount decimal(38,2), first_installment_total decimal(38,2), cet decimal(38,6), "
    "annual_cet double, error_kind string, error_field string, error string"
)


def quote_dataframe(df: Any, config: Optional[str] = None, **options: Any) -> Any:
    """``df`` (columns ``id`` and ``request``, the JSON body) → the summary DataFrame, with each
    output row's ``id``: ``mapInArrow`` hands each Python worker Arrow batches, priced by
    :func:`qitech_sim.quote_table`."""

    def price(batches: Iterator[Any]) -> Iterator[Any]:
        import pyarrow as pa
        import qitech_sim

        for batch in batches:
            quotes = qitech_sim.quote_table(batch.select(["request"]), config, **options)
            ids = batch.column("id").take(quotes.column("row"))
            for out in quotes.add_column(0, "id", ids).to_batches():
                yield out

    by_value()
    return df.select("id", "request").mapInArrow(price, SCHEMA)


def by_value() -> None:
    """Ship this module's functions to the workers by value (they need not import it)."""
    if __name__ != "__main__":
        from pyspark import cloudpickle

        cloudpickle.register_pickle_by_value(sys.modules[__name__])


def request(k: int) -> str:
    """The k-th request of the example: a payroll loan, face values and terms varying with k."""
    return json.dumps({
        "borrower": {"person_type": "natural"},
        "collaterals": [{"collateral_type": "federal_payroll"}],
        "financial": {
            "installment_face_value": 100 + k % 900 + (k % 100) / 100,
            "number_of_installments": 12 + k % 85,
            "monthly_interest_rate": round(0.015 + (k % 50) / 10000, 4),
            "interest_type": "pre_price_days",
            "disbursement_date": "2024-03-14",
            "first_due_date": "2024-04-07",
            "limit_days_to_disburse": k % 3,
            "credit_operation_type": "ccb",
        },
    })


def session(cores: int) -> Any:
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    return (
        SparkSession.builder.master(f"local[{cores}]")
        .appName("qitech-sim quotes")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", str(cores))
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "10000")
        .getOrCreate()
    )


def requests_dataframe(spark: Any, rows: int, partitions: int) -> Any:
    """``rows`` requests made on the executors (no driver-side list): ``id`` and ``request``."""
    from pyspark.sql.types import StringType

    from pyspark.sql.functions import udf

    by_value()
    make = udf(request, StringType())
    return spark.range(0, rows, numPartitions=partitions).withColumn("request", make("id"))


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    cores = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    spark = session(cores)
    spark.sparkContext.setLogLevel("ERROR")
    df = requests_dataframe(spark, rows, cores).cache()
    df.count()  # the requests made once, outside the timing
    t = time.perf_counter()
    priced = quote_dataframe(df).groupBy().count().collect()[0][0]
    wall = time.perf_counter() - t
    print(f"local[{cores}]: {rows:,} requests → {priced:,} option rows in {wall:.1f} s: "
          f"{rows / wall:,.0f} requests/s, load {os.getloadavg()[0]:.2f}")
    spark.stop()


if __name__ == "__main__":
    main()
