"""Evaluate DUP001's video judgement (lint.media) on the labelled set of bench/videodata.py,
beside a vPDQ-style anchor (Meta's vPDQ: PDQ of one frame a second, a frame match at PDQ
distance <= 31, a video match when at least T % of the frames match each way).

    PYTHONPATH=. python bench/eval_video.py [--seeds 1 2 3] [--originals 12] [--speed]

Pairs: every (original, re-post) for each change of rules.md, every hard negative with its
look-alike, and up to 1,500 other pairs of different videos. Reports precision, recall,
recall per change and CPU seconds per video (process_time: the machine is shared), median
over the seeds, at the thresholds of rules/DUP001.toml and over a small grid (to choose
them). --speed also times a 30 s 720x1280 H.264 clip (key frames 2 s apart, and x264's
default of 250 frames).
"""
from __future__ import annotations

import argparse
import itertools
import resource
import sys
import tempfile
import time
import tomllib
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import videodata as vd  # noqa: E402

from lint.media.align import align, distance_matrix, is_match  # noqa: E402
from lint.media.fingerprint import fingerprint_file  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


def params() -> dict:
    p = tomllib.loads((REPO / "rules" / "DUP001.toml").read_text())["parameters"]
    return {k: v["default"] for k, v in p.items()}


def vpdq_hashes(path: Path) -> np.ndarray:
    """PDQ (256 bits as 0/1) of the frame at each whole second, low-quality frames dropped
    (vPDQ keeps frames of quality >= 50)."""
    import av
    import pdqhash
    out, next_t = [], 0.0
    with av.open(str(path)) as c:
        s = c.streams.video[0]
        s.thread_type = "AUTO"
        for frame in c.decode(s):
            if frame.time is None or frame.time + 1e-6 < next_t:
                continue
            next_t = np.floor(frame.time + 1e-6) + 1.0
            h, q = pdqhash.compute(frame.to_ndarray(format="rgb24"))
            if q >= 50:
                out.append(np.asarray(h, np.uint8))
    return np.asarray(out, np.uint8).reshape(-1, 256)


def vpdq_shares(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    if not len(a) or not len(b):
        return 0.0, 0.0
    d = (a[:, None, :] != b[None, :, :]).sum(axis=2)
    close = d <= 31
    return float(close.any(axis=1).mean()), float(close.any(axis=0).mean())


def pairs_of(items, rng):
    by_name = {it.name: it for it in items}
    pos, neg = [], []
    originals = {it.group: it for it in items if it.label == "original"}
    for it in items:
        if it.group >= 0 and it.label not in ("original", "with_intro"):
            pos.append((originals[it.group].name, it.name, it.label))
        if it.pair_with:
            neg.append((it.pair_with, it.name, it.label))
    others = [(a.name, b.name) for a, b in itertools.combinations(items, 2)
              if a.content != b.content and not (a.pair_with == b.name or b.pair_with == a.name)]
    pick = rng.choice(len(others), size=min(1500, len(others)), replace=False)
    neg += [(*others[k], "other") for k in sorted(pick)]
    assert all(a in by_name and b in by_name for a, b, _ in pos + neg)
    return pos, neg


def score(decisions_pos, decisions_neg, pos):
    tp = sum(decisions_pos)
    fp = sum(decisions_neg)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / len(decisions_pos)
    per = {}
    for (_, _, label), d in zip(pos, decisions_pos):
        per.setdefault(label, []).append(d)
    return precision, recall, {k: float(np.mean(v)) for k, v in per.items()}, fp


def run_seed(seed: int, n_originals: int, grid: bool):
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.process_time()
        items = vd.build(Path(tmp), seed, n_originals)
        gen = time.process_time() - t0
        fps, pdq = {}, {}
        t0 = time.process_time()
        for it in items:
            fps[it.name] = fingerprint_file(it.path)
        ours_s = (time.process_time() - t0) / len(items)
        t0 = time.process_time()
        for it in items:
            pdq[it.name] = vpdq_hashes(it.path)
        pdq_s = (time.process_time() - t0) / len(items)
    rng = np.random.default_rng(seed)
    pos, neg = pairs_of(items, rng)
    p = params()
    dist = {(a, b): distance_matrix(fps[a], fps[b]) for a, b, _ in pos + neg}
    results = {}
    combos = [(p["video_frame_max_distance"], p["video_min_frames"], p["video_min_stretch_s"], p["video_min_coverage"],
               p["video_min_density"])]
    if grid:
        combos += list(itertools.product((10, 12, 14, 16, 18), (3, 4), (2.0, 3.0), (0.3, 0.5), (0.0, 0.4, 0.6)))
    aligned: dict = {}
    for md, mf, ms, mc, mdens in combos:
        dec = []
        for group in (pos, neg):
            out = []
            for a, b, _ in group:
                key = (a, b, md)
                if key not in aligned:
                    aligned[key] = align(fps[a], fps[b], md, dist[(a, b)])
                out.append(is_match(aligned[key], mf, ms, mc, mdens))
            dec.append(out)
        results[(md, mf, ms, mc, mdens)] = score(dec[0], dec[1], pos)
    anchor = {}
    shares = {(a, b): vpdq_shares(pdq[a], pdq[b]) for a, b, _ in pos + neg}
    for t in (0.3, 0.5, 0.6, 0.7, 0.8):
        dp = [min(shares[(a, b)]) >= t for a, b, _ in pos]
        dn = [min(shares[(a, b)]) >= t for a, b, _ in neg]
        anchor[t] = score(dp, dn, pos)
    hard = {}
    for a, b, label in neg:
        if label != "other":
            hard.setdefault(label, []).append(is_match(aligned[(a, b, combos[0][0])], *combos[0][1:]))
    return {"items": len(items), "pos": len(pos), "neg": len(neg), "gen_s": gen, "ours_s": ours_s, "pdq_s": pdq_s,
            "results": results, "anchor": anchor, "default": combos[0],
            "hard_fp": {k: int(sum(v)) for k, v in hard.items()}}


def speed_clip():
    """CPU and wall seconds to fingerprint a 30 s 720x1280 H.264 clip (30 fps)."""
    from PIL import Image
    photos = vd.load_photos()
    rng = np.random.default_rng(7)
    clip = vd.Clip([vd.random_shot(rng, p, 5.0) for p in list(photos)[:6]], (720, 1280))
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, gop in (("key frames 2 s apart", 60), ("x264 default (250 frames)", None)):
            path = Path(tmp) / f"clip_{gop}.mp4"
            frames = (vd.content_frame(photos, clip, k / 30) for k in range(30 * 30))
            vd.encode(path, frames, fps=30, gop=gop, crf=23)
            runs = []
            for _ in range(3):
                c0, w0 = time.process_time(), time.perf_counter()
                fp = fingerprint_file(path)
                runs.append((time.process_time() - c0, time.perf_counter() - w0))
            cpu, wall = np.median([r[0] for r in runs]), np.median([r[1] for r in runs])
            out[name] = (cpu, wall, len(fp.times), fp.key_frames_only, path.stat().st_size)
    del Image
    return out


def nightly(n_originals: int = 4):
    """Two runs of the ingest over the same export with a cache: CPU seconds and videos
    decoded by each (the second should decode none)."""
    import lint.ingest.media as media
    from lint.core.model import Problems
    from lint.ingest import MediaOptions, load_export
    from lint.ingest.source import ExportSource
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "export"
        items = vd.build(root / "media", 9, n_originals)
        rows = ["video_id,account_id,posted_at,video_file"]
        rows += [f"V{k},A{k % 2},2025-06-01T10:00:00+07:00,media/{it.path.name}" for k, it in enumerate(items)]
        (root / "videos.csv").write_text("\n".join(rows) + "\n")
        for night in (1, 2):
            kids = resource.getrusage(resource.RUSAGE_CHILDREN)
            before, c0, w0 = media.VIDEO_DECODES, time.process_time(), time.perf_counter()
            problems = Problems()
            with ExportSource.open(root) as source:
                load_export(source, "Asia/Jakarta", problems, media=MediaOptions(cache_dir=Path(tmp) / "cache"))
            kids2 = resource.getrusage(resource.RUSAGE_CHILDREN)
            child = (kids2.ru_utime + kids2.ru_stime) - (kids.ru_utime + kids.ru_stime)
            out.append((night, len(items), media.VIDEO_DECODES - before, time.process_time() - c0 + child,
                        time.perf_counter() - w0))
    return out


def index_speed(sizes=((100, 400), (300, 1200)), frames: int = 60):
    """The candidate search over every sampled frame (DUP001's _video_candidates) on one
    store of random fingerprints, 5 % of Marketing videos being re-posts (0-6 bits flipped
    per hash): -> (Official, Marketing, candidate pairs, re-posts, CPU s, wall s)."""
    import pandas as pd

    from lint.checks.dup001_duplicate_content import _video_candidates
    from lint.media.fingerprint import VideoFingerprint
    rng = np.random.default_rng(0)

    def fp(n):
        return VideoFingerprint(np.arange(n, dtype=np.float32) / 2,
                                rng.integers(0, 2 ** 64 - 1, size=(n, 6), dtype=np.uint64), n / 2)
    out = []
    for n_off, n_mkt in sizes:
        fps = [fp(frames) for _ in range(n_off + n_mkt)]
        reposts = set()
        for k in range(0, n_mkt, 20):
            src = fps[k % n_off]
            h = src.hashes.copy()
            for _ in range(6):
                h ^= (np.uint64(1) << rng.integers(0, 64, size=h.shape).astype(np.uint64)) * (rng.random(h.shape) < 0.5)
            fps[n_off + k] = VideoFingerprint(src.times, h, src.duration_s)
            reposts.add((k % n_off, k))
        videos = pd.DataFrame({"video_fp": pd.Series(fps, dtype=object)})
        ov, mv = np.arange(n_off), np.arange(n_off, n_off + n_mkt)
        c0, w0 = time.process_time(), time.perf_counter()
        i, j = _video_candidates(videos, np.zeros(n_off, np.int64), ov, np.zeros(n_mkt, np.int64), mv,
                                 {"video_frame_max_distance": params()["video_frame_max_distance"],
                                  "video_min_frames": params()["video_min_frames"]})
        cpu, wall = time.process_time() - c0, time.perf_counter() - w0
        found = set(zip(i.tolist(), j.tolist()))
        assert reposts <= found, "the index missed a re-post"
        out.append((n_off, n_mkt, len(found), len(reposts), cpu, wall))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--originals", type=int, default=12)
    ap.add_argument("--grid", action="store_true")
    ap.add_argument("--speed", action="store_true")
    ap.add_argument("--nightly", action="store_true", help="only the two-night cache measurement")
    ap.add_argument("--index", action="store_true", help="only the candidate search over frame hashes")
    args = ap.parse_args()
    if args.nightly:
        for night, n, decoded, cpu, wall in nightly():
            print(f"night {night}: {n} videos, {decoded} decoded, ingest CPU {cpu:.2f} s "
                  f"(this process and its decoding workers), wall {wall:.2f} s")
        return
    if args.index:
        for n_off, n_mkt, found, reposts, cpu, wall in index_speed():
            print(f"{n_off} Official x {n_mkt} Marketing videos of one store, 60 frames each: {found} candidate "
                  f"pairs ({reposts} re-posts, all found), CPU {cpu:.2f} s, wall {wall:.2f} s")
        return
    runs = [run_seed(s, args.originals, args.grid) for s in args.seeds]
    r0 = runs[0]
    print(f"seeds {args.seeds}: {r0['items']} videos, {r0['pos']} positive and {r0['neg']} negative pairs per seed")
    med = lambda xs: float(np.median(xs))  # noqa: E731
    print(f"CPU s per video: ours {med([r['ours_s'] for r in runs]):.3f}, vPDQ-style {med([r['pdq_s'] for r in runs]):.3f}"
          f" (data generation {med([r['gen_s'] for r in runs]):.0f} s per seed)")
    d = r0["default"]
    prec = med([r["results"][d][0] for r in runs])
    rec = med([r["results"][d][1] for r in runs])
    print(f"ours at {d}: precision {prec:.3f} recall {rec:.3f} "
          f"false positives {[r['results'][d][3] for r in runs]} hard-negative FPs {[r['hard_fp'] for r in runs]}")
    labels = sorted(r0["results"][d][2])
    for label in labels:
        print(f"   {label:14} ours {med([r['results'][d][2][label] for r in runs]):.3f}  "
              f"vPDQ@0.5 {med([r['anchor'][0.5][2][label] for r in runs]):.3f}  "
              f"vPDQ@0.8 {med([r['anchor'][0.8][2][label] for r in runs]):.3f}")
    for t in sorted(r0["anchor"]):
        print(f"vPDQ-style T={t}: precision {med([r['anchor'][t][0] for r in runs]):.3f} "
              f"recall {med([r['anchor'][t][1] for r in runs]):.3f}")
    if args.grid:
        rows = []
        for combo in r0["results"]:
            rows.append((med([r["results"][combo][0] for r in runs]), med([r["results"][combo][1] for r in runs]),
                         min(med([r["results"][combo][2][k] for r in runs]) for k in labels), combo))
        rows.sort(key=lambda x: (x[0] >= 0.99, x[2], x[1], x[0]), reverse=True)
        print("grid (precision, recall, worst change, (max distance, min frames, min stretch s, min coverage, "
              "min density)):")
        for row in rows[:15]:
            print("  ", tuple(round(v, 3) if isinstance(v, float) else v for v in row))
        print("false positives (sum over seeds) by max distance, at the other defaults:")
        for md in (10, 12, 14, 16, 18):
            combo = (md, *d[1:])
            if combo in r0["results"]:
                print(f"   {md}: FP {sum(r['results'][combo][3] for r in runs)}, recall "
                      f"{med([r['results'][combo][1] for r in runs]):.3f}")
    if args.speed:
        for name, (cpu, wall, n, key, size) in speed_clip().items():
            print(f"30 s 720x1280 H.264, {name}: CPU {cpu:.2f} s, wall {wall:.2f} s, {n} frames hashed, "
                  f"key frames only {key}, {size} bytes")
    ru = resource.getrusage(resource.RUSAGE_SELF)
    print(f"whole run: CPU {ru.ru_utime + ru.ru_stime:.0f} s, max RSS {ru.ru_maxrss // 1024} MB")


if __name__ == "__main__":
    main()
