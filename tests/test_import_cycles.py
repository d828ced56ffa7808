"""No import cycle among the modules of `bot/` and `retrieval/`: the graph is read from the source with ast.

Counted: every `import` and `from ... import` that runs, at module level or inside a function (a deferred
import still makes two modules depend on each other; it only hides the cycle from the interpreter).
Not counted: imports under `if TYPE_CHECKING:` (they never run), `importlib.import_module` by name (the
lazy exports of `retrieval/__init__.py`), and the implicit import of a module's parent packages (their
`__init__.py` files hold no imports of their children but those lazy ones).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "retrieval")

# Cycles known and accepted, each as the sorted module names of its strongly connected component -> why.
KNOWN_CYCLES: dict[tuple[str, ...], str] = {}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    """Every module of the packages, by dotted name."""
    return {
        module_name(path): path for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))
    }


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_nodes(tree: ast.AST):
    """Import statements that run: every one in the tree but those under `if TYPE_CHECKING:`."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        if isinstance(node, ast.If) and _is_type_checking(node):
            yield from (n for child in node.orelse for n in _import_nodes_of(child))
            continue
        yield from _import_nodes(node)


def _import_nodes_of(node: ast.AST):
    if isinstance(node, ast.Import | ast.ImportFrom):
        yield node
    yield from _import_nodes(node)


def _absolute(node: ast.ImportFrom, name: str, is_package: bool) -> str:
    """The module a `from` import names, relative imports resolved against `name`."""
    if not node.level:
        return node.module or ""
    base = name.split(".") if is_package else name.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imported(name: str, path: Path, known: set[str]) -> set[str]:
    """The modules of `known` that module `name` imports."""
    found: set[str] = set()
    for node in _import_nodes(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            module = _absolute(node, name, path.name == "__init__.py")
            # `from package import submodule` imports the submodule; `from module import name` the module.
            targets = [
                f"{module}.{alias.name}" if f"{module}.{alias.name}" in known else module
                for alias in node.names
            ]
        found.update(target for target in targets if target in known and target != name)
    return found


def import_graph() -> dict[str, set[str]]:
    """module -> the modules of bot/ and retrieval/ it imports."""
    paths = modules()
    known = set(paths)
    return {name: imported(name, path, known) for name, path in paths.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def a_cycle(graph: dict[str, set[str]], component: list[str]) -> list[str]:
    """One concrete cycle through the component's first module: a -> b -> ... -> a (breadth first)."""
    members, start = set(component), component[0]
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for target in sorted(graph[node] & members):
            if target == start:
                return paths[node] + [start]
            if target not in paths:
                paths[target] = paths[node] + [target]
                queue.append(target)
    return component


def test_the_import_graph_is_read():
    graph = import_graph()
    assert "retrieval.engine" in graph["bot.core.service"] or "retrieval" in graph["bot.core.service"]
    assert "retrieval.registry" in graph["retrieval.engine"]
    assert "bot.messages" in graph["bot.state.database"]
    assert "bot.state.migrations" in graph["bot.backends"]  # imported inside migrate(): counted
    assert "retrieval.libraries.postgres.library" in graph["retrieval.registry"]  # `from pkg import module`
    assert len(graph) > 100


def test_a_cycle_is_found_and_named():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]
    assert a_cycle(graph, ["a", "b", "c"]) == ["a", "b", "c", "a"]


def test_no_import_cycles():
    graph = import_graph()
    unexpected = [
        " -> ".join(a_cycle(graph, component))
        for component in cycles(graph)
        if tuple(component) not in KNOWN_CYCLES
    ]
    assert unexpected == [], "import cycles (break them, or list one in KNOWN_CYCLES with its reason)"


def test_known_cycles_still_exist():
    """An exception that no longer applies is removed, so the list stays honest."""
    present = {tuple(component) for component in cycles(import_graph())}
    assert sorted(set(KNOWN_CYCLES) - present) == []
