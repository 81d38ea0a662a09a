"""Account limits for a fleet of workers: how many tasks run at once, how many requests a
window allows.

A provider limits an *account*, not a process: Mureka runs at most
``concurrent_request_limit`` generation tasks at once per account (5 on the base plan; going
over answers 429), sunoapi.org takes 20 submissions per 10 seconds (going over answers
405/430). Workers that share an API key share those limits, so they take them from one
:class:`Limiter`:

- ``LocalLimiter()``: the threads of one process;
- ``RedisLimiter(url)`` (``pip install 'musicgen-sdk[redis]'``): every worker on every machine
  that uses the same Redis.

Example::

    from musicgen.limits import RedisLimiter, account_key

    limiter = RedisLimiter("redis://redis.internal:6379/0")
    account = account_key("mureka", api_key)  # a digest: the key itself is never stored
    with limiter.acquire(account, limit=5, ttl=120, timeout=600) as slot:
        ...  # submit, then renew while the task runs: slot.renew()
    limiter.acquire_rate(account_key("suno", suno_key), count=20, per=10)  # then submit

A slot is a lease: it expires ``ttl`` seconds after it was taken or renewed, so the slots of a
worker that dies (SIGKILL, lost machine) free themselves. The client takes a limiter as
``limiter=`` and holds a slot from submission until the task is terminal (coming in the same
release).
"""

from ._base import Limiter, LimiterTimeoutError, Slot, account_key
from ._local import LocalLimiter
from ._redis import RedisLimiter

__all__ = [
    "Limiter",
    "LimiterTimeoutError",
    "LocalLimiter",
    "RedisLimiter",
    "Slot",
    "account_key",
]
