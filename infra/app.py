"""The ordertrack CDK app. `python -m infra.app` synthesizes into cdk.out (or $CDK_OUTDIR).

Synth needs neither AWS credentials nor Docker: the stack is environment-agnostic and the Lambda
code and dependencies layer are plain directory assets (`functions/`, `layers/build/`).
"""

from __future__ import annotations

import os

import aws_cdk as cdk

from infra.config import StageConfig, load_stage_config, read_cdk_json_context
from infra.stacks.ordertrack_stack import STACK_NAME, OrdertrackStack


def build_app(config: StageConfig | None = None, outdir: str = "cdk.out") -> cdk.App:
    """Build the app with the cdk.json context (feature flags); `config` defaults to the context's stage."""
    app = cdk.App(context=read_cdk_json_context(), outdir=outdir)
    if config is None:
        context_keys = ("stage", "stages")
        config = load_stage_config({key: app.node.try_get_context(key) for key in context_keys})
    OrdertrackStack(app, STACK_NAME, config=config)
    return app


def main() -> None:
    build_app(outdir=os.environ.get("CDK_OUTDIR", "cdk.out")).synth()


if __name__ == "__main__":
    main()
