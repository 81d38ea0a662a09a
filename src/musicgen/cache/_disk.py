"""A persistent, bounded store in one SQLite file, shared safely by threads and processes.

Design notes:

- **One connection per store, behind a lock** (``check_same_thread=False``). Every operation is
  one short statement or one short transaction (tens of microseconds), so threads lose nothing
  by taking turns, and one connection makes the hard parts simple and correct: recovering from
  corruption, noticing that the file was replaced, and ``close()`` all act on the one handle
  there is. A forked child opens its own connection instead of sharing the parent's.
- **Processes** coordinate through SQLite itself: WAL mode (readers never block the writer) and
  atomic writes (one autocommitted statement, or a ``BEGIN IMMEDIATE`` transaction for a set
  that also evicts, sweeps or stamps reads). SQLite sees other connections' commits by itself:
  every read transaction checks the WAL index, so nothing needs reopening to see another
  process's writes. Lock waits are ours, not SQLite's busy handler (it sleeps 1, 2, 5, 10
  ms...): a busy write is retried after 50 us, doubling up to 2 ms, until ``timeout`` (5 s by
  default). ``synchronous=NORMAL``: in WAL mode a committed write survives a crash of the
  process (what a journal entry must survive); only a power cut may lose the last writes, never
  corrupt the file. SQLite checkpoints the WAL every ``_CHECKPOINT_PAGES`` pages (not the
  default 1000), so the milliseconds a checkpoint takes fall on about one set in 400.
- **Bounds**: ``max_entries`` and ``max_bytes`` (keys plus values, UTF-8). Triggers keep the
  live totals in a one-row ``totals`` table, so every writer (other processes, older musicgen
  versions) keeps them exact; a set's upsert returns them (``RETURNING``) in the same statement.
  A set that passes a bound then, in one transaction, drops expired entries and evicts least
  recently used ones, oldest ``accessed`` first, down to 90% of the bound (at most
  ``_EVICT_BATCH`` entries or ``_EVICT_BATCH_BYTES`` below it). The next sets have room and
  evict nothing, so at 100k entries one set in 1000 pays for a batch, rather than every set
  paying for about one eviction. A file far over its bound (one made before bounds) sheds at
  most ``_EVICT_MAX_PER_SET`` entries per set. The file is within its bounds whenever a set has
  returned; in between, for the length of one transaction, it may hold one entry more.
  ``journal:`` keys (the client's record of paid submissions) are pinned: never evicted, only
  expired or deleted. A read does not write: it notes the key in memory if its ``accessed`` is
  over ``_TOUCH_AFTER`` old, and the next write of this instance (or close, or a full buffer)
  stamps them all in one go.
- **Space** goes back to the file system: new files use ``auto_vacuum=INCREMENTAL``, and after
  sweeps, evictions past a batch's room (a file trimmed to a lower bound) and ``clear()`` an
  ``incremental_vacuum`` runs when enough pages are free; the room an eviction batch makes is
  kept for the sets that fill it again. Older files without it are converted at open when
  small, else by ``clear()``; until then their free pages are reused for new entries.
  ``journal_size_limit`` keeps the WAL from staying large after a big transaction.
- **Expiry** is stored as wall-clock time (``time.time``): it must mean the same thing in every
  process and after a restart, which a monotonic clock does not.
- **Corruption** (a file that is not SQLite, is malformed or truncated, or has another schema)
  never crashes and never yields a wrong value: the file and its ``-wal``/``-shm`` companions are
  renamed to ``<name>.corrupt-<UTC timestamp>`` (kept for inspection), a WARNING is logged on the
  ``musicgen`` logger, and an empty store is rebuilt in place. It is detected when the file is
  opened (including a ``PRAGMA quick_check`` for files up to 16 MiB), whenever a statement
  reports it, and when the file changed on disk behind the open connection: each operation
  ``stat``s the file (about a microsecond). A file that was replaced, deleted or shrank is
  reopened and validated; one that only changed (a checkpoint, by us or another process) is
  SQLite's business: a changed WAL index resets its page cache, so damage written in place is
  reported by the next statement that reads it. (The file is never opened outside SQLite: closing
  any descriptor of it would drop SQLite's POSIX locks for the whole process.) If another
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
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Literal, NamedTuple, TypeVar

from ._base import CacheStats, Counters, check_item, check_ttl, expiry

__all__ = ["DiskCache", "default_cache_dir"]

logger = logging.getLogger("musicgen")

_T = TypeVar("_T")
_U = TypeVar("_U")


class _Unavailable:
    """The result of a read that could not reach the file."""


_UNAVAILABLE = _Unavailable()

SCHEMA_VERSION = 1
# Keys the client must never lose to eviction: its record of paid submissions (see _caching).
PINNED_PREFIX = "journal:"
# Unpinned rows: the LRU index's WHERE, and word for word the eviction query's (SQLite uses a
# partial index only for a query that repeats its condition).
_PINNED_SQL = "substr(key, 1, 8) <> 'journal:'"
# Layout version 1, extended compatibly: older musicgen versions read and write the same file
# (their inserts get accessed = 0, the oldest, and the triggers count their writes too).
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS entries ("
    " key TEXT PRIMARY KEY, value TEXT NOT NULL, expires_at REAL NULL, updated_at REAL NOT NULL,"
    " accessed REAL NOT NULL DEFAULT 0)",
    # Lets the sweep find expired rows without scanning the table.
    "CREATE INDEX IF NOT EXISTS entries_expires_at ON entries (expires_at)",
)
# Counts the live totals from scratch (a table scan): when the bounds are added, or if the row
# went missing.
_COUNT_TOTALS = (
    "INSERT OR IGNORE INTO totals (id, entries, bytes) SELECT 0, COUNT(*),"
    " COALESCE(SUM(length(CAST(key AS BLOB)) + length(CAST(value AS BLOB))), 0) FROM entries"
)
# What a file written by an older musicgen lacks; added at open, in one write transaction.
_BOUNDS_SCHEMA = (
    # Eviction order; pinned keys are not even in it, so eviction never walks past them.
    f"CREATE INDEX IF NOT EXISTS entries_lru ON entries (accessed) WHERE {_PINNED_SQL}",
    "CREATE TABLE IF NOT EXISTS totals ("
    " id INTEGER PRIMARY KEY CHECK (id = 0), entries INTEGER NOT NULL, bytes INTEGER NOT NULL)",
    _COUNT_TOTALS,
    "CREATE TRIGGER IF NOT EXISTS entries_counted_insert AFTER INSERT ON entries BEGIN"
    " UPDATE totals SET entries = entries + 1,"
    " bytes = bytes + length(CAST(NEW.key AS BLOB)) + length(CAST(NEW.value AS BLOB)) WHERE id = 0;"
    " END",
    "CREATE TRIGGER IF NOT EXISTS entries_counted_delete AFTER DELETE ON entries BEGIN"
    " UPDATE totals SET entries = entries - 1,"
    " bytes = bytes - length(CAST(OLD.key AS BLOB)) - length(CAST(OLD.value AS BLOB)) WHERE id = 0;"
    " END",
    "CREATE TRIGGER IF NOT EXISTS entries_counted_update AFTER UPDATE OF key, value ON entries"
    " BEGIN UPDATE totals SET"
    " bytes = bytes + length(CAST(NEW.key AS BLOB)) + length(CAST(NEW.value AS BLOB))"
    " - length(CAST(OLD.key AS BLOB)) - length(CAST(OLD.value AS BLOB)) WHERE id = 0; END",
)
_BOUNDS_OBJECTS = frozenset(
    {
        "entries_lru",
        "totals",
        "entries_counted_insert",
        "entries_counted_delete",
        "entries_counted_update",
    }
)
_UPSERT = (
    "INSERT INTO entries (key, value, expires_at, updated_at, accessed) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at, "
    "updated_at = excluded.updated_at, accessed = excluded.accessed"
)
# The same upsert, also returning the totals as they were before it (RETURNING sees the table
# before the AFTER triggers run): a bounded set learns whether it may have passed a bound
# without a transaction of its own, so the write lock is held for one statement, not four.
_UPSERT_TOTALS = (
    "INSERT INTO entries (key, value, expires_at, updated_at, accessed) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at, "
    "updated_at = excluded.updated_at, accessed = excluded.accessed "
    "RETURNING (SELECT entries FROM totals WHERE id = 0), (SELECT bytes FROM totals WHERE id = 0)"
)
# RETURNING came in SQLite 3.35 (2021); Linux distributions' Pythons may link an older one, where
# a bounded set uses a transaction (upsert, then the totals) instead.
_HAS_RETURNING = sqlite3.sqlite_version_info >= (3, 35, 0)
_LRU = (
    "SELECT rowid, length(CAST(key AS BLOB)) + length(CAST(value AS BLOB)) FROM entries "
    "WHERE substr(key, 1, 8) <> 'journal:' AND key <> ? ORDER BY accessed, rowid LIMIT ?"
)
# quick_check reads every page (about 1 ms per MiB when cached): worth it at open for files
# up to this size; beyond it, damage is still caught by the statements that touch it.
_QUICK_CHECK_MAX_BYTES = 16 * 1024 * 1024
# Older files (no auto_vacuum) up to this size are converted at open: VACUUM rewrites them.
_CONVERT_MAX_BYTES = 4 * 1024 * 1024
_SWEEP_EVERY_SETS = 1000
_SWEEP_EVERY_SECONDS = 600.0
# A set writes about 5 pages (table, three indexes, totals); checkpointing every 2000 pages
# (8 MiB of WAL at 4 KiB pages) rather than SQLite's 1000 puts a checkpoint's 10-20 ms on about
# 1 set in 400, out of the p99.
_CHECKPOINT_PAGES = 2000
_WAL_LIMIT_BYTES = 8 * 1024 * 1024
_CACHE_KIB = 8 * 1024  # page cache per connection: the hot index pages of 100k entries fit
# Give pages back once this many are free (1 MiB at 4 KiB pages); fewer are simply reused.
# Outside clear(), one run frees at most _VACUUM_STEP_PAGES, so no single set pays for more.
_VACUUM_FREE_PAGES = 256
_VACUUM_STEP_PAGES = 2048
# A read is written back as "recently used" only if its stamp is older than this; up to
# _TOUCH_BUFFER of them wait in memory for this instance's next write.
_TOUCH_AFTER = 1.0
_TOUCH_BUFFER = 1024
_TOUCH_MAX_AGE = 30.0
# Past a bound, eviction goes this far below it (a tenth of the bound, at most _EVICT_BATCH
# entries or _EVICT_BATCH_BYTES), so the next sets have room and evict nothing: at 100k entries
# one set in 1000 pays for a batch (tens of milliseconds: the p99.9, not the p99) instead of
# one in 8 paying for 8 (the p99). Each evicted row costs about the same either way (25 us: four
# b-trees, a trigger, zeroing), so rare large batches cost no more in total.
_EVICT_FRACTION = 10
_EVICT_BATCH = 1000
_EVICT_BATCH_BYTES = 2 * 1024 * 1024
# The most entries one set evicts: a file far over its bound (one made before bounds, or opened
# with a lower one) sheds this many per set instead of stalling one set for seconds.
_EVICT_MAX_PER_SET = 2000
# How long a store that could not open waits before trying again.
_REOPEN_DELAY = 5.0
# Lock waits: first pause, longest pause (doubling in between), all within ``timeout``.
_BUSY_PAUSE = 50e-6
_BUSY_PAUSE_MAX = 2e-3
_SIDE_FILES = ("-wal", "-shm", "-journal")
DEFAULT_MAX_ENTRIES = 10_000
DEFAULT_MAX_BYTES = 128 * 1024 * 1024

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


def _check_bound(name: str, value: object, example: str) -> int | None:
    """Return ``value`` if it is None or a whole number of at least 1.

    Raises:
        TypeError: ``value`` is not an int (bools are refused too).
        ValueError: ``value`` is below 1.
    """
    if value is None:
        return None
    fix = f"pass e.g. {name}={example}, or {name}=None for no limit"
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be a whole number (int), got {value!r}; {fix}")
    if value < 1:
        raise ValueError(f"{name} must be at least 1, got {value!r}; {fix}")
    return value


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
    """A persistent, bounded store in a SQLite file, shared by threads and processes.

    Values survive restarts and are visible to every process using the same file. When a set
    takes the file past ``max_entries`` or ``max_bytes``, expired entries go first, then the
    least recently used (read or written) ones; ``journal:`` keys (the client's record of paid
    submissions) are never evicted, only expired or deleted. Expired entries are never returned;
    they are purged when read and by an occasional sweep. Freed space goes back to the file
    system. A file found corrupt is moved aside and replaced by an empty store (see the module
    docstring); storage trouble never raises out of an operation.

    Args:
        path: The database file; default ``default_cache_dir() / "cache.sqlite3"``. Its directory
            is created if needed.
        ttl: Default seconds before an entry expires (None: never).
        max_entries: The most entries the file keeps (default 10,000; None: no limit). Pinned
            ``journal:`` entries count, but are never evicted.
        max_bytes: The most bytes of keys and values (UTF-8) the file keeps (default 128 MiB;
            None: no limit). The file itself is larger by SQLite's overhead (pages, indexes,
            up to 16 MiB of WAL). The entry just written is never evicted by its own set, so a
            single value larger than the bound stays until the next set.
        timer: The wall clock in seconds since the epoch (``time.time``); injectable for tests.
        timeout: Seconds to wait for another process's lock before giving up on an operation.

    Raises:
        TypeError: ``max_entries`` or ``max_bytes`` is not an int.
        ValueError: ``ttl`` or ``timeout`` is not positive, or a bound is below 1.
    """

    #: sqlite and its lock waits block: the async client calls it from a worker thread.
    blocking = True

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        ttl: float | None = None,
        max_entries: int | None = DEFAULT_MAX_ENTRIES,
        max_bytes: int | None = DEFAULT_MAX_BYTES,
        timer: Callable[[], float] = time.time,
        timeout: float = 5.0,
    ) -> None:
        self._path = Path(path) if path is not None else default_cache_dir() / "cache.sqlite3"
        self._ttl = check_ttl(ttl)
        self._max_entries = _check_bound("max_entries", max_entries, "10_000")
        self._max_bytes = _check_bound("max_bytes", max_bytes, "64 * 1024 * 1024")
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
        self._counts = Counters()
        self._evictions = 0
        self._expirations = 0
        self._sets_since_sweep = 0
        self._last_sweep = -math.inf
        self._deleted_since_vacuum = 0
        # Reads to stamp as recent at the next write: key -> when it was read (self._timer).
        self._touched: dict[str, float] = {}
        self._touched_since = math.inf
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

    @property
    def max_entries(self) -> int | None:
        """The most entries kept (None: no limit)."""
        return self._max_entries

    @property
    def max_bytes(self) -> int | None:
        """The most bytes of keys and values kept (None: no limit)."""
        return self._max_bytes

    # -- the Cache protocol ---------------------------------------------------------------------

    def get(self, key: str) -> str | None:
        """Return the value under ``key``, or None if it is missing, expired or unreadable."""
        found = self.get_with_ttl(key)
        return None if found is None else found[0]

    def get_with_ttl(self, key: str) -> tuple[str, float | None] | None:
        """Return ``(value, seconds left or None for no expiry)``, or None on a miss."""

        def op(conn: sqlite3.Connection) -> tuple[str, float | None] | None:
            row = conn.execute(
                "SELECT value, expires_at, accessed FROM entries WHERE key = ?", (key,)
            ).fetchone()
            if row is None:
                self._counts.misses += 1
                return None
            value, expires_at, accessed = row
            now = self._timer()
            if expires_at is not None and expires_at <= now:
                # Guarded on expires_at, so a fresh value another process just wrote survives.
                cursor = conn.execute(
                    "DELETE FROM entries WHERE key = ? AND expires_at <= ?", (key, now)
                )
                self._expirations += max(cursor.rowcount, 0)
                self._counts.misses += 1
                return None
            if not now - accessed < _TOUCH_AFTER:
                self._touch(conn, key, now)
            self._counts.hits += 1  # last: a failure above retries the whole read
            return value, (None if expires_at is None else expires_at - now)

        found = self._run(op, _UNAVAILABLE)
        if isinstance(found, _Unavailable):
            with self._lock:
                self._counts.misses += 1  # the store cannot be read: answer a miss, and count it
            return None
        return found

    def set(self, key: str, value: str, *, ttl: float | None = None) -> None:
        """Store ``value`` under ``key`` (atomic), evicting what the bounds require.

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
            row = (key, value, None if math.isinf(expires_at) else expires_at, now, now)
            sweep = (
                self._sets_since_sweep + 1 >= _SWEEP_EVERY_SETS
                or time.monotonic() - self._last_sweep >= _SWEEP_EVERY_SECONDS
            )
            touched = self._touched
            expired = evicted = 0
            if not touched and not sweep and (_HAS_RETURNING or not self._bounded):
                # One autocommitted statement: the cheapest write, and the shortest hold of the
                # write lock that other processes wait for.
                if not self._bounded:
                    conn.execute(_UPSERT, row)
                else:
                    [(entries, size)] = conn.execute(_UPSERT_TOTALS, row).fetchall()
                    if self._may_exceed(entries, size, key, value):
                        # Rare (eviction goes well below the bound): the exact totals, then the
                        # batch, in a transaction of their own.
                        with _transaction(conn):
                            expired, evicted = self._enforce_bounds(conn, now, key)
            else:
                with _transaction(conn):
                    conn.execute(_UPSERT, row)
                    self._write_touches(conn, touched)
                    expired = self._sweep(conn, now) if sweep else 0
                    more_expired, evicted = self._enforce_bounds(conn, now, key)
                    expired += more_expired
            # Committed: only now do the counters move.
            if touched:
                self._touched = {}
                self._touched_since = math.inf
            self._counts.sets += 1
            self._sets_since_sweep += 1
            if sweep:
                self._sets_since_sweep = 0
                self._last_sweep = time.monotonic()
            self._expirations += expired
            self._evictions += evicted
            # An eviction batch makes room that the next sets fill again: giving those pages
            # back would only move pages to the file's end and grow it again (thousands of WAL
            # pages a batch). Space goes back when the store shrinks: expiry, or eviction
            # beyond that room (a file far over a lowered bound).
            room = self._slack[0] if self._max_entries is not None else 0
            self._after_deletes(conn, expired + max(evicted - room, 0))

        self._run(op, None)

    def delete(self, key: str) -> None:
        """Remove ``key``; a missing key is not an error."""

        def op(conn: sqlite3.Connection) -> None:
            conn.execute("DELETE FROM entries WHERE key = ?", (key,))
            self._touched.pop(key, None)

        self._run(op, None)

    def clear(self) -> None:
        """Remove every entry, for every process using the file, and give the space back.

        The counters are kept. The file shrinks to a few pages (other processes reading it at
        that moment may keep the WAL from shrinking until they are done).
        """

        def op(conn: sqlite3.Connection) -> None:
            # FAST zeroes the deleted rows on their pages but not the pages freed whole, three
            # times quicker at 100k entries; those pages are cut off the file right after.
            conn.execute("PRAGMA secure_delete = FAST")
            try:
                conn.execute("DELETE FROM entries")
            finally:
                conn.execute("PRAGMA secure_delete = ON")
            self._touched = {}
            self._touched_since = math.inf
            (mode,) = conn.execute("PRAGMA auto_vacuum").fetchone()
            if mode == 0:  # a file made before auto_vacuum: empty now, so converting is cheap
                conn.execute("PRAGMA auto_vacuum = INCREMENTAL")
                conn.execute("VACUUM")
            else:
                _incremental_vacuum(conn)
            self._deleted_since_vacuum = 0
            # The vacuum's truncation reaches the main file at a checkpoint; TRUNCATE also
            # empties the WAL. Busy (a reader in another process) only means: later.
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()

        self._run(op, None)

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
        """Return this instance's counters, and the live entries in the file.

        ``evictions`` and ``expirations`` count the entries this instance removed (other
        processes count their own); ``size`` counts every live entry in the file.
        """

        def count(conn: sqlite3.Connection) -> int:
            # The triggers' total, minus what has expired but not been swept yet (an index
            # range): no table scan, however large the file.
            row = conn.execute(
                "SELECT (SELECT entries FROM totals WHERE id = 0)"
                " - (SELECT COUNT(*) FROM entries WHERE expires_at <= ?)",
                (self._timer(),),
            ).fetchone()
            return max(int(row[0] or 0), 0)

        size = self._run(count, 0)
        with self._lock:
            return self._counts.stats(
                size=size, evictions=self._evictions, expirations=self._expirations
            )

    def close(self) -> None:
        """Stamp pending reads, then close the connection. Using the store again reopens it."""
        if self._pid != os.getpid():
            self._after_fork()  # never the parent's connection, lock or pending reads
        if self._touched and self._conn is not None:
            self._run(self._flush_touches, None)
        with self._lock:
            self._drop_connection()
            self._retry_at = -math.inf

    def __enter__(self) -> DiskCache:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return (
            f"DiskCache(path={str(self._path)!r}, ttl={self._ttl!r}, "
            f"max_entries={self._max_entries!r}, max_bytes={self._max_bytes!r})"
        )

    # -- bounds, recency, space -----------------------------------------------------------------

    @property
    def _bounded(self) -> bool:
        return self._max_entries is not None or self._max_bytes is not None

    def _enforce_bounds(self, conn: sqlite3.Connection, now: float, keep: str) -> tuple[int, int]:
        """Bring the file within its bounds (inside the caller's transaction): expired entries
        first, then the least recently used unpinned ones, never ``keep`` (just written).

        Returns:
            ``(expired, evicted)``: how many entries each step removed.
        """
        if not self._bounded:
            return 0, 0
        totals = "SELECT entries, bytes FROM totals WHERE id = 0"
        row = conn.execute(totals).fetchone()
        if row is None:  # deleted behind our back: count again rather than never evict
            conn.execute(_COUNT_TOTALS)
            row = conn.execute(totals).fetchone()
        entries, size = row
        over_entries, over_bytes = self._excess(entries, size)
        if over_entries <= 0 and over_bytes <= 0:
            return 0, 0
        # Past a bound, go well below it (see _slack), so most sets evict nothing.
        slack_entries, slack_bytes = self._slack
        over_entries += slack_entries
        over_bytes += slack_bytes
        expired = self._sweep(conn, now)
        evicted = 0
        while True:
            if expired or evicted:
                before = (entries, size)
                entries, size = conn.execute(totals).fetchone()
                if evicted and (entries, size) == before:
                    break  # nothing moved (the triggers are gone?): never loop forever
                over_entries, over_bytes = self._excess(entries, size)
                over_entries += slack_entries
                over_bytes += slack_bytes
            if over_entries <= 0 and over_bytes <= 0:
                break
            # Enough rows for both bounds; for bytes, judged by the average entry (the loop
            # comes back if the oldest entries turn out smaller).
            rows_for_bytes = 0 if over_bytes <= 0 else -(-over_bytes * max(entries, 1) // size)
            want = min(max(over_entries, rows_for_bytes, 1), _EVICT_MAX_PER_SET - evicted)
            if want <= 0:
                break  # the next sets go on
            victims: list[tuple[int]] = []
            for rowid, length in conn.execute(_LRU, (keep, want)).fetchall():
                victims.append((rowid,))
                over_entries -= 1
                over_bytes -= length
                if over_entries <= 0 and over_bytes <= 0:
                    break
            if not victims:  # only pinned entries and ``keep`` are left
                break
            conn.executemany("DELETE FROM entries WHERE rowid = ?", victims)
            evicted += len(victims)
        return expired, evicted

    @property
    def _slack(self) -> tuple[int, int]:
        """How far below each bound an eviction goes: a tenth of it, at most _EVICT_BATCH
        entries or _EVICT_BATCH_BYTES (so bounds under 10 keep exact LRU)."""
        entries = 0 if self._max_entries is None else self._max_entries // _EVICT_FRACTION
        size = 0 if self._max_bytes is None else self._max_bytes // _EVICT_FRACTION
        return min(entries, _EVICT_BATCH), min(size, _EVICT_BATCH_BYTES)

    def _may_exceed(self, entries: int | None, size: int | None, key: str, value: str) -> bool:
        """Whether the file may be past a bound after writing ``key``, given the totals from
        before the write (assuming a new key: the exact check is _enforce_bounds's)."""
        if entries is None or size is None:
            return True  # no totals row (removed behind our back?): let the exact check decide
        added = len(key.encode()) + len(value.encode())
        over_entries, over_bytes = self._excess(entries + 1, size + added)
        return over_entries > 0 or over_bytes > 0

    def _excess(self, entries: int, size: int) -> tuple[int, int]:
        """How many entries and bytes the file holds beyond its bounds (<= 0: within)."""
        over_entries = 0 if self._max_entries is None else entries - self._max_entries
        over_bytes = 0 if self._max_bytes is None else size - self._max_bytes
        return over_entries, over_bytes

    def _touch(self, conn: sqlite3.Connection, key: str, now: float) -> None:
        """Note that ``key`` was read; written with the next write (or now, if many wait)."""
        if not self._touched:
            self._touched_since = time.monotonic()
        self._touched[key] = now
        if (
            len(self._touched) >= _TOUCH_BUFFER
            or time.monotonic() - self._touched_since >= _TOUCH_MAX_AGE
        ):
            try:
                self._flush_touches(conn)
            except sqlite3.OperationalError as exc:
                if _classify(exc) != "busy":
                    raise
                # The read is done; the stamps can wait for a quieter moment.

    def _flush_touches(self, conn: sqlite3.Connection) -> None:
        touched = self._touched
        with _transaction(conn):
            self._write_touches(conn, touched)
        self._touched = {}
        self._touched_since = math.inf

    @staticmethod
    def _write_touches(conn: sqlite3.Connection, touched: dict[str, float]) -> None:
        if touched:
            conn.executemany(
                "UPDATE entries SET accessed = ?1 WHERE key = ?2 AND accessed < ?1",
                [(stamp, key) for key, stamp in touched.items()],
            )

    def _sweep(self, conn: sqlite3.Connection, now: float) -> int:
        """Delete the expired entries; return how many there were."""
        cursor = conn.execute(
            "DELETE FROM entries WHERE expires_at IS NOT NULL AND expires_at <= ?", (now,)
        )
        return max(cursor.rowcount, 0)

    def _after_deletes(self, conn: sqlite3.Connection, deleted: int) -> None:
        """Give free pages back to the file system once enough rows were deleted to matter."""
        self._deleted_since_vacuum += deleted
        if self._deleted_since_vacuum < _VACUUM_FREE_PAGES:
            return
        self._deleted_since_vacuum = 0
        try:
            (free,) = conn.execute("PRAGMA freelist_count").fetchone()
            if free >= _VACUUM_FREE_PAGES:
                _incremental_vacuum(conn, _VACUUM_STEP_PAGES)
        except sqlite3.OperationalError as exc:
            if _classify(exc) != "busy":
                raise
            # The write is done; the space can be given back next time.

    # -- running statements ---------------------------------------------------------------------

    def _run(self, op: Callable[[sqlite3.Connection], _T], fallback: _U) -> _T | _U:
        """Run ``op`` on a healthy connection: retry locks, recover from corruption, never raise
        for storage trouble (``fallback`` is returned instead)."""
        if self._pid != os.getpid():
            self._after_fork()
        with self._lock:
            recovered = False
            deadline = time.monotonic() + self._timeout
            attempt = 0
            while True:
                conn = self._connection()
                if conn is None:
                    return fallback
                try:
                    return op(conn)
                except sqlite3.Error as exc:
                    kind = _classify(exc)
                    if kind == "bug":
                        raise
                    if kind == "busy" and _pause(attempt, deadline):
                        attempt += 1
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

    def _connection(self) -> sqlite3.Connection | None:
        """The open connection, reopened if the file was replaced, deleted or cut behind it."""
        if self._conn is None:
            if time.monotonic() < self._retry_at:
                return None
            self._open()
            return self._conn
        state = self._file_state()
        if state == self._state:
            return self._conn
        if (
            state is None
            or self._state is None
            or state.identity != self._state.identity
            or state.size < self._state.size
        ):
            # Replaced, deleted, or shrunk (a vacuum elsewhere, or damage): this connection
            # would go on reading the old inode or past the end, so open again, which
            # validates the file.
            self._drop_connection()
            self._open()
        else:
            # A checkpoint (ours or another process's) wrote the main file. SQLite tracks that
            # itself: a changed WAL index resets its page cache, and damage written in place
            # surfaces as an error of the next statement, which recovers. Never open the file
            # here to look: closing any descriptor of it drops SQLite's POSIX locks for the
            # whole process, which is how SQLite files get corrupted.
            self._state = state
        return self._conn

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
        # timeout=0: SQLite's busy handler sleeps whole milliseconds; we wait in _pause instead.
        conn = sqlite3.connect(self._path, timeout=0, isolation_level=None, check_same_thread=False)
        deadline = time.monotonic() + self._timeout
        attempt = 0
        try:
            while True:
                try:
                    self._prepare(conn)
                    break
                except sqlite3.OperationalError as exc:
                    if _classify(exc) != "busy" or not _pause(attempt, deadline):
                        raise
                    attempt += 1
        except BaseException:
            conn.close()
            raise
        return conn

    def _prepare(self, conn: sqlite3.Connection) -> None:
        # Only takes effect on a new, empty file (before the first table): space freed later
        # can then be given back without rewriting the file.
        conn.execute("PRAGMA auto_vacuum = INCREMENTAL")
        # Reading journal_mode reads the header: "file is not a database" surfaces here.
        (mode,) = conn.execute("PRAGMA journal_mode = WAL").fetchone()
        # Some file systems (network shares) refuse WAL; rollback mode still works there.
        self._wal = str(mode).lower() == "wal"
        conn.execute("PRAGMA synchronous = NORMAL")
        # A replaced or deleted value is overwritten with zeros, not left in a free page: an
        # entry written by an older musicgen (results used to keep the raw payload, prompt and
        # callback URL included) leaves nothing behind once it is replaced.
        conn.execute("PRAGMA secure_delete = ON")
        conn.execute(f"PRAGMA wal_autocheckpoint = {_CHECKPOINT_PAGES}")
        conn.execute(f"PRAGMA journal_size_limit = {_WAL_LIMIT_BYTES}")
        conn.execute(f"PRAGMA cache_size = -{_CACHE_KIB}")
        names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        if "meta" not in names:
            if names:
                raise _SchemaMismatch(f"not a musicgen cache (tables: {sorted(names)})")
            # IMMEDIATE takes the write lock first, so processes creating the file at the same
            # time take turns; IF NOT EXISTS / OR IGNORE make the later ones no-ops.
            with _transaction(conn):
                for statement in _SCHEMA:
                    conn.execute(statement)
                conn.execute(
                    "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', ?)",
                    (str(SCHEMA_VERSION),),
                )
            names.add("entries")
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if row is None or str(row[0]) != str(SCHEMA_VERSION):
            found = None if row is None else row[0]
            raise _SchemaMismatch(f"schema version {found!r}, expected {SCHEMA_VERSION}")
        if not _BOUNDS_OBJECTS.issubset(names):
            self._add_bounds(conn)
        # Touches every column: a table with another shape fails here, not on first use.
        conn.execute(
            "SELECT key, value, expires_at, updated_at, accessed FROM entries LIMIT 1"
        ).fetchall()
        state = self._file_state()
        if state is not None and state.size <= _QUICK_CHECK_MAX_BYTES:
            result = [row[0] for row in conn.execute("PRAGMA quick_check")]
            if result != ["ok"]:
                raise sqlite3.DatabaseError(f"quick_check: {'; '.join(map(str, result[:3]))}")
        if state is not None and state.size <= _CONVERT_MAX_BYTES:
            self._convert_to_incremental(conn)

    @staticmethod
    def _add_bounds(conn: sqlite3.Connection) -> None:
        """Add what eviction needs to a file an older musicgen made (or a brand-new one)."""
        with _transaction(conn):
            columns = {row[1] for row in conn.execute("PRAGMA table_info(entries)")}
            if "accessed" not in columns:
                conn.execute("ALTER TABLE entries ADD COLUMN accessed REAL NOT NULL DEFAULT 0")
                # Written is the best guess at "used" for entries from before.
                conn.execute("UPDATE entries SET accessed = updated_at")
            for statement in _BOUNDS_SCHEMA:
                conn.execute(statement)

    @staticmethod
    def _convert_to_incremental(conn: sqlite3.Connection) -> None:
        """Turn on auto_vacuum for a small file made before it (VACUUM rewrites the file)."""
        (mode,) = conn.execute("PRAGMA auto_vacuum").fetchone()
        if mode != 0:
            return
        try:
            conn.execute("PRAGMA auto_vacuum = INCREMENTAL")
            conn.execute("VACUUM")
        except sqlite3.OperationalError as exc:
            if _classify(exc) != "busy":
                raise
            # Another process is writing: the next open (or clear) converts it.

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
        # held by a thread that does not exist here. The parent's pending reads are its own.
        self._lock = threading.RLock()
        if self._conn is not None:
            _INHERITED_CONNECTIONS.append(self._conn)
        self._conn = None
        self._state = None
        self._retry_at = -math.inf
        self._touched = {}
        self._touched_since = math.inf
        self._pid = os.getpid()

    def _file_state(self) -> _FileState | None:
        try:
            st = os.stat(self._path)
        except OSError:
            return None
        return _FileState(st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


@contextlib.contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """``BEGIN IMMEDIATE`` ... ``COMMIT``, rolled back if anything fails.

    IMMEDIATE takes the write lock up front: a busy lock then fails at the start, before any
    work, so the whole operation can simply be retried.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
        conn.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")
        raise


def _incremental_vacuum(conn: sqlite3.Connection, pages: int = 0) -> None:
    """Give up to ``pages`` free pages (0: all) back to the file system.

    ``execute`` would step the pragma once, freeing a single page; ``executescript`` runs it to
    the end. Only ever called outside a transaction (executescript would commit one first).
    """
    conn.executescript(f"PRAGMA incremental_vacuum({int(pages)});")


def _pause(attempt: int, deadline: float) -> bool:
    """Wait before another try at a locked database, unless ``deadline`` would pass.

    Starts at 50 us and doubles up to 2 ms: another writer holds the lock for tens of
    microseconds, so short first waits keep a contended set well under a millisecond.
    """
    pause = min(_BUSY_PAUSE * (1 << min(attempt, 16)), _BUSY_PAUSE_MAX)
    if time.monotonic() + pause > deadline:
        return False
    time.sleep(pause)
    return True
