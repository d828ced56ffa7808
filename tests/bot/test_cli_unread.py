"""`citebot index` and `citebot status` name the files no reader takes; `index --strict` refuses them.
In-process through `main()`, with a bag-of-words embedder standing in for the model."""

from __future__ import annotations

import json

import pytest

from bot import cli
from bot.settings import CONFIG_ENV
from retrieval.config import DEFAULT_ENCODER
from retrieval.embedders.runtimes import EMBEDDERS
from tests.retrieval.test_parts import WordsEmbedder

TEXT = "The reactor cools with heavy water pumped through the core."


@pytest.fixture
def citebot(monkeypatch, capsys, tmp_path):
    """`citebot ARGS` in tmp_path; returns (exit code, stdout, stderr)."""
    monkeypatch.delenv(CONFIG_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setitem(EMBEDDERS, DEFAULT_ENCODER, lambda *args, **kwargs: WordsEmbedder())

    def invoke(*args: str) -> tuple[int, str, str]:
        code = cli.main(list(args))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return invoke


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "guide.txt").write_text(TEXT)
    for name in ("a.xyz", "b.xyz", "c.xyz", "d.xyz", "e.xyz"):
        (folder / name).write_text("x")
    (folder / "notes.abc").write_text("y")
    (folder / ".git").mkdir()
    (folder / ".git" / "HEAD").write_text("ref")
    return folder


def test_index_lists_unread_files_after_its_summary_by_kind(citebot, corpus):
    code, out, err = citebot("index", "--corpus", "docs", "--index", "idx", "--quiet")
    assert code == 0, err
    assert out.strip().startswith("Indexed 1 document (")
    lines = err.strip().splitlines()
    assert lines[-3].startswith("not read: 6 files with no reader, not in the index (hidden files")
    assert lines[-2] == "  no reader for .xyz: 5 files (a.xyz, b.xyz, c.xyz and 2 more)"
    assert lines[-1] == "  no reader for .abc: 1 file (notes.abc)"
    assert ".git" in lines[-3] and "HEAD" not in err  # hidden folders: ignored, and said so


def test_status_shows_the_unread_files_of_the_live_build(citebot, corpus):
    citebot("index", "--corpus", "docs", "--index", "idx", "--quiet")
    code, out, err = citebot("status", "--index", "idx", "--json")
    assert code == 0, err
    status = json.loads(out)
    assert status["skipped"] == []
    assert status["unread"][0] == {"source": "a.xyz", "reason": "no reader for .xyz"}
    assert [u["source"] for u in status["unread"]] == [f"{n}.xyz" for n in "abcde"] + ["notes.abc"]
    code, out, _ = citebot("status", "--index", "idx")
    assert "skipped:     none" in out
    assert "not read:    6 files with no reader" in out
    assert "  no reader for .abc: 1 file (notes.abc)" in out


def test_strict_index_fails_with_one_line_per_kind_and_publishes_nothing(citebot, corpus, tmp_path):
    (corpus / "photo.txt").write_bytes(b"\x89PNG\x00\x00")
    code, out, err = citebot("index", "--corpus", "docs", "--index", "idx", "--quiet", "--strict")
    assert code == cli.EXIT_ERROR and out == ""
    assert err.strip().splitlines() == [
        "citebot: no reader for .xyz: 5 files (a.xyz, b.xyz, c.xyz and 2 more)",
        "citebot: no reader for .abc: 1 file (notes.abc)",
        "citebot: skipped, looks binary (contains NUL bytes): 1 file (photo.txt)",
        "citebot: --strict: 7 files not read, so nothing was published; no index was made at idx.",
    ]
    assert not (tmp_path / "idx").exists()  # no empty index folder left behind to be mistaken for one


def test_strict_index_keeps_the_live_index_when_it_fails(citebot, corpus, tmp_path):
    for name in ("a", "b", "c", "d", "e"):
        (corpus / f"{name}.xyz").unlink()
    (corpus / "notes.abc").unlink()
    code, out, err = citebot("index", "--corpus", "docs", "--index", "idx", "--quiet", "--strict")
    assert code == 0, err
    live = sorted(p.name for p in (tmp_path / "idx").glob("gen-*"))
    (corpus / "later.abc").write_text("z")
    (corpus / "more.txt").write_text("Pumps move the water.")
    code, _, err = citebot("index", "--corpus", "docs", "--index", "idx", "--quiet", "--strict")
    assert code == cli.EXIT_ERROR and "no reader for .abc: 1 file (later.abc)" in err
    assert sorted(p.name for p in (tmp_path / "idx").glob("gen-*")) == live
    code, out, _ = citebot("status", "--index", "idx", "--json")
    assert json.loads(out)["documents"] == 1 and json.loads(out)["unread"] == []


def test_status_of_a_build_recorded_before_unread_files_were_says_unknown(citebot, corpus, tmp_path):
    citebot("index", "--corpus", "docs", "--index", "idx", "--quiet")
    record_path = tmp_path / "idx" / cli.BUILD_RECORD
    record = json.loads(record_path.read_text())
    del record["unread"]  # what an older citebot wrote
    record_path.write_text(json.dumps(record))
    code, out, _ = citebot("status", "--index", "idx", "--json")
    assert code == 0 and json.loads(out)["unread"] is None
    code, out, _ = citebot("status", "--index", "idx")
    assert "not read:    unknown (the index was built by an older citebot; rebuild to record it)" in out
