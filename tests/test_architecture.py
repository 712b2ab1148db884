"""Architecture: the conversation engine stays pure, and every part imports only the layers below it."""

from __future__ import annotations

import ast
from pathlib import Path

FORBIDDEN = {
    "telegram",
    "httpx",
    "fastapi",
    "starlette",
    "sqlalchemy",
    "sqlmodel",
    "psycopg",
    "requests",
    "bot",
    "webhook",
}
ENGINE = Path(__file__).resolve().parent.parent / "conversations"


def imported_roots(path: Path) -> set[str]:
    """Top-level package names a module imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_conversations_import_no_io_library() -> None:
    offenders = {
        str(path.relative_to(ENGINE)): sorted(imported_roots(path) & FORBIDDEN) for path in ENGINE.rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}
    assert len(offenders) > 10


def test_import_contracts_hold() -> None:
    """The layers in pyproject.toml ([tool.importlinter]): the CLI on top, nothing imports a layer above it."""
    from importlinter.cli import lint_imports

    assert lint_imports(config_filename=str(ENGINE.parent / "pyproject.toml"), no_cache=True) == 0
