"""The PySpark example (python/examples/spark_quotes.py) in local mode: 100,000 requests through
``mapInArrow`` + ``quote_table``, a sample compared with the CLI's ``batch --summary``."""

from __future__ import annotations

import json
import shutil
import sys
from decimal import Decimal
from pathlib import Path

import pytest

pytest.importorskip("pyspark")
pytest.importorskip("pyarrow")
if shutil.which("java") is None:
    pytest.skip("no Java: Spark cannot start", allow_module_level=True)

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))
import spark_quotes  # noqa: E402

ROWS = 100_000
SAMPLE = 500  # every SAMPLE-th request is compared with the CLI


def test_spark_local_mapinarrow_equals_cli(run_cli):
    spark = spark_quotes.session(2)
    spark.sparkContext.setLogLevel("ERROR")
    try:
        quotes = spark_quotes.quote_dataframe(spark_quotes.requests_dataframe(spark, ROWS, 4))
        quotes = quotes.cache()
        assert quotes.select("id").distinct().count() == ROWS  # every request answered
        assert quotes.filter("error is not null").count() == 0
        sample = quotes.filter(f"id % {SAMPLE} = 0").orderBy("id", "option").collect()
    finally:
        spark.stop()
    ids = list(range(0, ROWS, SAMPLE))
    out = run_cli("batch", "--summary", stdin="\n".join(spark_quotes.request(k) for k in ids) + "\n")
    want = [json.loads(line) for line in out.splitlines()]
    got: dict = {}
    for r in sample:
        got.setdefault(r["id"], []).append(r)
    assert sorted(got) == ids
    for k, w in zip(ids, want):
        rows = got[k]
        assert len(rows) == len(w["options"])
        for r, o in zip(rows, w["options"]):
            assert r["disbursement_date"].isoformat() == o["disbursement_date"]
            for m in ("issue_amount", "iof_amount", "disbursed_issue_amount", "final_disbursement_amount",
                      "first_installment_total"):
                assert r[m] == Decimal(str(o[m])), (k, m)
            assert r["cet"] == Decimal(str(o["cet"])) and r["annual_cet"] == o["annual_cet"]
