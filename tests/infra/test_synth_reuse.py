"""`ensure_synthesized` reuses cdk.out while the template's inputs are unchanged."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import infra.synth as synth
from tests.infra.conftest import SYNTH_GROUP, SynthesizedApp

pytestmark = [pytest.mark.infra]


def _forbid_synth(outdir: Path) -> None:
    raise AssertionError(f"ensure_synthesized synthesized into {outdir} although nothing changed")


@pytest.fixture
def reusable_outdir(synthesized: SynthesizedApp, tmp_path: Path) -> Path:
    """A copy of the session's cdk.out (template + hash file), so tests can tamper with it."""
    outdir = tmp_path / "cdk.out"
    outdir.mkdir()
    for name in (synth.TEMPLATE_FILE_NAME, synth.HASH_FILE_NAME):
        shutil.copy2(synthesized.outdir / name, outdir / name)
    return outdir


@pytest.mark.xdist_group(SYNTH_GROUP)
def test_reuses_cdk_out_when_inputs_are_unchanged(
    reusable_outdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(synth, "synthesize", _forbid_synth)

    template = synth.ensure_synthesized(reusable_outdir)

    assert template == reusable_outdir / "Ordertrack.template.json"
    assert template.is_file()


@pytest.mark.xdist_group(SYNTH_GROUP)
def test_synthesizes_again_when_the_recorded_hash_is_stale(
    reusable_outdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[Path] = []
    monkeypatch.setattr(synth, "synthesize", calls.append)
    (reusable_outdir / synth.HASH_FILE_NAME).write_text("stale template-hash\n")

    synth.ensure_synthesized(reusable_outdir)

    assert calls == [reusable_outdir]
    assert synth.is_up_to_date(reusable_outdir)


@pytest.mark.xdist_group(SYNTH_GROUP)
def test_a_template_rewritten_by_another_tool_is_not_reused(reusable_outdir: Path) -> None:
    template = reusable_outdir / synth.TEMPLATE_FILE_NAME
    template.write_text(template.read_text().replace('"dev"', '"prod"'))

    assert not synth.is_up_to_date(reusable_outdir)


def _tree(root: Path) -> Path:
    for relative, content in {
        "infra/app.py": "app",
        "infra/constructs/data.py": "data",
        "infra/local/runtime.py": "local",
        "cdk.json": "{}",
        "layers/requirements.txt": "pydantic==2",
        "functions/orders/handler.py": "handler",
    }.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    return root


@pytest.mark.parametrize(
    ("relative", "changes_template"),
    [
        ("infra/constructs/data.py", True),
        ("cdk.json", True),
        ("layers/requirements.txt", True),
        ("infra/local/runtime.py", False),
        ("functions/orders/handler.py", False),
        ("infra/__pycache__/app.cpython-311.pyc", False),
    ],
)
def test_inputs_hash_tracks_only_what_shapes_the_template(
    tmp_path: Path, relative: str, changes_template: bool
) -> None:
    root = _tree(tmp_path)
    before = synth.template_inputs_hash(root)
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("changed")

    assert (synth.template_inputs_hash(root) != before) is changes_template


def test_relative_outdir_is_taken_from_the_repository_root() -> None:
    assert synth.template_path("cdk.out") == synth.REPO_ROOT / "cdk.out" / "Ordertrack.template.json"
