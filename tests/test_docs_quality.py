"""Answer quality on real documentation and on the fault cases, with the real model.

- docs_dev: 67 real pages (Traefik MkDocs Markdown, H2O generated HTML) and 50 questions, copied from
  the team's shared evaluation set (tests/data/docs_dev/SOURCE.md); scored as `citebot eval` scores it.
- owndocs: 25 Prometheus pages and 40 questions of our own (tests/data/owndocs/SOURCE.md).
- cases: small corpora built from faults people reported against document-QA tools, each question a
  test of its own with the value it must answer (or an abstention).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot.evaluation import ABSTAIN_KINDS, evaluate, gold_cited, load_questions, score
from tests.harness.libraries import DATA, make_settings

pytestmark = pytest.mark.quality

CASES = DATA / "cases"


def _service(tmp_path_factory, embedder, corpus: Path, name: str):
    from bot.core.service import QAService
    from tests.harness.libraries import build_index

    index_dir = tmp_path_factory.mktemp(name)
    # Sentence vectors only make answers faster; without them the build is ~4x quicker.
    build_index(corpus, index_dir, embedder, show_progress=False, sentence_vectors=False)
    return QAService(make_settings(index_dir), embedder)


@pytest.fixture(scope="module")
def docs_service(tmp_path_factory, embedder):
    return _service(tmp_path_factory, embedder, DATA / "docs_dev" / "corpus", "docs-dev-index")


@pytest.fixture(scope="module")
def docs_results(docs_service):
    return evaluate(docs_service, load_questions(DATA / "docs_dev" / "questions.yaml"))


def _misses(results) -> list:
    return [(r.question.id, r.misses) for r in results if not r.passed]


def test_docs_dev_floor(docs_results):
    """Floor under the measured score (see benchmarks/README.md); raise it when the score rises."""
    passed = sum(r.passed for r in docs_results)
    assert len(docs_results) == 50
    assert passed >= DOCS_DEV_FLOOR, _misses(docs_results)


def test_docs_dev_cites_the_gold_passage(docs_results):
    """An answered question cites a passage of a gold page that holds the gold span."""
    answerable = [r for r in docs_results if r.question.kind not in ABSTAIN_KINDS]
    cited = [r for r in answerable if gold_cited(r.question, r.answer)]
    assert len(cited) >= GOLD_CITED_FLOOR, [r.question.id for r in answerable if r not in cited]


def test_docs_dev_never_cites_page_chrome(docs_results):
    chrome = [m for r in docs_results for m in r.misses if m.startswith("cited page chrome")]
    assert chrome == []


def test_every_quote_is_verbatim_in_its_passage(docs_results):
    """Each quoted unit is verbatim text of its passage (a table cell cut after a sentence ends in …)."""
    for result in docs_results:
        for citation in getattr(result.answer, "citations", ()):
            for piece in re.split(r" …\n?| …$|\n", citation.quote):
                assert piece.strip() in citation.passage, (result.question.id, piece)


def test_answers_carry_no_markup(docs_results):
    # A code span (`x`), bold, HTML tags, link targets, admonition or attribute-list syntax. (A lone
    # backtick is the author's typo, shown as written: Traefik's compress.md opens one and never closes it.)
    leaks = re.compile(r"`[^`\n]+`|\*\*|<code|</?a[ >]|\]\(|^\s*!!!|\{:", re.MULTILINE)
    for result in docs_results:
        answer = result.answer
        prose = getattr(answer, "text", "")
        for snippet in getattr(answer, "code", ()):  # quoted code is verbatim, backticks and all
            prose = prose.replace(snippet, "")
        assert not leaks.search(prose), (result.question.id, answer.text)


def test_inline_code_of_the_docs_is_marked_in_answers(docs_results):
    """Answers quoting prose with inline code (`--api.insecure`, `proxy.timeout.keepalive`) tell the
    adapters which parts to show as code; each such part stands in the answer text."""
    marked = [r for r in docs_results if getattr(r.answer, "inline_code", ())]
    assert len(marked) >= 5, [r.question.id for r in docs_results]
    for result in marked:
        for span in result.answer.inline_code:
            assert span in result.answer.text, (result.question.id, span)


# Measured on this code (benchmarks/README.md, "Answer quality on data we did not write"); no regression
# is allowed: a change that loses one of these questions must say so here.
DOCS_DEV_FLOOR = 45  # q34 (OCSP retry) answered since stop 32's confidence refit
GOLD_CITED_FLOOR = 31
# Fresh users' documentation trials (each folder's SOURCE.md), by folder. docstrial (trial 36, stop 31): 24
# on stop 30's code, +1 H1 ("defaults to including ..."). docstrial2 and 3 (trials 37, 38): 18 and 9 on stop
# 31's code, 20 and 15 since the confidence was refitted on every calibration set (stop 32). docstrial4
# (trial 39) came after the refit and scored 16/36 on both (blind). Stop 33, three units quoted: docstrial3
# 17 (+H4, +P13), docstrial4 17 (+A13). docstrial5 and 6 (trials 40, 41) came after that and scored 25/36
# and 22/36 on it (blind); docstrial6 21 since its Google Docs PDF's lines are read whole (pipeline 34: P3's
# and P4's quotes got their first words back; U5, uncovered, is now answered at 0.33 from the sentence
# "Cloud Function names are ..." that had lost "Cloud"). Stop 34: docstrial2 21 (+F7, a text showing
# FLASK_RUN_PORT holds "env var"), docstrial5 26 (+P7, "--enable-lifecycle-hooks" holds "switch"),
# docstrial6 24 (+A1 "~/.jbang/cache" is a value, +A12 an env var, +P1 +P2 the guide's bulleted lists read
# as list items; -U4, uncovered, "a .env file" now answered from a table of env vars), docstrial4 19 (+C5,
# +C9: each option of coverage's help listings its own unit), docstrial3 16 (-P8: answered at confidence
# 0.29, a unit log-odds of -3.8, it now abstains at 0.25, its margin over a neighbouring help listing's
# option shrunk once each option is a unit). docstrial7 (trial 42: go-task's Docusaurus pages, the trial's
# MIT half) 11/18 after this stop's MDX fixes. Stop 35 (pipeline 43): docstrial 24 (-J7, answered at
# confidence 0.31 from its second unit, abstains at 0.27 once jinja's API page keeps each function's "Added in
# version ..." and "Parameters: ..." lines, said again under each function), docstrial6 23 (-P6: its gold was
# in a garbled PDF table's header row hanging at the end of the answer's passage; a header with no room for a
# row now opens the next passage with its rows). docstrial8 (trial 43: gunicorn reST, asdf's VitePress HTML)
# 20/36 on stop 34's code, 21 since "${HOME}/.asdfrc" reads as a value (A1) as quality.py asks them, 20 here:
# the service answers U6's second part ("does asdf send telemetry? how do i opt out?") on its own; docstrial9 (trial 44: kind's Hugo
# Markdown, Lem's pdfTeX manual) 21/36 on stop 34's code, 23 since a site's own code shortcode is code (K6, K7).
# Stop 36: docstrial6 24 (+P6: a PDF table's first row that is a sentence is no header). docstrial10 (trial 45:
# pytest-xdist's reST, the trial's MIT half) 9/18 blind, 10 since a bare `.. envvar::` takes the sentence under
# it (X11); docstrial11 (trial 46: Hugo Learn's Markdown, uvicorn's built MkDocs HTML) 21/36 blind and after its
# reading fixes; docstrial12 (trial 47: ManimGL's Sphinx HTML, METIS's pdfTeX manual) 17/36 blind, 15 after
# its reading fixes (+M3; -M2, -M6 answered at 0.28 while the cover's title and version led every passage's
# heading path, -M9: docstrial12/SOURCE.md). An environment variable asked for is a setting a unit names, and
# "--workers 4" no identifier: docstrial6 25 (+A10), docstrial11 23 (+U2, +U6), docstrial12 16 (+M11).
# docstrial13 (trial 48: Flake8's reST, mitmproxy's Hugo Markdown) 19/36 blind, 20 after its fixes (+F9).
# Stop 37: docstrial14 (trial 49: Scrapy's reST, KaHIP's pdfTeX manual) 12/36 blind, 14 after its fixes (+A8
# an escape quoted is no identifier, +PU4 a folder holding one manual is a product); docstrial15 (trial 50:
# Docsy's Hugo Markdown, MkDocs' built HTML) 19/36 blind, 21 after its fixes (+H2, +H4: a Markdown-delimited
# Docsy tab is Markdown, and four pages are no longer raw source); docstrial16 (trial 51: beets' reST, SuperLU's
# pdfTeX guide) 13/36 blind, 15 after its fixes (+A13 "(default: 0.5)" shown, +AU2); docstrial17 (trial 52:
# rclone's Hugo Markdown, Blackhole's built Sphinx HTML) 18/36 blind, 17 after (-SU1: uncovered, answered once
# the sidebar logo passage that led its hits is chrome); docstrial9 24 (+K14: kind's "Setting Up Ingress"
# heading is no breadcrumb of the page titled "Ingress").
# Stop 38: docstrial18 (trial 53: Supervisor's reST, SuiteSparse AMD's pdfTeX guide) 13/36 blind as quality.py
# asks them, 16 after its fixes (+R6, +R3 once list items keep their numbers, +RU3 once option lists are read whole);
# docstrial19 (trial 54: KEDA's Hugo Markdown with TOML front matter, Starlette's built MkDocs HTML) 22/36 blind,
# 20 after (-H14, -SU4 at the threshold's edge once every KEDA page has its title and no raw front matter passage);
# docstrial20 (trial 55: pyproj's Furo HTML, g2o's LaTeX manual) 16/36 blind, 15 after (-S10: a >>> transcript
# quoted whole left room for no third unit); docstrial21 (trial 56: Linkerd's Hugo Markdown, restic's reST) 20/36
# blind and after. docstrial22 (trial 57: marshmallow's reST, ReactPhysics3D's LaTeX manual) 15/36 blind and after;
# docstrial23 (trial 58: Velero's Hugo Markdown, lmfit's built Sphinx HTML) 15/36 blind, 16 after (+S13: autodoc's
# "Parameters" no longer replaces the signature in the heading path); docstrial 26 (+J5, +J7: jinja's API pages'
# nested definition lists lead below their signature).
# Stop 39: docstrial24 (trial 59: Hatch's MkDocs Markdown, uthash's DBLaTeX PDF) 22/36 blind and after its fixes;
# docstrial25 (trial 60: tox's reST, TinyXML-2's Doxygen HTML) 13/36 blind, 14 after; docstrial26 (trial 61:
# Jaeger's Hugo Markdown, BASICLU's pdfTeX guide) 21/36 blind, 22 after; docstrial27 (trial 62: Requests' reST,
# Eventlet's built Sphinx HTML) 18/36 blind, 19 after (+E6, a number in a call the asker writes); docstrial28
# (trial 63: vdirsyncer's reST, QCML's LaTeX guide) 14/36 blind and after; docstrial29 (trial 64: Kustomize's
# Hugo Markdown, PyMdown Extensions' built MkDocs HTML) 17/36 blind and after.
TRIAL_FLOORS = {
    "docstrial": 26, "docstrial2": 21, "docstrial3": 16, "docstrial4": 19, "docstrial5": 26, "docstrial6": 25,
    "docstrial7": 11, "docstrial8": 20, "docstrial9": 24, "docstrial10": 10, "docstrial11": 23, "docstrial12": 16,
    "docstrial13": 20, "docstrial14": 14, "docstrial15": 21, "docstrial16": 15, "docstrial17": 17,
    "docstrial18": 16, "docstrial19": 20, "docstrial20": 15, "docstrial21": 20, "docstrial22": 15, "docstrial23": 16,
    "docstrial24": 22, "docstrial25": 14, "docstrial26": 22, "docstrial27": 19, "docstrial28": 14, "docstrial29": 17,
}  # fmt: skip
OWNDOCS_FLOOR = (
    32  # o01 since "128MB" reads as an amount; o20 since a sentence pointing back at code quotes it
)
FOLLOW_UPS_FLOOR = 18  # docs_dev threads' later turns as written: 10 before stop 26, 17 at 33, 18 at 36


@pytest.mark.skipif(not (DATA / "owndocs").exists(), reason="own documentation set not present")
def test_own_documentation_questions(tmp_path_factory, embedder):
    service = _service(tmp_path_factory, embedder, DATA / "owndocs" / "corpus", "owndocs-index")
    results = evaluate(service, load_questions(DATA / "owndocs" / "questions.yaml"))
    assert sum(r.passed for r in results) >= OWNDOCS_FLOOR, _misses(results)


@pytest.mark.parametrize(
    "folder",
    [
        pytest.param("docstrial", id="httpx-markdown-alembic-rst-and-jinja-html"),
        pytest.param("docstrial2", id="hugo-markdown-and-flask-rst"),
        pytest.param("docstrial3", id="latex-pdf-manual-and-sphinx-html"),
        pytest.param("docstrial4", id="latex-pdf-manual-and-coverage-rst"),
        pytest.param("docstrial5", id="mkdocs-markdown-and-built-mkdocs-html"),
        pytest.param("docstrial6", id="google-docs-pdf-and-asciidoc"),
        pytest.param("docstrial7", id="docusaurus-mdx"),
        pytest.param("docstrial8", id="sphinx-rst-and-built-vitepress-html"),
        pytest.param("docstrial9", id="hugo-markdown-and-latex-pdf-manual"),
        pytest.param("docstrial10", id="sphinx-rst"),
        pytest.param("docstrial11", id="hugo-markdown-and-built-mkdocs-html"),
        pytest.param("docstrial12", id="built-sphinx-html-and-latex-pdf-manual"),
        pytest.param("docstrial13", id="sphinx-rst-and-hugo-markdown"),
        pytest.param("docstrial14", id="sphinx-rst-and-latex-pdf-manual"),
        pytest.param("docstrial15", id="hugo-markdown-and-built-mkdocs-site"),
        pytest.param("docstrial16", id="sphinx-rst-and-latex-pdf-guide"),
        pytest.param("docstrial17", id="hugo-markdown-and-built-sphinx-html"),
        pytest.param("docstrial18", id="sphinx-rst-and-latex-pdf-user-guide"),
        pytest.param("docstrial19", id="hugo-toml-markdown-and-built-mkdocs-html"),
        pytest.param("docstrial20", id="built-sphinx-furo-html-and-latex-pdf-manual"),
        pytest.param("docstrial21", id="hugo-markdown-and-restic-rst"),
        pytest.param("docstrial22", id="sphinx-rst-default-role-and-latex-pdf-manual"),
        pytest.param("docstrial23", id="hugo-markdown-without-h1-and-built-sphinx-autodoc-html"),
        pytest.param("docstrial24", id="mkdocs-nested-tabs-markdown-and-dblatex-pdf-guide"),
        pytest.param("docstrial25", id="sphinx-rst-own-directives-and-doxygen-html"),
        pytest.param("docstrial26", id="hugo-markdown-shortcodes-and-pdftex-guide-with-listings"),
        pytest.param("docstrial27", id="sphinx-rst-autodoc-and-built-classic-sphinx-html"),
        pytest.param("docstrial28", id="sphinx-rst-object-directives-and-latex-pdf-guide"),
        pytest.param("docstrial29", id="hugo-docsy-markdown-and-minified-mkdocs-material-html"),
    ],
)
def test_fresh_users_questions_on_unseen_documentation(tmp_path_factory, embedder, folder):
    """Trials 36 to 64 (tests/data/docstrial, docstrial2 to 29, each with its SOURCE.md): projects nobody
    on the team had used, in one index per trial (httpx Markdown, alembic reStructuredText and jinja's
    Sphinx HTML; Hugo Markdown and flask reStructuredText; a pdfTeX PDF manual and Sphinx-built HTML; a
    pdfTeX PDF manual and coverage.py's reStructuredText; watchtower's MkDocs Markdown and shoutrrr's
    built MkDocs HTML; a Google Docs PDF guide and jbang's AsciiDoc; go-task's Docusaurus MDX; gunicorn's
    reStructuredText and asdf's built VitePress HTML; kind's Hugo Markdown and Lem's pdfTeX manual;
    pytest-xdist's reStructuredText; Hugo Learn's Markdown and uvicorn's built MkDocs HTML; ManimGL's
    Sphinx HTML and METIS's pdfTeX manual; Flake8's reStructuredText and mitmproxy's Hugo Markdown; Scrapy's
    reStructuredText and KaHIP's pdfTeX manual; Docsy's Hugo Markdown and MkDocs' built site; beets'
    reStructuredText and SuperLU's pdfTeX guide; rclone's Hugo Markdown and Blackhole's built Sphinx HTML;
    Supervisor's reStructuredText and SuiteSparse AMD's pdfTeX guide; KEDA's Hugo Markdown and Starlette's
    built MkDocs HTML; pyproj's built Sphinx HTML and g2o's LaTeX manual; Linkerd's Hugo Markdown and
    restic's reStructuredText; marshmallow's reStructuredText and ReactPhysics3D's LaTeX manual; Velero's Hugo
    Markdown and lmfit's built Sphinx HTML), 36 questions each (18 for the halves of trials 42 and 45 kept
    here), written by a helper new to citebot before it first ran.
    docstrial3 and docstrial5 are validation."""
    if not (DATA / folder).exists():
        pytest.skip(f"{folder} not present")
    service = _service(tmp_path_factory, embedder, DATA / folder / "corpus", f"{folder}-index")
    results = evaluate(service, load_questions(DATA / folder / "questions.yaml"))
    assert sum(r.passed for r in results) >= TRIAL_FLOORS[folder], _misses(results)


# Known misses, each with why; the test fails (strict) the day one starts passing, so the list stays true.
KNOWN_CASE_MISSES: dict[str, str] = {  # case question id -> why it is still missed (a strict xfail)
    "unanswerable-near-miss-2": (
        "'Does the warranty cover the power cable?' is answered with the warranty sentence (which names "
        "what it covers, not the cable): the learned confidence weighs the unused words 'power cable' "
        "as weak evidence, as calibration's search questions teach; lost with the learned composer"
    ),
    "changelogs-7": (
        "'When was Flask 2.0.0 released?': 2.0.0's release line is quoted second; first comes 1.1.1's "
        "entry 'The flask.json_available flag ... will be removed in version 2.0.0.', whose passage names "
        "the version whole and ranks first"
    ),
    "changelogs-8": (
        "'Which Flask release dropped support for Python 3.6?': 2.1.0's 'Drop support for Python 3.6.' is "
        "not among the 8 passages searched ('3.6' is read as the digits 3 and 6, in every release's "
        "entries); the best unit is 3.7's, and the identifier rule abstains"
    ),
    "changelogs-9": (
        "'What status code does Flask's redirect return by default in 3.2.0?': 3.2.0's changes (led by "
        "'Version 3.2.0 / Unreleased') are not among the units found; other releases' redirect entries "
        "are, and it abstains (confidence 0.14)"
    ),
}


def _case_questions() -> list:
    found = []
    for case in sorted(p for p in CASES.iterdir() if (p / "case.yaml").exists()):
        for position, question in enumerate(load_questions(case / "case.yaml"), start=1):
            name = f"{case.name}-{position}"
            reason = KNOWN_CASE_MISSES.get(name)
            marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
            found.append(pytest.param(case.name, question, id=name, marks=marks))
    return found


@pytest.fixture(scope="module")
def case_services(tmp_path_factory, embedder):
    services = {}

    def get(name: str):
        if name not in services:
            services[name] = _service(tmp_path_factory, embedder, CASES / name / "corpus", f"case-{name}")
        return services[name]

    return get


@pytest.mark.parametrize(("case", "question"), _case_questions())
def test_fault_case(case_services, case, question):
    result = score(question, case_services(case).ask(question.question))
    assert result.passed, result.misses


def test_case_files_are_complete():
    for case in CASES.iterdir():
        data = yaml.safe_load((case / "case.yaml").read_text("utf-8"))
        assert data["questions"], case.name


def test_citations_point_at_the_quoted_lines(docs_results, docs_service):
    """A citation's line range is that of the quoted unit, inside its passage's, and holds the quote."""
    store = docs_service.engine
    narrower = 0
    for result in docs_results:
        for citation in getattr(result.answer, "citations", ()):
            location, passage = citation.location, store.passage(citation.passage_id)
            if location.line_start is None or not citation.source.endswith(".md"):
                continue
            assert passage.line_start <= location.line_start <= location.line_end <= passage.line_end
            narrower += (location.line_start, location.line_end) != (passage.line_start, passage.line_end)
            lines = (DATA / "docs_dev" / "corpus" / citation.source).read_text("utf-8").split("\n")
            cited = " ".join(lines[location.line_start - 1 : location.line_end])
            word = next(w for w in re.findall(r"[A-Za-z]{3,}", citation.quote.split("\n")[-1]))
            assert word in cited, (result.question.id, word, location.describe())
    assert narrower > 0


@pytest.fixture(scope="module")
def docs_dialogue_scores(docs_service):
    from benchmarks.followups import load_dialogues, score_dialogues

    dialogues = [d for d in load_dialogues(DATA / "followups_dev.yaml") if d["corpus"] == "docs_dev"]
    return score_dialogues(docs_service, dialogues)


def test_docs_dev_follow_ups_floor(docs_dialogue_scores):
    """Later turns of the docs_dev threads asked as written, in their thread (benchmarks/followups.py);
    floor under the measured score (benchmarks/README.md), raised when it rises."""
    later = [s for s in docs_dialogue_scores if s.position]
    passed = [s for s in later if s.as_written.passed]
    assert len(later) == 28
    assert len(passed) >= FOLLOW_UPS_FLOOR, [s.as_written.question.id for s in later if s not in passed]


def test_a_follow_up_is_answered_by_a_sentence_that_does_not_repeat_the_thread(docs_service):
    """ "what time zone does it write the timestamps in?" after a question on Traefik's log files: the
    answering sentence names neither Traefik's log files nor logrotate; the words the thread carried are
    found in its document, which is enough (retrieval/answering/compose.py CARRIED_BY_DOCUMENT)."""
    from bot.core.commands import CommandTable
    from bot.core.models import Answer, Origin
    from bot.state.conversations import MEMORY, SqliteConversationStore

    table = CommandTable(docs_service, conversations=SqliteConversationStore(MEMORY, expiry_s=10**9))
    origin = Origin("test", "channel", "", "thread-1")
    table.run("ask", "How do I get Traefik to reopen its log files after logrotate has moved them?", origin)
    reply = table.run("ask", "what time zone does it write the timestamps in?", origin)
    assert isinstance(reply, Answer) and not reply.abstained
    assert "UTC time by default" in reply.text
    assert reply.citations[0].source.endswith("logs-and-accesslogs.md")


RELEASE_NOTES = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Lumen Gateway Release Notes</title></head>
<body><main>
<h1>Lumen Gateway Release Notes</h1>
<p>Lumen Gateway is our HTTP API gateway. This page lists the changes in each release.</p>
<h2>Release 4.2 (March 3, 2025)</h2>
<ul><li>Added HTTP/3 (QUIC) listeners, disabled by default.</li>
<li>The default rate limit changed from 100 to 250 requests per second per client.</li></ul>
<h2>Release 4.1 (November 18, 2024)</h2>
<ul><li>Added the OpenID Connect authentication plugin.</li>
<li>Lumen now runs on ARM64 Linux (Graviton, Ampere).</li></ul>
<h2>Release 4.0 (July 8, 2024)</h2>
<ul><li>Configuration files are now YAML only; TOML configuration is no longer supported.</li>
<li>The admin API now listens on port 9901 instead of 8001.</li></ul>
</main></body></html>
"""


def test_release_notes_answer_with_the_release_of_the_change(tmp_path_factory, embedder):
    """A release heading dates every change under it: the answer quotes it above the change, and a
    version asked of ("Lumen 4.2") is the release whose heading says it whole, not 4.1 (whose passage
    holds a 4 and a 2). Written as a user trying out release notes wrote them (a fresh-user trial)."""
    corpus = tmp_path_factory.mktemp("release-notes")
    (corpus / "lumen-release-notes.html").write_text(RELEASE_NOTES, encoding="utf-8")
    service = _service(tmp_path_factory, embedder, corpus, "release-notes-index")
    released = service.ask("When was Lumen 4.2 released?")
    assert not released.abstained and "March 3, 2025" in released.text
    assert "November 18, 2024" not in released.text
    port = service.ask("Which Lumen release moved the admin API to port 9901?")
    assert not port.abstained and port.text.startswith("Release 4.0 (July 8, 2024)\n")


def test_a_typeset_pdf_answers_from_the_section_its_heading_names(tmp_path_factory, embedder):
    """A manual typeset as pdflatex sets one (sections larger than the text, no metadata title): "how
    long are backups kept?" is answered by the sentence under "1.1 Backups", which never says "backups",
    not by the upgrades section's sentence that does; the document is titled by its first page."""
    from tests.harness.pdf import Heading, Lines, write_layout_pdf

    corpus = tmp_path_factory.mktemp("typeset-pdf")
    write_layout_pdf(
        corpus / "operations.pdf",
        [
            [
                Heading("Storage cluster operations", 20),
                Lines(("This manual describes how the on-call team runs the storage cluster.",)),
                Heading("1 Maintenance", 14),
                Lines(("Routine work is announced a week ahead in the status channel.",)),
                Heading("1.1 Backups", 12.5),
                Lines(("They run every night at 02:00 and are kept for 30 days.",)),
                Heading("1.2 Upgrades", 12.5),
                Lines(("Nodes are upgraded one at a time; no backups are taken while a node upgrades.",)),
            ]
        ],
    )
    service = _service(tmp_path_factory, embedder, corpus, "typeset-pdf-index")
    kept = service.ask("How long are backups kept?")
    assert not kept.abstained and "kept for 30 days" in kept.text
    assert kept.citations[0].title == "Storage cluster operations"
