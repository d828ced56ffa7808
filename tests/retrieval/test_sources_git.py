"""Git sources through the git CLI: cloned by local path and by file:// URL into the state folder, pulled
on refresh, the commit recorded; a broken remote keeps the previous checkout and names the source."""

from __future__ import annotations

import shutil

import pytest

from retrieval.sources import git as git_source
from retrieval.sources.base import SourceError
from retrieval.sources.read import checkout_folder, read_source
from tests.retrieval.sources_helpers import HANDBOOK, commit, make_repository, source


@pytest.mark.parametrize("as_url", [False, True], ids=["local-path", "file-url"])
def test_a_git_source_is_cloned_into_the_state_folder_at_its_commit(tmp_path, as_url):
    upstream = tmp_path / "upstream"
    first = make_repository(upstream, HANDBOOK)
    location = upstream.as_uri() if as_url else str(upstream)
    got = read_source(source("handbook", git=location, branch="main"), tmp_path / "state")
    assert got.root.folder == checkout_folder(tmp_path / "state", "handbook")
    assert (got.root.folder / "docs" / "configuration.md").read_text("utf-8") == HANDBOOK[
        "docs/configuration.md"
    ]
    assert got.record.revision == first and got.record.kind == "git" and got.error is None
    second = commit(upstream, {"docs/deploy.md": "# Deploying\n\nDeploys happen on Thursdays.\n"}, "second")
    again = read_source(source("handbook", git=location, branch="main"), tmp_path / "state")
    assert again.record.revision == second
    assert "Thursdays" in (again.root.folder / "docs" / "deploy.md").read_text("utf-8")


def test_a_file_deleted_upstream_is_gone_from_the_checkout(tmp_path):
    upstream = tmp_path / "upstream"
    make_repository(upstream, HANDBOOK)
    spec = source("handbook", git=str(upstream))
    read_source(spec, tmp_path / "state")
    commit(upstream, {"drafts/secret.md": None}, "drop the draft")
    got = read_source(spec, tmp_path / "state")
    assert not (got.root.folder / "drafts" / "secret.md").exists()


def test_a_broken_remote_keeps_the_previous_checkout_and_names_the_source(tmp_path):
    upstream = tmp_path / "upstream"
    first = make_repository(upstream, HANDBOOK)
    spec = source("handbook", git=str(upstream))
    read_source(spec, tmp_path / "state")
    shutil.rmtree(upstream)
    got = read_source(spec, tmp_path / "state")
    assert got.error is not None and got.error.startswith("source handbook: git fetch failed")
    assert "\n" not in got.error and "Traceback" not in got.error
    assert got.record.revision == first
    assert (got.root.folder / "README.md").is_file()


def test_a_first_clone_that_fails_leaves_nothing_and_says_why_in_one_line(tmp_path):
    spec = source("handbook", git=str(tmp_path / "nowhere"))
    with pytest.raises(SourceError) as raised:
        read_source(spec, tmp_path / "state")
    message = str(raised.value)
    assert message.startswith("source handbook: git clone failed: fatal:") and "\n" not in message
    assert not checkout_folder(tmp_path / "state", "handbook").exists()
    assert not any((tmp_path / "state" / "sources").iterdir())  # no half-made clone left behind


def test_an_unknown_branch_is_an_error_naming_the_source(tmp_path):
    upstream = tmp_path / "upstream"
    make_repository(upstream, HANDBOOK)
    with pytest.raises(SourceError, match="source handbook: git clone failed"):
        read_source(source("handbook", git=str(upstream), branch="nope"), tmp_path / "state")


def test_no_hook_of_the_repository_runs(tmp_path):
    upstream = tmp_path / "upstream"
    make_repository(upstream, HANDBOOK)
    spec = source("handbook", git=str(upstream))
    got = read_source(spec, tmp_path / "state")
    marker = tmp_path / "hook-ran"
    for name in ("reference-transaction", "post-checkout", "post-merge"):  # fetch and reset update refs
        hook = got.root.folder / ".git" / "hooks" / name
        hook.write_text(f"#!/bin/sh\ntouch {marker}\n")
        hook.chmod(0o755)
    commit(upstream, {"README.md": "# Handbook\n\nChanged.\n"}, "second")
    read_source(spec, tmp_path / "state")
    assert not marker.exists()


def test_credentials_in_a_url_are_never_shown():
    assert git_source.is_remote("https://user:token@example.org/x.git")
    from retrieval.sources.base import hide_credentials

    assert (
        hide_credentials("fatal: https://user:token@example.org/x.git")
        == "fatal: https://***@example.org/x.git"
    )
    assert not git_source.is_remote("./handbook") and git_source.is_remote("git@github.com:acme/handbook.git")
