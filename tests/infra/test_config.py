"""Stage configuration: defaults, cdk.json stages and the rules that keep queues and mappings sane."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from infra.config import (
    CDK_JSON,
    QueueConsumerSettings,
    StageConfig,
    UnknownStageError,
    load_stage_config,
    read_cdk_json_context,
)

pytestmark = [pytest.mark.infra]

MERCHANT_CONTACTS = {
    "sender_email": "orders@shop.example",
    "operations_emails": ["oncall@shop.example"],
    "brand": {"shop_name": {"en": "Acme", "zh-CN": "艾克米"}},
}
"""What a merchant sets for every stage but dev before it synthesizes."""


def test_defaults_describe_the_dev_stage() -> None:
    config = StageConfig()

    assert config.stage == "dev"
    assert config.sender_email == "orders@example.com"
    assert config.order_events.batch_size == 100
    assert config.order_events.batching_window_seconds == 1
    assert config.order_events.retry_attempts == 5
    assert config.stock_reservation.batch_size == 50
    assert config.stock_reservation.batching_window_seconds == 1
    assert config.stock_reservation.max_receive_count == 100
    assert config.tracking_base_url == ""


def test_queue_visibility_timeout_defaults_to_six_function_timeouts_plus_the_window() -> None:
    settings = QueueConsumerSettings(function={"timeout_seconds": 20}, batching_window_seconds=2)

    assert settings.effective_visibility_timeout_seconds == 6 * 20 + 2


def test_a_visibility_timeout_below_six_function_timeouts_is_rejected() -> None:
    with pytest.raises(ValidationError, match=r"6 x the function timeout"):
        QueueConsumerSettings(function={"timeout_seconds": 30}, visibility_timeout_seconds=60)


def test_sqs_batches_above_ten_need_a_batching_window() -> None:
    with pytest.raises(ValidationError, match="batching window"):
        QueueConsumerSettings(batch_size=50, batching_window_seconds=0)


def test_log_retention_must_be_a_period_cloudwatch_accepts() -> None:
    with pytest.raises(ValidationError, match="retention"):
        StageConfig(log_retention_days=10)


def test_api_function_must_answer_within_the_http_api_timeout() -> None:
    with pytest.raises(ValidationError, match="30 s"):
        StageConfig(api={"function": {"timeout_seconds": 60}})


def test_stage_overrides_from_context_merge_over_the_defaults() -> None:
    context = {
        "stage": "prod",
        "stages": {
            "prod": {"log_retention_days": 365, "notifications": {"batch_size": 5}, **MERCHANT_CONTACTS}
        },
    }

    config = load_stage_config(context)

    assert config.stage == "prod"
    assert config.log_retention_days == 365
    assert config.notifications.batch_size == 5
    assert config.notifications.max_receive_count == 5


def test_an_unknown_stage_is_an_error_naming_the_known_ones() -> None:
    with pytest.raises(UnknownStageError, match="prod"):
        load_stage_config({"stage": "qa", "stages": {"prod": {}}})


def test_dev_works_without_any_context() -> None:
    assert load_stage_config({}) == StageConfig()


def with_merchant_contacts(context: dict[str, Any], stage: str) -> dict[str, Any]:
    """`context` with the sender and operations addresses a merchant gives `stage` (not dev)."""
    if stage == "dev":
        return {**context, "stage": stage}
    stages = {**context["stages"], stage: {**context["stages"][stage], **MERCHANT_CONTACTS}}
    return {**context, "stage": stage, "stages": stages}


def test_every_stage_in_cdk_json_is_valid_once_the_merchant_gives_its_addresses() -> None:
    context = read_cdk_json_context(CDK_JSON)

    for stage in context["stages"]:
        assert load_stage_config(with_merchant_contacts(context, stage)).stage == stage


def test_prod_as_shipped_names_the_two_keys_a_merchant_must_set() -> None:
    context = read_cdk_json_context(CDK_JSON)

    with pytest.raises(ValidationError) as raised:
        load_stage_config({**context, "stage": "prod"})

    message = str(raised.value)
    assert "context.stages.prod.sender_email" in message
    assert "context.stages.prod.operations_emails" in message
    assert "context.stages.prod.brand.shop_name" in message


def test_a_brand_with_a_bad_order_page_pattern_or_locale_is_refused() -> None:
    for brand, expected in (
        ({"shop_name": {}}, "shop_name"),
        ({"shop_name": {"fr": "Acme"}}, "unknown locales"),
        ({"shop_name": {"en": "Acme"}, "order_page_url": "https://shop.example/orders"}, "order_number"),
        ({"shop_name": {"en": "Acme"}, "order_page_url": "http://shop.example/{order_id}"}, "https"),
        ({"shop_name": {"en": "Acme"}, "logo_url": "http://shop.example/logo.png"}, "https"),
    ):
        with pytest.raises(ValidationError, match=expected):
            StageConfig(brand=brand)
    config = StageConfig(
        brand={"shop_name": {"en": "Acme"}, "order_page_url": "https://s.example/o/{order_number}"}
    )
    assert config.effective_brand.name("zh-CN") == "Acme"
    assert config.effective_brand.order_page("ord_x", "A-1001") == "https://s.example/o/A-1001"
    assert StageConfig().effective_brand.name("zh-CN") == "订单演示店"


def test_dev_keeps_the_placeholder_sender_and_needs_no_operations_emails() -> None:
    config = load_stage_config({**read_cdk_json_context(CDK_JSON), "stage": "dev"})

    assert config.sender_email == "orders@example.com" and config.operations_emails == []


@pytest.mark.parametrize(
    ("overrides", "key"),
    [
        ({"operations_emails": ["oncall@shop.example"]}, "sender_email"),
        (
            {"operations_emails": ["oncall@shop.example"], "sender_email": "orders@mail.example.org"},
            "sender_email",
        ),
        ({"sender_email": "orders@shop.example"}, "operations_emails"),
        ({"sender_email": "orders@shop.example", "operations_emails": []}, "operations_emails"),
        (
            {"sender_email": "orders@shop.example", "operations_emails": ["ops@example.com"]},
            "operations_emails",
        ),
    ],
)
def test_a_stage_other_than_dev_refuses_placeholder_addresses(overrides: dict[str, Any], key: str) -> None:
    with pytest.raises(ValidationError, match=rf"context\.stages\.staging\.{key}"):
        StageConfig.model_validate({"stage": "staging", **overrides})

    assert StageConfig.model_validate({"stage": "staging", **MERCHANT_CONTACTS}).stage == "staging"


def test_notification_policy_defaults_to_the_worker_default_policy() -> None:
    from notifications.domain.policy import DEFAULT_POLICY

    settings = StageConfig().notifications

    assert settings.policy == DEFAULT_POLICY
    assert settings.retry_base_seconds == 30
    assert settings.max_receive_count == 5


def test_notification_policy_is_validated_with_the_worker_model() -> None:
    with pytest.raises(ValidationError, match=r"no templates for event types: order\.teleported"):
        StageConfig(notifications={"policy": {"events": {"order.teleported": ["sms"]}}})
    with pytest.raises(ValidationError, match="collapse_window_seconds"):
        StageConfig(notifications={"policy": {"collapse_window_seconds": 901}})
    with pytest.raises(ValidationError, match="quiet_hour"):
        StageConfig(notifications={"policy": {"quiet_hour": "22:00"}})


def test_stage_policy_keeps_the_defaults_it_does_not_name() -> None:
    policy = StageConfig(notifications={"policy": {"collapse_window_seconds": 30}}).notifications.policy

    assert policy.collapse_window_seconds == 30
    assert policy.channels_for("order.in_transit") == ("email",)


def test_collapse_window_is_30_seconds_in_dev_and_120_in_prod() -> None:
    context = read_cdk_json_context(CDK_JSON)

    windows = {
        stage: load_stage_config(
            with_merchant_contacts(context, stage)
        ).notifications.policy.collapse_window_seconds
        for stage in ("dev", "prod")
    }

    assert windows == {"dev": 30, "prod": 120}


def test_policy_json_is_compact_deterministic_and_round_trips() -> None:
    from notifications.domain.policy import NotificationPolicy

    settings = StageConfig(
        notifications={"policy": {"critical_events": ["order.delivered", "order.delivery_exception"]}}
    ).notifications

    rendered = settings.policy_json()

    assert rendered == settings.policy_json()
    assert " " not in rendered
    assert json.loads(rendered)["critical_events"] == ["order.delivered", "order.delivery_exception"]
    assert NotificationPolicy.model_validate_json(rendered) == settings.policy


def test_test_mode_carrier_events_are_accepted_on_dev_only_unless_the_stage_says() -> None:
    from infra.config import StageConfig

    assert StageConfig().accepts_test_mode_events is True
    assert StageConfig(stage="prod", **MERCHANT_CONTACTS).accepts_test_mode_events is False
    assert StageConfig.model_validate(
        {"stage": "prod", "carriers": {"accept_test_mode_events": True}, **MERCHANT_CONTACTS}
    ).accepts_test_mode_events
    assert not StageConfig.model_validate(
        {"stage": "dev", "carriers": {"accept_test_mode_events": False}}
    ).accepts_test_mode_events


def test_the_consoles_phone_regions_are_known_regions_listed_once() -> None:
    from infra.config import StageConfig

    assert StageConfig().console.phone_regions == ["CN"]
    assert StageConfig.model_validate({"console": {"phone_regions": ["CN", "US"]}}).console.phone_regions == [
        "CN",
        "US",
    ]
    for regions in (["XX"], ["cn"], ["CN", "CN"]):
        with pytest.raises(ValidationError):
            StageConfig.model_validate({"console": {"phone_regions": regions}})
