"""TikTok Studio analytics "Content.csv" -> videos (docs/inputs.md, "TikTok Studio Content.csv").

The fixtures are made here: a header with `Time`, `Video title`, `Video link`, `Post time` and
metric columns, as issue 14 describes the download; post times without a year, in the
languages the download comes in.
"""
import csv
import io
import os
from datetime import date

import pytest

from lint.core.problems import Problems
from lint.ingest import ExportSource, load_export
from lint.ingest.shapes.studio import (
    MONTH_NAMES,
    PostTime,
    Span,
    content_csv,
    find_range,
    month_word,
    parse_post_time,
    resolve,
)
from lint.ingest.timestamps import run_instant

HEADER = ["Time", "Video title", "Video link", "Post time", "Total likes", "Total comments", "Total shares",
          "Total views"]
V1, V2, V3 = "7234567890123456789", "7234567890123456790", "7300000000000000001"


def link(user, vid):
    return f"https://www.tiktok.com/@{user}/video/{vid}"


def content_file(path, rows, header=HEADER, time="2026-04-12 ~ 2026-04-18"):
    """rows: (title, link, post time) -> a Content.csv with metric columns around them."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for title, url, posted in rows:
        values = {"Time": time, "Video title": title, "Video link": url, "Post time": posted, "Total likes": "12",
                  "Total comments": "3", "Total shares": "1", "Total views": "1,234"}
        w.writerow([values.get(h, "") for h in header])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def read(path):
    problems = Problems()
    got = content_csv(path, path.name, problems)
    return got, problems


def test_rows_map_onto_videos_with_ids_accounts_and_dates_from_the_range(tmp_path):
    path = content_file(tmp_path / "Content.csv", [
        ("Gamis premium #gamis", link("tokosatu", V1), "Apr 18"),
        ("Sepatu lari", link("tokosatu.promo", V2) + "?is_from_webapp=1", "12 Apr 22:14"),
        ("Tas kulit", link("tokosatu", V3), "Apr 16, 9:05 PM"),
    ])
    [shaped], problems = read(path)
    assert problems.items == []
    assert shaped.table == "videos" and shaped.shape == "TikTok Studio Content.csv"
    c = {k: v.to_pylist() for k, v in shaped.raw.columns.items()}
    assert c["video_id"] == [V1, V2, V3]  # every digit, as text
    assert c["account_id"] == ["tokosatu", "tokosatu.promo", "tokosatu"]
    assert c["posted_at"] == ["2026-04-18T00:00:00", "2026-04-12T22:14:00", "2026-04-16T21:05:00"]
    assert c["caption"] == ["Gamis premium #gamis", "Sepatu lari", "Tas kulit"]
    assert c["share_url"][1] == link("tokosatu.promo", V2) + "?is_from_webapp=1"
    assert shaped.raw.rows.tolist() == [2, 3, 4]
    assert any("2026-04-12 ~ 2026-04-18" in n for n in shaped.notes)
    assert any("midnight" in n for n in shaped.notes)


def test_a_range_across_new_year_gives_each_date_its_year(tmp_path):
    path = content_file(tmp_path / "Content.csv", [
        ("a", link("u", V1), "Dec 30"), ("b", link("u", V2), "Jan 2")], time="2025-12-28 ~ 2026-01-03")
    [shaped], problems = read(path)
    assert shaped.raw.columns["posted_at"].to_pylist() == ["2025-12-30T00:00:00", "2026-01-02T00:00:00"]
    assert problems.items == []


@pytest.mark.parametrize("text, month, day", [
    ("Apr 18", 4, 18), ("18 Apr", 4, 18), ("April 18", 4, 18), ("18 Mei", 5, 18), ("18 Agu", 8, 18),  # en, id
    ("18 Mac", 3, 18), ("18 Ogo", 8, 18),  # ms
    ("18 de abr.", 4, 18), ("18 dic", 12, 18),  # es
    ("18 de out.", 10, 18), ("18 set", 9, 18),  # pt
    ("18 févr.", 2, 18), ("18 déc.", 12, 18),  # fr
    ("18. Mär.", 3, 18), ("18. Dez.", 12, 18),  # de
    ("18 thg 4", 4, 18), ("18 tháng 12", 12, 18),  # vi
    ("18 เม.ย.", 4, 18), ("18 ธ.ค.", 12, 18),  # th
    ("4月18日", 4, 18), ("4월 18일", 4, 18),  # zh/ja, ko
])
def test_localized_post_times(text, month, day):
    p = parse_post_time(text)
    assert (p.month, p.day, p.year) == (month, day, None)


@pytest.mark.parametrize("text", ["", "18", "Feb 30", "18 Foo", "2026-04-12 ~ 2026-04-18", "99:99 Apr 18",
                                  "Apr 18 13:00 pm", "https://www.tiktok.com/@a/video/1"])
def test_what_is_not_a_post_time(text):
    assert parse_post_time(text) is None


def test_no_month_word_means_two_months():
    seen = {}
    for wide, short, extra in MONTH_NAMES.values():
        pairs = [(w, i) for names in (wide.split(), short.split()) for i, w in enumerate(names, start=1)]
        for w, m in pairs + list(extra.items()):
            assert seen.setdefault(month_word(w), m) == m, w
    assert seen[month_word("Mei")] == 5 and seen[month_word("out")] == 10 and seen[month_word("dis")] == 12


def test_resolution_and_what_is_ambiguous():
    week = Span(date(2026, 4, 12), date(2026, 4, 18), "2026-04-12 ~ 2026-04-18, from the file")
    assert resolve(PostTime(4, 18, None, None), week) == (date(2026, 4, 18), None)
    # a day after the range's end is allowed (zones), later is last year
    assert resolve(PostTime(4, 19, None, None), week) == (date(2026, 4, 19), None)
    d, why = resolve(PostTime(4, 20, None, None), week)
    assert d == date(2025, 4, 20) and "before the export's range" in why
    # a year-long download holds 18 Apr twice
    year = Span(date(2025, 4, 18), date(2026, 4, 18), "2025-04-18 ~ 2026-04-18, from the file")
    d, why = resolve(PostTime(4, 18, None, None), year)
    assert d == date(2026, 4, 18) and "2025-04-18 or 2026-04-18" in why
    assert resolve(PostTime(4, 20, None, None), year) == (date(2025, 4, 20), None)
    # 29 Feb goes back to the last leap year
    assert resolve(PostTime(2, 29, None, None), week)[0] == date(2024, 2, 29)
    # a written year is taken as written
    assert resolve(PostTime(4, 1, 2020, None), week) == (date(2020, 4, 1), None)


def test_ambiguous_dates_are_warnings_of_their_rows(tmp_path):
    path = content_file(tmp_path / "Content.csv", [
        ("a", link("u", V1), "Apr 18"), ("b", link("u", V2), "Mar 30")], time="2026-04-12 ~ 2026-04-18")
    [shaped], problems = read(path)
    [warning] = problems.items
    assert (warning.row, warning.column, warning.level, warning.value) == (3, "Post time", "warning", "Mar 30")
    assert shaped.raw.columns["posted_at"].to_pylist()[1] == "2026-03-30T00:00:00"  # kept, with its year said


def test_the_range_from_the_file_name_or_else_the_runs_as_of(tmp_path):
    header = [h for h in HEADER if h != "Time"]
    path = content_file(tmp_path / "Content_20251228-20260103.csv", [("a", link("u", V1), "Dec 30")], header=header)
    [shaped], _ = read(path)
    assert shaped.raw.columns["posted_at"].to_pylist() == ["2025-12-30T00:00:00"]
    assert find_range(["nothing here"], "Content_2025-12-28_2026-01-03.csv").end == date(2026, 1, 3)

    path = content_file(tmp_path / "Content.csv", [("a", link("u", V1), "Dec 30")], header=header)
    os.utime(path, (1900000000, 1900000000))  # the file's own time does not count (an upload changes it)
    with run_instant(1767312000_000):  # --as-of 2026-01-02T00:00:00Z
        [shaped], problems = read(path)
    assert shaped.raw.columns["posted_at"].to_pylist() == ["2025-12-30T00:00:00"]
    assert any("2026-01-02" in n and "the run's --as-of" in n for n in shaped.notes)


def test_bad_links_and_post_times_skip_their_rows_by_name(tmp_path):
    path = content_file(tmp_path / "Content.csv", [
        ("ok", link("u", V1), "Apr 18"), ("short link", "https://vm.tiktok.com/ZSabc123/", "Apr 17"),
        ("no date", link("u", V2), "kemarin"), ("empty", link("u", V3), "")])
    [shaped], problems = read(path)
    assert shaped.raw.rows.tolist() == [2] and shaped.raw.rows_read == 4
    assert {(p.row, p.column, p.level) for p in problems.items} == {
        (3, "Video link", "row"), (4, "Post time", "row"), (5, "Post time", "row")}


def test_other_names_found_by_what_the_columns_hold(tmp_path):
    # an Indonesian download whose header names we have not seen: the link and the dates tell
    header = ["Waktu", "Judul video", "Tautan", "Diposting", "Suka"]
    buf = "\n".join([",".join(header), f"2026-04-12 ~ 2026-04-18,Gamis,{link('tokosatu', V1)},18 Mei,5"])
    path = tmp_path / "Konten.csv"
    path.write_text(buf + "\n", encoding="utf-8")
    [shaped], problems = read(path)
    c = {k: v.to_pylist() for k, v in shaped.raw.columns.items()}
    assert c["video_id"] == [V1] and c["caption"] == ["Gamis"]
    assert c["posted_at"] == ["2025-05-18T00:00:00"]  # May 18 is after the range's end: last year's
    assert [p.level for p in problems.items] == ["warning"]


@pytest.mark.parametrize("content", [
    b"video_id,account_id,posted_at\nV1,A1,2025-01-01\n",
    b"Video title,Video link,Post time\nGamis,not a link,Apr 18\n",
    b"Video title,Video link,Post time\n",  # no rows: nothing says what its columns hold
    b"", b"\xff\xfe\x00\x00", b"Date Range: 2026-04-12 ~ 2026-04-18\n\nCreator ID,Launched Time,Duration\n",
])
def test_other_files_are_not_this_shape(tmp_path, content):
    path = tmp_path / "export.csv"
    path.write_bytes(content)
    problems = Problems()
    assert content_csv(path, path.name, problems) is None
    assert problems.items == []


def test_in_an_export_the_videos_table_comes_from_content_csv(tmp_path):
    folder = tmp_path / "export"
    content_file(folder / "Content.csv", [
        ("Gamis premium #gamis", link("tokosatu", V1), "Apr 18 22:14"), ("Sepatu", link("tokosatu", V2), "17 Apr")])
    problems = Problems()
    with ExportSource.open(folder) as source:
        export = load_export(source, "Asia/Jakarta", problems)
    assert not problems.has_fatal
    assert export.sources["videos"] == "Content.csv"
    assert export.videos["video_id"].tolist() == [V1, V2]
    assert export.videos["account_id"].tolist() == ["tokosatu", "tokosatu"]
    # 22:14 shop-local in Asia/Jakarta (UTC+7) = 15:14 UTC
    assert export.videos["posted"].tolist()[0] == 1776525240000
    assert any("TikTok Studio Content.csv" in p.message for p in problems.items if p.level == "warning")


def test_a_videos_table_of_the_sellers_own_is_still_read_by_its_columns(tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "export.csv").write_text(
        "video_id,account_id,Post time,share_url,duration_s\n"
        f"{V1},tokosatu,2026-04-18 22:14:00,{link('tokosatu', V1)},15\n", encoding="utf-8")
    assert content_csv(folder / "export.csv", "export.csv", Problems()) is None
    problems = Problems()
    with ExportSource.open(folder) as source:
        export = load_export(source, "Asia/Jakarta", problems)
    assert export.videos["duration_s"].tolist() == [15.0]  # every column of it, not Content.csv's few


@pytest.mark.parametrize("text", ["Apr 18 0000", "0000年4月18日", "0001-04-18", "Apr 18 9999", "18 เม.ย. 2400"])
def test_years_that_are_typos_are_not_post_times(text):
    assert parse_post_time(text) is None


@pytest.mark.parametrize("time", ["9999-12-31 ~ 9999-12-31", "0000-01-01 ~ 0001-01-01", "2026-04-18 ~ 2026-04-12"])
def test_a_range_that_is_a_typo_is_not_used(tmp_path, time):
    path = content_file(tmp_path / "Content.csv", [("a", link("u", V1), "Apr 18")], time=time)
    [shaped], _ = read(path)
    assert shaped.raw.num_rows == 1
    assert any("the run's --as-of" in n for n in shaped.notes)
