"""The running `make dev`, seen from another process (`make webhook`, `make links`, `make redrive`).

`make dev` writes ``.local/endpoints.json`` (:func:`infra.local.stack.write_endpoints_file`): the
API URL, the moto endpoint and the local names of queues, tables and secrets. This module reads it
back, and the stack's secrets from its moto server, so local tools sign with the very keys the
running functions verify with.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class NoRunningStack(RuntimeError):
    """No `make dev` is running (no endpoints file, or its process is gone)."""


def read_local_endpoints(path: Path) -> dict[str, Any] | None:
    """The endpoints a running `make dev` wrote, or None if there is no file or its process is gone."""
    try:
        endpoints = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    pid = endpoints.get("pid") if isinstance(endpoints, dict) else None
    if not isinstance(pid, int) or not _alive(pid):
        return None
    return endpoints


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    return True


@dataclass(frozen=True)
class RunningStack:
    endpoints: dict[str, Any]

    @classmethod
    def find(cls, path: Path | None = None) -> RunningStack:
        from infra.local.stack import ENDPOINTS_FILE

        where = path or ENDPOINTS_FILE
        endpoints = read_local_endpoints(where)
        if endpoints is None:
            raise NoRunningStack(f"no running `make dev` found ({where} is missing or its process is gone)")
        return cls(endpoints)

    @property
    def api_url(self) -> str:
        return str(self.endpoints["api_url"])

    def secret(self, logical_id: str) -> dict[str, Any]:
        """The JSON value of the template's secret ``logical_id``, read from the stack's moto."""
        import boto3

        from infra.local.template import LOCAL_CREDENTIALS

        secrets: dict[str, str] = self.endpoints.get("secrets") or {}
        if logical_id not in secrets:
            known = ", ".join(sorted(secrets)) or "none"
            raise NoRunningStack(f"the local stack has no secret {logical_id!r} (secrets: {known})")
        client = boto3.session.Session(region_name=self.endpoints["region"], **LOCAL_CREDENTIALS).client(
            "secretsmanager", endpoint_url=self.endpoints["moto_endpoint"]
        )
        value = client.get_secret_value(SecretId=secrets[logical_id])["SecretString"]
        parsed = json.loads(value)
        return parsed if isinstance(parsed, dict) else {}
