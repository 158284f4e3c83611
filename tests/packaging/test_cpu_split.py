"""``./run bench load --cpu-split``: each part's CPU is its own, the parts it names exist, and the
figures per event are differences between two reads. A clock of our own: no timing."""
from __future__ import annotations

import importlib
import json
from collections import Counter
from pathlib import Path

import pytest

from bench import cpusplit


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_part_counts_its_own_cpu_not_that_of_the_parts_it_calls() -> None:
    clock = Clock()
    split = cpusplit.Split(clock)

    def inner() -> None:
        clock.now += 3.0

    wrapped_inner = split.wrap(inner, "inner")

    def outer() -> str:
        clock.now += 1.0
        wrapped_inner()
        wrapped_inner()
        clock.now += 0.5
        return "done"

    assert split.wrap(outer, "outer")() == "done"
    assert split.seconds == Counter({"outer": 1.5, "inner": 6.0})
    assert split.calls == Counter({"outer": 1, "inner": 2})


def test_a_part_that_raises_is_counted_and_the_error_goes_on() -> None:
    clock = Clock()
    split = cpusplit.Split(clock)

    def failing() -> None:
        clock.now += 2.0
        raise ValueError("bad")

    with pytest.raises(ValueError):
        split.wrap(failing, "failing")()
    assert split.seconds["failing"] == 2.0


@pytest.mark.parametrize("target", sorted(cpusplit.PARTS))
def test_every_part_names_a_function_that_exists(target: tuple[str, str, str]) -> None:
    module, owner, name = target
    assert callable(getattr(getattr(importlib.import_module(module), owner), name))


def test_per_event_is_the_difference_over_the_events_with_the_rest_as_other(tmp_path: Path) -> None:
    (tmp_path / "1.json").write_text(json.dumps({"seconds": {"Webex calls": 1.0, "worker": 0.2}, "calls": {}}))
    (tmp_path / "2.json").write_text(json.dumps({"seconds": {"Webex calls": 0.5}, "calls": {}}))
    (tmp_path / "3.json").write_text("{half a fi")  # being replaced: skipped
    before = cpusplit.read(tmp_path)
    assert before == Counter({"Webex calls": 1.5, "worker": 0.2})
    after = Counter({"Webex calls": 3.5, "worker": 0.2, "flow + card": 0.5})
    split = cpusplit.per_event(before, after, events=1000, process_cpu=3.0)
    assert split == {"Webex calls": 2000.0, "flow + card": 500.0, "other": 500.0}
    assert list(split) == ["Webex calls", "flow + card", "other"]  # slowest first; idle parts left out
    assert cpusplit.line(split) == "CPU per event, µs: Webex calls 2000, flow + card 500, other 500"
