"""Headless Chromium for the tests that look at pages as a person does: Debian's `chromium`
and `chromium-driver` (which .ci/run installs), driven with Selenium."""
from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")
needs_chromium = pytest.mark.skipif(not (CHROMIUM and DRIVER), reason="needs Debian's chromium and chromium-driver")


def chromium(width: int, height: int, accept_language: str | None = None):
    """A headless browser window of this size (for a module-scoped fixture: yield from it);
    `accept_language` ("id,en;q=0.5"): the languages it asks pages in, as a browser set to them."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", f"--window-size={width},{height}"):
        options.add_argument(arg)
    if accept_language:
        options.add_argument(f"--lang={accept_language.split(',')[0]}")
        options.add_experimental_option("prefs", {"intl.accept_languages": accept_language})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def assert_first_thumbnail_pair_shown(browser):
    """The page's first DUP001 pair: two real pictures (decoded, laid out), side by side."""
    from selenium.webdriver.common.by import By
    pair = browser.find_elements(By.CSS_SELECTOR, ".thumb-pair")[0]
    browser.execute_script("arguments[0].scrollIntoView()", pair)
    images = pair.find_elements(By.TAG_NAME, "img")
    assert len(images) == 2
    for img in images:
        assert img.is_displayed()
        # decoded and laid out: a real picture, not a broken-image icon
        assert browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth", img) > 50
        assert img.size["width"] > 50
    # the two pictures sit side by side, not one under the other
    assert images[0].location["y"] == images[1].location["y"] and images[0].location["x"] < images[1].location["x"]


def start_portal(args: list[str], log: Path, env: dict | None = None) -> tuple[subprocess.Popen, int]:
    """`shoplint serve ARGS` on a free port of 127.0.0.1, output to `log`; -> (process, port)
    once /healthz answers (the test fails, the process killed, if it does not start)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "lint.serve", "--host", "127.0.0.1", "--port", str(port),
                                 *args], cwd=Path(__file__).resolve().parent.parent, env=env, stdout=out,
                                stderr=subprocess.STDOUT)
    deadline = time.time() + 30
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                if r.status == 200:
                    return proc, port
        except OSError:
            if proc.poll() is not None or time.time() > deadline:
                proc.kill()
                pytest.fail("the server did not start: " + log.read_text(errors="replace"))
            time.sleep(0.2)


def stop(proc: subprocess.Popen) -> None:
    """Stop a server as its operator would (SIGTERM), killing it after 10 s."""
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


@contextlib.contextmanager
def portal_process(data: Path, log: Path):
    """`shoplint serve` as a real uvicorn server, its job folders in `data`; yields its base
    URL once /healthz answers, and stops it afterwards."""
    proc, port = start_portal(["--data-dir", str(data), "--log-level", "warning"], log)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(proc)
