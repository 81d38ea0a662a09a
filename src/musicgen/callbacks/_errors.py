"""The callback errors: a payload that cannot be read, and one that cannot be trusted."""

from __future__ import annotations

from .._errors import MusicGenError

__all__ = ["CallbackAuthError", "CallbackError"]


class CallbackError(MusicGenError):
    """A callback payload musicgen cannot read: not JSON, not an object, an unknown family, or
    a documented field of the wrong type.

    The message names what is wrong and where (``$.data.task_id``), never the body itself:
    callback bodies echo prompts and lyrics.
    """


class CallbackAuthError(CallbackError):
    """A callback that is not trusted: it is answered 401 and recorded nowhere.

    Attributes:
        reason: Why, in one word: ``"missing"`` (no token in the URL), ``"token"`` (a token
            not made with this secret), ``"signature"`` (a bad or partial webhook signature),
            ``"timestamp"`` (a signature older or newer than the tolerance), ``"nonce"`` (a
            URL already bound to another task).
    """

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


# Shown as musicgen.callbacks.<Name> in reprs and tracebacks, like the root tree's musicgen.<Name>.
for _cls in (CallbackError, CallbackAuthError):
    _cls.__module__ = "musicgen.callbacks"
del _cls
