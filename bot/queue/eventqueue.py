"""The durable queue of acknowledged events: one record per event, taken under a lease.

Why not huey's own queue: huey removes a job the moment a worker takes it (``delete from task``
on SQLite, ``BRPOP`` on Redis) and has no acknowledgement, so a process that dies between taking
a job and finishing it loses the event unless something else remembers it. numbot used to add
that something beside huey's queue (a journal entry, a lease and a sweeper that re-queued), and
the windows between those separate writes lost a few events in each few hundred when an instance
was killed: a job taken and its lease not yet written, a re-queued event whose lapsed lease the
sweeper then skipped, a re-delivery dropped because the journal still held an event nobody had.

This queue is the visibility-timeout design of Amazon SQS, on the store numbot already has (huey's
SQLite file or its Redis connection), the same on both backends:

- the webhook writes an event's record once (``put``): it is then **ready**;
- a worker takes the ready record that has waited longest and, in the same atomic step, makes it
  **leased**: its time is moved a lease ahead and the worker's token written (``take``); the
  process's lease keeper renews it while the worker works (``renew``);
- when the worker is done, the event's claim ("handled") is written and its record removed in
  one step (``finish``); a process that stops gracefully hands back what it could not finish
  (``release``), and it is ready again at once;
- a worker that dies renews nothing: the record's time comes when its lease lapses, it is ready
  again, and the next take takes it, with its attempt counted (``Taken.attempt``), so that the
  handler looks for a reply the dead worker may have posted before posting one.

**Invariant.** Each of those steps is one SQLite transaction or one Redis Lua script, so a
``SIGKILL`` lands before or after it, never inside. An acknowledged event is therefore, at every
moment, in exactly one of: *ready* (a record whose time has come: the next take takes it),
*leased by a live worker* (a record taken or renewed less than a lease ago), or *finished* (its
claim written, its record gone). A lease that lapses makes its record ready with no further write,
so there is no sweeper to miss it; a re-delivery is dropped only when the event's record exists
(ready or leased: answered by it) or its claim does (finished).

What is not covered by construction (README, "What is guaranteed"): a worker that stalls longer
than its lease without renewing (a frozen process) may see its event taken by another worker too;
and a worker killed after Webex created its reply and before ``finish`` leaves the next attempt to
find that reply, which a bot can do in a 1:1 space but not in a group space (``bot.conversation.events``).

Time: Redis scripts read the Redis server's clock (``TIME``), so instances whose clocks differ
still agree on when a lease lapses; SQLite's processes share one machine and its clock. Claims keep
the store's marker format (``bot.queue.store``).
"""
from __future__ import annotations

import json
import sqlite3
import time
import uuid
from collections.abc import Callable
from typing import Any, NamedTuple, Optional

from bot.queue.store import CLAIM_SECONDS, Store, expired, make_marker

# What ``put`` did with an event.
QUEUED = "queued"  # a new record, ready
PENDING = "pending"  # its record exists (ready or leased): that record answers it
HANDLED = "handled"  # its claim is live: it was answered already

TAKE_TRIES = 10  # records of handled events a take removes before it gives up for this time

class Taken(NamedTuple):
    """An event a worker took: hand ``key`` and ``token`` back to ``renew``, ``finish`` or ``release``."""

    key: str
    event: dict
    raw: str  # the record's event as stored: ``finish`` removes the record only if it still holds it
    token: str
    attempt: int  # 1 the first time; more once a worker took it and did not finish it


def encode(event: dict) -> str:
    """One spelling per event, so that a re-delivery of the same body compares equal."""
    return json.dumps(event, sort_keys=True, separators=(",", ":"))


class EventQueue:
    """The queue over a :class:`Store`'s backend (``bot.queue.store.make_huey``)."""

    def __init__(self, store: Store, lease_seconds: float) -> None:
        self.store = store
        self.lease_seconds = lease_seconds
        self._redis = store.is_redis
        self._name = store.huey.storage.name
        if self._redis:
            conn = store.huey.storage.conn
            prefix = f"numbot.{self._name}."
            # A hash of the events, a sorted set of when each may be taken (ms, the server's clock),
            # and hashes of each leased record's token and of its attempts.
            self._keys = [prefix + "events", prefix + "due", prefix + "owner", prefix + "attempts"]
            self._claims = store.huey.storage.result_key("claim:")  # claim markers: ``Store.claim``
            self._scripts = {name: conn.register_script(_LUA_TIME + _LUA_LIVE + body)
                             for name, body in _REDIS_SCRIPTS.items()}

    # -- the webhook -------------------------------------------------------------

    def put(self, key: str, event: dict, queued: Optional[Callable[[], None]] = None) -> str:
        """Store an acknowledged event under its dedupe ``key``: ``QUEUED``, ``PENDING`` (its
        record exists: it answers this delivery too) or ``HANDLED`` (answered already). Once this
        returns, the event will be answered. ``queued`` is called as soon as a worker can take a
        new record, before SQLite's sync: the answer does not wait for the disk, the
        acknowledgement does.

        A different body under an existing record's key (a copy of a message that claims another
        sender, say) replaces the record's body and keeps its lease: the event is read from Webex
        by its id either way, and the worker holding it hands the record back instead of removing it
        (``finish``), so the new body is looked at too."""
        raw = encode(event)
        if self._redis:
            said = int(self._script("put", [*self._keys[:2], self._claims + key.encode("utf-8")],
                                    [key, raw, repr(time.time())]))
            if said == 0 and queued is not None:
                queued()
            return (QUEUED, PENDING, HANDLED)[said]
        name = self._name
        with self.store.write(urgent=True, committed=queued) as cursor:
            # Inside the write: one transaction, no read before it.
            cursor.execute("select value from kv where queue = ? and key = ?", (name, f"claim:{key}"))
            claim = cursor.fetchone()
            if claim is not None and not expired(claim[0]):
                return HANDLED  # nothing written: no sync, nothing to wake
            cursor.execute("select event from numbot_event where queue = ? and key = ?", (name, key))
            found = cursor.fetchone()
            if found is not None:
                if found[0] != raw:
                    cursor.execute("update numbot_event set event = ? where queue = ? and key = ?", (raw, name, key))
                return PENDING
            cursor.execute("insert into numbot_event (queue, key, event, due, token, attempts) "
                           "values (?, ?, ?, ?, null, 0)", (name, key, raw, time.time()))
        return QUEUED

    # -- the workers ---------------------------------------------------------------

    def take(self) -> Optional[Taken]:
        """The ready record that has waited longest, leased to the caller; None when none is
        ready. A record whose event was answered meanwhile is removed instead of taken."""
        token = uuid.uuid4().hex
        if self._redis:
            found = self._script("take", self._keys, [int(self.lease_seconds * 1000), token, self._claims,
                                                      repr(time.time()), TAKE_TRIES])
            if not found:
                return None
            key, raw, attempts = found
            return self._taken(_text(key), _text(raw), token, int(attempts))
        if not self.has_ready():  # a read, no lock: an idle worker looks without writing
            return None
        name = self._name
        # Not synced: a take lost with a machine crash leaves the record ready, as it was.
        with self.store.write(durable=False) as cursor:
            for _ in range(TAKE_TRIES):
                now = time.time()
                cursor.execute("select key, event, attempts from numbot_event where queue = ? and due <= ? "
                               "order by due limit 1", (name, now))
                row = cursor.fetchone()
                if row is None:
                    return None
                key, raw, attempts = row
                cursor.execute("select value from kv where queue = ? and key = ?", (name, f"claim:{key}"))
                claim = cursor.fetchone()
                if claim is not None and not expired(claim[0]):
                    cursor.execute("delete from numbot_event where queue = ? and key = ?", (name, key))
                    continue
                cursor.execute("update numbot_event set due = ?, token = ?, attempts = ? where queue = ? and key = ?",
                               (now + self.lease_seconds, token, attempts + 1, name, key))
                return self._taken(key, raw, token, attempts + 1)
        return None

    def _taken(self, key: str, raw: str, token: str, attempt: int) -> Taken:
        try:
            event = json.loads(raw)
        except ValueError:
            event = {}
        return Taken(key, event if isinstance(event, dict) else {}, raw, token, attempt)

    def renew(self, key: str, token: str) -> bool:
        """Move a lease we hold a lease ahead; False when it is no longer ours."""
        if self._redis:
            return bool(self._script("renew", self._keys[1:3], [key, token, int(self.lease_seconds * 1000)]))
        with self.store.write(durable=False) as cursor:
            cursor.execute("update numbot_event set due = ? where queue = ? and key = ? and token = ?",
                           (time.time() + self.lease_seconds, self._name, key, token))
            return cursor.rowcount == 1

    def finish(self, taken: Taken, claim: bool = True, claim_seconds: float = CLAIM_SECONDS) -> None:
        """The worker is done with ``taken``: write the event's claim (``claim``, unless a live one
        is there) and remove its record, in one step. The record stays if the lease is no longer
        ours (another worker took it after ours lapsed); it is handed back, ready, if its body
        changed meanwhile (``put``). Not synced (SQLite): like every write it survives the death
        of any process; a machine that crashes before the next sync (the next acknowledgement's,
        or the checkpoint's within half a second) may answer the event again."""
        marker = make_marker(claim_seconds) if claim else b""
        if self._redis:
            self._script("finish", [*self._keys, self._claims + taken.key.encode("utf-8")],
                         [taken.key, taken.token, taken.raw, marker, int(claim_seconds * 1000), repr(time.time())])
            return
        name = self._name
        with self.store.write(durable=False) as cursor:
            if claim:
                cursor.execute("select value from kv where queue = ? and key = ?", (name, f"claim:{taken.key}"))
                found = cursor.fetchone()
                if found is None or expired(found[0]):
                    cursor.execute("insert or replace into kv (queue, key, value) values (?, ?, ?)",
                                   (name, f"claim:{taken.key}", marker))
            cursor.execute("delete from numbot_event where queue = ? and key = ? and token = ? and event = ?",
                           (name, taken.key, taken.token, taken.raw))
            if cursor.rowcount == 0:
                self._hand_back(cursor, taken)
        self.store.prune_now_and_then()

    def release(self, taken: Taken) -> None:
        """Hand back a record we hold, ready at once (a process stopping before its worker is done)."""
        if self._redis:
            self._script("release", self._keys[1:3], [taken.key, taken.token])
            return
        with self.store.write() as cursor:
            self._hand_back(cursor, taken)

    def _hand_back(self, cursor: sqlite3.Cursor, taken: Taken) -> None:
        cursor.execute("update numbot_event set due = ?, token = null where queue = ? and key = ? and token = ?",
                       (time.time(), self._name, taken.key, taken.token))

    # -- looking at it -------------------------------------------------------------------

    def has_ready(self) -> bool:
        """Whether a record is ready: a read, no lock."""
        return self.ready() > 0 if self._redis else bool(self.store.read(
            "select 1 from numbot_event where queue = ? and due <= ? limit 1", (self._name, time.time())))

    def ready(self) -> int:
        """How many events wait for a worker."""
        if self._redis:
            return int(self._script("count", self._keys[1:2], []))
        rows = self.store.read("select count(*) from numbot_event where queue = ? and due <= ?",
                               (self._name, time.time()))
        return int(rows[0][0])

    def oldest_ready_age(self) -> Optional[float]:
        """Seconds the ready record that has waited longest has waited (since it was queued, handed
        back or its lease lapsed); None when none is ready. Redis: by the Redis server's clock."""
        if self._redis:
            waited = self._script("oldest", self._keys[1:2], [])
            return None if waited is None else max(0.0, int(waited) / 1000)
        now = time.time()
        due = self.store.read("select min(due) from numbot_event where queue = ? and due <= ?", (self._name, now))
        return None if due[0][0] is None else max(0.0, now - float(due[0][0]))

    def unfinished(self) -> int:
        """How many acknowledged events are not finished: ready or leased."""
        if self._redis:
            return int(self.store.huey.storage.conn.zcard(self._keys[1]))
        return int(self.store.read("select count(*) from numbot_event where queue = ?", (self._name,))[0][0])

    def _script(self, name: str, keys: list, args: list) -> Any:
        return self._scripts[name](keys=keys, args=args)


def _text(value: object) -> str:
    return value.decode("utf-8") if isinstance(value, (bytes, bytearray)) else str(value)


# -- Redis -----------------------------------------------------------------------------------
# Each script runs atomically (Redis runs one script at a time, and a script's writes reach the
# append-only file together). They read and write a claim key derived from the event's key, not
# passed in KEYS: fine on one Redis server, which is what numbot supports (not Redis Cluster).

# The server's clock in milliseconds. Redis 7 replicates a script's effects, so TIME may be
# followed by writes; older servers need replicate_commands() first (Redis docs, "Scripting with Lua").
_LUA_TIME = """
if redis.replicate_commands then pcall(redis.replicate_commands) end
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
"""

# Whether a claim marker ``<expiry epoch seconds>:<owner>`` is live at ``now`` (client seconds,
# as ``bot.queue.store`` writes and reads claims).
_LUA_LIVE = """
local function live(value, now)
  if not value then return false end
  local expiry = tonumber(string.match(value, '^([^:]*)'))
  return expiry ~= nil and expiry > tonumber(now)
end
"""

_REDIS_SCRIPTS = {
    # KEYS events, due, the claim; ARGV key, event, now. 0 queued, 1 pending, 2 handled.
    "put": """
if live(redis.call('get', KEYS[3]), ARGV[3]) then return 2 end
local found = redis.call('hget', KEYS[1], ARGV[1])
if found then
  if found ~= ARGV[2] then redis.call('hset', KEYS[1], ARGV[1], ARGV[2]) end
  return 1
end
redis.call('hset', KEYS[1], ARGV[1], ARGV[2])
redis.call('zadd', KEYS[2], now_ms(), ARGV[1])
return 0
""",
    # KEYS events, due, owner, attempts; ARGV lease ms, token, claim prefix, now, tries.
    # {key, event, attempt}, or nil when nothing is ready.
    "take": """
local now = now_ms()
for i = 1, tonumber(ARGV[5]) do
  local first = redis.call('zrangebyscore', KEYS[2], '-inf', now, 'LIMIT', 0, 1)
  if #first == 0 then return false end
  local key = first[1]
  local event = redis.call('hget', KEYS[1], key)
  if event and not live(redis.call('get', ARGV[3] .. key), ARGV[4]) then
    redis.call('zadd', KEYS[2], now + tonumber(ARGV[1]), key)
    redis.call('hset', KEYS[3], key, ARGV[2])
    return {key, event, redis.call('hincrby', KEYS[4], key, 1)}
  end
  redis.call('zrem', KEYS[2], key)
  redis.call('hdel', KEYS[1], key)
  redis.call('hdel', KEYS[3], key)
  redis.call('hdel', KEYS[4], key)
end
return false
""",
    # KEYS due, owner; ARGV key, token, lease ms. 1 renewed, 0 not ours.
    "renew": """
if redis.call('hget', KEYS[2], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('zadd', KEYS[1], 'XX', now_ms() + tonumber(ARGV[3]), ARGV[1])
return 1
""",
    # KEYS events, due, owner, attempts, the claim; ARGV key, token, event, claim marker ('' for
    # none), its TTL ms, now. 1 removed, 2 handed back (its body changed), 0 not ours.
    "finish": """
if ARGV[4] ~= '' and not live(redis.call('get', KEYS[5]), ARGV[6]) then
  redis.call('set', KEYS[5], ARGV[4], 'PX', ARGV[5])
end
if redis.call('hget', KEYS[3], ARGV[1]) ~= ARGV[2] then return 0 end
if redis.call('hget', KEYS[1], ARGV[1]) == ARGV[3] then
  redis.call('hdel', KEYS[1], ARGV[1])
  redis.call('zrem', KEYS[2], ARGV[1])
  redis.call('hdel', KEYS[3], ARGV[1])
  redis.call('hdel', KEYS[4], ARGV[1])
  return 1
end
redis.call('zadd', KEYS[2], now_ms(), ARGV[1])
redis.call('hdel', KEYS[3], ARGV[1])
return 2
""",
    # KEYS due, owner; ARGV key, token. 1 handed back, 0 not ours.
    "release": """
if redis.call('hget', KEYS[2], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('zadd', KEYS[1], now_ms(), ARGV[1])
redis.call('hdel', KEYS[2], ARGV[1])
return 1
""",
    # KEYS due. How many records are ready.
    "count": """
return redis.call('zcount', KEYS[1], '-inf', now_ms())
""",
    # KEYS due. How many ms the longest-waiting ready record has waited; nil when none is ready.
    "oldest": """
local now = now_ms()
local first = redis.call('zrangebyscore', KEYS[1], '-inf', now, 'WITHSCORES', 'LIMIT', 0, 1)
if #first == 0 then return false end
return now - tonumber(first[2])
""",
}


# -- from the version before this queue ------------------------------------------------------
# It journalled each event under ``kv:inflight:<key>`` (Redis: with an index set of the names),
# queued a huey task beside it and leased ``lease:<key>`` while a worker had it.
LEGACY_JOURNAL = "kv:inflight:"
LEGACY_INDEX = "kv:inflight-index"


def adopt_legacy(queue: EventQueue) -> int:
    """Move what an older version left unfinished into this queue: each journalled event that no
    live lease holds (an older instance still running holds the others), and drop its huey tasks,
    whose events the journal has. How many events were moved. Cheap when there is nothing: a key
    range (SQLite) or one SCAN (Redis, run at start and every ``Jobs.ADOPT_SECONDS``)."""
    store = queue.store
    storage = store.huey.storage
    if store.is_redis:
        cut = len(storage.result_key(""))
        names = [key[cut:].decode("utf-8")
                 for key in storage.conn.scan_iter(match=storage.result_key(LEGACY_JOURNAL) + b"*", count=1000)]
        values = storage.conn.mget([storage.result_key(n) for n in names]) if names else []
        entries = list(zip(names, values, strict=True))
    else:
        entries = store._scan(LEGACY_JOURNAL)
    moved = 0
    for name, raw in entries:
        key = name[len(LEGACY_JOURNAL):]
        if raw is not None and not expired(store._get(f"lease:{key}")):
            continue
        try:
            event = json.loads(raw)["event"] if raw is not None else None
        except (ValueError, KeyError, TypeError):
            event = None
        if isinstance(event, dict):
            moved += queue.put(key, event) == QUEUED
        if store.is_redis:
            pipe = storage.conn.pipeline(transaction=True)
            pipe.delete(storage.result_key(name))
            pipe.srem(storage.result_key(LEGACY_INDEX), name)
            pipe.execute()
        else:
            storage.delete_data(name)
    if store.is_redis:
        storage.conn.delete(storage.queue_key)
    else:
        with store.write(durable=False) as cursor:
            cursor.execute("delete from task where queue = ?", (queue._name,))
    return moved
