"""Local overrides of function variables (`ordertrack:local-override` Metadata) and the SES
configuration set the notification worker sends with, provisioned in moto."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from infra.local.functions import FunctionSpec
from infra.local.provision import Provisioner
from infra.local.template import LOCAL_CREDENTIALS, REGION, Resolver, Template

WORKER_TEMPLATE = {
    "Resources": {
        "Worker": {
            "Type": "AWS::Lambda::Function",
            "Properties": {
                "Handler": "notifications.handlers.send_notifications.handler",
                "Runtime": "python3.14",
                "Environment": {
                    "Variables": {"RETRY_BASE_SECONDS": "30", "SENDER_EMAIL": "orders@example.com"}
                },
            },
            "Metadata": {
                "ordertrack:local-override": {
                    "COLLAPSE_WINDOW_SECONDS": "ORDERTRACK_COLLAPSE_WINDOW_SECONDS",
                    "RETRY_BASE_SECONDS": "ORDERTRACK_RETRY_BASE_SECONDS",
                }
            },
        },
        "Other": {
            "Type": "AWS::Lambda::Function",
            "Properties": {"Handler": "x.handler", "Runtime": "python3.14"},
        },
    }
}


def _spec(logical_id: str, settings: dict[str, str] | None) -> FunctionSpec:
    template = Template(WORKER_TEMPLATE)
    return FunctionSpec.from_resource(Resolver(template), template.resources[logical_id], settings)


def test_set_local_settings_replace_or_add_the_worker_variables() -> None:
    # Given local settings for both overrides
    settings = {"ORDERTRACK_COLLAPSE_WINDOW_SECONDS": "0", "ORDERTRACK_RETRY_BASE_SECONDS": "1"}

    # When the worker's environment is built
    environment = _spec("Worker", settings).worker_environment("http://127.0.0.1:5000")

    # Then the template's value is replaced and the missing variable added
    assert environment["RETRY_BASE_SECONDS"] == "1"
    assert environment["COLLAPSE_WINDOW_SECONDS"] == "0"
    assert environment["SENDER_EMAIL"] == "orders@example.com"


def test_unset_local_settings_leave_the_template_environment_alone() -> None:
    environment = _spec("Worker", {}).worker_environment("http://127.0.0.1:5000")

    assert environment["RETRY_BASE_SECONDS"] == "30"
    assert "COLLAPSE_WINDOW_SECONDS" not in environment


def test_only_functions_that_declare_an_override_take_the_setting() -> None:
    settings = {"ORDERTRACK_RETRY_BASE_SECONDS": "1"}

    assert "RETRY_BASE_SECONDS" not in _spec("Other", settings).worker_environment("http://127.0.0.1:5000")


def test_overrides_default_to_the_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORDERTRACK_COLLAPSE_WINDOW_SECONDS", "5")

    environment = _spec("Worker", None).worker_environment("http://127.0.0.1:5000")

    assert environment["COLLAPSE_WINDOW_SECONDS"] == "5"


def test_overrides_never_replace_the_local_endpoint_and_credentials() -> None:
    template = json.loads(json.dumps(WORKER_TEMPLATE))
    template["Resources"]["Worker"]["Metadata"]["ordertrack:local-override"]["AWS_ENDPOINT_URL"] = "ELSEWHERE"
    parsed = Template(template)
    spec = FunctionSpec.from_resource(Resolver(parsed), parsed.resources["Worker"], {"ELSEWHERE": "http://x"})

    assert spec.worker_environment("http://127.0.0.1:5000")["AWS_ENDPOINT_URL"] == "http://127.0.0.1:5000"


# -- SES configuration set --------------------------------------------------------------------

SES_TEMPLATE = {
    "Resources": {
        "Sender": {"Type": "AWS::SES::EmailIdentity", "Properties": {"EmailIdentity": "orders@example.com"}},
        "Feedback": {"Type": "AWS::SNS::Topic", "Properties": {}},
        "ConfigurationSet": {"Type": "AWS::SES::ConfigurationSet", "Properties": {}},
        "FeedbackDestination": {
            "Type": "AWS::SES::ConfigurationSetEventDestination",
            "Properties": {
                "ConfigurationSetName": {"Ref": "ConfigurationSet"},
                "EventDestination": {
                    "Enabled": True,
                    "MatchingEventTypes": ["bounce", "complaint"],
                    "SnsDestination": {"TopicARN": {"Ref": "Feedback"}},
                },
            },
        },
    }
}


@pytest.fixture
def moto_clients() -> Iterator[Any]:
    with mock_aws():
        session = boto3.session.Session(region_name=REGION, **LOCAL_CREDENTIALS)
        clients: dict[str, Any] = {}

        def client_for(service: str) -> Any:
            return clients.setdefault(service, session.client(service))

        yield client_for


def test_configuration_set_and_its_event_destination_exist_so_sending_with_it_works(
    moto_clients: Any,
) -> None:
    # Given the template's identity, topic, configuration set and event destination, provisioned
    resolver = Resolver(Template(SES_TEMPLATE))
    Provisioner(resolver, moto_clients, {}).provision()
    ses = moto_clients("ses")

    # Then the set is there under its local name, with the SNS destination for bounces and complaints
    name = resolver.get_att("ConfigurationSet", "Ref")
    assert name == "ConfigurationSet"
    described = ses.describe_configuration_set(
        ConfigurationSetName=name, ConfigurationSetAttributeNames=["eventDestinations"]
    )
    assert described["ConfigurationSet"]["Name"] == name
    [destination] = described["EventDestinations"]
    assert destination["Name"] == "FeedbackDestination"
    assert destination["Enabled"] is True
    assert sorted(destination["MatchingEventTypes"]) == ["bounce", "complaint"]
    assert destination["SNSDestination"]["TopicARN"] == resolver.get_att("Feedback", "Ref")

    # And the worker's SendEmail with that configuration set goes through
    response = ses.send_email(
        Source="orders@example.com",
        Destination={"ToAddresses": ["li.wei@example.com"]},
        Message={"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "t"}}},
        ConfigurationSetName=name,
    )
    assert response["MessageId"]
