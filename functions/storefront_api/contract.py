"""What the generated OpenAPI document cannot know: the error statuses and codes each storefront
operation can answer beyond the defaults (`shared.openapi_contract`), the operations that answer
201, and the public routes served by other functions of the same API (webhooks, tracking page,
survey page). Kept next to the routes; `tests/contract` proves the document against the stack."""

from __future__ import annotations

from typing import Any

ILLEGAL = ("illegal_transition",)
REUSED = ("idempotency_key_reused",)

ERRORS: dict[str, dict[int, tuple[str, ...]]] = {
    "POST /v1/orders": {422: REUSED},
    "POST /v1/orders/{order_id}/payment": {409: ILLEGAL},
    "POST /v1/orders/{order_id}/cancel": {409: ILLEGAL},
    "POST /v1/orders/{order_id}/review": {409: ILLEGAL},
    "POST /v1/orders/{order_id}/shipments": {409: (*ILLEGAL, "conflict", "shipment_exceeds_reservation")},
    "PATCH /v1/orders/{order_id}": {
        409: ("order_already_shipped", *ILLEGAL, "insufficient_stock", "conflict"),
        422: REUSED,
    },
    "POST /v1/orders/{order_id}/reshipments": {
        409: ("reshipment_not_allowed", "reshipment_quantity_exceeded", "insufficient_stock", "conflict"),
        422: REUSED,
    },
    "POST /v1/orders/{order_id}/reshipments/{reshipment_id}/shipment": {
        409: ("conflict", "shipment_exceeds_reservation")
    },
    "GET /v1/inventory/{sku}": {404: ("unknown_sku",)},
    "PUT /v1/inventory/{sku}": {409: ("stock_below_reserved",)},
    "POST /v1/inventory/{sku}/adjustments": {
        404: ("unknown_sku",),
        409: ("adjustment_below_reserved",),
        422: REUSED,
    },
    "GET /v1/inventory/{sku}/history": {404: ("unknown_sku",)},
    "POST /v1/orders/{order_id}/feedback": {409: ("conflict", *ILLEGAL), 410: ("link_expired",)},
    "POST /v1/complaints": {
        404: ("not_found", "link_not_found"),
        409: ("conflict",),
        410: ("link_expired",),
        422: REUSED,
    },
    "POST /v1/complaints/{complaint_id}/resolve": {409: (*ILLEGAL, "conflict")},
    # cases (docs/cases.md)
    "POST /v1/complaints/{complaint_id}/assign": {409: (*ILLEGAL, "conflict")},
    "POST /v1/complaints/{complaint_id}/notes": {409: ("conflict",), 422: REUSED},
    "POST /v1/complaints/{complaint_id}/replies": {409: ("conflict",), 422: REUSED},
    "POST /v1/complaints/{complaint_id}/close": {409: (*ILLEGAL, "conflict")},
    "POST /v1/complaints/{complaint_id}/reopen": {409: (*ILLEGAL, "conflict", "case_already_open")},
    "POST /v1/orders/{order_id}/returns": {
        409: ("return_not_allowed", "return_quantity_exceeded", "conflict"),
        422: REUSED,
    },
    **{
        f"POST /v1/orders/{{order_id}}/returns/{{return_id}}/{action}": {
            409: (*ILLEGAL, "conflict"),
            422: REUSED,
        }
        for action in ("approve", "reject")
    },
    "POST /v1/orders/{order_id}/returns/{return_id}/receive": {
        # an exchange's replacement is opened on receipt: the reshipment's refusals apply
        409: (
            *ILLEGAL,
            "conflict",
            "receipt_mismatch",
            "unknown_sku",
            "reshipment_not_allowed",
            "reshipment_quantity_exceeded",
            "insufficient_stock",
        ),
        422: REUSED,
    },
    "POST /v1/orders/{order_id}/returns/{return_id}/refund": {
        409: (*ILLEGAL, "conflict", "refund_not_allowed"),
        422: (*REUSED, "refund_amount_invalid"),
    },
    "POST /v1/orders/{order_id}/returns/{return_id}/shipment": {409: (*ILLEGAL, "conflict")},
    "GET /v1/customers/{customer_id}": {404: ("not_found",)},
    "GET /v1/customers/{customer_id}/export": {404: ("not_found",)},
    "DELETE /v1/customers/{customer_id}": {404: ("not_found",)},
    # delivery exceptions (docs/exceptions.md)
    "POST /v1/exceptions/{exception_id}/assign": {409: (*ILLEGAL, "conflict")},
    "POST /v1/exceptions/{exception_id}/actions": {
        # reship: the Replacements port's refusals (docs/reshipments.md)
        409: (
            *ILLEGAL,
            "conflict",
            "reshipment_not_allowed",
            "reshipment_quantity_exceeded",
            "insufficient_stock",
        ),
        422: (*REUSED, "refund_not_allowed"),
    },
    "GET /v1/alerts": {422: ("validation_failed",)},  # a cursor this API did not return
    "GET /v1/feedback": {422: ("validation_failed",)},  # `to` before `from`, over 92 days, a bad cursor
}

SUCCESSES: dict[str, tuple[int, ...]] = {
    "POST /v1/complaints": (200, 201),  # 201 a new case, 200 added to the order's open case
    "POST /v1/orders/{order_id}/returns": (201,),
    "POST /v1/orders/{order_id}/reshipments": (201,),
    "POST /v1/orders/{order_id}/feedback": (200, 201),  # 201 the first time, 200 for an edit
}


def _to(method: str, path: str, **parameters: str) -> dict[str, Any]:
    """An OpenAPI link to another operation (`operationRef`), its parameters taken from this answer."""
    pointer = path.replace("~", "~0").replace("/", "~1")
    return {"operationRef": f"#/paths/{pointer}/{method.lower()}", "parameters": parameters}


_ORDER = "$response.body#/order_id"
LINKS: dict[str, dict[int, dict[str, Any]]] = {
    # place an order, then read it and act on it (schemathesis' stateful phase follows these)
    "POST /v1/orders": {
        201: {
            "GetOrder": _to("GET", "/v1/orders/{order_id}", order_id=_ORDER),
            "CancelOrder": _to("POST", "/v1/orders/{order_id}/cancel", order_id=_ORDER),
            "PayOrder": _to("POST", "/v1/orders/{order_id}/payment", order_id=_ORDER),
            "OrderNotifications": _to("GET", "/v1/orders/{order_id}/notifications", order_id=_ORDER),
            "OrderReturns": _to("GET", "/v1/orders/{order_id}/returns", order_id=_ORDER),
        }
    },
    "PUT /v1/inventory/{sku}": {
        200: {
            "GetStock": _to("GET", "/v1/inventory/{sku}", sku="$request.path.sku"),
            "AdjustStock": _to("POST", "/v1/inventory/{sku}/adjustments", sku="$request.path.sku"),
            "StockHistory": _to("GET", "/v1/inventory/{sku}/history", sku="$request.path.sku"),
        }
    },
    "POST /v1/complaints": {
        201: {
            "GetComplaint": _to(
                "GET", "/v1/complaints/{complaint_id}", complaint_id="$response.body#/complaint_id"
            ),
            "ResolveComplaint": _to(
                "POST", "/v1/complaints/{complaint_id}/resolve", complaint_id="$response.body#/complaint_id"
            ),
        }
    },
}

_ERROR = {"$ref": "#/components/schemas/ErrorResponse"}
_HTML = {"text/html": {"schema": {"type": "string"}}}


def _json_error(description: str, codes: tuple[str, ...]) -> dict[str, Any]:
    return {
        "description": f"{description}. Codes: {', '.join(f'`{code}`' for code in codes)}.",
        "x-error-codes": list(codes),
        "content": {"application/json": {"schema": _ERROR}},
    }


_WEBHOOKS = {
    # provider: (media type, signature header or None, acknowledgement example, description)
    "easypost": (
        "application/json",
        "x-hmac-signature",
        {"received": True},
        "EasyPost Event. `tracker.created` / `tracker.updated` are applied; every other Event of the account "
        "(`batch.updated`, `payment.completed`, ...) and, outside dev, test-mode events get the same 200 and are ignored",
    ),
    "aftership": (
        "application/json",
        "aftership-hmac-sha256",
        {"received": True},
        "AfterShip tracking update",
    ),
    "17track": (
        "application/json",
        "sign",
        {"received": True},
        "17TRACK TRACKING_UPDATED / TRACKING_STOPPED",
    ),
    "generic": (
        "application/json",
        "ordertrack-signature",
        {"received": True},
        "ordertrack's own format (docs/carrier-webhooks.md); dates outside 2000-01-01 .. a year ahead are a 400",
    ),
    "shippo": (
        "application/json",
        None,
        {"received": True},
        "Shippo `track_updated` webhook; other Shippo events (`transaction_created`, `batch_created`, ...) "
        "get the same 200 and are ignored. Shippo signs nothing: the webhook URL carries our secret as `?token=`",
    ),
    "kuaidi100": (
        "application/x-www-form-urlencoded",
        None,
        {"result": True, "returnCode": "200", "message": "成功"},
        "Kuaidi100 subscription push: form fields `param` (JSON) and `sign` (MD5 of param + salt)",
    ),
}


def _webhook(provider: str) -> dict[str, Any]:
    media, header, acknowledgement, description = _WEBHOOKS[provider]
    body_schema = (
        {
            "type": "object",
            "required": ["param"],
            "properties": {"param": {"type": "string"}, "sign": {"type": "string"}},
        }
        if media != "application/json"
        else {"type": "object"}
    )
    operation: dict[str, Any] = {
        "summary": f"Receive a {provider} webhook",
        "description": f"{description}. Verified, validated and queued; answered at once.",
        "tags": ["Carrier webhooks"],
        "operationId": f"receive_{provider.replace('17', 'seventeen')}_webhook",
        "security": [],
        "requestBody": {"required": True, "content": {media: {"schema": body_schema}}},
        "responses": {
            "200": {
                "description": "Accepted (queued); the body is the acknowledgement the provider expects.",
                "content": {"application/json": {"schema": {"type": "object"}, "example": acknowledgement}},
            },
            "400": _json_error(
                "Not the provider's format",
                ("malformed_body", "date_out_of_bounds") if provider == "generic" else ("malformed_body",),
            ),
            "401": _json_error("Signature missing or invalid", ("invalid_signature",)),
            "413": _json_error("Body too large", ("payload_too_large",)),
            "415": _json_error(f"Not {media}", ("unsupported_media_type",)),
            "429": {
                "description": "Too many requests: the webhook route's own throttle was exceeded (providers retry).",
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/ThrottledResponse"}}
                },
            },
        },
    }
    if header is not None:
        operation["parameters"] = [
            {"name": header, "in": "header", "required": True, "schema": {"type": "string"}}
        ]
    if provider == "shippo":
        operation["parameters"] = [
            {
                "name": "token",
                "in": "query",
                "required": True,
                "schema": {"type": "string"},
                "description": "The stack's Shippo webhook secret, part of the URL registered with Shippo.",
            }
        ]
    return {"post": operation}


_TOKEN = {"name": "token", "in": "path", "required": True, "schema": {"type": "string"}}


def _page(status_descriptions: dict[int, str]) -> dict[str, Any]:
    return {
        str(status): {"description": text, "content": _HTML} for status, text in status_descriptions.items()
    }


_CASE_PAGE: dict[str, Any] = {
    "get": {
        "summary": 'The "was your complaint resolved?" page of a resolved case',
        "tags": ["Customer pages"],
        "operationId": "case_question",
        "security": [],
        "parameters": [_TOKEN],
        "responses": _page(
            {
                200: "The question (or where the case stands)",
                404: "Not found (any invalid token)",
                410: "Expired",
            }
        ),
    },
    "post": {
        "summary": "Answer whether the case is resolved: yes closes it, no reopens it",
        "tags": ["Customer pages"],
        "operationId": "answer_case_question",
        "security": [],
        "parameters": [_TOKEN],
        "requestBody": {
            "required": True,
            "content": {
                "application/x-www-form-urlencoded": {
                    "schema": {
                        "type": "object",
                        "required": ["resolved", "nonce", "issued", "csrf"],
                        "properties": {
                            "resolved": {"type": "string", "enum": ["yes", "no"]},
                            "nonce": {"type": "string"},
                            "issued": {"type": "string"},
                            "csrf": {"type": "string"},
                        },
                    }
                }
            },
        },
        "responses": _page(
            {
                200: "Thank you page (or: answered already)",
                400: "Not an answer, or a stale form or one from another site",
                404: "Not found (any invalid token)",
                409: "The answer could not be recorded now",
                410: "Expired",
                413: "Body too large",
                415: "Not a form",
            }
        ),
    },
}

PUBLIC_PATHS: dict[str, Any] = {
    **{f"/v1/webhooks/{provider}": _webhook(provider) for provider in _WEBHOOKS},
    "/track/{token}": {
        "get": {
            "summary": "The customer's tracking page",
            "description": "HTML in the order's language (`lang` overrides it). Any token that is not "
            "valid gets the same 404 page.",
            "tags": ["Customer pages"],
            "operationId": "tracking_page",
            "security": [],
            "parameters": [
                _TOKEN,
                {
                    "name": "lang",
                    "in": "query",
                    "required": False,
                    "schema": {"type": "string", "enum": ["en", "zh-CN"]},
                },
            ],
            "responses": _page({200: "The tracking page", 404: "Not found (any invalid token)"}),
        }
    },
    "/case/{token}": _CASE_PAGE,
    "/feedback/{token}": {
        "get": {
            "summary": "The delivery survey form",
            "tags": ["Customer pages"],
            "operationId": "feedback_form",
            "security": [],
            "parameters": [_TOKEN],
            "responses": _page(
                {200: "The form", 404: "Not found (any invalid token)", 410: "The survey is closed"}
            ),
        },
        "post": {
            "summary": "Submit the delivery survey",
            "tags": ["Customer pages"],
            "operationId": "submit_feedback_form",
            "security": [],
            "parameters": [_TOKEN],
            "requestBody": {
                "required": True,
                "content": {
                    "application/x-www-form-urlencoded": {
                        "schema": {
                            "type": "object",
                            "required": ["rating"],
                            "properties": {
                                "rating": {"type": "string", "pattern": "^[1-5]$", "description": "1-5"},
                                "nps": {
                                    "type": "string",
                                    "pattern": "^([0-9]|10)?$",
                                    "description": "0-10, optional",
                                },
                                "comment": {"type": "string"},
                                "categories": {"type": "string", "description": "Repeatable."},
                            },
                        }
                    }
                },
            },
            "responses": _page(
                {
                    200: "Thank you page",
                    400: "The form again, with the fields to correct (or a body that is not UTF-8)",
                    404: "Not found (any invalid token)",
                    409: "The answer cannot be changed any more",
                    410: "The survey is closed",
                    413: "Body too large",
                    415: "Not a form",
                }
            ),
        },
    },
}
