"""The emulated Suno files and voices: uploads, custom voices, personas, style boost, recovery."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._route import Route
    from ._suno import SunoService

__all__ = ["file_routes"]


def file_routes(service: SunoService) -> list[Route]:
    """The routes of this family, served by ``service`` (its store, credits and key)."""
    return []
