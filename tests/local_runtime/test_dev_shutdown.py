"""`make dev` (``python -m infra.local``) stops cleanly on Ctrl-C or SIGTERM: the pollers finish the
batch they hold and stop before the function workers and moto, and nothing is printed as an error."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import boto3
import pytest

from infra.local.template import LOCAL_CREDENTIALS, REGION
from tests.local_runtime.conftest import FIXTURE_TEMPLATE, FIXTURES

REPO_ROOT = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT_S = 90.0


class DevProcess:
    """``python -m infra.local`` on the fixture template, in a session of its own as in a terminal;
    its output (stdout and stderr, merged) is read as it comes."""

    def __init__(self, endpoints_file: Path) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "infra.local",
                "--template",
                str(FIXTURE_TEMPLATE),
                "--code-root",
                str(FIXTURES),
                "--port",
                "0",
                "--endpoints-file",
                str(endpoints_file),
            ],
            cwd=REPO_ROOT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, text: str, timeout: float) -> int:
        """The index of the first line containing ``text``, polling until ``timeout``."""
        deadline = time.monotonic() + timeout
        while True:
            for index, line in enumerate(list(self.lines)):
                if text in line:
                    return index
            if time.monotonic() >= deadline or (
                self.process.poll() is not None and not self._reader.is_alive()
            ):
                break
            time.sleep(0.05)
        raise AssertionError(f"no line with {text!r}; output:\n" + "\n".join(self.lines))

    def finish(self, timeout: float) -> int:
        code = self.process.wait(timeout=timeout)
        self._reader.join(timeout=5)
        return code

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


@pytest.mark.parametrize(
    "stop",
    [
        pytest.param(lambda pid: os.killpg(pid, signal.SIGINT), id="ctrl-c-to-the-terminal-group"),
        pytest.param(lambda pid: os.kill(pid, signal.SIGTERM), id="sigterm-to-the-runtime"),
    ],
)
def test_stopping_finishes_the_batch_in_hand_then_stops_moto_without_errors(stop, tmp_path: Path) -> None:
    dev = DevProcess(tmp_path / "endpoints.json")
    try:
        # Given `make dev` is running, and a queue worker holds a batch that it has still to record in moto
        dev.wait_for("press Ctrl-C to stop", STARTUP_TIMEOUT_S)
        endpoints = json.loads((tmp_path / "endpoints.json").read_text(encoding="utf-8"))
        sqs = boto3.client(
            "sqs", endpoint_url=endpoints["moto_endpoint"], region_name=REGION, **LOCAL_CREDENTIALS
        )
        sqs.send_message(
            QueueUrl=endpoints["queues"]["WorkQueue5E6F7A8B"]["url"],
            MessageBody=json.dumps({"id": "in-hand", "hold_s": 1.5}),
        )
        dev.wait_for("holding batch of 1", 30)

        # When it is stopped
        stop(dev.process.pid)
        code = dev.finish(timeout=60)
    finally:
        dev.kill()

    output = "\n".join(dev.lines)
    stopping = dev.wait_for("stopping:", 0)
    after = dev.lines[stopping:]
    # Then the batch was finished against a live moto (its write succeeded) ...
    finished = [line for line in after if "function=QueueWorkerFunction" in line and "trigger=sqs" in line]
    assert finished and all("outcome=ok" in line for line in finished), output
    # ... the pollers stopped before the workers and moto, and nothing went wrong on the way
    assert dev.wait_for("stopped event source pollers and schedules", 0) < dev.wait_for(
        "stopped function workers, then moto", 0
    )
    assert code == 0, output
    assert not [
        line for line in after if "Traceback" in line
    ]  # (the fixture's broken function has one at start)
    assert not [
        line for line in after if "error" in line.lower() or ("outcome=" in line and "ok" not in line)
    ]
    assert not (tmp_path / "endpoints.json").exists()
