"""Stock sold in several stores between two syncs: the changes are added up, not a conflict.

A sync record keeps fingerprints, which cannot be subtracted; for ``stock_quantity`` it also keeps
the quantity itself, beside its fingerprint (``exported_values[RAW_KEY] = "<print>:<quantity>"``).
When the catalog and a store both changed a quantity since the last sync (a sale in another store
came in, and this store sold too), the catalog takes ``catalog + store - base``: every sale counts
once. A remembered quantity whose fingerprint is not the record's current one is stale (written by
a path that does not keep it) and never used: the change is then a conflict, as any other.

An export sends a quantity as the change since the last sync, ``inventory_delta`` (WooCommerce
adds it to what the store holds then; checked on a real WooCommerce 11.0.1 store, for products
and variations, single and batch), when the record knows the quantity it last synced: a sale the
store made after the import that preceded the export is then kept, not overwritten, and the next
import brings it in. A change must never be applied twice: a write sent again after a request
that may have landed carries the quantity itself (:func:`as_quantity`).
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from typing import Any

KEY = "stock_quantity"  # the sync key (and WooCommerce field) of a stock quantity
DELTA = "inventory_delta"  # WooCommerce's relative stock change (added to the store's quantity)
RAW_KEY = "stock_quantity#"  # beside it in ``exported_values``: "<its print>:<the quantity>"


def remember(base: MutableMapping[str, str], quantity: Any) -> None:
    """Keep ``quantity`` beside the fingerprint ``base`` now holds for the stock quantity (or
    forget it, when there is none or it is not a whole number)."""
    printed = base.get(KEY)
    if printed is None or type(quantity) is not int:
        base.pop(RAW_KEY, None)
    else:
        base[RAW_KEY] = f"{printed}:{quantity}"


def base_quantity(base: Mapping[str, str]) -> int | None:
    """The quantity of the last sync, when the record kept it for its current fingerprint."""
    kept, printed = base.get(RAW_KEY), base.get(KEY)
    if not kept or printed is None:
        return None
    at, _, quantity = kept.rpartition(":")
    if at != printed:
        return None
    try:
        return int(quantity)
    except ValueError:
        return None


def as_change(payload: dict[str, Any], base: Mapping[str, str]) -> None:
    """An update's ``stock_quantity`` as the change since the last sync (``inventory_delta``),
    when the record knows the quantity of that sync (:func:`base_quantity`); else left as it is."""
    quantity = payload.get(KEY)
    before = base_quantity(base)
    if type(quantity) is int and before is not None:
        del payload[KEY]
        payload[DELTA] = quantity - before


def as_quantity(payload: dict[str, Any] | None, values: Mapping[str, Any]) -> None:
    """A write sent as a change goes again with the quantity itself (``values[KEY]``, the
    catalog's): the first request may have landed, and a change applied twice would count a sale
    twice; the quantity is the same either way."""
    if payload is not None and DELTA in payload:
        del payload[DELTA]
        payload[KEY] = values.get(KEY)


def merged(base: Mapping[str, str], catalog: Any, store: Any) -> int | None:
    """``catalog + store - base`` when both are whole numbers and the base quantity is known."""
    if type(catalog) is not int or type(store) is not int:
        return None
    before = base_quantity(base)
    return None if before is None else catalog + store - before
