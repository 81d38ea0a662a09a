"""The request fingerprint that keys the cache journal: stable, and sensitive to every parameter."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import attrs
from hypothesis import given
from hypothesis import strategies as st

from musicgen import GenerationRequest

texts = st.none() | st.text(max_size=30)
option_values = st.none() | st.booleans() | st.integers(-5, 5) | st.text(max_size=10)
requests = st.builds(
    GenerationRequest,
    provider=st.sampled_from(["suno", "mureka"]),
    model=st.sampled_from(["V4_5", "V5", "auto", "mureka-7.6"]),
    prompt=texts,
    lyrics=texts,
    style=texts,
    title=texts,
    instrumental=st.booleans(),
    options=st.dictionaries(st.sampled_from(["n", "negative_tags", "stream"]), option_values),
)


@given(requests)
def test_equal_requests_have_equal_fingerprints(request: GenerationRequest) -> None:
    copy = attrs.evolve(request, options=dict(reversed(list(request.options.items()))))
    assert copy.fingerprint() == request.fingerprint()


def _typed(request: GenerationRequest) -> dict[str, object]:
    """The request's fields, with each option's type: ``n=False`` is not ``n=0`` on the wire."""
    fields = attrs.asdict(request)
    fields["options"] = {key: (type(v), v) for key, v in request.options.items()}
    return fields


@given(requests, requests)
def test_requests_that_differ_anywhere_have_different_fingerprints(
    first: GenerationRequest, second: GenerationRequest
) -> None:
    same = _typed(first) == _typed(second)
    assert (first.fingerprint() == second.fingerprint()) == same


@given(requests, st.sampled_from(["prompt", "lyrics", "style", "title"]), st.text(max_size=5))
def test_changing_one_text_field_changes_the_fingerprint(
    request: GenerationRequest, field: str, suffix: str
) -> None:
    current = getattr(request, field) or ""
    changes: dict[str, Any] = {field: current + suffix + "!"}
    changed = attrs.evolve(request, **changes)
    assert changed.fingerprint() != request.fingerprint()


def test_another_process_computes_the_same_fingerprint() -> None:
    request = GenerationRequest(
        provider="suno", model="V5", lyrics="la", style="folk", title="T", options={"n": 2}
    )
    code = (
        "from musicgen import GenerationRequest as R;"
        "print(R(provider='suno', model='V5', lyrics='la', style='folk', title='T',"
        " options={'n': 2}).fingerprint())"
    )
    # A fresh interpreter has another hash seed: the digest must not depend on it.
    other = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONHASHSEED": "12345"},
    )
    assert other.stdout.strip() == request.fingerprint()
