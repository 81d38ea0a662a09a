"""What a downloaded file is, from its first bytes: the suffix musicgen names it with."""

from __future__ import annotations

import pytest

from musicgen._download import safe_name, sniff_suffix
from musicgen.testing._media import render_png, render_wav


@pytest.mark.parametrize(
    ("head", "suffix"),
    [
        (render_wav("a", 0.1), ".wav"),
        (b"ID3\x04\x00\x00\x00\x00\x00\x00", ".mp3"),
        (b"\xff\xfb\x90\x64\x00", ".mp3"),  # an MPEG-1 layer III frame, no ID3 tag
        (b"\xff\xf1\x50\x80\x00", ".aac"),  # ADTS
        (b"fLaC\x00\x00\x00\x22", ".flac"),
        (b"PK\x03\x04\x14\x00", ".zip"),
        (b"OggS\x00\x02" + b"\x00" * 22 + b"OpusHead", ".opus"),
        (b"OggS\x00\x02" + b"\x00" * 22 + b"\x01vorbis", ".ogg"),
        (b"\x00\x00\x00\x20ftypM4A \x00\x00", ".m4a"),
        (b"\x00\x00\x00\x18ftypisom\x00\x00", ".mp4"),
        (render_png("a"), ".png"),
        (b"MThd\x00\x00\x00\x06", ".mid"),
    ],
)
def test_the_first_bytes_name_the_suffix(head: bytes, suffix: str) -> None:
    assert sniff_suffix(head[:64]) == suffix


def test_the_bytes_win_over_the_content_type() -> None:
    assert sniff_suffix(render_wav("a", 0.1)[:64], "audio/mpeg") == ".wav"


def test_unknown_bytes_and_no_content_type_name_nothing() -> None:
    assert sniff_suffix(b"<html>", "text/html; charset=utf-8") is None


@pytest.mark.parametrize("name", ["CON", "con.tar", "Nul ", "COM¹", "LPT0", "conin$"])
def test_a_device_name_gets_an_underscore(name: str) -> None:
    cleaned = safe_name(name)
    assert cleaned.split(".")[0].rstrip(" ").upper() not in {"CON", "NUL", "COM¹", "LPT0"}
    assert cleaned.split(".")[0].upper() != "CONIN$"


def test_a_cut_never_splits_a_character() -> None:
    # 99 bytes (one is kept for a device name's "_"): 49 two-byte characters and half of one.
    assert safe_name("é" * 200, max_bytes=100) == "é" * 49
