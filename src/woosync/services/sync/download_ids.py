"""Each store's own id of a file the catalog holds under another id.

WooCommerce keeps a product's files under ids its customers' download links point at
(:mod:`woosync.products.downloads`). Two stores a shop already ran, selling the same file, each
made their own id for it, and the catalog holds one. So a store's id of a catalog file is kept
with that store's sync record, in its ``image_sources`` map (the store's ids of what the catalog
holds: a media id for an image, ``download:ID`` for a file), and each side speaks its own ids:

- an import reads the store's files under the catalog's ids (:func:`to_catalog`), so the same
  file is no difference and no conflict;
- an export sends the catalog's files under the store's ids (:func:`to_store`), so that store's
  customers keep their links.

The first time a store product's files are read, a store file whose address is a catalog file's
under another id is taken as the store's copy of it (:func:`copies`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

PREFIX = "download:"  # the key of a store's file id in a sync record's ``image_sources``


def store_ids(sources: Mapping[str, str] | None) -> dict[str, str]:
    """The catalog id -> this store's id of each file the store holds under an id of its own."""
    if not sources:
        return {}
    return {
        catalog_id: key[len(PREFIX) :]
        for key, catalog_id in sources.items()
        if key.startswith(PREFIX)
    }


def to_catalog(woo: Mapping[str, Any], sources: Mapping[str, str] | None) -> Any:
    """``woo`` with its files under the catalog's ids (the same object when nothing changes)."""
    files = woo.get("downloads")
    if not sources or not isinstance(files, list) or not files:
        return woo
    renamed = [_renamed(item, sources.get(f"{PREFIX}{_id(item)}")) for item in files]
    if all(new is old for new, old in zip(renamed, files, strict=True)):
        return woo
    return {**woo, "downloads": renamed}


def to_store(files: Sequence[Mapping[str, Any]], sources: Mapping[str, str] | None) -> list[Any]:
    """The catalog's ``files`` under this store's ids, for a write to it."""
    ids = store_ids(sources)
    return [_renamed(item, ids.get(_id(item))) if ids else dict(item) for item in files]


def in_store_ids(body: dict[str, Any], sources: Mapping[str, str] | None) -> None:
    """A write's ``body`` (a product's or a variation's) with its files under this store's ids."""
    files = body.get("downloads")
    if files and sources:
        body["downloads"] = to_store(files, sources)


def copies(
    catalog: Sequence[Mapping[str, Any]] | None,
    held: Any,
    sources: Mapping[str, str] | None,
) -> dict[str, str]:
    """The ``image_sources`` entries of the store's files (``held``) that are copies of the
    catalog's: the same address under an id the catalog does not hold, the catalog's file not
    yet given a store id of its own."""
    if not catalog or not isinstance(held, list):
        return {}
    ours = {_id(item) for item in catalog}
    taken = set(store_ids(sources))
    by_file = {str(item.get("file")): _id(item) for item in catalog}
    found: dict[str, str] = {}
    for item in held:
        if not isinstance(item, Mapping):
            continue
        store_id, catalog_id = _id(item), by_file.get(str(item.get("file")))
        if store_id in ours or catalog_id is None or catalog_id in taken:
            continue
        if f"{PREFIX}{store_id}" not in (sources or {}):
            found[f"{PREFIX}{store_id}"] = catalog_id
            taken.add(catalog_id)
    return found


def still_held(sources: Mapping[str, str], woo: Mapping[str, Any]) -> dict[str, str]:
    """The file entries of ``sources`` for the files the store product still has."""
    held = {
        f"{PREFIX}{_id(item)}" for item in woo.get("downloads") or [] if isinstance(item, Mapping)
    }
    return {key: value for key, value in sources.items() if key in held}


def _id(item: Mapping[str, Any]) -> str:
    return str(item.get("id") or "")


def _renamed(item: Any, new_id: str | None) -> Any:
    if new_id is None or not isinstance(item, Mapping):
        return item
    return {**item, "id": new_id}
