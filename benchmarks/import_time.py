"""Import time: ``import musicgen`` vs ``import httpx``, each in fresh interpreters, interleaved.

Measured with ``python -X importtime``: the cumulative microseconds of the top-level package, so
interpreter start-up is left out. musicgen imports httpx, so the ratio includes httpx itself.
Also checks that ``import musicgen`` leaves the optional integrations (``sentry_sdk``,
``opentelemetry``) unimported: they are loaded on first use only.

With compiled bytecode, as users have it: the children run without ``PYTHONDONTWRITEBYTECODE``
and musicgen's package is compiled first (an installed wheel is compiled by pip). The drivers
load on first use, so a second, informational row times ``import musicgen`` plus what building a
client loads (``musicgen.SunoProvider``, which brings every endpoint family and result class).
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from ._bootstrap import REPO_ROOT
from ._harness import Settings, subprocess_env
from ._report import Measure, Row, at_most, ratio_of

__all__ = ["run"]

MAX_RATIO = 1.3
#: What a script's first client adds to the import: the drivers and the endpoint results.
_WITH_DRIVERS = "musicgen; import musicgen.providers.suno, musicgen.providers.mureka"
HEAVY = ("sentry_sdk", "opentelemetry")
_CHECK = (
    "import json, sys, musicgen; "
    f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & {set(HEAVY)!r})))"
)


def run(settings: Settings) -> list[Row]:
    """Time both imports alternately; check which optional modules musicgen pulled in."""
    runs = 2 if settings.quick else 11
    _compile_bytecode()
    # Untimed first runs write any .pyc still missing, so no round pays for compiling.
    for module in ("musicgen", "httpx", _WITH_DRIVERS):
        _import_us(module)
    mine: list[float] = []
    theirs: list[float] = []
    drivers: list[float] = []
    for index in range(runs):
        order = ("musicgen", "httpx") if index % 2 == 0 else ("httpx", "musicgen")
        for module in order:
            (mine if module == "musicgen" else theirs).append(_import_us(module) / 1e6)
        drivers.append(_import_us(_WITH_DRIVERS) / 1e6)
    ratio, span = ratio_of(mine, theirs)
    drivers_ratio, drivers_span = ratio_of(drivers, theirs)
    loaded = _heavy_modules_after_import()
    biggest = _biggest_imports("musicgen")
    return [
        Row(
            scenario="import",
            variant="import musicgen vs import httpx (-X importtime, cumulative)",
            unit="s",
            sdk=Measure.median_iqr(mine),
            baseline=Measure.median_iqr(theirs),
            baseline_name="import httpx",
            ratio=ratio,
            ratio_range=span,
            target=f"ratio <= {MAX_RATIO:.2f}",
            met=at_most(ratio, MAX_RATIO),
            note="musicgen's own modules import: "
            + ", ".join(f"{name} {us / 1000:.0f} ms" for name, us in biggest[:5]),
            extra={"biggest_imports_us": dict(biggest)},
        ),
        Row(
            scenario="import",
            variant="import musicgen + the drivers a first client loads vs import httpx",
            unit="s",
            sdk=Measure.median_iqr(drivers),
            baseline=Measure.median_iqr(theirs),
            baseline_name="import httpx",
            ratio=drivers_ratio,
            ratio_range=drivers_span,
            note="informational: what a script pays before its first call",
        ),
        Row(
            scenario="import",
            variant="sentry_sdk / opentelemetry not imported by import musicgen",
            text="none imported" if not loaded else "imported: " + ", ".join(loaded),
            target="none imported",
            met=not loaded,
            extra={"imported": loaded},
        ),
    ]


def _compile_bytecode() -> None:
    """Compile musicgen's package, as pip does for an installed wheel."""
    import musicgen

    package = str(musicgen.__path__[0])
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", package],
        env=_env(),
        capture_output=True,
        timeout=300,
        check=False,  # a read-only install is compiled already, or measured as it is
    )


def _env() -> dict[str, str]:
    env = subprocess_env()
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # measure what users have: compiled modules
    return env


def _import_us(module: str) -> float:
    """Cumulative import time of ``import {module}`` in microseconds, from a fresh interpreter:
    the sum over the modules the statement names (``a; import b, c`` names a, b and c)."""
    named = {
        name.strip()
        for part in module.split(";")
        for name in part.strip().removeprefix("import ").split(",")
    }
    total = sum(us for name, level, us in _importtime(module) if level == 0 and name in named)
    if not total:
        msg = f"no importtime line for {module!r}"
        raise RuntimeError(msg)
    return total


def _biggest_imports(module: str) -> list[tuple[str, float]]:
    """What ``module``'s own modules import from outside it, by top-level package, costliest first.

    ``-X importtime`` prints each module after the modules it imported (post-order), indented
    by nesting level; that is rebuilt into a tree, then walked through ``module``'s own nodes.
    """
    pending: dict[int, list[tuple[str, float, list[Any]]]] = {}
    for name, level, us in _importtime(module):
        children = pending.pop(level + 1, [])
        pending.setdefault(level, []).append((name, us, children))
    totals: dict[str, float] = {}

    def walk(nodes: list[tuple[str, float, list[Any]]]) -> None:
        for name, us, children in nodes:
            top = name.split(".")[0]
            if top == module:
                walk(children)
            else:
                totals[top] = totals.get(top, 0.0) + us

    walk([node for node in pending.get(0, []) if node[0] == module])
    return sorted(totals.items(), key=lambda item: -item[1])[:10]


def _importtime(module: str) -> list[tuple[str, int, float]]:
    """``(name, nesting level, cumulative us)`` for each line of ``-X importtime``."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=_env(),
        timeout=120,
        check=True,
    )
    # Lines read "import time: self [us] | cumulative | imported package", the package name
    # indented by two spaces per nesting level.
    lines = []
    for line in done.stderr.splitlines():
        parts = line.split("|")
        if len(parts) != 3 or not parts[1].strip().isdigit():
            continue
        name = parts[2].rstrip()
        level = (len(name) - len(name.lstrip()) - 1) // 2
        lines.append((name.strip(), level, float(parts[1])))
    return lines


def _heavy_modules_after_import() -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", _CHECK],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=subprocess_env(),
        timeout=120,
        check=True,
    )
    loaded: list[str] = json.loads(done.stdout)
    return loaded
