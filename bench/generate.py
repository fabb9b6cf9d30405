"""Synthetic TikTok Shop export for the scale benchmark: realistic shape, mostly valid, every
binding rule and LIVE001 (and DUP001, when videos are asked for) violated at low rates.

    python bench/generate.py OUT --stores 10000 --accounts 60000 --binding-events 1000000 \
        --live-sessions 200000 --videos 0 [--big-store 50000x200000] [--seed 1] [--format csv]

Seeded and deterministic (same arguments, same bytes), numpy-vectorised (a million binding
events in a few seconds). Counts are targets, met within a few percent.

What it writes (schema: shared/spec/schema.md; every timestamp ISO 8601 with +07:00, WIB):
  stores.csv         store_id, name, region (mostly ID, a few MY/SG/TH/VN/PH, a few empty)
  accounts.csv       account_id, handle, region (an Official account's region is its store's,
                     except a few planted mismatches; a few empty)
  bindings.csv       event form: event_id, store_id, account_id, account_type, action, at.
                     Per store: one Official account (sometimes replaced: 0-3 unbinds) and up
                     to 4 Marketing "slots", each a sequence of bind..unbind cycles of the
                     store's marketing accounts, so binds and unbinds alternate per (store,
                     account, type) and a store never has more than 4 marketing bound at once.
  live_sessions.csv  live_id, account_id, started_at, ended_at (empty for a few sessions still
                     live on the last evening), title, product_ids (a|b), stream_source
  videos.csv         video_id, account_id, posted_at, caption, duration_s, thumbnail_phash
                     (16 hex digits), music_id, product_ids (only with --videos or --big-store)

Planted violations (rates are per store unless said):
  BIND001  0.4 %: a store's Official account also bound as Marketing (its own store or another)
  BIND002  0.3 %: a second Official bound while the first is (plus touching replacements: no finding)
  BIND003  0.3 %: a 5th Marketing account bound for a few days
  BIND004  0.3 % of Marketing bindings held 1-47 h, and boundary holds of 48 h - 1 ms (finding)
           and exactly 48 h (no finding)
  BIND005  0.3 %: 4-6 Official unbinds (and 4 % with exactly 3: no finding)
  BIND006  0.3 %: a burst of short Marketing bindings (more than 10 unbinds in 180 days)
  BIND007  0.5 % of Official accounts with another region than their store
  LIVE001  0.8 % of sessions: mirrored pairs (same title, products, stream source) on the Official
           and a Marketing account of a store, incl. overlaps of exactly 60 s and 60.001 s
           (findings), 59 s, 59.999 s and touching (none); plus chance overlaps at prime time
  DUP001   2 % of videos: re-uploads from Official to Marketing of the same store (thumbnail hash
           with 0-8 bits flipped, caption edited, duration within 0.5 s); with --big-store,
           0.5 % of that store's Official videos re-uploaded on its Marketing account
  Input errors: per 20,000 events an unbind with nothing open and a bind while bound; per
  50,000 an unparseable timestamp.
Some accounts are bound to two stores (Marketing), some accounts have no binding at all.

Time span: LIVE sessions and videos fall in 2024-2025; binding history starts at
`history_start` (default 2020-01-01), as a full export of a shop's bindings does. The
default size makes this necessary: 1,000,000 events over 10,000 stores is ~100 events, i.e.
~48 marketing unbinds, per store. Squeezed into 2024-2025 that is ~12 marketing unbinds per
store in every 180 days, so BIND006 (more than 10 in 180 days) would fire on most unbinds of
most stores (measured: 36,560 findings for 1,000 stores) instead of a few planted ones.
From 2020 it is ~4-6 per 180 days. history_start="2024-01-01" gives the squeezed version.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

MS_S, MS_MIN, MS_H, MS_D = 1_000, 60_000, 3_600_000, 86_400_000
OFFSET = 7 * MS_H  # +07:00 (WIB, no daylight saving)


def _ms(iso: str) -> int:
    """'2024-01-01' (WIB midnight) -> UTC ms."""
    return int(np.datetime64(iso, "ms").astype(np.int64)) - OFFSET


AS_OF = _ms("2026-01-01")
ACTIVITY_START = _ms("2024-01-01")  # LIVE sessions and videos
OTHER_REGIONS = np.array(["MY", "SG", "TH", "VN", "PH"])

TITLES = np.array(["Flash sale 12.12 🔥", "Promo Gajian, diskon 50%", "Unboxing baru!",
                   "Live shopping malam ini",
                   "Gratis ongkir se-Indonesia", "Haul skincare murah", "Spesial Ramadan 🌙",
                   "Tanya jawab produk", "Diskon \"kilat\" jam 8", "Review jujur, cek sini", "Restock! ✨",
                   "Payday sale", "Obral akhir tahun", "Bundling hemat"])
CAPTIONS = np.array(["Diskon 50%, gratis ongkir", "Flash sale 12.12 🔥", "OOTD hari ini #ootd #fyp",
                     "Cara pakai serum yang benar", "Unboxing paket dari kalian 📦", "Racun TikTok #racuntiktok",
                     "Promo gajian, cek keranjang kuning", "Review jujur setelah 2 minggu",
                     "Tutorial makeup 5 menit", "Restock warna favorit kalian", "Haul belanja bulan ini",
                     "Tips hemat belanja online"])
NAMES = np.array(["Berkah", "Jaya", "Makmur", "Sentosa", "Abadi", "Cahaya", "Mandiri", "Sejahtera", "Indah",
                  "Lestari", "Murni", "Sumber Rejeki"])


# --- helpers ---------------------------------------------------------------------------

def _ids(prefix: str, n: int, width: int, mult: int, add: int = 0) -> np.ndarray:
    """n distinct numeric-looking ids: prefix + zero-padded (i * mult + add) mod 10^width."""
    nums = (np.arange(n, dtype=np.int64) * mult + add) % (10 ** width)
    return np.char.add(prefix, np.char.zfill(nums.astype(str), width)).astype(object)


def _s(ms) -> np.ndarray:
    """Float milliseconds -> int64 milliseconds, truncated to whole seconds."""
    return np.asarray(ms).astype(np.int64) // MS_S * MS_S


def _seq_ids(prefix: str, n: int, width: int) -> np.ndarray:
    return np.char.add(prefix, np.char.zfill(np.arange(1, n + 1).astype(str), width)).astype(object)


def iso(ms: np.ndarray) -> np.ndarray:
    """UTC ms -> 'YYYY-MM-DDTHH:MM:SS[.fff]+07:00' (milliseconds only when not zero)."""
    ms = np.asarray(ms, dtype=np.int64)
    local = (ms + OFFSET).astype("datetime64[ms]")
    out = np.datetime_as_string(local, unit="s").astype("<U23")
    frac = ms % 1000 != 0
    if frac.any():
        out[frac] = np.datetime_as_string(local[frac], unit="ms")
    return np.char.add(out, "+07:00").astype(object)


def _lists(rng, n: int, max_items: int, prefix: str, pool: int) -> np.ndarray:
    """n '|'-separated id lists of 0..max_items items."""
    k = rng.integers(0, max_items + 1, n)
    items = rng.integers(0, pool, (n, max_items))
    strs = np.char.add(prefix, np.char.zfill(items.astype(str), 6))
    out = np.full(n, "", dtype=object)
    for j in range(1, max_items + 1):
        sel = k == j
        if sel.any():
            joined = strs[sel, 0].astype(object)
            for c in range(1, j):
                joined = joined + "|" + strs[sel, c].astype(object)
            out[sel] = joined
    return out


def _flip_bits(rng, hashes: np.ndarray, max_bits: int = 8) -> np.ndarray:
    """Flip 0..max_bits distinct random bits of each 64-bit hash."""
    n = len(hashes)
    k = rng.integers(0, max_bits + 1, n)
    positions = np.argsort(rng.random((n, 64)), axis=1)[:, :max_bits].astype(np.uint64)
    bits = np.left_shift(np.uint64(1), positions)
    bits[np.arange(max_bits)[None, :] >= k[:, None]] = 0
    return hashes ^ np.bitwise_or.reduce(bits, axis=1)


def _hex(h: np.ndarray) -> np.ndarray:
    return np.array([f"{int(v):016x}" for v in h], dtype=object)


def _in_force(store_q, t_q, store_b, start_b, until_b) -> np.ndarray:
    """For each query (store, t): index of a binding (store_b, [start_b, until_b)) in force, or -1.
    Bindings of one store must not overlap each other (true for one Official slot)."""
    order = np.lexsort((start_b, store_b))
    sb, st, su = store_b[order], start_b[order], until_b[order]
    span = int(AS_OF - _ms("2015-01-01") + 400 * MS_D)
    base = _ms("2015-01-01")
    key = sb.astype(np.int64) * span + (st - base)
    pos = np.searchsorted(key, store_q.astype(np.int64) * span + (t_q - base), side="right") - 1
    ok = pos >= 0
    pos_c = np.maximum(pos, 0)
    ok &= (sb[pos_c] == store_q) & (st[pos_c] <= t_q) & (t_q < su[pos_c])
    return np.where(ok, order[pos_c], -1)


def _write(out: Path, name: str, columns: dict, fmt: str):
    arrays = {}
    for k, v in columns.items():
        if fmt == "parquet" and k == "product_ids":
            arrays[k] = pa.array([s.split("|") if s else [] for s in v], type=pa.list_(pa.string()))
            continue
        v = np.asarray(v, dtype=object)
        arrays[k] = pa.array(np.where(v == "", None, v), type=pa.string())
    if fmt == "parquet":
        import pyarrow.parquet as pq
        pq.write_table(pa.table(arrays), out / f"{name}.parquet")
        return
    if fmt != "csv":
        raise ValueError(f"unsupported format {fmt!r} (csv or parquet)")
    # CSV as spreadsheets and exports write it: quotes only around values that need them
    cells = []
    for arr in arrays.values():
        arr = pc.fill_null(arr, "")
        quoted = pc.binary_join_element_wise('"', pc.replace_substring(arr, '"', '""'), '"', "")
        cells.append(pc.if_else(pc.match_substring_regex(arr, '[,"\r\n]'), quoted, arr))
    lines = pc.binary_join_element_wise(*cells, ",")
    with open(out / f"{name}.csv", "w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(arrays) + "\n")
        for i in range(0, len(lines), 1 << 18):
            chunk = lines.slice(i, 1 << 18).to_pylist()
            fh.write("\n".join(chunk) + "\n")


# --- the export ------------------------------------------------------------------------

def generate(out_dir, stores, accounts, binding_events, live_sessions, videos, seed, fmt="csv",
             big_store=None, history_start="2020-01-01") -> dict:
    """Write the export to out_dir; -> rows written per table."""
    rng = np.random.default_rng(seed)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    S, A = int(stores), int(accounts)
    hist0 = _ms(history_start)
    end_hist = AS_OF - MS_D  # no binding event on the last day

    # --- stores ------------------------------------------------------------------------
    store_ids = _ids("74", S, 8, 7919, 104729)
    r = rng.random(S)
    store_region = np.where(r < 0.972, "ID", OTHER_REGIONS[rng.integers(0, 5, S)]).astype(object)
    store_region[r > 0.995] = ""
    store_names = np.char.add(np.char.add("Toko ", NAMES[rng.integers(0, len(NAMES), S)]),
                              np.char.add(" ", np.arange(1, S + 1).astype(str))).astype(object)
    # onboarding: most stores from the start of the history, some joined later
    late = rng.random(S) < 0.15
    onboard = hist0 + _s(np.where(late, rng.uniform(0, 1, S) * (end_hist - 300 * MS_D - hist0),
                                  rng.uniform(0, 180, S) * MS_D))
    activity = np.clip(rng.lognormal(0, 0.2, S), 0.7, 1.4)
    if big_store:
        # one more store (index S): its Official and Marketing accounts bound since mid-2023, never unbound
        big_videos = tuple(int(x) for x in str(big_store).lower().split("x"))
        store_ids = np.append(store_ids, "7499999999")
        store_names = np.append(store_names, "Toko Raksasa")
        store_region = np.append(store_region, "ID")

    # account pool: handed out in order
    next_acc = 0

    def take(n):
        nonlocal next_acc
        idx = np.arange(next_acc, next_acc + n)
        next_acc += n
        return idx

    account_ids = _ids("69", A + 64, 17, 2_654_435_761, 7_900_000_000_001)
    bindings = []  # (store, account, type, start, end) arrays; end = -1 while bound

    def add(store, acc, typ, start, end):
        bindings.append((np.asarray(store, np.int64), np.asarray(acc, np.int64),
                         np.full(len(np.atleast_1d(store)), typ, dtype=np.int8),
                         np.asarray(start, np.int64), np.asarray(end, np.int64)))

    if big_store:
        big_acc = np.array([A + 62, A + 63])
        t = _ms("2023-06-01") + 10 * MS_H
        add([S], big_acc[:1], 0, [t], [-1])
        add([S], big_acc[1:], 1, [t], [-1])

    # --- Official: one account per store, sometimes replaced ----------------------------
    has_off = rng.random(S) < 0.96
    changes = rng.choice([0, 1, 2, 3], S, p=[0.72, 0.17, 0.07, 0.04])
    b005 = has_off & (rng.random(S) < 0.003)
    changes[b005] = rng.integers(4, 7, b005.sum())
    final_unbind = rng.random(S) < 0.02  # official gone at the end, not replaced
    M = 7
    u = np.sort(np.where(np.arange(M)[None, :] < changes[:, None], rng.random((S, M)), np.inf), axis=1)
    span = (end_hist - onboard)[:, None]
    change_at = _s(onboard[:, None] + np.nan_to_num(u, posinf=1.0) * span)
    # the next official is bound at the change (touching: no overlap) or up to 5 days later
    room = np.diff(np.concatenate([change_at, np.full((S, 1), end_hist)], axis=1), axis=1) // 2
    gap = _s(np.where(rng.random((S, M)) < 0.2, 0, rng.uniform(1, 120, (S, M)) * MS_H))
    gap = np.minimum(gap, np.concatenate([room, np.zeros((S, 1), np.int64)], axis=1)[:, :M])
    off_rows = []
    for k in range(M + 1):
        s = np.flatnonzero(has_off & (changes >= k))
        start = onboard[s] if k == 0 else change_at[s, k - 1] + gap[s, k - 1]
        last = changes[s] == k
        end = np.where(last, -1, change_at[s, min(k, M - 1)])
        fin = last & final_unbind[s]
        end[fin] = start[fin] + _s((end_hist - start[fin]) * rng.uniform(0.3, 0.9, fin.sum()))
        off_rows.append((s, start, end))
    off_store = np.concatenate([r[0] for r in off_rows])
    off_start = np.concatenate([r[1] for r in off_rows])
    off_end = np.concatenate([r[2] for r in off_rows])
    off_acc = take(len(off_store))
    add(off_store, off_acc, 0, off_start, off_end)
    first_off = {int(s): i for i, s in reversed(list(enumerate(off_store.tolist())))}
    first_off_idx = np.array([first_off.get(s, -1) for s in range(S)])

    # --- planted extra bindings ----------------------------------------------------------
    off_until = np.where(off_end < 0, AS_OF, off_end)
    with_off = np.flatnonzero(has_off)

    def pick(pool, rate):
        n = max(1, int(round(len(pool) * rate))) if len(pool) else 0
        return np.sort(rng.choice(pool, n, replace=False)) if n else np.empty(0, np.int64)

    # BIND002: a second official during the first one
    s2 = pick(with_off, 0.003)
    i0 = first_off_idx[s2]
    t = off_start[i0] + _s(rng.uniform(0.1, 0.8, len(s2)) * (off_until[i0] - off_start[i0]))
    s2_acc = take(len(s2))
    unlisted = s2_acc[rng.random(len(s2)) < 0.1]  # bound, but missing from accounts.csv
    add(s2, s2_acc, 0, t, np.minimum(t + _s(rng.uniform(3, 30, len(s2)) * MS_D), end_hist))
    # BIND001: the official account also bound as marketing (own store or another), overlapping
    s1 = pick(with_off, 0.004)
    i0 = first_off_idx[s1]
    t = off_start[i0] + _s(rng.uniform(0.1, 0.8, len(s1)) * (off_until[i0] - off_start[i0]))
    other = np.where(rng.random(len(s1)) < 0.4, s1, rng.integers(0, S, len(s1)))
    add(other, off_acc[i0], 1, t, np.minimum(t + _s(rng.uniform(3, 30, len(s1)) * MS_D), end_hist))

    # --- Marketing slots -------------------------------------------------------------------
    n_slots = rng.choice([0, 1, 2, 3, 4], S, p=[0.05, 0.08, 0.15, 0.25, 0.47])
    slot_store = np.repeat(np.arange(S), n_slots)
    NS = len(slot_store)
    # BIND003: a 5th marketing account for a few days
    s3 = pick(np.flatnonzero(n_slots == 4), 0.003 * S / max(1, (n_slots == 4).sum()))
    t = onboard[s3] + (rng.uniform(0.2, 0.9, len(s3)) * (end_hist - onboard[s3])).astype(np.int64)
    add(s3, take(len(s3)), 1, t, t + _s(rng.uniform(3, 20, len(s3)) * MS_D))

    # marketing accounts: what is left (2 % never bound); slots get 1 or 2, a few share one
    # with another store's slot (an account bound to two stores)
    n_mkt = int((A - next_acc) * 0.98)
    mkt_acc = take(n_mkt)
    two = np.zeros(NS, bool)
    two[rng.choice(NS, max(0, min(NS, n_mkt - NS)), replace=False)] = True
    n_acc = 1 + two
    first = np.concatenate([[0], np.cumsum(n_acc)[:-1]])
    slot_acc = np.full((NS, 3), -1, np.int64)
    slot_acc[:, 0] = mkt_acc[first % n_mkt]
    slot_acc[two, 1] = mkt_acc[(first[two] + 1) % n_mkt]
    # a few slots also cycle an account of another store's slot (bound to two stores)
    shared = np.flatnonzero(rng.random(NS) < 0.01)
    donor = rng.integers(0, NS, len(shared))
    ok = slot_store[donor] != slot_store[shared]
    shared, donor = shared[ok], donor[ok]
    # one borrower per (store, account): the same key in two slots would overlap itself
    _, first_use = np.unique(slot_store[shared] * (A + 64) + slot_acc[donor, 0], return_index=True)
    shared, donor = shared[np.sort(first_use)], donor[np.sort(first_use)]
    slot_acc[shared, n_acc[shared]] = slot_acc[donor, 0]
    n_acc[shared] += 1

    # cycles: bind, hold, unbind, gap, bind the next account of the slot...
    slot_start = onboard[slot_store] + _s(rng.uniform(0, 60, NS) * MS_D)
    act = activity[slot_store]
    official_events = int(sum(((e >= 0).sum() + len(e)) for _, _, _, _, e in bindings))
    target = max(binding_events - official_events - 40, NS)
    # events per slot ~ 2 * span / cycle_length: solve for the base cycle length
    base = 2 * float(((AS_OF - slot_start) * act).sum()) / target
    cycle_mean = base / act
    C = int(np.ceil(((AS_OF - slot_start) / (0.8 * cycle_mean)).max())) + 12
    cyc = _s(cycle_mean[:, None] * rng.uniform(0.8, 1.2, (NS, C)))
    hold = _s(cyc * rng.uniform(0.7, 0.95, (NS, C)))
    # BIND006: a burst of short bindings on every slot of a few stores
    churn = pick(np.flatnonzero(n_slots >= 3), 0.003 * S / max(1, (n_slots >= 3).sum()))
    rows = np.flatnonzero(np.isin(slot_store, churn))
    k0 = rng.integers(1, 6, len(churn))[np.searchsorted(churn, slot_store[rows])]
    for j in range(6):
        cyc[rows, k0 + j] = _s(rng.uniform(6, 12, len(rows)) * MS_D)
        hold[rows, k0 + j] = _s(rng.uniform(2.5, 5, len(rows)) * MS_D)
    # BIND004: early unbinds, and the 48 h boundaries
    r = rng.random((NS, C))
    hold = np.where(r < 0.003, _s(rng.uniform(1, 47.9, (NS, C)) * MS_H), hold)
    hold = np.where((r >= 0.003) & (r < 0.0033), 48 * MS_H, hold)
    hold = np.where((r >= 0.0033) & (r < 0.0035), 48 * MS_H - 1, hold)
    start = slot_start[:, None] + np.concatenate([np.zeros((NS, 1), np.int64), np.cumsum(cyc, axis=1)[:, :-1]],
                                                 axis=1)
    # a few timestamps with milliseconds
    start += np.where(rng.random((NS, C)) < 0.05, rng.integers(1, 1000, (NS, C)), 0)
    end = start + hold
    valid = start < end_hist
    closed = valid & (end < end_hist)
    acc = slot_acc[np.arange(NS)[:, None], np.arange(C)[None, :] % n_acc[:, None]]
    si, ci = np.nonzero(valid)
    add(slot_store[si], acc[si, ci], 1, start[si, ci], np.where(closed[si, ci], end[si, ci], -1))

    # --- all bindings -> events -------------------------------------------------------------
    b_store = np.concatenate([x[0] for x in bindings])
    b_acc = np.concatenate([x[1] for x in bindings])
    b_type = np.concatenate([x[2] for x in bindings])
    b_start = np.concatenate([x[3] for x in bindings])
    b_end = np.concatenate([x[4] for x in bindings])
    has_u = b_end >= 0
    ev_store = np.concatenate([b_store, b_store[has_u]])
    ev_acc = np.concatenate([b_acc, b_acc[has_u]])
    ev_type = np.concatenate([b_type, b_type[has_u]])
    ev_bind = np.concatenate([np.ones(len(b_store), bool), np.zeros(has_u.sum(), bool)])
    ev_at = np.concatenate([b_start, b_end[has_u]])

    # input errors: unbinds with nothing open, binds while open (marketing slot cycles only)
    n_err = max(2, binding_events // 20000)
    ok_u = closed.copy()
    ok_u[:, :-1] &= start[:, 1:] - end[:, :-1] > 2 * MS_H
    ok_u[:, -1] = False
    ei, ej = np.nonzero(ok_u)
    sel = rng.choice(len(ei), min(n_err, len(ei)), replace=False)
    ei, ej = ei[sel], ej[sel]
    extra_u = end[ei, ej] + _s(rng.uniform(1, 60, len(ei)) * MS_MIN)
    ok_b = closed & (hold >= 4 * MS_D)
    bi, bj = np.nonzero(ok_b)
    sel = rng.choice(len(bi), min(n_err, len(bi)), replace=False)
    bi, bj = bi[sel], bj[sel]
    extra_b = start[bi, bj] + _s(rng.uniform(1, 48, len(bi)) * MS_H)
    ev_store = np.concatenate([ev_store, slot_store[ei], slot_store[bi]])
    ev_acc = np.concatenate([ev_acc, acc[ei, ej], acc[bi, bj]])
    ev_type = np.concatenate([ev_type, np.ones(len(ei) + len(bi), np.int8)])
    ev_bind = np.concatenate([ev_bind, np.zeros(len(ei), bool), np.ones(len(bi), bool)])
    ev_at = np.concatenate([ev_at, extra_u, extra_b])

    order = np.argsort(ev_at, kind="stable")
    ev_store, ev_acc, ev_type, ev_bind, ev_at = (a[order] for a in (ev_store, ev_acc, ev_type, ev_bind, ev_at))
    n_ev = len(ev_at)
    at_text = iso(ev_at)
    # unparseable timestamps: a few rows (the row is then skipped, and its pair is an error)
    bad = rng.choice(n_ev, max(3, binding_events // 50000), replace=False)
    at_text[bad] = rng.choice(np.array(["2025-02-30T10:00:00+07:00", "2025-13-01T08:00:00+07:00", "kemarin",
                                        "31/12/2025 10:00"], dtype=object), len(bad))
    type_text = np.where(ev_type == 0, "official", "marketing").astype(object)
    action_text = np.where(ev_bind, "bind", "unbind").astype(object)
    # exports written by different tools: a few in other letter cases
    r = rng.random(n_ev)
    type_text[r < 0.02] = np.where(ev_type[r < 0.02] == 0, "Official", "MARKETING")
    action_text[r > 0.98] = np.where(ev_bind[r > 0.98], "BIND", "Unbind")
    _write(out, "bindings", {"event_id": _seq_ids("EV", n_ev, 8), "store_id": store_ids[ev_store],
                             "account_id": account_ids[ev_acc], "account_type": type_text,
                             "action": action_text, "at": at_text}, fmt)

    # --- accounts ------------------------------------------------------------------------------
    home = np.full(A + 64, -1, np.int64)
    home[b_acc[::-1]] = b_store[::-1]  # first binding's store
    home[off_acc] = off_store
    acc_region = np.where(home >= 0, store_region[np.maximum(home, 0)], "ID").astype(object)
    acc_region[acc_region == ""] = "ID"
    mism = np.zeros(A + 64, bool)
    mism[off_acc[rng.random(len(off_acc)) < 0.005]] = True
    acc_region[mism] = np.where(acc_region[mism] == "ID", OTHER_REGIONS[rng.integers(0, 5, mism.sum())], "ID")
    acc_region[rng.random(A + 64) < 0.01] = ""
    listed = np.arange(max(A, next_acc))
    if big_store:
        listed = np.concatenate([listed, big_acc])
    listed = listed[~np.isin(listed, unlisted)]
    _write(out, "accounts", {"account_id": account_ids[listed],
                             "handle": np.char.add("@akun.", (listed + 1).astype(str)).astype(object),
                             "region": acc_region[listed]}, fmt)
    _write(out, "stores", {"store_id": store_ids, "name": store_names, "region": store_region}, fmt)

    def posters(n):
        """Accounts that go LIVE or post: 35 % Official accounts, 60 % Marketing, 5 % any account
        (bound or not at that time: only the role then counts)."""
        who = rng.random(n)
        return np.where(who < 0.35, off_acc[rng.integers(0, len(off_acc), n)],
                        np.where(who < 0.95, slot_acc[rng.integers(0, NS, n), 0], rng.integers(0, A, n)))

    # --- LIVE sessions ------------------------------------------------------------------------
    mkt_b = np.flatnonzero(b_type == 1)
    m_until = np.where(b_end[mkt_b] < 0, AS_OF, b_end[mkt_b])
    in_window = mkt_b[(m_until - np.maximum(b_start[mkt_b], ACTIVITY_START)) > 4 * MS_D]
    n_pairs = int(live_sessions * 0.004)
    cand = rng.choice(in_window, min(len(in_window), n_pairs * 3), replace=False)
    lo = np.maximum(b_start[cand], ACTIVITY_START) + MS_D
    hi = np.where(b_end[cand] < 0, AS_OF, b_end[cand]) - 2 * MS_D
    day = lo + (rng.random(len(cand)) * (hi - lo)).astype(np.int64)
    day = day - (day + OFFSET) % MS_D  # local midnight
    t_o = day + (rng.uniform(18, 22, len(cand)) * MS_H).astype(np.int64) // MS_MIN * MS_MIN
    oi = _in_force(b_store[cand], t_o, off_store, off_start, off_until)
    keep = (oi >= 0) & (t_o > lo) & (t_o + 6 * MS_H < hi)
    cand, t_o, oi = cand[keep][:n_pairs], t_o[keep][:n_pairs], oi[keep][:n_pairs]
    P = len(cand)
    d_o = (rng.uniform(40, 180, P) * MS_MIN).astype(np.int64)
    t_m = t_o + _s(rng.uniform(0, 10, P) * MS_MIN)
    d_m = d_o + _s(rng.uniform(-10, 10, P) * MS_MIN)
    # boundary overlaps: the marketing LIVE starts X before the official one ends
    kind = rng.random(P)
    for lo_r, hi_r, overlap in ((0.00, 0.04, 60 * MS_S), (0.04, 0.08, 59 * MS_S), (0.08, 0.10, 59_999),
                                (0.10, 0.12, 60_001), (0.12, 0.14, 0)):
        sel = (kind >= lo_r) & (kind < hi_r)
        t_m[sel] = t_o[sel] + d_o[sel] - overlap
        d_m[sel] = (rng.uniform(30, 90, sel.sum()) * MS_MIN).astype(np.int64)
    t_m = np.minimum(t_m, t_o + 5 * MS_H)

    n_rand = live_sessions - 2 * P
    l_acc = posters(n_rand)
    days = (AS_OF - ACTIVITY_START) // MS_D
    day = ACTIVITY_START + rng.integers(0, days - 1, n_rand) * MS_D
    prime = rng.random(n_rand) < 0.6
    hour = np.where(prime, rng.uniform(18, 22.5, n_rand), rng.uniform(7, 23, n_rand))
    l_start = day + (hour * MS_H).astype(np.int64)
    l_start = np.where(rng.random(n_rand) < 0.9, l_start // MS_MIN * MS_MIN, l_start // MS_S * MS_S)
    l_start += np.where(rng.random(n_rand) < 0.03, rng.integers(1, 1000, n_rand), 0)
    l_dur = _s(np.clip(rng.lognormal(np.log(75), 0.5, n_rand), 3, 360) * MS_MIN)
    l_end = l_start + l_dur
    # a few still live on the last evening (no end: they last until --as-of)
    live_now = rng.random(n_rand) < 0.0005
    l_start[live_now] = AS_OF - (rng.uniform(1, 5, live_now.sum()) * MS_H).astype(np.int64) // MS_MIN * MS_MIN
    l_end[live_now] = -1

    titles_r = TITLES[rng.integers(0, len(TITLES), n_rand)].astype(object)
    prods_r = _lists(rng, n_rand, 4, "P", 1_000_000)
    src_r = np.char.add("enc-", np.char.zfill(rng.integers(0, 50_000, n_rand).astype(str), 5)).astype(object)
    src_r[rng.random(n_rand) < 0.3] = ""
    titles_p = TITLES[rng.integers(0, len(TITLES), P)].astype(object)
    prods_p = _lists(rng, P, 4, "P", 1_000_000)
    src_p = np.char.add("enc-", np.char.zfill(rng.integers(0, 50_000, P).astype(str), 5)).astype(object)

    all_acc = np.concatenate([l_acc, off_acc[oi], b_acc[cand]])
    all_start = np.concatenate([l_start, t_o, t_m])
    all_end = np.concatenate([l_end, t_o + d_o, t_m + d_m])
    order = np.argsort(all_start, kind="stable")
    ended = iso(np.where(all_end < 0, 0, all_end))
    ended[all_end < 0] = ""
    _write(out, "live_sessions", {
        "live_id": _seq_ids("L", len(order), 8), "account_id": account_ids[all_acc[order]],
        "started_at": iso(all_start[order]), "ended_at": ended[order],
        "title": np.concatenate([titles_r, titles_p, titles_p])[order],
        "product_ids": np.concatenate([prods_r, prods_p, prods_p])[order],
        "stream_source": np.concatenate([src_r, src_p, src_p])[order]}, fmt)
    written = {"stores": len(store_ids), "accounts": len(listed), "bindings": n_ev, "live_sessions": len(order)}

    # --- videos -------------------------------------------------------------------------------
    def hashes(n):
        return rng.integers(0, 2 ** 63, n, dtype=np.int64).astype(np.uint64) * np.uint64(2) + \
            rng.integers(0, 2, n).astype(np.uint64)

    def captions(n):
        c = CAPTIONS[rng.integers(0, len(CAPTIONS), n)].astype(object)
        tagged = rng.random(n) < 0.3
        c[tagged] = c[tagged] + " #fyp #racuntiktok"
        return c

    def durations(n):
        return np.round(rng.uniform(5, 180, n), 1)

    def reupload(h, caption, duration):
        """The same video posted again: a few hash bits flipped, the caption edited (emoji,
        hashtags), the duration within half a second."""
        edit = rng.integers(0, 3, len(h))
        caption = np.where(edit == 0, caption + " ✨", np.where(edit == 1, "#promo " + caption, caption + "!!"))
        return (_flip_bits(rng, h), caption.astype(object),
                np.round(np.maximum(duration + rng.uniform(-0.5, 0.5, len(h)), 1), 1))

    v_parts = []  # (account, posted, hash, caption, duration)
    if videos:
        n_dup = int(videos * 0.01)
        cand = rng.choice(in_window, min(len(in_window), n_dup * 3), replace=False)
        lo = np.maximum(b_start[cand], ACTIVITY_START) + 15 * MS_D
        hi = np.where(b_end[cand] < 0, AS_OF, b_end[cand]) - MS_H
        t_m = lo + _s(rng.random(len(cand)) * np.maximum(hi - lo, 0))
        t_o = t_m - _s(rng.uniform(1, 14 * 24, len(cand)) * MS_H)
        oi = _in_force(b_store[cand], t_o, off_store, off_start, off_until)
        keep = (oi >= 0) & (hi > lo)
        cand, t_m, t_o, oi = cand[keep][:n_dup], t_m[keep][:n_dup], t_o[keep][:n_dup], oi[keep][:n_dup]
        h, c, d = hashes(len(cand)), captions(len(cand)), durations(len(cand))
        v_parts += [(off_acc[oi], t_o, h, c, d), (b_acc[cand], t_m, *reupload(h, c, d))]
        n_rand = videos - 2 * len(cand)
        v_parts.append((posters(n_rand),
                        ACTIVITY_START + rng.integers(0, (AS_OF - ACTIVITY_START) // MS_S, n_rand) * MS_S,
                        hashes(n_rand), captions(n_rand), durations(n_rand)))
    if big_store:
        # one store posting n_o videos on its Official and n_m on its Marketing account; 0.5 % of
        # the Official videos re-uploaded on Marketing
        n_o, n_m = big_videos
        secs = (AS_OF - ACTIVITY_START) // MS_S
        o_at = ACTIVITY_START + rng.integers(0, secs, n_o) * MS_S
        m_at = ACTIVITY_START + rng.integers(0, secs, n_m) * MS_S
        h_o, c_o, d_o = hashes(n_o), captions(n_o), durations(n_o)
        h_m, c_m, d_m = hashes(n_m), captions(n_m), durations(n_m)
        k = min(n_m, n_o, max(1, n_o // 200))
        src, dst = rng.choice(n_o, k, replace=False), rng.choice(n_m, k, replace=False)
        h_m[dst], c_m[dst], d_m[dst] = reupload(h_o[src], c_o[src], d_o[src])
        m_at[dst] = np.minimum(o_at[src] + _s(rng.uniform(1, 30 * 24, k) * MS_H),
                               AS_OF - MS_S)
        v_parts.append((np.full(n_o, big_acc[0]), o_at, h_o, c_o, d_o))
        v_parts.append((np.full(n_m, big_acc[1]), m_at, h_m, c_m, d_m))
    if v_parts:
        v_acc, v_at, v_hash, caption, duration = (np.concatenate([p[i] for p in v_parts]) for i in range(5))
        order = np.argsort(v_at, kind="stable")
        n = len(order)
        music = np.char.add("M", np.char.zfill(rng.integers(0, 200_000, n).astype(str), 7)).astype(object)
        music[rng.random(n) < 0.4] = ""
        _write(out, "videos", {
            "video_id": _seq_ids("V", n, 9), "account_id": account_ids[v_acc[order]],
            "posted_at": iso(v_at[order]),
            "caption": caption[order], "duration_s": duration[order].astype(str).astype(object),
            "thumbnail_phash": _hex(v_hash[order]), "music_id": music,
            "product_ids": _lists(rng, n, 3, "P", 1_000_000)}, fmt)
        written["videos"] = n
    return written


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out")
    ap.add_argument("--stores", type=int, default=10_000)
    ap.add_argument("--accounts", type=int, default=60_000)
    ap.add_argument("--binding-events", type=int, default=1_000_000)
    ap.add_argument("--live-sessions", type=int, default=200_000)
    ap.add_argument("--videos", type=int, default=0)
    ap.add_argument("--big-store", default=None,
                    help="one more store with OFFICIALxMARKETING videos, e.g. 50000x200000")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--format", default="csv", choices=["csv", "parquet"])
    ap.add_argument("--history-start", default="2020-01-01")
    args = ap.parse_args()
    t0 = time.perf_counter()
    rows = generate(args.out, args.stores, args.accounts, args.binding_events, args.live_sessions, args.videos,
                    args.seed, args.format, args.big_store, args.history_start)
    print(f"wrote {rows} to {args.out} in {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
