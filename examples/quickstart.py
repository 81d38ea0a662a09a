"""Generate music and save the tracks: against the real provider when an API key is set,
else against the built-in emulator (offline, no key, real playable audio).

Needs: `pip install musicgen-sdk` (no extra).

    python examples/quickstart.py                      # emulator
    MUSICGEN_SUNO_API_KEY=... python examples/quickstart.py
    MUSICGEN_MUREKA_API_KEY=... python examples/quickstart.py

Files go to ./musicgen-output/ (or $MUSICGEN_OUTPUT).
"""

from __future__ import annotations

import os
from pathlib import Path

from musicgen import Generation, MusicGenClient
from musicgen.testing import Emulator, emulated_client

LYRICS = """[Verse]
Streetlights hum a quiet tune
Paper boats beneath the moon
[Chorus]
Hold the night, don't let it go
Every river finds the sea
"""


def make_client() -> tuple[MusicGenClient, str]:
    """A client for the provider whose key is set, else one for the emulator."""
    if os.environ.get("MUSICGEN_SUNO_API_KEY") or os.environ.get("SUNO_API_KEY"):
        return MusicGenClient(), "suno"
    if os.environ.get("MUSICGEN_MUREKA_API_KEY") or os.environ.get("MUREKA_API_KEY"):
        return MusicGenClient(), "mureka"
    print("No API key set: generating against the built-in emulator.")
    return emulated_client(Emulator()), "suno"


def generate(client: MusicGenClient, provider: str) -> Generation:
    """One song: Suno custom mode (style, title, lyrics) or Mureka (lyrics plus a prompt)."""
    if provider == "suno":
        return client.generate(
            lyrics=LYRICS, style="dream pop, warm synths", title="Paper Boats", provider="suno"
        )
    return client.generate(prompt="dream pop, warm synths", lyrics=LYRICS, provider="mureka")


def main() -> None:
    """Generate, then download every track."""
    out = Path(os.environ.get("MUSICGEN_OUTPUT", "musicgen-output"))
    client, provider = make_client()
    with client:
        generation = generate(client, provider)
        print(f"{generation.provider} task {generation.task_id}: {generation.status.value}")
        for track in generation.tracks:
            path = client.download(track, out)
            print(f"  {track.title or track.id}: {track.duration or 0:.1f}s -> {path}")


if __name__ == "__main__":
    main()
