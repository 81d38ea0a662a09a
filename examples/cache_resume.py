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

from musicgen import Generation, MusicGenClient
from musicgen.cache import DiskCache
from musicgen.testing import Emulator, emulated_client

LYRICS = "[Verse]\nSame song, paid once"


def song(client: MusicGenClient, title: str, *, fresh: bool = False) -> Generation:
    """The same request each time but for the title: what the journal fingerprints."""
    return client.generate(provider="suno", lyrics=LYRICS, style="folk", title=title, fresh=fresh)


def main() -> None:
    """Show reuse, resume and a fresh take, counting what the provider was asked for."""
    folder = Path(os.environ.get("MUSICGEN_OUTPUT", "musicgen-output"))
    folder.mkdir(parents=True, exist_ok=True)
    cache = DiskCache(folder / "example-cache.sqlite3")
    cache.clear()
    emulator = Emulator()
    with emulated_client(emulator, cache=cache) as client:
        first = song(client, "Paid Once")
        again = song(client, "Paid Once")
        print(
            f"same request twice: one task ({first.task_id == again.task_id}), "
            f"{emulator.submissions()} submission"
        )

        # A script that submitted and then died: its journal entry is on disk already.
        crashed = client.submit(provider="suno", lyrics=LYRICS, style="folk", title="Crash Test")
        resumed = song(client, "Crash Test")
        print(
            f"after a crash: resumed {crashed.task_id == resumed.task_id}, "
            f"{emulator.submissions()} submissions in all"
        )

        song(client, "Paid Once", fresh=True)
        print(f"fresh=True: a new take, {emulator.submissions()} submissions in all")
        stats = client.metrics().cache
        assert stats is not None
        print(f"cache: {stats.hits} hits, {stats.misses} misses, {stats.size} entries")
    cache.close()


if __name__ == "__main__":
    main()
