"""Showing a page at a device size and saving a full-page screenshot, through Chrome DevTools."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

Size = tuple[int, int, bool]
"""Width and height in CSS pixels, and whether it is a phone (touch, mobile viewport)."""


def show(browser: Any, url: str, size: Size) -> None:
    width, height, mobile = size
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile},
    )
    browser.get(url)


def save_full_page(browser: Any, path: Path) -> None:
    """The whole page, beyond the viewport, as a PNG; a blank capture fails."""
    size = browser.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    shot = browser.execute_cdp_cmd(
        "Page.captureScreenshot",
        {
            "format": "png",
            "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1},
        },
    )
    path.write_bytes(base64.b64decode(shot["data"]))
    assert path.stat().st_size > 5_000  # a page, not a blank
