"""docs/inputs.md lists every accepted spelling and every limit with the way to change it;
the limits read from the environment do change."""
import json
import re

import pytest

from lint.ingest.aliases import ALIASES

from conftest import REPO, bind, make_export, photo, run_cli

DOC = (REPO / "docs" / "inputs.md").read_text(encoding="utf-8")

LIMIT_VARIABLES = ["SHOPLINT_ZIP_MAX_MEMBERS", "SHOPLINT_ZIP_MAX_TOTAL_BYTES", "SHOPLINT_ZIP_MAX_RATIO",
                   "SHOPLINT_ZIP_RATIO_FROM_BYTES", "SHOPLINT_TABLE_MAX_ROWS", "SHOPLINT_TABLE_MAX_CELLS",
                   "SHOPLINT_TABLE_MAX_BYTES", "SHOPLINT_IMAGE_MAX_BYTES", "SHOPLINT_IMAGE_MAX_PIXELS",
                   "SHOPLINT_COVER_MAX_BYTES", "SHOPLINT_COVER_TIMEOUT_S", "SHOPLINT_COVER_MAX_COUNT",
                   "SHOPLINT_COVER_HOSTS", "SHOPLINT_COVER_ALLOW_PRIVATE", "SHOPLINT_VIDEO_MAX_BYTES",
                   "SHOPLINT_VIDEO_MAX_PIXELS", "SHOPLINT_VIDEO_MAX_DURATION_S", "SHOPLINT_VIDEO_DECODE_TIMEOUT_S"]


def test_every_limit_variable_the_code_reads_is_documented():
    code = "".join(p.read_text(encoding="utf-8") for folder in ("ingest", "media")
                   for p in (REPO / "lint" / folder).glob("*.py"))
    # names are written whole, or as _env_int("ZIP_...") with the SHOPLINT_ prefix added
    # (a name followed by "_{" or "_*" is a prefix: SHOPLINT_COVER_{name}, SHOPLINT_ZIP_*)
    read = set(re.findall(r"SHOPLINT_[A-Z_]*[A-Z](?![A-Z_]*[{*])", code)) | {
        f"SHOPLINT_{n}" for n in re.findall(r'\benv_int\("([A-Z_]+)"', code)} | {
        f"SHOPLINT_{n}" for n in re.findall(r'_env_int\("([A-Z_]+)"', code)} | {
        f"SHOPLINT_COVER_{n}" for n in re.findall(r'number\("([A-Z_]+)"', code)}
    assert read <= set(LIMIT_VARIABLES), read - set(LIMIT_VARIABLES)
    for name in LIMIT_VARIABLES:
        assert f"`{name}" in DOC, name


def test_the_alias_table_is_the_documented_one():
    rows = {m.group(1): m.group(2) for m in re.finditer(r"^\| `([a-z_]+\.[a-z_]+)` \| (.*) \|$", DOC, re.M)}
    assert set(rows) == set(ALIASES)
    for key, aliases in ALIASES.items():
        assert re.findall(r"`([^`]+)`", rows[key]) == list(aliases), key


def test_the_readme_links_the_inputs_page():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "## Accepted inputs and limits" in readme and "(docs/inputs.md)" in readme


@pytest.mark.parametrize("variable, value, words", [("SHOPLINT_IMAGE_MAX_BYTES", "1000", "(limit 1000)"),
                                                    ("SHOPLINT_IMAGE_MAX_PIXELS", "5000", "(limit 5000 pixels)")])
def test_picture_limits_follow_the_environment(export_dir, tmp_path, monkeypatch, variable, value, words):
    (export_dir / "media").mkdir(parents=True)
    photo(3).save(export_dir / "media" / "a.jpg", "JPEG", quality=90)
    make_export(export_dir, {"videos": [{"video_id": "V1", "account_id": "A1", "posted_at": "2025-01-01",
                                         "thumbnail": "media/a.jpg"}],
                             "bindings": [bind("E1", "S1", "A1", "official", "bind", "2024-12-01T10:00:00+07:00")]})
    out = tmp_path / "r.json"
    assert run_cli("check", export_dir, "--format", "json", "-o", out, "--no-cache").returncode == 0
    assert json.loads(out.read_text())["input_errors"] == []
    monkeypatch.setenv(variable, value)
    assert run_cli("check", export_dir, "--format", "json", "-o", out, "--no-cache").returncode == 0
    [error] = json.loads(out.read_text())["input_errors"]
    assert error["row"] == 2 and error["column"] == "thumbnail" and words in error["message"]
