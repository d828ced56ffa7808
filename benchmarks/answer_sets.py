"""The question sets answer quality is measured on, their calibration / validation split, and one runner.

The split is by corpus: every question of a corpus is on one side, so nothing fitted on calibration has
seen a validation document. Written down here (and in benchmarks/README.md) before any fitting:

| split       | set            | corpus                                   | text type                          |
|-------------|----------------|------------------------------------------|------------------------------------|
| calibration | clapnq         | pool: Wikipedia passages, NQ questions   | Wikipedia, 50% unanswerable        |
| calibration | tatqa          | pool: annual-report tables + text        | finance, tables                    |
| calibration | aws_docs       | pool: AWS guides (Markdown)              | documentation                      |
| calibration | seeds dev      | seeds/ (the sample news corpus)          | news                               |
| calibration | seeds-own      | seeds/                                   | news                               |
| calibration | seeds-trial    | seeds/ (a fresh user's 40 paraphrased questions, stop 29) | news |
| calibration | handbook       | tests/data/handbook (PDF, txt, docx)     | company handbook                   |
| calibration | docs-trial     | tests/data/docstrial (httpx Markdown, alembic reST, jinja Sphinx HTML; a fresh user's 36 questions, stop 31) | documentation, three products in one index |
| calibration | docs-trial-2   | tests/data/docstrial2 (Hugo Markdown, flask reST; a fresh user's 36 questions, stop 32) | documentation, two products in one index |
| calibration | docs-trial-4   | tests/data/docstrial4 (a pdfTeX PDF manual, coverage.py reST; a fresh user's 36 questions, stop 32) | documentation, run blind once, not yet fitted on |
| calibration | docs-trial-6   | tests/data/docstrial6 (a Google Docs PDF guide, jbang AsciiDoc; a fresh user's 36 questions, stop 33) | documentation, run blind once, not yet fitted on |
| calibration | docs-trial-7   | tests/data/docstrial7 (go-task's Docusaurus MDX; 18 of a fresh user's 36 questions, stop 34) | documentation, run blind once, not yet fitted on |
| calibration | docs-trial-8   | tests/data/docstrial8 (gunicorn Sphinx reST, asdf's built VitePress HTML; a fresh user's 36 questions, stop 35) | documentation, run blind once, not yet fitted on |
| calibration | docs-trial-9   | tests/data/docstrial9 (kind's Hugo Markdown, Lem's pdfTeX PDF manual; a fresh user's 36 questions, stop 35) | documentation, run blind once, not yet fitted on |
| calibration | docs-trial-10  | tests/data/docstrial10 (pytest-xdist's Sphinx reST; 18 of a fresh user's 36 questions, stop 36) | documentation, run blind once, not yet fitted on |
| calibration | docs-trial-11  | tests/data/docstrial11 (Hugo Learn's Hugo Markdown, uvicorn's built MkDocs HTML; a fresh user's 36 questions, stop 36) | documentation, run blind once, not yet fitted on |
| calibration | docs-trial-12  | tests/data/docstrial12 (ManimGL's built Sphinx HTML, METIS's pdfTeX PDF manual; a fresh user's 36 questions, stop 36) | documentation, run blind once, not yet fitted on |
| calibration | docs-trial-13  | tests/data/docstrial13 (Flake8's Sphinx reST, mitmproxy's Hugo Markdown; a fresh user's 36 questions, stop 36) | documentation, run blind once, not yet fitted on |
| calibration | docs-trial-14  | tests/data/docstrial14 (Scrapy's Sphinx reST, KaHIP's pdfTeX PDF manual; a fresh user's 36 questions, stop 37) | documentation, run blind once, not yet fitted on |
| calibration | docs-trial-15  | tests/data/docstrial15 (Docsy's Hugo Markdown, MkDocs' built HTML site; a fresh user's 36 questions, stop 37) | documentation, run blind once, not yet fitted on |
| calibration | docs-trial-16  | tests/data/docstrial16 (beets' Sphinx reST, SuperLU's pdfTeX PDF guide; a fresh user's 36 questions, stop 37) | documentation, run blind once, not yet fitted on |
| calibration | docs-trial-17  | tests/data/docstrial17 (rclone's Hugo Markdown, Blackhole's built Sphinx HTML; a fresh user's 36 questions, stop 37) | documentation, run blind once, not yet fitted on |
| calibration | docs-trial-18  | tests/data/docstrial18 (Supervisor's Sphinx reST, SuiteSparse AMD's pdfTeX PDF guide; a fresh user's 36 questions, stop 38) | documentation, run blind once, not yet fitted on |
| calibration | docs-trial-19  | tests/data/docstrial19 (KEDA's Hugo Markdown, Starlette's built MkDocs HTML; a fresh user's 36 questions, stop 38) | documentation, run blind once, not yet fitted on |
| calibration | docs-trial-20  | tests/data/docstrial20 (pyproj's built Sphinx HTML, g2o's LaTeX PDF manual; a fresh user's 36 questions, stop 38) | documentation, run blind once, not yet fitted on |
| calibration | docs-trial-21  | tests/data/docstrial21 (Linkerd's Hugo Markdown, restic's Sphinx reST; a fresh user's 36 questions, stop 38) | documentation, run blind once, not yet fitted on |
| calibration | docs-trial-22  | tests/data/docstrial22 (marshmallow's Sphinx reST, ReactPhysics3D's LaTeX PDF manual; a fresh user's 36 questions, stop 38) | documentation, run blind once, not yet fitted on |
| calibration | docs-trial-23  | tests/data/docstrial23 (Velero's Hugo Markdown, lmfit's built Sphinx HTML; a fresh user's 36 questions, stop 38) | documentation, run blind once, not yet fitted on |
| calibration | docs-trial-24  | tests/data/docstrial24 (Hatch's MkDocs Markdown, the uthash guide's DBLaTeX PDF; a fresh user's 36 questions, stop 39) | documentation, run blind once, not yet fitted on |
| calibration | docs-trial-25  | tests/data/docstrial25 (tox's Sphinx reST, TinyXML-2's Doxygen HTML; a fresh user's 36 questions, stop 39) | documentation, run blind once, not yet fitted on |
| calibration | docs-trial-26  | tests/data/docstrial26 (Jaeger's Hugo Markdown, BASICLU's pdfTeX PDF guide; a fresh user's 36 questions, stop 39) | documentation, run blind once, not yet fitted on |
| calibration | docs-trial-27  | tests/data/docstrial27 (Requests' Sphinx reST, Eventlet's built Sphinx HTML; a fresh user's 36 questions, stop 39) | documentation, run blind once, not yet fitted on |
| calibration | docs-trial-28  | tests/data/docstrial28 (vdirsyncer's Sphinx reST, QCML's LaTeX PDF guide; a fresh user's 36 questions, stop 39) | documentation, run blind once, not yet fitted on |
| calibration | docs-trial-29  | tests/data/docstrial29 (Kustomize's Hugo Markdown, PyMdown Extensions' built MkDocs HTML; a fresh user's 36 questions, stop 39) | documentation, run blind once, not yet fitted on |
| calibration | Prometheus     | tests/data/owndocs (Markdown)            | documentation                      |
| calibration | fault cases    | tests/data/cases/* (the 14 in FAULT_CASES) | mixed                            |
| calibration | reading cases  | tests/data/cases/* (the rest: issue 17's readers and languages) | mixed |
| calibration | tatqa-gold-removed | tatqa's corpus less half its gold documents | finance; uncovered questions   |
| calibration | aws_docs-gold-removed | aws_docs' corpus less half its gold pages | documentation; uncovered questions |
| validation  | wikiqa         | pool: Wikipedia summaries, Bing queries  | Wikipedia, 60% unanswerable        |
| validation  | selqa          | pool: Wikipedia sections                 | Wikipedia                          |
| validation  | docs_dev       | tests/data/docs_dev (Traefik MD, H2O HTML) | documentation                    |
| validation  | docs-trial-3   | tests/data/docstrial3 (a pdfTeX PDF manual, Sphinx HTML; a fresh user's 36 questions, stop 32) | documentation, PDF and HTML |
| validation  | docs-trial-5   | tests/data/docstrial5 (watchtower MkDocs Markdown, shoutrrr built MkDocs HTML; a fresh user's 36 questions, stop 33) | documentation, run blind once |
| validation  | squad          | optional, built by benchmarks/squad_set.py: 16 whole Wikipedia articles, SQuAD 2.0 dev | long articles, 50% unanswerable |

The two "gold removed" sets are made from calibration corpora (`gold_removed`): every other gold document
(in sorted order) is left out of the corpus, and each question whose gold documents are all gone becomes
one the sources do not cover, which must be answered with an abstention. They teach what the pool lacks:
a question about something the documents do not cover, asked where neighbouring pages share its words
(another company's revenue table, another AWS service's page).

The reading cases (one small corpus per reader, generator and language added for issue 17) and the three
fresh users' trials in calibration (seeds-trial, docs-trial, docs-trial-2) came after the unit scorer was
fitted; since stop 32 the confidence scorer is fitted on every calibration set (`train_answerer.py
--keep-unit`: the unit scorer is kept, see benchmarks/README.md "Stop 32"). `fitted=False` keeps a set
out of train_answerer.py's rows (docs-trial-4, -6 and -7, which came after the refit, each run blind once), so a
committed model stays reproducible from its recorded rows hash.

squad is measured only when the pool folder holds it (`benchmarks/squad_set.py DEV.json POOL/squad`; the
shared pool does not): its documents are whole articles of 3,000-10,000 words, where every passage of the
right article competes with the one that answers, and its unanswerable questions were written against the
article to look answerable. Added after the answer model was fitted; never fitted on.

Follow-ups are measured on tests/data/followups_dev.yaml (benchmarks/followups.py), not fitted on.
The pool stays in ../shared/eval/pool (its path is an argument): wikiqa's licence allows research use
only, so nothing of it is copied into the project.
"""

from __future__ import annotations

import dataclasses
import hashlib
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
DEFAULT_POOL = ROOT.parent / "shared" / "eval" / "pool"


@dataclass(frozen=True)
class QuestionSet:
    """One corpus and its questions. `corpora` has several folders for the fault cases (one each)."""

    name: str
    split: str  # calibration | validation
    corpora: tuple[tuple[Path, Path], ...]  # (corpus folder, question file) pairs
    family: str = ""  # sets sharing documents share a family (held out together); "" = its own name
    fitted: bool = True  # train_answerer.py fits on it (calibration sets only)

    @property
    def corpus_family(self) -> str:
        return self.family or self.name


# The fault cases the answer model was fitted on (answer_model.json, "fault cases"); later case folders
# are the reading cases.
FAULT_CASES = (
    "accents-non-english", "chat-escaping", "duplicate-documents", "empty-files", "hard-wrapped-lines",
    "md-code-fence", "md-front-matter", "md-heading-context", "md-short-list", "md-table", "numbers-units",
    "pdf-ligatures", "single-char-identifiers", "unanswerable-near-miss",
)  # fmt: skip


def _cases(fault: bool) -> tuple[tuple[Path, Path], ...]:
    folders = sorted(p for p in (DATA / "cases").iterdir() if (p / "case.yaml").exists())
    return tuple(
        (case / "corpus", case / "case.yaml") for case in folders if (case.name in FAULT_CASES) == fault
    )


def _trial(number: int, split: str = "calibration", fitted: bool = True) -> QuestionSet:
    """A fresh user's documentation trial: tests/data/docstrial (1) or docstrial<number>, named docs-trial
    or docs-trial-<number> (each folder's SOURCE.md says which trial and stop)."""
    suffix = "" if number == 1 else str(number)
    folder = DATA / f"docstrial{suffix}"
    name = f"docs-trial-{suffix}" if suffix else "docs-trial"
    return QuestionSet(name, split, ((folder / "corpus", folder / "questions.yaml"),), fitted=fitted)


def question_sets(pool: Path | None = DEFAULT_POOL) -> list[QuestionSet]:
    """Every set, calibration first; the pool's sets only when `pool` exists."""
    sets = [
        QuestionSet("seeds dev", "calibration", ((ROOT / "seeds", DATA / "seeds_dev.yaml"),), "seeds"),
        QuestionSet("seeds-own", "calibration", ((ROOT / "seeds", DATA / "seeds_extra.yaml"),), "seeds"),
        QuestionSet(
            "seeds-trial",
            "calibration",
            ((ROOT / "seeds", DATA / "seeds_trial.yaml"),),
            "seeds",
        ),
        QuestionSet("handbook", "calibration", ((DATA / "handbook", DATA / "handbook_questions.yaml"),)),
        _trial(1),
        _trial(2),
        # run blind, their faults fixed after
        *(_trial(number, fitted=False) for number in (4, *range(6, 30))),
        QuestionSet(
            "Prometheus", "calibration", ((DATA / "owndocs/corpus", DATA / "owndocs/questions.yaml"),)
        ),
        QuestionSet("fault cases", "calibration", _cases(fault=True)),
        QuestionSet("reading cases", "calibration", _cases(fault=False)),
        QuestionSet(
            "docs_dev", "validation", ((DATA / "docs_dev/corpus", DATA / "docs_dev/questions.yaml"),)
        ),
        _trial(3, "validation"),
        _trial(5, "validation"),
    ]
    if pool is not None and Path(pool).is_dir():
        for name in ("tatqa", "aws_docs"):
            folder = Path(pool) / name
            if (folder / "questions.yaml").exists():
                sets.append(
                    QuestionSet(
                        f"{name}-gold-removed", "calibration", (gold_removed(folder, name),), family=name
                    )
                )
        for name, split in (
            ("clapnq", "calibration"),
            ("tatqa", "calibration"),
            ("aws_docs", "calibration"),
            ("wikiqa", "validation"),
            ("selqa", "validation"),
            ("squad", "validation"),  # optional: benchmarks/squad_set.py builds it (not in the shared pool)
        ):
            folder = Path(pool) / name
            if (folder / "questions.yaml").exists():
                sets.append(QuestionSet(name, split, ((folder / "corpus", folder / "questions.yaml"),)))
    return sorted(sets, key=lambda s: s.split)


DERIVED = Path(tempfile.gettempdir()) / "citebot-derived-sets"


def gold_removed(folder: Path, name: str, where: Path = DERIVED) -> tuple[Path, Path]:
    """(corpus, questions) of a set made from `folder` (a pool set) with every other gold document left
    out (sorted by file name; deterministic); questions whose gold documents are all gone are marked
    unanswerable. The corpus is a folder of symbolic links, made once under `where`."""
    import yaml

    raw = yaml.safe_load((folder / "questions.yaml").read_text("utf-8"))
    files = sorted(p.name for p in (folder / "corpus").iterdir() if p.is_file())
    gold = sorted({f for q in raw["questions"] for prefix in q.get("docs") or () for f in files
                   if f.startswith(prefix)})  # fmt: skip
    removed = set(gold[::2])
    # Named after the pool folder and what is left out, so another pool or changed data gets its own.
    key = hashlib.sha256(f"{folder.resolve()}\n{sorted(removed)}\n{files}".encode()).hexdigest()[:12]
    target = where / f"{name}-{key}"
    corpus = target / "corpus"
    if not corpus.is_dir():
        corpus.mkdir(parents=True)
        for name_ in files:
            if name_ not in removed:
                (corpus / name_).symlink_to((folder / "corpus" / name_).resolve())
    questions = []
    for q in raw["questions"]:
        kept = [
            f for prefix in q.get("docs") or () for f in files if f.startswith(prefix) and f not in removed
        ]
        if q.get("docs") and not kept:
            q = {**q, "answers": [], "docs": [], "kind": "unanswerable"}
        questions.append(q)
    path = target / "questions.yaml"
    path.write_text(yaml.safe_dump({"questions": questions}, allow_unicode=True), "utf-8")
    return corpus, path


def families(pool: Path | None = DEFAULT_POOL) -> dict[str, str]:
    """Set name -> corpus family (sets built on the same documents share one)."""
    return {s.name: s.corpus_family for s in question_sets(pool)}


def pool_or_exit(value: str) -> Path | None:
    """The pool folder an argument names ('' for none). Raises SystemExit naming a folder that is not
    there: a mistyped pool would otherwise report a validation mean over docs_dev alone."""
    if not value:
        return None
    pool = Path(value)
    if not pool.is_dir():
        raise SystemExit(
            f"no pool at {pool}: pass --pool (../shared/eval/pool in the team's checkout) or --pool ''"
        )
    return pool


def choose_sets(sets: list[QuestionSet], names: str | None, split: str | None) -> list[QuestionSet]:
    """The sets named (comma-separated) and/or of one split; all of them when neither is given.

    Raises SystemExit with the known names when a name is unknown.
    """
    chosen = sets
    if names:
        wanted = [n.strip() for n in names.split(",") if n.strip()]
        known = {s.name for s in sets}
        unknown = [n for n in wanted if n not in known]
        if unknown:
            raise SystemExit(f"unknown set(s) {unknown}; known: {sorted(known)}")
        chosen = [s for s in chosen if s.name in wanted]
    if split and split != "all":
        chosen = [s for s in chosen if s.split == split]
    return chosen


@dataclass(frozen=True)
class Outcome:
    """One question's outcome, as the results file records it (one JSON object a line)."""

    set: str
    split: str
    id: str
    kind: str
    question: str
    answerable: bool
    passed: bool
    abstained: bool
    supported: bool  # a cited passage of a gold document holds a gold span
    cited: tuple[str, ...]  # cited sources, in citation order
    unit_kind: str  # the best unit's kind ("" when none was scored)
    confidence: float  # the composer's probability that its answer is right
    abstained_by: (
        str  # "confidence", a rule's id (retrieval/answering/compose.py RULES), or "" when it answered
    )
    answer: str
    misses: tuple[str, ...]


@contextmanager
def served(
    corpus: Path, embedder, cache: Path | None = None, backend: str = "files", server=None, params=None
):
    """A QAService over `corpus`, indexed through the real path (`engine.build`).

    With `cache`, the index lives in a folder named after the corpus path and is refreshed
    incrementally (only changed files re-embedded), so a second run answers at once. `params`
    (ComposerParams) replaces the composer's settings, for ablation runs.
    """
    from bot.core.service import QAService
    from bot.settings import Settings
    from retrieval.config import EngineConfig
    from retrieval.engine import Engine, build

    with tempfile.TemporaryDirectory() as scratch:
        if cache is not None:
            key = hashlib.sha256(str(corpus.resolve()).encode()).hexdigest()[:12]
            folder = Path(cache) / f"{corpus.parent.name}-{corpus.name}-{key}"
            folder.mkdir(parents=True, exist_ok=True)
            scratch = str(folder)
        location = server.new_database("quality") if backend == "postgres" else scratch
        config = EngineConfig(index=location, corpus=str(corpus), backend=backend, sentence_vectors=True)
        build(config, show_progress=False, embedder=embedder)
        values = {"index": scratch, "corpus": str(corpus), "backend": backend, "database": {"url": location}}
        settings = Settings.model_validate(values)
        config = settings.engine_config()
        if params is not None:
            config = dataclasses.replace(config, answer=params)
        yield QAService(settings, embedder, Engine(config, embedder))


def run_set(
    question_set: QuestionSet,
    embedder,
    cache: Path | None = None,
    backend: str = "files",
    server=None,
    params=None,
) -> Iterator[tuple[Outcome, object]]:
    """(outcome, (question, the engine's `Answered`)) for every question of the set, in file order;
    `params` (ComposerParams) replaces the composer's settings."""
    from bot.evaluation import ABSTAIN_KINDS, gold_cited, load_questions, score
    from retrieval.parts import Query

    for corpus, questions in question_set.corpora:
        prefix = f"{corpus.parent.name}/" if len(question_set.corpora) > 1 else ""
        with served(corpus, embedder, cache, backend, server, params) as service:
            for question in load_questions(questions):
                answered = service.engine.answer(Query(question.question))
                answer = service.answer_of(question.question, answered)
                result = score(question, answer)
                composition = answered.composition
                best = composition.candidates[0] if composition.candidates else None
                yield (
                    Outcome(
                        set=question_set.name,
                        split=question_set.split,
                        id=prefix + question.id,
                        kind=question.kind,
                        question=question.question,
                        answerable=question.kind not in ABSTAIN_KINDS,
                        passed=result.passed,
                        abstained=answer.abstained,
                        supported=gold_cited(question, answer),
                        cited=tuple(c.source for c in answer.citations),
                        unit_kind=(best.unit.kind if best is not None and best.unit else ""),
                        confidence=round(float(composition.confidence), 4),
                        abstained_by=composition.abstained_by if answer.abstained else "",
                        answer=answer.text[:300],
                        misses=tuple(result.misses),
                    ),
                    (question, answered),
                )
