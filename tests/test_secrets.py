"""The secret chain: environment, keyring, opt-in file store, prompt; headless keyrings detected."""

from __future__ import annotations

import json
import os
import stat
import traceback
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail, null

from keyring_helpers import FailingKeyring
from woosync.core.errors import SecretsError
from woosync.core.logging import REDACTED, scrub
from woosync.secrets import (
    SERVICE,
    Credentials,
    delete_secrets,
    env_var,
    keyring_username,
    read_secret,
    resolve_credentials,
    secrets_file,
    store_secrets,
)

KEY = "ck_0123456789abcdef"
SECRET = "cs_fedcba9876543210"


def test_credentials_repr_hides_every_value() -> None:
    creds = Credentials(KEY, SECRET, "whsec-value-1234")
    for text in (repr(creds), str(creds), f"{creds}", repr([creds])):
        assert KEY not in text and SECRET not in text and "whsec-value-1234" not in text
    assert "webhook_secret=None" in repr(Credentials(KEY, SECRET))


def test_keyring_round_trip_uses_service_woosync_and_connection_usernames(memory_keyring) -> None:
    assert store_secrets(3, {"consumer_key": KEY, "consumer_secret": SECRET}) == "keyring"
    assert memory_keyring.entries == {
        (SERVICE, "connection:3:consumer_key"): KEY,
        (SERVICE, "connection:3:consumer_secret"): SECRET,
    }
    creds = resolve_credentials(3, interactive=False)
    assert (creds.consumer_key, creds.consumer_secret, creds.webhook_secret) == (KEY, SECRET, None)


def test_scope_keeps_two_databases_apart(memory_keyring) -> None:
    store_secrets(1, {"consumer_key": "key-of-db-a-123"}, scope="/a.db")
    store_secrets(1, {"consumer_key": "key-of-db-b-123"}, scope="/b.db")
    assert read_secret(1, "consumer_key", scope="/a.db") == "key-of-db-a-123"
    assert read_secret(1, "consumer_key", scope="/b.db") == "key-of-db-b-123"
    assert keyring_username(1, "consumer_key", "/a.db") == "connection:1:consumer_key@/a.db"


def test_per_connection_environment_variables_win_over_the_keyring(
    memory_keyring, monkeypatch
) -> None:
    store_secrets(2, {"consumer_key": KEY, "consumer_secret": SECRET})
    monkeypatch.setenv("WOOSYNC_CONN_2_CONSUMER_KEY", "ck_from_environment")
    monkeypatch.setenv("WOOSYNC_CONN_2_WEBHOOK_SECRET", "hook_from_environment")
    creds = resolve_credentials(2, interactive=False)
    assert creds.consumer_key == "ck_from_environment"
    assert creds.consumer_secret == SECRET
    assert creds.webhook_secret == "hook_from_environment"
    assert env_var(2, "consumer_secret") == "WOOSYNC_CONN_2_CONSUMER_SECRET"


def test_every_secret_read_is_scrubbed_from_logs(memory_keyring, monkeypatch) -> None:
    memory_keyring.entries[(SERVICE, "connection:9:consumer_key")] = "only-in-the-keyring-42"
    monkeypatch.setenv("WOOSYNC_CONN_9_CONSUMER_SECRET", "only-in-the-environment-42")
    resolve_credentials(9, interactive=False)
    assert scrub("k=only-in-the-keyring-42 s=only-in-the-environment-42") == (
        f"k={REDACTED} s={REDACTED}"
    )


def test_missing_secret_without_a_terminal_says_what_to_set(memory_keyring) -> None:
    with pytest.raises(SecretsError) as caught:
        resolve_credentials(4, interactive=False)
    assert "no consumer key for connection 4" in caught.value.message
    assert "WOOSYNC_CONN_4_CONSUMER_KEY" in str(caught.value)


def test_missing_secret_is_prompted_for_when_interactive(memory_keyring, monkeypatch) -> None:
    answers = iter(["typed-key-0123456", "typed-secret-0123456"])
    prompts: list[str] = []

    def fake_getpass(prompt: str) -> str:
        prompts.append(prompt)
        return next(answers)

    monkeypatch.setattr("getpass.getpass", fake_getpass)
    creds = resolve_credentials(5, interactive=True)
    assert (creds.consumer_key, creds.consumer_secret) == (
        "typed-key-0123456",
        "typed-secret-0123456",
    )
    assert prompts == ["Consumer key for connection 5: ", "Consumer secret for connection 5: "]
    assert memory_keyring.entries == {}  # a prompted secret is used, not stored


@pytest.mark.parametrize("backend", [fail.Keyring(), null.Keyring()], ids=["fail", "null"])
def test_headless_keyring_is_an_error_that_says_what_to_do(backend) -> None:
    keyring.set_keyring(backend)
    with pytest.raises(SecretsError) as stored:
        store_secrets(1, {"consumer_key": KEY, "consumer_secret": SECRET})
    text = str(stored.value)
    assert "cannot store secrets" in text and type(backend).__module__ in text
    assert "WOOSYNC_SECRETS=file" in text and "WOOSYNC_SECRETS=env" in text
    assert "install a keyring backend" in text
    with pytest.raises(SecretsError) as read:
        resolve_credentials(1, interactive=False)
    text = str(read.value)
    assert "WOOSYNC_CONN_1_CONSUMER_KEY" in text and "WOOSYNC_CONN_1_CONSUMER_SECRET" in text
    assert "WOOSYNC_SECRETS=file" in text and "install a keyring backend" in text
    assert not secrets_file().exists()  # never a silent plaintext fallback


def test_headless_keyring_with_environment_variables_works(monkeypatch) -> None:
    keyring.set_keyring(fail.Keyring())
    monkeypatch.setenv("WOOSYNC_CONN_1_CONSUMER_KEY", KEY)
    monkeypatch.setenv("WOOSYNC_CONN_1_CONSUMER_SECRET", SECRET)
    creds = resolve_credentials(1, interactive=False)
    assert (creds.consumer_key, creds.consumer_secret) == (KEY, SECRET)


def test_file_store_is_opt_in_private_and_used_when_the_keyring_is_headless(monkeypatch) -> None:
    keyring.set_keyring(fail.Keyring())
    monkeypatch.setenv("WOOSYNC_SECRETS", "file")
    assert store_secrets(7, {"consumer_key": KEY, "consumer_secret": SECRET}) == "file"
    path = secrets_file()
    assert path.parent == Path(os.environ["WOOSYNC_HOME"])
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text()) == {
        "connection:7:consumer_key": KEY,
        "connection:7:consumer_secret": SECRET,
    }
    creds = resolve_credentials(7, interactive=False)
    assert (creds.consumer_key, creds.consumer_secret) == (KEY, SECRET)
    delete_secrets(7)
    assert json.loads(path.read_text()) == {}


def test_file_store_replaces_an_older_keyring_copy(memory_keyring, monkeypatch) -> None:
    store_secrets(1, {"consumer_key": "old-keyring-key-123"})
    monkeypatch.setenv("WOOSYNC_SECRETS", "file")
    store_secrets(1, {"consumer_key": "new-file-key-12345"})
    assert memory_keyring.entries == {}
    assert read_secret(1, "consumer_key") == "new-file-key-12345"


def test_file_store_readable_by_others_is_refused(monkeypatch) -> None:
    monkeypatch.setenv("WOOSYNC_SECRETS", "file")
    store_secrets(1, {"consumer_key": KEY, "consumer_secret": SECRET})
    secrets_file().chmod(0o644)
    with pytest.raises(SecretsError, match="readable by other users") as caught:
        resolve_credentials(1, interactive=False)
    assert "chmod 600" in str(caught.value)


def test_env_mode_stores_nothing_and_names_the_variable(memory_keyring, monkeypatch) -> None:
    monkeypatch.setenv("WOOSYNC_SECRETS", "env")
    assert store_secrets(1, {"consumer_key": KEY, "consumer_secret": SECRET}) == "env"
    assert memory_keyring.entries == {} and not secrets_file().exists()
    with pytest.raises(SecretsError, match="WOOSYNC_CONN_1_CONSUMER_KEY is not set"):
        resolve_credentials(1, interactive=False)


def test_unknown_secrets_setting_is_an_error(monkeypatch) -> None:
    monkeypatch.setenv("WOOSYNC_SECRETS", "plaintext")
    with pytest.raises(SecretsError, match="WOOSYNC_SECRETS='plaintext' is not valid for secrets"):
        store_secrets(1, {"consumer_key": KEY})


def test_delete_removes_every_entry_and_none_removes_one(memory_keyring) -> None:
    store_secrets(1, {"consumer_key": KEY, "consumer_secret": SECRET, "webhook_secret": "hook1234"})
    store_secrets(1, {"webhook_secret": None})
    assert (SERVICE, "connection:1:webhook_secret") not in memory_keyring.entries
    store_secrets(2, {"consumer_key": KEY})
    delete_secrets(1)
    assert list(memory_keyring.entries) == [(SERVICE, "connection:2:consumer_key")]


# failures never quote a secret, and leave none behind ---------------------------------------------


def test_a_keyring_error_that_quotes_the_secret_is_not_chained() -> None:
    keyring.set_keyring(FailingKeyring(fail_on="consumer_key"))
    value = "quoted-key-" + "1234567"  # not in the source lines the traceback shows
    with pytest.raises(SecretsError) as caught:
        store_secrets(1, {"consumer_key": value})
    assert str(caught.value).startswith("cannot write to the keyring: RuntimeError")
    # --debug prints the exception chain: the backend's message must not be part of it
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    assert value not in "".join(traceback.format_exception(caught.value))


def test_a_keyring_that_refuses_to_delete_is_an_error_not_a_silent_leftover() -> None:
    backend = FailingKeyring(fail_on="delete")
    keyring.set_keyring(backend)
    value = "kept-key-" + "12345678"
    store_secrets(1, {"consumer_key": value})
    with pytest.raises(SecretsError, match="cannot remove a secret from the keyring") as caught:
        delete_secrets(1)
    assert value not in "".join(traceback.format_exception(caught.value))


def test_delete_removes_the_keyring_and_the_file_store_copies(memory_keyring, monkeypatch) -> None:
    store_secrets(1, {"consumer_key": "in-the-keyring-123"})
    monkeypatch.setenv("WOOSYNC_SECRETS", "file")
    store_secrets(1, {"consumer_secret": "in-the-file-12345"})
    monkeypatch.delenv("WOOSYNC_SECRETS")  # removed under another setting than it was stored
    delete_secrets(1)
    assert memory_keyring.entries == {}
    assert json.loads(secrets_file().read_text()) == {}


def test_the_file_store_never_writes_through_a_planted_link(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("WOOSYNC_SECRETS", "file")
    store_secrets(1, {"consumer_key": KEY})
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("")
    planted = secrets_file().with_name(f".{secrets_file().name}.{os.getpid()}.tmp")
    planted.symlink_to(elsewhere)
    store_secrets(1, {"consumer_secret": SECRET})
    assert elsewhere.read_text() == ""
    assert stat.S_IMODE(secrets_file().stat().st_mode) == 0o600
    assert read_secret(1, "consumer_secret") == SECRET


def test_headless_keyring_hint_says_how_to_store_the_secrets_in_the_file(monkeypatch) -> None:
    keyring.set_keyring(fail.Keyring())
    with pytest.raises(SecretsError) as never_stored:
        resolve_credentials(3, interactive=False)
    hint = never_stored.value.hint or ""
    # WOOSYNC_SECRETS=file alone finds nothing: the secrets have to be stored there first.
    assert "'woosync config set secrets file' (or set WOOSYNC_SECRETS=file), then printf" in hint
    assert "woosync connections update 3 --secrets-from-stdin" in hint
    monkeypatch.setenv("WOOSYNC_SECRETS", "file")
    store_secrets(3, {"consumer_key": KEY, "consumer_secret": SECRET})
    monkeypatch.delenv("WOOSYNC_SECRETS")  # e.g. a cron job without the setting
    with pytest.raises(SecretsError) as in_the_file:
        resolve_credentials(3, interactive=False)
    assert "the secrets file holds them: run 'woosync config set secrets file'" in str(
        in_the_file.value
    )


def test_file_mode_missing_secret_names_a_way_that_works_without_a_terminal(monkeypatch) -> None:
    keyring.set_keyring(fail.Keyring())
    monkeypatch.setenv("WOOSYNC_SECRETS", "file")
    with pytest.raises(SecretsError) as missing:
        resolve_credentials(4, interactive=False)
    assert "woosync connections update 4 --secrets-from-stdin" in str(missing.value)
