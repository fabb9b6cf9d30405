"""Videos as the TikTok Display API returns them: the response of POST /v2/video/list/.

The fixtures follow TikTok for Developers' public documentation of the shape:
- List Videos, https://developers.tiktok.com/doc/tiktok-api-v2-video-list : the response is
  `{"data": {"videos": [Video Object...], "cursor": i64, "has_more": bool}, "error": {...}}`;
  the cursor is a UTC Unix timestamp in milliseconds; its example's cover is a
  `https://p16-sign.tiktokcdn-us.com/...` link;
- Video Object, https://developers.tiktok.com/doc/tiktok-api-v2-video-object : `id` (string),
  `create_time` (int64, UTC Unix epoch in seconds), `cover_image_url` (a CDN link with a TTL
  of 6 hours), `share_url`, `video_description`, `duration` (int32, seconds), `title`;
- Error Handling, https://developers.tiktok.com/doc/tiktok-api-v2-error-handling : `error`
  is `{"code", "message", "log_id"}`, code `ok` on success, e.g. `access_token_invalid`.
"""
import json

import pandas as pd

from conftest import load, run_cli, write_table

OFFICIAL, MARKETING = "7100000000000000001", "7100000000000000002"
BINDINGS = [
    {"event_id": "B1", "store_id": "S1", "account_id": OFFICIAL, "account_type": "official", "action": "bind",
     "at": "2024-01-01T00:00:00+07:00"},
    {"event_id": "B2", "store_id": "S1", "account_id": MARKETING, "account_type": "marketing", "action": "bind",
     "at": "2024-01-01T00:00:00+07:00"},
]
ACCOUNTS = [{"account_id": OFFICIAL, "handle": "@tokotujuh"}, {"account_id": MARKETING, "handle": "@tokotujuh.promo"}]


def video_object(vid, create_time, description="Gamis premium #gamis", title="Gamis", duration=15, cover=True):
    obj = {"id": vid, "create_time": create_time, "video_description": description, "title": title,
           "duration": duration, "share_url": f"https://www.tiktok.com/@tokotujuh/video/{vid}?utm_source=x",
           "embed_link": f"https://www.tiktok.com/player/v1/{vid}", "like_count": 12, "view_count": 340}
    if cover:
        obj["cover_image_url"] = (f"https://p16-sign.tiktokcdn-us.com/tos-useast5-p-0068-tx/{vid}~tplv-noop.image"
                                  "?x-expires=1717300000&x-signature=abc%3D")
    return obj


def page(videos, has_more=False, cursor=1717200000000, code="ok", message=""):
    return {"data": {"videos": videos, "cursor": cursor, "has_more": has_more},
            "error": {"code": code, "message": message, "log_id": "202406010930150102450220261546B838"}}


def write_json(path, doc):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc), encoding="utf-8")


def check(folder, *args, tmp):
    out = tmp / "report.json"
    out.unlink(missing_ok=True)
    res = run_cli("check", folder, "--format", "json", "--output", out, "--as-of", "2024-12-31T00:00:00Z",
                  "--no-cache", *args)
    return res, (json.loads(out.read_text(encoding="utf-8")) if out.exists() else None)


def test_a_page_maps_to_the_videos_table_with_the_account_from_the_option(export_dir):
    write_json(export_dir / "videos.json", page([
        video_object("7300000000000000001", 1717210800),
        video_object("7300000000000000002", 1717297200, description="", title="Only a title", duration=9,
                     cover=False),
    ]))
    export, problems = load(export_dir, account_id=OFFICIAL)
    assert not problems.has_fatal
    v = export.videos
    assert v["video_id"].tolist() == ["7300000000000000001", "7300000000000000002"]
    assert v["account_id"].tolist() == [OFFICIAL, OFFICIAL]
    # create_time is Unix seconds, UTC
    assert v["posted"].tolist() == [1717210800 * 1000, 1717297200 * 1000]
    assert v["caption"].tolist() == ["Gamis premium #gamis", "Only a title"]  # the title when no description
    assert v["duration_s"].tolist() == [15.0, 9.0]
    assert v["thumbnail"].iloc[0].startswith("https://p16-sign.tiktokcdn-us.com/") and pd.isna(v["thumbnail"].iloc[1])
    assert v["share_url"].iloc[0] == "https://www.tiktok.com/@tokotujuh/video/7300000000000000001?utm_source=x"
    assert export.rows_read["videos"] == 2


def test_the_account_may_be_given_by_its_handle(export_dir):
    write_table(export_dir, "accounts", ACCOUNTS)
    write_json(export_dir / "videos.json", page([video_object("7300000000000000001", 1717210800)]))
    export, _ = load(export_dir, account_id="TokoTujuh")
    assert export.videos["account_id"].tolist() == [OFFICIAL]


def test_without_an_account_the_file_is_unusable_and_the_message_says_what_to_do(export_dir, tmp_path):
    write_table(export_dir, "bindings", BINDINGS)
    write_json(export_dir / "videos.json", page([video_object("7300000000000000001", 1717210800)]))
    res, report = check(export_dir, tmp=tmp_path)
    assert res.returncode == 2 and report is None
    assert "videos.json" in res.stderr and "--account-id" in res.stderr and "videos/ACCOUNT.json" in res.stderr
    assert "Traceback" not in res.stderr
    res, report = check(export_dir, "--account-id", OFFICIAL, tmp=tmp_path)
    assert res.returncode == 0 and report["rows_read"]["videos"] == 1


def test_an_error_response_names_the_file_and_the_code(export_dir, tmp_path):
    write_table(export_dir, "bindings", BINDINGS)
    write_json(export_dir / "videos.json", page([], code="access_token_invalid",
                                                message="Access token is invalid, please refresh token and retry"))
    res, report = check(export_dir, "--account-id", OFFICIAL, tmp=tmp_path)
    assert res.returncode == 2 and report is None
    assert "videos.json" in res.stderr and "access_token_invalid" in res.stderr
    assert "202406010930150102450220261546B838" in res.stderr  # the log_id TikTok support asks for


def test_several_accounts_and_pages_in_a_videos_folder(export_dir, tmp_path):
    """videos/ACCOUNT.json for one page, videos/ACCOUNT/*.json for several: the name is the account."""
    write_table(export_dir, "bindings", BINDINGS)
    write_table(export_dir, "accounts", ACCOUNTS)
    write_json(export_dir / "videos" / f"{OFFICIAL}.json", page([video_object("7300000000000000001", 1717210800)]))
    write_json(export_dir / "videos" / "tokotujuh.promo" / "page-1.json",
               page([video_object("7300000000000000011", 1717400000), video_object("7300000000000000012", 1717300000)],
                    has_more=True, cursor=1717300000000))
    write_json(export_dir / "videos" / "tokotujuh.promo" / "page-2.json",
               page([video_object("7300000000000000012", 1717300000),  # the same video again: pages overlap
                     video_object("7300000000000000013", 1717200000)], has_more=False))
    (export_dir / "videos" / "cover.jpg").write_bytes(b"not a table")  # other files are passed over
    export, problems = load(export_dir)
    assert not problems.has_fatal, [p.describe() for p in problems.items]
    v = export.videos
    assert dict(zip(v["video_id"], v["account_id"])) == {
        "7300000000000000001": OFFICIAL, "7300000000000000011": MARKETING,  # the handle names the account
        "7300000000000000012": MARKETING, "7300000000000000013": MARKETING}
    assert export.sources["videos"] == "videos/" and export.rows_read["videos"] == 5
    [dup] = [p for p in problems.items if "duplicate" in p.message]
    assert (dup.file, dup.row, dup.level) == ("videos/tokotujuh.promo/page-2.json", 1, "row")
    assert "videos/tokotujuh.promo/page-1.json, row 2" in dup.message
    # the last page (has_more false) is there: nothing is said to be missing
    assert not [p for p in problems.items if "has_more" in p.message]


def test_a_missing_last_page_is_said(export_dir):
    write_json(export_dir / "videos" / MARKETING / "page-1.json",
               page([video_object("7300000000000000011", 1717400000)], has_more=True, cursor=1717300000000))
    _, problems = load(export_dir)
    [note] = [p for p in problems.items if "has_more" in p.message]
    assert note.file == f"videos/{MARKETING}/page-1.json" and note.level == "warning"
    assert MARKETING in note.message and "1717300000000" in note.message


def test_a_videos_file_and_a_videos_folder_are_two_files_for_one_table(export_dir, tmp_path):
    write_table(export_dir, "bindings", BINDINGS)
    write_table(export_dir, "videos", [{"video_id": "V1", "account_id": OFFICIAL, "posted_at": "2024-06-01"}])
    write_json(export_dir / "videos" / f"{OFFICIAL}.json", page([video_object("7300000000000000001", 1717210800)]))
    res, _ = check(export_dir, tmp=tmp_path)
    assert res.returncode == 2 and "several files for table 'videos'" in res.stderr


def test_a_videos_folder_of_pictures_is_not_a_table(export_dir):
    write_table(export_dir, "videos", [{"video_id": "V1", "account_id": OFFICIAL, "posted_at": "2024-06-01",
                                        "thumbnail": "videos/v1.jpg"}])
    (export_dir / "videos").mkdir()
    (export_dir / "videos" / "v1.jpg").write_bytes(b"\xff\xd8")
    export, problems = load(export_dir)
    assert not problems.has_fatal and export.sources["videos"] == "videos.csv"


def test_a_video_with_a_bad_create_time_is_skipped_and_named_by_the_field(export_dir):
    write_json(export_dir / "videos.json", page([video_object("7300000000000000001", "yesterday"),
                                                  video_object("7300000000000000002", 1717297200)]))
    export, problems = load(export_dir, account_id=OFFICIAL)
    assert export.videos["video_id"].tolist() == ["7300000000000000002"]
    [bad] = [p for p in problems.items if p.level == "row"]
    assert (bad.file, bad.row, bad.column, bad.value) == ("videos.json", 1, "create_time", "yesterday")


def test_a_cover_url_is_recorded_and_noted_but_not_an_error(export_dir, tmp_path):
    write_table(export_dir, "bindings", BINDINGS)
    write_json(export_dir / "videos.json", page([video_object(f"73000000000000000{i:02d}", 1717210800 + i)
                                                  for i in range(12)]))
    res, report = check(export_dir, "--account-id", OFFICIAL, "--strict", tmp=tmp_path)
    assert res.returncode == 0, res.stderr  # a URL is an accepted cover, so --strict passes
    notes = [e for e in report["input_errors"] if e["column"] == "thumbnail"]
    assert all(e["level"] == "warning" for e in notes)
    assert [e["row"] for e in notes if e["row"] is not None] == list(range(1, 11))  # then one line for the rest
    assert any(e["row"] is None and e["message"].startswith("2 more covers") for e in notes)
