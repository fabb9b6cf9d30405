"""Attach perceptual hashes of each video's thumbnail and key frames to the videos table.

Every image path goes through ExportSource.resolve first. Hashes are cached by the image
file's content hash, so a nightly run re-hashes only new images; the rest run on all cores.
"""
from __future__ import annotations

import os
import sqlite3
import sys
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import click
import numpy as np
import pandas as pd

from lint.ingest.images import ImageHashes, ImageProblem, content_key, hash_image_bytes, parse_hex_hash
from lint.ingest.source import ExportSource, RefusedPath
from lint.model import Problems

# Bump when the hashing changes, so old cache entries are not mixed with new ones.
SIGNATURE_VERSION = 1
PARALLEL_FROM = 64  # below this many images, process start-up costs more than it saves


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "shoplint"


class HashCache:
    """content key -> ImageHashes, in one SQLite file (safe for concurrent runs)."""

    def __init__(self, directory: Path | None):
        self.db = None
        if directory is None:
            return
        try:
            directory.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(str(directory / f"image-hashes-v{SIGNATURE_VERSION}.sqlite"), timeout=30)
            self.db.execute("CREATE TABLE IF NOT EXISTS h (key TEXT PRIMARY KEY, p INT, pm INT, c INT, cm INT)")
        except (OSError, sqlite3.Error):
            self.db = None  # a cache we cannot use only costs time

    def get_many(self, keys: list[str]) -> dict[str, ImageHashes]:
        found: dict[str, ImageHashes] = {}
        if self.db is None or not keys:
            return found
        for i in range(0, len(keys), 900):
            chunk = keys[i:i + 900]
            rows = self.db.execute(f"SELECT key, p, pm, c, cm FROM h WHERE key IN ({','.join('?' * len(chunk))})",
                                   chunk).fetchall()
            for key, *values in rows:
                found[key] = ImageHashes(*(v & 0xFFFFFFFFFFFFFFFF for v in values))
        return found

    def put_many(self, items: dict[str, ImageHashes]):
        if self.db is None or not items:
            return
        signed = lambda v: v - (1 << 64) if v >= 1 << 63 else v  # noqa: E731 - SQLite ints are signed
        try:
            with self.db:
                self.db.executemany("INSERT OR REPLACE INTO h VALUES (?, ?, ?, ?, ?)",
                                    [(k, signed(h.phash), signed(h.phash_mirror), signed(h.centre),
                                      signed(h.centre_mirror)) for k, h in items.items()])
        except sqlite3.Error:
            pass

    def close(self):
        if self.db is not None:
            self.db.close()


def _key_of(path: Path) -> str:
    with open(path, "rb") as fh:
        return content_key(fh.read())


def _hash_file(path: str) -> ImageHashes | str:
    """In a worker: the hashes, or the problem as text (exceptions do not cross processes well)."""
    try:
        with open(path, "rb") as fh:
            return hash_image_bytes(fh.read())
    except ImageProblem as e:
        return str(e)
    except OSError as e:
        return f"cannot be read ({e.strerror or e})"


def hash_files(paths: list[Path], cache: HashCache, jobs: int | None = None,
               progress: bool = False) -> dict[Path, ImageHashes | str]:
    """Hash every file (unique real paths) -> hashes, or the reason it could not be hashed."""
    if not paths:
        return {}
    with ThreadPoolExecutor(max_workers=4) as pool:
        keys = dict(zip(paths, pool.map(_key_of, paths)))
    cached = cache.get_many(sorted(set(keys.values())))
    results: dict[Path, ImageHashes | str] = {p: cached[k] for p, k in keys.items() if k in cached}
    todo = [p for p in paths if p not in results]
    # Identical files (the same image twice) are hashed once.
    first_of_key: dict[str, Path] = {}
    for p in todo:
        first_of_key.setdefault(keys[p], p)
    unique = list(first_of_key.values())
    jobs = jobs or os.cpu_count() or 1
    computed: list = []
    bar = click.progressbar(length=len(unique), label="hashing images", file=sys.stderr) if progress else None
    if bar is not None:
        bar.__enter__()
    try:
        if len(unique) >= PARALLEL_FROM and jobs > 1:
            with ProcessPoolExecutor(max_workers=jobs) as pool:
                for r in pool.map(_hash_file, [str(p) for p in unique], chunksize=32):
                    computed.append(r)
                    if bar is not None:
                        bar.update(1)
        else:
            for p in unique:
                computed.append(_hash_file(str(p)))
                if bar is not None:
                    bar.update(1)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    by_key = {keys[p]: r for p, r in zip(unique, computed)}
    cache.put_many({k: r for k, r in by_key.items() if isinstance(r, ImageHashes)})
    for p in todo:
        results[p] = by_key[keys[p]]
    return results


def attach_hashes(videos: pd.DataFrame, source: ExportSource, display: str, problems: Problems,
                  cache: HashCache, progress: bool = False) -> pd.DataFrame:
    """Add thumb_phash/thumb_mirror/thumb_centre/thumb_centre_mirror (nullable UInt64) and
    frame_hashes (list of (phash, mirror) per frame, None for an unusable frame)."""
    n = len(videos)
    rows = videos["_row"].to_numpy()
    resolved: dict[tuple[int, str], Path] = {}

    def resolve(i: int, column: str, relative: str) -> Path | None:
        try:
            path = source.resolve(relative)
        except RefusedPath as e:
            problems.add(display, rows[i], column, f"path {e}; the video is compared on its other signals",
                         value=relative, level="value")
            return None
        resolved[(i, relative)] = path
        return path

    thumbs = videos["thumbnail"].to_numpy(dtype=object, na_value=None)
    frames = videos["frames"].to_numpy(dtype=object)
    thumb_path: list[Path | None] = [None] * n
    frame_paths: list[list[Path | None]] = [[] for _ in range(n)]
    for i in range(n):
        if thumbs[i]:
            thumb_path[i] = resolve(i, "thumbnail", thumbs[i])
        for f in frames[i] or []:
            frame_paths[i].append(resolve(i, "frames", f))
    unique = sorted({p for p in thumb_path if p} | {p for fp in frame_paths for p in fp if p})
    hashed = hash_files(unique, cache, progress=progress)

    cols = {name: np.zeros(n, dtype=np.uint64) for name in ("p", "pm", "c", "cm")}
    has = np.zeros(n, dtype=bool)
    has_mirror = np.zeros(n, dtype=bool)
    given = videos["thumbnail_phash"].to_numpy(dtype=object, na_value=None)
    for i in range(n):
        p = thumb_path[i]
        if p is not None:
            r = hashed[p]
            if isinstance(r, ImageHashes):
                cols["p"][i], cols["pm"][i], cols["c"][i], cols["cm"][i] = (
                    r.phash, r.phash_mirror, r.centre, r.centre_mirror)
                has[i] = has_mirror[i] = True
                continue
            problems.add(display, rows[i], "thumbnail", f"image {r}; the video is compared on its other signals",
                         value=thumbs[i], level="value")
        if given[i]:
            value = parse_hex_hash(given[i])
            if value is None:
                problems.add(display, rows[i], "thumbnail_phash", "is not a 64-bit hash of 16 hex digits; "
                             "value ignored", value=given[i], level="value")
            else:
                cols["p"][i] = value
                has[i] = True
    frame_hashes = []
    for i in range(n):
        hs = []
        for rel, p in zip(frames[i] or [], frame_paths[i]):
            r = hashed.get(p) if p is not None else None
            if isinstance(r, ImageHashes):
                hs.append((r.phash, r.phash_mirror))
            else:
                if isinstance(r, str):
                    problems.add(display, rows[i], "frames", f"image {r}; frame ignored", value=rel, level="value")
                hs.append(None)
        frame_hashes.append(hs)
    out = videos.copy()
    out["thumb_phash"] = pd.array(np.where(has, cols["p"], 0), dtype="UInt64")
    out.loc[~has, "thumb_phash"] = pd.NA
    for name, key in (("thumb_mirror", "pm"), ("thumb_centre", "c"), ("thumb_centre_mirror", "cm")):
        out[name] = pd.array(cols[key], dtype="UInt64")
        out.loc[~has_mirror, name] = pd.NA
    out["frame_hashes"] = pd.Series(frame_hashes, dtype=object, index=out.index)
    return out
