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

A run's records hold the same few lists (one per set of exported fields): each is read and
written once per run (remembered), not once per product.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Collection, Iterable, Mapping, MutableMapping
from typing import Any

MARK = "#held"  # beside the fingerprints in ``exported_values``: the keys the catalog held


def held(base: Mapping[str, str]) -> frozenset[str]:
    """The keys whose base is a value the catalog held."""
    text = base.get(MARK)
    return _read(text) if text else frozenset()


def note(
    base: MutableMapping[str, str], holds: Iterable[str] = (), drops: Iterable[str] = ()
) -> None:
    """Mark the keys ``holds`` as held by the catalog and unmark ``drops``."""
    text = _marked(base.get(MARK) or "", frozenset(holds), frozenset(drops))
    if text:
        base[MARK] = text
    else:
        base.pop(MARK, None)


def note_sent(
    base: MutableMapping[str, str], sent: Collection[str], values: Mapping[str, Any]
) -> None:
    """After a write that sent ``sent`` keys with ``values``: those sent with a value are held,
    those sent empty (a clear) are not. Remembered by the mark before, the keys and the empty
    ones: every product of a run sends the same few (this runs once per product written)."""
    blank = tuple(
        [k for k in sent if not (v := values.get(k)) or (type(v) is dict and is_blank(v))]
    )
    memo_key = (base.get(MARK) or "", frozenset(sent), blank)
    text = _SENT.get(memo_key)
    if text is None:
        if len(_SENT) >= 1024:
            _SENT.clear()
        text = _SENT[memo_key] = _marked(
            memo_key[0], memo_key[1].difference(blank), frozenset(blank)
        )
    if text:
        base[MARK] = text
    else:
        base.pop(MARK, None)


_SENT: dict[tuple[str, frozenset[str], tuple[str, ...]], str] = {}


def is_blank(value: Any) -> bool:
    """Whether a value sent clears its field (what an export sends to clear one)."""
    if value is None or value == "" or value == []:
        return True
    if isinstance(value, Mapping):
        return all(is_blank(part) for part in value.values())
    return False


def is_key(key: str) -> bool:
    """Whether a key of ``exported_values`` is a target's (not the mark, nor a kept quantity)."""
    return not key.startswith("#") and not key.endswith("#")


@functools.lru_cache(maxsize=1024)
def _read(text: str) -> frozenset[str]:
    try:
        found = json.loads(text)
    except ValueError:
        return frozenset()
    return frozenset(str(key) for key in found) if isinstance(found, list) else frozenset()


@functools.lru_cache(maxsize=1024)
def _marked(text: str, holds: frozenset[str], drops: frozenset[str]) -> str:
    before = _read(text) if text else frozenset()
    after = (before | holds) - drops
    if after == before:
        return text
    return json.dumps(sorted(after), ensure_ascii=False, separators=(",", ":")) if after else ""
