"""Connection secrets: environment, OS keyring, opt-in 0600 file store, hidden prompt.

See :mod:`woosync.secrets.chain` for the order and the ``WOOSYNC_SECRETS`` setting.
"""

from woosync.secrets.backends import SERVICE, keyring_problem, secrets_file
from woosync.secrets.chain import (
    FIELDS,
    MODE_ENV,
    Credentials,
    check_writable,
    delete_secrets,
    env_var,
    keyring_username,
    read_secret,
    resolve_credentials,
    secrets_location,
    secrets_mode,
    store_secrets,
)

__all__ = [
    "FIELDS",
    "MODE_ENV",
    "SERVICE",
    "Credentials",
    "check_writable",
    "delete_secrets",
    "env_var",
    "keyring_problem",
    "keyring_username",
    "read_secret",
    "resolve_credentials",
    "secrets_file",
    "secrets_location",
    "secrets_mode",
    "store_secrets",
]
