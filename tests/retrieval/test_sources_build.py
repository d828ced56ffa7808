"""One index from several named sources: keys "<name>/<path>", include/exclude, Manifest.sources, each
source's outcome in the state file; a refresh publishes only when a file changed, and a source that
fails keeps its documents of the last good generation. The bag-of-words embedder: no model load."""

from __future__ import annotations

import json
import shutil

import pytest

from retrieval.engine import Engine
from retrieval.errors import CorpusError
from retrieval.libraries.files.library import live_generation, live_manifest
from retrieval.sources.build import build_sources
from retrieval.sources.state import source_states
from tests.retrieval.sources_helpers import (
    HANDBOOK,
    WORDS,
    Words384,
    commit,
    engine_config,
    make_repository,
    source,
)


@pytest.fixture
def two_sources(tmp_path):
    """A git repository `handbook` (docs/** only, no drafts) and a folder `runbooks`, both with a README.md."""
    upstream = tmp_path / "upstream"
    first = make_repository(upstream, HANDBOOK)
    runbooks = tmp_path / "runbooks"
    (runbooks / "oncall").mkdir(parents=True)
    (runbooks / "README.md").write_text("# Runbooks\n\nPage the on-call engineer through the pager.\n")
    (runbooks / "oncall" / "restart.md").write_text("# Restart\n\nRestart the queue worker with systemctl.\n")
    (runbooks / "oncall" / "notes.tmp").write_text("scratch")
    sources = [
        source("handbook", git=str(upstream), include=["docs/**", "README.md"], exclude=["drafts"]),
        source("runbooks", path=str(runbooks), exclude=["*.tmp"]),
    ]
    return sources, upstream, first


def build(sources, tmp_path, **options):
    return build_sources(
        engine_config(tmp_path / "index"), sources, tmp_path / "state", embedder=WORDS, show_progress=False,
        **options,
    )  # fmt: skip


def test_every_source_is_indexed_under_its_name_with_its_globs_applied(tmp_path, two_sources):
    sources, _, first = two_sources
    report = build(sources, tmp_path)
    _, manifest = live_manifest(tmp_path / "index", "")
    assert sorted(manifest.files) == [
        "handbook/README.md",
        "handbook/docs/configuration.md",
        "handbook/docs/deploy.md",
        "runbooks/README.md",
        "runbooks/oncall/restart.md",
    ]  # the two README.md are distinct documents; drafts/ and *.tmp are neither read nor reported
    assert report.unread == [] and report.skipped == [] and report.source_errors == {}
    handbook, runbooks = manifest.sources["handbook"], manifest.sources["runbooks"]
    assert (handbook.kind, handbook.revision, handbook.documents) == ("git", first, 3)
    assert (runbooks.kind, runbooks.location, runbooks.revision, runbooks.documents) == (
        "path", sources[1].path, None, 2,
    )  # fmt: skip
    assert manifest.corpus == "handbook, runbooks"
    engine = Engine(engine_config(tmp_path / "index"), embedder=WORDS)
    passage = engine.passages_of("handbook/docs/configuration.md")[0]
    assert passage.id == "handbook/docs/configuration.md#1" and "ninety days" in passage.text
    states = source_states(tmp_path / "state")
    assert states["handbook"].revision == first and states["handbook"].last_error is None
    assert states["runbooks"].last_success == runbooks.read_at


def test_a_file_no_reader_takes_is_reported_under_its_source_key(tmp_path, two_sources):
    sources, _, _ = two_sources
    (tmp_path / "runbooks" / "diagram.vsdx").write_bytes(b"PK")
    report = build(sources, tmp_path)
    assert [(f.source, f.reason) for f in report.unread] == [("runbooks/diagram.vsdx", "no reader for .vsdx")]


def test_a_new_commit_publishes_a_generation_with_its_text_and_commit(tmp_path, two_sources):
    sources, upstream, _ = two_sources
    build(sources, tmp_path)
    engine = Engine(engine_config(tmp_path / "index"), embedder=WORDS)
    before = engine.loaded_generation()
    second = commit(
        upstream, {"docs/deploy.md": "# Deploying\n\nDeploys happen every Thursday morning.\n"}, "b"
    )
    report = build(sources, tmp_path, read={"handbook"}, publish_unchanged=False)
    assert report.published and report.embedded_files == 1 and report.reused_files == 4
    assert engine.loaded_generation() != before  # the running engine switched at its next request
    assert "Thursday" in engine.passages_of("handbook/docs/deploy.md")[0].text
    _, manifest = live_manifest(tmp_path / "index", "")
    assert manifest.sources["handbook"].revision == second
    assert manifest.sources["runbooks"].documents == 2  # not read this time: kept as it was


def test_nothing_changed_publishes_nothing(tmp_path, two_sources):
    sources, upstream, _ = two_sources
    build(sources, tmp_path)
    generation = live_generation(tmp_path / "index")
    commit(upstream, {"drafts/other.md": "# Excluded\n\nNot indexed.\n"}, "a commit touching no indexed file")
    report = build(sources, tmp_path, publish_unchanged=False)
    assert not report.published and live_generation(tmp_path / "index") == generation
    assert len(list((tmp_path / "index").glob("gen-*"))) == 1


def test_a_broken_remote_is_recorded_and_the_last_good_documents_keep_serving(tmp_path, two_sources):
    sources, upstream, first = two_sources
    build(sources, tmp_path)
    shutil.rmtree(upstream)
    shutil.rmtree(tmp_path / "state" / "sources" / "handbook")  # not even a previous checkout
    report = build(sources, tmp_path, publish_unchanged=False)
    assert list(report.source_errors) == ["handbook"]
    assert report.source_errors["handbook"].startswith("source handbook: git clone failed")
    assert not report.published  # the handbook's documents were kept from the live generation
    engine = Engine(engine_config(tmp_path / "index"), embedder=WORDS)
    assert "ninety days" in engine.passages_of("handbook/docs/configuration.md")[0].text
    states = json.loads((tmp_path / "state" / "sources.json").read_text())
    assert states["handbook"]["last_error"].startswith("source handbook: git clone failed")
    assert states["handbook"]["revision"] == first and states["handbook"]["last_success"]


def test_a_missing_folder_source_is_one_line_and_nothing_else_is_lost(tmp_path, two_sources):
    sources, _, _ = two_sources
    build(sources, tmp_path)
    shutil.rmtree(tmp_path / "runbooks")
    report = build(sources, tmp_path, publish_unchanged=False)
    assert report.source_errors == {
        "runbooks": f"source runbooks: folder {tmp_path / 'runbooks'} does not exist"
    }
    _, manifest = live_manifest(tmp_path / "index", "")
    assert "runbooks/oncall/restart.md" in manifest.files


def test_no_readable_source_at_all_is_a_corpus_error(tmp_path):
    with pytest.raises(CorpusError, match="No source could be read: source docs: "):
        build([source("docs", path=str(tmp_path / "missing"))], tmp_path)


def test_a_website_root_reads_only_its_pages_each_with_its_url(tmp_path):
    from retrieval.ingest.loader import Root
    from tests.harness.libraries import build_index

    cache = tmp_path / "cache"
    (cache / "guide").mkdir(parents=True)
    (cache / "guide" / "install.html").write_text(
        "<html><head><title>Install</title></head><body><h1>Install</h1>"
        "<p>Run the installer with administrator rights.</p></body></html>"
    )
    (cache / "stale.html").write_text("<html><body><p>A page the site no longer lists.</p></body></html>")
    pages = {"guide/install.html": "https://docs.example.org/guide/install/"}
    build_index([Root(cache, "site", pages=pages)], tmp_path / "index", WORDS, show_progress=False)
    engine = Engine(engine_config(tmp_path / "index"), embedder=WORDS)
    assert [d.source for d in engine.documents()] == ["site/guide/install.html"]
    assert engine.document("site/guide/install.html").url == "https://docs.example.org/guide/install/"


def test_a_link_to_a_file_outside_the_source_is_not_read(tmp_path):
    secrets = tmp_path / "elsewhere"
    secrets.mkdir()
    (secrets / "passwords.md").write_text("# Passwords\n\nThe root password is hunter2.\n")
    upstream = tmp_path / "upstream"
    make_repository(upstream, {"docs/guide.md": "# Guide\n\nRead the guide first.\n"})
    (upstream / "docs" / "leak.md").symlink_to(secrets / "passwords.md")
    (upstream / "docs" / "all").symlink_to(secrets, target_is_directory=True)
    (upstream / "docs" / "same.md").symlink_to("guide.md")  # relative: inside the checkout
    commit(upstream, {}, "links")
    report = build([source("handbook", git=str(upstream))], tmp_path)
    _, manifest = live_manifest(tmp_path / "index", "")
    assert sorted(manifest.files) == ["handbook/docs/guide.md", "handbook/docs/same.md"]
    # Not read, and said so where `citebot status` shows unread files (not only in a log line).
    outside = {f.source for f in report.unread if f.reason == "a link to a file outside the source"}
    assert "handbook/docs/leak.md" in outside


def test_an_excluded_link_outside_the_source_is_neither_read_nor_reported(tmp_path):
    secrets = tmp_path / "elsewhere"
    secrets.mkdir()
    (secrets / "passwords.md").write_text("# Passwords\n\nThe root password is hunter2.\n")
    upstream = tmp_path / "upstream"
    make_repository(upstream, {"docs/guide.md": "# Guide\n\nRead the guide first.\n"})
    (upstream / "docs" / "leak.md").symlink_to(secrets / "passwords.md")
    commit(upstream, {}, "links")
    report = build([source("handbook", git=str(upstream), exclude=["docs/leak.md"])], tmp_path)
    assert [f.source for f in report.unread] == []


def test_on_postgres_sources_are_kept_refreshed_and_recorded_alike(tmp_path, two_sources, new_database):
    from retrieval.config import EngineConfig
    from retrieval.registry import LIBRARIES

    sources, upstream, first = two_sources
    config = EngineConfig(index=new_database(), backend="postgres", sentence_vectors=False)
    postgres = LIBRARIES["postgres"]

    words = Words384()

    def build(**options):
        return build_sources(
            config, sources, tmp_path / "state", embedder=words, show_progress=False, **options
        )

    build()
    generation, manifest = postgres.live_manifest(config.index, "")
    assert manifest.sources["handbook"].revision == first and manifest.sources["runbooks"].documents == 2
    assert not build(publish_unchanged=False).published
    second = commit(upstream, {"docs/deploy.md": "# Deploying\n\nDeploys happen every Thursday.\n"}, "b")
    report = build(read={"handbook"}, publish_unchanged=False)
    assert report.published and report.embedded_files == 1
    _, manifest = postgres.live_manifest(config.index, "")
    assert manifest.sources["handbook"].revision == second and "runbooks/oncall/restart.md" in manifest.files
    engine = Engine(config, embedder=words)
    assert "Thursday" in engine.passages_of("handbook/docs/deploy.md")[0].text
