"""Scores a question file (the seeds_dev.yaml format) against the live index."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot import messages
from bot.core.models import Answer, Notice
from bot.core.service import QAService
from bot.settings import yaml_problem
from retrieval import fold

ABSTAIN_KINDS = {"unanswerable", "noise"}  # the right answer is an abstention
KINDS = ("fact", "paraphrase", "typo", "unanswerable", "noise")


@dataclass(frozen=True)
class EvalQuestion:
    id: str
    question: str
    answers: tuple[str, ...]
    docs: tuple[str, ...]
    forbid: tuple[str, ...]
    kind: str


@dataclass
class EvalResult:
    question: EvalQuestion
    answer: Answer | Notice
    misses: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.misses


class EvalFileError(ValueError):
    pass


def load_questions(path: Path) -> list[EvalQuestion]:
    """The questions of a YAML question file. Raises EvalFileError, one line naming the file and (for a
    bad question) its id, when the file cannot be read, is not YAML (line and column), has no
    `questions:` list, or a question has no `q`, an unknown `kind`, or is answerable with no `answers:`."""
    try:
        raw = yaml.safe_load(Path(path).read_text("utf-8"))
    except OSError as error:
        raise EvalFileError(f"Cannot read question file {path}: {error.strerror or error}") from None
    except yaml.YAMLError as error:
        raise EvalFileError(messages.eval_file_not_yaml(str(path), yaml_problem(error))) from None
    items = raw.get("questions") if isinstance(raw, dict) else None
    if not isinstance(items, list):
        raise EvalFileError(f"{path}: expected a top-level 'questions:' list")
    return [_question(path, position, item) for position, item in enumerate(items, start=1)]


def _question(path: Path, position: int, item: Any) -> EvalQuestion:
    if not isinstance(item, dict) or not item.get("q"):
        raise EvalFileError(f"{path}: question {position} has no 'q'")
    question = EvalQuestion(
        id=str(item.get("id", position)),
        question=str(item["q"]),
        answers=tuple(str(a) for a in item.get("answers") or ()),
        docs=tuple(str(d) for d in item.get("docs") or ()),
        forbid=tuple(str(f) for f in item.get("forbid") or ()),
        kind=str(item.get("kind", "fact")),
    )
    if question.kind not in KINDS:
        raise EvalFileError(messages.eval_unknown_kind(str(path), question.id, question.kind, KINDS))
    if question.kind not in ABSTAIN_KINDS and not question.answers:
        raise EvalFileError(messages.eval_no_answers(str(path), question.id, question.kind))
    return question


def _fold(text: str) -> str:
    """Compare form: NFKC, case and accents folded, whitespace collapsed (so "ﬁfth" matches "fifth")."""
    return " ".join(fold(text).split())


def score(question: EvalQuestion, answer: Answer | Notice) -> EvalResult:
    result = EvalResult(question, answer)
    if isinstance(answer, Notice):
        result.misses.append(f"no answer: {answer.text}")
        return result
    for citation in answer.citations:
        for forbidden in question.forbid:
            if forbidden in citation.passage:
                result.misses.append(f"cited page chrome {forbidden!r} in {citation.passage_id}")
    if question.kind in ABSTAIN_KINDS:
        if not answer.abstained:
            result.misses.append(f"should abstain, answered: {answer.text[:120]!r}")
        return result
    if answer.abstained:
        result.misses.append("abstained on an answerable question")
        return result
    spans = [_fold(a) for a in question.answers]
    if spans and not any(s in _fold(answer.text) for s in spans):
        result.misses.append(f"answer lacks {list(question.answers)}: {answer.text[:160]!r}")
    gold = [c for c in answer.citations if not question.docs or _from_docs(c.source, question.docs)]
    if question.docs and not gold:
        result.misses.append(f"no citation from {list(question.docs)}")
    elif spans and not any(s in _fold(c.passage) for c in gold for s in spans):
        result.misses.append("no cited passage from a gold document holds the answer")
    return result


def gold_cited(question: EvalQuestion, answer: Answer | Notice) -> bool:
    """Does the answer cite a passage of a gold document that holds a gold span (whatever its text says)?"""
    spans = [_fold(a) for a in question.answers]
    return any(
        _from_docs(c.source, question.docs) and any(s in _fold(c.passage) for s in spans)
        for c in getattr(answer, "citations", ())
    )


def _from_docs(source: str, prefixes: tuple[str, ...]) -> bool:
    """A prefix names a file (its name's start) or a path under the corpus (the source's start)."""
    return source.startswith(prefixes) or Path(source).name.startswith(prefixes)


def evaluate(service: QAService, questions: list[EvalQuestion]) -> list[EvalResult]:
    return [score(q, service.ask(q.question)) for q in questions]


def summary_json(results: list[EvalResult]) -> dict[str, Any]:
    return {
        "passed": sum(r.passed for r in results),
        "total": len(results),
        "results": [
            {"id": r.question.id, "question": r.question.question, "passed": r.passed, "misses": r.misses}
            for r in results
        ],
    }
