"""CallbackAuth: minted URLs verify; forged tokens, bad signatures and stale timestamps do not."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest

from musicgen.callbacks import QUERY_PARAMETER, CallbackAuth, CallbackAuthError, CallbackError

from .conftest import RECEIVER, SECRET, WEBHOOK_KEY, music_body, sign


def token_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)[QUERY_PARAMETER][0]


def test_a_minted_url_verifies_and_names_its_family(auth: CallbackAuth) -> None:
    url = auth.url(RECEIVER, family="wav")

    verified = auth.verify(url, b"{}", {})

    assert url.startswith(RECEIVER + "?mg=")
    assert verified.family == "wav"
    assert verified.nonce == token_of(url).split(".")[0]
    assert not verified.signed


def test_each_url_has_its_own_nonce(auth: CallbackAuth) -> None:
    urls = {auth.url(RECEIVER) for _ in range(50)}

    assert len({token_of(url).split(".")[0] for url in urls}) == 50


def test_the_query_string_alone_verifies_and_other_parameters_are_kept(auth: CallbackAuth) -> None:
    url = auth.url(RECEIVER + "?tenant=7")

    assert parse_qs(urlsplit(url).query)["tenant"] == ["7"]
    assert auth.verify(urlsplit(url).query, b"", None).family == "music"


def test_another_secret_cannot_verify(auth: CallbackAuth) -> None:
    url = CallbackAuth("another-secret-0123456789").url(RECEIVER)

    with pytest.raises(CallbackAuthError) as caught:
        auth.verify(url, b"{}", {})

    assert caught.value.reason == "token"


@pytest.mark.parametrize(
    "tamper",
    [
        lambda v: v[:-1] + ("A" if v[-1] != "A" else "B"),  # one character of the token
        lambda v: v.replace(".music.", ".wav."),  # another family under the same token
        lambda v: "X" + v[1:],  # another nonce under the same token
        lambda v: v.rsplit(".", 1)[0] + ".",  # no token
        lambda v: v.split(".")[0],  # nonce only
        lambda v: "short.music." + v.rsplit(".", 1)[1],  # a nonce of the wrong shape
        lambda v: v + "é",
    ],
)
def test_a_forged_token_is_rejected(auth: CallbackAuth, tamper: object) -> None:
    value = token_of(auth.url(RECEIVER))
    forged = tamper(value)  # type: ignore[operator]

    with pytest.raises(CallbackAuthError) as caught:
        auth.verify(f"{RECEIVER}?mg={forged}", b"{}", {})

    assert caught.value.reason == "token"
    assert isinstance(caught.value, CallbackError)


@pytest.mark.parametrize("url", [RECEIVER, RECEIVER + "?other=1", "", "mg="])
def test_a_url_without_a_token_is_rejected(auth: CallbackAuth, url: str) -> None:
    with pytest.raises(CallbackAuthError) as caught:
        auth.verify(url, b"{}", {})

    assert caught.value.reason in ("missing", "token")


def test_two_tokens_are_rejected(auth: CallbackAuth) -> None:
    url = auth.url(RECEIVER)

    with pytest.raises(CallbackAuthError):
        auth.verify(f"{url}&mg={token_of(url)}", b"{}", {})


def test_url_refuses_bad_bases_and_families(auth: CallbackAuth) -> None:
    with pytest.raises(ValueError, match="family"):
        auth.url(RECEIVER, family="karaoke")
    with pytest.raises(ValueError, match="http"):
        auth.url("ftp://app.example.net/cb")
    with pytest.raises(ValueError, match="http"):
        auth.url("not a url")


def test_the_secret_is_checked_and_never_shown() -> None:
    with pytest.raises(ValueError, match="16 bytes"):
        CallbackAuth("short")
    with pytest.raises(ValueError, match="webhook_key"):
        CallbackAuth(SECRET, require_signature=True)
    with pytest.raises(ValueError, match="tolerance"):
        CallbackAuth(SECRET, tolerance=0)

    shown = repr(CallbackAuth(SECRET.encode(), webhook_key=WEBHOOK_KEY))

    assert SECRET not in shown
    assert WEBHOOK_KEY not in shown


# -- kie-style signatures --------------------------------------------------------------------


def test_a_good_signature_verifies(signed_auth: CallbackAuth) -> None:
    url = signed_auth.url(RECEIVER)
    stamp = str(int(time.time()))

    verified = signed_auth.verify(url, music_body("task-1"), sign("task-1", stamp))

    assert verified.signed
    assert verified.task_id == "task-1"
    assert verified.timestamp == float(stamp)


def test_header_names_are_case_insensitive_and_milliseconds_are_read(
    signed_auth: CallbackAuth,
) -> None:
    stamp = str(int(time.time() * 1000))
    headers = {k.lower(): v for k, v in sign("task-1", stamp).items()}

    assert signed_auth.verify(signed_auth.url(RECEIVER), music_body("task-1"), headers).signed


@pytest.mark.parametrize(
    "headers",
    [
        lambda now: sign("task-1", now, key="wrong-key"),
        lambda now: sign("task-2", now),  # a signature of another task
        lambda now: {**sign("task-1", now), "X-Webhook-Signature": "AAAA"},
        lambda now: {"X-Webhook-Timestamp": now},  # half of the pair
        lambda now: {"X-Webhook-Signature": sign("task-1", now)["X-Webhook-Signature"]},
    ],
)
def test_a_bad_or_partial_signature_is_rejected(signed_auth: CallbackAuth, headers: object) -> None:
    now = str(int(time.time()))

    with pytest.raises(CallbackAuthError) as caught:
        signed_auth.verify(signed_auth.url(RECEIVER), music_body("task-1"), headers(now))  # type: ignore[operator]

    assert caught.value.reason == "signature"


@pytest.mark.parametrize("age", [-301, 301, 86400])
def test_a_stale_or_future_timestamp_is_rejected(signed_auth: CallbackAuth, age: int) -> None:
    stamp = str(int(time.time()) - age)

    with pytest.raises(CallbackAuthError) as caught:
        signed_auth.verify(signed_auth.url(RECEIVER), music_body("task-1"), sign("task-1", stamp))

    assert caught.value.reason == "timestamp"


def test_a_replayed_signed_request_is_rejected_once_the_tolerance_passes() -> None:
    clock = [1_000_000.0]
    auth = CallbackAuth(SECRET, webhook_key=WEBHOOK_KEY, tolerance=60, clock=lambda: clock[0])
    url, body, headers = auth.url(RECEIVER), music_body("t"), sign("t", "1000000")
    assert auth.verify(url, body, headers).signed

    clock[0] += 61

    with pytest.raises(CallbackAuthError, match="60 s"):
        auth.verify(url, body, headers)


def test_a_non_numeric_timestamp_is_rejected(signed_auth: CallbackAuth) -> None:
    with pytest.raises(CallbackAuthError) as caught:
        signed_auth.verify(signed_auth.url(RECEIVER), music_body("t"), sign("t", "yesterday"))

    assert caught.value.reason == "timestamp"


def test_a_signed_body_without_a_task_id_is_rejected(signed_auth: CallbackAuth) -> None:
    now = str(int(time.time()))

    with pytest.raises(CallbackAuthError, match="task id"):
        signed_auth.verify(signed_auth.url(RECEIVER), b"not json", sign("t", now))


def test_unsigned_callbacks_pass_unless_signatures_are_required(signed_auth: CallbackAuth) -> None:
    strict = CallbackAuth(SECRET, webhook_key=WEBHOOK_KEY, require_signature=True)

    assert not signed_auth.verify(signed_auth.url(RECEIVER), music_body("t"), {}).signed
    with pytest.raises(CallbackAuthError) as caught:
        strict.verify(strict.url(RECEIVER), music_body("t"), {})
    assert caught.value.reason == "signature"


def test_without_a_webhook_key_signature_headers_are_ignored(auth: CallbackAuth) -> None:
    headers = sign("t", "1", key="whatever")

    assert not auth.verify(auth.url(RECEIVER), music_body("t"), headers).signed
