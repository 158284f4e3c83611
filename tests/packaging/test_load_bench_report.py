"""The load bench's report over repeated runs: what a row and a ratio say must be what the runs
said, since bench/README.md and the README quote them. Pure functions, no timing."""
from __future__ import annotations

import math
import random

from bench.load import SETUPS, Result, combined, in_turn, offer_seconds, plan, ratios, spread


def result(setup: str, repeat: int, **figures: float) -> Result:
    base = dict(setup=setup, latency=0.0, rate=200.0, deliveries=800, events=720, ack_p50=0.002, ack_p99=0.01,
                ack_max=0.02, timed_out=0, failed=0, answer_p50=0.006, answer_p99=0.02, never=0, twice=0,
                replies_per_s=180.0, cpu_ms=4.0, peak_mb=55.0, queue_peak=3, late_ms=0.0,
                round_trips_per_event=3.0, webex_cpu_ms=2.5)
    base.update(figures)
    made = Result(**base)  # type: ignore[arg-type]
    made.repeat = repeat
    return made


def test_a_row_is_the_median_run_and_counts_add_up() -> None:
    runs = [result("numbot", 0, answer_p99=0.010, never=1, twice=0, queue_peak=5, ack_max=0.03),
            result("numbot", 1, answer_p99=0.030, never=0, twice=2, queue_peak=9, ack_max=0.05),
            result("numbot", 2, answer_p99=0.020, never=0, twice=0, queue_peak=None, ack_max=0.04)]
    [row] = combined(runs)
    assert row.answer_p99 == 0.020  # the middle run, not the best or the worst
    assert (row.never, row.twice, row.deliveries) == (1, 2, 2400)  # a lost event never hides in a median
    assert row.queue_peak == 9 and row.ack_max == 0.05


def test_one_run_is_reported_as_it_was() -> None:
    run = result("usual", 0, answer_p99=0.5, timed_out=4, disabled_at=2.5, lost_after_disable=7)
    [row] = combined([run])
    assert row == run


def test_ratios_pair_each_run_with_the_usual_pattern_of_the_same_run() -> None:
    results = [result("numbot", 0, answer_p99=0.010), result("usual", 0, answer_p99=0.020),
               result("numbot", 1, answer_p99=0.040), result("usual", 1, answer_p99=0.020),
               result("numbot", 2, answer_p99=0.010), result("usual", 2, answer_p99=0.015)]
    text = ratios(results)
    # The runs' own ratios are 2.0, 0.5 and 1.5: the median and the range, not a ratio of medians.
    assert "| 1.5x (0.5-2.0x) |" in text


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
