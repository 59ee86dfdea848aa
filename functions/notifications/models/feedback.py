"""What arrives on `SuppressionQueue`: Amazon SES bounce and complaint events and customers' SMS
replies, each delivered raw (no SNS envelope) from its topic.

* `EmailFeedback` topic: SES event publishing through the configuration set the worker sends with
  (`eventType`), or the older identity notifications (`notificationType`), which share the
  `bounce` and `complaint` objects.
* `InboundSms` topic: two-way SMS (AWS End User Messaging SMS / Amazon SNS) replies.

The models read only what the suppression rules need and ignore every other field, so new fields
AWS adds do not fail a message. Validation errors never repeat the input (it holds addresses,
phone numbers and message text, and failed records are logged). Samples live in `events/sns/`.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AliasChoices, BaseModel, ConfigDict, Discriminator, Field, Json, Tag
from pydantic.alias_generators import to_camel

from shared.sqs_records import SqsRecord

E164 = r"^\+[1-9][0-9]{6,14}$"


class _Payload(BaseModel):
    model_config = ConfigDict(
        defer_build=True,
        alias_generator=to_camel,
        populate_by_name=True,
        extra="ignore",
        frozen=True,
        hide_input_in_errors=True,
    )


class Recipient(_Payload):
    email_address: Annotated[str, Field(min_length=3, max_length=320)]


class Bounce(_Payload):
    bounce_type: Annotated[str, Field(description="Permanent, Transient or Undetermined.")]
    bounce_sub_type: str | None = None
    bounced_recipients: list[Recipient]
    feedback_id: str | None = None


class Complaint(_Payload):
    complained_recipients: list[Recipient]
    complaint_feedback_type: str | None = None
    complaint_sub_type: str | None = None
    feedback_id: str | None = None


class MailSummary(_Payload):
    message_id: str | None = None
    tags: dict[str, list[str]] = Field(default_factory=dict, description="The message's SES tags.")


class EmailFeedback(_Payload):
    """An SES bounce, complaint or other sending event (only bounces and complaints matter)."""

    event_type: Annotated[str, Field(validation_alias=AliasChoices("eventType", "notificationType"))]
    bounce: Bounce | None = None
    complaint: Complaint | None = None
    mail: MailSummary | None = None


class InboundSms(_Payload):
    """A customer's reply to one of our text messages."""

    origination_number: Annotated[str, Field(pattern=E164, description="The customer's phone.")]
    destination_number: Annotated[str, Field(description="Our number the customer replied to.")]
    message_keyword: str | None = None
    message_body: str
    inbound_message_id: str
    previous_published_message_id: str | None = None


def _payload_kind(value: Any) -> str | None:
    """`email` for SES feedback, `sms` for an SMS reply; None fails validation."""
    if isinstance(value, dict):
        if "eventType" in value or "notificationType" in value:
            return "email"
        if "originationNumber" in value:
            return "sms"
    if isinstance(value, EmailFeedback):
        return "email"
    if isinstance(value, InboundSms):
        return "sms"
    return None


FeedbackPayload = Annotated[
    Annotated[EmailFeedback, Tag("email")] | Annotated[InboundSms, Tag("sms")],
    Discriminator(
        _payload_kind,
        custom_error_type="unknown_feedback",
        custom_error_message="neither an SES event nor an inbound SMS",
    ),
]


class FeedbackQueueRecord(SqsRecord):
    model_config = ConfigDict(hide_input_in_errors=True)

    body: Json[FeedbackPayload]  # type: ignore[assignment]
