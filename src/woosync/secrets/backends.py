"""The two places a secret can be kept: the OS keyring and the opt-in 0600 JSON file.

Both are addressed by (service ``woosync``, user name) pairs. ``keyring`` is imported lazily and
looked up at call time, so tests (and users) can swap the backend with ``keyring.set_keyring``.
"""

from __future__ import annotations

import json
import logging
import os
import stat
from pathlib import Path
from typing import Any

from woosync.core.errors import SecretsError
from woosync.core.paths import data_dir, ensure_private_dir

SERVICE = "woosync"
SECRETS_FILE = "secrets.json"

log = logging.getLogger("woosync.secrets")


# keyring ------------------------------------------------------------------------------------------
def keyring_backend() -> Any:
    import keyring

    return keyring.get_keyring()


def keyring_problem() -> str | None:
    """Why the current keyring backend cannot keep secrets, or ``None`` when it can.

    On a headless machine keyring resolves to ``fail.Keyring`` (raises on every call), the
    ``null`` backend or an empty chainer (both silently drop whatever is stored).
    """
    from keyring.backends import chainer, fail, null

    backend = keyring_backend()
    name = f"{type(backend).__module__}.{type(backend).__name__}"
    if isinstance(backend, fail.Keyring):
        return f"no keyring backend is available on this machine ({name})"
    if isinstance(backend, null.Keyring):
        return f"the keyring backend {name} silently discards secrets"
    if isinstance(backend, chainer.ChainerBackend) and not list(backend.backends):
        return f"the keyring backend {name} has no keyring to use"
    return None


def keyring_usable() -> bool:
    return keyring_problem() is None


# A backend's own exception may quote the value it was given, and --debug prints the chain of
# exceptions: each failure becomes a SecretsError naming only the exception type (``from None``).
def keyring_get(username: str) -> str | None:
    try:
        value = keyring_backend().get_password(SERVICE, username)
    except Exception as exc:
        raise SecretsError(
            f"cannot read from the keyring: {type(exc).__name__}",
            hint="unlock the keyring, or see 'Connections and secrets' in the README",
        ) from None
    return value if isinstance(value, str) else None


def keyring_set(username: str, value: str) -> None:
    try:
        keyring_backend().set_password(SERVICE, username, value)
    except Exception as exc:
        raise SecretsError(
            f"cannot write to the keyring: {type(exc).__name__}",
            hint="unlock the keyring, or opt in to the file store with WOOSYNC_SECRETS=file",
        ) from None


def keyring_delete(username: str) -> bool:
    """Remove an entry; ``False`` when there was none. A keyring that refuses is an error: a
    secret left behind would be read for the next connection that gets the same id."""
    from keyring.errors import PasswordDeleteError

    try:
        keyring_backend().delete_password(SERVICE, username)
    except PasswordDeleteError:
        return False
    except Exception as exc:
        raise SecretsError(
            f"cannot remove a secret from the keyring: {type(exc).__name__}",
            hint="unlock the keyring and run the command again",
        ) from None
    return True


# file store ---------------------------------------------------------------------------------------
def secrets_file() -> Path:
    """``secrets.json`` in the data directory (``WOOSYNC_HOME`` moves it)."""
    return data_dir() / SECRETS_FILE


def _read_file(path: Path) -> dict[str, str]:
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return {}
    if mode & 0o077:
        raise SecretsError(
            f"the secrets file {path} is readable by other users (mode {mode:o})",
            hint=f"run 'chmod 600 {path}'",
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError) as exc:
        raise SecretsError(
            f"cannot read the secrets file {path}: {type(exc).__name__}",
            hint="fix or remove the file, then store the secrets again",
        ) from exc
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise SecretsError(
            f"the secrets file {path} is not a JSON object of strings",
            hint="fix or remove the file, then store the secrets again",
        )
    return data


def _write_file(path: Path, data: dict[str, str]) -> None:
    """Write atomically: a new 0600 file next to it, then rename over the old one."""
    ensure_private_dir(path.parent)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.unlink(missing_ok=True)  # a leftover (or a planted link) is never written through
    flags = os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(temporary, flags, 0o600)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2, sort_keys=True)
            handle.write("\n")
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _file_lock(path: Path) -> Any:
    from filelock import FileLock

    ensure_private_dir(path.parent)
    return FileLock(str(path.with_name(path.name + ".lock")), timeout=30, mode=0o600)


def file_get(username: str) -> str | None:
    return _read_file(secrets_file()).get(username)


def file_update(changes: dict[str, str | None]) -> None:
    """Set (value) or remove (``None``) several entries in one atomic rewrite."""
    path = secrets_file()
    if not path.exists() and all(value is None for value in changes.values()):
        return
    with _file_lock(path):
        data = _read_file(path)
        for username, value in changes.items():
            if value is None:
                data.pop(username, None)
            else:
                data[username] = value
        _write_file(path, data)
