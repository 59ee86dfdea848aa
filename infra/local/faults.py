"""Fault specs for the local stack: ``ORDERTRACK_LOCAL_FAULTS`` and ``POST /_local/faults``.

A spec is a comma-separated list of entries, each ``<target>=<kind>:<rate>`` with a rate in 0..1:

* ``<service>.<Operation>=throttle|5xx|limit|lost:<rate>``: the local moto server answers that
  AWS request with the error AWS returns (``<service>`` is the request's SigV4 signing name:
  ``dynamodb``, ``sqs``, ``ses``, ``sns``, ``events``, ...; ``<Operation>`` the API operation, or
  ``*`` for every operation of the service). ``limit`` is DynamoDB's account-level
  ``RequestLimitExceeded``; ``lost`` lets the request take effect and then closes the connection
  before the answer, as a read timeout or a dropped connection loses AWS's answer (botocore raises
  ``ConnectionClosedError``);
* ``lambda.<FunctionLogicalId>=crash:<rate>``: the function's worker process dies in the middle of
  an invocation, as a Lambda timeout or out-of-memory ends an execution environment;
* ``provider.<name>=5xx|timeout:<rate>``: the provider simulator's registration and query APIs
  (``infra.local.providers.simulator``).

Every fake reads the same spec and keeps the entries addressed to it; :func:`parse` validates the
whole spec, so a typo is refused wherever it is given. An empty spec switches every fault off.
"""

from __future__ import annotations

import random
import re
import threading
from collections import Counter
from dataclasses import dataclass, field

AWS_FAULT_KINDS = ("throttle", "5xx", "limit", "lost")
LOST = "lost"
LAMBDA_FAULT_KINDS = ("crash",)
PROVIDER_FAULT_KINDS = ("5xx", "timeout")
_TARGET = re.compile(r"^(?P<service>[a-z0-9-]+)\.(?P<name>[A-Za-z0-9_*-]+)$")


class FaultSpecError(ValueError):
    """A spec entry that is not ``<target>=<kind>:<rate>`` with a known kind and a rate in 0..1."""


@dataclass(frozen=True)
class Fault:
    service: str  # a SigV4 signing name, "lambda" (a crash) or "provider"
    name: str  # the operation (or "*"), the function's logical id, or the provider's name
    kind: str
    rate: float

    @property
    def target(self) -> str:
        return f"{self.service}.{self.name}"

    def __str__(self) -> str:
        return f"{self.target}={self.kind}:{self.rate:g}"


@dataclass(frozen=True)
class FaultSpec:
    faults: tuple[Fault, ...] = ()

    def __str__(self) -> str:
        return ",".join(str(fault) for fault in self.faults)

    def __bool__(self) -> bool:
        return bool(self.faults)

    def aws(self) -> tuple[Fault, ...]:
        return tuple(f for f in self.faults if f.service not in ("lambda", "provider"))

    def crashes(self) -> dict[str, float]:
        """Crash rate by function logical id."""
        return {f.name: f.rate for f in self.faults if f.service == "lambda"}

    def providers(self) -> tuple[Fault, ...]:
        return tuple(f for f in self.faults if f.service == "provider")

    def for_request(self, service: str, operation: str) -> tuple[Fault, ...]:
        """The AWS faults that apply to one request, the operation's own before the service's ``*``."""
        own = [f for f in self.aws() if f.service == service and f.name == operation]
        every = [f for f in self.aws() if f.service == service and f.name == "*"]
        return (*own, *every)


def parse(spec: str | None) -> FaultSpec:
    """Parse and validate a whole spec (``""`` or ``None``: no faults)."""
    faults: list[Fault] = []
    for entry in (part.strip() for part in (spec or "").split(",")):
        if not entry:
            continue
        target, equals, rule = entry.partition("=")
        kind, colon, rate_text = rule.partition(":")
        match = _TARGET.match(target.strip())
        if not equals or not colon or match is None:
            raise FaultSpecError(f"fault {entry!r}: expected <target>=<kind>:<rate>")
        try:
            rate = float(rate_text)
        except ValueError:
            raise FaultSpecError(f"fault {entry!r}: the rate is not a number") from None
        if not 0.0 <= rate <= 1.0:
            raise FaultSpecError(f"fault {entry!r}: the rate must be between 0 and 1")
        service, name = match["service"], match["name"]
        kinds = {"lambda": LAMBDA_FAULT_KINDS, "provider": PROVIDER_FAULT_KINDS}.get(service, AWS_FAULT_KINDS)
        if kind not in kinds:
            raise FaultSpecError(f"fault {entry!r}: {service} faults are {', '.join(kinds)}")
        if kind == "limit" and service != "dynamodb":
            raise FaultSpecError(f"fault {entry!r}: `limit` (RequestLimitExceeded) is a DynamoDB fault")
        if service in ("lambda", "provider") and name == "*":
            raise FaultSpecError(f"fault {entry!r}: name the {service} the fault is for")
        faults.append(Fault(service, name, kind, rate))
    return FaultSpec(tuple(faults))


@dataclass
class FaultDraw:
    """Draws faults for one fake, thread-safe, and counts what it injected (by ``target=kind``).

    ``seed`` makes a run repeatable (``ORDERTRACK_LOCAL_FAULTS_SEED``)."""

    spec: FaultSpec = field(default_factory=FaultSpec)
    seed: int | None = None
    injected: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._rng = random.Random(self.seed)

    def replace(self, spec: FaultSpec) -> None:
        with self._lock:
            self.spec = spec

    def reseed(self, seed: int | None) -> None:
        """Start the draws again from ``seed`` (the counts stay)."""
        with self._lock:
            self.seed = seed
            self._rng = random.Random(seed)

    def draw(self, candidates: tuple[Fault, ...]) -> Fault | None:
        """The first of ``candidates`` whose rate comes up, counted; ``None`` when none does."""
        with self._lock:
            for fault in candidates:
                if fault.rate > 0 and self._rng.random() < fault.rate:
                    self.injected[f"{fault.target}={fault.kind}"] += 1
                    return fault
        return None

    def counts(self) -> dict[str, int]:
        with self._lock:
            return dict(self.injected)
