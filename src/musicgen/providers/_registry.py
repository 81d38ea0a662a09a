"""Which providers a client configures by itself, and how users add their own to that list."""

from __future__ import annotations

from collections.abc import Callable

from .._errors import ConfigurationError
from ._base import Provider

__all__ = ["default_providers", "register_provider", "registered_providers"]

ProviderFactory = Callable[[], Provider]

_FACTORIES: dict[str, ProviderFactory] = {}


def register_provider(name: str, factory: ProviderFactory) -> None:
    """Let ``MusicGenClient()`` configure ``name`` by itself, by calling ``factory``.

    The factory should read its settings (API key, ...) from the environment and raise
    ``ConfigurationError`` when they are missing: the provider is then left out.
    """
    _FACTORIES[name] = factory


def registered_providers() -> tuple[str, ...]:
    """The names ``default_providers`` tries, in order."""
    _register_builtins()
    return tuple(_FACTORIES)


def default_providers() -> list[Provider]:
    """Every registered provider whose configuration (API key) is present in the environment."""
    _register_builtins()
    configured = []
    for factory in _FACTORIES.values():
        try:
            configured.append(factory())
        except ConfigurationError:
            continue
    return configured


def _register_builtins() -> None:
    # Imported late so that `import musicgen.providers` stays cheap and cycle-free.
    from .mureka import MurekaProvider
    from .suno import SunoProvider

    _FACTORIES.setdefault("suno", SunoProvider)
    _FACTORIES.setdefault("mureka", MurekaProvider)
