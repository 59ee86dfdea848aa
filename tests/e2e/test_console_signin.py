"""On the local stack: an operator created with a temporary password (AdminCreateUser) chooses a new
password on the console's page, works, signs out, and the session's old cookies are refused after
(the ID token's signature still verifies; the session is on the revoked list and its refresh token
is revoked at moto's cognito-idp)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import requests
from botocore.exceptions import ClientError

from tests.e2e.test_console import SAME_SITE, csrf_fields

TEMPORARY = "temporary-password"
CHOSEN = "a-chosen-password-e2e"


def test_a_new_operator_chooses_a_password_and_signing_out_ends_the_session(stack: Any) -> None:
    cognito = stack.client("cognito-idp")
    pool_id = stack.console_operators[0].pool_id
    username = f"new-{uuid.uuid4().hex[:8]}@local"
    cognito.admin_create_user(
        UserPoolId=pool_id, Username=username, TemporaryPassword=TEMPORARY, MessageAction="SUPPRESS"
    )
    cognito.admin_add_user_to_group(UserPoolId=pool_id, Username=username, GroupName="agent")
    url = stack.api_url

    form = requests.get(f"{url}/console/sign-in?lang=en", timeout=10)
    started = requests.post(
        f"{url}/console/sign-in?lang=en",
        data={**csrf_fields(form.text), "username": username, "password": TEMPORARY},
        headers=SAME_SITE,
        allow_redirects=False,
        timeout=10,
    )
    assert started.status_code == 303, started.text
    assert started.headers["Location"] == "/console/sign-in/new-password?lang=en"
    assert "console_session" not in started.cookies
    # the cookies are Secure: requests will not send them back over http, so the test carries them
    challenge = {"console_challenge": started.cookies["console_challenge"]}
    page = requests.get(f"{url}/console/sign-in/new-password?lang=en", cookies=challenge, timeout=10)
    assert page.status_code == 200 and "Choose a new password" in page.text

    refused = requests.post(
        f"{url}/console/sign-in/new-password?lang=en",
        data={**csrf_fields(page.text), "new_password": "short", "confirm_password": "short"},
        cookies=challenge,
        headers=SAME_SITE,
        allow_redirects=False,
        timeout=10,
    )
    assert refused.status_code == 400 and "does not meet the policy" in refused.text
    chosen = requests.post(
        f"{url}/console/sign-in/new-password?lang=en",
        data={**csrf_fields(page.text), "new_password": CHOSEN, "confirm_password": CHOSEN},
        cookies=challenge,
        headers=SAME_SITE,
        allow_redirects=False,
        timeout=10,
    )
    assert chosen.status_code == 303 and chosen.headers["Location"] == "/console/today?lang=en", chosen.text
    session = {
        name: chosen.cookies[name] for name in ("console_session", "console_access", "console_refresh")
    }

    today = requests.get(f"{url}/console/today?lang=en", cookies=session, timeout=10)
    assert today.status_code == 200 and username in today.text
    account = requests.get(f"{url}/console/account?lang=en", cookies=session, timeout=10)
    assert account.status_code == 200 and "Off." in account.text  # GetUser with the access token

    signed_out = requests.post(
        f"{url}/console/sign-out?lang=en",
        data=csrf_fields(today.text),
        cookies=session,
        headers=SAME_SITE,
        allow_redirects=False,
        timeout=10,
    )
    assert signed_out.status_code == 303 and signed_out.headers["Location"] == "/console/sign-in?lang=en"

    again = requests.get(f"{url}/console/today?lang=en", cookies=session, allow_redirects=False, timeout=10)
    assert again.status_code == 303 and again.headers["Location"].startswith("/console/sign-in")
    with pytest.raises(ClientError) as revoked:
        cognito.initiate_auth(
            ClientId=stack.physical("ConsoleUserPoolClient"),
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": session["console_refresh"]},
        )
    assert revoked.value.response["Error"]["Code"] == "NotAuthorizedException"
    # the new password is the operator's own now: a fresh sign-in works
    fresh = requests.post(
        f"{url}/console/sign-in?lang=en",
        data={**csrf_fields(form.text), "username": username, "password": CHOSEN},
        headers=SAME_SITE,
        allow_redirects=False,
        timeout=10,
    )
    assert fresh.status_code == 303 and fresh.headers["Location"] == "/console/today?lang=en"
