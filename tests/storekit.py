"""What the event queue (``bot.queue.eventqueue``) promises, checked the same way on SQLite and on Redis:
the two backends implement each step separately (one transaction; one Lua script each)."""
from __future__ import annotations

import time
from collections.abc import Callable

from bot.queue.eventqueue import HANDLED, PENDING, QUEUED, EventQueue
from bot.queue.store import Store

EVENT = {"data": {"id": "A", "personId": "ALICE"}}
OTHER_COPY = {"data": {"id": "A", "personId": "BOT"}}


def check_queue_contract(open_store: Callable[[], Store]) -> None:
    """Two processes' queues over one store: every promise of the invariant, step by step."""
    first, second = EventQueue(open_store(), 5), EventQueue(open_store(), 5)

    # Acknowledged: ready, once; a re-delivery while it waits is answered by the same record.
    assert first.put("messages:A", EVENT) == QUEUED
    assert second.put("messages:A", EVENT) == PENDING
    assert (second.ready(), second.unfinished()) == (1, 1)

    # Taken: leased to one worker, nobody else takes it, and a re-delivery is still pending.
    taken = first.take()
    assert taken is not None and (taken.key, taken.event, taken.attempt) == ("messages:A", EVENT, 1)
    assert second.take() is None
    assert second.put("messages:A", EVENT) == PENDING
    assert (second.ready(), second.unfinished()) == (0, 1)
    assert first.renew(taken.key, taken.token) and not second.renew(taken.key, "not-the-token")

    # Finished: claimed and gone in one step; a later delivery is dropped as handled.
    first.finish(taken)
    assert second.unfinished() == 0
    assert second.put("messages:A", EVENT) == HANDLED
    assert second.store.is_claimed("messages:A")

    # A worker that dies: its lease lapses and the next take has the event, one attempt on.
    short = EventQueue(first.store, 0.3)
    assert short.put("messages:B", EVENT) == QUEUED
    dead = short.take()
    assert dead is not None and second.take() is None
    time.sleep(0.4)
    again = second.take()
    assert again is not None and (again.key, again.attempt) == ("messages:B", 2)
    # The dead worker's finish (had it lived on, frozen) leaves the record to its new holder.
    short.finish(dead)
    assert second.unfinished() == 1 and not second.renew(dead.key, dead.token)
    second.finish(again)
    assert second.unfinished() == 0

    # Handed back (a process stopping): ready again at once, the attempt counted.
    assert first.put("messages:C", EVENT) == QUEUED
    stopping = first.take()
    assert stopping is not None
    first.release(stopping)
    taken_over = second.take()
    assert taken_over is not None and (taken_over.key, taken_over.attempt) == ("messages:C", 2)
    second.finish(taken_over, claim=False)  # the bot's own event: nothing to claim
    assert second.unfinished() == 0 and not second.store.is_claimed("messages:C")

    # Another copy of an event under the same key while a worker has it: the record takes the new
    # body and is handed back, not removed, when the worker finishes the old one.
    assert first.put("messages:D", OTHER_COPY) == QUEUED
    own = first.take()
    assert own is not None
    assert second.put("messages:D", EVENT) == PENDING
    first.finish(own, claim=False)
    copy = second.take()
    assert copy is not None and copy.event == EVENT
    second.finish(copy)
    assert second.unfinished() == 0

    # A record whose event was answered meanwhile (a claim written by another way) is dropped, not taken.
    assert first.put("messages:E", EVENT) == QUEUED
    assert first.store.claim("messages:E")
    assert second.take() is None and second.unfinished() == 0

    # An expired claim no longer marks the event as handled.
    assert first.put("messages:F", EVENT) == QUEUED
    expiring = first.take()
    assert expiring is not None
    first.finish(expiring, claim_seconds=0.2)
    time.sleep(0.3)
    assert second.put("messages:F", EVENT) == QUEUED


def check_legacy_adoption(open_store: Callable[[], Store]) -> None:
    """What the version before this queue left (journal entries, leases, huey tasks) is taken over:
    each journalled event no live lease holds becomes a ready record; huey's tasks go."""
    import json

    from bot.queue.eventqueue import adopt_legacy
    from bot.queue.store import make_marker

    store = open_store()
    storage = store.huey.storage
    for key in ("messages:OLD", "messages:HELD", "messages:DONE"):
        storage.put_data(f"kv:inflight:{key}", json.dumps({"event": {"data": {"id": key}}, "queued_at": 1.0}).encode())
    storage.put_data("kv:inflight:messages:BROKEN", b"not json")
    assert store._cas("lease:messages:HELD", None, make_marker(60))  # an older instance is on it
    assert store.claim("messages:DONE")  # answered, the journal entry left behind
    storage.enqueue(b"an older version's huey task")
    queue = EventQueue(store, 5)
    assert adopt_legacy(queue) == 1
    taken = queue.take()
    assert taken is not None and taken.event == {"data": {"id": "messages:OLD"}}
    assert queue.take() is None
    assert storage.queue_size() == 0
    assert [name for name, _ in store._scan("kv:inflight:")] == ["kv:inflight:messages:HELD"] if not store.is_redis \
        else storage.conn.exists(storage.result_key("kv:inflight:messages:HELD")) == 1
    assert adopt_legacy(queue) == 0  # nothing more; the held one waits for its lease
