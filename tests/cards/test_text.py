"""Escaping user text, and the vendored schema itself."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_card_content import unescape

from cards.text import MarkdownPacker, escape, split_to_fit


@pytest.mark.parametrize(
    ("typed", "escaped"),
    [
        ("*bold*", "\\*bold\\*"),
        ("_it_", "\\_it\\_"),
        ("[link](x)", "\\[link\\](x)"),
        ("![img](x)", "!\\[img\\](x)"),
        ("`code`", "\\`code\\`"),
        ("<@all>", "\\<@all\\>"),
        ("~~gone~~", "\\~\\~gone\\~\\~"),
        ("a | b", "a \\| b"),
        ("&amp;", "\\&amp;"),
        ("back\\slash", "back\\\\slash"),
        ("# heading", "\\# heading"),
        ("> quote", "\\> quote"),
        ("- item", "\\- item"),
        ("---", "\\---"),
        ("1. item", "1\\. item"),
        ("two\nlines", "two lines"),
        ("+12145557861", "+12145557861"),
        ("(214) 555-7862", "(214) 555-7862"),
        ("214.555.7862", "214.555.7862"),
    ],
)
def test_escape(typed, escaped):
    assert escape(typed) == escaped


@given(st.text())
def test_escape_shows_what_was_typed(typed):
    assert unescape(escape(typed)) == " ".join(typed.split())


def test_split_never_cuts_an_escape():
    line = escape("*" * 100)
    pieces = split_to_fit(line, 7)
    assert "".join(pieces) == line
    assert all(not p.endswith("\\") or p.endswith("\\\\") for p in pieces)
    assert all(len(p.encode()) <= 7 for p in pieces)


def test_packer_repeats_the_heading_as_continued():
    packer = MarkdownPacker(60, lambda n: f"part {n}")
    packer.block("Tokens:", sep=", ")
    for i in range(20):
        packer.add(f"tok{i}")
    messages = packer.finish()
    assert len(messages) > 1
    assert all(len(m) <= 60 for m in messages)
    assert "Tokens: (continued)" in messages[1]


def test_vendored_schema_rejects_newer_properties(validator):
    def card(**action):
        return {"type": "AdaptiveCard", "version": "1.3", "actions": [{"type": "Action.Submit", "title": "x", **action}]}

    assert not list(validator.iter_errors(card()))
    assert list(validator.iter_errors(card(associatedInputs="auto")))
    execute = {"type": "AdaptiveCard", "version": "1.3", "actions": [{"type": "Action.Execute", "title": "x"}]}
    assert list(validator.iter_errors(execute))
    filtered = {"type": "AdaptiveCard", "version": "1.3", "body": [
        {"type": "Input.ChoiceSet", "id": "x", "style": "filtered", "choices": []}]}
    assert list(validator.iter_errors(filtered))
