"""A new user's first corpus, asked through the real service: a Markdown table, a CSV and a notebook.
What the answer and its citation show (rows under one header, the notebook's section and its printed
output marked as such). The service chooses the units; these tests only read how they are shown."""

from __future__ import annotations

import json

import pytest

from bot.core.service import QAService
from retrieval.ingest.formats.notebook import OUTPUT_MARK
from tests.harness.first_corpus import NOTEBOOK, OFFICES, SERVICES
from tests.harness.libraries import build_index, make_settings


@pytest.fixture(scope="module")
def service(tmp_path_factory, embedder) -> QAService:
    corpus = tmp_path_factory.mktemp("trial-corpus")
    (corpus / "services.md").write_text(SERVICES, encoding="utf-8")
    (corpus / "offices.csv").write_text(OFFICES, encoding="utf-8")
    (corpus / "churn.ipynb").write_text(json.dumps(NOTEBOOK, indent=1), encoding="utf-8")
    index = tmp_path_factory.mktemp("trial-index")
    build_index(corpus, index, embedder, show_progress=False)
    return QAService(make_settings(index), embedder)


def test_table_rows_stand_on_their_own_lines_under_one_header(service):
    answer = service.ask("what port does the metrics service use?")
    assert not answer.abstained
    assert "HTTP Service" not in answer.text and "HTTPS Service" not in answer.text
    lines = answer.text.split("\n")
    assert answer.text.count("Service | Port | Protocol") == 1
    header = lines.index("Service | Port | Protocol")  # the rows' header on its own line, above them
    assert (
        "metrics | 9102 | HTTP" in lines[header + 1 :] or "metrics | 9102 | HTTP [1]" in lines[header + 1 :]
    )


def test_a_notebook_is_cited_by_its_section_and_its_printed_output_is_marked(service):
    answer = service.ask("what was the churn rate in Q3?")
    assert not answer.abstained and "0.047" in answer.text
    assert f"{OUTPUT_MARK}\n0.047" in answer.text  # the printed value, marked as output
    (citation,) = answer.citations
    assert citation.location.describe() == "churn.ipynb, Churn analysis"
