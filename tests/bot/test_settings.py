"""Loading config: defaults, unknown keys with suggestions, wrong types, ${ENV} secrets, where the file comes from."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import CONFIG_ENV, DEFAULT_CONFIG, ConfigError, Settings, load_settings

SECRET_VARIABLES = ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "DISCORD_TOKEN")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for variable in (CONFIG_ENV, *SECRET_VARIABLES, "CITEBOT_TEST_TOKEN"):
        monkeypatch.delenv(variable, raising=False)


def write(tmp_path: Path, text: str, name: str = "citebot.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


def test_defaults_come_from_config_default_yaml():
    settings = load_settings()
    assert settings.corpus == "seeds"
    assert settings.index == ".index"
    assert settings.model == "all-MiniLM-L6-v2"
    assert settings.retrieval.chunk_size == 120
    assert settings.retrieval.fusion == "rrf"
    assert settings.answer.max_question_chars == 8000
    assert settings.slack.mode == "socket"
    assert settings.logging.level == "INFO"


def test_default_file_is_the_shipped_one():
    assert DEFAULT_CONFIG.name == "default.yaml" and DEFAULT_CONFIG.parent.name == "config"
    assert DEFAULT_CONFIG.is_file()


def test_a_partial_file_keeps_the_other_defaults(tmp_path):
    settings = load_settings(write(tmp_path, "retrieval:\n  top_k: 3\ncorpus: docs\n"))
    assert settings.retrieval.top_k == 3
    assert settings.corpus == "docs"
    assert settings.retrieval.chunk_size == 120
    assert settings.answer.max_sentences == 3


def test_empty_file_means_all_defaults(tmp_path):
    assert load_settings(write(tmp_path, "")).retrieval == Settings().retrieval


def test_unknown_key_is_named_with_its_path_and_a_suggestion(tmp_path):
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, "retrieval:\n  chunk_sise: 100\n"))
    assert "retrieval.chunk_sise: unknown key; did you mean chunk_size?" in str(caught.value)


def test_unknown_top_level_key_and_section(tmp_path):
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, "modle: x\ntelegram:\n  token: y\n"))
    text = str(caught.value)
    assert "modle: unknown key; did you mean model?" in text
    assert "telegram: unknown key" in text


def test_unknown_key_without_a_close_match_has_no_suggestion(tmp_path):
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, "answer:\n  zzzzzz: 1\n"))
    assert "answer.zzzzzz: unknown key" in str(caught.value)
    assert "did you mean" not in str(caught.value)


@pytest.mark.parametrize(
    ("yaml_text", "key"),
    [
        ("answer:\n  max_sentences: lots\n", "answer.max_sentences"),
        ("retrieval:\n  fusion: average\n", "retrieval.fusion"),
        ("retrieval:\n  chunk_size: 5\n", "retrieval.chunk_size"),
        ("slack:\n  port: 70000\n", "slack.port"),
        ("retrieval: 12\n", "retrieval"),
    ],
)
def test_wrong_value_names_the_key(tmp_path, yaml_text, key):
    path = write(tmp_path, yaml_text)
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert f"{key}:" in str(caught.value)
    assert str(path) in str(caught.value)


def test_env_reference_is_resolved(tmp_path, monkeypatch):
    monkeypatch.setenv("CITEBOT_TEST_TOKEN", "xoxb-from-env")
    settings = load_settings(write(tmp_path, "slack:\n  bot_token: ${CITEBOT_TEST_TOKEN}\n"))
    assert settings.slack.bot_token == "xoxb-from-env"
    settings.require("slack.bot_token")


def test_default_secrets_read_their_variables(monkeypatch):
    monkeypatch.setenv("DISCORD_TOKEN", "discord-secret")
    settings = load_settings()
    assert settings.discord.token == "discord-secret"
    assert settings.slack.bot_token is None


def test_missing_env_variable_is_named_when_required(tmp_path):
    settings = load_settings(write(tmp_path, "slack:\n  bot_token: ${CITEBOT_TEST_TOKEN}\n"))
    assert settings.slack.bot_token is None
    with pytest.raises(
        ConfigError, match=r"slack\.bot_token: environment variable CITEBOT_TEST_TOKEN is not set"
    ):
        settings.require("slack.bot_token")


def test_missing_default_secret_is_named_when_required():
    with pytest.raises(ConfigError, match="DISCORD_TOKEN"):
        load_settings().require("discord.token")


def test_require_passes_over_secrets_not_asked_for(monkeypatch):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1")
    load_settings().require("slack.bot_token", "slack.app_token")  # discord.token unset: not needed here


def test_literal_secret_in_the_file_is_used_as_is(tmp_path):
    settings = load_settings(write(tmp_path, "discord:\n  token: literal-token\n"))
    assert settings.discord.token == "literal-token"
    settings.require("discord.token")


def test_config_env_variable_is_honoured(tmp_path, monkeypatch):
    monkeypatch.setenv(CONFIG_ENV, str(write(tmp_path, "index: /srv/citebot-index\n")))
    assert load_settings().index == "/srv/citebot-index"


def test_explicit_path_beats_the_env_variable(tmp_path, monkeypatch):
    monkeypatch.setenv(CONFIG_ENV, str(write(tmp_path, "index: from-env\n", "env.yaml")))
    assert load_settings(write(tmp_path, "index: from-flag\n", "flag.yaml")).index == "from-flag"


def test_overrides_win_over_the_file_and_none_is_ignored(tmp_path):
    path = write(tmp_path, "index: from-file\ncorpus: docs\n")
    settings = load_settings(path, {"index": "from-cli", "corpus": None})
    assert (settings.index, settings.corpus) == ("from-cli", "docs")


def test_missing_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "nope.yaml")


def test_invalid_yaml_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_settings(write(tmp_path, "retrieval:\n  top_k: [1, 2\n"))


@pytest.mark.parametrize("text", ["- a\n- b\n", "just a string\n", "42\n"])
def test_non_mapping_is_a_config_error(tmp_path, text):
    with pytest.raises(ConfigError, match="mapping"):
        load_settings(write(tmp_path, text))


def test_settings_are_frozen():
    settings = Settings()
    with pytest.raises(ValueError):
        settings.retrieval.top_k = 3  # type: ignore[misc]


def test_lookup_by_path():
    settings = Settings()
    assert settings.lookup("retrieval.top_k") == 8
    assert settings.lookup("model") == "all-MiniLM-L6-v2"
