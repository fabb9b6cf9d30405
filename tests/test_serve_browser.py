"""The upload portal end to end: a real uvicorn server on 127.0.0.1, headless Chromium
(Debian's `chromium` and `chromium-driver`, driven with Selenium) uploading sample_data as a
zip through the form, waiting on the progress page and reading the report.

SHOPLINT_SCREENSHOTS=1 also saves docs/serve-upload.png and docs/serve-report.png."""
from __future__ import annotations

import os
import socket

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")

from browserkit import assert_first_thumbnail_pair_shown, chromium, needs_chromium, portal_process  # noqa: E402
from conftest import REPO, SAMPLE_FINDINGS  # noqa: E402

pytestmark = needs_chromium
AS_OF = "2025-12-31T00:00:00+07:00"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("serve-data")
    with portal_process(data, data.parent / "server.log") as url:
        yield url, data


@pytest.fixture(scope="module")
def browser():
    yield from chromium(900, 1100)


def screenshot(browser, name):
    if not os.environ.get("SHOPLINT_SCREENSHOTS"):
        return
    import io

    from PIL import Image
    img = Image.open(io.BytesIO(browser.get_screenshot_as_png())).convert("RGB")
    img.quantize(colors=128).save(REPO / "docs" / name, optimize=True)


def test_upload_sample_data_through_the_form(server, browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    from lint.serve.app import sample_zip
    url, data = server
    archive = tmp_path / "sample_data.zip"
    archive.write_bytes(sample_zip(REPO / "sample_data"))

    browser.get(url + "/")
    assert "check an export" in browser.title
    assert browser.find_element(By.CSS_SELECTOR, "a[href='/sample.zip']").is_displayed()
    browser.find_element(By.ID, "files").send_keys(str(archive))
    browser.find_element(By.TAG_NAME, "summary").click()  # the options
    browser.find_element(By.ID, "as_of").send_keys(AS_OF)
    screenshot(browser, "serve-upload.png")
    browser.find_element(By.ID, "submit").click()

    # the progress page refreshes itself (no script) until the report is there
    WebDriverWait(browser, 90, poll_frequency=0.2).until(EC.presence_of_element_located((By.ID, "portal-bar")))
    assert "/r/" in browser.current_url
    assert browser.execute_script("return document.scripts.length") == 0
    count = browser.find_element(By.ID, "finding-count")
    assert count.is_displayed() and count.text.startswith(f"{SAMPLE_FINDINGS} findings")
    body = browser.find_element(By.TAG_NAME, "body").text
    for rule in ("BIND001", "BIND003", "BIND007", "DUP001", "LIVE001"):
        assert rule in body
    for link in ("dl-json", "dl-csv", "dl-html"):
        assert browser.find_element(By.ID, link).get_attribute("href").startswith(browser.current_url + "/report.")

    screenshot(browser, "serve-report.png")
    assert_first_thumbnail_pair_shown(browser)

    # the upload itself is gone once the report is made; the report stays until it expires
    (job,) = [p for p in data.iterdir() if p.name.startswith("job-")]
    assert not (job / "upload").exists() and (job / "out" / "report.html").is_file()


def test_a_refusal_is_a_page_not_a_stack_trace(server, browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait
    url, _ = server
    bad = tmp_path / "notes.txt"
    bad.write_text("not a table")
    browser.get(url + "/")
    browser.find_element(By.ID, "files").send_keys(str(bad))
    browser.find_element(By.ID, "submit").click()
    # the click returns before the answer has loaded: wait for the refusal page
    error = WebDriverWait(browser, 30, poll_frequency=0.2).until(EC.presence_of_element_located((By.ID, "error")))
    assert "notes.txt: not a table file" in error.text
    assert "Traceback" not in browser.page_source
    browser.get(url + "/r/" + "x" * 32)
    assert "no report at this address" in browser.find_element(By.ID, "error").text


ATTACK_PAGE = """<!doctype html><title>win a prize</title>
<form id="f" method="post" enctype="multipart/form-data" action="{target}/upload">
<input type="file" name="files" id="files"><input name="as_of" value="2025-12-31T00:00:00+07:00"></form>
<script>
const file = new File(["store_id,region\\nS1,ID\\n"], "stores.csv", {{type: "text/csv"}});
const dt = new DataTransfer(); dt.items.add(file);
document.getElementById("files").files = dt.files;
document.getElementById("f").submit();
</script>"""


@pytest.fixture
def attacker_site(server):
    """Another site (http://localhost:PORT, a different site from http://127.0.0.1) whose page
    auto-submits an upload form to the portal; served from 127.0.0.1 only."""
    import http.server
    import threading
    url, _ = server
    body = ATTACK_PAGE.format(target=url).encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *a):
            pass

    httpd = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://localhost:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


def test_a_cross_site_form_is_refused_and_the_seller_keeps_the_report(server, browser, attacker_site, tmp_path):
    """Issue 12, finding 4: a page on another site posts an upload form in the seller's browser.
    Today it is accepted and replaces the owner cookie: the seller loses their report."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    from lint.serve.app import sample_zip
    url, data = server
    archive = tmp_path / "sample_data.zip"
    archive.write_bytes(sample_zip(REPO / "sample_data"))
    browser.get(url + "/")
    browser.find_element(By.ID, "files").send_keys(str(archive))
    browser.find_element(By.ID, "submit").click()  # the seller's own upload, from the portal's page
    WebDriverWait(browser, 90, poll_frequency=0.2).until(EC.presence_of_element_located((By.ID, "portal-bar")))
    report = browser.current_url
    jobs_before = {p.name for p in data.iterdir() if p.name.startswith("job-")}

    browser.get(attacker_site)  # the seller visits another site, which posts the form at once
    WebDriverWait(browser, 30, poll_frequency=0.2).until(lambda b: b.current_url.startswith(url))
    WebDriverWait(browser, 30, poll_frequency=0.2).until(EC.presence_of_element_located((By.TAG_NAME, "h1")))
    assert "/r/" not in browser.current_url, "the forged upload was accepted"
    assert "another site" in browser.find_element(By.ID, "error").text
    assert {p.name for p in data.iterdir() if p.name.startswith("job-")} == jobs_before

    browser.get(report)  # the seller's report is still theirs
    assert browser.find_element(By.ID, "finding-count").text.startswith(f"{SAMPLE_FINDINGS} findings")
