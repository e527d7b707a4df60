"""What an export says about a write that went through but leaves the store short of something."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from woosync.services.sync.targets import Target

log = logging.getLogger("woosync.export")

_PRICE = "regular_price"


def warn_if_priceless(
    sku: str, payload: Mapping[str, Any], targets: Sequence[Target], connection_id: int
) -> None:
    """A product or variation just created without a price although the mapping sends this
    store one (the catalog field it comes from is empty: a wholesale price no one set for a
    product imported from another store): the store shows it but cannot sell it. Said once, at
    its creation; a variable product has no price of its own."""
    source = next((t.field for t in targets if t.woo == _PRICE), None)
    if source is None or payload.get(_PRICE) or payload.get("type") == "variable":
        return
    log.warning(
        "%s: created in this store (connection %s) without a price: the catalog's %s, which "
        "its regular price comes from, is empty; the store cannot sell it until that is set "
        "and exported",
        sku,
        connection_id,
        source,
    )
