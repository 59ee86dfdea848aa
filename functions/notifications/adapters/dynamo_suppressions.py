"""The suppression list in the orders table, one item per (channel, recipient).

    pk  SUPPRESSION#<channel>#<sha256 hex of the normalized address>
    sk  SUPPRESSION
    entity "suppression", channel, reason, source, at, recipient (masked)

Keys hold only a hash, so the table never stores a suppressed address in clear; the masked
`recipient` lets an operator tell items apart. Every method normalizes the address first
(`notifications.domain.suppressions.normalize_address`), so an order's `Li.Wei@Example.com` and a
bounce for `li.wei@example.com` meet on the same item.
"""

from __future__ import annotations

import hashlib
from typing import Any

from botocore.exceptions import ClientError

from notifications.domain.model import Channel, Suppression
from notifications.domain.suppressions import mask_address, normalize_address

PK_PREFIX = "SUPPRESSION#"
SORT_KEY = "SUPPRESSION"
ENTITY = "suppression"


def suppression_key(channel: Channel, address: str) -> dict[str, Any]:
    channel = Channel(channel)
    digest = hashlib.sha256(normalize_address(channel, address).encode()).hexdigest()
    return {"pk": {"S": f"{PK_PREFIX}{channel.value}#{digest}"}, "sk": {"S": SORT_KEY}}


class DynamoSuppressionList:
    def __init__(self, table_name: str, client: Any) -> None:
        self._table = table_name
        self._client = client

    def find(self, channel: Channel, address: str) -> Suppression | None:
        item = self._client.get_item(
            TableName=self._table, Key=suppression_key(channel, address), ConsistentRead=True
        ).get("Item")
        if item is None:
            return None
        return Suppression(
            channel=Channel(item["channel"]["S"]),
            reason=item["reason"]["S"],
            source=item["source"]["S"],
            at=item["at"]["S"],
        )

    def suppress(self, channel: Channel, address: str, reason: str, source: str, at: str) -> None:
        """Keeps the first record: a later bounce or a repeated STOP does not rewrite it."""
        channel = Channel(channel)
        try:
            self._client.put_item(
                TableName=self._table,
                Item={
                    **suppression_key(channel, address),
                    "entity": {"S": ENTITY},
                    "channel": {"S": channel.value},
                    "reason": {"S": reason},
                    "source": {"S": source},
                    "at": {"S": at},
                    "recipient": {"S": mask_address(channel, normalize_address(channel, address))},
                },
                ConditionExpression="attribute_not_exists(pk)",
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise

    def lift(self, channel: Channel, address: str) -> None:
        self._client.delete_item(TableName=self._table, Key=suppression_key(channel, address))
