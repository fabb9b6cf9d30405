"""A video's fingerprint: frames sampled in time (lint.media.video), each hashed in the
forms that survive a re-upload (lint.ingest.images' pHash):

  FULL, FULL_M   the whole frame, as is and mirrored (re-encoding, resizing, brightness)
  CUT, CUT_M     the content inside letterbox/pillarbox bars, as is and mirrored (the bars
                 are found once for the whole video, lint.media.bars.common_box); the whole
                 frame again when the video has no bars
  INNER, INNER_M the central 60 % (crops, banners, logos and captions near the edges)

Frames with almost no detail (black frames, fades, a flat title card) are left out: two of
them would match whatever the videos show. The fingerprint is a few kB (times as float32,
six uint64 per frame) and serialises to bytes for the hash cache.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lint.ingest.images import INNER_BOX, MIN_INNER_DETAIL, phash_box
from lint.media.bars import common_box, content_box
from lint.media.video import SampledFrames, VideoLimits, sample_frames

FULL, FULL_M, CUT, CUT_M, INNER, INNER_M = range(6)
N_FORMS = 6
# A frame with less detail than this (standard deviation of its grey levels) is not hashed.
MIN_FRAME_DETAIL = MIN_INNER_DETAIL
_HEADER = struct.Struct("<4sIdBhhhhhh")
_MAGIC = b"VFP1"


@dataclass(frozen=True)
class VideoFingerprint:
    times: np.ndarray  # (n,) float32 seconds
    hashes: np.ndarray  # (n, N_FORMS) uint64
    duration_s: float
    key_frames_only: bool = False
    # the content box inside bars on the small frames, (top, bottom, left, right), and the
    # small frame's size: None when the video has no bars
    bars: tuple[int, int, int, int] | None = None
    size: tuple[int, int] = (0, 0)

    @property
    def bars_removed(self) -> bool:
        return self.bars is not None

    def to_bytes(self) -> bytes:
        box = self.bars or (0, 0, 0, 0)
        head = _HEADER.pack(_MAGIC, len(self.times), float(self.duration_s),
                            int(self.key_frames_only) | (2 if self.bars else 0), *box, *self.size)
        return head + np.asarray(self.times, "<f4").tobytes() + np.asarray(self.hashes, "<u8").tobytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> "VideoFingerprint":
        magic, n, duration, flags, t, b, l, r, w, h = _HEADER.unpack_from(data)
        if magic != _MAGIC:
            raise ValueError("not a video fingerprint")
        off = _HEADER.size
        times = np.frombuffer(data, "<f4", n, off).astype(np.float32)
        hashes = np.frombuffer(data, "<u8", n * N_FORMS, off + 4 * n).reshape(n, N_FORMS).astype(np.uint64)
        return cls(times, hashes, duration, bool(flags & 1), (t, b, l, r) if flags & 2 else None, (w, h))


def fingerprint_frames(frames: SampledFrames) -> VideoFingerprint:
    """The hashes of each sampled frame (whole, bars removed, central part; each also mirrored)."""
    boxes = [content_box(px) for px in frames.pixels]
    box = common_box(boxes)
    times, rows = [], []
    h, w = frames.pixels[0].shape if frames.pixels else (0, 0)
    for t, px in zip(frames.times, frames.pixels):
        if px.shape != (h, w):
            continue
        region = px[box[0]:box[1], box[2]:box[3]] if box else px
        if region.std() < MIN_FRAME_DETAIL:
            continue
        full = phash_box(px)
        cut = phash_box(px, box) if box else full
        ih, iw = px.shape
        inner = phash_box(px, (round(INNER_BOX[1] * ih), round(INNER_BOX[3] * ih),
                               round(INNER_BOX[0] * iw), round(INNER_BOX[2] * iw)))
        times.append(t)
        rows.append((*full, *cut, *inner))
    hashes = np.asarray(rows, dtype=np.uint64).reshape(len(rows), N_FORMS)
    return VideoFingerprint(np.asarray(times, np.float32), hashes, float(frames.duration_s),
                            frames.key_frames_only, box, (w, h))


def fingerprint_file(path: Path, limits: VideoLimits | None = None) -> VideoFingerprint:
    """Decode (bounded, lint.media.video) and fingerprint one video file."""
    return fingerprint_frames(sample_frames(path, limits))
