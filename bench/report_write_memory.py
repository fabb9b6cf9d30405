"""Peak memory of writing a big JSON report (issue 13, the 10M-event client): as
lint.reports.json_report.render does it, `json.dumps(report, ensure_ascii=False, indent=1) + "\\n"`
as one string then written, against `json.dump` streamed to the file. The report's dict is
re-read from an existing report, in a fresh process per way.

    python bench/report_write_memory.py REPORT.json          # every way; checks the bytes equal

Ways: `string` json.dumps as one string; `stream` json.dump to the file; `text`
lint.reports.json_text.dumps_indent1 as one string, then encoded (the renderer before);
`pieces` json_text.dumps_indent1_utf8, encoded piece by piece (the renderer now).

Prints the RSS with the dict loaded, the peak before writing (json.load's) and after.
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _status() -> dict[str, int]:
    with open("/proc/self/status") as fh:
        return {line.split()[0].rstrip(":"): int(line.split()[1]) // 1024
                for line in fh if line.startswith(("VmHWM", "VmRSS"))}


def one(src: str, how: str, out: str) -> None:
    report = json.loads(Path(src).read_text(encoding="utf-8"))
    before = _status()
    t0 = time.perf_counter()
    if how in ("text", "pieces"):  # lint.reports.json_text: the text as one string, or piece by piece
        from lint.reports.json_text import dumps_indent1, dumps_indent1_utf8
        body = ((dumps_indent1(report) + "\n").encode("utf-8") if how == "text"
                else dumps_indent1_utf8(report, end="\n"))
        with open(out, "wb") as fh:
            fh.write(body)
        del body
    else:
        with open(out, "w", encoding="utf-8") as fh:
            if how == "string":
                fh.write(json.dumps(report, ensure_ascii=False, indent=1) + "\n")
            else:
                json.dump(report, fh, ensure_ascii=False, indent=1)
                fh.write("\n")
    after = _status()
    print(f"{how}: RSS with the dict {before['VmRSS']} MB, peak before writing {before['VmHWM']} MB, "
          f"peak after {after['VmHWM']} MB, writing {time.perf_counter() - t0:.1f} s")


def main():
    if len(sys.argv) == 4:
        one(*sys.argv[1:])
        return
    src = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        for how in ("string", "stream", "text", "pieces"):
            out = Path(tmp) / f"{how}.json"
            subprocess.run([sys.executable, __file__, src, how, str(out)], check=True)
            print("  byte-identical to the report:", out.read_bytes() == Path(src).read_bytes())
            out.unlink()


if __name__ == "__main__":
    main()
