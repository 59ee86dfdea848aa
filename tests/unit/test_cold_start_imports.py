"""What a cold start must not load. Each Lambda entry point is imported in a fresh interpreter and the
modules it loaded are checked against the ones made lazy. No timing here: `make bench` (section 1)
measures the import times against `import boto3`; this only keeps the heavy modules out cheaply."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

FUNCTIONS = Path(__file__).resolve().parents[2] / "functions"

NOT_AT_IMPORT = {
    "boto3": "clients are created on first use (shared.aws_clients)",
    "aws_lambda_powertools.utilities.parser.models": "builds every Powertools event model; queue consumers "
    "validate records with shared.sqs_records",
    "aws_lambda_powertools.event_handler.openapi.models": "only the OpenAPI document (/openapi.json, /docs) needs it",
    "aws_lambda_powertools.event_handler.openapi.swagger_ui": "only /docs needs it",
    "phonenumbers": "only order intake normalises phone numbers",
    "email_validator": "only order intake checks email addresses",
    "jinja2": "templates are loaded with the first message or page rendered",
}
LOADED_ON_PURPOSE = {
    "tracking_page.handler": {"jinja2"},  # every request renders a page (the not-found page too)
}

PROBE = """
import importlib, json, sys
importlib.import_module(sys.argv[1])
for call in sys.argv[3:]:
    exec(call)
print(json.dumps(sorted(name for name in json.loads(sys.argv[2]) if name in sys.modules)))
"""


def entry_points() -> list[str]:
    """Every module of `functions/` that defines a Lambda `handler`."""
    return sorted(
        ".".join(path.relative_to(FUNCTIONS).with_suffix("").parts)
        for path in FUNCTIONS.rglob("*.py")
        if "\ndef handler(" in path.read_text(encoding="utf-8")
    )


def loaded(module: str, *then: str) -> set[str]:
    """Which of NOT_AT_IMPORT a fresh interpreter holds after importing `module` (then running `then`)."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(FUNCTIONS),
        "PYTHONDONTWRITEBYTECODE": "1",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    output = subprocess.run(
        [sys.executable, "-c", PROBE, module, json.dumps(list(NOT_AT_IMPORT)), *then],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    ).stdout
    return set(json.loads(output.strip().splitlines()[-1]))


def test_every_function_of_the_template_is_probed() -> None:
    assert {
        "storefront_api.handler",
        "tracking_page.handler",
        "notifications.handlers.send_notifications",
    } <= set(entry_points())
    assert len(entry_points()) >= 16


@pytest.mark.parametrize("module", entry_points())
def test_importing_a_handler_leaves_the_lazy_modules_unloaded(module: str) -> None:
    unexpected = loaded(module) - LOADED_ON_PURPOSE.get(module, set())

    assert not unexpected, {name: NOT_AT_IMPORT[name] for name in unexpected}


def test_routing_a_storefront_request_does_not_build_the_openapi_document() -> None:
    # Given the storefront function, when the guard and the not-found handler look up a path's methods
    held = loaded(
        "storefront_api.handler",
        "from storefront_api.handler import app",
        "assert app.methods_of('/v1/orders') == ['GET', 'POST']",
        "assert app.methods_of('/v1/webhooks/easypost') == ['POST']",
        "assert app.methods_of('/nowhere') == []",
    )

    # Then Powertools' OpenAPI models were never needed
    assert "aws_lambda_powertools.event_handler.openapi.models" not in held


def test_the_probe_sees_a_lazy_module_once_it_is_used() -> None:
    # the document route does load the OpenAPI models: the probe above can fail
    held = loaded(
        "storefront_api.handler",
        "from storefront_api.handler import app",
        "app.get_openapi_json_schema()",
    )

    assert "aws_lambda_powertools.event_handler.openapi.models" in held
