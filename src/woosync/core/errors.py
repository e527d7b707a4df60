"""The error tree. Every error a user can cause carries an exit code and, where useful, a hint.

The CLI maps any :class:`WoosyncError` to a one-line message and its exit code in one place
(``woosync.cli.app``); anything else is a bug and shows a traceback only with ``--debug``.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from woosync.core.exit_codes import ExitCode

_PARAM = re.compile(r"\{\{(\w+)\}\}")


def param(name: str) -> str:
    """A service parameter named in a message or hint, e.g. ``f"{param('ca_bundle')} excludes
    {param('insecure')}"``: each shell spells it its own way (the CLI as a flag, ``--ca-bundle``;
    the HTTP API as a JSON field), so the services never name a flag."""
    return "{{" + name + "}}"


def spell_params(text: str, spell: Callable[[str], str]) -> str:
    """``text`` with every :func:`param` written by ``spell``."""
    return _PARAM.sub(lambda match: spell(match[1]), text)


class WoosyncError(Exception):
    """Base class: ``message`` says what went wrong, ``hint`` what to do about it."""

    exit_code: ExitCode = ExitCode.FAILURE

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def render(self, spell: Callable[[str], str]) -> str:
        """The one-line text, with the parameters it names written by ``spell``."""
        text = f"{self.message} ({self.hint})" if self.hint else self.message
        return spell_params(text, spell)

    def __str__(self) -> str:
        return self.render(lambda name: name)


class ValidationError(WoosyncError):
    """Input that cannot be accepted as given (spec: 400 Bad Request)."""

    exit_code = ExitCode.USAGE


class NotFoundError(WoosyncError):
    """A connection, mapping, product or sync record does not exist (spec: 404)."""

    exit_code = ExitCode.NOT_FOUND


class ConflictError(WoosyncError):
    """The change would clash with something that exists (spec: 409)."""

    exit_code = ExitCode.CONFLICT


class StoreError(WoosyncError):
    """The WooCommerce store could not be reached or refused the request."""

    exit_code = ExitCode.STORE


class LockedError(WoosyncError):
    """Another woosync run holds the lock for this store."""

    exit_code = ExitCode.LOCKED


class SecretsError(WoosyncError):
    """No usable place to read or keep a secret."""

    exit_code = ExitCode.SECRETS


class DatabaseError(WoosyncError):
    """The local database cannot be used: corrupt, read-only, a folder, or from a newer woosync."""

    exit_code = ExitCode.DATABASE
