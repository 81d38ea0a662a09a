"""Run the emulator as a loopback HTTP server: ``python -m musicgen.testing --port 8765``."""

from __future__ import annotations

import argparse
import signal
import sys
import time
from collections.abc import Sequence
from types import FrameType

from ._emulator import Emulator
from ._server import EmulatorServer


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    """Serve until interrupted.

    Prints the base URL on its own stdout line first, so scripts can read it.

    Args:
        argv: Command-line arguments (defaults to ``sys.argv[1:]``).

    Returns:
        The process exit status.
    """
    parser = argparse.ArgumentParser(
        prog="python -m musicgen.testing",
        description="Serve an offline emulator of the sunoapi.org and Mureka APIs.",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="interface to bind (default: %(default)s)"
    )
    parser.add_argument(
        "--port", type=int, default=8765, help="port; 0 picks a free one (default: %(default)s)"
    )
    parser.add_argument("--suno-api-key", help="only accept this Suno key (default: any)")
    parser.add_argument("--mureka-api-key", help="only accept this Mureka key (default: any)")
    parser.add_argument("--suno-credits", type=int, default=500)
    parser.add_argument("--mureka-balance-cents", type=int, default=10_000)
    parser.add_argument(
        "--mureka-concurrent-request-limit",
        type=int,
        default=5,
        help="Mureka tasks running at once before a submission gets 429 (default: %(default)s)",
    )
    parser.add_argument("--polls-per-stage", type=int, default=1)
    parser.add_argument(
        "--task-seconds",
        type=float,
        default=None,
        help="tasks finish this many seconds after submission, however often they are read "
        "(default: they advance one stage per --polls-per-stage status reads)",
    )
    parser.add_argument("--audio-seconds", type=float, default=2.0)
    parser.add_argument(
        "--callback-stage-seconds",
        type=float,
        default=None,
        help="walk tasks that have a real callBackUrl one stage per this many seconds, "
        "posting each stage's callback (default: stages advance by status reads only)",
    )
    parser.add_argument(
        "--callback-webhook-key", help="sign callbacks kie-style with this key (default: unsigned)"
    )
    args = parser.parse_args(argv)
    emulator = Emulator(
        suno_api_key=args.suno_api_key,
        mureka_api_key=args.mureka_api_key,
        suno_credits=args.suno_credits,
        mureka_balance_cents=args.mureka_balance_cents,
        mureka_concurrent_request_limit=args.mureka_concurrent_request_limit,
        polls_per_stage=args.polls_per_stage,
        task_seconds=args.task_seconds,
        audio_seconds=args.audio_seconds,
        callback_stage_seconds=args.callback_stage_seconds,
        callback_webhook_key=args.callback_webhook_key,
    )
    # Treat SIGTERM (docker stop, CI teardown) like Ctrl-C so the socket is closed cleanly.
    signal.signal(signal.SIGTERM, _interrupt)
    with EmulatorServer(emulator, host=args.host, port=args.port) as server:
        print(server.url, flush=True)
        print("musicgen emulator running; press Ctrl-C to stop", file=sys.stderr, flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
