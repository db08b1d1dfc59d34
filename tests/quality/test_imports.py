"""The house's floors, read from the code: imports only go down, and no module imports itself back.

Every module of the apps is parsed with ``ast`` (nothing is imported), so an import inside a
function counts as much as one at the top. No two modules of one app may import each other
when they load (module level, outside ``if TYPE_CHECKING:``: that breaks or depends on import
order), and no loop may hide behind an import moved into a function either.
bench/ and tests/ are tools, not the product, and stand outside the rule.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("portal", "communities", "institutes", "trainers")

# What each app may not import, at any level: the floors above it.
FORBIDDEN = {
    "portal": {"communities", "institutes", "trainers"},
    "communities": {"institutes", "trainers"},
    "institutes": {"trainers"},
    "trainers": set(),
}


@dataclass(frozen=True)
class Import:
    importer: str
    imported: str
    line: int
    module_level: bool


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {
        _module_name(path): path
        for app in APPS
        for path in sorted((ROOT / app).rglob("*.py"))
        if "__pycache__" not in path.parts
    }


MODULES = _modules()


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _runs_later(node: ast.AST) -> bool:
    """A function's body, or an ``if TYPE_CHECKING:`` block: not run when the module loads."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        return True
    return isinstance(node, ast.If) and _is_type_checking(node)


def _resolve(importer: str, is_package: bool, node: ast.ImportFrom) -> list[str]:
    """The modules a ``from ... import ...`` loads: the module itself, or each submodule named."""
    if node.level:
        base = importer.split(".") if is_package else importer.split(".")[:-1]
        base = base[: len(base) - (node.level - 1)]
        source = ".".join([*base, node.module] if node.module else base)
    else:
        source = node.module
    targets = [source]
    for alias in node.names:
        if f"{source}.{alias.name}" in MODULES:
            targets.append(f"{source}.{alias.name}")
    return targets


def _imports(name: str, path: Path) -> list[Import]:
    tree = ast.parse(path.read_text(), filename=str(path))
    is_package = path.name == "__init__.py"
    found: list[Import] = []

    def visit(node: ast.AST, module_level: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import):
                found.extend(Import(name, alias.name, child.lineno, module_level) for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                found.extend(
                    Import(name, target, child.lineno, module_level)
                    for target in _resolve(name, is_package, child)
                )
            elif _runs_later(child):
                visit(child, False)
            else:
                # Class bodies, if/try blocks at the top run when the module loads.
                visit(child, module_level)

    visit(tree, True)
    return found


IMPORTS = [imp for name, path in MODULES.items() for imp in _imports(name, path)]


def _app(module: str) -> str:
    return module.split(".")[0]


def _graph(*, module_level_only: bool) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {name: set() for name in MODULES}
    for imp in IMPORTS:
        if module_level_only and not imp.module_level:
            continue
        if imp.imported in MODULES and imp.imported != imp.importer:
            graph[imp.importer].add(imp.imported)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return sorted(components)


def test_the_parser_sees_the_apps_and_their_imports():
    assert {"portal.access", "institutes.views.review", "trainers.permissions"} <= set(MODULES)
    seen = {(imp.importer, imp.imported, imp.module_level) for imp in IMPORTS}
    assert ("trainers.permissions", "institutes.permissions", True) in seen
    # Inside a function in trainers/views/certificates.py:
    assert ("trainers.views.certificates", "institutes.services", False) in seen
    # A submodule named in "from package import module":
    assert ("institutes.urls", "institutes.views.review", True) in seen


def test_imports_only_go_down_a_floor():
    upward = sorted(
        f"{imp.importer}:{imp.line} imports {imp.imported}"
        for imp in IMPORTS
        if _app(imp.imported) in FORBIDDEN[_app(imp.importer)]
    )
    assert upward == []


def test_no_app_reaches_a_higher_floor_through_the_app_registry():
    """apps.get_model("trainers", ...) in institutes is an import in disguise."""
    reaches = []
    for name, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in {"get_model", "get_app_config"}
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and str(node.args[0].value).split(".")[0] in FORBIDDEN[_app(name)]
            ):
                reaches.append(f"{name}:{node.lineno} {node.args[0].value}")
    assert reaches == []


def test_no_import_loop_between_modules_of_one_app():
    graph = _graph(module_level_only=True)
    within = {name: {n for n in targets if _app(n) == _app(name)} for name, targets in graph.items()}
    assert _cycles(within) == []


def test_no_import_loop_anywhere():
    assert _cycles(_graph(module_level_only=False)) == []


def test_cycle_finder_finds_a_loop():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []
