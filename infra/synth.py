"""Synthesize the CloudFormation template only when its inputs changed: `python -m infra.synth`.

The inputs are `infra/` (without `infra/local/`), `cdk.json`, the `layers/` build recipe and
requirements, and the versions of the CDK libraries. Their hash is stored next to the template;
when it matches, `cdk.out` is reused without starting the CDK (about ten seconds saved).

Reuse only promises an up-to-date template: the staged asset folders in `cdk.out` are not
refreshed when only `functions/` changed, which is what the local runtime needs (it runs the
handlers straight from `functions/`). Deployments go through `cdk deploy`, which synthesizes anew.
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path

from infra.config import REPO_ROOT, STACK_NAME

DEFAULT_OUTDIR = "cdk.out"
HASH_FILE_NAME = ".ordertrack-synth.sha256"
LOCK_FILE_NAME = ".ordertrack-synth.lock"
TEMPLATE_FILE_NAME = f"{STACK_NAME}.template.json"

TEMPLATE_INPUT_FILES = (
    "cdk.json",
    "layers/__init__.py",
    "layers/build.py",
    "layers/requirements.txt",
    # function models that validate stage settings at synth (their defaults end up in the template)
    "functions/notifications/domain/policy.py",
    "functions/notifications/domain/model.py",
    "functions/notifications/domain/preferences.py",
)
TEMPLATE_INPUT_DIRS = ("infra",)
EXCLUDED_DIRS = frozenset({"infra/local"})
EXCLUDED_NAMES = frozenset({"__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache"})
LIBRARIES = ("aws-cdk-lib", "constructs", "cdk-nag")


class SynthError(RuntimeError):
    """`python -m infra.app` failed; the message carries its output."""


def template_path(outdir: str | os.PathLike[str] = DEFAULT_OUTDIR) -> Path:
    return resolve_outdir(outdir) / TEMPLATE_FILE_NAME


def resolve_outdir(outdir: str | os.PathLike[str]) -> Path:
    """A relative outdir is taken from the repository root, whatever the working directory."""
    path = Path(outdir)
    return path if path.is_absolute() else REPO_ROOT / path


def _input_files(root: Path) -> Iterator[Path]:
    for name in TEMPLATE_INPUT_FILES:
        path = root / name
        if path.is_file():
            yield path
    for directory in TEMPLATE_INPUT_DIRS:
        for dirpath, dirnames, filenames in os.walk(root / directory):
            relative_dir = Path(dirpath).relative_to(root).as_posix()
            dirnames[:] = sorted(
                name
                for name in dirnames
                if name not in EXCLUDED_NAMES and f"{relative_dir}/{name}" not in EXCLUDED_DIRS
            )
            for filename in sorted(filenames):
                if not filename.endswith((".pyc", ".pyo")):
                    yield Path(dirpath) / filename


def template_inputs_hash(root: Path = REPO_ROOT) -> str:
    """Hash of every input that can change the synthesized template (paths, contents, library versions)."""
    digest = hashlib.sha256()
    for path in sorted(_input_files(root)):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    for library in LIBRARIES:
        digest.update(f"{library}=={metadata.version(library)}\0".encode())
    return digest.hexdigest()


def _stamp(directory: Path, inputs_hash: str) -> str:
    """The inputs hash plus the template's own hash, so a template rewritten by another tool
    (`cdk synth -c stage=prod`) is not mistaken for ours."""
    template_hash = hashlib.sha256((directory / TEMPLATE_FILE_NAME).read_bytes()).hexdigest()
    return f"{inputs_hash} {template_hash}"


def is_up_to_date(outdir: str | os.PathLike[str] = DEFAULT_OUTDIR, inputs_hash: str | None = None) -> bool:
    directory = resolve_outdir(outdir)
    hash_file = directory / HASH_FILE_NAME
    if not (directory / TEMPLATE_FILE_NAME).is_file() or not hash_file.is_file():
        return False
    return hash_file.read_text().strip() == _stamp(directory, inputs_hash or template_inputs_hash())


def write_hash(outdir: str | os.PathLike[str] = DEFAULT_OUTDIR, inputs_hash: str | None = None) -> None:
    """Record that `outdir` holds the template for the current inputs (after a successful synth)."""
    directory = resolve_outdir(outdir)
    (directory / HASH_FILE_NAME).write_text(_stamp(directory, inputs_hash or template_inputs_hash()) + "\n")


def synthesize(outdir: Path) -> None:
    """Build the layer if needed, then run the CDK app in a child process (keeps jsii out of the caller)."""
    from layers.build import build_layer

    build_layer()
    env = {**os.environ, "CDK_OUTDIR": str(outdir)}
    result = subprocess.run(
        [sys.executable, "-m", "infra.app"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SynthError(f"synth failed (exit {result.returncode}):\n{result.stdout}{result.stderr}")


@contextmanager
def _exclusive(directory: Path) -> Iterator[None]:
    """One synth at a time per outdir, across processes (pytest-xdist workers, the local runtime)."""
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / LOCK_FILE_NAME).open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def ensure_synthesized(outdir: str | os.PathLike[str] = DEFAULT_OUTDIR) -> Path:
    """Return the path of `Ordertrack.template.json`, synthesizing first only if its inputs changed."""
    directory = resolve_outdir(outdir)
    with _exclusive(directory):
        inputs_hash = template_inputs_hash()
        if not is_up_to_date(directory, inputs_hash):
            (directory / HASH_FILE_NAME).unlink(missing_ok=True)
            synthesize(directory)
            write_hash(directory, inputs_hash)
    return directory / TEMPLATE_FILE_NAME


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outdir", default=DEFAULT_OUTDIR)
    parser.add_argument("--force", action="store_true", help="synthesize even if the inputs did not change")
    args = parser.parse_args(argv)
    if args.force:
        (resolve_outdir(args.outdir) / HASH_FILE_NAME).unlink(missing_ok=True)
    reused = is_up_to_date(args.outdir)
    try:
        path = ensure_synthesized(args.outdir)
    except SynthError as error:
        print(error, file=sys.stderr)
        return 1
    shown = path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path
    print(f"{'reused' if reused else 'synthesized'} {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
