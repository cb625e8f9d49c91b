"""The package's rooms: imports only go down, and never through another room's private names.

``skdigits/`` is split into subpackages (rooms) that each hold one part of
the design. These tests read every module's imports (at module level and
inside functions alike) with :mod:`ast`, without importing anything, and
fail on an import circle, on a room importing one above it, and on a module
reaching into a private module or a private name of a sibling room.
"""

import ast
import os

import pytest

PACKAGE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "skdigits")

#: The rooms from the bottom up: a room imports only rooms before it. The
#: modules of the package's root (``_compat``, ``_lazy``, ``_version``,
#: ``exceptions``, ...) are the foundation every room may use.
LAYERS = (
    "utils",
    "images",
    "preprocessing",
    "datasets",
    "model",
    "model_selection",
    "persistence",
    "reporting",
    "pretrained",
    "draw",
    "distributed",
    "cli",
)

pytestmark = pytest.mark.skipif(
    not os.path.isdir(PACKAGE), reason="reads the source tree of skdigits"
)


def _modules():
    """Every module of the package: dotted name -> (path, is a package __init__)."""
    found = {}
    for folder, _, files in os.walk(PACKAGE):
        for file in files:
            if not file.endswith(".py"):
                continue
            path = os.path.join(folder, file)
            parts = os.path.relpath(path, os.path.dirname(PACKAGE))[:-3].split(os.sep)
            is_package = parts[-1] == "__init__"
            found[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return found


def _imports(module, path, is_package):
    """(imported module, imported names, line) for each import statement of a module."""
    with open(path, encoding="utf-8") as handle:
        tree = ast.parse(handle.read(), path)
    here = module.split(".") if is_package else module.split(".")[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, (), node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            yield target, tuple(alias.name for alias in node.names), node.lineno


def _lazy_names(package, path):
    """A lazy package's public names -> the module that defines each (its attach() table)."""
    with open(path, encoding="utf-8") as handle:
        tree = ast.parse(handle.read(), path)
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict) and node.keys:
            pairs = [
                (key.value, value.value)
                for key, value in zip(node.keys, node.values)
                if isinstance(key, ast.Constant) and isinstance(value, ast.Constant)
            ]
            if pairs and all(str(value).startswith(".") for _, value in pairs):
                names.update({key: package + value for key, value in pairs})
    return names


def _room(module):
    """The room a dotted module name belongs to (None for the package's root modules)."""
    parts = module.split(".")
    if parts[0] != "skdigits" or len(parts) < 2:
        return None
    return parts[1] if parts[1] in LAYERS else None


def _edges():
    """(importing module, its room, imported module, names, line) for imports within skdigits."""
    modules = _modules()
    for module, (path, is_package) in sorted(modules.items()):
        for target, names, line in _imports(module, path, is_package):
            if target == "skdigits" or target.startswith("skdigits."):
                yield module, _room(module), target, names, line


def test_every_room_is_listed_in_the_layers():
    rooms = {
        entry
        for entry in os.listdir(PACKAGE)
        if os.path.isfile(os.path.join(PACKAGE, entry, "__init__.py"))
    }
    rooms |= {"distributed"}  # a public module of the root, placed among the rooms
    assert rooms == set(LAYERS)


def test_rooms_import_only_rooms_below_them():
    upward = [
        f"{module}:{line} imports {target} ({target_room} is not below {room})"
        for module, room, target, _, line in _edges()
        if room is not None
        and (target_room := _room(target)) is not None
        and target_room != room
        and LAYERS.index(target_room) > LAYERS.index(room)
    ]
    assert upward == []


def test_the_root_modules_import_no_room():
    # skdigits/__init__ names the rooms' public names (lazily, as strings);
    # the other root modules (_compat, _lazy, _moved, exceptions, ...) are the
    # foundation the rooms stand on.
    upward = [
        f"{module}:{line} imports {target}"
        for module, room, target, _, line in _edges()
        if room is None and module != "skdigits.__main__" and _room(target) is not None
    ]
    assert upward == []


def test_no_module_reaches_into_a_sibling_rooms_private_names():
    private = []
    for module, room, target, names, line in _edges():
        target_room = _room(target)
        if target_room is None or target_room == room:
            continue
        inner = target.split(".")[2:]
        if any(part.startswith("_") for part in inner):
            private.append(f"{module}:{line} imports the private module {target}")
        private.extend(
            f"{module}:{line} imports the private name {name} of {target}"
            for name in names
            if name.startswith("_")
        )
    assert private == []


def test_modules_import_each_other_without_a_circle():
    modules = _modules()
    lazy = {
        package: _lazy_names(package, path)
        for package, (path, is_package) in modules.items()
        if is_package
    }
    graph = {}
    for module, _, target, names, _ in _edges():
        # "from package import name" runs the module that defines the name,
        # through the package's lazy table or as a submodule of that name
        for name in names or (None,):
            real = lazy.get(target, {}).get(name) or (
                f"{target}.{name}" if f"{target}.{name}" in modules else target
            )
            if real in modules and real != module and not module.startswith(real + "."):
                graph.setdefault(module, set()).add(real)
    state, circles = {}, []

    def visit(node, trail):
        state[node] = "open"
        for target in sorted(graph.get(node, ())):
            if state.get(target) == "open":
                circles.append(" -> ".join(trail[trail.index(target) :] + [target]))
            elif target not in state:
                visit(target, [*trail, target])
        state[node] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert circles == []
