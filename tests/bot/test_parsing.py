"""What the admin writes -> which numbers are checked, and what is not a number."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.models import ForeignNumber
from bot.reading.parsing import parse_numbers, split_head


def e164s(text: str, region: str = "US") -> list[str]:
    return [n.e164 for n in parse_numbers(text, region).numbers]


def test_the_issue_example_keeps_what_the_admin_wrote():
    parsed = parse_numbers("validate +12145557861, (214) 555-7862 +442071838750", "US")
    assert [(n.original, n.e164) for n in parsed.numbers] == [
        ("+12145557861", "+12145557861"),
        ("(214) 555-7862", "+12145557862"),
        ("+442071838750", "+442071838750"),
    ]
    assert parsed.not_numbers == ()


def test_a_pasted_list_with_every_separator():
    text = "2145557861\n214-555-7862; 214.555.7863,+1 214 555 7864\t+12145557865|+12145557866"
    assert e164s(text) == [f"+1214555786{i}" for i in range(1, 7)]


def test_repeats_are_kept_in_order_for_duplicate_in_list():
    assert e164s("+12145557861 2145557861 +12145557861") == ["+12145557861"] * 3


def test_junk_tokens_are_listed_and_plain_words_are_prose():
    parsed = parse_numbers("please check 12345 +12145557861 abc123 ++ thanks", "US")
    assert e164s("+12145557861") == [n.e164 for n in parsed.numbers]
    assert parsed.not_numbers == ("12345", "abc123", "++")


def test_national_format_of_another_country_stays_one_piece_with_the_number_it_means():
    parsed = parse_numbers("020 7183 8750", "US")
    assert parsed.numbers == () and parsed.not_numbers == ()
    assert parsed.foreign == (ForeignNumber("020 7183 8750", "GB", "+442071838750"),)


@pytest.mark.parametrize("text, country, e164", [
    ("030 12345678", "DE", "+493012345678"),       # Berlin
    ("01 42 68 53 00", "FR", "+33142685300"),       # Paris: not +1 014 268 5300
    ("0412 345 678", "AU", "+61412345678"),
])
def test_other_countries_national_numbers_are_recognised(text, country, e164):
    parsed = parse_numbers(f"validate {text}", "US")
    assert parsed.numbers == () and parsed.foreign == (ForeignNumber(text, country, e164),)


@pytest.mark.parametrize("text", ["GB 020 7183 8750", "country:GB 020 7183 8750", "country:gb 020 7183 8750"])
def test_naming_the_country_reads_the_numbers_after_it_as_that_countrys(text):
    parsed = parse_numbers(text, "US")
    assert [(n.original, n.e164) for n in parsed.numbers] == [("020 7183 8750", "+442071838750")]
    assert parsed.foreign == () and parsed.not_numbers == ()


def test_a_capitalised_word_is_no_country_unless_a_number_follows():
    parsed = parse_numbers("OK IT is +12145557861", "US")
    assert [n.e164 for n in parsed.numbers] == ["+12145557861"]


def test_an_extension_is_kept_apart_and_not_sent():
    for text in ("+1 214 555 7862 x123", "+1 214 555 7862 ext. 123"):
        [number] = parse_numbers(text, "US").numbers
        assert (number.e164, number.extension) == ("+12145557862", "123")


def test_letters_of_a_vanity_number_are_converted():
    [number] = parse_numbers("validate 1-800-FLOWERS", "US").numbers
    assert (number.original, number.e164, number.vanity) == ("1-800-FLOWERS", "+18003569377", True)


def test_default_region_changes_national_parsing():
    assert e164s("020 7183 8750", "GB") == ["+442071838750"]


def test_unicode_digits_and_rtl_marks():
    assert e164s("\u200f+12145557861\u200f ١٢١٤٥٥٥٧٨٦٢ ２１４５５５７８６３") == [
        "+12145557861",
        "+12145557862",
        "+12145557863",
    ]


def test_markdown_and_html_around_numbers():
    assert e164s("**+12145557861** <b>+12145557862</b> `+12145557863`") == [
        "+12145557861",
        "+12145557862",
        "+12145557863",
    ]


def test_split_head_separates_a_location_from_filter_numbers():
    split = split_head("Dallas HQ +12143020001, 2143020002", "US")
    assert split.head == "Dallas HQ"
    assert [n.e164 for n in split.parsed.numbers] == ["+12143020001", "+12143020002"]


def test_ten_thousand_tokens():
    text = " ".join(f"x{i}" for i in range(10_000)) + " +12145557861"
    parsed = parse_numbers(text, "US")
    assert e164s("+12145557861") == [n.e164 for n in parsed.numbers]
    assert len(parsed.not_numbers) == 10_000


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_any_text_parses_without_error_and_loses_no_digit_token(text):
    """Every digit the admin wrote ends up in exactly one place of the answer: in a number as
    they wrote it, or in a token reported as not a phone number. Nothing vanishes."""
    parsed = parse_numbers(text, "US")
    for number in parsed.numbers:
        assert number.e164.startswith("+") and number.e164[1:].isdigit()
    for token in parsed.not_numbers:
        assert token.strip()
    shown = ("".join(n.original for n in parsed.numbers) + "".join(parsed.not_numbers)
             + "".join(f.original for f in parsed.foreign))
    assert sorted(ch for ch in shown if ch in "0123456789") == sorted(ch for ch in text if ch in "0123456789")


def test_local_only_numbers_and_junk_joined_across_a_space_are_not_numbers():
    # POSSIBLE leniency matches "12345 42" (7 digits: a US local number) and "+44 20 7183".
    parsed = parse_numbers("12345 42x, 555 1234 +44 20 7183 +12145557861", "US")
    assert e164s("+12145557861") == [n.e164 for n in parsed.numbers]
    assert parsed.not_numbers == ("12345", "42x", "555", "1234", "+44", "20", "7183")


def test_national_numbers_written_in_groups_side_by_side_are_told_apart():
    parsed = parse_numbers("214 555 7862 214 555 7863 +44 20 7183 8750 12x", "US")
    assert [(n.original, n.e164) for n in parsed.numbers] == [
        ("214 555 7862", "+12145557862"),
        ("214 555 7863", "+12145557863"),
        ("+44 20 7183 8750", "+442071838750"),
    ]
    assert parsed.not_numbers == ("12x",)


def test_grouped_local_only_numbers_stay_not_numbers():
    assert e164s("555 1234 555 1235") == []
    assert parse_numbers("555 1234", "US").not_numbers == ("555", "1234")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789 +-().x,;\n", max_size=120))
def test_text_made_of_numbers_loses_no_digit(text):
    """The same property where it bites: text built from digits and the separators numbers use."""
    parsed = parse_numbers(text, "US")
    shown = ("".join(n.original for n in parsed.numbers) + "".join(parsed.not_numbers)
             + "".join(f.original for f in parsed.foreign))
    assert sorted(ch for ch in shown if ch.isdigit()) == sorted(ch for ch in text if ch.isdigit())
