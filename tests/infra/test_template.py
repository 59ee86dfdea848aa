"""Properties of the synthesized template that must never change."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from infra.constructs.storefront_api import STOREFRONT_ROUTES
from tests.infra.conftest import REPO_ROOT, SYNTH_GROUP, SynthesizedApp

pytestmark = [pytest.mark.infra, pytest.mark.xdist_group(SYNTH_GROUP)]

FUNCTIONS_DIR = REPO_ROOT / "functions"
DISPATCHED_CHANGES_FILTERS = [
    {"dynamodb": {"NewImage": {"entity": {"S": ["order"]}}}},
    {"dynamodb": {"NewImage": {"entity": {"S": ["stock"]}}}},
    {"eventName": ["INSERT", "MODIFY"], "dynamodb": {"NewImage": {"entity": {"S": ["tracking_link"]}}}},
    {
        "eventName": ["MODIFY"],
        "dynamodb": {
            "OldImage": {"estimated_delivery": {"S": [{"exists": True}]}},
            "NewImage": {"entity": {"S": ["shipment"]}, "estimated_delivery": {"S": [{"exists": True}]}},
        },
    },
    {
        "dynamodb": {
            "NewImage": {
                "entity": {"S": ["shipment"]},
                "status": {"S": ["delivery_exception", "returned_to_sender"]},
            }
        }
    },
]
"""Orders (jobs and order events), stock items and tracking links written (domain events),
shipments whose carrier estimate may have moved (`order.estimate_revised`) and shipments in a
delivery problem (`ShipmentExceptionRaised`)."""
EXPECTED_ROUTES = {
    "POST /v1/orders",
    "GET /v1/orders/{order_id}",
    "GET /v1/orders",
    "POST /v1/orders/{order_id}/payment",
    "POST /v1/orders/{order_id}/cancel",
    "POST /v1/orders/{order_id}/review",
    "POST /v1/orders/{order_id}/shipments",
    "PATCH /v1/orders/{order_id}",
    "POST /v1/orders/{order_id}/reshipments",
    "POST /v1/orders/{order_id}/reshipments/{reshipment_id}/shipment",
    "PUT /v1/inventory/{sku}",
    "GET /v1/inventory/{sku}",
    "GET /v1/stats",
    "GET /openapi.json",
    "GET /docs",
}
CARRIER_TRACKING_DLQS = {"CarrierWebhookQueueDlq", "TrackingLinksQueueDlq", "TrackingRegistrationQueueDlq"}
STOCK_ALERTS_DLQS = {"StockLevelChangesQueueDlq"}
"""Low-stock alerts (issue 3, stock ledger), asserted in tests/infra/test_stock_alerts.py."""
SERVICE_KPIS_DLQS = {"KpiAggregatesDlq"}
"""Service KPIs, asserted in tests/infra/test_service_kpis.py."""
CUSTOMER_NOTIFICATIONS_DLQS = {"SuppressionQueueDlq"}
"""Suppression feedback, asserted in tests/infra/test_customer_notifications.py."""
DELIVERY_EXCEPTIONS_DLQS = {"DeliveryExceptionsQueueDlq"}
"""The delivery-exception opener's subscription (docs/exceptions.md)."""
CARRIER_WEBHOOK_ROUTE_KEY = "POST /v1/webhooks/{provider}"
FEEDBACK_PAGE_ROUTE_KEYS = {
    "GET /feedback/{token}",
    "POST /feedback/{token}",
    "GET /case/{token}",
    "POST /case/{token}",
}
"""The public survey page (customer service), asserted in tests/infra/test_customer_service.py."""
"""Carrier tracking resources (issue 4), asserted in tests/infra/test_carrier_tracking.py."""
TRACKING_PAGE_ROUTE_KEYS = {
    "GET /track/{token}",
    "POST /track/{token}/{action}",
    "GET /unsubscribe/{token}",
    "POST /unsubscribe/{token}",
    "POST /unsubscribe/{token}/{action}",
}
"""The customer tracking page, asserted in tests/infra/test_tracking_page.py."""


def _carrier_mappings(app: SynthesizedApp) -> set[str]:
    return {
        k
        for k, v in app.of_type("AWS::Lambda::EventSourceMapping").items()
        if v["Properties"]["FunctionName"]
        in (
            {"Ref": "ApplyLinkedEventsFunction"},
            {"Ref": "WatchStockLevelsFunction"},
            {"Ref": "MaintainKpiAggregatesFunction"},  # tests/infra/test_service_kpis.py
        )
    }


FUNCTION_ENVIRONMENT = {
    "storefront_api.handler.handler": {
        "ORDERS_TABLE_NAME",
        "API_KEY_SECRET_ARN",
        "NOTIFICATION_QUEUE_URL",
        "CUSTOMER_SERVICE_RULES",
        "LINK_SIGNING_SECRET_ARN",
        "CONTACT_LOOKUP_SECRET_ARN",
        "HOLD_RULES",  # order edits run the hold rules again
    },
    "storefront_api.authorize.handler": {"API_KEY_SECRET_ARN"},
    "orders.handlers.dispatch_order_changes.handler": {
        "RESERVATION_QUEUE_URL",
        "NOTIFICATION_QUEUE_URL",
        "EVENT_BUS_NAME",
        "FEEDBACK_DELAY_SECONDS",
        "FEEDBACK_LINK_DAYS",
        "LINK_SIGNING_SECRET_ARN",
    },
    "service.handlers.feedback_page.handler": {
        "ORDERS_TABLE_NAME",
        "CUSTOMER_SERVICE_RULES",
        "LINK_SIGNING_SECRET_ARN",
        "BRAND",
        "NOTIFICATION_QUEUE_URL",
    },
    "service.handlers.flag_overdue_complaints.handler": {"ORDERS_TABLE_NAME", "OPERATIONS_ALERTS_TOPIC_ARN"},
    "delivery_exceptions.handlers.open_exceptions.handler": {"ORDERS_TABLE_NAME", "DELIVERY_EXCEPTION_RULES"},
    "inventory.handlers.reserve_stock.handler": {
        "ORDERS_TABLE_NAME",
        "RESERVATION_QUEUE_URL",
        "PAYMENT_HOLD_MINUTES",
        "HOLD_RULES",
    },
    "orders.handlers.expire_holds.handler": {"ORDERS_TABLE_NAME"},
    "inventory.handlers.watch_stock_levels.handler": {"ORDERS_TABLE_NAME", "OPERATIONS_ALERTS_TOPIC_ARN"},
    "stats.handlers.maintain_aggregates.handler": {"ORDERS_TABLE_NAME"},
    "notifications.handlers.send_notifications.handler": {
        "ORDERS_TABLE_NAME",
        "IDEMPOTENCY_TABLE_NAME",
        "SENDER_EMAIL",
        "SMS_SENDER_ID",
        "TRACKING_BASE_URL",
        "NOTIFICATION_POLICY",
        "NOTIFICATION_QUEUE_URL",
        "NOTIFICATION_DLQ_URL",
        "MAX_RECEIVE_COUNT",
        "RETRY_BASE_SECONDS",
        "SES_CONFIGURATION_SET",
        "LINK_SIGNING_SECRET_ARN",
        "BRAND",
    },
    "tracking_page.handler.handler": {"ORDERS_TABLE_NAME", "LINK_SIGNING_SECRET_ARN", "BRAND"},
    "notifications.handlers.apply_suppressions.handler": {"ORDERS_TABLE_NAME"},
}
POWERTOOLS_ENVIRONMENT = {"POWERTOOLS_SERVICE_NAME", "POWERTOOLS_METRICS_NAMESPACE", "POWERTOOLS_LOG_LEVEL"}
# the tracking page's self-service: return events go to the notification queue, under the stage's rules
FUNCTION_ENVIRONMENT["tracking_page.handler.handler"] |= {"NOTIFICATION_QUEUE_URL", "CUSTOMER_SERVICE_RULES"}
# the operations console (tests/infra/test_operations_console.py)
FUNCTION_ENVIRONMENT["console.handler.handler"] = {
    "ORDERS_TABLE_NAME",
    "LINK_SIGNING_SECRET_ARN",
    "CONSOLE_USER_POOL_ID",
    "CONSOLE_CLIENT_ID",
    "NOTIFICATION_QUEUE_URL",
    "CUSTOMER_SERVICE_RULES",
    "HOLD_RULES",
    "CONTACT_LOOKUP_SECRET_ARN",
    "CONSOLE_PHONE_REGIONS",
}
ACTIONS_WITHOUT_RESOURCE_LEVEL_PERMISSIONS = {
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "dynamodb:ListStreams",
    "sns:Publish",
    "sns:CheckIfPhoneNumberIsOptedOut",
}
TABLE_WRITE_ACTIONS = {
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
}


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _get_att_target(value: Any) -> str:
    return value["Fn::GetAtt"][0]


def _policy_statements(app: SynthesizedApp) -> list[tuple[str, dict[str, Any]]]:
    """(policy logical id, statement) for every identity policy in the template."""
    statements = []
    for logical_id, policy in app.of_type("AWS::IAM::Policy").items():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            statements.append((logical_id, statement))
    for logical_id, role in app.of_type("AWS::IAM::Role").items():
        for inline in role["Properties"].get("Policies", []):
            for statement in inline["PolicyDocument"]["Statement"]:
                statements.append((logical_id, statement))
    return statements


def _function_by_handler(app: SynthesizedApp, handler: str) -> tuple[str, dict[str, Any]]:
    matches = [
        (key, fn)
        for key, fn in app.of_type("AWS::Lambda::Function").items()
        if fn["Properties"]["Handler"] == handler
    ]
    assert len(matches) == 1, f"expected exactly one function with handler {handler}"
    return matches[0]


def _dead_letter_queue_ids(app: SynthesizedApp) -> set[str]:
    redrive_targets = {
        _get_att_target(queue["Properties"]["RedrivePolicy"]["deadLetterTargetArn"])
        for queue in app.of_type("AWS::SQS::Queue").values()
        if "RedrivePolicy" in queue["Properties"]
    }
    on_failure_targets = {
        _get_att_target(mapping["Properties"]["DestinationConfig"]["OnFailure"]["Destination"])
        for mapping in app.of_type("AWS::Lambda::EventSourceMapping").values()
        if "DestinationConfig" in mapping["Properties"]
    }
    return redrive_targets | on_failure_targets


def _stream_mappings(app: SynthesizedApp) -> dict[str, dict[str, Any]]:
    return {
        key: mapping
        for key, mapping in app.of_type("AWS::Lambda::EventSourceMapping").items()
        if mapping["Properties"]["EventSourceArn"].get("Fn::GetAtt", [None, None])[1] == "StreamArn"
    }


def _queue_mappings(app: SynthesizedApp) -> dict[str, dict[str, Any]]:
    streams = _stream_mappings(app)
    return {key: m for key, m in app.of_type("AWS::Lambda::EventSourceMapping").items() if key not in streams}


# --- Data ---------------------------------------------------------------------------------------


def test_orders_table_streams_new_and_old_images_with_pitr_sse_ttl_and_retain(
    synthesized: SynthesizedApp,
) -> None:
    table = synthesized.resources["OrdersTable"]
    props = table["Properties"]
    assert props["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert props["SSESpecification"]["SSEEnabled"] is True
    assert props["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["KeySchema"] == [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ]
    assert table["DeletionPolicy"] == "Retain"
    assert table["UpdateReplacePolicy"] == "Retain"


def test_orders_table_has_three_indexes_the_busy_two_keys_only(synthesized: SynthesizedApp) -> None:
    """gsi1 and gsi2 follow every order through its journey: keys only, so an update that leaves
    their key alone writes nothing to them (the write budget of docs/capacity.md)."""
    props = synthesized.props("OrdersTable")
    indexes = {index["IndexName"]: index for index in props["GlobalSecondaryIndexes"]}
    assert set(indexes) == {"gsi1", "gsi2", "gsi3"}
    for name, index in indexes.items():
        assert index["KeySchema"] == [
            {"AttributeName": f"{name}pk", "KeyType": "HASH"},
            {"AttributeName": f"{name}sk", "KeyType": "RANGE"},
        ]
    projections = {name: index["Projection"] for name, index in indexes.items()}
    assert projections == {
        "gsi1": {"ProjectionType": "KEYS_ONLY"},
        "gsi2": {"ProjectionType": "KEYS_ONLY"},
        "gsi3": {"ProjectionType": "ALL"},
    }
    attribute_types = {a["AttributeName"]: a["AttributeType"] for a in props["AttributeDefinitions"]}
    keys = ["pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk", "gsi3pk", "gsi3sk"]
    assert attribute_types == dict.fromkeys(keys, "S")


def test_idempotency_table_matches_powertools_defaults_with_pitr_and_sse(synthesized: SynthesizedApp) -> None:
    props = synthesized.props("IdempotencyTable")
    assert props["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
    assert props["TimeToLiveSpecification"] == {"AttributeName": "expiration", "Enabled": True}
    assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert props["SSESpecification"]["SSEEnabled"] is True


def test_every_table_has_pitr_and_encryption(synthesized: SynthesizedApp) -> None:
    tables = synthesized.of_type("AWS::DynamoDB::Table")
    assert set(tables) == {"OrdersTable", "IdempotencyTable"}
    for logical_id, table in tables.items():
        props = table["Properties"]
        assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True, logical_id
        assert props["SSESpecification"]["SSEEnabled"] is True, logical_id


# --- Queues and event sources ------------------------------------------------------------------


def test_every_work_queue_redrives_to_a_dead_letter_queue(synthesized: SynthesizedApp) -> None:
    queues = synthesized.of_type("AWS::SQS::Queue")
    dead_letter_queues = _dead_letter_queue_ids(synthesized)
    work_queues = set(queues) - dead_letter_queues
    assert work_queues >= {"ReservationQueue", "NotificationQueue"}
    for logical_id in work_queues:
        redrive = queues[logical_id]["Properties"].get("RedrivePolicy")
        assert redrive is not None, f"{logical_id} has no RedrivePolicy"
        assert _get_att_target(redrive["deadLetterTargetArn"]) in queues
        # a conflict on a hot SKU must never dead-letter an order (tests/infra/test_stock_reservation.py)
        assert redrive["maxReceiveCount"] == (100 if logical_id == "ReservationQueue" else 5), logical_id


def test_dead_letter_queues_keep_messages_for_14_days(synthesized: SynthesizedApp) -> None:
    queues = synthesized.of_type("AWS::SQS::Queue")
    dead_letter_queues = _dead_letter_queue_ids(synthesized)
    assert (
        dead_letter_queues
        - CARRIER_TRACKING_DLQS
        - STOCK_ALERTS_DLQS
        - SERVICE_KPIS_DLQS
        - CUSTOMER_NOTIFICATIONS_DLQS
        - DELIVERY_EXCEPTIONS_DLQS
        == {
            "ReservationQueueDlq",
            "NotificationQueueDlq",
            "OrderChangesDlq",
        }
    )
    for logical_id in dead_letter_queues:
        assert queues[logical_id]["Properties"]["MessageRetentionPeriod"] == 14 * 24 * 3600


def test_every_queue_is_encrypted_and_denies_requests_without_tls(synthesized: SynthesizedApp) -> None:
    tls_only_queues: set[str] = set()
    for policy in synthesized.of_type("AWS::SQS::QueuePolicy").values():
        props = policy["Properties"]
        for statement in props["PolicyDocument"]["Statement"]:
            if statement["Effect"] == "Deny" and statement.get("Condition") == {
                "Bool": {"aws:SecureTransport": "false"}
            }:
                tls_only_queues |= {queue["Ref"] for queue in props["Queues"]}
    for logical_id, queue in synthesized.of_type("AWS::SQS::Queue").items():
        assert queue["Properties"].get("SqsManagedSseEnabled") is True, f"{logical_id} is not encrypted"
        assert logical_id in tls_only_queues, f"{logical_id} accepts requests without TLS"


def test_every_sqs_mapping_reports_batch_item_failures_and_outlasts_its_function(
    synthesized: SynthesizedApp,
) -> None:
    mappings = _queue_mappings(synthesized)
    # reservations, notifications, carrier webhooks, suppression feedback, tracking registrations,
    # and the domain event subscribers: stock levels, tracking links and shipment exceptions
    assert len(mappings) == 8
    for logical_id, mapping in mappings.items():
        props = mapping["Properties"]
        assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"], logical_id
        # registrations call providers (up to two tries of 8 s each per job): smaller batches;
        # reservations group-commit a batch, and every email's SES Send event reaches the
        # suppression worker: larger ones, gathered within a window
        expected = {
            "RegisterTrackingFunction": 5,
            "ReserveStockFunction": 50,
            "ApplySuppressionsFunction": 100,
        }
        assert props["BatchSize"] == expected.get(props["FunctionName"]["Ref"], 10), logical_id
        queue = synthesized.props(_get_att_target(props["EventSourceArn"]))
        function = synthesized.props(props["FunctionName"]["Ref"])
        assert queue["VisibilityTimeout"] >= 6 * function["Timeout"], logical_id


def test_stream_mapping_filters_order_items_bisects_retries_and_parks_failures(
    synthesized: SynthesizedApp,
) -> None:
    mappings = {
        k: v for k, v in _stream_mappings(synthesized).items() if k not in _carrier_mappings(synthesized)
    }
    assert len(mappings) == 1
    props = next(iter(mappings.values()))["Properties"]
    assert _get_att_target(props["EventSourceArn"]) == "OrdersTable"
    assert props["FunctionName"] == {"Ref": "DispatchOrderChangesFunction"}
    assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert props["BisectBatchOnFunctionError"] is True
    assert props["MaximumRetryAttempts"] == 5
    assert props["StartingPosition"] == "TRIM_HORIZON"
    assert props["BatchSize"] == 100
    assert props["MaximumBatchingWindowInSeconds"] == 1
    assert _get_att_target(props["DestinationConfig"]["OnFailure"]["Destination"]) == "OrderChangesDlq"
    patterns = [json.loads(f["Pattern"]) for f in props["FilterCriteria"]["Filters"]]
    assert patterns == DISPATCHED_CHANGES_FILTERS


def test_every_event_source_mapping_reports_batch_item_failures(synthesized: SynthesizedApp) -> None:
    for logical_id, mapping in synthesized.of_type("AWS::Lambda::EventSourceMapping").items():
        assert mapping["Properties"].get("FunctionResponseTypes") == ["ReportBatchItemFailures"], logical_id


# --- Functions ------------------------------------------------------------------------------------


def test_functions_are_the_four_handlers_with_their_environment(synthesized: SynthesizedApp) -> None:
    functions = synthesized.of_type("AWS::Lambda::Function")
    handlers = {fn["Properties"]["Handler"] for fn in functions.values()}
    assert {h for h in handlers if not h.startswith("carriers.")} == set(FUNCTION_ENVIRONMENT)
    for handler, expected in FUNCTION_ENVIRONMENT.items():
        _, function = _function_by_handler(synthesized, handler)
        variables = function["Properties"]["Environment"]["Variables"]
        assert set(variables) == expected | POWERTOOLS_ENVIRONMENT, handler
        assert variables["POWERTOOLS_METRICS_NAMESPACE"] == "ordertrack"


@pytest.mark.parametrize("handler", sorted(FUNCTION_ENVIRONMENT))
def test_handler_module_exists_under_functions(synthesized: SynthesizedApp, handler: str) -> None:
    module, _, attribute = handler.rpartition(".")
    assert attribute
    module_file = FUNCTIONS_DIR / Path(*module.split(".")).with_suffix(".py")
    assert module_file.is_file(), f"{handler}: {module_file.relative_to(REPO_ROOT)} does not exist"


def test_functions_run_python_313_or_later_on_arm64_with_tracing_layer_and_retained_logs(
    synthesized: SynthesizedApp,
) -> None:
    log_groups = synthesized.of_type("AWS::Logs::LogGroup")
    for logical_id, function in synthesized.of_type("AWS::Lambda::Function").items():
        props = function["Properties"]
        major, minor = props["Runtime"].removeprefix("python").split(".")
        assert (int(major), int(minor)) >= (3, 13), logical_id
        assert props["Architectures"] == ["arm64"], logical_id
        assert props["TracingConfig"] == {"Mode": "Active"}, logical_id
        assert props["Layers"] == [{"Ref": "DependenciesLayer"}], logical_id
        log_group = props["LoggingConfig"]["LogGroup"]["Ref"]
        assert log_groups[log_group]["Properties"]["RetentionInDays"] > 0, logical_id
        assert props["MemorySize"] >= 128 and 1 <= props["Timeout"] <= 900


def test_dependencies_layer_targets_the_function_runtime_and_arm64(synthesized: SynthesizedApp) -> None:
    layer = synthesized.props("DependenciesLayer")
    runtimes = {fn["Properties"]["Runtime"] for fn in synthesized.of_type("AWS::Lambda::Function").values()}
    assert set(layer["CompatibleRuntimes"]) == runtimes
    assert layer["CompatibleArchitectures"] == ["arm64"]


# --- IAM ------------------------------------------------------------------------------------------


KEY_DATA_KEY_ACTION = "kms:GenerateDataKey*"
"""The one wildcard action: what SNS needs on an encrypted topic's key from its publishers."""


def test_no_statement_allows_wildcard_actions(synthesized: SynthesizedApp) -> None:
    keys = set(synthesized.of_type("AWS::KMS::Key"))
    for logical_id, statement in _policy_statements(synthesized):
        for action in _as_list(statement.get("Action", [])):
            assert action != "*" and not action.endswith(":*"), f"{logical_id} allows {action}"
            if action == KEY_DATA_KEY_ACTION:
                resources = _as_list(statement["Resource"])
                assert resources and all(r.get("Fn::GetAtt", [None])[0] in keys for r in resources), (
                    logical_id
                )
                continue
            assert "*" not in action, f"{logical_id} allows wildcard action {action}"
        assert "NotAction" not in statement, logical_id


def test_only_actions_without_resource_level_permissions_use_resource_star(
    synthesized: SynthesizedApp,
) -> None:
    for logical_id, statement in _policy_statements(synthesized):
        if "*" in _as_list(statement["Resource"]):
            actions = set(_as_list(statement["Action"]))
            assert actions <= ACTIONS_WITHOUT_RESOURCE_LEVEL_PERMISSIONS, f"{logical_id}: {actions} on *"


def test_function_roles_use_no_managed_policies(synthesized: SynthesizedApp) -> None:
    for logical_id, role in synthesized.of_type("AWS::IAM::Role").items():
        assert "ManagedPolicyArns" not in role["Properties"], logical_id


@pytest.mark.parametrize("role", ["DispatchOrderChangesRole"])
def test_readers_of_the_orders_table_cannot_write_it(synthesized: SynthesizedApp, role: str) -> None:
    for statement in synthesized.role_statements(role):
        targets_orders_table = any(
            "OrdersTable" in json.dumps(resource) and "StreamArn" not in json.dumps(resource)
            for resource in _as_list(statement["Resource"])
        )
        if targets_orders_table:
            assert not set(_as_list(statement["Action"])) & TABLE_WRITE_ACTIONS, statement


def test_notifications_worker_may_send_email_only_from_the_sender_identity_with_its_configuration_set(
    synthesized: SynthesizedApp,
) -> None:
    identity = synthesized.props("SenderEmailIdentity")
    assert identity["EmailIdentity"] == "orders@example.com"
    ses_statements = [
        s for s in synthesized.role_statements("SendNotificationsRole") if s["Action"][0].startswith("ses:")
    ]
    assert len(ses_statements) == 1
    assert set(ses_statements[0]["Action"]) == {"ses:SendEmail", "ses:SendRawEmail"}
    resources = [resource["Fn::Join"][1] for resource in _as_list(ses_statements[0]["Resource"])]
    assert len(resources) == 2
    assert any({"Ref": "SenderEmailIdentity"} in parts and ":identity/" in parts for parts in resources)
    assert any(
        {"Ref": "NotificationConfigurationSet"} in parts and ":configuration-set/" in parts
        for parts in resources
    )


# --- Storefront API -----------------------------------------------------------------------------


def test_routes_are_explicit_and_all_reach_the_storefront_function(synthesized: SynthesizedApp) -> None:
    routes = synthesized.of_type("AWS::ApiGatewayV2::Route")
    route_keys = {route["Properties"]["RouteKey"] for route in routes.values()}
    assert route_keys >= EXPECTED_ROUTES
    route_keys -= {CARRIER_WEBHOOK_ROUTE_KEY, *TRACKING_PAGE_ROUTE_KEYS}  # covered by their own tests
    route_keys -= FEEDBACK_PAGE_ROUTE_KEYS  # tests/infra/test_customer_service.py covers them
    route_keys -= {key for key in route_keys if key.partition(" ")[2].startswith("/console")}  # its own tests
    # every documented route is explicit; `$default` only catches what none matches, so an unknown
    # route or method is answered by the storefront function in the error envelope
    assert route_keys == {route.route_key for route in STOREFRONT_ROUTES} | {"$default"}
    assert not any("{proxy+}" in key or key == "ANY /" for key in route_keys)
    integrations = {
        k: v
        for k, v in synthesized.of_type("AWS::ApiGatewayV2::Integration").items()
        if not k.startswith("StorefrontApiHttpApiPOSTv1webhooks")
        and "feedback" not in k  # the survey page's own function
        and _get_att_target(v["Properties"]["IntegrationUri"])
        not in ("TrackingPageFunction", "OperationsConsoleFunction")
    }
    assert len(integrations) == 1
    integration_id, integration = next(iter(integrations.items()))
    assert integration["Properties"]["IntegrationType"] == "AWS_PROXY"
    assert integration["Properties"]["PayloadFormatVersion"] == "2.0"
    assert _get_att_target(integration["Properties"]["IntegrationUri"]) == "StorefrontApiFunction"
    for route in routes.values():
        if route["Properties"]["RouteKey"] in {
            CARRIER_WEBHOOK_ROUTE_KEY,
            *TRACKING_PAGE_ROUTE_KEYS,
            *FEEDBACK_PAGE_ROUTE_KEYS,
        } or route["Properties"]["RouteKey"].partition(" ")[2].startswith("/console"):
            continue
        assert route["Properties"]["Target"]["Fn::Join"][1][1] == {"Ref": integration_id}


def test_default_stage_logs_json_access_lines_and_throttles(synthesized: SynthesizedApp) -> None:
    stages = synthesized.of_type("AWS::ApiGatewayV2::Stage")
    assert set(stages) == {"StorefrontApiDefaultStage"}
    props = stages["StorefrontApiDefaultStage"]["Properties"]
    assert props["StageName"] == "$default"
    assert props["AutoDeploy"] is True
    access_format = json.loads(props["AccessLogSettings"]["Format"])
    assert {"requestId", "ip", "routeKey", "status", "latency"} <= set(access_format)
    assert _get_att_target(props["AccessLogSettings"]["DestinationArn"]) == "StorefrontApiAccessLogs"
    throttling = props["DefaultRouteSettings"]
    assert throttling["ThrottlingRateLimit"] > 0 and throttling["ThrottlingBurstLimit"] > 0
    assert "StorefrontApiUrl" in synthesized.template["Outputs"]


def test_api_key_secret_is_generated_never_in_clear_text(synthesized: SynthesizedApp) -> None:
    secrets = synthesized.of_type("AWS::SecretsManager::Secret")
    assert {k for k in secrets if not k.endswith(("WebhookSecret", "ApiKey"))} == {
        "StorefrontApiKeySecret",
        "LinkSigningKey",
        "ContactLookupKey",
    }
    secret = secrets["StorefrontApiKeySecret"]
    assert "SecretString" not in secret["Properties"]
    generated = secret["Properties"]["GenerateSecretString"]
    assert generated["GenerateStringKey"] == "api_key"
    assert generated["SecretStringTemplate"] == "{}"
    assert generated["ExcludePunctuation"] is True
    assert secret["Metadata"]["ordertrack:local-secret"] == {
        "api_key": {"env": "ORDERTRACK_API_KEY", "default": "local-dev-key"}
    }


def test_link_signing_key_is_generated_with_a_local_value(synthesized: SynthesizedApp) -> None:
    secret = synthesized.of_type("AWS::SecretsManager::Secret")["LinkSigningKey"]
    assert "SecretString" not in secret["Properties"]
    generated = secret["Properties"]["GenerateSecretString"]
    assert generated["GenerateStringKey"] == "key"
    assert generated["PasswordLength"] >= 32
    assert secret["Metadata"]["ordertrack:local-secret"] == {
        "key": {"env": "ORDERTRACK_LINK_SIGNING_KEY", "default": "local-link-signing-key"}
    }


def test_storefront_function_reads_the_api_key_secret(synthesized: SynthesizedApp) -> None:
    _, function = _function_by_handler(synthesized, "storefront_api.handler.handler")
    variables = function["Properties"]["Environment"]["Variables"]
    assert variables["API_KEY_SECRET_ARN"] == {"Ref": "StorefrontApiKeySecret"}
    secret_statements = [
        s
        for s in synthesized.role_statements("StorefrontApiRole")
        if "secretsmanager:GetSecretValue" in _as_list(s["Action"])
    ]
    # the API key, the link-signing key (complaints sent with a customer's signed link token) and the
    # key of the order lookups' hashes of phones and emails
    assert [s["Resource"] for s in secret_statements] == [
        [{"Ref": "ContactLookupKey"}, {"Ref": "LinkSigningKey"}, {"Ref": "StorefrontApiKeySecret"}]
    ]
    assert variables["CONTACT_LOOKUP_SECRET_ARN"] == {"Ref": "ContactLookupKey"}


def test_the_contact_lookup_key_is_generated_never_in_clear_text_and_only_the_api_and_console_read_it(
    synthesized: SynthesizedApp,
) -> None:
    secret = synthesized.of_type("AWS::SecretsManager::Secret")["ContactLookupKey"]
    assert "SecretString" not in secret["Properties"]
    assert secret["Properties"]["GenerateSecretString"]["GenerateStringKey"] == "key"
    assert secret["Metadata"]["ordertrack:local-secret"] == {
        "key": {"env": "ORDERTRACK_CONTACT_LOOKUP_KEY", "default": "local-contact-lookup-key"}
    }
    functions = synthesized.of_type("AWS::Lambda::Function").values()
    readers = [
        f["Properties"]["Handler"]
        for f in functions
        if "CONTACT_LOOKUP_SECRET_ARN" in (f["Properties"].get("Environment") or {}).get("Variables", {})
    ]
    assert sorted(readers) == ["console.handler.handler", "storefront_api.handler.handler"]


# --- Topics ---------------------------------------------------------------------------------------


def test_operations_alerts_topic_is_kms_encrypted_and_tls_only(synthesized: SynthesizedApp) -> None:
    topic = synthesized.props("OperationsAlerts")
    # its own key: CloudWatch alarms cannot publish to a topic under the AWS managed alias/aws/sns
    assert topic["KmsMasterKeyId"] == {"Fn::GetAtt": ["OperationsAlertsKey", "Arn"]}
    tls_only_topics = {
        ref["Ref"]
        for policy in synthesized.of_type("AWS::SNS::TopicPolicy").values()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if statement["Effect"] == "Deny"
        and statement.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}}
        for ref in policy["Properties"]["Topics"]
    }
    assert set(synthesized.of_type("AWS::SNS::Topic")) <= tls_only_topics


def test_a_stack_first_deployed_with_all_attribute_indexes_can_keep_them() -> None:
    """CloudFormation cannot change an existing index's projection in place: a stage whose table was
    created with ALL keeps it with `search_index_projection`, and the code reads either."""
    from aws_cdk import App, Stack
    from aws_cdk.assertions import Template

    from infra.config import StageConfig
    from infra.constructs.data import Data

    assert StageConfig().search_index_projection == "KEYS_ONLY"
    stack = Stack(App(), "Legacy")
    Data(
        stack,
        "Data",
        search_index_projection=StageConfig(search_index_projection="ALL").search_index_projection,
    )
    [table] = (
        Template.from_stack(stack)
        .find_resources(
            "AWS::DynamoDB::Table",
            {
                "Properties": {
                    "KeySchema": [
                        {"AttributeName": "pk", "KeyType": "HASH"},
                        {"AttributeName": "sk", "KeyType": "RANGE"},
                    ]
                }
            },
        )
        .values()
    )
    projections = {
        i["IndexName"]: i["Projection"]["ProjectionType"]
        for i in table["Properties"]["GlobalSecondaryIndexes"]
    }
    assert projections == {"gsi1": "ALL", "gsi2": "ALL", "gsi3": "ALL"}
