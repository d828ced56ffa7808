"""`citebot index`, `index --watch`, `status` and `run` with `sources:` in the config: real git, the
command line in-process, the bag-of-words embedder instead of the model."""

from __future__ import annotations

import json
import shutil
import threading

import pytest

from bot import cli, messages
from bot.settings import CONFIG_ENV
from retrieval.libraries.files.library import live_generation, live_manifest
from tests.retrieval.sources_helpers import HANDBOOK, WORDS, commit, make_repository


@pytest.fixture
def project(tmp_path, monkeypatch, capsys):
    """A git repository and a runbooks folder, a config naming both; `citebot ARGS` -> (code, out, err)."""
    monkeypatch.delenv(CONFIG_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("retrieval.sources.build.indexing_embedder", lambda *settings: WORDS)
    monkeypatch.setattr("retrieval.sources.refresher.indexing_embedder", lambda *settings: WORDS)
    upstream = tmp_path / "upstream"
    first = make_repository(upstream, HANDBOOK)
    (tmp_path / "runbooks").mkdir()
    (tmp_path / "runbooks" / "README.md").write_text("# Runbooks\n\nPage the on-call engineer.\n")
    config = tmp_path / "citebot.yaml"
    config.write_text(
        "index: index\nfeedback:\n  path: state/feedback.sqlite3\nretrieval:\n  sentence_vectors: false\n"
        f"sources:\n  - name: handbook\n    git: {upstream.as_uri()}\n    branch: main\n"
        "    include: ['docs/**']\n    refresh_minutes: 30\n"
        "  - name: runbooks\n    path: runbooks\n",
        "utf-8",
    )

    def run(*args: str) -> tuple[int, str, str]:
        code = cli.main([*args, "--config", str(config)])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    run.upstream, run.first, run.root = upstream, first, tmp_path
    return run


def test_index_reads_every_source_and_status_shows_each(project):
    code, out, err = project("index", "--quiet")
    assert code == 0, err
    assert out.strip().startswith("Indexed 3 documents")
    assert out.splitlines()[1:] == [
        f"  handbook: 2 documents, commit {project.first[:12]}",
        "  runbooks: 1 document",
    ]
    _, manifest = live_manifest(project.root / "index", "")
    assert sorted(manifest.files) == [
        "handbook/docs/configuration.md",
        "handbook/docs/deploy.md",
        "runbooks/README.md",
    ]
    code, out, err = project("status", "--json")
    assert code == 0, err
    handbook, runbooks = json.loads(out)["sources"]
    assert handbook["name"] == "handbook" and handbook["kind"] == "git"
    assert handbook["location"] == project.upstream.as_uri()
    assert handbook["documents"] == 2 and handbook["commit"] == project.first
    assert handbook["last_success"] and handbook["last_error"] is None and handbook["pages"] is None
    assert (runbooks["kind"], runbooks["location"], runbooks["documents"], runbooks["commit"]) == (
        "path", "runbooks", 1, None,
    )  # fmt: skip
    code, out, _ = project("status")
    assert f"  handbook (git {project.upstream.as_uri()}): 2 documents, commit {project.first[:12]}" in out
    assert "  runbooks (path runbooks): 1 document" in out


def test_a_broken_remote_fails_the_index_in_one_line_and_shows_in_status(project):
    assert project("index", "--quiet")[0] == 0
    shutil.rmtree(project.upstream)
    code, out, err = project("index", "--quiet")
    assert code == 1
    lines = [line for line in err.splitlines() if line.startswith("citebot:")]
    assert lines[0].startswith("citebot: source handbook: git fetch failed:")
    assert lines[1] == f"citebot: {messages.sources_not_read(1)}"
    assert "Traceback" not in err
    code, out, _ = project("status", "--json")
    handbook = json.loads(out)["sources"][0]
    assert handbook["last_error"].startswith("source handbook: git fetch failed")
    assert handbook["documents"] == 2 and handbook["commit"] == project.first  # the last good one serves
    code, out, _ = project("status")
    assert "    last error (" in out and "git fetch failed" in out
    assert "  handbook: 2 documents" in (stdout := project("index", "--quiet")[1])
    assert "NOT read now" in stdout  # the summary does not look healthy for a source that failed


def test_a_first_build_where_no_source_can_be_read_says_why(project):
    """Not only "no readable documents": the one line names each source and what went wrong."""
    shutil.rmtree(project.upstream)
    shutil.rmtree(project.root / "runbooks")
    code, _, err = project("index", "--quiet")
    assert code == 1 and "Traceback" not in err
    (line,) = [line for line in err.splitlines() if line.startswith("citebot:")]
    assert line.startswith("citebot: No source could be read: source handbook: git clone failed:")
    assert "source runbooks:" in line
    code, out, err = project("status")  # no index yet, but each source's error is there to read
    assert code != 0 and "No index at" in err
    assert "  handbook (git " in out and "last error (" in out and "git clone failed" in out


def test_index_corpus_with_a_sources_config_is_refused_in_one_line(project):
    code, out, err = project("index", "--corpus", "runbooks")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "give either corpus (one folder) or sources, not both" in err
    assert not (project.root / "index").exists()


def test_watch_needs_a_scheduled_source(project, tmp_path):
    config = tmp_path / "corpus.yaml"
    config.write_text("corpus: runbooks\nindex: index\n", "utf-8")
    assert cli.main(["index", "--watch", "--config", str(config)]) == 2


def test_watch_publishes_a_new_commit_with_its_text(project, monkeypatch):
    from retrieval.sources.refresher import Refresher

    def one_round(self) -> None:  # what the loop does when the handbook is next due
        commit(project.upstream, {"docs/deploy.md": "# Deploying\n\nDeploys happen on Thursdays.\n"}, "b")
        self.refresh(list(self.intervals))
        self.refresh(list(self.intervals))  # nothing changed since: no new generation

    monkeypatch.setattr(Refresher, "run", one_round)
    code, out, err = project("index", "--quiet", "--watch")
    assert code == 0, err
    summaries = [line for line in out.splitlines() if line.startswith("Indexed")]
    assert len(summaries) == 2 and messages.watching(["handbook"]) in out
    _, manifest = live_manifest(project.root / "index", "")
    assert manifest.sources["handbook"].revision != project.first
    assert len(list((project.root / "index").glob("gen-*"))) >= 2


def test_run_refreshes_sources_in_the_background_while_the_bot_answers(project, monkeypatch):
    assert project("index", "--quiet")[0] == 0
    (project.root / "state" / "sources.json").unlink()  # never read: due at once
    generation = live_generation(project.root / "index")
    commit(project.upstream, {"docs/deploy.md": "# Deploying\n\nDeploys happen on Fridays.\n"}, "c")
    seen = {}

    class Adapter:
        def run(self) -> None:  # the bot runs while the refresher publishes behind it
            for _ in range(200):
                if live_generation(project.root / "index") != generation:
                    break
                threading.Event().wait(0.05)
            seen["threads"] = [t.name for t in threading.enumerate()]
            seen["generation"] = live_generation(project.root / "index")

    monkeypatch.setattr(cli, "_table", lambda settings: None)
    monkeypatch.setattr("bot.adapters.build_adapter", lambda name, settings, table: Adapter())
    monkeypatch.setattr("bot.adapters.required_secrets", lambda name, settings: ())
    code, _, err = project("run")
    assert code == 0, err
    assert "citebot-refresh" in seen["threads"] and seen["generation"] != generation
    assert not any(t.name == "citebot-refresh" for t in threading.enumerate())  # stopped with the bot
