"""What an operator typed (a complaint's resolution, a return's note) in a text message: never woven
into a sentence of the template's language (the operator may have written in another), but on a line
of its own, quoted and marked as the shop's note, cut short at a character boundary when long.

Emails show the whole note in a quote block of their own (`blocks.quote`); a text carries at most
`SMS_NOTE_BUDGET` characters of it so that it stays within its segment limit. An English text keeps
to GSM-7 (160 characters a segment, not UCS-2's 70): a note that GSM-7 cannot carry (Chinese, an
emoji) is left to the email rather than tripling the text's cost.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any

from notifications.domain.model import NotificationKind
from notifications.domain.sms_segments import SmsEncoding, sms_size

NOTE_BY_KIND: dict[NotificationKind, str] = {
    NotificationKind.COMPLAINT_RESOLVED: "complaint_resolution",
    NotificationKind.COMPLAINT_REPLIED: "complaint_reply",
    NotificationKind.RETURN_REQUESTED: "return_note",
    NotificationKind.RETURN_APPROVED: "return_note",
    NotificationKind.RETURN_REJECTED: "return_note",
    NotificationKind.RETURN_RECEIVED: "return_note",
    NotificationKind.RETURN_REFUNDED: "return_note",
    NotificationKind.EXCEPTION_CONTACT: "exception_note",
    NotificationKind.EXCEPTION_REFUNDED: "exception_note",
}
"""Kind -> the context variable holding the operator's words."""

SMS_NOTE_BUDGET: dict[str, int] = {"en": 90, "zh-CN": 24}
"""Characters of the note a text carries, quotes and ellipsis included in the cut."""

_LABEL = {"en": 'Our note: "{}"', "zh-CN": "客服备注：“{}”"}  # noqa: RUF001 - full-width colon in Chinese
_ELLIPSIS = {"en": "...", "zh-CN": "…"}
_JOINERS = {"\u200d", "\ufe0e", "\ufe0f"}  # zero-width joiner, variation selectors


def _cut(text: str, limit: int, ellipsis: str, at_word: bool) -> str:
    """`text` in at most `limit` characters: cut where no character loses its accents or joined
    parts, at a word boundary where one is near, and marked with an ellipsis."""
    if len(text) <= limit:
        return text
    end = limit - len(ellipsis)
    while end > 0 and (
        unicodedata.combining(text[end]) or text[end] in _JOINERS or text[end - 1] in _JOINERS
    ):
        end -= 1
    if at_word:
        space = text.rfind(" ", 0, end + 1)
        if space > end // 2:
            end = space
    return text[:end].rstrip() + ellipsis


def sms_note(kind: NotificationKind, locale: str, context: Mapping[str, Any]) -> str | None:
    """The quoted line a text adds for the operator's words, or None (no note, or one an English
    text cannot carry in GSM-7)."""
    key = NOTE_BY_KIND.get(kind)
    raw = context.get(key) if key else None
    if not isinstance(raw, str) or not raw.strip():
        return None
    text = " ".join(raw.split())  # one line: the operator's line breaks become spaces
    english = locale != "zh-CN"
    if english and sms_size(text).encoding is not SmsEncoding.GSM7:
        return None
    label = _LABEL.get(locale, _LABEL["en"])
    budget = SMS_NOTE_BUDGET.get(locale, SMS_NOTE_BUDGET["en"])
    return label.format(_cut(text, budget, _ELLIPSIS["en" if english else "zh-CN"], at_word=english))
