"""Per-call overhead: ``generate`` through the SDK vs the same HTTP requests written by hand.

Against the emulator on a loopback socket, one generation is 1 submit + 4 status reads (the
emulator moves a task one stage per read, ``polls_per_stage=1``). Both sides make exactly these
requests over one keep-alive connection with zero poll interval; the SDK adds validation,
request building, parsing into typed values, retry bookkeeping, deadlines and events.

Each round runs ``calls`` generations per side, the sides taking turns generation by
generation; the round's value is the mean time of one generate. Rows give the median over
rounds. The baseline includes the emulator's own time, as a real server's would be included:
the ratio says how much slower a call is end to end, and the note gives the absolute cost added.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import statistics
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from musicgen import AsyncMusicGenClient, TaskStatus

from ._harness import Settings, ainterleave, emulator_server, interleave
from ._report import Measure, Row, at_most, ratio_of
from ._workloads import PROMPT, RawSuno, sdk_async_client, sdk_client

__all__ = ["run"]

_REQUESTS_PER_GENERATION = 5
_BASELINE = "hand-written httpx"


@dataclass(frozen=True)
class _Variant:
    """A client configuration to measure, and the ratio it must stay under."""

    name: str
    limit: float | None  # None: informational, no target
    options: Callable[[], dict[str, Any]] | None  # None: skipped (see ``skip``)
    skip: str = ""
    modes: tuple[str, ...] = ("sync", "async")
    sentry: bool = False
    logging: bool = False


def run(settings: Settings) -> list[Row]:
    """Measure sync and async per-call overhead for each hook configuration."""
    calls = 3 if settings.quick else 30
    rounds = 2 if settings.quick else 5
    rows: list[Row] = []
    with emulator_server(settings) as url:
        raw = RawSuno(url)
        _check_same_requests(url, raw)
        for variant in _variants():
            for mode in variant.modes:
                label = f"{mode}, {variant.name}: time per generate"
                if variant.options is None:
                    rows.append(_skipped(label, variant))
                    continue
                with _hooks_environment(variant):
                    options = variant.options()
                    if mode == "sync":
                        sdk, base = _time_sync(url, raw, options, calls, rounds)
                    else:
                        sdk, base = asyncio.run(_time_async(url, raw, options, calls, rounds))
                rows.append(_row(label, variant, sdk, base, calls))
    return rows


def _variants() -> list[_Variant]:
    variants = [
        _Variant("metrics=False, no hooks", 1.10, lambda: {"metrics": False}),
        # metrics=True is the default; it is still "no hooks" from the user's point of view.
        _Variant("default (metrics on)", 1.10, dict),
    ]
    try:
        import sentry_sdk  # noqa: F401 - only to know whether the Sentry variant can run

        from musicgen.observability import LoggingHook, SentryHook
    except Exception as error:  # noqa: BLE001 - SentryHook may be unfinished or sentry_sdk absent
        reason = f"skipped: cannot import SentryHook ({type(error).__name__}: {error})"
        return [*variants, _Variant("Logging+Metrics+Sentry hooks", 1.25, None, reason)]
    return [
        *variants,
        _Variant(
            "Logging+Metrics+Sentry hooks",
            1.25,
            # A new SentryHook per client, as an app would build one.
            lambda: {"hooks": [LoggingHook(), SentryHook()], "metrics": True},
            sentry=True,
            logging=True,
        ),
        # The two hooks alone (sync only, to keep the run short): which one costs what.
        _Variant(
            "LoggingHook only",
            None,
            lambda: {"hooks": [LoggingHook()], "metrics": False},
            modes=("sync",),
            logging=True,
        ),
        _Variant(
            "SentryHook only",
            None,
            lambda: {"hooks": [SentryHook()], "metrics": False},
            modes=("sync",),
            sentry=True,
        ),
    ]


@contextlib.contextmanager
def _hooks_environment(variant: _Variant) -> Iterator[None]:
    """A logger that builds every record, and an active Sentry, for the variants that use them."""
    with contextlib.ExitStack() as stack:
        if variant.logging:
            stack.enter_context(_logging_on())
        if variant.sentry:
            stack.enter_context(_sentry_active())
        yield


@contextlib.contextmanager
def _logging_on() -> Iterator[None]:
    events = logging.getLogger("musicgen.events")
    saved = (events.level, events.propagate, list(events.handlers))
    # Every event becomes a LogRecord handled by a NullHandler: the hook's full cost, no I/O.
    events.setLevel(logging.DEBUG)
    events.propagate = False
    events.handlers = [logging.NullHandler()]
    try:
        yield
    finally:
        events.setLevel(saved[0])
        events.propagate = saved[1]
        events.handlers = saved[2]


@contextlib.contextmanager
def _sentry_active() -> Iterator[None]:
    import sentry_sdk
    from sentry_sdk.transport import Transport

    class _NullTransport(Transport):
        """Accept every envelope and send nothing."""

        def capture_envelope(self, envelope: Any) -> None:
            pass

    # Default integrations off: they would patch httpx for the baseline too, and the point is
    # the cost SentryHook adds to the SDK (breadcrumbs per event).
    sentry_sdk.init(
        dsn="http://public@127.0.0.1:9/1",
        transport=_NullTransport,
        default_integrations=False,
        auto_enabling_integrations=False,
    )
    try:
        yield
    finally:
        client = sentry_sdk.get_client()
        client.close()
        sentry_sdk.get_global_scope().set_client(None)


def _check_same_requests(url: str, raw: RawSuno) -> None:
    """Both sides must send 1 submit + 4 reads per generation; count them once, untimed."""
    sent: list[str] = []

    def count(request: httpx.Request) -> None:
        sent.append(request.url.path)

    with httpx.Client(event_hooks={"request": [count]}) as http:
        with sdk_client(url, http_client=http, metrics=False) as client:
            generation = client.generate(PROMPT, provider="suno")
        assert generation.status is TaskStatus.SUCCEEDED, generation
        sdk_paths = list(sent)
        sent.clear()
        raw.generate(http)
    if sdk_paths != sent or len(sent) != _REQUESTS_PER_GENERATION:
        msg = f"SDK and baseline requests differ: {sdk_paths} vs {sent}"
        raise AssertionError(msg)


def _time_sync(
    url: str, raw: RawSuno, options: dict[str, Any], calls: int, rounds: int
) -> tuple[list[float], list[float]]:
    with sdk_client(url, **options) as client, httpx.Client() as http:

        def sdk_one() -> None:
            client.generate(PROMPT, provider="suno")

        def raw_one() -> None:
            raw.generate(http)

        # Untimed: opens the connections and runs every lazy import and first-call path.
        for _ in range(3):
            sdk_one()
            raw_one()
        return interleave(sdk_one, raw_one, rounds, calls)


async def _time_async(
    url: str, raw: RawSuno, options: dict[str, Any], calls: int, rounds: int
) -> tuple[list[float], list[float]]:
    client: AsyncMusicGenClient
    async with sdk_async_client(url, **options) as client, httpx.AsyncClient() as http:

        async def sdk_one() -> None:
            await client.generate(PROMPT, provider="suno")

        async def raw_one() -> None:
            await raw.agenerate(http)

        for _ in range(3):
            await sdk_one()
            await raw_one()
        return await ainterleave(sdk_one, raw_one, rounds, calls)


def _row(
    label: str, variant: _Variant, sdk: Sequence[float], base: Sequence[float], calls: int
) -> Row:
    ratio, span = ratio_of(sdk, base)
    added = statistics.median(sdk) - statistics.median(base)
    return Row(
        scenario="overhead",
        variant=label,
        unit="s",
        sdk=Measure.median_iqr(sdk),
        baseline=Measure.median_iqr(base),
        baseline_name=_BASELINE,
        ratio=ratio,
        ratio_range=span,
        target="" if variant.limit is None else f"ratio <= {variant.limit:.2f}",
        met=None if variant.limit is None else at_most(ratio, variant.limit),
        note=f"SDK adds {added * 1e6:.0f} us per generate "
        f"({_REQUESTS_PER_GENERATION} requests); {calls} generations per side per round",
        extra={"added_us_per_generate": added * 1e6, "generations_per_round": calls},
    )


def _skipped(label: str, variant: _Variant) -> Row:
    return Row(
        scenario="overhead",
        variant=label,
        target="" if variant.limit is None else f"ratio <= {variant.limit:.2f}",
        met=None,
        text="skipped",
        note=variant.skip,
    )
