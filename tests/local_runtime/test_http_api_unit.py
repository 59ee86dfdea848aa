"""HTTP API route selection and payload format 2.0 translation, without processes."""

from __future__ import annotations

import base64
from typing import Any, cast

from infra.local.functions import FunctionRuntime
from infra.local.http_api import HttpRequest, Route, RouteTable, build_event, translate_result

FUNCTION = cast(FunctionRuntime, object())


def _table(*keys: str) -> RouteTable:
    table = RouteTable()
    for key in keys:
        table.add(Route.parse(key, FUNCTION))
    return table


def _matched(table: RouteTable, method: str, path: str) -> tuple[str, dict[str, str]] | None:
    found = table.find(method, path)
    return None if found is None else (found[0].route_key, found[1])


def test_most_specific_route_wins() -> None:
    table = _table("GET /pets/dog/1", "GET /pets/dog/{id}", "GET /pets/{proxy+}", "ANY /{proxy+}")
    assert _matched(table, "GET", "/pets/dog/1") == ("GET /pets/dog/1", {})
    assert _matched(table, "GET", "/pets/dog/2") == ("GET /pets/dog/{id}", {"id": "2"})
    assert _matched(table, "GET", "/pets/cat/3/toys") == ("GET /pets/{proxy+}", {"proxy": "cat/3/toys"})
    assert _matched(table, "POST", "/pets/dog/1") == ("ANY /{proxy+}", {"proxy": "pets/dog/1"})


def test_default_route_catches_the_rest_and_no_match_is_none() -> None:
    assert _matched(_table("GET /a", "$default"), "DELETE", "/b") == ("$default", {})
    assert _matched(_table("GET /a"), "GET", "/b") is None
    assert _matched(_table("GET /a/{id}"), "GET", "/a/") is None


def test_event_is_payload_format_2() -> None:
    request = HttpRequest(
        method="POST",
        path="/v1/orders/o%201",
        query="x=1&x=2&y=",
        headers=[
            ("Content-Type", "application/octet-stream"),
            ("Cookie", "a=1; b=2"),
            ("X-Multi", "1"),
            ("x-multi", "2"),
        ],
        body=b"\x00\xff",
        source_ip="127.0.0.1",
    )
    event = build_event(
        request, Route.parse("POST /v1/orders/{order_id}", FUNCTION), {"order_id": "o 1"}, "api", "h:3000"
    )
    assert event["version"] == "2.0"
    assert event["routeKey"] == "POST /v1/orders/{order_id}"
    assert event["rawQueryString"] == "x=1&x=2&y="
    assert event["queryStringParameters"] == {"x": "1,2", "y": ""}
    assert event["cookies"] == ["a=1", "b=2"]
    assert "cookie" not in event["headers"]
    assert event["headers"]["x-multi"] == "1,2"
    assert event["pathParameters"] == {"order_id": "o 1"}
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == b"\x00\xff"
    assert event["requestContext"]["stage"] == "$default"
    assert event["requestContext"]["http"]["method"] == "POST"


def test_results_translate_per_format_2_rules() -> None:
    bare = translate_result({"ok": True})
    assert (bare.status, bare.body) == (200, b'{"ok": true}')
    assert ("Content-Type", "application/json") in bare.headers
    assert translate_result("hello").body == b'"hello"'
    structured: dict[str, Any] = {
        "statusCode": 202,
        "headers": {"x-a": "1"},
        "multiValueHeaders": {"x-b": ["1", "2"]},
        "cookies": ["s=1"],
        "body": base64.b64encode(b"\x01").decode(),
        "isBase64Encoded": True,
    }
    response = translate_result(structured)
    assert response.status == 202
    assert response.body == b"\x01"
    assert ("x-b", "2") in response.headers
    assert ("Set-Cookie", "s=1") in response.headers
