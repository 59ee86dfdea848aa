"""One fault spec for the whole local stack, applied to every fake at once.

:class:`StackFaults` holds the stack's spec (:mod:`infra.local.faults`) and hands each fake its
part: AWS operations to the moto server (:mod:`infra.local.aws_faults`), providers to the provider
simulator, and each function's crash rate to its runtime (``runtime.crash_rate``). The spec comes
from ``ORDERTRACK_LOCAL_FAULTS`` and is applied only once the stack is started, so provisioning is
never faulted; afterwards :meth:`StackFaults.set` (``LocalStack.set_faults``, ``POST /_local/faults``
with ``{"faults": "<spec>"}``) replaces it everywhere, ``""`` switching every fault off.
``GET /_local/faults`` answers ``{"faults": spec, "injected": {"<target>=<kind>": n}}``, the counts of
the moto server, the simulator and the runtimes (those that count crashes) added up.
"""

from __future__ import annotations

import json
import logging
import threading
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

from infra.local.faults import FaultSpec, FaultSpecError, parse
from infra.local.http_api import HttpResponse, json_response

_LOG = logging.getLogger("ordertrack.local")


class StackFaults:
    """The spec of one stack; ``moto``, ``providers`` and ``functions`` are read when applied."""

    def __init__(
        self,
        spec: str,
        moto: Any,
        providers: Callable[[], Any],
        functions: Callable[[], Mapping[str, Any]],
    ) -> None:
        self.spec = parse(spec)  # a malformed setting stops the stack before it starts
        self._moto = moto
        self._providers = providers
        self._functions = functions
        self._lock = threading.Lock()
        self._active = False

    def activate(self) -> None:
        """Apply the spec from now on (the stack is provisioned and running)."""
        with self._lock:
            self._active = True
            self._apply()

    def set(self, spec: str) -> FaultSpec:
        """Replace the spec everywhere (``FaultSpecError``, and nothing changes, if malformed)."""
        parsed = parse(spec)
        with self._lock:
            self.spec = parsed
            if self._active:
                self._apply()
        return parsed

    def _apply(self) -> None:
        text = str(self.spec)
        self._moto.set_faults(text)
        providers = self._providers()
        if providers is not None:
            providers.set_faults(text)
        crashes = self.spec.crashes()
        for logical_id, runtime in self._functions().items():
            runtime.crash_rate = crashes.get(logical_id, 0.0)  # read by the runtime's workers
        if self.spec:
            _LOG.info("faults spec=%s", text)

    def counts(self) -> dict[str, int]:
        """Faults injected so far by ``<target>=<kind>``, everywhere."""
        total: Counter[str] = Counter()
        if self._active:
            total.update(self._moto.faults().get("injected") or {})
        providers = self._providers()
        if providers is not None:
            total.update(providers.fault_counts())
        for logical_id, runtime in self._functions().items():
            total.update(_runtime_counts(logical_id, runtime))
        return dict(total)

    def state(self) -> dict[str, Any]:
        return {"faults": str(self.spec), "injected": self.counts()}

    def route(self, method: str, body: bytes) -> HttpResponse:
        """``GET`` / ``POST /_local/faults``."""
        if method == "POST":
            try:
                request = json.loads(body or b"{}")
                spec = request.get("faults", "") if isinstance(request, dict) else None
                if not isinstance(spec, str):
                    raise FaultSpecError('expected {"faults": "<spec>"} with the spec as a string')
                self.set(spec)
            except ValueError as error:  # FaultSpecError and JSONDecodeError are ValueErrors
                return json_response(400, {"message": str(error)})
        elif method != "GET":
            return json_response(405, {"message": "Method Not Allowed"})
        return json_response(200, self.state())


def _runtime_counts(logical_id: str, runtime: Any) -> dict[str, int]:
    """A runtime's injected crashes (``FunctionRuntime.crashes_injected``)."""
    crashes = getattr(runtime, "crashes_injected", 0)
    if isinstance(crashes, int) and crashes > 0:
        return {f"lambda.{logical_id}=crash": crashes}
    return {}
