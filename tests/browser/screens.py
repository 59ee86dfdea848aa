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


def left_page(element: Any) -> Any:
    """A wait condition: the page that held `element` is gone. As Selenium's `staleness_of`, and
    also when Chrome, asked about the element mid-navigation, answers that the node "does not
    belong to the document" (an unknown error rather than a stale reference)."""
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException

    def gone(_: Any) -> bool:
        try:
            element.is_enabled()
        except StaleElementReferenceException:
            return True
        except WebDriverException as error:
            if "does not belong to the document" in str(error):
                return True
            raise
        return False

    return gone


def follow(browser: Any, element: Any, *, keyboard: bool = False, timeout: float = 10) -> None:
    """Clicks (or, with `keyboard`, presses Enter on) a link or a form's button and waits for the
    next page: a form post navigates after `click()` has returned, so reading the page straight
    away may read the old one."""
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.wait import WebDriverWait

    page = browser.find_element("tag name", "html")
    if keyboard:
        element.send_keys(Keys.ENTER)
    else:
        element.click()
    WebDriverWait(browser, timeout).until(left_page(page))
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
