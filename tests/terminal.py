"""Commands run as a developer runs them in a terminal beside `make dev`: from the repository root,
not as a sub-make of `make test`, finding the stack under test through its endpoints file."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
_SUB_MAKE = ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")


def terminal_environment(endpoints_file: Path) -> dict[str, str]:
    """This process's environment without make's own variables, pointed at ``endpoints_file``."""
    environment = {name: value for name, value in os.environ.items() if name not in _SUB_MAKE}
    environment["ORDERTRACK_ENDPOINTS_FILE"] = str(endpoints_file)
    return environment


def make(
    target: str, endpoints_file: Path, *arguments: str, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """``make -s <target> <arguments>`` (``NAME=value`` ones), its output captured."""
    return subprocess.run(
        ["make", "-s", target, *arguments],
        cwd=REPO_ROOT,
        env=terminal_environment(endpoints_file),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
