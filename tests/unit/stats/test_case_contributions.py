"""The time to ship, the complaint response and resolution times, the on-time response share
(投诉处理及时率), complaints per category, return rates and return reasons per SKU: what each change
adds, for the items stored today and for the shapes the cases and returns branches write."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from stats.domain.aggregate_batch import StreamChange, aggregate_batch
from stats.domain.case_contributions import SKU_FAMILIES, sku_family, sku_label
from stats.domain.contributions import contribution_of
from stats.domain.histogram import bucket_name, bucket_of
from stats.domain.kpis import stats_for
from tests.fakes.stats import InMemoryAggregates, RecordingMetrics, complaint_image, order_image, return_image

OBSERVED = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)
PLACED = "2026-11-24T10:00:00.000Z"
OPENED = "2026-11-24T11:00:00.000Z"
DUE = "2026-11-25T11:00:00.000Z"


def counters(old: Any, new: Any) -> dict[tuple[str, str], dict[str, int]]:
    return contribution_of(old, new, OBSERVED).compacted()


def histogram(seconds: int) -> dict[str, int]:
    return {bucket_name(bucket_of(seconds)): 1, "count": 1, "sum_seconds": seconds}


def order_with(status: str, updated_at: str, *moves: tuple[str, str], items: Any = None) -> dict[str, Any]:
    image = order_image("ord_1", status, 5, PLACED, updated_at)
    image["timeline"] += [{"status": moved, "at": at, "by": "system"} for moved, at in moves]
    image["items"] = items or [{"sku": "TEA-1", "quantity": 2}]
    return image


# time to ship -----------------------------------------------------------------------------------


def test_the_first_shipment_counts_the_time_since_confirmation_once() -> None:
    # Given an order confirmed at 10:05 and shipped (partially) the next day at 10:05
    confirmed = order_with("confirmed", "2026-11-24T10:05:00Z", ("confirmed", "2026-11-24T10:05:00Z"))
    partial = order_with(
        "partially_shipped",
        "2026-11-25T10:05:00Z",
        ("confirmed", "2026-11-24T10:05:00Z"),
        ("partially_shipped", "2026-11-25T10:05:00Z"),
    )
    shipped = {**partial, "status": "shipped", "updated_at": "2026-11-26T09:00:00Z"}
    # Then the first shipment counts one day on the 25th, the rest of the shipping nothing more
    assert counters(confirmed, partial) == {
        ("2026-11-25", "ORDERS"): {"partially_shipped": 1},
        ("2026-11-25", "HIST#confirmed_to_shipped"): histogram(86400),
    }
    assert counters(partial, shipped) == {("2026-11-26", "ORDERS"): {"shipped": 1}}


def test_an_order_without_a_confirmation_in_its_timeline_has_no_time_to_ship() -> None:
    received = order_with("received", PLACED)
    shipped = order_with("shipped", "2026-11-25T10:05:00Z", ("shipped", "2026-11-25T10:05:00Z"))
    assert counters(received, shipped) == {("2026-11-25", "ORDERS"): {"shipped": 1}}


def test_a_delivery_counts_every_sku_of_the_order_once() -> None:
    items = [
        {"sku": "TEA-1", "quantity": 1},
        {"sku": "CUP-2", "quantity": 3},
        {"sku": "TEA-1", "quantity": 1},
    ]
    shipped = order_with("shipped", "2026-11-25T10:05:00Z", items=items)
    delivered = order_with("delivered", "2026-11-26T10:05:00Z", items=items)
    found = counters(shipped, delivered)
    assert found[("2026-11-26", "ORDERS")] == {"delivered": 1}
    per_sku = {
        name: value
        for (_, family), c in found.items()
        if family.startswith("SKUS#")
        for name, value in c.items()
    }
    assert per_sku == {"sku#TEA-1#delivered": 1, "sku#CUP-2#delivered": 1}
    assert ("2026-11-26", sku_family("TEA-1")) in found


# complaints -------------------------------------------------------------------------------------


def case(status: str = "open", **fields: Any) -> dict[str, Any]:
    image = complaint_image("cmp_1", status, opened_at=OPENED)
    image.update(due_at=DUE, category="damage", **fields)
    return image


def test_a_new_case_counts_in_its_category() -> None:
    assert counters(None, case()) == {("2026-11-24", "COMPLAINTS"): {"opened": 1, "category#damage": 1}}


def test_a_first_reply_by_the_due_time_is_on_time_and_timed_once() -> None:
    # Given a case (new shape) answered two hours after it was opened
    replied = case("in_progress", first_response_at="2026-11-24T13:00:00Z", updated_at="2026-11-24T13:00:00Z")
    assert counters(case(), replied) == {
        ("2026-11-24", "COMPLAINTS"): {"response_due": 1, "responded_on_time": 1},
        ("2026-11-24", "HIST#complaint_first_response"): histogram(7200),
    }
    # When it is resolved the next day
    resolved = {**replied, "status": "resolved", "resolved_at": "2026-11-25T12:00:00Z"}
    # Then only the resolution counts: the first response was counted before
    assert counters(replied, resolved) == {
        ("2026-11-25", "COMPLAINTS"): {"resolved": 1},
        ("2026-11-25", "HIST#complaint_resolution"): histogram(25 * 3600),
    }
    # and closing it counts nothing more
    assert counters(resolved, {**resolved, "status": "closed", "closed_at": "2026-11-26T00:00:00Z"}) == {}


def test_a_reply_after_the_due_time_is_late() -> None:
    replied = case("in_progress", first_response_at="2026-11-25T11:00:01Z")
    assert counters(case(), replied)[("2026-11-25", "COMPLAINTS")] == {"response_due": 1}


def test_an_old_item_resolved_without_a_reply_counts_the_resolution_as_first_response() -> None:
    resolved = case("resolved", resolved_at="2026-11-25T10:00:00Z")
    assert counters(case(), resolved) == {
        ("2026-11-25", "COMPLAINTS"): {"resolved": 1, "response_due": 1, "responded_on_time": 1},
        ("2026-11-25", "HIST#complaint_resolution"): histogram(23 * 3600),
        ("2026-11-25", "HIST#complaint_first_response"): histogram(23 * 3600),
    }


def test_a_case_overdue_without_reply_counts_late_once_on_the_day_it_is_flagged() -> None:
    # Given a case flagged overdue with no reply
    overdue = case(overdue=True, updated_at="2026-11-25T11:05:00Z")
    assert counters(case(), overdue) == {("2026-11-25", "COMPLAINTS"): {"overdue": 1, "response_due": 1}}
    # When it is answered later
    replied = {**overdue, "status": "in_progress", "first_response_at": "2026-11-26T08:00:00Z"}
    # Then its response time counts, but its deadline is not decided a second time
    assert counters(overdue, replied) == {
        ("2026-11-26", "HIST#complaint_first_response"): histogram(45 * 3600)
    }


def test_a_reopened_case_resolved_again_counts_its_second_resolution() -> None:
    resolved = case("resolved", first_response_at="2026-11-24T12:00:00Z", resolved_at="2026-11-24T12:00:00Z")
    reopened = {**resolved, "status": "reopened"}
    again = {**reopened, "status": "resolved", "resolved_at": "2026-11-26T11:00:00Z"}
    assert counters(resolved, reopened) == {}
    assert counters(reopened, again) == {
        ("2026-11-26", "COMPLAINTS"): {"resolved": 1},
        ("2026-11-26", "HIST#complaint_resolution"): histogram(48 * 3600),
    }


def test_a_case_without_due_time_has_no_deadline() -> None:
    undated = {k: v for k, v in case().items() if k != "due_at"}
    replied = {**undated, "first_response_at": "2026-11-24T12:00:00Z"}
    assert ("2026-11-24", "COMPLAINTS") not in counters(undated, replied)


# returns ----------------------------------------------------------------------------------------


def a_return(reason_code: str | None, *skus: str) -> dict[str, Any]:
    image = return_image("ord_1", "ret_1", "requested")
    image["lines"] = [{"sku": sku, "quantity": 1} for sku in skus]
    image["reason"] = "the lid is cracked"
    if reason_code is not None:
        image["reason_code"] = reason_code
    return image


def test_a_requested_return_counts_its_reason_overall_and_per_sku() -> None:
    found = counters(None, a_return("damaged", "TEA-1", "CUP-2"))
    assert found[("2026-11-26", "RETURNS")] == {"requested": 1}
    assert found[("2026-11-26", "RETURN_REASONS")] == {"damaged": 1}
    assert found[("2026-11-26", sku_family("TEA-1"))]["sku#TEA-1#requested"] == 1
    assert found[("2026-11-26", sku_family("TEA-1"))]["sku#TEA-1#reason#damaged"] == 1
    assert found[("2026-11-26", sku_family("CUP-2"))]["sku#CUP-2#reason#damaged"] == 1


def test_a_free_text_or_unknown_reason_counts_as_other_and_later_moves_count_no_reason() -> None:
    old_shape = a_return(None, "TEA-1")
    assert counters(None, old_shape)[("2026-11-26", "RETURN_REASONS")] == {"other": 1}
    assert counters(None, a_return("because", "TEA-1"))[("2026-11-26", "RETURN_REASONS")] == {"other": 1}
    approved = {**old_shape, "status": "approved", "updated_at": "2026-11-27T08:00:00Z"}
    assert counters(old_shape, approved) == {("2026-11-27", "RETURNS"): {"approved": 1}}


def test_skus_are_spread_over_a_bounded_number_of_families_and_odd_skus_are_bounded() -> None:
    families = {sku_family(f"SKU-{n}") for n in range(1000)}
    assert families == {f"SKUS#{n}" for n in range(SKU_FAMILIES)}
    assert sku_label("TEA-1") == "TEA-1"
    assert sku_label("has#hash") == "unspecified"
    assert sku_label("x" * 65) == "unspecified"


# the report -------------------------------------------------------------------------------------


def test_the_report_shows_return_rates_reasons_and_the_on_time_share() -> None:
    store = InMemoryAggregates()
    changes = [
        # two orders delivered with TEA-1, one of them with CUP-2 too
        (order_with("shipped", "2026-11-25T10:00:00Z"), order_with("delivered", "2026-11-26T10:00:00Z")),
        (
            order_with(
                "shipped",
                "2026-11-25T10:00:00Z",
                items=[{"sku": "CUP-2", "quantity": 1}, {"sku": "TEA-1", "quantity": 1}],
            ),
            order_with(
                "delivered",
                "2026-11-26T11:00:00Z",
                items=[{"sku": "CUP-2", "quantity": 1}, {"sku": "TEA-1", "quantity": 1}],
            ),
        ),
        # one return of TEA-1, damaged
        (None, a_return("damaged", "TEA-1")),
        # two cases: one answered on time, one overdue without answer
        (case(), case("in_progress", first_response_at="2026-11-24T12:00:00Z")),
        (case(), case(overdue=True, updated_at="2026-11-25T12:00:00Z")),
    ]
    changes_as_stream = [
        StreamChange(f"e{n}", str(n + 1), old, new, OBSERVED) for n, (old, new) in enumerate(changes)
    ]
    aggregate_batch(changes_as_stream, store, RecordingMetrics())

    report = stats_for("2026-11-24", "2026-11-26", store)

    rates = report.return_rates
    assert (rates.requested, rates.delivered_orders, rates.return_rate) == (1, 2, 0.5)
    assert rates.reasons == {"damaged": 1}
    assert rates.by_sku["TEA-1"].model_dump() == {
        "delivered": 2,
        "requested": 1,
        "return_rate": 0.5,
        "reasons": {"damaged": 1},
    }
    assert list(rates.by_sku) == ["TEA-1", "CUP-2"]  # most returns first
    assert rates.by_sku["CUP-2"].return_rate == 0.0
    complaints = report.complaints
    assert (complaints.response_due, complaints.responded_on_time, complaints.on_time_response_rate) == (
        2,
        1,
        0.5,
    )
    assert complaints.first_response.count == 1
    assert complaints.first_response.median_seconds is not None
    assert abs(complaints.first_response.median_seconds - 3600) / 3600 < 0.05
