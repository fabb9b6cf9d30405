"""Regenerate sample_data/: a small, realistic export in which every rule fires and clean
cases stay clean. The files are committed; run this only to change them:

    pip install scikit-image scikit-learn av && python sample_data/make_sample.py

Pictures are cut from real photographs shipped inside scikit-image and scikit-learn.
The story of each store is in sample_data/README.md; tests/test_sample_data.py holds the
expected report (sample_data/expected.json) and what each store must show.
"""
from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageOps

HERE = Path(__file__).resolve().parent
W, H = 216, 384  # small 9:16 covers: the sample stays light to commit


def photos() -> dict[str, Image.Image]:
    import skimage.data as d
    from sklearn.datasets import load_sample_images
    china, flower = load_sample_images().images
    return {"coffee": Image.fromarray(d.coffee()), "chelsea": Image.fromarray(d.chelsea()),
            "astronaut": Image.fromarray(d.astronaut()), "rocket": Image.fromarray(d.rocket()),
            "china": Image.fromarray(china), "flower": Image.fromarray(flower)}


def cut(img: Image.Image, x: float, y: float, scale: float = 1.0) -> Image.Image:
    """A 9:16 cover cut at relative position (x, y) of the photo, `scale` of its height."""
    w, h = img.size
    ch = int(h * scale)
    cw = min(w, int(ch * 9 / 16))
    left, top = int((w - cw) * x), int((h - ch) * y)
    return img.crop((left, top, left + cw, top + ch)).resize((W, H), Image.Resampling.LANCZOS).convert("RGB")


def crop10(img: Image.Image) -> Image.Image:
    w, h = img.size
    return img.crop((int(w * .05), int(h * .05), int(w * .95), int(h * .95))).resize((w, h))


def banner(img: Image.Image, text: str) -> Image.Image:
    out = img.copy()
    draw = ImageDraw.Draw(out)
    draw.rectangle((0, H - 48, W, H - 16), fill=(200, 20, 40))
    draw.text((10, H - 42), text, fill=(255, 255, 255))
    return out


def save(img: Image.Image, name: str, quality: int = 82) -> str:
    (HERE / "media").mkdir(exist_ok=True)
    img.save(HERE / "media" / name, "JPEG", quality=quality, optimize=True)
    return f"media/{name}"


# Video clips: tiny (96 x 160, 10 frames a second, 6 s) so the sample stays light to commit.
CLIP_W, CLIP_H, CLIP_FPS, CLIP_S = 96, 160, 10, 6.0
CLIP_FRAMES = int(CLIP_FPS * CLIP_S)


def pan_frame(img: Image.Image, u: float, zoom: float) -> Image.Image:
    """A 9:16 window `zoom` of the photo's height, at relative position u across it."""
    w, h = img.size
    ch = h * zoom
    cw = ch * 9 / 16
    left, top = (w - cw) * u, (h - ch) / 2
    return img.resize((CLIP_W, CLIP_H), Image.Resampling.BILINEAR, box=(left, top, left + cw, top + ch))


def in_blurred_bars(img: Image.Image, side: int = CLIP_H) -> Image.Image:
    """The picture pillarboxed into a square over a blurred, enlarged copy of itself."""
    from PIL import ImageFilter
    bg = img.resize((side, side), Image.Resampling.BILINEAR, box=(0, (img.height - img.width) / 2, img.width,
                                                                 (img.height + img.width) / 2))
    bg = bg.filter(ImageFilter.GaussianBlur(8))
    bg.paste(img, ((side - img.width) // 2, 0))
    return bg


def save_clip(frames: list[Image.Image], name: str) -> str:
    """An H.264 MP4 (PyAV), key frames every second."""
    import av
    with av.open(str(HERE / "media" / name), "w") as out:
        s = out.add_stream("libx264", rate=CLIP_FPS)
        s.width, s.height, s.pix_fmt = frames[0].width, frames[0].height, "yuv420p"
        s.options = {"crf": "30", "preset": "slow"}
        s.codec_context.gop_size = CLIP_FPS
        for img in frames:
            for packet in s.encode(av.VideoFrame.from_image(img)):
                out.mux(packet)
        for packet in s.encode():
            out.mux(packet)
    return f"media/{name}"


def write(name: str, rows: list[dict]):
    columns = list(dict.fromkeys(k for r in rows for k in r))
    with open(HERE / f"{name}.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, columns, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def main():
    p = photos()
    stores = [
        {"store_id": "S01", "store_name": "Batik Sekar Jagad", "region": "ID", "timezone": "Asia/Jakarta",
         "manager_email": "manajer@sekarjagad.example"},
        {"store_id": "S02", "store_name": "Kopi Nusantara", "region": "ID", "timezone": "Asia/Makassar",
         "manager_email": "toko@kopinusantara.example"},
        {"store_id": "S03", "store_name": "Gamis Cantik Bandung", "region": "ID", "timezone": "Asia/Jakarta",
         "manager_email": "admin@gamiscantik.example"},
        {"store_id": "S04", "store_name": "Sepatu Lari Jaya", "region": "ID", "timezone": "Asia/Jakarta",
         "manager_email": "halo@sepatularijaya.example"},
    ]
    accounts = [
        {"account_id": "sekarjagad.official", "region": "ID"},
        *({"account_id": f"sekarjagad.promo{k}", "region": "ID"} for k in range(1, 6)),
        {"account_id": "kopinusantara.id", "region": "MY"},  # registered in Malaysia: BIND007
        {"account_id": "kopi.rewel", "region": "ID"},
        {"account_id": "gamiscantik.bdg", "region": "ID"},
        {"account_id": "gamiscantik.new", "region": "ID"},
        {"account_id": "gamis.reseller", "region": "ID"},
        {"account_id": "larijaya.official", "region": "ID"},
        {"account_id": "larijaya.run", "region": "ID"},
        {"account_id": "larijaya.promo", "region": "ID"},
    ]
    ev = []

    def e(store, account, type_, action, at):
        ev.append({"event_id": f"E{len(ev) + 1:03d}", "store_id": store, "account_id": account,
                   "account_type": type_, "action": action, "at": at})

    # S01 Batik Sekar Jagad: a fifth Marketing account in November (BIND003); promo5 churned
    # in and out every week since June (BIND006); official + promo1 LIVE together (LIVE001).
    e("S01", "sekarjagad.official", "official", "bind", "2025-06-01T09:00:00+07:00")
    for k in range(1, 4):
        e("S01", f"sekarjagad.promo{k}", "marketing", "bind", f"2025-06-0{k + 1}T09:00:00+07:00")
    e("S01", "sekarjagad.promo4", "marketing", "bind", "2025-11-01T09:00:00+07:00")
    for week in range(12):
        day = 3 + 7 * week
        start = np.datetime64("2025-06-01") + np.timedelta64(day, "D")
        e("S01", "sekarjagad.promo5", "marketing", "bind", f"{start}T10:00:00+07:00")
        e("S01", "sekarjagad.promo5", "marketing", "unbind", f"{start + np.timedelta64(3, 'D')}T10:00:00+07:00")
    e("S01", "sekarjagad.promo5", "marketing", "bind", "2025-11-03T10:00:00+07:00")
    e("S01", "sekarjagad.promo5", "marketing", "unbind", "2025-11-20T10:00:00+07:00")
    # S02 Kopi Nusantara: Official registered in Malaysia (BIND007); a Marketing account
    # unbound after 30 hours (BIND004); kopi.rewel is also Official of S03 meanwhile.
    e("S02", "kopinusantara.id", "official", "bind", "2025-07-01T08:00:00+08:00")
    e("S02", "kopi.rewel", "marketing", "bind", "2025-07-10T08:00:00+08:00")
    e("S02", "kopi.rewel", "marketing", "unbind", "2025-07-11T14:00:00+08:00")
    e("S02", "kopi.rewel", "marketing", "bind", "2025-08-01T08:00:00+08:00")
    # S03 Gamis Cantik Bandung: the Official account unbound and re-bound four times
    # (BIND005), a second Official while the first was bound (BIND002), and kopi.rewel,
    # Marketing of S02, bound as Official here (BIND001).
    for k, month in enumerate(("07", "08", "09", "10")):
        e("S03", "gamiscantik.bdg", "official", "bind", f"2025-{month}-01T09:00:00+07:00")
        e("S03", "gamiscantik.bdg", "official", "unbind", f"2025-{month}-20T09:00:00+07:00")
    e("S03", "gamiscantik.bdg", "official", "bind", "2025-11-01T09:00:00+07:00")
    e("S03", "gamiscantik.new", "official", "bind", "2025-11-15T09:00:00+07:00")
    e("S03", "gamiscantik.new", "official", "unbind", "2025-11-25T09:00:00+07:00")
    e("S03", "gamis.reseller", "marketing", "bind", "2025-07-02T09:00:00+07:00")
    e("S03", "kopi.rewel", "official", "bind", "2025-10-21T09:00:00+07:00")
    e("S03", "kopi.rewel", "official", "unbind", "2025-10-30T09:00:00+07:00")
    # S04 Sepatu Lari Jaya: the clean store. One Official, two Marketing; a Marketing
    # account unbound exactly 48 h after linking (allowed) and a touching re-bind.
    e("S04", "larijaya.official", "official", "bind", "2025-06-01T09:00:00+07:00")
    e("S04", "larijaya.run", "marketing", "bind", "2025-06-01T09:00:00+07:00")
    e("S04", "larijaya.promo", "marketing", "bind", "2025-08-01T09:00:00+07:00")
    e("S04", "larijaya.promo", "marketing", "unbind", "2025-08-03T09:00:00+07:00")
    e("S04", "larijaya.promo", "marketing", "bind", "2025-08-03T09:00:00+07:00")

    # Videos. Re-uploads: S01's batik (coffee photo) mirrored with a new caption; S02's
    # coffee re-encoded, cropped 10 % with a promo banner; S03's key frames re-used under a
    # different cover. Look-alikes that must stay clean: S04 posts different shots of the same
    # scene on both accounts with the same caption template, music and products.
    coffee, cat, astro, rocket, china, flower = (p[k] for k in ("coffee", "chelsea", "astronaut", "rocket",
                                                               "china", "flower"))
    v = []

    def video(vid, account, posted, caption, thumb, **kw):
        v.append({"video_id": vid, "account_id": account, "posted_at": posted, "caption": caption,
                  "duration_s": kw.get("duration", 15.0), "thumbnail": thumb, "frames": kw.get("frames", ""),
                  "music_id": kw.get("music", ""), "product_ids": kw.get("products", ""),
                  "video_file": kw.get("video_file", "")})

    batik = cut(china, 0.2, 0.5)
    video("V101", "sekarjagad.official", "2025-09-02T19:00:00+07:00",
          "Batik tulis motif parang, kain primisima halus #batik #batiktulis", save(batik, "v101.jpg"),
          duration=21.4, music="M-gamelan-01", products="P-batik-parang")
    video("V102", "sekarjagad.promo2", "2025-09-04T12:30:00+07:00",
          "#batiktulis #batik PROMO! Batik tulis motif parang 😍 kain halus",
          save(ImageEnhance.Brightness(ImageOps.mirror(batik)).enhance(1.15), "v102.jpg", quality=60),
          duration=21.2, music="M-gamelan-01", products="P-batik-parang")
    video("V103", "sekarjagad.promo3", "2025-09-10T12:00:00+07:00",
          "Batik cap motif kawung, cocok untuk kantor #batik", save(cut(china, 0.9, 0.2), "v103.jpg"),
          duration=18.0, music="M-gamelan-01", products="P-batik-kawung")
    kopi = cut(coffee, 0.5, 0.5)
    video("V201", "kopinusantara.id", "2025-09-15T08:00:00+08:00",
          "Kopi Toraja Sapan, sangrai medium. Seduh V60 pagi ini ☕ #kopi #toraja", save(kopi, "v201.jpg"),
          duration=34.0, music="M-lofi-07", products="P-toraja-200g")
    video("V202", "kopi.rewel", "2025-09-16T20:00:00+08:00",
          "Pagi-pagi seduh kopi Toraja Sapan ☕☕ diskon 20% hari ini",
          save(banner(crop10(kopi), "DISKON 20%"), "v202.jpg", quality=45),
          duration=33.6, music="M-lofi-07", products="P-toraja-200g")
    scenes = [cut(astro, x, 0.3, 0.8) for x in (0.1, 0.4, 0.7)]
    frames_off = "|".join(save(s, f"v301_f{k}.jpg") for k, s in enumerate(scenes))
    frames_mkt = "|".join(save(s.resize((W // 2, H // 2)), f"v302_f{k}.jpg", quality=50) for k, s in enumerate(scenes))
    video("V301", "gamiscantik.bdg", "2025-11-05T10:00:00+07:00", "Tutorial hijab segi empat 3 gaya #hijab",
          save(cut(flower, 0.1, 0.5), "v301.jpg"), duration=45.0, frames=frames_off)
    video("V302", "gamis.reseller", "2025-11-06T10:00:00+07:00", "3 gaya hijab simpel buat ke kampus 💕",
          save(cut(flower, 0.9, 0.5), "v302.jpg"), duration=44.8, frames=frames_mkt)
    # S02's café cat clip (video files): V204 re-posts V203 trimmed by 1 s, pillarboxed in
    # blurred bars, under another cover frame and a new caption (DUP001 from the video);
    # V205 is a look-alike, another camera move over the same photo with the same music and
    # length, that must stay clean.
    pan = [pan_frame(cat, u, 1.0) for u in np.linspace(0, 1, CLIP_FRAMES)]
    video("V203", "kopinusantara.id", "2025-09-20T09:00:00+08:00", "Kucing kafe kami nemenin ngopi pagi ☕🐱",
          save(pan[0], "v203.jpg"), duration=CLIP_S, music="M-meow-02",
          video_file=save_clip(pan, "v203.mp4"))
    repost = [in_blurred_bars(f) for f in pan[CLIP_FPS:]]
    video("V204", "kopi.rewel", "2025-09-22T19:00:00+08:00", "lucu banget kucingnya 😍 mampir yuk",
          save(repost[30], "v204.jpg"), duration=CLIP_S - 1, music="M-meow-02",
          video_file=save_clip(repost, "v204.mp4"))
    zoom = [pan_frame(cat, 0.5, z) for z in np.linspace(1.0, 0.45, CLIP_FRAMES)]
    video("V205", "kopi.rewel", "2025-09-25T19:00:00+08:00", "Kucing kafe kami nemenin ngopi pagi ☕🐱",
          save(zoom[0], "v205.jpg"), duration=CLIP_S, music="M-meow-02",
          video_file=save_clip(zoom, "v205.mp4"))
    template = "PROMO 12.12 diskon 50%! Sepatu lari ringan #sepatulari #promo"
    for k, (x, y) in enumerate(((0.0, 0.5), (0.5, 0.0), (1.0, 1.0))):
        account = "larijaya.official" if k % 2 == 0 else "larijaya.run"
        video(f"V40{k + 1}", account, f"2025-12-0{k + 1}T18:00:00+07:00", template,
              save(banner(cut(rocket, x, y, 0.9), "12.12"), f"v40{k + 1}.jpg"),
              duration=15.0, music="M-viral-12", products="P-runner-x")
    write("stores", stores)
    write("accounts", accounts)
    write("bindings", ev)
    write("videos", v)

    # LIVE: S01 official and promo1 mirror one stream for 45 minutes (LIVE001); S04's two
    # accounts go LIVE back to back (touching intervals: clean).
    write("live_sessions", [
        {"live_id": "L01", "account_id": "sekarjagad.official", "started_at": "2025-10-10T19:00:00+07:00",
         "ended_at": "2025-10-10T21:00:00+07:00", "title": "LIVE Batik Harbolnas diskon 50%",
         "product_ids": "P-batik-parang|P-batik-kawung", "stream_source": "obs-studio-01"},
        {"live_id": "L02", "account_id": "sekarjagad.promo1", "started_at": "2025-10-10T20:15:00+07:00",
         "ended_at": "2025-10-10T22:00:00+07:00", "title": "LIVE batik harbolnas DISKON 50%!!",
         "product_ids": "P-batik-parang", "stream_source": "obs-studio-01"},
        {"live_id": "L03", "account_id": "larijaya.official", "started_at": "2025-12-05T19:00:00+07:00",
         "ended_at": "2025-12-05T20:00:00+07:00", "title": "Live sepatu lari", "product_ids": "P-runner-x",
         "stream_source": "phone-a"},
        {"live_id": "L04", "account_id": "larijaya.run", "started_at": "2025-12-05T20:00:00+07:00",
         "ended_at": "2025-12-05T21:00:00+07:00", "title": "Live sepatu lari sesi 2", "product_ids": "P-runner-x",
         "stream_source": "phone-b"},
    ])


if __name__ == "__main__":
    main()
