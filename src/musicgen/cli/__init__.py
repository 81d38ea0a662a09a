"""The ``musicgen`` command line (``python -m musicgen``), on click and rich.

It needs the ``cli`` extra (``pip install 'musicgen-sdk[cli]'``); ``import musicgen`` never imports
it. ``docs/cli.md`` documents every command, option and exit code.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

__all__ = ["main"]

_EXTRA = ("click", "rich", "markdown_it", "mdurl", "pygments")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``) and return its exit code."""
    try:
        from ._app import run
    except ImportError as error:
        if (error.name or "").partition(".")[0] not in _EXTRA:
            raise
        print(
            "musicgen: the command line needs the cli extra: pip install 'musicgen-sdk[cli]' "
            f"({error.name} is missing)",
            file=sys.stderr,
        )
        return 1
    return run(argv)
