"""Files as sellers have them (issue 14, item 6): a second download's name, a table saved
under another name, files that are not tables."""
from __future__ import annotations

import json
import shutil

from lint.ingest.source import table_named

from conftest import REPO, run_cli

AS_OF = "2025-12-31T00:00:00+07:00"


def test_names_of_copies_name_their_table():
    for name, table in (("bindings (1).csv", "bindings"), ("bindings(2).csv", "bindings"),
                        ("Copy of stores.xlsx", "stores"), ("accounts - Copy.csv", "accounts"),
                        ("Salinan bindings.csv", "bindings"), ("Live Sessions.xlsx", "live_sessions"),
                        ("live-sessions (3).jsonl", "live_sessions"), ("BINDINGS.CSV", "bindings")):
        assert table_named(name) == table, name
    for name in ("notes.csv", "bindings_2024.csv", "my bindings.csv"):
        assert table_named(name) is None, name


def _report(folder, *args):
    res = run_cli("check", folder, "--as-of", AS_OF, "--format", "json", "--no-cache", *args)
    assert res.returncode in (0, 1), res.stderr
    return json.loads(res.stdout)


def test_a_second_download_and_tables_under_other_names_are_read(tmp_path):
    export = tmp_path / "export"
    export.mkdir()
    shutil.copy(REPO / "sample_data" / "bindings.csv", export / "bindings (1).csv")
    shutil.copy(REPO / "sample_data" / "live_sessions.csv", export / "lives_april.csv")
    shutil.copy(REPO / "sample_data" / "stores.csv", export / "Toko saya.csv")
    (export / "notes.csv").write_text("note,by\nremember to unbind,me\n", encoding="utf-8")
    report = _report(export)
    assert report["rows_read"]["bindings"] > 0 and report["rows_read"]["live_sessions"] > 0
    assert "stores" in report["rows_read"]
    assert {"LIVE001", "BIND001"} <= set(report["rules"]["run"])
    notes = {p["file"]: p["message"] for p in report["input_errors"] if p["level"] == "warning"}
    assert notes["lives_april.csv"].startswith("read as the live_sessions table")
    assert "not used" in notes["notes.csv"] and "most resembles" in notes["notes.csv"]
    # the same findings as the export with its proper names
    proper = _report(REPO / "sample_data", "--select", "BIND,LIVE", "--ignore", "BIND007")  # no accounts here
    ours = _report(export, "--select", "BIND,LIVE", "--ignore", "BIND007")
    strip = lambda r: [(f["rule"], f["subjects"], f["fingerprint"]) for f in r["findings"]]  # noqa: E731
    assert strip(ours) == strip(proper)


def test_a_file_whose_table_is_already_there_is_named_not_used(tmp_path):
    export = tmp_path / "export"
    export.mkdir()
    shutil.copy(REPO / "sample_data" / "bindings.csv", export / "bindings.csv")
    shutil.copy(REPO / "sample_data" / "bindings.csv", export / "old_bindings.csv")
    report = _report(export)
    [note] = [p for p in report["input_errors"] if p["file"] == "old_bindings.csv"]
    assert "not used" in note["message"] and "has already" in note["message"]


def test_two_copies_of_one_table_are_a_clear_refusal(tmp_path):
    export = tmp_path / "export"
    export.mkdir()
    shutil.copy(REPO / "sample_data" / "bindings.csv", export / "bindings.csv")
    shutil.copy(REPO / "sample_data" / "bindings.csv", export / "bindings (1).csv")
    res = run_cli("check", export, "--as-of", AS_OF)
    assert res.returncode == 2 and "several files for table 'bindings'" in res.stderr


def test_a_table_file_in_a_sub_folder_is_named_not_used(tmp_path):
    from conftest import bind, lint, make_export
    folder = tmp_path / "export"
    make_export(folder, {"bindings": [bind("E1", "S1", "A1", "official", "bind", "2025-03-01T10:00:00+07:00")]})
    make_export(folder / "old", {"stores": [{"store_id": "S1", "region": "ID"}]})
    report = lint(folder)
    [warning] = [p for p in report["input_errors"] if p["file"] == "old/stores.csv"]
    assert "sub-folder" in warning["message"] and warning["level"] == "warning"
