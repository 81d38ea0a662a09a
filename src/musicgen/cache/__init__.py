"""Key/value stores of JSON text that let the client never pay for a generation twice.

The client keeps two kinds of entries in a ``Cache``:

- finished generations, as JSON, under ``generation:<provider>:<task_id>``, with a TTL that ends
  when the provider's audio links expire (Suno 15 days, Mureka 30 days);
- a submission journal, ``journal:<sha256 fingerprint>`` -> ``{"provider", "task_id",
  "submitted_at"}``, written right after a paid submission so a crash or a retry resumes the
  task instead of starting (and paying for) another one.

Stores:

- ``MemoryCache``: LRU in this process (cachetools), per-entry and default TTLs.
- ``DiskCache``: one SQLite file shared by threads and processes, surviving restarts; repairs
  itself when the file is corrupt. Lives in ``default_cache_dir()`` unless told otherwise.
- ``TieredCache``: a memory store in front of a disk store.
- ``RedisCache``: one store for a fleet of workers on any number of machines (``pip install
  'musicgen-sdk[redis]'``; redis-py is imported only when one is built).

Stores that coordinate workers also implement ``SupportsLease`` (named locks with a holder
token and an expiry, for distributed single flight) and ``SupportsWait`` (block until a key
is written, e.g. a callback stored by the receiver): ``MemoryCache`` within one process,
``RedisCache`` across machines.

Values are ``str`` only; nothing is ever pickled. Write your own store by implementing the
``Cache`` protocol.
"""

from .._redis import CacheUnavailableError
from ._base import Cache, CacheStats, SupportsLease, SupportsWait
from ._disk import DiskCache, default_cache_dir
from ._memory import MemoryCache
from ._redis import RedisCache
from ._tiered import TieredCache

__all__ = [
    "Cache",
    "CacheStats",
    "CacheUnavailableError",
    "DiskCache",
    "MemoryCache",
    "RedisCache",
    "SupportsLease",
    "SupportsWait",
    "TieredCache",
    "default_cache_dir",
]
