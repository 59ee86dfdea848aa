"""Provider API keys from Secrets Manager, one secret per provider, JSON `{"api_key": "..."}`
(Kuaidi100 also `"customer"`), cached per container for five minutes. The stack creates each
secret with a generated placeholder; the merchant puts the real key in (README, "Carriers")."""

from __future__ import annotations

import json
from typing import Any

SECRET_CACHE_SECONDS = 300
KEY_FIELD = "api_key"
CUSTOMER_FIELD = "customer"


class SecretsManagerProviderKeys:
    def __init__(self, provider: Any) -> None:
        self._provider = provider  # a Powertools SecretsProvider

    def field(self, secret_id: str, name: str) -> str:
        raw = self._provider.get(secret_id, max_age=SECRET_CACHE_SECONDS)
        document = json.loads(raw) if isinstance(raw, str) else {}
        return str(document.get(name) or "")
