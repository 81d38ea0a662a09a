"""Files the emulated Mureka makes besides tracks: stem ZIPs of WAVs, MIDI ZIPs, speech.

Standard library only, deterministic from a seed like ``_media``: equal requests give
byte-identical files.
"""

from __future__ import annotations

import functools
import hashlib
import io
import struct
import zipfile

from ._media import render_wav

__all__ = ["STEM_NAMES", "midi_zip", "render_midi", "stems_zip"]

#: The stems inside the emulated ZIP. Mureka does not document its ZIP's contents
#: (endpoints.md §2.7), so these names are the emulator's choice.
STEM_NAMES: tuple[str, ...] = ("vocals", "drums", "bass", "guitar", "piano", "other")

_TICKS_PER_BEAT = 480
_MICROSECONDS_PER_BEAT = 500_000  # 120 beats per minute: a beat is half a second
_SCALE = (0, 2, 4, 7, 9, 12)


@functools.lru_cache(maxsize=32)
def stems_zip(seed: str, seconds: float) -> bytes:
    """A ZIP with one WAV per stem (``vocals.wav``, ``drums.wav``...), each ``seconds`` long."""
    return _zip({f"{name}.wav": render_wav(f"{seed}|{name}", seconds) for name in STEM_NAMES})


@functools.lru_cache(maxsize=32)
def midi_zip(seed: str, seconds: float) -> bytes:
    """A ZIP with one MIDI file per stem (``vocals.mid``, ``drums.mid``...)."""
    return _zip({f"{name}.mid": render_midi(f"{seed}|{name}", seconds) for name in STEM_NAMES})


def render_midi(seed: str, seconds: float) -> bytes:
    """A format-0 Standard MIDI File: a pentatonic line of quarter notes at 120 bpm.

    Args:
        seed: Any text; equal seeds give byte-identical files.
        seconds: Roughly how long the line lasts (at least one note).

    Returns:
        A complete ``.mid`` file: an ``MThd`` header and one ``MTrk`` track chunk.
    """
    digest = hashlib.sha256(seed.encode("utf-8")).digest()
    root = 48 + digest[0] % 24
    notes = max(1, round(seconds * 2))  # two beats per second
    events = bytearray()
    # Tempo, then each note on (velocity 96) and off a beat later, then the end of the track.
    events += b"\x00\xff\x51\x03" + _MICROSECONDS_PER_BEAT.to_bytes(3, "big")
    for index in range(notes):
        pitch = root + _SCALE[digest[(index + 1) % len(digest)] % len(_SCALE)]
        events += b"\x00" + bytes((0x90, pitch, 96))
        events += _varlen(_TICKS_PER_BEAT) + bytes((0x80, pitch, 0))
    events += b"\x00\xff\x2f\x00"
    header = b"MThd" + struct.pack(">IHHH", 6, 0, 1, _TICKS_PER_BEAT)
    return header + b"MTrk" + struct.pack(">I", len(events)) + bytes(events)


def _varlen(value: int) -> bytes:
    """MIDI's variable-length quantity: 7 bits per byte, high bit set on all but the last."""
    out = [value & 0x7F]
    value >>= 7
    while value:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    return bytes(reversed(out))


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            # A fixed date keeps the archive byte-identical across runs.
            info = zipfile.ZipInfo(name, date_time=(2025, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    return buffer.getvalue()
