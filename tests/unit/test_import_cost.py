"""``import musicgen`` loads what every script needs, and nothing that only some calls need."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import musicgen

# Loaded on first use: the drivers (every endpoint family), the endpoint results, the async
# client, httpcore (httpx loads it only when a transport is built), optional extras.
LATER = [
    "musicgen.providers.suno",
    "musicgen.providers.mureka",
    "musicgen._results",
    "musicgen._namespaces",
    "musicgen._async_client",
    "httpcore",
    "asyncio",
    "sentry_sdk",
    "opentelemetry",
    "uuid",
    "difflib",
    "concurrent.futures",
    "queue",
    "musicgen._workers",
]


def _loaded_after(code: str) -> set[str]:
    """The modules ``code`` loads beyond what ``import httpx`` already did (httpx as a plain
    install has it: without its optional command line, whose click and rich would load uuid
    and more and hide musicgen importing them too)."""
    probe = (
        "import sys, json; "
        "sys.modules.update(dict.fromkeys(('click', 'rich', 'pygments'))); "
        "import httpx; before = set(sys.modules); "
        f"{code}; print(json.dumps(sorted(set(sys.modules) - before)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    return set(json.loads(done.stdout))


@pytest.mark.parametrize("module", LATER)
def test_import_musicgen_leaves_a_module_for_later(module: str) -> None:
    assert module not in _loaded_after("import musicgen")


@pytest.mark.parametrize("name", sorted(musicgen._LAZY))
def test_a_lazy_name_imports_on_first_use(name: str) -> None:
    value = getattr(musicgen, name)

    assert value.__name__ == name
    assert name in dir(musicgen)
