"""An arq worker that generates music for a fleet: run as many as you like, on any machine.

Needs: `pip install 'musicgen-sdk[redis]' arq` (the redis extra, plus arq).

    arq worker.WorkerSettings        # from examples/fleet/, with MUSICGEN_REDIS_URL set

Every worker shares one RedisCache (results, the submission journal, leases) and one
RedisLimiter (the account's Mureka slots and Suno's rate) through the same Redis that arq uses
as its broker: identical requests on different workers are paid once, the fleet stays under
the account's limits, and a job whose worker died is run again by arq and resumes its task.
Configure with MUSICGEN_REDIS_URL (default redis://127.0.0.1:6379/0) and
MUSICGEN_EMULATOR_URL (default http://127.0.0.1:8765; drop base_url below for the real APIs).
"""

from __future__ import annotations

import os
import sys
from typing import Any, ClassVar

try:
    import redis  # noqa: F401 - only checks the extra is installed
    from arq.connections import RedisSettings
except ImportError:
    MISSING = "needs the redis extra and arq: pip install 'musicgen-sdk[redis]' arq"
    sys.exit(f"examples/fleet/worker.py {MISSING}")

from musicgen import AsyncMusicGenClient, MusicGenError
from musicgen.cache import RedisCache
from musicgen.limits import RedisLimiter
from musicgen.providers import MurekaProvider, SunoProvider

REDIS_URL = os.environ.get("MUSICGEN_REDIS_URL", "redis://127.0.0.1:6379/0")
EMULATOR_URL = os.environ.get("MUSICGEN_EMULATOR_URL", "http://127.0.0.1:8765")
QUEUE = os.environ.get("MUSICGEN_FLEET_QUEUE", "musicgen:fleet")


async def startup(ctx: dict[str, Any]) -> None:
    """One client per worker process, shared by the jobs it runs at once."""
    ctx["client"] = AsyncMusicGenClient(
        providers=[
            SunoProvider(api_key=os.environ.get("SUNO_API_KEY", "demo"), base_url=EMULATOR_URL),
            MurekaProvider(api_key=os.environ.get("MUREKA_API_KEY", "demo"), base_url=EMULATOR_URL),
        ],
        cache=RedisCache(REDIS_URL, prefix=QUEUE + ":cache:"),
        limiter=RedisLimiter(REDIS_URL, prefix=QUEUE + ":limits:"),
    )


async def shutdown(ctx: dict[str, Any]) -> None:
    """Close the client and its connections."""
    await ctx["client"].aclose()


async def generate(ctx: dict[str, Any], request: dict[str, Any]) -> dict[str, Any]:
    """One generation; a refused request comes back as a value, not as a failed job."""
    client: AsyncMusicGenClient = ctx["client"]
    try:
        generation = await client.generate(**request)
    except MusicGenError as error:
        return {"error": f"{type(error).__name__}: {error}"}
    return {"task_id": generation.task_id, "status": generation.status.value}


class WorkerSettings:
    """What ``arq worker.WorkerSettings`` runs."""

    functions: ClassVar = [generate]
    on_startup = startup
    on_shutdown = shutdown
    redis_settings = RedisSettings.from_dsn(REDIS_URL)
    queue_name = QUEUE
    max_jobs = 20  # more than the Mureka limit: jobs waiting for a slot wait here
    # A job stays queued until its result is stored; a worker that dies leaves it "in
    # progress" for job_timeout + 10 s, then another worker runs it again (and the journal
    # makes that run resume the task, not pay for a new one).
    job_timeout = 600
