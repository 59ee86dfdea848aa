"""The storefront API key: how its secret is laid out and how a presented key is compared.

The secret is JSON: `api_key`, and optionally `previous_api_key` while storefront clients move to a
new key. Used by the API key authorizer and by the storefront function's own check.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Iterable
from typing import Any

API_KEY_HEADER = "x-api-key"
KEY_FIELDS = ("api_key", "previous_api_key")


def keys_in_secret(secret_value: Any) -> list[str]:
    """The accepted keys in the secret's JSON value (none if it is not a JSON object)."""
    document = json.loads(secret_value) if isinstance(secret_value, str) else {}
    if not isinstance(document, dict):
        return []
    return [str(document[name]) for name in KEY_FIELDS if document.get(name)]


def is_accepted_key(presented: str | None, accepted: Iterable[str]) -> bool:
    """Constant-time comparison against every accepted key (each is compared, match or not)."""
    if not presented:
        return False
    matched = False
    for key in accepted:
        if key and hmac.compare_digest(presented.encode(), key.encode()):
            matched = True
    return matched
