"""Under ``--json`` a failure is also JSON on stdout: ``{"error": {"code", "message", "exitCode"}}``."""

from __future__ import annotations

import json
from typing import Any

import keyring
import pytest
from keyring.backends import fail

KEY = "ck_aaaaaaaaaaaaaaaaaaaa"
SECRET = "cs_bbbbbbbbbbbbbbbbbbbb"
ENV = {"WOOSYNC_CONSUMER_KEY": KEY, "WOOSYNC_CONSUMER_SECRET": SECRET}
ADD = ("connections", "add", "--name", "A", "--url", "https://a.example")


def _error(result: Any) -> dict[str, Any]:
    document = json.loads(result.stdout)
    assert list(document) == ["error"]
    assert list(document["error"]) == ["code", "message", "exitCode"]
    assert document["error"]["exitCode"] == result.exit_code
    assert result.stderr.startswith("error: ")
    assert document["error"]["message"] == result.stderr.strip().removeprefix("error: ")
    return dict(document["error"])


@pytest.mark.parametrize("where", ["global", "command"])
def test_not_found(cli, where) -> None:
    args = (
        ("--json", "products", "show", "99")
        if where == "global"
        else ("products", "show", "99", "--json")
    )
    result = cli(*args)
    assert result.exit_code == 3
    assert _error(result)["code"] == "not_found"


def test_a_usage_error_before_the_command_parsed_its_own_json_flag(cli) -> None:
    result = cli("products", "list", "--limit", "many", "--json")
    assert result.exit_code == 2
    error = _error(result)
    assert error["code"] == "usage" and "--limit" in error["message"]


def test_a_validation_error_is_usage(cli) -> None:
    result = cli("--json", "products", "list", "--limit", "-1")
    assert result.exit_code == 2
    assert _error(result)["code"] == "usage"


def test_conflict(cli) -> None:
    assert cli(*ADD, env=ENV).exit_code == 0
    result = cli("--json", *ADD[:3], "B", *ADD[4:], env=ENV)
    assert result.exit_code == 4
    error = _error(result)
    assert error["code"] == "conflict"
    assert KEY not in result.stdout + result.stderr


def test_secrets_unavailable(cli) -> None:
    keyring.set_keyring(fail.Keyring())
    result = cli(*ADD, "--json", env=ENV)
    assert result.exit_code == 7
    assert _error(result)["code"] == "secrets_unavailable"


def test_without_json_stdout_stays_empty(cli) -> None:
    result = cli("products", "show", "99")
    assert result.exit_code == 3
    assert result.stdout == ""
    assert result.stderr.startswith("error: product 99 not found")


def test_a_service_names_parameters_and_the_cli_writes_them_as_flags() -> None:
    from woosync.cli.flags import flag_of
    from woosync.core.errors import ValidationError, param

    error = ValidationError(
        f"{param('ca_bundle')} excludes {param('insecure')}", hint=f"drop {param('insecure')}"
    )
    assert str(error) == "ca_bundle excludes insecure (drop insecure)"
    assert error.render(flag_of) == "--ca-bundle excludes --insecure (drop --insecure)"
