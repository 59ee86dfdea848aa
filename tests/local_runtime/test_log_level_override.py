"""`ORDERTRACK_LOCAL_LOG_LEVEL` runs every function at another Powertools log level (make bench
runs the dev template at the prod stage's level); functions without the variable are left alone."""

from __future__ import annotations

from infra.local.functions import FunctionSpec
from infra.local.template import Resolver, Template

TEMPLATE = {
    "Resources": {
        "Logged": {
            "Type": "AWS::Lambda::Function",
            "Properties": {
                "Handler": "x.handler",
                "Runtime": "python3.14",
                "Environment": {"Variables": {"POWERTOOLS_LOG_LEVEL": "DEBUG"}},
            },
        },
        "Helper": {
            "Type": "AWS::Lambda::Function",
            "Properties": {"Handler": "y.handler", "Runtime": "python3.14"},
        },
    }
}


def _environment(logical_id: str, settings: dict[str, str]) -> dict[str, str]:
    template = Template(TEMPLATE)
    spec = FunctionSpec.from_resource(Resolver(template), template.resources[logical_id], settings)
    return spec.worker_environment("http://127.0.0.1:5000")


def test_the_local_log_level_replaces_the_templates() -> None:
    assert _environment("Logged", {"ORDERTRACK_LOCAL_LOG_LEVEL": "INFO"})["POWERTOOLS_LOG_LEVEL"] == "INFO"


def test_without_the_setting_the_template_decides() -> None:
    assert _environment("Logged", {})["POWERTOOLS_LOG_LEVEL"] == "DEBUG"


def test_a_function_without_a_powertools_level_gets_none() -> None:
    assert "POWERTOOLS_LOG_LEVEL" not in _environment("Helper", {"ORDERTRACK_LOCAL_LOG_LEVEL": "INFO"})
