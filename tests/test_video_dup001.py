"""DUP001 judged from the video files (videos.video_file): findings, evidence, the text
report, the cache (a second run decodes no video), the candidate index against brute
force, and hostile video files as input errors of their row."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("av")

import videokit as vk  # noqa: E402

from conftest import bind, findings, lint, make_export, photo, run_cli  # noqa: E402

OFF, MKT = "A_OFF", "A_MKT"
BINDINGS = [bind("E1", "S1", OFF, "official", "bind", "2025-01-01T00:00:00+07:00"),
            bind("E2", "S1", MKT, "marketing", "bind", "2025-01-01T00:00:00+07:00")]


def video(vid, account, **kw):
    return {"video_id": vid, "account_id": account, "posted_at": "2025-06-01T10:00:00+07:00", **kw}


@pytest.fixture
def clips(export_dir):
    """V1 a pan; V2 its re-post in bars with another cover; V3 another pan (a look-alike
    cover: the same photo); V4 a pan over other content."""
    media = export_dir / "media"
    base = vk.pan_frames(11, content_s=6.0)
    vk.write(media / "v1.mp4", base, gop=vk.FPS)
    vk.write(media / "v2.mp4", vk.with_bars(vk.mirrored(base[5:]), blur=True))
    vk.write(media / "v4.mp4", vk.pan_frames(12, content_s=6.0))
    base[0].save(media / "c1.jpg")
    vk.with_bars([base[40]])[0].save(media / "c2.jpg")
    photo(12, size=(96, 160)).save(media / "c4.jpg")
    return export_dir


def test_a_repost_with_bars_and_another_cover_is_found_from_the_video(clips, tmp_path):
    make_export(clips, {"bindings": BINDINGS, "videos": [
        video("V1", OFF, video_file="media/v1.mp4", thumbnail="media/c1.jpg", caption="Batik tulis"),
        video("V2", MKT, video_file="media/v2.mp4", thumbnail="media/c2.jpg", caption="beda caption 😍"),
        video("V4", MKT, video_file="media/v4.mp4", thumbnail="media/c4.jpg", caption="Batik tulis")]})
    report = lint(clips, select=["DUP001"], cache_dir=tmp_path / "cache")
    assert report["input_errors"] == []
    [f] = findings(report, "DUP001")
    assert f["subjects"] == ["V1", "V2"]
    ev = f["evidence"]
    assert ev["decided_by"] == "video" and ev["video_bars_removed"] == [False, True]
    a0, a1, b0, b1 = ev["video_stretch_s"]
    assert a0 >= 0.2 and b0 <= 0.3 and a1 - a0 >= 3.5  # V2 starts 0.5 s into V1
    assert 0.9 <= ev["video_speed_ratio"] <= 1.1
    assert ev["video_stretch"].endswith("of V2") and " of V1 against " in ev["video_stretch"]
    assert ev["video_share_official"] > 0.5 and ev["video_share_marketing"] > 0.8
    assert ev["video_files"] == ["media/v1.mp4", "media/v2.mp4"]
    ta, tb = ev["video_best_frames_s"]
    assert abs((ta - 0.5) - tb) <= 0.6
    assert "V1 0:0" in f["message"] and "≈ V2" in f["message"]
    # the text report shows the stretch
    out = tmp_path / "r.txt"
    run_cli("check", clips, "--select", "DUP001", "--format", "text", "-o", out, "--no-cache")
    assert "≈ V2" in out.read_text()


def test_videos_decide_over_covers_and_captions(clips):
    """Same cover picture and caption but different videos: not a duplicate when both
    videos can be read."""
    make_export(clips, {"bindings": BINDINGS, "videos": [
        video("V1", OFF, video_file="media/v1.mp4", thumbnail="media/c1.jpg", caption="Batik tulis", music_id="M"),
        video("V4", MKT, video_file="media/v4.mp4", thumbnail="media/c1.jpg", caption="Batik tulis", music_id="M")]})
    report = lint(clips, select=["DUP001"])
    assert findings(report, "DUP001") == []


def test_an_unreadable_video_falls_back_to_the_other_signals(clips):
    (clips / "media" / "bad.mp4").write_text("not a video")
    make_export(clips, {"bindings": BINDINGS, "videos": [
        video("V1", OFF, video_file="media/v1.mp4", thumbnail="media/c1.jpg"),
        video("V2", MKT, video_file="media/bad.mp4", thumbnail="media/c1.jpg")]})
    report = lint(clips, select=["DUP001"])
    [err] = report["input_errors"]
    assert err["column"] == "video_file" and err["row"] == 3 and "not an MP4" in err["message"]
    [f] = findings(report, "DUP001")
    assert f["evidence"]["decided_by"] == "thumbnail"


def test_a_second_run_decodes_no_video(clips, tmp_path):
    import lint.ingest.media as media
    make_export(clips, {"bindings": BINDINGS, "videos": [
        video("V1", OFF, video_file="media/v1.mp4"), video("V2", MKT, video_file="media/v2.mp4"),
        video("V4", MKT, video_file="media/v4.mp4")]})
    before = media.VIDEO_DECODES
    first = lint(clips, select=["DUP001"], cache_dir=tmp_path / "cache")
    assert media.VIDEO_DECODES - before == 3
    second = lint(clips, select=["DUP001"], cache_dir=tmp_path / "cache")
    assert media.VIDEO_DECODES - before == 3  # nothing decoded the second time
    assert first["findings"] == second["findings"] and len(first["findings"]) == 1
    # a renamed copy has the same content: still not decoded
    (clips / "media" / "v1.mp4").rename(clips / "media" / "renamed.mp4")
    make_export(clips, {"videos": [video("V1", OFF, video_file="media/renamed.mp4"),
                                   video("V2", MKT, video_file="media/v2.mp4")]})
    lint(clips, select=["DUP001"], cache_dir=tmp_path / "cache")
    assert media.VIDEO_DECODES - before == 3


def test_the_frame_index_misses_no_candidate_of_brute_force():
    """_video_candidates (hash index over every frame) against comparing every pair."""
    from lint.checks.dup001_duplicate_content import _video_candidates
    from lint.core.hashindex import popcount
    from lint.media.fingerprint import VideoFingerprint
    rng = np.random.default_rng(4)
    base = rng.integers(0, 2 ** 63, size=(40, 6), dtype=np.uint64)
    fps = []
    for k in range(60):
        n = int(rng.integers(0, 12))
        h = base[rng.integers(0, 40, n)].copy()
        flips = rng.integers(0, 64, size=(n, 6, 3))
        for b in range(3):
            h ^= (np.uint64(1) << flips[:, :, b].astype(np.uint64)) * (rng.random((n, 6)) < 0.5)
        fps.append(VideoFingerprint(np.arange(n, dtype=np.float32), h, float(n)) if k % 7 else None)
    videos = pd.DataFrame({"video_fp": pd.Series(fps, dtype=object)})
    ov, mv = np.arange(0, 60, 2), np.arange(1, 60, 2)
    og, mg = (ov // 20).astype(np.int64), (mv // 20).astype(np.int64)
    params = {"video_frame_max_distance": 8, "video_min_frames": 2}
    got = set(zip(*(x.tolist() for x in _video_candidates(videos, og, ov, mg, mv, params))))
    want = set()
    for i, a in enumerate(ov):
        for j, b in enumerate(mv):
            fa, fb = fps[a], fps[b]
            if og[i] != mg[j] or fa is None or fb is None or not len(fa.times) or not len(fb.times):
                continue
            d = np.full((len(fa.times), len(fb.times)), 64)
            for x, y in ((0, 0), (0, 1), (0, 2), (0, 3), (2, 0), (2, 1), (2, 2), (2, 3), (4, 4), (4, 5)):
                d = np.minimum(d, popcount(fa.hashes[:, x, None] ^ fb.hashes[None, :, y]))
            if ((d <= 8).any(axis=1)).sum() >= 2:
                want.add((i, j))
    assert want and got == want


@pytest.mark.parametrize("kind", ["outside_link", "zip_renamed", "text_renamed", "truncated", "gif_renamed",
                                  "dot_dot", "absolute"])
def test_hostile_video_files_are_input_errors_of_their_row(clips, tmp_path, kind):
    import zipfile
    media = clips / "media"
    target = {"outside_link": "media/out.mp4", "zip_renamed": "media/z.mp4", "text_renamed": "media/t.mp4",
              "truncated": "media/cut.mp4", "gif_renamed": "media/g.mp4", "dot_dot": "../v1.mp4",
              "absolute": str(media / "v1.mp4")}[kind]
    (tmp_path / "secret.mp4").write_bytes((media / "v1.mp4").read_bytes())
    (media / "out.mp4").symlink_to(tmp_path / "secret.mp4")
    with zipfile.ZipFile(media / "z.mp4", "w") as zf:
        zf.writestr("videos.csv", "x")
    (media / "t.mp4").write_text("hello")
    data = (media / "v2.mp4").read_bytes()
    (media / "cut.mp4").write_bytes(data[: len(data) // 2])
    photo(2).save(media / "g.mp4", "GIF")
    make_export(clips, {"bindings": BINDINGS, "videos": [
        video("V1", OFF, video_file="media/v1.mp4", thumbnail="media/c1.jpg"),
        video("V2", MKT, video_file=target, thumbnail="media/c1.jpg")]})
    report = lint(clips, select=["DUP001"])
    [err] = report["input_errors"]
    assert err["row"] == 3 and err["column"] == "video_file" and err["level"] == "value"
    assert "compared on its other signals" in err["message"]
    [f] = findings(report, "DUP001")  # still judged on the covers
    assert f["evidence"]["decided_by"] == "thumbnail"


def test_video_limits_follow_the_environment(clips, tmp_path, monkeypatch):
    make_export(clips, {"bindings": BINDINGS, "videos": [video("V1", OFF, video_file="media/v1.mp4")]})
    out = tmp_path / "r.json"
    monkeypatch.setenv("SHOPLINT_VIDEO_MAX_PIXELS", "1000")
    run_cli("check", clips, "--format", "json", "-o", out, "--no-cache")
    [error] = json.loads(out.read_text())["input_errors"]
    assert "(limit 1000 pixels)" in error["message"]
    monkeypatch.setenv("SHOPLINT_VIDEO_MAX_PIXELS", "1000000")
    monkeypatch.setenv("SHOPLINT_VIDEO_MAX_DURATION_S", "2")
    run_cli("check", clips, "--format", "json", "-o", out, "--no-cache")
    [error] = json.loads(out.read_text())["input_errors"]
    assert "limit 2 s" in error["message"]


def _crash(path):  # a decoder taking its worker process down (used through a process pool)
    import os
    os._exit(3)


def test_a_crashing_decoder_worker_is_an_input_error_not_a_crash(clips, tmp_path, monkeypatch):
    import lint.ingest.media as media
    monkeypatch.setattr(media, "VIDEO_PARALLEL_FROM", 1)
    monkeypatch.setattr(media, "_fingerprint_file", _crash)
    make_export(clips, {"bindings": BINDINGS, "videos": [
        video("V1", OFF, video_file="media/v1.mp4", thumbnail="media/c1.jpg"),
        video("V2", MKT, video_file="media/v2.mp4", thumbnail="media/c1.jpg")]})
    report = lint(clips, select=["DUP001"], cache_dir=tmp_path / "cache")
    assert {e["row"] for e in report["input_errors"]} == {2, 3}
    assert all("decoder stopped abnormally" in e["message"] for e in report["input_errors"])
    [f] = findings(report, "DUP001")
    assert f["evidence"]["decided_by"] == "thumbnail"


def test_with_the_dask_engine_videos_are_fingerprinted_on_the_workers(tmp_path):
    """--engine dask: the video files are decoded by the cluster's workers (the cache stays on
    the client), and the report is the in-process one, byte for byte."""
    pytest.importorskip("distributed")
    from distributed import Client, LocalCluster

    from lint import LintOptions, lint
    sample = Path(__file__).resolve().parent.parent / "sample_data"
    as_of = "2025-12-31T00:00:00+07:00"
    local = lint(sample, LintOptions(as_of=as_of, no_cache=True)).render("json")
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        on_dask = lint(sample, LintOptions(as_of=as_of, no_cache=True, engine="dask",
                                           scheduler=cluster.scheduler_address))
        ran = client.run_on_scheduler(lambda dask_scheduler: sorted(dask_scheduler.task_prefixes))
    assert on_dask.render("json") == local
    assert any(p.endswith("fingerprint_file") for p in ran), ran  # the decoding tasks ran on the cluster
