"""Per-call overhead: ``generate`` through the SDK vs the same HTTP requests written by hand.

Against the emulator on a loopback socket, one generation is 1 submit + 4 status reads (the
emulator moves a task one stage per read, ``polls_per_stage=1``). Both sides make exactly these
requests over one keep-alive connection with zero poll interval; the SDK adds validation,
request building, parsing into typed values, retry bookkeeping, deadlines and events.

Each round runs ``calls`` generations per side, the sides taking turns generation by
generation; the round's value is the mean time of one generate. Rows give the median over
rounds. The baseline includes the emulator's own time, as a real server's would be included:
the ratio says how much slower a call is end to end, and the note gives the absolute cost added.

The ``cpu`` rows measure what each hook set costs the client itself: process time per
``generate`` against canned answers (one generation recorded from the emulator, replayed by an
``httpx.MockTransport``, so no server shares the measurement), minus the same without hooks.
Hook sets take turns round by round; a row gives the median over rounds of the paired
difference. The young generation's garbage is collected after each generate, untimed: a
generate leaves the same reference cycles (about 250 objects, from the request and retry
machinery) with or without hooks, and a collection every third generate or so would otherwise
land on some hook sets more than others, by the order they take turns in (it did: 60-80 us per
generate charged to every set but the baseline). The rows give the cyclic garbage each set
leaves, so a hook that adds some shows. Targets: metrics alone <= +50 us, Logging + Metrics +
Sentry <= +300 us per generate, SentryHook <= 10 us per event it receives.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from musicgen import AsyncMusicGenClient, PollPolicy, TaskStatus
from musicgen.testing import Emulator, emulated_async_client, emulated_client

from ._harness import Settings, ainterleave, emulator_server, interleave
from ._peers import suno_easy_overhead_row
from ._report import Measure, Row, at_most, ratio_of
from ._workloads import PROMPT, RawSuno, sdk_async_client, sdk_client

__all__ = ["NO_DEADLINE", "recorded_generation", "replay", "run"]

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
        # A peer client on the same emulator: what a user could pick instead of musicgen.
        rows.append(suno_easy_overhead_row(url, calls, rounds))
    rows.extend(_cpu_rows(settings))
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


# -- client CPU per generate, by hook set ------------------------------------------------------

_NO_HOOKS = "no hooks (metrics=False)"
_CPU_BASELINE = "the same client without hooks"
_METRICS_LIMIT_US = 50.0
_ALL_LIMIT_US = 300.0
_SENTRY_PER_EVENT_LIMIT_US = 10.0


@dataclass(frozen=True)
class _HookSet:
    """Hooks to measure the CPU cost of (``options`` builds the client's keyword arguments)."""

    name: str
    options: Callable[[], dict[str, Any]]
    modes: tuple[str, ...] = ("sync",)
    sentry: bool = False
    logging: bool = False


def _hook_sets() -> list[_HookSet]:
    from musicgen.observability import LoggingHook, SentryHook
    from musicgen.testing._clients import EMULATOR_API_KEY

    return [
        _HookSet(_NO_HOOKS, lambda: {"metrics": False}, modes=("sync", "async")),
        _HookSet("metrics only", lambda: {"metrics": True}),
        _HookSet("LoggingHook", lambda: {"hooks": [LoggingHook()], "metrics": False}, logging=True),
        # With the key it must mask, as an app passes its provider keys.
        _HookSet(
            "SentryHook",
            lambda: {"hooks": [SentryHook(secrets=[EMULATOR_API_KEY])], "metrics": False},
            sentry=True,
        ),
        _HookSet(
            "Logging+Metrics+Sentry",
            lambda: {
                "hooks": [LoggingHook(), SentryHook(secrets=[EMULATOR_API_KEY])],
                "metrics": True,
            },
            modes=("sync", "async"),
            sentry=True,
            logging=True,
        ),
    ]


def recorded_generation() -> list[tuple[int, list[tuple[bytes, bytes]], bytes]]:
    """The emulator's answers to one ``generate`` (a submit and four reads), to replay."""
    emulator = Emulator()
    inner = emulator.transport()
    answers: list[tuple[int, list[tuple[bytes, bytes]], bytes]] = []

    def record(request: httpx.Request) -> httpx.Response:
        response = inner.handle_request(request)
        content = response.read()
        answers.append((response.status_code, list(response.headers.raw), content))
        return httpx.Response(response.status_code, headers=response.headers, content=content)

    with emulated_client(
        None, http_client=httpx.Client(transport=httpx.MockTransport(record)), metrics=False
    ) as client:
        client.generate(PROMPT, provider="suno")
    if len(answers) != _REQUESTS_PER_GENERATION:
        msg = f"expected {_REQUESTS_PER_GENERATION} requests per generation, got {len(answers)}"
        raise AssertionError(msg)
    return answers


def replay(answers: list[tuple[int, list[tuple[bytes, bytes]], bytes]]) -> Callable[..., Any]:
    """A MockTransport handler answering each generation's requests with ``answers``, in turn."""
    position = [0]

    def handle(request: httpx.Request) -> httpx.Response:
        status, headers, content = answers[position[0] % len(answers)]
        position[0] += 1
        return httpx.Response(status, headers=headers, content=content)

    return handle


class _Counter:
    """A hook that counts the events one client emits."""

    def __init__(self) -> None:
        self.events = 0

    def __call__(self, event: Any) -> None:
        self.events += 1


def _events_per_generate(answers: list[tuple[int, list[tuple[bytes, bytes]], bytes]]) -> int:
    counter = _Counter()
    http = httpx.Client(transport=httpx.MockTransport(replay(answers)))
    with emulated_client(None, http_client=http, hooks=[counter], metrics=False) as client:
        client.generate(PROMPT, provider="suno")
    http.close()
    return counter.events


def _cpu_rows(settings: Settings) -> list[Row]:
    """Client CPU per ``generate`` for each hook set, minus the same client without hooks."""
    calls = 20 if settings.quick else 150
    rounds = 3 if settings.quick else 9
    answers = recorded_generation()
    events = _events_per_generate(answers)
    rows: list[Row] = []
    with _hooks_environment(_Variant("cpu", None, dict, sentry=True, logging=True)):
        sets = _hook_sets()
        for mode in ("sync", "async"):
            chosen = [s for s in sets if mode in s.modes]
            garbage: dict[str, float] = {}
            per_round = _cpu_rounds(mode, chosen, answers, calls, rounds, garbage)
            base = per_round[_NO_HOOKS]
            for hook_set in chosen:
                row = _cpu_row(mode, hook_set, per_round[hook_set.name], base, calls, events)
                row.extra["cyclic_garbage_per_generate"] = garbage[hook_set.name]
                rows.append(row)
    return rows


# No deadline: the blocking client then sends from the calling thread instead of a worker
# thread per request, whose hand-offs made process time swing by more than the hooks cost.
NO_DEADLINE = PollPolicy(interval=0.0, max_interval=0.0, timeout=None)


def _cpu_rounds(
    mode: str,
    sets: list[_HookSet],
    answers: list[tuple[int, list[tuple[bytes, bytes]], bytes]],
    calls: int,
    rounds: int,
    garbage: dict[str, float],
) -> dict[str, list[float]]:
    """Seconds of process time per generate, per hook set and round.

    The sets take turns generate by generate (the order rotating), so a burst of load from
    another process lands on every set alike: the differences are what the hooks cost.
    ``garbage`` receives the cyclic garbage per generate of each set, from the last round.
    """
    results: dict[str, list[float]] = {hook_set.name: [] for hook_set in sets}
    for index in range(rounds + 1):
        gc.collect()
        cycles = dict.fromkeys((hook_set.name for hook_set in sets), 0)
        if mode == "sync":
            totals = _sync_round(sets, answers, calls, cycles)
        else:
            totals = asyncio.run(_async_round(sets, answers, calls, cycles))
        if index == 0:
            continue  # untimed: lazy imports and first-call paths
        for name, total in totals.items():
            results[name].append(total / calls)
        garbage.update({name: count / calls for name, count in cycles.items()})
    return results


def _turns(sets: list[_HookSet], calls: int) -> Iterator[_HookSet]:
    for call in range(calls):
        shift = call % len(sets)
        yield from sets[shift:] + sets[:shift]


def _sync_round(
    sets: list[_HookSet],
    answers: list[tuple[int, list[tuple[bytes, bytes]], bytes]],
    calls: int,
    cycles: dict[str, int],
) -> dict[str, float]:
    totals = dict.fromkeys((hook_set.name for hook_set in sets), 0.0)
    with contextlib.ExitStack() as stack:
        clients: dict[str, Any] = {}
        for hook_set in sets:
            http = stack.enter_context(httpx.Client(transport=httpx.MockTransport(replay(answers))))
            options = {"poll": NO_DEADLINE, **hook_set.options()}
            clients[hook_set.name] = stack.enter_context(
                emulated_client(None, http_client=http, **options)
            )
        for hook_set in _turns(sets, calls):
            client = clients[hook_set.name]
            started = time.process_time()
            client.generate(PROMPT, provider="suno")
            totals[hook_set.name] += time.process_time() - started
            cycles[hook_set.name] += gc.collect(0)  # untimed: see the module docstring
    return totals


async def _async_round(
    sets: list[_HookSet],
    answers: list[tuple[int, list[tuple[bytes, bytes]], bytes]],
    calls: int,
    cycles: dict[str, int],
) -> dict[str, float]:
    totals = dict.fromkeys((hook_set.name for hook_set in sets), 0.0)
    async with contextlib.AsyncExitStack() as stack:
        clients: dict[str, Any] = {}
        for hook_set in sets:
            http = await stack.enter_async_context(
                httpx.AsyncClient(transport=httpx.MockTransport(replay(answers)))
            )
            options = {"poll": NO_DEADLINE, **hook_set.options()}
            clients[hook_set.name] = await stack.enter_async_context(
                emulated_async_client(None, http_client=http, **options)
            )
        for hook_set in _turns(sets, calls):
            client = clients[hook_set.name]
            started = time.process_time()
            await client.generate(PROMPT, provider="suno")
            totals[hook_set.name] += time.process_time() - started
            cycles[hook_set.name] += gc.collect(0)  # untimed: see the module docstring
    return totals


def _cpu_row(
    mode: str,
    hook_set: _HookSet,
    values: list[float],
    base: list[float],
    calls: int,
    events: int,
) -> Row:
    added = [(v - b) * 1e6 for v, b in zip(values, base, strict=True)]
    median_added = statistics.median(added)
    target = ""
    met: bool | None = None
    note = f"adds {median_added:.0f} us of CPU per generate over no hooks"
    extra: dict[str, Any] = {"added_cpu_us_per_generate": median_added, "events": events}
    if hook_set.name == "metrics only":
        target, met = f"+<= {_METRICS_LIMIT_US:.0f} us", at_most(median_added, _METRICS_LIMIT_US)
    elif hook_set.name == "Logging+Metrics+Sentry":
        target, met = f"+<= {_ALL_LIMIT_US:.0f} us", at_most(median_added, _ALL_LIMIT_US)
    elif hook_set.name == "SentryHook":
        per_event = median_added / events
        extra["added_cpu_us_per_event"] = per_event
        note += f"; {per_event:.1f} us per event ({events} events per generate)"
        target = f"<= {_SENTRY_PER_EVENT_LIMIT_US:.0f} us/event"
        met = at_most(per_event, _SENTRY_PER_EVENT_LIMIT_US)
    elif hook_set.name == _NO_HOOKS:
        note = "process time per generate, canned answers (no server in the measurement)"
    return Row(
        scenario="overhead",
        variant=f"cpu {mode}, {hook_set.name}: process time per generate",
        unit="s",
        sdk=Measure.median_iqr(values),
        baseline=None if hook_set.name == _NO_HOOKS else Measure.median_iqr(base),
        baseline_name="" if hook_set.name == _NO_HOOKS else _CPU_BASELINE,
        ratio=None
        if hook_set.name == _NO_HOOKS
        else statistics.median(values) / statistics.median(base),
        target=target,
        met=met,
        note=note + f"; {calls} generations per set per round, young garbage collected untimed",
        extra=extra,
    )
