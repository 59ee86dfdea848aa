"""CSRF tokens of the forms behind a signed link: bound to the key, the action, the link and the
nonce, and to a time window; the browser's Origin and Sec-Fetch-Site checked when sent."""

from __future__ import annotations

import pytest

from shared.form_tokens import MAX_AGE_SECONDS, check, issue, same_origin_request

KEY, OLD_KEY = "k" * 40, "o" * 40
NOW = 1_800_000_000
NONCE = "n0nce-for-one-render"


def fields(token) -> dict[str, list[str]]:
    return {"nonce": [token.nonce], "issued": [str(token.issued)], "csrf": [token.csrf]}


def test_a_genuine_token_gives_back_its_nonce_under_the_current_or_the_previous_key() -> None:
    assert check((KEY,), "problem", "link", fields(issue(KEY, "problem", "link", NONCE, NOW)), NOW) == NONCE
    rotated = fields(issue(OLD_KEY, "problem", "link", NONCE, NOW))
    assert check((KEY, OLD_KEY), "problem", "link", rotated, NOW + 60) == NONCE


@pytest.mark.parametrize(
    ("keys", "action", "link", "now"),
    [
        (("other-key",), "problem", "link", NOW),
        ((KEY,), "unsubscribe", "link", NOW),  # another action
        ((KEY,), "problem", "another-link", NOW),  # another order's page
        ((KEY,), "problem", "link", NOW + MAX_AGE_SECONDS + 1),  # too old
        ((KEY,), "problem", "link", NOW - 3600),  # issued in the future
    ],
)
def test_anything_else_is_refused(keys: tuple[str, ...], action: str, link: str, now: int) -> None:
    assert check(keys, action, link, fields(issue(KEY, "problem", "link", NONCE, NOW)), now) is None


@pytest.mark.parametrize(
    "change",
    [{"nonce": ["short"]}, {"issued": ["soon"]}, {"csrf": ["é" * 22]}, {"csrf": []}, {"issued": ["9" * 20]}],
)
def test_malformed_fields_are_refused(change: dict[str, list[str]]) -> None:
    sent = {**fields(issue(KEY, "problem", "link", NONCE, NOW)), **change}
    assert check((KEY,), "problem", "link", sent, NOW) is None


@pytest.mark.parametrize(
    ("headers", "allowed"),
    [
        ({"host": "track.example.com"}, True),  # no Origin: not a browser form; the token decides
        ({"host": "track.example.com", "origin": "https://track.example.com"}, True),
        (
            {
                "Host": "track.example.com",
                "Origin": "https://TRACK.example.com",
                "Sec-Fetch-Site": "same-origin",
            },
            True,
        ),
        ({"host": "track.example.com", "origin": "https://evil.example"}, False),
        ({"host": "track.example.com", "origin": "null"}, False),
        ({"host": "track.example.com", "sec-fetch-site": "cross-site"}, False),
        ({"origin": "https://track.example.com"}, False),  # no host to compare with
    ],
)
def test_the_browsers_word_on_where_the_form_came_from(headers: dict[str, str], allowed: bool) -> None:
    assert same_origin_request(headers) is allowed
