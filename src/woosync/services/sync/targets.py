"""The targets both pipelines share: which WooCommerce key each selected field goes to, a field's
value in local terms, fingerprints for partial updates and the store's values in local terms.

Nothing here talks to a store or a database. Values are kept in *local terms* (category and tag
names, image URLs, attribute option names) so that a plan can be made and compared before any id is
resolved; :func:`payload.build_payload` turns them into WooCommerce terms.

Comparing like with like: :mod:`.canonical` (``canonical``, ``fingerprint``, ``text``, kept
importable from here) gives both sides one comparable form.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from woosync.core.errors import ValidationError
from woosync.core.field_checks import TARGET_CHECKS, coerce_target_value
from woosync.core.fields import (
    BOOLEAN,
    DIMENSION_PARTS,
    INTEGER,
    REQUIRED_FIELDS,
    STANDARD_FIELDS,
    WOO_FIELD_TYPES,
    WOO_PRODUCT_FIELDS,
    is_global_attribute,
)
from woosync.core.meta_keys import (
    META_KEY_HINT,
    is_meta_target,
    meta_key,
    meta_target_problem,
)
from woosync.core.text import control_character_problem
from woosync.products.downloads import normalize_downloads, with_ids
from woosync.services.sync.canonical import canonical as canonical  # (where it was first)
from woosync.services.sync.canonical import canonical_text as canonical_text
from woosync.services.sync.canonical import fingerprint as fingerprint
from woosync.services.sync.canonical import names_of as names_of
from woosync.services.sync.canonical import text as text
from woosync.services.sync.default_options import local_default_options, store_default_options
from woosync.services.sync.product_links import LINK_FIELDS, link_names
from woosync.services.sync.store_attributes import (
    normalize_store_attributes as normalize_store_attributes,  # (where it was first)
)
from woosync.services.sync.store_attributes import same_name
from woosync.services.sync.store_attributes import twin_attribute as twin_attribute

REQUIRED_MESSAGE = 'Export mapping must include "name" and "sku" fields'

# Kinds of target.
SCALAR = "scalar"
DIMENSIONS = "dimensions"
DIMENSION = "dimension"
IMAGES = "images"
CATEGORIES = "categories"
TAGS = "tags"
BRANDS = "brands"  # WooCommerce 9.6 and later: names, as tags
GLOBAL_ATTRIBUTE = "global_attribute"
LOCAL_ATTRIBUTE = "local_attribute"
META = "meta"  # one key of the product's meta_data (``meta:_wholesale_price``)
DEFAULTS = "default_attributes"  # a variable product's default options (``default_options``)
LINKS = "links"  # upsells or cross-sells: SKUs here, store ids there (``product_links``)
DOWNLOADS = "downloads"  # a downloadable product's files, with the catalog's ids (``downloads``)
ATTRIBUTE_KINDS = frozenset({GLOBAL_ATTRIBUTE, LOCAL_ATTRIBUTE})

INT_FIELDS = frozenset(name for name, kind in WOO_FIELD_TYPES.items() if kind.kind == INTEGER)
BOOL_FIELDS = frozenset(name for name, kind in WOO_FIELD_TYPES.items() if kind.kind == BOOLEAN)
IMAGE_URL = re.compile(r"^https?://[^\s/?#]+\S*$", re.IGNORECASE)  # what an image source must be


@dataclass(frozen=True)
class Target:
    """Where one selected local field goes.

    ``key`` names the value in payload-key space and is the key of ``ProductSync.exported_values``:
    ``regular_price``, ``dimensions``, ``dimensions.length``, ``attribute:pa_color`` (global, by slug),
    ``attribute:COLOR`` (local, by name) or ``meta:_wholesale_price`` (a meta data key, ``woo``).
    """

    field: str
    key: str
    kind: str
    woo: str


def resolve_targets(selected: Sequence[str], mappings: Mapping[str, str] | None) -> list[Target]:
    """The targets of the selected fields, in selection order (duplicates dropped).

    A mapped field goes where its mapping says; an unmapped standard field goes to its default
    WooCommerce field (``price`` -> ``regular_price``); any other unmapped name is a local product
    attribute of that name.
    """
    names = [str(name).strip() for name in selected if str(name).strip()]
    if any(required not in names for required in REQUIRED_FIELDS):
        raise ValidationError(REQUIRED_MESSAGE, hint="add name and sku to the selected fields")
    mappings = dict(mappings or {})
    targets: list[Target] = []
    owners: dict[str, str] = {}
    for name in dict.fromkeys(names):
        target = _target(name, mappings.get(name))
        if target.key in owners:
            raise ValidationError(
                f"fields {owners[target.key]!r} and {name!r} both export to {target.woo!r}",
                hint="select only one of them or map one elsewhere",
            )
        owners[target.key] = name
        targets.append(target)
    return targets


def _target(name: str, mapped: str | None) -> Target:
    woo = (mapped or "").strip()
    if not woo:
        if name in STANDARD_FIELDS:
            woo = STANDARD_FIELDS[name]
        elif name in DIMENSION_PARTS:
            woo = name
        else:
            local = name.split(":", 1)[1] if name.startswith(("attribute:", "custom:")) else name
            return Target(name, f"attribute:{local}", LOCAL_ATTRIBUTE, local)
    if is_global_attribute(woo):
        return Target(name, f"attribute:{woo}", GLOBAL_ATTRIBUTE, woo)
    if is_meta_target(woo):
        problem = meta_target_problem(woo)
        if problem is not None:
            raise ValidationError(
                f"field {name!r} is mapped to {woo!r}, which {problem}", hint=META_KEY_HINT
            )
        return Target(name, woo, META, meta_key(woo))
    if woo not in WOO_PRODUCT_FIELDS:
        raise ValidationError(
            f"field {name!r} is mapped to {woo!r}, which is not a WooCommerce product field",
            hint="map it to a product field (e.g. regular_price) or a global attribute (pa_color)",
        )
    if woo == "dimensions":
        return Target(name, "dimensions", DIMENSIONS, woo)
    if woo in DIMENSION_PARTS:
        return Target(name, f"dimensions.{woo}", DIMENSION, woo)
    if woo in (IMAGES, CATEGORIES, TAGS, BRANDS, DEFAULTS, DOWNLOADS):
        return Target(name, woo, woo, woo)
    if woo in LINK_FIELDS:
        return Target(name, woo, LINKS, woo)
    return Target(name, woo, SCALAR, woo)


# values -----------------------------------------------------------------------------------------


def _is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, tuple, dict)):
        return not value
    return False


class ValueRefused(Exception):
    """A product's value does not fit the WooCommerce field it is mapped to (``reason`` says why)."""

    def __init__(self, target: Target, value: Any, reason: str) -> None:
        super().__init__(f"{target.field} cannot go to {target.woo}: {reason}")
        self.target = target
        self.value = value
        self.reason = reason


def _checked(target: Target, woo_field: str, raw: Any) -> Any:
    """``raw`` as ``woo_field`` takes it (``core.fields.WOO_FIELD_TYPES``), else :class:`ValueRefused`."""
    value = raw
    if type(value) is str:  # the common case first
        try:
            return TARGET_CHECKS[woo_field](value)
        except ValueError as exc:
            raise ValueRefused(target, raw, str(exc)) from None
    if isinstance(value, (list, tuple)):
        if len(value) != 1:
            raise ValueRefused(
                target, raw, f"a list of {len(value)} values cannot go to a single-value field"
            )
        value = value[0]
    if isinstance(value, Mapping):
        raise ValueRefused(target, raw, "an object cannot go to a single-value field")
    try:
        return coerce_target_value(woo_field, value)
    except ValueError as exc:
        raise ValueRefused(target, raw, str(exc)) from None


def checked_names(target: Target, names: list[str]) -> list[str]:
    for name in names:
        if name.isprintable():
            continue
        problem = control_character_problem(name)
        if problem is not None:
            raise ValueRefused(target, name, f"{name!r} {problem}")
    return names


def local_value(target: Target, raw: Any) -> Any:
    """The value to send for ``target``, in local terms, or ``None`` when it is empty.

    Raises :class:`ValueRefused` when the value does not fit its WooCommerce field's type (a custom
    field ``eurPrice: "20,90"`` mapped to ``regular_price``): it is never sent.
    """
    if target.kind == SCALAR:
        if _is_empty(raw):
            return None
        return _checked(target, target.woo, raw)
    if target.kind == DIMENSIONS:
        parts = raw if isinstance(raw, Mapping) else {}
        found = {
            part: _checked(target, part, parts[part])
            for part in DIMENSION_PARTS
            if not _is_empty(parts.get(part))
        }
        return found or None
    if target.kind == DIMENSION:
        return None if _is_empty(raw) else _checked(target, target.woo, raw)
    if target.kind == IMAGES:
        images = raw if isinstance(raw, (list, tuple)) else ([] if raw is None else [raw])
        srcs = [_image_src(image) for image in images]
        for src in srcs:
            if src and not IMAGE_URL.match(src):
                raise ValueRefused(target, raw, f"{src!r} is not an http(s) URL")
        return [src for src in srcs if src] or None
    if target.kind == META:
        return meta_value(target, raw)
    if target.kind == DEFAULTS:
        try:
            return local_default_options(raw)
        except ValueError as exc:
            raise ValueRefused(target, raw, str(exc)) from None
    if target.kind == DOWNLOADS:
        try:
            return with_ids(normalize_downloads(raw), None)
        except ValueError as exc:
            raise ValueRefused(target, raw, str(exc)) from None
    names = names_of(raw)
    return checked_names(target, names) or None


def meta_value(target: Target, raw: Any) -> Any:
    """A meta data value as it is sent: text (WordPress keeps every scalar as text), or a list
    of texts (kept as a list); ``None`` when empty."""
    unfit = unfit_meta(raw)
    if unfit is not None:
        raise ValueRefused(target, raw, f"{unfit} cannot go to a meta data value")
    if isinstance(raw, (list, tuple)):
        items = [text(item) for item in raw if item is not None]
        return checked_names(target, [item for item in items if item]) or None
    return None if _is_empty(raw) else text(raw)


def unfit_meta(value: Any) -> str | None:
    """What a meta value is when the catalog cannot hold it: an object, or a list holding
    objects or lists (a plugin's structure); ``None`` for text, numbers, flags and flat lists."""
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, (list, tuple)) and any(
        isinstance(item, (Mapping, list, tuple)) for item in value
    ):
        return "a list of objects or lists"
    return None


def _image_src(image: Any) -> str:
    if isinstance(image, Mapping):
        return text(image.get("src") or "")
    return "" if image is None else text(image)


# comparing --------------------------------------------------------------------------------------


def fingerprints(targets: Sequence[Target], values: Mapping[str, Any]) -> dict[str, str]:
    kinds = {target.key: target.kind for target in targets}
    return {key: fingerprint(kinds[key], value) for key, value in values.items() if key in kinds}


def store_values(
    targets: Sequence[Target],
    product: Mapping[str, Any],
    attribute_ids: Mapping[str, int] | None = None,
) -> dict[str, Any]:
    """What the store holds for each target, in local terms (comparable with :func:`desired_values`).

    ``attribute_ids`` maps global attribute slugs to the store's ids; without an id, a global
    attribute is matched by the ``slug`` newer stores add to product attributes.
    """
    attribute_ids = attribute_ids or {}
    found: dict[str, Any] = {}
    for target in targets:
        value = store_value(target, product, attribute_ids.get(target.woo))
        if value is not None:
            found[target.key] = value
    return found


def store_value(target: Target, product: Mapping[str, Any], attribute_id: int | None = None) -> Any:
    """What the store holds for one target, in local terms (``None``: nothing); ``attribute_id``:
    the store's id of a global attribute (:func:`store_values`)."""
    kind = target.kind
    if kind == SCALAR:
        value = product.get(target.woo)
        if type(value) is str:  # the common case first
            value = value.strip()
            return (html.unescape(value) if "&" in value else value) or None
        if _is_empty(value):
            return None
        return value if isinstance(value, (bool, int)) else html.unescape(text(value))
    if kind in (DIMENSIONS, DIMENSION):
        dims = product.get("dimensions") or {}
        if kind == DIMENSIONS:
            return {p: text(dims[p]) for p in DIMENSION_PARTS if not _is_empty(dims.get(p))} or None
        part = dims.get(target.woo)
        return None if _is_empty(part) else text(part)
    if kind == IMAGES:
        return [text(image.get("src", "")) for image in product.get("images") or []] or None
    if kind in (CATEGORIES, TAGS, BRANDS):
        return [
            html.unescape(text(t.get("name", ""))) for t in product.get(target.woo) or []
        ] or None
    if kind == META:  # a value the catalog cannot hold is as good as none: no base is made of it
        value = store_meta_value(product, target.woo)
        return None if unfit_meta(value) is not None else value
    if kind == DEFAULTS:
        return store_default_options(product)
    if kind == DOWNLOADS:
        return store_downloads(product)
    if kind == LINKS:
        return link_names(product.get(target.woo))
    entry = find_attribute(product.get("attributes") or [], target, attribute_id)
    if not entry:
        return None
    return [html.unescape(o) for o in names_of(entry.get("options"))] or None


def store_downloads(product: Mapping[str, Any]) -> list[dict[str, str]] | None:
    """A product's files as the store holds them, ``[{id, name, file}]`` (``None``: none)."""
    found = [
        {
            "id": text(item.get("id") or ""),
            "name": html.unescape(text(item.get("name") or "")),
            "file": text(item.get("file") or ""),
        }
        for item in product.get("downloads") or []
        if isinstance(item, Mapping) and item.get("file")
    ]
    return found or None


def store_meta_value(product: Mapping[str, Any], key: str) -> Any:
    """The value of the meta data ``key`` (the first entry of that key, as WooCommerce reads
    it): text, or a list of texts; ``None`` when the product has none (or an empty one). An
    object, or a list holding some, stays as it is (:func:`unfit_meta`): the catalog leaves it
    out rather than flatten what a plugin keeps."""
    for entry in product.get("meta_data") or []:
        if isinstance(entry, Mapping) and entry.get("key") == key:
            value = entry.get("value")
            if isinstance(value, Mapping):
                return dict(value) or None
            if isinstance(value, list):
                if unfit_meta(value) is not None:
                    return list(value)
                return [text(item) for item in value if not _is_empty(item)] or None
            return None if _is_empty(value) else text(value)
    return None


# attributes -------------------------------------------------------------------------------------


def find_attribute(
    attributes: Sequence[Mapping[str, Any]], target: Target, attribute_id: int | None
) -> Mapping[str, Any] | None:
    for entry in attributes:
        entry_id = int(entry.get("id") or 0)
        if target.kind == GLOBAL_ATTRIBUTE:
            if attribute_id and entry_id == attribute_id:
                return entry
            if entry_id and str(entry.get("slug") or "") == target.woo:
                return entry
        elif not entry_id and same_name(str(entry.get("name") or ""), target.woo):
            return entry
    return None
