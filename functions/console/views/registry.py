"""Every area of the console; an area's routes join the dispatch table by being listed here."""

from __future__ import annotations

from types import ModuleType

from console.views import core, today

AREAS: tuple[ModuleType, ...] = (core, today)
