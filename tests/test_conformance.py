"""Every case in ../shared/conformance must give exactly its expected findings: the same
comparison ../shared/tools/conformance makes, held by CI."""
import json
import subprocess
import sys

import pytest

from conftest import SHARED, run_cli

CASES = sorted(p.name[: -len(".expected.json")] for p in (SHARED / "conformance").glob("*.expected.json"))


@pytest.mark.skipif(not CASES, reason="no ../shared/conformance cases beside the repo")
@pytest.mark.parametrize("case", CASES)
def test_conformance_case(case, tmp_path):
    expected_file = SHARED / "conformance" / f"{case}.expected.json"
    expected = json.loads(expected_file.read_text(encoding="utf-8"))
    out = tmp_path / "report.json"
    res = run_cli("check", SHARED / "conformance" / case, "--format", "json", "--output", out,
                  "--as-of", expected["as_of"])
    assert res.returncode in (0, 1), res.stderr
    compare = subprocess.run([sys.executable, str(SHARED / "tools" / "compare_findings.py"),
                              str(expected_file), str(out)], capture_output=True, text=True)
    assert compare.returncode == 0, compare.stdout + compare.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["rules"]["not_checked"] == expected.get("not_checked", {})
    assert report["summary"]["by_rule"] == {k: v for k, v in expected["by_rule"].items() if v}
