"""Saved TikTok Shop Partner API pages read as live_sessions, videos and stores.

The fixtures are made here, shaped like the Partner API's public documentation:
- Get Shop LIVE Performance List, `GET /analytics/202508/shop_lives/performance`
  (https://partner.tiktokshop.com/docv2/page/get-shop-liveperformance-list-202508): the
  response is `{"code", "message", "request_id", "data": {"live_stream_sessions": [{"id",
  "title", "username", "start_time", "end_time", "sales_performance": {...},
  "interaction_performance": {...}}], "next_page_token", "total_count",
  "latest_available_date"}}`; start/end are "unix timestamp GMT (UTC+00:00)" typed string
  (some servers send integers); the units sold are `unit_sold` in one version, `items_sold`
  in others; the request's `account_type` is ALL / OFFICIAL_ACCOUNTS / MARKETING_ACCOUNTS;
- Get Shop Video Performance List, `GET /analytics/202409/shop_videos/performance`
  (https://partner.tiktokshop.com/docv2/page/get-shop-video-performance-list-202409):
  `data.videos[]` with `id`, `title`, `username`, `video_post_time` ("2025-01-01 00:00:00",
  shop-local), `products[]{id,name}`, metrics; later versions add `duration`, `hash_tags`
  and `creator{open_id,user_name,nick_name,author_type}`.
"""
import json

import pytest

from lint.core.model import Problems
from lint.ingest.reader import UnreadableFile
from lint.ingest.shapes import read_shaped

from conftest import findings, lint, load, make_export

# 2025-03-10 19:00 WIB = 12:00 UTC
T19 = 1741608000


def lives_page(sessions, next_token="", code=0, message="Success"):
    return {"code": code, "message": message, "request_id": "202503120930150102450220261546B8",
            "data": None if code else {"live_stream_sessions": sessions, "next_page_token": next_token,
                                       "total_count": len(sessions), "latest_available_date": "2025-03-11"}}


def session(live_id, username, start, end, sold_key="items_sold", **extra):
    return {"id": live_id, "title": f"LIVE {live_id}", "username": username, "start_time": start, "end_time": end,
            "sales_performance": {"gmv": {"amount": "125000", "currency": "IDR"}, sold_key: 7, "customers": 3},
            "interaction_performance": {"views": 1200, "viewers": 900, "pcu": 40}, **extra}


def videos_page(videos, next_token=""):
    return {"code": 0, "message": "Success", "request_id": "x1",
            "data": {"videos": videos, "next_page_token": next_token, "total_count": len(videos),
                     "latest_available_date": "2025-03-11"}}


def video(vid, username, posted, author_type=None, **extra):
    v = {"id": vid, "title": f"Gamis premium {vid} #gamis", "username": username, "video_post_time": posted,
         "gmv": {"amount": "0", "currency": "IDR"}, "sku_orders": 0, "units_sold": 0, "views": 100,
         "click_through_rate": "0.0528", "products": [{"id": "1729000000000000001", "name": "Gamis"}]}
    if author_type is not None:
        v.update(duration=15, hash_tags=["gamis", "ootd"],
                 creator={"open_id": f"open-{username}", "user_name": username, "nick_name": username.title(),
                          "author_type": author_type})
    return {**v, **extra}


def wrapped(response, account_type=None, shop=True, page_token=None,
            path="/analytics/202508/shop_lives/performance"):
    query = {"shop_cipher": "ROW_Mfxq0QAAAADY9jhQ", "start_date_ge": "2025-03-04", "end_date_lt": "2025-03-11",
             "page_size": "100"}
    if account_type:
        query["account_type"] = account_type
    if page_token:
        query["page_token"] = page_token
    doc = {"request": {"method": "GET", "path": path, "query": query}, "response": response}
    if shop:
        doc["shop"] = {"id": "7494000000000000001", "name": "Toko Tujuh", "region": "ID"}
    return doc


def write(path, doc):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def warnings_of(problems, file=None):
    return [p.message for p in problems.items if p.level == "warning" and (file is None or p.file == file)]


def test_string_and_integer_epoch_times_several_pages_unknown_fields(export_dir):
    write(export_dir / "lives-1.json", lives_page([
        session("7450000000000000001", "@tokotujuh", str(T19), str(T19 + 7200)),
        session("7450000000000000002", "tokotujuh", T19 + 86400, T19 + 90000, sold_key="unit_sold",
                brand_new_metric={"x": 1}),
    ], next_token="b2Zmc2V0PTI="))
    write(export_dir / "lives-2.json", lives_page([
        session("7450000000000000003", "tokotujuh.promo", "1741694400", "", sold_key="unit_sold"),
    ]))
    export, problems = load(export_dir)
    lives = export.lives.set_index("live_id")
    assert list(lives.index) == ["7450000000000000001", "7450000000000000002", "7450000000000000003"]
    assert lives.loc["7450000000000000001", "account_id"] == "tokotujuh"  # the @ is not part of the id
    assert lives.loc["7450000000000000001", "start"] == T19 * 1000
    assert lives.loc["7450000000000000001", "end"] == (T19 + 7200) * 1000
    assert lives.loc["7450000000000000002", "start"] == (T19 + 86400) * 1000  # an integer, as some servers send
    assert lives.loc["7450000000000000001", "title"] == "LIVE 7450000000000000001"
    assert export.rows_read["live_sessions"] == 3
    assert export.sources["live_sessions"] == "lives-1.json, lives-2.json"
    # the last page has no next_page_token: nothing is said to be missing
    assert not [m for m in warnings_of(problems) if "next_page_token" in m]
    assert [p for p in problems.items if p.level != "warning"] == []


def test_the_role_comes_from_the_wrapper_then_from_a_folder_or_file_name(export_dir):
    write(export_dir / "api" / "p1.json", wrapped(lives_page([session("L1", "toko", str(T19 + 0), str(T19 + 60))]),
                                                  account_type="OFFICIAL_ACCOUNTS"))
    write(export_dir / "official_accounts" / "page1.json", lives_page([session("L2", "toko", str(T19 + 3600), str(T19 + 3660))]))
    write(export_dir / "shop_lives_MARKETING_ACCOUNTS_p2.json",
          lives_page([session("L3", "promo", str(T19 + 7200), str(T19 + 7260))]))
    write(export_dir / "linked" / "LINKED_ACCOUNTS.json", lives_page([session("L4", "x", str(T19 + 10800), str(T19 + 10860))]))
    write(export_dir / "plain.json", lives_page([session("L5", "y", str(T19 + 14400), str(T19 + 14460))]))
    write(export_dir / "mixed" / "official_accounts_vs_marketing_accounts.json",
          lives_page([session("L6", "z", str(T19 + 18000), str(T19 + 18060))]))
    export, problems = load(export_dir)
    lives = export.lives.set_index("live_id")
    role = {k: v if isinstance(v, str) else None for k, v in lives["account_type"].items()}
    assert role == {"L1": "official", "L2": "official", "L3": "marketing", "L4": None, "L5": None, "L6": None}
    assert lives.loc["L1", "role_source"] == "shop_lives page api/p1.json, account_type=OFFICIAL_ACCOUNTS"
    assert lives.loc["L2", "role_source"] == ("shop_lives page official_accounts/page1.json, "
                                              "account_type=OFFICIAL_ACCOUNTS (from its folder or file name)")
    assert lives.loc["L3", "role_source"].endswith("account_type=MARKETING_ACCOUNTS (from its folder or file name)")
    assert lives.loc["L1", "store_id"] == "7494000000000000001"  # the wrapper's shop
    assert lives["store_id"].drop("L1").isna().all()
    assert any("several account types" in m for m in warnings_of(problems, "mixed/official_accounts_vs_"
                                                                         "marketing_accounts.json"))
    # the wrapper's shop is a stores row
    assert export.stores.set_index("store_id").loc["7494000000000000001", "store_name"] == "Toko Tujuh"


def test_the_wrapper_wins_over_a_name_that_disagrees_and_says_so(export_dir):
    write(export_dir / "MARKETING_ACCOUNTS" / "p1.json",
          wrapped(lives_page([session("L1", "toko", str(T19), str(T19 + 60))]), account_type="OFFICIAL_ACCOUNTS"))
    export, problems = load(export_dir)
    assert export.lives["account_type"].tolist() == ["official"]
    assert any("the request is used" in m for m in warnings_of(problems, "MARKETING_ACCOUNTS/p1.json"))


def test_a_wrapper_without_account_type_gives_no_role_and_the_cipher_is_the_store(export_dir):
    doc = wrapped(lives_page([session("L1", "toko", str(T19), str(T19 + 60))]), shop=False)
    write(export_dir / "p.json", doc)
    export, _ = load(export_dir)
    assert export.lives["account_type"].isna().all()
    assert export.lives["store_id"].tolist() == ["ROW_Mfxq0QAAAADY9jhQ"]
    assert export.stores is None


def test_videos_author_type_maps_to_roles_and_fields_to_columns(export_dir):
    write(export_dir / "videos_page.json", wrapped(videos_page([
        video("7300000000000000001", "tokotujuh", "2025-03-10 19:00:00", "OFFICIAL"),
        video("7300000000000000002", "tokotujuh.promo", "2025-03-10 19:05:00", "CHANNEL"),
        video("7300000000000000003", "seorang.afiliasi", "2025-03-10 19:10:00", "AFFILIATE"),
        video("7300000000000000004", "tokotujuh", "2025-03-10 19:15:00"),  # an older version: no creator
    ]), account_type="LINKED_ACCOUNTS", path="/analytics/202409/shop_videos/performance"))
    export, problems = load(export_dir)
    v = export.videos.set_index("video_id")
    assert [r if isinstance(r, str) else None for r in v["account_type"]] == ["official", "marketing", None, None]
    assert v.loc["7300000000000000001", "role_source"] == ("shop_videos page videos_page.json, "
                                                           "creator.author_type=OFFICIAL")
    assert v.loc["7300000000000000002", "role_source"].endswith("creator.author_type=CHANNEL")
    assert v.loc["7300000000000000001", "account_id"] == "tokotujuh"
    # shop-local, no offset: read in the run's zone (Asia/Jakarta here)
    assert v.loc["7300000000000000001", "posted"] == T19 * 1000
    assert v.loc["7300000000000000001", "caption"] == "Gamis premium 7300000000000000001 #gamis"
    assert v.loc["7300000000000000001", "duration_s"] == 15
    assert list(v.loc["7300000000000000001", "hashtags"]) == ["gamis", "ootd"]
    assert list(v.loc["7300000000000000001", "product_ids"]) == ["1729000000000000001"]
    assert pd_isna(v.loc["7300000000000000004", "duration_s"])
    assert [p for p in problems.items if p.level != "warning"] == []


def pd_isna(value):
    import pandas as pd
    return pd.isna(value)


def test_a_page_with_an_error_code_is_not_used_and_says_why(export_dir):
    path = write(export_dir / "shop_lives_OFFICIAL_ACCOUNTS_p3.json",
                 lives_page([], code=105002, message="Expired credentials. The access token has expired."))
    with pytest.raises(UnreadableFile, match=r"code 105002: Expired credentials.*request_id 2025"):
        read_shaped(path, path.name, Problems())
    write(export_dir / "ok.json", lives_page([session("L1", "toko", str(T19), str(T19 + 60))]))
    export, problems = load(export_dir)
    assert export.lives["live_id"].tolist() == ["L1"]
    [message] = [m for m in warnings_of(problems, "shop_lives_OFFICIAL_ACCOUNTS_p3.json")]
    assert message.startswith("not used") and "105002" in message


def test_a_listing_whose_last_page_is_missing_is_named(export_dir):
    write(export_dir / "api" / "OFFICIAL_ACCOUNTS" / "p1.json",
          wrapped(lives_page([session("L1", "toko", str(T19), str(T19 + 60))], next_token="tok2"),
                  account_type="OFFICIAL_ACCOUNTS"))
    write(export_dir / "api" / "OFFICIAL_ACCOUNTS" / "p2.json",
          wrapped(lives_page([session("L2", "toko", str(T19 + 100), str(T19 + 160))], next_token="tok3"),
                  account_type="OFFICIAL_ACCOUNTS", page_token="tok2"))
    # a listing of the other role that is complete
    write(export_dir / "api" / "MARKETING_ACCOUNTS" / "p1.json",
          wrapped(lives_page([session("L3", "promo", str(T19), str(T19 + 60))]), account_type="MARKETING_ACCOUNTS"))
    export, problems = load(export_dir)
    assert sorted(export.lives["live_id"]) == ["L1", "L2", "L3"]
    missing = [(p.file, p.message) for p in problems.items if "next_page_token" in p.message]
    assert len(missing) == 1
    assert missing[0][0] == "api/OFFICIAL_ACCOUNTS/p2.json" and "'tok3'" in missing[0][1]
    assert "account_type=OFFICIAL_ACCOUNTS" in missing[0][1]


def test_bare_pages_with_no_last_page_are_named_once(export_dir):
    write(export_dir / "a" / "p1.json", lives_page([session("L1", "toko", str(T19), str(T19 + 60))], next_token="n2"))
    write(export_dir / "a" / "p2.json", lives_page([session("L2", "toko", str(T19 + 600), str(T19 + 660))],
                                                   next_token="n3"))
    _, problems = load(export_dir)
    assert [p.file for p in problems.items if "next_page_token" in p.message] == ["a/p2.json"]


def test_repeated_ids_across_pages_are_kept_once(export_dir):
    write(export_dir / "p1.json", lives_page([session("L1", "toko", str(T19), str(T19 + 60))]))
    write(export_dir / "p2.json", lives_page([session("L1", "toko", str(T19), str(T19 + 60))]))
    export, problems = load(export_dir)
    assert export.lives["live_id"].tolist() == ["L1"]
    assert any("duplicate live_id" in p.message and p.file == "p2.json" for p in problems.items)


def test_a_stores_file_and_the_pages_shop_give_one_store_without_messages(export_dir):
    make_export(export_dir, {"stores": [{"store_id": "7494000000000000001", "region": "ID", "store_name": "Toko",
                                         "timezone": "Asia/Jakarta"}]})
    for n in (1, 2):
        write(export_dir / "api" / f"p{n}.json",
              wrapped(lives_page([session(f"L{n}", "toko", str(T19 + 600 * n), str(T19 + 600 * n + 60))]),
                      account_type="OFFICIAL_ACCOUNTS"))
    export, problems = load(export_dir)
    assert export.stores["store_id"].tolist() == ["7494000000000000001"]
    assert export.stores["store_name"].tolist() == ["Toko"]  # the stores file comes first
    assert not [p for p in problems.items if "duplicate" in p.message]


def test_other_json_is_left_to_the_table_reader(export_dir):
    # a table under data, a Display API page, another Partner API endpoint: not pages of ours
    for name, doc in {"a.json": {"data": [{"x": 1}]},
                      "b.json": {"data": {"videos": [], "cursor": 0, "has_more": False},
                                 "error": {"code": "ok", "message": "", "log_id": "1"}},
                      "c.json": {"code": 0, "message": "Success", "request_id": "r", "data": {"orders": []}},
                      "d.json": [{"live_id": "L1"}]}.items():
        path = write(export_dir / name, doc)
        assert read_shaped(path, name, Problems()) is None, name


def test_files_in_subfolders_are_read_only_when_tiktok_wrote_them(export_dir):
    make_export(export_dir, {"stores": [{"store_id": "S1", "region": "ID"}]})
    (export_dir / "notes").mkdir()
    (export_dir / "notes" / "bindings.csv").write_text("event_id,store_id\nE1,S1\n", encoding="utf-8")
    (export_dir / "notes" / "junk.json").write_text("{not json", encoding="utf-8")
    export, problems = load(export_dir)
    assert export.bindings is None  # not read as a table
    notes = [p for p in problems.items if p.file.startswith("notes/")]
    # each is named as not used (schema.md: a file used for no table is named), never an error
    assert sorted(p.file for p in notes) == ["notes/bindings.csv", "notes/junk.json"]
    assert all(p.level == "warning" and "not used" in p.message for p in notes)


def test_a_link_out_of_the_export_is_not_followed(export_dir, tmp_path):
    outside = tmp_path / "outside"
    write(outside / "p1.json", lives_page([session("L1", "toko", str(T19), str(T19 + 60))]))
    export_dir.mkdir(parents=True, exist_ok=True)
    (export_dir / "api").symlink_to(outside, target_is_directory=True)
    write(export_dir / "p2.json", lives_page([session("L2", "toko", str(T19), str(T19 + 60))]))
    export, _ = load(export_dir)
    assert export.lives["live_id"].tolist() == ["L2"]


def test_lives_with_bindings_give_live001(export_dir):
    """With a bindings table the pages' LIVEs are checked like any live_sessions file."""
    official, marketing = "tokotujuh", "tokotujuh.promo"
    make_export(export_dir, {"bindings": [
        {"event_id": "B1", "store_id": "7494000000000000001", "account_id": official, "account_type": "official",
         "action": "bind", "at": "2025-01-01T00:00:00+07:00"},
        {"event_id": "B2", "store_id": "7494000000000000001", "account_id": marketing, "account_type": "marketing",
         "action": "bind", "at": "2025-01-01T00:00:00+07:00"}]})
    write(export_dir / "api" / "OFFICIAL_ACCOUNTS" / "p1.json",
          wrapped(lives_page([session("7450000000000000001", official, str(T19), str(T19 + 7200))]),
                  account_type="OFFICIAL_ACCOUNTS"))
    write(export_dir / "api" / "MARKETING_ACCOUNTS" / "p1.json",
          wrapped(lives_page([session("7450000000000000002", marketing, T19 + 1800, T19 + 9000)]),
                  account_type="MARKETING_ACCOUNTS"))
    found = findings(lint(export_dir, as_of="2025-04-01T00:00:00+07:00"), "LIVE001")
    assert [f["subjects"] for f in found] == [["7450000000000000001", "7450000000000000002"]]
    assert found[0]["evidence"]["overlap_s"] == 5400


def test_lives_with_roles_from_the_pages_only_give_live001(export_dir):
    write(export_dir / "api" / "OFFICIAL_ACCOUNTS" / "p1.json",
          wrapped(lives_page([session("7450000000000000001", "tokotujuh", str(T19), str(T19 + 7200))]),
                  account_type="OFFICIAL_ACCOUNTS"))
    write(export_dir / "api" / "MARKETING_ACCOUNTS" / "p1.json",
          wrapped(lives_page([session("7450000000000000002", "tokotujuh.promo", T19 + 1800, T19 + 9000)]),
                  account_type="MARKETING_ACCOUNTS"))
    found = findings(lint(export_dir, as_of="2025-04-01T00:00:00+07:00"), "LIVE001")
    assert [f["subjects"] for f in found] == [["7450000000000000001", "7450000000000000002"]]
    assert "account_type=OFFICIAL_ACCOUNTS" in json.dumps(found[0])


def test_a_video_post_time_takes_the_wrapped_shops_zone(export_dir):
    doc = wrapped(videos_page([video("7300000000000000001", "tokoku", "2025-03-10 19:00:00", "OFFICIAL")]),
                  account_type="LINKED_ACCOUNTS", path="/analytics/202409/shop_videos/performance")
    doc["shop"] = {"id": "7494000000000000009", "name": "Kedai", "region": "MY", "timezone": "Asia/Kuala_Lumpur"}
    write(export_dir / "p1.json", doc)
    export, _ = load(export_dir)  # the run's zone is Asia/Jakarta (UTC+7); the shop's UTC+8
    assert export.videos["posted"].tolist() == [(T19 - 3600) * 1000]
    assert export.stores["timezone"].tolist() == ["Asia/Kuala_Lumpur"]
