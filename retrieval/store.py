"""The passage store: passages and document metadata by id, behind a small interface.

JSON files for now; a server store (PostgreSQL) can implement the same methods later.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path
from typing import Protocol

from retrieval.models import Document, Passage

PASSAGES_FILE = "passages.jsonl"
DOCUMENTS_FILE = "documents.json"


class PassageStore(Protocol):
    def passage_at(self, row: int) -> Passage: ...

    def passage(self, passage_id: str) -> Passage | None: ...

    def passages_of(self, source: str) -> list[Passage]: ...

    def document(self, source: str) -> Document | None: ...

    def documents(self) -> list[Document]: ...

    def __len__(self) -> int: ...


class JsonPassageStore:
    """Everything in memory; rows line up with the vector and lexical index rows."""

    def __init__(self, passages: Iterable[Passage], documents: Iterable[Document]) -> None:
        self._passages = list(passages)
        self._by_id = {p.id: p for p in self._passages}
        self._documents = {d.source: d for d in documents}
        self._by_source: dict[str, list[Passage]] = {}
        for passage in self._passages:
            self._by_source.setdefault(passage.source, []).append(passage)

    def __len__(self) -> int:
        return len(self._passages)

    def passage_at(self, row: int) -> Passage:
        return self._passages[row]

    def passage(self, passage_id: str) -> Passage | None:
        return self._by_id.get(passage_id)

    def passages_of(self, source: str) -> list[Passage]:
        return list(self._by_source.get(source, []))

    def document(self, source: str) -> Document | None:
        return self._documents.get(source)

    def documents(self) -> list[Document]:
        return sorted(self._documents.values(), key=lambda d: d.source)

    def all_passages(self) -> list[Passage]:
        return list(self._passages)

    def save(self, directory: Path) -> None:
        with open(directory / PASSAGES_FILE, "w", encoding="utf-8") as out:
            for passage in self._passages:
                out.write(json.dumps(passage.to_record(), ensure_ascii=False) + "\n")
        documents = [asdict(d) for d in self.documents()]
        (directory / DOCUMENTS_FILE).write_text(json.dumps(documents, ensure_ascii=False, indent=1), "utf-8")

    @classmethod
    def load(cls, directory: Path) -> JsonPassageStore:
        with open(directory / PASSAGES_FILE, encoding="utf-8") as lines:
            passages = [Passage.from_record(json.loads(line)) for line in lines if line.strip()]
        documents = [Document(**d) for d in json.loads((directory / DOCUMENTS_FILE).read_text("utf-8"))]
        return cls(passages, documents)
