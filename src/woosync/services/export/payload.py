"""The body of a write, from a plan's values (pure): names become this store's ids through a
:class:`RefResolver`, and an attribute list is merged with the store's (WooCommerce replaces array
fields whole, so a write carries the complete list).
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Protocol

from woosync.core.errors import param
from woosync.services.sync.default_options import default_options_payload
from woosync.services.sync.targets import (
    ATTRIBUTE_KINDS,
    BRANDS,
    CATEGORIES,
    DEFAULTS,
    DIMENSION,
    DIMENSIONS,
    DOWNLOADS,
    GLOBAL_ATTRIBUTE,
    IMAGES,
    LINKS,
    LOCAL_ATTRIBUTE,
    META,
    SCALAR,
    TAGS,
    Target,
    find_attribute,
    normalize_store_attributes,
    twin_attribute,
)


def merge_attributes(
    base: Sequence[Mapping[str, Any]] | None,
    ours: Sequence[tuple[Target, list[str] | None, int | None]],
) -> list[dict[str, Any]]:
    """The complete attribute list to send: the store's last known list with ours put in.

    ``ours`` holds (target, options, global attribute id). Options ``None`` leave the store's entry
    alone; an empty list removes the entry (``--allow-empty``). Attributes we do not manage stay as
    they were: WooCommerce replaces the whole list on write.
    """
    if not base:
        direct = _new_attributes(ours)
        if direct is not None:
            return direct
    merged = [dict(entry) for entry in normalize_store_attributes(base)]
    for target, options, attribute_id in ours:
        index = next(
            (i for i, entry in enumerate(merged) if find_attribute([entry], target, attribute_id)),
            None,
        )
        if options is None:
            continue
        if not options:
            if index is not None:
                merged.pop(index)
            continue
        name = target.woo if target.kind == LOCAL_ATTRIBUTE else target.field
        # the same attribute of the other kind (a mapping turned Size into pa_size, or back)
        twin = twin_attribute(merged, name, target.kind == GLOBAL_ATTRIBUTE)
        if index is None and twin is not None and implicitly_local(target):
            raise KindClashError(global_twin_message(name, merged[twin]))
        if index is None:
            entry = {
                "id": attribute_id or 0,
                "name": name,
                "position": len(merged),
                "visible": True,
                "variation": False,
                "options": list(options),
            }
            if twin is None:
                merged.append(entry)
            else:  # ours now, in its place
                kept = {k: merged[twin][k] for k in ("position", "visible", "variation")}
                merged[twin] = entry | kept
        else:
            merged[index]["options"] = list(options)
            if twin is not None:  # never a second "Size" beside ours
                merged.pop(twin)
    return [_attribute_payload(entry) for entry in merged]


def _new_attributes(
    ours: Sequence[tuple[Target, list[str] | None, int | None]],
) -> list[dict[str, Any]] | None:
    """:func:`merge_attributes` with no store list (a create), made directly: each attribute with
    options in order. ``None`` when two of ours could name the same entry (a local name twice,
    a global attribute's id twice, or a global one without an id): the merge decides then."""
    ids: set[int] = set()
    names: set[str] = set()
    for target, _options, attribute_id in ours:
        if target.kind == LOCAL_ATTRIBUTE:
            name = html.unescape(target.woo).strip().casefold()
            if name in names:
                return None
            names.add(name)
        elif not attribute_id or attribute_id in ids:
            return None
        else:
            ids.add(attribute_id)
    found: list[dict[str, Any]] = []
    for target, options, attribute_id in ours:
        if not options:  # None leaves the entry alone, [] removes it: nothing to send either way
            continue
        entry: dict[str, Any] = (
            {"name": target.woo}
            if target.kind == LOCAL_ATTRIBUTE
            else {"id": int(attribute_id or 0)}
        )
        entry.update(position=len(found), visible=True, variation=False, options=list(options))
        found.append(entry)
    return found


def _attribute_payload(entry: Mapping[str, Any]) -> dict[str, Any]:
    payload: dict[str, Any] = {}
    if entry.get("id"):
        payload["id"] = int(entry["id"])
    else:
        payload["name"] = entry["name"]
    payload["position"] = int(entry.get("position") or 0)
    payload["visible"] = bool(entry.get("visible", True))
    payload["variation"] = bool(entry.get("variation", False))
    payload["options"] = list(entry.get("options") or [])
    return payload


# payloads ---------------------------------------------------------------------------------------


class MissingRefError(Exception):
    """A category, tag, attribute or term the store does not have (and may not be created), or
    one it holds as another kind than the write would send (:func:`global_twin_message`)."""


class NeverSentError(MissingRefError):
    """What no write may send, created or not (a dry run says so even when terms are created)."""


class KindClashError(NeverSentError):
    """A local attribute that would replace the store product's global one of its name."""


def implicitly_local(target: Target) -> bool:
    """A local attribute only because nothing maps its name (not ``attribute:NAME``)."""
    return target.kind == LOCAL_ATTRIBUTE and ":" not in target.field


def global_twin_message(name: str, entry: Mapping[str, Any]) -> str:
    """Why a local ``name`` does not go over the store product's global attribute of that name
    (it would replace it, and its variations would lose their options)."""
    slug = str(entry.get("slug") or "") or "a global attribute"
    return (
        f'the store product holds "{name}" as its global attribute {slug}: woosync sends it '
        f"there once it has read this store (import from it first, with "
        f"{param('update_existing')}), or map {name} to {slug}; select attribute:{name} "
        "instead to make it a local attribute there (its variations move with it)"
    )


class RefResolver(Protocol):
    def category_id(self, name: str) -> int: ...
    def tag_id(self, name: str) -> int: ...

    def brand_id(self, name: str) -> int: ...
    def attribute_id(self, slug: str) -> int: ...
    def check_terms(self, slug: str, names: Sequence[str]) -> None: ...
    def image(self, src: str) -> dict[str, Any]: ...


def build_payload(
    targets: Sequence[Target],
    values: Mapping[str, Any],
    keys: Iterable[str],
    refs: RefResolver,
    base_attributes: Sequence[Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """The WooCommerce body for the given keys. Any attribute key sends the complete merged list.

    Raises :class:`MissingRefError` when a name cannot be resolved in this store.
    """
    wanted = set(keys)
    payload: dict[str, Any] = {}
    attributes_touched = False
    for target in targets:
        if target.key not in wanted or target.key not in values:
            continue
        value = values[target.key]
        if target.kind == SCALAR:
            payload[target.woo] = value
        elif target.kind == DIMENSIONS:
            payload.setdefault("dimensions", {}).update(value)
        elif target.kind == DIMENSION:
            payload.setdefault("dimensions", {})[target.woo] = value
        elif target.kind == IMAGES:
            payload["images"] = [refs.image(src) for src in value]
        elif target.kind == CATEGORIES:
            payload["categories"] = [{"id": refs.category_id(name)} for name in value]
        elif target.kind == TAGS:
            payload["tags"] = [{"id": refs.tag_id(name)} for name in value]
        elif target.kind == BRANDS:  # objects, as tags: WooCommerce 11 refuses a bare id
            payload["brands"] = [{"id": refs.brand_id(name)} for name in value]
        elif target.kind == META:  # merged by key in the store: other keys are left alone
            payload.setdefault("meta_data", []).append({"key": target.woo, "value": value})
        elif target.kind == LINKS:  # SKUs: this store's ids once resolved (export.links)
            payload[target.woo] = list(value)
        elif target.kind == DOWNLOADS:  # each file with its id (products/downloads)
            payload[target.woo] = [dict(download) for download in value]
            if value and not any(t.woo == DOWNLOADABLE for t in targets):
                payload[DOWNLOADABLE] = True  # a store offers the files of a downloadable one
        elif target.kind == DEFAULTS:  # a global attribute's by its id in this store
            payload[target.woo] = default_options_payload(value, _attribute_ids(targets, refs))
        else:
            attributes_touched = True
    if payload.get(STOCK_QUANTITY) is not None and not any(t.woo == MANAGE_STOCK for t in targets):
        payload[MANAGE_STOCK] = True  # a store keeps a quantity only for a product it counts
    if attributes_touched:
        ours: list[tuple[Target, list[str] | None, int | None]] = []
        for target in targets:
            if target.kind not in ATTRIBUTE_KINDS:
                continue
            options = values.get(target.key)
            attribute_id = None
            if target.kind == GLOBAL_ATTRIBUTE:
                attribute_id = refs.attribute_id(target.woo)
                if options:
                    refs.check_terms(target.woo, options)
            ours.append((target, options, attribute_id))
        payload["attributes"] = merge_attributes(base_attributes, ours)
    return payload


DOWNLOADABLE = "downloadable"
MANAGE_STOCK = "manage_stock"
STOCK_QUANTITY = "stock_quantity"


def _attribute_ids(targets: Sequence[Target], refs: RefResolver) -> Callable[[str], int | None]:
    """Catalog attribute name -> this store's id of the global attribute it is sent as (``None``:
    a local one)."""
    slugs = {target.field: target.woo for target in targets if target.kind == GLOBAL_ATTRIBUTE}
    return lambda name: refs.attribute_id(slugs[name]) if name in slugs else None


def sent_fields(targets: Sequence[Target], keys: Iterable[str]) -> list[str]:
    """Local field names of the keys sent, in selection order (the result's ``exportedFields``)."""
    wanted = set(keys)
    return [target.field for target in targets if target.key in wanted]
