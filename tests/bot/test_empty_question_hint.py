"""The empty-question hint names a real document of the index, whatever the corpus."""

from __future__ import annotations

from bot import messages
from bot.core.service import QAService
from retrieval import Document
from tests.harness.libraries import make_settings


class Library:
    """Just what the hint reads of an engine: its documents."""

    def __init__(self, titles: list[str]) -> None:
        self.titles = titles

    def documents(self) -> list[Document]:
        return [Document(f"{n:03}.md", t, None, None, f"d{n}") for n, t in enumerate(self.titles)]


def _hint(tmp_path, titles: list[str]) -> str:
    service = QAService(make_settings(tmp_path / "index", tmp_path), engine=Library(titles))
    return service.ask("   ").text


def test_the_hint_names_a_document_of_this_corpus(tmp_path):
    hint = _hint(tmp_path, ["000 a62311b28d2cec3e", "Deploying with Helm", "Rotating the API keys"])
    assert hint == messages.empty_question("Deploying with Helm")
    assert "Microsoft" not in hint


def test_without_readable_titles_the_hint_stays_general(tmp_path):
    assert _hint(tmp_path, ["000 a62311b28d2cec3e"]) == messages.EMPTY_QUESTION
    assert _hint(tmp_path, []) == messages.EMPTY_QUESTION
