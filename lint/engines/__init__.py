"""Engines: where the tables are read and the checks run. The pipeline (lint.pipeline) calls
one through this interface and never asks which it is.

    with open_engine(options) as engine:
        export = engine.read(source, zone, problems, media=..., account_id=..., on_table=...)
        result = engine.check(export, policy, codes, as_of, zone, problems, params=..., severities=...,
                              on_rule=...)
        shown = engine.visual_tables(export, result.findings)   # rows the pictures need

`local` runs everything in this process (lint.engines.local); `dask` reads big Parquet
tables on the workers and runs the checks split by store (lint.engines.dask).
"""
from __future__ import annotations

import dataclasses
import importlib.util
from typing import Protocol

from lint.core.model import Export, InputProblem, Problems
from lint.core.policy import Policy
from lint.core.result import Result


class Engine(Protocol):
    """What the pipeline needs of an engine (a context manager: a cluster lives as long)."""

    def __enter__(self) -> Engine: ...
    def __exit__(self, *exc) -> None: ...

    def read(self, source, zone: str, problems: Problems, *, media=None, account_id: str | None = None,
             on_table=None) -> Export:
        """Read and validate the export's tables (lint.ingest.load_export's contract)."""

    def check(self, export: Export, policy: Policy, codes: list[str], as_of: int, zone: str,
              problems: list[InputProblem], *, params=None, severities=None, on_rule=None) -> Result:
        """Run the planned checks (lint.engines.local.run's contract)."""

    def visual_tables(self, export: Export, findings) -> Export:
        """The tables lint.reports.visuals looks rows up in."""

    def headroom(self, export: Export, codes, params: dict, as_of: int) -> list:
        """lint.checks.headroom_of's items: what each store may still do."""


class LocalEngine:
    """Everything in this process."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return None

    def read(self, source, zone, problems, *, media=None, account_id=None, on_table=None) -> Export:
        """lint.ingest.load_export."""
        from lint.ingest import load_export
        return load_export(source, zone, problems, media=media, account_id=account_id, on_table=on_table)

    def check(self, export, policy, codes, as_of, zone, problems, *, params=None, severities=None,
              on_rule=None) -> Result:
        """lint.engines.local.run."""
        from lint.engines.local import run
        return run(export, policy, codes, as_of, zone, problems, params=params, severities=severities,
                   on_rule=on_rule)

    def visual_tables(self, export, findings) -> Export:
        """The tables as read: they are all here."""
        return export

    def headroom(self, export, codes, params, as_of) -> list:
        """lint.checks.headroom_of on the tables as read."""
        from lint.checks import headroom_of
        return headroom_of(export, codes, params, as_of)


class DaskEngine:
    """Parquet bindings and LIVE sessions read on the workers; checks split by store
    (lint.engines.dask.session.DaskSession keeps one cluster from reading to the checks)."""

    def __init__(self, scheduler=None, workers: int = 2):
        from lint.engines.dask.session import DaskSession
        self.session = DaskSession(scheduler, n_workers=workers)

    def __enter__(self):
        self.session.__enter__()
        return self

    def __exit__(self, *exc):
        self.session.__exit__(*exc)

    def read(self, source, zone, problems, *, media=None, account_id=None, on_table=None) -> Export:
        """lint.ingest.load_export, with the big Parquet tables left on the workers and the
        video files fingerprinted there (the cache stays on the client)."""
        if media is not None:
            media = dataclasses.replace(media, video_mapper=self.session.map_on_workers)
        return self.session.load_export(source, zone, problems, media=media, account_id=account_id,
                                        on_table=on_table)

    def check(self, export, policy, codes, as_of, zone, problems, *, params=None, severities=None,
              on_rule=None) -> Result:
        """The store pass and the account pass on the cluster. Roles from the source (no
        binding ledger to partition by) are judged in this process: such exports are a
        seller's own, small tables (lint.checks.context.roles_at)."""
        if export.has_source_roles() or self.session.remote_roles(export):
            from lint.engines.local import run
            return run(self.session.local_export(export), policy, codes, as_of, zone, problems, params=params,
                       severities=severities, on_rule=on_rule)
        return self.session.run(export, policy, codes, as_of, zone, problems, params=params, severities=severities)

    def visual_tables(self, export, findings) -> Export:
        """The rows the pictures need, fetched from the workers."""
        return self.session.visual_export(export, findings)

    def headroom(self, export, codes, params, as_of) -> list:
        """Counted on the workers, store partition by store partition; only the items come back."""
        return self.session.headroom(export, codes, params, as_of)


ENGINES = ("local", "dask")


def missing_packages(engine: str) -> list[str]:
    """The packages `engine` needs that are not installed."""
    needs = {"local": (), "dask": ("dask", "distributed")}[engine]
    return [m for m in needs if importlib.util.find_spec(m) is None]


def open_engine(engine: str = "local", scheduler=None, workers: int = 2) -> Engine:
    """The engine named `engine` (ENGINES), not yet entered."""
    if engine == "dask":
        return DaskEngine(scheduler, workers)
    if engine == "local":
        return LocalEngine()
    raise ValueError(f"unknown engine {engine!r} (known: {', '.join(ENGINES)})")
