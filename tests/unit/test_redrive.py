"""The redrive CLI's choices that need no AWS: which stack it targets and what it prints."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from infra.redrive import DeadLetter, main, read_local_endpoints


def _endpoints(path: Path, pid: int) -> Path:
    path.write_text(json.dumps({"pid": pid, "moto_endpoint": "http://127.0.0.1:1", "region": "us-east-1"}))
    return path


def _finished_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_a_running_make_dev_is_found_by_its_endpoints_file(tmp_path: Path) -> None:
    found = read_local_endpoints(_endpoints(tmp_path / "endpoints.json", os.getpid()))
    assert found is not None and found["moto_endpoint"] == "http://127.0.0.1:1"


@pytest.mark.parametrize("content", [None, "{half", json.dumps({"moto_endpoint": "x"}), "[]"])
def test_no_or_unreadable_endpoints_file_means_no_local_stack(tmp_path: Path, content: str | None) -> None:
    path = tmp_path / "endpoints.json"
    if content is not None:
        path.write_text(content)
    assert read_local_endpoints(path) is None


def test_an_endpoints_file_left_by_a_stopped_make_dev_is_ignored(tmp_path: Path) -> None:
    assert read_local_endpoints(_endpoints(tmp_path / "endpoints.json", _finished_pid())) is None


def test_local_without_a_running_make_dev_fails_before_touching_anything(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["--local", "--endpoints-file", str(tmp_path / "endpoints.json")])
    assert code == 2
    assert "no running `make dev` found" in capsys.readouterr().err


def test_max_must_be_positive() -> None:
    with pytest.raises(SystemExit):
        main(["--max", "0"])


def test_a_dead_letter_keeps_its_attributes_but_the_failure_ones_and_prints_why() -> None:
    letter = DeadLetter.of(
        {
            "MessageId": "m-1",
            "ReceiptHandle": "r-1",
            "Body": '{"customer": {"email": "li.wei@example.com"}}',
            "Attributes": {"ApproximateReceiveCount": "6"},
            "MessageAttributes": {
                "event_type": {"DataType": "String", "StringValue": "order.shipped", "StringListValues": []},
                "event_id": {"DataType": "String", "StringValue": "ord_x:v3"},
                "ordertrack.failure_reason": {"DataType": "String", "StringValue": "Throttling"},
                "ordertrack.failed_channels": {"DataType": "String", "StringValue": "email,sms"},
                "ordertrack.failed_at": {"DataType": "String", "StringValue": "2026-11-24T10:00:00.000Z"},
            },
        }
    )
    assert letter.attributes == {
        "event_type": {"DataType": "String", "StringValue": "order.shipped"},
        "event_id": {"DataType": "String", "StringValue": "ord_x:v3"},
    }
    line = letter.describe()
    assert line == (
        "m-1  event=order.shipped ord_x:v3  reason=Throttling  channels=email,sms  "
        "failed_at=2026-11-24T10:00:00.000Z  receives=6"
    )
    assert "li.wei" not in line  # the body is never printed
