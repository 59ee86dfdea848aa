"""The short code customers see for an order whose storefront sent no `order_number` of its own.

Derived from the order id alone (so every function, and every retry, computes the same code without
storing or looking anything up), in an alphabet without look-alikes (no 0/O, 1/I/L, U) so that it
survives being read out on the phone, split in two halves for the eye: `K7QM-4XP9`. Eight symbols of
30 give 6.5e11 codes: enough to tell a customer's orders apart, not an identifier (that stays the
order id).
"""

from __future__ import annotations

import hashlib

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 8


def short_order_code(order_id: str) -> str:
    """The human code of `order_id`, e.g. `K7QM-4XP9`: same id, same code."""
    value = int.from_bytes(
        hashlib.sha256(b"ordertrack/order-number/" + order_id.encode()).digest()[:8], "big"
    )
    symbols = []
    for _ in range(CODE_LENGTH):
        value, index = divmod(value, len(ALPHABET))
        symbols.append(ALPHABET[index])
    half = CODE_LENGTH // 2
    return "".join(symbols[:half]) + "-" + "".join(symbols[half:])
