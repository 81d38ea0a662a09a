"""What the provider wire models share: the lenient cattrs hooks, ``WireError`` and ``structure``.

Each provider module declares its payloads as frozen attrs classes, registers them on a converter
from ``make_converter`` with ``register_object``, and reads payloads with ``structure``. The
rules below are the same for Suno and Mureka; a provider module that departs from one for a
field says so where it does (only where an existing test pins the other behaviour).

Leniency rules:

- Objects: unknown keys are ignored; a missing or ``null`` key leaves the attribute's default
  (None or empty). A value that should be an object and is not is a ``WireError``.
- Spellings: an attribute may be read from several keys (``audioUrl`` / ``audio_url``). The
  first key holding a value wins; a blank string yields to a later key that holds content.
- Lists are JSON arrays only: a string or an object where a list belongs is a ``WireError``
  (iterating it would invent items from characters or keys).
- ``Text``: strings are stripped and a blank string is None; a non-string is a ``WireError``.
  Plain ``str`` is kept exactly as sent; it serves the provider's status, which musicgen
  reports unchanged (``Generation.provider_status``).
- ``float``: a JSON number or a numeric string (Python ``float`` syntax); it must be finite.
  Booleans are not numbers. ``int`` is a JSON integer only (not a string, float or bool).
- ``Id``: an int or a string becomes a stripped string; blank is None; anything else is a
  ``WireError``.
- Any other wrong type in a field musicgen reads is a ``WireError`` naming its JSON path.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from types import UnionType
from typing import Any, NewType, TypeVar, Union, get_args, get_origin

import attrs
import cattrs
from cattrs.errors import AttributeValidationNote, BaseValidationError

__all__ = [
    "Id",
    "Text",
    "WireError",
    "kind",
    "make_converter",
    "mismatch",
    "register_object",
    "structure",
]

T = TypeVar("T")

#: A string that is stripped on the way in; a blank one is None. Declare fields as ``Text | None``.
Text = NewType("Text", str)
#: An id sent as an int or a string, read as a stripped string; blank is None. Use ``Id | None``.
Id = NewType("Id", str)


class WireError(Exception):
    """A payload of the wrong shape.

    Attributes:
        path: Where, JSONPath-like (``"$.data.response.sunoData[0].duration"``).
        detail: What is wrong there (``"expected a number, got 'long'"``).
    """

    def __init__(self, path: str, detail: str) -> None:
        super().__init__(path, detail)
        self.path = path
        self.detail = detail

    def __str__(self) -> str:
        return f"{self.detail} at {self.path}"


class _Mismatch(Exception):
    """Raised inside hooks; ``where`` is relative to the value being structured (``.a[0]``)."""

    def __init__(self, detail: str, where: str = "") -> None:
        super().__init__(detail, where)
        self.detail = detail
        self.where = where


def mismatch(detail: str) -> Exception:
    """The exception a provider's own hook raises for a value of the wrong shape.

    Args:
        detail: What is wrong, e.g. ``"expected a string, got int"``.

    Returns:
        An exception for the hook to raise; ``structure`` turns it into a ``WireError`` whose
        path is where the hook's value sits.
    """
    return _Mismatch(detail)


def kind(value: object) -> str:
    """Name ``value``'s JSON type for a message, quoting short strings (``'long'``)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, str):
        return repr(value) if len(value) <= 40 else "a long string"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)  # nan, inf, -inf
    return type(value).__name__


def structure(converter: cattrs.Converter, data: Any, cls: type[T], *, path: str) -> T:
    """Structure ``data`` into ``cls``, reporting a wrong shape by its JSON path.

    Args:
        converter: A converter from ``make_converter`` with ``cls`` registered.
        data: Decoded JSON.
        cls: The wire class (or ``float``) to build.
        path: Where ``data`` sits in the answer, e.g. ``"$"`` or ``"$.data"``.

    Returns:
        The structured value.

    Raises:
        WireError: ``data`` does not fit ``cls``; names the first failing path.
    """
    try:
        return converter.structure(data, cls)
    except (_Mismatch, BaseValidationError) as error:
        where, detail = _locate(error)
        raise WireError(path + where, detail) from None


def _locate(error: BaseException) -> tuple[str, str]:
    """The relative path and message of the first leaf failure inside ``error``."""
    if isinstance(error, _Mismatch):
        return error.where, error.detail
    if isinstance(error, BaseValidationError):
        # Hooks registered here raise _Mismatch; a bare cattrs group only comes from a class
        # structured without register_object. Its notes name attributes, not keys.
        for inner in error.exceptions:
            for note in getattr(inner, "__notes__", ()):
                if isinstance(note, AttributeValidationNote):
                    where, detail = _locate(inner)
                    return f".{note.name}{where}", detail
        return _locate(error.exceptions[0])
    return "", f"unreadable value ({type(error).__name__})"


def make_converter() -> cattrs.Converter:
    """A converter with the lenient hooks of the module docstring registered.

    Returns:
        A fresh ``cattrs.Converter``; register wire classes on it with ``register_object``.
    """
    converter = cattrs.Converter()
    converter.register_structure_hook(Text, _text)
    converter.register_structure_hook(Id, _id)
    # Replace cattrs' coercing defaults (str(5) == "5", int("7") == 7): a wrong type is an error.
    converter.register_structure_hook(str, _exact_str)
    converter.register_structure_hook(float, _number)
    converter.register_structure_hook(int, _integer)
    converter.register_structure_hook(bool, _boolean)
    converter.register_structure_hook_factory(_is_homogeneous_tuple, _tuple_hook(converter))
    return converter


def register_object(
    converter: cattrs.Converter, cls: type[Any], **spellings: tuple[str, ...]
) -> None:
    """Teach ``converter`` to read the attrs class ``cls`` from a JSON object.

    Every attribute needs a default: absence is decided by the reader, which can name the path.
    Register the classes ``cls`` nests before ``cls``: its hook is generated with theirs.

    Args:
        converter: A converter from ``make_converter``.
        cls: A frozen attrs class.
        **spellings: For an attribute, the keys to read it from, in order of preference; an
            attribute not named here is read from the key spelled like it.

    Raises:
        TypeError: ``spellings`` names an attribute ``cls`` does not have.
    """
    attrs.resolve_types(cls)
    keys = {field.name: spellings.get(field.name, (field.name,)) for field in attrs.fields(cls)}
    unknown = set(spellings) - set(keys)
    if unknown:
        msg = f"{cls.__name__} has no attribute {', '.join(sorted(unknown))}"
        raise TypeError(msg)
    # Every key that may hold an attribute: (attribute, rank of that spelling).
    spelled = {key: (name, rank) for name, names in keys.items() for rank, key in enumerate(names)}
    kinds = {field.name: field.type for field in attrs.fields(cls)}
    # Each attribute's (hook, type), looked up on the first call: nested classes may register
    # later. ``X | None`` is read with X's hook: a null never reaches it (it keeps the default),
    # and cattrs' Optional hook would dispatch on the type again at every value.
    hooks: dict[str, tuple[Callable[[Any, Any], Any], Any]] = {}

    def hook(obj: Any, _: Any) -> Any:
        if obj.__class__ is not dict and not isinstance(obj, Mapping):  # dict: no ABC check
            raise _Mismatch(f"expected an object, got {kind(obj)}")
        if not hooks:
            hooks.update((name, _hook_of(converter, t)) for name, t in kinds.items())
        # One pass over the keys present: for each attribute, the first spelling holding
        # content wins, else the first holding a blank string (``_pick``'s rule). A choice is
        # (blank, rank, key, value); tuples compare blank first, then rank.
        chosen: dict[str, tuple[bool, int, str, Any]] = {}
        for key, value in obj.items():
            found = spelled.get(key)
            if found is None or value is None:
                continue
            name, rank = found
            choice = (isinstance(value, str) and not value.strip(), rank, key, value)
            held = chosen.get(name)
            if held is None or choice[:2] < held[:2]:
                chosen[name] = choice
        values: dict[str, Any] = {}
        for name, (_blank, _rank, key, value) in chosen.items():
            read, wanted = hooks[name]
            try:
                values[name] = read(value, wanted)
            except _Mismatch as error:
                raise _Mismatch(error.detail, f".{key}{error.where}") from None
            except BaseValidationError as error:
                where, detail = _locate(error)
                raise _Mismatch(detail, f".{key}{where}") from None
        return cls(**values)

    converter.register_structure_hook(cls, hook)


def _hook_of(converter: cattrs.Converter, wanted: Any) -> tuple[Callable[[Any, Any], Any], Any]:
    """The hook and type to read a non-null value of an attribute declared ``wanted``."""
    args = get_args(wanted)
    if len(args) == 2 and type(None) in args and get_origin(wanted) in (Union, UnionType):
        wanted = args[0] if args[1] is type(None) else args[1]
    return converter.get_structure_hook(wanted), wanted


# -- hooks ------------------------------------------------------------------------------------


def _text(value: Any, _: Any) -> str | None:
    if not isinstance(value, str):
        raise _Mismatch(f"expected a string, got {kind(value)}")
    return value.strip() or None


def _exact_str(value: Any, _: Any) -> str:
    if not isinstance(value, str):
        raise _Mismatch(f"expected a string, got {kind(value)}")
    return value


def _id(value: Any, _: Any) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, int) and not isinstance(value, bool):
        try:
            return str(value)
        except ValueError:  # more digits than int -> str allows
            raise _Mismatch("the id is too long") from None
    raise _Mismatch(f"expected a string or integer id, got {kind(value)}")


def _number(value: Any, _: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise _Mismatch(f"expected a number, got {kind(value)}")
    try:
        number = float(value)
    except ValueError:
        raise _Mismatch(f"expected a number, got {kind(value)}") from None
    except OverflowError:
        raise _Mismatch("the number is out of range") from None
    if not math.isfinite(number):
        raise _Mismatch(f"expected a finite number, got {kind(value)}")
    return number


def _integer(value: Any, _: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Mismatch(f"expected an integer, got {kind(value)}")
    return value


def _boolean(value: Any, _: Any) -> bool:
    if not isinstance(value, bool):
        raise _Mismatch(f"expected true or false, got {kind(value)}")
    return value


def _is_homogeneous_tuple(cls: Any) -> bool:
    args = get_args(cls)
    return get_origin(cls) is tuple and len(args) == 2 and args[1] is Ellipsis


def _tuple_hook(converter: cattrs.Converter) -> Callable[[Any], Callable[[Any, Any], Any]]:
    def factory(cls: Any) -> Callable[[Any, Any], Any]:
        item_type = get_args(cls)[0]

        def hook(value: Any, _: Any) -> tuple[Any, ...]:
            if not isinstance(value, list):
                raise _Mismatch(f"expected a list, got {kind(value)}")
            # Looked up per call (cattrs caches it), so item classes may be registered later.
            item_hook = converter.get_structure_hook(item_type)
            items = []
            for index, item in enumerate(value):
                try:
                    items.append(item_hook(item, item_type))
                except _Mismatch as error:
                    raise _Mismatch(error.detail, f"[{index}]{error.where}") from None
                except BaseValidationError as error:
                    where, detail = _locate(error)
                    raise _Mismatch(detail, f"[{index}]{where}") from None
            return tuple(items)

        return hook

    return factory
