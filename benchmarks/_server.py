"""Serve the emulator for the benchmarks: ``python -m benchmarks._server [--polls-per-stage N]``.

Prints the base URL on the first stdout line, then serves until stdin closes or SIGTERM.

It is ``EmulatorServer(Emulator(...))`` with one change, ``TCP_NODELAY`` on accepted
connections. The stdlib handler writes a response's headers and body in two ``send`` calls; with
Nagle's algorithm on, the second waits for the client's delayed ACK (~40 ms on Linux), so every
request would take ~40 ms and the server's latency would drown what is being measured.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
from collections.abc import Sequence
from types import FrameType

from musicgen.testing import Emulator, EmulatorServer

__all__ = ["disable_nagle", "main", "make_emulator"]

# Enough for every run: the emulator refuses a submission once credits are spent.
UNLIMITED = 10**12


def disable_nagle() -> bool:
    """Turn on ``TCP_NODELAY`` for the emulator's request handler; False if already on."""
    from musicgen.testing import _server

    handler = _server._Handler
    if getattr(handler, "disable_nagle_algorithm", False):
        return False
    handler.disable_nagle_algorithm = True
    return True


def make_emulator(polls_per_stage: int) -> Emulator:
    """An emulator that never runs out of credits."""
    return Emulator(
        polls_per_stage=polls_per_stage, suno_credits=UNLIMITED, mureka_balance_cents=UNLIMITED
    )


def _stop(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    """Serve until stdin reaches EOF (the parent exited) or SIGTERM."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks._server")
    parser.add_argument("--polls-per-stage", type=int, default=1)
    args = parser.parse_args(argv)
    patched = disable_nagle()
    signal.signal(signal.SIGTERM, _stop)
    with EmulatorServer(make_emulator(args.polls_per_stage)) as server:
        print(server.url, "nodelay-patched" if patched else "nodelay-native", flush=True)
        # Reading stdin blocks until the parent closes it or dies: no orphaned servers.
        with contextlib.suppress(KeyboardInterrupt):
            sys.stdin.read()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
