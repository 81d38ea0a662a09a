"""examples/fleet runs as its README says: an emulator server, two arq workers, the producer."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

FLEET = Path(__file__).parents[2] / "examples" / "fleet"


def stop(process: subprocess.Popen[str]) -> None:
    """SIGTERM (how arq and the emulator are stopped), then SIGKILL if it lingers."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture
def fleet_env(redis_url: str, redis_prefix: str) -> Iterator[dict[str, str]]:
    """The README's steps 2 and 3: the emulator server and two workers, on the test's Redis."""
    pytest.importorskip("arq", reason="the fleet example needs arq: pip install arq")
    emulator = subprocess.Popen(
        [sys.executable, "-m", "musicgen.testing", "--port", "0", "--task-seconds", "0.2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert emulator.stdout is not None
    env = {
        **os.environ,
        # This checkout's musicgen first, as the test process imports it.
        "PYTHONPATH": os.pathsep.join(
            [str(FLEET.parents[1] / "src"), *filter(None, [os.environ.get("PYTHONPATH")])]
        ),
        "MUSICGEN_REDIS_URL": redis_url,
        "MUSICGEN_EMULATOR_URL": emulator.stdout.readline().strip(),
        "MUSICGEN_FLEET_QUEUE": redis_prefix + "fleet",
    }
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "arq", "worker.WorkerSettings"],
            cwd=FLEET,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        for _ in range(2)
    ]
    try:
        yield env
    finally:
        for process in [*workers, emulator]:
            stop(process)


def test_the_producer_gets_every_job_done_paying_once_per_distinct_request(
    fleet_env: dict[str, str],
) -> None:
    done = subprocess.run(
        [sys.executable, "producer.py"],
        cwd=FLEET,
        env=fleet_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "12 jobs, 12 finished, 8 tasks paid for"


@pytest.mark.parametrize("script", ["worker.py", "producer.py"])
@pytest.mark.parametrize("module", ["redis", "arq"])
def test_a_fleet_script_without_its_extra_exits_with_one_line(script: str, module: str) -> None:
    # Blocks the module the way an absent package would, then runs the script.
    runner = (
        "import runpy, sys\n"
        f"sys.modules[{module!r}] = None\n"
        f"runpy.run_path({str(FLEET / script)!r}, run_name='__main__')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", runner], capture_output=True, text=True, timeout=60, check=False
    )

    assert done.returncode == 1
    assert done.stderr.strip() == (
        f"examples/fleet/{script} needs the redis extra and arq: "
        "pip install 'musicgen-sdk[redis]' arq"
    )
