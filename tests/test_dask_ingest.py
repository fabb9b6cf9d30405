"""Worker-side reading (lint.engines.dask.session): with `--engine dask`, Parquet bindings and
live_sessions are read and validated on the workers, row group by row group, and the report
is byte-identical to the in-process one: the same findings, the same input errors (row,
column, message, value, level), the same rows_read, the same exit 2 for a missing column.
Needs `pip install shoplint[dask]`."""
from __future__ import annotations

import dataclasses
import importlib.util
import json
import shutil
import sys

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from lint.core.model import Problems
from lint.core.policy import load_policy
from lint.engines.local import run
from lint.ingest import ExportSource, MediaOptions, load_export
from lint.ingest.schema import MAX_PER_COLUMN
from lint.ingest.timestamps import parse_instants
from lint.reports.json_report import render

from conftest import REPO, run_cli

pytestmark = pytest.mark.skipif(not all(importlib.util.find_spec(m) for m in ("dask", "distributed")),
                                reason="needs dask and distributed (pip install shoplint[dask])")
ZONE = "Asia/Jakarta"


@pytest.fixture(scope="module")
def cluster():
    from distributed import LocalCluster
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as c:
        yield c.scheduler_address


def as_of_ms(text: str) -> int:
    return int(parse_instants(pa.array([text]), None, ZONE)[0][0])


def in_process(folder, as_of: str) -> str:
    policy, problems = load_policy(), Problems()
    with ExportSource.open(folder) as source:
        export = load_export(source, ZONE, problems, media=MediaOptions(cache_dir=None))
        assert not problems.has_fatal, [p.describe() for p in problems.items]
        result = run(export, policy, policy.select([], []), as_of_ms(as_of), ZONE, problems.sorted())
        result = dataclasses.replace(result, export_name=source.name)
    return render(result)


def on_workers(folder, as_of: str, scheduler, **session) -> tuple[str, object]:
    """The report with worker-side reading, and the Export the client held."""
    from lint.engines.dask.session import DaskSession
    policy, problems = load_policy(), Problems()
    with ExportSource.open(folder) as source, DaskSession(scheduler, **session) as dask_session:
        export = dask_session.load_export(source, ZONE, problems, media=MediaOptions(cache_dir=None))
        assert not problems.has_fatal, [p.describe() for p in problems.items]
        result = dask_session.run(export, policy, policy.select([], []), as_of_ms(as_of), ZONE, problems.sorted())
        result = dataclasses.replace(result, export_name=source.name)
    return render(result), export


def to_parquet(folder, table: str, frame: pa.Table | None = None, row_group_size: int = 3):
    """Write `frame` (default: folder/TABLE.csv as text, the CSV then removed) as
    folder/TABLE.parquet in small row groups."""
    if frame is None:
        csv = folder / f"{table}.csv"
        header = csv.read_text(encoding="utf-8").splitlines()[0].split(",")
        frame = pacsv.read_csv(csv, convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(header,
                                                                                                   pa.string())))
        csv.unlink()
    pq.write_table(frame, folder / f"{table}.parquet", row_group_size=row_group_size)


def assert_worker_read(export):
    assert export.bindings is None and export.lives is None, "the client holds a big table"
    assert set(export.remote) == {"bindings", "lives"}


# --- sample_data --------------------------------------------------------------------------------

SAMPLE_AS_OF = "2025-12-31T00:00:00+07:00"


@pytest.fixture(scope="module")
def sample_parquet(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sample") / "sample_data"
    shutil.copytree(REPO / "sample_data", folder)
    for table in ("bindings", "live_sessions"):
        to_parquet(folder, table)
    return folder


def test_sample_in_parquet_row_groups_of_3(sample_parquet, cluster):
    expected = in_process(sample_parquet, SAMPLE_AS_OF)
    got, export = on_workers(sample_parquet, SAMPLE_AS_OF, cluster, rows_per_slice=1)
    assert_worker_read(export)
    assert got == expected
    # one slice per worker-ish (the default), and a local scheduler, give the same bytes
    assert on_workers(sample_parquet, SAMPLE_AS_OF, cluster)[0] == expected
    assert on_workers(sample_parquet, SAMPLE_AS_OF, "synchronous", rows_per_slice=2)[0] == expected


def test_naive_times_take_the_store_zone_on_the_workers(tmp_path, cluster):
    """`at` without an offset (text, then native Parquet timestamps without a zone): each
    row takes its store's zone (S02 is Asia/Makassar), broadcast from the stores table."""
    folder = tmp_path / "naive"
    shutil.copytree(REPO / "sample_data", folder)
    to_parquet(folder, "live_sessions")
    csv = folder / "bindings.csv"
    table = pacsv.read_csv(csv, convert_options=pacsv.ConvertOptions(column_types={"at": pa.string()}))
    csv.unlink()
    naive = pc.replace_substring_regex(table["at"], r"([+-]\d{2}:\d{2}|Z)$", "")
    for column in (naive, pc.strptime(naive, "%Y-%m-%dT%H:%M:%S", "ms")):
        to_parquet(folder, "bindings", table.set_column(table.schema.get_field_index("at"), "at", column))
        expected = in_process(folder, SAMPLE_AS_OF)
        assert '"S02"' in expected
        assert on_workers(folder, SAMPLE_AS_OF, cluster, rows_per_slice=1)[0] == expected


# --- a generated export with bad rows in every row group -----------------------------------------

GEN_AS_OF = "2026-01-01T00:00:00+07:00"


@pytest.fixture(scope="module")
def generated_bad(tmp_path_factory):
    """bench/generate.py, 300 stores, in Parquet with row groups of 500 rows, and bad rows
    spread over the row groups (see the comments)."""
    sys.path.insert(0, str(REPO / "bench"))
    try:
        import generate
    finally:
        sys.path.remove(str(REPO / "bench"))
    folder = tmp_path_factory.mktemp("gen300") / "gen300"
    generate.generate(str(folder), stores=300, accounts=1800, binding_events=30_000, live_sessions=6_000,
                      videos=3_000, seed=3, fmt="parquet")
    rng = np.random.default_rng(5)

    b = pq.read_table(folder / "bindings.parquet").to_pydict()
    n = len(b["event_id"])
    spread = rng.permutation(np.arange(50, n - 50))
    # more than MAX_PER_COLUMN unparseable times, in every row group
    for i in spread[: MAX_PER_COLUMN + 150]:
        b["at"][i] = "yesterday"
    k = MAX_PER_COLUMN + 150
    for column, value, count in (("store_id", None, 40), ("account_id", "  ", 30), ("at", "", 25),
                                 ("account_type", "affiliate", 35), ("action", "link", 35),
                                 ("event_id", None, 5)):
        for i in spread[k:k + count]:
            b[column][i] = value
        k += count
    # duplicate event ids far apart (other row groups), one whose first row was itself skipped
    for first, later in ((3, n - 3), (700, 20_000), (int(spread[0]), n - 10), (1200, 1201)):
        b["event_id"][later] = b["event_id"][first]
    # an unbind with nothing open, in a store of its own and in a busy one
    b["event_id"] += ["X-UNBIND-1", "X-UNBIND-2"]
    b["store_id"] += ["S-NEW", b["store_id"][0]]
    b["account_id"] += ["A-NEW", "A-NEVER-BOUND"]
    b["account_type"] += ["marketing", "official"]
    b["action"] += ["unbind", "unbind"]
    b["at"] += ["2025-05-01T10:00:00+07:00", "2025-05-02T10:00:00"]
    pq.write_table(pa.table(b), folder / "bindings.parquet", row_group_size=500)

    lv = pq.read_table(folder / "live_sessions.parquet")
    m = lv.num_rows
    lv = lv.to_pydict()
    for first, later in ((1, m - 1), (600, 4_000), (2_500, 2_501)):
        lv["live_id"][later] = lv["live_id"][first]
    for i in range(10, m, 997):
        lv["ended_at"][i] = "2020-01-01T00:00:00+07:00"  # before it started
    for i in range(20, m, 1_301):
        lv["started_at"][i] = "13/45/2025"
    lv["account_id"][77] = None
    pq.write_table(pa.table(lv), folder / "live_sessions.parquet", row_group_size=500)
    return folder


def test_generated_parquet_with_bad_rows_in_every_row_group(generated_bad, cluster):
    expected = in_process(generated_bad, GEN_AS_OF)
    report = json.loads(expected)
    errors = report["input_errors"]
    # the case is what it should be: capped column, duplicates across row groups, pairing errors
    assert any(e["row"] is None and e["column"] == "at" and e["message"].endswith(" more rows with the same problem")
               for e in errors)
    assert sum("duplicate event_id" in e["message"] for e in errors) >= 3
    assert sum("duplicate live_id" in e["message"] for e in errors) == 3
    assert any(e["value"] == "X-UNBIND-1" and "'unbind' with no" in e["message"] for e in errors)
    assert any("is before" in e["message"] for e in errors)
    got, export = on_workers(generated_bad, GEN_AS_OF, cluster, rows_per_slice=1)
    assert_worker_read(export)
    assert got == expected
    # slices of many row groups, and more partitions than workers, change nothing
    assert on_workers(generated_bad, GEN_AS_OF, cluster, rows_per_slice=7_000, npartitions=5)[0] == expected


def test_client_never_reads_the_big_files(sample_parquet, cluster, monkeypatch):
    """The client may not read the Parquet bindings or live_sessions: reading them there fails."""
    import lint.ingest.reader as reader
    real = reader._read_parquet

    def refuse(path):
        if path.stem in ("bindings", "live_sessions"):
            raise AssertionError(f"the client read {path.name}")
        return real(path)
    monkeypatch.setattr(reader, "_read_parquet", refuse)
    from lint.engines.dask.session import DaskSession
    with ExportSource.open(sample_parquet) as source, DaskSession(cluster) as session:
        export = session.load_export(source, ZONE, Problems())
    assert_worker_read(export)
    assert export.rows_read["bindings"] == 54 and export.rows_read["live_sessions"] == 4


# --- the command line ---------------------------------------------------------------------------

def test_cli_engine_dask_reads_on_the_workers_same_report_files(sample_parquet, cluster, tmp_path):
    common = ["check", sample_parquet, "--as-of", SAMPLE_AS_OF, "--format", "json,csv,html", "-q", "--no-cache"]
    (tmp_path / "local").mkdir()
    (tmp_path / "dask").mkdir()
    local = run_cli(*common, "--output-dir", tmp_path / "local")
    remote = run_cli(*common, "--output-dir", tmp_path / "dask", "--engine", "dask", "--scheduler", cluster)
    assert local.returncode == remote.returncode == 1, remote.stderr
    for name in ("report.json", "report.csv", "report.html"):  # html: the time lines come from the workers
        assert (tmp_path / "dask" / name).read_bytes() == (tmp_path / "local" / name).read_bytes(), name


def test_cli_headroom_counted_on_the_workers_same_items(sample_parquet, cluster, tmp_path):
    """Headroom is counted per store partition on the workers; a store of the stores table
    with no binding at all is counted on the client: the same items, in the same order."""
    folder = tmp_path / "sample_data"
    shutil.copytree(sample_parquet, folder)
    with open(folder / "stores.csv", "a", encoding="utf-8") as fh:
        fh.write("S00,Toko Tanpa Akun,ID,Asia/Jakarta,\nS99,Toko Baru,ID,Asia/Jayapura,\n")
    common = ["check", folder, "--as-of", SAMPLE_AS_OF, "--format", "json", "-q", "--no-cache"]
    local = run_cli(*common, "-o", tmp_path / "local.json")
    remote = run_cli(*common, "-o", tmp_path / "dask.json", "--engine", "dask", "--scheduler", cluster)
    assert local.returncode == remote.returncode, remote.stderr
    expected = (tmp_path / "local.json").read_bytes()
    assert (tmp_path / "dask.json").read_bytes() == expected
    headroom = json.loads(expected)["headroom"]
    assert {"S00", "S99"} <= set(headroom), "the stores with no binding have headroom too"


def test_cli_missing_required_column_exits_2_with_the_same_messages(sample_parquet, cluster, tmp_path):
    folder = tmp_path / "missing"
    shutil.copytree(sample_parquet, folder)
    for table, column in (("bindings", "at"), ("live_sessions", "started_at")):
        t = pq.read_table(folder / f"{table}.parquet")
        pq.write_table(t.drop_columns([column]), folder / f"{table}.parquet", row_group_size=3)
    args = ["check", folder, "--as-of", SAMPLE_AS_OF, "--format", "json", "-q", "--no-cache"]
    local = run_cli(*args)
    remote = run_cli(*args, "--engine", "dask", "--scheduler", cluster)
    assert local.returncode == remote.returncode == 2
    assert remote.stdout == "" and "Traceback" not in remote.stderr
    assert remote.stderr == local.stderr
    assert "bindings.parquet, row 1, column 'at': required column 'at' of the event form is missing" in remote.stderr
    assert "live_sessions.parquet, column 'started_at': required column 'started_at' is missing" in remote.stderr


def test_cli_strict_counts_the_rows_read_on_the_workers(generated_bad, cluster):
    args = ["check", generated_bad, "--as-of", GEN_AS_OF, "--format", "json", "-q", "--no-cache", "--strict",
            "--select", "BIND004"]
    local = run_cli(*args)
    remote = run_cli(*args, "--engine", "dask", "--scheduler", cluster)
    assert local.returncode == remote.returncode == 2
    assert remote.stderr == local.stderr and "row-level" not in remote.stderr


# --- the conformance cases: interval form, naive local times, a big table left in CSV/TSV ----------

@pytest.mark.parametrize("case", ["basic-csv", "interval-form", "naive-local"])
def test_conformance_cases_with_parquet_bindings(case, cluster, tmp_path):
    """Bindings in Parquet (row groups of 7; the interval form too), LIVE sessions as given
    (CSV or TSV: read by the client, scattered beside the bindings read on the workers)."""
    source = REPO / "tests" / "conformance" / case
    folder = tmp_path / case
    shutil.copytree(source, folder)
    to_parquet(folder, "bindings", row_group_size=7)
    as_of = json.loads((source.parent / f"{case}.expected.json").read_text(encoding="utf-8"))["as_of"]
    expected = in_process(folder, as_of)
    got, export = on_workers(folder, as_of, cluster, rows_per_slice=1)
    assert export.bindings is None and "bindings" in export.remote
    assert "lives" not in export.remote and export.lives is not None
    assert got == expected


def test_cli_html_time_lines_from_the_workers_on_the_generated_export(generated_bad, cluster, tmp_path):
    """The HTML report draws each binding finding's history and each LIVE001 pair: those rows
    are fetched from the workers after the checks, and the page is the same."""
    args = ["check", generated_bad, "--as-of", GEN_AS_OF, "--format", "html", "-q", "--no-cache"]
    local = run_cli(*args, "--output", tmp_path / "local.html")
    remote = run_cli(*args, "--output", tmp_path / "dask.html", "--engine", "dask", "--scheduler", cluster)
    assert local.returncode == remote.returncode == 1, remote.stderr
    assert (tmp_path / "dask.html").read_bytes() == (tmp_path / "local.html").read_bytes()


def test_workers_that_cannot_see_the_files_leave_them_to_the_client(sample_parquet, cluster, monkeypatch):
    """A cluster without the client's file system: the client reads the tables, as before."""
    from lint.engines.dask.session import DaskSession
    monkeypatch.setattr("lint.engines.dask.session._file_sizes", lambda paths: [None for _ in paths])
    expected = in_process(sample_parquet, SAMPLE_AS_OF)
    with DaskSession(cluster) as session:  # the patched probe is what the workers run
        session._start()
        with ExportSource.open(sample_parquet) as source:
            assert session._where_workers_read(source, {"bindings": sample_parquet / "bindings.parquet"}) == {}
    got, export = on_workers(sample_parquet, SAMPLE_AS_OF, cluster)
    assert export.bindings is not None and export.lives is not None and not export.remote
    assert got == expected


def test_cli_damaged_row_group_exits_2(sample_parquet, cluster, tmp_path):
    """Bytes of one row group's data page scrambled: the file is refused, no report."""
    folder = tmp_path / "damaged"
    shutil.copytree(sample_parquet, folder)
    path = folder / "bindings.parquet"
    offset = pq.ParquetFile(path).metadata.row_group(5).column(1).data_page_offset
    data = bytearray(path.read_bytes())
    for i in range(offset + 5, offset + 40):
        data[i] ^= 0x5A
    path.write_bytes(bytes(data))
    args = ["check", folder, "--as-of", SAMPLE_AS_OF, "--format", "json", "-q", "--no-cache"]
    local = run_cli(*args)
    remote = run_cli(*args, "--engine", "dask", "--scheduler", cluster)
    assert local.returncode == remote.returncode == 2
    assert remote.stdout == "" and "Traceback" not in remote.stderr
    assert "bindings.parquet: is not a readable Parquet file" in remote.stderr
    assert remote.stderr == local.stderr


@pytest.mark.filterwarnings("ignore:Port 8787 is already in use")
def test_workers_read_from_object_storage_when_they_cannot_see_the_copy(sample_parquet, monkeypatch):
    """An export in object storage (memory:// stands in for s3://) is copied to the client as
    with the default engine; workers that do not share the client's disk read the Parquet
    tables from the storage itself. (Threads of this process as workers, so that they see
    the same memory:// store; the client's copy is hidden from them.)"""
    fsspec = pytest.importorskip("fsspec")
    from distributed import LocalCluster

    import lint.engines.dask.session as dask_ingest
    fs = fsspec.filesystem("memory")
    fs.put(str(sample_parquet), "/bucket/exports/shop", recursive=True)
    real = dask_ingest._file_sizes
    monkeypatch.setattr(dask_ingest, "_file_sizes",
                        lambda paths: [real([p])[0] if p.startswith("memory://") else None for p in paths])
    read_from = []
    real_slice = dask_ingest._parquet_slice
    monkeypatch.setattr(dask_ingest, "_parquet_slice", lambda path, groups: read_from.append(path) or
                        real_slice(path, groups))
    try:
        expected = in_process(sample_parquet, SAMPLE_AS_OF).replace('"export": "sample_data"', '"export": "shop"')
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as c:
            got, export = on_workers("memory://bucket/exports/shop/", SAMPLE_AS_OF, c.scheduler_address,
                                     rows_per_slice=1)
        assert_worker_read(export)
        assert got == expected
        assert read_from and {p.rsplit("/", 1)[1] for p in read_from} == {"bindings.parquet", "live_sessions.parquet"}
        assert all(p.startswith("memory://bucket/exports/shop/") for p in read_from)
    finally:
        fs.rm("/bucket", recursive=True)


def test_interval_form_with_bad_rows_across_row_groups(cluster, tmp_path):
    """Bindings as intervals: an interval overlapping an earlier one of the same (store,
    account, type) in another row group, an end before its start, a duplicate binding_id, an
    unparseable time; all reported as in-process, with the same findings."""
    case = "interval-form"
    source = REPO / "tests" / "conformance" / case
    folder = tmp_path / case
    shutil.copytree(source, folder)
    csv = folder / "bindings.csv"
    header = csv.read_text(encoding="utf-8").splitlines()[0].split(",")
    b = pacsv.read_csv(csv, convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(header, pa.string())))
    csv.unlink()
    b = b.to_pydict()
    n = len(b["binding_id"])
    extra = {c: [] for c in b}

    def add(**row):
        for c in b:
            extra[c].append(row.get(c, ""))
    first = {c: b[c][2] for c in b}
    add(**{**first, "binding_id": "X-OVERLAP"})  # the same interval again, at the end of the file
    add(**{**first, "binding_id": "X-BACKWARDS", "bound_at": "2025-06-02T00:00:00+07:00",
           "unbound_at": "2025-06-01T00:00:00+07:00"})
    add(**{**first, "binding_id": b["binding_id"][n // 2], "bound_at": "2019-01-01T00:00:00+07:00",
           "unbound_at": "2019-01-05T00:00:00+07:00"})  # a duplicate id far from the first
    add(**{**first, "binding_id": "X-BADTIME", "bound_at": "31/13/2025"})  # no 13th month (31/12/2025 is a date: --date-order)
    table = pa.table({c: b[c] + extra[c] for c in b})
    to_parquet(folder, "bindings", table, row_group_size=7)
    as_of = json.loads((source.parent / f"{case}.expected.json").read_text(encoding="utf-8"))["as_of"]
    expected = in_process(folder, as_of)
    messages = " ".join(e["message"] for e in json.loads(expected)["input_errors"])
    for part in ("overlaps an earlier", "is before 'bound_at'", "duplicate binding_id", "is not a timestamp"):
        assert part in messages
    got, export = on_workers(folder, as_of, cluster, rows_per_slice=1)
    assert export.bindings is None and "bindings" in export.remote
    assert got == expected


def test_roles_from_the_source_with_tables_read_on_the_workers(tmp_path):
    """LIVE sessions read on the workers that carry their role from the source (a Parquet
    live_sessions with account_type): the cluster gives the in-process findings."""
    from conftest import bind, make_export, run_cli
    folder = make_export(tmp_path / "export", {
        "stores": [{"store_id": "S1", "region": "ID"}],
        "bindings": [bind("E1", "S1", "A1", "official", "bind", "2025-01-01T00:00:00+07:00"),
                     bind("E2", "S1", "A2", "official", "bind", "2025-01-01T00:00:00+07:00")],
        "live_sessions": [
            {"live_id": "L1", "account_id": "A1", "started_at": "2025-05-10T19:00:00+07:00",
             "ended_at": "2025-05-10T21:00:00+07:00", "account_type": "", "role_source": ""},
            {"live_id": "L2", "account_id": "M9", "started_at": "2025-05-10T19:30:00+07:00",
             "ended_at": "2025-05-10T20:30:00+07:00", "account_type": "marketing", "role_source": "page 2"}]})
    for table in ("bindings", "live_sessions"):
        to_parquet(folder, table)
    args = ["check", str(folder), "--format", "json", "--as-of", "2025-12-31T00:00:00+07:00", "--select", "LIVE"]
    local = run_cli(*args)
    dask = run_cli(*args, "--engine", "dask", "--workers", "2")
    assert local.returncode == 1, local.stderr
    assert dask.returncode == 1, dask.stderr
    assert json.loads(dask.stdout)["findings"] == json.loads(local.stdout)["findings"]
    assert [f["subjects"] for f in json.loads(local.stdout)["findings"]] == [["L1", "L2"]]
