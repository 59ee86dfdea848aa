"""Inside a function worker: the AWS calls of the current invocation, and a crash on cue.

The runtime may ask a worker to crash during an invocation (``lambda.<Function>=crash:<rate>`` in
``ORDERTRACK_LOCAL_FAULTS``): die right after the k-th AWS API call of the invocation has
completed (retries included), or, when the function makes fewer calls, at the end of the
invocation just before its result would be returned (every side effect done, the result lost).
The worker dies by ``SIGKILL`` on itself: no ``finally``, no ``atexit``, no result, as when Lambda
ends an execution environment that ran out of time or memory. Its last words are a ``crashing``
notice to the runtime with the faults seen so far and its log byte count (the runtime's own
bookkeeping, not a function result).

The probe also collects the ``x-ordertrack-fault`` header the local moto server puts on each error
it injects, once per HTTP attempt (each retried attempt counts), for the runtime's invocation line.

Both go through botocore's events: ``after-call`` / ``after-call-error`` (once per API call, after
its retries) and ``needs-retry`` (once per attempt; its ``response`` is ``(http_response,
parsed)`` or ``None``). The handlers are appended to ``botocore.handlers.BUILTIN_HANDLERS``, which
every botocore session registers when it is created, as soon as ``botocore.handlers`` is first
imported (an import hook): sessions and clients made by any code, at import time or later, have
them, and a worker whose function never imports boto3 does not pay for importing it.

Standard library only, like the worker.
"""

from __future__ import annotations

import importlib.machinery
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

FAULT_HEADER = "x-ordertrack-fault"
"""Set by the local moto server on every error response it injects: ``<service>.<Operation>=<kind>``."""
_HOOKED_MODULE = "botocore.handlers"


class InvocationProbe:
    """Counts the current invocation's AWS calls, collects its fault headers, crashes on cue.

    ``last_words(faults)`` is called just before the process kills itself."""

    def __init__(self, last_words: Callable[[list[str]], None]) -> None:
        self._last_words = last_words
        self._lock = threading.Lock()
        self._calls = 0
        self._crash_after: int | None = None
        self._faults: list[str] = []

    def begin(self, crash_after_calls: int | None) -> None:
        """A new invocation; crash after its ``crash_after_calls``-th AWS call, if given."""
        with self._lock:
            self._calls = 0
            self._crash_after = crash_after_calls
            self._faults = []

    def end(self) -> list[str]:
        """The invocation is about to return: crash now if asked to; else the faults it met."""
        with self._lock:
            if self._crash_after is not None:
                self._crash()
            faults, self._faults = self._faults, []
            return faults

    def attempt_done(self, response: Sequence[Any] | None = None, **_: Any) -> None:
        """``needs-retry``: one HTTP attempt answered. Returns None: never asks for a retry itself."""
        if response is None:
            return
        fault = response[0].headers.get(FAULT_HEADER)
        if fault:
            with self._lock:
                self._faults.append(str(fault))

    def call_done(self, **_: Any) -> None:
        """``after-call`` / ``after-call-error``: one API call completed, its retries included."""
        with self._lock:
            self._calls += 1
            if self._crash_after is not None and self._calls >= self._crash_after:
                self._crash()

    def _crash(self) -> None:
        """Called with the lock held, so a second thread cannot send a second notice."""
        self._last_words(list(self._faults))
        os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))
        os._exit(137)  # only if the signal did not end the process at once


def install(probe: InvocationProbe) -> None:
    """Give every botocore session of this process the probe's handlers (see the module doc)."""

    def register(handlers: ModuleType) -> None:
        handlers.BUILTIN_HANDLERS.extend(
            [
                ("needs-retry", probe.attempt_done),
                ("after-call", probe.call_done),
                ("after-call-error", probe.call_done),
            ]
        )

    if _HOOKED_MODULE in sys.modules:
        register(sys.modules[_HOOKED_MODULE])
    else:
        sys.meta_path.insert(0, _AfterImport(_HOOKED_MODULE, register))  # type: ignore[arg-type]


class _AfterImport:
    """A meta path finder that runs ``then(module)`` right after module ``name`` is executed."""

    def __init__(self, name: str, then: Callable[[ModuleType], None]) -> None:
        self.name = name
        self.then = then

    def find_spec(self, fullname: str, path: Sequence[str] | None, target: Any = None) -> Any:
        if fullname != self.name:
            return None
        sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            return spec
        exec_module = spec.loader.exec_module

        def exec_then(module: ModuleType) -> None:
            exec_module(module)
            self.then(module)

        spec.loader.exec_module = exec_then  # type: ignore[method-assign]
        return spec
