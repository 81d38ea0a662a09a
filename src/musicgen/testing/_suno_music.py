"""The emulated Suno music edits: extend, covers, vocals and backing, mashups, sections, sounds."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._route import Route
    from ._suno import SunoService

__all__ = ["music_routes"]


def music_routes(service: SunoService) -> list[Route]:
    """The routes of this family, served by ``service`` (its store, credits and key)."""
    return []
