"""Labelled evaluation set for DUP001 (duplicate content), built from real photographs.

    python bench/dupdata.py OUT_DIR [--seed 1] [--workers 2]

Writes an export folder (shared/spec/schema.md: stores.csv, accounts.csv, bindings.csv in
event form, videos.csv, media/*.jpg) and labels.json, the answer key read by
bench/eval_dup.py.

Pictures come only from real photographs shipped inside PyPI wheels, read from the
installed packages with no download: scikit-image's `skimage.data` and scikit-learn's
`load_sample_images()` (see PHOTOS).

How the set is made
- Base videos: 9:16 crops of a photo at different places (a greedy packing in which any two
  crops of the same photo share at most `MAX_CONTAINMENT` of the smaller one's area), each
  with a camera path (a small pan and zoom inside the crop). A base video is rendered at
  360x640: the thumbnail (cover) at t=0 and four key frames at t = 1/8, 3/8, 5/8, 7/8.
  Different crops of one photo are the hard negatives: same scene, same look, different
  content.
- Each store (one Official, one Marketing account) has a few photos (its "products"). The
  Official account posts originals (crops of those photos). The Marketing account posts
  - positives: an original re-uploaded through one named transform (TRANSFORMS), with an
    edited caption (CAPTION_EDITS), a duration within 0.5 s, usually the same music and
    products, its key frames sampled at slightly shifted times;
  - hard negatives: other crops of the same photos (`other_crop_same_photo`), other crops
    tagged with the same product ids and a caption about the same product
    (`lookalike_products`), other pictures with the same or nearly the same caption template
    and promo banner (`caption_template`), other pictures with the same popular music and
    the same duration (`same_music`), and unrelated fillers.
  Any Official x Marketing video pair of a store that is not a positive is a negative;
  labels.json lists the hard ones with the signals they share.
- Some videos have no key frames (thumbnail only), so both paths are exercised.
- Deterministic for a seed: seeded RNGs, sorted iteration, fixed JPEG settings.
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from PIL import Image, ImageDraw, ImageEnhance, ImageFilter, ImageFont, ImageOps

W, H = 360, 640                      # rendered video size (9:16)
JPEG_QUALITY = 85                    # originals and every saved image
FRAME_TIMES = (0.125, 0.375, 0.625, 0.875)
COVER_TIME = 0.0
MAX_CONTAINMENT = 0.4                # crops of one photo share at most 40 % of the smaller one
WIB = timezone(timedelta(hours=7))

# ---------------------------------------------------------------------------------------
# Photographs: (package, loader name) -> what the store sells with it
# ---------------------------------------------------------------------------------------

# name: (source, products (variants), product hashtags)
PHOTOS: dict[str, tuple[str, list[str], list[str]]] = {
    "astronaut": ("skimage.data.astronaut",
                  ["Jaket Bomber NASA", "Kaos Astronot Oversize", "Topi NASA Bordir"],
                  ["#nasa", "#jaketbomber", "#outfitcowok"]),
    "brick": ("skimage.data.brick",
              ["Wallpaper Dinding Motif Bata", "Wallpaper 3D Bata Putih", "Stiker Dinding Bata"],
              ["#wallpaperdinding", "#dekorasirumah", "#wallpaper3d"]),
    "camera": ("skimage.data.camera",
               ["Kamera Analog Vintage", "Tripod Kamera Kayu", "Tali Kamera Kulit"],
               ["#kameraanalog", "#fotografi", "#vintage"]),
    "chelsea": ("skimage.data.chelsea",
                ["Makanan Kucing Premium", "Pasir Kucing Wangi", "Mainan Kucing Bulu"],
                ["#kucing", "#catlover", "#makanankucing"]),
    "china": ("sklearn.datasets.load_sample_images:china.jpg",
              ["Miniatur Pagoda", "Pajangan Kuil Oriental", "Lampion Imlek"],
              ["#imlek", "#pajangan", "#dekorasi"]),
    "coffee": ("skimage.data.coffee",
               ["Kopi Susu Gula Aren", "Biji Kopi Arabika Gayo", "Cangkir Keramik Putih"],
               ["#kopi", "#kopisusu", "#ngopi"]),
    "flower": ("sklearn.datasets.load_sample_images:flower.jpg",
               ["Bibit Bunga Dahlia", "Bunga Hias Artificial", "Pupuk Bunga Organik"],
               ["#bunga", "#tanamanhias", "#berkebun"]),
    "gravel": ("skimage.data.gravel",
               ["Batu Koral Hias", "Batu Taman Putih", "Pasir Aquascape"],
               ["#batuhias", "#taman", "#aquascape"]),
    "grass": ("skimage.data.grass",
              ["Rumput Sintetis", "Karpet Rumput Lapangan", "Rumput Gajah Mini"],
              ["#rumputsintetis", "#taman", "#dekorasirumah"]),
    "hubble_deep_field": ("skimage.data.hubble_deep_field",
                          ["Poster Galaksi Glow in the Dark", "Proyektor Galaxy", "Lampu Tidur Bintang"],
                          ["#galaxy", "#dekorasikamar", "#aesthetic"]),
    "immunohistochemistry": ("skimage.data.immunohistochemistry",
                             ["Kain Batik Tulis", "Kemeja Batik Motif Abstrak", "Kain Tenun Coklat"],
                             ["#batik", "#kainbatik", "#wastranusantara"]),
    "moon": ("skimage.data.moon",
             ["Lampu Bulan 3D", "Poster Bulan Purnama", "Lampu Tidur Moon"],
             ["#lampubulan", "#dekorasikamar", "#lampuhias"]),
    "motorcycle_left": ("skimage.data.stereo_motorcycle[0]",
                        ["Helm Full Face", "Cover Motor Anti Air", "Sarung Tangan Motor"],
                        ["#motor", "#aksesorismotor", "#bikers"]),
    "retina": ("skimage.data.retina",
               ["Lampu Planet Mars", "Globe Lampu Oranye", "Lampu Hias Bulat"],
               ["#lampuhias", "#dekorasikamar", "#aesthetic"]),
    "rocket": ("skimage.data.rocket",
               ["Mainan Roket Air", "Kit Roket Edukasi", "Miniatur Roket Saturn"],
               ["#mainananak", "#edukasi", "#roket"]),
}
GRAYSCALE = {"brick", "camera", "gravel", "grass", "moon"}   # shipped as grayscale; used as RGB
STRETCH = {"moon"}      # a low-contrast scientific image: contrast stretched (1 % cut-off) at load
MIN_DETAIL = 2.0        # crops flatter than this (see _detail_fn) are left out: two crops of
                        # clear sky are not "different content" anyone could tell apart

_PHOTO_CACHE: dict[str, Image.Image] = {}


def load_photo(name: str) -> Image.Image:
    """One photograph as an RGB PIL image, read from the installed wheel (no network)."""
    if name in _PHOTO_CACHE:
        return _PHOTO_CACHE[name]
    src = PHOTOS[name][0]
    if src.startswith("sklearn."):
        from sklearn.datasets import load_sample_images
        fname = src.split(":", 1)[1]
        data = load_sample_images()
        arr = next(im for im, fn in zip(data.images, data.filenames) if fn.endswith(fname))
    else:
        import skimage.data as skd
        if src == "skimage.data.stereo_motorcycle[0]":
            arr = skd.stereo_motorcycle()[0]
        else:
            arr = getattr(skd, src.rsplit(".", 1)[1])()
    img = Image.fromarray(arr).convert("RGB")
    if name in STRETCH:
        img = ImageOps.autocontrast(img, cutoff=1)
    _PHOTO_CACHE[name] = img
    return img


# ---------------------------------------------------------------------------------------
# Base videos: crops at different places, each with a small pan/zoom camera path
# ---------------------------------------------------------------------------------------

Box = tuple[float, float, float, float]


def _inter(a: Box, b: Box) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return max(0.0, w) * max(0.0, h)


def _area(a: Box) -> float:
    return (a[2] - a[0]) * (a[3] - a[1])


def containment(a: Box, b: Box) -> float:
    """Share of the smaller box that lies inside the other."""
    return _inter(a, b) / min(_area(a), _area(b))


def pack_crops(size: tuple[int, int], rng: random.Random, restarts: int = 6,
               attempts: int = 2500, detail=None) -> list[Box]:
    """9:16 footprints inside an image of `size`, pairwise containment <= MAX_CONTAINMENT.

    Heights run from 40 % of the photo's height (at least 180 px) up to 1.4x that: small
    enough to fit many, large enough not to be a blur when scaled to 640 px. `detail(box)`,
    when given, must be >= MIN_DETAIL for a crop to be kept. The best of a few greedy random
    packings is kept.
    """
    iw, ih = size
    hmax = min(ih * 0.98, iw * 0.98 * 16 / 9)
    hmin = min(max(0.4 * ih, 180.0), hmax)
    best: list[Box] = []
    for _ in range(restarts):
        acc: list[Box] = []
        for _ in range(attempts):
            h = rng.uniform(hmin, min(hmax, hmin * 1.4))
            w = h * 9 / 16
            x = rng.uniform(0, iw - w)
            y = rng.uniform(0, ih - h)
            f = (x, y, x + w, y + h)
            if all(containment(f, g) <= MAX_CONTAINMENT for g in acc) and (
                    detail is None or detail(f) >= MIN_DETAIL):
                acc.append(f)
        if len(acc) > len(best):
            best = acc
    # Stable order: top-left first.
    return sorted((tuple(round(v, 2) for v in b) for b in best), key=lambda b: (b[1], b[0]))


def _detail_fn(name: str):
    """Texture of a box of the photo: mean absolute grey-level difference between
    neighbouring pixels of a 4x smaller copy, inside the box's central 90 % (a smooth
    gradient of sky scores ~0, however bright or dark)."""
    import numpy as np
    img = load_photo(name)
    g = np.asarray(img.convert("L").reduce(4), dtype=np.float64)
    grad = np.zeros_like(g)
    grad[:, :-1] += np.abs(np.diff(g, axis=1))
    grad[:-1, :] += np.abs(np.diff(g, axis=0))

    def detail(b: Box) -> float:
        x0, y0, x1, y1 = b
        dx, dy = (x1 - x0) * 0.05, (y1 - y0) * 0.05
        return float(grad[int((y0 + dy) / 4):int((y1 - dy) / 4), int((x0 + dx) / 4):int((x1 - dx) / 4)].mean())
    return detail


@dataclass(frozen=True)
class BaseVideo:
    """A crop of a photo and a camera path inside it: region(t) for t in [0, 1]."""
    key: str                  # e.g. "coffee#3"
    photo: str
    footprint: Box            # the crop; every frame's region lies inside it
    s0: float                 # region scale (of the footprint) at t=0 and t=1
    s1: float
    u0: tuple[float, float]   # region position (0..1 of the free room) at t=0 and t=1
    u1: tuple[float, float]

    def region(self, t: float) -> Box:
        x0, y0, x1, y1 = self.footprint
        fw, fh = x1 - x0, y1 - y0
        s = self.s0 + (self.s1 - self.s0) * t
        ux = self.u0[0] + (self.u1[0] - self.u0[0]) * t
        uy = self.u0[1] + (self.u1[1] - self.u0[1]) * t
        rw, rh = fw * s, fh * s
        rx = x0 + (fw - rw) * ux
        ry = y0 + (fh - rh) * uy
        return (rx, ry, rx + rw, ry + rh)

    def render(self, t: float) -> Image.Image:
        return load_photo(self.photo).resize((W, H), Image.Resampling.BICUBIC, box=self.region(t))


def make_base(photo: str, index: int, footprint: Box, rng: random.Random) -> BaseVideo:
    # Zoom between 88 % and 97 % of the crop, pan across the room left: successive key
    # frames differ by a few percent, as in a hand-held product video.
    s0, s1 = rng.uniform(0.88, 0.97), rng.uniform(0.88, 0.97)
    u0 = (rng.uniform(0, 1), rng.uniform(0, 1))
    u1 = (rng.uniform(0, 1), rng.uniform(0, 1))
    return BaseVideo(f"{photo}#{index}", photo, footprint, round(s0, 4), round(s1, 4),
                     (round(u0[0], 4), round(u0[1], 4)), (round(u1[0], 4), round(u1[1], 4)))


# ---------------------------------------------------------------------------------------
# Transforms: fn(PIL.Image, **params) -> PIL.Image, applied identically to cover and frames
# ---------------------------------------------------------------------------------------

def reencode(img: Image.Image, quality: int = 35) -> Image.Image:
    """Recompress as a low-quality JPEG (blocking, ringing, colour bleeding)."""
    buf = io.BytesIO()
    img.convert("RGB").save(buf, "JPEG", quality=quality)
    buf.seek(0)
    out = Image.open(buf)
    out.load()
    return out.convert("RGB")


def resize(img: Image.Image, factor: float = 0.5) -> Image.Image:
    """Downscale (the copy is stored at the smaller size)."""
    w, h = img.size
    return img.resize((max(1, round(w * factor)), max(1, round(h * factor))), Image.Resampling.LANCZOS)


_CROP_MODES = {  # (left, top, right, bottom) cut, as fractions of width/height
    "center": (0.05, 0.05, 0.05, 0.05),
    "left": (0.10, 0.05, 0.00, 0.05),
    "right": (0.00, 0.05, 0.10, 0.05),
    "top": (0.05, 0.10, 0.05, 0.00),
    "bottom": (0.05, 0.00, 0.05, 0.10),
    "topleft": (0.10, 0.10, 0.00, 0.00),
    "bottomright": (0.00, 0.00, 0.10, 0.10),
}


def crop10(img: Image.Image, mode: str = "center") -> Image.Image:
    """Cut 10 % of the width and of the height (5 % each side, or 10 % on one side) and
    scale back to the original size (aspect ratio kept)."""
    w, h = img.size
    l, t, r, b = _CROP_MODES[mode]
    return img.resize((w, h), Image.Resampling.BICUBIC, box=(w * l, h * t, w * (1 - r), h * (1 - b)))


def crop_any(img: Image.Image, cut_x: float = 0.08, cut_y: float = 0.08, left_share: float = 0.5,
             top_share: float = 0.5) -> Image.Image:
    """Cut a random 6-14 % of the width and of the height, split at random between the two
    sides, and scale back: crops that do not sit on any grid."""
    w, h = img.size
    l, t = cut_x * left_share, cut_y * top_share
    r, b = cut_x - l, cut_y - t
    return img.resize((w, h), Image.Resampling.BICUBIC, box=(w * l, h * t, w * (1 - r), h * (1 - b)))


def brighten(img: Image.Image, brightness: float = 1.25, contrast: float = 1.1) -> Image.Image:
    """+25 % brightness with a small contrast boost (a filter in the editing app)."""
    return ImageEnhance.Contrast(ImageEnhance.Brightness(img).enhance(brightness)).enhance(contrast)


def mirror(img: Image.Image) -> Image.Image:
    """Horizontal flip."""
    return ImageOps.mirror(img)


_FONT_CACHE: dict[int, ImageFont.ImageFont] = {}


def _font(size: int):
    if size not in _FONT_CACHE:
        try:
            _FONT_CACHE[size] = ImageFont.load_default(size=size)
        except TypeError:  # Pillow < 10.1: bitmap font only
            _FONT_CACHE[size] = ImageFont.load_default()
    return _FONT_CACHE[size]


_BANNER_COLOURS = {"red": (214, 31, 38), "yellow": (250, 204, 21), "black": (20, 20, 20),
                   "orange": (255, 100, 0), "pink": (236, 72, 153)}


def overlay(img: Image.Image, text: str = "PROMO 12.12", position: str = "bottom",
            colour: str = "red", logo: str = "TS", logo_corner: str = "topright") -> Image.Image:
    """A text banner across the width (~11 % of the height) and a small logo box (~2 %):
    about 13 % of the picture covered, as added by the editing app."""
    w, h = img.size
    base = img.convert("RGBA")
    layer = Image.new("RGBA", base.size, (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    bh = round(h * 0.11)
    y0 = round(h * 0.80) if position == "bottom" else round(h * 0.07)
    fill = _BANNER_COLOURS[colour]
    d.rectangle((0, y0, w, y0 + bh), fill=fill + (225,))
    ink = (20, 20, 20, 255) if colour == "yellow" else (255, 255, 255, 255)
    font = _font(max(8, round(bh * 0.55)))
    tb = d.textbbox((0, 0), text, font=font)
    d.text(((w - (tb[2] - tb[0])) / 2 - tb[0], y0 + (bh - (tb[3] - tb[1])) / 2 - tb[1]), text,
           font=font, fill=ink)
    ls = round(w * 0.15)
    m = round(w * 0.04)
    lx = w - ls - m if logo_corner.endswith("right") else m
    ly = m if logo_corner.startswith("top") else h - ls - m
    if position == "top" and logo_corner.startswith("top"):
        ly = y0 + bh + m
    if position == "bottom" and logo_corner.startswith("bottom"):
        ly = y0 - ls - m
    d.rounded_rectangle((lx, ly, lx + ls, ly + ls), radius=round(ls * 0.2), fill=(255, 255, 255, 235),
                        outline=fill + (255,), width=max(1, round(ls * 0.06)))
    lf = _font(max(8, round(ls * 0.42)))
    tb = d.textbbox((0, 0), logo, font=lf)
    d.text((lx + (ls - (tb[2] - tb[0])) / 2 - tb[0], ly + (ls - (tb[3] - tb[1])) / 2 - tb[1]), logo,
           font=lf, fill=fill + (255,))
    return Image.alpha_composite(base, layer).convert("RGB")


def combo(img: Image.Image, mode: str = "center", quality: int = 35) -> Image.Image:
    """Mirror + crop10 + reencode (the caption is always edited too)."""
    return reencode(mirror(crop10(img, mode)), quality)


_BAR_FRAMES = {"square": (1, 1), "landscape": (16, 9), "four_five": (4, 5), "tall": (9, 21)}
_BAR_COLOURS = [(0, 0, 0), (255, 255, 255), (20, 20, 20), (230, 30, 60), (250, 200, 210), (30, 60, 140)]


def bars(img: Image.Image, fill: str = "black", frame: str = "square", colour=(0, 0, 0),
         blur: float = 0.04) -> Image.Image:
    """Letterbox or pillarbox: the picture scaled into a frame of another aspect ratio
    (square, 16:9, 4:5: bars left and right; 9:21: bars above and below), over black, a
    colour, or a blurred enlarged copy of itself (TikTok's 'blur' background); the output
    is the frame, 640 px on its long side."""
    w, h = img.size
    fw, fh = _BAR_FRAMES[frame]
    scale = 640 / max(fw, fh)
    fw, fh = round(fw * scale), round(fh * scale)
    k = min(fw / w, fh / h)
    cw, ch = round(w * k), round(h * k)
    if fill == "blur":
        cover = max(fw / w, fh / h)
        bw, bh = fw / cover, fh / cover
        bg = img.resize((fw, fh), Image.Resampling.BILINEAR,
                        box=((w - bw) / 2, (h - bh) / 2, (w + bw) / 2, (h + bh) / 2))
        bg = bg.filter(ImageFilter.GaussianBlur(max(fw, fh) * blur))
    else:
        bg = Image.new("RGB", (fw, fh), tuple(colour) if fill == "colour" else (0, 0, 0))
    bg.paste(img.resize((cw, ch), Image.Resampling.LANCZOS), ((fw - cw) // 2, (fh - ch) // 2))
    return bg


def bars_black(img: Image.Image, **kw) -> Image.Image:
    """Letterbox/pillarbox into another aspect ratio over black bars."""
    return bars(img, "black", **kw)


def bars_colour(img: Image.Image, **kw) -> Image.Image:
    """Letterbox/pillarbox over bars of one colour (white, pink, brand colours)."""
    return bars(img, "colour", **kw)


def bars_blur(img: Image.Image, **kw) -> Image.Image:
    """Letterbox/pillarbox over a blurred, enlarged copy of the picture."""
    return bars(img, "blur", **kw)


TRANSFORMS = {
    "reencode": reencode,
    "resize": resize,
    "crop10": crop10,
    "crop_any": crop_any,
    "brighten": brighten,
    "mirror": mirror,
    "overlay": overlay,
    "combo": combo,
    "bars_black": bars_black,
    "bars_colour": bars_colour,
    "bars_blur": bars_blur,
}
TRANSFORM_NAMES = tuple(TRANSFORMS)

OVERLAY_TEXTS = ["PROMO 12.12", "FLASH SALE", "GRATIS ONGKIR", "DISKON 50%", "PAYDAY SALE", "BEST SELLER"]


def transform_params(name: str, rng: random.Random) -> dict:
    """The per-video parameters of a transform (the same for its cover and its frames)."""
    if name == "reencode":
        return {"quality": rng.choice([30, 35, 35, 40])}
    if name == "resize":
        return {"factor": 0.5}
    if name == "crop10":
        return {"mode": rng.choice(sorted(_CROP_MODES))}
    if name == "crop_any":
        return {"cut_x": rng.uniform(0.06, 0.14), "cut_y": rng.uniform(0.06, 0.14),
                "left_share": rng.random(), "top_share": rng.random()}
    if name == "brighten":
        return {"brightness": rng.choice([1.2, 1.25, 1.3]), "contrast": rng.choice([1.05, 1.1, 1.15])}
    if name == "mirror":
        return {}
    if name == "overlay":
        return {"text": rng.choice(OVERLAY_TEXTS), "position": rng.choice(["top", "bottom"]),
                "colour": rng.choice(sorted(_BANNER_COLOURS)), "logo": rng.choice(["TS", "OK", "MJ", "88", "SB"]),
                "logo_corner": rng.choice(["topleft", "topright", "bottomleft", "bottomright"])}
    if name == "combo":
        return {"mode": rng.choice(sorted(_CROP_MODES)), "quality": rng.choice([30, 35, 40])}
    if name in ("bars_black", "bars_blur"):
        return {"frame": rng.choice(sorted(_BAR_FRAMES)), **({"blur": rng.choice([0.02, 0.04, 0.08])}
                                                           if name == "bars_blur" else {})}
    if name == "bars_colour":
        return {"frame": rng.choice(sorted(_BAR_FRAMES)), "colour": rng.choice(_BAR_COLOURS)}
    raise KeyError(name)


# ---------------------------------------------------------------------------------------
# Captions
# ---------------------------------------------------------------------------------------

OPENERS = ["Ready stok!", "Restock lagi nih", "Best seller minggu ini", "Yang ditunggu akhirnya datang",
           "Spill produk favorit", "Review jujur", "Barang baru masuk", "Lagi viral", "Kualitas premium",
           "Cuci gudang", "Akhirnya ready lagi", "Stok terbatas", "Produk lokal kualitas ekspor",
           "Wajib punya", "Haul bulan ini"]
BENEFITS = ["bahannya tebal dan adem", "awet dan tahan lama", "harga bersahabat", "dijamin original",
            "pengiriman cepat", "cocok buat kado", "kualitasnya juara", "bisa COD", "garansi 7 hari",
            "dikemas aman pakai bubble wrap", "sudah terjual ribuan", "rating bintang 5",
            "banyak pilihan warna", "cocok untuk pemula"]
CTAS = ["Checkout di keranjang kuning ya kak", "Klik keranjang kuning sekarang", "Buruan order sebelum kehabisan",
        "Langsung checkout aja", "Cek keranjang kuning", "DM kalau mau tanya-tanya",
        "Order sekarang, besok sampai", "Jangan sampai kehabisan"]
SHORT_REWRITES = ["Yang ini wajib punya sih", "Gak nyesel beli ini", "Racun banget sumpah",
                  "Auto checkout liat ginian", "Spill yang lagi rame", "POV: nemu barang bagus harga miring",
                  "Jujur suka banget sama ini", "Kalian udah punya belum?", "Yang nanya link, cek keranjang",
                  "Sekali coba langsung langganan"]
EMOJI = ["😍", "🔥", "✨", "🛒", "💯", "🥰", "👇", "⚡", "🎉", "💸", "🤩", "🙌", "📦", "❤️", "😱", "👍"]
GENERAL_TAGS = ["#fyp", "#tiktokshop", "#racuntiktok", "#viral", "#belanjaonline", "#tiktokmademebuyit",
                "#promo", "#fypシ", "#xyzbca", "#rekomendasi"]
# Caption templates a shop puts on many videos; (template id, text)
TEMPLATES = [
    ("promo1212", "PROMO 12.12 diskon 50%! #promo #diskon"),
    ("flashsale", "FLASH SALE jam 12 siang ⚡ stok terbatas! #flashsale #tiktokshop"),
    ("ongkir", "Gratis ongkir se-Indonesia 🚚 checkout sekarang #gratisongkir #fyp"),
    ("payday", "Payday sale! Semua produk diskon 30% 💸 #payday #promo"),
    ("keranjang", "Klik keranjang kuning sebelum kehabisan 🛒 #keranjangkuning #fyp"),
    ("harbolnas", "Harbolnas 11.11 serba 11rb!! #harbolnas #1111"),
]
TEMPLATE_BANNER = {"promo1212": "PROMO 12.12", "flashsale": "FLASH SALE", "ongkir": "GRATIS ONGKIR",
                   "payday": "PAYDAY SALE", "keranjang": "BEST SELLER", "harbolnas": "DISKON 50%"}
SYNONYMS = {"ready": "tersedia", "murah": "hemat", "kak": "gan", "cuma": "hanya", "checkout": "order",
            "sekarang": "skrg", "banget": "bgt", "juara": "mantap", "cepat": "kilat", "baru": "terbaru",
            "order": "pesan", "buruan": "yuk", "jujur": "beneran", "favorit": "andalan", "lagi": "lg",
            "dijamin": "pasti", "awet": "kuat", "harga": "hrg", "kualitas": "mutu", "barang": "produk"}

CAPTION_EDITS = ("none", "hashtags_reordered", "emoji_added", "words_changed", "case_changed", "mixed",
                 "rewritten")
_EDIT_WEIGHTS = (0.08, 0.15, 0.15, 0.15, 0.10, 0.22, 0.15)


def product_caption(product: str, tags: list[str], rng: random.Random) -> str:
    """A varied Indonesian shop caption about one product."""
    parts = []
    if rng.random() < 0.8:
        parts.append(rng.choice(OPENERS))
    parts.append(product if rng.random() < 0.85 else product.lower())
    if rng.random() < 0.8:
        parts[-1] += " " + rng.choice(BENEFITS)
    if rng.random() < 0.6:
        price = rng.choice([19, 25, 29, 35, 39, 45, 49, 59, 79, 99, 129, 149, 199])
        parts[-1] += ", " + rng.choice([f"cuma {price}rb", f"mulai Rp{price}.000", f"harga {price}ribuan aja"])
    text = " ".join(parts)
    if rng.random() < 0.6:
        text += " " + "".join(rng.sample(EMOJI, rng.randint(1, 2)))
    if rng.random() < 0.85:
        text += " " + rng.choice(CTAS)
        if rng.random() < 0.5:
            text += " " + rng.choice(EMOJI)
    hashtags = rng.sample(tags, rng.randint(1, len(tags))) + rng.sample(GENERAL_TAGS, rng.randint(1, 3))
    rng.shuffle(hashtags)
    return text + " " + " ".join(hashtags)


def rewritten_caption(product: str, tags: list[str], old: str, rng: random.Random) -> str:
    """A caption written anew: different words and hashtags, often no product name."""
    for _ in range(20):
        if rng.random() < 0.5:
            text = rng.choice(SHORT_REWRITES) + " " + rng.choice(EMOJI)
            hashtags = rng.sample(GENERAL_TAGS, rng.randint(1, 3))
            if rng.random() < 0.5:
                hashtags.append(rng.choice(tags))
            new = text + " " + " ".join(hashtags)
        else:
            new = product_caption(product, tags, rng)
        if _split_tags(new)[0].lower() != _split_tags(old)[0].lower():
            return new
    return new


def _split_tags(caption: str) -> tuple[str, list[str]]:
    """(text, trailing hashtags)."""
    words = caption.split(" ")
    k = len(words)
    while k > 0 and words[k - 1].startswith("#"):
        k -= 1
    return " ".join(words[:k]), words[k:]


def _join(text: str, tags: list[str]) -> str:
    return (text + " " + " ".join(tags)).strip() if tags else text


def _reorder_tags(caption: str, rng: random.Random) -> str:
    text, tags = _split_tags(caption)
    if len(tags) < 2:
        tags = tags + [rng.choice([t for t in GENERAL_TAGS if t not in tags])]
    new = tags[:]
    for _ in range(20):
        rng.shuffle(new)
        if new != tags:
            break
    return _join(text, new)


def _add_emoji(caption: str, rng: random.Random) -> str:
    text, tags = _split_tags(caption)
    words = text.split(" ")
    for _ in range(rng.randint(1, 3)):
        e = rng.choice(EMOJI)
        where = rng.choice(["end", "end", "start", "middle"])
        if where == "end":
            words.append(e)
        elif where == "start":
            words.insert(0, e)
        else:
            words.insert(rng.randint(1, max(1, len(words) - 1)), e)
    return _join(" ".join(words), tags)


def _change_words(caption: str, rng: random.Random) -> str:
    text, tags = _split_tags(caption)
    words = text.split(" ")
    idx = [i for i, w in enumerate(words) if w.lower().strip("!,.?") in SYNONYMS]
    rng.shuffle(idx)
    changed = 0
    for i in idx[: rng.randint(1, 2)]:
        core = words[i].lower().strip("!,.?")
        tail = words[i][len(words[i].rstrip("!,.?")):]
        words[i] = SYNONYMS[core] + tail
        changed += 1
    if changed == 0 or rng.random() < 0.3:
        extra = rng.choice(["Original", "Terlaris", "Murah", "kak", "Termurah", "Ready"])
        words.insert(rng.randint(0, len(words)), extra)
    return _join(" ".join(words), tags)


def _change_case(caption: str, rng: random.Random) -> str:
    text, tags = _split_tags(caption)
    how = rng.choice(["upper", "lower", "upper_text", "title"])
    if how == "upper":
        return caption.upper()
    if how == "lower":
        return caption.lower()
    if how == "upper_text":
        return _join(text.upper(), tags)
    return _join(text.title(), tags)


_SIMPLE_EDITS = {"hashtags_reordered": _reorder_tags, "emoji_added": _add_emoji,
                 "words_changed": _change_words, "case_changed": _change_case}


def edit_caption(caption: str, kind: str, product: str, tags: list[str], rng: random.Random) -> str:
    """The caption of a re-upload, edited as `kind` (one of CAPTION_EDITS)."""
    if kind == "none":
        return caption
    if kind in _SIMPLE_EDITS:
        return _SIMPLE_EDITS[kind](caption, rng)
    if kind == "mixed":
        out = caption
        for k in rng.sample(sorted(_SIMPLE_EDITS), rng.randint(2, 3)):
            out = _SIMPLE_EDITS[k](out, rng)
        return out
    if kind == "rewritten":
        return rewritten_caption(product, tags, caption, rng)
    raise KeyError(kind)


def near_template(text: str, product: str, rng: random.Random) -> str:
    """A template caption as another video of the shop carries it: exactly, or nearly."""
    how = rng.choice(["exact", "exact", "product", "emoji", "reorder"])
    if how == "exact":
        return text
    if how == "product":
        body, tags = _split_tags(text)
        return _join(body + " " + product, tags)
    if how == "emoji":
        body, tags = _split_tags(text)
        return _join(body + " " + rng.choice(EMOJI), tags)
    return _reorder_tags(text, rng)


# ---------------------------------------------------------------------------------------
# The export
# ---------------------------------------------------------------------------------------

@dataclass
class Video:
    uid: int                         # internal, before ids are given in time order
    store: str
    role: str                        # "official" | "marketing"
    base: BaseVideo
    posted: datetime
    caption: str
    duration: float
    music: str
    products: list[str]
    has_frames: bool
    ops: list[tuple[str, dict]] = field(default_factory=list)   # applied after rendering
    frame_shift: float = 0.0         # key frames sampled at FRAME_TIMES + shift
    template: str | None = None      # caption template id, when the caption is one
    product_name: str = ""
    # labels
    kind: str = "original"           # original | positive | negative kinds | filler
    source: "Video | None" = None    # the original a positive copies / a negative targets
    transform: str | None = None
    caption_edit: str | None = None
    video_id: str = ""


N_STORES = 20
PHOTOS_PER_STORE = 3
POSITIVES_PER_TRANSFORM = 80
POPULAR_MUSIC = 6
OFFICIAL_FRAMES = 0.85              # share of videos that come with key frames (the rest:
MARKETING_FRAMES = 0.47             # thumbnail only); keeps the set near 3000 images


def _ts(d: datetime) -> str:
    return d.astimezone(WIB).isoformat(timespec="seconds")


def build(out_dir: str | os.PathLike, seed: int = 1, workers: int | None = None,
          positives_per_transform: int = POSITIVES_PER_TRANSFORM, quiet: bool = False) -> dict:
    """Write the export and labels.json into out_dir; return a summary."""
    t_start = time.perf_counter()
    out = Path(out_dir)
    rng = random.Random(seed)

    # --- base crops per photo -----------------------------------------------------------
    crops: dict[str, list[BaseVideo]] = {}
    for name in sorted(PHOTOS):
        prng = random.Random(f"{seed}:crops:{name}")
        boxes = pack_crops(load_photo(name).size, prng, detail=_detail_fn(name))
        crops[name] = [make_base(name, i, b, prng) for i, b in enumerate(boxes)]
    use_count = {b.key: 0 for bs in crops.values() for b in bs}

    def pick_crops(photo: str, n: int, exclude: set[str]) -> list[BaseVideo]:
        """n crops of photo not in exclude, least used first (spread over the set)."""
        pool = [b for b in crops[photo] if b.key not in exclude]
        rng.shuffle(pool)
        pool.sort(key=lambda b: use_count[b.key])
        chosen = pool[:n]
        for b in chosen:
            use_count[b.key] += 1
        return chosen

    def pick_other(photos: list[str], exclude: set[str]) -> tuple[str, BaseVideo]:
        """A crop of one of photos (random order) that is not in exclude."""
        photos = photos[:]
        rng.shuffle(photos)
        for p in photos:
            got = pick_crops(p, 1, exclude)
            if got:
                return p, got[0]
        raise RuntimeError("no crop left: too few crops per photo for this many videos")

    # --- stores, accounts, their photos and products -----------------------------------
    stores = [f"S{n:03d}" for n in range(1, N_STORES + 1)]
    names = sorted(PHOTOS)
    order: list[str] = []
    while len(order) < N_STORES * PHOTOS_PER_STORE:
        batch = names[:]
        rng.shuffle(batch)
        order += batch
    store_photos: dict[str, list[str]] = {}
    k = 0
    for s in stores:
        ps: list[str] = []
        while len(ps) < PHOTOS_PER_STORE:
            p = order[k % len(order)]
            k += 1
            if p not in ps:
                ps.append(p)
        store_photos[s] = sorted(ps)
    pid_counter = [1729300000000]

    def new_pid() -> str:
        pid_counter[0] += rng.randint(1, 9999)
        return str(pid_counter[0])

    products: dict[tuple[str, str], list[str]] = {
        (s, p): [new_pid() for _ in PHOTOS[p][1]] for s in stores for p in store_photos[s]}
    popular = [str(7290000000000000000 + rng.randint(1, 10 ** 15)) for _ in range(POPULAR_MUSIC)]
    music_pool = [str(7300000000000000000 + rng.randint(1, 10 ** 17)) for _ in range(500)]
    store_templates = {s: rng.sample(TEMPLATES, 2) for s in stores}
    t0 = datetime(2025, 3, 1, tzinfo=WIB)

    def rand_time(lo_days: float = 0, hi_days: float = 240) -> datetime:
        return t0 + timedelta(seconds=round(rng.uniform(lo_days, hi_days) * 86400))

    def rand_music() -> str:
        return rng.choice(popular) if rng.random() < 0.35 else rng.choice(music_pool)

    def rand_duration() -> float:
        return round(rng.uniform(6, 60), 1)

    videos: list[Video] = []

    def add(**kw) -> Video:
        v = Video(uid=len(videos), **kw)
        videos.append(v)
        return v

    # --- originals (Official) ------------------------------------------------------------
    originals: dict[str, list[Video]] = {s: [] for s in stores}
    per_store = [7 if i % 2 == 0 else 8 for i in range(N_STORES)]      # 150 in all
    for s, n in zip(stores, per_store):
        ps = store_photos[s]
        counts = [n // len(ps)] * len(ps)
        for i in range(n - sum(counts)):
            counts[i] += 1
        rng.shuffle(counts)
        tmpl_slots = set(rng.sample(range(n), 2))       # two template captions per store
        slot = 0
        for p, c in zip(ps, counts):
            for base in pick_crops(p, c, set()):
                prod_names, tags = PHOTOS[p][1], PHOTOS[p][2]
                vi = rng.randrange(len(prod_names))
                template = None
                ops: list[tuple[str, dict]] = []
                if slot in tmpl_slots:
                    tid, text = store_templates[s][len([x for x in tmpl_slots if x < slot])]
                    caption, template = near_template(text, prod_names[vi], rng), tid
                    if rng.random() < 0.6:   # a promo post usually carries the banner too
                        prm = transform_params("overlay", rng)
                        prm["text"] = TEMPLATE_BANNER[tid]
                        ops.append(("overlay", prm))
                else:
                    caption = product_caption(prod_names[vi], tags, rng)
                    if rng.random() < 0.1:
                        ops.append(("overlay", transform_params("overlay", rng)))
                prods = [products[(s, p)][vi]]
                if rng.random() < 0.25:
                    prods.append(rng.choice([x for x in products[(s, p)] if x != prods[0]]))
                v = add(store=s, role="official", base=base, posted=rand_time(0, 200), caption=caption,
                        duration=rand_duration(), music=rand_music(), products=prods,
                        has_frames=rng.random() < OFFICIAL_FRAMES, ops=ops, template=template,
                        product_name=prod_names[vi])
                originals[s].append(v)
                slot += 1

    # --- positives (Marketing re-uploads) ------------------------------------------------
    all_orig = [v for s in stores for v in originals[s]]
    copies: dict[int, set[str]] = {v.uid: set() for v in all_orig}
    for tname in TRANSFORM_NAMES:
        pool = all_orig[:]
        rng.shuffle(pool)
        pool.sort(key=lambda v: len(copies[v.uid]))       # spread copies over the originals
        for o in pool[:positives_per_transform]:
            copies[o.uid].add(tname)
            p = o.base.photo
            tags = PHOTOS[p][2]
            if tname == "combo":
                edit = rng.choices(["mixed", "rewritten"], weights=[0.6, 0.4])[0]
            else:
                edit = rng.choices(CAPTION_EDITS, weights=_EDIT_WEIGHTS)[0]
            caption = edit_caption(o.caption, edit, o.product_name, tags, rng)
            dur = round(min(600.0, max(1.0, o.duration + rng.uniform(-0.5, 0.5))), 1)
            if abs(dur - o.duration) > 0.5:
                dur = o.duration
            r = rng.random()
            prods = o.products[:] if r < 0.8 else (o.products[:1] if r < 0.9 else [])
            add(store=o.store, role="marketing", base=o.base,
                posted=o.posted + timedelta(seconds=round(rng.uniform(3600, 40 * 86400))),
                caption=caption, duration=dur, music=o.music if rng.random() < 0.7 else rand_music(),
                products=prods, has_frames=rng.random() < MARKETING_FRAMES,
                ops=o.ops + [(tname, transform_params(tname, rng))],
                frame_shift=round(rng.uniform(-0.04, 0.04), 4), template=o.template if edit != "rewritten" else None,
                kind="positive", source=o, transform=tname, caption_edit=edit)

    # --- hard negatives and fillers (Marketing) ------------------------------------------
    def mild_ops() -> list[tuple[str, dict]]:
        """Marketing's own videos are edited too, so an edit alone says nothing."""
        r = rng.random()
        if r < 0.15:
            return [("overlay", transform_params("overlay", rng))]
        if r < 0.25:
            return [("brighten", transform_params("brighten", rng))]
        if r < 0.35:
            return [("reencode", transform_params("reencode", rng))]
        return []

    def neg(s: str, base: BaseVideo, kind: str, target: Video | None, **kw) -> Video:
        d = dict(store=s, role="marketing", base=base, posted=rand_time(5, 240),
                 duration=rand_duration(), music=rand_music(), has_frames=rng.random() < MARKETING_FRAMES,
                 ops=mild_ops(), frame_shift=round(rng.uniform(-0.04, 0.04), 4), kind=kind, source=target)
        d.update(kw)
        return add(**d)

    for s in stores:
        offs = originals[s]
        used = {o.base.key for o in offs}
        ps = store_photos[s]
        # other crops of the same photos: different product, different caption
        for p in ps:
            for base in pick_crops(p, rng.choice([1, 2]), used):
                used.add(base.key)
                prod_names, tags = PHOTOS[p][1], PHOTOS[p][2]
                pid = new_pid()
                neg(s, base, "other_crop_same_photo", None,
                    caption=product_caption(rng.choice(prod_names), tags, rng), products=[pid])
        # look-alikes: another crop of the same photo, the same product ids, a caption
        # about the same product, sometimes the same length or music
        for o in rng.sample(offs, 2):
            p = o.base.photo
            cand = pick_crops(p, 1, used)
            if not cand:
                continue
            used.add(cand[0].key)
            kw = {}
            if rng.random() < 0.4:
                kw["duration"] = round(o.duration + rng.choice([0.0, 0.1, -0.2, 0.3]), 1)
            if rng.random() < 0.3:
                kw["music"] = o.music
            neg(s, cand[0], "lookalike_products", o, products=o.products[:],
                caption=product_caption(o.product_name, PHOTOS[p][2], rng), **kw)
        # caption templates: another picture, the same (or nearly the same) template caption,
        # often the same banner
        tmpl_offs = [o for o in offs if o.template]
        for o in tmpl_offs:
            for _ in range(rng.choice([1, 1, 2])):
                p, base = pick_other([q for q in names if q != o.base.photo], used)
                used.add(base.key)
                tid = o.template
                text = dict(TEMPLATES)[tid]
                ops = mild_ops()
                if any(op == "overlay" for op, _ in o.ops) and rng.random() < 0.7:
                    ops = [op for op in o.ops if op[0] == "overlay"]   # the shop's banner
                neg(s, base, "caption_template", o, caption=near_template(text, rng.choice(PHOTOS[p][1]), rng),
                    template=tid, products=[new_pid()], ops=ops)
        # same popular music (and often the same duration), another picture
        pop = [o for o in offs if o.music in popular]
        rest = [o for o in offs if o.music not in popular]
        rng.shuffle(pop)
        rng.shuffle(rest)
        for o in (pop + rest)[:2]:
            p, base = pick_other([q for q in names if q != o.base.photo], used)
            used.add(base.key)
            kw = {"duration": o.duration} if rng.random() < 0.6 else {}
            neg(s, base, "same_music", o, music=o.music,
                caption=product_caption(rng.choice(PHOTOS[p][1]), PHOTOS[p][2], rng), products=[new_pid()], **kw)
        # unrelated fillers
        for _ in range(rng.choice([1, 2])):
            p, base = pick_other([q for q in names if q not in ps], used)
            used.add(base.key)
            neg(s, base, "filler", None, caption=product_caption(rng.choice(PHOTOS[p][1]), PHOTOS[p][2], rng),
                products=[new_pid()])

    # --- ids in time order (ids say nothing about labels) --------------------------------
    order_v = sorted(videos, key=lambda v: (v.posted, v.uid))
    width = max(4, len(str(len(order_v))))
    for i, v in enumerate(order_v, 1):
        v.video_id = f"v{i:0{width}d}"

    # --- write ---------------------------------------------------------------------------
    out.mkdir(parents=True, exist_ok=True)
    media = out / "media"
    if media.exists():
        shutil.rmtree(media)
    media.mkdir()
    for stale in ("stores.csv", "accounts.csv", "bindings.csv", "videos.csv", "labels.json"):
        (out / stale).unlink(missing_ok=True)

    jobs = []
    rows = []
    for v in order_v:
        thumb = f"media/{v.video_id}.jpg"
        frames = [f"media/{v.video_id}_f{j}.jpg" for j in range(1, len(FRAME_TIMES) + 1)] if v.has_frames else []
        jobs.append((thumb, v.base, COVER_TIME, v.ops))
        for path, t in zip(frames, FRAME_TIMES):
            jobs.append((path, v.base, min(1.0, max(0.0, t + v.frame_shift)), v.ops))
        acct = f"{v.store}-{'OFF' if v.role == 'official' else 'MKT'}"
        rows.append({"video_id": v.video_id, "account_id": acct, "posted_at": _ts(v.posted),
                     "caption": v.caption, "duration_s": f"{v.duration:.1f}", "thumbnail": thumb,
                     "frames": "|".join(frames), "music_id": v.music, "product_ids": "|".join(v.products)})
    _render_all(out, jobs, workers)

    store_names = ["Toko Maju Jaya", "Sumber Rejeki", "Berkah Abadi", "Cahaya Murah", "Sinar Terang",
                   "Mitra Sejahtera", "Rumah Belanja", "Serba Ada", "Toko Sahabat", "Gudang Grosir",
                   "Lestari Shop", "Karya Mandiri", "Pusat Oleh-Oleh", "Nusantara Store", "Bintang Timur",
                   "Sentosa Mart", "Harapan Baru", "Cemerlang Shop", "Indah Collection", "Jaya Makmur"]
    bind_at = datetime(2025, 1, 2, 9, 0, tzinfo=WIB)
    _write_csv(out / "stores.csv", ["store_id", "store_name", "region"],
               [{"store_id": s, "store_name": store_names[i % len(store_names)], "region": "ID"}
                for i, s in enumerate(stores)])
    _write_csv(out / "accounts.csv", ["account_id", "handle", "region"],
               [{"account_id": f"{s}-{r}", "handle": f"@{store_names[i % len(store_names)].lower().replace(' ', '').replace('-', '')}"
                 f"{'' if r == 'OFF' else '.promo'}", "region": "ID"}
                for i, s in enumerate(stores) for r in ("OFF", "MKT")])
    _write_csv(out / "bindings.csv", ["event_id", "store_id", "account_id", "account_type", "action", "at"],
               [{"event_id": f"E{2 * i + j + 1:04d}", "store_id": s, "account_id": f"{s}-{r}",
                 "account_type": t, "action": "bind", "at": _ts(bind_at + timedelta(hours=2 * i + j))}
                for i, s in enumerate(stores) for j, (r, t) in enumerate((("OFF", "official"), ("MKT", "marketing")))])
    _write_csv(out / "videos.csv", ["video_id", "account_id", "posted_at", "caption", "duration_s", "thumbnail",
                                    "frames", "music_id", "product_ids"], rows)

    labels = _labels(stores, videos, seed, crops)
    (out / "labels.json").write_text(json.dumps(labels, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    summary = dict(labels["meta"]["counts"])
    summary["seconds"] = round(time.perf_counter() - t_start, 1)
    if not quiet:
        print(json.dumps(summary, indent=1))
    return summary


def _write_csv(path: Path, cols: list[str], rows: list[dict]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=cols)
        w.writeheader()
        w.writerows(rows)


def render_image(base: BaseVideo, t: float, ops: list[tuple[str, dict]]) -> Image.Image:
    img = base.render(t)
    for name, params in ops:
        img = TRANSFORMS[name](img, **params)
    return img


def _render_job(args) -> None:
    out, (rel, base, t, ops) = args
    render_image(base, t, ops).save(Path(out) / rel, "JPEG", quality=JPEG_QUALITY)


def _render_all(out: Path, jobs: list, workers: int | None) -> None:
    workers = workers if workers is not None else min(2, os.cpu_count() or 1)
    items = [(str(out), j) for j in jobs]
    if workers <= 1:
        for it in items:
            _render_job(it)
        return
    with ProcessPoolExecutor(max_workers=workers) as ex:
        for _ in ex.map(_render_job, items, chunksize=32):
            pass


def _labels(stores: list[str], videos: list[Video], seed: int, crops: dict[str, list[BaseVideo]]) -> dict:
    by_store: dict[str, dict[str, list[Video]]] = {s: {"official": [], "marketing": []} for s in stores}
    for v in videos:
        by_store[v.store][v.role].append(v)
    positives, hard = [], []
    for s in stores:
        offs = sorted(by_store[s]["official"], key=lambda v: v.video_id)
        mkts = sorted(by_store[s]["marketing"], key=lambda v: v.video_id)
        for m in mkts:
            for o in offs:
                frames = {(True, True): "both", (True, False): "official_only",
                          (False, True): "marketing_only", (False, False): "none"}[(o.has_frames, m.has_frames)]
                if m.kind == "positive" and m.source is o:
                    positives.append({"store_id": s, "official": o.video_id, "marketing": m.video_id,
                                      "transform": m.transform, "caption_edit": m.caption_edit,
                                      "frames": frames, "same_music": m.music == o.music,
                                      "duration_diff": round(abs(m.duration - o.duration), 1),
                                      "same_products": bool(set(m.products) & set(o.products)),
                                      "base": o.base.key})
                    continue
                shares = []
                same_photo = m.base.photo == o.base.photo
                if same_photo:
                    shares.append("same_photo")
                if set(m.products) & set(o.products):
                    shares.append("same_products")
                if m.template and m.template == o.template:
                    shares.append("caption_template")
                if m.music == o.music:
                    shares.append("same_music")
                if abs(m.duration - o.duration) <= 0.5:
                    shares.append("same_duration")
                if m.source is o and m.kind in ("other_crop_same_photo", "lookalike_products",
                                                "caption_template", "same_music"):
                    kind = m.kind
                elif "caption_template" in shares:
                    kind = "caption_template"
                elif "same_products" in shares:
                    kind = "lookalike_products"
                elif same_photo:
                    kind = "other_crop_same_photo"
                elif "same_music" in shares:
                    kind = "same_music"
                else:
                    continue
                entry = {"store_id": s, "official": o.video_id, "marketing": m.video_id, "kind": kind,
                         "shares": shares, "marketing_is": m.kind if m.kind != "positive" else
                         f"positive:{m.transform}"}
                if same_photo:
                    entry["overlap"] = round(containment(m.base.footprint, o.base.footprint), 3)
                hard.append(entry)
    universe = {s: {"official": sorted(v.video_id for v in by_store[s]["official"]),
                    "marketing": sorted(v.video_id for v in by_store[s]["marketing"])} for s in stores}
    n_pairs = sum(len(u["official"]) * len(u["marketing"]) for u in universe.values())
    per_t = {t: sum(1 for p in positives if p["transform"] == t) for t in TRANSFORM_NAMES}
    per_e = {e: sum(1 for p in positives if p["caption_edit"] == e) for e in CAPTION_EDITS}
    kinds = ("other_crop_same_photo", "caption_template", "lookalike_products", "same_music")
    per_k = {k: sum(1 for h in hard if h["kind"] == k) for k in kinds}
    n_images = sum(1 + (len(FRAME_TIMES) if v.has_frames else 0) for v in videos)
    used_bases = {v.base.key for v in videos}
    counts = {
        "stores": len(stores), "videos": len(videos),
        "official_videos": sum(1 for v in videos if v.role == "official"),
        "marketing_videos": sum(1 for v in videos if v.role == "marketing"),
        "videos_without_frames": sum(1 for v in videos if not v.has_frames),
        "images": n_images, "base_videos_used": len(used_bases),
        "base_videos_as_originals": len({v.base.key for v in videos if v.role == "official"}),
        "pairs": n_pairs, "positives": len(positives), "negatives": n_pairs - len(positives),
        "positives_per_transform": per_t, "positives_per_caption_edit": per_e,
        "negatives_hard": len(hard), "negatives_hard_per_kind": per_k,
        "marketing_videos_per_kind": {k: sum(1 for v in videos if v.role == "marketing" and v.kind == k)
                                      for k in ("positive",) + kinds + ("filler",)},
    }
    return {
        "meta": {
            "generator": "bench/dupdata.py", "seed": seed, "size": [W, H],
            "frame_times": list(FRAME_TIMES), "cover_time": COVER_TIME,
            "photos": {n: {"source": PHOTOS[n][0], "size": list(load_photo(n).size),
                           "grayscale": n in GRAYSCALE, "crops": len(crops[n])} for n in sorted(PHOTOS)},
            "max_containment_between_crops": MAX_CONTAINMENT,
            "transforms": {n: (TRANSFORMS[n].__doc__ or "").split("\n")[0] for n in TRANSFORM_NAMES},
            "counts": counts,
            "note": "Every Official x Marketing video pair of a store is a candidate; those not in "
                    "positives are negatives. negatives_hard lists the ones sharing something.",
        },
        "universe": universe,
        "positives": positives,
        "negatives_hard": hard,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out_dir")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workers", type=int, default=None, help="image writers (default: min(2, cores))")
    ap.add_argument("--positives-per-transform", type=int, default=POSITIVES_PER_TRANSFORM)
    a = ap.parse_args(argv)
    build(a.out_dir, a.seed, a.workers, a.positives_per_transform)
    return 0


if __name__ == "__main__":
    sys.exit(main())
