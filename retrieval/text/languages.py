"""Which language a text is written in, and what keyword search does in each: stop words, stemmer, compounds.

Detection is py3langid (langid.py's maintained fork: a naive Bayes model over byte n-grams, shipped inside
the wheel, numpy only, no download), restricted to the languages below. Text that is short or that the
model is unsure about is English, so English questions and documents keep English rules.

Stop words are bm25s' own lists (NLTK's, already a dependency) and stemmers are PyStemmer's Snowball
algorithms: a language is supported for keyword search when both exist. Chinese, Japanese and Korean are
detected too, but their words are found by script (character bigrams, retrieval/text/tokens.py), so their
remaining Latin words follow the English rules.

The composer reads a question in its language too (the second half of this module): which kind of
answer its interrogatives ask for, and what shows that kind in a text of the language (numbers, dates,
names), with Chinese and Japanese questions too short for the model read by their script.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from functools import cache, lru_cache

import Stemmer
from bm25s.stopwords import (
    STOPWORDS_DANISH,
    STOPWORDS_DUTCH,
    STOPWORDS_EN,
    STOPWORDS_FRENCH,
    STOPWORDS_GERMAN,
    STOPWORDS_ITALIAN,
    STOPWORDS_NORWEGIAN,
    STOPWORDS_PORTUGUESE,
    STOPWORDS_RUSSIAN,
    STOPWORDS_SPANISH,
    STOPWORDS_SWEDISH,
    STOPWORDS_TURKISH,
)

from retrieval.text.normalize import fold

ENGLISH = "en"
# ISO 639-1 code -> (Snowball stemmer, stop words as bm25s ships them).
_RULES: dict[str, tuple[str, tuple[str, ...]]] = {
    "en": ("english", STOPWORDS_EN),
    "da": ("danish", STOPWORDS_DANISH),
    "de": ("german", STOPWORDS_GERMAN),
    "es": ("spanish", STOPWORDS_SPANISH),
    "fr": ("french", STOPWORDS_FRENCH),
    "it": ("italian", STOPWORDS_ITALIAN),
    "nl": ("dutch", STOPWORDS_DUTCH),
    "no": ("norwegian", STOPWORDS_NORWEGIAN),
    "pt": ("portuguese", STOPWORDS_PORTUGUESE),
    "ru": ("russian", STOPWORDS_RUSSIAN),
    "sv": ("swedish", STOPWORDS_SWEDISH),
    "tr": ("turkish", STOPWORDS_TURKISH),
}
KEYWORD_LANGUAGES = frozenset(_RULES)
# Question words, which bm25s' (NLTK's) stop word lists lack: they say what is asked, not about what
# (English has its own in retrieval/answering/question.py). Folded.
_QUESTION_WORDS: dict[str, frozenset[str]] = {
    "es": frozenset(
        "cuanto cuanta cuantos cuantas cuando donde adonde como que quien quienes cual cuales".split()
    ),
    "pt": frozenset("quanto quanta quantos quantas quando onde como que quem qual quais".split()),
    "fr": frozenset("combien quand ou comment quel quelle quels quelles pourquoi qui que quoi".split()),
    "it": frozenset("quanto quanta quanti quante quando dove come che chi quale quali perche".split()),
    "de": frozenset(
        "wann wo wie was wer wen wem warum weshalb welche welcher welches welchen welchem wieviel viel viele".split()
    ),
    "nl": frozenset("wanneer waar hoe wat wie waarom welke welk hoeveel".split()),
    "sv": frozenset("nar var hur vad vem varfor vilken vilket vilka".split()),
    "da": frozenset("hvornar hvor hvordan hvad hvem hvorfor hvilken hvilket hvilke".split()),
    "no": frozenset("nar hvor hvordan hva hvem hvorfor hvilken hvilket hvilke".split()),
}
# Detected so that their text is not forced into a European language; keyword rules: by script + English.
SCRIPT_LANGUAGES = frozenset({"zh", "ja", "ko"})
DETECTED = tuple(sorted(KEYWORD_LANGUAGES | SCRIPT_LANGUAGES))

# Germanic languages write compounds as one word ("Rheinbrücke"); retrieval/text/tokens.py indexes their parts.
# Each with the linking elements ("Fugenelemente") that may join a compound's parts, longest first.
COMPOUND_LINKS: dict[str, tuple[str, ...]] = {
    "de": ("ens", "en", "er", "es", "n", "s", "e"),
    "nl": ("en", "s", "e"),
    "sv": ("s", "e"),
    "da": ("s", "e"),
    "no": ("s", "e"),
}
# Verb particles and prefixes: "ein|tritt", "ver|kauf" are derived words, not compounds of two words.
_PREFIXES: dict[str, frozenset[str]] = {
    "de": frozenset(
        "auf aus bei dar durch ein ent fort her hin los miss mit nach uber ueber unter ver vor weg wider zer"
        " zuruck zusammen".split()
    ),
    "nl": frozenset("aan achter door her mee onder ont over terug toe uit ver voor weg".split()),
    "sv": frozenset("bort efter fram for fore mot over till upp".split()),
    "da": frozenset("bort efter for frem mod over til".split()),
    "no": frozenset("bort etter for fram frem mot over til".split()),
}
_WORDFREQ_CODES = {"no": "nb"}  # wordfreq's code for Norwegian (Bokmål)
_LEXICON_WORDS = 50_000  # the commonest words of a language that count as a compound's known parts

# Below these the answer is English: measured on every question in tests/data (214 English questions,
# none detected otherwise; "h2o max-connections default?" scores 0.73 French), while short questions in
# Spanish or German score 0.88-1.0.
MIN_LETTERS = 8
MIN_CONFIDENCE = 0.8
_DETECT_CHARS = 5_000  # a document's language is read from its beginning
_LETTER = re.compile(r"[^\W\d_]")

_lock = threading.Lock()
_identifier = None


def _model():
    """py3langid's identifier restricted to DETECTED (loaded once, ~1 s)."""
    global _identifier
    with _lock:
        if _identifier is None:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier

            identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
            identifier.set_languages(list(DETECTED))
            # set_languages keeps the whole model (145 languages, ~60 MB) to restore it later; we never do.
            identifier._full_model = (identifier.nb_ptc, identifier.nb_pc, identifier.nb_classes)
            _identifier = identifier
    return _identifier


def warm_up() -> None:
    """Load the detection model now (~1 s), so that the first question does not wait for it."""
    _model()


def detect(text: str) -> str:
    """The ISO 639-1 code of the language `text` is written in, one of DETECTED; "en" when the text has
    fewer than MIN_LETTERS letters or the model's probability is below MIN_CONFIDENCE. Reads at most the
    first 5,000 characters; a question's answer is remembered."""
    if len(text) <= 1000:
        return _detect_short(text)
    return _detect(text[:_DETECT_CHARS])


@lru_cache(maxsize=4096)
def _detect_short(text: str) -> str:
    return _detect(text)


def _detect(sample: str) -> str:
    if len(_LETTER.findall(sample[:2000])) < MIN_LETTERS:
        return ENGLISH
    language, confidence = _model().classify(sample)
    return language if confidence >= MIN_CONFIDENCE else ENGLISH


def document_sample(texts: Iterable[str]) -> str:
    """The beginning of a document's texts, as much as `detect` reads."""
    parts, size = [], 0
    for text in texts:
        parts.append(text)
        size += len(text) + 1
        if size >= _DETECT_CHARS:
            break
    return "\n".join(parts)


def keyword_language(language: str) -> str:
    """The language whose stop words and stemmer apply: `language` when supported, else English."""
    return language if language in _RULES else ENGLISH


@cache
def stop_words(language: str) -> frozenset[str]:
    """The language's stop words, folded as the words they are compared with ("für" -> "fur")."""
    words = _RULES[keyword_language(language)][1]
    return frozenset(words) if language == ENGLISH else frozenset(fold(w) for w in words)


def question_words(language: str) -> frozenset[str]:
    """The language's question words ("cuándo", "wann"), folded; empty for English and the rest."""
    return _QUESTION_WORDS.get(language, frozenset())


@cache
def stemmer(language: str) -> Stemmer.Stemmer:
    """The language's Snowball stemmer (PyStemmer), one shared object per language as before."""
    return Stemmer.Stemmer(_RULES[keyword_language(language)][0])


@cache
def compound_lexicon(language: str) -> dict[str, int]:
    """The commonest words of a compounding language (wordfreq's lists, shipped in its wheel), folded,
    each with its rank (0: the commonest): the words a compound's parts are recognised as. ~0.5 s to
    load, once."""
    from wordfreq import top_n_list

    ranks: dict[str, int] = {}
    for rank, word in enumerate(top_n_list(_WORDFREQ_CODES.get(language, language), _LEXICON_WORDS)):
        folded = fold(word)
        if len(folded) >= 3 and folded.isalpha():
            ranks.setdefault(folded, rank)
    return ranks


def compound_prefixes(language: str) -> frozenset[str]:
    """Folded prefixes that make derived words rather than compounds ("ver|kauf"), for `language`."""
    return _PREFIXES.get(language, frozenset())


# -- What a question asks for, and what shows it, per language (the composer's reading) ----------------

_KANA = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def reading_language(text: str) -> str:
    """The language a question is read in: `detect`'s, except that a text too short for the model but
    written in Chinese, Japanese or Korean script is read by its script ("成人门票多少钱？" has six
    letters): kana make it Japanese, Hangul Korean, Han characters alone Chinese. English text, which
    holds none of these, is read as English exactly as `detect` says."""
    language = detect(text)
    if language != ENGLISH:
        return language
    if _KANA.search(text):
        return "ja"
    if _HANGUL.search(text):
        return "ko"
    return "zh" if _HAN.search(text) else ENGLISH


# The interrogatives that say what kind of answer a question wants, per language: the question words of
# each language's grammar (Wikipedia, "Interrogative word" and the grammars it links: Spanish "cuándo",
# "cuánto", "dónde", "quién"; German W-Fragen "wann", "wie viel", "wo", "wer"; Japanese "いつ", "いくら",
# "何年"; Chinese "什么时候", "多少", "几"), with the phrases they make ("wie lang", "was kostet", "哪一年").
# Patterns over the folded question (accents stripped, so "cuándo" is written "cuando"); the first kind
# that matches wins, so a duration ("wie lange", "cuánto tiempo") is a time before it is an amount.
# Chinese and Japanese are not asked for a place or a person: no pattern could tell a name in their text.
_ASKED_KINDS: dict[str, tuple[tuple[str, str], ...]] = {
    "es": (
        ("time", r"\bcuando\b|\bcuanto tiempo\b|\b(que|cual|en que) (ano|dia|fecha|mes|hora|siglo)\b"),
        ("amount", r"\bcuant[oa]s?\b|\bque precio\b"),
        ("place", r"\ba?donde\b"),
        ("person", r"\bquien(es)?\b"),
    ),
    "pt": (
        ("time", r"\bquando\b|\bquanto tempo\b|\b(que|qual|em que) (ano|dia|data|mes|hora|seculo)\b"),
        ("amount", r"\bquant[oa]s?\b"),
        ("place", r"\ba?onde\b"),
        ("person", r"\bquem\b"),
    ),
    "fr": (
        ("time", r"\bquand\b|\bcombien de temps\b|\b(quel|quelle|en quelle) (annee|jour|date|mois|heure)\b"),
        ("amount", r"\bcombien\b"),
        ("place", r"^(ou|d'ou)\b"),  # "où", folded, is also "ou" (or): only where it opens the question
        ("person", r"^qui\b"),
    ),
    "it": (
        ("time", r"\bquando\b|\bquanto tempo\b|\b(che|quale|in che) (anno|giorno|data|mese|ora)\b"),
        ("amount", r"\bquant[oaie]\b"),
        ("place", r"\bdove\b"),
        ("person", r"\bchi\b"),
    ),
    "de": (
        (
            "time",
            r"\bwann\b|\bwie lange\b|\bwie oft\b|\bum wie ?viel uhr\b|\bwelche[mnrs]? (jahr|tag|datum|monat)\b",
        ),
        (
            "amount",
            r"\bwie ?viele?\b|\bwie (lang|gross|hoch|weit|breit|tief|schwer|alt|teuer|schnell)\b|\bwas kostet\b|\bwas kosten\b",
        ),
        ("place", r"\b(wo|woher|wohin)\b"),
        ("person", r"\b(wer|wen|wem|wessen)\b"),
    ),
    "nl": (
        ("time", r"\bwanneer\b|\bhoe lang\b|\bhoe vaak\b|\b(welk|welke) (jaar|dag|datum|maand)\b"),
        ("amount", r"\bhoeveel\b|\bhoe (groot|hoog|ver|zwaar|oud|duur)\b|\bwat kost\b"),
        ("place", r"\b(waar|waarheen|vanwaar)\b"),
        ("person", r"\bwie\b"),
    ),
    "sv": (
        ("time", r"\bnar\b|\bhur lange\b|\bhur ofta\b|\bvilket (ar|datum)\b"),
        ("amount", r"\bhur (mycket|manga|stor|stort|hog|langt|gammal)\b|\bvad kostar\b"),
        ("place", r"^var\b|\bvart\b|\bvarifran\b"),  # "var" is also "was": only where it opens the question
        ("person", r"\bvem\b"),
    ),
    "da": (
        ("time", r"\bhvornar\b|\bhvor lange\b|\bhvor ofte\b|\bhvilket ar\b"),
        ("amount", r"\bhvor (mange|meget|stor|stort|hoj|langt|gammel)\b|\bhvad koster\b"),
        ("place", r"^hvor\b|\bhvorfra\b"),
        ("person", r"\bhvem\b"),
    ),
    "no": (
        ("time", r"\bnar\b|\bhvor lenge\b|\bhvor ofte\b|\bhvilket ar\b"),
        ("amount", r"\bhvor (mange|mye|stor|stort|hoy|langt|gammel)\b|\bhva koster\b"),
        ("place", r"^hvor\b|\bhvorfra\b"),
        ("person", r"\bhvem\b"),
    ),
    "ja": (
        ("time", r"いつ|何年|何月|何日|何時|何曜|何分|何秒|どのくらいの期間"),
        (
            "amount",
            r"いくら|いくつ|何[人点個円本枚台回種件名歳]|どのくらい|どれくらい|どれほど|何キロ|何メートル",
        ),
    ),
    "zh": (
        (
            "time",
            r"什么时候|什麼時候|何时|何時|哪一?[年天月]|几[点點月号號年]|幾[点點月号號年]|多久|多长时间|多長時間",
        ),
        ("amount", r"多少|几|幾|多[大高长長远遠重宽寬深]"),
    ),
}


def asked_kind(question: str, language: str) -> str | None:
    """The kind of answer a question in `language` (not English) asks for: "time", "amount", "place",
    "person", or None when its interrogatives say none (or the language has no table here)."""
    text = fold(question.strip().lstrip("¿¡"))
    return next((kind for kind, pattern in _asked_patterns(language) if pattern.search(text)), None)


@cache
def _asked_patterns(language: str) -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple((kind, re.compile(fold(pattern))) for kind, pattern in _ASKED_KINDS.get(language, ()))


# Words that show an amount or a time in prose, per language: cardinal numbers (as CLDR's spell-out
# rules write them), month and weekday names (CLDR's wide names) and units of time, in lower case.
_NUMBER_NAMES = {
    "es": "dos tres cuatro cinco seis siete ocho nueve diez once doce quince veinte treinta cuarenta cincuenta cien ciento mil millón millones docena",
    "pt": "dois duas três quatro cinco seis sete oito nove dez onze doze quinze vinte trinta quarenta cinquenta cem cento mil milhão milhões dúzia",
    "fr": "deux trois quatre cinq six sept huit neuf dix onze douze quinze vingt trente quarante cinquante cent mille million milliard douzaine",
    "it": "due tre quattro cinque sei sette otto nove dieci undici dodici quindici venti trenta quaranta cinquanta cento mille milione miliardo dozzina",
    "de": "zwei drei vier fünf sechs sieben acht neun zehn elf zwölf fünfzehn zwanzig dreißig vierzig fünfzig hundert tausend million millionen milliarde dutzend",
    "nl": "twee drie vier vijf zes zeven acht negen tien elf twaalf vijftien twintig dertig veertig vijftig honderd duizend miljoen miljard dozijn",
    "sv": "två tre fyra fem sex sju åtta nio tio elva tolv femton tjugo trettio hundra tusen miljon miljard dussin",
    "da": "to tre fire fem seks syv otte ni ti elleve tolv femten tyve tredive hundrede tusind million milliard dusin",
    "no": "to tre fire fem seks sju syv åtte ni ti elleve tolv femten tjue hundre tusen million milliard dusin",
}
_MONTHS_AND_DAYS = {
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre setiembre octubre noviembre diciembre lunes martes miércoles jueves viernes sábado domingo",
    "pt": "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro segunda-feira terça-feira quarta-feira quinta-feira sexta-feira sábado domingo",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre lundi mardi mercredi jeudi vendredi samedi dimanche",
    "it": "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre lunedì martedì mercoledì giovedì venerdì sabato domenica",
    "de": "januar jänner februar märz april mai juni juli august september oktober november dezember montag dienstag mittwoch donnerstag freitag samstag sonnabend sonntag täglich wöchentlich monatlich jährlich",
    "nl": "januari februari maart april mei juni juli augustus september oktober november december maandag dinsdag woensdag donderdag vrijdag zaterdag zondag dagelijks wekelijks",
    "sv": "januari februari mars april maj juni juli augusti september oktober november december måndag tisdag onsdag torsdag fredag lördag söndag dagligen",
    "da": "januar februar marts april maj juni juli august september oktober november december mandag tirsdag onsdag torsdag fredag lørdag søndag dagligt",
    "no": "januar februar mars april mai juni juli august september oktober november desember mandag tirsdag onsdag torsdag fredag lørdag søndag daglig",
}
_TIME_UNITS = {
    "es": "segundo segundos minuto minutos hora horas día días semana semanas mes meses año años siglo siglos",
    "pt": "segundo segundos minuto minutos hora horas dia dias semana semanas mês meses ano anos século séculos",
    "fr": "seconde secondes minute minutes heure heures jour jours journée semaine semaines mois an ans année années siècle siècles",
    "it": "secondo secondi minuto minuti ora ore giorno giorni settimana settimane mese mesi anno anni secolo secoli",
    "de": "sekunde sekunden minute minuten stunde stunden tag tage tagen woche wochen monat monate monaten jahr jahre jahren jahrzehnt jahrhundert uhr",
    "nl": "seconde seconden minuut minuten uur uren dag dagen week weken maand maanden jaar jaren eeuw eeuwen",
    "sv": "sekund sekunder minut minuter timme timmar dag dagar vecka veckor månad månader år",
    "da": "sekund sekunder minut minutter time timer dag dage uge uger måned måneder år",
    "no": "sekund sekunder minutt minutter time timer døgn dag dager uke uker måned måneder år",
}
# Chinese and Japanese numbers and dates: digits before a counter or a date character ("500円",
# "1965年", "12月28日"), numerals ("三万", "十个"), weekdays ("月曜日", "星期一") and times of day.
_CJK_NUMERAL = (
    r"[十百千万萬億亿兆]|[〇一二三四五六七八九两兩][十百千万萬億亿个個つ人点點件本枚台种種回歳岁名]"
)
_CJK_TIME = (
    r"\d\s*[年月日時时点點分秒]|[〇一二三四五六七八九十]+[年月日時时点點]|[月火水木金土日]曜|星期|礼拜|禮拜"
    r"|周[一二三四五六日末]|週末|[毎每](週|周|日|天|月|年|朝|晩|晚)|午前|午後|上午|下午|去年|今年|明年"
    r"|昨日|今日|明日|昨天|今天|明天"
)
_YEAR = r"(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d)"
_CLOCK = r"(?<!\d)\d{1,2}[:h]\d\d(?!\d)"
_CAPITAL_WORD = r"[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ]+"
_PLACE_PREPOSITIONS = {  # "en Madrid", "in Neustadt": where a place name is said to be
    "es": "en|desde|de|a",
    "pt": "em|no|na|de|a",
    "fr": "à|a|en|au|de",
    "it": "a|in|da|di",
    "de": "in|im|an|am|bei|aus|nach",
    "nl": "in|te|bij|uit",
    "sv": "i|på|från",
    "da": "i|på|fra",
    "no": "i|på|fra",
}


def _words_pattern(words: str) -> str:
    """Any of `words` (space-separated, lower case), as written or folded ("März", "Marz"), whole."""
    forms = set(words.split()) | set(fold(words).split())
    return r"\b(" + "|".join(re.escape(w) for w in sorted(forms, key=len, reverse=True)) + r")\b"


@cache
def kind_pattern(kind: str, language: str) -> re.Pattern[str] | None:
    """What shows an answer of `kind` in a text of `language` (not English), matched against the text
    as written; None when nothing can show it. Amounts: any digit (of any script; no word boundary, so
    "500円" and "3万点" count), the language's number names or Chinese numerals. Times: years, clock
    times, a number of time units, month and weekday names ("1. Mai", "1 de mayo"), Chinese and Japanese
    dates. Places and persons, in the European languages: a capitalised name after a preposition, two
    capitalised words, or a path or URL."""
    if language in ("ja", "zh", "ko"):
        patterns = {"amount": r"\d|" + _CJK_NUMERAL, "time": _YEAR + "|" + _CLOCK + "|" + _CJK_TIME}
    elif language in _NUMBER_NAMES:
        units = _words_pattern(_TIME_UNITS[language])[2:]  # without the leading \b: "3 Jahre", "3Jahre"
        patterns = {
            "amount": r"\d|" + _words_pattern(_NUMBER_NAMES[language]),
            "time": "|".join(
                (
                    _YEAR,
                    _CLOCK,
                    r"\d\s*" + units,
                    _words_pattern(_MONTHS_AND_DAYS[language]),
                    _words_pattern(_NUMBER_NAMES[language]) + r"\s+" + units,
                )
            ),
            "place": rf"\b({_PLACE_PREPOSITIONS[language]})\s+(?-i:{_CAPITAL_WORD})|(^|\s)(~?/|\.{{1,2}}/)\S+|https?://\S+",
            "person": rf"(?-i:\b{_CAPITAL_WORD}(\s+[A-Z]\.)?\s+{_CAPITAL_WORD}\b)",
        }
    else:
        return None
    pattern = patterns.get(kind)
    return re.compile(pattern, re.IGNORECASE) if pattern else None


def wordfreq_code(language: str) -> str:
    """wordfreq's code for a language (Norwegian is "nb", Bokmål); the ISO 639-1 code otherwise."""
    return _WORDFREQ_CODES.get(language, language)


_LETTER_OR_DIGIT = re.compile(r"[^\W_]")
_CJK_RUN = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]+")


def word_count(text: str) -> int:
    """The words of a text: its whitespace-separated pieces, except that a run of Chinese, Japanese or
    Korean characters, written without spaces, counts one word per two characters (rounded up; Chinese
    words average about 1.5 characters). Text without those scripts: exactly `len(text.split())`."""
    if not _CJK_RUN.search(text):
        return len(text.split())
    count = 0
    for piece in text.split():
        runs = _CJK_RUN.findall(piece)
        rest = [word for word in _CJK_RUN.sub(" ", piece).split() if _LETTER_OR_DIGIT.search(word)]
        count += len(rest) + sum((len(run) + 1) // 2 for run in runs)  # "。" alone is no word
    return count


def without_interrogatives(question: str, language: str) -> str:
    """The folded question less its interrogatives, for a language written without spaces ("植物园是哪一年
    建成的" -> "植物园是 建成的"): there the question word is no separate word, and its characters would make
    bigrams with its neighbours ("一年") that no answer need share. Other languages: the folded question."""
    text = fold(question)
    if language not in ("ja", "zh"):
        return text
    for _, pattern in _asked_patterns(language):
        text = pattern.sub(" ", text)
    return text
