"""A scope (the sources a channel may see) filters retrieval before ranking, in both backends: a scoped
question gets its full top-k from the allowed sources, and nothing outside them is cited, looked up,
listed, suggested or completed."""

from __future__ import annotations

import faiss
import numpy as np
import pytest

from retrieval import Engine, EngineConfig, Query
from retrieval.libraries.files.keyword_index import LexicalIndex
from retrieval.libraries.files.vector_index import INDEX_TYPES, FaissVectorIndex, RowSubset
from retrieval.scope import in_scope, source_name
from tests.harness.libraries import BACKENDS, build_library, new_location
from tests.harness.two_sources import ANSWER_WORDS, QUESTION, RUNBOOK, write_corpus

HANDBOOK = frozenset({"handbook"})
BOTH = frozenset({"handbook", "runbooks"})
TOP_K = 8


@pytest.fixture(scope="module", params=BACKENDS)
def engine(request, tmp_path_factory, embedder) -> Engine:
    """An engine over one index holding both sources, once per backend."""
    backend = request.param
    corpus = write_corpus(tmp_path_factory.mktemp("two-sources"))
    location = new_location(request, backend)
    build_library(backend, corpus, location, embedder)
    return Engine(EngineConfig(index=location, backend=backend, top_k=TOP_K), embedder)


def sources_of(keys) -> set[str]:
    return {source_name(key) for key in keys}


# -- answers ---------------------------------------------------------------------------------------------
def test_a_question_is_answered_where_its_source_is_seen_and_abstained_on_where_not(engine):
    seen = engine.answer(Query(QUESTION), BOTH)
    assert not seen.composition.abstained and ANSWER_WORDS in seen.composition.text
    assert {c.hit.passage.source for c in seen.composition.cited} == {RUNBOOK}

    hidden = engine.answer(Query(QUESTION), HANDBOOK)
    assert hidden.composition.abstained and ANSWER_WORDS not in hidden.composition.text
    # filtered before ranking: the whole top-k comes from the handbook, though the runbooks match best
    assert len(hidden.hits) == TOP_K and sources_of(h.passage.id for h in hidden.hits) == {"handbook"}
    assert sources_of(h.passage.id for h in hidden.see_also) <= {"handbook"}
    assert sources_of(hidden.documents) <= {"handbook"}


def test_no_scope_is_the_unscoped_search_and_a_scope_of_every_source_changes_nothing(engine):
    everything = [h.passage.id for h in engine.answer(Query(QUESTION)).hits]
    assert sources_of(everything[:4]) == {"runbooks"}
    assert [h.passage.id for h in engine.answer(Query(QUESTION), None).hits] == everything
    assert [h.passage.id for h in engine.answer(Query(QUESTION), BOTH).hits] == everything


def test_each_retriever_ranks_only_the_scope(engine, embedder):
    library = engine._live().library  # the parts' own seam: nearest and keyword take the scope
    vector = embedder.embed_queries([QUESTION])[0]
    assert sources_of(p for p, _ in library.nearest(vector, 3)) == {"runbooks"}
    nearest = library.nearest(vector, 3, HANDBOOK)
    assert len(nearest) == 3 and sources_of(p for p, _ in nearest) == {"handbook"}

    words = "replica promote laptop"  # the runbooks hold the first two words often; the handbook the last
    assert sources_of(p for p, _ in library.keyword(words, 2)) == {"runbooks"}
    keyword = library.keyword(words, 2, HANDBOOK)
    assert [p for p, _ in keyword] == ["handbook/equipment.md#1", "handbook/equipment.md#3"]
    assert library.keyword(words, 5, frozenset({"elsewhere"})) == []


# -- look-ups, listings, suggestions, completion ----------------------------------------------------------
def test_a_key_outside_the_scope_is_unknown(engine):
    passage_id = f"{RUNBOOK}#1"
    assert engine.passage(passage_id, BOTH) is not None and engine.document(RUNBOOK, BOTH) is not None
    assert engine.passage(passage_id, HANDBOOK) is None
    assert engine.document(RUNBOOK, HANDBOOK) is None and engine.passages_of(RUNBOOK, HANDBOOK) == []
    assert sources_of(d.source for d in engine.documents(HANDBOOK)) == {"handbook"}
    assert sources_of(d.source for d in engine.documents()) == {"handbook", "runbooks"}


def test_suggestions_and_completions_come_from_the_scope_only(engine):
    assert engine.suggest(f"{RUNBOOK}#9", search=False, scope=BOTH)  # a mistyped id: the real ones
    assert sources_of(engine.suggest(f"{RUNBOOK}#9", search=False, scope=HANDBOOK)) <= {"handbook"}
    assert sources_of(engine.suggest("promote the replica", scope=HANDBOOK)) == {"handbook"}
    assert engine.complete("failover", scope=BOTH)[0][0] == RUNBOOK
    assert engine.complete("failover", scope=HANDBOOK) == []
    assert sources_of(key for key, _ in engine.complete("", scope=HANDBOOK)) == {"handbook"}
    assert sources_of(engine.search(QUESTION, k=3, scope=HANDBOOK)[i].passage.id for i in range(3)) == {
        "handbook"
    }


# -- the parts, without a model ----------------------------------------------------------------------------
def test_a_key_belongs_to_the_source_named_before_its_first_slash():
    assert source_name("handbook/docs/a.md#3") == "handbook" and source_name("notes.md") == "notes.md"
    assert in_scope("runbooks/x.md", None) and not in_scope("runbooks/x.md", HANDBOOK)


@pytest.mark.parametrize("index_type", [t for t in INDEX_TYPES if t != "auto"])
@pytest.mark.parametrize("members", [3, 40, 1000])
def test_every_faiss_index_type_returns_the_k_nearest_members_of_a_subset(index_type, members):
    vectors = np.random.default_rng(7).standard_normal((4000, 32)).astype(np.float32)
    faiss.normalize_L2(vectors)
    allowed = np.zeros(len(vectors), dtype=bool)
    allowed[np.random.default_rng(8).choice(len(vectors), members, replace=False)] = True
    index = FaissVectorIndex.build(vectors, index_type)
    query = vectors[~allowed][:1]  # a query nearest to rows outside the subset
    k = 10
    scores, rows = index.search(query, k, RowSubset(allowed))
    found = rows[0][rows[0] >= 0]
    assert len(found) == min(k, members) and allowed[found].all()
    if index_type == "flat":  # exact: the true k nearest members, in order
        truth = np.flatnonzero(allowed)[np.argsort(-(vectors[allowed] @ query[0]), kind="stable")[:k]]
        assert list(found) == list(truth)
    unscoped = index.search(query, k)[1][0]
    assert not allowed[unscoped[:1]].any()  # unscoped, a non-member is nearest: filtering came first


def test_an_empty_subset_finds_nothing():
    vectors = np.eye(4, dtype=np.float32)
    scores, rows = FaissVectorIndex.build(vectors).search(vectors[:1], 3, RowSubset(np.zeros(4, bool)))
    assert (rows == -1).all()


def test_keyword_search_scores_only_allowed_rows():
    texts = ["replica promote replica", "promote the replica", "a laptop and a replica", "nothing here"]
    index = LexicalIndex.build(texts)
    rows, _ = index.search("promote replica", 2)
    assert set(rows) == {0, 1}
    allowed = np.array([False, False, True, True])
    rows, scores = index.search("promote replica", 2, allowed)
    assert list(rows) == [2] and (scores > 0).all()


@pytest.mark.parametrize("index_type", ["hnsw", "ivf-sq8"])
def test_the_exact_scan_of_a_subset_finds_its_k_nearest_chunk_by_chunk(index_type, monkeypatch):
    """What an approximate index falls back on when its search finds fewer than k members."""
    from retrieval.libraries.files import vector_index

    monkeypatch.setattr(vector_index, "_EXACT_CHUNK", 7)  # many chunks for 50 members
    vectors = np.random.default_rng(3).standard_normal((3000, 16)).astype(np.float32)
    faiss.normalize_L2(vectors)
    allowed = np.zeros(len(vectors), dtype=bool)
    allowed[np.random.default_rng(4).choice(len(vectors), 50, replace=False)] = True
    index = FaissVectorIndex.build(vectors, index_type)
    _, rows = index._exact(vectors[:2], 5, RowSubset(allowed))
    for query, found in zip(vectors[:2], rows, strict=True):
        truth = np.flatnonzero(allowed)[np.argsort(-(vectors[allowed] @ query))[:5]]
        assert list(found) == list(truth)
