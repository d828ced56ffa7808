"""The composer reads a question in another language by that language's rules: its interrogatives say
what kind of answer it wants, its words are stemmed (compounds split) as its documents' are, numbers and
dates are recognised as that language writes them, and the English-only embedding model's similarities
are not taken as evidence. English is read exactly as before.

No model is loaded: questions are answered over hand-made hits with the shipped answer model, the way
tests/retrieval/test_answer.py does; the real documents are tests/data/cases/languages
(tests/test_docs_quality.py).
"""

from __future__ import annotations

import numpy as np
import pytest

from retrieval.answering.answer_model import answer_model
from retrieval.answering.compose import DENSE_FEATURES, _unmeasured, compose
from retrieval.answering.question import Vocabulary, analyse, answer_kind, stems_of
from retrieval.config import ChunkingParams, ComposerParams
from retrieval.ingest.build import document_frequencies
from retrieval.ingest.chunking import chunk_document
from retrieval.models import Block, Document, Hit
from retrieval.text.languages import asked_kind, kind_pattern, reading_language, word_count
from retrieval.text.tokens import stem, tokenize

BRIDGE = [
    Block("heading", "Die Rheinbrücke von Neustadt", 1, 1, level=1),
    Block("heading", "Geschichte", 2, 2, level=2),
    Block("paragraph", "Die Rheinbrücke wurde am 1. Mai 1886 eröffnet.", 3, 3),
    Block("paragraph", "Seit 1991 steht das Bauwerk unter Denkmalschutz.", 4, 4),
    Block("heading", "Besichtigung", 5, 5, level=2),
    Block("paragraph", "Der Brückenturm am linken Ufer ist von April bis Oktober geöffnet.", 6, 6),
    Block("paragraph", "Der Eintrittspreis für den Brückenturm beträgt 3 Euro, für Kinder 1,50 Euro.", 7, 7),
]
MUSEUM = [
    Block("heading", "みなと市立博物館のご案内", 1, 1, level=1),
    Block("heading", "入館料", 2, 2, level=2),
    Block("paragraph", "大人の入館料は500円です。\n20名以上の団体は割引があります。", 3, 4),
    Block("heading", "歴史", 5, 5, level=2),
    Block("paragraph", "博物館は1965年に設立されました。\n最初は港の近くの古い倉庫を使っていました。", 6, 7),
]


def _answer(question: str, source: str, blocks: list[Block]):
    """The composition for `question` over the passages of one document, its vocabulary made as the
    indexer makes it; the embedding function must not be needed for a question in another language."""
    passages = chunk_document(source, blocks, ChunkingParams())
    frequencies = document_frequencies([Document(source, blocks[0].text)], passages)
    terms = analyse(question, Vocabulary(dict(frequencies.counts), frequencies.passages))

    def embed(texts: list[str]) -> np.ndarray:
        raise AssertionError("an English-only model's similarities were asked for")

    hits = [Hit(p, 1.0 / (i + 1), 0.9, 1.0) for i, p in enumerate(passages)]
    vector = np.zeros(384, dtype=np.float32)
    return terms, compose(hits, terms, vector, embed, {}, ComposerParams())


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("¿Cuánto cuesta el carné para los adultos?", "amount"),
        ("¿Cuándo se inauguró el edificio actual?", "time"),
        ("¿Quién es la directora de la biblioteca?", "person"),
        ("¿Dónde está la biblioteca?", "place"),
        ("Wann wurde die Brücke eröffnet?", "time"),
        ("Wie lange dauert eine Führung?", "time"),
        ("Wie lang ist die Brücke?", "amount"),
        ("Was kostet der Eintritt für den Turm?", "amount"),
        ("Wie viele Fahrzeuge fahren täglich über die Brücke?", "amount"),
        ("Quand le musée ouvre-t-il ?", "time"),
        ("大人の入館料はいくらですか？", "amount"),
        ("博物館は何年に設立されましたか？", "time"),
        ("博物館の休館日はいつですか？", "time"),
        ("成人门票多少钱？", "amount"),
        ("植物园是哪一年建成的？", "time"),
        ("Wie heißt die Brücke?", None),
    ],
)
def test_interrogatives_say_what_kind_of_answer_is_asked_for(question, kind):
    assert asked_kind(question, reading_language(question)) == kind


def test_english_questions_keep_the_english_reading():
    for question in (
        "When was the bridge opened?",
        "How much does the ticket cost?",
        "h2o max-connections default?",
    ):
        assert reading_language(question) == "en"
    assert answer_kind("When was the bridge opened?", "en") == "time"


def test_a_short_question_in_chinese_or_japanese_script_is_read_by_its_script():
    assert reading_language("成人门票多少钱？") == "zh"  # six letters: too few for the language model
    assert reading_language("いくらですか？") == "ja"


@pytest.mark.parametrize(
    ("kind", "language", "text"),
    [
        ("time", "de", "Die Rheinbrücke wurde am 1. Mai eröffnet."),
        ("time", "de", "Die Führung dauert drei Stunden."),
        ("time", "es", "Se inauguró el 1 de mayo."),
        ("time", "ja", "博物館は1965年に設立されました。"),
        ("time", "ja", "休館日は毎週月曜日です。"),
        ("time", "zh", "植物园建成于1956年。"),
        ("amount", "ja", "大人の入館料は500円です。"),
        ("amount", "ja", "収蔵品は約3万点あります。"),
        ("amount", "zh", "温室里种植了3000多种热带植物。"),
        ("amount", "es", "Cada lector puede llevarse hasta seis libros a la vez."),
        ("amount", "de", "Die Fahrbahn ist achtzehn Meter und zwölf Zentimeter breit."),
        ("person", "es", "La directora es la Sra. Carmen Ortega."),
    ],
)
def test_what_shows_an_answer_of_the_kind_in_each_language(kind, language, text):
    assert kind_pattern(kind, language).search(text)


@pytest.mark.parametrize(
    ("kind", "language", "text"),
    [
        ("time", "de", "Die Brücke ruht auf Pfeilern aus Sandstein."),
        ("time", "ja", "特に江戸時代の地図が充実しています。"),
        ("amount", "zh", "园内禁止骑自行车和放风筝。"),
        ("amount", "es", "Los domingos permanece cerrada."),
    ],
)
def test_text_without_the_kind_does_not_show_it(kind, language, text):
    assert not kind_pattern(kind, language).search(text)


def test_words_of_chinese_and_japanese_text_are_counted_without_spaces():
    assert word_count("Default is 1073741824 (1GB).") == len("Default is 1073741824 (1GB).".split())
    assert word_count("大人の入館料は500円です。") == 7  # "大人の入館料は" 4, "500" 1, "円です" 2, "。" none
    assert word_count("成人门票20元") >= 3  # no longer a "fragment" of one word


def test_german_words_are_stemmed_and_split_as_german_documents_are():
    assert "turm" in stems_of("Der Eintrittspreis für den Brückenturm beträgt 3 Euro.", "de")
    assert "turm" not in stems_of("Der Eintrittspreis für den Brückenturm beträgt 3 Euro.")
    text = "The gateway rejects requests over the limit."
    assert stems_of(text) == stems_of(text, "en") >= set(stem(tokenize(text)))


def test_the_vocabulary_of_a_german_document_holds_its_german_terms():
    passages = chunk_document("bruecke.md", BRIDGE, ChunkingParams())
    counts = document_frequencies([Document("bruecke.md", "Die Rheinbrücke")], passages).counts
    assert counts.get("turm") and counts.get("eintritt") and counts.get("eroffn")
    blocks = [Block("paragraph", "The gateway rejects large requests.", 1, 1)]
    english = chunk_document("gw.md", blocks, ChunkingParams())
    context = f"Gateway\n{english[0].heading_path}\n{english[0].text}"
    assert document_frequencies([Document("gw.md", "Gateway")], english).counts == {
        term: 1 for term in stem(tokenize(context))
    }


def test_a_german_question_is_answered_from_its_compound_words():
    terms, composition = _answer("Was kostet der Eintritt für den Turm?", "bruecke.md", BRIDGE)
    assert (terms.language, terms.kind) == ("de", "amount")
    assert {"eintritt", "turm"} <= set(terms.weights) and not terms.unknown & {"eintritt", "turm"}
    assert not composition.abstained
    assert "3 Euro" in composition.text


def test_a_german_when_question_is_answered_with_its_date():
    terms, composition = _answer("Wann wurde die Brücke eröffnet?", "bruecke.md", BRIDGE)
    assert terms.kind == "time"
    assert "1. Mai 1886" in composition.text


def test_a_japanese_question_is_answered_from_its_unspaced_paragraph():
    terms, composition = _answer("博物館は何年に設立されましたか？", "minato.md", MUSEUM)
    assert (terms.language, terms.kind) == ("ja", "time")
    assert "年に" not in terms.weights  # "何年" is the interrogative: no bigram of it is a term
    assert "1965年" in composition.text
    _, composition = _answer("大人の入館料はいくらですか？", "minato.md", MUSEUM)
    assert "500円" in composition.text


def test_the_dense_features_of_a_question_the_model_cannot_read_add_nothing():
    scorer = answer_model().unit
    values = {name: 0.0 for name in scorer.features} | {"dense": 0.95, "passage_dense": 0.9}
    unread = _unmeasured(values, scorer, reads=False)
    means = dict(zip(scorer.features, scorer.mean, strict=True))
    for name in DENSE_FEATURES:
        if name in means:
            assert unread[name] == pytest.approx(means[name])
    assert _unmeasured(values, scorer, reads=True) is values
    assert ComposerParams().reads("en") and not ComposerParams().reads("de")
    assert ComposerParams(encoder_languages=None).reads("de")


def test_a_word_the_corpus_knows_only_by_english_rules_is_still_known():
    """An index built before (or a document too short to be recognised) holds English stems only."""
    text = "Die Rheinbrücke wurde am 1. Mai 1886 eröffnet."
    english_only = Vocabulary({term: 1 for term in stem(tokenize(text))}, 4)
    terms = analyse("Wann wurde die Brücke eröffnet?", english_only)
    assert "eroffnet" in terms.weights and "eroffnet" not in terms.unknown  # not German "eroffn"


LIBRARY = [
    Block("heading", "Médiathèque de Saint-Agrève", 1, 1, level=1),
    Block(
        "paragraph",
        "La médiathèque est ouverte du mardi au samedi, de 10 h à 18 h.\n"
        "L'inscription est gratuite pour les moins de 18 ans ; pour les adultes, elle coûte 12 euros par an.\n"
        "Le café littéraire a lieu le premier jeudi de chaque mois à 19 h.",
        2,
        4,
    ),
]  # tests/data/cases/accents-non-english/corpus/horaires.md


def test_a_second_unit_sharing_no_word_is_not_quoted_when_the_model_cannot_read_the_question():
    """Opening hours hold a time too, but nothing says they are about the literary café."""
    _, composition = _answer("Quand a lieu le café littéraire ?", "horaires.md", LIBRARY)
    assert composition.text == "Le café littéraire a lieu le premier jeudi de chaque mois à 19 h. [1]"
