"""Every case in ../shared/conformance must give exactly its expected findings: the same
comparison ../shared/tools/conformance makes, held by CI.

When the repo is checked out without ../shared beside it (a CI runner's clean clone), the
copy in tests/conformance/ (cases, expected findings and compare_findings.py, taken from
../shared) is used, so CI holds the contract either way; ../shared wins when present."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SHARED, run_cli

VENDORED = Path(__file__).resolve().parent / "conformance"
if (SHARED / "conformance").is_dir() and (SHARED / "tools" / "compare_findings.py").is_file():
    CASES_DIR, COMPARE = SHARED / "conformance", SHARED / "tools" / "compare_findings.py"
else:
    CASES_DIR, COMPARE = VENDORED, VENDORED / "compare_findings.py"
CASES = sorted(p.name[: -len(".expected.json")] for p in CASES_DIR.glob("*.expected.json"))


@pytest.mark.parametrize("case", CASES)
def test_conformance_case(case, tmp_path):
    expected_file = CASES_DIR / f"{case}.expected.json"
    expected = json.loads(expected_file.read_text(encoding="utf-8"))
    out = tmp_path / "report.json"
    res = run_cli("check", CASES_DIR / case, "--format", "json", "--output", out,
                  "--as-of", expected["as_of"])
    assert res.returncode in (0, 1), res.stderr
    compare = subprocess.run([sys.executable, str(COMPARE),
                              str(expected_file), str(out)], capture_output=True, text=True)
    assert compare.returncode == 0, compare.stdout + compare.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["rules"]["not_checked"] == expected.get("not_checked", {})
    assert report["summary"]["by_rule"] == {k: v for k, v in expected["by_rule"].items() if v}
