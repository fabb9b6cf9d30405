"""Small test videos written with PyAV: a camera pan over a photo-like picture
(conftest.photo), with the changes a re-post makes (mirror, bars, trim, speed)."""
from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

from conftest import photo

FPS = 10


def pan_frames(seed: int, content_s: float = 4.0, size=(96, 160), fps: int = FPS, speed: float = 1.0,
               start_s: float = 0.0, end_s: float | None = None, reverse: bool = False):
    """Frames of a pan across photo(seed) (a 9:16 window sliding over a picture 4 times
    wider) lasting content_s, shown from start_s to end_s of it at `speed`."""
    big = photo(seed, size=(size[0] * 4, size[1]))
    end_s = content_s if end_s is None else end_s
    n = int(round((end_s - start_s) / speed * fps))
    out = []
    for k in range(n):
        u = min(1.0, (start_s + k / fps * speed) / content_s)
        u = 1.0 - u if reverse else u
        x = int(u * (big.width - size[0]))
        out.append(big.crop((x, 0, x + size[0], size[1])))
    return out


def with_bars(frames, frame_size=(160, 160), blur=False, colour=(0, 0, 0)):
    out = []
    for img in frames:
        fw, fh = frame_size
        scale = min(fw / img.width, fh / img.height)
        cw, ch = int(img.width * scale) // 2 * 2, int(img.height * scale) // 2 * 2
        bg = (img.resize((fw, fh)).filter(ImageFilter.GaussianBlur(8)) if blur else Image.new("RGB", (fw, fh), colour))
        bg.paste(img.resize((cw, ch)), ((fw - cw) // 2, (fh - ch) // 2))
        out.append(bg)
    return out


def mirrored(frames):
    return [f.transpose(Image.Transpose.FLIP_LEFT_RIGHT) for f in frames]


def write(path: Path, frames, fps=FPS, codec="libx264", gop=None, crf=26, container=None) -> Path:
    import av
    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w", format=container) as out:
        s = out.add_stream(codec, rate=Fraction(fps).limit_denominator(1000) if not isinstance(fps, Fraction) else fps)
        s.width, s.height, s.pix_fmt = frames[0].width, frames[0].height, "yuv420p"
        s.options = {"crf": str(crf), "preset": "veryfast"} if codec == "libx264" else {}
        if gop:
            s.codec_context.gop_size = gop
        for img in frames:
            for p in s.encode(av.VideoFrame.from_image(img.convert("RGB"))):
                out.mux(p)
        for p in s.encode():
            out.mux(p)
    return path


def flat_frames(n, size=(64, 64), value=128):
    return [Image.fromarray(np.full((size[1], size[0], 3), value, np.uint8)) for _ in range(n)]
