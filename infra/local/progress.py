"""What `make dev` is doing while it starts: one line when a step begins, one when it ends, timed.

The Makefile prints the same two lines for its own steps (install, layer), so a first start reads::

    [dev] install    requirements-dev.txt into .venv ...
    [dev] install    done in 41.2 s
    [dev] synth      ...
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO


class Progress:
    """Prints timed steps on ``stream`` (stdout by default: the lines belong to the user's terminal)."""

    def __init__(self, stream: TextIO | None = None, prefix: str = "[dev]") -> None:
        self.stream = stream
        self.prefix = prefix

    def say(self, step: str, text: str) -> None:
        print(f"{self.prefix} {step:<10} {text}", file=self.stream or sys.stdout, flush=True)

    @contextmanager
    def step(self, step: str, doing: str) -> Iterator[list[str]]:
        """Say what starts, then how long it took; the caller may append a note (``"reused"``)."""
        notes: list[str] = []
        self.say(step, f"{doing} ...")
        started = time.monotonic()
        yield notes
        suffix = f" ({', '.join(notes)})" if notes else ""
        self.say(step, f"done in {time.monotonic() - started:.1f} s{suffix}")


class Silent(Progress):
    """No output: the default of :class:`infra.local.stack.LocalStack` (tests, benchmarks)."""

    def say(self, step: str, text: str) -> None:
        return None
