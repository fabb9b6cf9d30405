"""Nightly operation: configuration, waivers, baselines, exit codes, logs."""
import json

from conftest import REPO, run_cli

SAMPLE = REPO / "sample_data"
AS_OF = "2025-12-31T00:00:00+07:00"


def check(tmp_path, *extra, cwd=None):
    out = tmp_path / "r.json"
    res = run_cli("check", SAMPLE, "--as-of", AS_OF, "--no-cache", "--format", "json", "--output", out, *extra,
                  cwd=cwd)
    return res, (json.loads(out.read_text(encoding="utf-8")) if out.exists() else None)


def test_config_file_found_upward_sets_rules_severity_and_parameters(tmp_path):
    (tmp_path / "shoplint.toml").write_text(
        'lang = "id"\nignore = ["DUP001"]\n[rules.BIND004]\nseverity = "warning"\nmin_hours = 24\n', encoding="utf-8")
    work = tmp_path / "a" / "b"
    work.mkdir(parents=True)
    res, report = check(tmp_path, cwd=work)
    assert res.returncode == 1, res.stderr
    assert report["language"] == "id" and "DUP001" not in report["rules"]["run"]
    assert report["rules"]["parameters"]["BIND004"] == {"min_hours": 24.0}
    # S02's unbind after 30 h is no longer early with 24 h
    assert not [f for f in report["findings"] if f["rule"] == "BIND004"]
    # the command line wins over the file
    res, report = check(tmp_path, "--lang", "en", cwd=work)
    assert report["language"] == "en"


def test_config_severity_and_pyproject_table(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n[tool.shoplint]\nselect = ["BIND004"]\n'
                                             '[tool.shoplint.rules.BIND004]\nseverity = "warning"\n', encoding="utf-8")
    res, report = check(tmp_path, cwd=tmp_path)
    assert res.returncode == 0, res.stderr  # a warning does not fail at --fail-on error
    assert [f["severity"] for f in report["findings"]] == ["warning"]


def test_bad_config_is_a_clear_error(tmp_path):
    for text, words in (('colour = "red"', "unknown key 'colour'"), ('[rules.BIND004]\nmin_hours = -1', "outside"),
                        ('[rules.NOPE1]\nseverity = "error"', "no such rule"), ('select = ["BIND9"]', "unknown rule")):
        (tmp_path / "shoplint.toml").write_text(text, encoding="utf-8")
        res, _ = check(tmp_path, cwd=tmp_path)
        assert res.returncode == 2 and words in res.stderr and "shoplint.toml" in res.stderr, (text, res.stderr)


def test_config_command_shows_values_and_their_source(tmp_path):
    (tmp_path / "shoplint.toml").write_text('fail_on = "warning"\n[rules.LIVE001]\nmin_overlap_s = 120\n',
                                            encoding="utf-8")
    res = run_cli("config", cwd=tmp_path)
    assert res.returncode == 0
    assert f'fail_on = "warning"  # {tmp_path / "shoplint.toml"}' in res.stdout
    assert 'lang = "en"  # default' in res.stdout
    assert f"min_overlap_s = 120.0  # {tmp_path / 'shoplint.toml'}" in res.stdout


WAIVERS = """
[[waiver]]
rule = "BIND004"
store = "S02"
reason = "Unbound by TikTok support during the migration, ticket 88121"
owner = "ops@kopinusantara.example"
expires = "2026-03-31"

[[waiver]]
rule = "early-unbind"
store = "S01"
reason = "stale"
owner = "someone@example.com"
expires = "2026-03-31"

[[waiver]]
rule = "BIND007"
store = "S02"
reason = "was agreed until November"
owner = "ops@kopinusantara.example"
expires = "2025-11-30"
"""


def test_waivers_leave_the_failing_set_but_stay_listed(tmp_path):
    (tmp_path / "waivers.toml").write_text(WAIVERS, encoding="utf-8")
    _, plain = check(tmp_path)
    res, report = check(tmp_path, "--waivers", tmp_path / "waivers.toml")
    assert res.returncode == 1
    waived = [f for f in report["findings"] if f.get("waiver")]
    assert [(f["rule"], f["store_id"]) for f in waived] == [("BIND004", "S02")]
    assert waived[0]["waiver"]["owner"] == "ops@kopinusantara.example"
    assert len(report["findings"]) == len(plain["findings"])  # still listed
    assert report["summary"]["failing"] == plain["summary"]["failing"] - 1 and report["summary"]["waived"] == 1
    # the expired one stops applying and is reported; the one that matched nothing too
    assert [w["rule"] for w in report["waivers"]["expired"]] == ["BIND007"]
    assert any(f["rule"] == "BIND007" and not f.get("waiver") for f in report["findings"])
    assert [w["waiver"] for w in report["waivers"]["unused"]] == [2]
    assert "expired on 2025-11-30" in res.stderr


def test_waiving_everything_makes_the_run_pass_and_csv_shows_it(tmp_path):
    rules = ["BIND001", "BIND002", "BIND003", "BIND004", "BIND005", "BIND006", "BIND007", "DUP001", "LIVE001"]
    (tmp_path / "w.csv").write_text("rule,store,account,subjects,reason,owner,expires\n" + "".join(
        f"{r},,,,accepted risk,cto@example.com,2026-12-31\n" for r in rules), encoding="utf-8")
    res, report = check(tmp_path, "--waivers", tmp_path / "w.csv")
    assert res.returncode == 0 and report["summary"]["failing"] == 0
    out = tmp_path / "r.csv"
    run_cli("check", SAMPLE, "--as-of", AS_OF, "--no-cache", "--format", "csv", "--output", out,
            "--waivers", tmp_path / "w.csv")
    assert out.read_text(encoding="utf-8").count("accepted risk") == len(report["findings"])


def test_waivers_need_reason_owner_and_expiry(tmp_path):
    (tmp_path / "w.toml").write_text('[[waiver]]\nrule = "BIND004"\nreason = "x"\nexpires = "2026-01-01"\n',
                                     encoding="utf-8")
    res, _ = check(tmp_path, "--waivers", tmp_path / "w.toml")
    assert res.returncode == 2 and "'owner' is required" in res.stderr


def test_baseline_marks_new_existing_and_resolved(tmp_path):
    _, first = check(tmp_path)
    old = json.loads(json.dumps(first))
    gone = old["findings"].pop(0)  # pretend one finding is new since the baseline
    old["findings"].append({"rule": "BIND004", "store_id": "S09", "subjects": ["X"], "fingerprint": "f" * 20})
    (tmp_path / "old.json").write_text(json.dumps(old), encoding="utf-8")
    res = run_cli("baseline", "write", tmp_path / "old.json", "--output", tmp_path / "baseline.json")
    assert res.returncode == 0, res.stderr
    res, report = check(tmp_path, "--baseline", tmp_path / "baseline.json")
    assert report["summary"]["baseline"] == {"new": 1, "existing": len(first["findings"]) - 1, "resolved": 1}
    assert [f["fingerprint"] for f in report["findings"] if f["baseline"] == "new"] == [gone["fingerprint"]]
    assert report["baseline"]["resolved"][0]["fingerprint"] == "f" * 20
    res, report = check(tmp_path, "--baseline", tmp_path / "baseline.json", "--new-only")
    assert res.returncode == 1 and report["summary"]["failing"] == 1
    # with the full report as the baseline nothing is new: --new-only passes
    (tmp_path / "same.json").write_text(json.dumps(first), encoding="utf-8")
    res, report = check(tmp_path, "--baseline", tmp_path / "same.json", "--new-only")
    assert res.returncode == 0 and report["summary"]["baseline"]["new"] == 0


def test_exit_zero_and_verbose_summary(tmp_path):
    res, _ = check(tmp_path, "--exit-zero", "-v")
    assert res.returncode == 0
    assert "rows read: accounts 14, bindings 54" in res.stderr and "checks:" in res.stderr
    res, _ = check(tmp_path, "--exit-zero", "--select", "NOPE9")
    assert res.returncode == 2  # usage errors keep their meaning
