"""Crashed Lambda workers: when the runtime makes one die, and how Lambda reports a dead runtime.

``lambda.<FunctionLogicalId>=crash:<rate>`` in ``ORDERTRACK_LOCAL_FAULTS`` (see
:mod:`infra.local.faults`) sets a function's crash rate. For each invocation :class:`CrashDraw`
draws whether its worker dies, and after which of its AWS calls (k from 1..20; a function that
makes fewer calls dies at the end of the invocation, just before returning its result). The worker
side is :mod:`infra.local.invocation_probe`.
"""

from __future__ import annotations

import random
import signal
import threading
from collections import Counter

FAULTS_SEED_SETTING = "ORDERTRACK_LOCAL_FAULTS_SEED"
CRASH = "crash"
"""How an injected crash is named among an invocation's faults."""
MAX_CRASH_AFTER_CALLS = 20
"""Crash points spread over an invocation's first 20 AWS calls: for a notification batch that is the
first messages' claims, sends and completions, so a crash between a provider's answer and the
write that records it is among them, not only crashes before the first send."""


class CrashDraw:
    """Thread-safe draws for one function; ``rate`` may be changed at any time.

    ``seed`` makes the draws repeatable; the function's ``name`` is mixed in, so that each
    function has its own stream of draws and adding a function does not shift the others'."""

    def __init__(self, name: str, seed: str | int | None = None) -> None:
        self.rate = 0.0
        self._lock = threading.Lock()
        self._rng = random.Random(None if seed is None else f"{seed}/{name}")

    def draw(self) -> int | None:
        """``None``: no crash; else the AWS call after which the invocation's worker dies."""
        rate = self.rate
        if rate <= 0:
            return None
        with self._lock:
            if self._rng.random() >= rate:
                return None
            return self._rng.randint(1, MAX_CRASH_AFTER_CALLS)


def exit_message(request_id: str, exitcode: int | None) -> str:
    """Lambda's ``Runtime.ExitError`` message; the end of the process worded as Go words it."""
    if exitcode is None:
        reason = "unknown"
    elif exitcode < 0:
        try:
            name = signal.strsignal(-exitcode) or str(-exitcode)
        except ValueError:
            name = str(-exitcode)
        reason = f"signal: {name.lower()}"
    else:
        reason = f"exit status {exitcode}"
    return f"RequestId: {request_id} Error: Runtime exited with error: {reason}"


def fault_summary(faults: list[str]) -> str:
    """``dynamodb.TransactWriteItems=throttle x2,crash``: each fault once, in order, with its count."""
    counts = Counter(faults)
    return ",".join(fault if counts[fault] == 1 else f"{fault} x{counts[fault]}" for fault in counts)
