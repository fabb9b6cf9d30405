"""Worker-side reading for `--engine dask`: the big tables (bindings, live_sessions) of an
export, when their file is Parquet, are read and validated on the Dask workers, row group by
row group, and stay there for the checks (lint.engines.dask.cluster); the client reads only the
Parquet metadata (the columns, the row count of each row group) and the small tables.

    with DaskSession(scheduler="tcp://scheduler:8786") as session:
        export = session.load_export(source, zone, problems)      # fatal problems: stop here
        result = session.run(export, policy, codes, as_of, zone, problems.sorted())

The result is exactly the in-process one (lint.ingest.load_export, then lint.engines.local.run):
the same canonical rows, the same input errors, the same rows_read. What makes a slice's
validation equal the file's:

* row numbers: a slice of row groups starts at the record index of its first row group
  (Parquet rows count from 1), summed from the metadata on the client;
* every per-row check (empty, unparseable, unknown value, end before start) is row-local:
  lint.ingest.schema.validate runs on the slice as is (`slice_of_file=True`), reporting
  every flagged row; the per-column cap ("N more rows with the same problem") is file-wide,
  so each slice sends its first MAX_PER_COLUMN rows and its count per (column, message) and
  the client keeps the file's first ones in row order and writes the line for the rest;
* duplicate ids are file-wide: every row's (id, row, kept) is shuffled by the id's hash, so
  all rows of an id meet in one partition, where schema.duplicate_rows finds the first row
  as validate does; the duplicates (few) are gathered into one table that every slice
  drops its duplicate rows by, and that the client reports (the first MAX_PER_COLUMN);
* binding events are paired per (store, account, type), bindings intervals checked for
  overlap likewise: the kept rows are shuffled by store, so each group lies in one
  partition, and lint.ingest.bindings runs there. That shuffle is the store pass's (same
  key hash, same number of partitions), so the bindings are already where the checks want
  them; each partition is in the canonical order (store, start, bind id), which is a total
  order, so the account pass can restore it after its own shuffle;
* timestamps without an offset take their store's zone: the stores table (client-side,
  small) is broadcast as a {store_id: zone} map.

All of it is one graph computed once (the problems, the duplicates, the pairing problems
come back; the kept tables are persisted on the workers); the client checks for fatal
problems after it, as after lint.ingest.load_export.

Not read on the workers (read by the client as with the default engine): CSV/TSV (a row's
spreadsheet number depends on every quote and line break before it, and the encoding is
detected from the whole file), JSON/JSONL/XLSX, and every other table. The workers read a
file by the client's path when they share its file system, else (an export in object
storage, which lint.ingest.remote still copies to the client) from the object's URL with
their own fsspec package and credentials; each worker is asked for the file's size first,
and a table no place serves is read by the client instead.
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from operator import itemgetter

import numpy as np
import pandas as pd

from lint.core.model import Export, InputProblem, Problems
from lint.engines.partition import HASH, KEY, POS, account_stores, key_hash
from lint.ingest import load_bindings, load_export
from lint.ingest.bindings import events_to_bindings, intervals_to_bindings
from lint.ingest.reader import UnreadableFile, parquet_raw, short_reason
from lint.ingest.remote import is_url
from lint.ingest.schema import (
    BINDING_EVENTS,
    BINDING_INTERVALS,
    LIVE_SESSIONS,
    MAX_PER_COLUMN,
    _one_value_each,
    duplicate_message,
    duplicate_rows,
    more_rows_message,
    resolve_columns,
    validate,
)
from lint.ingest.timestamps import current_date_order, date_order

# table file name -> Export attribute
WORKER_TABLES = {"bindings": "bindings", "live_sessions": "lives"}
SCHEMAS = {"bindings.events": BINDING_EVENTS, "bindings.intervals": BINDING_INTERVALS,
           "live_sessions": LIVE_SESSIONS}
# a slice of row groups holds about this many rows at most (unless one row group is bigger)
ROWS_PER_SLICE = 1_000_000


@dataclass
class DaskExport(Export):
    """An Export whose big tables live on the Dask workers: `remote` maps "bindings" / "lives"
    to a persisted dask DataFrame (bindings already keyed and shuffled by store into
    `nparts` partitions, see lint.engines.dask.cluster), `remote_rows` the bindings' row count."""

    remote: dict = field(default_factory=dict)
    remote_rows: dict = field(default_factory=dict)
    remote_pairs: pd.DataFrame | None = None  # lint.engines.partition.account_stores of the remote bindings
    nparts: int = 0

    def has(self, *tables: str) -> bool:
        return all(getattr(self, WORKER_TABLES.get(t, t)) is not None or WORKER_TABLES.get(t, t) in self.remote
                   for t in tables)


@dataclass
class _Plan:
    """What the client knows of a Parquet table file from its metadata."""
    table: str  # "bindings" | "live_sessions"
    location: str  # where the workers read the file: a path, or an fsspec URL
    display: str
    schema: str  # key of SCHEMAS
    rows: int
    slices: list[tuple[list[int], int]]  # (row groups, row number of the first record)
    unique_column: str  # the id column (canonical name) and as written in the file
    unique_shown: str


# --- the client's side ---------------------------------------------------------------------------

class DaskSession:
    """A Dask cluster (or local scheduler) kept open from reading to the checks, so that the
    tables read on the workers stay there. Arguments as lint.engines.dask.cluster.run_dask;
    `rows_per_slice`: rows of one read task (whole row groups; default ROWS_PER_SLICE, or
    fewer to give every worker some)."""

    def __init__(self, scheduler=None, n_workers: int = 2, npartitions: int | None = None,
                 rows_per_slice: int | None = None):
        self.scheduler, self.n_workers = scheduler, n_workers
        self.npartitions, self.rows_per_slice = npartitions, rows_per_slice
        self.client = None
        self.nparts = 0
        self._stack = None

    def __enter__(self):
        import contextlib
        self._stack = contextlib.ExitStack()
        return self

    def __exit__(self, *exc):
        self._stack.__exit__(*exc)

    def _start(self):
        """Connect (or start the LocalCluster) on first need: an export with no Parquet table
        to read there, and with a fatal problem, never waits for a cluster."""
        if self.nparts:
            return
        import dask

        from lint.engines.dask.cluster import _cluster
        self.client, threads = self._stack.enter_context(_cluster(self.scheduler, self.n_workers))
        # as lint.engines.dask.cluster: object columns stay pandas objects, shuffles move pickled frames
        self._stack.enter_context(dask.config.set({"dataframe.convert-string": False,
                                                   "dataframe.shuffle.method": "tasks"}))
        self.nparts = self.npartitions or max(1, 2 * threads)

    def map_on_workers(self, fn, items: list) -> list:
        """fn over `items` on the cluster's workers, results in order (video fingerprints:
        the workers read the files by the client's paths, so they must share its disk or the
        export's storage)."""
        self._start()
        if self.client is None:  # a local scheduler (synchronous, threads, processes)
            import dask
            return list(dask.compute(*[dask.delayed(fn, pure=False)(x) for x in items]))
        return self.client.gather(self.client.map(fn, items, pure=False))

    # where the checks run: the same cluster
    def run(self, export: Export, policy, codes, as_of, timezone, problems, params=None, severities=None):
        from lint.engines.dask.cluster import run_dask
        # not started (nothing read on the workers): run_dask connects only if there is work
        return run_dask(export, policy, codes, as_of, timezone, problems, params=params, severities=severities,
                        scheduler=self.client if self.client is not None else self.scheduler,
                        n_workers=self.n_workers, npartitions=self.nparts or self.npartitions)

    def load_export(self, source, default_zone: str, problems: Problems, media=None, account_id=None,
                    on_table=None) -> DaskExport:
        """lint.ingest.load_export, with the Parquet bindings and live_sessions read on the workers."""
        files, _ = source.table_files()
        candidates = {t: p for t, p in files.items()
                      if t in WORKER_TABLES and p.is_file() and p.suffix.lower() == ".parquet"}
        candidates = {t: p for t, p in candidates.items() if _metadata(p) is not None}
        where: dict[str, str] = {}
        if candidates:
            self._start()
            where = self._where_workers_read(source, candidates)
            candidates = {t: p for t, p in candidates.items() if t in where}
        export = load_export(source, default_zone, problems, media=media, account_id=account_id,
                             on_table=on_table, deferred=frozenset(candidates))
        export = DaskExport(**vars(export))
        if not candidates:
            return export
        zones: dict[str, str] = {}
        if export.stores is not None:
            z = export.stores.dropna(subset=["timezone"])
            zones = dict(zip(z["store_id"], z["timezone"]))
        plans = [p for p in (self._plan(t, path, where[t], export, problems, default_zone, zones)
                             for t, path in candidates.items()) if p is not None]
        if plans:
            self._read(plans, export, problems, default_zone, zones)
        return export

    def _where_workers_read(self, source, files: dict) -> dict[str, str]:
        """{table: where every worker can read its file}: the client's path (a shared file
        system, a LocalCluster), else the object it was copied from when the export came
        from object storage (the workers' own fsspec package and credentials); a table no
        worker location serves is left to the client. Checked by asking each worker for
        the file's size."""
        sizes = {t: os.path.getsize(p) for t, p in files.items()}
        options = {t: [str(p)] for t, p in files.items()}
        if getattr(source, "url", None):
            for t, p in files.items():
                options[t].append(f"{source.url}/{p.relative_to(source.root).as_posix()}")
        if self.client is None:  # a local scheduler: the workers are this process
            return {t: o[0] for t, o in options.items()}
        asked = [(t, o) for t in files for o in options[t]]
        seen = self.client.run(_file_sizes, [o for _, o in asked])  # {worker: [size of each]}
        ok = [(t, o) for k, (t, o) in enumerate(asked) if all(s[k] == sizes[t] for s in seen.values())]
        where: dict[str, str] = {}
        for t, o in ok:
            where.setdefault(t, o)  # the first that works: the client's path before the URL
        return where

    def _plan(self, table, path, location, export, problems, zone, zones) -> _Plan | None:
        """Column resolution and the missing-column fatal errors, from the file's schema only
        (the same code as lint.ingest, on a table with no rows); None when unusable."""
        parquet = _metadata(path)
        meta = parquet.metadata
        display = export.sources[table]
        raw = parquet_raw(parquet.schema_arrow.empty_table())
        if table == "bindings":
            _, missing_events = resolve_columns(BINDING_EVENTS, raw)
            _, missing_intervals = resolve_columns(BINDING_INTERVALS, raw)
            schema = BINDING_EVENTS if len(missing_events) <= len(missing_intervals) else BINDING_INTERVALS
            scratch = Export(sources={table: display})
            if load_bindings(raw, scratch, problems, zone, zones) is None:
                return None
            key = "bindings.events" if schema is BINDING_EVENTS else "bindings.intervals"
        else:
            schema, key = LIVE_SESSIONS, LIVE_SESSIONS.name
            if validate(schema, raw, display, problems, zone) is None:
                return None
        export.rows_read[table] = meta.num_rows
        mapping, _ = resolve_columns(schema, raw)
        unique = next(c.name for c in schema.columns if c.unique)
        sizes = [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]
        per_slice = self.rows_per_slice or min(ROWS_PER_SLICE, max(1, math.ceil(meta.num_rows / self.nparts)))
        slices, group, first, at = [], [], 1, 1
        for i, n in enumerate(sizes):
            group.append(i)
            at += n
            if at - first >= per_slice or i == len(sizes) - 1:
                slices.append((group, first))
                group, first = [], at
        return _Plan(table, location, display, key, meta.num_rows, slices or [([], 1)], unique,
                     raw.original_names[mapping[unique]])

    def _read(self, plans: list[_Plan], export: DaskExport, problems: Problems, zone: str, zones: dict):
        import dask
        import dask.dataframe as dd

        zones_ = self._broadcast(zones)
        # not `pure`: a file read again under the same path may have changed
        reads = {p.table: [dask.delayed(_read_slice)(p.location, groups, first, p.schema, p.display, zone, zones_,
                                                           current_date_order())
                           for groups, first in p.slices] for p in plans}
        reads = dict(zip(reads, dask.persist(*reads.values())))
        # One graph, computed once: each slice's problems; the duplicate ids (every row's id
        # shuffled by id: all rows of an id meet in one partition); the kept rows without the
        # duplicates, LIVE sessions as they are, bindings shuffled by store and paired there.
        # The kept tables are persisted: they stay on the workers for the checks.
        wanted, kept_tables = {}, {}
        for p in plans:
            ids = dd.from_delayed([dask.delayed(itemgetter("ids"))(r) for r in reads[p.table]],
                                  meta=_IDS_META, verify_meta=False)
            dups = dask.delayed(_all_duplicates)(*ids.shuffle(on=HASH, npartitions=self.nparts,
                                                              shuffle_method="tasks").map_partitions(
                _duplicates, meta=_DUPS_META).to_delayed())
            kept = [dask.delayed(_kept)(r, dups, p.schema) for r in reads[p.table]]
            meta = _frame_meta(p.schema)
            if p.table == "live_sessions":
                kept_tables["lives"] = dd.from_delayed([dask.delayed(_as_lives)(k) for k in kept],
                                                       meta=_as_lives(meta), verify_meta=False)
                paired = []
            else:
                keyed = dd.from_delayed([dask.delayed(_by_store)(k) for k in kept], meta=_by_store(meta),
                                        verify_meta=False)
                parts = keyed.shuffle(on=HASH, npartitions=self.nparts, shuffle_method="tasks").to_delayed()
                paired = [dask.delayed(_pair)(part, p.schema, p.display, k) for k, part in enumerate(parts)]
                kept_tables["bindings"] = paired
            # as delayed objects: one compute for all (dask warns about mixing kinds of graph)
            wanted[p.table] = ([dask.delayed(itemgetter("problems", "counts", "fatal"))(r) for r in reads[p.table]],
                               dups, paired)
        # persisted apart: dask mishandles a dataframe and delayed objects in one call
        if "lives" in kept_tables:
            (kept_tables["lives"],) = dask.persist(kept_tables["lives"])
        if "bindings" in kept_tables:
            kept_tables["bindings"] = list(dask.persist(*kept_tables["bindings"]))
        wanted = {t: (slices, dups, [dask.delayed(itemgetter(1, 2, 3))(x) for x in kept_tables["bindings"]]
                      if t == "bindings" else [])
                  for t, (slices, dups, _) in wanted.items()}
        computed = dask.compute(wanted)[0]
        for p in plans:
            slices, dups, paired = computed[p.table]
            fatal = [f for _, _, f in slices if f]
            if fatal:
                problems.fatal(p.display, fatal[0])
                continue
            _merge_capped(problems, [s for s, _, _ in slices], [c for _, c, _ in slices])
            for row, value, first in dups.head(MAX_PER_COLUMN).itertuples(index=False):
                problems.add(p.display, row, p.unique_shown, duplicate_message(p.unique_column, first), value=value)
            if p.table == "live_sessions":
                export.remote["lives"] = kept_tables["lives"]
                continue
            for found_problems, _, _ in paired:
                problems.items.extend(found_problems)
            # where each account's rows go in the store pass: small, kept on the client
            export.remote_pairs = pd.concat([pairs for _, _, pairs in paired], ignore_index=True).drop_duplicates(
                ignore_index=True)
            export.remote_rows["bindings"] = int(sum(n for _, n, _ in paired))
            export.nparts = self.nparts  # the store partitions the bindings are in
            export.remote["bindings"] = dd.from_delayed(
                [dask.delayed(itemgetter(0))(x) for x in kept_tables["bindings"]],
                meta=_pair(_by_store(_frame_meta(p.schema)), p.schema, p.display, 0)[0], verify_meta=False)

    def _broadcast(self, value):
        """One copy of `value` on every worker, for many tasks to use."""
        import dask
        if self.client is None:
            return dask.delayed(value, pure=True)
        return self.client.scatter([value], broadcast=True, hash=False)[0]  # a list: not its items

    def visual_export(self, export: Export, findings) -> Export:
        """The rows build_visuals looks up (lint.reports.visuals), fetched from the workers: the
        bindings a binding-history finding names or shares store and account with, the LIVE
        sessions a sessions finding names. Every other table as on the client."""
        from lint.checks import Visual, spec
        shows = {f.rule: spec(f.rule).visual for f in findings}
        remote = getattr(export, "remote", {})
        out = Export(**{k: v for k, v in vars(export).items() if k in Export.__dataclass_fields__})
        if "bindings" in remote:
            binds = [f for f in findings if shows[f.rule] == Visual.BINDING_HISTORY]
            subjects = sorted({s for f in binds for s in f.subjects})
            pairs = sorted({(f.store_id, a) for f in binds for a in f.accounts})
            shown = remote["bindings"].map_partitions(_visual_bindings, subjects, pairs)
            out.bindings = _client_bindings(shown.compute())
        if "lives" in remote:
            ids = sorted({s for f in findings if shows[f.rule] == Visual.SESSIONS for s in f.subjects})
            out.lives = _client_lives(remote["lives"].map_partitions(lambda x: x[x["live_id"].isin(ids)]).compute())
        return out

    def local_export(self, export: Export) -> Export:
        """The export with every table read on the workers fetched to this process, as the
        in-process reader gives it (roles from the source are judged here: a seller's own,
        small tables; lint.engines.DaskEngine.check)."""
        remote = getattr(export, "remote", {})
        if not remote:
            return export
        out = Export(**{k: v for k, v in vars(export).items() if k in Export.__dataclass_fields__})
        if "bindings" in remote:
            out.bindings = _client_bindings(remote["bindings"].compute())
        if "lives" in remote:
            out.lives = _client_lives(remote["lives"].compute())
        return out

    @staticmethod
    def remote_roles(export: Export) -> bool:
        """Whether the LIVE sessions read on the workers carry roles from the source."""
        lives = getattr(export, "remote", {}).get("lives")
        return lives is not None and "account_type" in lives.columns and int(
            lives["account_type"].count().compute()) > 0


    def headroom(self, export: Export, codes, params: dict, as_of: int) -> list:
        """lint.checks.headroom_of, counted where the bindings are: every headroom item is one
        store's, and a store's bindings all lie in one partition of the remote bindings, so each
        partition counts its stores on its worker and only the items come back (fetching every
        binding to the client took more memory than the client's whole run otherwise). Stores
        of the stores table with no binding are counted here, with no bindings. The same items
        in the same order as headroom_of over all the tables: sorted by lint.core.headroom's
        sort_key, a stable sort, and a store's items are made in the same order in its partition
        (the same rules in turn, its bindings in the canonical order)."""
        from lint.checks import headroom_of
        from lint.core.headroom import sort_key
        remote = getattr(export, "remote", {})
        if "bindings" not in remote:
            return headroom_of(export, codes, params, as_of)
        import dask
        parts = remote["bindings"].to_delayed()
        items = [x for part in dask.compute(*[dask.delayed(_partition_headroom)(p, codes, params, as_of)
                                              for p in parts]) for x in part]
        if export.stores is not None:
            bound = set(export.remote_pairs["store_id"].tolist()) if export.remote_pairs is not None else set()
            unbound = export.stores[~export.stores["store_id"].isin(bound)]
            if len(unbound):
                empty = remote["bindings"]._meta.drop(columns=[c for c in (KEY, HASH, POS)
                                                               if c in remote["bindings"]._meta.columns])
                items += headroom_of(Export(bindings=empty, stores=unbound), codes, params, as_of)
        return sorted(items, key=sort_key)


def _metadata(path):
    """The Parquet file with its footer read, or None when it cannot be read (the client then
    reads the file and reports why, exactly as the default engine)."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    try:
        return pq.ParquetFile(path)
    except (pa.ArrowException, OSError, ValueError):
        return None


def _file_sizes(paths: list[str]) -> list[int | None]:
    """Run on each worker: the size of each file (a path or an fsspec URL), None if it cannot
    be seen from there (no such file, no package for the storage, no credentials...)."""
    out = []
    for p in paths:
        try:
            if is_url(p):
                import fsspec
                fs, inner = fsspec.core.url_to_fs(p)
                out.append(int(fs.size(inner)))
            else:
                out.append(os.path.getsize(p) if os.path.isfile(p) else None)
        except Exception:  # noqa: BLE001 - whatever the storage raises, the answer is "not from here"
            out.append(None)
    return out


def _parquet_slice(location: str, row_groups: list[int]):
    """Read some row groups of a Parquet file given by path or fsspec URL."""
    import pyarrow.parquet as pq
    if not is_url(location):
        return pq.ParquetFile(location).read_row_groups(row_groups)
    import fsspec
    fs, inner = fsspec.core.url_to_fs(location)
    with fs.open(inner, "rb") as fh:  # ranged reads: the footer, then these row groups' pages
        return pq.ParquetFile(fh).read_row_groups(row_groups)


def _merge_capped(problems: Problems, per_slice: list[list[InputProblem]], counts: list[dict]):
    """Each slice's flagged rows (its first MAX_PER_COLUMN per column and message, and the
    count) -> the file's, as validate reports a whole file: the first rows in row order, then
    one line for the rest, under the column's canonical name."""
    by_flag: dict[tuple, list[InputProblem]] = {}
    totals: dict[tuple, int] = {}
    canonical: dict[tuple, str] = {}
    for items, count in zip(per_slice, counts):
        for p in items:
            by_flag.setdefault((p.column, p.message, p.level), []).append(p)
        for flag, (n, name) in count.items():
            totals[flag] = totals.get(flag, 0) + n
            canonical[flag] = name
    for flag, items in by_flag.items():
        items.sort(key=lambda p: p.row)
        problems.items.extend(items[:MAX_PER_COLUMN])
        extra = totals[flag] - MAX_PER_COLUMN
        if extra > 0:
            problems.add(items[0].file, None, canonical[flag], more_rows_message(extra), level=flag[2])


# --- the workers' side ---------------------------------------------------------------------------

_IDS_META = pd.DataFrame({"id": pd.Series([], dtype="str"), "row": pd.Series([], dtype=np.int64),
                          "kept": pd.Series([], dtype=bool), HASH: pd.Series([], dtype=np.int64)})
_DUPS_META = pd.DataFrame({"row": pd.Series([], dtype=np.int64), "id": pd.Series([], dtype="str"),
                           "first": pd.Series([], dtype=np.int64)})


def _read_slice(location: str, row_groups: list[int], first_row: int, schema_key: str, display: str, zone: str,
                zones: dict, order: str = "dmy") -> dict:
    """Read and validate some row groups of a Parquet table file. -> {"frame": kept rows,
    "ids": (id, row, kept, HASH) of every row with an id, "problems": the first
    MAX_PER_COLUMN flagged rows per (column, message, level), "counts": {that key: (count,
    canonical column)}, "fatal": why the file cannot be used, or None}."""
    import pyarrow as pa
    schema = SCHEMAS[schema_key]
    try:
        table = _parquet_slice(location, row_groups)
        raw = parquet_raw(table, first_row)
    except UnreadableFile as e:
        return {"fatal": str(e), "problems": [], "counts": {}, "frame": None, "ids": _IDS_META}
    except (pa.ArrowException, OSError) as e:
        return {"fatal": f"is not a readable Parquet file ({short_reason(e)})", "problems": [], "counts": {},
                "frame": None, "ids": _IDS_META}
    found = Problems()
    with date_order(order):  # the client's --date-order
        v = validate(schema, raw, display, found, zone, zones, slice_of_file=True)
    if v is None:  # the columns were checked on the client; a file changed since then
        return {"fatal": "changed while it was read", "problems": [], "counts": {}, "frame": None, "ids": _IDS_META}
    mapping, _ = resolve_columns(schema, raw)
    canonical = {raw.original_names.get(mapping[c], c): c for c in mapping}
    by_flag: dict[tuple, list[InputProblem]] = {}
    for p in found.items:
        by_flag.setdefault((p.column, p.message, p.level), []).append(p)
    problems, counts = [], {}
    for flag, items in by_flag.items():
        problems.extend(items[:MAX_PER_COLUMN])  # in row order already
        counts[flag] = (len(items), canonical.get(flag[0], flag[0]))
    unique = next(c.name for c in schema.columns if c.unique)
    ids = pd.Series(pd.array(_one_value_each(raw.columns[mapping[unique]]), dtype="str"))
    present = ids.notna().to_numpy()
    kept = np.isin(raw.rows, v.frame["_row"].to_numpy())
    id_rows = pd.DataFrame({"id": ids[present].reset_index(drop=True), "row": raw.rows[present],
                            "kept": kept[present]})
    id_rows[HASH] = key_hash(id_rows["id"].to_numpy(dtype=object))
    return {"frame": v.frame, "ids": id_rows, "problems": problems, "counts": counts, "fatal": None}


def _duplicates(part: pd.DataFrame) -> pd.DataFrame:
    """All rows of some ids (from every slice): the kept rows whose id came earlier in the
    file, with that first row (lint.ingest.schema.duplicate_rows, as validate uses it)."""
    if part.empty:
        return _DUPS_META
    part = part.sort_values("row", kind="stable", ignore_index=True)
    repeated, first = duplicate_rows(part["id"], part["row"].to_numpy())
    repeated &= part["kept"].to_numpy()
    return pd.DataFrame({"row": part["row"].to_numpy()[repeated], "id": part["id"][repeated].reset_index(drop=True),
                         "first": first[repeated]})


def _all_duplicates(*parts: pd.DataFrame) -> pd.DataFrame:
    """The duplicates found in every id partition, in row order (few: they come to the client)."""
    return pd.concat([_DUPS_META, *parts], ignore_index=True).sort_values("row", kind="stable", ignore_index=True)


def _kept(result: dict, duplicates: pd.DataFrame, schema_key: str) -> pd.DataFrame:
    """A slice's kept rows without the file's duplicate ids."""
    frame = result["frame"]
    if frame is None:  # the file cannot be used (the client stops at its fatal problem)
        return _frame_meta(schema_key)
    if len(duplicates):
        frame = frame[~np.isin(frame["_row"].to_numpy(), duplicates["row"].to_numpy())].reset_index(drop=True)
    return frame


def _frame_meta(schema_key: str) -> pd.DataFrame:
    """The validated frame with no rows (its columns and dtypes)."""
    import pyarrow as pa
    schema = SCHEMAS[schema_key]
    table = pa.table({c.name: pa.array([], pa.string()) for c in schema.columns})
    return validate(schema, parquet_raw(table), "", Problems(), "UTC", slice_of_file=True).frame


def _as_lives(frame: pd.DataFrame) -> pd.DataFrame:
    """Validated live_sessions -> the canonical lives table (lint.ingest.load_export renames),
    POS = the row number: file order is the table's order."""
    return frame.rename(columns={"started_at": "start", "ended_at": "end"}).assign(
        **{POS: frame["_row"].to_numpy(dtype=np.int64)})


def _by_store(frame: pd.DataFrame) -> pd.DataFrame:
    key = frame["store_id"]
    return frame.assign(**{KEY: key.to_numpy(), HASH: key_hash(key)})


def _pair(events: pd.DataFrame, schema_key: str, display: str, part: int):
    """The binding rows of some stores (every row of each store), partition `part` -> (bindings
    in canonical order with KEY, HASH and POS; the pairing problems; their count; their
    (account_id, store_id) pairs), as lint.ingest.bindings. POS is unique over the partitions (the
    account pass dedupes on it) and increasing within one (the store pass orders by it)."""
    found = Problems()
    events = events.sort_values("_row", kind="stable", ignore_index=True).drop(columns=[KEY, HASH])
    to_bindings = events_to_bindings if schema_key == "bindings.events" else intervals_to_bindings
    bindings = to_bindings(events, display, found)
    bindings = bindings.assign(**{KEY: bindings["store_id"].to_numpy(), HASH: key_hash(bindings["store_id"]),
                                  POS: (part << 40) + np.arange(len(bindings), dtype=np.int64)})
    return bindings, found.items, len(bindings), account_stores(bindings)


def _client_bindings(b: pd.DataFrame) -> pd.DataFrame:
    """Rows of the remote bindings as the in-process reader gives the table: without the
    partitioning columns, in the report's order."""
    b = b.drop(columns=[c for c in (KEY, HASH, POS) if c in b.columns])
    return b.sort_values(["store_id", "start", "bind_id"], kind="stable", ignore_index=True)


def _client_lives(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows of the remote LIVE sessions as the in-process reader gives the table (file order)."""
    return rows.drop(columns=[c for c in (KEY, HASH, POS) if c in rows.columns]).sort_values(
        "_row", kind="stable", ignore_index=True)


def _partition_headroom(b: pd.DataFrame, codes, params: dict, as_of: int) -> list:
    """The headroom items of the stores of one partition of the remote bindings."""
    from lint.checks import headroom_of
    if b.empty:
        return []
    return headroom_of(Export(bindings=_client_bindings(b)), codes, params, as_of)


def _visual_bindings(b: pd.DataFrame, subjects: list, pairs: list) -> pd.DataFrame:
    named = b["bind_id"].isin(subjects).to_numpy() | b["unbind_id"].isin(subjects).fillna(False).to_numpy()
    keys = pd.MultiIndex.from_arrays([b["store_id"], b["account_id"]])
    mine = keys.isin(pairs) if pairs else np.zeros(len(b), dtype=bool)
    return b[named | mine]
