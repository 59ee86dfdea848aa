"""The pages behind a customer's signed links (routes in `tracking_page.routes`, forms handled in
`tracking_page.submissions`): the tracking page with its self-service forms, and the notification
settings page an email's List-Unsubscribe header names.

A token that is malformed, tampered with, signed for another purpose or under a key no longer
accepted, or that names an order that does not exist, gets the same 404 page, byte for byte: the
page never says which. An order id alone is not a token, so it never shows an order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from orders.models.order import OrderRecord
from service.models.api import COMMENT_MAX
from service.models.records import ComplaintCategory, ReturnReasonCode
from shared import form_tokens
from shared.clock import Clock, SystemClock
from shared.links import TRACK, UNSUBSCRIBE, sign, verify
from tracking_page.read_model import TrackedOrder, TrackingReadModel
from tracking_page.rendering import (
    DEFAULT_LOCALE,
    brand_view,
    choose_locale,
    customer_zone,
    format_day,
    item_names,
    render_not_found,
    render_tracking_page,
    stylesheet,
    template_environment,
    zone_name,
)
from tracking_page.self_service import (
    ACTIONS,
    SelfServicePorts,
    current_preferences,
    return_offer,
)
from tracking_page.self_service_texts import TEXT as SELF_SERVICE_TEXT
from tracking_page.texts import LABELS, Locale

if TYPE_CHECKING:
    from shared.brand import Brand

HTML = "text/html; charset=utf-8"
SETTINGS_ACTIONS = ("notifications", "unsubscribe")


@dataclass(frozen=True)
class HtmlPage:
    status: int
    body: str
    language: str
    order_id: str | None = None  # the order shown; None for the not-found page


@dataclass
class PageServices:
    """What the pages need: the accepted link keys (current first), the read model, the
    self-service ports (None: the page shows no forms), a clock and the nonce source."""

    accepted_keys: Callable[[], Iterable[str]]
    orders: TrackingReadModel
    self_service: SelfServicePorts | None = None
    clock: Clock = field(default_factory=SystemClock)
    nonce: Callable[[], str] = form_tokens.new_nonce
    brand: Brand | None = None

    def keys(self) -> tuple[str, ...]:
        return tuple(self.accepted_keys())

    def shop(self) -> Brand:
        if self.brand is not None:
            return self.brand
        from shared.brand import brand_from_environment

        return brand_from_environment()


def not_found() -> HtmlPage:
    return HtmlPage(HTTPStatus.NOT_FOUND, render_not_found(), DEFAULT_LOCALE)


# --- the forms on a page ----------------------------------------------------------------------


def _form(services: PageServices, action: str, link_token: str, url: str, now: datetime) -> dict[str, Any]:
    token = form_tokens.issue(services.keys()[0], action, link_token, services.nonce(), int(now.timestamp()))
    return {"url": url, "token": token}


def self_service_forms(
    order: OrderRecord, link_token: str, purpose: str, services: PageServices, locale: Locale
) -> dict[str, Any] | None:
    """The forms of the page for this link: each with its own CSRF token. Relative URLs: the
    forms post to `<page>/<action>` whatever prefix the API is served under."""
    ports = services.self_service
    if ports is None:
        return None
    now = services.clock.now()
    texts = SELF_SERVICE_TEXT[locale]
    actions = ACTIONS if purpose == TRACK else SETTINGS_ACTIONS
    forms = {action: _form(services, action, link_token, f"{link_token}/{action}", now) for action in actions}
    preferences = current_preferences(order, ports)
    quiet = preferences.quiet_hours
    forms["notifications"].update(
        email=preferences.channels.email if order.customer.email else None,
        sms=preferences.channels.sms if order.customer.phone else None,
        quiet_start=quiet.start if quiet else None,
        quiet_end=quiet.end if quiet else None,
    )
    if "problem" in forms:
        forms["problem"].update(
            categories=[(c.value, texts[f"categories.{c.value}"]) for c in ComplaintCategory],
            max_length=COMMENT_MAX,
        )
    if "return" in forms:
        offer = return_offer(order, ports, now)
        names = item_names(order)
        zone = customer_zone(order, preferences.time_zone)
        until = format_day(offer.closes_at.astimezone(zone).date(), locale) if offer.closes_at else ""
        if offer.open:
            state = "open"
        elif offer.closes_at is None:
            state = "not_yet"
        elif now > offer.closes_at:
            state = "closed"
        else:
            state = "none_left"
        forms["return"].update(
            state=state,
            until=until,
            reason_codes=[(c.value, texts[f"reason_codes.{c.value}"]) for c in ReturnReasonCode],
            lines=[
                {"sku": sku, "name": names.get(sku, sku), "returnable": quantity}
                for sku, quantity in offer.returnable.items()
            ],
        )
    return forms


# --- GET ------------------------------------------------------------------------------------------


def _preferred_zone(order: OrderRecord, services: PageServices) -> str | None:
    if services.self_service is None:
        return None
    return current_preferences(order, services.self_service).time_zone


def tracking_page(token: str, requested_lang: str | None, services: PageServices) -> HtmlPage:
    link = verify(services.keys(), token, TRACK)
    if link is None:
        return not_found()
    tracked = services.orders.tracked_order(link.order_id)
    if tracked is None:
        return not_found()
    locale = choose_locale(requested_lang, tracked.order.customer.locale)
    actions = self_service_forms(tracked.order, token, TRACK, services, locale)
    body = render_tracking_page(
        tracked, locale, services.shop(), actions, _preferred_zone(tracked.order, services)
    )
    return HtmlPage(HTTPStatus.OK, body, locale, link.order_id)


def unsubscribe_order(token: str, services: PageServices) -> TrackedOrder | None:
    link = verify(services.keys(), token, UNSUBSCRIBE, now=int(services.clock.now().timestamp()))
    return None if link is None else services.orders.tracked_order(link.order_id)


def page_frame(locale: Locale, order: OrderRecord, services: PageServices, **context: Any) -> dict[str, Any]:
    return {
        "lang": locale,
        "t": LABELS[locale],
        "s": SELF_SERVICE_TEXT[locale],
        "brand": brand_view(services.shop(), order, locale),
        "stylesheet": _stylesheet_markup(),
        "languages": [],
        **context,
    }


def _stylesheet_markup() -> Any:
    from markupsafe import Markup

    return Markup(stylesheet())  # noqa: S704 - a file of this package, hashed into the CSP


def _track_url_from(prefix: str, order_id: str, services: PageServices, locale: Locale) -> str:
    return f"{prefix}{sign(services.keys()[0], order_id)}?lang={locale}"


def settings_page(token: str, requested_lang: str | None, services: PageServices) -> HtmlPage:
    tracked = unsubscribe_order(token, services)
    if tracked is None or services.self_service is None:
        return not_found()
    order = tracked.order
    locale = choose_locale(requested_lang, order.customer.locale)
    actions = self_service_forms(order, token, UNSUBSCRIBE, services, locale)
    zone = customer_zone(order, _preferred_zone(order, services))
    body = (
        template_environment()
        .get_template("settings.html")
        .render(
            page_frame(
                locale,
                order,
                services,
                actions=actions,
                zone_name=zone_name(order, zone, locale),
                back_url=_track_url_from("../track/", order.order_id, services, locale),
            )
        )
    )
    return HtmlPage(HTTPStatus.OK, body, locale, order.order_id)
