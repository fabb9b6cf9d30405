"""linked_accounts: a binding ledger from snapshots of a shop's linked accounts (schema.md),
for sellers who have no bindings table; the binding rules run on it and each finding says
the window in which the snapshot-observed event happened."""
from conftest import bind, findings, lint, make_export

NIGHT1, NIGHT2, NIGHT3, NIGHT4 = ("2026-04-10T23:00:00", "2026-04-11T23:00:00",
                                  "2026-04-12T23:00:00", "2026-04-13T23:00:00")


def seen(store, account, type_, at):
    return {"store_id": store, "account_id": account, "account_type": type_, "seen_at": at}


def test_two_official_accounts_seen_together_are_a_finding_with_the_snapshot_window(export_dir):
    make_export(export_dir, {
        "stores": [{"store_id": "S1", "region": "ID"}],
        "linked_accounts": [
            seen("S1", "A1", "official", NIGHT1),
            seen("S1", "A1", "official", NIGHT2), seen("S1", "A2", "official", NIGHT2),
            seen("S1", "A1", "official", NIGHT3),
        ]})
    report = lint(export_dir, as_of="2026-04-20T00:00:00+07:00")
    found = findings(report, "BIND002")
    assert len(found) == 1
    f = found[0]
    # A2 was linked in (night 1, night 2] and unlinked in (night 2, night 3]: the ledger puts
    # the events at the snapshots that saw them.
    assert f["window"] == {"start": "2026-04-11T23:00:00+07:00", "end": "2026-04-12T23:00:00+07:00"}
    a2 = "seen:S1:A2:official:2026-04-11T16:00:00Z"
    assert a2 in f["subjects"]
    assert f["evidence"]["snapshot_windows"][a2] == {"after": "2026-04-10T23:00:00+07:00",
                                                     "by": "2026-04-11T23:00:00+07:00"}
    # A1 was in the first snapshot: nothing bounds when it was linked
    a1 = "seen:S1:A1:official:2026-04-10T16:00:00Z"
    assert f["evidence"]["snapshot_windows"][a1] == {"after": None, "by": "2026-04-10T23:00:00+07:00"}


def test_unlinked_between_snapshots_is_an_unbind_and_counts_for_the_unbind_rules(export_dir):
    rows = [seen("S1", "M1", "marketing", NIGHT1), seen("S1", "M1", "marketing", NIGHT2)]
    make_export(export_dir, {"stores": [{"store_id": "S1", "region": "ID"}], "linked_accounts": rows})
    report = lint(export_dir, as_of="2026-04-20T00:00:00+07:00")
    # seen on nights 1 and 2, gone on no later snapshot: still linked, no unbind
    assert findings(report, "BIND004") == []
    rows.append(seen("S1", "X9", "marketing", NIGHT3))  # a third snapshot without M1
    make_export(export_dir, {"stores": [{"store_id": "S1", "region": "ID"}], "linked_accounts": rows})
    found = findings(lint(export_dir, as_of="2026-04-20T00:00:00+07:00"), "BIND004")
    # linked by night 1, unlinked in (night 2, night 3]: 48 h between the observing snapshots
    # is not early; the finding would need the unlink seen within 48 h
    assert found == []
    rows += [seen("S1", "M1", "marketing", NIGHT4), seen("S1", "X9", "marketing", NIGHT4)]  # M1 linked again
    rows.append(seen("S1", "X9", "marketing", "2026-04-14T22:00:00"))  # gone 23 h after night 4
    make_export(export_dir, {"stores": [{"store_id": "S1", "region": "ID"}], "linked_accounts": rows})
    found = findings(lint(export_dir, as_of="2026-04-20T00:00:00+07:00"), "BIND004")
    assert [f["subjects"] for f in found] == [["seen:S1:M1:marketing:2026-04-13T16:00:00Z:unbind"]]
    assert found[0]["evidence"]["snapshot_windows"] == {
        "seen:S1:M1:marketing:2026-04-13T16:00:00Z:unbind": {"after": "2026-04-13T23:00:00+07:00",
                                                               "by": "2026-04-14T22:00:00+07:00"}}


def test_a_store_the_bindings_table_covers_ignores_its_snapshots(export_dir):
    make_export(export_dir, {
        "stores": [{"store_id": "S1", "region": "ID"}, {"store_id": "S2", "region": "ID"}],
        "bindings": [bind("E1", "S1", "A1", "official", "bind", "2026-04-01T10:00:00+07:00")],
        "linked_accounts": [
            seen("S1", "A8", "official", NIGHT1), seen("S1", "A9", "official", NIGHT1),  # would be BIND002
            seen("S2", "B1", "official", NIGHT1), seen("S2", "B2", "official", NIGHT1),
        ]})
    report = lint(export_dir, as_of="2026-04-20T00:00:00+07:00")
    assert [f["store_id"] for f in findings(report, "BIND002")] == ["S2"]
    warned = [p for p in report["input_errors"] if p["file"] == "linked_accounts.csv"]
    assert any("covers store S1" in p["message"] for p in warned)


def test_roles_from_snapshots_feed_the_live_rule(export_dir):
    make_export(export_dir, {
        "stores": [{"store_id": "S1", "region": "ID"}],
        "linked_accounts": [seen("S1", "OFF", "official", NIGHT1), seen("S1", "MKT", "marketing", NIGHT1)],
        "live_sessions": [
            {"live_id": "L1", "account_id": "OFF", "started_at": "2026-04-12T19:00:00",
             "ended_at": "2026-04-12T21:00:00"},
            {"live_id": "L2", "account_id": "MKT", "started_at": "2026-04-12T19:30:00",
             "ended_at": "2026-04-12T20:00:00"},
        ]})
    found = findings(lint(export_dir, as_of="2026-04-20T00:00:00+07:00"), "LIVE001")
    assert [f["subjects"] for f in found] == [["L1", "L2"]]


def test_a_file_of_snapshots_under_another_name_is_recognised_by_its_columns(export_dir):
    make_export(export_dir, {"stores": [{"store_id": "S1", "region": "ID"}],
                             "linked": [seen("S1", "B1", "official", NIGHT1), seen("S1", "B2", "official", NIGHT1)]})
    report = lint(export_dir, as_of="2026-04-20T00:00:00+07:00")
    assert [f["store_id"] for f in findings(report, "BIND002")] == ["S1"]


# --- the ledger agrees with every snapshot (property) -------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@st.composite
def snapshot_tables(draw):
    stores = draw(st.lists(st.sampled_from(["S1", "S2", "0003"]), min_size=1, max_size=3, unique=True))
    rows = []
    for store in stores:
        times = sorted(draw(st.lists(st.integers(0, 60), min_size=1, max_size=6, unique=True)))
        for t in times:
            for account in draw(st.lists(st.sampled_from(["A", "B", "C", "D"]), max_size=4, unique=True)):
                kind = draw(st.sampled_from(["official", "marketing"]))
                rows.append((store, account, kind, t * 3_600_000))
                if draw(st.booleans()):
                    rows.append((store, account, kind, t * 3_600_000))  # the same row twice
    return rows


@settings(max_examples=150, deadline=None)
@given(snapshot_tables())
def test_every_snapshot_agrees_with_the_ledger(rows):
    import pandas as pd

    from lint.core.model import NO_TIME, Problems
    from lint.ingest.snapshots import snapshots_to_bindings

    frame = pd.DataFrame(rows, columns=["store_id", "account_id", "account_type", "seen_at"])
    for c in ("store_id", "account_id", "account_type"):
        frame[c] = frame[c].astype("str")
    frame["_row"] = range(2, 2 + len(frame))
    ledger, windows = snapshots_to_bindings(frame, "linked_accounts.csv", Problems())
    seen = set(rows)
    for store, t in {(r[0], r[3]) for r in rows}:
        for account in "ABCD":
            for kind in ("official", "marketing"):
                b = ledger[(ledger["store_id"] == store) & (ledger["account_id"] == account)
                           & (ledger["account_type"] == kind)]
                in_force = ((b["start"] <= t) & ((b["end"] == NO_TIME) | (b["end"] > t))).sum()
                assert in_force == ((store, account, kind, t) in seen), (store, account, kind, t)
    # every event has its window, which ends at the event's instant
    for _, b in ledger.iterrows():
        assert windows[b["bind_id"]][1] == b["start"]
        if b["end"] != NO_TIME:
            after, by = windows[b["unbind_id"]]
            assert by == b["end"] and after < by


def test_snapshots_whose_every_row_is_rejected_are_unusable(export_dir):
    from conftest import run_cli
    make_export(export_dir, {"stores": [{"store_id": "S1", "region": "ID"}],
                             "linked_accounts": [seen("S1", "A1", "official", "yesterday"),
                                                 seen("S1", "A2", "official", "last night")]})
    proc = run_cli("check", str(export_dir), "--as-of", "2026-04-20T00:00:00+07:00")
    assert proc.returncode == 2, proc.stdout
    assert "no rule can run" in proc.stderr and "linked_accounts.csv" in proc.stderr
