"""Who must not be messaged any more: the rules that turn SES feedback and customers' SMS replies
into changes of the suppression list, and the one normalization every store and lookup shares.

* A permanent bounce or a complaint suppresses email to each recipient named. Transient and
  undetermined bounces (a full mailbox, a message too large, ...) do not: the address may well
  accept the next message.
* An SMS reply that is an opt-out keyword (STOP, 退订, ...) suppresses SMS to the sender's number;
  an opt-in keyword (START, 订阅, ...) lifts our suppression. Any other reply changes nothing.

Keywords are matched on the whole reply (`messageBody`), ignoring case, character width
(full-width letters), whitespace and surrounding punctuation ("Stop." "Stop!" "退订。").
`messageKeyword` is not used: AWS documents it as the keyword registered for our number, not as
what the customer typed. The provider also applies its own opt-out keywords to its own opt-out
list, which the SMS sender checks before every message.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from email.utils import parseaddr
from enum import StrEnum

from notifications.domain.masking import mask_email, mask_phone
from notifications.domain.model import Channel
from notifications.domain.ports import SuppressionList
from notifications.models.feedback import EmailFeedback, InboundSms

OPT_OUT_KEYWORDS = frozenset(
    {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "退订", "TD"}
)
OPT_IN_KEYWORDS = frozenset({"START", "UNSTOP", "订阅"})

PERMANENT_BOUNCE = "Permanent"
BOUNCE_EVENT = "Bounce"
COMPLAINT_EVENT = "Complaint"

REASON_BOUNCE = "bounce"
REASON_COMPLAINT = "complaint"
REASON_SMS_STOP = "sms_stop"
SOURCE_SES_FEEDBACK = "ses_feedback"
SOURCE_SNS_INBOUND = "sns_inbound"


class InvalidAddress(ValueError):
    """Not an email address or E.164 phone number that could ever be messaged."""


class SuppressionAction(StrEnum):
    SUPPRESS = "suppress"
    LIFT = "lift"


@dataclass(frozen=True)
class SuppressionChange:
    action: SuppressionAction
    channel: Channel
    address: str  # normalized
    source: str
    reason: str | None = None  # for SUPPRESS

    @property
    def masked_address(self) -> str:
        return mask_address(self.channel, self.address)


def normalize_address(channel: Channel, address: str) -> str:
    """E.164 for phones (`+86 138-0013-8000` -> `+8613800138000`), lower case for email."""
    if channel is Channel.SMS:
        phone = "".join(character for character in address if character not in " -().\u00a0\t")
        digits = phone[1:]
        if not phone.startswith("+") or not digits.isascii() or not digits.isdigit():
            raise InvalidAddress("not an E.164 phone number")
        if not 7 <= len(digits) <= 15 or digits[0] == "0":
            raise InvalidAddress("not an E.164 phone number")
        return phone
    email = parseaddr(address)[1] if "<" in address else address
    email = email.strip().lower()
    local, at, domain = email.rpartition("@")
    if not at or not local or not domain or any(character.isspace() for character in email):
        raise InvalidAddress("not an email address")
    return email


def mask_address(channel: Channel, address: str) -> str:
    return mask_phone(address) if channel is Channel.SMS else mask_email(address)


def keyword_of(text: str) -> str:
    """The reply reduced to what keyword matching compares: `" stop! "` -> `"STOP"`; full-width
    letters and spaces fold to ASCII (NFKC)."""
    folded = unicodedata.normalize("NFKC", text).upper()
    compact = "".join(character for character in folded if not character.isspace())
    start, end = 0, len(compact)
    while start < end and unicodedata.category(compact[start]).startswith("P"):
        start += 1
    while end > start and unicodedata.category(compact[end - 1]).startswith("P"):
        end -= 1
    return compact[start:end]


def _reply_action(text: str) -> SuppressionAction | None:
    keyword = keyword_of(text)
    if keyword in OPT_OUT_KEYWORDS:
        return SuppressionAction.SUPPRESS
    if keyword in OPT_IN_KEYWORDS:
        return SuppressionAction.LIFT
    return None


def sms_reply_change(reply: InboundSms) -> SuppressionChange | None:
    """SUPPRESS for an opt-out reply, LIFT for an opt-in reply, None for anything else."""
    action = _reply_action(reply.message_body)
    if action is None:
        return None
    return SuppressionChange(
        action=action,
        channel=Channel.SMS,
        address=normalize_address(Channel.SMS, reply.origination_number),
        source=SOURCE_SNS_INBOUND,
        reason=REASON_SMS_STOP if action is SuppressionAction.SUPPRESS else None,
    )


def email_feedback_changes(feedback: EmailFeedback) -> list[SuppressionChange]:
    """One SUPPRESS per recipient of a permanent bounce or a complaint; nothing for other events."""
    if feedback.event_type == BOUNCE_EVENT and feedback.bounce is not None:
        if feedback.bounce.bounce_type != PERMANENT_BOUNCE:
            return []
        reason, recipients = REASON_BOUNCE, feedback.bounce.bounced_recipients
    elif feedback.event_type == COMPLAINT_EVENT and feedback.complaint is not None:
        reason, recipients = REASON_COMPLAINT, feedback.complaint.complained_recipients
    else:
        return []
    addresses = dict.fromkeys(normalize_address(Channel.EMAIL, r.email_address) for r in recipients)
    return [
        SuppressionChange(
            action=SuppressionAction.SUPPRESS,
            channel=Channel.EMAIL,
            address=address,
            source=SOURCE_SES_FEEDBACK,
            reason=reason,
        )
        for address in addresses
    ]


def apply_suppression_changes(
    changes: Iterable[SuppressionChange], suppressions: SuppressionList, at: str
) -> None:
    """Write each change; every store call is idempotent, so a redelivered message is harmless."""
    for change in changes:
        if change.action is SuppressionAction.SUPPRESS:
            suppressions.suppress(change.channel, change.address, change.reason or "", change.source, at)
        else:
            suppressions.lift(change.channel, change.address)
