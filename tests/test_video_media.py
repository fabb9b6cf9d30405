"""lint.media: bounded video decoding, bar removal, fingerprints and time alignment."""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

pytest.importorskip("av")

import videokit as vk  # noqa: E402

from lint.media.align import align, clock, is_match  # noqa: E402
from lint.media.bars import common_box, content_box  # noqa: E402
from lint.media.fingerprint import VideoFingerprint, fingerprint_file  # noqa: E402
from lint.media.video import VideoLimits, VideoProblem, frame_at, sample_frames  # noqa: E402

from conftest import photo  # noqa: E402

MATCH = dict(min_frames=3, min_stretch_s=2.0, min_coverage=0.5, min_density=0.5)


def grey(img):
    return np.asarray(img.convert("L"), dtype=np.float32)


@pytest.mark.parametrize("blur", [False, True])
def test_bars_are_found_around_content_black_coloured_or_blurred(blur):
    content = photo(1, size=(90, 160))
    for frame_size in [(160, 160), (90, 240)]:  # pillarbox, letterbox
        framed = vk.with_bars([content], frame_size, blur=blur, colour=(40, 90, 200))[0]
        box = content_box(grey(framed))
        assert box is not None, frame_size
        t, b, l, r = box
        fw, fh = frame_size
        scale = min(fw / 90, fh / 160)
        assert abs((r - l) - 90 * scale) <= 6 and abs((b - t) - 160 * scale) <= 6


def test_no_bars_in_a_plain_photo_or_a_dark_sky_on_one_side():
    img = grey(photo(2, size=(90, 160)))
    assert content_box(img) is None
    sky = img.copy()
    sky[:40] = 3  # a dark band only at the top is not a bar
    assert content_box(sky) is None
    assert common_box([None, (1, 2, 3, 4), None]) is None
    assert common_box([(10, 90, 0, 50), (10, 90, 0, 50), None]) == (10, 90, 0, 50)


def test_fingerprint_round_trips_through_bytes(tmp_path):
    path = vk.write(tmp_path / "a.mp4", vk.pan_frames(3))
    fp = fingerprint_file(path)
    assert len(fp.times) >= 6 and fp.hashes.shape == (len(fp.times), 6)
    back = VideoFingerprint.from_bytes(fp.to_bytes())
    assert np.array_equal(back.times, fp.times) and np.array_equal(back.hashes, fp.hashes)
    assert back.duration_s == fp.duration_s and back.bars == fp.bars


def test_key_frames_only_when_they_are_dense_enough(tmp_path):
    long = vk.pan_frames(3, content_s=14.0, size=(48, 80))
    dense = fingerprint_file(vk.write(tmp_path / "dense.mp4", long, gop=vk.FPS))
    sparse = fingerprint_file(vk.write(tmp_path / "sparse.mp4", long, gop=250))
    assert dense.key_frames_only and not sparse.key_frames_only
    assert np.diff(sparse.times).max() <= 0.75  # 2 frames a second (non-reference frames skipped)


@pytest.mark.parametrize("change", ["mirror", "bars", "blur_bars", "trim", "speed_up", "slow_down", "webm"])
def test_a_repost_matches_along_a_time_line(tmp_path, change):
    a = fingerprint_file(vk.write(tmp_path / "a.mp4", vk.pan_frames(5, content_s=6.0)))
    frames = {"mirror": lambda: vk.mirrored(vk.pan_frames(5, content_s=6.0)),
              "bars": lambda: vk.with_bars(vk.pan_frames(5, content_s=6.0)),
              "blur_bars": lambda: vk.with_bars(vk.pan_frames(5, content_s=6.0), blur=True),
              "trim": lambda: vk.pan_frames(5, content_s=6.0, start_s=1.5, end_s=5.0),
              "speed_up": lambda: vk.pan_frames(5, content_s=6.0, speed=1.1),
              "slow_down": lambda: vk.pan_frames(5, content_s=6.0, speed=0.9),
              "webm": lambda: vk.pan_frames(5, content_s=6.0)}[change]()
    codec = {"webm": "libvpx-vp9"}.get(change, "libx264")
    path = vk.write(tmp_path / ("b.webm" if change == "webm" else "b.mp4"), frames, codec=codec)
    b = fingerprint_file(path)
    al = align(a, b, 12)
    assert is_match(al, **MATCH), al
    if change in ("bars", "blur_bars"):
        assert b.bars_removed and not a.bars_removed
    if change == "speed_up":
        assert 0.85 <= al.speed <= 0.95
    if change == "slow_down":
        assert 1.05 <= al.speed <= 1.15
    if change == "trim":
        assert al.a_start >= 1.0 and al.b_start <= 0.5


def test_other_content_and_a_reverse_pan_over_the_same_photo_do_not_match(tmp_path):
    a = fingerprint_file(vk.write(tmp_path / "a.mp4", vk.pan_frames(5, content_s=6.0)))
    other = fingerprint_file(vk.write(tmp_path / "o.mp4", vk.pan_frames(6, content_s=6.0)))
    reverse = fingerprint_file(vk.write(tmp_path / "r.mp4", vk.pan_frames(5, content_s=6.0, reverse=True)))
    assert not is_match(align(a, other, 12), **MATCH)
    assert not is_match(align(a, reverse, 12), **MATCH)


def test_frame_at_gives_the_frame_shown_at_a_time(tmp_path):
    frames = vk.pan_frames(7, content_s=4.0)
    path = vk.write(tmp_path / "a.mp4", frames, crf=18)
    img = frame_at(path, 2.0)
    assert img.size == frames[0].size and img.mode == "RGB"
    diffs = [np.abs(np.asarray(img, float) - np.asarray(f, float)).mean() for f in frames]
    assert abs(int(np.argmin(diffs)) - 20) <= 1
    assert frame_at(path, 99.0).size == frames[0].size  # past the end: the last frame


def test_clock():
    assert [clock(3.4), clock(65), clock(3725)] == ["0:03", "1:05", "1:02:05"]


# --- hostile files: each is a VideoProblem, quickly, never a crash or a hang ----------------

def test_not_a_video_by_content(tmp_path):
    import zipfile
    (tmp_path / "t.mp4").write_text("just text, named .mp4")
    with zipfile.ZipFile(tmp_path / "z.mp4", "w") as zf:
        zf.writestr("a.txt", "x")
    photo(1).save(tmp_path / "g.mp4", "GIF")
    (tmp_path / "e.mp4").write_bytes(b"")
    for name in ("t.mp4", "z.mp4", "g.mp4", "e.mp4"):
        with pytest.raises(VideoProblem, match="not an MP4, MOV, WebM or MKV"):
            sample_frames(tmp_path / name)


def test_truncated_and_garbled_videos(tmp_path):
    good = vk.write(tmp_path / "a.mp4", vk.pan_frames(3)).read_bytes()
    (tmp_path / "cut.mp4").write_bytes(good[: len(good) // 2])  # moov at the end: gone
    with pytest.raises(VideoProblem):
        sample_frames(tmp_path / "cut.mp4")
    rng = np.random.default_rng(0)
    garbled = bytearray(good)
    idx = rng.integers(64, len(good), 400)
    garbled[idx[0]:idx[0] + 1] = b"\x00"
    for k in idx:
        garbled[k] = rng.integers(0, 256)
    (tmp_path / "garbled.mp4").write_bytes(bytes(garbled))
    try:
        sample_frames(tmp_path / "garbled.mp4")
    except VideoProblem:
        pass


def test_limits_on_bytes_pixels_duration_and_time(tmp_path):
    path = vk.write(tmp_path / "a.mp4", vk.pan_frames(3, content_s=3.0))
    with pytest.raises(VideoProblem, match="bytes"):
        sample_frames(path, VideoLimits(max_bytes=100))
    with pytest.raises(VideoProblem, match="pixels"):
        sample_frames(path, VideoLimits(max_pixels=96 * 160 - 1))
    with pytest.raises(VideoProblem, match="lasts"):
        sample_frames(path, VideoLimits(max_duration_s=1))
    with pytest.raises(VideoProblem, match="took more than"):
        sample_frames(path, VideoLimits(timeout_s=1e-9))
    with pytest.raises(VideoProblem, match="pixels"):
        frame_at(path, 1.0, VideoLimits(max_pixels=100))


def test_a_very_long_video_is_refused_from_its_header(tmp_path):
    # 10 frames, one every 100 s: a 1000-second video of a few kB
    path = vk.write(tmp_path / "long.mp4", vk.flat_frames(10), fps=Fraction(1, 100))
    with pytest.raises(VideoProblem, match="lasts"):
        sample_frames(path)


def test_huge_frame_size_is_refused_before_decoding(tmp_path):
    from PIL import Image
    path = vk.write(tmp_path / "huge.mp4", [Image.new("RGB", (4200, 4200), (9, 9, 9))], crf=51)
    with pytest.raises(VideoProblem, match="4200x4200 pixels"):
        sample_frames(path)
