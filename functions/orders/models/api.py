"""Storefront API bodies for orders. These models validate requests at the edge and generate the
OpenAPI document, so the contract and its checks cannot drift apart."""

from __future__ import annotations

from collections.abc import Collection
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
    ValidationInfo,
    field_validator,
    model_validator,
)

from shared.iso_codes import COUNTRIES, CURRENCY_MINOR_UNITS
from shared.json_types import WholeNumbers

Locale = Literal["zh-CN", "en"]
PaymentStatus = Literal["paid", "pending"]
SKU_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._\-]{0,63}$"
ORDER_NUMBER_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._#-]{0,39}$"
ORDER_ID_PATTERN = r"^ord_[a-z2-7]{24}$"  # "ord_" + 24 base32 characters
MAX_LINES = 100


def _iso_date_or_datetime(value: str | None) -> str | None:
    """An ISO 8601 date (`2026-12-24`) or a date and time with its offset (`2026-12-24T18:00:00+08:00`),
    kept as sent: the KPIs count the delivery on time when delivered on or before its date."""
    if value is None:
        return None
    from datetime import date, datetime

    if len(value) == 10:
        try:
            date.fromisoformat(value)
        except ValueError:
            raise ValueError("promised_delivery must be an ISO 8601 date or date and time") from None
        return value
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError("promised_delivery must be an ISO 8601 date or date and time") from None
    if moment.utcoffset() is None:
        raise ValueError("promised_delivery needs its UTC offset (e.g. +08:00 or Z) when it has a time")
    return value


PromisedDelivery = Annotated[
    StrictStr | None,
    Field(
        default=None,
        min_length=10,
        max_length=40,
        pattern=r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2}))?$",
        description="The delivery date promised to the customer: an ISO 8601 date, or a date and time "
        "with its offset. The on-time KPI counts a delivery on or before its date.",
        examples=["2026-12-24"],
    ),
    AfterValidator(_iso_date_or_datetime),
]


def _known_code(value: str, known: Collection[str], kind: str, standard: str) -> str:
    code = value.upper()
    if code not in known:
        raise ValueError(f"unknown {kind} code {value!r} ({standard} expected)")
    return code


class _Strict(WholeNumbers):
    # no whitespace stripping: a value that matches the documented pattern is taken as sent
    model_config = ConfigDict(defer_build=True, extra="forbid")


class Customer(_Strict):
    id: Annotated[StrictStr, Field(min_length=1, max_length=128, description="The storefront's customer id.")]
    name: Annotated[StrictStr, Field(min_length=1, max_length=200)]
    email: Annotated[StrictStr | None, Field(default=None, max_length=254, examples=["li.wei@example.com"])]
    phone: Annotated[
        StrictStr | None,
        Field(
            default=None,
            max_length=32,
            description="E.164, or a national number of the shipping country; stored in E.164.",
            examples=["+8613800138000"],
        ),
    ]
    locale: Annotated[Locale, Field(description="Language of customer messages.")] = "en"

    @field_validator("email")
    @classmethod
    def _normalize_email(cls, value: str | None) -> str | None:
        if value is None:
            return None
        from email_validator import EmailNotValidError, validate_email  # deferred: only intake needs it

        try:
            return validate_email(value, check_deliverability=False).normalized
        except EmailNotValidError as error:
            raise ValueError(f"invalid email address: {error}") from None

    @field_validator("phone")
    @classmethod
    def _e164_phone(cls, value: str | None) -> str | None:
        if value is None:
            return None
        return _to_e164(value)

    @model_validator(mode="after")
    def _needs_a_channel(self) -> Customer:
        if not self.email and not self.phone:
            raise ValueError("customer needs an email or a phone number")
        return self


class ShippingAddress(_Strict):
    name: Annotated[StrictStr, Field(min_length=1, max_length=200)]
    line1: Annotated[StrictStr, Field(min_length=1, max_length=200)]
    line2: Annotated[StrictStr | None, Field(default=None, max_length=200)]
    city: Annotated[StrictStr, Field(min_length=1, max_length=100)]
    region: Annotated[StrictStr | None, Field(default=None, max_length=100, description="State or province.")]
    postal_code: Annotated[StrictStr | None, Field(default=None, max_length=20)]
    country: Annotated[
        StrictStr,
        Field(
            min_length=2,
            max_length=2,
            description="ISO 3166-1 alpha-2.",
            json_schema_extra={"enum": sorted(COUNTRIES)},
        ),
    ]

    @field_validator("country")
    @classmethod
    def _known_country(cls, value: str) -> str:
        return _known_code(value, COUNTRIES, "country", "ISO 3166-1 alpha-2")


class OrderLine(_Strict):
    sku: Annotated[StrictStr, Field(pattern=SKU_PATTERN, examples=["TEA-OOLONG-250G"])]
    name: Annotated[
        StrictStr,
        Field(
            min_length=1,
            max_length=200,
            description="The product's name as the customer knows it (shown in every message and "
            "page instead of the SKU); surrounding whitespace is trimmed.",
            examples=["Tieguanyin oolong, 250 g"],
        ),
    ]
    quantity: Annotated[StrictInt, Field(ge=1, le=999)]
    unit_price: Annotated[
        StrictStr,
        Field(
            pattern=r"^\d{1,12}(\.\d{1,3})?$",
            description="Decimal string in the order currency.",
            examples=["19.90"],
        ),
    ]
    image_url: Annotated[
        StrictStr | None,
        Field(
            default=None,
            max_length=2048,
            pattern=r"^https://[^\s]+$",
            description="https URL of the product's picture, shown next to its name.",
            examples=["https://shop.example.com/img/oolong-250g.jpg"],
        ),
    ]

    @field_validator("name", mode="before")
    @classmethod
    def _trimmed_name(cls, value: Any) -> Any:
        return value.strip() if isinstance(value, str) else value

    @field_validator("image_url")
    @classmethod
    def _https_image(cls, value: str | None) -> str | None:
        if value is None:
            return None
        from urllib.parse import urlsplit

        parts = urlsplit(value)
        if parts.scheme != "https" or not parts.hostname:
            raise ValueError("image_url must be an https URL with a host")
        return value


class CreateOrderRequest(_Strict):
    customer: Customer
    shipping_address: ShippingAddress
    currency: Annotated[
        StrictStr,
        Field(
            min_length=3,
            max_length=3,
            description="ISO 4217.",
            examples=["CNY"],
            json_schema_extra={"enum": sorted(CURRENCY_MINOR_UNITS)},
        ),
    ]
    items: Annotated[list[OrderLine], Field(min_length=1, max_length=MAX_LINES)]
    order_number: Annotated[
        StrictStr | None,
        Field(
            default=None,
            pattern=ORDER_NUMBER_PATTERN,
            description="The storefront's own order number, shown to the customer. Omitted: a short "
            "code derived from the order id (e.g. `K7QM-4XP9`).",
            examples=["SO-2025-00042"],
        ),
    ]
    payment_status: Annotated[
        PaymentStatus,
        Field(
            description="`pending`: stock is held for a limited time until `POST .../payment` confirms it."
        ),
    ] = "paid"
    promised_delivery: PromisedDelivery = None

    @model_validator(mode="before")
    @classmethod
    def _national_phone_to_e164(cls, data: Any) -> Any:
        """A national phone number is read in the shipping country's format before validation."""
        try:
            phone = data["customer"]["phone"]
            country = data["shipping_address"]["country"]
        except (KeyError, TypeError):
            return data
        if isinstance(phone, str) and isinstance(country, str) and not phone.strip().startswith("+"):
            from orders.domain.order_lookups import normalise_phone  # deferred: phonenumbers, ~50 ms

            try:
                e164 = normalise_phone(phone, country.upper())
            except ValueError:
                return data
            return {**data, "customer": {**data["customer"], "phone": e164}}
        return data

    @field_validator("currency")
    @classmethod
    def _known_currency(cls, value: str) -> str:
        return _known_code(value, CURRENCY_MINOR_UNITS, "currency", "ISO 4217")

    @field_validator("items")
    @classmethod
    def _prices_fit_currency(cls, items: list[OrderLine], info: ValidationInfo) -> list[OrderLine]:
        currency = info.data.get("currency")
        if currency is None:
            return items
        digits = CURRENCY_MINOR_UNITS[currency]
        for index, line in enumerate(items):
            exponent = Decimal(line.unit_price).as_tuple().exponent
            if isinstance(exponent, int) and -exponent > digits:
                raise ValueError(f"items.{index}.unit_price has more than {digits} decimals for {currency}")
        return items


def _to_e164(raw: str) -> str:
    import phonenumbers  # deferred: ~50 ms of import that only intake needs

    try:
        number = phonenumbers.parse(raw, None)
    except phonenumbers.NumberParseException:
        raise ValueError(
            "not a phone number: use E.164 (+8613800138000) or the shipping country's format"
        ) from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError("not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


ERASED = "[erased]"


class ErasedCustomer(BaseModel):
    """The customer of an order whose personal data was erased: only the id and locale are kept."""

    model_config = ConfigDict(defer_build=True, extra="forbid")
    id: str
    name: Literal["[erased]"] = ERASED
    email: None = None
    phone: None = None
    locale: Locale = "en"


class ErasedAddress(BaseModel):
    """The shipping address of an order whose customer's personal data was erased: only the country."""

    model_config = ConfigDict(defer_build=True, extra="forbid")
    name: Literal["[erased]"] = ERASED
    line1: Literal["[erased]"] = ERASED
    line2: None = None
    city: Literal["[erased]"] = ERASED
    region: None = None
    postal_code: None = None
    country: str


class OrderAccepted(BaseModel):
    model_config = ConfigDict(defer_build=True)
    order_id: str
    order_number: str = Field(description="The storefront's `order_number`, or the derived short code.")
    status: str
    created_at: str


class TimelineEntry(BaseModel):
    model_config = ConfigDict(defer_build=True)
    status: str
    at: str
    by: str
    details: dict[str, object] | None = None


class ShortItem(BaseModel):
    model_config = ConfigDict(defer_build=True)
    sku: str
    requested: int
    available: int


class ShipmentLine(WholeNumbers):
    model_config = ConfigDict(defer_build=True)
    sku: Annotated[str, Field(pattern=SKU_PATTERN)]
    quantity: Annotated[StrictInt, Field(ge=1, le=99_999)]


class TrackingRegistrationView(BaseModel):
    """The shipment's registration with the tracking provider of its carrier (docs/carrier-webhooks.md)."""

    model_config = ConfigDict(defer_build=True)
    provider: str = Field(description="easypost, aftership, kuaidi100, 17track or shippo (stage routing).")
    status: Literal["pending", "registered", "failed"]
    registered_at: str | None = None
    error: str | None = Field(default=None, description="The provider's reason, when failed.")


class Shipment(BaseModel):
    model_config = ConfigDict(defer_build=True)
    shipment_id: str
    carrier: str
    tracking_number: str
    lines: list[ShipmentLine]
    status: str
    created_at: str
    tracking_status: str | None = Field(default=None, description="Canonical carrier status.")
    status_reason: str | None = Field(default=None, description="Why, for exceptions (e.g. stalled).")
    estimated_delivery: str | None = Field(default=None, description="As the carrier gave it.")
    last_checkpoint_at: str | None = None
    tracking_registration: TrackingRegistrationView | None = Field(
        default=None, description="Null until the registration is queued, and for carriers tracked by nobody."
    )
    promised_delivery: str | None = Field(
        default=None, description="The promised delivery date (the shipment's own, else the order's)."
    )
    purpose: Literal["order", "replacement"] = Field(
        default="order", description="`replacement`: the parcel of a reshipment (docs/reshipments.md)."
    )
    reshipment_id: str | None = Field(default=None, description="The reshipment it carries, if any.")


class OrderSummary(BaseModel):
    """An order as a search returns it: everything but its shipments (read the order for those);
    a search reads only the indexes, one query per page."""

    model_config = ConfigDict(defer_build=True)
    order_id: str
    order_number: str = Field(
        description="What the customer knows the order by: the storefront's `order_number`, or the "
        "short code derived from the order id when it sent none."
    )
    status: str
    customer: Customer | ErasedCustomer
    shipping_address: ShippingAddress | ErasedAddress
    items: list[OrderLine]
    currency: str
    total: str
    created_at: str
    updated_at: str
    payment_status: PaymentStatus = "paid"
    hold_expires_at: str | None = None
    hold_reasons: list[str] = []
    short_items: list[ShortItem] = []
    timeline: list[TimelineEntry]
    promised_delivery: str | None = Field(default=None, description="As set when the order was placed.")
    erased_at: str | None = Field(
        default=None,
        description="When the customer's personal data was erased from the order (`DELETE "
        "/v1/customers/{customer_id}`): name, contact and address then read `[erased]` or null.",
    )


class Reshipment(BaseModel):
    """A replacement of some of the order's lines (docs/reshipments.md): its stock is reserved
    again when it is opened, and committed when its shipment is registered."""

    model_config = ConfigDict(defer_build=True)
    reshipment_id: str
    lines: list[ShipmentLine]
    status: Literal["awaiting_shipment", "shipped"]
    reason: Literal["exception", "case", "exchange"]
    note: str | None = None
    by: str
    created_at: str
    shipment_id: str | None = Field(default=None, description="Its shipment, once registered.")


class OrderView(OrderSummary):
    """An order with its shipments (`GET /v1/orders/{order_id}` and every order action)."""

    shipments: list[Shipment] = []
    reshipments: list[Reshipment] = []


class OrderPage(BaseModel):
    model_config = ConfigDict(defer_build=True)
    orders: list[OrderSummary]
    next_cursor: str | None = Field(
        default=None,
        description="Present while more orders may follow: pass it back as `cursor`. A page may "
        "hold fewer orders than `limit`, or none, before the end; the end is a page without it.",
    )


class CancelRequest(_Strict):
    reason: Annotated[StrictStr | None, Field(default=None, max_length=500)]


class PaymentRequest(_Strict):
    reference: Annotated[
        StrictStr | None, Field(default=None, max_length=200, description="Payment provider reference.")
    ]


class ReviewRequest(_Strict):
    decision: Literal["approve", "reject"]
    reviewer: Annotated[StrictStr, Field(min_length=1, max_length=200)]
    note: Annotated[StrictStr | None, Field(default=None, max_length=2000)]


class ShipmentRequest(_Strict):
    carrier: Annotated[StrictStr, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{1,39}$", examples=["sf-express"])]
    tracking_number: Annotated[
        StrictStr, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9 -]{3,39}$", examples=["SF1234567890"])
    ]
    lines: Annotated[
        list[ShipmentLine] | None,
        Field(
            default=None,
            min_length=1,
            max_length=MAX_LINES,
            description="Omit to ship everything still reserved.",
        ),
    ]
    promised_delivery: PromisedDelivery = None
