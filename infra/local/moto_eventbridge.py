"""A patch to moto's EventBridge, applied with the others in the local moto server
(:mod:`infra.local.moto_patches`).

A rule target without ``Input``, ``InputPath`` or ``InputTransformer`` receives the whole event on
AWS: ``version``, ``id``, ``detail-type``, ``source``, ``account``, ``time``, ``region``,
``resources``, ``detail``
(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-structure.html). Measured on
moto 5.2.5: its default input template leaves out ``account``, so a consumer validating the event
(Powertools' ``EventBridgeModel``) refuses every message. We deliver the event itself, less moto's
internal ``ingestion-time``; moto then formats ``time`` as AWS does (``2026-12-06T22:05:35Z``).
Targets with an ``InputTransformer`` keep moto's own handling.
"""

from __future__ import annotations

import copy
import functools
from typing import Any


def deliver_whole_events() -> None:
    from moto.events import utils

    parse = utils.EventTemplateParser.parse

    @functools.wraps(parse)
    def whole_event_unless_transformed(
        input_template: str | None, input_paths_map: dict[str, Any], event: dict[str, Any]
    ) -> dict[str, Any]:
        if input_template:
            return parse(input_template, input_paths_map, event)  # type: ignore[arg-type]
        delivered = copy.deepcopy(dict(event))
        delivered.pop("ingestion-time", None)
        return delivered

    utils.EventTemplateParser.parse = staticmethod(whole_event_unless_transformed)  # type: ignore[method-assign]
