"""Messy files as sellers' tools write them: other encodings, Excel's dates and numbers,
repeated headers, empty files, blank lines, stray whitespace, very long fields."""
from __future__ import annotations

import datetime as dt

import pytest

import fuzzkit as fk
from conftest import bind, findings, lint, write_table

HEADER = ["event_id", "store_id", "account_id", "account_type", "action", "at"]
GOOD = [bind("E1", "S1", "A1", "official", "bind", "2025-03-01T10:00:00+07:00"),
        bind("E2", "S1", "A1", "official", "unbind", "2025-03-02T10:00:00+07:00")]


def csv_text(rows, sep=",", header=HEADER):
    return "".join(sep.join(r) + "\n" for r in [header] + [[str(x[k]) for k in HEADER] for x in rows])


def warnings_of(report):
    return [e["message"] for e in report["input_errors"] if e["level"] == "warning"]


def row_errors(report):
    return [e for e in report["input_errors"] if e["level"] != "warning"]


@pytest.mark.parametrize("encoding, name", [("utf-16", "UTF-16"), ("utf-16-be", "UTF-16")])
def test_utf16_excel_unicode_text_is_read_with_a_warning(export_dir, encoding, name):
    export_dir.mkdir()
    data = csv_text(GOOD, sep="\t").encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    (export_dir / "bindings.csv").write_bytes(data)
    report = lint(export_dir)
    assert any(name in w for w in warnings_of(report))
    assert [f["subjects"] for f in findings(report, "BIND004")] == [["E2"]]


def test_cp1252_is_read_with_a_warning_naming_the_encoding(export_dir):
    export_dir.mkdir()
    (export_dir / "stores.csv").write_bytes("store_id;region;store_name\r\nS1;ID;Caf\xe9 \u20ac Kopi\r\n".encode("cp1252"))
    write_table(export_dir, "bindings", GOOD)
    report = lint(export_dir)
    assert any("Windows-1252" in w for w in warnings_of(report))
    assert report["stores"]["S1"]["name"] == "Café € Kopi"


def test_bytes_that_are_no_text_at_all_exit_2_naming_the_file(export_dir):
    export_dir.mkdir()
    # 0x81 is undefined in cp1252 as well: neither UTF-8 nor Windows-1252
    (export_dir / "bindings.csv").write_bytes(b"event_id,store_id\n\x81\x8d\x8f\n")
    result = fk.check_json(export_dir)
    fk.assert_clean_outcome(result, ["bindings.csv"])
    assert result.exit_code == 2 and "not UTF-8" in result.stderr


def test_xlsx_excel_dates_and_numbers_as_text(export_dir):
    xlsxwriter = pytest.importorskip("xlsxwriter")
    export_dir.mkdir()
    wb = xlsxwriter.Workbook(str(export_dir / "bindings.xlsx"))
    ws = wb.add_worksheet()
    date = wb.add_format({"num_format": "dd/mm/yyyy hh:mm"})
    ws.write_row(0, 0, HEADER)
    # E1: a real Excel date-time (no zone: the store's, else the run's); ids typed as numbers
    ws.write_number(1, 0, 1)
    ws.write_string(1, 1, "0007")  # a number kept as text keeps its zeros
    ws.write_number(1, 2, 42)
    ws.write_row(1, 3, ["Official", "bind"])
    ws.write_datetime(1, 5, dt.datetime(2025, 3, 1, 10, 0), date)
    # E2: epoch seconds typed as a number; E3: a timestamp typed as text
    ws.write_row(2, 0, ["2", "0007", "42", "official", "unbind"])
    ws.write_number(2, 5, 1740884400)  # 2025-03-02T10:00:00+07:00
    ws.write_row(3, 0, ["3", "0007", "43", "marketing", "bind", "2025-03-01T10:00:00+07:00"])
    wb.close()
    report = lint(export_dir)
    assert row_errors(report) == []
    (f,) = findings(report, "BIND004")
    assert f["store_id"] == "0007" and f["accounts"] == ["42"] and f["subjects"] == ["2"]
    assert f["window"] == {"start": "2025-03-01T10:00:00+07:00", "end": "2025-03-02T10:00:00+07:00"}


def test_repeated_header_uses_the_first_and_warns(export_dir):
    export_dir.mkdir()
    header = HEADER + ["AT"]
    rows = [[r[k] for k in HEADER] + ["1999-01-01"] for r in GOOD]
    (export_dir / "bindings.csv").write_text("\n".join(",".join(x) for x in [header] + rows) + "\n", encoding="utf-8")
    report = lint(export_dir)
    assert any("repeated" in w for w in warnings_of(report))
    assert [f["subjects"] for f in findings(report, "BIND004")] == [["E2"]]


@pytest.mark.parametrize("name, data", [
    ("bindings.csv", b""), ("bindings.csv", b"\n\n  \n"), ("bindings.csv", b"\xef\xbb\xbf"),
    ("bindings.tsv", b"\r\n"), ("bindings.jsonl", b""), ("bindings.json", b""), ("bindings.json", b"[]"),
    ("bindings.xlsx", b""), ("bindings.parquet", b""),
])
def test_empty_files_exit_2_naming_the_file(export_dir, name, data):
    export_dir.mkdir()
    (export_dir / name).write_bytes(data)
    result = fk.check_json(export_dir)
    fk.assert_clean_outcome(result, [name])
    assert result.exit_code == 2 and name in result.stderr


def test_header_only_file_is_an_empty_table(export_dir):
    export_dir.mkdir()
    (export_dir / "bindings.csv").write_text(",".join(HEADER) + "\n", encoding="utf-8")
    report = lint(export_dir)
    assert report["rows_read"] == {"bindings": 0} and report["findings"] == []


def test_blank_lines_and_stray_whitespace(export_dir):
    export_dir.mkdir()
    lines = [" Event_ID , store_id ,account_id,  account_type,action ,at\t"]
    for r in GOOD:
        lines += ["", "  ,  ,,,,", "  " + " ,  ".join(str(r[k]) for k in HEADER) + " \t", "\t"]
    (export_dir / "bindings.csv").write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    report = lint(export_dir)
    assert row_errors(report) == [] and report["rows_read"] == {"bindings": 2}
    (f,) = findings(report, "BIND004")
    assert f["subjects"] == ["E2"] and f["accounts"] == ["A1"] and f["store_id"] == "S1"


def test_rows_are_numbered_as_in_a_spreadsheet_despite_blank_lines(export_dir):
    export_dir.mkdir()
    text = csv_text(GOOD).replace("\n", "\n\n", 1) + "E3,S1,A2,marketing,unbind,2025-03-01T10:00:00+07:00\n"
    (export_dir / "bindings.csv").write_text(text, encoding="utf-8")
    (err,) = row_errors(lint(export_dir))
    assert err["row"] == 5 and err["value"] == "E3"


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "xlsx", "parquet"])
def test_very_long_fields(tmp_path, fmt):
    tables = fk.base_tables()
    columns, rows = tables["videos"]
    rows[0]["caption"] = "batik " * 5_000  # 30 000 characters (the most an XLSX cell holds is 32 767)
    rows[1]["caption"] = "x" * (2_000_000 if fmt != "xlsx" else 32_767)
    rows[2]["video_id"] = "V" * 10_000
    folder = tmp_path / "export"
    fk.write_tables(folder, tables, {"videos": fmt})
    report = fk.assert_clean_outcome(fk.check_json(folder), [])
    fk.assert_rows_accounted(folder, {"videos": 3})
    assert row_errors(report) == []


def test_quoted_newlines_and_delimiters_inside_fields(export_dir):
    export_dir.mkdir()
    (export_dir / "videos.csv").write_text(
        'video_id,account_id,posted_at,caption\n'
        'V1,A1,2025-05-01T12:00:00+07:00,"line one\nline two, with a comma and ""quotes"""\n'
        'V2,A1,2025-05-01T12:00:00+07:00,plain\n', encoding="utf-8")
    write_table(export_dir, "bindings", GOOD)
    fk.assert_rows_accounted(export_dir, {"videos": 2})


def test_a_row_with_too_few_fields_is_counted_and_listed(export_dir):
    export_dir.mkdir()
    (export_dir / "bindings.csv").write_text(csv_text(GOOD) + "E3,S1\n", encoding="utf-8")
    report = lint(export_dir)
    assert report["rows_read"] == {"bindings": 3}
    assert [(e["row"], e["level"]) for e in row_errors(report)] == [(4, "row")]
