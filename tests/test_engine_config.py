"""One home for retrieval's defaults: the frozen EngineConfig. Settings and config/default.yaml agree with it."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, replace

import pytest

from bot import messages
from bot.settings import DEFAULT_CONFIG, Settings, load_settings
from retrieval.config import DEFAULTS, EngineConfig
from retrieval.registry import COMPOSERS, EMBEDDERS, LIBRARIES


def expected(settings: Settings) -> EngineConfig:
    return replace(DEFAULTS, rebuild_hint=messages.rebuild_hint(settings.corpus, settings.index))


def test_settings_defaults_are_the_engine_defaults():
    settings = Settings()
    assert settings.engine_config() == expected(settings)


def test_default_yaml_gives_the_engine_defaults():
    settings = load_settings(DEFAULT_CONFIG)
    assert settings.engine_config() == expected(settings)


def test_settings_fill_every_tuned_value():
    settings = Settings.model_validate(
        {
            "retrieval": {"top_k": 3, "candidates": 7, "fusion": "blend", "chunk_size": 90},
            "answer": {"max_chars": 300},
        }
    )
    config = settings.engine_config()
    assert (config.top_k, config.search.candidates, config.search.fusion) == (3, 7, "blend")
    assert (config.chunking.max_words, config.answer.max_chars) == (90, 300)


def test_engine_config_is_frozen():
    with pytest.raises(FrozenInstanceError):
        DEFAULTS.top_k = 3  # type: ignore[misc]


def test_every_choice_the_settings_allow_is_registered():
    for field, registry in (("backend", LIBRARIES), ("composer", COMPOSERS), ("encoder", EMBEDDERS)):
        allowed = Settings.model_fields[field].annotation.__args__
        assert set(allowed) == set(registry), field
    from retrieval.embedders.runtimes import RUNTIMES

    assert set(Settings.model_fields["index_runtime"].annotation.__args__) == set(RUNTIMES)
