"""Ctrl-C while a paid task is waited on: the task id, the command that resumes it, exit 130."""

from __future__ import annotations

import re
import signal
import time
from collections.abc import Iterator

import pytest

from musicgen.testing import Emulator, EmulatorServer

from .conftest import Cli, posix_only, status_reads


@pytest.fixture
def endless() -> Iterator[EmulatorServer]:
    """An emulator whose tasks stay queued for a thousand reads: a wait to interrupt."""
    with EmulatorServer(Emulator(polls_per_stage=1000)) as server:
        yield server


def polled(server: EmulatorServer) -> bool:
    """True once the command is waiting: its task was submitted and read at least once."""
    return status_reads(server.emulator) >= 1


@posix_only
def test_ctrl_c_mid_wait_prints_the_task_and_the_command_that_resumes_it(
    cli: Cli, endless: EmulatorServer
) -> None:
    process = cli.start("generate", "rain", "--emulator-url", endless.url)
    deadline = time.monotonic() + 30
    while not polled(endless) and time.monotonic() < deadline:
        time.sleep(0.02)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)

    (task_id,) = endless.emulator.tasks
    assert process.returncode == 130
    assert out == ""
    assert err.strip().splitlines() == [
        f"Interrupted. suno task {task_id} was submitted (and paid for) and runs on; "
        "resume it with:",
        f"  musicgen wait {task_id} --provider suno --emulator-url {endless.url}",
    ]


@posix_only
def test_ctrl_c_on_a_terminal_stops_the_live_view_and_prints_the_resume_command(
    cli: Cli, endless: EmulatorServer
) -> None:
    run = cli.on_terminal(
        "generate", "rain", "--emulator-url", endless.url, interrupt_when=lambda: polled(endless)
    )

    (task_id,) = endless.emulator.tasks
    assert run.code == 130
    assert re.search(rf"suno task {task_id} +queued \(PENDING\)", run.text)
    assert f"musicgen wait {task_id} --provider suno --emulator-url {endless.url}" in run.text


@posix_only
def test_ctrl_c_while_waiting_by_id_prints_the_same_resume_command(
    cli: Cli, endless: EmulatorServer
) -> None:
    submitted = cli("generate", "rain", "--no-wait", "--emulator-url", endless.url)
    task_id = submitted.stdout.strip()
    process = cli.start("wait", task_id, "--provider", "suno", "--emulator-url", endless.url)
    deadline = time.monotonic() + 30
    while status_reads(endless.emulator) < 1 and time.monotonic() < deadline:
        time.sleep(0.02)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=30)

    assert process.returncode == 130
    assert f"  musicgen wait {task_id} --provider suno --emulator-url {endless.url}" in err
    assert endless.emulator.submissions("suno") == 1
