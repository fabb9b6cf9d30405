"""Bounded reading (issue 12, finding 1): every table format is refused with exit 2, naming the
file and the limit, before it can expand in memory — a sparse spreadsheet, millions of tiny
rows, a wide header, a JSON document of tiny values, a Parquet file whose footer promises too
much. The limits are made small here so that each attack is refused at once; the sparse XLSX
of the issue is also run at the default limits, in a subprocess, timed and capped."""
from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile

import pytest

import lint.ingest.reader as reader

import fuzzkit as fk
from conftest import REPO, bind

GOOD = [bind(f"E{i}", "S1", "A1", "official", "bind" if i % 2 == 0 else "unbind",
             f"2025-03-{1 + i // 2:02d}T10:00:00+07:00") for i in range(10)]
COLUMNS = list(GOOD[0])
ROWS = [list(r.values()) for r in GOOD]


def exit_2(folder, *words):
    result = fk.check_json(folder)
    fk.assert_clean_outcome(result, ["bindings."])
    assert result.exit_code == 2, (result.exit_code, result.stdout[:300])
    for w in words:
        assert w in result.stderr, result.stderr
    return result.stderr


def sparse_xlsx(path, row=999_999, col=99):
    """The issue's attack: a tiny workbook with one cell far away (CV1000000)."""
    import xlsxwriter
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet()
    ws.write_row(0, 0, COLUMNS)
    ws.write_row(1, 0, ROWS[0])
    ws.write(row, col, "x")
    wb.close()
    return path


def test_sparse_xlsx_is_refused_fast_in_little_memory(tmp_path):
    """Default limits (before: 57 s and 4 GB): refused before the sheet is read; the real
    command line, in a child process capped at 1.5 GB of address space, exits 2 naming the
    file and the limit, in little memory. (Its time is measured in bench/bench_limits.py,
    never asserted in a test.)"""
    from lint.core.model import Problems
    export = tmp_path / "export"
    export.mkdir()
    sparse_xlsx(export / "bindings.xlsx")
    assert (export / "bindings.xlsx").stat().st_size < 10_000
    with pytest.raises(reader.TooLarge, match="SHOPLINT_TABLE_MAX_CELLS"):
        reader.read_table(export / "bindings.xlsx", "bindings.xlsx", Problems())
    cap = 1536 * 1024**2  # if the refusal fails, the child dies of memory instead of eating the machine
    code = ("import resource,sys,runpy; resource.setrlimit(resource.RLIMIT_AS, (%d, %d)); "
            "sys.argv=['lint','check',sys.argv[1],'--no-cache','-q']; runpy.run_module('lint', run_name='__main__')"
            % (cap, cap))
    code = code.replace("runpy.run_module", "import atexit; atexit.register(lambda: print('maxrss', "
                        "resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)); runpy.run_module")
    res = subprocess.run([sys.executable, "-c", code, str(export)], capture_output=True, text=True, cwd=REPO,
                         timeout=120)
    assert res.returncode == 2, res.stderr[-2000:]
    assert "bindings.xlsx" in res.stderr and "SHOPLINT_TABLE_MAX_CELLS" in res.stderr, res.stderr
    peak_kb = int(res.stderr.rsplit("maxrss ", 1)[1].split()[0])  # this child's own peak
    assert peak_kb < 1_000_000, peak_kb


def test_xlsx_within_the_limits_is_read(tmp_path):
    export = tmp_path / "export"
    export.mkdir()
    import xlsxwriter
    wb = xlsxwriter.Workbook(str(export / "bindings.xlsx"))
    ws = wb.add_worksheet()
    ws.write_row(0, 0, COLUMNS)
    for i, r in enumerate(ROWS, start=1):
        ws.write_row(i, 0, r)
    wb.close()
    report = fk.assert_clean_outcome(fk.check_json(export), [])
    assert report["rows_read"] == {"bindings": 10}


@pytest.mark.parametrize("fmt", ["csv", "tsv", "jsonl", "json", "xlsx", "parquet"])
def test_row_limit_every_format(tmp_path, monkeypatch, fmt):
    export = tmp_path / "export"
    export.mkdir()
    (export / f"bindings.{fmt}").write_bytes(fk.table_bytes(COLUMNS, ROWS, fmt))
    assert fk.assert_clean_outcome(fk.check_json(export), [])["rows_read"] == {"bindings": 10}
    monkeypatch.setattr(reader, "TABLE_MAX_ROWS", 9)
    exit_2(export, f"bindings.{fmt}", "rows", "limit 9", "SHOPLINT_TABLE_MAX_ROWS")
    monkeypatch.setattr(reader, "TABLE_MAX_ROWS", 10)
    assert fk.assert_clean_outcome(fk.check_json(export), [])["rows_read"] == {"bindings": 10}


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "json", "xlsx", "parquet"])
def test_cell_limit_every_format(tmp_path, monkeypatch, fmt):
    export = tmp_path / "export"
    export.mkdir()
    (export / f"bindings.{fmt}").write_bytes(fk.table_bytes(COLUMNS, ROWS, fmt))
    monkeypatch.setattr(reader, "TABLE_MAX_CELLS", 40)
    exit_2(export, f"bindings.{fmt}", "limit 40", "SHOPLINT_TABLE_MAX_CELLS")


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "json", "xlsx"])
def test_byte_limit_every_format(tmp_path, monkeypatch, fmt):
    export = tmp_path / "export"
    export.mkdir()
    (export / f"bindings.{fmt}").write_bytes(fk.table_bytes(COLUMNS, ROWS * 20, fmt))
    monkeypatch.setattr(reader, "TABLE_MAX_BYTES", 2000)
    exit_2(export, f"bindings.{fmt}", "limit 2,000", "SHOPLINT_TABLE_MAX_BYTES")


def test_csv_of_tiny_rows_is_counted_in_a_stream_and_stopped(tmp_path, monkeypatch):
    """Many line breaks inside quoted values: the line count over-estimates, the exact
    streaming count lets the file through; more real rows than the limit are refused."""
    export = tmp_path / "export"
    export.mkdir()
    rows = [[*r[:-1], r[-1]] for r in ROWS]
    text = ",".join(COLUMNS) + "\n" + "".join(
        ",".join(r[:2]) + ',"A1\n\n\n",' + ",".join(r[3:]) + "\n" for r in rows)
    (export / "bindings.csv").write_text(text)
    monkeypatch.setattr(reader, "TABLE_MAX_ROWS", 12)  # 40 lines, 10 rows
    report = fk.assert_clean_outcome(fk.check_json(export), [])
    assert report["rows_read"] == {"bindings": 10}
    (export / "bindings.csv").write_text(",".join(COLUMNS) + "\n" + "a,b,c,d,e,f\n" * 5000)
    exit_2(export, "bindings.csv", "more than 12 rows")


def test_a_header_wider_than_the_cell_limit(tmp_path, monkeypatch):
    export = tmp_path / "export"
    export.mkdir()
    (export / "bindings.csv").write_text(",".join(f"c{i}" for i in range(100)) + "\n")
    monkeypatch.setattr(reader, "TABLE_MAX_CELLS", 50)
    exit_2(export, "bindings.csv", "SHOPLINT_TABLE_MAX_CELLS")


def test_sparse_xlsx_in_a_zip_and_lying_dimension(tmp_path, monkeypatch):
    """The <dimension> claim is not trusted: a sheet that claims A1:F2 but has a far cell."""
    path = sparse_xlsx(tmp_path / "b.xlsx", row=5000, col=20)
    buf = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                import re
                data = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:F2"/>', data)
            dst.writestr(info.filename, data)
    export = tmp_path / "export"
    export.mkdir()
    (export / "bindings.xlsx").write_bytes(buf.getvalue())
    monkeypatch.setattr(reader, "TABLE_MAX_CELLS", 10_000)
    exit_2(export, "bindings.xlsx", "5,000 rows x 21 columns", "SHOPLINT_TABLE_MAX_CELLS")


def test_json_videos_of_tiny_values_is_refused_before_parsing(tmp_path, monkeypatch):
    export = tmp_path / "export"
    export.mkdir()
    (export / "videos.json").write_text(json.dumps([{}] * 5000))
    monkeypatch.setattr(reader, "TABLE_MAX_CELLS", 1000)
    result = fk.check_json(export)
    assert result.exit_code == 2 and "videos.json" in result.stderr and "values" in result.stderr


def test_the_limits_follow_the_environment(tmp_path, monkeypatch):
    from conftest import run_cli
    export = tmp_path / "export"
    export.mkdir()
    (export / "bindings.csv").write_bytes(fk.table_bytes(COLUMNS, ROWS, "csv"))
    monkeypatch.setenv("SHOPLINT_TABLE_MAX_ROWS", "5")
    res = run_cli("check", export, "--no-cache", "-q")
    assert res.returncode == 2 and "bindings.csv" in res.stderr and "(limit 5, set by SHOPLINT_TABLE_MAX_ROWS)" \
        in res.stderr, res.stderr
    monkeypatch.setenv("SHOPLINT_TABLE_MAX_ROWS", "-1")  # not a limit: the default applies
    assert run_cli("check", export, "--no-cache", "-q").returncode in (0, 1)


@pytest.mark.parametrize("fmt", ["jsonl", "json"])
def test_records_that_each_bring_new_keys(tmp_path, monkeypatch, fmt):
    """2,000 records of one new key each would be a 2,000 x 2,000 table, built key by key:
    refused before it is built (a few cells each, far under the file's own count)."""
    export = tmp_path / "export"
    export.mkdir()
    records = [{f"k{i}": "v"} for i in range(2000)]
    text = "\n".join(json.dumps(r) for r in records) if fmt == "jsonl" else json.dumps(records)
    (export / f"bindings.{fmt}").write_text(text)
    monkeypatch.setattr(reader, "TABLE_MAX_CELLS", 100_000)
    exit_2(export, f"bindings.{fmt}", "2,000 rows x 2,000 columns", "SHOPLINT_TABLE_MAX_CELLS")
