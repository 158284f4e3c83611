"""The two Webex Calling APIs and locations."""
from __future__ import annotations

from itertools import product
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
from sandbox_testkit import assert_webex_error

from sandbox import seed
from sandbox.api.telephony import ROWS_PER_RESPONSE

VALIDATE = "telephony/config/actions/validateNumbers/invoke"


def alternate(location_id: str) -> str:
    return f"telephony/config/locations/{location_id}/autoAttendants/alternate/availableNumbers"


def validate(api, numbers, **params):
    return api.post(VALIDATE, who="service", json={"phoneNumbers": numbers}, params=params)


def test_validate_every_state_live_shape(api):
    numbers = list(seed.EXPECTED_STATES) + [seed.AVAILABLE_US]
    response = validate(api, numbers, orgId=seed.ORG_ID)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ERRORS" and list(body) == ["status", "phoneNumbers"]
    rows = body["phoneNumbers"]
    assert [r["phoneNumber"] for r in rows] == numbers
    assert [r["state"] for r in rows] == list(seed.EXPECTED_STATES.values()) + ["Duplicate In List"]
    by_number = {r["phoneNumber"]: r for r in rows[:-1]}
    assert by_number[seed.AVAILABLE_TOLL_FREE]["tollFreeNumber"] is True
    assert by_number[seed.AVAILABLE_US]["tollFreeNumber"] is False
    assert by_number[seed.AVAILABLE_US]["detail"] == []
    assert by_number[seed.DUPLICATE_IN_USE]["detail"] == [f"[Error 8363] DN is in use : {seed.DUPLICATE_IN_USE}"]
    assert by_number[seed.UNAVAILABLE]["detail"] == [f"[Error 8361] DN is unavailable : {seed.UNAVAILABLE}"]
    assert by_number[seed.INVALID_POSSIBLE]["detail"] == [f"[Error 8362] DN is invalid : {seed.INVALID_POSSIBLE}"]
    assert rows[-1]["detail"] == [f"[Error 8360] Duplicate DN in the request : {seed.AVAILABLE_US}"]


def test_validate_live_details_name_the_number_as_sent(api):
    """The live wording and codes (taken from live answers): one detail line per non-Available
    number, with the number exactly as the request wrote it."""
    numbers = [seed.AVAILABLE_US_2_NATIONAL, seed.AVAILABLE_US_2_NATIONAL, seed.INVALID_GARBAGE,
               seed.DUPLICATE_ASSIGNED, "+12143040001", seed.AVAILABLE_UK]
    rows = validate(api, numbers).json()["phoneNumbers"]
    assert [(r["phoneNumber"], r["state"], r["detail"]) for r in rows] == [
        (seed.AVAILABLE_US_2_NATIONAL, "Available", []),
        (seed.AVAILABLE_US_2_NATIONAL, "Duplicate In List",
         [f"[Error 8360] Duplicate DN in the request : {seed.AVAILABLE_US_2_NATIONAL}"]),
        (seed.INVALID_GARBAGE, "Invalid", [f"[Error 8362] DN is invalid : {seed.INVALID_GARBAGE}"]),
        (seed.DUPLICATE_ASSIGNED, "Duplicate", [f"[Error 8363] DN is in use : {seed.DUPLICATE_ASSIGNED}"]),
        ("+12143040001", "Unavailable", ["[Error 8361] DN is unavailable : +12143040001"]),
        (seed.AVAILABLE_UK, "Available", []),
    ]


def test_validate_doc_shape_and_ok_status(api, state):
    state.validate_shape = "doc"
    body = validate(api, [seed.AVAILABLE_US, seed.AVAILABLE_UK, seed.AVAILABLE_US_2_NATIONAL]).json()
    assert body == {"status": "OK", "numbers": [
        {"number": seed.AVAILABLE_US, "state": "Available", "tollFreeNumber": False},
        {"number": seed.AVAILABLE_UK, "state": "Available", "tollFreeNumber": False},
        {"number": seed.AVAILABLE_US_2_NATIONAL, "state": "Available", "tollFreeNumber": False}]}


def test_validate_doc_shape_has_no_detail(api, state):
    state.validate_shape = "doc"
    body = validate(api, [seed.DUPLICATE_IN_USE, seed.DUPLICATE_IN_USE, seed.INVALID_GARBAGE, seed.UNAVAILABLE]).json()
    assert body["status"] == "ERRORS"
    assert [set(r) for r in body["numbers"]] == [{"number", "state", "tollFreeNumber"}] * 4
    assert [r["state"] for r in body["numbers"]] == ["Duplicate", "Duplicate In List", "Invalid", "Unavailable"]


def test_validate_errors(api, state):
    assert_webex_error(validate(api, []), 400)
    assert_webex_error(validate(api, [1234]), 400)
    assert_webex_error(api.post(VALIDATE, who="service", json={}), 400)
    assert_webex_error(validate(api, [seed.AVAILABLE_US], orgId=seed.OTHER_ORG_ID), 403)
    state.validate_max_numbers = 2
    assert validate(api, ["+12145557861", "+12145557862"]).status_code == 200
    body = assert_webex_error(validate(api, ["+12145557861", "+12145557862", "+12145557863"]), 400)
    assert "at most 2" in body["message"]


def test_alternate_numbers_of_dallas_hq_cover_every_flag_combination(api, state):
    hq = state.location_named(seed.DALLAS_HQ)
    response = api.get(alternate(hq.id), who="service", params={"orgId": seed.ORG_ID})
    assert response.status_code == 200 and "next" not in response.links
    rows = response.json()["phoneNumbers"]
    assert len(rows) == 120
    assert list(rows[0]) == ["phoneNumber", "state", "isMainNumber", "telephonyType", "tollFreeNumber",
                             "isServiceNumber"]
    assert [r["phoneNumber"] for r in rows] == sorted(r["phoneNumber"] for r in rows)
    combos = {(r["state"], r["isMainNumber"], r["tollFreeNumber"], r["isServiceNumber"]) for r in rows}
    assert combos == set(product(("ACTIVE", "INACTIVE"), (True, False), (True, False), (True, False)))
    assert {r["telephonyType"] for r in rows} == {"PSTN_NUMBER"}


def test_alternate_numbers_paging_follows_link(api, state):
    big = state.location_named(seed.BIG_CAMPUS)
    first = api.get(alternate(big.id), who="service")
    assert len(first.json()["phoneNumbers"]) == 2000
    link = first.links["next"]["url"]
    query = parse_qs(urlparse(link).query)
    assert query["start"] == ["2000"] and query["max"] == ["2000"]
    second = api.get(link, who="service")
    assert len(second.json()["phoneNumbers"]) == seed.BIG_CAMPUS_COUNT - 2000 and "next" not in second.links
    page = api.get(alternate(big.id), who="service", params={"max": 10, "start": 2340})
    assert len(page.json()["phoneNumbers"]) == 5 and "next" not in page.links
    page = api.get(alternate(big.id), who="service", params={"max": 5000})
    assert len(page.json()["phoneNumbers"]) == 2000


def test_alternate_numbers_filter(api, state):
    hq = state.location_named(seed.DALLAS_HQ)
    wanted = ["+12143020002", "+12143020003", "+19999999999"]
    rows = api.get(alternate(hq.id), who="service", params={"phoneNumber": ",".join(wanted)}).json()["phoneNumbers"]
    assert [r["phoneNumber"] for r in rows] == wanted[:2]
    repeated = api.get(alternate(hq.id), who="service", params=[("phoneNumber", w) for w in wanted[:2]])
    assert [r["phoneNumber"] for r in repeated.json()["phoneNumbers"]] == wanted[:2]
    # An unencoded "+" arrives as a space.
    raw = api.get(f"{alternate(hq.id)}?phoneNumber=+12143020002,+12143020003", who="service")
    assert [r["phoneNumber"] for r in raw.json()["phoneNumbers"]] == wanted[:2]


@pytest.mark.parametrize("params", [{"max": "abc"}, {"max": 0}, {"max": -1}, {"start": -1}, {"start": "x"}])
def test_alternate_numbers_bad_paging_is_400(api, state, params):
    hq = state.location_named(seed.DALLAS_HQ)
    assert_webex_error(api.get(alternate(hq.id), who="service", params=params), 400)


def test_alternate_numbers_location_errors(api, state):
    assert_webex_error(api.get(alternate("nope"), who="service"), 404)
    body = assert_webex_error(api.get(alternate(state.location_named(seed.PARIS).id), who="service"), 404)
    assert body["errorCode"] == 4008
    empty = api.get(alternate(state.location_named(seed.EMPTY_SITE).id), who="service")
    assert empty.json() == {"phoneNumbers": []}
    assert_webex_error(api.get(alternate(state.location_named(seed.LONDON).id), who="bot"), 403)
    assert api.get(alternate(state.location_named(seed.LONDON).id), who=seed.ALICE).status_code == 200


def test_locations_name_filter_and_paging(api, state):
    items = api.get("locations", who="service", params={"orgId": seed.ORG_ID}).json()["items"]
    assert [i["name"] for i in items] == list(seed.LOCATION_NAMES)
    assert set(items[0]) == {"id", "name", "orgId", "timeZone", "preferredLanguage", "address"}
    dallas = api.get("locations", who="service", params={"name": "dallas"}).json()["items"]
    assert [i["name"] for i in dallas] == [seed.DALLAS_HQ, seed.DALLAS_WAREHOUSE]
    state.add_locations(150, "Branch")
    first = api.get("locations", who="service", params={"name": "branch"})
    assert len(first.json()["items"]) == 100
    second = api.get(first.links["next"]["url"], who="service")
    assert [i["name"] for i in second.json()["items"]][-1] == "Branch 150" and "next" not in second.links
    hq = state.location_named(seed.DALLAS_HQ)
    assert api.get(f"locations/{hq.id}", who="service").json()["name"] == seed.DALLAS_HQ
    assert_webex_error(api.get("locations/nope", who="service"), 404)
    assert_webex_error(api.get("locations", who="service", params={"orgId": seed.OTHER_ORG_ID}), 403)


def test_alternate_numbers_match_the_reference_page(api, state):
    """Field names, enum spellings and types as developer.webex.com documents them."""
    rows = api.get(alternate(seed.location_id(seed.DALLAS_HQ)), who="service").json()["phoneNumbers"]
    for row in rows:
        assert set(row) == {"phoneNumber", "state", "isMainNumber", "tollFreeNumber", "telephonyType",
                            "isServiceNumber"}
        assert row["phoneNumber"].startswith("+") and row["phoneNumber"][1:].isdigit()
        assert row["state"] in ("ACTIVE", "INACTIVE") and row["telephonyType"] == "PSTN_NUMBER"
        assert all(isinstance(row[flag], bool) for flag in ("isMainNumber", "tollFreeNumber", "isServiceNumber"))
    assert {r["state"] for r in rows} == {"ACTIVE", "INACTIVE"}


def test_alternate_numbers_default_max_is_2000_and_start_is_zero_based(api, state):
    big = alternate(seed.location_id(seed.BIG_CAMPUS))
    everything = [n.phone_number for n in state.location_named(seed.BIG_CAMPUS).numbers]
    assert [r["phoneNumber"] for r in api.get(big, who="service").json()["phoneNumbers"]] == everything[:2000]
    page = api.get(big, who="service", params={"start": 0, "max": 3}).json()["phoneNumbers"]
    assert [r["phoneNumber"] for r in page] == everything[:3]
    page = api.get(big, who="service", params={"start": 7, "max": 3}).json()["phoneNumbers"]
    assert [r["phoneNumber"] for r in page] == everything[7:10]
    beyond = api.get(big, who="service", params={"start": 5000})
    assert beyond.status_code == 200 and beyond.json() == {"phoneNumbers": []} and "next" not in beyond.links


def test_alternate_numbers_link_keeps_the_filter_and_org(api, state):
    hq = alternate(seed.location_id(seed.DALLAS_HQ))
    wanted = [n.phone_number for n in state.location_named(seed.DALLAS_HQ).numbers][:5]
    first = api.get(hq, who="service", params={"orgId": seed.ORG_ID, "max": 2, "phoneNumber": ",".join(wanted)})
    assert [r["phoneNumber"] for r in first.json()["phoneNumbers"]] == wanted[:2]
    assert first.links["next"]["rel"] == "next"
    query = parse_qs(urlparse(first.links["next"]["url"]).query)
    assert query == {"orgId": [seed.ORG_ID], "max": ["2"], "phoneNumber": [",".join(wanted)], "start": ["2"]}
    seen, url = [], hq + "?" + urlencode({"orgId": seed.ORG_ID, "max": 2, "phoneNumber": ",".join(wanted)})
    while url:
        response = api.get(url, who="service")
        seen += [r["phoneNumber"] for r in response.json()["phoneNumbers"]]
        url = response.links.get("next", {}).get("url")
    assert seen == wanted


def test_alternate_numbers_of_another_org_are_refused(api):
    response = api.get(alternate(seed.location_id(seed.DALLAS_HQ)), who="service",
                       params={"orgId": seed.OTHER_ORG_ID})
    assert_webex_error(response, 403)
    assert_webex_error(api.get(alternate(seed.location_id(seed.DALLAS_HQ)), who=None), 401)


def test_alternate_numbers_can_answer_fewer_rows_than_asked_with_a_link(api, server):
    server.app.config[ROWS_PER_RESPONSE] = 4
    hq = alternate(seed.location_id(seed.DALLAS_HQ))
    response = api.get(hq, who="service", params={"max": 11, "start": 3})
    assert len(response.json()["phoneNumbers"]) == 4
    query = parse_qs(urlparse(response.links["next"]["url"]).query)
    assert query["start"] == ["7"] and query["max"] == ["11"]
    last = api.get(hq, who="service", params={"max": 11, "start": 117})
    assert len(last.json()["phoneNumbers"]) == 3 and "next" not in last.links
