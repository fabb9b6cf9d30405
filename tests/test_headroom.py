"""Headroom (what a store may still do) and `plan` (may I bind/unbind this account now?) at
the rules' boundaries, generated from the policy pack's own parameters, and again with
configured limits: exactly min_hours, the last allowed and the first breaking Official
unbind, the last allowed and the first breaking Marketing unbind in the window, a slot
freed by an unbind."""
import math
from datetime import datetime, timedelta, timezone

import pytest

from lint.core.policy import load_policy

from conftest import bind, lint, make_export

WIB = timezone(timedelta(hours=7))
T0 = datetime(2025, 1, 1, 9, 0, tzinfo=WIB)
PACK = load_policy()
DEFAULTS = {c: r.defaults() for c, r in PACK.rules.items()}
CONFIGURED = {"BIND002": {"max_official": 2}, "BIND003": {"max_marketing": 2}, "BIND004": {"min_hours": 24.5},
              "BIND005": {"max_unbinds": 1}, "BIND006": {"max_unbinds": 3, "window_days": 30}}
LIMITS = [pytest.param({}, id="pack-defaults"), pytest.param(CONFIGURED, id="configured")]


def when(text):
    return datetime.fromisoformat(text)


def param(params, code, name):
    return params.get(code, {}).get(name, DEFAULTS[code][name])


def iso(t: datetime) -> str:
    return t.astimezone(WIB).isoformat(timespec="milliseconds")


class Events:
    """Binding events of one store, S1, built in time order."""

    def __init__(self):
        self.rows, self.n = [], 0

    def add(self, account, type_, action, at):
        self.n += 1
        self.rows.append(bind(f"E{self.n:04d}", "S1", account, type_, action, iso(at)))

    def bound(self, account, type_, start, end=None):
        self.add(account, type_, "bind", start)
        if end is not None:
            self.add(account, type_, "unbind", end)


def report(export_dir, events, as_of, params):
    make_export(export_dir, {"stores": [{"store_id": "S1", "region": "ID", "timezone": "Asia/Jakarta"}],
                             "bindings": events.rows})
    return lint(export_dir, as_of=iso(as_of), select=["BIND"], params=params)


def limit(rep, item):
    [x] = [x for x in rep["headroom"]["S1"]["limits"] if x["item"] == item]
    return x


@pytest.mark.parametrize("params", LIMITS)
@pytest.mark.parametrize("offset_ms, may", [(-1, False), (0, True), (1, True)])
def test_earliest_unbind_is_exactly_min_hours_after_linking(export_dir, params, offset_ms, may):
    hours = param(params, "BIND004", "min_hours")
    ev = Events()
    ev.bound("A1", "marketing", T0)
    earliest = T0 + timedelta(milliseconds=math.ceil(hours * 3_600_000))
    rep = report(export_dir, ev, earliest + timedelta(milliseconds=offset_ms), params)
    [u] = rep["headroom"]["S1"]["unbind_after"]
    assert u["account_id"] == "A1" and when(u["earliest_unbind"]) == earliest
    assert u["may_unbind_now"] is may


@pytest.mark.parametrize("params", LIMITS)
def test_official_unbinds_near_at_and_over_the_limit(export_dir, params):
    n = param(params, "BIND005", "max_unbinds")
    for done in (n - 1, n, n + 1):
        ev = Events()
        t = T0
        for k in range(done):
            ev.bound(f"OFF{k}", "official", t, t + timedelta(days=3))
            t += timedelta(days=4)
        ev.bound("OFFNOW", "official", t - timedelta(days=1))
        rep = report(export_dir / str(done), ev, t, params)
        x = limit(rep, "official_unbinds")
        assert (x["used"], x["allowed"], x["left"]) == (done, n, max(n - done, 0))
        assert x["next_breaks"] is (done >= n)
        # near: one left or none left; over the limit is a finding, not a notice
        assert x["near_limit"] is (done <= n) and ("notice" in x) is (done <= n)
        assert len([f for f in rep["findings"] if f["rule"] == "BIND005"]) == max(done - n, 0)


@pytest.mark.parametrize("params", LIMITS)
def test_marketing_unbinds_in_the_window_and_when_one_frees_up(export_dir, params):
    n = param(params, "BIND006", "max_unbinds")
    days = param(params, "BIND006", "window_days")
    for done in (n - 1, n, n + 1):
        ev = Events()
        t = T0
        first_unbind = None
        for k in range(done):
            ev.bound(f"MKT{k}", "marketing", t, t + timedelta(hours=48))
            first_unbind = first_unbind or t + timedelta(hours=48)
            t += timedelta(hours=49)
        rep = report(export_dir / str(done), ev, t, params)
        x = limit(rep, "marketing_unbinds")
        assert (x["used"], x["allowed"], x["window_days"]) == (done, n, days)
        assert x["next_breaks"] is (done >= n) and x["near_limit"] is (done <= n)
        assert when(x["next_free"]) == first_unbind + timedelta(days=days)
        assert len([f for f in rep["findings"] if f["rule"] == "BIND006"]) == max(done - n, 0)
    # the window is (as_of - window, as_of]: at exactly first unbind + window it has left
    rep = report(export_dir / "later", ev, first_unbind + timedelta(days=days), params)
    assert limit(rep, "marketing_unbinds")["used"] == done - 1


@pytest.mark.parametrize("params", LIMITS)
def test_marketing_slots_full_then_freed_by_an_unbind(export_dir, params):
    m = param(params, "BIND003", "max_marketing")
    o = param(params, "BIND002", "max_official")
    ev = Events()
    ev.bound("OFF", "official", T0)
    for k in range(m):
        ev.bound(f"MKT{k}", "marketing", T0)
    full = report(export_dir / "full", ev, T0 + timedelta(days=3), params)
    x = limit(full, "marketing_bound")
    assert (x["used"], x["allowed"], x["next_breaks"], x["near_limit"]) == (m, m, True, False)
    assert limit(full, "official_bound")["used"] == 1 and limit(full, "official_bound")["next_breaks"] is (o == 1)
    ev.add("MKT0", "marketing", "unbind", T0 + timedelta(days=3))
    freed = report(export_dir / "freed", ev, T0 + timedelta(days=3), params)
    x = limit(freed, "marketing_bound")
    assert (x["used"], x["left"], x["next_breaks"]) == (m - 1, 1, False)
    assert limit(freed, "marketing_unbinds")["used"] == 1
    assert sorted(u["account_id"] for u in freed["headroom"]["S1"]["unbind_after"]) == \
        [f"MKT{k}" for k in range(1, m)] + ["OFF"]


def test_headroom_is_not_a_finding_and_never_fails_a_run(export_dir):
    n = DEFAULTS["BIND006"]["max_unbinds"]
    ev = Events()
    t = T0
    for k in range(n - 1):
        ev.bound(f"MKT{k}", "marketing", t, t + timedelta(hours=48))
        t += timedelta(hours=49)
    rep = report(export_dir, ev, t, {})
    assert limit(rep, "marketing_unbinds")["notice"] == "warning"
    assert rep["findings"] == [] and rep["summary"]["failing"] == 0


# ---- plan: the same boundaries, answered by the rules' own checks on the planned event ----
from lint import Action, LintOptions, PlanError  # noqa: E402
from lint import plan as api_plan  # noqa: E402

from conftest import run_cli  # noqa: E402


def planned(export_dir, events, action, as_of, params):
    make_export(export_dir, {"stores": [{"store_id": "S1", "region": "ID", "timezone": "Asia/Jakarta"}],
                             "bindings": events.rows})
    options = LintOptions(as_of=iso(as_of), select=("BIND",), params=params, no_cache=True)
    return api_plan(export_dir, action, options)


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


@pytest.mark.parametrize("params", LIMITS)
@pytest.mark.parametrize("offset_ms", [-1, 0])
def test_plan_unbind_at_min_hours(export_dir, params, offset_ms):
    wait = timedelta(milliseconds=math.ceil(param(params, "BIND004", "min_hours") * 3_600_000))
    ev = Events()
    ev.bound("OFF", "official", T0 - timedelta(days=1))
    ev.bound("A1", "marketing", T0)
    at = T0 + wait + timedelta(milliseconds=offset_ms)
    answer = planned(export_dir, ev, Action("unbind", "S1", "A1", at=iso(at)), T0, params)
    assert answer.allowed is (offset_ms == 0)
    assert [f.rule for f in answer.broken] == ([] if offset_ms == 0 else ["BIND004"])
    assert answer.earliest == ms(T0 + wait)  # the search lands on the very millisecond


@pytest.mark.parametrize("params", LIMITS)
def test_plan_the_last_allowed_and_the_first_breaking_official_unbind(export_dir, params):
    n = param(params, "BIND005", "max_unbinds")
    for done in (n - 1, n):  # the next is the n-th (allowed), then the (n+1)-th (breaks, for ever)
        ev = Events()
        t = T0
        for k in range(done):
            ev.bound(f"OFF{k}", "official", t, t + timedelta(days=3))
            t += timedelta(days=4)
        ev.bound("OFFNOW", "official", t)
        at = t + timedelta(days=3)
        answer = planned(export_dir / str(done), ev, Action("unbind", "S1", "OFFNOW", at=iso(at)), at, params)
        if done < n:
            assert answer.allowed and answer.earliest == ms(at)
        else:
            assert [f.rule for f in answer.broken] == ["BIND005"] and answer.earliest is None


@pytest.mark.parametrize("params", LIMITS)
def test_plan_the_last_allowed_and_the_first_breaking_marketing_unbind_in_the_window(export_dir, params):
    n = param(params, "BIND006", "max_unbinds")
    days = param(params, "BIND006", "window_days")
    for done in (n - 1, n):
        ev = Events()
        t = T0
        ev.bound("NOW", "marketing", T0)
        first = None
        for k in range(done):
            ev.bound(f"MKT{k}", "marketing", t, t + timedelta(hours=48))
            first = first or t + timedelta(hours=48)
            t += timedelta(hours=49)
        answer = planned(export_dir / str(done), ev, Action("unbind", "S1", "NOW", at=iso(t)), t, params)
        if done < n:
            assert answer.allowed
        else:
            assert [f.rule for f in answer.broken] == ["BIND006"]
            # the oldest unbind leaves the window (at - window, at] exactly window_days after it
            assert answer.earliest == ms(first + timedelta(days=days))


@pytest.mark.parametrize("params", LIMITS)
def test_plan_bind_into_a_full_store_and_into_a_slot_freed_by_an_unbind(export_dir, params):
    m = param(params, "BIND003", "max_marketing")
    ev = Events()
    for k in range(m):
        ev.bound(f"MKT{k}", "marketing", T0)
    at = T0 + timedelta(days=5)
    full = planned(export_dir / "full", ev, Action("bind", "S1", "NEW", "marketing", at=iso(at)), at, params)
    assert [f.rule for f in full.broken] == ["BIND003"] and full.earliest is None  # not on its own
    ev.add("MKT0", "marketing", "unbind", at)  # unbound at that very instant: the slot is free then
    freed = planned(export_dir / "freed", ev, Action("bind", "S1", "NEW", "marketing", at=iso(at)), at, params)
    assert freed.allowed
    early = at - timedelta(hours=1)  # an hour before the recorded unbind: wait until it
    answer = planned(export_dir / "early", ev, Action("bind", "S1", "NEW", "marketing", at=iso(early)), early, params)
    assert [f.rule for f in answer.broken] == ["BIND003"] and answer.earliest == ms(at)


def test_plan_refuses_what_cannot_be_planned(export_dir):
    ev = Events()
    ev.bound("A1", "marketing", T0)
    with pytest.raises(PlanError, match="not bound"):
        planned(export_dir, ev, Action("unbind", "S1", "A2"), T0 + timedelta(days=3), {})
    with pytest.raises(PlanError, match="already bound"):
        planned(export_dir, ev, Action("bind", "S1", "A1", "marketing"), T0 + timedelta(days=3), {})
    with pytest.raises(PlanError, match="not in the export"):
        planned(export_dir, ev, Action("unbind", "S9", "A1"), T0 + timedelta(days=3), {})


def test_plan_command_exit_status_and_json(export_dir):
    ev = Events()
    ev.bound("A1", "marketing", T0)
    make_export(export_dir, {"stores": [{"store_id": "S1", "region": "ID"}], "bindings": ev.rows})
    early = run_cli("plan", export_dir, "--unbind", "A1", "--store", "S1", "--at", iso(T0 + timedelta(hours=47)),
                    "--format", "json")
    assert early.returncode == 1, early.stderr
    import json
    out = json.loads(early.stdout)
    assert out["allowed"] is False and [b["rule"] for b in out["breaks"]] == ["BIND004"]
    assert when(out["earliest"]) == T0 + timedelta(hours=48)
    ok = run_cli("plan", export_dir, "--unbind", "A1", "--store", "S1", "--at", iso(T0 + timedelta(hours=48)),
                 "--lang", "id")
    assert ok.returncode == 0 and "Boleh" in ok.stdout
    bad = run_cli("plan", export_dir, "--unbind", "A1", "--bind", "A2", "--store", "S1")
    assert bad.returncode == 2


def test_headroom_shows_in_every_format(tmp_path):
    import csv
    import io
    import json

    import pyarrow.parquet as pq

    from conftest import REPO
    out = tmp_path / "out"
    out.mkdir()
    res = run_cli("check", REPO / "sample_data", "--format", "json,csv,parquet,jsonl,html,text", "--output-dir", out,
                  "--as-of", "2025-12-31T00:00:00+07:00", "--no-cache")
    assert res.returncode == 1, res.stderr
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    near = [(s, x["item"]) for s, h in report["headroom"].items() for x in h["limits"] if x["near_limit"]]
    assert near == [("S01", "marketing_unbinds")]  # 9 of the 10 Marketing unbinds in 180 days
    assert sorted(report["headroom"]) == ["S01", "S02", "S03", "S04"]  # the clean store too
    text = (out / "report.txt").read_text(encoding="utf-8")
    assert "Headroom" in text and "Marketing unbinds in the window (180 days): 9 / 10" in text
    assert "warning: S01 near a limit" in text
    html = (out / "report.html").read_text(encoding="utf-8")
    assert html.count('class="headroom"') == 4 and 'class="near-limit"' in html
    rows = [r for r in csv.DictReader(io.StringIO((out / "report.csv").read_text(encoding="utf-8")))
            if r["record"] == "headroom"]
    assert [(r["store_id"], r["item"]) for r in rows if r["near_limit"] == "true"] == [("S01", "marketing_unbinds")]
    lines = [json.loads(x) for x in (out / "report.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {x["store_id"] for x in lines if x["type"] == "headroom"} == set(report["headroom"])
    assert lines[-1]["type"] == "summary"
    meta = json.loads(pq.read_table(out / "report.parquet").schema.metadata[b"shoplint"])
    assert meta["headroom"] == report["headroom"]


@pytest.mark.parametrize("zone", ["Asia/Jakarta", "Asia/Makassar", "America/St_Johns", "Europe/London", "UTC"])
def test_instants_formatted_in_bulk_read_exactly_as_one_by_one(zone):
    """Headroom formats its many instants zone by zone in one go: the very text of format_instant."""
    import numpy as np

    from lint.ingest.timestamps import format_instant, format_instants
    rng = np.random.default_rng(16)
    ms = np.concatenate([rng.integers(-2 * 10**12, 4 * 10**12, 3000), rng.integers(0, 10**9, 500) * 1000, [0, 1, -1]])
    assert format_instants(ms, zone) == [format_instant(int(x), zone) for x in ms]
