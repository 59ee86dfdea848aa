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


def follow(browser: Any, element: Any, *, keyboard: bool = False, timeout: float = 10) -> None:
    """Clicks (or, with `keyboard`, presses Enter on) a link or a form's button and waits for the
    next page: a form post navigates after `click()` has returned, so reading the page straight
    away may read the old one."""
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.wait import WebDriverWait

    page = browser.find_element("tag name", "html")
    if keyboard:
        element.send_keys(Keys.ENTER)
    else:
        element.click()
    WebDriverWait(browser, timeout).until(expected_conditions.staleness_of(page))
    WebDriverWait(browser, timeout).until(
        lambda driver: driver.execute_script("return document.readyState") == "complete"
    )


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
