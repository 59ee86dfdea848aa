"""Pinned CloudFormation logical ids.

Stateful resources keep their logical id when the construct tree is refactored (a new id would
replace a retained table or drain a queue), and the local runtime and humans reading the template
find resources by a stable, readable name.
"""

from __future__ import annotations

from aws_cdk import CfnResource
from constructs import IConstruct


def pin_logical_id(construct: IConstruct, logical_id: str) -> None:
    """Give the L1 resource behind `construct` (or `construct` itself) a fixed logical id."""
    resource = construct if isinstance(construct, CfnResource) else construct.node.default_child
    if not isinstance(resource, CfnResource):
        raise TypeError(f"{construct.node.path} has no CloudFormation resource to pin")
    resource.override_logical_id(logical_id)
