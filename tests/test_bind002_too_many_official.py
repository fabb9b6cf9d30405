"""BIND002 too-many-official: each maximal period in which a store has more than
max_official (1) Official bindings in force at once; subjects are the bind event ids of
every binding in force at some time in the period; window is the period."""
from conftest import bind, findings, lint, make_export


def test_exactly_one_official_is_fine(export_dir):
    make_export(export_dir, {"bindings": [
        bind("E1", "S1", "A1", "official", "bind", "2025-03-01T10:00:00+07:00"),
        bind("E2", "S1", "A2", "marketing", "bind", "2025-03-02T10:00:00+07:00"),
        bind("E3", "S2", "A3", "official", "bind", "2025-03-02T10:00:00+07:00"),  # another store
    ]})
    assert findings(lint(export_dir), "BIND002") == []


def test_two_officials_at_once_is_a_finding(export_dir):
    make_export(export_dir, {"bindings": [
        bind("E1", "S1", "A1", "official", "bind", "2025-03-01T10:00:00+07:00"),
        bind("E2", "S1", "A2", "official", "bind", "2025-03-05T10:00:00+07:00"),
        bind("E3", "S1", "A1", "official", "unbind", "2025-03-08T10:00:00+07:00"),
    ]})
    found = findings(lint(export_dir), "BIND002")
    assert len(found) == 1
    f = found[0]
    assert f["store_id"] == "S1"
    assert sorted(f["subjects"]) == ["E1", "E2"]
    assert sorted(f["accounts"]) == ["A1", "A2"]
    assert f["window"] == {"start": "2025-03-05T10:00:00+07:00", "end": "2025-03-08T10:00:00+07:00"}


def test_one_finding_per_maximal_period_when_the_bindings_in_force_change(export_dir):
    # A1 all along; A2 then A3 take turns (A3 binds at A2's unbind instant): two officials
    # from 03-05 to 03-15 without a break, so one period with all three bindings.
    make_export(export_dir, {"bindings": [
        bind("E1", "S1", "A1", "official", "bind", "2025-03-01T10:00:00+07:00"),
        bind("E2", "S1", "A2", "official", "bind", "2025-03-05T10:00:00+07:00"),
        bind("E3", "S1", "A2", "official", "unbind", "2025-03-10T10:00:00+07:00"),
        bind("E4", "S1", "A3", "official", "bind", "2025-03-10T10:00:00+07:00"),
        bind("E5", "S1", "A3", "official", "unbind", "2025-03-15T10:00:00+07:00"),
        bind("E6", "S1", "A1", "official", "unbind", "2025-03-20T10:00:00+07:00"),
    ]})
    found = findings(lint(export_dir), "BIND002")
    assert len(found) == 1
    assert sorted(found[0]["subjects"]) == ["E1", "E2", "E4"]
    assert found[0]["window"] == {"start": "2025-03-05T10:00:00+07:00", "end": "2025-03-15T10:00:00+07:00"}


def test_a_break_in_between_makes_two_periods(export_dir):
    make_export(export_dir, {"bindings": [
        bind("E1", "S1", "A1", "official", "bind", "2025-03-01T10:00:00+07:00"),
        bind("E2", "S1", "A2", "official", "bind", "2025-03-05T10:00:00+07:00"),
        bind("E3", "S1", "A2", "official", "unbind", "2025-03-10T10:00:00+07:00"),
        bind("E4", "S1", "A3", "official", "bind", "2025-03-10T10:00:01+07:00"),  # 1 s later
        bind("E5", "S1", "A3", "official", "unbind", "2025-03-15T10:00:00+07:00"),
        bind("E6", "S1", "A1", "official", "unbind", "2025-03-20T10:00:00+07:00"),
    ]})
    found = findings(lint(export_dir), "BIND002")
    assert sorted((f["window"]["start"], tuple(sorted(f["subjects"]))) for f in found) == [
        ("2025-03-05T10:00:00+07:00", ("E1", "E2")),
        ("2025-03-10T10:00:01+07:00", ("E1", "E4")),
    ]


def test_binding_touching_the_period_is_not_a_subject(export_dir):
    # A0 ends exactly when A1 starts; the period is [A2 bind, A2 unbind): A0 is not in it.
    make_export(export_dir, {"bindings": [
        bind("E0", "S1", "A0", "official", "bind", "2025-02-20T10:00:00+07:00"),
        bind("E0u", "S1", "A0", "official", "unbind", "2025-03-01T10:00:00+07:00"),
        bind("E1", "S1", "A1", "official", "bind", "2025-03-01T10:00:00+07:00"),
        bind("E2", "S1", "A2", "official", "bind", "2025-03-05T10:00:00+07:00"),
        bind("E3", "S1", "A2", "official", "unbind", "2025-03-08T10:00:00+07:00"),
        bind("E4", "S1", "A4", "official", "bind", "2025-03-20T10:00:00+07:00"),  # after A1's unbind
        bind("E5", "S1", "A1", "official", "unbind", "2025-03-20T10:00:00+07:00"),
    ]})
    found = findings(lint(export_dir), "BIND002")
    assert [sorted(f["subjects"]) for f in found] == [["E1", "E2"]]


def test_one_second_overlap_gives_a_one_second_window(export_dir):
    make_export(export_dir, {"bindings": [
        bind("E1", "S1", "A1", "official", "bind", "2025-03-01T10:00:00+07:00"),
        bind("E2", "S1", "A1", "official", "unbind", "2025-03-05T10:00:00+07:00"),
        bind("E3", "S1", "A2", "official", "bind", "2025-03-05T09:59:59+07:00"),
    ]})
    found = findings(lint(export_dir), "BIND002")
    assert [sorted(f["subjects"]) for f in found] == [["E1", "E3"]]
    assert found[0]["window"] == {"start": "2025-03-05T09:59:59+07:00", "end": "2025-03-05T10:00:00+07:00"}


def test_touching_intervals_do_not_overlap(export_dir):
    make_export(export_dir, {"bindings": [
        bind("E1", "S1", "A1", "official", "bind", "2025-03-01T10:00:00+07:00"),
        bind("E2", "S1", "A1", "official", "unbind", "2025-03-05T10:00:00+07:00"),
        bind("E3", "S1", "A2", "official", "bind", "2025-03-05T10:00:00+07:00"),
    ]})
    assert findings(lint(export_dir), "BIND002") == []


def test_open_bindings_extend_to_as_of(export_dir):
    make_export(export_dir, {"bindings": [
        bind("E1", "S1", "A1", "official", "bind", "2025-03-01T10:00:00+07:00"),
        bind("E2", "S1", "A2", "official", "bind", "2025-03-05T10:00:00+07:00"),
    ]})
    found = findings(lint(export_dir, as_of="2025-04-01T00:00:00+07:00"), "BIND002")
    assert [sorted(f["subjects"]) for f in found] == [["E1", "E2"]]
    assert found[0]["window"] == {"start": "2025-03-05T10:00:00+07:00", "end": "2025-04-01T00:00:00+07:00"}


def test_other_stores_and_marketing_bindings_do_not_count(export_dir):
    make_export(export_dir, {"bindings": [
        bind("E1", "S1", "A1", "official", "bind", "2025-03-01T10:00:00+07:00"),
        bind("E2", "S2", "A2", "official", "bind", "2025-03-01T10:00:00+07:00"),
        bind("E3", "S1", "A3", "marketing", "bind", "2025-03-01T10:00:00+07:00"),
    ]})
    assert findings(lint(export_dir), "BIND002") == []


def test_max_official_parameter_changes_the_limit(export_dir):
    make_export(export_dir, {"bindings": [
        bind("E1", "S1", "A1", "official", "bind", "2025-03-01T10:00:00+07:00"),
        bind("E2", "S1", "A2", "official", "bind", "2025-03-02T10:00:00+07:00"),
        bind("E3", "S1", "A3", "official", "bind", "2025-03-03T10:00:00+07:00"),
    ]})
    assert findings(lint(export_dir, params={"BIND002": {"max_official": 3}}), "BIND002") == []
    found = findings(lint(export_dir, params={"BIND002": {"max_official": 2}}), "BIND002")
    assert [sorted(f["subjects"]) for f in found] == [["E1", "E2", "E3"]]
    assert found[0]["window"]["start"] == "2025-03-03T10:00:00+07:00"


def test_binding_starting_at_the_period_end_is_not_a_subject(export_dir):
    # A1 and A2 both unbind at 03-08 10:00 when A3 binds: one official from then on.
    make_export(export_dir, {"bindings": [
        bind("E1", "S1", "A1", "official", "bind", "2025-03-01T10:00:00+07:00"),
        bind("E2", "S1", "A2", "official", "bind", "2025-03-05T10:00:00+07:00"),
        bind("E3", "S1", "A3", "official", "bind", "2025-03-08T10:00:00+07:00"),
        bind("E4", "S1", "A1", "official", "unbind", "2025-03-08T10:00:00+07:00"),
        bind("E5", "S1", "A2", "official", "unbind", "2025-03-08T10:00:00+07:00"),
    ]})
    found = findings(lint(export_dir), "BIND002")
    assert [sorted(f["subjects"]) for f in found] == [["E1", "E2"]]
    assert found[0]["window"] == {"start": "2025-03-05T10:00:00+07:00", "end": "2025-03-08T10:00:00+07:00"}
