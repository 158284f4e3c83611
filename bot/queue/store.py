"""The bot's durable store: huey's storage (SQLite file or Redis) and a little key-value state.

huey provides the storage over SQLite by default (one file, nothing to run) and over Redis when
several instances share work (``REDIS_URL``/``NUMBOT_STORE_URL``). The event queue
(``bot.queue.eventqueue``), re-delivery claims, rate-limit pauses, the rotating refresh token and the
cross-process locks all live in it, so one backend setting moves everything together.

Claims and locks are built on one atomic primitive per backend, compare-and-set
(:meth:`Store._cas`): SQLite does it with a conditional statement, Redis with a small Lua script.
A marker says until when it holds (``<epoch seconds>:<owner>``), so an expired marker can be told
from a live one on both backends. huey's SQLite storage, as the bot tunes it, is ``bot.queue.sqlite``.
"""
from __future__ import annotations

import json
import os
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Optional
from urllib.parse import urlparse

from huey import Huey, RedisExpireHuey
from huey.constants import EmptyData
from huey.storage import RedisExpireStorage, SqliteStorage

from bot.queue.sqlite import SharedSqliteStorage

QUEUE_NAME = "numbot"
CLAIM_SECONDS = 7 * 24 * 3600  # how long a handled event is remembered (re-deliveries come within minutes)
# A lapsed lease stays readable this long, so the sweeper can tell "a worker started this event and
# died" from "nobody started it yet" (Redis would otherwise drop the key at its expiry).
LAPSED_LEASE_KEPT_SECONDS = 24 * 3600
REDIS_TIMEOUT_SECONDS = 5.0


def make_huey(store_url: str) -> Huey:
    """``sqlite:///path`` (relative) or ``sqlite:////abs/path``, or ``redis://…``."""
    parsed = urlparse(store_url)
    if parsed.scheme == "sqlite":
        path = store_url[len("sqlite:///") :] if store_url.startswith("sqlite:///") else parsed.path
        directory = os.path.dirname(path)
        if directory:
            os.makedirs(directory, exist_ok=True)
        return Huey(QUEUE_NAME, storage_class=SharedSqliteStorage, filename=path, fsync=True, timeout=10, results=False)
    if parsed.scheme in ("redis", "rediss", "unix"):
        # The "expire" flavour: values can carry real Redis TTLs (SET ... PX). Nothing blocks on
        # Redis (the event queue is polled, ``bot.queue.jobs``), so every call may time out: a Redis that
        # is down or restarting fails a call within seconds (the webhook answers 503, a worker
        # waits and tries again) instead of hanging a thread.
        import redis

        pool = redis.ConnectionPool.from_url(store_url, socket_timeout=REDIS_TIMEOUT_SECONDS,
                                             socket_connect_timeout=REDIS_TIMEOUT_SECONDS, health_check_interval=30)
        return RedisExpireHuey(QUEUE_NAME, connection_pool=pool, blocking=False, results=False)
    raise ValueError(f"NUMBOT_STORE_URL must start with sqlite:// or redis://, not {parsed.scheme}://")


_PREFIX_SQL = "select key, value from kv where queue = ? and key >= ? and key < ?"  # the keys with one prefix


def _past(prefix: str) -> str:
    """The first string after every key that starts with ``prefix``: with it, a key range takes
    the place of LIKE, which is case-insensitive and so cannot use the primary key."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def store_errors() -> tuple[type[BaseException], ...]:
    """What the store raises when it cannot be reached (Redis down or restarting, SQLite's file
    locked past its timeout): an event that meets one is left for a later attempt, not answered
    with a crash card (``bot.conversation.events``, ``bot.queue.jobs``)."""
    errors: list[type[BaseException]] = [sqlite3.OperationalError]
    try:
        import redis
    except ImportError:  # pragma: no cover - the redis extra is not installed: SQLite only
        return tuple(errors)
    return (*errors, redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)


STORE_ERRORS = store_errors()


class StoreUnavailable(Exception):
    """The store could not be reached while an event was being answered: the worker hands the event
    back (or leaves it to its lease) for a later attempt."""


class LockTimeout(Exception):
    """A store lock could not be taken in time (its holder is slow or died recently)."""


def make_marker(ttl_seconds: float, owner: Optional[str] = None) -> bytes:
    """A stored value that says until when it holds: ``<epoch seconds, fixed width>:<owner>``
    (a fresh random owner unless one is given).

    Fixed width so that SQLite can compare expiries as text when it prunes."""
    return f"{time.time() + ttl_seconds:017.3f}:{owner or uuid.uuid4().hex}".encode()


def _owner_of(value: Optional[bytes]) -> Optional[str]:
    return value.split(b":", 1)[1].decode("utf-8", "replace") if value and b":" in value else None


def expiry_of(value: object) -> Optional[float]:
    """When a marker expires (epoch seconds); None when ``value`` is not a marker."""
    if not isinstance(value, (bytes, bytearray, memoryview)):
        return None
    try:
        return float(bytes(value).split(b":", 1)[0])
    except ValueError:
        return None


def expired(value: object) -> bool:
    expiry = expiry_of(value)
    return expiry is None or expiry <= time.time()


def _bytes(value: object) -> Optional[bytes]:
    if value is EmptyData or value is None:
        return None
    return bytes(value) if isinstance(value, (bytes, bytearray, memoryview)) else str(value).encode("utf-8")


# Redis: set KEYS[1] to ARGV[2] (or delete it when ARGV[2] is empty) only if it holds ARGV[1]
# (or is absent when ARGV[1] is empty); ARGV[3]: a TTL in milliseconds, 0 for none.
_REDIS_CAS = """
local current = redis.call('get', KEYS[1])
if ARGV[1] == '' then
  if current then return 0 end
elseif current ~= ARGV[1] then
  return 0
end
if ARGV[2] == '' then
  redis.call('del', KEYS[1])
elseif tonumber(ARGV[3]) > 0 then
  redis.call('set', KEYS[1], ARGV[2], 'PX', ARGV[3])
else
  redis.call('set', KEYS[1], ARGV[2])
end
return 1
"""


class Store:
    """Small typed helpers over huey's storage: claims, locks, JSON values, and the SQLite
    transactions and reads the event queue (``bot.queue.eventqueue``) is built on."""

    # Expired claims, locks and long-lapsed leases are pruned (SQLite) from claims and finished
    # events, at most every PRUNE_SECONDS per process and a slice at a time: the next PRUNE_ROWS
    # keys of each kind after where the process's last slice stopped. A prune holds the write lock,
    # every acknowledgement and worker of every process waiting, and a week of claims is kept:
    # pruning them all at once held it 15 ms with 60,000 claims and 125-300 ms with 600,000 (a week
    # at one event a second), once a minute; on the load bench's long run (60,000 claims by its
    # end) numbot's answer p99 at 0 ms and 50/s was 26-38 ms in the runs a prune fell in, 10-13 in
    # the others. A slice holds it about a millisecond, and the walk still passes every claim in
    # PRUNE_SECONDS x claims / PRUNE_ROWS (under two hours for a week at ten events a second).
    PRUNE_SECONDS = 1.0
    PRUNE_ROWS = 1000
    def __init__(self, huey: Huey) -> None:
        self.huey = huey
        self._redis = isinstance(huey.storage, RedisExpireStorage)
        conn = huey.storage.conn if self._redis else None
        self._cas_script = conn.register_script(_REDIS_CAS) if conn is not None else None
        self._pruned_at = time.monotonic()
        self._prune_after: dict[str, str] = {}  # kind ("claim:") -> the last key its previous slice looked at

    @property
    def is_redis(self) -> bool:
        return self._redis

    # -- the atomic primitive -------------------------------------------------

    def _cas(self, key: str, expected: Optional[bytes], new: Optional[bytes], ttl: Optional[float] = None,
             durable: bool = True) -> bool:
        """Set ``key`` to ``new`` (delete it when None) if it holds ``expected`` (is absent when
        None); ``ttl``: Redis drops the key after that many seconds. True when it was done.
        ``durable=False``: SQLite need not sync it to disk before returning (see ``SharedSqliteStorage``)."""
        storage = self.huey.storage
        if self._redis:
            assert self._cas_script is not None
            millis = int(ttl * 1000) if ttl else 0
            done = self._cas_script(keys=[storage.result_key(key)],
                                    args=[expected or b"", new or b"", max(0, millis)])
            return bool(done)
        with self.write(durable) as cursor:
            if expected is None and new is None:
                cursor.execute("select 1 from kv where queue = ? and key = ?", (storage.name, key))
                return cursor.fetchone() is None
            if expected is None:
                cursor.execute("insert or ignore into kv (queue, key, value) values (?, ?, ?)",
                               (storage.name, key, new))
            elif new is None:
                cursor.execute("delete from kv where queue = ? and key = ? and value = ?",
                               (storage.name, key, expected))
            else:
                cursor.execute("update kv set value = ? where queue = ? and key = ? and value = ?",
                               (new, storage.name, key, expected))
            return cursor.rowcount == 1

    @contextmanager
    def write(self, durable: bool = True, urgent: bool = False,
               committed: Optional[Callable[[], None]] = None) -> Iterator[sqlite3.Cursor]:
        """A SQLite write transaction; synced to disk before it ends unless ``durable`` is False;
        ``urgent``: ahead of this process's other waiting writers; ``committed``: see
        :meth:`SharedSqliteStorage.db`."""
        storage = self.huey.storage
        assert isinstance(storage, SharedSqliteStorage)  # make_huey's SQLite storage
        with storage.db(commit=True, durable=durable, urgent=urgent, committed=committed) as cursor:
            yield cursor

    def read(self, query: str, params: tuple) -> list[tuple]:
        """SQLite: rows of a read, on this thread's reader connection, taking no lock."""
        return self.huey.storage.sql(query, params, results=True)

    def _get(self, key: str) -> Optional[bytes]:
        return _bytes(self.huey.storage.peek_data(key))

    def _take(self, key: str, ttl_seconds: float, kept_seconds: float = 0.0, durable: bool = True,
              owner: Optional[str] = None) -> Optional[bytes]:
        """Put a fresh marker under ``key`` unless a live one is there (one of another ``owner``,
        when one is given); the marker, or None. ``kept_seconds``: how long after its expiry Redis
        keeps the marker readable."""
        marker = make_marker(ttl_seconds, owner)
        for _ in range(3):
            current = self._get(key)
            if current is not None and not expired(current):
                return current if owner is not None and _owner_of(current) == owner else None
            if self._cas(key, current, marker, ttl_seconds + kept_seconds, durable):
                return marker
        return None  # lost three races in a row: someone else has it

    # -- claims: "this event was handled" ------------------------------------

    def claim(self, key: str, ttl_seconds: float = CLAIM_SECONDS, durable: bool = True,
              owner: Optional[str] = None) -> bool:
        """True the first time ``key`` is claimed within ``ttl_seconds``, by any process sharing
        the store; with ``owner``, also when that owner holds the claim already (an event taken
        again after its worker died claims what it claimed before). ``durable=False``: not synced
        (see ``SharedSqliteStorage``)."""
        claimed = self._take(f"claim:{key}", ttl_seconds, durable=durable, owner=owner) is not None
        self.prune_now_and_then()
        return claimed

    def prune_now_and_then(self) -> None:
        now = time.monotonic()
        if now - self._pruned_at >= self.PRUNE_SECONDS:
            self._pruned_at = now
            self.prune(self.PRUNE_ROWS)

    def unclaim(self, key: str) -> None:
        """Forget a claim (a press answered with an error may be pressed again at once)."""
        self.huey.storage.delete_data(f"claim:{key}")

    def is_claimed(self, key: str) -> bool:
        return not expired(self._get(f"claim:{key}"))

    # -- leases: "a worker is handling this event right now" -------------------

    def _scan(self, prefix: str) -> list[tuple[str, bytes]]:
        """SQLite: the keys with ``prefix`` and their values (Redis lists the journal from its index)."""
        storage = self.huey.storage
        # A key range (``_past``): the sweeper lists the journal every few seconds, and LIKE read
        # every row of the table to do it, a week of claims included (100 ms of CPU at 600,000
        # claims, in each process).
        rows = storage.sql(_PREFIX_SQL, (storage.name, prefix, _past(prefix)), results=True)
        return [(k, bytes(v)) for k, v in rows]

    def prune(self, rows: Optional[int] = None) -> int:
        """Delete expired claims and locks, and leases lapsed for long (SQLite; Redis expires
        them itself). How many went. ``rows``: only among the next ``rows`` keys of each kind after
        where this store's previous slice stopped, starting over once a kind's last key was looked
        at (see ``PRUNE_SECONDS``); None: among all of them."""
        storage = self.huey.storage
        if not isinstance(storage, SqliteStorage):
            return 0
        now = time.time()
        pruned = 0
        with self.write(durable=False) as cursor:
            for prefix, before in (("claim:", now), ("lock:", now), ("lease:", now - LAPSED_LEASE_KEPT_SECONDS)):
                # A key range (``_past``): only that prefix's rows are read; no key is the bare prefix.
                after, end, upto = self._prune_after.get(prefix, prefix) if rows else prefix, _past(prefix), None
                if rows:
                    cursor.execute("select count(*), max(key) from (select key from kv where queue = ? and key > ? "
                                   "and key < ? order by key limit ?)", (storage.name, after, end, rows))
                    seen, upto = cursor.fetchone()
                    self._prune_after[prefix] = upto if upto is not None and seen == rows else prefix  # else: the end
                    if upto is None:
                        continue
                expiry = f"{before:017.3f}"
                lapsed = "substr(cast(value as text), 1, 17) < ?"
                if upto is None:
                    cursor.execute(f"delete from kv where queue = ? and key > ? and key < ? and {lapsed}",
                                   (storage.name, after, end, expiry))
                else:  # the slice: up to and including its last key
                    cursor.execute(f"delete from kv where queue = ? and key > ? and key <= ? and {lapsed}",
                                   (storage.name, after, upto, expiry))
                pruned += cursor.rowcount
        return pruned

    # -- JSON values -------------------------------------------------------------

    def get_json(self, key: str) -> Optional[dict]:
        raw = self._get(f"kv:{key}")
        if raw is None:
            return None
        try:
            value = json.loads(raw)
        except ValueError:
            return None
        return value if isinstance(value, dict) else None

    def put_json(self, key: str, value: dict) -> None:
        self.huey.storage.put_data(f"kv:{key}", json.dumps(value).encode("utf-8"))

    def delete_json(self, key: str) -> None:
        self.huey.storage.delete_data(f"kv:{key}")

    @contextmanager
    def lock(self, name: str, wait_seconds: float = 30.0, ttl_seconds: float = 60) -> Iterator[None]:
        """A lock across threads and processes sharing the store; the TTL frees
        it if its holder dies."""
        key = f"lock:{name}"
        deadline = time.monotonic() + wait_seconds
        while True:
            marker = self._take(key, ttl_seconds, durable=False)  # a lock means nothing after a crash
            if marker is not None:
                break
            if time.monotonic() > deadline:
                raise LockTimeout(f"the store lock {name!r} was not free within {wait_seconds:g}s")
            time.sleep(0.02)
        try:
            yield
        finally:
            self._cas(key, marker, None, durable=False)

    def ping(self) -> bool:
        """Whether the store answers (for /readyz)."""
        self._get("kv:ping")
        return True
