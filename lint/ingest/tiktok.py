"""Videos as TikTok itself writes them, recognised by their content and mapped to the
canonical videos table (docs/inputs.md has both shapes with their sources):

- the Display API's video list, the response of POST /v2/video/list/
  (https://developers.tiktok.com/doc/tiktok-api-v2-video-list): `data.videos` (Video Objects,
  https://developers.tiktok.com/doc/tiktok-api-v2-video-object), `data.cursor`,
  `data.has_more`, and `error.code` / `message` / `log_id`
  (https://developers.tiktok.com/doc/tiktok-api-v2-error-handling). It names no account;
- the JSON of TikTok's "Download your data" (`user_data_tiktok.json`, earlier
  `user_data.json`): the posted videos under `Post` -> `Posts` -> `VideoList` (exports
  from 2025 on) or `Video` -> `Videos` -> `VideoList` (earlier), each with `Date`, `Link`,
  `Likes`, `Sound`, `Title`...; the account's user name under `Profile And Settings` (or
  `Profile`) -> `Profile Info` (or `Profile Information`) -> `ProfileMap` -> `userName`.

Anything else is read as a table file (lint.ingest.reader). Only the reading is here: the
rows go through the same validation as every other videos file.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

from lint.core.model import Problems
from lint.ingest.aliases import squash
from lint.ingest.reader import (
    RawTable,
    UnreadableFile,
    _scalar_text,
    json_objects,
    read_json_document,
    read_table,
    table_from_json_document,
)

DISPLAY_API = "TikTok Display API video list"
DATA_EXPORT = "TikTok 'Download your data' export"


@dataclass
class VideoFile:
    """One file of the videos table, read."""

    raw: RawTable
    shape: str | None = None  # DISPLAY_API, DATA_EXPORT, or None for a table file
    account: str | None = None  # the account the file itself names (a data export's user name)
    has_more: bool | None = None  # Display API: more videos exist after this page
    cursor: str | None = None


def read_videos_file(path: Path, display: str, problems: Problems) -> VideoFile:
    """Read one videos file of any accepted shape; UnreadableFile when it cannot be used."""
    if path.suffix.lower() != ".json":
        return VideoFile(read_table(path, display, problems))
    try:
        doc = read_json_document(path, display, problems)
        if is_display_api(doc):
            return _from_display_api(doc, display, problems)
        if is_data_export(doc):
            return _from_data_export(doc, display, problems)
        return VideoFile(table_from_json_document(doc, display, problems))
    except UnreadableFile:
        raise
    except (OSError, ValueError, pa.ArrowException) as e:  # as read_table does for every format
        raise UnreadableFile(f"cannot be read as JSON: {str(e).strip()[:300] or type(e).__name__}") from None


# --- Display API ---------------------------------------------------------------------------

def is_display_api(doc) -> bool:
    """`{"data": {"videos": [...], "cursor": ..., "has_more": ...}, "error": {...}}`."""
    if not isinstance(doc, dict):
        return False
    data, error = doc.get("data"), doc.get("error")
    return (isinstance(data, dict) and "videos" in data) or (isinstance(error, dict) and "code" in error
                                                              and not isinstance(data, list))


# Video Object field -> canonical column (the caption falls back to the title when the
# description is empty: creators often write only one of them)
_DISPLAY_FIELDS = {"video_id": "id", "posted_at": "create_time", "caption": "video_description",
                   "duration_s": "duration", "thumbnail": "cover_image_url", "share_url": "share_url"}


def _from_display_api(doc: dict, display: str, problems: Problems) -> VideoFile:
    error = doc.get("error")
    if isinstance(error, dict):
        code = str(error.get("code") if error.get("code") is not None else "ok").strip()
        if code.lower() != "ok":
            message = str(error.get("message") or "").strip()
            log_id = str(error.get("log_id") or "").strip()
            raise UnreadableFile(
                f"is a {DISPLAY_API} response that reports an error (code '{code}'"
                + (f": {message}" if message else "") + (f"; log_id {log_id}" if log_id else "")
                + "): it holds no videos; fetch this page again")
    data = doc.get("data") if isinstance(doc.get("data"), dict) else {}
    videos = data.get("videos")
    if videos is None:
        videos = []
    if not isinstance(videos, list):
        raise UnreadableFile(f"is a {DISPLAY_API} response whose data.videos is not a list")
    objects, rows, skipped = json_objects(videos, display, problems, "video")
    records = []
    for video in objects:
        record = {column: video.get(name) for column, name in _DISPLAY_FIELDS.items()}
        if _scalar_text(record["caption"]) is None:
            record["caption"] = video.get("title")
        records.append(record)
    has_more = data.get("has_more")
    cursor = _scalar_text(data.get("cursor"))
    return VideoFile(_raw(records, rows, _DISPLAY_FIELDS, skipped), DISPLAY_API,
                     has_more=has_more if isinstance(has_more, bool) else None, cursor=cursor)


# --- "Download your data" ------------------------------------------------------------------

# Top-level sections of the export, old and new names; a JSON object with any of them (and
# no table under "data") is read as one.
_DATA_EXPORT_SECTIONS = ("Profile", "Profile And Settings", "Post", "Video", "Activity", "Your Activity")


def is_data_export(doc) -> bool:
    """Whether a JSON document is TikTok's 'Download your data' export."""
    return isinstance(doc, dict) and not isinstance(doc.get("data"), list) and any(
        _get(doc, key) is not None for key in _DATA_EXPORT_SECTIONS)


def _get(obj, key: str):
    """obj[key], the key matched as `squash` does (exports changed case over the years)."""
    if not isinstance(obj, dict):
        return None
    if key in obj:
        return obj[key]
    wanted = squash(key)
    for k, v in obj.items():
        if squash(k) == wanted:
            return v
    return None


def _video_list(doc: dict):
    """-> (the posted videos' list or None, where it was found)."""
    for section in ("Post", "Video"):
        for sub in ("Posts", "Videos"):
            container = _get(_get(doc, section), sub)
            if isinstance(container, dict):
                return _get(container, "VideoList"), f"{section} → {sub} → VideoList"
    return None, None


def data_export_user_name(doc: dict) -> str | None:
    """The profile's user name in a 'Download your data' export, if it has one."""
    for section in ("Profile And Settings", "Profile"):
        for sub in ("Profile Info", "Profile Information"):
            name = _scalar_text(_get(_get(_get(_get(doc, section), sub), "ProfileMap"), "userName"))
            if name:
                return name.lstrip("@")
    return None


# "2024-03-10 09:15:02": the export's form of a time, read as UTC (docs/inputs.md says why)
_EXPORT_TIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
# the id in a video's link: .../video/7301234567890123456, .../share/video/..., .../photo/...
_ID_IN_LINK = re.compile(r"/(?:video|photo|v)/(\d{6,})(?=[/?#.]|$)")
_COVER_KEYS = ("CoverImage", "Cover", "CoverUrl", "CoverImageUrl", "Thumbnail")
_DATA_EXPORT_NAMES = {"video_id": "Link", "posted_at": "Date", "caption": "Title", "music_id": "Sound",
                      "thumbnail": "CoverImage", "share_url": "Link"}


def export_time_as_utc(text) -> str | None:
    """A data export's 'YYYY-MM-DD HH:MM:SS' date as ISO 8601 in UTC (how TikTok writes it); None if it is not one."""
    value = _scalar_text(text)
    if value and _EXPORT_TIME.match(value):
        return value.replace(" ", "T") + "+00:00"
    return value


def video_id_from_link(link: str | None) -> str | None:
    """The numeric id in a TikTok video link; else the link without its query (a CDN link
    to the video file names the video by its path)."""
    if not link:
        return None
    found = _ID_IN_LINK.search(link.split("?", 1)[0])
    if found:
        return found.group(1)
    return re.split(r"[?#]", link, maxsplit=1)[0] or None


def _from_data_export(doc: dict, display: str, problems: Problems) -> VideoFile:
    videos, where = _video_list(doc)
    if videos is None:
        problems.add(display, None, None, f"is a {DATA_EXPORT} without posted videos (no Post → Posts → VideoList "
                                          "or Video → Videos → VideoList); no videos read", level="warning")
        videos = []
    if not isinstance(videos, list):
        raise UnreadableFile(f"is a {DATA_EXPORT} whose {where} is not a list")
    items, rows, skipped = json_objects(videos, display, problems, "video")
    records = []
    for item in items:
        link = _scalar_text(_get(item, "Link"))
        # a slideshow lists one link per picture, a line each: the first names the post
        link = link.splitlines()[0].strip() if link else None
        cover = next((v for v in (_get(item, k) for k in _COVER_KEYS) if _scalar_text(v)), None)
        records.append({"video_id": video_id_from_link(link), "posted_at": export_time_as_utc(_get(item, "Date")),
                        "caption": _get(item, "Title") or _get(item, "Description"), "music_id": _get(item, "Sound"),
                        "thumbnail": cover, "share_url": link})
    if records and not any(_scalar_text(r["thumbnail"]) for r in records):
        from lint.checks import media_rules
        problems.add(display, None, None, f"the video list gives no cover and no duration, so {media_rules()} cannot "
                                          "compare these videos (docs/inputs.md)", level="warning")
    return VideoFile(_raw(records, rows, _DATA_EXPORT_NAMES, skipped), DATA_EXPORT,
                     account=data_export_user_name(doc))


def _raw(records: list[dict], rows: list[int], names: dict[str, str], skipped: int) -> RawTable:
    """Canonical columns (every one, even with no record) named as the file names them."""
    columns = {column: pa.array([_scalar_text(r.get(column)) for r in records], type=pa.string())
               for column in names}
    return RawTable(columns, np.asarray(rows, dtype=np.int64), dict(names), list_native=True, skipped=skipped)


def with_account(raw: RawTable, account: str, written_as: str) -> RawTable:
    """`raw` with an account_id column holding `account` on every row."""
    columns = dict(raw.columns)
    columns["account_id"] = pa.array([account] * raw.num_rows, type=pa.string())
    names = dict(raw.original_names)
    names["account_id"] = written_as
    return RawTable(columns, raw.rows, names, raw.list_native, raw.skipped)
