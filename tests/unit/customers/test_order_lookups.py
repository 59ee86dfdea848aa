"""Order lookups: normal forms, the keyed hash, the lookups an order and an edit produce."""

from __future__ import annotations

import pytest

from orders.domain.order_lookups import (
    OrderLookup,
    contact_lookup_changes,
    derive_lookup_secret,
    keyed_hash,
    normalise_email,
    normalise_phone,
    order_lookups,
    search_key,
)
from orders.domain.place_order import place_order
from orders.models.api import CreateOrderRequest
from orders.models.order import OrderRecord
from shared.order_numbers import short_order_code
from tests.factories import order_body
from tests.fakes.orders import FrozenClock, InMemoryOrders

SECRET = derive_lookup_secret("test-key")


def hasher(kind: str, normalised: str) -> str:
    return keyed_hash(SECRET, kind, normalised)  # type: ignore[arg-type]


def order(**customer: object) -> OrderRecord:
    body = order_body(order_number="SO-9")
    body["customer"] = {**body["customer"], **customer}
    request = CreateOrderRequest.model_validate({k: v for k, v in body.items() if v is not None})
    return place_order(request, "k-1", InMemoryOrders(), FrozenClock()).order


def test_emails_are_trimmed_and_lower_cased_and_phones_read_in_e164() -> None:
    assert normalise_email("  Li.Wei@Example.COM ") == "li.wei@example.com"
    assert normalise_phone("+86 138-0013-8000") == "+8613800138000"
    with pytest.raises(ValueError):
        normalise_phone("13800138000")  # no country code
    with pytest.raises(ValueError):
        normalise_phone("+999")


def test_the_keyed_hash_depends_on_the_key_and_the_kind_and_hides_the_value() -> None:
    one = keyed_hash(SECRET, "email", "li.wei@example.com")
    assert one == keyed_hash(SECRET, "email", "li.wei@example.com") and len(one) == 32
    assert one != keyed_hash(derive_lookup_secret("other-key"), "email", "li.wei@example.com")
    assert one != keyed_hash(SECRET, "phone", "li.wei@example.com")
    assert "li" not in one and "example" not in one


def test_a_search_reads_the_same_key_the_order_wrote() -> None:
    placed = order(email="Li.Wei@example.com")
    lookups = {lookup.kind: lookup.key for lookup in order_lookups(placed, hasher)}
    assert search_key("email", " LI.WEI@EXAMPLE.COM", hasher) == lookups["email"]
    assert search_key("phone", " 8613800138000", hasher) == lookups["phone"]  # `+` read as a space
    assert search_key("number", "SO-9", hasher) == "SO-9" == lookups["number"]


def test_one_lookup_per_distinct_key_and_none_for_the_derived_number() -> None:
    placed = order()
    assert sorted(lookup.kind for lookup in order_lookups(placed, hasher)) == ["email", "number", "phone"]
    derived = placed.model_copy(update={"order_number": short_order_code(placed.order_id)})
    assert [lookup.kind for lookup in order_lookups(derived, None)] == []
    assert [lookup.kind for lookup in order_lookups(placed, None)] == [
        "number"
    ]  # without a key: no contact lookups


def test_an_edit_of_the_contact_puts_the_new_lookup_and_deletes_the_old() -> None:
    old = order()
    new = old.model_copy(update={"customer": old.customer.model_copy(update={"email": "new@example.com"})})
    changes = contact_lookup_changes(old, new, hasher)
    assert changes.put == [
        OrderLookup("email", hasher("email", "new@example.com"), old.order_id, old.created_at)
    ]
    assert changes.delete == [
        OrderLookup("email", hasher("email", "li.wei@example.com"), old.order_id, old.created_at)
    ]
    unchanged = contact_lookup_changes(old, old.model_copy(deep=True), hasher)
    assert unchanged.put == [] and unchanged.delete == []
    no_phone = new.model_copy(update={"customer": new.customer.model_copy(update={"phone": None})})
    assert sorted(lookup.kind for lookup in contact_lookup_changes(old, no_phone, hasher).delete) == [
        "email",
        "phone",
    ]


def test_place_order_hands_the_lookups_to_the_repository() -> None:
    orders = InMemoryOrders()
    request = CreateOrderRequest.model_validate(order_body(order_number="SO-9"))
    placed = place_order(request, "k-1", orders, FrozenClock(), hasher).order
    assert sorted(lookup.kind for lookup in orders.lookups) == ["email", "number", "phone"]
    assert {lookup.order_id for lookup in orders.lookups} == {placed.order_id}
