"""Signing in to the console, challenges included, and who a request's session belongs to
(docs/console.md, "Sign-in challenges and signing out").

    GET  /console/sign-in                  the form
    POST /console/sign-in                  InitiateAuth: the session cookies, or a challenge page
    GET  /console/sign-in/new-password     NEW_PASSWORD_REQUIRED: choose a new password (+ confirm)
    GET  /console/sign-in/code             SOFTWARE_TOKEN_MFA: the 6-digit code of the TOTP app
    POST the same two paths                RespondToAuthChallenge

A challenge's Cognito `Session` (valid 3 minutes) and the username live only in the cookie
`console_challenge` (HttpOnly, Secure, SameSite=Strict, Path=/console, Max-Age=180), never in the
page; the challenge form's CSRF token is bound to a digest of that session, so it answers this
challenge and no other, and a cross-site post carries neither cookie nor a valid token. A wrong code
or a refused password shows the same page with the error and changes nothing; an expired session
sends the browser back to sign in.

The signed-in session is three cookies with the same attributes: `console_session` (the ID token,
verified on every request) and `console_access` (the access token, for the account page's Cognito
calls) for 1 h like the tokens, and `console_refresh` (the refresh token: a silent refresh when the
ID token expires, revoked on sign-out) for 12 h like it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from console import pages
from console.pages import Page
from console.ports import ConsoleServices, SignInRefused
from console.rendering import render
from console.routes_common import (
    COOKIE_ATTRIBUTES,
    SESSION_COOKIE,
    cookie_value,
    posted_form,
    posted_genuinely,
    session_cookie,
)
from console.sessions import Operator
from console.sign_in_ports import (
    NEW_PASSWORD_REQUIRED,
    SOFTWARE_TOKEN_MFA,
    Challenge,
    ChallengeExpired,
    ChallengeRefused,
    SignInStep,
    Tokens,
)
from console.texts import TEXT, other_locale
from console.views.signin_words import WORDS
from shared.observability import logger

ACCESS_COOKIE = "console_access"
REFRESH_COOKIE = "console_refresh"
CHALLENGE_COOKIE = "console_challenge"
CHALLENGE_SECONDS = 180  # Cognito's challenge sessions last 3 minutes
TOKEN_SECONDS = 3600  # the app client's ID and access tokens last 1 h
REFRESH_SECONDS = 12 * 3600  # its refresh tokens 12 h (infra/constructs/operations_console.py)
CHALLENGE_FORM = "sign-in-challenge"
PAGES = {NEW_PASSWORD_REQUIRED: "new-password", SOFTWARE_TOKEN_MFA: "code"}
TEMPLATES = {NEW_PASSWORD_REQUIRED: "signin_new_password.html", SOFTWARE_TOKEN_MFA: "signin_code.html"}
MAX_PASSWORD = 256


def _cookie(name: str, value: str, seconds: int) -> str:
    return f"{name}={value}; {COOKIE_ATTRIBUTES}; Max-Age={seconds}"


def session_cookies(tokens: Tokens) -> list[str]:
    cookies = [session_cookie(tokens.id_token)]
    if tokens.access_token:
        cookies.append(_cookie(ACCESS_COOKIE, tokens.access_token, TOKEN_SECONDS))
    if tokens.refresh_token:
        cookies.append(_cookie(REFRESH_COOKIE, tokens.refresh_token, REFRESH_SECONDS))
    return cookies


def cleared_cookies() -> list[str]:
    return [_cookie(name, "", 0) for name in (SESSION_COOKIE, ACCESS_COOKIE, REFRESH_COOKIE)]


def leftover_cookies(event: dict[str, Any]) -> list[str]:
    """Clear the session's cookies when the browser still sends one that no longer signs in."""
    present = [name for name in (SESSION_COOKIE, ACCESS_COOKIE, REFRESH_COOKIE) if cookie_value(event, name)]
    return [_cookie(name, "", 0) for name in present]


@dataclass(frozen=True)
class SignedIn:
    operator: Operator
    cookies: list[str]
    """The session's new cookies when it was refreshed silently on this request, else none."""


def _current(services: ConsoleServices, id_token: str | None) -> Operator | None:
    operator = services.verifier.operator(id_token)
    if operator is None:
        return None
    if operator.session_id and services.sessions.revoked.is_revoked(operator.session_id):
        logger.info("console session signed out earlier", extra={"role": operator.role})
        return None
    return operator


def signed_in(event: dict[str, Any], services: ConsoleServices) -> SignedIn | None:
    """The operator of a verified ID token whose session was not signed out (one `GetItem`); when
    the ID token has expired (or its cookie is gone) but the refresh token's cookie is there, the
    session is refreshed silently (REFRESH_TOKEN_AUTH) and its new cookies go with the page."""
    operator = _current(services, cookie_value(event, SESSION_COOKIE))
    if operator is not None:
        return SignedIn(operator, [])
    refresh_token = cookie_value(event, REFRESH_COOKIE)
    if not refresh_token:
        return None
    try:
        tokens = services.authenticator.refresh(refresh_token)
    except SignInRefused:
        logger.info("console session refresh refused")
        return None
    operator = _current(services, tokens.id_token)
    if operator is None:
        return None
    logger.info("console session refreshed", extra={"role": operator.role})
    return SignedIn(operator, session_cookies(tokens))


def _challenge_cookie(challenge: Challenge) -> str:
    document = json.dumps({"n": challenge.name, "s": challenge.session, "u": challenge.username})
    value = base64.urlsafe_b64encode(document.encode()).decode().rstrip("=")
    return _cookie(CHALLENGE_COOKIE, value, CHALLENGE_SECONDS)


def _challenge(event: dict[str, Any]) -> Challenge | None:
    value = cookie_value(event, CHALLENGE_COOKIE)
    if not value or len(value) > 4096:
        return None
    try:
        document = json.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
        challenge = Challenge(str(document["n"]), str(document["s"]), str(document["u"]))
    except (ValueError, KeyError, TypeError, binascii.Error):
        return None
    return challenge if challenge.name in PAGES and challenge.session and challenge.username else None


def _binding(challenge: Challenge) -> str:
    return hashlib.sha256(challenge.session.encode()).hexdigest()[:32]


def _words(locale: str) -> dict[str, str]:
    return {**TEXT[locale], **WORDS[locale]}


def _sign_in_form(
    locale: str, services: ConsoleServices, status: int, error_key: str, username: str = ""
) -> Page:
    t = _words(locale)
    body = render(
        "sign_in.html",
        t=t,
        locale=locale,
        other_locale=other_locale(locale),
        language_href=f"/console/sign-in?lang={other_locale(locale)}",
        error=t[error_key],
        username=username,
        form=pages.form_token(services, pages.SIGN_IN_FORM, pages.ANONYMOUS),
    )
    return Page(status, body, locale, cookies=[_cookie(CHALLENGE_COOKIE, "", 0)])


def _challenge_page(
    challenge: Challenge, locale: str, services: ConsoleServices, status: int = 200, error: str = ""
) -> Page:
    t = _words(locale)
    page = PAGES[challenge.name]
    body = render(
        TEMPLATES[challenge.name],
        t=t,
        locale=locale,
        other_locale=other_locale(locale),
        language_href=f"/console/sign-in/{page}?lang={other_locale(locale)}",
        action=f"/console/sign-in/{page}?lang={locale}",
        error=error,
        username=challenge.username,
        form=pages.form_token(services, CHALLENGE_FORM, _binding(challenge)),
    )
    return Page(status, body, locale)


def _next(step: SignInStep, locale: str, answered: bool = False) -> Page:
    if isinstance(step, Tokens):
        cookies = session_cookies(step) + ([_cookie(CHALLENGE_COOKIE, "", 0)] if answered else [])
        return Page(303, "", locale, location=f"/console/today?lang={locale}", cookies=cookies)
    logger.info("console sign-in challenge", extra={"challenge": step.name})
    return Page(
        303,
        "",
        locale,
        location=f"/console/sign-in/{PAGES[step.name]}?lang={locale}",
        cookies=[_challenge_cookie(step)],
    )


def serve(
    event: dict[str, Any], method: str, parts: list[str], locale: str, services: ConsoleServices
) -> Page:
    step = parts[1] if len(parts) > 1 else ""
    if len(parts) > 2:
        return _sign_in_form(locale, services, 404, "not_found_page")
    if not step:
        return _sign_in(event, locale, services) if method == "POST" else pages.sign_in_page(locale, services)
    challenge = _challenge(event)
    if challenge is None or PAGES.get(challenge.name) != step:
        # no challenge under way (its cookie is gone after 3 minutes), or another one's page
        return _sign_in_form(locale, services, 400 if method == "POST" else 200, "challenge_expired")
    if method != "POST":
        return _challenge_page(challenge, locale, services)
    return _answer(event, challenge, locale, services)


def _sign_in(event: dict[str, Any], locale: str, services: ConsoleServices) -> Page:
    form = posted_form(event)
    if not posted_genuinely(event, form, pages.SIGN_IN_FORM, pages.ANONYMOUS, services):
        return pages.sign_in_page(locale, services, error="sign_in_expired")
    assert form is not None
    username = (form.get("username") or [""])[-1].strip()[:128]
    password = (form.get("password") or [""])[-1][:MAX_PASSWORD]
    try:
        step = services.authenticator.sign_in(username, password)
    except SignInRefused:
        logger.info("console sign-in refused")
        return pages.sign_in_page(locale, services, error="sign_in_failed", username=username)
    return _next(step, locale)


def _answer(event: dict[str, Any], challenge: Challenge, locale: str, services: ConsoleServices) -> Page:
    form = posted_form(event)
    t = _words(locale)
    if not posted_genuinely(event, form, CHALLENGE_FORM, _binding(challenge), services):
        return _challenge_page(challenge, locale, services, 400, t["sign_in_expired"])
    assert form is not None
    if challenge.name == NEW_PASSWORD_REQUIRED:
        answer = (form.get("new_password") or [""])[-1][:MAX_PASSWORD]
        if not answer or answer != (form.get("confirm_password") or [""])[-1][:MAX_PASSWORD]:
            return _challenge_page(challenge, locale, services, 400, t["passwords_differ"])
    else:
        answer = "".join((form.get("code") or [""])[-1].split())
        if not (len(answer) == 6 and answer.isascii() and answer.isdigit()):
            return _challenge_page(challenge, locale, services, 400, t["code_format"])
    try:
        step = services.authenticator.respond(challenge, answer)
    except ChallengeRefused as refused:
        logger.info(
            "console challenge answer refused", extra={"challenge": challenge.name, "reason": refused.reason}
        )
        if refused.reason == "password_refused":
            message = f"{t['password_refused']} {refused.detail}".strip()
            return _challenge_page(challenge, locale, services, 400, message)
        return _challenge_page(challenge, locale, services, 401, t["wrong_code"])
    except ChallengeExpired:
        logger.info("console challenge expired", extra={"challenge": challenge.name})
        return _sign_in_form(locale, services, 400, "challenge_expired")
    except SignInRefused:
        return _sign_in_form(locale, services, 401, "sign_in_failed")
    return _next(step, locale, answered=True)
