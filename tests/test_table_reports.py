"""CSV, Parquet and JSONL reports carry the same findings as the JSON report, and several
formats can be written in one run."""
import csv
import io
import json
from datetime import datetime

import pyarrow as pa
import pyarrow.parquet as pq

from lint.reports.table_reports import neutralise

from conftest import REPO, bind, make_export, run_cli

SAMPLE = REPO / "sample_data"
AS_OF = "2025-12-31T00:00:00+07:00"


def all_formats(folder, out):
    out.mkdir(exist_ok=True)
    res = run_cli("check", folder, "--format", "json,csv,parquet,jsonl,html,text", "--output-dir", out,
                  "--as-of", AS_OF, "--no-cache")
    assert res.returncode == 1, res.stderr
    return json.loads((out / "report.json").read_text(encoding="utf-8"))


def test_csv_round_trips_the_findings(tmp_path):
    report = all_formats(SAMPLE, tmp_path / "out")
    rows = list(csv.DictReader(io.StringIO((tmp_path / "out" / "report.csv").read_text(encoding="utf-8"))))
    findings = [r for r in rows if r["record"] == "finding"]
    assert len(findings) == len(report["findings"])
    for row, f in zip(findings, report["findings"]):
        assert (row["rule"], row["store_id"], row["fingerprint"]) == (f["rule"], f["store_id"], f["fingerprint"])
        assert row["subjects"].split("|") == f["subjects"]
        assert row["window_start"] == f["window"]["start"] and row["message"] == f["message"]
        for key, value in f["evidence"].items():
            cell = row[f"evidence.{key}"]
            if isinstance(value, (list, dict)):
                assert json.loads(cell) == value
            elif isinstance(value, bool):
                assert cell == str(value).lower()
            elif isinstance(value, (int, float)):
                assert float(cell) == value
            else:
                assert cell == value


def test_parquet_has_typed_columns_and_the_same_findings(tmp_path):
    report = all_formats(SAMPLE, tmp_path / "out")
    table = pq.read_table(tmp_path / "out" / "report.parquet")
    assert table.schema.field("window_start").type == pa.timestamp("ms", tz="UTC")
    assert table.schema.field("subjects").type == pa.list_(pa.string())
    assert table.num_rows == len(report["findings"])
    for row, f in zip(table.to_pylist(), report["findings"]):
        assert row["fingerprint"] == f["fingerprint"] and row["subjects"] == f["subjects"]
        assert row["window_start"] == datetime.fromisoformat(f["window"]["start"])
        assert json.loads(row["evidence"]) == f["evidence"]
    meta = json.loads(table.schema.metadata[b"shoplint"])
    assert meta["summary"] == report["summary"] and meta["input_errors"] == report["input_errors"]


def test_jsonl_is_one_finding_a_line_then_the_summary(tmp_path):
    report = all_formats(SAMPLE, tmp_path / "out")
    lines = [json.loads(x) for x in (tmp_path / "out" / "report.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [x["fingerprint"] for x in lines if x["type"] == "finding"] == [f["fingerprint"] for f in report["findings"]]
    assert lines[-1]["type"] == "summary" and lines[-1]["findings"] == report["summary"]["findings"]


def test_bad_rows_are_listed_in_every_format(tmp_path):
    folder = make_export(tmp_path / "export", {"bindings": [
        bind("E1", "S1", "A1", "official", "bind", "2025-01-01T00:00:00+07:00"),
        bind("E2", "S1", "A1", "official", "unbind", "not a time"),
    ]})
    out = tmp_path / "out"
    out.mkdir()
    res = run_cli("check", folder, "--format", "json,csv,jsonl,parquet,html,text", "--output-dir", out, "--as-of", AS_OF)
    assert res.returncode == 0, res.stderr
    assert "not a time" in (out / "report.csv").read_text(encoding="utf-8")
    assert '"type": "input_error"' in (out / "report.jsonl").read_text(encoding="utf-8")
    assert json.loads(pq.read_table(out / "report.parquet").schema.metadata[b"shoplint"])["input_errors"]
    assert "not a time" in (out / "report.html").read_text(encoding="utf-8")
    assert "not a time" in (out / "report.txt").read_text(encoding="utf-8")


def test_spreadsheet_formulas_are_neutralised(tmp_path):
    formula = '=HYPERLINK("http://evil.example","click")'
    folder = make_export(tmp_path / "export", {
        "stores": [{"store_id": "S1", "store_name": formula, "region": "ID"}],
        "accounts": [{"account_id": "@A1", "region": "-MY"}],
        "bindings": [bind("+E1", "S1", "@A1", "official", "bind", "2025-01-01T00:00:00+07:00")],
    })
    out = tmp_path / "report.csv"
    res = run_cli("check", folder, "--format", "csv", "--output", out, "--as-of", AS_OF)
    assert res.returncode == 1, res.stderr
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
    cells = [c for r in rows[1:] for c in r]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert "'" + formula in cells and "'@A1" in cells and "'+E1" in cells


def test_neutralise_keeps_numbers_and_plain_text():
    assert neutralise(-3) == "-3" and neutralise(2.5) == "2.5" and neutralise("Toko") == "Toko"
    assert neutralise("\tx") == "'\tx" and neutralise(None) == ""


def test_usage_errors_for_formats(tmp_path):
    res = run_cli("check", SAMPLE, "--format", "json,html")
    assert res.returncode == 2 and "--output-dir" in res.stderr
    res = run_cli("check", SAMPLE, "--format", "pdf")
    assert res.returncode == 2 and "choose from" in res.stderr
