"""The Exceptions pages with fakes: the queue (soonest due first, filters, owner and countdown), an
exception's page, and its actions (assign, contact, wait, reship, refund, resolve) on its timeline
with the operator's name; an agent's refund above the threshold is a 403 that changes nothing, a
manager's goes through; an action on a resolved exception is a 409 page that changes nothing."""

from __future__ import annotations

from typing import Any

from console.ports import ConsoleServices
from delivery_exceptions.models.records import ExceptionRecord, ExceptionStatus
from tests.fakes.orders import FrozenClock
from tests.unit.console.after_sales_fakes import CUP, Desk, opened_exception, wire
from tests.unit.console.conftest import mint
from tests.unit.console.test_routes import csrf_fields, request

MANAGER = {"cognito:groups": ["manager"], "cognito:username": "manager@local", "sub": "sub-manager"}


def post(
    services: ConsoleServices, exception: ExceptionRecord, action: str, token: str, **fields: str
) -> dict[str, Any]:
    path = f"/console/exceptions/{exception.exception_id}"
    form = request(services, "GET", f"{path}?lang=en", token=token)
    assert form["statusCode"] == 200, form["body"][:400]
    return request(
        services, "POST", f"{path}/{action}?lang=en", {**csrf_fields(form["body"]), **fields}, token=token
    )


def stored(desk: Desk, exception: ExceptionRecord) -> ExceptionRecord:
    return desk.exceptions.items[exception.exception_id]


def test_the_queue_is_soonest_due_first_with_owner_countdown_and_filters(
    services: ConsoleServices, clock: FrozenClock
) -> None:
    desk = wire(services)
    overdue = opened_exception(services, desk, clock, hours_ago=5, shipment_id="shp_old")  # due 4 h after
    fresh = opened_exception(services, desk, clock, hours_ago=0.5, shipment_id="shp_new")
    token = mint(clock)
    body = request(services, "GET", "/console/exceptions?lang=en", token=token)["body"]
    assert body.index(overdue.exception_id) < body.index(fresh.exception_id)
    assert "overdue by 1 h 0 min" in body and "due in 3 h 30 min" in body and overdue.assignee in body
    only_overdue = request(services, "GET", "/console/exceptions?lang=en&overdue=1", token=token)["body"]
    assert overdue.exception_id in only_overdue and fresh.exception_id not in only_overdue
    assert (
        "No delivery exceptions match."
        in request(services, "GET", "/console/exceptions?lang=en&mine=1", token=token)["body"]
    )
    assert post(services, fresh, "assign", token, assignee="agent@local")["statusCode"] == 303
    mine = request(services, "GET", "/console/exceptions?lang=en&mine=1&reason=address_problem", token=token)
    assert fresh.exception_id in mine["body"] and overdue.exception_id not in mine["body"]
    assert request(services, "GET", "/console/exceptions?reason=nope", token=token)["statusCode"] == 400
    zh = request(services, "GET", "/console/exceptions", token=token)["body"]
    assert "配送异常" in zh and "已超时 1 小时 0 分钟" in zh


def test_the_exception_page_links_the_order_and_assigning_is_on_the_timeline(
    services: ConsoleServices, clock: FrozenClock
) -> None:
    desk = wire(services)
    exception = opened_exception(services, desk, clock)
    token = mint(clock)
    page = request(services, "GET", f"/console/exceptions/{exception.exception_id}?lang=en", token=token)
    body = page["body"]
    assert page["statusCode"] == 200 and f"/console/orders/{exception.order_id}" in body
    assert "address_problem" in body and "shp_1" in body and 'name="reship.CUP-CELADON"' in body
    assert post(services, exception, "assign", token, assignee="ops-lin")["statusCode"] == 303
    assigned = stored(desk, exception)
    assert assigned.assignee == "ops-lin" and assigned.status == ExceptionStatus.IN_PROGRESS
    assert (assigned.timeline[-1].action, assigned.timeline[-1].by) == ("assigned", "agent@local")
    assert post(services, exception, "assign", token, assignee="")["statusCode"] == 400


def test_contacting_the_customer_once_per_form_and_waiting_for_the_carrier(
    services: ConsoleServices, clock: FrozenClock
) -> None:
    desk = wire(services)
    exception = opened_exception(services, desk, clock)
    token = mint(clock)
    path = f"/console/exceptions/{exception.exception_id}"
    form = csrf_fields(request(services, "GET", path, token=token)["body"])
    fields = {**form, "message": "Please confirm your building number."}
    assert request(services, "POST", f"{path}/contact_customer", fields, token=token)["statusCode"] == 303
    assert request(services, "POST", f"{path}/contact_customer", fields, token=token)["statusCode"] == 303
    contacts = [e for e in stored(desk, exception).timeline if e.action == "contact_customer"]
    assert len(contacts) == 1 and contacts[0].by == "agent@local"
    assert {e.event_type for e in desk.events.published} == {"exception.customer_contacted"}
    assert post(services, exception, "contact_customer", token, message="")["statusCode"] == 400
    assert post(services, exception, "wait_for_carrier", token, hours="0")["statusCode"] == 400
    assert (
        post(services, exception, "wait_for_carrier", token, hours="48", note="carrier asked")["statusCode"]
        == 303
    )
    waiting = stored(desk, exception)
    assert waiting.status == ExceptionStatus.WAITING_CARRIER and waiting.due_at.startswith("2026-11-26T10:00")


def test_reshipping_goes_through_the_replacements_port(services: ConsoleServices, clock: FrozenClock) -> None:
    desk = wire(services)
    exception = opened_exception(services, desk, clock)
    token = mint(clock)
    assert post(services, exception, "reship", token)["statusCode"] == 400  # nothing chosen
    assert post(services, exception, "reship", token, **{f"reship.{CUP}": "1"})["statusCode"] == 303
    [call] = desk.replacements.calls
    assert (call["lines"], call["reason"], call["by"]) == ([(CUP, 1)], "exception", "agent@local")
    assert stored(desk, exception).reshipment_ids == ["rsp_" + "0" * 23 + "1"]


def test_an_agents_refund_above_the_threshold_needs_a_manager(
    services: ConsoleServices, clock: FrozenClock
) -> None:
    desk = wire(services)
    exception = opened_exception(services, desk, clock)
    agent = mint(clock)
    page = request(services, "GET", f"/console/exceptions/{exception.exception_id}?lang=en", token=agent)
    assert "A refund above 100 CNY needs a manager" in page["body"]
    refused = post(services, exception, "refund", agent, amount="150.00")
    assert refused["statusCode"] == 403 and "needs a manager&#39;s approval" in refused["body"]
    assert stored(desk, exception) == exception and desk.events.published == []
    assert post(services, exception, "refund", agent, amount="20.00")["statusCode"] == 303
    manager = mint(clock, **MANAGER)
    too_much = post(services, exception, "refund", manager, amount="300.00")  # above the order total
    assert too_much["statusCode"] == 422
    assert post(services, exception, "refund", manager, amount="150.00")["statusCode"] == 303
    refunds = stored(desk, exception).refunds
    assert [(r.amount, r.by) for r in refunds] == [("20.00", "agent@local"), ("150.00", "manager@local")]


def test_a_resolved_exception_takes_no_more_actions(services: ConsoleServices, clock: FrozenClock) -> None:
    desk = wire(services)
    exception = opened_exception(services, desk, clock)
    token = mint(clock)
    assert post(services, exception, "resolve", token, note="address fixed")["statusCode"] == 303
    resolved = stored(desk, exception)
    assert resolved.status == ExceptionStatus.RESOLVED and resolved.timeline[-1].by == "agent@local"
    path = f"/console/exceptions/{exception.exception_id}"
    fields = csrf_fields(request(services, "GET", path, token=token)["body"])
    again = request(services, "POST", f"{path}/contact_customer", {**fields, "message": "hi"}, token=token)
    assert again["statusCode"] == 409 and stored(desk, exception) == resolved
    assert request(services, "GET", "/console/exceptions/exc_nope", token=token)["statusCode"] == 404
