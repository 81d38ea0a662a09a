"""Typed per-call provider options, checked when they are built.

``SunoOptions`` and ``MurekaOptions`` hold the extras one provider accepts besides the shared
request fields. Each is validated and normalised at construction, so ``SunoOptions(style_weight=2)``
raises at once; ``from_mapping`` serves the ``**options`` shorthand and refuses unknown names.
``to_wire`` gives the names the request body uses, ``to_dict`` the snake_case ones (what the
request fingerprint hashes).

Rules that need the model or the rest of the request stay in the drivers: Mureka's per-model
unsupported options and ``n`` limit, and its song/instrumental combinations.

This module is loaded by ``import musicgen``, so it imports only attrs, the standard library and
``musicgen._errors``.
"""

from __future__ import annotations

import abc
import math
import re
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Protocol, TypeVar, runtime_checkable
from urllib.parse import urlsplit

import attrs

from .._errors import ValidationError

__all__ = ["MurekaOptions", "ProviderOptions", "SunoOptions"]


@runtime_checkable
class ProviderOptions(Protocol):
    """What a client accepts as ``options=`` besides a plain mapping."""

    def to_dict(self) -> dict[str, Any]:
        """Return the options given, by snake_case name, without None values."""
        ...


# --------------------------------------------------------------------------------------------
# Shared helpers
# --------------------------------------------------------------------------------------------

# Converters never raise: they normalise what they can and pass anything else through unchanged,
# so the validators (which know the field's name) report the value exactly as the caller gave it.


def _is_blank(value: object) -> bool:
    return isinstance(value, str) and not value.strip()


def _text_or_none(value: str | None) -> str | None:
    """Strip a string; a blank one counts as not given."""
    if isinstance(value, str):
        return value.strip() or None
    return value


def _given(options: attrs.AttrsInstance) -> dict[str, Any]:
    values = ((field.name, getattr(options, field.name)) for field in attrs.fields(type(options)))
    return {name: value for name, value in values if value is not None}


def _repr(options: attrs.AttrsInstance) -> str:
    # Only the options given: eight "=None" would hide the one that matters.
    given = ", ".join(f"{name}={value!r}" for name, value in _given(options).items())
    return f"{type(options).__name__}({given})"


def _wrong_type(expected: type, provider: str, value: object) -> ValidationError:
    got = type(value).__name__
    owner = getattr(value, "provider", None) if isinstance(value, ProviderOptions) else None
    whose = f", the options of provider {owner!r}" if isinstance(owner, str) else ""
    msg = (
        f"options for {provider} must be {expected.__name__} or a mapping of option names to "
        f"values, got {got}{whose}. Pass {expected.__name__}(...) or a dict"
    )
    return ValidationError(msg, field="options")


OptionsT = TypeVar("OptionsT", bound="_Options")


class _Options(abc.ABC):
    """What both providers' options share; the fields are the subclass's (attrs)."""

    __slots__ = ()

    #: The provider whose options these are (``"suno"``).
    provider: ClassVar[str]
    #: Its name in messages (``"Suno"``).
    label: ClassVar[str]

    @classmethod
    @abc.abstractmethod
    def from_mapping(cls: type[OptionsT], options: Mapping[str, Any]) -> OptionsT:
        """Build the options from a mapping of names to values (each provider says how)."""

    @classmethod
    def coerce(cls: type[OptionsT], value: OptionsT | Mapping[str, Any] | None) -> OptionsT:
        """Return ``value`` as these options: itself, built from a mapping, or empty for None.

        Args:
            value: What the caller passed as ``options=``.

        Raises:
            ValidationError: ``value`` is another provider's options or not a mapping
                (``field="options"``), or the mapping is refused by ``from_mapping``.
        """
        if isinstance(value, cls):
            return value
        if value is None:
            return cls()
        if isinstance(value, Mapping):
            return cls.from_mapping(value)
        raise _wrong_type(cls, cls.label, value)

    def to_dict(self) -> dict[str, Any]:
        """Return the options given under their snake_case names, without None values."""
        return _given(self)  # type: ignore[arg-type]

    def __repr__(self) -> str:
        return _repr(self)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------
# Suno
# --------------------------------------------------------------------------------------------

_GENDERS = {"m": "m", "male": "m", "f": "f", "female": "f"}
_PERSONA_MODELS = ("style_persona", "voice_persona")


def _gender(value: str | None) -> str | None:
    if isinstance(value, str):
        return _GENDERS.get(value.strip().lower(), value)
    return value


def _unit(value: float | None) -> float | None:
    # An int in range becomes a float so 1 and 1.0 are one option; out of range it stays as
    # given, so the error quotes the caller's value.
    if value is not None and _is_unit(value):
        return float(value)
    return value


def _is_unit(value: object) -> bool:
    # bool is an int subclass; True must not slip through as 1.0.
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return math.isfinite(value) and 0 <= value <= 1


def _persona_model(value: str | None) -> str | None:
    if isinstance(value, str) and value.strip().lower() in _PERSONA_MODELS:
        return value.strip().lower()
    return value


def _is_http_url(value: object) -> bool:
    if not isinstance(value, str):
        return False
    try:
        parts = urlsplit(value.strip())
    except ValueError:  # e.g. "http://[" (an unclosed IPv6 bracket)
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _url(value: str | None) -> str | None:
    if isinstance(value, str) and _is_http_url(value):
        return value.strip()
    return value


def _check_suno_text(_: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and not isinstance(value, str):
        name = attribute.name
        msg = f"Suno option {name} must be a string, got {type(value).__name__}"
        raise ValidationError(msg, field=name)


def _check_gender(_: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and value not in ("m", "f"):
        name = attribute.name
        msg = f"Suno option {name} must be 'm' or 'f' (or 'male'/'female'), got {value!r}"
        raise ValidationError(msg, field=name)


def _check_unit(_: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None or _is_unit(value):
        return
    name = attribute.name
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        msg = f"Suno option {name} must be a number from 0 to 1, got {type(value).__name__}"
    else:
        msg = f"Suno option {name} must be a number from 0 to 1, got {value!r}"
    raise ValidationError(msg, field=name)


def _check_persona_model(_: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and value not in _PERSONA_MODELS:
        name = attribute.name
        msg = f"Suno option {name} must be one of {', '.join(_PERSONA_MODELS)}, got {value!r}"
        raise ValidationError(msg, field=name)


def _check_url(_: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and not _is_http_url(value):
        name = attribute.name
        msg = f"Suno option {name} must be an http(s) URL, got {value!r}"
        raise ValidationError(msg, field=name)


def _option(
    converter: Callable[[Any], Any], validator: Callable[[Any, Any, Any], None], wire: str = ""
) -> Any:
    """An optional option (None: not given): normalised, checked, and named on the wire."""
    return attrs.field(
        default=None,
        converter=converter,
        validator=validator,
        metadata={"wire": wire} if wire else {},
    )


@attrs.frozen(kw_only=True, repr=False)
class SunoOptions(_Options):
    """Per-call options of the sunoapi.org provider, checked and normalised when built.

    Blank ``negative_tags`` and ``persona_id`` count as not given; the other options refuse a
    blank string.

    Attributes:
        negative_tags: Styles to keep out (``negativeTags``).
        vocal_gender: ``"m"`` or ``"f"``; ``"male"`` and ``"female"`` in any case are accepted.
            Suno treats it as a preference, in custom mode only.
        style_weight: How closely to follow ``style``, from 0 to 1.
        weirdness_constraint: How adventurous the result may be, from 0 to 1.
        audio_weight: The weight of the audio input, from 0 to 1.
        persona_id: A persona to generate with (``personaId``).
        persona_model: ``"style_persona"`` or ``"voice_persona"``.
        callback_url: An http(s) URL Suno calls as the task progresses; overrides the
            provider's ``callback_url`` for this call.

    Raises:
        ValidationError: An option has the wrong type or is out of range; ``field`` names it.
    """

    provider: ClassVar[str] = "suno"
    label: ClassVar[str] = "Suno"

    negative_tags: str | None = _option(_text_or_none, _check_suno_text, "negativeTags")
    vocal_gender: str | None = _option(_gender, _check_gender, "vocalGender")
    style_weight: float | None = _option(_unit, _check_unit, "styleWeight")
    weirdness_constraint: float | None = _option(_unit, _check_unit, "weirdnessConstraint")
    audio_weight: float | None = _option(_unit, _check_unit, "audioWeight")
    persona_id: str | None = _option(_text_or_none, _check_suno_text, "personaId")
    persona_model: str | None = _option(_persona_model, _check_persona_model, "personaModel")
    callback_url: str | None = _option(_url, _check_url, "callBackUrl")

    @classmethod
    def from_mapping(cls, options: Mapping[str, Any]) -> SunoOptions:
        """Build the options from the ``**options`` shorthand; None values count as not given.

        Args:
            options: Option names (snake_case) to values.

        Raises:
            ValidationError: An unknown name (with a did-you-mean and the accepted names), or a
                bad value.
        """
        names = _suno_names()
        for key in options:
            name = str(key)
            if name not in names:
                hint = _did_you_mean(name, names)
                accepted = ", ".join(sorted(names))
                msg = f"unknown Suno option {name!r}.{hint} Accepted options: {accepted}"
                raise ValidationError(msg, field=name)
        return cls(**{str(key): value for key, value in options.items() if value is not None})

    def to_wire(self) -> dict[str, Any]:
        """Return the options given under their request-body (camelCase) names."""
        return {
            field.metadata["wire"]: getattr(self, field.name)
            for field in attrs.fields(type(self))
            if getattr(self, field.name) is not None
        }


def _suno_names() -> tuple[str, ...]:
    return tuple(field.name for field in attrs.fields(SunoOptions))


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower().replace("-", "_")


def _did_you_mean(name: str, names: tuple[str, ...]) -> str:
    """Return `` Did you mean 'x'?`` for the likeliest intended name, or ``""``."""
    # camelCase is the commonest slip: the wire names are camelCase.
    guess: str | None = _snake(name) if _snake(name) in names else None
    if guess is None:
        import difflib  # here, not at the top: only an unknown name pays for it

        close = difflib.get_close_matches(name, list(names), n=1)
        guess = close[0] if close else None
    return f" Did you mean {guess!r}?" if guess else ""


# --------------------------------------------------------------------------------------------
# Mureka
# --------------------------------------------------------------------------------------------

# The documented maximum of songs per request ("default 2, max 3"); a model's own limit, which
# the driver checks, can be lower.
_MUREKA_MAX_N = 3


def _n(value: int | None) -> int | None:
    return None if _is_blank(value) else value


def _stream(value: bool | None) -> bool | None:
    return None if _is_blank(value) else value


def _check_n(_: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None:
        return
    # bool is an int subclass; n=True is a bug, not one song.
    if isinstance(value, bool) or not isinstance(value, int):
        msg = (
            f"n must be an int (the number of songs: 1 to {_MUREKA_MAX_N} on Mureka's current "
            f"models), got {type(value).__name__} {value!r}"
        )
        raise ValidationError(msg, field=attribute.name)
    if value < 1:
        msg = (
            f"n is {value}; Mureka makes 1 to {_MUREKA_MAX_N} songs per request on its current "
            "models. Each song is billed, so leave n out for Mureka's default of 2, or pass a "
            "value in range"
        )
        raise ValidationError(msg, field=attribute.name)


def _check_file_id(_: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and not isinstance(value, str):
        msg = (
            f"{attribute.name} must be a string (an id from Mureka's /v1/files/upload), got "
            f"{type(value).__name__} {value!r}"
        )
        raise ValidationError(msg, field=attribute.name)


def _check_stream(_: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and not isinstance(value, bool):
        msg = f"stream must be True or False, got {type(value).__name__} {value!r}"
        raise ValidationError(msg, field=attribute.name)


@attrs.frozen(kw_only=True, repr=False)
class MurekaOptions(_Options):
    """Per-call options of the Mureka provider, checked and normalised when built.

    None and blank strings count as not given; ids are stripped. Whether the model supports an
    option, its ``n`` limit, and which options combine are checked by the driver, which sees the
    model and the rest of the request.

    Attributes:
        n: How many songs to make (Mureka's default is 2); each one is billed.
        reference_id: A reference track id from Mureka's files/upload (songs only).
        vocal_id: A vocal id from files/upload (songs only).
        melody_id: A melody id from files/upload (songs only; combines with nothing else).
        instrumental_id: An instrumental id from files/upload (instrumentals only).
        stream: Whether the task streams audio while it generates.

    Raises:
        ValidationError: An option has the wrong type or is out of range; ``field`` names it.
    """

    provider: ClassVar[str] = "mureka"
    label: ClassVar[str] = "Mureka"

    n: int | None = _option(_n, _check_n)
    reference_id: str | None = _option(_text_or_none, _check_file_id)
    vocal_id: str | None = _option(_text_or_none, _check_file_id)
    melody_id: str | None = _option(_text_or_none, _check_file_id)
    instrumental_id: str | None = _option(_text_or_none, _check_file_id)
    stream: bool | None = _option(_stream, _check_stream)

    @classmethod
    def from_mapping(cls, options: Mapping[str, Any]) -> MurekaOptions:
        """Build the options from the ``**options`` shorthand; None values count as not given.

        Args:
            options: Option names (snake_case) to values.

        Raises:
            ValidationError: An unknown name (with the accepted names), or a bad value.
        """
        names = _mureka_names()
        for key in options:
            if key not in names:
                msg = (
                    f"unknown Mureka option {key!r}. Accepted options: {', '.join(names)}. "
                    "Remove it or fix its spelling"
                )
                raise ValidationError(msg, field=str(key))
        return cls(**{key: value for key, value in options.items() if value is not None})

    def present(self) -> dict[str, Any]:
        """Return the options actually given, by name (for the driver's model and combination
        rules)."""
        return _given(self)

    def to_wire(self) -> dict[str, Any]:
        """Return the options given under their request-body names (Mureka's are snake_case)."""
        return _given(self)


def _mureka_names() -> tuple[str, ...]:
    return tuple(field.name for field in attrs.fields(MurekaOptions))
