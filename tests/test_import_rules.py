"""Data flows one way: adapter -> command table -> service -> retrieval.Engine -> parts.

`bot/` uses retrieval only through the names `retrieval/__init__.py` exports; adapters not at all;
`retrieval/` never imports `bot/`. Checked on the source, like the lint test.
"""

from __future__ import annotations

import ast
import subprocess
import sys
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


def test_the_core_keeps_no_state_code():
    """bot/core is storage-neutral: the stores, their SQL and the database driver live in bot/state."""
    drivers = {"psycopg", "psycopg_pool", "sqlite3"}
    wrong = [f"{w}: {m}" for w, m, _ in imports("bot/core") if m.split(".")[0] in drivers]
    assert wrong == []


def test_the_stores_load_the_database_driver_only_when_a_postgres_store_is_used():
    """Backend files (and the console) import every store module but never load psycopg."""
    stores = ", ".join(
        f"bot.state.{name}" for name in ("feedback", "conversations", "claims", "answered", "outbox")
    )
    code = (
        f"import sys, {stores}, bot.core.commands, bot.adapters.discord.ledger, bot.backends; "
        "print(sorted(m for m in sys.modules if m.startswith('psycopg')))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert loaded.stdout.strip() == "[]"


def test_one_function_names_a_database_for_messages():
    """host:port/dbname without the password: one copy (retrieval's), used by the library and the bot."""
    definitions = [
        str(path.relative_to(ROOT))
        for folder in ("bot", "retrieval")
        for path in sorted((ROOT / folder).rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text("utf-8")))
        if isinstance(node, ast.FunctionDef) and node.name in ("where", "database_address")
    ]
    assert definitions == ["retrieval/libraries/postgres/address.py"]
