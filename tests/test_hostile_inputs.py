"""Hostile uploads: zips built to escape or to explode, table files and pictures that point
outside the export, special files, URLs, and pictures that are not what they claim.
(Paths in the videos table that use `..`, an absolute path or a URL: test_dup001.)"""
from __future__ import annotations

import io
import os
import socket
import struct
import zipfile
import zlib
from pathlib import Path

import pytest

import lint.ingest.source as source_mod
from lint.ingest.source import ExportSource, RefusedPath

import fuzzkit as fk
from conftest import bind, lint, make_export, photo

GOOD = [bind("E1", "S1", "A1", "official", "bind", "2025-03-01T10:00:00+07:00"),
        bind("E2", "S1", "A1", "official", "unbind", "2025-03-02T10:00:00+07:00")]
BINDINGS_CSV = fk.table_bytes(list(GOOD[0]), [list(r.values()) for r in GOOD], "csv")


def make_zip(path: Path, entries: list[tuple], compression=zipfile.ZIP_DEFLATED) -> Path:
    """entries: (name, bytes) or (ZipInfo, bytes)."""
    with zipfile.ZipFile(path, "w", compression) as zf:
        for name, data in entries:
            zf.writestr(name, data)
    return path


def exit_2(target: Path, *words: str):
    result = fk.check_json(target)
    fk.assert_clean_outcome(result, [target.name, *words])
    assert result.exit_code == 2, (result.exit_code, result.stdout[:500])
    for w in words:
        assert w in result.stderr, result.stderr
    return result


# --- zip uploads -------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["../evil.csv", "shop/../../evil.csv", "/tmp/evil.csv", "..\\evil.csv"])
def test_zip_slip_is_refused_and_nothing_is_written_outside(tmp_path, name):
    archive = make_zip(tmp_path / "up.zip", [("bindings.csv", BINDINGS_CSV), (name, b"pwned")])
    exit_2(archive, "up.zip", "outside the archive")
    assert not (tmp_path / "evil.csv").exists() and not Path("/tmp/evil.csv").exists()


def test_zip_symlink_entry_is_refused(tmp_path):
    info = zipfile.ZipInfo("bindings.csv")
    info.external_attr = (0o120777 << 16)  # a symbolic link to /etc/passwd
    archive = make_zip(tmp_path / "up.zip", [(info, b"/etc/passwd")])
    exit_2(archive, "outside the archive")


def test_zip_with_too_many_members_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(source_mod, "ZIP_MAX_MEMBERS", 5)
    archive = make_zip(tmp_path / "up.zip", [(f"m{i}.txt", b"x") for i in range(6)])
    exit_2(archive, "6 entries", "limit 5")


def test_zip_bomb_by_ratio_is_refused_before_extraction(tmp_path, monkeypatch):
    # 20 MB of zeros packs into ~20 KB: a ratio of ~1000
    archive = make_zip(tmp_path / "bomb.zip", [("bindings.csv", BINDINGS_CSV), ("pad.bin", b"\0" * (20 * 1024**2))])
    created = []
    real_open = open
    monkeypatch.setattr("builtins.open", lambda f, *a, **k: created.append(f) or real_open(f, *a, **k))
    exit_2(archive, "zip bomb")
    assert not any(str(f).endswith("pad.bin") for f in created)


def test_zip_over_the_total_size_limit_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(source_mod, "ZIP_MAX_TOTAL_BYTES", 1000)
    archive = make_zip(tmp_path / "up.zip", [("bindings.csv", BINDINGS_CSV), ("big.txt", os.urandom(2000))],
                       compression=zipfile.ZIP_STORED)
    exit_2(archive, "zip bomb")


def test_zip_whose_headers_lie_about_sizes_cannot_unpack_more(tmp_path):
    """A member whose header claims 10 bytes but holds 1 MB: extraction stops at the claim
    and the CRC check fails; the archive is unusable, nothing larger is written."""
    big = b"A" * 1_000_000
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("bindings.csv", big)
    data = bytearray(buf.getvalue())
    for sig, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):  # uncompressed size fields
        i = data.index(sig)
        data[i + offset:i + offset + 4] = struct.pack("<I", 10)
    archive = tmp_path / "liar.zip"
    archive.write_bytes(bytes(data))
    exit_2(archive, "liar.zip")


def test_nested_zips_are_not_followed(tmp_path):
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("bindings.csv", BINDINGS_CSV)
    archive = make_zip(tmp_path / "outer.zip", [("inner.zip", inner.getvalue()), ("bindings.zip", inner.getvalue())])
    result = fk.check_json(archive)
    # nothing inside is read: no table, so no rule can run (exit 2 naming what was there)
    assert fk.assert_clean_outcome(result, ["inner.zip"]) is None
    assert "no rule can run" in result.stderr and "bindings.zip" in result.stderr


@pytest.mark.parametrize("damage", ["truncated", "garbage", "bad_deflate", "encrypted_flag", "empty"])
def test_damaged_zips_exit_2_naming_the_archive(tmp_path, damage):
    archive = make_zip(tmp_path / "up.zip", [("bindings.csv", BINDINGS_CSV * 50)])
    data = bytearray(archive.read_bytes())
    if damage == "truncated":
        data = data[: len(data) // 2]
    elif damage == "garbage":
        data = bytearray(b"PK\x03\x04" + os.urandom(200))
    elif damage == "bad_deflate":
        start = 30 + len("bindings.csv")
        data[start:start + 40] = b"\xff" * 40
    elif damage == "encrypted_flag":
        for sig, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
            i = data.index(sig)
            data[i + offset] |= 0x01
    elif damage == "empty":
        data = bytearray()
    archive.write_bytes(bytes(data))
    exit_2(archive, "up.zip")


def test_zip_entry_that_is_both_a_file_and_a_folder(tmp_path):
    archive = make_zip(tmp_path / "up.zip", [("shop", b"x"), ("shop/bindings.csv", BINDINGS_CSV)])
    exit_2(archive, "up.zip")


def test_zip_is_extracted_to_a_private_temporary_folder_and_removed(tmp_path):
    archive = make_zip(tmp_path / "up.zip", [("shop/bindings.csv", BINDINGS_CSV)])
    with ExportSource.open(archive) as src:
        root = src.root
        assert root.name == "shop" and (root / "bindings.csv").is_file()
        assert not root.is_relative_to(tmp_path)
    assert not root.exists()


# --- table files and pictures that point elsewhere ---------------------------------------

def test_table_file_linking_outside_the_export_is_refused(export_dir, tmp_path):
    export_dir.mkdir()
    secret = tmp_path / "secret.csv"
    secret.write_bytes(BINDINGS_CSV)
    (export_dir / "bindings.csv").symlink_to(secret)
    exit_2(export_dir, "bindings.csv", "outside the export")


def test_table_file_that_is_a_fifo_is_refused_without_blocking(export_dir):
    export_dir.mkdir()
    os.mkfifo(export_dir / "bindings.csv")  # opening it for reading would block forever
    exit_2(export_dir, "bindings.csv", "not a regular file")


def test_table_file_linking_inside_the_export_is_read(export_dir):
    (export_dir / "data").mkdir(parents=True)
    (export_dir / "data" / "b.csv").write_bytes(BINDINGS_CSV)
    (export_dir / "bindings.csv").symlink_to(export_dir / "data" / "b.csv")
    assert lint(export_dir)["rows_read"] == {"bindings": 2}


def _source(folder: Path) -> ExportSource:
    return ExportSource.open(folder)


@pytest.mark.parametrize("target, reason", [
    ("../outside.jpg", "'..'"), ("/etc/passwd", "absolute"), ("C:\\Windows\\win.ini", "absolute"),
    ("https://example.com/a.jpg", "URL"), ("HTTP://EXAMPLE.COM/a.jpg", "URL"), ("file:///etc/passwd", "URL"),
    ("//server/share/a.jpg", "absolute"), ("media/../../outside.jpg", "'..'"), ("missing.jpg", "does not exist"),
])
def test_resolve_refuses_paths_leaving_the_export(export_dir, target, reason):
    export_dir.mkdir()
    (export_dir.parent / "outside.jpg").write_bytes(b"secret")
    with pytest.raises(RefusedPath, match=reason):
        _source(export_dir).resolve(target)


def test_resolve_refuses_links_out_device_files_folders_fifos_and_sockets(export_dir, tmp_path):
    export_dir.mkdir()
    (tmp_path / "secret.jpg").write_bytes(b"secret")
    (export_dir / "out.jpg").symlink_to(tmp_path / "secret.jpg")
    (export_dir / "zero.jpg").symlink_to("/dev/zero")
    (export_dir / "dir.jpg").mkdir()
    os.mkfifo(export_dir / "fifo.jpg")
    sock = socket.socket(socket.AF_UNIX)
    sock_path = export_dir / "s.jpg"
    try:
        sock.bind(str(sock_path))
    except OSError:
        sock_path = None
    src = _source(export_dir)
    with pytest.raises(RefusedPath, match="outside"):
        src.resolve("out.jpg")
    with pytest.raises(RefusedPath, match="outside"):
        src.resolve("zero.jpg")
    for name in ["dir.jpg", "fifo.jpg"] + (["s.jpg"] if sock_path else []):
        with pytest.raises(RefusedPath, match="not a regular file"):
            src.resolve(name)
    sock.close()


def test_pictures_never_fetched_or_read_outside_are_row_errors(export_dir, tmp_path, monkeypatch):
    """Every refused picture is an input error for its row; nothing is opened over the network."""
    import urllib.request
    monkeypatch.setattr(urllib.request, "urlopen", lambda *a, **k: pytest.fail("a URL was fetched"))
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: pytest.fail("a connection was opened"))
    export_dir.mkdir()
    (tmp_path / "secret.jpg").write_bytes(b"secret")
    (export_dir / "out.jpg").symlink_to(tmp_path / "secret.jpg")
    (export_dir / "zero.jpg").symlink_to("/dev/zero")
    os.mkfifo(export_dir / "fifo.jpg")
    thumbs = ["out.jpg", "zero.jpg", "fifo.jpg", "https://example.com/a.jpg", "/dev/zero", "../secret.jpg"]
    videos = [{"video_id": f"V{i}", "account_id": "A1", "posted_at": "2025-05-01T12:00:00+07:00", "thumbnail": t}
              for i, t in enumerate(thumbs)]
    make_export(export_dir, {"bindings": GOOD, "videos": videos})
    report = lint(export_dir, select=["DUP001"])
    errors = {e["row"]: e for e in report["input_errors"] if e["column"] == "thumbnail"}
    assert sorted(errors) == list(range(2, 2 + len(thumbs)))
    assert report["rows_read"]["videos"] == len(thumbs)


# --- pictures that are too big, damaged, or not what their name says ---------------------

def _png_header_only(width, height):
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))  # noqa: E731
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 100)) + chunk(b"IEND", b"")


def test_bad_pictures_are_input_errors_for_their_row(export_dir):
    media = export_dir / "media"
    media.mkdir(parents=True)
    buf = io.BytesIO()
    photo(3).save(buf, "JPEG", quality=90)
    jpeg = buf.getvalue()
    gif = io.BytesIO()
    photo(4).save(gif, "GIF")
    files = {
        "huge.png": _png_header_only(50_000, 50_000),  # 2.5 gigapixels, header only
        "truncated.jpg": jpeg[: len(jpeg) // 3],
        "text.jpg": b"<html>not a picture</html>",
        "anim.jpg": gif.getvalue(),  # a GIF named .jpg
        "empty.jpg": b"",
    }
    for name, data in files.items():
        (media / name).write_bytes(data)
    videos = [{"video_id": f"V{i}", "account_id": "A1", "posted_at": "2025-05-01T12:00:00+07:00",
               "thumbnail": f"media/{name}"} for i, name in enumerate(files)]
    make_export(export_dir, {"bindings": GOOD, "videos": videos})
    report = lint(export_dir, select=["DUP001"])
    errors = {e["value"]: e["message"] for e in report["input_errors"] if e["column"] == "thumbnail"}
    assert set(errors) == {f"media/{n}" for n in files}
    assert "pixels" in errors["media/huge.png"]
    assert "GIF" in errors["media/anim.jpg"]
    assert all(e["level"] == "value" and e["row"] for e in report["input_errors"])
    fk.assert_rows_accounted(export_dir, {"videos": len(files)})


# --- zip members whose ranges lie (issue 12, finding 5) ------------------------------------

def _relisted(entries: list[tuple], relist: str, times: int) -> bytes:
    """A zip of `entries` whose central directory lists member `relist` `times` times, all
    pointing at its one copy: overlapping members that lift the packed size."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data, compression in entries:
            zf.writestr(name, data, compress_type=compression)
    data = buf.getvalue()
    eocd = data.rindex(b"PK\x05\x06")
    cd_size, cd_offset = struct.unpack("<II", data[eocd + 12:eocd + 20])
    cd = data[cd_offset:cd_offset + cd_size]
    records, i = [], 0
    while i < len(cd):
        n, m, k = struct.unpack("<HHH", cd[i + 28:i + 34])
        records.append(cd[i:i + 46 + n + m + k])
        i += 46 + n + m + k
    target = next(r for r in records if r[46:46 + struct.unpack("<H", r[28:30])[0]].decode() == relist)
    records += [target] * (times - 1)
    new_cd = b"".join(records)
    tail = bytearray(data[eocd:])
    struct.pack_into("<HHII", tail, 8, len(records), len(records), len(new_cd), cd_offset)
    return data[:cd_offset] + new_cd + bytes(tail)


def test_zip_member_listed_several_times_is_refused(tmp_path):
    """The bomb (40 MB of zeros, ratio ~1000) is refused alone; listing an incompressible
    member four times would bring the computed ratio under 200 (today it passes)."""
    entries = [("bindings.csv", BINDINGS_CSV, zipfile.ZIP_DEFLATED),
               ("pad.bin", b"\0" * (40 * 1024**2), zipfile.ZIP_DEFLATED),
               ("noise.bin", os.urandom(100_000), zipfile.ZIP_STORED)]
    honest = tmp_path / "honest.zip"
    honest.write_bytes(_relisted(entries, "noise.bin", 1))
    exit_2(honest, "zip bomb")
    crafted = tmp_path / "crafted.zip"
    crafted.write_bytes(_relisted(entries, "noise.bin", 4))
    with zipfile.ZipFile(crafted) as zf:  # what the ratio check used to see
        total = sum(m.file_size for m in zf.infolist())
        assert total / sum(m.compress_size for m in zf.infolist()) < 200
    exit_2(crafted, "crafted.zip", "overlap")


def test_zip_member_running_past_the_archive_is_refused(tmp_path):
    data = bytearray(_relisted([("bindings.csv", BINDINGS_CSV, zipfile.ZIP_STORED)], "bindings.csv", 1))
    i = data.rindex(b"PK\x01\x02")
    struct.pack_into("<I", data, i + 20, 10_000_000)  # the directory claims 10 MB packed
    archive = tmp_path / "long.zip"
    archive.write_bytes(bytes(data))
    exit_2(archive, "long.zip", "past the end")


# --- video files (videos.video_file; more cases in test_video_dup001 and test_video_media) --

def test_video_files_never_read_outside_or_decoded_when_not_videos(export_dir, tmp_path):
    """Links out, device files, FIFOs, URLs and non-videos named .mp4 are input errors of
    their row; nothing outside the export is opened and nothing hangs."""
    pytest.importorskip("av")
    export_dir.mkdir()
    (tmp_path / "secret.mp4").write_bytes(b"\x00\x00\x00\x18ftypisom" + b"\x00" * 64)
    (export_dir / "out.mp4").symlink_to(tmp_path / "secret.mp4")
    (export_dir / "zero.mp4").symlink_to("/dev/zero")
    os.mkfifo(export_dir / "fifo.mp4")
    (export_dir / "page.mp4").write_text("<html>not a video</html>")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("a.txt", "x")
    (export_dir / "zip.mp4").write_bytes(buf.getvalue())
    targets = ["out.mp4", "zero.mp4", "fifo.mp4", "https://example.com/v.mp4", "/dev/zero", "../secret.mp4",
               "page.mp4", "zip.mp4"]
    videos = [{"video_id": f"V{i}", "account_id": "A1", "posted_at": "2025-05-01T12:00:00+07:00", "video_file": t}
              for i, t in enumerate(targets)]
    make_export(export_dir, {"bindings": GOOD, "videos": videos})
    report = lint(export_dir, select=["DUP001"])
    errors = {e["row"]: e["message"] for e in report["input_errors"] if e["column"] == "video_file"}
    assert sorted(errors) == list(range(2, 2 + len(targets)))
    assert "outside" in errors[2] and "outside" in errors[3] and "not a regular file" in errors[4]
    assert "not an MP4" in errors[8] and "not an MP4" in errors[9]
    assert report["rows_read"]["videos"] == len(targets)
