"""Suno's files and voices: uploads (URL, stream, base64), custom voices, style boost, recovery."""

from __future__ import annotations

from ._suno_base import SunoBase

__all__ = ["SunoFileEndpoints"]


class SunoFileEndpoints(SunoBase):
    """Suno's files and voices."""
