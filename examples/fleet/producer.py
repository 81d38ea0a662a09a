"""Enqueue a batch of generations for the fleet's workers and wait for every result.

Needs: `pip install 'musicgen-sdk[redis]' arq` (the redis extra, plus arq).

    python producer.py               # from examples/fleet/, with the workers running

Sends 12 jobs over 8 distinct requests (Suno and Mureka; some asked for twice, as a busy web
app would) and prints one line per job, then a summary: repeated requests share one task.
"""

from __future__ import annotations

import asyncio
import os
import sys
from typing import Any

try:
    import redis  # noqa: F401 - only checks the extra is installed
    from arq.connections import RedisSettings, create_pool
except ImportError:
    MISSING = "needs the redis extra and arq: pip install 'musicgen-sdk[redis]' arq"
    sys.exit(f"examples/fleet/producer.py {MISSING}")

REDIS_URL = os.environ.get("MUSICGEN_REDIS_URL", "redis://127.0.0.1:6379/0")
QUEUE = os.environ.get("MUSICGEN_FLEET_QUEUE", "musicgen:fleet")

SONGS = [
    {
        "provider": "suno",
        "lyrics": f"[Verse]\nCity lights, take {n}",
        "style": "synthwave",
        "title": f"Lights {n}",
    }
    for n in range(4)
] + [
    {"provider": "mureka", "lyrics": f"[Verse]\nSlow river, verse {n}", "style": "folk"}
    for n in range(4)
]
JOBS = SONGS + SONGS[:2] + SONGS[4:6]  # four requests asked for twice


async def main() -> None:
    """Enqueue the jobs, then print each result as it comes back, in order."""
    pool = await create_pool(RedisSettings.from_dsn(REDIS_URL), default_queue_name=QUEUE)
    try:
        jobs = [await pool.enqueue_job("generate", request) for request in JOBS]
        results: list[dict[str, Any]] = [await job.result(timeout=600) for job in jobs if job]
    finally:
        await pool.aclose()
    for request, result in zip(JOBS, results, strict=True):
        print(f"{request['provider']:<6} {request['lyrics'].splitlines()[1]:<22} -> {result}")
    tasks = {result.get("task_id") for result in results}
    finished = sum(result.get("status") == "succeeded" for result in results)
    print(f"{len(results)} jobs, {finished} finished, {len(tasks)} tasks paid for")


if __name__ == "__main__":
    asyncio.run(main())
