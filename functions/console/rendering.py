"""The console's HTML: Jinja2 templates in `templates/`, autoescaped, undefined variables raise.
The stylesheet `templates/console.css` is inlined; its SHA-256 goes into the Content-Security-Policy,
so no other style and no script can run. Charts are inline SVG drawn here (no JavaScript)."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"


@cache
def template_environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(enabled_extensions=("html", "svg"), default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )


@cache
def stylesheet() -> str:
    """`console.css` first, then each area's own `<area>.css` in name order, as one inline sheet."""
    sheets = [TEMPLATES_DIR / "console.css"]
    sheets += sorted(path for path in TEMPLATES_DIR.glob("*.css") if path.name != "console.css")
    return "\n".join(path.read_text(encoding="utf-8") for path in sheets)


@cache
def style_source() -> str:
    digest = hashlib.sha256(stylesheet().encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode() + "'"


def render(template: str, **context: Any) -> str:
    return template_environment().get_template(template).render(stylesheet=stylesheet(), **context)


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    height: float
    day: str
    value: int


@dataclass(frozen=True)
class TrendChart:
    """Bars of one value per day, scaled into a `width` x `height` box (SVG user units)."""

    bars: list[Bar]
    width: int
    height: int
    bar_width: float
    peak: int


def trend_chart(points: Sequence[tuple[str, int]], width: int = 600, height: int = 160) -> TrendChart:
    peak = max((value for _, value in points), default=0)
    step = width / max(len(points), 1)
    bars = []
    for index, (day, value) in enumerate(points):
        bar_height = (value / peak) * (height - 20) if peak else 0.0
        bars.append(
            Bar(
                x=round(index * step + 1, 2),
                y=round(height - bar_height, 2),
                height=round(bar_height, 2),
                day=day,
                value=value,
            )
        )
    return TrendChart(bars=bars, width=width, height=height, bar_width=round(max(step - 2, 1), 2), peak=peak)


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"
