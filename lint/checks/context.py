"""What a check sees: the canonical tables, the run's instant, and derived tables shared by
several checks (computed once, on first use)."""
from __future__ import annotations

from functools import cached_property

import numpy as np
import pandas as pd

from lint.core.intervals import overlap_join
from lint.core.model import NO_TIME, ROLE_COLUMNS, Export, null_text


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
        binding.start <= t < binding.until (half-open). An item no binding speaks for (the
        bindings are absent, or silent for its account at that instant) takes its role from
        the source (`source_roles`), with `role_source` saying where it came from; bind_id
        is then empty."""
        cols = ["store_id", "account_type", "bind_id"]
        if items is None or items.empty:
            return pd.DataFrame(columns=(list(items.columns) if items is not None else []) + cols)
        # the item's own role columns (from the source) are not the binding's: left out of
        # the join, read only for the items no binding speaks for
        base = [j for j, c in enumerate(items.columns) if c not in ROLE_COLUMNS]
        b = self.bindings if self.export.bindings is not None else None
        if b is None or b.empty:
            li = np.zeros(0, dtype=np.int64)
            joined = items.iloc[:0, base].assign(store_id=pd.Series(dtype="str"), account_type=pd.Series(dtype="str"),
                                                 bind_id=pd.Series(dtype="str"))
        else:
            codes, uniques = pd.factorize(pd.concat([items["account_id"], b["account_id"]], ignore_index=True))
            item_acc, bind_acc = codes[: len(items)], codes[len(items):]
            t = items[time_column].to_numpy()
            li, rj = overlap_join(item_acc, t, t + 1, bind_acc, b["start"].to_numpy(), b["until"].to_numpy())
            joined = items.iloc[li, base].reset_index(drop=True)
            for c in cols:
                joined[c] = _at(b[c], rj)
        if self.source_roles.empty:
            return joined
        silent = np.ones(len(items), dtype=bool)
        silent[li] = False
        own = items.loc[silent].reset_index(drop=True).rename(
            columns={c: "_src_" + c for c in ROLE_COLUMNS if c in items.columns})
        from_source = self._source_role_rows(own)
        if not len(from_source):
            return joined
        from_source = from_source.drop(columns=[c for c in from_source.columns if c.startswith("_src_")])
        return pd.concat([joined.assign(role_source=null_text(len(joined))), from_source],
                         ignore_index=True)

    @cached_property
    def source_roles(self) -> pd.DataFrame:
        """Each (store, account, role) the source states for the shop's own accounts (the
        Partner API's account_type filter, a creator's author_type, an account_type column
        of live_sessions or videos), with where it came from: store_id, account_id,
        account_type, role_source. A row without a store belongs to the export's one store
        (the stores table's only store, else the only store the source names)."""
        parts = []
        for frame in (self.export.lives, self.export.videos):
            if frame is not None and "account_type" in frame.columns:
                has = frame["account_type"].notna().to_numpy()
                if has.any():
                    parts.append(frame.loc[has, ["store_id", "account_id", "account_type", "role_source"]])
        if not parts:
            return pd.DataFrame(columns=["store_id", "account_id", "account_type", "role_source"])
        roles = pd.concat(parts, ignore_index=True)
        roles["store_id"], roles["role_source"] = self._placed(roles["store_id"], roles["role_source"])
        roles = roles.dropna(subset=["store_id"])
        return (roles.sort_values(["store_id", "account_id", "account_type", "role_source"], kind="stable")
                .drop_duplicates(["store_id", "account_id", "account_type"]).reset_index(drop=True))

    @cached_property
    def default_store(self) -> str | None:
        """The store of role rows that name none (lint.core.model.Export.one_store)."""
        return self.export.one_store()

    def _placed(self, store: pd.Series, source: pd.Series) -> tuple[pd.Series, pd.Series]:
        """A role row's store (the export's one store when it names none) and where its role
        came from (the column itself when nothing says more)."""
        if self.default_store is not None:
            store = store.fillna(self.default_store)
        return store, source.fillna("the account_type column of the export")

    def _source_role_rows(self, items: pd.DataFrame) -> pd.DataFrame:
        """Items without a binding -> one row per role the source gives them: the item's own
        role when it carries one, else each role the source states for its account."""
        own_type = items["_src_account_type"] if "_src_account_type" in items.columns else None
        has_own = own_type.notna().to_numpy() if own_type is not None else np.zeros(len(items), bool)
        parts = []
        if has_own.any():
            mine = items.loc[has_own].reset_index(drop=True)
            store, source = self._placed(mine["_src_store_id"], mine["_src_role_source"])
            mine = mine.assign(store_id=store, account_type=mine["_src_account_type"], role_source=source)
            parts.append(mine.dropna(subset=["store_id"]))
        rest = items.loc[~has_own].reset_index(drop=True)
        if len(rest):
            by_account = rest.merge(self.source_roles, on="account_id", how="inner", sort=False)
            parts.append(by_account)
        if not parts:
            return items.iloc[:0]
        out = pd.concat(parts, ignore_index=True)
        out["bind_id"] = null_text(len(out))
        return out


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


def role_sources(official: pd.DataFrame, marketing: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Per role row of each side: where its role came from when the source gave it (None
    when a binding did)."""
    def of(frame):
        if "role_source" not in frame.columns:
            return np.full(len(frame), None, dtype=object)
        return frame["role_source"].to_numpy(dtype=object, na_value=None)
    return of(official), of(marketing)


def add_role_sources(evidence: dict, official: str | None, marketing: str | None) -> None:
    """Say in a pair finding's evidence where a role came from when no binding gave it."""
    if official is not None:
        evidence["official_role_source"] = official
    if marketing is not None:
        evidence["marketing_role_source"] = marketing
