"""The tracking-number rules of the provider simulator and the journeys it plays.

A journey is a list of provider-neutral stages; each provider module turns a stage into its own
checkpoint (status code, text, place) and push. The rules are documented in
docs/provider-simulator.md:

- EasyPost's own test codes EZ1000000001 .. EZ7000000007 (EasyPost only);
- SIM<d>...: a scripted journey on any provider (d = 1..8);
- FAIL429 / FAIL503 / FAILKEY / FAILCARRIER...: the provider's documented failure answers;
- anything else: registered, and no push.
"""

from __future__ import annotations

from dataclasses import dataclass

# -- stages -----------------------------------------------------------------------------------
INFO_RECEIVED = "info_received"
LABEL_CREATED = "label_created"  # EasyPost test trackers only
PICKED_UP = "picked_up"
ARRIVED_ORIGIN = "arrived_origin"  # EasyPost test trackers only
DEPARTED = "departed"
ARRIVED = "arrived"
ARRIVED_LOCAL = "arrived_local"  # EasyPost test trackers only ("Arrived at Post Office")
OUT_FOR_DELIVERY = "out_for_delivery"
DELIVERED = "delivered"
RETURNING = "returning"
RETURNED = "returned"
PROBLEM = "problem"  # a delivery problem (recipient unreachable, attempt failed)
NOT_FOUND = "not_found"  # the provider's "unknown / not found" status, no checkpoint
ABORT_NO_RECORD = "abort_no_record"  # Kuaidi100: abort "3天查询无记录"
ABORT_NO_CHANGE = "abort_no_change"  # Kuaidi100: abort "60天无变化"

FINAL = frozenset({DELIVERED, RETURNED, ABORT_NO_RECORD, ABORT_NO_CHANGE})
"""Stages after which a Kuaidi100 subscription has ended (shutdown or abort)."""

ESTIMATE_DAYS = 3
"""Every simulated shipment is expected 3 days after its registration."""

DELIVERED_JOURNEY = (INFO_RECEIVED, PICKED_UP, DEPARTED, ARRIVED, OUT_FOR_DELIVERY, DELIVERED)

SIM_JOURNEYS: dict[str, tuple[str, ...]] = {
    "1": (INFO_RECEIVED,),
    "2": (INFO_RECEIVED, PICKED_UP, DEPARTED),
    "3": (INFO_RECEIVED, PICKED_UP, DEPARTED, ARRIVED, OUT_FOR_DELIVERY),
    "4": DELIVERED_JOURNEY,
    "5": (INFO_RECEIVED, PICKED_UP, DEPARTED, ARRIVED, RETURNING, RETURNED),
    "6": (INFO_RECEIVED, PICKED_UP, DEPARTED, ARRIVED, OUT_FOR_DELIVERY, PROBLEM),
    "7": (NOT_FOUND,),
}
"""SIM<d> on every provider but Kuaidi100's special 7 and 8 (below); SIM0, SIM8, SIM9: no push."""

KUAIDI100_SIM: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "7": ((ABORT_NO_RECORD,), DELIVERED_JOURNEY),
    "8": ((PICKED_UP, DEPARTED, ABORT_NO_CHANGE), (ABORT_NO_CHANGE,)),
}
"""Kuaidi100 SIM7 / SIM8: (first subscription, any later subscription of the same number)."""

_EZ_COMMON = (INFO_RECEIVED, LABEL_CREATED, ARRIVED_ORIGIN, DEPARTED, ARRIVED_LOCAL)
EASYPOST_TEST_CODES: dict[str, tuple[str, ...]] = {
    "EZ1000000001": (INFO_RECEIVED, LABEL_CREATED),  # pre_transit
    "EZ2000000002": _EZ_COMMON,  # in_transit
    "EZ3000000003": (*_EZ_COMMON, OUT_FOR_DELIVERY),  # out_for_delivery
    "EZ4000000004": (*_EZ_COMMON, OUT_FOR_DELIVERY, DELIVERED),  # delivered
    "EZ5000000005": (*_EZ_COMMON, RETURNING),  # return_to_sender
    "EZ6000000006": (*_EZ_COMMON, OUT_FOR_DELIVERY, PROBLEM),  # failure
    "EZ7000000007": (NOT_FOUND,),  # unknown
}

FAILURES = (
    ("FAIL429", "rate_limit"),
    ("FAIL503", "unavailable"),
    ("FAILKEY", "bad_key"),
    ("FAILCARRIER", "bad_carrier"),
)
"""Documented test numbers: a number starting with the prefix gets the provider's answer."""


def normalize(number: str) -> str:
    """Numbers are compared upper-cased, spaces removed."""
    return "".join(str(number).split()).upper()


def failure_of(number: str) -> str | None:
    normalized = normalize(number)
    for prefix, kind in FAILURES:
        if normalized.startswith(prefix):
            return kind
    return None


def journey(provider: str, number: str, subscription: int = 0) -> tuple[str, ...]:
    """The stages a registration of `number` plays; `subscription` counts the earlier Kuaidi100
    subscriptions of the same number (0 for the first)."""
    normalized = normalize(number)
    if provider == "easypost" and normalized in EASYPOST_TEST_CODES:
        return EASYPOST_TEST_CODES[normalized]
    if not normalized.startswith("SIM") or len(normalized) < 4:
        return ()
    digit = normalized[3]
    if provider == "kuaidi100" and digit in KUAIDI100_SIM:
        first, later = KUAIDI100_SIM[digit]
        return first if subscription == 0 else later
    return SIM_JOURNEYS.get(digit, ())


def detect_carrier(number: str) -> str:
    """The simulator's carrier detection (providers that detect): ups, fedex, dhl or usps."""
    normalized = normalize(number)
    if normalized.startswith("1Z"):
        return "ups"
    if normalized.isdigit() and len(normalized) in (12, 15):
        return "fedex"
    if normalized.isdigit() and len(normalized) == 10:
        return "dhl"
    return "usps"


@dataclass(frozen=True)
class Place:
    city: str
    state: str
    zip: str
    offset_hours: int  # local time (winter offsets)
    country: str = "US"
    country_iso3: str = "USA"
    country_name: str = "United States"

    @property
    def label(self) -> str:
        return f"{self.city}, {self.state}, {self.country}"


HOUSTON = Place("Houston", "TX", "77001", -6)
HOUSTON_LABELS = Place("Houston", "TX", "77063", -6)
NORTH_HOUSTON = Place("Houston", "TX", "77315", -6)
CHARLESTON_HUB = Place("Charleston", "SC", "29407", -5)
CHARLESTON = Place("Charleston", "SC", "29401", -5)

US_ROUTE: dict[str, Place] = {
    INFO_RECEIVED: HOUSTON,
    LABEL_CREATED: HOUSTON_LABELS,
    PICKED_UP: HOUSTON,
    ARRIVED_ORIGIN: NORTH_HOUSTON,
    DEPARTED: NORTH_HOUSTON,
    ARRIVED: CHARLESTON_HUB,
    ARRIVED_LOCAL: CHARLESTON_HUB,
    OUT_FOR_DELIVERY: CHARLESTON,
    DELIVERED: CHARLESTON,
    PROBLEM: CHARLESTON,
    RETURNING: CHARLESTON,
    RETURNED: HOUSTON,
}
"""Where each stage happens for the US providers (EasyPost, AfterShip, 17TRACK, Shippo):
Houston, TX to Charleston, SC, as in the EasyPost sample."""
ORIGIN, DESTINATION = HOUSTON, CHARLESTON
