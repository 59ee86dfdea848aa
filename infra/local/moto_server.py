"""Entry point of the local moto server process: ``python -m infra.local.moto_server --port 0``.

Runs moto in server mode on 127.0.0.1 with our patches applied first (see
:mod:`infra.local.moto_patches`), wrapped in a small WSGI middleware that adds local-only
endpoints under ``/_ordertrack/``:

* ``GET /_ordertrack/outbox``: every email SES accepted (v1 and v2 share one store) and every
  SMS SNS sent, newest first, as ``[{"channel", "to", "from", "subject", "body", "timestamp"}]``;
* ``GET /_ordertrack/health``: ``{"status": "ok", "patched": bool}``;
* ``GET /_ordertrack/meter``: requests by service and action, DynamoDB write units by table,
  index and partition key (see :mod:`infra.local.request_meter`); ``POST /_ordertrack/meter/reset``
  sets every count back to zero. Served by the patched server only;
* ``GET /_ordertrack/faults``, ``POST /_ordertrack/faults`` with ``{"faults": "<spec>"}``: the AWS
  faults injected (:mod:`infra.local.aws_faults`; ``ORDERTRACK_LOCAL_FAULTS`` and
  ``ORDERTRACK_LOCAL_FAULTS_SEED`` set them at start), patched or not.

Prints ``MOTO_PORT=<port>`` on stdout once listening, then serves until stdin closes (the parent
process exited or closed the pipe) or it receives SIGTERM/SIGINT. ``--no-patches`` serves plain
moto, so benchmarks can measure the patches side by side.
"""

from __future__ import annotations

import argparse
import email
import email.policy
import json
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterable
from typing import Any

OUTBOX_PATH = "/_ordertrack/outbox"
HEALTH_PATH = "/_ordertrack/health"
METER_PATH = "/_ordertrack/meter"
METER_RESET_PATH = "/_ordertrack/meter/reset"


def outbox_messages() -> list[dict[str, Any]]:
    """Emails and SMS moto has accepted so far, newest first."""
    from moto.ses.models import RawMessage, TemplateMessage, ses_backends
    from moto.sns.models import sns_backends

    entries: list[dict[str, Any]] = []
    for _account, regions in list(ses_backends.items()):
        for region, backend in list(regions.items()):
            for message in list(backend.sent_messages):
                if isinstance(message, RawMessage):
                    entries.append(_raw_email_entry(message, region))
                elif isinstance(message, TemplateMessage):
                    entries.append(
                        _email_entry(message, region, subject=message.template, body=message.template_data)
                    )
                elif hasattr(message, "subject"):
                    entries.append(_email_entry(message, region, subject=message.subject, body=message.body))
    for _account, regions in list(sns_backends.items()):
        for region, backend in list(regions.items()):
            for message_id, sms in list(backend.sms_message_objects.items()):
                entries.append(
                    {
                        "channel": "sms",
                        "id": message_id,
                        "to": [sms.phone_number],
                        "from": None,
                        "subject": None,
                        "body": sms.message,
                        "timestamp": getattr(sms, "sent_at", None),
                        "region": region,
                    }
                )
    entries.sort(key=lambda entry: entry["timestamp"] or 0, reverse=True)
    return entries


def _email_entry(message: Any, region: str, subject: str, body: str) -> dict[str, Any]:
    destinations = message.destinations or {}
    if isinstance(destinations, dict):
        recipients = [address for addresses in destinations.values() for address in addresses]
    else:
        recipients = list(destinations)
    return {
        "channel": "email",
        "id": message.id,
        "to": recipients,
        "from": message.source,
        "subject": subject,
        "body": body,
        "timestamp": getattr(message, "sent_at", None),
        "region": region,
    }


def _raw_email_entry(message: Any, region: str) -> dict[str, Any]:
    parsed = email.message_from_string(message.raw_data, policy=email.policy.default)
    body_part = parsed.get_body(preferencelist=("plain", "html"))
    body = body_part.get_content() if body_part is not None else ""
    return _email_entry(message, region, subject=str(parsed.get("Subject", "")), body=body)


class LocalEndpoints:
    """WSGI middleware: serves ``/_ordertrack/*`` and passes everything else to moto."""

    def __init__(self, app: Callable[..., Iterable[bytes]], patched: bool) -> None:
        self.app = app
        self.patched = patched

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == OUTBOX_PATH:
            return self._json(start_response, outbox_messages())
        if path == HEALTH_PATH:
            return self._json(start_response, {"status": "ok", "patched": self.patched})
        if self.patched and path in (METER_PATH, METER_RESET_PATH):
            from infra.local.request_meter import METER

            if path == METER_RESET_PATH and environ.get("REQUEST_METHOD") == "POST":
                METER.reset()
            return self._json(start_response, METER.snapshot())
        return self.app(environ, start_response)

    @staticmethod
    def _json(start_response: Callable[..., Any], payload: Any) -> list[bytes]:
        body = json.dumps(payload, default=str).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--no-patches", action="store_true", help="serve moto exactly as released")
    args = parser.parse_args(argv)

    if not args.no_patches:
        from infra.local import moto_patches, request_meter

        moto_patches.apply()
        request_meter.install()

    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import make_server

    from infra.local.aws_faults import AwsFaults

    class QuietRequestHandler(MotoRequestHandler):
        def log_request(self, *_: Any, **__: Any) -> None:
            """One line per AWS call would drown the runtime's own invocation log."""

    moto_app: Any = DomainDispatcherApplication(create_backend_app)
    if not args.no_patches:
        from infra.local.request_meter import metered_app

        moto_app = metered_app(moto_app)
    # outside the meter: a faulted request never reaches moto, and AWS bills no throttled request
    moto_app = AwsFaults.from_environment(moto_app)
    app = LocalEndpoints(moto_app, patched=not args.no_patches)
    server = make_server(args.host, args.port, app, threaded=True, request_handler=QuietRequestHandler)
    server.daemon_threads = True
    os.environ["MOTO_PORT"] = str(server.server_port)

    def stop(*_: Any) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    threading.Thread(target=_stop_when_stdin_closes, args=(stop,), daemon=True).start()

    print(f"MOTO_PORT={server.server_port}", flush=True)
    server.serve_forever(poll_interval=0.2)
    server.server_close()
    sys.stdout.flush()
    # Skip interpreter finalisation: the stdin watcher thread is blocked in a read, which makes
    # CPython abort ("could not acquire lock for <stdin>") at shutdown. Nothing here needs cleanup.
    os._exit(0)


def _stop_when_stdin_closes(stop: Callable[[], None]) -> None:
    """The parent holds our stdin open; EOF means it is gone, so we must not outlive it."""
    try:
        while sys.stdin.buffer.read(1024):
            pass
    except (OSError, ValueError):
        pass
    stop()


if __name__ == "__main__":
    main()
