"""An export in object storage (issue 5: "object storage through fsspec"): EXPORT given as a
URL is copied, under the zip limits, to a private temporary folder and linted like a local
folder. fsspec's in-memory filesystem (memory://) stands in for s3:// or gs:// here; the real
ones differ only in the package that talks to the service."""
from __future__ import annotations

import importlib.util
import json

import pytest
from click.testing import CliRunner

import lint.ingest.source as source_mod
from lint.cli import main
from lint.ingest.source import ExportError, ExportSource

from conftest import REPO

fsspec = pytest.importorskip("fsspec")
AS_OF = "2025-12-31T00:00:00+07:00"


@pytest.fixture
def bucket():
    """sample_data uploaded to memory://bucket/exports/sample_data/ and as a .zip."""
    fs = fsspec.filesystem("memory")
    fs.put(str(REPO / "sample_data"), "/bucket/exports/sample_data", recursive=True)
    from lint.serve.app import sample_zip
    fs.pipe("/bucket/zips/sample_data.zip", sample_zip(REPO / "sample_data"))
    yield fs
    fs.rm("/bucket", recursive=True)


def check_json(*args) -> tuple[int, dict | None, str]:
    res = CliRunner().invoke(main, ["check", *args, "--as-of", AS_OF, "--format", "json", "-q", "--no-cache"])
    assert "Traceback" not in (res.output or ""), res.output
    try:
        return res.exit_code, json.loads(res.stdout), res.stderr
    except ValueError:
        return res.exit_code, None, res.stderr


def local_report():
    code, report, _ = check_json(str(REPO / "sample_data"))
    return code, report


@pytest.mark.parametrize("url", ["memory://bucket/exports/sample_data", "memory://bucket/exports/sample_data/",
                                 "memory://bucket/zips/sample_data.zip"])
def test_an_export_in_object_storage_gives_the_local_report(bucket, url):
    code, report, err = check_json(url)
    expected_code, expected = local_report()
    assert code == expected_code == 1, err
    assert report["findings"] == expected["findings"]
    assert report["summary"] == expected["summary"]
    assert report["export"] == "sample_data"


def test_the_downloaded_copy_is_removed_when_the_source_closes(bucket):
    with ExportSource.open("memory://bucket/exports/sample_data") as source:
        root = source.root
        assert (root / "bindings.csv").is_file()
    assert not root.exists()


def test_nothing_under_the_prefix_is_a_clear_error(bucket):
    code, report, err = check_json("memory://bucket/exports/no_such_shop")
    assert code == 2 and report is None
    assert "memory://bucket/exports/no_such_shop: no such folder or .zip" in err


def test_a_prefix_holding_too_much_is_refused_before_copying(bucket, monkeypatch):
    monkeypatch.setattr(source_mod, "ZIP_MAX_MEMBERS", 5)
    with pytest.raises(ExportError, match=r"objects \(limit 5, set by SHOPLINT_ZIP_MAX_MEMBERS\)"):
        ExportSource.open("memory://bucket/exports/sample_data")
    monkeypatch.setattr(source_mod, "ZIP_MAX_MEMBERS", 10_000)
    monkeypatch.setattr(source_mod, "ZIP_MAX_TOTAL_BYTES", 1000)
    with pytest.raises(ExportError, match="bytes \\(limit 1000"):
        ExportSource.open("memory://bucket/exports/sample_data")


def test_a_storage_whose_package_is_missing_names_the_package():
    if importlib.util.find_spec("s3fs") is not None:
        pytest.skip("s3fs is installed here")
    code, report, err = check_json("s3://some-bucket/exports/shop1/")
    assert code == 2 and report is None
    assert "s3fs" in err


def test_an_unknown_scheme_is_a_clear_error():
    code, _, err = check_json("nosuchscheme://x/y")
    assert code == 2 and "not a storage URL" in err


def test_a_single_object_that_is_not_a_zip_is_refused(bucket):
    bucket.pipe("/bucket/loose/bindings.csv", b"event_id\n")
    code, _, err = check_json("memory://bucket/loose/bindings.csv")
    assert code == 2 and "an export is a folder (prefix) or a .zip" in err
