"""The one exception tree of musicgen.

::

    MusicGenError
    ├── ConfigurationError             set up wrong (no API key, unknown provider)
    │   └── UnsupportedOperationError  the provider does not offer what was asked
    ├── ValidationError (ValueError)   bad input, found before any request is sent; has .field
    │   └── UnknownModelError          a model id that is not in the catalog (strict mode only)
    ├── APIError                       the provider answered with an error
    │   ├── AuthenticationError        401: the API key is wrong or missing
    │   ├── PermissionDeniedError      403: e.g. an unsupported region (Mureka)
    │   ├── NotFoundError              404: unknown path or task
    │   ├── BadRequestError            400/413/422: the provider rejected the parameters
    │   │   └── ContentPolicyError     451: the request failed the provider's safety review
    │   ├── InsufficientCreditsError   out of credits or quota; never retried
    │   ├── RateLimitError             too many requests; retried with backoff
    │   ├── ServerError                5xx and the provider's own server-error codes
    │   │   └── ServiceUnavailableError  unavailable (HTTP 503 without the provider's own words)
    │   │       ├── OverloadedError      an explicit "engine overloaded" refusal (Mureka 503)
    │   │       └── MaintenanceError     an explicit maintenance refusal (Suno 455)
    │   └── UnexpectedResponseError    an answer musicgen cannot read (malformed JSON, no task id)
    ├── APIConnectionError             the network failed; .request_sent says if bytes may have left
    │   └── APITimeoutError            a connect, read, write or pool timeout
    ├── GenerationFailedError          the task ran and ended in failure; has .generation
    └── GenerationTimeoutError         the overall deadline passed; has .task_id to resume with

``SubmissionUncertainError`` is mixed into the error raised when a paid submission failed
*after* its bytes may have reached the provider (a read timeout, a dropped connection, a 5xx). The
provider may have started, and charged for, a task. musicgen never sends such a submission again
on its own; catch this class to decide what to do. The error keeps its kind, so
``except ServerError`` still catches an uncertain server error::

    SubmissionUncertainError
    ├── UncertainServerError              (also a ServerError)
    ├── UncertainServiceUnavailableError  (also a ServiceUnavailableError)
    ├── UncertainResponseError            (also an UnexpectedResponseError)
    ├── UncertainConnectionError          (also an APIConnectionError)
    └── UncertainTimeoutError             (also an APITimeoutError)

Every class here is public and named by ``musicgen.<Name>`` in reprs and tracebacks. No exception
ever holds an API key or an Authorization header in its message or ``repr``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._models import Generation
    from ._operations import TaskSnapshot

__all__ = [
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ContentPolicyError",
    "GenerationFailedError",
    "GenerationTimeoutError",
    "InsufficientCreditsError",
    "MaintenanceError",
    "MusicGenError",
    "NotFoundError",
    "OverloadedError",
    "PermissionDeniedError",
    "RateLimitError",
    "ServerError",
    "ServiceUnavailableError",
    "SubmissionUncertainError",
    "UncertainConnectionError",
    "UncertainResponseError",
    "UncertainServerError",
    "UncertainServiceUnavailableError",
    "UncertainTimeoutError",
    "UnexpectedResponseError",
    "UnknownModelError",
    "UnsupportedOperationError",
    "ValidationError",
]


class MusicGenError(Exception):
    """Root of every exception musicgen raises on purpose."""

    # Every subclass here is exported from ``musicgen``: tracebacks then print
    # ``musicgen.ServerError``, not the private module that defines it.
    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__module__ == __name__:
            cls.__module__ = "musicgen"

    #: The correlation id of the call that failed (set by the client), or None.
    correlation_id: str | None = None
    #: The task the failing call was about, when there was one: resume it instead of paying again.
    task_id: str | None = None

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        if self.correlation_id:
            return f"{self.message} [correlation_id={self.correlation_id}]"
        return self.message

    def __repr__(self) -> str:
        return f"{_public_name(type(self))}({self.message!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only constructors defeat Exception's default pickling; rebuild from state so
        # errors cross process boundaries (multiprocessing, concurrent.futures).
        return (_rebuild, (type(self), self.args, self.__dict__))


MusicGenError.__module__ = "musicgen"


def _public_name(cls: type) -> str:
    """``musicgen.ServerError`` for musicgen's own classes, ``module.Name`` for others."""
    return f"{cls.__module__}.{cls.__qualname__}"


def _rebuild(
    cls: type[MusicGenError], args: tuple[Any, ...], state: dict[str, Any]
) -> MusicGenError:
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class ConfigurationError(MusicGenError):
    """The client or a provider is configured wrong (e.g. no API key anywhere)."""


class UnsupportedOperationError(ConfigurationError):
    """The provider does not offer what was asked (e.g. ``lyrics`` at a provider without it).

    Raised before anything is sent. Attributes:
        provider: The provider name.
        operation: What was asked for.
    """

    def __init__(self, message: str, *, provider: str, operation: str) -> None:
        super().__init__(message)
        self.provider = provider
        self.operation = operation


class ValidationError(MusicGenError, ValueError):
    """Bad input, found before anything was sent.

    Attributes:
        field: The name of the offending argument (e.g. ``"lyrics"``), or None when the problem
            is not one argument's.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class UnknownModelError(ValidationError):
    """A model id that the catalog does not know, with ``strict_models=True``.

    Attributes:
        provider: The provider name.
        model: What was asked for.
        valid: The ids that would have been accepted.
    """

    def __init__(self, message: str, *, provider: str, model: str, valid: tuple[str, ...]) -> None:
        super().__init__(message, field="model")
        self.provider = provider
        self.model = model
        self.valid = valid


class SubmissionUncertainError(MusicGenError):
    """Mixin: a paid submission failed after the provider may have received it.

    The provider may have started (and charged for) a task whose id musicgen never saw. musicgen
    does not resend it; check the provider's dashboard or balance before submitting again.
    """


class APIError(MusicGenError):
    """The provider answered with an error.

    Attributes:
        provider: ``"suno"``, ``"mureka"`` or a custom provider's name.
        status_code: The HTTP status (Suno often answers 200 with an error in the body).
        code: The provider's in-body code (Suno's ``code``), or None.
        request_id: The provider's trace id (Mureka ``trace_id``), when it sent one.
        retry_after: Seconds the provider asked us to wait (``Retry-After``), if any.
        body: The decoded error body, for debugging. Not shown in ``str`` or ``repr``.
    """

    def __init__(
        self,
        message: str,
        *,
        provider: str,
        status_code: int | None = None,
        code: int | None = None,
        request_id: str | None = None,
        retry_after: float | None = None,
        body: Any = None,
    ) -> None:
        super().__init__(message)
        self.provider = provider
        self.status_code = status_code
        self.code = code
        self.request_id = request_id
        self.retry_after = retry_after
        self.body = body

    def __str__(self) -> str:
        where = f"{self.provider}"
        if self.status_code is not None:
            where += f" HTTP {self.status_code}"
        if self.code is not None and self.code != self.status_code:
            where += f" code {self.code}"
        text = f"{where}: {self.message}"
        if self.request_id:
            text += f" [request_id={self.request_id}]"
        if self.correlation_id:
            text += f" [correlation_id={self.correlation_id}]"
        return text

    def __repr__(self) -> str:
        return (
            f"{_public_name(type(self))}(provider={self.provider!r}, "
            f"status_code={self.status_code!r}, code={self.code!r}, message={self.message!r})"
        )


class AuthenticationError(APIError):
    """The API key was refused (401)."""


class PermissionDeniedError(APIError):
    """The provider forbids this call (403), e.g. from an unsupported region."""


class NotFoundError(APIError):
    """Unknown path or task (404)."""


class BadRequestError(APIError):
    """The provider rejected the request's parameters (400, 413, 422)."""


class ContentPolicyError(BadRequestError):
    """The request failed the provider's safety review (Mureka 451)."""


class InsufficientCreditsError(APIError):
    """Out of credits or quota (Suno code 429, Mureka 429 'quota'). Never retried: top up."""


class RateLimitError(APIError):
    """Too many requests (Suno 405/430, Mureka 429). Retried with backoff, honouring Retry-After."""


class ServerError(APIError):
    """The provider failed (5xx, Suno code 500)."""


class ServiceUnavailableError(ServerError):
    """The provider is unavailable (HTTP 503 without the provider's own error body)."""


class OverloadedError(ServiceUnavailableError):
    """The provider explicitly refused because it is overloaded (Mureka 503 "Engine overloaded").

    Nothing was started, so even a paid submission is retried with backoff.
    """


class MaintenanceError(ServiceUnavailableError):
    """The provider explicitly refused for maintenance (Suno 455): nothing was started."""


class APIConnectionError(MusicGenError):
    """The request did not get a usable answer because of the network.

    Attributes:
        provider: The provider the request was for.
        request_sent: False when the request certainly never reached the provider (the
            connection was never made), True when its bytes may have arrived.
    """

    def __init__(self, message: str, *, provider: str, request_sent: bool) -> None:
        super().__init__(message)
        self.provider = provider
        self.request_sent = request_sent


class APITimeoutError(APIConnectionError):
    """A connect, read, write or pool timeout."""


class GenerationFailedError(MusicGenError):
    """The task ran and ended in failure (failed, cancelled, timed out, moderated).

    Attributes:
        generation: The task's final state (a ``Generation`` for music); ``.error`` holds the
            provider's reason.
        task_id: The failed task's id.
        provider: The provider that ran the task.
    """

    generation: Generation

    def __init__(self, message: str, *, generation: Generation | TaskSnapshot) -> None:
        super().__init__(message)
        self.generation = generation  # type: ignore[assignment]
        self.task_id = generation.task_id
        self.provider = generation.provider


class GenerationTimeoutError(MusicGenError):
    """The overall deadline passed before the task finished.

    The task may still finish: resume with ``client.wait(error.task_id, provider=error.provider)``
    instead of paying for a new one. ``task_id`` is None only when the deadline passed before the
    submission was accepted.

    Attributes:
        task_id: The provider's task id, or None.
        provider: The provider name.
        generation: The last status seen, or None.
    """

    def __init__(
        self,
        message: str,
        *,
        task_id: str | None,
        provider: str,
        generation: Generation | None = None,
    ) -> None:
        super().__init__(message)
        self.task_id = task_id
        self.provider = provider
        self.generation = generation


class UnexpectedResponseError(APIError):
    """The provider answered with something musicgen cannot read (malformed JSON, missing id)."""


class UncertainServerError(ServerError, SubmissionUncertainError):
    """A paid submission got a server error: a task may have been started (and charged)."""


class UncertainServiceUnavailableError(ServiceUnavailableError, SubmissionUncertainError):
    """A paid submission got a 503 without the provider's own words: a task may exist."""


class UncertainResponseError(UnexpectedResponseError, SubmissionUncertainError):
    """A paid submission got an unreadable answer (no task id): a task may exist."""


class UncertainConnectionError(APIConnectionError, SubmissionUncertainError):
    """A paid submission's connection failed after sending: a task may exist."""


class UncertainTimeoutError(APITimeoutError, SubmissionUncertainError):
    """A paid submission timed out after sending: a task may exist."""


_UNCERTAIN_TYPES: dict[type[MusicGenError], type[MusicGenError]] = {
    ServerError: UncertainServerError,
    ServiceUnavailableError: UncertainServiceUnavailableError,
    UnexpectedResponseError: UncertainResponseError,
    APIConnectionError: UncertainConnectionError,
    APITimeoutError: UncertainTimeoutError,
}


def as_uncertain_submission(error: MusicGenError) -> MusicGenError:
    """Return ``error`` re-typed as a ``SubmissionUncertainError`` with a message that says so.

    The new type subclasses ``error``'s own, so ``except ServerError`` still catches it.
    Errors that cannot follow a delivered submission are returned unchanged.
    """
    cls = _UNCERTAIN_TYPES.get(type(error))
    if cls is None:
        return error
    new = cls.__new__(cls)
    new.__dict__.update(error.__dict__)
    new.args = error.args
    new.message = (
        f"{error.message}. The submission may have reached the provider, which may have started "
        "and charged for a task; musicgen did not send it again. Check the provider's dashboard "
        "or balance before you submit again"
    )
    return new
