"""Secrets and request text stay out of what musicgen keeps and raises, on both clients.

- The disk cache keeps what a re-run needs (task id, status, tracks), never the echoed request.
- Every string field of an error goes through the provider's key masking: message, request id
  and the decoded body, whichever way the provider echoed the key.
"""

from __future__ import annotations

import urllib.parse
from pathlib import Path
from typing import Any

import httpx
import pytest

from musicgen import (
    APIError,
    GenerationFailedError,
    MurekaProvider,
    SunoProvider,
    TaskStatus,
)
from musicgen._results import Stems, Task
from musicgen._serialization import (
    JournalEntry,
    dump_journal,
    dump_result,
    load_journal,
    load_result,
)
from musicgen.cache import DiskCache
from musicgen.testing import Emulator

from .conftest import MakeClient

KEY = "sk-planted-SECRET-0123456789abcdef"
TOKEN = "PLANTEDTOKEN123"
BASE = "http://emulator.musicgen.test"
# The emulator writes Suno lyrics and titles from the first five words of a simple-mode prompt:
# those are the result, which the cache must keep. The marker comes after them.
PROMPT = "a calm tune for rainy days with PlantedPromptMarker"
MARKER = "PlantedPromptMarker"


def _providers(key: str = KEY) -> list[object]:
    return [
        SunoProvider(
            api_key=key, base_url=BASE, callback_url=f"https://hooks.example.com/cb?token={TOKEN}"
        ),
        MurekaProvider(api_key=key, base_url=BASE),
    ]


def _cache_bytes(directory: Path) -> bytes:
    # The database and its -wal/-shm companions: SQLite keeps fresh writes in the WAL.
    return b"".join(path.read_bytes() for path in sorted(directory.iterdir()) if path.is_file())


# -- the disk cache ------------------------------------------------------------------------------


def test_the_disk_cache_file_holds_no_prompt_callback_token_or_key(
    make_client: MakeClient, tmp_path: Path
) -> None:
    cache = DiskCache(tmp_path / "cache.sqlite3")
    client = make_client(providers=_providers(), cache=cache)

    # Suno echoes the whole request (prompt and callback URL) in every task record it sends.
    generation = client.generate(PROMPT, provider="suno")

    stored = _cache_bytes(tmp_path)
    assert generation.task_id.encode() in stored, "the result must be stored for the test to count"
    for planted in (MARKER, PROMPT, TOKEN, KEY):
        assert planted.encode() not in stored, f"{planted!r} is in the cache file"


def test_a_result_read_back_from_the_disk_cache_still_resumes_with_no_request(
    make_client: MakeClient, emulator: Emulator, tmp_path: Path
) -> None:
    client = make_client(providers=_providers(), cache=DiskCache(tmp_path / "cache.sqlite3"))
    first = client.generate(PROMPT, provider="suno")
    before = len(emulator.requests)

    again = client.generate(PROMPT, provider="suno")

    assert len(emulator.requests) == before
    assert (again.task_id, again.tracks) == (first.task_id, first.tracks)
    assert again.raw == {}


def test_a_stored_task_keeps_its_result_but_no_raw_payload_at_any_depth() -> None:
    echoed = {"param": f'{{"prompt": "{PROMPT}", "callBackUrl": "https://h/cb?token={TOKEN}"}}'}
    task = Task(
        task_id="t1",
        provider="suno",
        kind="stems",
        status=TaskStatus.SUCCEEDED,
        provider_status="SUCCESS",
        result=Stems(parts={"vocals": "https://cdn.example/v.mp3"}, raw=echoed),
        raw=echoed,
    )

    text = dump_result(task)

    assert MARKER not in text
    assert TOKEN not in text
    assert load_result(text, Task[Stems]) == task


def test_a_result_stored_by_an_older_musicgen_reads_as_absent() -> None:
    # Format 1 kept the raw payload: such an entry costs one free status read, then is replaced.
    old = '{"format": 1, "result": {"task_id": "t1", "provider": "suno", "kind": "stems", '
    old += '"status": "succeeded", "provider_status": "SUCCESS", "raw": {"param": "..."}}}'

    assert load_result(old, Task[Stems]) is None


def test_a_journal_entry_stored_by_an_older_musicgen_still_resumes() -> None:
    # The journal's layout did not change: reading it as absent would pay for the request again.
    entry = JournalEntry(provider="suno", task_id="t1", submitted_at=1.0)

    text = dump_journal(entry)

    assert '"format": 1' in text
    assert load_journal(text) == entry


# -- errors ----------------------------------------------------------------------------------


class Echoing(Emulator):
    """The emulator, except that balance reads get the scripted answer of their provider."""

    def __init__(self, answers: dict[str, httpx.Response]) -> None:
        super().__init__()
        self.answers = answers

    def _execute(self, request: httpx.Request, fault: Any) -> httpx.Response:
        # Both transports (sync and async) answer through _execute.
        for suffix, answer in self.answers.items():
            if request.url.path.endswith(suffix):
                return answer
        return super()._execute(request, fault)


def _error_text(error: BaseException) -> str:
    fields = {name: value for name, value in vars(error).items() if name != "generation"}
    return f"{error} {error!r} {error.args!r} {fields!r}"


def _balance_error(make_client: MakeClient, provider: str, answer: httpx.Response) -> APIError:
    paths = {"suno": "/generate/credit", "mureka": "/account/billing"}
    client = make_client(Echoing({paths[provider]: answer}), providers=_providers())
    with pytest.raises(APIError) as info:
        client.balance(provider=provider)
    return info.value


def test_a_key_echoed_anywhere_in_a_mureka_error_body_is_in_no_field_of_the_error(
    make_client: MakeClient,
) -> None:
    body = {
        "error": {"message": "Invalid Authentication"},
        "trace_id": KEY,
        "echo": {"headers": {"authorization": f"Bearer {KEY}"}},
    }

    error = _balance_error(make_client, "mureka", httpx.Response(401, json=body))

    assert error.request_id == "***"
    assert error.body["echo"] == {"headers": {"authorization": "Bearer ***"}}
    assert KEY not in _error_text(error)


def test_a_key_echoed_anywhere_in_a_suno_error_body_is_in_no_field_of_the_error(
    make_client: MakeClient,
) -> None:
    body = {"code": 401, "msg": f"unknown key {KEY}", "data": {"key": KEY}}

    error = _balance_error(make_client, "suno", httpx.Response(200, json=body))

    assert error.body["data"] == {"key": "***"}
    assert KEY not in _error_text(error)


def test_a_percent_encoded_key_echoed_as_the_request_id_is_masked(
    make_client: MakeClient,
) -> None:
    key = "mk/Planted+Key=0123456789abcdef"
    encoded = urllib.parse.quote(key, safe="")
    body = {"error": {"message": "Invalid Authentication"}, "trace_id": f"req-{encoded}"}
    client = make_client(
        Echoing({"/account/billing": httpx.Response(401, json=body)}), providers=_providers(key)
    )

    with pytest.raises(APIError) as info:
        client.balance(provider="mureka")

    assert info.value.request_id == "req-***"
    assert encoded not in _error_text(info.value)


@pytest.mark.parametrize(
    ("provider", "final_status", "call"),
    [
        ("suno", "GENERATE_AUDIO_FAILED", {}),
        ("mureka", "failed", {"lyrics": "[Verse]\nla la la"}),
    ],
    ids=["suno", "mureka"],
)
def test_a_key_echoed_in_a_failed_tasks_reason_is_masked_in_the_error_and_its_generation(
    make_client: MakeClient,
    emulator: Emulator,
    provider: str,
    final_status: str,
    call: dict[str, Any],
) -> None:
    client = make_client(providers=_providers())
    emulator.script_next_task(provider, final_status=final_status, reason=f"bad key {KEY}")

    with pytest.raises(GenerationFailedError) as info:
        client.generate("a calm tune", provider=provider, **call)

    error = info.value
    assert "bad key ***" in str(error)
    assert error.generation.error is not None
    assert error.generation.error.startswith("bad key ***")
    assert KEY not in _error_text(error)
    assert KEY not in repr(error.generation) + repr(dict(error.generation.raw))
