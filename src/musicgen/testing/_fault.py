"""The :class:`Fault` value: one scripted misbehaviour of the emulated providers."""

from __future__ import annotations

from dataclasses import dataclass

FAULT_KINDS: frozenset[str] = frozenset(
    {
        "auth",
        "connect_error",
        "credits",
        "drop",
        "maintenance",
        "malformed_json",
        "null_data",
        "overloaded",
        "rate_limit",
        "server_error",
        "slow",
    }
)
OPERATIONS: frozenset[str] = frozenset({"audio", "balance", "status", "submit"})

# Kinds that replace the provider's answer with an error-shaped (or broken) response.
REFUSAL_KINDS: frozenset[str] = FAULT_KINDS - {"connect_error", "drop", "slow"}


@dataclass(frozen=True)
class Fault:
    """One scripted failure, applied to the next ``times`` matching requests.

    Faults are matched in the order they were injected; a request is affected by at most one
    fault. What each kind does, per provider (Suno answers carry the ``{code, msg, data}``
    envelope, Mureka answers the ``{"error": {"message"}, "trace_id"}`` body):

    ============== ============================================ ===================================
    kind           Suno (sunoapi.org)                           Mureka
    ============== ============================================ ===================================
    rate_limit     HTTP 200, code 430 (``code=405`` possible)   HTTP 429 "Rate limit reached ..."
    credits        HTTP 200, code 429 "Insufficient credits..." HTTP 429 "You exceeded your ..."
    server_error   HTTP 200, code 500 "Server error"            HTTP 500 "Server Error"
    maintenance    HTTP 200, code 455 "System maintenance"      HTTP 503 "Service maintenance"
    overloaded     HTTP 503, code 503 (no documented shape)     HTTP 503 "Engine overloaded"
    auth           HTTP 401, code 401 "Unauthorized access"     HTTP 401 "Invalid Authentication"
    malformed_json HTTP 200, truncated JSON body                HTTP 200, truncated JSON body
    null_data      HTTP 200, ``{"code":200,...,"data":null}``   HTTP 200, body ``null``
    slow           sleeps ``delay`` seconds, then answers normally
    drop           processed (task created, charged, counted), then the answer is lost:
                   ``httpx.ReadTimeout`` in-process, socket closed unanswered by the server
    connect_error  nothing processed: ``httpx.ConnectError`` in-process, socket closed by the
                   server before answering
    ============== ============================================ ===================================

    On media downloads (operation ``"audio"``) refusals are plain-text HTTP errors (429, 402,
    500, 503, 503, 403), ``malformed_json`` serves a truncated file and ``null_data`` an empty
    200 body.

    On the routes of a provider added with :meth:`Emulator.add_route`, whose error format the
    emulator does not know, refusals are JSON ``{"error": {"message": ...}}`` bodies with HTTP
    429, 402, 500, 503, 503 and 401 (rate_limit to auth), ``malformed_json`` is a truncated
    JSON body and ``null_data`` a ``null`` body, both HTTP 200; ``slow``, ``drop`` and
    ``connect_error`` behave as above, with "processed" meaning "the handler ran".

    Attributes:
        kind: One of the kinds above.
        provider: ``"suno"``, ``"mureka"``, a provider added with :meth:`Emulator.add_route`,
            or None for any; :meth:`Emulator.inject` refuses a provider it does not serve.
            Media downloads belong to the provider whose task produced them.
        operation: ``"submit"`` (paid, task-creating POSTs), ``"status"`` (task queries),
            ``"balance"`` (credits / billing), ``"audio"`` (media downloads) or None for any
            request, including unknown paths. Added routes declare theirs.
        endpoint: One endpoint by name (``"extend"``, ``"wav"``, ``"stem"``...; see each
            provider's routes), or None for any. Combines with ``operation``.
        times: How many matching requests the fault affects (at least 1).
        delay: Seconds to sleep, for ``"slow"``.
        retry_after: A ``Retry-After`` header value added to refusals.
        code: Overrides the Suno body ``code`` (e.g. 405 for a rate limit) or, for the other
            providers and media, the HTTP status.
        http_status: Overrides the HTTP status of a refusal (e.g. 500 for a Suno server error).
        message: Overrides the error text (Suno ``msg`` / others' ``error.message``).
        processed: For refusals: when True the request is carried out first (a submit creates
            and charges a task, an added route's handler runs) and only the answer is
            replaced, the way a gateway error after the backend did the work looks. Default
            False: nothing happened.
    """

    kind: str
    provider: str | None = None
    operation: str | None = None
    endpoint: str | None = None
    times: int = 1
    delay: float = 0.0
    retry_after: str | None = None
    code: int | None = None
    http_status: int | None = None
    message: str | None = None
    processed: bool = False

    def __post_init__(self) -> None:
        """Reject typos early: a misspelt fault would silently never fire.

        Providers depend on the emulator's routes, so :meth:`Emulator.inject` checks those.
        """
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; use one of {sorted(FAULT_KINDS)}")
        if self.operation is not None and self.operation not in OPERATIONS:
            raise ValueError(
                f"unknown operation {self.operation!r}; use one of {sorted(OPERATIONS)}"
            )
        if self.times < 1:
            raise ValueError(f"times must be at least 1, got {self.times}")
        if self.delay < 0:
            raise ValueError(f"delay must not be negative, got {self.delay}")

    def matches(
        self, provider: str | None, operation: str | None, endpoint: str | None = None
    ) -> bool:
        """Tell whether this fault applies to a request of that provider, operation and
        endpoint."""
        return (
            (self.provider is None or self.provider == provider)
            and (self.operation is None or self.operation == operation)
            and (self.endpoint is None or self.endpoint == endpoint)
        )
