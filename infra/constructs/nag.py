"""cdk-nag suppressions that always carry a written reason, placed next to what they justify."""

from __future__ import annotations

from collections.abc import Sequence

from cdk_nag import NagPackSuppression, NagSuppressions, RegexAppliesTo
from constructs import IConstruct

MIN_REASON_WORDS = 10


def suppress(
    construct: IConstruct,
    rule_id: str,
    reason: str,
    applies_to: Sequence[str | RegexAppliesTo] | None = None,
) -> None:
    """Suppress one AwsSolutions rule on `construct` and its children, with a reason a reviewer can check."""
    if len(reason.split()) < MIN_REASON_WORDS:
        raise ValueError(
            f"the reason for suppressing {rule_id} must say why in at least {MIN_REASON_WORDS} words"
        )
    NagSuppressions.add_resource_suppressions(
        construct,
        [NagPackSuppression(id=rule_id, reason=reason, applies_to=list(applies_to) if applies_to else None)],
        apply_to_children=True,
    )


TABLE_INDEX_WILDCARD = RegexAppliesTo(regex=r"/^Resource::<[A-Za-z0-9]+\.Arn>\/index\/\*$/g")
"""What `table.grant_*` adds for the table's global secondary indexes."""
