"""The load bench's report over repeated runs: what a row and a ratio say must be what the runs
said, since bench/README.md and the README quote them. Pure functions, no timing."""
from __future__ import annotations

import math
import random

from bench.load import SETUPS, Result, combined, in_turn, offer_seconds, pct, plan, ratios, spread


def samples(p50: float, p99: float) -> list[float]:
    """100 times whose p50 is ``p50`` and p99 ``p99`` (nearest rank)."""
    return [p50] * 50 + [p99] * 50


def result(setup: str, repeat: int, **figures: object) -> Result:
    base: dict = dict(setup=setup, latency=0.0, rate=200.0, deliveries=800, events=720, ack_p50=0.002,
                      ack_p99=0.01, ack_max=0.02, timed_out=0, failed=0, answer_p50=0.006, answer_p99=0.02, never=0,
                      twice=0, replies_per_s=180.0, cpu_ms=4.0, peak_mb=55.0, queue_peak=3, late_ms=0.0,
                      round_trips_per_event=3.0, webex_cpu_ms=2.5)
    base.update(figures)
    base.setdefault("acks", samples(base["ack_p50"], base["ack_p99"]))  # as run_rate records them
    base.setdefault("answers", samples(base["answer_p50"], base["answer_p99"]))
    made = Result(**base)
    made.repeat = repeat
    return made


def test_a_row_takes_its_percentiles_over_every_event_of_its_runs_and_counts_add_up() -> None:
    quick, slow = [0.010] * 100, [0.010] * 95 + [0.050] * 5
    runs = [result("numbot", 0, answers=slow, answer_p99=pct(slow, 99), never=1, queue_peak=5, ack_max=0.03,
                   replies_per_s=170.0),
            result("numbot", 1, answers=quick, answer_p99=0.010, twice=2, queue_peak=9, ack_max=0.05,
                   replies_per_s=190.0),
            result("numbot", 2, answers=quick, answer_p99=0.010, queue_peak=None, ack_max=0.04, replies_per_s=180.0)]
    [row] = combined(runs)
    # The median of the runs' p99s would be 10 ms and leave out the one run with a slow tail; over
    # the 300 events together, five are slow, and the p99 is one of them.
    assert row.answer_p99 == 0.050 and row.answer_p50 == 0.010
    assert row.replies_per_s == 180.0  # a rate: the middle run
    assert (row.never, row.twice, row.deliveries) == (1, 2, 2400)  # a lost event never hides in a median
    assert row.queue_peak == 9 and row.ack_max == 0.05


def test_one_run_is_reported_as_it_was() -> None:
    run = result("usual", 0, answer_p99=0.5, timed_out=4, disabled_at=2.5, lost_after_disable=7)
    [row] = combined([run])
    assert row == run


def test_a_ratio_is_the_rows_with_the_range_of_each_runs_own() -> None:
    results = [result("numbot", 0, answer_p99=0.010, replies_per_s=180.0), result("usual", 0, answer_p99=0.020),
               result("numbot", 1, answer_p99=0.040, replies_per_s=90.0), result("usual", 1, answer_p99=0.020),
               result("numbot", 2, answer_p99=0.010, replies_per_s=360.0), result("usual", 2, answer_p99=0.015)]
    text = ratios(results)
    # Each run's own answer ratio is 2.0, 0.5 and 1.5; over every event together numbot's p99 is its
    # slow run's 40 ms against the usual pattern's 20: 0.5x, not the 1.5x of the middle run.
    assert "| 0.5x (0.5-2.0x) |" in text
    assert "| 1.0x (0.5-2.0x) |" in text  # replies per second: the middle run's own ratio


def test_spread_leaves_out_what_could_not_be_measured() -> None:
    assert spread([math.nan]) == "-"
    assert spread([2.0]) == "2.0x"
    assert spread([1.0, math.nan, 3.0], 0) == "2x (1-3x)"


def test_each_setup_goes_first_once_at_every_rate_over_as_many_repeats() -> None:
    setups = list(SETUPS)
    for turn_of_rate in range(4):
        firsts = [in_turn(setups, repeat + turn_of_rate)[0] for repeat in range(len(setups))]
        assert sorted(firsts) == sorted(setups)
    assert all(sorted(in_turn(setups, turn)) == sorted(setups) for turn in range(5))  # nobody skipped
    assert in_turn([], 3) == []


def test_rows_keep_the_order_the_rates_ran_whoever_went_first() -> None:
    runs = [result("usual", 0, rate=100.0), result("numbot", 0, rate=100.0), result("numbot", 0, rate=50.0),
            result("usual", 0, rate=50.0)]
    assert [(r.rate, r.setup) for r in combined(runs)] == [
        (100.0, "numbot"), (100.0, "usual"), (50.0, "numbot"), (50.0, "usual")]


def test_a_low_rate_is_offered_until_it_has_enough_deliveries_for_a_p99() -> None:
    assert offer_seconds(50, 4.0, 400) == 8.0
    assert offer_seconds(400, 4.0, 400) == 4.0  # a high rate: the duration already gives more
    assert offer_seconds(50, 4.0, 0) == 4.0  # --quick
    slots, _ = plan(50, offer_seconds(50, 4.0, 400), 0.1, 1, random.Random(1))
    assert len(slots) == 400
