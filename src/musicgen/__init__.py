"""musicgen: a typed Python client for AI music-generation APIs (sunoapi.org, Mureka).

>>> from musicgen import MusicGenClient
>>> with MusicGenClient() as client:  # doctest: +SKIP
...     generation = client.generate("a calm lo-fi beat", provider="suno")
"""

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
from ._retry import RetryPolicy
from ._version import __version__
from .observability import correlation_id
from .providers import (
    MurekaOptions,
    MurekaProvider,
    Provider,
    ProviderBase,
    ProviderOptions,
    SunoOptions,
    SunoProvider,
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


def __getattr__(name: str) -> Any:
    # Lazy: the async client imports asyncio, which scripts using the blocking client never need.
    if name == "AsyncMusicGenClient":
        from ._async_client import AsyncMusicGenClient

        return AsyncMusicGenClient
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)


# A library logs but never prints by itself: silent unless the app configures logging, or the
# user asks for console output with MUSICGEN_LOG=debug|info.
_logging.getLogger("musicgen").addHandler(_logging.NullHandler())
if _os.environ.get("MUSICGEN_LOG"):
    from .observability._logging import configure_logging_from_env

    configure_logging_from_env()
