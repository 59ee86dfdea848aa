"""Signed-out console sessions in the orders table (docs/console.md, "Sign-in challenges and signing
out"):

    revoked session   pk CONSOLE_REVOKED#<origin_jti>   sk CONSOLE_REVOKED   entity console_revoked_session,
                      expires_at (TTL: the signed-out ID token's own `exp`)

One `PutItem` per sign-out; one strongly consistent `GetItem` (keys only) per console request, so
a session signed out on one container is refused by every other at once. After `expires_at` the
token is refused for its expiry anyway, so DynamoDB may delete the item whenever its TTL sweep runs.
No stream consumer's filter matches the entity."""

from __future__ import annotations

from typing import Any

PREFIX = "CONSOLE_REVOKED#"
SORT_KEY = "CONSOLE_REVOKED"
ENTITY = "console_revoked_session"
MAX_ID = 128


def _key(session_id: str) -> dict[str, dict[str, str]]:
    return {"pk": {"S": PREFIX + session_id[:MAX_ID]}, "sk": {"S": SORT_KEY}}


class DynamoRevokedSessions:
    def __init__(self, table_name: str, client: Any) -> None:
        self._table = table_name
        self._client = client

    def revoke(self, session_id: str, expires: int) -> None:
        if not session_id:
            return
        self._client.put_item(
            TableName=self._table,
            Item={**_key(session_id), "entity": {"S": ENTITY}, "expires_at": {"N": str(int(expires))}},
        )

    def is_revoked(self, session_id: str) -> bool:
        if not session_id:
            return False
        answer = self._client.get_item(
            TableName=self._table,
            Key=_key(session_id),
            ConsistentRead=True,
            ProjectionExpression="pk",
        )
        return "Item" in answer
