"""The CLI's spelling of the service parameters named in messages (``core.errors.param``)."""

from __future__ import annotations

# Service parameters whose flag is not their name written with dashes (see core.errors.param).
FLAGS: dict[str, str] = {
    "clear_ca_bundle": "--no-ca-bundle",  # connections update
}


def flag_of(parameter: str) -> str:
    """The CLI's spelling of a service parameter: ``ca_bundle`` -> ``--ca-bundle``."""
    return FLAGS.get(parameter) or "--" + parameter.replace("_", "-")
