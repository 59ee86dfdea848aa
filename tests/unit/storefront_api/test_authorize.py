"""The storefront API key authorizer: an HTTP API REQUEST authorizer with simple responses.

The event is the payload format 2.0 authorizer request from the API Gateway developer guide
("Control access to HTTP APIs with AWS Lambda authorizers"), kept in events/apigw/."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from shared.api_keys import is_accepted_key, keys_in_secret
from storefront_api import authorize
from storefront_api import authorizer_dependencies as dependencies
from tests.factories import FakeLambdaContext, load_event

SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:StorefrontApiKeySecret-abc"


class FakeSecrets:
    """Powertools' SecretsProvider, as the authorizer uses it: `get(name, max_age=...)`."""

    def __init__(self, value: dict[str, str]) -> None:
        self.value = json.dumps(value)
        self.reads: list[tuple[str, int]] = []

    def get(self, name: str, max_age: int) -> str:
        self.reads.append((name, max_age))
        return self.value


@pytest.fixture
def secrets(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeSecrets]:
    fake = FakeSecrets({"api_key": "local-dev-key"})
    monkeypatch.setenv("API_KEY_SECRET_ARN", SECRET_ARN)
    dependencies.reset()
    monkeypatch.setattr(dependencies, "_secrets_provider", lambda: fake)
    yield fake
    monkeypatch.undo()
    dependencies.reset()


def _request(key: str | None) -> dict[str, Any]:
    event = load_event("apigw/authorize_request.json")
    if key is None:
        del event["headers"]["x-api-key"]
        event["identitySource"] = []
    else:
        event["headers"]["x-api-key"] = key
        event["identitySource"] = [key]
    return event


def test_the_storefront_key_is_authorized(secrets: FakeSecrets) -> None:
    answer = authorize.handler(_request("local-dev-key"), FakeLambdaContext())

    assert answer == {"isAuthorized": True}
    assert secrets.reads == [(SECRET_ARN, dependencies.API_KEY_CACHE_SECONDS)]


@pytest.mark.parametrize("key", ["not-the-key", "local-dev-ke", "local-dev-key ", "LOCAL-DEV-KEY", None])
def test_any_other_key_is_refused(secrets: FakeSecrets, key: str | None) -> None:
    assert authorize.handler(_request(key), FakeLambdaContext()) == {"isAuthorized": False}


def test_the_previous_key_is_accepted_during_a_rotation(secrets: FakeSecrets) -> None:
    secrets.value = json.dumps({"api_key": "new-key", "previous_api_key": "local-dev-key"})

    assert authorize.handler(_request("local-dev-key"), FakeLambdaContext()) == {"isAuthorized": True}
    assert authorize.handler(_request("new-key"), FakeLambdaContext()) == {"isAuthorized": True}


def test_a_refusal_is_logged_without_the_key(secrets: FakeSecrets, caplog: pytest.LogCaptureFixture) -> None:
    authorize.handler(_request("a-secret-guess"), FakeLambdaContext())

    assert [record.getMessage() for record in caplog.records] == ["storefront API key refused"]
    assert "a-secret-guess" not in caplog.text
    assert all("a-secret-guess" not in str(vars(record)) for record in caplog.records)


def test_secret_documents_name_the_accepted_keys() -> None:
    assert keys_in_secret('{"api_key": "a", "previous_api_key": "b"}') == ["a", "b"]
    assert keys_in_secret('{"api_key": "a", "previous_api_key": ""}') == ["a"]
    assert keys_in_secret('["a"]') == []
    assert keys_in_secret(None) == []


def test_no_key_matches_an_empty_list_or_an_empty_key() -> None:
    assert not is_accepted_key("k", [])
    assert not is_accepted_key("", ["", "k"])
    assert not is_accepted_key(None, ["k"])
    assert is_accepted_key("k", ["other", "k"])
