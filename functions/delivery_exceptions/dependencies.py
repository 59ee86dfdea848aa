"""Settings and adapters of the delivery-exception opener, built once per container on first use."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from delivery_exceptions.domain.rules import ExceptionRules, parse_rules
from shared.aws_clients import aws_client
from shared.settings import FunctionSettings

if TYPE_CHECKING:
    from delivery_exceptions.adapters.dynamo_exceptions import DynamoExceptionStore


class OpenerSettings(FunctionSettings):
    orders_table_name: str
    delivery_exception_rules: str = "{}"


@cache
def settings() -> OpenerSettings:
    return OpenerSettings()  # type: ignore[call-arg]


@cache
def rules() -> ExceptionRules:
    return parse_rules(settings().delivery_exception_rules)


@cache
def store() -> DynamoExceptionStore:
    from delivery_exceptions.adapters.dynamo_exceptions import DynamoExceptionStore

    return DynamoExceptionStore(settings().orders_table_name, aws_client("dynamodb"))


def reset() -> None:
    for factory in (settings, rules, store):
        factory.cache_clear()
