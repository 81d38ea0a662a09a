"""Sanitising of text, URLs and nested data before they leave the process (Sentry, logs).

Everything here is pure and total: any input gives an answer, never an exception, because a
scrubber that raises would either drop a report or, worse, let the unscrubbed one through.
Masked values become ``"[Filtered]"``, Sentry's own convention.
"""

from __future__ import annotations

import contextlib
import functools
import json
import re
import sys
import types
import urllib.parse
from collections.abc import Callable, Iterable, Mapping
from typing import Any, ParamSpec, TypeVar, cast

import attrs

__all__ = [
    "FILTERED",
    "PII_KEYS",
    "SENSITIVE_KEYS",
    "TEXT_KEYS",
    "is_pii_key",
    "is_sensitive_key",
    "is_text_key",
    "mask_exact",
    "redact_content",
    "redact_content_deep",
    "redact_mapping",
    "redact_pii_text",
    "redact_query",
    "redact_text",
    "redact_url",
    "user_texts",
]

FILTERED = "[Filtered]"

_P = ParamSpec("_P")
_T = TypeVar("_T")

#: Keys whose values are credentials, whatever they hold (compared after ``_norm_key``).
SENSITIVE_KEYS: frozenset[str] = frozenset(
    {
        "authorization",
        "proxy_authorization",
        "cookie",
        "cookies",
        "set_cookie",
        "x_api_key",
        "api_key",
        "apikey",
        "token",
        "access_token",
        "refresh_token",
        "id_token",
        "auth_token",
        "x_auth_token",
        "secret",
        "client_secret",
        "password",
        "passwd",
        "private_key",
        "privatekey",
        "credentials",
        "signature",
    }
)
# Suffixes that make any key sensitive (``suno_api_key``, ``csrftoken``, ``db_password``).
# "dsn" is deliberately absent: a Sentry DSN only holds a public key and is needed to debug.
_SENSITIVE_SUFFIXES = ("_api_key", "apikey", "token", "_secret", "password", "_signature")

#: Keys that hold the user's own text (prompts, lyrics, styles, titles) rather than
#: diagnostics: kept out of logs, spans and Sentry unless the user says otherwise. The one list
#: every hook and the scrubber use.
TEXT_KEYS: frozenset[str] = frozenset({"prompt", "lyrics", "style", "title"})
#: The same keys, under their older name.
PII_KEYS = TEXT_KEYS

# At most this deep; deeper values are masked rather than walked (fail closed, no recursion
# error on pathological or cyclic input).
_MAX_DEPTH = 64
# Secrets shorter than this are ignored: masking every "ab" would shred a report and protects
# nothing a real key needs.
_MIN_SECRET_LENGTH = 4

# `Bearer <token>` anywhere, the scheme included, so not even the word survives in a report.
_BEARER = re.compile(r"(?i)\bbearer\b(?:\s*[:=]?\s*(?:\[Filtered\]|[^\s\"',;)}\]]+))?")
# `Authorization: ...`, `'x-api-key': '...'`, `"Cookie" = ...`: a quoted value, else the rest of
# the line (cookie headers hold `;`-separated pairs, all of them secret).
_AUTH_HEADER = re.compile(
    r"(?i)\b((?:proxy-)?authorization|x-api-key|api-key|x-auth-token|set-cookie|cookie)"
    r"([\"']?\s*[:=]\s*)(\[Filtered\]|\"[^\"\r\n]*\"?|'[^'\r\n]*'?|[^\r\n]*)"
)
# Credential-like parameters: `?token=`, `&API_KEY=`, `client_secret=`, `X-Amz-Signature=`.
_PARAM = re.compile(
    r"(?i)(?<![\w-])((?:[\w-]*[_-])?(?:token|key|api_key|apikey|access_token|secret|signature"
    r"|sig|password|passwd|pwd))=(\[Filtered\]|\"[^\"]*\"?|'[^']*'?|[^&#\s\"',;)}\]]*)"
)
# The password of `scheme://user:password@host`.
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^/\s:@]*):([^/\s@]*)@")
# Bounded parts (RFC 5321 limits) keep the scan linear on long runs without an "@".
# Not after "/": `scheme://user@host` is a URL's user (a DSN's public key), not an address.
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+\-/])[A-Za-z0-9._%+\-]{1,64}"
    r"@[A-Za-z0-9\-]{1,63}(?:\.[A-Za-z0-9\-]{1,63}){0,8}\.[A-Za-z]{2,24}"
)
# Well-known key formats.
_KNOWN_TOKENS = re.compile(
    r"(?<![A-Za-z0-9])(?:"
    r"(?:sk|pk|rk)[-_][A-Za-z0-9_\-]{16,}"  # OpenAI, Stripe, Anthropic...
    r"|gh[pousr]_[A-Za-z0-9]{20,}"  # GitHub
    r"|github_pat_[A-Za-z0-9_]{20,}"
    r"|xox[abprs]-[A-Za-z0-9\-]{10,}"  # Slack
    r"|AKIA[0-9A-Z]{16}"  # AWS access key id
    r"|AIza[0-9A-Za-z_\-]{30,}"  # Google
    r"|eyJ[A-Za-z0-9_\-]{5,}\.[A-Za-z0-9_\-]{5,}\.[A-Za-z0-9_\-]*"  # JWT
    r")"
)
# Candidates for opaque keys; judged by `_looks_like_key` (linear time, unlike lookaheads).
# `=` is left out so that `taskId=<hex id>` is not mistaken for one mixed-case token.
_OPAQUE_RUN = re.compile(r"[A-Za-z0-9_\-]{32,}")
# `prompt='...'` in reprs and `"prompt": "..."` in JSON, for when prompts must not leave.
_PII_FIELD = re.compile(
    r"(?i)([\"']?)\b(\w*prompt|lyrics|style|title)\1(\s*[:=]\s*)"
    r"(\"(?:\\.|[^\"\\])*\"?|'(?:\\.|[^'\\])*'?)"
)


def _norm_key(key: str) -> str:
    return key.strip().lower().replace("-", "_")


def is_sensitive_key(key: object) -> bool:
    """Tell whether a mapping key names a credential (``Authorization``, ``api_key``, ...)."""
    if not isinstance(key, str):
        return False
    norm = _norm_key(key)
    return norm in SENSITIVE_KEYS or norm.endswith(_SENSITIVE_SUFFIXES)


def is_text_key(key: object) -> bool:
    """Tell whether a mapping key holds user text (``prompt``, ``lyrics``, ``style``, ...)."""
    if not isinstance(key, str):
        return False
    norm = _norm_key(key)
    return norm in TEXT_KEYS or norm.endswith("prompt")


is_pii_key = is_text_key


def _mask_header(match: re.Match[str]) -> str:
    name, separator, value = match.groups()
    quote = value[:1] if value[:1] in ("'", '"') else ""
    return f"{name}{separator}{quote}{FILTERED}{quote}"


def _looks_like_key(match: re.Match[str]) -> str:
    run = match.group(0)
    # Mixed case plus digits: base64/base62 keys. Hex ids (task ids, trace ids, correlation ids)
    # have no upper case and stay readable.
    if (
        any(c.isupper() for c in run)
        and any(c.islower() for c in run)
        and any(c.isdigit() for c in run)
    ):
        return FILTERED
    return run


@functools.lru_cache(maxsize=64)
def _secret_pattern(secrets: frozenset[str]) -> re.Pattern[str] | None:
    variants: set[str] = set()
    for secret in secrets:
        variants.add(secret)
        # The percent-encoded form, as it appears in a logged URL or form body.
        variants.add(urllib.parse.quote(secret, safe=""))
        variants.add(urllib.parse.quote_plus(secret))
    usable = sorted(
        (v for v in variants if len(v) >= _MIN_SECRET_LENGTH and v not in FILTERED),
        key=len,
        reverse=True,
    )
    if not usable:
        return None
    return re.compile("|".join(re.escape(v) for v in usable))


def _secret_set(secrets: Iterable[str]) -> frozenset[str]:
    if isinstance(secrets, frozenset) and all(isinstance(s, str) and s.strip() for s in secrets):
        return secrets  # already clean: the common case, on every scrubbed string
    if isinstance(secrets, str):
        secrets = (secrets,)
    return frozenset(s for s in secrets if isinstance(s, str) and s.strip())


def _mask_secrets(text: str, pattern: re.Pattern[str] | None) -> str:
    if pattern is None:
        return text
    # Masking can splice text around "[Filtered]" into a new occurrence; repeat until stable.
    for _ in range(8):
        masked = pattern.sub(FILTERED, text)
        if masked == text:
            return masked
        text = masked
    return FILTERED if pattern.search(text) else text


def mask_exact(texts: list[str], secrets: frozenset[str]) -> list[str]:
    """``texts`` with the exact ``secrets`` (and their percent-encoded forms) masked: the cheap
    pass for strings musicgen built itself from known, safe fields, where no pattern (header,
    token shape, e-mail) can occur but a key the user passed as a model or an id still might.

    Args:
        texts: The strings to check; the list is returned as is when none holds a secret.
        secrets: The exact strings to mask.

    Returns:
        ``texts``, or a new list with the secrets masked.
    """
    needles = _needles_of(secrets)
    if not needles:
        return texts
    joined = "\x00".join(texts)
    # A substring test per secret is several times cheaper than the alternation pattern, and
    # nearly always finds nothing. (A loop: any() over a generator cost as much as the tests.)
    for needle in needles:
        if needle in joined:
            break
    else:
        return texts
    pattern = _secret_pattern(_secret_set(secrets))
    return [_mask_secrets(text, pattern) for text in texts]


@functools.lru_cache(maxsize=64)
def _needles_of(secrets: frozenset[str]) -> tuple[str, ...]:
    found: set[str] = set()
    for secret in _secret_set(secrets):
        for variant in (
            secret,
            urllib.parse.quote(secret, safe=""),
            urllib.parse.quote_plus(secret),
        ):
            if len(variant) >= _MIN_SECRET_LENGTH and variant not in FILTERED:
                found.add(variant)
    return tuple(found)


def _as_text(value: object) -> str:
    return value if isinstance(value, str) else str(value)


def _total(func: Callable[_P, _T]) -> Callable[_P, _T]:
    """Make ``func`` answer ``"[Filtered]"`` instead of raising, whatever the input."""

    @functools.wraps(func)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _T:
        try:
            return func(*args, **kwargs)
        except Exception:  # noqa: BLE001 - a scrubber that raises loses or leaks the report
            # Fail closed: mask the whole value (a str() that raises, a cyclic oddity, ...).
            return cast("_T", FILTERED)

    return wrapper


# Short plain words ("suno", "GET", "queued", "200") cannot hold any pattern below: known
# token formats need 15+ characters, e-mails "@", parameters "=", headers ":". Only an exact
# secret could hide in them.
_PLAIN_WORD = re.compile(r"[A-Za-z0-9_./ -]{0,12}")


@_total
def redact_text(text: object, secrets: Iterable[str] = ()) -> str:
    """Mask credentials and e-mail addresses in free text.

    Args:
        text: The text (anything else is converted with ``str``).
        secrets: Exact strings to mask, e.g. the API keys the client knows.

    Returns:
        ``text`` with secrets, ``Bearer`` tokens, ``Authorization``/cookie header values,
        credential query parameters, URL passwords, e-mail addresses and strings that look like
        API keys replaced by ``"[Filtered]"``; ``"[Filtered]"`` alone if ``text`` cannot be read.
    """
    string = _as_text(text)
    pattern = _secret_pattern(_secret_set(secrets))
    if _PLAIN_WORD.fullmatch(string) and "bearer" not in string.lower():
        return _mask_secrets(string, pattern)
    string = _mask_secrets(string, pattern)
    string = _AUTH_HEADER.sub(_mask_header, string)
    string = _BEARER.sub(FILTERED, string)
    string = _USERINFO.sub(lambda m: f"{m.group(1)}:{FILTERED}@", string)
    string = _PARAM.sub(lambda m: f"{m.group(1)}={FILTERED}", string)
    string = _EMAIL.sub(FILTERED, string)
    string = _KNOWN_TOKENS.sub(FILTERED, string)
    string = _OPAQUE_RUN.sub(_looks_like_key, string)
    # The patterns above rewrite text; a secret must not be re-formed at a seam.
    return _mask_secrets(string, pattern)


def _mask_pii_field(match: re.Match[str]) -> str:
    quote, name, separator, value = match.groups()
    # Keep the value's own quote so JSON stays JSON and a repr stays a repr.
    return f"{quote}{name}{quote}{separator}{value[0]}{FILTERED}{value[0]}"


@_total
def redact_pii_text(text: object) -> str:
    """Mask ``prompt=``/``lyrics=``/``style=``/``title=`` values in reprs and JSON text.

    Args:
        text: E.g. the ``repr`` of a ``GenerationRequest`` or a JSON request body.

    Returns:
        The text with those quoted values replaced by ``"[Filtered]"``.
    """
    string = _as_text(text)
    return _PII_FIELD.sub(_mask_pii_field, string)


@_total
def redact_url(url: object, secrets: Iterable[str] = ()) -> str:
    """Mask the password and credential parameters of a URL (query and fragment).

    Args:
        url: The URL.
        secrets: Exact strings to mask as well.

    Returns:
        The URL with ``user:[Filtered]@`` and ``token=[Filtered]``-style parameters; any other
        credential ``redact_text`` finds is masked too.
    """
    string = _as_text(url)
    try:
        parts = urllib.parse.urlsplit(string)
    except ValueError:
        return redact_text(string, secrets)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, host = netloc.rpartition("@")
        user, has_password, _ = userinfo.partition(":")
        netloc = f"{user}:{FILTERED}@{host}" if has_password else netloc
    query = _redact_params(parts.query)
    fragment = _redact_params(parts.fragment)
    rebuilt = urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, query, fragment))
    return redact_text(rebuilt, secrets)


@_total
def redact_query(query: object, secrets: Iterable[str] = ()) -> str:
    """Mask credential parameters of a query string (``a=1&token=...``).

    Args:
        query: The query string, without the leading ``?``.
        secrets: Exact strings to mask as well.

    Returns:
        The query with sensitive parameter values replaced by ``"[Filtered]"``.
    """
    string = _as_text(query)
    return redact_text(_redact_params(string), secrets)


def _redact_params(query: str) -> str:
    if "=" not in query:
        return query
    pieces = []
    for piece in query.split("&"):
        name, eq, _value = piece.partition("=")
        plain = urllib.parse.unquote_plus(name)
        if eq and (is_sensitive_key(plain) or _PARAM.fullmatch(f"{plain}=x")):
            pieces.append(f"{name}={FILTERED}")
        else:
            pieces.append(piece)
    return "&".join(pieces)


@_total
def redact_mapping(obj: Any, secrets: Iterable[str] = (), *, drop_pii: bool = False) -> Any:
    """Return a copy of nested dicts/lists/tuples with credentials masked.

    Args:
        obj: Any value; mappings become plain dicts, lists and tuples keep their type, sets
            become lists, strings are passed through ``redact_text``, other scalars are kept.
        secrets: Exact strings to mask wherever they appear (values and keys).
        drop_pii: Also mask values under prompt/lyrics/style/title keys, and such fields inside
            reprs and JSON strings.

    Returns:
        The sanitised copy. Values under sensitive keys (``authorization``, ``cookie``,
        ``api_key``, ``token``, ``secret``, ``password``, ...) become ``"[Filtered]"``.
    """
    secret_set = _secret_set(secrets)
    return _walk(obj, secret_set, drop_pii, 0, set())


def _walk(obj: Any, secrets: frozenset[str], drop_pii: bool, depth: int, seen: set[int]) -> Any:
    if isinstance(obj, str):
        # Secrets last: no later rewrite may splice one back together.
        return redact_text(redact_pii_text(obj) if drop_pii else obj, secrets)
    if obj is None or isinstance(obj, (bool, int, float)):
        return obj
    if isinstance(obj, (bytes, bytearray)):
        return _walk(bytes(obj).decode("utf-8", "replace"), secrets, drop_pii, depth, seen)
    is_container = isinstance(obj, (Mapping, list, tuple, set, frozenset))
    if not is_container:
        # Unknown objects are left alone: they are serialised later, and their repr is scrubbed
        # again by the Sentry scrubber once it is text.
        return obj
    if depth >= _MAX_DEPTH or id(obj) in seen:
        return FILTERED
    seen.add(id(obj))
    try:
        if isinstance(obj, Mapping):
            result: dict[Any, Any] = {}
            for key, value in list(obj.items()):
                new_key = redact_text(key, secrets) if isinstance(key, str) else key
                if is_sensitive_key(key) or (drop_pii and is_text_key(key)):
                    result[new_key] = None if value is None else FILTERED
                else:
                    result[new_key] = _walk(value, secrets, drop_pii, depth + 1, seen)
            return result
        items = [_walk(item, secrets, drop_pii, depth + 1, seen) for item in obj]
        return tuple(items) if isinstance(obj, tuple) else items
    finally:
        seen.discard(id(obj))


# --------------------------------------------------------------------------------------------
# User text by content: prompts, lyrics, styles and titles wherever they ended up
# --------------------------------------------------------------------------------------------
# Masking by name misses a text held under another name (a validator's ``value``), quoted in an
# error message, or echoed by the provider in a failure reason. The texts of the call at hand
# are found where they are certainly named: the call's own frames (``client.generate(prompt,
# lyrics=...)`` is on the stack while its hooks and Sentry's callbacks run) and the frames of
# the exception being reported, which stay reachable from its traceback after the call ended.
# Every string that contains one of them then has it masked, whatever it is called.

# Locals that may hold user text inside a container: the flows' field dicts, requests,
# operations (their JSON body) and option mappings.
_TEXT_HOLDERS = frozenset(
    {"request", "operation", "fields", "texts", "options", "settings", "kwargs", "extra"}
)
# Texts shorter than this are not masked: "pop" or "Hi" would shred the report and are no one's
# personal data. Each line of a multi-line text (lyrics) is masked on its own from _MIN_LINE on.
_MIN_TEXT = 4
_MIN_LINE = 8
# A string still holding the first _PROBE characters of a text once every whole occurrence is
# masked holds a cut copy of it (a truncated frame variable): it is masked whole.
_PROBE = 32
_MAX_FRAMES = 256
_MAX_VISITS = 5000
_MAX_BODY = 1 << 20
_FRAME_NAMES = TEXT_KEYS | _TEXT_HOLDERS


def user_texts(
    *, frame: types.FrameType | None = None, error: BaseException | None = None
) -> frozenset[str]:
    """The user's texts (prompts, lyrics, styles, titles) the running call and ``error`` hold.

    Args:
        frame: Where to start walking the live stack outwards (its callers included); None
            walks none.
        error: An exception whose traceback, and those of its causes, are walked too.

    Returns:
        The texts found under those names in frame variables, and inside the mappings,
        requests (JSON bodies) and attrs values (``GenerationRequest``) held by such frames.
    """
    found: set[str] = set()
    # A scrubber that raises loses the report: what was found until then still helps.
    with contextlib.suppress(Exception):
        _collect(frame, error, found)
    return frozenset(found)


def _collect(frame: types.FrameType | None, error: BaseException | None, found: set[str]) -> None:
    budget = [_MAX_VISITS]
    frames = 0
    while frame is not None and frames < _MAX_FRAMES:
        _frame_texts(frame, found, budget)
        frame, frames = frame.f_back, frames + 1
    seen: set[int] = set()
    while error is not None and id(error) not in seen and len(seen) < 16:
        seen.add(id(error))
        tb = error.__traceback__
        while tb is not None and frames < 2 * _MAX_FRAMES:
            _frame_texts(tb.tb_frame, found, budget)
            tb, frames = tb.tb_next, frames + 1
        error = error.__cause__ or error.__context__


def _frame_texts(frame: types.FrameType, found: set[str], budget: list[int]) -> None:
    code = frame.f_code
    # Reading f_locals costs; the names a function declares are free to look at.
    names = (*code.co_varnames, *code.co_cellvars, *code.co_freevars)
    if not any(name in _FRAME_NAMES or name.endswith("prompt") for name in names):
        return
    for name, value in list(frame.f_locals.items()):
        if is_text_key(name):
            if isinstance(value, str):
                _add_text(value, found)
            else:
                _harvest(value, found, 0, budget)
        elif name in _TEXT_HOLDERS:
            _harvest(value, found, 0, budget)


def _add_text(text: str, found: set[str]) -> None:
    text = text.strip()
    if len(text) >= _MIN_TEXT:
        found.add(text)


def _harvest(value: Any, found: set[str], depth: int, budget: list[int]) -> None:
    """Collect the strings ``value`` holds under user-text names (mappings, attrs values,
    sequences, a request's JSON body); other objects are not walked."""
    budget[0] -= 1
    if budget[0] < 0 or depth > 8 or value is None or isinstance(value, (str, int, float)):
        return
    if isinstance(value, Mapping):
        for key, item in list(value.items())[:500]:
            if is_text_key(key) and isinstance(item, str):
                _add_text(item, found)
            else:
                _harvest(item, found, depth + 1, budget)
    elif isinstance(value, (list, tuple)):
        for item in value[:500]:
            _harvest(item, found, depth + 1, budget)
    elif attrs.has(type(value)):
        for field in attrs.fields(type(value)):
            item = getattr(value, field.name, None)
            if is_text_key(field.name) and isinstance(item, str):
                _add_text(item, found)
            elif not callable(item):
                _harvest(item, found, depth + 1, budget)
    else:
        _harvest_request(value, found, depth, budget)


def _harvest_request(value: Any, found: set[str], depth: int, budget: list[int]) -> None:
    httpx = sys.modules.get("httpx")  # only ever an httpx.Request if httpx is imported
    if httpx is None or not isinstance(value, httpx.Request):
        return
    try:
        content = value.content
    except Exception:  # noqa: BLE001 - a streaming body that was not read: nothing to take
        return
    if content[:1] in (b"{", b"[") and len(content) <= _MAX_BODY:
        try:
            _harvest(json.loads(content), found, depth + 1, budget)
        except (ValueError, RecursionError):
            return


def _needles(texts: frozenset[str]) -> tuple[set[str], set[str]]:
    needles: set[str] = set()
    for text in texts:
        parts = {text} | {line.strip() for line in text.splitlines()}
        for part in parts:
            if len(part) < (_MIN_TEXT if part == text else _MIN_LINE) or part in FILTERED:
                continue
            # As written, and as a repr or JSON string shows it (escaped quotes, newlines).
            needles.add(part)
            needles.add(repr(part)[1:-1])
            needles.add(json.dumps(part)[1:-1])
            needles.add(json.dumps(part, ensure_ascii=False)[1:-1])
    probes = {needle[:_PROBE] for needle in needles if len(needle) > _PROBE}
    return needles, probes


def _alternation(words: Iterable[str]) -> str:
    parts = []
    for word in sorted(words, key=len, reverse=True):
        escaped = re.escape(word)
        # A short text is masked as a whole word: "lofi" must not eat "lofinal".
        if len(word) < 16:
            escaped = (r"(?<!\w)" if word[0].isalnum() else "") + escaped
            escaped += r"(?!\w)" if word[-1].isalnum() else ""
        parts.append(escaped)
    return "|".join(parts)


@functools.lru_cache(maxsize=64)
def _content_patterns(
    texts: frozenset[str],
) -> tuple[re.Pattern[str], re.Pattern[str] | None] | None:
    needles, probes = _needles(texts)
    if not needles:
        return None
    whole = re.compile(_alternation(needles), re.IGNORECASE)
    probe = re.compile(_alternation(probes), re.IGNORECASE) if probes else None
    return whole, probe


@_total
def redact_content(text: object, texts: Iterable[str]) -> str:
    """Mask every occurrence of the user's ``texts`` in ``text``, whatever holds it.

    Args:
        text: Any text (an error message, a frame variable's repr, a log line).
        texts: The user's prompts, lyrics, styles and titles (see ``user_texts``).

    Returns:
        ``text`` with each text, each line of a multi-line one, and their escaped forms (repr,
        JSON) replaced by ``"[Filtered]"``, case-insensitively; ``"[Filtered]"`` alone when a
        cut copy of one remains.
    """
    string = _as_text(text)
    patterns = _content_patterns(texts if isinstance(texts, frozenset) else frozenset(texts))
    if patterns is None:
        return string
    whole, probe = patterns
    string = whole.sub(FILTERED, string)
    if probe is not None and probe.search(string):
        return FILTERED
    return string


@_total
def redact_content_deep(obj: Any, texts: Iterable[str]) -> Any:
    """``obj`` (nested dicts, lists, tuples, strings) with ``redact_content`` applied to every
    string value; keys and other values are kept."""
    text_set = texts if isinstance(texts, frozenset) else frozenset(texts)
    if _content_patterns(text_set) is None:
        return obj
    return _walk_content(obj, text_set, 0)


def _walk_content(obj: Any, texts: frozenset[str], depth: int) -> Any:
    if isinstance(obj, str):
        return redact_content(obj, texts)
    if depth >= _MAX_DEPTH:
        return obj
    if isinstance(obj, Mapping):
        return {key: _walk_content(value, texts, depth + 1) for key, value in obj.items()}
    if isinstance(obj, (list, tuple)):
        items = [_walk_content(item, texts, depth + 1) for item in obj]
        return tuple(items) if isinstance(obj, tuple) else items
    return obj
