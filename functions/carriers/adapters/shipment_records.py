"""The two items the storefront's shipments endpoint writes (in its transaction with the stock
commit) so carrier webhooks can find the shipment: the shipment and its tracking link.

    shipment:      pk ORDER#<order_id>       sk SHIPMENT#<shipment_id>  entity shipment
    tracking link: pk TRACKING#<tracking_no> sk LINK                    entity tracking_link

Use `shipment_items(...)` for the `Put`s of that transaction (or `register_shipment` in tests).
The link's stream INSERT makes the carrier worker apply any events that arrived before it.
"""

from __future__ import annotations

from typing import Any

from carriers.models.tracking import normalize_tracking_number
from shared.dynamo import to_attributes

SHIPMENT_SK_PREFIX = "SHIPMENT#"
LINK_SK = "LINK"


def shipment_key(order_id: str, shipment_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"ORDER#{order_id}"}, "sk": {"S": f"{SHIPMENT_SK_PREFIX}{shipment_id}"}}


def tracking_key(tracking_number: str, sk: str) -> dict[str, Any]:
    return {"pk": {"S": f"TRACKING#{tracking_number}"}, "sk": {"S": sk}}


def shipment_items(
    *,
    order_id: str,
    shipment_id: str,
    carrier: str,
    tracking_number: str,
    lines: list[dict[str, Any]],
    created_at: str,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(shipment item, tracking link item) as DynamoDB attribute maps."""
    number = normalize_tracking_number(tracking_number)
    slug = carrier.strip().lower()
    shipment = {
        "pk": f"ORDER#{order_id}",
        "sk": f"{SHIPMENT_SK_PREFIX}{shipment_id}",
        "entity": "shipment",
        "order_id": order_id,
        "shipment_id": shipment_id,
        "carrier": slug,
        "tracking_number": number,
        "lines": [{"sku": line["sku"], "quantity": int(line["quantity"])} for line in lines],
        "status": "shipped",
        "created_at": created_at,
    }
    link = {
        "pk": f"TRACKING#{number}",
        "sk": LINK_SK,
        "entity": "tracking_link",
        "tracking_number": number,
        "order_id": order_id,
        "shipment_id": shipment_id,
        "carrier": slug,
        "created_at": created_at,
    }
    return to_attributes(shipment), to_attributes(link)


def shipment_puts(table_name: str, **fields: Any) -> list[dict[str, Any]]:
    """The two `Put` actions for a TransactWriteItems (the link must not exist yet)."""
    shipment, link = shipment_items(**fields)
    return [
        {
            "Put": {
                "TableName": table_name,
                "Item": shipment,
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        },
        {"Put": {"TableName": table_name, "Item": link, "ConditionExpression": "attribute_not_exists(pk)"}},
    ]


def register_shipment(client: Any, table_name: str, **fields: Any) -> None:
    """Write both items in one transaction (tests and tools; the API writes them with its stock commit)."""
    client.transact_write_items(TransactItems=shipment_puts(table_name, **fields))
