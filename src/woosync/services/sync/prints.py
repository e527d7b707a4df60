"""Fingerprints of values, as the two-way sync compares them (:mod:`.echoes`).

:func:`store_print` is the print of what the store holds for a target, :func:`catalog_print` of
a catalog value as export sends it: both :func:`~woosync.services.sync.targets.fingerprint` of the
value in local terms. Prints of repeated values are remembered: :func:`value_print` by the value
(statuses, prices, term names), :func:`quick_store_print` by the store's raw value of a plain
field (what an import looks at for every field of every product).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from woosync.services.sync import targets as sync_targets


def store_print(
    target: sync_targets.Target, woo: Mapping[str, Any], slug_ids: Mapping[str, int]
) -> str:
    """The fingerprint of what the store holds for ``target`` (``woo`` with catalog images)."""
    return value_print(target.kind, sync_targets.store_value(target, woo, slug_ids.get(target.woo)))


def quick_store_print(
    target: sync_targets.Target, woo: Mapping[str, Any], attribute_id: int | None = None
) -> str:
    """:func:`store_print` for one target (``attribute_id``: a global attribute's store id); a
    plain value (the text, number or flag of a scalar field or a dimension) is looked up by the
    store's raw value, remembered for the run: what an import compares for every field of every
    product (statuses, prices, stock repeat from product to product)."""
    kind = target.kind
    if kind == sync_targets.SCALAR:
        raw = woo.get(target.woo)
    elif kind == sync_targets.DIMENSION:
        raw = (woo.get("dimensions") or {}).get(target.woo)
    else:
        return store_print(target, woo, {target.woo: attribute_id} if attribute_id else {})
    if raw is None:
        return NOTHING
    if type(raw) is str:
        if len(raw) > _SHORT:  # long text is unique: remembering it would only hold it
            return value_print(kind, sync_targets.store_value(target, woo))
        memo_key: tuple[Any, ...] = (kind, raw)
    elif type(raw) in (int, bool):
        memo_key = (kind, type(raw), raw)
    else:
        return value_print(kind, sync_targets.store_value(target, woo))
    found = _RAW_PRINTS.get(memo_key)
    if found is None:
        if len(_RAW_PRINTS) >= RAW_MEMO_LIMIT:
            _RAW_PRINTS.clear()
        found = _RAW_PRINTS[memo_key] = value_print(kind, sync_targets.store_value(target, woo))
    return found


def remembered_raw_print(raw: Any) -> str | None:
    """The remembered print of a scalar field's short raw text (what :func:`quick_store_print`
    keeps), or ``None`` (not seen yet, long, or not text: ask :func:`quick_store_print`)."""
    if type(raw) is str and len(raw) <= _SHORT:
        return _RAW_PRINTS.get((sync_targets.SCALAR, raw))
    return None


_SHORT = 40
RAW_MEMO_LIMIT = 20_000  # past this many distinct values the memo starts over
# (kind, raw value) -> its print: the value in local terms depends only on the kind and the raw
# value for scalar fields and dimension parts (``store_value``), and its print only on that
_RAW_PRINTS: dict[tuple[Any, ...], str] = {}


def catalog_print(target: sync_targets.Target, raw: Any) -> str:
    """The fingerprint of the catalog's value ``raw`` of ``target.field``, as export makes it."""
    return value_print(target.kind, sync_targets.local_value(target, raw))


def value_print(kind: str, value: Any) -> str:
    """``sync_targets.fingerprint``, remembered for text and lists of text (statuses, prices and term
    names repeat from product to product; ``True == 1`` but they differ, so nothing else)."""
    if type(value) is str:  # short text repeats (statuses, prices); long text is unique
        return (
            _remembered(kind, value) if len(value) <= 40 else sync_targets.fingerprint(kind, value)
        )
    if value is None:
        return NOTHING
    if type(value) is list and all(type(item) is str for item in value):
        return _remembered(kind, tuple(value))
    if type(value) is dict and all(type(item) is str for item in value.values()):  # dimensions
        return _remembered_parts(kind, tuple(sorted(value.items())))
    return sync_targets.fingerprint(kind, value)


@functools.lru_cache(maxsize=20_000)
def _remembered(kind: str, value: str | tuple[str, ...]) -> str:
    return sync_targets.fingerprint(kind, value if isinstance(value, str) else list(value))


@functools.lru_cache(maxsize=4096)
def _remembered_parts(kind: str, parts: tuple[tuple[str, str], ...]) -> str:
    return sync_targets.fingerprint(kind, dict(parts))


NOTHING = sync_targets.fingerprint("", None)  # "no value", whatever the kind
