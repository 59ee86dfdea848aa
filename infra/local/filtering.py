"""Lambda event filtering (``FilterCriteria``): the EventBridge-pattern subset Lambda supports.

A record is delivered if it matches any of the ``Filters``; each filter's ``Pattern`` is a JSON
string. Within a pattern every key must match (AND); a key's list of matchers matches if any
matcher matches (OR); when the record's value is a list, any element may match. Matchers:
exact values (string, number, boolean, ``null``), ``{"prefix": s}``, ``{"suffix": s}``,
``{"equals-ignore-case": s}``, ``{"exists": bool}``, ``{"anything-but": value | [values] |
{"prefix": s}}`` and ``{"numeric": [">", 0, "<=", 5]}``.

For SQS, ``body`` is matched as parsed JSON when the message body is JSON (Lambda's rule); for
DynamoDB streams the record is matched as delivered (``dynamodb.NewImage.status.S`` etc.).
"""

from __future__ import annotations

import json
import operator
from collections.abc import Mapping, Sequence
from typing import Any

_MISSING = object()
_NUMERIC = {"=": operator.eq, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


def compile_filters(filter_criteria: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """The parsed patterns of an event source mapping's ``FilterCriteria`` (empty: deliver all)."""
    patterns = []
    for entry in (filter_criteria or {}).get("Filters") or []:
        pattern = entry.get("Pattern")
        patterns.append(json.loads(pattern) if isinstance(pattern, str) else pattern)
    return patterns


def matches_any(patterns: Sequence[Mapping[str, Any]], record: Mapping[str, Any]) -> bool:
    return not patterns or any(matches(pattern, record) for pattern in patterns)


def matches(pattern: Mapping[str, Any], record: Any) -> bool:
    for key, expected in pattern.items():
        value = record.get(key, _MISSING) if isinstance(record, Mapping) else _MISSING
        if isinstance(expected, Mapping):
            if value is _MISSING or not matches(expected, value):
                return False
        elif isinstance(expected, list):
            if not _matches_rules(expected, value):
                return False
        else:
            raise ValueError(f"filter pattern values must be objects or lists, got {expected!r} for {key!r}")
    return True


def _matches_rules(rules: list[Any], value: Any) -> bool:
    for rule in rules:
        if isinstance(rule, Mapping) and "exists" in rule:
            if (value is not _MISSING) == bool(rule["exists"]):
                return True
            continue
        if value is _MISSING:
            continue
        candidates = value if isinstance(value, list) else [value]
        if any(_matches_rule(rule, candidate) for candidate in candidates):
            return True
    return False


def _matches_rule(rule: Any, value: Any) -> bool:
    if not isinstance(rule, Mapping):
        return _equal(rule, value)
    if "prefix" in rule:
        return isinstance(value, str) and value.startswith(rule["prefix"])
    if "suffix" in rule:
        return isinstance(value, str) and value.endswith(rule["suffix"])
    if "equals-ignore-case" in rule:
        return isinstance(value, str) and value.lower() == str(rule["equals-ignore-case"]).lower()
    if "anything-but" in rule:
        excluded = rule["anything-but"]
        if isinstance(excluded, Mapping):
            return not _matches_rule(excluded, value)
        excluded_values = excluded if isinstance(excluded, list) else [excluded]
        return not any(_equal(item, value) for item in excluded_values)
    if "numeric" in rule:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        conditions = rule["numeric"]
        return all(
            _NUMERIC[conditions[index]](value, conditions[index + 1])
            for index in range(0, len(conditions), 2)
        )
    raise ValueError(f"unsupported filter rule {rule!r}")


def _equal(expected: Any, value: Any) -> bool:
    if isinstance(expected, bool) or isinstance(value, bool):
        return expected is value
    if isinstance(expected, int | float) and isinstance(value, int | float):
        return float(expected) == float(value)
    return expected == value
