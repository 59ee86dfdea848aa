"""What the Exceptions and Returns pages share: a message page in the area's words, and the check
that a path segment can be an id before any read."""

from __future__ import annotations

from collections.abc import Mapping

from console import pages
from console.pages import Page
from console.views import Request


def plausible_id(text: str) -> bool:
    return 0 < len(text) <= 64 and all(c.isalnum() or c in "-_" for c in text)


def area_message(
    request: Request, status: int, key: str, words: Mapping[str, Mapping[str, str]], path: str
) -> Page:
    """A message page (`key` of the area's `words` or the console's own) with `status`."""
    t = {**pages.TEXT[request.locale], **words[request.locale]}
    return pages.page(
        "message.html",
        status,
        request.operator,
        request.locale,
        request.services,
        path,
        key,
        words=words,
        message=t[key],
    )
