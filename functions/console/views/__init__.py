"""The console's pages, one module per area (docs/console.md). Each module lists its `ROUTES`: the
method, the first path segment after `/console`, the Cognito groups that may open it and the handler,
a function of one `Request`. `console.views.registry` lists the modules; `console.routes` dispatches.
An area's own words live beside it (`WORDS`, both locales, merged over `console.texts.TEXT`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from console.pages import Page
from console.ports import ConsoleServices
from console.sessions import Operator

MAX_UNITS = 999
"""The most units one form field may count (a line's quantity, a return's units)."""


@dataclass(frozen=True)
class Request:
    """One signed-in request: `parts` are the path's segments after `/console` (the first names the
    page), `form` the CSRF-checked form of a POST (None for a GET)."""

    method: str
    parts: list[str]
    query: Mapping[str, str]
    operator: Operator
    locale: str
    services: ConsoleServices
    form: Mapping[str, list[str]] | None = None
    event: Mapping[str, Any] = field(default_factory=dict)

    def field(self, name: str, limit: int = 2000) -> str:
        """The last value of a posted field, stripped and cut to `limit` characters ('' if absent)."""
        values = (self.form or {}).get(name) or [""]
        return values[-1].strip()[:limit]

    def units(self, name: str) -> int | None:
        """A posted count of units: a whole number from 0 to `MAX_UNITS` (absent or empty is 0);
        None for anything else."""
        text = self.field(name, 4) or "0"
        return int(text) if text.isdigit() and int(text) <= MAX_UNITS else None

    def fields(self, name: str) -> list[str]:
        return list((self.form or {}).get(name) or [])

    def segment(self, index: int) -> str:
        """The path segment at `index` after the page name's (0: the page itself), '' if absent."""
        return self.parts[index] if len(self.parts) > index else ""


Handler = Callable[[Request], Page]


@dataclass(frozen=True)
class Route:
    method: str
    page: str
    roles: tuple[str, ...]
    handler: Handler
