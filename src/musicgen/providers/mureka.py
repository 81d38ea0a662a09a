"""The Mureka driver (https://api.mureka.ai): a sans-I/O translation of requests and answers.

``MurekaProvider`` builds ``httpx.Request`` values and reads ``httpx.Response`` values; it never
sends anything. What it knows about the wire format (see ``providers.md`` PART 2):

- No envelope: success bodies are the bare task object ``{id, created_at, model, status, ...}``.
  Errors are HTTP statuses >= 400 with ``{"error": {"message": ...}, "trace_id": ...}``; 429 is
  either a rate limit or an exhausted quota, told apart only by the message text.
- Songs and instrumentals live under different paths, for submitting and for polling alike.
- Mureka has no style or title field; ``style`` is folded into ``prompt``, ``title`` is refused.
- Live responses differ from the docs: the first choice may lack ``index``, 2025-era choices lack
  ``id`` and ``wav_url``, ``duration`` is in milliseconds, and ``finished_at`` is absent or 0
  before the task finishes. Every variant is accepted; unknown fields are ignored.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any, NoReturn
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
from .._models import Balance, Generation, GenerationRequest, TaskStatus, Track
from .._models_catalog import MUREKA_CATALOG, ModelCatalog, ModelInfo
from .._operations import Operation, TaskSpec
from ._base import ProviderBase, read_json
from ._options import MurekaOptions

__all__ = ["MurekaProvider"]

_PROVIDER = "mureka"
_DEFAULT_BASE_URL = "https://api.mureka.ai"
_ENV_VARS = ("MUSICGEN_MUREKA_API_KEY", "MUREKA_API_KEY")

# Explicit on purpose: an undocumented status (third-party docs invent "processing" and
# "completed") must become UNKNOWN, which keeps polling, rather than be guessed at.
_STATUSES: Mapping[str, TaskStatus] = {
    "preparing": TaskStatus.PREPARING,
    "queued": TaskStatus.QUEUED,
    "running": TaskStatus.RUNNING,
    "streaming": TaskStatus.STREAMING,
    "reviewing": TaskStatus.REVIEWING,
    "succeeded": TaskStatus.SUCCEEDED,
    "failed": TaskStatus.FAILED,
    "timeouted": TaskStatus.TIMED_OUT,
    "cancelled": TaskStatus.CANCELLED,
}

# What to say when Mureka ends a task in failure without a failed_reason.
_DEFAULT_FAILURE_REASONS: Mapping[TaskStatus, str] = {
    TaskStatus.FAILED: "Mureka reported the task as failed without giving a reason",
    TaskStatus.TIMED_OUT: "the task timed out at Mureka",
    TaskStatus.CANCELLED: "the task was cancelled at Mureka",
}

_NO_AUDIO = "succeeded without any audio"

# Options a request may carry, with where they apply. Everything else is refused by name.
_SONG_ONLY_OPTIONS = ("reference_id", "vocal_id", "melody_id")
_INSTRUMENTAL_ONLY_OPTIONS = ("instrumental_id",)

# Fine-tuned models ("lora:...") accept only prompt or reference_id control [doc].
_LORA_UNSUPPORTED = frozenset({"vocal_id", "melody_id"})

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


class _Malformed(Exception):
    """Internal: the body has the wrong shape. Turned into ``UnexpectedResponseError``."""


class MurekaProvider(ProviderBase):
    """The Mureka API as a sans-I/O provider: its endpoints return operations.

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
    default_base_url = _DEFAULT_BASE_URL
    api_prefix = "/v1"

    def __init__(self, *, api_key: str | None = None, base_url: str = _DEFAULT_BASE_URL) -> None:
        super().__init__(api_key=api_key, base_url=base_url)

    def __repr__(self) -> str:
        # Never the key: reprs end up in logs, tracebacks and Sentry events.
        return f"MurekaProvider(base_url={self.base_url!r})"

    # -- endpoints ----------------------------------------------------------------------------

    def generate(self, request: GenerationRequest) -> Operation[Generation]:
        """Start a paid song (``/v1/song/generate``) or instrumental (``/v1/instrumental/...``).

        Raises:
            ValidationError: See ``validate``; raised before any request exists.
        """
        self.validate(request)
        instrumental = request.instrumental

        def read(task_id: str) -> Operation[Generation]:
            return self.status(task_id, instrumental=instrumental)

        return self.operation(
            "generate",
            self._submit_request(request),
            lambda response: self._submitted(response, request),
            paid=True,
            task=TaskSpec(read=read, result_type=Generation),
            key=request.fingerprint(),
        )

    def status(self, task_id: str, *, instrumental: bool | None = None) -> Operation[Generation]:
        """Read a song task, or an instrumental one (``instrumental=True``).

        Songs and instrumentals live under different paths. With ``instrumental=None`` (a bare
        task id) the song path is read first and the instrumental one when that says 404.

        Raises:
            ValidationError: ``task_id`` is empty.
        """
        if not isinstance(task_id, str) or not task_id.strip():
            msg = f"task_id must be a non-empty string, got {task_id!r}"
            raise ValidationError(msg, field="task_id")
        task_id = task_id.strip()
        kind = "instrumental" if instrumental else "song"
        # Quoted so an odd id can never step into another path.
        request = self.http_request("GET", f"/{kind}/query/{quote(task_id, safe='')}")

        def read(next_id: str) -> Operation[Generation]:
            return self.status(next_id, instrumental=instrumental)

        return self.operation(
            "status",
            request,
            lambda response: self._task(response, task_id, instrumental),
            task=TaskSpec(read=read, task_id=task_id, result_type=Generation),
            if_missing=self.status(task_id, instrumental=True) if instrumental is None else None,
        )

    def balance(self) -> Operation[Balance]:
        """Read the account's billing summary (balance in US cents)."""
        return self.operation(
            "balance", self.http_request("GET", "/account/billing"), self._billing
        )

    # -- validation ---------------------------------------------------------------------------

    def validate(self, request: GenerationRequest) -> None:
        """Check ``request`` against Mureka's rules before anything is sent.

        Raises:
            ValidationError: A field or option is missing, too long, of the wrong type, not
                supported by the model, or combined with one it excludes. The message names
                the field, the limit, the model and the fix.
        """
        model = request.model
        info = self.catalog.get(model)
        if _text(request.title) is not None:
            msg = (
                f"title is not supported by Mureka (model {model!r}): its API has no title "
                "field and returns no title. Leave title out"
            )
            raise ValidationError(msg, field="title")
        self._validate_options(request, info)
        self._validate_prompt_length(request, info)
        if request.instrumental:
            self._validate_instrumental(request)
        else:
            self._validate_song(request, info)

    def _validate_options(self, request: GenerationRequest, info: ModelInfo) -> None:
        model = request.model
        unsupported = info.unsupported
        if model.startswith("lora:"):
            unsupported = unsupported | _LORA_UNSUPPORTED
        # Names and types first (MurekaOptions), then what depends on the model.
        present = _present_options(request)
        for key, value in present.items():
            if key in unsupported:
                msg = (
                    f"model {model!r} does not support the option {key!r}. Remove {key} or "
                    "choose a model that supports it"
                )
                raise ValidationError(msg, field=key)
            if key == "n":
                _check_n(value, info)  # the model's own limit

    def _validate_prompt_length(self, request: GenerationRequest, info: ModelInfo) -> None:
        prompt = _merged_prompt(request)
        limit = info.limits.get("prompt")
        if prompt is None or limit is None or len(prompt) <= limit:
            return
        model = request.model
        has_prompt = _text(request.prompt) is not None
        has_style = _text(request.style) is not None
        if has_prompt and has_style:
            msg = (
                f"prompt and style are sent together as Mureka's prompt ('prompt, style'), which "
                f"is {len(prompt)} characters; model {model!r} allows at most {limit}. Shorten "
                "prompt or style"
            )
            raise ValidationError(msg, field="prompt")
        field = "style" if has_style else "prompt"
        msg = (
            f"{field} is {len(prompt)} characters; model {model!r} allows at most {limit} "
            f"for Mureka's prompt. Shorten {field}"
        )
        raise ValidationError(msg, field=field)

    def _validate_song(self, request: GenerationRequest, info: ModelInfo) -> None:
        model = request.model
        lyrics = _text(request.lyrics)
        if lyrics is None:
            msg = (
                f"Mureka songs need lyrics (model {model!r}); Mureka answers 'The lyrics are "
                "empty' without them. Pass lyrics=..., or instrumental=True for music without "
                "vocals"
            )
            raise ValidationError(msg, field="lyrics")
        limit = info.limits.get("lyrics")
        if limit is not None and len(lyrics) > limit:
            msg = (
                f"lyrics are {len(lyrics)} characters; model {model!r} allows at most {limit}. "
                "Shorten the lyrics"
            )
            raise ValidationError(msg, field="lyrics")
        options = _present_options(request)
        for key in _INSTRUMENTAL_ONLY_OPTIONS:
            if key in options:
                msg = f"{key} only applies to instrumentals. Pass instrumental=True or remove {key}"
                raise ValidationError(msg, field=key)
        if "melody_id" in options:
            # Mureka refuses a melody combined with any other control.
            others: list[str] = [k for k in ("reference_id", "vocal_id") if k in options]
            if _merged_prompt(request) is not None:
                others.insert(0, "prompt/style")
            if others:
                msg = (
                    f"melody_id cannot be combined with {', '.join(others)} (model {model!r}). "
                    "Use the melody alone, or remove melody_id"
                )
                raise ValidationError(msg, field="melody_id")

    def _validate_instrumental(self, request: GenerationRequest) -> None:
        model = request.model
        if _text(request.lyrics) is not None:
            msg = (
                f"instrumentals have no vocals, so lyrics are not allowed (model {model!r}). "
                "Remove lyrics, or pass instrumental=False for a song"
            )
            raise ValidationError(msg, field="lyrics")
        options = _present_options(request)
        for key in _SONG_ONLY_OPTIONS:
            if key in options:
                msg = (
                    f"{key} only applies to songs, not instrumentals. Remove {key}, or pass "
                    "instrumental=False"
                )
                raise ValidationError(msg, field=key)
        has_prompt = _merged_prompt(request) is not None
        if has_prompt and "instrumental_id" in options:
            msg = (
                "an instrumental takes either a prompt (or style) or instrumental_id, not both "
                f"(model {model!r}). Remove one of them"
            )
            raise ValidationError(msg, field="instrumental_id")
        if not has_prompt and "instrumental_id" not in options:
            msg = (
                f"an instrumental needs a prompt (or style) describing the music, or an "
                f"instrumental_id option (model {model!r}). Pass prompt=..."
            )
            raise ValidationError(msg, field="prompt")

    # -- requests -----------------------------------------------------------------------------

    def _submit_request(self, request: GenerationRequest) -> httpx.Request:
        options = _present_options(request)
        body: dict[str, Any] = {}
        if request.instrumental:
            path = "/instrumental/generate"
            body["model"] = request.model
            prompt = _merged_prompt(request)
            if prompt is not None:
                body["prompt"] = prompt
            elif "instrumental_id" in options:
                body["instrumental_id"] = options["instrumental_id"]
            keys: Sequence[str] = ("n", "stream")
        else:
            path = "/song/generate"
            body["lyrics"] = _text(request.lyrics)
            body["model"] = request.model
            prompt = _merged_prompt(request)
            if prompt is not None:
                body["prompt"] = prompt
            keys = ("n", *_SONG_ONLY_OPTIONS, "stream")
        for key in keys:
            if key in options:
                body[key] = options[key]
        return self.http_request("POST", path, json=body)

    # -- responses ----------------------------------------------------------------------------

    def _submitted(self, response: httpx.Response, request: GenerationRequest) -> Generation:
        """Read the new task from a generate call's answer.

        Raises:
            APIError: A subclass matching the HTTP error, or ``UnexpectedResponseError`` when the
                body has no task id or the wrong shape.
        """
        body = self._success_body(response)
        try:
            task_id = _task_id(body)
        except _Malformed as exc:
            self._unexpected(response, body, str(exc))
        try:
            # Submit answers say "preparing"; a missing status must not lose a paid task's id,
            # so it becomes UNKNOWN (still polled) instead of an error. The answer's model is
            # the resolved one ("auto" comes back as e.g. "mureka-8").
            return _generation(
                body,
                task_id,
                model=_opt_str(body, "model", default=request.model),
                instrumental=request.instrumental,
                status_required=False,
            )
        except _Malformed as exc:
            self._unexpected(response, body, f"{exc} (task id {task_id}: poll it to resume)")

    def _task(
        self, response: httpx.Response, task_id: str, instrumental: bool | None
    ) -> Generation:
        """Read a task's status and, once it has any, its tracks.

        Raises:
            APIError: A subclass matching the HTTP error, or ``UnexpectedResponseError`` when the
                body has the wrong shape.
        """
        body = self._success_body(response)
        try:
            return _generation(
                body,
                task_id,
                model=_opt_str(body, "model"),
                instrumental=instrumental,
                status_required=True,
            )
        except _Malformed as exc:
            self._unexpected(response, body, str(exc))

    def _billing(self, response: httpx.Response) -> Balance:
        """Read ``/v1/account/billing``: the balance is in US cents.

        Raises:
            APIError: A subclass matching the HTTP error, or ``UnexpectedResponseError`` when
                ``balance`` is missing or not a number.
        """
        body = self._success_body(response)
        try:
            amount = _number(body.get("balance"), "balance")
        except _Malformed as exc:
            self._unexpected(response, body, str(exc))
        if amount is None:
            self._unexpected(response, body, "the billing answer has no balance")
        return Balance(provider=_PROVIDER, amount=amount, unit="cents", raw=body)

    def _success_body(self, response: httpx.Response) -> dict[str, Any]:
        """Raise the matching ``APIError`` for an error answer, else return the JSON object."""
        if response.status_code >= 400:
            raise self._api_error(response)
        if not 200 <= response.status_code < 300:
            self._unexpected(response, None, f"unexpected HTTP {response.status_code}")
        try:
            body = read_json(response, _PROVIDER)
        except UnexpectedResponseError as exc:
            # Re-raised through _unexpected so the quoted snippet is redacted too.
            self._unexpected(response, None, exc.message)
        except RecursionError:
            self._unexpected(response, None, "the JSON is nested too deeply to read")
        if not isinstance(body, dict):
            self._unexpected(response, body, f"expected a JSON object, got {_kind(body)}")
        return body

    def _unexpected(self, response: httpx.Response, body: Any, detail: str) -> NoReturn:
        trace_id = body.get("trace_id") if isinstance(body, dict) else None
        raise UnexpectedResponseError(
            self.redact(f"unreadable Mureka answer: {detail}"),
            provider=_PROVIDER,
            status_code=response.status_code,
            request_id=trace_id if isinstance(trace_id, str) else None,
            body=body,
        )

    def error_type(self, code: int, message: str) -> type[APIError]:
        """Mureka's table, where a 429 that speaks of quota or credits means out of credits."""
        cls = super().error_type(code, message)
        if cls is RateLimitError and _QUOTA_WORDS.search(message):
            return InsufficientCreditsError
        return cls

    def _api_error(self, response: httpx.Response) -> APIError:
        """Turn an HTTP error answer into the matching ``APIError`` subclass."""
        status = response.status_code
        body: Any
        try:
            body = json.loads(response.content)
        except (ValueError, UnicodeDecodeError, RecursionError):
            # Proxies answer with HTML or plain text; an excerpt is the best explanation.
            body = response.content[:1000].decode("utf-8", "replace")
        message, trace_id = _error_details(body)
        if not message:
            message = response.reason_phrase or f"HTTP {status}"
        cls: type[APIError] | None = None
        if status == 503 and isinstance(body, dict) and "error" in body:
            # Mureka documents 503 "Engine overloaded" as an answer of its own API, in its own
            # error body (providers.md §2.6): the engine refused to take the request, so no task
            # was started, and a submission may be retried like after a rate limit. A 503
            # without that body comes from a gateway in front of Mureka, which may have passed
            # the request on: that stays ServiceUnavailableError, uncertain for a submission.
            cls = OverloadedError
        return self.error_for(response, status, message, body=body, request_id=trace_id, cls=cls)


# -- request helpers --------------------------------------------------------------------------


def _text(value: object) -> str | None:
    """Return ``value`` stripped, or None when it is missing, not a string, or blank."""
    if not isinstance(value, str):
        return None
    stripped = value.strip()
    return stripped or None


def _merged_prompt(request: GenerationRequest) -> str | None:
    # Mureka has no style field, so style rides along in the prompt.
    parts = [p for p in (_text(request.prompt), _text(request.style)) if p is not None]
    return ", ".join(parts) or None


def _present_options(request: GenerationRequest) -> dict[str, Any]:
    """The options given (checked as ``MurekaOptions``): None and blank strings are absent.

    Raises:
        ValidationError: An unknown option or a value of the wrong type.
    """
    return MurekaOptions.from_mapping(request.options).present()


def _check_n(value: object, info: ModelInfo) -> None:
    high = info.limits.get("n", 3)
    # bool is an int subclass; n=True is a bug, not one song.
    if isinstance(value, bool) or not isinstance(value, int):
        msg = f"n must be an int from 1 to {high}, got {type(value).__name__} {value!r}"
        raise ValidationError(msg, field="n")
    if not 1 <= value <= high:
        msg = (
            f"n is {value}; model {info.id!r} makes 1 to {high} songs per request. Each song is "
            "billed, so leave n out for Mureka's default of 2, or pass a value in range"
        )
        raise ValidationError(msg, field="n")


# -- response helpers -------------------------------------------------------------------------


def _error_details(body: Any) -> tuple[str, str | None]:
    """Return the message and trace id of any error body shape Mureka (or a proxy) sends."""
    if isinstance(body, str):
        return body.strip()[:300], None
    if not isinstance(body, dict):
        return "", None
    trace = body.get("trace_id")
    trace_id = str(trace) if isinstance(trace, (str, int)) and not isinstance(trace, bool) else None
    error = body.get("error")
    candidates = [
        error.get("message") if isinstance(error, dict) else error,
        body.get("message"),
        body.get("detail"),
    ]
    for candidate in (*candidates, error):
        if isinstance(candidate, str) and candidate.strip():
            return candidate.strip(), trace_id
        if candidate is not None and not isinstance(candidate, str):
            # FastAPI-style {"detail": [...]} and other structures: keep them readable.
            try:
                return json.dumps(candidate, default=str)[:300], trace_id
            except (RecursionError, ValueError):
                return "an unreadable error structure", trace_id
    return "", trace_id


def _kind(value: object) -> str:
    return "null" if value is None else type(value).__name__


def _task_id(body: Mapping[str, Any]) -> str:
    value = body.get("id")
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if value is None:
        raise _Malformed("the answer has no task id ('id')")
    raise _Malformed(f"the task id 'id' is {_kind(value)} {value!r}")


def _opt_str(
    obj: Mapping[str, Any], key: str, where: str = "", *, default: str | None = None
) -> str | None:
    """Read an optional string; blank counts as missing, a non-string is malformed."""
    value = obj.get(key)
    if value is None:
        return default
    if not isinstance(value, str):
        raise _Malformed(f"{where}{key} should be a string, got {_kind(value)}")
    return value.strip() or default


def _number(value: object, what: str) -> float | None:
    """Read a finite number given as int, float or numeric string; None stays None."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise _Malformed(f"{what} should be a number, got bool")
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            raise _Malformed(f"{what} should be a number, got {value[:40]!r}") from None
    elif isinstance(value, (int, float)):
        try:
            number = float(value)
        except OverflowError:
            raise _Malformed(f"{what} is out of range") from None
    else:
        raise _Malformed(f"{what} should be a number, got {_kind(value)}")
    if not math.isfinite(number):
        raise _Malformed(f"{what} is not a finite number")
    return number


def _generation(
    body: Mapping[str, Any],
    task_id: str,
    *,
    model: str | None,
    instrumental: bool | None,
    status_required: bool,
) -> Generation:
    raw_status = body.get("status")
    if raw_status is None and not status_required:
        raw_status = ""
    if not isinstance(raw_status, str):
        raise _Malformed(f"status should be a string, got {_kind(raw_status)}")
    status = _STATUSES.get(raw_status.strip().lower(), TaskStatus.UNKNOWN)
    tracks = _tracks(body.get("choices"), task_id)
    error: str | None = None
    if status.is_failure:
        error = _opt_str(body, "failed_reason") or _DEFAULT_FAILURE_REASONS[status]
    elif status is TaskStatus.SUCCEEDED and not any(_has_audio(t) for t in tracks):
        # Like the official MCP: "succeeded" with nothing to download is a failure to the user.
        status, error = TaskStatus.FAILED, _NO_AUDIO
    return Generation(
        task_id=task_id,
        provider=_PROVIDER,
        model=model,
        status=status,
        provider_status=raw_status,
        tracks=tracks,
        error=error,
        instrumental=instrumental,
        raw=body,
    )


def _has_audio(track: Track) -> bool:
    # A stream_url alone expires minutes after the task ends, so it does not count as audio.
    return any((track.audio_url, track.flac_url, track.wav_url))


def _tracks(choices: object, task_id: str) -> tuple[Track, ...]:
    if choices is None:
        return ()
    if not isinstance(choices, list):
        raise _Malformed(f"choices should be a list, got {_kind(choices)}")
    return tuple(_track(choice, position, task_id) for position, choice in enumerate(choices))


def _track(choice: object, position: int, task_id: str) -> Track:
    where = f"choices[{position}]."
    if not isinstance(choice, dict):
        raise _Malformed(f"choices[{position}] should be an object, got {_kind(choice)}")
    # Live answers leave "index" out of the first choice, so fall back to the position.
    index = choice.get("index")
    if index is None:
        index = position
    elif isinstance(index, bool) or not isinstance(index, int):
        raise _Malformed(f"{where}index should be an int, got {_kind(index)}")
    # 2025-era answers have no choice id; the task id plus index is stable and unique.
    raw_id = choice.get("id")
    if raw_id is None or (isinstance(raw_id, str) and not raw_id.strip()):
        track_id = f"{task_id}-{index}"
    elif isinstance(raw_id, str):
        track_id = raw_id.strip()
    elif isinstance(raw_id, int) and not isinstance(raw_id, bool):
        track_id = str(raw_id)
    else:
        raise _Malformed(f"{where}id should be a string, got {_kind(raw_id)}")
    millis = _number(choice.get("duration"), f"{where}duration")
    return Track(
        id=track_id,
        index=index,
        audio_url=_opt_str(choice, "url", where),
        flac_url=_opt_str(choice, "flac_url", where),
        wav_url=_opt_str(choice, "wav_url", where),
        stream_url=_opt_str(choice, "stream_url", where),
        duration=None if millis is None else millis / 1000,
        lyrics=_lyrics(choice.get("lyrics_sections"), where),
    )


def _lyrics(sections: object, where: str) -> str | None:
    """Join the text of every timed line; sections without ``lines`` (an intro) add nothing."""
    if sections is None:
        return None
    if not isinstance(sections, list):
        raise _Malformed(f"{where}lyrics_sections should be a list, got {_kind(sections)}")
    texts: list[str] = []
    for s, section in enumerate(sections):
        here = f"{where}lyrics_sections[{s}]"
        if not isinstance(section, dict):
            raise _Malformed(f"{here} should be an object, got {_kind(section)}")
        lines = section.get("lines")
        if lines is None:
            continue
        if not isinstance(lines, list):
            raise _Malformed(f"{here}.lines should be a list, got {_kind(lines)}")
        for n, line in enumerate(lines):
            if not isinstance(line, dict):
                raise _Malformed(f"{here}.lines[{n}] should be an object, got {_kind(line)}")
            text = line.get("text")
            if text is None:
                continue
            if not isinstance(text, str):
                raise _Malformed(f"{here}.lines[{n}].text should be a string, got {_kind(text)}")
            texts.append(text)
    return "\n".join(texts) or None
