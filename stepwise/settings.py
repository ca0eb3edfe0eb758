"""Where the `stepwise` commands that call an API find its URL and API key.

`resolve(url, api_key)` takes the values of the ``--url`` / ``--api-key`` flags (None when not
given) and gives `Settings`. Each setting comes from the first of these that has it:
1. the flag;
2. the environment: ``STEPWISE_URL``, ``STEPWISE_API_KEY``;
3. the config file ``$STEPWISE_CONFIG``, else ``~/.config/stepwise/config.json``:
   ``{"url": ..., "api_key": ...}``;
4. ``.local-data/local.json`` in the current directory, which ``stepwise local`` writes with
   the same keys.
Raises `MissingSettings` when a setting is found nowhere, `BadConfigFile` when a file that
is read is not such a JSON object and `BadUrl` when the URL is not an http(s) URL.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_CONFIG = Path(".config") / "stepwise" / "config.json"  # under the home directory
LOCAL_MODE_FILE = Path(".local-data") / "local.json"  # under the current directory
_DESCRIBED = {"url": "API URL", "api_key": "API key"}


class SettingsError(Exception):
    """The connection settings cannot be worked out."""


class MissingSettings(SettingsError):
    pass


class BadConfigFile(SettingsError):
    pass


class BadUrl(SettingsError):
    pass


@dataclass(frozen=True)
class Settings:
    url: str
    api_key: str = field(repr=False)  # so that no traceback or log shows it


def _read_file(path: Path) -> dict[str, str]:
    try:
        with open(path, encoding="utf-8") as handle:
            loaded = json.load(handle)
    except (OSError, UnicodeDecodeError) as error:
        raise BadConfigFile(f"cannot read {path}: {error}") from None
    except json.JSONDecodeError as error:
        raise BadConfigFile(f"{path} is not valid JSON: {error.msg} at line {error.lineno}") \
            from None
    if not isinstance(loaded, dict):
        raise BadConfigFile(f"{path} must hold a JSON object with \"url\" and \"api_key\"")
    for key in ("url", "api_key"):
        if key in loaded and not isinstance(loaded[key], str):
            raise BadConfigFile(f"\"{key}\" in {path} must be a string")
    return loaded


def _config_files() -> list[Path]:
    explicit = os.environ.get("STEPWISE_CONFIG")
    # a file named on purpose must exist; the default locations are optional
    files = [Path(explicit)] if explicit else [p for p in (Path.home() / DEFAULT_CONFIG,)
                                               if p.is_file()]
    if LOCAL_MODE_FILE.is_file():
        files.append(LOCAL_MODE_FILE)
    return files


def resolve(url: str | None = None, api_key: str | None = None) -> Settings:
    found = {"url": url or os.environ.get("STEPWISE_URL") or None,
             "api_key": api_key or os.environ.get("STEPWISE_API_KEY") or None}
    for path in _config_files():
        if all(found.values()):
            break
        loaded = _read_file(path)
        for key in found:
            found[key] = found[key] or loaded.get(key) or None
    missing = [key for key, value in found.items() if not value]
    if missing:
        what = " and ".join(_DESCRIBED[key] for key in missing)
        flags = " and ".join(f"--{key.replace('_', '-')}" for key in missing)
        names = " and ".join(f"STEPWISE_{key.upper()}" for key in missing)
        raise MissingSettings(
            f"no {what} given: pass {flags}, set {names}, write them to "
            f"~/{DEFAULT_CONFIG} or run `stepwise local` in this directory")
    if not found["url"].startswith(("http://", "https://")):
        raise BadUrl(f"the API URL must start with http:// or https://, not {found['url']!r}")
    return Settings(url=found["url"], api_key=found["api_key"])
