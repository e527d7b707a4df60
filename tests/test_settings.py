"""``woosync config``: settings that stick, under the environment, over the defaults."""

from __future__ import annotations

import base64
import json
import stat
from pathlib import Path
from typing import Any

import httpx
import keyring
import pytest
from keyring.backends import fail
from pytest_httpx import HTTPXMock

from woosync.core import settings

KEY = "ck_settingssettings1"
SECRET = "cs_settingssettings1"
ENV = {"WOOSYNC_CONSUMER_KEY": KEY, "WOOSYNC_CONSUMER_SECRET": SECRET}
ADD = ("connections", "add", "--name", "S", "--url", "https://shop.example")


def _config(home: Path) -> Path:
    return home / "woosync-home" / "config.toml"


def test_set_get_list_unset_and_path(cli, tmp_path) -> None:
    path = cli("config", "path").stdout.strip()
    assert path == str(_config(tmp_path))
    assert cli("config", "set", "concurrency", "8").exit_code == 0
    assert cli("config", "set", "secrets", "FILE").exit_code == 0  # any case, kept as written
    assert cli("config", "get", "concurrency").stdout == "8\n"
    got = json.loads(cli("config", "get", "secrets", "--json").stdout)
    assert got == {"key": "secrets", "value": "file", "source": "file", "env": "WOOSYNC_SECRETS"}
    listed = {row["key"]: row for row in json.loads(cli("--json", "config", "list").stdout)}
    assert list(listed) == ["secrets", "concurrency", "format", "timeout"]
    assert listed["concurrency"]["value"] == 8 and listed["concurrency"]["source"] == "file"
    assert (listed["timeout"]["value"], listed["timeout"]["source"]) == (30, "default")
    assert stat.S_IMODE(Path(path).stat().st_mode) == 0o600
    assert 'secrets = "file"' in Path(path).read_text()
    assert cli("config", "unset", "concurrency").exit_code == 0
    assert json.loads(cli("config", "get", "concurrency", "--json").stdout)["source"] == "default"
    again = cli("config", "unset", "concurrency")
    assert again.exit_code == 0 and "nothing to remove" in again.stderr
    table = cli("config", "list")
    assert "secrets" in table.stdout and "from the config file" in table.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("set", "secret", "file"), "'secret' is not a setting (did you mean secrets?) (use one"),
        (("set", "concurrncy", "3"), "(did you mean concurrency?)"),
        (("get", "colour"), "'colour' is not a setting (use one of secrets, concurrency"),
        (("set", "secrets", "plaintext"), "use one of keyring, file, env"),
        (("set", "concurrency", "17"), "use a whole number from 1 to 16"),
        (("set", "concurrency", "four"), "use a whole number from 1 to 16"),
        (("set", "format", "xml"), "use one of table, json, csv, tsv, yaml"),
        (("set", "timeout", "0"), "use a number of seconds above 0"),
    ],
)
def test_unknown_keys_and_bad_values_are_one_line_usage_errors(
    cli, tmp_path, args, message
) -> None:
    result = cli("config", *args)
    assert result.exit_code == 2
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not _config(tmp_path).exists()  # nothing written


def test_the_environment_wins_over_the_file_and_the_file_over_the_default(cli) -> None:
    cli("config", "set", "timeout", "45")
    assert settings.get("timeout") == 45
    both = cli("config", "get", "timeout", env={"WOOSYNC_TIMEOUT": "5"})
    assert both.stdout == "5\n" and "from WOOSYNC_TIMEOUT" in both.stderr
    warned = cli("config", "set", "timeout", "50", env={"WOOSYNC_TIMEOUT": "5"})
    assert warned.exit_code == 0 and "WOOSYNC_TIMEOUT is set and wins" in warned.stderr


def test_a_broken_file_says_where_and_config_can_still_repair_it(cli, tmp_path) -> None:
    path = _config(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text('secrets = "vault"\ncolour = "red"\n')
    used = cli("products", "list")
    assert used.exit_code == 2
    assert f"the config file {path} has unknown settings: colour" in used.stderr
    assert cli("config", "unset", "colour").exit_code == 0
    used = cli("connections", "add", "--name", "S", "--url", "https://s.example", env=ENV)
    assert used.exit_code == 7
    assert f"secrets = 'vault' in {path} is not valid for secrets" in used.stderr
    assert cli("config", "set", "secrets", "keyring").exit_code == 0
    assert cli("products", "list").exit_code == 0
    path.write_text("secrets = \n")
    broken = cli("config", "list")
    assert broken.exit_code == 2 and "is not valid TOML" in broken.stderr


def test_secrets_file_sticks_without_the_variable(cli, httpx_mock: HTTPXMock) -> None:
    keyring.set_keyring(fail.Keyring())  # a headless machine
    assert cli(*ADD, env=ENV).exit_code == 7
    assert cli("config", "set", "secrets", "file").exit_code == 0
    added = cli(*ADD, env=ENV)
    assert added.exit_code == 0, added.stderr
    assert "config set secrets file" not in added.stderr  # already kept
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/wp-json/":
            return httpx.Response(200, json={"name": "S", "namespaces": ["wc/v3"]})
        return httpx.Response(200, json={"environment": {"version": "8.5.1"}})

    httpx_mock.add_callback(answer, is_reusable=True)
    tested = cli("connections", "test", "S")  # no WOOSYNC_SECRETS, no secrets in the environment
    assert tested.exit_code == 0, tested.stderr
    token = "Basic " + base64.b64encode(f"{KEY}:{SECRET}".encode()).decode()
    assert any(request.headers.get("authorization") == token for request in seen)
    shown = cli("connections", "show", "S")
    assert "secrets.json" in shown.stdout


def test_a_file_secret_without_the_setting_names_the_command(cli) -> None:
    keyring.set_keyring(fail.Keyring())
    added = cli(*ADD, env={**ENV, "WOOSYNC_SECRETS": "file"})
    assert added.exit_code == 0
    assert "run 'woosync config set secrets file' so that later commands" in added.stderr
    keyring.set_keyring(keyring.backends.null.Keyring())  # type: ignore[attr-defined]
    result = cli("connections", "test", "S")
    assert result.exit_code == 7
    assert "woosync config set secrets file" in result.stderr


def test_add_fails_before_prompting_when_no_secret_store_can_keep_them(cli, monkeypatch) -> None:
    keyring.set_keyring(fail.Keyring())
    monkeypatch.setattr("woosync.core.terminal.stdin_is_terminal", lambda: True)
    prompted: list[str] = []

    def prompt(text: str, **_kw: object) -> str:
        prompted.append(text)
        return "typed-secret-123"

    monkeypatch.setattr("typer.prompt", prompt)
    result = cli(*ADD)
    assert result.exit_code == 7
    assert "cannot store secrets" in result.stderr and "config set secrets file" in result.stderr
    assert prompted == []
    assert json.loads(cli("--json", "connections", "list").stdout) == []
    assert cli(*ADD, env={**ENV, "WOOSYNC_SECRETS": "env"}).exit_code == 0  # keeps none
    update = cli("connections", "update", "S", "--prompt-secrets")
    assert update.exit_code == 7 and "cannot store secrets" in update.stderr
    assert prompted == []


def _captured(monkeypatch, module: str, name: str) -> dict[str, Any]:
    seen: dict[str, Any] = {}

    def fake(_database: object, first: object, **options: Any) -> Any:
        seen.update(options)
        if hasattr(first, "concurrency"):  # an export's request holds its options
            seen["concurrency"] = first.concurrency
        raise SystemExit(0)

    monkeypatch.setattr(f"{module}.{name}", fake)
    return seen


@pytest.mark.parametrize(
    ("command", "module", "name"),
    [
        ("export", "woosync.services.export.dry_run", "plan_export"),
        ("import", "woosync.services.imports.run", "import_products"),
    ],
)
def test_concurrency_setting_is_the_default_and_the_option_still_wins(
    cli, monkeypatch, command, module, name
) -> None:
    assert cli(*ADD, env=ENV).exit_code == 0
    args = (command, "--all") if command == "export" else (command,)
    seen = _captured(monkeypatch, module, name)
    cli(*args, "--dry-run")
    assert seen["concurrency"] == 4
    cli("config", "set", "concurrency", "7")
    cli(*args, "--dry-run")
    assert seen["concurrency"] == 7
    cli(*args, "--dry-run", "--concurrency", "2")
    assert seen["concurrency"] == 2
    cli(*args, "--dry-run", env={"WOOSYNC_CONCURRENCY": "3"})
    assert seen["concurrency"] == 3


def test_format_json_makes_every_command_print_json(cli) -> None:
    cli("config", "set", "format", "json")
    listed = cli("connections", "list")
    assert json.loads(listed.stdout) == []
    missing = cli("products", "show", "5")
    assert json.loads(missing.stdout)["error"]["code"] == "not_found"
    assert cli("connections", "list", env={"WOOSYNC_FORMAT": "table"}).stdout.strip() == ""
