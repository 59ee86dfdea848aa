"""The template reader resolves the intrinsics CDK emits to local physical values."""

from __future__ import annotations

import pytest

from infra.local.template import NO_VALUE, Resolver, Template, TemplateError

TEMPLATE = {
    "Parameters": {
        "BootstrapVersion": {"Type": "AWS::SSM::Parameter::Value<String>", "Default": "/cdk/version"}
    },
    "Conditions": {"IsUsEast1": {"Fn::Equals": [{"Ref": "AWS::Region"}, "us-east-1"]}},
    "Mappings": {"Sizes": {"small": {"memory": 128}}},
    "Resources": {
        "Dlq": {"Type": "AWS::SQS::Queue", "Properties": {}},
        "Queue": {
            "Type": "AWS::SQS::Queue",
            "Properties": {
                "RedrivePolicy": {"deadLetterTargetArn": {"Fn::GetAtt": ["Dlq", "Arn"]}, "maxReceiveCount": 3}
            },
        },
        "Fifo": {"Type": "AWS::SQS::Queue", "Properties": {"FifoQueue": True}},
        "Table": {"Type": "AWS::DynamoDB::Table", "Properties": {"TableName": "orders"}},
        "Topic": {"Type": "AWS::SNS::Topic", "Properties": {}},
        "Fn": {"Type": "AWS::Lambda::Function", "Properties": {"FunctionName": "create-order"}},
        "Role": {"Type": "AWS::IAM::Role", "Properties": {}},
        "Optional": {"Type": "AWS::SNS::Topic", "Condition": "IsUsEast1", "Properties": {}},
    },
}


@pytest.fixture
def resolver() -> Resolver:
    return Resolver(Template(TEMPLATE), endpoint="http://127.0.0.1:5000", api_url="http://127.0.0.1:3000")


def test_ref_and_get_att_give_local_physical_values(resolver: Resolver) -> None:
    assert resolver.resolve({"Ref": "Table"}) == "orders"
    assert (
        resolver.resolve({"Fn::GetAtt": ["Table", "Arn"]})
        == "arn:aws:dynamodb:us-east-1:123456789012:table/orders"
    )
    assert resolver.resolve({"Ref": "Queue"}) == "http://127.0.0.1:5000/123456789012/Queue"
    assert resolver.resolve({"Fn::GetAtt": "Queue.Arn"}) == "arn:aws:sqs:us-east-1:123456789012:Queue"
    assert resolver.resolve({"Ref": "Fifo"}).endswith("/Fifo.fifo")
    assert resolver.resolve({"Ref": "Topic"}) == "arn:aws:sns:us-east-1:123456789012:Topic"
    assert resolver.resolve({"Ref": "Fn"}) == "create-order"
    assert (
        resolver.resolve({"Fn::GetAtt": ["Fn", "Arn"]})
        == "arn:aws:lambda:us-east-1:123456789012:function:create-order"
    )
    assert resolver.resolve({"Ref": "BootstrapVersion"}) == "/cdk/version"


def test_recorded_values_win_over_computed_defaults(resolver: Resolver) -> None:
    resolver.record("Table", "StreamArn", "arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2024")
    assert resolver.resolve({"Fn::GetAtt": ["Table", "StreamArn"]}).endswith("/stream/2024")


def test_join_sub_select_split_if_and_find_in_map(resolver: Resolver) -> None:
    assert resolver.resolve({"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":x"]]}) == "arn:aws:x"
    assert (
        resolver.resolve(
            {"Fn::Sub": "cdk-${AWS::AccountId}-${AWS::Region} ${Table} ${Table.Arn} ${!Literal}"}
        )
        == "cdk-123456789012-us-east-1 orders arn:aws:dynamodb:us-east-1:123456789012:table/orders ${Literal}"
    )
    assert resolver.resolve({"Fn::Sub": ["${Name}-x", {"Name": {"Ref": "Table"}}]}) == "orders-x"
    assert resolver.resolve({"Fn::Select": [1, {"Fn::Split": [",", "a,b,c"]}]}) == "b"
    assert resolver.resolve({"Fn::If": ["IsUsEast1", "yes", "no"]}) == "yes"
    assert resolver.resolve({"Fn::FindInMap": ["Sizes", "small", "memory"]}) == 128
    assert resolver.resolve({"a": {"Ref": "AWS::NoValue"}, "b": 1}) == {"b": 1}
    assert resolver.resolve({"Ref": "AWS::NoValue"}) is NO_VALUE


def test_unsupported_intrinsic_is_an_error(resolver: Resolver) -> None:
    with pytest.raises(TemplateError):
        resolver.resolve({"Fn::ImportValue": "SharedVpc"})


def test_resources_come_after_what_they_reference() -> None:
    order = [resource.logical_id for resource in Template(TEMPLATE).ordered()]
    assert order.index("Dlq") < order.index("Queue")


def test_conditional_resources_follow_their_condition(resolver: Resolver) -> None:
    assert "Optional" in [resource.logical_id for resource in resolver.active()]
