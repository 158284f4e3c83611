"""Every card kind with realistic data, for the card tests and the browser test.

``all_samples()`` gives, per name, the card and its markdown messages; ``all_sample_cards()``
just the cards. Location ids look like Webex's (base64 of a Spark URI).

From another test directory: ``sys.path.insert(0, str(Path(__file__).parents[1] / "cards"))``
then ``from samples import all_sample_cards`` (tests/ has no packages: a ``tests/cards``
package would shadow the real ``cards``).
"""
from __future__ import annotations

import base64
import itertools
from dataclasses import replace

import cards
from bot.conversation import registry
from bot.conversation.changes import Changes
from bot.core.models import (
    ActivateResult,
    AddPlan,
    AddResult,
    AlternateNumber,
    AssignPlan,
    AssignResult,
    AutoAttendant,
    AvailableNumber,
    AvailableNumbersPage,
    Location,
    NumberCheck,
    NumberError,
    NumberFilters,
    NumberState,
    ValidationResult,
    WebexErrorInfo,
)
from cards.locations import locations_reply

DUPLICATE_DETAIL = "[Error 8363] DN is in use : +12145557862"
UNAVAILABLE_DETAIL = "[Error 9627] Number is not available in this organization: +442071838750"
INVALID_DETAIL = "[Error 8361] Invalid phone number format : 12345"
TRACKING_ID = "ROUTER_6553C1A4-0BD1-01BB-0B9B-AC1C8A9E0B9B"


def location_id(n: int) -> str:
    uri = f"ciscospark://us/LOCATION/{n:08x}-b164-11ee-91ea-fbb9b190226b"
    return base64.b64encode(uri.encode()).decode().rstrip("=")


def location(n: int, name: str) -> Location:
    return Location(id=location_id(n), name=name)


DALLAS = location(1, "Dallas HQ")


def every_state() -> ValidationResult:
    return ValidationResult(
        checks=(
            NumberCheck("+12145557861", "+12145557861", NumberState.AVAILABLE),
            NumberCheck("(214) 555-7862", "+12145557862", NumberState.DUPLICATE, detail=(DUPLICATE_DETAIL,)),
            NumberCheck("214.555.7862", "+12145557862", NumberState.DUPLICATE_IN_LIST, repeats=2),
            NumberCheck("+1 800 555 0100", "+18005550100", NumberState.AVAILABLE, toll_free=True),
            NumberCheck("+442071838750", "+442071838750", NumberState.UNAVAILABLE, detail=(UNAVAILABLE_DETAIL,)),
            NumberCheck("12345", "12345", NumberState.INVALID, detail=(INVALID_DETAIL, "second *detail* [x](y)")),
        ),
        not_numbers=("hello", "*bold*", "[link](x)"),
    )


def big_result(n: int = 500) -> ValidationResult:
    states = itertools.cycle([
        NumberState.AVAILABLE, NumberState.AVAILABLE, NumberState.AVAILABLE,
        NumberState.DUPLICATE, NumberState.DUPLICATE_IN_LIST, NumberState.AVAILABLE,
        NumberState.INVALID, NumberState.UNAVAILABLE, NumberState.AVAILABLE,
    ])
    checks = []
    for i, state in zip(range(n), states):
        e164 = f"+1214555{i:04d}"
        detail = ()
        if state is NumberState.DUPLICATE:
            detail = (f"[Error 8363] DN is in use : {e164}",)
        elif state is NumberState.UNAVAILABLE:
            detail = (f"[Error 9627] Number is not available: {e164}",)
        elif state is NumberState.INVALID:
            detail = (f"[Error 8361] Invalid phone number format : {e164}",)
        checks.append(NumberCheck(f"(214) 555-{i:04d}", e164, state, toll_free=i % 11 == 0, detail=detail))
    return ValidationResult(checks=tuple(checks), not_numbers=("foo", "bar"))


def junk_tokens(n: int = 10_000) -> tuple[str, ...]:
    return tuple(f"junk{i:06d}_tok*n[{i % 7}]"[:20].ljust(20, "x") for i in range(n))


def numbers(start: int, count: int) -> tuple[AvailableNumber, ...]:
    out = []
    for i in range(start, start + count):
        flags = [(i >> b) & 1 for b in range(4)]  # every combination of the four flags
        out.append(AvailableNumber(
            phone_number=f"+1205635{i:04d}",
            state="INACTIVE" if flags[0] else "ACTIVE",
            is_main_number=bool(flags[1]),
            toll_free=bool(flags[2]),
            is_service_number=bool(flags[3]),
        ))
    return tuple(out)


def pages() -> dict[str, AvailableNumbersPage]:
    return {
        "numbers_first": AvailableNumbersPage(DALLAS, numbers(0, 16), page=1, pages=3, total=40, page_size=16),
        "numbers_middle": AvailableNumbersPage(DALLAS, numbers(10, 10), page=2, pages=3, total=24, page_size=10),
        "numbers_last": AvailableNumbersPage(DALLAS, numbers(20, 4), page=3, pages=3, total=24, page_size=10),
        "numbers_filtered": AvailableNumbersPage(
            location(2, "Richardson *lab* [x](y)"),
            numbers(0, 25),
            page=3, pages=5, total=120, page_size=25,
            filters=NumberFilters(only_active=True, only_toll_free=True, only_service=True,
                                  phone_numbers=("+12056350001", "+12056350002")),
        ),
        "numbers_mobile": AvailableNumbersPage(
            DALLAS, (AvailableNumber("+12056359999", "ACTIVE", telephony_type="MOBILE_NUMBER"),),
            page=1, pages=1, total=1, page_size=10,
        ),
        "numbers_hundred_filter_numbers": AvailableNumbersPage(
            DALLAS, numbers(0, 25), page=2, pages=4, total=100, page_size=25,
            filters=NumberFilters(only_active=True, phone_numbers=tuple(f"+1205635{i:04d}" for i in range(100))),
        ),
    }


def auto_attendant_id(n: int) -> str:
    uri = f"ciscospark://us/AUTO_ATTENDANT/{n:08x}-7c1e-4a2b-9d3f-2b6c1e0f9a11"
    return base64.b64encode(uri.encode()).decode().rstrip("=")


def seals() -> Changes:
    """Seals that are the same on every call: the samples are compared from run to run."""
    ids = itertools.count(1)
    return Changes(True, "sample bot token", None, None, clock=lambda: 1_800_000_000.0,
                   new_id=lambda: f"{next(ids):032x}")


def attendants(count: int, alternates: int) -> tuple[AutoAttendant, ...]:
    return tuple(AutoAttendant(auto_attendant_id(i), f"Menu {i} *x* [y](z)", DALLAS.id, f"+1214302{9000 + i}",
                               str(9000 + i), tuple(AlternateNumber(f"+1214302{i:02d}{j:02d}",
                                                                    ("NORMAL", "LONG_LONG")[j % 2])
                                                    for j in range(alternates)))
                 for i in range(count))


def change_replies() -> dict[str, object]:
    sealer = seals()
    every = every_state().checks
    available = tuple(c.e164 for c in every if c.state is NumberState.AVAILABLE)
    others = tuple(c for c in every if c.state is not NumberState.AVAILABLE)
    seal = sealer.seal("add", {"numbers": list(available)})
    plan = AddPlan(available, others, (DALLAS, location(2, "Richardson *lab*")), seal, chosen=DALLAS.id,
                   note="No location is called “Dalas”: pick one.")
    hundred = tuple(f"+1214555{i:04d}" for i in range(100))
    big = AddPlan(hundred, (), tuple(many_locations(100)), sealer.seal("add", {"numbers": list(hundred)}))
    refusal = WebexErrorInfo(400, "This API is only supported for non-integrated PSTN connection types.", TRACKING_ID)
    team = attendants(3, 2)

    def assign_plan(found: tuple[AutoAttendant, ...]) -> AssignPlan:
        return AssignPlan("+12143020001", DALLAS, found, sealer.seal("assign", {"number": "+12143020001"}),
                          removals=tuple((aa.id, alt.phone_number, sealer.seal("remove", {"number": alt.phone_number,
                                                                                          "autoAttendant": aa.id}))
                                         for aa in found for alt in aa.alternate_numbers or ()),
                          chosen=found[0].id, note="Several auto attendants match “menu”: choose one.")
    return {
        "change_refused": cards.change_refused_reply("Only full administrators can make changes with this bot."),
        "change_cancelled": cards.change_cancelled_reply(),
        "change_cancel_used": cards.change_cancelled_reply(used_already=True),
        "change_add_nothing": cards.add_nothing_reply(others),
        "change_add_confirm": cards.add_confirm_reply(plan),
        "change_add_confirm_100": cards.add_confirm_reply(big),
        "change_add_result": cards.add_result_reply(AddResult(
            DALLAS, True, available[:1], there_already=available[1:],
            refused=(NumberError("+12145557862", "[Error 8363] DN is in use : +12145557862", "8363"),),
            audit="Change by Alice (alice@example.com), 2026-12-07 17:00 UTC: added 1 number (trackingId ROUTER_1)")),
        "change_add_refused": cards.add_result_reply(AddResult(
            location(3, "London"), False, (), error=refusal,
            advice="Numbers of a location on Cisco Calling Plans are added by Cisco: order them in Control Hub.")),
        "change_add_inactive": cards.add_result_reply(AddResult(
            DALLAS, False, available, audit="Change by Alice, 2026-12-07 17:00 UTC: added 2 numbers (inactive)",
            activate=sealer.seal("activate", {"numbers": list(available), "locationId": DALLAS.id}))),
        "change_activate_result": cards.activate_result_reply(ActivateResult(
            DALLAS, available[:1], active_already=available[1:], audit="Change by Alice, 2026-12-07: activated")),
        "change_activate_refused": cards.activate_result_reply(ActivateResult(DALLAS, (), error=refusal)),
        "change_assign_confirm": cards.assign_confirm_reply(assign_plan(team)),
        "change_assign_confirm_full": cards.assign_confirm_reply(assign_plan(attendants(10, 10))),
        "change_assign_result": cards.assign_result_reply(AssignResult(
            "+12143020001", team[0], DALLAS, ring_pattern="LONG_LONG", audit="Change by Alice, 2026-12-07: assigned")),
        "change_remove_result": cards.assign_result_reply(AssignResult(
            "+12143020001", replace(team[0], alternate_numbers=()), DALLAS, removed=True)),
        "change_assign_unchanged": cards.assign_result_reply(AssignResult(
            "+12143020001", team[1], DALLAS, changed=False)),
    }


def many_locations(n: int = 250) -> list[Location]:
    return [location(i, f"Site {i:03d} – Building {chr(65 + i % 26)}") for i in range(n)]


def all_samples() -> dict[str, tuple[dict, list[str]]]:
    """name -> (card, markdown messages)."""
    out: dict[str, tuple[dict, list[str]]] = {}

    def add(name, card, markdown):
        out[name] = (card, markdown if isinstance(markdown, list) else [markdown])

    commands = registry.help_entries()
    add("help", cards.help_card("US", commands), cards.help_markdown("US", commands))
    add("help_region_gb", cards.help_card("GB", commands), cards.help_markdown("GB", commands))
    note = "I found no phone numbers in that message."
    add("help_with_note", cards.help_card("US", commands, note), cards.help_markdown("US", commands, note))
    results = {
        "validation_every_state": every_state(),
        "validation_all_ok": ValidationResult(checks=(NumberCheck("+12145557861", "+12145557861", NumberState.AVAILABLE),)),
        "validation_not_numbers_only": ValidationResult(checks=(), not_numbers=("hello", "world", "_x_")),
        "validation_500": big_result(500),
        "validation_junk_10000": ValidationResult(checks=every_state().checks, not_numbers=junk_tokens()),
        "validation_long_details": ValidationResult(checks=tuple(
            NumberCheck(f"+1214555{i:04d}", f"+1214555{i:04d}", NumberState.UNAVAILABLE, detail=("x" * 400, "y" * 400))
            for i in range(30)
        )),
    }
    for name, result in results.items():
        reply = cards.validation_reply(result)
        add(name, reply.card, reply.markdown)
    for name in ("validation_every_state", "validation_500"):  # where changes are on
        reply = cards.validation_reply(results[name], offer_add=True)
        add(name + "_with_add", reply.card, reply.markdown)
    for name, page in pages().items():
        add(name, cards.numbers_page_card(page), cards.numbers_page_markdown(page))
    for name in ("numbers_filtered", "numbers_hundred_filter_numbers"):
        page = pages()[name]
        add(name + "_with_assign", cards.numbers_page_card(page, offer_assign=True), cards.numbers_page_markdown(page))
    for name, reply in change_replies().items():
        add(name, reply.card, reply.markdown)
    notes = ("Not phone numbers, left out of the filter: " + ", ".join(junk_tokens()[:200]),
             "Only the first 100 of the 400 numbers you gave are looked up.")
    page = pages()["numbers_filtered"]
    add("numbers_notes", cards.numbers_page_card(page, notes), cards.numbers_page_markdown(page, notes))
    few = [DALLAS, location(2, "Richardson"), location(3, "London *Soho*")]
    add("picker_few", cards.location_picker_card(few), cards.location_picker_markdown(few))
    message = "Several locations match “dallas”: which one?"
    add("picker_message", cards.location_picker_card(few[:2], message=message, query="dallas"),
        cards.location_picker_markdown(few[:2], message=message, query="dallas"))
    many = many_locations()
    add("picker_many", cards.location_picker_card(many, query="site"), cards.location_picker_markdown(many, query="site"))
    add("picker_100", cards.location_picker_card(many[:100]), cards.location_picker_markdown(many[:100]))
    for name, reply in (("locations_few", locations_reply(few)),
                        ("locations_many", locations_reply(many, more=True)),
                        ("locations_named", locations_reply(few[:2], "dallas")),
                        ("locations_none", locations_reply([], "atlantis"))):
        add(name, reply.card, reply.markdown)
    add("picker_none", cards.location_picker_card([], message="No location called “x”."),
        cards.location_picker_markdown([], message="No location called “x”."))
    add("empty_numbers", cards.empty_numbers_card(DALLAS, NumberFilters()), cards.empty_numbers_markdown(DALLAS, NumberFilters()))
    filters = NumberFilters(only_active=True, only_toll_free=True, phone_numbers=("+12056350001",))
    add("empty_numbers_filtered", cards.empty_numbers_card(DALLAS, filters), cards.empty_numbers_markdown(DALLAS, filters))
    err = WebexErrorInfo(404, "Location not found [x](y)", TRACKING_ID)
    add("error_tracking", cards.error_card("Webex said no", "Could not list the numbers.", err),
        cards.error_markdown("Webex said no", "Could not list the numbers.", err))
    err2 = WebexErrorInfo(None, "Connection reset by peer")
    add("error_no_tracking", cards.error_card("Webex did not answer", "Try again in a minute.", err2),
        cards.error_markdown("Webex did not answer", "Try again in a minute.", err2))
    add("error_plain", cards.error_card("Unknown button", "That button is from a card this bot does not know."),
        cards.error_markdown("Unknown button", "That button is from a card this bot does not know."))
    add("access_denied", cards.access_denied_card("alice@example.com is not on the allowed list."),
        cards.access_denied_markdown("alice@example.com is not on the allowed list."))
    for name, reply in (("busy", cards.busy_reply(150, WebexErrorInfo(429, "Too Many Requests", "ROUTER_1"))),
                        ("crash", cards.crash_reply()),
                        ("webex_error", cards.webex_error_reply(err, "replying"))):
        add(name, reply.card, reply.markdown)
    return out


def all_sample_cards() -> dict[str, dict]:
    """name -> card, every card kind (for rendering them all in a browser)."""
    return {name: card for name, (card, _) in all_samples().items()}
