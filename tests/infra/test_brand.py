"""The stage's brand reaches every function that speaks to customers (emails and SMS, the tracking
page, the survey page) as the `BRAND` variable, and no other function."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from shared.brand import BRAND_VARIABLE, DEV_BRAND, Brand
from tests.infra.conftest import SYNTH_GROUP, SynthesizedApp

pytestmark = [pytest.mark.infra, pytest.mark.xdist_group(SYNTH_GROUP)]

SPEAKS_TO_CUSTOMERS = {"SendNotificationsFunction", "TrackingPageFunction", "FeedbackPageFunction"}


def _branded(resources: dict[str, Any]) -> dict[str, Brand]:
    return {
        logical_id: Brand.model_validate_json(variables[BRAND_VARIABLE])
        for logical_id, resource in resources.items()
        if resource["Type"] == "AWS::Lambda::Function"
        and BRAND_VARIABLE
        in (variables := resource["Properties"].get("Environment", {}).get("Variables", {}))
    }


def test_every_function_that_speaks_to_customers_has_the_stage_brand(synthesized: SynthesizedApp) -> None:
    branded = _branded(synthesized.resources)

    assert set(branded) == SPEAKS_TO_CUSTOMERS
    assert all(brand == DEV_BRAND for brand in branded.values())


def test_a_merchant_stage_brand_is_what_its_functions_get(tmp_path: Path) -> None:
    from aws_cdk.assertions import Template

    from infra.app import build_app
    from infra.config import StageConfig

    brand = {
        "shop_name": {"en": "Acme Tea", "zh-CN": "艾克米茶"},
        "support_phone": "+86 400 000 0000",
        "sms_signature": {"zh-CN": "艾克米"},
    }
    config = StageConfig(
        stage="prod",
        sender_email="orders@shop.example",
        operations_emails=["oncall@shop.example"],
        brand=brand,
    )
    app = build_app(config=config, outdir=str(tmp_path))
    template = Template.from_stack(app.node.find_child("Ordertrack")).to_json()

    branded = _branded(template["Resources"])

    assert set(branded) == SPEAKS_TO_CUSTOMERS
    assert {b.name("zh-CN") for b in branded.values()} == {"艾克米茶"}
    assert {b.signature("zh-CN") for b in branded.values()} == {"艾克米"}
