"""The patched local moto server: linearizable transactions whose cost does not grow with the table."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from infra.local.measure import create_scratch_table, transaction_cost
from infra.local.moto_process import MotoServer, local_client

pytestmark = pytest.mark.xdist_group("local_runtime_moto")


@pytest.fixture(scope="module")
def moto() -> Iterator[MotoServer]:
    with MotoServer() as server:
        yield server


def _client(moto: MotoServer, service: str) -> Any:
    return local_client(service, moto.endpoint, max_pool_connections=50)


def _decrement(table: str, marker: str) -> list[dict[str, Any]]:
    return [
        {
            "Update": {
                "TableName": table,
                "Key": {"pk": {"S": "counter"}},
                "UpdateExpression": "SET n = n - :one",
                "ConditionExpression": "n > :zero",
                "ExpressionAttributeValues": {":one": {"N": "1"}, ":zero": {"N": "0"}},
            }
        },
        {"Put": {"TableName": table, "Item": {"pk": {"S": marker}}}},
    ]


def test_concurrent_conditional_transactions_never_oversell(moto: MotoServer) -> None:
    # Given a counter of 50
    client = _client(moto, "dynamodb")
    create_scratch_table(client, "stock")
    client.put_item(TableName="stock", Item={"pk": {"S": "counter"}, "n": {"N": "50"}})
    successes: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(40)

    def buyer(index: int) -> None:
        own = _client(moto, "dynamodb")
        start.wait()
        for attempt in range(3):
            marker = f"sale-{index}-{attempt}"
            try:
                own.transact_write_items(TransactItems=_decrement("stock", marker))
            except own.exceptions.TransactionCanceledException:
                continue
            with lock:
                successes.append(marker)

    # When 40 threads each try 3 conditional decrements at once (120 attempts)
    threads = [threading.Thread(target=buyer, args=(index,)) for index in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Then exactly 50 succeed, the counter is 0, and only successful transactions left items
    assert len(successes) == 50
    assert client.get_item(TableName="stock", Key={"pk": {"S": "counter"}})["Item"]["n"] == {"N": "0"}
    sales = client.scan(
        TableName="stock",
        FilterExpression="begins_with(pk, :p)",
        ExpressionAttributeValues={":p": {"S": "sale-"}},
    )
    assert sorted(item["pk"]["S"] for item in sales["Items"]) == sorted(successes)


def test_cancelled_transaction_leaves_no_items_and_no_stream_records(moto: MotoServer) -> None:
    client = _client(moto, "dynamodb")
    create_scratch_table(client, "rollback")
    client.put_item(TableName="rollback", Item={"pk": {"S": "counter"}, "n": {"N": "0"}})
    client.put_item(TableName="rollback", Item={"pk": {"S": "kept"}, "v": {"S": "before"}})
    with pytest.raises(client.exceptions.TransactionCanceledException):
        client.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": "rollback", "Item": {"pk": {"S": "kept"}, "v": {"S": "after"}}}},
                {"Put": {"TableName": "rollback", "Item": {"pk": {"S": "new"}}}},
                *_decrement("rollback", "sale")[:1],  # fails: n is 0
            ]
        )
    items = {item["pk"]["S"]: item for item in client.scan(TableName="rollback")["Items"]}
    assert set(items) == {"counter", "kept"}
    assert items["kept"]["v"] == {"S": "before"}
    streams = _client(moto, "dynamodbstreams")
    arn = client.describe_table(TableName="rollback")["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    records = streams.get_records(ShardIterator=iterator["ShardIterator"])["Records"]
    assert [record["eventName"] for record in records] == ["INSERT", "INSERT"]


def test_transaction_cost_does_not_grow_with_the_table(moto: MotoServer) -> None:
    # Ratios within one run, never absolute times
    empty = transaction_cost(moto.endpoint, 0, transactions=30)
    large = transaction_cost(moto.endpoint, 10_000, transactions=30)
    assert large < 3 * empty, f"{large * 1000:.1f} ms at 10,000 items vs {empty * 1000:.1f} ms empty"


def test_ses_v1_and_v2_and_sns_sms_land_in_the_outbox(moto: MotoServer) -> None:
    _client(moto, "ses").verify_email_identity(EmailAddress="shop@example.com")
    _client(moto, "ses").send_email(
        Source="shop@example.com",
        Destination={"ToAddresses": ["a@example.com"]},
        Message={"Subject": {"Data": "v1"}, "Body": {"Text": {"Data": "hello v1"}}},
    )
    _client(moto, "sesv2").send_email(
        FromEmailAddress="shop@example.com",
        Destination={"ToAddresses": ["b@example.com"]},
        Content={"Simple": {"Subject": {"Data": "v2"}, "Body": {"Html": {"Data": "<p>hello v2</p>"}}}},
    )
    _client(moto, "sns").publish(PhoneNumber="+15555550123", Message="sms")
    outbox = moto.outbox()
    assert [(entry["channel"], entry["to"], entry["subject"], entry["body"]) for entry in outbox[:3]] == [
        ("sms", ["+15555550123"], None, "sms"),
        ("email", ["b@example.com"], "v2", "<p>hello v2</p>"),
        ("email", ["a@example.com"], "v1", "hello v1"),
    ]
    assert all(isinstance(entry["timestamp"], float) for entry in outbox)


def test_local_clients_talk_to_the_given_endpoint(moto: MotoServer) -> None:
    assert "TableNames" in local_client("dynamodb", moto.endpoint).list_tables()
