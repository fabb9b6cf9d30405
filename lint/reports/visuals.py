"""What people look at beside a finding, as its rule declares (lint.checks.Visual): the
pictures its evidence names (two covers), the two LIVE sessions it pairs, or the binding
history behind it.

Built after the checks from the canonical tables and the findings' subjects, for reporters
that draw (HTML, email). Nothing here decides anything: it only looks rows up. Pictures are
read through ExportSource.resolve (inside the export only) and shrunk to small JPEGs.
"""
from __future__ import annotations

import base64
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from lint.core.findings import Finding
from lint.core.model import NO_TIME, Export
from lint.ingest.source import ExportSource, RefusedPath

PREVIEW_SIZE = (144, 256)  # fits a phone's mail app two abreast
MAX_PREVIEWS = 400  # a report stays a few MB at most


@dataclass(frozen=True)
class Segment:
    label: str  # account or session, shown as given (escaped by the reporter)
    kind: str  # "official" | "marketing" | "window"
    start: int  # ms
    end: int  # ms, or the run's as-of for one still open
    open_end: bool = False


@dataclass
class Visuals:
    images: dict[str, str] = field(default_factory=dict)  # export-relative path -> data URI
    timelines: dict[str, list[Segment]] = field(default_factory=dict)  # fingerprint -> segments
    zones: dict[str, str] = field(default_factory=dict)  # fingerprint -> the store's time zone

    def to_dict(self) -> dict:
        """As JSON can hold it (the mail companion of a JSON report, lint.delivery.companion)."""
        return {"images": dict(sorted(self.images.items())),
                "timelines": {fp: [[s.label, s.kind, s.start, s.end, s.open_end] for s in segs]
                              for fp, segs in sorted(self.timelines.items())},
                "zones": dict(sorted(self.zones.items()))}

    @classmethod
    def from_dict(cls, data: dict) -> Visuals:
        """The inverse of to_dict, keeping only what a report may show: pictures as inline
        JPEG/PNG data (never an address a mail app would fetch), segments of known kinds."""
        v = cls()
        for path, uri in (data.get("images") or {}).items():
            if isinstance(path, str) and isinstance(uri, str) and _INLINE_PICTURE.match(uri):
                v.images[path] = uri
        for fp, segs in (data.get("timelines") or {}).items():
            ok = [Segment(str(s[0]), s[1], int(s[2]), int(s[3]), bool(s[4])) for s in segs
                  if isinstance(s, list) and len(s) == 5 and s[1] in ("official", "marketing", "window")
                  and all(isinstance(x, int) and not isinstance(x, bool) for x in s[2:4])]
            if ok:
                v.timelines[str(fp)] = ok
        v.zones = {str(k): str(z) for k, z in (data.get("zones") or {}).items() if isinstance(z, str)}
        return v


_INLINE_PICTURE = re.compile(r"^data:image/(jpeg|png);base64,[A-Za-z0-9+/]+=*$")


def build_visuals(findings: list[Finding], export: Export, source: ExportSource | None, as_of: int,
                  zone_of=lambda store_id: "Asia/Jakarta") -> Visuals:
    """The pictures and time lines of `findings`, looked up in `export` (pictures read through
    `source`, inside the export only)."""
    from lint.checks import Visual, spec
    v = Visuals()
    shown = [f for f in findings if spec(f.rule).visual == Visual.SESSIONS]
    lives = None
    if shown and export.lives is not None:  # only the sessions the findings name
        lives = _index(export.lives[export.lives["live_id"].isin({s for f in shown for s in f.subjects})],
                       "live_id")
    histories = None
    for f in findings:
        v.zones[f.fingerprint] = zone_of(f.store_id)
        shows = spec(f.rule).visual
        if shows == Visual.PICTURES:
            for path in f.evidence.get("thumbnails", []):
                if source is not None and path not in v.images and len(v.images) < MAX_PREVIEWS:
                    uri = _preview(source, path, export.fetched_covers.get(path))
                    if uri:
                        v.images[path] = uri
            for path, seconds in zip(f.evidence.get("video_files") or [], f.evidence.get("video_best_frames_s") or []):
                key = frame_key(path, seconds)
                if source is not None and key not in v.images and len(v.images) < MAX_PREVIEWS:
                    uri = _frame_preview(source, path, seconds)
                    if uri:
                        v.images[key] = uri
        elif shows == Visual.SESSIONS and lives is not None:
            segs = []
            for live_id, kind in zip(f.subjects, ("official", "marketing")):
                row = lives.get(live_id)
                if row is not None:
                    end = int(row["end"])
                    segs.append(Segment(f"{row['account_id']} · {live_id}", kind, int(row["start"]),
                                        as_of if end == NO_TIME else end, end == NO_TIME))
            v.timelines[f.fingerprint] = segs + [Segment("", "window", f.start, f.end)]
        elif shows == Visual.BINDING_HISTORY and export.bindings is not None:
            histories = histories or _BindingIndex(
                export.bindings, [g for g in findings if spec(g.rule).visual == Visual.BINDING_HISTORY])
            v.timelines[f.fingerprint] = histories.history(f, as_of)
    return v


def _index(frame, key):
    if frame is None or frame.empty:
        return None
    return {k: row for k, row in zip(frame[key].tolist(), frame.to_dict("records"))}


class _BindingIndex:
    """The bindings that the findings' histories can show, looked up once by id and by
    (store, account), so each history is a few dictionary look-ups rather than a scan of
    every binding (4,000 findings over a million bindings: minutes -> about a second)."""

    def __init__(self, b, findings: list[Finding]):
        subjects = list({s for f in findings for s in f.subjects})
        stores = list({f.store_id for f in findings})
        accounts = list({a for f in findings for a in f.accounts})
        keep = (b["bind_id"].isin(subjects).to_numpy() | b["unbind_id"].isin(subjects).fillna(False).to_numpy()
                | (b["store_id"].isin(stores).to_numpy() & b["account_id"].isin(accounts).to_numpy()))
        rows = np.flatnonzero(keep)  # in the table's order: ties in time keep it
        col = lambda name: b[name].iloc[rows].to_numpy(dtype=object)  # noqa: E731  (only the rows kept)
        self.bind_id, self.unbind_id, self.store, self.account, self.kind = (
            col("bind_id"), col("unbind_id"), col("store_id"), col("account_id"), col("account_type"))
        self.start, self.end = b["start"].to_numpy()[rows], b["end"].to_numpy()[rows]
        self.by_id: dict[str, list[int]] = {}
        self.by_pair: dict[tuple, list[int]] = {}
        # over Python lists (indexing object arrays element by element cost twice as much)
        for i, (bind_id, unbind_id, store, account) in enumerate(zip(
                self.bind_id.tolist(), self.unbind_id.tolist(), self.store.tolist(), self.account.tolist())):
            self.by_id.setdefault(bind_id, []).append(i)
            if isinstance(unbind_id, str):
                self.by_id.setdefault(unbind_id, []).append(i)
            self.by_pair.setdefault((store, account), []).append(i)

    def history(self, f: Finding, as_of: int) -> list[Segment]:
        """Every binding of the finding's accounts in its store, and the bindings it names in
        other stores (a dual role), in time order."""
        named = {i for s in f.subjects for i in self.by_id.get(s, ())}
        mine = {i for a in f.accounts for i in self.by_pair.get((f.store_id, a), ())}
        rows = sorted(named | mine, key=lambda i: (self.start[i], self.bind_id[i], i))
        if len(rows) > 40:  # a churned account: the named bindings suffice
            rows = [i for i in rows if i in named]
        segs = []
        for i in rows:
            start, end = int(self.start[i]), int(self.end[i])
            where = "" if self.store[i] == f.store_id else f" @ {self.store[i]}"
            segs.append(Segment(f"{self.account[i]}{where}", self.kind[i], start,
                                max(start, as_of) if end == NO_TIME else end, end == NO_TIME))
        return segs + [Segment("", "window", f.start, f.end)]


def frame_key(path: str, seconds: float) -> str:
    """The key of a video frame's picture in Visuals.images: the file and the time."""
    return f"{path}#t={float(seconds):.3f}"


def _frame_preview(source: ExportSource, relative: str, seconds: float) -> str | None:
    """A small JPEG data URI of the frame of the video at `relative` shown at `seconds`
    (decoded within the video limits, inside the export only); None if it cannot be had."""
    try:
        from lint.media.video import VideoProblem, frame_at
        path = source.resolve(relative)
        img = frame_at(path, seconds, max_side=max(PREVIEW_SIZE))
    except (ImportError, RefusedPath, OSError, ValueError) as e:
        del e
        return None
    except VideoProblem:
        return None
    img.thumbnail(PREVIEW_SIZE)
    return _jpeg_uri(img)


def _jpeg_uri(img) -> str:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=72, optimize=True)
    return "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _preview(source: ExportSource, relative: str, fetched: str | None = None) -> str | None:
    """A small JPEG data URI of the picture at `relative` inside the export, or of the cover
    downloaded for that URL (`fetched`, a file shoplint wrote in its cache); None if neither
    can be read."""
    from lint.ingest.images import MAX_IMAGE_BYTES, ImageProblem, decode_rgb_small  # (Pillow: only for pictures)
    try:
        path = Path(fetched) if fetched else source.resolve(relative)
        if path.stat().st_size > MAX_IMAGE_BYTES:
            return None
        img = decode_rgb_small(path.read_bytes(), PREVIEW_SIZE)
    except (RefusedPath, ImageProblem, OSError):
        return None
    img.thumbnail(PREVIEW_SIZE)
    return _jpeg_uri(img)


def span(segments: list[Segment]) -> tuple[int, int]:
    """The earliest start and the latest end of `segments`."""
    lo = min(s.start for s in segments)
    hi = max(s.end for s in segments)
    return lo, max(hi, lo + 1)


def as_fractions(segments: list[Segment]) -> list[tuple[Segment, float, float]]:
    """Each segment's start and width as fractions of the whole span (for drawing)."""
    lo, hi = span(segments)
    total = float(hi - lo)
    out = []
    for s in segments:
        a = (s.start - lo) / total
        w = max((s.end - s.start) / total, 0.004)
        out.append((s, float(np.clip(a, 0, 1)), float(min(w, 1 - min(a, 0.996)))))
    return out
