"""The same lint on a Dask cluster: `run_dask` returns the Result lint.engines.local.run returns.

    result = run_dask(export, policy, codes, as_of, zone, problems.sorted(), params=cfg.params,
                      severities=cfg.severities, scheduler="tcp://scheduler:8786")

Steps (the design is lint.engines.partition's docstring):
  1. the canonical tables, ingested and validated in-process, are scattered to the workers
     in chunks and become dask DataFrames (with POS, each row's position in its table);
     tables read on the workers (lint.engines.dask.session.DaskExport.remote: Parquet bindings and
     LIVE sessions) are there already, the bindings split by store into the store pass's
     partitions;
  2. store pass: bindings and stores keyed by store_id; accounts, LIVE sessions and videos
     exploded to every store their account has a binding in (a merge with the small
     (account_id, store_id) table, broadcast to every chunk); every table shuffled by the
     hash of the key into the same N partitions, so partition k of each table holds the
     rows of the same stores; `map_partitions(lint_partition)` over the five tables;
  3. account pass (BIND001): bindings keyed by account_id, shuffled, `map_partitions`;
  4. both findings tables computed together, turned back into Findings, named, given their
     severity and sorted exactly as the engine does (lint.engines.partition.assemble).

Without `scheduler` a LocalCluster of `n_workers` processes (one thread each) is started
and closed. `scheduler` is a scheduler address ("tcp://host:8786", e.g. the scheduler
Service of a Dask Kubernetes operator DaskCluster, or `cluster.scheduler_address` of a
dask-jobqueue / dask-cloudprovider cluster kept running elsewhere), a scheduler file (*.json,
from `dask scheduler --scheduler-file` or dask-mpi), or one of dask's local schedulers
"synchronous", "threads", "processes" (no cluster: for debugging). From Python it may also
be a distributed.Client (used, left open) or a cluster object (KubeCluster, coiled.Cluster,
SLURMCluster, EC2Cluster...: connected with its own security, as Coiled's TLS needs).
The workers need shoplint installed (`pip install shoplint[dask]`), the same version as the
client. See docs/dask.md.
"""
from __future__ import annotations

import contextlib
import logging
import os
import uuid
from pathlib import Path

import numpy as np
import pandas as pd

from lint.checks import Partition
from lint.core.model import Export, InputProblem
from lint.core.result import Result
from lint.engines.partition import (
    HASH,
    KEY,
    POS,
    account_stores,
    assemble,
    empty_findings,
    key_hash,
    lint_partition,
    partition_tables,
    with_position,
)
from lint.engines.plan import make_plan

LOCAL_SCHEDULERS = ("synchronous", "threads", "processes")


def run_dask(export: Export, policy, codes: list[str], as_of: int, timezone: str,
             problems: list[InputProblem], params: dict[str, dict] | None = None,
             severities: dict[str, str] | None = None, scheduler=None, n_workers: int = 2,
             npartitions: int | None = None) -> Result:
    """lint.engines.local.run on a Dask cluster. Same arguments as lint.engines.local.run, plus:
    scheduler     address, scheduler file or local scheduler name (None: a LocalCluster); from
                  Python also a distributed.Client or a cluster object (coiled.Cluster, KubeCluster...)
    n_workers     workers of the LocalCluster (only without `scheduler`)
    npartitions   partitions of each pass (default: twice the cluster's threads)"""
    plan = make_plan(export, policy, codes, params, severities)
    store_codes, account_codes = plan.by_partition(Partition.STORE), plan.by_partition(Partition.ACCOUNT)
    frames: list[pd.DataFrame] = []
    remote = getattr(export, "remote", {})  # tables read on the workers (lint.engines.dask.session.DaskExport)
    n_bindings = export.remote_rows["bindings"] if "bindings" in remote else \
        (0 if export.bindings is None else len(export.bindings))
    # every rule reads bindings, the partition key: without a binding there is nothing to run
    if plan.runnable and n_bindings:
        with _cluster(scheduler, n_workers) as (client, threads):
            # bindings read on the workers are already split by store into export.nparts partitions
            nparts = export.nparts if "bindings" in remote else npartitions or max(1, 2 * threads)
            frames = _run_passes(export, store_codes, account_codes, plan.params, as_of, client, nparts,
                                 max(1, threads))
    return assemble(export, policy, plan, frames, as_of, timezone, problems)


# --- the cluster -------------------------------------------------------------------------------

@contextlib.contextmanager
def _cluster(scheduler: str | None, n_workers: int):
    """-> (distributed Client or None for a local scheduler, threads available)."""
    import dask

    # The shuffle plugin logs each shuffle at WARNING level on the scheduler: not for our users.
    quiet = logging.getLogger("distributed.shuffle._scheduler_plugin")
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        if scheduler in LOCAL_SCHEDULERS:
            with dask.config.set(scheduler=scheduler):
                yield None, (1 if scheduler == "synchronous" else os.cpu_count() or 1)
            return
        from distributed import Client, LocalCluster
        if isinstance(scheduler, Client):
            yield scheduler, sum(scheduler.nthreads().values())  # the caller's: left open
        elif scheduler is not None and not isinstance(scheduler, str):
            # a cluster object (KubeCluster, coiled.Cluster, SLURMCluster, ...), with its security
            with Client(scheduler) as client:
                yield client, sum(client.nthreads().values())
        elif scheduler is None:
            with LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                              dashboard_address=None) as cluster, Client(cluster) as client:
                yield client, sum(client.nthreads().values())
        else:
            kwargs = ({"scheduler_file": scheduler} if scheduler.endswith(".json") and Path(scheduler).is_file()
                      else {"address": scheduler})
            with Client(**kwargs) as client:
                yield client, sum(client.nthreads().values())
    finally:
        quiet.setLevel(level)


# --- the two passes ----------------------------------------------------------------------------

def _run_passes(export: Export, store_codes, account_codes, params, as_of, client, nparts: int,
                chunks: int) -> list[pd.DataFrame]:
    import dask
    import dask.dataframe as dd

    # keep object columns (lists of products, key-frame hashes) as they are; every shuffle
    # (the merge too, should it shuffle) moves pickled pandas frames, not Arrow tables
    remote = getattr(export, "remote", {})
    with dask.config.set({"dataframe.convert-string": False, "dataframe.shuffle.method": "tasks"}):
        def load(frame: pd.DataFrame | dd.DataFrame) -> dd.DataFrame:
            if isinstance(frame, dd.DataFrame):
                return frame  # read on the workers, with POS already
            frame = with_position(frame)
            n = max(1, min(chunks, len(frame)))
            bounds = np.linspace(0, len(frame), n + 1).astype(int)
            parts = [frame.iloc[bounds[k]:bounds[k + 1]] for k in range(n)]
            if client is None:
                # named: dask would otherwise tokenize (pickle) every chunk to name it
                tag = uuid.uuid4().hex
                chunks_ = [dask.delayed(p, name=f"shoplint-{tag}-{k}") for k, p in enumerate(parts)]
            else:
                chunks_ = client.scatter(parts, hash=False)
            return dd.from_delayed(chunks_, meta=frame.iloc[:0], verify_meta=False)

        def shuffled(ddf: dd.DataFrame, key_column: str) -> dd.DataFrame:
            keyed = ddf.map_partitions(_keyed, key_column, meta=_keyed(ddf._meta, key_column))
            # "tasks": pickled pandas frames; the p2p shuffle goes through Arrow, which turns the
            # list columns (products, key-frame hashes) into arrays
            return keyed.shuffle(on=HASH, npartitions=nparts, shuffle_method="tasks")

        bindings = load(remote.get("bindings", export.bindings))
        outputs = []
        if store_codes:
            # the (account, store) pairs are small: on the client (computed on the workers when
            # the bindings were read there), broadcast to every chunk
            pairs = export.remote_pairs if "bindings" in remote else account_stores(export.bindings)
            pairs = pairs.rename(columns={"store_id": KEY})
            pairs_dd = (load(pairs).repartition(npartitions=1).drop(columns=[POS]) if client is None else
                        dd.from_delayed([client.scatter(pairs, broadcast=True, hash=False)], meta=pairs.iloc[:0],
                                        verify_meta=False))
            # read on the workers: paired there after the very shuffle `shuffled` would do
            tables = [bindings if "bindings" in remote else shuffled(bindings, "store_id")]
            if export.stores is not None:
                bound = pd.unique(pairs[KEY])
                stores = load(export.stores[export.stores["store_id"].isin(bound)])
                tables.append(shuffled(stores, "store_id"))
            else:
                tables.append(None)
            for frame in (export.accounts, remote.get("lives", export.lives), export.videos):
                if frame is None:
                    tables.append(None)
                    continue
                exploded = load(frame).merge(pairs_dd, on="account_id", how="inner")
                tables.append(shuffled(exploded, KEY))
            outputs.append(dd.map_partitions(_store_partition, *tables, codes=store_codes, params=params,
                                             as_of=as_of, meta=empty_findings(), align_dataframes=False))
        if account_codes:
            outputs.append(shuffled(bindings, "account_id").map_partitions(
                _account_partition, codes=account_codes, params=params, as_of=as_of, meta=empty_findings()))
        return list(dask.compute(*outputs))


def _keyed(frame: pd.DataFrame, key_column: str) -> pd.DataFrame:
    """KEY = the partition key (store or account id), HASH = its stable hash (shuffled on)."""
    key = frame[key_column]
    return frame.assign(**{KEY: key.to_numpy(), HASH: key_hash(key)})


def _store_partition(bindings, stores, accounts, lives, videos, *, codes, params, as_of) -> pd.DataFrame:
    """One partition of the store pass: the rows of the stores hashed to it, in every table."""
    if bindings is None or bindings.empty:
        return empty_findings()  # every key comes from bindings: the other tables are empty too
    keys = bindings[HASH].to_numpy()
    keyed = {"bindings": bindings, "stores": stores, "accounts": accounts, "lives": lives, "videos": videos}
    for name, frame in keyed.items():
        # the tables were shuffled separately: partition k of each must hold the same stores
        if frame is not None and not np.isin(frame[HASH].to_numpy(), keys).all():
            raise RuntimeError(f"dask partitions not aligned: {name} rows of stores without bindings here")
    return lint_partition(partition_tables(keyed), codes, params, as_of)


def _account_partition(bindings, *, codes, params, as_of) -> pd.DataFrame:
    """One partition of the account pass: every binding of the accounts hashed to it."""
    if bindings.empty:
        return empty_findings()
    tables = partition_tables({"bindings": bindings})
    # the canonical order (lint.ingest.bindings), a total order: bindings read on the workers
    # come from several store partitions, whose POS are not comparable (else this is a no-op)
    tables["bindings"] = tables["bindings"].sort_values(["store_id", "start", "bind_id"], kind="stable",
                                                        ignore_index=True)
    return lint_partition(tables, codes, params, as_of)
