"""The queue's recovery rules, with a real SQLite store and no Webex: an event whose worker died
(its lease lapsed after it was queued) goes back into the queue at once; an event still waiting in
the queue does not, until the safety period passes; a kept-alive lease is never taken over."""
from __future__ import annotations

import time
from pathlib import Path

from bot.jobs import Jobs
from bot.leases import LeaseKeeper
from bot.store import HANDLED, HELD, Store, make_huey


def queue(tmp_path: Path, recover_after: float = 300) -> tuple[Store, Jobs, list[dict]]:
    store = Store(make_huey(f"sqlite:///{tmp_path / 'q.db'}"))
    handled: list[dict] = []
    return store, Jobs(store, handled.append, recover_after=recover_after), handled


def test_an_event_still_waiting_in_the_queue_is_not_queued_again(tmp_path: Path) -> None:
    store, jobs, _ = queue(tmp_path)
    jobs.submit({"n": 1}, "messages:A")
    assert jobs.recover() == 0
    assert jobs.pending() == 1


def test_an_event_whose_worker_died_is_queued_again_once_its_lease_lapsed(tmp_path: Path) -> None:
    store, jobs, _ = queue(tmp_path)
    jobs.submit({"n": 1}, "messages:A")
    store.huey.dequeue()  # a worker took it ...
    store.lease("messages:A", 0.1)  # ... and died holding its lease
    assert jobs.recover() == 0  # the lease is still live
    time.sleep(0.15)
    assert jobs.recover() == 1
    assert jobs.pending() == 1
    assert jobs.recover() == 0  # queued again after the lapse: waits for a worker, not queued twice


def test_an_event_nobody_started_is_queued_again_after_the_safety_period(tmp_path: Path) -> None:
    store, jobs, _ = queue(tmp_path, recover_after=0.1)
    jobs.submit({"n": 1}, "messages:A")
    store.huey.dequeue()  # taken from the queue by a process that died before leasing it
    time.sleep(0.15)
    assert jobs.recover() == 1


def test_a_handled_event_left_in_the_journal_is_dropped(tmp_path: Path) -> None:
    store, jobs, _ = queue(tmp_path)
    jobs.submit({"n": 1}, "messages:A")
    store.claim("messages:A")
    assert jobs.recover() == 0
    assert store.inflight() == []


def test_a_lease_kept_alive_outlasts_its_ttl_and_is_released_at_the_end(tmp_path: Path) -> None:
    store, jobs, _ = queue(tmp_path)
    keeper = LeaseKeeper(store, ttl_seconds=0.3)
    jobs.submit({"n": 1}, "messages:A")
    store.huey.dequeue()
    token = keeper.start("messages:A")
    assert isinstance(token, bytes)
    time.sleep(0.8)  # well past the TTL: the keeper renewed it
    assert store.lease_held("messages:A")
    assert jobs.recover() == 0
    assert keeper.start("messages:A") == HELD
    keeper.finish("messages:A", {"n": 1})
    assert not store.lease_held("messages:A")
    # Finished: claimed and out of the journal, in the same write; another start finds it handled.
    assert store.is_claimed("messages:A") and store.inflight() == []
    assert keeper.start("messages:A") == HANDLED
