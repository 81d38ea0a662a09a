"""musicgen benchmarks: the SDK measured against a hand-written baseline, side by side.

Run ``python -m benchmarks`` (``--quick`` for a smoke run, ``--only NAME`` for one scenario).
Each scenario runs the SDK and its baseline in the same process run, interleaved, and reports
ratios; results go to ``benchmarks/results.json``. See ``benchmarks/README.md``.
"""

from __future__ import annotations

from ._bootstrap import ensure_musicgen_importable

# From a plain checkout (no `pip install -e .`) musicgen lives in src/; make it importable here
# and in every subprocess the benchmarks start.
ensure_musicgen_importable()
