"""``python -m infra.local`` (``make dev``): run ordertrack locally until Ctrl-C.

Synthesizes the CDK app if needed (``infra.synth.ensure_synthesized``), starts moto, provisions
the template's resources, starts a worker per triggered function, and serves the HTTP API on
``127.0.0.1:$PORT`` (default 3000). ``--template PATH`` uses an existing template instead.
While it runs, ``.local/endpoints.json`` says where the moto endpoint and the queues are
(``make redrive`` reads it); it is removed on exit.
"""

from __future__ import annotations

import argparse
import os
import signal
import threading
from pathlib import Path
from typing import Any

from infra.local.faults import FaultSpecError
from infra.local.functions import CODE_ROOT
from infra.local.progress import Progress
from infra.local.stack import ENDPOINTS_FILE, LocalStack, remove_endpoints_file, write_endpoints_file


def _template_path(explicit: str | None, progress: Progress) -> Path:
    if explicit:
        return Path(explicit)
    from infra.synth import ensure_synthesized, is_up_to_date  # the CDK app; only when needed

    reused = is_up_to_date()
    doing = (
        "reusing cdk.out (its inputs did not change)"
        if reused
        else "synthesizing the CDK app (about a minute)"
    )
    with progress.step("synth", doing):
        return Path(ensure_synthesized())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m infra.local", description=__doc__.splitlines()[0])
    parser.add_argument("--template", help="CloudFormation template (default: synthesize the CDK app)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "3000")))
    parser.add_argument("--code-root", default=str(CODE_ROOT), help="directory handlers import from")
    parser.add_argument(
        "--endpoints-file",
        type=Path,
        default=ENDPOINTS_FILE,
        help="where to write the running stack's endpoints (default: .local/endpoints.json)",
    )
    args = parser.parse_args(argv)

    stopping = threading.Event()

    def request_stop(*_: Any) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)

    progress = Progress()
    try:
        stack = LocalStack(
            _template_path(args.template, progress),
            port=args.port,
            code_root=args.code_root,
            progress=progress,
        )
    except FaultSpecError as error:
        raise SystemExit(f"ORDERTRACK_LOCAL_FAULTS: {error}") from error
    try:
        stack.start()
    except OSError as error:
        raise SystemExit(
            f"cannot start the local stack on port {args.port}: {error} (set PORT to another port)"
        ) from error
    try:
        endpoints_file = write_endpoints_file(stack, args.endpoints_file)
        print(f"ordertrack local API   {stack.api_url}", flush=True)
        print(f"moto endpoint          {stack.moto_endpoint}", flush=True)
        print(f"storefront API key     {stack.api_key}", flush=True)
        print(f"outbox                 {stack.api_url}/_local/outbox", flush=True)
        if stack.console_operators:
            names = ", ".join(
                f"{operator.username} ({operator.group})" for operator in stack.console_operators
            )
            print(f"operations console     {stack.api_url}/console  {names}", flush=True)
            print(
                f"console password       {stack.console_password}  (ORDERTRACK_CONSOLE_PASSWORD)", flush=True
            )
        if stack.providers is not None:
            print(f"provider simulator     {stack.providers.url}  (docs/provider-simulator.md)", flush=True)
        if stack.faults.spec:
            print(f"faults                 {stack.faults.spec}  ({stack.api_url}/_local/faults)", flush=True)
        print(f"endpoints file         {endpoints_file}", flush=True)
        print("press Ctrl-C to stop", flush=True)
        stopping.wait()
        print("stopping: pollers and schedules, function workers, then moto", flush=True)
    finally:
        remove_endpoints_file(args.endpoints_file)
        stack.stop()


if __name__ == "__main__":
    main()
