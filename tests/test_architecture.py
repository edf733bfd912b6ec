"""Architecture rules of the package, checked on its source with :mod:`ast`.

1. The modules' imports form no cycle.
2. No module reaches into another module's private names: neither ``from .x import _name``,
   nor ``mod._name`` on an imported module, nor an import of a private module (``_space``) from
   outside the package that holds it. Dunders such as ``__version__`` are public.

The import graph counts every ``import`` statement, at module level or inside a function, except
those under ``if TYPE_CHECKING:``, which never run. An edge goes to the exact module imported:
``from .x import y`` gives ``pkg.x``, and also ``pkg.x.y`` when that is itself a module;
``from . import y`` gives ``pkg.y`` when that is a module, else the package ``pkg`` itself.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pytest

PACKAGE = "nntricks"
SRC = Path(__file__).resolve().parents[1] / "src"


def is_private(name: str) -> bool:
    """A leading underscore, not a dunder such as ``__version__``."""
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def within(module: str, package: str) -> bool:
    """Whether ``module`` is ``package`` or lies inside it."""
    return module == package or module.startswith(package + ".")


@dataclass(frozen=True)
class Import:
    """One name bound by an import of the package's own modules.

    ``source`` is the module after ``from`` (or the module of a plain ``import``), ``name`` the
    name imported from it (None for a plain ``import``), ``local`` the name it binds in the
    importer and ``module`` the module that name refers to (None for a function, class...),
    ``bare`` whether it reads ``from . import name`` (no module after the dots).
    """

    source: str
    name: str | None
    local: str
    module: str | None
    line: int
    bare: bool = False


def type_checking_nodes(tree: ast.AST) -> set[ast.AST]:
    """The nodes under ``if TYPE_CHECKING:`` (or ``if typing.TYPE_CHECKING:``)."""
    skipped: set[ast.AST] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If):
            test = node.test
            name = test.id if isinstance(test, ast.Name) else getattr(test, "attr", None)
            if name == "TYPE_CHECKING":
                for statement in node.body:
                    skipped.update(ast.walk(statement))
    return skipped


class SourceTree:
    """The modules of the package ``PACKAGE`` under ``src``, and their imports."""

    def __init__(self, src: Path) -> None:
        self.src = src
        self.paths = {self.module_name(path): path
                      for path in sorted((src / PACKAGE).rglob("*.py"))}
        self.packages = {module for module, path in self.paths.items()
                         if path.name == "__init__.py"}

    def module_name(self, path: Path) -> str:
        """``nntricks.sweep._space`` for ``src/nntricks/sweep/_space.py``; packages by folder."""
        parts = path.relative_to(self.src).with_suffix("").parts
        return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)

    def where(self, module: str, line: int) -> str:
        return f"{self.paths[module].relative_to(self.src).as_posix()}:{line}"

    def tree(self, module: str) -> ast.Module:
        return ast.parse(self.paths[module].read_text(encoding="utf-8"))

    def resolve(self, module: str, node: ast.ImportFrom) -> str:
        """The absolute name of the module after ``from``."""
        if not node.level:
            return node.module or ""
        package = module if module in self.packages else module.rpartition(".")[0]
        parts = package.split(".")
        parts = parts[:len(parts) - node.level + 1]
        return ".".join(parts + ([node.module] if node.module else []))

    @cached_property
    def imports(self) -> dict[str, list[Import]]:
        """Each module's imports of the package's own modules."""
        return {module: self._imports_of(module) for module in self.paths}

    def _imports_of(self, module: str) -> list[Import]:
        tree = self.tree(module)
        skipped = type_checking_nodes(tree)
        found = []
        for node in ast.walk(tree):
            if node in skipped:
                continue
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if within(alias.name, PACKAGE):  # import a.b binds a; import a.b as c, a.b
                        local = alias.asname or alias.name.partition(".")[0]
                        bound = alias.name if alias.asname else local
                        found.append(Import(alias.name, None, local, bound, node.lineno))
            elif isinstance(node, ast.ImportFrom):
                source = self.resolve(module, node)
                if not within(source, PACKAGE):
                    continue
                for alias in node.names:
                    submodule = f"{source}.{alias.name}"
                    found.append(Import(source, alias.name, alias.asname or alias.name,
                                        submodule if submodule in self.paths else None,
                                        node.lineno, bare=node.module is None))
        return found

    def targets(self, item: Import) -> list[str]:
        """The modules an import runs, by the rule of the module docstring."""
        if item.name is None:
            return [item.source]
        submodule = f"{item.source}.{item.name}"
        if submodule not in self.paths:
            return [item.source]
        return [submodule] if item.bare else [item.source, submodule]

    def graph(self) -> dict[str, set[str]]:
        """Each module's imported modules of the package, itself excluded."""
        return {module: {target for item in items for target in self.targets(item)
                         if target != module}
                for module, items in self.imports.items()}

    def private_imports(self, module: str) -> list[str]:
        """Imports by ``module`` of a private name, or of a private module from outside the
        package that holds it."""
        problems = []
        for item in self.imports[module]:
            path = item.source.split(".") + ([item.name] if item.name else [])
            for i, part in enumerate(path):
                if not is_private(part):
                    continue
                owner, private = ".".join(path[:i]), ".".join(path[:i + 1])
                if private not in self.paths:
                    problems.append(f"{self.where(module, item.line)}: imports private name "
                                    f"{part} from {owner}")
                elif not within(module, owner):
                    problems.append(f"{self.where(module, item.line)}: imports private module "
                                    f"{private} from outside {owner}")
        return problems

    def private_reads(self, module: str) -> list[str]:
        """``mod._name`` where ``mod`` is a name bound to an imported module of the package,
        following submodules (``nntricks.sweep._space``) as far as they go."""
        bound = {item.local: item.module for item in self.imports[module]
                 if item.module is not None}
        problems = set()
        for node in ast.walk(self.tree(module)):
            if not isinstance(node, ast.Attribute):
                continue
            chain, value = [node.attr], node.value
            while isinstance(value, ast.Attribute):
                chain.insert(0, value.attr)
                value = value.value
            if not isinstance(value, ast.Name) or value.id not in bound:
                continue
            target = bound[value.id]
            for attr in chain:
                attribute = f"{target}.{attr}"
                if is_private(attr) and not (attribute in self.paths and within(module, target)):
                    problems.add(f"{self.where(module, node.lineno)}: reads {attribute}")
                    break
                if attribute not in self.paths:
                    break
                target = attribute
        return sorted(problems)


def knots(graph: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected components of more than one node (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    components: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for successor in sorted(graph.get(node, ())):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = {stack.pop()}
            while node not in component:
                component.add(stack.pop())
            if len(component) > 1:
                components.append(component)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return components


def shortest_cycle(graph: dict[str, set[str]], start: str, component: set[str]) -> list[str]:
    """A shortest cycle through ``start`` inside its strongly connected ``component``."""
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for successor in sorted(graph[node] & component):
                if successor == start:
                    return paths[node] + [start]
                if successor not in paths:
                    paths[successor] = paths[node] + [successor]
                    following.append(successor)
        frontier = following
    raise AssertionError(f"{start} is on no cycle of {sorted(component)}")


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """A shortest cycle through every node that is on a cycle, each cycle once, written from
    its first node in sorted order back to it."""
    found = set()
    for component in knots(graph):
        for node in component:
            cycle = shortest_cycle(graph, node, component)[:-1]
            first = cycle.index(min(cycle))
            found.add(tuple(cycle[first:] + cycle[:first + 1]))
    return sorted(map(list, found))


PACKAGE_TREE = SourceTree(SRC)


def test_the_source_tree_is_found():
    assert {"nntricks", "nntricks.cli", "nntricks.sweep._space"} <= set(PACKAGE_TREE.paths)
    assert sum(map(len, PACKAGE_TREE.imports.values())) > 50


def test_the_package_imports_form_no_cycle():
    found = cycles(PACKAGE_TREE.graph())
    assert not found, "import cycles:\n" + "\n".join(" -> ".join(cycle) for cycle in found)


@pytest.mark.parametrize("module", sorted(PACKAGE_TREE.paths))
def test_no_module_uses_another_modules_private_names(module):
    problems = PACKAGE_TREE.private_imports(module) + PACKAGE_TREE.private_reads(module)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("module", ["nntricks.splits", "nntricks.progress"])
def test_the_low_level_helpers_import_nothing_of_the_package_but_validation(module):
    assert PACKAGE_TREE.graph()[module] <= {"nntricks._validation"}


# The checkers themselves, on made-up graphs and sources: each must be able to fail.

def test_cycles_gives_a_shortest_cycle_through_every_module_on_one():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c", "a"]]
    assert cycles({"a": {"b"}, "b": {"a", "c"}, "c": {"b"}, "x": {"y"}, "y": {"x"}}) == [
        ["a", "b", "a"], ["b", "c", "b"], ["x", "y", "x"]]


@pytest.fixture
def toy_tree(tmp_path):
    package = tmp_path / PACKAGE
    (package / "sub").mkdir(parents=True)
    files = {
        "__init__.py": "from . import sub\n__version__ = '1'\n",
        "helpers.py": "_hidden = 1\n",
        "sub/__init__.py": "from .. import __version__\n",
        "sub/_inner.py": "",
        "sub/user.py": ("from . import _inner\nfrom .. import helpers\n"
                        "from ..helpers import _hidden\n"
                        "def f():\n    import nntricks.helpers\n"
                        "    return helpers._hidden + nntricks.helpers._hidden + _inner.x\n"),
        "outside.py": ("from typing import TYPE_CHECKING\nfrom .sub._inner import x\n"
                       "from .sub import user\nif TYPE_CHECKING:\n    from . import helpers\n"),
    }
    for name, text in files.items():
        (package / name).write_text(text)
    return SourceTree(tmp_path)


def test_imports_resolve_to_the_exact_module(toy_tree):
    assert toy_tree.graph() == {
        "nntricks": {"nntricks.sub"},
        "nntricks.helpers": set(),
        "nntricks.sub": {"nntricks"},
        "nntricks.sub._inner": set(),
        "nntricks.sub.user": {"nntricks.sub._inner", "nntricks.helpers"},
        "nntricks.outside": {"nntricks.sub._inner", "nntricks.sub", "nntricks.sub.user"},
    }
    assert cycles(toy_tree.graph()) == [["nntricks", "nntricks.sub", "nntricks"]]


def test_private_names_are_found_in_imports_and_attribute_reads(toy_tree):
    assert toy_tree.private_imports("nntricks.sub") == []
    assert toy_tree.private_imports("nntricks.sub.user") == [
        "nntricks/sub/user.py:3: imports private name _hidden from nntricks.helpers"]
    assert toy_tree.private_reads("nntricks.sub.user") == [
        "nntricks/sub/user.py:6: reads nntricks.helpers._hidden"]
    assert toy_tree.private_imports("nntricks.outside") == [
        "nntricks/outside.py:2: imports private module nntricks.sub._inner from outside "
        "nntricks.sub"]
