"""The stream consumer against moto, fed the canonical stream records of events/dynamodb/: each
record counted once when a batch is delivered again, whole or longer, and the report over HTTP."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl

import pytest

from tests.factories import FakeLambdaContext, http_event, load_event
from tests.integration.conftest import table_items


@pytest.fixture
def consumer(monkeypatch: pytest.MonkeyPatch, orders_table: str) -> Iterator[Any]:
    monkeypatch.setenv("ORDERS_TABLE_NAME", orders_table)
    from stats.handlers import maintain_aggregates

    maintain_aggregates.dependencies.cache_clear()
    yield maintain_aggregates.handler
    maintain_aggregates.dependencies.cache_clear()


@pytest.fixture
def get_stats(monkeypatch: pytest.MonkeyPatch, orders_table: str, api_key_secret: str) -> Any:
    monkeypatch.setenv("ORDERS_TABLE_NAME", orders_table)
    monkeypatch.setenv("API_KEY_SECRET_ARN", api_key_secret)
    from storefront_api import dependencies
    from storefront_api.handler import handler

    for cached in (dependencies.settings, dependencies.aggregates, dependencies._secrets_provider):
        cached.cache_clear()

    def get(query: str) -> tuple[int, Any]:
        event = http_event("GET", "/v1/stats", None, {"x-api-key": "test-key"})
        event["rawQueryString"] = query
        event["queryStringParameters"] = dict(parse_qsl(query, keep_blank_values=True))
        response = handler(event, FakeLambdaContext())
        return response["statusCode"], json.loads(response["body"])

    return get


def test_a_replayed_batch_changes_nothing(consumer: Any, dynamodb: Any, orders_table: str) -> None:
    # Given the sample changes were aggregated
    event = load_event("dynamodb/kpi_changes.json")
    assert consumer(copy.deepcopy(event), FakeLambdaContext()) == {"batchItemFailures": []}
    before = sorted(map(json.dumps, table_items(dynamodb, orders_table)), key=str)
    # When the stream delivers the same batch again (a retry after a timeout)
    assert consumer(copy.deepcopy(event), FakeLambdaContext()) == {"batchItemFailures": []}
    # Then no counter moved
    assert sorted(map(json.dumps, table_items(dynamodb, orders_table)), key=str) == before


def test_a_retry_longer_than_the_first_delivery_counts_each_record_once(
    consumer: Any, get_stats: Any
) -> None:
    # Given the first four records were aggregated and the stream did not learn it (a timeout)
    event = load_event("dynamodb/kpi_changes.json")
    assert consumer({"Records": copy.deepcopy(event["Records"][:4])}, FakeLambdaContext()) == {
        "batchItemFailures": []
    }
    # When the retry from the same record carries the whole batch, twice
    for _ in range(2):
        assert consumer(copy.deepcopy(event), FakeLambdaContext()) == {"batchItemFailures": []}
    # Then the report counts each change once
    status, report = get_stats("from=2026-11-24&to=2026-11-27")
    assert status == 200, report
    assert report["orders"]["received"] == 1 and report["orders"]["confirmed"] == 1
    assert report["delivery"]["delivered"] == 1 and report["notifications"]["sent"] == {"sms": 1}
    assert report["feedback"]["responses"] == 1 and report["feedback"]["ratings"]["4"] == 1
    complaints = report["complaints"]
    assert (complaints["opened"], complaints["resolved"], complaints["overdue"]) == (1, 1, 0)
    # a sample without `first_response_at`: its resolution is its first response
    assert complaints["by_category"] == {"delivery": 1} and complaints["first_response"]["count"] == 1
    assert report["returns"] == {"requested": 1}


def test_sample_changes_reach_the_report(consumer: Any, get_stats: Any) -> None:
    consumer(load_event("dynamodb/kpi_changes.json"), FakeLambdaContext())
    status, report = get_stats("from=2026-11-24&to=2026-11-27")
    assert status == 200, report
    assert (report["from"], report["to"], report["days"]) == ("2026-11-24", "2026-11-27", 4)
    assert report["orders"]["received"] == 1 and report["orders"]["confirmed"] == 1
    assert report["orders"]["received_to_confirmed"]["count"] == 1
    assert abs(report["orders"]["received_to_confirmed"]["median_seconds"] - 42) <= 42 * 0.045
    assert report["delivery"]["delivered"] == 1 and report["delivery"]["on_time_rate"] == 1.0
    assert report["notifications"]["sent"] == {"sms": 1}
    feedback = report["feedback"]
    assert (feedback["responses"], feedback["invitations"], feedback["csat"], feedback["nps"]) == (
        1,
        1,
        1.0,
        0.0,
    )
    assert feedback["ratings"]["4"] == 1 and feedback["ratings"]["5"] == 0  # the edit replaced the 5
    complaints = report["complaints"]
    assert (complaints["opened"], complaints["resolved"], complaints["overdue"]) == (1, 1, 0)
    # a sample without `first_response_at`: its resolution is its first response
    assert complaints["by_category"] == {"delivery": 1} and complaints["first_response"]["count"] == 1
    assert report["returns"] == {"requested": 1}


def test_a_day_without_figures_and_bad_ranges(get_stats: Any) -> None:
    status, report = get_stats("from=2026-01-01&to=2026-01-01")
    assert status == 200 and report["orders"]["received"] == 0
    status, error = get_stats("from=2026-01-01&to=2027-06-01")
    assert status == 422 and error["error"]["code"] == "validation_failed"
    assert error["error"]["details"][0]["field"] == "query.to"
    status, error = get_stats("from=01/01/2026&to=2026-01-02")
    assert status == 422 and error["error"]["details"][0]["field"] == "query.from"
    status, error = get_stats("to=2026-01-02")
    assert status == 422 and error["error"]["details"][0]["field"] == "query.from"
