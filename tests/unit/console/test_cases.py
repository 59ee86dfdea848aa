"""The console's Cases pages with fakes: the queue (p1 first, then due time) with its countdown from
the console's clock and its filters, the case page showing only the moves its status allows, every
move on the case's timeline with the operator's name, the customer hearing replies and never
notes, a CSRF-less post and an illegal move refused without a change."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from console.adapters.cases import ServiceCaseDesk, signed_answer_links
from console.cases_queue import countdown
from console.ports import ConsoleServices
from console.views.cases import WORDS
from service.domain.complaints import open_complaint
from service.domain.rules import ServiceRules
from service.models.records import ComplaintCategory, ComplaintStatus, Priority
from tests.fakes.orders import FrozenClock
from tests.unit.console.conftest import mint
from tests.unit.console.test_routes import csrf_fields, request
from tests.unit.service.fakes import InMemoryService, RecordingEvents, delivered_order

RULES = ServiceRules()  # p1 due in 4 h, p2 in 24 h, p3 in 72 h
LINK_KEY = "l" * 32


@pytest.fixture
def store() -> InMemoryService:
    return InMemoryService()


@pytest.fixture
def events() -> RecordingEvents:
    return RecordingEvents()


@pytest.fixture
def cases(services: ConsoleServices, store: InMemoryService, events: RecordingEvents) -> ConsoleServices:
    services.cases = ServiceCaseDesk(
        store, events, RULES, services.clock, signed_answer_links(lambda: LINK_KEY, RULES.case_answer_days)
    )
    return services


def opened(
    store: InMemoryService,
    clock: FrozenClock,
    key: str,
    category: ComplaintCategory = ComplaintCategory.DAMAGE,
    minutes_ago: int = 0,
    total: str = "176.00",
) -> str:
    order = delivered_order("ord_" + key.ljust(24, "x"), total=total, customer_id=f"cust-{key}")
    case = open_complaint(
        order=order,
        category=category,
        description=f"About {key}.",
        source="storefront",
        idempotency_key=key,
        request_hash=key,
        store=store,
        rules=RULES,
        clock=FrozenClock(clock.now() - timedelta(minutes=minutes_ago)),
    ).complaint
    return case.complaint_id


def agent(clock: FrozenClock) -> str:
    return mint(clock)


def manager(clock: FrozenClock) -> str:
    return mint(
        clock, sub="sub-manager", **{"cognito:groups": ["manager"], "cognito:username": "manager@local"}
    )


def post(services: ConsoleServices, token: str, case_id: str, action: str, **fields: str) -> dict[str, Any]:
    page = request(services, "GET", f"/console/cases/{case_id}?lang=en", token=token)
    assert page["statusCode"] == 200, page["body"][:300]
    return request(
        services,
        "POST",
        f"/console/cases/{case_id}/{action}?lang=en",
        {**csrf_fields(page["body"]), **fields},
        token=token,
    )


def timeline(store: InMemoryService, case_id: str) -> list[tuple[str, str, str | None]]:
    case = store.case(case_id)
    assert case is not None
    return [(entry.type, entry.by, entry.text) for entry in case[1]]


# the queue ----------------------------------------------------------------------------------------


def test_the_queue_lists_p1_first_then_by_due_time_with_a_countdown(
    cases: ConsoleServices, store: InMemoryService, clock: FrozenClock
) -> None:
    # Given a p3 delay opened an hour ago, a p2 damage opened 25 h ago (overdue) and a p1 (high value)
    late_p3 = opened(store, clock, "delay", ComplaintCategory.DELIVERY_DELAY, minutes_ago=60)
    overdue_p2 = opened(store, clock, "dented", minutes_ago=25 * 60 + 40)
    urgent_p1 = opened(store, clock, "costly", total="5000.00", minutes_ago=48)
    assert store.complaint(urgent_p1).priority == Priority.P1  # type: ignore[union-attr]

    # When an agent opens the queue
    page = request(cases, "GET", "/console/cases?lang=en", token=agent(clock))

    # Then p1 comes first, then by due time, each with its countdown from the console's clock
    assert page["statusCode"] == 200
    body = page["body"]
    assert body.index(urgent_p1) < body.index(overdue_p2) < body.index(late_p3)
    assert "due in 3 h 12 min" in body  # p1: 4 h from 48 min ago
    assert "overdue by 1 h 40 min" in body  # p2: 24 h from 25 h 40 min ago
    assert "due in 2 d 23 h" in body  # p3: 72 h from an hour ago
    assert 'href="/console/orders/ord_delay' in body and "Delivery delay" in body
    zh = request(cases, "GET", "/console/cases", token=agent(clock))["body"]
    assert "剩余 3 小时 12 分钟" in zh and "已超时 1 小时 40 分钟" in zh


def test_countdown_words() -> None:
    now = FrozenClock().now()
    due = (now + timedelta(minutes=5, seconds=59)).isoformat()
    assert countdown(due, now, WORDS["en"]) == "due in 5 min"
    assert countdown((now - timedelta(minutes=40)).isoformat(), now, WORDS["en"]) == "overdue by 40 min"
    assert (
        countdown((now + timedelta(days=3, hours=2)).isoformat(), now, WORDS["zh-CN"]) == "剩余 3 天 2 小时"
    )
    assert WORDS["en"].keys() == WORDS["zh-CN"].keys()


def test_the_queue_filters_by_status_priority_mine_and_overdue(
    cases: ConsoleServices, store: InMemoryService, clock: FrozenClock
) -> None:
    mine = opened(store, clock, "mine", minutes_ago=10)
    theirs = opened(store, clock, "theirs", ComplaintCategory.DELIVERY_DELAY, minutes_ago=73 * 60)
    fresh = opened(store, clock, "fresh", ComplaintCategory.WRONG_ITEM)
    token = agent(clock)
    post(cases, token, mine, "assign", to="me")
    post(cases, token, theirs, "assign", assignee="ops-7")

    def listed(query: str) -> set[str]:
        body = request(cases, "GET", f"/console/cases?lang=en{query}", token=token)["body"]
        return {case for case in (mine, theirs, fresh) if case in body}

    assert listed("") == {fresh}  # the open queue: assigned cases are in progress
    assert listed("&status=in_progress") == {mine, theirs}
    assert listed("&mine=1") == {mine}
    assert listed("&overdue=1") == {theirs}  # 72 h for a p3, opened 73 h ago
    assert listed("&status=in_progress&priority=p3") == {theirs}
    assert listed("&status=nonsense") == {fresh}  # an unknown value is no filter
    page = request(cases, "GET", "/console/cases?lang=en&mine=1", token=token)["body"]
    # the filter links keep the other filters and mark the current one
    assert 'href="/console/cases?lang=en&amp;mine=1&amp;overdue=1"' in page
    assert 'aria-current="page">Assigned to me' in page


def test_the_queue_pages_with_a_cursor_and_a_foreign_cursor_is_a_400(
    cases: ConsoleServices, clock: FrozenClock
) -> None:
    seen: list[Any] = []

    class PagedDesk:
        def queue(self, query: Any) -> tuple[list[Any], str | None]:
            seen.append(query)
            if query.cursor == "bad":
                from shared.errors import InvalidRequest

                raise InvalidRequest("The cursor is not one this route returned.")
            return [], None if query.cursor else "1.abc"

    cases.cases = PagedDesk()  # type: ignore[assignment]
    first = request(cases, "GET", "/console/cases?lang=en&priority=p2", token=agent(clock))["body"]
    assert 'href="/console/cases?lang=en&amp;priority=p2&amp;cursor=1.abc" rel="next"' in first
    assert seen[0].limit == 25 and seen[0].statuses == ("open",) and seen[0].priority == "p2"
    second = request(cases, "GET", "/console/cases?lang=en&priority=p2&cursor=1.abc", token=agent(clock))
    assert second["statusCode"] == 200 and seen[1].cursor == "1.abc" and 'rel="next"' not in second["body"]
    bad = request(cases, "GET", "/console/cases?lang=en&cursor=bad", token=agent(clock))
    assert bad["statusCode"] == 400 and "The cursor is not one this route returned." in bad["body"]


# the case page and its moves --------------------------------------------------------------------


def test_an_agent_assigns_notes_replies_and_resolves_all_on_the_timeline(
    cases: ConsoleServices, store: InMemoryService, events: RecordingEvents, clock: FrozenClock
) -> None:
    case_id = opened(store, clock, "work")
    token = agent(clock)
    page = request(cases, "GET", f"/console/cases/{case_id}?lang=en", token=token)["body"]
    assert "Assign to me" in page and "Resolve" in page and "Reopen" not in page and "Close case" not in page
    assert 'href="/console/customers/cust-work?lang=en"' in page and "About work." in page

    # When the agent assigns it to themself, adds a note, replies and resolves it
    for action, fields in (
        ("assign", {"to": "me"}),
        ("note", {"text": "VIP, handle with care"}),
        ("reply", {"text": "A new tin is on its way."}),
        ("resolve", {"text": "Replacement sent."}),
    ):
        response = post(cases, token, case_id, action, **fields)
        assert response["statusCode"] == 303, (action, response["body"][:400])
        assert response["headers"]["Location"] == f"/console/cases/{case_id}?lang=en&done={action}"

    # Then every move is on the case's timeline with the operator's name
    assert timeline(store, case_id) == [
        ("opened", "storefront", "About work."),
        ("assigned", "agent@local", "agent@local"),
        ("note", "agent@local", "VIP, handle with care"),
        ("reply", "agent@local", "A new tin is on its way."),
        ("resolved", "agent@local", "Replacement sent."),
    ]
    # and the customer heard the reply and the resolution (with its answer link), never the note
    assert [event.event_type for event in events.sent] == ["complaint.replied", "complaint.resolved"]
    assert events.sent[1].details["case_token"]
    assert not any("VIP" in event.model_dump_json() for event in events.sent)
    shown = request(cases, "GET", f"/console/cases/{case_id}?lang=en&done=resolve", token=token)["body"]
    assert "The case is resolved; the customer is told." in shown
    assert "Internal note" in shown and "Sent to the customer" in shown
    assert "Close case" in shown and "Reopen" in shown and "Assign to me" not in shown


def test_close_and_reopen_with_a_reason_and_assign_to_a_named_operator(
    cases: ConsoleServices, store: InMemoryService, clock: FrozenClock
) -> None:
    case_id = opened(store, clock, "again")
    token = manager(clock)  # a manager works cases too
    assert post(cases, token, case_id, "assign", assignee="ops-7")["statusCode"] == 303
    assert post(cases, token, case_id, "resolve", text="Refunded.")["statusCode"] == 303
    assert post(cases, token, case_id, "close")["statusCode"] == 303
    assert post(cases, token, case_id, "reopen", text="Customer called back.")["statusCode"] == 303
    case = store.complaint(case_id)
    assert case is not None and case.status == ComplaintStatus.REOPENED and case.assignee == "ops-7"
    assert timeline(store, case_id)[1:] == [
        ("assigned", "manager@local", "ops-7"),
        ("resolved", "manager@local", "Refunded."),
        ("closed", "manager@local", None),
        ("reopened", "manager@local", "Customer called back."),
    ]


def test_a_double_submitted_reply_sends_one_message(
    cases: ConsoleServices, store: InMemoryService, events: RecordingEvents, clock: FrozenClock
) -> None:
    case_id = opened(store, clock, "double")
    token = agent(clock)
    page = request(cases, "GET", f"/console/cases/{case_id}?lang=en", token=token)
    fields = {**csrf_fields(page["body"]), "text": "On its way."}
    for _ in range(2):  # the same rendered form posted twice
        response = request(cases, "POST", f"/console/cases/{case_id}/reply?lang=en", fields, token=token)
        assert response["statusCode"] == 303
    assert [e[0] for e in timeline(store, case_id)] == ["opened", "reply"]
    assert len({event.event_id for event in events.sent}) == 1


def test_an_illegal_move_is_a_409_page_that_changes_nothing(
    cases: ConsoleServices, store: InMemoryService, events: RecordingEvents, clock: FrozenClock
) -> None:
    case_id = opened(store, clock, "illegal")
    token = agent(clock)
    before = store.case(case_id)
    closing = post(cases, token, case_id, "close")  # an open case cannot be closed
    assert closing["statusCode"] == 409
    assert f"The complaint {case_id} is open; it cannot become closed." in closing["body"]
    assert "illegal_transition" in closing["body"]
    assert post(cases, token, case_id, "reopen", text="why")["statusCode"] == 409
    assert store.case(case_id) == before and events.sent == []


def test_a_post_without_the_csrf_token_or_from_another_site_changes_nothing(
    cases: ConsoleServices, store: InMemoryService, events: RecordingEvents, clock: FrozenClock
) -> None:
    case_id = opened(store, clock, "forged")
    token = agent(clock)
    path = f"/console/cases/{case_id}/reply?lang=en"
    assert request(cases, "POST", path, {"text": "hi"}, token=token)["statusCode"] == 403
    fields = csrf_fields(request(cases, "GET", f"/console/cases/{case_id}", token=token)["body"])
    cross = request(
        cases, "POST", path, {**fields, "text": "hi"}, token=token, headers={"sec-fetch-site": "cross-site"}
    )
    assert cross["statusCode"] == 403
    assert [e[0] for e in timeline(store, case_id)] == ["opened"] and events.sent == []


def test_empty_text_unknown_cases_and_actions_are_refused(
    cases: ConsoleServices, store: InMemoryService, clock: FrozenClock
) -> None:
    case_id = opened(store, clock, "empty")
    token = agent(clock)
    assert post(cases, token, case_id, "reply", text="   ")["statusCode"] == 400
    assert post(cases, token, case_id, "resolve")["statusCode"] == 400
    assert post(cases, token, case_id, "note", text="x" * 2001)["statusCode"] == 400
    assert post(cases, token, case_id, "assign", assignee="")["statusCode"] == 400
    assert post(cases, token, case_id, "delete")["statusCode"] == 404
    assert [e[0] for e in timeline(store, case_id)] == ["opened"]
    missing = "cmp_" + "a" * 24
    assert request(cases, "GET", f"/console/cases/{missing}", token=token)["statusCode"] == 404
    assert request(cases, "GET", "/console/cases/<script>", token=token)["statusCode"] == 404


def test_without_a_session_or_a_group_the_cases_pages_do_not_open(
    cases: ConsoleServices, clock: FrozenClock
) -> None:
    response = request(cases, "GET", "/console/cases")
    assert response["statusCode"] == 303 and response["headers"]["Location"].startswith("/console/sign-in")
    nobody = mint(clock, **{"cognito:groups": None})
    assert request(cases, "GET", "/console/cases", token=nobody)["statusCode"] == 403
    assert request(cases, "GET", "/console/cases", token=manager(clock))["statusCode"] == 200


def test_the_default_services_have_an_empty_case_desk(services: ConsoleServices, clock: FrozenClock) -> None:
    page = request(services, "GET", "/console/cases?lang=en", token=agent(clock))
    assert page["statusCode"] == 200 and "No cases match." in page["body"]
    assert request(services, "GET", f"/console/cases/cmp_{'b' * 24}", token=agent(clock))["statusCode"] == 404
