"""Finding an order by what the customer knows: their phone, their email, the storefront's order
number (and the tracking number, which the shipment's tracking link already maps to its order).

A lookup is a small item per (kind, key, order), written in the same transaction as the order. Its
key never holds personal data: a phone or email is kept only as a keyed hash (HMAC-SHA256 with a
secret key, `ContactHasher`) of its normal form, so the table cannot be read back into addresses
and a guessed address cannot be confirmed without the key. The storefront's order number is not
personal data and is kept as it is.

Pure: no storage, no key material. Order edits that change the contact call
`contact_lookup_changes(old, new, hasher)` and write its `put` and `delete` in the edit's own
transaction (`orders.adapters.order_lookups.lookup_actions`).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from typing import Literal, Protocol

from orders.models.order import OrderRecord
from shared.order_numbers import short_order_code

LookupKind = Literal["phone", "email", "number"]
CONTACT_KINDS: tuple[LookupKind, ...] = ("phone", "email")
HASH_HEX_DIGITS = 32
"""128 bits of the HMAC: collisions are out of reach, and the key stays short (write units)."""


class ContactHasher(Protocol):
    def __call__(self, kind: LookupKind, normalised: str) -> str:
        """The keyed hash (hex) of a normalised phone or email."""
        ...


@dataclass(frozen=True, order=True)
class OrderLookup:
    """One lookup item: `kind` and `key` find the order `order_id`, placed at `created_at`."""

    kind: LookupKind
    key: str
    order_id: str
    created_at: str


@dataclass(frozen=True)
class LookupChanges:
    put: list[OrderLookup] = field(default_factory=list)
    delete: list[OrderLookup] = field(default_factory=list)


def normalise_email(value: str) -> str:
    """Trimmed and lower-cased: `  Li.Wei@Example.COM ` and `li.wei@example.com` are one address."""
    return value.strip().lower()


def normalise_phone(value: str, region: str | None = None) -> str:
    """E.164 (`+8613800138000`) from any international form (`+86 138-0013-8000`), or from a
    national number of `region` (ISO 3166-1 alpha-2: `138 0013 8000` in `CN`); ValueError when it
    is not a valid phone number."""
    import phonenumbers  # deferred: ~50 ms of import

    try:
        number = phonenumbers.parse(value.strip(), region)
    except phonenumbers.NumberParseException:
        raise ValueError("not a phone number in international form (+<country code> ...)") from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError("not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def keyed_hash(secret: bytes, kind: LookupKind, normalised: str) -> str:
    """HMAC-SHA256 over `<kind>:<normalised value>` (a phone and an email never share a hash)."""
    digest = hmac.new(secret, f"{kind}:{normalised}".encode(), hashlib.sha256).hexdigest()
    return digest[:HASH_HEX_DIGITS]


def derive_lookup_secret(key: str) -> bytes:
    """The lookup hashing key derived from a stored secret with its own label, so the same secret
    could serve another purpose without the two ever producing related values."""
    return hmac.new(key.encode(), b"ordertrack/contact-lookup/v1", hashlib.sha256).digest()


def search_key(kind: LookupKind, value: str, hasher: ContactHasher | None) -> str:
    """The lookup key a search for `value` reads (ValueError when the value is not one of its kind)."""
    if kind == "number":
        return value
    if hasher is None:
        raise LookupError("contact lookups are not configured (CONTACT_LOOKUP_SECRET_ARN)")
    if kind == "phone" and value[:1] == " ":  # a `+` sent unencoded in a query string reads as a space
        value = "+" + value[1:]
    normalised = normalise_phone(value) if kind == "phone" else normalise_email(value)
    return hasher(kind, normalised)


def order_lookups(order: OrderRecord, hasher: ContactHasher | None) -> list[OrderLookup]:
    """The lookups of an order: one per distinct key. The order number only when the storefront
    sent its own (the derived short code is not stored); contacts only with a hasher and not erased."""
    found: list[OrderLookup] = []
    if order.order_number and order.order_number != short_order_code(order.order_id):
        found.append(OrderLookup("number", order.order_number, order.order_id, order.created_at))
    if hasher is not None and not order.erased_at:
        if order.customer.phone:
            key = hasher("phone", normalise_phone(order.customer.phone))
            found.append(OrderLookup("phone", key, order.order_id, order.created_at))
        if order.customer.email:
            key = hasher("email", normalise_email(order.customer.email))
            found.append(OrderLookup("email", key, order.order_id, order.created_at))
    return found


def contact_lookup_changes(
    old_order: OrderRecord, new_order: OrderRecord, hasher: ContactHasher | None
) -> LookupChanges:
    """What an edit of the order must write beside it: the lookups the new order has and the old
    one had not (put), and those the old one had and the new one has not (delete). Unchanged
    contacts write nothing."""
    old = set(order_lookups(old_order, hasher))
    new = set(order_lookups(new_order, hasher))
    return LookupChanges(put=sorted(new - old), delete=sorted(old - new))


def still_matches(order: OrderRecord, kind: LookupKind, key: str, hasher: ContactHasher | None) -> bool:
    """Whether the order still carries what its lookup was written for (a search keeps only those:
    an edit or an erasure leaves no stale answer even before its lookups are gone)."""
    return any(lookup.kind == kind and lookup.key == key for lookup in order_lookups(order, hasher))
