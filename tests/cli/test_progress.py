"""What `musicgen generate` shows: live progress on a terminal, and nothing but results else."""

from __future__ import annotations

import json
import re
from pathlib import Path

from musicgen.testing import EmulatorServer

from .conftest import Cli, posix_only


@posix_only
def test_generate_on_a_terminal_shows_live_progress_and_the_stream_url(cli: Cli) -> None:
    run = cli.on_terminal("generate", "a calm lo-fi beat", "--emulator")

    assert run.code == 0, run.text
    task = re.search(r"suno task ([0-9a-f]{32})", run.text)
    assert task is not None, run.text
    # Each stage as it came, with the polls counted and the seconds elapsed.
    assert "queued (PENDING)" in run.text
    assert "running (TEXT_SUCCESS)" in run.text
    assert re.search(r"\d+\.\ds +[1-9]\d* polls?", run.text)
    assert re.search(r"stream: http://emulator\.musicgen\.test/audio/\S+\.stream\.wav", run.text)


@posix_only
def test_generate_on_a_terminal_shows_a_byte_bar_per_download(
    cli: Cli, server: EmulatorServer
) -> None:
    # Over a real socket, so the bytes are counted as they stream in.
    run = cli.on_terminal("generate", "a calm lo-fi beat", "--emulator-url", server.url)

    assert run.code == 0, run.text
    # Both tracks counted up to their full size (the emulator's 2 s WAV files: 88.2 kB).
    assert len(re.findall(r"88\.2/88\.2 kB", run.text)) >= 2


@posix_only
def test_generate_with_json_on_a_terminal_prints_only_the_json(cli: Cli) -> None:
    run = cli.on_terminal("generate", "a calm lo-fi beat", "--emulator", "--json")

    assert run.code == 0, run.text
    assert "\x1b" not in run.raw  # nothing drawn: no spinner, no bar, no colour
    result = json.loads(run.text)
    assert result["status"] == "succeeded"
    files = [Path(track["file"]) for track in result["tracks"]]
    assert len(files) == 2
    assert all(path.parent == cli.home / "musicgen-output" and path.is_file() for path in files)


def test_generate_piped_prints_the_results_and_no_progress(cli: Cli) -> None:
    run = cli("generate", "a calm lo-fi beat", "--emulator")

    assert run.code == 0, run.stderr
    assert run.stderr == ""
    assert "\x1b" not in run.stdout
    assert "poll" not in run.stdout
    lines = run.stdout.splitlines()
    assert re.fullmatch(r"suno task [0-9a-f]{32} succeeded \(SUCCESS\) .*2 tracks", lines[0])
    assert len(lines) == 3  # the task, then one line per track with its file
    assert all(line.rstrip().endswith(".wav") for line in lines[1:])
