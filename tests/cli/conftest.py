"""Run the real entry point (``python -m musicgen``) in subprocesses, piped or on a pty.

The environment is scrubbed: no API keys, no emulator URL, and every cache and output path is
under the test's own directory, so a test never reads or writes the user's cache.
"""

from __future__ import annotations

import json
import os
import re
import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs
import pytest

import musicgen
from musicgen.testing import Emulator, EmulatorServer

# The command line needs its extra (`pip install -e '.[dev]'` has it).
pytest.importorskip("click")
pytest.importorskip("rich")

SRC = str(Path(musicgen.__file__).resolve().parents[1])
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")
_SCRUBBED = ("SUNO_API_KEY", "MUREKA_API_KEY", "MUSICGEN_CACHE", "XDG_CACHE_HOME", "COLUMNS")


@attrs.frozen
class Result:
    """How a run ended."""

    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


@attrs.frozen
class PtyResult:
    """How a run on a terminal ended: everything it drew (stdout and stderr are one pty)."""

    code: int
    raw: str

    @property
    def text(self) -> str:
        """What was drawn, without terminal escapes and carriage returns."""
        return _ANSI.sub("", self.raw).replace("\r", "")


def make_env(home: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("MUSICGEN_") and key not in _SCRUBBED
    }
    env.update(
        PYTHONPATH=os.pathsep.join(filter(None, [SRC, os.environ.get("PYTHONPATH")])),
        HOME=str(home),
        MUSICGEN_CACHE_DIR=str(home / "cache"),
        TERM="xterm-256color",
    )
    env.update(extra or {})
    return env


class Cli:
    """``python -m musicgen`` in a scrubbed environment, from the test's directory."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.env = make_env(home)

    def argv(self, args: tuple[str, ...]) -> list[str]:
        return [sys.executable, "-m", "musicgen", *args]

    def __call__(self, *args: str, input: str | None = None, timeout: float = 60) -> Result:
        """Run piped (stdout and stderr are pipes, as in a script)."""
        done = subprocess.run(
            self.argv(args),
            input=input,
            capture_output=True,
            text=True,
            env=self.env,
            cwd=self.home,
            timeout=timeout,
            check=False,
        )
        return Result(done.returncode, done.stdout, done.stderr)

    def start(self, *args: str) -> subprocess.Popen[str]:
        """Start piped, to signal it while it runs."""
        return subprocess.Popen(
            self.argv(args),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=self.env,
            cwd=self.home,
        )

    def on_terminal(
        self,
        *args: str,
        interrupt_when: Callable[[], bool] | None = None,
        timeout: float = 60,
    ) -> PtyResult:
        """Run with stdin, stdout and stderr on a pseudo-terminal 200 columns wide; send
        SIGINT (as Ctrl-C does) once ``interrupt_when()`` is true."""
        import pty  # POSIX only: the tests that use it are skipped on Windows

        master, slave = pty.openpty()
        _set_size(slave, rows=50, columns=200)
        process = subprocess.Popen(
            self.argv(args),
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=self.env,
            cwd=self.home,
            close_fds=True,
        )
        os.close(slave)
        output = bytearray()
        deadline = time.monotonic() + timeout
        interrupted = False
        try:
            while time.monotonic() < deadline:
                if interrupt_when is not None and not interrupted and interrupt_when():
                    process.send_signal(signal.SIGINT)
                    interrupted = True
                ready, _, _ = select.select([master], [], [], 0.05)
                if ready:
                    try:
                        chunk = os.read(master, 65536)
                    except OSError:  # the child closed the terminal (EIO on Linux)
                        break
                    if not chunk:
                        break
                    output += chunk
                elif process.poll() is not None:
                    break
            else:
                process.kill()
                pytest.fail(f"timed out; output so far: {output.decode(errors='replace')!r}")
            code = process.wait(timeout=10)
        finally:
            os.close(master)
            if process.poll() is None:
                process.kill()
                process.wait()
        return PtyResult(code, output.decode("utf-8", errors="replace"))


def _set_size(fd: int, *, rows: int, columns: int) -> None:
    import fcntl
    import struct
    import termios

    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))


#: Marks the tests that need a pseudo-terminal or SIGINT to a child (POSIX only).
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="needs pty and SIGINT (POSIX)")


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path)


@pytest.fixture
def emulator() -> Emulator:
    """The emulator behind ``server``: tasks finish on their first status read."""
    return Emulator(polls_per_stage=0)


@pytest.fixture
def server(emulator: Emulator) -> Iterator[EmulatorServer]:
    """The emulator on a real socket, reached with ``--emulator-url``."""
    with EmulatorServer(emulator) as running:
        yield running


def status_reads(emulator: Emulator) -> int:
    """Status reads the emulator answered (the submission is not one)."""
    return sum(task.status_reads for task in emulator.tasks.values())
