"""DynamoDB attribute-value conversion for adapters (low-level client API, no resource layer)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def to_attributes(values: dict[str, Any]) -> dict[str, Any]:
    return {key: _serializer.serialize(value) for key, value in values.items() if value is not None}


def to_attribute(value: Any) -> dict[str, Any]:
    return _serializer.serialize(value)


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
    return {key: _plain(_deserializer.deserialize(value)) for key, value in item.items()}


def cancellation_codes(error: Any) -> list[str]:
    """The per-item reason codes of a cancelled TransactWriteItems, in request order."""
    reasons = getattr(error, "response", {}).get("CancellationReasons") or []
    return [reason.get("Code", "None") for reason in reasons]
