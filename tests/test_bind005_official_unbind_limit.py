"""BIND005 official-unbind-limit: the 4th, 5th, ... Official unbind of a store, in time
order, counted per store over all accounts and all time. Subject: the unbind event id;
window: the unbind instant (start = end)."""
from conftest import bind, findings, lint, make_export


def cycle(n, store, account, type_, day, month="2025-03"):
    """Bind on `day` at 10:00, unbind five days later: events B<n> and U<n>."""
    return [bind(f"B{n}", store, account, type_, "bind", f"{month}-{day:02d}T10:00:00+07:00"),
            bind(f"U{n}", store, account, type_, "unbind", f"{month}-{day + 5:02d}T10:00:00+07:00")]


def test_three_official_unbinds_are_fine(export_dir):
    make_export(export_dir, {"bindings": cycle(1, "S1", "A1", "official", 1) + cycle(2, "S1", "A2", "official", 7)
                             + cycle(3, "S1", "A1", "official", 13)})
    assert findings(lint(export_dir), "BIND005") == []


def test_fourth_and_fifth_official_unbinds_are_findings(export_dir):
    rows = (cycle(1, "S1", "A1", "official", 1) + cycle(2, "S1", "A2", "official", 7)
            + cycle(3, "S1", "A3", "official", 13) + cycle(4, "S1", "A1", "official", 19)
            + cycle(5, "S1", "A4", "official", 24))
    make_export(export_dir, {"bindings": rows})
    found = findings(lint(export_dir), "BIND005")
    assert sorted(f["subjects"][0] for f in found) == ["U4", "U5"]
    by_subject = {f["subjects"][0]: f for f in found}
    assert by_subject["U4"]["window"] == {"start": "2025-03-24T10:00:00+07:00", "end": "2025-03-24T10:00:00+07:00"}
    assert by_subject["U4"]["accounts"] == ["A1"] and by_subject["U4"]["store_id"] == "S1"
    assert by_subject["U5"]["window"] == {"start": "2025-03-29T10:00:00+07:00", "end": "2025-03-29T10:00:00+07:00"}
    assert by_subject["U5"]["accounts"] == ["A4"]


def test_counted_in_time_order_not_file_order(export_dir):
    rows = (cycle(5, "S1", "A5", "official", 24) + cycle(4, "S1", "A4", "official", 19)
            + cycle(3, "S1", "A3", "official", 13) + cycle(2, "S1", "A2", "official", 7)
            + cycle(1, "S1", "A1", "official", 1))
    make_export(export_dir, {"bindings": rows})
    assert sorted(f["subjects"][0] for f in findings(lint(export_dir), "BIND005")) == ["U4", "U5"]


def test_counted_over_all_time(export_dir):
    rows = (cycle(1, "S1", "A1", "official", 1, "2021-01") + cycle(2, "S1", "A1", "official", 1, "2022-06")
            + cycle(3, "S1", "A1", "official", 1, "2023-11") + cycle(4, "S1", "A1", "official", 1, "2025-10"))
    make_export(export_dir, {"bindings": rows})
    found = findings(lint(export_dir), "BIND005")
    assert [f["subjects"] for f in found] == [["U4"]]
    assert found[0]["window"]["start"] == found[0]["window"]["end"] == "2025-10-06T10:00:00+07:00"


def test_marketing_unbinds_do_not_count(export_dir):
    rows = (cycle(1, "S1", "A1", "official", 1) + cycle(2, "S1", "A2", "marketing", 3)
            + cycle(3, "S1", "A2", "official", 9) + cycle(4, "S1", "A3", "marketing", 11)
            + cycle(5, "S1", "A3", "official", 17) + cycle(6, "S1", "A4", "marketing", 20))
    make_export(export_dir, {"bindings": rows})
    assert findings(lint(export_dir), "BIND005") == []


def test_counted_per_store(export_dir):
    rows = (cycle(1, "S1", "A1", "official", 1) + cycle(2, "S2", "A1", "official", 7)
            + cycle(3, "S1", "A1", "official", 13) + cycle(4, "S2", "A1", "official", 19)
            + cycle(5, "S1", "A2", "official", 13) + cycle(6, "S2", "A2", "official", 19))
    make_export(export_dir, {"bindings": rows})
    assert findings(lint(export_dir), "BIND005") == []
    rows += cycle(7, "S2", "A3", "official", 24)
    make_export(export_dir, {"bindings": rows})
    found = findings(lint(export_dir), "BIND005")
    assert [(f["store_id"], f["subjects"]) for f in found] == [("S2", ["U7"])]


def test_still_bound_officials_are_not_unbinds(export_dir):
    rows = (cycle(1, "S1", "A1", "official", 1) + cycle(2, "S1", "A2", "official", 7)
            + cycle(3, "S1", "A3", "official", 13)
            + [bind("B4", "S1", "A4", "official", "bind", "2025-03-20T10:00:00+07:00")])
    make_export(export_dir, {"bindings": rows})
    assert findings(lint(export_dir), "BIND005") == []


def test_max_unbinds_parameter_changes_the_limit(export_dir):
    rows = (cycle(1, "S1", "A1", "official", 1) + cycle(2, "S1", "A2", "official", 7)
            + cycle(3, "S1", "A3", "official", 13))
    make_export(export_dir, {"bindings": rows})
    found = findings(lint(export_dir, params={"BIND005": {"max_unbinds": 1}}), "BIND005")
    assert sorted(f["subjects"][0] for f in found) == ["U2", "U3"]
