"""What every sunoapi.org endpoint shares: the key, the hosts, the envelope and its error codes.

``SunoBase`` holds it; the endpoint families build on it (``_suno_music``, ``_suno_tasks``,
``_suno_files``) and ``SunoProvider`` joins them. Nothing here sends anything.

Wire facts relied on (``providers.md`` part 1, ``endpoints.md`` §1.0):

* Every answer is an envelope ``{"code", "msg", "data"}``. Errors usually come back as HTTP 200
  with the error in ``code``, but plain HTTP errors (e.g. a bare 401) happen too, so both are read.
* Body code 429 means *out of credits*, not a rate limit; 405 and 430 are the rate limits.
* ``callBackUrl`` is required by most endpoints even when the caller only polls, so a placeholder
  on a reserved domain is sent when nobody configured one.
* Every task endpoint answers its submission with ``data.taskId`` and nothing else.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from typing import Any, NoReturn, Protocol, TypeVar

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
from .._models_catalog import SUNO_CATALOG, ModelCatalog
from .._operations import Operation, TaskSpec
from .._polling import NEUTRAL, Stage, Timeline, documented_at
from ._base import ProviderBase, clean_text, parse_retry_after
from ._options import SunoOptions

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_UPLOAD_BASE_URL",
    "MUSIC_TIMELINE",
    "PLACEHOLDER_CALLBACK_URL",
    "CallbackMinter",
    "SunoBase",
]

T = TypeVar("T")

#: Body fields that carry the callback URL (``calBackUrl``: the voice endpoint's own spelling).
_CALLBACK_FIELDS = frozenset({"callBackUrl", "calBackUrl"})


class CallbackMinter(Protocol):
    """What mints per-submission callback URLs (``musicgen.callbacks.CallbackAuth``)."""

    def url(self, base_url: str, *, family: str = "music") -> str:
        """``base_url`` with a token for one submission of ``family``."""


def request_key(provider: str, name: str, path: str, body: Mapping[str, Any]) -> str:
    """What identifies an identical task submission (journal, single flight): the body without
    its callback URL, which may carry a token minted afresh for each submission."""
    kept = {key: value for key, value in body.items() if key not in _CALLBACK_FIELDS}
    text = json.dumps([provider, name, path, kept], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


#: Where sunoapi.org serves its API.
DEFAULT_BASE_URL = "https://api.sunoapi.org"

#: Where sunoapi.org takes file uploads (a separate host, same key).
DEFAULT_UPLOAD_BASE_URL = "https://sunoapiorg.redpandaai.co"

#: Sent as ``callBackUrl`` when none is configured. The API rejects a request without one, and
#: musicgen polls instead of listening, so it points at a reserved (RFC 2606) domain nobody owns.
PLACEHOLDER_CALLBACK_URL = "https://example.com/musicgen/suno-callback"

#: A music task (generate, extend, covers...: everything read at ``record-info``), per the docs
#: (providers.md 1.4, 1.13): "Stream URL: Available in 30-40 seconds. Downloadable song URL:
#: Ready in 2-3 minutes." ``FIRST_SUCCESS`` (the first track done) shows the stream is ready.
MUSIC_TIMELINE = Timeline(
    (
        Stage(name="stream", earliest=30.0, latest=40.0, statuses={"FIRST_SUCCESS"}),
        Stage(name="done", earliest=120.0, latest=180.0),
    )
)

_PROVIDER = "suno"
_ENV_VARS = ("MUSICGEN_SUNO_API_KEY", "SUNO_API_KEY")
_API_PREFIX = "/api/v1"

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


class SunoBase(ProviderBase):
    """The sunoapi.org key, hosts and envelope; the endpoint families build on it.

    Args:
        api_key: The sunoapi.org key; defaults to ``MUSICGEN_SUNO_API_KEY``, then ``SUNO_API_KEY``.
        base_url: The API root. A trailing ``/api/v1`` is accepted and removed.
        callback_url: Sent as ``callBackUrl`` when a call sets none; defaults to
            ``PLACEHOLDER_CALLBACK_URL`` because the API insists on one.
        upload_base_url: The file-upload host (``DEFAULT_UPLOAD_BASE_URL``); None uses it, or
            ``base_url`` when that is not sunoapi.org's own (an emulator or a proxy serves both).
        callback_auth: A ``musicgen.callbacks.CallbackAuth``: each submission then gets its own
            callback URL, ``callback_url`` with a token only your receiver can verify (Suno
            signs nothing). Needs ``callback_url``: where your receiver listens.

    Raises:
        ConfigurationError: No API key anywhere, a ``callback_url`` that is not http(s), or a
            ``callback_auth`` without a ``callback_url``.
    """

    name = _PROVIDER
    catalog: ModelCatalog = SUNO_CATALOG
    #: Seconds sunoapi.org keeps generated files ("retained for 15 days"): cached results and
    #: journal entries expire with them.
    retention: float = 15 * 24 * 3600.0
    env_vars = _ENV_VARS
    #: "20 requests every 10 seconds" (providers.md 1.13); over it answers 405/430.
    submissions_per_window = (20, 10.0)
    default_base_url = DEFAULT_BASE_URL
    # Integrators often configure ".../api/v1" as the base; every path here adds it itself.
    api_prefix = _API_PREFIX

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str = DEFAULT_BASE_URL,
        callback_url: str | None = None,
        upload_base_url: str | None = None,
        callback_auth: CallbackMinter | None = None,
    ) -> None:
        super().__init__(api_key=api_key, base_url=base_url)
        if callback_auth is not None and callback_url is None:
            msg = (
                "callback_auth needs callback_url=: the address of your callback receiver, "
                "e.g. https://app.example/musicgen/callback"
            )
            raise ConfigurationError(msg)
        self.callback_auth = callback_auth
        if callback_url is not None:
            try:
                callback_url = SunoOptions(callback_url=callback_url).callback_url
            except ValidationError as error:
                raise ConfigurationError(error.message) from None
        self.callback_url = callback_url
        if upload_base_url is None:
            own = self.base_url == DEFAULT_BASE_URL
            upload_base_url = DEFAULT_UPLOAD_BASE_URL if own else self.base_url
        self.upload_base_url = upload_base_url.strip().rstrip("/")

    # -- building -----------------------------------------------------------------------------

    def callback(self, explicit: str | None = None, *, family: str = "music") -> str:
        """The ``callBackUrl`` to send: the call's, else one minted for this submission
        (``callback_auth``) or the provider's, else the placeholder.

        ``family`` names the callback the submission will get (``"music"``, ``"wav"``,
        ``"lyrics"``...), so the receiver can read it without guessing.
        """
        if explicit:
            return explicit
        if self.callback_url and self.callback_auth is not None:
            return self.callback_auth.url(self.callback_url, family=family)
        return self.callback_url or PLACEHOLDER_CALLBACK_URL

    def task_operation(
        self,
        name: str,
        path: str,
        body: Mapping[str, Any],
        read: Callable[[str], Operation[T]],
        started: Callable[[str, Mapping[str, Any]], T],
        *,
        paid: bool = True,
        result_type: type[T] | None = None,
    ) -> Operation[T]:
        """A POST that starts a task: ``started(task_id, envelope)`` makes its first state, and
        ``read(task_id)`` builds the status read that follows it.

        """

        def parse(response: httpx.Response) -> T:
            envelope = self._envelope(response)
            return started(self.submitted_task_id(response, envelope, name), envelope)

        return self.operation(
            name,
            self.http_request("POST", path, json=dict(body)),
            parse,
            paid=paid,
            task=TaskSpec(read=read, result_type=result_type),
            key=lambda: request_key(self.name, name, path, body),
        )

    def task_read(
        self,
        name: str,
        path: str,
        task_id: str,
        read: Callable[[Any, Mapping[str, Any]], T],
        again: Callable[[str], Operation[T]],
        result_type: type[T],
        timeline: Timeline = NEUTRAL,
    ) -> Operation[T]:
        """The status read of a task family: ``read(data, envelope)`` turns the record into
        its state; an unknown task (a 400 to a read) is a ``NotFoundError``. ``timeline`` is
        the family's documented one (kept only against sunoapi.org itself, not a stand-in)."""

        def parse(response: httpx.Response) -> T:
            from ._wire import WireError

            body = self._envelope(response, reads_task=True)
            try:
                return read(body.get("data"), body)
            except WireError as error:
                self._unexpected(response, f"unreadable {path} answer: {error}", body)

        return self.operation(
            name,
            self.http_request("GET", path, params={"taskId": task_id}),
            parse,
            task=TaskSpec(
                read=again,
                task_id=task_id,
                result_type=result_type,
                timeline=documented_at(self.base_url, timeline),
            ),
        )

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

    def submitted_task_id(
        self, response: httpx.Response, envelope: Mapping[str, Any], endpoint: str
    ) -> str:
        """The new task's ``data.taskId`` from a submission's envelope.

        Raises:
            UnexpectedResponseError: No task id: a task may still have been started, and the
                message says to check the dashboard before resubmitting.
        """
        from ._suno_wire import read_submit
        from ._wire import WireError

        try:
            return read_submit(envelope.get("data"))
        except WireError as error:
            self._unexpected(
                response,
                f"the {endpoint} answer has no data.taskId ({error}); the provider may still have "
                "started (and charged for) a task: check your sunoapi.org dashboard before "
                "resubmitting",
                dict(envelope),
            )
