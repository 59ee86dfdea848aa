"""Every provider status code -> (canonical status, reason code). Documented in
docs/tracking-statuses.md; a code missing here maps to `unknown` with the raw code kept."""

from __future__ import annotations

from carriers.models.tracking import TrackingStatus as T

Mapping = tuple[T, str | None]

# -- EasyPost: `status`, refined by `status_detail` ----------------------------------------------
EASYPOST_STATUS: dict[str, Mapping] = {
    "unknown": (T.PENDING, None),
    "pre_transit": (T.INFO_RECEIVED, None),
    "in_transit": (T.IN_TRANSIT, None),
    "out_for_delivery": (T.OUT_FOR_DELIVERY, None),
    "delivered": (T.DELIVERED, None),
    "available_for_pickup": (T.AVAILABLE_FOR_PICKUP, None),
    "return_to_sender": (T.RETURN_TO_SENDER, None),
    "failure": (T.EXCEPTION, "delivery_failure"),
    "cancelled": (T.CANCELLED, None),
    "error": (T.UNKNOWN, "tracking_error"),
}
EASYPOST_DETAIL: dict[str, Mapping] = {
    # details that change the status (unless the parcel is delivered)
    "delayed": (T.DELIVERY_DELAYED, "delayed"),
    "weather_delay": (T.DELIVERY_DELAYED, "weather"),
    "missorted": (T.DELIVERY_DELAYED, "missorted"),
    "held": (T.ON_HOLD, "held"),
    "awaiting_information": (T.ON_HOLD, "awaiting_information"),
    "damaged": (T.EXCEPTION, "damaged"),
    "lost": (T.EXCEPTION, "lost"),
    "refused": (T.EXCEPTION, "refused"),
    "delivery_exception": (T.EXCEPTION, "delivery_exception"),
    "transit_exception": (T.EXCEPTION, "transit_exception"),
    "address_correction": (T.EXCEPTION, "address_issue"),
    "return": (T.RETURN_TO_SENDER, "returning"),
    "expired": (T.EXPIRED, "expired"),
    "cancelled": (T.CANCELLED, "cancelled"),
}
EASYPOST_INFORMATIONAL_DETAILS = frozenset(
    {
        "arrived_at_destination",
        "arrived_at_facility",
        "arrived_at_pickup_location",
        "departed_facility",
        "departed_origin_facility",
        "failure",
        "in_transit",
        "label_created",
        "out_for_delivery",
        "received_at_destination_facility",
        "received_at_origin_facility",
        "status_update",
        "transferred_to_destination_carrier",
        "unknown",
    }
)
"""status_detail values that keep the status's own mapping (their name becomes the reason)."""

# -- AfterShip: `tag`, refined by `subtag` -------------------------------------------------------
AFTERSHIP_TAG: dict[str, Mapping] = {
    "Pending": (T.PENDING, None),
    "InfoReceived": (T.INFO_RECEIVED, None),
    "InTransit": (T.IN_TRANSIT, None),
    "OutForDelivery": (T.OUT_FOR_DELIVERY, None),
    "AttemptFail": (T.ATTEMPT_FAIL, None),
    "Delivered": (T.DELIVERED, None),
    "AvailableForPickup": (T.AVAILABLE_FOR_PICKUP, None),
    "Exception": (T.EXCEPTION, None),
    "Expired": (T.EXPIRED, "no_information"),
}
AFTERSHIP_SUBTAG: dict[str, Mapping] = {
    "Pending_001": (T.PENDING, "no_information"),
    "InfoReceived_001": (T.INFO_RECEIVED, None),
    "InTransit_001": (T.IN_TRANSIT, None),
    "InTransit_002": (T.IN_TRANSIT, "picked_up"),
    "InTransit_003": (T.IN_TRANSIT, "arrived_at_hub"),
    "InTransit_004": (T.IN_TRANSIT, "arrived_in_destination_country"),
    "InTransit_005": (T.IN_TRANSIT, "customs_cleared"),
    "InTransit_006": (T.IN_TRANSIT, "customs_processing"),
    "InTransit_007": (T.IN_TRANSIT, "departed"),
    "InTransit_008": (T.IN_TRANSIT, "problem_resolved"),
    "InTransit_009": (T.IN_TRANSIT, "forwarded"),
    "OutForDelivery_001": (T.OUT_FOR_DELIVERY, None),
    "OutForDelivery_003": (T.OUT_FOR_DELIVERY, "customer_contacted"),
    "OutForDelivery_004": (T.OUT_FOR_DELIVERY, "appointment_scheduled"),
    "AvailableForPickup_001": (T.AVAILABLE_FOR_PICKUP, None),
    "AttemptFail_001": (T.ATTEMPT_FAIL, "delivery_failed"),
    "AttemptFail_002": (T.ATTEMPT_FAIL, "recipient_unavailable"),
    "AttemptFail_003": (T.ATTEMPT_FAIL, "business_closed"),
    "Delivered_001": (T.DELIVERED, None),
    "Delivered_002": (T.DELIVERED, "picked_up_by_customer"),
    "Delivered_003": (T.DELIVERED, "signed_by_customer"),
    "Delivered_004": (T.DELIVERED, "cod_collected"),
    "Delivered_005": (T.DELIVERED, "left_with_neighbour"),
    "Exception_001": (T.EXCEPTION, "other"),
    "Exception_002": (T.EXCEPTION, "customer_moved"),
    "Exception_003": (T.EXCEPTION, "refused"),
    "Exception_004": (T.ON_HOLD, "customs_hold"),
    "Exception_005": (T.DELIVERY_DELAYED, "external_delay"),
    "Exception_006": (T.ON_HOLD, "held_for_payment"),
    "Exception_007": (T.EXCEPTION, "address_issue"),
    "Exception_008": (T.EXCEPTION, "pickup_missed"),
    "Exception_009": (T.EXCEPTION, "rejected_by_carrier"),
    "Exception_010": (T.RETURN_TO_SENDER, "returning"),
    "Exception_011": (T.RETURN_TO_SENDER, "returned"),
    "Exception_012": (T.EXCEPTION, "damaged"),
    "Exception_013": (T.EXCEPTION, "lost"),
    "Exception_016": (T.DELIVERY_DELAYED, "processing_delay"),
    "Exception_017": (T.DELIVERY_DELAYED, "weather"),
    "Exception_018": (T.ON_HOLD, "missing_documents"),
    "Exception_019": (T.DELIVERY_DELAYED, "late_flight"),
    "Exception_020": (T.CANCELLED, "cancelled"),
    "Exception_021": (T.EXCEPTION, "disposed"),
    "Expired_001": (T.EXPIRED, "no_information"),
}

# -- Kuaidi100: `state` / `statusCode` (basic and resultv2=4 advanced codes) ------------------
KUAIDI100_STATE: dict[str, Mapping] = {
    "0": (T.IN_TRANSIT, None),
    "1": (T.IN_TRANSIT, "picked_up"),
    "2": (T.EXCEPTION, "problem_shipment"),
    "3": (T.DELIVERED, None),
    "4": (T.RETURN_TO_SENDER, "returned"),
    "5": (T.OUT_FOR_DELIVERY, None),
    "6": (T.RETURN_TO_SENDER, "returning"),
    "7": (T.IN_TRANSIT, "transferred_to_other_carrier"),
    "8": (T.IN_TRANSIT, "customs"),
    "10": (T.IN_TRANSIT, "customs_pending"),
    "11": (T.IN_TRANSIT, "customs_processing"),
    "12": (T.IN_TRANSIT, "customs_cleared"),
    "13": (T.ON_HOLD, "customs_hold"),
    "14": (T.EXCEPTION, "refused"),
    "101": (T.INFO_RECEIVED, "ordered"),
    "102": (T.INFO_RECEIVED, "awaiting_pickup"),
    "103": (T.IN_TRANSIT, "picked_up"),
    "1001": (T.IN_TRANSIT, "arrived_in_destination_city"),
    "1002": (T.IN_TRANSIT, "line_haul"),
    "1003": (T.IN_TRANSIT, "forwarded"),
    "501": (T.AVAILABLE_FOR_PICKUP, "locker_or_station"),
    "301": (T.DELIVERED, "signed_by_recipient"),
    "302": (T.DELIVERED, "signed_after_problem"),
    "303": (T.DELIVERED, "signed_by_other"),
    "304": (T.DELIVERED, "collected_from_locker"),
    "401": (T.CANCELLED, "waybill_cancelled"),
    "201": (T.DELIVERY_DELAYED, "unsigned_too_long"),
    "202": (T.DELIVERY_DELAYED, "no_update_too_long"),
    "203": (T.EXCEPTION, "refused"),
    "204": (T.ATTEMPT_FAIL, "delivery_problem"),
    "205": (T.AVAILABLE_FOR_PICKUP, "not_collected_in_time"),
    "206": (T.ATTEMPT_FAIL, "recipient_unreachable"),
    "207": (T.EXCEPTION, "outside_service_area"),
    "208": (T.ON_HOLD, "stuck_at_depot"),
    "209": (T.EXCEPTION, "damaged"),
    "210": (T.CANCELLED, "cancelled_by_sender"),
}
KUAIDI100_STATE_NAMES: dict[str, str] = {
    "在途": "0",
    "揽收": "1",
    "疑难": "2",
    "签收": "3",
    "退签": "4",
    "派件": "5",
    "退回": "6",
    "转投": "7",
    "清关": "8",
    "待清关": "10",
    "清关中": "11",
    "已清关": "12",
    "清关异常": "13",
    "拒签": "14",
}
"""`data[].status` (resultv2=1 gives the state's Chinese name) -> state code."""


def kuaidi100_mapping(code: str) -> Mapping:
    """Exact code, else a 3-digit code by its first digit, 100x by 0; anything else unknown."""
    if code in KUAIDI100_STATE:
        return KUAIDI100_STATE[code]
    if code.isdigit() and len(code) == 4 and code.startswith("100"):
        return KUAIDI100_STATE["0"]
    if code.isdigit() and len(code) == 3 and code[0] in KUAIDI100_STATE:
        return KUAIDI100_STATE[code[0]]
    return (T.UNKNOWN, None)


def aftership_mapping(tag: str, subtag: str | None) -> Mapping:
    if subtag and subtag in AFTERSHIP_SUBTAG:
        return AFTERSHIP_SUBTAG[subtag]
    return AFTERSHIP_TAG.get(tag, (T.UNKNOWN, None))


def easypost_mapping(status: str, detail: str | None) -> Mapping:
    canonical, reason = EASYPOST_STATUS.get(status, (T.UNKNOWN, None))
    if canonical is T.DELIVERED or not detail:
        return canonical, reason
    if detail in EASYPOST_DETAIL:
        return EASYPOST_DETAIL[detail]
    if detail in EASYPOST_INFORMATIONAL_DETAILS and canonical is not T.UNKNOWN:
        return canonical, reason or (detail if detail != status else None)
    return canonical, reason


# -- 17TRACK: `latest_status.sub_status` (any unlisted sub_status maps by its main status) ------
SEVENTEENTRACK_STATUS: dict[str, Mapping] = {
    "NotFound": (T.PENDING, "not_found"),
    "InfoReceived": (T.INFO_RECEIVED, None),
    "InTransit": (T.IN_TRANSIT, None),
    "Expired": (T.EXPIRED, "no_information"),
    "AvailableForPickup": (T.AVAILABLE_FOR_PICKUP, None),
    "OutForDelivery": (T.OUT_FOR_DELIVERY, None),
    "DeliveryFailure": (T.ATTEMPT_FAIL, "delivery_failed"),
    "Delivered": (T.DELIVERED, None),
    "Exception": (T.EXCEPTION, "other"),
}
SEVENTEENTRACK_SUB_STATUS: dict[str, Mapping] = {
    "NotFound_Other": (T.PENDING, "not_found"),
    "NotFound_InvalidCode": (T.UNKNOWN, "invalid_tracking_number"),
    "InfoReceived": (T.INFO_RECEIVED, None),
    "InTransit_PickedUp": (T.IN_TRANSIT, "picked_up"),
    "InTransit_Departure": (T.IN_TRANSIT, "departed"),
    "InTransit_Arrival": (T.IN_TRANSIT, "arrived_at_hub"),
    "InTransit_Arrived": (T.IN_TRANSIT, "arrived_at_hub"),
    "InTransit_CustomsProcessing": (T.IN_TRANSIT, "customs_processing"),
    "InTransit_CustomsReleased": (T.IN_TRANSIT, "customs_cleared"),
    "InTransit_CustomsRequiringInformation": (T.ON_HOLD, "customs_hold"),
    "InTransit_Other": (T.IN_TRANSIT, None),
    "Expired_Other": (T.EXPIRED, "no_information"),
    "AvailableForPickup_Other": (T.AVAILABLE_FOR_PICKUP, None),
    "OutForDelivery_Other": (T.OUT_FOR_DELIVERY, None),
    "DeliveryFailure_NoBody": (T.ATTEMPT_FAIL, "recipient_unavailable"),
    "DeliveryFailure_Security": (T.ATTEMPT_FAIL, "security_or_fee_issue"),
    "DeliveryFailure_Rejected": (T.EXCEPTION, "refused"),
    "DeliveryFailure_InvalidAddress": (T.EXCEPTION, "address_issue"),
    "DeliveryFailure_Other": (T.ATTEMPT_FAIL, "delivery_failed"),
    "Delivered_Other": (T.DELIVERED, None),
    "Exception_Returning": (T.RETURN_TO_SENDER, "returning"),
    "Exception_Returned": (T.RETURN_TO_SENDER, "returned"),
    "Exception_NoBody": (T.EXCEPTION, "recipient_unavailable"),
    "Exception_Security": (T.EXCEPTION, "security_or_fee_issue"),
    "Exception_Damage": (T.EXCEPTION, "damaged"),
    "Exception_Rejected": (T.EXCEPTION, "refused"),
    "Exception_Delayed": (T.DELIVERY_DELAYED, "delayed"),
    "Exception_Lost": (T.EXCEPTION, "lost"),
    "Exception_Destroyed": (T.EXCEPTION, "destroyed"),
    "Exception_Cancel": (T.CANCELLED, "cancelled"),
    "Exception_Held": (T.ON_HOLD, "held"),
    "Exception_Other": (T.EXCEPTION, "other"),
}
SEVENTEENTRACK_STAGE: dict[str, Mapping] = {
    "InfoReceived": (T.INFO_RECEIVED, None),
    "PickedUp": (T.IN_TRANSIT, "picked_up"),
    "Departure": (T.IN_TRANSIT, "departed"),
    "Arrival": (T.IN_TRANSIT, "arrived_at_hub"),
    "AvailableForPickup": (T.AVAILABLE_FOR_PICKUP, None),
    "OutForDelivery": (T.OUT_FOR_DELIVERY, None),
    "Delivered": (T.DELIVERED, None),
    "Returning": (T.RETURN_TO_SENDER, "returning"),
    "Returned": (T.RETURN_TO_SENDER, "returned"),
}
"""An event's `stage` (the milestone it belongs to); events without a stage take the latest status
when they are the newest event, else they are recorded as `unknown`."""


def seventeentrack_mapping(status: str | None, sub_status: str | None) -> Mapping:
    if sub_status and sub_status in SEVENTEENTRACK_SUB_STATUS:
        return SEVENTEENTRACK_SUB_STATUS[sub_status]
    prefix = (sub_status or "").split("_")[0] or (status or "")
    return SEVENTEENTRACK_STATUS.get(prefix, SEVENTEENTRACK_STATUS.get(status or "", (T.UNKNOWN, None)))


# -- Shippo: `status`, refined by `substatus.code` -------------------------------------------------
SHIPPO_STATUS: dict[str, Mapping] = {
    "PRE_TRANSIT": (T.INFO_RECEIVED, None),
    "TRANSIT": (T.IN_TRANSIT, None),
    "DELIVERED": (T.DELIVERED, None),
    "RETURNED": (T.RETURN_TO_SENDER, None),
    "FAILURE": (T.EXCEPTION, "delivery_failure"),
    "UNKNOWN": (T.UNKNOWN, None),
}
SHIPPO_SUBSTATUS: dict[str, Mapping] = {
    "information_received": (T.INFO_RECEIVED, None),
    "out_for_delivery": (T.OUT_FOR_DELIVERY, None),
    "delivery_attempted": (T.ATTEMPT_FAIL, "delivery_attempted"),
    "notice_left": (T.ATTEMPT_FAIL, "notice_left"),
    "pickup_available": (T.AVAILABLE_FOR_PICKUP, None),
    "address_issue": (T.EXCEPTION, "address_issue"),
    "contact_carrier": (T.ON_HOLD, "awaiting_information"),
    "location_inaccessible": (T.EXCEPTION, "delivery_problem"),
    "package_damaged": (T.EXCEPTION, "damaged"),
    "package_held": (T.ON_HOLD, "held"),
    "reschedule_delivery": (T.ATTEMPT_FAIL, "delivery_problem"),
    "delayed": (T.DELIVERY_DELAYED, "delayed"),
    "delivery_rescheduled": (T.IN_TRANSIT, "delivery_rescheduled"),
    "delivery_scheduled": (T.IN_TRANSIT, "delivery_scheduled"),
    "package_accepted": (T.IN_TRANSIT, "picked_up"),
    "package_arrived": (T.IN_TRANSIT, "arrived_at_hub"),
    "package_departed": (T.IN_TRANSIT, "departed"),
    "package_forwarded": (T.IN_TRANSIT, "forwarded"),
    "package_processed": (T.IN_TRANSIT, None),
    "package_processing": (T.IN_TRANSIT, None),
    "delivered": (T.DELIVERED, None),
    "return_to_sender": (T.RETURN_TO_SENDER, "returning"),
    "package_unclaimed": (T.RETURN_TO_SENDER, "unclaimed"),
    "package_undeliverable": (T.EXCEPTION, "delivery_failure"),
    "package_disposed": (T.EXCEPTION, "destroyed"),
    "package_lost": (T.EXCEPTION, "lost"),
    "other": (T.UNKNOWN, None),
}
"""Shippo's event definitions (events/carriers/shippo/README.md): `out for delivery` and
`pickup available` are TRANSIT substatuses, so the substatus decides."""


def shippo_mapping(status: str, substatus: str | None) -> Mapping:
    if substatus and substatus in SHIPPO_SUBSTATUS:
        return SHIPPO_SUBSTATUS[substatus]
    return SHIPPO_STATUS.get(status.upper(), (T.UNKNOWN, None))
