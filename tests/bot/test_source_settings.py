"""`sources:` and `channels:` in the config: each source names one location, names are unique, a channel
names only real sources, and a channel's scope falls back dm -> default -> every source not private."""

from __future__ import annotations

import pytest

from bot.settings import ConfigError, Settings, load_settings

TWO = {
    "sources": [
        {"name": "handbook", "git": "https://example.org/handbook.git", "include": ["docs/**"]},
        {"name": "runbooks", "path": "./runbooks", "private": True},
    ]
}


def settings(**extra) -> Settings:
    return Settings.model_validate({**TWO, **extra})


def test_a_channel_sees_its_own_sources_else_the_default_else_every_public_one():
    scoped = settings(channels={"C0SUPPORT": ["handbook"], "C0ONCALL": ["handbook", "runbooks"]})
    assert scoped.source_scope("C0ONCALL") == {"handbook", "runbooks"}
    assert scoped.source_scope("C0SUPPORT") == {"handbook"}
    assert scoped.source_scope("C0OTHER") == {"handbook"}  # no default: the sources not private
    assert scoped.source_scope(None) == {"handbook"}  # the console and the CLI: likewise
    with_default = settings(channels={"default": ["runbooks"], "dm": ["handbook", "runbooks"]})
    assert with_default.source_scope("C0OTHER") == {"runbooks"}
    assert with_default.source_scope("D0DM", direct=True) == {"handbook", "runbooks"}


def test_discord_channel_ids_read_as_numbers_are_kept_as_text(tmp_path):
    config = tmp_path / "citebot.yaml"
    config.write_text(
        "sources:\n  - name: docs\n    path: ./docs\n  - name: internal\n    path: ./internal\n    private: true\n"
        "channels:\n  123456789012345678: [docs, internal]\n",
        "utf-8",
    )
    loaded = load_settings(config)
    assert loaded.source_scope("123456789012345678") == {"docs", "internal"}
    assert loaded.sources[0].kind == "path"


def test_the_corpus_shorthand_has_no_scope():
    assert Settings().source_scope("C1") is None and Settings().source_scope(None, direct=True) is None


@pytest.mark.parametrize(
    ("config", "says"),
    [
        ("sources:\n  - name: a\n    path: x\n    git: y\n", "exactly one of path, git, sitemap, url"),
        ("sources:\n  - name: Docs Site\n    path: x\n", "lower-case letters"),
        ("corpus: seeds\nsources:\n  - name: a\n    path: x\n", "either corpus"),
        ("sources:\n  - name: a\n    path: x\nchannels:\n  C1: [b]\n", "no source named 'b'"),
        ("sources:\n  - name: a\n    path: x\n  - name: a\n    path: y\n", "used twice"),
        ("sources:\n  - name: a\n    path: x\n    branch: main\n", "branch is for git"),
        ("channels:\n  C1: [a]\n", "list them under sources"),
        ("sources:\n  - name: a\n    path: x\n    link: 'https://x/{file}#L{start}'\n", "link: "),
        (
            "sources:\n  - name: a\n    path: x\n    inlcude: [x]\n",
            "sources.0.inlcude: unknown key; did you mean include?",
        ),
        ("sources:\n  - name: a\n    path: x\n    include: docs/**\n", "sources.0.include: should be a list"),
    ],
)
def test_a_wrong_source_config_is_refused_in_one_line_naming_it(tmp_path, config, says):
    path = tmp_path / "citebot.yaml"
    path.write_text(config, "utf-8")
    with pytest.raises(ConfigError) as raised:
        load_settings(path)
    assert says in str(raised.value)
    assert "Value error" not in str(raised.value) and ": :" not in str(raised.value)


def test_with_sources_the_rebuild_hint_does_not_suggest_a_corpus_folder():
    """`citebot index --corpus seeds` would be refused beside sources: the hint says plain `citebot index`."""
    hint = settings().engine_config().rebuild_hint
    assert "--corpus" not in hint and "citebot index" in hint and "sources" in hint
    assert "--corpus seeds" in Settings().engine_config().rebuild_hint


def test_a_hint_that_prints_a_command_repeats_the_config_file_it_was_given(tmp_path):
    config = tmp_path / "team.yaml"
    config.write_text("index: idx\nsources:\n  - name: a\n    path: x\n", "utf-8")
    hint = load_settings(config).engine_config().rebuild_hint
    assert hint.startswith(f"Build it with: citebot index --index idx --config {config}")


def test_a_yaml_mistake_is_one_line_with_where_it_is(tmp_path):
    config = tmp_path / "tabs.yaml"
    config.write_text("sources:\n\t- name: a\n", "utf-8")
    with pytest.raises(ConfigError) as raised:
        load_settings(config)
    assert "\n" not in str(raised.value) and "(line 2, column 1)" in str(raised.value)
