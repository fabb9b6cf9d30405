"""Shared test helpers: write a small export, run shoplint on it, read the report back."""
from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lint import LintOptions, UnusableExport
from lint import lint as api_lint

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
# How many findings sample_data's reviewed report has (tests of what people see count them)
SAMPLE_FINDINGS = len(json.loads((REPO / "sample_data" / "expected.json").read_text(encoding="utf-8"))["findings"])


def pytest_addoption(parser):
    parser.addoption("--run-slow", action="store_true", help="also run scale runs and benchmarks")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--run-slow"):
        return
    skip = pytest.mark.skip(reason="slow: pass --run-slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


def write_table(folder: Path, name: str, rows: list[dict], fmt: str = "csv") -> Path:
    """Write rows as `name.fmt`; list values become `a|b` in CSV."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.{fmt}"
    columns = list(dict.fromkeys(k for r in rows for k in r)) if rows else ["id"]
    if fmt in ("csv", "tsv"):
        with open(path, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh, delimiter="," if fmt == "csv" else "\t")
            w.writerow(columns)
            for r in rows:
                w.writerow(["|".join(v) if isinstance(v, list) else ("" if r.get(k) is None else v)
                            for k, v in ((k, r.get(k)) for k in columns)])
    elif fmt == "jsonl":
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    elif fmt == "json":
        path.write_text(json.dumps({"data": rows}, ensure_ascii=False), encoding="utf-8")
    else:
        raise ValueError(fmt)
    return path


def make_export(folder: Path, tables: dict[str, list[dict]], fmt: str = "csv") -> Path:
    for name, rows in tables.items():
        write_table(folder, name, rows, fmt)
    return folder


def lint(folder: Path, as_of: str = "2026-01-01T00:00:00+07:00", zone: str = "Asia/Jakarta",
         select: list[str] | None = None, lang: str = "en", params: dict | None = None,
         cache_dir: Path | None = None) -> dict:
    """Run shoplint in-process on `folder` through the public API and return the JSON report
    as a dict. Fails the test if the input is unusable (use run_cli to test exit 2)."""
    options = LintOptions(as_of=as_of, timezone=zone, select=tuple(select or ()), lang=lang,
                          params=params or {}, cache_dir=cache_dir, no_cache=cache_dir is None)
    try:
        result = api_lint(folder, options)
    except UnusableExport as e:
        pytest.fail(f"unusable export: {[p.describe() for p in e.problems] or e}")
    return json.loads(result.render("json", lang))


def load(folder: Path, account_id: str | None = None):
    """-> (the canonical tables of the export folder, read as a run reads them; the problems
    found), with the run's default zone, Asia/Jakarta."""
    from lint.core.model import Problems
    from lint.ingest import ExportSource, load_export
    problems = Problems()
    with ExportSource.open(folder) as source:
        export = load_export(source, "Asia/Jakarta", problems, account_id=account_id)
    return export, problems


def findings(report: dict, rule: str) -> list[dict]:
    return [f for f in report["findings"] if f["rule"] == rule]


def run_cli(*args, cwd=None) -> subprocess.CompletedProcess:
    """Run the real command line in a subprocess (what a nightly job does)."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "lint", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd or REPO, env=env, timeout=300)


# Small builders for binding rows, so each test states only what matters to it.
def bind(event_id, store, account, type_, action, at):
    return {"event_id": event_id, "store_id": store, "account_id": account, "account_type": type_,
            "action": action, "at": at}


@pytest.fixture
def export_dir(tmp_path):
    return tmp_path / "export"


def photo(seed: int, size=(360, 640)):
    """A photo-like test picture: smooth random shapes and texture at several scales, so
    that different seeds look different to a perceptual hash, as different photos do."""
    import numpy as np
    from PIL import Image
    rng = np.random.default_rng(seed)
    w, h = size
    img = np.zeros((h, w, 3))
    for cells, weight in ((3, 1.0), (6, 0.6), (12, 0.35), (24, 0.2)):
        coarse = rng.random((cells * 16 // 9 + 1, cells + 1, 3))
        layer = np.asarray(Image.fromarray((coarse * 255).astype("uint8")).resize((w, h), Image.Resampling.BICUBIC),
                           dtype=float) / 255
        img += weight * layer
    img = (img - img.min()) / (img.max() - img.min())
    return Image.fromarray((img * 255).astype("uint8"))


def wait_report(c, location, timeout=60, refreshing=True):
    """Poll a portal report page (HTTP test client `c`) until the report or a refusal is
    there; while waiting, the progress page must refresh itself (`refreshing`)."""
    import time
    deadline = time.time() + timeout
    while time.time() < deadline:
        page = c.get(location)
        if page.status_code != 200 or "portal-bar" in page.text:
            return page
        if refreshing:
            assert 'http-equiv="refresh"' in page.text  # the progress page refreshes itself
        time.sleep(0.1)
    raise AssertionError("no report in time")
