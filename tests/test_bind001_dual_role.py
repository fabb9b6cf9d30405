"""BIND001 dual-role-account: an Official and a Marketing binding of the same account whose
intervals overlap, in the same store or in two stores. store_id is the Official binding's
store; subjects are [official bind id, marketing bind id]; window is the overlap."""
from conftest import bind, findings, lint, make_export


def test_overlap_in_the_same_store(export_dir):
    make_export(export_dir, {"bindings": [
        bind("E1", "S1", "A1", "official", "bind", "2025-03-01T10:00:00+07:00"),
        bind("E2", "S1", "A1", "marketing", "bind", "2025-03-05T08:00:00+07:00"),
        bind("E3", "S1", "A1", "official", "unbind", "2025-03-10T10:00:00+07:00"),
        bind("E4", "S1", "A1", "marketing", "unbind", "2025-03-20T08:00:00+07:00"),
    ]})
    found = findings(lint(export_dir), "BIND001")
    assert len(found) == 1
    f = found[0]
    assert f["subjects"] == ["E1", "E2"]
    assert f["store_id"] == "S1"
    assert f["accounts"] == ["A1"]
    assert f["window"] == {"start": "2025-03-05T08:00:00+07:00", "end": "2025-03-10T10:00:00+07:00"}


def test_overlap_across_two_stores_is_reported_for_the_official_store(export_dir):
    # Marketing binding listed first and starting first: the order stays [official, marketing].
    make_export(export_dir, {"bindings": [
        bind("M1", "S2", "A1", "marketing", "bind", "2025-03-01T10:00:00+07:00"),
        bind("O1", "S1", "A1", "official", "bind", "2025-03-03T10:00:00+07:00"),
        bind("M2", "S2", "A1", "marketing", "unbind", "2025-03-08T10:00:00+07:00"),
        bind("O2", "S1", "A1", "official", "unbind", "2025-03-12T10:00:00+07:00"),
    ]})
    found = findings(lint(export_dir), "BIND001")
    assert [f["subjects"] for f in found] == [["O1", "M1"]]
    assert found[0]["store_id"] == "S1"
    assert found[0]["accounts"] == ["A1"]
    assert found[0]["window"] == {"start": "2025-03-03T10:00:00+07:00", "end": "2025-03-08T10:00:00+07:00"}


def test_touching_intervals_are_not_a_finding(export_dir):
    make_export(export_dir, {"bindings": [
        bind("E1", "S1", "A1", "official", "bind", "2025-03-01T10:00:00+07:00"),
        bind("E2", "S1", "A1", "official", "unbind", "2025-03-10T10:00:00+07:00"),
        bind("E3", "S2", "A1", "marketing", "bind", "2025-03-10T10:00:00+07:00"),  # at the unbind instant
        bind("E4", "S2", "A1", "marketing", "unbind", "2025-03-20T10:00:00+07:00"),
        bind("E5", "S1", "A1", "official", "bind", "2025-03-20T10:00:00+07:00"),  # at the unbind instant
    ]})
    assert findings(lint(export_dir), "BIND001") == []


def test_one_millisecond_of_overlap_is_a_finding(export_dir):
    make_export(export_dir, {"bindings": [
        bind("E1", "S1", "A1", "official", "bind", "2025-03-01T10:00:00+07:00"),
        bind("E2", "S1", "A1", "official", "unbind", "2025-03-10T10:00:00.001+07:00"),
        bind("E3", "S2", "A1", "marketing", "bind", "2025-03-10T10:00:00+07:00"),
    ]})
    found = findings(lint(export_dir), "BIND001")
    assert [f["subjects"] for f in found] == [["E1", "E3"]]
    assert found[0]["window"] == {"start": "2025-03-10T10:00:00+07:00", "end": "2025-03-10T10:00:00.001+07:00"}


def test_still_bound_bindings_overlap_until_as_of(export_dir):
    make_export(export_dir, {"bindings": [
        bind("E1", "S1", "A1", "official", "bind", "2025-03-01T10:00:00+07:00"),
        bind("E2", "S2", "A1", "marketing", "bind", "2025-06-01T10:00:00+07:00"),
    ]})
    found = findings(lint(export_dir, as_of="2025-07-01T12:00:00+07:00"), "BIND001")
    assert [f["subjects"] for f in found] == [["E1", "E2"]]
    assert found[0]["window"] == {"start": "2025-06-01T10:00:00+07:00", "end": "2025-07-01T12:00:00+07:00"}


def test_binding_after_as_of_does_not_overlap(export_dir):
    make_export(export_dir, {"bindings": [
        bind("E1", "S1", "A1", "official", "bind", "2025-03-01T10:00:00+07:00"),
        bind("E2", "S2", "A1", "marketing", "bind", "2025-08-01T10:00:00+07:00"),
    ]})
    assert findings(lint(export_dir, as_of="2025-07-01T12:00:00+07:00"), "BIND001") == []


def test_one_finding_per_overlapping_pair(export_dir):
    make_export(export_dir, {"bindings": [
        bind("O1", "S1", "A1", "official", "bind", "2025-03-01T10:00:00+07:00"),
        bind("O2", "S1", "A1", "official", "unbind", "2025-03-31T10:00:00+07:00"),
        bind("M1", "S2", "A1", "marketing", "bind", "2025-03-05T10:00:00+07:00"),
        bind("M2", "S2", "A1", "marketing", "unbind", "2025-03-08T10:00:00+07:00"),
        bind("M3", "S3", "A1", "marketing", "bind", "2025-03-20T10:00:00+07:00"),
        bind("M4", "S3", "A1", "marketing", "unbind", "2025-04-20T10:00:00+07:00"),
    ]})
    found = findings(lint(export_dir), "BIND001")
    assert sorted((f["subjects"][0], f["subjects"][1], f["window"]["start"], f["window"]["end"]) for f in found) == [
        ("O1", "M1", "2025-03-05T10:00:00+07:00", "2025-03-08T10:00:00+07:00"),
        ("O1", "M3", "2025-03-20T10:00:00+07:00", "2025-03-31T10:00:00+07:00"),
    ]
    assert {f["store_id"] for f in found} == {"S1"}


def test_different_accounts_are_not_dual_role(export_dir):
    make_export(export_dir, {"bindings": [
        bind("E1", "S1", "A1", "official", "bind", "2025-03-01T10:00:00+07:00"),
        bind("E2", "S1", "A2", "marketing", "bind", "2025-03-02T10:00:00+07:00"),
    ]})
    assert findings(lint(export_dir), "BIND001") == []
