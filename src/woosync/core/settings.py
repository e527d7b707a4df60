"""Settings that stick: ``config.toml`` in the data directory, under the environment.

Each setting is read, first hit wins, from its environment variable (``WOOSYNC_SECRETS``, ...),
then the config file (``woosync config set KEY VALUE``), then its built-in default. The file is a
flat TOML table of strings and numbers that woosync writes itself (atomically, mode 0600); a file
edited by hand is read with ``tomllib`` and checked like a ``config set``.
"""

from __future__ import annotations

import difflib
import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from woosync.core.errors import ValidationError
from woosync.core.paths import data_dir, ensure_private_dir

CONFIG_FILE = "config.toml"
MAX_CONCURRENCY = 16


def _choice(*choices: str) -> Callable[[Any], Any]:
    def parse(value: Any) -> str:
        text = str(value).strip().lower()
        if text not in choices:
            raise ValueError(f"use one of {', '.join(choices)}")
        return text

    return parse


def _concurrency(value: Any) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        number = 0
    if not 1 <= number <= MAX_CONCURRENCY:
        raise ValueError(f"use a whole number from 1 to {MAX_CONCURRENCY}")
    return number


def _seconds(value: Any) -> float | int:
    try:
        seconds = float(str(value).strip())
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds) or seconds <= 0:
        raise ValueError("use a number of seconds above 0, e.g. 60")
    return int(seconds) if seconds.is_integer() else seconds


@dataclass(frozen=True)
class Setting:
    key: str
    env: str
    parse: Callable[[Any], Any]
    default: Any
    help: str


SETTINGS: dict[str, Setting] = {
    setting.key: setting
    for setting in (
        Setting(
            "secrets",
            "WOOSYNC_SECRETS",
            _choice("keyring", "file", "env"),
            "keyring",
            "where connection secrets are kept: keyring, file (0600 secrets.json) or env",
        ),
        Setting(
            "concurrency",
            "WOOSYNC_CONCURRENCY",
            _concurrency,
            4,
            f"requests in flight for export and import (1-{MAX_CONCURRENCY}) unless "
            "--concurrency is given",
        ),
        Setting(
            "format",
            "WOOSYNC_FORMAT",
            _choice("table", "json", "csv", "tsv", "yaml"),
            "table",
            "output of every command: table (readable) or json (as with --json); csv, tsv or "
            "yaml for the commands that list records (the others print a table)",
        ),
        Setting(
            "timeout",
            "WOOSYNC_TIMEOUT",
            _seconds,
            30,
            "seconds to wait for a store's answer",
        ),
    )
}


@dataclass(frozen=True)
class Value:
    key: str
    value: Any
    source: str  # "env", "file" or "default"
    env: str


def config_path() -> Path:
    """``config.toml`` in the data directory (``WOOSYNC_HOME`` moves it)."""
    return data_dir() / CONFIG_FILE


def setting(key: str) -> Setting:
    """The setting named ``key``; a one-line usage error listing the valid keys otherwise."""
    found = SETTINGS.get(key.strip().lower())
    if found is None:
        close = difflib.get_close_matches(key.strip().lower(), list(SETTINGS), n=1)
        guess = f" (did you mean {close[0]}?)" if close else ""
        raise ValidationError(
            f"{key!r} is not a setting{guess}", hint=f"use one of {', '.join(SETTINGS)}"
        )
    return found


def parse_value(key: str, value: Any, *, where: str | None = None) -> Any:
    """``value`` checked for ``key``; the error names ``where`` it came from."""
    spec = setting(key)
    try:
        return spec.parse(value)
    except ValueError as exc:
        shown = where or repr(value)
        raise ValidationError(f"{shown} is not valid for {spec.key}", hint=str(exc)) from None


def read_file(path: Path | None = None) -> dict[str, Any]:
    """The settings in the config file as written (``{}`` when there is none); unknown keys are an
    error that says how to remove them."""
    path = path or config_path()
    data = _read_raw(path)
    unknown = [key for key in data if key not in SETTINGS]
    if unknown:
        raise ValidationError(
            f"the config file {path} has unknown settings: {', '.join(unknown)}",
            hint=f"keep only {', '.join(SETTINGS)} ('woosync config unset KEY' removes one)",
        )
    return data


def _read_raw(path: Path) -> dict[str, Any]:
    import tomllib

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ValidationError(f"cannot read the config file {path} ({exc.strerror})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValidationError(
            f"the config file {path} is not valid TOML: {exc}",
            hint="fix it, or remove it and set values again with 'woosync config set'",
        ) from None
    return data


def value(key: str) -> Value:
    """A setting's value in force, and where it comes from (environment, file or default)."""
    spec = setting(key)
    text = os.environ.get(spec.env, "").strip()
    if text:
        return Value(
            spec.key, parse_value(key, text, where=f"{spec.env}={text!r}"), "env", spec.env
        )
    path = config_path()
    stored = read_file(path)
    if spec.key in stored:
        raw = stored[spec.key]
        parsed = parse_value(key, raw, where=f"{spec.key} = {raw!r} in {path}")
        return Value(spec.key, parsed, "file", spec.env)
    return Value(spec.key, spec.default, "default", spec.env)


def get(key: str) -> Any:
    """Just the value of ``key`` in force."""
    return value(key).value


def all_values() -> list[Value]:
    return [value(key) for key in SETTINGS]


def set_value(key: str, text: str) -> Any:
    """Check and keep ``key = text`` in the config file; the value kept."""
    spec = setting(key)
    parsed = parse_value(spec.key, text)
    data = _read_raw(config_path())
    data[spec.key] = parsed
    _write(data)
    return parsed


def unset(key: str) -> bool:
    """Remove ``key`` from the config file; ``False`` when it was not there. Also removes a key
    woosync does not know, so a mistyped line in a hand-edited file can be taken out."""
    data = _read_raw(config_path())
    name = key.strip() if key.strip() in data else setting(key).key
    if name not in data:
        return False
    del data[name]
    _write(data)
    return True


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def _toml_key(key: str) -> str:
    import re

    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else _toml(key)


def _write(data: dict[str, Any]) -> None:
    """Rewrite the file atomically (mode 0600): a new file beside it, then a rename."""
    path = config_path()
    ensure_private_dir(path.parent)
    lines = ["# woosync settings: 'woosync config list' shows them, 'config set' changes them\n"]
    order = [key for key in SETTINGS if key in data] + [key for key in data if key not in SETTINGS]
    lines += [f"{_toml_key(key)} = {_toml(data[key])}\n" for key in order]
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.unlink(missing_ok=True)
    fd = os.open(temporary, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write("".join(lines))
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
