"""Every Python snippet in the documentation runs, against the emulator.

Per page, in order and in one namespace (like a doctest file):

- each ```` ```python ```` fence runs, except one whose body is only ``--8<-- "examples/..."``
  lines: that is an example included whole, run by CI from ``examples/``;
- a fence titled as a test file (```` ```python title="test_app.py" ````) is a pytest module: it
  is written to that name and run by pytest in a subprocess, with musicgen's plugin, and must
  pass;
- ``<!-- invisible-code-block: python ... -->`` runs too, unseen on the site: set-up a reader
  does not need (a client already made, a fault injected), as in Sybil.

Every request httpx makes is answered by an emulator through pytest-httpx
(``ProviderMock.emulate``), so a snippet may build ``MusicGenClient()`` from the environment
(both API keys are set to test values) and download what it made; the working directory is a
fresh temporary one. The namespace starts with ``emulator``, the emulator answering.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from musicgen import _models_catalog
from musicgen.providers import _registry
from musicgen.testing import Emulator, ProviderMock

DOCS = Path(__file__).parents[2] / "docs"
# A contributor's map whose fence is a fragment of a longer file, not a program.
NOT_RUN = {"architecture.md"}

BLOCK = re.compile(
    r"^```python(?P<info>[^\n]*)\n(?P<fence>.*?)^```$"
    r"|^<!-- invisible-code-block: python\n(?P<hidden>.*?)^-->$",
    re.MULTILINE | re.DOTALL,
)
INCLUDE = re.compile(r'^--8<-- "(?P<path>[^"]+)"$')
# The subprocess runs elsewhere: a relative PYTHONPATH (PYTHONPATH=src) must still find musicgen.
PYTHONPATH = os.pathsep.join(
    os.path.abspath(entry) for entry in os.environ.get("PYTHONPATH", "").split(os.pathsep) if entry
)
TEST_FILE = re.compile(r'title="(?P<name>test_\w+\.py)"')


def snippets(page: Path) -> list[tuple[int, str, str | None]]:
    """(line, code, test file name or None) of each block to run on ``page``."""
    text = page.read_text(encoding="utf-8")
    found = []
    for match in BLOCK.finditer(text):
        code = match["fence"] if match["fence"] is not None else match["hidden"]
        lines = [line for line in code.splitlines() if line.strip()]
        if lines and all(INCLUDE.match(line) for line in lines):
            for line in lines:
                path = INCLUDE.match(line)["path"]  # type: ignore[index]
                assert path.startswith("examples/"), f"{page.name}: include an example"
                assert (DOCS.parent / path).is_file(), f"{page.name}: no {path}"
            continue
        test_file = TEST_FILE.search(match["info"] or "")
        line = text.count("\n", 0, match.start()) + 1
        found.append((line, code, test_file["name"] if test_file else None))
    return found


PAGES = sorted(page for page in DOCS.rglob("*.md") if page.name not in NOT_RUN and snippets(page))


def test_the_guides_have_snippets_to_run() -> None:
    assert {page.name for page in PAGES} >= {"index.md", "getting-started.md", "testing.md"}


def _isolate_registries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Undo what a page registers (a provider factory, a model) when its test ends."""
    monkeypatch.setattr(_registry, "_FACTORIES", dict(_registry._FACTORIES))
    monkeypatch.setattr(_models_catalog, "_CATALOGS", dict(_models_catalog._CATALOGS))
    for catalog in _models_catalog._CATALOGS.values():
        monkeypatch.setattr(catalog, "_models", dict(catalog._models))
        monkeypatch.setattr(catalog, "_index", dict(catalog._index))


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(DOCS)))
def test_the_snippets_of_a_page_run(
    page: Path,
    musicgen_httpx_mock: ProviderMock,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    _isolate_registries(monkeypatch)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MUSICGEN_SUNO_API_KEY", "docs-suno-key")
    monkeypatch.setenv("MUSICGEN_MUREKA_API_KEY", "docs-mureka-key")
    for name in ("SENTRY_DSN", "MUSICGEN_LOG", "MUSICGEN_CACHE_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MUSICGEN_CACHE_DIR", str(tmp_path / "cache"))
    namespace: dict[str, Any] = {
        "__name__": f"docs.{page.stem}",
        # Tasks finish on their first read: a client's default polling waits 1 s, not 10.
        "emulator": musicgen_httpx_mock.emulate(Emulator(polls_per_stage=0)),
    }
    for line, code, test_file in snippets(page):
        where = f"docs/{page.relative_to(DOCS)}, line {line}"
        if test_file is not None:
            (tmp_path / test_file).write_text(code, encoding="utf-8")
            done = subprocess.run(
                [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", test_file],
                cwd=tmp_path,
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
                env={**os.environ, "PYTHONPATH": PYTHONPATH},
            )
            assert done.returncode == 0, f"the tests at {where} failed:\n{done.stdout}"
            continue
        compiled = compile(code, f"{page.relative_to(DOCS)}:{line}", "exec")
        try:
            exec(compiled, namespace)  # the documentation's own code
        except Exception as error:
            msg = f"the snippet at {where} failed: {error!r}"
            raise AssertionError(msg) from error
