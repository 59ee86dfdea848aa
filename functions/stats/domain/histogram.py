"""Fixed log-scale duration histograms: counts per bucket, mergeable by addition.

Bucket `i` holds durations in `[2^(i/8), 2^((i+1)/8))` seconds (bucket 0 also holds everything
below one second, the last bucket everything above `MAX_BUCKET`'s lower bound). Every bucket is
2^(1/8) ≈ 1.0905 times as wide as the one before, so a percentile read from merged buckets is the
bucket's geometric middle and is within `RELATIVE_ERROR` (≈ 4.4 %) of the true nearest-rank value
(sub-second durations excepted: they are reported as about one second).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

BUCKETS_PER_DOUBLING = 8
MAX_BUCKET = BUCKETS_PER_DOUBLING * 26  # 2^26 s ≈ 2.1 years
RELATIVE_ERROR = 2 ** (1 / (2 * BUCKETS_PER_DOUBLING)) - 1
BUCKET_PREFIX = "b"


def bucket_of(seconds: float) -> int:
    if seconds <= 1:
        return 0
    return min(MAX_BUCKET, math.floor(BUCKETS_PER_DOUBLING * math.log2(seconds)))


def bucket_name(index: int) -> str:
    return f"{BUCKET_PREFIX}{index:03d}"


def bucket_value(index: int) -> float:
    """The bucket's geometric middle, in seconds."""
    return float(2 ** ((index + 0.5) / BUCKETS_PER_DOUBLING))


def buckets_from_counters(counters: Mapping[str, int]) -> dict[int, int]:
    """The `bNNN` counters of an aggregate item as {bucket index: count}."""
    buckets: dict[int, int] = {}
    for name, count in counters.items():
        if name.startswith(BUCKET_PREFIX) and name[1:].isdigit() and count > 0:
            buckets[int(name[1:])] = buckets.get(int(name[1:]), 0) + int(count)
    return buckets


def percentile(buckets: Mapping[int, int], quantile: float) -> float | None:
    """Nearest-rank percentile (`quantile` in (0, 1]) of the durations counted in `buckets`,
    or None when they are empty."""
    total = sum(count for count in buckets.values() if count > 0)
    if total == 0:
        return None
    rank = max(1, math.ceil(quantile * total))
    seen = 0
    for index in sorted(buckets):
        if buckets[index] <= 0:
            continue
        seen += buckets[index]
        if seen >= rank:
            return bucket_value(index)
    return bucket_value(max(buckets))  # pragma: no cover - unreachable: seen reaches total
