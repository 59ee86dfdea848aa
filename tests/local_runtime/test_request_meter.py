"""The local moto server's meter: write units as DynamoDB bills them, and requests by action.

Expected figures are worked out by hand from the documented rules (see infra/local/write_units.py):
one write unit per started KB of the larger of the old and new item, two per KB in a transaction,
index writes for each index whose entry changes (a changed index key is a delete plus a put)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from infra.local.moto_process import MotoServer, local_client
from infra.local.write_units import item_size, number_size, units_for

pytestmark = pytest.mark.xdist_group("local_runtime_moto")


@pytest.fixture(scope="module")
def moto() -> Iterator[MotoServer]:
    with MotoServer() as server:
        yield server


@pytest.fixture
def table(moto: MotoServer) -> str:
    """A table keyed by pk/sk with one index on gsi1pk/gsi1sk (projection ALL), meter at zero."""
    name = f"metered-{uuid.uuid4().hex[:8]}"
    local_client("dynamodb", moto.endpoint).create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": name_, "AttributeType": "S"} for name_ in ("pk", "sk", "gsi1pk", "gsi1sk")
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "gsi1",
                "KeySchema": [
                    {"AttributeName": "gsi1pk", "KeyType": "HASH"},
                    {"AttributeName": "gsi1sk", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    moto.reset_meter()
    return name


def _dynamodb(moto: MotoServer) -> Any:
    return local_client("dynamodb", moto.endpoint)


def test_sizes_follow_the_documented_rules() -> None:
    # "pk" (2) + "ORDER#1" (7); "n" (1) + 12.5 -> 3 significant digits = 2 bytes + 1
    assert item_size({"pk": {"S": "ORDER#1"}, "n": {"N": "12.5"}}) == 2 + 7 + 1 + 3
    assert number_size("-0.00120") == 2  # significant digits "12"
    # a map: 3 bytes + per element (1 + name + value); a list: 3 + per element (1 + value)
    assert item_size({"m": {"M": {"a": {"S": "xy"}}}, "l": {"L": [{"BOOL": True}]}}) == (
        1 + 3 + 1 + 1 + 2
    ) + (1 + 3 + 1 + 1)
    assert [units_for(size) for size in (0, 1, 1024, 1025, 2048)] == [1, 1, 1, 2, 2]


def test_a_put_of_one_and_a_half_kilobytes_costs_two_units(moto: MotoServer, table: str) -> None:
    # Given an item of 1,536 bytes: pk (2 + 1) + sk (2 + 1) + "payload" (7) + value
    payload = "x" * (1536 - 13)
    item = {"pk": {"S": "a"}, "sk": {"S": "b"}, "payload": {"S": payload}}
    assert item_size(item) == 1536
    # When it is put
    _dynamodb(moto).put_item(TableName=table, Item=item)
    # Then it cost 2 units on the table, nothing on the index (no gsi1 keys), in partition "a"
    meter = moto.meter()
    assert meter["write_units"] == {table: 2}
    assert meter["partitions"] == [{"target": table, "key": "a", "units": 2}]
    assert meter["requests"]["dynamodb.PutItem"] == 1


def test_a_transaction_of_two_small_items_costs_four_units(moto: MotoServer, table: str) -> None:
    _dynamodb(moto).transact_write_items(
        TransactItems=[
            {"Put": {"TableName": table, "Item": {"pk": {"S": "t1"}, "sk": {"S": "x"}}}},
            {
                "Update": {
                    "TableName": table,
                    "Key": {"pk": {"S": "t2"}, "sk": {"S": "x"}},
                    "UpdateExpression": "SET n = :one",
                    "ExpressionAttributeValues": {":one": {"N": "1"}},
                }
            },
        ]
    )
    assert moto.meter()["write_units"] == {table: 4}


def test_an_update_that_moves_an_index_key_pays_a_delete_and_a_put_there(
    moto: MotoServer, table: str
) -> None:
    # Given an item in the index under STATUS#placed (1 table unit + 1 index unit)
    client = _dynamodb(moto)
    key = {"pk": {"S": "ORDER#1"}, "sk": {"S": "ORDER"}}
    client.put_item(TableName=table, Item={**key, "gsi1pk": {"S": "STATUS#placed"}, "gsi1sk": {"S": "1"}})
    assert moto.meter()["write_units"] == {table: 1, f"{table}/gsi1": 1}
    # When an update changes its index partition key
    client.update_item(
        TableName=table,
        Key=key,
        UpdateExpression="SET gsi1pk = :status",
        ExpressionAttributeValues={":status": {"S": "STATUS#shipped"}},
    )
    # Then the table pays 1 more and the index 2 more: one in each status partition
    meter = moto.meter()
    assert meter["write_units"] == {table: 2, f"{table}/gsi1": 3}
    index_partitions = {p["key"]: p["units"] for p in meter["partitions"] if p["target"] == f"{table}/gsi1"}
    assert index_partitions == {"STATUS#placed": 2, "STATUS#shipped": 1}
    # And an update of another attribute, projected into the index (ALL), costs one index write
    client.update_item(
        TableName=table,
        Key=key,
        UpdateExpression="SET note = :n",
        ExpressionAttributeValues={":n": {"S": "hi"}},
    )
    assert moto.meter()["write_units"] == {table: 3, f"{table}/gsi1": 4}


def test_a_failed_condition_is_billed_and_a_cancelled_transaction_twice(moto: MotoServer, table: str) -> None:
    client = _dynamodb(moto)
    client.put_item(TableName=table, Item={"pk": {"S": "c"}, "sk": {"S": "1"}})
    with pytest.raises(ClientError):
        client.put_item(
            TableName=table,
            Item={"pk": {"S": "c"}, "sk": {"S": "1"}},
            ConditionExpression="attribute_not_exists(pk)",
        )
    assert moto.meter()["write_units"] == {table: 2}
    with pytest.raises(ClientError):
        client.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": table, "Item": {"pk": {"S": "d"}, "sk": {"S": "1"}}}},
                {
                    "ConditionCheck": {
                        "TableName": table,
                        "Key": {"pk": {"S": "missing"}, "sk": {"S": "1"}},
                        "ConditionExpression": "attribute_exists(pk)",
                    }
                },
            ]
        )
    meter = moto.meter()
    assert meter["write_units"] == {table: 2 + 4}
    assert meter["writes"] == {"PutItem": 1, "PutItem failed": 1, "TransactWriteItems failed": 2}


def test_sqs_requests_are_counted_by_action_and_empty_polls_apart(moto: MotoServer) -> None:
    sqs = local_client("sqs", moto.endpoint)
    url = sqs.create_queue(QueueName=f"metered-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    moto.reset_meter()
    sqs.send_message(QueueUrl=url, MessageBody="one")
    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=received[0]["ReceiptHandle"])
    sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0)
    requests = moto.meter()["requests"]
    assert requests == {
        "sqs.SendMessage": 1,
        "sqs.ReceiveMessage": 1,
        "sqs.DeleteMessage": 1,
        "sqs.ReceiveMessage (empty)": 1,
    }


def test_ses_v1_and_v2_sends_are_both_counted_as_send_email(moto: MotoServer) -> None:
    """SES v2 is a REST API (POST /v2/email/outbound-emails): named from botocore's model."""
    sender = "orders@example.com"
    local_client("ses", moto.endpoint).verify_email_identity(EmailAddress=sender)
    moto.reset_meter()
    simple = {"Subject": {"Data": "Shipped"}, "Body": {"Text": {"Data": "On its way"}}}

    local_client("ses", moto.endpoint).send_email(
        Source=sender,
        Destination={"ToAddresses": ["li.wei@example.com"]},
        Message=simple,
    )
    local_client("sesv2", moto.endpoint).send_email(
        FromEmailAddress=sender,
        Destination={"ToAddresses": ["li.wei@example.com"]},
        Content={"Simple": simple},
    )

    assert moto.meter()["requests"] == {"ses.SendEmail": 2}
