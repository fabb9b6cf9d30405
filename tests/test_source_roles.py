"""Roles without a ledger: a LIVE or video that carries its account's role from the source
(an account_type column, the Partner API's filter, a creator's author_type) is judged by
LIVE001 and DUP001 where no binding gives the role; the evidence says where it came from."""
from conftest import bind, findings, lint, make_export, run_cli


def live(live_id, account, start, end, **extra):
    return {"live_id": live_id, "account_id": account, "started_at": start, "ended_at": end, **extra}


def test_lives_with_their_role_and_no_bindings_table_are_checked(export_dir):
    make_export(export_dir, {
        "stores": [{"store_id": "S1", "region": "ID"}],
        "live_sessions": [
            live("L1", "shop.official", "2026-04-12T19:00:00", "2026-04-12T21:00:00", account_type="OFFICIAL",
                 role_source="Partner API, account_type=OFFICIAL_ACCOUNTS"),
            live("L2", "shop.promo", "2026-04-12T19:30:00", "2026-04-12T20:00:00", account_type="marketing"),
            # a session of an account the source gives no role: never paired
            live("L3", "affiliate.x", "2026-04-12T19:00:00", "2026-04-12T21:00:00"),
        ]})
    report = lint(export_dir, as_of="2026-04-20T00:00:00+07:00")
    found = findings(report, "LIVE001")
    assert [(f["store_id"], f["subjects"]) for f in found] == [("S1", ["L1", "L2"])]
    assert found[0]["evidence"]["official_role_source"] == "Partner API, account_type=OFFICIAL_ACCOUNTS"
    assert found[0]["evidence"]["marketing_role_source"] == "the account_type column of the export"


def test_an_accounts_role_from_one_listing_applies_to_its_sessions_from_another_file(export_dir):
    # the role comes from one session of the account (e.g. an API page); the account's other
    # sessions (e.g. from the Seller Center's LIVE export, which names no role) take it
    make_export(export_dir, {
        "stores": [{"store_id": "S1", "region": "ID"}],
        "live_sessions": [
            live("L1", "off", "2026-04-01T19:00:00", "2026-04-01T20:00:00", account_type="official",
                 role_source="page 1"),
            live("L2", "mkt", "2026-04-02T08:00:00", "2026-04-02T09:00:00", account_type="marketing",
                 role_source="page 2"),
            live("L3", "off", "2026-04-12T19:00:00", "2026-04-12T21:00:00"),
            live("L4", "mkt", "2026-04-12T20:00:00", "2026-04-12T22:00:00"),
        ]})
    found = findings(lint(export_dir, as_of="2026-04-20T00:00:00+07:00"), "LIVE001")
    assert [f["subjects"] for f in found] == [["L3", "L4"]]
    assert found[0]["evidence"]["official_role_source"] == "page 1"


def test_the_bindings_table_wins_where_it_speaks_for_the_account(export_dir):
    make_export(export_dir, {
        "stores": [{"store_id": "S1", "region": "ID"}],
        # the ledger says M1 was Official from April 10: its source role is not used then
        "bindings": [bind("E1", "S1", "M1", "official", "bind", "2026-04-10T00:00:00+07:00"),
                     bind("E2", "S1", "O1", "official", "bind", "2026-04-10T00:00:00+07:00")],
        "live_sessions": [
            live("L1", "O1", "2026-04-12T19:00:00", "2026-04-12T21:00:00"),
            live("L2", "M1", "2026-04-12T19:00:00", "2026-04-12T21:00:00", account_type="marketing"),
            # before its binding the ledger is silent for M1: its source role counts
            live("L3", "M1", "2026-04-05T19:00:00", "2026-04-05T21:00:00", account_type="marketing"),
            live("L4", "X1", "2026-04-05T19:00:00", "2026-04-05T21:00:00", account_type="official"),
        ]})
    found = findings(lint(export_dir, as_of="2026-04-20T00:00:00+07:00"), "LIVE001")
    assert [f["subjects"] for f in found] == [["L4", "L3"]]


def test_videos_with_their_role_from_the_source_feed_dup001(export_dir):
    thumb = "c3c3c3c33c3c3c3c"
    make_export(export_dir, {
        "stores": [{"store_id": "S1", "region": "ID"}],
        "videos": [
            {"video_id": "V1", "account_id": "off", "posted_at": "2026-04-01T10:00:00", "thumbnail_phash": thumb,
             "caption": "Serum wajah vitamin C original", "account_type": "official", "role_source": "author_type=OFFICIAL"},
            {"video_id": "V2", "account_id": "mkt", "posted_at": "2026-04-02T10:00:00", "thumbnail_phash": thumb,
             "caption": "Serum wajah vitamin C original!!", "account_type": "marketing", "role_source": "author_type=CHANNEL"},
        ]})
    found = findings(lint(export_dir, as_of="2026-04-20T00:00:00+07:00"), "DUP001")
    assert [f["subjects"] for f in found] == [["V1", "V2"]]
    assert found[0]["evidence"]["official_role_source"] == "author_type=OFFICIAL"


def test_without_bindings_or_source_roles_the_pair_rules_are_not_run(export_dir):
    make_export(export_dir, {"stores": [{"store_id": "S1", "region": "ID"}],
                             "live_sessions": [live("L1", "a", "2026-04-12T19:00:00", "2026-04-12T21:00:00")]})
    proc = run_cli("check", str(export_dir), "--format", "json", "--as-of", "2026-04-20T00:00:00+07:00")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "no rule can run" in proc.stderr


def test_the_dask_engine_gives_the_same_findings_on_source_roles(export_dir):
    make_export(export_dir, {
        "stores": [{"store_id": "S1", "region": "ID"}],
        "live_sessions": [
            live("L1", "o", "2026-04-12T19:00:00", "2026-04-12T21:00:00", account_type="official"),
            live("L2", "m", "2026-04-12T19:30:00", "2026-04-12T20:00:00", account_type="marketing"),
        ]})
    local = run_cli("check", str(export_dir), "--format", "json", "--as-of", "2026-04-20T00:00:00+07:00")
    dask = run_cli("check", str(export_dir), "--format", "json", "--as-of", "2026-04-20T00:00:00+07:00",
                   "--engine", "dask", "--workers", "1")
    assert local.returncode == dask.returncode == 1, dask.stderr
    assert local.stdout == dask.stdout


def test_one_live_in_two_files_under_two_ids_is_counted_once():
    # the Seller Center export derives its ids, the Partner API gives its own: files of one
    # table are joined (lint.ingest.export.join_files), the same session counted once
    import pandas as pd

    from lint.core.model import Problems
    from lint.ingest.export import join_files
    from lint.ingest.schema import LIVE_SESSIONS

    def frame(file, ids, accounts, starts):
        return pd.DataFrame({"live_id": pd.array(ids, dtype="str"), "account_id": pd.array(accounts, dtype="str"),
                             "started_at": starts, "ended_at": [s + 3_600_000 for s in starts],
                             "_row": list(range(2, 2 + len(ids))), "_file": file})
    minute = 1_776_000_000_000 // 60_000 * 60_000
    api = frame("shop_lives_p1.json", ["7001", "7002"], ["o", "o"], [minute, minute + 3_600_000])
    seller = frame("Live Analysis.xlsx", ["live:o:1", "live:m:1"], ["o", "m"], [minute + 20_000, minute])
    problems = Problems()
    rows = join_files(LIVE_SESSIONS, [api, seller], problems)
    assert rows["live_id"].tolist() == ["7001", "7002", "live:m:1"]
    [p] = problems.items
    assert (p.file, p.row, p.column) == ("Live Analysis.xlsx", 2, "live_id")
    assert "the same LIVE as live_id 7001 in shop_lives_p1.json" in p.message


def test_naive_times_of_rows_naming_their_store_are_that_stores_time(export_dir):
    # schema.md: in tables with a store_id column, naive times are the store's local time
    make_export(export_dir, {
        "stores": [{"store_id": "MY1", "region": "MY", "timezone": "Asia/Kuala_Lumpur"},
                   {"store_id": "ID1", "region": "ID"}],
        "live_sessions": [
            live("L1", "o", "2026-04-12T19:00:00", "2026-04-12T21:00:00", account_type="official", store_id="MY1"),
            live("L2", "m", "2026-04-12T19:30:00+07:00", "2026-04-12T22:00:00+07:00", account_type="marketing",
                 store_id="MY1")]})
    [f] = findings(lint(export_dir, as_of="2026-04-20T00:00:00+07:00"), "LIVE001")
    # 19:00-21:00 in Kuala Lumpur (UTC+8) is 18:00-20:00 WIB: 30 minutes with 19:30-22:00 WIB
    assert f["evidence"]["overlap_s"] == 1800


def test_a_role_without_a_store_in_an_export_of_several_stores_is_named(export_dir):
    make_export(export_dir, {
        "stores": [{"store_id": "SA", "region": "ID"}, {"store_id": "SB", "region": "ID"}],
        "live_sessions": [live("L1", "o", "2026-04-12T19:00:00", "2026-04-12T21:00:00", account_type="official"),
                          live("L2", "m", "2026-04-12T19:30:00", "2026-04-12T20:00:00", account_type="marketing")]})
    report = lint(export_dir, as_of="2026-04-20T00:00:00+07:00")
    assert findings(report, "LIVE001") == []
    [warning] = [p for p in report["input_errors"] if p["column"] == "store_id"]
    assert warning["file"] == "live_sessions.csv"
    assert "2 rows state the account's role but not the store" in warning["message"]
    assert "SA, SB" in warning["message"]


def test_a_dropped_copy_of_a_video_leaves_its_role_on_the_row_kept():
    # Content.csv (no role) is read before an API page of the same video (role): the first
    # row is kept, with the role the page gave
    import pandas as pd

    from lint.core.model import Problems
    from lint.ingest.export import join_files
    from lint.ingest.schema import VIDEOS

    def frame(file, role, source, store):
        return pd.DataFrame({"video_id": pd.array(["V1"], dtype="str"), "account_id": pd.array(["o"], dtype="str"),
                             "posted_at": [0], "account_type": pd.array([role], dtype="str"),
                             "role_source": pd.array([source], dtype="str"), "store_id": pd.array([store], dtype="str"),
                             "_row": [2], "_file": file})
    problems = Problems()
    rows = join_files(VIDEOS, [frame("Content.csv", None, None, None),
                               frame("api/p1.json", "official", "author_type=OFFICIAL", "S1")], problems)
    assert rows[["video_id", "account_type", "role_source", "store_id", "_file"]].values.tolist() == [
        ["V1", "official", "author_type=OFFICIAL", "S1", "Content.csv"]]
    [p] = problems.items
    assert p.file == "api/p1.json" and "duplicate video_id (first in Content.csv, row 2)" in p.message
