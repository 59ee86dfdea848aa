"""The console page benchmark in small (`benchmarks/console_pages.py`): every GET page of the page
table answers, with the function's own wiring against moto, and no page issues a Scan. Times are
printed by `make bench`, never asserted here."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from benchmarks.console_pages import (
    console_services,
    function_environment,
    page_paths,
    problems,
    report,
    seed,
    time_pages,
)

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


@pytest.fixture
def services(dynamodb: Any, orders_table: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name, value in function_environment(orders_table).items():
        monkeypatch.setenv(name, value)
    from console import dependencies

    yield console_services(NOW)
    dependencies.reset()


def test_every_console_page_answers_through_indexes_only(
    dynamodb: Any, orders_table: str, services: Any
) -> None:
    # Given 200 orders (4 on hold), cases, exceptions, returns and 30 days of aggregates
    seeded = seed(dynamodb, orders_table, 200, NOW)
    assert (seeded.held, seeded.cases, seeded.exceptions, seeded.returns) == (4, 8, 4, 4)
    # When every GET page of the page table is rendered twice
    paths = page_paths(seeded)
    assert {"today", "agents", "review", "orders", "search", "alerts"} <= set(paths)
    figures = time_pages(services, dynamodb, paths, 2)
    # Then each answered as it should, with no Scan, and the report names every page
    assert problems(figures) == []
    operations = {page.page: page.per_render for page in figures}
    assert operations["today"]["Query"] > 0 and "Scan" not in operations["today"]
    assert operations["orders"] and all("Scan" not in ops for ops in operations.values())
    lines = report(figures, seeded)
    assert all(any(line.lstrip().startswith(page) for line in lines) for page in paths)


def test_the_today_page_counts_the_seeded_queues(dynamodb: Any, orders_table: str, services: Any) -> None:
    seed(dynamodb, orders_table, 200, NOW)
    queues = services.queues
    held, cases, exceptions, returns = (
        queues.held_orders(),
        queues.open_cases(),
        queues.open_exceptions(),
        queues.requested_returns(),
    )
    # 4 held (the oldest placed 7 min * 151 ago), 6 of 8 cases active, 3 of 4 exceptions, 2 returns
    assert (held.count, held.oldest_at) == (4, "2026-12-06T15:23:00.000Z")
    assert (cases.count, cases.oldest_at) == (6, "2026-12-06T14:00:00.000Z")
    assert (exceptions.count, exceptions.oldest_at) == (3, "2026-12-06T16:00:00.000Z")
    assert (returns.count, returns.oldest_at) == (2, "2026-12-07T00:00:00.000Z")
    holders = queues.open_cases_by_assignee(100)
    assert holders.complete and holders.counts == {"": 2, "agent@local": 2, "lin@local": 2}
    partial = queues.open_cases_by_assignee(3)
    assert not partial.complete and sum(partial.counts.values()) == 3
