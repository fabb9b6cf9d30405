"""Read and validate: an export (a folder, a .zip, an object-storage URL) into the canonical
tables every check reads (lint.core.model.Export), with every input problem named by file,
row and column.

    source.py     the export's files, inside the export only (zips, links, limits)
    reader.py     one table file of any format -> raw text columns with the user's row numbers
    recognise.py  files named after no table, recognised by their content or columns
    shapes/       the files TikTok Shop writes (Seller Center, Studio, Partner API pages)
    schema.py     declared schemas: validate raw columns into typed canonical columns
    timestamps.py the three timestamp forms, per-store zones
    bindings.py   bind/unbind events or intervals -> one row per binding
    snapshots.py  linked_accounts snapshots -> a ledger of bindings, with each event's window
    tiktok.py     TikTok's own shapes of the videos table
    media.py      pictures and video files -> hashes and fingerprints (cached by content)
    covers.py     covers given as URLs, fetched only when asked
    export.py     load_export: all of the above, in order
"""
from lint.ingest.export import MediaOptions, load_bindings, load_export
from lint.ingest.source import ExportError, ExportSource

__all__ = ["load_export", "load_bindings", "ExportError", "ExportSource", "MediaOptions", "CoverLimits",
           "default_cache_dir"]


def __getattr__(name: str):
    # the picture side (Pillow, the cover fetcher) is imported only by a run that asks for it
    if name == "CoverLimits":
        from lint.ingest.covers import CoverLimits
        return CoverLimits
    if name == "default_cache_dir":
        from lint.ingest.media import default_cache_dir
        return default_cache_dir
    raise AttributeError(f"module 'lint.ingest' has no attribute {name!r}")
