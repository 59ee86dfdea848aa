"""The session cookie's name and attributes, and the request helpers shared by the dispatcher
(console.routes) and the sign-in pages (console.sign_in_flow)."""

from __future__ import annotations

import base64
import binascii
from typing import Any
from urllib.parse import parse_qs

from console.ports import ConsoleServices
from shared.form_tokens import check, same_origin_request

SESSION_COOKIE = "console_session"
COOKIE_ATTRIBUTES = "Path=/console; HttpOnly; Secure; SameSite=Strict"
MAX_BODY = 16_384


def session_cookie(token: str) -> str:
    return f"{SESSION_COOKIE}={token}; {COOKIE_ATTRIBUTES}; Max-Age=3600"


def cleared_cookie() -> str:
    return f"{SESSION_COOKIE}=; {COOKIE_ATTRIBUTES}; Max-Age=0"


def cookie_value(event: dict[str, Any], name: str) -> str | None:
    for cookie in event.get("cookies") or []:
        key, _, value = cookie.strip().partition("=")
        if key == name:
            return value
    return None


def posted_form(event: dict[str, Any]) -> dict[str, list[str]] | None:
    body = event.get("body") or ""
    try:
        raw = base64.b64decode(body) if event.get("isBase64Encoded") else body.encode()
        if len(raw) > MAX_BODY:
            return None
        return parse_qs(raw.decode(), keep_blank_values=True, max_num_fields=200, errors="strict")
    except (ValueError, UnicodeDecodeError, binascii.Error):
        return None


def posted_genuinely(
    event: dict[str, Any],
    form: dict[str, list[str]] | None,
    action: str,
    binding: str,
    services: ConsoleServices,
) -> bool:
    """Same-origin (`Sec-Fetch-Site`/`Origin`) and a current CSRF token for `action` and `binding`."""
    if form is None or not same_origin_request(event.get("headers") or {}):
        return False
    now = int(services.clock.now().timestamp())
    return check(services.form_keys(), action, binding, form, now) is not None
