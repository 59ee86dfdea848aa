"""cdk-nag AwsSolutions and cfn-lint on the synthesized app."""

from __future__ import annotations

import warnings

import pytest
from aws_cdk.assertions import Annotations, Match
from cfnlint.api import ManualArgs, lint_file

from infra.constructs.nag import MIN_REASON_WORDS
from tests.infra.conftest import SYNTH_GROUP, SynthesizedApp

pytestmark = [pytest.mark.infra, pytest.mark.xdist_group(SYNTH_GROUP)]

AWS_SOLUTIONS = Match.string_like_regexp("AwsSolutions-.*")
CFN_LINT_IGNORED = {
    "W3005": "CDK adds DependsOn on a function's role next to the GetAtt of its ARN, on purpose: "
    "the role's default policy must exist before the function is created.",
}


def _messages(found: list[object]) -> list[str]:
    return [str(getattr(entry, "entry", entry)) for entry in found]


def test_cdk_nag_reports_no_unsuppressed_errors(synthesized: SynthesizedApp) -> None:
    errors = Annotations.from_stack(synthesized.stack).find_error("*", AWS_SOLUTIONS)
    assert _messages(errors) == []


def test_cdk_nag_reports_no_unsuppressed_warnings(synthesized: SynthesizedApp) -> None:
    found = Annotations.from_stack(synthesized.stack).find_warning("*", AWS_SOLUTIONS)
    assert _messages(found) == []


def test_every_nag_suppression_says_why(synthesized: SynthesizedApp) -> None:
    suppressions = [
        (logical_id, rule)
        for logical_id, resource in synthesized.resources.items()
        for rule in resource.get("Metadata", {}).get("cdk_nag", {}).get("rules_to_suppress", [])
    ]
    suppressions += [
        ("<stack>", rule)
        for rule in synthesized.template.get("Metadata", {}).get("cdk_nag", {}).get("rules_to_suppress", [])
    ]
    assert suppressions, "expected the documented suppressions (IAM5, SQS3, SMG4, APIG4)"
    for logical_id, rule in suppressions:
        assert rule["id"].startswith("AwsSolutions-"), (logical_id, rule)
        assert len(rule["reason"].split()) >= MIN_REASON_WORDS, f"{logical_id} {rule['id']}: {rule['reason']}"


def test_cfn_lint_finds_no_errors(synthesized: SynthesizedApp) -> None:
    matches = lint_file(synthesized.template_path, config=ManualArgs(ignore_checks=sorted(CFN_LINT_IGNORED)))
    errors = [f"{m.rule.id} {m.message} ({m.path_string})" for m in matches if m.rule.severity == "error"]
    for match in matches:
        if match.rule.severity != "error":
            warnings.warn(f"cfn-lint {match.rule.id}: {match.message}", UserWarning, stacklevel=1)
    assert errors == []
