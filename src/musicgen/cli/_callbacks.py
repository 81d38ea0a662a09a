"""The place of ``musicgen callbacks serve``: not wired yet.

The callback receiver (``musicgen.callbacks``) is built separately. Once it is merged, wire
``musicgen callbacks serve`` here: a ``callbacks`` group with a ``serve`` command that opens the
command's cache (``_runtime.open_cache``: the receiver stores callbacks where waiting clients
read them, so it must be the same ``DiskCache`` the other commands use) and calls
``musicgen.callbacks.serve(cache, auth, host=..., port=...)``. Until then ``register`` adds
nothing, so ``musicgen --help`` lists no command that cannot run.
"""

from __future__ import annotations

import click

__all__ = ["register"]


def register(cli: click.Group) -> None:
    """Add the ``callbacks`` commands to ``cli`` (none until ``musicgen.callbacks`` exists)."""
