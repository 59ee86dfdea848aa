"""HTML for the public survey page (Jinja2, autoescaped: whatever a customer typed is shown as text)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from service.domain.feedback_page import Page
from service.models.api import COMMENT_MAX
from service.models.records import FeedbackCategory

TEMPLATES = Path(__file__).resolve().parent / "templates"

TEXT: dict[str, dict[str, Any]] = json.loads((TEMPLATES / "feedback_text.json").read_text(encoding="utf-8"))
"""Words of the page per locale (`en`, `zh-CN`)."""

CASE_TEXT: dict[str, dict[str, Any]] = json.loads((TEMPLATES / "case_text.json").read_text(encoding="utf-8"))
"""Words of the "was your complaint resolved?" page (`case_*.html`) per locale."""


@cache
def _environment() -> Any:
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    return Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(enabled_extensions=("html",), default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def shop_identity(locale: str) -> dict[str, Any]:
    """The shop the survey is for (the stage brand): name, logo and how to reach it."""
    from shared.brand import brand_from_environment

    brand = brand_from_environment()
    return {
        "name": brand.name(locale),
        "logo_url": str(brand.logo_url) if brand.logo_url else None,
        "support_email": brand.support_email,
        "support_phone": brand.support_phone,
        "support_url": str(brand.support_url) if brand.support_url else None,
    }


def render_page(page: Page) -> str:
    text = TEXT.get(page.locale, TEXT["en"])
    context = dict(page.context)
    context["shop"] = shop_identity(page.locale)
    if page.template.startswith("case_"):
        words = CASE_TEXT.get(page.locale, CASE_TEXT["en"])
        if page.template == "case_message.html":
            context["title"], context["message"] = words["pages"][context["kind"]]
        else:
            context["title"] = words["heading"]
        return _environment().get_template(page.template).render(lang=page.locale, t=text, c=words, **context)
    if page.template == "feedback_message.html":
        title, message = text["pages"][context["kind"]]
        if context.get("editable_until"):
            message = f"{message} {text['edit_note']} {context['editable_until']}."
        context.update(title=title, message=message)
        context.setdefault("summary", None)
    else:
        errors = {
            field: (
                text["field_errors"][field] % COMMENT_MAX
                if field == "comment"
                else text["field_errors"].get(field, text["field_errors"]["form"])
            )
            for field in context.get("errors", {})
        }
        context.update(
            title=text["heading"],
            errors=errors,
            categories=[c.value for c in FeedbackCategory],
            comment_max=COMMENT_MAX,
        )
    return _environment().get_template(page.template).render(lang=page.locale, t=text, **context)
