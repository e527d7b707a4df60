"""Which values of a store are the catalog's own: what lets an export clear a field there.

An export never sends an empty value for a field a store may hold on its own (a description a
wholesale store has and the catalog never had). But a value the catalog holds in step with a
store (it sent it there, or took it from there) and has since emptied (a sale ended early, an
attribute removed) is the catalog's edit: the next export clears it in that store, as an import
takes a value the store emptied. So the sync record keeps, beside the fingerprints, the keys whose
base is a value the catalog held (``exported_values[MARK]``, a JSON list): an export marks the keys
it sent with a value and unmarks those it sent empty; an import marks what came into the catalog
and a new product's fields, and unmarks what the store emptied. A store product adopted by SKU
has none marked until a value goes out or comes in.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, MutableMapping

MARK = "#held"  # beside the fingerprints in ``exported_values``: the keys the catalog held


def held(base: Mapping[str, str]) -> frozenset[str]:
    """The keys whose base is a value the catalog held."""
    text = base.get(MARK)
    if not text:
        return frozenset()
    try:
        found = json.loads(text)
    except ValueError:
        return frozenset()
    return frozenset(str(key) for key in found) if isinstance(found, list) else frozenset()


def note(base: MutableMapping[str, str], keys: Iterable[str], holds: bool) -> None:
    """Mark ``keys`` as held by the catalog (``holds``), or unmark them."""
    before = held(base)
    after = before | set(keys) if holds else before - set(keys)
    if after == before:
        return
    if after:
        base[MARK] = json.dumps(sorted(after), ensure_ascii=False, separators=(",", ":"))
    else:
        base.pop(MARK, None)


def is_key(key: str) -> bool:
    """Whether a key of ``exported_values`` is a target's (not the mark, nor a kept quantity)."""
    return not key.startswith("#") and not key.endswith("#")
