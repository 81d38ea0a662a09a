"""The sunoapi.org driver ("Suno-style" API): sans-I/O, its endpoints return operations.

It builds requests, validates inputs and reads the ``{code, msg, data}`` envelope and its error
codes; what ``data`` holds is read by typed wire models (``_suno_wire``). It never sends anything.

Wire facts this module relies on (see ``providers.md`` part 1):

* Every answer is an envelope ``{"code", "msg", "data"}``. Errors usually come back as HTTP 200
  with the error in ``code``, but plain HTTP errors (e.g. a bare 401) happen too, so both are read.
* Body code 429 means *out of credits*, not a rate limit; 405 and 430 are the rate limits.
* ``callBackUrl`` is required by the API even when the caller only polls, so a placeholder on a
  reserved domain is sent when nobody configured one.
* ``record-info`` differs from its docs: ``data`` can be null right after submit, ``response``
  is null while PENDING, ``param`` is a JSON-encoded *string*, ``createTime`` is epoch ms, tracks
  carry ``source*`` URLs, and callback-shaped items use snake_case. All variants are accepted.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, NoReturn

import httpx

from .._errors import (
    APIError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    InsufficientCreditsError,
    MaintenanceError,
    NotFoundError,
    RateLimitError,
    ServerError,
    UnexpectedResponseError,
    ValidationError,
)
from .._models import Balance, Generation, GenerationRequest, TaskStatus
from .._models_catalog import SUNO_CATALOG, ModelCatalog
from .._operations import Operation, TaskSpec
from ._base import ProviderBase, clean_text, parse_retry_after
from ._options import SunoOptions

__all__ = ["DEFAULT_BASE_URL", "PLACEHOLDER_CALLBACK_URL", "SunoProvider"]

#: Where sunoapi.org serves its API.
DEFAULT_BASE_URL = "https://api.sunoapi.org"

#: Sent as ``callBackUrl`` when none is configured. The API rejects a request without one, and
#: musicgen polls instead of listening, so it points at a reserved (RFC 2606) domain nobody owns.
PLACEHOLDER_CALLBACK_URL = "https://example.com/musicgen/suno-callback"

_PROVIDER = "suno"
_ENV_VARS = ("MUSICGEN_SUNO_API_KEY", "SUNO_API_KEY")
_API_PREFIX = "/api/v1"

# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------

# Body (or HTTP) code -> exception type, per providers.md §1.11. 429 is credits, not a rate limit.
_ERROR_TYPES: dict[int, type[APIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    404: NotFoundError,
    405: RateLimitError,
    409: BadRequestError,
    413: BadRequestError,
    429: InsufficientCreditsError,
    430: RateLimitError,
    455: MaintenanceError,
    500: ServerError,
}

# Used when the provider sent no text of its own (the docs' wording for each code).
_DEFAULT_MESSAGES = {
    400: "invalid parameters",
    401: "unauthorized access",
    404: "invalid request method or path",
    405: "rate limit exceeded",
    409: "conflict: the record already exists",
    413: "theme or prompt too long",
    429: "insufficient credits",
    430: "call frequency too high",
    455: "system maintenance",
    500: "server error",
}

_HINTS = {
    401: "check the API key: pass api_key= or set MUSICGEN_SUNO_API_KEY or SUNO_API_KEY",
    405: "rate limited: sunoapi.org accepts about 20 generate requests per 10 seconds; slow down",
    429: "out of Suno credits: top up at https://sunoapi.org; retrying will not help",
    430: "rate limited: sunoapi.org accepts about 20 generate requests per 10 seconds; slow down",
    455: "sunoapi.org is down for maintenance; try again later",
}


def _error_type(code: int, *, from_body: bool) -> type[APIError]:
    if not from_body and code == 429:
        # A bare HTTP 429 without a Suno envelope did not come from Suno's application layer
        # (which reports credits as body code 429); it is a gateway's ordinary rate limit.
        return RateLimitError
    if code in _ERROR_TYPES:
        return _ERROR_TYPES[code]
    if 400 <= code < 500:
        return BadRequestError
    if 500 <= code < 600:
        return ServerError
    return UnexpectedResponseError


def _as_int(value: Any) -> int | None:
    """Read a code that may be an int, an integral float or a numeric string; else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str):
            return int(value.strip())
    except (ValueError, OverflowError):
        return None
    return None


# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------


def _wire_options(options: Mapping[str, Any]) -> dict[str, Any]:
    """Check ``options`` (``SunoOptions`` rules) and return them under their wire names."""
    return SunoOptions.from_mapping(options).to_wire()


# --------------------------------------------------------------------------------------------
# The driver
# --------------------------------------------------------------------------------------------


class SunoProvider(ProviderBase):
    """The sunoapi.org driver. Pure: its endpoints return operations; it sends nothing.

    Args:
        api_key: The sunoapi.org key; defaults to ``MUSICGEN_SUNO_API_KEY``, then ``SUNO_API_KEY``.
        base_url: The API root. A trailing ``/api/v1`` is accepted and removed.
        callback_url: Sent as ``callBackUrl`` when a call sets none; defaults to
            ``PLACEHOLDER_CALLBACK_URL`` because the API insists on one.

    Raises:
        ConfigurationError: No API key anywhere, or a ``callback_url`` that is not http(s).
    """

    name = _PROVIDER
    catalog: ModelCatalog = SUNO_CATALOG
    #: Seconds sunoapi.org keeps generated files ("retained for 15 days"): cached results and
    #: journal entries expire with them.
    retention: float = 15 * 24 * 3600.0
    env_vars = _ENV_VARS
    default_base_url = DEFAULT_BASE_URL
    # Integrators often configure ".../api/v1" as the base; every path here adds it itself.
    api_prefix = _API_PREFIX

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str = DEFAULT_BASE_URL,
        callback_url: str | None = None,
    ) -> None:
        super().__init__(api_key=api_key, base_url=base_url)
        if callback_url is not None:
            try:
                callback_url = SunoOptions(callback_url=callback_url).callback_url
            except ValidationError as error:
                raise ConfigurationError(error.message) from None
        self.callback_url = callback_url

    # -- endpoints -----------------------------------------------------------------------------

    def generate(self, request: GenerationRequest) -> Operation[Generation]:
        """Start a paid generation (``POST /api/v1/generate``), polled with ``status``.

        Raises:
            ValidationError: See ``validate``; raised before any request exists.
        """
        body = self._generate_body(request)
        return self.operation(
            "generate",
            self.http_request("POST", "/generate", json=body),
            lambda response: self._submitted(response, request),
            paid=True,
            task=TaskSpec(read=self.status, result_type=Generation),
            key=request.fingerprint,  # computed only when a cache asks
        )

    def status(self, task_id: str, *, instrumental: bool | None = None) -> Operation[Generation]:
        """Read a music task (``GET /api/v1/generate/record-info``); ``instrumental`` is unused.

        Raises:
            ValidationError: ``task_id`` is empty.
        """
        if not isinstance(task_id, str) or not task_id.strip():
            msg = "task_id is empty: pass the id that submit returned (Generation.task_id)"
            raise ValidationError(msg, field="task_id")
        task_id = task_id.strip()
        return self.operation(
            "status",
            self.http_request("GET", "/generate/record-info", params={"taskId": task_id}),
            lambda response: self._record(response, task_id, instrumental),
            task=TaskSpec(read=self.status, task_id=task_id, result_type=Generation),
        )

    def balance(self) -> Operation[Balance]:
        """Read the remaining credits (``GET /api/v1/generate/credit``)."""
        return self.operation(
            "balance", self.http_request("GET", "/generate/credit"), self._credits
        )

    # -- validation ----------------------------------------------------------------------------

    def validate(self, request: GenerationRequest) -> None:
        """Check ``request`` against Suno's modes and the model's length limits.

        Raises:
            ValidationError: Names the field, the limit, the actual length, the model and the fix.
        """
        self._validated_options(request)

    def _validated_options(self, request: GenerationRequest) -> dict[str, Any]:
        """``validate``, returning the options under their wire names."""
        prompt = clean_text(request.prompt)
        lyrics = clean_text(request.lyrics)
        style = clean_text(request.style)
        title = clean_text(request.title)
        if style or title or lyrics:
            self._validate_custom(request, prompt=prompt, lyrics=lyrics, style=style, title=title)
        elif prompt is None:
            msg = (
                "Suno needs either prompt=... (simple mode: a description of the song, lyrics "
                "are written for you) or style=... and title=... (custom mode, with lyrics=... "
                "unless instrumental=True)"
            )
            raise ValidationError(msg, field="prompt")
        else:
            self.catalog.check_length(request.model, "prompt", prompt)
        return _wire_options(request.options)

    def _validate_custom(
        self,
        request: GenerationRequest,
        *,
        prompt: str | None,
        lyrics: str | None,
        style: str | None,
        title: str | None,
    ) -> None:
        if prompt is not None:
            msg = (
                "Suno custom mode (style, title or lyrics given) has no separate description: "
                "put the words to sing in lyrics= and the sound in style=, and drop prompt=. "
                "For simple mode pass only prompt=..."
            )
            raise ValidationError(msg, field="prompt")
        if request.instrumental and lyrics is not None:
            msg = (
                "instrumental=True cannot have lyrics: drop lyrics= for an instrumental, or set "
                "instrumental=False to have them sung"
            )
            raise ValidationError(msg, field="lyrics")
        for field, value in (("style", style), ("title", title)):
            if value is None:
                msg = (
                    f"Suno custom mode (style, title or lyrics given) requires {field}=...; "
                    "pass style= and title= together, or use only prompt=... for simple mode"
                )
                raise ValidationError(msg, field=field)
        if lyrics is None and not request.instrumental:
            msg = (
                "Suno custom mode requires lyrics=... (the words to sing) unless "
                "instrumental=True; or use only prompt=... to have lyrics written for you"
            )
            raise ValidationError(msg, field="lyrics")
        for field, value in (("lyrics", lyrics), ("style", style), ("title", title)):
            if value is not None:
                self.catalog.check_length(request.model, field, value)

    def _generate_body(self, request: GenerationRequest) -> dict[str, Any]:
        options = self._validated_options(request)
        lyrics = clean_text(request.lyrics)
        style = clean_text(request.style)
        title = clean_text(request.title)
        custom = bool(style or title or lyrics)
        body: dict[str, Any] = {
            "customMode": custom,
            "instrumental": request.instrumental,
            "model": request.model,
            # Required by the API; a per-call option wins over the constructor's setting.
            "callBackUrl": options.pop("callBackUrl", None)
            or self.callback_url
            or PLACEHOLDER_CALLBACK_URL,
        }
        if custom:
            # In custom mode Suno sings `prompt` verbatim, so the lyrics travel as `prompt`.
            if lyrics is not None:
                body["prompt"] = lyrics
            body["style"] = style
            body["title"] = title
        else:
            body["prompt"] = clean_text(request.prompt)
        body.update(options)
        return body

    # -- responses -----------------------------------------------------------------------------

    def unwrap(self, response: httpx.Response) -> Any:
        """Return the ``data`` of a successful envelope, or raise the error it stands for.

        Raises:
            APIError: The matching subclass for the body ``code`` or, failing that, HTTP status.
            UnexpectedResponseError: A 2xx answer that is not a Suno envelope.
        """
        return self._envelope(response).get("data")

    def _unexpected(self, response: httpx.Response, what: str, body: Any = None) -> NoReturn:
        self.unexpected(response, what, body)

    def _envelope(self, response: httpx.Response, *, reads_task: bool = False) -> dict[str, Any]:
        try:
            body: Any = json.loads(response.content)
            decoded = True
        except (ValueError, UnicodeDecodeError, RecursionError):
            body, decoded = None, False
        envelope = body if isinstance(body, dict) else None
        code = _as_int(envelope.get("code")) if envelope is not None else None

        if not response.is_success:
            if code is not None and code != 200:
                self._raise_for_code(
                    response, code, envelope, from_body=True, reads_task=reads_task
                )
            self._raise_for_code(response, response.status_code, envelope, from_body=False)
        if not decoded:
            snippet = response.content[:120].decode("utf-8", "replace")
            self._unexpected(response, f"the response is not valid JSON (starts with {snippet!r})")
        if envelope is None:
            self._unexpected(
                response, f"expected a JSON object envelope, got {type(body).__name__}", body
            )
        if code is None:
            self._unexpected(
                response, f"the envelope has no usable code (got {envelope.get('code')!r})", body
            )
        if code != 200:
            self._raise_for_code(response, code, envelope, from_body=True, reads_task=reads_task)
        return envelope

    def _raise_for_code(
        self,
        response: httpx.Response,
        code: int,
        envelope: dict[str, Any] | None,
        *,
        from_body: bool,
        reads_task: bool = False,
    ) -> NoReturn:
        msg = clean_text(envelope.get("msg")) if envelope is not None else None
        body_code = _as_int(envelope.get("code")) if envelope is not None else None
        if msg is None and envelope is None:
            # A plain-text or HTML error page: a short excerpt is the best explanation there is.
            excerpt = response.content[:120].decode("utf-8", "replace").strip()
            msg = excerpt or clean_text(response.reason_phrase)
        message = self.redact(msg) if msg else _DEFAULT_MESSAGES.get(code, f"error code {code}")
        if code in _HINTS and not (code == 429 and not from_body):
            message = f"{message} ({_HINTS[code]})"
        error_type = _error_type(code, from_body=from_body)
        if reads_task and code == 400:
            # A status read sends one parameter, a task id that was checked to be non-empty:
            # a parameter error can only mean that sunoapi.org knows no such task.
            error_type = NotFoundError
        raise error_type(
            message,
            provider=_PROVIDER,
            status_code=response.status_code,
            code=body_code,
            retry_after=parse_retry_after(response.headers),
            body=envelope,
        )

    def _submitted(self, response: httpx.Response, request: GenerationRequest) -> Generation:
        """Read the new task's id from the ``generate`` answer.

        Raises:
            APIError: The provider refused the submission.
            UnexpectedResponseError: No ``data.taskId`` (a task may still have been started).
        """
        # Imported on first use: the wire models need cattrs, which `import musicgen` avoids.
        from ._suno_wire import read_submit
        from ._wire import WireError

        body = self._envelope(response)
        try:
            task_id = read_submit(body.get("data"))
        except WireError as error:
            self._unexpected(
                response,
                f"the generate answer has no data.taskId ({error}); the provider may still have "
                "started (and charged for) a task: check your sunoapi.org dashboard before "
                "resubmitting",
                body,
            )
        return Generation(
            task_id=task_id,
            provider=_PROVIDER,
            model=request.model,
            status=TaskStatus.QUEUED,
            provider_status="PENDING",
            instrumental=request.instrumental,
            raw=body,
        )

    def _record(
        self, response: httpx.Response, task_id: str, instrumental: bool | None
    ) -> Generation:
        """Read a ``record-info`` answer: the status, the tracks so far, and any failure reason.

        Raises:
            APIError: The provider answered with an error code (400: no such task).
            UnexpectedResponseError: The record has the wrong shape; the message names where.
        """
        from ._suno_wire import read_record
        from ._wire import WireError

        body = self._envelope(response, reads_task=True)
        try:
            return read_record(
                body.get("data"), task_id=task_id, instrumental=instrumental, raw=body
            )
        except WireError as error:
            self._unexpected(response, f"unreadable record-info answer: {error}", body)

    def _credits(self, response: httpx.Response) -> Balance:
        """Read the remaining credits (``data`` is a number).

        Raises:
            APIError: The provider answered with an error code.
            UnexpectedResponseError: ``data`` is not a number.
        """
        from ._suno_wire import read_credits
        from ._wire import WireError

        body = self._envelope(response)
        try:
            amount = read_credits(body.get("data"))
        except WireError as error:
            self._unexpected(response, f"data should be the number of credits ({error})", body)
        return Balance(provider=_PROVIDER, amount=amount, unit="credits", raw=body)
