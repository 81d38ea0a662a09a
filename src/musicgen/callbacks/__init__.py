"""Receiving sunoapi.org callbacks: typed events, URLs that prove themselves, a receiver.

sunoapi.org can POST a task's progress to the ``callBackUrl`` sent with it (music: ``text``,
``first``, ``complete`` or ``error``; WAV, stems, video, lyrics, cover art...: one callback when
done). A callback arrives as soon as the provider knows, with no status read. The flow:

1. **Mint** one URL per submission: ``auth = CallbackAuth(secret)``, then
   ``auth.url("https://app.example/musicgen/callback", family="music")``. The URL carries a
   random nonce, the family and an HMAC token over both (``?mg=<nonce>.<family>.<token>``).
   sunoapi.org signs nothing, so this token is the proof a callback came back to a URL the
   app made; the family tells the receiver how to read the body.
2. **Receive**: ``callback_app(cache, auth)`` is an ASGI app (Starlette; ``pip install
   'musicgen-sdk[callbacks]'``) that verifies the token (and a kie-style ``X-Webhook-Signature``
   with a fresh ``X-Webhook-Timestamp`` when a ``webhook_key`` is set), parses the body with
   ``parse_callback`` and stores the event, answering 200 in milliseconds. Forged or stale
   callbacks get 401 and are stored nowhere; unreadable bodies get 400. ``serve(cache, auth,
   host=..., port=...)`` runs it under uvicorn; ``CallbackServer`` runs it on a thread.
3. **Store**: the event lands in the client's ``Cache`` under ``callback_key(provider,
   task_id)`` (``callback:suno:<task id>``) as JSON: ``{"format": 1, "stage", "final",
   "failed", "received_at", "event"}``. A later stage replaces an earlier one, never the
   reverse, so the duplicates and out-of-order deliveries the provider warns about are
   harmless. Each URL's nonce is bound to the first task id it delivers (``callback:nonce:
   <nonce>``): the same URL cannot speak for another task.
4. **Wake**: a waiting client reads ``load_event(cache, provider, task_id)`` and returns as
   soon as a final stage is there, with one confirming status read; polling remains the
   fallback for a callback that never comes.

``parse_callback`` also works alone, for apps with their own web framework::

    event = parse_callback(request_body, family="music")  # or family=None to guess
    if event.is_final and not event.failed:
        for track in event.tracks:
            print(track.audio_url)

Importing this package does not import Starlette; ``callback_app``, ``serve`` and
``CallbackServer`` load it on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._auth import QUERY_PARAMETER, CallbackAuth, Verified
from ._errors import CallbackAuthError, CallbackError
from ._events import (
    FAMILIES,
    FINAL_STAGES,
    STAGES,
    CallbackEvent,
    CoverArtCallback,
    LyricsCallback,
    MidiCallback,
    MusicCallback,
    RecoveredTrack,
    RecoveryCallback,
    VideoCallback,
    VocalRemovalCallback,
    VoiceCallback,
    VoicePhraseCallback,
    WavCallback,
)
from ._parse import guess_family, parse_callback
from ._store import (
    StoredCallback,
    bind_nonce,
    bound_task,
    callback_key,
    load_event,
    nonce_key,
    store_event,
)

if TYPE_CHECKING:
    from ._app import DEFAULT_PATH, DEFAULT_TTL, CallbackServer, callback_app, serve

__all__ = [
    "DEFAULT_PATH",
    "DEFAULT_TTL",
    "FAMILIES",
    "FINAL_STAGES",
    "QUERY_PARAMETER",
    "STAGES",
    "CallbackAuth",
    "CallbackAuthError",
    "CallbackError",
    "CallbackEvent",
    "CallbackServer",
    "CoverArtCallback",
    "LyricsCallback",
    "MidiCallback",
    "MusicCallback",
    "RecoveredTrack",
    "RecoveryCallback",
    "StoredCallback",
    "Verified",
    "VideoCallback",
    "VocalRemovalCallback",
    "VoiceCallback",
    "VoicePhraseCallback",
    "WavCallback",
    "bind_nonce",
    "bound_task",
    "callback_app",
    "callback_key",
    "guess_family",
    "load_event",
    "nonce_key",
    "parse_callback",
    "serve",
    "store_event",
]

_LAZY = frozenset({"DEFAULT_PATH", "DEFAULT_TTL", "CallbackServer", "callback_app", "serve"})


def __getattr__(name: str) -> Any:
    # Lazy: the receiver needs Starlette (the "callbacks" extra); parsing and storing do not.
    if name in _LAZY:
        from . import _app

        return getattr(_app, name)
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)
