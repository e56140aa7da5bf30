"""Imports point down the layers, never in a circle, and the core imports no framework.

The graph is read from the source (every import, those inside functions included), so a
lazy import cannot hide an upward dependency. Layers, lowest first: core; store and live;
ops; web and guard; the wiring (create_app, the command line, the server).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import workshop

PACKAGE = "workshop"
ROOT = Path(workshop.__file__).parent

LAYERS = {"core": 1, "store": 2, "live": 2, "ops": 3, "web": 4, "guard": 4}
WIRING = {"workshop", "workshop.__main__", "workshop.cli", "workshop.serving"}
LAYER_NAMES = {1: "core", 2: "store/live", 3: "ops", 4: "web/guard", 5: "wiring"}

# What the pure core must never import, nested imports included.
FRAMEWORKS = {"flask", "flask_babel", "flask_socketio", "flask_wtf", "flask_limiter",
              "werkzeug", "sqlalchemy", "socketio", "engineio", "alembic", "gevent",
              "redis", "psycopg"}

Graph = dict[str, dict[str, int]]  # module -> {imported module: first line}


def package_sources(root: Path = ROOT) -> dict[str, tuple[str, bool]]:
    """Return every module of the package: its name -> (source, whether it is a package)."""
    sources = {}
    for path in sorted(root.rglob("*.py")):
        parts = [PACKAGE, *path.relative_to(root).with_suffix("").parts]
        is_package = parts[-1] == "__init__"
        if is_package:
            parts.pop()
        sources[".".join(parts)] = (path.read_text(encoding="utf-8"), is_package)
    return sources


def _known(name: str, modules: set[str]) -> str | None:
    """Return the longest prefix of the dotted `name` that is a module of the package."""
    parts = name.split(".")
    while parts:
        if ".".join(parts) in modules:
            return ".".join(parts)
        parts.pop()
    return None


def imports_of(name: str, source: str, is_package: bool, modules: set[str]) -> dict[str, int]:
    """Return the modules of the package that `source` imports, with the first line of each."""
    found: dict[str, int] = {}

    def add(target: str | None, line: int) -> None:
        if target is not None and target != name:
            found.setdefault(target, line)

    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(_known(alias.name, modules), node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[:len(base) - (node.level - 1)]
                origin = ".".join(base + ([node.module] if node.module else []))
            else:
                origin = node.module or ""
            for alias in node.names:
                # `from workshop.web import answers` imports the module workshop.web.answers.
                submodule = f"{origin}.{alias.name}"
                add(submodule if submodule in modules else _known(origin, modules),
                    node.lineno)
    return found


def import_graph(sources: dict[str, tuple[str, bool]]) -> Graph:
    """Return the import graph of the package's modules."""
    modules = set(sources)
    return {name: imports_of(name, source, is_package, modules)
            for name, (source, is_package) in sources.items()}


def layer_of(module: str) -> int | None:
    """Return the layer of a module of the package (None: it belongs to none)."""
    if module in WIRING:
        return 5
    parts = module.split(".")
    return LAYERS.get(parts[1]) if len(parts) > 1 and parts[0] == PACKAGE else None


def upward_imports(graph: Graph) -> list[str]:
    """Describe every import of a module from a higher layer than its own."""
    found = []
    for module, targets in sorted(graph.items()):
        for target, line in sorted(targets.items()):
            low, high = layer_of(module), layer_of(target)
            if low is not None and high is not None and high > low:
                found.append(f"{module} (layer {low}, {LAYER_NAMES[low]}) imports {target} "
                             f"(layer {high}, {LAYER_NAMES[high]}) at line {line}")
    return found


def cycles(graph: Graph) -> list[list[str]]:
    """Return each strongly connected component of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    lowlink: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = lowlink[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in graph.get(module, {}):
            if target not in index:
                visit(target)
                lowlink[module] = min(lowlink[module], lowlink[target])
            elif target in on_stack:
                lowlink[module] = min(lowlink[module], index[target])
        if lowlink[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return sorted(components)


def describe_cycle(graph: Graph, component: list[str]) -> str:
    """Name the modules of a circle and the imports that close it."""
    members = set(component)
    edges = [f"{a} -> {b} (line {line})" for a in component
             for b, line in sorted(graph[a].items()) if b in members]
    return "circle among " + ", ".join(component) + ": " + "; ".join(edges)


def imported_roots(source: str) -> set[str]:
    """Return the top-level package of every absolute import in `source`, nested ones too."""
    roots: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


SOURCES = package_sources()
GRAPH = import_graph(SOURCES)


# --- the package --------------------------------------------------------------------

def test_every_module_belongs_to_a_layer():
    assert len(GRAPH) > 50
    assert [module for module in GRAPH if layer_of(module) is None] == []


def test_imports_point_down_the_layers():
    upward = upward_imports(GRAPH)
    assert not upward, "imports from a higher layer:\n" + "\n".join(upward)


def test_no_import_cycles():
    found = cycles(GRAPH)
    assert not found, "import cycles:\n" + "\n".join(describe_cycle(GRAPH, c) for c in found)


def test_broadcast_looks_nothing_up_above_the_store():
    targets = GRAPH["workshop.live.broadcast"]
    assert "workshop.store.lookups" in targets
    assert {t: line for t, line in targets.items() if layer_of(t) > 2} == {}


@pytest.mark.parametrize("module", sorted(m for m in SOURCES if layer_of(m) == 1))
def test_core_module_imports_no_framework(module):
    assert imported_roots(SOURCES[module][0]) & FRAMEWORKS == set()


# --- the checker itself -------------------------------------------------------------

def synthetic(**modules: str) -> Graph:
    """Return the graph of made-up modules, named with "__" for "."."""
    sources = {name.replace("__", "."): (source, False) for name, source in modules.items()}
    return import_graph(sources)


def test_checker_catches_an_upward_import_even_inside_a_function():
    graph = synthetic(workshop__core__text="import os\ndef f():\n"
                                           "    from workshop.web import answers\n",
                      workshop__web__answers="from workshop.core import text\n")
    assert graph["workshop.core.text"] == {"workshop.web.answers": 3}
    assert upward_imports(graph) == [
        "workshop.core.text (layer 1, core) imports workshop.web.answers "
        "(layer 4, web/guard) at line 3"]


def test_checker_allows_same_layer_and_lower_imports():
    graph = synthetic(workshop__web__events="import workshop.guard.keys\n"
                                            "from workshop import ops\n",
                      workshop__guard__keys="from workshop.live.sockets import socketio\n",
                      workshop__live__sockets="", workshop__ops="")
    assert graph["workshop.web.events"] == {"workshop.guard.keys": 1, "workshop.ops": 2}
    assert upward_imports(graph) == []
    assert cycles(graph) == []


def test_checker_catches_a_circle_made_by_a_lazy_import():
    graph = synthetic(workshop__ops__a="from workshop.ops.b import thing\n",
                      workshop__ops__b="def f():\n    from . import a\n",
                      workshop__ops__c="import workshop.ops.a\n")
    assert cycles(graph) == [["workshop.ops.a", "workshop.ops.b"]]
    assert describe_cycle(graph, ["workshop.ops.a", "workshop.ops.b"]) == (
        "circle among workshop.ops.a, workshop.ops.b: workshop.ops.a -> workshop.ops.b "
        "(line 1); workshop.ops.b -> workshop.ops.a (line 2)")


def test_checker_resolves_relative_imports_from_a_package_and_a_module():
    modules = {"workshop.core.voting", "workshop.core.voting.result", "workshop.core.errors"}
    assert imports_of("workshop.core.voting", "from .result import Result\n", True,
                      modules) == {"workshop.core.voting.result": 1}
    assert imports_of("workshop.core.voting.result", "from ..errors import Refused\n", False,
                      modules) == {"workshop.core.errors": 1}


def test_framework_check_sees_nested_imports():
    source = "import os\ndef f():\n    from flask_babel import _\n    import redis.client\n"
    assert imported_roots(source) & FRAMEWORKS == {"flask_babel", "redis"}
    assert imported_roots("from .result import Result\nimport numpy as np\n") == {"numpy"}
