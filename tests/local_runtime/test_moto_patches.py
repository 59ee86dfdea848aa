"""The patched local moto server: linearizable transactions whose cost does not grow with the table,
an outbox, and the SES mailbox simulator publishing to configuration-set event destinations."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from infra.local.measure import create_scratch_table, transaction_cost
from infra.local.moto_process import MotoServer, local_client
from notifications.domain.suppressions import email_feedback_changes
from notifications.models.feedback import EmailFeedback
from tests.factories import load_event

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


# -- the SES mailbox simulator ---------------------------------------------------------------

SENDER = "Shop <shop@example.com>"
ALL_EVENTS = ["send", "delivery", "bounce", "complaint"]


def _feedback_queue(moto: MotoServer) -> tuple[str, str]:
    """A topic delivering raw to a new queue, as EmailFeedback delivers to SuppressionQueue."""
    tag = uuid.uuid4().hex[:8]
    sns, sqs = _client(moto, "sns"), _client(moto, "sqs")
    topic = sns.create_topic(Name=f"feedback-{tag}")["TopicArn"]
    queue = sqs.create_queue(QueueName=f"feedback-{tag}")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sns.subscribe(
        TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"}
    )
    return topic, queue


def _configuration_set(moto: MotoServer, *destinations: tuple[str, bool, list[str]]) -> str:
    """A configuration set with one SNS event destination per (topic, enabled, event types)."""
    ses = _client(moto, "ses")
    ses.verify_email_identity(EmailAddress="shop@example.com")
    name = f"set-{uuid.uuid4().hex[:8]}"
    ses.create_configuration_set(ConfigurationSet={"Name": name})
    for topic, enabled, types in destinations:
        ses.create_configuration_set_event_destination(
            ConfigurationSetName=name,
            EventDestination={
                "Name": f"destination-{uuid.uuid4().hex[:8]}",  # moto wants names unique per region
                "Enabled": enabled,
                "MatchingEventTypes": types,
                "SNSDestination": {"TopicARN": topic},
            },
        )
    return name


def _send(moto: MotoServer, to: list[str], configuration_set: str | None) -> str:
    extra = {"ConfigurationSetName": configuration_set} if configuration_set else {}
    response = _client(moto, "ses").send_email(
        Source=SENDER,
        Destination={"ToAddresses": to},
        Message={"Subject": {"Data": "Your order"}, "Body": {"Text": {"Data": "confirmed"}}},
        **extra,
    )
    return str(response["MessageId"])


def _events(moto: MotoServer, queue: str) -> list[dict[str, Any]]:
    """Every message on the queue (publishing is synchronous: all are there once the send returned)."""
    sqs = _client(moto, "sqs")
    bodies: list[dict[str, Any]] = []
    while messages := sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", []):
        for message in messages:
            bodies.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
    return bodies


def test_the_bounce_simulator_publishes_one_permanent_bounce_in_the_event_publishing_format(
    moto: MotoServer,
) -> None:
    # Given a configuration set whose enabled destination takes bounces and complaints
    topic, queue = _feedback_queue(moto)
    configuration_set = _configuration_set(moto, (topic, True, ["bounce", "complaint"]))
    recipient = f"bounce+{uuid.uuid4().hex[:8]}@simulator.amazonses.com"

    # When a message goes to a labelled bounce address through the set
    message_id = _send(moto, [recipient], configuration_set)

    # Then exactly one event arrives: a permanent bounce naming the recipient as addressed
    [event] = _events(moto, queue)
    sample = load_event("sns/ses_event_bounce_permanent.json")
    assert event.keys() == sample.keys()
    assert event["eventType"] == "Bounce"
    assert event["bounce"].keys() == sample["bounce"].keys()
    assert (event["bounce"]["bounceType"], event["bounce"]["bounceSubType"]) == ("Permanent", "General")
    assert event["bounce"]["bouncedRecipients"] == [
        {
            "emailAddress": recipient,
            "action": "failed",
            "status": "5.1.1",
            "diagnosticCode": "smtp; 550 5.1.1 user unknown",
        }
    ]
    mail = event["mail"]
    assert mail.keys() == sample["mail"].keys()
    assert (mail["messageId"], mail["source"], mail["destination"]) == (message_id, SENDER, [recipient])
    assert mail["sourceArn"].endswith(":identity/shop@example.com")
    assert mail["tags"]["ses:configuration-set"] == [configuration_set]
    assert mail["commonHeaders"]["to"] == [recipient]
    assert mail["commonHeaders"]["subject"] == "Your order"
    # And ApplySuppressions' model reads it as a suppression of that address
    [change] = email_feedback_changes(EmailFeedback.model_validate(event))
    assert (change.address, change.reason) == (recipient, "bounce")
    # And the message is in the outbox as before
    assert any(entry["id"] == message_id and entry["to"] == [recipient] for entry in moto.outbox())


def test_the_complaint_simulator_publishes_one_complaint(moto: MotoServer) -> None:
    topic, queue = _feedback_queue(moto)
    configuration_set = _configuration_set(moto, (topic, True, ["bounce", "complaint"]))

    _send(moto, ["complaint@simulator.amazonses.com"], configuration_set)

    [event] = _events(moto, queue)
    sample = load_event("sns/ses_event_complaint.json")
    assert event["eventType"] == "Complaint"
    assert event.keys() == sample.keys()
    assert event["complaint"].keys() == sample["complaint"].keys()
    assert event["complaint"]["complainedRecipients"] == [
        {"emailAddress": "complaint@simulator.amazonses.com"}
    ]
    assert event["complaint"]["complaintFeedbackType"] == "abuse"
    assert event["mail"]["tags"]["ses:configuration-set"] == [configuration_set]
    [change] = email_feedback_changes(EmailFeedback.model_validate(event))
    assert change.reason == "complaint"


def test_a_normal_address_is_sent_and_delivered_and_never_bounces(moto: MotoServer) -> None:
    topic, queue = _feedback_queue(moto)
    configuration_set = _configuration_set(moto, (topic, True, ALL_EVENTS))

    message_id = _send(moto, ["li.wei@example.com"], configuration_set)

    events = _events(moto, queue)
    assert [event["eventType"] for event in events] == ["Send", "Delivery"]
    assert {event["mail"]["messageId"] for event in events} == {message_id}
    assert events[1]["delivery"]["recipients"] == ["li.wei@example.com"]


def test_only_enabled_destinations_get_only_the_event_types_they_match(moto: MotoServer) -> None:
    # Given one set with an enabled bounce destination, a disabled one for every event type and
    # an enabled one for other types only (moto itself keeps only the last destination of a set)
    bounce_topic, bounce_queue = _feedback_queue(moto)
    disabled_topic, disabled_queue = _feedback_queue(moto)
    other_types_topic, other_types_queue = _feedback_queue(moto)
    configuration_set = _configuration_set(
        moto,
        (bounce_topic, True, ["BOUNCE"]),  # SES v2 spelling
        (disabled_topic, False, ALL_EVENTS),
        (other_types_topic, True, ["open", "click", "renderingFailure"]),
    )

    # When a message bounces through the set, and another bounce is sent without any set
    _send(moto, ["bounce@simulator.amazonses.com"], configuration_set)
    _send(moto, ["bounce@simulator.amazonses.com"], None)

    # Then only the enabled, matching destination hears of it, once
    assert _events(moto, disabled_queue) == []
    assert _events(moto, other_types_queue) == []
    assert [event["eventType"] for event in _events(moto, bounce_queue)] == ["Bounce"]


def test_raw_and_v2_sends_publish_too(moto: MotoServer) -> None:
    topic, queue = _feedback_queue(moto)
    configuration_set = _configuration_set(moto, (topic, True, ["bounce", "complaint"]))

    _client(moto, "ses").send_raw_email(
        RawMessage={
            "Data": b"From: shop@example.com\r\nTo: Alex <complaint+raw@simulator.amazonses.com>\r\n"
            b"Subject: raw\r\n\r\nhello"
        },
        ConfigurationSetName=configuration_set,
    )
    _client(moto, "sesv2").send_email(
        FromEmailAddress="shop@example.com",
        Destination={"ToAddresses": ["suppressionlist@simulator.amazonses.com"]},
        Content={"Simple": {"Subject": {"Data": "v2"}, "Body": {"Text": {"Data": "hello"}}}},
        ConfigurationSetName=configuration_set,
    )

    events = {event["eventType"]: event for event in _events(moto, queue)}
    assert events.keys() == {"Complaint", "Bounce"}
    complaint, bounce = events["Complaint"], events["Bounce"]
    assert complaint["complaint"]["complainedRecipients"] == [
        {"emailAddress": "complaint+raw@simulator.amazonses.com"}
    ]
    assert complaint["mail"]["commonHeaders"]["to"] == ["Alex <complaint+raw@simulator.amazonses.com>"]
    assert (bounce["bounce"]["bounceType"], bounce["bounce"]["bounceSubType"]) == (
        "Permanent",
        "OnSuppressionList",
    )
    assert (
        bounce["bounce"]["bouncedRecipients"][0]["emailAddress"] == "suppressionlist@simulator.amazonses.com"
    )


_EVERY_TYPE = {
    "pk": {"S": "typed"},
    "text": {"S": "快件已签收 ✓"},
    "count": {"N": "12.50"},
    "blob": {"B": b"\x00\x01binary\xff"},
    "flag": {"BOOL": True},
    "nothing": {"NULL": True},
    "tags": {"SS": ["a", "b"]},
    "sizes": {"NS": ["1", "2.5"]},
    "blobs": {"BS": [b"\x01", b"\x02"]},
    "lines": {"L": [{"M": {"sku": {"S": "TEA"}, "quantity": {"N": "2"}, "raw": {"B": b"\x07"}}}, {"S": "x"}]},
    "address": {"M": {"city": {"S": "上海"}, "zip": {"N": "200040"}}},
}


def _item_answers(client: Any, table: str) -> dict[str, Any]:
    """What every item operation answers for the same items, request ids left out."""
    create_scratch_table(client, table)
    answers: dict[str, Any] = {
        "put": client.put_item(TableName=table, Item=_EVERY_TYPE, ReturnValues="ALL_OLD")
    }
    answers["put again"] = client.put_item(TableName=table, Item=_EVERY_TYPE, ReturnValues="ALL_OLD")
    answers["get"] = client.get_item(TableName=table, Key={"pk": {"S": "typed"}}, ConsistentRead=True)
    answers["update"] = client.update_item(
        TableName=table,
        Key={"pk": {"S": "typed"}},
        UpdateExpression="SET #c = #c + :one",
        ExpressionAttributeNames={"#c": "count"},
        ExpressionAttributeValues={":one": {"N": "1"}},
        ReturnValues="ALL_NEW",
    )
    answers["query"] = client.query(
        TableName=table, KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": {"S": "typed"}}
    )
    answers["batch get"] = client.batch_get_item(RequestItems={table: {"Keys": [{"pk": {"S": "typed"}}]}})
    answers["batch get"]["Responses"] = {"T": answers["batch get"]["Responses"][table]}
    answers["scan"] = client.scan(TableName=table)
    answers["transact"] = client.transact_write_items(
        TransactItems=[{"Put": {"TableName": table, "Item": {"pk": {"S": "second"}}}}]
    )
    answers["delete"] = client.delete_item(
        TableName=table, Key={"pk": {"S": "second"}}, ReturnValues="ALL_OLD"
    )
    for answer in answers.values():
        answer.pop("ResponseMetadata", None)
    return answers


def test_item_operations_answer_as_moto_itself_does(
    moto: MotoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server answers item operations with ``json.dumps`` of moto's result (patch 7): boto3
    reads the same answers as from moto's own serializer, every attribute type included."""
    import boto3
    from moto import mock_aws
    from moto.dynamodb.responses import DynamoHandler

    from infra.local.moto_patches import moto_dynamodb_serializer

    # the reference is moto's own serializer, even where the tests' in-process moto is sped up
    monkeypatch.setattr(DynamoHandler, "serialized", moto_dynamodb_serializer())

    table = f"typed-{uuid.uuid4().hex[:6]}"
    served = _item_answers(_client(moto, "dynamodb"), table)
    with mock_aws():
        reference = _item_answers(boto3.client("dynamodb", region_name="us-east-1"), table)
    assert served == reference
    assert served["get"]["Item"]["blob"] == {"B": b"\x00\x01binary\xff"}


def test_stream_records_carry_their_images_and_creation_time(moto: MotoServer) -> None:
    from datetime import datetime

    client = _client(moto, "dynamodb")
    table = f"streamed-{uuid.uuid4().hex[:6]}"
    create_scratch_table(client, table)
    client.put_item(TableName=table, Item=_EVERY_TYPE)
    streams = _client(moto, "dynamodbstreams")
    arn = client.describe_table(TableName=table)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    answer = streams.get_records(ShardIterator=iterator["ShardIterator"])
    [record] = answer["Records"]
    assert record["dynamodb"]["NewImage"] == _EVERY_TYPE
    assert isinstance(record["dynamodb"]["ApproximateCreationDateTime"], datetime)
    assert answer["NextShardIterator"]


def test_the_server_finds_a_hosts_service_once_and_answers_as_before(monkeypatch: pytest.MonkeyPatch) -> None:
    from moto import backends
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    from infra.local import moto_patches

    monkeypatch.setattr(
        DomainDispatcherApplication, "get_backend_for_host", DomainDispatcherApplication.get_backend_for_host
    )
    listed: list[int] = []
    original_list = backends.list_of_moto_modules

    def counting_list() -> Any:
        listed.append(1)
        return original_list()

    monkeypatch.setattr(backends, "list_of_moto_modules", counting_list)
    app = DomainDispatcherApplication(create_app=lambda backend: backend)
    hosts = ["dynamodb.us-east-1.amazonaws.com", "sqs.us-east-1.amazonaws.com", "sns.eu-west-1.amazonaws.com"]
    before = [app.get_backend_for_host(host) for host in hosts]
    assert len(listed) == len(hosts)  # stock moto lists its package on every call

    moto_patches._remember_backends_by_host()
    listed.clear()
    after = [app.get_backend_for_host(host) for host in hosts * 3]
    assert after == before * 3 and before == ["dynamodb", "sqs", "sns"]
    assert len(listed) == len(hosts)  # once per host, then from the memo


def _query_answers(client: Any, table: str) -> list[Any]:
    """Queries of every shape, paged, on a table with a keys-only and an all-attributes index."""
    keys = ["pk", "sk", "g1pk", "g1sk", "g2pk"]
    client.create_table(
        TableName=table,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"} for key in keys],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "gi1",
                "KeySchema": [
                    {"AttributeName": "g1pk", "KeyType": "HASH"},
                    {"AttributeName": "g1sk", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            },
            {
                "IndexName": "gi2",
                "KeySchema": [{"AttributeName": "g2pk", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            },
        ],
    )
    for n in range(60):
        item = {"pk": {"S": f"P#{n % 4}"}, "sk": {"S": f"S#{n:03d}"}, "n": {"N": str(n)}}
        if n % 3:
            item.update(g1pk={"S": f"G#{n % 2}"}, g1sk={"S": f"{n % 5}#{n:03d}"})
        if n % 4 == 1:
            item["g2pk"] = {"S": "ACTIVE"}
        client.put_item(TableName=table, Item=item)
    shapes: list[dict[str, Any]] = [
        {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "P#1"}}},
        {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "P#9"}}},
        {
            "KeyConditionExpression": "pk = :p AND sk BETWEEN :a AND :b",
            "ExpressionAttributeValues": {":p": {"S": "P#2"}, ":a": {"S": "S#010"}, ":b": {"S": "S#040"}},
            "ScanIndexForward": False,
        },
        {
            "KeyConditionExpression": "pk = :p",
            "FilterExpression": "n > :n",
            "ExpressionAttributeValues": {":p": {"S": "P#3"}, ":n": {"N": "20"}},
        },
        {
            "IndexName": "gi1",
            "KeyConditionExpression": "g1pk = :p AND begins_with(g1sk, :b)",
            "ExpressionAttributeValues": {":p": {"S": "G#1"}, ":b": {"S": "2#"}},
        },
        {
            "IndexName": "gi1",
            "KeyConditionExpression": "g1pk = :p",
            "ExpressionAttributeValues": {":p": {"S": "G#0"}},
        },
        {
            "IndexName": "gi1",
            "KeyConditionExpression": "g1pk = :p",
            "ExpressionAttributeValues": {":p": {"S": "G#0"}},
            "Select": "COUNT",
        },
        {
            "IndexName": "gi2",
            "KeyConditionExpression": "g2pk = :p",
            "ExpressionAttributeValues": {":p": {"S": "ACTIVE"}},
            "ProjectionExpression": "n",
            "ScanIndexForward": False,
        },
    ]
    answers = []
    for phase in ("before", "after"):
        if phase == "after":  # writes between two reads of the same indexes: none is read stale
            client.delete_item(TableName=table, Key={"pk": {"S": "P#1"}, "sk": {"S": "S#005"}})
            client.update_item(
                TableName=table,
                Key={"pk": {"S": "P#0"}, "sk": {"S": "S#004"}},
                UpdateExpression="SET g1pk = :p, g1sk = :s, g2pk = :a",
                ExpressionAttributeValues={":p": {"S": "G#0"}, ":s": {"S": "0#x"}, ":a": {"S": "ACTIVE"}},
            )
            client.put_item(
                TableName=table,
                Item={"pk": {"S": "P#1"}, "sk": {"S": "S#999"}, "g1pk": {"S": "G#1"}, "g1sk": {"S": "2#z"}},
            )
        for shape in shapes:
            request = {"TableName": table, "Limit": 4, **shape}
            while True:
                answer = client.query(**request)
                answer.pop("ResponseMetadata", None)
                answers.append(answer)
                if "LastEvaluatedKey" not in answer:
                    break
                request["ExclusiveStartKey"] = answer["LastEvaluatedKey"]
    return answers


def test_queries_answer_as_moto_itself_does(moto: MotoServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """A Query reads only its partition or unsorted items (patch 10): the same items, order, counts
    and pages as stock moto, for base-table and index queries."""
    import boto3
    from moto import mock_aws
    from moto.dynamodb.responses import DynamoHandler

    from infra.local.moto_patches import moto_dynamodb_serializer

    monkeypatch.setattr(DynamoHandler, "serialized", moto_dynamodb_serializer())
    table = f"queries-{uuid.uuid4().hex[:6]}"
    served = _query_answers(_client(moto, "dynamodb"), table)
    with mock_aws():
        reference = _query_answers(boto3.client("dynamodb", region_name="us-east-1"), table)
    assert served == reference
    assert len(served) > 20 and any(answer.get("Count") == 0 for answer in served)


def test_a_projection_converting_only_named_attributes_answers_as_moto_itself_does() -> None:
    """Patch 11: `projected_item` gives what moto's own `Item.project` gives, path for path."""
    from moto.dynamodb.models.dynamo_type import DynamoType, Item

    from infra.local.moto_patches import projected_item

    original = getattr(Item.project, "ordertrack_original", Item.project)
    attributes = {
        "pk": {"S": "ORDER#1"},
        "sk": {"S": "ORDER"},
        "gsi2pk": {"S": "STATUS#on_hold#3"},
        "status": {"S": "on_hold"},
        "total": {"N": "12.50"},
        "timeline": {
            "L": [
                {"M": {"status": {"S": "received"}, "by": {"S": "api"}}},
                {"M": {"status": {"S": "on_hold"}}},
            ]
        },
        "customer": {
            "M": {"id": {"S": "c-1"}, "address": {"M": {"city": {"S": "上海"}, "lines": {"L": [{"S": "1"}]}}}}
        },
        "tags": {"SS": ["a", "b"]},
        "blob": {"B": b"\x00\x01"},
        "flag": {"BOOL": True},
        "nothing": {"NULL": True},
    }
    item = Item(DynamoType(attributes["pk"]), DynamoType(attributes["sk"]), attributes)
    paths = [
        [["pk"], ["sk"], ["gsi2pk"]],
        [["status"], ["missing"]],
        [["timeline[1]"]],
        [["timeline[0]", "by"], ["timeline[5]"]],
        [["customer", "address", "city"], ["customer", "id"]],
        [["customer"], ["customer", "address", "lines[0]"]],
        [["customer", "address", "lines[0]"], ["customer"]],
        [["tags"], ["blob"], ["flag"], ["nothing"], ["total"]],
        [["missing", "deeper"]],
    ]
    for projection in paths:
        assert projected_item(item, projection).to_json() == original(item, projection).to_json(), projection


def test_a_full_collection_freezes_its_survivors_so_the_next_walks_only_new_objects() -> None:
    """Patch 12: after a generation-2 collection the surviving objects are frozen (`gc.freeze`)."""
    import gc

    from infra.local.moto_patches import _freeze_survivors_of_full_collections

    before = list(gc.callbacks)
    gc.unfreeze()
    try:
        _freeze_survivors_of_full_collections()
        _freeze_survivors_of_full_collections()  # once only
        assert len(gc.callbacks) == len(before) + 1
        survivor = [{"order": n} for n in range(1000)]
        gc.collect(1)
        assert gc.get_freeze_count() == 0  # a younger collection freezes nothing
        gc.collect(2)
        assert gc.get_freeze_count() >= len(survivor)
    finally:
        gc.callbacks[:] = before
        gc.unfreeze()
