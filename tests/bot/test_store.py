"""The store over a real SQLite file: claims happen once, across processes' Store objects, and
expire; locks exclude each other and free themselves when their holder dies."""
from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from storekit import check_legacy_adoption, check_queue_contract

from bot.queue.store import LockTimeout, Store, make_huey


def open_store(path: Path) -> Store:
    return Store(make_huey(f"sqlite:///{path}"))


def test_a_claim_is_granted_once_also_to_another_store_on_the_same_file(tmp_path: Path) -> None:
    first, second = open_store(tmp_path / "s.db"), open_store(tmp_path / "s.db")
    assert first.claim("messages:A")
    assert not first.claim("messages:A")
    assert not second.claim("messages:A")
    assert second.claim("messages:B")


def test_an_expired_claim_can_be_claimed_again_and_is_pruned(tmp_path: Path) -> None:
    store = open_store(tmp_path / "s.db")
    assert store.claim("old", ttl_seconds=0.05)
    assert store.claim("live", ttl_seconds=3600)
    time.sleep(0.1)
    assert store.prune() == 1
    assert store.claim("old", ttl_seconds=3600)
    assert not store.claim("live")


def test_concurrent_claims_of_one_key_grant_exactly_one(tmp_path: Path) -> None:
    stores = [open_store(tmp_path / "s.db") for _ in range(8)]
    results: list[bool] = []
    barrier = threading.Barrier(len(stores))

    def race(store: Store) -> None:
        barrier.wait()
        results.append(store.claim("messages:same"))

    threads = [threading.Thread(target=race, args=(s,)) for s in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 7 + [True]


def test_a_lock_excludes_others_until_released(tmp_path: Path) -> None:
    first, second = open_store(tmp_path / "s.db"), open_store(tmp_path / "s.db")
    with first.lock("refresh"), pytest.raises(LockTimeout), second.lock("refresh", wait_seconds=0.1):
        pass
    with second.lock("refresh", wait_seconds=0.1):
        pass


def test_a_dead_holders_lock_frees_itself_after_its_ttl(tmp_path: Path) -> None:
    first, second = open_store(tmp_path / "s.db"), open_store(tmp_path / "s.db")
    held = first.lock("refresh", ttl_seconds=0.2)
    held.__enter__()  # never released: its holder "died"
    with second.lock("refresh", wait_seconds=5):
        pass


def test_json_values_round_trip_and_bad_ones_read_as_nothing(tmp_path: Path) -> None:
    store = open_store(tmp_path / "s.db")
    assert store.get_json("token") is None
    store.put_json("token", {"access_token": "x", "expires_at": 1.5})
    assert open_store(tmp_path / "s.db").get_json("token") == {"access_token": "x", "expires_at": 1.5}
    store.huey.storage.put_data("kv:broken", b"not json")
    assert store.get_json("broken") is None


def test_the_event_queue_keeps_its_promises_on_sqlite(tmp_path: Path) -> None:
    check_queue_contract(lambda: open_store(tmp_path / "s.db"))


def test_what_an_older_version_left_unfinished_is_taken_over_on_sqlite(tmp_path: Path) -> None:
    check_legacy_adoption(lambda: open_store(tmp_path / "s.db"))


def test_taking_an_event_reads_the_due_index_not_every_row(tmp_path: Path) -> None:
    """Workers take events many times a second, and finished events leave no rows, but a backlog
    can hold thousands: the take walks the index on (queue, due)."""
    storage = open_store(tmp_path / "s.db").huey.storage
    plan = " ".join(str(row[-1]) for row in storage.sql(
        "explain query plan select key, event, attempts from numbot_event where queue = ? and due <= ? "
        "order by due limit 1", ("numbot", 0.0), results=True))
    assert "numbot_event_due" in plan and "TEMP B-TREE" not in plan


def test_one_sync_covers_the_commits_made_before_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Group commit: a durable write whose commit an earlier-started sync already covered returns
    without a sync of its own; every durable write is still covered by one."""
    import bot.queue.sqlite as sqlite_module

    store = open_store(tmp_path / "s.db")
    storage = store.huey.storage
    store.put_json("warm", {})  # the log exists
    synced: list[int] = []
    real = sqlite_module.datasync

    def counting(fd: int) -> None:
        synced.append(storage._commits)
        time.sleep(0.05)  # a slow disk: the other writers commit while this sync runs
        real(fd)

    monkeypatch.setattr(sqlite_module, "datasync", counting)
    writers = [threading.Thread(target=store.claim, args=(f"messages:{n}",)) for n in range(8)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    assert 1 <= len(synced) < 8
    assert storage._synced == storage._commits  # every commit is on disk


def test_a_log_past_its_limit_is_copied_once_and_cut_to_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past ``MAX_LOG_BYTES`` the checkpoint stops the writers once and empties the log file; the
    next checkpoints are passive again (a log left at its size would stop them twice a second)."""
    import os

    from bot.queue.sqlite import SharedSqliteStorage, autocommit

    monkeypatch.setattr(SharedSqliteStorage, "MAX_LOG_BYTES", 64 * 1024)
    store = open_store(tmp_path / "s.db")
    storage = store.huey.storage
    reader = autocommit(str(tmp_path / "s.db"), 5)
    reader.execute("begin")
    reader.execute("select count(*) from kv").fetchall()  # a reader on the log: passive copies cannot reset it
    for n in range(300):
        store.put_json(f"k{n}", {"n": n, "padding": "x" * 200})
    log = str(tmp_path / "s.db-wal")
    assert os.path.getsize(log) > SharedSqliteStorage.MAX_LOG_BYTES
    reader.execute("commit")
    taken: list[bool] = []
    hold = storage._turn.hold

    def counting_hold(urgent: bool = False):  # the writers' turn, taken by the checkpoint
        taken.append(True)
        return hold(urgent)

    monkeypatch.setattr(storage._turn, "hold", counting_hold)
    conn = autocommit(str(tmp_path / "s.db"), 5)
    storage.checkpoint(conn)
    assert os.path.getsize(log) == 0 and len(taken) == 1
    storage.checkpoint(conn)
    assert len(taken) == 1  # the next one does not stop the writers
    assert store.get_json("k299") == {"n": 299, "padding": "x" * 200}


def test_a_copied_log_of_many_frames_starts_over_and_a_short_one_is_left_alone(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Once a log holds ``RESTART_LOG_FRAMES`` frames and all are copied, the checkpoint stops the
    writers for a RESTART (under load, readers that never stop would keep the log growing); a log
    shorter than that is only copied, the writers going on."""
    from bot.queue.sqlite import SharedSqliteStorage, autocommit

    monkeypatch.setattr(SharedSqliteStorage, "RESTART_LOG_FRAMES", 100)
    store = open_store(tmp_path / "s.db")
    storage = store.huey.storage
    taken: list[bool] = []
    hold = storage._turn.hold

    def counting_hold(urgent: bool = False):  # the writers' turn, taken by the checkpoint
        taken.append(True)
        return hold(urgent)

    conn = autocommit(str(tmp_path / "s.db"), 5)
    for n in range(150):
        store.put_json(f"k{n}", {"n": n})
    monkeypatch.setattr(storage._turn, "hold", counting_hold)
    storage.checkpoint(conn)
    assert len(taken) == 1
    monkeypatch.setattr(storage._turn, "hold", hold)
    store.put_json("after", {"n": -1})  # the first write after the restart: at the log's start
    frames = conn.execute("pragma wal_checkpoint(PASSIVE)").fetchone()[1]
    assert 0 < frames < 100
    monkeypatch.setattr(storage._turn, "hold", counting_hold)
    storage.checkpoint(conn)
    assert len(taken) == 1  # a short log: the writers were not stopped
    assert conn.execute("pragma busy_timeout").fetchone()[0] == 5000  # the connection's own wait again
    assert store.get_json("k149") == {"n": 149} and store.get_json("after") == {"n": -1}


def claim_keys(store: Store) -> set[str]:
    rows = store.huey.storage.sql("select key from kv where key like 'claim:%'", results=True)
    return {key for (key,) in rows}


def test_claims_prune_expired_ones_now_and_then(tmp_path: Path) -> None:
    store = open_store(tmp_path / "s.db")
    store.put_json("claim-like", {"kept": True})  # kv:claim-like, outside the claim: range
    assert store.claim("old", ttl_seconds=0.05)
    time.sleep(0.1)
    store._pruned_at = time.monotonic()
    assert store.claim("new")  # within PRUNE_SECONDS of the last prune: none
    assert claim_keys(store) == {"claim:old", "claim:new"}
    store._pruned_at -= Store.PRUNE_SECONDS
    assert store.claim("one more")  # PRUNE_SECONDS on: this claim prunes the expired one
    assert claim_keys(store) == {"claim:new", "claim:one more"}
    assert store.get_json("claim-like") == {"kept": True}


def test_a_prune_from_a_claim_looks_at_a_slice_and_the_next_one_goes_on_from_there(tmp_path: Path) -> None:
    """However many claims a week left, a prune holds the write lock for a slice of them only,
    and slice after slice the walk passes every claim and starts over."""
    store = open_store(tmp_path / "s.db")
    store.PRUNE_ROWS = 3
    store._pruned_at = float("inf")  # no prune from a claim until the test says so
    for n in range(7):
        assert store.claim(f"e{n}", ttl_seconds=0.05)  # claim:e0 ... claim:e6, all to expire
    assert store.claim("live", ttl_seconds=3600)  # claim:live sorts after them
    store.put_json("claim-like", {"kept": True})
    time.sleep(0.1)
    assert store.prune(store.PRUNE_ROWS) == 3
    assert claim_keys(store) == {"claim:e3", "claim:e4", "claim:e5", "claim:e6", "claim:live"}
    assert store.prune(store.PRUNE_ROWS) == 3
    assert claim_keys(store) == {"claim:e6", "claim:live"}
    assert store.claim("e0", ttl_seconds=0.05)  # behind the walk: the next round finds it
    time.sleep(0.1)
    assert store.prune(store.PRUNE_ROWS) == 1  # e6 and live: the end of the claims, so start over
    assert claim_keys(store) == {"claim:e0", "claim:live"}
    assert store.prune(store.PRUNE_ROWS) == 1
    assert claim_keys(store) == {"claim:live"}
    assert store.get_json("claim-like") == {"kept": True}
    # Claims now prune by slices too (PRUNE_SECONDS on).
    for n in range(5):
        assert store.claim(f"f{n}", ttl_seconds=0.05)
    time.sleep(0.1)
    store._pruned_at = time.monotonic() - Store.PRUNE_SECONDS
    assert store.claim("g", ttl_seconds=3600)
    assert len(claim_keys(store) & {f"claim:f{n}" for n in range(5)}) == 2  # three of five looked at and gone


def test_a_whole_prune_takes_every_expired_claim(tmp_path: Path) -> None:
    store = open_store(tmp_path / "s.db")
    for n in range(5):
        assert store.claim(f"e{n}", ttl_seconds=0.05)
    assert store.claim("live", ttl_seconds=3600)
    time.sleep(0.1)
    assert store.prune() == 5
    assert claim_keys(store) == {"claim:live"}
