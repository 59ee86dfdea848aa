"""The errors AWS answers when it throttles a request or fails inside, per service and operation,
and how each is written in the service's wire protocol. Used by :mod:`infra.local.aws_faults`.

Every shape is checked against botocore's service models (error codes, HTTP status, modeled
members) and the AWS page it comes from; ``events/aws-errors/`` keeps one sample body of each,
with its source in that folder's README, and ``tests/local_runtime/test_aws_faults.py`` compares
what is rendered here with those samples and parses both with botocore.

=================  =========================================================================
service            throttle / limit / 5xx
=================  =========================================================================
dynamodb           ``ProvisionedThroughputExceededException`` 400 with ``ThrottlingReasons``;
                   ``TransactWriteItems`` / ``TransactGetItems``: ``TransactionCanceledException``
                   400, the first item ``ThrottlingError``, the others ``None``; ``CreateTable``,
                   ``UpdateTable``, ``DeleteTable``: ``ThrottlingException`` 400; streams
                   (``GetRecords``, ...): ``LimitExceededException`` 400 /
                   ``RequestLimitExceeded`` 400 / ``InternalServerError`` 500
sqs                ``RequestThrottled`` 400 / ``InternalFailure`` 500 (JSON with
                   ``x-amzn-query-error``, or query XML for a query request)
ses (v1)           ``Throttling`` 400 "Maximum sending rate exceeded." / ``ServiceUnavailable`` 503
ses (v2)           ``TooManyRequestsException`` 429 / ``ServiceUnavailable`` 503
sns                ``ThrottlingException`` 400 "Rate exceeded"; the SMS operations whose model
                   lists ``ThrottledException``: ``Throttled`` 429 / ``InternalError`` 500
events             ``ThrottlingException`` 400 / ``InternalException`` 500
any other          ``ThrottlingException`` 400 / ``ServiceUnavailable`` 503
=================  =========================================================================
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from xml.sax.saxutils import escape

from infra.local.template import ACCOUNT_ID

DYNAMODB_NAMESPACE = "com.amazonaws.dynamodb.v20120810#"
SQS_NAMESPACE = "com.amazonaws.sqs#"
COMMON_NAMESPACE = "com.amazon.coral.service#"
"""Where AWS JSON services put errors common to every service (``InternalFailure``, ...)."""

DYNAMODB_THROTTLED = (
    "Throughput exceeds the current capacity of your table or index. DynamoDB is automatically "
    "scaling your table or index so please try again shortly. If exceptions persist, check if you "
    "have a hot key: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html"
)
"""On-demand tables' throttling message (botocore's model, `TransactionCanceledException`)."""
TRANSACTION_CANCELLED = "Transaction cancelled, please refer cancellation reasons for specific reasons [{}]"
DYNAMODB_CONTROL_PLANE = frozenset({"CreateTable", "UpdateTable", "DeleteTable"})
"""Throttled with `ThrottlingException` when called too rapidly (DynamoDB error handling page)."""
DYNAMODB_STREAMS = frozenset({"GetRecords", "GetShardIterator", "DescribeStream", "ListStreams"})
DYNAMODB_READS = frozenset(
    {"GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems", "ExecuteStatement"}
)
SNS_THROTTLED_OPERATIONS = frozenset(
    {
        "CheckIfPhoneNumberIsOptedOut",
        "CreateSMSSandboxPhoneNumber",
        "DeleteSMSSandboxPhoneNumber",
        "GetSMSAttributes",
        "GetSMSSandboxAccountStatus",
        "ListOriginationNumbers",
        "ListPhoneNumbersOptedOut",
        "ListSMSSandboxPhoneNumbers",
        "OptInPhoneNumber",
        "SetSMSAttributes",
        "VerifySMSSandboxPhoneNumber",
    }
)
"""SNS operations whose botocore model lists `ThrottledException` (code `Throttled`, 429); the
others (`Publish` among them) answer the common `ThrottlingException`."""


@dataclass(frozen=True)
class AwsError:
    """One error answer, independent of the wire protocol."""

    code: str  # the code botocore reports (`Error.Code`)
    status: int
    message: str
    namespace: str = ""  # JSON `__type` prefix ("com.amazonaws.dynamodb.v20120810#")
    query_error: str = ""  # SQS's `x-amzn-query-error` value ("RequestThrottled;Sender")
    sender_fault: bool = True  # query XML `<Type>`: Sender, else Receiver
    message_key: str = "message"  # the JSON member the service names its message with
    members: dict[str, Any] = field(default_factory=dict)  # modeled members (JSON protocols)


@dataclass(frozen=True)
class Request:
    """What the error depends on: the target and the request's protocol and body."""

    service: str  # SigV4 signing name
    operation: str
    protocol: str  # "json", "query" or "rest-json"
    region: str = "us-east-1"
    content_type: str = "application/x-amz-json-1.0"
    api_version: str = ""  # query requests' `Version`
    rest_service: str = ""  # the botocore model of a REST request ("sesv2")
    body: dict[str, Any] = field(default_factory=dict)  # a JSON request's body


def error_for(request: Request, kind: str) -> AwsError:
    """The error AWS answers ``request`` with when ``kind`` (throttle, limit or 5xx) happens."""
    if request.service == "dynamodb":
        return _dynamodb(request, kind)
    if request.service == "sqs":
        return _sqs(kind)
    if request.service == "ses":
        return _ses(request, kind)
    if request.service == "sns":
        return _sns(request, kind)
    if request.service == "events":
        if kind == "5xx":
            return AwsError("InternalException", 500, "An internal error occurred.", sender_fault=False)
        return AwsError("ThrottlingException", 400, "Rate exceeded")
    return _common(kind)


def _common(kind: str) -> AwsError:
    if kind == "5xx":
        return AwsError(
            "ServiceUnavailable",
            503,
            "The request has failed due to a temporary failure of the server.",
            sender_fault=False,
        )
    return AwsError("ThrottlingException", 400, "Rate exceeded")


def _dynamodb(request: Request, kind: str) -> AwsError:
    ns = DYNAMODB_NAMESPACE
    operation = request.operation
    if kind == "5xx":
        return AwsError("InternalServerError", 500, "Internal server error", ns, sender_fault=False)
    if operation in DYNAMODB_STREAMS:
        return AwsError("LimitExceededException", 400, "Rate exceeded for shard", ns)
    if kind == "throttle" and operation in ("TransactWriteItems", "TransactGetItems"):
        items = max(1, len(request.body.get("TransactItems") or []))
        reasons: list[dict[str, Any]] = [{"Code": "ThrottlingError", "Message": DYNAMODB_THROTTLED}]
        reasons += [{"Code": "None"}] * (items - 1)
        codes = ", ".join(reason["Code"] for reason in reasons)
        return AwsError(
            "TransactionCanceledException",
            400,
            TRANSACTION_CANCELLED.format(codes),
            ns,
            message_key="Message",
            members={"CancellationReasons": reasons},
        )
    if kind == "throttle" and operation in DYNAMODB_CONTROL_PLANE:
        return AwsError("ThrottlingException", 400, "Rate of requests exceeds the allowed throughput.", ns)
    limit = "AccountLimitExceeded" if kind == "limit" else "KeyRangeThroughputExceeded"
    reads = "Read" if operation in DYNAMODB_READS else "Write"
    reasons = [
        {
            "reason": f"Table{reads}{limit}",
            "resource": f"arn:aws:dynamodb:{request.region}:{ACCOUNT_ID}:table/{t}",
        }
        for t in _tables(request.body)[:1]
    ]
    members = {"ThrottlingReasons": reasons} if reasons else {}
    if kind == "limit":
        message = (
            "Throughput exceeds the current throughput quota for your account. "
            "Please contact Amazon Web Services Support to request a quota increase."
        )
        return AwsError("RequestLimitExceeded", 400, message, ns, members=members)
    return AwsError("ProvisionedThroughputExceededException", 400, DYNAMODB_THROTTLED, ns, members=members)


def _tables(body: dict[str, Any]) -> list[str]:
    if isinstance(body.get("TableName"), str):
        return [body["TableName"]]
    named = list(body.get("RequestItems") or {})
    for entry in body.get("TransactItems") or []:
        named += [part.get("TableName") for part in entry.values() if isinstance(part, dict)]
    return [name for name in named if isinstance(name, str)]


def _sqs(kind: str) -> AwsError:
    if kind == "5xx":
        return AwsError(
            "InternalFailure",
            500,
            "The request processing has failed because of an unknown error, exception or failure.",
            COMMON_NAMESPACE,
            query_error="InternalFailure;Receiver",
            sender_fault=False,
        )
    return AwsError(
        "RequestThrottled",
        400,
        "The request was denied due to request throttling.",
        SQS_NAMESPACE,
        query_error="RequestThrottled;Sender",
    )


def _ses(request: Request, kind: str) -> AwsError:
    if kind == "5xx":
        return _common(kind)
    if request.rest_service == "sesv2":
        return AwsError("TooManyRequestsException", 429, "Maximum sending rate exceeded.")
    return AwsError("Throttling", 400, "Maximum sending rate exceeded.")


def _sns(request: Request, kind: str) -> AwsError:
    if kind == "5xx":
        return AwsError("InternalError", 500, "Internal Error", sender_fault=False)
    if request.operation in SNS_THROTTLED_OPERATIONS:
        return AwsError("Throttled", 429, "Throttled request.")
    return AwsError("ThrottlingException", 400, "Rate exceeded")


# -- wire protocols ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    @property
    def status_line(self) -> str:
        return f"{self.status} {HTTPStatus(self.status).phrase}"


def render(request: Request, error: AwsError, request_id: str | None = None) -> Answer:
    """``error`` as the service writes it for a request in ``request.protocol``."""
    request_id = request_id or str(uuid.uuid4())
    headers = [("x-amzn-RequestId", request_id)]
    if request.protocol == "query":
        body = _query_xml(request, error, request_id)
        headers.append(("Content-Type", "text/xml"))
    elif request.protocol == "json":
        document = {
            "__type": f"{error.namespace}{error.code}",
            error.message_key: error.message,
            **error.members,
        }
        body = json.dumps(document).encode()
        headers.append(("Content-Type", request.content_type))
        if error.query_error:
            headers.append(("x-amzn-query-error", error.query_error))
    else:  # rest-json: the code travels in a header
        body = json.dumps({"message": error.message, **error.members}).encode()
        headers += [("Content-Type", "application/json"), ("x-amzn-ErrorType", error.code)]
    headers.append(("Content-Length", str(len(body))))
    return Answer(error.status, headers, body)


def _query_xml(request: Request, error: AwsError, request_id: str) -> bytes:
    version = request.api_version or "2010-03-31"
    return (
        f'<ErrorResponse xmlns="http://{request.service}.amazonaws.com/doc/{escape(version)}/">\n'
        "  <Error>\n"
        f"    <Type>{'Sender' if error.sender_fault else 'Receiver'}</Type>\n"
        f"    <Code>{escape(error.code)}</Code>\n"
        f"    <Message>{escape(error.message)}</Message>\n"
        "  </Error>\n"
        f"  <RequestId>{escape(request_id)}</RequestId>\n"
        "</ErrorResponse>\n"
    ).encode()
