"""The session cookie's name and attributes, shared by the dispatcher and the sign-out page."""

from __future__ import annotations

SESSION_COOKIE = "console_session"
COOKIE_ATTRIBUTES = "Path=/console; HttpOnly; Secure; SameSite=Strict"


def session_cookie(token: str) -> str:
    return f"{SESSION_COOKIE}={token}; {COOKIE_ATTRIBUTES}; Max-Age=3600"


def cleared_cookie() -> str:
    return f"{SESSION_COOKIE}=; {COOKIE_ATTRIBUTES}; Max-Age=0"
