"""Perceptual hashes of thumbnails and key frames: safe, fast, cached.

Safety: files are opened only through ExportSource.resolve (inside the export, no links
out, no URLs); only JPEG, PNG and WebP are decoded; the byte size and the pixel count
are checked from the header before any pixel is decoded (a decompression bomb is an input
error for its row, never a crash or a hang).

Speed: a hash needs a 32x32 image, so JPEGs are decoded at 1/2..1/8 scale by libjpeg
itself (Pillow's draft mode), and the DCT is two small matrix products.

The pHash is bit-compatible in layout with imagehash.phash (8x8 low frequencies of the
DCT of a 32x32 greyscale image, each bit "above the median", first bit most significant),
so a precomputed `thumbnail_phash` from imagehash compares with ours.
"""
from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from PIL import Image, UnidentifiedImageError

from lint.ingest.limits import env_int
from lint.media.bars import content_box

# A picture larger than this is not decoded (an input problem of its row).
MAX_IMAGE_BYTES = env_int("IMAGE_MAX_BYTES", 20 * 1024 * 1024)
MAX_IMAGE_PIXELS = env_int("IMAGE_MAX_PIXELS", 40_000_000)
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}

HASH_SIZE = 8
IMG_SIZE = 32
_N = np.arange(IMG_SIZE)
# DCT-II basis (unnormalised, as scipy.fftpack.dct): only the 8 lowest frequencies are kept.
_DCT = np.cos(np.pi * np.arange(HASH_SIZE)[:, None] * (2 * _N[None, :] + 1) / (2 * IMG_SIZE))
# A horizontal mirror negates the odd horizontal frequencies of the DCT.
_MIRROR_SIGN = np.where(np.arange(HASH_SIZE) % 2 == 1, -1.0, 1.0)[None, :]
_BIT_WEIGHTS = (1 << np.arange(63, -1, -1, dtype=np.uint64)).astype(np.uint64)


class ImageProblem(Exception):
    """The image cannot be hashed; the message says why (for the report)."""


# The inner part (the central 60 % of width and height): what a banner across the top or
# bottom, a logo near a corner or a frame around the picture leaves untouched.
INNER_BOX = (0.2, 0.2, 0.8, 0.8)
# An inner part with less detail than this (standard deviation of its grey levels, 0-255) has no
# reliable hash: two flat skies would match. Such a part is left out (None).
MIN_INNER_DETAIL = 8.0
# Windows of 90 % of the width and height on a 3 x 3 grid (offsets 0, 5, 10 %): one of them
# is the picture a re-upload cropped by up to ~10 % shows, wherever the crop was taken.
WINDOW_FRACTION = 0.9
WINDOW_OFFSETS = (0.0, 0.5, 1.0)
N_WINDOWS = len(WINDOW_OFFSETS) ** 2


@dataclass(frozen=True)
class ImageHashes:
    phash: int  # uint64 as Python int
    phash_mirror: int  # pHash of the horizontally mirrored image
    inner: int | None  # pHash of the inner part (INNER_BOX); None when it is nearly flat
    inner_mirror: int | None
    windows: tuple[int, ...] = ()  # pHash of each 90 % window, row by row
    # pHash of the content inside letterbox/pillarbox bars (lint.media.bars), as is and
    # mirrored; None when the picture has no bars
    cut: int | None = None
    cut_mirror: int | None = None


def bits_to_int(bits: np.ndarray) -> int:
    """A boolean array of 64 bits (row-major) -> the hash as an int."""
    return int((bits.astype(np.uint64).ravel() * _BIT_WEIGHTS).sum())


def _phash_pair(pixels: np.ndarray) -> tuple[int, int]:
    dct = _DCT @ pixels @ _DCT.T
    mirrored = dct * _MIRROR_SIGN
    return bits_to_int(dct > np.median(dct)), bits_to_int(mirrored > np.median(mirrored))


def decode_small(data: bytes, mode: str = "L", size: tuple[int, int] = (IMG_SIZE * 2, IMG_SIZE * 2)) -> Image.Image:
    """Bytes -> a small PIL image (JPEG decoded at reduced scale, at least `size`),
    refusing what is not a bounded JPEG/PNG/WebP."""
    if len(data) > MAX_IMAGE_BYTES:
        raise ImageProblem(f"is {len(data)} bytes (limit {MAX_IMAGE_BYTES})")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
            if img.format not in ALLOWED_FORMATS:
                raise ImageProblem(f"is {img.format or 'an unknown format'}, not JPEG, PNG or WebP")
            w, h = img.size
            if w * h > MAX_IMAGE_PIXELS or w <= 0 or h <= 0:
                raise ImageProblem(f"is {w}x{h} pixels (limit {MAX_IMAGE_PIXELS} pixels)")
            if img.format == "JPEG":
                img.draft(mode, size)
            img = img.convert(mode)
            img.load()
    except ImageProblem:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageProblem(f"has too many pixels (limit {MAX_IMAGE_PIXELS} pixels)") from None
    except UnidentifiedImageError:
        raise ImageProblem("is not a readable JPEG, PNG or WebP image") from None
    except (OSError, ValueError, SyntaxError, EOFError) as e:
        raise ImageProblem(f"is damaged or truncated ({str(e)[:120]})") from None
    return img


def decode_rgb_small(data: bytes, size: tuple[int, int]) -> Image.Image:
    """For previews in reports: the same limits, in colour."""
    return decode_small(data, "RGB", size)


def _area_matrix(size: int, start: float, stop: float) -> np.ndarray:
    """(IMG_SIZE x size) weights that average the source interval [start, stop) of a
    `size`-long axis into IMG_SIZE equal cells (a box-filter resize, as a matrix)."""
    edges = start + (stop - start) * np.arange(IMG_SIZE + 1) / IMG_SIZE
    lo, hi = edges[:-1, None], edges[1:, None]
    pixel = np.arange(size)[None, :]
    overlap = np.clip(np.minimum(hi, pixel + 1) - np.maximum(lo, pixel), 0, None)
    return overlap / overlap.sum(axis=1, keepdims=True)


@lru_cache(maxsize=64)
def _region_operators(h: int, w: int):
    """For an h x w picture: per region (the inner part, then the windows), the row and
    column operators that resize it to 32 x 32, and those folded into the 8 DCT rows.
    One matrix product per side then gives a region's DCT without cropping or resizing."""
    boxes = [INNER_BOX]
    span = 1.0 - WINDOW_FRACTION
    for fy in WINDOW_OFFSETS:
        for fx in WINDOW_OFFSETS:
            boxes.append((span * fx, span * fy, span * fx + WINDOW_FRACTION, span * fy + WINDOW_FRACTION))
    ops = []
    for l, t, r, b in boxes:
        rows = _area_matrix(h, t * h, b * h)
        cols = _area_matrix(w, l * w, r * w)
        ops.append((rows, cols, _DCT @ rows, _DCT @ cols))
    return ops


def phash_box(pixels: np.ndarray, box: tuple[int, int, int, int] | None = None) -> tuple[int, int]:
    """(pHash, pHash mirrored) of the part `box` = (top, bottom, left, right) of a greyscale
    array (the whole array when None), area-resized to 32 x 32 by two matrix products."""
    h, w = pixels.shape
    t, b, l, r = box or (0, h, 0, w)
    rows = _area_matrix(h, t, b)
    cols = _area_matrix(w, l, r)
    return _phash_pair(rows @ pixels @ cols.T)


def hash_image_bytes(data: bytes) -> ImageHashes:
    """Every hash form of one picture (whole, mirrored, inner part, crop windows, bars removed)."""
    img = decode_small(data)
    # the whole picture exactly as imagehash.phash does it (Lanczos to 32 x 32)
    full = np.asarray(img.resize((IMG_SIZE, IMG_SIZE), Image.Resampling.LANCZOS), dtype=np.float64)
    p, pm = _phash_pair(full)
    pixels = np.asarray(img, dtype=np.float64)
    (rows, cols, drows, dcols), *window_ops = _region_operators(*pixels.shape)
    inner = rows @ pixels @ cols.T
    c, cm = _phash_pair(inner) if inner.std() >= MIN_INNER_DETAIL else (None, None)
    windows = []
    for _, _, drows, dcols in window_ops:
        dct = drows @ pixels @ dcols.T
        windows.append(bits_to_int(dct > np.median(dct)))
    box = content_box(pixels)
    cut, cut_m = phash_box(pixels, box) if box is not None else (None, None)
    return ImageHashes(p, pm, c, cm, tuple(windows), cut, cut_m)


def content_key(data: bytes) -> str:
    """The cache key of a file's bytes."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def parse_hex_hash(text: str) -> int | None:
    """A precomputed 64-bit hash as 16 hex digits -> int; None if it is not one."""
    t = str(text).strip().lower()
    if t.startswith("0x"):
        t = t[2:]
    if len(t) != 16 or any(ch not in "0123456789abcdef" for ch in t):
        return None
    return int(t, 16)
