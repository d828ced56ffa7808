"""Settings are documented: every setting is in config/default.yaml with its real default, and nothing else is.

Like datasette's test_settings_are_documented: adding a setting without documenting it fails here.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml

from bot.settings import DEFAULT_CONFIG, Settings, documented_keys
from tests.harness.libraries import ROOT

README = ROOT / "README.md"


def flatten(mapping: dict, prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in mapping.items():
        if isinstance(value, dict) and value:  # an empty mapping ({}) is a setting's value
            flat.update(flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def comparable(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


@pytest.fixture(scope="module")
def yaml_keys() -> dict[str, Any]:
    return flatten(yaml.safe_load(DEFAULT_CONFIG.read_text("utf-8")))


def test_every_setting_has_a_description():
    assert documented_keys()
    assert [key for key, description in documented_keys().items() if not description.strip()] == []


@pytest.mark.parametrize("key", sorted(documented_keys()))
def test_setting_is_in_default_yaml_with_its_default(yaml_keys, key):
    assert key in yaml_keys, f"{key} is a setting but config/default.yaml does not list it"
    assert comparable(yaml_keys[key]) == comparable(Settings().lookup(key)), key


def test_default_yaml_holds_only_real_settings(yaml_keys):
    assert sorted(set(yaml_keys) - set(documented_keys())) == []


def test_secrets_in_default_yaml_are_env_references(yaml_keys):
    for key in ("slack.bot_token", "slack.app_token", "slack.signing_secret", "discord.token"):
        assert re.fullmatch(r"\$\{[A-Z_]+\}", yaml_keys[key]), key


def test_every_key_in_default_yaml_has_a_comment():
    """Each leaf line explains itself, except the secrets (their names say it)."""
    for line in DEFAULT_CONFIG.read_text("utf-8").splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or stripped.endswith(":") or "${" in stripped:
            continue
        assert " # " in line or "  #" in line, f"no comment on: {line}"


def _readme_configuration() -> str:
    if not README.exists():
        pytest.skip("README.md is not written yet")
    text = README.read_text("utf-8")
    match = re.search(r"^## Configuration\b(.*?)(?=^## |\Z)", text, re.MULTILINE | re.DOTALL)
    if not match:
        pytest.skip("README.md has no '## Configuration' section yet")
    return match.group(1)


_TABLE_ROW = re.compile(r"^\|\s*`([\w.]+)`\s*\|\s*`([^`]*)`\s*\|", re.MULTILINE)


def _readme_table() -> dict[str, Any]:
    """key -> default, from the rows of the README's configuration table."""
    return {key: yaml.safe_load(default) for key, default in _TABLE_ROW.findall(_readme_configuration())}


@pytest.mark.parametrize("key", sorted(documented_keys()))
def test_setting_is_in_the_readme_reference_with_its_default(key):
    table = _readme_table()
    assert key in table, f"README's configuration table lacks {key}"
    assert comparable(table[key]) == comparable(Settings().lookup(key)), key


def test_readme_reference_holds_only_real_settings():
    assert sorted(set(_readme_table()) - set(documented_keys())) == []
