"""Cold-start proxy: the import time of each Lambda handler module in a fresh interpreter,
measured side by side with `import boto3` alone (runs interleaved so machine noise hits both)."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PROBE = "import time, importlib, sys; t = time.perf_counter(); importlib.import_module(sys.argv[1]); print(time.perf_counter() - t)"


def handler_modules(template_path: Path) -> list[str]:
    """Handler modules of the functions the template declares with code from `functions/`."""
    template = json.loads(template_path.read_text())
    modules = set()
    for resource in template["Resources"].values():
        if resource["Type"] != "AWS::Lambda::Function":
            continue
        handler = resource["Properties"].get("Handler", "")
        module = handler.rpartition(".")[0]
        if module and (REPO / "functions" / (module.replace(".", "/") + ".py")).is_file():
            modules.add(module)
    return sorted(modules)


def import_seconds(module: str) -> float:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(REPO / "functions"),
        "PYTHONDONTWRITEBYTECODE": "1",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    output = subprocess.run(
        [sys.executable, "-c", PROBE, module], check=True, capture_output=True, text=True, env=env, cwd=REPO
    ).stdout
    return float(output.strip().splitlines()[-1])


def measure(modules: list[str], rounds: int = 7) -> dict[str, float]:
    """Median import seconds per module (and `boto3`), measured in interleaved rounds."""
    for module in ["boto3", *modules]:  # warm the OS file cache and byte-compile once
        import_seconds(module)
    samples: dict[str, list[float]] = {module: [] for module in ["boto3", *modules]}
    for _ in range(rounds):
        for module in samples:
            samples[module].append(import_seconds(module))
    return {module: statistics.median(values) for module, values in samples.items()}


def report(template_path: Path, rounds: int = 7) -> list[dict[str, object]]:
    medians = measure(handler_modules(template_path), rounds)
    baseline = medians.pop("boto3")
    rows: list[dict[str, object]] = [{"name": "import boto3 (baseline)", "seconds": baseline, "ratio": 1.0}]
    for module, seconds in medians.items():
        rows.append({"name": module, "seconds": seconds, "ratio": seconds / baseline})
    return rows
