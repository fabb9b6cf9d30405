"""Seller Center "Live Analysis" exports (.xlsx, and the same saved as .csv), English and
Indonesian -> live_sessions (docs/inputs.md, "Seller Center Live Analysis export").

The fixtures are made here, shaped like the real files public parsers describe
(MEAgrup/AgencyAPP packages/core: a `Date Range: 2026-07-01 ~ 2026-07-31` title cell, a blank
row, the header on row 3; `ID Kreator`, `Kreator`, `Waktu Live` like `2026/02/28/ 13:00` with
its stray slash, `Durasi` like `2h 53min`, then the metrics the seller chose).
"""
import csv
import io

import pytest

from lint.core.problems import Problems
from lint.ingest.shapes import read_shaped
from lint.ingest.shapes.seller_center import live_analysis, parse_duration, parse_launched

from conftest import findings, lint, load, make_export

EN = ["Creator ID", "Creator", "Nickname", "Launched Time", "Duration", "GMV", "Items sold", "Viewers", "CTOR"]
ID = ["ID Kreator", "Kreator", "Nama panggilan", "Waktu Live", "Durasi", "GMV dari LIVE (Rp)", "Produk Terjual",
      "Penonton", "CTOR"]
OFFICIAL_ID, PROMO_ID = "7234567890123456789", "7234567890123456790"  # 19 digits: a float keeps 15-17


def en_row(cid, user, launched, duration, gmv="Rp1.250.000"):
    return {"Creator ID": cid, "Creator": user, "Nickname": user.title(), "Launched Time": launched,
            "Duration": duration, "GMV": gmv, "Items sold": "12", "Viewers": "1.234", "CTOR": "2,1%"}


def id_row(cid, user, launched, duration):
    return {"ID Kreator": cid, "Kreator": user, "Nama panggilan": user.title(), "Waktu Live": launched,
            "Durasi": duration, "GMV dari LIVE (Rp)": "1.250.000", "Produk Terjual": "12", "Penonton": "1.234",
            "CTOR": "2,1%"}


def live_file(path, header, rows, header_row=3, title="Date Range: 2026-04-12 ~ 2026-04-18", numeric=()):
    """Write a Live Analysis export: the title in A1, blank rows, the header on `header_row`,
    then the rows (dicts by header name; cells of `numeric` columns written as numbers)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    grid = [[title]] + [[] for _ in range(header_row - 2)] + [header] + \
        [[r.get(h) for h in header] for r in rows]
    if path.suffix == ".csv":  # as Excel saves a sheet as CSV: every line as wide as the sheet
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        for line in grid:
            w.writerow([("" if v is None else v) for v in line] + [""] * (len(header) - len(line)))
        path.write_bytes(buf.getvalue().encode("utf-8"))
        return path
    import xlsxwriter
    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_urls": False})
    ws = wb.add_worksheet("Live Analysis")
    for i, line in enumerate(grid):
        for j, v in enumerate(line):
            if v is None:
                continue
            if i >= header_row and header[j] in numeric:
                ws.write_number(i, j, float(v))
            else:
                ws.write_string(i, j, v)
    wb.close()
    return path


def read(path):
    problems = Problems()
    got = live_analysis(path, path.name, problems)
    return got, problems


def errors(problems, level=None):
    return [p for p in problems.items if level is None or p.level == level]


# --- reading -------------------------------------------------------------------------------

def test_english_workbook_maps_onto_live_sessions_with_exact_ids(tmp_path):
    path = live_file(tmp_path / "Live Analysis.xlsx", EN, [
        en_row(OFFICIAL_ID, "tokosatu", "2026/04/18/ 22:14", "1h 40min"),
        en_row(PROMO_ID, "@tokosatu.promo", "2026/04/17/ 09:05:30", "40min"),
    ])
    [shaped], problems = read(path)
    assert errors(problems) == []
    assert shaped.table == "live_sessions" and shaped.shape == "Seller Center Live Analysis export (English)"
    c = {k: v.to_pylist() for k, v in shaped.raw.columns.items()}
    assert c["creator_id"] == [OFFICIAL_ID, PROMO_ID]  # as text, every digit
    assert c["account_id"] == ["tokosatu", "tokosatu.promo"]  # the user name, without @
    assert c["started_at"] == ["2026-04-18T22:14:00", "2026-04-17T09:05:30"]  # no offset: shop-local
    assert c["ended_at"] == ["2026-04-18T23:54:00", "2026-04-17T09:45:30"]
    assert c["live_id"] == [f"live:{OFFICIAL_ID}:202604182214", f"live:{PROMO_ID}:202604170905"]
    assert shaped.raw.rows.tolist() == [4, 5]  # the spreadsheet's rows: title, blank, header, data
    assert shaped.raw.original_names["started_at"] == "Launched Time"
    assert any("2026-04-12 ~ 2026-04-18" in n for n in shaped.notes)


def test_indonesian_csv_with_the_header_on_row_12_and_metrics_reordered_or_left_out(tmp_path):
    header = ["Penonton", "Waktu Live", "Nama panggilan", "Durasi", "Kreator", "ID Kreator"]  # no GMV, no CTOR
    path = live_file(tmp_path / "Analisis LIVE.csv", header, [
        id_row(OFFICIAL_ID, "tokosatu", "2026/04/18 22:14", "1j 40mnt"),
        id_row(PROMO_ID, "tokosatu.promo", "2026/04/18/ 21:00", "1 jam 5 menit 30 detik"),
        id_row(OFFICIAL_ID, "tokosatu", "2026/04/12/ 08:00", "40 mnt"),
    ], header_row=12, title="Rentang Tanggal: 2026-04-12 ~ 2026-04-18")
    [shaped], problems = read(path)
    assert errors(problems) == []
    assert shaped.shape.endswith("(Indonesian)")
    c = {k: v.to_pylist() for k, v in shaped.raw.columns.items()}
    assert c["creator_id"] == [OFFICIAL_ID, PROMO_ID, OFFICIAL_ID]
    assert c["ended_at"] == ["2026-04-18T23:54:00", "2026-04-18T22:05:30", "2026-04-12T08:40:00"]
    assert shaped.raw.rows.tolist() == [13, 14, 15]


@pytest.mark.parametrize("text, expected", [
    ("2026/04/18/ 22:14", "2026-04-18T22:14:00"), ("2026/04/18 22:14", "2026-04-18T22:14:00"),
    ("2026/04/18/ 22:14:30", "2026-04-18T22:14:30"), ("2026-04-18T22:14:00", "2026-04-18T22:14:00"),
    ("2026/02/30/ 22:14", None), ("2026/04/18", None), ("18/04/2026 22:14", None), ("", None)])
def test_launched_time_forms(text, expected):
    got = parse_launched(text)
    assert (got.isoformat() if got else None) == expected


@pytest.mark.parametrize("text, minutes", [
    ("1h 40min", 100), ("40min", 40), ("2h", 120), ("1h 5min 30s", 65.5), ("0h 19min", 19), ("1j 40mnt", 100),
    ("1 jam 40 menit", 100), ("40 mnt", 40), ("90 detik", 1.5), ("1:40:00", 100), ("1H 40MIN", 100),
    ("3600", None), ("1h 40", None), ("lama", None), ("", None)])
def test_duration_forms(text, minutes):
    got = parse_duration(text)
    assert (got.total_seconds() / 60 if got is not None else None) == minutes


def test_rows_with_an_unreadable_time_or_duration_are_skipped_and_named(tmp_path):
    path = live_file(tmp_path / "Live Analysis.xlsx", EN, [
        en_row(OFFICIAL_ID, "tokosatu", "2026/04/18/ 22:14", "1h 40min"),
        en_row(OFFICIAL_ID, "tokosatu", "kemarin", "1h"),
        en_row(PROMO_ID, "tokosatu.promo", "2026/04/18/ 20:00", "lama sekali"),
        en_row(PROMO_ID, "tokosatu.promo", "2026/04/18/ 23:00", ""),
    ])
    [shaped], problems = read(path)
    assert shaped.raw.rows.tolist() == [4]
    assert shaped.raw.rows_read == 4
    got = {(p.file, p.row, p.column, p.level) for p in errors(problems)}
    assert got == {("Live Analysis.xlsx", 5, "Launched Time", "row"), ("Live Analysis.xlsx", 6, "Duration", "row"),
                   ("Live Analysis.xlsx", 7, "Duration", "row")}
    message = next(p for p in problems.items if p.row == 5)
    assert "2026/04/18/ 22:14" in message.message and message.value == "kemarin"


def test_a_creator_id_stored_as_a_number_cannot_be_trusted(tmp_path):
    path = live_file(tmp_path / "Live Analysis.xlsx", EN, [
        en_row(OFFICIAL_ID, "tokosatu", "2026/04/18/ 22:14", "1h 40min"),
        en_row("123456789", "tokosatu.promo", "2026/04/18/ 20:00", "1h"),
    ], numeric=("Creator ID",))
    [shaped], problems = read(path)
    [problem] = errors(problems)
    assert (problem.row, problem.column, problem.level) == (4, "Creator ID", "value")
    assert "15 digits" in problem.message and "text" in problem.message
    c = {k: v.to_pylist() for k, v in shaped.raw.columns.items()}
    # the row is read by its user name; the short id is exact and kept
    assert c["creator_id"] == [None, "123456789"]
    assert c["live_id"] == ["live:tokosatu:202604182214", "live:123456789:202604182000"]

    # without a user name column the row cannot be read at all
    header = [h for h in EN if h != "Creator"]
    path = live_file(tmp_path / "b.xlsx", header, [en_row(OFFICIAL_ID, "x", "2026/04/18/ 22:14", "1h")],
                     numeric=("Creator ID",))
    [shaped], problems = read(path)
    assert shaped.raw.num_rows == 0 and shaped.raw.rows_read == 1
    assert [(p.row, p.column, p.level) for p in problems.items] == [(4, "Creator ID", "row")]


@pytest.mark.parametrize("content", [
    b"event_id,store_id,account_id,account_type,action,at\nE1,S1,A1,official,bind,2025-01-01\n",
    b"Creator ID,Creator,Launched Time\n1,a,2026/04/18/ 22:14\n",  # no Duration: not this shape
    b"", b"\xff\xfe\x00garbage", b"Date Range: 2026-04-12 ~ 2026-04-18\n\n",
])
def test_other_csv_files_are_not_this_shape(tmp_path, content):
    path = tmp_path / "export.csv"
    path.write_bytes(content)
    problems = Problems()
    assert live_analysis(path, path.name, problems) is None
    assert problems.items == []  # the look at a file of another shape says nothing about it


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04 not really a zip", b"\x00" * 100])
def test_broken_or_other_workbooks_are_not_this_shape(tmp_path, content):
    path = tmp_path / "export.xlsx"
    path.write_bytes(content)
    assert live_analysis(path, path.name, Problems()) is None


def test_an_ordinary_workbook_is_not_this_shape(tmp_path):
    import xlsxwriter
    path = tmp_path / "Toko saya.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet()
    for j, h in enumerate(["store_id", "region", "Duration note"]):
        ws.write_string(0, j, h)
    wb.close()
    assert live_analysis(path, path.name, Problems()) is None


# --- in an export ------------------------------------------------------------------------

def test_recognised_by_content_whatever_its_name(tmp_path):
    folder = tmp_path / "export"
    live_file(folder / "Live Analysis_20260412-20260418 (1).xlsx", EN, [
        en_row(OFFICIAL_ID, "tokosatu", "2026/04/18/ 22:14", "1h 40min")])
    shaped = read_shaped(folder / "Live Analysis_20260412-20260418 (1).xlsx", "x.xlsx", Problems())
    assert shaped is not None and shaped[0].name == "Seller Center Live Analysis export"
    export, problems = load(folder)
    assert not problems.has_fatal
    assert export.sources["live_sessions"] == "Live Analysis_20260412-20260418 (1).xlsx"
    assert export.lives["live_id"].tolist() == [f"live:{OFFICIAL_ID}:202604182214"]
    # shop-local 22:14 in the run's zone (Asia/Jakarta, UTC+7) is 15:14 UTC
    assert export.lives["start"].tolist() == [1776525240000]
    said = [p.message for p in problems.items if p.level == "warning"]
    assert any("Seller Center Live Analysis export (English)" in m for m in said)


def test_the_same_session_in_two_weekly_exports_is_kept_once(tmp_path):
    folder = tmp_path / "export"
    live_file(folder / "Live Analysis_20260405-20260411.xlsx", EN, [
        en_row(OFFICIAL_ID, "tokosatu", "2026/04/11/ 23:30", "1h")], title="Date Range: 2026-04-05 ~ 2026-04-11")
    live_file(folder / "Live Analysis_20260412-20260418.csv", ID, [
        id_row(OFFICIAL_ID, "tokosatu", "2026/04/11/ 23:30", "1j"),
        id_row(OFFICIAL_ID, "tokosatu", "2026/04/18/ 22:14", "1j 40mnt")])
    export, problems = load(folder)
    assert sorted(export.lives["live_id"]) == [f"live:{OFFICIAL_ID}:202604112330", f"live:{OFFICIAL_ID}:202604182214"]
    [dup] = [p for p in problems.items if "duplicate live_id" in p.message]
    assert dup.file == "Live Analysis_20260412-20260418.csv" and dup.row == 4


def test_live001_from_a_seller_center_export_end_to_end(tmp_path):
    folder = tmp_path / "export"
    make_export(folder, {
        "stores": [{"store_id": "S1", "region": "ID", "store_name": "Toko Satu", "timezone": "Asia/Jakarta"}],
        # account ids are the creators' user names, as the Live Analysis export names them
        "accounts": [{"account_id": "tokosatu", "handle": "@tokosatu"},
                     {"account_id": "tokosatu.promo", "handle": "@tokosatu.promo"}],
        "bindings": [
            {"event_id": "B1", "store_id": "S1", "account_id": "tokosatu", "account_type": "official",
             "action": "bind", "at": "2026-01-01T00:00:00+07:00"},
            {"event_id": "B2", "store_id": "S1", "account_id": "tokosatu.promo", "account_type": "marketing",
             "action": "bind", "at": "2026-01-01T00:00:00+07:00"}],
    })
    live_file(folder / "Live Analysis_20260412-20260418 (1).xlsx", ID, [
        id_row(OFFICIAL_ID, "tokosatu", "2026/04/18/ 20:00", "2j 0mnt"),
        id_row(PROMO_ID, "tokosatu.promo", "2026/04/18/ 21:00", "1j 30mnt"),  # overlaps 21:00-22:00
        id_row(PROMO_ID, "tokosatu.promo", "2026/04/17/ 09:00", "45mnt"),  # alone
    ])
    report = lint(folder, as_of="2026-04-20T00:00:00+07:00")
    [finding] = findings(report, "LIVE001")
    text = str(finding)
    assert "tokosatu" in text and "tokosatu.promo" in text
    assert f"live:{OFFICIAL_ID}:202604182000" in text and f"live:{PROMO_ID}:202604182100" in text
    assert report["rows_read"]["live_sessions"] == 3


@pytest.mark.parametrize("name", ["Live Analysis.xlsx", "Live Analysis.csv"])
def test_a_title_cell_ending_in_a_line_break_as_real_exports_have_it(tmp_path, name):
    # identitas.ts of the public parser: "Date Range: 2026-07-01 ~ 2026-07-31\n", in one cell
    path = live_file(tmp_path / name, ID, [id_row(OFFICIAL_ID, "tokosatu", "2026/07/18/ 22:14", "2h 53min")],
                     title="Date Range: 2026-07-01 ~ 2026-07-31\n")
    [shaped], problems = read(path)
    assert errors(problems) == [] and shaped.raw.rows.tolist() == [4]
    assert shaped.raw.columns["ended_at"].to_pylist() == ["2026-07-19T01:07:00"]
    assert any("2026-07-01 ~ 2026-07-31" in n for n in shaped.notes)


@pytest.mark.parametrize("name", ["Live Analysis.xlsx", "Live Analysis.csv"])
def test_the_table_limits_hold_for_these_files_too(tmp_path, monkeypatch, name):
    from lint.ingest import reader
    path = live_file(tmp_path / name, EN, [en_row(OFFICIAL_ID, "u", f"2026/04/18/ {h:02d}:00", "30min")
                                           for h in range(20)])
    monkeypatch.setattr(reader, "TABLE_MAX_CELLS", 50)
    with pytest.raises(reader.TooLarge, match="SHOPLINT_TABLE_MAX_CELLS"):
        read(path)
    monkeypatch.setattr(reader, "TABLE_MAX_CELLS", 12_000_000)
    monkeypatch.setattr(reader, "TABLE_MAX_BYTES", 100)
    with pytest.raises(reader.TooLarge, match="SHOPLINT_TABLE_MAX_BYTES"):
        read(path)


@pytest.mark.parametrize("by", ["handle", "creator_id"])
def test_creators_are_matched_to_numeric_account_ids_by_handle_or_creator_id(tmp_path, by):
    folder = tmp_path / "export"
    accounts = ([{"account_id": "6800000000000000001", "handle": "@TokoSatu"},
                 {"account_id": "6800000000000000002", "handle": "tokosatu.promo"}] if by == "handle" else
                [{"account_id": OFFICIAL_ID}, {"account_id": PROMO_ID}])
    off, promo = (a["account_id"] for a in accounts)
    make_export(folder, {
        "stores": [{"store_id": "S1", "region": "ID"}], "accounts": accounts,
        "bindings": [
            {"event_id": "B1", "store_id": "S1", "account_id": off, "account_type": "official",
             "action": "bind", "at": "2026-01-01T00:00:00+07:00"},
            {"event_id": "B2", "store_id": "S1", "account_id": promo, "account_type": "marketing",
             "action": "bind", "at": "2026-01-01T00:00:00+07:00"}],
    })
    live_file(folder / "Live Analysis.xlsx", EN, [
        en_row(OFFICIAL_ID, "tokosatu", "2026/04/18/ 20:00", "2h"),
        en_row(PROMO_ID, "tokosatu.promo", "2026/04/18/ 21:00", "1h 30min")])
    [finding] = findings(lint(folder, as_of="2026-04-20T00:00:00+07:00"), "LIVE001")
    assert finding["accounts"] == [off, promo]


def test_live001_without_a_bindings_table_when_another_file_states_the_roles(tmp_path):
    # the Seller Center export names no role; rows of the same accounts that carry one (here
    # an account_type column, as the Partner API pages give it) make LIVE001 run
    folder = tmp_path / "export"
    make_export(folder, {
        "stores": [{"store_id": "S1", "region": "ID"}],
        "live_sessions": [
            {"live_id": "7001", "account_id": "tokosatu", "started_at": "2026-04-01T10:00:00",
             "ended_at": "2026-04-01T11:00:00", "account_type": "official", "role_source": "OFFICIAL_ACCOUNTS"},
            {"live_id": "7002", "account_id": "tokosatu.promo", "started_at": "2026-04-02T10:00:00",
             "ended_at": "2026-04-02T11:00:00", "account_type": "marketing", "role_source": "MARKETING_ACCOUNTS"}],
    })
    live_file(folder / "Live Analysis.xlsx", ID, [
        id_row(OFFICIAL_ID, "tokosatu", "2026/04/18/ 20:00", "2j"),
        id_row(PROMO_ID, "tokosatu.promo", "2026/04/18/ 21:00", "1j 30mnt")])
    [finding] = findings(lint(folder, as_of="2026-04-20T00:00:00+07:00"), "LIVE001")
    assert finding["subjects"] == [f"live:{OFFICIAL_ID}:202604182000", f"live:{PROMO_ID}:202604182100"]
    assert finding["evidence"]["official_role_source"] == "OFFICIAL_ACCOUNTS"


def test_a_csv_saved_by_a_spreadsheet_with_rounded_creator_ids_is_read_by_user_name(tmp_path):
    # Excel wrote 19-digit ids as 7.23457E+18: official and marketing LIVEs starting in the
    # same minute would get one derived id; the rows are read by their user names instead
    folder = tmp_path / "export"
    make_export(folder, {
        "stores": [{"store_id": "S1", "region": "ID"}],
        "live_sessions": [
            {"live_id": "P1", "account_id": "tokosatu", "started_at": "2026-04-01T10:00:00",
             "ended_at": "2026-04-01T11:00:00", "account_type": "official"},
            {"live_id": "P2", "account_id": "tokosatu.promo", "started_at": "2026-04-02T10:00:00",
             "ended_at": "2026-04-02T11:00:00", "account_type": "marketing"}]})
    live_file(folder / "Live Analysis.csv", EN, [en_row("7.23457E+18", "tokosatu", "2026/04/18/ 20:00", "2h"),
                                                 en_row("7.23457E+18", "tokosatu.promo", "2026/04/18/ 20:00", "1h")])
    report = lint(folder, as_of="2026-04-20T00:00:00+07:00")
    [live] = findings(report, "LIVE001")
    assert live["subjects"] == ["live:tokosatu:202604182000", "live:tokosatu.promo:202604182000"]
    ignored = [p for p in report["input_errors"] if p["column"] == "Creator ID"]
    assert len(ignored) == 2 and all("cannot be trusted" in p["message"] for p in ignored)
