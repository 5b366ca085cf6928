"""A local Spark session for the tests (``local[2]``), skipped with its reason where Spark
cannot start, and a failure instead under CI (CI=true), which must run these tests."""

from __future__ import annotations

import os
import shutil

import pytest


def _unavailable(reason: str):
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"CI must run the Spark tests, but {reason} (scripts/spark-setup.sh installs both)")
    pytest.skip(f"{reason}: install with `bash scripts/spark-setup.sh`")


@pytest.fixture(scope="session")
def spark(tmp_path_factory):
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        _unavailable("PySpark is not installed (pip install '.[spark]')")
    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        _unavailable("Java is not installed (apt-get install openjdk-17-jre-headless)")
    warehouse = tmp_path_factory.mktemp("spark")
    session = (SparkSession.builder.master("local[2]").appName("backcare-tests")
               .config("spark.sql.shuffle.partitions", "2")
               .config("spark.default.parallelism", "2")
               .config("spark.ui.enabled", "false")
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.sql.execution.arrow.pyspark.enabled", "true")
               .config("spark.driver.memory", "1g")
               .config("spark.sql.warehouse.dir", str(warehouse))
               .config("spark.driver.extraJavaOptions", f"-Djava.io.tmpdir={warehouse}")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
