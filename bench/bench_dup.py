"""DUP001 speed (issue 3 targets), each against a named baseline in the same run.

    python bench/bench_dup.py [--videos 1000000 --stores 10000 --big 50000x200000]
                              [--hash-images 200] [--bk-size 20000] [--skip-scale]

1. hashing   shoplint's hash of a 720x1280 JPEG thumbnail (read + bounded decode at reduced
             size + pHash, mirror and centre forms) vs `imagehash.phash(Image.open(path))`,
             one process each, the same files; then shoplint on all cores.
2. search    the candidate search (lint.core.hashindex.pairs_within) vs imagededup's BK-tree
             (imagededup.handlers.search.bktree, the search imagededup's find_duplicates
             uses), on the same hashes and threshold; both must return the same pairs.
3. scale     DUP001 over 1,000,000 videos with precomputed hashes in 10,000 stores plus one
             store with 50,000 Official x 200,000 Marketing videos: ingest, the check, and the
             whole command line run, each timed; peak RSS.

imagededup is installed without its deep-learning dependencies, for its BK-tree only:
    pip install --no-deps imagededup
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]
AS_OF = "2026-01-01T00:00:00+07:00"


# ---------------------------------------------------------------- 1. hashing
def real_photos():
    """Colour photographs shipped inside scikit-image / scikit-learn (no download)."""
    out = []
    try:
        from sklearn.datasets import load_sample_images
        out += list(load_sample_images().images)
    except Exception:
        pass
    try:
        import skimage.data as d
        for name in ("astronaut", "coffee", "chelsea", "rocket", "immunohistochemistry", "hubble_deep_field"):
            try:
                out.append(getattr(d, name)())
            except Exception:
                pass
    except Exception:
        pass
    if not out:
        raise SystemExit("pip install scikit-image scikit-learn (the photos come from them)")
    return out


def make_thumbnails(folder: Path, n: int) -> list[Path]:
    """n different 720x1280 JPEG covers cut from real photos (different places and zooms)."""
    from PIL import Image
    folder.mkdir(parents=True, exist_ok=True)
    photos = [Image.fromarray(p).convert("RGB") for p in real_photos()]
    rng = np.random.default_rng(0)
    paths = []
    for k in range(n):
        img = photos[k % len(photos)]
        w, h = img.size
        ch = int(h * rng.uniform(0.6, 1.0))
        cw = min(w, int(ch * 9 / 16))
        x, y = int(rng.integers(0, w - cw + 1)), int(rng.integers(0, h - ch + 1))
        path = folder / f"t{k:05d}.jpg"
        img.crop((x, y, x + cw, y + ch)).resize((720, 1280), Image.Resampling.BICUBIC).save(path, quality=88)
        paths.append(path)
    return paths


def bench_hashing(n: int, workdir: Path) -> dict:
    import imagehash
    from PIL import Image

    from lint.ingest.images import hash_image_bytes
    from lint.ingest.media import HashCache, hash_files
    paths = make_thumbnails(workdir / "thumbs", n)
    for p in paths[:5]:  # warm both (imports, page cache)
        imagehash.phash(Image.open(p)), hash_image_bytes(p.read_bytes())
    t0 = time.perf_counter()
    theirs = [imagehash.phash(Image.open(p)) for p in paths]
    t1 = time.perf_counter()
    ours = [hash_image_bytes(p.read_bytes()) for p in paths]
    t2 = time.perf_counter()
    hash_files(paths, HashCache(None), progress=False)  # all cores, no cache
    t3 = time.perf_counter()
    agree = [bin(int(str(a), 16) ^ b.phash).count("1") for a, b in zip(theirs, ours)]
    return {"images": n, "size": "720x1280 JPEG q88",
            "imagehash_ms_per_image": 1000 * (t1 - t0) / n, "shoplint_ms_per_image": 1000 * (t2 - t1) / n,
            "speedup": (t1 - t0) / (t2 - t1),
            "shoplint_all_cores_ms_per_image": 1000 * (t3 - t2) / n,
            "phash_bits_differing_from_imagehash": {"max": max(agree), "mean": float(np.mean(agree))},
            "note": "shoplint computes 13 hashes per image (pHash, mirror, inner, inner mirror, 9 crop windows); "
                    "imagehash 1"}


# ---------------------------------------------------------------- 2. search
def planted_hashes(n_a, n_b, seed, near=0.05):
    rng = np.random.default_rng(seed)
    ha = rng.integers(0, 2**64 - 1, n_a, dtype=np.uint64, endpoint=True)
    hb = rng.integers(0, 2**64 - 1, n_b, dtype=np.uint64, endpoint=True)
    k = int(n_b * near)  # near copies: 0..10 bits flipped
    src = rng.integers(0, n_a, k)
    flips = rng.integers(0, 11, k)
    masks = np.zeros(k, np.uint64)
    for b in range(64):
        masks |= np.where(rng.random(k) < flips / 64, np.uint64(1) << np.uint64(b), np.uint64(0))
    hb[:k] = ha[src] ^ masks
    return ha, hb


def bench_search(size: int, threshold: int) -> dict:
    from imagededup.handlers.search.bktree import BKTree

    from lint.core.hashindex import pairs_within
    ha, hb = planted_hashes(size, size, seed=3)
    t0 = time.perf_counter()
    i, j, d = pairs_within(np.zeros(size, np.int64), ha, np.zeros(size, np.int64), hb, threshold)
    t1 = time.perf_counter()
    ours = set(zip(i.tolist(), j.tolist()))
    # imagededup's search: a BK-tree over the Marketing hashes (hex strings, as imagededup
    # keeps them), queried with each Official hash. Its own distance function parses hex
    # to a bit string per call; we give it a fast popcount instead, which favours it.
    hex_b = {f"m{k}": f"{int(h):016x}" for k, h in enumerate(hb.tolist())}
    dist = lambda x, y: (int(x, 16) ^ int(y, 16)).bit_count()  # noqa: E731
    t2 = time.perf_counter()
    tree = BKTree(hex_b, dist)
    t3 = time.perf_counter()
    theirs = set()
    for k, h in enumerate(ha.tolist()):
        for name, _ in tree.search(f"{h:016x}", threshold):
            theirs.add((k, int(name[1:])))
    t4 = time.perf_counter()
    return {"official": size, "marketing": size, "threshold": threshold, "pairs": len(ours),
            "hashindex_s": t1 - t0, "bktree_build_s": t3 - t2, "bktree_search_s": t4 - t3,
            "speedup_vs_bktree_search": (t4 - t3) / (t1 - t0),
            "speedup_vs_bktree_build_and_search": (t4 - t2) / (t1 - t0),
            "same_pairs": ours == theirs}


# ---------------------------------------------------------------- 3. scale
def write_scale_export(folder: Path, videos: int, stores: int, big: tuple[int, int], seed: int = 7):
    """stores with one Official and one Marketing account each; videos with precomputed hashes,
    5 % of Marketing videos near copies of an Official one of the same store."""
    import pyarrow as pa
    import pyarrow.csv as pacsv
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    n_store = stores + 1  # the last is the big store
    store_ids = np.array([f"S{k:06d}" for k in range(n_store)], dtype=object)
    off_acc = np.array([f"O{k:06d}" for k in range(n_store)], dtype=object)
    mkt_acc = np.array([f"M{k:06d}" for k in range(n_store)], dtype=object)
    ev = 2 * n_store
    pacsv.write_csv(pa.table({
        "event_id": [f"E{k}" for k in range(ev)],
        "store_id": np.repeat(store_ids, 2), "account_id": np.stack([off_acc, mkt_acc], 1).ravel(),
        "account_type": np.tile(["official", "marketing"], n_store),
        "action": ["bind"] * ev, "at": ["2024-01-01T00:00:00+07:00"] * ev}), folder / "bindings.csv")
    small = videos - big[0] - big[1]
    store_of = np.concatenate([rng.integers(0, stores, small), np.full(big[0] + big[1], stores)])
    is_off = np.concatenate([rng.random(small) < 0.5, np.ones(big[0], bool), np.zeros(big[1], bool)])
    hashes = rng.integers(0, 2**64 - 1, videos, dtype=np.uint64, endpoint=True)
    # plant near copies: a Marketing video copies an Official video of its store, few bits flipped
    order = np.lexsort((~is_off, store_of))
    first_off = {}
    for k in order[is_off[order]].tolist():
        first_off.setdefault(store_of[k], k)
    mk = np.flatnonzero(~is_off & (rng.random(videos) < 0.05))
    src = np.array([first_off.get(s, -1) for s in store_of[mk].tolist()])
    mk, src = mk[src >= 0], src[src >= 0]
    flips = np.zeros(len(mk), np.uint64)
    for b in range(64):
        flips |= np.where(rng.random(len(mk)) < 0.06, np.uint64(1) << np.uint64(b), np.uint64(0))
    hashes[mk] = hashes[src] ^ flips
    posted = 1_704_067_200 + rng.integers(86_400, 700 * 86_400, videos)
    pacsv.write_csv(pa.table({
        "video_id": [f"V{k:07d}" for k in range(videos)],
        "account_id": np.where(is_off, off_acc[store_of], mkt_acc[store_of]),
        "posted_at": posted.astype(np.int64),
        "caption": np.array(["PROMO 12.12 diskon 50%! #promo", "Ready stock kak", "New arrival 🔥"],
                            dtype=object)[rng.integers(0, 3, videos)],
        "duration_s": np.round(rng.uniform(5, 90, videos), 1),
        "thumbnail_phash": [f"{h:016x}" for h in hashes.tolist()],
    }), folder / "videos.csv")


def stage_scale(data: str) -> dict:
    """In a child process: ingest and the check timed apart (the pipeline's stages), peak RSS."""
    from lint import LintOptions, lint
    from lint.checks import load_all
    from lint.pipeline import StageTimes

    times = StageTimes()
    codes = tuple(c for c, s in load_all().items() if s.media)
    result = lint(data, LintOptions(as_of=AS_OF, select=codes, no_cache=True), hooks=times)
    return {"videos": int(result.rows_read.get("videos", 0)), "ingest_s": times.times["read and validate"],
            "dup001_check_s": times.times["checks"], "findings": len(result.findings),
            "input_errors": len(result.problems),
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def child(fn: str, *args) -> dict:
    code = (f"import sys, json; sys.path[:0]={[str(HERE), str(HERE.parent)]!r}; import bench_dup as b; "
            f"print(json.dumps(b.{fn}(*{list(args)!r})))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def whole_run(data: str) -> dict:
    out = Path(data) / "report.json"
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "lint", "check", data, "--select", "DUP001", "--format", "json",
                           "--output", str(out), "--as-of", AS_OF, "--no-cache"], capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        raise SystemExit(proc.stderr)
    return {"whole_s": time.perf_counter() - t0,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--videos", type=int, default=1_000_000)
    ap.add_argument("--stores", type=int, default=10_000)
    ap.add_argument("--big", default="50000x200000")
    ap.add_argument("--hash-images", type=int, default=200)
    ap.add_argument("--bk-size", type=int, default=20_000)
    ap.add_argument("--threshold", type=int, default=14, help="DUP001's support_max_distance")
    ap.add_argument("--data", default=str(HERE / "data" / "dupscale"))
    ap.add_argument("--skip", default="", help="comma-separated parts to skip: hashing,search,scale")
    args = ap.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    if "hashing" not in skip:
        print(json.dumps({"hashing": bench_hashing(args.hash_images, HERE / "data" / "hashbench")}, indent=1))
    if "search" not in skip:
        print(json.dumps({"search": child("bench_search", args.bk_size, args.threshold)}, indent=1))
    if "scale" not in skip:
        data = Path(args.data)
        if not (data / "videos.csv").exists():
            big = tuple(int(x) for x in args.big.split("x"))
            t0 = time.perf_counter()
            write_scale_export(data, args.videos, args.stores, big)
            print(f"generated {args.videos} videos in {time.perf_counter() - t0:.1f} s")
        print(json.dumps({"scale": child("stage_scale", str(data))}, indent=1))
        print(json.dumps({"scale_whole": whole_run(str(data))}, indent=1))


if __name__ == "__main__":
    main()
