"""`make webhook` and `make links` against the e2e local stack, as a developer runs them beside `make dev`."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from infra.local.carrier_samples import newest_time
from infra.local.stack import write_endpoints_file
from tests.e2e.conftest import Storefront
from tests.e2e.test_carrier_webhooks import confirmed_order, ship
from tests.local_runtime.test_carrier_samples import accepted
from tests.terminal import REPO_ROOT, make

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]
SAMPLES = REPO_ROOT / "events" / "carriers"


@pytest.fixture(scope="module")
def endpoints_file(stack: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_endpoints_file(stack, tmp_path_factory.mktemp("dev") / "endpoints.json")


@pytest.mark.parametrize(
    ("provider", "sample", "carrier"),
    [
        ("easypost", "03_delivered.json", "usps"),
        ("aftership", "03_delivered.json", "usps"),
        ("kuaidi100", "03_delivered.txt", "yto"),
        ("17track", "03_delivered.json", "ups"),
        ("shippo", "03_delivered.json", "usps"),
        ("generic", "04_delivered.json", "sf-express"),
    ],
)
def test_make_webhook_posts_a_provider_sample_for_the_parcel_signed_and_dated_now(
    provider: str,
    sample: str,
    carrier: str,
    endpoints_file: Path,
    storefront: Storefront,
    new_customer: Callable[..., dict[str, Any]],
) -> None:
    # Given a parcel shipped today with a number of its own
    order_id = confirmed_order(storefront, new_customer)
    number = f"TEST{uuid.uuid4().int % 10**12:012d}"
    ship(storefront, order_id, carrier, number)

    # When the provider's delivered sample (dated months ago, about another number) is posted for it
    raw = (SAMPLES / provider / sample).read_bytes()
    newest = newest_time(provider, raw)
    assert newest is not None
    last_scan_before_newest = newest - max(c.occurred_at for c in accepted(provider, raw, newest).checkpoints)
    before = datetime.now(UTC)
    posted = make(
        "webhook",
        endpoints_file,
        f"PROVIDER={provider}",
        f"FILE={SAMPLES / provider / sample}",
        f"TRACKING={number}",
    )
    after = datetime.now(UTC)

    # Then the stack accepted its signature, and the order is delivered at the sample's times moved
    # so that the sample ends a minute before it was posted
    assert posted.returncode == 0, posted.stdout + posted.stderr
    assert f"/v1/webhooks/{provider} ({sample}, {number}) -> 200" in posted.stdout
    order = storefront.wait_for_status(order_id, {"delivered"}, timeout=30)
    scans = [
        datetime.fromisoformat(entry["at"].replace("Z", "+00:00"))
        for entry in order["timeline"]
        if entry["by"] == f"carrier:{provider}"
    ]
    ends = (before - timedelta(minutes=1, seconds=1), after - timedelta(minutes=1))
    assert scans and ends[0] - last_scan_before_newest <= max(scans) <= ends[1] - last_scan_before_newest


def test_make_links_prints_the_links_the_customer_was_sent(
    endpoints_file: Path, storefront: Storefront, new_customer: Callable[..., dict[str, Any]]
) -> None:
    # Given an order whose customer got messages with their tracking link
    customer = new_customer()
    order_id = confirmed_order(storefront, lambda: customer)
    deadline = time.monotonic() + 60
    while not (sms := storefront.outbox_for(customer["phone"])) and time.monotonic() < deadline:
        storefront.stack.wait_idle(30)
    assert sms, "the customer got no SMS"

    # When the developer asks for the order's links
    printed = make("links", endpoints_file, f"ORDER={order_id}")

    # Then they are the links of the messages, and they open the customer's pages
    assert printed.returncode == 0, printed.stdout + printed.stderr
    links = dict(
        re.findall(r"^(tracking|survey|preferences) +(http\S+)$", printed.stdout, flags=re.MULTILINE)
    )
    assert set(links) == {"tracking", "survey", "preferences"}
    assert any(links["tracking"] in message["body"] for message in sms)
    for name in ("tracking", "survey"):
        page = requests.get(links[name], timeout=10)
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html"), name
    tampered = links["tracking"][:-2] + ("AA" if not links["tracking"].endswith("AA") else "BB")
    assert requests.get(tampered, timeout=10).status_code == 404
