"""The portal in English and Indonesian: chosen from the browser's Accept-Language,
switchable on every page (remembered), every page, message and refusal included — through
the HTTP test client, then in headless Chromium set to each language."""
from __future__ import annotations

import ast
import time

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("multipart")

from fastapi.testclient import TestClient  # noqa: E402

from lint.serve import i18n  # noqa: E402
from lint.serve.app import create_app, sample_zip  # noqa: E402
from lint.serve.settings import Settings  # noqa: E402

from browserkit import needs_chromium, portal_process  # noqa: E402
from conftest import REPO, SAMPLE_FINDINGS  # noqa: E402

AS_OF = "2025-12-31T00:00:00+07:00"
ID = {"Accept-Language": "id-ID,id;q=0.9,en;q=0.5"}


@pytest.fixture
def client(tmp_path):
    with TestClient(create_app(Settings(data_dir=tmp_path / "data", rate_limit=0))) as c:
        yield c


@pytest.mark.parametrize("header, lang", [(None, "en"), ("id", "id"), ("id-ID,id;q=0.9,en;q=0.8", "id"),
                                          ("en-US,en;q=0.9,id;q=0.8", "en"), ("fr,id;q=0.5", "id"),
                                          ("in-ID", "id"), ("fr", "en"), ("en;q=0.2,id;q=0.7", "id")])
def test_the_language_comes_from_accept_language(header, lang):
    assert i18n.choose(None, None, header) == lang


def test_the_upload_page_in_each_language_and_the_switch_is_remembered(client):
    en = client.get("/")
    assert '<html lang="en">' in en.text and "Check my export" in en.text
    page = client.get("/", headers=ID)
    assert '<html lang="id">' in page.text and "Periksa ekspor saya" in page.text
    assert '<option value="id" selected>' in page.text  # the report language follows the page's
    assert "Check my export" not in page.text and "What to upload" not in page.text
    switched = client.get("/?lang=en", headers=ID)
    assert '<html lang="en">' in switched.text and switched.cookies.get(i18n.COOKIE) == "en"
    assert '<html lang="en">' in client.get("/", headers=ID).text  # remembered over Accept-Language


def test_refusals_are_in_the_page_language(client):
    bad = client.post("/upload", files={"files": ("notes.txt", b"x", "text/plain")}, headers=ID)
    assert bad.status_code == 400 and '<html lang="id">' in bad.text
    assert "notes.txt: bukan berkas tabel" in bad.text and "Unggahan tidak dapat digunakan" in bad.text
    missing = client.get("/r/" + "x" * 32, headers=ID)
    assert missing.status_code == 404 and "Tidak ada laporan di alamat ini" in missing.text and "1 jam" in missing.text
    api = client.post("/api/lint", files={"files": ("notes.txt", b"x", "text/plain")}, headers=ID)
    assert "not a table file" in api.json()["error"]  # the API stays English: a contract for scripts


def test_an_export_that_cannot_be_linted_fails_in_the_page_language(client):
    r = client.post("/upload", files={"files": ("bindings.csv", b"store_id,account_id\nS1,A1\n", "text/csv")},
                    headers=ID, follow_redirects=False)
    deadline = time.time() + 60
    while time.time() < deadline:
        page = client.get(r.headers["location"], headers=ID)
        if 'id="error"' in page.text:
            break
        time.sleep(0.2)
    assert "Ekspor tidak dapat diperiksa" in page.text
    assert "input tidak dapat digunakan" in page.text and "kolom wajib" in page.text


def _messages(path):
    """Every refusal or failure message written literally in `path`, its values as samples."""
    tree = ast.parse((REPO / path).read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) in (
                "Refusal", "refuse", "_fail"):
            for arg in node.args:
                if isinstance(arg, (ast.Constant, ast.JoinedStr)) and not (
                        isinstance(arg, ast.Constant) and not isinstance(arg.value, str)):
                    parts = arg.values if isinstance(arg, ast.JoinedStr) else [arg]
                    text = "".join(p.value if isinstance(p, ast.Constant) else "7" for p in parts)
                    if len(text) > 12:
                        out.append(text)
    return out


@pytest.mark.parametrize("path", ["lint/serve/app.py", "lint/serve/jobs.py"])
def test_every_refusal_and_failure_message_has_its_indonesian(path):
    messages = _messages(path)
    assert messages
    untranslated = [m for m in messages if i18n.translate(m, "id") == m]
    assert untranslated == []


# --- in headless Chromium, set to each language ----------------------------------------

def _browser_case(lang, accept, tmp_path, server_url):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    from browserkit import chromium
    words = {"en": {"title": "check an export", "submit": "Check my export", "bar": "Download",
                    "refusal": "notes.txt: not a table file", "plan": "Not allowed at this time",
                    "count": f"{SAMPLE_FINDINGS} findings", "missing": "no report at this address"},
             "id": {"title": "periksa ekspor", "submit": "Periksa ekspor saya", "bar": "Unduh",
                    "refusal": "notes.txt: bukan berkas tabel", "plan": "Tidak boleh saat ini",
                    "count": f"{SAMPLE_FINDINGS} temuan", "missing": "Tidak ada laporan di alamat ini"}}[lang]
    archive = tmp_path / "sample_data.zip"
    archive.write_bytes(sample_zip(REPO / "sample_data"))
    bad = tmp_path / "notes.txt"
    bad.write_text("not a table")
    gen = chromium(900, 1100, accept_language=accept)
    browser = next(gen)
    try:
        browser.get(server_url + "/")
        assert words["title"] in browser.title
        assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == lang
        assert browser.find_element(By.ID, "submit").text == words["submit"]
        browser.find_element(By.ID, "files").send_keys(str(archive))
        browser.find_element(By.CSS_SELECTOR, "details summary").click()
        browser.find_element(By.ID, "as_of").send_keys(AS_OF)
        browser.find_element(By.CSS_SELECTOR, "#plan summary").click()
        browser.find_element(By.CSS_SELECTOR, "#plan_action option[value=unbind]").click()
        browser.find_element(By.ID, "plan_account").send_keys("sekarjagad.promo4")
        browser.find_element(By.ID, "plan_store").send_keys("S01")
        browser.find_element(By.ID, "plan_at").send_keys("2025-11-02T09:00:00+07:00")
        browser.find_element(By.ID, "submit").click()
        WebDriverWait(browser, 120, poll_frequency=0.3).until(EC.presence_of_element_located((By.ID, "portal-bar")))
        assert browser.execute_script("return document.scripts.length") == 0
        assert words["bar"] in browser.find_element(By.ID, "portal-bar").text
        answer = browser.find_element(By.ID, "plan-answer")
        assert words["plan"] in answer.text and "BIND004" in answer.text and answer.is_displayed()
        assert browser.find_element(By.ID, "finding-count").text.startswith(words["count"])
        browser.get(server_url + "/")
        browser.find_element(By.ID, "files").send_keys(str(bad))
        browser.find_element(By.ID, "submit").click()
        error = WebDriverWait(browser, 30, poll_frequency=0.2).until(EC.presence_of_element_located((By.ID, "error")))
        assert words["refusal"] in error.text
        browser.get(server_url + "/r/" + "x" * 32)
        assert words["missing"] in browser.find_element(By.ID, "error").text
        # the switch: the other language, remembered on the next page
        other = "en" if lang == "id" else "id"
        browser.get(server_url + "/")
        browser.find_element(By.ID, f"lang-{other}").click()
        WebDriverWait(browser, 10).until(
            lambda b: b.find_element(By.TAG_NAME, "html").get_attribute("lang") == other)
        browser.get(server_url + "/")
        assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == other
    finally:
        gen.close()


@pytest.fixture(scope="module")
def portal_server(tmp_path_factory):
    """A real uvicorn server, as tests/test_serve_browser.py starts it."""
    pytest.importorskip("uvicorn")
    data = tmp_path_factory.mktemp("serve-i18n")
    with portal_process(data, data.parent / "server-i18n.log") as url:
        yield url


@needs_chromium
@pytest.mark.parametrize("lang, accept", [("en", "en-US,en"), ("id", "id-ID,id,en;q=0.5")])
def test_the_portal_in_chromium(lang, accept, tmp_path, portal_server):
    _browser_case(lang, accept, tmp_path, portal_server)
