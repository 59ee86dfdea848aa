"""The console's case desk over the service capability: its domain functions
(`service.domain.complaints`, `service.domain.cases`) with the same ports the storefront's case
routes wire (`service/handlers/case_routes.py`): the service store, customer events for the
notification queue, the service rules and the signed "was this resolved?" links."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from console.cases_ports import Case
from service.domain.cases import (
    AnswerLinks,
    add_note,
    assign_case,
    close_case,
    reopen_case,
    reply_to_customer,
    resolve_case,
)
from service.domain.complaints import complaint_queue, load_case
from service.domain.links import case_token
from service.domain.ports import ComplaintQuery, ComplaintStore, CustomerEvents
from service.domain.rules import ServiceRules
from service.models.records import ComplaintRecord
from shared.clock import Clock


def request_hash(text: str, by: str) -> str:
    """The body the storefront would hash for the same note or reply (`{"text", "by"}`)."""
    body = {"by": by, "text": text}
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def signed_answer_links(current_key: Callable[[], str], days: int) -> AnswerLinks:
    """(complaint id, resolved time) -> the "was this resolved?" token, valid `days` after."""

    def sign(complaint_id: str, resolved_at: datetime) -> str | None:
        expires = int((resolved_at + timedelta(days=days)).timestamp())
        return case_token(current_key(), complaint_id, expires)

    return sign


@dataclass
class ServiceCaseDesk:
    store: ComplaintStore
    events: CustomerEvents
    rules: ServiceRules
    clock: Clock
    answer_links: AnswerLinks | None = None

    def queue(self, query: ComplaintQuery) -> tuple[list[ComplaintRecord], str | None]:
        return complaint_queue(query, self.store)

    def case(self, complaint_id: str) -> Case:
        return load_case(complaint_id, self.store)

    def assign(self, complaint_id: str, assignee: str, by: str) -> Case:
        return assign_case(complaint_id, assignee, by, self.store, self.clock)

    def note(self, complaint_id: str, text: str, by: str, idempotency_key: str) -> Case:
        case, _ = add_note(
            complaint_id, text, by, idempotency_key, request_hash(text, by), self.store, self.clock
        )
        return case

    def reply(self, complaint_id: str, text: str, by: str, idempotency_key: str) -> Case:
        case, _ = reply_to_customer(
            complaint_id,
            text,
            by,
            idempotency_key,
            request_hash(text, by),
            self.store,
            self.events,
            self.clock,
        )
        return case

    def resolve(self, complaint_id: str, resolution: str, by: str) -> Case:
        case, _ = resolve_case(
            complaint_id, resolution, by, self.store, self.events, self.clock, self.answer_links
        )
        return case

    def close(self, complaint_id: str, by: str) -> Case:
        case, _ = close_case(complaint_id, by, self.store, self.clock)
        return case

    def reopen(self, complaint_id: str, reason: str | None, by: str) -> Case:
        case, _ = reopen_case(complaint_id, by, reason, self.store, self.rules, self.clock)
        return case
