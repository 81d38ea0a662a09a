"""Every example says which extra it needs, and without it exits with one line, not a traceback."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = sorted((Path(__file__).parents[2] / "examples").glob("*.py"))
# The optional modules behind the extras: (extra, module).
EXTRAS = {"sentry": "sentry_sdk", "otel": "opentelemetry"}


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda path: path.name)
def test_every_example_states_the_extra_it_needs(example: Path) -> None:
    docstring = example.read_text(encoding="utf-8").split('"""')[1]
    assert re.search(r"^Needs[: ]", docstring, re.MULTILINE), f"{example.name}: say what it needs"
    assert "musicgen-sdk" in docstring


def _needed_extras(example: Path) -> list[str]:
    docstring = example.read_text(encoding="utf-8").split('"""')[1]
    return [extra for extra in EXTRAS if f"musicgen-sdk[{extra}]" in docstring]


CASES = [(example, extra) for example in EXAMPLES for extra in _needed_extras(example)]


@pytest.mark.parametrize(("example", "extra"), CASES, ids=lambda case: getattr(case, "name", case))
def test_an_example_without_its_extra_exits_with_one_line(example: Path, extra: str) -> None:
    # Blocks the extra's module the way an absent package would, then runs the example.
    runner = (
        "import runpy, sys\n"
        f"sys.modules[{EXTRAS[extra]!r}] = None\n"
        f"runpy.run_path({str(example)!r}, run_name='__main__')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", runner], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 1
    assert done.stderr.strip() == (
        f"examples/{example.name} needs the {extra} extra: pip install 'musicgen-sdk[{extra}]'"
    )
