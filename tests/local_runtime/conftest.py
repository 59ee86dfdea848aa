"""Fixtures for the local runtime tests: one LocalStack per module on the fixture template."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from infra.local.stack import LocalStack

FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE_TEMPLATE = FIXTURES / "fixture.template.json"


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.fixture(scope="module")
def runtime_log() -> Iterator[_Lines]:
    handler = _Lines()
    logger = logging.getLogger("ordertrack.local")
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)


@pytest.fixture(scope="module")
def stack(runtime_log: _Lines) -> Iterator[LocalStack]:
    with LocalStack(
        FIXTURE_TEMPLATE,
        port=0,
        code_root=FIXTURES,
        env={"ORDERTRACK_API_KEY": "test-key", "ORDERTRACK_LOCAL_API_CONCURRENCY": "2"},
    ) as local:
        yield local


@pytest.fixture
def observations(stack: LocalStack) -> Callable[[str], list[Any]]:
    """What the fixture handlers recorded, oldest first, for one kind (sqs, stream, schedule)."""
    table = stack.physical("ObservationsTable4E1F7A2B")

    def read(kind: str) -> list[Any]:
        items = stack.client("dynamodb").query(
            TableName=table,
            KeyConditionExpression="kind = :kind",
            ExpressionAttributeValues={":kind": {"S": kind}},
        )["Items"]
        return [json.loads(item["payload"]["S"]) for item in items]

    return read


def eventually(check: Callable[[], Any], timeout: float = 15.0, interval: float = 0.1) -> Any:
    """Poll ``check`` until it returns something truthy; fail with its last value."""
    deadline = time.monotonic() + timeout
    value = check()
    while not value and time.monotonic() < deadline:
        time.sleep(interval)
        value = check()
    assert value, f"condition not met within {timeout}s"
    return value
