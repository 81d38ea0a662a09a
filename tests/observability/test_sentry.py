"""SentryHook, the scrubber and init_sentry, against the real sentry_sdk and its HTTP transport.

Events go over loopback to ``sentry_server`` (a Sentry-compatible endpoint), so every assertion
is about what actually left the process, byte for byte.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from musicgen import MusicGenError
from musicgen.observability import SentryHook, init_sentry
from musicgen.observability._redact import (
    FILTERED,
    redact_mapping,
    redact_query,
    redact_text,
    redact_url,
)
from musicgen.observability._sentry import install_scrubber
from musicgen.providers import MurekaProvider, SunoProvider
from musicgen.testing import Emulator, Fault, SentryServer
from musicgen.testing._clients import emulated_async_client, emulated_client

pytestmark = pytest.mark.filterwarnings(
    # Seen only where a test opts into send_default_pii, deprecated in recent sentry-sdk.
    "ignore:The send_default_pii option is deprecated:DeprecationWarning"
)

KEY = "sk-planted-SECRET-0123456789abcdef"
# Shaped like nothing: only the hook's `secrets=` or the environment can catch it.
PLAIN_KEY = "plainvalue-planted-4711"
ENV_KEY = "envvalue-planted-0815"
TOKEN = "PLANTEDTOKEN123"
EMAIL = "planted.person@example.org"
PROMPT = f"ping me at {EMAIL}"
LYRICS = f"[Verse]\nwrite to {EMAIL}"
BASE_URL = "http://emulator.musicgen.test"
PLANTED = (KEY, PLAIN_KEY, ENV_KEY, TOKEN, EMAIL, "Bearer")

Call = Callable[[Any], Any]


def providers(api_key: str | None = KEY) -> list[Any]:
    return [
        SunoProvider(
            api_key=api_key,
            base_url=BASE_URL,
            callback_url=f"https://hooks.example.com/cb?token={TOKEN}",
        ),
        MurekaProvider(api_key=api_key, base_url=BASE_URL),
    ]


def run(mode: str, emulator: Emulator, *calls: Call, **options: Any) -> list[Any]:
    """Run ``calls`` (each takes the client) on one sync or async client; errors are returned."""
    options.setdefault("providers", providers())
    options.setdefault("hooks", [SentryHook()])
    if mode == "sync":
        results = []
        with emulated_client(emulator, **options) as client:
            for call in calls:
                try:
                    results.append(call(client))
                except MusicGenError as error:
                    results.append(error)
        return results

    async def main() -> list[Any]:
        results = []
        async with emulated_async_client(emulator, **options) as client:
            for call in calls:
                try:
                    results.append(await call(client))
                except MusicGenError as error:
                    results.append(error)
        return results

    return asyncio.run(main())


def generate(prompt: str = PROMPT, **kwargs: Any) -> Call:
    return lambda client: client.generate(prompt, **kwargs)


def mureka_song() -> Call:
    # Mureka songs need lyrics.
    return generate(provider="mureka", lyrics=LYRICS)


def flushed(server: SentryServer) -> list[dict[str, Any]]:
    import sentry_sdk

    sentry_sdk.flush(timeout=5)
    return server.events


def errors(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in events if e.get("level") == "error"]


def assert_nothing_planted(server: SentryServer) -> None:
    raw = server.raw_bytes
    assert raw, "nothing reached the Sentry server: the test would prove nothing"
    for planted in PLANTED:
        assert planted.encode() not in raw, f"{planted!r} reached Sentry"


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def emulator() -> Emulator:
    return Emulator()


@pytest.fixture
def sentry(sentry_init: Callable[..., Any], sentry_server: SentryServer) -> SentryServer:
    """A real Sentry client reporting to ``sentry_server``, with default options."""
    sentry_init()
    return sentry_server


# --------------------------------------------------------------------------------------------
# What is reported
# --------------------------------------------------------------------------------------------


def test_a_failed_generation_is_one_error_event_with_tags_context_and_fingerprint(
    sentry: SentryServer, emulator: Emulator, mode: str
) -> None:
    emulator.script_next_task("suno", final_status="GENERATE_AUDIO_FAILED")

    [error] = run(mode, emulator, generate(provider="suno"))

    events = flushed(sentry)
    assert len(events) == 1, "generation.failed and call.failed must make one event, not two"
    [event] = events
    assert event["level"] == "error"
    assert event["exception"]["values"][-1]["type"] == "GenerationFailedError"
    tags = event["tags"]
    assert tags["musicgen.provider"] == "suno"
    assert tags["musicgen.model"] == error.generation.model
    assert tags["musicgen.task_id"] == error.task_id
    assert tags["musicgen.correlation_id"] == error.correlation_id
    assert tags["musicgen.operation"] == "generate"
    assert tags["musicgen.error_kind"] == "GenerationFailedError"
    context = event["contexts"]["musicgen"]
    assert context["task_id"] == error.task_id
    assert context["provider_status"] == "GENERATE_AUDIO_FAILED"
    assert context["duration"] >= 0
    assert event["fingerprint"] == [
        "musicgen",
        "suno",
        "GenerationFailedError",
        "GENERATE_AUDIO_FAILED",
    ]


def test_failures_of_two_tasks_of_one_provider_and_kind_share_a_fingerprint(
    sentry: SentryServer, emulator: Emulator
) -> None:
    emulator.script_next_task("mureka", final_status="failed")
    emulator.script_next_task("mureka", final_status="failed")

    first, second = run("sync", emulator, mureka_song(), mureka_song())

    events = errors(flushed(sentry))
    assert len(events) == 2
    assert first.task_id != second.task_id
    assert {e["tags"]["musicgen.task_id"] for e in events} == {first.task_id, second.task_id}
    assert events[0]["fingerprint"] == events[1]["fingerprint"]
    assert events[0]["fingerprint"][:3] == ["musicgen", "mureka", "GenerationFailedError"]


def test_an_api_error_is_grouped_by_provider_kind_and_code(
    sentry: SentryServer, emulator: Emulator
) -> None:
    emulator.inject(Fault("auth", provider="suno"))

    [error] = run("sync", emulator, generate(provider="suno"))

    [event] = errors(flushed(sentry))
    assert event["tags"]["musicgen.error_kind"] == "AuthenticationError"
    assert event["contexts"]["musicgen"]["status_code"] == error.status_code
    assert event["fingerprint"][:3] == ["musicgen", "suno", "AuthenticationError"]
    assert event["fingerprint"][3] == str(error.code if error.code is not None else 401)


def test_an_uncertain_submission_is_named_by_its_public_class_and_flagged(
    sentry: SentryServer, emulator: Emulator
) -> None:
    emulator.inject(Fault("drop", operation="submit"))

    run("sync", emulator, generate(provider="suno"))

    [event] = errors(flushed(sentry))
    assert event["tags"]["musicgen.error_kind"] == "APITimeoutError"
    assert event["tags"]["musicgen.submission_uncertain"] == "true"
    assert event["fingerprint"][-1] == "submission-uncertain"


@pytest.mark.filterwarnings("ignore::musicgen.ModelFallbackWarning")
def test_an_unknown_model_fallback_is_a_warning_message(
    sentry: SentryServer, emulator: Emulator, mode: str
) -> None:
    run(mode, emulator, generate(provider="suno", model="chirp-v99"))

    [event] = flushed(sentry)
    assert event["level"] == "warning"
    assert "chirp-v99" in event["message"] or "chirp-v99" in str(event.get("logentry"))
    assert event["fingerprint"] == ["musicgen", "suno", "model.fallback"]
    assert event["tags"]["musicgen.provider"] == "suno"
    assert event["contexts"]["musicgen"]["requested"] == "chirp-v99"


def test_an_unknown_task_status_is_warned_once_per_task(
    sentry: SentryServer, emulator: Emulator
) -> None:
    emulator.script_next_task("suno", final_status="BRAND_NEW_STATUS")

    [error] = run("sync", emulator, generate(provider="suno", timeout=0.3))

    events = flushed(sentry)
    warnings = [e for e in events if e["level"] == "warning"]
    assert len(warnings) == 1, "one warning per task, not one per poll"
    assert warnings[0]["fingerprint"] == [
        "musicgen",
        "suno",
        "status.unknown",
        "BRAND_NEW_STATUS",
    ]
    [timeout] = errors(events)
    assert timeout["tags"]["musicgen.error_kind"] == "GenerationTimeoutError"
    assert timeout["tags"]["musicgen.task_id"] == error.task_id


def test_requests_and_polls_are_breadcrumbs_on_the_error_event(
    sentry: SentryServer, emulator: Emulator, mode: str
) -> None:
    emulator.script_next_task("suno", final_status="GENERATE_AUDIO_FAILED")

    run(mode, emulator, generate(provider="suno"))

    [event] = errors(flushed(sentry))
    crumbs = event["breadcrumbs"]["values"]
    ours = [c for c in crumbs if str(c.get("category", "")).startswith("musicgen.")]
    categories = {c["category"] for c in ours}
    assert {
        "musicgen.http.request",
        "musicgen.generation.submitted",
        "musicgen.poll",
        "musicgen.status.changed",
        "musicgen.generation.failed",
    } <= categories
    http = [c for c in ours if c["category"] == "musicgen.http.request"]
    assert {c["data"]["method"] for c in http} == {"POST", "GET"}
    assert all("?" not in c["data"]["path"] for c in http)
    assert all(c["type"] == "http" for c in http)
    failed = next(c for c in ours if c["category"] == "musicgen.generation.failed")
    assert failed["level"] == "error"
    for crumb in ours:
        assert "prompt" not in crumb["data"]
        assert "headers" not in crumb["data"]


def test_musicgen_tags_do_not_leak_into_the_hosts_other_events(
    sentry: SentryServer, emulator: Emulator, mode: str
) -> None:
    import sentry_sdk

    sentry_sdk.set_tag("app.area", "checkout")
    emulator.script_next_task("suno", final_status="GENERATE_AUDIO_FAILED")
    run(mode, emulator, generate(provider="suno"))

    sentry_sdk.capture_message("the host's own event")

    events = flushed(sentry)
    [host] = [e for e in events if e.get("message") == "the host's own event"]
    assert host["tags"] == {"app.area": "checkout"}
    assert "musicgen" not in host.get("contexts", {})
    assert "fingerprint" not in host
    [failure] = errors(events)
    assert failure["tags"]["app.area"] == "checkout"  # the host's scope still applies


def test_capture_failures_false_leaves_failures_as_breadcrumbs(
    sentry: SentryServer, emulator: Emulator
) -> None:
    import sentry_sdk

    emulator.script_next_task("suno", final_status="GENERATE_AUDIO_FAILED")
    run("sync", emulator, generate(provider="suno"), hooks=[SentryHook(capture_failures=False)])

    assert flushed(sentry) == []
    sentry_sdk.capture_message("later")
    [event] = flushed(sentry)
    crumbs = [c["category"] for c in event["breadcrumbs"]["values"]]
    assert "musicgen.call.failed" in crumbs


def test_without_a_sentry_client_the_hook_does_nothing(
    sentry_reset: None, sentry_server: SentryServer, emulator: Emulator
) -> None:
    emulator.script_next_task("suno", final_status="GENERATE_AUDIO_FAILED")

    [error] = run("sync", emulator, generate(provider="suno"))

    assert isinstance(error, MusicGenError)
    assert sentry_server.envelopes == []


# --------------------------------------------------------------------------------------------
# The host's own callbacks
# --------------------------------------------------------------------------------------------


def _host_before_send(seen: list[bytes]) -> Callable[[Any, Any], Any]:
    def before_send(event: Any, hint: Any) -> Any:
        seen.append(repr(event).encode())
        event.setdefault("tags", {})["host.before_send"] = "ran"
        return event

    return before_send


def test_the_hosts_before_send_still_runs_after_the_scrubber(
    sentry_init: Callable[..., Any], sentry_server: SentryServer, emulator: Emulator
) -> None:
    seen: list[bytes] = []
    host = _host_before_send(seen)
    client = sentry_init(before_send=host)
    SentryHook()
    SentryHook()  # installing twice wraps once
    emulator.script_next_task("suno", final_status="GENERATE_AUDIO_FAILED")

    run("sync", emulator, generate(provider="suno"))

    [event] = errors(flushed(sentry_server))
    assert event["tags"]["host.before_send"] == "ran"
    assert client.options["before_send"].host is host
    assert seen, "the host's before_send never ran"
    assert all(KEY.encode() not in s and EMAIL.encode() not in s for s in seen)
    assert_nothing_planted(sentry_server)


def test_a_hook_built_before_sentry_init_still_scrubs_and_chains(
    sentry_init: Callable[..., Any], sentry_server: SentryServer, emulator: Emulator
) -> None:
    hook = SentryHook()
    seen: list[bytes] = []
    sentry_init(before_send=_host_before_send(seen))
    emulator.script_next_task("suno", final_status="GENERATE_AUDIO_FAILED")

    run("sync", emulator, generate(provider="suno"), hooks=[hook])

    [event] = errors(flushed(sentry_server))
    assert event["tags"]["host.before_send"] == "ran"
    assert_nothing_planted(sentry_server)


def test_the_hosts_before_breadcrumb_still_runs(
    sentry_init: Callable[..., Any], sentry_server: SentryServer
) -> None:
    import sentry_sdk

    def before_breadcrumb(crumb: Any, hint: Any) -> Any:
        crumb["data"] = {**(crumb.get("data") or {}), "host": "ran"}
        return crumb

    sentry_init(before_breadcrumb=before_breadcrumb)
    install_scrubber()
    sentry_sdk.add_breadcrumb(message=f"Authorization: Bearer {KEY}", category="app")
    sentry_sdk.capture_message("with a crumb")

    [event] = flushed(sentry_server)
    [crumb] = [c for c in event["breadcrumbs"]["values"] if c.get("category") == "app"]
    assert crumb["data"]["host"] == "ran"
    assert crumb["message"] == f"Authorization: {FILTERED}"


def _crumb_bytes(crumb: Any) -> bytes:
    """A breadcrumb's bytes as Sentry serialises them (the timestamp's form aside)."""
    import json

    return json.dumps({k: v for k, v in crumb.items() if k != "timestamp"}, sort_keys=True).encode()


def test_the_hook_adds_no_callback_to_the_path_of_the_hosts_breadcrumbs(
    sentry_init: Callable[..., Any], emulator: Emulator, mode: str
) -> None:
    seen: list[Any] = []

    def before_breadcrumb(crumb: Any, hint: Any) -> Any:
        seen.append(crumb)
        return crumb

    client = sentry_init(before_breadcrumb=before_breadcrumb)

    run(mode, emulator, generate(provider="suno"))

    assert client.options["before_breadcrumb"] is before_breadcrumb
    assert client.options["before_send"] is not None  # musicgen's scrubber is chained there
    assert {c["category"] for c in seen} >= {"musicgen.http.request", "musicgen.poll"}


def test_musicgen_breadcrumbs_mask_known_secrets_as_they_are_built(
    sentry_init: Callable[..., Any], emulator: Emulator
) -> None:
    seen: list[bytes] = []

    def before_breadcrumb(crumb: Any, hint: Any) -> Any:
        if str(crumb.get("category")).startswith("musicgen."):
            seen.append(_crumb_bytes(crumb))
        return crumb

    sentry_init(before_breadcrumb=before_breadcrumb)

    run(
        "sync",
        emulator,
        generate(provider="suno", correlation_id=f"req-{PLAIN_KEY}"),
        hooks=[SentryHook(secrets=[PLAIN_KEY])],
    )

    assert len(seen) > 5
    assert all(PLAIN_KEY.encode() not in crumb for crumb in seen)
    assert all(b"req-[Filtered]" in crumb for crumb in seen)


def test_without_a_host_callback_breadcrumbs_have_none_in_their_path(
    sentry_init: Callable[..., Any], emulator: Emulator
) -> None:
    client = sentry_init()

    run("sync", emulator, generate(provider="suno"))

    assert client.options["before_breadcrumb"] is None


def test_a_hosts_own_httpx_breadcrumb_arrives_byte_identical(
    sentry_init: Callable[..., Any], sentry_server: SentryServer, emulator: Emulator
) -> None:
    import httpx
    import sentry_sdk
    from sentry_sdk.integrations.httpx import HttpxIntegration

    host = f"http://127.0.0.1:{sentry_server.port}/health"
    host_url = f"{host}?page=2"
    added: list[bytes] = []

    def before_breadcrumb(crumb: Any, hint: Any) -> Any:
        # The last callback in the chain: what it returns is what Sentry stores.
        if str(crumb.get("data", {}).get("url", "")).startswith(host):
            added.append(_crumb_bytes(crumb))
        return crumb

    sentry_init(before_breadcrumb=before_breadcrumb, integrations=[HttpxIntegration()])
    run("sync", emulator, generate(provider="suno"))  # a SentryHook is built and used
    # The host's own request, on a real socket: Sentry's httpx integration records it.
    with httpx.Client(trust_env=False) as http:
        http.get(host_url)
    sentry_sdk.capture_message("after the host's request")

    [event] = [e for e in flushed(sentry_server) if e.get("message")]
    [crumb] = [
        c
        for c in event["breadcrumbs"]["values"]
        if str(c.get("data", {}).get("url", "")).startswith(host)
    ]
    assert added, "the host's callback never saw the request's breadcrumb"
    assert _crumb_bytes(crumb) == added[-1]
    assert crumb["data"]["url"] == host


# --------------------------------------------------------------------------------------------
# Planted secrets never reach Sentry
# --------------------------------------------------------------------------------------------

SCENARIOS: dict[str, tuple[Callable[[Emulator], None], list[Call]]] = {
    "success": (lambda em: None, [generate(provider="suno"), mureka_song()]),
    "failed generation": (
        lambda em: em.script_next_task("suno", final_status="GENERATE_AUDIO_FAILED"),
        [generate(provider="suno", lyrics=f"write to {EMAIL}", title="t", style="pop")],
    ),
    "exhausted retries": (
        lambda em: em.inject(Fault("drop", operation="status", times=50)),
        [lambda c: c.get("0123456789abcdef0123456789abcdef", provider="suno")],
    ),
    "auth": (lambda em: em.inject(Fault("auth")), [mureka_song()]),
    "submit uncertainty": (
        lambda em: em.inject(Fault("drop", operation="submit")),
        [generate(provider="suno")],
    ),
    "timeout": (
        lambda em: em.script_next_task("suno", final_status="STILL_THINKING"),
        [generate(provider="suno", timeout=0.2)],
    ),
}


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_no_planted_secret_reaches_sentry(
    sentry: SentryServer, emulator: Emulator, mode: str, scenario: str
) -> None:
    arrange, calls = SCENARIOS[scenario]
    arrange(emulator)

    results = run(mode, emulator, *calls)

    events = flushed(sentry)
    failures = [r for r in results if isinstance(r, MusicGenError)]
    assert failures or scenario == "success"
    assert len(errors(events)) == len(failures)
    if scenario == "success":
        import sentry_sdk

        # Successes send nothing on their own: carry their breadcrumbs out with a host event.
        sentry_sdk.capture_message("after a success")
        flushed(sentry)
    assert_nothing_planted(sentry)


def test_keys_from_secrets_and_the_environment_are_masked(
    sentry: SentryServer, emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sentry_sdk

    monkeypatch.setenv("MUSICGEN_MUREKA_API_KEY", ENV_KEY)
    emulator.inject(Fault("auth", times=2))
    clients = [
        SunoProvider(api_key=PLAIN_KEY, base_url=BASE_URL),
        MurekaProvider(base_url=BASE_URL),  # its key comes from the environment
    ]

    results = run(
        "sync",
        emulator,
        generate(provider="suno"),
        mureka_song(),
        providers=clients,
        hooks=[SentryHook(secrets=[PLAIN_KEY])],
    )
    try:
        # Keys shaped like nothing, in the host's own report: only secrets= and the env know.
        raise RuntimeError(f"config dump: suno={PLAIN_KEY} mureka={ENV_KEY}")
    except RuntimeError:
        sentry_sdk.capture_exception()

    assert all(isinstance(r, MusicGenError) for r in results)
    assert len(errors(flushed(sentry))) == 3
    assert_nothing_planted(sentry)


def _fail_in_user_code() -> None:
    api_key = KEY
    upstream = {"suno": PLAIN_KEY, "callback": f"https://hooks.example.com/cb?token={TOKEN}"}
    prompt = PROMPT
    raise RuntimeError(f"upload with {api_key} failed for {prompt} via {upstream['callback']}")


def test_frame_variables_of_user_code_are_scrubbed(sentry: SentryServer) -> None:
    import sentry_sdk

    SentryHook(secrets=[PLAIN_KEY])
    try:
        _fail_in_user_code()
    except RuntimeError:
        sentry_sdk.capture_exception()

    [event] = flushed(sentry)
    [exception] = event["exception"]["values"]
    frame = exception["stacktrace"]["frames"][-1]
    assert frame["function"] == "_fail_in_user_code"
    assert set(frame["vars"]) >= {"api_key", "upstream", "prompt"}, "vars must be captured"
    assert frame["vars"]["prompt"] == FILTERED
    assert FILTERED in exception["value"]
    assert_nothing_planted(sentry)


def test_prompts_are_kept_when_the_host_sends_pii_but_secrets_are_not(
    sentry_init: Callable[..., Any], sentry_server: SentryServer
) -> None:
    import sentry_sdk

    sentry_init(send_default_pii=True)
    SentryHook()

    def fail() -> None:
        prompt = "a calm lofi beat"
        token_holder = KEY
        raise RuntimeError(f"{prompt} {token_holder}")

    try:
        fail()
    except RuntimeError:
        sentry_sdk.capture_exception()

    [event] = flushed(sentry_server)
    frame = event["exception"]["values"][0]["stacktrace"]["frames"][-1]
    assert "a calm lofi beat" in frame["vars"]["prompt"]
    assert_nothing_planted(sentry_server)


def test_transactions_are_scrubbed_too(
    sentry_init: Callable[..., Any], sentry_server: SentryServer
) -> None:
    import sentry_sdk

    sentry_init(traces_sample_rate=1.0)
    SentryHook()
    with (
        sentry_sdk.start_transaction(name="upload", op="task"),
        sentry_sdk.start_span(op="http.client", name=f"GET /cb?token={TOKEN}") as span,
    ):
        span.set_data("authorization", f"Bearer {KEY}")

    sentry_sdk.flush(timeout=5)
    [transaction] = [item.json for item in sentry_server.items("transaction")]
    assert transaction["spans"], "the span must arrive for the test to prove anything"
    assert_nothing_planted(sentry_server)


# --------------------------------------------------------------------------------------------
# init_sentry
# --------------------------------------------------------------------------------------------


@pytest.fixture
def no_sentry_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SENTRY_DSN", "SENTRY_ENVIRONMENT", "MUSICGEN_ENV", "SENTRY_RELEASE"):
        monkeypatch.delenv(name, raising=False)


def test_init_sentry_without_a_dsn_is_off_and_says_so(
    sentry_reset: None, no_sentry_env: None, caplog: pytest.LogCaptureFixture
) -> None:
    import sentry_sdk

    with caplog.at_level(logging.INFO, logger="musicgen"):
        assert init_sentry() is False

    assert not sentry_sdk.get_client().is_active()
    [record] = [r for r in caplog.records if r.name == "musicgen"]
    assert record.levelno == logging.INFO
    assert "Sentry is off" in record.getMessage()


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"SENTRY_ENVIRONMENT": "staging", "MUSICGEN_ENV": "dev"}, "staging"),
        ({"MUSICGEN_ENV": "dev"}, "dev"),
        ({}, "production"),
    ],
)
def test_init_sentry_reads_the_dsn_and_environment_from_the_environment(
    sentry_server: SentryServer,
    sentry_reset: None,
    no_sentry_env: None,
    monkeypatch: pytest.MonkeyPatch,
    env: dict[str, str],
    expected: str,
) -> None:
    import sentry_sdk
    from sentry_sdk.scrubber import EventScrubber

    from musicgen._version import __version__

    monkeypatch.setenv("SENTRY_DSN", sentry_server.dsn)
    for name, value in env.items():
        monkeypatch.setenv(name, value)

    assert init_sentry(http_proxy="") is True
    client = sentry_sdk.get_client()
    assert isinstance(client.options["event_scrubber"], EventScrubber)
    sentry_sdk.capture_message(f"hello from {EMAIL}")

    [event] = flushed(sentry_server)
    assert event["environment"] == expected
    assert event["release"] == f"musicgen@{__version__}"
    assert event["message"] == f"hello from {FILTERED}"


def test_init_sentry_chains_the_before_send_it_is_given(
    sentry_server: SentryServer, sentry_reset: None, no_sentry_env: None
) -> None:
    import sentry_sdk

    seen: list[bytes] = []
    assert init_sentry(
        sentry_server.dsn,
        environment="ci",
        release="app@1",
        before_send=_host_before_send(seen),
        http_proxy="",
    )
    sentry_sdk.capture_message(f"Authorization: Bearer {KEY}")

    [event] = flushed(sentry_server)
    assert event["tags"]["host.before_send"] == "ran"
    assert (event["environment"], event["release"]) == ("ci", "app@1")
    assert_nothing_planted(sentry_server)


def test_init_sentry_with_a_malformed_dsn_raises_a_configuration_error(
    sentry_reset: None,
) -> None:
    from musicgen import ConfigurationError

    with pytest.raises(ConfigurationError, match="DSN"):
        init_sentry("not a dsn")


# --------------------------------------------------------------------------------------------
# _redact, property-based
# --------------------------------------------------------------------------------------------

_anything = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text() | st.binary(max_size=40),
    lambda children: (
        st.lists(children, max_size=4)
        | st.tuples(children, children)
        | st.dictionaries(st.text(max_size=12), children, max_size=4)
        | st.frozensets(st.text(max_size=8), max_size=3)
    ),
    max_leaves=20,
)
_secret = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=8, max_size=40
).filter(lambda s: s.strip() and s not in FILTERED)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)


@settings(deadline=None)
@given(value=_anything, secrets=st.lists(st.text(max_size=10), max_size=3))
def test_redaction_never_raises(value: Any, secrets: list[str]) -> None:
    assert isinstance(redact_text(value, secrets), str)
    assert isinstance(redact_url(value, secrets), str)
    assert isinstance(redact_query(value, secrets), str)
    redact_mapping(value, secrets)
    redact_mapping(value, secrets, drop_pii=True)


def test_redaction_survives_cycles_and_unprintable_objects() -> None:
    class Hostile:
        def __str__(self) -> str:
            raise RuntimeError("no")

    cyclic: dict[str, Any] = {"a": [KEY]}
    cyclic["self"] = cyclic
    assert redact_text(Hostile()) == FILTERED
    result = redact_mapping(cyclic)
    assert result["a"] == [FILTERED]
    assert result["self"] == FILTERED


@settings(deadline=None)
@given(secret=_secret, before=st.text(max_size=30), after=st.text(max_size=30))
def test_a_planted_secret_never_survives_redact_text(secret: str, before: str, after: str) -> None:
    assert secret not in redact_text(before + secret + after, [secret])


@settings(deadline=None)
@given(secret=_secret, value=_anything, key=st.text(max_size=12))
def test_a_planted_secret_never_survives_redact_mapping(secret: str, value: Any, key: str) -> None:
    planted = {key: [value, f"x{secret}y"], secret: {"nested": (secret, value)}}

    result = redact_mapping(planted, [secret])

    assert all(secret not in text for text in _strings(result))


_shaped_keys = st.from_regex(r"sk-[A-Za-z0-9_\-]{20,40}", fullmatch=True)
_emails = st.from_regex(r"[a-z0-9._+]{1,20}@[a-z0-9]{1,15}\.(com|org|net|io)", fullmatch=True)
_words = st.text(alphabet=st.sampled_from(" ,;:()\n"), max_size=3)


@settings(deadline=None)
@given(key=_shaped_keys, email=_emails, sep=_words, token=st.text("abcXYZ0129", min_size=6))
def test_keys_emails_bearer_tokens_and_url_tokens_are_masked_without_being_told(
    key: str, email: str, sep: str, token: str
) -> None:
    text = (
        f"key {key}{sep}mail {email}{sep}Authorization: Bearer {token}{sep}"
        f"https://x.test/cb?a=1&access_token={token}"
    )

    redacted = redact_text(text)

    assert key not in redacted
    assert email not in redacted
    assert "Bearer" not in redacted
    assert f"access_token={token}" not in redacted


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://u:pw@h.test/a?Token=1&q=2",
            f"https://u:{FILTERED}@h.test/a?Token={FILTERED}&q=2",
        ),
        (
            "https://h.test/cb?sig=abc#access_token=xyz",
            f"https://h.test/cb?sig={FILTERED}#access_token={FILTERED}",
        ),
        ("http://public@127.0.0.1:9/1", "http://public@127.0.0.1:9/1"),
        ("/api/v1/generate/record-info?taskId=9c1db10c2c9d4ff0b3893be3659ce232", None),
    ],
)
def test_redact_url_masks_passwords_and_credential_parameters(
    url: str, expected: str | None
) -> None:
    assert redact_url(url) == (url if expected is None else expected)


def test_redact_mapping_masks_sensitive_keys_and_optionally_prompts() -> None:
    data = {
        "headers": {"Authorization": "x", "X-Api-Key": "y", "Accept": "json"},
        "suno_api_key": "z",
        "dsn": "http://public@sentry.test/1",
        "body": {"prompt": "a song", "title": "t", "model": "V4_5"},
    }

    assert redact_mapping(data) == {
        "headers": {"Authorization": FILTERED, "X-Api-Key": FILTERED, "Accept": "json"},
        "suno_api_key": FILTERED,
        "dsn": "http://public@sentry.test/1",
        "body": {"prompt": "a song", "title": "t", "model": "V4_5"},
    }
    assert redact_mapping(data, drop_pii=True)["body"] == {
        "prompt": FILTERED,
        "title": FILTERED,
        "model": "V4_5",
    }
