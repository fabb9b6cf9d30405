"""`shoplint serve`: the upload portal through an HTTP test client — reports, refusals,
isolation between uploads, limits and expiry."""
from __future__ import annotations

import io
import json
import time
import zipfile

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("multipart")

from fastapi.testclient import TestClient  # noqa: E402

from lint.serve.app import create_app, sample_zip  # noqa: E402
from lint.serve.settings import Settings  # noqa: E402

from conftest import REPO, SAMPLE_FINDINGS, bind, make_export, run_cli, wait_report  # noqa: E402

AS_OF = "2025-12-31T00:00:00+07:00"
SAMPLE = REPO / "sample_data"


@pytest.fixture(scope="module")
def sample():
    return sample_zip(SAMPLE)


@pytest.fixture(scope="module")
def cli_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "report.json"
    res = run_cli("check", SAMPLE, "--format", "json", "--output", out, "--as-of", AS_OF, "--no-cache")
    assert res.returncode == 1, res.stderr
    return json.loads(out.read_text(encoding="utf-8"))


class Clock:
    def __init__(self):
        self.now = time.time()

    def __call__(self):
        return self.now


def portal(tmp_path, clock=None, **limits):
    settings = Settings(data_dir=tmp_path / "data", **{"rate_limit": 0, **limits})
    return create_app(settings, clock=clock)


@pytest.fixture
def client(tmp_path):
    with TestClient(portal(tmp_path)) as c:
        yield c


def zip_of(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


def upload_form(c, content: bytes, name="sample_data.zip", **data):
    return c.post("/upload", files={"files": (name, content, "application/zip")},
                  data={"as_of": AS_OF, **data}, follow_redirects=False)


def comparable(findings):
    return [{k: f[k] for k in ("rule", "store_id", "subjects", "window", "message", "fingerprint")} for f in findings]


# --- good exports ------------------------------------------------------------------------

def test_api_returns_the_same_report_as_the_command_line(client, sample, cli_report):
    r = client.post("/api/lint", files={"files": ("sample_data.zip", sample, "application/zip")},
                    data={"as_of": AS_OF})
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["summary"]["findings"] == SAMPLE_FINDINGS
    assert comparable(report["findings"]) == comparable(cli_report["findings"])
    assert report["export"] == "sample_data"
    # nothing of an API upload is kept once it is answered
    assert not list((client.app.state.store.root).iterdir())


def test_form_upload_gives_the_report_page_and_downloads(client, sample, cli_report, tmp_path):
    r = upload_form(client, sample)
    assert r.status_code == 303 and r.headers["location"].startswith("/r/")
    page = wait_report(client, r.headers["location"])
    assert page.status_code == 200
    assert f'id="finding-count"><b style="font-size:20px">{SAMPLE_FINDINGS}</b> findings' in page.text
    assert page.text.count("data:image/jpeg;base64,") >= 2  # the thumbnail pairs
    assert "<script" not in page.text.lower()
    html = client.get(r.headers["location"] + "/report.html")
    assert html.status_code == 200 and "attachment" in html.headers["content-disposition"]
    # the HTML download is byte for byte the page of `shoplint check --format html`
    out = tmp_path / "cli.html"
    assert run_cli("check", SAMPLE, "--format", "html", "--output", out, "--as-of", AS_OF, "--no-cache").returncode == 1
    assert html.content == out.read_bytes()
    js = client.get(r.headers["location"] + "/report.json")
    assert js.headers["content-type"].startswith("application/json")
    assert comparable(js.json()["findings"]) == comparable(cli_report["findings"])
    csv = client.get(r.headers["location"] + "/report.csv")
    assert csv.headers["content-type"].startswith("text/csv") and csv.text.count("\nfinding,") == SAMPLE_FINDINGS
    assert client.get(r.headers["location"] + "/report.exe").status_code == 404


def test_table_files_without_a_zip(client, tmp_path):
    folder = make_export(tmp_path / "export", {
        "stores": [{"store_id": "S1", "region": "ID"}],
        "bindings": [bind("E1", "S1", "A1", "official", "bind", "2025-01-01T00:00:00+07:00"),
                     bind("E2", "S1", "A1", "official", "unbind", "2025-01-02T00:00:00+07:00")],
    })
    files = [("files", (p.name, p.read_bytes(), "text/csv")) for p in sorted(folder.iterdir())]
    r = client.post("/api/lint", files=files, data={"as_of": AS_OF, "lang": "id"})
    assert r.status_code == 200, r.text
    report = r.json()
    assert [f["rule"] for f in report["findings"]] == ["BIND004"]
    assert report["language"] == "id"
    assert "DUP001" in report["rules"]["not_run"]


def test_sample_zip_download_and_the_upload_page(client):
    page = client.get("/")
    assert page.status_code == 200 and 'action="/upload"' in page.text and "live_sessions" in page.text
    assert "<script" not in page.text.lower()
    assert page.headers["content-security-policy"].startswith("default-src 'none'")
    names = zipfile.ZipFile(io.BytesIO(client.get("/sample.zip").content)).namelist()
    assert "sample_data/stores.csv" in names and "sample_data/media/v101.jpg" in names


def test_without_sample_data_the_page_says_so(tmp_path):
    (tmp_path / "empty").mkdir()
    with TestClient(portal(tmp_path, sample_dir=tmp_path / "empty")) as c:
        assert "not included in this installation" in c.get("/").text
        r = c.get("/sample.zip")
        assert r.status_code == 404 and "not included" in r.text


def test_openapi_describes_the_api(client):
    spec = client.get("/openapi.json").json()
    op = spec["paths"]["/api/lint"]["post"]
    assert "multipart/form-data" in op["requestBody"]["content"]
    assert {"200", "400", "413", "422", "429"} <= set(op["responses"])
    assert list(spec["paths"]) == ["/api/lint"]


# --- bad input: a clear message, never a stack trace ---------------------------------------

def test_a_file_that_is_not_a_table_is_refused(client):
    r = client.post("/api/lint", files={"files": ("notes.txt", b"hello", "text/plain")})
    assert r.status_code == 400
    assert "notes.txt: not a table file" in r.json()["error"]
    page = client.post("/upload", files={"files": ("notes.txt", b"hello", "text/plain")})
    assert page.status_code == 400 and "not a table file" in page.text and "Traceback" not in page.text


def test_unusable_table_names_the_file_and_column(client):
    r = client.post("/api/lint", files={"files": ("bindings.csv", b"event_id,store_id\nE1,S1\n", "text/csv")})
    assert r.status_code == 422
    body = r.json()
    assert body["kind"] == "input" and "bindings.csv" in body["error"] and "cannot be used" in body["error"]


def test_bad_requests(client, sample):
    assert client.post("/api/lint", files={"files": ("x.zip", b"not a zip", "application/zip")}).status_code == 400
    r = client.post("/api/lint", files={"files": ("s.zip", sample, "application/zip")}, data={"as_of": "yesterday"})
    assert r.status_code == 400 and "as_of" in r.json()["error"]
    r = client.post("/api/lint", files={"files": ("s.zip", sample, "application/zip")}, data={"timezone": "Mars/Base"})
    assert r.status_code == 400 and "time zone" in r.json()["error"]
    r = client.post("/api/lint", files={"files": ("s.zip", sample, "application/zip")}, data={"lang": "fr"})
    assert r.status_code == 422 and "lang" in r.json()["error"]
    r = client.post("/api/lint", data={"as_of": AS_OF})
    assert r.status_code == 422 and "no file uploaded" in r.json()["error"]
    r = client.post("/api/lint", files=[("files", ("s.zip", sample, "application/zip")),
                                        ("files", ("stores.csv", b"store_id,region\n", "text/csv"))])
    assert r.status_code == 400 and "alone" in r.json()["error"]
    r = client.post("/api/lint", files=[("files", ("stores.csv", b"a\n", "text/csv")),
                                        ("files", ("STORES.tsv", b"a\n", "text/csv"))])
    assert r.status_code == 400 and "two files for table 'stores'" in r.json()["error"]
    r = client.post("/api/lint", files={"files": ("stores\x00.csv", b"a\n", "text/csv")})
    assert r.status_code == 400


def test_too_many_files(tmp_path):
    with TestClient(portal(tmp_path, max_files=2)) as c:
        files = [("files", (f"{t}.csv", b"a\n", "text/csv")) for t in ("stores", "accounts", "bindings")]
        r = c.post("/api/lint", files=files)
        assert r.status_code == 400 and "at most 2" in r.json()["error"]


def test_oversized_upload_is_413(tmp_path):
    with TestClient(portal(tmp_path, max_request_mb=0.05)) as c:
        big = b"x" * 200_000
        r = c.post("/api/lint", files={"files": ("stores.csv", big, "text/csv")})
        assert r.status_code == 413 and "larger than this server accepts" in r.json()["error"]
        page = c.post("/upload", files={"files": ("stores.csv", big, "text/csv")})
        assert page.status_code == 413 and "too large" in page.text
        # without a Content-Length (chunked): counted as it arrives
        def chunks():
            yield b"--b\r\nContent-Disposition: form-data; name=\"files\"; filename=\"stores.csv\"\r\n\r\n"
            for _ in range(50):
                yield b"y" * 10_000
            yield b"\r\n--b--\r\n"
        r = c.post("/api/lint", content=chunks(), headers={"content-type": "multipart/form-data; boundary=b"})
        assert r.status_code == 413, r.text
        assert not [p for p in c.app.state.store.root.iterdir()]


# --- isolation -------------------------------------------------------------------------------

def test_zip_slip_is_refused_and_writes_nothing_outside(client, tmp_path):
    evil = zip_of({"stores.csv": b"store_id,region\nS1,ID\n", "../../escaped.csv": b"pwned"})
    r = client.post("/api/lint", files={"files": ("evil.zip", evil, "application/zip")}, data={"as_of": AS_OF})
    assert r.status_code == 422
    assert "points outside the archive" in r.json()["error"]
    root = client.app.state.store.root
    for where in (root, root.parent, root.parent.parent, tmp_path):
        assert not (where / "escaped.csv").exists()


def test_file_names_from_uploads_are_never_paths(client, tmp_path):
    body = b"store_id,region\nS1,ID\n"
    # only the base name counts: the lint sees one file, stores.csv (and, with no bindings
    # table, says no rule can run on it, naming the files it found)
    r = client.post("/api/lint", files={"files": ("../../../stores.csv", body, "text/csv")}, data={"as_of": AS_OF})
    assert r.status_code == 422 and "files found: stores.csv;" in r.json()["error"], r.text
    r = client.post("/api/lint", files={"files": ("..\\..\\evil\\stores.csv", body, "text/csv")},
                    data={"as_of": AS_OF})
    assert r.status_code == 422 and "files found: stores.csv;" in r.json()["error"], r.text
    assert not (tmp_path / "stores.csv").exists() and not (tmp_path / "evil").exists()
    r = client.post("/api/lint", files={"files": ("..", body, "text/csv")})
    assert r.status_code == 400


def test_another_browser_or_a_guessed_id_gets_404(tmp_path, sample):
    app = portal(tmp_path)
    with TestClient(app) as seller_a:
        location = upload_form(seller_a, sample).headers["location"]
        assert wait_report(seller_a, location).status_code == 200
        seller_b = TestClient(app)  # another browser: no owner cookie of A's
        seller_b.get("/")  # B gets a cookie of its own
        for path in (location, location + "/report.json", location + "/report.csv", location + "/report.html"):
            r = seller_b.get(path)
            assert r.status_code == 404 and "no report at this address" in r.text
        assert seller_b.post(location + "/delete").status_code == 404
        guessed = "/r/" + "A" * 32
        assert seller_a.get(guessed).status_code == 404
        for bad in ("/r/..%2F..%2Fetc%2Fpasswd", "/r/%2e%2e", "/r/" + location[3:-1], "/r/" + location[3:] + "x"):
            assert seller_a.get(bad).status_code == 404
        # A's report is still A's
        assert seller_a.get(location + "/report.json").status_code == 200
        # and deleting it on request removes it
        r = seller_a.post(location + "/delete", follow_redirects=False)
        assert r.status_code == 303
        assert seller_a.get(location).status_code == 404
        assert not list(app.state.store.root.iterdir())


def test_expiry_deletes_uploads_and_reports(tmp_path, sample):
    clock = Clock()
    app = portal(tmp_path, clock=clock, ttl_s=3600)
    with TestClient(app) as c:
        location = upload_form(c, sample).headers["location"]
        assert wait_report(c, location).status_code == 200
        store = app.state.store
        (folder,) = store.root.iterdir()
        assert not (folder / "upload").exists()  # the upload goes as soon as the lint ends
        assert (folder / "out" / "report.html").is_file()
        clock.now += 3599
        assert store.sweep() == 0 and folder.exists()
        clock.now += 2
        assert c.get(location).status_code == 404  # expired: gone even before the sweep
        assert store.sweep() == 1
        assert not folder.exists() and not list(store.root.iterdir())


def test_leftover_job_folders_are_removed_at_start(tmp_path):
    left = tmp_path / "data" / "job-leftover"
    left.mkdir(parents=True)
    (left / "x").write_text("old")
    keep = tmp_path / "data" / "not-ours"
    keep.mkdir()
    portal(tmp_path)
    assert not left.exists() and keep.exists()


# --- limits ----------------------------------------------------------------------------------

def test_rate_limit_per_client(tmp_path, sample):
    with TestClient(portal(tmp_path, rate_limit=2, rate_window_s=60)) as c:
        files = {"files": ("notes.txt", b"x", "text/plain")}
        assert c.post("/api/lint", files=files).status_code == 400
        assert c.post("/api/lint", files=files).status_code == 400
        r = c.post("/api/lint", files=files)
        assert r.status_code == 429 and "Too many uploads" in r.json()["error"]
        assert int(r.headers["retry-after"]) > 0
        page = c.post("/upload", files=files)
        assert page.status_code == 429 and "Too many uploads" in page.text
        assert c.get("/").status_code == 200  # pages are not rate-limited


def test_queue_shows_the_place_then_runs(tmp_path, sample):
    app = portal(tmp_path, max_concurrent=1, max_queue=2)
    store = app.state.store
    with TestClient(app) as c:
        store.hold()  # no lint starts: the uploads wait in line
        first = upload_form(c, sample).headers["location"]
        second = upload_form(c, sample).headers["location"]
        page = c.get(second)
        assert "place 2 of 2" in page.text and 'http-equiv="refresh"' in page.text
        assert "place 1 of 2" in c.get(first).text
        r = upload_form(c, sample)  # the queue is full
        assert r.status_code == 429 and "busy" in r.text
        r = c.post("/api/lint", files={"files": ("s.zip", sample, "application/zip")})
        assert r.status_code == 429 and "busy" in r.json()["error"]
        store.release()
        assert f"{SAMPLE_FINDINGS}</b> findings" in wait_report(c, first).text
        assert f"{SAMPLE_FINDINGS}</b> findings" in wait_report(c, second).text


def test_time_limit_stops_a_lint(tmp_path, sample):
    with TestClient(portal(tmp_path, time_limit_s=0.01)) as c:
        r = c.post("/api/lint", files={"files": ("s.zip", sample, "application/zip")}, data={"as_of": AS_OF})
        assert r.status_code == 422
        assert r.json()["kind"] == "timeout" and "time limit" in r.json()["error"]
        location = upload_form(c, sample).headers["location"]
        page = wait_report(c, location)
        assert page.status_code == 422 and "took too long" in page.text


def test_authentication(tmp_path):
    import base64
    with TestClient(portal(tmp_path, basic_auth="seller:s3cret", token="tok-123")) as c:
        r = c.get("/")
        assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Basic")
        assert c.post("/api/lint", files={"files": ("a.txt", b"x", "text/plain")}).status_code == 401
        assert c.get("/", auth=("seller", "wrong")).status_code == 401
        assert c.get("/", auth=("seller", "s3cret")).status_code == 200
        assert c.get("/", headers={"Authorization": "Bearer tok-123"}).status_code == 200
        assert c.get("/", headers={"Authorization": "Bearer nope"}).status_code == 401
        assert c.get("/", headers={"Authorization": "Basic " + base64.b64encode(b"any:tok-123").decode()}
                     ).status_code == 200
        assert c.get("/", headers={"Authorization": "Basic !!!"}).status_code == 401
        assert c.get("/healthz").status_code == 200


def test_runner_is_the_command_line(tmp_path, cli_report):
    from lint.serve.runner import UnusableExport, lint_folder
    out = lint_folder(SAMPLE, AS_OF)
    assert json.loads(out.json_text) == out.report
    assert comparable(out.report["findings"]) == comparable(cli_report["findings"])
    assert out.csv.startswith("record,") and "<script" not in out.html.lower()
    with pytest.raises(UnusableExport, match="no such folder"):
        lint_folder(tmp_path / "missing", AS_OF)


def test_an_unexpected_error_is_a_message_not_a_stack_trace(tmp_path, monkeypatch):
    from lint.serve import pages

    def broken(*a, **k):
        raise RuntimeError("secret detail /etc/x")
    monkeypatch.setattr(pages, "upload_page", broken)
    with TestClient(portal(tmp_path), raise_server_exceptions=False) as c:
        r = c.get("/")
        assert r.status_code == 500 and "internal error (RuntimeError)" in r.text
        assert "Traceback" not in r.text and "secret detail" not in r.text


def test_serve_command_passes_its_limits(monkeypatch, tmp_path):
    import uvicorn
    from click.testing import CliRunner

    from lint.serve.cli import serve
    seen = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.update(app=app, **kw))
    res = CliRunner().invoke(serve, ["--port", "8123", "--max-upload-mb", "5", "--workers", "3", "--keep", "60",
                                     "--time-limit", "30", "--rate-limit", "4", "--data-dir", str(tmp_path / "d"),
                                     "--auth", "u:p"])
    assert res.exit_code == 0, res.output
    s = seen["app"].state.settings
    assert (seen["host"], seen["port"]) == ("127.0.0.1", 8123)
    assert (s.max_request_mb, s.max_concurrent, s.ttl_s, s.time_limit_s, s.rate_limit, s.basic_auth) == \
        (5, 3, 60, 30, 4, "u:p")
    seen["app"].state.store.close()
    assert CliRunner().invoke(serve, ["--auth", "nocolon"]).exit_code == 2


def test_files_as_sellers_have_them_upload_without_a_zip(client, tmp_path):
    """A seller drops what the Seller Center and TikTok gave them: a browser's second copy of
    a table ('bindings (1).csv') and a Live Analysis export keep their names and are read
    as the command line reads them; the same name twice is refused."""
    from test_seller_center import EN, en_row, live_file
    folder = make_export(tmp_path / "export", {
        "stores": [{"store_id": "S1", "region": "ID"}],
        "bindings": [bind("E1", "S1", "tokosatu", "official", "bind", "2025-01-01T00:00:00+07:00"),
                     bind("E2", "S1", "tokosatu.promo", "marketing", "bind", "2025-01-01T00:00:00+07:00")]})
    (folder / "bindings.csv").rename(folder / "bindings (1).csv")
    live_file(folder / "Live Analysis_20250412-20250418.xlsx", EN, [
        en_row("7234567890123456789", "tokosatu", "2025/04/18/ 20:00", "2h"),
        en_row("7234567890123456790", "tokosatu.promo", "2025/04/18/ 21:00", "1h 30min")])
    files = [("files", (p.name, p.read_bytes(), "application/octet-stream")) for p in sorted(folder.iterdir())]
    r = client.post("/api/lint", files=files, data={"as_of": AS_OF})
    assert r.status_code == 200, r.text
    report = r.json()
    [live] = [f for f in report["findings"] if f["rule"] == "LIVE001"]
    assert live["subjects"] == ["live:7234567890123456789:202504182000", "live:7234567890123456790:202504182100"]
    assert any(p["file"] == "Live Analysis_20250412-20250418.xlsx" for p in report["input_errors"])
    twice = [("files", ("Content.csv", b"a\n", "text/csv")), ("files", ("content.CSV", b"a\n", "text/csv"))]
    r = client.post("/api/lint", files=twice, data={"as_of": AS_OF})
    assert r.status_code == 400 and "the same file twice" in r.json()["error"]
