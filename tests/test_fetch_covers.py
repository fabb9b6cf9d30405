"""Covers given as URLs: never fetched unless --fetch-covers; then fetched within limits.

A real HTTP server on 127.0.0.1 plays TikTok's CDN; it counts every request it gets, so
"never fetched" is checked where it matters, at the server.
"""
import io
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from test_tiktok_display_api import BINDINGS, MARKETING, OFFICIAL, page

from lint.ingest.covers import CoverLimits, CoverRefused, fetch

from conftest import photo, run_cli, write_table


def jpeg(img, quality=90):
    buf = io.BytesIO()
    img.convert("RGB").save(buf, "JPEG", quality=quality)
    return buf.getvalue()


class CDN:
    """Paths -> (status, headers, body); `requests` lists every path asked for."""

    def __init__(self):
        self.requests: list[str] = []
        self.release = threading.Event()
        self.routes = {
            "/cover-a.jpg": (200, {}, jpeg(photo(21))),
            "/cover-b.jpg": (200, {}, jpeg(photo(21).resize((180, 320)), quality=40)),  # the same picture again
            "/cover-c.jpg": (200, {}, jpeg(photo(22))),
            "/big.jpg": (200, {}, b"\xff" * 5000),
            "/moved": (302, {"Location": "/cover-a.jpg"}, b""),
            "/elsewhere": (302, {"Location": "http://localhost:{port}/cover-a.jpg"}, b""),
            "/loop": (302, {"Location": "/loop"}, b""),
        }
        cdn = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                cdn.requests.append(self.path)
                if self.path == "/slow.jpg":
                    cdn.release.wait(30)  # answers only when the test ends
                    return
                if self.path == "/endless.jpg":  # no Content-Length, more bytes than allowed
                    self.send_response(200)
                    self.end_headers()
                    self.wfile.write(b"\xff" * 5000)
                    return
                status, headers, body = cdn.routes.get(self.path, (404, {}, b"not found"))
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v.format(port=cdn.port))
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def close(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def cdn():
    server = CDN()
    yield server
    server.close()


@pytest.fixture
def local_cdn_allowed(monkeypatch):
    """What a test needs to fetch from 127.0.0.1; a real run allows neither by default."""
    monkeypatch.setenv("SHOPLINT_COVER_HOSTS", "127.0.0.1")
    monkeypatch.setenv("SHOPLINT_COVER_ALLOW_PRIVATE", "1")


def video_object(vid, cover, create_time=1717210800, description="Gamis premium"):
    return {"id": vid, "create_time": create_time, "cover_image_url": cover, "video_description": description,
            "duration": 15, "title": "", "share_url": f"https://www.tiktok.com/@t/video/{vid}"}


def write_pages(folder, official_covers, marketing_covers):
    """The two accounts' Display API pages in a videos folder (the file names are the accounts)."""
    write_table(folder, "bindings", BINDINGS)
    (folder / "videos").mkdir(parents=True)
    for account, covers, first_id, caption in ((OFFICIAL, official_covers, 10, "Gamis premium #gamis"),
                                               (MARKETING, marketing_covers, 20, "Sepatu lari hitam #sepatu")):
        videos = [video_object(f"73000000000000000{first_id + i}", c, description=caption)
                  for i, c in enumerate(covers)]
        (folder / "videos" / f"{account}.json").write_text(json.dumps(page(videos)), encoding="utf-8")


def check(folder, tmp_path, *args):
    out = tmp_path / "report.json"
    out.unlink(missing_ok=True)
    res = run_cli("check", folder, "--select", "DUP001", "--format", "json", "--output", out,
                  "--as-of", "2024-12-31T00:00:00Z", *args)
    assert "Traceback" not in res.stderr
    return res, (json.loads(out.read_text(encoding="utf-8")) if out.exists() else None)


def test_covers_are_never_fetched_by_default(cdn, export_dir, tmp_path, local_cdn_allowed):
    write_pages(export_dir, [cdn.url("/cover-a.jpg")], [cdn.url("/cover-b.jpg")])
    res, report = check(export_dir, tmp_path, "--cache-dir", tmp_path / "cache")
    assert res.returncode == 0, res.stderr
    assert cdn.requests == []
    assert report["findings"] == []  # the same cover twice, but nobody looked at it
    notes = [e for e in report["input_errors"] if e["column"] == "thumbnail"]
    assert len(notes) == 2 and all("not fetched" in e["message"] and e["level"] == "warning" for e in notes)


def test_fetched_covers_are_compared_and_kept_in_the_cache(cdn, export_dir, tmp_path, local_cdn_allowed):
    write_pages(export_dir, [cdn.url("/cover-a.jpg"), cdn.url("/cover-c.jpg")], [cdn.url("/moved")])
    cache = tmp_path / "cache"
    res, report = check(export_dir, tmp_path, "--fetch-covers", "--cache-dir", cache)
    assert res.returncode == 1, res.stderr
    [f] = report["findings"]
    # the Marketing cover (through a redirect on the same host) is the Official one re-used
    assert f["rule"] == "DUP001" and f["subjects"] == ["7300000000000000010", "7300000000000000020"]
    assert f["evidence"]["decided_by"] == "thumbnail"
    assert f["evidence"]["thumbnails"] == [cdn.url("/cover-a.jpg"), cdn.url("/moved")]
    assert f["evidence"]["share_urls"][0].endswith("/video/7300000000000000010")
    assert sorted(cdn.requests) == ["/cover-a.jpg", "/cover-a.jpg", "/cover-c.jpg", "/moved"]
    assert len(list((cache / "covers").iterdir())) == 3
    assert [e for e in report["input_errors"] if e["level"] != "warning"] == []
    # a second run reads the covers from the cache
    check(export_dir, tmp_path, "--fetch-covers", "--cache-dir", cache)
    assert len(cdn.requests) == 4


def test_covers_that_cannot_be_fetched_are_errors_of_their_row(cdn, export_dir, tmp_path, local_cdn_allowed,
                                                                monkeypatch):
    monkeypatch.setenv("SHOPLINT_COVER_MAX_BYTES", "1000")
    monkeypatch.setenv("SHOPLINT_COVER_TIMEOUT_S", "0.5")
    write_pages(export_dir, [cdn.url("/big.jpg"), cdn.url("/missing.jpg"), cdn.url("/slow.jpg")],
                [cdn.url("/elsewhere"), "ftp://127.0.0.1/cover.jpg"])
    res, report = check(export_dir, tmp_path, "--fetch-covers", "--no-cache")
    assert res.returncode == 0, res.stderr
    errors = {(e["file"], e["row"]): e["message"] for e in report["input_errors"] if e["column"] == "thumbnail"}
    official, marketing = f"videos/{OFFICIAL}.json", f"videos/{MARKETING}.json"
    assert "5000 bytes (limit 1000" in errors[(official, 1)]
    assert "HTTP 404" in errors[(official, 2)]
    assert "no answer within 0.5 s" in errors[(official, 3)]
    assert "another host (localhost)" in errors[(marketing, 1)]
    assert "only http and https covers are downloaded" in errors[(marketing, 2)]
    assert all(e["level"] == "value" for e in report["input_errors"] if e["column"] == "thumbnail")
    assert "/cover-a.jpg" not in cdn.requests  # the redirect to another host was not followed


def test_hosts_off_the_allow_list_and_private_addresses_are_not_contacted(cdn, export_dir, tmp_path, monkeypatch):
    write_pages(export_dir, [cdn.url("/cover-a.jpg")], [cdn.url("/cover-b.jpg")])
    res, report = check(export_dir, tmp_path, "--fetch-covers", "--no-cache")  # default hosts: TikTok's CDN
    assert res.returncode == 0 and cdn.requests == []
    assert all("not an allowed cover host" in e["message"] and "--cover-hosts" in e["message"]
               for e in report["input_errors"] if e["column"] == "thumbnail")
    # on the list, but a loopback address
    res, report = check(export_dir, tmp_path, "--fetch-covers", "--no-cache", "--cover-hosts", "127.0.0.1")
    assert res.returncode == 0 and cdn.requests == []
    assert all("loopback" in e["message"] and "SHOPLINT_COVER_ALLOW_PRIVATE" in e["message"]
               for e in report["input_errors"] if e["column"] == "thumbnail")


def test_fetch_limits_one_by_one(cdn):
    allowed = CoverLimits(hosts=("127.0.0.1",), allow_private=True, max_bytes=1000, timeout_s=0.5)
    assert fetch(cdn.url("/moved"), CoverLimits(hosts=("127.0.0.1",), allow_private=True)).startswith(b"\xff\xd8")
    for path, reason in [("/big.jpg", "5000 bytes"), ("/endless.jpg", "over 1000 bytes"), ("/slow.jpg", "no answer"),
                         ("/loop", "more than 3 redirects"), ("/elsewhere", "another host")]:
        with pytest.raises(CoverRefused, match=reason):
            fetch(cdn.url(path), allowed)
    with pytest.raises(CoverRefused, match="user name or password"):
        fetch(f"http://user:secret@127.0.0.1:{cdn.port}/cover-a.jpg", allowed)
    asked = len(cdn.requests)
    with pytest.raises(CoverRefused, match="not an allowed cover host"):
        fetch(cdn.url("/cover-a.jpg"), CoverLimits())
    with pytest.raises(CoverRefused, match="private, loopback"):
        fetch(cdn.url("/cover-a.jpg"), CoverLimits(hosts=("127.0.0.1",)))
    assert len(cdn.requests) == asked  # refused before any connection


def test_limits_come_from_the_environment():
    limits = CoverLimits.from_env(environ={"SHOPLINT_COVER_MAX_BYTES": "2048", "SHOPLINT_COVER_TIMEOUT_S": "2.5",
                                          "SHOPLINT_COVER_MAX_COUNT": "7", "SHOPLINT_COVER_HOSTS": "*.example.net"})
    assert (limits.max_bytes, limits.timeout_s, limits.max_count, limits.hosts) == (2048, 2.5, 7, ("*.example.net",))
    assert limits.host_allowed("img.example.net") and limits.host_allowed("example.net")
    assert not limits.host_allowed("example.net.evil.com")
    defaults = CoverLimits.from_env(environ={})
    assert defaults.host_allowed("p16-sign.tiktokcdn-us.com") and not defaults.host_allowed("tiktokcdn-us.com.evil.io")
    assert not defaults.allow_private
    with pytest.raises(ValueError, match="SHOPLINT_COVER_MAX_BYTES"):
        CoverLimits.from_env(environ={"SHOPLINT_COVER_MAX_BYTES": "lots"})


def test_the_download_count_is_limited(cdn, export_dir, tmp_path, local_cdn_allowed, monkeypatch):
    monkeypatch.setenv("SHOPLINT_COVER_MAX_COUNT", "1")
    write_pages(export_dir, [cdn.url("/cover-a.jpg")], [cdn.url("/cover-c.jpg")])
    res, report = check(export_dir, tmp_path, "--fetch-covers", "--no-cache")
    assert cdn.requests == ["/cover-a.jpg"]
    [e] = [e for e in report["input_errors"] if e["column"] == "thumbnail"]
    assert e["row"] == 1 and "limit of 1 cover downloads" in e["message"]


def test_cover_options_are_checked(export_dir, tmp_path, monkeypatch):
    write_table(export_dir, "bindings", BINDINGS)
    res = run_cli("check", export_dir, "--cover-hosts", "*.example.net")
    assert res.returncode == 2 and "--cover-hosts goes with --fetch-covers" in res.stderr
    monkeypatch.setenv("SHOPLINT_COVER_TIMEOUT_S", "soon")
    res = run_cli("check", export_dir, "--fetch-covers")
    assert res.returncode == 2 and "SHOPLINT_COVER_TIMEOUT_S" in res.stderr


@pytest.mark.parametrize("cache", ["cache-dir", "no-cache"])
def test_the_html_report_shows_the_fetched_covers_side_by_side(cdn, export_dir, tmp_path, local_cdn_allowed, cache):
    """A shop manager sees the two pictures, embedded, not two links (and the page asks
    nothing of the CDN when opened)."""
    import re
    write_pages(export_dir, [cdn.url("/cover-a.jpg")], [cdn.url("/moved")])
    out = tmp_path / "out"
    out.mkdir()
    where = ["--cache-dir", str(tmp_path / "cache")] if cache == "cache-dir" else ["--no-cache"]
    res = run_cli("check", export_dir, "--select", "DUP001", "--fetch-covers", *where, "--format", "json,html",
                  "--output-dir", out, "--as-of", "2024-12-31T00:00:00Z")
    assert res.returncode == 1, res.stderr
    html = (out / "report.html").read_text(encoding="utf-8")
    [pair] = re.findall(r'<table class="thumb-pair".*?</table>', html, flags=re.S)
    sources = re.findall(r'<img[^>]*src="([^"]+)"', pair)
    assert len(sources) == 2 and all(s.startswith("data:image/jpeg;base64,") for s in sources)
    assert not re.search(r'src="https?:', html)
