"""Sign-in challenges and signing out in a real Chromium at phone width: an operator created with a
temporary password chooses a new one on the console's page (a refused password first), opens the
account page, signs out with the keyboard, and the session's cookies put back by hand are refused.
axe-core finds no serious or critical violation; screenshots `console-new-password-phone.png`,
`console-new-password-error-phone.png`, `console-account-totp-desktop.png`."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.browser.screens import left_page, save_full_page, show
from tests.browser.test_customer_pages import SIZES, blocking_violations

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.xdist_group("browser")]
TEMPORARY = "temporary-password"
CHOSEN = "a-chosen-password-browser"


def test_a_new_operator_chooses_a_password_and_signs_out_for_good(
    stack: Any, browser: Any, axe_source: str, screenshots: Path
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.wait import WebDriverWait

    wait = WebDriverWait(browser, 10)
    cognito = stack.client("cognito-idp")
    pool_id = stack.console_operators[0].pool_id
    username = f"browser-{uuid.uuid4().hex[:8]}@local"
    cognito.admin_create_user(
        UserPoolId=pool_id, Username=username, TemporaryPassword=TEMPORARY, MessageAction="SUPPRESS"
    )
    cognito.admin_add_user_to_group(UserPoolId=pool_id, Username=username, GroupName="agent")

    show(browser, f"{stack.api_url}/console/sign-in?lang=en", SIZES["phone"])
    browser.delete_all_cookies()  # the browser is shared: start signed out
    show(browser, f"{stack.api_url}/console/sign-in?lang=en", SIZES["phone"])
    browser.find_element(By.ID, "username").send_keys(username)
    password = browser.find_element(By.ID, "password")
    password.send_keys(TEMPORARY + Keys.ENTER)
    wait.until(left_page(password))
    assert browser.current_url.endswith("/console/sign-in/new-password?lang=en"), browser.page_source[:500]
    assert browser.find_element(By.TAG_NAME, "h1").text == "Choose a new password"
    assert blocking_violations(browser, axe_source) == []
    assert browser.execute_script("return document.documentElement.scrollWidth") <= SIZES["phone"][0]
    save_full_page(browser, screenshots / "console-new-password-phone.png")
    assert "console_challenge" not in browser.execute_script("return document.cookie")  # HttpOnly

    # a password the pool refuses: the same page with Cognito's reason, keyboard only
    browser.find_element(By.ID, "new_password").send_keys("Short-1!")
    confirm = browser.find_element(By.ID, "confirm_password")
    browser.execute_script(
        "arguments[0].removeAttribute('minlength')", browser.find_element(By.ID, "new_password")
    )
    browser.execute_script("arguments[0].removeAttribute('minlength')", confirm)
    confirm.send_keys("Short-1!" + Keys.ENTER)
    wait.until(left_page(confirm))
    error = browser.find_element(By.CSS_SELECTOR, "[role=alert]")
    assert "does not meet the policy" in error.text
    assert blocking_violations(browser, axe_source) == []
    save_full_page(browser, screenshots / "console-new-password-error-phone.png")

    browser.find_element(By.ID, "new_password").send_keys(CHOSEN)
    confirm = browser.find_element(By.ID, "confirm_password")
    confirm.send_keys(CHOSEN + Keys.ENTER)
    wait.until(left_page(confirm))
    assert browser.current_url.endswith("/console/today?lang=en"), browser.page_source[:500]
    session = [cookie for cookie in browser.get_cookies() if cookie["name"].startswith("console_")]
    assert {cookie["name"] for cookie in session} == {"console_session", "console_access", "console_refresh"}

    # the account page, reached from the header's username link, then the TOTP secret at desktop width
    browser.find_element(By.LINK_TEXT, username).send_keys(Keys.ENTER)
    wait.until(expected_conditions.url_contains("/console/account"))
    assert "Off." in browser.page_source
    show(browser, f"{stack.api_url}/console/account?lang=en", SIZES["desktop"])
    enrol = browser.find_element(By.XPATH, "//button[contains(., 'Turn on two-step verification')]")
    enrol.send_keys(Keys.ENTER)
    wait.until(left_page(enrol))
    assert "otpauth://totp/" in browser.page_source and browser.find_element(By.ID, "code")
    assert blocking_violations(browser, axe_source) == []
    save_full_page(browser, screenshots / "console-account-totp-desktop.png")

    # sign out with the keyboard; then put the old cookies back: the server refuses the session
    show(browser, f"{stack.api_url}/console/today?lang=en", SIZES["phone"])
    sign_out = browser.find_element(By.XPATH, "//form[contains(@action, '/console/sign-out')]//button")
    sign_out.send_keys(Keys.ENTER)
    wait.until(left_page(sign_out))
    assert "/console/sign-in" in browser.current_url
    assert not [cookie for cookie in browser.get_cookies() if cookie["name"].startswith("console_")]
    for cookie in session:
        browser.add_cookie({key: cookie[key] for key in ("name", "value", "path", "secure", "httpOnly")})
    show(browser, f"{stack.api_url}/console/today?lang=en", SIZES["phone"])
    assert "/console/sign-in" in browser.current_url and browser.find_element(By.ID, "password")
    csp_errors = [
        entry for entry in browser.get_log("browser") if "Content Security Policy" in entry["message"]
    ]
    assert csp_errors == []
