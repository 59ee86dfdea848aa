"""The link-signing keys from Secrets Manager, cached per container for five minutes.

The secret (ARN in `LINK_SIGNING_SECRET_ARN`) is JSON: `key`, and `previous_key` during a
rotation. Signing uses `key`; verifying accepts both.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from shared.aws_clients import aws_client

CACHE_SECONDS = 300


@dataclass(frozen=True)
class LinkKeys:
    current: str
    previous: str = ""

    @property
    def accepted(self) -> tuple[str, ...]:
        return tuple(key for key in (self.current, self.previous) if key)


def parse_link_keys(raw: str | bytes | dict[str, Any]) -> LinkKeys:
    document = raw if isinstance(raw, dict) else json.loads(raw)
    current = str(document.get("key") or "")
    if not current:
        raise ValueError("the link-signing secret has no `key`")
    return LinkKeys(current=current, previous=str(document.get("previous_key") or ""))


def link_keys(secret_arn: str) -> LinkKeys:
    return parse_link_keys(_secrets_provider().get(secret_arn, max_age=CACHE_SECONDS))


@cache
def _secrets_provider() -> Any:
    from aws_lambda_powertools.utilities.parameters import SecretsProvider

    return SecretsProvider(boto3_client=aws_client("secretsmanager"))
