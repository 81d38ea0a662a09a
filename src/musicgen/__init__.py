"""musicgen: a typed Python client for AI music-generation APIs (sunoapi.org, Mureka).

>>> from musicgen import MusicGenClient
>>> with MusicGenClient() as client:  # doctest: +SKIP
...     generation = client.generate("a calm lo-fi beat", provider="suno")
"""

import importlib as _importlib
import logging as _logging
import os as _os
from typing import TYPE_CHECKING, Any

from ._client import MusicGenClient
from ._errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    ContentPolicyError,
    GenerationFailedError,
    GenerationTimeoutError,
    InsufficientCreditsError,
    MaintenanceError,
    MusicGenError,
    NotFoundError,
    OverloadedError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    ServiceUnavailableError,
    SubmissionUncertainError,
    UncertainConnectionError,
    UncertainResponseError,
    UncertainServerError,
    UncertainServiceUnavailableError,
    UncertainTimeoutError,
    UnexpectedResponseError,
    UnknownModelError,
    UnsupportedOperationError,
    ValidationError,
)
from ._models import Balance, Generation, GenerationRequest, TaskStatus, Track
from ._models_catalog import (
    ModelCatalog,
    ModelFallbackWarning,
    ModelInfo,
    register_model,
    validate_model_version,
)
from ._operations import Operation, TaskSnapshot, TaskSpec
from ._polling import PollPolicy, Stage, Timeline
from ._progress import Progress
from ._retry import RetryPolicy
from ._version import __version__
from .observability import correlation_id
from .providers import (
    MurekaOptions,
    Provider,
    ProviderBase,
    ProviderOptions,
    SunoOptions,
    register_provider,
)

__all__ = [
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AlignedLyrics",
    "AlignedWord",
    "AsyncMusicGenClient",
    "AuthenticationError",
    "BadRequestError",
    "Balance",
    "BatchProgress",
    "ConfigurationError",
    "ContentPolicyError",
    "CoverArt",
    "Generation",
    "GenerationFailedError",
    "GenerationRequest",
    "GenerationTimeoutError",
    "InsufficientCreditsError",
    "Lyrics",
    "MaintenanceError",
    "Midi",
    "MidiInstrument",
    "MidiNote",
    "ModelCatalog",
    "ModelFallbackWarning",
    "ModelInfo",
    "MurekaOptions",
    "MurekaProvider",
    "MusicGenClient",
    "MusicGenError",
    "NotFoundError",
    "Operation",
    "OverloadedError",
    "PermissionDeniedError",
    "Persona",
    "PollPolicy",
    "Progress",
    "Provider",
    "ProviderBase",
    "ProviderOptions",
    "RateLimitError",
    "RetryPolicy",
    "ServerError",
    "ServiceUnavailableError",
    "SongDescription",
    "Speech",
    "Stage",
    "Stems",
    "StyleBoost",
    "SubmissionUncertainError",
    "SunoOptions",
    "SunoProvider",
    "Task",
    "TaskSnapshot",
    "TaskSpec",
    "TaskStatus",
    "Timeline",
    "Track",
    "UncertainConnectionError",
    "UncertainResponseError",
    "UncertainServerError",
    "UncertainServiceUnavailableError",
    "UncertainTimeoutError",
    "UnexpectedResponseError",
    "UnknownModelError",
    "UnsupportedOperationError",
    "Upload",
    "ValidationError",
    "Video",
    "Voice",
    "VoicePhrase",
    "__version__",
    "correlation_id",
    "register_model",
    "register_provider",
    "validate_model_version",
]

if TYPE_CHECKING:
    from ._async_client import AsyncMusicGenClient
    from ._batch import BatchProgress
    from ._results import (
        AlignedLyrics,
        AlignedWord,
        CoverArt,
        Lyrics,
        Midi,
        MidiInstrument,
        MidiNote,
        Persona,
        SongDescription,
        Speech,
        Stems,
        StyleBoost,
        Task,
        Upload,
        Video,
        Voice,
        VoicePhrase,
    )
    from .providers import MurekaProvider, SunoProvider

# Names loaded on first use, so that ``import musicgen`` stays cheap: the async client (asyncio),
# the drivers (every endpoint family) and the results of the endpoints other than generate.
_LAZY = {
    "AsyncMusicGenClient": "._async_client",
    "BatchProgress": "._batch",
    "MurekaProvider": ".providers",
    "SunoProvider": ".providers",
    "AlignedLyrics": "._results",
    "AlignedWord": "._results",
    "CoverArt": "._results",
    "Lyrics": "._results",
    "Midi": "._results",
    "MidiInstrument": "._results",
    "MidiNote": "._results",
    "Persona": "._results",
    "SongDescription": "._results",
    "Speech": "._results",
    "Stems": "._results",
    "StyleBoost": "._results",
    "Task": "._results",
    "Upload": "._results",
    "Video": "._results",
    "Voice": "._results",
    "VoicePhrase": "._results",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        msg = f"module {__name__!r} has no attribute {name!r}"
        raise AttributeError(msg)
    value = getattr(_importlib.import_module(module, __name__), name)
    globals()[name] = value  # once loaded, a plain module attribute
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


# A library logs but never prints by itself: silent unless the app configures logging, or the
# user asks for console output with MUSICGEN_LOG=debug|info.
_logging.getLogger("musicgen").addHandler(_logging.NullHandler())
if _os.environ.get("MUSICGEN_LOG"):
    from .observability._logging import configure_logging_from_env

    configure_logging_from_env()
