"""Accuracy of DUP001 (duplicate content) on the labelled set of bench/dupdata.py.

    python bench/eval_dup.py [--data bench/data/dupeval] [--seed 1] [--report REPORT.json]
                             [--findings LINT_REPORT.json] [--markdown] [--show N]
    python bench/eval_dup.py --selftest

Builds the set if it is missing, runs

    .venv/bin/python -m lint check DATA --select DUP001 --format json --output R \\
        --as-of 2026-01-01T00:00:00+07:00

(exit 0 or 1 are both fine), reads the DUP001 findings (subjects = [official video_id,
marketing video_id], store_id) and prints precision and recall overall, recall per
transform, per caption edit and per key-frame availability, false positives per
hard-negative kind and per shared signal, then the misses and the false positives with
the check's `evidence` and a few signals measured here (`bench`: thumbnail pHash distance,
caption similarity, duration difference...) to help tune thresholds.

--findings scores an existing lint JSON report instead of running lint; --report writes
the whole score (every miss and false positive) as JSON; --markdown prints tables ready
for bench/RESULTS.md. `score(findings, labels)` is importable.
"""
from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
AS_OF = "2026-01-01T00:00:00+07:00"
DEFAULT_DATA = HERE / "data" / "dupeval"
HARD_KINDS = ("other_crop_same_photo", "caption_template", "lookalike_products", "same_music")
SHARED_SIGNALS = ("same_photo", "same_products", "caption_template", "same_music", "same_duration")


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


def score(findings: list[dict], labels: dict) -> dict:
    """Score DUP001 findings against labels.json.

    A finding counts once per (store_id, official, marketing) pair; other rules are ignored.
    A finding whose pair is not an Official x Marketing pair of its store (wrong order,
    wrong store, unknown video) is a false positive listed as `invalid`.
    """
    positives = {(p["store_id"], p["official"], p["marketing"]): p for p in labels["positives"]}
    hard = {(h["store_id"], h["official"], h["marketing"]): h for h in labels.get("negatives_hard", [])}
    universe = labels.get("universe")
    if universe is not None:
        official = {s: set(u["official"]) for s, u in universe.items()}
        marketing = {s: set(u["marketing"]) for s, u in universe.items()}
        n_pairs = sum(len(u["official"]) * len(u["marketing"]) for u in universe.values())
    else:  # labels without a universe: every pair named in them is a candidate
        official, marketing = {}, {}
        for s, o, m in list(positives) + list(hard):
            official.setdefault(s, set()).add(o)
            marketing.setdefault(s, set()).add(m)
        n_pairs = None

    seen: set[tuple] = set()
    valid_pred: dict[tuple, dict] = {}     # candidate pairs flagged -> their finding
    invalid: list[dict] = []
    duplicates = 0
    for f in findings:
        if f.get("rule") != "DUP001":
            continue
        subj = list(f.get("subjects") or [])
        store = f.get("store_id")
        key = (store, *subj)
        if key in seen:
            duplicates += 1
            continue
        seen.add(key)
        if (len(subj) == 2 and subj[0] in official.get(store, ()) and subj[1] in marketing.get(store, ())):
            valid_pred[key] = f
            continue
        if len(subj) != 2:
            why = "subjects must be [official video_id, marketing video_id]"
        elif subj[1] in official.get(store, ()) and subj[0] in marketing.get(store, ()):
            why = "subjects swapped (expected [official, marketing])"
        else:
            why = "not an Official x Marketing pair of the store"
        invalid.append({"store_id": store, "subjects": subj, "why": why, "finding": f})
    predicted = valid_pred

    tp_keys = sorted(k for k in valid_pred if k in positives)
    fp_keys = sorted((k for k in valid_pred if k not in positives), key=lambda k: tuple(map(str, k)))
    fn_keys = sorted(k for k in positives if k not in predicted)
    tp, fp_valid, fn = len(tp_keys), len(fp_keys), len(fn_keys)
    fp = fp_valid + len(invalid)
    n_pos = len(positives)
    precision = _ratio(tp, tp + fp)
    recall = _ratio(tp, n_pos)
    f1 = round(2 * precision * recall / (precision + recall), 4) if precision and recall else (
        0.0 if precision is not None and recall is not None else None)
    n_neg = None if n_pairs is None else n_pairs - n_pos

    def by(field: str) -> dict:
        out: dict[str, dict] = {}
        for k, p in positives.items():
            g = out.setdefault(str(p.get(field)), {"positives": 0, "found": 0})
            g["positives"] += 1
            g["found"] += k in predicted
        for g in out.values():
            g["recall"] = _ratio(g["found"], g["positives"])
        return dict(sorted(out.items()))

    per_kind: dict[str, dict] = {k: {"pairs": 0, "flagged": 0} for k in HARD_KINDS}
    per_signal: dict[str, dict] = {s: {"pairs": 0, "flagged": 0} for s in SHARED_SIGNALS}
    for k, h in hard.items():
        g = per_kind.setdefault(h["kind"], {"pairs": 0, "flagged": 0})
        g["pairs"] += 1
        g["flagged"] += k in valid_pred
        for s in h.get("shares", []):
            g2 = per_signal.setdefault(s, {"pairs": 0, "flagged": 0})
            g2["pairs"] += 1
            g2["flagged"] += k in valid_pred
    for g in list(per_kind.values()) + list(per_signal.values()):
        g["fp_rate"] = _ratio(g["flagged"], g["pairs"])
    other_fp = sum(1 for k in fp_keys if k not in hard)
    other_pairs = None if n_neg is None else n_neg - len(hard)
    per_kind["other_negative"] = {"pairs": other_pairs, "flagged": other_fp,
                                  "fp_rate": _ratio(other_fp, other_pairs) if other_pairs else None}
    per_kind["invalid_finding"] = {"pairs": None, "flagged": len(invalid), "fp_rate": None}

    def fp_entry(k):
        h = hard.get(k)
        f = valid_pred[k]
        return {"store_id": k[0], "official": k[1], "marketing": k[2],
                "kind": h["kind"] if h else "other_negative", "shares": h.get("shares", []) if h else [],
                **({"overlap": h["overlap"]} if h and "overlap" in h else {}),
                "marketing_is": h.get("marketing_is") if h else None,
                "evidence": f.get("evidence")}

    return {
        "pairs": n_pairs, "positives": n_pos, "negatives": n_neg,
        "predicted": len(valid_pred) + len(invalid), "duplicate_findings": duplicates,
        "tp": tp, "fp": fp, "fn": fn,
        "precision": precision, "recall": recall, "f1": f1,
        "fp_rate": _ratio(fp_valid, n_neg) if n_neg else None,
        "recall_per_transform": by("transform"),
        "recall_per_caption_edit": by("caption_edit"),
        "recall_per_frames": by("frames") if any("frames" in p for p in positives.values()) else {},
        "fp_per_kind": per_kind,
        "fp_per_shared_signal": per_signal,
        "misses": [dict(positives[k]) for k in fn_keys],
        "false_positives": [fp_entry(k) for k in fp_keys],
        "invalid_findings": [{"store_id": x["store_id"], "subjects": x["subjects"], "why": x["why"],
                              "evidence": x["finding"].get("evidence")} for x in invalid],
        "true_positives": [{**positives[k], "evidence": predicted[k].get("evidence")} for k in tp_keys],
    }


# ---------------------------------------------------------------------------------------
# Signals measured by the bench itself (for misses, which have no evidence of their own)
# ---------------------------------------------------------------------------------------

def diagnose(data: Path, pairs: list[dict]) -> None:
    """Add a `bench` dict to each pair: thumbnail pHash distance (direct, mirrored),
    caption similarity, duration difference, same music, shared products, frame counts."""
    if not pairs:
        return
    try:
        import imagehash
        from PIL import Image, ImageOps
        from rapidfuzz import fuzz
    except ImportError:  # diagnostics are optional
        return
    rows = {r["video_id"]: r for r in csv.DictReader(open(data / "videos.csv", encoding="utf-8"))}
    cache: dict[str, tuple] = {}

    def hashes(rel: str):
        if rel not in cache:
            try:
                with Image.open(data / rel) as im:
                    im = im.convert("RGB")
                    cache[rel] = (imagehash.phash(im), imagehash.phash(ImageOps.mirror(im)))
            except OSError:
                cache[rel] = None
        return cache[rel]

    for p in pairs:
        o, m = rows.get(p["official"]), rows.get(p["marketing"])
        if not o or not m:
            continue
        b: dict = {}
        ho, hm = hashes(o["thumbnail"]) if o["thumbnail"] else None, hashes(m["thumbnail"]) if m["thumbnail"] else None
        if ho and hm:
            b["thumb_phash"] = int(ho[0] - hm[0])
            b["thumb_phash_mirror"] = int(ho[0] - hm[1])
        b["caption_similarity"] = round(fuzz.token_set_ratio(o["caption"].lower(), m["caption"].lower()), 1)
        try:
            b["duration_diff_s"] = round(abs(float(o["duration_s"]) - float(m["duration_s"])), 1)
        except ValueError:
            pass
        b["same_music"] = o["music_id"] == m["music_id"]
        b["shared_products"] = len(set(filter(None, o["product_ids"].split("|")))
                                   & set(filter(None, m["product_ids"].split("|"))))
        b["frames"] = [len([x for x in o["frames"].split("|") if x]), len([x for x in m["frames"].split("|") if x])]
        p["bench"] = b


# ---------------------------------------------------------------------------------------
# Printing
# ---------------------------------------------------------------------------------------

def _pct(x) -> str:
    return "n/a" if x is None else f"{100 * x:.1f}%"


def print_text(res: dict, show: int, out=sys.stdout) -> None:
    w = out.write
    w(f"DUP001 on {res['pairs']} candidate pairs: {res['positives']} positives, {res['negatives']} negatives\n")
    w(f"  findings {res['predicted']} (duplicates {res['duplicate_findings']}), TP {res['tp']}, FP {res['fp']}, "
      f"FN {res['fn']}\n")
    w(f"  precision {_pct(res['precision'])}  recall {_pct(res['recall'])}  F1 {_pct(res['f1'])}  "
      f"FP rate {_pct(res['fp_rate'])}\n")
    for title, key in (("recall per transform", "recall_per_transform"),
                       ("recall per caption edit", "recall_per_caption_edit"),
                       ("recall per key frames available", "recall_per_frames")):
        if res[key]:
            w(f"\n{title}:\n")
            for name, g in res[key].items():
                w(f"  {name:<22} {g['found']:>4}/{g['positives']:<4} {_pct(g['recall']):>7}\n")
    w("\nfalse positives per hard-negative kind:\n")
    for name, g in res["fp_per_kind"].items():
        pairs = "-" if g["pairs"] is None else g["pairs"]
        w(f"  {name:<22} {g['flagged']:>4}/{pairs:<5} {_pct(g['fp_rate']):>7}\n")
    w("\nfalse positives among hard negatives sharing:\n")
    for name, g in res["fp_per_shared_signal"].items():
        w(f"  {name:<22} {g['flagged']:>4}/{g['pairs']:<5} {_pct(g['fp_rate']):>7}\n")

    def listing(title, items, fmt):
        w(f"\n{title} ({len(items)}{', first ' + str(show) if len(items) > show else ''}):\n")
        for it in items[:show]:
            w("  " + fmt(it) + "\n")

    listing("misses", res["misses"], lambda p: (
        f"{p['store_id']} {p['official']}~{p['marketing']} {p['transform']}/{p['caption_edit']} "
        f"frames={p.get('frames')} bench={json.dumps(p.get('bench', {}), ensure_ascii=False)}"))
    listing("false positives", res["false_positives"], lambda p: (
        f"{p['store_id']} {p['official']}~{p['marketing']} {p['kind']} shares={','.join(p['shares']) or '-'}"
        f"{' overlap=' + str(p['overlap']) if 'overlap' in p else ''} "
        f"evidence={json.dumps(p.get('evidence'), ensure_ascii=False)} "
        f"bench={json.dumps(p.get('bench', {}), ensure_ascii=False)}"))
    if res["invalid_findings"]:
        listing("invalid findings", res["invalid_findings"],
                lambda x: f"{x['store_id']} {x['subjects']}: {x['why']}")


def markdown(res: dict, meta: dict | None = None) -> str:
    lines = []
    if meta:
        c = meta.get("counts", {})
        lines.append(f"Set: bench/dupdata.py seed {meta.get('seed')}: {c.get('stores')} stores, "
                     f"{c.get('videos')} videos ({c.get('videos_without_frames')} without key frames), "
                     f"{c.get('images')} images, {c.get('pairs')} candidate pairs "
                     f"({c.get('positives')} positives).\n")
    lines += ["| metric | value |", "|---|---|",
              f"| precision | {_pct(res['precision'])} ({res['tp']}/{res['tp'] + res['fp']}) |",
              f"| recall | {_pct(res['recall'])} ({res['tp']}/{res['positives']}) |",
              f"| F1 | {_pct(res['f1'])} |",
              f"| false positives | {res['fp']} of {res['negatives']} negative pairs ({_pct(res['fp_rate'])}) |",
              ""]
    for title, key in (("transform", "recall_per_transform"), ("caption edit", "recall_per_caption_edit"),
                       ("key frames", "recall_per_frames")):
        if not res[key]:
            continue
        lines += [f"| {title} | positives | found | recall |", "|---|---:|---:|---:|"]
        lines += [f"| {n} | {g['positives']} | {g['found']} | {_pct(g['recall'])} |" for n, g in res[key].items()]
        lines.append("")
    lines += ["| hard negative kind | pairs | flagged | FP rate |", "|---|---:|---:|---:|"]
    for n, g in res["fp_per_kind"].items():
        if n == "invalid_finding" and not g["flagged"]:
            continue
        lines.append(f"| {n} | {'-' if g['pairs'] is None else g['pairs']} | {g['flagged']} | {_pct(g['fp_rate'])} |")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------
# Running lint
# ---------------------------------------------------------------------------------------

def _python() -> str:
    venv = ROOT / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def run_lint(data: Path, output: Path) -> tuple[dict, float]:
    cmd = [_python(), "-m", "lint", "check", str(data), "--select", "DUP001", "--format", "json",
           "--output", str(output), "--as-of", AS_OF]
    output.unlink(missing_ok=True)
    t = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    secs = time.perf_counter() - t
    if proc.returncode not in (0, 1) or not output.exists():
        sys.stderr.write(f"lint failed (exit {proc.returncode}): {' '.join(cmd)}\n{proc.stderr[-4000:]}\n")
        raise SystemExit(2)
    return json.loads(output.read_text(encoding="utf-8")), secs


def _rule_status(report: dict) -> str | None:
    """Why DUP001 produced nothing, when it did not run."""
    rules = report.get("rules", {})
    if "DUP001" in rules.get("run", []):
        return None
    why = rules.get("not_run", {}).get("DUP001")
    return f"DUP001 was not run{': ' + json.dumps(why, ensure_ascii=False) if why else ''}"


# ---------------------------------------------------------------------------------------
# Self-check of score()
# ---------------------------------------------------------------------------------------

def _selftest() -> None:
    labels = {
        "universe": {"S1": {"official": ["o1", "o2"], "marketing": ["m1", "m2", "m3"]},
                     "S2": {"official": ["o3"], "marketing": ["m4", "m5"]}},
        "positives": [
            {"store_id": "S1", "official": "o1", "marketing": "m1", "transform": "mirror", "caption_edit": "none",
             "frames": "both"},
            {"store_id": "S1", "official": "o2", "marketing": "m2", "transform": "crop10",
             "caption_edit": "rewritten", "frames": "none"},
            {"store_id": "S2", "official": "o3", "marketing": "m4", "transform": "mirror",
             "caption_edit": "emoji_added", "frames": "both"},
        ],
        "negatives_hard": [
            {"store_id": "S1", "official": "o1", "marketing": "m3", "kind": "other_crop_same_photo",
             "shares": ["same_photo"]},
            {"store_id": "S2", "official": "o3", "marketing": "m5", "kind": "caption_template",
             "shares": ["caption_template", "same_music"]},
        ],
    }

    def f(store, o, m, rule="DUP001"):
        return {"rule": rule, "store_id": store, "subjects": [o, m], "evidence": {"thumb": 3}}

    allpos = [f(p["store_id"], p["official"], p["marketing"]) for p in labels["positives"]]
    r = score(allpos, labels)
    assert (r["precision"], r["recall"], r["fp"], r["fn"]) == (1.0, 1.0, 0, 0), r
    assert r["pairs"] == 8 and r["negatives"] == 5
    assert r["recall_per_transform"]["mirror"] == {"positives": 2, "found": 2, "recall": 1.0}

    r = score(allpos + [f("S2", "o3", "m5")], labels)
    assert r["precision"] == 0.75 and r["recall"] == 1.0, r
    assert r["fp_per_kind"]["caption_template"]["flagged"] == 1
    assert r["fp_per_kind"]["other_crop_same_photo"]["flagged"] == 0
    assert r["fp_per_shared_signal"]["same_music"]["flagged"] == 1
    assert r["false_positives"][0]["evidence"] == {"thumb": 3}

    r = score(allpos[1:] + [f("S1", "o2", "m1")], labels)   # a miss, and a non-hard negative
    assert r["recall"] == round(2 / 3, 4) and r["fn"] == 1 and r["misses"][0]["marketing"] == "m1"
    assert r["fp_per_kind"]["other_negative"] == {"pairs": 3, "flagged": 1, "fp_rate": round(1 / 3, 4)}
    assert r["recall_per_caption_edit"]["none"]["recall"] == 0.0

    r = score(allpos + allpos[:1] + [f("S1", "o1", "m1", rule="LIVE001")], labels)   # duplicates, other rules
    assert (r["precision"], r["recall"], r["duplicate_findings"]) == (1.0, 1.0, 1), r

    r = score(allpos + [f("S1", "m3", "o1"), f("S2", "o1", "m1")], labels)   # swapped, wrong store
    assert r["fp"] == 2 and r["precision"] == 0.6 and len(r["invalid_findings"]) == 2, r
    assert "swapped" in r["invalid_findings"][0]["why"]

    r = score([], labels)
    assert r["precision"] is None and r["recall"] == 0.0 and r["fn"] == 3

    md = markdown(score(allpos, labels))
    assert "| precision | 100.0% (3/3) |" in md
    print("score() self-test: ok")

    real = DEFAULT_DATA / "labels.json"
    if real.exists():   # on the real set: all positives, then all positives + every hard negative
        lab = json.loads(real.read_text(encoding="utf-8"))
        pos = [f(p["store_id"], p["official"], p["marketing"]) for p in lab["positives"]]
        r = score(pos, lab)
        assert (r["precision"], r["recall"]) == (1.0, 1.0), r["precision"]
        neg = [f(h["store_id"], h["official"], h["marketing"]) for h in lab["negatives_hard"]]
        r = score(pos + neg, lab)
        assert r["recall"] == 1.0 and r["fp"] == len(neg)
        assert all(g["fp_rate"] == 1.0 for k, g in r["fp_per_kind"].items() if k in HARD_KINDS and g["pairs"])
        print(f"score() on {real}: ok ({len(pos)} positives, {len(neg)} hard negatives)")


# ---------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=str(DEFAULT_DATA), help="the labelled export (built if missing)")
    ap.add_argument("--seed", type=int, default=1, help="seed when the set is built")
    ap.add_argument("--report", help="write the full score as JSON here")
    ap.add_argument("--findings", help="score this lint JSON report instead of running lint")
    ap.add_argument("--lint-output", help="where lint writes its JSON report (default: DATA.lint.json)")
    ap.add_argument("--markdown", action="store_true", help="print tables for bench/RESULTS.md")
    ap.add_argument("--show", type=int, default=40, help="misses / false positives listed (default 40)")
    ap.add_argument("--no-diagnose", action="store_true", help="skip the bench's own signals on misses and FPs")
    ap.add_argument("--selftest", action="store_true", help="check score() on synthetic findings and exit")
    a = ap.parse_args(argv)
    if a.selftest:
        _selftest()
        return 0

    data = Path(a.data)
    if not (data / "labels.json").exists():
        sys.path.insert(0, str(HERE))
        import dupdata
        print(f"building the set in {data} (seed {a.seed})...", file=sys.stderr)
        dupdata.build(data, a.seed, quiet=True)
    labels = json.loads((data / "labels.json").read_text(encoding="utf-8"))

    if a.findings:
        report, secs = json.loads(Path(a.findings).read_text(encoding="utf-8")), None
    else:
        out = Path(a.lint_output) if a.lint_output else data.with_name(data.name + ".lint.json")
        report, secs = run_lint(data, out)
    status = _rule_status(report)
    res = score(report.get("findings", []), labels)
    if not a.no_diagnose:
        diagnose(data, res["misses"][: max(a.show, 200)] + res["false_positives"][: max(a.show, 200)])
    res["lint_seconds"] = None if secs is None else round(secs, 1)
    res["dup001_status"] = status or "run"

    if status:
        print(f"note: {status}; every positive counts as a miss.", file=sys.stderr)
    if a.markdown:
        sys.stdout.write(markdown(res, labels.get("meta")))
    else:
        if secs is not None:
            print(f"lint ran in {secs:.1f} s")
        print_text(res, a.show)
    if a.report:
        Path(a.report).write_text(json.dumps(res, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
