"""What every scenario shares: settings, the emulator server, interleaved timing, /proc probes."""

from __future__ import annotations

import contextlib
import gc
import importlib.util
import os
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass

from ._bootstrap import REPO_ROOT

__all__ = [
    "Settings",
    "ainterleave",
    "cache_missing_sniffio",
    "count_sockets",
    "emulator_server",
    "interleave",
    "proc_status_kib",
    "reset_peak_rss",
    "subprocess_env",
]


@dataclass(frozen=True)
class Settings:
    """How a run was asked for.

    Attributes:
        quick: A smoke run: few rounds, small sizes; numbers are not meaningful.
        seed: Seed for every random choice (polling timelines).
        server: ``"process"`` runs the emulator in a child process; ``"thread"`` in this one.
    """

    quick: bool = False
    seed: int = 20_240_601
    server: str = "process"


def cache_missing_sniffio() -> bool:
    """Make a missing ``sniffio`` fail fast on import; True when it was missing.

    httpcore's async locks run ``import sniffio`` on every acquire. When sniffio is not installed
    (recent anyio no longer pulls it in) a failed import is not cached, so each call searches the
    whole ``sys.path`` again: about 0.3 ms, several times per request, for SDK and baseline alike.
    That would drown the SDK's own cost in an environment quirk; ``sys.modules["sniffio"] = None``
    makes the import fail at once, exactly as cheap as when sniffio is installed.
    """
    if "sniffio" in sys.modules or importlib.util.find_spec("sniffio") is not None:
        return False
    sys.modules["sniffio"] = None  # type: ignore[assignment]
    return True


def subprocess_env() -> dict[str, str]:
    """The environment for child Pythons: ours, minus settings that would change what runs."""
    env = dict(os.environ)
    # MUSICGEN_LOG makes `import musicgen` configure console logging: not what we measure.
    env.pop("MUSICGEN_LOG", None)
    return env


@contextlib.contextmanager
def emulator_server(settings: Settings, polls_per_stage: int = 1) -> Iterator[str]:
    """Serve ``Emulator(polls_per_stage=...)`` on loopback with ``EmulatorServer``; yield its URL.

    By default the server runs in a child process (``python -m benchmarks._server``): it then
    does not compete with the code under test for the GIL, and its memory (it records every
    request) stays out of this process's tracemalloc and RSS figures. ``--server thread``
    serves it from a thread of this process instead, as ``EmulatorServer`` is used in tests.
    Either way ``TCP_NODELAY`` is switched on (see ``benchmarks._server``).
    """
    if settings.server == "thread":
        from musicgen.testing import EmulatorServer

        from ._server import disable_nagle, make_emulator

        disable_nagle()
        with EmulatorServer(make_emulator(polls_per_stage)) as server:
            yield server.url
        return
    command = [sys.executable, "-m", "benchmarks._server"]
    command += ["--polls-per-stage", str(polls_per_stage)]
    proc = subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=REPO_ROOT,
        env=subprocess_env(),
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().split(" ")[0].strip()
        if not url.startswith("http"):
            msg = f"the emulator server did not start (printed {url!r})"
            raise RuntimeError(msg)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdin is not None:
            proc.stdin.close()
        if proc.stdout is not None:
            proc.stdout.close()


def interleave(
    sdk: Callable[[], object], baseline: Callable[[], object], rounds: int, calls: int = 1
) -> tuple[list[float], list[float]]:
    """Time ``sdk`` and ``baseline`` in turns; return each side's mean seconds per call, per round.

    Within a round the two sides take turns call by call (AB BA AB ...), so a burst of load on
    a shared machine lands on both sides alike; each call is timed on its own. A round's value
    is the mean over its ``calls`` calls (GC pauses included), and the caller takes the median
    over rounds, so one disturbed round does not decide.
    """
    sdk_times: list[float] = []
    base_times: list[float] = []
    for _ in range(rounds):
        gc.collect()  # every round starts from the same heap state
        totals = [0.0, 0.0]
        for index in range(2 * calls):
            side = index % 2 if (index // 2) % 2 == 0 else 1 - index % 2
            func = sdk if side == 0 else baseline
            started = time.perf_counter()
            func()
            totals[side] += time.perf_counter() - started
        sdk_times.append(totals[0] / calls)
        base_times.append(totals[1] / calls)
    return sdk_times, base_times


async def ainterleave(
    sdk: Callable[[], Awaitable[object]],
    baseline: Callable[[], Awaitable[object]],
    rounds: int,
    calls: int = 1,
) -> tuple[list[float], list[float]]:
    """The ``interleave`` of coroutine functions, run on the current event loop."""
    sdk_times: list[float] = []
    base_times: list[float] = []
    for _ in range(rounds):
        gc.collect()
        totals = [0.0, 0.0]
        for index in range(2 * calls):
            side = index % 2 if (index // 2) % 2 == 0 else 1 - index % 2
            func = sdk if side == 0 else baseline
            started = time.perf_counter()
            await func()
            totals[side] += time.perf_counter() - started
        sdk_times.append(totals[0] / calls)
        base_times.append(totals[1] / calls)
    return sdk_times, base_times


def count_sockets() -> int:
    """Open sockets of this process (Linux ``/proc/self/fd``); -1 where that is unavailable."""
    try:
        names = os.listdir("/proc/self/fd")
    except OSError:
        return -1
    count = 0
    for name in names:
        with contextlib.suppress(OSError):
            if os.readlink(f"/proc/self/fd/{name}").startswith("socket:"):
                count += 1
    return count


def proc_status_kib(field: str) -> int | None:
    """A ``/proc/self/status`` field in KiB (``VmRSS``, ``VmHWM``); None where unavailable."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def reset_peak_rss() -> bool:
    """Reset ``VmHWM`` to the current RSS (Linux ``clear_refs``); False if not permitted."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
            refs.write("5")
    except OSError:
        return False
    return True
