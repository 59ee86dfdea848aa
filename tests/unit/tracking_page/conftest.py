"""Fixtures of the tracking page unit tests: the signing keys and a parser for the rendered HTML."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

KEY = "current-link-key-" + "k" * 24
PREVIOUS_KEY = "previous-link-key-" + "p" * 24


class Outline(HTMLParser):
    """What tests look at in a page: headings in order, the timeline entries, the text, attributes."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.headings: list[tuple[int, str]] = []
        self.steps: list[dict[str, str | None]] = []
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.style = ""
        self.text: list[str] = []
        self._open: list[str] = []
        self._heading: list[str] | None = None
        self._in_style = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.elements.append((tag, attributes))
        if tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
            self._heading = [tag]
        if tag == "li" and "step" in (attributes.get("class") or ""):
            self.steps.append({"aria-current": attributes.get("aria-current"), "datetime": None})
        if tag == "time" and self.steps and self.steps[-1]["datetime"] is None:
            self.steps[-1]["datetime"] = attributes.get("datetime")
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        if self._heading is not None and tag == self._heading[0]:
            level = int(tag[1])
            self.headings.append((level, "".join(self._heading[1:]).strip()))
            self._heading = None
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.style += data
            return
        self.text.append(data)
        if self._heading is not None:
            self._heading.append(data)

    @property
    def plain_text(self) -> str:
        return " ".join(" ".join(self.text).split())


@pytest.fixture
def outline() -> type[Outline]:
    return Outline
