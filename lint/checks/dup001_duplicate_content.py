"""DUP001 duplicate-content: the same video on a store's Official and Marketing accounts.

Ingest has already turned pictures into hashes (lint.ingest.media): this check only compares
numbers and text. Per store, Official videos are paired with Marketing videos through the
hash index (lint.core.hashindex), which finds every pair within a distance without comparing all
pairs; only those candidates are scored on every signal and judged by the decision rule
documented in rules/DUP001.md, with its thresholds from the policy pack.

Where both videos of a pair have a fingerprint of their video file (lint.media), the pair
is judged from the videos alone: a stretch of one must match a stretch of the other in
time order (lint.media.align); candidates come from the same hash index over every sampled
frame's hashes.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from lint.checks import Visual, check
from lint.checks.context import add_role_sources, role_sources
from lint.core.findings import CheckResult, Finding
from lint.core.hashindex import pairs_within, popcount
from lint.core.intervals import group_codes
from lint.core.text import normalise_many, similarity

_WINDOWS = tuple(f"thumb_win{k}" for k in range(9))
# The forms of a thumbnail compared: (Official columns, Marketing columns, name). A pair's
# distance in a form is the smallest over every (Official column, Marketing column).
#   direct, mirror   the whole picture, as is or mirrored
#   inner            the inner band, which banners, logos and frames leave untouched
#   crop             a 90 % window of one picture against the whole other one (a crop of
#                    up to ~10 %, on either side, mirrored or not)
_THUMB_FORMS = ((("thumb_phash",), ("thumb_phash",), "direct"),
                (("thumb_phash",), ("thumb_mirror",), "mirror"),
                (("thumb_inner",), ("thumb_inner", "thumb_inner_mirror"), "inner"),
                (_WINDOWS, ("thumb_phash", "thumb_mirror"), "crop"),
                (("thumb_phash", "thumb_mirror"), _WINDOWS, "crop"),
                (("thumb_cut",), ("thumb_phash", "thumb_mirror", "thumb_cut", "thumb_cut_mirror"), "bars"),
                (("thumb_phash",), ("thumb_cut", "thumb_cut_mirror"), "bars"))
#   bars             the content inside letterbox/pillarbox bars of one picture (or both)
#                    against the other whole picture, as is or mirrored
_FORM_ORDER = ("direct", "mirror", "bars", "inner", "crop")  # ties go to the simplest explanation
# Video frames: the forms of the Official frame and of the Marketing frame the index pairs
# (as lint.media.align compares them).
def _video_forms():
    """The fingerprint forms compared, Official side against Marketing side (lint.media is
    imported only when a run has video fingerprints: it brings Pillow and the video code)."""
    from lint.media.fingerprint import CUT, CUT_M, FULL, FULL_M, INNER, INNER_M
    return (((FULL, CUT), (FULL, FULL_M, CUT, CUT_M)), ((INNER,), (INNER, INNER_M)))
_FAR = 65  # a distance no pair of 64-bit hashes has: "not comparable"


@check("DUP001", fields=("store", "official_video", "marketing_video", "official_account", "marketing_account",
                          "signal", "video_detail"), media=True, visual=Visual.PICTURES, source_roles=True)
def duplicate_content(ctx, params) -> CheckResult:
    """Each pair of an Official and a Marketing video of a store that show the same content (rules/DUP001.md)."""
    videos = ctx.export.videos
    if videos is None or videos.empty:
        return CheckResult([])
    videos = _with_hash_columns(videos.reset_index(drop=True))
    role_columns = [c for c in ("store_id", "account_type", "role_source") if c in videos.columns]
    items = videos[["video_id", "account_id", "posted", *role_columns]].assign(_v=np.arange(len(videos)))
    roles = ctx.roles_at(items, "posted")
    if roles.empty:
        return CheckResult([])
    off = roles[roles["account_type"] == "official"]
    mkt = roles[roles["account_type"] == "marketing"]
    og, mg = group_codes(off["store_id"], mkt["store_id"])
    ov, mv = off["_v"].to_numpy(np.int64), mkt["_v"].to_numpy(np.int64)
    ostore = off["store_id"].to_numpy(dtype=object)
    osource, msource = role_sources(off, mkt)

    oi, mj = _candidates(videos, og, ov, mg, mv, params)
    # A video never pairs with itself (an account Official and Marketing at once).
    ids = videos["video_id"]  # (only the candidates' ids as Python strings, not every video's)
    distinct = ids.take(ov[oi]).to_numpy(dtype=object) != ids.take(mv[mj]).to_numpy(dtype=object)
    oi, mj = oi[distinct], mj[distinct]
    if len(oi) == 0:
        return CheckResult([])
    vo, vm = ov[oi], mv[mj]
    thumb_d = _thumbnail_distances(videos, vo, vm)
    # normalised captions stay Arrow text: only the pairs' rows become Python strings
    captions = normalise_many(pa.array(videos["caption"], type=pa.string())) if "caption" in videos.columns else None
    templates = _template_captions(captions, roles, params["template_min_videos"])

    findings = []
    cols = _Columns(videos, np.unique(np.concatenate([vo, vm])))
    cols.add("caption_normalised", captions)
    for k in range(len(oi)):
        a, b = int(vo[k]), int(vm[k])
        store = ostore[oi[k]]
        ev = _evidence(cols, a, b, {name: int(d[k]) for name, d in thumb_d.items()},
                       templates.get(store, frozenset()), params)
        fo, fm = cols.row(a), cols.row(b)
        detail = ""
        if fo["video_fp"] is not None and fm["video_fp"] is not None:
            signal, detail = _judge_video(ev, fo, fm, params)
        else:
            signal = _decide(ev, params)
        if signal is None:
            continue
        ev["decided_by"] = signal
        add_role_sources(ev, osource[oi[k]], msource[mj[k]])
        start, end = sorted((fo["posted"], fm["posted"]))
        findings.append(Finding(
            rule="DUP001", store_id=store, accounts=list(dict.fromkeys([fo["account_id"], fm["account_id"]])),
            subjects=[fo["video_id"], fm["video_id"]], start=int(start), end=int(end), evidence=ev,
            fields={"store": store, "official_video": fo["video_id"], "marketing_video": fm["video_id"],
                    "official_account": fo["account_id"], "marketing_account": fm["account_id"],
                    "signal": f"dup_{signal}", "video_detail": detail},
        ))
    return CheckResult(findings)


def _with_hash_columns(videos: pd.DataFrame) -> pd.DataFrame:
    """Tables that never went through image hashing (no pictures in the export) still have
    the hash columns: the precomputed thumbnail_phash, or nothing."""
    if "thumb_phash" in videos.columns:
        return videos
    from lint.ingest.media import given_hashes  # pure parsing of the column, no file access
    out = videos.copy(deep=False)  # (new columns only: the videos' own are not copied)
    p, ok = given_hashes(videos)
    out["thumb_phash"] = pd.arrays.IntegerArray(p, ~ok)
    for name in ("thumb_mirror", "thumb_inner", "thumb_inner_mirror", "thumb_cut", "thumb_cut_mirror", *_WINDOWS):
        out[name] = pd.arrays.IntegerArray(np.zeros(len(out), np.uint64), np.ones(len(out), bool))
    out["frame_hashes"] = pd.Series([[]] * len(out), dtype=object, index=out.index)  # (one shared empty list)
    out["video_fp"] = pd.Series([None] * len(out), dtype=object, index=out.index)
    return out


def _hash_array(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    present = series.notna().to_numpy()
    return series.fillna(0).to_numpy(dtype=np.uint64), present


def _stacked(videos, columns, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For role rows `rows`: (position in rows, hash) of every present hash in `columns`."""
    pos, values = [], []
    for col in columns:
        if col not in videos.columns:
            continue
        h, present = _hash_array(videos[col])
        keep = np.flatnonzero(present[rows])
        pos.append(keep), values.append(h[rows[keep]])
    if not pos:
        return np.empty(0, np.int64), np.empty(0, np.uint64)
    return np.concatenate(pos), np.concatenate(values)


def _candidates(videos, og, ov, mg, mv, params):
    """(official row, marketing row) pairs close on some thumbnail form or some key frame."""
    found_i, found_j = [], []
    limit = int(params["support_max_distance"])
    for cols_o, cols_m, _ in _THUMB_FORMS:
        a, ha = _stacked(videos, cols_o, ov)
        b, hb = _stacked(videos, cols_m, mv)
        if len(a) and len(b):
            i, j, _ = pairs_within(og[a], ha, mg[b], hb, limit)
            found_i.append(a[i]), found_j.append(b[j])
    fi, fj = _frame_candidates(videos, og, ov, mg, mv, int(params["frame_max_distance"]))
    found_i.append(fi), found_j.append(fj)
    vi, vj = _video_candidates(videos, og, ov, mg, mv, params)
    found_i.append(vi), found_j.append(vj)
    ci, cj = _caption_candidates(videos, og, ov, mg, mv, params)
    found_i.append(ci), found_j.append(cj)
    i = np.concatenate(found_i) if found_i else np.empty(0, np.int64)
    j = np.concatenate(found_j) if found_j else np.empty(0, np.int64)
    if len(i) == 0:
        return i, j
    pair = np.unique(i.astype(np.int64) * (len(mv) + 1) + j)
    return pair // (len(mv) + 1), pair % (len(mv) + 1)


def _has_picture(videos) -> np.ndarray:
    has = videos["thumb_phash"].notna().to_numpy().copy()
    if "frame_hashes" in videos.columns:
        has |= np.fromiter((any(h is not None for h in x or ()) for x in videos["frame_hashes"].to_numpy(dtype=object)),
                           dtype=bool, count=len(videos))
    return has


def _caption_candidates(videos, og, ov, mg, mv, params):
    """Pairs where a side has no usable picture: only caption, music and duration can judge
    them, so they are paired on (store, music) with durations within the limit."""
    empty = (np.empty(0, np.int64), np.empty(0, np.int64))
    if "music_id" not in videos.columns or "caption" not in videos.columns:
        return empty
    music_codes, _ = pd.factorize(videos["music_id"])
    has_pic = _has_picture(videos)
    a = pd.DataFrame({"i": np.arange(len(ov)), "g": og, "m": music_codes[ov], "pic": has_pic[ov]})
    b = pd.DataFrame({"j": np.arange(len(mv)), "g": mg, "m": music_codes[mv], "pic": has_pic[mv]})
    a, b = a[a["m"] >= 0], b[b["m"] >= 0]
    pairs = a.merge(b, on=["g", "m"])
    pairs = pairs[~(pairs["pic_x"] & pairs["pic_y"])]
    if pairs.empty:
        return empty
    dur = pd.to_numeric(videos["duration_s"], errors="coerce").to_numpy(dtype=float, na_value=np.nan) \
        if "duration_s" in videos.columns else np.full(len(videos), np.nan)
    i, j = pairs["i"].to_numpy(np.int64), pairs["j"].to_numpy(np.int64)
    close = np.abs(dur[ov[i]] - dur[mv[j]]) <= params["duration_max_diff_s"]
    return i[close], j[close]


def _frame_forms(h) -> tuple[int, int, int, int]:
    """A key frame's (pHash, mirrored, bar-removed, bar-removed mirrored); frames hashed
    without the bar-removed form use the whole picture for it."""
    return (h[0], h[1], h[2], h[3]) if len(h) >= 4 else (h[0], h[1], h[0], h[1])


def _explode_frames(frame_hashes: np.ndarray, rows: np.ndarray):
    """-> (role row, frame position, (4, n) hashes: pHash, mirror, cut, cut mirror) of every
    usable key frame."""
    r, pos, hs = [], [], []
    for k, v in enumerate(rows.tolist()):
        for n, h in enumerate(frame_hashes[v] or ()):
            if h is not None:
                r.append(k), pos.append(n), hs.append(_frame_forms(h))
    return (np.asarray(r, np.int64), np.asarray(pos, np.int64),
            np.asarray(hs, np.uint64).reshape(len(hs), 4).T)


def _frame_candidates(videos, og, ov, mg, mv, limit):
    if "frame_hashes" not in videos.columns:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    fh = videos["frame_hashes"].to_numpy(dtype=object)
    has = np.fromiter((bool(x) for x in fh), dtype=bool, count=len(fh))
    a, b = np.flatnonzero(has[ov]), np.flatnonzero(has[mv])
    if not len(a) or not len(b):
        return np.empty(0, np.int64), np.empty(0, np.int64)
    ra, _, ha = _explode_frames(fh, ov[a])
    rb, _, hb = _explode_frames(fh, mv[b])
    out_i, out_j = [], []
    for fa in (0, 2):  # the Official frame as is or without bars
        for fb in (0, 1, 2, 3):  # against the Marketing frame in every form
            if (fa == 2 and not (ha[2] != ha[0]).any()) or (fb >= 2 and not (hb[fb] != hb[fb - 2]).any()):
                continue  # no frame has bars: the same comparison again
            i, j, _ = pairs_within(og[a[ra]], ha[fa], mg[b[rb]], hb[fb], limit)
            out_i.append(a[ra[i]]), out_j.append(b[rb[j]])
    return np.concatenate(out_i), np.concatenate(out_j)


def _explode_video(fps: np.ndarray, rows: np.ndarray, forms: tuple[int, ...]):
    """-> (role row, frame number, hash) of every sampled frame of the videos with a
    fingerprint, in each of `forms` (a form equal to an earlier one is left out)."""
    r, f, h = [], [], []
    for k, v in enumerate(rows.tolist()):
        fp = fps[v]
        if fp is None:
            continue
        n = len(fp.times)
        seen = None
        for form in forms:
            col = fp.hashes[:, form]
            keep = np.ones(n, bool) if seen is None else ~(seen == col[:, None]).any(axis=1)
            seen = col[:, None] if seen is None else np.hstack([seen, col[:, None]])
            idx = np.flatnonzero(keep)
            r.append(np.full(len(idx), k, np.int64)), f.append(idx), h.append(col[idx])
    if not r:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.uint64)
    return np.concatenate(r), np.concatenate(f), np.concatenate(h).astype(np.uint64)


def _video_candidates(videos, og, ov, mg, mv, params):
    """Pairs of videos with fingerprints that have at least video_min_frames Official frames
    matching some Marketing frame (through the hash index over every sampled frame)."""
    empty = (np.empty(0, np.int64), np.empty(0, np.int64))
    if "video_fp" not in videos.columns:
        return empty
    fps = videos["video_fp"].to_numpy(dtype=object)
    limit = int(params["video_frame_max_distance"])
    pair_frames = []
    for forms_o, forms_m in _video_forms():
        ra, fa, ha = _explode_video(fps, ov, forms_o)
        rb, _, hb = _explode_video(fps, mv, forms_m)
        if not len(ra) or not len(rb):
            continue
        i, j, _ = pairs_within(og[ra], ha, mg[rb], hb, limit)
        pair_frames.append(np.stack([ra[i], rb[j], fa[i]], axis=1))
    if not pair_frames:
        return empty
    found = np.unique(np.concatenate(pair_frames), axis=0)  # (official, marketing, official frame)
    pairs, counts = np.unique(found[:, :2], axis=0, return_counts=True)
    keep = counts >= int(params["video_min_frames"])
    return pairs[keep, 0], pairs[keep, 1]


def _judge_video(ev: dict, fo: dict, fm: dict, params) -> tuple[str | None, str]:
    """Both videos have a fingerprint: they alone decide. Adds the video evidence; -> (the
    signal or None, the matched stretch for the message)."""
    from lint.media.align import align, clock, is_match
    a, b = fo["video_fp"], fm["video_fp"]
    al = align(a, b, int(params["video_frame_max_distance"]))
    ev["video_frames"] = [len(a.times), len(b.times)]
    ev["video_bars_removed"] = [a.bars_removed, b.bars_removed]
    if fo["video_file"] and fm["video_file"]:
        ev["video_files"] = [fo["video_file"], fm["video_file"]]
    if al is None:
        ev["video_frames_matched"] = [0, 0]
        return None, ""
    stretch = (f"{clock(al.a_start)}-{clock(al.a_end)} of {fo['video_id']} against "
               f"{clock(al.b_start)}-{clock(al.b_end)} of {fm['video_id']}")
    ev["video_frames_matched"] = [al.matched_a, al.matched_b]
    ev["video_stretch"] = stretch
    ev["video_stretch_s"] = [round(al.a_start, 2), round(al.a_end, 2), round(al.b_start, 2), round(al.b_end, 2)]
    ev["video_share_official"] = round(al.share_a, 3)
    ev["video_share_marketing"] = round(al.share_b, 3)
    ev["video_coverage"] = round(al.coverage, 3)
    ev["video_speed_ratio"] = al.speed
    ev["video_best_frames_s"] = [round(al.best_a, 3), round(al.best_b, 3)]
    ev["video_best_distance"] = al.best_distance
    ev["video_density"] = al.density
    if not is_match(al, int(params["video_min_frames"]), params["video_min_stretch_s"], params["video_min_coverage"],
                    params["video_min_density"]):
        return None, ""
    detail = (f": {fo['video_id']} {clock(al.a_start)}-{clock(al.a_end)} ≈ {fm['video_id']} "
              f"{clock(al.b_start)}-{clock(al.b_end)}, ×{al.speed:.2f}")
    return "video", detail


def _thumbnail_distances(videos, vo, vm) -> dict[str, np.ndarray]:
    """Per thumbnail form, each pair's best distance (_FAR where a side lacks that form)."""
    out = {}
    for cols_o, cols_m, name in _THUMB_FORMS:
        best = out.get(name, np.full(len(vo), _FAR, dtype=np.int64))
        for col_o in cols_o:
            if col_o not in videos.columns:
                continue
            ho, po = _hash_array(videos[col_o])
            for col_m in cols_m:
                if col_m not in videos.columns:
                    continue
                hm, pm = _hash_array(videos[col_m])
                best = np.minimum(best, np.where(po[vo] & pm[vm], popcount(ho[vo] ^ hm[vm]), _FAR))
        out[name] = best
    return out


def _template_captions(captions: pa.Array | None, roles, min_videos: int) -> dict[str, frozenset]:
    """Per store, the normalised captions posted on at least `min_videos` distinct videos:
    templates ("PROMO 12.12 diskon 50%!") say nothing about the content."""
    if captions is None:
        return {}
    # Arrow text throughout (a million videos' stores, ids and captions as Python strings
    # were ~250 MB for a moment); store ids are text in every canonical table (ID columns),
    # so the keys are the same strings the findings' stores are
    keyed = pd.DataFrame({"store": roles["store_id"].astype("str").to_numpy(),
                          "video": roles["video_id"].astype("str").to_numpy(),
                          "text": pd.array(captions.take(pa.array(roles["_v"].to_numpy(np.int64))), dtype="str")})
    keyed = keyed[keyed["text"].notna() & (keyed["text"] != "")].drop_duplicates(["store", "video"])
    counts = keyed.groupby(["store", "text"], sort=False).size()
    counts = counts[counts >= min_videos]
    out: dict[str, set] = {}
    for store, text in counts.index:
        out.setdefault(store, set()).add(text)
    return {s: frozenset(t) for s, t in out.items()}


class _Columns:
    """Row access by position through plain Python values, for the rows of the candidate
    pairs only (a few thousand of a million videos: the other rows never become Python
    objects)."""

    def __init__(self, videos: pd.DataFrame, rows: np.ndarray):
        self.rows = rows
        self.at = dict(zip(rows.tolist(), range(len(rows))))  # video position -> index into the columns
        self.cols = {}
        for name in ("video_id", "account_id", "posted", "caption", "duration_s", "music_id",
                     "product_ids", "frame_hashes", "thumbnail", "share_url", "video_fp", "video_file"):
            if name in videos.columns:
                s = videos[name].take(rows)
                self.cols[name] = (s.to_numpy(dtype=object, na_value=None)
                                   if name not in ("frame_hashes", "video_fp") else s.to_numpy(dtype=object))
            else:
                self.cols[name] = np.full(len(rows), None, dtype=object)

    def add(self, name: str, values: pa.Array | None):
        """A column given for every video (Arrow), kept for the rows of the pairs."""
        self.cols[name] = (np.full(len(self.rows), None, dtype=object) if values is None
                           else values.take(pa.array(self.rows)).to_numpy(zero_copy_only=False))

    def get(self, name, i):
        return self.cols[name][self.at[i]]

    def row(self, i):
        k = self.at[i]
        return {name: v[k] for name, v in self.cols.items()}


def _frames_in_order(fa, fb, limit: int) -> tuple[int, int]:
    """Longest run of key frames matching in time order (either orientation; each frame as
    is or without bars) -> (matched, frames compared = the shorter sequence's usable frames)."""
    a = [_frame_forms(h) for h in (fa or ()) if h is not None]
    b = [_frame_forms(h) for h in (fb or ()) if h is not None]
    if not a or not b:
        return 0, 0
    ha = np.asarray(a, dtype=np.uint64)
    hb = np.asarray(b, dtype=np.uint64)
    best = 0
    for side in (0, 1):  # 0: as is, 1: the Marketing video mirrored
        d = np.full((len(a), len(b)), 64, dtype=np.int64)
        for fa_ in (0, 2):
            for fb_ in (side, side + 2):
                d = np.minimum(d, popcount(ha[:, fa_, None] ^ hb[None, :, fb_]))
        match = d <= limit
        # longest common subsequence over the match matrix
        lcs = np.zeros((len(a) + 1, len(b) + 1), dtype=np.int64)
        for x in range(len(a)):
            for y in range(len(b)):
                lcs[x + 1, y + 1] = lcs[x, y] + 1 if match[x, y] else max(lcs[x, y + 1], lcs[x + 1, y])
        best = max(best, int(lcs[-1, -1]))
    return best, min(len(a), len(b))


def _evidence(cols: _Columns, a: int, b: int, thumb_d: dict[str, int], templates, params) -> dict:
    ev: dict = {}
    forms = {name: d for name, d in thumb_d.items() if d < _FAR}
    if forms:
        best = min(forms, key=lambda name: (forms[name], _FORM_ORDER.index(name)))
        ev["thumbnail_distance"] = forms[best]
        ev["thumbnail_match"] = best
        ev["thumbnail_distances"] = forms
    matched, compared = _frames_in_order(cols.get("frame_hashes", a), cols.get("frame_hashes", b),
                                         int(params["frame_max_distance"]))
    if compared:
        ev["frames_matched"] = matched
        ev["frames_compared"] = compared
    ca, cb = cols.get("caption_normalised", a), cols.get("caption_normalised", b)
    if ca and cb:
        ev["caption_similarity"] = round(similarity(ca, cb), 1)
        ev["caption_template"] = ca in templates or cb in templates
        # the captions compared, as posted (reporters escape them)
        ev["official_caption"], ev["marketing_caption"] = cols.get("caption", a), cols.get("caption", b)
    da, db = cols.get("duration_s", a), cols.get("duration_s", b)
    if da is not None and db is not None and not (pd.isna(da) or pd.isna(db)):
        ev["duration_diff_s"] = round(abs(float(da) - float(db)), 3)
    ma, mb = cols.get("music_id", a), cols.get("music_id", b)
    if ma and mb:
        ev["same_music"] = ma == mb
    pa, pb = cols.get("product_ids", a), cols.get("product_ids", b)
    if pa is not None and pb is not None and len(pa) and len(pb):
        ev["shared_products"] = sorted(set(pa) & set(pb))
    ta, tb = cols.get("thumbnail", a), cols.get("thumbnail", b)
    if ta and tb:
        ev["thumbnails"] = [ta, tb]
    sa, sb = cols.get("share_url", a), cols.get("share_url", b)
    if sa and sb:
        ev["share_urls"] = [sa, sb]  # for a person to open both videos; not a signal
    return ev


def _decide(ev: dict, params) -> str | None:
    """The decision rule of rules/DUP001.md: which signal makes the pair a duplicate, or None."""
    d = ev.get("thumbnail_distance")
    forms = ev.get("thumbnail_distances", {})
    whole = min(forms.get("direct", _FAR), forms.get("mirror", _FAR), forms.get("bars", _FAR))
    part = min(forms.get("inner", _FAR), forms.get("crop", _FAR))
    if whole <= params["image_max_distance"] or part <= params["part_max_distance"]:
        return "thumbnail"
    matched, compared = ev.get("frames_matched", 0), ev.get("frames_compared", 0)
    if compared and matched >= min(params["frame_min_matches"], compared) \
            and matched >= params["frame_min_ratio"] * compared:
        return "frames"
    caption_counts = not ev.get("caption_template", False)
    caption = ev.get("caption_similarity", 0.0) if caption_counts else 0.0
    same_length = ev.get("duration_diff_s", float("inf")) <= params["duration_max_diff_s"]
    if d is not None and d <= params["support_max_distance"]:
        if caption >= params["caption_support_min"] or matched >= 1 or (same_length and ev.get("same_music")):
            return "thumbnail_support"
    if d is None and not compared:
        if caption >= params["caption_alone_min"] and same_length and ev.get("same_music"):
            return "caption"
    return None
