"""Starlette's TestClient, imported once without its httpx deprecation warning.

Starlette 1.x prefers the ``httpx2`` package for its TestClient and warns when it falls back
to ``httpx``, which is what musicgen already depends on; the client works the same.
"""

from __future__ import annotations

import warnings

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from starlette.testclient import TestClient

__all__ = ["TestClient"]
