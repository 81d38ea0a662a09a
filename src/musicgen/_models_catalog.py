"""The model-version validator: per-provider catalogs, tolerant aliases, and a sound fallback.

An unknown model does not fail a script by default: it falls back to the provider's default with
a WARNING that names what was asked and what is used. ``strict=True`` raises instead.
"""

from __future__ import annotations

import logging
import re
import threading
import warnings
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

import attrs

from ._errors import ConfigurationError, UnknownModelError, ValidationError

__all__ = [
    "ModelCatalog",
    "ModelFallbackWarning",
    "ModelInfo",
    "ModelResolution",
    "catalog_for",
    "register_catalog",
    "register_model",
    "validate_model_version",
]

logger = logging.getLogger("musicgen")


class ModelFallbackWarning(UserWarning):
    """An unknown model was replaced by the provider's default.

    Shown once per message by Python's default warning filters; silence it with
    ``warnings.filterwarnings("ignore", category=musicgen.ModelFallbackWarning)``, or make it an
    error with ``strict_models=True``.
    """


ModelFallbackWarning.__module__ = "musicgen"


def report_fallback(
    catalog: ModelCatalog, requested: object, model: str, *, extra: Mapping[str, Any]
) -> None:
    """Tell that ``requested`` is unknown and ``model`` is used instead: a WARNING record on
    the ``musicgen`` logger (with ``extra``), and a ``ModelFallbackWarning`` at the caller's
    line, seen even by scripts that configured no logging (shown once per message)."""
    text = (
        f"unknown {catalog.provider} model {requested!r}: using the default {model!r} instead "
        f"(valid: {', '.join(catalog.ids)}); pass strict_models=True to make this an error"
    )
    logger.warning(text, extra=extra)
    warnings.warn(text, ModelFallbackWarning, stacklevel=stack_level_outside_musicgen())


def stack_level_outside_musicgen() -> int:
    """The ``stacklevel`` that makes a warning point at the first caller outside musicgen."""
    import sys

    frame = sys._getframe(1)
    level = 1
    while frame.f_back is not None and frame.f_globals.get("__name__", "").startswith("musicgen"):
        frame = frame.f_back
        level += 1
    return level


def _freeze(value: Mapping[str, int] | None) -> Mapping[str, int]:
    return MappingProxyType(dict(value or {}))


@attrs.frozen
class ModelInfo:
    """One model a provider accepts.

    Attributes:
        id: The exact id sent on the wire (e.g. ``"V4_5PLUS"``, ``"mureka-7.6"``).
        aliases: Other names users type for it (matched case- and punctuation-insensitively).
        limits: Maximum lengths in characters per field (e.g. ``{"lyrics": 5000}``).
        retired: The provider has announced its retirement; still accepted, it may stop working.
        unsupported: Options this model refuses (e.g. Mureka o-series ``stream``).
        description: A short human description.
    """

    id: str
    aliases: tuple[str, ...] = ()
    limits: Mapping[str, int] = attrs.field(factory=dict, converter=_freeze, hash=False)
    retired: bool = False
    unsupported: frozenset[str] = frozenset()
    description: str = ""


@attrs.frozen
class ModelResolution:
    """The outcome of resolving a model name.

    Attributes:
        model: The id to use.
        requested: What the caller asked for (None when it asked for the default).
        fell_back: True when ``requested`` was unknown and the default is used instead.
    """

    model: str
    requested: str | None
    fell_back: bool


def _key(name: str, prefix: str) -> str:
    # "V4.5+", "v4_5plus" and "4.5 PLUS" all become "45plus"; "mureka-7.5" and "7.5" become "75".
    key = re.sub(r"[^a-z0-9]", "", name.strip().lower().replace("+", "plus"))
    if prefix and key.startswith(prefix) and len(key) > len(prefix):
        key = key[len(prefix) :]
    return key


class ModelCatalog:
    """The models of one provider, with aliases and a default. Thread-safe to extend.

    Args:
        provider: The provider name.
        default: The id used when no model, or an unknown one, is asked for.
        models: The known models.
        prefix: A prefix users may leave out (``"v"`` for Suno, ``"mureka"`` for Mureka).
        passthrough: A regex of ids accepted verbatim (e.g. Mureka's fine-tuned ``lora:...``).
        length_hints: Per field, another way out when no model allows a longer value.
    """

    def __init__(
        self,
        provider: str,
        *,
        default: str,
        models: Iterable[ModelInfo],
        prefix: str = "",
        passthrough: str | None = None,
        length_hints: Mapping[str, str] | None = None,
    ) -> None:
        self.provider = provider
        self._length_hints = dict(length_hints or {})
        self._prefix = prefix
        self._passthrough = re.compile(passthrough) if passthrough else None
        self._lock = threading.Lock()
        self._models: dict[str, ModelInfo] = {}
        self._index: dict[str, str] = {}
        for info in models:
            self.add(info)
        if default not in self._models:
            msg = f"default model {default!r} is not in the {provider} catalog"
            raise ConfigurationError(msg)
        self.default = default

    def add(self, info: ModelInfo) -> None:
        """Add or replace a model, so new provider models work without a new release."""
        with self._lock:
            self._models[info.id] = info
            for name in (info.id, *info.aliases):
                self._index[_key(name, self._prefix)] = info.id

    @property
    def ids(self) -> tuple[str, ...]:
        """Every known model id, in catalog order."""
        return tuple(self._models)

    def get(self, model_id: str) -> ModelInfo:
        """Return the entry for a resolved id; passthrough ids get the default's limits."""
        info = self._models.get(model_id)
        if info is not None:
            return info
        return attrs.evolve(self._models[self.default], id=model_id, aliases=())

    def lookup(self, name: str) -> str | None:
        """Return the id ``name`` stands for, or None when it is unknown."""
        if name in self._models:
            return name
        if self._passthrough is not None and self._passthrough.fullmatch(name.strip()):
            return name.strip()
        return self._index.get(_key(name, self._prefix))

    def check_length(self, model: str, field: str, value: str) -> None:
        """Refuse ``value`` when it is longer than ``model``'s limit for ``field``.

        Raises:
            ValidationError: Names the field, its length, the limit, the model and the fix
                (including the models with a higher limit).
        """
        limit = self.get(model).limits.get(field)
        if limit is None or len(value) <= limit:
            return
        roomier = [
            other
            for other in self.ids
            if other != model
            and not self.get(other).retired
            and self.get(other).limits.get(field, 0) > limit
        ]
        fix = f"shorten {field} to at most {limit} characters"
        if roomier:
            best = max(self.get(other).limits[field] for other in roomier)
            fix += f", or use a model with a higher limit ({', '.join(roomier)}: up to {best})"
        elif field in self._length_hints:
            fix += f", or {self._length_hints[field]}"
        msg = (
            f"{field} is {len(value)} characters, over the {limit}-character limit of "
            f"{self.provider.capitalize()} model {model}: {fix}"
        )
        raise ValidationError(msg, field=field)

    def resolve(self, model: str | None, *, strict: bool = False) -> ModelResolution:
        """Resolve ``model`` to an id; unknown falls back to the default unless ``strict``.

        Pure: the caller reports a fallback (see ``validate_model_version``).

        Raises:
            UnknownModelError: ``model`` is unknown and ``strict`` is true.
        """
        if model is None or not str(model).strip():
            return ModelResolution(model=self.default, requested=None, fell_back=False)
        found = self.lookup(str(model))
        if found is not None:
            return ModelResolution(model=found, requested=model, fell_back=False)
        valid = self.ids
        if strict:
            msg = (
                f"model {model!r} is not a known {self.provider} model. Valid ids: "
                f"{', '.join(valid)}. Pass one of them, leave model=None for the default "
                f"({self.default!r}), or add it with "
                f"musicgen.register_model({self.provider!r}, ...)"
            )
            raise UnknownModelError(msg, provider=self.provider, model=str(model), valid=valid)
        return ModelResolution(model=self.default, requested=model, fell_back=True)


_SUNO_V4 = {"lyrics": 3000, "style": 200, "title": 80, "prompt": 500}
_SUNO_V45 = {"lyrics": 5000, "style": 1000, "title": 100, "prompt": 500}

SUNO_CATALOG = ModelCatalog(
    "suno",
    default="V4_5",
    prefix="v",
    length_hints={"prompt": "write the lyrics yourself in custom mode (lyrics=, style=, title=)"},
    models=[
        ModelInfo(
            "V5_5", aliases=("chirp-fenix",), limits=_SUNO_V45, description="voice and persona"
        ),
        ModelInfo("V5", aliases=("chirp-crow",), limits=_SUNO_V45, description="up to 8 min"),
        ModelInfo(
            "V4_5PLUS", aliases=("chirp-bluejay",), limits=_SUNO_V45, description="up to 8 min"
        ),
        ModelInfo(
            "V4_5ALL",
            limits={**_SUNO_V45, "title": 80},
            description="better song structure, up to 8 min",
        ),
        ModelInfo("V4_5", aliases=("chirp-auk",), limits=_SUNO_V45, description="up to 8 min"),
        ModelInfo("V4", aliases=("chirp-v4",), limits=_SUNO_V4, description="up to 4 min"),
        ModelInfo(
            "V3_5",
            aliases=("chirp-v3-5",),
            limits=_SUNO_V4,
            retired=True,
            description="up to 4 min; missing from current docs",
        ),
    ],
)

_MUREKA = {"lyrics": 3000, "prompt": 1024, "n": 3}

MUREKA_CATALOG = ModelCatalog(
    "mureka",
    default="auto",
    prefix="mureka",
    # Fine-tuned models look like "lora:mureka-6:4354198:my-model".
    passthrough=r"lora:[A-Za-z0-9._-]+:\d+:[\w.-]+",
    models=[
        ModelInfo("auto", limits=_MUREKA, description="the latest regular (non o-series) model"),
        ModelInfo("mureka-9.5", limits=_MUREKA),
        ModelInfo("mureka-9", limits=_MUREKA),
        ModelInfo("mureka-8", limits=_MUREKA),
        ModelInfo("mureka-7.6", limits=_MUREKA),
        ModelInfo(
            "mureka-o2",
            limits=_MUREKA,
            unsupported=frozenset({"stream", "vocal_id", "melody_id"}),
            description="chain-of-thought",
        ),
        ModelInfo("mureka-7.5", limits=_MUREKA, retired=True),
        ModelInfo("mureka-7", limits=_MUREKA, retired=True),
        ModelInfo(
            "mureka-o1",
            limits=_MUREKA,
            retired=True,
            unsupported=frozenset({"stream"}),
            description="chain-of-thought",
        ),
        ModelInfo("mureka-6", limits=_MUREKA, retired=True),
        ModelInfo("mureka-5.5", limits=_MUREKA, retired=True),
    ],
)

_CATALOGS: dict[str, ModelCatalog] = {"suno": SUNO_CATALOG, "mureka": MUREKA_CATALOG}


def register_catalog(catalog: ModelCatalog) -> None:
    """Make ``catalog`` the one used for ``catalog.provider`` (custom providers)."""
    _CATALOGS[catalog.provider] = catalog


def catalog_for(provider: str) -> ModelCatalog:
    """Return the catalog of ``provider``.

    Raises:
        ConfigurationError: No catalog is registered under that name.
    """
    try:
        return _CATALOGS[provider]
    except KeyError:
        known = ", ".join(sorted(_CATALOGS))
        msg = f"no model catalog for provider {provider!r} (known: {known})"
        raise ConfigurationError(msg) from None


def register_model(
    provider: str,
    model_id: str,
    *,
    aliases: Iterable[str] = (),
    limits: Mapping[str, int] | None = None,
    **info: Any,
) -> ModelInfo:
    """Teach the validator a new model id, e.g. one a provider released after this version.

    Args:
        provider: ``"suno"``, ``"mureka"`` or a registered custom provider.
        model_id: The exact id to send.
        aliases: Other names to accept for it.
        limits: Field length limits; defaults to those of the provider's default model.
        **info: Other ``ModelInfo`` fields (``description``, ``unsupported``, ``retired``).

    Returns:
        The added entry.
    """
    catalog = catalog_for(provider)
    base = catalog.get(catalog.default)
    entry = ModelInfo(
        model_id,
        aliases=tuple(aliases),
        limits=dict(base.limits) if limits is None else limits,
        **info,
    )
    catalog.add(entry)
    return entry


def validate_model_version(provider: str, model: str | None = None, *, strict: bool = False) -> str:
    """Return the model id to send for ``model`` at ``provider``.

    ``None`` gives the provider default (``V4_5`` for Suno, ``auto`` for Mureka). Names are
    matched case-insensitively with aliases (``"v4.5+"`` is ``V4_5PLUS``, ``"7.5"`` is
    ``mureka-7.5``). An unknown name falls back to the default with a WARNING log record and a
    ``ModelFallbackWarning``.

    Raises:
        UnknownModelError: ``model`` is unknown and ``strict`` is true.
        ConfigurationError: ``provider`` has no catalog.
    """
    catalog = catalog_for(provider)
    resolution = catalog.resolve(model, strict=strict)
    if resolution.fell_back:
        extra = {"provider": provider, "requested_model": model, "model": resolution.model}
        report_fallback(catalog, model, resolution.model, extra=extra)
    return resolution.model
