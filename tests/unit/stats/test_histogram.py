"""Log-scale duration histograms: bucketing, merging and percentiles with a known error bound."""

from __future__ import annotations

import math
import random

import pytest

from stats.domain.histogram import (
    MAX_BUCKET,
    RELATIVE_ERROR,
    bucket_name,
    bucket_of,
    buckets_from_counters,
    percentile,
)


def histogram(durations: list[float]) -> dict[int, int]:
    buckets: dict[int, int] = {}
    for seconds in durations:
        buckets[bucket_of(seconds)] = buckets.get(bucket_of(seconds), 0) + 1
    return buckets


def nearest_rank(durations: list[float], quantile: float) -> float:
    ordered = sorted(durations)
    return ordered[math.ceil(quantile * len(ordered)) - 1]


def test_buckets_grow_by_a_fixed_ratio_and_are_clamped() -> None:
    assert bucket_of(0) == bucket_of(0.3) == bucket_of(1) == 0
    assert bucket_of(2) == 8 and bucket_of(4) == 16  # eight buckets per doubling
    assert bucket_of(10**12) == MAX_BUCKET
    assert bucket_name(17) == "b017"


def test_an_empty_histogram_has_no_percentile() -> None:
    assert percentile({}, 0.5) is None
    assert percentile({3: 0}, 0.9) is None


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("quantile", [0.5, 0.9])
def test_percentiles_from_merged_days_are_within_the_documented_error(seed: int, quantile: float) -> None:
    # Given durations from seconds to days, counted in two separate days' histograms
    rng = random.Random(seed)
    durations = [rng.lognormvariate(8, 2) for _ in range(5000)]
    day_one, day_two = histogram(durations[:2000]), histogram(durations[2000:])
    # When the days are merged by adding their counters
    merged = buckets_from_counters(
        {bucket_name(i): day_one.get(i, 0) + day_two.get(i, 0) for i in day_one.keys() | day_two.keys()}
    )
    # Then the percentile is within RELATIVE_ERROR of the exact nearest-rank value
    exact = nearest_rank([max(d, 1.0) for d in durations], quantile)
    assert abs(percentile(merged, quantile) - exact) / exact <= RELATIVE_ERROR + 1e-9  # type: ignore[operator]


def test_a_single_duration_is_its_own_median_and_p90() -> None:
    buckets = histogram([3600])
    for quantile in (0.5, 0.9):
        assert abs(percentile(buckets, quantile) - 3600) / 3600 <= RELATIVE_ERROR  # type: ignore[operator]


def test_bucket_counters_ignore_other_attributes() -> None:
    assert buckets_from_counters({"b010": 2, "count": 2, "sum_seconds": 9, "b011": 0}) == {10: 2}
