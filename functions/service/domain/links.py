"""Customer links for customer service: the survey link (purpose `feedback`, expires) and the
tracking link (purpose `track`), verified with the keys the caller passes in."""

from __future__ import annotations

from collections.abc import Iterable

from service.domain.errors import LinkExpired, LinkNotFound
from shared.links import CASE, FEEDBACK, TRACK, LinkToken, sign, verify


def feedback_token(key: str, order_id: str, expires_at: int) -> str:
    return sign(key, order_id, FEEDBACK, expires_at=expires_at)


def case_token(key: str, complaint_id: str, expires_at: int) -> str:
    """The "was this resolved?" link of a case (purpose `case`; the token names the case)."""
    return sign(key, complaint_id, CASE, expires_at=expires_at)


def verify_link(
    keys: Iterable[str], token: str, now: int, purposes: tuple[str, ...] = (FEEDBACK,)
) -> LinkToken:
    """The link's order if `token` is signed for one of `purposes`. A tampered or unknown token
    raises LinkNotFound (no reason given); a genuine but expired one raises LinkExpired."""
    accepted = tuple(keys)
    if len(token) > 200:
        raise LinkNotFound()
    for purpose in purposes:
        found = verify(accepted, token, purpose)  # signature only; expiry checked below
        if found is None:
            continue
        if found.expires_at is not None and now >= found.expires_at:
            raise LinkExpired()
        return found
    raise LinkNotFound()


__all__ = ["CASE", "FEEDBACK", "TRACK", "case_token", "feedback_token", "verify_link"]
