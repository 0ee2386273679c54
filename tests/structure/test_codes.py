"""The registry of diagnostic codes (reader_build.codes) is complete, has no dead entry, and the
docs' table is generated from it."""
from __future__ import annotations

import ast
import re
from pathlib import Path

from reader_build import codes

# The source tree, not the installed copy: the tests may run against a non-editable install.
ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "reader_build"
DOCS = ROOT / "docs" / "diagnostics.md"
CODE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)+$")
REPORTERS = {"error", "warning", "Diagnostic", "_error", "_warning", "problem"}


def _reported_codes() -> dict[str, str]:
    """Every code literal that the package passes first to a reporting call: code -> place."""
    found = {}
    for path in PACKAGE.rglob("*.py"):
        if path.name == "codes.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            first = node.args[0]
            if name in REPORTERS and isinstance(first, ast.Constant) and isinstance(first.value, str) \
                    and CODE.match(first.value):
                found.setdefault(first.value, f"{path.relative_to(PACKAGE)}:{node.lineno}")
            for keyword in node.keywords:           # decode(..., code="css-encoding"), code_prefix="image"
                value = keyword.value
                if keyword.arg == "code" and isinstance(value, ast.Constant) and CODE.match(str(value.value)):
                    found.setdefault(value.value, f"{path.relative_to(PACKAGE)}:{node.lineno}")
                if keyword.arg == "code_prefix" and isinstance(value, ast.Constant):
                    for suffix in ("-too-large", "-missing"):
                        found.setdefault(value.value + suffix, f"{path.relative_to(PACKAGE)}:{node.lineno}")
            if name in REPORTERS and isinstance(first, ast.JoinedStr):     # f"epubcheck-{…}"
                head = first.values[0]
                if isinstance(head, ast.Constant):
                    found.setdefault(str(head.value), f"{path.relative_to(PACKAGE)}:{node.lineno}")
        for node in ast.walk(tree):                 # def decode(..., code: str = "not-utf8")
            if isinstance(node, ast.FunctionDef):
                names = [a.arg for a in node.args.args][-len(node.args.defaults):] if node.args.defaults else []
                for arg, default in zip(names, node.args.defaults):
                    if arg == "code" and isinstance(default, ast.Constant) and CODE.match(str(default.value)):
                        found.setdefault(default.value, f"{path.relative_to(PACKAGE)}:{node.lineno}")
    return found


def _all_string_literals() -> set[str]:
    out = set()
    for path in PACKAGE.rglob("*.py"):
        if path.name == "codes.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                out.add(node.value)
    return out


def test_every_code_the_package_reports_is_declared():
    undeclared = {code: place for code, place in _reported_codes().items() if codes.lookup(code) is None}
    assert undeclared == {}


def test_every_declared_code_is_used():
    used = _all_string_literals() | set(_reported_codes())
    unused = [code for code in codes.REGISTRY if code not in used]
    assert unused == []
    for prefix in codes.FAMILIES:
        assert prefix in _reported_codes()


def test_each_code_has_a_severity_a_stage_and_a_meaning():
    for code in codes.REGISTRY.values():
        assert code.severity in (codes.ERROR, codes.WARNING)
        assert code.stage and code.meaning.endswith(".")
        assert CODE.match(code.code)


def test_the_docs_table_is_generated_from_the_registry():
    assert DOCS.read_text(encoding="utf-8") == codes.DOC_HEAD + codes.markdown_table(), \
        "docs/diagnostics.md is stale: python -m reader_build.codes > docs/diagnostics.md"
