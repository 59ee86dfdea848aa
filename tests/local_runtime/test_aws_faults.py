"""AWS faults injected by the local moto server: AWS's error, in the service's protocol, with no side
effect, as botocore parses and retries it.

The expected bodies are the samples in events/aws-errors/ (sources in its README); the server tests
use real boto3 clients against a moto server subprocess."""

from __future__ import annotations

import json
import random
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectionClosedError
from botocore.parsers import create_parser

from infra.local.aws_errors import SNS_THROTTLED_OPERATIONS, Request, error_for, render
from infra.local.aws_faults import FAULT_HEADER, RUNTIME_USER_AGENT
from infra.local.faults import FaultSpecError
from infra.local.moto_process import MotoServer
from infra.local.template import LOCAL_CREDENTIALS, REGION
from shared.aws_clients import provider_client

pytestmark = pytest.mark.xdist_group("local_runtime_aws_faults")

SAMPLES = Path(__file__).resolve().parents[2] / "events" / "aws-errors"
INDEX = json.loads((SAMPLES / "index.json").read_text(encoding="utf-8"))
REQUEST_ID = "00000000-0000-4000-8000-000000000000"
NO_RETRIES = Config(retries={"total_max_attempts": 1, "mode": "standard"})
SENDER = "orders@example.com"


def _request(entry: dict[str, Any]) -> Request:
    return Request(
        entry["service"],
        entry["operation"],
        entry["protocol"],
        content_type=entry.get("content_type", "application/x-amz-json-1.0"),
        api_version=entry.get("api_version", ""),
        rest_service=entry.get("rest_service", ""),
        body=entry.get("request", {}),
    )


def _model(entry: dict[str, Any]) -> Any:
    return botocore.session.get_session().get_service_model(entry.get("rest_service") or entry["service"])


# -- the error shapes, against the samples and botocore's models ---------------------------------


@pytest.mark.parametrize("entry", INDEX, ids=[entry["file"] for entry in INDEX])
def test_the_rendered_error_is_the_sample(entry: dict[str, Any]) -> None:
    request = _request(entry)

    answer = render(request, error_for(request, entry["kind"]), REQUEST_ID)

    sample = (SAMPLES / entry["file"]).read_bytes()
    if entry["file"].endswith(".json"):
        assert json.loads(answer.body) == json.loads(sample)
    else:
        assert answer.body == sample
    assert answer.status == entry["status"]
    headers = dict(answer.headers)
    assert {name: headers.get(name) for name in entry["headers"]} == entry["headers"]
    assert headers["x-amzn-RequestId"] == REQUEST_ID


@pytest.mark.parametrize("entry", INDEX, ids=[entry["file"] for entry in INDEX])
def test_botocore_parses_each_sample_into_its_code(entry: dict[str, Any]) -> None:
    model = _model(entry)
    operation = model.operation_model(entry["operation"])
    response = {
        "status_code": entry["status"],
        "headers": {name.lower(): value for name, value in entry["headers"].items()},
        "body": (SAMPLES / entry["file"]).read_bytes(),
    }

    parsed = create_parser(model.protocol).parse(response, operation.output_shape)

    assert parsed["Error"]["Code"] == entry["code"]
    assert parsed["Error"]["Message"]
    modeled = {
        shape.metadata.get("error", {}).get("code") or shape.name: shape for shape in operation.error_shapes
    }
    if entry["code"] in modeled:  # a modeled error: the model's status, if it names one
        assert (
            modeled[entry["code"]].metadata.get("error", {}).get("httpStatusCode", entry["status"])
            == (entry["status"])
        )
    else:  # an error common to all AWS APIs, or one the model leaves out (see the README)
        assert entry["code"] in {"ThrottlingException", "ServiceUnavailable", "InternalFailure", "Throttling"}


def test_sns_answers_throttled_exactly_where_the_model_says() -> None:
    model = botocore.session.get_session().get_service_model("sns")
    modeled = {
        name
        for name in model.operation_names
        if "ThrottledException" in {shape.name for shape in model.operation_model(name).error_shapes}
    }
    assert modeled == SNS_THROTTLED_OPERATIONS


def test_a_transaction_is_cancelled_with_one_reason_per_item() -> None:
    items = [{"ConditionCheck": {"TableName": "orders"}}] * 3
    request = Request("dynamodb", "TransactGetItems", "json", body={"TransactItems": items})

    error = error_for(request, "throttle")

    assert [reason["Code"] for reason in error.members["CancellationReasons"]] == [
        "ThrottlingError",
        "None",
        "None",
    ]
    assert error.message.endswith("[ThrottlingError, None, None]")


# -- the moto server ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def moto() -> Iterator[MotoServer]:
    with MotoServer(faults="") as server:
        yield server


@pytest.fixture
def injected(moto: MotoServer) -> Iterator[Callable[[], dict[str, int]]]:
    """The faults the server counted during this test; no faults once it ends."""
    before = Counter(moto.faults()["injected"])

    def since() -> dict[str, int]:
        return dict(Counter(moto.faults()["injected"]) - before)

    yield since
    moto.set_faults("")


def client(moto: MotoServer, service: str, config: Config = NO_RETRIES) -> Any:
    return boto3.client(
        service, endpoint_url=moto.endpoint, region_name=REGION, config=config, **LOCAL_CREDENTIALS
    )


def observer(moto: MotoServer, service: str) -> Any:
    """Looks without being faulted (the local runtime's own user agent)."""
    return client(moto, service, Config(user_agent_extra=RUNTIME_USER_AGENT))


@pytest.fixture
def table(moto: MotoServer) -> str:
    name = f"faults-{uuid.uuid4().hex[:8]}"
    observer(moto, "dynamodb").create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    return name


def refused(call: Callable[[], Any]) -> ClientError:
    with pytest.raises(ClientError) as caught:
        call()
    return caught.value


def test_a_throttled_put_answers_aws_error_and_writes_nothing(
    moto: MotoServer, table: str, injected: Callable[[], dict[str, int]]
) -> None:
    moto.set_faults("dynamodb.PutItem=throttle:1.0")
    dynamodb = client(moto, "dynamodb")

    error = refused(lambda: dynamodb.put_item(TableName=table, Item={"pk": {"S": "ORDER#1"}}))

    assert isinstance(error, dynamodb.exceptions.ProvisionedThroughputExceededException)
    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error.response["ThrottlingReasons"] == [
        {
            "reason": "TableWriteKeyRangeThroughputExceeded",
            "resource": f"arn:aws:dynamodb:{REGION}:123456789012:table/{table}",
        }
    ]
    assert error.response["ResponseMetadata"]["HTTPHeaders"][FAULT_HEADER] == "dynamodb.PutItem=throttle"
    assert "Item" not in observer(moto, "dynamodb").get_item(TableName=table, Key={"pk": {"S": "ORDER#1"}})
    assert injected() == {"dynamodb.PutItem=throttle": 1}


def test_a_throttled_transaction_is_cancelled_and_applies_nothing(
    moto: MotoServer, table: str, injected: Callable[[], dict[str, int]]
) -> None:
    moto.set_faults("dynamodb.TransactWriteItems=throttle:1.0")
    dynamodb = client(moto, "dynamodb")
    puts = [{"Put": {"TableName": table, "Item": {"pk": {"S": key}}}} for key in ("SKU#1", "ORDER#1")]

    error = refused(lambda: dynamodb.transact_write_items(TransactItems=puts))

    assert isinstance(error, dynamodb.exceptions.TransactionCanceledException)
    assert [reason["Code"] for reason in error.response["CancellationReasons"]] == ["ThrottlingError", "None"]
    assert error.response["Error"]["Message"] == (
        "Transaction cancelled, please refer cancellation reasons for specific reasons [ThrottlingError, None]"
    )
    assert observer(moto, "dynamodb").scan(TableName=table)["Count"] == 0
    assert injected() == {"dynamodb.TransactWriteItems=throttle": 1}


@pytest.mark.parametrize(
    ("fault", "code", "status"),
    [("limit", "RequestLimitExceeded", 400), ("5xx", "InternalServerError", 500)],
)
def test_dynamodb_limit_and_server_errors(
    moto: MotoServer, table: str, injected: Callable[[], dict[str, int]], fault: str, code: str, status: int
) -> None:
    moto.set_faults(f"dynamodb.*={fault}:1.0")

    error = refused(lambda: client(moto, "dynamodb").get_item(TableName=table, Key={"pk": {"S": "x"}}))

    assert (error.response["Error"]["Code"], error.response["ResponseMetadata"]["HTTPStatusCode"]) == (
        code,
        status,
    )


def test_a_throttled_send_leaves_the_queue_empty(
    moto: MotoServer, injected: Callable[[], dict[str, int]]
) -> None:
    queue = observer(moto, "sqs").create_queue(QueueName=f"faults-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    moto.set_faults("sqs.SendMessage=throttle:1.0,sqs.SendMessageBatch=5xx:1.0")
    sqs = client(moto, "sqs")

    throttled = refused(lambda: sqs.send_message(QueueUrl=queue, MessageBody="{}"))
    failed = refused(
        lambda: sqs.send_message_batch(QueueUrl=queue, Entries=[{"Id": "1", "MessageBody": "{}"}])
    )

    assert isinstance(throttled, sqs.exceptions.RequestThrottled)
    assert throttled.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert (failed.response["Error"]["Code"], failed.response["ResponseMetadata"]["HTTPStatusCode"]) == (
        "InternalFailure",
        500,
    )
    attributes = observer(moto, "sqs").get_queue_attributes(QueueUrl=queue, AttributeNames=["All"])[
        "Attributes"
    ]
    assert attributes["ApproximateNumberOfMessages"] == "0"
    assert attributes["ApproximateNumberOfMessagesDelayed"] == "0"


def _email(recipient: str) -> dict[str, Any]:
    return {
        "Source": SENDER,
        "Destination": {"ToAddresses": [recipient]},
        "Message": {"Subject": {"Data": "Your order"}, "Body": {"Text": {"Data": "Shipped"}}},
    }


def _sent_to(moto: MotoServer, recipient: str) -> list[dict[str, Any]]:
    return [entry for entry in moto.outbox() if recipient in entry["to"]]


def test_ses_v1_and_v2_throttle_sending_and_send_nothing(
    moto: MotoServer, injected: Callable[[], dict[str, int]]
) -> None:
    observer(moto, "ses").verify_email_identity(EmailAddress=SENDER)
    moto.set_faults("ses.SendEmail=throttle:1.0")
    recipient = f"{uuid.uuid4().hex[:8]}@example.com"

    v1 = refused(lambda: client(moto, "ses").send_email(**_email(recipient)))
    v2 = refused(
        lambda: client(moto, "sesv2").send_email(
            FromEmailAddress=SENDER,
            Destination={"ToAddresses": [recipient]},
            Content={"Simple": {"Subject": {"Data": "Your order"}, "Body": {"Text": {"Data": "Shipped"}}}},
        )
    )

    assert (v1.response["Error"]["Code"], v1.response["ResponseMetadata"]["HTTPStatusCode"]) == (
        "Throttling",
        400,
    )
    assert v1.response["Error"]["Message"] == "Maximum sending rate exceeded."
    assert (v2.response["Error"]["Code"], v2.response["ResponseMetadata"]["HTTPStatusCode"]) == (
        "TooManyRequestsException",
        429,
    )
    assert _sent_to(moto, recipient) == []
    assert injected() == {"ses.SendEmail=throttle": 2}
    moto.set_faults("ses.SendEmail=5xx:1.0")
    unavailable = refused(lambda: client(moto, "ses").send_email(**_email(recipient)))
    assert unavailable.response["ResponseMetadata"]["HTTPStatusCode"] == 503
    moto.set_faults("")
    client(moto, "ses").send_email(**_email(recipient))
    assert len(_sent_to(moto, recipient)) == 1


def test_a_lost_answer_sends_the_email_and_the_client_never_hears_of_it(
    moto: MotoServer, injected: Callable[[], dict[str, int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    observer(moto, "ses").verify_email_identity(EmailAddress=SENDER)
    moto.set_faults("ses.SendEmail=lost:1.0")
    recipient = f"{uuid.uuid4().hex[:8]}@example.com"

    with pytest.raises(ConnectionClosedError):
        client(moto, "sesv2").send_email(
            FromEmailAddress=SENDER,
            Destination={"ToAddresses": [recipient]},
            Content={"Simple": {"Subject": {"Data": "Your order"}, "Body": {"Text": {"Data": "Shipped"}}}},
        )

    assert len(_sent_to(moto, recipient)) == 1  # SES took it
    assert injected() == {"ses.SendEmail=lost": 1}
    # botocore's standard retries would send it again: what the notification senders turn off
    with pytest.raises(ConnectionClosedError):
        client(moto, "ses", Config(retries={"total_max_attempts": 2, "mode": "standard"})).send_email(
            **_email(recipient)
        )
    assert len(_sent_to(moto, recipient)) == 3
    # the notification senders' client sends it once
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto.endpoint)
    for name, value in {**LOCAL_CREDENTIALS, "region_name": REGION}.items():
        monkeypatch.setenv({"region_name": "AWS_DEFAULT_REGION"}.get(name, name.upper()), value)
    provider_client.cache_clear()
    try:
        with pytest.raises(ConnectionClosedError):
            provider_client("ses").send_email(**_email(recipient))
    finally:
        provider_client.cache_clear()
    assert len(_sent_to(moto, recipient)) == 4
    moto.set_faults("")
    assert moto.faults()["faults"] == ""  # the server still answers after the closed connections


def test_sns_throttles_and_fails_publishing_and_sends_no_sms(
    moto: MotoServer, injected: Callable[[], dict[str, int]]
) -> None:
    sns = client(moto, "sns")
    phone = f"+1555{uuid.uuid4().int % 10**7:07d}"
    moto.set_faults("sns.Publish=throttle:1.0,sns.CheckIfPhoneNumberIsOptedOut=throttle:1.0")

    throttled = refused(lambda: sns.publish(PhoneNumber=phone, Message="Shipped"))
    opt_out = refused(lambda: sns.check_if_phone_number_is_opted_out(phoneNumber=phone))
    moto.set_faults("sns.Publish=5xx:1.0")
    failed = refused(lambda: sns.publish(PhoneNumber=phone, Message="Shipped"))

    assert (
        throttled.response["Error"]["Code"],
        throttled.response["ResponseMetadata"]["HTTPStatusCode"],
    ) == (
        "ThrottlingException",
        400,
    )
    assert isinstance(opt_out, sns.exceptions.ThrottledException)
    assert opt_out.response["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert isinstance(failed, sns.exceptions.InternalErrorException)
    assert failed.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert _sent_to(moto, phone) == []


@pytest.mark.parametrize(
    ("fault", "code", "status"),
    [("throttle", "ThrottlingException", 400), ("5xx", "InternalException", 500)],
)
def test_eventbridge_errors(
    moto: MotoServer, injected: Callable[[], dict[str, int]], fault: str, code: str, status: int
) -> None:
    moto.set_faults(f"events.PutEvents={fault}:1.0")
    events = client(moto, "events")

    error = refused(
        lambda: events.put_events(Entries=[{"Source": "ordertrack", "DetailType": "x", "Detail": "{}"}])
    )

    assert (error.response["Error"]["Code"], error.response["ResponseMetadata"]["HTTPStatusCode"]) == (
        code,
        status,
    )


@pytest.mark.parametrize(
    ("fault", "code", "status"),
    [("throttle", "ThrottlingException", 400), ("5xx", "ServiceUnavailable", 503)],
)
def test_any_other_service_gets_the_common_errors(
    moto: MotoServer, injected: Callable[[], dict[str, int]], fault: str, code: str, status: int
) -> None:
    name = f"faults-{uuid.uuid4().hex[:8]}"
    observer(moto, "secretsmanager").create_secret(Name=name, SecretString="s")
    moto.set_faults(f"secretsmanager.*={fault}:1.0")

    error = refused(lambda: client(moto, "secretsmanager").get_secret_value(SecretId=name))

    assert (error.response["Error"]["Code"], error.response["ResponseMetadata"]["HTTPStatusCode"]) == (
        code,
        status,
    )


def test_botocore_retries_a_throttled_put_until_it_succeeds(
    moto: MotoServer, table: str, injected: Callable[[], dict[str, int]]
) -> None:
    seed = 3
    draws = random.Random(seed)
    throttled = 0
    while draws.random() < 0.5:
        throttled += 1
    assert throttled >= 1, "pick a seed whose first draw throttles"
    moto.set_faults("dynamodb.PutItem=throttle:0.5", seed=seed)
    dynamodb = client(moto, "dynamodb", Config(retries={"total_max_attempts": 10, "mode": "standard"}))

    answer = dynamodb.put_item(TableName=table, Item={"pk": {"S": "ORDER#2"}})

    assert answer["ResponseMetadata"]["RetryAttempts"] == throttled
    assert injected() == {"dynamodb.PutItem=throttle": throttled}
    assert "Item" in observer(moto, "dynamodb").get_item(TableName=table, Key={"pk": {"S": "ORDER#2"}})


@pytest.mark.parametrize(
    ("spec", "retried"),
    [
        ("dynamodb.GetItem=throttle:1.0", True),
        ("dynamodb.GetItem=limit:1.0", True),
        ("dynamodb.GetItem=5xx:1.0", True),
        ("dynamodb.TransactGetItems=throttle:1.0", False),
    ],
)
def test_botocore_retries_what_it_retries_on_aws(
    moto: MotoServer, table: str, injected: Callable[[], dict[str, int]], spec: str, retried: bool
) -> None:
    moto.set_faults(spec)
    dynamodb = client(moto, "dynamodb", Config(retries={"total_max_attempts": 2, "mode": "standard"}))
    key = {"pk": {"S": "x"}}

    error = refused(
        lambda: (
            dynamodb.transact_get_items(TransactItems=[{"Get": {"TableName": table, "Key": key}}])
            if "Transact" in spec
            else dynamodb.get_item(TableName=table, Key=key)
        )
    )

    assert error.response["ResponseMetadata"]["RetryAttempts"] == (1 if retried else 0)
    assert sum(injected().values()) == (2 if retried else 1)


def test_the_control_endpoint_switches_faults_at_run_time(
    moto: MotoServer, table: str, injected: Callable[[], dict[str, int]]
) -> None:
    dynamodb = client(moto, "dynamodb")
    put = lambda: dynamodb.put_item(TableName=table, Item={"pk": {"S": "ORDER#3"}})  # noqa: E731
    moto.set_faults("dynamodb.PutItem=5xx:1.0")
    refused(put)

    with pytest.raises(FaultSpecError, match="the rate must be between 0 and 1"):
        moto.set_faults("dynamodb.PutItem=5xx:3")
    assert moto.faults()["faults"] == "dynamodb.PutItem=5xx:1"  # a refused spec changes nothing
    answer = moto.set_faults("")

    assert answer["faults"] == ""
    assert injected() == {"dynamodb.PutItem=5xx": 1}
    put()
    assert injected() == {"dynamodb.PutItem=5xx": 1}


def test_local_endpoints_and_the_runtime_own_calls_are_never_faulted(
    moto: MotoServer, table: str, injected: Callable[[], dict[str, int]]
) -> None:
    moto.set_faults("dynamodb.*=5xx:1.0,ses.*=5xx:1.0,sns.*=5xx:1.0")

    assert moto.health()["status"] == "ok"
    assert isinstance(moto.outbox(), list)
    assert isinstance(moto.meter()["requests"], dict)
    observer(moto, "dynamodb").put_item(TableName=table, Item={"pk": {"S": "ORDER#4"}})
    assert injected() == {}
    refused(lambda: client(moto, "dynamodb").get_item(TableName=table, Key={"pk": {"S": "ORDER#4"}}))
    assert injected() == {"dynamodb.*=5xx": 1}
