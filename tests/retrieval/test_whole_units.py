"""Whole units in answers: a script longer than a passage is cut where a reader would cut it, every passage
of it after the first is code only (the sentence that introduces it is said once, where it starts, so search
and the composer count it once), and "how do I ...?" is answered with the whole script
(up to WHOLE_CODE_LINES / WHOLE_CODE_CHARS) or with its part and where the block continues.

The document is a short runbook around two real scripts (tests/data/whole_units/SOURCE.md): traefik's
40-line code-gen.sh (split over 6 passages, quoted whole) and Prometheus' 109-line ui_release.sh (split
over 8 passages, too long to quote whole).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retrieval.answering.compose import WHOLE_CODE_CHARS, WHOLE_CODE_LINES, Candidate, Composition, _render
from retrieval.answering.verifier import problems
from retrieval.config import ChunkingParams
from retrieval.ingest.chunking import chunk_document
from retrieval.ingest.loader import load_document
from retrieval.models import Hit, Passage, Unit

DATA = Path(__file__).resolve().parents[1] / "data" / "whole_units"
CORPUS = DATA / "corpus"
RUNBOOK = CORPUS / "runbook.md"
CODEGEN_LEAD = (
    "To regenerate the Kubernetes client code, run the code generation script from the repository root:"
)
RELEASE_LEAD = "To release the UI packages, run the UI release script with one of its options:"


def _fenced(text: str, lead: str) -> str:
    """The script under `lead` in the runbook, as the file has it."""
    after = text.split(lead, 1)[1]
    return re.search(r"```bash\n(.*?)\n```", after, re.S).group(1)


def _passages() -> list[Passage]:
    loaded = load_document(RUNBOOK, CORPUS)
    return chunk_document(loaded.document.source, list(loaded.blocks), ChunkingParams())


def _block(passages: list[Passage], lead: str) -> list[tuple[Passage, Unit]]:
    """The code units of the block introduced by `lead`, in order: its first part, and the parts after it."""
    units = [(p, u) for p in passages for u in p.units if u.kind == "code"]
    start = next(index for index, (_, u) in enumerate(units) if u.lead == lead)
    return units[start : start + max(units[start][1].parts, 1)]


def _rebuilt(units: list[tuple[Passage, Unit]]) -> str:
    """The block from its units, with the blank lines the cuts left out (from their line numbers)."""
    text = ""
    previous = None
    for passage, unit in units:
        if previous is not None:
            text += "\n\n" if unit.line_start > previous.line_end + 1 else "\n"
        text += passage.unit_text(unit)
        previous = unit
    return text


@pytest.mark.parametrize("lead", [CODEGEN_LEAD, RELEASE_LEAD])
def test_a_long_script_is_cut_into_parts_that_put_it_back_together(lead):
    source = RUNBOOK.read_text(encoding="utf-8")
    units = _block(_passages(), lead)
    assert len({p.id for p, _ in units}) > 1, "the script should be longer than a passage"
    assert [u.part for _, u in units] == list(range(1, len(units) + 1))
    assert {u.parts for _, u in units} == {len(units)}
    assert _rebuilt(units) == _fenced(source, lead)


@pytest.mark.parametrize("lead", [CODEGEN_LEAD, RELEASE_LEAD])
def test_a_long_scripts_lead_in_is_said_once_and_its_parts_start_at_statements(lead):
    units = _block(_passages(), lead)
    first = units[0][0].ordinal
    for passage, unit in units:
        if passage.ordinal == first:
            assert passage.text.count(lead) == 1
            continue
        assert lead not in passage.text, passage.id  # not repeated: search would count it again
        assert unit.lead == ""  # nor matched again by the composer
        assert unit.first == passage.ordinal - first
        if not passage.text.startswith(passage.unit_text(unit)):
            continue  # not where the passage starts
        code_start = passage.unit_text(unit).split("\n")[0]
        # a passage never starts inside a statement: not after a line that goes on, not at a closing line
        assert not re.match(r"\s*(}|fi\b|done\b|esac\b|\))", code_start), (passage.id, code_start)
        line_before = _fenced(RUNBOOK.read_text(encoding="utf-8"), lead).split("\n")
        index = unit.line_start - units[0][1].line_start
        assert not line_before[index - 1].rstrip().endswith("\\"), (passage.id, code_start)


def test_a_unit_record_from_an_older_index_still_loads():
    old = ["code", 0, 10, 1, 2, None, None, "Run:"]
    assert Unit.from_record(old) == Unit("code", 0, 10, 1, 2, None, None, "Run:")
    numbered = Unit("code", 0, 10, 1, 2, None, None, "Run:", 2, 3, 1)
    assert Unit.from_record(numbered.to_record()) == numbered


# -- answers with the real model ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def engine(tmp_path_factory, embedder):
    from retrieval.config import EngineConfig
    from retrieval.engine import Engine, build

    index = tmp_path_factory.mktemp("whole-units")
    config = EngineConfig(index=str(index), corpus=str(CORPUS))
    build(config, show_progress=False, embedder=embedder)
    return Engine(config, embedder)


def _ask(engine, question: str):
    from retrieval.parts import Query

    return engine.answer(Query(question)).composition


def test_how_do_i_run_a_script_of_up_to_60_lines_is_answered_with_the_whole_script(engine):
    script = _fenced(RUNBOOK.read_text(encoding="utf-8"), CODEGEN_LEAD)
    assert script.count("\n") + 1 <= WHOLE_CODE_LINES and len(script) <= WHOLE_CODE_CHARS
    composition = _ask(engine, "how do I regenerate the Kubernetes client code?")
    assert not composition.abstained
    assert composition.text.startswith(CODEGEN_LEAD + "\n")
    assert script in composition.text  # every line, in order, blank lines included
    assert script in composition.code  # one code block, as every adapter shows it
    assert composition.text.count(CODEGEN_LEAD) == 1
    assert len(composition.cited) == len({p.id for p, _ in _block(_passages(), CODEGEN_LEAD)})
    assert not problems(composition)  # every quoted line is in the passage its citation names


def test_a_script_too_long_to_quote_whole_is_answered_from_its_start_and_says_where_it_continues(engine):
    script = _fenced(RUNBOOK.read_text(encoding="utf-8"), RELEASE_LEAD)
    assert script.count("\n") + 1 > WHOLE_CODE_LINES
    composition = _ask(engine, "how do I release the UI packages?")
    assert not composition.abstained
    assert composition.text.startswith(RELEASE_LEAD + "\n#!/usr/bin/env bash")
    note = re.search(
        r"\(the block continues in \[(\d+)\]; all of it: runbook.md, lines (\d+)-(\d+)\)", composition.text
    )
    assert note, composition.text
    first, last = int(note.group(2)), int(note.group(3))
    lines = RUNBOOK.read_text(encoding="utf-8").split("\n")[first - 1 : last]
    assert "\n".join(lines) == script  # the note names where the whole script is
    later = next(c for c in composition.cited if c.number == int(note.group(1)))
    assert RELEASE_LEAD not in later.hit.passage.text  # the rest, its lead-in said once
    assert later.line_start > composition.cited[0].line_end
    assert not problems(composition)


def test_a_question_about_one_line_still_gets_that_line(engine):
    composition = _ask(engine, "which npm tag does the UI release script publish with?")
    # The publish line is deep in the script, in a passage without the lead-in (said once, where the
    # script starts), so the prose about publishing may answer instead; either way not the whole script.
    if composition.abstained:
        pytest.skip("the model abstains on this one; the point is what it quotes when it answers")
    assert "#!/usr/bin/env bash" not in composition.text  # not the whole script
    if "npm publish" in composition.text:
        assert "--tag oldstable" in composition.text


# -- joins between units ---------------------------------------------------------------------------------
_ITEM = st.text(st.sampled_from("abc xyz"), min_size=1, max_size=12).map(str.strip).filter(bool)


@given(
    st.lists(
        st.tuples(_ITEM, st.sampled_from(["", ".", " .", ";", ":", "!", "?", ","])), min_size=2, max_size=4
    )
)
def test_list_items_never_join_as_dot_semicolon(items):
    texts = [f"{body}{end}" for body, end in items]
    text = "\n".join(texts)
    units, start = [], 0
    for piece in texts:
        units.append(Unit("list_item", start, start + len(piece)))
        start += len(piece) + 1
    passage = Passage("l.md#1", "l.md", 1, text, 1, len(texts), units=tuple(units))
    hit = Hit(passage, 1.0)
    chosen = [Candidate(passage.unit_text(u), hit, 0, unit=u) for u in units]
    answer, cited, _ = _render(chosen, 420)
    assert not re.search(r"[.;:!?,]\s*; ", answer), answer
    assert not problems(Composition(answer, False, cited))


# -- where a long block's first piece goes ---------------------------------------------------------------
def _chunked(tmp_path, lead: str) -> list[Passage]:
    """A page whose long code block (log lines, longer than a passage) follows a paragraph ending in `lead`."""
    lines = "\n".join(
        f'ts=2024-10-23T22:01:{n:02d}Z caller=main.go:{n} level=info msg="step {n} done"'
        + "\n" * (n % 5 == 4)
        for n in range(60)
    )  # in paragraphs of five lines, where a piece may end
    prose = " ".join(["Prometheus v3 has adopted log/slog over the previous go-kit/log."] * 12)
    page = tmp_path / "page.md"
    page.write_text(f"# Logs\n\n{prose}\n\n{lead}\n\n```\n{lines}\n```\n", encoding="utf-8")
    loaded = load_document(page, tmp_path)
    return chunk_document(loaded.document.source, list(loaded.blocks), ChunkingParams())


def test_a_long_sample_stays_where_it_falls_a_long_script_starts_with_its_instruction(tmp_path):
    sample = _chunked(tmp_path, "The new log format looks like this:")
    start = next(p for p in sample if any(u.part == 1 for u in p.units))
    assert start.text.startswith("ts=")  # the sample's first piece is not moved to its lead-in ...
    assert start.units[0].lead == ""  # ... nor matched with it
    assert "looks like this:" in sample[start.ordinal - 2].text  # which stays with the prose, as it falls
    script = _chunked(tmp_path, "To print the log, run the following script:")
    start = next(p for p in script if any(u.part == 1 for u in p.units))
    assert start.text.startswith("To print the log, run the following script:\nts=")
    assert next(u for u in start.units if u.kind == "code").lead.startswith("To print the log")
