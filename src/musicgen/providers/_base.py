"""The Provider protocol, and ``ProviderBase``: what the built-in drivers share, public to reuse.

A provider is sans-I/O. Each endpoint is a method that validates its arguments and returns an
``Operation`` (the request to send and how to read the answer); the clients send, retry, poll,
cache and report. A custom provider gets all of that by returning operations too.
"""

from __future__ import annotations

import email.utils
import functools
import json
import math
import os
import time
import urllib.parse
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, ClassVar, NoReturn, Protocol, TypeVar, runtime_checkable

import attrs
import httpx

from .._errors import (
    APIError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    ContentPolicyError,
    MusicGenError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    ServiceUnavailableError,
    UnexpectedResponseError,
    ValidationError,
)
from .._models import Generation, Track
from .._models_catalog import ModelCatalog, report_fallback
from .._operations import Operation, TaskSpec

__all__ = [
    "DEFAULT_RETENTION",
    "Provider",
    "ProviderBase",
    "api_key_from_env",
    "bearer_headers",
    "clean_text",
    "mask_error",
    "mask_key",
    "mask_value",
    "parse_retry_after",
    "read_error",
    "read_json",
    "retention_of",
    "track_of",
]

T = TypeVar("T")

#: How long a provider keeps a task's audio when its driver does not say (``retention``).
DEFAULT_RETENTION = 24 * 3600.0


@runtime_checkable
class Provider(Protocol):
    """What every provider has. Its endpoints are methods returning ``musicgen.Operation``.

    The clients' sugar looks for ``generate(request)``, ``status(task_id, *, instrumental=None)``
    and ``balance()``; a provider without one of them raises ``UnsupportedOperationError`` when
    it is asked for it. Any other endpoint is run with ``client.run(provider.endpoint(...))``.
    """

    #: The name users pass as ``provider=`` (e.g. ``"suno"``).
    name: str
    #: The models this provider accepts, used to resolve ``model=`` and to check lengths.
    catalog: ModelCatalog
    #: Seconds the provider keeps a task's audio; cached results and the journal expire with it.
    retention: float


def retention_of(provider: object) -> float:
    """Seconds ``provider`` keeps a task's audio (Suno 15 days, Mureka 30 days)."""
    value = getattr(provider, "retention", None)
    return float(value) if isinstance(value, (int, float)) else DEFAULT_RETENTION


#: The usual meaning of an HTTP status; a provider refines it with its own table.
HTTP_ERRORS: Mapping[int, type[APIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    413: BadRequestError,
    422: BadRequestError,
    429: RateLimitError,
    451: ContentPolicyError,
    500: ServerError,
    503: ServiceUnavailableError,
}


class ProviderBase:
    """A base for drivers: API key from the environment, requests, the error table, masking.

    Subclasses set the class attributes and write one method per endpoint that returns an
    ``Operation`` (built with ``self.operation(...)``). Nothing here sends anything.

    Args:
        api_key: The API key; None reads the first non-empty variable of ``env_vars``.
        base_url: The API root; None uses ``default_base_url``. A trailing ``api_prefix`` is
            accepted and removed, since every path already starts with it.

    Raises:
        ConfigurationError: No API key anywhere; the message names the variables to set.
    """

    #: The name users pass as ``provider=``.
    name: str = "provider"
    #: The provider's models.
    catalog: ModelCatalog
    #: Seconds the provider keeps generated files.
    retention: float = DEFAULT_RETENTION
    #: Environment variables that may hold the API key, in order.
    env_vars: ClassVar[tuple[str, ...]] = ()
    #: The API root used when none is passed.
    default_base_url: ClassVar[str] = ""
    #: A path prefix every endpoint shares (e.g. ``"/api/v1"``), removed from a given base URL.
    api_prefix: ClassVar[str] = ""
    #: Status or provider code -> the error it stands for (``HTTP_ERRORS`` by default).
    errors: ClassVar[Mapping[int, type[APIError]]] = HTTP_ERRORS
    #: What to tell the user per error class (appended to the provider's own message).
    hints: ClassVar[Mapping[type[APIError], str]] = {}
    #: Tasks an account may run at once, until its ``balance()`` says (``Balance.
    #: concurrent_limit``); None: no such limit. A client's ``limiter=`` enforces it.
    concurrent_tasks: ClassVar[int | None] = None
    #: ``(count, seconds)``: submissions an account may make per window; None: no such limit.
    #: A client's ``limiter=`` enforces it.
    submissions_per_window: ClassVar[tuple[int, float] | None] = None

    def __init__(self, *, api_key: str | None = None, base_url: str | None = None) -> None:
        self._api_key = api_key_from_env(api_key, self.env_vars, self.name)
        root = (base_url or self.default_base_url).strip().rstrip("/")
        if self.api_prefix and root.endswith(self.api_prefix):
            root = root[: -len(self.api_prefix)].rstrip("/")
        self.base_url = root

    def __repr__(self) -> str:
        # Never the key: reprs end up in logs, tracebacks and Sentry events.
        return f"{type(self).__name__}(name={self.name!r}, base_url={self.base_url!r})"

    # -- building ---------------------------------------------------------------------------

    def http_request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, str] | None = None,
        data: Mapping[str, str] | None = None,
        files: Mapping[str, tuple[str, bytes, str]] | None = None,
        base_url: str | None = None,
    ) -> httpx.Request:
        """An authenticated request to ``path`` (after ``api_prefix``) on the base URL.

        Args:
            method: The HTTP method.
            path: The endpoint's path, after the API prefix.
            json: A JSON body.
            params: Query parameters.
            data: Form fields (with ``files``: a multipart body).
            files: Files of a multipart body: field -> (file name, content, content type).
            base_url: Another host of the same API (e.g. Suno's upload host); it gets no
                ``api_prefix``.
        """
        root = f"{self.base_url}{self.api_prefix}" if base_url is None else base_url
        url: httpx.URL
        if params:
            # One parse of the whole URL: httpx would parse it, then parse it again to merge
            # ``params=`` in (a status read builds one such request per wait).
            url = httpx.URL(f"{root}{path}?{httpx.QueryParams(params)}")
        else:
            url = _parsed_url(f"{root}{path}")
        return httpx.Request(
            method,
            url,
            headers=bearer_headers(self._api_key),
            json=json,
            data=data,
            files=files,
        )

    def operation(
        self,
        name: str,
        request: httpx.Request,
        parse: Callable[[httpx.Response], T],
        *,
        paid: bool = False,
        task: TaskSpec[T] | None = None,
        key: str | Callable[[], str] | None = None,
        if_missing: Operation[T] | None = None,
    ) -> Operation[T]:
        """An ``Operation`` of this provider; see ``musicgen.Operation`` for the arguments.

        Whatever ``parse`` returns or raises has this provider's API key masked, in every
        string it holds (an error's message, request id and body; a result's payload), even
        when the provider echoed the key back.
        """
        return Operation(
            provider=self.name,
            name=name,
            request=request,
            parse=self._masked(parse),
            paid=paid,
            task=task,
            key=key,
            if_missing=if_missing,
        )

    @property
    def account(self) -> str:
        """This key's account for a ``musicgen.limits`` limiter: a digest, never the key."""
        from ..limits import account_key

        return account_key(self.name, self._api_key)

    def check_task_id(self, task_id: object, field: str = "task_id") -> str:
        """``task_id`` stripped; refused when it is not a non-empty string.

        Raises:
            ValidationError: Names ``field`` and where the id comes from.
        """
        if not isinstance(task_id, str) or not task_id.strip():
            msg = (
                f"{field} is empty or not a string (got {task_id!r}): pass the id the provider "
                "returned (e.g. Generation.task_id)"
            )
            raise ValidationError(msg, field=field)
        return task_id.strip()

    def model_for(self, model: str | None) -> str:
        """The catalog's model id for ``model`` (an id, an alias or None for the default).

        An unknown model falls back to the default with a ``ModelFallbackWarning`` and a
        WARNING log, as ``generate`` does; ``client.extend`` and friends resolve through the
        client instead, which honours ``strict_models``.
        """
        resolution = self.catalog.resolve(model)
        if resolution.fell_back:
            report_fallback(
                self.catalog, resolution.requested, resolution.model, extra={"provider": self.name}
            )
        return resolution.model

    # -- reading ----------------------------------------------------------------------------

    def redact(self, text: str) -> str:
        """``text`` with this provider's API key masked."""
        return mask_key(text, self._api_key)

    def mask(self, value: T) -> T:
        """``value`` (a decoded body, a result) with this provider's API key masked in every
        string it holds."""
        return mask_value(value, self._api_key)

    def _masked(self, parse: Callable[[httpx.Response], T]) -> Callable[[httpx.Response], T]:
        forms = tuple(form.encode() for form in _key_forms(self._api_key))
        if not forms:
            return parse
        api_key = self._api_key

        @functools.wraps(parse)
        def parse_masked(response: httpx.Response) -> T:
            try:
                value = parse(response)
            except MusicGenError as error:
                mask_error(error, api_key)
                raise
            # Walking every result would cost each poll; a key can only be in it if it was sent.
            if any(form in response.content for form in forms):
                return mask_value(value, api_key)
            return value

        return parse_masked

    def unwrap(self, response: httpx.Response) -> Any:
        """The decoded body of a successful answer, or raise the error it stands for.

        The default reads the HTTP status (``error_for``) and then the JSON body; providers with
        an envelope (Suno's ``{code, msg, data}``) override it.

        Raises:
            APIError: The matching subclass for an error status.
            UnexpectedResponseError: A 2xx answer that is not JSON.
        """
        if response.status_code >= 400:
            raise self.api_error(response)
        if not 200 <= response.status_code < 300:
            self.unexpected(response, f"unexpected HTTP {response.status_code}")
        try:
            return read_json(response, self.name)
        except UnexpectedResponseError as error:
            self.unexpected(response, error.message)  # re-raised so the snippet is redacted
        except RecursionError:
            self.unexpected(response, "the JSON is nested too deeply to read")

    def api_error(self, response: httpx.Response) -> APIError:
        """The error an HTTP error answer stands for: the status table, the body's message and
        its trace id."""
        body, message, trace_id = read_error(response)
        return self.error_for(
            response, response.status_code, message, body=body, request_id=trace_id
        )

    def error_type(self, code: int, message: str, body: Any = None) -> type[APIError]:
        """The error class for ``code`` (an HTTP status or the provider's own code); ``body``
        is the decoded error body, for providers whose table depends on it."""
        cls = self.errors.get(code)
        if cls is not None:
            return cls
        return ServerError if code >= 500 else BadRequestError

    def error_for(
        self,
        response: httpx.Response,
        code: int,
        message: str,
        *,
        body: Any = None,
        provider_code: int | None = None,
        request_id: str | None = None,
    ) -> APIError:
        """Build the ``APIError`` an error answer stands for: class, hint, Retry-After, masked."""
        cls = self.error_type(code, message, body)
        hint = self.hints.get(cls)
        text = f"{message} ({hint})" if hint else message
        return cls(
            self.redact(text),
            provider=self.name,
            status_code=response.status_code,
            code=provider_code,
            request_id=None if request_id is None else self.redact(request_id),
            retry_after=parse_retry_after(response.headers),
            body=self.mask(body),
        )

    def unexpected(self, response: httpx.Response, detail: str, body: Any = None) -> NoReturn:
        """Raise ``UnexpectedResponseError``: the answer cannot be read (masked)."""
        raise UnexpectedResponseError(
            self.redact(detail),
            provider=self.name,
            status_code=response.status_code,
            body=self.mask(body),
        )


def read_error(response: httpx.Response) -> tuple[Any, str, str | None]:
    """Read an error answer of any shape a provider (or a proxy in front of it) sends.

    Returns:
        The decoded body (a JSON value, or a text excerpt of an HTML or plain page), the best
        short message it holds (else the reason phrase), and its ``trace_id`` if it has one.
    """
    body: Any
    try:
        body = json.loads(response.content)
    except (ValueError, UnicodeDecodeError, RecursionError):
        body = response.content[:1000].decode("utf-8", "replace")
    message, trace_id = _error_details(body)
    return body, message or response.reason_phrase or f"HTTP {response.status_code}", trace_id


def _error_details(body: Any) -> tuple[str, str | None]:
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


def track_of(value: object, field: str = "track") -> Track:
    """The track an endpoint works on: a ``Track``, a ``Generation`` (its first track) or a
    track id.

    Raises:
        ValidationError: Anything else, an empty id, or a generation without tracks.
    """
    from .._errors import ValidationError

    if isinstance(value, Track):
        return value
    if isinstance(value, Generation):
        if not value.tracks:
            msg = (
                f"{field}: generation {value.task_id} has no tracks yet; wait for it to finish "
                "(client.wait) or pass one of its tracks"
            )
            raise ValidationError(msg, field=field)
        return value.tracks[0]
    if isinstance(value, str) and value.strip():
        return Track(id=value.strip())
    msg = (
        f"{field} must be a musicgen.Track, a Generation (its first track is used) or a "
        f"track id, got {value!r}"
    )
    raise ValidationError(msg, field=field)


def clean_text(value: object) -> str | None:
    """``value`` stripped, or None when it is missing, not a string, or blank: whitespace around
    a prompt, lyrics or a message is never meaningful, and an all-blank value is missing."""
    if not isinstance(value, str):
        return None
    return value.strip() or None


def api_key_from_env(explicit: str | None, names: tuple[str, ...], provider: str) -> str:
    """Return ``explicit`` or the first non-empty environment variable of ``names``.

    Raises:
        ConfigurationError: No key anywhere; the message names the variables to set.
    """
    if explicit:
        return explicit
    for name in names:
        value = os.environ.get(name, "").strip()
        if value:
            return value
    where = f" or set one of {', '.join(names)} in the environment" if names else ""
    msg = f"no API key for {provider}: pass api_key=...{where}"
    raise ConfigurationError(msg)


def read_json(response: httpx.Response, provider: str) -> Any:
    """Decode a JSON body, or raise ``UnexpectedResponseError`` that says what came instead."""
    try:
        return json.loads(response.content)
    except (ValueError, UnicodeDecodeError, RecursionError):
        snippet = response.content[:120].decode("utf-8", "replace")
        msg = f"the response is not valid JSON (starts with {snippet!r})"
        raise UnexpectedResponseError(
            msg, provider=provider, status_code=response.status_code
        ) from None


def parse_retry_after(headers: httpx.Headers, *, now: float | None = None) -> float | None:
    """Return the wait ``Retry-After`` asks for, in seconds (delta-seconds or an HTTP date)."""
    value = headers.get("retry-after")
    if value is None:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            moment = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = moment.timestamp() - (time.time() if now is None else now)
    if math.isnan(seconds) or math.isinf(seconds):
        return None
    return max(0.0, seconds)


@functools.lru_cache(maxsize=128)
def _parsed_url(url: str) -> httpx.URL:
    """``httpx.URL(url)``, parsed once per endpoint (URLs are immutable, so they are shared)."""
    return httpx.URL(url)


def bearer_headers(api_key: str) -> dict[str, str]:
    """The headers every provider request carries: the key as a Bearer token, JSON wanted."""
    return {"Authorization": f"Bearer {api_key}", "Accept": "application/json"}


#: Keys shorter than this are not masked: replacing them would mangle ordinary words.
_MIN_KEY_LENGTH = 8
# Deeper values are left as they are: decoded JSON is never this deep (read_json refuses it).
_MAX_MASK_DEPTH = 64


@functools.lru_cache(maxsize=32)
@functools.lru_cache(maxsize=16)
def _key_forms(api_key: str) -> tuple[str, ...]:
    """The ways a key may come back: as given, stripped, and percent-encoded (in a URL or a
    form body a server echoes), longest first."""
    key = api_key.strip()
    if len(key) < _MIN_KEY_LENGTH:
        return ()
    forms = {api_key, key, urllib.parse.quote(key, safe=""), urllib.parse.quote_plus(key)}
    return tuple(sorted(forms, key=len, reverse=True))


def mask_key(text: str, api_key: str) -> str:
    """``text`` with ``api_key`` replaced by ``***``: no error may carry the key, even if a server
    or proxy echoed it back (percent-encoded forms included). Very short (test) keys are left
    alone: replacing them would mangle ordinary words.
    """
    for form in _key_forms(api_key):
        text = text.replace(form, "***")
    return text


def mask_value(value: T, api_key: str) -> T:
    """``value`` with ``api_key`` masked in every string it holds: strings, mappings (keys too),
    lists, tuples and attrs values (a ``Generation`` and its tracks), rebuilt only where
    something changed."""
    if not _key_forms(api_key):
        return value
    masked: T = _mask(value, api_key, 0)
    return masked


def _mask(value: Any, api_key: str, depth: int) -> Any:
    if isinstance(value, str):
        masked = mask_key(value, api_key)
        # The same object when nothing changed: a str enum member must stay one.
        return value if masked == value else masked
    if depth >= _MAX_MASK_DEPTH or value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, Mapping):
        pairs = [
            (k, v, _mask(k, api_key, depth + 1), _mask(v, api_key, depth + 1))
            for k, v in value.items()
        ]
        if all(k is nk and v is nv for k, v, nk, nv in pairs):
            return value
        items = {nk: nv for _, _, nk, nv in pairs}
        return MappingProxyType(items) if isinstance(value, MappingProxyType) else items
    if isinstance(value, (list, tuple)):
        new = [_mask(item, api_key, depth + 1) for item in value]
        if all(a is b for a, b in zip(new, value, strict=True)):
            return value
        return tuple(new) if isinstance(value, tuple) else new
    if attrs.has(type(value)):
        changes = {}
        for field in attrs.fields(type(value)):
            if not field.init:
                continue
            current = getattr(value, field.name)
            new_value = _mask(current, api_key, depth + 1)
            if new_value is not current:
                changes[field.alias] = new_value
        return attrs.evolve(value, **changes) if changes else value
    return value


def mask_error(error: BaseException, api_key: str) -> BaseException:
    """Mask ``api_key`` in every string field of ``error`` (message, request id, body...), in
    place, and return it: what ``str``, ``repr`` and a debugger show of it then holds no key."""
    if not _key_forms(api_key):
        return error
    error.args = tuple(_mask(arg, api_key, 0) for arg in error.args)
    for name, value in list(vars(error).items()):
        if name not in _KEEP_UNMASKED:
            setattr(error, name, _mask(value, api_key, 0))
    return error


# Error attributes that hold no provider text (and must stay the very same objects).
_KEEP_UNMASKED = frozenset({"__traceback__", "__cause__", "__context__"})
