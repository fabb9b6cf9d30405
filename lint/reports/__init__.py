"""Reporters: render a Result. They never recompute a rule."""
from __future__ import annotations

from lint.reports import html_report, json_report, table_reports, text_report

# format -> render(result, lang, fail_on, color) -> str (text) or bytes (binary)
RENDERERS = {"json": json_report.render_utf8, "text": text_report.render, "html": html_report.render,
             "csv": table_reports.render_csv, "jsonl": table_reports.render_jsonl,
             "parquet": table_reports.render_parquet}
EXTENSIONS = {"json": "json", "text": "txt", "html": "html", "csv": "csv", "jsonl": "jsonl", "parquet": "parquet"}
