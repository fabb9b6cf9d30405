"""The reader's UTF-8 check (lint.ingest.reader._check_utf8) accepts and refuses exactly what
Python's strict UTF-8 decoder does, at the same offset: Arrow's validator decides the
common case, the decoder the rest."""
import random

import pytest

from lint.ingest.reader import _arrow_valid_utf8, _check_utf8


def _python(data: bytes):
    try:
        data.decode("utf-8")
        return None
    except UnicodeDecodeError as e:
        return e.start


def _ours(data: bytes):
    try:
        _check_utf8(data, chunk=7)
        return None
    except UnicodeDecodeError as e:
        return e.start


EDGES = [b"", b"abc", b"\xed\xa0\x80", b"\xed\x9f\xbf", b"\xee\x80\x80", b"\xc0\x80", b"\xc1\xbf", b"\xc2\x80",
         b"\xe0\x80\x80", b"\xe0\xa0\x80", b"\xf0\x8f\xbf\xbf", b"\xf0\x90\x80\x80", b"\xf4\x8f\xbf\xbf",
         b"\xf4\x90\x80\x80", b"\xf5\x80\x80\x80", b"\xf8\x88\x80\x80\x80", b"\xff", b"\xc3", b"a\xc3\xa9",
         b"\xef\xbb\xbfx", b"\x00", "Toko Sejahtera é 日本 😀".encode()]


@pytest.mark.parametrize("data", EDGES)
def test_edges(data):
    assert _arrow_valid_utf8(data) == (_python(data) is None)
    assert _ours(data) == _python(data)


def test_every_short_sequence_after_a_lead_byte():
    for lead in range(0xC0, 0x100):
        for b2 in range(0x70, 0xD0):
            for tail in (b"", b"\x7f", b"\x80", b"\x9f", b"\xa0", b"\xbf", b"\xc0", b"\x80\x80", b"\xbf\x7f",
                         b"\x8f\xc0", b"\x90\xbf"):
                data = bytes([lead, b2]) + tail
                assert _arrow_valid_utf8(data) == (_python(data) is None), data


def test_random_bytes():
    rnd = random.Random(8)
    for _ in range(50_000):
        data = bytes(rnd.choice([rnd.randrange(256), rnd.randrange(0x80, 0xC0),
                                 rnd.choice([0xC2, 0xDF, 0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xC0, 0xC1]), 0x61])
                     for _ in range(rnd.randint(1, 12)))
        assert _ours(data) == _python(data), data
