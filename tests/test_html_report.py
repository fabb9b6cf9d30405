"""The HTML report: self-contained, escaped, readable in both languages."""
import re

from PIL import ImageOps

from conftest import REPO, bind, make_export, photo, run_cli

SAMPLE = REPO / "sample_data"
AS_OF = "2025-12-31T00:00:00+07:00"


def html_of(folder, tmp_path, *extra):
    out = tmp_path / "report.html"
    res = run_cli("check", folder, "--format", "html", "--output", out, "--as-of", AS_OF, "--no-cache", *extra)
    assert res.returncode in (0, 1), res.stderr
    return out.read_text(encoding="utf-8")


def test_sample_report_has_summary_stores_thumbnails_and_time_lines(tmp_path):
    page = html_of(SAMPLE, tmp_path)
    assert page.startswith("<!DOCTYPE html>")
    assert re.search(r'id="finding-count"><b[^>]*>16</b>', page)
    for store in ("S01", "S02", "S03"):
        assert f'id="store-{store}"' in page
    assert 'id="store-S04"' not in page  # the clean store has no section
    # four DUP001 pairs, each two embedded covers, and the two matching frames of the pair the
    # videos decided; nothing is loaded from outside
    assert page.count('class="thumb-pair"') == 4 and page.count('class="frame-pair"') == 1
    assert len(re.findall(r'<img src="data:image/jpeg;base64,', page)) == 10
    assert "matching frame · V203 0:03" in page and "matching frame · V204 0:02" in page
    assert not re.search(r'(src|href)="(https?:|//|file:)', page)
    assert page.count('class="timeline"') == 12  # every binding finding and the LIVE001 pair
    assert "<script" not in page.lower()
    assert "Content-Security-Policy" in page and "default-src 'none'" in page


def test_indonesian_report_uses_the_pack_words_and_number_format(tmp_path):
    page = html_of(SAMPLE, tmp_path, "--lang", "id")
    assert '<html lang="id">' in page
    assert "Ringkasan" in page and "Perbaikan" in page and "Toko paling berisiko" in page
    assert "Tunggu minimal 48 jam" in page
    assert "WITA" in page  # S02 is in Asia/Makassar


def test_every_input_value_is_escaped(tmp_path):
    folder = tmp_path / "export"
    evil = '<script>alert(1)</script><img src=x onerror=alert(2)>'
    (folder / "media").mkdir(parents=True)
    photo(1).save(folder / "media" / "a.jpg")
    ImageOps.mirror(photo(1)).save(folder / "media" / "b.jpg")
    make_export(folder, {
        "stores": [{"store_id": "S1", "store_name": evil, "region": "ID"}],
        "bindings": [bind("E1", "S1", "A1", "official", "bind", "2025-01-01T00:00:00+07:00"),
                     bind("E2", "S1", "A2", "marketing", "bind", "2025-01-01T00:00:00+07:00"),
                     bind('E3"><b>', "S1", "A3", "marketing", "unbind", "2025-01-02T00:00:00+07:00")],
        "videos": [{"video_id": evil, "account_id": "A1", "posted_at": "2025-03-01T00:00:00+07:00",
                    "caption": evil, "thumbnail": "media/a.jpg"},
                   {"video_id": "V2", "account_id": "A2", "posted_at": "2025-03-01T00:00:00+07:00",
                    "caption": evil, "thumbnail": "media/b.jpg"}],
    })
    page = html_of(folder, tmp_path)
    assert "<script" not in page.lower() and "<img src=x" not in page
    assert "onerror=alert" not in page.replace("onerror=alert(2)&gt;", "")  # only as escaped text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'E3"><b>' not in page and "E3&quot;&gt;&lt;b&gt;" in page
