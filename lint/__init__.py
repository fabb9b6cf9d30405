"""shoplint: lint TikTok Shop by Tokopedia exports against the platform's account rules.

The Python API (docs/python-api.md):

    from lint import LintOptions, lint
    result = lint("export.zip", LintOptions(as_of="2026-01-01T00:00:00+07:00", select=("BIND",)))
    for finding in result.findings: ...
    result.report()          # the JSON report as a dict
    result.render("html")    # any report format, as bytes
    result.headroom          # what each store may still do (also the JSON report's "headroom")

    from lint import Action, plan
    answer = plan("export.zip", Action("unbind", store_id="S01", account_id="promo5"), options)
    answer.allowed, [f.rule for f in answer.broken], answer.earliest

`lint` raises UnusableExport when the export cannot be used (the command line's exit 2) and
OptionError for an option it cannot use.
"""

__version__ = "0.1.0"

__all__ = ["lint", "plan", "Action", "PlanAnswer", "PlanError", "LintOptions", "Result", "Finding",
           "UnusableExport", "OptionError", "InputProblem", "ProblemLevel", "resolve_options", "History",
           "HistoryError", "__version__"]


def __getattr__(name: str):
    # imported on first use, so `shoplint --version` and `--help` do not load pandas
    if name in ("Action", "PlanAnswer", "PlanError"):
        import lint.planner as planner
        return getattr(planner, name)
    if name in ("lint", "plan", "UnusableExport"):
        import lint.pipeline as pipeline
        return getattr(pipeline, name)
    if name in ("LintOptions", "OptionError"):
        import lint.settings.options as options
        return getattr(options, name)
    if name == "resolve_options":
        from lint.settings.options import resolve
        return resolve
    if name == "Result":
        from lint.core.result import Result
        return Result
    if name in ("History", "HistoryError"):
        import lint.nightly.history as history
        return getattr(history, name)
    if name == "Finding":
        from lint.core.findings import Finding
        return Finding
    if name in ("InputProblem", "ProblemLevel"):
        import lint.core.model as model
        return getattr(model, name)
    raise AttributeError(f"module 'lint' has no attribute {name!r}")
