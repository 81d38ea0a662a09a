"""After the first take: extend a song, split it into stems, get a WAV, write lyrics.

Needs: `pip install musicgen-sdk` (no extra).

    python examples/after_generation.py

Runs against the emulator (offline, no key): the same calls work with real keys. Each step is
one client call with the whole machinery (money safety, retries, polling, the deadline); the
files land in $MUSICGEN_OUTPUT (default ./musicgen-output/after-generation/).
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

from musicgen import MusicGenClient
from musicgen.testing import Emulator, emulated_client

LYRICS = "[Verse]\nHeadlights on the wet highway\nRadio is all we say\n"
MORE_LYRICS = "[Chorus]\nDrive until the morning\nDrive until it's day\n"


def suno(client: MusicGenClient, folder: Path) -> None:
    """Suno: generate, extend from 20 s, separate the vocals, convert to WAV."""
    song = client.generate(provider="suno", lyrics=LYRICS, style="synthwave", title="Night Drive")
    # Suno extends with the source's model; the new song carries the old one plus the new part.
    longer = client.extend(
        song, at=20.0, lyrics=MORE_LYRICS, style="synthwave", title="Night Drive II"
    )
    print(f"suno: extended {song.tracks[0].id} into {longer.tracks[0].id}")

    stems = client.separate(longer, mode="vocals")
    for part, url in sorted(stems.parts.items()):
        path = client.download(url, folder / "suno-stems" / f"{part}.wav")
        print(f"suno: {part} -> {path.name}")

    wav = client.convert(longer.tracks[0], format="wav")
    print(f"suno: WAV -> {client.download(wav, folder, format='wav').name}")

    lyrics = client.lyrics("a night drive along the coast", provider="suno")
    print(f"suno: {len(lyrics)} lyric drafts, the first titled {lyrics[0].title!r}")


def mureka(client: MusicGenClient, folder: Path) -> None:
    """Mureka: generate, extend at 10 s, split into stems (one ZIP), WAV without a request."""
    song = client.generate(provider="mureka", lyrics=LYRICS, prompt="synthwave, night drive")
    longer = client.extend(song, at=10.0, lyrics=MORE_LYRICS)
    print(f"mureka: extended {song.tracks[0].id} into {longer.tracks[0].id}")

    stems = client.separate(longer)
    assert stems.zip_url is not None  # Mureka answers with one ZIP of every stem
    archive = client.download(stems.zip_url, folder / "mureka-stems.zip")
    with zipfile.ZipFile(archive) as zipped:
        print(f"mureka: stems ZIP holds {len(zipped.namelist())} parts")

    # Mureka gives every song a WAV already: convert() returns it without asking again.
    wav = client.convert(longer, format="wav")
    print(f"mureka: WAV -> {client.download(wav, folder, format='wav').name}")


def main() -> None:
    """Run both providers' follow-ups against one emulator."""
    folder = Path(os.environ.get("MUSICGEN_OUTPUT", "musicgen-output")) / "after-generation"
    folder.mkdir(parents=True, exist_ok=True)
    # 30-second tracks, so that extending from 10 or 20 seconds is inside the song.
    with emulated_client(Emulator(audio_seconds=30.0)) as client:
        suno(client, folder)
        mureka(client, folder)


if __name__ == "__main__":
    main()
