"""Every area of the console; an area's routes join the dispatch table by being listed here."""

from __future__ import annotations

from types import ModuleType

from console.views import cases, core, customers, exceptions, orders, returns, search, signin, stock, today

AREAS: tuple[ModuleType, ...] = (
    core,
    today,
    cases,
    exceptions,
    returns,
    orders,
    customers,
    search,
    stock,
    signin,
)
