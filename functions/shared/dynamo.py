"""DynamoDB attribute-value conversion for adapters (low-level client API, no resource layer)."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable
from decimal import Decimal
from functools import cache
from typing import Any


@cache
def _codecs() -> tuple[Any, Any]:
    # deferred: importing boto3.dynamodb imports all of boto3 (~0.1 s of cold start)
    from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

    return TypeSerializer(), TypeDeserializer()


def to_attributes(values: dict[str, Any]) -> dict[str, Any]:
    serializer = _codecs()[0]
    return {key: serializer.serialize(value) for key, value in values.items() if value is not None}


def to_attribute(value: Any) -> dict[str, Any]:
    return _codecs()[0].serialize(value)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def from_attributes(item: dict[str, Any]) -> dict[str, Any]:
    """Attribute values to plain Python: numbers become int (or float), sets become lists."""
    deserializer = _codecs()[1]
    return {key: _plain(deserializer.deserialize(value)) for key, value in item.items()}


def update_request(sets: dict[str, Any], removes: Iterable[str] = ()) -> dict[str, Any]:
    """`UpdateExpression` with its names and values: SET each attribute of `sets` (plain values,
    serialized here) and REMOVE each of `removes`. Placeholders are the attribute names (`#status`,
    `:status`), so a condition may use them too and add its own."""
    removed = list(removes)
    expression = "SET " + ", ".join(f"#{name} = :{name}" for name in sets)
    if removed:
        expression += " REMOVE " + ", ".join(f"#{name}" for name in removed)
    return {
        "UpdateExpression": expression,
        "ExpressionAttributeNames": {f"#{name}": name for name in [*sets, *removed]},
        "ExpressionAttributeValues": {f":{name}": to_attribute(value) for name, value in sets.items()},
    }


def cancellation_codes(error: Any) -> list[str]:
    """The per-item reason codes of a cancelled TransactWriteItems, in request order."""
    reasons = getattr(error, "response", {}).get("CancellationReasons") or []
    return [reason.get("Code", "None") for reason in reasons]


CURSOR_PATTERN = r"^[A-Za-z0-9_-]{1,2048}$"


def encode_cursor(last_key: dict[str, Any] | None) -> str | None:
    """A page's `LastEvaluatedKey` (string attributes only) as an opaque base64url cursor."""
    if not last_key:
        return None
    plain = {name: value["S"] for name, value in last_key.items()}
    return base64.urlsafe_b64encode(json.dumps(plain, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, names: set[str]) -> dict[str, Any]:
    """The `ExclusiveStartKey` a cursor of `encode_cursor` names; any other text (not base64url, not
    JSON, other key names or types, non-ASCII) is an `InvalidRequest` on `query.cursor`."""
    from shared.errors import InvalidRequest

    plain: Any = None
    if re.fullmatch(CURSOR_PATTERN, cursor):
        try:
            plain = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        except ValueError:  # binascii.Error, UnicodeDecodeError and JSONDecodeError are ValueErrors
            plain = None
    if (
        not isinstance(plain, dict)
        or set(plain) != names
        or not all(isinstance(v, str) for v in plain.values())
    ):
        raise InvalidRequest(
            "The cursor is not one this API returned.",
            details=[{"field": "query.cursor", "issue": "invalid"}],
        )
    return {name: {"S": value} for name, value in plain.items()}


BATCH_GET_LIMIT = 100
"""Keys per BatchGetItem request (DynamoDB's limit)."""


def batch_get(
    client: Any,
    table: str,
    keys: list[dict[str, Any]],
    key_names: tuple[str, ...] = ("pk", "sk"),
    *,
    consistent: bool = False,
) -> list[dict[str, Any]]:
    """The items of `keys` (DynamoDB JSON), in the order of `keys`; keys without an item are left
    out; `consistent`: strongly consistent reads. Read after a query of a keys-only index (the index holds no attributes, so updates that
    leave the index key alone cost no index write). Unprocessed keys are asked again until none is
    left, as the BatchGetItem documentation advises (the SDK's retries already back off on throttling)."""
    found: dict[tuple[str, ...], dict[str, Any]] = {}

    def identity(item: dict[str, Any]) -> tuple[str, ...]:
        return tuple(json.dumps(item[name], sort_keys=True) for name in key_names)

    unique = list({identity(key): key for key in keys}.values())
    for start in range(0, len(unique), BATCH_GET_LIMIT):
        request: dict[str, Any] = {
            table: {"Keys": unique[start : start + BATCH_GET_LIMIT], "ConsistentRead": consistent}
        }
        while request:
            response = client.batch_get_item(RequestItems=request)
            for item in (response.get("Responses") or {}).get(table, []):
                found[identity(item)] = item
            request = response.get("UnprocessedKeys") or {}
    return [found[identity(key)] for key in keys if identity(key) in found]
