"""A real headless Chromium (the Debian package, installed by `make browser`) driven by Selenium
through the Debian chromedriver, so Selenium Manager never downloads a browser or a driver.

The pages come from a local stack of their own, started for these tests and stopped right after
them (the e2e stack stays with the e2e tests). Without Chromium these tests fail and say what to
install, they never skip.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path(os.environ.get("ORDERTRACK_CHROMIUM", "/usr/bin/chromium"))
CHROMEDRIVER = Path(os.environ.get("ORDERTRACK_CHROMEDRIVER", "/usr/bin/chromedriver"))


def _require(path: Path, what: str) -> None:
    if not (path.is_file() and os.access(path, os.X_OK)):
        pytest.fail(
            f"{what} is not installed at {path}: run `make browser` (Debian: apt-get install chromium "
            "chromium-driver fonts-wqy-microhei), or point ORDERTRACK_CHROMIUM / ORDERTRACK_CHROMEDRIVER "
            "at your own Chromium and its matching chromedriver.",
            pytrace=False,
        )


@pytest.fixture(scope="module")
def stack() -> Iterator[Any]:
    from infra.local.stack import LocalStack
    from infra.synth import ensure_synthesized

    with LocalStack(ensure_synthesized(), port=0) as local:
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
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the screenshots go (`ORDERTRACK_SCREENSHOTS`, else a pytest temporary directory)."""
    chosen = os.environ.get("ORDERTRACK_SCREENSHOTS")
    if chosen:
        Path(chosen).mkdir(parents=True, exist_ok=True)
        return Path(chosen)
    return tmp_path_factory.mktemp("tracking-page-screenshots")
