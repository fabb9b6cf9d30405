"""Read and validate an export folder into the canonical tables (lint.core.model.Export):
`load_export`, the entry of every engine."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from lint.core.model import ROLE_COLUMNS, Export, ProblemLevel, Problems

if TYPE_CHECKING:
    from lint.ingest.covers import CoverLimits
from lint.ingest.bindings import events_to_bindings, intervals_to_bindings
from lint.ingest.reader import UnreadableFile, read_table
from lint.ingest.recognise import recognise
from lint.ingest.schema import BINDING_EVENTS, BINDING_INTERVALS, SCHEMAS, VIDEOS, resolve_columns, validate
from lint.ingest.shapes import missing_pages
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
    recognised = recognise(source.other_files(), set(files), problems, nested=source.nested_files(),
                           root=source.root)
    for display, message in missing_pages([(r.display, r.page) for r in recognised if r.page is not None]):
        problems.add(display, None, None, message, level="warning")
    shaped: dict[str, list] = {}  # table -> files of TikTok's shapes read as its rows
    for r in recognised:
        if r.shape is None:
            files[r.table] = r.path
        else:
            shaped.setdefault(r.table, []).append(r)
            problems.items.extend(r.problems.items)
    for table, extra in shaped.items():
        names = ([files[table].name] if table in files else []) + [r.display for r in extra]
        export.sources[table] = ", ".join(dict.fromkeys(names))
    recognised = [r for r in recognised if r.shape is None]
    for table, path in files.items():
        display = path.name + ("/" if path.is_dir() else "")
        export.sources[table] = display if table not in shaped else export.sources[table]
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
        parts = ([(files[table].name, raw[table], False)] if table in raw else []) + \
            [(r.display, r.raw, True) for r in shaped.get(table, ())]
        if not parts:
            return None
        schema = SCHEMAS[table]
        frames, read = [], 0
        seen_stores: set = set()
        names = _AccountNames(export.accounts) if table != "accounts" and any(p[2] for p in parts) else None
        for display, table_raw, is_shaped in parts:
            v = validate(schema, table_raw, display if len(parts) > 1 else export.sources[table], problems,
                         _shop_zone(export, default_zone) if is_shaped else default_zone, store_zones)
            if v is None:
                continue
            frame, rows_read = v.frame, v.rows_read
            if is_shaped and names is not None and "account_id" in frame.columns:
                frame["account_id"] = names.resolve_all(
                    frame["account_id"], frame["creator_id"] if "creator_id" in frame.columns else None)
            if table == "stores":
                # every saved API page names its shop: a shop given already (stores.csv, an
                # earlier page) is the same shop again, not a duplicate worth a message
                if is_shaped:
                    again = frame["store_id"].isin(seen_stores).to_numpy()
                    frame, rows_read = frame.loc[~again], rows_read - int(again.sum())
                seen_stores.update(frame["store_id"])
            frames.append(frame.assign(_file=display) if len(parts) > 1 else frame)
            read += rows_read
        if not frames:
            return None
        export.rows_read[table] = read
        if len(frames) == 1:
            return frames[0].drop(columns="_file", errors="ignore")
        return join_files(schema, frames, problems)

    export.stores = load("stores")
    if export.stores is not None:
        zones = export.stores.dropna(subset=["timezone"])
        # (tolist(): the same values; zipping the Series made an Arrow scalar per row)
        store_zones.update(zip(zones["store_id"].tolist(), zones["timezone"].tolist()))
    done("stores")
    export.accounts = load("accounts")
    done("accounts")
    if "videos" in files or "videos" in shaped:
        export.videos = _load_videos(source, files.get("videos"), export, problems, default_zone, account_id,
                                     shaped.get("videos", ()))
    export.lives = load("live_sessions")
    done("live_sessions")
    export.products = load("products")
    done("products")
    if "bindings" in raw:
        export.bindings = load_bindings(raw["bindings"], export, problems, default_zone, store_zones)
    done("bindings")
    export.linked_accounts = load("linked_accounts")
    if export.linked_accounts is not None and "bindings" not in deferred:
        _add_snapshot_ledger(export, problems)
    done("linked_accounts")
    if export.lives is not None:
        export.lives = export.lives.rename(columns={"started_at": "start", "ended_at": "end"})
    if export.videos is not None:
        export.videos = export.videos.rename(columns={"posted_at": "posted"})
        if media is not None:
            # (imported here: pictures bring Pillow, which a run without videos never needs)
            from lint.ingest.covers import CoverFetcher
            from lint.ingest.media import HashCache, attach_hashes
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
    _note_roles_without_store(export, problems)
    return export


def _note_roles_without_store(export: Export, problems: Problems) -> None:
    """Rows whose role the source states but whose store it does not say, in an export of
    several stores: their role cannot be used (lint.core.model.Export.one_store); say so."""
    if export.one_store() is not None:
        return
    frames = {"live_sessions": export.lives, "videos": export.videos}
    stores = set(export.stores["store_id"].tolist()) if export.stores is not None else set()
    for table, frame in frames.items():
        if frame is None or "account_type" not in frame.columns:
            continue
        lost = int((frame["account_type"].notna() & frame["store_id"].isna()).sum())
        if lost:
            named = {s for f in frames.values() if f is not None for s in f["store_id"].dropna().tolist()}
            shops = ", ".join(sorted(stores or named)[:5]) or "none named"
            problems.add(export.sources.get(table, table), None, "store_id",
                         f"{lost} row{'s' if lost > 1 else ''} state{'' if lost > 1 else 's'} the account's role "
                         f"but not the store, and the export has several stores ({shops}): that role is not used; "
                         "add store_id (a page saved by shoplint pull has it), or keep one shop per export",
                         level=ProblemLevel.WARNING)


def _load_videos(source: ExportSource, path: Path | None, export: Export, problems: Problems, default_zone: str,
                 account_id: str | None, shaped=()) -> pd.DataFrame | None:
    """The videos table from one file or from a videos/ folder of files, each of any shape
    (lint.ingest.tiktok). A file that names no account takes it from its name in the folder,
    else from --account-id, else (a data export) from the profile's user name. The frame
    keeps each row's file in `_file` for messages."""
    if path is None:
        members = []
    elif path.is_dir():
        members, refused = source.videos_folder_files(path)
        for message in refused:
            problems.fatal(message.split(": ", 1)[0], message.split(": ", 1)[1])
    else:
        members = [(path.name, path, None)]
    accounts = _AccountNames(export.accounts)
    store_zones: dict[str, str] = {}  # naive times of rows naming their store: that store's zone
    if export.stores is not None:
        zoned = export.stores.dropna(subset=["timezone"])
        store_zones = dict(zip(zoned["store_id"], zoned["timezone"]))
    frames, read, pages = [], 0, []
    for r in shaped:  # files of TikTok's shapes (lint.ingest.shapes), named after no table
        v = validate(VIDEOS, r.raw, r.display, problems, _shop_zone(export, default_zone), store_zones)
        if v is not None:
            read += v.rows_read
            frame = v.frame.assign(_file=r.display)
            frame["account_id"] = accounts.resolve_all(frame["account_id"])
            frames.append(frame)
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
        v = validate(VIDEOS, raw, display, problems, default_zone, store_zones)
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
    return join_files(VIDEOS, [videos], problems) if len(frames) > 1 else videos


def _shop_zone(export: Export, default_zone: str) -> str:
    """The zone of a TikTok file's shop-local times when its rows name no store: the zone of
    the export's one store (a seller's own export), else the run's --timezone."""
    stores = export.stores
    if stores is not None and len(stores) == 1 and isinstance(stores["timezone"].iloc[0], str):
        return stores["timezone"].iloc[0]
    return default_zone


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
            shared = set()
            for account, handle in zip(accounts["account_id"], accounts["handle"]):
                if isinstance(handle, str) and handle.strip():
                    name = _handle_key(handle)
                    if self.by_handle.setdefault(name, account) != account:
                        shared.add(name)  # two accounts with one handle: the name says neither
            for name in shared:
                del self.by_handle[name]

    def resolve_all(self, names: pd.Series, ids: pd.Series | None = None) -> pd.Series:
        """`resolve` of every name of a column (each distinct name once); where `ids` (the
        numeric user id a file gives beside the name) is an account_id of the accounts
        table, that id."""
        if not self.ids and not self.by_handle:
            return names
        distinct = names.dropna().unique().tolist()
        out = names.map({n: self.resolve(n) for n in distinct}).astype("str")
        if ids is not None:
            known = ids.isin(self.ids).to_numpy()
            if known.any():
                out = out.copy()
                out[known] = ids[known]
        return out

    def resolve(self, name: str) -> str:
        name = name.strip()
        if name in self.ids:
            return name
        return self.by_handle.get(_handle_key(name), name)


def _handle_key(handle: str) -> str:
    """A TikTok user name as names are matched: without @, any case. '_' and '.' count
    (toko_satu and tokosatu are two users)."""
    return handle.strip().lstrip("@").strip().casefold()


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


def _add_snapshot_ledger(export: Export, problems: Problems) -> None:
    """The bindings the linked_accounts snapshots show, for the stores the bindings table
    does not cover, joined to the bindings (lint.ingest.snapshots)."""
    from lint.ingest.bindings import _typed
    from lint.ingest.snapshots import snapshots_to_bindings
    covered = set(export.bindings["store_id"].unique().tolist()) if export.bindings is not None else set()
    ledger, windows = snapshots_to_bindings(export.linked_accounts, export.sources["linked_accounts"], problems,
                                            covered)
    export.observed.update(windows)
    if export.bindings is None:
        if len(ledger):  # no usable snapshot: no ledger (the binding rules are not run)
            export.bindings = ledger
            export.sources["bindings"] = export.sources["linked_accounts"]
    elif len(ledger):
        export.bindings = _typed(pd.concat([export.bindings, ledger], ignore_index=True))


def join_files(schema, frames: list[pd.DataFrame], problems: Problems) -> pd.DataFrame:
    """Rows of one table from several files (a videos/ folder, weekly exports, the pages of
    an API listing), each frame with its file in `_file`: a row whose id (the schema's
    unique column) is in an earlier file is dropped and listed; the role its source stated
    (ROLE_COLUMNS) is kept on the row kept. The result keeps `_file` for videos (their
    pictures' messages), not for other tables."""
    rows = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    key = next(c.name for c in schema.columns if c.unique)
    first = _first_of(rows[key])
    repeated = first != np.arange(len(rows))
    if repeated.any():
        ids, files, file_rows = (rows[key].to_numpy(dtype=object), rows["_file"].to_numpy(dtype=object),
                                 rows["_row"].to_numpy())
        _list(problems, np.flatnonzero(repeated), key, lambda i: (
            files[i], file_rows[i], f"duplicate {key} (first in {files[first[i]]}, row {file_rows[first[i]]}); "
            "row skipped", ids[i]))
        rows = _drop_onto(rows, repeated, first)
    if schema.name == "live_sessions":
        rows = _drop_same_session(rows, problems)
    return rows if schema.name == "videos" else rows.drop(columns="_file")


def _first_of(keys) -> np.ndarray:
    """For each row, the position of the first row with its key (vectorised)."""
    codes = pd.factorize(keys)[0]
    _, firsts = np.unique(codes, return_index=True)
    return firsts[codes] if len(codes) else np.zeros(0, dtype=np.int64)


def _list(problems: Problems, positions: np.ndarray, column: str, describe) -> None:
    """One row problem per dropped row, the first MAX_PER_COLUMN of them, then how many more."""
    from lint.ingest.schema import MAX_PER_COLUMN, more_rows_message
    for i in positions[:MAX_PER_COLUMN]:
        file, row, message, value = describe(i)
        problems.add(file, row, column, message, value=value)
    if len(positions) > MAX_PER_COLUMN:
        problems.add(describe(positions[MAX_PER_COLUMN])[0], None, column,
                     more_rows_message(len(positions) - MAX_PER_COLUMN))


def _drop_onto(rows: pd.DataFrame, drop: np.ndarray, keeper: np.ndarray) -> pd.DataFrame:
    """Rows without the `drop` ones; a kept row with no role from its source takes the role
    a dropped copy of it had (keeper[i]: the row kept for row i)."""
    if "account_type" in rows.columns:
        gone = np.flatnonzero(drop)
        target = keeper[gone]
        stated = rows["account_type"].notna().to_numpy()
        carry = ~stated[target] & stated[gone]
        if carry.any():
            rows = rows.copy()
            for c in (c for c in ROLE_COLUMNS if c in rows.columns):
                values = rows[c].to_numpy(dtype=object, na_value=None)
                values[target[carry]] = values[gone[carry]]
                rows[c] = pd.array(values, dtype="str")
    return rows.loc[~drop].reset_index(drop=True)


def _drop_same_session(rows: pd.DataFrame, problems: Problems) -> pd.DataFrame:
    """One LIVE in two files under two ids: a session whose id a shape derived (the Seller
    Center's export gives none: lint.ingest.shapes.DERIVED_LIVE_ID) of the same account and
    start minute as a session of another file is that session; the derived row is dropped
    and listed, the role its source stated kept. Two ids the sources gave are two sessions."""
    from lint.ingest.shapes import DERIVED_LIVE_ID
    ids = rows["live_id"].astype("str")
    derived = ids.str.startswith(DERIVED_LIVE_ID).to_numpy()
    if not derived.any():
        return rows
    minute = rows["started_at"].to_numpy() // 60_000
    group = pd.factorize(pd.Series(rows["account_id"].astype("str").to_numpy(dtype=object) + "\x1f"
                                   + minute.astype(str)))[0]
    # the row kept for each group: its first row with an id from the source, else its first row
    order = np.lexsort((np.arange(len(rows)), derived, group))
    starts = np.flatnonzero(np.r_[True, group[order][1:] != group[order][:-1]])
    keeper = np.empty(len(rows), dtype=np.int64)
    keeper[order] = np.repeat(order[starts], np.diff(np.r_[starts, len(order)]))
    files = rows["_file"].to_numpy(dtype=object)
    again = derived & (keeper != np.arange(len(rows))) & (files != files[keeper])
    if not again.any():
        return rows
    id_text, file_rows = ids.to_numpy(dtype=object), rows["_row"].to_numpy()
    _list(problems, np.flatnonzero(again), "live_id", lambda i: (
        files[i], file_rows[i], f"the same LIVE as live_id {id_text[keeper[i]]} in {files[keeper[i]]} (row "
        f"{file_rows[keeper[i]]}): same account, same start minute; row skipped", id_text[i]))
    return _drop_onto(rows, again, keeper)


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
