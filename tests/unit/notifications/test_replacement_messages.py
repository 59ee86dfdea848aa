"""The shipped and delivered messages of a replacement parcel speak of the replacement
(docs/reshipments.md), not of "the rest of your order"."""

from __future__ import annotations

import pytest

from notifications.domain.model import NotificationKind as K
from notifications.domain.rendering import notification_context, render_email, render_sms
from orders.models.api import TimelineEntry
from tests.unit.notifications.test_rendering_samples import (
    OCCURRED_AT,
    TIME_ZONE,
    TRACKING_URL,
    sample_order,
    tracked_shipment,
)

WORDS = {"en": "replacement", "zh-CN": "补发"}


@pytest.mark.parametrize("linked", [True, False])
@pytest.mark.parametrize(("kind", "status"), [(K.ORDER_SHIPPED, "shipped"), (K.ORDER_DELIVERED, "delivered")])
@pytest.mark.parametrize("locale", ["en", "zh-CN"])
def test_a_replacement_parcel_is_told_as_the_replacement(
    kind: K, status: str, locale: str, linked: bool
) -> None:
    lines = [{"sku": "TEA-OOLONG-250G", "quantity": 2}]
    failed = tracked_shipment(1, lines, "delivery_exception", False)
    replacement = tracked_shipment(2, lines, status, False).model_copy(
        update={"purpose": "replacement", "reshipment_id": "rsp_" + "1" * 20}
    )
    order = sample_order(status=status, customer={"locale": locale})
    entry = TimelineEntry(
        status=status,
        at=OCCURRED_AT,
        by="storefront:shipment",
        details={"shipment_id": replacement.shipment_id},
    )
    order = order.model_copy(
        update={"shipments": [failed, replacement], "timeline": [*order.timeline, entry]}
    )
    context = notification_context(
        order,
        kind,
        locale,
        time_zone=TIME_ZONE,
        tracking_url=TRACKING_URL if linked else None,
        occurred_at=OCCURRED_AT,
    )

    email = render_email(kind, locale, context)

    assert context["shipment"]["replacement"]
    assert WORDS[locale] in email.subject
    assert "rest of your order" not in email.text and "剩余" not in email.text
    if kind is K.ORDER_SHIPPED:
        sms = render_sms(kind, locale, context)
        assert WORDS[locale] in sms and WORDS[locale] in email.text
        assert replacement.tracking_number in email.text
