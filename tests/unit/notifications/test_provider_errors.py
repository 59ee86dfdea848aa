"""SES/SNS failures sorted into retry / do-not-retry by the adapters (fake clients, no network)."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from notifications.adapters.ses_email import SesEmailSender
from notifications.adapters.sns_sms import SnsSmsSender
from notifications.domain.errors import DeliveryRejected, DeliveryUnavailable
from notifications.domain.model import EmailMessage
from shared.errors import RetryableError


def client_error(code: str, status: int, operation: str) -> ClientError:
    response: Any = {
        "Error": {"Code": code, "Message": "Invalid parameter: PhoneNumber +8613800138000"},
        "ResponseMetadata": {"HTTPStatusCode": status},
    }
    return ClientError(response, operation)


class FailingClient:
    def __init__(self, error: Exception) -> None:
        self.error = error

    def send_email(self, **_: Any) -> Any:
        raise self.error

    def publish(self, **_: Any) -> Any:
        raise self.error

    def check_if_phone_number_is_opted_out(self, **_: Any) -> Any:
        raise self.error


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
        SesEmailSender(FailingClient(error), "shop@example.com").send("li.wei@example.com", MESSAGE)
    assert isinstance(raised.value, RetryableError)
    assert raised.value.code == code


@pytest.mark.parametrize("code", ["InvalidParameter", "InvalidParameterValue", "MessageRejected"])
def test_refusals_of_the_message_are_permanent(code: str) -> None:
    error = client_error(code, 400, "Publish")
    with pytest.raises(DeliveryRejected) as raised:
        SnsSmsSender(FailingClient(error)).send("+8613800138000", "hi")
    assert raised.value.code == code
    assert "+86" not in str(raised.value) and raised.value.__cause__ is None  # no PII travels on


def test_connection_failures_are_retried() -> None:
    error = EndpointConnectionError(endpoint_url="https://sns.us-east-1.amazonaws.com")
    with pytest.raises(DeliveryUnavailable):
        SnsSmsSender(FailingClient(error)).is_opted_out("+8613800138000")


def test_invalid_number_in_the_opt_out_check_is_permanent() -> None:
    with pytest.raises(DeliveryRejected):
        SnsSmsSender(
            FailingClient(client_error("InvalidParameter", 400, "CheckIfPhoneNumberIsOptedOut"))
        ).is_opted_out("+1")
