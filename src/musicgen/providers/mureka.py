"""The Mureka driver (https://api.mureka.ai): sans-I/O, its endpoints return operations.

``MurekaProvider`` builds requests, validates inputs and reads error answers; the payloads of
successful answers are typed wire models (``_mureka_wire``). It never sends anything. What it
knows about the wire format (see ``providers.md`` PART 2):

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
from .._models import Balance, Generation, GenerationRequest
from .._models_catalog import MUREKA_CATALOG, ModelCatalog, ModelInfo
from .._operations import Operation, TaskSpec
from ._base import ProviderBase, clean_text
from ._options import MurekaOptions

__all__ = ["MurekaProvider"]

_PROVIDER = "mureka"
_DEFAULT_BASE_URL = "https://api.mureka.ai"
_ENV_VARS = ("MUSICGEN_MUREKA_API_KEY", "MUREKA_API_KEY")

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
            key=request.fingerprint,  # computed only when a cache asks
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
        if clean_text(request.title) is not None:
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
        has_prompt = clean_text(request.prompt) is not None
        has_style = clean_text(request.style) is not None
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
        lyrics = clean_text(request.lyrics)
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
        if clean_text(request.lyrics) is not None:
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
            body["lyrics"] = clean_text(request.lyrics)
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
                model=request.model,
                instrumental=request.instrumental,
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
        from ._wire import WireError

        body = self._object(response)
        try:
            return read_task(
                body, task_id=task_id, model=None, instrumental=instrumental, status_required=True
            )
        except WireError as error:
            self.unexpected(response, str(error), body)

    def _billing(self, response: httpx.Response) -> Balance:
        """Read ``/v1/account/billing``: the balance is in US cents.

        Raises:
            APIError: A subclass matching the HTTP error, or ``UnexpectedResponseError`` when
                ``balance`` is missing or not a number.
        """
        from ._mureka_wire import read_billing
        from ._wire import WireError

        body = self._object(response)
        try:
            return read_billing(body)
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


# -- request helpers --------------------------------------------------------------------------


def _merged_prompt(request: GenerationRequest) -> str | None:
    # Mureka has no style field, so style rides along in the prompt.
    parts = [p for p in (clean_text(request.prompt), clean_text(request.style)) if p is not None]
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
