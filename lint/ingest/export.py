"""Read and validate an export folder into the canonical tables (lint.core.model.Export):
`load_export`, the entry of every engine."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from lint.core.model import Export, Problems
from lint.ingest.aliases import squash
from lint.ingest.bindings import events_to_bindings, intervals_to_bindings
from lint.ingest.covers import CoverFetcher, CoverLimits
from lint.ingest.media import HashCache, attach_hashes
from lint.ingest.reader import UnreadableFile, read_table
from lint.ingest.recognise import recognise
from lint.ingest.schema import BINDING_EVENTS, BINDING_INTERVALS, SCHEMAS, VIDEOS, resolve_columns, validate
from lint.ingest.source import ExportSource
from lint.ingest.tiktok import DATA_EXPORT, DISPLAY_API, VideoFile, read_videos_file, with_account

__all__ = ["load_export", "load_bindings", "MediaOptions"]


@dataclass(frozen=True)
class MediaOptions:
    """Hash the videos' pictures (thumbnails, key frames) for DUP001."""
    cache_dir: Path | None = None  # None: no persistent cache
    progress: bool = False
    # Download covers given as URLs within these limits (--fetch-covers); None: never.
    fetch_covers: CoverLimits | None = None
    # Where downloaded covers go when there is no cache_dir; the caller keeps the folder
    # until the report's pictures are made (None: a folder removed after reading).
    covers_dir: Path | None = None
    # Where video files are decoded: fn(function, [path, ...]) -> results in order (an
    # engine's workers: lint.engines.DaskEngine); None: this machine's processes.
    video_mapper: object = None


def load_export(source: ExportSource, default_zone: str, problems: Problems,
                media: MediaOptions | None = None, account_id: str | None = None,
                on_table: Callable[[str], None] | None = None, deferred: frozenset[str] = frozenset()) -> Export:
    """Read every table of `source`. Fatal problems (unusable file or table) are added to
    `problems`; the caller stops when `problems.has_fatal`. With `media`, the pictures the
    videos table names are hashed too (only files inside the export are read, and covers
    given as URLs are downloaded only with `media.fetch_covers`). `account_id` is the
    account of videos whose file names none (--account-id). `on_table(name)` is called as
    each table of `source.table_files()` is done (for a progress bar). Tables in `deferred`
    are left unread (their source name is recorded): lint.engines.dask.session reads them on workers."""
    files, duplicates = source.table_files()

    def done(table: str):
        if on_table is not None and table in files:
            on_table(table)
    for message in duplicates:
        problems.fatal(message.split(":")[0], message.split(": ", 1)[1])
    export = Export(root=str(source.root))
    raw = {}
    recognised = recognise(source.other_files(), set(files), problems)
    for r in recognised:
        files[r.table] = r.path
    for table, path in files.items():
        display = path.name + ("/" if path.is_dir() else "")
        export.sources[table] = display
        if table == "videos" or table in deferred:
            continue  # videos: read after the accounts (a file may name its account by user name)
        known = next((r for r in recognised if r.table == table), None)
        if known is not None:  # read already, to recognise it
            raw[table] = known.raw
            problems.items.extend(known.problems.items)
            continue
        try:
            raw[table] = read_table(path, display, problems)
        except UnreadableFile as e:
            problems.fatal(display, str(e))
        except MemoryError:
            problems.fatal(display, "is too large to read into memory")
    store_zones: dict[str, str] = {}

    def load(table: str):
        if table not in raw:
            return None
        schema = SCHEMAS[table]
        v = validate(schema, raw[table], export.sources[table], problems, default_zone, store_zones)
        if v is None:
            return None
        export.rows_read[table] = v.rows_read
        return v.frame

    export.stores = load("stores")
    if export.stores is not None:
        zones = export.stores.dropna(subset=["timezone"])
        # (tolist(): the same values; zipping the Series made an Arrow scalar per row)
        store_zones.update(zip(zones["store_id"].tolist(), zones["timezone"].tolist()))
    done("stores")
    export.accounts = load("accounts")
    done("accounts")
    if "videos" in files:
        export.videos = _load_videos(source, files["videos"], export, problems, default_zone, account_id)
    export.lives = load("live_sessions")
    done("live_sessions")
    export.products = load("products")
    done("products")
    if "bindings" in raw:
        export.bindings = load_bindings(raw["bindings"], export, problems, default_zone, store_zones)
    done("bindings")
    if export.lives is not None:
        export.lives = export.lives.rename(columns={"started_at": "start", "ended_at": "end"})
    if export.videos is not None:
        export.videos = export.videos.rename(columns={"posted_at": "posted"})
        if media is not None:
            cache = HashCache(media.cache_dir)
            covers = (CoverFetcher(media.fetch_covers, media.cache_dir or media.covers_dir)
                      if media.fetch_covers else None)
            try:
                export.videos = attach_hashes(export.videos, source, export.sources["videos"], problems, cache,
                                              progress=media.progress, covers=covers,
                                              video_mapper=media.video_mapper)
                if covers is not None and (media.cache_dir or media.covers_dir):
                    export.fetched_covers = {url: str(path) for url, path in sorted(covers.fetched.items())}
            finally:
                cache.close()
                if covers is not None:
                    covers.close()
        export.videos = export.videos.drop(columns="_file")
    done("videos")  # last: with its pictures
    return export


def _load_videos(source: ExportSource, path: Path, export: Export, problems: Problems, default_zone: str,
                 account_id: str | None) -> pd.DataFrame | None:
    """The videos table from one file or from a videos/ folder of files, each of any shape
    (lint.ingest.tiktok). A file that names no account takes it from its name in the folder,
    else from --account-id, else (a data export) from the profile's user name. The frame
    keeps each row's file in `_file` for messages."""
    if path.is_dir():
        members, refused = source.videos_folder_files(path)
        for message in refused:
            problems.fatal(message.split(": ", 1)[0], message.split(": ", 1)[1])
    else:
        members = [(path.name, path, None)]
    accounts = _AccountNames(export.accounts)
    frames, read, pages = [], 0, []
    for display, file, named_by_file in members:
        try:
            got = read_videos_file(file, display, problems)
        except UnreadableFile as e:
            problems.fatal(display, str(e))
            continue
        except MemoryError:
            problems.fatal(display, "is too large to read into memory")
            continue
        raw, account = got.raw, None
        if "account_id" not in resolve_columns(VIDEOS, raw)[0]:
            named, source_name = next(((a, s) for a, s in ((named_by_file, "file name"), (account_id, "--account-id"),
                                                           (got.account, "userName")) if a), (None, None))
            if named is None and got.shape is not None:
                problems.fatal(display, _no_account(got), column="account_id")
                continue
            if named is not None:
                account = accounts.resolve(named)
                raw = with_account(raw, account, source_name)
        v = validate(VIDEOS, raw, display, problems, default_zone)
        if v is None:
            continue
        read += v.rows_read
        frames.append(v.frame.assign(_file=display))
        pages.append((display, got, account))
    _note_missing_pages(pages, problems)
    if not frames:
        return None
    export.rows_read["videos"] = read
    videos = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    return _drop_repeated_videos(videos, problems) if len(frames) > 1 else videos


def _no_account(got: VideoFile) -> str:
    where = ("put the file in a videos/ folder named after the account (videos/ACCOUNT.json, or "
             "videos/ACCOUNT/PAGE.json for several pages)")
    if got.shape == DISPLAY_API:
        return f"is a {DISPLAY_API}, which names no account: give --account-id ACCOUNT, or {where}"
    return f"is a {DATA_EXPORT} without a user name (ProfileMap → userName): give --account-id ACCOUNT, or {where}"


class _AccountNames:
    """An account named by a file, --account-id or a user name -> its account_id: the name
    as written when it is an account_id of the accounts table, else the account whose
    handle it is (with or without @, any case), else the name as written."""

    def __init__(self, accounts: pd.DataFrame | None):
        self.ids: set[str] = set()
        self.by_handle: dict[str, str] = {}
        if accounts is not None and len(accounts):
            self.ids = set(accounts["account_id"].dropna())
            for account, handle in zip(accounts["account_id"], accounts["handle"]):
                if isinstance(handle, str) and handle.strip():
                    self.by_handle.setdefault(squash(handle.strip().lstrip("@")), account)

    def resolve(self, name: str) -> str:
        name = name.strip()
        if name in self.ids:
            return name
        return self.by_handle.get(squash(name.lstrip("@")), name)


def _note_missing_pages(pages, problems: Problems):
    """A Display API page says has_more when later pages exist: when no page of an account
    is its last one, say that the account's older videos are not in the export."""
    by_account: dict[str, list] = {}
    for display, got, account in pages:
        if got.shape == DISPLAY_API and account is not None:
            by_account.setdefault(account, []).append((display, got))
    for account, account_pages in by_account.items():
        if any(got.has_more is False for _, got in account_pages):
            continue
        more = [(display, got) for display, got in account_pages if got.has_more]
        if more:
            display, got = more[-1]
            problems.add(display, None, None, f"the Display API says account {account} has older videos than "
                         f"the pages here (has_more: true, cursor {got.cursor}); they are not checked: fetch the "
                         "next pages from this cursor and add them to the export", level="warning")


def _drop_repeated_videos(videos: pd.DataFrame, problems: Problems) -> pd.DataFrame:
    """A video_id in several files of a videos folder (overlapping pages): the first is kept."""
    ids = videos["video_id"]
    repeated = ids.duplicated(keep="first").to_numpy()
    if not repeated.any():
        return videos
    first = {v: (f, r) for v, f, r in zip(ids[~repeated], videos["_file"][~repeated], videos["_row"][~repeated])}
    for i in np.flatnonzero(repeated):
        f, r = first[ids.iloc[i]]
        problems.add(videos["_file"].iloc[i], videos["_row"].iloc[i], "video_id",
                     f"duplicate video_id (first in {f}, row {r}); row skipped", value=ids.iloc[i])
    return videos.loc[~repeated].reset_index(drop=True)


def load_bindings(raw, export: Export, problems: Problems, default_zone, store_zones):
    """The bindings table from its raw columns, in whichever form (events or intervals) its
    columns are; fatal problems name the missing columns of both forms."""
    display = export.sources["bindings"]
    # Choose the form whose columns are there; the event form wins a tie.
    _, missing_events = resolve_columns(BINDING_EVENTS, raw)
    _, missing_intervals = resolve_columns(BINDING_INTERVALS, raw)
    schema = BINDING_EVENTS if len(missing_events) <= len(missing_intervals) else BINDING_INTERVALS
    if missing_events and missing_intervals:
        found = ", ".join(raw.original_names.values()) or "none"
        form, missing = (("event", missing_events) if schema is BINDING_EVENTS
                         else ("interval", missing_intervals))
        for name in missing:
            problems.fatal(display, f"required column '{name}' of the {form} form is missing (columns found: "
                                    f"{found}); the accepted forms are events (event_id, store_id, account_id, "
                                    "account_type, action, at) or intervals (binding_id, store_id, account_id, "
                                    "account_type, bound_at, unbound_at)", row=1, column=name)
        return None
    v = validate(schema, raw, display, problems, default_zone, store_zones)
    if v is None:
        return None
    export.rows_read["bindings"] = v.rows_read
    if schema is BINDING_EVENTS:
        return events_to_bindings(v.frame, display, problems)
    return intervals_to_bindings(v.frame, display, problems)
