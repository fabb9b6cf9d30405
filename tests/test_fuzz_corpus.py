"""The failures the fuzzing found (tests/test_fuzz.py), kept as small exports.

Each folder of tests/fuzz_corpus/ is an export with a `case.toml`: what went wrong
(`found`), what fixed it (`fixed`), the allowed exit statuses, and optionally the expected
`rows_read` and words that must appear in the input errors (or, on exit 2, on stderr)."""
from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

import fuzzkit as fk

CORPUS = Path(__file__).resolve().parent / "fuzz_corpus"
CASES = sorted(p for p in CORPUS.iterdir() if (p / "case.toml").is_file()) if CORPUS.is_dir() else []


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_fuzz_corpus_case(case):
    spec = tomllib.loads((case / "case.toml").read_text(encoding="utf-8"))
    assert spec["found"] and spec["fixed"]
    target = case / spec["export"] if "export" in spec else case
    result = fk.check_json(target, *spec.get("args", []))
    files = [p.name for p in case.iterdir()] + [target.name]
    report = fk.assert_clean_outcome(result, files)
    assert result.exit_code in spec["exit"], (result.exit_code, result.stderr)
    if report is None:
        for words in spec.get("errors", []):
            assert words in result.stderr, result.stderr
        return
    messages = " / ".join(f"{e['file']} {e['row']} {e['column']}: {e['message']}" for e in report["input_errors"])
    for words in spec.get("errors", []):
        assert words in messages, messages
    if target.is_dir():
        fk.assert_rows_accounted(target, spec.get("rows_read"))
    if "rows_read" in spec:
        assert report["rows_read"] == spec["rows_read"]
