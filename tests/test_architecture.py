"""The package's shape: imports run one way (no cycle, function-local imports counted), no
module over the size the team agreed, every module listed in docs/architecture.md."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "footprint"
ARCHITECTURE = PACKAGE.parent / "docs" / "architecture.md"
MAX_LINES = 450


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}


def _resolve(importer: str, is_package: bool, level: int, module: str | None) -> str:
    base = importer.split(".")
    if level:
        base = base[: len(base) - level + (1 if is_package else 0)]
        return ".".join(base + ([module] if module else []))
    return module or ""


def imports_of(name: str) -> set[str]:
    """Every footprint module `name` imports, anywhere in its body, with the packages whose
    __init__ runs first (a package is initialised before its submodule is imported)."""
    path = MODULES[name]
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    # Imports only a type checker runs (`if TYPE_CHECKING:`) are not edges; every other one is,
    # function-local ones included.
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            node.body = []
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(name, is_package, node.level, node.module)
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names]
        for target in targets:
            if not (target == "footprint" or target.startswith("footprint.")):
                continue
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            parts = target.split(".")
            for depth in range(1, len(parts) + 1):
                candidate = ".".join(parts[:depth])
                # The importer's own ancestors are already being initialised: no edge to them.
                if candidate in MODULES and not (name == candidate or name.startswith(candidate + ".")):
                    found.add(candidate)
    found.discard(name)
    return found


def import_graph() -> dict[str, set[str]]:
    return {name: imports_of(name) for name in MODULES}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for name in sorted(graph):
        if name not in index:
            visit(name)
    return out


def test_no_import_cycle_among_footprints_modules():
    assert cycles(import_graph()) == []


def test_the_cycle_finder_sees_function_local_imports_and_cycles():
    """The check itself works: a function-local import is an edge, and a back edge is a cycle."""
    graph = import_graph()
    assert "footprint.engine.reference" in graph["footprint.engine.core"]  # imported inside a method
    assert "footprint.classes" in graph["footprint.declaration.build"]  # the package runs before its module
    graph["footprint.errors"] = graph["footprint.errors"] | {"footprint.cli"}
    assert any("footprint.errors" in c and "footprint.cli" in c for c in cycles(graph))


def test_no_module_is_over_the_size_limit():
    sizes = {name: len(path.read_text(encoding="utf-8").splitlines()) for name, path in MODULES.items()}
    assert {name: n for name, n in sizes.items() if n > MAX_LINES} == {}


def test_architecture_map_names_every_module():
    text = ARCHITECTURE.read_text(encoding="utf-8")
    missing = [name for name, path in MODULES.items() if f"`{path.relative_to(PACKAGE.parent)}`" not in text]
    assert missing == []


# Each part of footprint, by layer: a part may import only from its own layer or those below.
# The order is the data flow: study -> boundary -> inventory -> engine -> results -> declaration
# / verification / classes -> registry -> command line. docs/architecture.md draws it.
LAYERS = [
    {"errors"},
    {"files", "paths", "units", "unit_table", "links", "signing"},
    {"study", "methods"},
    {"rules", "results", "indicators"},
    {"hookspecs", "boundary", "classes", "hotspots", "circularity"},
    {"plugins", "background"},
    {"inventory", "coverage", "importers"},
    {"engine", "study_io"},
    {"assessment", "workbench"},
    {"uncertainty", "declaration"},
    {"verification"},
    {"batch", "distributed", "magnets", "export"},
    {"registry"},
    {"cli"},
]
LAYER_OF = {part: depth for depth, parts in enumerate(LAYERS) for part in parts}


def _part(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "footprint"


def test_every_part_has_a_layer():
    parts = {_part(name) for name in MODULES} - {"footprint"}
    assert parts - set(LAYER_OF) == set()


def test_imports_run_down_the_layers():
    upward = sorted(
        f"{name} -> {target}"
        for name, targets in import_graph().items()
        for target in targets
        if _part(name) != "footprint" and _part(target) != "footprint" and LAYER_OF[_part(target)] > LAYER_OF[_part(name)]
    )
    assert upward == []


def test_every_subpackage_ships_in_the_wheel():
    """setuptools lists packages explicitly (the data folders are mapped in): none may be missing."""
    import tomllib

    listed = set(tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    packages = {name for name, path in MODULES.items() if path.name == "__init__.py"}
    assert packages - listed == set()
