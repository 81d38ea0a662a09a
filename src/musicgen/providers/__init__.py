"""Provider drivers: the ``Provider`` protocol, ``ProviderBase`` for writing your own, the
built-in Suno and Mureka drivers, and registration of custom providers."""

from typing import TYPE_CHECKING, Any

from ._base import Provider, ProviderBase, api_key_from_env, parse_retry_after, read_json
from ._options import MurekaOptions, ProviderOptions, SunoOptions
from ._registry import (
    configure_providers,
    default_providers,
    register_provider,
    registered_providers,
)

if TYPE_CHECKING:
    from .mureka import MurekaProvider
    from .suno import SunoProvider

__all__ = [
    "MurekaOptions",
    "MurekaProvider",
    "Provider",
    "ProviderBase",
    "ProviderOptions",
    "SunoOptions",
    "SunoProvider",
    "api_key_from_env",
    "configure_providers",
    "default_providers",
    "parse_retry_after",
    "read_json",
    "register_provider",
    "registered_providers",
]


def __getattr__(name: str) -> Any:
    # The drivers (every endpoint family, every result class) load on first use: importing
    # musicgen stays cheap, and a client builds them only when it configures them.
    if name == "SunoProvider":
        from .suno import SunoProvider

        return SunoProvider
    if name == "MurekaProvider":
        from .mureka import MurekaProvider

        return MurekaProvider
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)
