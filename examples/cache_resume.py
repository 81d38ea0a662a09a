"""Never pay twice: a disk cache makes a re-run reuse or resume what it already paid for.

Needs: `pip install musicgen-sdk` (no extra).

    python examples/cache_resume.py

Runs against the emulator. The first generate pays; the same request again costs no request;
a task submitted by a "crashed" run is resumed, not submitted again; fresh=True asks for a new
take. The cache lives in $MUSICGEN_OUTPUT (default ./musicgen-output).
"""

from __future__ import annotations

import os
from pathlib import Path

from musicgen.cache import DiskCache
from musicgen.testing import Emulator, emulated_client

REQUEST = {"provider": "suno", "lyrics": "[Verse]\nSame song, paid once", "style": "folk"}


def main() -> None:
    """Show reuse, resume and a fresh take, counting what the provider was asked for."""
    folder = Path(os.environ.get("MUSICGEN_OUTPUT", "musicgen-output"))
    folder.mkdir(parents=True, exist_ok=True)
    cache = DiskCache(folder / "example-cache.sqlite3")
    cache.clear()
    emulator = Emulator()
    with emulated_client(emulator, cache=cache) as client:
        first = client.generate(title="Paid Once", **REQUEST)
        again = client.generate(title="Paid Once", **REQUEST)
        print(
            f"same request twice: one task ({first.task_id == again.task_id}), "
            f"{emulator.submissions()} submission"
        )

        # A script that submitted and then died: its journal entry is on disk already.
        crashed = client.submit(title="Crash Test", **REQUEST)
        resumed = client.generate(title="Crash Test", **REQUEST)
        print(
            f"after a crash: resumed {crashed.task_id == resumed.task_id}, "
            f"{emulator.submissions()} submissions in all"
        )

        client.generate(title="Paid Once", fresh=True, **REQUEST)
        print(f"fresh=True: a new take, {emulator.submissions()} submissions in all")
        stats = client.metrics().cache
        assert stats is not None
        print(f"cache: {stats.hits} hits, {stats.misses} misses, {stats.size} entries")
    cache.close()


if __name__ == "__main__":
    main()
