"""Receiving callbacks costs nothing to those who do not: imports stay where they were."""

from __future__ import annotations

import subprocess
import sys


def loaded_after(statement: str) -> set[str]:
    code = f"import sys\n{statement}\nprint(' '.join(sorted(sys.modules)))"
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    return set(output.split())


def test_import_musicgen_loads_neither_the_callbacks_nor_starlette() -> None:
    modules = loaded_after("import musicgen")

    assert "musicgen.callbacks" not in modules
    assert "starlette" not in modules


def test_parsing_and_storing_need_no_web_framework() -> None:
    modules = loaded_after("from musicgen.callbacks import parse_callback, store_event")

    assert "starlette" not in modules
    assert "uvicorn" not in modules


def test_the_receiver_loads_starlette_on_first_use() -> None:
    modules = loaded_after("import musicgen.callbacks as c; c.callback_app")

    assert "starlette" in modules
