"""BIND003 too-many-marketing: each maximal period in which a store has more than
max_marketing (4) Marketing bindings in force at once; subjects are the bind event ids of
every binding in force at some time in the period; window is the period."""
from conftest import bind, findings, lint, make_export


def marketing_binds(n, store="S1", at="2025-03-01T10:00:00+07:00", prefix="M"):
    return [bind(f"{prefix}{i}", store, f"A{i}", "marketing", "bind", at) for i in range(1, n + 1)]


def test_four_marketing_accounts_are_fine(export_dir):
    make_export(export_dir, {"bindings": marketing_binds(4) + [
        bind("O1", "S1", "A9", "official", "bind", "2025-03-01T10:00:00+07:00")]})
    assert findings(lint(export_dir), "BIND003") == []


def test_five_marketing_accounts_are_a_finding(export_dir):
    make_export(export_dir, {"bindings": marketing_binds(4) + [
        bind("M5", "S1", "A5", "marketing", "bind", "2025-03-05T10:00:00+07:00"),
        bind("M5u", "S1", "A5", "marketing", "unbind", "2025-03-09T10:00:00+07:00"),
    ]})
    found = findings(lint(export_dir), "BIND003")
    assert len(found) == 1
    f = found[0]
    assert f["store_id"] == "S1"
    assert sorted(f["subjects"]) == ["M1", "M2", "M3", "M4", "M5"]
    assert sorted(f["accounts"]) == ["A1", "A2", "A3", "A4", "A5"]
    assert f["window"] == {"start": "2025-03-05T10:00:00+07:00", "end": "2025-03-09T10:00:00+07:00"}


def test_one_finding_per_maximal_period_when_the_bindings_in_force_change(export_dir):
    # Four all along; A5 then A6 (bound at A5's unbind instant) make five without a break.
    make_export(export_dir, {"bindings": marketing_binds(4) + [
        bind("M5", "S1", "A5", "marketing", "bind", "2025-03-05T10:00:00+07:00"),
        bind("M5u", "S1", "A5", "marketing", "unbind", "2025-03-09T10:00:00+07:00"),
        bind("M6", "S1", "A6", "marketing", "bind", "2025-03-09T10:00:00+07:00"),
        bind("M6u", "S1", "A6", "marketing", "unbind", "2025-03-12T10:00:00+07:00"),
    ]})
    found = findings(lint(export_dir), "BIND003")
    assert len(found) == 1
    assert sorted(found[0]["subjects"]) == ["M1", "M2", "M3", "M4", "M5", "M6"]
    assert found[0]["window"] == {"start": "2025-03-05T10:00:00+07:00", "end": "2025-03-12T10:00:00+07:00"}


def test_one_second_overlap_gives_a_one_second_window(export_dir):
    make_export(export_dir, {"bindings": marketing_binds(3) + [
        bind("M4", "S1", "A4", "marketing", "bind", "2025-03-01T10:00:00+07:00"),
        bind("M4u", "S1", "A4", "marketing", "unbind", "2025-03-05T10:00:00+07:00"),
        bind("M5", "S1", "A5", "marketing", "bind", "2025-03-05T09:59:59+07:00"),
    ]})
    found = findings(lint(export_dir), "BIND003")
    assert [sorted(f["subjects"]) for f in found] == [["M1", "M2", "M3", "M4", "M5"]]
    assert found[0]["window"] == {"start": "2025-03-05T09:59:59+07:00", "end": "2025-03-05T10:00:00+07:00"}


def test_touching_intervals_do_not_overlap(export_dir):
    make_export(export_dir, {"bindings": marketing_binds(3) + [
        bind("M4", "S1", "A4", "marketing", "bind", "2025-03-01T10:00:00+07:00"),
        bind("M4u", "S1", "A4", "marketing", "unbind", "2025-03-05T10:00:00+07:00"),
        bind("M5", "S1", "A5", "marketing", "bind", "2025-03-05T10:00:00+07:00"),
    ]})
    assert findings(lint(export_dir), "BIND003") == []


def test_open_bindings_extend_to_as_of(export_dir):
    make_export(export_dir, {"bindings": marketing_binds(4) + [
        bind("M5", "S1", "A5", "marketing", "bind", "2025-03-05T10:00:00+07:00")]})
    found = findings(lint(export_dir, as_of="2025-04-01T00:00:00+07:00"), "BIND003")
    assert [sorted(f["subjects"]) for f in found] == [["M1", "M2", "M3", "M4", "M5"]]
    assert found[0]["window"] == {"start": "2025-03-05T10:00:00+07:00", "end": "2025-04-01T00:00:00+07:00"}


def test_counted_per_store(export_dir):
    make_export(export_dir, {"bindings": marketing_binds(4, "S1", prefix="X") + marketing_binds(4, "S2", prefix="Y")})
    assert findings(lint(export_dir), "BIND003") == []


def test_max_marketing_parameter_changes_the_limit(export_dir):
    make_export(export_dir, {"bindings": marketing_binds(2) + [
        bind("M3", "S1", "A3", "marketing", "bind", "2025-03-05T10:00:00+07:00")]})
    assert findings(lint(export_dir), "BIND003") == []
    found = findings(lint(export_dir, params={"BIND003": {"max_marketing": 2}}), "BIND003")
    assert [sorted(f["subjects"]) for f in found] == [["M1", "M2", "M3"]]
    assert found[0]["window"]["start"] == "2025-03-05T10:00:00+07:00"
