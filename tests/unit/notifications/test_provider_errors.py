"""SES/SNS failures sorted into retry / do-not-retry by the adapters (fake clients, no network), and
the retries they make themselves: only those that cannot send a message twice."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)

from notifications.adapters.delivery_confirmations import CONFIRMATION_SECONDS
from notifications.adapters.log_entry_records import LogEntryPersistenceLayer
from notifications.adapters.provider_errors import PROVIDER_ATTEMPTS
from notifications.adapters.ses_email import SesEmailSender
from notifications.adapters.sns_sms import SnsSmsSender
from notifications.domain.errors import DeliveryOutcomeUnknown, DeliveryRejected, DeliveryUnavailable
from notifications.domain.model import Channel, EmailMessage
from shared.errors import RetryableError
from tests.unit.notifications.test_log_entry_records import ENTRY


def client_error(code: str, status: int, operation: str) -> ClientError:
    response: Any = {
        "Error": {"Code": code, "Message": "Invalid parameter: PhoneNumber +8613800138000"},
        "ResponseMetadata": {"HTTPStatusCode": status},
    }
    return ClientError(response, operation)


class FailingClient:
    """Raises `errors` one per call, then answers; counts the calls (each one a request sent)."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    def _answer(self, answer: dict[str, Any]) -> Any:
        self.calls += 1
        if self.errors:
            error = self.errors[0] if len(self.errors) == 1 else self.errors.pop(0)
            if not isinstance(error, _Answers):
                raise error
            self.errors = []
        return answer

    def send_email(self, **_: Any) -> Any:
        return self._answer({"MessageId": "ses-1"})

    def publish(self, **_: Any) -> Any:
        return self._answer({"MessageId": "sns-1"})

    def check_if_phone_number_is_opted_out(self, **_: Any) -> Any:
        return self._answer({"isOptedOut": False})


class _Answers(Exception):
    """In `FailingClient(...)`'s list: from here on, the client answers."""


def no_sleep(_: float) -> None:
    return None


def email_sender(client: Any, configuration_set: str | None = None) -> SesEmailSender:
    return SesEmailSender(client, "shop@example.com", configuration_set, sleep=no_sleep)


def sms_sender(client: Any) -> SnsSmsSender:
    return SnsSmsSender(client, sleep=no_sleep)


def lost_answer() -> ReadTimeoutError:
    return ReadTimeoutError(endpoint_url="https://email.us-east-1.amazonaws.com")


MESSAGE = EmailMessage(subject="s", html="<p>h</p>", text="t")


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("Throttling", 400),
        ("Throttled", 429),
        ("ServiceUnavailable", 503),
        ("InternalFailure", 500),
        ("InternalError", 500),
        ("AccessDenied", 403),
        ("AccountSendingPausedException", 400),
    ],
)
def test_throttling_outages_and_configuration_errors_are_retried(code: str, status: int) -> None:
    error = client_error(code, status, "SendEmail")
    with pytest.raises(DeliveryUnavailable) as raised:
        email_sender(FailingClient(error)).send("li.wei@example.com", MESSAGE)
    assert isinstance(raised.value, RetryableError)
    assert raised.value.code == code


@pytest.mark.parametrize("code", ["InvalidParameter", "InvalidParameterValue", "MessageRejected"])
def test_refusals_of_the_message_are_permanent(code: str) -> None:
    error = client_error(code, 400, "Publish")
    with pytest.raises(DeliveryRejected) as raised:
        sms_sender(FailingClient(error)).send("+8613800138000", "hi")
    assert raised.value.code == code
    assert "+86" not in str(raised.value) and raised.value.__cause__ is None  # no PII travels on


def test_connection_failures_are_retried() -> None:
    error = EndpointConnectionError(endpoint_url="https://sns.us-east-1.amazonaws.com")
    with pytest.raises(DeliveryUnavailable):
        sms_sender(FailingClient(error)).is_opted_out("+8613800138000")


def test_invalid_number_in_the_opt_out_check_is_permanent() -> None:
    with pytest.raises(DeliveryRejected):
        sms_sender(
            FailingClient(client_error("InvalidParameter", 400, "CheckIfPhoneNumberIsOptedOut"))
        ).is_opted_out("+1")


@pytest.mark.parametrize(
    "refusal",
    [
        client_error("TooManyRequestsException", 429, "SendEmail"),
        client_error("Throttling", 400, "SendEmail"),
        client_error("InternalFailure", 500, "SendEmail"),
        EndpointConnectionError(endpoint_url="https://email.us-east-1.amazonaws.com"),
        ConnectTimeoutError(endpoint_url="https://email.us-east-1.amazonaws.com"),
    ],
)
def test_a_refusal_or_a_request_that_never_left_is_retried_in_process(refusal: Exception) -> None:
    client = FailingClient(refusal, refusal, _Answers())
    assert email_sender(client).send("li.wei@example.com", MESSAGE) == "ses-1"
    assert client.calls == 3


def test_in_process_retries_stop_after_the_attempts_botocore_would_make() -> None:
    client = FailingClient(client_error("Throttled", 429, "Publish"))
    with pytest.raises(DeliveryUnavailable):
        sms_sender(client).send("+8613800138000", "hi")
    assert client.calls == PROVIDER_ATTEMPTS


@pytest.mark.parametrize("code", ["AccessDenied", "MessageRejected"])
def test_a_refusal_a_retry_cannot_change_is_made_once(code: str) -> None:
    client = FailingClient(client_error(code, 400 if code == "MessageRejected" else 403, "SendEmail"))
    with pytest.raises((DeliveryUnavailable, DeliveryRejected)):
        email_sender(client).send("li.wei@example.com", MESSAGE)
    assert client.calls == 1


@pytest.mark.parametrize(
    "lost",
    [lost_answer(), ConnectionClosedError(endpoint_url="https://sns.us-east-1.amazonaws.com")],
)
def test_a_send_whose_answer_was_lost_is_not_repeated_and_its_outcome_is_unknown(lost: Exception) -> None:
    for send in (
        lambda client: email_sender(client).send("li.wei@example.com", MESSAGE),
        lambda client: sms_sender(client).send("+8613800138000", "hi"),
    ):
        client = FailingClient(lost, _Answers())
        with pytest.raises(DeliveryOutcomeUnknown) as raised:
            send(client)
        assert client.calls == 1  # one request: it may have been accepted
        assert isinstance(raised.value, RetryableError)


def test_a_lost_answer_waits_for_ses_word_only_for_an_email_that_carries_the_entry_tags() -> None:
    entry = replace(ENTRY, channel=Channel.EMAIL)
    layer = LogEntryPersistenceLayer("OrdersTable", client=None)
    with layer.delivering(entry, lambda _: entry):  # within a delivery: the email names its entry
        with pytest.raises(DeliveryOutcomeUnknown) as tagged:
            email_sender(FailingClient(lost_answer()), "Notifications").send("li.wei@example.com", MESSAGE)
        with pytest.raises(DeliveryOutcomeUnknown) as untagged:  # no configuration set: no Send event
            email_sender(FailingClient(lost_answer())).send("li.wei@example.com", MESSAGE)
    with pytest.raises(DeliveryOutcomeUnknown) as sms:
        sms_sender(FailingClient(lost_answer())).send("+8613800138000", "hi")
    assert tagged.value.confirm_within_seconds == CONFIRMATION_SECONDS
    assert tagged.value.retry_after_seconds > CONFIRMATION_SECONDS
    assert untagged.value.confirm_within_seconds == 0 and untagged.value.retry_after_seconds == 0
    assert sms.value.confirm_within_seconds == 0


def test_a_lost_answer_to_the_opt_out_lookup_is_retried() -> None:
    client = FailingClient(lost_answer(), _Answers())
    assert sms_sender(client).is_opted_out("+8613800138000") is False
    assert client.calls == 2


def test_the_worker_waits_for_ses_word_as_long_as_the_adapter_does_by_default() -> None:
    from notifications.models.settings import NotificationSettings

    assert NotificationSettings.model_fields["ses_confirmation_seconds"].default == CONFIRMATION_SECONDS
