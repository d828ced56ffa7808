"""Data flows one way: adapter -> command table -> service -> retrieval.Engine -> parts.

`bot/` uses retrieval only through the names `retrieval/__init__.py` exports; adapters not at all;
`retrieval/` never imports `bot/`. Checked on the source, like the lint test.
"""

from __future__ import annotations

import ast
from pathlib import Path

import retrieval

ROOT = Path(__file__).resolve().parent.parent


def imports(folder: str) -> list[tuple[str, str, list[str]]]:
    """(file, module, imported names) for every import statement under `folder`."""
    found = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            where = str(path.relative_to(ROOT))
            if isinstance(node, ast.Import):
                found += [(where, alias.name, []) for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.append((where, node.module, [alias.name for alias in node.names]))
    return found


def test_bot_uses_only_the_public_retrieval_api():
    wrong = [
        f"{where}: {module} {names}"
        for where, module, names in imports("bot")
        if module.startswith("retrieval.")
        or (module == "retrieval" and not set(names) <= set(retrieval.__all__))
    ]
    assert wrong == [], (
        "bot/ reaches into retrieval internals; export what it needs from retrieval/__init__.py"
    )


def test_adapters_do_not_import_retrieval():
    wrong = [f"{w}: {m}" for w, m, _ in imports("bot/adapters") if m.split(".")[0] == "retrieval"]
    assert wrong == []


def test_retrieval_never_imports_bot():
    wrong = [f"{w}: {m}" for w, m, _ in imports("retrieval") if m.split(".")[0] == "bot"]
    assert wrong == []


def test_every_public_name_resolves():
    for name in retrieval.__all__:
        assert getattr(retrieval, name) is not None, name


def test_only_the_files_backend_names_index_files():
    """The files backend is the one module that knows what a generation's files are called."""
    names = ("passages.jsonl", "documents.json", "manifest.json", "vocabulary.json", "sentence_keys.json")
    holders = {
        str(path.relative_to(ROOT))
        for path in (ROOT / "retrieval").rglob("*.py")
        if any(f'"{name}"' in path.read_text("utf-8") for name in names)
    }
    assert holders == {"retrieval/libraries/files/library.py"}
