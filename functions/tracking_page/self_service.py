"""What a customer can do from the tracking link without an account: report a problem (a
complaint), ask to return delivered items within the return window, and choose how they hear from
us (channels, quiet hours, unsubscribe from everything).

Each action is a pure function of the order, the submitted form and the ports, through the
existing domains: `service.domain.complaints.open_complaint`, `service.domain.returns.request_return`
(its window and quantity rules) and the notification preferences. A form's nonce is the action's
idempotency key, so a form sent twice acts once. Bad input raises `FormRejected`: nothing changes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from pydantic import ValidationError

from notifications.domain.ports import PreferenceStore
from notifications.domain.preferences import ChannelSwitches, CustomerPreferences, QuietHours
from orders.models.order import OrderRecord, OrderStatus
from service.domain.complaints import open_complaint
from service.domain.errors import ReturnNotAllowed, ReturnQuantityExceeded
from service.domain.ports import ComplaintStore, CustomerEvents, ReturnStore
from service.domain.returns import delivered_at, request_return
from service.domain.rules import ServiceRules
from service.models.records import ReturnLine
from shared.clock import Clock, isoformat
from shared.errors import Conflict, IdempotencyKeyReused
from tracking_page.forms import NotificationsForm, ProblemForm, ReturnForm

Action = Literal["problem", "return", "notifications", "unsubscribe"]
ACTIONS: tuple[Action, ...] = ("problem", "return", "notifications", "unsubscribe")


class FormRejected(Exception):
    """The form cannot be acted on; `reason` names why (a text key), `status` the HTTP status."""

    def __init__(self, reason: str, status: int = 400) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


@dataclass(frozen=True)
class SelfServicePorts:
    preferences: PreferenceStore
    complaints: ComplaintStore
    returns: ReturnStore
    events: CustomerEvents
    rules: ServiceRules


@dataclass(frozen=True)
class Done:
    """What an action did, for the confirmation page: `kind` names the message."""

    kind: str
    reference: str | None = None  # complaint or return id


# --- what the page offers -----------------------------------------------------------------------


@dataclass(frozen=True)
class ReturnOffer:
    open: bool
    closes_at: datetime | None  # the window's end, when delivered
    returnable: dict[str, int]  # SKU -> units that can still be returned


def return_offer(order: OrderRecord, ports: SelfServicePorts, now: datetime) -> ReturnOffer:
    if order.status != OrderStatus.DELIVERED:
        return ReturnOffer(False, None, {})
    closes = delivered_at(order) + timedelta(days=ports.rules.return_window_days)
    tally, _ = ports.returns.returned_quantities(order.order_id)
    returnable = {
        sku: quantity - tally.get(sku, 0)
        for sku, quantity in order.quantities_by_sku().items()
        if quantity - tally.get(sku, 0) > 0
    }
    return ReturnOffer(now <= closes and bool(returnable), closes, returnable)


def current_preferences(order: OrderRecord, ports: SelfServicePorts) -> CustomerPreferences:
    stored = ports.preferences.get(order.customer.id)
    if stored is None:
        return CustomerPreferences()
    return CustomerPreferences.model_validate(
        stored.model_dump(include=set(CustomerPreferences.model_fields))
    )


# --- the actions ----------------------------------------------------------------------------------


def _form_hash(*parts: str) -> str:
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def report_problem(
    order: OrderRecord, fields: dict[str, list[str]], nonce: str, ports: SelfServicePorts, clock: Clock
) -> Done:
    try:
        form = ProblemForm.parse(fields)
    except ValueError:
        raise FormRejected("problem_invalid") from None
    try:
        opened = open_complaint(
            order=order,
            category=form.category,
            description=form.description,
            source="customer_link",
            idempotency_key=f"tracking-page:{order.order_id}:{nonce}",
            request_hash=_form_hash(form.category.value, form.description),
            store=ports.complaints,
            rules=ports.rules,
            clock=clock,
        )
    except IdempotencyKeyReused:
        raise FormRejected("resubmitted", 409) from None
    return Done("problem_reported", opened.complaint.complaint_id)


def ask_for_return(
    order: OrderRecord, fields: dict[str, list[str]], nonce: str, ports: SelfServicePorts, clock: Clock
) -> Done:
    try:
        form = ReturnForm.parse(fields)
    except ValueError:
        raise FormRejected("return_invalid") from None
    lines = [ReturnLine(sku=sku, quantity=quantity) for sku, quantity in sorted(form.quantities.items())]
    try:
        record, _ = request_return(
            order,
            lines,
            form.reason,
            f"tracking-page:{nonce}",
            ports.returns,
            ports.events,
            ports.rules,
            clock,
            reason_code=form.reason_code,
        )
    except ReturnNotAllowed:
        raise FormRejected("return_closed", 409) from None
    except ReturnQuantityExceeded:
        raise FormRejected("return_too_many", 409) from None
    except IdempotencyKeyReused:
        raise FormRejected("resubmitted", 409) from None
    except Conflict:
        raise FormRejected("busy", 409) from None
    return Done("return_requested", record.return_id)


def change_notifications(
    order: OrderRecord, fields: dict[str, list[str]], ports: SelfServicePorts, clock: Clock
) -> Done:
    try:
        form = NotificationsForm.parse(fields)
        current = current_preferences(order, ports)
        quiet = (
            QuietHours(start=form.quiet_start, end=form.quiet_end)
            if form.quiet_start is not None and form.quiet_end is not None
            else None
        )
        wanted = current.model_copy(
            update={"channels": ChannelSwitches(email=form.email, sms=form.sms), "quiet_hours": quiet}
        )
    except (ValueError, ValidationError):
        raise FormRejected("notifications_invalid") from None
    ports.preferences.put(order.customer.id, wanted, isoformat(clock.now()))
    return Done("notifications_saved")


def unsubscribe_everything(order: OrderRecord, ports: SelfServicePorts, clock: Clock) -> Done:
    """Both channels off (quiet hours and language kept): the customer hears nothing more."""
    current = current_preferences(order, ports)
    if current.channels.email or current.channels.sms:
        wanted = current.model_copy(update={"channels": ChannelSwitches(email=False, sms=False)})
        ports.preferences.put(order.customer.id, wanted, isoformat(clock.now()))
    return Done("unsubscribed")
