"""A persistent store in one SQLite file, shared safely by threads and processes.

Design notes:

- **One connection per store, behind a lock** (``check_same_thread=False``). Every operation is
  a single short statement (tens of microseconds), so threads lose nothing by taking turns, and
  one connection makes the hard parts simple and correct: recovering from corruption, noticing
  that the file was replaced, and ``close()`` all act on the one handle there is, with no
  per-thread connections left pointing at a file that was moved aside.
- **Processes** coordinate through SQLite itself: WAL mode (readers never block the writer), a
  busy timeout (``timeout``, 5 s by default), and a few short retries, within that same
  timeout, for the lock conflicts SQLite reports at once without waiting. Every write is one
  autocommitted ``INSERT ... ON CONFLICT DO UPDATE``, so it is atomic. A forked child opens its
  own connection instead of sharing the parent's.
  ``synchronous=NORMAL``: in WAL mode a committed write survives a crash of the process (what a
  journal entry must survive); only a power cut may lose the last writes, never corrupt the file.
- **Expiry** is stored as wall-clock time (``time.time``): it must mean the same thing in every
  process and after a restart, which a monotonic clock does not.
- **Corruption** (a file that is not SQLite, is malformed or truncated, or has another schema)
  never crashes and never yields a wrong value: the file and its ``-wal``/``-shm`` companions are
  renamed to ``<name>.corrupt-<UTC timestamp>`` (kept for inspection), a WARNING is logged on the
  ``musicgen`` logger, and an empty store is rebuilt in place. It is detected when the file is
  opened (including a ``PRAGMA quick_check`` for files up to 16 MiB), whenever a statement
  reports it, and when the file changed on disk behind the open connection (each operation
  ``stat``s the file, a few microseconds: a replaced or rewritten file is reopened and
  validated, since SQLite would otherwise keep serving pages from its cache). If another
  process already moved the file aside, this one adopts the new file instead of moving it too.
- **Other trouble** (disk full, permissions, a lock held past ``timeout``) is logged once and
  degrades the store: reads miss and writes are dropped; reopening is tried again 5 s later.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import sqlite3
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Literal, NamedTuple, TypeVar

from ._base import CacheStats, check_item, check_ttl, expiry

__all__ = ["DiskCache", "default_cache_dir"]

logger = logging.getLogger("musicgen")

_T = TypeVar("_T")
_U = TypeVar("_U")


class _Unavailable:
    """The result of a read that could not reach the file."""


_UNAVAILABLE = _Unavailable()

SCHEMA_VERSION = 1
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS entries ("
    " key TEXT PRIMARY KEY, value TEXT NOT NULL, expires_at REAL NULL, updated_at REAL NOT NULL)",
    # Lets the sweep find expired rows without scanning the table.
    "CREATE INDEX IF NOT EXISTS entries_expires_at ON entries (expires_at)",
)
_UPSERT = (
    "INSERT INTO entries (key, value, expires_at, updated_at) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value, "
    "expires_at = excluded.expires_at, updated_at = excluded.updated_at"
)
# quick_check reads every page (about 1 ms per MiB when cached): worth it at open for files
# up to this size; beyond it, damage is still caught by the statements that touch it.
_QUICK_CHECK_MAX_BYTES = 16 * 1024 * 1024
_SWEEP_EVERY_SETS = 1000
_SWEEP_EVERY_SECONDS = 600.0
# How long a store that could not open waits before trying again.
_REOPEN_DELAY = 5.0
# Tries per operation when SQLite answers "locked" at once (see DiskCache._may_retry).
_BUSY_ATTEMPTS = 4
_BUSY_PAUSE = 0.02
_SIDE_FILES = ("-wal", "-shm", "-journal")

# SQLite primary result codes (the low byte of an extended code).
_SQLITE_BUSY, _SQLITE_LOCKED = 5, 6
# The environment, not the file, is at fault: moving the file aside would not help.
_ENVIRONMENT_CODES = frozenset(
    {
        3,  # SQLITE_PERM
        7,  # SQLITE_NOMEM
        8,  # SQLITE_READONLY
        9,  # SQLITE_INTERRUPT
        10,  # SQLITE_IOERR
        13,  # SQLITE_FULL
        14,  # SQLITE_CANTOPEN
        15,  # SQLITE_PROTOCOL
        23,  # SQLITE_AUTH
    }
)
# Connections abandoned after a fork. Closing them in the child could checkpoint or unlink files
# the parent still uses, so they are kept referenced (never closed, never collected) instead.
_INHERITED_CONNECTIONS: list[sqlite3.Connection] = []


def default_cache_dir() -> Path:
    """Return the directory musicgen keeps its cache in (not created here).

    In order: ``$MUSICGEN_CACHE_DIR``; ``$XDG_CACHE_HOME/musicgen``; then the platform's cache
    directory: ``~/Library/Caches/musicgen`` on macOS, ``%LOCALAPPDATA%\\musicgen\\Cache`` on
    Windows, ``~/.cache/musicgen`` elsewhere.

    Returns:
        An absolute path.
    """
    explicit = os.environ.get("MUSICGEN_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser().absolute()
    xdg = os.environ.get("XDG_CACHE_HOME")
    # The XDG spec says relative values are invalid and must be ignored.
    if xdg and Path(xdg).expanduser().is_absolute():
        return Path(xdg).expanduser() / "musicgen"
    if sys.platform == "win32":
        local = os.environ.get("LOCALAPPDATA")
        base = Path(local) if local else Path.home() / "AppData" / "Local"
        return base / "musicgen" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "musicgen"
    return Path.home() / ".cache" / "musicgen"


class _SchemaMismatch(Exception):
    """The file is a SQLite database, but not a musicgen cache of this schema version."""


class _FileState(NamedTuple):
    """What ``os.stat`` says about the database file, to notice changes behind our back."""

    device: int
    inode: int
    size: int
    mtime_ns: int

    @property
    def identity(self) -> tuple[int, int]:
        return (self.device, self.inode)


_Kind = Literal["busy", "corrupt", "environment", "bug"]


def _classify(exc: sqlite3.Error) -> _Kind:
    if isinstance(exc, (sqlite3.ProgrammingError, sqlite3.InterfaceError)):
        return "bug"  # our misuse (e.g. a closed connection): let it surface
    message = str(exc).lower()
    code = getattr(exc, "sqlite_errorcode", None)  # Python 3.11+
    if code is not None:
        primary = code & 0xFF
        if primary in (_SQLITE_BUSY, _SQLITE_LOCKED):
            return "busy"
        if primary in _ENVIRONMENT_CODES:
            return "environment"
        return "corrupt"
    if "locked" in message or "busy" in message:
        return "busy"
    if isinstance(exc, sqlite3.OperationalError) and not message.startswith("no such"):
        return "environment"  # I/O, permissions, disk full, ...
    return "corrupt"  # malformed image, not a database, unexpected schema


class DiskCache:
    """A persistent store in a SQLite file, shared by threads and processes.

    Values survive restarts and are visible to every process using the same file. Expired
    entries are never returned; they are purged when read and by an occasional sweep. A file
    found corrupt is moved aside and replaced by an empty store (see the module docstring);
    storage trouble never raises out of an operation.

    Args:
        path: The database file; default ``default_cache_dir() / "cache.sqlite3"``. Its directory
            is created if needed.
        ttl: Default seconds before an entry expires (None: never).
        timer: The wall clock in seconds since the epoch (``time.time``); injectable for tests.
        timeout: Seconds to wait for another process's lock before giving up on an operation.

    Raises:
        ValueError: ``ttl`` or ``timeout`` is not positive.
    """

    #: sqlite and its busy waits block: the async client calls it from a worker thread.
    blocking = True

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        ttl: float | None = None,
        timer: Callable[[], float] = time.time,
        timeout: float = 5.0,
    ) -> None:
        self._path = Path(path) if path is not None else default_cache_dir() / "cache.sqlite3"
        self._ttl = check_ttl(ttl)
        if not timeout > 0:
            raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
        self._timeout = timeout
        self._timer = timer
        self._lock = threading.RLock()
        self._pid = os.getpid()
        self._conn: sqlite3.Connection | None = None
        self._state: _FileState | None = None
        self._wal = False
        self._retry_at = -math.inf
        self._reported_unavailable = False
        self._hits = 0
        self._misses = 0
        self._sets = 0
        self._expirations = 0
        self._sets_since_sweep = 0
        self._last_sweep = -math.inf
        with self._lock:
            self._open()

    @property
    def path(self) -> Path:
        """The database file."""
        return self._path

    @property
    def ttl(self) -> float | None:
        """The default seconds before an entry expires (None: never)."""
        return self._ttl

    # -- the Cache protocol ---------------------------------------------------------------------

    def get(self, key: str) -> str | None:
        """Return the value under ``key``, or None if it is missing, expired or unreadable."""
        found = self.get_with_ttl(key)
        return None if found is None else found[0]

    def get_with_ttl(self, key: str) -> tuple[str, float | None] | None:
        """Return ``(value, seconds left or None for no expiry)``, or None on a miss."""

        def op(conn: sqlite3.Connection) -> tuple[str, float | None] | None:
            row = conn.execute(
                "SELECT value, expires_at FROM entries WHERE key = ?", (key,)
            ).fetchone()
            if row is None:
                self._misses += 1
                return None
            value, expires_at = row
            if not isinstance(value, str) or not isinstance(expires_at, (float, int, type(None))):
                # Not what set() writes (another program wrote this row): never hand it out.
                self._misses += 1
                return None
            now = self._timer()
            if expires_at is not None and expires_at <= now:
                # Guarded on expires_at, so a fresh value another process just wrote survives.
                conn.execute("DELETE FROM entries WHERE key = ? AND expires_at <= ?", (key, now))
                self._expirations += 1
                self._misses += 1
                return None
            self._hits += 1
            return value, (None if expires_at is None else expires_at - now)

        found = self._run(op, _UNAVAILABLE)
        if isinstance(found, _Unavailable):
            with self._lock:
                self._misses += 1  # the store cannot be read: answer a miss, and count it
            return None
        return found

    def set(self, key: str, value: str, *, ttl: float | None = None) -> None:
        """Store ``value`` under ``key`` (an atomic upsert).

        Args:
            key: The key.
            value: JSON text.
            ttl: Seconds until expiry; None uses the store's default, ``math.inf`` never expires.

        Raises:
            TypeError: ``key`` or ``value`` is not a ``str``.
            ValueError: ``ttl`` is not positive.
        """
        check_item(key, value)
        ttl = check_ttl(ttl)

        def op(conn: sqlite3.Connection) -> None:
            now = self._timer()
            expires_at = expiry(now, self._ttl if ttl is None else ttl)
            conn.execute(_UPSERT, (key, value, None if math.isinf(expires_at) else expires_at, now))
            self._sets += 1
            self._sets_since_sweep += 1
            if (
                self._sets_since_sweep >= _SWEEP_EVERY_SETS
                or time.monotonic() - self._last_sweep >= _SWEEP_EVERY_SECONDS
            ):
                try:
                    self._sweep(conn, now)
                except sqlite3.OperationalError as exc:
                    if _classify(exc) != "busy":
                        raise
                    # The write is done; the sweep can wait for a quieter moment.

        self._run(op, None)

    def delete(self, key: str) -> None:
        """Remove ``key``; a missing key is not an error."""
        self._run(lambda conn: conn.execute("DELETE FROM entries WHERE key = ?", (key,)), None)

    def clear(self) -> None:
        """Remove every entry, for every process using the file; the counters are kept."""
        self._run(lambda conn: conn.execute("DELETE FROM entries"), None)

    def items(self, prefix: str = "") -> list[tuple[str, str]]:
        """Return the live ``(key, value)`` pairs whose key starts with ``prefix``, by key.

        A read-only listing (e.g. the journal, ``prefix="journal:"``, for ``musicgen history``):
        it counts neither hits nor misses, and a store that cannot be read lists nothing.
        """

        def op(conn: sqlite3.Connection) -> list[tuple[str, str]]:
            rows = conn.execute(
                "SELECT key, value FROM entries WHERE substr(key, 1, ?) = ? "
                "AND (expires_at IS NULL OR expires_at > ?) ORDER BY key",
                (len(prefix), prefix, self._timer()),
            ).fetchall()
            return [(k, v) for k, v in rows if isinstance(k, str) and isinstance(v, str)]

        return self._run(op, [])

    def stats(self) -> CacheStats:
        """Return this instance's counters, and the live entries in the file."""

        def count(conn: sqlite3.Connection) -> int:
            row = conn.execute(
                "SELECT COUNT(*) FROM entries WHERE expires_at IS NULL OR expires_at > ?",
                (self._timer(),),
            ).fetchone()
            return int(row[0])

        size = self._run(count, 0)
        with self._lock:
            return CacheStats(
                hits=self._hits,
                misses=self._misses,
                sets=self._sets,
                evictions=0,  # never size-bounded: only expiry removes entries
                expirations=self._expirations,
                size=size,
            )

    def close(self) -> None:
        """Close the connection. Using the store afterwards opens it again."""
        with self._lock:
            self._drop_connection()
            self._retry_at = -math.inf

    def __enter__(self) -> DiskCache:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"DiskCache(path={str(self._path)!r}, ttl={self._ttl!r})"

    # -- running statements ---------------------------------------------------------------------

    def _run(self, op: Callable[[sqlite3.Connection], _T], fallback: _U) -> _T | _U:
        """Run ``op`` on a healthy connection: retry locks, recover from corruption, never raise
        for storage trouble (``fallback`` is returned instead)."""
        if self._pid != os.getpid():
            self._after_fork()
        with self._lock:
            recovered = False
            deadline = time.monotonic() + self._timeout
            for attempt in range(1, _BUSY_ATTEMPTS + 1):
                conn = self._connection()
                if conn is None:
                    return fallback
                try:
                    return op(conn)
                except sqlite3.Error as exc:
                    kind = _classify(exc)
                    if kind == "bug":
                        raise
                    if kind == "busy" and self._may_retry(attempt, deadline):
                        continue
                    if kind == "corrupt" and not recovered:
                        recovered = True
                        self._recover(exc, self._state)
                        continue
                    # Disk full, permissions, a lock that never frees, a file that stays
                    # corrupt: skip this operation, and stop trying for a few seconds rather
                    # than block every call (and the event loop) on the same failure.
                    self._unavailable(exc)
                    return fallback
            return fallback

    def _connection(self) -> sqlite3.Connection | None:
        """The open connection, reopened if the file was replaced or rewritten behind it."""
        if self._conn is None:
            if time.monotonic() < self._retry_at:
                return None
            self._open()
            return self._conn
        state = self._file_state()
        if state != self._state and (
            state is None
            or self._state is None
            or state.identity != self._state.identity
            # In WAL mode our own commits go to the -wal file; a changed main file means a
            # checkpoint or something else wrote it, and SQLite would keep serving its page
            # cache without looking. Reopening re-reads and re-validates it. (Rollback mode
            # re-validates its cache on every transaction by itself.)
            or self._wal
        ):
            self._drop_connection()
            self._open()
        return self._conn

    @staticmethod
    def _may_retry(attempt: int, deadline: float) -> bool:
        """Pause before another try at a locked database, unless the time is up.

        SQLite's busy timeout already waits for most locks; this covers the conflicts WAL mode
        reports at once, without waiting. The total stays within ``timeout``.
        """
        pause = _BUSY_PAUSE * attempt
        if attempt >= _BUSY_ATTEMPTS or time.monotonic() + pause > deadline:
            return False
        time.sleep(pause)
        return True

    def _sweep(self, conn: sqlite3.Connection, now: float) -> None:
        cursor = conn.execute(
            "DELETE FROM entries WHERE expires_at IS NOT NULL AND expires_at <= ?", (now,)
        )
        self._expirations += max(cursor.rowcount, 0)
        self._sets_since_sweep = 0
        self._last_sweep = time.monotonic()

    # -- opening, validating, recovering --------------------------------------------------------

    def _open(self, *, recover: bool = True) -> None:
        """Open and validate the file; if it is corrupt (and ``recover``), move it aside and
        open an empty one. On any other failure, the store becomes unavailable for a while."""
        before = self._file_state()
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            conn = self._connect()
        except (OSError, sqlite3.Error, _SchemaMismatch) as exc:
            kind = "corrupt" if isinstance(exc, _SchemaMismatch) else "environment"
            if isinstance(exc, sqlite3.Error):
                kind = _classify(exc)
                if kind == "bug":
                    raise
            if kind == "corrupt" and recover:
                self._recover(exc, before)
            else:
                self._unavailable(exc)
            return
        self._opened(conn)

    def _connect(self) -> sqlite3.Connection:
        """Return a validated connection, raising what went wrong."""
        # Autocommit (isolation_level=None): each statement is its own, atomic, transaction.
        conn = sqlite3.connect(
            self._path, timeout=self._timeout, isolation_level=None, check_same_thread=False
        )
        deadline = time.monotonic() + self._timeout
        try:
            for attempt in range(1, _BUSY_ATTEMPTS + 1):
                try:
                    self._prepare(conn)
                    break
                except sqlite3.OperationalError as exc:
                    if _classify(exc) != "busy" or not self._may_retry(attempt, deadline):
                        raise
        except BaseException:
            conn.close()
            raise
        return conn

    def _prepare(self, conn: sqlite3.Connection) -> None:
        # Reading journal_mode reads the header: "file is not a database" surfaces here.
        (mode,) = conn.execute("PRAGMA journal_mode = WAL").fetchone()
        # Some file systems (network shares) refuse WAL; rollback mode still works there.
        self._wal = str(mode).lower() == "wal"
        conn.execute("PRAGMA synchronous = NORMAL")
        # A replaced or deleted value is overwritten with zeros, not left in a free page: an
        # entry written by an older musicgen (results used to keep the raw payload, prompt and
        # callback URL included) leaves nothing behind once it is replaced.
        conn.execute("PRAGMA secure_delete = ON")
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        if "meta" not in tables:
            if tables:
                raise _SchemaMismatch(f"not a musicgen cache (tables: {sorted(tables)})")
            # IMMEDIATE takes the write lock first, so processes creating the file at the same
            # time take turns; IF NOT EXISTS / OR IGNORE make the later ones no-ops.
            conn.execute("BEGIN IMMEDIATE")
            try:
                for statement in _SCHEMA:
                    conn.execute(statement)
                conn.execute(
                    "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', ?)",
                    (str(SCHEMA_VERSION),),
                )
                conn.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
                raise
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if row is None or str(row[0]) != str(SCHEMA_VERSION):
            found = None if row is None else row[0]
            raise _SchemaMismatch(f"schema version {found!r}, expected {SCHEMA_VERSION}")
        # Touches every column: a table with another shape fails here, not on first use.
        conn.execute("SELECT key, value, expires_at, updated_at FROM entries LIMIT 1").fetchall()
        state = self._file_state()
        if state is not None and state.size <= _QUICK_CHECK_MAX_BYTES:
            result = [row[0] for row in conn.execute("PRAGMA quick_check")]
            if result != ["ok"]:
                raise sqlite3.DatabaseError(f"quick_check: {'; '.join(map(str, result[:3]))}")

    def _recover(self, reason: BaseException, state: _FileState | None) -> None:
        """Move the corrupt file (opened as ``state``) aside, then open an empty store."""
        self._drop_connection()
        current = self._file_state()
        if current is not None and state is not None and current.identity != state.identity:
            # Another instance or process already replaced the file: use its new one.
            logger.info("musicgen cache %s was replaced by another process; reopening", self._path)
            self._open(recover=False)
            return
        if current is not None:
            try:
                target = self._move_aside()
            except OSError as exc:
                self._unavailable(exc)
                return
            logger.warning(
                "musicgen cache %s is unreadable (%s); moved it to %s and started an empty cache",
                self._path,
                reason,
                target,
            )
        self._open(recover=False)

    def _opened(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._state = self._file_state()
        self._retry_at = -math.inf
        if self._reported_unavailable:
            self._reported_unavailable = False
            logger.info("musicgen cache %s is usable again", self._path)

    def _move_aside(self) -> Path:
        # Real time, not the injectable expiry clock: this name is for people reading a listing.
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        target = self._path.with_name(f"{self._path.name}.corrupt-{stamp}")
        counter = 1
        while target.exists():
            target = self._path.with_name(f"{self._path.name}.corrupt-{stamp}-{counter}")
            counter += 1
        os.rename(self._path, target)
        for suffix in _SIDE_FILES:
            side = Path(f"{self._path}{suffix}")
            try:
                # Keep SQLite's naming (<target>-wal), so the aside copy opens with its WAL.
                os.rename(side, f"{target}{suffix}")
            except FileNotFoundError:
                pass
            except OSError:
                # A stale -shm left behind would describe the old file's WAL: remove it.
                side.unlink(missing_ok=True)
        return target

    def _unavailable(self, exc: BaseException) -> None:
        if not self._reported_unavailable:  # once per outage, not on every retry
            self._reported_unavailable = True
            logger.warning(
                "musicgen cache %s cannot be used (%s); continuing without it for now",
                self._path,
                exc,
            )
        self._drop_connection()
        self._retry_at = time.monotonic() + _REOPEN_DELAY

    def _drop_connection(self) -> None:
        conn, self._conn, self._state = self._conn, None, None
        if conn is not None:
            # Closing a connection to a damaged file may fail; it is gone either way.
            with contextlib.suppress(sqlite3.Error):
                conn.close()

    def _after_fork(self) -> None:
        # The child must not use (or close) the parent's connection, and the lock may have been
        # held by a thread that does not exist here.
        self._lock = threading.RLock()
        if self._conn is not None:
            _INHERITED_CONNECTIONS.append(self._conn)
        self._conn = None
        self._state = None
        self._retry_at = -math.inf
        self._pid = os.getpid()

    def _file_state(self) -> _FileState | None:
        try:
            st = os.stat(self._path)
        except OSError:
            return None
        return _FileState(st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
