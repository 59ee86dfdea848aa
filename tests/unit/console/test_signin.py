"""Sign-in challenges, TOTP enrolment and signing out, with a fake Cognito (docs/console.md, "Sign-in
challenges and signing out")."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest

from console.ports import ConsoleServices, SignInRefused
from console.routes_common import SESSION_COOKIE
from console.sign_in_flow import ACCESS_COOKIE, CHALLENGE_COOKIE, REFRESH_COOKIE
from console.sign_in_ports import (
    NEW_PASSWORD_REQUIRED,
    SOFTWARE_TOKEN_MFA,
    AccountRefused,
    Challenge,
    ChallengeExpired,
    ChallengeRefused,
    RevokedInMemory,
    SessionServices,
    SignInStep,
    Tokens,
    TotpEnrolment,
)
from tests.factories import http_event
from tests.fakes.orders import FrozenClock
from tests.fakes.totp import totp
from tests.unit.console.conftest import mint
from tests.unit.console.test_routes import BROWSER, csrf_fields

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
TEMPORARY, CHOSEN = "temporary-password", "Chosen-Password-1!"


@dataclass
class FakeCognito:
    """Cognito's side of sign-in and the account: a user with a temporary password and/or TOTP."""

    clock: FrozenClock
    must_change_password: bool = True
    totp_on: bool = False
    session_valid: bool = True
    sessions: int = 0
    answers: list[tuple[str, str]] = field(default_factory=list)
    revoked_refresh: list[str] = field(default_factory=list)
    associated: bool = False
    refresh_revoked_ignored: bool = False  # a Cognito whose RevokeToken did not take

    def _tokens(self) -> Tokens:
        token = mint(self.clock, origin_jti="origin-1", jti="jti-1", **{"cognito:username": "new@local"})
        return Tokens(id_token=token, access_token="access-1", refresh_token="refresh-1")

    def _challenge(self, name: str) -> Challenge:
        self.sessions += 1
        return Challenge(name, f"cognito-session-{self.sessions}", "new@local")

    def sign_in(self, username: str, password: str) -> SignInStep:
        if (username, password) != ("new@local", TEMPORARY if self.must_change_password else CHOSEN):
            raise SignInRefused
        if self.must_change_password:
            return self._challenge(NEW_PASSWORD_REQUIRED)
        return self._challenge(SOFTWARE_TOKEN_MFA) if self.totp_on else self._tokens()

    def respond(self, challenge: Challenge, answer: str) -> SignInStep:
        self.answers.append((challenge.name, answer))
        if not self.session_valid or not challenge.session.startswith("cognito-session-"):
            raise ChallengeExpired
        if challenge.name == NEW_PASSWORD_REQUIRED:
            if not re.search(r"[A-Z]", answer):
                raise ChallengeRefused("password_refused", "Password must have uppercase characters")
            self.must_change_password = False
            return self._challenge(SOFTWARE_TOKEN_MFA) if self.totp_on else self._tokens()
        if answer != totp(SECRET, self.clock.now().timestamp()):
            raise ChallengeRefused("wrong_code")
        return self._tokens()

    def refresh(self, refresh_token: str) -> Tokens:
        if refresh_token != "refresh-1" or (
            refresh_token in self.revoked_refresh and not self.refresh_revoked_ignored
        ):
            raise SignInRefused
        token = mint(self.clock, origin_jti="origin-1", jti="jti-2", **{"cognito:username": "new@local"})
        return Tokens(id_token=token, access_token="access-1", refresh_token=refresh_token)

    # the account, with the access token
    def totp_enabled(self, access_token: str) -> bool:
        if access_token != "access-1":
            raise AccountRefused
        return self.totp_on

    def begin_totp(self, access_token: str) -> TotpEnrolment:
        self.totp_enabled(access_token)
        self.associated = True
        return TotpEnrolment(SECRET)

    def confirm_totp(self, access_token: str, code: str) -> None:
        self.totp_enabled(access_token)
        if not self.associated or code != totp(SECRET, self.clock.now().timestamp()):
            raise ChallengeRefused("wrong_code")
        self.totp_on = True

    def end_session(self, refresh_token: str) -> None:
        self.revoked_refresh.append(refresh_token)


@pytest.fixture
def cognito(services: ConsoleServices, clock: FrozenClock) -> FakeCognito:
    fake = FakeCognito(clock)
    services.authenticator = fake
    services.sessions = SessionServices(account=fake, revoked=RevokedInMemory())
    return fake


class Browser:
    """Keeps the console's cookies between requests, as a browser does for the same site."""

    def __init__(self, services: ConsoleServices) -> None:
        self.services = services
        self.cookies: dict[str, str] = {}

    def __call__(
        self,
        method: str,
        path: str,
        form: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        from urllib.parse import urlencode

        from console.routes import serve

        event = http_event(
            method, path, urlencode(form) if form is not None else None, {**BROWSER, **(headers or {})}
        )
        event["headers"].pop("x-api-key")
        event["headers"]["content-type"] = "application/x-www-form-urlencoded"
        event["cookies"] = [f"{name}={value}" for name, value in self.cookies.items()]
        response = serve(event, self.services)
        for cookie in response.get("cookies", []):
            name, _, rest = cookie.partition("=")
            value = rest.split(";")[0]
            if "Max-Age=0" in cookie:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return response

    def sign_in(self, password: str) -> dict[str, Any]:
        form = self("GET", "/console/sign-in?lang=en")
        return self(
            "POST",
            "/console/sign-in?lang=en",
            {**csrf_fields(form["body"]), "username": "new@local", "password": password},
        )


def attributes(response: dict[str, Any], name: str) -> set[str]:
    [cookie] = [cookie for cookie in response["cookies"] if cookie.startswith(name + "=")]
    return {part.strip() for part in cookie.split(";")[1:]}


def test_a_temporary_password_leads_to_the_new_password_page_and_then_a_session(
    services: ConsoleServices, cognito: FakeCognito
) -> None:
    browser = Browser(services)
    started = browser.sign_in(TEMPORARY)
    assert started["statusCode"] == 303
    assert started["headers"]["Location"] == "/console/sign-in/new-password?lang=en"
    assert attributes(started, CHALLENGE_COOKIE) == {
        "Path=/console",
        "HttpOnly",
        "Secure",
        "SameSite=Strict",
        "Max-Age=180",
    }
    assert SESSION_COOKIE not in browser.cookies

    page = browser("GET", "/console/sign-in/new-password?lang=en")
    assert page["statusCode"] == 200
    assert "At least 12 characters" in page["body"] and 'autocomplete="new-password"' in page["body"]
    assert "cognito-session-1" not in page["body"]  # the Cognito session stays in the HttpOnly cookie
    fields = csrf_fields(page["body"])

    differ = browser(
        "POST",
        "/console/sign-in/new-password?lang=en",
        {**fields, "new_password": CHOSEN, "confirm_password": CHOSEN + "x"},
    )
    assert differ["statusCode"] == 400 and "not the same" in differ["body"] and cognito.answers == []

    weak = browser(
        "POST",
        "/console/sign-in/new-password?lang=en",
        {**fields, "new_password": "all-lowercase-password", "confirm_password": "all-lowercase-password"},
    )
    assert weak["statusCode"] == 400 and "cookies" not in weak
    assert "does not meet the policy. Password must have uppercase characters" in weak["body"]

    done = browser(
        "POST",
        "/console/sign-in/new-password?lang=en",
        {**fields, "new_password": CHOSEN, "confirm_password": CHOSEN},
    )
    assert done["statusCode"] == 303 and done["headers"]["Location"] == "/console/today?lang=en"
    assert set(browser.cookies) == {
        SESSION_COOKIE,
        ACCESS_COOKIE,
        REFRESH_COOKIE,
    }  # the challenge's is cleared
    for name, seconds in ((SESSION_COOKIE, 3600), (ACCESS_COOKIE, 3600), (REFRESH_COOKIE, 12 * 3600)):
        assert {"HttpOnly", "Secure", "SameSite=Strict", "Path=/console", f"Max-Age={seconds}"} == attributes(
            done, name
        )
    assert browser("GET", "/console/today?lang=en")["statusCode"] == 200


def test_a_totp_operator_enters_the_code_a_wrong_code_changes_nothing(
    services: ConsoleServices, cognito: FakeCognito, clock: FrozenClock
) -> None:
    cognito.must_change_password, cognito.totp_on = False, True
    browser = Browser(services)
    assert browser.sign_in(CHOSEN)["headers"]["Location"] == "/console/sign-in/code?lang=en"
    page = browser("GET", "/console/sign-in/code?lang=en")
    assert page["statusCode"] == 200 and 'autocomplete="one-time-code"' in page["body"]
    fields = csrf_fields(page["body"])
    right = totp(SECRET, clock.now().timestamp())
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"

    refused = browser("POST", "/console/sign-in/code?lang=en", {**fields, "code": wrong})
    assert refused["statusCode"] == 401 and "not right" in refused["body"] and "cookies" not in refused
    assert browser("POST", "/console/sign-in/code?lang=en", {**fields, "code": "12ab"})["statusCode"] == 400
    assert [name for name, _ in cognito.answers] == [SOFTWARE_TOKEN_MFA]  # the malformed code never left

    accepted = browser(
        "POST", "/console/sign-in/code?lang=en", {**fields, "code": right[:3] + " " + right[3:]}
    )
    assert accepted["statusCode"] == 303 and SESSION_COOKIE in browser.cookies
    assert CHALLENGE_COOKIE not in browser.cookies


def test_a_new_password_then_the_code_when_both_are_asked(
    services: ConsoleServices, cognito: FakeCognito
) -> None:
    cognito.totp_on = True
    browser = Browser(services)
    browser.sign_in(TEMPORARY)
    fields = csrf_fields(browser("GET", "/console/sign-in/new-password?lang=en")["body"])
    then = browser(
        "POST",
        "/console/sign-in/new-password",
        {**fields, "new_password": CHOSEN, "confirm_password": CHOSEN},
    )
    assert then["statusCode"] == 303 and then["headers"]["Location"].startswith("/console/sign-in/code")
    assert SESSION_COOKIE not in browser.cookies
    # the first challenge's form token is bound to the first Cognito session: it answers nothing else
    reused = browser("POST", "/console/sign-in/code", {**fields, "code": "123456"})
    assert reused["statusCode"] == 400 and [name for name, _ in cognito.answers] == [NEW_PASSWORD_REQUIRED]


def test_an_expired_challenge_goes_back_to_sign_in(services: ConsoleServices, cognito: FakeCognito) -> None:
    browser = Browser(services)
    browser.sign_in(TEMPORARY)
    fields = csrf_fields(browser("GET", "/console/sign-in/new-password?lang=en")["body"])
    cognito.session_valid = False  # Cognito's 3 minutes are over
    expired = browser(
        "POST",
        "/console/sign-in/new-password?lang=en",
        {**fields, "new_password": CHOSEN, "confirm_password": CHOSEN},
    )
    assert expired["statusCode"] == 400 and "took too long" in expired["body"]
    assert 'id="username"' in expired["body"] and CHALLENGE_COOKIE not in browser.cookies
    # and once the browser dropped the cookie (Max-Age=180), the challenge pages send to sign-in
    again = browser("GET", "/console/sign-in/new-password?lang=en")
    assert (
        again["statusCode"] == 200 and "took too long" in again["body"] and 'id="password"' in again["body"]
    )
    assert browser("GET", "/console/sign-in/code")["statusCode"] == 200


def test_a_forged_or_cross_site_challenge_answer_changes_nothing(
    services: ConsoleServices, cognito: FakeCognito
) -> None:
    browser = Browser(services)
    sign_in_form = csrf_fields(browser("GET", "/console/sign-in?lang=en")["body"])
    browser.sign_in(TEMPORARY)
    answer = {"new_password": CHOSEN, "confirm_password": CHOSEN}
    with_sign_in_token = browser("POST", "/console/sign-in/new-password?lang=en", {**sign_in_form, **answer})
    assert with_sign_in_token["statusCode"] == 400 and "form expired" in with_sign_in_token["body"]
    fields = csrf_fields(browser("GET", "/console/sign-in/new-password?lang=en")["body"])
    cross_site = browser(
        "POST",
        "/console/sign-in/new-password",
        {**fields, **answer},
        headers={"sec-fetch-site": "cross-site"},
    )
    assert cross_site["statusCode"] == 400 and "cookies" not in cross_site
    tampered = dict(browser.cookies)
    browser.cookies[CHALLENGE_COOKIE] = "not-base64-json"
    assert browser("POST", "/console/sign-in/new-password", {**fields, **answer})["statusCode"] == 400
    browser.cookies = tampered
    assert cognito.answers == [] and SESSION_COOKIE not in browser.cookies


def test_signing_out_revokes_the_session_here_and_at_cognito(
    services: ConsoleServices, cognito: FakeCognito
) -> None:
    cognito.must_change_password = False
    browser = Browser(services)
    browser.sign_in(CHOSEN)
    stolen = dict(browser.cookies)  # what a copied cookie jar would hold
    today = browser("GET", "/console/today?lang=en")
    signed_out = browser("POST", "/console/sign-out?lang=en", csrf_fields(today["body"]))
    assert signed_out["statusCode"] == 303 and signed_out["headers"]["Location"] == "/console/sign-in?lang=en"
    assert all("Max-Age=0" in cookie for cookie in signed_out["cookies"]) and browser.cookies == {}
    assert cognito.revoked_refresh == ["refresh-1"]
    # kept for the refresh token's 12 h: no token of the session, refreshed or not, outlives it
    assert services.sessions.revoked.expiries == {
        "origin-1": int(services.clock.now().timestamp()) + 12 * 3600
    }  # type: ignore[attr-defined]

    browser.cookies = stolen  # the ID token's signature still verifies: the session is refused anyway
    refused = browser("GET", "/console/today?lang=en")
    assert refused["statusCode"] == 303 and refused["headers"]["Location"].startswith("/console/sign-in")
    assert browser.cookies == {}  # and its leftover cookies are cleared


def test_an_expired_session_is_refreshed_silently_unless_signed_out(
    services: ConsoleServices, cognito: FakeCognito, clock: FrozenClock
) -> None:
    cognito.must_change_password = False
    browser = Browser(services)
    browser.sign_in(CHOSEN)
    first = browser.cookies[SESSION_COOKIE]
    clock.moment += timedelta(hours=2)  # the ID token has expired; the refresh token (12 h) has not
    page = browser("GET", "/console/today?lang=en")
    assert page["statusCode"] == 200 and browser.cookies[SESSION_COOKIE] != first
    assert attributes(page, REFRESH_COOKIE) == {
        "HttpOnly",
        "Secure",
        "SameSite=Strict",
        "Path=/console",
        "Max-Age=43200",
    }
    stolen = dict(browser.cookies)

    signed_out = browser("POST", "/console/sign-out?lang=en", csrf_fields(page["body"]))
    assert signed_out["statusCode"] == 303 and cognito.revoked_refresh == ["refresh-1"]
    clock.moment += timedelta(hours=2)
    cognito.refresh_revoked_ignored = True  # even if Cognito still refreshed it, the session stays ended
    browser.cookies = stolen
    refused = browser("GET", "/console/today?lang=en")
    assert refused["statusCode"] == 303 and refused["headers"]["Location"].startswith("/console/sign-in")
    assert browser.cookies == {}


def test_a_refresh_token_cognito_refuses_means_signing_in_again(
    services: ConsoleServices, cognito: FakeCognito, clock: FrozenClock
) -> None:
    browser = Browser(services)
    browser.cookies = {REFRESH_COOKIE: "not-a-refresh-token"}
    refused = browser("GET", "/console/review")
    assert refused["statusCode"] == 303 and refused["headers"]["Location"].startswith("/console/sign-in")


def test_a_sign_out_without_the_operators_csrf_token_revokes_nothing(
    services: ConsoleServices, cognito: FakeCognito, clock: FrozenClock
) -> None:
    cognito.must_change_password = False
    browser = Browser(services)
    browser.sign_in(CHOSEN)
    other = Browser(services)
    other.cookies = {SESSION_COOKIE: mint(clock, sub="sub-other")}
    their_fields = csrf_fields(other("GET", "/console/today")["body"])
    assert browser("POST", "/console/sign-out", their_fields)["statusCode"] == 403
    assert cognito.revoked_refresh == [] and services.sessions.revoked.expiries == {}  # type: ignore[attr-defined]


def test_an_operator_turns_on_totp_on_the_account_page(
    services: ConsoleServices, cognito: FakeCognito, clock: FrozenClock
) -> None:
    cognito.must_change_password = False
    browser = Browser(services)
    browser.sign_in(CHOSEN)
    account = browser("GET", "/console/account?lang=en")
    assert account["statusCode"] == 200 and "Off." in account["body"]
    assert 'href="/console/account?lang=en"' in account["body"]  # the header links the account page
    started = browser("POST", "/console/account/totp?lang=en", csrf_fields(account["body"]))
    assert started["statusCode"] == 200 and SECRET in started["body"]
    assert (
        f"otpauth://totp/ordertrack%20console%3Anew%40local?secret={SECRET}&amp;issuer=ordertrack%20console"
        in started["body"]
    )
    fields = {**csrf_fields(started["body"]), "secret": SECRET}
    right = totp(SECRET, clock.now().timestamp())
    wrong = browser(
        "POST",
        "/console/account/totp-verify?lang=en",
        {**fields, "code": f"{(int(right) + 7) % 1_000_000:06d}"},
    )
    assert wrong["statusCode"] == 400 and "not right" in wrong["body"] and SECRET in wrong["body"]
    assert not cognito.totp_on
    done = browser("POST", "/console/account/totp-verify?lang=en", {**fields, "code": right})
    assert done["statusCode"] == 303 and done["headers"]["Location"] == "/console/account?lang=en&done=1"
    after = browser("GET", done["headers"]["Location"])
    assert (
        "Two-step verification is on." in after["body"] and "On: signing in asks for a code." in after["body"]
    )
    assert browser("POST", "/console/account/nope", csrf_fields(after["body"]))["statusCode"] == 404


def test_the_account_page_without_a_usable_access_token_says_to_sign_in_again(
    services: ConsoleServices, cognito: FakeCognito, clock: FrozenClock
) -> None:
    browser = Browser(services)
    browser.cookies = {SESSION_COOKIE: mint(clock)}  # a session from before the access-token cookie
    page = browser("GET", "/console/account")
    assert page["statusCode"] == 200 and "服务" not in page["body"] and "请退出后重新登录" in page["body"]
    refused = browser("POST", "/console/account/totp?lang=en", csrf_fields(page["body"]))
    assert refused["statusCode"] == 401 and "sign out and sign in again" in refused["body"]
    assert not cognito.associated
