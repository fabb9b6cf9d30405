"""The same lint, split by store (and by account for BIND001) and run on a Dask cluster, gives
a JSON report byte-identical to the in-process one (issue 5, item 6).

The contract tests (lint.engines.partition, in-process split) always run; the cluster tests need
`pip install shoplint[dask]` and are skipped without it."""
from __future__ import annotations

import dataclasses
import importlib.util
import sys
from collections import Counter

import pyarrow as pa
import pytest

from lint.checks import Partition
from lint.core.model import Problems
from lint.core.policy import load_policy
from lint.engines.local import run
from lint.engines.partition import (
    FINDINGS_SCHEMA,
    account_stores,
    frame_to_findings,
    keyed_store_tables,
    lint_partition,
    run_split,
    split,
)
from lint.engines.plan import make_plan
from lint.ingest import ExportSource, MediaOptions, load_export
from lint.ingest.timestamps import parse_instants
from lint.reports.json_report import render

from conftest import REPO, bind, make_export

HAVE_DASK = all(importlib.util.find_spec(m) is not None for m in ("dask", "distributed"))
needs_dask = pytest.mark.skipif(not HAVE_DASK, reason="needs dask and distributed (pip install shoplint[dask])")
ZONE = "Asia/Jakarta"


class Lint:
    """An export read once, and the in-process report of it to compare every engine with."""

    def __init__(self, folder, as_of: str):
        self.policy = load_policy()
        problems = Problems()
        with ExportSource.open(folder) as source:
            self.export = load_export(source, ZONE, problems, media=MediaOptions(cache_dir=None))
            self.name = source.name
        assert not problems.has_fatal
        self.problems = problems.sorted()
        self.as_of = int(parse_instants(pa.array([as_of]), None, ZONE)[0][0])
        self.codes = self.policy.select([], [])
        self.expected = self.render(run(self.export, self.policy, self.codes, self.as_of, ZONE, self.problems))

    def args(self):
        return self.export, self.policy, self.codes, self.as_of, ZONE, self.problems

    def render(self, result) -> str:
        return render(dataclasses.replace(result, export_name=self.name))


@pytest.fixture(scope="module")
def sample():
    return Lint(REPO / "sample_data", "2025-12-31T00:00:00+07:00")


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """300 stores, videos with precomputed hashes, some accounts bound to several stores."""
    sys.path.insert(0, str(REPO / "bench"))
    try:
        import generate
    finally:
        sys.path.remove(str(REPO / "bench"))
    folder = tmp_path_factory.mktemp("gen300")
    generate.generate(str(folder), stores=300, accounts=1800, binding_events=30_000, live_sessions=6_000,
                      videos=6_000, seed=1)
    return Lint(folder, "2026-01-01T00:00:00+07:00")


@pytest.fixture(scope="module")
def cluster():
    """One 2-worker LocalCluster (processes) for the module; run_dask connects by address."""
    if not HAVE_DASK:
        pytest.skip("needs dask and distributed")
    from distributed import LocalCluster
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as c:
        yield c.scheduler_address


def multi_store_accounts(export):
    pairs = account_stores(export.bindings)
    n = pairs.groupby("account_id")["store_id"].nunique()
    return set(n[n > 1].index)


# --- the generated export is the case it must be --------------------------------------------

def test_generated_export_has_cross_store_cases(generated):
    e = generated.export
    multi = multi_store_accounts(e)
    assert multi, "some accounts are bound to several stores"
    assert e.lives["account_id"].isin(multi).any() and e.videos["account_id"].isin(multi).any()
    result = run(*generated.args())
    rules = Counter(f.rule for f in result.findings)
    assert set(rules) == set(generated.codes)  # every rule fires, DUP001 on precomputed hashes
    assert any(f.evidence["official_store_id"] != f.evidence["marketing_store_id"]
               for f in result.findings if f.rule == "BIND001")


# --- the contract, in-process ------------------------------------------------------------------

def test_split_by_store_and_account_equals_the_engine(sample, generated):
    # one store (one account) per partition; then stores hashed together into a few partitions
    assert sample.render(run_split(*sample.args())) == sample.expected
    for buckets in (1, 3, 7):
        for case in (sample, generated):
            assert case.render(run_split(*case.args(), buckets=buckets)) == case.expected


def test_findings_table_has_the_fixed_schema_and_round_trips(generated):
    plan = make_plan(generated.export, generated.policy, generated.codes)
    store_codes, account_codes, params = plan.by_partition(Partition.STORE), plan.by_partition(Partition.ACCOUNT), \
        plan.params
    assert account_codes == ["BIND001"] and "BIND001" not in store_codes
    frames = [lint_partition(t, store_codes, params, generated.as_of)
              for _, t in split(keyed_store_tables(generated.export), buckets=3)]
    for frame in frames:
        assert list(frame.columns) == list(FINDINGS_SCHEMA)
        assert {c: str(t) for c, t in frame.dtypes.items()} == FINDINGS_SCHEMA
    whole = lint_partition({t: getattr(generated.export, t) for t in ("stores", "accounts", "bindings", "lives",
                                                                     "videos")},
                           store_codes, params, generated.as_of)
    rebuilt, not_checked = frame_to_findings(whole)
    engine = run(generated.export, generated.policy, store_codes, generated.as_of, ZONE, [])
    assert sorted(rebuilt, key=lambda f: f.sort_key()) == [
        type(f)(**{**f.__dict__, "name": "", "severity": ""}) for f in engine.findings]
    assert not_checked == engine.not_checked


def test_bind001_in_the_store_pass_would_lose_cross_store_pairs(export_dir):
    """Why BIND001 has its own account-keyed pass: A1 is Official in S1 and Marketing in S2
    and S3 at once (two findings), A2 Official and Marketing in S4 (one)."""
    make_export(export_dir, {"bindings": [
        bind("O1", "S1", "A1", "official", "bind", "2025-03-01T10:00:00+07:00"),
        bind("M1", "S2", "A1", "marketing", "bind", "2025-03-02T10:00:00+07:00"),
        bind("M2", "S3", "A1", "marketing", "bind", "2025-03-03T10:00:00+07:00"),
        bind("O2", "S4", "A2", "official", "bind", "2025-03-01T10:00:00+07:00"),
        bind("M3", "S4", "A2", "marketing", "bind", "2025-03-02T10:00:00+07:00"),
    ]})
    case = Lint(export_dir, "2025-04-01T00:00:00+07:00")
    params = make_plan(case.export, case.policy, ["BIND001"]).params
    by_store = [lint_partition(t, ["BIND001"], params, case.as_of) for _, t in split(keyed_store_tables(case.export))]
    lost, _ = frame_to_findings(__import__("pandas").concat(by_store))
    assert [f.subjects for f in lost] == [["O2", "M3"]]
    result = run_split(*case.args())
    assert sorted(f.subjects for f in result.findings if f.rule == "BIND001") == [["O1", "M1"], ["O1", "M2"],
                                                                                  ["O2", "M3"]]
    assert case.render(result) == case.expected


# --- on a cluster ------------------------------------------------------------------------------

@needs_dask
def test_sample_on_a_local_cluster_started_by_run_dask(sample):
    from lint.engines.dask.cluster import run_dask
    assert sample.render(run_dask(*sample.args(), n_workers=2)) == sample.expected


@needs_dask
def test_sample_and_generated_on_a_2_worker_cluster_by_address(sample, generated, cluster):
    from lint.engines.dask.cluster import run_dask
    for case in (sample, generated):
        assert case.render(run_dask(*case.args(), scheduler=cluster)) == case.expected
    # more partitions than stores: many empty ones
    assert sample.render(run_dask(*sample.args(), scheduler=cluster, npartitions=16)) == sample.expected


@needs_dask
def test_selection_parameters_and_severities_as_the_engine(generated, cluster):
    from lint.engines.dask.cluster import run_dask
    e, policy, _, as_of, zone, problems = generated.args()
    kw = dict(params={"LIVE001": {"min_overlap_s": 30}}, severities={"BIND004": "warning"})
    for codes in (["BIND001"], ["LIVE001", "BIND004", "BIND007"]):
        expected = generated.render(run(e, policy, codes, as_of, zone, problems, **kw))
        assert generated.render(run_dask(e, policy, codes, as_of, zone, problems, scheduler=cluster,
                                         **kw)) == expected


@needs_dask
def test_local_schedulers_and_missing_tables(sample):
    from lint.engines.dask.cluster import run_dask
    assert sample.render(run_dask(*sample.args(), scheduler="synchronous")) == sample.expected
    e = sample.export
    trimmed = type(e)(**{**e.__dict__, "lives": None, "stores": None})
    expected = sample.render(run(trimmed, *sample.args()[1:]))
    assert '"LIVE001": "table live_sessions missing or unusable"' in expected
    assert sample.render(run_dask(trimmed, *sample.args()[1:], scheduler="threads")) == expected


@needs_dask
def test_a_client_object_is_used_and_left_open(sample, cluster):
    from distributed import Client

    from lint.engines.dask.cluster import run_dask
    with Client(cluster) as client:
        assert sample.render(run_dask(*sample.args(), scheduler=client)) == sample.expected
        assert client.status == "running"


# --- the command line ----------------------------------------------------------------------

@needs_dask
def test_cli_engine_dask_on_a_cluster_gives_the_same_report_files(cluster, tmp_path):
    from conftest import run_cli
    as_of = "2025-12-31T00:00:00+07:00"
    (tmp_path / "local").mkdir()
    (tmp_path / "dask").mkdir()
    common = ["check", str(REPO / "sample_data"), "--as-of", as_of, "--format", "json,csv", "-q", "--no-cache"]
    local = run_cli(*common, "--output-dir", str(tmp_path / "local"))
    remote = run_cli(*common, "--output-dir", str(tmp_path / "dask"), "--engine", "dask", "--scheduler", cluster)
    assert local.returncode == remote.returncode == 1, remote.stderr
    for name in ("report.json", "report.csv"):
        assert (tmp_path / "dask" / name).read_bytes() == (tmp_path / "local" / name).read_bytes()


def test_cli_scheduler_without_engine_dask_is_a_usage_error():
    from conftest import run_cli
    res = run_cli("check", str(REPO / "sample_data"), "--scheduler", "tcp://127.0.0.1:1")
    assert res.returncode == 2 and "--engine dask" in res.stderr and "Traceback" not in res.stderr
