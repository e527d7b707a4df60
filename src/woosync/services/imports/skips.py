"""Why an import leaves a store product out: its type, its schedule, or its missing SKU.

woosync imports simple, external (affiliate), grouped and variable products (a variable one with
its variations); a product a shop manager scheduled comes in once the store publishes it
(``bookmark.py`` keeps it in view); a product without a SKU comes in only with
``link_without_sku`` (``match.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# a variable product with its variations; an external one with its product URL and button
# text; a grouped one with its products, by SKU
SUPPORTED_TYPES = frozenset({"simple", "variable", "external", "grouped"})


SCHEDULED = "future"  # the status of a product the store publishes at its date


def unsupported_reason(woo: Mapping[str, Any]) -> str | None:
    """Why a store product cannot be imported (its type, or it is scheduled), or ``None`` when
    it can."""
    kind = str(woo.get("type") or "simple")
    if woo.get("status") == SCHEDULED:
        when = str(woo.get("date_created_gmt") or "").strip()
        at = f" at {when} UTC" if when else ""
        return f"is scheduled: the store publishes it{at}, and an import takes it then"
    if kind in SUPPORTED_TYPES:
        return None
    if kind == "variation" or woo.get("parent_id"):
        return (
            f"is a variation of product {woo.get('parent_id')}; it comes in with its variable "
            "product"
        )
    return f"product type {kind!r} is not supported (a plugin's: woosync handles WooCommerce's own)"


def missing_sku_reason(woo: Mapping[str, Any]) -> str | None:
    if str(woo.get("sku") or "").strip():
        return None
    return (
        "has no SKU; woosync matches products by SKU "
        "(give it a SKU in WooCommerce and import again)"
    )
