"""Provider drivers: the ``Provider`` protocol, ``ProviderBase`` for writing your own, the
built-in Suno and Mureka drivers, and registration of custom providers."""

from ._base import Provider, ProviderBase, api_key_from_env, parse_retry_after, read_json
from ._options import MurekaOptions, ProviderOptions, SunoOptions
from ._registry import (
    configure_providers,
    default_providers,
    register_provider,
    registered_providers,
)
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
