"""CSRF tokens for the forms on pages behind a signed link (the tracking page's self-service).

The pages set no cookie, so there is no session to bind a token to: the signed link itself is the
customer's credential. A form carries a per-render `nonce`, the time it was issued and

    csrf = base64url(HMAC-SHA256(key, "csrf\\n<action>\\n<link token>\\n<nonce>\\n<issued>")[:16])

under the link-signing key. The server recomputes it (current or previous key, constant time) and
refuses a token for another action or link, or older than `max_age_seconds`. A page on another
site cannot compute it without the key, and cannot read it from our page (no CORS, framing refused).
The nonce doubles as the idempotency key of what the form does, so a form sent twice acts once.
Browsers' `Origin` and `Sec-Fetch-Site` are checked as well (`same_origin_request`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

MAX_AGE_SECONDS = 24 * 3600
_NONCE = re.compile(r"^[A-Za-z0-9_-]{16,32}$")


@dataclass(frozen=True)
class FormToken:
    nonce: str
    issued: int  # Unix seconds
    csrf: str


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


def _mac(key: str, action: str, link_token: str, nonce: str, issued: int) -> str:
    message = f"csrf\n{action}\n{link_token}\n{nonce}\n{issued}".encode()
    digest = hmac.new(key.encode(), message, hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def issue(key: str, action: str, link_token: str, nonce: str, issued: int) -> FormToken:
    if not key:
        raise ValueError("a signing key is required")
    return FormToken(nonce=nonce, issued=issued, csrf=_mac(key, action, link_token, nonce, issued))


def check(
    keys: Iterable[str],
    action: str,
    link_token: str,
    fields: Mapping[str, list[str]],
    now: int,
    max_age_seconds: int = MAX_AGE_SECONDS,
) -> str | None:
    """The form's nonce when its CSRF fields are genuine for this action and link and not too old;
    otherwise None (no reason given)."""
    nonce = (fields.get("nonce") or [""])[-1]
    issued_text = (fields.get("issued") or [""])[-1]
    csrf = (fields.get("csrf") or [""])[-1]
    if not _NONCE.fullmatch(nonce) or not (issued_text.isascii() and issued_text.isdigit()):
        return None
    if len(issued_text) > 12 or not csrf.isascii():
        return None
    issued = int(issued_text)
    if issued > now + 300 or now - issued > max_age_seconds:
        return None
    valid = False
    for key in keys:
        if key and hmac.compare_digest(_mac(key, action, link_token, nonce, issued).encode(), csrf.encode()):
            valid = True
    return nonce if valid else None


def same_origin_request(headers: Mapping[str, str]) -> bool:
    """False when the browser says the form came from another site: `Sec-Fetch-Site` other than
    `same-origin`/`none`, or an `Origin` (including the opaque `null`) whose host is not the one the
    request was sent to. Clients that send neither (not browsers) rely on the CSRF token alone."""
    lowered = {name.lower(): value for name, value in headers.items()}
    site = lowered.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        return False
    origin = lowered.get("origin")
    if origin is None:
        return True
    host = lowered.get("host") or ""
    return bool(host) and urlsplit(origin).netloc.lower() == host.lower()
