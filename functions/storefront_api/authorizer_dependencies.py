"""Settings and the secret reader of the storefront API key authorizer, built once per container."""

from __future__ import annotations

from functools import cache
from typing import Any

from shared.api_keys import keys_in_secret
from shared.aws_clients import aws_client
from shared.settings import FunctionSettings

API_KEY_CACHE_SECONDS = 300


class AuthorizerSettings(FunctionSettings):
    api_key_secret_arn: str


@cache
def settings() -> AuthorizerSettings:
    return AuthorizerSettings()  # type: ignore[call-arg]


@cache
def _secrets_provider() -> Any:
    from aws_lambda_powertools.utilities.parameters import SecretsProvider

    return SecretsProvider(boto3_client=aws_client("secretsmanager"))


def accepted_api_keys() -> list[str]:
    """The storefront keys from Secrets Manager (cached per container, refreshed every 5 minutes)."""
    return keys_in_secret(
        _secrets_provider().get(settings().api_key_secret_arn, max_age=API_KEY_CACHE_SECONDS)
    )


def reset() -> None:
    """Forget the settings and the secret reader (tests change the environment between cases)."""
    settings.cache_clear()
    _secrets_provider.cache_clear()
