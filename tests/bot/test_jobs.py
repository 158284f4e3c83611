"""The workers' rules around the queue, with a real SQLite store and no Webex: an event is
finished only after its handler returns, a lease kept alive outlasts its TTL, an event whose
worker died is taken again with its attempt counted, and a stopping process hands back what it
could not finish for the next one to take at once."""
from __future__ import annotations

import threading
import time
from pathlib import Path

from bot.queue.eventqueue import EventQueue
from bot.queue.jobs import Jobs
from bot.queue.leases import LeaseKeeper
from bot.queue.store import Store, make_huey


def queue_at(path: Path, lease_seconds: float = 20) -> EventQueue:
    return EventQueue(Store(make_huey(f"sqlite:///{path}")), lease_seconds)


def wait_until(check, timeout: float = 5.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.01)
    return False


def test_an_event_is_finished_and_claimed_only_once_its_handler_returned(tmp_path: Path) -> None:
    queue = queue_at(tmp_path / "q.db")
    inside, go_on = threading.Event(), threading.Event()
    seen: list[tuple[dict, int]] = []

    def handler(event: dict, attempt: int) -> bool:
        seen.append((event, attempt))
        inside.set()
        go_on.wait(5)
        return True

    jobs = Jobs(queue, handler)
    jobs.start_workers(2)
    try:
        jobs.submit({"n": 1}, "messages:A")
        assert inside.wait(5)
        assert jobs.unfinished() == 1 and jobs.pending() == 0 and not queue.store.is_claimed("messages:A")
        go_on.set()
        assert wait_until(lambda: jobs.unfinished() == 0)
        assert queue.store.is_claimed("messages:A") and seen == [({"n": 1}, 1)]
    finally:
        go_on.set()
        jobs.stop_workers()


def test_an_event_the_handler_does_not_count_as_answered_is_removed_without_a_claim(tmp_path: Path) -> None:
    queue = queue_at(tmp_path / "q.db")
    jobs = Jobs(queue, lambda event, attempt: False)  # the bot's own message, say
    jobs.start_workers(1)
    try:
        jobs.submit({"n": 1}, "messages:A")
        assert wait_until(lambda: jobs.unfinished() == 0)
        assert not queue.store.is_claimed("messages:A")
    finally:
        jobs.stop_workers()


def test_a_lease_kept_alive_outlasts_its_ttl(tmp_path: Path) -> None:
    queue = queue_at(tmp_path / "q.db", lease_seconds=0.3)
    other = queue_at(tmp_path / "q.db", lease_seconds=0.3)  # another process's workers
    keeper = LeaseKeeper(queue)
    queue.put("messages:A", {"n": 1})
    taken = queue.take()
    assert taken is not None
    keeper.hold(taken)
    time.sleep(0.8)  # well past the TTL: the keeper renewed it
    assert other.take() is None
    assert keeper.let_go(taken)
    time.sleep(0.4)  # no longer renewed: it lapses, and another worker takes it, one attempt on
    again = other.take()
    assert again is not None and again.attempt == 2


def test_an_event_whose_worker_died_is_answered_by_another_process_after_its_lease(tmp_path: Path) -> None:
    dead = queue_at(tmp_path / "q.db", lease_seconds=0.5)
    dead.put("messages:A", {"n": 1})
    assert dead.take() is not None  # ... and its process died holding the lease
    seen: list[int] = []
    jobs = Jobs(queue_at(tmp_path / "q.db", lease_seconds=0.5), lambda event, attempt: seen.append(attempt) or True)
    jobs.start_workers(2)
    try:
        assert wait_until(lambda: jobs.unfinished() == 0)
        assert seen == [2]
    finally:
        jobs.stop_workers()


def test_a_stopping_process_hands_back_the_events_it_could_not_finish(tmp_path: Path) -> None:
    queue = queue_at(tmp_path / "q.db")
    inside, stop_waiting = threading.Event(), threading.Event()

    def slow(event: dict, attempt: int) -> bool:
        inside.set()
        stop_waiting.wait(10)
        return True

    stopping = Jobs(queue, slow)
    stopping.start_workers(1)
    stopping.submit({"n": 1}, "messages:A")
    assert inside.wait(5)
    started = time.monotonic()
    stopping.stop_workers(drain_seconds=0.3)
    assert time.monotonic() - started < 2
    seen: list[int] = []
    nxt = Jobs(queue_at(tmp_path / "q.db"), lambda event, attempt: seen.append(attempt) or True)
    nxt.start_workers(1)
    try:
        assert wait_until(lambda: seen == [2], timeout=3)  # at once, not after the 20 s lease
        stop_waiting.set()  # the old worker's thread comes back: it must not finish the event
        assert wait_until(lambda: nxt.unfinished() == 0)
        assert queue.store.is_claimed("messages:A")
    finally:
        stop_waiting.set()
        nxt.stop_workers()
