"""``python -m infra.redrive`` (``make redrive``): move the messages of a work queue's dead-letter
queue back to the work queue, once whatever made them fail is fixed.

    make redrive                                   # NotificationQueueDlq -> NotificationQueue
    make redrive ARGS="--dry-run"                  # list them and why they failed; move nothing
    make redrive ARGS="--queue ReservationQueue --max 10"

Each message goes back with its body and message attributes, except the failure attributes the
notification worker adds when it dead-letters a message (``ordertrack.failure_reason``,
``ordertrack.failed_channels``, ``ordertrack.failed_at``); those are printed, one line per message.
A message is deleted from the dead-letter queue only after its send to the work queue succeeded,
so a failed send loses nothing (the message becomes visible in the dead-letter queue again). The
consumers are idempotent, so the rare message that was sent but could not be deleted is at worst
delivered twice.

Which stack: the running ``make dev`` when ``.local/endpoints.json`` names a live one (or
``--local``, which insists), otherwise AWS (``--aws`` insists): the deployed stack's queues are
found with CloudFormation ``DescribeStackResource`` by logical id, with the usual AWS credentials
(``--profile``, ``--region`` or the environment). ``--stage`` must match the deployed stack's
``stage`` tag, so a redrive never runs against another stage's account by mistake.

The dead-letter queue is the one the work queue's ``RedrivePolicy`` names, so any queue with a
dead-letter queue works. This is the manual receive-send-delete loop rather than SQS
``StartMessageMoveTask``: it runs the same against moto and AWS, keeps the failure attributes out
of the redriven message, and can list without moving.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from botocore.exceptions import BotoCoreError, ClientError

from infra.config import STACK_NAME
from infra.local.running import read_local_endpoints

DEFAULT_QUEUE = "NotificationQueue"
FAILURE_REASON = "ordertrack.failure_reason"
FAILED_CHANNELS = "ordertrack.failed_channels"
FAILED_AT = "ordertrack.failed_at"
FAILURE_ATTRIBUTES = (FAILURE_REASON, FAILED_CHANNELS, FAILED_AT)
"""Message attributes the worker adds when it dead-letters a message; stripped on redrive."""
SQS_BATCH = 10
VISIBILITY_TIMEOUT_SECONDS = 120
"""How long a received dead letter stays hidden while it is being moved (or listed)."""


class RedriveError(Exception):
    """The queues cannot be found or reached; nothing was moved."""


@dataclass(frozen=True)
class DeadLetter:
    message_id: str
    receipt_handle: str
    body: str
    attributes: dict[str, dict[str, Any]]  # message attributes to send back (failure ones removed)
    failure: dict[str, str]  # the failure attributes, by name
    receive_count: str | None
    system: dict[str, str]

    @classmethod
    def of(cls, message: dict[str, Any]) -> DeadLetter:
        kept: dict[str, dict[str, Any]] = {}
        failure: dict[str, str] = {}
        for name, value in (message.get("MessageAttributes") or {}).items():
            if name in FAILURE_ATTRIBUTES:
                failure[name] = str(value.get("StringValue", ""))
            else:
                kept[name] = {
                    key: value[key] for key in ("DataType", "StringValue", "BinaryValue") if key in value
                }
        system = dict(message.get("Attributes") or {})
        return cls(
            message_id=message["MessageId"],
            receipt_handle=message["ReceiptHandle"],
            body=message["Body"],
            attributes=kept,
            failure=failure,
            receive_count=system.get("ApproximateReceiveCount"),
            system=system,
        )

    def describe(self) -> str:
        """One line: what the message is and why it failed (no body: it may hold personal data)."""
        event_type = self.attributes.get("event_type", {}).get("StringValue", "-")
        event_id = self.attributes.get("event_id", {}).get("StringValue", "-")
        reason = self.failure.get(FAILURE_REASON) or "-"
        channels = self.failure.get(FAILED_CHANNELS) or "-"
        failed_at = self.failure.get(FAILED_AT) or "-"
        return (
            f"{self.message_id}  event={event_type} {event_id}  reason={reason}  channels={channels}  "
            f"failed_at={failed_at}  receives={self.receive_count or '-'}"
        )


@dataclass
class RedriveReport:
    listed: list[DeadLetter] = field(default_factory=list)
    moved: list[DeadLetter] = field(default_factory=list)
    failed: list[tuple[DeadLetter, str]] = field(default_factory=list)  # not sent: still in the DLQ
    not_deleted: list[tuple[DeadLetter, str]] = field(default_factory=list)  # sent, still in the DLQ

    @property
    def ok(self) -> bool:
        return not self.failed and not self.not_deleted


def dead_letter_queue_url(sqs: Any, queue_url: str, name: str | None = None) -> str:
    """The URL of the dead-letter queue that `queue_url`'s RedrivePolicy names."""
    attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["RedrivePolicy"])
    policy = (attributes.get("Attributes") or {}).get("RedrivePolicy")
    if not policy:
        raise RedriveError(
            f"{name or queue_url} has no dead-letter queue (no RedrivePolicy): name the work queue it serves"
        )
    arn = json.loads(policy)["deadLetterTargetArn"]
    *_, account, name = arn.split(":")
    return str(sqs.get_queue_url(QueueName=name, QueueOwnerAWSAccountId=account)["QueueUrl"])


def redrive(
    sqs: Any,
    source_url: str,
    dlq_url: str,
    *,
    max_messages: int | None = None,
    dry_run: bool = False,
    wait_seconds: int = 1,
    on_message: Callable[[str, DeadLetter], None] = lambda action, letter: None,
) -> RedriveReport:
    """Move up to `max_messages` (default: all) from `dlq_url` to `source_url`; with `dry_run`,
    only list them. `on_message(action, letter)` is called per message with "moved", "listed",
    "failed" or "not deleted". Stops when the dead-letter queue answers with no message."""
    report = RedriveReport()
    to_release: list[DeadLetter] = []  # received and still in the DLQ: visible again when done
    seen: set[str] = set()
    try:
        for batch in _receive(sqs, dlq_url, max_messages, wait_seconds):
            letters = [letter for letter in batch if letter.message_id not in seen]  # SQS may repeat one
            if not letters:
                continue
            seen.update(letter.message_id for letter in letters)
            report.listed.extend(letters)
            if dry_run:
                to_release.extend(letters)
                for letter in letters:
                    on_message("listed", letter)
                continue
            _move(sqs, source_url, dlq_url, letters, report, to_release, on_message)
    finally:
        _release(sqs, dlq_url, to_release)
    return report


def _receive(
    sqs: Any, dlq_url: str, max_messages: int | None, wait_seconds: int
) -> Iterator[list[DeadLetter]]:
    received = 0
    while max_messages is None or received < max_messages:
        wanted = SQS_BATCH if max_messages is None else min(SQS_BATCH, max_messages - received)
        messages = sqs.receive_message(
            QueueUrl=dlq_url,
            MaxNumberOfMessages=wanted,
            WaitTimeSeconds=wait_seconds,
            VisibilityTimeout=VISIBILITY_TIMEOUT_SECONDS,
            MessageAttributeNames=["All"],
            MessageSystemAttributeNames=["All"],
        ).get("Messages", [])
        if not messages:
            return
        received += len(messages)
        yield [DeadLetter.of(message) for message in messages]


def _move(
    sqs: Any,
    source_url: str,
    dlq_url: str,
    letters: list[DeadLetter],
    report: RedriveReport,
    to_release: list[DeadLetter],
    on_message: Callable[[str, DeadLetter], None],
) -> None:
    fifo = source_url.endswith(".fifo")
    entries = [_send_entry(str(index), letter, fifo) for index, letter in enumerate(letters)]
    try:
        response = sqs.send_message_batch(QueueUrl=source_url, Entries=entries)
    except (ClientError, BotoCoreError):
        to_release.extend(letters)  # nothing was deleted: the letters stay in the DLQ
        raise
    sent = {entry["Id"] for entry in response.get("Successful", [])}
    for entry in response.get("Failed", []):
        letter = letters[int(entry["Id"])]
        to_release.append(letter)
        report.failed.append((letter, f"{entry.get('Code')}: {entry.get('Message', '')}".strip()))
        on_message("failed", letter)
    delivered = [(index, letters[int(index)]) for index in sorted(sent, key=int)]
    if not delivered:
        return
    try:
        deleted = sqs.delete_message_batch(
            QueueUrl=dlq_url,
            Entries=[{"Id": index, "ReceiptHandle": letter.receipt_handle} for index, letter in delivered],
        )
        failed_deletes = {entry["Id"]: entry.get("Code", "error") for entry in deleted.get("Failed", [])}
    except (ClientError, BotoCoreError) as error:
        failed_deletes = {index: str(error) for index, _ in delivered}
    for index, letter in delivered:
        if index in failed_deletes:
            report.not_deleted.append((letter, failed_deletes[index]))
            on_message("not deleted", letter)
        else:
            report.moved.append(letter)
            on_message("moved", letter)


def _send_entry(entry_id: str, letter: DeadLetter, fifo: bool) -> dict[str, Any]:
    entry: dict[str, Any] = {"Id": entry_id, "MessageBody": letter.body}
    if letter.attributes:
        entry["MessageAttributes"] = letter.attributes
    if fifo:
        entry["MessageGroupId"] = letter.system.get("MessageGroupId", "redrive")
        entry["MessageDeduplicationId"] = letter.system.get("MessageDeduplicationId", letter.message_id)
    return entry


def _release(sqs: Any, dlq_url: str, letters: Sequence[DeadLetter]) -> None:
    """Make received letters visible again at once (best effort: they reappear anyway after
    VISIBILITY_TIMEOUT_SECONDS)."""
    for start in range(0, len(letters), SQS_BATCH):
        chunk = letters[start : start + SQS_BATCH]
        try:
            sqs.change_message_visibility_batch(
                QueueUrl=dlq_url,
                Entries=[
                    {"Id": str(index), "ReceiptHandle": letter.receipt_handle, "VisibilityTimeout": 0}
                    for index, letter in enumerate(chunk)
                ],
            )
        except (ClientError, BotoCoreError):
            return


# -- where the queues are ----------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A place to redrive in: an SQS client and a way to find a queue URL by logical id."""

    description: str
    sqs: Any
    queue_url: Callable[[str], str]


def local_target(endpoints: dict[str, Any]) -> Target:
    import boto3

    from infra.local.template import LOCAL_CREDENTIALS

    sqs = boto3.session.Session(region_name=endpoints["region"], **LOCAL_CREDENTIALS).client(
        "sqs", endpoint_url=endpoints["moto_endpoint"]
    )
    queues: dict[str, dict[str, str]] = endpoints.get("queues") or {}

    def queue_url(logical_id: str) -> str:
        if logical_id not in queues:
            known = ", ".join(sorted(queues)) or "none"
            raise RedriveError(f"the local stack has no queue {logical_id!r} (queues: {known})")
        return queues[logical_id]["url"]

    return Target(f"local stack at {endpoints['moto_endpoint']}", sqs, queue_url)


def aws_target(stage: str, profile: str | None = None, region: str | None = None) -> Target:
    import boto3

    session = boto3.session.Session(profile_name=profile, region_name=region)
    cloudformation = session.client("cloudformation")
    try:
        [stack] = cloudformation.describe_stacks(StackName=STACK_NAME)["Stacks"]
    except ClientError as error:
        raise RedriveError(
            f"stack {STACK_NAME} not found in {session.region_name}: {error} (is ordertrack deployed here?)"
        ) from None
    tags = {tag["Key"]: tag["Value"] for tag in stack.get("Tags", [])}
    if tags.get("stage", stage) != stage:
        raise RedriveError(
            f"stack {STACK_NAME} in {session.region_name} is stage {tags['stage']!r}, not {stage!r}: "
            "use --stage or other credentials"
        )

    def queue_url(logical_id: str) -> str:
        try:
            detail = cloudformation.describe_stack_resource(
                StackName=STACK_NAME, LogicalResourceId=logical_id
            )
        except ClientError as error:
            raise RedriveError(f"stack {STACK_NAME} has no resource {logical_id!r}: {error}") from None
        resource = detail["StackResourceDetail"]
        if resource["ResourceType"] != "AWS::SQS::Queue":
            raise RedriveError(f"{logical_id} is a {resource['ResourceType']}, not a queue")
        return str(resource["PhysicalResourceId"])  # a queue's physical id is its URL

    return Target(f"stack {STACK_NAME} ({stage}) in {session.region_name}", session.client("sqs"), queue_url)


def choose_target(args: argparse.Namespace) -> Target:
    endpoints = None if args.aws else read_local_endpoints(args.endpoints_file)
    if endpoints is not None:
        return local_target(endpoints)
    if args.local:
        raise RedriveError(
            f"no running `make dev` found ({args.endpoints_file} is missing or its process is gone)"
        )
    from infra.config import load_stage_config

    return aws_target(args.stage or load_stage_config().stage, args.profile, args.region)


# -- command line ------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    from infra.local.stack import ENDPOINTS_FILE  # the one definition of where `make dev` writes

    parser = argparse.ArgumentParser(
        prog="python -m infra.redrive",
        description="Move messages from a work queue's dead-letter queue back to the work queue.",
    )
    parser.add_argument(
        "--queue", default=DEFAULT_QUEUE, help=f"logical id of the work queue (default: {DEFAULT_QUEUE})"
    )
    parser.add_argument("--max", type=int, default=None, metavar="N", help="move at most N messages")
    parser.add_argument("--dry-run", action="store_true", help="list the messages and why they failed")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--local", action="store_true", help="the running `make dev` (fail if there is none)")
    where.add_argument("--aws", action="store_true", help="the deployed stack, even if `make dev` runs")
    parser.add_argument("--stage", help="the deployed stage (default: cdk.json's); checked against the stack")
    parser.add_argument("--profile", help="AWS profile")
    parser.add_argument("--region", help="AWS region")
    parser.add_argument("--endpoints-file", type=Path, default=ENDPOINTS_FILE, help=argparse.SUPPRESS)
    parser.add_argument("--wait-seconds", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.max is not None and args.max < 1:
        parser.error("--max must be at least 1")
    return args


def main(argv: Sequence[str] | None = None, out: TextIO = sys.stdout) -> int:
    args = parse_args(argv)
    try:
        target = choose_target(args)
        source_url = target.queue_url(args.queue)
        dlq_url = dead_letter_queue_url(target.sqs, source_url, args.queue)
    except (RedriveError, ClientError, BotoCoreError) as error:
        print(f"redrive: {error}", file=sys.stderr)
        return 2

    print(f"target      {target.description}", file=out)
    print(f"from        {dlq_url}", file=out)
    print(f"to          {source_url} ({args.queue})", file=out)

    def show(action: str, letter: DeadLetter) -> None:
        print(f"{action:<11} {letter.describe()}", file=out, flush=True)

    try:
        report = redrive(
            target.sqs,
            source_url,
            dlq_url,
            max_messages=args.max,
            dry_run=args.dry_run,
            wait_seconds=args.wait_seconds,
            on_message=show,
        )
    except (ClientError, BotoCoreError) as error:
        print(
            f"redrive: stopped: {error} (messages not yet moved are still in the dead-letter queue)",
            file=sys.stderr,
        )
        return 1

    if args.dry_run:
        print(f"dry run: {len(report.listed)} message(s) would move; nothing moved", file=out)
        return 0
    print(
        f"moved {len(report.moved)} of {len(report.listed)} message(s); "
        f"{len(report.failed)} not sent (still in the dead-letter queue)",
        file=out,
    )
    for letter, reason in report.failed:
        print(f"not sent    {letter.message_id}: {reason}", file=sys.stderr)
    for letter, reason in report.not_deleted:
        print(
            f"not deleted {letter.message_id}: {reason} (sent, and still in the dead-letter queue: "
            "delete it there or expect a second, idempotent delivery)",
            file=sys.stderr,
        )
    return 0 if report.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
