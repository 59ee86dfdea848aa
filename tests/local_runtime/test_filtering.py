"""Lambda FilterCriteria: the EventBridge pattern subset."""

from __future__ import annotations

import json

from infra.local.filtering import compile_filters, matches, matches_any

RECORD = {
    "eventName": "INSERT",
    "dynamodb": {
        "NewImage": {"status": {"S": "PLACED"}, "total": {"N": "12"}},
        "Keys": {"pk": {"S": "ORDER#1"}},
    },
    "amount": 12,
    "tags": ["a", "b"],
}


def test_exact_values_prefix_and_nested_keys() -> None:
    assert matches({"eventName": ["INSERT", "MODIFY"]}, RECORD)
    assert not matches({"eventName": ["REMOVE"]}, RECORD)
    assert matches({"dynamodb": {"Keys": {"pk": {"S": [{"prefix": "ORDER#"}]}}}}, RECORD)
    assert not matches({"dynamodb": {"Keys": {"pk": {"S": [{"prefix": "ITEM#"}]}}}}, RECORD)
    assert matches({"tags": ["b"]}, RECORD)


def test_exists_anything_but_and_numeric() -> None:
    assert matches({"dynamodb": {"OldImage": [{"exists": False}]}}, RECORD)
    assert not matches({"dynamodb": {"OldImage": [{"exists": True}]}}, RECORD)
    assert matches({"eventName": [{"anything-but": ["REMOVE"]}]}, RECORD)
    assert not matches({"eventName": [{"anything-but": "INSERT"}]}, RECORD)
    assert matches({"eventName": [{"anything-but": {"prefix": "MOD"}}]}, RECORD)
    assert matches({"amount": [{"numeric": [">", 10, "<=", 12]}]}, RECORD)
    assert not matches({"amount": [{"numeric": [">", 12]}]}, RECORD)
    assert not matches({"missing": ["x"]}, RECORD)


def test_filters_are_ored_and_no_filters_deliver_everything() -> None:
    patterns = compile_filters(
        {
            "Filters": [
                {"Pattern": json.dumps({"eventName": ["REMOVE"]})},
                {"Pattern": json.dumps({"amount": [12]})},
            ]
        }
    )
    assert matches_any(patterns, RECORD)
    assert matches_any(compile_filters(None), RECORD)
    assert not matches_any(compile_filters({"Filters": [{"Pattern": '{"eventName": ["REMOVE"]}'}]}), RECORD)
