"""Named exit codes: the one table the CLI and the README share."""

from enum import IntEnum


class ExitCode(IntEnum):
    SUCCESS = 0
    FAILURE = 1  # an operation ran but something in it failed (e.g. some products did not export)
    USAGE = 2  # bad option, bad input, validation error (Click uses 2 for usage errors too)
    NOT_FOUND = 3  # connection, mapping, product or sync record does not exist
    CONFLICT = 4  # duplicate connection URL, duplicate SKU, ...
    STORE = 5  # the store is unreachable, unauthorised, or answered something unusable
    LOCKED = 6  # another run holds the per-connection lock
    SECRETS = 7  # no usable secret source (keyring missing, variable unset, ...)
    DATABASE = 8  # the local database cannot be used (corrupt, read-only, a folder, newer schema)
    INTERRUPTED = 130
