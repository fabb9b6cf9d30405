"""Reporters: render a RunResult. They never recompute a rule."""
from __future__ import annotations

from lint.reports import html_report, json_report, text_report

RENDERERS = {"json": json_report.render, "text": text_report.render, "html": html_report.render}
