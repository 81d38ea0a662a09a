"""MkDocs hook: the endpoint tables of ``client.suno`` and ``client.mureka``, built at build time.

A page line ``<!-- namespace-endpoints: SunoCalls SunoProvider -->`` becomes a table of every
method of that namespace class, each linked to the driver method that documents it (mkdocstrings
resolves the links, so ``--strict`` fails on an endpoint the reference does not render) and
summed up by the first sentence of that method's docstring. Read from the classes themselves,
the table cannot drift from the code.
"""

from __future__ import annotations

import inspect
import re
from typing import Any

MARKER = re.compile(r"^<!-- namespace-endpoints: (\w+) (\w+) -->$", re.MULTILINE)


def _summary(function: Any) -> str:
    doc = inspect.getdoc(function) or ""
    first = " ".join(doc.split("\n\n", 1)[0].split())
    return first.replace("|", "\\|")


def _table(namespace_name: str, driver_name: str) -> str:
    from musicgen import _namespaces, providers

    namespace = getattr(_namespaces, namespace_name)
    driver = getattr(providers, driver_name)
    rows = ["| Method | Runs | What it does |", "|---|---|---|"]
    for name in _namespaces.endpoints_of(namespace):
        target = f"musicgen.providers.{driver_name}.{name}"
        summary = _summary(getattr(driver, name))
        rows.append(f"| `{name}` | [`{driver_name}.{name}`][{target}] | {summary} |")
    return "\n".join(rows)


def on_page_markdown(markdown: str, **kwargs: Any) -> str:
    return MARKER.sub(lambda match: _table(match[1], match[2]), markdown)
