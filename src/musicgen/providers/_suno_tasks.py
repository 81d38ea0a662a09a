"""Suno's task endpoints on a finished track: lyrics, timed lyrics, WAV, stems, MIDI, video,
cover art."""

from __future__ import annotations

from ._suno_base import SunoBase

__all__ = ["SunoTaskEndpoints"]


class SunoTaskEndpoints(SunoBase):
    """Suno's task endpoints on a finished track."""
