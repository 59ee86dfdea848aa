"""`Content-Type` parsing for the HTTP edges (storefront API and carrier webhooks)."""

from __future__ import annotations


def parse_media_type(content_type: str | None) -> tuple[str, list[tuple[str, str]]]:
    """(media type, [(parameter, value), ...]), all lower case, quotes and spaces removed."""
    media, _, parameters = (content_type or "").partition(";")
    named = []
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip():
            named.append((name.strip().lower(), value.strip().strip('"').lower()))
    return media.strip().lower(), named
