"""``make webhook PROVIDER=<name> FILE=<sample> [TRACKING=<number>]``: post a carrier sample to the
running ``make dev`` as the provider would send it now.

The sample (``events/carriers/<provider>/...`` or any file of the same shape) is addressed to
``TRACKING`` when given, re-dated when its newest time is more than a day old (every time
moves by one offset so that the newest becomes a minute ago; ``--keep-dates`` leaves it), signed with the running stack's
webhook secret for the provider by the provider's own scheme, and posted to
``/v1/webhooks/<provider>``. Prints the answer; exits 1 unless it is 2xx.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

from infra.local.carrier_samples import (
    PROVIDERS,
    SampleError,
    newest_time,
    readdressed,
    redated,
    sign_sample,
    tracking_numbers,
)
from infra.local.running import NoRunningStack, RunningStack

WEBHOOK_SECRETS = {
    "easypost": "EasyPostWebhookSecret",
    "aftership": "AfterShipWebhookSecret",
    "kuaidi100": "Kuaidi100WebhookSecret",
    "17track": "SeventeenTrackWebhookSecret",
    "shippo": "ShippoWebhookSecret",
    "generic": "GenericWebhookSecret",
}
"""The template's webhook secret (logical id) of each provider; its JSON field ``secret``."""
STALE_AFTER = timedelta(days=1)


def prepare(
    provider: str, raw: bytes, secret: str, now: datetime, tracking_number: str | None, keep_dates: bool
) -> tuple[bytes, dict[str, str], dict[str, str]]:
    """Body, headers and query of the post (see the module's docstring)."""
    if tracking_number:
        raw = readdressed(provider, raw, tracking_number)
    newest = newest_time(provider, raw)
    if not keep_dates and newest is not None and now - newest > STALE_AFTER:
        raw = redated(provider, raw, now - timedelta(minutes=1))
    post = sign_sample(provider, raw, secret, now.timestamp())
    return post.body, post.headers, post.query


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make webhook", description=__doc__.splitlines()[0])
    parser.add_argument("provider", choices=PROVIDERS)
    parser.add_argument("file", type=Path, help="the sample: a body as the provider sends it")
    parser.add_argument("--tracking-number", help="address the sample to this tracking number")
    parser.add_argument("--keep-dates", action="store_true", help="post the sample's dates as they are")
    parser.add_argument("--endpoints-file", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        stack = RunningStack.find(args.endpoints_file)
        secret = str(stack.secret(WEBHOOK_SECRETS[args.provider]).get("secret", ""))
        raw = args.file.read_bytes()
        body, headers, query = prepare(
            args.provider, raw, secret, datetime.now(UTC), args.tracking_number, args.keep_dates
        )
    except (NoRunningStack, SampleError, OSError) as error:
        print(f"make webhook: {error}", file=sys.stderr)
        return 2
    url = f"{stack.api_url}/v1/webhooks/{args.provider}"
    started = time.monotonic()
    response = requests.post(url, data=body, headers=headers, params=query, timeout=30)
    numbers = ", ".join(sorted(tracking_numbers(args.provider, body))) or "no tracking number"
    print(
        f"POST {url} ({args.file.name}, {numbers}) -> {response.status_code} "
        f"in {(time.monotonic() - started) * 1000:.0f} ms"
    )
    print(response.text)
    return 0 if response.ok else 1


if __name__ == "__main__":
    sys.exit(main())
