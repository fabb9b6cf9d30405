"""Reading pictures safely and hashing them like imagehash does."""
import io
import struct
import zlib

import imagehash
import pytest
from PIL import Image, ImageOps

from lint.ingest.images import ImageProblem, hash_image_bytes, parse_hex_hash

from conftest import photo


def encode(img, fmt="JPEG", **kw):
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_phash_matches_imagehash_bit_for_bit(fmt):
    # lossless formats decode identically for both, so the hashes must be equal
    for seed in range(5):
        img = photo(seed)
        data = encode(img, fmt, **({"lossless": True} if fmt == "WEBP" else {}))
        ours = hash_image_bytes(data)
        theirs = imagehash.phash(Image.open(io.BytesIO(data)))
        assert ours.phash == int(str(theirs), 16)
        mirrored = imagehash.phash(ImageOps.mirror(Image.open(io.BytesIO(data))))
        assert ours.phash_mirror == int(str(mirrored), 16)


def test_jpeg_hash_is_close_to_imagehash_despite_reduced_decoding():
    img = photo(9, size=(720, 1280))
    data = encode(img, quality=90)
    ours = hash_image_bytes(data).phash
    theirs = int(str(imagehash.phash(Image.open(io.BytesIO(data)))), 16)
    assert bin(ours ^ theirs).count("1") <= 4


def png_header_only(width, height):
    """A PNG that claims a huge size: must be refused before any pixel is decoded."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))  # noqa: E731
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 100)) + chunk(b"IEND", b"")


@pytest.mark.parametrize("data, words", [
    (png_header_only(100_000, 100_000), "pixels"),
    (b"GIF89a" + b"\0" * 100, "not"),
    (b"\xff\xd8\xff\xe0 truncated", "damaged|not a readable"),
    (b"", "not a readable"),
])
def test_bad_images_are_refused_with_a_reason(data, words):
    with pytest.raises(ImageProblem, match=words):
        hash_image_bytes(data)


def test_truncated_jpeg_is_an_image_problem():
    data = encode(photo(1), quality=90)
    with pytest.raises(ImageProblem):
        hash_image_bytes(data[: len(data) // 3])


def test_byte_limit(monkeypatch):
    import lint.ingest.images as images
    monkeypatch.setattr(images, "MAX_IMAGE_BYTES", 100)
    with pytest.raises(ImageProblem, match="bytes"):
        hash_image_bytes(encode(photo(1)))


@pytest.mark.parametrize("text, value", [("00000000000000ff", 255), ("0xFFFFFFFFFFFFFFFF", 2**64 - 1),
                                         ("fff", None), ("zzzzzzzzzzzzzzzz", None)])
def test_parse_hex_hash(text, value):
    assert parse_hex_hash(text) == value


def _jpeg(img, quality=85):
    buf = io.BytesIO()
    img.convert("RGB").save(buf, "JPEG", quality=quality)
    return buf.getvalue()


@pytest.mark.parametrize("frame, colour", [((640, 640), (0, 0, 0)), ((360, 900), (240, 240, 240))])
def test_the_bar_removed_form_of_a_letterboxed_or_pillarboxed_picture(frame, colour):
    original = photo(5)
    framed = Image.new("RGB", frame, colour)
    k = min(frame[0] / original.width, frame[1] / original.height)
    inner = original.resize((round(original.width * k), round(original.height * k)))
    framed.paste(inner, ((frame[0] - inner.width) // 2, (frame[1] - inner.height) // 2))
    plain, boxed = hash_image_bytes(_jpeg(original)), hash_image_bytes(_jpeg(framed))
    assert plain.cut is None and plain.cut_mirror is None  # no bars, no extra form
    assert boxed.cut is not None
    assert bin(boxed.cut ^ plain.phash).count("1") <= 6
    assert bin(boxed.cut_mirror ^ plain.phash_mirror).count("1") <= 6
    assert bin(boxed.phash ^ plain.phash).count("1") > 12  # the whole framed picture differs
