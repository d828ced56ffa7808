"""The parts on their own: the extractive composer on hand-made hits, the verifier, the searcher over an
in-memory Library, and the manifest. No model: a bag-of-words embedder stands in for it."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import replace

import numpy as np
import pytest

from retrieval.answering.compose import CitedPassage, Composition
from retrieval.answering.composers.extractive import ExtractiveComposer
from retrieval.answering.reading import lexicon, read
from retrieval.answering.verifier import problems, verified
from retrieval.errors import IndexIncompatibleError
from retrieval.ingest.build import document_frequencies
from retrieval.manifest import FORMAT_VERSION, PIPELINE_VERSION, Manifest
from retrieval.models import Document, Hit, Passage, Unit
from retrieval.parts import DocumentFrequencies, Embedder, Library, Query
from retrieval.search.searcher import Searcher

DIMENSION = 64


class WordsEmbedder:
    """Hashed bag of words, L2-normalised: texts sharing words are close."""

    name = "words"
    dimension = DIMENSION

    def _embed(self, texts: list[str]) -> np.ndarray:
        vectors = np.zeros((len(texts), DIMENSION), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                vectors[row, int(hashlib.md5(word.encode()).hexdigest(), 16) % DIMENSION] += 1
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms == 0, 1, norms)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._embed(texts)

    def embed_documents(self, texts: list[str], show_progress: bool = False) -> np.ndarray:
        return self._embed(texts)


def passage(source: str, ordinal: int, *sentences: str) -> Passage:
    text = " ".join(sentences)
    units, start = [], 0
    for sentence in sentences:
        units.append(Unit("sentence", start, start + len(sentence)))
        start += len(sentence) + 1
    return Passage(f"{source}#{ordinal}", source, ordinal, text, 1, 1, units=tuple(units))


DOCUMENTS = [Document("deal.txt", "The Azure deal"), Document("lunch.txt", "Lunch menu")]
PASSAGES = [
    passage(
        "deal.txt", 1, "Microsoft is investing $1 billion in OpenAI.", "The money goes into Azure computing."
    ),
    passage("deal.txt", 2, "Satya Nadella leads Microsoft as its chief executive.", "He announced the deal."),
    passage("lunch.txt", 1, "The cafeteria serves lentil soup on Tuesdays.", "Bread comes with every soup."),
]


class MemoryLibrary:
    """A Library held in lists: what a test (or a new backend's first draft) needs."""

    def __init__(self, embedder: Embedder) -> None:
        self.generation = "memory-1"
        self.manifest = Manifest("words", DIMENSION, 120, 1, "flat", "/corpus")
        self._passages = {p.id: p for p in PASSAGES}
        self._vectors = embedder.embed_documents([p.text for p in PASSAGES])

    def __len__(self) -> int:
        return len(self._passages)

    def passage(self, passage_id: str) -> Passage | None:
        return self._passages.get(passage_id)

    def passages_of(self, source: str) -> list[Passage]:
        return [p for p in PASSAGES if p.source == source]

    def document(self, source: str) -> Document | None:
        return next((d for d in DOCUMENTS if d.source == source), None)

    def documents(self) -> list[Document]:
        return list(DOCUMENTS)

    def nearest(self, vector, k: int):
        scores = self._vectors @ vector
        order = np.argsort(-scores, kind="stable")[:k]
        return [(PASSAGES[i].id, float(scores[i])) for i in order]

    def keyword(self, query: str, k: int):
        words = set(re.findall(r"\w+", query.lower()))
        scored = [(p.id, float(len(words & set(re.findall(r"\w+", p.text.lower()))))) for p in PASSAGES]
        return sorted((s for s in scored if s[1] > 0), key=lambda s: -s[1])[:k]

    def sentence_vectors(self, texts):
        return [None for _ in texts]

    def document_frequencies(self) -> DocumentFrequencies:
        return document_frequencies(DOCUMENTS, PASSAGES)


@pytest.fixture
def parts():
    embedder = WordsEmbedder()
    library: Library = MemoryLibrary(embedder)
    return embedder, library, Searcher(library, embedder), ExtractiveComposer(embedder)


def answer(parts, question: str) -> Composition:
    embedder, library, searcher, composer = parts
    vector = embedder.embed_queries([question])[0]
    hits = searcher.search(question, k=3, query_vector=vector)
    return composer.compose(read(Query(question), lexicon(library)), hits, vector, library)


def test_the_searcher_ranks_by_both_retrievers_over_any_library(parts):
    _, _, searcher, _ = parts
    hits = searcher.search("lentil soup Tuesdays", k=2)
    assert hits[0].passage.id == "lunch.txt#1"
    assert hits[0].dense_score > 0 and hits[0].lexical_score > 0


def test_the_composer_quotes_the_sentence_that_answers_and_cites_it(parts):
    composition = answer(parts, "How much is Microsoft investing in OpenAI?")
    assert not composition.abstained
    assert "$1 billion" in composition.text and composition.text.endswith("[1]")
    assert composition.cited[0].hit.passage.id == "deal.txt#1"
    assert problems(composition) == []


def test_the_composer_abstains_off_topic_and_keeps_the_closest(parts):
    composition = answer(parts, "What is the weather in Paris?")
    assert composition.abstained and composition.text == ""
    assert composition.see_also


def test_vocabulary_frequencies_count_passages_not_occurrences():
    frequencies = document_frequencies(DOCUMENTS, PASSAGES)
    assert frequencies.passages == 3
    assert frequencies.counts["soup"] == 1  # twice in one passage
    assert frequencies.counts["microsoft"] == 2


def cited(quote: str, number: int = 1) -> CitedPassage:
    return CitedPassage(number, Hit(PASSAGES[0], 1.0), quote)


def test_the_verifier_passes_a_verbatim_answer():
    good = Composition(
        "Microsoft is investing $1 billion in OpenAI. [1]", False, (cited(PASSAGES[0].text[:44]),)
    )
    assert problems(good) == [] and verified(good) is good


@pytest.mark.parametrize(
    ("text", "quote", "problem"),
    [
        ("Microsoft is investing $2 billion. [1]", "Microsoft is investing $2 billion.", "not in deal.txt#1"),
        ("Microsoft is investing. [2]", "Microsoft is investing", "marker [2] has no citation"),
        ("Microsoft is investing.", "Microsoft is investing", "citation [1] has no marker"),
    ],
)
def test_the_verifier_replaces_a_bad_answer_with_an_abstention(text, quote, problem, caplog):
    bad = Composition(text, False, (cited(quote),))
    assert any(problem in p for p in problems(bad))
    checked = verified(bad, "how much?")
    assert checked.abstained and checked.text == "" and checked.cited == ()
    assert checked.see_also == (bad.cited[0].hit,)
    assert "failed verification" in caplog.text


def test_brackets_inside_a_quote_are_the_sources_words_not_markers():
    """itsdangerous' key rotation: the answer quoted `del SECRET_KEYS[0]`, and "[0]" was read as a marker
    without a citation, so a right answer became an abstention."""
    code = passage("keys.md", 1, "Drop the oldest key:\ndel SECRET_KEYS[0]")
    quote = "del SECRET_KEYS[0]"
    composition = Composition(f"{quote} [1]", False, (CitedPassage(1, Hit(code, 1.0), quote),))
    assert problems(composition) == []
    unquoted = Composition(f"{quote} [1] [0]", False, (CitedPassage(1, Hit(code, 1.0), quote),))
    assert problems(unquoted) == ["marker [0] has no citation"]  # outside the quote it is a marker
    # A quote's lines of brackets alone are not taken from a marker (Traefik's tags example: "]", "}").
    tags = passage("tags.md", 1, "Limit it:\n{\n  ]\n}")
    two = Composition(
        "Limit it: [1]\n{\n  ]\n} [2]", False,
        (CitedPassage(1, Hit(tags, 1.0), "Limit it:"), CitedPassage(2, Hit(tags, 1.0), "{\n  ]\n}")),
    )  # fmt: skip
    assert problems(two) == []


def test_a_shortened_table_cell_still_counts_as_verbatim():
    row = passage("t.md", 1, "Name | A very long description of the setting. It goes on. | 180s")
    quote = "Name | A very long description of the setting. … | 180s"
    composition = Composition(f"{quote} [1]", False, (CitedPassage(1, Hit(row, 1.0), quote),))
    assert problems(composition) == []


def test_manifest_round_trips_and_refuses_other_formats():
    manifest = Manifest("m", 384, 120, 1, "flat", "/c")
    again = Manifest.from_json(manifest.to_json(), "/idx", "Rebuild.")
    assert again == manifest and again.built_at
    old = json.loads(manifest.to_json()) | {"format_version": FORMAT_VERSION - 1}
    with pytest.raises(IndexIncompatibleError, match="format version.*Rebuild"):
        Manifest.from_json(json.dumps(old), "/idx", "Rebuild.")
    with pytest.raises(IndexIncompatibleError, match="unreadable.*Rebuild"):
        Manifest.from_json("[1]", "/idx", "Rebuild.")


def test_manifest_refuses_another_pipeline_or_model():
    manifest = Manifest("m", 384, 120, 1, "flat", "/c")
    manifest.check_servable("/idx", "m", "")
    with pytest.raises(IndexIncompatibleError, match="another|built with model"):
        manifest.check_servable("/idx", "other", "")
    with pytest.raises(IndexIncompatibleError, match="older citebot"):
        replace(manifest, pipeline_version=PIPELINE_VERSION - 1).check_servable("/idx", None, "")
