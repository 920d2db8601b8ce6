"""The package's house rules: one room per layer, imports go downwards only, no cycles.

Every import counts, the lazy ones inside functions too (they are how a layer would
sneak a dependency on a higher one); only ``if TYPE_CHECKING:`` blocks are exempt.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parent.parent / "kgbuilder"

#: lowest first; a module may import its own layer and the ones before it
LAYERS = [
    ("core", {"errors", "namespaces", "atomic", "resolve", "progress", "terms", "registry", "control_chars",
              "safe_paths", "console", "tree"}),
    ("schemas", {"schemas"}),
    ("curation", {"curation"}),
    ("store", {"store"}),
    ("builder", {"builder"}),
    ("sparql", {"sparql"}),
    ("questions", {"questions"}),
    ("exports", {"exports"}),
    ("kg", {"kg", "kg_stats", "dataset"}),
    ("serve", {"serve", "remote"}),
    ("api", {"api"}),
    ("cli", {"cli"}),
    ("main", {"__main__"}),
]
RANK = {room: i for i, (_, rooms) in enumerate(LAYERS) for room in rooms}


def module_name(path: Path) -> str:
    parts = path.relative_to(PKG.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PKG.rglob("*.py"))}


def _type_checking_lines(tree: ast.AST) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def imports_of(name: str, path: Path, known: set[str]) -> list[tuple[str, int]]:
    """(imported kgbuilder module, line) for every import in the module."""
    tree = ast.parse(path.read_text(), str(path))
    skip = _type_checking_lines(tree)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in skip:
            continue
        if isinstance(node, ast.Import):
            found += [(a.name, node.lineno) for a in node.names if a.name.startswith("kgbuilder")]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not target.startswith("kgbuilder"):
                continue
            for alias in node.names:   # `from pkg import module` imports the module
                sub = f"{target}.{alias.name}"
                found.append((sub if sub in known else target, node.lineno))
    return found


def room(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def test_every_module_has_a_layer():
    rooms = {room(m) for m in modules()} - {None}
    assert rooms <= set(RANK), f"modules outside every layer: {sorted(rooms - set(RANK))}"


def test_imports_go_downwards_only():
    mods = modules()
    known = set(mods)
    wrong = []
    for name, path in mods.items():
        src = room(name)
        if src is None:        # kgbuilder/__init__.py: the facade over the whole package
            continue
        for target, line in imports_of(name, path, known):
            dst = room(target)
            if dst is None:    # `from kgbuilder import __version__`
                continue
            if RANK[dst] > RANK[src]:
                wrong.append(f"{path.relative_to(PKG.parent)}:{line}: {src} imports {target} ({dst} is above it)")
    assert not wrong, "\n".join(wrong)


def test_no_import_cycles():
    mods = modules()
    known = set(mods)
    graph = {name: {t for t, _ in imports_of(name, path, known) if t in known and t != name and room(t)}
             for name, path in mods.items() if room(name)}
    cycles, state = [], {}

    def visit(node, stack):
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(" -> ".join(stack[stack.index(nxt):] + [nxt]))
            elif nxt not in state:
                visit(nxt, stack)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [])
    assert not cycles, "\n".join(cycles)


@pytest.mark.parametrize("bad", ["from ..cli import main", "from kgbuilder.api import build"])
def test_the_checker_catches_an_upward_import(tmp_path, bad):
    # the rule can fail: a store module that imports the CLI or the API is reported
    fake = tmp_path / "kgbuilder" / "store"
    fake.mkdir(parents=True)
    (fake / "x.py").write_text(f"def f():\n    {bad}\n")
    found = imports_of("kgbuilder.store.x", fake / "x.py", {"kgbuilder.cli", "kgbuilder.api"})
    assert found and RANK[room(found[0][0])] > RANK["store"]
