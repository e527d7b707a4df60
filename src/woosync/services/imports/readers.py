"""How an import reads one WooCommerce field of a store product into its local form: text
unescaped (the store answers ``&amp;``), the store's "unset" (an empty string) as ``None``, term
lists as names, images as their URLs, meta data by key. Decided once per field: a run reads
every product with the same few fields."""

from __future__ import annotations

import functools
import html
from collections.abc import Callable, Mapping
from typing import Any

from woosync.core.fields import DIMENSION_PARTS
from woosync.core.meta_keys import is_meta_target, meta_key
from woosync.services.sync.product_links import LINK_FIELDS, catalog_skus
from woosync.services.sync.targets import store_downloads, store_meta_value

_UNESCAPED_TEXT = frozenset({"name", "description", "short_description", "purchase_note"})
_TERM_LISTS = frozenset({"categories", "tags", "brands"})


def text(value: Any) -> Any:
    """A store text unescaped (``&amp;`` -> ``&``); anything else as it is."""
    return html.unescape(value) if isinstance(value, str) else value


def _blank_to_none(value: Any) -> Any:
    return None if value == "" else value


Reader = Callable[[Mapping[str, Any]], Any]


@functools.lru_cache(maxsize=256)
def store_reader(woo_field: str) -> Reader:
    """How to read ``woo_field`` into its local form (``None`` when absent or unset), decided once
    per field (a run maps every product with the same few fields)."""

    def dimension_part(woo: Mapping[str, Any]) -> Any:
        return _blank_to_none((woo.get("dimensions") or {}).get(woo_field))

    def term_names(woo: Mapping[str, Any]) -> Any:
        return [text(term.get("name")) for term in woo.get(woo_field) or [] if term.get("name")]

    def image_sources(woo: Mapping[str, Any]) -> Any:
        return [image["src"] for image in woo.get(woo_field) or [] if image.get("src")]

    def dimensions(woo: Mapping[str, Any]) -> Any:
        parts = woo.get(woo_field) or {}
        return {part: _blank_to_none(parts.get(part)) for part in DIMENSION_PARTS}

    def trimmed(woo: Mapping[str, Any]) -> Any:  # name and sku: never None for ""
        value = woo.get(woo_field)
        if woo_field in _UNESCAPED_TEXT:
            value = text(value)
        return value.strip() if isinstance(value, str) else value

    def unescaped(woo: Mapping[str, Any]) -> Any:
        return _blank_to_none(text(woo.get(woo_field)))

    def plain(woo: Mapping[str, Any]) -> Any:
        return _blank_to_none(woo.get(woo_field))

    def meta(woo: Mapping[str, Any]) -> Any:
        return store_meta_value(woo, meta_key(woo_field))

    if woo_field in LINK_FIELDS:  # named by SKU already (fetch.with_product_links)
        return lambda woo: catalog_skus(woo.get(woo_field))
    if is_meta_target(woo_field):
        return meta
    if woo_field in DIMENSION_PARTS:
        return dimension_part
    if woo_field in _TERM_LISTS:
        return term_names
    if woo_field == "images":
        return image_sources
    if woo_field == "downloads":
        return store_downloads
    if woo_field == "dimensions":
        return dimensions
    if woo_field in ("name", "sku"):
        return trimmed
    if woo_field in _UNESCAPED_TEXT:
        return unescaped
    return plain
