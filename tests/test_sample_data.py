"""sample_data/ is the export the README runs: every rule fires there, the clean store stays
clean, and the report is exactly sample_data/expected.json (reviewed by a person when it
changes: SHOPLINT_UPDATE_EXPECTED=1 pytest tests/test_sample_data.py rewrites it)."""
import json
import os

from conftest import REPO, run_cli

SAMPLE = REPO / "sample_data"
EXPECTED = SAMPLE / "expected.json"
AS_OF = "2025-12-31T00:00:00+07:00"  # the README's command


def sample_report(tmp_path, *extra):
    out = tmp_path / "report.json"
    res = run_cli("check", SAMPLE, "--format", "json", "--output", out, "--as-of", AS_OF, "--no-cache", *extra)
    assert res.returncode == 1, res.stderr  # findings
    return out.read_text(encoding="utf-8")


def test_every_rule_fires_and_the_clean_store_stays_clean(tmp_path):
    report = json.loads(sample_report(tmp_path))
    fired = {f["rule"] for f in report["findings"]}
    assert fired == set(report["rules"]["run"]) == {"BIND001", "BIND002", "BIND003", "BIND004", "BIND005",
                                                   "BIND006", "BIND007", "DUP001", "LIVE001"}
    assert not [f for f in report["findings"] if f["store_id"] == "S04"]
    assert report["input_errors"] == []
    # the look-alike product shots of S04, the other batik of S01 and the look-alike cat
    # clip of S02 (V205) are not duplicates; V204 re-posts V203 in bars under another cover
    dup = sorted(tuple(f["subjects"]) for f in report["findings"] if f["rule"] == "DUP001")
    assert dup == [("V101", "V102"), ("V201", "V202"), ("V203", "V204"), ("V301", "V302")]
    [clip] = [f for f in report["findings"] if f["subjects"] == ["V203", "V204"]]
    assert clip["evidence"]["decided_by"] == "video" and clip["evidence"]["video_bars_removed"] == [False, True]


def test_report_is_the_reviewed_expected_one_and_byte_identical_across_runs(tmp_path):
    first = sample_report(tmp_path)
    assert sample_report(tmp_path) == first
    if os.environ.get("SHOPLINT_UPDATE_EXPECTED"):
        EXPECTED.write_text(first, encoding="utf-8")
    assert json.loads(first) == json.loads(EXPECTED.read_text(encoding="utf-8"))
