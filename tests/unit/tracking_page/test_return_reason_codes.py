"""The tracking page's return form asks for a reason code beside the customer's words; a form
from a page served before the picker still works (code `other`), an unknown code changes nothing."""

from __future__ import annotations

import pytest

from tests.unit.tracking_page.test_self_service import ORDER, TOKEN, World


def test_the_return_form_offers_every_reason_code_in_the_customers_language() -> None:
    world = World()
    page = world.get(f"/track/{TOKEN}")["body"]
    assert '<select id="return-reason-code" name="reason_code" required>' in page
    for code in ("damaged", "wrong_item", "missing_parts", "not_as_described", "changed_mind", "other"):
        assert f'<option value="{code}">' in page


@pytest.mark.parametrize(("sent", "stored"), [({"reason_code": "wrong_item"}, "wrong_item"), ({}, "other")])
def test_the_chosen_code_is_stored_with_the_customers_words(sent: dict, stored: str) -> None:
    world = World()
    hidden = world.form(f"/track/{TOKEN}", "return")
    fields = {**hidden, "qty.TEA-OOLONG-250G": "1", "reason": "Not the oolong I ordered", **sent}
    assert world.post(f"/track/{TOKEN}/return", fields)["statusCode"] == 200
    [record] = world.service.returns(ORDER.order_id)
    assert (record.reason_code, record.reason) == (stored, "Not the oolong I ordered")


def test_an_unknown_code_is_a_400_that_changes_nothing() -> None:
    world = World()
    hidden = world.form(f"/track/{TOKEN}", "return")
    fields = {**hidden, "qty.TEA-OOLONG-250G": "1", "reason": "x", "reason_code": "too_cheap"}
    assert world.post(f"/track/{TOKEN}/return", fields)["statusCode"] == 400
    assert world.service.returns(ORDER.order_id) == []
