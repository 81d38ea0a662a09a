"""Prompts, lyrics, styles and titles are removed by content, not only by name.

A validator holds the prompt in a variable called ``value``; a provider's failure reason may
quote the lyrics. Without ``send_default_pii`` (Sentry) or ``include_text=True`` (logs) the
call's texts reach neither, wherever they are held. Sentry runs for real, over its HTTP
transport to a loopback ``SentryServer``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest

from musicgen import GenerationFailedError, ValidationError
from musicgen.observability import LoggingHook, SentryHook
from musicgen.observability._redact import FILTERED, redact_content, user_texts
from musicgen.testing import Emulator, SentryServer

from .conftest import Drive, step

pytestmark = pytest.mark.filterwarnings(
    "ignore:The send_default_pii option is deprecated:DeprecationWarning"
)

# Over Suno's 500-character limit for a simple-mode prompt: refused before anything is sent.
PROMPT = "a quokka named Marzipan sings to the nightingale of Ljubljana " * 10
PROMPT_MARKERS = ("Marzipan", "Ljubljana", "quokka")
LYRIC_LINE = "Wintermoth Okonkwo whispers under Varanasi bridges"
LYRICS = f"[Verse]\n{LYRIC_LINE}\nand the river keeps the time\n"
SONG = {"provider": "suno", "lyrics": LYRICS, "style": "dream pop", "title": "Glass Harbour"}


def flushed(server: SentryServer) -> list[dict[str, Any]]:
    import sentry_sdk

    sentry_sdk.flush(timeout=5)
    return server.events


def sensitive_failure(emulator: Emulator) -> None:
    # What Suno does with a flagged song: the reason may quote what it flagged.
    emulator.script_next_task(
        "suno",
        final_status="SENSITIVE_WORD_ERROR",
        reason=f"The lyrics contain sensitive words: {LYRIC_LINE}",
    )


# -- Sentry ----------------------------------------------------------------------------------


def test_a_suno_prompt_that_fails_validation_reaches_no_sentry_event(
    sentry_init: Callable[..., Any],
    sentry_server: SentryServer,
    obs_drive: Drive,
    obs_emulator: Emulator,
) -> None:
    sentry_init()

    [error] = obs_drive(
        obs_emulator, [step("generate", PROMPT, provider="suno")], hooks=[SentryHook()]
    )

    assert isinstance(error, ValidationError)
    [event] = flushed(sentry_server)
    frames = event["exception"]["values"][-1]["stacktrace"]["frames"]
    assert any("value" in frame.get("vars", {}) for frame in frames), "the validator's frame"
    assert "prompt is 6" in event["exception"]["values"][-1]["value"], "diagnostics stay"
    for marker in PROMPT_MARKERS:
        assert marker.encode() not in sentry_server.raw_bytes, f"{marker!r} reached Sentry"


def test_the_prompt_is_kept_when_the_host_sends_pii(
    sentry_init: Callable[..., Any],
    sentry_server: SentryServer,
    obs_drive: Drive,
    obs_emulator: Emulator,
) -> None:
    sentry_init(send_default_pii=True)

    obs_drive(obs_emulator, [step("generate", PROMPT, provider="suno")], hooks=[SentryHook()])

    [event] = flushed(sentry_server)
    frames = event["exception"]["values"][-1]["stacktrace"]["frames"]
    assert any("Marzipan" in str(frame.get("vars", {}).get("value")) for frame in frames)


def test_an_error_the_host_captures_after_the_call_carries_no_prompt(
    sentry_init: Callable[..., Any],
    sentry_server: SentryServer,
    obs_drive: Drive,
    obs_emulator: Emulator,
) -> None:
    import sentry_sdk

    sentry_init()

    # The host reports the errors it catches itself, once the call is over.
    hooks = [SentryHook(capture_failures=False)]
    [error] = obs_drive(obs_emulator, [step("generate", PROMPT, provider="suno")], hooks=hooks)
    sentry_sdk.capture_exception(error)

    [event] = flushed(sentry_server)
    assert event["exception"]["values"][-1]["type"] == "ValidationError"
    for marker in PROMPT_MARKERS:
        assert marker.encode() not in sentry_server.raw_bytes, f"{marker!r} reached Sentry"


def test_lyrics_quoted_in_a_failure_reason_reach_no_sentry_event_or_breadcrumb(
    sentry_init: Callable[..., Any],
    sentry_server: SentryServer,
    obs_drive: Drive,
    obs_emulator: Emulator,
) -> None:
    sentry_init()  # its logging integration turns musicgen's log records into breadcrumbs
    sensitive_failure(obs_emulator)

    [error] = obs_drive(
        obs_emulator, [step("generate", **SONG)], hooks=[SentryHook(), LoggingHook()]
    )

    assert isinstance(error, GenerationFailedError)
    [event] = flushed(sentry_server)
    assert event["breadcrumbs"]["values"], "the log records must arrive for the test to count"
    assert "sensitive words" in event["exception"]["values"][-1]["value"]
    for marker in ("Wintermoth", "Okonkwo", "Varanasi"):
        assert marker.encode() not in sentry_server.raw_bytes, f"{marker!r} reached Sentry"


# -- logs ------------------------------------------------------------------------------------


def test_lyrics_quoted_in_a_failure_reason_reach_no_log_record(
    obs_drive: Drive, obs_emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    sensitive_failure(obs_emulator)

    with caplog.at_level(logging.DEBUG):
        [error] = obs_drive(obs_emulator, [step("generate", **SONG)], hooks=[LoggingHook()])

    assert isinstance(error, GenerationFailedError)
    failures = [r for r in caplog.records if "sensitive words" in r.getMessage()]
    assert failures, "the failure must be logged, its reason readable"
    for record in caplog.records:
        logged = record.getMessage() + repr(record.__dict__)
        assert "Varanasi" not in logged, f"the lyrics reached {record.getMessage()!r}"


def test_lyrics_are_logged_when_the_hook_is_told_to_include_text(
    obs_drive: Drive, obs_emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    sensitive_failure(obs_emulator)

    with caplog.at_level(logging.DEBUG):
        obs_drive(obs_emulator, [step("generate", **SONG)], hooks=[LoggingHook(include_text=True)])

    assert any(LYRIC_LINE in r.getMessage() for r in caplog.records)


# -- the pieces ------------------------------------------------------------------------------


def _generate(prompt: str, *, lyrics: str | None = None) -> frozenset[str]:
    return user_texts(frame=__import__("sys")._getframe())


def test_the_texts_of_the_running_call_are_found_in_its_frames() -> None:
    assert _generate("a calm lofi beat", lyrics="[Verse]\nla la la la") == {
        "a calm lofi beat",
        "[Verse]\nla la la la",
    }


def test_each_line_of_lyrics_is_masked_even_when_quoted_alone() -> None:
    text = f"flagged: {LYRIC_LINE!r}"
    assert redact_content(text, {LYRICS}) == f"flagged: '{FILTERED}'"


def test_a_text_is_masked_in_its_escaped_forms_and_any_case() -> None:
    lyrics = 'She said "stay"\nunder the lanterns tonight'
    masked = redact_content(f"{lyrics!r} / {lyrics.upper()}", {lyrics})
    assert "lantern" not in masked.lower()
    assert "stay" not in masked


def test_a_short_text_is_masked_as_a_whole_word_only() -> None:
    assert redact_content("lofi beats from lofinal", {"lofi"}) == f"{FILTERED} beats from lofinal"


def test_a_cut_copy_of_a_long_text_is_masked_whole() -> None:
    # What a frame variable looks like when Sentry truncates it.
    assert redact_content(repr(PROMPT[:150]) + "...", {PROMPT}) == FILTERED
