"""arq worker settings for the fleet test: ``arq tests.fleet.worker.WorkerSettings``.

Every worker process builds one ``AsyncMusicGenClient`` sharing a ``RedisCache`` (journal,
leases, results) and a ``RedisLimiter`` (the account's Mureka slots and Suno rate) with the
other workers, against the emulator server the test started. The test passes the addresses in
the environment: ``FLEET_REDIS_URL``, ``FLEET_EMULATOR_URL``, ``FLEET_PREFIX`` (keys and the
arq queue of this run).
"""

from __future__ import annotations

import os
from typing import Any, ClassVar

from arq.connections import RedisSettings
from arq.worker import func

from musicgen import AsyncMusicGenClient, MusicGenError, PollPolicy, RetryPolicy
from musicgen.cache import RedisCache
from musicgen.limits import RedisLimiter
from musicgen.providers import MurekaProvider, SunoProvider

REDIS_URL = os.environ.get("FLEET_REDIS_URL", "redis://127.0.0.1:6379/0")
EMULATOR_URL = os.environ.get("FLEET_EMULATOR_URL", "http://127.0.0.1:8765")
PREFIX = os.environ.get("FLEET_PREFIX", "musicgen-fleet:")
API_KEY = "fleet-key"  # the emulator takes any key; every worker uses the same account

# A job's longest honest run: waiting for a Mureka slot behind the queue, then the task. arq
# marks a started job "in progress" for JOB_TIMEOUT + 10 s; a job whose worker died is run
# again once that mark expires (it never left the queue), so this also bounds the recovery.
JOB_TIMEOUT = 45


async def startup(ctx: dict[str, Any]) -> None:
    """One client per worker process, shared by its concurrent jobs."""
    ctx["client"] = AsyncMusicGenClient(
        providers=[
            SunoProvider(api_key=API_KEY, base_url=EMULATOR_URL),
            MurekaProvider(api_key=API_KEY, base_url=EMULATOR_URL),
        ],
        cache=RedisCache(REDIS_URL, prefix=PREFIX + "cache:"),
        limiter=RedisLimiter(REDIS_URL, prefix=PREFIX + "limits:"),
        # The emulator's tasks take a fixed wall-clock time: read them often, so a finished
        # task frees its Mureka slot within 0.25 s (throughput is measured against the limit).
        poll=PollPolicy(interval=0.25, backoff=1, timeout=JOB_TIMEOUT),
        retry=RetryPolicy(wait_initial=0.05, wait_max=0.5),
    )


async def shutdown(ctx: dict[str, Any]) -> None:
    """Close the client (and with it its HTTP connections)."""
    await ctx["client"].aclose()


async def generate(ctx: dict[str, Any], request: dict[str, Any]) -> dict[str, Any]:
    """Generate one request; a refused request is a result too (a failure value), not a crash."""
    client: AsyncMusicGenClient = ctx["client"]
    try:
        generation = await client.generate(**request)
    except MusicGenError as error:
        return {"error": type(error).__name__, "message": str(error)}
    return {
        "provider": generation.provider,
        "task_id": generation.task_id,
        "status": generation.status.value,
        "tracks": len(generation.tracks),
    }


class WorkerSettings:
    """What ``arq tests.fleet.worker.WorkerSettings`` runs."""

    functions: ClassVar = [func(generate, timeout=JOB_TIMEOUT)]
    on_startup = startup
    on_shutdown = shutdown
    redis_settings = RedisSettings.from_dsn(REDIS_URL)
    queue_name = PREFIX + "queue"
    max_jobs = 12  # 48 jobs at once across the fleet: the 20 Mureka slots stay busy, and a
    # job never waits behind more than about one round of tasks (JOB_TIMEOUT bounds it)
    poll_delay = 0.05
    keep_result = 600
    max_tries = 5  # includes the re-runs of jobs whose worker died
