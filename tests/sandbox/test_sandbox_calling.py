"""Webex Calling organisation settings: locations with calling details."""
from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from sandbox import seed
from sandbox_testkit import assert_webex_error

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
