"""SunoOptions and MurekaOptions: typed provider options, checked when they are built."""

from __future__ import annotations

import ast
import math
import re
import sys
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from musicgen import ValidationError
from musicgen.providers._options import MurekaOptions, ProviderOptions, SunoOptions

UNIT_OPTIONS = ("style_weight", "weirdness_constraint", "audio_weight")
SUNO_NAMES = (
    "negative_tags",
    "vocal_gender",
    "style_weight",
    "weirdness_constraint",
    "audio_weight",
    "persona_id",
    "persona_model",
    "callback_url",
)
MUREKA_NAMES = ("n", "reference_id", "vocal_id", "melody_id", "instrumental_id", "stream")
FILE_IDS = ("reference_id", "vocal_id", "melody_id", "instrumental_id")


def suno(option: str, value: Any) -> SunoOptions:
    return SunoOptions(**{option: value})


def mureka(option: str, value: Any) -> MurekaOptions:
    return MurekaOptions(**{option: value})


# -- Suno: construction -----------------------------------------------------------------------


def test_suno_options_are_checked_when_built() -> None:
    with pytest.raises(ValidationError) as caught:
        SunoOptions(style_weight=2)

    assert caught.value.field == "style_weight"


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("negative_tags", 3, "Suno option negative_tags must be a string, got int"),
        (
            "vocal_gender",
            "x",
            "Suno option vocal_gender must be 'm' or 'f' (or 'male'/'female'), got 'x'",
        ),
        ("style_weight", "0.5", "Suno option style_weight must be a number from 0 to 1, got str"),
        ("audio_weight", True, "Suno option audio_weight must be a number from 0 to 1, got bool"),
        (
            "weirdness_constraint",
            -0.1,
            "Suno option weirdness_constraint must be a number from 0 to 1, got -0.1",
        ),
        ("style_weight", 2, "Suno option style_weight must be a number from 0 to 1, got 2"),
        (
            "persona_model",
            "other_persona",
            "Suno option persona_model must be one of style_persona, voice_persona, "
            "got 'other_persona'",
        ),
        (
            "callback_url",
            "ftp://example.org/hook",
            "Suno option callback_url must be an http(s) URL, got 'ftp://example.org/hook'",
        ),
    ],
)
def test_suno_refusal_names_the_option_and_the_limit(option: str, value: Any, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        suno(option, value)

    assert caught.value.field == option
    assert str(caught.value) == message


@pytest.mark.parametrize(("given_value", "stored"), [("m", "m"), (" Male ", "m"), ("FEMALE", "f")])
def test_vocal_gender_is_normalised_to_a_letter(given_value: str, stored: str) -> None:
    assert SunoOptions(vocal_gender=given_value).vocal_gender == stored


def test_persona_model_is_stripped_and_lower_cased() -> None:
    assert SunoOptions(persona_model=" Voice_Persona ").persona_model == "voice_persona"


@pytest.mark.parametrize("option", ["negative_tags", "persona_id"])
def test_blank_free_text_counts_as_not_given(option: str) -> None:
    assert getattr(suno(option, "   "), option) is None


def test_free_text_is_stripped() -> None:
    assert SunoOptions(negative_tags="  heavy metal ").negative_tags == "heavy metal"


@pytest.mark.parametrize("option", ["vocal_gender", "persona_model", "callback_url"])
def test_blank_choice_or_url_is_refused_as_today(option: str) -> None:
    with pytest.raises(ValidationError) as caught:
        suno(option, "  ")

    assert caught.value.field == option


def test_callback_url_is_stripped() -> None:
    assert SunoOptions(callback_url=" https://hooks.test/x ").callback_url == "https://hooks.test/x"


@pytest.mark.parametrize("url", ["http://[", "http://:80", "https://user@", "not a url"])
def test_callback_url_without_a_host_is_a_validation_error(url: str) -> None:
    with pytest.raises(ValidationError) as caught:
        SunoOptions(callback_url=url)

    assert caught.value.field == "callback_url"


def test_a_weight_given_as_an_int_is_stored_as_a_float() -> None:
    weight = SunoOptions(audio_weight=1).audio_weight

    assert type(weight) is float
    assert weight == 1.0


@given(option=st.sampled_from(UNIT_OPTIONS), value=st.floats(min_value=0, max_value=1))
def test_any_weight_from_0_to_1_is_accepted(option: str, value: float) -> None:
    assert getattr(suno(option, value), option) == value


@given(
    option=st.sampled_from(UNIT_OPTIONS),
    value=st.floats().filter(lambda x: not 0 <= x <= 1) | st.integers().filter(lambda x: x > 1),
)
def test_any_weight_outside_0_to_1_is_refused(option: str, value: float) -> None:
    with pytest.raises(ValidationError, match=f"{option} must be a number from 0 to 1") as caught:
        suno(option, value)

    assert caught.value.field == option


def test_nan_weight_is_refused() -> None:
    with pytest.raises(ValidationError, match="got nan"):
        SunoOptions(style_weight=math.nan)


# -- Suno: output -----------------------------------------------------------------------------


def test_to_wire_uses_the_camel_case_names() -> None:
    options = SunoOptions(
        negative_tags="heavy metal",
        vocal_gender="female",
        style_weight=0.65,
        weirdness_constraint=0,
        audio_weight=1,
        persona_id="persona-123",
        persona_model="voice_persona",
        callback_url="https://hooks.test/x",
    )

    assert options.to_wire() == {
        "negativeTags": "heavy metal",
        "vocalGender": "f",
        "styleWeight": 0.65,
        "weirdnessConstraint": 0.0,
        "audioWeight": 1.0,
        "personaId": "persona-123",
        "personaModel": "voice_persona",
        "callBackUrl": "https://hooks.test/x",
    }


def test_to_wire_leaves_out_options_not_given() -> None:
    assert SunoOptions(negative_tags="  ", style_weight=0.5).to_wire() == {"styleWeight": 0.5}


def test_suno_to_dict_uses_snake_case_names_without_none() -> None:
    assert SunoOptions(vocal_gender="Male", audio_weight=0).to_dict() == {
        "vocal_gender": "m",
        "audio_weight": 0.0,
    }


def test_suno_repr_shows_only_the_options_given() -> None:
    assert repr(SunoOptions(style_weight=0.5)) == "SunoOptions(style_weight=0.5)"


# -- Suno: from_mapping and coerce ------------------------------------------------------------


def test_from_mapping_builds_the_same_options_as_the_constructor() -> None:
    mapping = {"negative_tags": "metal", "style_weight": 0.6}

    assert SunoOptions.from_mapping(mapping) == SunoOptions(negative_tags="metal", style_weight=0.6)


def test_from_mapping_skips_none_values() -> None:
    assert SunoOptions.from_mapping({"persona_id": None, "style_weight": None}) == SunoOptions()


def test_from_mapping_refuses_a_bad_value_like_the_constructor() -> None:
    with pytest.raises(
        ValidationError, match=re.escape("style_weight must be a number from 0 to 1, got 1.01")
    ):
        SunoOptions.from_mapping({"style_weight": 1.01})


def test_unknown_suno_option_is_named_and_accepted_ones_listed() -> None:
    with pytest.raises(ValidationError) as caught:
        SunoOptions.from_mapping({"tempo": 120})

    assert caught.value.field == "tempo"
    assert str(caught.value) == (
        "unknown Suno option 'tempo'. Accepted options: audio_weight, callback_url, "
        "negative_tags, persona_id, persona_model, style_weight, vocal_gender, "
        "weirdness_constraint"
    )


@pytest.mark.parametrize(
    ("given_name", "guess"), [("negativeTags", "negative_tags"), ("callBackUrl", "callback_url")]
)
def test_camel_case_option_suggests_its_snake_case_name(given_name: str, guess: str) -> None:
    with pytest.raises(
        ValidationError, match=re.escape(f"'{given_name}'. Did you mean '{guess}'?")
    ):
        SunoOptions.from_mapping({given_name: "x"})


def test_misspelt_option_suggests_the_closest_name() -> None:
    with pytest.raises(ValidationError, match=re.escape("Did you mean 'style_weight'?")):
        SunoOptions.from_mapping({"styel_weight": 0.5})


def test_unknown_option_is_refused_even_with_a_none_value() -> None:
    with pytest.raises(ValidationError) as caught:
        SunoOptions.from_mapping({"tempo": None})

    assert caught.value.field == "tempo"


def test_suno_coerce_returns_suno_options_unchanged() -> None:
    options = SunoOptions(style_weight=0.5)

    assert SunoOptions.coerce(options) is options


def test_suno_coerce_builds_from_a_mapping() -> None:
    assert SunoOptions.coerce({"vocal_gender": "f"}) == SunoOptions(vocal_gender="f")


def test_suno_coerce_of_none_is_empty_options() -> None:
    assert SunoOptions.coerce(None) == SunoOptions()


def test_suno_coerce_refuses_mureka_options_and_names_the_expected_class() -> None:
    with pytest.raises(ValidationError) as caught:
        SunoOptions.coerce(MurekaOptions(n=2))  # type: ignore[arg-type]

    assert caught.value.field == "options"
    assert str(caught.value) == (
        "options for Suno must be SunoOptions or a mapping of option names to values, got "
        "MurekaOptions, the options of provider 'mureka'. Pass SunoOptions(...) or a dict"
    )


def test_coerce_refuses_a_value_that_is_not_a_mapping() -> None:
    with pytest.raises(ValidationError, match="got list") as caught:
        SunoOptions.coerce([("style_weight", 0.5)])  # type: ignore[arg-type]

    assert caught.value.field == "options"


# -- Mureka: construction ---------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 2, 3])
def test_n_within_the_documented_range_is_accepted(n: int) -> None:
    assert MurekaOptions(n=n).n == n


def test_n_above_3_is_left_to_the_driver_and_its_model_limit() -> None:
    # A registered model may allow more songs; the driver knows the model, the options do not.
    assert MurekaOptions(n=5).n == 5


@pytest.mark.parametrize("n", [0, -1])
def test_n_below_1_is_refused_and_mentions_billing(n: int) -> None:
    with pytest.raises(ValidationError) as caught:
        MurekaOptions(n=n)

    assert caught.value.field == "n"
    assert str(caught.value) == (
        f"n is {n}; Mureka makes 1 to 3 songs per request on its current models. Each song is "
        "billed, so leave n out for Mureka's default of 2, or pass a value in range"
    )


@pytest.mark.parametrize("n", [True, "2", 2.0])
def test_n_must_be_an_int_and_not_a_bool(n: object) -> None:
    with pytest.raises(ValidationError, match=r"n must be an int \(the number of songs") as caught:
        MurekaOptions(n=n)  # type: ignore[arg-type]

    assert caught.value.field == "n"


@pytest.mark.parametrize("option", FILE_IDS)
def test_a_file_id_must_be_a_string(option: str) -> None:
    with pytest.raises(ValidationError) as caught:
        mureka(option, 123)

    assert caught.value.field == option
    assert str(caught.value) == (
        f"{option} must be a string (an id from Mureka's /v1/files/upload), got int 123"
    )


@pytest.mark.parametrize("option", FILE_IDS)
def test_a_file_id_is_stripped(option: str) -> None:
    assert getattr(mureka(option, " id-1 "), option) == "id-1"


@pytest.mark.parametrize("option", MUREKA_NAMES)
def test_a_blank_mureka_option_counts_as_not_given(option: str) -> None:
    assert mureka(option, "  ").present() == {}


@pytest.mark.parametrize("value", ["yes", 1])
def test_stream_must_be_a_bool(value: object) -> None:
    with pytest.raises(ValidationError) as caught:
        MurekaOptions(stream=value)  # type: ignore[arg-type]

    assert caught.value.field == "stream"
    assert (
        str(caught.value) == f"stream must be True or False, got {type(value).__name__} {value!r}"
    )


# -- Mureka: output, from_mapping and coerce --------------------------------------------------


def test_present_returns_only_the_options_given() -> None:
    options = MurekaOptions(n=2, vocal_id="voc-1", stream=False)

    assert options.present() == {"n": 2, "vocal_id": "voc-1", "stream": False}


def test_mureka_wire_names_are_the_snake_case_names() -> None:
    options = MurekaOptions(n=3, reference_id="ref-1", stream=True)

    assert (
        options.to_wire() == options.to_dict() == {"n": 3, "reference_id": "ref-1", "stream": True}
    )


def test_unknown_mureka_option_is_named_with_the_accepted_ones() -> None:
    with pytest.raises(ValidationError) as caught:
        MurekaOptions.from_mapping({"callback_url": "https://example.com/hook"})

    assert caught.value.field == "callback_url"
    assert str(caught.value) == (
        "unknown Mureka option 'callback_url'. Accepted options: n, reference_id, vocal_id, "
        "melody_id, instrumental_id, stream. Remove it or fix its spelling"
    )


def test_mureka_from_mapping_skips_none_values() -> None:
    assert MurekaOptions.from_mapping({"n": None, "melody_id": "mel-1"}) == MurekaOptions(
        melody_id="mel-1"
    )


def test_mureka_coerce_refuses_suno_options() -> None:
    with pytest.raises(ValidationError, match="must be MurekaOptions") as caught:
        MurekaOptions.coerce(SunoOptions())  # type: ignore[arg-type]

    assert caught.value.field == "options"


def test_mureka_coerce_builds_from_a_mapping() -> None:
    assert MurekaOptions.coerce({"n": 1}) == MurekaOptions(n=1)


# -- Both: the value-object contract ----------------------------------------------------------


@pytest.mark.parametrize("cls", [SunoOptions, MurekaOptions])
def test_options_are_frozen(cls: type[Any]) -> None:
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        cls().anything = 1


@pytest.mark.parametrize("cls", [SunoOptions, MurekaOptions])
def test_options_are_slotted(cls: type[Any]) -> None:
    assert not hasattr(cls(), "__dict__")


@pytest.mark.parametrize(("cls", "value"), [(SunoOptions, "metal"), (MurekaOptions, 2)])
def test_options_are_keyword_only(cls: type[Any], value: object) -> None:
    with pytest.raises(TypeError):
        cls(value)


def test_evolve_checks_the_new_value() -> None:
    with pytest.raises(ValidationError):
        attrs.evolve(SunoOptions(style_weight=0.5), style_weight=3)


def test_equal_options_hash_equal() -> None:
    assert hash(SunoOptions(style_weight=1)) == hash(SunoOptions(style_weight=1.0))


@pytest.mark.parametrize("options", [SunoOptions(), MurekaOptions()])
def test_both_classes_are_provider_options(options: object) -> None:
    assert isinstance(options, ProviderOptions)


def test_a_plain_mapping_is_not_provider_options() -> None:
    assert not isinstance({"n": 2}, ProviderOptions)


def test_field_names_are_the_option_names() -> None:
    assert tuple(field.name for field in attrs.fields(SunoOptions)) == SUNO_NAMES
    assert tuple(field.name for field in attrs.fields(MurekaOptions)) == MUREKA_NAMES


def test_the_module_imports_only_attrs_the_stdlib_and_errors() -> None:
    # It is loaded by `import musicgen`; difflib in particular is imported only when needed.
    source = Path(sys.modules[SunoOptions.__module__].__file__ or "").read_text(encoding="utf-8")
    imported: set[str] = set()
    for node in ast.parse(source).body:
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.add("." * node.level + (node.module or "").split(".")[0])
    allowed = {"attrs", "__future__", ".._errors"} | set(sys.stdlib_module_names)
    assert imported <= allowed - {"difflib"}


# -- Both: round trips ------------------------------------------------------------------------

texts = st.none() | st.text(max_size=20)
weights = st.none() | st.floats(min_value=0, max_value=1) | st.integers(0, 1)
suno_options = st.builds(
    SunoOptions,
    negative_tags=texts,
    vocal_gender=st.none() | st.sampled_from(["m", "f", " Male", "FEMALE "]),
    style_weight=weights,
    weirdness_constraint=weights,
    audio_weight=weights,
    persona_id=texts,
    persona_model=st.none() | st.sampled_from(["style_persona", " VOICE_PERSONA "]),
    callback_url=st.none()
    | st.builds("https://{}.test/{}".format, st.from_regex(r"[a-z]{1,10}", fullmatch=True), texts),
)
mureka_options = st.builds(
    MurekaOptions,
    n=st.none() | st.integers(min_value=1, max_value=10),
    reference_id=texts,
    vocal_id=texts,
    melody_id=texts,
    instrumental_id=texts,
    stream=st.none() | st.booleans(),
)


@given(suno_options)
def test_suno_from_mapping_of_to_dict_is_the_same_options(options: SunoOptions) -> None:
    assert SunoOptions.from_mapping(options.to_dict()) == options


@given(mureka_options)
def test_mureka_from_mapping_of_to_dict_is_the_same_options(options: MurekaOptions) -> None:
    assert MurekaOptions.from_mapping(options.to_dict()) == options


@given(suno_options)
def test_to_wire_carries_the_same_values_as_to_dict(options: SunoOptions) -> None:
    assert sorted(options.to_wire().values(), key=repr) == sorted(
        options.to_dict().values(), key=repr
    )
