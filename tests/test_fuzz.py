"""Property-based fuzzing of the whole input path (hypothesis).

Valid exports in every input format are mutated — random bytes inserted or replaced,
files truncated or emptied, BOMs and NUL bytes in odd places, columns shuffled, dropped,
renamed or repeated, cells given wrong types, extreme timestamps and very long values —
and the real command line (in-process) must:

- end with exit 0, 1 or 2 and never a traceback or an "internal error";
- on exit 2, name the file in its message;
- account for every data row: `rows_read` is the number of data rows in the file, and
  each row is either used or listed in `input_errors` (never both);
- keep every row that the mutation did not touch (when nothing else depends on it), and
  give the same findings when the mutation changes nothing that matters (a format, the
  column order, spacing, header case, a BOM, blank lines).

The default run stays well under a minute; `--run-slow` runs many more examples. Every
failure the fuzzing found is kept as a small file in tests/fuzz_corpus/ (see
test_fuzz_corpus.py), with what was wrong and what fixed it.
"""
from __future__ import annotations

import datetime as dt
import random
import shutil
import tempfile
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fuzzkit as fk

FAST = settings(max_examples=25, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                       HealthCheck.data_too_large])
SLOW = settings(max_examples=600, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                       HealthCheck.data_too_large])

TABLES = tuple(fk.BASE)

EXTREME_TIMES = [
    "0000-01-01T00:00:00Z", "0001-01-01T00:00:00", "0001-01-01T00:00:00+14:00", "1969-12-31T23:59:59Z",
    "9999-12-31T23:59:59+14:00", "9999-12-31T23:59:59.999999999", "10000-01-01T00:00:00Z", "+002025-03-01",
    "2025-02-30T10:00:00", "2025-13-01T00:00:00", "2025-03-01T24:00:00", "2025-03-01T25:61:61+07:00",
    "2025-03-01T10:00:00+99:99", "2025-03-01T10:00:00+0700", "2025-03-01 10:00:00 +07:00", "2025-03-01T10:00:00ZZ",
    "2025-03-01T10:00:00,5+07:00", "2025-03-01T10:00:00.123456789123+07:00", "2025-W09-6", "2025-060",
    "T10:00", "10:00", "0", "-1", "-0", "+1741608000", "1741608000.5", "1e9", "1E+12", "NaN", "inf", "-inf",
    "99999999999", "100000000000", "253402300799999", "253402300800000", "9223372036854775807",
    "-9223372036854775808", "9223372036854775808", "18446744073709551616", "1" * 40, "-" + "9" * 25,
    "１７４１６０８０００", "١٧٤١٦٠٨٠٠٠", "2025-03-01T10:00:00+07:00\x00", "\ufeff2025-03-01T10:00:00Z",
    "2025-03-01\u00a010:00:00", "now", "yesterday", "", " ", "null", "None", "2025-03-01T10:00:00[Asia/Jakarta]",
]
EXTREME_NATIVE = [0, -1, 2**31, 2**53 + 1, 2**63 - 1, -(2**63), 2**64, 10**30, -(10**30), 1.5e300, float("inf"),
                  float("-inf"), float("nan"), 1741608000.75, True, False,
                  dt.datetime(1, 1, 1), dt.datetime(9999, 12, 31, 23, 59, 59), dt.datetime(1899, 12, 30),
                  dt.datetime(2025, 3, 1, 10, 0), dt.date(2025, 3, 1)]

ODD_TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=30)
WEIRD = st.one_of(
    st.sampled_from(EXTREME_TIMES),
    st.sampled_from(EXTREME_NATIVE),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.none(),
    ODD_TEXT,
    st.lists(ODD_TEXT, max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.builds(lambda n, c: c * n, st.sampled_from([1000, 40_000, 200_000]), st.sampled_from(["x", "é", "|", ",", "\n", "\x00", '"'])),
    st.sampled_from(["\x00", "\ufeff", "\ufeffS1", "S1\x00", " S1 ", "\r\n", "\u2028", '"', "'", "=1+1", "|||",
                     "\x1b[31m", "\ud7ff", "\U0010ffff", "OFFICIAL", " Marketing ", "UNBIND\t", "Bind\x00"]),
)


def _fresh_dir() -> Path:
    return Path(tempfile.mkdtemp(prefix="shoplint-fuzz-")) / "export"


@pytest.fixture(scope="module")
def baseline():
    folder = _fresh_dir()
    fk.write_tables(folder, fk.base_tables(), {})
    report = fk.assert_clean_outcome(fk.check_json(folder), [])
    shutil.rmtree(folder.parent)
    return sorted(f["fingerprint"] for f in report["findings"])


def _run(folder: Path, expected_rows: dict | None):
    files = [p.name for p in folder.iterdir()]
    report = fk.assert_clean_outcome(fk.check_json(folder), files + [folder.name])
    if report is not None:
        export, problems, acc = fk.assert_rows_accounted(folder, expected_rows)
        assert report["rows_read"] == export.rows_read
        return report, acc
    return None, None


# --- 1. cells: wrong types, extreme timestamps, long values ------------------------------

@st.composite
def cell_mutations(draw):
    formats = {t: draw(st.sampled_from(fk.FORMATS)) for t in TABLES}
    tables = fk.base_tables()
    table = draw(st.sampled_from(TABLES))
    columns, rows = tables[table]
    touched = set()
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(rows) - 1))
        col = draw(st.sampled_from(columns))
        rows[i][col] = draw(WEIRD)
        touched.add(i)
    return tables, formats, table, touched


def _check_cells(case, baseline_fps=None):
    tables, formats, table, touched = case
    folder = _fresh_dir()
    try:
        fk.write_tables(folder, tables, formats)
        expected = {t: fk.data_row_count(c, [[r.get(x) for x in c] for r in rows], formats[t])
                    for t, (c, rows) in tables.items()}
        report, acc = _run(folder, expected)
        if report is not None and table != "bindings" and table in acc:
            # rows the mutation did not touch are still used, unless a touched row now
            # carries their id (then the first one wins, as documented)
            columns, rows = tables[table]
            id_col = fk.ID_COLUMN[table]
            touched_ids = {fk.cell_text(rows[i].get(id_col)).strip() for i in touched}
            first = 1 if formats[table] in ("json", "jsonl", "parquet") else 2
            used, _ = acc[table]
            for i, r in enumerate(rows):
                if i in touched or r[id_col] in touched_ids:
                    continue
                assert i + first in used, f"{table} row {i + first} untouched but not used"
    finally:
        shutil.rmtree(folder.parent, ignore_errors=True)


@FAST
@given(cell_mutations())
def test_wrong_types_extreme_timestamps_and_long_values(case):
    _check_cells(case)


# --- 2. columns: shuffled, dropped, renamed, repeated -----------------------------------

@st.composite
def column_mutations(draw):
    formats = {t: draw(st.sampled_from(fk.FORMATS)) for t in TABLES}
    tables = fk.base_tables()
    table = draw(st.sampled_from(TABLES))
    columns, rows = tables[table]
    header = list(columns)
    body = [[r.get(c) for c in columns] for r in rows]
    ops = draw(st.lists(st.sampled_from(["shuffle", "drop", "repeat", "rename", "extra", "blank_name"]),
                        min_size=1, max_size=4))
    rnd = random.Random(draw(st.integers(0, 2**32)))
    for op in ops:
        if not header:
            break
        j = rnd.randrange(len(header))
        if op == "shuffle":
            order = list(range(len(header)))
            rnd.shuffle(order)
            header = [header[k] for k in order]
            body = [[r[k] for k in order] for r in body]
        elif op == "drop":
            del header[j]
            body = [r[:j] + r[j + 1:] for r in body]
        elif op == "repeat":
            # the same name again (another spelling), with other values
            header.append(rnd.choice([header[j], header[j].upper(), f" {header[j]} "]))
            body = [r + [rnd.choice([r[j], None, "other", 12])] for r in body]
        elif op == "rename":
            header[j] = rnd.choice([header[j].upper(), f"  {header[j]}\t", header[j] + "x", "", "\ufeff" + header[j]])
        elif op == "extra":
            header.append(rnd.choice(["note", "Note ", "x" * 300, "é", "0", "null"]))
            body = [r + [rnd.choice(["", "v", None, 5])] for r in body]
        elif op == "blank_name":
            header.insert(j, "")
            body = [r[:j] + [rnd.choice(["", "v"])] + r[j:] for r in body]
    return tables, formats, table, header, body


@FAST
@given(column_mutations())
def test_shuffled_dropped_renamed_and_repeated_columns(case):
    tables, formats, table, header, body = case
    folder = _fresh_dir()
    try:
        fk.write_tables(folder, {t: v for t, v in tables.items() if t != table}, formats)
        (folder / f"{table}{fk.EXTS[formats[table]]}").write_bytes(fk.table_bytes(header, body, formats[table]))
        expected = {t: fk.data_row_count(c, [[r.get(x) for x in c] for r in rows], formats[t])
                    for t, (c, rows) in tables.items() if t != table}
        expected[table] = fk.data_row_count(header, body, formats[table])
        _run(folder, expected)
    finally:
        shutil.rmtree(folder.parent, ignore_errors=True)


# --- 3. changes that must not change the findings ---------------------------------------

@st.composite
def benign_changes(draw):
    formats = {t: draw(st.sampled_from(fk.FORMATS)) for t in TABLES}
    ops = draw(st.lists(st.sampled_from(["shuffle", "case", "pad", "extra", "blank_lines", "bom"]), max_size=4))
    seed = draw(st.integers(0, 2**32))
    return formats, ops, seed


@FAST
@given(benign_changes())
def test_format_order_spacing_and_case_do_not_change_findings(baseline, case):
    formats, ops, seed = case
    rnd = random.Random(seed)
    folder = _fresh_dir()
    try:
        for t, (columns, rows) in fk.base_tables().items():
            fmt = formats[t]
            header = list(columns)
            body = [[r.get(c) for c in columns] for r in rows]
            if "shuffle" in ops:
                order = list(range(len(header)))
                rnd.shuffle(order)
                header, body = [header[k] for k in order], [[r[k] for k in order] for r in body]
            if "case" in ops:
                header = [h.upper() if rnd.random() < 0.5 else h.title() for h in header]
            if "pad" in ops:
                header = [f" {h}  " for h in header]
                if fmt not in ("parquet", "json", "jsonl"):
                    body = [[f"  {v}\t" if isinstance(v, str) and v else v for v in r] for r in body]
            if "extra" in ops:
                header.append("Comment")
                body = [r + ["=cmd|' /C calc'!A0"] for r in body]
            if "blank_lines" in ops and fmt in ("csv", "tsv", "xlsx"):
                blank = [None] * len(header)
                body = [x for r in body for x in (r, blank)]
            data = fk.table_bytes(header, body, fmt)
            if "blank_lines" in ops and fmt == "jsonl":
                data = data.replace(b"\n", b"\n\n  \n")
            if "bom" in ops and fmt in ("csv", "tsv", "jsonl", "json"):
                data = b"\xef\xbb\xbf" + data
            (folder.mkdir(parents=True, exist_ok=True), (folder / f"{t}{fk.EXTS[fmt]}").write_bytes(data))
        report, _ = _run(folder, {t: len(rows) for t, (_, rows) in fk.BASE.items()})
        assert report is not None
        assert [e for e in report["input_errors"] if e["level"] != "warning"] == []
        assert sorted(f["fingerprint"] for f in report["findings"]) == baseline
    finally:
        shutil.rmtree(folder.parent, ignore_errors=True)


# --- 4. bytes: inserted, replaced, truncated, empty, BOMs and NULs -----------------------

BYTE_OPS = st.sampled_from(["insert", "replace", "truncate", "empty", "bom", "nul", "crlf", "utf16", "cp1252",
                            "dup_header_line", "cut_line"])


@st.composite
def byte_mutations(draw):
    formats = {t: draw(st.sampled_from(fk.FORMATS)) for t in TABLES}
    table = draw(st.sampled_from(TABLES))
    ops = draw(st.lists(st.tuples(BYTE_OPS, st.integers(0, 2**31), st.binary(min_size=1, max_size=8)),
                        min_size=1, max_size=3))
    return formats, table, ops


def mutate_bytes(data: bytes, ops) -> bytes:
    for op, k, blob in ops:
        pos = k % (len(data) + 1)
        if op == "insert":
            data = data[:pos] + blob + data[pos:]
        elif op == "replace":
            data = data[:pos] + blob + data[pos + len(blob):]
        elif op == "truncate":
            data = data[:pos]
        elif op == "empty":
            data = b"" if k % 2 else b"\n\n \r\n"
        elif op == "bom":
            data = data[:pos] + b"\xef\xbb\xbf" + data[pos:]
        elif op == "nul":
            data = data[:pos] + b"\x00" * (1 + k % 3) + data[pos:]
        elif op == "crlf":
            data = data.replace(b"\n", b"\r\n") if k % 2 else data.replace(b"\n", b"\r")
        elif op == "utf16":
            try:
                data = data.decode("utf-8").encode("utf-16" if k % 2 else "utf-16-le")
            except UnicodeDecodeError:
                pass
        elif op == "cp1252":
            try:
                data = data.decode("utf-8").encode("cp1252", errors="replace")
            except UnicodeDecodeError:
                pass
        elif op == "dup_header_line":
            first = data.split(b"\n", 1)[0]
            data = first + b"\n" + data
        elif op == "cut_line":
            lines = data.split(b"\n")
            if len(lines) > 1:
                del lines[k % len(lines)]
            data = b"\n".join(lines)
    return data


def _check_bytes(case):
    formats, table, ops = case
    folder = _fresh_dir()
    try:
        paths = fk.write_tables(folder, fk.base_tables(), formats)
        path = paths[table]
        path.write_bytes(mutate_bytes(path.read_bytes(), ops))
        expected = {t: len(rows) for t, (_, rows) in fk.BASE.items() if t != table}
        _run(folder, expected)
    finally:
        shutil.rmtree(folder.parent, ignore_errors=True)


@FAST
@given(byte_mutations())
def test_random_bytes_truncation_boms_and_nuls(case):
    _check_bytes(case)


# --- 5. zip uploads: damaged archives, odd entry names ----------------------------------

ENTRY_NAMES = st.sampled_from(["bindings.csv", "shop/stores.csv", "../x.csv", "/abs.csv", "a\\..\\b.csv", "shop",
                               "shop/", "dir/../videos.csv", "x" * 300 + ".csv", "nul\x00.csv", "é/accounts.csv",
                               "__MACOSX/._bindings.csv", ".hidden.csv", "inner.zip", "CON", "a:b.csv"])


@st.composite
def zip_mutations(draw):
    formats = {t: draw(st.sampled_from(fk.FORMATS)) for t in TABLES}
    extra = draw(st.lists(st.tuples(ENTRY_NAMES, st.binary(max_size=64)), max_size=3))
    folder_prefix = draw(st.sampled_from(["", "shop/"]))
    ops = draw(st.lists(st.tuples(BYTE_OPS, st.integers(0, 2**31), st.binary(min_size=1, max_size=8)), max_size=2))
    method = draw(st.sampled_from([0, 8]))  # stored, deflated
    return formats, extra, folder_prefix, ops, method


def _check_zip(case):
    import zipfile
    formats, extra, prefix, ops, method = case
    folder = _fresh_dir()
    try:
        paths = fk.write_tables(folder, fk.base_tables(), formats)
        archive = folder.parent / "upload.zip"
        with warnings.catch_warnings(), zipfile.ZipFile(archive, "w", method) as zf:
            warnings.simplefilter("ignore")  # duplicate names are part of the test
            for p in paths.values():
                zf.write(p, prefix + p.name)
            for name, data in extra:
                try:
                    zf.writestr(name, data)
                except (ValueError, OSError):
                    pass
        archive.write_bytes(mutate_bytes(archive.read_bytes(), ops))
        result = fk.check_json(archive)
        # an extra entry may be what the message is about (e.g. an empty bindings.csv beside shop/)
        names = ["upload.zip"] + [p.name for p in paths.values()] + [n.rsplit("/", 1)[-1] for n, _ in extra]
        fk.assert_clean_outcome(result, [n for n in names if n])
    finally:
        shutil.rmtree(folder.parent, ignore_errors=True)


@FAST
@given(zip_mutations())
def test_damaged_and_odd_zip_uploads(case):
    _check_zip(case)


# --- 6. saved TikTok Shop Partner API pages (lint.ingest.shapes.partner_api) -------------

def _partner_page(kind: str, wrapped: bool, shop: bool) -> dict:
    if kind == "lives":
        rows = [{"id": f"745000000000000000{i}", "title": f"LIVE {i}", "username": "@A1" if i % 2 else "A2",
                 "start_time": str(1741608000 + 600 * i) if i % 2 else 1741608000 + 600 * i,
                 "end_time": str(1741611600 + 600 * i), "sales_performance": {"items_sold": i, "unit_sold": i}}
                for i in range(1, 4)]
        data = {"live_stream_sessions": rows, "next_page_token": "t2", "total_count": 3}
        path = "/analytics/202508/shop_lives/performance"
    else:
        rows = [{"id": f"730000000000000000{i}", "title": f"Gamis {i} #gamis", "username": "A1",
                 "video_post_time": f"2025-03-1{i} 10:00:00", "duration": 15, "hash_tags": ["gamis"],
                 "products": [{"id": "P1", "name": "Gamis"}],
                 "creator": {"open_id": "o", "user_name": "A1", "author_type": ["OFFICIAL", "CHANNEL", "AFFILIATE"][i % 3]}}
                for i in range(1, 4)]
        data = {"videos": rows, "next_page_token": "", "total_count": 3}
        path = "/analytics/202409/shop_videos/performance"
    response = {"code": 0, "message": "Success", "request_id": "r1", "data": data}
    if not wrapped:
        return response
    doc = {"request": {"method": "GET", "path": path,
                       "query": {"account_type": "OFFICIAL_ACCOUNTS", "shop_cipher": "ROW_x", "page_token": "t1"}},
           "response": response}
    if shop:
        doc["shop"] = {"id": "S1", "name": "Toko", "region": "ID"}
    return doc


def _json_paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _json_paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _json_paths(v, prefix + (i,))


@st.composite
def partner_page_mutations(draw):
    kind = draw(st.sampled_from(["lives", "videos"]))
    wrapped, shop = draw(st.booleans()), draw(st.booleans())
    doc = _partner_page(kind, wrapped, shop)
    for _ in range(draw(st.integers(1, 4))):
        paths = [p for p in _json_paths(doc) if p]
        where = draw(st.sampled_from(paths))
        parent = doc
        for step in where[:-1]:
            parent = parent[step]
        if draw(st.booleans()) and isinstance(parent, dict):
            del parent[where[-1]]
        else:
            parent[where[-1]] = draw(WEIRD)
    name = draw(st.sampled_from(["page.json", "api/OFFICIAL_ACCOUNTS/p1.json", "shop_lives_MARKETING_ACCOUNTS_p2.json"]))
    ops = draw(st.lists(st.tuples(BYTE_OPS, st.integers(0, 2**31), st.binary(min_size=1, max_size=8)), max_size=1))
    return doc, shop and wrapped, name, ops


def _check_partner_page(case):
    import json
    doc, has_shop, name, ops = case
    folder = _fresh_dir()
    try:
        tables = {t: v for t, v in fk.base_tables().items() if t not in ("live_sessions", "videos")}
        fk.write_tables(folder, tables, {})
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            data = json.dumps(doc, ensure_ascii=False).encode("utf-8", "surrogatepass")
        except (ValueError, TypeError):
            data = json.dumps(doc, ensure_ascii=True, default=str).encode("utf-8")
        path.write_bytes(mutate_bytes(data, ops))
        report = fk.assert_clean_outcome(fk.check_json(folder), [p.name for p in folder.iterdir()] + [name])
        if report is not None and not has_shop:
            fk.assert_rows_accounted(folder)
    finally:
        shutil.rmtree(folder.parent, ignore_errors=True)


@FAST
@given(partner_page_mutations())
def test_mutated_partner_api_pages(case):
    _check_partner_page(case)


# --- the long run (pytest --run-slow) ----------------------------------------------------

@pytest.mark.slow
@SLOW
@given(cell_mutations())
def test_long_run_cells(case):
    _check_cells(case)


@pytest.mark.slow
@SLOW
@given(byte_mutations())
def test_long_run_bytes(case):
    _check_bytes(case)


@pytest.mark.slow
@SLOW
@given(zip_mutations())
def test_long_run_zips(case):
    _check_zip(case)


@pytest.mark.slow
@SLOW
@given(column_mutations())
def test_long_run_columns(case):
    test_shuffled_dropped_renamed_and_repeated_columns.hypothesis.inner_test(case)


@pytest.mark.slow
@SLOW
@given(partner_page_mutations())
def test_long_run_partner_api_pages(case):
    _check_partner_page(case)

# --- 6. files TikTok writes: Live Analysis exports and Content.csv ------------------------

SHAPES = {"live_xlsx": ("Live Analysis_20250505-20250518 (1).xlsx", "live_sessions"),
          "live_csv": ("Live Analysis.csv", "live_sessions"), "content": ("Content.csv", "videos")}


def _shape_file(kind: str, header: list, rows: list) -> bytes:
    if kind == "content":
        return fk.table_bytes(header, rows, "csv")
    return fk.live_analysis_bytes(header, rows, "xlsx" if kind == "live_xlsx" else "csv")


@st.composite
def shape_mutations(draw):
    kind = draw(st.sampled_from(sorted(SHAPES)))
    header, rows = ((list(fk.CONTENT_HEADER), [list(r) for r in fk.CONTENT_ROWS]) if kind == "content" else
                    (list(fk.LIVE_ANALYSIS_HEADER), [list(r) for r in fk.LIVE_ANALYSIS_ROWS]))
    touched = set()
    for _ in range(draw(st.integers(0, 4))):
        i = draw(st.integers(0, len(rows) - 1))
        rows[i][draw(st.integers(0, len(header) - 1))] = draw(WEIRD)
        touched.add(i)
    if draw(st.booleans()):  # the seller's choice of columns: reordered, a metric left out
        order = list(range(len(header)))
        random.Random(draw(st.integers(0, 2**32))).shuffle(order)
        order = [j for j in order if header[j] not in ("GMV", "Total likes")]
        header, rows = [header[j] for j in order], [[r[j] for j in order] for r in rows]
    ops = draw(st.lists(st.tuples(BYTE_OPS, st.integers(0, 2**31), st.binary(min_size=1, max_size=8)), max_size=2))
    return kind, header, rows, touched, ops


def _check_shape(case):
    kind, header, rows, touched, ops = case
    name, table = SHAPES[kind]
    folder = _fresh_dir()
    try:
        base = {t: v for t, v in fk.base_tables().items() if t not in ("live_sessions", "videos")}
        fk.write_tables(folder, base, {})
        (folder / name).write_bytes(mutate_bytes(_shape_file(kind, header, rows), ops))
        expected = {t: len(r) for t, (_, r) in base.items()}
        if not ops:  # every session row of the file is read: used or listed
            expected[table] = sum(1 for r in rows if any(fk.cell_text(v).strip() for v in r))
        report, acc = _run(folder, expected)
        if report is not None and not ops:
            assert table in acc, f"{name} not read as {table}: {report['input_errors']}"
            used, _ = acc[table]
            first = fk.CONTENT_FIRST_ROW if kind == "content" else fk.LIVE_ANALYSIS_FIRST_ROW
            for i in range(len(rows)):
                if i not in touched:
                    assert i + first in used, f"{name} row {i + first} untouched but not used"
    finally:
        shutil.rmtree(folder.parent, ignore_errors=True)


@FAST
@given(shape_mutations())
def test_tiktok_shapes_mutated(case):
    _check_shape(case)


@pytest.mark.slow
@SLOW
@given(shape_mutations())
def test_long_run_tiktok_shapes(case):
    _check_shape(case)


@FAST
@given(st.one_of(ODD_TEXT, st.sampled_from(EXTREME_TIMES), st.from_regex(
    r"\d{1,5}[ ./:-]?(?:[A-Za-z]{1,9}|thg|月|월)?[ ./:-]?\d{0,5}(?: \d{1,2}:\d{2}(?: [ap]\.?m\.?)?)?", fullmatch=True)))
def test_the_shapes_text_readers_never_raise(text):
    from lint.ingest.shapes.seller_center import parse_duration, parse_launched
    from lint.ingest.shapes.studio import parse_post_time
    p = parse_post_time(text)
    assert p is None or (1 <= p.month <= 12 and 1 <= p.day <= 31)
    parse_launched(text)
    parse_duration(text)
