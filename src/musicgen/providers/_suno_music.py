"""Suno's music edits: extend, covers, vocals and backing, mashups, sections, sounds, personas."""

from __future__ import annotations

from ._suno_base import SunoBase

__all__ = ["SunoMusicEndpoints"]


class SunoMusicEndpoints(SunoBase):
    """Suno's music edits."""
