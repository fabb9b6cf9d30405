"""BIND007 official-region-mismatch: an Official binding whose account region differs from its
store's region (case-insensitive). Marketing bindings are never checked. An unknown region on
either side is not a finding and not an input error, but counted under
rules.not_checked.BIND007. Subject: the bind event id; window: the binding interval."""
from conftest import bind, findings, lint, make_export

AS_OF = "2026-01-01T00:00:00+07:00"


def stores(*pairs):
    return [{"store_id": s, "region": r} for s, r in pairs]


def accounts(*pairs):
    return [{"account_id": a, "region": r} for a, r in pairs]


def not_checked(report) -> int:
    return report["rules"]["not_checked"].get("BIND007", 0)


def test_mismatch_is_a_finding_with_the_bind_event_and_the_binding_interval(export_dir):
    make_export(export_dir, {
        "stores": stores(("S1", "ID")),
        "accounts": accounts(("A1", "MY")),
        "bindings": [
            bind("E1", "S1", "A1", "official", "bind", "2025-03-01T10:00:00+07:00"),
            bind("E2", "S1", "A1", "official", "unbind", "2025-03-10T10:00:00+07:00"),
        ]})
    report = lint(export_dir, as_of=AS_OF)
    found = findings(report, "BIND007")
    assert len(found) == 1
    f = found[0]
    assert f["subjects"] == ["E1"]
    assert f["store_id"] == "S1"
    assert f["accounts"] == ["A1"]
    assert f["window"] == {"start": "2025-03-01T10:00:00+07:00", "end": "2025-03-10T10:00:00+07:00"}
    assert f["evidence"] == {"store_region": "ID", "account_region": "MY"}
    assert "MY" in f["message"] and "ID" in f["message"]
    assert not_checked(report) == 0
    assert report["input_errors"] == []


def test_open_binding_window_ends_at_as_of(export_dir):
    make_export(export_dir, {
        "stores": stores(("S1", "ID")),
        "accounts": accounts(("A1", "SG")),
        "bindings": [bind("E1", "S1", "A1", "official", "bind", "2025-03-01T10:00:00+07:00")]})
    found = findings(lint(export_dir, as_of="2025-04-01T00:00:00+07:00"), "BIND007")
    assert [f["subjects"] for f in found] == [["E1"]]
    assert found[0]["window"] == {"start": "2025-03-01T10:00:00+07:00", "end": "2025-04-01T00:00:00+07:00"}


def test_each_official_binding_is_judged_against_its_own_store(export_dir):
    # A1 (ID) is Official for S1 (ID) then for S2 (MY): only the S2 binding mismatches.
    make_export(export_dir, {
        "stores": stores(("S1", "ID"), ("S2", "MY")),
        "accounts": accounts(("A1", "ID")),
        "bindings": [
            bind("E1", "S1", "A1", "official", "bind", "2025-03-01T10:00:00+07:00"),
            bind("E2", "S1", "A1", "official", "unbind", "2025-03-10T10:00:00+07:00"),
            bind("E3", "S2", "A1", "official", "bind", "2025-03-12T10:00:00+07:00"),
        ]})
    found = findings(lint(export_dir, as_of=AS_OF), "BIND007")
    assert [(f["store_id"], f["subjects"]) for f in found] == [("S2", ["E3"])]


def test_region_comparison_is_case_insensitive(export_dir):
    make_export(export_dir, {
        "stores": stores(("S1", "ID"), ("S2", "my"), ("S3", " Sg ")),
        "accounts": accounts(("A1", "id"), ("A2", "MY"), ("A3", "sG")),
        "bindings": [
            bind("E1", "S1", "A1", "official", "bind", "2025-03-01T10:00:00+07:00"),
            bind("E2", "S2", "A2", "official", "bind", "2025-03-01T10:00:00+07:00"),
            bind("E3", "S3", "A3", "official", "bind", "2025-03-01T10:00:00+07:00"),
        ]})
    report = lint(export_dir, as_of=AS_OF)
    assert findings(report, "BIND007") == []
    assert not_checked(report) == 0  # all three were checked, and matched


def test_case_insensitive_comparison_still_finds_a_real_mismatch(export_dir):
    make_export(export_dir, {
        "stores": stores(("S1", "id")),
        "accounts": accounts(("A1", "my")),
        "bindings": [bind("E1", "S1", "A1", "official", "bind", "2025-03-01T10:00:00+07:00")]})
    assert [f["subjects"] for f in findings(lint(export_dir, as_of=AS_OF), "BIND007")] == [["E1"]]


def test_marketing_accounts_are_never_checked(export_dir):
    make_export(export_dir, {
        "stores": stores(("S1", "ID")),
        "accounts": accounts(("M1", "MY")),
        "bindings": [
            bind("E1", "S1", "M1", "marketing", "bind", "2025-03-01T10:00:00+07:00"),  # region differs
            bind("E2", "S1", "M2", "marketing", "bind", "2025-03-01T10:00:00+07:00"),  # region unknown
        ]})
    report = lint(export_dir, as_of=AS_OF)
    assert "BIND007" in report["rules"]["run"]
    assert findings(report, "BIND007") == []
    # a Marketing binding is out of scope, not an official binding left unchecked
    assert not_checked(report) == 0


def test_unknown_region_on_either_side_is_not_a_finding_but_counted_as_not_checked(export_dir):
    make_export(export_dir, {
        "stores": stores(("S1", "ID"), ("S3", "")),
        "accounts": accounts(("A1", "MY"), ("A3", "MY"), ("A4", "")),
        "bindings": [
            bind("E1", "S2", "A1", "official", "bind", "2025-03-01T10:00:00+07:00"),  # store not in stores
            bind("E2", "S1", "A2", "official", "bind", "2025-03-01T10:00:00+07:00"),  # account not in accounts
            bind("E3", "S3", "A3", "official", "bind", "2025-03-01T10:00:00+07:00"),  # store region empty
            bind("E4", "S1", "A4", "official", "bind", "2025-03-01T10:00:00+07:00"),  # account region empty
        ]})
    report = lint(export_dir, as_of=AS_OF)
    assert "BIND007" in report["rules"]["run"]
    assert findings(report, "BIND007") == []
    assert report["rules"]["not_checked"] == {"BIND007": 4}
    # an unknown region is not an input error
    assert report["input_errors"] == []
    assert report["summary"]["input_errors"] == 0


def test_not_checked_counts_only_the_unknown_ones(export_dir):
    make_export(export_dir, {
        "stores": stores(("S1", "ID")),
        "accounts": accounts(("A1", "MY"), ("A2", "ID")),
        "bindings": [
            bind("E1", "S1", "A1", "official", "bind", "2025-03-01T10:00:00+07:00"),  # mismatch
            bind("E2", "S9", "A2", "official", "bind", "2025-03-01T10:00:00+07:00"),  # unknown store
        ]})
    report = lint(export_dir, as_of=AS_OF)
    assert [f["subjects"] for f in findings(report, "BIND007")] == [["E1"]]
    assert not_checked(report) == 1


def test_without_a_stores_table_the_rule_is_not_run(export_dir):
    make_export(export_dir, {
        "accounts": accounts(("A1", "MY")),
        "bindings": [
            bind("E1", "S1", "A1", "official", "bind", "2025-03-01T10:00:00+07:00"),
            bind("E2", "S1", "A1", "official", "unbind", "2025-03-01T11:00:00+07:00"),
        ]})
    report = lint(export_dir, as_of=AS_OF)
    assert "BIND007" in report["rules"]["not_run"]
    assert "stores" in report["rules"]["not_run"]["BIND007"]
    assert "BIND007" not in report["rules"]["run"]
    assert findings(report, "BIND007") == []
    # the other binding rules still run on the same export
    assert [f["subjects"] for f in findings(report, "BIND004")] == [["E2"]]


def test_without_an_accounts_table_the_rule_is_not_run(export_dir):
    make_export(export_dir, {
        "stores": stores(("S1", "ID")),
        "bindings": [bind("E1", "S1", "A1", "official", "bind", "2025-03-01T10:00:00+07:00")]})
    report = lint(export_dir, as_of=AS_OF)
    assert "accounts" in report["rules"]["not_run"]["BIND007"]
    assert "BIND007" not in report["rules"]["run"]


def test_interval_form_subject_is_the_binding_id(export_dir):
    make_export(export_dir, {
        "stores": stores(("S1", "ID")),
        "accounts": accounts(("A1", "MY")),
        "bindings": [{"binding_id": "B1", "store_id": "S1", "account_id": "A1", "account_type": "official",
                      "bound_at": "2025-03-01T10:00:00+07:00", "unbound_at": "2025-03-05T10:00:00+07:00"}]})
    found = findings(lint(export_dir, as_of=AS_OF), "BIND007")
    assert [f["subjects"] for f in found] == [["B1"]]
    assert found[0]["window"] == {"start": "2025-03-01T10:00:00+07:00", "end": "2025-03-05T10:00:00+07:00"}
