"""The admin attaches a file of numbers -> which cells the bot reads, from which row, and what
it tells the admin about the file; or the one sentence that says why it cannot read it.

Every file is built here (csv text, openpyxl workbooks, zipfile archives): no binary fixtures."""
from __future__ import annotations

import codecs
import csv
import io
import re
import struct
import time
import zipfile

import openpyxl
import pytest

from bot.reading import xlsx
from bot.reading.spreadsheet import FileRows, InputRow, UnreadableFile, read_numbers_file
from bot.reading.tables import NUMBER_HEADERS
from bot.reading.xlsx import cell_text


def read(name: str, data: bytes | str, max_rows: int = 10_000) -> FileRows:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return read_numbers_file(name, data, "US", max_rows=max_rows)


def texts(rows: FileRows) -> list[str]:
    return [r.text for r in rows.rows]


def refusal(name: str, data: bytes | str, max_rows: int = 10_000) -> str:
    with pytest.raises(UnreadableFile) as caught:
        read(name, data, max_rows)
    message = str(caught.value)
    assert "\n" not in message and "Traceback" not in message and "b'" not in message
    return message


def csv_text(rows: list[list[object]], delimiter: str = ",") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def workbook(*sheets: tuple[str, list[list[object]]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def patched(data: bytes, sheet: str, change) -> bytes:
    """The workbook with one part's XML changed, as Excel would have written it."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == sheet:
                content = change(content.decode()).encode()
            target.writestr(item, content)
    return out.getvalue()


SHEET1 = "xl/worksheets/sheet1.xml"
PORTS = [["Name", "Phone Number"], ["Alice", "+12145557861"], ["Bob", "(214) 555-7862"]]


# --- The kind of file --------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["ports.pdf", "ports.xls", "ports.docx", "ports", "ports.csv.zip"])
def test_a_file_of_another_kind_is_refused_naming_the_three_kinds(name):
    message = refusal(name, "+12145557861\n")
    assert name in message and ".csv, .txt or .xlsx" in message


@pytest.mark.parametrize("name, kind", [("PORTS.CSV", "csv"), ("Ports.Txt", "txt"), ("ports.XLSX", "xlsx")])
def test_the_kind_comes_from_the_extension_in_any_case(name, kind):
    data = workbook(("Ports", PORTS)) if kind == "xlsx" else b"Phone\n+12145557861\n"
    assert read(name, data).kind == kind


# --- CSV: the numbers column -------------------------------------------------------------------

@pytest.mark.parametrize("header", NUMBER_HEADERS + ("PHONE_NUMBER", "phone-number", "Phone Number (E.164)", "e.164"))
def test_the_numbers_column_is_found_by_its_header(header):
    rows = read("ports.csv", csv_text([["Name", header, "Extension"], ["Alice", "+12145557861", "7861"],
                                       ["Bob", "(214) 555-7862", "7862"]]))
    assert rows.column == header
    assert rows.rows == (InputRow(2, "+12145557861"), InputRow(3, "(214) 555-7862"))
    assert rows.total_rows == 2
    assert rows.notes == (f'Read the column "{header}".',)


def test_a_control_hub_export_is_read_by_its_phone_number_column_among_many():
    header = ["Location", "Location ID", "Extension", "Phone Number Type", "First Name", "Last Name",
              "Display Name", "Email", "Phone Number", "Main Number", "Toll Free Number", "Status", "Assigned To"]
    lines = [header]
    for i in range(1, 21):
        lines.append(["Dallas HQ", "Y2lzY29zcGFyazovL3VzL0xPQ0FUSU9OLzEyMzQ1", f"{7000 + i}", "PRIMARY", "Alice",
                      "Müller", "Alice Müller", f"alice{i}@example.com", f"+1214555{7800 + i}", "+12145550100",
                      "false", "ACTIVE", "PEOPLE"])
    rows = read("numbers.csv", csv_text(lines))
    assert rows.column == "Phone Number"
    assert texts(rows) == [f"+1214555{7800 + i}" for i in range(1, 21)]
    assert [r.row for r in rows.rows] == list(range(2, 22))


def test_without_a_header_the_column_with_the_most_numbers_is_read():
    lines = [[f"{i}", f"order-{i}", f"+1214555{7860 + i}"] for i in range(1, 6)]
    lines[2][0] = "+12145550100"  # one number elsewhere does not win
    rows = read("ports.csv", csv_text(lines))
    assert rows.column is None
    assert rows.rows[0] == InputRow(1, "+12145557861")  # row 1 is data: its cell holds a number
    assert texts(rows) == [f"+1214555{7860 + i}" for i in range(1, 6)]
    assert rows.notes == ("Read column 3, the one with the most phone numbers; there is no header row.",)


def test_a_header_of_another_name_is_the_first_row_when_its_cell_holds_no_number():
    rows = read("ports.csv", csv_text([["Name", "Mobile"], ["Alice", "+12145557861"], ["Bob", "+12145557862"]]))
    assert rows.column == "Mobile"
    assert rows.rows == (InputRow(2, "+12145557861"), InputRow(3, "+12145557862"))
    assert rows.notes == ('Read the column "Mobile" (column 2), the one with the most phone numbers.',)


def test_a_number_column_that_holds_no_numbers_gives_way_to_the_column_that_does():
    rows = read("ports.csv", csv_text([["Number", "Telephone"], ["1", "+12145557861"], ["2", "+12145557862"]]))
    assert rows.column == "Telephone"
    assert texts(rows) == ["+12145557861", "+12145557862"]


def test_the_header_may_sit_below_a_title():
    rows = read("ports.csv", csv_text([["Port request for ACME"], [], ["Name", "TN"], ["Alice", "+12145557861"]]))
    assert rows.column == "TN"
    assert rows.rows == (InputRow(4, "+12145557861"),)
    assert "1 row above the header row skipped." in rows.notes


def test_empty_cells_are_left_out_and_counted():
    data = csv_text([["Name", "Phone Number"], ["Alice", "+12145557861"], ["Bob", ""], [], [],
                     ["Carol", "+12145557863"], [], []])
    rows = read("ports.csv", data)
    assert rows.rows == (InputRow(2, "+12145557861"), InputRow(6, "+12145557863"))
    assert rows.total_rows == 5  # the trailing empty rows are not data
    assert rows.notes == ('Read the column "Phone Number".', "2 empty rows skipped.",
                          '1 row with an empty cell in the column "Phone Number" skipped.')


def test_a_cell_that_is_no_number_is_kept_for_the_result_to_report():
    rows = read("ports.csv", csv_text([["Phone"], ["+12145557861"], ["TBD"], ["call Bob"]]))
    assert texts(rows) == ["+12145557861", "TBD", "call Bob"]


def test_a_repeated_header_row_is_skipped():
    rows = read("ports.csv", csv_text([["Phone"], ["+12145557861"], ["Phone"], ["+12145557862"]]))
    assert texts(rows) == ["+12145557861", "+12145557862"]
    assert "1 repeated header row skipped." in rows.notes


@pytest.mark.parametrize("delimiter", [";", "\t", "|", ","])
def test_the_delimiter_is_sniffed(delimiter):
    data = csv_text([["Name", "Phone Number", "City"], ["Müller, Hans", "(214) 555-7861", "Dallas"],
                     ["Bob", "(214) 555-7862", "Austin"]], delimiter)
    rows = read("ports.csv", data)
    assert rows.column == "Phone Number"
    assert texts(rows) == ["(214) 555-7861", "(214) 555-7862"]


def test_excel_scientific_notation_is_kept_and_explained():
    rows = read("ports.csv", "Phone\n+12145557861\n1.21456E+10\n")
    assert texts(rows) == ["+12145557861", "1.21456E+10"]
    assert any('such as "1.21456E+10"' in note and "row (3)" in note for note in rows.notes)


def test_formulas_are_kept_as_text():
    formulas = ['=HYPERLINK("http://evil.example","+12145557861")', "+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0",
                "-2+3+cmd|' /C calc'!A0"]
    rows = read("ports.csv", csv_text([["Phone Number"], ["+12145557861"]] + [[f] for f in formulas]))
    assert texts(rows) == ["+12145557861"] + formulas


def test_a_malformed_csv_is_refused_in_one_sentence():
    message = refusal("ports.csv", 'Phone\n+12145557861\n"' + "x" * 200_000 + "\n")
    assert "ports.csv is not a CSV file I can read" in message


# --- Encodings ---------------------------------------------------------------------------------

def test_utf8_with_a_bom():
    rows = read("ports.csv", codecs.BOM_UTF8 + "Phone Number,Name\n+12145557861,Müller\n".encode())
    assert rows.column == "Phone Number"  # the BOM is no part of the header
    assert texts(rows) == ["+12145557861"]


@pytest.mark.parametrize("name", ["ports.csv", "ports.txt"])
def test_utf16_le_with_a_bom_tab_separated_as_excel_saves_unicode_text(name):
    text = "Name\tPhone Number\tCity\r\nMüller\t+12145557861\tDallas\r\nZoë\t(214) 555-7862\tAustin\r\n"
    rows = read(name, codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    assert rows.column == "Phone Number"
    assert rows.rows == (InputRow(2, "+12145557861"), InputRow(3, "(214) 555-7862"))


def test_utf16_be_with_a_bom():
    rows = read("ports.csv", codecs.BOM_UTF16_BE + "Phone\n+12145557861\n".encode("utf-16-be"))
    assert texts(rows) == ["+12145557861"]


def test_utf16_without_a_bom_is_recognised_by_its_nuls():
    rows = read("ports.csv", "Phone\r\n+12145557861\r\n+12145557862\r\n".encode("utf-16-le"))
    assert texts(rows) == ["+12145557861", "+12145557862"]


def test_windows_1252():
    data = "Name;Phone Number\nMüller;+12145557861\nGarçon;+12145557862\n".encode("cp1252")
    rows = read("ports.csv", data)
    assert texts(rows) == ["+12145557861", "+12145557862"]
    assert rows.notes == ('Read the column "Phone Number".',)


def test_a_utf8_file_with_one_windows_1252_line_is_read_line_by_line():
    data = ("Name,Phone Number\nZoë,+12145557861\n".encode() + "Müller,+12145557862\n".encode("cp1252")
            + "Æsa,+12145557863\n".encode())
    rows = read("ports.csv", data)
    assert texts(rows) == ["+12145557861", "+12145557862", "+12145557863"]
    assert "1 line (3) is not UTF-8: I read it as Windows-1252." in rows.notes


def test_a_txt_in_windows_1252_with_the_five_undefined_bytes_is_still_read():
    rows = read("notes.txt", b"M\xfcller \x81\x8d +12145557861\n")
    assert texts(rows) == ["M\u00fcller \x81\x8d +12145557861"]


# --- TXT ---------------------------------------------------------------------------------------

def test_every_non_empty_line_of_a_txt_is_a_row_as_written():
    data = "Please port these:\r\n\r\n+12145557861, +12145557862\r\n  (214) 555-7863  \r\n\nthanks\n\n"
    rows = read("ports.txt", data)
    assert rows.rows == (InputRow(1, "Please port these:"), InputRow(3, "+12145557861, +12145557862"),
                         InputRow(4, "(214) 555-7863"), InputRow(6, "thanks"))
    assert rows.kind == "txt" and rows.column is None and rows.total_rows == 4 and rows.notes == ()


def test_a_txt_with_commas_and_tabs_but_no_numbers_header_is_not_split():
    rows = read("ports.txt", "Alice\t+12145557861\tDallas\nBob, (214) 555-7862\n")
    assert texts(rows) == ["Alice\t+12145557861\tDallas", "Bob, (214) 555-7862"]


def test_a_txt_without_numbers_is_refused():
    message = refusal("notes.txt", "please port\nour numbers\n")
    assert message.startswith("I found no phone numbers in notes.txt:")


# --- XLSX --------------------------------------------------------------------------------------

def test_xlsx_numbers_as_text_int_and_float_read_as_typed():
    rows = read("ports.xlsx", workbook(("Ports", [["Name", "Phone Number"], ["a", "+12145557861"], ["b", 12145557862],
                                                  ["c", 12145557863.0], ["d", "(214) 555-7864"]])))
    assert texts(rows) == ["+12145557861", "12145557862", "12145557863", "(214) 555-7864"]
    assert [r.row for r in rows.rows] == [2, 3, 4, 5]
    assert rows.column == "Phone Number" and rows.kind == "xlsx"


def test_xlsx_a_float_in_excels_exponent_form_reads_as_all_its_digits():
    data = workbook(("Ports", [["Phone"], [1], [2]]))
    data = patched(data, SHEET1, lambda xml: xml.replace("<v>1</v>", "<v>1.2145557861E10</v>")
                   .replace("<v>2</v>", "<v>1.2145557862E+10</v>"))
    assert texts(read("ports.xlsx", data)) == ["12145557861", "12145557862"]


@pytest.mark.parametrize("value, text", [
    (12145557861, "12145557861"), (12145557861.0, "12145557861"), (1.2145557861e10, "12145557861"),
    (2145557.5, "2145557.5"), (1e20, "100000000000000000000"), (1.5e-7, "0.00000015"), (None, ""),
    (True, "TRUE"), ("  +12145557861 ", "+12145557861"),
])
def test_cell_values_become_the_text_the_admin_typed(value, text):
    assert cell_text(value) == text


def test_xlsx_a_formula_reads_as_its_saved_value_and_one_without_a_value_is_empty():
    data = workbook(("Ports", [["Phone Number", "Name"], ['=CONCAT("+1","2145557861")', "a"], ["=A2", "b"],
                               ["+12145557863", "c"]]))
    data = patched(data, SHEET1, lambda xml: xml.replace(
        '<c r="A2"><f>CONCAT("+1","2145557861")</f><v /></c>',
        '<c r="A2" t="str"><f>CONCAT("+1","2145557861")</f><v>+12145557861</v></c>'))
    assert '<c r="A3"><f>A2</f><v /></c>' in zipfile.ZipFile(io.BytesIO(data)).read(SHEET1).decode()
    rows = read("ports.xlsx", data)
    assert rows.rows == (InputRow(2, "+12145557861"), InputRow(4, "+12145557863"))
    assert '1 row with an empty cell in the column "Phone Number" skipped.' in rows.notes


def test_xlsx_a_formula_typed_as_text_is_kept_as_text():
    data = workbook(("Ports", [["Phone Number"], ["+12145557861"]]))
    data = patched(data, SHEET1, lambda xml: xml.replace(
        "</sheetData>", '<row r="3"><c r="A3" t="inlineStr"><is><t>=HYPERLINK("http://x","y")</t></is></c></row>'
                        "</sheetData>"))
    assert texts(read("ports.xlsx", data)) == ["+12145557861", '=HYPERLINK("http://x","y")']


def test_xlsx_the_first_sheet_with_a_numbers_column_is_read_and_named():
    data = workbook(("Summary", [["Port request"], ["Customer", "ACME"], ["Due", "2025-03-01"]]),
                    ("Ports", [["Name", "DID"], ["Alice", "+12145557861"]]),
                    ("Old", [["DID"], ["+19725550000"]]))
    rows = read("ports.xlsx", data)
    assert texts(rows) == ["+12145557861"]
    assert rows.notes == ('Read the column "DID" of sheet "Ports".',)


def test_xlsx_without_a_header_names_the_column_by_its_letter():
    rows = read("ports.xlsx", workbook(("Ports", [["a", 12145557861], ["b", 12145557862]])))
    assert rows.column is None and rows.rows[0] == InputRow(1, "12145557861")
    assert rows.notes == ("Read column B, the one with the most phone numbers; there is no header row.",)


def test_xlsx_a_wrong_dimension_does_not_cut_the_rows_short():
    data = workbook(("Ports", [["Phone"], ["+12145557861"], ["+12145557862"]]))
    data = patched(data, SHEET1, lambda xml: xml.replace('<dimension ref="A1:A3" />', '<dimension ref="A1:A1" />'))
    assert texts(read("ports.xlsx", data)) == ["+12145557861", "+12145557862"]


def test_xlsx_a_long_run_of_empty_rows_ends_the_reading_with_a_note(monkeypatch):
    monkeypatch.setattr(xlsx, "EMPTY_RUN", 5)
    rows = read("ports.xlsx", workbook(("Ports", [["Phone"], ["+12145557861"]] + [[None]] * 6 + [["+12145557862"]])))
    assert texts(rows) == ["+12145557861"]
    assert any(note.startswith("Stopped reading at row 7:") for note in rows.notes)


def test_xlsx_too_many_numbers_is_refused_with_the_rows_the_sheet_has():
    data = workbook(("Ports", [["Phone"]] + [[f"+1214555{i:04d}"] for i in range(60)]))
    assert refusal("ports.xlsx", data, max_rows=50) == (
        "ports.xlsx has 60 rows: I read at most 50 numbers per file, so split it into files of 50 rows or fewer.")


def test_xlsx_without_numbers_is_refused_naming_its_sheets():
    message = refusal("ports.xlsx", workbook(("Summary", [["Customer", "ACME"]]), ("Notes", [["none yet"]])))
    assert message.startswith('I found no phone numbers in ports.xlsx: no column of its sheets ("Summary", "Notes")')


def test_an_empty_workbook_is_refused():
    assert refusal("ports.xlsx", workbook(("Sheet", []))) == "ports.xlsx is empty."


# --- Files that are not what they say ----------------------------------------------------------

@pytest.mark.parametrize("name, data", [("ports.csv", b""), ("ports.csv", b" \r\n\r\n"), ("ports.txt", b"\n\n"),
                                        ("ports.xlsx", b""), ("ports.csv", codecs.BOM_UTF8 + b"\r\n")])
def test_an_empty_file_is_refused(name, data):
    assert refusal(name, data) == f"{name} is empty."


@pytest.mark.parametrize("data", [bytes(range(256)) * 8, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(500),
                                  bytes((i * 37 + 11) % 256 for i in range(4000) if (i * 37 + 11) % 256)])
def test_binary_garbage_named_csv_is_refused(data):
    assert refusal("ports.csv", data).startswith("ports.csv is not a text file")


def test_a_workbook_named_csv_is_refused_with_what_it_is():
    message = refusal("ports.csv", workbook(("Ports", PORTS)))
    assert message.startswith("ports.csv is not a text file") and ".xlsx" in message


def test_an_xlsx_that_is_not_a_zip_is_refused():
    assert refusal("ports.xlsx", "Phone\n+12145557861\n").startswith("ports.xlsx is not an Excel workbook")


def test_an_old_xls_or_protected_workbook_named_xlsx_is_refused():
    message = refusal("ports.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1000))
    assert "old Excel (.xls) or password-protected" in message


def test_a_zip_that_is_not_a_workbook_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "+12145557861")
    assert refusal("ports.xlsx", out.getvalue()).startswith("ports.xlsx is a zip file but not an Excel workbook")


def test_a_damaged_workbook_is_refused():
    data = patched(workbook(("Ports", PORTS)), SHEET1, lambda xml: xml[: len(xml) // 2])
    assert refusal("ports.xlsx", data).startswith("I could not open ports.xlsx as an Excel workbook")


def test_a_zip_bomb_is_refused_before_it_is_unpacked():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open(SHEET1, "w", force_zip64=True) as part:
            zeros = bytes(1 << 20)
            for _ in range(101):
                part.write(zeros)
    assert len(out.getvalue()) < 1_000_000
    message = refusal("ports.xlsx", out.getvalue())
    assert message.startswith("ports.xlsx looks like a zip bomb")
    assert "the workbook would unpack to more than 100 MB" in message


def test_a_part_that_declares_a_small_size_is_never_unpacked_past_it():
    """The bomb check trusts the declared sizes because zipfile stops there (and fails the CRC)."""
    source = zipfile.ZipFile(io.BytesIO(workbook(("Ports", PORTS))))
    sheet = source.read(SHEET1)
    padded = sheet + b" " * (20 << 20)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target:
        for item in source.infolist():
            target.writestr(item.filename, padded if item.filename == SHEET1 else source.read(item.filename))
    lying = out.getvalue().replace(struct.pack("<I", len(padded)), struct.pack("<I", len(sheet)))
    assert [i.file_size for i in zipfile.ZipFile(io.BytesIO(lying)).infolist() if i.filename == SHEET1] == [len(sheet)]
    assert refusal("ports.xlsx", lying).startswith("I could not open ports.xlsx as an Excel workbook")


def test_a_highly_compressed_part_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr(SHEET1, bytes(11 << 20))
    assert "more than 100 times its size" in refusal("ports.xlsx", out.getvalue())


def test_a_zip_of_too_many_files_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for i in range(10_001):
            archive.writestr(f"x/{i}", b"")
    assert "more than 10,000 files" in refusal("ports.xlsx", out.getvalue())


# --- Limits ------------------------------------------------------------------------------------

def test_a_file_of_100000_rows_is_refused_fast_with_its_count():
    data = ("Phone Number\n" + "".join(f"+1214{i:07d}\n" for i in range(100_000))).encode()
    started = time.perf_counter()
    message = refusal("ports.csv", data)
    assert time.perf_counter() - started < 1
    assert message == ("ports.csv has 100,000 rows: I read at most 10,000 numbers per file, so split it into files "
                       "of 10,000 rows or fewer.")


def test_10000_rows_are_read_well_under_a_second():
    data = csv_text([["Name", "Phone Number", "City"]]
                    + [["Müller", f"+1214555{i:04d}", "Dallas"] for i in range(10_000)]).encode()
    started = time.perf_counter()
    rows = read("ports.csv", data)
    assert time.perf_counter() - started < 0.5
    assert len(rows.rows) == 10_000 and rows.rows[-1] == InputRow(10_001, "+12145559999")


def test_the_limit_counts_numbers_not_rows():
    rows = read("ports.csv", csv_text([["Phone"]] + [[f"+1214555{i:04d}"] for i in range(10)] + [[]] * 3), max_rows=10)
    assert len(rows.rows) == 10


def test_a_txt_over_the_limit_is_refused():
    message = refusal("ports.txt", "".join(f"+1214555{i:04d}\n" for i in range(12)), max_rows=10)
    assert message.startswith("ports.txt has 12 rows: I read at most 10 numbers per file")


def test_rows_without_the_numbers_are_read_only_so_far():
    lines = [["Name", "Phone"], ["a", "+12145557861"]] + [[f"name {i}", ""] for i in range(100)]
    message = refusal("ports.csv", csv_text(lines), max_rows=10)
    assert message.startswith("ports.csv has more than 50 rows: I read at most 10 numbers per file")


# --- No numbers --------------------------------------------------------------------------------

def test_a_csv_without_numbers_is_refused():
    message = refusal("ports.csv", csv_text([["Name", "City"], ["Alice", "Dallas"], ["Bob", "Austin"]]))
    assert message.startswith("I found no phone numbers in ports.csv: no column holds one.")


def test_a_numbers_column_without_numbers_is_refused_by_its_name():
    message = refusal("ports.csv", csv_text([["Name", "Phone Number"], ["Alice", "TBD"], ["Bob", "n/a"]]))
    assert message == 'I found no phone numbers in ports.csv: no cell of the column "Phone Number" holds one.'


def test_a_header_without_rows_is_refused():
    message = refusal("ports.csv", "Name,Phone Number\n")
    assert message == "I found no phone numbers in ports.csv: there are no rows below the header row."


def test_messages_name_the_file_and_never_show_bytes():
    for name, data in [("a.csv", bytes(300)), ("a.xlsx", b"PK\x03\x04garbage"), ("a.csv", "x,y\n1,2\n")]:
        message = refusal(name, data)
        assert name in message and re.search(r"\\x[0-9a-f]{2}", message) is None


def test_a_file_of_one_row_of_numbers_is_read_as_one_list():
    rows = read("ports.csv", "+12145557861,+12145557862, (214) 555-7863\n")
    assert rows.rows == (InputRow(1, "+12145557861, +12145557862, (214) 555-7863"),)
    assert rows.notes == ("The numbers are in one row: I read row 1 as one list.",)


def test_a_file_of_one_row_over_the_limit_is_refused():
    message = refusal("ports.csv", ",".join(f"+1214555{i:04d}" for i in range(11)), max_rows=10)
    assert message.startswith("ports.csv has more than 10 numbers: I read at most 10 numbers per file")


def test_a_wide_table_is_sampled_within_bounds():
    lines = [[f"id-{i}-{j}" for j in range(300)] + [f"+1214555{i:04d}"] for i in range(200)]
    lines[0][0] = "Phone"  # a named header is found in any column, here the first
    lines[0][-1] = "TN"
    started = time.perf_counter()
    rows = read("wide.csv", csv_text(lines))
    assert time.perf_counter() - started < 1
    assert rows.column == "TN" and len(rows.rows) == 199
