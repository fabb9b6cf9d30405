"""--date-order: text dates as spreadsheets write them (01/06/2025 10:00), day first by
default as Indonesian spreadsheets do, month first on request; ISO and epoch unaffected."""
from lint import LintOptions
from lint import lint as api_lint

from conftest import bind, findings, lint, make_export, run_cli


def _bindings(export_dir, bind_at, unbind_at):
    make_export(export_dir, {"bindings": [bind("E1", "S1", "A1", "marketing", "bind", bind_at),
                                          bind("E2", "S1", "A1", "marketing", "unbind", unbind_at)]})


def test_a_spreadsheet_written_in_indonesia_is_read_day_first(export_dir):
    # 1 June 10:00 to 2 June 09:00: 23 h, an early unbind (month first it would be January
    # 6 to February 6, not early)
    _bindings(export_dir, "01/06/2025 10:00", "02/06/2025 09.00")  # Indonesian writes 09.00
    found = findings(lint(export_dir), "BIND004")
    assert [f["window"] for f in found] == [{"start": "2025-06-01T10:00:00+07:00", "end": "2025-06-02T09:00:00+07:00"}]


def test_month_first_on_request(export_dir):
    _bindings(export_dir, "06/01/2025 10:00", "06/02/2025 09:00")
    result = api_lint(export_dir, LintOptions(as_of="2026-01-01T00:00:00+07:00", date_order="mdy"))
    assert [(f.rule, f.subjects) for f in result.findings] == [("BIND004", ["E2"])]
    day_first = api_lint(export_dir, LintOptions(as_of="2026-01-01T00:00:00+07:00"))
    assert day_first.findings == []  # 6 January to 6 February: not early


def test_iso_and_epoch_are_not_affected_by_the_order(export_dir):
    _bindings(export_dir, "2025-06-01T10:00:00+07:00", "1748829600")  # 2025-06-02T09:00+07:00
    for order in ("dmy", "mdy"):
        result = api_lint(export_dir, LintOptions(as_of="2026-01-01T00:00:00+07:00", date_order=order))
        assert [f.subjects for f in result.findings] == [["E2"]]


def test_a_date_that_is_no_date_in_the_order_is_named(export_dir):
    _bindings(export_dir, "13/13/2025 10:00", "01/06/2025 10:00")
    proc = run_cli("check", str(export_dir), "--format", "json", "--as-of", "2026-01-01T00:00:00+07:00")
    # the bind is rejected (row named), the unbind then has nothing open: nothing left to run on
    assert "bindings.csv, row 2, column 'at'" in proc.stdout + proc.stderr


def test_the_command_line_and_environment_set_the_order(export_dir):
    _bindings(export_dir, "06/01/2025 10:00", "06/02/2025 09:00")
    proc = run_cli("check", str(export_dir), "--format", "json", "--as-of", "2026-01-01T00:00:00+07:00",
                   "--date-order", "mdy")
    assert proc.returncode == 1, proc.stderr
    proc = run_cli("check", str(export_dir), "--format", "json", "--as-of", "2026-01-01T00:00:00+07:00",
                   "--date-order", "ymd")
    assert proc.returncode == 2 and "ymd" in proc.stderr
