"""Tiny, deterministic media files: a playable WAV melody and a solid-colour PNG.

Both are built with the standard library only, so the emulator needs no audio stack.
The content depends only on the seed text, which makes downloads reproducible across runs.
"""

from __future__ import annotations

import functools
import hashlib
import io
import math
import struct
import sys
import wave
import zlib
from array import array

SAMPLE_RATE = 22_050
"""Sample rate of every emulated WAV file (mono, 16-bit)."""

# Major pentatonic degrees (semitones above the key); any ordering of them sounds tuneful.
_SCALE = (0, 2, 4, 7, 9, 12, 14, 16)
_NOTES_PER_SECOND = 4
_AMPLITUDE = 0.3 * 32767
_FADE_SAMPLES = 220  # 10 ms ramps at each note edge avoid audible clicks.


@functools.lru_cache(maxsize=256)
def render_wav(seed: str, seconds: float) -> bytes:
    """Render a short sine-tone melody whose pitches come from a hash of ``seed``.

    Args:
        seed: Any text; equal seeds give byte-identical files.
        seconds: Length of the audio.

    Returns:
        A complete RIFF/WAVE file (PCM, 16-bit, mono, 22050 Hz).
    """
    digest = hashlib.sha256(seed.encode("utf-8")).digest()
    total = max(1, round(seconds * SAMPLE_RATE))
    note_count = max(1, round(seconds * _NOTES_PER_SECOND))
    note_len = max(1, total // note_count)
    key_hz = 220.0 * 2 ** ((digest[0] % 12) / 12)
    samples = array("h")
    for note in range(note_count):
        degree = _SCALE[digest[(note + 1) % len(digest)] % len(_SCALE)]
        step = 2 * math.pi * key_hz * 2 ** (degree / 12) / SAMPLE_RATE
        length = note_len if note < note_count - 1 else total - note_len * (note_count - 1)
        fade = min(_FADE_SAMPLES, length // 2)
        sin = math.sin  # local lookups: this loop is the whole cost of a download
        tone = [_AMPLITUDE * sin(step * i) for i in range(length)]
        for i in range(fade):
            gain = i / fade
            tone[i] *= gain
            tone[length - 1 - i] *= gain
        samples.extend(map(int, tone))
    if sys.byteorder == "big":
        # WAV data is little-endian whatever the host is.
        samples.byteswap()
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(samples.tobytes())
    return buffer.getvalue()


@functools.lru_cache(maxsize=256)
def render_png(seed: str, size: int = 16) -> bytes:
    """Render a ``size`` x ``size`` solid-colour PNG whose colour comes from ``seed``.

    Args:
        seed: Any text; equal seeds give byte-identical files.
        size: Width and height in pixels.

    Returns:
        A complete PNG file (8-bit RGB).
    """
    rgb = hashlib.sha256(seed.encode("utf-8")).digest()[:3]
    # Each scanline starts with filter byte 0 (None).
    raw = b"".join(b"\x00" + rgb * size for _ in range(size))

    def chunk(tag: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(tag + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )
