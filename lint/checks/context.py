"""What a check sees: the canonical tables, the run's instant, and derived tables shared by
several checks (computed once, on first use)."""
from __future__ import annotations

from functools import cached_property

import numpy as np
import pandas as pd

from lint.core.intervals import overlap_join
from lint.core.model import NO_TIME, Export


class Context:
    def __init__(self, export: Export, as_of: int):
        self.export = export
        self.as_of = as_of

    def close_open(self, start: np.ndarray, end: np.ndarray) -> np.ndarray:
        """Ends of intervals still open (a binding still bound, a LIVE still live) are the
        run's --as-of; one that opened after --as-of is empty."""
        return np.where(end == NO_TIME, np.maximum(start, self.as_of), end)

    @cached_property
    def bindings(self) -> pd.DataFrame:
        """Bindings with `until`: the end of the binding, or --as-of while still bound."""
        b = self.export.bindings.copy()
        b["until"] = self.close_open(b["start"].to_numpy(), b["end"].to_numpy())
        return b

    @cached_property
    def store_ids(self) -> list[str]:
        """Every store of the stores table and of the bindings, sorted."""
        ids = set(self.export.bindings["store_id"].unique().tolist()) if self.export.bindings is not None else set()
        if self.export.stores is not None:
            ids |= set(self.export.stores["store_id"].unique().tolist())
        return sorted(ids)

    @cached_property
    def bound_now(self) -> pd.DataFrame:
        """The bindings in force at --as-of."""
        return self.in_force(self.as_of)

    def in_force(self, at: int) -> pd.DataFrame:
        """The bindings in force at instant `at`: start <= at < end (or still bound)."""
        b = self.export.bindings
        end = b["end"].to_numpy()
        return b[(b["start"].to_numpy() <= at) & ((end == NO_TIME) | (end > at))]

    def unbinds_until(self, account_type: str, at: int, columns: tuple[str, ...] | None = None) -> pd.DataFrame:
        """The unbinds of `account_type` bindings at or before `at` (only `columns`, when given:
        the other columns' rows are not taken)."""
        b = self.export.bindings
        end = b["end"].to_numpy()
        keep = (b["account_type"] == account_type).to_numpy() & (end != NO_TIME) & (end <= at)
        return (b if columns is None else b[list(columns)])[keep]

    @cached_property
    def live_roles(self) -> pd.DataFrame:
        """One row per (LIVE session, binding in force at its start): the session's role.

        Columns: the session's columns (start, until...), and store_id, account_type,
        bind_id of the binding. An account bound to several stores yields a row for each.
        """
        return self.roles_at(self.export.lives, "start")

    def roles_at(self, items: pd.DataFrame, time_column: str) -> pd.DataFrame:
        """Join items (with account_id and an instant) to the bindings in force then:
        binding.start <= t < binding.until (half-open)."""
        b = self.bindings
        if items is None or items.empty or b.empty:
            cols = list(items.columns) if items is not None else []
            return pd.DataFrame(columns=cols + ["store_id", "account_type", "bind_id"])
        codes, uniques = pd.factorize(pd.concat([items["account_id"], b["account_id"]], ignore_index=True))
        item_acc, bind_acc = codes[: len(items)], codes[len(items):]
        t = items[time_column].to_numpy()
        li, rj = overlap_join(item_acc, t, t + 1, bind_acc, b["start"].to_numpy(), b["until"].to_numpy())
        joined = items.iloc[li].reset_index(drop=True)
        for c in ("store_id", "account_type", "bind_id"):
            joined[c] = _at(b[c], rj)
        return joined


def _at(column: pd.Series, rows: np.ndarray):
    """column.to_numpy()[rows], as the column it would be assigned to: a text column ("str",
    Arrow) is taken as Arrow (not a million Python strings to infer "str" from again)."""
    if column.dtype == "str" and len(rows):  # (no rows: object dtype, as before)
        return column.array.take(rows)
    return column.to_numpy()[rows]


def take(frame: pd.DataFrame, rows: np.ndarray, *columns: str) -> list[list]:
    """Values of `columns` at positions `rows`, each as a Python list (ids stay str, times
    int): how checks build many findings without per-row pandas access."""
    out = []
    for c in columns:
        column = frame[c]
        if column.dtype.kind in "iuf":
            out.append(column.to_numpy()[rows].tolist())
        else:
            out.append(column.take(rows).to_numpy(dtype=object).tolist())
    return out
