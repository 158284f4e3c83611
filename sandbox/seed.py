"""The seeded organisation: people, tokens, rooms, locations and numbers.

Pure data builders and documented constants. Everything is deterministic, so
ids and tokens printed by ``python -m sandbox`` are valid in every run.
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import product

from sandbox.ids import seeded_id, webex_id
from sandbox.models import AlternateNumber, AutoAttendant, AvailableNumber, Location, NumberOwner, Person

ORG_ID = seeded_id("ORGANIZATION", "numbot-sandbox-org")
# The org's name: a location's calling line id name unless set ("By default the Org name", List
# Locations Webex Calling Details).
ORG_NAME = "Example Corp"
OTHER_ORG_ID = seeded_id("ORGANIZATION", "outsider-org")
APP_ID = seeded_id("APPLICATION", "numbot")

# Real Webex role ids are base64 of ``ciscospark://us/ROLE/<name>`` (live GET /people answers quoted
# in public code carry Y2lzY29zcGFyazovL3VzL1JPTEUvaWRfZnVsbF9hZG1pbg, the full administrator; the
# reference pages' example role ids are uuids instead), with the role names the SCIM 2 schemas
# document (wxc_sdk open_api/generated/Others/Webex-Admin/All-APIs/scim-2/scim2-schemas_auto.py):
# id_full_admin, id_user_admin, id_readonly_admin, id_device_admin.
FULL_ADMIN_ROLE_ID = webex_id("ROLE", "id_full_admin")
USER_ADMIN_ROLE_ID = webex_id("ROLE", "id_user_admin")
READONLY_ADMIN_ROLE_ID = webex_id("ROLE", "id_readonly_admin")
DEVICE_ADMIN_ROLE_ID = webex_id("ROLE", "id_device_admin")

BOT_EMAIL = "numbot@webex.bot"
# Real bots have display names such as "Numbot 2000": several words, digits included, so a
# mention may be shortened to its first word ("Numbot") by the sender's client.
BOT_NAME = "Numbot 2000"
ALICE = "alice@example.com"  # full administrator
LOU = "lou@example.com"  # read-only administrator
BOB = "bob@example.com"  # plain user
EVE = "eve@outsider.test"  # another organisation

BOT_TOKEN = "sandbox-bot-token"
PERSON_TOKENS = {
    ALICE: "sandbox-token-alice",
    LOU: "sandbox-token-lou",
    BOB: "sandbox-token-bob",
    EVE: "sandbox-token-eve",
}

SERVICE_APP_CLIENT_ID = "sandbox-service-app-client-id"
SERVICE_APP_CLIENT_SECRET = "sandbox-service-app-client-secret"
SERVICE_APP_REFRESH_TOKEN = "sandbox-service-app-refresh-token"
# A ready service app access token that never expires on its own
# (``Sandbox.expire_service_tokens`` still kills it).
SERVICE_APP_TOKEN = "sandbox-service-app-access-token"
WEBHOOK_SECRET = "sandbox-webhook-secret"  # a suggestion for the bot's webhooks

GROUP_ROOM_TITLE = "Voice team"
GROUP_MEMBERS = (ALICE, LOU, BOB)

# Location names, as an admin types them.
DALLAS_HQ = "Dallas HQ"
DALLAS_WAREHOUSE = "Dallas Warehouse"
LONDON = "London"
BIG_CAMPUS = "Big Campus"
EMPTY_SITE = "Empty Site"
PARIS = "Paris Office"  # not enabled for Webex Calling
RICHARDSON = "Richardson"
LOCATION_NAMES = (DALLAS_HQ, DALLAS_WAREHOUSE, LONDON, BIG_CAMPUS, EMPTY_SITE, PARIS, RICHARDSON)
BIG_CAMPUS_COUNT = 2345  # more than the API's default max of 2000
DALLAS_HQ_MAIN_NUMBER = "+12143020001"

# Example numbers for validate tests and demos. EXPECTED_STATES is what the sandbox's validate
# API answers for each when it is sent; the bot itself never sends INVALID_GARBAGE (it lists
# "12345" as not a phone number), so in a conversation Invalid comes from INVALID_POSSIBLE.
AVAILABLE_US = "+12145557861"
AVAILABLE_US_2 = "+12145557862"
AVAILABLE_US_2_NATIONAL = "2145557862"  # the same number in US national format
AVAILABLE_UK = "+442071838750"
AVAILABLE_TOLL_FREE = "+18332001234"
DUPLICATE_IN_USE = DALLAS_HQ_MAIN_NUMBER  # every number of the org is in use, assigned or not
DUPLICATE_ASSIGNED = "+12143029001"  # Dana Diaz's number at Dallas HQ (an owner, not an alternate number)
UNAVAILABLE = "+12143040000"  # blocked by the PSTN provider
INVALID_POSSIBLE = "+11234567890"  # looks possible (10 digits) but area code 123 does not exist
INVALID_GARBAGE = "12345"
EXPECTED_STATES = {
    AVAILABLE_US: "Available",
    AVAILABLE_US_2: "Available",
    AVAILABLE_US_2_NATIONAL: "Available",
    AVAILABLE_UK: "Available",
    AVAILABLE_TOLL_FREE: "Available",
    DUPLICATE_IN_USE: "Duplicate",
    DUPLICATE_ASSIGNED: "Duplicate",
    UNAVAILABLE: "Unavailable",
    INVALID_POSSIBLE: "Invalid",
    INVALID_GARBAGE: "Invalid",
}

# Numbers assigned to an owner (Get Phone Numbers for an Organization shows them with ``owner``):
# in use, and never an alternate available number, since those "are unassigned". Two of them were
# unassigned numbers of their location's list (FRONT_DESK_NUMBER, SALES_NUMBER) and left it.
MAIN_MENU_NUMBER = "+12143029002"  # auto attendant "Main Menu", Dallas HQ
LOBBY_PHONE_NUMBER = "+14693029001"  # workspace "Lobby Phone", Dallas Warehouse
FRONT_DESK_NUMBER = "+14693020030"  # virtual line "Front Desk", Dallas Warehouse
SALES_NUMBER = "+19723020012"  # hunt group "Sales", Richardson
SUPPORT_NUMBER = "+442079469001"  # call queue "Support", London (a service number)
# number -> (owner type, owner display name, location name, extension)
OWNERS = {
    DUPLICATE_ASSIGNED: ("PEOPLE", "Dana Diaz", DALLAS_HQ, "9001"),
    MAIN_MENU_NUMBER: ("AUTO_ATTENDANT", "Main Menu", DALLAS_HQ, "9002"),
    LOBBY_PHONE_NUMBER: ("PLACE", "Lobby Phone", DALLAS_WAREHOUSE, "9001"),
    FRONT_DESK_NUMBER: ("VIRTUAL_LINE", "Front Desk", DALLAS_WAREHOUSE, "2030"),
    SALES_NUMBER: ("HUNT_GROUP", "Sales", RICHARDSON, "2012"),
    SUPPORT_NUMBER: ("CALL_QUEUE", "Support", LONDON, "9001"),
}

# Auto attendants (GET /telephony/config/autoAttendants). "Main Menu" answers MAIN_MENU_NUMBER and
# has one alternate number, MAIN_MENU_ALTERNATE: a Dallas HQ number already assigned to it (owner
# type AUTO_ATTENDANT, phoneNumberType ALTERNATE), so it is in no location's alternate available
# numbers and every seeded list and validate answer stays as it was. The other two have an
# extension only ("Either phoneNumber or extension is mandatory", the spec).
MAIN_MENU = "Main Menu"
WAREHOUSE_RECEPTION = "Warehouse Reception"
LONDON_SWITCHBOARD = "London Switchboard"
MAIN_MENU_ALTERNATE = "+12143029003"
# name -> (location, phone number, extension, alternate numbers as (number, ring pattern))
AUTO_ATTENDANTS = {
    MAIN_MENU: (DALLAS_HQ, MAIN_MENU_NUMBER, "9002", ((MAIN_MENU_ALTERNATE, "NORMAL"),)),
    WAREHOUSE_RECEPTION: (DALLAS_WAREHOUSE, None, "2100", ()),
    LONDON_SWITCHBOARD: (LONDON, None, "9100", ()),
}
ALTERNATE_OWNED = {number for *_, alternates in AUTO_ATTENDANTS.values() for number, _ in alternates}
# The assigned numbers (every location number is in use too): owners' numbers and alternate numbers.
IN_USE_EXTRA = frozenset(OWNERS) | frozenset(ALTERNATE_OWNED)

# Each location's PSTN connection (Location.connection): adding, activating and removing numbers
# works at Local Gateway (TRUNK, ROUTE_GROUP) and non-integrated CCP locations only.
CONNECTIONS = {
    DALLAS_HQ: "TRUNK",
    DALLAS_WAREHOUSE: "ROUTE_GROUP",
    LONDON: "CISCO_PSTN",  # Cisco Calling Plan: refuses
    BIG_CAMPUS: "NON_INTEGRATED_CCP",
    EMPTY_SITE: None,  # no PSTN connection set up yet: refuses
    PARIS: None,  # not a Webex Calling location
    RICHARDSON: "INTEGRATED_CCP",  # refuses
}
UNAVAILABLE_NUMBERS = frozenset({UNAVAILABLE, "+12143040001", "+442079469999"})


def people() -> list[Person]:
    def person(email: str, first: str, last: str, roles: list[str], org: str = ORG_ID) -> Person:
        return Person(
            id=seeded_id("PEOPLE", email),
            email=email,
            display_name=f"{first} {last}",
            first_name=first,
            last_name=last,
            org_id=org,
            type="person",
            token=PERSON_TOKENS[email],
            roles=roles,
        )

    bot = Person(
        id=seeded_id("PEOPLE", BOT_EMAIL),
        email=BOT_EMAIL,
        display_name=BOT_NAME,
        first_name="",
        last_name="",
        org_id=ORG_ID,
        type="bot",
        token=BOT_TOKEN,
    )
    return [
        bot,
        person(ALICE, "Alice", "Admin", [FULL_ADMIN_ROLE_ID]),
        person(LOU, "Lou", "Readonly", [READONLY_ADMIN_ROLE_ID]),
        person(BOB, "Bob", "User", []),
        person(EVE, "Eve", "Outsider", [FULL_ADMIN_ROLE_ID], org=OTHER_ORG_ID),
    ]


@dataclass(frozen=True)
class Assignment:
    """A seeded number owner: ``Sandbox`` assigns ``phone_number`` at ``location`` to ``owner``."""

    phone_number: str
    location: str
    owner: NumberOwner
    extension: str
    is_service_number: bool = False


def owner_id(owner_type: str, name: str) -> str:
    """A Webex id of the owner's kind: ``ciscospark://us/PEOPLE/…``, ``/PLACE/…``,
    ``/VIRTUAL_LINE/…``, ``/AUTO_ATTENDANT/…``, ``/HUNT_GROUP/…``, ``/CALL_QUEUE/…``, as the
    example ids in wxc_sdk decode."""
    return seeded_id(owner_type, name)


def number_assignments() -> list[Assignment]:
    """The owners of OWNERS (people and virtual lines have a first and a last name)."""
    made = []
    for number, (owner_type, name, location, extension) in OWNERS.items():
        first, _, last = name.partition(" ")
        owner = NumberOwner(owner_id(owner_type, name), owner_type, name,
                            *((first, last) if owner_type in ("PEOPLE", "VIRTUAL_LINE") else ()))
        made.append(Assignment(number, location, owner, extension, is_service_number=number == SUPPORT_NUMBER))
    return made


def location_id(name: str) -> str:
    return seeded_id("LOCATION", name)


def auto_attendant_id(name: str) -> str:
    """The seeded auto attendant's id, the same as its numbers' owner id."""
    return owner_id("AUTO_ATTENDANT", name)


def auto_attendants() -> list[AutoAttendant]:
    """AUTO_ATTENDANTS as records (``Sandbox`` assigns their alternate numbers to them)."""
    holidays = {DALLAS_HQ: "US Holidays", DALLAS_WAREHOUSE: "US Holidays", LONDON: "UK Bank Holidays"}
    zones = {LONDON: "Europe/London"}
    made = []
    for name, (location, number, extension, alternates) in AUTO_ATTENDANTS.items():
        aa = AutoAttendant(auto_attendant_id(name), name, location_id(location), number, extension,
                           [AlternateNumber(n, pattern) for n, pattern in alternates],
                           language_code="en_gb" if location == LONDON else "en_us",
                           holiday_schedule=holidays[location], time_zone=zones.get(location, "America/Chicago"))
        if name == MAIN_MENU:
            # A realistic menu: 1 for sales (the Sales hunt group), 2 to dial an extension, 0 to exit.
            aa.business_hours_menu = {"greeting": "DEFAULT", "extensionEnabled": True, "keyConfigurations": [
                {"key": "0", "action": "EXIT"},
                {"key": "1", "action": "TRANSFER_WITHOUT_PROMPT", "description": "Sales", "value": SALES_NUMBER},
                {"key": "2", "action": "EXTENSION_DIALING"}]}
        made.append(aa)
    return made


def _us_address(street: str, city: str, postal: str) -> dict[str, str]:
    return {"address1": street, "city": city, "state": "TX", "postalCode": postal, "country": "US"}


def _location(name: str, address: dict[str, str], numbers: list[AvailableNumber], *, tz: str = "America/Chicago",
              language: str = "en_us", calling: bool = True) -> Location:
    return Location(
        id=location_id(name), name=name, org_id=ORG_ID, time_zone=tz, preferred_language=language,
        address=address, calling=calling, numbers=sorted(numbers, key=lambda n: n.phone_number),
        connection=CONNECTIONS.get(name, "TRUNK"),
    )


def _plain(prefix: str, first: int, count: int, width: int = 4) -> list[AvailableNumber]:
    return [AvailableNumber(f"{prefix}{n:0{width}d}") for n in range(first, first + count)]


def dallas_hq_numbers() -> list[AvailableNumber]:
    """120 numbers; every ACTIVE/INACTIVE x main x toll-free x service combination appears."""
    numbers: list[AvailableNumber] = []
    combos = list(product(("ACTIVE", "INACTIVE"), (True, False), (False, True)))
    for i, (state, main, service) in enumerate(combos, start=1):
        numbers.append(AvailableNumber(f"+1214302{i:04d}", state, main, False, service))
        numbers.append(AvailableNumber(f"+1844302{i:04d}", state, main, True, service))
    for i in range(len(combos) + 1, 113):
        numbers.append(AvailableNumber(f"+1214302{i:04d}", "INACTIVE" if i % 9 == 0 else "ACTIVE",
                                       False, False, i % 13 == 0))
    return numbers


def locations() -> list[Location]:
    warehouse = _plain("+1469302", 1, 30)
    warehouse[0].is_main_number = True
    london = _plain("+4420794600", 1, 25, width=2)
    london[0].is_main_number = True
    for n in london[20:]:
        n.state = "INACTIVE"
    big = _plain("+1469300", 0, BIG_CAMPUS_COUNT)
    big[0].is_main_number = True
    richardson = _plain("+1972302", 1, 12)
    richardson[0].is_main_number = True
    richardson[5].is_service_number = True
    return [
        _location(DALLAS_HQ, _us_address("100 Main St", "Dallas", "75201"), dallas_hq_numbers()),
        _location(DALLAS_WAREHOUSE, _us_address("4000 Industrial Blvd", "Dallas", "75207"), warehouse),
        _location(LONDON, {"address1": "1 Poultry", "city": "London", "postalCode": "EC2R 8EJ", "country": "GB"},
                  london, tz="Europe/London", language="en_gb"),
        _location(BIG_CAMPUS, _us_address("2000 Campus Dr", "Irving", "75038"), big),
        _location(EMPTY_SITE, _us_address("1 Nowhere Rd", "Plano", "75024"), []),
        _location(PARIS, {"address1": "10 Rue de Rivoli", "city": "Paris", "postalCode": "75001", "country": "FR"},
                  [], tz="Europe/Paris", language="fr_fr", calling=False),
        _location(RICHARDSON, _us_address("500 Telecom Pkwy", "Richardson", "75080"), richardson),
    ]


def extra_locations(count: int, prefix: str, start: int = 1) -> list[Location]:
    """Many similar calling locations (``prefix 001`` ...), each with three numbers."""
    made = []
    for i in range(start, start + count):
        name = f"{prefix} {i:03d}"
        made.append(_location(name, _us_address(f"{i} Branch Rd", "Dallas", "75001"),
                              _plain(f"+1945{i % 800 + 200:03d}", 1, 3)))
    return made


def flagged_location(name: str, count: int) -> Location:
    """A calling location whose every number carries every flag (main, toll-free, service):
    the largest rows an alternate numbers card can have."""
    numbers = _plain("+1817400", 0, count)
    for number in numbers:
        number.is_main_number = number.toll_free_number = number.is_service_number = True
        number.state = "INACTIVE"
    return _location(name, _us_address("2 Flag St", "Fort Worth", "76102"), numbers)


def sparse_location(name: str, count: int, toll_free: tuple[int, ...]) -> Location:
    """A calling location with ``count`` numbers of which only those at the ``toll_free``
    positions are toll-free: far apart, they test a bot that filters the list itself."""
    numbers = _plain("+1817300", 0, count)
    for index in toll_free:
        numbers[index].toll_free_number = True
    return _location(name, _us_address("1 Sparse Way", "Fort Worth", "76102"), numbers)
