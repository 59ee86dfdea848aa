"""Writes the JSON schemas of ordertrack's domain events (`events/schemas/<DetailType>.v<N>.json`)
from their one definition, the pydantic models in `functions/shared/domain_events.py`.

    python -m infra.event_schemas          # write them (and remove schemas no model defines)
    python -m infra.event_schemas --check  # exit 1 if a file is missing, stale or orphaned

`tests/unit/test_domain_events.py` runs the check, so a model changed without its schema fails.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from infra.config import REPO_ROOT
from shared.domain_events import CATALOGUE, json_schema, schema_file_name

SCHEMAS_DIR = REPO_ROOT / "events" / "schemas"


def expected_schemas() -> dict[str, str]:
    """File name -> the text it must hold."""
    return {
        schema_file_name(event): json.dumps(json_schema(event), indent=2, sort_keys=False) + "\n"
        for event in CATALOGUE
    }


def differences(directory: Path = SCHEMAS_DIR) -> list[str]:
    expected = expected_schemas()
    found = {path.name: path for path in directory.glob("*.json")} if directory.is_dir() else {}
    problems = [f"missing {name}" for name in sorted(expected.keys() - found.keys())]
    problems += [f"no model defines {name}" for name in sorted(found.keys() - expected.keys())]
    problems += [
        f"stale {name}"
        for name in sorted(expected.keys() & found.keys())
        if found[name].read_text(encoding="utf-8") != expected[name]
    ]
    return problems


def write(directory: Path = SCHEMAS_DIR) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    expected = expected_schemas()
    for path in directory.glob("*.json"):
        if path.name not in expected:
            path.unlink()
    for name, text in expected.items():
        (directory / name).write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that the files are up to date")
    args = parser.parse_args(argv)
    if args.check:
        problems = differences()
        for problem in problems:
            print(f"events/schemas: {problem} (run `python -m infra.event_schemas`)", file=sys.stderr)
        return 1 if problems else 0
    write()
    print(f"wrote {len(CATALOGUE)} schemas to {SCHEMAS_DIR.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
