"""The exception tree shows public names only, and keeps its documented shape."""

from __future__ import annotations

import pickle

import pytest

import musicgen
from musicgen import (
    APITimeoutError,
    ConfigurationError,
    MusicGenError,
    ServerError,
    SubmissionUncertainError,
    UnsupportedOperationError,
    ValidationError,
)
from musicgen._errors import as_uncertain_submission

ERROR_CLASSES = [
    getattr(musicgen, name)
    for name in musicgen.__all__
    if isinstance(getattr(musicgen, name), type)
    and issubclass(getattr(musicgen, name), MusicGenError)
]


@pytest.mark.parametrize("cls", ERROR_CLASSES, ids=lambda cls: cls.__name__)
def test_every_error_class_is_named_by_its_public_path(cls: type[MusicGenError]) -> None:
    assert cls.__module__ == "musicgen"
    assert getattr(musicgen, cls.__name__) is cls


def test_an_uncertain_submission_has_a_public_type_that_keeps_its_kind() -> None:
    error = as_uncertain_submission(ServerError("boom", provider="suno", status_code=500))
    assert type(error).__name__ in musicgen.__all__
    assert isinstance(error, ServerError)
    assert isinstance(error, SubmissionUncertainError)


def test_repr_reads_the_public_path() -> None:
    error = as_uncertain_submission(APITimeoutError("t", provider="suno", request_sent=True))
    assert repr(error).startswith("musicgen.UncertainTimeoutError(")


def test_an_uncertain_error_survives_pickling_as_the_same_public_class() -> None:
    error = as_uncertain_submission(ServerError("boom", provider="suno", status_code=500))
    assert type(pickle.loads(pickle.dumps(error))) is type(error)


def test_validation_error_needs_no_field() -> None:
    error = ValidationError("the request is empty")
    assert (error.field, str(error)) == (None, "the request is empty")


def test_an_unsupported_operation_is_a_configuration_error() -> None:
    error = UnsupportedOperationError("no lyrics here", provider="acme", operation="lyrics")
    assert isinstance(error, ConfigurationError)
    assert (error.provider, error.operation) == ("acme", "lyrics")
