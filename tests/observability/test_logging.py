"""LoggingHook and MUSICGEN_LOG: readable, structured records that never leak secrets or text."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator

import pytest

from musicgen import AuthenticationError, GenerationFailedError, SunoProvider
from musicgen.observability import Event, EventName, LoggingHook
from musicgen.observability._logging import configure_logging_from_env
from musicgen.testing import Emulator, Fault

from .conftest import Drive, step

PLANTED_KEY = "sk-planted-SECRET-0123456789abcdef"
PROMPT = "a ballad about the PLANTED-PROMPT lighthouse keeper 7f3a"
BASE_URL = "http://emulator.musicgen.test"
EVENTS_LOGGER = "musicgen.events"


def secret_providers() -> list[SunoProvider]:
    return [SunoProvider(api_key=PLANTED_KEY, base_url=BASE_URL)]


def event_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == EVENTS_LOGGER]


def by_event(caplog: pytest.LogCaptureFixture, name: str) -> list[logging.LogRecord]:
    return [r for r in event_records(caplog) if getattr(r, "musicgen_event", None) == name]


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    return caplog


@pytest.fixture
def musicgen_logger_state() -> Iterator[logging.Logger]:
    """The ``musicgen`` logger, with its handlers, level and propagation restored afterwards."""
    logger = logging.getLogger("musicgen")
    saved = (list(logger.handlers), logger.level, logger.propagate)
    yield logger
    logger.handlers[:] = saved[0]
    logger.setLevel(saved[1])
    logger.propagate = saved[2]


# -- records --------------------------------------------------------------------------------------


def test_every_record_carries_the_correlation_id(
    obs_drive: Drive, obs_emulator: Emulator, debug_logs: pytest.LogCaptureFixture
) -> None:
    obs_drive(
        obs_emulator,
        [step("generate", PROMPT, provider="suno", correlation_id="corr-logging-1")],
        hooks=[LoggingHook()],
    )

    records = event_records(debug_logs)
    assert records
    assert {r.correlation_id for r in records} == {"corr-logging-1"}  # type: ignore[attr-defined]
    assert all(r.getMessage().endswith("[corr=corr-logging-1]") for r in records)


def test_http_records_carry_structured_fields(
    obs_drive: Drive, obs_emulator: Emulator, debug_logs: pytest.LogCaptureFixture
) -> None:
    obs_drive(obs_emulator, [step("generate", PROMPT, provider="suno")], hooks=[LoggingHook()])

    submit = by_event(debug_logs, EventName.HTTP_REQUEST)[0]
    assert submit.levelno == logging.DEBUG
    fields = submit.__dict__
    assert fields["provider"] == "suno"
    assert fields["operation"] == "submit"
    assert fields["attempt"] == 1
    assert fields["duration"] >= 0
    assert fields["status"] == "200"
    assert fields["musicgen_method"] == "POST"
    assert fields["musicgen_path"] == "/api/v1/generate"
    assert fields["musicgen_status_code"] == 200
    assert fields["musicgen_error"] is None
    assert submit.getMessage().startswith("http.request POST /api/v1/generate -> 200 in ")
    assert "(suno submit, attempt 1)" in submit.getMessage()


def test_generation_records_carry_task_id_model_and_poll_data(
    obs_drive: Drive, obs_emulator: Emulator, debug_logs: pytest.LogCaptureFixture
) -> None:
    [generation] = obs_drive(
        obs_emulator, [step("generate", PROMPT, provider="suno")], hooks=[LoggingHook()]
    )

    [succeeded] = by_event(debug_logs, EventName.GENERATION_SUCCEEDED)
    assert succeeded.levelno == logging.INFO
    assert succeeded.task_id == generation.task_id  # type: ignore[attr-defined]
    assert succeeded.model == generation.model  # type: ignore[attr-defined]
    assert succeeded.musicgen_tracks == len(generation.tracks)  # type: ignore[attr-defined]
    polls = by_event(debug_logs, EventName.POLL)
    assert succeeded.musicgen_polls == len(polls)  # type: ignore[attr-defined]
    assert [p.attempt for p in polls] == list(range(1, len(polls) + 1))  # type: ignore[attr-defined]


def test_failed_generation_logs_a_warning_and_the_failed_call_a_warning(
    obs_drive: Drive, obs_emulator: Emulator, debug_logs: pytest.LogCaptureFixture
) -> None:
    obs_emulator.script_next_task("suno", final_status="GENERATE_AUDIO_FAILED")
    [error] = obs_drive(
        obs_emulator, [step("generate", PROMPT, provider="suno")], hooks=[LoggingHook()]
    )

    assert isinstance(error, GenerationFailedError)
    [failed] = by_event(debug_logs, EventName.GENERATION_FAILED)
    [call_failed] = by_event(debug_logs, EventName.CALL_FAILED)
    assert failed.levelno == logging.WARNING
    assert failed.musicgen_error == "GenerationFailedError"  # type: ignore[attr-defined]
    assert call_failed.levelno == logging.WARNING
    assert "GENERATE_AUDIO_FAILED" in call_failed.getMessage()


def test_a_call_failing_for_another_reason_logs_an_error(
    obs_drive: Drive, obs_emulator: Emulator, debug_logs: pytest.LogCaptureFixture
) -> None:
    obs_emulator.inject(Fault("auth", operation="submit"))
    [error] = obs_drive(
        obs_emulator, [step("generate", PROMPT, provider="suno")], hooks=[LoggingHook()]
    )

    assert isinstance(error, AuthenticationError)
    [call_failed] = by_event(debug_logs, EventName.CALL_FAILED)
    assert call_failed.levelno == logging.ERROR
    assert call_failed.musicgen_error == "AuthenticationError"  # type: ignore[attr-defined]


def all_records_of(caplog: pytest.LogCaptureFixture, name: str) -> list[logging.LogRecord]:
    """Every record of event ``name`` on any logger (the hook's, the client's, stamina's)."""
    return [r for r in caplog.records if getattr(r, "musicgen_event", None) == name]


def test_each_retry_is_logged_once_at_info_with_its_cause(
    obs_drive: Drive, obs_emulator: Emulator, debug_logs: pytest.LogCaptureFixture
) -> None:
    obs_emulator.inject(Fault("server_error", operation="status", times=2))
    obs_drive(obs_emulator, [step("generate", PROMPT, provider="suno")], hooks=[LoggingHook()])

    retries = all_records_of(debug_logs, EventName.RETRY_SCHEDULED)
    assert [(r.name, r.levelno) for r in retries] == [("musicgen", logging.INFO)] * 2
    assert {r.musicgen_cause for r in retries} == {"ServerError"}  # type: ignore[attr-defined]


def test_stamina_does_not_log_musicgens_retries_a_second_time(
    obs_drive: Drive, obs_emulator: Emulator, debug_logs: pytest.LogCaptureFixture
) -> None:
    obs_emulator.inject(Fault("server_error", operation="status", times=2))
    obs_drive(obs_emulator, [step("generate", PROMPT, provider="suno")], hooks=[LoggingHook()])

    assert [r for r in debug_logs.records if r.name == "stamina"] == []


def test_the_hosts_own_stamina_retries_are_still_logged(
    obs_drive: Drive, obs_emulator: Emulator, debug_logs: pytest.LogCaptureFixture
) -> None:
    import stamina

    obs_emulator.inject(Fault("server_error", operation="status"))
    obs_drive(obs_emulator, [step("generate", PROMPT, provider="suno")])  # installs the filter
    calls = []

    @stamina.retry(on=ValueError, attempts=2, wait_initial=0, wait_max=0, wait_jitter=0)
    def flaky() -> None:
        calls.append(1)
        if len(calls) == 1:
            raise ValueError("once")

    flaky()
    assert [r.getMessage() for r in debug_logs.records if r.name == "stamina"] == [
        "stamina.retry_scheduled"
    ]


@pytest.mark.filterwarnings("ignore::musicgen.ModelFallbackWarning")
def test_model_fallback_is_one_warning(
    obs_drive: Drive, obs_emulator: Emulator, debug_logs: pytest.LogCaptureFixture
) -> None:
    obs_drive(
        obs_emulator,
        [step("generate", PROMPT, provider="suno", model="no-such-model")],
        hooks=[LoggingHook()],
    )

    [fallback] = all_records_of(debug_logs, EventName.MODEL_FALLBACK)
    assert (fallback.name, fallback.levelno) == ("musicgen", logging.WARNING)
    assert fallback.musicgen_requested == "no-such-model"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "scenario", ["success", "generation_failure", "retries", "auth_refusal", "lost_submission"]
)
def test_no_record_contains_the_api_key_or_the_prompt(
    scenario: str, obs_drive: Drive, debug_logs: pytest.LogCaptureFixture
) -> None:
    emulator = Emulator(suno_api_key=PLANTED_KEY)
    if scenario == "generation_failure":
        emulator.script_next_task("suno", final_status="GENERATE_AUDIO_FAILED")
    elif scenario == "retries":
        emulator.inject(Fault("server_error", operation="status", times=2))
        emulator.inject(Fault("rate_limit", operation="balance"))
    elif scenario == "auth_refusal":
        emulator.inject(Fault("auth"))
    elif scenario == "lost_submission":
        emulator.inject(Fault("drop", operation="submit"))

    obs_drive(
        emulator,
        [
            step("generate", PROMPT, provider="suno"),
            # Refused before sending: a validation failure must not echo the text either.
            step("generate", PROMPT, provider="suno", style="PLANTED-PROMPT style"),
            step("balance", "suno"),
        ],
        providers=secret_providers(),
        hooks=[LoggingHook()],
    )

    # Every record of every logger (musicgen's own, httpx, stamina), every attribute.
    assert by_event(debug_logs, EventName.HTTP_REQUEST)
    for record in debug_logs.records:
        text = record.getMessage() + " " + " ".join(repr(v) for v in vars(record).values())
        assert PLANTED_KEY not in text
        assert "PLANTED-PROMPT" not in text


def test_text_data_is_dropped_unless_include_text(debug_logs: pytest.LogCaptureFixture) -> None:
    event = Event(
        "custom.event",
        "corr-text",
        data={"prompt": "PLANTED-PROMPT", "lyrics": "la la PLANTED-PROMPT", "n": 2},
    )

    LoggingHook()(event)
    LoggingHook(include_text=True)(event)

    hidden, shown = event_records(debug_logs)
    assert "PLANTED-PROMPT" not in hidden.getMessage() + repr(vars(hidden))
    assert hidden.musicgen_n == 2  # type: ignore[attr-defined]
    assert shown.musicgen_prompt == "PLANTED-PROMPT"  # type: ignore[attr-defined]


def test_keys_that_look_like_credentials_are_never_logged(
    debug_logs: pytest.LogCaptureFixture,
) -> None:
    event = Event("custom.event", "corr-key", data={"api_key": PLANTED_KEY, "auth_token": "t"})

    LoggingHook(include_text=True)(event)

    [record] = event_records(debug_logs)
    assert PLANTED_KEY not in record.getMessage() + repr(vars(record))


def test_level_raises_quiet_events(debug_logs: pytest.LogCaptureFixture) -> None:
    LoggingHook(level=logging.INFO)(Event(EventName.HTTP_REQUEST, "corr-level"))

    [record] = event_records(debug_logs)
    assert record.levelno == logging.INFO


def test_nothing_is_logged_below_the_logger_level(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger=EVENTS_LOGGER)

    LoggingHook()(Event(EventName.POLL, "corr-quiet", attempt=1))

    assert not event_records(caplog)


def test_logger_may_be_given_as_an_object(debug_logs: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("musicgen.custom")

    LoggingHook(logger=logger)(Event(EventName.GENERATION_SUBMITTED, "corr-obj", task_id="t1"))

    [record] = [r for r in debug_logs.records if r.name == "musicgen.custom"]
    assert record.task_id == "t1"  # type: ignore[attr-defined]


# -- MUSICGEN_LOG ---------------------------------------------------------------------------------


def env_handlers(logger: logging.Logger) -> list[logging.Handler]:
    return [h for h in logger.handlers if h.get_name() == "musicgen-env"]


@pytest.mark.parametrize(("value", "level"), [("debug", logging.DEBUG), ("INFO", logging.INFO)])
def test_musicgen_log_attaches_a_stderr_handler_at_that_level(
    value: str, level: int, musicgen_logger_state: logging.Logger
) -> None:
    configure_logging_from_env({"MUSICGEN_LOG": value})

    [handler] = env_handlers(musicgen_logger_state)
    assert isinstance(handler, logging.StreamHandler)
    assert handler.stream is sys.stderr
    assert handler.level == level
    assert musicgen_logger_state.level == level


def test_musicgen_log_twice_adds_no_second_handler(
    musicgen_logger_state: logging.Logger,
) -> None:
    configure_logging_from_env({"MUSICGEN_LOG": "debug"})
    configure_logging_from_env({"MUSICGEN_LOG": "info"})

    [handler] = env_handlers(musicgen_logger_state)
    assert handler.level == logging.INFO
    assert musicgen_logger_state.level == logging.INFO


@pytest.mark.parametrize("environ", [{}, {"MUSICGEN_LOG": ""}, {"MUSICGEN_LOG": "verbose"}])
def test_other_musicgen_log_values_change_nothing(
    environ: dict[str, str], musicgen_logger_state: logging.Logger
) -> None:
    before = (list(musicgen_logger_state.handlers), musicgen_logger_state.level)

    configure_logging_from_env(environ)

    assert (list(musicgen_logger_state.handlers), musicgen_logger_state.level) == before


def test_musicgen_log_prints_time_level_logger_and_message(
    musicgen_logger_state: logging.Logger, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging_from_env({"MUSICGEN_LOG": "debug"})

    LoggingHook()(Event(EventName.GENERATION_SUBMITTED, "corr-env", provider="suno", task_id="t9"))

    err = capsys.readouterr().err
    assert "INFO" in err
    assert "musicgen.events: generation.submitted suno task t9" in err
    assert err[:4].isdigit()  # starts with the time
