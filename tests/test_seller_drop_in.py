"""Issue 14's "done when": a seller drops the Seller Center LIVE export (either language)
and the saved Partner API pages into a folder, beside the videos they have, and gets LIVE001
and DUP001 findings without writing a bindings table; the evidence names where each role
came from."""
import pytest
from test_partner_api_pages import lives_page, session, video, videos_page, wrapped, write
from test_seller_center import EN, ID, en_row, id_row, live_file

from conftest import findings, lint, make_export

OFF, PROMO = "7234567890123456789", "7234567890123456790"
SHOP = "7494000000000000001"


@pytest.mark.parametrize("language", ["en", "id"])
def test_live_export_and_api_pages_give_live001_and_dup001_without_bindings(tmp_path, language):
    folder = tmp_path / "drop"
    # The API pages: the official account's LIVE list (filter OFFICIAL_ACCOUNTS), the
    # marketing account's (MARKETING_ACCOUNTS), and a video page whose creators carry
    # author_type. Their sessions are in March; the seller's LIVE export is of April.
    write(folder / "api" / "p1.json", wrapped(lives_page([session("7450000000000000001", "tokotujuh",
                                                                  "1741608000", "1741611600")]),
                                              account_type="OFFICIAL_ACCOUNTS"))
    write(folder / "api" / "p2.json", wrapped(lives_page([session("7450000000000000002", "tokotujuh.promo",
                                                                  "1741694400", "1741698000")]),
                                              account_type="MARKETING_ACCOUNTS"))
    write(folder / "api" / "v1.json", wrapped(videos_page([
        video("7480000000000000001", "tokotujuh", "2025-03-01 10:00:00", author_type="OFFICIAL"),
        video("7480000000000000002", "tokotujuh.promo", "2025-03-02 10:00:00", author_type="CHANNEL")]),
        path="/analytics/202409/shop_videos/performance"))
    # The Seller Center's LIVE export (no roles): an overlap of the two accounts in April.
    if language == "en":
        rows = [en_row(OFF, "tokotujuh", "2026/04/18/ 20:00", "2h"),
                en_row(PROMO, "tokotujuh.promo", "2026/04/18/ 21:00", "1h 30min")]
        live_file(folder / "Live Analysis_20260412-20260418.xlsx", EN, rows)
    else:
        rows = [id_row(OFF, "tokotujuh", "2026/04/18/ 20:00", "2j"),
                id_row(PROMO, "tokotujuh.promo", "2026/04/18/ 21:00", "1j 30mnt")]
        live_file(folder / "Analisis LIVE_20260412-20260418.xlsx", ID, rows)
    # The videos the seller has with their covers (hashes given): the same clip on both.
    make_export(folder, {"videos": [
        {"video_id": "9001", "account_id": "tokotujuh", "posted_at": "2026-04-10T10:00:00",
         "caption": "Gamis premium motif baru #gamis", "thumbnail_phash": "c3c3c3c33c3c3c3c"},
        {"video_id": "9002", "account_id": "tokotujuh.promo", "posted_at": "2026-04-11T10:00:00",
         "caption": "Gamis premium motif baru!! #ootd", "thumbnail_phash": "c3c3c3c33c3c3c3d"},
    ]})
    assert not (folder / "bindings.csv").exists()
    report = lint(folder, as_of="2026-04-20T00:00:00+07:00")
    [live] = findings(report, "LIVE001")
    assert live["store_id"] == SHOP
    assert live["subjects"] == [f"live:{OFF}:202604182000", f"live:{PROMO}:202604182100"]
    assert "OFFICIAL_ACCOUNTS" in live["evidence"]["official_role_source"]
    assert "MARKETING_ACCOUNTS" in live["evidence"]["marketing_role_source"]
    [dup] = findings(report, "DUP001")
    assert dup["store_id"] == SHOP and dup["subjects"] == ["9001", "9002"]
    assert dup["evidence"]["official_role_source"] and dup["evidence"]["marketing_role_source"]
    # the binding rules need a ledger: listed as not run, not passed
    assert "bindings" in report["rules"]["not_run"]["BIND002"]
    assert sorted(report["rules"]["run"]) == ["DUP001", "LIVE001"]


def test_the_same_week_in_both_files_keeps_the_roles_the_pages_give(tmp_path):
    # The Seller Center export and the API pages list the same two sessions: the derived
    # copies are dropped, the API rows (with their roles) kept, LIVE001 found once.
    folder = tmp_path / "drop"
    start_off, start_mkt = 1776517200, 1776520800  # 2026-04-18 20:00 and 21:00 WIB
    write(folder / "api" / "official_accounts" / "p1.json",
          lives_page([session("7450000000000000001", "tokotujuh", str(start_off), str(start_off + 7200))]))
    write(folder / "api" / "marketing_accounts" / "p1.json",
          lives_page([session("7450000000000000002", "tokotujuh.promo", start_mkt, start_mkt + 5400)]))
    live_file(folder / "Live Analysis.xlsx", EN, [en_row(OFF, "tokotujuh", "2026/04/18/ 20:00", "2h"),
                                                  en_row(PROMO, "tokotujuh.promo", "2026/04/18/ 21:00", "1h 30min")])
    make_export(folder, {"stores": [{"store_id": SHOP, "region": "ID"}]})
    report = lint(folder, as_of="2026-04-20T00:00:00+07:00")
    [live] = findings(report, "LIVE001")
    assert live["subjects"] == ["7450000000000000001", "7450000000000000002"]
    dropped = [p for p in report["input_errors"] if "the same LIVE as live_id" in p["message"]]
    assert sorted(p["value"] for p in dropped) == [f"live:{OFF}:202604182000", f"live:{PROMO}:202604182100"]


def test_two_sessions_the_api_gives_in_one_minute_are_two(tmp_path):
    # a LIVE that dropped and restarted within the minute, on two pages: two sessions
    folder = tmp_path / "drop"
    t = 1776513600
    write(folder / "api" / "official_accounts" / "p1.json",
          lives_page([session("111", "tokotujuh", str(t + 5), str(t + 40))]))
    write(folder / "api" / "official_accounts" / "p2.json",
          lives_page([session("222", "tokotujuh", str(t + 50), str(t + 7200))]))
    write(folder / "api" / "marketing_accounts" / "p1.json",
          lives_page([session("333", "tokotujuh.promo", str(t + 600), str(t + 5400))]))
    make_export(folder, {"stores": [{"store_id": SHOP, "region": "ID"}]})
    report = lint(folder, as_of="2026-04-20T00:00:00+07:00")
    assert [f["subjects"] for f in findings(report, "LIVE001")] == [["222", "333"]]


def test_user_names_that_differ_by_an_underscore_are_two_accounts(tmp_path):
    folder = make_export(tmp_path / "drop", {
        "stores": [{"store_id": "S1", "region": "ID"}],
        "accounts": [{"account_id": "A1", "handle": "@tokosatu"}],
        "live_sessions": [
            {"live_id": "L0", "account_id": "A1", "started_at": "2026-04-01T10:00:00",
             "ended_at": "2026-04-01T11:00:00", "account_type": "official"}]})
    write(folder / "api" / "marketing_accounts" / "p1.json",
          lives_page([session("9", "toko_satu", "1776517260", "1776520860")]))  # 20:01 WIB
    live_file(folder / "Live Analysis.xlsx", EN, [en_row(OFF, "tokosatu", "2026/04/18/ 20:00", "2h")])
    report = lint(folder, as_of="2026-04-20T00:00:00+07:00")
    [live] = findings(report, "LIVE001")
    assert live["accounts"] == ["A1", "toko_satu"]
