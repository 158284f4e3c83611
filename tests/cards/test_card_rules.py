"""Rules every card obeys, checked on every card kind (tests/cards/samples.py)."""
from __future__ import annotations

import json
import re

import pytest
from cardkit import all_actions, walk
from samples import DALLAS, all_sample_cards, all_samples

import cards
from bot.conversation import changes, registry
from bot.core import buttons
from bot.core.models import (
    AvailableNumber,
    AvailableNumbersPage,
    Location,
    NumberCheck,
    NumberFilters,
    NumberState,
    ValidationResult,
    WebexErrorInfo,
)
from cards.limits import CARD_BUDGET_BYTES, MARKDOWN_BUDGET_BYTES, MAX_ACTIONS
from cards.text import card_bytes

SAMPLES = all_samples()
NAMES = sorted(SAMPLES)

# What Webex renders (AC 1.3 subset): anything else is a mistake.
WEBEX_TYPES = {
    "AdaptiveCard", "TextBlock", "RichTextBlock", "TextRun", "FactSet", "ColumnSet", "Column",
    "Container", "ActionSet", "Image", "Input.Text", "Input.Toggle", "Input.ChoiceSet",
    "Input.Number", "Input.Date", "Input.Time", "Action.Submit", "Action.OpenUrl",
    "Action.ShowCard", "Action.ToggleVisibility",
}
# Properties of AC 1.4 and later (or 1.5 in disguise, like associatedInputs): never sent.
NEWER_KEYS = {
    "associatedInputs", "refresh", "authentication", "mode", "tooltip", "isEnabled", "rtl",
    "showBorder", "roundedCorners", "metadata", "targetWidth", "conditionallyEnabled",
    "choices.data", "grid.area", "layouts", "menuActions", "themedUrls", "fallbackContent",
}
DATA_KEYS = {
    buttons.KEY_ACTION, buttons.INPUT_NUMBERS, buttons.INPUT_LOCATION,
    buttons.KEY_PAGE, buttons.KEY_SHOWN, buttons.KEY_APPLY,
    # a confirmation's sealed subject (bot.conversation.changes) and the kind its Cancel names
    changes.KEY_CONFIRM_ID, changes.KEY_EXPIRES, changes.KEY_SUBJECT, changes.KEY_SEAL, buttons.KEY_KIND,
}




@pytest.fixture(params=NAMES)
def sample(request):
    card, markdown = SAMPLES[request.param]
    return request.param, card, markdown


def test_every_card_kind_is_sampled():
    kinds = {name.split("_")[0] for name in NAMES}
    assert kinds >= {"help", "validation", "numbers", "picker", "empty", "error", "access", "busy", "crash", "webex",
                     "locations", "change"}
    assert set(all_sample_cards()) == set(NAMES)


def test_valid_against_the_official_ac_1_3_schema(sample, validator):
    name, card, _ = sample
    errors = sorted(validator.iter_errors(card), key=lambda e: list(e.absolute_path))
    assert not errors, f"{name}: {errors[0].message} at {list(errors[0].absolute_path)}"


def test_version_1_3(sample):
    _, card, _ = sample
    assert card["type"] == "AdaptiveCard"
    assert card["version"] == "1.3"


def test_at_most_five_buttons_in_any_row(sample):
    """The card's action bar and each ActionSet are one row of buttons each (cards/limits.py)."""
    _, card, _ = sample
    rows = [card.get("actions") or []] + [n["actions"] for n in walk(card) if n.get("type") == "ActionSet"]
    assert all(len(row) <= MAX_ACTIONS for row in rows)
    assert sum(len(row) for row in rows) == len(all_actions(card))  # no button outside a row


def test_only_ac_1_3_things_webex_renders(sample):
    name, card, _ = sample
    for node in walk(card):
        assert not NEWER_KEYS & node.keys(), (name, NEWER_KEYS & node.keys())
        if "type" in node:
            assert node["type"] in WEBEX_TYPES, (name, node["type"])
        if node.get("type") == "Input.ChoiceSet":
            assert node.get("style") in (None, "compact", "expanded")  # never "filtered" (1.5)
        if node.get("type") == "TextBlock":
            assert node.get("style") is None  # "heading" is 1.5
    assert "associatedInputs" not in json.dumps(card)
    assert "Action.Execute" not in json.dumps(card)


def test_under_the_card_budget(sample):
    name, card, _ = sample
    assert card_bytes(card) <= CARD_BUDGET_BYTES, name
    # ensure_ascii=True is never shorter than the UTF-8 form actually sent
    assert len(json.dumps(card, separators=(",", ":"), ensure_ascii=False).encode()) <= card_bytes(card)


THREAD = "Y2lzY29zcGFyazovL3VzL01FU1NBR0UvOTJkYjNiZTAtNDNiZC0xMWU2LThhZTktZGQ1YjNkZmM1NjVk"  # a message id


@pytest.mark.parametrize("space, thread", [("direct", None), ("group", THREAD)])
def test_as_posted_every_button_says_where_the_card_is_within_the_place_budget(sample, validator, space, thread):
    """``buttons.placed``: every button of the posted card, or none when that would pass the place
    budget, carries the space's kind and the thread; the card as built is left as it was."""
    name, card, _ = sample
    built = json.dumps(card)
    posted = buttons.placed(card, space, thread)
    assert json.dumps(card) == built
    assert not list(validator.iter_errors(posted)), name
    assert card_bytes(posted) <= card_bytes(card) + buttons.PLACE_BUDGET_BYTES, name
    places = [buttons.place_of(action["data"]) for action in all_actions(posted)]
    assert places in ([(space, thread)] * len(places), [None] * len(places)), name
    if thread is None:
        assert None not in places, name  # a space's kind alone fits on every card we build
    stripped = [{k: v for k, v in action["data"].items() if k not in (buttons.KEY_SPACE, buttons.KEY_THREAD)}
                for action in all_actions(posted)]
    assert stripped == [action["data"] for action in all_actions(card)]


def test_a_press_without_a_known_place_says_none():
    assert buttons.place_of({buttons.KEY_ACTION: buttons.HELP}) is None
    assert buttons.place_of({buttons.KEY_SPACE: "team", buttons.KEY_THREAD: THREAD}) is None
    assert buttons.place_of({buttons.KEY_SPACE: "group", buttons.KEY_THREAD: ""}) == ("group", None)
    assert buttons.place_of({buttons.KEY_SPACE: "group", buttons.KEY_THREAD: 7}) == ("group", None)
    assert buttons.placed({"type": "AdaptiveCard"}, "", THREAD) == {"type": "AdaptiveCard"}


def test_every_markdown_message_under_the_budget(sample):
    name, _, markdown = sample
    assert markdown and all(isinstance(m, str) and m.strip() for m in markdown)
    for message in markdown:
        assert len(message.encode("utf-8")) <= MARKDOWN_BUDGET_BYTES, name


def test_json_serialisable(sample):
    _, card, _ = sample
    assert json.loads(json.dumps(card)) == card


def test_buttons_follow_the_actions_contract(sample):
    name, card, _ = sample
    for action in all_actions(card):
        assert action["type"] == "Action.Submit"
        assert action["title"]
        data = action["data"]
        assert data[buttons.KEY_ACTION] in {a for c in registry.COMMANDS for a in c.actions}
        assert set(data) <= DATA_KEYS, (name, set(data) - DATA_KEYS)


def test_input_ids_are_unique_and_known(sample):
    name, card, _ = sample
    ids = [n["id"] for n in walk(card) if str(n.get("type", "")).startswith("Input.")]
    assert len(ids) == len(set(ids)), name
    known = {
        buttons.INPUT_NUMBERS, buttons.INPUT_LOCATION, buttons.INPUT_LOCATION_QUERY,
        buttons.INPUT_FILTER_NUMBERS, *buttons.TOGGLE_INPUTS,
        buttons.INPUT_NUMBER_STATE, buttons.INPUT_AUTO_ATTENDANT, buttons.INPUT_RING_PATTERN, buttons.INPUT_NUMBER,
    }
    assert set(ids) <= known


def test_same_input_same_output():
    again = all_samples()
    assert json.dumps(again, sort_keys=True) == json.dumps(SAMPLES, sort_keys=True)


def test_no_defaults_wasting_bytes(sample):
    _, card, _ = sample
    for node in walk(card):
        assert node.get("isVisible", False) is not True


def test_public_names():
    for name in cards.__all__:
        assert getattr(cards, name) is not None


# -- text from outside is shown as it is -------------------------------------------------------
# TextBlock text is markdown and renderers disagree on backslash escapes (some show them), so
# what the admin typed or Webex sent goes in TextRuns, unescaped; TextBlocks hold our own words.

MARKDOWN = re.compile(r"[\\`*_\[\]<>&~|]|^\s*(?:[#>=]|[-+*]\s|\d+[.)]\s)")
OUTSIDE = "*x* [y](z) <@all> _u_ `c` C:\\temp ~s~ a|b &amp;"  # markdown, HTML, a backslash
TOKEN = "*x*[y](z)<@all>_u_`c`C:\\temp"  # a word that is not a number: no spaces, under 40


def text_nodes(card: dict) -> list[dict]:
    """Every TextBlock (markdown) and TextRun (shown as it is), in order."""
    return [n for n in walk(card) if n.get("type") in ("TextBlock", "TextRun")]


def outside_text_cards() -> dict[str, dict]:
    """Every card kind with ``OUTSIDE`` in every field that comes from the admin or Webex."""
    o = OUTSIDE
    check = NumberCheck(o, "+12145557862", NumberState.DUPLICATE, detail=(o, o))
    odd = AvailableNumber(o, o, telephony_type=o)
    page = AvailableNumbersPage(Location(DALLAS.id, o), (odd,), page=1, pages=2, total=11, page_size=10,
                                filters=NumberFilters(only_active=True, phone_numbers=(o,)))
    error = WebexErrorInfo(400, o, o)
    return {
        "help": cards.help_card(o, registry.help_entries(), o),
        "validation": cards.validation_card(ValidationResult(checks=(check,), not_numbers=(o,))),
        "validation_tokens_only": cards.validation_card(ValidationResult(checks=(), not_numbers=(TOKEN, TOKEN))),
        "numbers": cards.numbers_page_card(page, (o,)),
        "empty_numbers": cards.empty_numbers_card(page.location, page.filters, (o,)),
        "picker": cards.location_picker_card([DALLAS], message=o, query=o),
        "error": cards.error_card(o, o, error),
        "access": cards.access_denied_card(o),
        "busy": cards.busy_reply(3.5, error).card,
    }


def test_no_card_text_contains_a_backslash_escape(sample):
    name, card, _ = sample
    for node in text_nodes(card):
        assert "\\" not in node["text"], (name, node)  # no sample has a backslash of its own


def test_textblocks_hold_only_our_own_words(sample):
    """Nothing in a TextBlock a renderer could read as markdown, so nothing needs escaping."""
    name, card, _ = sample
    for node in text_nodes(card):
        if node["type"] == "TextBlock":
            assert not MARKDOWN.search(node["text"]), (name, node["text"])


@pytest.mark.parametrize("kind", sorted(outside_text_cards()))
def test_outside_text_is_never_in_a_textblock_and_shown_as_it_is(kind, validator):
    card = outside_text_cards()[kind]
    assert not list(validator.iter_errors(card))
    blocks = [n["text"] for n in text_nodes(card) if n["type"] == "TextBlock"]
    runs = [n["text"] for n in text_nodes(card) if n["type"] == "TextRun"]
    assert not any("[y](z)" in t or "\\" in t for t in blocks), (kind, blocks)
    assert any(OUTSIDE in t or TOKEN in t for t in runs), (kind, runs)  # verbatim: not escaped, not dropped
    for run in runs:
        assert "\\\\" not in run and "\\*" not in run and "\\[" not in run, (kind, run)  # never escaped
    for node in walk(card):
        for inline in node.get("inlines", []):
            assert node["type"] == "RichTextBlock" and inline["type"] == "TextRun"
