"""Hostile input against the storefront API and the survey page: every request that crashed a
function once (schemathesis and by hand) is a 4xx in the error envelope and writes nothing."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import pytest

from tests.factories import FakeLambdaContext, http_event
from tests.integration.conftest import table_items
from tests.integration.service import test_customer_service_api as service_api
from tests.integration.service.test_customer_service_api import Call, delivered_order, page, token_for

env = service_api.env  # the fixtures of the customer-service API tests
call = service_api.call

ORDER = "ord_222222222222222222222222"
SAMPLE_PATH_VALUES = {
    "order_id": ORDER,
    "sku": "TEA-OOLONG-250G",
    "customer_id": "cus_1",
    "complaint_id": "cmp_" + "a" * 24,
    "return_id": "ret_" + "a" * 24,
    "reshipment_id": "rsp_" + "a" * 20,
    "exception_id": "exc_" + "a" * 24,
}


def document(call: Call) -> dict[str, Any]:
    status, body, _ = call("GET", "/openapi.json")
    assert status == 200
    return body


def json_write_routes(call: Call) -> list[tuple[str, str]]:
    routes = []
    for path, operations in document(call)["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content and operation.get("security") != []:
                concrete = re.sub(r"\{(\w+)\}", lambda m: SAMPLE_PATH_VALUES[m.group(1)], path)
                routes.append((method.upper(), concrete))
    return routes


def raw(call_env: Any, method: str, path: str, body: bytes, content_type: str) -> dict[str, Any]:
    from storefront_api.handler import handler

    event = http_event(method, path, None, {"content-type": content_type, "idempotency-key": "k-1"})
    event["body"] = base64.b64encode(body).decode()
    event["isBase64Encoded"] = True
    response = handler(event, FakeLambdaContext())
    return {"status": response["statusCode"], "body": json.loads(response["body"])}


def test_a_body_that_is_not_utf8_is_a_400_on_every_json_write_route(
    call: Call, dynamodb: Any, orders_table: str
) -> None:
    routes = json_write_routes(call)
    assert len(routes) >= 17  # every write route of the document, not a hand-picked few
    for method, path in routes:
        answer = raw(call, method, path, b"\xff", "application/json")
        assert (answer["status"], answer["body"]["error"]["code"]) == (400, "malformed_json"), (method, path)
    assert table_items(dynamodb, orders_table) == []


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "", "application/json; charset=latin-1"],
)
def test_a_body_that_is_not_json_is_a_415_in_the_envelope(
    call: Call, dynamodb: Any, orders_table: str, content_type: str
) -> None:
    answer = raw(call, "POST", f"/v1/orders/{ORDER}/cancel", b'{"reason": "x"}', content_type)
    assert answer["status"] == 415
    assert answer["body"]["error"]["code"] == "unsupported_media_type"
    assert table_items(dynamodb, orders_table) == []


def test_json_with_a_utf8_charset_is_accepted(call: Call) -> None:
    answer = raw(call, "PUT", "/v1/inventory/SKU-1", b'{"on_hand": 3}', "application/json; charset=UTF-8")
    assert answer["status"] == 200


@pytest.mark.parametrize("path", ["/v1/orders?status=received&cursor=%C3%A9", "/v1/complaints?cursor=%C3%A9"])
def test_a_non_ascii_cursor_is_a_400_naming_the_cursor(call: Call, path: str) -> None:
    path = path.replace("%C3%A9", "é")  # API Gateway hands the function decoded query values
    status, body, _ = call("GET", path)
    assert status == 400
    assert body["error"]["details"] == [{"field": "query.cursor", "issue": "invalid"}]


@pytest.mark.parametrize(
    ("path", "unknown"),
    [
        ("/v1/complaints?owner=ops-1", "owner"),
        ("/v1/orders?status=received&customer=cus_1", "customer"),
        ("/v1/inventory/SKU-1?verbose=1", "verbose"),
    ],
)
def test_an_unknown_query_parameter_is_a_400_naming_it(call: Call, path: str, unknown: str) -> None:
    status, body, _ = call("GET", path)
    assert status == 400 and body["error"]["code"] == "unknown_parameter"
    assert body["error"]["details"][0]["field"] == f"query.{unknown}"


@pytest.mark.parametrize("token", ["ord_x.éé", "ord_aaaaaaaaaaaaaaaaaaaaaaaa.é", "ord_x.not-a-mac"])
def test_a_complaint_with_any_bad_token_is_the_same_404(
    call: Call, dynamodb: Any, orders_table: str, token: str
) -> None:
    body = {"token": token, "category": "damage", "description": "Dented."}
    status, answer, _ = call("POST", "/v1/complaints", body, {"idempotency-key": "cmp-x"})
    assert status == 404 and answer["error"]["code"] == "link_not_found"
    assert table_items(dynamodb, orders_table) == []


def test_an_unknown_route_answers_in_the_envelope(call: Call) -> None:
    for path in ("/v1/nope", "/"):
        status, body, _ = call("GET", path)
        assert status == 404 and body["error"]["code"] == "route_not_found"


def test_the_survey_form_refuses_bytes_and_digits_it_cannot_read(
    call: Call, dynamodb: Any, orders_table: str
) -> None:
    order_id = delivered_order(call, dynamodb, orders_table, "fb-hostile")
    token = token_for(order_id)
    before = table_items(dynamodb, orders_table)
    # a Unicode digit int() refuses: the form again with the field marked, nothing stored
    status, html, _ = page("POST", token, {"rating": "²", "comment": "ok"})
    assert status == 400 and 'name="rating"' in html
    # raw bytes that are not UTF-8, and a percent-escape that decodes to none: a 400 page
    from service.handlers.feedback_page import handler

    for body in (b"rating=5&comment=\xff", b"rating=5&comment=%FF"):
        event = http_event(
            "POST", f"/feedback/{token}", None, {"content-type": "application/x-www-form-urlencoded"}
        )
        event["headers"].pop("x-api-key")
        event["pathParameters"] = {"token": token}
        event["body"], event["isBase64Encoded"] = base64.b64encode(body).decode(), True
        response = handler(event, FakeLambdaContext())
        assert response["statusCode"] == 400 and "text/html" in response["headers"]["Content-Type"]
    assert table_items(dynamodb, orders_table) == before


ERROR_RESPONSE = {"$ref": "#/components/schemas/ErrorResponse"}
GATEWAY_REFUSAL = {"$ref": "#/components/schemas/GatewayRefusal"}


def test_the_document_states_every_error_in_the_envelope_and_required_headers(call: Call) -> None:
    contract = document(call)
    schemas = contract["components"]["schemas"]
    assert "HTTPValidationError" not in schemas and "ErrorResponse" in schemas
    for path, operations in contract["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if status.startswith("4") and status not in ("403", "429"):
                    media = next(iter(response["content"]))
                    if media == "application/json":
                        schema = response["content"][media]["schema"]
                        if status == "401" and path.startswith("/v1/") and "webhooks" not in path:
                            # API Gateway's authorizer answers without a key; the envelope during a rotation
                            assert schema == {"oneOf": [GATEWAY_REFUSAL, ERROR_RESPONSE]}, (method, path)
                        else:
                            assert schema == ERROR_RESPONSE, (method, path, status)
                        assert response["x-error-codes"], (method, path, status)
                if status == "403":  # only API Gateway's: the authorizer refused the key
                    assert response["content"]["application/json"]["schema"] == GATEWAY_REFUSAL
    orders = contract["paths"]["/v1/orders"]["post"]
    assert "201" in orders["responses"] and "200" not in orders["responses"]
    header = next(p for p in orders["parameters"] if p["name"] == "idempotency-key")
    assert header["required"] is True
    stats = {p["name"]: p["schema"] for p in contract["paths"]["/v1/stats"]["get"]["parameters"]}
    assert stats["from"]["format"] == "date" and stats["to"]["format"] == "date"
    for provider in ("easypost", "aftership", "kuaidi100", "generic", "17track", "shippo"):
        assert f"/v1/webhooks/{provider}" in contract["paths"]
    assert "text/html" in contract["paths"]["/track/{token}"]["get"]["responses"]["404"]["content"]
