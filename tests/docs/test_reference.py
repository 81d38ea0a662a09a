"""The API reference documents every public name: each one has a ``::: path`` on some page."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

import musicgen

REFERENCE = Path(__file__).parents[2] / "docs" / "reference"
DOCUMENTED = {
    match[1]
    for page in REFERENCE.glob("*.md")
    for match in re.finditer(r"^::: ([\w.]+)$", page.read_text(encoding="utf-8"), re.MULTILINE)
}
SUBMODULES = [
    "musicgen.cache",
    "musicgen.callbacks",
    "musicgen.limits",
    "musicgen.observability",
    "musicgen.providers",
    "musicgen.testing",
]


def _documented(module: str, name: str) -> bool:
    # A name may be documented where it is exported, or under the public submodule it comes
    # from (musicgen.SunoProvider on the providers page as musicgen.providers.SunoProvider).
    if f"{module}.{name}" in DOCUMENTED:
        return True
    return any(f"{sub}.{name}" in DOCUMENTED for sub in SUBMODULES)


@pytest.mark.parametrize("name", [n for n in musicgen.__all__ if n != "__version__"])
def test_every_name_of_musicgen_is_in_the_reference(name: str) -> None:
    assert _documented("musicgen", name), f"add '::: musicgen.{name}' to docs/reference/"


@pytest.mark.parametrize(
    ("module", "name"),
    [(sub, name) for sub in SUBMODULES for name in importlib.import_module(sub).__all__],
)
def test_every_name_of_the_public_submodules_is_in_the_reference(module: str, name: str) -> None:
    assert f"{module}.{name}" in DOCUMENTED, f"add '::: {module}.{name}' to docs/reference/"


def test_the_submodules_have_a_page_each() -> None:
    assert set(SUBMODULES) <= DOCUMENTED
