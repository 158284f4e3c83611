"""``locations``: the organisation's calling locations, each with a button to its alternate
numbers, narrowed by name, in a 1:1 or a group space."""
from __future__ import annotations

from botkit import Chat, RunningBot

from bot.core import buttons
from sandbox import Sandbox, seed

CALLING = sorted(name for name in seed.LOCATION_NAMES if name != seed.PARIS)


def rows(reply) -> list[str]:
    """The location names on the card, each the row of an "Alternate numbers" button."""
    return [block["inlines"][0]["text"] for block in reply.blocks()
            if block.get("type") == "RichTextBlock" and block["inlines"][0].get("weight") == "bolder"]


def test_locations_lists_every_calling_location_by_name(chat: Chat) -> None:
    reply = chat.say("locations")
    assert "6 Webex Calling locations" in reply.text
    assert rows(reply) == CALLING
    assert reply.button_titles() == ["Alternate numbers"] * len(CALLING)
    assert seed.PARIS not in reply.text and seed.PARIS not in reply.markdown
    assert all(name in reply.markdown for name in CALLING)


def test_a_locations_button_opens_its_alternate_numbers(chat: Chat) -> None:
    listed = chat.say("list locations")
    hq = next(b for b in listed.buttons() if b["data"][buttons.INPUT_LOCATION] == seed.location_id(seed.DALLAS_HQ))
    [page] = chat.submit(listed, {**hq["data"]})
    assert "Alternate numbers · Dallas HQ" in page.text
    assert "Numbers 1–10 of 120 · page 1 of 12" in page.text


def test_part_of_a_name_narrows_the_list(chat: Chat) -> None:
    reply = chat.say("locations dallas")
    assert rows(reply) == [seed.DALLAS_HQ, seed.DALLAS_WAREHOUSE]
    assert "2 Webex Calling locations named like “dallas”" in reply.text
    none = chat.say("locations Atlantis")
    assert "No location with Webex Calling matches." in none.text and none.buttons() == []


def test_in_a_group_space_with_a_mention(state: Sandbox, bot: RunningBot) -> None:
    reply = Chat(state, seed.ALICE, room="group").say("locations", mention_as="Numbot")
    assert rows(reply) == CALLING


def test_many_locations_fill_the_card_and_say_how_to_narrow(chat: Chat, state: Sandbox) -> None:
    state.add_locations(1100, "Branch")
    reply = chat.say("locations")
    assert "more than 1000 Webex Calling locations" in reply.text
    shown = rows(reply)
    assert 0 < len(shown) <= 50
    assert f"Showing {len(shown)}. Write locations and part of a name to narrow the list." in reply.text
    assert "narrow the list" in reply.markdown


def test_help_lists_the_locations_command(chat: Chat) -> None:
    assert "locations Dallas" in chat.say("help").text
