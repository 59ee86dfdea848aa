"""Reading providers' JSON answers without trusting their shape."""

from __future__ import annotations

import json
from typing import Any

from carriers.domain.register_tracking import ProviderUnavailable


def document(provider: str, body: bytes) -> dict[str, Any]:
    """The JSON object of an answer; a body that is not one is a provider fault (retried)."""
    try:
        value = json.loads(body or b"{}")
    except ValueError:
        raise ProviderUnavailable(provider, "answer is not JSON") from None
    if not isinstance(value, dict):
        raise ProviderUnavailable(provider, "answer is not a JSON object")
    return value


def compact(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def text(value: object, limit: int = 200) -> str:
    return str(value if value is not None else "")[:limit]
