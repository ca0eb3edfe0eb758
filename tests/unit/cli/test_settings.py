"""Connection settings: flags, then environment, then config file, then local mode's file."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from stepwise.settings import BadConfigFile, BadUrl, MissingSettings, resolve


@pytest.fixture
def places(tmp_path, monkeypatch):
    """An empty home and working directory, and no settings in the environment."""
    home, work = tmp_path / "home", tmp_path / "work"
    home.mkdir()
    work.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(work)
    for name in ("STEPWISE_URL", "STEPWISE_API_KEY", "STEPWISE_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    return home, work


def write_json(path: Path, value) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value) if not isinstance(value, str) else value)
    return path


def home_config(home: Path, **values) -> Path:
    return write_json(home / ".config" / "stepwise" / "config.json", values)


def local_file(work: Path, **values) -> Path:
    return write_json(work / ".local-data" / "local.json", values)


def test_flags_win_over_everything(places, monkeypatch):
    home, work = places
    monkeypatch.setenv("STEPWISE_URL", "http://env")
    monkeypatch.setenv("STEPWISE_API_KEY", "env-key")
    home_config(home, url="http://config", api_key="config-key")
    local_file(work, url="http://local", api_key="local-key")
    settings = resolve("http://flag", "flag-key")
    assert (settings.url, settings.api_key) == ("http://flag", "flag-key")


def test_environment_wins_over_files(places, monkeypatch):
    home, work = places
    monkeypatch.setenv("STEPWISE_URL", "http://env")
    monkeypatch.setenv("STEPWISE_API_KEY", "env-key")
    home_config(home, url="http://config", api_key="config-key")
    settings = resolve()
    assert (settings.url, settings.api_key) == ("http://env", "env-key")


def test_home_config_wins_over_the_local_mode_file(places):
    home, work = places
    home_config(home, url="http://config", api_key="config-key")
    local_file(work, url="http://local", api_key="local-key")
    assert resolve() == resolve(None, None)
    assert (resolve().url, resolve().api_key) == ("http://config", "config-key")


def test_stepwise_config_names_another_file(places, monkeypatch, tmp_path):
    home, _ = places
    home_config(home, url="http://config", api_key="config-key")
    other = write_json(tmp_path / "other.json", {"url": "http://other", "api_key": "other-key"})
    monkeypatch.setenv("STEPWISE_CONFIG", str(other))
    assert (resolve().url, resolve().api_key) == ("http://other", "other-key")


def test_the_local_mode_file_is_the_last_resort(places):
    _, work = places
    local_file(work, url="http://local", api_key="local-key")
    assert (resolve().url, resolve().api_key) == ("http://local", "local-key")


def test_each_setting_comes_from_the_first_place_that_has_it(places, monkeypatch):
    home, work = places
    monkeypatch.setenv("STEPWISE_API_KEY", "env-key")
    home_config(home, url="http://config")
    local_file(work, url="http://local", api_key="local-key")
    settings = resolve()
    assert (settings.url, settings.api_key) == ("http://config", "env-key")
    assert resolve(url="http://flag").url == "http://flag"


def test_missing_settings_say_where_to_put_them(places):
    with pytest.raises(MissingSettings) as raised:
        resolve()
    message = str(raised.value)
    assert message.startswith("no API URL and API key given: pass --url and --api-key, set "
                              "STEPWISE_URL and STEPWISE_API_KEY")
    with pytest.raises(MissingSettings, match="^no API key given: pass --api-key, set "
                                              "STEPWISE_API_KEY,"):
        resolve(url="http://flag")


@pytest.mark.parametrize(("content", "message"), [
    ("{not json", "is not valid JSON"),
    ("[1]", "must hold a JSON object"),
    ('{"url": 3}', '"url" in .* must be a string'),
])
def test_a_broken_config_file_is_reported(places, content, message):
    home, _ = places
    write_json(home / ".config" / "stepwise" / "config.json", content)
    with pytest.raises(BadConfigFile, match=message):
        resolve()


def test_a_named_config_file_that_is_missing_is_reported(places, monkeypatch, tmp_path):
    monkeypatch.setenv("STEPWISE_CONFIG", str(tmp_path / "missing.json"))
    with pytest.raises(BadConfigFile, match="cannot read .*missing.json"):
        resolve()


def test_files_are_not_read_when_flags_and_environment_suffice(places, monkeypatch):
    home, _ = places
    write_json(home / ".config" / "stepwise" / "config.json", "{broken")
    monkeypatch.setenv("STEPWISE_API_KEY", "env-key")
    assert resolve(url="http://flag").api_key == "env-key"


def test_the_key_is_not_in_the_settings_representation(places):
    settings = resolve("http://flag", "sw_secret")
    assert "sw_secret" not in repr(settings) and "http://flag" in repr(settings)


@pytest.mark.parametrize("url", ["127.0.0.1:8000", "ftp://host/", "localhost"])
def test_the_url_must_be_http(places, url):
    with pytest.raises(BadUrl, match="must start with http:// or https://"):
        resolve(url, "key")
