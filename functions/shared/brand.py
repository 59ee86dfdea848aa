"""The merchant's identity, as customers see it in every email, SMS, tracking page and survey page.

A stage's `brand` (cdk.json `context.stages.<stage>.brand`, validated by `infra.config`) reaches
the functions that speak to customers as the `BRAND` environment variable (compact JSON of this
model). Every field but the shop name is optional; what is missing is simply not shown.
"""

from __future__ import annotations

import json
import os
import re
from functools import cache
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, field_validator, model_validator

LOCALES = ("en", "zh-CN")
ORDER_PAGE_PLACEHOLDERS = ("{order_number}", "{order_id}")
BRAND_VARIABLE = "BRAND"

ShopName = Annotated[str, Field(min_length=1, max_length=40)]
SIGNATURE_MAX = 12  # characters of an SMS signature (a shop name standing in for one is cut to it)
CHINESE_HINT_MAX = 12  # characters of the zh-CN opt-out hint (UCS-2 texts pay double for each)


class Brand(BaseModel):
    """Who the customer is dealing with. `shop_name` maps a locale (`en`, `zh-CN`) to the shop's
    name in it; a locale without its own name uses the `en` one, else the first given."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    shop_name: dict[str, ShopName] = Field(
        min_length=1, description="the shop's name per locale, e.g. {'en': 'Acme', 'zh-CN': '艾克米'}"
    )
    logo_url: HttpUrl | None = Field(default=None, description="https URL of the logo in emails and pages")
    support_email: str | None = Field(
        default=None,
        max_length=254,
        pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
        description="checked by shape only: the functions that read BRAND must not load email_validator "
        "at cold start (tests/unit/test_cold_start_imports.py)",
    )
    support_phone: str | None = Field(default=None, pattern=r"^\+?[0-9 ()-]{3,20}$")
    support_url: HttpUrl | None = None
    order_page_url: str | None = Field(
        default=None,
        description="the storefront's own order page, with {order_number} or {order_id} in it, "
        "e.g. https://shop.example/account/orders/{order_number}",
    )
    sms_signature: dict[str, Annotated[str, Field(min_length=2, max_length=SIGNATURE_MAX)]] = Field(
        default_factory=dict,
        description="the registered SMS signature per locale (without brackets); mainland China "
        "numbers require one: 【signature】 starts each SMS. Missing: the shop name.",
    )
    sms_opt_out_hint: dict[str, Annotated[str, Field(min_length=1, max_length=24)]] = Field(
        default_factory=lambda: {"zh-CN": "回TD退订", "en": "Reply STOP to opt out"},
        description="the opt-out text that ends each SMS, per locale (at most 24 characters, 12 in "
        "zh-CN: every text pays for it, and the SMS limits are measured with the longest)",
    )

    @field_validator("shop_name", "sms_signature", "sms_opt_out_hint")
    @classmethod
    def _known_locales(cls, values: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(values) - set(LOCALES))
        if unknown:
            raise ValueError(f"unknown locales {unknown}; use {list(LOCALES)}")
        return {locale: text.strip() for locale, text in values.items()}

    @field_validator("sms_opt_out_hint")
    @classmethod
    def _short_chinese_hint(cls, hints: dict[str, str]) -> dict[str, str]:
        if len(hints.get("zh-CN", "")) > CHINESE_HINT_MAX:
            raise ValueError(f"the zh-CN opt-out hint may have at most {CHINESE_HINT_MAX} characters")
        return hints

    @field_validator("logo_url", "support_url")
    @classmethod
    def _https(cls, url: HttpUrl | None) -> HttpUrl | None:
        if url is not None and url.scheme != "https":
            raise ValueError("use an https URL (mail clients and browsers block mixed content)")
        return url

    @model_validator(mode="after")
    def _order_page_pattern(self) -> Brand:
        pattern = self.order_page_url
        if pattern is not None:
            if not pattern.startswith("https://"):
                raise ValueError("order_page_url must be an https URL")
            if not any(placeholder in pattern for placeholder in ORDER_PAGE_PLACEHOLDERS):
                raise ValueError("order_page_url needs {order_number} or {order_id} in it")
            if re.search(r"\{(?!order_number\}|order_id\})", pattern):
                raise ValueError("order_page_url may only use {order_number} and {order_id}")
        return self

    def name(self, locale: str) -> str:
        return self.shop_name.get(locale) or self.shop_name.get("en") or next(iter(self.shop_name.values()))

    def signature(self, locale: str) -> str:
        """The SMS signature (without brackets): the configured one for the locale, else the shop name."""
        return self.sms_signature.get(locale) or self.sms_signature.get("en") or self.name(locale)

    def opt_out_hint(self, locale: str) -> str:
        return self.sms_opt_out_hint.get(locale) or self.sms_opt_out_hint.get("en") or ""

    def order_page(self, order_id: str, order_number: str) -> str | None:
        """The storefront's page of this order, or None when the brand has no pattern."""
        if self.order_page_url is None:
            return None
        return self.order_page_url.replace("{order_number}", order_number).replace("{order_id}", order_id)

    def as_variable(self) -> str:
        """The `BRAND` environment variable: compact, deterministic JSON."""
        return json.dumps(
            self.model_dump(mode="json", exclude_none=True), sort_keys=True, separators=(",", ":")
        )


DEV_BRAND = Brand(
    shop_name={"en": "Ordertrack Demo Shop", "zh-CN": "订单演示店"},
    support_email="support@example.com",
    support_url="https://shop.example.com/help",
    order_page_url="https://shop.example.com/orders/{order_number}",
    sms_signature={"zh-CN": "演示店", "en": "Demo Shop"},
)
"""The `dev` stage's brand (documentation domains only); every other stage must name its shop."""


@cache
def brand_from_environment() -> Brand:
    """The function's brand, from `BRAND` (validated at cold start); the dev brand when unset, as in
    unit tests."""
    raw = os.environ.get(BRAND_VARIABLE)
    return Brand.model_validate_json(raw) if raw else DEV_BRAND
