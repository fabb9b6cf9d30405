"""--history (issue 15): every run and its findings kept in SQLite or PostgreSQL; reports mark
findings new / open for N days, list what was resolved, and chart each store's trend.

Each behaviour runs on both backends: an SQLite file, and a throwaway PostgreSQL server the
tests start themselves (tests/pgkit.py; skipped with the reason where none can be started)."""
from __future__ import annotations

import email
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from email import policy as email_policy
from pathlib import Path

import pytest

from lint import History, LintOptions, lint

from conftest import REPO, bind, make_export, run_cli

DAY1 = "2026-01-01T00:00:00+07:00"
DAY2 = "2026-01-02T00:00:00+07:00"
STORES = [{"store_id": "S1", "region": "ID", "store_name": "Toko Satu", "manager_email": "satu@example.com"},
          {"store_id": "S2", "region": "ID", "store_name": "Toko Dua", "manager_email": "dua@example.com"}]
# early unbinds (< 48 h): X in S1 stays, Y in S2 is gone on day 2, Z in S1 is new on day 2
X = [bind("X1", "S1", "A1", "marketing", "bind", "2025-12-01T10:00:00+07:00"),
     bind("X2", "S1", "A1", "marketing", "unbind", "2025-12-02T10:00:00+07:00")]
Y = [bind("Y1", "S2", "B1", "marketing", "bind", "2025-12-01T10:00:00+07:00"),
     bind("Y2", "S2", "B1", "marketing", "unbind", "2025-12-02T10:00:00+07:00")]
Z = [bind("Z1", "S1", "A3", "marketing", "bind", "2025-12-31T10:00:00+07:00"),
     bind("Z2", "S1", "A3", "marketing", "unbind", "2025-12-31T12:00:00+07:00")]


# ---------------------------------------------------------------- backends

@pytest.fixture(scope="module")
def pg_server():
    from pgkit import NoServer, Server
    try:
        server = Server()
    except NoServer as e:
        yield e
        return
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request, tmp_path, pg_server):
    """A fresh, empty history location on each backend."""
    if request.param == "sqlite":
        return str(tmp_path / "history.db")
    if isinstance(pg_server, Exception):
        pytest.skip(f"no PostgreSQL server for the history tests: {pg_server}")
    return pg_server.new_database()


def day(export: Path, *groups):
    rows = [r for g in groups for r in g]
    for f in export.glob("*"):
        f.unlink()
    make_export(export, {"stores": STORES, "bindings": rows})
    return export


def check(export, db, as_of, *extra, out=None):
    args = ["check", export, "--as-of", as_of, "--no-cache", "--history", db, *extra]
    if out is not None:
        args += ["--format", "json,text,html,csv,jsonl,parquet", "--output-dir", out]
    return run_cli(*args)


def by_subject(report):
    return {f["subjects"][0]: f for f in report["findings"]}


def two_nights(tmp_path, db):
    export = tmp_path / "nightly"
    out1, out2 = tmp_path / "out1", tmp_path / "out2"
    out1.mkdir()
    out2.mkdir()
    res = check(day(export, X, Y), db, DAY1, out=out1)
    assert res.returncode == 1, res.stderr
    res = check(day(export, X, Z), db, DAY2, "--email", "--dry-run", "--outbox", tmp_path / "outbox", out=out2)
    assert res.returncode == 1, res.stderr
    return out1, out2


# ---------------------------------------------------------------- two nights, every format

def test_two_nights_a_day_apart_show_new_open_and_resolved_in_every_format(tmp_path, db):
    out1, out2 = two_nights(tmp_path, db)
    first = json.loads((out1 / "report.json").read_text(encoding="utf-8"))
    assert {s: f["history"]["status"] for s, f in by_subject(first).items()} == {"X2": "new", "Y2": "new"}
    assert first["summary"]["history"] == {"new": 2, "existing": 0, "resolved": 0, "runs": 1}

    report = json.loads((out2 / "report.json").read_text(encoding="utf-8"))
    found = by_subject(report)
    assert found["X2"]["history"] == {"status": "existing", "first_seen": DAY1, "open_since": DAY1, "days_open": 1}
    assert found["Z2"]["history"]["status"] == "new" and found["Z2"]["history"]["days_open"] == 0
    assert report["summary"]["history"] == {"new": 1, "existing": 1, "resolved": 1, "runs": 2}
    resolved = report["history"]["resolved"]
    assert [(r["store_id"], r["subjects"], r["first_seen"], r["last_seen"]) for r in resolved] == \
        [("S2", ["Y2"], DAY1, DAY1)]
    assert [t["counts"] for t in report["history"]["trend"]] == [{"S1": {"BIND004": 1}, "S2": {"BIND004": 1}},
                                                                 {"S1": {"BIND004": 2}}]

    text = (out2 / "report.txt").read_text(encoding="utf-8")
    assert "[open for 1 day] BIND004" in text and "[new] BIND004" in text
    assert "Resolved since the last run (1):" in text and "BIND004 Y2" in text
    assert "history: 1 new, 1 existing, 1 resolved (run 2)" in text
    assert "BIND004    ▅█ 1 → 2" in text  # S1's trend

    html = (out2 / "report.html").read_text(encoding="utf-8")
    assert "open for 1 day" in html and ">new<" in html and "Resolved since the last run (1)" in html
    assert html.count('class="trend"') == 2  # S1, and S2 (nothing open, one resolved)
    assert "<script" not in html

    import csv
    rows = list(csv.DictReader(io.StringIO((out2 / "report.csv").read_text(encoding="utf-8"))))
    marks = {r["subjects"]: (r["record"], r["history_status"], r["history_days_open"]) for r in rows
             if r["record"] in ("finding", "resolved")}  # (headroom rows follow them)
    assert marks == {"X2": ("finding", "existing", "1"), "Z2": ("finding", "new", "0"),
                     "Y2": ("resolved", "resolved", "")}

    lines = [json.loads(line) for line in (out2 / "report.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [line["subjects"] for line in lines if line["type"] == "resolved"] == [["Y2"]]
    assert {line["subjects"][0]: line["history"]["status"] for line in lines if line["type"] == "finding"} == \
        {"X2": "existing", "Z2": "new"}

    import pyarrow.parquet as pq
    table = pq.read_table(out2 / "report.parquet").to_pydict()
    assert dict(zip([s[0] for s in table["subjects"]], table["history_status"])) == {"X2": "existing", "Z2": "new"}
    assert table["history_days_open"] == [1, 0] or sorted(table["history_days_open"]) == [0, 1]

    # the email: S1 gets its marks and trend, S2 (all fixed) hears what was resolved
    mails = {}
    for eml in (tmp_path / "outbox").glob("*.eml"):
        msg = email.message_from_bytes(eml.read_bytes(), policy=email_policy.default)
        mails[msg["X-Shoplint-Store"]] = msg
    assert set(mails) == {"S1", "S2"}
    s1_html = mails["S1"].get_body(("html",)).get_content()
    s1_text = mails["S1"].get_body(("plain",)).get_content()
    assert "open for 1 day" in s1_html and 'class="trend"' in s1_html
    assert "[error] [open for 1 day] BIND004" in s1_text and "[error] [new] BIND004" in s1_text
    assert "▅█ 1 → 2" in s1_text
    s2_text = mails["S2"].get_body(("plain",)).get_content()
    assert "Resolved since the last run (1):" in s2_text and "BIND004 Y2" in s2_text


def test_indonesian_marks(tmp_path, db):
    export = tmp_path / "nightly"
    check(day(export, X, Y), db, DAY1)
    res = run_cli("check", day(export, X, Z), "--as-of", DAY2, "--no-cache", "--history", db, "--lang", "id")
    assert "[terbuka 1 hari] BIND004" in res.stdout and "[baru] BIND004" in res.stdout
    assert "Selesai sejak pemeriksaan sebelumnya (1):" in res.stdout


# ---------------------------------------------------------------- baseline and history agree

def test_baseline_and_history_give_the_same_marks(tmp_path, db):
    export = tmp_path / "nightly"
    res = run_cli("check", day(export, X, Y), "--as-of", DAY1, "--no-cache", "--history", db, "--format", "json",
                  "--output", tmp_path / "day1.json")
    assert res.returncode == 1, res.stderr
    res = run_cli("check", day(export, X, Z), "--as-of", DAY2, "--no-cache", "--history", db, "--format", "json",
                  "--output", tmp_path / "day2.json", "--baseline", tmp_path / "day1.json")
    report = json.loads((tmp_path / "day2.json").read_text(encoding="utf-8"))
    assert [f["baseline"] for f in report["findings"]] == [f["history"]["status"] for f in report["findings"]]
    assert report["summary"]["baseline"]["resolved"] == report["summary"]["history"]["resolved"] == 1
    assert [r["fingerprint"] for r in report["baseline"]["resolved"]] == \
        [r["fingerprint"] for r in report["history"]["resolved"]]
    # --new-only works with the history alone: only Z (new) fails
    res = run_cli("check", export, "--as-of", DAY2, "--no-cache", "--history", db, "--new-only", "--format", "json")
    report = json.loads(res.stdout)
    assert report["summary"]["failing"] == 1 and res.returncode == 1


def test_without_a_history_nothing_changes(tmp_path):
    export = day(tmp_path / "nightly", X, Y)
    res = run_cli("check", export, "--as-of", DAY1, "--no-cache", "--format", "json")
    report = json.loads(res.stdout)
    assert "history" not in report and "history" not in report["summary"]
    assert all("history" not in f for f in report["findings"])


# ---------------------------------------------------------------- partial runs

def test_a_partial_run_resolves_nothing_it_did_not_check(tmp_path, db):
    export = tmp_path / "nightly"
    assert check(day(export, X, Y), db, DAY1).returncode == 1
    # --select another rule: X and Y were not checked, so neither is resolved
    res = run_cli("check", export, "--as-of", DAY2, "--no-cache", "--history", db, "--select", "BIND005",
                  "--format", "json")
    assert json.loads(res.stdout)["summary"]["history"]["resolved"] == 0, res.stderr
    # the bindings table missing: no rule can run, so the run is unusable (exit 2) and
    # records nothing: nothing of the bindings rules is resolved
    (export / "bindings.csv").unlink()
    res = run_cli("check", export, "--as-of", "2026-01-03T00:00:00+07:00", "--no-cache", "--history", db,
                  "--format", "json")
    assert res.returncode == 2 and "no rule can run" in res.stderr and not res.stdout
    # a store missing from the stores table was not seen: its findings stay open
    make_export(export, {"stores": STORES[:1], "bindings": X})
    res = run_cli("check", export, "--as-of", "2026-01-04T00:00:00+07:00", "--no-cache", "--history", db,
                  "--format", "json")
    report = json.loads(res.stdout)
    assert report["summary"]["history"]["resolved"] == 0
    x = by_subject(report)["X2"]["history"]
    assert x["status"] == "existing" and x["days_open"] == 3  # open since day 1: the partial runs did not break it
    lives = {life["subjects"][0]: life for life in History(db).findings()}
    assert lives["Y2"]["resolved_at"] is None and lives["X2"]["last_seen"] > lives["X2"]["first_seen"]
    # a full run that checks S2 and does not find Y resolves it
    make_export(export, {"stores": STORES, "bindings": X})
    res = run_cli("check", export, "--as-of", "2026-01-05T00:00:00+07:00", "--no-cache", "--history", db,
                  "--format", "json")
    assert [r["subjects"] for r in json.loads(res.stdout)["history"]["resolved"]] == [["Y2"]]


# ---------------------------------------------------------------- idempotent reruns

def test_a_rerun_of_the_same_export_and_as_of_replaces_the_run(tmp_path, db):
    export = tmp_path / "nightly"
    check(day(export, X, Y), db, DAY1)
    day(export, X, Z)
    first = run_cli("check", export, "--as-of", DAY2, "--no-cache", "--history", db, "--format", "json")
    state = History(db).findings()
    again = run_cli("check", export, "--as-of", DAY2, "--no-cache", "--history", db, "--format", "json")
    assert first.stdout == again.stdout  # the same marks: a run compares with the runs before its as-of
    assert len(History(db).runs()) == 2 and History(db).findings() == state


# ---------------------------------------------------------------- a failed run writes nothing

def _snapshot(db):
    h = History(db)
    return [r.to_dict() for r in h.runs()], h.findings()


SCRIPT = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    import lint.nightly.history as history
    mode, flag = sys.argv[1], Path(sys.argv[2])
    if mode == "kill":
        def pause():
            flag.write_text("in the transaction")
            time.sleep(120)
        history._before_commit = pause
    elif mode == "crash-render":
        import lint.reports as reports
        def boom(*a, **k):
            raise RuntimeError("renderer crashed")
        reports.RENDERERS["json"] = boom
    elif mode == "crash-commit":
        def boom():
            raise RuntimeError("crashed inside the transaction")
        history._before_commit = boom
    from lint.cli import main
    sys.argv = ["shoplint", *sys.argv[3:]]
    main()
""")


def _script(mode, flag, *args):
    return subprocess.Popen([sys.executable, "-c", SCRIPT, mode, str(flag), *map(str, args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONIOENCODING": "utf-8"}, cwd=REPO)


def test_a_failed_run_writes_nothing(tmp_path, db):
    export = tmp_path / "nightly"
    check(day(export, X, Y), db, DAY1)
    before = _snapshot(db)
    day(export, X, Z)
    args = ["check", export, "--as-of", DAY2, "--no-cache", "--history", db, "--format", "json"]
    # exit 2: unusable input
    (export / "bindings.csv").write_text("event_id,store_id\nE1,S1\n", encoding="utf-8")
    res = run_cli(*args)
    assert res.returncode == 2 and _snapshot(db) == before
    day(export, X, Z)
    # exit 2: the report cannot be written
    res = run_cli(*args, "--output", tmp_path / "no" / "such" / "dir" / "r.json")
    assert res.returncode == 2 and _snapshot(db) == before, res.stderr
    # exit 2: --email without an SMTP server (after the report files were written)
    env_host = os.environ.pop("SHOPLINT_SMTP_HOST", None)
    try:
        res = run_cli(*args, "--email", "--outbox", tmp_path / "outbox")
    finally:
        if env_host is not None:
            os.environ["SHOPLINT_SMTP_HOST"] = env_host
    assert res.returncode == 2 and "SMTP" in res.stderr and _snapshot(db) == before, res.stderr
    # a crash while rendering, and a crash inside the history's transaction
    for mode in ("crash-render", "crash-commit"):
        proc = _script(mode, tmp_path / "flag", *args)
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 2 and "internal error" in err, err
        assert _snapshot(db) == before, mode
    # killed (SIGKILL) inside its transaction: nothing of it is kept, and the history still works
    flag = tmp_path / "flag"
    proc = _script("kill", flag, *args)
    deadline = time.time() + 240
    while not flag.exists() and time.time() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert flag.exists(), proc.communicate()[1]
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert _snapshot(db) == before
    if not db.startswith("postgresql://"):
        assert sqlite3.connect(db).execute("PRAGMA integrity_check").fetchone() == ("ok",)
    res = run_cli(*args)
    assert res.returncode == 1 and len(History(db).runs()) == 2, res.stderr


# ---------------------------------------------------------------- two writers at once

WRITER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    import lint.nightly.history as history
    from lint import LintOptions, lint
    export, db, first_day, go = sys.argv[1], sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
    history._before_commit = lambda: time.sleep(0.2)  # hold the transaction: the writers overlap
    while not go.exists():
        time.sleep(0.01)
    for k in range(4):
        as_of = f"2026-02-{first_day + k:02d}T00:00:00+07:00"
        result = lint(export, LintOptions(as_of=as_of, history=db, no_cache=True))
        result.history.commit()
    print("ok")
""")


def test_two_nightly_runs_writing_one_history_at_once(tmp_path, db):
    export = day(tmp_path / "nightly", X, Y)
    go = tmp_path / "go"
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(export), db, str(first), str(go)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO)
             for first in (1, 11)]
    time.sleep(1.5)  # both imported and waiting
    go.write_text("go")
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0 and out.strip() == "ok", err
    h = History(db)
    runs = h.runs()
    assert len(runs) == 8 and sorted(r.as_of for r in runs) == [r.as_of for r in runs]
    lives = h.findings()
    assert len(lives) == 2 and all(life["resolved_at"] is None for life in lives)
    assert {life["last_seen"] for life in lives} == {runs[-1].as_of}
    assert {life["first_seen"] for life in lives} == {runs[0].as_of}
    if not db.startswith("postgresql://"):
        assert sqlite3.connect(db).execute("PRAGMA integrity_check").fetchone() == ("ok",)


# ---------------------------------------------------------------- schema versions

def _set_version(db, version):
    if db.startswith("postgresql://"):
        import psycopg
        with psycopg.connect(db, autocommit=True) as conn:
            conn.execute("UPDATE shoplint_meta SET value = %s WHERE key = 'schema_version'", (str(version),))
    else:
        with sqlite3.connect(db) as conn:
            conn.execute("UPDATE shoplint_meta SET value = ? WHERE key = 'schema_version'", (str(version),))


def test_a_history_from_a_newer_version_is_refused_and_left_alone(tmp_path, db):
    export = day(tmp_path / "nightly", X, Y)
    check(export, db, DAY1)
    _set_version(db, 99)
    before = Path(db).read_bytes() if not db.startswith("postgresql://") else None
    res = run_cli("check", export, "--as-of", DAY2, "--no-cache", "--history", db, "--format", "json")
    assert res.returncode == 2 and "newer shoplint" in res.stderr and "schema 99" in res.stderr, res.stderr
    assert res.stdout == ""
    res = run_cli("history", db)
    assert res.returncode == 2 and "newer shoplint" in res.stderr
    if before is not None:
        assert Path(db).read_bytes() == before
    _set_version(db, 1)
    assert len(History(db).runs()) == 1  # not altered: the one run is still there


def test_the_schema_version_is_kept_in_the_database(tmp_path, db):
    check(day(tmp_path / "nightly", X), db, DAY1)
    if db.startswith("postgresql://"):
        import psycopg
        with psycopg.connect(db) as conn:
            version = conn.execute("SELECT value FROM shoplint_meta WHERE key = 'schema_version'").fetchone()[0]
    else:
        conn = sqlite3.connect(db)
        version = conn.execute("SELECT value FROM shoplint_meta WHERE key='schema_version'").fetchone()[0]
    from lint.nightly.history import MIGRATIONS, SCHEMA_VERSION
    assert int(version) == SCHEMA_VERSION == len(MIGRATIONS)


def test_not_a_history(tmp_path):
    export = day(tmp_path / "nightly", X)
    junk = tmp_path / "junk.db"
    junk.write_text("hello", encoding="utf-8")
    res = run_cli("check", export, "--as-of", DAY1, "--no-cache", "--history", junk)
    assert res.returncode == 2 and "not a shoplint history" in res.stderr
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE runs (x)")
    res = run_cli("check", export, "--as-of", DAY1, "--no-cache", "--history", other)
    assert res.returncode == 2 and "not a shoplint history" in res.stderr
    res = run_cli("history", tmp_path / "missing.db")
    assert res.returncode == 2 and "no such history" in res.stderr


# ---------------------------------------------------------------- shoplint history, and Python

def test_history_command_runs_counts_and_the_life_of_a_finding(tmp_path, db):
    out1, out2 = two_nights(tmp_path, db)
    res = run_cli("history", db)
    assert res.returncode == 0, res.stderr
    assert "2 runs" in res.stdout and "2026-01-01T00:00:00+07:00" in res.stdout
    assert "Store S1" in res.stdout and "BIND004    ▅█ 1 → 2" in res.stdout
    res = run_cli("history", db, "--store", "S2", "--format", "json")
    runs = json.loads(res.stdout)["runs"]
    assert [r["counts"] for r in runs] == [{"S2": {"BIND004": 1}}, {}]
    y = by_subject(json.loads((out1 / "report.json").read_text(encoding="utf-8")))["Y2"]["fingerprint"]
    res = run_cli("history", db, "--fingerprint", y)
    assert res.returncode == 0, res.stderr
    assert "first seen: 2026-01-01T00:00:00+07:00" in res.stdout and "resolved: 2026-01-02T00:00:00+07:00" in res.stdout
    assert "● found" in res.stdout and "○ not found (resolved)" in res.stdout
    life = json.loads(run_cli("history", db, "--fingerprint", y, "--format", "json").stdout)["finding"][0]
    assert [r["found"] for r in life["runs"]] == [True, False]
    # the Python API reads the same
    h = History(db)
    assert [sum(sum(c.values()) for c in r.counts.values()) for r in h.runs(rule="BIND004")] == [2, 2]
    assert h.finding(y)[0]["resolved_at"] == h.runs()[1].as_of


def test_python_api_records_only_on_commit(tmp_path, db):
    export = day(tmp_path / "nightly", X, Y)
    result = lint(export, LintOptions(as_of=DAY1, history=db, no_cache=True))
    assert result.history.counts() == {"new": 2, "existing": 0, "resolved": 0, "runs": 1}
    assert result.report()["summary"]["history"]["new"] == 2
    if not db.startswith("postgresql://"):
        assert not Path(db).exists()  # reading never creates or writes anything
    result.history.commit()
    assert len(History(db).runs()) == 1


def test_history_scope_compares_dated_exports(tmp_path):
    db = str(tmp_path / "history.db")
    a, b = day(tmp_path / "2026-01-01", X, Y), day(tmp_path / "2026-01-02", X, Z)
    run_cli("check", a, "--as-of", DAY1, "--no-cache", "--history", db, "--history-scope", "shop")
    res = run_cli("check", b, "--as-of", DAY2, "--no-cache", "--history", db, "--history-scope", "shop",
                  "--format", "json")
    assert json.loads(res.stdout)["summary"]["history"] == {"new": 1, "existing": 1, "resolved": 1, "runs": 2}
    res = run_cli("check", b, "--as-of", DAY2, "--no-cache", "--history-scope", "shop")
    assert res.returncode == 2 and "--history-scope NAME goes with --history" in res.stderr


def test_history_is_an_option_of_the_table(tmp_path):
    from lint.settings.options import BY_NAME, resolve
    assert BY_NAME["history"].env_name == "SHOPLINT_HISTORY"
    options = resolve({}, env={"SHOPLINT_HISTORY": str(tmp_path / "h.db")})
    assert options.history == str(tmp_path / "h.db") and options.sources["history"] == "environment SHOPLINT_HISTORY"
    (tmp_path / "shoplint.toml").write_text('history = "nightly/history.db"\n', encoding="utf-8")
    res = run_cli("config", cwd=tmp_path)
    assert f'history = "{tmp_path / "nightly" / "history.db"}"' in res.stdout
    (tmp_path / "shoplint.toml").write_text('history = "postgresql://job@db.internal/shoplint"\n', encoding="utf-8")
    res = run_cli("config", cwd=tmp_path)
    assert 'history = "postgresql://job@db.internal/shoplint"' in res.stdout


# ---------------------------------------------------------------- the trend chart in a browser

from browserkit import chromium, needs_chromium  # noqa: E402


@pytest.fixture(scope="module")
def browser():
    yield from chromium(700, 900)


@needs_chromium
def test_the_emails_trend_chart_is_visible_in_chromium_even_without_styles(tmp_path, browser):
    import re

    from selenium.webdriver.common.by import By
    db = str(tmp_path / "history.db")
    export = tmp_path / "nightly"
    groups = [(X, Y), (X, Y, Z), (X, Z), (X,)]
    for k, g in enumerate(groups):
        args = ["--email", "--dry-run", "--outbox", tmp_path / "outbox", "--to", "m@example.com"] \
            if k == len(groups) - 1 else []
        res = run_cli("check", day(export, *g), "--as-of", f"2026-01-0{k + 1}T00:00:00+07:00", "--no-cache",
                      "--history", db, "--format", "json", *args)
        assert res.returncode == 1, res.stderr
    emls = {email.message_from_bytes(p.read_bytes(), policy=email_policy.default)["X-Shoplint-Store"]: p
            for p in (tmp_path / "outbox").glob("*.eml")}
    msg = email.message_from_bytes(emls["S1"].read_bytes(), policy=email_policy.default)
    page = msg.get_body(("html",)).get_content()
    # a mail app that strips styles: no style attribute left
    stripped = re.sub(r'\sstyle="[^"]*"', "", page)
    for name, body in (("styled", page), ("unstyled", stripped)):
        path = tmp_path / f"{name}.html"
        path.write_text(body, encoding="utf-8")
        browser.get(path.as_uri())
        chart = browser.find_element(By.CSS_SELECTOR, "table.trend")
        browser.execute_script("arguments[0].scrollIntoView()", chart)
        assert chart.is_displayed()
        row = chart.find_element(By.CSS_SELECTOR, 'tr[data-rule="BIND004"]')
        bars = row.find_elements(By.CSS_SELECTOR, "td.bar")
        counts = [int(b.get_attribute("data-count")) for b in bars]
        assert counts == [1, 2, 2, 1], name
        heights = [b.size["height"] for b in bars]
        widths = [b.size["width"] for b in bars]
        assert all(w >= 4 for w in widths), (name, widths)
        # taller for more findings; painted (a background colour), one beside the other
        assert heights[1] == heights[2] > heights[0] == heights[3] > 0, (name, heights)
        colours = {browser.execute_script("return getComputedStyle(arguments[0]).backgroundColor", b) for b in bars}
        assert colours and all(c not in ("rgba(0, 0, 0, 0)", "transparent") for c in colours), (name, colours)
        xs = [b.location["x"] for b in bars]
        assert xs == sorted(xs) and len(set(xs)) == 4
        browser.save_screenshot(str(tmp_path / f"{name}.png"))


# ---------------------------------------------------------------- the fast paths agree with the full derivation

def test_the_nightly_fast_paths_give_what_the_full_derivation_gives(tmp_path):
    """Runs in a random order with random findings and partial coverage: the findings table
    kept up run by run equals the one derived from every run, and the marks read from it equal
    the marks computed from every earlier run."""
    import random

    from lint.nightly import history as h
    rng = random.Random(15)
    db = str(tmp_path / "h.db")
    rules, stores = ("R1", "R2"), ("S1", "S2", "S3")
    pool = [h.Occurrence(f"fp{k:02d}", rules[k % 2], stores[k % 3], "error", (f"E{k}",)) for k in range(24)]
    days = list(range(40))
    order = days[:30] + rng.sample(days[30:], 10) + rng.sample(days[:30], 5)  # in order, late, reruns
    for d in order:
        ran = tuple(r for r in rules if rng.random() < 0.8) or rules[:1]
        seen = tuple(s for s in stores if rng.random() < 0.85) or stores[:1]
        occ = [o for o in pool if o.rule in ran and o.store_id in seen and rng.random() < 0.5]
        row = h.RunRow(scope="x", as_of=d * h.DAY_MS, export="x", options={}, rules_run=ran, stores=seen,
                       findings=len(occ), failing=0, input_errors=0, counts={})
        fast = h._read_transaction(db, False, lambda c: None if c is None or (h._latest(c, "x") or -1) >= row.as_of
                                   else h._compare_with_state(c, db, "x", row, tuple(occ), False))
        runs, by_run = h._read_transaction(db, False, lambda c: h._load_scope(c, "x", row.as_of) if c else ([], {}))
        full = h._compare(db, "x", row, tuple(occ), runs, by_run, False)
        if fast is not None:
            assert fast.marks == full.marks and fast.resolved_findings == full.resolved_findings, d
            assert fast.trend == full.trend and fast.runs_before == full.runs_before, d
        h.write_run(db, row, occ)
        kept = h.History(db).findings()
        conn = h._Db(db)
        try:
            conn.begin_write()
            h._rederive(conn, "x")
            rows = conn.execute("SELECT fingerprint, first_seen, last_seen, open_since, resolved_at FROM findings")
        finally:
            conn.rollback()
            conn.close()
        assert sorted((f["fingerprint"], f["first_seen"], f["last_seen"], f["open_since"], f["resolved_at"])
                      for f in kept) == sorted(tuple(r) for r in rows), d
