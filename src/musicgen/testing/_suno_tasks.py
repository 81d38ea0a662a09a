"""The emulated Suno task endpoints on a finished track: lyrics, timed lyrics, WAV, stems, MIDI,
video, cover art."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._route import Route
    from ._suno import SunoService

__all__ = ["task_routes"]


def task_routes(service: SunoService) -> list[Route]:
    """The routes of this family, served by ``service`` (its store, credits and key)."""
    return []
