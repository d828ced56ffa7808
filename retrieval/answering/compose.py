"""Extractive answers: the unit or two from the top passages that best answer the question.

No LLM: every word of an answer is quoted from a cited passage. The units are what the passage is
made of: sentences, list items, table rows (matched with their column names), code blocks (with the
sentence that introduces them) and definitions; a heading is context, never an answer. Each unit is
described by features (its embedding similarity to the question, the idf-weighted share of the
question's terms it, its neighbours, headings and passage hold, agreement with other documents,
whether it holds the kind of thing asked for, its kind and its passage's rank: answer_model.py
UNIT_FEATURES) and
ranked by a fitted unit scorer; a fitted confidence scorer says how likely the answer built on the
best unit is right, and below the threshold we abstain and list the closest passages instead of
guessing. Both scorers are fitted on the calibration split by benchmarks/train_answerer.py
(retrieval/answering/answer_model.py). The few rules left on top (RULES) are switched off one at a time in
the ablation of benchmarks/README.md.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

import numpy as np

from retrieval.answering.answer_model import AnswerModel, Logistic, answer_model
from retrieval.answering.products import named_product, product_of
from retrieval.answering.question import QuestionTerms, identifier_forms, says_version, stems_of
from retrieval.config import ComposerParams
from retrieval.models import Hit, Passage, Unit
from retrieval.text.datelines import is_dated_heading, is_dateline
from retrieval.text.languages import word_count
from retrieval.text.sentences import unit_display_text, unit_match_text
from retrieval.text.shingles import is_near_duplicate, says_nothing_more, shingles

# The rules the composer still applies on top of the fitted scorers, by id (benchmarks/README.md "Rules"
# has each one's reason, the questions it helps and hurts, and its ablation on both splits).
# Removed after the ablation (switching them off changed no validation set's score): "focus" (a yes/no
# question's subject missing from the passage; now only a feature), "list_answer" (a short list item
# answered as its whole list) and "other_document" (a second unit from another document must hold as
# much of the question's terms).
RULES = (
    "identifier",  # abstain when the question names a version/identifier the best passage lacks
    "kind",  # abstain when a when/how-much question's best unit holds no date, duration or number
    "lead_in",  # a sentence announcing a list, table or command is not an answer unit itself
    "product",  # a question naming one of the corpus's products is answered from that product's pages
)


@dataclass(frozen=True)
class Candidate:
    text: str  # what the answer quotes (verbatim from the passage)
    hit: Hit
    hit_rank: int
    context: str = ""  # the unit with its neighbours and its section's heading path
    unit: Unit | None = None
    match: str = ""  # what is embedded and matched: a table row with its column names, code with its lead
    score: float = 0.0  # the unit scorer's log-odds that this unit holds the answer
    features: dict = field(default_factory=dict, compare=False)  # UNIT_FEATURES by name
    also_in: tuple[str, ...] = ()
    # A part of a code block too long to quote whole: the passages holding the rest of it ("continues in").
    continues: tuple[Hit, ...] = ()
    starts: tuple[Hit, ...] = ()  # ... and the passage holding its beginning, when that is another one
    joined: bool = False  # goes on with the previous candidate's code block (a block quoted whole)
    block_lines: tuple[int, int] | None = None  # a part of a longer block: the whole block's source lines


@dataclass(frozen=True)
class CitedPassage:
    number: int
    hit: Hit
    quote: str
    also_in: tuple[str, ...] = ()
    # Where the quoted units are in the source (1-based lines, first page), narrower than the passage's.
    line_start: int | None = None
    line_end: int | None = None
    page: int | None = None


@dataclass(frozen=True)
class Composition:
    text: str  # with [n] markers
    abstained: bool
    cited: tuple[CitedPassage, ...] = ()
    see_also: tuple[Hit, ...] = ()  # when abstaining: the closest passages, to look at instead
    confidence: float = 0.0  # the probability that the answer is right (the confidence scorer's)
    abstained_by: str = ""  # "confidence" or the id of the rule that made it abstain
    code: tuple[str, ...] = ()  # quoted code units, verbatim in `text`: adapters show them as code
    inline_code: tuple[str, ...] = ()  # inline code spans of the quoted passages found in `text`
    candidates: tuple[Candidate, ...] = field(default=(), compare=False)


def compose(
    hits: list[Hit],
    terms: QuestionTerms,
    question_vector: np.ndarray,
    embed: Callable[[list[str]], np.ndarray],
    titles: dict[str, str],
    params: ComposerParams = ComposerParams(),
    model: AnswerModel | None = None,
    passage_of: Callable[[str], Passage | None] | None = None,
    carried: frozenset[str] = frozenset(),
    products: Mapping[str, frozenset[str]] | None = None,
) -> Composition:
    """The answer to a question from its `hits` (best first), or an abstention with the closest hits.

    `passage_of` finds a passage by id (the index's); with it, a code block split over several passages
    is quoted whole (see WHOLE_CODE_LINES), else the hits' passages are all there is to put it together.

    `terms` is the question read against the corpus, `question_vector` its embedding (unit length),
    `embed` gives unit vectors for texts, `titles` maps sources to document titles. `carried`: the stemmed
    terms of `terms` that a follow-up carried from the conversation (see CARRIED_BY_DOCUMENT). `products`:
    the corpus's products by top-level folder (answering/products.py); a question naming one is answered
    from its pages only, and abstains ("product") when none of them is among the hits. Units are ranked by
    the fitted unit scorer and the answer is given when the confidence scorer's probability reaches
    the threshold (`params.min_confidence`, else the model's) and no rule in RULES objects.
    """
    model = model or answer_model()
    top = hits[: params.passages_considered]
    product = named_product(terms, products) if products and params.applies("product") else None
    if product is not None:
        hits = [hit for hit in hits if product_of(hit.passage.source) == product]
        if not hits:  # the pages of the product asked about do not say; another product's would mislead
            return Composition("", True, see_also=tuple(top[:3]), abstained_by="product")
        top = hits[: params.passages_considered]
    candidates = _candidates(top, params, asks_date=terms.kind == "time")
    if not candidates or terms.total_weight <= 0:
        return Composition("", True, see_also=tuple(top[:3]), abstained_by="no candidates")
    reads = params.reads(terms.language)
    if reads:
        vectors = embed([c.match for c in candidates])
        dense = vectors @ question_vector
        agreeing = _corroboration(candidates, vectors, params)
    else:  # no similarity to measure; agreement only where the same unit stands in several documents
        dense = np.zeros(len(candidates), dtype=np.float32)
        agreeing = [len(set(c.also_in)) for c in candidates]
    featured = _featured(candidates, dense, agreeing, terms, titles, top, carried)
    unit_rows = [_unmeasured(c.features, model.unit, reads) for c in featured]
    logits = model.unit.logits(model.unit.matrix(unit_rows))
    scored = sorted(
        (replace(c, score=float(logit)) for c, logit in zip(featured, logits, strict=True)),
        key=lambda c: c.score,
        reverse=True,
    )
    if params.applies("identifier") and terms.versions:  # Lumen 4.2's units before 4.1's, whatever they score
        scored.sort(key=lambda c: c.features["version_missing"])
    best = scored[0]
    confidence = model.confidence.probability(
        _unmeasured(confidence_features(best, scored), model.confidence, reads)
    )
    threshold = model.threshold if params.min_confidence is None else params.min_confidence
    refusal = "confidence" if confidence < threshold else _refusing_rule(best, terms, params)
    if refusal:
        return Composition(
            "", True, see_also=tuple(top[:3]), confidence=confidence, abstained_by=refusal,
            candidates=tuple(scored),
        )  # fmt: skip
    chosen = _choose(scored, params, model.second_unit, reads)
    if terms.kind == "command":  # "how do I ...?": the whole script or config, not the line that matched
        chosen = _whole_code(chosen, top, passage_of, terms)
    text, cited, code = _render(chosen, params.max_chars)
    inline = _inline_code(text, chosen, code)
    return Composition(
        text, False, cited, confidence=confidence, candidates=tuple(scored), code=code, inline_code=inline
    )


def _refusing_rule(best: Candidate, terms: QuestionTerms, params: ComposerParams) -> str:
    """The id of the first rule that refuses to answer with `best`, or ""."""
    checks = (
        ("identifier", lambda: _lacks_identifiers(best)),
        ("kind", lambda: _lacks_kind(best, terms)),
    )
    return next((rule for rule, refuses in checks if params.applies(rule) and refuses()), "")


def confidence_features(best: Candidate, scored: list[Candidate]) -> dict[str, float]:
    """The confidence scorer's inputs (CONFIDENCE_FEATURES by name) for an answer built on `best`."""
    other = next((c.score for c in scored[1:] if c.hit.passage.id != best.hit.passage.id), None)
    return {**best.features, "unit_logit": best.score, "margin": margin(best.score, other)}


def margin(best: float, other: float | None) -> float:
    """The best unit's lead (log-odds) over the best unit of another passage; 5 when there is none."""
    return NO_RIVAL_MARGIN if other is None else best - other


NO_RIVAL_MARGIN = 5.0  # a lead as clear as any seen: one passage, nothing to weigh it against

# The features that are the embedding model's similarities, or made from them.
DENSE_FEATURES = ("dense", "passage_dense", "dense_gap", "dense_order", "top_dense")


def _unmeasured(values: dict[str, float], scorer: Logistic, reads: bool) -> dict[str, float]:
    """`values` as `scorer` sees them: when the embedding model does not read the question's language
    (`reads` False), each dense feature the scorer uses takes the mean it was fitted around, so that it
    adds nothing to the log-odds, either way (mean imputation of an unmeasured feature). Unchanged when
    the model reads it."""
    if reads:
        return values
    means = dict(zip(scorer.features, scorer.mean, strict=True))
    return {**values, **{name: float(means[name]) for name in DENSE_FEATURES if name in means}}


def _candidates(hits: list[Hit], params: ComposerParams, asks_date: bool = False) -> list[Candidate]:
    """Units of the top passages; a unit seen in several passages is kept once, sources merged. A
    dateline or a dated heading's line (retrieval/text/datelines.py) is a unit only when a date is asked
    for (`asks_date`): it says nothing else, though its lead, the title, may share the question's words."""
    found: list[tuple[Candidate, set]] = []
    for rank, hit in enumerate(hits):
        passage = hit.passage
        matches = [unit_match_text(passage, unit) for unit in passage.units]
        # Leads that a command or a list answers for, and each line of a release's lead ("Version 3.2.0",
        # "Unreleased"); a sentence that is a bare value's lead stays a unit.
        leads = {unit.lead for unit in passage.units if unit.lead and unit.kind in ("code", "list_item")}
        leads.update(line for unit in passage.units if "\n" in unit.lead for line in unit.lead.split("\n"))
        for position, unit in enumerate(passage.units):
            match, said = matches[position], passage.unit_text(unit)
            dated = unit.kind == "sentence" and _is_date_line(passage, said)
            if unit.kind == "sentence" and (
                (word_count(match) < 3 and not (dated and asks_date))
                or (not asks_date and dated)
                or (said in leads and not (dated and asks_date))
                or (params.applies("lead_in") and _introduces(passage, position))
            ):
                continue  # a fragment, or a lead-in ("... run:") that its command, list or table answers for
            neighbours = " ".join(matches[max(0, position - 1) : position + 2])
            context = f"{passage.heading_path}\n{neighbours}"
            text = unit_display_text(passage, unit)
            grams = shingles(text)
            twin = next(
                (i for i, (c, g) in enumerate(found) if _twin(c, passage, unit.kind, grams, g, params)), None
            )
            if twin is not None:
                kept, g = found[twin]
                if passage.source != kept.hit.passage.source and passage.source not in kept.also_in:
                    found[twin] = (replace(kept, also_in=(*kept.also_in, passage.source)), g)
                continue
            found.append((Candidate(text, hit, rank, context, unit, match, also_in=hit.also_in), grams))
    return [c for c, _ in found]


def _twin(
    kept: Candidate,
    passage: Passage,
    kind: str,
    grams: frozenset,
    kept_grams: frozenset,
    params: ComposerParams,
) -> bool:
    """Is a unit of `passage` (its shingles `grams`, its kind `kind`) the candidate `kept` again? When
    either holds nearly all of the other (one sentence quoted by several articles, one with a few words
    more); but a command in the same passage as `kept` only when it says nothing more: "$ pip install
    httpx[brotli,zstd]" under "$ pip install httpx" is a sibling variant (in code an extra word is
    another command), and folded into it, the plain install line answered the question about brotli
    and zstd. (For prose the one-way test cost calibration questions: tatqa's restated sentences, each
    with a figure more, competed with the sentence they restate: tatqa +1 −1, gold-removed +1 −3.)"""
    if (
        kind == "code"
        and kept.hit.passage.id == passage.id
        and kept.unit is not None
        and kept.unit.kind == "code"
    ):
        return says_nothing_more(grams, kept_grams, params.unit_duplicate)
    return is_near_duplicate(kept_grams, grams, params.unit_duplicate)


def _is_date_line(passage: Passage, said: str) -> bool:
    """A dateline, or the dated lines opening a passage that lead its units (a release's dated heading
    repeated, or its version heading and "Released 2021-05-11" line: chunking's _sections), or one of
    them: each says which release and when, and nothing else."""
    if is_dateline(said):
        return True
    if not said or not any(is_dated_heading(line) for line in said.split("\n")):
        return False
    return said in passage.headings or any(
        said == unit.lead or said in unit.lead.split("\n") for unit in passage.units
    )


# A sentence that announces what follows ("The list of format strings is as follows.", "Run:").
_LEAD_IN = re.compile(r"(:|\b(as follows|the following|below)[.:]?)$", re.IGNORECASE)


def _introduces(passage, position: int) -> bool:
    """The unit at `position` is a lead-in sentence followed by a table, list, code or the passage's end."""
    units = passage.units
    if not _LEAD_IN.search(passage.unit_text(units[position]).strip()):
        return False
    following = units[position + 1] if position + 1 < len(units) else None
    return following is None or following.kind != "sentence"


def _corroboration(candidates: list[Candidate], vectors: np.ndarray, params: ComposerParams) -> list[int]:
    """How many other documents carry a sentence saying much the same: agreement between sources is evidence."""
    sources = [candidate.hit.passage.source for candidate in candidates]
    close = (vectors @ vectors.T) >= params.agreement_similarity
    counts = []
    for index, candidate in enumerate(candidates):
        agreeing = {sources[j] for j in np.flatnonzero(close[index]) if sources[j] != sources[index]}
        counts.append(len(agreeing | set(candidate.also_in)))
    return counts


def _featured(
    candidates: list[Candidate],
    dense: np.ndarray,
    corroboration: list[int],
    terms: QuestionTerms,
    titles: dict[str, str],
    hits: list[Hit],
    carried: frozenset[str] = frozenset(),
) -> list[Candidate]:
    """The candidates with their UNIT_FEATURES filled in (the rules read them too)."""
    passage_terms: dict[str, frozenset[str]] = {}  # passage id -> stems of its passage context
    context_text = {hit.passage.id: _passage_context(hit, titles) for hit in hits}
    # passage id -> the passage does not say a version the question names after a name ("Lumen 4.2")
    version_missing = {
        passage_id: not all(says_version(text, v) for v in terms.versions)
        for passage_id, text in context_text.items()
    }
    topics = _carried_by_document(hits, carried, context_text, terms.language)
    identifiers = [identifier_forms(identifier) for identifier in terms.identifiers]  # each in its forms
    best_lexical = max((h.lexical_score for h in hits), default=0.0)
    rows = []
    for candidate, similarity, agreeing in zip(candidates, dense, corroboration, strict=True):
        hit = candidate.hit
        # A unit means what it says under its headings: "Configuration is read from ..." under "Linux".
        language = terms.language
        # A word carried from the conversation names the thread's subject, not what is asked now: the
        # unit has it when its document does (CARRIED_BY_DOCUMENT).
        topic = topics.get(hit.passage.source, frozenset())
        own = stems_of(candidate.match, language) | stems_of(hit.passage.heading_path, language) | topic
        # Around the unit: its neighbours, its section's headings, and the folder and file names that
        # say what a whole set of pages is about ("h2o/doc/configure/..."). (Not the title: a news title
        # naming OpenAI says nothing of Microsoft's CEO.)
        around = (
            own | stems_of(candidate.context, language) | stems_of(_path_words(hit.passage.source), language)
        )
        context = passage_terms.get(hit.passage.id)
        if context is None:
            context = passage_terms[hit.passage.id] = (
                frozenset(terms.with_joined(stems_of(context_text[hit.passage.id], language))) | topic
            )
        missing_version = version_missing[hit.passage.id]
        kind = candidate.unit.kind if candidate.unit else "sentence"
        kind_match = (
            terms.kind_matches(candidate.match, exclude=set(terms.weights), unit_kind=kind)
            if terms.kind
            else False
        )
        total = terms.total_weight
        missing = max((w for t, w in terms.weights.items() if t not in context), default=0.0)
        values = {
            "dense": float(similarity),
            "passage_dense": hit.dense_score,
            "own_coverage": terms.coverage(own),
            "around_coverage": terms.coverage(around),
            "passage_coverage": terms.coverage(context),
            "missing_weight": missing / total if total > 0 else 0.0,
            "agreement": min(agreeing, 2) / 2,
            "kind_match": float(kind_match),
            "kind_missing": float(bool(terms.kind) and not kind_match),
            "identifier_missing": float(
                any(context.isdisjoint(forms) for forms in identifiers) or missing_version
            ),
            "version_missing": float(missing_version),  # read by the identifier rule, not by the scorers
            "focus_missing": float(_focus_missing(context, terms)),
            "list_item": float(kind == "list_item"),
            "table_row": float(kind == "table_row"),
            "code": float(kind == "code"),
            "definition": float(kind == "definition"),
            "rank": float(candidate.hit_rank),
            "log_words": math.log1p(word_count(candidate.text)),
            "lexical_share": hit.lexical_score / best_lexical if best_lexical > 0 else 0.0,
            "heading_coverage": terms.coverage(stems_of(hit.passage.heading_path, language)),
            "first_unit": float(candidate.unit is not None and candidate.unit is hit.passage.units[0]),
            # The question's, the same for every unit (the confidence scorer reads them from the best).
            "kind_asked": float(terms.kind is not None),
            "log_terms": math.log1p(len(terms.weights)),
            "top_dense": hits[0].dense_score,
            "unknown_share": len(terms.unknown) / max(len(terms.weights), 1),
        }
        rows.append((candidate, values))
    best_dense = max(v["dense"] for _, v in rows)
    best_own = max(v["own_coverage"] for _, v in rows)
    structured = sum(v["list_item"] + v["table_row"] + v["code"] + v["definition"] for _, v in rows)
    dense_place = _places([v["dense"] for _, v in rows])
    coverage_place = _places([v["own_coverage"] for _, v in rows])
    featured = []
    for index, (candidate, values) in enumerate(rows):
        values["dense_gap"] = values["dense"] - best_dense
        values["coverage_gap"] = values["own_coverage"] - best_own
        values["dense_order"] = 1.0 / (1 + dense_place[index])
        values["coverage_order"] = 1.0 / (1 + coverage_place[index])
        values["structured_share"] = structured / len(rows)
        featured.append(replace(candidate, features=values))
    return featured


def _carried_by_document(
    hits: list[Hit], carried: frozenset[str], context_text: dict[str, str], language: str
) -> dict[str, frozenset[str]]:
    """Source -> the `carried` terms that its passages among `hits` hold (their passage context by id in
    `context_text`: title, path, headings, text).

    CARRIED_BY_DOCUMENT: a follow-up ("what time zone does it write the timestamps in?") carries the
    thread's subject ("traefik reopen log files logrotate") to find the right document; the sentence
    that answers it ("Traefik will timestamp each log line in UTC time by default.") rarely repeats
    that subject, and scored by the passage alone it looked as if it missed most of the question. So a
    carried term counts as present in every unit of a document that has it in a retrieved passage.
    Measured on the follow-up dialogues (benchmarks/followups.py, tests/data/followups_dev.yaml):
    docs_dev later turns as written 10/28 -> 14/28, seeds 12/19 unchanged; a question that is no
    follow-up carries nothing, so nothing else changes.
    """
    if not carried:
        return {}
    found: dict[str, frozenset[str]] = {}
    for hit in hits:
        held = stems_of(context_text[hit.passage.id], language) & carried
        source = hit.passage.source
        found[source] = found.get(source, frozenset()) | held
    return found


def _places(values: list[float]) -> list[int]:
    """Each value's place when sorted high to low (ties share the better place)."""
    ordered = sorted(values, reverse=True)
    first = {}
    for place, value in enumerate(ordered):
        first.setdefault(value, place)
    return [first[v] for v in values]


def _focus_missing(context: frozenset[str], terms: QuestionTerms) -> bool:
    """A yes/no question's subject ("... run on windows?") that the passage never mentions."""
    if terms.focus is None:
        return False
    return terms.focus not in context  # the passage's text, joined words included, is in its context


def _path_words(source: str) -> str:
    """Folder and file names of a source path, as words ("h2o/doc/base_directives.html" -> "h2o doc base directives")."""
    return source.rsplit(".", 1)[0].replace("/", " ").replace("_", " ").replace("-", " ")


def _document_context(hit: Hit, titles: dict[str, str]) -> str:
    """The document's title and its folder and file names."""
    source = hit.passage.source
    return f"{titles.get(source, '')}\n{_path_words(source)}"


def _passage_context(hit: Hit, titles: dict[str, str]) -> str:
    """Everything that says what a passage is about: title, folder and file names, headings, text."""
    passage = hit.passage
    return f"{_document_context(hit, titles)}\n{passage.heading_path}\n{passage.text}"


def _lacks_identifiers(best: Candidate) -> bool:
    """The question names a version or identifier ("X300", "version 4", "Form B") the passage lacks.

    Answering about the X200 when asked about the X300 is worse than saying the sources don't say.
    """
    return bool(best.features.get("identifier_missing"))


def _lacks_kind(best: Candidate, terms: QuestionTerms) -> bool:
    """A "when" or "how much/many" question whose best unit holds no date, duration or number: a sentence
    about the release is no answer to when it happened."""
    return terms.kind in ("time", "amount") and not best.features["kind_match"]


def _choose(
    scored: list[Candidate], params: ComposerParams, second_unit: float, reads: bool = True
) -> list[Candidate]:
    """The best unit and, up to `params.max_sentences` in all, the next ones nearly as likely to answer
    (`second_unit`: the share of the best's probability each must reach) that add something. Each shares
    a word with the question or holds the kind asked for; where the embedding model does not read the question
    (`reads` False) nothing vouches for a unit's topic but its words, so it must share one. When the best
    is a sentence pointing back at the code block before it ("This endpoint ..."), that block is quoted
    too, whatever `params.max_sentences` (see _antecedent)."""
    chosen = [scored[0]]
    length = len(scored[0].text)
    floor = second_unit * _sigmoid(scored[0].score)
    for candidate in scored[1:]:
        if len(chosen) >= params.max_sentences:
            break
        if _sigmoid(candidate.score) < floor:
            break
        if length + len(candidate.text) > params.max_chars:
            continue
        if candidate.features["own_coverage"] <= 0 and (not reads or not candidate.features["kind_match"]):
            continue
        if any(
            is_near_duplicate(shingles(candidate.text), shingles(c.text), params.answer_duplicate)
            for c in chosen
        ):
            continue  # the same quote as reported by another article adds nothing
        chosen.append(candidate)
        length += len(candidate.text)
    antecedent = _antecedent(scored[0], scored)
    if (
        antecedent is not None
        and antecedent not in chosen
        and length + len(antecedent.text) <= params.max_chars
    ):
        chosen.append(antecedent)
    # The best unit's passage first; within a passage, document order, so the answer reads naturally.
    passages: dict[str, int] = {}
    for candidate in chosen:
        passages.setdefault(candidate.hit.passage.id, len(passages))
    return sorted(chosen, key=lambda c: (passages[c.hit.passage.id], c.unit.start if c.unit else 0))


# A sentence pointing back at the code block right before it ("This endpoint always returns 200 ...",
# "These options ..."): quoted alone, the reader does not see what "this" is.
_POINTS_BACK = re.compile(r"^(?:this|these|the above)\s+[a-z]+\b", re.IGNORECASE)


def _antecedent(best: Candidate, scored: list[Candidate]) -> Candidate | None:
    """The code unit `best` points back at (see _POINTS_BACK), when it is a candidate; else None."""
    unit = best.unit
    if unit is None or unit.kind != "sentence" or not _POINTS_BACK.match(best.text):
        return None
    units = best.hit.passage.units
    position = next((i for i, u in enumerate(units) if u is unit), 0)
    if position == 0 or units[position - 1].kind != "code":
        return None
    previous = units[position - 1]
    return next((c for c in scored if c.unit is previous and c.hit.passage.id == best.hit.passage.id), None)


# Asked how to do something, a code block quoted in several units (a script, a config file) is quoted
# whole when it has at most this many lines and characters: a 60-line script is
# what a person reads in one screen and still pastes as one piece, and 3,000 characters is Slack's section
# limit (the tightest of the adapters' text limits), so the block stays one code block everywhere. A longer
# one is quoted in the part that answers, with "continues in [n]" citing the passages holding the rest.
# Asked for a value ("what is the default refresh_interval?"), the unit that holds it is the answer.
WHOLE_CODE_LINES = 60
WHOLE_CODE_CHARS = 3000
# After a part of a code block too long to quote whole: where the block goes on, and where it starts
# when the part quoted is not its beginning (citations of the passages holding those parts).
CONTINUES = "(the block continues in {later}{whole})"
STARTS_AND_CONTINUES = "(the block starts in {earlier} and continues in {later}{whole})"
STARTS = "(the block starts in {earlier}{whole})"
WHOLE_BLOCK = "; all of it: {source}, lines {first}-{last}"  # where to read the whole block


def _whole_code(
    chosen: list[Candidate],
    hits: list[Hit],
    passage_of: Callable[[str], Passage | None] | None,
    terms: QuestionTerms | None = None,
) -> list[Candidate]:
    """The chosen units, each part of a code block replaced by the whole block (one candidate per passage
    holding a part, in order) when it fits WHOLE_CODE_LINES/WHOLE_CODE_CHARS; else by the part that
    answers, or the block's beginning when only its lead-in matched the question (`terms`), with the
    passages where the block starts and goes on (`starts`, `continues`)."""
    known = {hit.passage.id: hit for hit in hits}
    result: list[Candidate] = []
    done: set[tuple[str, int]] = set()  # (source, ordinal of the passage where a block starts)
    for candidate in chosen:
        unit = candidate.unit
        if unit is None or unit.kind != "code" or unit.parts < 2:
            result.append(candidate)
            continue
        passage = candidate.hit.passage
        key = (passage.source, passage.ordinal - unit.first)
        if key in done:
            continue  # another part of a block already quoted
        pieces = _block_pieces(passage, unit, known, passage_of)
        if pieces is None:
            result.append(candidate)
            continue
        done.add(key)
        text = "\n".join(p.passage.unit_text(u) for p, u in pieces)
        runs = _by_passage(pieces, candidate)
        if text.count("\n") + 1 <= WHOLE_CODE_LINES and len(text) <= WHOLE_CODE_CHARS:
            result.extend(runs)
            continue
        if terms is not None and _matched_by_lead(candidate, terms):
            candidate, unit = runs[0], runs[0].unit
            passage = candidate.hit.passage
        earlier = [hit for hit, u in pieces if u.part == 1 and hit.passage.id != passage.id]
        later = [hit for hit, u in pieces if u.part > unit.part and hit.passage.id != passage.id]
        lines = (pieces[0][1].line_start, pieces[-1][1].line_end)
        result.append(
            replace(
                candidate, joined=False, starts=tuple(earlier[:1]), continues=tuple(later[:1]),
                block_lines=lines if None not in lines else None,
            )
        )  # fmt: skip
    return result


def _matched_by_lead(candidate: Candidate, terms: QuestionTerms) -> bool:
    """The question's terms are in the code unit's lead-in rather than in the code ("how do I release
    the UI packages?" matched "To release the UI packages, run ..." and a "}" line under it)."""
    unit = candidate.unit
    if unit is None or not unit.lead:
        return False
    language = terms.language
    return terms.coverage(stems_of(candidate.text, language)) < terms.coverage(stems_of(unit.lead, language))


def _block_pieces(
    passage: Passage, unit: Unit, known: dict[str, Hit], passage_of: Callable[[str], Passage | None] | None
) -> list[tuple[Hit, Unit]] | None:
    """Every code unit of the block that `unit` is a part of, with the passage (as a hit) holding it, in
    order; None when a passage holding a part cannot be found."""
    found: list[tuple[Hit, Unit]] = []
    ordinal = passage.ordinal - unit.first
    while len(found) < unit.parts:
        passage_id = f"{passage.source}#{ordinal}"
        hit = known.get(passage_id)
        if hit is None:
            other = passage_of(passage_id) if passage_of is not None else None
            if other is None:
                return None
            hit = Hit(other, 0.0)
        parts = [u for u in hit.passage.units if u.kind == "code" and u.parts == unit.parts]
        start = len(found) + 1
        mine = [u for u in parts if u.part >= start and u.first == ordinal - (passage.ordinal - unit.first)]
        if not mine:
            return None
        found.extend((hit, u) for u in mine)
        ordinal += 1
    return found if [u.part for _, u in found] == list(range(1, unit.parts + 1)) else None


def _by_passage(pieces: list[tuple[Hit, Unit]], chosen: Candidate) -> list[Candidate]:
    """One candidate per passage holding parts of a block: its parts as one stretch of the passage."""
    result: list[Candidate] = []
    for place, hit in enumerate(dict.fromkeys(h for h, _ in pieces)):
        units = [u for h, u in pieces if h is hit]
        lead = units[0].lead if place == 0 else ""  # the block's lead-in once, before its first part
        unit = replace(units[0], end=units[-1].end, line_end=units[-1].line_end, lead=lead)
        text = hit.passage.unit_text(unit)
        joined = place > 0
        if hit.passage.id == chosen.hit.passage.id:
            result.append(replace(chosen, text=text, unit=unit, joined=joined))
        else:
            result.append(replace(chosen, text=text, unit=unit, hit=hit, also_in=hit.also_in, joined=joined))
    return result


def _render(chosen: list[Candidate], max_chars: int) -> tuple[str, tuple[CitedPassage, ...], tuple[str, ...]]:
    """(answer text with a [n] marker after each run of units from the same passage, the cited
    passages, the code quoted in the text as it appears there).

    A command or list is preceded by the sentence that introduces it when that sentence is in the
    same passage; list items are joined with "; ", other units with a space (code on its own lines).
    """
    numbers: dict[str, int] = {}
    quotes: dict[str, list[str]] = {}
    parts: list[str] = []
    code: list[str] = []
    shown: set[tuple[str, str]] = set()  # (passage id or source, text) of leads and units already shown
    extra: dict[str, tuple[Hit, Unit]] = {}  # passages cited for where a quoted code block starts or goes on
    pending: list[str] = []  # markers of the passages of a code block quoted whole, shown after its end
    gap = "\n"  # what joined the previous candidate to this one
    chosen = [c for c in chosen if not _is_shown_lead(c, chosen)]
    for index, candidate in enumerate(chosen):
        passage_id = candidate.hit.passage.id
        numbers.setdefault(passage_id, len(numbers) + 1)
        lead = _visible_lead(candidate)
        source = candidate.hit.passage.source
        if lead and _is_date_line(candidate.hit.passage, lead):
            lead = _unsaid_release_lines(lead, source, shown)
        elif lead and (passage_id, lead) not in shown:
            shown.add((passage_id, lead))
        else:
            lead = ""
        if lead:
            quotes.setdefault(passage_id, []).append(lead)
            # A command, list item or dateline under its lead, and anything under a dated heading's line,
            # on the next line; a sentence runs on.
            on_its_line = (
                candidate.unit.kind in ("code", "list_item")
                or is_dateline(candidate.text)
                or _is_date_line(candidate.hit.passage, lead)
            )
            parts.append(lead + ("\n" if on_its_line else " "))
        quoted = _row_under_shown_header(candidate, chosen[index - 1] if index else None)
        shown.add((passage_id, candidate.text))
        if _is_date_line(candidate.hit.passage, candidate.text):  # a release line quoted as the answer
            shown.add((source, candidate.text))
        quotes.setdefault(passage_id, []).append(quoted)
        following = chosen[index + 1] if index + 1 < len(chosen) else None
        same_next = following is not None and following.hit.passage.id == passage_id
        marker = "" if same_next else f" [{numbers[passage_id]}]"
        kind = candidate.unit.kind if candidate.unit else "sentence"
        text = _shorten(quoted, max(max_chars, WHOLE_CODE_CHARS) if kind == "code" else max_chars, kind)
        if _is_code(candidate) and candidate.joined and code:
            code[-1] += gap + text  # the block quoted whole is one piece of code, shown as one
        elif _is_code(candidate):
            code.append(text)
        if following is not None and following.joined:  # the block goes on: its markers after its end
            pending.append(marker.strip())
            marker = ""
        elif pending:
            marker = " " + " ".join(dict.fromkeys(m for m in (*pending, marker.strip()) if m))
            pending = []
        if candidate.continues or candidate.starts:
            where = {"earlier": "", "later": "", "whole": ""}
            if candidate.block_lines is not None:
                source = candidate.hit.passage.source
                where["whole"] = WHOLE_BLOCK.format(
                    source=source, first=candidate.block_lines[0], last=candidate.block_lines[1]
                )
            for name, hits in (("earlier", candidate.starts), ("later", candidate.continues)):
                for hit in hits:
                    numbers.setdefault(hit.passage.id, len(numbers) + 1)
                    if hit.passage.id not in extra:
                        extra[hit.passage.id] = (hit, _code_of_block(hit.passage, candidate.unit))
                        quotes.setdefault(hit.passage.id, []).append(
                            hit.passage.unit_text(extra[hit.passage.id][1])
                        )
                    where[name] = f"[{numbers[hit.passage.id]}]"
            note = (
                STARTS_AND_CONTINUES if where["earlier"] and where["later"]
                else STARTS if where["earlier"] else CONTINUES
            ).format(**where)  # fmt: skip
            marker = f" [{numbers[passage_id]}]\n{note}"
        joiner = "; " if same_next and _is_item(candidate) and _is_item(following) else " "
        if joiner == "; " and text.rstrip()[-1:] in ".;:!?,":
            joiner = " "  # an item that ends its own sentence: "a.; b" reads as a typo
        if any(_is_code(c) or _is_row(c) for c in (candidate, following) if c is not None):
            joiner = "\n"  # code, and table rows, each on their own lines
        if following is not None and following.joined:
            joiner = _gap(candidate.unit, following.unit)
        parts.append(text + marker + (joiner if following is not None else ""))
        gap = joiner
    first = {c.hit.passage.id: c for c in reversed(chosen)}
    cited = tuple(
        CitedPassage(
            number, first[pid].hit, "\n".join(quotes[pid]), first[pid].also_in,
            *_unit_location([c.unit for c in chosen if c.hit.passage.id == pid and c.unit is not None]),
        )
        if pid in first
        else CitedPassage(
            number, extra[pid][0], "\n".join(quotes[pid]), extra[pid][0].also_in, *_unit_location([extra[pid][1]])
        )
        for pid, number in numbers.items()
    )  # fmt: skip
    answer = "".join(parts).strip()
    # The strip above may take a code block's first indent: record the code as the answer shows it.
    shown = tuple(dict.fromkeys(c if c in answer else c.strip() for c in code))
    return answer, cited, shown


def _gap(unit: Unit | None, following: Unit | None) -> str:
    """What goes between two parts of a code block quoted whole: a line break, and the blank line that
    stood between them in the source (a cut at a blank line leaves it in neither part)."""
    if unit is None or following is None or unit.line_end is None or following.line_start is None:
        return "\n"
    return "\n\n" if following.line_start > unit.line_end + 1 else "\n"


def _code_of_block(passage: Passage, unit: Unit | None) -> Unit:
    """The first unit of `passage` quoting the code block `unit` is a part of (see _block_pieces)."""
    parts = unit.parts if unit is not None else 0
    return next(u for u in passage.units if u.kind == "code" and u.parts == parts)


def _inline_code(text: str, chosen: list[Candidate], code: tuple[str, ...]) -> tuple[str, ...]:
    """Inline code spans of the quoted passages that the answer shows outside its code blocks,
    longest first; a span seen only inside a longer one (`--api` in `--api.insecure`) is not one."""
    prose = text
    for block in code:
        prose = prose.replace(block, " " * len(block))
    spans = sorted({span for c in chosen for span in c.hit.passage.code_spans}, key=lambda s: (-len(s), s))
    claimed: list[tuple[int, int]] = []
    found: list[str] = []
    for span in spans:
        pattern = rf"(?<![\w`]){re.escape(span)}(?![\w`])"
        places = [m.span() for m in re.finditer(pattern, prose)]
        free = [p for p in places if not any(a <= p[0] and p[1] <= b for a, b in claimed)]
        if free:
            found.append(span)
            claimed.extend(free)
    return tuple(found)


def _unit_location(units: list[Unit]) -> tuple[int | None, int | None, int | None]:
    """(first line, last line, first page) of the quoted units; Nones where the format has no lines."""
    starts = [u.line_start for u in units if u.line_start is not None]
    ends = [u.line_end for u in units if u.line_end is not None]
    pages = [u.page_start for u in units if u.page_start is not None]
    return (min(starts) if starts else None, max(ends) if ends else None, min(pages) if pages else None)


def _sigmoid(logit: float) -> float:
    return 1.0 / (1.0 + math.exp(-logit))


def _is_item(candidate: Candidate) -> bool:
    return candidate.unit is not None and candidate.unit.kind == "list_item"


def _is_row(candidate: Candidate) -> bool:
    return candidate.unit is not None and candidate.unit.kind == "table_row"


def _row_under_shown_header(candidate: Candidate, previous: Candidate | None) -> str:
    """What the answer quotes for `candidate`: a table row right after another row of the same table
    (same document, same header: a long table's rows may stand in two passages, each repeating the
    header) without the header again, so that the rows of one table stand on their own lines under
    one header line; any other unit's text unchanged."""
    unit, text = candidate.unit, candidate.text
    if previous is None or not _is_row(candidate) or not _is_row(previous) or not unit.lead:
        return text
    same_table = (
        previous.hit.passage.source == candidate.hit.passage.source and previous.unit.lead == unit.lead
    )
    header = f"{unit.lead}\n"
    return text[len(header) :] if same_table and text.startswith(header) else text


def _is_code(candidate: Candidate) -> bool:
    return candidate.unit is not None and candidate.unit.kind == "code"


def _is_shown_lead(candidate: Candidate, chosen: list[Candidate]) -> bool:
    """A chosen sentence that another chosen unit of its passage shows as its lead anyway; or a release
    line ("Released 2023-10-16") that another chosen unit of its document shows in its release lead."""
    passage = candidate.hit.passage
    release_line = _is_date_line(passage, candidate.text)
    for other in chosen:
        if other is candidate:
            continue
        lead = _visible_lead(other)
        if other.hit.passage.id == passage.id and lead == candidate.text:
            return True
        if release_line and other.hit.passage.source == passage.source and candidate.text in lead.split("\n"):
            return True
    return False


def _unsaid_release_lines(lead: str, source: str, shown: set[tuple[str, str]]) -> str:
    """The lines of a release lead ("[2.3.0] - 2024-10-02", "Removed") not yet said in the answer, each
    said once an answer whichever of its release's passages repeat it; marks them said in `shown` (keyed
    by `source` and the lead up to the line, so "Removed" of another release is still said)."""
    lines = lead.split("\n")
    prefixes = ["\n".join(lines[: i + 1]) for i in range(len(lines))]
    unsaid = [line for line, prefix in zip(lines, prefixes, strict=True) if (source, prefix) not in shown]
    shown.update((source, prefix) for prefix in prefixes)
    return "\n".join(unsaid)


def _visible_lead(candidate: Candidate) -> str:
    """The introducing sentence of a command or list, or the sentence saying what a bare value
    ("Default is 1GB.") is of, when it is verbatim in the passage."""
    unit = candidate.unit
    if unit is None or unit.kind == "table_row" or not unit.lead:
        return ""
    return unit.lead if unit.lead in candidate.hit.passage.text else ""


def _shorten(text: str, max_chars: int, kind: str = "sentence") -> str:
    if len(text) <= max_chars:
        return text
    if kind == "code":  # whole lines only: a command cut mid-line would mislead
        kept: list[str] = []
        for line in text.split("\n"):
            if sum(len(k) + 1 for k in kept) + len(line) > max_chars:
                break
            kept.append(line)
        return "\n".join(kept or [text.split("\n")[0]]) + "\n…"
    cut = text[:max_chars].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + " …"
