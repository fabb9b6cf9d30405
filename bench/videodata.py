"""A labelled set of small videos for DUP001's video judgement (bench/eval_video.py).

Originals are camera paths (pans and zooms) over real photographs shipped in
scikit-image's wheel, two or three shots each, portrait (9:16) or landscape (16:9),
encoded with PyAV. Each original gets one re-post per change named in rules.md (DUP001),
and hard negatives: another camera path over the same photos, a shared intro followed by
different content, a video of the same length. (The only clip shipped in an installed
wheel, skimage's no_time_for_that_tiny.gif, is 25 x 14 pixels: too small to be a video.)
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageDraw, ImageFilter

PHOTOS = ("astronaut", "camera", "chelsea", "coffee", "coins", "rocket", "immunohistochemistry",
          "hubble_deep_field", "stereo_motorcycle", "retina", "moon", "grass", "gravel", "brick", "clock",
          "colorwheel")
FPS = 15
PORTRAIT = (180, 320)  # width, height
LANDSCAPE = (320, 180)
TRANSFORMS = ("reencode_vp9", "resize", "crop", "mirror", "bars_black", "bars_blur", "overlay", "trim",
              "speed_up", "slow_down", "intro", "new_cover")
NEGATIVES = ("other_path", "shared_intro", "same_length")


def load_photos() -> dict[str, np.ndarray]:
    import skimage.data as d
    out = {}
    for name in PHOTOS:
        x = getattr(d, name)()
        x = x[0] if isinstance(x, tuple) else x
        if x.ndim == 2:
            x = np.stack([x] * 3, axis=-1)
        out[name] = np.ascontiguousarray(x[..., :3].astype(np.uint8))
    return out


@dataclass
class Shot:
    photo: str
    start: tuple[float, float, float]  # centre x, centre y (0-1), window height (0-1 of the photo)
    end: tuple[float, float, float]
    seconds: float


@dataclass
class Clip:
    shots: list[Shot]
    size: tuple[int, int]
    ops: list = field(default_factory=list)  # (name, args) applied to each rendered frame
    speed: float = 1.0  # content seconds per output second
    start_s: float = 0.0  # content time where the clip starts
    end_trim_s: float = 0.0

    @property
    def content_s(self) -> float:
        return sum(s.seconds for s in self.shots)

    @property
    def duration_s(self) -> float:
        return (self.content_s - self.start_s - self.end_trim_s) / self.speed


def _ease(a, b, u):
    u = 0.5 - 0.5 * np.cos(np.pi * u)
    return tuple(x + (y - x) * u for x, y in zip(a, b))


def render_shot(photo: np.ndarray, shot: Shot, u: float, size: tuple[int, int]) -> Image.Image:
    cx, cy, zoom = _ease(shot.start, shot.end, u)
    ph, pw = photo.shape[:2]
    w, h = size
    wh = zoom * ph
    ww = wh * w / h
    if ww > pw:
        ww = pw
        wh = ww * h / w
    x0 = np.clip(cx * pw - ww / 2, 0, pw - ww)
    y0 = np.clip(cy * ph - wh / 2, 0, ph - wh)
    img = Image.fromarray(photo)
    return img.resize(size, Image.Resampling.BILINEAR, box=(x0, y0, x0 + ww, y0 + wh))


def content_frame(photos, clip: Clip, t: float) -> Image.Image:
    """The clip's picture at content time t (before its ops)."""
    for shot in clip.shots:
        if t < shot.seconds or shot is clip.shots[-1]:
            return render_shot(photos[shot.photo], shot, min(1.0, max(0.0, t / shot.seconds)), clip.size)
        t -= shot.seconds
    raise AssertionError


def apply_ops(img: Image.Image, ops) -> Image.Image:
    for name, args in ops:
        if name == "mirror":
            img = img.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        elif name == "resize":
            w, h = img.size
            img = img.resize((int(w * args) // 2 * 2, int(h * args) // 2 * 2), Image.Resampling.BILINEAR)
        elif name == "crop":
            w, h = img.size
            l, t = int(w * args), int(h * args * 0.8)
            img = img.crop((l, t, w - l // 2, h - t)).resize((w, h), Image.Resampling.BILINEAR)
        elif name == "bars":
            kind, (fw, fh), colour = args
            w, h = img.size
            scale = min(fw / w, fh / h)
            cw, ch = int(w * scale) // 2 * 2, int(h * scale) // 2 * 2
            inner = img.resize((cw, ch), Image.Resampling.BILINEAR)
            if kind == "blur":
                bg = img.resize((fw, fh), Image.Resampling.BILINEAR, box=_cover_box(w, h, fw, fh))
                bg = bg.filter(ImageFilter.GaussianBlur(max(fw, fh) / 25))
            else:
                bg = Image.new("RGB", (fw, fh), colour)
            bg.paste(inner, ((fw - cw) // 2, (fh - ch) // 2))
            img = bg
        elif name == "overlay":
            img = img.copy()
            d = ImageDraw.Draw(img)
            w, h = img.size
            d.rectangle((0, int(h * 0.78), w, int(h * 0.9)), fill=(230, 30, 60))
            d.text((6, int(h * 0.8)), args, fill=(255, 255, 255))
            d.ellipse((w - 34, 6, w - 6, 34), fill=(255, 220, 0), outline=(0, 0, 0))
        elif name == "brighten":
            img = Image.fromarray(np.clip(np.asarray(img, np.float32) * args, 0, 255).astype(np.uint8))
    return img


def _cover_box(w, h, fw, fh):
    """The part of a w x h picture that fills an fw x fh frame (for a blurred background)."""
    scale = max(fw / w, fh / h)
    cw, ch = fw / scale, fh / scale
    return ((w - cw) / 2, (h - ch) / 2, (w + cw) / 2, (h + ch) / 2)


def encode(path: Path, frames, fps: int = FPS, codec: str = "libx264", crf: int = 23, gop: int | None = FPS):
    """Write frames (PIL images, any iterable: they are streamed) to an MP4 (H.264) or WebM (VP9)."""
    frames = iter(frames)
    first = next(frames)
    w, h = first.size
    frames = itertools.chain([first], frames)
    with av.open(str(path), "w") as out:
        s = out.add_stream(codec, rate=fps)
        s.width, s.height, s.pix_fmt = w, h, "yuv420p"
        opts = {"crf": str(crf)}
        if codec == "libx264":
            opts["preset"] = "veryfast"
        if codec == "libvpx-vp9":
            opts.update({"b": "0", "deadline": "realtime", "cpu-used": "8"})
        s.options = opts
        if gop:
            s.codec_context.gop_size = gop
        for img in frames:
            for p in s.encode(av.VideoFrame.from_image(img.convert("RGB"))):
                out.mux(p)
        for p in s.encode():
            out.mux(p)


def write_clip(path: Path, photos, clip: Clip, intro: Clip | None = None, **enc):
    n = max(1, int(round(clip.duration_s * FPS)))
    def frames():
        if intro is not None:
            for k in range(int(round(intro.duration_s * FPS))):
                yield apply_ops(content_frame(photos, intro, k / FPS), clip.ops)
        for k in range(n):
            yield apply_ops(content_frame(photos, clip, clip.start_s + k / FPS * clip.speed), clip.ops)
    encode(path, frames(), **enc)


def random_shot(rng, photo: str, seconds: float) -> Shot:
    z0, z1 = rng.uniform(0.45, 0.9, 2)
    a = (rng.uniform(0.3, 0.7), rng.uniform(0.3, 0.7), z0)
    b = (float(np.clip(a[0] + rng.choice([-1, 1]) * rng.uniform(0.15, 0.3), 0.2, 0.8)),
         float(np.clip(a[1] + rng.uniform(-0.15, 0.15), 0.2, 0.8)), z1)
    return Shot(photo, a, b, seconds)


def original(rng, photos_used: list[str], portrait: bool) -> Clip:
    shots = [random_shot(rng, p, float(rng.uniform(2.5, 4.0))) for p in photos_used]
    return Clip(shots, PORTRAIT if portrait else LANDSCAPE)


def other_path(shot: Shot) -> Shot:
    """The same photo, another camera path: the reverse pan over another band and zoom."""
    (ax, ay, az), (bx, by, bz) = shot.start, shot.end
    return Shot(shot.photo, (bx, 1 - ay, min(0.95, az * 1.6)), (ax, 1 - by, min(0.95, bz * 1.6)), shot.seconds)


@dataclass
class Item:
    name: str
    path: Path
    group: int  # the original it shows (-1: none)
    label: str  # "original", a transform, or a negative's name
    cover_s: float = 0.0  # when the re-post's cover is taken
    pair_with: str | None = None  # negatives: the video they are a hard negative of
    content: int = -1  # videos with the same content number show the same content


def build(root: Path, seed: int, n_originals: int = 12) -> list[Item]:
    """Write the set under root; -> its items."""
    root.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    photos = load_photos()
    names = list(photos)
    items: list[Item] = []
    intro_clip = Clip([random_shot(rng, "colorwheel", 2.0)], PORTRAIT)
    for g in range(n_originals):
        portrait = g % 2 == 0
        used = list(rng.choice([n for n in names if n != "colorwheel"], size=int(rng.integers(2, 4)), replace=False))
        clip = original(rng, used, portrait)
        base = f"s{seed}_g{g:02d}"
        p = root / f"{base}_original.mp4"
        write_clip(p, photos, clip)
        items.append(Item(p.stem, p, g, "original", content=g))
        frame_size = (320, 320) if portrait else (180, 320)
        for t in TRANSFORMS:
            c = Clip(clip.shots, clip.size, [], 1.0)
            enc: dict = {"gop": None, "crf": 28}
            intro = None
            suffix = ".mp4"
            cover = 0.0
            if t == "reencode_vp9":
                enc, suffix = {"codec": "libvpx-vp9", "crf": 45, "gop": None}, ".webm"
            elif t == "resize":
                c.ops = [("resize", 0.6)]
            elif t == "crop":
                c.ops = [("crop", 0.08)]
            elif t == "mirror":
                c.ops = [("mirror", None)]
            elif t == "bars_black":
                c.ops = [("bars", ("colour", frame_size, (0, 0, 0)))]
            elif t == "bars_blur":
                c.ops = [("bars", ("blur", frame_size, None))]
            elif t == "overlay":
                c.ops = [("overlay", "PROMO 12.12 diskon 50%!"), ("brighten", 1.15)]
            elif t == "trim":
                c.start_s, c.end_trim_s = 1.5, 1.0
            elif t == "speed_up":
                c.speed = 1.1
            elif t == "slow_down":
                c.speed = 0.9
            elif t == "intro":
                intro = Clip(intro_clip.shots, clip.size)
                enc["gop"] = 2 * FPS
            elif t == "new_cover":
                cover = float(rng.uniform(0.5, clip.content_s - 0.5))
                enc["crf"] = 30
            q = root / f"{base}_{t}{suffix}"
            write_clip(q, photos, c, intro=intro, **enc)
            items.append(Item(q.stem, q, g, t, cover_s=cover, content=g))
        # hard negatives
        other = Clip([other_path(s) for s in clip.shots], clip.size)
        q = root / f"{base}_other_path.mp4"
        write_clip(q, photos, other, gop=None)
        items.append(Item(q.stem, q, -1, "other_path", pair_with=f"{base}_original", content=1000 + g))
        rest = [n for n in names if n not in used and n != "colorwheel"]
        diff = Clip([random_shot(rng, p, s.seconds) for p, s in zip(rng.choice(rest, len(clip.shots), replace=False),
                                                                   clip.shots)], clip.size)
        q = root / f"{base}_same_length.mp4"
        write_clip(q, photos, diff, gop=None)
        items.append(Item(q.stem, q, -1, "same_length", pair_with=f"{base}_original", content=2000 + g))
        # shared intro: the original with the intro, against the intro followed by other content
        a = root / f"{base}_with_intro.mp4"
        write_clip(a, photos, clip, intro=Clip(intro_clip.shots, clip.size))
        b = root / f"{base}_shared_intro.mp4"
        write_clip(b, photos, diff, intro=Clip(intro_clip.shots, clip.size), gop=None)
        items.append(Item(a.stem, a, g, "with_intro", content=g))
        items.append(Item(b.stem, b, -1, "shared_intro", pair_with=a.stem, content=2000 + g))
    return items
