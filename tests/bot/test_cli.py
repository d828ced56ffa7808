"""The command line. A few real `citebot` processes (each loads the model), the rest through `main()` in-process
with the session's model injected, so exit codes, stdout and stderr are checked without paying for imports.
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot import cli, messages
from bot.core.service import QAService
from bot.settings import CONFIG_ENV
from bot.state.feedback import SqliteFeedbackStore
from tests.harness.libraries import DATA, SEEDS

CITEBOT = Path(sys.executable).with_name("citebot")
SEED_NAMES = sorted(p.name for p in SEEDS.glob("*.txt"))
SEED_001 = next(SEEDS.glob("001_*.txt")).name
INVEST = "How much did Microsoft invest in OpenAI?"
CAKE = "What is the recipe for a chocolate cake?"
CITATION_KEYS = {"source", "title", "url", "passage", "score"}


# -- helpers ---------------------------------------------------------------------------------------
def citebot(*args: str, cwd: Path, stdin: str = "", timeout: int = 300) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != CONFIG_ENV}
    env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", TOKENIZERS_PARALLELISM="false")
    return subprocess.run(
        [str(CITEBOT), *args], cwd=cwd, input=stdin, capture_output=True, text=True, env=env, timeout=timeout
    )


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def error_lines(stderr: str) -> list[str]:
    """citebot's own messages on stderr (libraries may add warnings of their own)."""
    return [line for line in stderr.splitlines() if line.startswith("citebot:")]


def assert_exact_text_of_the_source(citation: dict, corpus: Path) -> None:
    """`source` is relative to the corpus, every line of `passage` is verbatim in the file, and the
    lines the location names (the quoted units', narrower than the passage) hold one of them."""
    path = corpus / citation["source"]
    assert path.is_file(), citation["source"]
    lines = path.read_text("utf-8").splitlines()
    found = re.search(r"lines? (\d+)(?:-(\d+))?", citation.get("location", ""))
    window = lines[int(found.group(1)) - 1 : int(found.group(2) or found.group(1))] if found else lines
    pieces = citation["passage"].split("\n")
    for piece in pieces:
        assert any(piece in line for line in lines), (citation["source"], piece[:80])
    assert any(piece in line for piece in pieces for line in window), (
        citation["source"],
        citation["location"],
    )


def write_config(tmp_path: Path, text: str, name: str = "citebot.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


@pytest.fixture
def run(seeds_index, embedder, monkeypatch, capsys, tmp_path):
    """`citebot ARGS` in-process against the seeds index; returns (exit code, stdout, stderr)."""
    monkeypatch.delenv(CONFIG_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(cli, "_service", lambda settings: QAService(settings, embedder))

    def invoke(*args: str, stdin: str | None = None, index: bool = True) -> tuple[int, str, str]:
        if stdin is not None:
            monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        argv = list(args)
        if index:
            argv[1:1] = ["--index", str(seeds_index)]
        code = cli.main(argv)
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return invoke


# -- real processes --------------------------------------------------------------------------------
@pytest.mark.slow
def test_index_command_builds_and_prints_a_summary(tmp_path, embedder):
    corpus, index = tmp_path / "docs", tmp_path / "idx"
    corpus.mkdir()
    for name in SEED_NAMES[:2]:
        shutil.copy(SEEDS / name, corpus / name)
    (corpus / "photo.txt").write_bytes(b"\x89PNG\x00\x00")
    config = write_config(tmp_path, "retrieval:\n  chunk_size: 80\n")
    started = time.perf_counter()
    done = citebot(
        "index", "--corpus", "docs", "--index", "idx", "--quiet", "--config", str(config), cwd=tmp_path
    )
    wall = time.perf_counter() - started
    assert done.returncode == 0, done.stderr
    summary = done.stdout.strip().splitlines()[-1]
    # The time it reports is part of the process's own: the model's preparation once counted in
    # milliseconds as seconds ("in 11.1s" for a 2.3 s run).
    reported = float(re.search(r" in ([\d.]+)s:", summary).group(1))
    assert reported <= wall, (reported, wall)
    assert re.fullmatch(
        r"Indexed 2 documents \(\d+ passages\) in [\d.]+s: 2 re-embedded, 0 unchanged, 0 removed "
        r"\(embedded with onnxruntime\)\.",  # a small corpus: below OpenVINO's 100,000 tokens
        summary,
    ), summary
    assert "warning: skipped photo.txt: looks binary" in done.stderr
    manifest = json.loads(next(index.glob("gen-*/manifest.json")).read_text())
    assert manifest["max_words"] == 80  # --config after the subcommand was read
    assert sorted(manifest["files"]) == SEED_NAMES[:2]


@pytest.mark.slow
def test_ask_json_batch_from_stdin(tmp_path, seeds_index):
    config = write_config(tmp_path, f"index: {seeds_index}\ncorpus: {SEEDS}\n")
    done = citebot(
        "ask",
        "--config",
        str(config),
        "--json",
        "--batch",
        "-",
        cwd=tmp_path,
        stdin=f"{INVEST}\n\n   \n{CAKE}\n",
    )
    assert done.returncode == 0, done.stderr
    first, second = json_lines(done.stdout)
    assert first["question"] == INVEST and second["question"] == CAKE
    assert {"question", "answer", "abstained", "citations"} <= set(first)
    assert first["abstained"] is False and "1 billion" in first["answer"]
    assert first["citations"]
    for item in first["citations"]:
        assert CITATION_KEYS <= set(item)
        assert_exact_text_of_the_source(item, SEEDS)
    assert second["abstained"] is True and second["citations"] == []


def test_missing_index_is_one_line_naming_the_fix(tmp_path):
    done = citebot("ask", "--index", "no-index-here", INVEST, cwd=tmp_path)
    assert done.returncode == 1
    [line] = error_lines(done.stderr)
    assert "citebot index" in line and "no-index-here" in line
    assert "Traceback" not in done.stderr
    assert done.stdout == ""


def test_empty_question_is_a_usage_error(tmp_path):
    for args in (("ask",), ("ask", ""), ("ask", "   ")):
        done = citebot(*args, "--index", "idx", cwd=tmp_path)
        assert done.returncode == 2, args
        assert error_lines(done.stderr) == [f"citebot: {messages.CLI_EMPTY_QUESTION}"]


def test_bad_config_key_is_a_usage_error_naming_it(tmp_path):
    config = write_config(tmp_path, "retrieval:\n  chunk_sise: 100\n")
    done = citebot("--config", str(config), "ask", INVEST, cwd=tmp_path)
    assert done.returncode == 2
    assert "retrieval.chunk_sise: unknown key; did you mean chunk_size?" in done.stderr
    assert "Traceback" not in done.stderr


def test_bad_config_values_are_one_line_naming_each(tmp_path):
    config = write_config(tmp_path, "index_runtime: gpu\nretrieval:\n  top_k: 0\n")
    done = citebot("--config", str(config), "index", cwd=tmp_path)
    assert done.returncode == 2 and not (tmp_path / ".index").exists()
    assert len(done.stderr.strip().splitlines()) == 1
    assert error_lines(done.stderr) == [
        f"citebot: Invalid config {config}: index_runtime: Input should be 'auto', 'openvino' or "
        "'onnxruntime'; retrieval.top_k: Input should be greater than or equal to 1"
    ]


# -- in-process: ask -------------------------------------------------------------------------------
def test_ask_json_single_question(run):
    code, out, _ = run("ask", "--json", INVEST)
    assert code == 0
    [reply] = json_lines(out)
    assert reply["question"] == INVEST and not reply["abstained"]
    for item in reply["citations"]:
        assert_exact_text_of_the_source(item, SEEDS)


def test_ask_batch_file_answers_each_non_blank_line_in_order(run, tmp_path):
    questions = tmp_path / "questions.txt"
    questions.write_text(f"{CAKE}\n\n{INVEST}\n  \nWho is the CEO of Microsoft?\n", "utf-8")
    code, out, _ = run("ask", "--json", "--batch", str(questions))
    assert code == 0
    assert [reply["question"] for reply in json_lines(out)] == [CAKE, INVEST, "Who is the CEO of Microsoft?"]


def test_ask_batch_with_a_bad_line_reports_it_in_place(run):
    code, out, _ = run("ask", "--json", "--batch", "-", stdin=f"{INVEST}\n{'why ' * 2400}\n")
    assert code == 1
    good, bad = json_lines(out)
    assert not good["abstained"]
    assert bad["abstained"] and bad["citations"] == [] and "8,000" in bad["error"]


def test_ask_batch_file_missing(run, tmp_path):
    code, out, err = run("ask", "--batch", str(tmp_path / "none.txt"))
    assert code == 2 and out == ""
    assert error_lines(err)[0].startswith("citebot: cannot read")


def test_ask_prints_a_readable_answer(run):
    code, out, _ = run("ask", INVEST)
    assert code == 0
    assert "1 billion" in out and "[1]" in out
    assert "{" not in out.splitlines()[0]


@pytest.mark.parametrize(
    ("args", "stdin"),
    [
        ((INVEST,), None),
        (("--json", INVEST), None),
        (("--json", "--batch", "-"), f"{INVEST}\n{CAKE}\n"),
        (("--batch", "-", "--threads"), json.dumps({"question": INVEST, "thread": "t1"}) + "\n"),
    ],
)
def test_every_way_of_asking_goes_through_the_command_table(run, caplog, args, stdin):
    caplog.set_level(logging.DEBUG, logger="bot.core.commands")
    code, _, _ = run("ask", *args, stdin=stdin)
    composed = [r for r in caplog.records if r.getMessage().startswith("composed an answer on cli")]
    assert code == 0 and len(composed) == (stdin or "x\n").count("\n")


# -- in-process: sources and source ----------------------------------------------------------------
def test_sources_json_best_passages_first(run):
    code, out, _ = run("sources", "--json", "-k", "2", "chief", "scientist", "Sutskever")
    assert code == 0
    [reply] = json_lines(out)
    assert reply["query"] == "chief scientist Sutskever"
    assert len(reply["hits"]) == 2
    assert [h["score"] for h in reply["hits"]] == sorted((h["score"] for h in reply["hits"]), reverse=True)
    assert "Sutskever" in reply["hits"][0]["passage"]
    for hit in reply["hits"]:
        assert {"source", "passage", "score"} <= set(hit)
        assert_exact_text_of_the_source(hit, SEEDS)


def test_sources_json_batch_from_stdin(run):
    code, out, _ = run("sources", "--json", "-k", "3", "--batch", "-", stdin="Azure\n\nSatya Nadella\n")
    assert code == 0
    replies = json_lines(out)
    assert [r["query"] for r in replies] == ["Azure", "Satya Nadella"]
    assert all(len(r["hits"]) == 3 for r in replies)


def test_sources_without_a_query_lists_the_documents(run):
    code, out, _ = run("sources")
    assert code == 0
    for name in SEED_NAMES:
        assert name in out
    code, out, _ = run("sources", "--json")
    assert [d["source"] for d in json.loads(out)["documents"]] == SEED_NAMES


def test_sources_bad_k_and_missing_batch_file(run, tmp_path):
    assert run("sources", "-k", "0", "azure")[0] == 2
    code, _, err = run("sources", "--batch", str(tmp_path / "none.txt"))
    assert code == 2 and "cannot read" in err and "Traceback" not in err


def test_source_shows_a_passage(run):
    code, out, _ = run("source", "--json", f"{SEED_001}#2")
    assert code == 0
    reply = json.loads(out)
    [passage] = reply["passages"]
    assert passage["id"] == f"{SEED_001}#2"
    assert_exact_text_of_the_source(passage, SEEDS)


def test_source_shows_a_document(run):
    code, out, _ = run("source", "--json", SEED_001)
    assert code == 0
    reply = json.loads(out)
    assert reply["document"]["source"] == SEED_001
    assert [p["id"] for p in reply["passages"]][0] == f"{SEED_001}#1"


def test_unknown_source_is_one_line_with_suggestions(run):
    code, out, err = run("source", f"{SEED_001}#99")
    assert code == 1 and out == ""
    [line] = error_lines(err)
    assert len(err.strip().splitlines()) == 1
    assert "Did you mean" in line and f"{SEED_001}#" in line


# -- in-process: eval ------------------------------------------------------------------------------
def test_eval_prints_a_score_line(run):
    code, out, _ = run("eval", str(DATA / "seeds_dev.yaml"))
    assert code == 0
    assert re.search(r"^score: \d+/16 passed \(\d+%\)$", out, re.MULTILINE), out


def test_eval_with_a_bad_file_is_a_usage_error(run, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("questions: nope\n")
    code, _, err = run("eval", str(bad))
    assert code == 2 and "questions:" in err


# -- in-process: config placement -----------------------------------------------------------------
@pytest.mark.parametrize("before", [True, False], ids=["config-before-command", "config-after-command"])
def test_config_flag_works_before_and_after_the_command(run, tmp_path, monkeypatch, before):
    monkeypatch.delenv("CITEBOT_TEST_UNSET_TOKEN", raising=False)
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-set")  # only the token the config names is missing
    config = write_config(tmp_path, "slack:\n  bot_token: ${CITEBOT_TEST_UNSET_TOKEN}\n")
    args = ["run", "--adapter", "slack"]
    args = ["--config", str(config), *args] if before else [*args, "--config", str(config)]
    code, _, err = run(*args, index=False)
    assert code == 1
    assert error_lines(err) == [
        "citebot: slack.bot_token: environment variable CITEBOT_TEST_UNSET_TOKEN is not set"
    ]


def test_config_after_the_command_wins_over_the_env_variable(run, tmp_path, monkeypatch):
    monkeypatch.setenv(CONFIG_ENV, str(write_config(tmp_path, "retrieval:\n  bogus_key: 1\n", "env.yaml")))
    good = write_config(tmp_path, "answer:\n  max_question_chars: 10\n")
    code, _, err = run("ask", "--config", str(good), "a question longer than ten")
    assert code == 1 and "keep it under 10" in err


def test_config_env_variable_is_used_without_a_flag(run, tmp_path, monkeypatch):
    monkeypatch.setenv(CONFIG_ENV, str(write_config(tmp_path, "retrieval:\n  chunk_sise: 1\n")))
    code, _, err = run("ask", INVEST)
    assert code == 2 and "retrieval.chunk_sise: unknown key" in err


@pytest.mark.parametrize("adapter", ["slack", "discord"])
def test_missing_secret_names_the_variable(run, monkeypatch, adapter):
    for variable in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "DISCORD_TOKEN"):
        monkeypatch.delenv(variable, raising=False)
    code, _, err = run("run", "--adapter", adapter, index=False)
    assert code == 1
    assert ("SLACK_BOT_TOKEN" if adapter == "slack" else "DISCORD_TOKEN") in err


# -- in-process: feedback and gaps -----------------------------------------------------------------
def test_feedback_and_gaps_read_the_configured_store(run, tmp_path):
    store = SqliteFeedbackStore(tmp_path / "votes.sqlite3")
    liked = store.record_answer("slack", "C1", "Who is the CEO?", "Satya Nadella [1]", False, ("a#1",))
    store.record_vote(liked, "U1", "up")
    for _ in range(2):
        store.record_answer("slack", "C1", CAKE, messages.ABSTAIN, True, ())
    config = write_config(tmp_path, f"feedback:\n  path: {tmp_path / 'votes.sqlite3'}\n")
    code, out, _ = run("gaps", "--json", "--config", str(config), index=False)
    assert code == 0
    assert json_lines(out) == [{"question": CAKE, "times": 2, "abstentions": 2, "down_votes": 0}]
    code, out, _ = run("feedback", "--config", str(config), index=False)
    assert code == 0 and "Who is the CEO?" in out and "👍" in out


def test_no_command_prints_help(run):
    code, out, _ = run(index=False)
    assert code == 2 and "index" in out and "ask" in out
