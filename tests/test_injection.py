"""Hostile values in captions, LIVE titles and store names stay inert data in every format."""
import csv
import io
import json

import pyarrow.parquet as pq

from conftest import bind, make_export, run_cli

AS_OF = "2026-01-01T00:00:00+07:00"
HOSTILE = "=cmd|' /C calc'!A0 <script>alert(1)</script>\x1b[31mRED\x1b[0m \u202eevil"


def test_hostile_values_are_neutralised_everywhere(tmp_path):
    folder = make_export(tmp_path / "export", {
        "stores": [{"store_id": "S1", "store_name": HOSTILE, "region": "ID"}],
        "bindings": [bind("E1", "S1", "OFF", "official", "bind", "2025-01-01T00:00:00+07:00"),
                     bind("E2", "S1", "MKT", "marketing", "bind", "2025-01-01T00:00:00+07:00")],
        "live_sessions": [
            {"live_id": "L1", "account_id": "OFF", "started_at": "2025-05-01T19:00:00+07:00",
             "ended_at": "2025-05-01T21:00:00+07:00", "title": HOSTILE},
            {"live_id": "L2", "account_id": "MKT", "started_at": "2025-05-01T19:30:00+07:00",
             "ended_at": "2025-05-01T20:30:00+07:00", "title": HOSTILE},
        ],
        "videos": [{"video_id": "V1", "account_id": "OFF", "posted_at": "2025-05-02T00:00:00+07:00",
                    "caption": HOSTILE, "thumbnail": "../../etc/passwd"}],
    })
    out = tmp_path / "out"
    out.mkdir()
    res = run_cli("check", folder, "--format", "json,html,csv,jsonl,parquet,text", "--output-dir", out,
                  "--as-of", AS_OF, "--no-cache")
    assert res.returncode == 1, res.stderr
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert [f["rule"] for f in report["findings"]] == ["LIVE001"]
    assert report["findings"][0]["store_name"] == HOSTILE  # JSON keeps the data exactly, encoded
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;" in html
    text = (out / "report.txt").read_text(encoding="utf-8")
    assert "\x1b" not in text and "\u202e" not in text
    rows = list(csv.reader(io.StringIO((out / "report.csv").read_text(encoding="utf-8"))))
    assert not [c for r in rows[1:] for c in r if c[:1] in "=+-@\t\r" and c]
    lines = [json.loads(x) for x in (out / "report.jsonl").read_text(encoding="utf-8").splitlines()]
    assert lines[0]["store_name"] == HOSTILE
    assert pq.read_table(out / "report.parquet").column("store_name").to_pylist() == [HOSTILE]
    # the path outside the export was refused and reported, never read
    assert any(e["column"] == "thumbnail" and "leaves the export" in e["message"] for e in report["input_errors"])
