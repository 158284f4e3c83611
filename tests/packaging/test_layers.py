"""The import graph follows the request's path and has no arrow running back up.

``bot/`` is layered: ``core`` (settings, data types, the button contract) at the bottom; then
``reading`` (text and files, pure) and ``queue`` (the store and the event queue), which know
nothing of each other; ``webex`` (the only way out to Webex); ``conversation`` (an event becomes
an answer); ``bot.runtime`` (the process's parts, built once); the ``web`` edge and the ``cli``;
and the entry points (``bot.app``, ``bot.__main__``). A module imports from its own package or a
lower layer, never from beside or above. ``cards`` use only ``bot.core.models`` and
``bot.core.buttons``, and flows read text only in their ``from_…`` readers (a message is parsed
once, into the request)."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BOTTOM = {"bot.core.models", "bot.core.buttons"}
# The layers, bottom first; packages on one line are side by side (neither imports the other).
LAYERS: list[set[str]] = [
    {"bot.core"},
    {"bot.reading", "bot.queue"},
    {"bot.webex"},
    {"bot.conversation"},
    {"bot.runtime"},
    {"bot.web"},
    {"bot.cli"},
    {"bot.app", "bot.__main__", "bot"},
]


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "cards" or node.module.startswith("bot"):
                # "from bot.core import buttons": the module bot.core.buttons, when it is one
                found.update(f"{node.module}.{alias.name}" if (ROOT / node.module.replace(".", "/") /
                                                                 f"{alias.name}.py").exists() else node.module
                             for alias in node.names)
            else:
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name.split(".")[0] in ("bot", "cards")}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def package_of(module: str) -> str:
    """The layer package a module belongs to: ``bot.queue.store`` -> ``bot.queue``."""
    if module.startswith("cards"):
        return "cards"
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 else module


def rank(package: str) -> int:
    return next(i for i, layer in enumerate(LAYERS) if package in layer)


BOT_MODULES = sorted((ROOT / "bot").rglob("*.py"))


def test_every_module_of_bot_is_in_a_layer() -> None:
    for path in BOT_MODULES:
        rank(package_of(module_name(path)))  # StopIteration: a package the layers do not name


@pytest.mark.parametrize("path", BOT_MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_import_runs_back_up_or_sideways(path: Path) -> None:
    here = package_of(module_name(path))
    for imported in imports_of(path):
        there = package_of(imported)
        if there == here:
            continue
        if there == "cards":
            assert rank(here) >= rank("bot.conversation"), f"{here} uses cards: only the conversation and above do"
            continue
        assert rank(there) < rank(here), f"{module_name(path)} imports {imported}: {there} is not below {here}"


def test_the_bottom_imports_nothing_of_the_project_but_itself() -> None:
    for module in BOTTOM:
        path = ROOT / (module.replace(".", "/") + ".py")
        assert imports_of(path) <= BOTTOM, module


def test_cards_use_only_the_bottom_of_bot() -> None:
    paths = list((ROOT / "cards").glob("*.py"))
    assert paths
    for path in paths:
        from_bot = {name for name in imports_of(path) if name.startswith("bot")}
        assert from_bot <= BOTTOM, path.name


# An attached file's cells are text the flow itself downloads: it reads them, once, where it gets them.
FILE_READERS = {("bulk.py", "_numbers_of")}


def test_flows_parse_text_only_in_their_readers() -> None:
    paths = list((ROOT / "bot" / "conversation" / "flows").glob("*.py"))
    assert len(paths) > 5
    for path in paths:
        tree = ast.parse(path.read_text())
        for function in [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]:
            calls = {c.func.id for c in ast.walk(function) if isinstance(c, ast.Call) and isinstance(c.func, ast.Name)}
            if calls & {"parse_numbers", "split_head"} and (path.name, function.name) not in FILE_READERS:
                assert function.name.startswith("from_"), f"{path.name}: {function.name} parses text"
