"""Bad input: clear messages naming file, row and column; unusable input exits 2 with no
report; bad rows are skipped and listed; never a traceback."""

from conftest import bind, findings, lint, run_cli, write_table

GOOD = [bind("E1", "S1", "A1", "official", "bind", "2025-03-01T10:00:00+07:00"),
        bind("E2", "S1", "A1", "official", "unbind", "2025-03-02T10:00:00+07:00")]


def errors(report, column=None):
    return [e for e in report["input_errors"] if column is None or e["column"] == column]


def test_missing_required_column_exits_2_naming_file_and_column(export_dir, tmp_path):
    write_table(export_dir, "bindings", [{k: v for k, v in r.items() if k != "at"} for r in GOOD])
    out = tmp_path / "report.json"
    res = run_cli("check", export_dir, "--format", "json", "--output", out)
    assert res.returncode == 2
    assert "bindings.csv" in res.stderr and "'at'" in res.stderr and "missing" in res.stderr
    assert "Traceback" not in res.stderr
    assert not out.exists()


def test_bad_timestamp_row_is_skipped_and_listed_with_row_and_column(export_dir):
    rows = GOOD + [bind("E3", "S1", "A2", "marketing", "bind", "yesterday"),
                   bind("E4", "S1", "A2", "marketing", "unbind", "2025-03-02T10:00:00+07:00")]
    write_table(export_dir, "bindings", rows)
    report = lint(export_dir)
    (bad,) = errors(report, "at")
    assert (bad["file"], bad["row"], bad["value"]) == ("bindings.csv", 4, "yesterday")
    assert "timestamp" in bad["message"]
    # E4 then has nothing to close: listed too, and the good rows still give their finding
    assert any(e["value"] == "E4" and e["row"] == 5 for e in errors(report))
    assert [f["subjects"] for f in findings(report, "BIND004")] == [["E2"]]


def test_unknown_account_type_and_action(export_dir):
    rows = GOOD + [bind("E3", "S1", "A2", "affiliate", "bind", "2025-03-01T10:00:00+07:00"),
                   bind("E4", "S1", "A2", "marketing", "link", "2025-03-01T10:00:00+07:00")]
    write_table(export_dir, "bindings", rows)
    report = lint(export_dir)
    assert {(e["row"], e["column"]) for e in errors(report)} == {(4, "account_type"), (5, "action")}
    assert report["summary"]["input_errors"] == 2


def test_duplicate_ids_keep_the_first(export_dir):
    write_table(export_dir, "bindings", GOOD + [bind("E1", "S9", "A9", "official", "bind",
                                                     "2025-03-01T10:00:00+07:00")])
    report = lint(export_dir)
    (dup,) = errors(report, "event_id")
    assert dup["row"] == 4 and "first at row 2" in dup["message"]


def test_each_duplicate_names_the_first_row_of_its_own_id(export_dir):
    # ids L1, L1, L2, L2 at rows 2-5: the second L2 points at row 4, not at the second
    # distinct id's position in some other list (a bug found by the worker-side reading)
    lives = [{"live_id": live_id, "account_id": "A1", "started_at": f"2025-03-0{day}T10:00:00+07:00",
              "ended_at": f"2025-03-0{day}T11:00:00+07:00"} for live_id, day in (("L1", 1), ("L1", 2), ("L2", 3), ("L2", 4))]
    write_table(export_dir, "live_sessions", lives)
    write_table(export_dir, "bindings", GOOD)
    dups = sorted((e["row"], e["message"]) for e in errors(lint(export_dir), "live_id"))
    assert [row for row, _ in dups] == [3, 5]
    assert "first at row 2" in dups[0][1] and "first at row 4" in dups[1][1]


def test_live_ending_before_it_starts(export_dir):
    write_table(export_dir, "live_sessions", [
        {"live_id": "L1", "account_id": "A1", "started_at": "2025-03-01T10:00:00+07:00",
         "ended_at": "2025-03-01T09:00:00+07:00"}])
    write_table(export_dir, "bindings", GOOD)
    report = lint(export_dir)
    (emptied, e) = errors(report)  # file-wide problems (no row) come first
    assert (e["file"], e["row"], e["column"]) == ("live_sessions.csv", 2, "ended_at")
    assert "before" in e["message"]
    # its only row rejected, the table is not checked as if it were empty: LIVE001 did not run
    assert emptied["level"] == "warning" and "every one of its 1 rows was rejected" in emptied["message"]
    assert "LIVE001" in report["rules"]["not_run"]


def test_strict_turns_row_errors_into_exit_2(export_dir):
    write_table(export_dir, "bindings", GOOD + [bind("E3", "S1", "A2", "marketing", "unbind",
                                                     "2025-03-01T10:00:00+07:00")])
    assert run_cli("check", export_dir, "--as-of", "2026-01-01").returncode == 1
    res = run_cli("check", export_dir, "--strict", "--as-of", "2026-01-01")
    assert res.returncode == 2
    assert "bindings.csv, row 4, column 'action'" in res.stderr


def test_unreadable_file_exits_2(export_dir):
    export_dir.mkdir()
    (export_dir / "bindings.parquet").write_bytes(b"this is not parquet")
    res = run_cli("check", export_dir)
    assert res.returncode == 2
    assert "bindings.parquet" in res.stderr and "Traceback" not in res.stderr


def test_wrong_encoding_is_read_with_a_warning(export_dir):
    export_dir.mkdir()
    text = "store_id,region,store_name\nS1,ID,Caf\xe9 Kopi\n"
    (export_dir / "stores.csv").write_bytes(text.encode("cp1252"))
    write_table(export_dir, "bindings", GOOD)
    report = lint(export_dir)
    assert any(e["level"] == "warning" and "Windows-1252" in e["message"] for e in report["input_errors"])
    assert report["findings"][0]["store_name"] == "Café Kopi"


def test_row_with_too_many_fields_is_skipped_with_its_row(export_dir):
    export_dir.mkdir()
    (export_dir / "bindings.csv").write_text(
        "event_id,store_id,account_id,account_type,action,at\n"
        "E1,S1,A1,official,bind,2025-03-01T10:00:00+07:00\n"
        "E9,S1,A1,official,bind,2025-03-01T10:00:00+07:00,extra\n"
        "E2,S1,A1,official,unbind,2025-03-02T10:00:00+07:00\n", encoding="utf-8")
    report = lint(export_dir)
    assert [e["row"] for e in errors(report)] == [3]
    assert [f["subjects"] for f in findings(report, "BIND004")] == [["E2"]]


def test_empty_file_exits_2(export_dir):
    export_dir.mkdir()
    (export_dir / "bindings.csv").write_text("", encoding="utf-8")
    res = run_cli("check", export_dir)
    assert res.returncode == 2 and "bindings.csv" in res.stderr and "empty" in res.stderr


def test_missing_table_means_not_run_not_passed(export_dir):
    write_table(export_dir, "stores", [{"store_id": "S1", "region": "ID"}])
    write_table(export_dir, "bindings", GOOD)
    report = lint(export_dir)
    assert set(report["rules"]["not_run"]) == {"BIND007", "DUP001", "LIVE001"}
    assert "BIND004" in report["rules"]["run"]


def test_an_export_no_rule_can_read_is_unusable_not_clean(export_dir):
    """Before: a folder with only stores.csv, or nothing, said '0 findings' and exited 0."""
    write_table(export_dir, "stores", [{"store_id": "S1", "region": "ID"}])
    res = run_cli("check", export_dir, "--as-of", "2026-01-01")
    assert res.returncode == 2, res.stderr
    assert "no rule can run" in res.stderr and "bindings table" in res.stderr and "stores.csv" in res.stderr
    (export_dir / "stores.csv").unlink()
    res = run_cli("check", export_dir, "--as-of", "2026-01-01")
    assert res.returncode == 2 and "the export is empty" in res.stderr


def test_a_bindings_table_whose_every_row_is_rejected_is_unusable(export_dir):
    """A spreadsheet wrote dates no reader takes: every row is rejected, so no rule can run:
    exit 2 with the row problems, never '0 findings'."""
    write_table(export_dir, "bindings", [bind("E1", "S1", "A1", "official", "bind", "31 Desember 2025 pukul 10"),
                                         bind("E2", "S1", "A2", "marketing", "bind", "kemarin 11.00")])
    res = run_cli("check", export_dir, "--as-of", "2026-01-01")
    assert res.returncode == 2, res.stderr
    assert "every one of its 2 rows was rejected" in res.stderr or "no rule can run" in res.stderr
    assert "bindings.csv" in res.stderr


def test_export_that_does_not_exist(tmp_path):
    res = run_cli("check", tmp_path / "nope")
    assert res.returncode == 2 and "no such folder" in res.stderr


def test_input_errors_are_in_the_text_summary(export_dir):
    write_table(export_dir, "bindings", GOOD + [bind("E3", "S1", "A2", "marketing", "unbind",
                                                     "2025-03-01T10:00:00+07:00")])
    res = run_cli("check", export_dir, "--as-of", "2026-01-01")
    assert "bindings.csv, row 4, column 'action'" in res.stdout
    assert "1 input problems" in res.stdout


def test_an_export_of_unrecognised_files_says_why_each_was_not_used(export_dir):
    export_dir.mkdir(parents=True, exist_ok=True)
    (export_dir / "notes.csv").write_text("foo,bar\n1,2\n", encoding="utf-8")
    res = run_cli("check", export_dir, "--as-of", "2026-01-01")
    assert res.returncode == 2
    assert "no rule can run" in res.stderr
    assert "notes.csv: not used" in res.stderr and "most resembles accounts" in res.stderr
    assert "row-level" not in res.stderr  # a warning is not a row problem
