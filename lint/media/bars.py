"""Letterbox / pillarbox bars: find the content box of a picture whose content was placed
inside bars (uniform black or coloured, or a blurred enlarged copy of the content).

Works on a small greyscale array (float, 0-255). A row (column) belongs to a bar when it
carries almost no detail across it: its mean absolute horizontal (vertical) gradient is
below BAR_DETAIL_RATIO of the content's (its 90th percentile), and below BAR_MAX_DETAIL
grey levels. Bars are accepted only in pairs around the content (top and bottom, or left
and right), and are centred: both take the smaller of the two quiet runs, since a quiet
run can only be longer than its bar (dark content next to a black bar), never shorter.
So one dark sky at the top of a photo is not a bar. The content box keeps at least
MIN_CONTENT of each side.
"""
from __future__ import annotations

import numpy as np

BAR_MIN = 0.04  # a bar is at least 4 % of the side
BAR_DETAIL_RATIO = 0.5
BAR_MAX_DETAIL = 6.0
MIN_CONTENT = 0.2  # 16:9 content letterboxed into 9:16 keeps 32 % of the height


def _quiet_run(detail: np.ndarray, reference: float) -> int:
    limit = min(BAR_MAX_DETAIL, BAR_DETAIL_RATIO * reference) + 0.5
    quiet = detail < limit
    return len(quiet) if quiet.all() else int(np.argmin(quiet))


def _pair(detail: np.ndarray, size: int) -> tuple[int, int]:
    """-> (bar before, bar after) in pixels along one axis, (0, 0) when there is no pair."""
    reference = float(np.percentile(detail, 90)) if len(detail) else 0.0
    if reference < 2.0:  # a nearly flat picture: nothing to tell bars from content
        return 0, 0
    bar = min(_quiet_run(detail, reference), _quiet_run(detail[::-1], reference))
    if bar < BAR_MIN * size or size - 2 * bar < MIN_CONTENT * size:
        return 0, 0
    return bar, bar


def content_box(pixels: np.ndarray) -> tuple[int, int, int, int] | None:
    """-> (top, bottom, left, right) of the content inside bars (bottom, right exclusive),
    or None when the picture has no bars."""
    px = np.asarray(pixels, dtype=np.float32)
    h, w = px.shape
    if h < 16 or w < 16:
        return None
    dx = np.abs(np.diff(px, axis=1))  # detail across each row
    dy = np.abs(np.diff(px, axis=0))  # detail down each column
    top, bottom = _pair(dx.mean(axis=1), h)
    rows = slice(top, h - bottom)
    left, right = _pair(dy[rows.start:max(rows.start, rows.stop - 1)].mean(axis=0) if h - top - bottom > 1
                        else np.zeros(w), w)
    if not (top or bottom or left or right):
        return None
    return top, h - bottom, left, w - right


def common_box(boxes: list[tuple[int, int, int, int] | None], min_share: float = 0.5):
    """For the frames of one video: the box found in at least `min_share` of the frames
    (bars do not move; a dark scene that hides them does not count against them), as the
    median of those boxes; None when the frames mostly have no bars."""
    found = [b for b in boxes if b is not None]
    if not boxes or len(found) < min_share * len(boxes):
        return None
    return tuple(int(v) for v in np.median(np.asarray(found), axis=0))
