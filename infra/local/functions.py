"""Lambda functions as local worker processes, configured from the template.

A :class:`FunctionSpec` is what the template says about one ``AWS::Lambda::Function`` (handler,
timeout, memory, resolved environment). A :class:`FunctionRuntime` keeps ``concurrency`` worker
processes for it (default 1, like one warm execution environment), each started through the
``spawn`` multiprocessing context with the function's environment, importing the handler once.

Local overrides: a function whose Metadata carries
``"ordertrack:local-override": {"RETRY_BASE_SECONDS": "ORDERTRACK_RETRY_BASE_SECONDS"}`` gets the
value of the local setting ``ORDERTRACK_RETRY_BASE_SECONDS``, when it is set, as its variable
``RETRY_BASE_SECONDS`` (replacing the template's value or adding the variable); unset settings
change nothing. The local setting ``ORDERTRACK_LOCAL_LOG_LEVEL`` replaces every function's
``POWERTOOLS_LOG_LEVEL`` (``make bench`` runs the dev template at the prod stage's log level).

``invoke`` blocks until a worker is free, sends the event, and waits at most the function's
``Timeout``; a worker that overruns is killed and replaced (a new cold start) and the invocation
reports ``Sandbox.Timedout`` like Lambda. A worker that dies reports ``Runtime.ExitError``
(``RequestId: ... Error: Runtime exited with error: signal: killed``) and is replaced by a fresh
one, whose first invocation is a cold start.

``crash_rate`` (settable at any time; ``lambda.<Function>=crash:<rate>``) makes workers die in the
middle of invocations (:mod:`infra.local.crashes`); ``crashes_injected`` counts them. Every
invocation is logged in one line on stderr, with the injected faults it met, if any::

    [local] invoke function=OrdersApiFunction trigger=http batch=1 duration_ms=12 outcome=ok
    [local] invoke function=ReserveStockFunction trigger=sqs batch=1 duration_ms=40 \
outcome=Runtime.ExitError faults="dynamodb.TransactWriteItems=throttle x2,crash"
"""

from __future__ import annotations

import collections
import contextlib
import json
import logging
import multiprocessing
import os
import queue
import sys
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from infra.local.crashes import CRASH, CrashDraw, exit_message, fault_summary
from infra.local.template import LOCAL_CREDENTIALS, REGION, Resolver, Resource, as_string
from infra.local.worker import worker_main

CODE_ROOT = Path(__file__).resolve().parents[2] / "functions"
_SPAWN = multiprocessing.get_context("spawn")
_READY_TIMEOUT_S = 60.0
_PASSED_THROUGH = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT", "PYTHONDONTWRITEBYTECODE")
_LOG = logging.getLogger("ordertrack.local")
LOCAL_OVERRIDE_METADATA = "ordertrack:local-override"
LOG_LEVEL_SETTING = "ORDERTRACK_LOCAL_LOG_LEVEL"


def configure_runtime_log() -> logging.Logger:
    """The runtime's own log: one line per event on stderr, independent of the root logger."""
    if not any(getattr(handler, "ordertrack_runtime", False) for handler in _LOG.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("[local] %(message)s"))
        handler.ordertrack_runtime = True  # type: ignore[attr-defined]
        _LOG.addHandler(handler)
    _LOG.setLevel(logging.INFO)
    _LOG.propagate = False
    return _LOG


@dataclass(frozen=True)
class FunctionSpec:
    logical_id: str
    function_name: str
    function_arn: str
    handler: str
    runtime: str
    timeout_s: float
    memory_mb: int
    environment: Mapping[str, str]
    local_overrides: Mapping[str, str] = field(default_factory=dict)
    """Function variables set from local settings (already resolved), applied over ``environment``."""

    @classmethod
    def from_resource(
        cls, resolver: Resolver, resource: Resource, settings: Mapping[str, str] | None = None
    ) -> FunctionSpec:
        """``settings`` (default ``os.environ``) supply the values of the local overrides."""
        properties = resolver.properties(resource)
        variables = (properties.get("Environment") or {}).get("Variables") or {}
        settings = os.environ if settings is None else settings
        wanted = resource.metadata.get(LOCAL_OVERRIDE_METADATA) or {}
        return cls(
            logical_id=resource.logical_id,
            function_name=str(resolver.get_att(resource.logical_id, "Ref")),
            function_arn=str(resolver.get_att(resource.logical_id, "Arn")),
            handler=str(properties.get("Handler", "")),
            runtime=str(properties.get("Runtime", "")),
            timeout_s=float(properties.get("Timeout", 3)),
            memory_mb=int(properties.get("MemorySize", 128)),
            environment={key: as_string(value) for key, value in variables.items()},
            local_overrides={
                **{
                    variable: settings[setting] for variable, setting in wanted.items() if setting in settings
                },
                **(
                    {"POWERTOOLS_LOG_LEVEL": settings[LOG_LEVEL_SETTING]}
                    if LOG_LEVEL_SETTING in settings and "POWERTOOLS_LOG_LEVEL" in variables
                    else {}
                ),
            },
        )

    def worker_environment(self, moto_endpoint: str, code_root: Path = CODE_ROOT) -> dict[str, str]:
        """Lambda's reserved variables, then the template's and the local overrides, then the local
        runtime's own (endpoint, credentials)."""
        environment = {key: os.environ[key] for key in _PASSED_THROUGH if key in os.environ}
        environment.update(
            {
                "AWS_LAMBDA_FUNCTION_NAME": self.function_name,
                "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(self.memory_mb),
                "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
                "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{self.function_name}",
                "AWS_LAMBDA_LOG_STREAM_NAME": f"local/[$LATEST]{self.logical_id}",
                "AWS_EXECUTION_ENV": f"AWS_Lambda_{self.runtime or 'python3.11'}",
                "LAMBDA_TASK_ROOT": str(code_root),
                "_HANDLER": self.handler,
                "TZ": ":UTC",
            }
        )
        environment.update(self.environment)
        environment.update(self.local_overrides)
        environment.update(
            {
                "AWS_ENDPOINT_URL": moto_endpoint,
                "AWS_ACCESS_KEY_ID": LOCAL_CREDENTIALS["aws_access_key_id"],
                "AWS_SECRET_ACCESS_KEY": LOCAL_CREDENTIALS["aws_secret_access_key"],
                "AWS_REGION": REGION,
                "AWS_DEFAULT_REGION": REGION,
                "AWS_CONFIG_FILE": os.devnull,
                "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
                "AWS_EC2_METADATA_DISABLED": "true",
                "POWERTOOLS_TRACE_DISABLED": "true",
            }
        )
        for removed in ("POWERTOOLS_DEV", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
            environment.pop(removed, None)
        return environment


@dataclass
class InvocationResult:
    """What Lambda returns: the payload, or an error payload with ``function_error`` set."""

    payload: Any
    function_error: str | None = None
    duration_ms: float = 0.0
    request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    faults: list[str] = field(default_factory=list)
    """Injected faults the invocation met: ``x-ordertrack-fault`` values (one per AWS attempt),
    then ``crash`` when its worker was made to die."""

    @property
    def ok(self) -> bool:
        return self.function_error is None

    @property
    def error_type(self) -> str:
        if self.ok or not isinstance(self.payload, dict):
            return ""
        return str(self.payload.get("errorType", "Unhandled"))


class _Worker:
    def __init__(self, spec: FunctionSpec, moto_endpoint: str, code_root: Path) -> None:
        self.spec = spec
        parent_end, child_end = _SPAWN.Pipe()
        self.connection: Connection = parent_end
        worker_spec = {
            "logical_id": spec.logical_id,
            "function_name": spec.function_name,
            "function_arn": spec.function_arn,
            "memory_mb": spec.memory_mb,
            "handler": spec.handler,
            "code_root": str(code_root),
            "environment": spec.worker_environment(moto_endpoint, code_root),
        }
        self.process = _SPAWN.Process(
            target=worker_main,
            args=(child_end, worker_spec),
            name=f"lambda-{spec.logical_id}",
            daemon=True,
        )
        self.process.start()
        child_end.close()
        self._ready = False
        self.log_bytes = 0
        """Bytes the function wrote to stdout and stderr in this worker so far."""

    def wait_ready(self, timeout: float = _READY_TIMEOUT_S) -> None:
        """Wait for the cold start; an init error is kept by the worker and returned per invoke."""
        if self._ready:
            return
        if not self.connection.poll(timeout):
            raise TimeoutError(f"{self.spec.logical_id}: handler import took more than {timeout}s")
        status, error = self.connection.recv()
        self._ready = True
        if status == "init_error":
            _LOG.info("init_error function=%s error=%s", self.spec.logical_id, error["errorMessage"])

    def invoke(self, event: Any, crash_after_calls: int | None = None) -> InvocationResult:
        request_id = str(uuid.uuid4())
        try:
            self.wait_ready()
        except TimeoutError as error:
            self.kill()
            return InvocationResult(
                {"errorType": "Runtime.InitTimeout", "errorMessage": str(error)}, "Unhandled", 0.0, request_id
            )
        except (EOFError, OSError):
            self.kill()
            return InvocationResult(
                {"errorType": "Runtime.ExitError", "errorMessage": "worker process exited during init"},
                "Unhandled",
                0.0,
                request_id,
            )
        deadline_ms = int((time.time() + self.spec.timeout_s) * 1000)
        started = time.monotonic()
        waits_until = started + self.spec.timeout_s + 0.25
        status, payload, faults = "", None, []
        try:
            self.connection.send((request_id, json.dumps(event), deadline_ms, crash_after_calls))
            while status in ("", "crashing"):  # a crashing worker's notice comes before its EOF
                if not self.connection.poll(max(0.0, waits_until - time.monotonic())):
                    self.kill()
                    return InvocationResult(
                        {
                            "errorType": "Sandbox.Timedout",
                            "errorMessage": f"Task timed out after {self.spec.timeout_s:.2f} seconds",
                        },
                        "Unhandled",
                        _elapsed_ms(started),
                        request_id,
                        faults,
                    )
                status, payload, self.log_bytes, faults = self.connection.recv()
                if status == "crashing":
                    faults = [*faults, CRASH]
        except (EOFError, OSError):
            self.process.join(timeout=1.0)  # let it end on its own: its exit status is the message
            self.kill()
            return InvocationResult(
                {
                    "errorType": "Runtime.ExitError",
                    "errorMessage": exit_message(request_id, self.process.exitcode),
                },
                "Unhandled",
                _elapsed_ms(started),
                request_id,
                faults,
            )
        if status == "ok":
            return InvocationResult(json.loads(payload), None, _elapsed_ms(started), request_id, faults)
        return InvocationResult(payload, "Unhandled", _elapsed_ms(started), request_id, faults)

    @property
    def alive(self) -> bool:
        return self.process.is_alive()

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        self.connection.close()

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.connection.send(None)
        self.process.join(timeout=3)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(timeout=3)
        self.connection.close()


def _quoted(value: str) -> str:
    return value if " " not in value else f'"{value}"'


def _elapsed_ms(started: float) -> float:
    return (time.monotonic() - started) * 1000


class FunctionRuntime:
    """``concurrency`` workers for one function; ``invoke`` is thread-safe and blocks when all are busy."""

    def __init__(
        self,
        spec: FunctionSpec,
        moto_endpoint: str,
        concurrency: int = 1,
        code_root: Path = CODE_ROOT,
        fault_seed: str | int | None = None,
    ) -> None:
        self.spec = spec
        self.moto_endpoint = moto_endpoint
        self.code_root = code_root
        self.concurrency = max(1, concurrency)
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._workers: list[_Worker] = []
        self._lock = threading.Lock()
        self._busy = 0
        self._stopped = False
        self.invocations = 0
        self.durations_ms: collections.deque[float] = collections.deque(maxlen=10_000)
        """The latest invocations' durations (as measured locally), oldest first."""
        self._retired_log_bytes = 0
        self._crashes = CrashDraw(spec.logical_id, fault_seed)
        self.crashes_injected = 0

    @property
    def crash_rate(self) -> float:
        """Probability (0..1) that an invocation's worker is made to die mid-way; settable any time."""
        return self._crashes.rate

    @crash_rate.setter
    def crash_rate(self, rate: float) -> None:
        if not 0.0 <= rate <= 1.0:
            raise ValueError(f"crash rate {rate} is not between 0 and 1")
        self._crashes.rate = rate

    @property
    def log_bytes(self) -> int:
        """Bytes this function's workers (replaced ones included) wrote to stdout and stderr."""
        with self._lock:
            return self._retired_log_bytes + sum(worker.log_bytes for worker in self._workers)

    def start(self) -> None:
        for _ in range(self.concurrency):
            worker = _Worker(self.spec, self.moto_endpoint, self.code_root)
            self._workers.append(worker)
            self._idle.put(worker)

    def wait_ready(self) -> None:
        for worker in list(self._workers):
            worker.wait_ready()

    @property
    def busy(self) -> bool:
        return self._busy > 0

    def invoke(
        self,
        event: Any,
        trigger: str,
        batch_size: int = 1,
        describe: Callable[[InvocationResult], str] | None = None,
    ) -> InvocationResult:
        worker = self._idle.get()
        with self._lock:
            self._busy += 1
            self.invocations += 1
        try:
            result = worker.invoke(event, self._crashes.draw())
        finally:
            if not worker.alive and not self._stopped:
                worker = self._replace(worker)
            with self._lock:
                self._busy -= 1
            self._idle.put(worker)
        with self._lock:
            self.durations_ms.append(result.duration_ms)
            self.crashes_injected += CRASH in result.faults
        outcome = describe(result) if describe is not None else None
        if outcome is None:
            outcome = "ok" if result.ok else result.error_type
        _LOG.info(
            "invoke function=%s trigger=%s batch=%d duration_ms=%.0f outcome=%s%s",
            self.spec.logical_id,
            trigger,
            batch_size,
            result.duration_ms,
            _quoted(outcome),
            f" faults={_quoted(fault_summary(result.faults))}" if result.faults else "",
        )
        return result

    def _replace(self, dead: _Worker) -> _Worker:
        dead.kill()
        fresh = _Worker(self.spec, self.moto_endpoint, self.code_root)
        with self._lock:
            self._retired_log_bytes += dead.log_bytes
            self._workers = [fresh if worker is dead else worker for worker in self._workers]
        return fresh

    def stop(self) -> None:
        self._stopped = True
        for worker in list(self._workers):
            worker.stop()
