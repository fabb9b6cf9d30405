"""The HTML report as a person sees it: rendered by headless Chromium (Debian's `chromium`
and `chromium-driver`, which .ci/run installs), driven with Selenium."""
import pytest
from PIL import ImageOps

from browserkit import assert_first_thumbnail_pair_shown, chromium, needs_chromium
from conftest import REPO, SAMPLE_FINDINGS, bind, make_export, photo, run_cli

pytestmark = needs_chromium
AS_OF = "2025-12-31T00:00:00+07:00"


@pytest.fixture(scope="module")
def browser():
    yield from chromium(420, 900)  # a phone's width


def render(folder, tmp_path, name="report.html", *extra):
    out = tmp_path / name
    res = run_cli("check", folder, "--format", "html", "--output", out, "--as-of", AS_OF, "--no-cache", *extra)
    assert res.returncode in (0, 1), res.stderr
    return out


def test_sample_report_shows_the_count_and_a_thumbnail_pair(browser, tmp_path):
    from selenium.webdriver.common.by import By
    browser.get(render(REPO / "sample_data", tmp_path).as_uri())
    count = browser.find_element(By.ID, "finding-count")
    assert count.is_displayed() and count.text.startswith(f"{SAMPLE_FINDINGS} findings")
    assert_first_thumbnail_pair_shown(browser)


def test_no_script_from_the_input_runs(browser, tmp_path):
    from selenium.webdriver.common.by import By
    folder = tmp_path / "export"
    (folder / "media").mkdir(parents=True)
    photo(3).save(folder / "media" / "a.jpg")
    ImageOps.mirror(photo(3)).save(folder / "media" / "b.jpg")
    attack = ("<script>window.pwned=1;document.title='PWNED'</script>"
              "<img src=x onerror=\"window.pwned=2;document.title='PWNED'\">")
    make_export(folder, {
        "stores": [{"store_id": "S1", "store_name": attack, "region": "ID"}],
        "bindings": [bind("E1", "S1", "A1", "official", "bind", "2025-01-01T00:00:00+07:00"),
                     bind("E2", "S1", "A2", "marketing", "bind", "2025-01-01T00:00:00+07:00")],
        "videos": [{"video_id": "V1", "account_id": "A1", "posted_at": "2025-03-01T00:00:00+07:00",
                    "caption": attack, "thumbnail": "media/a.jpg"},
                   {"video_id": "V2", "account_id": "A2", "posted_at": "2025-03-02T00:00:00+07:00",
                    "caption": attack, "thumbnail": "media/b.jpg"}],
    })
    browser.get(render(folder, tmp_path, "attack.html").as_uri())
    assert browser.execute_script("return window.pwned === undefined")
    assert "PWNED" not in browser.title
    assert browser.find_elements(By.CSS_SELECTOR, "img[src='x']") == []
    # the attack is shown to the reader as the text it is
    assert "<script>window.pwned=1" in browser.find_element(By.TAG_NAME, "body").text
