"""Operations: one call to a provider's endpoint, described without doing any I/O.

A provider's endpoint methods (``SunoProvider.generate``, ``MurekaProvider.balance``, a third
party's ``remix``...) validate their arguments and return an ``Operation[T]``. Any client runs any
operation with ``client.run(operation)``, which gives it the whole machinery: money safety,
retries, the deadline, polling, the journal and result cache, single flight, events and
correlation ids. ``generate``, ``get``, ``balance`` and friends are typed sugar over it.

There are two kinds:

- a **request** (``task=None``): one exchange, retried when safe, parsed into ``T``;
- a **task** (``task=TaskSpec(...)``): the request starts a task (``paid=True``: a submission) or
  reads an existing one (``paid=False``); the client then reads it with ``task.read(task_id)``
  until it is terminal. ``T`` then tells its state: see ``TaskSnapshot``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar, runtime_checkable

import attrs
import httpx

from ._polling import NEUTRAL, Timeline

if TYPE_CHECKING:
    from ._models import TaskStatus

__all__ = ["Operation", "TaskSnapshot", "TaskSpec"]

T = TypeVar("T")


@runtime_checkable
class TaskSnapshot(Protocol):
    """What the result of a task operation tells about its task (``Generation`` is one).

    The client reads nothing else, except, when present, ``model`` (for events) and ``tracks``
    (for the time to the first playable audio: items with ``stream_url`` or ``audio_url``).
    """

    @property
    def task_id(self) -> str:
        """The provider's task id."""

    @property
    def provider(self) -> str:
        """The provider name."""

    @property
    def status(self) -> TaskStatus:
        """The shared status; ``status.is_terminal`` ends the polling."""

    @property
    def provider_status(self) -> str:
        """The provider's own status string, for messages and events."""

    @property
    def error(self) -> str | None:
        """The provider's failure reason, or None."""


@attrs.frozen(kw_only=True)
class TaskSpec(Generic[T]):
    """How to follow the task an operation starts or reads.

    Attributes:
        read: Builds the status read of a task from its id. The client sends it until the task
            is terminal, and uses it to resume a journalled task after a crash.
        task_id: The task this operation reads, when it reads an existing one (lets a finished
            result come from the cache). None for a submission.
        result_type: The class of ``T`` (an attrs class), when finished results may be kept in
            the client's cache; None keeps none.
        timeline: When the task typically reaches its stages, for the default ``PollPolicy()``
            (ignored by a fixed one). The client polls with the timeline of the status read
            (the operation ``read`` builds), so set it there. ``Timeline()``, the default,
            knows nothing: the task is read after 1 s, then every 1.5x longer up to 4 s.
    """

    read: Callable[[str], Operation[T]] = attrs.field(eq=False)
    task_id: str | None = None
    result_type: type[T] | None = None
    timeline: Timeline = NEUTRAL


@attrs.frozen(kw_only=True)
class Operation(Generic[T]):
    """One call to a provider's endpoint: what to send, and how to read the answer.

    Attributes:
        provider: The name of the provider it belongs to.
        name: The endpoint's name (``"generate"``, ``"status"``, ``"extend"``...): events,
            spans and metrics use it.
        request: The request to send. The client adds its own headers and a timeout to a copy.
        parse: Turns the answer into ``T``, or raises a ``musicgen.APIError`` subclass (so the
            client can tell what is safe to retry).
        paid: True when the request starts something that costs money: it is sent again only
            when the provider certainly started nothing (no connection, or an explicit refusal).
        task: For task endpoints, how to follow the task; None for a plain request.
        key: What identifies an identical paid request (for the journal and single flight): a
            string, or a function returning one (called only when a cache needs it); None
            derives it from the provider, name, path, query and body.
        if_missing: Another operation that reads the same thing elsewhere, tried when the
            provider answers ``NotFoundError`` (e.g. Mureka keeps instrumental tasks apart).
    """

    provider: str
    name: str
    request: httpx.Request = attrs.field(eq=False)
    parse: Callable[[httpx.Response], T] = attrs.field(eq=False, repr=False)
    paid: bool = False
    task: TaskSpec[T] | None = None
    key: str | Callable[[], str] | None = attrs.field(default=None, repr=False)
    if_missing: Operation[T] | None = attrs.field(default=None, repr=False)

    def fingerprint(self) -> str:
        """The identity of this exact request: ``key``, else a digest of what is sent.

        Headers are left out: they carry credentials and per-call ids, not the request's meaning.
        """
        if isinstance(self.key, str):
            return self.key
        if self.key is not None:
            return self.key()
        url = self.request.url
        digest = hashlib.sha256()
        for part in (self.provider, self.name, self.request.method, url.raw_path.decode()):
            digest.update(part.encode())
            digest.update(b"\0")
        digest.update(self.request.content)
        return digest.hexdigest()
