"""Time-aligned matching of two video fingerprints (lint.media.fingerprint).

Two videos share content when a long enough stretch of one matches a stretch of the other
*in order*: frame pairs whose hashes are close are points (t_a, t_b); a re-post that was
trimmed, given an intro or outro, or sped up or slowed down puts the matching points on
one line t_b = speed * t_a + offset with speed near 1. The line with the most frames on it
is found by voting (a Hough transform over speeds SPEED_MIN..SPEED_MAX and offsets); its
longest run without a gap (MAX_GAP_S) is the matched stretch. One matching frame, or
frames scattered off any line (two camera paths over the same photo crossing), are not a
stretch.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lint.media.fingerprint import CUT, CUT_M, FULL, FULL_M, INNER, INNER_M, VideoFingerprint

SPEED_MIN, SPEED_MAX, SPEED_STEP = 0.85, 1.15, 0.005
MAX_GAP_S = 3.0  # a run of matching frames breaks where this much time has no match
# (A form, B form) pairs compared; a pair of frames' distance is the smallest.
_FORM_PAIRS = ((FULL, FULL), (FULL, FULL_M), (CUT, CUT), (CUT, CUT_M), (FULL, CUT), (FULL, CUT_M),
               (CUT, FULL), (CUT, FULL_M), (INNER, INNER), (INNER, INNER_M))
_SPEEDS = np.round(np.arange(SPEED_MIN, SPEED_MAX + 1e-9, SPEED_STEP), 4)


@dataclass(frozen=True)
class Alignment:
    a_start: float
    a_end: float
    b_start: float
    b_end: float
    matched_a: int  # frames of A on the matched stretch
    matched_b: int
    frames_a: int  # hashed frames of each video
    frames_b: int
    speed: float  # seconds of B per second of A on the stretch (1.1: B is 10 % slower)
    best_a: float  # the best-matching frame pair: its time in A and in B
    best_b: float
    best_distance: int
    coverage: float  # the stretch's share of the shorter video (0-1)
    density: float = 1.0  # the smaller share, over both videos, of their frames inside the stretch that match

    @property
    def share_a(self) -> float:
        return self.matched_a / self.frames_a if self.frames_a else 0.0

    @property
    def share_b(self) -> float:
        return self.matched_b / self.frames_b if self.frames_b else 0.0

    @property
    def stretch_s(self) -> float:
        return min(self.a_end - self.a_start, self.b_end - self.b_start)


def popcount(x: np.ndarray) -> np.ndarray:
    """The number of set bits of each uint64 (Hamming weights, for hash distances)."""
    return np.bitwise_count(x.astype(np.uint64, copy=False)).astype(np.int64)


def distance_matrix(a: VideoFingerprint, b: VideoFingerprint) -> np.ndarray:
    """(frames of a) x (frames of b): the smallest Hamming distance over the form pairs."""
    d = np.full((len(a.times), len(b.times)), 64, dtype=np.int64)
    for fa, fb in _FORM_PAIRS:
        np.minimum(d, popcount(a.hashes[:, fa, None] ^ b.hashes[None, :, fb]), out=d)
    return d


def _step(times: np.ndarray) -> float:
    return float(np.median(np.diff(times))) if len(times) > 1 else 1.0


def _span(times: np.ndarray, step: float) -> float:
    return float(times[-1] - times[0]) + step if len(times) else 0.0


def align(a: VideoFingerprint, b: VideoFingerprint, max_distance: int,
          distances: np.ndarray | None = None) -> Alignment | None:
    """The best in-order matched stretch of a against b, or None when no two frames match."""
    if not len(a.times) or not len(b.times):
        return None
    d = distance_matrix(a, b) if distances is None else distances
    ii, jj = np.nonzero(d <= max_distance)
    if not len(ii):
        return None
    ta, tb = a.times.astype(np.float64), b.times.astype(np.float64)
    step_a, step_b = _step(ta), _step(tb)
    tol = 0.5 * max(step_a, step_b) + 0.25
    best = None  # (score, -|speed-1|, speed, inlier mask)
    x, y = ta[ii], tb[jj]
    for s in _SPEEDS:
        c = y - s * x
        order = np.argsort(c)
        cs = c[order]
        hi = np.searchsorted(cs, cs + 2 * tol, side="right")
        k = int(np.argmax(hi - np.arange(len(cs))))
        mask = np.zeros(len(c), bool)
        mask[order[k:hi[k]]] = True
        score = min(len(np.unique(ii[mask])), len(np.unique(jj[mask])))
        key = (score, -abs(s - 1.0))
        if best is None or key > best[0]:
            best = (key, s, mask)
    _, speed, mask = best
    # the longest run along the line without a gap
    idx = np.flatnonzero(mask)
    idx = idx[np.argsort(x[idx], kind="stable")]
    breaks = np.flatnonzero(np.diff(x[idx]) > MAX_GAP_S) + 1
    runs = np.split(idx, breaks)
    run = max(runs, key=lambda r: (min(len(np.unique(ii[r])), len(np.unique(jj[r]))), -x[r[0]]))
    ra, rb = x[run], y[run]
    if ra.max() - ra.min() >= 1.0:
        slope = float(np.polyfit(ra, rb, 1)[0])
        if SPEED_MIN <= slope <= SPEED_MAX:
            speed = slope
    dist = d[ii[run], jj[run]]
    middle = (ra.min() + ra.max()) / 2
    k = int(np.lexsort((np.abs(ra - middle), dist))[0])
    a_len, b_len = float(ra.max() - ra.min()), float(rb.max() - rb.min())
    cover = max((a_len + step_a) / _span(ta, step_a), (b_len + step_b) / _span(tb, step_b))
    matched_a, matched_b = int(len(np.unique(ii[run]))), int(len(np.unique(jj[run])))
    inside_a = int(((ta >= ra.min() - 1e-6) & (ta <= ra.max() + 1e-6)).sum())
    inside_b = int(((tb >= rb.min() - 1e-6) & (tb <= rb.max() + 1e-6)).sum())
    density = min(matched_a / inside_a, matched_b / inside_b)
    return Alignment(float(ra.min()), float(ra.max()), float(rb.min()), float(rb.max()), matched_a, matched_b,
                     len(ta), len(tb), round(float(speed), 3), float(ra[k]), float(rb[k]), int(dist[k]),
                     min(1.0, round(cover, 3)), round(density, 3))


def is_match(al: Alignment | None, min_frames: int, min_stretch_s: float, min_coverage: float,
             min_density: float = 0.0) -> bool:
    """The decision: enough frames on a long enough stretch that covers enough of the
    shorter video (a shared 2-second intro is not the same video), with most frames inside
    the stretch matching (chance matches scattered along a line are sparse)."""
    if al is None:
        return False
    return (min(al.matched_a, al.matched_b) >= min_frames and al.stretch_s >= min_stretch_s
            and al.coverage >= min_coverage and al.density >= min_density)


def clock(seconds: float) -> str:
    """0:03 style (m:ss; h:mm:ss from an hour)."""
    s = int(round(max(0.0, seconds)))
    h, rest = divmod(s, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"
