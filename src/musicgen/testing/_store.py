"""The emulator's shared state: one lock, the tasks and tracks, scripts and counters."""

from __future__ import annotations

import re
import threading
import time
from collections import Counter, defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import httpx

from ._model import Task, Track

if TYPE_CHECKING:
    from ._callbacks import CallbackSender


@dataclass(frozen=True)
class StoredFile:
    """A file a task made (stems ZIP, MIDI, video...), rendered when it is downloaded."""

    provider: str
    name: str
    content_type: str
    render: Callable[[], bytes]


class Store:
    """Everything the built-in providers share, behind one lock.

    The emulator keeps its own bookkeeping (faults, recorded requests, routes) under the same
    lock, so one lock guards all state. Methods expect the caller to hold :attr:`lock`.

    Args:
        polls_per_stage: Status reads per stage; 0 makes a task final on its first read.
        audio_seconds: Length of every generated track.
        audio_base_url: Base of media URLs; None uses the request's scheme and host.
        task_seconds: When set, a task's stage follows the clock instead of the reads: it is
            final ``task_seconds`` after its submission, its stages spread evenly before.
    """

    def __init__(
        self,
        *,
        polls_per_stage: int,
        audio_seconds: float,
        audio_base_url: str | None,
        task_seconds: float | None = None,
    ) -> None:
        self.lock = threading.Lock()
        self.polls_per_stage = polls_per_stage
        self.task_seconds = task_seconds
        self.audio_seconds = audio_seconds
        self.audio_base_url = audio_base_url.rstrip("/") if audio_base_url else None
        self.tasks: dict[str, Task] = {}
        self.tracks: dict[str, tuple[Task, Track]] = {}
        self.scripts: defaultdict[str, deque[tuple[str, str | None]]] = defaultdict(deque)
        self.submissions: Counter[str] = Counter()
        # Per provider: the ids of tasks not yet terminal, and the most there ever were.
        self.running: defaultdict[str, set[str]] = defaultdict(set)
        self.max_running: Counter[str] = Counter()
        self.files: dict[str, StoredFile] = {}
        # Set by the emulator: posts the callbacks of tasks with a real callBackUrl.
        self.callbacks: CallbackSender | None = None

    def base_url(self, request: httpx.Request) -> str:
        """Return the base of media URLs for tasks created by this request."""
        if self.audio_base_url:
            return self.audio_base_url
        return f"{request.url.scheme}://{request.url.netloc.decode('ascii')}"

    def add_file(
        self,
        provider: str,
        base_url: str,
        name: str,
        content_type: str,
        render: Callable[[], bytes],
        *,
        file_id: str,
    ) -> str:
        """Keep a file made by a task and return its URL, ``<base>/files/<id>/<name>``.

        ``render`` runs on each download (keep it cheap or cached): polling never pays for it.
        """
        self.files[file_id] = StoredFile(provider, name, content_type, render)
        return f"{base_url.rstrip('/')}/files/{file_id}/{name}"

    def media_owner(self, match: re.Match[str]) -> str | None:
        """The provider whose task made the media file of an emulator media path match."""
        if match.group(4):
            stored = self.files.get(match.group(5))
            return stored.provider if stored else None
        owner = self.tracks.get(match.group(2))
        return owner[0].provider if owner else None

    def pop_script(self, provider: str) -> tuple[str | None, str | None]:
        """Take the scripted (final status, reason) of the next task, if any."""
        scripts = self.scripts[provider]
        return scripts.popleft() if scripts else (None, None)

    def new_id(self, make: Callable[[], str]) -> str:
        """Draw ids from ``make`` until one is used by no task and no track."""
        while True:
            new = make()
            if new not in self.tasks and new not in self.tracks:
                return new

    def register(self, task: Task) -> None:
        """Store a created task and its tracks, and count the submission."""
        self.tasks[task.id] = task
        for track in task.tracks:
            self.tracks[track.id] = (task, track)
        self.submissions[task.provider] += 1
        self.running[task.provider].add(task.id)
        count = self.running_now(task.provider)
        self.max_running[task.provider] = max(self.max_running[task.provider], count)

    def running_now(self, provider: str, terminal: frozenset[str] = frozenset()) -> int:
        """How many of ``provider``'s tasks are running: submitted, not yet terminal (on the
        emulator's clock: status reads, the stage clock of callback tasks, or ``task_seconds``).

        Args:
            provider: The provider.
            terminal: Its final statuses: with ``task_seconds``, tasks whose time is up reach
                their stage first, read or not (a task nobody polls still ends on time).
        """
        ids = self.running[provider]
        if self.task_seconds is not None:
            for task_id in ids:
                task = self.tasks[task_id]
                self.reach(task, self.clock_stage(task), terminal)
        ids.difference_update([i for i in ids if self.tasks[i].finished_at is not None])
        return len(ids)

    def clock_stage(self, task: Task) -> int:
        """The stage ``task`` has reached by ``task_seconds``: the last one once they passed
        since its submission, the earlier ones spread evenly before."""
        assert self.task_seconds is not None
        last = len(task.stages) - 1
        elapsed = time.time() - task.created_ms / 1000
        if elapsed >= self.task_seconds:
            return last
        return min(int(elapsed / self.task_seconds * last), last - 1) if last > 0 else last

    def advance(self, task: Task, terminal: frozenset[str]) -> str:
        """Serve one status read of a task and return the status to report.

        Args:
            task: The task read.
            terminal: The provider's final statuses; reaching one stamps ``finished_at``.
        """
        last = len(task.stages) - 1
        per_stage = self.polls_per_stage
        if self.task_seconds is not None:
            index = self.clock_stage(task)
        else:
            index = last if per_stage == 0 else min(task.reads // per_stage, last)
        task.reads += 1
        self.reach(task, index, terminal)
        return task.status

    def reach(self, task: Task, index: int, terminal: frozenset[str]) -> None:
        """Move a task to stage ``index`` unless it is further already, and post the callbacks
        of the stages it passes (a task with a real ``callBackUrl``).

        Args:
            task: The task.
            index: The stage reached (an index in ``task.stages``).
            terminal: The provider's final statuses; reaching one stamps ``finished_at``.
        """
        index = max(index, task.stage)
        task.stage = index
        task.status = task.stages[index]
        if task.status in terminal and task.finished_at is None:
            task.finished_at = int(time.time())
        if task.callback_url is not None and self.callbacks is not None and index > task.posted:
            first, task.posted = task.posted + 1, index
            self.callbacks.reached(task, first, index)

    def watch_callbacks(self, task: Task) -> None:
        """Send ``task``'s callbacks from now on if its request has a real ``callBackUrl``."""
        from ._callbacks import is_real

        url = task.request.get("callBackUrl")
        if self.callbacks is None or not is_real(url):
            return
        task.callback_url = str(url).strip()
        self.callbacks.watch(task)
