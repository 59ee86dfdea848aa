"""Wiring shared by the inventory handlers: what every handler of the capability takes from its environment.

Handlers reach these through the module (`dependencies.clock()`), so a test replaces one by
monkeypatching the attribute and every handler follows."""

from __future__ import annotations

from shared.clock import Clock, SystemClock


def clock() -> Clock:
    """The time source of the capability's handlers: the system clock in Lambda, frozen in tests."""
    return SystemClock()
