"""The command line end to end, in a subprocess, as a nightly job runs it."""
import json

from conftest import bind, make_export, run_cli

BINDINGS = [bind("E1", "S1", "A1", "official", "bind", "2025-03-01T10:00:00+07:00"),
            bind("E2", "S1", "A1", "official", "unbind", "2025-03-02T10:00:00+07:00"),
            bind("E3", "S1", "A2", "official", "bind", "2025-03-01T12:00:00+07:00")]


def test_exit_1_with_findings_and_json_keys(export_dir, tmp_path):
    make_export(export_dir, {"bindings": BINDINGS})
    out = tmp_path / "r.json"
    res = run_cli("check", export_dir, "--format", "json", "--output", out, "--as-of", "2025-06-01T00:00:00Z")
    assert res.returncode == 1, res.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    assert set(report) >= {"findings", "summary", "input_errors"}
    f = report["findings"][0]
    assert set(f) >= {"rule", "name", "severity", "store_id", "accounts", "subjects", "window", "message",
                      "fix", "evidence", "fingerprint"}
    assert report["summary"]["by_rule"] == {"BIND002": 1, "BIND004": 1}
    assert report["summary"]["by_severity"] == {"error": 2}


def test_exit_0_when_nothing_fails(export_dir):
    make_export(export_dir, {"bindings": BINDINGS[:1]})
    assert run_cli("check", export_dir, "--as-of", "2025-06-01").returncode == 0


def test_select_ignore_and_fail_on(export_dir, tmp_path):
    make_export(export_dir, {"bindings": BINDINGS})
    out = tmp_path / "r.json"
    run_cli("check", export_dir, "--format", "json", "-o", out, "--select", "BIND004", "--as-of", "2025-06-01")
    assert json.loads(out.read_text())["summary"]["by_rule"] == {"BIND004": 1}
    run_cli("check", export_dir, "--format", "json", "-o", out, "--ignore", "BIND00", "--as-of", "2025-06-01")
    assert json.loads(out.read_text())["summary"]["by_rule"] == {}
    assert run_cli("check", export_dir, "--fail-on", "never", "--as-of", "2025-06-01").returncode == 0


def test_usage_errors_exit_2(export_dir):
    make_export(export_dir, {"bindings": BINDINGS})
    for args in (["--select", "NOPE123"], ["--timezone", "Mars/Base"], ["--as-of", "soon"], ["--format", "xml"]):
        res = run_cli("check", export_dir, *args)
        assert res.returncode == 2, args
        assert "Traceback" not in res.stderr


def test_same_input_same_as_of_gives_byte_identical_report(export_dir, tmp_path):
    make_export(export_dir, {"bindings": BINDINGS})
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    for out in (a, b):
        run_cli("check", export_dir, "--format", "json", "-o", out, "--as-of", "2025-06-01T00:00:00+07:00")
    assert a.read_bytes() == b.read_bytes()


def test_fingerprint_survives_added_rows(export_dir, tmp_path):
    make_export(export_dir, {"bindings": BINDINGS})
    out = tmp_path / "r.json"
    run_cli("check", export_dir, "--format", "json", "-o", out, "--as-of", "2025-06-01")
    before = {f["rule"]: f["fingerprint"] for f in json.loads(out.read_text())["findings"]}
    make_export(export_dir, {"bindings": BINDINGS + [
        bind("E4", "S2", "A9", "marketing", "bind", "2025-01-01T00:00:00+07:00"),
        bind("E5", "S1", "A3", "official", "bind", "2025-03-01T13:00:00+07:00")]})
    run_cli("check", export_dir, "--format", "json", "-o", out, "--as-of", "2025-06-01")
    after = {f["rule"]: f["fingerprint"] for f in json.loads(out.read_text())["findings"]}
    assert before == after


def test_text_output_groups_by_store_and_shows_the_fix(export_dir):
    make_export(export_dir, {"bindings": BINDINGS,
                             "stores": [{"store_id": "S1", "region": "ID", "store_name": "Batik Sekar"}]})
    res = run_cli("check", export_dir, "--as-of", "2025-06-01")
    assert "Store S1 (Batik Sekar) — 2 findings" in res.stdout
    assert "fix: Wait at least 48 hours after linking before unbinding." in res.stdout
    assert "\x1b[" not in res.stdout  # no colour when not on a terminal
    res_id = run_cli("check", export_dir, "--as-of", "2025-06-01", "--lang", "id")
    assert "Toko S1 (Batik Sekar)" in res_id.stdout and "perbaikan: Tunggu minimal 48 jam" in res_id.stdout


def test_rules_and_explain(tmp_path):
    res = run_cli("rules")
    assert res.returncode == 0
    for code in ("BIND001", "BIND007", "LIVE001"):
        assert code in res.stdout
    res = run_cli("explain", "BIND004")
    assert res.returncode == 0 and "## What it does" in res.stdout and "min_hours = 48" in res.stdout
    assert run_cli("explain", "early-unbind").returncode == 0
    assert run_cli("explain", "XX999").returncode == 2


def test_output_is_written_atomically_into_an_existing_folder(export_dir, tmp_path):
    make_export(export_dir, {"bindings": BINDINGS})
    res = run_cli("check", export_dir, "-o", tmp_path / "missing" / "r.txt")
    assert res.returncode == 2 and "does not exist" in res.stderr
    out = tmp_path / "r.txt"
    run_cli("check", export_dir, "-o", out, "--as-of", "2025-06-01")
    assert out.read_text(encoding="utf-8").startswith("Store S1")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
