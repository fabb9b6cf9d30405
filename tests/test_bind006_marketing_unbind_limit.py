"""BIND006 marketing-unbind-limit: a Marketing unbind u of a store fires when more than
max_unbinds (10) Marketing unbinds of that store fall in (u - 180 days, u]; unbinds at the
same instant all count. Subject: the unbind event id; window: the unbind instant."""
from datetime import datetime, timedelta

from conftest import bind, findings, lint, make_export

T = datetime.fromisoformat("2025-09-01T10:00:00+07:00")


def iso(dt: datetime) -> str:
    return dt.isoformat()


def unbind_at(n, at: datetime, store="S1", type_="marketing", account=None):
    """A binding of its own account, bound 3 days before `at` and unbound at `at`: U<n>."""
    account = account or f"A{n}"
    return [bind(f"B{n}", store, account, type_, "bind", iso(at - timedelta(days=3))),
            bind(f"U{n}", store, account, type_, "unbind", iso(at))]


def unbinds(ns, start: datetime, step=timedelta(days=1), **kw):
    rows = []
    for k, n in enumerate(ns):
        rows += unbind_at(n, start + k * step, **kw)
    return rows


def fired(report):
    return sorted((f["subjects"][0] for f in findings(report, "BIND006")), key=lambda s: int(s[1:]))


def test_ten_marketing_unbinds_in_180_days_are_fine(export_dir):
    make_export(export_dir, {"bindings": unbinds(range(1, 11), T, step=timedelta(days=15))})
    assert fired(lint(export_dir)) == []


def test_eleventh_marketing_unbind_fires(export_dir):
    make_export(export_dir, {"bindings": unbinds(range(1, 12), T, step=timedelta(days=15))})
    found = findings(lint(export_dir), "BIND006")
    assert [f["subjects"] for f in found] == [["U11"]]
    at = iso(T + timedelta(days=150))
    assert found[0]["window"] == {"start": at, "end": at}
    assert found[0]["store_id"] == "S1" and found[0]["accounts"] == ["A11"]


def test_unbind_exactly_180_days_before_does_not_count(export_dir):
    rows = unbind_at(1, T) + unbinds(range(2, 12), T + timedelta(days=180), step=timedelta(0))
    make_export(export_dir, {"bindings": rows})
    assert fired(lint(export_dir)) == []


def test_unbind_180_days_minus_1_second_before_counts(export_dir):
    # U1, then ten unbinds at the same instant: each of those sees 11 unbinds in its window.
    rows = unbind_at(1, T) + unbinds(range(2, 12), T + timedelta(days=180, seconds=-1), step=timedelta(0))
    make_export(export_dir, {"bindings": rows})
    report = lint(export_dir)
    assert fired(report) == [f"U{n}" for n in range(2, 12)]
    at = iso(T + timedelta(days=180, seconds=-1))
    assert {(f["window"]["start"], f["window"]["end"]) for f in findings(report, "BIND006")} == {(at, at)}


def test_unbinds_at_the_same_instant_all_count_and_all_fire(export_dir):
    make_export(export_dir, {"bindings": unbinds(range(1, 12), T, step=timedelta(0))})
    assert fired(lint(export_dir)) == [f"U{n}" for n in range(1, 12)]


def test_window_slides(export_dir):
    # Ten unbinds on days 0..9; U11 on day 179 sees all ten (11); U12 on day 181 no longer
    # sees the unbinds of days 0 and 1 (10).
    make_export(export_dir, {"bindings": unbinds(range(1, 11), T)
                             + unbind_at(11, T + timedelta(days=179))
                             + unbind_at(12, T + timedelta(days=181))})
    assert fired(lint(export_dir)) == ["U11"]


def test_official_unbinds_and_other_stores_do_not_count(export_dir):
    rows = (unbinds(range(1, 11), T, step=timedelta(days=1))
            + unbinds(range(11, 14), T, step=timedelta(days=1), type_="official")
            + unbinds(range(14, 17), T, step=timedelta(days=1), store="S2"))
    make_export(export_dir, {"bindings": rows})
    assert fired(lint(export_dir)) == []


def test_180_days_are_elapsed_time_across_a_dst_change(export_dir):
    # New York: 2025-01-01 12:00 EST to 2025-06-30 12:00 EDT is 180 wall-clock days but
    # 180 days minus 1 hour elapsed, so the first unbind is still in the window.
    rows = [bind("B1", "S1", "A1", "marketing", "bind", "2024-12-20T12:00:00"),
            bind("U1", "S1", "A1", "marketing", "unbind", "2025-01-01T12:00:00")]
    for n in range(2, 12):
        rows += [bind(f"B{n}", "S1", f"A{n}", "marketing", "bind", "2025-06-01T12:00:00"),
                 bind(f"U{n}", "S1", f"A{n}", "marketing", "unbind", "2025-06-30T12:00:00")]
    make_export(export_dir, {"stores": [{"store_id": "S1", "region": "US", "timezone": "America/New_York"}],
                             "bindings": rows})
    report = lint(export_dir)
    assert fired(report) == [f"U{n}" for n in range(2, 12)]
    assert findings(report, "BIND006")[0]["window"]["end"] == "2025-06-30T12:00:00-04:00"


def test_parameters_change_the_limit_and_the_window(export_dir):
    make_export(export_dir, {"bindings": unbinds(range(1, 4), T, step=timedelta(days=10))})
    assert fired(lint(export_dir, params={"BIND006": {"max_unbinds": 2}})) == ["U3"]
    assert fired(lint(export_dir, params={"BIND006": {"max_unbinds": 2, "window_days": 20}})) == []
