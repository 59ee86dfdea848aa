"""The domain event catalogue: one definition (shared.domain_events), its schemas kept in the repo."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from infra.event_schemas import SCHEMAS_DIR, differences, write
from shared.domain_events import CATALOGUE, StockLevelChanged, json_schema, schema_file_name

DOCS = Path(__file__).resolve().parents[2] / "docs" / "domain-events.md"


def test_the_schemas_in_the_repo_are_generated_from_the_models() -> None:
    assert differences() == [], "run `python -m infra.event_schemas`"


def test_a_changed_model_makes_its_schema_stale(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path)
    assert differences(tmp_path) == []
    path = tmp_path / schema_file_name(StockLevelChanged)
    path.write_text(path.read_text().replace('"sku"', '"stock_keeping_unit"'))
    (tmp_path / "Retired.v1.json").write_text("{}")
    assert differences(tmp_path) == ["no model defines Retired.v1.json", "stale StockLevelChanged.v1.json"]


def test_detail_types_are_unique_and_every_one_is_documented() -> None:
    detail_types = [event.detail_type for event in CATALOGUE]
    assert len(set(detail_types)) == len(detail_types)
    docs = DOCS.read_text(encoding="utf-8")
    for event in CATALOGUE:
        assert f"`{event.detail_type}`" in docs and schema_file_name(event) in docs
        for field in event.model_fields:
            assert f"`{field}`" in docs, f"{event.detail_type}.{field} is not documented"


@pytest.mark.parametrize("event", CATALOGUE, ids=lambda event: event.detail_type)
def test_every_published_detail_validates_against_its_schema(event: type) -> None:
    schema = json.loads((SCHEMAS_DIR / schema_file_name(event)).read_text())
    assert schema == json_schema(event)
    example = {
        name: (1 if field.annotation in (int, int | None) else "x")
        for name, field in event.model_fields.items()
        if field.is_required()
    }
    detail = json.loads(event.model_validate(example).model_dump_json())
    jsonschema.validate(detail, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**detail, "event_id": 7}, schema)
