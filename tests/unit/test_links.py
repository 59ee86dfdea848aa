"""Signed customer links: round trip, tampering, purpose binding, expiry and key rotation."""

from __future__ import annotations

import pytest

from shared import links
from shared.link_keys import LinkKeys, parse_link_keys

KEY = "k" * 40
ORDER = "ord_abcdefghijklmnopqrstuvwx"


def test_tracking_token_round_trips_and_is_short() -> None:
    token = links.sign(KEY, ORDER)
    assert len(token) == len(ORDER) + 1 + 20
    assert links.verify([KEY], token) == links.LinkToken(ORDER, links.TRACK, None)


@pytest.mark.parametrize("position", range(len(ORDER) + 21))
def test_any_changed_character_invalidates_the_token(position: int) -> None:
    token = links.sign(KEY, ORDER)
    swapped = "B" if token[position] != "B" else "C"
    assert links.verify([KEY], token[:position] + swapped + token[position + 1 :]) is None


def test_order_id_alone_or_a_token_of_another_order_is_not_enough() -> None:
    other = links.sign(KEY, "ord_other")
    assert links.verify([KEY], ORDER) is None
    assert links.verify([KEY], ORDER + "." + other.split(".")[1]) is None
    assert links.verify(["another-key"], links.sign(KEY, ORDER)) is None
    assert links.verify([KEY], "") is None
    assert links.verify([KEY], "a.b.c.d") is None


def test_purpose_is_bound_and_other_purposes_expire() -> None:
    feedback = links.sign(KEY, ORDER, links.FEEDBACK, expires_at=1_000)
    assert links.verify([KEY], feedback) is None  # not a tracking token
    assert links.verify([KEY], feedback, links.FEEDBACK, now=999) == links.LinkToken(
        ORDER, links.FEEDBACK, 1_000
    )
    assert links.verify([KEY], feedback, links.FEEDBACK, now=1_000) is None
    moved = feedback.replace(".rs.", ".rt.")  # a later expiry than signed
    assert links.verify([KEY], moved, links.FEEDBACK, now=999) is None
    with pytest.raises(ValueError):
        links.sign(KEY, ORDER, links.FEEDBACK)


def test_previous_key_still_verifies_during_rotation() -> None:
    keys = parse_link_keys('{"key": "new-key", "previous_key": "old-key"}')
    assert keys == LinkKeys("new-key", "old-key")
    assert links.verify(keys.accepted, links.sign("old-key", ORDER)) is not None
    assert links.verify(keys.accepted, links.sign("new-key", ORDER)) is not None
    with pytest.raises(ValueError):
        parse_link_keys("{}")


def test_link_format() -> None:
    assert links.link("https://t.example.com/", "ord_a.xyz") == "https://t.example.com/track/ord_a.xyz"
    assert links.link("", "ord_a.xyz") is None


@pytest.mark.parametrize("mac", ["é", "éé", "\u00a0" * 20, "a\n"])
def test_a_signature_part_that_is_not_ascii_is_simply_invalid(mac: str) -> None:
    assert links.verify(["k1"], f"ord_aaaaaaaaaaaaaaaaaaaaaaaa.{mac}") is None
    assert links.verify(["k1"], f"ord_x.1z.{mac}", links.FEEDBACK, now=0) is None


def test_an_order_id_with_a_trailing_newline_is_not_accepted() -> None:
    token = links.sign("k1", "ord_abc")
    order_id, mac = token.split(".")
    assert links.verify(["k1"], f"{order_id}\n.{mac}") is None
