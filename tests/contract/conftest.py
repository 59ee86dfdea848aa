"""A local stack of its own for the contract tests: the fuzzer writes hundreds of orders, stock
items and preferences, which must not slow or disturb the e2e journeys on the shared stack."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def contract_stack() -> Iterator[Any]:
    from infra.local.stack import LocalStack
    from infra.synth import ensure_synthesized

    env = {
        "ORDERTRACK_API_KEY": "contract-key",
        "ORDERTRACK_COLLAPSE_WINDOW_SECONDS": "2",
        "ORDERTRACK_RETRY_BASE_SECONDS": "1",
        # two API workers: the fuzzer's workers and the stack's own consumers share two cores
        "ORDERTRACK_LOCAL_API_CONCURRENCY": "2",
    }
    with LocalStack(ensure_synthesized(), port=0, env=env) as local:
        yield local
