"""The console's HTML: Jinja2 templates in `templates/`, autoescaped, undefined variables raise.
The stylesheet `templates/console.css` is inlined; its SHA-256 goes into the Content-Security-Policy,
so no other style and no script can run. Charts are inline SVG drawn here (no JavaScript)."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Sequence
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
    value: float | None
    text: str


@dataclass(frozen=True)
class TrendChart:
    """Bars of one value per day, scaled into a `width` x `height` box (SVG user units); a day
    without a value (a rate with nothing to divide) has no bar and says so in its title."""

    bars: list[Bar]
    width: int
    height: int
    bar_width: float
    peak: float
    peak_text: str

    @property
    def first_day(self) -> str:
        return self.bars[0].day if self.bars else ""

    @property
    def last_day(self) -> str:
        return self.bars[-1].day if self.bars else ""


def trend_chart(
    points: Sequence[tuple[str, float | None]],
    width: int = 600,
    height: int = 160,
    show: Callable[[float], str] = lambda value: f"{value:g}",
    ceiling: float | None = None,
) -> TrendChart:
    """`ceiling` fixes the top of the scale (1.0 for a rate); else the highest value is the top."""
    peak = ceiling if ceiling is not None else max((v for _, v in points if v is not None), default=0)
    step = width / max(len(points), 1)
    bars = []
    for index, (day, value) in enumerate(points):
        bar_height = (min(value, peak) / peak) * (height - 4) if peak and value else 0.0
        bars.append(
            Bar(
                x=round(index * step + 1, 2),
                y=round(height - bar_height, 2),
                height=round(bar_height, 2),
                day=day,
                value=value,
                text="—" if value is None else show(value),
            )
        )
    return TrendChart(
        bars=bars,
        width=width,
        height=height,
        bar_width=round(max(step - 2, 1), 2),
        peak=peak,
        peak_text=show(peak),
    )


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"
