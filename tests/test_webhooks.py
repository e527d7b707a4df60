"""``woosync connections verify-webhook`` and :mod:`woosync.services.webhooks`."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from pathlib import Path

import pytest
from typer.testing import Result

from woosync.services.webhooks import decode_secret, signature_matches, webhook_signature

ENV = {
    "WOOSYNC_CONSUMER_KEY": "ck_aaaaaaaaaaaaaaaaaaaa",
    "WOOSYNC_CONSUMER_SECRET": "cs_bbbbbbbbbbbbbbbbbbbb",
}
HOOK_SECRET = "whsec-Zq8#p!d4&w:Lm2"
# a product.updated delivery as WooCommerce sends it: exact bytes, escaped slashes, CRLF, non-ASCII
BODY = (
    b'{"id":42,"name":"Caf\xc3\xa9 Mug","permalink":"https:\\/\\/shop.example\\/product\\/mug\\/",'
    b'"price":"9.50","meta_data":[]}\r\n'
)


def sign(body: bytes, secret: str = HOOK_SECRET) -> str:
    """Independent of the code under test: what WooCommerce puts in X-WC-Webhook-Signature."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def add_connection(cli, webhook_secret: str | None = HOOK_SECRET) -> None:
    env = dict(ENV)
    if webhook_secret is not None:
        env["WOOSYNC_WEBHOOK_SECRET"] = webhook_secret
    result = cli("connections", "add", "--name", "Shop", "--url", "https://shop.example", env=env)
    assert result.exit_code == 0, result.stderr


def verify(cli, *args: str, input: bytes | None = None) -> Result:
    return cli("connections", "verify-webhook", *args, input=input)


def no_secret_shown(result: Result) -> None:
    for text in (result.stdout, result.stderr):
        assert HOOK_SECRET not in text
        assert sign(BODY) not in text  # nor the expected signature


@pytest.fixture
def body_file(tmp_path: Path) -> Path:
    path = tmp_path / "delivery.json"
    path.write_bytes(BODY)
    return path


def test_valid_signature_from_a_body_file(cli, body_file) -> None:
    add_connection(cli)
    result = verify(cli, "1", "--signature", sign(BODY), "--body", str(body_file))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "valid\n"
    no_secret_shown(result)


def test_valid_signature_from_stdin_as_json(cli) -> None:
    add_connection(cli)
    result = verify(cli, "1", "--signature", sign(BODY), "--json", input=BODY)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {"valid": True}
    no_secret_shown(result)


def test_connection_by_name_and_header_value_with_a_trailing_newline(cli, body_file) -> None:
    add_connection(cli)
    result = verify(cli, "Shop", "--signature", sign(BODY) + "\n", "--body", str(body_file))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "valid\n"
    no_secret_shown(result)


def test_wrong_signature_is_invalid(cli, body_file) -> None:
    add_connection(cli)
    wrong = sign(BODY, "another-webhook-secret")
    result = verify(cli, "1", "--signature", wrong, "--body", str(body_file))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.strip() == "error: invalid signature"
    no_secret_shown(result)


@pytest.mark.parametrize("position", [0, len(BODY) // 2, len(BODY) - 1])
def test_one_changed_byte_is_invalid(cli, position: int) -> None:
    add_connection(cli)
    tampered = bytearray(BODY)
    tampered[position] ^= 0x01
    result = verify(cli, "--json", "1", "--signature", sign(BODY), input=bytes(tampered))
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {"valid": False}
    assert result.stderr.strip() == "error: invalid signature"
    no_secret_shown(result)


def test_the_body_is_not_normalised(cli, tmp_path) -> None:
    """Line endings and a final newline are part of what WooCommerce signed."""
    add_connection(cli)
    path = tmp_path / "lf.json"
    path.write_bytes(BODY.replace(b"\r\n", b"\n"))
    result = verify(cli, "1", "--signature", sign(BODY), "--body", str(path))
    assert result.exit_code == 1


def test_connection_without_webhook_secret(cli, body_file) -> None:
    add_connection(cli, webhook_secret=None)
    result = verify(cli, "1", "--signature", sign(BODY), "--body", str(body_file))
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "connection 1 has no webhook secret" in lines[0]
    assert "woosync connections update 1 --webhook-secret" in lines[0]
    assert "WOOSYNC_WEBHOOK_SECRET with --secrets-from-env" in lines[0]
    assert "WOOSYNC_CONN_1_WEBHOOK_SECRET" in lines[0]


def test_secret_from_the_per_connection_environment_variable(cli, body_file, monkeypatch) -> None:
    add_connection(cli, webhook_secret=None)
    monkeypatch.setenv("WOOSYNC_CONN_1_WEBHOOK_SECRET", HOOK_SECRET)
    result = verify(cli, "1", "--signature", sign(BODY), "--body", str(body_file))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "valid\n"
    no_secret_shown(result)
    monkeypatch.setenv("WOOSYNC_CONN_1_WEBHOOK_SECRET", "another-webhook-secret")
    other = verify(cli, "1", "--signature", sign(BODY), "--body", str(body_file))
    assert other.exit_code == 1 and other.stderr.strip() == "error: invalid signature"


def test_unknown_connection(cli, body_file) -> None:
    add_connection(cli)
    result = verify(cli, "9", "--signature", sign(BODY), "--body", str(body_file))
    assert result.exit_code == 3
    assert "connection 9 not found" in result.stderr


def test_unreadable_body_file(cli, tmp_path) -> None:
    add_connection(cli)
    result = verify(cli, "1", "--signature", sign(BODY), "--body", str(tmp_path / "missing.json"))
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1


def test_empty_signature_is_a_usage_error(cli, body_file) -> None:
    add_connection(cli)
    result = verify(cli, "1", "--signature", " ", "--body", str(body_file))
    assert result.exit_code == 2
    assert result.stderr.startswith("error: the signature is empty") and result.stdout == ""


def test_debug_log_never_shows_the_secret(cli, body_file) -> None:
    add_connection(cli)
    result = cli(
        "--log-level", "debug", "connections", "verify-webhook", "1",
        "--signature", sign(BODY, "wrong-secret-value"), "--body", str(body_file),
    )  # fmt: skip
    assert result.exit_code == 1
    assert "webhook signature for connection 1" in result.stderr  # the log did run
    no_secret_shown(result)


# the service ------------------------------------------------------------------------------------
def test_signature_is_base64_hmac_sha256_of_the_raw_bytes() -> None:
    assert webhook_signature(BODY, HOOK_SECRET) == sign(BODY)
    assert signature_matches(BODY, sign(BODY), HOOK_SECRET)
    assert not signature_matches(BODY, sign(BODY)[:-2], HOOK_SECRET)
    assert not signature_matches(BODY, "not base64 \u00e9", HOOK_SECRET)


def test_the_secret_is_html_entity_decoded_as_wordpress_does() -> None:
    assert (
        decode_secret("a&amp;b&lt;c&gt;d&quot;e&#039;f&#39;g&#x27;h&#X26;i") == "a&b<c>d\"e'f'g'h&i"
    )
    assert decode_secret("keep&eacute;&#65;&amp") == "keep&eacute;&#65;&amp"  # only those five
    stored = "s3cret&amp;more-chars"
    assert signature_matches(BODY, sign(BODY, "s3cret&more-chars"), stored)
    assert not signature_matches(BODY, sign(BODY, stored), stored)
