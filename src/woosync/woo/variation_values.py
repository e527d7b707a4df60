"""The plain values of variations, with no HTTP in them: SKUs and option sets as WooCommerce
compares them, ``?sku=`` hits told apart by type (:class:`SkuHits`), and one variation write and
its outcome (:class:`VariationWrite`, :class:`VariationOutcome`).

Kept apart from :mod:`woosync.woo.variations` and :mod:`woosync.woo.variation_batches` (which
list and write them through the HTTP client) so that the export, which plans with these values
on every run, loads the HTTP client only when it sends something.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from woosync.woo.models import ItemError

BatchKind = Literal["create", "update", "delete"]

VARIATION = "variation"
INVENTORY_DELTA = "inventory_delta"  # a relative stock change (added to the store's quantity)

OptionSet = frozenset[tuple[str, str]]


# what wptexturize makes of plain typing, and back (the common cases: a real curly quote or dash
# typed as such reads back as its plain spelling too)
_TEXTURIZED = {
    "&#8217;": "'", "&#8216;": "'", "&#8220;": '"', "&#8221;": '"', "&#8230;": "...",
    "&#8212;": "--", "&#8211;": "-", "&#215;": "x",
}  # fmt: skip
_PARAGRAPH = re.compile(r"<p>(.*?)</p>\n?", re.S)


def unrendered(description: str) -> str:
    """A variation's description as it was given, from the one the store answers: WooCommerce
    formats it for display in every context (wc_format_content: paragraphs in ``<p>``, line
    breaks as ``<br />``, typographic quotes, dashes and ellipses, ``&`` as ``&amp;``; checked on
    WooCommerce 11), so ``Kid's tee`` comes back as ``<p>Kid&#8217;s tee</p>``. A description
    that is all such paragraphs is turned back; any other (a list, a table) stays as answered."""
    text = description.strip()
    paragraphs: list[str] = []
    end = 0
    for found in _PARAGRAPH.finditer(text):
        if found.start() != end or "<p" in found[1]:
            return description
        paragraphs.append(found[1].replace("<br />\n", "\n").replace("<br />", "\n"))
        end = found.end()
    if not paragraphs or end != len(text):
        return description
    plain = "\n\n".join(paragraphs)
    for entity, typed in _TEXTURIZED.items():
        plain = plain.replace(entity, typed)
    return html.unescape(plain)


def variations_path(parent_id: int) -> str:
    return f"/products/{int(parent_id)}/variations"


def fold_sku(sku: object) -> str:
    """A SKU as WooCommerce compares it: trimmed, without regard to case."""
    return str(sku or "").strip().casefold()


def option_set(options: Mapping[str, object]) -> OptionSet:
    """``{attribute: option}`` as a comparable set, names and options case-folded.

    An attribute is named by its ``pa_`` slug when it is global (``pa_size``), by its name when
    it is local to the product (``Color``): what :func:`store_option_set` reads from the store.
    """
    return frozenset(
        (str(name).strip().casefold(), str(option).strip().casefold())
        for name, option in options.items()
    )


def store_option_set(variation: Mapping[str, Any]) -> OptionSet:
    """The option set of a store variation (``attributes: [{id, name, slug, option}, ...]``):
    a global attribute by its ``pa_`` slug, a local one by its name."""
    pairs: dict[str, object] = {}
    for entry in variation.get("attributes") or []:
        if not isinstance(entry, Mapping):
            continue
        slug = str(entry.get("slug") or "")
        name = slug if slug.startswith("pa_") else str(entry.get("name") or "")
        if name:
            pairs[name] = entry.get("option") or ""
    return option_set(pairs)


@dataclass(frozen=True, slots=True)
class SkuHits:
    """What ``?sku=`` found, by folded SKU, told apart by type.

    ``products`` holds anything that is not a variation (simple, variable, grouped, external);
    ``variations`` holds variations, each with its ``parent_id``.
    """

    products: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    variations: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def product(self, sku: str) -> dict[str, Any] | None:
        """The store product (never a variation) with ``sku``: the oldest when several."""
        hits = self.products.get(fold_sku(sku))
        return min(hits, key=lambda hit: int(hit["id"])) if hits else None

    def variation(self, sku: str) -> dict[str, Any] | None:
        """The store variation (never a product) with ``sku``: the oldest when several."""
        hits = self.variations.get(fold_sku(sku))
        return min(hits, key=lambda hit: int(hit["id"])) if hits else None

    def add(self, hit: dict[str, Any]) -> None:
        kind = self.variations if hit.get("type") == VARIATION else self.products
        kind.setdefault(fold_sku(hit.get("sku")), []).append(hit)


@dataclass(frozen=True, slots=True)
class VariationWrite:
    """One variation to create, update or delete under ``parent_id``.

    ``payload`` is the variation's JSON (without ``id``). ``sku`` and ``options``
    (``{attribute: option}``, a global attribute by its ``pa_`` slug, a local one by its name) are
    what a lost create is recognised by. ``tag`` is the
    caller's own reference (a local product id, say), handed back untouched. An update whose
    payload changes the stock by ``inventory_delta`` gives ``stock_quantity``, the quantity that
    change makes: a write sent again after a request that may have been applied carries it
    instead, so a change is never applied twice (:meth:`resendable`).
    """

    parent_id: int
    action: BatchKind
    payload: Mapping[str, Any] = field(default_factory=dict)
    variation_id: int | None = None
    sku: str = ""
    options: Mapping[str, str] = field(default_factory=dict)
    tag: int = 0
    stock_quantity: int | None = None

    def __post_init__(self) -> None:
        if self.action not in ("create", "update", "delete"):
            raise ValueError(f"action must be create, update or delete, not {self.action!r}")
        if self.action != "create" and not self.variation_id:
            raise ValueError(f"a variation {self.action} needs the variation's id")

    def resendable(self) -> VariationWrite:
        """This write as it goes again after a request that may have been applied: a stock
        change (``inventory_delta``) becomes the quantity it makes (the same either way)."""
        if INVENTORY_DELTA not in self.payload:
            return self
        payload = {k: v for k, v in self.payload.items() if k != INVENTORY_DELTA}
        payload["stock_quantity"] = self.stock_quantity
        return replace(self, payload=payload, stock_quantity=None)

    @property
    def option_set(self) -> OptionSet:
        return option_set(self.options)


@dataclass(frozen=True, slots=True)
class VariationOutcome:
    """What became of one :class:`VariationWrite`.

    ``answer`` is the variation as the store holds it (for a delete: as it was); ``recovered``
    says it was found by a lookup after an answer was lost, not written by the last request.
    """

    write: VariationWrite
    answer: dict[str, Any] | None = None
    error: ItemError | None = None
    recovered: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None
