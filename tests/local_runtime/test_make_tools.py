"""`make webhook` and `make links` say what is wrong instead of a traceback: missing arguments, no
running `make dev`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.terminal import make


@pytest.mark.parametrize(
    ("arguments", "usage"),
    [
        (["webhook"], "usage: make webhook PROVIDER="),
        (["webhook", "PROVIDER=easypost"], "usage: make webhook PROVIDER="),
        (["links"], "usage: make links ORDER="),
    ],
)
def test_a_missing_argument_prints_the_usage(arguments: list[str], usage: str, tmp_path: Path) -> None:
    done = make(arguments[0], tmp_path / "endpoints.json", *arguments[1:])
    assert done.returncode != 0 and usage in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize(
    "arguments",
    [
        ["webhook", "PROVIDER=easypost", "FILE=events/carriers/easypost/03_delivered.json"],
        ["links", "ORDER=ord_abc"],
    ],
)
def test_without_a_running_make_dev_it_says_so(arguments: list[str], tmp_path: Path) -> None:
    # Given an endpoints file left by a `make dev` that is gone (no such process)
    gone = tmp_path / "endpoints.json"
    gone.write_text('{"pid": 999999999, "api_url": "http://127.0.0.1:1"}', encoding="utf-8")
    done = make(arguments[0], gone, *arguments[1:])
    assert done.returncode != 0
    assert "no running `make dev` found" in done.stderr and "Traceback" not in done.stderr
