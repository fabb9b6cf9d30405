"""DUP001 duplicate-content: the same content on a store's Official and Marketing accounts.

Pictures here are photo-like test images (tests/conftest.py `photo`); the accuracy on real
photographs, per transform, is measured by bench/eval_dup.py.
"""

import pytest
from PIL import ImageEnhance, ImageOps

from conftest import bind, findings, lint, make_export, photo

BINDINGS = [
    bind("B1", "S1", "OFF", "official", "bind", "2025-01-01T00:00:00+07:00"),
    bind("B2", "S1", "MKT", "marketing", "bind", "2025-01-01T00:00:00+07:00"),
]


def save(folder, name, img, quality=90):
    path = folder / "media" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    img.convert("RGB").save(path, "JPEG", quality=quality)
    return f"media/{name}"


def video(vid, account, posted="2025-06-01T10:00:00+07:00", **extra):
    return {"video_id": vid, "account_id": account, "posted_at": posted, **extra}


def test_reencoded_reupload_with_edited_caption_is_a_finding(export_dir):
    original = photo(1)
    make_export(export_dir, {"bindings": BINDINGS, "videos": [
        video("V1", "OFF", caption="Gamis premium #gamis #muslimah", thumbnail=save(export_dir, "a.jpg", original)),
        video("V2", "MKT", "2025-06-03T09:00:00+07:00", caption="#muslimah #gamis Gamis premium 😍 ready!",
              thumbnail=save(export_dir, "b.jpg", original.resize((180, 320)), quality=35)),
    ]})
    found = findings(lint(export_dir, select=["DUP001"]), "DUP001")
    assert len(found) == 1
    f = found[0]
    assert f["store_id"] == "S1" and f["subjects"] == ["V1", "V2"] and f["accounts"] == ["OFF", "MKT"]
    assert f["evidence"]["thumbnail_distance"] <= 8
    assert f["evidence"]["decided_by"] == "thumbnail"
    assert f["evidence"]["thumbnails"] == ["media/a.jpg", "media/b.jpg"]
    assert f["window"] == {"start": "2025-06-01T10:00:00+07:00", "end": "2025-06-03T09:00:00+07:00"}
    assert "V1" in f["message"] and "V2" in f["message"]


def test_mirrored_and_brightened_reupload_is_found_through_the_mirror_hash(export_dir):
    original = photo(2)
    flipped = ImageEnhance.Brightness(ImageOps.mirror(original)).enhance(1.2)
    make_export(export_dir, {"bindings": BINDINGS, "videos": [
        video("V1", "OFF", caption="a", thumbnail=save(export_dir, "a.jpg", original)),
        video("V2", "MKT", caption="totally different words", thumbnail=save(export_dir, "b.jpg", flipped)),
    ]})
    [f] = findings(lint(export_dir, select=["DUP001"]), "DUP001")
    assert f["evidence"]["thumbnail_match"] in ("mirror", "inner", "crop")


def test_different_pictures_sharing_a_caption_template_music_and_length_are_not_duplicates(export_dir):
    template = "PROMO 12.12 diskon 50%! #promo #diskon"
    make_export(export_dir, {"bindings": BINDINGS, "videos": [
        video("V1", "OFF", caption=template, duration_s=15, music_id="M1",
              thumbnail=save(export_dir, "a.jpg", photo(3))),
        video("V2", "MKT", caption=template, duration_s=15, music_id="M1",
              thumbnail=save(export_dir, "b.jpg", photo(4))),
    ]})
    assert findings(lint(export_dir, select=["DUP001"]), "DUP001") == []


def test_roles_are_taken_at_posted_at(export_dir):
    # MKT becomes Marketing only on 2025-07-01: its video of 2025-06-01 is not a Marketing video.
    make_export(export_dir, {"bindings": [
        bind("B1", "S1", "OFF", "official", "bind", "2025-01-01T00:00:00+07:00"),
        bind("B2", "S1", "MKT", "marketing", "bind", "2025-07-01T00:00:00+07:00"),
    ], "videos": [
        video("V1", "OFF", thumbnail=save(export_dir, "a.jpg", photo(5))),
        video("V2", "MKT", thumbnail=save(export_dir, "b.jpg", photo(5))),
        video("V3", "MKT", "2025-07-01T00:00:00+07:00", thumbnail=save(export_dir, "c.jpg", photo(5))),
    ]})
    found = findings(lint(export_dir, select=["DUP001"]), "DUP001")
    assert [f["subjects"] for f in found] == [["V1", "V3"]]


def test_an_account_bound_to_two_stores_gives_one_finding_per_store(export_dir):
    make_export(export_dir, {"bindings": BINDINGS + [
        bind("B3", "S2", "OFF", "official", "bind", "2025-01-01T00:00:00+07:00"),
        bind("B4", "S2", "MKT", "marketing", "bind", "2025-01-01T00:00:00+07:00"),
    ], "videos": [
        video("V1", "OFF", thumbnail=save(export_dir, "a.jpg", photo(6))),
        video("V2", "MKT", thumbnail=save(export_dir, "b.jpg", photo(6), quality=50)),
    ]})
    found = findings(lint(export_dir, select=["DUP001"]), "DUP001")
    assert sorted(f["store_id"] for f in found) == ["S1", "S2"]
    assert len({f["fingerprint"] for f in found}) == 2


def test_a_video_never_pairs_with_itself(export_dir):
    # ACC is Official and Marketing of S1 at once (BIND001's business); its one video is not a
    # duplicate of itself.
    make_export(export_dir, {"bindings": [
        bind("B1", "S1", "ACC", "official", "bind", "2025-01-01T00:00:00+07:00"),
        bind("B2", "S1", "ACC", "marketing", "bind", "2025-01-01T00:00:00+07:00"),
    ], "videos": [video("V1", "ACC", thumbnail=save(export_dir, "a.jpg", photo(7)))]})
    assert findings(lint(export_dir, select=["DUP001"]), "DUP001") == []


def test_precomputed_hashes_are_used_as_given(export_dir):
    make_export(export_dir, {"bindings": BINDINGS, "videos": [
        video("V1", "OFF", thumbnail_phash="c3d1a0b2e4f50617"),
        video("V2", "MKT", thumbnail_phash="0xC3D1A0B2E4F50616"),  # 1 bit apart, 0x and upper case
        video("V3", "MKT", thumbnail_phash="3c2e5f4d1b0af9e8"),  # every bit different
    ]})
    found = findings(lint(export_dir, select=["DUP001"]), "DUP001")
    assert [(f["subjects"], f["evidence"]["thumbnail_distance"]) for f in found] == [(["V1", "V2"], 1)]


def test_key_frames_in_order_decide_when_the_covers_differ(export_dir):
    scenes = [photo(20 + k) for k in range(4)]
    off_frames = [save(export_dir, f"o{k}.jpg", s) for k, s in enumerate(scenes)]
    mkt_frames = [save(export_dir, f"m{k}.jpg", ImageOps.mirror(s), quality=40) for k, s in enumerate(scenes)]
    make_export(export_dir, {"bindings": BINDINGS, "videos": [
        video("V1", "OFF", thumbnail=save(export_dir, "a.jpg", photo(30)), frames=off_frames),
        video("V2", "MKT", thumbnail=save(export_dir, "b.jpg", photo(31)), frames=mkt_frames),
        # the same scenes in another order are a different edit, not this video
        video("V3", "MKT", frames=[mkt_frames[3], mkt_frames[1]]),
    ]})
    found = findings(lint(export_dir, select=["DUP001"]), "DUP001")
    by_pair = {tuple(f["subjects"]): f["evidence"] for f in found}
    assert by_pair[("V1", "V2")]["decided_by"] == "frames"
    assert by_pair[("V1", "V2")]["frames_matched"] == 4
    assert ("V1", "V3") not in by_pair or by_pair[("V1", "V3")]["frames_matched"] == 1


def test_without_pictures_caption_music_and_length_must_all_agree(export_dir):
    caption = "Review jujur serum vitamin C setelah 2 minggu pemakaian #skincare #serum"
    make_export(export_dir, {"bindings": BINDINGS, "videos": [
        video("V1", "OFF", caption=caption, music_id="M9", duration_s=31.2),
        video("V2", "MKT", caption=caption.replace("#skincare #serum", "#serum #skincare ✨"),
              music_id="M9", duration_s=31.0),
        # (captions a word apart: three identical ones would make it a template)
        video("V3", "MKT", caption=caption + " rutin", music_id="M8", duration_s=31.2),  # other music
        video("V4", "MKT", caption=caption + " ya", music_id="M9", duration_s=45.0),  # other length
    ]})
    found = findings(lint(export_dir, select=["DUP001"]), "DUP001")
    assert [(f["subjects"], f["evidence"]["decided_by"]) for f in found] == [(["V1", "V2"], "caption")]


def test_a_caption_posted_on_many_videos_is_a_template_not_evidence(export_dir):
    template = "Ready stock! Order sekarang sebelum kehabisan #ready"
    make_export(export_dir, {"bindings": BINDINGS, "videos": [
        video(f"V{k}", "OFF" if k % 2 else "MKT", caption=template, music_id="M1", duration_s=20)
        for k in range(1, 5)
    ]})
    assert findings(lint(export_dir, select=["DUP001"]), "DUP001") == []


def test_an_unreadable_image_is_an_input_error_and_the_video_is_still_compared(export_dir):
    (export_dir / "media").mkdir(parents=True)
    (export_dir / "media" / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    caption = "Unboxing sepatu lari edisi terbaru warna hitam putih #sepatu"
    make_export(export_dir, {"bindings": BINDINGS, "videos": [
        video("V1", "OFF", caption=caption, music_id="M1", duration_s=12, thumbnail="media/broken.jpg"),
        video("V2", "MKT", caption=caption, music_id="M1", duration_s=12),
    ]})
    report = lint(export_dir, select=["DUP001"])
    [err] = report["input_errors"]
    assert err["file"] == "videos.csv" and err["row"] == 2 and err["column"] == "thumbnail"
    assert "broken.jpg" in str(err.get("value")) or "broken.jpg" in err["message"]
    assert [f["subjects"] for f in findings(report, "DUP001")] == [["V1", "V2"]]


@pytest.mark.parametrize("path", ["../outside.jpg", "/etc/passwd", "https://example.com/a.jpg"])
def test_paths_leaving_the_export_are_refused_and_reported(export_dir, path):
    make_export(export_dir, {"bindings": BINDINGS, "videos": [video("V1", "OFF", thumbnail=path)]})
    (export_dir.parent / "outside.jpg").write_bytes(b"secret")
    report = lint(export_dir, select=["DUP001"])
    [err] = report["input_errors"]
    assert err["column"] == "thumbnail" and err["row"] == 2


def test_hashes_are_cached_by_file_content(export_dir, tmp_path, monkeypatch):
    import lint.ingest.media as media
    make_export(export_dir, {"bindings": BINDINGS, "videos": [
        video("V1", "OFF", thumbnail=save(export_dir, "a.jpg", photo(40))),
        video("V2", "MKT", thumbnail=save(export_dir, "b.jpg", photo(40), quality=60)),
    ]})
    calls = []
    real = media._hash_file
    monkeypatch.setattr(media, "_hash_file", lambda p: calls.append(p) or real(p))
    cache = tmp_path / "cache"
    first = lint(export_dir, select=["DUP001"], cache_dir=cache)
    assert len(calls) == 2
    second = lint(export_dir, select=["DUP001"], cache_dir=cache)
    assert len(calls) == 2  # nothing re-hashed
    assert first["findings"] == second["findings"] and len(first["findings"]) == 1
    # a changed picture under the same name is hashed again
    save(export_dir, "b.jpg", photo(41))
    third = lint(export_dir, select=["DUP001"], cache_dir=cache)
    assert len(calls) == 3 and third["findings"] == []


def test_thresholds_come_from_the_policy_pack(export_dir):
    original = photo(50)
    make_export(export_dir, {"bindings": BINDINGS, "videos": [
        video("V1", "OFF", thumbnail=save(export_dir, "a.jpg", original)),
        video("V2", "MKT", thumbnail=save(export_dir, "b.jpg", original, quality=30)),
    ]})
    assert len(findings(lint(export_dir, select=["DUP001"]), "DUP001")) == 1
    strict = {"DUP001": {"image_max_distance": -1, "support_max_distance": -1}}
    assert findings(lint(export_dir, select=["DUP001"], params=strict), "DUP001") == []


def _in_bars(img, frame, fill):
    """img scaled into a frame of another aspect ratio over black, a colour or a blur."""
    from PIL import Image, ImageFilter
    fw, fh = frame
    k = min(fw / img.width, fh / img.height)
    cw, ch = round(img.width * k), round(img.height * k)
    bg = (img.resize((fw, fh)).filter(ImageFilter.GaussianBlur(fw / 25)) if fill == "blur"
          else Image.new("RGB", (fw, fh), fill))
    bg.paste(img.resize((cw, ch)), ((fw - cw) // 2, (fh - ch) // 2))
    return bg


@pytest.mark.parametrize("frame, fill", [((640, 640), (0, 0, 0)), ((640, 360), "blur"), ((360, 840), (230, 30, 60))])
def test_a_cover_reposted_inside_bars_is_found_by_its_bar_removed_form(export_dir, frame, fill):
    original = photo(21)
    make_export(export_dir, {"bindings": BINDINGS, "videos": [
        video("V1", "OFF", caption="Sepatu baru", thumbnail=save(export_dir, "a.jpg", original)),
        video("V2", "MKT", caption="beda total", thumbnail=save(export_dir, "b.jpg", _in_bars(original, frame, fill), 60)),
        video("V3", "MKT", caption="lain", thumbnail=save(export_dir, "c.jpg", _in_bars(photo(22), frame, fill))),
    ]})
    [f] = findings(lint(export_dir, select=["DUP001"]), "DUP001")
    assert f["subjects"] == ["V1", "V2"]
    assert f["evidence"]["thumbnail_match"] == "bars" and f["evidence"]["decided_by"] == "thumbnail"


def test_key_frames_reposted_inside_bars_match_in_order(export_dir):
    scenes = [photo(30 + k) for k in range(3)]
    make_export(export_dir, {"bindings": BINDINGS, "videos": [
        video("V1", "OFF", thumbnail=save(export_dir, "a.jpg", photo(40)),
              frames="|".join(save(export_dir, f"a{k}.jpg", s) for k, s in enumerate(scenes))),
        video("V2", "MKT", thumbnail=save(export_dir, "b.jpg", photo(41)),
              frames="|".join(save(export_dir, f"b{k}.jpg", _in_bars(ImageOps.mirror(s), (640, 640), "blur"))
                              for k, s in enumerate(scenes))),
    ]})
    [f] = findings(lint(export_dir, select=["DUP001"]), "DUP001")
    assert f["evidence"]["decided_by"] == "frames" and f["evidence"]["frames_matched"] >= 2


def test_without_the_video_extra_a_video_file_is_an_input_error_and_covers_still_count(export_dir, monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, "av", None)  # `import av` fails as when PyAV is not installed
    (export_dir / "media").mkdir(parents=True)
    (export_dir / "media" / "v.mp4").write_bytes(b"\x00\x00\x00\x18ftypisom" + b"\x00" * 64)
    original = photo(1)
    make_export(export_dir, {"bindings": BINDINGS, "videos": [
        video("V1", "OFF", thumbnail=save(export_dir, "a.jpg", original), video_file="media/v.mp4"),
        video("V2", "MKT", thumbnail=save(export_dir, "b.jpg", ImageOps.mirror(original)), video_file="media/v.mp4"),
    ]})
    report = lint(export_dir, select=["DUP001"])
    assert {e["row"] for e in report["input_errors"]} == {2, 3}
    assert all("'video' extra" in e["message"] for e in report["input_errors"])
    [f] = findings(report, "DUP001")
    assert f["evidence"]["decided_by"] == "thumbnail"
