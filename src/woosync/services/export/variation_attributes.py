"""A variable product's attribute list as its variations need it: each attribute they vary by
marked ``variation: true`` with its options, the store's other attributes kept, an attribute in
conflict left as the store holds it, and never a local attribute over the store's global one of
the same name (:func:`~woosync.services.export.payload.global_twin_message`)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from woosync.services.export.payload import KindClashError, global_twin_message
from woosync.services.export.registry import ATTRIBUTE, StoreRegistry
from woosync.services.sync import targets as sync_targets


def marked(
    attributes: Mapping[str, Any],
    held: Sequence[Mapping[str, Any]] | None,
    slugs: Mapping[str, str],
    registry: StoreRegistry,
    held_back: Collection[str] = (),
    explicit_local: Collection[str] = (),
) -> list[dict[str, Any]] | None:
    """The attribute list ``held`` (the store's, or the write's) with every attribute of the
    variable product marked ``variation`` and holding its options; ``None`` when it is so already.
    An attribute whose key is in ``held_back`` (in conflict with this store: changed on both
    sides) stays as the store holds it, as the product pass leaves it out. A local attribute
    never replaces the store's global one of its name unless ``explicit_local`` names it
    (``attribute:NAME`` selected): :class:`MissingRefError` then (:func:`global_twin_message`)."""
    if not attributes:
        return None  # nothing to mark (and never an empty list that would wipe the store's)
    entries = [dict(a) for a in held or []]
    changed = held is None
    for position, (name, options) in enumerate(attributes.items()):
        if held_back and _key(name, slugs) in held_back and held is not None:
            continue
        names = _options(options)
        attribute_id = _attribute_id(name, slugs, registry)
        entry = _entry(entries, name, attribute_id)
        # the same attribute of the other kind (a mapping turned Size into pa_size, or back)
        twin = sync_targets.twin_attribute(entries, name, bool(attribute_id))
        if entry is not None and twin is not None:  # never a second "Size" beside ours
            entries.pop(twin)
            changed = True
        elif entry is None:
            if twin is not None and not attribute_id and name not in explicit_local:
                raise KindClashError(global_twin_message(name, entries[twin]))
            entry = {"id": attribute_id} if attribute_id else {"name": name}
            if twin is None:
                entry.update(position=position, visible=True)
                entries.append(entry)
            else:  # ours now, in its place
                entry.update(position=entries[twin].get("position", position))
                entry.update(visible=entries[twin].get("visible", True))
                entries[twin] = entry
            changed = True
        if not entry.get("variation") or sorted(entry.get("options") or []) != sorted(names):
            entry["variation"] = True
            entry["options"] = names
            changed = True
    return [_attribute_body(a) for a in entries] if changed else None


def marked_changes(
    attributes: Mapping[str, Any],
    held: Sequence[Mapping[str, Any]] | None,
    slugs: Mapping[str, str],
    registry: StoreRegistry,
    held_back: Collection[str] = (),
    explicit_local: Collection[str] = (),
) -> list[tuple[str, list[str] | None, list[str]]]:
    """What :func:`marked` would change of ``held``, per attribute: (name, the store's options or
    ``None``, the catalog's), for a dry run to show (:class:`MissingRefError` as it raises)."""
    if marked(attributes, held, slugs, registry, held_back, explicit_local) is None:
        return []
    entries = [dict(a) for a in held or []]
    found = []
    for name, options in attributes.items():
        if held_back and _key(name, slugs) in held_back:
            continue
        entry = _entry(entries, name, _attribute_id(name, slugs, registry))
        old = None if entry is None else [str(o) for o in entry.get("options") or []]
        new = _options(options)
        if entry is None or not entry.get("variation") or sorted(old or []) != sorted(new):
            found.append((name, old, new))
    return found


def explicit_locals(targets: Sequence[sync_targets.Target]) -> frozenset[str]:
    """The attribute names selected as ``attribute:NAME``: local even over a global one."""
    return frozenset(
        t.woo for t in targets if t.kind == sync_targets.LOCAL_ATTRIBUTE and ":" in t.field
    )


def _key(name: str, slugs: Mapping[str, str]) -> str:
    """The key an attribute is fingerprinted (and held in conflict) under."""
    return f"attribute:{slugs.get(name, name)}"


def _options(options: Any) -> list[str]:
    return [str(o) for o in (options if isinstance(options, list) else [options])]


def _attribute_id(name: str, slugs: Mapping[str, str], registry: StoreRegistry) -> int | None:
    slug = slugs.get(name)
    return registry.get(ATTRIBUTE, slug) if slug else None


def _entry(
    entries: Sequence[dict[str, Any]], name: str, attribute_id: int | None
) -> dict[str, Any] | None:
    """The store's entry of the attribute ``name`` (by id when global, else by name)."""
    for entry in entries:
        if attribute_id and entry.get("id") == attribute_id:
            return entry
        named = str(entry.get("name", "")).casefold() == name.casefold()
        if not attribute_id and not entry.get("id") and named:
            return entry
    return None


def _attribute_body(entry: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {"id": int(entry["id"])} if entry.get("id") else {"name": entry["name"]}
    body.update(
        position=int(entry.get("position") or 0),
        visible=bool(entry.get("visible", True)),
        variation=bool(entry.get("variation", False)),
        options=list(entry.get("options") or []),
    )
    return body
