"""Create in moto the stateful resources a template declares, exactly as declared.

DynamoDB tables (keys, indexes, stream, TTL), SQS queues (every attribute, redrive to the DLQ,
FIFO), SNS topics and subscriptions, SES email identities (verified), SES configuration sets and
their event destinations, Secrets Manager secrets and SSM parameters, EventBridge buses and the
rules on them that match events (``EventPattern``) with their SQS targets. Resources are created in
dependency order, so a DLQ exists before the queue that redrives to it.

EventBridge: moto 5.2.5 itself delivers ``PutEvents`` to the SQS targets of every rule on the bus
whose pattern matches (``moto/events/models.py``: ``EventPattern`` implements exact values,
prefix, suffix, anything-but, numeric, exists, equals-ignore-case, wildcard and ``$or``), with the
body AWS gives the target (the event JSON), inside the ``PutEvents`` call: once it returns, the
message is in the queue, so ``wait_idle`` covers delivery through the queue's poller. moto ignores a
rule's ``State``, so the targets of a ``DISABLED`` rule are not created (nothing is delivered, as on
AWS). Schedules (rules with a ``ScheduleExpression``) are run by :mod:`infra.local.schedules`, and
targets other than SQS queues are logged and skipped.

SES configuration sets exist so that ``SendEmail`` with ``ConfigurationSetName`` behaves as on AWS
(moto 5.2.5 accepts and ignores the name either way). Plain moto never publishes sending events to
an event destination; the local moto server does for the SES mailbox simulator addresses
(``bounce@simulator.amazonses.com``, ...; see :mod:`infra.local.moto_patches`). Any other bounce,
complaint or SMS reply is simulated by publishing its payload (``events/sns/``) to its topic.

Secret values: a secret whose resource Metadata carries
``"ordertrack:local-secret": {"<json-key>": {"env": "ORDERTRACK_API_KEY", "default": "local-dev-key"}}``
is stored as the JSON object ``{"<json-key>": <env value or default>}``; any other secret gets its
``SecretString``, or a random value honouring ``GenerateSecretString``.
"""

from __future__ import annotations

import json
import logging
import secrets
import string
from collections.abc import Mapping
from typing import Any

from infra.local.cognito import CognitoProvisioning
from infra.local.template import Resolver, Resource, as_string

LOCAL_SECRET_METADATA = "ordertrack:local-secret"  # noqa: S105 - a metadata key, not a secret
_LOG = logging.getLogger("ordertrack.local")


class Provisioner:
    """Creates template resources in moto through boto3 clients built by ``client_for``."""

    def __init__(self, resolver: Resolver, client_for: Any, settings: Mapping[str, str]) -> None:
        self.resolver = resolver
        self.client_for = client_for
        self.settings = settings
        self.secret_values: dict[str, str] = {}
        self.cognito = CognitoProvisioning(resolver, client_for, settings)  # the console's operators

    def provision(self) -> None:
        creators = {
            "AWS::DynamoDB::Table": self._table,
            "AWS::DynamoDB::GlobalTable": self._table,
            "AWS::SQS::Queue": self._queue,
            "AWS::SNS::Topic": self._topic,
            "AWS::SNS::Subscription": self._subscription,
            "AWS::SES::EmailIdentity": self._email_identity,
            "AWS::SES::ConfigurationSet": self._configuration_set,
            "AWS::SES::ConfigurationSetEventDestination": self._configuration_set_event_destination,
            "AWS::SecretsManager::Secret": self._secret,
            "AWS::SSM::Parameter": self._parameter,
            "AWS::Events::EventBus": self._event_bus,
            "AWS::Events::Rule": self._event_rule,
            "AWS::Cognito::UserPool": self.cognito.user_pool,
            "AWS::Cognito::UserPoolClient": self.cognito.user_pool_client,
            "AWS::Cognito::UserPoolGroup": self.cognito.user_pool_group,
        }
        for resource in self.resolver.active():
            create = creators.get(resource.type)
            if create is not None:
                create(resource)

    # -- DynamoDB -----------------------------------------------------------------------

    def _table(self, resource: Resource) -> None:
        properties = self.resolver.properties(resource)
        name = self.resolver.physical_name(resource)
        billing_mode = properties.get("BillingMode") or (
            "PROVISIONED" if "ProvisionedThroughput" in properties else "PAY_PER_REQUEST"
        )
        request: dict[str, Any] = {
            "TableName": name,
            "KeySchema": properties["KeySchema"],
            "AttributeDefinitions": properties["AttributeDefinitions"],
            "BillingMode": billing_mode,
        }
        if billing_mode == "PROVISIONED":
            request["ProvisionedThroughput"] = _throughput(properties)
        indexes = [_index(index, billing_mode) for index in properties.get("GlobalSecondaryIndexes") or []]
        if indexes:
            request["GlobalSecondaryIndexes"] = indexes
        local_indexes = [
            {key: index[key] for key in ("IndexName", "KeySchema", "Projection")}
            for index in properties.get("LocalSecondaryIndexes") or []
        ]
        if local_indexes:
            request["LocalSecondaryIndexes"] = local_indexes
        stream = properties.get("StreamSpecification") or {}
        if stream.get("StreamViewType"):
            request["StreamSpecification"] = {
                "StreamEnabled": True,
                "StreamViewType": stream["StreamViewType"],
            }
        dynamodb = self.client_for("dynamodb")
        description = dynamodb.create_table(**request)["TableDescription"]
        ttl = properties.get("TimeToLiveSpecification") or {}
        if ttl.get("AttributeName"):
            dynamodb.update_time_to_live(
                TableName=name,
                TimeToLiveSpecification={
                    "AttributeName": ttl["AttributeName"],
                    "Enabled": bool(ttl.get("Enabled", True)),
                },
            )
        self.resolver.record(resource.logical_id, "Ref", name)
        self.resolver.record(resource.logical_id, "Arn", description["TableArn"])
        if description.get("LatestStreamArn"):
            self.resolver.record(resource.logical_id, "StreamArn", description["LatestStreamArn"])

    # -- SQS / SNS / SES ------------------------------------------------------------------

    def _queue(self, resource: Resource) -> None:
        properties = self.resolver.properties(resource)
        name = self.resolver.physical_name(resource)
        attributes: dict[str, str] = {}
        for key in (
            "VisibilityTimeout",
            "MessageRetentionPeriod",
            "DelaySeconds",
            "MaximumMessageSize",
            "ReceiveMessageWaitTimeSeconds",
            "FifoQueue",
            "ContentBasedDeduplication",
            "DeduplicationScope",
            "FifoThroughputLimit",
        ):
            if key in properties:
                attributes[key] = as_string(properties[key])
        for key in ("RedrivePolicy", "RedriveAllowPolicy"):
            if key in properties:
                attributes[key] = as_string(properties[key])
        sqs = self.client_for("sqs")
        url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        self.resolver.record(resource.logical_id, "Ref", url)
        self.resolver.record(resource.logical_id, "QueueUrl", url)
        self.resolver.record(resource.logical_id, "Arn", arn)

    def _topic(self, resource: Resource) -> None:
        properties = self.resolver.properties(resource)
        attributes = {
            key: as_string(properties[key])
            for key in ("DisplayName", "FifoTopic", "ContentBasedDeduplication")
            if key in properties
        }
        sns = self.client_for("sns")
        arn = sns.create_topic(Name=self.resolver.physical_name(resource), Attributes=attributes)["TopicArn"]
        self.resolver.record(resource.logical_id, "Ref", arn)
        self.resolver.record(resource.logical_id, "TopicArn", arn)
        for subscription in properties.get("Subscription") or []:
            sns.subscribe(TopicArn=arn, Protocol=subscription["Protocol"], Endpoint=subscription["Endpoint"])

    def _subscription(self, resource: Resource) -> None:
        properties = self.resolver.properties(resource)
        attributes = {
            key: as_string(properties[key])
            for key in ("RawMessageDelivery", "FilterPolicy", "FilterPolicyScope", "RedrivePolicy")
            if key in properties
        }
        self.client_for("sns").subscribe(
            TopicArn=properties["TopicArn"],
            Protocol=properties["Protocol"],
            Endpoint=properties["Endpoint"],
            Attributes=attributes,
        )

    def _email_identity(self, resource: Resource) -> None:
        identity = self.resolver.properties(resource)["EmailIdentity"]
        ses = self.client_for("ses")
        if "@" in identity:
            ses.verify_email_identity(EmailAddress=identity)
        else:
            ses.verify_domain_identity(Domain=identity)
        self.resolver.record(resource.logical_id, "Ref", identity)

    def _configuration_set(self, resource: Resource) -> None:
        name = str(self.resolver.properties(resource).get("Name") or resource.logical_id)
        self.client_for("ses").create_configuration_set(ConfigurationSet={"Name": name})
        self.resolver.record(resource.logical_id, "Ref", name)

    def _configuration_set_event_destination(self, resource: Resource) -> None:
        properties = self.resolver.properties(resource)
        declared = properties["EventDestination"]
        destination: dict[str, Any] = {
            "Name": declared.get("Name") or resource.logical_id,
            "Enabled": bool(declared.get("Enabled", False)),
            "MatchingEventTypes": list(declared["MatchingEventTypes"]),
        }
        if "SnsDestination" in declared:
            destination["SNSDestination"] = {"TopicARN": declared["SnsDestination"]["TopicARN"]}
        self.client_for("ses").create_configuration_set_event_destination(
            ConfigurationSetName=properties["ConfigurationSetName"], EventDestination=destination
        )
        self.resolver.record(resource.logical_id, "Ref", destination["Name"])

    # -- Secrets / parameters -----------------------------------------------------------

    def _secret(self, resource: Resource) -> None:
        properties = self.resolver.properties(resource)
        value = self.secret_value(resource, properties)
        request: dict[str, Any] = {"Name": self.resolver.physical_name(resource), "SecretString": value}
        if properties.get("Description"):
            request["Description"] = properties["Description"]
        arn = self.client_for("secretsmanager").create_secret(**request)["ARN"]
        self.secret_values[resource.logical_id] = value
        self.resolver.record(resource.logical_id, "Ref", arn)
        self.resolver.record(resource.logical_id, "Id", arn)

    def secret_value(self, resource: Resource, properties: Mapping[str, Any]) -> str:
        local = resource.metadata.get(LOCAL_SECRET_METADATA)
        if local:
            return json.dumps(
                {
                    key: self.settings.get(spec["env"], spec.get("default", ""))
                    if isinstance(spec, dict)
                    else str(spec)
                    for key, spec in local.items()
                }
            )
        if "SecretString" in properties:
            return str(properties["SecretString"])
        generate = properties.get("GenerateSecretString") or {}
        password = _generate_password(generate)
        if generate.get("SecretStringTemplate") and generate.get("GenerateStringKey"):
            document = json.loads(generate["SecretStringTemplate"])
            document[generate["GenerateStringKey"]] = password
            return json.dumps(document)
        return password

    def _parameter(self, resource: Resource) -> None:
        properties = self.resolver.properties(resource)
        name = self.resolver.physical_name(resource)
        self.client_for("ssm").put_parameter(
            Name=name, Value=str(properties["Value"]), Type=properties.get("Type", "String"), Overwrite=True
        )
        self.resolver.record(resource.logical_id, "Ref", name)

    # -- EventBridge ----------------------------------------------------------------------

    def _event_bus(self, resource: Resource) -> None:
        name = self.resolver.physical_name(resource)
        arn = self.client_for("events").create_event_bus(Name=name)["EventBusArn"]
        self.resolver.record(resource.logical_id, "Ref", name)
        self.resolver.record(resource.logical_id, "Name", name)
        self.resolver.record(resource.logical_id, "Arn", arn)

    def _event_rule(self, resource: Resource) -> None:
        if "EventPattern" not in resource.properties:
            return  # a schedule: run by infra.local.schedules
        properties = self.resolver.properties(resource)
        name = self.resolver.physical_name(resource)
        bus = str(properties.get("EventBusName") or "default")
        state = str(properties.get("State", "ENABLED")).upper()
        pattern = properties["EventPattern"]
        events = self.client_for("events")
        arn = events.put_rule(
            Name=name,
            EventBusName=bus,
            EventPattern=pattern if isinstance(pattern, str) else json.dumps(pattern),
            State=state,
        )["RuleArn"]
        self.resolver.record(resource.logical_id, "Arn", arn)
        targets = [
            {"Id": str(target["Id"]), "Arn": str(target["Arn"])}
            for target in properties.get("Targets") or []
            if str(target["Arn"]).split(":")[2] == "sqs"
        ]
        skipped = len(properties.get("Targets") or []) - len(targets)
        if skipped:
            _LOG.info("rule=%s: %d target(s) other than SQS queues are not delivered locally", name, skipped)
        if state != "ENABLED":
            _LOG.info("rule=%s is %s: its targets receive nothing", name, state)
            return
        if targets:
            events.put_targets(Rule=name, EventBusName=bus, Targets=targets)


def _throughput(node: Mapping[str, Any]) -> dict[str, int]:
    throughput = node.get("ProvisionedThroughput") or {}
    return {
        "ReadCapacityUnits": int(throughput.get("ReadCapacityUnits", 5)),
        "WriteCapacityUnits": int(throughput.get("WriteCapacityUnits", 5)),
    }


def _index(index: Mapping[str, Any], billing_mode: str) -> dict[str, Any]:
    request = {key: index[key] for key in ("IndexName", "KeySchema", "Projection") if key in index}
    if billing_mode == "PROVISIONED":
        request["ProvisionedThroughput"] = _throughput(index)
    return request


def _generate_password(spec: Mapping[str, Any]) -> str:
    alphabet = ""
    if not spec.get("ExcludeLowercase"):
        alphabet += string.ascii_lowercase
    if not spec.get("ExcludeUppercase"):
        alphabet += string.ascii_uppercase
    if not spec.get("ExcludeNumbers"):
        alphabet += string.digits
    if not spec.get("ExcludePunctuation"):
        alphabet += "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
    if spec.get("IncludeSpace"):
        alphabet += " "
    excluded = set(spec.get("ExcludeCharacters", ""))
    alphabet = (
        "".join(character for character in alphabet if character not in excluded) or string.ascii_letters
    )
    length = int(spec.get("PasswordLength", 32))
    return "".join(secrets.choice(alphabet) for _ in range(length))
