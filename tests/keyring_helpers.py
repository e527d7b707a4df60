"""A keyring backend that fails the way real ones do, quoting the value it was handed."""

from __future__ import annotations

from keyring.backend import KeyringBackend
from keyring.errors import KeyringLocked, PasswordDeleteError


class FailingKeyring(KeyringBackend):
    """Keeps secrets in a dict; ``set_password`` for a user name containing ``fail_on`` raises a
    ``RuntimeError`` quoting the password, and with ``fail_on == "delete"`` every delete raises
    ``KeyringLocked`` quoting the stored value (some D-Bus backends put values in messages)."""

    priority = 1

    def __init__(self, fail_on: str) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # keyring leaves it untyped
        self.fail_on = fail_on
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        if self.fail_on in username:
            raise RuntimeError(f"D-Bus refused {password!r} for {username}")
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.fail_on == "delete":
            raise KeyringLocked(f"locked; {self.entries.get((service, username))!r} stays")
        if (service, username) not in self.entries:
            raise PasswordDeleteError(username)
        del self.entries[(service, username)]
