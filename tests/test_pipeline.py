"""The one pipeline and the rule registry: what every front end relies on."""
from __future__ import annotations

import ast
import json
import shutil
from pathlib import Path

import pytest

from lint import LintOptions
from lint import lint as api_lint
from lint.checks import Partition, Visual, load_all, validate_pack
from lint.core.policy import PolicyError, load_policy

from conftest import REPO, bind, make_export, run_cli

AS_OF = "2025-12-31T00:00:00+07:00"


def test_every_rule_of_the_pack_has_exactly_one_check_with_its_declarations():
    policy, registry = load_policy(), load_all()
    assert set(registry) == set(policy.rules)
    for code, spec in registry.items():
        assert spec.code == code and isinstance(spec.partition, Partition) and isinstance(spec.visual, Visual)
        module = Path(__import__(spec.fn.__module__, fromlist=["_"]).__file__)
        assert module.name.startswith(code.lower() + "_"), (code, module)


def test_no_module_outside_a_rule_names_a_rule_code():
    """Adding a rule touches only rules/CODE.*, its check module and its test: nothing else
    in lint/ may name a code in its code (docstrings and comments may give examples)."""
    codes = set(load_policy().rules)
    offenders = []
    for path in (REPO / "lint").rglob("*.py"):
        if path.parent.name == "checks" and path.name.split("_")[0].upper() in codes:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                      if isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))
                      and n.body and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                named = [c for c in codes if c in node.value]
                if named:
                    offenders.append(f"{path.relative_to(REPO)}:{node.lineno} {named}")
    assert offenders == []


def _pack_copy(tmp_path) -> Path:
    pack = tmp_path / "rules"
    shutil.copytree(REPO / "rules", pack)
    return pack


@pytest.mark.parametrize("edit, words", [
    (lambda p: (p / "BIND004.toml").write_text((p / "BIND004.toml").read_text().replace('severity = "error"',
                                                                                         'severity = "fatal"')),
     "BIND004.toml: severity 'fatal'"),
    (lambda p: (p / "BIND004.md").unlink(), "BIND004.md: every rule needs a doc"),
    (lambda p: (p / "BIND004.toml").write_text("code = [unclosed"), "BIND004.toml: not valid TOML"),
    (lambda p: (p / "BIND004.toml").write_text((p / "BIND004.toml").read_text().replace("code = \"BIND004\"",
                                                                                         "code = \"BIND04\"")),
     "must be 3-5 capital letters"),
    (lambda p: (p / "pack.toml").unlink(), "pack.toml: missing from the policy pack"),
    (lambda p: [f.unlink() for f in p.glob("*.toml") if f.name not in ("pack.toml", "labels.toml")],
     "the policy pack has no rules"),
])
def test_policy_pack_loader_errors_name_the_file_and_the_key(tmp_path, edit, words):
    pack = _pack_copy(tmp_path)
    edit(pack)
    with pytest.raises(PolicyError, match=words.replace("(", r"\(")):
        load_policy(pack)


def test_a_message_placeholder_the_check_never_gives_is_a_pack_error(tmp_path):
    pack = _pack_copy(tmp_path)
    toml = pack / "LIVE001.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("{official_account}", "{oficial_account}", 1),
                    encoding="utf-8")
    policy = load_policy(pack)
    with pytest.raises(PolicyError, match=r"LIVE001.toml \[message\] en: unknown placeholder \{oficial_account\}"):
        validate_pack(policy)
    validate_pack(load_policy())  # the shipped pack is whole


def test_a_table_no_rule_reads_never_stops_a_run(export_dir):
    make_export(export_dir, {"bindings": [bind("E1", "S1", "A1", "official", "bind", "2025-03-01T10:00:00+07:00")]})
    (export_dir / "products.csv").write_text("sku;title\nX;Y\n", encoding="utf-8")  # another shape
    res = run_cli("check", export_dir, "--as-of", AS_OF, "--format", "json")
    assert res.returncode == 0, res.stderr
    report = json.loads(res.stdout)
    warnings = [p for p in report["input_errors"] if p["file"] == "products.csv"]
    assert warnings and all(w["level"] == "warning" and "not read by the rules run" in w["message"] for w in warnings)
    assert report["findings"] == [] and report["rules"]["run"]


def test_a_table_only_unselected_rules_read_does_not_stop_a_selected_run(export_dir):
    make_export(export_dir, {"bindings": [bind("E1", "S1", "A1", "official", "bind", "2025-03-01T10:00:00+07:00")]})
    (export_dir / "live_sessions.csv").write_text("nothing,useful\n1,2\n", encoding="utf-8")
    assert run_cli("check", export_dir, "--as-of", AS_OF).returncode == 2  # LIVE001 needs it
    res = run_cli("check", export_dir, "--as-of", AS_OF, "--select", "BIND")
    assert res.returncode == 0, res.stderr


@pytest.mark.skipif(__import__("importlib.util").util.find_spec("distributed") is None, reason="needs dask")
def test_the_dask_engine_is_an_option_of_the_same_call():
    local = api_lint(REPO / "sample_data", LintOptions(as_of=AS_OF)).render("json")
    dask = api_lint(REPO / "sample_data", LintOptions(as_of=AS_OF, engine="dask", scheduler="synchronous"))
    assert dask.render("json") == local
