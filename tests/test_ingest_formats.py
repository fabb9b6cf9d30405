"""Every format of schema.md reads into the same canonical tables and gives the same findings."""
import json
import zipfile

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import bind, findings, lint, make_export, write_table

BINDINGS = [
    bind("E1", "0007", "A1", "OFFICIAL", "Bind", "2025-03-01T10:00:00+07:00"),
    bind("E2", "0007", "A1", "official", "UNBIND", "2025-03-02T10:00:00+07:00"),
    bind("E3", "0007", "A2", "marketing", "bind", 1740798000),  # 2025-03-01T03:00:00Z, epoch seconds
    bind("E4", "0007", "A2", "marketing", "unbind", 1740884400000),  # epoch milliseconds, 24 h later
]
STORES = [{"store_id": "0007", "region": "ID", "store_name": "Toko Tujuh"}]


def expected_subjects(report):
    return sorted(f["subjects"][0] for f in findings(report, "BIND004"))


@pytest.mark.parametrize("fmt", ["csv", "tsv", "jsonl", "json"])
def test_text_and_json_formats_give_the_same_findings(export_dir, fmt):
    make_export(export_dir, {"bindings": BINDINGS, "stores": STORES}, fmt=fmt)
    report = lint(export_dir)
    assert expected_subjects(report) == ["E2", "E4"]
    # ids are kept exactly as written: 0007 is not 7
    assert {f["store_id"] for f in report["findings"]} == {"0007"}


def test_semicolon_separated_csv_with_bom_and_messy_header(export_dir):
    export_dir.mkdir()
    text = "\ufeff Event_ID ;Store_Id;ACCOUNT_ID;account_type;action;at\n" + "".join(
        f"{r['event_id']};{r['store_id']};{r['account_id']};{r['account_type']};{r['action']};{r['at']}\n"
        for r in BINDINGS)
    (export_dir / "bindings.csv").write_text(text, encoding="utf-8")
    assert expected_subjects(lint(export_dir)) == ["E2", "E4"]


def test_parquet_with_native_types(export_dir):
    export_dir.mkdir()
    table = pa.table({
        "event_id": ["E1", "E2"], "store_id": ["0007", "0007"], "account_id": ["A1", "A1"],
        "account_type": ["official", "official"], "action": ["bind", "unbind"],
        "at": pa.array([1740798000000, 1740884400000], type=pa.timestamp("ms", tz="UTC")),
    })
    pq.write_table(table, export_dir / "bindings.parquet")
    report = lint(export_dir)
    f = findings(report, "BIND004")
    assert [x["subjects"] for x in f] == [["E2"]]
    assert f[0]["window"]["start"] == "2025-03-01T10:00:00+07:00"


def test_xlsx_first_sheet(export_dir):
    xlsxwriter = pytest.importorskip("xlsxwriter")
    export_dir.mkdir()
    wb = xlsxwriter.Workbook(str(export_dir / "bindings.xlsx"))
    ws = wb.add_worksheet("Bindings")
    header = ["event_id", "store_id", "account_id", "account_type", "action", "at"]
    ws.write_row(0, 0, header)
    for i, r in enumerate(BINDINGS[:2], start=1):
        ws.write_row(i, 0, [str(r[k]) for k in header])
    wb.add_worksheet("Other").write_row(0, 0, ["ignored"])
    wb.close()
    assert expected_subjects(lint(export_dir)) == ["E2"]


def test_zip_of_a_folder(tmp_path):
    folder = make_export(tmp_path / "myshop", {"bindings": BINDINGS, "stores": STORES})
    archive = tmp_path / "myshop.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for f in folder.iterdir():
            zf.write(f, f"myshop/{f.name}")
    assert expected_subjects(lint(archive)) == ["E2", "E4"]


def test_list_columns_pipe_separated_and_native(tmp_path):
    lives = [{"live_id": "L1", "account_id": "A1", "started_at": "2025-03-01T10:00:00+07:00",
              "ended_at": "2025-03-01T11:00:00+07:00", "product_ids": ["P1", "P2"], "stream_source": "enc-1"},
             {"live_id": "L2", "account_id": "A2", "started_at": "2025-03-01T10:00:00+07:00",
              "ended_at": "2025-03-01T11:00:00+07:00", "product_ids": ["P2", "P3"], "stream_source": "enc-1"}]
    binds = [bind("E1", "S1", "A1", "official", "bind", "2025-01-01T00:00:00+07:00"),
             bind("E2", "S1", "A2", "marketing", "bind", "2025-01-01T00:00:00+07:00")]
    for fmt in ("csv", "jsonl"):
        folder = make_export(tmp_path / fmt, {"live_sessions": lives, "bindings": binds}, fmt=fmt)
        (f,) = findings(lint(folder), "LIVE001")
        assert f["evidence"]["shared_products"] == ["P2"]
        assert f["evidence"]["same_stream_source"] is True


def test_naive_timestamps_use_the_store_zone_then_the_run_zone(export_dir):
    make_export(export_dir, {
        "stores": [{"store_id": "S1", "region": "ID", "timezone": "Asia/Makassar"},
                   {"store_id": "S2", "region": "ID", "timezone": ""}],
        "bindings": [bind("E1", "S1", "A1", "official", "bind", "2025-03-01T10:00:00"),
                     bind("E2", "S1", "A1", "official", "unbind", "2025-03-01T12:00:00"),
                     bind("E3", "S2", "A2", "official", "bind", "2025-03-01T10:00:00"),
                     bind("E4", "S2", "A2", "official", "unbind", "2025-03-01T12:00:00")]})
    report = lint(export_dir, zone="Asia/Jakarta")
    windows = {f["store_id"]: f["window"]["start"] for f in findings(report, "BIND004")}
    assert windows == {"S1": "2025-03-01T10:00:00+08:00", "S2": "2025-03-01T10:00:00+07:00"}


def test_json_object_with_data_key(export_dir):
    export_dir.mkdir()
    (export_dir / "bindings.json").write_text(json.dumps({"data": BINDINGS[:2]}), encoding="utf-8")
    assert expected_subjects(lint(export_dir)) == ["E2"]


def test_extra_columns_are_kept_and_ignored(export_dir):
    rows = [dict(r, note="x", Extra=1) for r in BINDINGS[:2]]
    write_table(export_dir, "bindings", rows)
    assert expected_subjects(lint(export_dir)) == ["E2"]
