"""The operator's account page (TOTP enrolment) and signing out (docs/console.md, "Sign-in
challenges and signing out").

    GET  /console/account                 whether TOTP MFA is on (GetUser with the access token)
    POST /console/account/totp            AssociateSoftwareToken: the secret, as text and otpauth URI
    POST /console/account/totp-verify     VerifySoftwareToken + SetUserMFAPreference (TOTP preferred)
    POST /console/sign-out                the session is revoked here and at Cognito, cookies cleared

Signing out records the ID token's `origin_jti` as revoked in the orders table for as long as a
token of the session could be used (the refresh token's 12 h: every later request with that token,
or one refreshed from it, is refused, though its signature still verifies),
then revokes the refresh token at Cognito (RevokeToken), which also ends the access tokens it issued.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from console import pages
from console.pages import Page
from console.routes_common import cookie_value
from console.sessions import AGENT, MANAGER
from console.sign_in_flow import ACCESS_COOKIE, REFRESH_COOKIE, REFRESH_SECONDS, cleared_cookies
from console.sign_in_ports import AccountRefused, ChallengeRefused, TotpEnrolment
from console.views import Request, Route
from console.views.signin_words import WORDS
from shared.observability import logger

ISSUER = "ordertrack console"
MAX_SECRET = 128


def otpauth_uri(secret: str, username: str) -> str:
    """The key URI authenticator apps read (Google Authenticator's Key Uri Format): TOTP, SHA1,
    6 digits, 30 s, Cognito's defaults."""
    label = quote(f"{ISSUER}:{username}", safe="")
    return f"otpauth://totp/{label}?" + urlencode({"secret": secret, "issuer": ISSUER}, quote_via=quote)


def _access_token(request: Request) -> str:
    return cookie_value(dict(request.event), ACCESS_COOKIE) or ""


def _account_page(
    request: Request,
    status: int = 200,
    totp_enabled: bool | None = None,
    enrolment: TotpEnrolment | None = None,
    error: str = "",
    notice: str | None = None,
) -> Page:
    return pages.page(
        "signin_account.html",
        status,
        request.operator,
        request.locale,
        request.services,
        "/console/account",
        "account",
        words=WORDS,
        totp_enabled=totp_enabled,
        enrolment=enrolment,
        enrolment_uri=otpauth_uri(enrolment.secret, request.operator.username) if enrolment else "",
        error=error,
        notice=notice,
    )


def account(request: Request) -> Page:
    if len(request.parts) != 1:
        return pages.message_page(404, request.operator, request.locale, request.services, "not_found_page")
    try:
        enabled: bool | None = request.services.sessions.account.totp_enabled(_access_token(request))
    except AccountRefused:
        enabled = None
    notice = WORDS[request.locale]["totp_enabled"] if request.query.get("done") else None
    return _account_page(request, totp_enabled=enabled, notice=notice)


def account_action(request: Request) -> Page:
    words = WORDS[request.locale]
    action = request.segment(1) if len(request.parts) == 2 else ""
    access_token = _access_token(request)
    account_port = request.services.sessions.account
    if action == "totp":
        try:
            enrolment = account_port.begin_totp(access_token)
        except AccountRefused:
            return _account_page(request, 401, error=words["account_refused"])
        logger.info("console totp enrolment started", extra={"role": request.operator.role})
        return _account_page(request, enrolment=enrolment)
    if action == "totp-verify":
        code = "".join(request.field("code", 20).split())
        shown = TotpEnrolment(request.field("secret", MAX_SECRET))  # only shown again on an error
        if not (len(code) == 6 and code.isascii() and code.isdigit()):
            return _account_page(request, 400, enrolment=shown, error=words["code_format"])
        try:
            account_port.confirm_totp(access_token, code)
        except ChallengeRefused:
            return _account_page(request, 400, enrolment=shown, error=words["wrong_code"])
        except AccountRefused:
            return _account_page(request, 401, error=words["account_refused"])
        logger.info("console totp enabled", extra={"role": request.operator.role})
        return Page(303, "", request.locale, location=f"/console/account?lang={request.locale}&done=1")
    return pages.message_page(404, request.operator, request.locale, request.services, "not_found_page")


def sign_out(request: Request) -> Page:
    operator = request.operator
    sessions = request.services.sessions
    # kept while any token of the session could still be used: a refresh (same origin_jti) included
    now = int(request.services.clock.now().timestamp())
    sessions.revoked.revoke(operator.session_id, max(operator.expires, now + REFRESH_SECONDS))
    sessions.account.end_session(cookie_value(dict(request.event), REFRESH_COOKIE) or "")
    logger.info("console sign-out", extra={"role": operator.role, "revoked": bool(operator.session_id)})
    return Page(
        303,
        "",
        request.locale,
        location=f"/console/sign-in?lang={request.locale}",
        cookies=cleared_cookies(),
    )


ROUTES = (
    Route("GET", "account", (AGENT, MANAGER), account),
    Route("POST", "account", (AGENT, MANAGER), account_action),
    Route("POST", "sign-out", (AGENT, MANAGER), sign_out),
)
