"""What every Mureka endpoint shares: the key, the error table, song tasks and sync answers.

``MurekaBase`` holds it; the endpoint families build on it (``_mureka_edits``,
``_mureka_sync``, ``_mureka_files``, ``_mureka_finetune``) and ``MurekaProvider`` joins them.
Nothing here sends anything.

Wire facts relied on (``providers.md`` part 2, ``endpoints.md`` §2.0):

- No envelope: success bodies are bare objects. Errors are HTTP statuses >= 400 with
  ``{"error": {"message": ...}, "trace_id": ...}``; 429 is either a rate limit or an exhausted
  quota, told apart only by the message text.
- Song-family tasks (``song/generate``, ``song/extend``, ``track/generate``,
  ``song/region-edit``, ``song/remix``) answer with a SongTask and are polled at
  ``GET /v1/song/query/{id}``; instrumentals at ``GET /v1/instrumental/query/{id}``.
- Times in requests and answers are milliseconds (durations, positions) or Unix seconds
  (``created_at``, ``expires_at``); musicgen speaks seconds and converts.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import Any, NoReturn, TypeVar
from urllib.parse import quote

import httpx

from .._errors import (
    APIError,
    AuthenticationError,
    BadRequestError,
    ContentPolicyError,
    InsufficientCreditsError,
    NotFoundError,
    OverloadedError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    ServiceUnavailableError,
    UnexpectedResponseError,
    ValidationError,
)
from .._models import Generation, Track
from .._models_catalog import MUREKA_CATALOG, ModelCatalog
from .._operations import Operation, TaskSpec
from .._polling import Stage, Timeline, documented_at
from .._results import Upload
from ._base import ProviderBase, track_of

__all__ = ["DEFAULT_BASE_URL", "MAX_FILE_BYTES", "SONG_TIMELINE", "MurekaBase"]

T = TypeVar("T")

#: Where Mureka serves its API (the China platform is ``https://api.mureka.cn``).
DEFAULT_BASE_URL = "https://api.mureka.ai"

#: The largest file or data URL Mureka takes (files/upload, vocal/clone, song/stem...): 10 MB.
MAX_FILE_BYTES = 10 * 1024 * 1024

#: A song or instrumental task (generate, extend, remix...: everything read at
#: ``/song/query`` or ``/instrumental/query``): "about 45 s per generation" (providers.md 2.9),
#: taken as 40-50 s. A stream mode's ``streaming`` stage has no documented time: a wait for it
#: uses the neutral schedule.
SONG_TIMELINE = Timeline((Stage(name="done", earliest=40.0, latest=50.0),))

_PROVIDER = "mureka"
_ENV_VARS = ("MUSICGEN_MUREKA_API_KEY", "MUREKA_API_KEY")

# Celeste and the spec tell quota from rate limit by these words in a 429's message.
_QUOTA_WORDS = re.compile(r"quota|credit|balance|billing", re.IGNORECASE)

_ERROR_TYPES: Mapping[int, type[APIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    429: RateLimitError,
    451: ContentPolicyError,
    500: ServerError,
    503: ServiceUnavailableError,
}

_HINTS: Mapping[type[APIError], str] = {
    AuthenticationError: (
        "check api_key= or MUSICGEN_MUREKA_API_KEY / MUREKA_API_KEY; keys are at "
        "https://platform.mureka.ai/apiKeys"
    ),
    PermissionDeniedError: (
        "Mureka refuses requests from unsupported regions; for the China platform pass "
        "base_url='https://api.mureka.cn'"
    ),
    InsufficientCreditsError: (
        "the account is out of quota or credits; top up at https://platform.mureka.ai, "
        "musicgen does not retry this"
    ),
    RateLimitError: (
        "too many tasks at once; wait for running ones to finish (concurrent_request_limit is "
        "in the balance's raw data) or retry later"
    ),
    ContentPolicyError: "the request failed Mureka's safety review; change the lyrics or prompt",
    ServiceUnavailableError: "Mureka is unavailable; retry later",
    OverloadedError: "Mureka's engine is overloaded; retry later",
}


class MurekaBase(ProviderBase):
    """The Mureka key, error table and the shapes every endpoint family reuses.

    Args:
        api_key: The Mureka API key. None reads ``MUSICGEN_MUREKA_API_KEY``, then
            ``MUREKA_API_KEY``.
        base_url: The API root, e.g. ``"https://api.mureka.cn"`` for the China platform. A
            trailing ``/v1`` is accepted and removed, since every path already starts with it.

    Raises:
        ConfigurationError: No API key was passed or found in the environment.
    """

    name = _PROVIDER
    catalog: ModelCatalog = MUREKA_CATALOG
    errors = _ERROR_TYPES
    hints = _HINTS
    #: Seconds Mureka's audio URLs stay valid ("valid for 30 days"): cached results and journal
    #: entries expire with them.
    retention: float = 30 * 24 * 3600.0
    env_vars = _ENV_VARS
    #: The base plan's ``concurrent_request_limit`` (providers.md 2.9), until billing says.
    concurrent_tasks = 5
    default_base_url = DEFAULT_BASE_URL
    api_prefix = "/v1"

    def __init__(self, *, api_key: str | None = None, base_url: str = DEFAULT_BASE_URL) -> None:
        super().__init__(api_key=api_key, base_url=base_url)

    def __repr__(self) -> str:
        # Never the key: reprs end up in logs, tracebacks and Sentry events.
        return f"MurekaProvider(base_url={self.base_url!r})"

    # -- the song-task read, shared by every song-family endpoint -----------------------------

    def status(self, task_id: str, *, instrumental: bool | None = None) -> Operation[Generation]:
        """Read a song task, or an instrumental one (``instrumental=True``).

        Songs and instrumentals live under different paths. With ``instrumental=None`` (a bare
        task id) the song path is read first and the instrumental one when that says 404.
        Extensions, added tracks, region edits and remixes are song tasks.

        Raises:
            ValidationError: ``task_id`` is empty.
        """
        task_id = self.check_task_id(task_id)
        kind = "instrumental" if instrumental else "song"
        # Quoted so an odd id can never step into another path.
        request = self.http_request("GET", f"/{kind}/query/{quote(task_id, safe='')}")

        def read(next_id: str) -> Operation[Generation]:
            return self.status(next_id, instrumental=instrumental)

        return self.operation(
            "status",
            request,
            lambda response: self._task(response, task_id, instrumental),
            task=TaskSpec(
                read=read,
                task_id=task_id,
                result_type=Generation,
                timeline=documented_at(self.base_url, SONG_TIMELINE),
            ),
            if_missing=self.status(task_id, instrumental=True) if instrumental is None else None,
        )

    def song_task(
        self, name: str, path: str, body: Mapping[str, Any], *, model: str | None
    ) -> Operation[Generation]:
        """A paid POST that starts a song task, polled at ``/v1/song/query/{id}``.

        Args:
            name: The endpoint's method name (``"extend"``, ``"remix"``...).
            path: The endpoint's path after ``/v1``.
            body: The JSON body.
            model: The model asked for, used until an answer names the resolved one.
        """

        def read(task_id: str) -> Operation[Generation]:
            return self.status(task_id, instrumental=False)

        return self.operation(
            name,
            self.http_request("POST", path, json=dict(body)),
            lambda response: self.started(response, model=model, instrumental=False),
            paid=True,
            task=TaskSpec(read=read, result_type=Generation),
        )

    def multipart(
        self, path: str, fields: Mapping[str, str], file: tuple[str, bytes, str]
    ) -> httpx.Request:
        """A multipart POST of ``fields`` and one ``file`` (Mureka's uploads and clones).

        The body is read at once: the file is in memory already, and a read body gives the
        request a ``content`` that every attempt replays.
        """
        request = self.http_request("POST", path, data=dict(fields), files={"file": file})
        request.read()
        return request

    # -- arguments shared by several families --------------------------------------------------

    def file_id(self, value: object, field: str, purpose: str) -> str:
        """The id of a Mureka upload: a string, or an ``Upload`` made for ``purpose``.

        Mureka's file ids are purpose-bound ("can only be used in parameters that accept this
        purpose"), so an ``Upload`` of another purpose is refused here rather than by Mureka.

        Raises:
            ValidationError: Not an id, or an ``Upload`` of another purpose.
        """
        if isinstance(value, Upload):
            if value.purpose is not None and value.purpose != purpose:
                msg = (
                    f"{field} takes a file uploaded with purpose {purpose!r}; upload {value.id!r} "
                    f"has purpose {value.purpose!r}. Upload it again with purpose={purpose!r}"
                )
                raise ValidationError(msg, field=field)
            value = value.id
        if not isinstance(value, str) or not value.strip():
            msg = (
                f"{field} must be the id of a file uploaded with purpose {purpose!r} (the Upload "
                f"that upload(..., purpose={purpose!r}) returned, or its id), got {value!r}"
            )
            raise ValidationError(msg, field=field)
        return value.strip()

    def song_source(
        self,
        track: Track | Generation | str | None,
        upload_audio_id: str | Upload | None,
        *,
        purpose: str = "audio",
        track_field: str = "track",
        required: bool = True,
    ) -> tuple[dict[str, Any], Track | None]:
        """The ``song_id`` or ``upload_audio_id`` of a song-family request, and the track.

        Args:
            track: A song Mureka made (a Track, a Generation or its song id), or None.
            upload_audio_id: An upload of ``purpose`` instead, or None.
            purpose: The upload purpose the endpoint accepts (``"audio"``, or ``"remix"``).
            track_field: The argument's name for messages.
            required: False when the endpoint may take neither.

        Returns:
            The body fields, and the track when one was given (its duration may be known).

        Raises:
            ValidationError: Both or (when ``required``) neither are given.
        """
        if track is not None and upload_audio_id is not None:
            msg = (
                f"pass either {track_field} (a song Mureka made) or upload_audio_id (a file "
                f"uploaded with purpose {purpose!r}), not both"
            )
            raise ValidationError(msg, field="upload_audio_id")
        if upload_audio_id is not None:
            file_id = self.file_id(upload_audio_id, "upload_audio_id", purpose)
            return {"upload_audio_id": file_id}, None
        if track is None:
            if not required:
                return {}, None
            msg = (
                f"{track_field} is required: a song Mureka made (a Track, a Generation or its song "
                f"id), or pass upload_audio_id= with a file uploaded with purpose {purpose!r}"
            )
            raise ValidationError(msg, field=track_field)
        chosen = track_of(track, track_field)
        return {"song_id": chosen.id}, chosen

    # -- responses -----------------------------------------------------------------------------

    def started(
        self, response: httpx.Response, *, model: str | None, instrumental: bool | None
    ) -> Generation:
        """Read the new task from the answer of a POST that starts a song or instrumental.

        Raises:
            APIError: A subclass matching the HTTP error, or ``UnexpectedResponseError`` when the
                body has no task id or the wrong shape.
        """
        # Imported on first use: the wire models need cattrs, which `import musicgen` avoids.
        from ._mureka_wire import read_task, read_task_id
        from ._wire import WireError

        body = self._object(response)
        try:
            task_id = read_task_id(body)
        except WireError as error:
            self.unexpected(response, str(error), body)
        try:
            # Submit answers say "preparing"; a missing status must not lose a paid task's id,
            # so it becomes UNKNOWN (still polled) instead of an error. The answer's model is
            # the resolved one ("auto" comes back as e.g. "mureka-8").
            return read_task(
                body,
                task_id=task_id,
                model=model,
                instrumental=instrumental,
                status_required=False,
            )
        except WireError as error:
            self.unexpected(response, f"{error} (task id {task_id}: poll it to resume)", body)

    def _task(
        self, response: httpx.Response, task_id: str, instrumental: bool | None
    ) -> Generation:
        """Read a task's status and, once it has any, its tracks.

        Raises:
            APIError: A subclass matching the HTTP error, or ``UnexpectedResponseError`` when the
                body has the wrong shape.
        """
        from ._mureka_wire import read_task

        return self.read_answer(
            response,
            lambda body: read_task(
                body, task_id=task_id, model=None, instrumental=instrumental, status_required=True
            ),
        )

    def read_answer(self, response: httpx.Response, reader: Callable[[Any], T]) -> T:
        """Read a successful answer's JSON object with a wire reader.

        Raises:
            APIError: A subclass matching the HTTP error, or ``UnexpectedResponseError`` when the
                body is not an object or ``reader`` finds the wrong shape (naming its path).
        """
        from ._wire import WireError

        body = self._object(response)
        try:
            return reader(body)
        except WireError as error:
            self.unexpected(response, str(error), body)

    def _object(self, response: httpx.Response) -> dict[str, Any]:
        """The JSON object of a successful answer (Mureka has no envelope), or raise."""
        body = self.unwrap(response)
        if not isinstance(body, dict):
            kind = "null" if body is None else type(body).__name__
            self.unexpected(response, f"expected a JSON object, got {kind}", body)
        return body

    def unexpected(self, response: httpx.Response, detail: str, body: Any = None) -> NoReturn:
        """Raise ``UnexpectedResponseError`` with Mureka's trace id, masked."""
        trace_id = body.get("trace_id") if isinstance(body, dict) else None
        raise UnexpectedResponseError(
            self.redact(f"unreadable Mureka answer: {detail}"),
            provider=_PROVIDER,
            status_code=response.status_code,
            request_id=self.redact(trace_id) if isinstance(trace_id, str) else None,
            body=body,
        )

    def error_type(self, code: int, message: str, body: Any = None) -> type[APIError]:
        """Mureka's table: a 429 that speaks of quota or credits means out of credits, and a
        503 in Mureka's own error body is its "Engine overloaded" refusal."""
        if code == 503 and isinstance(body, dict) and "error" in body:
            # Mureka documents 503 "Engine overloaded" as an answer of its own API, in its own
            # error body (providers.md §2.6): the engine refused to take the request, so no task
            # was started, and a submission may be retried like after a rate limit. A 503
            # without that body comes from a gateway in front of Mureka, which may have passed
            # the request on: that stays ServiceUnavailableError, uncertain for a submission.
            return OverloadedError
        cls = super().error_type(code, message, body)
        if cls is RateLimitError and _QUOTA_WORDS.search(message):
            return InsufficientCreditsError
        return cls


def seconds_to_ms(value: object, field: str) -> int:
    """``value`` seconds as whole milliseconds for Mureka's wire.

    Raises:
        ValidationError: Not a finite, non-negative number of seconds.
    """
    # bool is an int subclass; at=True is a bug, not one second.
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        msg = f"{field} must be a number of seconds, got {type(value).__name__} {value!r}"
        raise ValidationError(msg, field=field)
    if not math.isfinite(value) or value < 0:
        msg = f"{field} must be a finite number of seconds from 0, got {value!r}"
        raise ValidationError(msg, field=field)
    return round(value * 1000)


def check_count(value: object, field: str, high: int) -> int:
    """``value`` as a count from 1 to ``high`` (each one is billed).

    Raises:
        ValidationError: Not an int in range (a bool is refused).
    """
    if isinstance(value, bool) or not isinstance(value, int):
        msg = f"{field} must be an int from 1 to {high}, got {type(value).__name__} {value!r}"
        raise ValidationError(msg, field=field)
    if not 1 <= value <= high:
        msg = (
            f"{field} is {value}; Mureka makes 1 to {high} songs per request and bills each one. "
            "Leave it out for Mureka's default, or pass a value in range"
        )
        raise ValidationError(msg, field=field)
    return value
