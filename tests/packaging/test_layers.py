"""The import graph has no arrow running back up: ``bot.models`` and ``bot.buttons`` (the data
types and the button contract) are the bottom, ``cards`` uses only them from ``bot``, and flows
read text only in their ``from_…`` readers (a message is parsed once, into the request)."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BOTTOM = {"bot.models", "bot.buttons"}


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module in ("bot", "cards"):  # "from bot import buttons": the module bot.buttons
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
            else:
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name.split(".")[0] in ("bot", "cards")}


def test_the_bottom_imports_nothing_of_the_project_but_itself() -> None:
    for module in BOTTOM:
        path = ROOT / (module.replace(".", "/") + ".py")
        assert imports_of(path) <= BOTTOM, module


def test_cards_use_only_the_bottom_of_bot() -> None:
    for path in (ROOT / "cards").glob("*.py"):
        from_bot = {name for name in imports_of(path) if name.startswith("bot")}
        assert from_bot <= BOTTOM, path.name


# An attached file's cells are text the flow itself downloads: it reads them, once, where it gets them.
FILE_READERS = {("bulk.py", "_numbers_of")}


def test_flows_parse_text_only_in_their_readers() -> None:
    for path in (ROOT / "bot" / "flows").glob("*.py"):
        tree = ast.parse(path.read_text())
        for function in [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]:
            calls = {c.func.id for c in ast.walk(function) if isinstance(c, ast.Call) and isinstance(c.func, ast.Name)}
            if calls & {"parse_numbers", "split_head"} and (path.name, function.name) not in FILE_READERS:
                assert function.name.startswith("from_"), f"{path.name}: {function.name} parses text"
