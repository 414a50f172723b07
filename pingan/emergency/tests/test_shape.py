"""The app's shape (issue 16): actions modules under ~400 lines, no import cycle between the app's
modules at import time (actions ↔ services was one), and services is the only door for other apps."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "pingan.emergency"


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = [p for p in rel.parts if p != "__init__"]
    return ".".join([PACKAGE, *parts]) if parts else PACKAGE


def _top_level_imports(path: Path) -> set[str]:
    """The app's modules imported at module level (imports inside functions run late: no cycle)."""
    name = _module_name(path)
    is_package = path.name == "__init__.py"
    base = name.split(".") if is_package else name.split(".")[:-1]
    out: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ImportFrom):
            if node.level:
                target = ".".join(base[: len(base) - node.level + 1] + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.startswith(PACKAGE):
                out.add(target)
                out.update(f"{target}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith(PACKAGE))
    return out


def _graph() -> dict[str, set[str]]:
    files = [p for p in ROOT.rglob("*.py") if "tests" not in p.parts and "migrations" not in p.parts]
    names = {_module_name(p): p for p in files}
    return {n: {t for t in _top_level_imports(p) if t in names and t != n} for n, p in names.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    found, state, stack = [], {}, []

    def visit(n: str) -> None:
        state[n] = 1
        stack.append(n)
        for m in sorted(graph.get(n, ())):
            if state.get(m) == 1:
                found.append([*stack[stack.index(m) :], m])
            elif m not in state:
                visit(m)
        stack.pop()
        state[n] = 2

    for n in sorted(graph):
        if n not in state:
            visit(n)
    return found


def test_no_import_cycle_inside_the_app():
    graph = _graph()
    # the package __init__ re-exports its modules: an edge to the package is an edge to its parts
    assert _cycles(graph) == []
    assert f"{PACKAGE}.services" not in {
        t for n, ts in graph.items() if n != f"{PACKAGE}.services" for t in ts
    }


def test_actions_modules_are_small():
    sizes = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in (ROOT / "actions").glob("*.py")}
    assert set(sizes) >= {"__init__.py", "incidents.py", "reporting.py", "roster.py", "sanfang.py"}
    assert max(sizes.values()) <= 400, sizes
    assert not (ROOT / "actions.py").exists()
