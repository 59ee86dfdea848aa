"""The tracking page in a real browser, at phone and desktop widths: the timeline is visible, fits
the screen without horizontal scrolling, reads newest first, and the page's policy blocks nothing
the page itself uses. Screenshots are saved for a look."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tests.browser.screens import follow, save_full_page, show
from tests.e2e.test_tracking_page import SCANS, TrackedParcel

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.xdist_group("browser")]

VIEWPORTS = {"phone": (375, 812, True), "desktop": (1280, 800, False)}
OVERFLOWING = """
const width = document.documentElement.clientWidth;
return [...document.querySelectorAll('body *')]
  .filter((element) => element.getBoundingClientRect().right > width + 0.5)
  .map((element) => element.tagName.toLowerCase() + '.' + element.className);
"""


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_the_timeline_is_visible_fits_the_screen_and_reads_newest_first(
    viewport: str, browser: Any, parcel: TrackedParcel, screenshots: Path
) -> None:
    from selenium.webdriver.common.by import By

    # Given the customer's tracking link opened on a phone or a desktop
    show(browser, parcel.url, VIEWPORTS[viewport])
    width = VIEWPORTS[viewport][0]

    # Then the page lays out at the device width, with nothing wider than the screen
    layout = browser.execute_script(
        "return {inner: window.innerWidth, client: document.documentElement.clientWidth,"
        " scroll: document.documentElement.scrollWidth}"
    )
    assert layout["inner"] == width  # the viewport meta tag: no zoomed-out desktop layout on a phone
    assert layout["scroll"] <= layout["client"], "the page scrolls horizontally"
    assert browser.execute_script(OVERFLOWING) == []
    for link in browser.find_elements(By.CSS_SELECTOR, "nav a"):  # touch targets of at least 44 px
        assert link.rect["height"] >= 44 and link.rect["width"] >= 44

    # And the timeline is visible, inside the screen, newest entry first and marked current
    timeline = browser.find_element(By.CSS_SELECTOR, "ol.timeline")
    assert timeline.is_displayed()
    box = timeline.rect
    assert box["x"] >= 0 and box["x"] + box["width"] <= layout["client"]
    heading = browser.find_element(By.ID, timeline.get_attribute("aria-labelledby"))
    assert "最新在前" in heading.text and timeline.get_attribute("data-order") == "newest-first"
    steps = timeline.find_elements(By.CSS_SELECTOR, "li.step")
    assert len(steps) == len(SCANS)
    assert all(step.is_displayed() for step in steps)
    moments = [
        datetime.fromisoformat(step.find_element(By.TAG_NAME, "time").get_attribute("datetime"))
        for step in steps
    ]
    assert moments == sorted(moments, reverse=True)
    tops = [step.rect["y"] for step in steps]
    assert tops == sorted(tops)  # drawn top to bottom in that order
    assert [step.find_element(By.CSS_SELECTOR, ".step-message").text for step in steps] == [
        message for _, _, message, _ in reversed(SCANS)
    ]
    assert [step.get_attribute("aria-current") for step in steps] == ["step", None, None]

    # And the page's own stylesheet passed its Content-Security-Policy (nothing refused)
    refused = [
        entry["message"]
        for entry in browser.get_log("browser")
        if "Content Security Policy" in entry["message"]
    ]
    assert refused == []
    assert (
        timeline.find_element(By.CSS_SELECTOR, ".badge").value_of_css_property("color")
        == "rgba(255, 255, 255, 1)"
    )

    save_full_page(browser, screenshots / f"tracking-page-{viewport}.png")


def test_the_language_switch_opens_the_same_page_in_english(
    browser: Any, parcel: TrackedParcel, screenshots: Path
) -> None:
    from selenium.webdriver.common.by import By

    show(browser, parcel.url, VIEWPORTS["phone"])
    follow(browser, browser.find_element(By.CSS_SELECTOR, "a[hreflang='en']"))

    assert browser.current_url == parcel.url + "?lang=en"
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    assert "(newest first)" in browser.find_element(By.CSS_SELECTOR, "[id$='-history']").text
    assert browser.find_element(By.CSS_SELECTOR, "a[aria-current='page']").text == "English"
    save_full_page(browser, screenshots / "tracking-page-phone-en.png")
