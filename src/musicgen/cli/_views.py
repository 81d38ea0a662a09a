"""What the commands show: live progress and byte bars on a terminal, plain lines or JSON else.

Progress (the live wait, the download bars, spinners) is drawn on stderr, and only when both
stdout and stderr are terminals and ``--json`` is off; results go to stdout. Piped, the output
is the results alone, and with ``--json`` one JSON document.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TransferSpeedColumn,
)
from rich.spinner import Spinner
from rich.table import Table
from rich.text import Text

from .._models import Generation, TaskStatus, Track
from .._progress import Progress as TaskProgress
from ._runtime import ByteMeter, State

__all__ = ["Output", "WaitView", "generation_json", "track_json"]

_PIPED_WIDTH = 10_000

_STATUS_STYLE = {
    TaskStatus.SUCCEEDED: "green",
    TaskStatus.STREAMING: "cyan",
    TaskStatus.FAILED: "red",
    TaskStatus.CANCELLED: "red",
    TaskStatus.TIMED_OUT: "red",
}


class Output:
    """Where a command writes: results on stdout, progress and messages on stderr."""

    def __init__(self, *, json_mode: bool) -> None:
        self.json_mode = json_mode
        terminal = _isatty(sys.stdout) and _isatty(sys.stderr)
        #: Draw live progress, spinners and bars (a terminal, and not ``--json``).
        self.interactive = terminal and not json_mode
        piped = not _isatty(sys.stdout)
        # Piped, lines are never wrapped or cut (a script reads whole task ids and paths).
        self.out = Console(
            file=sys.stdout,
            highlight=False,
            soft_wrap=piped,
            width=_PIPED_WIDTH if piped else None,
            emoji=False,
        )
        self.err = Console(file=sys.stderr, highlight=False, emoji=False)

    # -- results --------------------------------------------------------------------------------

    def json(self, value: Any) -> None:
        """Print ``value`` as one JSON document on stdout."""
        sys.stdout.write(json.dumps(value, indent=2, ensure_ascii=False) + "\n")
        sys.stdout.flush()

    def line(self, *parts: str | Text) -> None:
        """Print one line of results on stdout (no markup is interpreted)."""
        self.out.print(Text.assemble(*parts))

    def table(self, table: Table) -> None:
        self.out.print(table)

    def note(self, text: str) -> None:
        """A message for the person at the terminal (stderr, unwrapped; not with ``--json``)."""
        if not self.json_mode:
            sys.stderr.write(text + "\n")
            sys.stderr.flush()

    # -- progress -------------------------------------------------------------------------------

    @contextmanager
    def waiting(self, state: State, label: str) -> Iterator[WaitView]:
        """Show a task's live progress while the block waits on it (only on a terminal)."""
        view = WaitView(state, label)
        if not self.interactive:
            yield view
            return
        with Live(view, console=self.err, refresh_per_second=8, transient=False):
            try:
                yield view
            finally:
                view.stopped = True

    @contextmanager
    def spinner(self, label: str) -> Iterator[None]:
        """A spinner with ``label`` while a call without progress updates runs."""
        if not self.interactive:
            yield
            return
        with self.err.status(Text(label)):
            yield

    def downloads(
        self,
        meter: ByteMeter,
        items: Sequence[tuple[str, Callable[[], Path]]],
    ) -> list[Path]:
        """Run each download (``(label, fetch)``), with a byte bar each on a terminal."""
        if not self.interactive:
            return [fetch() for _, fetch in items]
        paths: list[Path] = []
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
        )
        with Progress(*columns, console=self.err, transient=False) as bars:
            for label, fetch in items:
                bar = bars.add_task(label, total=None)

                def count(total: int | None, bar: TaskID = bar) -> Callable[[int], None]:
                    bars.reset(bar, total=total)
                    return lambda size: bars.advance(bar, size)

                with meter.metering(count):
                    path = fetch()
                done = bars.tasks[bar].completed
                bars.update(bar, total=done or None, completed=done)
                paths.append(path)
        return paths


class WaitView:
    """The live line of a wait: provider, task, status, elapsed time, polls, stream URL."""

    def __init__(self, state: State, label: str) -> None:
        self._state = state
        self._label = label
        self._started = time.monotonic()
        self._spinner = Spinner("dots")
        self.progress: TaskProgress | None = None
        self.stopped = False

    def update(self, progress: TaskProgress) -> None:
        """The ``on_progress`` of the wait."""
        self.progress = progress
        self._state.task = (progress.provider, progress.task_id)

    def __rich__(self) -> RenderableType:
        elapsed = time.monotonic() - self._started
        progress = self.progress
        grid = Table.grid(padding=(0, 1))
        if progress is None:
            if self.stopped:
                return Text("")  # answered without a wait (e.g. from the cache): no line
            grid.add_row(self._spinner, Text(f"{self._label}…"), Text(f"{elapsed:.1f}s", "dim"))
            return grid
        status = progress.status
        polls = max(progress.polls, self._state.polls)
        mark: RenderableType = self._spinner
        if status.is_terminal or self.stopped:
            mark = Text(
                "✓" if status is TaskStatus.SUCCEEDED else "•", _STATUS_STYLE.get(status, "")
            )
        grid.add_row(
            mark,
            Text(f"{progress.provider} task {progress.task_id}", "bold"),
            Text(status.value, _STATUS_STYLE.get(status, "yellow")),
            Text(f"({progress.provider_status})", "dim"),
            Text(f"{elapsed:.1f}s"),
            Text(f"{polls} poll{'s' if polls != 1 else ''}", "dim"),
        )
        if progress.stream_url is None:
            return grid
        stream = Text.assemble(("  stream: ", "dim"), (progress.stream_url, "cyan underline"))
        return Group(grid, stream)


# -- JSON shapes -------------------------------------------------------------------------------


def track_json(track: Track, path: Path | None = None) -> dict[str, Any]:
    """A track as JSON (with the file it was written to, once downloaded)."""
    value: dict[str, Any] = {
        "id": track.id,
        "title": track.title,
        "duration": track.duration,
        "audio_url": track.audio_url,
        "stream_url": track.stream_url,
        "image_url": track.image_url,
        "wav_url": track.wav_url,
        "flac_url": track.flac_url,
        "tags": list(track.tags),
        "lyrics": track.lyrics,
    }
    if path is not None:
        value["file"] = str(path.absolute())
    return value


def generation_json(
    generation: Generation, files: Mapping[str, Path] | None = None
) -> dict[str, Any]:
    """A generation as JSON; ``files`` maps a track id to the file written for it."""
    files = files or {}
    return {
        "task_id": generation.task_id,
        "provider": generation.provider,
        "model": generation.model,
        "status": generation.status.value,
        "provider_status": generation.provider_status,
        "error": generation.error,
        "correlation_id": generation.correlation_id,
        "tracks": [track_json(track, files.get(track.id)) for track in generation.tracks],
    }


def status_text(status: TaskStatus) -> Text:
    return Text(status.value, _STATUS_STYLE.get(status, "yellow"))


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
