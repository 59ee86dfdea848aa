"""Build the dependencies layer without Docker: `python -m layers.build`.

pip installs `layers/requirements.txt` into `layers/build/python/` from prebuilt manylinux
aarch64 wheels for the Lambda Python version (`--only-binary=:all:`), so the host Python and OS
do not matter. The build is skipped when a stamp file says the same inputs were built before.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from layers import LAMBDA_ARCHITECTURE, LAMBDA_PYTHON_VERSION

LAYERS_DIR = Path(__file__).resolve().parent
REQUIREMENTS_FILE = LAYERS_DIR / "requirements.txt"
BUILD_DIR = LAYERS_DIR / "build"
SITE_PACKAGES_DIR = BUILD_DIR / "python"
STAMP_FILE = BUILD_DIR / ".requirements.sha256"
"""Excluded from the layer asset by the CDK app (see infra/constructs/lambda_runtime.py)."""

PIP_PLATFORMS = ("manylinux2014_aarch64", "manylinux_2_28_aarch64")
"""glibc baselines a Lambda arm64 runtime on Amazon Linux 2023 (glibc 2.34) can load."""

BUILD_RECIPE_VERSION = "1"
"""Bump when the way the layer is built or pruned changes, to force a rebuild."""

PRUNED_DIR_NAMES = frozenset({"__pycache__", "tests", "test"})
PRUNED_TOP_LEVEL = ("bin",)
"""Console scripts: pip writes them with the host interpreter's shebang, useless in a layer."""
PRUNED_SUFFIXES = (".pyc", ".pyo")


class LayerBuildError(RuntimeError):
    """pip could not install the layer requirements for the Lambda target."""


def requirements_digest(requirements_file: Path = REQUIREMENTS_FILE) -> str:
    """Hash of everything that decides the layer's content."""
    digest = hashlib.sha256()
    digest.update(requirements_file.read_bytes())
    for part in (LAMBDA_PYTHON_VERSION, LAMBDA_ARCHITECTURE, *PIP_PLATFORMS, BUILD_RECIPE_VERSION):
        digest.update(b"\0" + part.encode())
    return digest.hexdigest()


def is_up_to_date(build_dir: Path = BUILD_DIR, requirements_file: Path = REQUIREMENTS_FILE) -> bool:
    stamp = build_dir / STAMP_FILE.name
    return (
        (build_dir / SITE_PACKAGES_DIR.name).is_dir()
        and stamp.is_file()
        and stamp.read_text().strip() == requirements_digest(requirements_file)
    )


def pip_install_command(target: Path, requirements_file: Path = REQUIREMENTS_FILE) -> list[str]:
    platforms = [arg for platform in PIP_PLATFORMS for arg in ("--platform", platform)]
    return [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--no-compile",
        "--only-binary=:all:",
        "--implementation",
        "cp",
        "--python-version",
        LAMBDA_PYTHON_VERSION,
        *platforms,
        "--target",
        str(target),
        "--requirement",
        str(requirements_file),
    ]


def prune(site_packages: Path) -> None:
    """Drop files the Lambda runtime never reads; dist-info stays (entry points, versions)."""
    for name in PRUNED_TOP_LEVEL:
        shutil.rmtree(site_packages / name, ignore_errors=True)
    for stubs in site_packages.glob("*-stubs"):
        shutil.rmtree(stubs, ignore_errors=True)
    for path in sorted(site_packages.rglob("*"), reverse=True):
        if path.is_dir() and path.name in PRUNED_DIR_NAMES and _is_inside_package(path, site_packages):
            shutil.rmtree(path, ignore_errors=True)
        elif path.is_file() and path.suffix in PRUNED_SUFFIXES:
            path.unlink()


def _is_inside_package(path: Path, site_packages: Path) -> bool:
    """A `tests` folder is pruned only inside a package, never as a top-level package of its own."""
    return path.name == "__pycache__" or path.parent != site_packages


def build_layer(
    build_dir: Path = BUILD_DIR, requirements_file: Path = REQUIREMENTS_FILE, force: bool = False
) -> bool:
    """Build the layer into `build_dir/python`. Returns False when the existing build was reused."""
    if not force and is_up_to_date(build_dir, requirements_file):
        return False
    build_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=build_dir, prefix=".staging-") as staging:
        staged_site_packages = Path(staging) / SITE_PACKAGES_DIR.name
        result = subprocess.run(  # noqa: S603 - fixed argv, no shell
            pip_install_command(staged_site_packages, requirements_file),
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise LayerBuildError(
                f"pip could not install {requirements_file} for Lambda python{LAMBDA_PYTHON_VERSION} "
                f"{LAMBDA_ARCHITECTURE}:\n{result.stdout}{result.stderr}"
            )
        prune(staged_site_packages)
        (build_dir / STAMP_FILE.name).unlink(missing_ok=True)
        shutil.rmtree(build_dir / SITE_PACKAGES_DIR.name, ignore_errors=True)
        staged_site_packages.rename(build_dir / SITE_PACKAGES_DIR.name)
    (build_dir / STAMP_FILE.name).write_text(requirements_digest(requirements_file) + "\n")
    return True


def _directory_size(path: Path) -> int:
    return sum(file.stat().st_size for file in path.rglob("*") if file.is_file())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="rebuild even if the stamp matches")
    args = parser.parse_args(argv)
    try:
        built = build_layer(force=args.force)
    except LayerBuildError as error:
        print(error, file=sys.stderr)
        return 1
    size_mb = _directory_size(SITE_PACKAGES_DIR) / 1_000_000
    verb = "built" if built else "up to date, reused"
    print(
        f"layer {verb}: {SITE_PACKAGES_DIR.relative_to(LAYERS_DIR.parent)} "
        f"(python{LAMBDA_PYTHON_VERSION} {LAMBDA_ARCHITECTURE}, {size_mb:.1f} MB unzipped)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
