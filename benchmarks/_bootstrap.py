"""Make ``musicgen`` importable from a source checkout, for this process and its children."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

__all__ = ["REPO_ROOT", "ensure_musicgen_importable"]

REPO_ROOT = Path(__file__).resolve().parent.parent


def ensure_musicgen_importable() -> None:
    """Put ``<repo>/src`` on ``sys.path`` and ``PYTHONPATH`` when musicgen is not installed."""
    if importlib.util.find_spec("musicgen") is not None:
        return
    src = str(REPO_ROOT / "src")
    sys.path.insert(0, src)
    # Subprocesses (emulator server, memory probes, import timing) must import the same code.
    existing = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = src if not existing else os.pathsep.join((src, existing))
