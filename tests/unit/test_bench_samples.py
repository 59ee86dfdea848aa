"""The benchmark's carrier samples are re-dated to the day they are posted (fixed-date samples age)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from benchmarks.notifications import CARRIER_STEPS, GENERIC, redated


def test_the_samples_move_together_to_end_at_the_given_time() -> None:
    samples = [json.loads((GENERIC / step).read_text(encoding="utf-8")) for step in CARRIER_STEPS]
    last = datetime(2031, 3, 9, 8, 0, tzinfo=UTC)
    moved = redated(samples, last)

    def times(documents: list[dict]) -> list[datetime]:  # type: ignore[type-arg]
        return [datetime.fromisoformat(c["occurred_at"]) for d in documents for c in d["checkpoints"]]

    before, after = times(samples), times(moved)
    assert max(after) == last
    assert [b - before[0] for b in before] == [a - after[0] for a in after]  # spacing kept
    shift = last - max(before)
    estimate = [d["estimated_delivery"] for d in moved if d.get("estimated_delivery")]
    original = [d["estimated_delivery"] for d in samples if d.get("estimated_delivery")]
    assert estimate and all(
        datetime.fromisoformat(e).date() - datetime.fromisoformat(o).date() == timedelta(days=shift.days)
        for e, o in zip(estimate, original, strict=True)
    )
    assert samples[0]["checkpoints"][0]["occurred_at"].startswith("2025-")  # the samples are untouched
