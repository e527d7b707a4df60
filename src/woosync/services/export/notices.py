"""What an export says about a write that went through but leaves the store short of something
(a warning of the run's result: ``Run.warn``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from woosync.core.errors import param
from woosync.services.sync.targets import Target

_PRICE = "regular_price"
_PRICED_ELSEWHERE = ("variable", "grouped")  # by their variations, by their products


def priceless(
    sku: str, payload: Mapping[str, Any], targets: Sequence[Target], connection_id: int
) -> str | None:
    """The warning for a product or variation just created without a price although the
    mapping sends this store one (the catalog field it comes from is empty: a wholesale price no
    one set for a product imported from another store): the store shows it but cannot sell it.
    Said once, at its creation; a variable or grouped product has no price of its own."""
    if payload.get(_PRICE) or payload.get("type") in _PRICED_ELSEWHERE:
        return None
    source = next((t.field for t in targets if t.woo == _PRICE), None)
    if source is None:
        return None
    return (
        f"{sku}: created in this store (connection {connection_id}) without a price: the "
        f"catalog's {source}, which its regular price comes from, is empty; the store cannot "
        "sell it until that is set and exported"
    )


def linkless(
    sku: str, payload: Mapping[str, Any], targets: Sequence[Target], connection_id: int
) -> str | None:
    """The warning for an external (affiliate) product just created without its product URL:
    the store shows it with no button to buy it where it is sold. Said once, at its creation."""
    if payload.get("type") != "external" or payload.get("external_url"):
        return None
    source = next((t.field for t in targets if t.woo == "external_url"), None)
    why = (
        f"the catalog's {source}, which it comes from, is empty"
        if source is not None
        else "this store's export mapping does not send external_url (select the custom field "
        "external_url, which an import fills, and map it to external_url; button_text too)"
    )
    return (
        f"{sku}: created in this store (connection {connection_id}) as an external product "
        f"without its product URL: {why}; the store shows no button to buy it until one is "
        "exported"
    )


def held_conflicts_warning(
    count: int,
    connection_id: int,
    *,
    dry_run: bool = False,
    named: Sequence[str] = (),
    subject: str | None = None,
) -> str:
    """The warning for the products a partial export leaves fields of out: changed both in the
    catalog and in this store since the last sync (``named``: the first of them, with their
    fields, so that a cron job's mail says which; ``subject``: the one product, ``product 3``,
    instead of the count). It names the store, so that the commands it
    gives look where the conflicts are (a bare ``sync-status`` looks at the default store)."""
    leaves = "would leave" if dry_run else "left"
    which = ""
    if named:
        more = f" and {count - len(named)} more" if count > len(named) else ""
        which = f" ({', '.join(named)}{more})"
    subject = subject or f"{count} product(s) or variation(s){which}"
    return (
        f"{subject} with fields changed both in the catalog and in "
        f"this store (connection {connection_id}) since the last sync: this export {leaves} "
        f"those fields out ('woosync sync-status --connection {connection_id} --conflicts' "
        f"lists them; 'woosync import --connection {connection_id} --update-existing "
        f"{param('on_conflict')} catalog|store' resolves them)"
    )


# Fields WooCommerce sets by the slug of something the store must have (a tax class, a shipping
# class): one it does not have is dropped from the write without a word (checked on WooCommerce
# 11: the product answers "" and is taxed at the standard rate, or ships with no class).
BY_STORE_SLUG = ("tax_class", "shipping_class")


def dropped(payload: Mapping[str, Any] | None, answer: Mapping[str, Any]) -> list[str]:
    """The fields of :data:`BY_STORE_SLUG` a write sent a value of and the store answered empty."""
    if not payload:
        return []
    return [
        key
        for key in BY_STORE_SLUG
        if isinstance(payload.get(key), str) and payload[key] and answer.get(key) == ""
    ]


# per field: what it is called, where a shop manager adds one, what the product keeps without
_BY_SLUG_WORDS = {
    "tax_class": ("tax class", "WooCommerce > Settings > Tax", "the standard rate"),
    "shipping_class": (
        "shipping class",
        "WooCommerce > Settings > Shipping > Classes",
        "no class",
    ),
}


def dropped_warning(
    field: str, value: str, skus: Sequence[str], count: int, connection_id: int
) -> str:
    """The warning for products whose ``field`` value ``value`` the store dropped."""
    what, where, kept = _BY_SLUG_WORDS[field]
    named = ", ".join(skus) + (f" and {count - len(skus)} more" if count > len(skus) else "")
    return (
        f"{what} {value!r} does not exist in this store (connection {connection_id}), which "
        f"dropped it: {named} kept {kept}; add it there ({where}) and export again: it is "
        "sent until the store takes it"
    )
