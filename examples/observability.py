"""Hooks, metrics and Sentry around a few generations.

- every event of a call shares one correlation id (set here with `correlation_id(...)`);
- `LoggingHook` logs each event with structured `extra`;
- `client.metrics()` prints latency per provider and operation, retries and polls;
- Sentry gets one issue for the failed generation, with tags and breadcrumbs, and never the
  API key. With SENTRY_DSN set, events go to your Sentry; without it, to a Sentry-compatible
  endpoint started here on loopback, whose received events are printed.

Needs the sentry extra: `pip install 'musicgen-sdk[sentry]'`.

    python examples/observability.py
"""

from __future__ import annotations

import logging
import os
import sys

try:
    import sentry_sdk
except ImportError:
    sys.exit("examples/observability.py needs the sentry extra: pip install 'musicgen-sdk[sentry]'")

from musicgen import GenerationFailedError, MurekaProvider, SunoProvider, correlation_id
from musicgen.observability import LoggingHook, SentryHook, init_sentry
from musicgen.testing import Emulator, Fault, SentryServer, emulated_client

SECRET_KEY = "sk-example-0123456789abcdef"  # pretend this is your real key: it must never leak
BASE_URL = "http://emulator.musicgen.test"


def run(dsn: str) -> None:
    """Two generations (one retried, one failing) with every hook attached."""
    init_sentry(dsn, environment="example")
    emulator = Emulator()
    emulator.inject(Fault("server_error", operation="status"))  # one retried read
    providers = [
        SunoProvider(api_key=SECRET_KEY, base_url=BASE_URL),
        MurekaProvider(api_key=SECRET_KEY, base_url=BASE_URL),
    ]
    hooks = [LoggingHook(level=logging.INFO), SentryHook()]
    with emulated_client(emulator, providers=providers, hooks=hooks) as client:
        with correlation_id("example-request-1"):
            # "V9" does not exist: musicgen falls back to V4_5 and tells Sentry (a warning).
            song = client.generate("a calm lo-fi beat", provider="suno", model="V9")
            print(f"succeeded: {song.task_id} (correlation id {song.correlation_id})")
        emulator.script_next_task("mureka", final_status="failed", reason="engine error")
        try:
            client.generate("pop", provider="mureka", lyrics="[Verse]\nla la")
        except GenerationFailedError as error:
            print(f"failed as expected: {error}")
        print()
        print(client.metrics())
    sentry_sdk.flush()


def main() -> None:
    """Use SENTRY_DSN when set, else a local endpoint that shows what Sentry would receive."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)-7s %(name)s: %(message)s")
    logging.getLogger("musicgen").setLevel(logging.INFO)
    dsn = os.environ.get("SENTRY_DSN")
    if dsn:
        run(dsn)
        return
    with SentryServer() as server:
        try:
            run(server.dsn)
            events = server.wait_for_events(2)
        finally:
            sentry_sdk.get_client().close()  # before the endpoint goes away
        print("\nThe local Sentry endpoint received:")
        for event in events:
            tags = {k: v for k, v in event.get("tags", {}).items() if k.startswith("musicgen.")}
            print(f"  [{event.get('level')}] fingerprint={event.get('fingerprint')}")
            print(f"      tags={tags}")
        leaked = SECRET_KEY.encode() in server.raw_bytes
        print(f"API key in any byte sent to Sentry: {leaked}")
        if leaked:
            raise SystemExit("the API key reached Sentry")


if __name__ == "__main__":
    main()
