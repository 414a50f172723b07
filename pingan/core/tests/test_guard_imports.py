"""The import graph keeps its shape (docs/architecture.md, "Layers and imports").

Read from the source with `ast`, without importing anything, so it is fast and sees every module:

- no cycle between `pingan.*` modules. Module-level, class-level and function-level (lazy) imports all
  count: a lazy import that closes a cycle hides the cycle, it does not break it. Imports under
  `if TYPE_CHECKING:` do not count (they never run);
- the foundation (core, geo, org, notify) never imports a domain app, in any form, not even for types;
- a domain app imports another domain app only through its `services` module;
- no `pingan` module is imported by name (`importlib.import_module`, `__import__`) except by the two
  registries that look modules up by convention.

The allow-lists below name today's known offenders; the app engineers are removing them. An entry
that no longer matches anything fails too, so the list shrinks with the code.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = ROOT / "pingan"

# Apps every other app may build on. Everything else under pingan/ that is not in COMPOSITION is a
# domain app, so a new module (risks, inspections, licensing, ...) is covered without editing this file.
FOUNDATION = {"core", "geo", "org", "notify"}
# Apps that put others together: settings and URLs, the public portal, the command dashboard, the
# field app (the phone's offline records, synced through each domain app's services) and the annual
# assessment that scores the dashboard's figures (decision 0015).
COMPOSITION = {"config", "portal", "dashboard", "field", "assessment"}

# Cycles known on the day the guard was written, as sets of modules. INTEGRATOR: empty this once
# emergency's reporting-body look-ups have their own module and rescue's execute_run lives in tasks.
KNOWN_CYCLES: list[frozenset[str]] = []

# Modules allowed to import `pingan` modules by name, for good: the permission registry resolves
# "app.verb" to pingan.<app>.permissions, and seed_demo runs each installed app's demo.py.
IMPORT_BY_NAME_ALLOWED = {"pingan.core.permissions", "pingan.core.management.commands.seed_demo"}
# INTEGRATOR: empty this once monitoring's adapters are direct imports behind apps.is_installed and
# rescue imports its OSM reader normally.
KNOWN_IMPORT_BY_NAME = {"pingan.rescue.actions"}

# (importing module prefix, imported module) pairs between domain apps that do not go through
# services. INTEGRATOR: empty once rescue reads incidents through pingan.emergency.services.
KNOWN_CROSS_APP: set[tuple[str, str]] = set()


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    path: str
    line: int
    kind: str  # "module" (runs on import), "lazy" (inside a function), "dynamic" (by name), "types"

    def __str__(self) -> str:
        return f"{self.source} -> {self.target}  ({self.path}:{self.line}, {self.kind})"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def source_modules(package: Path = PACKAGE) -> dict[str, Path]:
    """Every application module (tests and migrations are not part of the graph)."""
    return {
        _module_name(p): p
        for p in sorted(package.rglob("*.py"))
        if "tests" not in p.parts and "migrations" not in p.parts
    }


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


class _Collector:
    def __init__(self, module: str, path: Path, modules: set[str]) -> None:
        self.module = module
        self.path = str(path.relative_to(ROOT))
        self.modules = modules
        self.is_package = path.name == "__init__.py"
        self.edges: list[Edge] = []
        self.imports_by_name: list[int] = []
        self.strings: list[tuple[str, int]] = []

    def resolve(self, dotted: str) -> str | None:
        """The longest known module that `dotted` names (`pkg.mod.attr` → `pkg.mod`)."""
        name = dotted
        while name and name not in self.modules:
            name = name.rpartition(".")[0]
        return name or None

    def add(self, dotted: str, line: int, kind: str) -> None:
        target = self.resolve(dotted)
        if target and target != self.module and target != "pingan":
            self.edges.append(Edge(self.module, target, self.path, line, kind))

    def absolute(self, node: ast.ImportFrom) -> str:
        if not node.level:
            return node.module or ""
        base = self.module.split(".") if self.is_package else self.module.split(".")[:-1]
        base = base[: len(base) - (node.level - 1)]
        return ".".join(base + ([node.module] if node.module else []))

    def visit(self, node: ast.AST, kind: str) -> None:
        for child in ast.iter_child_nodes(node):
            self.visit_node(child, kind)

    def visit_node(self, node: ast.AST, kind: str) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.body:
                self.visit_node(child, "types")
            for child in node.orelse:
                self.visit_node(child, kind)
            return
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            return  # docstrings
        if isinstance(node, ast.JoinedStr):
            return  # f-strings build names at run time; only literal names are followed
        inner = "lazy" if kind == "module" else kind
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            self.visit(node, inner)
            return
        if isinstance(node, ast.Import):
            for alias in node.names:
                self.add(alias.name, node.lineno, kind)
        elif isinstance(node, ast.ImportFrom):
            base = self.absolute(node)
            for alias in node.names:
                self.add(f"{base}.{alias.name}", node.lineno, kind)
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name in {"import_module", "__import__"}:
                self.imports_by_name.append(node.lineno)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            self.strings.append((node.value, node.lineno))
        self.visit(node, kind)

    def collect(self, tree: ast.Module) -> None:
        self.visit(tree, "module")
        # A module that imports by name: every literal naming a pingan module is an arrow too
        # (monitoring's adapters pass "pingan.emergency.services" to a helper that imports it).
        if self.imports_by_name:
            for value, line in self.strings:
                if value.startswith("pingan.") and not value.endswith("."):
                    self.add(value, line, "dynamic")


def import_graph(package: Path = PACKAGE) -> tuple[list[Edge], dict[str, list[int]]]:
    """All arrows between pingan modules, and where each module imports by name."""
    modules = source_modules(package)
    names = set(modules)
    edges: list[Edge] = []
    by_name: dict[str, list[int]] = {}
    for module, path in modules.items():
        collector = _Collector(module, path, names)
        collector.collect(ast.parse(path.read_text(encoding="utf-8"), str(path)))
        edges += collector.edges
        if collector.imports_by_name:
            by_name[module] = collector.imports_by_name
    return edges, by_name


def cycles(edges: list[Edge]) -> list[frozenset[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    graph: dict[str, set[str]] = {}
    for e in edges:
        if e.kind != "types":
            graph.setdefault(e.source, set()).add(e.target)
            graph.setdefault(e.target, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(frozenset(component))
    return found


def app_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def is_domain(app: str) -> bool:
    return bool(app) and app not in FOUNDATION and app not in COMPOSITION


def describe(component: frozenset[str], edges: list[Edge]) -> str:
    inside = sorted(
        {str(e) for e in edges if e.kind != "types" and e.source in component and e.target in component}
    )
    return "cycle between " + ", ".join(sorted(component)) + ":\n    " + "\n    ".join(inside)


# --- the guards -------------------------------------------------------------------------------------
EDGES, BY_NAME = import_graph()


def test_the_graph_is_read():
    # A broken reader would pass every guard below; make sure it sees the arrows we know exist.
    pairs = {(e.source, e.target, e.kind) for e in EDGES}
    assert ("pingan.hazards.actions.common", "pingan.core.actions", "module") in pairs
    assert any(e.kind == "lazy" for e in EDGES) and any(e.kind == "types" for e in EDGES)


def test_no_import_cycles():
    found = cycles(EDGES)
    new = [c for c in found if c not in KNOWN_CYCLES]
    stale = [c for c in KNOWN_CYCLES if c not in found]
    assert not new, "import cycles (break them; a lazy import does not):\n" + "\n".join(
        describe(c, EDGES) for c in new
    )
    assert not stale, f"KNOWN_CYCLES lists cycles that are gone, remove them: {[sorted(c) for c in stale]}"


def test_foundation_never_imports_a_domain_app():
    bad = [e for e in EDGES if app_of(e.source) in FOUNDATION and is_domain(app_of(e.target))]
    assert not bad, "core/geo/org/notify must not know the domain apps:\n" + "\n".join(map(str, bad))


def test_domain_apps_meet_only_through_services():
    bad = [
        e
        for e in EDGES
        if is_domain(app_of(e.source))
        and is_domain(app_of(e.target))
        and app_of(e.source) != app_of(e.target)
        and not e.target.endswith(".services")
        and e.kind != "types"
    ]
    new = [e for e in bad if (e.source, e.target) not in KNOWN_CROSS_APP]
    stale = KNOWN_CROSS_APP - {(e.source, e.target) for e in bad}
    assert not new, "another app is reached only through its services.py:\n" + "\n".join(map(str, new))
    assert not stale, f"KNOWN_CROSS_APP entries no longer needed, remove them: {sorted(stale)}"


def test_no_import_by_name():
    offenders = set(BY_NAME) - IMPORT_BY_NAME_ALLOWED
    new = offenders - KNOWN_IMPORT_BY_NAME
    stale = KNOWN_IMPORT_BY_NAME - offenders
    assert not new, "import pingan modules with `import`, not by name: " + ", ".join(
        f"{m} (lines {BY_NAME[m]})" for m in sorted(new)
    )
    assert not stale, f"KNOWN_IMPORT_BY_NAME entries no longer needed, remove them: {sorted(stale)}"
