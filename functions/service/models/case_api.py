"""Request and response bodies of the case routes (`/v1/complaints/{id}/...`), validated at the edge."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictStr

from service.models.api import COMMENT_MAX, ComplaintView, _Strict
from service.models.records import CaseEntry, CaseEntryFields, ComplaintRecord

OPERATOR = Annotated[StrictStr, Field(min_length=1, max_length=200, description="Operator id.")]
TEXT = Annotated[StrictStr, Field(min_length=1, max_length=COMMENT_MAX)]


class AssignRequest(_Strict):
    assignee: OPERATOR
    by: OPERATOR


class NoteRequest(_Strict):
    """An internal note: on the case's timeline only, never shown to the customer."""

    text: TEXT
    by: OPERATOR


class ReplyRequest(_Strict):
    """A reply the customer receives as a message (the text quoted as the shop's note)."""

    text: TEXT
    by: OPERATOR


class CloseRequest(_Strict):
    by: OPERATOR


class ReopenRequest(_Strict):
    by: OPERATOR
    reason: Annotated[StrictStr | None, Field(default=None, max_length=COMMENT_MAX)]


class CaseEntryView(CaseEntryFields):
    model_config = ConfigDict(defer_build=True, extra="ignore")


class CaseView(ComplaintView):
    """A case with its timeline (oldest first): who did what, when."""

    timeline: list[CaseEntryView] = []

    @classmethod
    def of_case(cls, record: ComplaintRecord, timeline: list[CaseEntry] | tuple[CaseEntry, ...]) -> CaseView:
        values = record.model_dump(exclude={"request_hash"})
        values["timeline"] = [entry.model_dump(exclude_none=True) for entry in timeline]
        return cls.model_validate(values)


class CasePage(BaseModel):
    model_config = ConfigDict(defer_build=True)
    complaints: list[ComplaintView]
    next_cursor: str | None = None
