"""Attach perceptual hashes of each video's thumbnail and key frames, and the fingerprint of
its video file, to the videos table.

Every path goes through ExportSource.resolve first. Hashes and video fingerprints are cached
by the file's content hash, so a nightly run re-hashes (and re-decodes) only new files; the
rest run on all cores.
"""
from __future__ import annotations

import hashlib
import os
import sqlite3
import sys
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from struct import error as struct_error

import click
import numpy as np
import pandas as pd

from lint.core.model import Problems
from lint.ingest.covers import CoverFetcher, is_web_url
from lint.ingest.images import N_WINDOWS, ImageHashes, ImageProblem, content_key, hash_image_bytes
from lint.ingest.source import ExportSource, RefusedPath

# Bump when the hashing changes, so old cache entries are not mixed with new ones.
# 6: the bar-removed form of pictures (cut, cut_mirror) and video fingerprints.
SIGNATURE_VERSION = 6
PARALLEL_FROM = 64  # below this many images, process start-up costs more than it saves


def default_cache_dir() -> Path:
    """$XDG_CACHE_HOME/shoplint, or ~/.cache/shoplint."""
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
            self.db.execute("CREATE TABLE IF NOT EXISTS h (key TEXT PRIMARY KEY, p INT, pm INT, c INT, cm INT, "
                            "w TEXT, x INT, xm INT)")
            self.db.execute("CREATE TABLE IF NOT EXISTS v (key TEXT PRIMARY KEY, fp BLOB)")
        except (OSError, sqlite3.Error):
            self.db = None  # a cache we cannot use only costs time

    def get_many(self, keys: list[str]) -> dict[str, ImageHashes]:
        found: dict[str, ImageHashes] = {}
        if self.db is None or not keys:
            return found
        for i in range(0, len(keys), 900):
            chunk = keys[i:i + 900]
            rows = self.db.execute(f"SELECT key, p, pm, c, cm, w, x, xm FROM h WHERE key IN "
                                   f"({','.join('?' * len(chunk))})", chunk).fetchall()
            unsigned = lambda v: None if v is None else v & 0xFFFFFFFFFFFFFFFF  # noqa: E731
            for key, p, pm, c, cm, windows, x, xm in rows:
                found[key] = ImageHashes(*(unsigned(v) for v in (p, pm, c, cm)),
                                         windows=tuple(int(w, 16) for w in windows.split()) if windows else (),
                                         cut=unsigned(x), cut_mirror=unsigned(xm))
        return found

    def put_many(self, items: dict[str, ImageHashes]):
        if self.db is None or not items:
            return
        signed = lambda v: v - (1 << 64) if v is not None and v >= 1 << 63 else v  # noqa: E731 - SQLite ints are signed
        try:
            with self.db:
                self.db.executemany("INSERT OR REPLACE INTO h VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                                    [(k, signed(h.phash), signed(h.phash_mirror), signed(h.inner),
                                      signed(h.inner_mirror), " ".join(f"{x:016x}" for x in h.windows),
                                      signed(h.cut), signed(h.cut_mirror))
                                     for k, h in items.items()])
        except sqlite3.Error:
            pass

    def get_videos(self, keys: list[str]) -> dict:
        """content key -> VideoFingerprint (lint.media.fingerprint) of the cached videos."""
        from lint.media.fingerprint import VideoFingerprint
        found: dict = {}
        if self.db is None or not keys:
            return found
        for i in range(0, len(keys), 900):
            chunk = keys[i:i + 900]
            for key, blob in self.db.execute(f"SELECT key, fp FROM v WHERE key IN ({','.join('?' * len(chunk))})",
                                             chunk).fetchall():
                try:
                    found[key] = VideoFingerprint.from_bytes(blob)
                except (ValueError, TypeError, struct_error):
                    pass  # a damaged entry is decoded again
        return found

    def put_videos(self, items: dict):
        if self.db is None or not items:
            return
        try:
            with self.db:
                self.db.executemany("INSERT OR REPLACE INTO v VALUES (?, ?)",
                                    [(k, fp.to_bytes()) for k, fp in items.items()])
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
    computed = _compute_each(_hash_file, unique, label="hashing images", progress=progress,
                             parallel_from=PARALLEL_FROM, jobs=jobs, chunksize=32)
    by_key = {keys[p]: r for p, r in zip(unique, computed)}
    cache.put_many({k: r for k, r in by_key.items() if isinstance(r, ImageHashes)})
    for p in todo:
        results[p] = by_key[keys[p]]
    return results


def _compute_each(fn, paths: list[Path], *, label: str, progress: bool, parallel_from: int, jobs: int | None = None,
                  chunksize: int = 1, mapper=None, crashed: str | None = None) -> list:
    """fn(str(path)) for each of `paths`, in order: through `mapper(fn, names)` (a cluster's
    workers) when given, else in a process pool from `parallel_from` paths on, else here; a
    progress bar on stderr with `progress`. `crashed`: the result of every path not done when
    a worker dies (None: the error is raised)."""
    names = [str(p) for p in paths]
    jobs = jobs or os.cpu_count() or 1
    computed: list = []
    bar = click.progressbar(length=len(names), label=label, file=sys.stderr) if progress else None
    step = (lambda n: bar.update(n)) if bar is not None else (lambda n: None)  # noqa: E731
    if bar is not None:
        bar.__enter__()
    try:
        if mapper is not None and names:
            try:
                computed = list(mapper(fn, names))
            except Exception:  # noqa: BLE001 - a worker lost: the rows become input errors
                if crashed is None:
                    raise
                computed = [crashed] * len(names)
            step(len(names))
        elif len(names) >= parallel_from and jobs > 1:
            try:
                with ProcessPoolExecutor(max_workers=jobs) as pool:
                    for r in pool.map(fn, names, chunksize=chunksize):
                        computed.append(r)
                        step(1)
            except BrokenProcessPool:
                if crashed is None:
                    raise
                computed += [crashed] * (len(names) - len(computed))
        else:
            for name in names:
                computed.append(fn(name))
                step(1)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    return computed


# Videos decoded by this process since start (a test checks that a second run decodes none).
VIDEO_DECODES = 0
VIDEO_PARALLEL_FROM = 8  # below this many videos, decode in this process


def _video_key(path: Path, max_bytes: int) -> str | None:
    """Content key of a video file, read in 1 MiB pieces; None when it is over the limit."""
    if path.stat().st_size > max_bytes:
        return None
    h = hashlib.blake2b(digest_size=16)
    with open(path, "rb") as fh:
        for piece in iter(lambda: fh.read(1 << 20), b""):
            h.update(piece)
    return h.hexdigest()


def _fingerprint_file(path: str):
    """In a worker: the video's fingerprint, or the problem as text."""
    from lint.media.fingerprint import fingerprint_file
    from lint.media.video import VideoProblem
    try:
        return fingerprint_file(Path(path))
    except VideoProblem as e:
        return str(e)
    except OSError as e:
        return f"cannot be read ({e.strerror or e})"
    except MemoryError:
        return "is too large to decode in memory"


def fingerprint_videos(paths: list[Path], cache: HashCache, jobs: int | None = None,
                       progress: bool = False, mapper=None) -> dict:
    """Fingerprint every video file (unique real paths) -> VideoFingerprint, or the reason it
    could not be read. Cached by content: an unchanged file is never decoded again (the
    cache is read and written here, on the client). `mapper(fn, paths)`: where the files not
    in the cache are decoded (a cluster's workers), instead of this machine's processes."""
    global VIDEO_DECODES
    if not paths:
        return {}
    from lint.media.video import MAX_VIDEO_BYTES
    results: dict = {}
    keys: dict[Path, str] = {}
    for p in paths:
        try:
            key = _video_key(p, MAX_VIDEO_BYTES)
        except OSError as e:
            results[p] = f"cannot be read ({e.strerror or e})"
            continue
        if key is None:
            results[p] = f"is {p.stat().st_size} bytes (limit {MAX_VIDEO_BYTES})"
        else:
            keys[p] = key
    cached = cache.get_videos(sorted(set(keys.values())))
    first_of_key: dict[str, Path] = {}
    for p, k in keys.items():
        if k in cached:
            results[p] = cached[k]
        else:
            first_of_key.setdefault(k, p)
    unique = list(first_of_key.values())
    VIDEO_DECODES += len(unique)
    # a decoder that crashes its worker (FFmpeg on a hostile file) takes down the pool or the
    # cluster's task: the videos not yet done are reported, not retried in this process
    computed = _compute_each(_fingerprint_file, unique, label="reading videos", progress=progress and bool(unique),
                             parallel_from=VIDEO_PARALLEL_FROM, jobs=jobs, mapper=mapper,
                             crashed="could not be decoded (the decoder stopped abnormally)")
    by_key = {keys[p]: r for p, r in zip(unique, computed)}
    cache.put_videos({k: r for k, r in by_key.items() if not isinstance(r, str)})
    for p, k in keys.items():
        if p not in results:
            results[p] = by_key[k]
    return results


_HEX = np.full(256, 255, dtype=np.uint8)
for _i, _c in enumerate(b"0123456789abcdef"):
    _HEX[_c] = _i
for _i, _c in enumerate(b"ABCDEF"):
    _HEX[_c] = 10 + _i


def given_hashes(videos: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The precomputed `thumbnail_phash` column -> (uint64 values, valid mask), vectorised:
    16 hex digits, optionally with 0x. Parsing only; no file is read."""
    n = len(videos)
    if "thumbnail_phash" not in videos.columns:
        return np.zeros(n, np.uint64), np.zeros(n, bool)
    text = videos["thumbnail_phash"].astype("string").str.strip().str.replace(r"^0[xX]", "", regex=True)
    present = text.notna().to_numpy() & (text.str.len().fillna(0).to_numpy() == 16)
    values = np.zeros(n, np.uint64)
    ok = np.zeros(n, bool)
    idx = np.flatnonzero(present)
    if len(idx):
        raw = np.frombuffer("".join(text.to_numpy(dtype=object)[idx]).encode("ascii", "replace"), dtype=np.uint8)
        digits = _HEX[raw].reshape(len(idx), 16)
        good = (digits < 16).all(axis=1)
        weights = (np.uint64(16) ** np.arange(15, -1, -1, dtype=np.uint64)).astype(np.uint64)
        values[idx] = (digits.astype(np.uint64) * weights).sum(axis=1, dtype=np.uint64)
        ok[idx] = good
    return values, ok


# Covers given as URLs and not fetched are noted row by row up to this many per file, then
# counted in one line (a Display API export has a URL on every row).
MAX_UNFETCHED_NOTES = 10


def attach_hashes(videos: pd.DataFrame, source: ExportSource, display: str, problems: Problems,
                  cache: HashCache, progress: bool = False, covers: CoverFetcher | None = None,
                  video_mapper=None) -> pd.DataFrame:
    """Add thumb_phash, thumb_mirror, thumb_inner, thumb_inner_mirror, thumb_cut,
    thumb_cut_mirror and thumb_win0..8 (nullable UInt64; see lint.ingest.images),
    frame_hashes (list of (phash, mirror, cut, cut mirror) per frame, the cut forms equal to
    the first two when the frame has no bars; None for an unusable frame) and
    video_fp (the lint.media.fingerprint.VideoFingerprint of `video_file`, or None).

    A precomputed thumbnail_phash is used as given; the picture, when there is one, adds the
    mirrored, inner and crop forms. A thumbnail that is an http(s) URL (a Display API
    cover) is downloaded by `covers` when given, else only recorded. Messages name the
    row's file: the `_file` column when the table came from several files, else `display`."""
    n = len(videos)
    rows = videos["_row"].to_numpy()
    files = (videos["_file"].to_numpy(dtype=object) if "_file" in videos.columns
             else np.full(n, display, dtype=object))

    def resolve(i: int, column: str, relative: str) -> Path | None:
        try:
            return source.resolve(relative)
        except RefusedPath as e:
            problems.add(files[i], rows[i], column, f"path {e}; the video is compared on its other signals",
                         value=relative, level="value")
            return None

    thumbs = _given(videos, "thumbnail")
    frames = (videos["frames"].to_numpy(dtype=object) if "frames" in videos.columns
              else np.full(n, None, dtype=object))
    with_thumb = [i for i, t in thumbs.items() if t]
    with_frames = [i for i in range(n) if frames[i] is not None and len(frames[i])]
    with_url = [i for i in with_thumb if is_web_url(thumbs[i])]
    thumb_path = {i: resolve(i, "thumbnail", thumbs[i]) for i in with_thumb if not is_web_url(thumbs[i])}
    thumb_path.update(_cover_files(with_url, thumbs, rows, files, problems, covers))
    frame_paths = {i: [resolve(i, "frames", f) for f in frames[i]] for i in with_frames}
    unique = sorted({p for p in thumb_path.values() if p} | {p for fp in frame_paths.values() for p in fp if p})
    hashed = hash_files(unique, cache, progress=progress)
    video_files = _given(videos, "video_file")
    video_path = {i: resolve(i, "video_file", str(v).strip()) for i, v in video_files.items() if str(v).strip()}
    video_fps = fingerprint_videos(sorted({p for p in video_path.values() if p}), cache, progress=progress,
                                   mapper=video_mapper)
    video_fp: list = [None] * n
    for i, p in video_path.items():
        if p is None:
            continue
        r = video_fps[p]
        if isinstance(r, str):
            problems.add(files[i], rows[i], "video_file", f"video {r}; the video is compared on its other signals",
                         value=video_files[i], level="value")
        elif len(r.times) == 0:
            problems.add(files[i], rows[i], "video_file", "video has no frame with enough detail to compare; the "
                         "video is compared on its other signals", value=video_files[i], level="value")
        else:
            video_fp[i] = r

    given, given_ok = given_hashes(videos)
    if "thumbnail_phash" in videos.columns:
        text = _given(videos, "thumbnail_phash", np.flatnonzero(~given_ok))
        for i in sorted(text):
            if str(text[i]).strip():
                problems.add(files[i], rows[i], "thumbnail_phash", "is not a 64-bit hash of 16 hex digits; "
                             "value ignored", value=text[i], level="value")
    cols = {name: np.zeros(n, dtype=np.uint64) for name in ("p", "pm", "c", "cm", "x", "xm")}
    windows = np.zeros((n, N_WINDOWS), dtype=np.uint64)
    has_picture = np.zeros(n, dtype=bool)
    has_inner = np.zeros(n, dtype=bool)
    has_cut = np.zeros(n, dtype=bool)
    for i, p in thumb_path.items():
        if p is None:
            continue
        r = hashed[p]
        if isinstance(r, ImageHashes):
            cols["p"][i], cols["pm"][i] = r.phash, r.phash_mirror
            if r.inner is not None:
                cols["c"][i], cols["cm"][i] = r.inner, r.inner_mirror
                has_inner[i] = True
            if r.cut is not None:
                cols["x"][i], cols["xm"][i] = r.cut, r.cut_mirror
                has_cut[i] = True
            windows[i] = r.windows
            has_picture[i] = True
        else:
            problems.add(files[i], rows[i], "thumbnail", f"image {r}; the video is compared on its other signals",
                         value=thumbs[i], level="value")
    cols["p"] = np.where(given_ok, given, cols["p"])
    has = has_picture | given_ok
    frame_hashes: list = [[]] * n  # one empty list shared by the rows without frames (lint.ingest.schema.empty_lists)
    for i, paths in frame_paths.items():
        hs = []
        for rel, p in zip(frames[i], paths):
            r = hashed.get(p) if p is not None else None
            if isinstance(r, ImageHashes):
                hs.append((r.phash, r.phash_mirror, r.phash if r.cut is None else r.cut,
                           r.phash_mirror if r.cut_mirror is None else r.cut_mirror))
            else:
                if isinstance(r, str):
                    problems.add(files[i], rows[i], "frames", f"image {r}; frame ignored", value=rel, level="value")
                hs.append(None)
        frame_hashes[i] = hs
    out = videos.copy()
    for k in range(N_WINDOWS):
        cols[f"w{k}"] = windows[:, k]
    for name, key, mask in (("thumb_phash", "p", has), ("thumb_mirror", "pm", has_picture),
                            ("thumb_inner", "c", has_inner), ("thumb_inner_mirror", "cm", has_inner),
                            ("thumb_cut", "x", has_cut), ("thumb_cut_mirror", "xm", has_cut),
                            *((f"thumb_win{k}", f"w{k}", has_picture) for k in range(N_WINDOWS))):
        out[name] = pd.arrays.IntegerArray(cols[key], ~mask)
    out["frame_hashes"] = pd.Series(frame_hashes, dtype=object, index=out.index)
    out["video_fp"] = pd.Series(video_fp, dtype=object, index=out.index)
    return out


def _given(videos: pd.DataFrame, column: str, among: np.ndarray | None = None) -> dict[int, object]:
    """{row position: value} of the rows (of `among`, else all) whose `column` has a value: a
    million videos mostly without one never become a million Python values."""
    if column not in videos.columns:
        return {}
    series = videos[column]
    at = np.flatnonzero(series.notna().to_numpy())
    if among is not None:
        at = np.intersect1d(at, among)
    return dict(zip(at.tolist(), series.take(at).to_numpy(dtype=object, na_value=None).tolist()))


def _cover_files(with_url: list[int], thumbs, rows, files, problems: Problems,
                 covers: CoverFetcher | None) -> dict[int, Path | None]:
    """Row -> the downloaded cover of each row whose thumbnail is a URL (None when it was
    not fetched). Without `covers` nothing is requested: the URL stays in the table, and a
    note says the picture was not compared."""
    if not with_url:
        return {}
    if covers is None:
        noted: dict[str, int] = {}
        for i in with_url:
            noted[files[i]] = noted.get(files[i], 0) + 1
            if noted[files[i]] <= MAX_UNFETCHED_NOTES:
                problems.add(files[i], rows[i], "thumbnail", "cover is a URL: recorded, not fetched (--fetch-covers "
                             "downloads covers); the video is compared on its other signals",
                             value=thumbs[i], level="warning")
        for file, count in noted.items():
            if count > MAX_UNFETCHED_NOTES:
                problems.add(file, None, "thumbnail", f"{count - MAX_UNFETCHED_NOTES} more covers are URLs: "
                             "recorded, not fetched", level="warning")
        return {i: None for i in with_url}
    outcomes = covers.fetch_many([thumbs[i] for i in with_url])
    found: dict[int, Path | None] = {}
    for i in with_url:
        outcome = outcomes[thumbs[i].strip()]
        if isinstance(outcome, Path):
            found[i] = outcome
        else:
            found[i] = None
            problems.add(files[i], rows[i], "thumbnail", f"cover {outcome}; the video is compared on its other "
                         "signals", value=thumbs[i], level="value")
    return found
