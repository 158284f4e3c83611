"""The Webex Calling write APIs: a location's phone numbers (add, activate, deactivate, remove),
the location's PSTN connection, and auto attendants (list, details, update of alternate numbers)."""
from __future__ import annotations

import json
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from sandbox_testkit import assert_webex_error
from webexpythonsdk.exceptions import ApiError
from webexpythonsdk.restsession import RestSession

from sandbox import seed
from sandbox.ids import decode_id

HQ = seed.location_id(seed.DALLAS_HQ)
VALIDATE = "telephony/config/actions/validateNumbers/invoke"
NEW = ["+12145550101", "+12145550102"]  # numbers no location has
LONDON_NUMBER = "+442079460002"  # an unassigned London number
HQ_FREE = "+12143020050"  # an unassigned, active Dallas HQ number


def numbers_path(location: str) -> str:
    return f"telephony/config/locations/{seed.location_id(location)}/numbers"


def alternates_of(api, location: str = seed.DALLAS_HQ) -> dict[str, dict]:
    path = f"telephony/config/locations/{seed.location_id(location)}/autoAttendants/alternate/availableNumbers"
    return {r["phoneNumber"]: r for r in api.get(path, who="service").json()["phoneNumbers"]}


def listed(api, number: str) -> list[dict]:
    return api.get("telephony/config/numbers", who="service", params={"phoneNumber": number}).json()["phoneNumbers"]


def validate_states(api, numbers: list[str]) -> list[str]:
    body = api.post(VALIDATE, who="service", json={"phoneNumbers": numbers}).json()
    return [r["state"] for r in body["phoneNumbers"]]


def add(api, location: str, numbers: list[str], who: str = "service", **fields):
    return api.post(numbers_path(location), who=who, json={"phoneNumbers": numbers, **fields})


def aa_path(name: str, location: str) -> str:
    return f"telephony/config/locations/{seed.location_id(location)}/autoAttendants/{seed.auto_attendant_id(name)}"


MAIN_MENU = aa_path(seed.MAIN_MENU, seed.DALLAS_HQ)


def details(api, path: str = MAIN_MENU) -> dict:
    response = api.get(path, who="service")
    assert response.status_code == 200, response.text
    return response.json()


def set_alternates(api, numbers: list[dict], path: str = MAIN_MENU, who: str = "service"):
    return api.put(path, who=who, json={"alternateNumbers": numbers})


# -- adding numbers -----------------------------------------------------------------------------


def test_added_numbers_answer_201_with_no_body_and_are_the_locations_unassigned_numbers(api, state):
    assert validate_states(api, NEW) == ["Available", "Available"]
    response = add(api, seed.DALLAS_HQ, NEW, params=None)
    assert response.status_code == 201 and response.content == b""
    assert response.headers["TrackingID"].startswith("ROUTER_")
    free = alternates_of(api)
    assert [free[n] for n in NEW] == [{"phoneNumber": n, "state": "ACTIVE", "isMainNumber": False,
                                       "telephonyType": "PSTN_NUMBER", "tollFreeNumber": False,
                                       "isServiceNumber": False} for n in NEW]
    assert list(free) == sorted(free)  # still in number order
    (row,) = listed(api, NEW[0])
    assert row["location"] == {"id": HQ, "name": seed.DALLAS_HQ} and "owner" not in row
    # Every number of the org is in use: validate now says Duplicate.
    assert validate_states(api, NEW) == ["Duplicate", "Duplicate"]
    assert {n.phone_number for n in state.location_numbers(seed.DALLAS_HQ)} >= set(NEW)


def test_added_numbers_take_the_state_type_and_usage_asked(api):
    toll_free = "+18885550100"
    assert add(api, seed.DALLAS_HQ, [NEW[0]], state="INACTIVE", numberUsageType="SERVICE").status_code == 201
    assert add(api, seed.DALLAS_HQ, [toll_free], numberType="TOLLFREE").status_code == 201
    free = alternates_of(api)
    assert (free[NEW[0]]["state"], free[NEW[0]]["isServiceNumber"], free[NEW[0]]["tollFreeNumber"]) == (
        "INACTIVE", True, False)
    assert (free[toll_free]["state"], free[toll_free]["tollFreeNumber"]) == ("ACTIVE", True)


def test_numbers_the_location_already_has_are_ignored(api, state):
    before = [n.phone_number for n in state.location_numbers(seed.DALLAS_HQ)]
    again = [seed.DALLAS_HQ_MAIN_NUMBER, HQ_FREE, seed.DUPLICATE_ASSIGNED]  # main, unassigned, Dana Diaz's
    response = add(api, seed.DALLAS_HQ, again, state="INACTIVE")
    assert response.status_code == 201
    assert [n.phone_number for n in state.location_numbers(seed.DALLAS_HQ)] == before
    assert alternates_of(api)[HQ_FREE]["state"] == "ACTIVE"  # not changed by the ignored add


def test_numbers_in_use_elsewhere_or_blocked_fail_one_by_one_in_a_list_body(api, state):
    """What wxc_sdk's add reads since 2025: a 400 whose body is a list, ``r[0]["errors"]``; the
    numbers that could be added are added."""
    response = add(api, seed.DALLAS_HQ, [LONDON_NUMBER, seed.UNAVAILABLE, NEW[0], seed.SUPPORT_NUMBER])
    assert response.status_code == 400 and response.headers["TrackingID"].startswith("ROUTER_")
    body = response.json()
    assert isinstance(body, list) and list(body[0]) == ["errors"]
    errors = body[0]["errors"]
    assert [e["number"] for e in errors] == [LONDON_NUMBER, seed.UNAVAILABLE, seed.SUPPORT_NUMBER]
    assert all(set(e) == {"number", "errorType", "errorCode", "errorMessage", "errorTitle"} for e in errors)
    assert all(isinstance(e["errorCode"], str) for e in errors)  # wxc_sdk NumberAddError.error_code: str
    assert errors[0]["errorCode"] == "8363"
    assert errors[0]["errorMessage"] == f"[Error 8363] DN is in use : {LONDON_NUMBER}"
    assert errors[1]["errorCode"] == "8361"
    assert NEW[0] in alternates_of(api)
    assert LONDON_NUMBER in alternates_of(api, seed.LONDON) and LONDON_NUMBER not in alternates_of(api)


def test_the_older_answer_refuses_the_whole_add_with_409(api, state):
    """wxc_sdk's live test of re-adding a location's main number: 409, errors[0].errorCode 8363,
    top-level errorCode 25223."""
    state.add_numbers_failure = "conflict"
    response = add(api, seed.DALLAS_HQ, [NEW[0], seed.DALLAS_HQ_MAIN_NUMBER])
    body = assert_webex_error(response, 409)
    assert body["errorCode"] == 25223 and body["errors"][0]["errorCode"] == 8363
    assert seed.DALLAS_HQ_MAIN_NUMBER in body["message"]
    assert NEW[0] not in alternates_of(api)
    assert add(api, seed.DALLAS_HQ, [NEW[0]]).status_code == 201


@pytest.mark.parametrize("body", [
    {}, {"phoneNumbers": []}, {"phoneNumbers": "+12145550101"}, {"phoneNumbers": [12145550101]},
    {"phoneNumbers": ["+12145550101", "12345"]},
    {"phoneNumbers": ["+11234567890"]},  # area code 123 does not exist
    {"phoneNumbers": ["2145550101"]},  # national format: adds take E.164 only
    {"phoneNumbers": ["+12145550101"], "numberType": "LANDLINE"},
    {"phoneNumbers": ["+12145550101"], "numberUsageType": "VIP"},
    {"phoneNumbers": ["+12145550101"], "state": "ON"},
])
def test_invalid_add_requests_are_400_and_add_nothing(api, state, body):
    before = len(state.location_numbers(seed.DALLAS_HQ))
    assert_webex_error(api.post(numbers_path(seed.DALLAS_HQ), who="service", json=body), 400)
    assert len(state.location_numbers(seed.DALLAS_HQ)) == before


def test_only_locations_with_a_non_integrated_pstn_may_add_numbers(api, state):
    for location in (seed.LONDON, seed.RICHARDSON, seed.EMPTY_SITE):  # Cisco Calling Plan, integrated CCP, none
        body = assert_webex_error(add(api, location, [NEW[0]]), 400)
        assert "only supported for non-integrated PSTN connection types" in body["message"]
    for i, location in enumerate((seed.DALLAS_WAREHOUSE, seed.BIG_CAMPUS)):  # route group, non-integrated CCP
        assert add(api, location, [NEW[i]]).status_code == 201
    state.set_connection(seed.LONDON, "TRUNK")
    assert add(api, seed.LONDON, ["+442079460100"]).status_code == 201
    with pytest.raises(ValueError):
        state.set_connection(seed.LONDON, "CARRIER_PIGEON")


def test_mobile_numbers_need_a_pstn_connection_and_are_not_alternate_numbers(api, state):
    mobile = "+447911123456"
    response = add(api, seed.LONDON, [mobile], numberType="MOBILE")  # Cisco Calling Plan has PSTN
    assert response.status_code == 201
    assert mobile not in alternates_of(api, seed.LONDON)
    (row,) = listed(api, mobile)
    assert row["state"] == "INACTIVE" and row["includedTelephonyTypes"] == "MOBILE_NUMBER"
    assert validate_states(api, [mobile]) == ["Duplicate"]
    too_many = [f"+4479111235{i:02d}" for i in range(21)]
    assert "at most 20" in assert_webex_error(add(api, seed.LONDON, too_many, numberType="MOBILE"), 400)["message"]
    assert_webex_error(add(api, seed.EMPTY_SITE, ["+12145550199"], numberType="MOBILE"), 400)


def test_number_writes_of_an_unknown_or_non_calling_location_are_404(api):
    for path in ("telephony/config/locations/nope/numbers", numbers_path(seed.PARIS)):
        for method in ("POST", "PUT", "DELETE"):
            body = assert_webex_error(api.call(method, path, who="service", json={"phoneNumbers": [NEW[0]]}), 404)
            assert body["errorCode"] == 4008


def test_number_writes_need_a_full_administrator_of_this_org(api, state):
    for method in ("POST", "PUT", "DELETE"):
        for who in ("bot", seed.LOU, seed.BOB, seed.EVE):
            assert_webex_error(api.call(method, numbers_path(seed.DALLAS_HQ), who=who, json={"phoneNumbers": NEW}), 403)
        assert_webex_error(api.call(method, numbers_path(seed.DALLAS_HQ), who=None, json={"phoneNumbers": NEW}), 401)
        assert_webex_error(api.call(method, numbers_path(seed.DALLAS_HQ), who="service", json={"phoneNumbers": NEW},
                                    params={"orgId": seed.OTHER_ORG_ID}), 403)
    assert add(api, seed.DALLAS_HQ, NEW, who=seed.ALICE, params={"orgId": seed.ORG_ID}).status_code == 201


# -- activating, deactivating, removing -----------------------------------------------------------


def test_activate_is_the_default_action_and_deactivate_turns_numbers_off(api):
    assert add(api, seed.DALLAS_HQ, NEW, state="INACTIVE").status_code == 201
    path = numbers_path(seed.DALLAS_HQ)
    response = api.put(path, who="service", json={"phoneNumbers": NEW})
    assert response.status_code == 204 and response.content == b""
    assert [alternates_of(api)[n]["state"] for n in NEW] == ["ACTIVE", "ACTIVE"]
    assert api.put(path, who="service", json={"phoneNumbers": [NEW[1]], "action": "DEACTIVATE"}).status_code == 204
    assert [alternates_of(api)[n]["state"] for n in NEW] == ["ACTIVE", "INACTIVE"]
    # An assigned number may be activated, not deactivated ("the numbers must be unassigned").
    assert api.put(path, who="service", json={"phoneNumbers": [seed.DUPLICATE_ASSIGNED]}).status_code == 204
    assert_webex_error(api.put(path, who="service", json={"phoneNumbers": [seed.DUPLICATE_ASSIGNED],
                                                          "action": "DEACTIVATE"}), 400)


def test_a_state_change_with_a_number_the_location_lacks_changes_nothing(api):
    assert add(api, seed.DALLAS_HQ, NEW, state="INACTIVE").status_code == 201
    path = numbers_path(seed.DALLAS_HQ)
    body = assert_webex_error(api.put(path, who="service", json={"phoneNumbers": [NEW[0], LONDON_NUMBER]}), 400)
    assert LONDON_NUMBER in body["message"]
    assert alternates_of(api)[NEW[0]]["state"] == "INACTIVE"
    assert_webex_error(api.put(path, who="service", json={"phoneNumbers": NEW, "action": "PAUSE"}), 400)
    too_many = [f"+1214555{i:04d}" for i in range(501)]
    assert_webex_error(api.put(path, who="service", json={"phoneNumbers": too_many, "action": "DEACTIVATE"}), 400)
    assert_webex_error(api.put(numbers_path(seed.LONDON), who="service", json={"phoneNumbers": [LONDON_NUMBER]}), 400)


def test_removed_numbers_leave_the_location_and_are_available_again(api, state):
    assert add(api, seed.DALLAS_HQ, NEW).status_code == 201
    response = api.delete(numbers_path(seed.DALLAS_HQ), who="service", json={"phoneNumbers": NEW})
    assert response.status_code == 204 and response.content == b""
    assert not set(NEW) & set(alternates_of(api)) and listed(api, NEW[0]) == []
    assert validate_states(api, NEW) == ["Available", "Available"]


def test_remove_refusals(api, state):
    path = numbers_path(seed.DALLAS_HQ)
    six = [f"+1214302{i:04d}" for i in range(20, 26)]
    body = assert_webex_error(api.delete(path, who="service", json={"phoneNumbers": six}), 400)
    assert "at most 5" in body["message"]
    main = assert_webex_error(api.delete(path, who="service", json={"phoneNumbers": [seed.DALLAS_HQ_MAIN_NUMBER]}), 400)
    assert "main number cannot be removed" in main["message"]
    assert_webex_error(api.delete(path, who="service", json={"phoneNumbers": [seed.DUPLICATE_ASSIGNED]}), 400)
    # A number the location does not have: 502 with cisco-spark-error-codes 4251 (wxc_sdk's live test) ...
    unknown = api.delete(path, who="service", json={"phoneNumbers": [HQ_FREE, NEW[0]]})
    assert_webex_error(unknown, 502)
    assert unknown.headers["cisco-spark-error-codes"] == "4251"
    assert HQ_FREE in alternates_of(api)  # nothing removed
    # ... or, as it "used to be", 400 with errorCode 25089.
    state.remove_unknown_number = "400"
    old = assert_webex_error(api.delete(path, who="service", json={"phoneNumbers": [NEW[0]]}), 400)
    assert old["errorCode"] == 25089
    london = api.delete(numbers_path(seed.LONDON), who="service", json={"phoneNumbers": [LONDON_NUMBER]})
    assert_webex_error(london, 400)


# -- the location's PSTN connection ----------------------------------------------------------------


def test_location_details_show_the_pstn_connection(api, state):
    hq = api.get(f"telephony/config/locations/{HQ}", who="service", params={"orgId": seed.ORG_ID}).json()
    assert list(hq) == ["id", "name", "announcementLanguage", "callingLineId", "connection", "externalCallerIdName",
                        "userLimit", "defaultDomain", "e911SetupRequired"]
    assert hq["callingLineId"] == {"name": seed.ORG_NAME, "phoneNumber": seed.DALLAS_HQ_MAIN_NUMBER}
    assert hq["connection"]["type"] == "TRUNK"
    assert decode_id(hq["connection"]["id"]).startswith("ciscospark://us/TRUNK/")

    def connection(location: str):
        path = f"telephony/config/locations/{seed.location_id(location)}"
        return api.get(path, who="service").json().get("connection")

    assert connection(seed.DALLAS_WAREHOUSE)["type"] == "ROUTE_GROUP"
    assert connection(seed.LONDON) == {"type": "CISCO_PSTN"}  # live, as wxc_sdk's RouteType reads it
    assert connection(seed.BIG_CAMPUS) == connection(seed.RICHARDSON) == {"type": "CLOUD_CONNECTED_PSTN"}
    assert connection(seed.EMPTY_SITE) is None
    state.connection_shape = "doc"  # "only returned for local PSTN types of TRUNK or ROUTE_GROUP"
    assert connection(seed.LONDON) is None and connection(seed.BIG_CAMPUS) is None
    assert connection(seed.DALLAS_HQ)["type"] == "TRUNK"
    assert_webex_error(api.get(f"telephony/config/locations/{seed.location_id(seed.PARIS)}", who="service"), 404)
    assert_webex_error(api.get(f"telephony/config/locations/{HQ}", who="bot"), 403)


def test_the_pstn_connection_tells_non_integrated_ccp_from_integrated(api):
    def pstn(location: str):
        return api.get(f"telephony/pstn/locations/{seed.location_id(location)}/connection", who="service")

    hq = pstn(seed.DALLAS_HQ).json()
    assert hq["pstnConnectionType"] == "LOCAL_GATEWAY" and hq["routeType"] == "TRUNK"
    details_id = api.get(f"telephony/config/locations/{HQ}", who="service").json()["connection"]["id"]
    assert hq["routeId"] == details_id
    assert pstn(seed.BIG_CAMPUS).json()["pstnConnectionType"] == "NON_INTEGRATED_CCP"
    assert pstn(seed.RICHARDSON).json()["pstnConnectionType"] == "INTEGRATED_CCP"
    assert pstn(seed.LONDON).json()["pstnConnectionType"] == "CISCO_PSTN"
    assert_webex_error(pstn(seed.EMPTY_SITE), 404)


# -- auto attendants ----------------------------------------------------------------------------------


def test_the_list_of_auto_attendants(api):
    response = api.get("telephony/config/autoAttendants", who="service", params={"orgId": seed.ORG_ID})
    assert response.status_code == 200 and "next" not in response.links
    rows = response.json()["autoAttendants"]
    assert [r["name"] for r in rows] == [seed.LONDON_SWITCHBOARD, seed.MAIN_MENU, seed.WAREHOUSE_RECEPTION]
    assert rows[1] == {"id": seed.auto_attendant_id(seed.MAIN_MENU), "name": seed.MAIN_MENU,
                       "locationName": seed.DALLAS_HQ, "locationId": HQ, "phoneNumber": seed.MAIN_MENU_NUMBER,
                       "extension": "9002", "tollFreeNumber": False}
    assert rows[2] | {"id": ""} == {"id": "", "name": seed.WAREHOUSE_RECEPTION, "locationName": seed.DALLAS_WAREHOUSE,
                                    "locationId": seed.location_id(seed.DALLAS_WAREHOUSE), "extension": "2100",
                                    "tollFreeNumber": False}
    # The numbers API names the same id as the owner of Main Menu's number.
    assert listed(api, seed.MAIN_MENU_NUMBER)[0]["owner"]["id"] == rows[1]["id"]


def test_auto_attendant_list_filters_and_paging(api, state):
    def names(**params) -> list[str]:
        return [r["name"] for r in api.get("telephony/config/autoAttendants", who="service",
                                           params=params).json()["autoAttendants"]]

    assert names(locationId=HQ) == [seed.MAIN_MENU]
    assert names(name="MENU") == [seed.MAIN_MENU]
    assert names(phoneNumber=seed.MAIN_MENU_NUMBER) == names(phoneNumber="2143029002") == [seed.MAIN_MENU]
    assert names(locationId="nope") == []
    for i in range(4):
        state.add_auto_attendant(f"Branch Menu {i}", seed.BIG_CAMPUS, extension=f"70{i}")
    first = api.get("telephony/config/autoAttendants", who="service", params={"name": "branch", "max": 3})
    assert [r["name"] for r in first.json()["autoAttendants"]] == ["Branch Menu 0", "Branch Menu 1", "Branch Menu 2"]
    query = parse_qs(urlparse(first.links["next"]["url"]).query)
    assert query == {"name": ["branch"], "max": ["3"], "start": ["3"]}
    rest = api.get(first.links["next"]["url"], who="service")
    assert [r["name"] for r in rest.json()["autoAttendants"]] == ["Branch Menu 3"] and "next" not in rest.links
    assert_webex_error(api.get("telephony/config/autoAttendants", who="service", params={"max": 0}), 400)
    assert_webex_error(api.get("telephony/config/autoAttendants", who="service",
                               params={"orgId": seed.OTHER_ORG_ID}), 403)
    assert api.get("telephony/config/autoAttendants", who=seed.LOU).status_code == 200  # read-only admin reads
    assert_webex_error(api.get("telephony/config/autoAttendants", who="bot"), 403)


def test_auto_attendant_details_carry_the_alternate_numbers_and_the_specs_fields(api):
    body = details(api)
    assert list(body) == ["id", "name", "enabled", "phoneNumber", "extension", "tollFreeNumber", "firstName",
                          "lastName", "alternateNumbers", "language", "languageCode", "businessSchedule",
                          "holidaySchedule", "extensionDialing", "nameDialing", "timeZone", "businessHoursMenu",
                          "afterHoursMenu", "directLineCallerIdName", "dialByName"]
    assert body["alternateNumbers"] == [{"phoneNumber": seed.MAIN_MENU_ALTERNATE, "tollFreeNumber": False,
                                         "ringPattern": "NORMAL"}]
    assert (body["firstName"], body["lastName"], body["language"]) == ("Main", "Menu", "English")
    menu = body["businessHoursMenu"]
    assert {"greeting", "extensionEnabled", "keyConfigurations"} <= set(menu)
    assert {"key": "0", "action": "EXIT"} in menu["keyConfigurations"]
    # No alternate numbers: the field is left out, as in the spec's example.
    reception = details(api, aa_path(seed.WAREHOUSE_RECEPTION, seed.DALLAS_WAREHOUSE))
    assert "alternateNumbers" not in reception and "phoneNumber" not in reception and reception["extension"] == "2100"
    # In another location's path, or unknown: 404 with 4008.
    wrong = f"telephony/config/locations/{seed.location_id(seed.LONDON)}/autoAttendants/{body['id']}"
    assert assert_webex_error(api.get(wrong, who="service"), 404)["errorCode"] == 4008
    assert_webex_error(api.get(f"telephony/config/locations/{HQ}/autoAttendants/nope", who="service"), 404)
    assert api.get(MAIN_MENU, who=seed.LOU).status_code == 200


def test_an_appended_alternate_number_is_assigned_to_the_auto_attendant(api):
    """Read, append, write (alternateNumbers replaces the whole list), read again."""
    current = details(api)["alternateNumbers"]
    response = set_alternates(api, current + [{"phoneNumber": HQ_FREE, "ringPattern": "LONG_LONG"}])
    assert response.status_code == 204 and response.content == b""
    assert details(api)["alternateNumbers"] == [
        {"phoneNumber": seed.MAIN_MENU_ALTERNATE, "tollFreeNumber": False, "ringPattern": "NORMAL"},
        {"phoneNumber": HQ_FREE, "tollFreeNumber": False, "ringPattern": "LONG_LONG"}]
    assert HQ_FREE not in alternates_of(api)
    (row,) = listed(api, HQ_FREE)
    assert row["phoneNumberType"] == "ALTERNATE" and "extension" not in row
    assert row["owner"] == {"id": seed.auto_attendant_id(seed.MAIN_MENU), "type": "AUTO_ATTENDANT",
                            "displayName": seed.MAIN_MENU}
    assert validate_states(api, [HQ_FREE]) == ["Duplicate"]


def test_an_alternate_number_taken_off_the_list_is_available_again(api, state):
    assert set_alternates(api, []).status_code == 204
    assert "alternateNumbers" not in details(api)
    free = alternates_of(api)
    assert free[seed.MAIN_MENU_ALTERNATE] == {"phoneNumber": seed.MAIN_MENU_ALTERNATE, "state": "ACTIVE",
                                              "isMainNumber": False, "telephonyType": "PSTN_NUMBER",
                                              "tollFreeNumber": False, "isServiceNumber": False}
    assert "owner" not in listed(api, seed.MAIN_MENU_ALTERNATE)[0]
    assert state.owner_of(seed.MAIN_MENU_ALTERNATE) is None
    assert state.owner_of(seed.MAIN_MENU_NUMBER).display_name == seed.MAIN_MENU  # the primary number stays


@pytest.mark.parametrize("alternates, words", [
    ([{"phoneNumber": LONDON_NUMBER}], "not an available number of location Dallas HQ"),
    ([{"phoneNumber": "+12145550101"}], "not an available number"),  # no location's number
    ([{"phoneNumber": seed.DUPLICATE_ASSIGNED}], f"[Error 8363] DN is in use : {seed.DUPLICATE_ASSIGNED}"),
    ([{"phoneNumber": HQ_FREE, "ringPattern": "LOUD"}], "ringPattern"),
    ([{"phoneNumber": HQ_FREE}, {"phoneNumber": HQ_FREE}], "twice"),
    ([{"phoneNumber": seed.MAIN_MENU_NUMBER}], "phone number"),
    ([{"phoneNumber": f"+1214302{i:04d}"} for i in range(20, 31)], "at most 10"),
    ([{"ringPattern": "NORMAL"}], "phoneNumber"),
    ({"phoneNumber": HQ_FREE}, "list"),
])
def test_alternate_numbers_webex_refuses_change_nothing(api, alternates, words):
    before = details(api)
    body = assert_webex_error(set_alternates(api, alternates), 400)
    assert words in body["message"]
    assert details(api) == before
    assert HQ_FREE in alternates_of(api)


def test_ten_alternate_numbers_are_accepted(api, state):
    ten = [{"phoneNumber": f"+1214302{i:04d}", "ringPattern": "NORMAL"} for i in range(20, 30)]
    assert set_alternates(api, ten).status_code == 204
    assert len(details(api)["alternateNumbers"]) == 10
    state.max_alternate_numbers = 2
    assert_webex_error(set_alternates(api, ten[:3]), 400)


def test_a_partial_update_changes_only_what_it_sends(api, state):
    response = api.put(MAIN_MENU, who="service", json={"name": "Main Reception", "extensionDialing": "GROUP"})
    assert response.status_code == 204
    body = details(api)
    assert body["name"] == "Main Reception" and body["extensionDialing"] == "GROUP"
    assert body["alternateNumbers"][0]["phoneNumber"] == seed.MAIN_MENU_ALTERNATE and body["extension"] == "9002"
    # The numbers' owner carries the new name.
    assert listed(api, seed.MAIN_MENU_ALTERNATE)[0]["owner"]["displayName"] == "Main Reception"
    assert listed(api, seed.MAIN_MENU_NUMBER)[0]["owner"]["displayName"] == "Main Reception"
    assert_webex_error(api.put(MAIN_MENU, who="service", json={"nameDialing": "EVERYONE"}), 400)
    assert_webex_error(api.put(MAIN_MENU, who="service", json={"name": ""}), 400)
    assert_webex_error(api.put(MAIN_MENU, who="service", json={"phoneNumber": None, "extension": None}), 400)
    assert_webex_error(api.put(MAIN_MENU, who="service", json=[]), 400)


def test_a_new_phone_number_frees_the_old_one(api, state):
    assert api.put(MAIN_MENU, who="service", json={"phoneNumber": HQ_FREE}).status_code == 204
    assert details(api)["phoneNumber"] == HQ_FREE
    assert seed.MAIN_MENU_NUMBER in alternates_of(api) and HQ_FREE not in alternates_of(api)
    (row,) = listed(api, HQ_FREE)
    assert row["phoneNumberType"] == "PRIMARY" and row["extension"] == "9002"
    # One of its alternate numbers cannot also be its phone number.
    assert_webex_error(api.put(MAIN_MENU, who="service", json={"phoneNumber": seed.MAIN_MENU_ALTERNATE}), 400)
    assert details(api)["phoneNumber"] == HQ_FREE


def test_a_wxc_sdk_style_update_body_is_accepted(api):
    """wxc_sdk updates with ``AutoAttendant.create_or_update()``: the details as read, less id,
    enabled, tollFreeNumber, language, esn, routingPrefix, locationName, locationId; each
    alternate number keeps its tollFreeNumber."""
    body = details(api)
    for read_only in ("id", "enabled", "tollFreeNumber", "language"):
        body.pop(read_only)
    body["alternateNumbers"].append({"phoneNumber": HQ_FREE, "ringPattern": "SHORT_LONG_SHORT",
                                     "tollFreeNumber": False})
    assert api.put(MAIN_MENU, who="service", json=body).status_code == 204
    after = details(api)
    assert [n["phoneNumber"] for n in after["alternateNumbers"]] == [seed.MAIN_MENU_ALTERNATE, HQ_FREE]
    assert after["businessHoursMenu"] == body["businessHoursMenu"]


def test_updating_an_auto_attendant_needs_an_administrator_of_this_org(api):
    alternates = [{"phoneNumber": HQ_FREE, "ringPattern": "NORMAL"}]
    for who in ("bot", seed.LOU, seed.BOB, seed.EVE):
        assert_webex_error(set_alternates(api, alternates, who=who), 403)
    assert_webex_error(api.put(MAIN_MENU, who="service", json={"alternateNumbers": alternates},
                               params={"orgId": seed.OTHER_ORG_ID}), 403)
    assert_webex_error(api.put(f"telephony/config/locations/{HQ}/autoAttendants/nope", who="service",
                               json={"alternateNumbers": alternates}), 404)
    assert set_alternates(api, alternates, who=seed.ALICE).status_code == 204


# -- faults, the state's helpers, webexpythonsdk -------------------------------------------------------


def test_a_502_after_the_fact_answers_for_writes_that_were_done(api, state):
    fault = state.inject_fault("POST", r"/numbers$", status=502, stage="after")
    assert "upstream server" in assert_webex_error(add(api, seed.DALLAS_HQ, NEW), 502)["message"]
    assert fault.hits == 1 and set(NEW) <= set(alternates_of(api))
    state.inject_fault("PUT", r"/autoAttendants/", status=502, stage="after")
    assert_webex_error(set_alternates(api, [{"phoneNumber": NEW[0], "ringPattern": "NORMAL"}]), 502)
    assert [n["phoneNumber"] for n in details(api)["alternateNumbers"]] == [NEW[0]]
    assert state.owner_of(seed.MAIN_MENU_ALTERNATE) is None
    # Before the fact (the default): nothing is done.
    state.inject_fault("DELETE", r"/numbers$", status=503)
    assert_webex_error(api.delete(numbers_path(seed.DALLAS_HQ), who="service", json={"phoneNumbers": [NEW[1]]}), 503)
    assert NEW[1] in alternates_of(api)
    assert [c.status for c in state.calls(path_contains="/numbers", method="POST")] == [502]


def test_the_state_helpers(state):
    hq = state.location_named(seed.DALLAS_HQ)
    numbers = state.location_numbers(seed.DALLAS_HQ)
    assert len(numbers) == 123 and numbers == state.location_numbers(hq.id)
    assert [aa.name for aa in state.auto_attendants(seed.DALLAS_HQ)] == [seed.MAIN_MENU]
    main = state.auto_attendant(seed.auto_attendant_id(seed.MAIN_MENU))
    assert main is state.auto_attendant_named(seed.MAIN_MENU) and main.phone_number == seed.MAIN_MENU_NUMBER
    assert state.auto_attendant("nope") is None
    made = state.add_auto_attendant("Night Line", seed.DALLAS_HQ, phone_number=HQ_FREE,
                                    alternate_numbers=("+12143020051",))
    assert state.owner_of(HQ_FREE) == state.owner_of("+12143020051") == made.owner
    assert [aa.name for aa in state.auto_attendants(hq)] == [seed.MAIN_MENU, "Night Line"]
    assert state.set_connection(seed.EMPTY_SITE, "ROUTE_GROUP").allows_number_changes
    free = state.unassign_number("+12143020051")
    assert free.phone_number in [n.phone_number for n in hq.numbers]


def test_the_sandbox_state_page_shows_connections_and_auto_attendants(server, state):
    body = requests.get(f"{server.url}/_sandbox/state", timeout=5).json()
    assert {loc["name"]: loc["pstnConnection"] for loc in body["locations"]} == seed.CONNECTIONS
    main = next(aa for aa in body["autoAttendants"] if aa["name"] == seed.MAIN_MENU)
    assert main["alternateNumbers"] == [seed.MAIN_MENU_ALTERNATE] and main["locationId"] == HQ


def test_webexpythonsdk_rest_session_can_call_the_writes(server, state):
    """The bot's SDK: ``request`` with the expected code works for all three; ``post`` and ``put``
    also parse the body as JSON, which a 201 or 204 with no body does not have."""
    session = RestSession(seed.SERVICE_APP_TOKEN, server.api_url + "/")
    path = numbers_path(seed.DALLAS_HQ)
    assert session.request("POST", path, 201, json={"phoneNumbers": NEW, "state": "INACTIVE"}).status_code == 201
    assert session.request("PUT", path, 204, json={"phoneNumbers": NEW, "action": "ACTIVATE"}).status_code == 204
    session.delete(path, json={"phoneNumbers": [NEW[1]]}, erc=204)
    assert [n.phone_number for n in state.location_numbers(seed.DALLAS_HQ) if n.phone_number in NEW] == [NEW[0]]
    with pytest.raises(json.JSONDecodeError):
        session.post(path, json={"phoneNumbers": ["+12145550103"]}, erc=201)  # added, but no JSON to parse
    with pytest.raises(ApiError) as refused:
        session.request("POST", numbers_path(seed.LONDON), 201, json={"phoneNumbers": ["+442079460100"]})
    assert refused.value.status_code == 400
    aa = session.get(MAIN_MENU)
    assert aa["alternateNumbers"][0]["phoneNumber"] == seed.MAIN_MENU_ALTERNATE
    session.request("PUT", MAIN_MENU, 204, json={"alternateNumbers": aa["alternateNumbers"] + [
        {"phoneNumber": NEW[0], "ringPattern": "NORMAL"}]})
    assert [n.phone_number for n in state.auto_attendant_named(seed.MAIN_MENU).alternate_numbers] == [
        seed.MAIN_MENU_ALTERNATE, NEW[0]]
