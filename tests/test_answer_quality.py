"""Answer quality with the real model on real corpora: the dev set through `citebot eval`, our own sets in-process."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.evaluation import ABSTAIN_KINDS, evaluate, load_questions
from tests.harness.libraries import (
    BACKENDS,
    DATA,
    ROOT,
    SEEDS,
    backend_settings,
    build_library,
    new_location,
)

pytestmark = pytest.mark.quality

CITEBOT = Path(sys.executable).parent / "citebot"


def _run_eval(
    question_file: Path, index_dir: Path, backend: str = "files", tmp_path: Path | None = None
) -> dict:
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    where = ["--index", str(index_dir)]
    if (
        backend == "postgres"
    ):  # the index is the database: CITEBOT_DATABASE_URL and a config naming the backend
        config = tmp_path / "postgres.yaml"
        config.write_text("backend: postgres\n", "utf-8")
        env["CITEBOT_DATABASE_URL"] = str(index_dir)
        where = ["--config", str(config)]
    result = subprocess.run(
        [str(CITEBOT), "eval", "--json", *where, str(question_file)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_dev_questions_through_citebot_eval(seeds_library, tmp_path):
    backend, location = seeds_library
    summary = _run_eval(DATA / "seeds_dev.yaml", location, backend, tmp_path)
    kinds = {q.id: q.kind for q in load_questions(DATA / "seeds_dev.yaml")}
    failed = [r for r in summary["results"] if not r["passed"]]
    assert summary["total"] == 16
    assert summary["passed"] == 16, failed  # measured 16/16 (benchmarks/README.md): d03 by its dateline
    assert not [r for r in failed if kinds[r["id"]] in ABSTAIN_KINDS], (
        "every unanswerable/noise question abstains"
    )


def test_our_own_seed_questions(seeds_services):
    questions = load_questions(DATA / "seeds_extra.yaml")
    results = evaluate(seeds_services, questions)
    passed = sum(r.passed for r in results)
    abstain = [r for r in results if r.question.kind in ABSTAIN_KINDS]
    assert passed >= 33, [(r.question.id, r.misses) for r in results if not r.passed]  # measured 33/38
    assert all(r.passed for r in abstain), [r.question.id for r in abstain if not r.passed]  # 18/18


@pytest.fixture(scope="module", params=BACKENDS)
def handbook_service(request, embedder):
    from bot.core.service import QAService

    location = new_location(request, request.param)
    build_library(request.param, DATA / "handbook", location, embedder)
    return QAService(backend_settings(request.param, location), embedder)


def test_questions_on_a_corpus_of_our_own(handbook_service):
    """Markdown with front matter, HTML with chrome, text with a share bar, a two-page PDF."""
    results = evaluate(handbook_service, load_questions(DATA / "handbook_questions.yaml"))
    failed = [(r.question.id, r.misses) for r in results if not r.passed]
    assert sum(r.passed for r in results) >= 21, failed  # measured 21/23 (benchmarks/README.md)
    # Known misses since the learned composer: u01 "What is the dress code?" and u07 "What is the wifi
    # password in the office?" are answered from the sentence sharing their one known word ("code",
    # "password"); the subject the handbook never uses is a common English word, and calibration's
    # search questions teach that such a word is weak evidence. Every other unanswerable abstains.
    missed = {r.question.id for r in results if r.question.kind in ABSTAIN_KINDS and not r.passed}
    assert missed <= {"u01", "u07"}, failed


def test_pdf_answers_cite_the_page(handbook_service):
    answer = handbook_service.ask("When is the probation review?")
    assert not answer.abstained
    citation = answer.citations[0]
    assert citation.source == "onboarding.pdf"
    assert citation.location.page == 2
    assert "page 2" in citation.location.describe()


def test_markers_match_citations_and_quotes_are_exact(seeds_services):
    for question in (
        "How much did Microsoft invest in OpenAI?",
        "Who is OpenAI's chief scientist?",
        "Which global challenges could AGI help solve?",
    ):
        answer = seeds_services.ask(question)
        assert not answer.abstained
        markers = {int(n) for n in re.findall(r"\[(\d+)\]", answer.text)}
        assert markers == {c.number for c in answer.citations}
        for citation in answer.citations:
            source_text = (SEEDS / citation.source).read_text("utf-8")
            for piece in citation.passage.split("\n"):
                assert piece in source_text  # the passage is quoted verbatim from its file
            assert citation.quote.split(" ")[0] in citation.passage


def test_abstention_lists_places_to_look(seeds_services):
    answer = seeds_services.ask("Who won the 2018 FIFA World Cup?")
    assert answer.abstained
    assert answer.citations == ()
    assert "couldn't find" in answer.text
    assert 1 <= len(answer.see_also) <= 3


def test_same_sentence_from_several_articles_is_cited_once(seeds_services):
    answer = seeds_services.ask("Which cloud will OpenAI port its services to?")
    assert "Azure" in answer.text
    quoted = [c.quote for c in answer.citations]
    assert len(quoted) == len(set(quoted))
