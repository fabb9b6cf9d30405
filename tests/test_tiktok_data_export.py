"""Videos from the JSON of TikTok's "Download your data" (user_data_tiktok.json, earlier
user_data.json).

TikTok does not publish a schema of this file; the fixtures follow what public parsers of
real exports read:
- Video → Videos → VideoList entries with "Date" ("%Y-%m-%d %H:%M:%S") and "Link":
  github.com/KenAdamson/tiktok-dl main.py (get_my_videos, get_filename), and
  github.com/zollo/tiktok-downloader README.md ("Date", "Likes", "Link");
- the same list under Post → Posts → VideoList in newer exports, with the entries' keys Date,
  Link, Likes, WhoCanView, AllowComments, AllowStitches, AllowDuets, AllowStickers,
  AllowSharingToStory, ContentDisclosure, AIGeneratedContent, Sound, Location, Title,
  AddYoursText, and the user name at Profile → "Profile Info" (or "Profile Information") →
  ProfileMap → userName: the LEAPP artifact "tikTokJsonExport" (TikTok Download Your Data
  (JSON), by @upintheairsheep and @Jadoo4QFan, 2025, "tested against real exports");
- "Profile And Settings" → "Profile Info" → ProfileMap → userName in exports from 2026, after
  TikTok renamed sections (github.com/samirelanduk/tiktok-save pull request #26: "tiktok
  changed the structure of downloaded user data around january 2026");
- "Date" read as UTC: github.com/samirelanduk/tiktok-save utilities.py (date_to_timestamp
  appends "Z" before parsing); the video id is the number in the link (video_url_to_id).
"""
import json

import fuzzkit as fk
from conftest import load, run_cli, write_table

OFFICIAL = "7100000000000000001"


def entry(vid, date, title="Gamis premium #gamis", **extra):
    return {"Date": date, "Link": f"https://www.tiktokv.com/share/video/{vid}/", "Likes": "12",
            "WhoCanView": "Everyone", "AllowComments": "Everyone", "AllowStitches": "Yes", "AllowDuets": "Yes",
            "AllowStickers": "Yes", "AllowSharingToStory": "Yes", "ContentDisclosure": "", "AIGeneratedContent": "No",
            "Sound": "original sound - tokotujuh", "Location": "", "Title": title, "AddYoursText": "", **extra}


def new_export(videos, user_name="tokotujuh"):
    return {"Profile And Settings": {"Profile Info": {"ProfileMap": {
                "userName": user_name, "displayName": "Toko Tujuh", "likesReceived": "1200",
                "bioDescription": "", "profilePhoto": "https://p16-sign-va.tiktokcdn.com/x.jpeg"}}},
            "Your Activity": {"Watch History": {"VideoList": [{"Date": "2025-06-01 00:00:00",
                                                               "Link": "https://www.tiktokv.com/share/video/1/"}]}},
            "Post": {"Posts": {"VideoList": videos}}}


def old_export(videos, user_name="tokotujuh"):
    return {"Profile": {"Profile Information": {"ProfileMap": {"userName": user_name, "likesReceived": "None"}}},
            "Activity": {"Video Browsing History": {"VideoList": []}},
            "Video": {"Videos": {"VideoList": videos}}}


def write(path, doc):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


def test_posted_videos_of_a_new_export_become_the_videos_table(export_dir):
    write_table(export_dir, "accounts", [{"account_id": OFFICIAL, "handle": "@tokotujuh"}])
    write(export_dir / "user_data_tiktok.json", new_export([
        entry("7300000000000000001", "2025-06-01 03:00:00"),
        entry("7300000000000000002", "2025-06-02 17:30:05", title="Diskon 12.12 😍", Sound="Lagu Promo"),
    ]))
    export, problems = load(export_dir)
    assert not problems.has_fatal, [p.describe() for p in problems.items]
    # no duration and no cover: DUP001 cannot compare these videos, and the report says so
    assert any("DUP001 cannot compare" in p.message and p.level == "warning" for p in problems.items)
    v = export.videos
    assert export.sources["videos"] == "user_data_tiktok.json"
    assert v["video_id"].tolist() == ["7300000000000000001", "7300000000000000002"]  # from the links
    # the profile's user name is the account's handle in the accounts table
    assert v["account_id"].tolist() == [OFFICIAL, OFFICIAL]
    # "2025-06-01 03:00:00" is UTC: 10:00 in Jakarta, not 03:00 there
    assert v["posted"].tolist()[0] == 1748746800000
    assert v["caption"].tolist() == ["Gamis premium #gamis", "Diskon 12.12 😍"]
    assert v["music_id"].tolist() == ["original sound - tokotujuh", "Lagu Promo"]
    assert v["share_url"].iloc[0] == "https://www.tiktokv.com/share/video/7300000000000000001/"
    assert export.rows_read["videos"] == 2  # the watch history is not the account's videos


def test_an_old_export_named_user_data_json_reads_the_same(export_dir):
    write(export_dir / "user_data.json", old_export([entry("7300000000000000001", "2021-03-04 05:06:07")]))
    export, problems = load(export_dir)
    assert not problems.has_fatal
    # no accounts table: the user name itself is the account
    assert export.videos["account_id"].tolist() == ["tokotujuh"]
    assert export.videos["posted"].tolist() == [1614834367000]


def test_the_option_names_the_account_before_the_profile(export_dir):
    write(export_dir / "user_data_tiktok.json", new_export([entry("7300000000000000001", "2025-06-01 03:00:00")]))
    export, _ = load(export_dir, account_id=OFFICIAL)
    assert export.videos["account_id"].tolist() == [OFFICIAL]


def test_links_without_an_id_and_entries_without_a_date(export_dir):
    cdn = "https://v16-webapp-prime.tiktok.com/video/tos/useast2a/tos-useast2a-pve-0068/4a1b2c/?a=1988&expire=1"
    write(export_dir / "user_data_tiktok.json", new_export([
        {"Date": "2025-06-01 03:00:00", "Link": cdn, "Likes": "0"},
        {"Date": "", "Link": "https://www.tiktokv.com/share/video/7300000000000000003/", "Likes": "0"},
        {"Date": "2025-06-03 03:00:00", "Likes": "0"},
    ]))
    export, problems = load(export_dir)
    # a link to the video file names the video by its path
    assert export.videos["video_id"].tolist() == [cdn.split("?")[0]]
    skipped = sorted((p.row, p.column) for p in problems.items if p.level == "row")
    assert skipped == [(2, "Date"), (3, "Link")]


def test_an_export_without_a_user_name_or_option_is_unusable(export_dir, tmp_path):
    write(export_dir / "user_data_tiktok.json", new_export([entry("7300000000000000001", "2025-06-01 03:00:00")],
                                                           user_name=""))
    out = tmp_path / "r.json"
    res = run_cli("check", export_dir, "--format", "json", "-o", out, "--as-of", "2025-12-31", "--no-cache")
    assert res.returncode == 2 and not out.exists()
    assert "user_data_tiktok.json" in res.stderr and "userName" in res.stderr and "--account-id" in res.stderr


def test_an_export_of_an_account_that_never_posted(export_dir):
    doc = new_export([])
    del doc["Post"]
    write(export_dir / "user_data_tiktok.json", doc)
    export, problems = load(export_dir)
    assert not problems.has_fatal and len(export.videos) == 0
    assert any("without posted videos" in p.message and p.level == "warning" for p in problems.items)


def test_a_data_export_beside_a_videos_file_is_a_second_videos_file(export_dir, tmp_path):
    write_table(export_dir, "videos", [{"video_id": "V1", "account_id": OFFICIAL, "posted_at": "2024-06-01"}])
    write(export_dir / "user_data_tiktok.json", new_export([entry("7300000000000000001", "2025-06-01 03:00:00")]))
    res = run_cli("check", export_dir, "--as-of", "2025-12-31", "--no-cache")
    assert res.returncode == 2 and "several files for table 'videos'" in res.stderr


def test_exports_of_two_accounts_in_a_videos_folder(export_dir):
    write(export_dir / "videos" / "official" / "user_data_tiktok.json",
          new_export([entry("7300000000000000001", "2025-06-01 03:00:00")], user_name="someone_else"))
    write(export_dir / "videos" / "promo.json", old_export([entry("7300000000000000002", "2025-06-02 03:00:00")]))
    export, problems = load(export_dir)
    assert not problems.has_fatal
    # the folder's names win over the user names inside
    assert dict(zip(export.videos["video_id"], export.videos["account_id"])) == {
        "7300000000000000001": "official", "7300000000000000002": "promo"}


ODD_DOCUMENTS = [
    {"data": {"videos": "not a list"}, "error": {"code": "ok"}},
    {"data": {"videos": [1, None, ["x"], {"id": {"nested": 1}, "create_time": [1, 2]}]}, "error": {"code": "ok"}},
    {"data": {"videos": None, "has_more": "yes", "cursor": {"x": 1}}, "error": {"code": 401, "message": None}},
    {"data": {}, "error": {"code": None}},
    {"Post": {"Posts": {"VideoList": "none"}}},
    {"Post": {"Posts": {"VideoList": [None, 5, {"Link": 7, "Date": 1717210800}, {"Link": ["a", "b"], "Date": {}}]}},
     "Profile": {"Profile Info": {"ProfileMap": {"userName": {"a": 1}}}}},
    {"Video": {"Videos": None}, "Profile": "x"},
    {"Activity": {}},
]


def test_odd_tiktok_documents_give_clear_outcomes(tmp_path):
    """Wrong types anywhere in either shape: exit 0, 1 or 2 with a message naming the file."""
    for n, doc in enumerate(ODD_DOCUMENTS):
        folder = tmp_path / f"case{n}"
        write(folder / "videos.json", doc)
        write_table(folder, "bindings", [{"event_id": "E1", "store_id": "S1", "account_id": "A1",
                                          "account_type": "official", "action": "bind", "at": "2025-01-01"}])
        fk.assert_clean_outcome(fk.check_json(folder, "--account-id", "A1"), ["videos.json"])
        fk.assert_clean_outcome(fk.check_json(folder), ["videos.json"])
