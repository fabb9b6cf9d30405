"""Reporters: render a Result. They never recompute a rule."""
from __future__ import annotations

import importlib


def _renderer(module: str, name: str):
    """The renderer `name` of lint.reports.`module`, imported when a report of that format is
    first rendered (a run that writes JSON does not import the HTML and table reporters)."""
    def render(result, lang: str = "en", fail_on: str = "error", color: bool = False):
        return getattr(importlib.import_module(f"lint.reports.{module}"), name)(result, lang=lang, fail_on=fail_on,
                                                                               color=color)
    render.__name__ = render.__qualname__ = name
    render.__doc__ = f"lint.reports.{module}.{name}"
    return render


# format -> render(result, lang, fail_on, color) -> str (text) or bytes (binary)
RENDERERS = {"json": _renderer("json_report", "render_utf8"), "text": _renderer("text_report", "render"),
             "html": _renderer("html_report", "render"), "csv": _renderer("table_reports", "render_csv"),
             "jsonl": _renderer("table_reports", "render_jsonl"),
             "parquet": _renderer("table_reports", "render_parquet")}
EXTENSIONS = {"json": "json", "text": "txt", "html": "html", "csv": "csv", "jsonl": "jsonl", "parquet": "parquet"}
