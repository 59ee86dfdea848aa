"""Webhook secrets from Secrets Manager: one secret per provider, JSON `{"secret": "..."}`,
cached per container for five minutes (locally the runtime stores `ORDERTRACK_<PROVIDER>_WEBHOOK_SECRET`)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from carriers.models.tracking import Provider

SECRET_CACHE_SECONDS = 300
SECRET_FIELD = "secret"  # noqa: S105 - the name of a JSON field


class SecretsManagerWebhookSecrets:
    def __init__(self, secret_ids: Mapping[Provider, str], provider: Any) -> None:
        self._ids = secret_ids
        self._provider = provider  # a Powertools SecretsProvider

    def __call__(self, provider: Provider) -> str:
        raw = self._provider.get(self._ids[provider], max_age=SECRET_CACHE_SECONDS)
        document = json.loads(raw) if isinstance(raw, str) else {}
        return str(document[SECRET_FIELD])
