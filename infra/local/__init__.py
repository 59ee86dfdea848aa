"""The local runtime (``make dev``) and its tools.

The Lambda source root ``functions/`` is importable from here as on Lambda (appended to
``sys.path``, so it never shadows anything): the tools sign links and webhooks with the functions'
own code (``shared.links``, ``carriers.domain.signatures``), as ``infra.config`` validates stage
settings with the functions' own models.
"""

import sys
from pathlib import Path

_FUNCTIONS_ROOT = str(Path(__file__).resolve().parents[2] / "functions")
if _FUNCTIONS_ROOT not in sys.path:
    sys.path.append(_FUNCTIONS_ROOT)
