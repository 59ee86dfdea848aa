"""The Returns pages with fakes: the queue by status (with the needs-manager mark), a return's page,
and its actions (approve, reject, receive per condition, refund) on the return's history with the
operator's name; an agent's refund above the threshold is a 403 that changes nothing, a manager's
goes through; an illegal move is a 409 page that changes nothing."""

from __future__ import annotations

from typing import Any

from console.ports import ConsoleServices
from service.models.records import ReturnRecord, ReturnStatus
from tests.fakes.orders import FrozenClock
from tests.unit.console.after_sales_fakes import CUP, TEA, Desk, requested, wire
from tests.unit.console.conftest import mint
from tests.unit.console.test_routes import csrf_fields, request

MANAGER = {"cognito:groups": ["manager"], "cognito:username": "manager@local", "sub": "sub-manager"}


def page_of(record: ReturnRecord) -> str:
    return f"/console/returns/{record.order_id}/{record.return_id}"


def post(
    services: ConsoleServices, record: ReturnRecord, action: str, token: str, **fields: str
) -> dict[str, Any]:
    form = request(services, "GET", f"{page_of(record)}?lang=en", token=token)
    assert form["statusCode"] == 200, form["body"][:400]
    return request(
        services,
        "POST",
        f"{page_of(record)}/{action}?lang=en",
        {**csrf_fields(form["body"]), **fields},
        token=token,
    )


def stored(desk: Desk, record: ReturnRecord) -> ReturnRecord:
    return desk.returns.returns_by_id[record.return_id]


def test_the_queue_lists_requested_returns_by_default_and_marks_those_that_need_a_manager(
    services: ConsoleServices, clock: FrozenClock
) -> None:
    desk = wire(services)
    small = requested(services, desk, clock, {CUP: 1}, key="small")  # 19.90
    large = requested(services, desk, clock, {TEA: 2}, key="large")  # 176.00 > 100
    page = request(services, "GET", "/console/returns?lang=en", token=mint(clock))
    assert page["statusCode"] == 200
    body = page["body"]
    assert small.return_id in body and large.return_id in body and 'aria-current="page">Requested' in body
    card = body[body.index(large.return_id) :][:600]
    assert "Needs manager" in card and "176.00 CNY" in card
    assert "Needs manager" not in body[body.index(small.return_id) :][:300]
    assert "<script" not in body
    empty = request(services, "GET", "/console/returns?lang=en&status=approved", token=mint(clock))
    assert empty["statusCode"] == 200 and "No returns in this status." in empty["body"]
    assert request(services, "GET", "/console/returns?status=lost", token=mint(clock))["statusCode"] == 400
    zh = request(services, "GET", "/console/returns", token=mint(clock))
    assert "退货队列" in zh["body"] and "需主管审批" in zh["body"]


def test_an_agent_approves_a_return_and_the_same_form_sent_again_acts_once(
    services: ConsoleServices, clock: FrozenClock
) -> None:
    desk = wire(services)
    record = requested(services, desk, clock, {TEA: 1, CUP: 1})
    token = mint(clock)
    page = request(services, "GET", f"{page_of(record)}?lang=en", token=token)
    assert "107.90 CNY" in page["body"] and "arrived cracked" in page["body"]
    fields = {**csrf_fields(page["body"]), "note": "photos look right"}
    done = request(services, "POST", f"{page_of(record)}/approve?lang=en", fields, token=token)
    assert done["statusCode"] == 303 and done["headers"]["Location"].endswith("&done=approve")
    approved = stored(desk, record)
    assert approved.status == ReturnStatus.APPROVED and approved.refund.amount == "107.90"  # type: ignore[union-attr]
    assert (approved.history[-1].by, approved.history[-1].note) == ("agent@local", "photos look right")
    again = request(services, "POST", f"{page_of(record)}/approve?lang=en", fields, token=token)
    assert again["statusCode"] == 303 and stored(desk, record).version == approved.version
    shown = request(services, "GET", done["headers"]["Location"], token=token)
    assert "The return is approved." in shown["body"] and 'id="receive-submit"' in shown["body"]


def test_an_illegal_move_is_a_409_page_that_changes_nothing(
    services: ConsoleServices, clock: FrozenClock
) -> None:
    desk = wire(services)
    record = requested(services, desk, clock, {CUP: 1})
    token = mint(clock, **MANAGER)
    refused = post(services, record, "refund", token)
    assert refused["statusCode"] == 409 and "cannot become refunded" in refused["body"]
    received = post(services, record, "receive", token, **{f"resellable.{CUP}": "1"})
    assert received["statusCode"] == 409
    assert stored(desk, record) == record and desk.desk.on_hand[CUP] == 10  # type: ignore[union-attr]


def test_rejecting_needs_a_reason_and_is_on_the_history(
    services: ConsoleServices, clock: FrozenClock
) -> None:
    desk = wire(services)
    record = requested(services, desk, clock, {CUP: 1})
    token = mint(clock)
    assert post(services, record, "reject", token, note="")["statusCode"] == 400
    assert stored(desk, record).status == ReturnStatus.REQUESTED
    assert post(services, record, "reject", token, note="outside policy")["statusCode"] == 303
    rejected = stored(desk, record)
    assert rejected.status == ReturnStatus.REJECTED and rejected.history[-1].by == "agent@local"
    assert rejected.history[-1].note == "outside policy"


def test_receiving_one_resellable_and_one_damaged_unit_restocks_only_the_resellable_one(
    services: ConsoleServices, clock: FrozenClock
) -> None:
    desk = wire(services)
    record = requested(services, desk, clock, {CUP: 2})
    token = mint(clock)
    assert post(services, record, "approve", token)["statusCode"] == 303
    mismatch = post(services, record, "receive", token, **{f"resellable.{CUP}": "2", f"damaged.{CUP}": "1"})
    assert mismatch["statusCode"] == 409 and "exactly the return" in mismatch["body"]
    assert post(services, record, "receive", token, **{f"resellable.{CUP}": "x"})["statusCode"] == 400
    assert stored(desk, record).status == ReturnStatus.APPROVED and desk.desk.on_hand[CUP] == 10  # type: ignore[union-attr]
    done = post(services, record, "receive", token, **{f"resellable.{CUP}": "1", f"damaged.{CUP}": "1"})
    assert done["statusCode"] == 303
    received = stored(desk, record)
    assert received.status == ReturnStatus.RECEIVED and received.history[-1].by == "agent@local"
    assert desk.desk.on_hand[CUP] == 11 and desk.desk.damaged_returns[CUP] == 1  # type: ignore[union-attr]
    assert {(line.condition, line.quantity) for line in received.lines} == {("resellable", 1), ("damaged", 1)}


def test_an_agents_refund_above_the_threshold_needs_a_manager_who_can_issue_it(
    services: ConsoleServices, clock: FrozenClock
) -> None:
    desk = wire(services)
    record = requested(services, desk, clock, {TEA: 2})  # 176.00 CNY, threshold 100 CNY
    agent = mint(clock)
    assert post(services, record, "approve", agent)["statusCode"] == 303
    assert post(services, record, "receive", agent, **{f"resellable.{TEA}": "2"})["statusCode"] == 303
    before = stored(desk, record)
    page = request(services, "GET", f"{page_of(record)}?lang=en", token=agent)
    assert "only a manager can issue it" in page["body"]
    refused = post(services, record, "refund", agent)
    assert refused["statusCode"] == 403 and "needs a manager&#39;s approval" in refused["body"]
    partial_above = post(services, record, "refund", agent, amount="150.00", reason="scratched box")
    assert partial_above["statusCode"] == 403
    assert stored(desk, record) == before
    # an agent may refund up to the threshold (a partial refund with its reason)
    manager = mint(clock, **MANAGER)
    no_reason = post(services, record, "refund", manager, amount="150.00")
    assert no_reason["statusCode"] == 422 and "needs its reason" in no_reason["body"]
    assert post(services, record, "refund", manager)["statusCode"] == 303
    refunded = stored(desk, record)
    assert refunded.status == ReturnStatus.REFUNDED and refunded.refunded.amount == "176.00"  # type: ignore[union-attr]
    assert refunded.history[-1].by == "manager@local"
    assert [e.event_type for e in desk.events.published][-1] == "return.refunded"


def test_an_agent_refunds_below_the_threshold(services: ConsoleServices, clock: FrozenClock) -> None:
    desk = wire(services)
    record = requested(services, desk, clock, {CUP: 2})  # 39.80 CNY
    agent = mint(clock)
    post(services, record, "approve", agent)
    post(services, record, "receive", agent, **{f"resellable.{CUP}": "2"})
    done = post(services, record, "refund", agent, amount="30.00", reason="one scuffed")
    assert done["statusCode"] == 303
    refunded = stored(desk, record)
    assert (refunded.refunded.amount, refunded.refund_reason) == ("30.00", "one scuffed")  # type: ignore[union-attr]


def test_unknown_returns_and_forged_posts_change_nothing(
    services: ConsoleServices, clock: FrozenClock
) -> None:
    desk = wire(services)
    record = requested(services, desk, clock, {CUP: 1})
    token = mint(clock)
    assert (
        request(services, "GET", f"/console/returns/{record.order_id}/ret_nope", token=token)["statusCode"]
        == 404
    )
    forged = {"nonce": "n" * 22, "issued": "1795000000", "csrf": "x"}
    response = request(services, "POST", f"{page_of(record)}/approve", forged, token=token)
    assert response["statusCode"] == 403 and stored(desk, record) == record
