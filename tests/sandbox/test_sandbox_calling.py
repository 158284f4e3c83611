"""Webex Calling organisation settings: locations with calling details, the org's phone numbers
and who uses them."""
from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from sandbox_testkit import assert_webex_error

from sandbox import seed
from sandbox.ids import decode_id, webex_id
from sandbox.models import NumberOwner

CALLING_LOCATIONS = "telephony/config/locations"
CALLING_NAMES = [n for n in seed.LOCATION_NAMES if n != seed.PARIS]


def test_calling_locations_are_only_those_enabled_for_webex_calling(api, state):
    response = api.get(CALLING_LOCATIONS, who="service", params={"orgId": seed.ORG_ID})
    assert response.status_code == 200 and "next" not in response.links
    body = response.json()
    assert list(body) == ["locations"]
    assert [loc["name"] for loc in body["locations"]] == CALLING_NAMES
    hq = body["locations"][0]
    assert hq == {"id": seed.location_id(seed.DALLAS_HQ), "name": seed.DALLAS_HQ,
                  "callingLineId": {"name": seed.ORG_NAME, "phoneNumber": seed.DALLAS_HQ_MAIN_NUMBER},
                  "e911SetupRequired": False}
    by_name = {loc["name"]: loc for loc in body["locations"]}
    # A location without a main number has no calling line number.
    assert by_name[seed.EMPTY_SITE]["callingLineId"] == {"name": seed.ORG_NAME}
    assert by_name[seed.LONDON]["callingLineId"]["phoneNumber"] == "+442079460001"
    # The ids are the ones the Locations API and the alternate numbers API use.
    assert by_name[seed.RICHARDSON]["id"] == state.location_named(seed.RICHARDSON).id


def test_calling_locations_name_contains_and_order(api):
    dallas = api.get(CALLING_LOCATIONS, who="service", params={"name": "DALLAS"}).json()["locations"]
    assert [loc["name"] for loc in dallas] == [seed.DALLAS_HQ, seed.DALLAS_WAREHOUSE]
    assert api.get(CALLING_LOCATIONS, who="service", params={"name": "paris"}).json() == {"locations": []}
    ascending = api.get(CALLING_LOCATIONS, who="service", params={"order": "asc"}).json()["locations"]
    assert [loc["name"] for loc in ascending] == sorted(CALLING_NAMES)
    descending = api.get(CALLING_LOCATIONS, who="service", params={"order": "desc", "name": "a"}).json()
    assert [loc["name"] for loc in descending["locations"]] == sorted(
        (n for n in CALLING_NAMES if "a" in n.lower()), reverse=True)
    assert_webex_error(api.get(CALLING_LOCATIONS, who="service", params={"order": "sideways"}), 400)


def test_calling_locations_paging_follows_the_link(api, state):
    state.add_locations(7, "Branch")
    first = api.get(CALLING_LOCATIONS, who="service", params={"name": "branch", "max": 3, "order": "desc"})
    assert [loc["name"] for loc in first.json()["locations"]] == ["Branch 007", "Branch 006", "Branch 005"]
    query = parse_qs(urlparse(first.links["next"]["url"]).query)
    assert query == {"name": ["branch"], "max": ["3"], "order": ["desc"], "start": ["3"]}
    seen, url = [], first.links["next"]["url"]
    while url:
        page = api.get(url, who="service")
        seen += [loc["name"] for loc in page.json()["locations"]]
        url = page.links.get("next", {}).get("url")
    assert seen == ["Branch 004", "Branch 003", "Branch 002", "Branch 001"]


@pytest.mark.parametrize("params", [{"max": 0}, {"max": "x"}, {"start": -1}])
def test_calling_locations_bad_paging_is_400(api, params):
    assert_webex_error(api.get(CALLING_LOCATIONS, who="service", params=params), 400)


def test_calling_locations_need_an_admin_of_this_org(api):
    assert api.get(CALLING_LOCATIONS, who=seed.ALICE).status_code == 200
    for who in ("bot", seed.BOB, seed.EVE):
        assert_webex_error(api.get(CALLING_LOCATIONS, who=who), 403)
    assert_webex_error(api.get(CALLING_LOCATIONS, who=None), 401)
    assert_webex_error(api.get(CALLING_LOCATIONS, who="service", params={"orgId": seed.OTHER_ORG_ID}), 403)


NUMBERS = "telephony/config/numbers"
VALIDATE = "telephony/config/actions/validateNumbers/invoke"


def alternate(location_name: str) -> str:
    return f"telephony/config/locations/{seed.location_id(location_name)}/autoAttendants/alternate/availableNumbers"


def every_row(api, **params) -> list[dict]:
    rows, url = [], None
    response = api.get(NUMBERS, who="service", params=params)
    while True:
        assert response.status_code == 200, response.text
        rows += response.json()["phoneNumbers"]
        url = response.links.get("next", {}).get("url")
        if not url:
            return rows
        response = api.get(url, who="service")


def test_a_persons_number_shows_its_owner(api, state):
    (row,) = api.get(NUMBERS, who="service", params={"phoneNumber": seed.DUPLICATE_ASSIGNED}).json()["phoneNumbers"]
    dana = state.owner_of(seed.DUPLICATE_ASSIGNED)
    assert row == {
        "phoneNumber": seed.DUPLICATE_ASSIGNED, "extension": "9001", "state": "ACTIVE", "phoneNumberType": "PRIMARY",
        "mainNumber": False, "tollFreeNumber": False, "isServiceNumber": False,
        "location": {"id": seed.location_id(seed.DALLAS_HQ), "name": seed.DALLAS_HQ},
        "owner": {"id": dana.id, "type": "PEOPLE", "firstName": "Dana", "lastName": "Diaz", "displayName": "Dana Diaz"}}
    assert decode_id(dana.id).startswith("ciscospark://us/PEOPLE/")


def test_every_seeded_owner_kind_with_an_id_of_its_kind(api):
    assigned = [r for r in every_row(api) if "owner" in r]
    assert {r["phoneNumber"] for r in assigned} == set(seed.IN_USE_EXTRA)
    # Main Menu's alternate number is assigned too, as an ALTERNATE number without an extension.
    (alternate,) = [r for r in assigned if r["phoneNumberType"] == "ALTERNATE"]
    assert alternate["phoneNumber"] == seed.MAIN_MENU_ALTERNATE and "extension" not in alternate
    assert alternate["owner"] == {"id": seed.auto_attendant_id(seed.MAIN_MENU), "type": "AUTO_ATTENDANT",
                                  "displayName": seed.MAIN_MENU}
    rows = [r for r in assigned if r["phoneNumberType"] == "PRIMARY"]
    owners = {r["phoneNumber"]: r["owner"] for r in rows}
    assert set(owners) == set(seed.OWNERS)
    for number, (owner_type, name, location, extension) in seed.OWNERS.items():
        owner = owners[number]
        assert owner["type"] == owner_type and owner["displayName"] == name
        assert decode_id(owner["id"]).startswith(f"ciscospark://us/{owner_type}/")
        # firstName and lastName only for people and virtual lines.
        assert ("firstName" in owner) == (owner_type in ("PEOPLE", "VIRTUAL_LINE"))
        row = next(r for r in rows if r["phoneNumber"] == number)
        assert row["location"]["name"] == location and row["extension"] == extension
    assert {o["type"] for o in owners.values()} >= {"PEOPLE", "PLACE", "AUTO_ATTENDANT", "HUNT_GROUP", "CALL_QUEUE"}
    assert owners[seed.FRONT_DESK_NUMBER] | {"id": ""} == {"id": "", "type": "VIRTUAL_LINE", "firstName": "Front",
                                                          "lastName": "Desk", "displayName": "Front Desk"}
    support = next(r for r in rows if r["phoneNumber"] == seed.SUPPORT_NUMBER)
    assert support["isServiceNumber"] is True


def test_unassigned_location_numbers_have_no_owner(api):
    (main,) = api.get(NUMBERS, who="service", params={"phoneNumber": seed.DALLAS_HQ_MAIN_NUMBER}).json()["phoneNumbers"]
    assert main == {"phoneNumber": seed.DALLAS_HQ_MAIN_NUMBER, "state": "ACTIVE", "phoneNumberType": "PRIMARY",
                    "mainNumber": True, "tollFreeNumber": False, "isServiceNumber": False,
                    "location": {"id": seed.location_id(seed.DALLAS_HQ), "name": seed.DALLAS_HQ}}


def test_a_number_is_in_use_exactly_when_the_numbers_api_lists_it(api, state):
    rows = every_row(api)
    listed = [r["phoneNumber"] for r in rows]
    assert listed == sorted(listed) and len(listed) == len(set(listed))
    assert set(listed) == state.numbers_in_use()
    # Every owner's number and a few unassigned ones are Duplicate; numbers not listed are not.
    some = sorted(seed.OWNERS) + [seed.DALLAS_HQ_MAIN_NUMBER, "+14693020001", seed.AVAILABLE_US, seed.AVAILABLE_UK]
    verdicts = api.post(VALIDATE, who="service", json={"phoneNumbers": some}).json()["phoneNumbers"]
    assert {v["phoneNumber"]: v["state"] == "Duplicate" for v in verdicts} == {n: n in listed for n in some}


def test_alternate_numbers_are_the_unassigned_ones(api, state):
    for location in (seed.DALLAS_HQ, seed.DALLAS_WAREHOUSE, seed.RICHARDSON, seed.LONDON):
        alternates = [r["phoneNumber"] for r in api.get(alternate(location), who="service").json()["phoneNumbers"]]
        unassigned = [r["phoneNumber"] for r in every_row(api, locationId=seed.location_id(location), available="true")]
        assert alternates == unassigned
    assert len(state.location_named(seed.DALLAS_HQ).numbers) == 120
    assert seed.SALES_NUMBER not in [n.phone_number for n in state.location_named(seed.RICHARDSON).numbers]


def test_numbers_default_max_and_link_paging(api, state):
    first = api.get(NUMBERS, who="service")
    assert len(first.json()["phoneNumbers"]) == 2000
    query = parse_qs(urlparse(first.links["next"]["url"]).query)
    assert query == {"start": ["2000"], "max": ["2000"]}
    rest = api.get(first.links["next"]["url"], who="service")
    assert len(rest.json()["phoneNumbers"]) == len(state.numbers_in_use()) - 2000 and "next" not in rest.links
    page = api.get(NUMBERS, who="service", params={"locationId": seed.location_id(seed.RICHARDSON), "max": 5,
                                                   "start": 10})
    assert [r["phoneNumber"] for r in page.json()["phoneNumbers"]] == ["+19723020011", seed.SALES_NUMBER]


def test_numbers_filters(api, state):
    hq = seed.location_id(seed.DALLAS_HQ)
    at_hq = every_row(api, locationId=hq)
    # 120 unassigned, Dana Diaz's number, Main Menu's number and its alternate number.
    assert len(at_hq) == 123 and {r["location"]["id"] for r in at_hq} == {hq}
    assigned = every_row(api, available="false")
    assert sorted(r["phoneNumber"] for r in assigned) == sorted(seed.IN_USE_EXTRA)
    assert all("owner" in r for r in assigned)
    free = every_row(api, available="true", locationId=hq)
    assert len(free) == 120 and not any("owner" in r for r in free)
    queues = every_row(api, ownerType="CALL_QUEUE")
    assert [r["phoneNumber"] for r in queues] == [seed.SUPPORT_NUMBER]
    people = every_row(api, ownerType="PEOPLE", locationId=hq)
    assert [r["owner"]["displayName"] for r in people] == ["Dana Diaz"]
    assert every_row(api, ownerType="PAGING_GROUP") == []
    # An unencoded "+" arrives as a space.
    raw = api.get(f"{NUMBERS}?phoneNumber=+12143029001", who="service").json()["phoneNumbers"]
    assert [r["phoneNumber"] for r in raw] == [seed.DUPLICATE_ASSIGNED]
    assert every_row(api, phoneNumber=seed.AVAILABLE_US) == []
    assert every_row(api, locationId="nope") == []
    assert every_row(api, locationId=seed.location_id(seed.PARIS)) == []


@pytest.mark.parametrize("params", [{"ownerType": "ROBOT"}, {"available": "maybe"}, {"max": 0}, {"start": "x"},
                                    {"available": "true", "ownerType": "PEOPLE"}])
def test_numbers_bad_queries_are_400(api, params):
    assert_webex_error(api.get(NUMBERS, who="service", params=params), 400)


def test_numbers_need_a_full_or_read_only_administrator_of_this_org(api):
    for who in ("service", seed.ALICE, seed.LOU):
        assert api.get(NUMBERS, who=who, params={"max": 1}).status_code == 200
    for who in ("bot", seed.BOB, seed.EVE):
        assert_webex_error(api.get(NUMBERS, who=who), 403)
    assert_webex_error(api.get(NUMBERS, who="service", params={"orgId": seed.OTHER_ORG_ID}), 403)


def test_assigning_a_location_number_takes_it_out_of_the_alternate_numbers(api, state):
    number = "+12143020050"
    before = api.get(alternate(seed.DALLAS_HQ), who="service").json()["phoneNumbers"]
    assert number in [r["phoneNumber"] for r in before]
    owner = NumberOwner(webex_id("PLACE", "conference-room"), "PLACE", "Conference Room")
    state.assign_number(number, owner, extension="5050")
    alternates = [r["phoneNumber"] for r in api.get(alternate(seed.DALLAS_HQ), who="service").json()["phoneNumbers"]]
    assert number not in alternates and len(alternates) == 119
    (row,) = every_row(api, phoneNumber=number)
    assert row["owner"] == {"id": owner.id, "type": "PLACE", "displayName": "Conference Room"}
    assert row["extension"] == "5050" and state.owner_of(number) == owner
    assert number in state.numbers_in_use()
    # A number that is no location's yet joins the location named.
    state.assign_number("+12145550100", owner, seed.DALLAS_HQ)
    assert every_row(api, phoneNumber="+12145550100")[0]["location"]["name"] == seed.DALLAS_HQ
    with pytest.raises(ValueError):
        state.assign_number(number, owner)
