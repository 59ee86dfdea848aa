"""What the console's Cases pages need (docs/console.md, Cases): one desk that lists the queue,
reads a case with its timeline and makes the moves of `service.domain.cases`. The pages only call
this port; `console.adapters.cases.ServiceCaseDesk` is the one implementation."""

from __future__ import annotations

from typing import Protocol

from service.domain.ports import ComplaintQuery
from service.models.records import CaseEntry, ComplaintRecord
from shared.errors import NotFound

Case = tuple[ComplaintRecord, list[CaseEntry]]


class CaseDesk(Protocol):
    """Every move raises the domain's typed errors (NotFound, the 409 `illegal_transition`,
    `case_already_open`, `idempotency_key_reused`) and changes nothing when it does."""

    def queue(self, query: ComplaintQuery) -> tuple[list[ComplaintRecord], str | None]: ...

    def case(self, complaint_id: str) -> Case: ...

    def assign(self, complaint_id: str, assignee: str, by: str) -> Case: ...

    def note(self, complaint_id: str, text: str, by: str, idempotency_key: str) -> Case: ...

    def reply(self, complaint_id: str, text: str, by: str, idempotency_key: str) -> Case:
        """The customer receives it as a message; the same key again sends nothing new."""
        ...

    def resolve(self, complaint_id: str, resolution: str, by: str) -> Case: ...

    def close(self, complaint_id: str, by: str) -> Case: ...

    def reopen(self, complaint_id: str, reason: str | None, by: str) -> Case: ...


class NoCaseDesk:
    """Until a desk is wired: an empty queue and no case (what tests that do not need cases get)."""

    def queue(self, query: ComplaintQuery) -> tuple[list[ComplaintRecord], str | None]:
        return [], None

    def case(self, complaint_id: str) -> Case:
        raise NotFound(f"Complaint {complaint_id} does not exist.", details={"complaint_id": complaint_id})

    def assign(self, complaint_id: str, assignee: str, by: str) -> Case:
        return self.case(complaint_id)

    def note(self, complaint_id: str, text: str, by: str, idempotency_key: str) -> Case:
        return self.case(complaint_id)

    def reply(self, complaint_id: str, text: str, by: str, idempotency_key: str) -> Case:
        return self.case(complaint_id)

    def resolve(self, complaint_id: str, resolution: str, by: str) -> Case:
        return self.case(complaint_id)

    def close(self, complaint_id: str, by: str) -> Case:
        return self.case(complaint_id)

    def reopen(self, complaint_id: str, reason: str | None, by: str) -> Case:
        return self.case(complaint_id)
