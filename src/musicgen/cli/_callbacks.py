"""``musicgen callbacks serve``: the callback receiver under uvicorn, on the commands' cache.

The receiver stores each verified callback where waiting clients read it, so it uses the same
``DiskCache`` as every other command (``--cache`` / ``$MUSICGEN_CACHE``). The secret that
mints and verifies the callback URLs comes from ``$MUSICGEN_CALLBACK_SECRET`` (never a command
line flag: those end up in shell histories and process lists).
"""

from __future__ import annotations

import os
from pathlib import Path

import click

__all__ = ["SECRET_ENV", "register"]

#: The environment variable holding the callback secret (at least 16 bytes).
SECRET_ENV = "MUSICGEN_CALLBACK_SECRET"  # noqa: S105 - a variable name, not a secret


def register(cli: click.Group) -> None:
    """Add the ``callbacks`` commands to ``cli``."""
    cli.add_command(callbacks)


@click.group()
def callbacks() -> None:
    """Receive sunoapi.org callbacks (needs `pip install 'musicgen-sdk[callbacks]'`)."""


@callbacks.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option(
    "--path", default="/musicgen/callback", show_default=True, help="The URL path served."
)
@click.option(
    "--cache",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The cache file the waiting clients read (default: $MUSICGEN_CACHE, else "
    "~/.cache/musicgen/cache.sqlite3).",
)
@click.option(
    "--webhook-key",
    envvar="MUSICGEN_WEBHOOK_KEY",
    help="Also verify kie-style X-Webhook-Signature headers (default: $MUSICGEN_WEBHOOK_KEY).",
)
def serve(host: str, port: int, path: str, cache: Path | None, webhook_key: str | None) -> None:
    """Verify, parse and store callbacks until interrupted.

    Point `SunoProvider(callback_url=..., callback_auth=CallbackAuth(secret))` at
    `https://<this host>/<path>` with the same secret, and give the clients
    `callbacks=True` and this cache: each generation then makes one status read.
    """
    secret = os.environ.get(SECRET_ENV)
    if not secret:
        msg = (
            f"set {SECRET_ENV} to the secret (16 bytes or more) that your SunoProvider's "
            "CallbackAuth uses to mint the callback URLs"
        )
        raise click.UsageError(msg)
    try:
        from ..callbacks import CallbackAuth
        from ..callbacks import serve as run_receiver
    except ModuleNotFoundError as missing:  # pragma: no cover - depends on the extras
        msg = f"{missing.name} is missing: pip install 'musicgen-sdk[callbacks]'"
        raise click.UsageError(msg) from None
    from ..cache import DiskCache
    from ._runtime import default_cache_path

    try:
        auth = CallbackAuth(secret, webhook_key=webhook_key)
    except ValueError as error:
        raise click.UsageError(f"{SECRET_ENV}: {error}") from None
    store = DiskCache(cache if cache is not None else default_cache_path())
    click.echo(f"receiving callbacks on http://{host}:{port}{path}", err=True)
    run_receiver(store, auth, host=host, port=port, path=path)
