"""What an export says about a write that went through but leaves the store short of something
(a warning of the run's result: ``Run.warn``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from woosync.services.sync.targets import Target

_PRICE = "regular_price"


def priceless(
    sku: str, payload: Mapping[str, Any], targets: Sequence[Target], connection_id: int
) -> str | None:
    """The warning for a product or variation just created without a price although the
    mapping sends this store one (the catalog field it comes from is empty: a wholesale price no
    one set for a product imported from another store): the store shows it but cannot sell it.
    Said once, at its creation; a variable product has no price of its own."""
    source = next((t.field for t in targets if t.woo == _PRICE), None)
    if source is None or payload.get(_PRICE) or payload.get("type") == "variable":
        return None
    return (
        f"{sku}: created in this store (connection {connection_id}) without a price: the "
        f"catalog's {source}, which its regular price comes from, is empty; the store cannot "
        "sell it until that is set and exported"
    )
