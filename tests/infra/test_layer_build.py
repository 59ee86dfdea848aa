"""The dependencies layer build, without network: pip is replaced by a fake that writes files."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

import layers.build as layer_build
from layers import LAMBDA_PYTHON_VERSION

pytestmark = [pytest.mark.infra]


@pytest.fixture
def requirements(tmp_path: Path) -> Path:
    path = tmp_path / "requirements.txt"
    path.write_text("pydantic==2.13.4\n")
    return path


class FakePip:
    def __init__(self) -> None:
        self.commands: list[list[str]] = []

    def __call__(self, command: list[str], **_: Any) -> subprocess.CompletedProcess[str]:
        self.commands.append(command)
        target = Path(command[command.index("--target") + 1])
        for relative in (
            "pydantic/__init__.py",
            "pydantic/__pycache__/main.cpython-311.pyc",
            "pydantic/tests/test_main.py",
            "pydantic-2.13.4.dist-info/METADATA",
            "bin/dotenv",
            "wrapt-stubs/__init__.pyi",
        ):
            (target / relative).parent.mkdir(parents=True, exist_ok=True)
            (target / relative).write_text("x")
        return subprocess.CompletedProcess(command, 0, "", "")


def test_pip_installs_cp_wheels_for_the_lambda_python_on_aarch64(requirements: Path, tmp_path: Path) -> None:
    command = layer_build.pip_install_command(tmp_path / "python", requirements)

    assert command[command.index("--python-version") + 1] == LAMBDA_PYTHON_VERSION
    assert command[command.index("--implementation") + 1] == "cp"
    assert "--only-binary=:all:" in command
    assert "manylinux2014_aarch64" in command
    assert command[command.index("--target") + 1] == str(tmp_path / "python")


def test_build_installs_prunes_and_stamps(
    requirements: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pip = FakePip()
    monkeypatch.setattr(layer_build.subprocess, "run", pip)
    build_dir = tmp_path / "build"

    assert layer_build.build_layer(build_dir, requirements) is True

    site_packages = build_dir / "python"
    assert (site_packages / "pydantic/__init__.py").is_file()
    assert (site_packages / "pydantic-2.13.4.dist-info/METADATA").is_file()
    for pruned in ("pydantic/__pycache__", "pydantic/tests", "bin", "wrapt-stubs"):
        assert not (site_packages / pruned).exists(), pruned
    assert layer_build.is_up_to_date(build_dir, requirements)
    assert not list(build_dir.glob(".staging-*"))


def test_build_is_skipped_while_requirements_are_unchanged(
    requirements: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pip = FakePip()
    monkeypatch.setattr(layer_build.subprocess, "run", pip)
    build_dir = tmp_path / "build"
    layer_build.build_layer(build_dir, requirements)

    assert layer_build.build_layer(build_dir, requirements) is False
    assert len(pip.commands) == 1

    requirements.write_text("pydantic==2.13.5\n")
    assert layer_build.build_layer(build_dir, requirements) is True
    assert len(pip.commands) == 2


def test_a_failed_pip_run_keeps_the_previous_layer_and_says_why(
    requirements: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(layer_build.subprocess, "run", FakePip())
    build_dir = tmp_path / "build"
    layer_build.build_layer(build_dir, requirements)
    requirements.write_text("no-such-package==0\n")

    def failing_pip(command: list[str], **_: Any) -> subprocess.CompletedProcess[str]:
        return subprocess.CompletedProcess(command, 1, "", "No matching distribution found")

    monkeypatch.setattr(layer_build.subprocess, "run", failing_pip)

    with pytest.raises(layer_build.LayerBuildError, match="No matching distribution"):
        layer_build.build_layer(build_dir, requirements)
    assert (build_dir / "python/pydantic/__init__.py").is_file()
    assert not layer_build.is_up_to_date(build_dir, requirements)


@pytest.mark.xdist_group("infra-synth")
def test_synth_without_a_built_layer_says_how_to_build_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import infra.constructs.lambda_function as lambda_function
    from infra.app import build_app

    monkeypatch.setattr(lambda_function, "SITE_PACKAGES_DIR", tmp_path / "missing" / "python")

    with pytest.raises(lambda_function.LayerNotBuiltError, match="make layer"):
        build_app(outdir=str(tmp_path / "cdk.out"))
