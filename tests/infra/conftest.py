"""One synthesis of the CDK app per test session (per xdist worker; infra tests share one group)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import infra  # noqa: F401 - silences jsii's Node banner before aws_cdk loads
from infra.config import STACK_NAME, StageConfig
from infra.synth import TEMPLATE_FILE_NAME, write_hash

REPO_ROOT = Path(__file__).resolve().parents[2]
SYNTH_GROUP = "infra-synth"
"""xdist group of every test that uses the synthesized app, so `--dist loadgroup` synthesizes once."""


@dataclass(frozen=True)
class SynthesizedApp:
    stack: Any
    outdir: Path
    template: dict[str, Any]

    @property
    def template_path(self) -> Path:
        return self.outdir / TEMPLATE_FILE_NAME

    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        return self.template["Resources"]

    def of_type(self, resource_type: str) -> dict[str, dict[str, Any]]:
        return {key: value for key, value in self.resources.items() if value["Type"] == resource_type}

    def props(self, logical_id: str) -> dict[str, Any]:
        return self.resources[logical_id].get("Properties", {})

    def role_statements(self, role_logical_id: str) -> list[dict[str, Any]]:
        """Every statement of the identity policies attached to the role."""
        return [
            statement
            for policy in self.of_type("AWS::IAM::Policy").values()
            if {"Ref": role_logical_id} in policy["Properties"]["Roles"]
            for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        ]


def statement_actions(statement: dict[str, Any]) -> set[str]:
    """A policy statement's `Action`, which may be one string or a list."""
    actions = statement["Action"]
    return {actions} if isinstance(actions, str) else set(actions)


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SynthesizedApp]:
    from infra.app import build_app
    from layers.build import build_layer

    build_layer()  # no-op when layers/build matches layers/requirements.txt
    outdir = tmp_path_factory.mktemp("cdk.out")
    app = build_app(StageConfig(), outdir=str(outdir))
    app.synth()
    write_hash(outdir)
    stack = app.node.find_child(STACK_NAME)
    template = json.loads((outdir / TEMPLATE_FILE_NAME).read_text())
    yield SynthesizedApp(stack=stack, outdir=outdir, template=template)
