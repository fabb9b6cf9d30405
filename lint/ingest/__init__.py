"""Read and validate an export folder into the canonical tables (lint.model.Export)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lint.ingest.bindings import events_to_bindings, intervals_to_bindings
from lint.ingest.media import HashCache, attach_hashes, default_cache_dir
from lint.ingest.reader import UnreadableFile, read_table
from lint.ingest.schema import (BINDING_EVENTS, BINDING_INTERVALS, SCHEMAS, resolve_columns,
                                validate)
from lint.ingest.source import ExportError, ExportSource
from lint.model import Export, Problems

__all__ = ["load_export", "ExportError", "ExportSource", "MediaOptions", "default_cache_dir"]


@dataclass(frozen=True)
class MediaOptions:
    """Hash the videos' pictures (thumbnails, key frames) for DUP001."""
    cache_dir: Path | None = None  # None: no persistent cache
    progress: bool = False


def load_export(source: ExportSource, default_zone: str, problems: Problems,
                media: MediaOptions | None = None) -> Export:
    """Read every table of `source`. Fatal problems (unusable file or table) are added to
    `problems`; the caller stops when `problems.has_fatal`. With `media`, the pictures the
    videos table names are hashed too (only files inside the export are read)."""
    files, duplicates = source.table_files()
    for message in duplicates:
        problems.fatal(message.split(":")[0], message.split(": ", 1)[1])
    export = Export(root=str(source.root))
    raw = {}
    for table, path in files.items():
        display = path.name
        export.sources[table] = display
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
        store_zones.update(zip(zones["store_id"], zones["timezone"]))
    export.accounts = load("accounts")
    export.videos = load("videos")
    export.lives = load("live_sessions")
    export.products = load("products")
    if "bindings" in raw:
        export.bindings = _load_bindings(raw["bindings"], export, problems, default_zone, store_zones)
    if export.lives is not None:
        export.lives = export.lives.rename(columns={"started_at": "start", "ended_at": "end"})
    if export.videos is not None:
        export.videos = export.videos.rename(columns={"posted_at": "posted"})
        if media is not None:
            cache = HashCache(media.cache_dir)
            try:
                export.videos = attach_hashes(export.videos, source, export.sources["videos"], problems, cache,
                                              progress=media.progress)
            finally:
                cache.close()
    return export


def _load_bindings(raw, export: Export, problems: Problems, default_zone, store_zones):
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
