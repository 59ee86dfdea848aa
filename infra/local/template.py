"""Read a synthesized CloudFormation template and resolve it to local physical values.

The local runtime never restates infrastructure in Python: every name, batch size, timeout and
environment variable comes from the template CDK synthesizes. This module is the only place that
understands CloudFormation: it loads the JSON, orders resources by their references, and resolves
the intrinsic functions CDK emits (``Ref``, ``Fn::GetAtt``, ``Fn::Join``, ``Fn::Sub``,
``Fn::Select``, ``Fn::Split``, ``Fn::If`` with ``Conditions``, ``Fn::FindInMap``, ``Fn::Base64``,
``Fn::GetAZs``) to the values resources have in the local moto server.

Local physical names: a resource keeps the name the template gives it (``TableName``,
``QueueName``, ``TopicName``, ``FunctionName``, secret ``Name``); without one, its logical id is
its name. ARNs use region ``us-east-1`` and account ``123456789012``, which is what moto uses.
Values moto alone knows (a table's stream ARN, a secret's ARN suffix) are recorded by the
provisioner with :meth:`Resolver.record` and win over the computed defaults.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REGION = "us-east-1"
ACCOUNT_ID = "123456789012"
PARTITION = "aws"
# moto accepts any credentials; these dummies keep real ones from ever reaching the local stack.
LOCAL_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


class TemplateError(ValueError):
    """The template uses something the local runtime cannot resolve."""


class _NoValue:
    """``AWS::NoValue``: the property is removed from its parent."""

    def __repr__(self) -> str:
        return "AWS::NoValue"


NO_VALUE = _NoValue()


@dataclass(frozen=True)
class Resource:
    logical_id: str
    type: str
    properties: Mapping[str, Any]
    metadata: Mapping[str, Any]
    condition: str | None = None


class Template:
    """A parsed CloudFormation template: resources by logical id, parameters, conditions."""

    def __init__(self, document: Mapping[str, Any], name: str = "Ordertrack") -> None:
        self.document = document
        self.name = name
        self.resources: dict[str, Resource] = {
            logical_id: Resource(
                logical_id=logical_id,
                type=body["Type"],
                properties=body.get("Properties", {}) or {},
                metadata=body.get("Metadata", {}) or {},
                condition=body.get("Condition"),
            )
            for logical_id, body in (document.get("Resources") or {}).items()
        }
        self.parameters: Mapping[str, Any] = document.get("Parameters") or {}
        self.conditions: Mapping[str, Any] = document.get("Conditions") or {}
        self.mappings: Mapping[str, Any] = document.get("Mappings") or {}

    @classmethod
    def load(cls, path: str | Path) -> Template:
        path = Path(path)
        name = path.name.removesuffix(".template.json").removesuffix(".json")
        return cls(json.loads(path.read_text()), name=name)

    def of_type(self, *types: str) -> list[Resource]:
        return [resource for resource in self.ordered() if resource.type in types]

    def ordered(self) -> list[Resource]:
        """Resources in dependency order: a resource comes after everything it references."""
        order: list[Resource] = []
        state: dict[str, int] = {}

        def visit(logical_id: str) -> None:
            if state.get(logical_id) == 2:
                return
            if state.get(logical_id) == 1:
                return  # a cycle (e.g. role <-> policy); CloudFormation would reject real ones
            state[logical_id] = 1
            body = self.document["Resources"][logical_id]
            for dependency in sorted(references(body) & self.resources.keys()):
                visit(dependency)
            state[logical_id] = 2
            order.append(self.resources[logical_id])

        for logical_id in self.resources:
            visit(logical_id)
        return order


def references(node: Any) -> set[str]:
    """Logical ids a template node points at (Ref, GetAtt, Sub variables, DependsOn)."""
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" and isinstance(value, str):
                found.add(value)
            elif key == "Fn::GetAtt":
                target = value.split(".", 1)[0] if isinstance(value, str) else value[0]
                found.add(target)
            elif key == "Fn::Sub":
                text = value if isinstance(value, str) else value[0]
                found.update(match.split(".", 1)[0] for match in _SUB_VARIABLE.findall(text))
                found |= references(value)
            elif key == "DependsOn":
                found.update([value] if isinstance(value, str) else value)
            else:
                found |= references(value)
    elif isinstance(node, list):
        for value in node:
            found |= references(value)
    return found


_SUB_VARIABLE = re.compile(r"\$\{(?!!)([^}]+)\}")


class Resolver:
    """Resolves template values to local physical values.

    ``endpoint`` is the moto server URL (queue URLs live there); ``api_url`` is the local HTTP
    API URL (``Fn::GetAtt [Api, ApiEndpoint]``).
    """

    def __init__(self, template: Template, endpoint: str = "http://127.0.0.1", api_url: str = "") -> None:
        self.template = template
        self.endpoint = endpoint.rstrip("/")
        self.api_url = api_url.rstrip("/")
        self._recorded: dict[tuple[str, str], Any] = {}

    def record(self, logical_id: str, attribute: str, value: Any) -> None:
        """Record a value only the local service knows (``attribute`` "Ref" for ``Ref``)."""
        self._recorded[(logical_id, attribute)] = value

    # -- public resolution ---------------------------------------------------------------

    def resolve(self, node: Any) -> Any:
        """Resolve every intrinsic function in ``node``; ``AWS::NoValue`` entries disappear."""
        if isinstance(node, dict):
            if len(node) == 1:
                ((key, value),) = node.items()
                if key == "Ref":
                    return self.ref(value)
                if key == "Condition" and isinstance(value, str) and value in self.template.conditions:
                    return self.condition(value)
                if key.startswith("Fn::"):
                    return self._function(key, value)
            resolved = {key: self.resolve(value) for key, value in node.items()}
            return {key: value for key, value in resolved.items() if value is not NO_VALUE}
        if isinstance(node, list):
            return [item for item in (self.resolve(value) for value in node) if item is not NO_VALUE]
        return node

    def properties(self, resource: Resource) -> dict[str, Any]:
        return self.resolve(dict(resource.properties))

    def ref(self, name: str) -> Any:
        pseudo = {
            "AWS::Region": REGION,
            "AWS::AccountId": ACCOUNT_ID,
            "AWS::Partition": PARTITION,
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::StackName": self.template.name,
            "AWS::StackId": (
                f"arn:aws:cloudformation:{REGION}:{ACCOUNT_ID}:stack/{self.template.name}/local"
            ),
            "AWS::NotificationARNs": [],
            "AWS::NoValue": NO_VALUE,
        }
        if name in pseudo:
            return pseudo[name]
        if name in self.template.parameters:
            parameter = self.template.parameters[name]
            if "Default" not in parameter:
                raise TemplateError(f"parameter {name} has no Default; the local runtime cannot ask for it")
            return parameter["Default"]
        return self.get_att(name, "Ref")

    def get_att(self, logical_id: str, attribute: str) -> Any:
        if (logical_id, attribute) in self._recorded:
            return self._recorded[(logical_id, attribute)]
        resource = self.template.resources.get(logical_id)
        if resource is None:
            raise TemplateError(f"unknown resource {logical_id!r}")
        return self._default_attribute(resource, attribute)

    def condition(self, name: str) -> bool:
        return bool(self._evaluate_condition(self.template.conditions[name]))

    # -- physical names ------------------------------------------------------------------

    def physical_name(self, resource: Resource) -> str:
        """The local name of a named resource: the template's explicit name, else its logical id."""
        name_property = {
            "AWS::DynamoDB::Table": "TableName",
            "AWS::DynamoDB::GlobalTable": "TableName",
            "AWS::SQS::Queue": "QueueName",
            "AWS::SNS::Topic": "TopicName",
            "AWS::Lambda::Function": "FunctionName",
            "AWS::SecretsManager::Secret": "Name",
            "AWS::Events::Rule": "Name",
            "AWS::Events::EventBus": "Name",
            "AWS::Scheduler::Schedule": "Name",
            "AWS::IAM::Role": "RoleName",
            "AWS::SSM::Parameter": "Name",
        }.get(resource.type)
        explicit = resource.properties.get(name_property) if name_property else None
        if explicit is not None:
            return str(self.resolve(explicit))
        fifo = resource.properties.get("FifoQueue") or resource.properties.get("FifoTopic")
        if fifo in (True, "true"):
            return f"{resource.logical_id}.fifo"
        return resource.logical_id

    def _default_attribute(self, resource: Resource, attribute: str) -> Any:
        name = self.physical_name(resource)
        arn_prefix = f"arn:{PARTITION}"
        match resource.type, attribute:
            case (("AWS::DynamoDB::Table" | "AWS::DynamoDB::GlobalTable"), "Ref"):
                return name
            case (("AWS::DynamoDB::Table" | "AWS::DynamoDB::GlobalTable"), "Arn"):
                return f"{arn_prefix}:dynamodb:{REGION}:{ACCOUNT_ID}:table/{name}"
            case (("AWS::DynamoDB::Table" | "AWS::DynamoDB::GlobalTable"), "StreamArn"):
                return f"{arn_prefix}:dynamodb:{REGION}:{ACCOUNT_ID}:table/{name}/stream/local"
            case "AWS::SQS::Queue", ("Ref" | "QueueUrl"):
                return f"{self.endpoint}/{ACCOUNT_ID}/{name}"
            case "AWS::SQS::Queue", "Arn":
                return f"{arn_prefix}:sqs:{REGION}:{ACCOUNT_ID}:{name}"
            case "AWS::SQS::Queue", "QueueName":
                return name
            case "AWS::SNS::Topic", ("Ref" | "TopicArn"):
                return f"{arn_prefix}:sns:{REGION}:{ACCOUNT_ID}:{name}"
            case "AWS::SNS::Topic", "TopicName":
                return name
            case "AWS::Lambda::Function", "Ref":
                return name
            case "AWS::Lambda::Function", "Arn":
                return f"{arn_prefix}:lambda:{REGION}:{ACCOUNT_ID}:function:{name}"
            case "AWS::SecretsManager::Secret", ("Ref" | "Id"):
                return f"{arn_prefix}:secretsmanager:{REGION}:{ACCOUNT_ID}:secret:{name}"
            case "AWS::IAM::Role", "Ref":
                return name
            case "AWS::IAM::Role", "Arn":
                return f"{arn_prefix}:iam::{ACCOUNT_ID}:role/{name}"
            case "AWS::ApiGatewayV2::Api", "Ref" | "ApiId":
                return _api_id(resource.logical_id)
            case "AWS::ApiGatewayV2::Api", "ApiEndpoint":
                return self.api_url
            case "AWS::SES::EmailIdentity", "Ref":
                return self.resolve(resource.properties.get("EmailIdentity", name))
            case "AWS::Events::EventBus", ("Ref" | "Name"):
                return name
            case "AWS::Events::EventBus", "Arn":
                return f"{arn_prefix}:events:{REGION}:{ACCOUNT_ID}:event-bus/{name}"
            case "AWS::Events::Rule", "Arn":
                return f"{arn_prefix}:events:{REGION}:{ACCOUNT_ID}:rule/{name}"
            case "AWS::Scheduler::Schedule", "Arn":
                return f"{arn_prefix}:scheduler:{REGION}:{ACCOUNT_ID}:schedule/default/{name}"
            case "AWS::KMS::Key", "Arn":
                return f"{arn_prefix}:kms:{REGION}:{ACCOUNT_ID}:key/{resource.logical_id}"
            case _, "Ref":
                return resource.logical_id
            case _:
                return f"{arn_prefix}:local:{REGION}:{ACCOUNT_ID}:{resource.logical_id}/{attribute}"

    # -- intrinsic functions -------------------------------------------------------------

    def _function(self, key: str, value: Any) -> Any:
        match key:
            case "Fn::GetAtt":
                logical_id, attribute = value.split(".", 1) if isinstance(value, str) else value
                return self.get_att(logical_id, self.resolve(attribute))
            case "Fn::Join":
                delimiter, parts = value
                return delimiter.join(str(part) for part in self.resolve(parts))
            case "Fn::Sub":
                return self._sub(value)
            case "Fn::Select":
                index, items = self.resolve(value)
                return items[int(index)]
            case "Fn::Split":
                delimiter, text = self.resolve(value)
                return text.split(delimiter)
            case "Fn::If":
                name, when_true, when_false = value
                return self.resolve(when_true if self.condition(name) else when_false)
            case "Fn::Equals" | "Fn::Not" | "Fn::And" | "Fn::Or":
                return self._evaluate_condition({key: value})
            case "Fn::FindInMap":
                mapping, top, second = self.resolve(value)
                return self.template.mappings[mapping][top][second]
            case "Fn::Base64":
                return base64.b64encode(str(self.resolve(value)).encode()).decode()
            case "Fn::GetAZs":
                return [f"{REGION}{zone}" for zone in "abcdef"]
            case "Fn::ToJsonString":
                return json.dumps(self.resolve(value), separators=(",", ":"))
        raise TemplateError(f"{key} is not supported by the local runtime")

    def _sub(self, value: Any) -> str:
        text, variables = (value, {}) if isinstance(value, str) else (value[0], self.resolve(value[1]))

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in variables:
                return str(variables[name])
            if "." in name and not name.startswith("AWS::"):
                logical_id, attribute = name.split(".", 1)
                return str(self.get_att(logical_id, attribute))
            return str(self.ref(name))

        return re.sub(r"\$\{([^}]+)\}", replace, text)

    def _evaluate_condition(self, node: Any) -> Any:
        if isinstance(node, dict) and len(node) == 1:
            ((key, value),) = node.items()
            if key == "Condition":
                return self.condition(value)
            if key == "Fn::Equals":
                left, right = (self._evaluate_condition(item) for item in value)
                return left == right
            if key == "Fn::Not":
                return not self._evaluate_condition(value[0])
            if key == "Fn::And":
                return all(self._evaluate_condition(item) for item in value)
            if key == "Fn::Or":
                return any(self._evaluate_condition(item) for item in value)
        return self.resolve(node)

    def active(self) -> Iterator[Resource]:
        """Resources whose ``Condition`` holds, in dependency order."""
        for resource in self.template.ordered():
            if resource.condition is None or self.condition(resource.condition):
                yield resource


def as_string(value: Any) -> str:
    """A resolved property value as the string an AWS attribute or environment variable holds."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)


def _api_id(logical_id: str) -> str:
    return re.sub(r"[^a-z0-9]", "", logical_id.lower())[:10] or "localapi"
