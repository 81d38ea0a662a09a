"""Each command, run as `python -m musicgen ...` against the emulator on a real socket."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from musicgen.testing import Emulator, EmulatorServer

from .conftest import Cli


def emulated(server: EmulatorServer, cli: Cli, *more: str) -> tuple[str, ...]:
    """The flags of a run against ``server`` with a cache file of the test's own."""
    return ("--emulator-url", server.url, "--cache", str(cli.home / "cache.sqlite3"), *more)


def test_generate_writes_the_tracks_into_the_output_directory(
    cli: Cli, server: EmulatorServer
) -> None:
    run = cli("generate", "rain on a tin roof", "-o", "songs", *emulated(server, cli))

    assert run.code == 0, run.stderr
    files = sorted((cli.home / "songs").iterdir())
    assert len(files) == 2
    assert all(path.read_bytes()[:4] == b"RIFF" and path.suffix == ".wav" for path in files)
    assert all(f"songs/{path.name}" in run.stdout for path in files)


def test_generate_no_wait_prints_the_task_id_and_leaves_it_running(
    cli: Cli, server: EmulatorServer, emulator: Emulator
) -> None:
    run = cli("generate", "rain", "--no-wait", *emulated(server, cli))

    assert run.code == 0, run.stderr
    (task_id,) = emulator.tasks
    assert run.stdout == f"{task_id}\n"
    assert f"musicgen wait {task_id} --provider suno" in run.stderr
    assert emulator.tasks[task_id].status_reads == 0
    assert not (cli.home / "musicgen-output").exists()


def test_wait_finishes_a_task_another_process_submitted(
    cli: Cli, server: EmulatorServer, emulator: Emulator
) -> None:
    task_id = cli("generate", "rain", "--no-wait", *emulated(server, cli)).stdout.strip()

    run = cli("wait", task_id, "--json", *emulated(server, cli))

    assert run.code == 0, run.stderr
    result = run.json()
    assert (result["task_id"], result["status"]) == (task_id, "succeeded")
    assert all(Path(track["file"]).is_file() for track in result["tracks"])
    assert emulator.submissions("suno") == 1


def test_generate_again_resumes_the_journalled_task_instead_of_paying_twice(
    cli: Cli, server: EmulatorServer, emulator: Emulator
) -> None:
    first = cli("generate", "rain", "--no-wait", *emulated(server, cli)).stdout.strip()

    run = cli("generate", "rain", "--json", *emulated(server, cli))

    assert run.code == 0, run.stderr
    assert run.json()["task_id"] == first
    assert emulator.submissions("suno") == 1


def test_generate_fresh_pays_for_a_new_take(
    cli: Cli, server: EmulatorServer, emulator: Emulator
) -> None:
    cli("generate", "rain", "--no-download", *emulated(server, cli))

    run = cli("generate", "rain", "--fresh", "--no-download", *emulated(server, cli))

    assert run.code == 0, run.stderr
    assert emulator.submissions("suno") == 2


def test_generate_until_stream_returns_with_the_stream_url(cli: Cli) -> None:
    with EmulatorServer(Emulator(polls_per_stage=1)) as slow:
        run = cli("generate", "rain", "--until", "stream", "--json", *emulated(slow, cli))
        url = slow.url

    assert run.code == 0, run.stderr
    result = run.json()
    assert result["status"] == "streaming"
    assert result["tracks"][0]["stream_url"].startswith(url)
    assert "file" not in result["tracks"][0]


def test_generate_reads_lyrics_from_stdin(
    cli: Cli, server: EmulatorServer, emulator: Emulator
) -> None:
    run = cli(
        "generate",
        "--lyrics",
        "-",
        "--provider",
        "mureka",
        "--no-download",
        "--json",
        *emulated(server, cli),
        input="[Verse]\nla la la\n",
    )

    assert run.code == 0, run.stderr
    assert run.json()["provider"] == "mureka"
    (submitted,) = [r.json for r in emulator.requests if r.path == "/v1/song/generate"]
    assert submitted["lyrics"].strip() == "[Verse]\nla la la"


def test_status_reads_a_task_once(cli: Cli, server: EmulatorServer, emulator: Emulator) -> None:
    task_id = cli("generate", "rain", "--no-wait", *emulated(server, cli)).stdout.strip()

    run = cli("status", task_id, *emulated(server, cli))

    assert run.code == 0, run.stderr
    assert run.stdout.startswith(f"suno task {task_id} succeeded (SUCCESS)")
    assert emulator.tasks[task_id].status_reads == 1


def test_download_writes_a_finished_tasks_tracks(cli: Cli, server: EmulatorServer) -> None:
    task_id = cli("generate", "rain", "--no-download", *emulated(server, cli)).stdout.split()[2]

    run = cli("download", task_id, "-o", "again", *emulated(server, cli))

    assert run.code == 0, run.stderr
    assert len(list((cli.home / "again").glob("*.wav"))) == 2


def test_download_writes_one_url(cli: Cli, server: EmulatorServer) -> None:
    result = cli("generate", "rain", "--no-download", "--json", *emulated(server, cli)).json()
    url = result["tracks"][0]["audio_url"]

    run = cli("download", url, "--json", *emulated(server, cli))

    assert run.code == 0, run.stderr
    assert Path(run.json()["file"]).read_bytes()[:4] == b"RIFF"


def test_balance_lists_each_providers_balance(cli: Cli, server: EmulatorServer) -> None:
    run = cli("balance", "--json", *emulated(server, cli))

    assert run.code == 0, run.stderr
    assert run.json() == [
        {"provider": "suno", "amount": 500, "unit": "credits"},
        {"provider": "mureka", "amount": 10000, "unit": "cents"},
    ]


def test_models_lists_the_catalogs_without_a_key(cli: Cli) -> None:
    run = cli("models", "--json")

    assert run.code == 0, run.stderr
    catalogs = run.json()
    assert catalogs["suno"]["default"] == "V4_5"
    plus = next(model for model in catalogs["suno"]["models"] if model["id"] == "V4_5PLUS")
    assert plus["aliases"] == ["chirp-bluejay"]
    assert plus["limits"]["lyrics"] == 5000
    assert catalogs["mureka"]["default"] == "auto"


def test_history_lists_journalled_tasks_newest_first_with_their_status(
    cli: Cli, server: EmulatorServer
) -> None:
    done = cli("generate", "rain", "--no-download", "--json", *emulated(server, cli)).json()
    pending = cli("generate", "snow", "--no-wait", *emulated(server, cli)).stdout.strip()

    run = cli("history", "--json", "--cache", str(cli.home / "cache.sqlite3"))

    assert run.code == 0, run.stderr
    rows = [(row["task_id"], row["status"], row["title"]) for row in run.json()]
    assert rows == [(pending, "unfinished", None), (done["task_id"], "succeeded", "Rain")]


def test_history_reads_the_default_cache_file(cli: Cli, tmp_path: Path) -> None:
    run = cli("history")

    assert (run.code, run.stdout) == (0, "")
    assert run.stderr == "no tasks in the journal yet\n"
    assert not (tmp_path / "cache").exists()  # listing creates no cache file


def test_extend_continues_a_tasks_first_track(
    cli: Cli, server: EmulatorServer, emulator: Emulator
) -> None:
    task_id = cli("generate", "rain", "--no-download", *emulated(server, cli)).stdout.split()[2]

    run = cli(
        "extend",
        task_id,
        "--at",
        "1",
        "--style",
        "folk",
        "--title",
        "Rain II",
        "--lyrics",
        "-",
        "--json",
        *emulated(server, cli),
        input="[Verse]\nmore rain\n",
    )

    assert run.code == 0, run.stderr
    result = run.json()
    assert result["task_id"] != task_id
    assert {track["title"] for track in result["tracks"]} == {"Rain II"}
    assert all(Path(track["file"]).is_file() for track in result["tracks"])
    assert emulator.submissions("suno") == 2


def test_lyrics_prints_the_drafts(cli: Cli, server: EmulatorServer) -> None:
    run = cli("lyrics", "rain at night", "--json", *emulated(server, cli))

    assert run.code == 0, run.stderr
    drafts = run.json()
    assert len(drafts) == 2
    assert all("[Verse]" in draft["text"] for draft in drafts)


def test_stems_downloads_each_part(cli: Cli, server: EmulatorServer) -> None:
    task_id = cli("generate", "rain", "--no-download", *emulated(server, cli)).stdout.split()[2]

    run = cli("stems", task_id, "--json", *emulated(server, cli))

    assert run.code == 0, run.stderr
    parts = run.json()["parts"]
    assert set(parts) == {"vocals", "instrumental"}
    assert all(Path(part["file"]).read_bytes()[:4] == b"RIFF" for part in parts.values())


def test_emulator_serve_prints_its_url_and_serves_until_terminated(cli: Cli) -> None:
    process = cli.start("emulator", "serve", "--port", "0")
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        run = cli("balance", "--provider", "suno", "--json", "--emulator-url", url)
        assert run.json() == [{"provider": "suno", "amount": 500, "unit": "credits"}]
    finally:
        process.terminate()
        _, err = process.communicate(timeout=10)
    assert process.returncode == 0, err
    assert url.startswith("http://127.0.0.1:")


def test_importing_musicgen_does_not_import_the_command_line() -> None:
    code = (
        "import sys, httpx; before = set(sys.modules); import musicgen; "
        "print(sorted(m for m in set(sys.modules) - before "
        "if m.split('.')[0] in ('rich', 'click') or m.startswith('musicgen.cli')))"
    )
    env_src = str(Path(__file__).resolve().parents[2] / "src")
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": env_src, "PATH": "/usr/bin:/bin"},
        check=True,
    )
    assert json.loads(done.stdout.replace("'", '"')) == []
