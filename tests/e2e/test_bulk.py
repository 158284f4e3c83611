"""Bulk: an admin attaches a spreadsheet of numbers and gets the results back as a file, and the
same from a terminal. Files are uploaded to the sandbox as Webex clients upload them."""
from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from botkit import BotReply, Chat, RunningBot, bot_settings, killed_mid_event, run_cli

from sandbox import Sandbox, SandboxServer, seed

CSV = "text/csv"


def upload(state: Sandbox, name: str, data: bytes, text: str = "", room: str = "direct",
           content_type: str = CSV) -> dict:
    return state.upload(seed.ALICE, room, name, data, content_type, text=text)


def answers(state: Sandbox, chat: Chat, asked: dict, count: int = 3, timeout: float = 30) -> list[BotReply]:
    """The progress message, the summary card and the result file, once all are posted."""
    return [BotReply(m) for m in state.wait_for_reply(chat.room_id, asked["id"], timeout=timeout, count=count)]


def result_rows(state: Sandbox, reply: BotReply) -> list[dict]:
    name, content, _ = state.file_of(reply.id)
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def ports_csv(numbers: list[str]) -> bytes:
    lines = ["Site,Phone Number,Carrier"] + [f"Dallas,{n},Acme" for n in numbers]
    return ("\n".join(lines) + "\n").encode()


def test_a_csv_is_validated_and_the_result_comes_back_as_a_file(state: Sandbox, chat: Chat) -> None:
    numbers = [seed.AVAILABLE_US, seed.DUPLICATE_IN_USE, "(214) 555-7862", "not a number", seed.AVAILABLE_US,
               "=HYPERLINK(\"http://evil\")"]
    asked = upload(state, "ports.csv", ports_csv(numbers))
    progress, summary, attached = answers(state, chat, asked)
    assert progress.markdown.startswith("Validated 4 numbers from ports.csv") or "Validating" in progress.markdown
    assert "ports.csv: ERRORS" in summary.text
    assert "2 Available · 1 Duplicate · 1 Duplicate In List" in summary.text
    assert "ports.csv: 6 rows of numbers." in summary.text
    assert 'Read the column "Phone Number".' in summary.text
    assert attached.parent_id == summary.id
    rows = result_rows(state, attached)
    assert [r["row"] for r in rows] == ["2", "3", "4", "5", "6", "7"]  # every input row, the header is row 1
    assert [r["state"] for r in rows] == ["Available", "Duplicate", "Available", "not a phone number",
                                          "Duplicate In List", "not a phone number"]
    assert rows[5]["input"].startswith("'=HYPERLINK")  # a formula cell, neutralised
    assert rows[0]["e164"] == seed.AVAILABLE_US  # a number stays readable
    assert list(rows[0]) == ["row", "input", "e164", "state", "toll_free", "detail"]


def test_the_progress_message_is_edited_in_place_and_the_answer_is_the_same_as_one_request(
        make_bot: Callable[..., RunningBot], state: Sandbox) -> None:
    make_bot(validate_batch=50)
    chat = Chat(state, seed.ALICE)
    numbers = [f"+1214555{i:04d}" for i in range(600)] + [seed.AVAILABLE_US, f"+1214555{0:04d}"]
    asked = upload(state, "big.txt", "\n".join(numbers).encode(), content_type="text/plain")
    progress, summary, attached = answers(state, chat, asked)
    assert progress.message.get("updated")  # edited, not a new message
    assert progress.markdown == "Validated 602 numbers from big.txt: the answer follows."
    rows = result_rows(state, attached)
    assert len(rows) == 602 and rows[-1]["state"] == "Duplicate In List"  # repeats across batches
    assert "same number as row 1" in rows[-1]["detail"]
    batches = [c for c in state.calls("validateNumbers")]
    assert len(batches) == 13
    edits = state.calls("/v1/messages/", identity="bot", method="PUT")
    assert 1 <= len(edits) <= 8


def test_a_file_over_the_limit_is_refused_before_it_is_downloaded(make_bot: Callable[..., RunningBot],
                                                                  state: Sandbox) -> None:
    make_bot(max_file_bytes=1000)
    chat = Chat(state, seed.ALICE)
    asked = upload(state, "huge.csv", ports_csv([seed.AVAILABLE_US] * 200))
    [reply] = chat.wait(asked["id"])
    assert "That file is too large" in reply.text and "NUMBOT_MAX_FILE_BYTES" in reply.text
    assert state.calls("/v1/contents/", method="GET") == []  # HEAD only
    assert state.calls("/v1/contents/", method="HEAD")


def test_a_file_still_being_scanned_is_waited_for(state: Sandbox, chat: Chat) -> None:
    state.file_scan_seconds = 1.5
    asked = upload(state, "ports.csv", ports_csv([seed.AVAILABLE_US]))
    progress, summary, attached = answers(state, chat, asked)
    assert "every number is Available" in summary.text
    assert 423 in {c.status for c in state.calls("/v1/contents/")}


@pytest.mark.parametrize("name, data, said", [
    ("empty.csv", b"", "empty"),
    ("garbage.csv", bytes(range(256)) * 20, "not a text file"),
    ("book.xlsx", b"not a zip at all", ""),
    ("words.txt", b"hello\nworld\n", "no phone numbers"),
    ("notes.pdf", b"%PDF-1.4", ".csv"),
])
def test_bad_files_get_a_clear_answer_and_the_bot_goes_on(state: Sandbox, chat: Chat, name: str, data: bytes,
                                                          said: str) -> None:
    asked = upload(state, name, data)
    [reply] = chat.wait(asked["id"])
    assert "I cannot read that file" in reply.text and said in reply.text
    assert "Traceback" not in reply.text + reply.markdown
    assert "Available" in chat.say(f"validate {seed.AVAILABLE_US}").text  # nothing else is delayed


def test_more_numbers_than_allowed_are_refused_and_nothing_is_sent(make_bot: Callable[..., RunningBot],
                                                                    state: Sandbox) -> None:
    make_bot(max_bulk_numbers=100)
    chat = Chat(state, seed.ALICE)
    asked = upload(state, "ports.csv", ports_csv([f"+1214555{i:04d}" for i in range(101)]))
    [reply] = chat.wait(asked["id"])
    assert "I cannot read that file" in reply.text and "100" in reply.text
    assert state.calls("validateNumbers") == []


def test_a_batch_that_keeps_failing_is_reported_for_its_rows_only(make_bot: Callable[..., RunningBot],
                                                                   state: Sandbox) -> None:
    make_bot(validate_batch=10, bulk_concurrency=1)
    chat = Chat(state, seed.ALICE)
    fault = state.inject_fault("POST", "validateNumbers", 500, times=4)  # the first batch, and its retries
    asked = upload(state, "ports.csv", ports_csv([f"+1214555{i:04d}" for i in range(30)]))
    progress, summary, attached = answers(state, chat, asked)
    rows = result_rows(state, attached)
    failed = [r for r in rows if r["state"] == "not checked"]
    assert len(failed) == 10 and all("Webex answered 500, trackingId ROUTER_" in r["detail"] for r in failed)
    assert sum(r["state"] == "Available" for r in rows) == 20
    assert fault.hits == 4
    assert "10 not checked" in summary.text


def test_in_a_group_space_with_the_bot_mentioned(state: Sandbox, bot: RunningBot) -> None:
    group = Chat(state, seed.ALICE, room="group")
    asked = state.upload(seed.ALICE, "group", "ports.csv", ports_csv([seed.AVAILABLE_US]), CSV, text="validate")
    progress, summary, attached = answers(state, group, asked)
    assert "every number is Available" in summary.text


def test_a_worker_killed_mid_file_finishes_it_once_after_the_restart(server: SandboxServer, state: Sandbox,
                                                                      tmp_path: Path) -> None:
    settings = bot_settings(server, tmp_path / "numbot.db", validate_batch=10, bulk_concurrency=1)
    chat = Chat(state, seed.ALICE)
    stall = state.inject_fault("POST", "validateNumbers", None, delay=30, times=1)  # the first batch hangs
    with killed_mid_event(settings, state, tmp_path, stall, lambda: upload(
            state, "ports.csv", ports_csv([f"+1214555{i:04d}" for i in range(40)]))) as restarted:
        replies = [BotReply(m) for m in state.wait_for_reply(chat.room_id, restarted.asked["id"], timeout=60,
                                                              count=3)]
        time.sleep(6)  # further sweeps must not answer again
        assert len(state.messages_from_bot(chat.room_id, restarted.asked["id"])) == 3  # the progress
        # message (taken over, not posted twice), one summary, one file
        assert "every number is Available" in replies[1].text


def test_the_alternate_numbers_card_exports_every_number_with_its_filters(state: Sandbox, chat: Chat) -> None:
    page = chat.press(chat.say("alternate numbers Dallas HQ"), "Apply filters", onlyActive="true")
    exported = chat.press(page, "Export CSV")
    name, content, _ = state.file_of(exported.id)
    assert name == "dallas-hq-alternate-numbers.csv"
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    active = [n.phone_number for n in state.location_named(seed.DALLAS_HQ).numbers if n.state == "ACTIVE"]
    assert [r["phone_number"] for r in rows] == active and {r["state"] for r in rows} == {"Active"}
    assert f"All {len(active)} alternate available numbers of Dallas HQ (only active), in a file." in exported.markdown


# -- from a terminal --------------------------------------------------------------------------------


def test_validate_from_a_terminal_prints_a_table_and_says_whether_all_are_available(
        server: SandboxServer, tmp_path: Path) -> None:
    settings = bot_settings(server, tmp_path / "numbot.db")
    ok = run_cli(settings, "validate", seed.AVAILABLE_US, "(214) 555-7862")
    assert ok.returncode == 0, ok.stderr
    assert "+12145557861" in ok.stdout and "2 Available" in ok.stdout
    bad = run_cli(settings, "validate", seed.AVAILABLE_US, seed.DUPLICATE_IN_USE, "--json")
    assert bad.returncode == 1
    assert [r["state"] for r in json.loads(bad.stdout)] == ["Available", "Duplicate"]


def test_validate_a_file_from_a_terminal_writes_the_same_csv(server: SandboxServer, tmp_path: Path) -> None:
    settings = bot_settings(server, tmp_path / "numbot.db")
    source = tmp_path / "ports.csv"
    source.write_bytes(ports_csv([f"+1214555{i:04d}" for i in range(250)]))
    out = tmp_path / "out.csv"
    result = run_cli(settings, "validate", "--file", str(source), "--csv", str(out))
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text("utf-8-sig"))))
    assert len(rows) == 250 and {r["state"] for r in rows} == {"Available"}
    assert "250 numbers" in result.stderr  # the progress bar of a long run


def test_alternate_from_a_terminal(server: SandboxServer, tmp_path: Path) -> None:
    settings = bot_settings(server, tmp_path / "numbot.db")
    out = tmp_path / "hq.csv"
    result = run_cli(settings, "alternate", "Dallas", "HQ", "--csv", str(out))
    assert result.returncode == 0, result.stderr
    assert "+12143020001" in result.stdout and "120 alternate available numbers at Dallas HQ" in result.stdout
    assert len(out.read_text("utf-8-sig").splitlines()) == 121
    assert run_cli(settings, "alternate", "Atlantis").returncode == 2
