"""``make links ORDER=<order id>``: the customer's links for an order on the running ``make dev``,
signed with its link key as the messages carry them: the tracking page, the survey (valid 30 days
from now) and the notification settings (valid 400 days from now).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from infra.local.running import NoRunningStack, RunningStack
from shared.links import FEEDBACK, TRACK, sign

LINK_KEY_SECRET = "LinkSigningKey"  # noqa: S105 - a logical id, not a secret
SURVEY_DAYS = 30
SETTINGS_DAYS = 400
SETTINGS = "unsubscribe"
"""The purpose and path of the notification settings page (its links ride in List-Unsubscribe)."""


def customer_links(base_url: str, key: str, order_id: str, now: int) -> dict[str, str]:
    """``{"tracking": ..., "survey": ..., "preferences": ...}`` for ``order_id``."""
    day = 86_400
    return {
        "tracking": f"{base_url}/track/{sign(key, order_id, TRACK)}",
        "survey": f"{base_url}/feedback/{sign(key, order_id, FEEDBACK, expires_at=now + SURVEY_DAYS * day)}",
        "preferences": f"{base_url}/{SETTINGS}/{sign(key, order_id, SETTINGS, expires_at=now + SETTINGS_DAYS * day)}",
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make links", description=__doc__.splitlines()[0])
    parser.add_argument("order_id")
    parser.add_argument("--endpoints-file", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        stack = RunningStack.find(args.endpoints_file)
        key = str(stack.secret(LINK_KEY_SECRET).get("key", ""))
        links = customer_links(stack.api_url, key, args.order_id, int(time.time()))
    except (NoRunningStack, ValueError) as error:
        print(f"make links: {error}", file=sys.stderr)
        return 2
    for name, url in links.items():
        print(f"{name:<12} {url}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
