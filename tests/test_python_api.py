"""The Python API: docs/python-api.md's examples run as written, and the API, the command line
and the portal's runner give byte-identical reports through the one pipeline."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

import lint
from lint import LintOptions, OptionError, UnusableExport
from lint.settings.options import OPTIONS, resolve

from conftest import REPO, run_cli

DOC = REPO / "docs" / "python-api.md"
AS_OF = "2025-12-31T00:00:00+07:00"


def _examples() -> list[str]:
    return re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)


@pytest.mark.parametrize("number", range(len(_examples())))
def test_doc_example_runs(number, tmp_path, monkeypatch, capsys):
    shutil.copytree(REPO / "sample_data", tmp_path / "sample_data")
    monkeypatch.chdir(tmp_path)
    for name in [n for n in __import__("os").environ if n.startswith("SHOPLINT_")]:
        monkeypatch.delenv(name)
    exec(compile(_examples()[number], f"{DOC.name} example {number + 1}", "exec"), {})
    assert capsys.readouterr().out.strip()  # every example shows something


def test_api_cli_and_portal_give_identical_reports(tmp_path):
    from lint.serve.runner import lint_folder
    for fmt in ("json", "html", "csv"):
        out = tmp_path / f"cli.{fmt}"
        res = run_cli("check", REPO / "sample_data", "--as-of", AS_OF, "--format", fmt, "-o", out)
        assert res.returncode == 1, res.stderr
        api = lint.lint(REPO / "sample_data", LintOptions(as_of=AS_OF, format=(fmt,))).render(fmt)
        portal = lint_folder(REPO / "sample_data", AS_OF)
        assert out.read_bytes() == api
        assert getattr(portal, {"json": "json_text"}.get(fmt, fmt)).encode("utf-8") == api


def test_lint_options_defaults_are_the_tables():
    defaults = LintOptions()
    for opt in OPTIONS:
        assert getattr(defaults, opt.name) == opt.default, opt.name


def test_precedence_command_line_over_environment_over_file_over_default(tmp_path):
    from lint.pipeline import load_pack
    from lint.settings.config import load_config
    (tmp_path / "shoplint.toml").write_text('lang = "id"\nfail_on = "warning"\nstrict = true\n', encoding="utf-8")
    cfg = load_config(tmp_path / "shoplint.toml", load_pack())
    env = {"SHOPLINT_FAIL_ON": "info", "SHOPLINT_STRICT": "0", "SHOPLINT_TIMEZONE": "Asia/Makassar"}
    o = resolve({"fail_on": "never"}, cfg, env)
    assert o.fail_on == "never" and o.sources["fail_on"] == "command line"
    assert o.strict is False and o.sources["strict"] == "environment SHOPLINT_STRICT"
    assert o.timezone == "Asia/Makassar"
    assert o.lang == "id" and o.sources["lang"] == str(tmp_path / "shoplint.toml")
    assert o.new_only is False and o.sources["new_only"] == "default"
    with pytest.raises(OptionError, match="SHOPLINT_LANG"):
        resolve({}, cfg, {"SHOPLINT_LANG": "fr"})


def test_environment_reaches_the_command_line(tmp_path):
    out = tmp_path / "r.json"
    import os
    env_before = dict(os.environ)
    try:
        os.environ["SHOPLINT_SELECT"] = "LIVE"
        res = run_cli("check", REPO / "sample_data", "--as-of", AS_OF, "--format", "json", "-o", out)
    finally:
        os.environ.clear()
        os.environ.update(env_before)
    assert res.returncode == 1, res.stderr
    import json
    report = json.loads(out.read_text(encoding="utf-8"))
    assert {f["rule"] for f in report["findings"]} == {"LIVE001"}


def test_unusable_export_names_file_row_and_column(tmp_path):
    (tmp_path / "bindings.csv").write_text("store_id,account_id\nS1,A1\n", encoding="utf-8")
    with pytest.raises(UnusableExport) as e:
        lint.lint(tmp_path, LintOptions(as_of=AS_OF))
    assert any(p.file == "bindings.csv" and p.row == 1 and p.column for p in e.value.problems)


def test_result_is_built_once():
    result = lint.lint(REPO / "sample_data", LintOptions(as_of=AS_OF))
    with pytest.raises(AttributeError):
        result.export_name = "x"  # frozen: the pipeline completes it in one step
    assert result.export_name == "sample_data"


def test_version_does_not_import_the_pipeline():
    import subprocess
    import sys
    code = "import sys, lint; print(lint.__version__, 'pandas' in sys.modules, 'lint.pipeline' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["0.1.0", "False", "False"]


def test_portal_with_a_server_configuration_gives_the_command_line_s_bytes(tmp_path):
    """A generated export (all rule kinds, videos with hashes) uploaded to a portal started with
    a configuration file (select, ignore, a rule parameter, a severity, fail_on) gets exactly
    the JSON `shoplint check --config` writes."""
    pytest.importorskip("fastapi")
    import io
    import sys
    import zipfile

    from fastapi.testclient import TestClient

    from lint.pipeline import load_pack
    from lint.serve.app import create_app
    from lint.serve.settings import Settings
    from lint.settings.config import load_config
    sys.path.insert(0, str(REPO / "bench"))
    import generate
    export = tmp_path / "generated"
    generate.generate(str(export), stores=40, accounts=240, binding_events=4000, live_sessions=800, videos=400, seed=3)
    blob = io.BytesIO()
    with zipfile.ZipFile(blob, "w") as zf:
        for f in sorted(export.iterdir()):
            zf.write(f, f.name)
    (tmp_path / "generated.zip").write_bytes(blob.getvalue())
    cfg = tmp_path / "shoplint.toml"
    cfg.write_text('ignore = ["BIND007"]\nfail_on = "warning"\n[rules.BIND004]\nmin_hours = 24\nseverity = "warning"\n'
                   '[rules.LIVE001]\nmin_overlap_s = 120\n', encoding="utf-8")
    out = tmp_path / "cli.json"
    res = run_cli("check", tmp_path / "generated.zip", "--config", cfg, "--as-of", AS_OF, "--format", "json", "-o",
                  out, "--no-cache")
    assert res.returncode == 1, res.stderr
    options = resolve({}, load_config(cfg, load_pack()), env={})
    app = create_app(Settings(data_dir=tmp_path / "data", rate_limit=0, lint_options=options))
    with TestClient(app) as client:
        r = client.post("/api/lint", files={"files": ("generated.zip", blob.getvalue(), "application/zip")},
                        data={"as_of": AS_OF})
    assert r.status_code == 200, r.text
    assert r.content == out.read_bytes()
    report = r.json()
    assert "BIND007" not in report["rules"]["run"] and report["rules"]["parameters"]["BIND004"]["min_hours"] == 24
    assert {f["rule"] for f in report["findings"]} >= {"BIND004", "LIVE001", "DUP001"}


def test_the_command_line_starts_without_the_data_libraries():
    """`shoplint --version`, `rules`, `explain` and `--help` answer without importing pandas,
    numpy or pyarrow (issue 13: start-up); the heavy modules load when a lint needs them."""
    import subprocess
    import sys
    code = ("import sys; from click.testing import CliRunner; from lint.cli import main; "
            "r = [CliRunner().invoke(main, a).exit_code for a in (['--version'], ['rules'], ['explain', 'BIND004'], "
            "['--help'], ['check', '--help'])]; "
            "print(r, sorted(m for m in ('pandas', 'numpy', 'pyarrow') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[0, 0, 0, 0, 0] []"


def test_a_check_without_pictures_imports_no_picture_or_network_code(tmp_path):
    """A run of the binding and LIVE rules with a JSON report (the nightly job's usual run)
    imports neither Pillow, nor the video code, nor the HTTP client of `pull`, nor the HTML
    and table reporters: start-up is paid only for what the run uses (issue 13)."""
    import subprocess
    import sys
    export = tmp_path / "export"
    shutil.copytree(Path(__file__).parent.parent / "sample_data", export)
    for extra in export.glob("videos*"):
        shutil.rmtree(extra) if extra.is_dir() else extra.unlink()
    code = ("import sys; from click.testing import CliRunner; from lint.cli import main; "
            f"r = CliRunner().invoke(main, ['check', {str(export)!r}, '--format', 'json', '-o', "
            f"{str(tmp_path / 'r.json')!r}, '--select', 'BIND,LIVE', '--as-of', '2025-12-31T00:00:00+07:00']); "
            "print(r.exit_code, sorted(m for m in ('PIL', 'av', 'lint.media', 'urllib.request', "
            "'lint.reports.html_report', 'lint.reports.table_reports', 'lint.ingest.media') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "1 []", out
    assert json.loads((tmp_path / "r.json").read_text())["findings"]
