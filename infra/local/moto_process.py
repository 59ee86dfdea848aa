"""Start and stop the local moto server as a subprocess on a free 127.0.0.1 port.

``MotoServer(faults=..., seed=...)`` starts it with AWS faults (:mod:`infra.local.aws_faults`);
without them the server takes ``ORDERTRACK_LOCAL_FAULTS`` / ``..._SEED`` from this process's
environment. :meth:`MotoServer.set_faults` and :meth:`MotoServer.faults` change and read them while
it runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

from infra.local.aws_faults import FAULTS_ENV, FAULTS_PATH, SEED_ENV, parse_seed
from infra.local.faults import FaultSpecError, parse
from infra.local.moto_server import HEALTH_PATH, METER_PATH, METER_RESET_PATH, OUTBOX_PATH
from infra.local.template import LOCAL_CREDENTIALS, REGION

REPO_ROOT = Path(__file__).resolve().parents[2]
_STARTUP_TIMEOUT_S = 60.0


def local_client(service: str, endpoint: str, max_pool_connections: int = 16) -> Any:
    """A boto3 client for ``service`` on a local moto server (dummy credentials, one attempt)."""
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=REGION,
        config=Config(retries={"max_attempts": 1}, max_pool_connections=max_pool_connections),
        **LOCAL_CREDENTIALS,
    )


class MotoServerError(RuntimeError):
    """The moto server process did not start."""


class MotoServer:
    """A running ``python -m infra.local.moto_server``; use as a context manager or call ``stop``."""

    def __init__(self, patched: bool = True, faults: str | None = None, seed: int | None = None) -> None:
        self.patched = patched
        self.initial_faults = faults
        self.seed = seed
        self._process: subprocess.Popen[bytes] | None = None
        self.port = 0

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> MotoServer:
        command = [sys.executable, "-m", "infra.local.moto_server", "--port", "0"]
        if not self.patched:
            command.append("--no-patches")
        environment = dict(os.environ)
        environment["PYTHONPATH"] = os.pathsep.join(
            [str(REPO_ROOT), *filter(None, [environment.get("PYTHONPATH")])]
        )
        if self.initial_faults is not None:
            environment[FAULTS_ENV] = self.initial_faults
        if self.seed is not None:
            environment[SEED_ENV] = str(self.seed)
        parse(environment.get(FAULTS_ENV))  # refuse a malformed spec here, not in the server's stderr
        parse_seed(environment.get(SEED_ENV))
        self._process = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env=environment,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            # its own process group: a Ctrl-C in the terminal reaches the local runtime, which
            # stops its pollers and workers first and moto last (and closing stdin stops it if
            # the runtime dies)
            process_group=0,
        )
        self.port = self._read_port()
        return self

    def _read_port(self) -> int:
        assert self._process is not None
        found: list[int] = []
        listening = threading.Event()

        def read() -> None:
            assert self._process is not None and self._process.stdout is not None
            for raw in self._process.stdout:
                line = raw.decode(errors="replace").strip()
                if not found and line.startswith("MOTO_PORT="):
                    found.append(int(line.split("=", 1)[1]))
                    listening.set()
                # keep draining so moto never blocks on a full stdout pipe
            listening.set()

        threading.Thread(target=read, name="moto-stdout", daemon=True).start()
        listening.wait(_STARTUP_TIMEOUT_S)
        if not found:
            code = self._process.poll()
            self.stop()
            raise MotoServerError(f"moto server did not start listening (exit code {code})")
        return found[0]

    def get_json(self, path: str) -> Any:
        with urllib.request.urlopen(f"{self.endpoint}{path}", timeout=10) as response:
            return json.loads(response.read())

    def outbox(self) -> list[dict[str, Any]]:
        return self.get_json(OUTBOX_PATH)

    def health(self) -> dict[str, Any]:
        return self.get_json(HEALTH_PATH)

    def meter(self) -> dict[str, Any]:
        """Requests and DynamoDB write units served so far (see :mod:`infra.local.request_meter`)."""
        return self.get_json(METER_PATH)

    def reset_meter(self) -> None:
        request = urllib.request.Request(f"{self.endpoint}{METER_RESET_PATH}", data=b"", method="POST")
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()

    def faults(self) -> dict[str, Any]:
        """``{"faults": spec, "seed": seed, "injected": {"<target>=<kind>": n}}``."""
        return self.get_json(FAULTS_PATH)

    def set_faults(self, spec: str, seed: int | None = None) -> dict[str, Any]:
        """Replace the AWS faults (``""``: none); ``FaultSpecError`` for a malformed spec."""
        payload: dict[str, Any] = {"faults": spec}
        if seed is not None:
            payload["seed"] = seed
        request = urllib.request.Request(
            f"{self.endpoint}{FAULTS_PATH}",
            data=json.dumps(payload).encode(),
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as error:
            if error.code == 400:
                raise FaultSpecError(json.loads(error.read()).get("message", "malformed spec")) from None
            raise

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        if process.stdin is not None:
            process.stdin.close()
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    def __enter__(self) -> MotoServer:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()
