"""Binding events are read per (store, account, type) in time order: `bind` opens a binding,
the next `unbind` closes it. An `unbind` with nothing open, or a second `bind` while one is
open, is an input error for that row: the row is ignored (the first binding keeps its start)
and listed under input_errors with file, row and column. The interval form (binding_id,
bound_at, unbound_at) means the same bindings; its unbind event id is binding_id + ':unbind'."""
from conftest import bind, findings, lint, make_export

AS_OF = "2026-01-01T00:00:00+07:00"


def comparable(report) -> list[tuple]:
    """Findings as a person reads them, leaving out nothing but the fingerprint."""
    return [(f["rule"], f["store_id"], tuple(f["accounts"]), tuple(f["subjects"]), f["window"]["start"],
             f["window"]["end"], f["message"], repr(sorted(f["evidence"].items())))
            for f in report["findings"]]


# --- unbind with nothing open -------------------------------------------------------------

def test_unbind_with_nothing_open_is_an_input_error_naming_file_row_and_column(export_dir):
    make_export(export_dir, {"bindings": [
        bind("E1", "S1", "A1", "marketing", "bind", "2025-03-01T10:00:00+07:00"),
        bind("E2", "S1", "A1", "marketing", "unbind", "2025-03-05T10:00:00+07:00"),
        bind("E3", "S1", "A1", "marketing", "unbind", "2025-03-06T10:00:00+07:00"),  # row 4: nothing open
    ]})
    report = lint(export_dir, as_of=AS_OF)
    (err,) = report["input_errors"]
    assert (err["file"], err["row"], err["column"], err["value"]) == ("bindings.csv", 4, "action", "E3")
    assert "unbind" in err["message"]
    assert report["summary"]["input_errors"] == 1
    assert report["findings"] == []


def test_unbind_before_any_bind_does_not_close_the_later_binding(export_dir):
    # The stray unbind comes first in time; the binding opened after it stays open, so there
    # is no early unbind (the stray one is 1 h before the bind and must not pair with it).
    make_export(export_dir, {"bindings": [
        bind("U0", "S1", "A1", "official", "unbind", "2025-03-01T09:00:00+07:00"),
        bind("E1", "S1", "A1", "official", "bind", "2025-03-01T10:00:00+07:00"),
    ]})
    report = lint(export_dir, as_of=AS_OF)
    assert [(e["row"], e["column"], e["value"]) for e in report["input_errors"]] == [(2, "action", "U0")]
    assert findings(report, "BIND004") == []
    assert findings(report, "BIND005") == []


def test_ignored_unbinds_do_not_count_towards_the_unbind_limit(export_dir):
    # Three real Official unbinds (the limit) and one unbind with nothing open: no BIND005.
    rows = []
    for k, (b_at, u_at) in enumerate([("2025-01-01", "2025-01-10"), ("2025-02-01", "2025-02-10"),
                                      ("2025-03-01", "2025-03-10")], start=1):
        rows += [bind(f"B{k}", "S1", "A1", "official", "bind", f"{b_at}T10:00:00+07:00"),
                 bind(f"U{k}", "S1", "A1", "official", "unbind", f"{u_at}T10:00:00+07:00")]
    rows.append(bind("U4", "S1", "A1", "official", "unbind", "2025-04-10T10:00:00+07:00"))
    make_export(export_dir, {"bindings": rows})
    report = lint(export_dir, as_of=AS_OF)
    assert [e["value"] for e in report["input_errors"]] == ["U4"]
    assert findings(report, "BIND005") == []


# --- bind while open ------------------------------------------------------------------------

def test_second_bind_while_open_is_an_input_error_and_the_first_keeps_its_start(export_dir):
    # E1 opens at 03-01 10:00; E2 (row 3) binds again while open; E3 closes at 03-03 10:00.
    # Measured from E1 that is exactly 48 h (allowed); from E2 it would be 1 h.
    make_export(export_dir, {"bindings": [
        bind("E1", "S1", "A1", "official", "bind", "2025-03-01T10:00:00+07:00"),
        bind("E2", "S1", "A1", "official", "bind", "2025-03-03T09:00:00+07:00"),
        bind("E3", "S1", "A1", "official", "unbind", "2025-03-03T10:00:00+07:00"),
    ]})
    report = lint(export_dir, as_of=AS_OF)
    (err,) = report["input_errors"]
    assert (err["file"], err["row"], err["column"], err["value"]) == ("bindings.csv", 3, "action", "E2")
    assert "bind" in err["message"]
    assert findings(report, "BIND004") == []
    # ... and it is not a second Official binding in force at the same time
    assert findings(report, "BIND002") == []


def test_second_bind_while_open_subjects_and_windows_use_the_first_bind(export_dir):
    make_export(export_dir, {"bindings": [
        bind("E1", "S1", "A1", "official", "bind", "2025-03-01T10:00:00+07:00"),
        bind("E2", "S1", "A1", "official", "bind", "2025-03-01T20:00:00+07:00"),
        bind("E3", "S1", "A1", "official", "unbind", "2025-03-02T10:00:00+07:00"),
        bind("E4", "S1", "A1", "official", "unbind", "2025-03-02T11:00:00+07:00"),  # nothing open now
    ]})
    report = lint(export_dir, as_of=AS_OF)
    assert sorted((e["row"], e["value"]) for e in report["input_errors"]) == [(3, "E2"), (5, "E4")]
    found = findings(report, "BIND004")
    assert [f["subjects"] for f in found] == [["E3"]]
    assert found[0]["window"] == {"start": "2025-03-01T10:00:00+07:00", "end": "2025-03-02T10:00:00+07:00"}
    assert found[0]["evidence"]["bind_id"] == "E1"


def test_rebinding_after_an_unbind_is_not_an_error(export_dir):
    make_export(export_dir, {"bindings": [
        bind("E1", "S1", "A1", "marketing", "bind", "2025-03-01T10:00:00+07:00"),
        bind("E2", "S1", "A1", "marketing", "unbind", "2025-03-05T10:00:00+07:00"),
        bind("E3", "S1", "A1", "marketing", "bind", "2025-03-05T10:00:00+07:00"),  # same instant, after
        bind("E4", "S1", "A1", "marketing", "unbind", "2025-03-06T10:00:00+07:00"),
    ]})
    report = lint(export_dir, as_of=AS_OF)
    assert report["input_errors"] == []
    assert [f["subjects"] for f in findings(report, "BIND004")] == [["E4"]]


def test_rebind_at_the_unbind_instant_does_not_depend_on_file_order(export_dir):
    # Same events as above, but the export lists the re-bind (E3) before the unbind (E2) of the
    # same instant. At 03-05 10:00 the first binding is no longer in force ([bind, unbind)), so
    # E3 is not a bind while one is open: the second binding starts there.
    make_export(export_dir, {"bindings": [
        bind("E1", "S1", "A1", "marketing", "bind", "2025-03-01T10:00:00+07:00"),
        bind("E3", "S1", "A1", "marketing", "bind", "2025-03-05T10:00:00+07:00"),
        bind("E2", "S1", "A1", "marketing", "unbind", "2025-03-05T10:00:00+07:00"),
        bind("E4", "S1", "A1", "marketing", "unbind", "2025-03-06T10:00:00+07:00"),
    ]})
    report = lint(export_dir, as_of=AS_OF)
    assert report["input_errors"] == []
    assert [f["subjects"] for f in findings(report, "BIND004")] == [["E4"]]


def test_bound_and_unbound_at_one_instant_is_a_zero_length_binding_in_either_file_order(export_dir):
    make_export(export_dir, {"bindings": [
        bind("E2", "S1", "A1", "marketing", "unbind", "2025-03-05T10:00:00+07:00"),
        bind("E1", "S1", "A1", "marketing", "bind", "2025-03-05T10:00:00+07:00"),
    ]})
    report = lint(export_dir, as_of=AS_OF)
    assert report["input_errors"] == []
    [f] = findings(report, "BIND004")
    assert f["subjects"] == ["E2"] and f["window"]["start"] == f["window"]["end"]


def test_interval_form_rebinding_at_the_unbind_instant_is_not_an_error(export_dir):
    make_export(export_dir, {"bindings": [
        {"binding_id": "B1", "store_id": "S1", "account_id": "A1", "account_type": "marketing",
         "bound_at": "2025-03-01T10:00:00+07:00", "unbound_at": "2025-03-05T10:00:00+07:00"},
        {"binding_id": "B2", "store_id": "S1", "account_id": "A1", "account_type": "marketing",
         "bound_at": "2025-03-05T10:00:00+07:00", "unbound_at": "2025-03-06T10:00:00+07:00"},
    ]})
    report = lint(export_dir, as_of=AS_OF)
    assert report["input_errors"] == []
    assert [f["subjects"] for f in findings(report, "BIND004")] == [["B2:unbind"]]


def test_state_is_kept_per_store_account_and_type(export_dir):
    # A1 bound as Official and as Marketing of S1, and as Marketing of S2, all at once:
    # three separate bindings, so no "bind while open" error (BIND001 is another matter).
    make_export(export_dir, {"bindings": [
        bind("E1", "S1", "A1", "official", "bind", "2025-03-01T10:00:00+07:00"),
        bind("E2", "S1", "A1", "marketing", "bind", "2025-03-02T10:00:00+07:00"),
        bind("E3", "S2", "A1", "marketing", "bind", "2025-03-03T10:00:00+07:00"),
        bind("E4", "S1", "A1", "marketing", "unbind", "2025-03-10T10:00:00+07:00"),
        bind("E5", "S2", "A1", "marketing", "unbind", "2025-03-11T10:00:00+07:00"),
        bind("E6", "S1", "A1", "official", "unbind", "2025-03-12T10:00:00+07:00"),
    ]})
    report = lint(export_dir, as_of=AS_OF)
    assert report["input_errors"] == []
    assert sorted(tuple(f["subjects"]) for f in findings(report, "BIND001")) == [("E1", "E2"), ("E1", "E3")]


def test_unbind_of_the_other_type_does_not_close_the_binding(export_dir):
    # A1 is bound as Official; an unbind as Marketing has nothing open (error) and A1 stays
    # Official: still bound at --as-of, so a second Official later overlaps it.
    make_export(export_dir, {"bindings": [
        bind("E1", "S1", "A1", "official", "bind", "2025-03-01T10:00:00+07:00"),
        bind("E2", "S1", "A1", "marketing", "unbind", "2025-03-05T10:00:00+07:00"),
        bind("E3", "S1", "A2", "official", "bind", "2025-03-06T10:00:00+07:00"),
    ]})
    report = lint(export_dir, as_of="2025-04-01T00:00:00+07:00")
    assert [(e["row"], e["value"]) for e in report["input_errors"]] == [(3, "E2")]
    assert [sorted(f["subjects"]) for f in findings(report, "BIND002")] == [["E1", "E3"]]


# --- time order -----------------------------------------------------------------------------

def test_events_out_of_file_order_are_read_in_time_order(export_dir):
    # The file lists the unbind before its bind, and interleaves another account.
    make_export(export_dir, {"bindings": [
        bind("E2", "S1", "A1", "marketing", "unbind", "2025-03-02T10:00:00+07:00"),
        bind("F2", "S1", "A2", "marketing", "unbind", "2025-03-09T10:00:00+07:00"),
        bind("E1", "S1", "A1", "marketing", "bind", "2025-03-01T10:00:00+07:00"),
        bind("F1", "S1", "A2", "marketing", "bind", "2025-03-01T10:00:00+07:00"),
    ]})
    report = lint(export_dir, as_of=AS_OF)
    assert report["input_errors"] == []
    found = findings(report, "BIND004")
    assert [f["subjects"] for f in found] == [["E2"]]
    assert found[0]["window"] == {"start": "2025-03-01T10:00:00+07:00", "end": "2025-03-02T10:00:00+07:00"}


def test_time_order_uses_instants_not_text(export_dir):
    # Same instants written in different offsets: 03-01 20:00+07:00 is 03-01 13:00Z, so
    # the bind (written in Z) comes first even though its text sorts later.
    make_export(export_dir, {"bindings": [
        bind("E2", "S1", "A1", "official", "unbind", "2025-03-01T20:00:00+07:00"),
        bind("E1", "S1", "A1", "official", "bind", "2025-03-01T12:00:00Z"),
    ]})
    report = lint(export_dir, as_of=AS_OF)
    assert report["input_errors"] == []
    found = findings(report, "BIND004")
    assert [f["subjects"] for f in found] == [["E2"]]
    assert found[0]["evidence"]["hours_bound"] == 1.0


# --- interval form --------------------------------------------------------------------------

# The same history in both forms; each unbind event is named binding_id + ":unbind".
HISTORY = [  # (binding id, store, account, type, bound_at, unbound_at or "")
    ("O1", "S1", "A1", "official", "2025-01-01T10:00:00+07:00", "2025-01-02T10:00:00+07:00"),  # BIND004
    ("O2", "S1", "A2", "official", "2025-01-05T10:00:00+07:00", "2025-02-05T10:00:00+07:00"),
    ("O3", "S1", "A3", "official", "2025-02-01T10:00:00+07:00", "2025-03-01T10:00:00+07:00"),  # BIND002
    ("O4", "S1", "A1", "official", "2025-03-05T10:00:00+07:00", "2025-04-05T10:00:00+07:00"),  # BIND005
    ("M1", "S2", "A1", "marketing", "2025-03-20T10:00:00+07:00", ""),  # BIND001 with O4, open
    ("M2", "S1", "A4", "marketing", "2025-03-01T10:00:00+07:00", ""),
]


def as_events(history):
    rows = []
    for bid, store, acc, typ, bound, unbound in history:
        rows.append(bind(bid, store, acc, typ, "bind", bound))
        if unbound:
            rows.append(bind(f"{bid}:unbind", store, acc, typ, "unbind", unbound))
    return rows


def as_intervals(history):
    return [{"binding_id": bid, "store_id": store, "account_id": acc, "account_type": typ,
             "bound_at": bound, "unbound_at": unbound} for bid, store, acc, typ, bound, unbound in history]


def test_interval_form_gives_the_same_findings_as_the_event_form(tmp_path):
    events = make_export(tmp_path / "events", {"bindings": as_events(HISTORY)})
    intervals = make_export(tmp_path / "intervals", {"bindings": as_intervals(HISTORY)})
    by_events = lint(events, as_of="2025-06-01T00:00:00+07:00")
    by_intervals = lint(intervals, as_of="2025-06-01T00:00:00+07:00")
    assert by_events["input_errors"] == [] and by_intervals["input_errors"] == []
    assert {f["rule"] for f in by_events["findings"]} >= {"BIND001", "BIND002", "BIND004", "BIND005"}
    assert comparable(by_intervals) == comparable(by_events)


def test_interval_form_unbind_event_id_is_binding_id_colon_unbind(export_dir):
    make_export(export_dir, {"bindings": as_intervals(HISTORY)})
    report = lint(export_dir, as_of="2025-06-01T00:00:00+07:00")
    assert [f["subjects"] for f in findings(report, "BIND004")] == [["O1:unbind"]]
    assert [f["subjects"] for f in findings(report, "BIND005")] == [["O4:unbind"]]
    assert [f["subjects"] for f in findings(report, "BIND001")] == [["O4", "M1"]]


def test_interval_form_empty_unbound_at_is_still_bound_until_as_of(export_dir):
    make_export(export_dir, {"bindings": as_intervals([
        ("O1", "S1", "A1", "official", "2025-03-01T10:00:00+07:00", ""),
        ("O2", "S1", "A2", "official", "2025-03-05T10:00:00+07:00", ""),
    ])})
    found = findings(lint(export_dir, as_of="2025-04-01T00:00:00+07:00"), "BIND002")
    assert [f["window"] for f in found] == [{"start": "2025-03-05T10:00:00+07:00",
                                            "end": "2025-04-01T00:00:00+07:00"}]
    assert findings(lint(export_dir, as_of="2025-04-01T00:00:00+07:00"), "BIND004") == []


def test_interval_overlapping_an_earlier_binding_of_the_same_key_is_an_input_error(export_dir):
    # The interval form of a second bind while open: row 3 is ignored, the first binding stays.
    make_export(export_dir, {"bindings": as_intervals([
        ("B1", "S1", "A1", "official", "2025-03-01T10:00:00+07:00", "2025-03-10T10:00:00+07:00"),
        ("B2", "S1", "A1", "official", "2025-03-05T10:00:00+07:00", "2025-03-06T10:00:00+07:00"),
    ])})
    report = lint(export_dir, as_of=AS_OF)
    (err,) = report["input_errors"]
    assert (err["file"], err["row"], err["value"]) == ("bindings.csv", 3, "B2")
    assert err["column"] == "bound_at"
    assert findings(report, "BIND004") == []  # B2 (24 h) was ignored
    assert findings(report, "BIND002") == []


# --- unknown values -------------------------------------------------------------------------

def test_unknown_action_is_an_input_error_for_that_row_only(export_dir):
    make_export(export_dir, {"bindings": [
        bind("E1", "S1", "A1", "marketing", "bind", "2025-03-01T10:00:00+07:00"),
        bind("E2", "S1", "A1", "marketing", "unlink", "2025-03-01T12:00:00+07:00"),  # row 3
        bind("E3", "S1", "A1", "marketing", "unbind", "2025-03-02T10:00:00+07:00"),
    ]})
    report = lint(export_dir, as_of=AS_OF)
    (err,) = report["input_errors"]
    assert (err["file"], err["row"], err["column"], err["value"]) == ("bindings.csv", 3, "action", "unlink")
    # the bad row did not close the binding: E3 does, 24 h after E1
    assert [f["subjects"] for f in findings(report, "BIND004")] == [["E3"]]


def test_unknown_account_type_is_an_input_error_for_that_row_only(export_dir):
    make_export(export_dir, {"bindings": [
        bind("E1", "S1", "A1", "official", "bind", "2025-03-01T10:00:00+07:00"),
        bind("E2", "S1", "A2", "affiliate", "bind", "2025-03-02T10:00:00+07:00"),  # row 3
        bind("E3", "S1", "A2", "affiliate", "unbind", "2025-03-02T11:00:00+07:00"),  # row 4
        bind("E4", "S1", "A1", "official", "unbind", "2025-03-02T10:00:00+07:00"),
    ]})
    report = lint(export_dir, as_of=AS_OF)
    assert sorted((e["file"], e["row"], e["column"], e["value"]) for e in report["input_errors"]) == [
        ("bindings.csv", 3, "account_type", "affiliate"), ("bindings.csv", 4, "account_type", "affiliate")]
    assert [f["subjects"] for f in findings(report, "BIND004")] == [["E4"]]


def test_action_and_account_type_are_case_insensitive(export_dir):
    make_export(export_dir, {"bindings": [
        bind("E1", "S1", "A1", "Official", "BIND", "2025-03-01T10:00:00+07:00"),
        bind("E2", "S1", "A1", "OFFICIAL", "Unbind", "2025-03-02T10:00:00+07:00"),
    ]})
    report = lint(export_dir, as_of=AS_OF)
    assert report["input_errors"] == []
    assert [f["subjects"] for f in findings(report, "BIND004")] == [["E2"]]
