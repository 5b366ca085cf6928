"""The Spark session's local-mode defaults: one shuffle partition per core unless chosen."""

from __future__ import annotations

import pytest

pytest.importorskip("pyspark")

from shop.recommendations.spark_training import local_mode_settings  # noqa: E402

pytestmark = pytest.mark.spark


@pytest.mark.parametrize("master", ["local", "local[2]", "local[*]", "local[4,2]"])
def test_local_mode_gets_one_shuffle_partition_per_core(master):
    assert local_mode_settings(master, 2, set()) == {"spark.sql.shuffle.partitions": "2"}


@pytest.mark.parametrize("master", ["spark://spark-master:7077", "yarn", "k8s://https://kubernetes.default.svc"])
def test_a_cluster_keeps_sparks_own_default(master):
    assert local_mode_settings(master, 80, set()) == {}


def test_what_the_user_chose_is_kept():
    assert local_mode_settings("local[2]", 2, {"spark.sql.shuffle.partitions"}) == {}
