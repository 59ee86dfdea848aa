"""Inside a function worker process: the local equivalent of one Lambda execution environment.

Started by :class:`infra.local.functions.FunctionRuntime` through a ``spawn`` multiprocessing
context. The worker replaces its environment with the function's (template variables plus local
overrides), puts ``functions/`` first on ``sys.path``, imports the handler once (the cold start),
then serves invocations received over its pipe until the pipe closes.

Keep this module free of heavy imports: whatever it imports, every worker pays at start-up.

Pipe protocol (parent -> worker): ``(request_id, event_json, deadline_epoch_ms, crash_after_calls)``
or ``None`` to stop; ``crash_after_calls`` is ``None``, or k >= 1 to die after the invocation's
k-th AWS call or at its end, whichever comes first (:mod:`infra.local.invocation_probe`).
Worker -> parent: first ``("ready", None)`` or ``("init_error", error)``, then one
``("ok", result_json, log_bytes, faults)`` or ``("error", error, log_bytes, faults)`` per
invocation, where ``error`` is Lambda's ``{"errorType", "errorMessage", "stackTrace"}``,
``log_bytes`` the bytes the function has written to stdout and stderr since the worker started
(what Lambda would send to its log stream, cold start included, without the runtime's own
START/END/REPORT lines) and ``faults`` the ``x-ordertrack-fault`` headers of the invocation's AWS
responses, one per attempt. A worker told to crash sends ``("crashing", None, log_bytes, faults)``
instead of its result and kills itself: the parent then reads EOF.
"""

from __future__ import annotations

import importlib
import json
import os
import signal
import sys
import time
import traceback
from collections.abc import Callable, Mapping
from multiprocessing.connection import Connection
from typing import Any, TextIO

from infra.local.invocation_probe import InvocationProbe, install


class CountingStream:
    """A text stream that counts the UTF-8 bytes written through it, then passes them on."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self.bytes = 0

    def write(self, text: str) -> int:
        self.bytes += len(text.encode("utf-8", "replace"))
        return self._stream.write(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


_STDOUT: CountingStream | None = None
_STDERR: CountingStream | None = None


def log_bytes() -> int:
    return (_STDOUT.bytes if _STDOUT else 0) + (_STDERR.bytes if _STDERR else 0)


class LambdaContext:
    """The attributes and method of the Python runtime's context object."""

    def __init__(self, spec: Mapping[str, Any], request_id: str, deadline_ms: int) -> None:
        self.function_name: str = spec["function_name"]
        self.function_version = "$LATEST"
        self.invoked_function_arn: str = spec["function_arn"]
        self.memory_limit_in_mb: int = int(spec["memory_mb"])
        self.aws_request_id = request_id
        self.log_group_name = f"/aws/lambda/{self.function_name}"
        self.log_stream_name = f"local/[$LATEST]{spec['logical_id']}"
        self.identity = None
        self.client_context = None
        self.tenant_id = None
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self) -> int:
        return max(0, self._deadline_ms - int(time.time() * 1000))


def error_payload(error: BaseException, error_type: str | None = None) -> dict[str, Any]:
    return {
        "errorType": error_type or type(error).__name__,
        "errorMessage": str(error),
        "stackTrace": traceback.format_exception(type(error), error, error.__traceback__)[1:],
    }


def worker_main(connection: Connection, spec: Mapping[str, Any]) -> None:
    """Process entry point (picklable by reference for the ``spawn`` start method)."""
    global _STDOUT, _STDERR
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group; the runtime stops us
    _STDOUT, _STDERR = CountingStream(sys.stdout), CountingStream(sys.stderr)  # before any logger exists
    sys.stdout, sys.stderr = _STDOUT, _STDERR  # type: ignore[assignment]
    os.environ.clear()
    os.environ.update(spec["environment"])
    sys.path.insert(0, spec["code_root"])
    probe = InvocationProbe(lambda faults: connection.send(("crashing", None, log_bytes(), faults)))
    install(probe)  # before the handler's import creates any botocore session
    try:
        handler = _load_handler(spec["handler"])
    except Exception as error:  # noqa: BLE001 - any import failure is Lambda's Runtime.ImportModuleError
        traceback.print_exc()
        init_error = error_payload(error, "Runtime.ImportModuleError")
        connection.send(("init_error", init_error))
        _serve(connection, lambda *_: ("error", init_error, []))
        return
    connection.send(("ready", None))
    _serve(
        connection,
        lambda request_id, event_json, deadline_ms, crash_after_calls: _invoke(
            handler, spec, probe, request_id, event_json, deadline_ms, crash_after_calls
        ),
    )


def _load_handler(handler_path: str) -> Callable[[Any, Any], Any]:
    module_name, _, function_name = handler_path.rpartition(".")
    module = importlib.import_module(module_name)
    return getattr(module, function_name)


def _serve(
    connection: Connection, answer: Callable[[str, str, int, int | None], tuple[str, Any, list[str]]]
) -> None:
    """Answer invocations until the pipe closes or the runtime sends ``None``."""
    while True:
        try:
            message = connection.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        status, payload, faults = answer(*message)
        connection.send((status, payload, log_bytes(), faults))


def _invoke(
    handler: Callable[[Any, Any], Any],
    spec: Mapping[str, Any],
    probe: InvocationProbe,
    request_id: str,
    event_json: str,
    deadline_ms: int,
    crash_after_calls: int | None,
) -> tuple[str, Any, list[str]]:
    os.environ["_X_AMZN_TRACE_ID"] = f"Root=1-{int(time.time()):08x}-{request_id.replace('-', '')[:24]}"
    context = LambdaContext(spec, request_id, deadline_ms)
    probe.begin(crash_after_calls)
    status, payload = _run(handler, json.loads(event_json), context)
    return (status, payload, probe.end())  # end() does not return when the crash is still due


def _run(handler: Callable[[Any, Any], Any], event: Any, context: LambdaContext) -> tuple[str, Any]:
    try:
        result = handler(event, context)
    except Exception as error:  # noqa: BLE001 - Lambda turns any handler exception into an error result
        traceback.print_exc()
        return ("error", error_payload(error))
    try:
        return ("ok", json.dumps(result))
    except (TypeError, ValueError) as error:
        return ("error", error_payload(error, "Runtime.MarshalError"))
