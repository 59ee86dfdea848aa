"""The event bus, its pattern rules and their SQS targets, provisioned in moto as the template
declares them; moto then delivers what a pattern matches (with the whole event, once patched)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from infra.local.moto_eventbridge import deliver_whole_events
from infra.local.provision import Provisioner
from infra.local.template import LOCAL_CREDENTIALS, REGION, Resolver, Template


def rule(pattern: dict[str, Any], queue: str, state: str = "ENABLED") -> dict[str, Any]:
    return {
        "Type": "AWS::Events::Rule",
        "Properties": {
            "EventBusName": {"Ref": "Bus"},
            "EventPattern": pattern,
            "State": state,
            "Targets": [{"Id": "Target0", "Arn": {"Fn::GetAtt": [queue, "Arn"]}}],
        },
    }


BUS_TEMPLATE = {
    "Resources": {
        "Bus": {"Type": "AWS::Events::EventBus", "Properties": {"Name": "ordertrack-test"}},
        "Scarce": {"Type": "AWS::SQS::Queue", "Properties": {}},
        "Links": {"Type": "AWS::SQS::Queue", "Properties": {}},
        "Paused": {"Type": "AWS::SQS::Queue", "Properties": {}},
        "ScarceRule": rule(
            {
                "source": ["ordertrack"],
                "detail-type": ["StockLevelChanged"],
                "detail": {"available": [{"numeric": ["<", 3]}]},
            },
            "Scarce",
        ),
        "LinksRule": rule({"source": ["ordertrack"], "detail-type": ["ShipmentTrackingLinked"]}, "Links"),
        "PausedRule": rule({"source": ["ordertrack"]}, "Paused", state="DISABLED"),
        "Hourly": {
            "Type": "AWS::Events::Rule",
            "Properties": {
                "ScheduleExpression": "rate(1 hour)",
                "Targets": [{"Id": "T", "Arn": "arn:aws:lambda:x"}],
            },
        },
    }
}


@pytest.fixture
def clients() -> Iterator[Any]:
    with mock_aws():
        session = boto3.session.Session(region_name=REGION, **LOCAL_CREDENTIALS)
        made: dict[str, Any] = {}
        yield lambda service: made.setdefault(service, session.client(service))


def bodies(clients: Any, resolver: Resolver, queue: str) -> list[dict[str, Any]]:
    url = resolver.get_att(queue, "QueueUrl")
    messages = clients("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(message["Body"]) for message in messages]


def put(clients: Any, detail_type: str, detail: dict[str, Any]) -> None:
    clients("events").put_events(
        Entries=[
            {
                "Source": "ordertrack",
                "DetailType": detail_type,
                "Detail": json.dumps(detail),
                "EventBusName": "ordertrack-test",
            }
        ]
    )


def test_rules_deliver_what_their_patterns_match_to_their_queues(
    clients: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from moto.events import utils

    monkeypatch.setattr(utils.EventTemplateParser, "parse", utils.EventTemplateParser.parse)  # undone after
    deliver_whole_events()
    resolver = Resolver(Template(BUS_TEMPLATE))
    Provisioner(resolver, clients, {}).provision()
    assert resolver.get_att("Bus", "Ref") == "ordertrack-test"
    assert clients("events").list_rules(EventBusName="ordertrack-test")["Rules"]
    assert clients("events").list_rules()["Rules"] == []  # schedules are not rules in moto

    put(clients, "StockLevelChanged", {"sku": "A", "available": 2})
    put(clients, "StockLevelChanged", {"sku": "B", "available": 7})
    put(clients, "ShipmentTrackingLinked", {"tracking_number": "TN1"})

    [scarce] = bodies(clients, resolver, "Scarce")
    assert scarce["detail"] == {"sku": "A", "available": 2}
    assert set(scarce) == {
        "version",
        "id",
        "detail-type",
        "source",
        "account",
        "time",
        "region",
        "resources",
        "detail",
    }
    assert [body["detail"]["tracking_number"] for body in bodies(clients, resolver, "Links")] == ["TN1"]
    assert bodies(clients, resolver, "Paused") == []  # a disabled rule delivers nothing, as on AWS
