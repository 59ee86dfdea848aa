"""The body of `GET /v1/feedback`."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from service.models.records import FeedbackCategory, FeedbackRecord


class FeedbackAnswer(BaseModel):
    model_config = ConfigDict(defer_build=True)
    order_id: str
    rating: int = Field(description="1-5.")
    nps: int | None = Field(description="0-10 when asked.")
    comment: str
    categories: list[FeedbackCategory]
    submitted_at: str
    updated_at: str = Field(description="The last edit (the submission when never edited).")

    @classmethod
    def of(cls, record: FeedbackRecord) -> FeedbackAnswer:
        return cls.model_validate(record.model_dump(include=set(cls.model_fields)))


class FeedbackAnswerPage(BaseModel):
    model_config = ConfigDict(defer_build=True)
    answers: list[FeedbackAnswer] = Field(description="Newest submission first.")
    next_cursor: str | None = Field(description="Present while more answers may follow: pass it as `cursor`.")
