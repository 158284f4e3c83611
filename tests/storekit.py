"""What ``Store.start`` and ``Store.finish`` promise, checked the same way on SQLite and on Redis:
the two backends implement them separately (one transaction; one Lua script each)."""
from __future__ import annotations

import time
from typing import Callable

from bot.store import HANDLED, HELD, Store


def check_start_and_finish(open_store: Callable[[], Store]) -> None:
    first, second = open_store(), open_store()  # two processes' workers sharing the store
    event, other = {"data": {"id": "A", "personId": "ALICE"}}, {"data": {"id": "A", "personId": "BOT"}}

    first.put_inflight("messages:A", event)
    token = first.start("messages:A", 5)
    assert isinstance(token, bytes)
    assert second.start("messages:A", 5) == HELD
    assert second.lease_held("messages:A")

    first.finish("messages:A", token, event)
    assert not second.lease_held("messages:A")
    assert second.is_claimed("messages:A")
    assert second.inflight() == []
    assert second.start("messages:A", 5) == HANDLED

    # A journal entry written by another event under the same key stays (``drop_inflight``'s rule).
    first.put_inflight("messages:B", other)
    token = first.start("messages:B", 5)
    assert isinstance(token, bytes)
    first.finish("messages:B", token, event)
    assert [entry.key for entry in second.inflight()] == ["messages:B"]

    # A lease that lapsed and went to another worker is not released by the first one's finish.
    lapsing = first.start("messages:C", 0.2)
    assert isinstance(lapsing, bytes)
    time.sleep(0.3)
    taken = second.start("messages:C", 5)
    assert isinstance(taken, bytes)
    first.finish("messages:C", lapsing)
    assert second.lease_held("messages:C") and second.is_claimed("messages:C")

    # An expired claim no longer marks the event as handled; finish writes a fresh one.
    lapsing = first.start("messages:D", 5)
    assert isinstance(lapsing, bytes)
    first.finish("messages:D", lapsing, claim_seconds=0.2)
    time.sleep(0.3)
    again = second.start("messages:D", 5)
    assert isinstance(again, bytes)
    second.finish("messages:D", again)
    assert second.is_claimed("messages:D")
