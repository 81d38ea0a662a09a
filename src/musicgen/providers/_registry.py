"""Which providers a client configures by itself, and how users add their own to that list."""

from __future__ import annotations

from collections.abc import Callable

import attrs

from .._errors import ConfigurationError
from ._base import Provider

__all__ = ["Configured", "default_providers", "register_provider", "registered_providers"]

ProviderFactory = Callable[[], Provider]

_FACTORIES: dict[str, ProviderFactory] = {}


@attrs.frozen
class Configured:
    """What ``configure_providers`` found in the environment.

    Attributes:
        providers: The providers that could be configured, in registration order.
        unavailable: For each registered provider that could not, its factory's reason
            (e.g. ``"no API key for suno: pass api_key=... or set ..."``).
    """

    providers: tuple[Provider, ...]
    unavailable: dict[str, str]


def register_provider(name: str, factory: ProviderFactory) -> None:
    """Let ``MusicGenClient()`` configure ``name`` by itself, by calling ``factory``.

    The factory should read its settings (API key, ...) from the environment and raise
    ``ConfigurationError`` when they are missing: the provider is then left out, and its message
    is what a call naming that provider (or a client with no provider at all) reports.
    """
    _FACTORIES[name] = factory


def registered_providers() -> tuple[str, ...]:
    """The names ``default_providers`` tries, in order."""
    _register_builtins()
    return tuple(_FACTORIES)


def configure_providers() -> Configured:
    """Call every registered factory: the providers configured, and why the others are not."""
    _register_builtins()
    configured: list[Provider] = []
    unavailable: dict[str, str] = {}
    for name, factory in _FACTORIES.items():
        try:
            configured.append(factory())
        except ConfigurationError as error:
            unavailable[name] = error.message
    return Configured(tuple(configured), unavailable)


def default_providers() -> list[Provider]:
    """Every registered provider whose configuration (API key) is present in the environment."""
    return list(configure_providers().providers)


def _register_builtins() -> None:
    # Imported late so that `import musicgen.providers` stays cheap and cycle-free.
    from .mureka import MurekaProvider
    from .suno import SunoProvider

    _FACTORIES.setdefault("suno", SunoProvider)
    _FACTORIES.setdefault("mureka", MurekaProvider)
