"""The effects a flow yields, and the call context they carry.

A flow (a generator in ``_core``) yields one of these and gets back its outcome, or has the
error thrown in. The clients perform them: ``MusicGenClient`` blocking, ``AsyncMusicGenClient``
awaiting; that is all the clients do.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

if TYPE_CHECKING:
    from ._errors import MusicGenError
    from ._operations import Operation
    from ._polling import Deadline
    from ._progress import Progress
    from .cache import Cache

__all__ = [
    "STATUS",
    "SUBMIT",
    "AwaitKeys",
    "CallContext",
    "Effect",
    "Flow",
    "Notify",
    "Send",
    "Shared",
    "Sleep",
    "UseCache",
    "with_context",
]

T = TypeVar("T")

#: The part a request plays in a task, whatever the endpoint: ``Send.role``, and the
#: ``operation`` of its ``http.request`` events. A plain request's role is its operation's name.
SUBMIT = "submit"  # starts a task
STATUS = "status"  # reads one


@attrs.frozen
class CallContext:
    """What one public call (``generate``, ``run``, ...) carries through all its requests.

    Attributes:
        correlation_id: Sent on every request, put on results and errors.
        deadline: When the call gives up.
        operation: The public method (``"generate"``, ``"wait"``...) or the operation's name.
        started: ``clock()`` when the call began.
        use_cache: Whether this call reads and writes the client's cache.
        on_progress: Called with a ``Progress`` on every change while the call waits (a
            coroutine function on the async client is awaited); None sends none.
        until: ``"done"`` waits for a terminal status; ``"stream"`` returns at the first
            playable stream URL.
    """

    correlation_id: str
    deadline: Deadline
    operation: str
    started: float
    use_cache: bool = True
    on_progress: Callable[[Progress], Any] | None = attrs.field(default=None, eq=False)
    until: str = "done"


class _Effect:
    """A plain slotted value: effects are built for every request and read at once, and an
    attrs class costs about half a millisecond to define at import."""

    __slots__: tuple[str, ...] = ()

    def __repr__(self) -> str:
        names: tuple[str, ...] = self.__slots__
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in names)
        return f"{type(self).__name__}({fields})"


class Send(_Effect):
    """Send ``operation``'s request, retried when safe; the outcome is its parsed value.

    Attributes:
        operation: What to send and how to read the answer.
        role: ``"submit"`` (starts a task), ``"status"`` (reads one) or the operation's name.
        context: The public call it belongs to.
    """

    __slots__ = ("context", "operation", "role")

    def __init__(self, operation: Operation[Any], role: str, context: CallContext) -> None:
        self.operation = operation
        self.role = role
        self.context = context


class Sleep(_Effect):
    """Wait ``seconds``."""

    __slots__ = ("seconds",)

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds


class Notify(_Effect):
    """Hand a ``Progress`` to the call's ``on_progress`` (awaited when it is a coroutine)."""

    __slots__ = ("callback", "progress")

    def __init__(self, callback: Callable[[Progress], Any], progress: Progress) -> None:
        self.callback = callback
        self.progress = progress


class UseCache(_Effect):
    """Run ``action`` on the client's cache; the outcome is what it returns.

    The async client runs it in a worker thread unless the cache says it never blocks.
    """

    __slots__ = ("action",)

    def __init__(self, action: Callable[[Cache], Any]) -> None:
        self.action = action


class Blocking(_Effect):
    """Run ``action()``, which may block (a limiter waiting for a slot); the outcome is what it
    returns. The async client runs it in a worker thread."""

    __slots__ = ("action",)

    def __init__(self, action: Callable[[], Any]) -> None:
        self.action = action


class AwaitKeys(_Effect):
    """Return when one of ``keys`` is written to the client's cache, or after ``seconds``.

    A client whose cache wakes waiters (``SupportsWait``) waits on its wake-up listener,
    tying up no thread per wait; any other returns after ``min(check_every, seconds)``. Either
    way the outcome is None and a hint only: the flow reads what it needs afterwards.

    Attributes:
        keys: The cache keys whose ``set`` ends the wait.
        seconds: The longest wait.
        check_every: How soon a client that cannot watch keys returns (the flow checks then).
    """

    __slots__ = ("check_every", "keys", "seconds")

    def __init__(self, keys: tuple[str, ...], seconds: float, check_every: float) -> None:
        self.keys = keys
        self.seconds = seconds
        self.check_every = check_every


class Shared(_Effect):
    """Run ``flow`` once for every caller asking with the same ``key`` at the same time.

    A client drives the first caller's flow; the others wait for its result (single flight).
    """

    __slots__ = ("flow", "key")

    def __init__(self, key: str, flow: Flow[Any]) -> None:
        self.key = key
        self.flow = flow


Effect = Send | Sleep | UseCache | Shared | Notify | Blocking | AwaitKeys
Flow = Generator["Send | Sleep | UseCache | Shared | Notify | Blocking | AwaitKeys", Any, T]


E = TypeVar("E", bound="MusicGenError")


def with_context(error: E, ctx: CallContext) -> E:
    """Attach the call's correlation id to ``error``."""
    error.correlation_id = ctx.correlation_id
    return error
