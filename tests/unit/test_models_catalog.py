"""The model-version validator: aliases, defaults, fallback and strict mode."""

from __future__ import annotations

import logging

import pytest
from hypothesis import given
from hypothesis import strategies as st

import musicgen
from musicgen import ModelFallbackWarning, UnknownModelError, validate_model_version
from musicgen._models_catalog import MUREKA_CATALOG, SUNO_CATALOG, ModelCatalog, ModelInfo


@pytest.mark.parametrize(
    ("asked", "expected"),
    [
        ("V4_5", "V4_5"),
        ("v4.5", "V4_5"),
        ("4.5", "V4_5"),
        ("v4.5+", "V4_5PLUS"),
        ("V4_5PLUS", "V4_5PLUS"),
        ("v4.5 plus", "V4_5PLUS"),
        ("v4_5all", "V4_5ALL"),
        ("v5", "V5"),
        ("V5.5", "V5_5"),
        ("v3.5", "V3_5"),
        ("chirp-crow", "V5"),
        ("  v4  ", "V4"),
    ],
)
def test_suno_aliases_resolve_to_wire_ids(asked: str, expected: str) -> None:
    assert validate_model_version("suno", asked) == expected


@pytest.mark.parametrize(
    ("asked", "expected"),
    [
        ("auto", "auto"),
        ("AUTO", "auto"),
        ("7.5", "mureka-7.5"),
        ("mureka-7.6", "mureka-7.6"),
        ("Mureka 8", "mureka-8"),
        ("o1", "mureka-o1"),
        ("mureka_o2", "mureka-o2"),
        ("9.5", "mureka-9.5"),
        ("lora:mureka-6:4354198:my-model", "lora:mureka-6:4354198:my-model"),
    ],
)
def test_mureka_aliases_resolve_to_wire_ids(asked: str, expected: str) -> None:
    assert validate_model_version("mureka", asked) == expected


@pytest.mark.parametrize(("provider", "default"), [("suno", "V4_5"), ("mureka", "auto")])
def test_none_gives_the_provider_default(provider: str, default: str) -> None:
    assert validate_model_version(provider, None) == default


def test_unknown_model_falls_back_with_a_warning_naming_both(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="musicgen"), pytest.warns(ModelFallbackWarning):
        assert validate_model_version("suno", "V99") == "V4_5"
    [record] = caplog.records
    assert "'V99'" in record.getMessage()
    assert "'V4_5'" in record.getMessage()


def test_strict_mode_raises_listing_valid_ids() -> None:
    with pytest.raises(UnknownModelError) as info:
        validate_model_version("mureka", "mureka-42", strict=True)
    assert info.value.field == "model"
    assert "mureka-7.6" in info.value.valid
    assert "mureka-7.6" in str(info.value)


def test_registered_model_is_accepted_without_a_release() -> None:
    catalog = ModelCatalog("demo", default="a", models=[ModelInfo("a")])
    musicgen._models_catalog.register_catalog(catalog)
    musicgen.register_model("demo", "b-2", aliases=("bee",))
    assert validate_model_version("demo", "BEE", strict=True) == "b-2"


def test_registered_model_inherits_the_default_limits() -> None:
    entry = musicgen.register_model("suno", "V9_TEST")
    assert entry.limits == SUNO_CATALOG.get("V4_5").limits


@pytest.mark.parametrize("catalog", [SUNO_CATALOG, MUREKA_CATALOG], ids=["suno", "mureka"])
@given(name=st.text(max_size=40))
def test_any_string_gives_a_valid_id_or_unknown_model_error(
    catalog: ModelCatalog, name: str
) -> None:
    if catalog.lookup(name) is None and name.strip():
        with pytest.raises(UnknownModelError):
            catalog.resolve(name, strict=True)
        return
    resolved = catalog.resolve(name, strict=True).model
    assert resolved in catalog.ids or resolved.startswith("lora:")


@pytest.mark.parametrize("catalog", [SUNO_CATALOG, MUREKA_CATALOG], ids=["suno", "mureka"])
@given(name=st.text(max_size=40))
def test_lenient_resolution_never_fails(catalog: ModelCatalog, name: str) -> None:
    resolution = catalog.resolve(name)
    assert resolution.model in catalog.ids or resolution.model.startswith("lora:")
    assert resolution.fell_back == (
        resolution.model == catalog.default and bool(name.strip()) and catalog.lookup(name) is None
    )
