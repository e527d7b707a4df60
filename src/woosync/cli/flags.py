"""The CLI's spelling of service parameters (``core.errors.param``): the flag each one is.

Its own module so that any command module can spell a service's message without importing
``cli.app`` (which imports the commands).
"""

from __future__ import annotations

# Service parameters whose flag is not their name written with dashes (see core.errors.param).
FLAGS: dict[str, str] = {
    "clear_ca_bundle": "--no-ca-bundle",  # connections update
    # export (services/export)
    "product_ids": "--product",
    "skus": "--sku",
    "all_products": "--all",
    # import (services/imports)
    "woo_ids": "--woo-id",
    # several stores (services/stores)
    "parallel": "--parallel-stores",
}


def flag_of(parameter: str) -> str:
    """The CLI's spelling of a service parameter: ``ca_bundle`` -> ``--ca-bundle``."""
    return FLAGS.get(parameter) or "--" + parameter.replace("_", "-")
