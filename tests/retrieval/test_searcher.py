"""Hybrid, dense and keyword search over a real index; near-duplicates folded into one hit."""

from __future__ import annotations

import pytest

from retrieval.config import SearchParams
from retrieval.errors import RetrievalError
from retrieval.search.searcher import Searcher, _with_leaders
from tests.harness.libraries import (
    BACKENDS,
    build_index,
    build_library,
    new_location,
    open_searcher,
    open_searcher_at,
)

PRESS_RELEASE = (
    "The companies will focus on building a computational platform in Azure of unprecedented scale, which will "
    "train and run increasingly advanced AI models. This will create the foundation for advancements in AI to "
    "be implemented in a safe, secure and trustworthy way."
)


@pytest.fixture(scope="module")
def seeds(seeds_library, embedder) -> Searcher:
    """Search over the seeds index: every test using it runs on the files and the postgres backend."""
    return open_searcher_at(*seeds_library, embedder)


@pytest.fixture(scope="module", params=BACKENDS)
def twins(request, tmp_path_factory, embedder) -> Searcher:
    """Two articles quoting the same press release, and one unrelated note (each backend)."""
    corpus = tmp_path_factory.mktemp("twins")
    (corpus / "a_article.txt").write_text(f"Azure deal\n\n{PRESS_RELEASE}\n")
    (corpus / "b_blog.txt").write_text(f"Blog post on the deal\n\n{PRESS_RELEASE} Analysts were surprised.\n")
    (corpus / "c_note.txt").write_text("Lunch menu\n\nThe cafeteria serves lentil soup on Tuesdays.\n")
    location = new_location(request, request.param)
    build_library(request.param, corpus, location, embedder, sentence_vectors=False)
    return open_searcher_at(request.param, location, embedder)


def ids(hits) -> list[str]:
    return [hit.passage.id for hit in hits]


def test_a_retrievers_best_passage_is_kept_among_the_k():
    """Fusion by rank buries a passage only one retriever finds ("Does packaging still depend on
    pyparsing?": the one changelog passage naming pyparsing led the keyword ranking and was 23rd fused);
    the keyword retriever's best takes the last of the k places, the others keep their order."""
    fused = list("abcdefghij")
    assert _with_leaders(fused, ("i",), 4) == list("abcidefghj")
    assert _with_leaders(fused, ("i", "j"), 4) == list("abijcdefgh")
    assert _with_leaders(fused, ("b",), 4) == fused  # already among the k: nothing moves
    assert _with_leaders(fused, ("j", "j"), 4) == list("abcjdefghi")
    assert _with_leaders(fused, ("i",), 2) == fused  # the first two places stay fusion's
    assert _with_leaders(fused, ("i", "j"), 3) == fused


def test_the_keyword_best_is_among_hybrid_hits(seeds):
    for question in ("Who is the chief scientist of OpenAI?", "What is the phone number of media relations?"):
        lexical = seeds.search(question, k=1, mode="lexical")[0]
        assert lexical.passage.id in ids(seeds.search(question, k=3))


def test_hits_are_best_first(seeds):
    for mode in ("hybrid", "dense", "lexical"):
        hits = seeds.search("How much did Microsoft invest in OpenAI?", k=8, mode=mode)
        assert hits, mode
        scores = [hit.score for hit in hits]
        assert scores == sorted(scores, reverse=True), mode


@pytest.mark.parametrize("k", [1, 3, 8])
def test_k_is_respected(seeds, k):
    for mode in ("hybrid", "dense", "lexical"):
        assert len(seeds.search("Microsoft Azure OpenAI partnership", k=k, mode=mode)) == k


def test_k_larger_than_the_index_returns_every_passage_once(seeds):
    hits = seeds.search("Microsoft", k=500, mode="dense")
    assert len(ids(hits)) == len(set(ids(hits)))
    assert 0 < len(hits) <= len(seeds.library)


def test_lexical_mode_only_finds_passages_with_the_words(seeds):
    hits = seeds.search("MSFT Nasdaq", k=8, mode="lexical")
    assert hits
    assert all("MSFT" in hit.passage.text or "Nasdaq" in hit.passage.text for hit in hits)
    assert all(hit.lexical_score > 0 and hit.dense_score == 0 for hit in hits)


def test_lexical_mode_finds_nothing_for_unknown_words_but_dense_does(seeds):
    assert seeds.search("zyzzyva quokka", k=5, mode="lexical") == []
    assert len(seeds.search("zyzzyva quokka", k=5, mode="dense")) == 5


def test_dense_mode_scores_are_cosine_similarities(seeds):
    hits = seeds.search("Who is OpenAI's chief scientist?", k=5, mode="dense")
    assert all(
        hit.score == hit.dense_score and -1 <= hit.score <= 1 and hit.lexical_score == 0 for hit in hits
    )
    assert any("Sutskever" in h.passage.text for h in hits[:3])


def test_hybrid_keeps_the_best_of_both(seeds):
    query = "compute doubling time 3.5 month"
    dense = seeds.search(query, k=1, mode="dense")[0]
    lexical = seeds.search(query, k=1, mode="lexical")[0]
    hybrid = seeds.search(query, k=8, mode="hybrid")
    assert dense.passage.id in ids(hybrid) and lexical.passage.id in ids(hybrid)
    assert "3.5 month" in hybrid[0].passage.text
    top = hybrid[0]
    assert top.dense_score > 0 and top.lexical_score > 0
    assert top.score <= 2 / 61  # reciprocal-rank fusion: at best first in both rankings


def test_rrf_fusion_scores_are_reciprocal_ranks(seeds_index, embedder):
    retriever = open_searcher(seeds_index, embedder, SearchParams(fusion="rrf", rrf_k=60))
    top = retriever.search("compute doubling time 3.5 month", k=3)[0]
    assert "3.5 month" in top.passage.text
    assert top.score <= 2 / 61  # at best first in both rankings


def test_blend_fusion_scores_lie_between_zero_and_one(seeds_index, embedder):
    retriever = open_searcher(seeds_index, embedder, SearchParams(fusion="blend", dense_weight=0.5))
    hits = retriever.search("Satya Nadella transformative technologies", k=5)
    assert hits and all(0 <= hit.score <= 1 for hit in hits)
    assert "Nadella" in hits[0].passage.text


def test_lexical_query_overrides_the_keywords_only(seeds):
    hits = seeds.search("who leads it", k=3, mode="lexical", lexical_query="Sutskever")
    assert hits and "Sutskever" in hits[0].passage.text


def test_unknown_mode_is_an_error(seeds):
    with pytest.raises(RetrievalError, match="hybrid"):
        seeds.search("anything", mode="semantic")


def test_near_duplicates_fold_into_one_hit_naming_the_other_source(twins):
    hits = twins.search("computational platform in Azure of unprecedented scale", k=3)
    sources = [hit.passage.source for hit in hits]
    assert sources.count("a_article.txt") + sources.count("b_blog.txt") == 1
    twin = next(hit for hit in hits if hit.passage.source in ("a_article.txt", "b_blog.txt"))
    other = {"a_article.txt", "b_blog.txt"} - {twin.passage.source}
    assert twin.also_in == tuple(other)
    assert ids(hits)[0] == twin.passage.id
    assert "c_note.txt#1" in ids(hits)


def test_pages_alike_but_for_their_numbers_are_both_kept(tmp_path, embedder):
    """The 2.3 and the 2.4 install guide, or last year's and this year's price list, differ in a few
    numbers only: folding one into the other would hide the answer for the other version."""
    corpus = tmp_path / "docs"
    corpus.mkdir()
    body = (
        "Widget {v} is the new garden pump from Acme. Widget {v} costs ${price} and ships with a filter, "
        "a hose adapter and a two-year warranty. It moves water quietly and switches itself off when dry."
    )
    (corpus / "widget2.md").write_text(body.format(v=2, price=49) + "\n")
    (corpus / "widget3.md").write_text(body.format(v=3, price=59) + "\n")
    (corpus / "copy.txt").write_text(body.format(v=2, price=49) + "\n")  # a true copy still folds
    build_index(corpus, tmp_path / "idx", embedder, sentence_vectors=False)
    hits = open_searcher(tmp_path / "idx", embedder).search("How much does Widget 3 cost?", k=5)
    sources = {hit.passage.source for hit in hits}
    assert {"widget3.md"} <= sources and len(sources & {"widget2.md", "copy.txt"}) == 1
    folded = next(hit for hit in hits if hit.passage.source in ("widget2.md", "copy.txt"))
    assert folded.also_in and "widget3.md" not in folded.also_in


@pytest.mark.parametrize("mode", ["hybrid", "dense", "lexical"])
def test_duplicate_folding_applies_in_every_mode(twins, mode):
    hits = twins.search("trustworthy AI advancements platform", k=5, mode=mode)
    assert len({hit.passage.source for hit in hits} & {"a_article.txt", "b_blog.txt"}) == 1


def test_an_index_made_by_an_older_text_pipeline_is_refused_with_the_rebuild_command(tmp_path, embedder):
    """Passages from an older pipeline lack the units answers quote: rebuilding is the only way out."""
    import json

    from retrieval.errors import IndexIncompatibleError
    from retrieval.libraries.files import layout
    from retrieval.libraries.files.library import MANIFEST_FILE

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "note.md").write_text("# Note\n\nThe cafeteria serves lentil soup on Tuesdays.\n")
    build_index(corpus, tmp_path / "index", embedder, show_progress=False, sentence_vectors=False)
    manifest = layout.current_generation(tmp_path / "index", "") / MANIFEST_FILE
    raw = json.loads(manifest.read_text("utf-8"))
    raw["pipeline_version"] -= 1
    manifest.write_text(json.dumps(raw), "utf-8")
    with pytest.raises(IndexIncompatibleError, match="older citebot.*citebot index"):
        open_searcher(tmp_path / "index", embedder, rebuild_hint="Rebuild it with: citebot index")
