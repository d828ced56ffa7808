"""Keyword search in other languages: detection, folding, CJK words, stop words and stems per language,
compound parts, sentence ends; and English exactly as before."""

from __future__ import annotations

import bm25s
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.evaluation import load_questions
from retrieval.libraries.files.keyword_index import LexicalIndex
from retrieval.text.languages import ENGLISH, detect, stemmer
from retrieval.text.normalize import fold
from retrieval.text.sentences import split_sentences
from retrieval.text.tokens import (
    document_terms,
    matching_text,
    query_terms,
    stem,
    tokenize,
    word_tokens,
)
from tests.harness.libraries import DATA

# Tokens, stems and query words of main before languages were added (commit 6019e49), verbatim.
ENGLISH_PINNED = {
    "Mr. Smith's idleTimeout (in seconds) is 180, e.g. for the Zürich office's café.": (
        "mr smith s idletimeout in seconds is 180 e g for the zurich office s cafe idle timeout",
        "mr smith s idletimeout in second is 180 e g for the zurich offic s cafe idl timeout",
        "mr smith s idletimeout second 180 e g zurich offic s cafe idl timeout",
    ),
    "Don't run kubectl apply -f deploy.yaml twice: it won't re-create the Pods.": (
        "don t run kubectl apply f deploy yaml twice it won t re create the pods",
        "don t run kubectl appli f deploy yaml twice it won t re creat the pod",
        "don t run kubectl appli f deploy yaml twice won t re creat pod",
    ),
    "Naïve résumé coöperation — ﬁfth edition, 2nd printing, 1,000 copies at €12.50.": (
        "naive resume cooperation fifth edition 2nd printing 1 000 copies at 12 50",
        "naiv resum cooper fifth edit 2nd print 1 000 copi at 12 50",
        "naiv resum cooper fifth edit 2nd print 1 000 copi 12 50",
    ),
}


@pytest.mark.parametrize("sentence", list(ENGLISH_PINNED))
def test_english_tokens_stems_and_stop_words_are_as_before(sentence):
    tokens, stems, query = ENGLISH_PINNED[sentence]
    assert tokenize(sentence) == tokens.split()
    assert stem(tokenize(sentence)) == stems.split()
    assert LexicalIndex.query_words(sentence) == query.split()


def test_english_documents_get_the_terms_bm25s_tokenize_gave():
    """The old keyword terms: bm25s.tokenize with English stop words and the English stemmer (for text
    without a release version: "3.1.1" is also a token whole, see test_a_release_version_...)."""
    texts = [*ENGLISH_PINNED, "The retention time defaults to 15d; set --storage.tsdb.retention.time."]
    old = bm25s.tokenize(
        [matching_text(t) for t in texts],
        token_pattern=r"(?u)\b\w+\b",
        stopwords="en",
        stemmer=stemmer(ENGLISH),
        show_progress=False,
        return_ids=False,
    )
    assert document_terms(texts) == old


def test_a_release_version_is_a_token_whole_and_in_parts():
    """ "3.1.1" cut at its dots is in any text with a 3 and a 1; whole, it names one release."""
    assert tokenize("Flask 3.1.1 and v1.1.0, not 2.5 or 1.1.0.") == [
        "flask", "3.1.1", "3", "1", "1", "and", "1.1.0", "v1", "1", "0", "not", "2", "5", "or", "1.1.0", "1", "1", "0",
    ]  # fmt: skip
    assert "3.1.1" not in tokenize("Flask 2.3.1 and 13.1.1")
    assert tokenize("from 10.0.0.1") == ["from", "10", "0", "0", "1"]  # an address, not a release


def test_every_english_question_of_the_test_sets_is_read_as_english():
    for name in ("docs_dev/questions.yaml", "seeds_dev.yaml", "seeds_extra.yaml", "handbook_questions.yaml"):
        for question in load_questions(DATA / name):
            assert detect(question.question) == ENGLISH, question.question


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("¿Cuándo abre la biblioteca?", "es"),
        ("Was kostet der Eintritt?", "de"),
        ("Combien coûte l'inscription pour les adultes ?", "fr"),
        ("博物館の休館日はいつですか？", "ja"),
        ("植物园的占地面积有多大？", "zh"),
        ("h2o max-connections default?", "en"),  # French at 0.73: below the bar, so English
        ("hello", "en"),  # too short to tell
        ("kubectl apply -f", "en"),
    ],
)
def test_detect_reads_the_language_and_defaults_to_english(text, language):
    assert detect(text) == language


def test_fold_keeps_marks_that_are_letters_and_strips_latin_accents():
    assert fold("Zürich café") == "zurich cafe"
    assert fold("ばす") == "ばす" != "はす"  # "bus" is not "lotus"
    assert fold("パン") == "パン"
    assert fold("서울") == "서울"  # Hangul stays syllables, not jamo
    assert fold("हिन्दी") == "हिन्दी"
    assert fold("Ёлка") == "елка"  # Cyrillic as before


def test_cjk_text_is_split_into_character_bigrams():
    assert tokenize("東京タワー") == ["東京", "京タ", "タワ", "ワー"]
    assert word_tokens("长城") == ["长城"]
    assert tokenize("Python3の使い方") == ["python3", "の使", "使い", "い方"]
    assert tokenize("서울의 날씨") == ["서울", "울의", "날씨"]


def test_spanish_stop_words_and_stems():
    terms = query_terms("¿Cuántos libros se pueden llevar en préstamo?")
    assert "se" not in terms and "en" not in terms
    document = document_terms(["Cada lector puede llevarse hasta seis libros a la vez."])[0]
    assert stem(["libros"], "es")[0] in terms and stem(["libros"], "es")[0] in document


def test_german_compounds_are_found_by_their_parts():
    document = document_terms(["Die Gesamtlänge der Rheinbrücke beträgt 412 Meter. Der Eintritt ist frei."])[
        0
    ]
    for word in ("Brücke", "Länge"):
        assert query_terms(f"Wie steht es um die {word}?")[-1] in document, word
    assert "tritt" not in document  # "ein|tritt" is a derived word, not a compound


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("Die Brücke wurde am 1. Mai 1886 eröffnet. Sie ist alt.", 2),
        ("Das ist z. B. die Brücke aus dem 14. Jahrhundert. Sie kostet ca. 5 Mio. Euro.", 2),
        ("La directora es la Sra. Carmen Ortega. Abre a las 9.", 2),
        ("The count was 3. The next one starts at 4.", 2),  # English as before
        ("He lives in CA. The weather is good.", 2),
    ],
)
def test_sentence_ends_respect_ordinals_and_abbreviations(text, sentences):
    assert len(split_sentences(text)) == sentences


def test_keyword_search_finds_other_languages_among_english_passages():
    texts = [
        "The library opens at nine and closes at eight.",
        "La biblioteca abre de lunes a viernes; los domingos permanece cerrada.",
        "Die Rheinbrücke wurde am 1. Mai 1886 eröffnet.",
        "博物館の休館日は毎週月曜日です。",
        "植物园建成于1956年。",
    ]
    index = LexicalIndex.build(texts, sources=["en.md", "es.md", "de.md", "ja.md", "zh.md"])
    for question, row in [
        ("¿Cuándo abre la biblioteca?", 1),
        ("Wann wurde die Brücke eröffnet?", 2),
        ("休館日はいつですか", 3),
        ("植物园是哪一年建成的？", 4),
    ]:
        rows, _ = index.search(question, 3)
        assert rows.tolist()[0] == row, question


def test_a_question_finds_a_document_too_short_to_be_recognised():
    """ "Horario: lunes a viernes" reads as English; a Spanish question still finds it."""
    index = LexicalIndex.build(["Opening hours of the library", "Biblioteca: lunes a viernes"], ["en", "es"])
    assert index.search("¿Qué días abre la biblioteca?", 2)[0].tolist()[0] == 1


def test_postgres_keyword_terms_are_the_files_backends():
    from retrieval.libraries.postgres.library import keyword_terms

    texts = ["Die Gesamtlänge der Rheinbrücke beträgt 412 Meter.", "Der Brückenturm ist täglich geöffnet."]
    assert keyword_terms(texts) == document_terms(texts)


MULTILINGUAL = {
    "biblioteca.md": [
        "La biblioteca abre de lunes a viernes de 9:00 a 20:00; los domingos permanece cerrada.",
        "Cada lector puede llevarse hasta seis libros a la vez durante tres semanas.",
    ],
    "bruecke.md": [
        "Die Rheinbrücke wurde am 1. Mai 1886 eröffnet und ersetzte eine alte Fähre.",
        "Der Eintrittspreis für den Brückenturm beträgt 3 Euro, für Kinder 1,50 Euro.",
    ],
    "museum.md": ["博物館の休館日は毎週月曜日です。", "大人の入館料は500円です。"],
    "library.md": ["The library opens at nine and closes at eight.", "Each reader may borrow six books."],
}


@pytest.fixture
def pool(database_url):
    from bot.state.database import open_pool
    from retrieval.libraries.postgres.library import configure_connection

    pool = open_pool(database_url, wait_s=10, configure=configure_connection)
    yield pool
    pool.close()


@pytest.mark.parametrize(
    "query",
    ["¿Cuántos libros puedo llevar?", "Was kostet der Turm?", "入館料はいくらですか", "How many books?"],
)
def test_postgres_ranks_other_languages_as_the_files_backend_does(pool, query):
    from retrieval.libraries.postgres.library import PostgresLibrary
    from retrieval.parts import indexed_text
    from tests.retrieval.test_postgres_library import build, entry

    entries = [entry(source, texts) for source, texts in MULTILINGUAL.items()]
    build(pool, entries)
    passages = [(e.document, p) for e in entries for p in e.passages]
    index = LexicalIndex.build([indexed_text(d, p) for d, p in passages], [p.source for _, p in passages])
    rows, scores = index.search(query, 10)
    expected = {passages[r][1].id: float(s) for r, s in zip(rows, scores, strict=True)}
    found = dict(PostgresLibrary(pool).keyword(query, 10))
    assert expected and found == pytest.approx(expected, rel=1e-4)


def test_question_analysis_keeps_other_languages_function_words_out_of_the_key_terms():
    from retrieval.answering.question import Vocabulary, analyse

    vocabulary = Vocabulary({"biblioteca": 3, "carn": 1, "adulto": 1, "入館": 1, "大人": 2, "bruck": 2}, 10)
    spanish = analyse("¿Cuánto cuesta el carné para los adultos?", vocabulary)
    assert {"cuanto", "el", "los", "para"}.isdisjoint(spanish.weights) and "carn" in spanish.weights
    assert not spanish.identifiers  # "¿Cuánto" opens the question: it is not a name the corpus lacks
    japanese = analyse("大人の入館料はいくらですか？", vocabulary)
    assert {"大人", "入館"} <= set(japanese.weights) and "すか" not in japanese.weights  # a junction
    german = analyse("Wann wurde die Brücke im Zentrum eröffnet?", vocabulary)
    assert "wann" not in german.weights and not german.identifiers  # German capitals are not names


def _old_fold(text: str) -> str:
    """fold() as it was before languages (commit 6019e49): every combining mark stripped."""
    import unicodedata

    from retrieval.text.normalize import clean_text

    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFKC", clean_text(text)).casefold()
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


_LATIN_TEXT = st.text(
    alphabet=st.characters(
        codec="utf-8",
        max_codepoint=0x06FF,  # Latin, Greek, Cyrillic, Armenian, Hebrew, Arabic
        exclude_categories=("Cs",),
    )
    | st.sampled_from(
        list("Zürich café ﬁfth Straße naïve ½ ² Ⅻ — “quoted” idleTimeout snake_case Tiếng Việt .")
    )
)


@settings(max_examples=400, deadline=None)
@given(text=_LATIN_TEXT)
def test_latin_greek_cyrillic_text_folds_and_tokenises_as_before(text):
    import re

    assert fold(text) == _old_fold(text)
    assert tokenize(text) == re.findall(r"(?u)\b\w+\b", matching_text(text))
