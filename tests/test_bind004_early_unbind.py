"""BIND004 early-unbind: an unbind less than 48 h after its bind; exactly 48 h is allowed."""
from conftest import bind, findings, lint, make_export


def test_unbind_one_second_before_48h_is_a_finding_and_exactly_48h_is_not(export_dir):
    make_export(export_dir, {"bindings": [
        bind("E1", "S1", "A1", "marketing", "bind", "2025-03-01T10:00:00+07:00"),
        bind("E2", "S1", "A1", "marketing", "unbind", "2025-03-03T09:59:59+07:00"),  # 47:59:59
        bind("E3", "S1", "A2", "official", "bind", "2025-03-01T10:00:00+07:00"),
        bind("E4", "S1", "A2", "official", "unbind", "2025-03-03T10:00:00+07:00"),  # exactly 48 h
    ]})
    found = findings(lint(export_dir), "BIND004")
    assert [f["subjects"] for f in found] == [["E2"]]
    assert found[0]["window"] == {"start": "2025-03-01T10:00:00+07:00", "end": "2025-03-03T09:59:59+07:00"}
    assert found[0]["accounts"] == ["A1"]
    assert "47 h 59 min 59 s" in found[0]["message"]


def test_milliseconds_count(export_dir):
    make_export(export_dir, {"bindings": [
        bind("E1", "S1", "A1", "marketing", "bind", "2025-03-01T10:00:00.001+07:00"),
        bind("E2", "S1", "A1", "marketing", "unbind", "2025-03-03T10:00:00.000+07:00"),
    ]})
    assert [f["subjects"] for f in findings(lint(export_dir), "BIND004")] == [["E2"]]


def test_48_hours_are_elapsed_time_across_a_dst_change(export_dir):
    # New York springs forward on 2025-03-09: 48 wall-clock hours are only 47 elapsed hours.
    make_export(export_dir, {
        "stores": [{"store_id": "S1", "region": "US", "timezone": "America/New_York"}],
        "bindings": [
            bind("E1", "S1", "A1", "marketing", "bind", "2025-03-08T12:00:00"),
            bind("E2", "S1", "A1", "marketing", "unbind", "2025-03-10T12:00:00"),
        ]})
    found = findings(lint(export_dir), "BIND004")
    assert [f["subjects"] for f in found] == [["E2"]]
    assert found[0]["evidence"]["hours_bound"] == 47.0


def test_still_bound_is_not_an_early_unbind(export_dir):
    make_export(export_dir, {"bindings": [
        bind("E1", "S1", "A1", "official", "bind", "2025-12-31T23:00:00+07:00")]})
    assert findings(lint(export_dir, as_of="2026-01-01T00:00:00+07:00"), "BIND004") == []


def test_interval_form_names_the_unbind_event(export_dir):
    make_export(export_dir, {"bindings": [
        {"binding_id": "B1", "store_id": "S1", "account_id": "A1", "account_type": "official",
         "bound_at": "2025-03-01T10:00:00Z", "unbound_at": "2025-03-02T10:00:00Z"}]})
    assert [f["subjects"] for f in findings(lint(export_dir), "BIND004")] == [["B1:unbind"]]
