"""A real headless Chromium (the Debian package, installed by `make browser`) driven by Selenium
through the Debian chromedriver, so Selenium Manager never downloads a browser or a driver.

The pages come from a local stack of their own, started once for these tests and stopped right
after them (the e2e stack stays with the e2e tests). Without Chromium these tests fail and say what
to install, they never skip. axe-core (`make axe`, npm) is injected into pages for the
accessibility check. Screenshots go to `.artifacts/screenshots/` (gitignored), or to
`ORDERTRACK_SCREENSHOTS`.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from tests.e2e.test_tracking_page import TrackedParcel

CHROMIUM = Path(os.environ.get("ORDERTRACK_CHROMIUM", "/usr/bin/chromium"))
CHROMEDRIVER = Path(os.environ.get("ORDERTRACK_CHROMEDRIVER", "/usr/bin/chromedriver"))
ROOT = Path(__file__).resolve().parents[2]
AXE = Path(os.environ.get("ORDERTRACK_AXE", ROOT / "node_modules" / "axe-core" / "axe.min.js"))
SCREENSHOTS = ROOT / ".artifacts" / "screenshots"
LONG_NUMBER = "SF" + "0123456789" * 3 + "12345678"  # 40 characters, the longest a shipment takes


def _require(path: Path, what: str) -> None:
    if not (path.is_file() and os.access(path, os.X_OK)):
        pytest.fail(
            f"{what} is not installed at {path}: run `make browser` (Debian: apt-get install chromium "
            "chromium-driver fonts-wqy-microhei), or point ORDERTRACK_CHROMIUM / ORDERTRACK_CHROMEDRIVER "
            "at your own Chromium and its matching chromedriver.",
            pytrace=False,
        )


@pytest.fixture(scope="session")
def stack() -> Iterator[Any]:
    from infra.local.stack import LocalStack
    from infra.synth import ensure_synthesized

    # a one-second burst window: the order's emails are in the outbox within seconds
    env = {"ORDERTRACK_COLLAPSE_WINDOW_SECONDS": "1", "ORDERTRACK_RETRY_BASE_SECONDS": "1"}
    with LocalStack(ensure_synthesized(), port=0, env=env) as local:
        yield local


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    _require(CHROMIUM, "Chromium")
    _require(CHROMEDRIVER, "chromedriver")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",  # CI runs as root, where Chromium's sandbox cannot start
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--disable-extensions",
        "--no-first-run",
        "--hide-scrollbars",
        "--force-device-scale-factor=1",
        "--window-size=1280,800",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # console: CSP violations show there
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(15)
    driver.set_script_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """Where the screenshots go: `ORDERTRACK_SCREENSHOTS`, else `.artifacts/screenshots/`."""
    chosen = Path(os.environ.get("ORDERTRACK_SCREENSHOTS") or SCREENSHOTS)
    chosen.mkdir(parents=True, exist_ok=True)
    return chosen


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's browser bundle, injected into each page checked."""
    if not AXE.is_file():
        pytest.fail(
            f"axe-core is not installed at {AXE}: run `make axe` (npm ci), or point ORDERTRACK_AXE at axe.min.js",
            pytrace=False,
        )
    return AXE.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def parcel(stack: Any) -> TrackedParcel:
    """One zh-CN customer's order for every browser test: two named products, shipped with SF Express
    under a 40-character tracking number, scanned three times (out for delivery)."""
    from tests.e2e.conftest import Storefront
    from tests.e2e.test_tracking_page import ship_and_scan

    tag = uuid.uuid4().hex[:8]
    customer = {
        "id": f"cust-{tag}",
        "name": "李伟",
        "email": f"pages-{tag}@example.com",
        "phone": f"+8613900{uuid.uuid4().int % 10**6:06d}",
        "locale": "zh-CN",
    }
    items = [
        {"sku": "TEA-TIEGUANYIN-250G", "name": "安溪铁观音 250 克", "quantity": 2, "unit_price": "88.00"},
        {"sku": "CUP-CELADON-2", "name": "龙泉青瓷茶杯 两只装", "quantity": 1, "unit_price": "45.50"},
    ]
    return ship_and_scan(stack, Storefront(stack), customer, items=items, tracking_number=LONG_NUMBER)
